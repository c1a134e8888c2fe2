//! `handoff triage` on the shipped example log (fixtures/exceptions, written by its
//! generate.py): every pattern's five answers, verdict and decision type, the ranking by cost,
//! and the accounting of every row.

use crate::common;

use std::path::Path;
use std::process::Output;

fn handoff(args: &[&str]) -> Output {
    common::handoff(Path::new(env!("CARGO_MANIFEST_DIR")))
        .args(args)
        .output()
        .unwrap()
}

fn report() -> serde_json::Value {
    let out = handoff(&["triage", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The five answers in the questions' order (the JSON keys them by question).
fn answers(code: &serde_json::Value) -> Vec<&str> {
    handoff_reports::triage::framework::QUESTION_IDS
        .iter()
        .map(|q| code["answers"][q]["answer"].as_str().unwrap())
        .collect()
}

#[test]
fn every_pattern_gets_its_five_answers_verdict_and_decision() {
    let report = report();
    let codes: Vec<&serde_json::Value> = report["error_codes"].as_array().unwrap().iter().collect();
    let by = |name: &str| *codes.iter().find(|c| c["error_code"] == name).unwrap();
    // (code, count, answers 1-5, verdict, decision)
    let expected = [
        (
            "SKU_NOT_FOUND",
            600,
            ["yes", "no", "no", "no", "mismatch"],
            "integration",
            "binary",
        ),
        (
            "NO_DISPOSITION_RULE",
            401,
            ["no", "yes", "no", "yes", "missing_rule"],
            "process",
            "judgment",
        ),
        (
            "UNKNOWN_EVENT",
            320,
            ["yes", "no", "no", "no", "mismatch"],
            "integration",
            "binary",
        ),
        (
            "PO_REJECTED",
            200,
            ["yes", "no", "no", "no", "mismatch"],
            "integration",
            "binary",
        ),
        (
            "STORE_NOT_FOUND",
            150,
            ["yes", "yes", "unknown", "no", "mismatch"],
            // A contract gap that also needs a decision: a person decides, so not binary.
            "both",
            "judgment",
        ),
        (
            "ADDRESS_INVALID",
            300,
            ["yes", "no", "unknown", "no", "mismatch"],
            "integration",
            "binary",
        ),
        (
            "DELIVERY_TIMEOUT",
            100,
            ["no", "no", "yes", "no", "missing_rule"],
            "process",
            "escalated",
        ),
    ];
    for (name, count, five, verdict, decision) in expected {
        let code = by(name);
        assert_eq!(code["count"], count, "{name}");
        assert_eq!(answers(code), five, "{name}: {code:#}");
        assert_eq!(code["verdict"], verdict, "{name}");
        assert_eq!(code["decision"], decision, "{name}");
    }
    // The evidence is the numbers behind each answer.
    assert_eq!(
        by("NO_DISPOSITION_RULE")["answers"]["routing_varies"]["evidence"],
        "3 handlers resolve it 3 ways and none is standard (the commonest, \"refunded without return\", in 33% of the routed exceptions, under 75%): \"refunded without return\" 134 (3 handlers), \"sent to liquidation\" 134 (3 handlers), \"restocked\" 133 (3 handlers)"
    );
    assert_eq!(
        by("UNKNOWN_EVENT")["patterns"][0]["signature"],
        "payment-status-to-storefront: /event_code unknown_enum_value \"REFUND_FAILED\""
    );
    assert_eq!(
        by("UNKNOWN_EVENT")["first_seen"],
        "2026-11-09T09:21:00Z",
        "the new code appeared in week 46"
    );
}

#[test]
fn the_json_report_matches_its_published_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/triage.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("a valid schema");
    let report = report();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn error_codes_are_ranked_by_hours_of_handling_and_every_row_is_accounted_for() {
    let report = report();
    // The hours per week in all and in the integration patterns are the codes' own, summed.
    let codes = report["error_codes"].as_array().unwrap();
    let sum = |integration_only: bool| -> f64 {
        codes
            .iter()
            .filter(|c| {
                !integration_only || c["verdict"] == "integration" || c["verdict"] == "both"
            })
            .filter_map(|c| c["hours_per_week"].as_f64())
            .sum()
    };
    let hours = &report["hours_per_week"];
    assert!((hours["total"].as_f64().unwrap() - sum(false)).abs() < 1e-9);
    assert!((hours["integration"].as_f64().unwrap() - sum(true)).abs() < 1e-9);
    assert!(sum(true) > 0.0 && sum(true) < sum(false));
    // Integration first (then both), costliest first; process after.
    assert_eq!(
        report["fix_order"],
        serde_json::json!([
            "SKU_NOT_FOUND",
            "UNKNOWN_EVENT",
            "PO_REJECTED",
            "ADDRESS_INVALID",
            "STORE_NOT_FOUND",
            "NO_DISPOSITION_RULE",
            "DELIVERY_TIMEOUT"
        ])
    );
    // A code's hours per week are its patterns' estimated minutes over the weeks the log spans.
    let weeks = report["weeks"].as_f64().unwrap();
    for c in codes {
        let estimated: f64 = c["patterns"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["minutes"]["estimated"].as_f64())
            .sum();
        let hours = c["hours_per_week"].as_f64().unwrap();
        assert!(
            (estimated / 60.0 / weeks - hours).abs() < 1e-9,
            "{}",
            c["error_code"]
        );
    }
    let order: Vec<&str> = report["error_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["error_code"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "SKU_NOT_FOUND",
            "NO_DISPOSITION_RULE",
            "UNKNOWN_EVENT",
            "PO_REJECTED",
            "STORE_NOT_FOUND",
            "ADDRESS_INVALID",
            "DELIVERY_TIMEOUT"
        ]
    );
    let rows = &report["rows"];
    assert_eq!(rows["read"], 2074);
    assert_eq!(rows["used"], 2071);
    let rejected: Vec<(u64, &str)> = rows["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(rejected.len(), 3);
    assert_eq!(rejected[1], (103, "`error_code` is empty"));
    assert_eq!(
        rejected[2],
        (104, "handling minutes \"ten\" is not a number of minutes")
    );
    assert_eq!(
        rows["payloads_not_found"][0]["reason"],
        "payload captures/wms-returns-2026-W44.ndjson:9999: no record on that line"
    );
    let hours = report["error_codes"][0]["hours_per_week"].as_f64().unwrap();
    assert!(
        (12.0..13.5).contains(&hours),
        "600 exceptions at about 5 minutes over 4 weeks: {hours}"
    );
}

#[test]
fn the_text_report_for_the_weekly_review() {
    let out = handoff(&["triage", "--top", "2"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("triage_text_top_2", String::from_utf8(out.stdout).unwrap());
}

#[test]
fn the_markdown_report_for_the_review_document() {
    let out = handoff(&["triage", "--format", "markdown", "--top", "1"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(
        "triage_markdown_top_1",
        String::from_utf8(out.stdout).unwrap()
    );
}

#[test]
fn an_ad_hoc_mapping_and_its_mistakes() {
    let out = handoff(&[
        "triage",
        "fixtures/exceptions/exceptions.csv",
        "--config",
        "/dev/null/none",
        "--map",
        "opened_at=opened_at",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = handoff(&["triage", "--map", "eror_code=x"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "handoff: error: `eror_code` is not a field of an exception log; did you mean `error_code`?\n"
    );
    let out = handoff(&["triage", "--map", "error_code=Error Code"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the log has no column `Error Code`"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_ndjson_log_with_inline_payloads_and_flags_only() {
    let dir = std::env::temp_dir().join(format!("handoff-triage-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let row = |i: usize, code: &str| {
        serde_json::json!({
            "when": format!("2026-11-{:02}T10:00:00Z", 2 + i % 20),
            "code": "UNKNOWN_EVENT",
            "body": serde_json::json!({"live": "true", "psp_reference": "8815329842815468", "merchant_reference": "#100234",
                "event_code": code, "success": "true", "amount": {"value": 1, "currency": "USD"},
                "event_date": "2026-11-02T10:00:00Z"}).to_string(),
            "contract": "payment-status-to-storefront@2.0.0",
        })
        .to_string()
    };
    let lines: Vec<String> = (0..10)
        .map(|i| row(i, if i < 9 { "REFUND_FAILED" } else { "CAPTURE" }))
        .collect();
    std::fs::write(dir.join("log.ndjson"), lines.join("\n") + "\n").unwrap();
    let contracts = format!("{}/contracts", env!("CARGO_MANIFEST_DIR"));
    let out = common::handoff(&dir)
        .args([
            "triage",
            "log.ndjson",
            "--contracts",
            &contracts,
            "--format",
            "json",
            "--map",
            "opened_at=when",
            "--map",
            "error_code=code",
            "--map",
            "payload_inline=body",
            "--map",
            "contract=contract",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let code = &report["error_codes"][0];
    assert_eq!(report["rows"]["used"], 10);
    assert_eq!(
        code["answers"]["consistent_pattern"]["evidence"],
        "9 of 10 (90%) share one violation: payment-status-to-storefront: /event_code unknown_enum_value \"REFUND_FAILED\""
    );
    assert_eq!(code["verdict"], "integration");
    assert_eq!(code["answers"]["routing_varies"]["answer"], "unknown");
}

/// A log named on the command line, such as a Spark job writes (handoff's field names as its
/// members), in a project whose handoff.yaml maps its own log's payload and boundary columns:
/// the log's `payload_inline` and `contract` are read, saying so, and every row is used.
#[test]
fn another_log_with_its_own_payload_and_boundary_columns() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&root.join("contracts"), &dir.path().join("contracts"));
    std::fs::copy(root.join("handoff.yaml"), dir.path().join("handoff.yaml")).unwrap();
    let invalid = std::fs::read_to_string(
        root.join("fixtures/payment-status-to-storefront/invalid/2026-11-21.ndjson"),
    )
    .unwrap();
    let rows: Vec<String> = invalid
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            serde_json::json!({
                "opened_at": format!("2026-11-{:02}T10:00:00Z", 2 + i),
                "error_code": "SPARK_INVALID",
                "payload_inline": line,
                "contract": "payment-status-to-storefront@^2",
            })
            .to_string()
        })
        .collect();
    std::fs::write(dir.path().join("exceptions.ndjson"), rows.join("\n") + "\n").unwrap();
    let out = common::handoff(dir.path())
        .args(["triage", "exceptions.ndjson", "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("handoff: note: exceptions.ndjson has none of the columns handoff.yaml maps for the payload (`capture_line`, `capture`): its `payload_inline` column is read instead\n"), "{stderr}");
    assert!(stderr.contains("handoff: note: exceptions.ndjson has none of the columns handoff.yaml maps for the boundary (`queue`): its `contract` column is read instead\n"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["rows"]["read"], rows.len());
    assert_eq!(report["rows"]["used"], rows.len());
    assert_eq!(report["error_codes"][0]["error_code"], "SPARK_INVALID");
}

fn html_report() -> String {
    let out = handoff(&["triage", "--format", "html"]);
    assert_eq!(out.status.code(), Some(0));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_html_report_is_one_self_contained_page() {
    let page = html_report();
    assert!(page.starts_with("<!doctype html>"));
    for outside in [
        "<script",
        "<link",
        "src=\"http",
        "href=\"http",
        "@import",
        "url(",
    ] {
        assert!(
            !page.contains(outside),
            "the page loads nothing from outside: {outside}"
        );
    }
    // One card per error code, each with its weekly chart and five answers.
    assert_eq!(page.matches("<section class=\"card\"").count(), 7);
    assert_eq!(page.matches("<svg role=\"img\"").count(), 7);
    assert!(page.contains("<span class=\"badge both\">both</span>"));
    assert!(
        page.contains("<tr><td>storefront -&gt; erp (storefront-order-to-erp)</td><td class=\"n\">900</td><td class=\"n\">2</td></tr>"),
        "counts by boundary"
    );
    assert!(page.contains("<strong>decided:</strong> upper-case SKUs in the storefront connector"));
    assert!(
        page.contains("&quot;refunded without return&quot; 134"),
        "evidence is escaped"
    );
    assert!(
        page.contains("<td class=\"n\">105</td><td>payload captures/wms-returns-2026-W44.ndjson:9999: no record on that line</td>"),
        "rows not used are listed"
    );
}

/// Renders the page in headless Chromium when it is installed (`.ci/run` installs Debian's
/// package when it can): the rendered text holds the report, the browser logs no error, and a
/// screenshot is written to target/triage-report.png.
#[test]
fn the_html_report_renders_in_a_real_browser() {
    let Some(browser) = common::browser() else {
        return;
    };
    let page = common::target_dir().join("triage-report.html");
    std::fs::write(&page, html_report()).unwrap();
    let url = format!("file://{}", page.display());
    let rendered = common::rendered_dom(browser, &url, 1200, 1600);
    assert!(rendered.contains("Exception triage"), "{rendered}");
    assert!(rendered.contains("SKU_NOT_FOUND") && rendered.contains("NO_DISPOSITION_RULE"));
    common::screenshot(browser, &url, "triage-report.png", 1200, 1600);
}

#[test]
fn the_report_is_the_same_whatever_the_number_of_threads() {
    let one = handoff(&["triage", "--format", "json", "--jobs", "1"]);
    let three = handoff(&["triage", "--format", "json", "--jobs", "3"]);
    assert_eq!(one.status.code(), Some(0));
    assert_eq!(one.stdout, three.stdout);
}

/// A project with two versions of the order contract and a log whose rows name one of them.
fn history_project(name: &str) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("handoff-history-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("contracts/storefront-order-to-erp")).unwrap();
    let v12 =
        std::fs::read_to_string(root.join("contracts/storefront-order-to-erp/1.2.0.yaml")).unwrap();
    std::fs::write(
        dir.join("contracts/storefront-order-to-erp/1.2.0.yaml"),
        &v12,
    )
    .unwrap();
    std::fs::write(
        dir.join("contracts/storefront-order-to-erp/1.3.0.yaml"),
        v12.replace("version: 1.2.0", "version: 1.3.0"),
    )
    .unwrap();
    std::fs::write(
        dir.join("handoff.yaml"),
        "checks: []\nexceptions:\n  log: log.csv\n  columns: {opened_at: at, error_code: code, payload_file: payload, contract: contract}\n",
    )
    .unwrap();
    std::fs::copy(
        root.join("fixtures/storefront-order-to-erp/invalid/zip-plus-4.json"),
        dir.join("order.json"),
    )
    .unwrap();
    dir
}

fn log_for(dir: &Path, version: &str, rows: usize) {
    let mut csv = String::from("at,code,payload,contract\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "2026-11-{:02}T10:00:00Z,ADDRESS_INVALID,order.json,storefront-order-to-erp@{version}\n",
            2 + i % 20
        ));
    }
    std::fs::write(dir.join("log.csv"), csv).unwrap();
}

/// The report's entry for one error code.
fn error_code<'d>(doc: &'d serde_json::Value, name: &str) -> &'d serde_json::Value {
    doc["error_codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["error_code"] == name)
        .unwrap_or_else(|| panic!("no error code {name}"))
}

fn triage_in(dir: &Path, args: &[&str]) -> Output {
    common::handoff(env!("CARGO_MANIFEST_DIR"))
        .arg("triage")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// The JSON report of a triage that must succeed.
fn json_report(dir: &Path) -> serde_json::Value {
    let out = triage_in(dir, &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn recorded_runs_show_a_trend_and_a_pattern_back_after_a_version_change_is_flagged() {
    let dir = history_project("trend");
    log_for(&dir, "1.2.0", 10);
    let first = triage_in(&dir, &["--record", "--format", "json"]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        String::from_utf8_lossy(&first.stderr)
            .contains("recorded this triage in .handoff/history.db")
    );
    let doc: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(
        doc["error_codes"][0]["patterns"][0]["history"],
        serde_json::json!([])
    );

    // A week later the team shipped 1.3.0, meant to fix it; the exceptions keep coming.
    log_for(&dir, "1.3.0", 12);
    let second = triage_in(&dir, &["--record", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    let pattern = &doc["error_codes"][0]["patterns"][0];
    assert_eq!(pattern["count"], 12);
    assert_eq!(pattern["history"][0]["count"], 10);
    assert_eq!(
        pattern["history"][0]["contracts"],
        "storefront-order-to-erp@1.2.0"
    );
    assert_eq!(
        pattern["recurs_after_contract_change"],
        serde_json::json!({"before": "storefront-order-to-erp@1.2.0", "now": "storefront-order-to-erp@1.3.0"})
    );
    let text = String::from_utf8(triage_in(&dir, &[]).stdout).unwrap();
    let runs = text
        .lines()
        .find(|l| l.contains("recorded runs: "))
        .expect("the runs are listed");
    assert!(
        runs.contains(" 10, ") && runs.ends_with(" 12, now 12"),
        "{runs}"
    );
    assert!(
        text.contains("the fix did not hold: recurs after the contract changed from storefront-order-to-erp@1.2.0 to storefront-order-to-erp@1.3.0"),
        "{text}"
    );
}

#[test]
fn a_damaged_history_is_an_error_and_is_not_overwritten() {
    let dir = history_project("damaged");
    log_for(&dir, "1.2.0", 3);
    std::fs::create_dir_all(dir.join(".handoff")).unwrap();
    std::fs::write(dir.join(".handoff/history.db"), "not sqlite").unwrap();
    let out = triage_in(&dir, &["--record"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains(".handoff/history.db is not a handoff history database, or it is damaged"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join(".handoff/history.db")).unwrap(),
        "not sqlite"
    );
    // `check --record` writes to the same database.
    std::fs::remove_file(dir.join(".handoff/history.db")).unwrap();
    let check = common::handoff(&dir)
        .args([
            "check",
            "--record",
            "--contract",
            "storefront-order-to-erp",
            "order.json",
        ])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&check.stderr)
            .contains("recorded this check in .handoff/history.db")
    );
}

#[test]
fn the_mapping_overrides_a_decision_type_per_error_code() {
    let dir = history_project("override");
    log_for(&dir, "1.2.0", 3);
    let yaml = std::fs::read_to_string(dir.join("handoff.yaml")).unwrap();
    std::fs::write(
        dir.join("handoff.yaml"),
        format!("{yaml}  decision_types: {{ADDRESS_INVALID: judgment}}\n"),
    )
    .unwrap();
    let doc: serde_json::Value =
        serde_json::from_slice(&triage_in(&dir, &["--format", "json"]).stdout).unwrap();
    assert_eq!(doc["error_codes"][0]["decision"], "judgment");
    assert_eq!(doc["error_codes"][0]["route"]["automatable"], "gated");
    std::fs::write(
        dir.join("handoff.yaml"),
        format!("{yaml}  decision_types: {{ADDRESS_INVALID: binaryy}}\n"),
    )
    .unwrap();
    let out = triage_in(&dir, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`binaryy` is not a decision type"));
}

#[test]
fn log_values_cannot_forge_lines_or_markup_in_any_format() {
    let dir = std::env::temp_dir().join(format!("handoff-triage-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let row = serde_json::json!({
        "when": "2026-11-02T10:00:00Z",
        "code": "X\n::error file=a::forged\u{1b}[2J<script>alert(1)</script>|`",
        "who": "<img src=x onerror=alert(1)>",
        "what": "@team [link](http://evil.example)",
        "body": "{}",
        "contract": "payment-status-to-storefront@2.0.0",
    });
    std::fs::write(dir.join("log.ndjson"), format!("{row}\n")).unwrap();
    let contracts = format!("{}/contracts", env!("CARGO_MANIFEST_DIR"));
    let run = |format: &str| {
        let out = common::handoff(&dir)
            .args([
                "triage",
                "log.ndjson",
                "--contracts",
                &contracts,
                "--format",
                format,
                "--map",
                "opened_at=when",
                "--map",
                "error_code=code",
                "--map",
                "payload_inline=body",
                "--map",
                "contract=contract",
                "--map",
                "handled_by=who",
                "--map",
                "resolution=what",
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    for format in ["text", "markdown", "html"] {
        let shown = run(format);
        assert!(!shown.contains('\u{1b}'), "{format}: {shown}");
        assert!(
            !shown.lines().any(|l| l.starts_with("::")),
            "{format}: {shown}"
        );
    }
    // Markdown: the code stays in one code span and the row keeps its seven columns.
    let md = run("markdown");
    let row = md
        .lines()
        .find(|l| l.starts_with("| `` X"))
        .expect("the summary row");
    assert!(
        row.starts_with(
            "| `` X\\n::error file=a::forged\\u{1b}[2J<script>alert(1)</script>\\|` `` |"
        ),
        "{row}"
    );
    assert_eq!(row.replace("\\|", "").matches('|').count(), 8, "{row}");
    // HTML: markup from the log is text.
    let html = run("html");
    assert!(
        !html.contains("<script>") && !html.contains("<img"),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

/// A delivery has three outcomes: delivered, rejected on its content (the receiver judging the
/// payload, which is the contract's business) and failed (no acknowledgement). Only failures
/// make a pattern escalated; every vocabulary (words, HTTP codes, 997/999 codes) is read, an
/// unknown value is a rejected row naming it and the map that would read it, and the map does.
#[test]
fn rejected_deliveries_are_the_contracts_business_and_only_failed_ones_escalate() {
    let dir = history_project("delivery");
    let config = "checks: []\nexceptions:\n  log: log.csv\n  columns: {opened_at: at, error_code: code, payload_file: payload, contract: contract, handoff_status: status}\n";
    std::fs::write(dir.join("handoff.yaml"), config).unwrap();
    let mut csv = String::from("at,code,payload,contract,status\n");
    let rows = [
        ("REFUSED", ["422", "rejected", "R", "400", "E", "X"]),
        (
            "TRANSPORT",
            ["503", "timeout", "failed", "connection reset", "504", "408"],
        ),
    ];
    for (code, statuses) in rows {
        for (i, status) in statuses.iter().enumerate() {
            csv.push_str(&format!(
                "2026-11-{:02}T10:00:00Z,{code},order.json,storefront-order-to-erp@1.2.0,{status}\n",
                2 + i
            ));
        }
    }
    csv.push_str(
        "2026-11-09T10:00:00Z,TRANSPORT,order.json,storefront-order-to-erp@1.2.0,QUEUED\n",
    );
    std::fs::write(dir.join("log.csv"), csv).unwrap();

    let doc = json_report(&dir);
    let by = |name: &str| error_code(&doc, name).clone();
    let refused = by("REFUSED");
    assert_eq!(refused["decision"], "binary", "{refused:#}");
    assert_eq!(refused["verdict"], "integration", "{refused:#}");
    assert_eq!(
        refused["answers"]["recurs_despite_good_handoff"]["evidence"],
        "0 of 6 (0%) were delivered (acknowledged) with a conforming payload; 0 delivered in all, 6 rejected by the receiver, 0 failed in transport"
    );
    let transport = by("TRANSPORT");
    assert_eq!(transport["decision"], "escalated", "{transport:#}");
    assert_eq!(transport["count"], 6);
    let rejected = doc["rows"]["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{rejected:#?}");
    assert_eq!(rejected[0]["line"], 14);
    assert_eq!(
        rejected[0]["reason"],
        "handoff status \"QUEUED\" is not a delivery outcome handoff knows: say what it means under exceptions.handoff_status in handoff.yaml (\"QUEUED\": delivered, rejected or failed)"
    );

    // Said once in the mapping, the value is read.
    std::fs::write(
        dir.join("handoff.yaml"),
        format!("{config}  handoff_status:\n    QUEUED: failed\n"),
    )
    .unwrap();
    let out = triage_in(&dir, &["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["rows"]["rejected"].as_array().unwrap().len(), 0);
    let transport = error_code(&doc, "TRANSPORT");
    assert_eq!(transport["count"], 7);
    assert!(
        transport["answers"]["recurs_despite_good_handoff"]["evidence"]
            .as_str()
            .unwrap()
            .ends_with("0 delivered in all, 0 rejected by the receiver, 7 failed in transport")
    );

    // A value that is not an outcome is located in handoff.yaml.
    std::fs::write(
        dir.join("handoff.yaml"),
        format!("{config}  handoff_status:\n    QUEUED: lost\n"),
    )
    .unwrap();
    let out = triage_in(&dir, &[]);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("`lost` is not a delivery outcome"), "{text}");
    assert!(text.contains("handoff.yaml:"), "{text}");
}

/// A log none of whose rows can be used is an error (exit 2), after the rejected rows are
/// shown: a report of nothing is not a diagnosis. The reason quotes the cell and says what
/// would make it readable.
#[test]
fn a_log_with_no_usable_row_is_an_error_that_says_why() {
    let dir = history_project("no-usable-row");
    std::fs::write(
        dir.join("log.csv"),
        "at,code,payload,contract\n02/11/2026 10:00,A,order.json,storefront-order-to-erp@1.2.0\n",
    )
    .unwrap();
    let out = triage_in(&dir, &[]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("  line 2: `at` value \"02/11/2026 10:00\" is not a time (failed to parse four digit integer as year: invalid digit, expected 0-9 but got /): write RFC 3339 (2026-11-02T10:00:00Z), or give the log's layout as opened_at_format, such as %d/%m/%Y %H:%M\n"), "{stdout}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "handoff: error: no row of log.csv could be used (1 read, 1 rejected): check the column mapping under exceptions in handoff.yaml (or --map), and opened_at_format if the times are not RFC 3339\n"
    );
}

/// A truncated or empty body is an `invalid_json` finding, as `handoff check` reports it: a
/// signature that counts in question 1, makes question 5 a mismatch, and (the handoff broke
/// before anyone could judge the data) decides the pattern `escalated`. Delivered or not, data
/// that could not be read is never "delivered with a conforming payload".
#[test]
fn unreadable_payloads_are_evidence_and_escalate_the_pattern() {
    let dir = history_project("unreadable");
    let config = "checks: []\nexceptions:\n  log: log.csv\n  columns: {opened_at: at, error_code: code, payload_file: payload, contract: contract, handoff_status: status}\n";
    std::fs::write(dir.join("handoff.yaml"), config).unwrap();
    std::fs::write(dir.join("cut-1.json"), "{\"order_id\": \"SO-1\", \"li").unwrap();
    std::fs::write(
        dir.join("cut-2.json"),
        "{\"order_id\": \"SO-2\", \"line_items\": [",
    )
    .unwrap();
    std::fs::write(dir.join("empty.json"), "").unwrap();
    let mut csv = String::from("at,code,payload,contract,status\n");
    for (i, file) in [
        "cut-1.json",
        "cut-2.json",
        "empty.json",
        "cut-1.json",
        "cut-2.json",
    ]
    .iter()
    .enumerate()
    {
        csv.push_str(&format!(
            "2026-11-{:02}T10:00:00Z,BODY_CUT,{file},storefront-order-to-erp@1.2.0,200\n",
            2 + i
        ));
    }
    std::fs::write(dir.join("log.csv"), csv).unwrap();
    let doc = json_report(&dir);
    let code = &doc["error_codes"][0];
    assert_eq!(code["error_code"], "BODY_CUT");
    assert_eq!(
        answers(code),
        ["yes", "unknown", "unknown", "no", "mismatch"],
        "{code:#}"
    );
    assert_eq!(
        code["answers"]["consistent_pattern"]["evidence"],
        "5 of 5 (100%) payloads could not be read (storefront-order-to-erp: invalid_json): the same break at the boundary"
    );
    assert!(
        code["answers"]["recurs_despite_good_handoff"]["evidence"]
            .as_str()
            .unwrap()
            .starts_with("0 of 5 (0%) were delivered (acknowledged) with a conforming payload")
    );
    assert_eq!(code["verdict"], "integration");
    assert_eq!(code["decision"], "escalated");
    assert_eq!(doc["rows"]["used"], 5);
}

/// Every threshold is a setting: the defaults, then `exceptions.thresholds` in handoff.yaml,
/// then the flags; the report says which were used, and a share outside 0..1 is refused where
/// it is written.
#[test]
fn thresholds_come_from_handoff_yaml_and_flags_and_the_report_names_them() {
    let dir = history_project("thresholds");
    log_for(&dir, "1.2.0", 10);
    let yaml = dir.join("handoff.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(
        &yaml,
        format!("{text}  thresholds: {{consistent_share: 0.9, standard_share: 0.6}}\n"),
    )
    .unwrap();
    let json = |args: &[&str]| -> serde_json::Value {
        let out = triage_in(&dir, &[&["--format", "json"], args].concat());
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let doc = json(&[]);
    assert_eq!(
        doc["thresholds"],
        serde_json::json!({
            "consistent_share": 0.9, "standard_share": 0.6, "material_share": 0.1,
            "retry_share": 0.5, "delivered_share": 0.5, "escalation_share": 0.5
        })
    );
    let doc = json(&["--standard-share", "0.8", "--escalation-share", "0.25"]);
    assert_eq!(doc["thresholds"]["standard_share"], 0.8);
    assert_eq!(doc["thresholds"]["consistent_share"], 0.9);
    assert_eq!(doc["thresholds"]["escalation_share"], 0.25);
    let out = triage_in(&dir, &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("\nthresholds: consistent pattern 90%; standard resolution 60% by most handlers (listed from 10%); retry success over 50%; good handoffs over 50%; escalated over 50% failed\n"),
        "{text}"
    );
    // Out of range, as a flag and in the file.
    let out = triage_in(&dir, &["--consistent-share", "80"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("80 is not a share from 0 to 1 (write 0.8 for 80%)"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(
        &yaml,
        format!(
            "{text}  thresholds: {{retry_share: 1.5}}\n",
            text = std::fs::read_to_string(&yaml).unwrap().replace(
                "  thresholds: {consistent_share: 0.9, standard_share: 0.6}\n",
                ""
            )
        ),
    )
    .unwrap();
    let out = triage_in(&dir, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`retry_share` is a share from 0 to 1, found 1.5"),
        "{err}"
    );
}

/// Columns named as their fields need no mapping, in a CSV or an NDJSON log; `--help` lists
/// every field a column can be mapped to, `opened_at_format` included.
#[test]
fn columns_named_as_their_fields_need_no_mapping_and_help_lists_every_field() {
    let dir = history_project("named-columns");
    // No exceptions section at all: only what the log's own names say.
    std::fs::write(dir.join("handoff.yaml"), "checks: []\n").unwrap();
    std::fs::write(
        dir.join("log.csv"),
        "opened_at,error_code,payload_file,contract,handled_by,resolution\n2026-11-02T10:00:00Z,ADDRESS_INVALID,order.json,storefront-order-to-erp@1.2.0,ana,fixed the ZIP\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("log.ndjson"),
        "{\"opened_at\":\"2026-11-02T10:00:00Z\",\"error_code\":\"ADDRESS_INVALID\",\"payload_file\":\"order.json\",\"contract\":\"storefront-order-to-erp@1.2.0\"}\n",
    )
    .unwrap();
    for log in ["log.csv", "log.ndjson"] {
        let out = triage_in(&dir, &[log, "--format", "json"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{log}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["rows"]["used"], 1, "{log}");
        assert_eq!(error_code(&doc, "ADDRESS_INVALID")["count"], 1, "{log}");
    }
    let help = triage_in(&dir, &["--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    for (field, _) in handoff_reports::triage::mapping::FIELDS {
        assert!(
            text.contains(&format!("  {field}: ")),
            "{field} not in --help:\n{text}"
        );
    }
    assert!(text.contains("opened_at_format: "), "{text}");
}

/// The README's triage sample is the tool's real output (its lines, with `...` for the ones
/// left out).
#[test]
fn the_readme_sample_is_real_output() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let after = &readme[readme.find("cargo run --release -- triage\n").unwrap()..];
    let block = after.split("```\n").nth(2).unwrap();
    let out = handoff(&["triage"]);
    let real = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = real.lines().collect();
    let sample: Vec<&str> = block.lines().filter(|l| l.trim() != "...").collect();
    assert!(sample.len() >= 8, "{block}");
    for line in sample {
        assert!(
            lines.contains(&line),
            "README line not in the output: {line:?}\n{real}"
        );
    }
}

/// Weekly counts cover every week the log spans: a quiet week is a zero, not a gap in the
/// JSON (or in a chart drawn from it). Question 5 answers in its own words.
#[test]
fn weekly_counts_include_zero_weeks_and_question_5_says_mismatch() {
    let dir = history_project("zero-weeks");
    let mut csv = String::from("at,code,payload,contract\n");
    for day in ["2026-11-02", "2026-11-03", "2026-11-17"] {
        csv.push_str(&format!(
            "{day}T10:00:00Z,ADDRESS_INVALID,order.json,storefront-order-to-erp@1.2.0\n"
        ));
    }
    std::fs::write(dir.join("log.csv"), csv).unwrap();
    let doc = json_report(&dir);
    assert_eq!(doc["format_version"], 2);
    let code = error_code(&doc, "ADDRESS_INVALID");
    let weeks = serde_json::json!({"2026-W45": 2, "2026-W46": 0, "2026-W47": 1});
    assert_eq!(code["weekly"], weeks);
    assert_eq!(code["patterns"][0]["weekly"], weeks);
    assert_eq!(
        code["answers"]["mismatch_or_missing_rule"]["answer"],
        "mismatch"
    );
    common::assert_valid("docs/triage.schema.json", &doc);
}

/// A log written for one mechanism per error code (tests/triage-fidelity/, by its
/// generate.py): the delivery vocabularies, a 90/10 resolution split, no standard resolution,
/// a `both` pattern, a scattered one, truncated bodies, short and long records, CRLF endings
/// with a quoted line break. Every answer, verdict, decision type and line number, exactly.
#[test]
fn a_log_written_for_each_mechanism_is_decided_exactly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/triage-fidelity");
    let doc = json_report(&dir);
    common::assert_valid("docs/triage.schema.json", &doc);
    // Error code, count, the five answers, verdict, decision type, the first pattern's examples.
    type Row<'a> = (&'a str, u64, [&'a str; 5], &'a str, &'a str, &'a [u64]);
    let expected: [Row; 6] = [
        (
            "NO_RULE",
            10,
            ["no", "yes", "unknown", "no", "missing_rule"],
            "process",
            "judgment",
            &[12, 13, 14],
        ),
        (
            "SKU_BAD",
            10,
            ["yes", "no", "unknown", "no", "mismatch"],
            "integration",
            "binary",
            &[2, 3, 4],
        ),
        (
            "NEW_STATUS",
            6,
            ["yes", "yes", "unknown", "no", "mismatch"],
            "both",
            "judgment",
            &[30, 31, 32],
        ),
        (
            "SCATTERED",
            6,
            ["no", "no", "unknown", "no", "mismatch"],
            "both",
            "judgment",
            &[36, 39],
        ),
        (
            "CUT_BODY",
            4,
            ["yes", "no", "unknown", "no", "mismatch"],
            "integration",
            "escalated",
            &[42, 43, 44],
        ),
        // Its second row is the one with a field too many, rejected at line 25.
        (
            "TIMEOUT",
            5,
            ["no", "no", "unknown", "no", "missing_rule"],
            "process",
            "escalated",
            &[21, 26, 27],
        ),
    ];
    let codes: Vec<&str> = doc["error_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["error_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, expected.map(|e| e.0));
    for (name, count, five, verdict, decision, examples) in expected {
        let c = error_code(&doc, name);
        assert_eq!(c["count"], count, "{name}");
        assert_eq!(answers(c), five, "{name}: {c:#}");
        assert_eq!(c["verdict"], verdict, "{name}");
        assert_eq!(c["decision"], decision, "{name}");
        assert_eq!(
            c["patterns"][0]["examples"],
            serde_json::json!(examples),
            "{name}"
        );
    }
    // Signatures as data.
    let violations = |code: &str| error_code(&doc, code)["patterns"][0]["violations"].clone();
    assert_eq!(
        violations("SKU_BAD"),
        serde_json::json!([{"contract": "orders@1.0.0", "pointer": "/sku", "kind": "pattern_mismatch"}])
    );
    assert_eq!(
        violations("NEW_STATUS"),
        serde_json::json!([{"contract": "orders@1.0.0", "pointer": "/status", "kind": "unknown_enum_value", "value": "refunded"}])
    );
    assert_eq!(
        violations("CUT_BODY"),
        serde_json::json!([{"contract": "orders@1.0.0", "pointer": "", "kind": "invalid_json"}])
    );
    assert_eq!(violations("NO_RULE"), serde_json::json!([]));
    assert_eq!(
        error_code(&doc, "SKU_BAD")["patterns"][0]["contracts"],
        serde_json::json!(["orders@1.0.0"])
    );
    let evidence = |code: &str, q: &str| {
        error_code(&doc, code)["answers"][q]["evidence"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Three vocabularies each: delivered, rejected (not a failure), failed.
    assert!(
        evidence("SKU_BAD", "recurs_despite_good_handoff")
            .ends_with("10 delivered in all, 0 rejected by the receiver, 0 failed in transport")
    );
    assert!(
        evidence("NO_RULE", "recurs_despite_good_handoff")
            .ends_with("0 delivered in all, 10 rejected by the receiver, 0 failed in transport")
    );
    assert!(
        evidence("TIMEOUT", "recurs_despite_good_handoff")
            .ends_with("0 delivered in all, 0 rejected by the receiver, 5 failed in transport")
    );
    assert_eq!(
        evidence("SKU_BAD", "routing_varies"),
        "a standard resolution: \"uppercased the SKU\" in 9 of 10 routed exceptions (90%), by 3 of 4 handlers; also \"cancelled the line\" 1 (1 handler)"
    );
    // The quoted line break is part of the cell, and every line after it is counted.
    assert!(
        evidence("NO_RULE", "routing_varies").contains("\"refunded\\nafter a call\" 1 (1 handler)"),
        "{}",
        evidence("NO_RULE", "routing_varies")
    );
    assert_eq!(
        doc["rows"],
        serde_json::json!({
            "read": 43, "used": 41, "rejected_count": 2,
            "rejected": [
                {"line": 24, "reason": "the row has 3 fields, the header 8: a field is missing or a delimiter is inside an unquoted cell"},
                {"line": 25, "reason": "the row has 9 fields, the header 8: a delimiter is inside an unquoted cell, or a field is extra"}
            ],
            "payloads_not_found_count": 0, "payloads_not_found": []
        })
    );
    assert_eq!(
        doc["fix_order"],
        serde_json::json!([
            "SKU_BAD",
            "CUT_BODY",
            "NEW_STATUS",
            "SCATTERED",
            "NO_RULE",
            "TIMEOUT"
        ])
    );
    // The generator writes exactly the checked-in log.
    let scratch = common::run_generator(&dir.join("generate.py"), "triage-fidelity");
    assert!(
        std::fs::read(scratch.join("log.csv")).unwrap()
            == std::fs::read(dir.join("log.csv")).unwrap(),
        "log.csv differs from what generate.py writes"
    );
    let _ = std::fs::remove_dir_all(&scratch);
}

/// docs/triage.md's worked example says what the tool says: each claim of the prose is paired
/// with the line of the real report that backs it, so neither can change alone.
#[test]
fn the_worked_example_in_the_docs_is_the_real_report() {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/triage.md"))
            .unwrap();
    let start = docs.find("## A worked example").unwrap();
    let example = &docs[start..start + docs[start..].find("\n## Repair").unwrap()];
    let prose = example.split_whitespace().collect::<Vec<_>>().join(" ");
    let out = handoff(&["triage", "--top", "7"]);
    assert_eq!(out.status.code(), Some(0));
    let report = String::from_utf8_lossy(&out.stdout);
    let section = |code: &str| {
        let at = report
            .find(&format!(". {code} — "))
            .unwrap_or_else(|| panic!("{code} not in the report:\n{report}"));
        let rest = &report[report[..at].rfind('\n').map_or(0, |n| n + 1)..];
        rest[..rest.find("\n\n").unwrap_or(rest.len())].to_string()
    };
    let claims: &[(&str, &str, &str)] = &[
        (
            "`SKU_NOT_FOUND` first: 600 exceptions, 12.7 hours a week",
            "SKU_NOT_FOUND",
            "1. SKU_NOT_FOUND — 600 exceptions, 12.7 hours/week",
        ),
        (
            "All 600 payloads share one violation (`/line_items/*/sku pattern_mismatch`",
            "SKU_NOT_FOUND",
            "600 of 600 (100%) share one violation: storefront-order-to-erp: /line_items/*/sku pattern_mismatch",
        ),
        (
            "two handlers resolve it one way",
            "SKU_NOT_FOUND",
            "by 2 of 2 handlers",
        ),
        (
            "184 retries never helped",
            "SKU_NOT_FOUND",
            "0 of 184 retried exceptions (0%) succeeded on retry",
        ),
        (
            "no exception came with a conforming payload",
            "SKU_NOT_FOUND",
            "0 of 600 (0%) were delivered (acknowledged) with a conforming payload",
        ),
        (
            "**integration**, a binary decision",
            "SKU_NOT_FOUND",
            "verdict: integration",
        ),
        (
            "**integration**, a binary decision",
            "SKU_NOT_FOUND",
            "decision: binary",
        ),
        (
            "`NO_DISPOSITION_RULE` is second: 400 of its 401 payloads conform",
            "NO_DISPOSITION_RULE",
            "2. NO_DISPOSITION_RULE — 401 exceptions",
        ),
        (
            "400 of its 401 payloads conform",
            "NO_DISPOSITION_RULE",
            "400 of 401 (100%) payloads conform to their contract",
        ),
        (
            "three handlers resolve it three ways",
            "NO_DISPOSITION_RULE",
            "3 handlers resolve it 3 ways and none is standard",
        ),
        ("restocked 133", "NO_DISPOSITION_RULE", "\"restocked\" 133"),
        (
            "sent to liquidation 134",
            "NO_DISPOSITION_RULE",
            "\"sent to liquidation\" 134",
        ),
        (
            "refunded without return 134",
            "NO_DISPOSITION_RULE",
            "\"refunded without return\" 134",
        ),
        (
            "retries change nothing",
            "NO_DISPOSITION_RULE",
            "0 of 62 retried exceptions (0%) succeeded on retry",
        ),
        (
            "**process**, a judgment decision",
            "NO_DISPOSITION_RULE",
            "verdict: process",
        ),
        (
            "**process**, a judgment decision",
            "NO_DISPOSITION_RULE",
            "decision: judgment",
        ),
        (
            "`STORE_NOT_FOUND` has a consistent violation (store ids without leading zeros)",
            "STORE_NOT_FOUND",
            "150 of 150 (100%) share one violation: pos-return-to-erp: /store_id pattern_mismatch",
        ),
        (
            "three teams resolving it three ways: **both**",
            "STORE_NOT_FOUND",
            "3 handlers resolve it 3 ways",
        ),
        (
            "three teams resolving it three ways: **both**",
            "STORE_NOT_FOUND",
            "verdict: both",
        ),
        (
            "Fix the store id at the boundary first",
            "STORE_NOT_FOUND",
            "fix order: the integration first, then the process",
        ),
        (
            "`DELIVERY_TIMEOUT` has conforming payloads",
            "DELIVERY_TIMEOUT",
            "100 of 100 (100%) payloads conform to their contract",
        ),
        (
            "retries that work",
            "DELIVERY_TIMEOUT",
            "86 of 100 retried exceptions (86%) succeeded on retry",
        ),
        (
            "HTTP 504 deliveries",
            "DELIVERY_TIMEOUT",
            "0 delivered in all, 0 rejected by the receiver, 100 failed in transport",
        ),
        (
            "an **escalated** system failure",
            "DELIVERY_TIMEOUT",
            "decision: escalated",
        ),
    ];
    for (claim, code, line) in claims {
        assert!(
            prose.contains(claim),
            "the worked example no longer says {claim:?}:\n{prose}"
        );
        let section = section(code);
        assert!(
            section.contains(line),
            "the docs say {claim:?}, but {code}'s report has no {line:?}:\n{section}"
        );
    }
}

/// First and last seen are the log's own cells (its layout, as the team reads it), with the
/// instants beside them in JSON; owners named by the log's `owner` column join the contract's
/// `boundary.owner` in the route of every format.
#[test]
fn times_are_shown_as_the_log_wrote_them_and_owners_come_from_the_log_too() {
    let dir = history_project("owners");
    let config = "checks: []\nexceptions:\n  log: log.csv\n  columns: {opened_at: at, opened_at_format: '%d/%m/%Y %H:%M', error_code: code, payload_file: payload, contract: contract, owner: team}\n";
    std::fs::write(dir.join("handoff.yaml"), config).unwrap();
    std::fs::write(
        dir.join("log.csv"),
        "at,code,payload,contract,team\n\
         09/11/2026 14:05,SKU,order.json,storefront-order-to-erp@1.2.0,erp-squad\n\
         02/11/2026 08:30,SKU,order.json,storefront-order-to-erp@1.2.0,erp-squad\n\
         16/11/2026 17:45,SKU,order.json,storefront-order-to-erp@1.2.0,\n",
    )
    .unwrap();
    let doc = json_report(&dir);
    let sku = error_code(&doc, "SKU");
    assert_eq!(sku["first_seen"], "02/11/2026 08:30");
    assert_eq!(sku["last_seen"], "16/11/2026 17:45");
    assert_eq!(sku["first_seen_utc"], "2026-11-02T08:30:00Z");
    assert_eq!(sku["last_seen_utc"], "2026-11-16T17:45:00Z");
    assert_eq!(
        sku["route"]["owners"],
        serde_json::json!(["erp-squad", "order-integration@retailer.example"])
    );

    let text = triage_in(&dir, &[]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("1. SKU — 3 exceptions, handling time unknown (map handling_minutes), 02/11/2026 08:30 to 16/11/2026 17:45\n"),
        "{text}"
    );
    assert!(
        text.contains("owner erp-squad, order-integration@retailer.example;"),
        "{text}"
    );
    let md = triage_in(&dir, &["--format", "markdown"]);
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains("`erp-squad, order-integration@retailer.example`"),
        "{md}"
    );
}
