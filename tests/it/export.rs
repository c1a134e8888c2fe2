//! `handoff export`: the standard JSON Schema accepts at least what the contract accepts (every
//! example capture the contract passes, judged by the `jsonschema` crate as a plain draft
//! 2020-12 validator), names every check it had to rewrite, and with extensions is the compiled
//! schema itself.

use crate::common;
use handoff_core::export;
use handoff_core::lint;
use std::path::Path;

fn checker(reference: &str) -> handoff_core::check::Checker {
    let path = Path::new("contracts").join(reference);
    lint::prepare(&path)
        .0
        .unwrap_or_else(|| panic!("{reference}"))
}

#[test]
fn the_standard_schema_accepts_every_capture_the_contract_accepts() {
    let cases = [
        (
            "storefront-order-to-erp/2.0.0.yaml",
            "fixtures/storefront-order-to-erp",
        ),
        ("pos-return-to-erp/1.1.0.yaml", "fixtures/pos-return-to-erp"),
        (
            "returns-portal-to-wms/1.0.0.yaml",
            "fixtures/returns-portal-to-wms",
        ),
        ("edi-850-to-wms/1.0.0.yaml", "fixtures/edi-850-to-wms"),
    ];
    for (contract, dir) in cases {
        let checker = checker(contract);
        let exported = export::json_schema(&checker, false);
        let text = exported.schema.to_string();
        assert!(!text.contains("x-handoff"), "{contract}: {text}");
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&exported.schema)
            .unwrap_or_else(|e| panic!("{contract}: not a valid schema: {e}"));
        let mut accepted = 0;
        for side in ["valid", "invalid"] {
            for entry in std::fs::read_dir(Path::new(dir).join(side)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_none_or(|e| e != "json") {
                    continue;
                }
                let Ok(payload) =
                    serde_json::from_slice::<serde_json::Value>(&std::fs::read(&path).unwrap())
                else {
                    continue;
                };
                if checker.accepts(&payload) {
                    accepted += 1;
                    assert!(
                        validator.is_valid(&payload),
                        "{}: the contract accepts it, the export does not",
                        path.display()
                    );
                }
            }
        }
        assert!(accepted >= 1, "{contract}: no capture passes");
        // With extensions, the document is the compiled schema.
        let full = export::json_schema(&checker, true);
        let mut compiled = checker.schema().clone();
        compiled["$schema"] = serde_json::json!("https://json-schema.org/draft/2020-12/schema");
        for key in ["title", "description"] {
            compiled[key] = full.schema[key].clone();
        }
        assert_eq!(full.schema, compiled, "{contract}");
    }
}

#[test]
fn every_rewrite_is_named() {
    let exported = export::json_schema(&checker("storefront-order-to-erp/2.0.0.yaml"), false);
    assert_eq!(
        exported.lossy,
        [
            "/currency: format `currency` is three capital letters; codes outside ISO 4217 are not rejected",
            "/customer/name: the UTF-8 byte limit (max_bytes) is not checked",
            "/line_items/*/unit_price: decimal places of strings are a pattern; of numbers, not checked",
            "/shipping_address/country: format `country` is two capital letters; codes outside ISO 3166 are not rejected",
            "/total_price: decimal places of strings are a pattern; of numbers, not checked",
            "/: the sum rule \"`/total_price` is the sum of `/line_items/*/unit_price` x `/line_items/*/quantity`\" is not in the schema",
        ]
    );
}

#[test]
fn openapi_components_hold_each_contract_by_id() {
    let out = common::handoff(env!("CARGO_MANIFEST_DIR"))
        .args([
            "export",
            "openapi",
            "storefront-order-to-erp",
            "payment-status-to-storefront@2",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    assert_eq!(
        schemas.keys().collect::<Vec<_>>(),
        ["payment-status-to-storefront", "storefront-order-to-erp"]
    );
    assert_eq!(
        schemas["storefront-order-to-erp"]["title"],
        "storefront-order-to-erp@2.0.0"
    );
    assert!(schemas["storefront-order-to-erp"].get("$schema").is_none());
    let notes = String::from_utf8_lossy(&out.stderr);
    assert!(notes.ends_with("handoff: 7 of the contracts' checks are not made by the exported schema as handoff makes them, so it accepts more; --extensions keeps handoff's own keywords\n"), "{notes}");
}
