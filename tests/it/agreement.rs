//! `handoff diff` agrees with `handoff check`: over every fixture pair in `fixtures/diff/`,
//! payloads are generated around the pair's contract (valid ones, and near misses on every
//! field) and judged by the real checker of each version.
//!
//! - When diff reports no change that breaks senders, every payload the old version accepts,
//!   the new one accepts too (a "compatible for senders" verdict is never wrong).
//! - When diff reports a change that breaks only senders (a tightening), some payload the old
//!   version accepts is rejected by the new one (a reported tightening is real).

use handoff_core::check::Checker;
use handoff_core::diff::{self, Breaks, RuleId};
use handoff_core::lint;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};
use std::path::Path;

fn load(rule: RuleId, side: &str) -> Checker {
    let path = Path::new("fixtures/diff").join(rule.id()).join(side);
    let (checker, diags) = lint::prepare(&path);
    checker.unwrap_or_else(|| panic!("{}: {diags:?}", path.display()))
}

/// Payloads shaped like the fixture contracts (fields of `fixtures/diff/*`), with each field
/// sometimes valid, sometimes at or past a boundary, sometimes missing or null.
fn payload() -> impl Strategy<Value = Value> {
    // Mostly valid values (weight 8), with near misses on every field (weight 1 or 2).
    let status = prop_oneof![8 => prop::sample::select(vec!["pending", "paid", "refunded"]), 2 => prop::sample::select(vec!["authorized", "refund", "PAID"])];
    let total = prop_oneof![
        8 => (0u32..100_000).prop_map(|c| json!(format!("{}.{:02}", c / 100, c % 100))),
        1 => (0u32..100_000).prop_map(|c| json!(format!("{}.{}", c / 100, c % 10))),
        1 => (0u32..1000).prop_map(|c| json!(c.to_string())),
    ];
    let quantity = prop_oneof![8 => (1i64..1000).prop_map(|q| json!(q)), 1 => (-5i64..1200).prop_map(|q| json!(q)), 1 => (0u32..2000).prop_map(|q| json!(f64::from(q) / 4.0)), 1 => Just(json!("3"))];
    let zip = prop_oneof![
        8 => "[0-9]{5}".prop_map(Value::String),
        2 => "[0-9]{3,6}".prop_map(Value::String),
        1 => "[0-9]{5}-[0-9]{4}".prop_map(Value::String),
        1 => Just(json!(94103)),
    ];
    let note = prop_oneof![8 => (0usize..190).prop_map(|n| json!("é".repeat(n / 2))), 2 => (190usize..450).prop_map(|n| json!("é".repeat(n / 2))), 1 => Just(Value::Null)];
    let paid_at = prop_oneof![8 => Just(json!("2024-03-01T14:30:00Z")), 1 => prop::sample::select(vec![json!("2024-03-01"), json!("yesterday"), Value::Null])];
    let tags = prop_oneof![
        8 => prop::collection::btree_set("[a-z]{2,8}", 0..18).prop_map(|t| json!(t)),
        1 => prop::collection::vec(prop::sample::select(vec!["web", "pos", "gift", "web"]), 0..25).prop_map(|t| json!(t)),
    ];
    let email = prop_oneof![8 => Just(json!("a@example.com")), 1 => Just(json!(5))];
    let channel = prop::sample::select(vec![json!("web"), json!("pos"), json!("phone")]);
    // Which members are present: the usual ones mostly, the extra ones rarely.
    let presence = prop::collection::vec(prop_oneof![9 => Just(true), 1 => Just(false)], 9);
    let extras = prop::collection::vec(prop_oneof![1 => Just(true), 6 => Just(false)], 3);
    // Line items and shipping, for the cross-field rule fixtures: the total is mostly their sum.
    let lines = prop::collection::vec(
        (prop::sample::select(vec!["A", "B", "C"]), 0u32..5000),
        0..4,
    );
    let shipping = prop_oneof![3 => (0u32..2000).prop_map(Some), 1 => Just(None)];
    let consistent = prop_oneof![3 => Just(true), 1 => Just(false)];
    // Most fixture contracts are closed and do not declare them: often left out.
    let with_lines = prop_oneof![1 => Just(true), 1 => Just(false)];
    // A metadata map for the `values` fixtures: an undeclared member, short, long or a number.
    let metadata = prop_oneof![
        2 => (0usize..700).prop_map(|n| json!({"source": "web", "gift_note": "x".repeat(n)})),
        1 => Just(json!({"source": "pos", "points": 12})),
        1 => Just(json!({"source": "web"})),
        1 => Just(json!({"source": "web", "Gift-Note": "x"})),
    ];
    (
        (status, total, quantity, zip, note),
        (paid_at, tags, email, channel),
        (presence, extras),
        (lines, shipping, consistent, with_lines, metadata),
    )
        .prop_map(
            |(
                (status, total, quantity, zip, note),
                (paid_at, tags, email, channel),
                (present, extra),
                (lines, shipping, consistent, with_lines, metadata),
            )| {
                let cents = |c: u32| json!(format!("{}.{:02}", c / 100, c % 100));
                let sum: u32 = lines.iter().map(|(_, p)| p).sum::<u32>() + shipping.unwrap_or(0);
                let total = if consistent && with_lines {
                    cents(sum)
                } else {
                    total
                };
                let mut m = Map::new();
                let mut put = |on: bool, key: &str, value: Value| {
                    if on {
                        m.insert(key.to_string(), value);
                    }
                };
                put(present[0], "order_id", json!("A-1"));
                put(present[1], "status", json!(status));
                put(present[2], "total", total);
                put(present[3], "quantity", quantity);
                put(present[4], "zip", zip.clone());
                put(present[5], "note", note);
                put(present[6], "paid_at", paid_at);
                put(present[7], "tags", tags);
                put(present[8], "customer", json!({"email": email}));
                put(extra[0], "channel", channel);
                put(extra[1], "postal_code", zip);
                put(extra[2], "extra", json!(true));
                if !with_lines {
                    return Value::Object(m);
                }
                m.insert("metadata".into(), metadata);
                // An event for the union fixtures: each case, and a case neither knows.
                let event = match lines.len() % 3 {
                    0 => json!({"type": "charge", "amount": 5}),
                    1 => json!({"type": "refund", "refund_id": "re_1"}),
                    _ => json!({"type": "dispute"}),
                };
                m.insert("event".into(), event);
                if let Some(s) = shipping {
                    m.insert("shipping".into(), cents(s));
                }
                let lines: Vec<Value> = lines
                    .iter()
                    .map(|(sku, price)| json!({"sku": sku, "price": cents(*price)}))
                    .collect();
                m.insert("lines".into(), json!(lines));
                Value::Object(m)
            },
        )
}

