//! The example boundaries: every payload under `fixtures/<boundary>/valid/` must pass, and every
//! payload under `fixtures/<boundary>/invalid/` must produce exactly the findings its `.expect`
//! file lists (`kind pointer`, or `line kind pointer` for NDJSON, X12 and CSV, where the line is
//! the record's: the NDJSON line, the transaction set's ST, the CSV row) - no more, no fewer.

use handoff_core::finding::PayloadResult;
use handoff_core::input;
use handoff_core::lint;
use handoff_core::registry::Registry;
use handoff_core::run::{self, Job};
use handoff_reports::config;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every result of checking the project's own handoff.yaml, by payload file.
fn project_results() -> BTreeMap<String, Vec<PayloadResult>> {
    let cfg = config::load(Path::new("handoff.yaml")).expect("handoff.yaml loads");
    let registry = Registry::new(cfg.base.join(&cfg.contracts));
    let mut checkers = Vec::new();
    let mut inputs = Vec::new();
    for spec in &cfg.checks {
        let path = registry
            .resolve(&spec.contract, Path::new("."))
            .expect("contract resolves");
        let (checker, diags) = lint::prepare(&path);
        checkers.push(checker.unwrap_or_else(|| panic!("{} is broken: {diags:?}", path.display())));
        let expanded = input::expand(
            &spec.inputs,
            Path::new("."),
            &handoff_core::reach::Reach::anywhere(),
        );
        assert!(expanded.errors.is_empty(), "{:?}", expanded.errors);
        inputs.push((expanded.inputs, spec.csv.clone()));
    }
    let jobs: Vec<Job> = checkers
        .iter()
        .zip(inputs)
        .map(|(checker, (inputs, csv))| Job {
            checker,
            inputs,
            csv,
        })
        .collect();
    let mut by_file: BTreeMap<String, Vec<PayloadResult>> = BTreeMap::new();
    run::execute(&jobs, &run::Options::default(), &mut |r| {
        by_file
            .entry(r.source.path.to_string())
            .or_default()
            .push(r)
    });
    by_file
}

fn expectation_file(payload: &str) -> PathBuf {
    Path::new(payload).with_extension("expect")
}

fn parse_expectations(path: &Path, ndjson: bool) -> Vec<String> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|_| panic!("{} is missing", path.display()));
    let mut lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let parts: Vec<&str> = l.split_whitespace().collect();
            let (line, rest) = if ndjson {
                (parts[0], &parts[1..])
            } else {
                ("", &parts[..])
            };
            // A payload-level finding has no pointer.
            let kind = rest[0];
            let pointer = rest.get(1).copied().unwrap_or("");
            format!("{line} {kind} {pointer}").trim().to_string()
        })
        .collect();
    lines.sort();
    lines
}

fn actual(results: &[PayloadResult]) -> Vec<String> {
    let mut lines: Vec<String> = results
        .iter()
        .flat_map(|r| {
            r.findings.iter().map(move |f| {
                let line = r.source.line.map(|l| l.to_string()).unwrap_or_default();
                format!("{line} {} {}", f.kind, f.pointer)
                    .trim()
                    .to_string()
            })
        })
        .collect();
    lines.sort();
    lines
}

#[test]
fn valid_fixtures_pass_and_invalid_ones_fail_exactly_as_expected() {
    let results = project_results();
    assert!(
        results.len() >= 10,
        "expected the example fixtures, found {}",
        results.len()
    );
    let mut checked_invalid = 0;
    for (file, payloads) in &results {
        if file.contains("/valid/") {
            let found = actual(payloads);
            assert!(
                found.is_empty(),
                "{file} should pass but has findings: {found:#?}"
            );
        } else {
            assert!(
                file.contains("/invalid/"),
                "{file} is neither under valid/ nor invalid/"
            );
            let expected = parse_expectations(
                &expectation_file(file),
                input::shape_of(Path::new(file)) != input::Shape::Json,
            );
            assert_eq!(
                actual(payloads),
                expected,
                "{file}: findings differ from {}",
                expectation_file(file).display()
            );
            checked_invalid += 1;
        }
    }
    assert!(checked_invalid >= 6);
}

/// Directories of fixtures/ that are not one boundary's captures: contract version pairs for
/// `handoff diff` (tests/it/diff.rs), the example exception log for `handoff triage`
/// (tests/it/triage.rs), and the two example projects for `handoff reconcile` (tests/it/reconcile.rs,
/// tests/it/reconcile_dst.rs).
const NOT_BOUNDARIES: &[&str] = &["diff", "exceptions", "flows", "returns-dst"];

#[test]
fn every_boundary_has_passing_and_failing_captures() {
    let results = project_results();
    for boundary in std::fs::read_dir("fixtures").unwrap() {
        let name = boundary.unwrap().file_name().into_string().unwrap();
        if NOT_BOUNDARIES.contains(&name.as_str()) {
            continue;
        }
        for side in ["valid", "invalid"] {
            let prefix = format!("fixtures/{name}/{side}/");
            assert!(
                results.keys().any(|k| k.starts_with(&prefix)),
                "no payloads under {prefix}"
            );
        }
    }
}

#[test]
fn every_expect_file_has_its_payload() {
    for boundary in std::fs::read_dir("fixtures").unwrap() {
        let boundary = boundary.unwrap().path();
        if NOT_BOUNDARIES.iter().any(|n| boundary.ends_with(n)) {
            continue;
        }
        let dir = boundary.join("invalid");
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "expect") {
                let has_payload = ["json", "ndjson", "jsonl", "edi", "x12", "csv", "tsv"]
                    .iter()
                    .any(|ext| path.with_extension(ext).exists());
                assert!(has_payload, "{} has no payload beside it", path.display());
            }
        }
    }
}
