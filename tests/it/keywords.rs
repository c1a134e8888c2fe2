//! Every contract keyword, exercised through the checker: each test states a contract, payloads
//! that must pass (no false alarms), and payloads with the exact (kind, pointer) findings they
//! must produce.

use handoff_core::check::Checker;
use handoff_core::contract;
use std::path::Path;

fn checker(fields_and_more: &str) -> Checker {
    let text = format!(
        "contract: keyword-test\nversion: 1.0.0\nboundary: {{from: a, to: b, transport: queue}}\n{fields_and_more}"
    );
    let loaded = contract::parse(Path::new("keyword-test.yaml"), &text);
    let errors: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect();
    assert!(
        errors.is_empty(),
        "contract does not load:\n{}",
        errors.join("\n")
    );
    Checker::new(loaded.contract.unwrap()).expect("compiles")
}

fn findings(checker: &Checker, payload: &str) -> Vec<(String, String)> {
    checker
        .check(payload.as_bytes())
        .into_iter()
        .map(|f| (f.kind.id().to_string(), f.pointer))
        .collect()
}

fn expect(checker: &Checker, payload: &str, expected: &[(&str, &str)]) {
    let got = findings(checker, payload);
    let want: Vec<(String, String)> = expected
        .iter()
        .map(|(k, p)| (k.to_string(), p.to_string()))
        .collect();
    assert_eq!(got, want, "payload: {payload}");
}

fn passes(checker: &Checker, payload: &str) {
    expect(checker, payload, &[]);
}

