#!/usr/bin/env python3
"""Writes log.csv: an exception log for one mechanism of `handoff triage` per error code.

SKU_BAD     one consistent violation; 9 of 10 resolved one way by 3 of 4 handlers (a standard
            resolution with a 10% minority); delivered as `delivered`, `200` and 997 `A`
NO_RULE     conforming data resolved three ways by three handlers; rejected as `rejected`, `422`
            and 997 `R` (a rejection is not a failure); one resolution has a quoted line break
TIMEOUT     conforming data that failed in transport: `failed`, `504`, `timeout`
NEW_STATUS  a status nobody mapped, resolved three ways: both
SCATTERED   a different violation each time: no consistent pattern
CUT_BODY    truncated bodies: unreadable, escalated

The file has CRLF line endings, a row with too few fields and one with too many (rejected
with their physical line numbers). Deterministic; run from anywhere.
"""

import csv
import io
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
rows = []


def p(**kw):
    return json.dumps(kw)


def good():
    return p(sku="ABC-123", status="new")


def add(code, payload, who, what, minutes, status):
    i = len(rows)
    at = f"2026-11-{2 + i % 14:02d}T{9 + i % 8:02d}:00:00Z"
    rows.append([at, code, payload, "orders@1.0.0", who, what, str(minutes), status])


for k in range(10):
    add("SKU_BAD", p(sku="abc-12%d" % k, status="new"), ["ana", "ben", "cy"][k % 3] if k < 9 else "dee",
        "uppercased the SKU" if k < 9 else "cancelled the line", 6, ["delivered", "200", "A"][k % 3])
for k in range(9):
    add("NO_RULE", good(), ["ana", "ben", "cy"][k % 3], ["refunded", "restocked", "escalated"][k % 3], 12,
        ["rejected", "422", "R"][k % 3])
for k in range(6):
    add("TIMEOUT", good(), "ops", "replayed", 3, ["failed", "504", "timeout"][k % 3])
for k in range(6):
    add("NEW_STATUS", p(sku="ABC-123", status="refunded"), ["ana", "ben", "cy"][k % 3],
        ["refunded", "ignored", "called the store"][k % 3], 9, "delivered")
for k in range(6):
    bad = [p(sku="x", status="new"), p(sku="ABC-123", status="lost"),
           p(sku="ABC-123", status="new", zip="123456789")][k % 3]
    add("SCATTERED", bad, ["ana", "ben"][k % 2], "fixed by hand", 5, "delivered")
for k in range(4):
    add("CUT_BODY", '{"sku": "ABC-1', "ops", "asked for a resend", 4, "delivered")

out = io.StringIO()
w = csv.writer(out, lineterminator="\r\n")
w.writerow(["opened_at", "error_code", "payload_inline", "contract", "handled_by", "resolution",
            "handling_minutes", "handoff_status"])
for r in rows[:20]:
    w.writerow(r)
w.writerow(["2026-11-15T10:00:00Z", "NO_RULE", good(), "orders@1.0.0", "ana", "refunded\r\nafter a call", 12, "rejected"])
w.writerow(["2026-11-05T10:00:00Z", "SHORT_ROW", good()])
w.writerow(rows[20] + ["extra"])
for r in rows[21:]:
    w.writerow(r)
with open(os.path.join(HERE, "log.csv"), "w", newline="") as f:
    f.write(out.getvalue())
