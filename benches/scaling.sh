#!/usr/bin/env bash
# Scaling benchmark for failing payloads (hardening issue, item 5): the time to report N
# failing line items, and 10 x N, in each output format, side by side in one run. Linear
# reporting means the 10x payload costs about 10x; the target is at most 12x.
#
#   benches/scaling.sh              # N = 3,000 and 30,000 line items, pretty and minified
#   N=1000 benches/scaling.sh       # other sizes
#
# Each line item fails twice (a lower-case SKU and a one-place price), so 30,000 items give
# 60,000 findings. Times are the best of RUNS runs (default 3); peak RSS from GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
N=${N:-3000}
WORK=${WORK:-$(mktemp -d)}
cargo build --release --quiet
HANDOFF=target/release/handoff

python3 - "$WORK" "$N" <<'EOF'
import json, sys
work, n = sys.argv[1], int(sys.argv[2])
base = {"order_id": "6f1c1f3e-8f7a-4a59-9a53-2b6f0c7d9e11", "order_number": "#100234",
        "created_at": "2026-11-20T10:00:00Z", "currency": "USD", "financial_status": "pending",
        "paid_at": None}
for count in (n, 10 * n):
    order = dict(base, line_items=[{"sku": "abc-%d" % i, "quantity": 1, "unit_price": "1.5"}
                                   for i in range(count)])
    open(f"{work}/pretty-{count}.json", "w").write(json.dumps(order, indent=2))
    open(f"{work}/minified-{count}.json", "w").write(json.dumps(order))
# Suggestions: a 100 KB value against a 30,000-value enum; 10,000 unknown members against
# 10,000 declared fields (item 11).
values = ["STATUS_%05d" % i for i in range(30000)]
with open(f"{work}/big-enum.yaml", "w") as f:
    f.write("contract: big-enum\nversion: 1.0.0\nboundary: {from: a, to: b, transport: api}\n")
    f.write("fields:\n  status:\n    type: string\n    enum: [" + ", ".join(values) + "]\n")
open(f"{work}/big-enum.json", "w").write(json.dumps({"status": "X" * 100_000}))
with open(f"{work}/wide.yaml", "w") as f:
    f.write("contract: wide\nversion: 1.0.0\nboundary: {from: a, to: b, transport: api}\nclosed: true\nfields:\n")
    for i in range(10000):
        f.write(f"  field_{i:05d}: {{type: integer}}\n")
open(f"{work}/wide.json", "w").write(json.dumps({f"feild_{i:05d}": 1 for i in range(10000)}))
EOF

best() {  # best wall time and its peak RSS over RUNS runs: "seconds KB"
  local best_t="" best_m=""
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" > /dev/null 2>&1 || true
    read -r t m < <(tail -n 1 "$WORK/time")
    if [ -z "$best_t" ] || awk "BEGIN {exit !($t < $best_t)}"; then best_t=$t; best_m=$m; fi
  done
  echo "$best_t $best_m"
}

echo "| payload | format | ${N} items | $((10 * N)) items | ratio (target <= 12) | peak RSS at 10x |"
echo "|---|---|---:|---:|---:|---:|"
for shape in pretty minified; do
  for format in text json sarif junit github markdown; do
    read -r t1 _ < <(best "$HANDOFF" check --contract storefront-order-to-erp --format "$format" "$WORK/$shape-$N.json")
    read -r t10 m10 < <(best "$HANDOFF" check --contract storefront-order-to-erp --format "$format" "$WORK/$shape-$((10 * N)).json")
    ratio=$(awk "BEGIN {printf \"%.1f\", ($t1 > 0 ? $t10 / $t1 : 0)}")
    echo "| $shape | $format | ${t1} s | ${t10} s | ${ratio}x | $((m10 / 1024)) MB |"
  done
done
echo
read -r t m < <(best "$HANDOFF" check --contract "$WORK/big-enum.yaml" "$WORK/big-enum.json")
echo "- 100 KB value against a 30,000-value enum (load, check, suggestion): ${t} s, $((m / 1024)) MB"
read -r t m < <(best "$HANDOFF" check --contract "$WORK/wide.yaml" "$WORK/wide.json")
echo "- 10,000 unknown members against 10,000 declared fields: ${t} s, $((m / 1024)) MB"
