//! `handoff import`: a contract written from a JSON Schema or an OpenAPI schema accepts exactly
//! what the source accepts, on instances chosen at each keyword's edge (a plain draft 2020-12
//! validator decides for the source); what the language cannot say is kept raw and linted.

use crate::common;

use handoff_core::check::Checker;
use serde_json::{Value, json};
use std::path::Path;

fn contract(yaml: &str) -> Checker {
    let loaded = handoff_core::contract::parse(Path::new("imported.yaml"), yaml);
    let errors: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{yaml}");
    Checker::new(loaded.contract.unwrap()).unwrap()
}

#[test]
fn a_json_schema_and_its_import_agree_on_every_instance() {
    let source: Value =
        serde_json::from_str(&std::fs::read_to_string("tests/import/order.schema.json").unwrap())
            .unwrap();
    let imported = handoff_core::import::json_schema(&source, None, "order").unwrap();
    assert_eq!(
        (imported.native, imported.raw),
        (41, 2),
        "{}",
        imported.yaml
    );
    let checker = contract(&imported.yaml);
    let reference = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&source)
        .unwrap();
    let base = json!({"order_id": "3f2b8c1e-5d4a-4f6b-9c7d-2e1a0b9c8d7e", "total_price": "10.00", "line_items": [{"sku": "A", "quantity": 1}]});
    let with = |pointer: &str, value: Value| {
        let mut doc = base.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        doc.pointer_mut(if parent.is_empty() { "" } else { parent })
            .unwrap()[key] = value;
        doc
    };
    let instances = vec![
        base.clone(),
        json!({}),
        with("/order_id", json!("not-a-uuid")),
        with("/note", Value::Null),
        with("/note", json!("x".repeat(201))),
        with("/status", Value::Null),
        with("/status", json!("refunded")),
        with("/total_price", json!("10.0")),
        with("/case_pack", json!(12)),
        with("/case_pack", json!(7)),
        with("/case_pack", json!(0)),
        with(
            "/shipping_address",
            json!({"zip": "12345", "line1": "1 Main"}),
        ),
        with(
            "/shipping_address",
            json!({"line1": "x".repeat(36), "zip": "1"}),
        ),
        with("/billing_address", json!({})),
        with("/metadata", json!({"gift_note": "x"})),
        with("/metadata", json!({"Gift": "x"})),
        with("/metadata", json!({"a": 5})),
        with("/line_items", json!([])),
        with("/line_items", json!([{"sku": "A", "quantity": 0}])),
        with("/payment", json!({"card": "4111"})),
        with("/payment", json!({"card": "4111", "iban": "DE00"})),
        with("/extra", json!(1)),
    ];
    for instance in &instances {
        assert_eq!(
            checker.accepts(instance),
            reference.is_valid(instance),
            "the import and its source disagree on {instance}"
        );
    }
}

#[test]
fn an_openapi_30_schema_with_refs_nullable_and_a_discriminator() {
    let text = std::fs::read_to_string("tests/import/store.openapi30.yaml").unwrap();
    let document: Value = serde_saphyr::from_str(&text).unwrap();
    let imported = handoff_core::import::openapi(&document, "Refund", "refund").unwrap();
    let checker = contract(&imported.yaml);
    assert!(
        imported.yaml.contains("types:\n  Money:"),
        "{}",
        imported.yaml
    );
    let ok = json!({"id": "r1", "amount": {"amount": "5.00", "currency": "USD"}, "reason": null, "note": null, "event": {"kind": "card", "last4": "4242"}});
    assert!(checker.accepts(&ok), "{}", imported.yaml);
    let kinds = |v: Value| -> Vec<String> {
        checker
            .check(v.to_string().as_bytes())
            .into_iter()
            .map(|f| format!("{} {}", f.kind, f.pointer))
            .collect()
    };
    assert_eq!(
        kinds(
            json!({"id": "r1", "amount": {"amount": "5", "currency": "US"}, "reason": "lost", "x": 1})
        ),
        [
            "pattern_mismatch /amount/amount",
            "min_length_not_met /amount/currency",
            "unknown_enum_value /reason",
            "unknown_field /x"
        ]
    );
    // The discriminated union becomes a union: the case the discriminator names is checked.
    assert!(!checker.accepts(&json!({"id": "r1", "amount": {"amount": "5.00", "currency": "USD"}, "event": {"kind": "bank"}})));
    assert_eq!(
        handoff_core::import::openapi(&document, "Refnd", "x").unwrap_err(),
        "no schema `Refnd` in components.schemas; did you mean `Refund`?"
    );
}

