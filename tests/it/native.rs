//! The two engines give one answer. The native engine (handoff_core::native) decides most
//! payloads from a borrowed parse and leaves the rest to the exact `jsonschema` path; whatever
//! it decides must be what the exact path says. Held on every contract of the project against
//! every fixture payload, on the JSON-Schema-Test-Suite's schemas and data, and on generated
//! schemas with values generated to meet and to break each keyword. Failing payloads always
//! take the exact path, so their findings are the exact path's by construction; these tests
//! hold the verdicts.

use handoff_core::check::Checker;
use handoff_core::compile::{Compiled, Origins};
use handoff_core::engine::Engine;
use handoff_core::native::{Native, Verdict};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn files(dir: &Path, ext: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, ext, out);
        } else if path
            .extension()
            .is_some_and(|e| ext.iter().any(|x| e == *x))
        {
            out.push(path);
        }
    }
}

/// Each payload of the fixtures: whole JSON files, and each line of NDJSON files.
fn payloads() -> Vec<(String, Vec<u8>)> {
    let mut paths = Vec::new();
    files(Path::new("fixtures"), &["json", "ndjson"], &mut paths);
    let mut out = Vec::new();
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        if name.ends_with(".ndjson") {
            for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
                if !line.iter().all(u8::is_ascii_whitespace) {
                    out.push((format!("{name}:{}", i + 1), line.to_vec()));
                }
            }
        } else {
            out.push((name, bytes));
        }
    }
    out
}

#[test]
fn every_contract_and_fixture_payload_get_one_verdict_from_both_engines() {
    let mut contracts = Vec::new();
    files(Path::new("contracts"), &["yaml"], &mut contracts);
    let payloads = payloads();
    assert!(payloads.len() > 100, "{} fixture payloads", payloads.len());
    let (mut decided, mut valid_natively, mut valid, mut compared) = (0, 0, 0, 0);
    for contract in &contracts {
        let (Some(checker), _) = handoff_core::lint::prepare(contract) else {
            continue;
        };
        let (Some(exact_only), _) = handoff_core::lint::prepare(contract) else {
            continue;
        };
        let exact_only = exact_only.with_native(false);
        for (i, (name, bytes)) in payloads.iter().enumerate() {
            let (native, exact) = checker.verdicts(bytes);
            let native = native.expect("every contract has a native engine");
            // The findings, whichever engine judged the schema (every fifth pair: the findings
            // of failing payloads cost more than a debug build's test wants to spend on all).
            if i % 5 == 0 {
                assert_eq!(
                    checker.check(bytes),
                    exact_only.check(bytes),
                    "{}: {name} gets other findings with --engine jsonschema",
                    contract.display()
                );
                compared += 1;
            }
            match native {
                Verdict::Valid => assert!(
                    exact,
                    "{}: the native engine accepts {name}, the exact path does not",
                    contract.display()
                ),
                Verdict::Invalid => assert!(
                    !exact,
                    "{}: the native engine refuses {name}, the exact path accepts it",
                    contract.display()
                ),
                Verdict::Unknown => {}
            }
            decided += usize::from(native != Verdict::Unknown);
            valid += usize::from(exact);
            valid_natively += usize::from(native == Verdict::Valid);
        }
    }
    eprintln!(
        "native engine: {decided} verdicts decided natively; {valid_natively} of {valid} valid \
         payloads accepted natively; {compared} payloads' findings equal with --engine jsonschema"
    );
    assert!(compared > 2000, "{compared}");
    // Every valid pair is accepted natively: the contracts use only keywords it knows.
    assert_eq!(valid_natively, valid);
    assert!(decided > payloads.len(), "{decided}");
}

fn suite() -> Option<PathBuf> {
    crate::common::json_schema_suite()
}

fn engines(schema: &Value) -> Option<(Native, Engine)> {
    let compiled = Compiled {
        schema: schema.clone(),
        origins: Origins::default(),
        date_patterns: Vec::new(),
    };
    let engine = Engine::build(&compiled).ok()?;
    Some((Native::compile(schema, &[]), engine))
}

