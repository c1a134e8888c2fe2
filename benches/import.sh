#!/usr/bin/env bash
# Import of a large OpenAPI document (issue 19, item 2): time and peak memory of
# `handoff import openapi --all` over 820 component schemas, and of one central schema alone,
# this build beside a reference build in the same run.
#
#   benches/import.sh                                  # this build only
#   REFERENCE=/path/to/older/handoff benches/import.sh # and an older build, side by side
#
# Two documents are generated (seeded), with schemas of 6 to 14 properties (patterns, enums,
# nullable strings), each referring to 2 to 4 others natively, in `anyOf` triples, as nullable
# `allOf` references and as arrays:
# - dense: any schema may refer to any other (cycles everywhere; each reaches nearly all);
# - grouped: 41 resources of 20 schemas, each referring forward within its resource and to 5
#   shared leaf schemas (an amount, an address...), as most APIs are organised.
# Every run is limited to 300 s and 4 GB of address space; a run over either says so.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benches/lib.sh
source benches/lib.sh

WORK=${WORK:-$(mktemp -d)}
SCHEMAS=${SCHEMAS:-820}
cargo build --release --quiet
HANDOFF=$PWD/target/release/handoff

for shape in dense grouped; do
python3 - "$WORK/$shape.json" "$SCHEMAS" "$shape" <<'PY'
import json, random, sys
path, n, shape = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(19)
def pick(i):
    if shape == "dense":
        return rng.randrange(n)
    group, place = divmod(i, 20)
    ahead = list(range(group * 20 + place + 1, min(group * 20 + 20, n)))
    return rng.choice(ahead) if ahead and rng.random() < .7 else rng.randrange(5)
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
    for r in range(0 if shape == "grouped" and i < 5 else rng.randrange(2, 5)):
        target = names[pick(i)]
        ref = {"$ref": f"#/components/schemas/{target}"}
        style = rng.randrange(4)
        if style == 0:
            props[f"ref_{r}"] = ref
        elif style == 1:
            other = names[pick(i)]
            props[f"ref_{r}"] = {"anyOf": [{"type": "string"}, ref, {"$ref": f"#/components/schemas/{other}"}]}
        elif style == 2:
            props[f"ref_{r}"] = {"nullable": True, "allOf": [ref]}
        else:
            props[f"ref_{r}"] = {"type": "array", "items": ref}
    schemas[name] = {"type": "object", "required": list(props)[:2], "properties": props}
json.dump({"openapi": "3.0.3", "info": {"title": "bench", "version": "1"}, "paths": {},
           "components": {"schemas": schemas}}, open(path, "w"))
PY
done

# Seconds and MB of one limited run, or what stopped it.
measure() {
  local start end code
  start=$(date +%s.%N)
  set +e
  (ulimit -v 4000000; timeout 300 /usr/bin/time -f "%M" -o "$WORK/rss" "$@" > /dev/null 2> "$WORK/err")
  code=$?
  set -e
  end=$(date +%s.%N)
  if [ "$code" = 124 ]; then
    echo "over 300 s"
  elif [ "$code" != 0 ] && [ "$code" != 2 ]; then
    echo "failed ($(grep -m1 -o 'memory allocation.*\|error.*' "$WORK/err" | head -c 60))"
  else
    printf '%.2f s, %d MB' "$(python3 -c "print($end - $start)")" $(( $(tail -n 1 "$WORK/rss") / 1024 ))
  fi
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); documents: $SCHEMAS schemas, dense $(du -k "$WORK/dense.json" | cut -f1) KB, grouped $(du -k "$WORK/grouped.json" | cut -f1) KB"
for build in "$HANDOFF" ${REFERENCE:+"$REFERENCE"}; do
  label=this; [ "$build" = "$HANDOFF" ] || label=reference
  for shape in dense grouped; do
    one=$(measure "$build" import openapi "$WORK/$shape.json" --schema Object005 -o "$WORK/one-$label-$shape.yaml")
    echo "$label, $shape: one schema (Object005): $one"
  done
  if "$build" import openapi --help 2>/dev/null | grep -q -- '--all'; then
    rm -rf "$WORK/out-$label"
    all=$(measure "$build" import openapi "$WORK/grouped.json" --all -o "$WORK/out-$label")
    echo "$label, grouped: --all: $all, $(find "$WORK/out-$label" -name '*.yaml' 2>/dev/null | wc -l) contracts, $(du -sk "$WORK/out-$label" 2>/dev/null | cut -f1) KB"
    for shape in dense grouped; do
      one=$(measure "$build" import openapi "$WORK/$shape.json" --all --root Object005 -o "$WORK/types-$label-$shape.yaml")
      echo "$label, $shape: --all --root Object005 (one contract, every schema a type): $one, $(du -k "$WORK/types-$label-$shape.yaml" | cut -f1) KB"
    done
  else
    echo "$label: no --all"
  fi
done
