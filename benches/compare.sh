#!/usr/bin/env bash
# Throughput benchmark: handoff against the floor loop (examples/floor.rs: parse each payload
# into a serde_json::Value and validate it with the same jsonschema crate, nothing else) and,
# when installed, ajv-cli (npm) and check-jsonschema (PyPI), on a generated corpus of ~2 KB
# storefront orders (benches/gen_corpus.py, benches/order-contract.yaml).
#
#   benches/compare.sh            # the full run recorded in docs/performance.md
#   QUICK=1 benches/compare.sh    # smaller corpora, for a quick look
#
# Peers (optional): npm install -g ajv-cli@5 ajv-formats@3 ; pip install check-jsonschema ;
# and for jsonschema-rs's Python binding with orjson (benches/peer_jsonschema_rs.py), a Python
# that has both: PEER_PYTHON=/path/to/venv/bin/python (pip install jsonschema-rs orjson).
# Each measurement is the best of RUNS runs (default 3): wall time and peak RSS come from
# GNU time. Results are printed as a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
if [ -n "${QUICK:-}" ]; then
  NDJSON_COUNT=20000; FILES_BIG=5000; FILES_SMALL=2000; HUGE_COPIES=2
else
  NDJSON_COUNT=100000; FILES_BIG=100000; FILES_SMALL=10000; HUGE_COPIES=10
fi
CORES=$(nproc)

echo "building release binaries..." >&2
cargo build --release --quiet
cargo build --release --quiet --example floor
HANDOFF=target/release/handoff
FLOOR=target/release/examples/floor
CONTRACT=benches/order-contract.yaml
SCHEMA="$WORK/schema.json"
"$HANDOFF" schema "$CONTRACT" > "$SCHEMA"

echo "generating corpora in $WORK..." >&2
gen() { [ -e "$2" ] || python3 benches/gen_corpus.py --count "$1" --invalid "$3" "$4" "$2"; }
gen "$NDJSON_COUNT" "$WORK/orders.ndjson" 0.01 --ndjson
gen "$NDJSON_COUNT" "$WORK/orders-10pct.ndjson" 0.10 --ndjson
gen "$FILES_BIG" "$WORK/files-big" 0.01 --dir
gen "$FILES_SMALL" "$WORK/files-small" 0.01 --dir
if [ ! -e "$WORK/huge.ndjson" ]; then
  for _ in $(seq "$HUGE_COPIES"); do cat "$WORK/orders.ndjson"; done > "$WORK/huge.ndjson"
fi

# measure NAME PAYLOADS BYTES COMMAND... -> prints "NAME|payloads/s|MB/s|seconds|peak RSS MB"
measure() {
  local name=$1 payloads=$2 bytes=$3; shift 3
  local best="" rss=0
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" > /dev/null 2>"$WORK/stderr" || true
    read -r secs kb < <(tail -n 1 "$WORK/time")
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; rss=$kb; fi
  done
  awk -v n="$name" -v p="$payloads" -v b="$bytes" -v s="$best" -v r="$rss" \
    'BEGIN { if (s < 0.001) s = 0.001; printf "%s|%.0f|%.1f|%.3f|%.1f\n", n, p/s, b/s/1e6, s, r/1024 }'
}

bytes_of() { du -sb "$1" | cut -f1; }
nd=$(bytes_of "$WORK/orders.ndjson"); nd10=$(bytes_of "$WORK/orders-10pct.ndjson")
fb=$(bytes_of "$WORK/files-big"); fs=$(bytes_of "$WORK/files-small"); huge=$(bytes_of "$WORK/huge.ndjson")
HC=(check --contract "$CONTRACT" --quiet --no-progress)

