#!/usr/bin/env bash
# The Python package beside the command line on the same payloads (benches/gen_corpus.py's ~2 KB
# orders, 1% invalid, benches/order-contract.yaml): check_many and check_arrow on one thread
# against `handoff check --jobs 1`, on every core against `--jobs N`; Polars and DuckDB reading
# the file and checking its column; Spark local[N] on 1M lines against `--jobs N` on the same file.
#
#   benches/python.sh           # the run recorded in docs/performance.md
#   QUICK=1 benches/python.sh   # 20,000 payloads, Spark on 100,000 lines
#
# The package is built and installed into target/python by crates/handoff-py/install; Spark
# needs Java (crates/handoff-py/run-tests installs it) and is left out without it, saying so.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
if [ -n "${QUICK:-}" ]; then COUNT=20000; SPARK_COPIES=5; else COUNT=100000; SPARK_COPIES=10; fi
CORES=$(nproc)
CONTRACT=benches/order-contract.yaml

echo "building the release binary and the wheel..." >&2
cargo build --release --quiet
crates/handoff-py/install
PY=target/python/bin/python
HANDOFF=target/release/handoff

gen() { [ -e "$2" ] || python3 benches/gen_corpus.py --count "$1" --invalid 0.01 --ndjson "$2"; }
gen "$COUNT" "$WORK/orders.ndjson"
spark_file="$WORK/orders-x$SPARK_COPIES.ndjson"
if [ ! -e "$spark_file" ]; then
  for _ in $(seq "$SPARK_COPIES"); do cat "$WORK/orders.ndjson"; done > "$spark_file"
fi
spark_lines=$((COUNT * SPARK_COPIES))

spark_args=()
if command -v java > /dev/null; then
  spark_args=(--spark-ndjson "$spark_file" --spark-lines "$spark_lines")
else
  echo "no Java: the Spark rows are left out" >&2
fi
rows=()
"$PY" benches/python_bench.py "$HANDOFF" "$CONTRACT" "$WORK/orders.ndjson" --runs "$RUNS" --cores "$CORES" "${spark_args[@]}" > "$WORK/python-rows"
while IFS= read -r line; do rows+=("$line"); done < "$WORK/python-rows"

echo "| run | payloads | seconds | payloads/s | invalid |"
echo "|---|---:|---:|---:|---:|"
for row in "${rows[@]}"; do
  IFS='|' read -r name n secs invalid <<< "$row"
  awk -v a="$name" -v n="$n" -v s="$secs" -v i="$invalid" 'BEGIN { printf "| %s | %d | %.3f | %.0f | %s |\n", a, n, s, n / s, i }'
done

secs() { printf '%s\n' "${rows[@]}" | awk -F'|' -v n="$1" '$1 == n { print $3 }'; }
ratio() { awk -v a="$(secs "$2")" -v b="$(secs "$1")" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
echo
echo "| throughput ratio (higher is faster) | value |"
echo "|---|---:|"
echo "| check_many jobs=1 / handoff check --jobs 1 | $(ratio "check_many, jobs=1" "handoff check --jobs 1") |"
echo "| check_arrow jobs=1 / handoff check --jobs 1 | $(ratio "check_arrow, jobs=1 (column in memory)" "handoff check --jobs 1") |"
echo "| check_arrow jobs=$CORES / handoff check --jobs $CORES | $(ratio "check_arrow, jobs=$CORES (column in memory)" "handoff check --jobs $CORES") |"
if [ ${#spark_args[@]} -gt 0 ]; then
  echo "| Spark local[$CORES] / handoff check --jobs $CORES, $spark_lines lines | $(ratio "Spark local[$CORES]: read.text + validate + count invalid, $spark_lines lines" "handoff check --jobs $CORES, $spark_lines lines") |"
fi
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
echo "corpora: $WORK (kept; pass WORK=$WORK to reuse them)"
