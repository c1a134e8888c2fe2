//! Property tests for reconcile's parsers and judge: the flow reader never panics on any text,
//! pointers read payloads exactly as `serde_json` does, durations read as written, and judging
//! any timeline of messages never panics and gives each expectation one outcome.

use handoff_reports::reconcile::flow::{Pointer, parse_duration};
use handoff_reports::reconcile::gaps::{GapKind, Outcome, judge};
use handoff_reports::reconcile::message::Message;
use handoff_reports::reconcile::read;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::path::Path;

fn returns_flow_text() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/flows/flows/returns.yaml"),
    )
    .unwrap()
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| json!(n)),
        "[a-z~/0-9]{0,4}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z~/01]{0,3}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_flow_reader_never_panics_on_any_text(text in "\\PC{0,300}") {
        let _ = read::parse(Path::new("flow.yaml"), &text);
    }

    #[test]
    fn the_flow_reader_never_panics_on_a_damaged_flow(cut in 0usize..4000, len in 0usize..40, insert in "[ :\\-\\[\\]{}a-z/\n]{0,6}") {
        let text = returns_flow_text();
        let start = cut.min(text.len());
        let end = (start + len).min(text.len());
        if text.is_char_boundary(start) && text.is_char_boundary(end) {
            let damaged = format!("{}{insert}{}", &text[..start], &text[end..]);
            let _ = read::parse(Path::new("flow.yaml"), &damaged);
        }
    }

    #[test]
    fn pointers_read_what_serde_json_reads(value in json_value(), steps in prop::collection::vec("[a-z~/01]{0,3}", 0..4)) {
        let text: String = steps.iter().map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1"))).collect();
        let pointer = Pointer::new(text.clone(), Default::default());
        prop_assert_eq!(pointer.get(&value), value.pointer(&text));
        // Text that is not a pointer names nothing, as for serde_json.
        let bare = text.trim_start_matches('/').to_string();
        if !bare.is_empty() {
            prop_assert_eq!(Pointer::new(bare.clone(), Default::default()).get(&value), value.pointer(&bare));
        }
    }

    #[test]
    fn durations_read_as_written(d in 0i64..400, h in 0i64..48, m in 0i64..600, s in 0i64..100_000) {
        prop_assert_eq!(parse_duration(&format!("{d}d{h}h{m}m{s}s")), Ok(d * 86_400 + h * 3600 + m * 60 + s));
        prop_assert_eq!(parse_duration(&format!("{h}h")), Ok(h * 3600));
    }

    #[test]
    fn judging_any_timeline_gives_each_expectation_one_outcome(
        raw in prop::collection::vec((0usize..4, prop::option::of(0i64..400_000), prop::option::of(0usize..7), prop::option::of(0u32..3), prop::option::of(0u8..3), prop::option::of(0u8..2)), 0..14),
        as_of in 0i64..500_000,
    ) {
        let flow = read::parse(Path::new("returns.yaml"), &returns_flow_text()).unwrap();
        let mut messages: Vec<Message> = raw
            .iter()
            .enumerate()
            .map(|(i, (system, time, state, amount, id, identity))| Message {
                system: *system,
                seq: i as u64,
                key: "1".into(),
                raw_key: "1".into(),
                time: *time,
                raw_time: None,
                // Only states the system can say.
                state: state.filter(|s| flow.expresses(*system, *s)),
                raw_state: None,
                amount: amount.map(|a| format!("{}.5", a)),
                raw_amount: None,
                currency: Some(if *amount == Some(2) { "CAD" } else { "USD" }.into()),
                id: id.map(|n| format!("m{n}")),
                identity: identity.map(|n| format!("o{n}")),
                file: "f".into(),
                line: Some(i as u64 + 1),
                findings: 0,
                ambiguous_time: false,
            })
            .collect();
        messages.sort_by_key(|m| (m.time.is_none(), m.time, m.seq));
        let judged = judge(&flow, "1", &messages, as_of);
        let mut zones: Vec<usize> = judged.outcomes.iter().map(|(z, _)| *z).collect();
        zones.dedup();
        prop_assert_eq!(zones.len(), judged.outcomes.len(), "one outcome per expectation");
        for (zone, outcome) in &judged.outcomes {
            let name = &flow.expect[*zone].name;
            let kinds: Vec<GapKind> = judged.gaps.iter().filter(|g| g.zone.as_deref() == Some(name.as_str())).map(|g| g.kind).collect();
            match outcome {
                Outcome::Missing => prop_assert!(kinds.contains(&GapKind::MissingCounterpart)),
                Outcome::Late => prop_assert!(kinds.contains(&GapKind::LateCounterpart)),
                Outcome::Pending => prop_assert!(kinds.is_empty()),
                Outcome::Met => prop_assert!(!kinds.contains(&GapKind::MissingCounterpart) && !kinds.contains(&GapKind::LateCounterpart)),
            }
        }
        for g in &judged.gaps {
            prop_assert!(!g.evidence.is_empty());
            prop_assert!(!g.fix.is_empty(), "{:?} has no fix", g.kind);
        }
    }
}
