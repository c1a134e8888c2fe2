#!/usr/bin/env bash
# Import of a large OpenAPI document (issue 19, item 2): time and peak memory of
# `handoff import openapi --all` over 820 component schemas, and of one central schema alone,
# this build beside a reference build in the same run.
#
#   benches/import.sh                                  # this build only
#   REFERENCE=/path/to/older/handoff benches/import.sh # and an older build, side by side
#
# The document is generated (seeded) in the shape of a payments provider's: schemas of 6 to 14
# properties (patterns, enums, nullable strings), each referring to 2 to 4 others natively, in
# `anyOf` pairs, and as nullable `allOf` references, with cycles (a schema may refer back).
# Every run is limited to 120 s and 4 GB of address space; a run over either says so.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benches/lib.sh
source benches/lib.sh

WORK=${WORK:-$(mktemp -d)}
SCHEMAS=${SCHEMAS:-820}
cargo build --release --quiet
HANDOFF=$PWD/target/release/handoff

python3 - "$WORK/spec.json" "$SCHEMAS" <<'PY'
import json, random, sys
path, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(19)
names = [f"Object{i:03d}" for i in range(n)]
schemas = {}
for i, name in enumerate(names):
    props = {}
    for p in range(rng.randrange(6, 15)):
        kind = rng.randrange(6)
        if kind == 0:
            props[f"code_{p}"] = {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"}
        elif kind == 1:
            props[f"status_{p}"] = {"type": "string", "enum": ["a", "b", "c"], "nullable": True}
        elif kind == 2:
            props[f"amount_{p}"] = {"type": "integer", "minimum": 0}
        else:
            props[f"note_{p}"] = {"type": "string", "maxLength": 200, "nullable": rng.random() < .5}
    # References: mostly forward (a DAG), some back (cycles).
    for r in range(rng.randrange(2, 5)):
        target = names[rng.randrange(n)]
        ref = {"$ref": f"#/components/schemas/{target}"}
        style = rng.randrange(4)
        if style == 0:
            props[f"ref_{r}"] = ref
        elif style == 1:
            other = names[rng.randrange(n)]
            props[f"ref_{r}"] = {"anyOf": [{"type": "string"}, ref, {"$ref": f"#/components/schemas/{other}"}]}
        elif style == 2:
            props[f"ref_{r}"] = {"nullable": True, "allOf": [ref]}
        else:
            props[f"ref_{r}"] = {"type": "array", "items": ref}
    schemas[name] = {"type": "object", "required": list(props)[:2], "properties": props}
json.dump({"openapi": "3.0.3", "info": {"title": "bench", "version": "1"}, "paths": {},
           "components": {"schemas": schemas}}, open(path, "w"))
PY
size=$(du -k "$WORK/spec.json" | cut -f1)

# Seconds and MB of one limited run, or what stopped it.
measure() {
  local start end code
  start=$(date +%s.%N)
  set +e
  (ulimit -v 4000000; timeout 120 /usr/bin/time -f "%M" -o "$WORK/rss" "$@" > /dev/null 2> "$WORK/err")
  code=$?
  set -e
  end=$(date +%s.%N)
  if [ "$code" = 124 ]; then
    echo "over 120 s"
  elif [ "$code" != 0 ] && [ "$code" != 2 ]; then
    echo "failed ($(grep -m1 -o 'memory allocation.*\|error.*' "$WORK/err" | head -c 60))"
  else
    printf '%.2f s, %d MB' "$(python3 -c "print($end - $start)")" $(( $(tail -n 1 "$WORK/rss") / 1024 ))
  fi
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); document: $SCHEMAS schemas, $size KB"
for build in "$HANDOFF" ${REFERENCE:+"$REFERENCE"}; do
  label=this; [ "$build" = "$HANDOFF" ] || label=reference
  rm -rf "$WORK/out-$label"
  if "$build" import openapi --help 2>/dev/null | grep -q -- '--all'; then
    all=$(measure "$build" import openapi "$WORK/spec.json" --all -o "$WORK/out-$label")
    written=$(find "$WORK/out-$label" -name '*.yaml' | wc -l)
    all="$all, $written contracts"
  else
    all="(no --all)"
  fi
  one=$(measure "$build" import openapi "$WORK/spec.json" --schema Object000 -o "$WORK/one-$label.yaml")
  echo "$label: --all: $all; one schema (Object000): $one"
done
