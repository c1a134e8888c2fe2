//! `handoff reconcile` on the shipped example project (fixtures/flows, written by its
//! generate.py): the exact gap list the generator's bent returns must produce, the clean flow,
//! the accounting of every message, `--as-of`, the one-record view, the report formats, and
//! flows that are wrong in every way a person writes them wrong.

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

fn project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/flows")
}

fn handoff_in(dir: &Path, args: &[&str]) -> Output {
    common::handoff(dir)
        .args(args)
        .env("CI", "true")
        .output()
        .unwrap()
}

/// `handoff reconcile --flow returns --as-of 2026-11-15` in `dir`, with `more` arguments.
fn reconcile_returns(dir: &Path, more: &[&str]) -> Output {
    let mut args = vec!["reconcile", "--flow", "returns", "--as-of", "2026-11-15"];
    args.extend_from_slice(more);
    handoff_in(dir, &args)
}

fn handoff(args: &[&str]) -> Output {
    handoff_in(&project(), args)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn returns(extra: &[&str]) -> serde_json::Value {
    returns_as_of("2026-11-15", extra)
}

fn returns_as_of(as_of: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "reconcile",
        "--flow",
        "returns",
        "--as-of",
        as_of,
        "--format",
        "json",
    ];
    args.extend(extra);
    let out = handoff(&args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["flows"][0].clone()
}

/// The returns flow run in a scratch project, as of the usual moment.
fn returns_in(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "reconcile",
        "--flow",
        "returns",
        "--as-of",
        "2026-11-15",
        "--format",
        "json",
    ];
    args.extend(extra);
    let out = handoff_in(dir, &args);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    doc["flows"][0].clone()
}

/// The gap of `kind` about `entity` in a flow's report.
fn find_gap<'f>(flow: &'f serde_json::Value, kind: &str, entity: &str) -> &'f serde_json::Value {
    flow["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == kind && g["entity"] == entity)
        .unwrap_or_else(|| panic!("no {kind} gap for {entity}"))
}

/// What the example's generator bent in: (kind, entity, boundary pair), sorted.
fn expected_gaps() -> Vec<(String, String, String)> {
    common::expected_gaps(&project().join("expected-gaps.txt"))
}