#[test]
fn the_json_schema_test_suite_gets_one_verdict_from_both_engines() {
    let Some(dir) = suite() else {
        return;
    };
    let mut paths = Vec::new();
    files(&dir.join("tests/draft2020-12"), &["json"], &mut paths);
    paths.retain(|p| !p.components().any(|c| c.as_os_str() == "optional"));
    let (mut tests, mut decided) = (0, 0);
    for path in paths {
        let groups: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for group in groups.as_array().unwrap() {
            let Some((native, engine)) = engines(&group["schema"]) else {
                continue;
            };
            for test in group["tests"].as_array().unwrap() {
                let data = &test["data"];
                let text = serde_json::to_string(data).unwrap();
                let verdict = native.verdict(text.as_bytes());
                let exact = engine.is_valid(data);
                tests += 1;
                if verdict != Verdict::Unknown {
                    decided += 1;
                    assert_eq!(
                        verdict == Verdict::Valid,
                        exact,
                        "{} / {} / {}: native {verdict:?}, exact {exact}",
                        path.display(),
                        group["description"],
                        test["description"]
                    );
                }
            }
        }
    }
    eprintln!(
        "native engine on the JSON-Schema-Test-Suite: {decided} of {tests} tests decided natively, all as the exact path"
    );
    assert!(tests > 1000 && decided * 2 > tests, "{decided} of {tests}");
}

/// A schema of the keywords handoff's compiler writes, nested.
fn schema() -> impl Strategy<Value = Value> {
    let string = (
        prop::option::of(0u64..4),
        prop::option::of(1u64..6),
        prop::option::of(prop::sample::select(vec![
            "^[A-Z]{3}-[0-9]{4}$",
            "^-?[0-9]+\\.[0-9]{2}$",
            "^\\S*$",
            "é",
        ])),
        prop::option::of(prop::sample::select(vec![
            "date-time",
            "date",
            "uuid",
            "email",
            "currency",
            "country:lower",
            "%Y-%m-%d",
        ])),
        prop::option::of(prop::sample::subsequence(
            vec![
                json!("a"),
                json!("é"),
                json!("ABC-1234"),
                json!(null),
                json!(1),
            ],
            1..4,
        )),
        any::<bool>(),
    )
        .prop_map(|(min, max, pattern, format, options, bytes)| {
            let mut s = json!({"type": "string"});
            if let Some(n) = min {
                s["minLength"] = json!(n);
            }
            if let Some(n) = max {
                s[if bytes {
                    "x-handoff-max-bytes"
                } else {
                    "maxLength"
                }] = json!(n);
            }
            if let Some(p) = pattern {
                s["allOf"] = json!([{"pattern": p}]);
            }
            if let Some(f) = format {
                s["format"] = json!(f);
            }
            if let Some(o) = options {
                s["enum"] = json!(o);
                s["type"] = json!(["string", "null", "integer"]);
            }
            s
        });
    let number = (
        prop::sample::select(vec![
            json!("integer"),
            json!("number"),
            json!(["integer", "null"]),
        ]),
        prop::option::of(prop::sample::select(vec![
            ("minimum", json!(1)),
            ("maximum", json!(99.5)),
            ("exclusiveMinimum", json!(0)),
            ("exclusiveMaximum", json!(1000.0000000000000001)),
        ])),
        prop::option::of((0u32..3, any::<bool>())),
    )
        .prop_map(|(ty, bound, places)| {
            let mut s = json!({"type": ty});
            if let Some((k, v)) = bound {
                s[k] = v;
            }
            if let Some((places, exact)) = places {
                s["x-handoff-decimal"] = json!({"places": places, "exact": exact});
            }
            s
        });
    let leaf = prop_oneof![
        string,
        number,
        Just(json!({"type": "boolean"})),
        Just(json!(true)),
        Just(json!({})),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            (
                prop::collection::btree_map(
                    prop::sample::select(vec!["a", "b", "c"]),
                    inner.clone(),
                    0..3
                ),
                prop::sample::subsequence(vec!["a", "b", "c"], 0..3),
                prop::option::of(prop_oneof![Just(json!(false)), inner.clone()]),
            )
                .prop_map(|(properties, required, additional)| {
                    let mut s =
                        json!({"type": "object", "properties": properties, "required": required});
                    if let Some(a) = additional {
                        s["additionalProperties"] = a;
                    }
                    s
                }),
            (
                inner.clone(),
                prop::option::of(0u64..3),
                prop::option::of(1u64..4),
                any::<bool>()
            )
                .prop_map(|(items, min, max, unique)| {
                    let mut s = json!({"type": "array", "items": items, "uniqueItems": unique});
                    if let Some(n) = min {
                        s["minItems"] = json!(n);
                    }
                    if let Some(n) = max {
                        s["maxItems"] = json!(n);
                    }
                    s
                }),
            prop::collection::vec(inner.clone(), 1..3).prop_map(|l| json!({"anyOf": l})),
            prop::collection::vec(inner.clone(), 1..3).prop_map(|l| json!({"oneOf": l})),
            inner.clone().prop_map(|s| json!({"not": s})),
            (inner.clone(), inner.clone(), inner)
                .prop_map(|(i, t, e)| json!({"if": i, "then": t, "else": e})),
        ]
    })
}

