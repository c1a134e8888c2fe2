#!/usr/bin/env bash
# handoff serve under load, loopback only, bounded in count and time: examples/serve_load.rs
# posts benches/gen_corpus.py's ~2 KB orders (1% invalid) over keep-alive connections to a
# release `handoff serve`; then the captures are counted against the 202s (zero lost), the
# receiver's peak RSS read from /proc, and `handoff check` timed on the same payloads beside it.
# The load generator runs on the same machine and takes its share of the cores.
#
#   benches/serve.sh                 # the run recorded in docs/performance.md
#   REQUESTS=20000 benches/serve.sh  # a quick look
set -euo pipefail
cd "$(dirname "$0")/.."

REQUESTS=${REQUESTS:-200000}
CONNECTIONS=${CONNECTIONS:-32}
SECONDS_MAX=${SECONDS_MAX:-60}
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"

echo "building release binaries..." >&2
cargo build --release --quiet
cargo build --release --quiet --example serve_load
HANDOFF=$PWD/target/release/handoff
LOAD=$PWD/target/release/examples/serve_load

[ -e "$WORK/orders.ndjson" ] || python3 benches/gen_corpus.py --count 20000 --invalid 0.01 --ndjson "$WORK/orders.ndjson"
project="$WORK/project"
rm -rf "$project"
mkdir -p "$project/contracts/bench-order"
cp benches/order-contract.yaml "$project/contracts/bench-order/1.0.0.yaml"

(cd "$project" && exec "$HANDOFF" serve --listen 127.0.0.1:0 2> "$WORK/serve.err") &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$WORK/serve.err" 2> /dev/null && break; sleep 0.1; done
addr=$(sed -n 's|.*listening on http://\([^,]*\),.*|\1|p' "$WORK/serve.err" | head -1)
[ -n "$addr" ] || { cat "$WORK/serve.err" >&2; exit 1; }

"$LOAD" "$addr" bench-order "$WORK/orders.ndjson" --connections "$CONNECTIONS" --requests "$REQUESTS" --seconds "$SECONDS_MAX" > "$WORK/load.txt"
rss_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
kill -TERM "$pid"
wait "$pid"
get() { awk -v k="$1" '$1 == k { print $2 }' "$WORK/load.txt"; }
accepted=$(get status_202); accepted=${accepted:-0}
recorded=$(cat "$project"/captures/bench-order/*.ndjson | wc -l)
receipts=$(cat "$project"/captures/bench-order/*.receipts | wc -l)

# The same payloads through handoff check, on every core, from the capture files.
start=$(date +%s.%N)
"$HANDOFF" check --contract "$project/contracts/bench-order/1.0.0.yaml" --no-progress --format json "$project/captures/bench-order" > /dev/null || true
check_secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.3f", e - s }')

echo "| measure | value |"
echo "|---|---:|"
echo "| requests sent (${CONNECTIONS} keep-alive connections) | $(get requests) |"
echo "| answered 202 | $accepted |"
echo "| lines in the capture files / receipts | $recorded / $receipts |"
echo "| lost captures (202 without a line) | $((accepted - recorded)) |"
echo "| requests/s | $(get requests_per_second) |"
echo "| latency p50 / p99 / max (ms) | $(get p50_ms) / $(get p99_ms) / $(get max_ms) |"
echo "| receiver peak RSS (MB) | $(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }') |"
echo "| handoff check on the same $recorded payloads (s, payloads/s) | $check_secs, $(awk -v n="$recorded" -v s="$check_secs" 'BEGIN { printf "%.0f", n / s }') |"
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
