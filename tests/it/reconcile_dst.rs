//! `handoff reconcile` on the second example project (fixtures/returns-dst, written by its
//! generate.py independently of fixtures/flows): a week across New York's daylight saving
//! change, a processor with epoch times and lower-case currencies, an ERP writing local times
//! in daily CSVs. The generator lists the exact gaps its bent returns must produce
//! (expected-gaps.txt) and what every other bent return is (notes.txt): every return not named
//! there went through cleanly and must be in agreement.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

const AS_OF: &str = "2026-11-08T00:00:00Z";

fn project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/returns-dst")
}

fn handoff(args: &[&str]) -> Output {
    common::handoff(project())
        .args(args)
        .env("CI", "true")
        .output()
        .unwrap()
}

fn reconcile() -> serde_json::Value {
    let out = handoff(&[
        "reconcile",
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--views",
        "all",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["flows"][0].clone()
}

fn lines(file: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(project().join(file))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

fn gap<'f>(flow: &'f serde_json::Value, kind: &str, entity: &str) -> &'f serde_json::Value {
    flow["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == kind && g["entity"] == entity)
        .unwrap_or_else(|| panic!("no {kind} for {entity}"))
}

fn view<'f>(flow: &'f serde_json::Value, key: &str) -> &'f serde_json::Value {
    flow["views"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["key"] == key)
        .unwrap_or_else(|| panic!("no view of {key}"))
}

#[test]
fn exactly_the_gaps_the_generator_bent_in_and_no_other() {
    let flow = reconcile();
    let expected = common::expected_gaps(&project().join("expected-gaps.txt"));
    assert_eq!(common::gap_triples(&flow), expected);
    // `usd` is `USD`: of ~70 refunds compared, only the two the generator made Canadian differ.
    let currency: Vec<_> = expected
        .iter()
        .filter(|g| g.0 == "currency_disagreement")
        .collect();
    assert_eq!(currency.len(), 2);
}

#[test]
fn every_return_has_the_status_its_bending_gives_it() {
    let flow = reconcile();
    let mut want: BTreeMap<String, &str> = BTreeMap::new();
    for (_, entity, _) in common::expected_gaps(&project().join("expected-gaps.txt")) {
        if entity != "-" {
            want.insert(entity, "gaps");
        }
    }
    for note in lines("notes.txt") {
        match note[1].as_str() {
            "(pending)" => {
                want.insert(note[0].clone(), "pending");
            }
            "(no gap)" => {
                want.insert(note[0].clone(), "in_agreement");
            }
            _ => {}
        }
    }
    let views = flow["views"].as_array().unwrap();
    let mut statuses: BTreeMap<&str, usize> = BTreeMap::new();
    for v in views {
        let key = v["key"].as_str().unwrap();
        // A return nobody bent went through cleanly.
        let wanted = want.get(key).copied().unwrap_or("in_agreement");
        assert_eq!(v["status"], wanted, "{key}: {v:#}");
        *statuses.entry(v["status"].as_str().unwrap()).or_default() += 1;
    }
    let e = &flow["entities"];
    assert_eq!(e["total"].as_u64(), Some(views.len() as u64));
    assert_eq!(e["with_gaps"].as_u64(), Some(statuses["gaps"] as u64));
    assert_eq!(e["pending"].as_u64(), Some(statuses["pending"] as u64));
    assert_eq!(
        e["in_agreement"].as_u64(),
        Some(statuses["in_agreement"] as u64)
    );
    assert_eq!(
        (
            statuses["gaps"],
            statuses["pending"],
            statuses["in_agreement"]
        ),
        (21, 3, 74)
    );
}

#[test]
fn every_message_read_is_accounted_for() {
    let flow = reconcile();
    let rows = |rel: &str| -> u64 {
        let path = project().join(rel);
        let files: Vec<PathBuf> = if path.is_dir() {
            std::fs::read_dir(&path)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect()
        } else {
            vec![path]
        };
        files
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(f).unwrap();
                let header = u64::from(f.extension().is_some_and(|x| x == "csv"));
                text.lines().count() as u64 - header
            })
            .sum()
    };
    let expected = [
        ("portal", rows("captures/portal.ndjson")),
        ("processor", rows("captures/processor.ndjson")),
        ("erp", rows("captures/erp")),
        ("stores", rows("captures/stores.csv")),
    ];
    let systems = flow["systems"].as_array().unwrap();
    for (system, (name, n)) in systems.iter().zip(expected) {
        assert_eq!(system["system"], name);
        assert_eq!(system["messages"].as_u64(), Some(n), "{name}");
        assert_eq!(
            n,
            system["correlated"].as_u64().unwrap() + system["uncorrelated"].as_u64().unwrap(),
            "{name}"
        );
    }
    // The payloads with contract findings are the ones the generator broke, and `handoff
    // check` on the same captures finds each.
    let with_findings: Vec<u64> = systems
        .iter()
        .map(|s| s["with_findings"].as_u64().unwrap())
        .collect();
    assert_eq!(with_findings, [0, 1, 4, 0]);
    let out = handoff(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("5 of 727 payloads violate their contract"),
        "{text}"
    );
}