#[test]
fn required_and_nullable_are_separate() {
    let c = checker(
        "fields:\n  a: {type: string, required: true}\n  b: {type: string, required: true, nullable: true}\n  c: {type: string, nullable: true}\n  d: {type: string}\n",
    );
    passes(&c, r#"{"a": "x", "b": null}"#);
    passes(&c, r#"{"a": "x", "b": "y", "c": null, "d": "z"}"#);
    expect(&c, r#"{"b": "y"}"#, &[("missing_required", "/a")]);
    expect(
        &c,
        r#"{"a": null, "b": null, "d": null}"#,
        &[("null_not_allowed", "/a"), ("null_not_allowed", "/d")],
    );
    expect(&c, r#"{"a": "x"}"#, &[("missing_required", "/b")]);
}

#[test]
fn types() {
    let c = checker(
        "fields:\n  s: {type: string}\n  i: {type: integer}\n  n: {type: number}\n  b: {type: boolean}\n  o: {type: object}\n  a: {type: array}\n",
    );
    passes(
        &c,
        r#"{"s": "x", "i": 3, "n": 2.5, "b": false, "o": {}, "a": []}"#,
    );
    passes(&c, r#"{"i": 3.0, "n": 3}"#);
    expect(
        &c,
        r#"{"s": 1, "i": 2.5, "n": "2.5", "b": "true", "o": [], "a": {}}"#,
        &[
            ("wrong_type", "/s"),
            ("wrong_type", "/i"),
            ("wrong_type", "/n"),
            ("wrong_type", "/b"),
            ("wrong_type", "/o"),
            ("wrong_type", "/a"),
        ],
    );
}

#[test]
fn a_container_of_the_wrong_type_is_reported_once() {
    let c = checker(
        "fields:\n  customer:\n    type: object\n    fields:\n      email: {type: string, required: true, format: email}\n  lines:\n    type: array\n    min_items: 1\n    items: {type: object, fields: {sku: {type: string, required: true}}}\n",
    );
    expect(
        &c,
        r#"{"customer": "dana@example.com", "lines": {"sku": "A"}}"#,
        &[("wrong_type", "/customer"), ("wrong_type", "/lines")],
    );
    expect(
        &c,
        r#"{"customer": {"email": 5}}"#,
        &[("wrong_type", "/customer/email")],
    );
}

#[test]
fn enum_as_list_and_as_mapping_with_meanings() {
    let c = checker(
        "fields:\n  status: {type: string, enum: [open, closed]}\n  code:\n    type: integer\n    enum: {10: created, 20: shipped}\n",
    );
    passes(&c, r#"{"status": "open", "code": 20}"#);
    expect(
        &c,
        r#"{"status": "OPEN", "code": 30}"#,
        &[
            ("unknown_enum_value", "/status"),
            ("unknown_enum_value", "/code"),
        ],
    );
}

#[test]
fn nullable_enum_accepts_null() {
    let c = checker("fields:\n  reason: {type: string, enum: [a, b], nullable: true}\n");
    passes(&c, r#"{"reason": null}"#);
    expect(
        &c,
        r#"{"reason": "c"}"#,
        &[("unknown_enum_value", "/reason")],
    );
}

#[test]
fn pattern_and_lengths_count_code_points_and_bytes_separately() {
    let c = checker(
        "fields:\n  code: {type: string, pattern: '^[A-Z]{2}[0-9]+$', min_length: 3, max_length: 5}\n  name: {type: string, max_length: 4, max_bytes: 5}\n",
    );
    passes(&c, r#"{"code": "AB12", "name": "Zoë"}"#);
    expect(
        &c,
        r#"{"code": "AB"}"#,
        &[
            ("pattern_mismatch", "/code"),
            ("min_length_not_met", "/code"),
        ],
    );
    expect(
        &c,
        r#"{"code": "AB1234"}"#,
        &[("max_length_exceeded", "/code")],
    );
    expect(
        &c,
        r#"{"name": "Zoëë"}"#,
        &[("max_bytes_exceeded", "/name")],
    );
    expect(
        &c,
        r#"{"name": "Zoëëë"}"#,
        &[
            ("max_length_exceeded", "/name"),
            ("max_bytes_exceeded", "/name"),
        ],
    );
}

#[test]
fn built_in_formats() {
    let c = checker(
        "fields:\n  dt: {type: string, format: date-time}\n  d: {type: string, format: date}\n  t: {type: string, format: time}\n  e: {type: string, format: email}\n  u: {type: string, format: uri}\n  id: {type: string, format: uuid}\n  cur: {type: string, format: currency}\n  cty: {type: string, format: country}\n",
    );
    passes(
        &c,
        r#"{"dt": "2024-02-29T23:59:59.5+05:30", "d": "2024-02-29", "t": "08:30:00Z", "e": "a.b@example.co.uk", "u": "https://example.com/x?y=1", "id": "3f2b8c1e-5d4a-4f6b-9c7d-2e1a0b9c8d7e", "cur": "JPY", "cty": "DE"}"#,
    );
    expect(
        &c,
        r#"{"dt": "2024-02-29T23:59:59", "d": "2023-02-29", "t": "25:00:00Z", "e": "nobody", "u": "not a uri", "id": "3f2b8c1e", "cur": "XYZ", "cty": "XX"}"#,
        &[
            ("date_format", "/dt"),
            ("date_format", "/d"),
            ("date_format", "/t"),
            ("format_mismatch", "/e"),
            ("format_mismatch", "/u"),
            ("format_mismatch", "/id"),
            ("format_mismatch", "/cur"),
            ("format_mismatch", "/cty"),
        ],
    );
}

#[test]
fn code_formats_take_the_case_the_contract_says() {
    let c = checker(
        "formats:\n  psp_currency: {format: currency, case: lower}\nfields:\n  up: {type: string, format: currency}\n  low: {type: string, format: currency, case: lower}\n  any: {type: string, format: currency, case: any}\n  named: {type: string, format: psp_currency}\n  cty: {type: string, format: country, case: lower}\n",
    );
    passes(
        &c,
        r#"{"up": "USD", "low": "usd", "any": "Usd", "named": "eur", "cty": "gb"}"#,
    );
    passes(&c, r#"{"any": "USD"}"#);
    passes(&c, r#"{"any": "usd"}"#);
    // The wrong case, and codes no case makes real.
    expect(
        &c,
        r#"{"up": "usd", "low": "USD", "any": "xyz", "named": "EUR", "cty": "GB"}"#,
        &[
            ("format_mismatch", "/up"),
            ("format_mismatch", "/low"),
            ("format_mismatch", "/any"),
            ("format_mismatch", "/named"),
            ("format_mismatch", "/cty"),
        ],
    );
    expect(
        &c,
        r#"{"low": "xyz", "cty": "uk"}"#,
        &[("format_mismatch", "/low"), ("format_mismatch", "/cty")],
    );
    let found = c.check(br#"{"low": "USD", "cty": "uk", "up": "usd"}"#);
    let says: Vec<(&str, Option<&str>)> = found
        .iter()
        .map(|f| (f.expected.as_str(), f.suggestion.as_deref()))
        .collect();
    assert_eq!(
        says,
        [
            (
                "an ISO 4217 currency code in lower case, such as usd or eur",
                Some("did you mean \"usd\"? this field's codes are lower case")
            ),
            (
                "an ISO 3166-1 alpha-2 country code in lower case, such as us or gb",
                Some("\"uk\" is not an ISO 3166-1 code; the code for this country is \"gb\"")
            ),
            (
                "an ISO 4217 currency code, such as USD or EUR",
                Some("did you mean \"USD\"? codes are upper case")
            ),
        ]
    );
}

#[test]
fn strftime_patterns_check_real_dates() {
    let c = checker(
        "fields:\n  d: {type: string, format: '%Y%m%d'}\n  y: {type: string, format: '%y%m%d'}\n  hm: {type: string, format: '%H%M'}\n",
    );
    passes(&c, r#"{"d": "20240229", "y": "240229", "hm": "0000"}"#);
    expect(
        &c,
        r#"{"d": "20240231", "y": "230229", "hm": "2400"}"#,
        &[
            ("date_format", "/d"),
            ("date_format", "/y"),
            ("date_format", "/hm"),
        ],
    );
}

#[test]
fn named_formats_carry_type_and_constraints() {
    let c = checker(
        "formats:\n  money: {type: string, decimal: {exactly: 2}}\n  zip5: {type: string, pattern: '^[0-9]{5}$'}\nfields:\n  total: {format: money}\n  zip: {format: zip5, nullable: true}\n",
    );
    passes(&c, r#"{"total": "10.50", "zip": null}"#);
    passes(&c, r#"{"total": "-0.01", "zip": "02139"}"#);
    expect(
        &c,
        r#"{"total": 10.5, "zip": 2139}"#,
        &[("wrong_type", "/total"), ("wrong_type", "/zip")],
    );
    expect(
        &c,
        r#"{"total": "10.5", "zip": "2139"}"#,
        &[
            ("decimal_precision", "/total"),
            ("pattern_mismatch", "/zip"),
        ],
    );
}

#[test]
fn decimal_exactly_and_at_most() {
    let c = checker(
        "fields:\n  price: {type: string, decimal: {exactly: 2}}\n  rate: {type: number, decimal: {at_most: 4}}\n  qty: {type: number, decimal: 0}\n",
    );
    passes(&c, r#"{"price": "0.00", "rate": 0.1234, "qty": 3}"#);
    passes(&c, r#"{"rate": 1, "qty": 3.0}"#);
    expect(
        &c,
        r#"{"price": "1.999", "rate": 0.12345, "qty": 2.5}"#,
        &[
            ("decimal_precision", "/price"),
            ("decimal_precision", "/rate"),
            ("decimal_precision", "/qty"),
        ],
    );
    expect(
        &c,
        r#"{"price": "$1.99"}"#,
        &[("decimal_precision", "/price")],
    );
}

#[test]
fn ranges_inclusive_and_exclusive() {
    let c = checker(
        "fields:\n  q: {type: integer, minimum: 1, maximum: 10}\n  r: {type: number, exclusive_minimum: 0, exclusive_maximum: 1}\n",
    );
    passes(&c, r#"{"q": 1, "r": 0.5}"#);
    passes(&c, r#"{"q": 10}"#);
    expect(
        &c,
        r#"{"q": 0, "r": 1}"#,
        &[("out_of_range", "/q"), ("out_of_range", "/r")],
    );
    expect(
        &c,
        r#"{"q": 11, "r": 0}"#,
        &[("out_of_range", "/q"), ("out_of_range", "/r")],
    );
}

#[test]
fn arrays_items_counts_and_uniqueness() {
    let c = checker(
        "fields:\n  lines:\n    type: array\n    min_items: 1\n    max_items: 3\n    unique_items: true\n    items:\n      type: object\n      fields:\n        sku: {type: string, required: true, pattern: '^[A-Z]+$'}\n",
    );
    passes(&c, r#"{"lines": [{"sku": "A"}, {"sku": "B"}]}"#);
    expect(&c, r#"{"lines": []}"#, &[("min_items_not_met", "/lines")]);
    expect(
        &c,
        r#"{"lines": [{"sku": "A"}, {"sku": "b"}, {}, {"sku": "A"}]}"#,
        &[
            ("max_items_exceeded", "/lines"),
            ("duplicate_items", "/lines"),
            ("pattern_mismatch", "/lines/1/sku"),
            ("missing_required", "/lines/2/sku"),
        ],
    );
}

#[test]
fn closed_defaults_and_per_object_overrides() {
    let c = checker(
        "closed: true\nfields:\n  id: {type: string}\n  meta:\n    type: object\n    closed: false\n    fields:\n      source: {type: string}\n  customer:\n    type: object\n    fields:\n      email: {type: string}\n",
    );
    passes(
        &c,
        r#"{"id": "1", "meta": {"source": "web", "anything": 1}, "customer": {"email": "e"}}"#,
    );
    expect(
        &c,
        r#"{"id": "1", "extra": 1, "meta": {"x": 1}, "customer": {"email": "e", "phone": "1"}}"#,
        &[
            ("unknown_field", "/extra"),
            ("unknown_field", "/customer/phone"),
        ],
    );
    let open = checker("fields:\n  id: {type: string}\n");
    passes(&open, r#"{"id": "1", "extra": true}"#);
}

#[test]
fn rules_with_equals_in_and_present() {
    let c = checker(
        "fields:\n  status: {type: string}\n  tracking: {type: string}\n  carrier: {type: string}\n  note: {type: string}\n  customer: {type: object, fields: {email: {type: string}}}\nrules:\n  - when: {field: /status, equals: shipped}\n    then: {required: [/tracking, /carrier]}\n  - when: {field: /status, in: [cancelled, refunded]}\n    then: {forbidden: [/tracking]}\n  - when: {field: /note, present: true}\n    then: {required: [/customer/email]}\n",
    );
    passes(&c, r#"{"status": "open"}"#);
    passes(
        &c,
        r#"{"status": "shipped", "tracking": "1Z", "carrier": "UPS"}"#,
    );
    expect(
        &c,
        r#"{"status": "shipped", "tracking": "1Z"}"#,
        &[("rule_violated", "/carrier")],
    );
    expect(
        &c,
        r#"{"status": "refunded", "tracking": "1Z"}"#,
        &[("rule_violated", "/tracking")],
    );
    // The first absent member on the way is what is missing.
    expect(
        &c,
        r#"{"note": "leave at door"}"#,
        &[("rule_violated", "/customer")],
    );
    expect(
        &c,
        r#"{"note": "x", "customer": {}}"#,
        &[("rule_violated", "/customer/email")],
    );
}

#[test]
fn rules_can_constrain_other_fields() {
    let c = checker(
        "fields:\n  country: {type: string}\n  zip: {type: string}\nrules:\n  - when: {field: /country, equals: US}\n    then:\n      fields:\n        /zip: {pattern: '^[0-9]{5}$'}\n",
    );
    passes(&c, r#"{"country": "US", "zip": "94103"}"#);
    passes(&c, r#"{"country": "GB", "zip": "SW1A 1AA"}"#);
    expect(
        &c,
        r#"{"country": "US", "zip": "94103-1234"}"#,
        &[("rule_violated", "/zip")],
    );
}

#[test]
fn rules_inside_array_items_apply_per_item() {
    let c = checker(
        "fields:\n  lines:\n    type: array\n    items:\n      type: object\n      fields:\n        status: {type: string}\n        tracking: {type: string}\n      rules:\n        - when: {field: /status, equals: shipped}\n          then: {required: [/tracking]}\n",
    );
    passes(
        &c,
        r#"{"lines": [{"status": "shipped", "tracking": "1Z"}, {"status": "open"}]}"#,
    );
    expect(
        &c,
        r#"{"lines": [{"status": "open"}, {"status": "shipped"}]}"#,
        &[("rule_violated", "/lines/1/tracking")],
    );
}

#[test]
fn raw_schema_fragment_is_the_escape_hatch() {
    let c = checker(
        "fields:\n  case_pack:\n    type: integer\n    schema: {multipleOf: 6}\n  tags:\n    type: array\n    schema: {contains: {const: web}}\n",
    );
    passes(&c, r#"{"case_pack": 12, "tags": ["web", "b"]}"#);
    expect(
        &c,
        r#"{"case_pack": 8, "tags": ["b"]}"#,
        &[
            ("schema_violated", "/case_pack"),
            ("schema_violated", "/tags"),
        ],
    );
}

#[test]
fn annotations_do_not_constrain() {
    let c = checker(
        "fields:\n  old_id:\n    type: string\n    deprecated: use order_id\n    description: legacy identifier\n    example: A-1\n  flag: {type: boolean, deprecated: true}\n",
    );
    passes(&c, r#"{"old_id": "anything", "flag": true}"#);
}

#[test]
fn every_fault_in_a_payload_is_reported() {
    let c = checker(
        "closed: true\nfields:\n  a: {type: string, required: true}\n  b: {type: integer, minimum: 0}\n  c: {type: string, enum: [x]}\n",
    );
    expect(
        &c,
        r#"{"b": -1, "c": "y", "d": 1}"#,
        &[
            ("missing_required", "/a"),
            ("out_of_range", "/b"),
            ("unknown_enum_value", "/c"),
            ("unknown_field", "/d"),
        ],
    );
}

#[test]
fn members_with_slashes_and_tildes_get_escaped_pointers() {
    let c = checker(
        "closed: true\nfields:\n  \"a/b\": {type: string, required: true}\n  \"c~d\": {type: integer}\n",
    );
    passes(&c, r#"{"a/b": "x"}"#);
    expect(
        &c,
        r#"{"c~d": "1", "e/f": 1}"#,
        &[
            ("missing_required", "/a~1b"),
            ("wrong_type", "/c~0d"),
            ("unknown_field", "/e~1f"),
        ],
    );
}

/// The diagnostics (code and message) a contract text produces.
fn diagnostics(fields_and_more: &str) -> Vec<String> {
    let text = format!(
        "contract: keyword-test\nversion: 1.0.0\nboundary: {{from: a, to: b, transport: queue}}\n{fields_and_more}"
    );
    contract::parse(Path::new("keyword-test.yaml"), &text)
        .diagnostics
        .iter()
        .map(|d| {
            let help = d
                .help
                .as_deref()
                .map_or(String::new(), |h| format!(" ({h})"));
            format!("{}: {}{help}", d.code.id(), d.message)
        })
        .collect()
}

#[test]
fn equals_compares_numbers_by_value_and_strings_exactly() {
    let c = checker(
        "fields:\n  currency: {type: string}\n  total: {type: number}\n  lines:\n    type: array\n    items:\n      type: object\n      fields:\n        currency: {type: string}\n        total: {type: number}\nrules:\n  - equals: [/currency, /lines/*/currency]\n  - equals: [/total, /lines/*/total]\n",
    );
    expect(
        &c,
        r#"{"currency": "USD", "total": 10.5, "lines": [{"currency": "USD", "total": 10.50}]}"#,
        &[],
    );
    expect(
        &c,
        r#"{"currency": "USD", "lines": [{"currency": "usd"}, {"currency": "USD"}]}"#,
        &[("values_differ", "/lines/0/currency")],
    );
    // Absent and null values are the field checks' business: the rule adds nothing.
    expect(
        &c,
        r#"{"lines": [{"currency": "USD"}, {"currency": null}]}"#,
        &[("null_not_allowed", "/lines/1/currency")],
    );
}

#[test]
fn count_counts_items_with_or_without_a_star() {
    let c = checker(
        "fields:\n  n: {type: integer}\n  m: {type: string}\n  items: {type: array, items: {type: object}}\nrules:\n  - count: /items/*\n    equals: /n\n  - count: /items\n    equals: /m\n",
    );
    expect(&c, r#"{"n": 2, "m": "2", "items": [{}, {}]}"#, &[]);
    expect(
        &c,
        r#"{"n": 3, "m": "1", "items": [{}, {}]}"#,
        &[("count_mismatch", "/n"), ("count_mismatch", "/m")],
    );
    expect(&c, r#"{"n": 0, "items": []}"#, &[]);
}

#[test]
fn sum_is_exact_and_tolerance_is_inclusive() {
    let c = checker(
        "fields:\n  total: {type: string}\n  tax: {type: string}\n  lines:\n    type: array\n    items:\n      type: object\n      fields:\n        price: {type: string}\n        qty: {type: integer}\nrules:\n  - sum: [/lines/*/price * /lines/*/qty, /tax]\n    equals: /total\n    tolerance: 0.01\n",
    );
    expect(
        &c,
        r#"{"total": "20.00", "tax": "0.01", "lines": [{"price": "19.99", "qty": 1}]}"#,
        &[],
    );
    expect(
        &c,
        r#"{"total": "20.01", "tax": "0.01", "lines": [{"price": "19.99", "qty": 1}]}"#,
        &[],
    );
    expect(
        &c,
        r#"{"total": "20.02", "tax": "0.01", "lines": [{"price": "19.99", "qty": 1}]}"#,
        &[("sum_mismatch", "/total")],
    );
    // A term that is not a number is left to the field checks: no second finding.
    expect(
        &c,
        r#"{"total": "20.00", "tax": "n/a", "lines": [{"price": "19.99", "qty": 1}]}"#,
        &[],
    );
}

#[test]
fn compare_orders_numbers_dates_and_instants() {
    let c = checker(
        "fields:\n  refund: {type: string}\n  captured: {type: string}\n  ship_by: {type: string}\n  ordered: {type: string}\nrules:\n  - compare: [/refund, '<=', /captured]\n  - compare: [/ship_by, '>', /ordered]\n",
    );
    expect(
        &c,
        r#"{"refund": "9.5", "captured": "10.00", "ship_by": "2026-12-01", "ordered": "2026-11-30"}"#,
        &[],
    );
    expect(
        &c,
        r#"{"refund": "10.01", "captured": "10.00", "ship_by": "2026-11-30", "ordered": "2026-11-30"}"#,
        &[
            ("comparison_failed", "/refund"),
            ("comparison_failed", "/ship_by"),
        ],
    );
}

#[test]
fn rules_on_array_items_apply_to_each_item() {
    let c = checker(
        "fields:\n  lines:\n    type: array\n    items:\n      type: object\n      fields:\n        qty: {type: integer}\n        shipped: {type: integer}\n        serials: {type: array, items: {type: string}}\n      rules:\n        - compare: [/shipped, '<=', /qty]\n        - unique: /serials/*\n",
    );
    expect(
        &c,
        r#"{"lines": [{"qty": 2, "shipped": 2, "serials": ["a", "b"]}, {"qty": 1, "shipped": 0}]}"#,
        &[],
    );
    expect(
        &c,
        r#"{"lines": [{"qty": 2, "shipped": 3, "serials": ["a", "a"]}, {"qty": 1, "shipped": 1, "serials": ["a"]}]}"#,
        &[
            ("comparison_failed", "/lines/0/shipped"),
            ("duplicate_value", "/lines/0/serials/1"),
        ],
    );
}

#[test]
fn cross_field_rules_are_checked_against_the_contract_when_loaded() {
    let fields = "fields:\n  total: {type: string}\n  lines: {type: array, items: {type: object, fields: {price: {type: string}}}}\n";
    assert_eq!(
        diagnostics(&format!(
            "{fields}rules:\n  - sum: [/lines/*/prize]\n    equals: /total\n"
        )),
        [
            "unknown-rule-field: the rule refers to `/lines/*/prize`, but `/lines/*` declares no field `prize` (did you mean `price`?)"
        ]
    );
    assert_eq!(
        diagnostics(&format!("{fields}rules:\n  - unique: /lines/price\n")),
        [
            "unknown-rule-field: the rule refers to `/lines/price`, but `/lines` declares no field `price` (`/lines` is an array: step into its items with `*`)"
        ]
    );
    assert_eq!(
        diagnostics(&format!(
            "{fields}rules:\n  - compare: [/total, '=', /lines/*/price]\n"
        )),
        [
            "invalid-value: `=` is not a comparison; use one of <, <=, >, >= (for equality, write an `equals` rule)"
        ]
    );
    assert_eq!(
        diagnostics(&format!(
            "{fields}rules:\n  - unique: /lines/*/price\n    tolerance: 1\n"
        )),
        [
            "keyword-not-for-type: `tolerance` applies to `sum` rules only (remove it, or make the rule a `sum`)"
        ]
    );
    assert_eq!(
        diagnostics(&format!(
            "{fields}rules:\n  - count: /lines/*\n    sum: [/total]\n    equals: /total\n"
        )),
        ["invalid-value: a rule checks one thing; this one says `count` and `sum`"]
    );
    assert_eq!(
        diagnostics(&format!(
            "{fields}rules:\n  - sum: [/lines/*/price]\n    equals: /lines/*/price\n"
        )),
        [
            "invalid-value: the `sum` is compared with one value; `/lines/*/price` steps into every item"
        ]
    );
}

#[test]
fn a_money_string_that_is_no_number_is_one_finding() {
    let c = checker(
        "formats:\n  money: {type: string, pattern: '^-?[0-9]+[.][0-9]{2}$', decimal: {exactly: 2}, example: '12.50'}\nfields:\n  price: {format: money}\n",
    );
    expect(
        &c,
        r#"{"price": "$19.99"}"#,
        &[("decimal_precision", "/price")],
    );
    let f = &c.check(br#"{"price": "$19.99"}"#)[0];
    assert_eq!(f.message, "\"$19.99\" is not a decimal number");
    assert_eq!(f.suggestion.as_deref(), Some("for example \"12.50\""));
    // A number with the wrong places is still both: the pattern and the places say different things.
    expect(
        &c,
        r#"{"price": "19.9"}"#,
        &[
            ("pattern_mismatch", "/price"),
            ("decimal_precision", "/price"),
        ],
    );
}

#[test]
fn date_patterns_speak_of_times_and_work_inside_schema_fragments() {
    let c = checker(
        "fields:\n  at: {type: string, format: '%H%M'}\n  on: {type: string, schema: {format: '%Y%m%d'}}\n",
    );
    let found = c.check(br#"{"at": "2460", "on": "20261131"}"#);
    assert_eq!(
        found[0].message,
        "\"2460\" is not a valid %H%M time: the hour is 24, outside 0..=23"
    );
    assert_eq!(found[0].expected, "a real time in the form %H%M");
    assert_eq!(found[1].kind.id(), "date_format");
    assert_eq!(
        found[1].message,
        "\"20261131\" is not a valid %Y%m%d date: November 2026 has no day 31"
    );
    expect(&c, r#"{"at": "2359", "on": "20261130"}"#, &[]);
}

#[test]
fn yaml_anchors_aliases_and_merge_keys_reuse_a_shape() {
    let c = checker(
        "fields:\n  ship_to: &address\n    type: object\n    fields:\n      line1: {type: string, max_length: &len 35}\n      zip: {type: string, pattern: '^[0-9]{5}$'}\n  bill_to: *address\n  pickup:\n    <<: *address\n    required: true\n  note: {type: &text string, max_length: *len}\n  memo: {type: *text}\n",
    );
    expect(
        &c,
        r#"{"ship_to": {"zip": "12345"}, "bill_to": {"zip": "1234"}, "pickup": {"zip": "x"}, "note": 5, "memo": "ok"}"#,
        &[
            ("pattern_mismatch", "/bill_to/zip"),
            ("pattern_mismatch", "/pickup/zip"),
            ("wrong_type", "/note"),
        ],
    );
    expect(&c, r#"{}"#, &[("missing_required", "/pickup")]);
    // An alias bomb stops at the parser's budget with a sentence, not a hang.
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let found = diagnostics(&format!("{bomb}fields: {{x: {{type: string}}}}\n"));
    assert!(
        found[0]
            .starts_with("yaml-syntax: the document is too large once its aliases are expanded"),
        "{found:?}"
    );
}

#[test]
fn values_check_the_members_a_map_does_not_declare() {
    let c = checker(
        "closed: true\nfields:\n  order_id: {type: string}\n  metadata:\n    fields:\n      order_id: {type: string, pattern: '^[0-9]+$'}\n    values: {type: string, max_length: 10}\n",
    );
    passes(
        &c,
        r#"{"order_id": "A", "metadata": {"order_id": "12", "note": "short"}}"#,
    );
    expect(
        &c,
        r#"{"order_id": "A", "metadata": {"order_id": "x", "note": "a long note here", "n": 5}, "extra": 1}"#,
        &[
            ("pattern_mismatch", "/metadata/order_id"),
            ("max_length_exceeded", "/metadata/note"),
            ("wrong_type", "/metadata/n"),
            ("unknown_field", "/extra"),
        ],
    );
    assert_eq!(
        diagnostics("fields:\n  m:\n    closed: true\n    values: {type: string}\n"),
        [
            "invalid-value: `closed: true` says no other members, and `values` says what other members hold (keep `values` (members not in `fields` must match it), or `closed` (there are none))"
        ]
    );
}

#[test]
fn keys_check_every_member_name_at_its_member() {
    let c = checker(
        "fields:\n  metadata:\n    keys: {pattern: '^[a-z_]+$', max_length: 12}\n    values: {type: string}\n",
    );
    passes(&c, r#"{"metadata": {"gift_note": "x"}}"#);
    expect(
        &c,
        r#"{"metadata": {"Bad-Key": "y", "a_very_long_name": "z"}}"#,
        &[
            ("pattern_mismatch", "/metadata/Bad-Key"),
            ("max_length_exceeded", "/metadata/a_very_long_name"),
        ],
    );
    let f = &c.check(br#"{"metadata": {"Bad-Key": "y"}}"#)[0];
    assert_eq!(
        f.message,
        "member name \"Bad-Key\" does not match the pattern"
    );
    assert_eq!(f.value.as_deref(), Some("\"Bad-Key\""));
    assert_eq!(f.position.as_ref().map(|p| p.column), Some(15));
}

#[test]
fn declared_types_are_used_by_name_with_the_uses_own_keys() {
    let c = checker(
        "types:\n  address:\n    type: object\n    fields:\n      line1: {type: string, max_length: 35, required: true}\n      zip: {type: string, pattern: '^[0-9]{5}$'}\nfields:\n  ship_to: {type: address, required: true}\n  bill_to: {type: address}\n  stops: {type: array, items: {type: address}}\n",
    );
    passes(&c, r#"{"ship_to": {"line1": "1 Main St"}, "stops": []}"#);
    expect(
        &c,
        r#"{"bill_to": {"zip": "1"}, "stops": [{"line1": "x", "zip": "123"}]}"#,
        &[
            ("missing_required", "/ship_to"),
            ("missing_required", "/bill_to/line1"),
            ("pattern_mismatch", "/bill_to/zip"),
            ("pattern_mismatch", "/stops/0/zip"),
        ],
    );
    // A type inside itself is a tree: checked at every depth.
    let tree = checker(
        "closed: true\ntypes:\n  node:\n    type: object\n    fields:\n      v: {type: integer, required: true}\n      next: {type: node, nullable: true}\n      kids: {type: array, items: {type: node}}\nfields:\n  head: {type: node}\n",
    );
    passes(
        &tree,
        r#"{"head": {"v": 1, "next": {"v": 2, "next": null}, "kids": [{"v": 3, "kids": []}]}}"#,
    );
    expect(
        &tree,
        r#"{"head": {"v": 1, "next": {"v": "2", "next": {"x": 1, "v": 3}}, "kids": [{"kids": [{"v": 4}]}]}}"#,
        &[
            ("wrong_type", "/head/next/v"),
            ("unknown_field", "/head/next/next/x"),
            ("missing_required", "/head/kids/0/v"),
        ],
    );
    assert_eq!(
        diagnostics(
            "types:\n  node:\n    type: object\n    fields:\n      next: {type: node, max_length: 3}\nfields:\n  head: {type: node}\n"
        ),
        [
            "invalid-value: `max_length` cannot narrow a recursive use of type `node`; only required, nullable and description can"
        ]
    );
    assert_eq!(
        diagnostics("types:\n  address: {type: object}\nfields:\n  a: {type: adress}\n"),
        ["invalid-value: unknown type `adress` (did you mean `address`?)"]
    );
}

#[test]
fn a_union_checks_only_the_case_its_discriminator_picks() {
    let c = checker(
        "closed: true\ntypes:\n  charge:\n    type: object\n    fields:\n      type: {type: string, required: true}\n      amount: {type: integer, minimum: 1, required: true}\n  refund:\n    type: object\n    fields:\n      type: {type: string, required: true}\n      refund_id: {type: string, pattern: '^re_[a-z0-9]+$', required: true}\n      amount: {type: integer, minimum: 1}\none_of:\n  discriminator: type\n  cases:\n    charge.succeeded: charge\n    charge.refunded: refund\nfields: {}\n",
    );
    passes(&c, r#"{"type": "charge.succeeded", "amount": 100}"#);
    passes(&c, r#"{"type": "charge.refunded", "refund_id": "re_1"}"#);
    expect(
        &c,
        r#"{"type": "charge.refunded", "refund_id": "x", "amount": 0}"#,
        &[
            ("pattern_mismatch", "/refund_id"),
            ("out_of_range", "/amount"),
        ],
    );
    let found = c.check(br#"{"type": "charge.refunded", "refund_id": "x"}"#);
    assert_eq!(
        found[0].message,
        "\"x\" does not match the pattern (case `charge.refunded`: type `refund`)"
    );
    // The contract line is the chosen case's, not the first case that has the member.
    let amount = &c.check(br#"{"type": "charge.refunded", "refund_id": "re_1", "amount": 0}"#)[0];
    assert_eq!(amount.contract_location.as_ref().map(|l| l.line), Some(16));
    expect(
        &c,
        r#"{"type": "charge.disputed"}"#,
        &[("unknown_enum_value", "/type")],
    );
    expect(&c, r#"{"amount": 5}"#, &[("missing_required", "/type")]);
    assert_eq!(
        diagnostics(
            "types:\n  a: {type: object, fields: {k: {type: string}}}\none_of:\n  discriminator: k\n  cases: {x: b}\nfields: {}\n"
        ),
        ["invalid-value: case `x` names `b`, which is not declared under `types:`"]
    );
}

#[test]
fn a_type_list_accepts_any_of_its_types() {
    let c = checker(
        "fields:\n  code: {type: [string, integer], nullable: true}\n  one: {type: [number]}\n",
    );
    passes(&c, r#"{"code": "01", "one": 1.5}"#);
    passes(&c, r#"{"code": 1}"#);
    passes(&c, r#"{"code": null}"#);
    expect(
        &c,
        r#"{"code": true, "one": "x"}"#,
        &[("wrong_type", "/code"), ("wrong_type", "/one")],
    );
    assert_eq!(
        c.check(br#"{"code": true}"#)[0].message,
        "expected an integer or a string, found a boolean"
    );
    assert_eq!(
        diagnostics("fields:\n  a: {type: [strin, null]}\n"),
        [
            "invalid-value: unknown type `strin` in the type list (did you mean `string`?)",
            "invalid-value: `null` is not a type here (write `nullable: true` beside the type list)"
        ]
    );
}

/// `root:` describes a payload that is not an object, as one field is: a scalar, an array of a
/// declared type, a nullable value, a union or a reference to a type. The keys that describe an
/// object root are refused beside it, each with the way out.
#[test]
fn a_root_may_be_any_json_value() {
    let c = checker("root: {type: integer, minimum: 1}\n");
    passes(&c, "5");
    expect(&c, "0", &[("out_of_range", "")]);
    expect(&c, "{}", &[("wrong_type", "")]);
    expect(&c, r#""5""#, &[("wrong_type", "")]);

    let c = checker(
        "closed: true\ntypes:\n  Order:\n    fields:\n      id: {type: string, required: true, pattern: '^O-[0-9]+$'}\n      parent: {type: Order}\nroot:\n  type: array\n  min_items: 1\n  nullable: true\n  items: {type: Order}\n",
    );
    passes(&c, r#"[{"id": "O-1", "parent": {"id": "O-2"}}]"#);
    passes(&c, "null");
    expect(&c, "[]", &[("min_items_not_met", "")]);
    expect(
        &c,
        r#"[{"id": "O-1", "parent": {"id": "x"}}, {"id": "O-2", "extra": 1}]"#,
        &[
            ("pattern_mismatch", "/0/parent/id"),
            ("unknown_field", "/1/extra"),
        ],
    );

    let c = checker("types:\n  Code: {type: string, enum: [A, B]}\nroot: {type: Code}\n");
    passes(&c, r#""A""#);
    expect(&c, r#""C""#, &[("unknown_enum_value", "")]);

    let text = "contract: keyword-test\nversion: 1.0.0\nboundary: {from: a, to: b, transport: queue}\nroot: {type: string}\nfields:\n  a: {type: string}\nrules: []\n";
    let loaded = contract::parse(Path::new("keyword-test.yaml"), text);
    assert!(loaded.contract.is_none());
    let errors: Vec<String> = loaded
        .diagnostics
        .iter()
        .map(|d| format!("{}:{} {}", d.line, d.column, d.message))
        .collect();
    assert_eq!(
        errors,
        [
            "5:1 `fields` describes the payload, and so does `root`",
            "7:1 `rules` describes the payload, and so does `root`",
        ]
    );
    assert_eq!(
        loaded.diagnostics[0].help.as_deref(),
        Some(
            "write `fields` inside `root:` (it is a field), or drop `root:` for an object payload"
        )
    );
}

/// A closed object that declares no fields names each member it gets as an unknown field,
/// as a closed object with fields does (not a bare "not allowed here").
#[test]
fn a_closed_object_without_fields_reports_unknown_fields() {
    let c = checker("closed: true\nfields:\n  o: {type: object, closed: true}\n");
    passes(&c, r#"{"o": {}}"#);
    expect(
        &c,
        r#"{"o": {"x": 1, "y": 2}, "z": 3}"#,
        &[
            ("unknown_field", "/o/x"),
            ("unknown_field", "/o/y"),
            ("unknown_field", "/z"),
        ],
    );
}

/// In a raw fragment (JSON Schema written in YAML) `y`, `yes`, `on` and `no` are the text they
/// spell, as YAML 1.2 and JSON read them, not YAML 1.1's booleans; `true` is a boolean.
#[test]
fn fragment_scalars_are_read_as_yaml_1_2_reads_them() {
    let c = checker("fields:\n  answer:\n    schema: {enum: [y, n, yes, no, on, true]}\n");
    for ok in [
        r#"{"answer": "y"}"#,
        r#"{"answer": "no"}"#,
        r#"{"answer": "on"}"#,
        r#"{"answer": true}"#,
    ] {
        passes(&c, ok);
    }
    expect(
        &c,
        r#"{"answer": false}"#,
        &[("unknown_enum_value", "/answer")],
    );
}

/// What the library's checker returns is safe to report as it is: values of `sensitive` fields
/// hidden and card numbers masked by default, by the policy fixed when the checker is built.
#[test]
fn the_checker_returns_findings_fit_to_report() {
    let contract = |policy: Option<handoff_core::redact::Redact>| {
        let c = checker(
            "fields:\n  tax_id: {type: string, pattern: '^[0-9]{9}$', sensitive: true}\n  note: {type: string, max_length: 5}\n",
        );
        match policy {
            Some(p) => {
                let contract = c.contract().clone();
                Checker::new(contract).unwrap().with_redaction(p)
            }
            None => c,
        }
    };
    let payload = br#"{"tax_id": "12-3456789", "note": "card 4111 1111 1111 1111"}"#;
    let shown = |c: &Checker| -> Vec<(Option<String>, String)> {
        c.check(payload)
            .into_iter()
            .map(|f| (f.value, f.message))
            .collect()
    };
    let default = shown(&contract(None));
    assert_eq!(default[0].0, None, "{default:?}");
    assert!(!default[0].1.contains("12-3456789"), "{default:?}");
    assert!(
        default[1]
            .0
            .as_deref()
            .is_some_and(|v| !v.contains("4111 1111 1111 1111")),
        "{default:?}"
    );
    assert!(!default[1].1.contains("4111 1111 1111 1111"), "{default:?}");
    assert_eq!(
        contract(None).redaction(),
        handoff_core::redact::Redact::Sensitive
    );

    let open = shown(&contract(Some(handoff_core::redact::Redact::None)));
    assert_eq!(open[0].0.as_deref(), Some("\"12-3456789\""), "{open:?}");
    assert!(
        open[1]
            .0
            .as_deref()
            .is_some_and(|v| !v.contains("4111 1111 1111 1111")),
        "{open:?}"
    );

    let all = shown(&contract(Some(handoff_core::redact::Redact::All)));
    assert!(all.iter().all(|(v, _)| v.is_none()), "{all:?}");
}