#[test]
fn the_returns_flow_reports_exactly_the_gaps_the_generator_bent_in() {
    let expected = expected_gaps();
    let flow = returns(&[]);
    assert_eq!(common::gap_triples(&flow), expected);
    // Every gap kind of the catalogue is present at least twice, but one: an ambiguous time
    // needs a local time in the hour a daylight saving change repeats, and the example's two
    // weeks begin after New York's (tests/gaps/ambiguous_time.yaml holds that kind).
    for kind in handoff_reports::reconcile::gaps::GapKind::ALL {
        let n = expected.iter().filter(|(k, _, _)| k == kind.id()).count();
        if kind == handoff_reports::reconcile::gaps::GapKind::AmbiguousTime {
            assert_eq!(n, 0);
            continue;
        }
        assert!(n >= 2, "{} appears {n} times in the example", kind.id());
    }
    assert_eq!(flow["total_gaps"], serde_json::Value::Null, "not a field");
    let kinds: u64 = flow["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["count"].as_u64().unwrap())
        .sum();
    assert_eq!(kinds, expected.len() as u64);
    assert_eq!(flow["entities"]["total"], 337);
    assert_eq!(flow["entities"]["with_gaps"], 36);
    assert_eq!(flow["entities"]["pending"], 7);
    assert_eq!(flow["entities"]["in_agreement"], 294);
}

#[test]
fn every_gap_carries_both_sides_values_sources_and_times() {
    let flow = returns(&[]);
    let gaps = flow["gaps"].as_array().unwrap();
    let find = |kind: &str, entity: &str| find_gap(&flow, kind, entity).clone();
    // The processor sent cents a hundred times too large: both amounts, exactly, and the units.
    let g = find("amount_disagreement", "10014");
    assert_eq!(g["zone"], "refund approval reaches the processor");
    assert_eq!(
        g["message"],
        "erp states 108.99 USD, processor states 10899 USD (difference 10790.01)"
    );
    assert_eq!(
        g["evidence"][0]["source"],
        "captures/erp/2026-11-09.ndjson:72"
    );
    assert_eq!(g["evidence"][0]["time"], "2026-11-10T01:25:00Z");
    assert_eq!(g["evidence"][1]["sent_amount"], "1089900");
    assert_eq!(g["evidence"][1]["amount"], "10899");
    assert!(
        g["fix"]
            .as_str()
            .unwrap()
            .contains("exactly 100 times apart")
    );
    // Late: the delay and the deadline in seconds, both messages.
    let g = find("late_counterpart", "10003");
    assert_eq!(
        (g["delay"].as_i64(), g["deadline"].as_i64()),
        (Some(20_580), Some(7_200))
    );
    assert_eq!(g["evidence"].as_array().unwrap().len(), 2);
    // ERP times are local (UTC-05:00) without an offset: read at the flow's offset.
    assert_eq!(g["evidence"][1]["time"], "2026-11-01T20:05:00Z");
    assert_eq!(
        g["evidence"][1]["source"],
        "captures/erp/2026-11-01.ndjson:31"
    );
    // Missing after its deadline: how long it has been.
    let g = find("missing_counterpart", "10026");
    assert_eq!(
        g["message"],
        "pos `received` (sent `returned`) at 2026-11-07T13:48:00Z; no portal `received` after 7d 10h (deadline 4h)"
    );
    // A CSV row's source is the file's line.
    assert_eq!(g["evidence"][0]["source"], "captures/pos-returns.csv:39");
    let g = find("key_reuse", "10007");
    assert_eq!(
        g["message"],
        "return key `10007` names 2 different entities: `104343`, `604343`"
    );
    let g = find("unmapped_state", "10030");
    assert_eq!(g["evidence"][0]["sent_state"], "exchange_requested");
    let g = find("clock_skew", "10005");
    assert_eq!(
        g["evidence"][1]["key"], "00010005",
        "the key exactly as sent"
    );
    // A payload that is not JSON at all is still one message, with its line.
    let unreadable = gaps
        .iter()
        .find(|g| {
            g["kind"] == "missing_key"
                && g["evidence"][0]["source"] == "captures/processor.ndjson:42"
        })
        .unwrap();
    assert!(
        unreadable["message"]
            .as_str()
            .unwrap()
            .contains("invalid_json")
    );
}

#[test]
fn every_message_read_is_accounted_for() {
    let flow = returns(&[]);
    let count_lines = |rel: &str| -> u64 {
        let path = project().join(rel);
        if path.is_dir() {
            std::fs::read_dir(&path)
                .unwrap()
                .map(|e| {
                    std::fs::read_to_string(e.unwrap().path())
                        .unwrap()
                        .lines()
                        .count() as u64
                })
                .sum()
        } else {
            std::fs::read_to_string(path).unwrap().lines().count() as u64
        }
    };
    let expected = [
        ("portal", count_lines("captures/portal.ndjson")),
        ("processor", count_lines("captures/processor.ndjson")),
        ("erp", count_lines("captures/erp")),
        ("pos", count_lines("captures/pos-returns.csv") - 1),
    ];
    for (system, (name, lines)) in flow["systems"].as_array().unwrap().iter().zip(expected) {
        assert_eq!(system["system"], name);
        assert_eq!(system["messages"].as_u64(), Some(lines), "{name}");
        assert_eq!(
            system["messages"].as_u64().unwrap(),
            system["correlated"].as_u64().unwrap() + system["uncorrelated"].as_u64().unwrap(),
            "{name}"
        );
    }
    let text = stdout(&handoff(&[
        "reconcile",
        "--flow",
        "returns",
        "--as-of",
        "2026-11-15",
        "--limit",
        "0",
        "--top",
        "0",
    ]));
    assert!(
        text.contains(
            "every message accounted for: 2156 read = 2151 correlated + 5 without a usable key"
        ),
        "{text}"
    );
}

#[test]
fn the_clean_flow_has_no_gap_and_exits_zero() {
    let out = handoff(&["reconcile", "--flow", "refunds"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "Order truth debt: 0 of 40 refunds (0.0%) with gaps; 40 in agreement, 0 pending."
        ),
        "{text}"
    );
    assert!(text.ends_with("no gaps: every system agrees\n"), "{text}");
    assert!(
        text.contains("as of 2026-11-14T14:19:00Z (the newest message)"),
        "{text}"
    );
}

#[test]
fn as_of_an_earlier_moment_a_late_deadline_is_still_pending() {
    // Return 10001 was authorised at 10:04 on 2 November; at 11:00 the ERP still has an hour.
    let early = returns_as_of("2026-11-02T11:00:00Z", &[]);
    let list = common::gap_triples(&early);
    assert!(!list.iter().any(|(_, e, _)| e == "10001"), "{list:?}");
    let zone = &early["zones"][0];
    assert_eq!(zone["name"], "return authorisation reaches the ERP");
    assert!(zone["pending"].as_u64().unwrap() >= 1);
    // Messages after that moment are set aside and counted as such.
    let later: u64 = early["systems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["after_as_of"].as_u64().unwrap())
        .sum();
    assert!(later > 2000, "{later}");
    let late = returns(&[]);
    assert!(common::gap_triples(&late).contains(&(
        "missing_counterpart".into(),
        "10001".into(),
        "portal -> erp".into()
    )));
}

#[test]
fn one_entity_view_puts_every_system_side_by_side() {
    let out = handoff(&[
        "reconcile",
        "--flow",
        "returns",
        "--as-of",
        "2026-11-15",
        "--entity",
        "10014",
        "--top",
        "0",
        "--limit",
        "0",
    ]);
    let text = stdout(&out);
    let view = &text[text.find("One record per return").expect("the view")..];
    insta::assert_snapshot!("reconcile_entity_view", view);
}

#[test]
fn text_and_markdown_reports() {
    let args = [
        "reconcile",
        "--flow",
        "returns",
        "--as-of",
        "2026-11-15",
        "--limit",
        "13",
        "--top",
        "1",
    ];
    insta::assert_snapshot!("reconcile_text", stdout(&handoff(&args)));
    let mut md = args.to_vec();
    md.extend(["--format", "markdown"]);
    insta::assert_snapshot!("reconcile_markdown", stdout(&handoff(&md)));
}

fn html_report() -> String {
    let out = handoff(&["reconcile", "--as-of", "2026-11-15", "--format", "html"]);
    assert_eq!(out.status.code(), Some(1));
    stdout(&out)
}

#[test]
fn the_html_report_is_self_contained_and_lists_every_entity() {
    let page = html_report();
    for outside in ["src=\"http", "href=\"http", "@import", "url(", "<link"] {
        assert!(
            !page.contains(outside),
            "the page loads nothing from outside: {outside}"
        );
    }
    // Both flows: 40 refunds and 337 returns, a row each.
    assert_eq!(page.matches("<tr class=\"entity\"").count(), 377);
    assert_eq!(page.matches("data-status=\"gaps\"").count(), 36);
    assert!(page.contains("data-kinds=\"amount_disagreement\"><td><code>10014</code>"));
    assert!(page.contains("<option value=\"unmapped_state\">unmapped_state</option>"));
}

/// In headless Chromium (installed by `.ci/run` when it can): the page opens filtered from its
/// address, the script hides every other row, and the browser logs no error.
#[test]
fn the_html_report_filters_in_a_real_browser() {
    let Some(browser) = common::browser() else {
        return;
    };
    let page = common::target_dir().join("reconcile-report.html");
    std::fs::write(&page, html_report()).unwrap();
    let url = format!("file://{}#kind=currency_disagreement", page.display());
    let rendered = common::rendered_dom(browser, &url, 1400, 2400);
    assert!(
        rendered.contains("2 of 377 shown"),
        "{}",
        &rendered[..rendered.len().min(3000)]
    );
    let visible = rendered
        .split("<tr class=\"entity\"")
        .skip(1)
        .filter(|row| !row.split('>').next().unwrap_or("").contains("hidden"))
        .count();
    assert_eq!(visible, 2);
    let gaps_only = format!("file://{}#status=gaps", page.display());
    common::screenshot(browser, &gaps_only, "reconcile-report.png", 1400, 2400);
}

/// A scratch copy of the example project, to break.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("handoff-reconcile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    common::copy_dir(&project(), &dir);
    dir
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn mistakes_in_a_flow_are_located_with_a_did_you_mean() {
    let dir = scratch("mistakes");
    let flow = dir.join("flows/returns.yaml");
    edit(&flow, "    time: /updated_at", "    time: /updatedAt");
    edit(
        &flow,
        "  received: {portal: received, erp: RECEIVED, pos: returned}",
        "  received: {portal: recieved, erp: RECEIVED, pos: returned}",
    );
    edit(
        &flow,
        "    then: {erp: authorized}\n    within: 2h",
        "    then: {erp: authorised}\n    within: 2h",
    );
    edit(&flow, "clock_skew: 5m", "clock_skew: 5 minutes");
    let out = handoff_in(&dir, &["reconcile", "--flow", "returns"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    insta::assert_snapshot!(
        "reconcile_flow_mistakes",
        err.replace(&*dir.to_string_lossy(), "<project>")
    );

    // With those fixed, the flow is checked against the contracts: field names and values.
    let dir = scratch("contract-mistakes");
    let flow = dir.join("flows/returns.yaml");
    edit(&flow, "    time: /updated_at", "    time: /updatedAt");
    edit(
        &flow,
        "  received: {portal: received, erp: RECEIVED, pos: returned}",
        "  received: {portal: recieved, erp: RECEIVED, pos: returned}",
    );
    edit(
        &flow,
        "    amount: /amount/value",
        "    amount: /amount/valeu",
    );
    let out = handoff_in(&dir, &["reconcile", "--flow", "returns"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    insta::assert_snapshot!(
        "reconcile_flow_contract_mistakes",
        err.replace(&*dir.to_string_lossy(), "<project>")
    );
}

#[test]
fn junk_among_the_captures_is_accounted_for_and_never_stops_the_run() {
    let dir = scratch("junk");
    let mut junk: Vec<u8> = (0..=255u8).collect();
    junk.extend(b"\n{\"rma_number\": 5}\n[1,2]\nnull\n");
    std::fs::write(dir.join("captures/erp/zz-junk.ndjson"), &junk).unwrap();
    std::fs::write(dir.join("captures/erp/empty.ndjson"), b"").unwrap();
    let out = reconcile_returns(&dir, &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let erp = &doc["flows"][0]["systems"][2];
    let before = &returns(&[])["systems"][2];
    // Two lines of binary junk (byte 10 is a line break) and three lines that are JSON but
    // not ERP records: five more messages, none with a key.
    assert_eq!(
        erp["messages"].as_u64().unwrap(),
        before["messages"].as_u64().unwrap() + 5
    );
    assert_eq!(
        erp["uncorrelated"].as_u64().unwrap(),
        before["uncorrelated"].as_u64().unwrap() + 5
    );
    assert_eq!(
        doc["flows"][0]["empty_inputs"],
        serde_json::json!(["captures/erp/empty.ndjson"])
    );
}

#[test]
fn gaps_are_recorded_in_the_history_database() {
    let dir = scratch("history");
    let db = dir.join("history.db");
    let db_arg = db.to_string_lossy().into_owned();
    for _ in 0..2 {
        let out = handoff_in(
            &dir,
            &[
                "reconcile",
                "--as-of",
                "2026-11-15",
                "--record",
                "--history",
                &db_arg,
                "--format",
                "json",
            ],
        );
        assert_eq!(out.status.code(), Some(1));
    }
    let store = handoff_reports::triage::store::Store::open(&db).unwrap();
    assert_eq!(store.runs("reconcile").unwrap(), 4, "two flows, twice");
    let latest = store.latest_gaps().unwrap();
    let returns: Vec<_> = latest
        .iter()
        .filter(|g| g.flow == "returns@1.0.0")
        .collect();
    assert_eq!(returns.iter().map(|g| g.count).sum::<u64>(), 42);
    assert!(returns.iter().any(|g| g.as_of == "2026-11-15T00:00:00Z"
        && g.pair == "portal -> erp"
        && g.kind == "missing_counterpart"
        && g.count == 2));
    let names: BTreeSet<&str> = latest.iter().map(|g| g.flow.as_str()).collect();
    assert_eq!(
        names,
        BTreeSet::from(["returns@1.0.0"]),
        "the clean flow records no gap rows"
    );
}

#[test]
fn the_report_is_the_same_whatever_the_number_of_threads() {
    let one = handoff(&[
        "reconcile",
        "--as-of",
        "2026-11-15",
        "--format",
        "json",
        "--jobs",
        "1",
    ]);
    let three = handoff(&[
        "reconcile",
        "--as-of",
        "2026-11-15",
        "--format",
        "json",
        "--jobs",
        "3",
    ]);
    assert_eq!(one.status.code(), Some(1));
    assert_eq!(one.stdout, three.stdout);
}

/// X12 and single JSON documents take part like NDJSON and CSV: the partner's raw 850 and the
/// gateway's JSON rendering of the same purchase order, joined by the PO number.
#[test]
fn x12_and_json_documents_are_correlated_too() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("handoff-reconcile-{}-x12", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let flow = format!(
        "contracts: {root}/contracts
checks: []
flows:
  - flow: purchase-orders
    entity: purchase order
    systems:
      partner:
        contract: edi-850-to-wms@^2
        inputs: [{root}/fixtures/edi-850-x12]
        key: /BEG/BEG03
        time: {{pointer: /BEG/BEG05, format: '%Y%m%d'}}
        state: /BEG/BEG01
      gateway:
        contract: edi-850-to-wms@^1
        inputs: [{root}/fixtures/edi-850-to-wms]
        key: /beg/beg03
        time: {{pointer: /beg/beg05, format: '%Y%m%d'}}
        state: /beg/beg01
    states:
      original: {{partner: '00', gateway: '00'}}
    expect:
      - when: {{partner: original}}
        then: {{gateway: original}}
        within: 1d
",
        root = root.display()
    );
    std::fs::write(dir.join("handoff.yaml"), flow).unwrap();
    // The captures are the repository's, outside this scratch project: said explicitly.
    let refused = handoff_in(&dir, &["reconcile", "--format", "json"]);
    assert_eq!(refused.status.code(), Some(2));
    let out = handoff_in(&dir, &["reconcile", "--format", "json", "--allow-outside"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let flow = &doc["flows"][0];
    let systems = flow["systems"].as_array().unwrap();
    // Three X12 sets in two files and two JSON documents; the broken document's key breaks
    // its contract, so it is counted without a key.
    assert_eq!(
        (
            systems[0]["messages"].as_u64(),
            systems[1]["messages"].as_u64()
        ),
        (Some(3), Some(2))
    );
    assert_eq!(systems[1]["uncorrelated"], 1);
    let gaps: Vec<String> = flow["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            format!(
                "{} {}",
                g["kind"].as_str().unwrap(),
                g["entity"].as_str().unwrap_or("-")
            )
        })
        .collect();
    // PO 4500012345 is in both and agrees; the broken pair's keys or times are what the
    // contracts reject, and each side is reported for it, never dropped.
    assert!(!gaps.iter().any(|g| g.ends_with(" 4500012345")), "{gaps:?}");
    assert_eq!(flow["zones"][0]["met"], 1, "{gaps:?}");
    let x12 = flow["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["evidence"].as_array().unwrap())
        .find(|e| {
            e["source"]
                .as_str()
                .unwrap()
                .ends_with("po-4500012399.edi:12")
        });
    assert!(
        x12.is_some(),
        "an X12 set is quoted by its file and line: {gaps:?}"
    );
}

#[test]
fn sensitive_values_are_not_shown_unless_asked() {
    let dir = scratch("redact");
    edit(
        &dir.join("contracts/returns-portal-events/1.0.0.yaml"),
        "    pattern: '^#[0-9]{4,10}$'\n    required: true",
        "    pattern: '^#[0-9]{4,10}$'\n    required: true\n    sensitive: true",
    );
    let args = [
        "reconcile",
        "--flow",
        "returns",
        "--as-of",
        "2026-11-15",
        "--format",
        "json",
    ];
    let hidden = stdout(&handoff_in(&dir, &args));
    assert!(
        !hidden.contains("104343"),
        "the portal's order number is sensitive"
    );
    assert!(hidden.contains("(a value not shown #"));
    // Hidden values still compare: the reused key is found without showing either order.
    let doc: serde_json::Value = serde_json::from_str(&hidden).unwrap();
    let reuse = find_gap(&doc["flows"][0], "key_reuse", "10007");
    assert!(
        reuse["message"]
            .as_str()
            .unwrap()
            .contains("`(a value not shown #"),
        "{reuse}"
    );
    assert!(hidden.contains("604343"), "the ERP's is not");
    let mut all = args.to_vec();
    all.extend(["--redact", "none"]);
    assert!(stdout(&handoff_in(&dir, &all)).contains("104343"));
    let mut none = args.to_vec();
    none.extend(["--redact", "all"]);
    let nothing = stdout(&handoff_in(&dir, &none));
    assert!(!nothing.contains("604343") && !nothing.contains("RMA00010001"));
    assert!(
        nothing.contains("\"entity\": \"10001\""),
        "the flow's own key is still shown"
    );
}

#[test]
fn lint_reads_the_flows_and_checks_them_against_the_contracts() {
    let clean = handoff(&["lint"]);
    assert_eq!(clean.status.code(), Some(0));
    assert_eq!(
        stdout(&clean),
        "linted 4 contract files and 2 flows: 0 errors, 0 warnings\n"
    );
    let dir = scratch("lint");
    edit(
        &dir.join("flows/returns.yaml"),
        "    state: /event_code",
        "    state: /eventCode",
    );
    let out = handoff_in(&dir, &["lint"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("`/eventCode` is not a field of psp-refund-notifications@1.0.0"),
        "{text}"
    );
    assert!(text.contains("did you mean `/event_code`?"), "{text}");
    assert!(
        text.ends_with("linted 4 contract files and 2 flows: 1 error, 0 warnings\n"),
        "{text}"
    );
}

#[test]
fn usage_mistakes_are_clear() {
    let out = handoff(&["reconcile", "--flow", "retruns"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no flow `retruns`; did you mean `returns@1.0.0`?"),
        "{err}"
    );
    let out = handoff(&["reconcile", "--as-of", "yesterday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--as-of `yesterday` is not a time"));
    let empty = std::env::temp_dir().join(format!("handoff-reconcile-{}-none", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("handoff.yaml"), "checks: []\n").unwrap();
    let out = handoff_in(&empty, &["reconcile"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no flows to reconcile"));
}

/// Recorded gaps reach the weekly review: `handoff triage` lists them beside the log's patterns.
#[test]
fn the_triage_review_counts_recorded_gaps() {
    let dir = scratch("triage-review");
    let db = dir.join("history.db");
    let db_arg = db.to_string_lossy().into_owned();
    let out = handoff_in(
        &dir,
        &[
            "reconcile",
            "--as-of",
            "2026-11-15",
            "--record",
            "--history",
            &db_arg,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let review = common::handoff(root)
        .args(["triage", "--history", &db_arg])
        .output()
        .unwrap();
    let text = stdout(&review);
    assert_eq!(
        review.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&review.stderr)
    );
    let section = &text[text.find("order truth gaps").expect("the section")..];
    assert!(section.starts_with("order truth gaps (the latest handoff reconcile --record of each flow):\n   returns@1.0.0 as of 2026-11-15T00:00:00Z: 42 gaps\n"), "{section}");
    assert!(
        section.contains("      2  missing_counterpart portal -> erp\n"),
        "{section}"
    );
    let json = common::handoff(root)
        .args(["triage", "--history", &db_arg, "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let rows = doc["order_truth"].as_array().unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r["count"].as_u64().unwrap())
            .sum::<u64>(),
        42
    );
    common::assert_valid("docs/triage.schema.json", &doc);
}

/// A nightly export without times of its own: the capture file's modification time stands for
/// every row's.
#[test]
fn a_capture_without_times_takes_its_files_modification_time() {
    let dir = scratch("file-modified");
    edit(
        &dir.join("flows/returns.yaml"),
        "    time: {pointer: [/business_date, /time], format: '%Y%m%d %H%M', time_zone: America/New_York}",
        "    time: {capture: file_modified}",
    );
    let csv = dir.join("captures/pos-returns.csv");
    let stamp = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_763_200_000);
    std::fs::File::options()
        .write(true)
        .open(&csv)
        .unwrap()
        .set_modified(stamp)
        .unwrap();
    let out = reconcile_returns(&dir, &["--format", "json", "--entity", "10024"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let view = doc["flows"][0]["views"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["key"] == "10024")
        .unwrap();
    let pos = view["systems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["system"] == "pos")
        .unwrap();
    assert_eq!(pos["last"]["time"], "2025-11-15T09:46:40Z");

    edit(
        &dir.join("flows/returns.yaml"),
        "{capture: file_modified}",
        "{capture: file_created}",
    );
    let out = handoff_in(&dir, &["reconcile", "--flow", "returns"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("`capture` can only be `file_modified`, not `file_created`")
    );
}

/// `then: {system: any}`: any message of the system meets the expectation. The ERP's first
/// message about a return is its booking, so the gaps are the same as with the state named.
#[test]
fn a_counterpart_may_be_any_message_of_the_system() {
    let dir = scratch("any");
    edit(
        &dir.join("flows/returns.yaml"),
        "    then: {erp: authorized}",
        "    then: {erp: any}",
    );
    let flow = returns_in(&dir, &[]);
    assert_eq!(
        common::gap_triples(&flow),
        common::gap_triples(&returns(&[]))
    );
    assert_eq!(
        find_gap(&flow, "late_counterpart", "10003")["expected"],
        "erp (any message) within 2h of portal `authorized`"
    );
}

/// A time without an offset is not guessed: it is a `missing_time`, and the fix says how to
/// read local time.
#[test]
fn a_time_without_an_offset_gets_a_fix_that_says_how_to_read_it() {
    let dir = scratch("offsetless");
    let portal = dir.join("captures/portal.ndjson");
    let text = std::fs::read_to_string(&portal).unwrap();
    std::fs::write(
        &portal,
        text.replacen(
            "\"updated_at\":\"2026-11-02T10:04:00Z\"",
            "\"updated_at\":\"2026-11-02T10:04:00\"",
            1,
        ),
    )
    .unwrap();
    edit(
        &dir.join("contracts/returns-portal-events/1.0.0.yaml"),
        "  updated_at:\n    type: string\n    format: date-time",
        "  updated_at:\n    type: string",
    );
    let flow = returns_in(&dir, &[]);
    let gap = find_gap(&flow, "missing_time", "10001");
    assert_eq!(
        gap["message"],
        "portal message time `2026-11-02T10:04:00` cannot be read as an instant"
    );
    assert!(
        gap["fix"].as_str().unwrap().contains("has no UTC offset"),
        "{}",
        gap["fix"]
    );
}

#[test]
fn the_gap_kinds_are_listed() {
    let out = handoff(&["kinds", "--gaps"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 15);
    assert!(text.starts_with(
        "missing_counterpart      an expected message never arrived, and its deadline has passed\n"
    ));
}

/// A key the system puts in one field or another: the first that holds a value is the key.
#[test]
fn a_key_may_be_in_one_of_several_places() {
    let dir = scratch("key-places");
    edit(
        &dir.join("flows/returns.yaml"),
        "key: {pointer: /merchant_reference,",
        "key: {pointer: [/merchant_reference, /reason],",
    );
    edit(
        &dir.join("captures/processor.ndjson"),
        "\"merchant_reference\":\"rma-00099001\",",
        "",
    );
    let processor = dir.join("captures/processor.ndjson");
    let text = std::fs::read_to_string(&processor).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("32A92R5XBTKEE50F"))
        .unwrap()
        .to_string();
    std::fs::write(
        &processor,
        text.replace(
            &line,
            &line.replace("\"reason\":null", "\"reason\":\"rma-00099001\""),
        ),
    )
    .unwrap();
    let flow = returns_in(&dir, &[]);
    // The same gaps: the orphan is still found by its key, now read from /reason.
    assert_eq!(
        common::gap_triples(&flow),
        common::gap_triples(&returns(&[]))
    );
    assert_eq!(
        find_gap(&flow, "orphan_message", "99001")["evidence"][0]["findings"],
        1,
        "the missing /merchant_reference"
    );
}

/// The JSON report keeps its published schema, whose gap kinds are the catalogue's.
#[test]
fn the_json_report_matches_its_published_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("docs/reconcile.schema.json")).unwrap(),
    )
    .unwrap();
    let kinds: Vec<&str> = schema["$defs"]["kind"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    let catalogue: Vec<&str> = handoff_reports::reconcile::gaps::GapKind::ALL
        .iter()
        .map(|k| k.id())
        .collect();
    assert_eq!(kinds, catalogue);
    for args in [
        vec![
            "reconcile",
            "--as-of",
            "2026-11-15",
            "--format",
            "json",
            "--entity",
            "10001",
        ],
        vec!["reconcile", "--flow", "refunds", "--format", "json"],
    ] {
        let doc: serde_json::Value = serde_json::from_slice(&handoff(&args).stdout).unwrap();
        common::assert_valid("docs/reconcile.schema.json", &doc);
    }
}

/// A flow in a shared checkout reads only inside the project, and a report is not written
/// through a symbolic link.
#[test]
fn a_flow_cannot_reach_outside_the_project() {
    let dir = scratch("reach");
    edit(
        &dir.join("flows/returns.yaml"),
        "    inputs: [captures/portal.ndjson]",
        "    inputs: [../../../../etc/passwd]",
    );
    let out = handoff_in(&dir, &["reconcile", "--flow", "returns"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "names the capture ../../../../etc/passwd, which is outside the project directory"
        ),
        "{err}"
    );
    assert!(
        err.contains("pass --allow-outside if this is intended"),
        "{err}"
    );

    let dir = scratch("link");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("handoff.yaml"), dir.join("report.json")).unwrap();
        let out = handoff_in(
            &dir,
            &["reconcile", "--format", "json", "-o", "report.json"],
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("is a symbolic link"));
        assert!(
            std::fs::read_to_string(dir.join("handoff.yaml"))
                .unwrap()
                .starts_with("# An example project")
        );
    }
}

/// Versions of a flow, one file each: the newest runs unless one is named; the same version
/// twice is refused.
#[test]
fn flow_versions_are_chosen_like_contract_versions() {
    let dir = scratch("versions");
    let flows = dir.join("flows");
    std::fs::create_dir_all(flows.join("returns")).unwrap();
    let v1 = std::fs::read_to_string(flows.join("returns.yaml")).unwrap();
    std::fs::remove_file(flows.join("returns.yaml")).unwrap();
    std::fs::write(flows.join("returns/1.0.0.yaml"), &v1).unwrap();
    // 1.1.0 gives the ERP a day to book an authorisation.
    let v11 = v1.replace("version: 1.0.0", "version: 1.1.0").replacen(
        "    then: {erp: authorized}\n    within: 2h",
        "    then: {erp: authorized}\n    within: 1d",
        1,
    );
    std::fs::write(flows.join("returns/1.1.0.yaml"), v11).unwrap();
    let newest = returns_in(&dir, &[]);
    assert_eq!(newest["flow"], "returns@1.1.0");
    assert!(
        !common::gap_triples(&newest)
            .iter()
            .any(|(k, e, _)| k == "late_counterpart" && e == "10003")
    );
    let out = handoff_in(
        &dir,
        &[
            "reconcile",
            "--flow",
            "returns@1.0.0",
            "--as-of",
            "2026-11-15",
            "--format",
            "json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let older = &doc["flows"][0];
    assert_eq!(older["flow"], "returns@1.0.0");
    assert_eq!(
        common::gap_triples(older),
        common::gap_triples(&returns(&[]))
    );

    std::fs::write(flows.join("returns/copy.yaml"), &v1).unwrap();
    let out = handoff_in(&dir, &["reconcile"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("flow returns@1.0.0 is defined twice"));
}

/// What a payload or a flow says reaches people only escaped for the medium: control characters
/// made visible in text, code spans in Markdown, entities in HTML.
#[test]
fn hostile_values_are_escaped_in_every_report() {
    let dir = scratch("hostile");
    edit(
        &dir.join("flows/returns.yaml"),
        "entity: return",
        "entity: \"return<script>alert(1)</script>\"",
    );
    let hostile = "rma-\u{1b}]0;pwned\u{7}<img src=x onerror=alert(2)>|`x`\\n| forged";
    let line = serde_json::json!({
        "psp_reference": "HOSTILE000000001",
        "merchant_reference": hostile,
        "event_code": "REFUND",
        "success": "true",
        "amount": {"value": 100, "currency": "USD"},
        "event_date": "2026-11-05T12:00:00Z",
        "reason": null
    });
    let status = serde_json::json!({
        "event_id": "evt_00000000beef",
        "rma_number": "RMA00010001",
        "order_number": "#104200",
        "status": "<b>\u{1b}[31mnew|status</b>",
        "refund_amount": null,
        "currency": "USD",
        "updated_at": "2026-11-02T09:00:00Z"
    });
    for (file, record) in [
        ("captures/processor.ndjson", line),
        ("captures/portal.ndjson", status),
    ] {
        let path = dir.join(file);
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(&format!("{record}\n"));
        std::fs::write(&path, text).unwrap();
    }
    let run = |format: &str| {
        let out = reconcile_returns(
            &dir,
            &["--format", format, "--limit", "100", "--top", "100"],
        );
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout(&out)
    };
    let text = run("text");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "raw control characters in text"
    );
    assert!(text.contains("\\u{1b}]0;pwned\\u{7}"), "{text}");
    assert!(
        text.contains("sent `<b>\\u{1b}[31mnew|status</b>`"),
        "{text}"
    );
    assert!(text.contains("return<script>alert(1)</script> 10001"));

    let md = run("markdown");
    assert!(!md.contains('\u{1b}'));
    let outside = outside_code_spans(&md);
    for markup in ["<img", "<b>", "<script>"] {
        assert!(!outside.contains(markup), "{markup} outside a code span");
    }
    assert!(
        md.contains("<img"),
        "the hostile value is in the report, inside a code span"
    );
    assert!(
        !md.lines().any(|l| l.starts_with("| forged")),
        "a forged table row"
    );

    let html = run("html");
    assert!(!html.contains("<img") && !html.contains("<b>") && !html.contains("alert(1)</script>"));
    assert!(html.contains("&lt;b&gt;\\u{1b}[31mnew|status&lt;/b&gt;"));
    assert!(html.contains("return&lt;script&gt;alert(1)&lt;/script&gt;"));
}

/// Markdown with its code spans (a run of backticks to the next run of the same length) left
/// out: what a renderer would parse as markup.
fn outside_code_spans(md: &str) -> String {
    let mut out = String::new();
    let mut rest = md;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let fence = rest[start..].chars().take_while(|c| *c == '`').count();
        let body = &rest[start + fence..];
        let mut close = None;
        let mut at = 0;
        while let Some(found) = body[at..].find('`') {
            let pos = at + found;
            let run = body[pos..].chars().take_while(|c| *c == '`').count();
            if run == fence {
                close = Some(pos);
                break;
            }
            at = pos + run;
        }
        match close {
            Some(pos) => rest = &body[pos + fence..],
            None => {
                rest = body;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A sensitive key that does not normalise is not shown in the reason either, nor is a sensitive
/// time that cannot be read.
#[test]
fn a_sensitive_key_or_time_stays_hidden_in_every_sentence() {
    let dir = scratch("sensitive-key");
    edit(
        &dir.join("contracts/erp-return-records/1.0.0.yaml"),
        "    description: the RMA number without its prefix; older records keep leading zeros",
        "    description: the RMA number without its prefix; older records keep leading zeros\n    sensitive: true",
    );
    // Every ERP key longer than four digits no longer matches the flow's spelling.
    edit(
        &dir.join("flows/returns.yaml"),
        "key: {pointer: /return_authorization, strip_leading_zeros: true, pattern: '^[0-9]{1,8}$'}",
        "key: {pointer: /return_authorization, strip_leading_zeros: true, pattern: '^[0-9]{1,4}$'}",
    );
    let flow = returns_in(&dir, &[]);
    let gaps = flow["gaps"].as_array().unwrap();
    let malformed: Vec<&serde_json::Value> = gaps
        .iter()
        .filter(|g| {
            g["kind"] == "malformed_key"
                && g["systems"][0] == "erp"
                && g["message"]
                    .as_str()
                    .unwrap()
                    .contains("which does not match")
        })
        .collect();
    assert!(malformed.len() > 100, "{}", malformed.len());
    for g in &malformed {
        let message = g["message"].as_str().unwrap();
        assert!(
            message.contains("normalised to `(a value not shown #"),
            "{message}"
        );
        assert!(!message.contains("normalised to `1"), "{message}");
    }
    // The ERP records whose time breaks its format, with the time field sensitive.
    let dir = scratch("sensitive-time");
    edit(
        &dir.join("contracts/erp-return-records/1.0.0.yaml"),
        "    format: '%Y-%m-%d %H:%M:%S'\n    required: true",
        "    format: '%Y-%m-%d %H:%M:%S'\n    required: true\n    sensitive: true",
    );
    let flow = returns_in(&dir, &[]);
    let time = find_gap(&flow, "missing_time", "10009");
    let message = time["message"].as_str().unwrap();
    assert!(message.contains("`(a value not shown #"), "{message}");
    assert!(!message.contains("2026-11-"), "{message}");
}

/// Amounts no one can read exactly (grouped, NaN, past `Decimal`'s range, more than 28 digits)
/// are each an `unreadable_amount` gap with the value as sent: under `amounts: equal` they would
/// otherwise pass uncompared, in silence. Here the ERP's contract lets any value through, so it
/// is reconcile itself that must refuse to guess.
#[test]
fn amounts_that_cannot_be_read_exactly_are_reported_not_skipped() {
    let dir = scratch("unreadable-amounts");
    edit(
        &dir.join("contracts/erp-return-records/1.0.0.yaml"),
        "  credit_amount:\n    type: number\n    minimum: 0\n    nullable: true\n",
        "  credit_amount:\n    type: [number, string]\n    nullable: true\n",
    );
    let sent = [
        ("10154", "130.99", "\"1,000.00\"", "1,000.00"),
        ("10008", "215.99", "\"NaN\"", "NaN"),
        ("10003", "15.95", "\"1e400\"", "1e400"),
        (
            "10005",
            "85.9",
            "\"123456789012345678901234567890.5\"",
            "123456789012345678901234567890.5",
        ),
    ];
    let captures = dir.join("captures/erp/2026-11-03.ndjson");
    // Each entity's approval line, and only it, gets the unreadable amount.
    let text = std::fs::read_to_string(&captures).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    for (entity, before, after, _) in sent {
        let line = lines
            .iter_mut()
            .find(|l| {
                l.contains(&format!("\"return_authorization\":\"{entity}\""))
                    && l.contains("REFUND_APPROVED")
            })
            .unwrap();
        let was = format!("\"credit_amount\":{before},");
        assert!(line.contains(&was), "{line}");
        *line = line.replace(&was, &format!("\"credit_amount\":{after},"));
    }
    std::fs::write(&captures, lines.join("\n") + "\n").unwrap();
    let flow = returns_in(&dir, &[]);
    for (entity, _, _, raw) in sent {
        let gap = find_gap(&flow, "unreadable_amount", entity);
        assert_eq!(
            gap["message"],
            format!(
                "erp sent amount `{raw}` at /credit_amount, which is not an exact decimal amount, so it is not compared"
            ),
            "{gap:#}"
        );
        assert_eq!(gap["evidence"][0]["sent_amount"], raw);
        assert!(
            gap["fix"].as_str().unwrap().contains("plain decimal"),
            "{gap:#}"
        );
    }
}

/// A processor that writes ISO 4217 codes in lower case (`usd`, as Stripe does) agrees with an
/// ERP that writes `USD`: the returns flow reports exactly the gaps it reports with upper-case
/// codes. And where the currency and the amount are both wrong, both are reported.
#[test]
fn currency_codes_compare_without_regard_to_case_and_never_hide_an_amount() {
    let dir = scratch("currency-case");
    edit(
        &dir.join("contracts/psp-refund-notifications/1.0.0.yaml"),
        "        format: currency\n",
        "        pattern: '^[a-z]{3}$'\n",
    );
    let captures = dir.join("captures/processor.ndjson");
    let text = std::fs::read_to_string(&captures).unwrap();
    let lowered = text
        .replace("\"currency\":\"USD\"", "\"currency\":\"usd\"")
        .replace("\"currency\":\"CAD\"", "\"currency\":\"cad\"");
    assert!(lowered.matches("\"usd\"").count() > 100);
    std::fs::write(&captures, &lowered).unwrap();
    let expected = expected_gaps();
    let flow = returns_in(&dir, &[]);
    assert_eq!(common::gap_triples(&flow), expected);
    let gap = find_gap(&flow, "currency_disagreement", "10016");
    assert_eq!(
        gap["message"],
        "erp states 212.9 USD, processor states 212.9 CAD: the currencies differ"
    );

    // The processor refunds 10016 in the wrong currency and short by 10.00.
    edit(
        &captures,
        "\"amount\":{\"value\":21290,\"currency\":\"cad\"}",
        "\"amount\":{\"value\":20290,\"currency\":\"cad\"}",
    );
    let flow = returns_in(&dir, &[]);
    let about: Vec<(String, String, String)> = common::gap_triples(&flow)
        .into_iter()
        .filter(|(_, entity, _)| entity == "10016")
        .collect();
    let gap = |kind: &str, pair: &str| (kind.to_string(), "10016".to_string(), pair.to_string());
    assert_eq!(
        about,
        [
            gap("amount_disagreement", "erp -> processor"),
            gap("amount_disagreement", "processor -> erp"),
            gap("currency_disagreement", "erp -> processor"),
        ]
    );
    let amount = flow["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| {
            g["kind"] == "amount_disagreement" && g["entity"] == "10016" && g["systems"][0] == "erp"
        })
        .unwrap();
    assert_eq!(
        amount["message"],
        "erp states 212.9 USD, processor states 202.9 CAD"
    );
}

/// A payment processor that sends epoch seconds or milliseconds, and an ERP whose local times
/// are read in their named zone; mistakes in either setting are refused with the way out.
#[test]
fn epoch_times_and_named_zones_are_read_as_their_systems_write_them() {
    let dir = scratch("epoch-times");
    edit(
        &dir.join("contracts/psp-refund-notifications/1.0.0.yaml"),
        "  event_date:\n    type: string\n    format: date-time",
        "  event_date:\n    type: integer",
    );
    let processor_time = |dir: &Path, spec: &str, sent: &str| -> serde_json::Value {
        let flow = dir.join("flows/returns.yaml");
        let text = std::fs::read_to_string(&flow).unwrap();
        let at = text
            .find("    time: /event_date")
            .or_else(|| text.find("    time: {pointer: /event_date"))
            .unwrap();
        let end = at + text[at..].find('\n').unwrap();
        std::fs::write(
            &flow,
            format!("{}    time: {spec}{}", &text[..at], &text[end..]),
        )
        .unwrap();
        std::fs::write(
            dir.join("captures/processor.ndjson"),
            format!("{{\"psp_reference\":\"2ZU867GCHP178Y2M\",\"merchant_reference\":\"rma-00010154\",\"event_code\":\"REFUND\",\"success\":\"true\",\"amount\":{{\"value\":13099,\"currency\":\"USD\"}},\"event_date\":{sent},\"reason\":null}}\n"),
        )
        .unwrap();
        let out = reconcile_returns(dir, &["--format", "json", "--entity", "10154"]);
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)))
    };
    let last = |doc: &serde_json::Value| {
        doc["flows"][0]["views"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["key"] == "10154")
            .unwrap()["systems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["system"] == "processor")
            .unwrap()["last"]["time"]
            .clone()
    };
    let doc = processor_time(
        &dir,
        "{pointer: /event_date, format: unix_seconds}",
        "1793739900",
    );
    assert_eq!(last(&doc), "2026-11-03T21:05:00Z");
    let doc = processor_time(&dir, "{pointer: /event_date, format: '%s'}", "1793739900");
    assert_eq!(last(&doc), "2026-11-03T21:05:00Z");
    let doc = processor_time(
        &dir,
        "{pointer: /event_date, format: unix_milliseconds}",
        "1793739900123",
    );
    assert_eq!(last(&doc), "2026-11-03T21:05:00Z");
    // Milliseconds read as seconds: a missing_time whose fix names the right unit.
    let doc = processor_time(
        &dir,
        "{pointer: /event_date, format: unix_seconds}",
        "1793739900123",
    );
    let gap = find_gap(&doc["flows"][0], "missing_time", "10154");
    assert!(
        gap["fix"]
            .as_str()
            .unwrap()
            .contains("looks like milliseconds since the Unix epoch: read it with `time: {pointer: /event_date, format: unix_milliseconds}`"),
        "{gap}"
    );
    // Epoch seconds with no format at all: the fix says how to read them.
    let doc = processor_time(&dir, "/event_date", "1793739900");
    let gap = find_gap(&doc["flows"][0], "missing_time", "10154");
    assert!(
        gap["fix"]
            .as_str()
            .unwrap()
            .contains("format: unix_seconds"),
        "{gap}"
    );

    // An unknown zone, and two answers to one question, are refused where they are written.
    let refused = |from: &str, to: &str| {
        edit(&dir.join("flows/returns.yaml"), from, to);
        let out = handoff_in(&dir, &["reconcile", "--flow", "returns"]);
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = refused(
        "time_zone: America/New_York}",
        "time_zone: America/Newyork}",
    );
    assert!(
        err.contains("`time_zone` `America/Newyork` is not an IANA time zone; write one such as America/New_York"),
        "{err}"
    );
    let err = refused(
        "time_zone: America/Newyork}",
        "time_zone: America/New_York, utc_offset: '-05:00'}",
    );
    assert!(
        err.contains("`time_zone` and `utc_offset` both say how to read local time"),
        "{err}"
    );
}

/// A project used only for reconcile has no `checks`; `check` in it says what is missing.
#[test]
fn a_project_for_reconcile_alone_needs_no_checks() {
    let dir = scratch("no-checks");
    std::fs::write(dir.join("handoff.yaml"), "contracts: contracts\n").unwrap();
    let out = reconcile_returns(&dir, &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout(&out).contains("returns@1.0.0"), "{}", stdout(&out));
    let out = handoff_in(&dir, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "handoff: error: handoff.yaml has no `checks`, and no payloads were named\n  = help: name the payloads (handoff check --contract ID FILES...), or add `checks:` with a `contract` and its `inputs` to the project file\n"
    );
}

/// The JSON report gives every entity its view and status by default; `--views gaps` and
/// `--max-views` limit it, and what they leave out is counted.
#[test]
fn the_json_report_lists_every_entity_unless_limited() {
    let statuses = |extra: &[&str]| {
        let flow = returns(extra);
        let mut counts = std::collections::BTreeMap::new();
        for v in flow["views"].as_array().unwrap() {
            *counts
                .entry(v["status"].as_str().unwrap().to_string())
                .or_insert(0u64) += 1;
        }
        (
            counts,
            flow["unlisted_views"].as_u64().unwrap(),
            flow["entities"].clone(),
        )
    };
    let (all, unlisted, entities) = statuses(&[]);
    assert_eq!(unlisted, 0);
    assert_eq!(
        all["in_agreement"],
        entities["in_agreement"].as_u64().unwrap()
    );
    assert_eq!(all["pending"], entities["pending"].as_u64().unwrap());
    assert_eq!(all["gaps"], entities["with_gaps"].as_u64().unwrap());
    assert_eq!(
        all.values().sum::<u64>(),
        entities["total"].as_u64().unwrap()
    );
    let (gaps, unlisted, entities) = statuses(&["--views", "gaps", "--max-views", "5"]);
    assert_eq!(gaps.keys().collect::<Vec<_>>(), ["gaps"]);
    assert_eq!(gaps["gaps"], 5);
    assert_eq!(unlisted + 5, entities["with_gaps"].as_u64().unwrap());
}

/// One key that 1,500 messages share (a placeholder, a recycled RMA): the entity is judged on
/// its first and last messages in time up to `--max-entity-messages`, the ones between are
/// counted and named, and its view lists at most 1,000 timeline entries.
#[test]
fn an_entity_of_thousands_of_messages_is_judged_on_its_ends_and_says_what_was_cut() {
    let dir = scratch("huge-entity");
    let captures = dir.join("captures/portal.ndjson");
    let mut text = std::fs::read_to_string(&captures).unwrap();
    for i in 0..1_500u32 {
        // All `requested`, the last one `authorized`: only the tail says the ERP owes it.
        let status = if i == 1_499 {
            "authorized"
        } else {
            "requested"
        };
        text.push_str(&format!(
            "{{\"event_id\":\"evt_{i:012x}\",\"rma_number\":\"RMA00077777\",\"order_number\":\"#177777\",\"status\":\"{status}\",\"refund_amount\":null,\"currency\":\"USD\",\"updated_at\":\"2026-11-0{}T{:02}:{:02}:00Z\"}}\n",
            3 + i / 1_440,
            (i % 1_440) / 60,
            i % 60
        ));
    }
    std::fs::write(&captures, text).unwrap();
    let flow = returns_in(
        &dir,
        &["--max-entity-messages", "1200", "--entity", "77777"],
    );
    assert_eq!(flow["entities_cut"], 1);
    assert_eq!(
        flow["cut_entities"],
        serde_json::json!([{"key": "77777", "messages": 1500, "judged": 1200}])
    );
    // The newest message was judged: its authorisation still waits for the ERP.
    let gap = find_gap(&flow, "missing_counterpart", "77777");
    assert_eq!(gap["evidence"][0]["time"], "2026-11-04T00:59:00Z");
    let view = flow["views"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["key"] == "77777")
        .unwrap();
    assert_eq!(view["not_judged"], 300);
    assert_eq!(view["timeline"].as_array().unwrap().len(), 1_000);
    assert_eq!(view["timeline_cut"], 200);
    // Every message is still accounted for.
    let portal = &flow["systems"][0];
    assert_eq!(
        portal["messages"].as_u64().unwrap(),
        portal["correlated"].as_u64().unwrap() + portal["uncorrelated"].as_u64().unwrap()
    );
    let out = reconcile_returns(
        &dir,
        &[
            "--entity",
            "77777",
            "--max-entity-messages",
            "1200",
            "--limit",
            "0",
        ],
    );
    let text = stdout(&out);
    assert!(
        text.contains("1 return had more messages than --max-entity-messages and was judged on its first and last messages only: `77777` (1500 messages, 1200 judged)"),
        "{text}"
    );
    assert!(
        text.contains("    ... 200 messages between not listed\n"),
        "{text}"
    );
    assert!(
        text.contains("  ! 300 messages past --max-entity-messages were counted, not judged\n"),
        "{text}"
    );
    // Markdown and HTML name it too, quoted for their medium.
    for (format, says) in [
        (
            "markdown",
            "was judged on its first and last messages only: `77777` (1500 messages, 1200 judged).",
        ),
        (
            "html",
            "was judged on its first and last messages only: `77777` (1500 messages, 1200 judged).</p>",
        ),
    ] {
        let out = reconcile_returns(&dir, &["--format", format, "--max-entity-messages", "1200"]);
        let page = stdout(&out);
        assert!(page.contains(says), "{format}: {page}");
    }
}