#[test]
fn epoch_seconds_and_lower_case_currencies_are_read_as_the_processor_means_them() {
    let flow = reconcile();
    // The processor refunded in `cad`: reported upper-cased, with both amounts beside it.
    let g = gap(&flow, "currency_disagreement", "10055");
    assert_eq!(
        g["message"],
        "processor states 226.46 CAD, erp states 226.46 USD: the currencies differ"
    );
    assert_eq!(g["evidence"][0]["time"], "2026-10-31T22:13:00Z");
    assert_eq!(g["evidence"][0]["source"], "captures/processor.ndjson:29");
    // When both the currency and the amount are wrong, both are said.
    let g = gap(&flow, "amount_disagreement", "10003");
    assert_eq!(
        g["message"],
        "processor states 210.33 CAD, erp states 203.33 USD"
    );
    assert!(
        gap(&flow, "currency_disagreement", "10003")["message"]
            .as_str()
            .unwrap()
            .ends_with("the currencies differ")
    );
    let g = gap(&flow, "amount_disagreement", "10012");
    assert_eq!(
        g["message"],
        "processor states 218.53 USD, erp states 213.53 USD (difference -5.00)"
    );
}

#[test]
fn the_repeated_hour_is_reported_with_both_instants() {
    let flow = reconcile();
    let g = gap(&flow, "ambiguous_time", "10064");
    assert_eq!(
        g["message"],
        "erp message time `2026-11-01 01:30:00` happened twice in America/New_York (the clocks went back over it): read as the first, 2026-11-01T05:30:00Z; it may be the second, 1h later"
    );
    assert_eq!(
        g["evidence"][0]["source"],
        "captures/erp/credit-memos-2026-11-01.csv:3"
    );
    // Read at the first instant, every deadline of those returns is still judged and met.
    for key in ["10064", "10074", "10087"] {
        let v = view(&flow, key);
        assert_eq!(v["gaps"], serde_json::json!(["ambiguous_time"]), "{key}");
    }
    // Local times on both sides of the change read at their own offsets: EDT before, EST after.
    let erp_time = |key: &str, sent_state: &str| {
        view(&flow, key)["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["system"] == "erp" && e["sent_state"] == sent_state)
            .unwrap()["time"]
            .clone()
    };
    // 2026-10-31 02:51:00 EDT and 2026-11-01 15:57:00 EST.
    assert_eq!(erp_time("10097", "RECEIVED"), "2026-10-31T06:51:00Z");
    assert_eq!(erp_time("10030", "RECEIVED"), "2026-11-01T20:57:00Z");
}

#[test]
fn a_last_message_without_a_readable_time_still_is_the_last_state() {
    let flow = reconcile();
    for (key, why) in [
        (
            "10076",
            "erp message has no time at /posted_date + /posted_time",
        ),
        (
            "10019",
            "erp message time `2026-11-04 24:10:00` at /posted_date + /posted_time breaks the contract (date_format), so it is not used",
        ),
    ] {
        assert_eq!(gap(&flow, "missing_time", key)["message"], why);
        let v = view(&flow, key);
        // Only the missing time: the credit it carries agrees with the portal and processor.
        assert_eq!(v["gaps"], serde_json::json!(["missing_time"]), "{key}");
        let erp = v["systems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["system"] == "erp")
            .unwrap();
        assert_eq!(erp["last"]["state"], "refunded", "{key}");
        assert_eq!(erp["last"]["sent_state"], "CREDITED", "{key}");
    }
}

#[test]
fn pending_returns_say_what_they_wait_for() {
    let flow = reconcile();
    let waiting = |key: &str| view(&flow, key)["waiting"].clone();
    assert_eq!(
        waiting("10027"),
        serde_json::json!([
            "erp `authorized` due by 2026-11-08T01:35:00Z (2h after portal `authorized` at 2026-11-07T23:30:00Z; authorisation opens in the ERP)"
        ])
    );
    assert_eq!(
        waiting("10062"),
        serde_json::json!([
            "portal says `rejected` (sent `return.rejected`), erp says `authorized` (sent `OPEN`): erp should say `rejected` by 2026-11-08T02:50:00Z (settle 4h)"
        ])
    );
    // A day later, the same returns are gaps.
    let out = handoff(&["reconcile", "--as-of", "2026-11-09", "--format", "json"]);
    let later: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = common::gap_triples(&later["flows"][0]);
    assert!(list.contains(&(
        "missing_counterpart".into(),
        "10027".into(),
        "portal -> erp".into()
    )));
    assert!(list.contains(&(
        "state_disagreement".into(),
        "10062".into(),
        "portal -> erp".into()
    )));
}

#[test]
fn the_generator_writes_exactly_the_checked_in_captures() {
    // The expected gaps are only as good as the generator's account of what it bent: running it
    // again must give the same files (it is deterministic), so the two cannot drift apart.
    let scratch = common::run_generator(&project().join("generate.py"), "dst");
    let read_all = |root: &Path| -> BTreeMap<String, String> {
        let mut files = BTreeMap::new();
        let mut stack = vec![root.join("captures")];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                    files.insert(rel, std::fs::read_to_string(&p).unwrap());
                }
            }
        }
        for f in ["expected-gaps.txt", "notes.txt"] {
            files.insert(f.into(), std::fs::read_to_string(root.join(f)).unwrap());
        }
        files
    };
    let fresh = read_all(&scratch);
    let checked_in = read_all(&project());
    assert_eq!(
        fresh.keys().collect::<Vec<_>>(),
        checked_in.keys().collect::<Vec<_>>()
    );
    for (name, text) in &fresh {
        assert!(
            text == &checked_in[name],
            "{name} differs from what generate.py writes"
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);
}
