//! One fixture per gap kind (tests/gaps/<kind>.yaml), and one clean: a few captures of the
//! example project's four systems, and the exact gaps `handoff reconcile` must report for them.
//! Each fixture is run in a scratch project with the example's contracts and returns flow.

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

type Map<V> = std::collections::BTreeMap<String, V>;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    as_of: String,
    captures: Map<String>,
    expect: Vec<String>,
    /// Entity key -> status (`in_agreement`, `pending`, `gaps`).
    #[serde(default)]
    status: Map<String>,
    /// Entity key -> exactly what its view says it waits for.
    #[serde(default)]
    waiting: Map<Vec<String>>,
    /// `kind entity` -> how many messages the gap shows.
    #[serde(default)]
    evidence: Map<usize>,
    /// Expectation name -> its counts (those not named are zero).
    #[serde(default)]
    zones: Map<Map<u64>>,
}

/// A project with the example's contracts and flow, and only the fixture's captures.
fn project(name: &str, fixture: &Fixture) -> PathBuf {
    // Tests run at once and may run the same fixture: each run its own directory.
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir =
        std::env::temp_dir().join(format!("handoff-gaps-{}-{name}-{run}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let example = Path::new(ROOT).join("fixtures/flows");
    common::copy_dir(&example.join("contracts"), &dir.join("contracts"));
    common::copy_dir(&example.join("flows"), &dir.join("flows"));
    std::fs::write(
        dir.join("handoff.yaml"),
        // A project for reconcile alone: no `checks`.
        "contracts: contracts\n",
    )
    .unwrap();
    let captures = dir.join("captures");
    std::fs::create_dir_all(captures.join("erp")).unwrap();
    // Every input the flow names exists, empty unless the fixture fills it.
    std::fs::write(captures.join("portal.ndjson"), "").unwrap();
    std::fs::write(captures.join("processor.ndjson"), "").unwrap();
    std::fs::write(captures.join("erp/empty.ndjson"), "").unwrap();
    std::fs::write(
        captures.join("pos-returns.csv"),
        "rma_number,order_number,store_id,business_date,time,status,refund_total\n",
    )
    .unwrap();
    for (file, text) in &fixture.captures {
        std::fs::write(captures.join(file), text).unwrap();
    }
    dir
}

fn run(name: &str) -> (Vec<String>, Vec<String>, serde_json::Value) {
    let (got, expected, flow, _) =
        run_file(&Path::new(ROOT).join(format!("tests/gaps/{name}.yaml")));
    (got, expected, flow)
}

fn run_file(path: &Path) -> (Vec<String>, Vec<String>, serde_json::Value, Fixture) {
    let name = path.file_stem().unwrap().to_str().unwrap();
    let fixture: Fixture = serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let dir = project(name, &fixture);
    let out = common::handoff(&dir)
        .args([
            "reconcile",
            "--flow",
            "returns",
            "--as-of",
            &fixture.as_of,
            "--format",
            "json",
            "--views",
            "all",
        ])
        .output()
        .unwrap();
    let expected_code = if fixture.expect.is_empty() { 0 } else { 1 };
    assert_eq!(
        out.status.code(),
        Some(expected_code),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let flow = doc["flows"][0].clone();
    let mut got: Vec<String> = common::gap_triples(&flow)
        .into_iter()
        .map(|(kind, entity, pair)| format!("{kind} {entity} {pair}"))
        .collect();
    got.sort();
    let mut expected = fixture.expect.clone();
    expected.sort();
    (got, expected, flow, fixture)
}

#[test]
fn every_gap_kind_has_a_fixture_that_produces_exactly_its_gaps() {
    let fixtures: BTreeSet<String> = std::fs::read_dir(Path::new(ROOT).join("tests/gaps"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "yaml")
        })
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut wanted: BTreeSet<String> = handoff_reports::reconcile::gaps::GapKind::ALL
        .iter()
        .map(|k| k.id().to_string())
        .collect();
    wanted.insert("clean".into());
    assert_eq!(fixtures, wanted);
    for name in &fixtures {
        let (got, expected, flow) = run(name);
        assert_eq!(got, expected, "{name}");
        if name != "clean" {
            assert!(
                got.iter().any(|g| g.starts_with(&format!("{name} "))),
                "{name}"
            );
            // Every gap says what was expected and what to do, and shows its messages.
            for g in flow["gaps"].as_array().unwrap() {
                assert!(!g["expected"].as_str().unwrap().is_empty(), "{name}");
                assert!(!g["fix"].as_str().unwrap().is_empty(), "{name}");
                assert!(!g["evidence"].as_array().unwrap().is_empty(), "{name}");
            }
        }
    }
}

#[test]
fn a_skew_of_whole_hours_is_blamed_on_a_time_zone() {
    let (_, _, flow) = run("clock_skew");
    let gap = &flow["gaps"][0];
    assert_eq!(
        gap["message"],
        "erp is stamped 1h before the portal message that caused it (2026-11-02T09:00:00Z vs 2026-11-02T10:00:00Z); clock tolerance 5m"
    );
    assert!(
        gap["fix"]
            .as_str()
            .unwrap()
            .contains("check `time_zone` for erp"),
        "{}",
        gap["fix"]
    );
}

#[test]
fn the_clean_fixture_is_every_expectation_met() {
    let (_, _, flow) = run("clean");
    let met: Vec<u64> = flow["zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["met"].as_u64().unwrap())
        .collect();
    assert_eq!(met, [1, 1, 1, 0, 0]);
    assert_eq!(flow["entities"]["in_agreement"], 1);
}

/// The decisions docs/reconcile.md states in its gap kinds' sections, one fixture each
/// (tests/gap-decisions/): exact gaps, and the entity statuses, waits, evidence and
/// expectation counts the fixture names.
#[test]
fn each_documented_decision_has_a_fixture_that_holds() {
    let dir = Path::new(ROOT).join("tests/gap-decisions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "{files:?}");
    for path in files {
        let (got, expected, flow, fixture) = run_file(&path);
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert_eq!(got, expected, "{name}");
        let view = |key: &str| {
            flow["views"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["key"] == key)
                .unwrap_or_else(|| panic!("{name}: no view of {key}"))
                .clone()
        };
        for (key, status) in &fixture.status {
            assert_eq!(view(key)["status"], status.as_str(), "{name}: {key}");
        }
        for (key, waiting) in &fixture.waiting {
            assert_eq!(
                view(key)["waiting"],
                serde_json::json!(waiting),
                "{name}: {key}"
            );
        }
        for (gap, count) in &fixture.evidence {
            let (kind, entity) = gap.split_once(' ').unwrap();
            let found: Vec<usize> = flow["gaps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|g| g["kind"] == kind && g["entity"] == entity)
                .map(|g| g["evidence"].as_array().unwrap().len())
                .collect();
            assert_eq!(found, [*count], "{name}: {gap}");
        }
        for (zone, counts) in &fixture.zones {
            let z = flow["zones"]
                .as_array()
                .unwrap()
                .iter()
                .find(|z| z["name"] == zone.as_str())
                .unwrap_or_else(|| panic!("{name}: no zone {zone}"));
            for column in ["triggered", "met", "late", "missing", "pending"] {
                let want = counts.get(column).copied().unwrap_or(0);
                assert_eq!(z[column], want, "{name}: {zone} {column}");
            }
        }
    }
}
