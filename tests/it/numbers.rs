//! Numbers are compared exactly, on the decimal text as sent (hardening issue, item 10):
//! ranges, `type: integer`, enums and uniqueness agree with a big-decimal oracle, including
//! values a 64-bit float cannot tell apart (`1000.0000000000000001` and 1000).

use handoff_core::check::Checker;
use handoff_core::decimal::Decimal;
use proptest::prelude::*;
use std::cmp::Ordering;
use std::path::Path;

fn checker(fields: &str) -> Checker {
    let text = format!(
        "contract: exact-numbers\nversion: 1.0.0\nboundary: {{from: a, to: b, transport: api}}\nfields:\n{fields}"
    );
    let loaded = handoff_core::contract::parse(Path::new("exact.yaml"), &text);
    let contract = loaded
        .contract
        .unwrap_or_else(|| panic!("{text}\n{:?}", loaded.diagnostics));
    Checker::new(contract).expect("compiles")
}

fn kinds(checker: &Checker, payload: &str) -> Vec<String> {
    checker
        .check(payload.as_bytes())
        .iter()
        .map(|f| f.kind.id().to_string())
        .collect()
}

#[test]
fn the_probe_reproductions() {
    let c = checker(
        "  max: {type: number, maximum: 1000}\n  int: {type: integer}\n  code: {type: number, enum: [1, 2]}\n  ids: {type: array, unique_items: true}\n",
    );
    assert_eq!(
        kinds(&c, r#"{"max": 1000.0000000000000001}"#),
        ["out_of_range"]
    );
    assert_eq!(
        kinds(&c, r#"{"max": 999.99999999999999999}"#),
        Vec::<String>::new()
    );
    assert_eq!(
        kinds(&c, r#"{"int": 100000000000000000000000000000.5}"#),
        ["wrong_type"]
    );
    assert_eq!(
        kinds(&c, r#"{"int": 3.0}"#),
        Vec::<String>::new(),
        "3.0 is an integer"
    );
    assert_eq!(
        kinds(&c, r#"{"code": 1.00000000000000001}"#),
        ["unknown_enum_value"]
    );
    assert_eq!(kinds(&c, r#"{"code": 1.0}"#), Vec::<String>::new());
    assert_eq!(
        kinds(
            &c,
            r#"{"ids": [18446744073709551616, 18446744073709551617]}"#
        ),
        Vec::<String>::new(),
        "2^64 and 2^64 + 1 are different items"
    );
    let dup = c.check(br#"{"ids": [7, 1, 1.0]}"#);
    assert_eq!(dup[0].message, "items 1 and 2 are equal");
}

/// JSON number text: a sign, up to 25 integer digits, up to 25 fraction digits.
fn decimal() -> impl Strategy<Value = String> {
    (
        "-?",
        "(0|[1-9][0-9]{0,24})",
        proptest::option::of("[0-9]{1,25}"),
    )
        .prop_map(|(sign, int, frac)| match frac {
            Some(frac) => format!("{sign}{int}.{frac}"),
            None => format!("{sign}{int}"),
        })
}

/// A value next to `limit`: the same, or off by one unit in the 20th decimal place.
fn near(limit: &str) -> impl Strategy<Value = String> + use<> {
    let limit = limit.to_string();
    prop_oneof![
        Just(limit.clone()),
        Just(format!(
            "{limit}{}00000000000000000001",
            if limit.contains('.') { "" } else { "." }
        )),
        decimal(),
    ]
}

fn exact(text: &str) -> Decimal {
    Decimal::parse(text).expect("generated text is a JSON number")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn ranges_agree_with_the_oracle((limit, value) in decimal().prop_flat_map(|l| (Just(l.clone()), near(&l)))) {
        let c = checker(&format!("  x: {{type: number, maximum: {limit}}}\n"));
        let accepted = kinds(&c, &format!("{{\"x\": {value}}}")).is_empty();
        prop_assert_eq!(accepted, exact(&value).cmp(&exact(&limit)) != Ordering::Greater, "{} <= {}", value, limit);
    }

    #[test]
    fn integers_and_enums_agree_with_the_oracle(option in decimal(), value in decimal()) {
        let c = checker(&format!("  i: {{type: integer}}\n  e: {{type: number, enum: [{option}]}}\n"));
        let is_integer = exact(&value).places() == 0;
        prop_assert_eq!(kinds(&c, &format!("{{\"i\": {value}}}")).is_empty(), is_integer, "{} integer", value);
        let equal = exact(&value) == exact(&option);
        prop_assert_eq!(kinds(&c, &format!("{{\"e\": {value}}}")).is_empty(), equal, "{} in [{}]", value, option);
        let same = format!("{option}{}", if option.contains('.') { "0" } else { ".0" });
        prop_assert!(kinds(&c, &format!("{{\"e\": {same}}}")).is_empty(), "{} equals {}", same, option);
    }

    #[test]
    fn uniqueness_agrees_with_the_oracle(a in decimal(), b in decimal()) {
        let c = checker("  u: {type: array, unique_items: true}\n");
        let unique = exact(&a) != exact(&b);
        prop_assert_eq!(kinds(&c, &format!("{{\"u\": [{a}, {b}]}}")).is_empty(), unique, "[{}, {}]", a, b);
    }
}