/// Values from the vocabulary the schemas speak: strings that meet or just miss each pattern,
/// format and length, numbers at the bounds and with each number of places, the members the
/// objects name.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        prop::sample::select(vec![
            json!("a"),
            json!("é"),
            json!(""),
            json!("ABC-1234"),
            json!("abc-1234"),
            json!("12.50"),
            json!("12.5"),
            json!("a b"),
            json!("2026-12-08T01:02:03Z"),
            json!("2026-12-08T01:02:03"),
            json!("2026-02-30"),
            json!("2026-12-08"),
            json!("3e57821b-6396-4022-9e52-7ff9160ef7a4"),
            json!("someone@example.com"),
            json!("USD"),
            json!("usd"),
            json!("us"),
            json!("\u{1F600}\u{1F600}"),
            json!(null),
            json!(true),
            json!(false),
        ]),
        prop::sample::select(vec![
            "0",
            "1",
            "-1",
            "1.0",
            "2.50",
            "99.5",
            "99.51",
            "1000",
            "1000.0000000000000001",
            "1000.0000000000000000",
            "1e2",
            "0.001",
            "-0",
        ])
        .prop_map(|t| Value::Number(t.parse().unwrap())),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec!["a", "b", "c", "d"]),
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn generated_schemas_and_values_get_one_verdict_from_both_engines(
        schema in schema(),
        values in prop::collection::vec(value(), 1..8),
    ) {
        let patterns = vec![handoff_core::format::Strftime::parse("%Y-%m-%d").unwrap()];
        let compiled = Compiled { schema: schema.clone(), origins: Origins::default(), date_patterns: patterns.clone() };
        let engine = Engine::build(&compiled).unwrap();
        let native = Native::compile(&schema, &patterns);
        for value in values {
            let text = serde_json::to_string(&value).unwrap();
            let verdict = native.verdict(text.as_bytes());
            let exact = engine.is_valid(&value);
            if verdict != Verdict::Unknown {
                prop_assert_eq!(verdict == Verdict::Valid, exact, "schema {} value {}", schema, text);
            }
        }
    }
}

#[test]
fn a_payload_the_native_engine_refuses_is_explained_by_the_exact_path() {
    let (checker, _) = handoff_core::lint::prepare(Path::new(
        "contracts/payment-status-to-storefront/2.0.0.yaml",
    ));
    let checker: Checker = checker.unwrap();
    let payload = br#"{"live": "yes"}"#;
    assert_eq!(checker.verdicts(payload), (Some(Verdict::Invalid), false));
    let findings = checker.check(payload);
    let found: Vec<String> = findings
        .iter()
        .map(|f| format!("{} {}", f.kind.id(), f.pointer))
        .collect();
    assert!(
        found.contains(&"unknown_enum_value /live".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"missing_required /psp_reference".to_string()),
        "{found:?}"
    );
    // With --engine jsonschema there is no native verdict, and the same findings.
    let exact_only = handoff_core::lint::prepare(Path::new(
        "contracts/payment-status-to-storefront/2.0.0.yaml",
    ))
    .0
    .unwrap()
    .with_native(false);
    assert_eq!(exact_only.verdicts(payload), (None, false));
    assert_eq!(exact_only.check(payload), findings);
}