#[test]
fn the_command_writes_the_contract_and_counts_what_it_kept_raw() {
    let dir = std::env::temp_dir().join(format!("handoff-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("order.yaml");
    let run = common::handoff(env!("CARGO_MANIFEST_DIR"))
        .args([
            "import",
            "jsonschema",
            "tests/import/order.schema.json",
            "-o",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&run.stderr),
        "handoff: imported `order`: 41 keywords written natively, 2 kept as raw JSON Schema (handoff lint lists them: imported-as-raw-schema)\n"
    );
    let lint = common::handoff(env!("CARGO_MANIFEST_DIR"))
        .args(["lint", out.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&lint.stdout);
    assert_eq!(lint.status.code(), Some(0), "warnings only: {text}");
    assert!(text.contains("warning[imported-as-raw-schema]: `/payment` kept as raw JSON Schema by the import (oneOf)"), "{text}");
    assert!(
        text.ends_with("linted 1 contract file: 0 errors, 2 warnings\n"),
        "{text}"
    );
}

/// Every JSON capture of the example boundaries.
fn captures(dir: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for side in ["valid", "invalid"] {
        let Ok(entries) = std::fs::read_dir(Path::new(dir).join(side)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let docs: Vec<Value> = match path.extension().and_then(|e| e.to_str()) {
                Some("json") => serde_json::from_str(&text).into_iter().collect(),
                Some("ndjson") => text
                    .lines()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect(),
                _ => Vec::new(),
            };
            out.extend(docs);
        }
    }
    out
}

#[test]
fn every_example_contract_round_trips_through_export_and_import() {
    let cases = [
        (
            "storefront-order-to-erp/2.0.0.yaml",
            "fixtures/storefront-order-to-erp",
        ),
        (
            "payment-status-to-storefront/3.0.0.yaml",
            "fixtures/payment-status-to-storefront",
        ),
        (
            "returns-portal-to-wms/1.0.0.yaml",
            "fixtures/returns-portal-to-wms",
        ),
        ("pos-return-to-erp/1.1.0.yaml", "fixtures/pos-return-to-erp"),
        ("edi-850-to-wms/1.0.0.yaml", "fixtures/edi-850-to-wms"),
    ];
    for (file, dir) in cases {
        let (original, _) = handoff_core::lint::prepare(&Path::new("contracts").join(file));
        let original = original.unwrap();
        let exported = handoff_core::export::json_schema(&original, false).schema;
        let imported = handoff_core::import::json_schema(&exported, None, "round-trip").unwrap();
        let checker = contract(&imported.yaml);
        let reference = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&exported)
            .unwrap();
        let payloads = captures(dir);
        assert!(payloads.len() >= 2, "{dir}");
        for payload in &payloads {
            assert_eq!(
                checker.accepts(payload),
                reference.is_valid(payload),
                "{file}: the re-imported contract and the exported schema disagree on {payload}\n{}",
                imported.yaml
            );
        }
    }
}

#[test]
fn a_discriminated_one_of_becomes_a_union_naming_its_cases() {
    let text = std::fs::read_to_string("tests/import/store.openapi30.yaml").unwrap();
    let document: Value = serde_saphyr::from_str(&text).unwrap();
    let imported = handoff_core::import::openapi(&document, "Refund", "refund").unwrap();
    assert!(
        imported.yaml.contains("  event:\n    one_of:\n      discriminator: kind\n      cases:\n        card: Card\n        bank: Bank\n"),
        "{}",
        imported.yaml
    );
    assert_eq!(imported.raw, 0, "{}", imported.yaml);
    let checker = contract(&imported.yaml);
    let base = json!({"id": "r1", "amount": {"amount": "5.00", "currency": "USD"}});
    let with_event = |event: Value| {
        let mut doc = base.clone();
        doc["event"] = event;
        checker
            .check(doc.to_string().as_bytes())
            .into_iter()
            .map(|f| format!("{} {} {}", f.kind, f.pointer, f.message))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        with_event(json!({"kind": "bank", "iban": "DE00"})),
        Vec::<String>::new()
    );
    assert_eq!(
        with_event(json!({"kind": "card", "last4": "42"})),
        [
            "pattern_mismatch /event/last4 \"42\" does not match the pattern (case `card`: type `Card`)"
        ]
    );
    assert_eq!(
        with_event(json!({"kind": "wire"})),
        ["unknown_enum_value /event/kind \"wire\" is not an allowed value"]
    );
}

#[test]
fn an_openapi_31_union_with_ref_chains_and_null_in_a_type_list() {
    let document: Value =
        serde_json::from_str(&std::fs::read_to_string("tests/import/psp.openapi31.json").unwrap())
            .unwrap();
    let imported =
        handoff_core::import::openapi(&document, "Notification", "psp-notification").unwrap();
    assert_eq!(imported.raw, 0, "{}", imported.yaml);
    assert!(imported.yaml.contains("one_of:\n  discriminator: eventCode\n  cases:\n    AUTHORISATION: Authorisation\n    REFUND: Refund\n"), "{}", imported.yaml);
    let checker = contract(&imported.yaml);
    let auth = json!({"eventCode": "AUTHORISATION", "pspReference": "8815329842815472", "amount": {"value": 1500, "currency": "EUR"}, "reason": null});
    assert!(checker.accepts(&auth), "{}", imported.yaml);
    let found: Vec<String> = checker
        .check(json!({"eventCode": "REFUND", "pspReference": "short", "amount": {"value": -1, "currency": "eur"}}).to_string().as_bytes())
        .into_iter()
        .map(|f| format!("{} {}", f.kind, f.pointer))
        .collect();
    assert_eq!(
        found,
        [
            "missing_required /originalReference",
            "pattern_mismatch /amount/currency",
            "out_of_range /amount/value",
            "min_length_not_met /pspReference"
        ]
    );
}

mod generated {
    //! Round trip on generated schemas: for every generated JSON Schema and instance, the
    //! imported contract accepts exactly what a plain draft 2020-12 validator says the source
    //! accepts; and the standard export of that contract accepts at least as much.
    use super::contract;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            (0u64..4, 2u64..8, any::<bool>()).prop_map(|(min, max, pat)| {
                let mut s = json!({"type": "string", "minLength": min, "maxLength": max});
                if pat {
                    s["pattern"] = json!("^[a-c]*$");
                }
                s
            }),
            (-5i64..5, 5i64..20)
                .prop_map(|(lo, hi)| json!({"type": "integer", "minimum": lo, "maximum": hi})),
            prop::collection::btree_set("[a-c]{1,2}", 1..4).prop_map(|v| json!({"enum": v})),
            Just(json!({"type": ["string", "null"]})),
            Just(json!({"type": "boolean"})),
            Just(json!({"type": "number", "exclusiveMinimum": 0})),
        ]
    }

    fn schema() -> impl Strategy<Value = Value> {
        let object = |members: BoxedStrategy<Value>| {
            (
                prop::collection::btree_map("[p-s]", members, 1..4),
                prop::collection::vec(any::<bool>(), 4),
                any::<bool>(),
            )
                .prop_map(|(props, req, closed)| {
                    let required: Vec<&String> = props
                        .keys()
                        .zip(&req)
                        .filter(|(_, r)| **r)
                        .map(|(k, _)| k)
                        .collect();
                    let mut s =
                        json!({"type": "object", "properties": props, "required": required});
                    if closed {
                        s["additionalProperties"] = json!(false);
                    }
                    s
                })
        };
        let inner = prop_oneof![
            3 => leaf(),
            1 => leaf().prop_map(|l| json!({"type": "array", "items": l, "maxItems": 3})),
        ]
        .boxed();
        let nested = object(inner.clone()).boxed();
        object(prop_oneof![3 => inner, 1 => nested].boxed())
    }

    fn instance() -> impl Strategy<Value = Value> {
        let scalar = prop_oneof![
            "[a-d]{0,9}".prop_map(Value::String),
            (-8i64..25).prop_map(|n| json!(n)),
            Just(json!(2.5)),
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
        ];
        let value = scalar.prop_recursive(2, 12, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[p-t]", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        });
        prop::collection::btree_map("[p-t]", value, 0..5)
            .prop_map(|m| Value::Object(m.into_iter().collect()))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]
        #[test]
        fn import_accepts_exactly_what_the_source_accepts(source in schema(), instances in prop::collection::vec(instance(), 12)) {
            let imported = handoff_core::import::json_schema(&source, None, "generated").unwrap();
            // Contradictory bounds (min above max) are kept raw; everything else is native.
            let crossed = imported.yaml.contains("x-handoff-imported");
            prop_assert!(imported.raw == 0 || crossed, "{}", imported.yaml);
            let checker = contract(&imported.yaml);
            let reference = jsonschema::options().with_draft(jsonschema::Draft::Draft202012).build(&source).unwrap();
            let exported = handoff_core::export::json_schema(&checker, false).schema;
            let exported = jsonschema::options().with_draft(jsonschema::Draft::Draft202012).build(&exported).unwrap();
            for i in &instances {
                prop_assert_eq!(checker.accepts(i), reference.is_valid(i), "{} on {}\n{}", source, i, imported.yaml);
                if checker.accepts(i) {
                    prop_assert!(exported.is_valid(i), "the export rejects {} the contract accepts", i);
                }
            }
        }
    }
}

