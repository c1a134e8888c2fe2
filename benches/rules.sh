#!/usr/bin/env bash
# The cost of cross-field rules (X12/CSV issue): the same valid storefront orders checked
# against storefront-order-to-erp 1.2.0 (no cross-field rule) and 2.0.0 (the order total is
# the sum of its lines), side by side in one run.
#
#   benches/rules.sh                 # 200,000 orders
#   ORDERS=50000 benches/rules.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benches/lib.sh
source benches/lib.sh

WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
ORDERS=${ORDERS:-200000}
cargo build --release --quiet
HANDOFF=target/release/handoff

python3 - "$WORK/orders.ndjson" "$ORDERS" <<'PY'
import json, sys, uuid, random
path, count = sys.argv[1], int(sys.argv[2])
random.seed(7)
with open(path, "w") as f:
    for i in range(count):
        lines = [{"sku": f"TEE-{10000 + (i + k) % 90000}", "quantity": random.randint(1, 5),
                  "unit_price": f"{random.randint(100, 9999) / 100:.2f}"} for k in range(1 + i % 4)]
        total = sum(round(float(l["unit_price"]) * 100) * l["quantity"] for l in lines)
        f.write(json.dumps({
            "order_id": str(uuid.UUID(int=random.getrandbits(128), version=4)),
            "order_number": f"#{100000 + i}",
            "created_at": "2026-11-20T14:31:07Z",
            "currency": "USD",
            "financial_status": "paid",
            "paid_at": "2026-11-20T14:31:09Z",
            "total_price": f"{total // 100}.{total % 100:02d}",
            "customer": {"email": "dana.lee@example.com", "name": "Dana Lee"},
            "shipping_address": {"line1": "500 Howard St", "city": "San Francisco", "zip": "94105", "country": "US"},
            "line_items": lines,
        }) + "\n")
PY

printf '| contract | rules | time | payloads/s |\n|---|---|---:|---:|\n'
declare -A T
for v in 1.2.0 2.0.0; do
  T[$v]=$(best "$HANDOFF" check --quiet --jobs 1 --contract "storefront-order-to-erp@$v" "$WORK/orders.ndjson")
  rules=$([ "$v" = 2.0.0 ] && echo "sum of lines = total" || echo "none")
  printf '| storefront-order-to-erp@%s | %s | %.2f s | %s |\n' "$v" "$rules" "${T[$v]}" "$(python3 -c "print(round($ORDERS / ${T[$v]}))")"
done
echo
printf 'with the sum rule: %s of the time without\n' "$(python3 -c "print(round(${T[2.0.0]} / ${T[1.2.0]}, 2))")"
"$HANDOFF" check --quiet --jobs 1 --contract storefront-order-to-erp@2.0.0 "$WORK/orders.ndjson" | tail -1
