#!/usr/bin/env bash
# Memory benchmark (hardening issue, item 6): peak RSS where memory used to grow with the
# input, measured side by side with a reference build when one is given.
#
#   benches/memory.sh                                   # this build only
#   REFERENCE=/path/to/older/handoff benches/memory.sh  # and an older build, in the same run
#
# Cases: JUnit over many payloads (passing ones are counted, not kept); one 12.5 MB payload
# of nothing but faults (at most 1,000 findings itemised, the rest counted); NDJSON of 50 MB
# lines at several --jobs (bytes in flight are bounded, not lines); 1.5M tiny failing records
# at --jobs 1 and 2 (results in flight are bounded by records per unit, not only bytes); many
# distinct unknown member names (summary rows folded past 10,000).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benches/lib.sh
source benches/lib.sh

WORK=${WORK:-$(mktemp -d)}
PAYLOADS=${PAYLOADS:-500000}
BIG_LINES=${BIG_LINES:-20}
cargo build --release --quiet
HANDOFF=target/release/handoff
CONTRACT=benches/order-contract.yaml

[ -e "$WORK/orders.ndjson" ] || python3 benches/gen_corpus.py --count "$PAYLOADS" --invalid 0.01 --ndjson "$WORK/orders.ndjson"
python3 - "$WORK" "$BIG_LINES" <<'EOF'
import json, os, sys
work, big_lines = sys.argv[1], int(sys.argv[2])
with open(f"{work}/faults.yaml", "w") as f:
    f.write("contract: faults\nversion: 1.0.0\nboundary: {from: a, to: b, transport: api}\nclosed: true\n")
    f.write("fields:\n  xs: {type: array, items: {type: integer}}\n")
if not os.path.exists(f"{work}/faults.json"):
    with open(f"{work}/faults.json", "w") as f:
        f.write('{"xs": [' + ",".join('"%d"' % i for i in range(1_300_000)) + "]}")
if not os.path.exists(f"{work}/big-lines.ndjson"):
    with open(f"{work}/big-lines.ndjson", "w") as f:
        for i in range(big_lines):
            f.write(json.dumps({"xs": list(range(i, i + 8_000_000))}) + "\n")
if not os.path.exists(f"{work}/small-failing.ndjson"):
    # Hardening 2: tiny records that each fail twice; results must not pile up per unit.
    with open(f"{work}/small.yaml", "w") as f:
        f.write("contract: small\nversion: 1.0.0\nboundary: {from: a, to: b, transport: api}\nclosed: true\n")
        f.write("fields:\n  id: {type: integer, required: true}\n  sku: {type: string, pattern: '^[A-Z]{3}-[0-9]{4}$'}\n")
    with open(f"{work}/small-failing.ndjson", "w") as f:
        for i in range(1_500_000):
            f.write('{"id":"%d","sku":"abc-%d","x":1}\n' % (i, i))
if not os.path.exists(f"{work}/names.ndjson"):
    with open(f"{work}/names.ndjson", "w") as f:
        for i in range(2_000):
            f.write(json.dumps({f"k{i}_{j}": 1 for j in range(1_000)}) + "\n")
EOF


size() { echo $(( $(stat -c %s "$1") / 1024 / 1024 )); }

printf '| case | input | this build'
[ -n "${REFERENCE:-}" ] && printf ' | reference'
printf ' |\n|---|---:|---:'
[ -n "${REFERENCE:-}" ] && printf '|---:'
printf '|\n'
row() {  # name input-size args...
  local name=$1 input=$2; shift 2
  printf '| %s | %s MB | %s MB' "$name" "$input" "$(rss "$HANDOFF" "$@")"
  [ -n "${REFERENCE:-}" ] && printf ' | %s MB' "$(rss "$REFERENCE" "$@")"
  printf ' |\n'
}
row "junit, $PAYLOADS payloads" "$(size "$WORK/orders.ndjson")" check --contract "$CONTRACT" --format junit "$WORK/orders.ndjson"
row "json, $PAYLOADS payloads" "$(size "$WORK/orders.ndjson")" check --contract "$CONTRACT" --format json "$WORK/orders.ndjson"
row "one payload, 1.3M faults, json" "$(size "$WORK/faults.json")" check --contract "$WORK/faults.yaml" --format json "$WORK/faults.json"
for jobs in 1 2 8; do
  row "$BIG_LINES lines of ~60 MB, --jobs $jobs" "$(size "$WORK/big-lines.ndjson")" check --contract "$WORK/faults.yaml" --quiet --max-payload-bytes 100000000 --jobs "$jobs" "$WORK/big-lines.ndjson"
done
for jobs in 1 2; do
  row "1.5M small failing records, --jobs $jobs" "$(size "$WORK/small-failing.ndjson")" check --contract "$WORK/small.yaml" --quiet --jobs "$jobs" "$WORK/small-failing.ndjson"
done
row "2M distinct unknown members, text" "$(size "$WORK/names.ndjson")" check --contract "$WORK/faults.yaml" --quiet "$WORK/names.ndjson"