#[test]
fn a_recursive_ref_becomes_a_recursive_type() {
    let source = json!({
        "type": "object",
        "properties": {"root": {"$ref": "#/$defs/Category"}},
        "$defs": {"Category": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "maxLength": 10},
                "children": {"type": "array", "items": {"$ref": "#/$defs/Category"}}
            }
        }}
    });
    let imported = handoff_core::import::json_schema(&source, None, "tree").unwrap();
    assert_eq!(imported.raw, 0, "{}", imported.yaml);
    let checker = contract(&imported.yaml);
    let reference = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&source)
        .unwrap();
    for instance in [
        json!({"root": {"name": "all", "children": [{"name": "shoes", "children": [{"name": "boots"}]}]}}),
        json!({"root": {"name": "all", "children": [{"name": "shoes", "children": [{"name": "a very long name"}]}]}}),
        json!({"root": {"name": "all", "children": [{"children": []}]}}),
    ] {
        assert_eq!(
            checker.accepts(&instance),
            reference.is_valid(&instance),
            "{instance}\n{}",
            imported.yaml
        );
    }
}

#[test]
fn nothing_from_the_document_can_break_out_of_a_comment() {
    // A keyword name with a line break, and root `values` (which makes the root a map).
    let source = json!({
        "type": "object",
        "properties": {"a": {"type": "string", "x\nfields: {evil: {type: integer}}": 1}},
        "additionalProperties": {"type": "string", "maxLength": 5}
    });
    let imported = handoff_core::import::json_schema(&source, None, "c").unwrap();
    let checker = contract(&imported.yaml);
    assert!(
        checker.contract().root.field("evil").is_none(),
        "{}",
        imported.yaml
    );
    // A root with `values` is described under `root:`, where a map can be said.
    assert!(
        imported
            .yaml
            .contains("root:\n  type: object\n  values:\n    type: string\n    max_length: 5\n"),
        "{}",
        imported.yaml
    );
    assert!(checker.accepts(&json!({"a": "x", "b": "short"})));
    assert!(!checker.accepts(&json!({"b": "too long"})));
}

