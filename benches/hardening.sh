#!/usr/bin/env bash
# Hardening 2 (issue 17, item 3): time and memory where they grew faster than the input,
# this build beside a reference build in the same run.
#
#   benches/hardening.sh                                  # this build only
#   REFERENCE=/path/to/older/handoff benches/hardening.sh # and an older build, side by side
#
# Cases: triage of logs with 3,000 and 30,000 distinct error codes (two rows each; each code's
# patterns were found by scanning every pattern, and the JSON report was built whole in
# memory); reconcile of one entity that 1,000,000 messages share (a placeholder key), beside
# 1,000,000 messages about 1,000,000 entities; one failing X12 purchase order of 100,000
# segments (3.6 MB; every element's source was kept to locate two findings); 1.5M tiny failing
# NDJSON records at --jobs 2 (each unit's results were held until reported).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benches/lib.sh
source benches/lib.sh

WORK=${WORK:-$(mktemp -d)}
MESSAGES=${MESSAGES:-1000000}
cargo build --release --quiet
HANDOFF=$PWD/target/release/handoff

python3 - "$WORK" "$MESSAGES" <<'PY'
import os, random, sys
work, messages = sys.argv[1], int(sys.argv[2])
rng = random.Random(1)
os.makedirs(f"{work}/triage/contracts/c", exist_ok=True)
with open(f"{work}/triage/contracts/c/1.0.0.yaml", "w") as f:
    f.write('contract: c\nversion: 1.0.0\nboundary: {from: a, to: b, transport: api}\n'
            'fields:\n  sku: {type: string, pattern: "^[A-Z]{3}$"}\n')
for n in (3000, 30000):
    path = f"{work}/triage/log-{n}.csv"
    if os.path.exists(path):
        continue
    with open(path, "w") as f:
        f.write("opened_at,error_code,payload,resolution,minutes,contract\n")
        for i in range(n * 2):
            f.write(f'2026-10-{1 + i % 28:02d}T10:00:00Z,CODE_{i % n},"{{""sku"": ""A-{i % 50}""}}",'
                    f"fix-{rng.randrange(3)},{1 + i % 9},c\n")
po = open("fixtures/edi-850-x12/valid/po-4500012345.edi").read()
segs = [s.strip() for s in po.split("~") if s.strip()]
lines = []
for i in range(50000):
    lines += [f"PO1*{i + 1}*120*CA*18.5**VP*TEE-{10000 + i % 9000}-M", "PID*F****CREW TEE MEDIUM HEATHER"]
body = segs[:9] + lines + ["CTT*50000", f"SE*{len(lines) + 9}*0001"] + segs[-3:]
open(f"{work}/big-po.edi", "w").write("~\n".join(body) + "~\n")
if not os.path.exists(f"{work}/small-failing.ndjson"):
    open(f"{work}/small.yaml", "w").write(
        "contract: small\nversion: 1.0.0\nboundary: {from: a, to: b, transport: api}\nclosed: true\n"
        "fields:\n  id: {type: integer, required: true}\n  sku: {type: string, pattern: '^[A-Z]{3}-[0-9]{4}$'}\n")
    with open(f"{work}/small-failing.ndjson", "w") as f:
        for i in range(1_500_000):
            f.write('{"id":"%d","sku":"abc-%d","x":1}\n' % (i, i))
# Two reconcile projects on the example's contracts and flow: one key for every message, and
# one key per message.
for name, key in (("one-entity", lambda i: 77777), ("many-entities", lambda i: 10000000 + i)):
    root = f"{work}/{name}"
    if os.path.exists(f"{root}/captures/portal.ndjson"):
        continue
    os.makedirs(f"{root}/captures/erp", exist_ok=True)
    os.system(f"cp -r fixtures/flows/contracts fixtures/flows/flows {root}/")
    open(f"{root}/handoff.yaml", "w").write("contracts: contracts\n")
    open(f"{root}/captures/processor.ndjson", "w").close()
    open(f"{root}/captures/erp/empty.ndjson", "w").close()
    open(f"{root}/captures/pos-returns.csv", "w").write(
        "rma_number,order_number,store_id,business_date,time,status,refund_total\n")
    with open(f"{root}/captures/portal.ndjson", "w") as f:
        for i in range(messages):
            f.write('{"event_id":"evt_%012x","rma_number":"RMA%08d","order_number":"#177777",'
                    '"status":"requested","refund_amount":null,"currency":"USD",'
                    '"updated_at":"2026-11-%02dT%02d:%02d:00Z"}\n'
                    % (i, key(i), 1 + i // 86400 % 14, i // 3600 % 24, i // 60 % 60))
PY

printf '| case | this build | '
[ -n "${REFERENCE:-}" ] && printf 'reference | '
printf '\n|---|---:|'
[ -n "${REFERENCE:-}" ] && printf -- '---:|'
printf '\n'
measure() {  # binary dir args...: "seconds s, RSS MB"
  local bin=$1 dir=$2; shift 2
  (cd "$dir" && /usr/bin/time -f "%e %M" -o "$WORK/time" "$bin" "$@" > /dev/null 2>&1) || true
  read -r s kb < <(tail -n 1 "$WORK/time")
  echo "$s s, $((kb / 1024)) MB"
}
row() {  # name dir args...
  local name=$1 dir=$2; shift 2
  printf '| %s | %s |' "$name" "$(measure "$HANDOFF" "$dir" "$@")"
  [ -n "${REFERENCE:-}" ] && printf ' %s |' "$(measure "$REFERENCE" "$dir" "$@")"
  printf '\n'
}
for n in 3000 30000; do
  row "triage, $n error codes, json" "$WORK/triage" triage "log-$n.csv" --contracts contracts \
    --map contract=contract --map opened_at=opened_at --map error_code=error_code \
    --map payload_inline=payload --map resolution=resolution --map handling_minutes=minutes --format json
done
row "reconcile, $MESSAGES messages, one entity, json" "$WORK/one-entity" reconcile --as-of 2026-11-15 --format json
row "reconcile, $MESSAGES messages, one entity, text" "$WORK/one-entity" reconcile --as-of 2026-11-15 --entity 77777
row "reconcile, $MESSAGES messages, $MESSAGES entities, json" "$WORK/many-entities" reconcile --as-of 2026-11-15 --format json --views gaps
row "X12, one failing set of 100,000 segments" "$PWD" check --contract edi-850-to-wms@^2 --quiet "$WORK/big-po.edi"
row "NDJSON, 1.5M small failing records, --jobs 2" "$PWD" check --contract "$WORK/small.yaml" --quiet --jobs 2 "$WORK/small-failing.ndjson"
