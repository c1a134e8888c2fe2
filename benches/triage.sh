#!/usr/bin/env bash
# Triage throughput (triage issue): a log of N exceptions (default 1,000,000) whose payloads
# are the records of an NDJSON capture, triaged beside `handoff check` on the same payloads,
# in one run; peak RSS of each, to show triage memory follows the patterns, not the rows.
#
#   benches/triage.sh            # N=1000000
#   N=100000 benches/triage.sh   # a quicker look
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
WORK=${WORK:-$(mktemp -d)}
cargo build --release --quiet
HANDOFF=$PWD/target/release/handoff
CONTRACT=benches/order-contract.yaml

[ -e "$WORK/orders-$N.ndjson" ] || python3 benches/gen_corpus.py --count "$N" --invalid 0.05 --ndjson "$WORK/orders-$N.ndjson"
[ -e "$WORK/log-$N.csv" ] || python3 - "$WORK" "$N" <<'EOF'
import random, sys
work, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(1)
codes = ["SKU_NOT_FOUND", "ADDRESS_INVALID", "PRICE_MISMATCH", "NO_RULE", "TIMEOUT"]
with open(f"{work}/log-{n}.csv", "w") as f:
    f.write("opened_at,error_code,capture,line,contract,agent,resolution,minutes,http\n")
    for i in range(n):
        day = 1 + i * 28 // n
        f.write(f"2026-10-{day:02d}T{9 + i % 8:02d}:{i % 60:02d}:00Z,{codes[i % 5]},orders-{n}.ndjson,{i + 1},"
                f"orders,agent-{i % 7},fix-{rng.randrange(3)},{1 + i % 9},200\n")
EOF

run() {  # seconds and peak RSS (MB) of one run
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" > /dev/null 2>&1 || true
  read -r s kb < <(tail -n 1 "$WORK/time")
  echo "$s $((kb / 1024))"
}

contracts=$(mktemp -d)
mkdir -p "$contracts/orders"
sed 's/^contract: .*/contract: orders/' "$CONTRACT" > "$contracts/orders/1.0.0.yaml"
sed -i 's/^version: .*/version: 1.0.0/' "$contracts/orders/1.0.0.yaml"

read -r c1 m1 < <(run "$HANDOFF" check --quiet --jobs 1 --contract "$PWD/$CONTRACT" "$WORK/orders-$N.ndjson")
read -r c2 m2 < <(run "$HANDOFF" check --quiet --contract "$PWD/$CONTRACT" "$WORK/orders-$N.ndjson")
# From the work directory, so no handoff.yaml above it adds its own mapping.
cd "$WORK"
read -r t1 tm < <(run "$HANDOFF" triage "$WORK/log-$N.csv" --contracts "$contracts" \
  --map opened_at=opened_at --map error_code=error_code --map payload_ndjson=capture --map payload_line=line \
  --map contract=contract --map handled_by=agent --map resolution=resolution --map handling_minutes=minutes \
  --map handoff_status=http --format json)
echo "| run ($N payloads) | seconds | payloads/s | peak RSS |"
echo "|---|---:|---:|---:|"
for row in "handoff check --jobs 1|$c1|$m1" "handoff check (all cores)|$c2|$m2" "handoff triage|$t1|$tm"; do
  IFS='|' read -r name s m <<< "$row"
  awk -v n="$name" -v s="$s" -v m="$m" -v p="$N" 'BEGIN { printf "| %s | %.2f | %.0f | %d MB |\n", n, s, p / s, m }'
done
awk -v t="$t1" -v c1="$c1" -v c2="$c2" 'BEGIN { printf "\ntriage / check --jobs 1: %.2f; triage / check on all cores: %.2f\n", c1 / t, c2 / t }'