/// A referenced schema is a type written once, and a raw fragment refers to it by name: two
/// references to the root per level, inlined, would double the output at every level.
#[test]
fn references_are_types_written_once_so_import_grows_linearly() {
    let sources = [
        json!({"type": "object", "properties": {"tree": {"anyOf": [{"$ref": "#"}, {"$ref": "#", "maxProperties": 1}]}}}),
        json!({"$defs": {
            "A": {"type": "object", "properties": {"a1": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/B"}]}, "a2": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/B"}]}}},
            "B": {"type": "object", "properties": {"b1": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/A"}]}, "b2": {"anyOf": [{"type": "integer"}, {"$ref": "#/$defs/A"}]}}}
        }, "type": "object", "properties": {"x": {"$ref": "#/$defs/A"}}}),
    ];
    let instances = [
        json!({}),
        json!({"tree": {"tree": {"tree": {}}}}),
        json!({"tree": {"tree": {"tree": 5}}}),
        json!({"x": {"a1": {"b1": {"a2": "s"}}}}),
        json!({"x": {"a1": {"b1": {"a2": 7}}}}),
        json!({"x": {"a2": {"b2": 7}}}),
        json!({"x": {"a2": {"b2": "7"}}}),
    ];
    for source in sources {
        let imported = handoff_core::import::json_schema(&source, None, "tree").unwrap();
        assert!(
            imported.yaml.len() < 2_000,
            "{} bytes:\n{}",
            imported.yaml.len(),
            imported.yaml
        );
        let checker = contract(&imported.yaml);
        let reference = jsonschema::validator_for(&source).unwrap();
        for instance in &instances {
            assert_eq!(
                checker.accepts(instance),
                reference.is_valid(instance),
                "{instance}\n{}",
                imported.yaml
            );
        }
    }
}