rows=()
rows+=("$(measure "floor: parse only (1 core)" "$NDJSON_COUNT" "$nd" "$FLOOR" "$SCHEMA" "$WORK/orders.ndjson" --parse-only)")
rows+=("$(measure "floor: parse + validate (1 core)" "$NDJSON_COUNT" "$nd" "$FLOOR" "$SCHEMA" "$WORK/orders.ndjson")")
rows+=("$(measure "handoff NDJSON, 1% invalid, --jobs 1" "$NDJSON_COUNT" "$nd" "$HANDOFF" "${HC[@]}" --jobs 1 "$WORK/orders.ndjson")")
rows+=("$(measure "handoff NDJSON, 1% invalid, --jobs 1, --engine jsonschema" "$NDJSON_COUNT" "$nd" "$HANDOFF" "${HC[@]}" --jobs 1 --engine jsonschema "$WORK/orders.ndjson")")
rows+=("$(measure "handoff NDJSON, 1% invalid, --jobs $CORES" "$NDJSON_COUNT" "$nd" "$HANDOFF" "${HC[@]}" --jobs "$CORES" "$WORK/orders.ndjson")")
rows+=("$(measure "handoff NDJSON, 10% invalid, --jobs 1" "$NDJSON_COUNT" "$nd10" "$HANDOFF" "${HC[@]}" --jobs 1 "$WORK/orders-10pct.ndjson")")
rows+=("$(measure "handoff NDJSON, $((HUGE_COPIES * NDJSON_COUNT)) payloads ($((huge / 1000000)) MB), --jobs $CORES" "$((HUGE_COPIES * NDJSON_COUNT))" "$huge" "$HANDOFF" "${HC[@]}" --jobs "$CORES" "$WORK/huge.ndjson")")
rows+=("$(measure "handoff $FILES_BIG files, --jobs 1" "$FILES_BIG" "$fb" "$HANDOFF" "${HC[@]}" --jobs 1 "$WORK/files-big")")
rows+=("$(measure "handoff $FILES_BIG files, --jobs $CORES" "$FILES_BIG" "$fb" "$HANDOFF" "${HC[@]}" --jobs "$CORES" "$WORK/files-big")")
rows+=("$(measure "handoff $FILES_SMALL files, --jobs $CORES" "$FILES_SMALL" "$fs" "$HANDOFF" "${HC[@]}" --jobs "$CORES" "$WORK/files-small")")
PEER_PYTHON=${PEER_PYTHON:-python3}
if "$PEER_PYTHON" -c 'import jsonschema_rs, orjson' 2> /dev/null; then
  rows+=("$(measure "jsonschema-rs (Python) + orjson NDJSON, 1% invalid (1 core)" "$NDJSON_COUNT" "$nd" "$PEER_PYTHON" benches/peer_jsonschema_rs.py "$SCHEMA" "$WORK/orders.ndjson")")
fi
if command -v ajv > /dev/null; then
  # ajv-cli takes a glob; it validates every file and reports each invalid one.
  rows+=("$(measure "ajv-cli $FILES_BIG files" "$FILES_BIG" "$fb" ajv validate --spec=draft2020 --strict=false -c ajv-formats -s "$SCHEMA" -d "$WORK/files-big/*.json")")
fi
if command -v check-jsonschema > /dev/null; then
  rows+=("$(measure "check-jsonschema $FILES_SMALL files" "$FILES_SMALL" "$fs" bash -c "check-jsonschema --schemafile '$SCHEMA' '$WORK'/files-small/*.json")")
fi

echo "| run | payloads/s | MB/s | seconds | peak RSS (MB) |"
echo "|---|---:|---:|---:|---:|"
for row in "${rows[@]}"; do
  IFS='|' read -r name rate mbs secs rss <<< "$row"
  echo "| $name | $rate | $mbs | $secs | $rss |"
done

# Ratios the targets in docs/performance.md are stated in.
rate() { printf '%s\n' "${rows[@]}" | awk -F'|' -v n="$1" '$1 == n { print $2 }'; }
ratio() { awk -v a="$(rate "$1")" -v b="$(rate "$2")" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
echo
echo "| ratio | value |"
echo "|---|---:|"
echo "| handoff --jobs 1 / floor parse + validate | $(ratio "handoff NDJSON, 1% invalid, --jobs 1" "floor: parse + validate (1 core)") |"
echo "| handoff --jobs 1 / floor parse only | $(ratio "handoff NDJSON, 1% invalid, --jobs 1" "floor: parse only (1 core)") |"
echo "| native engine / jsonschema engine (--jobs 1) | $(ratio "handoff NDJSON, 1% invalid, --jobs 1" "handoff NDJSON, 1% invalid, --jobs 1, --engine jsonschema") |"
echo "| handoff --jobs 1 / jsonschema-rs (Python) + orjson | $(ratio "handoff NDJSON, 1% invalid, --jobs 1" "jsonschema-rs (Python) + orjson NDJSON, 1% invalid (1 core)") |"
echo "| NDJSON --jobs $CORES / --jobs 1 | $(ratio "handoff NDJSON, 1% invalid, --jobs $CORES" "handoff NDJSON, 1% invalid, --jobs 1") |"
echo "| files --jobs $CORES / --jobs 1 | $(ratio "handoff $FILES_BIG files, --jobs $CORES" "handoff $FILES_BIG files, --jobs 1") |"
echo "| 10% invalid / 1% invalid (--jobs 1) | $(ratio "handoff NDJSON, 10% invalid, --jobs 1" "handoff NDJSON, 1% invalid, --jobs 1") |"
echo "| handoff / ajv-cli, $FILES_BIG files | $(ratio "handoff $FILES_BIG files, --jobs $CORES" "ajv-cli $FILES_BIG files") |"
echo "| handoff / check-jsonschema, $FILES_SMALL files | $(ratio "handoff $FILES_SMALL files, --jobs $CORES" "check-jsonschema $FILES_SMALL files") |"
echo
echo "corpora: $WORK (kept; pass WORK=$WORK to reuse them)"
