//! The core's public API gives what the command line reports: `Checker::check_reader` over each
//! shipped capture (JSON, NDJSON, X12, CSV) yields, result for result, the JSON `handoff check`
//! writes for it (the report lists the payloads with findings); and a stream with a broken record goes on past it.

use handoff_core::{Redact, Shape, load_reference};
use std::collections::BTreeMap;

#[test]
fn check_reader_gives_the_results_the_command_line_reports() {
    let out = crate::common::handoff(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The command line's results, per source file, in order.
    let mut by_file: BTreeMap<String, (String, Vec<serde_json::Value>)> = BTreeMap::new();
    for result in report["results"].as_array().unwrap() {
        let path = result["source"]["path"].as_str().unwrap().to_string();
        let contract = result["contract"].as_str().unwrap().to_string();
        by_file
            .entry(path)
            .or_insert_with(|| (contract, Vec::new()))
            .1
            .push(result.clone());
    }
    let mut shapes = std::collections::BTreeSet::new();
    for (path, (contract, expected)) in &by_file {
        let checker = load_reference("contracts".as_ref(), contract, Redact::Sensitive).unwrap();
        let shape = handoff_core::input::shape_of(path.as_ref());
        shapes.insert(format!("{shape:?}"));
        let file = std::fs::File::open(path).unwrap();
        let mut got = Vec::new();
        let mut conforming = 0;
        let read = checker.check_reader(file, shape, path, |r| {
            if r.findings.is_empty() {
                conforming += 1;
            } else {
                got.push(serde_json::to_value(&r).unwrap())
            }
        });
        // The JSON report lists the payloads with findings; every payload read is one or the
        // other.
        assert_eq!(read as usize, got.len() + conforming);
        assert_eq!(&got, expected, "{path} against {contract}");
    }
    // Every kind of stream was compared, not only JSON documents.
    assert_eq!(
        shapes.into_iter().collect::<Vec<_>>(),
        ["Csv", "Json", "Ndjson", "X12"],
        "{:?}",
        by_file.keys()
    );
}

#[test]
fn a_broken_record_in_a_stream_is_a_result_and_the_next_is_read() {
    let checker = load_reference(
        "contracts".as_ref(),
        "payment-status-to-storefront@^2",
        Redact::Sensitive,
    )
    .unwrap();
    let stream = b"{\"payment_id\": 1}\n{not json\n\n{\"payment_id\": 2}\n";
    let mut results = Vec::new();
    let read = checker.check_reader(&stream[..], Shape::Ndjson, "events.ndjson", |r| {
        results.push((
            r.source.to_string(),
            r.findings.iter().map(|f| f.kind.id()).next(),
        ))
    });
    assert_eq!(read, 3, "the blank line is not a payload");
    assert_eq!(results[1], ("events.ndjson:2".into(), Some("invalid_json")));
    assert_eq!(results[2].0, "events.ndjson:4");
    assert!(
        results[2].1.is_some(),
        "the record after the broken one was checked"
    );
}