/// A bidi override in a member name or a value would make the written contract read as
/// something other than what it says: it is written as an escape that means the same.
#[test]
fn invisible_characters_are_written_as_escapes_that_mean_the_same() {
    let name = "amount\u{202e}latot";
    let source = json!({
        "type": "object",
        "properties": {
            name: {"type": "string", "enum": ["ok\u{200b}", "fine"]},
            "note": {"anyOf": [{"const": "a\u{2066}b"}, {"type": "integer"}]}
        },
        "required": [name]
    });
    let imported = handoff_core::import::json_schema(&source, None, "bidi").unwrap();
    for c in ['\u{202e}', '\u{200b}', '\u{2066}'] {
        assert!(
            !imported.yaml.contains(c),
            "{c:?} raw in:\n{}",
            imported.yaml
        );
    }
    assert!(imported.yaml.contains("\\u202e"), "{}", imported.yaml);
    let checker = contract(&imported.yaml);
    let reference = jsonschema::validator_for(&source).unwrap();
    for instance in [
        json!({name: "ok\u{200b}"}),
        json!({name: "ok"}),
        json!({"amountlatot": "fine"}),
        json!({name: "fine", "note": "a\u{2066}b"}),
        json!({name: "fine", "note": "ab"}),
    ] {
        assert_eq!(
            checker.accepts(&instance),
            reference.is_valid(&instance),
            "{instance}\n{}",
            imported.yaml
        );
    }
}

/// A chain of schemas where each refers to the next twice, natively and from raw `anyOf`s:
/// the contract grows with the number of schemas, not with the paths through them (2^n), and
/// checks as the source does at the deepest level.
#[test]
fn a_document_of_shared_references_imports_in_linear_size_and_time() {
    fn chain(n: usize) -> Value {
        let mut defs = serde_json::Map::new();
        for i in 0..n {
            let next = if i + 1 < n {
                json!({"$ref": format!("#/$defs/S{}", i + 1)})
            } else {
                json!({"type": "integer", "maximum": 9})
            };
            defs.insert(
                format!("S{i}"),
                json!({"type": "object", "properties": {
                    "left": next.clone(),
                    "right": next.clone(),
                    "either": {"anyOf": [{"type": "string"}, next.clone()]},
                    "other": {"anyOf": [{"type": "boolean"}, next]}
                }}),
            );
        }
        json!({"$defs": defs, "$ref": "#/$defs/S0"})
    }
    let size = |n: usize| {
        handoff_core::import::json_schema(&chain(n), None, "chain")
            .unwrap()
            .yaml
            .len()
    };
    let (ten, forty) = (size(10), size(40));
    assert!(
        forty < ten * 5,
        "10 schemas: {ten} bytes, 40 schemas: {forty} bytes"
    );

    let source = chain(24);
    let imported = handoff_core::import::json_schema(&source, None, "chain").unwrap();
    let checker = contract(&imported.yaml);
    let reference = jsonschema::validator_for(&source).unwrap();
    // The deepest level reached through the raw branches and through the native fields.
    let mut deep = json!(7);
    let mut wrong = json!(10);
    for i in (0..24).rev() {
        let key = if i % 2 == 0 { "either" } else { "left" };
        deep = json!({ key: deep });
        wrong = json!({ key: wrong });
    }
    for instance in [&deep, &wrong, &json!({"either": "s", "other": true})] {
        assert_eq!(
            checker.accepts(instance),
            reference.is_valid(instance),
            "{instance}"
        );
    }
    assert!(checker.accepts(&deep));
    assert!(!checker.accepts(&wrong));
}

