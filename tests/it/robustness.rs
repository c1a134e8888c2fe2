//! Hostile input never panics: arbitrary bytes as payloads, arbitrary JSON against a rich
//! contract, arbitrary text as contracts and as handoff.yaml. Each must produce findings or
//! diagnostics, never a crash.

use handoff_core::check::Checker;
use handoff_core::{contract, lint};
use handoff_reports::config;
use proptest::prelude::*;
use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;

/// A contract that uses every kind of check, so arbitrary payloads reach every classifier path.
fn rich_checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| {
        let (checker, diags) =
            lint::prepare(Path::new("contracts/storefront-order-to-erp/1.2.0.yaml"));
        checker.unwrap_or_else(|| panic!("{diags:?}"))
    })
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[ -~éü€😀]{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "paid",
            "PAID",
            "94103-1234",
            "2024-02-31",
            "USD",
            "usd",
            "UK",
            "TEE-10442",
            "19.99",
            "1999",
            "#100234"
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        let keys = prop::sample::select(vec![
            "order_id",
            "financial_status",
            "total_price",
            "customer",
            "email",
            "name",
            "shipping_address",
            "zip",
            "country",
            "line_items",
            "sku",
            "quantity",
            "unit_price",
            "tags",
            "paid_at",
            "extra",
            "a/b",
            "~",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(keys.prop_map(str::to_string), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let findings = rich_checker().check(&bytes);
        // Not JSON is one payload-level finding; JSON gets field findings.
        prop_assert!(findings.iter().all(|f| !f.message.is_empty() && !f.expected.is_empty()));
    }

    #[test]
    fn arbitrary_json_gets_complete_findings(value in json_value(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) }.unwrap();
        let findings = rich_checker().check(text.as_bytes());
        prop_assert_eq!(findings.is_empty(), rich_checker().accepts(&value));
        for f in &findings {
            prop_assert!(!f.message.is_empty() && !f.expected.is_empty());
            prop_assert!(f.pointer.is_empty() || f.pointer.starts_with('/'));
            // Every field finding is located in the payload text and in the contract.
            if !f.kind.is_payload_level() {
                prop_assert!(f.position.is_some(), "{:?}", f);
                prop_assert!(f.contract_location.is_some(), "{:?}", f);
            }
        }
    }

    #[test]
    fn arbitrary_text_as_a_contract_never_panics(text in "(contract|version|fields|type|enum|rules|when|then|  |- |: |\\{|\\}|\\[|\\]|\n|[a-z0-9%^$.*&]){0,80}") {
        let loaded = contract::parse(Path::new("fuzz.yaml"), &text);
        prop_assert!(loaded.contract.is_some() || !loaded.diagnostics.is_empty());
        let _ = config::parse(Path::new("handoff.yaml"), &text);
    }
}

#[test]
fn a_huge_flat_array_is_fine() {
    let payload = format!(
        "{{\"tags\": [{}]}}",
        (0..50_000)
            .map(|i| format!("\"t{i}\""))
            .collect::<Vec<_>>()
            .join(",")
    );
    let kinds: Vec<_> = rich_checker()
        .check(payload.as_bytes())
        .iter()
        .map(|f| f.kind.id())
        .collect();
    assert_eq!(kinds, ["missing_required"; 9].to_vec());
}
