#!/usr/bin/env bash
# `handoff reconcile` at scale (reconcile issue): 10 million messages about 3 million returns
# across 3 boundaries (portal, processor, ERP), against `handoff check` of the same captures as
# the reference, in one run: wall time, messages per second, and peak RSS of each.
#
#   benches/reconcile.sh                         # 3,000,000 returns, about 10,000,000 messages
#   ENTITIES=300000 benches/reconcile.sh         # a quicker look
#
# The captures are the example project's contracts (fixtures/flows) with generated payloads:
# every return authorised in the portal and booked in the ERP; one in three also approved,
# refunded by the processor, credited and shown refunded (3.33 messages per return); one in a
# hundred is bent (a missing booking, a late one, or a wrong amount), so there are gaps to list.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benches/lib.sh
source benches/lib.sh

WORK=${WORK:-$(mktemp -d)}
ENTITIES=${ENTITIES:-3000000}
mkdir -p "$WORK/captures/erp" "$WORK/flows"
cargo build --release --quiet
HANDOFF=$PWD/target/release/handoff
cp -r fixtures/flows/contracts "$WORK/"

cat > "$WORK/handoff.yaml" <<'YAML'
contracts: contracts
checks:
  - contract: returns-portal-events@^1
    inputs: [captures/portal.ndjson]
  - contract: psp-refund-notifications@^1
    inputs: [captures/processor.ndjson]
  - contract: erp-return-records@^1
    inputs: [captures/erp]
YAML
# The example flow without the stores: three boundaries.
python3 - "$WORK/flows/returns.yaml" <<'PY'
import re, sys
text = open("fixtures/flows/flows/returns.yaml").read()
text = re.sub(r"\n  pos:\n(    .*\n)+", "\n", text)
text = text.replace(", pos: returned", "").replace("starts: [portal, pos]", "starts: [portal]")
text = re.sub(r"  - name: store return[^\n]*\n(    .*\n)+", "", text)
open(sys.argv[1], "w").write(text)
PY

if [ ! -s "$WORK/captures/portal.ndjson" ]; then
  python3 - "$WORK" "$ENTITIES" <<'PY'
import sys
work, n = sys.argv[1], int(sys.argv[2])
portal = open(f"{work}/captures/portal.ndjson", "w")
psp = open(f"{work}/captures/processor.ndjson", "w")
erp = open(f"{work}/captures/erp/returns.ndjson", "w")
def stamp(minute):
    day, rest = divmod(minute, 1440)
    return f"2026-11-{1 + day:02}T{rest // 60:02}:{rest % 60:02}:00Z", f"2026-11-{1 + day:02} {rest // 60:02}:{rest % 60:02}:00"
for i in range(n):
    key = 100000 + i
    # Minutes from 2026-11-01T00:00Z, late enough that the ERP's local time is still November.
    minute = 400 + (i * 7) % (12 * 1440)
    t, _ = stamp(minute)
    portal.write(f'{{"event_id":"evt_{i:012x}","rma_number":"RMA{key:08}","order_number":"#{key}","status":"authorized","refund_amount":null,"currency":"USD","updated_at":"{t}"}}\n')
    bent = i % 100
    if bent != 1:
        # ERP local time is UTC-05:00: 300 minutes behind, plus the booking delay.
        _, local = stamp(minute - 300 + (30 if bent != 2 else 200))
        erp.write(f'{{"return_authorization":"{key}","order_ref":"{key}","status":"RA_OPEN","credit_amount":null,"currency":"USD","posted_at":"{local}"}}\n')
    if i % 3 == 0:
        amount = 1000 + i % 9000
        _, local = stamp(minute - 300 + 60)
        erp.write(f'{{"return_authorization":"{key}","order_ref":"{key}","status":"REFUND_APPROVED","credit_amount":{amount / 100},"currency":"USD","posted_at":"{local}"}}\n')
        t2, _ = stamp(minute + 120)
        cents = amount if bent != 3 else amount + 100
        psp.write(f'{{"psp_reference":"P{i:015}","merchant_reference":"rma-{key:08}","event_code":"REFUND","success":"true","amount":{{"value":{cents},"currency":"USD"}},"event_date":"{t2}","reason":null}}\n')
        _, local = stamp(minute - 300 + 150)
        erp.write(f'{{"return_authorization":"{key}","order_ref":"{key}","status":"CREDITED","credit_amount":{cents / 100},"currency":"USD","posted_at":"{local}"}}\n')
        t3, _ = stamp(minute + 160)
        portal.write(f'{{"event_id":"evt_{i + n:012x}","rma_number":"RMA{key:08}","order_number":"#{key}","status":"refunded","refund_amount":"{amount // 100}.{amount % 100:02}","currency":"USD","updated_at":"{t3}"}}\n')
PY
fi
messages=$(cat "$WORK"/captures/*.ndjson "$WORK"/captures/erp/*.ndjson | wc -l)
echo "captures: $messages messages about $ENTITIES returns, $(du -sh "$WORK/captures" | cut -f1)"

cd "$WORK"
check_s=$(best "$HANDOFF" check)
reconcile_s=$(best "$HANDOFF" reconcile --flow returns --as-of 2026-11-20)
check_mb=$(rss "$HANDOFF" check)
reconcile_mb=$(rss "$HANDOFF" reconcile --flow returns --as-of 2026-11-20)
json_mb=$(rss "$HANDOFF" reconcile --flow returns --as-of 2026-11-20 --format json)
"$HANDOFF" reconcile --flow returns --as-of 2026-11-20 --limit 0 --top 0 | sed -n '1,3p;/accounted/p' || true
python3 - "$messages" "$check_s" "$reconcile_s" "$check_mb" "$reconcile_mb" "$json_mb" <<'PY'
import sys
m, cs, rs, cmb, rmb, jmb = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
print(f"{'':<34}{'seconds':>9}{'messages/s':>12}{'peak RSS MB':>13}")
print(f"{'handoff check (reference)':<34}{cs:>9.1f}{m / cs:>12,.0f}{cmb:>13}")
print(f"{'handoff reconcile':<34}{rs:>9.1f}{m / rs:>12,.0f}{rmb:>13}")
print(f"reconcile / check time: {rs / cs:.2f}; peak RSS of the JSON report (every gap listed, up to 100,000): {jmb} MB")
PY
