//! One fixture per violation kind: `tests/kinds/<kind>/` holds a contract and a payload that
//! must produce findings of exactly that kind. The findings themselves are snapshotted, so any
//! change to a message, pointer, value, contract line or suggestion shows up in review.

use handoff_core::finding::{Kind, PayloadResult};
use handoff_core::input::{Framing, Input};
use handoff_core::lint;
use handoff_core::run::{self, Job};
use std::path::{Path, PathBuf};

fn fixture_dir(kind: Kind) -> PathBuf {
    Path::new("tests/kinds").join(kind.id())
}

fn run_fixture(dir: &Path) -> Vec<PayloadResult> {
    let (checker, diags) = lint::prepare(&dir.join("contract.yaml"));
    let checker = checker.unwrap_or_else(|| panic!("{} does not load: {diags:?}", dir.display()));
    let payload = [
        "payload.json",
        "payload.ndjson",
        "payload.edi",
        "payload.csv",
    ]
    .iter()
    .map(|name| dir.join(name))
    .find(|p| p.exists())
    .unwrap_or_else(|| panic!("{} has no payload", dir.display()));
    let max_payload_bytes = std::fs::read_to_string(dir.join("max_payload_bytes"))
        .map(|s| s.trim().parse().expect("max_payload_bytes holds a number"))
        .unwrap_or(run::DEFAULT_MAX_PAYLOAD_BYTES);
    let jobs = [Job {
        checker: &checker,
        inputs: vec![Input::File(payload)],
        csv: None,
    }];
    let options = run::Options {
        framing: Framing::Auto,
        max_payload_bytes,
        ..run::Options::default()
    };
    let mut results = Vec::new();
    run::execute(&jobs, &options, &mut |r| results.push(r));
    results
}

#[test]
fn every_kind_has_a_fixture() {
    let missing: Vec<&str> = Kind::ALL
        .iter()
        .filter(|k| !fixture_dir(**k).is_dir())
        .map(|k| k.id())
        .collect();
    assert!(
        missing.is_empty(),
        "kinds without a fixture under tests/kinds: {missing:?}"
    );
}

#[test]
fn every_fixture_is_a_kind() {
    for entry in std::fs::read_dir("tests/kinds").unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            Kind::from_id(&name).is_some(),
            "tests/kinds/{name} is not a violation kind"
        );
    }
}

#[test]
fn each_fixture_produces_exactly_its_kind() {
    for kind in Kind::ALL {
        let dir = fixture_dir(*kind);
        let results = run_fixture(&dir);
        let findings: Vec<_> = results.iter().flat_map(|r| &r.findings).collect();
        assert!(!findings.is_empty(), "{}: no findings", dir.display());
        for f in &findings {
            assert_eq!(
                f.kind,
                *kind,
                "{}: unexpected finding {f:#?}",
                dir.display()
            );
        }
        insta::with_settings!({ snapshot_suffix => kind.id(), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("kind", serde_json::to_string_pretty(&results).unwrap());
        });
    }
}
