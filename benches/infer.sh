#!/usr/bin/env bash
# handoff infer beside handoff check on the same payloads: benches/gen_corpus.py's ~2 KB orders
# (1% invalid), 1M lines by default. infer reads on one thread, so check is timed on one
# thread and on every core; peak RSS from GNU time shows the profile's memory follows the
# shape, not the count.
#
#   benches/infer.sh                 # 1,000,000 payloads
#   COUNT=100000 benches/infer.sh    # a quick look
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-1000000}
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
cargo build --release --quiet
HANDOFF=target/release/handoff
corpus="$WORK/orders-$COUNT.ndjson"
if [ ! -e "$corpus" ]; then
  base=$((COUNT < 100000 ? COUNT : 100000))
  python3 benches/gen_corpus.py --count "$base" --invalid 0.01 --ndjson "$WORK/base.ndjson"
  for _ in $(seq $((COUNT / base))); do cat "$WORK/base.ndjson"; done > "$corpus"
fi

measure() { # name, command...: prints "name|seconds|peak MB"
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" > /dev/null 2>&1 || true
  read -r secs kb < <(tail -1 "$WORK/time")
  echo "$name|$secs|$(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }')"
}
rows=(
  "$(measure "handoff infer" "$HANDOFF" infer --allow-outside "$corpus" --id bench-order)"
  "$(measure "handoff check --jobs 1" "$HANDOFF" check --allow-outside --no-progress --jobs 1 --contract benches/order-contract.yaml "$corpus")"
  "$(measure "handoff check --jobs $(nproc)" "$HANDOFF" check --allow-outside --no-progress --contract benches/order-contract.yaml "$corpus")"
)
echo "| run ($COUNT payloads) | seconds | payloads/s | peak RSS (MB) |"
echo "|---|---:|---:|---:|"
for r in "${rows[@]}"; do
  IFS='|' read -r name secs mb <<< "$r"
  awk -v n="$name" -v s="$secs" -v m="$mb" -v c="$COUNT" 'BEGIN { printf "| %s | %.2f | %.0f | %s |\n", n, s, c / s, m }'
done
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