fn samples(count: usize) -> Vec<Value> {
    let mut runner = TestRunner::new(Config {
        rng_seed: proptest::test_runner::RngSeed::Fixed(20261122),
        ..Config::default()
    });
    let strategy = payload();
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).expect("a payload").current())
        .collect()
}

#[test]
fn diff_verdicts_agree_with_the_validator() {
    let payloads = samples(4000);
    for rule in RuleId::ALL {
        let (old, new) = (load(*rule, "before.yaml"), load(*rule, "after.yaml"));
        let changes = diff::diff(old.contract(), new.contract());
        let accepted_by_old: Vec<&Value> = payloads.iter().filter(|p| old.accepts(p)).collect();
        assert!(
            accepted_by_old.len() >= 20,
            "{rule}: the generator found only {} payloads the old version accepts",
            accepted_by_old.len()
        );
        let rejected_by_new = accepted_by_old.iter().find(|p| !new.accepts(p));
        let breaks_senders = changes
            .iter()
            .any(|c| matches!(c.breaks, Breaks::Sender | Breaks::Both));
        if !breaks_senders {
            assert!(
                rejected_by_new.is_none(),
                "{rule}: diff says senders are unaffected, but the new version rejects {}",
                rejected_by_new.unwrap()
            );
        }
        if changes.iter().any(|c| c.breaks == Breaks::Sender) {
            assert!(
                rejected_by_new.is_some(),
                "{rule}: diff reports a tightening, but no payload the old version accepts is rejected by the new one"
            );
        }
    }
}
