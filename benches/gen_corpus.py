#!/usr/bin/env python3
"""Deterministic benchmark corpus: realistic storefront orders (~2 KB each) for
benches/order-contract.yaml, a given share of them invalid in the ways real captures are.

  gen_corpus.py --count 100000 --invalid 0.01 --ndjson out.ndjson
  gen_corpus.py --count 10000 --invalid 0.01 --dir out/      # one file per payload

Python standard library only; the same arguments always give the same bytes.
"""
import argparse
import json
import os
import random
import uuid

VENDORS = ["Northwind Apparel", "Contoso Goods", "Fabrikam Home", "Tailspin Outdoor", "Wingtip Toys"]
WORDS = ["Classic", "Organic", "Cotton", "Tee", "Hoodie", "Mug", "Canvas", "Tote", "Wool", "Socks",
         "Trail", "Runner", "Linen", "Shirt", "Ceramic", "Bowl", "Denim", "Jacket", "Cap", "Bottle"]
CITIES = ["Springfield", "Portland", "Austin", "Denver", "Madison", "Burlington", "Boulder", "Eugene"]
STREETS = ["Market St", "Main St", "Oak Ave", "Pine Rd", "Maple Dr", "Cedar Ln", "Elm St"]


def money(cents):
    return "%d.%02d" % (cents // 100, cents % 100)


def order(rng, i):
    lines = []
    subtotal = 0
    for n in range(rng.randint(8, 12)):
        price = rng.randint(299, 15999)
        qty = rng.randint(1, 4)
        subtotal += price * qty
        lines.append({
            "id": 1_000_000 + i * 20 + n,
            "sku": "%s-%05d" % (rng.choice(["TEE", "MUG", "CAP", "BAG", "HDY"]), rng.randint(1000, 99999)),
            "title": " ".join(rng.choice(WORDS) for _ in range(3)),
            "quantity": qty,
            "price": money(price),
            "taxable": rng.random() < 0.9,
            "vendor": rng.choice(VENDORS),
        })
    tax = subtotal * 8 // 100
    minute, second = (i // 60) % 60, i % 60
    return {
        "order_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "order_number": "#%d" % (100000 + i),
        "created_at": "2026-11-21T%02d:%02d:%02dZ" % (i // 3600 % 24, minute, second),
        "updated_at": "2026-11-21T%02d:%02d:%02d-05:00" % (i // 3600 % 24, minute, second),
        "currency": rng.choice(["USD", "EUR", "GBP", "CAD"]),
        "financial_status": rng.choice(["paid", "paid", "paid", "pending", "partially_refunded"]),
        "fulfillment_status": rng.choice([None, "unfulfilled", "fulfilled"]),
        "total_price": money(subtotal + tax),
        "subtotal_price": money(subtotal),
        "total_tax": money(tax),
        "customer": {
            "id": 50_000 + i,
            "email": "customer.%d@example.com" % i,
            "first_name": rng.choice(["Dana", "Sam", "Alex", "Kim", "Jordan"]),
            "last_name": rng.choice(["Lee", "Garcia", "Smith", "Nguyen", "Patel"]),
            "accepts_marketing": rng.random() < 0.4,
        },
        "shipping_address": {
            "line1": "%d %s" % (rng.randint(1, 9999), rng.choice(STREETS)),
            "line2": None,
            "city": rng.choice(CITIES),
            "zip": "%05d" % rng.randint(10000, 99999),
            "country": "US",
            "phone": "+1 555-%04d" % rng.randint(0, 9999),
        },
        "line_items": lines,
        "tags": ["web", "campaign-%d" % (i % 7)],
        "note": None,
    }


FAULTS = [
    lambda o, rng: o["shipping_address"].__setitem__("zip", o["shipping_address"]["zip"] + "-1234"),
    lambda o, rng: o.__setitem__("financial_status", "chargeback"),
    lambda o, rng: o["line_items"][0].__setitem__("sku", o["line_items"][0]["sku"].lower()),
    lambda o, rng: o.__setitem__("total_price", int(o["total_price"].replace(".", ""))),
    lambda o, rng: o["customer"].pop("email"),
    lambda o, rng: o.__setitem__("created_at", o["created_at"][:-1]),
]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--invalid", type=float, default=0.01, help="share of invalid payloads (default 0.01)")
    p.add_argument("--seed", type=int, default=20261122)
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("--ndjson", help="write one NDJSON file")
    out.add_argument("--dir", help="write one JSON file per payload into this directory")
    args = p.parse_args()
    rng = random.Random(args.seed)
    every = round(1 / args.invalid) if args.invalid > 0 else 0
    if args.dir:
        os.makedirs(args.dir, exist_ok=True)
    sink = open(args.ndjson, "w") if args.ndjson else None
    for i in range(args.count):
        o = order(rng, i)
        if every and i % every == every // 2:
            FAULTS[(i // every) % len(FAULTS)](o, rng)
        text = json.dumps(o, separators=(",", ":"))
        if sink:
            sink.write(text + "\n")
        else:
            with open(os.path.join(args.dir, "order-%07d.json" % i), "w") as f:
                f.write(text)
    if sink:
        sink.close()


if __name__ == "__main__":
    main()