/// A real-shaped API in OpenAPI 3.0 and the same in 3.1: mutually recursive components
/// (products in categories in products, an order replacing an order), `nullable` beside
/// `allOf`/`anyOf`/`oneOf`, a nullable enum, a component without `type: object`, a
/// discriminated payment. Its example payloads pass; a broken one gives exactly its findings.
#[test]
fn a_real_shaped_api_in_openapi_30_and_31_accepts_its_own_examples() {
    let dir = Path::new("tests/import/retail");
    let read = |name: &str| -> Value {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        serde_saphyr::from_str(&text).unwrap()
    };
    let mut names: Vec<_> = std::fs::read_dir(dir.join("valid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    assert_eq!(names.len(), 3);
    let mut expected: Vec<String> = std::fs::read_to_string(dir.join("invalid/deep.expect"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    expected.sort();
    for spec in ["openapi30.yaml", "openapi31.json"] {
        let document = read(spec);
        let imported = handoff_core::import::openapi(&document, "Order", "retail-order").unwrap();
        let checker = contract(&imported.yaml);
        for path in &names {
            let payload = std::fs::read(path).unwrap();
            let findings: Vec<String> = checker
                .check(&payload)
                .into_iter()
                .map(|f| format!("{} {}", f.kind, f.pointer))
                .collect();
            assert!(
                findings.is_empty(),
                "{spec}: {} fails: {findings:?}\n{}",
                path.display(),
                imported.yaml
            );
        }
        let payload = std::fs::read(dir.join("invalid/deep.json")).unwrap();
        let mut found: Vec<String> = checker
            .check(&payload)
            .into_iter()
            .map(|f| format!("{} {}", f.kind, f.pointer))
            .collect();
        found.sort();
        assert_eq!(found, expected, "{spec}\n{}", imported.yaml);
    }
}

/// Every `handoff import` command README.md and docs/import.md show runs as shown (in a copy
/// of the repository's test files), exits 0 and writes its contract.
#[test]
fn every_import_command_in_the_docs_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    common::copy_dir(
        &root.join("tests/import"),
        &work.path().join("tests/import"),
    );
    let mut ran = 0;
    for doc in ["README.md", "docs/import.md"] {
        let text = std::fs::read_to_string(root.join(doc)).unwrap();
        for line in text.lines().map(str::trim) {
            let Some(command) = line.strip_prefix("handoff import ") else {
                continue;
            };
            let command = command.split(" # ").next().unwrap().trim();
            let args: Vec<String> = command
                .split_whitespace()
                .map(|a| a.trim_matches('\'').to_string())
                .collect();
            let out = common::handoff(env!("CARGO_MANIFEST_DIR"))
                .arg("import")
                .args(&args)
                .current_dir(work.path())
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{doc}: handoff import {command}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let wrote = match args.iter().position(|a| a == "-o") {
                Some(i) => work.path().join(&args[i + 1]).exists(),
                None => !out.stdout.is_empty(),
            };
            assert!(wrote, "{doc}: handoff import {command} wrote nothing");
            ran += 1;
        }
        // The next document's `-o` targets start afresh.
        let _ = std::fs::remove_dir_all(work.path().join("contracts"));
        let _ = std::fs::remove_file(work.path().join("notification.yaml"));
    }
    assert!(ran >= 9, "only {ran} import commands found in the docs");
}

/// A schema recursive through a raw `anyOf` (`#` inside itself) imports as a type the fragment
/// refers to, and `$ref` written as data in `enum` or `const` stays data.
#[test]
fn self_recursion_through_any_of_and_refs_as_data() {
    let source = json!({"type": "object", "properties": {
        "next": {"anyOf": [{"$ref": "#"}, {"type": "string"}]},
        "c": {"const": {"$ref": "#"}}
    }});
    let imported = handoff_core::import::json_schema(&source, None, "self").unwrap();
    assert!(
        imported
            .yaml
            .contains(r##"{"anyOf":[{"$ref":"#/$defs/Root"},{"type":"string"}]"##),
        "{}",
        imported.yaml
    );
    assert!(
        imported.yaml.contains(r##"{"const":{"$ref":"#"}"##),
        "{}",
        imported.yaml
    );
    let checker = contract(&imported.yaml);
    let reference = jsonschema::validator_for(&source).unwrap();
    for instance in [
        json!({"next": {"next": {"next": "end"}}}),
        json!({"next": {"next": {"next": 5}}}),
        json!({"c": {"$ref": "#"}}),
        json!({"c": {"$ref": "#/x"}}),
    ] {
        assert_eq!(
            checker.accepts(&instance),
            reference.is_valid(&instance),
            "{instance}"
        );
    }
}

/// `--all --root NAME`: every component schema as a declared type of one contract, rooted at
/// the named one; it checks that schema's payloads as its own import does.
#[test]
fn one_contract_can_hold_every_schema_of_a_document() {
    let text = std::fs::read_to_string("tests/import/retail/openapi30.yaml").unwrap();
    let document: Value = serde_saphyr::from_str(&text).unwrap();
    let imported = handoff_core::import::openapi_types(
        &document,
        "Order",
        "retail",
        &handoff_core::import::Options::default(),
    )
    .unwrap();
    let checker = contract(&imported.yaml);
    let mut declared: Vec<&str> = imported
        .yaml
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && l.ends_with(':'))
        .map(|l| l.trim().trim_end_matches(':'))
        .collect();
    declared.sort();
    assert_eq!(
        declared,
        [
            "Address",
            "CardPayment",
            "Category",
            "Customer",
            "GiftCardPayment",
            "LineItem",
            "Money",
            "Order",
            "Product"
        ]
    );
    assert!(
        imported.yaml.contains("root:\n  type: Order\n"),
        "{}",
        imported.yaml
    );
    for name in ["full", "nulls", "none-discount-gift-card"] {
        let payload = std::fs::read(format!("tests/import/retail/valid/{name}.json")).unwrap();
        let findings: Vec<String> = checker
            .check(&payload)
            .iter()
            .map(|f| format!("{} {}", f.kind, f.pointer))
            .collect();
        assert!(findings.is_empty(), "{name}: {findings:?}");
    }
    let payload = std::fs::read("tests/import/retail/invalid/deep.json").unwrap();
    assert_eq!(checker.check(&payload).len(), 10);
}

/// `additionalProperties: false` closes one object; the contract's `closed` is inherited by the
/// objects inside, so an open object inside a closed one says `closed: false`, whether or not
/// the root is closed.
#[test]
fn an_open_object_inside_a_closed_one_stays_open() {
    let source = json!({"type": "object", "properties": {"customer": {
        "type": "object", "additionalProperties": false,
        "properties": {"address": {"type": "object", "properties": {"zip": {"type": "string"}}}}
    }}});
    let imported = handoff_core::import::json_schema(&source, None, "nested").unwrap();
    let checker = contract(&imported.yaml);
    let reference = jsonschema::validator_for(&source).unwrap();
    for instance in [
        json!({"customer": {"address": {"zip": "1", "extra": true}}}),
        json!({"customer": {"extra": true}}),
        json!({"other": 1}),
    ] {
        assert_eq!(
            checker.accepts(&instance),
            reference.is_valid(&instance),
            "{instance}\n{}",
            imported.yaml
        );
    }
}
