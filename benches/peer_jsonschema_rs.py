"""The Python peer of benches/compare.sh: jsonschema-rs (the Rust jsonschema crate's own Python
binding) with orjson, the fastest way to check NDJSON against a JSON Schema from Python.

    python benches/peer_jsonschema_rs.py SCHEMA.json ORDERS.ndjson

Prints "<valid> valid, <invalid> invalid". Formats are asserted, as handoff asserts them.
"""

import sys

import jsonschema_rs
import orjson


def main() -> None:
    schema_path, ndjson_path = sys.argv[1], sys.argv[2]
    with open(schema_path, "rb") as f:
        schema = orjson.loads(f.read())
    validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    valid = invalid = 0
    with open(ndjson_path, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                ok = validator.is_valid(orjson.loads(line))
            except orjson.JSONDecodeError:
                ok = False
            if ok:
                valid += 1
            else:
                invalid += 1
    print(f"{valid} valid, {invalid} invalid")


if __name__ == "__main__":
    main()
