//! Output formats, baselines and run policies, through the binary: every format is
//! snapshotted; SARIF is validated against the official SARIF 2.1.0 schema and JSON/NDJSON
//! against the published docs/output.schema.json.

use crate::common;
use std::path::{Path, PathBuf};
use std::process::Output;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = common::handoff(dir);
    cmd.args(args);
    for var in ["NO_COLOR", "CLICOLOR_FORCE", "CLICOLOR"] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("handoff runs")
}

fn handoff(args: &[&str]) -> Output {
    run(Path::new(ROOT), args, &[])
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("handoff-output-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn validator(schema_path: &str) -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(Path::new(ROOT).join(schema_path)).unwrap())
            .unwrap();
    jsonschema::options()
        .build(&schema)
        .expect("a valid schema")
}

fn assert_valid(validator: &jsonschema::Validator, instance: &serde_json::Value) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// The payloads used for format snapshots: one failing file per kind of source, and a passing one.
const SAMPLE: &[&str] = &[
    "check",
    "--contract",
    "payment-status-to-storefront@2.0.0",
    "fixtures/payment-status-to-storefront",
];

fn version_scrubbed(text: &str) -> String {
    text.replace(env!("CARGO_PKG_VERSION"), "[version]")
}

#[test]
fn ndjson_is_one_finding_per_line_and_matches_the_schema() {
    let out = handoff(&[SAMPLE, &["--format", "ndjson"]].concat());
    assert_eq!(code(&out), 1);
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(ROOT).join("docs/output.schema.json")).unwrap(),
    )
    .unwrap();
    let line_schema = serde_json::json!({"$ref": "#/$defs/ndjson_line", "$defs": schema["$defs"]});
    let v = jsonschema::options().build(&line_schema).unwrap();
    let text = stdout(&out);
    for line in text.lines() {
        assert_valid(&v, &serde_json::from_str(line).unwrap());
    }
    assert_eq!(text.lines().count(), 6);
    insta::assert_snapshot!("format_ndjson", text);
}

#[test]
fn json_matches_the_published_schema() {
    let v = validator("docs/output.schema.json");
    for args in [
        &["check", "--format", "json"][..],
        &[SAMPLE, &["--format", "json"]].concat(),
    ] {
        let out = handoff(args);
        assert_valid(&v, &serde_json::from_str(&stdout(&out)).unwrap());
    }
}

#[test]
fn junit_lists_failing_payloads_and_counts_passing_ones() {
    let out = handoff(&[SAMPLE, &["--format", "junit"]].concat());
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(text.contains(r#"<testsuite name="payment-status-to-storefront@2.0.0" tests="8" skipped="0" errors="0" failures="4">"#), "{text}");
    insta::assert_snapshot!("format_junit", text);
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let out = handoff(&["check", "--format", "sarif"]);
    assert_eq!(code(&out), 1);
    let log: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_valid(&validator("tests/schemas/sarif-schema-2.1.0.json"), &log);
    let run = &log["runs"][0];
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        handoff_core::finding::Kind::ALL.len()
    );
    assert_eq!(run["results"].as_array().unwrap().len(), 76);
    // A multi-byte character before the value: SARIF columns are UTF-16 code units.
    let name = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["ruleId"] == "max_bytes_exceeded"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .contains("kitchen-sink")
        })
        .unwrap();
    assert_eq!(
        name["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 8, "startColumn": 52})
    );
    let sample = handoff(&[SAMPLE, &["--format", "sarif"]].concat());
    insta::assert_snapshot!("format_sarif", version_scrubbed(&stdout(&sample)));
}

#[test]
fn github_annotates_the_first_ten_and_writes_the_job_summary() {
    let dir = scratch("github");
    let summary = dir.join("summary.md");
    let out = run(
        Path::new(ROOT),
        &["check", "--format", "github"],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("::error ")).count(),
        10
    );
    assert!(text.contains("::notice title=handoff::66 more findings not annotated (GitHub shows 10 per step); see the job summary\n"), "{text}");
    insta::assert_snapshot!("format_github", text);
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.starts_with(
            "### ❌ handoff: fail, 21 of 36 payloads violate their contract; 2 payloads could not be checked, which always fails the run (36 payloads, 76 violations)\n"
        ),
        "{md}"
    );
}

#[test]
fn markdown_summarises_for_a_pull_request() {
    let out = handoff(&[SAMPLE, &["--format", "markdown"]].concat());
    assert_eq!(code(&out), 1);
    insta::assert_snapshot!("format_markdown", stdout(&out));
}

#[test]
fn output_goes_to_a_file_without_colour() {
    let dir = scratch("output-file");
    let file = dir.join("report.txt");
    let out = run(
        Path::new(ROOT),
        &[SAMPLE, &["--output", file.to_str().unwrap()]].concat(),
        &[("CLICOLOR_FORCE", "1")],
    );
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "");
    let report = std::fs::read_to_string(&file).unwrap();
    assert!(report.contains("error[unknown_enum_value]") && !report.contains('\u{1b}'));
}

#[test]
fn colour_follows_the_environment_and_the_flag() {
    let has_ansi = |o: &Output| stdout(o).contains('\u{1b}');
    let root = Path::new(ROOT);
    assert!(!has_ansi(&run(root, SAMPLE, &[])), "a pipe gets no colour");
    assert!(has_ansi(&run(root, SAMPLE, &[("CLICOLOR_FORCE", "1")])));
    assert!(has_ansi(&run(
        root,
        &[SAMPLE, &["--color", "always"]].concat(),
        &[]
    )));
    assert!(!has_ansi(&run(
        root,
        &[SAMPLE, &["--color", "never"]].concat(),
        &[("CLICOLOR_FORCE", "1")]
    )));
}

#[test]
fn quiet_prints_only_the_summary() {
    let out = handoff(&[SAMPLE, &["--quiet"]].concat());
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "checked 8 payloads against 1 contract: 4 valid, 4 invalid, 6 violations\n"
        ),
        "{text}"
    );
    assert!(!text.contains("error["));
}

#[test]
fn max_findings_limits_the_report_not_the_count() {
    let out = handoff(&["check", "--max-findings", "3", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let shown: usize = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["findings"].as_array().unwrap().len())
        .sum();
    assert_eq!(shown, 3);
    assert_eq!(doc["summary"]["violations"], 76);
    assert_eq!(doc["summary"]["omitted"], 73);
    let text = stdout(&handoff(&["check", "--max-findings", "3"]));
    assert!(
        text.contains("\n73 more findings not shown (--max-findings)\n"),
        "{text}"
    );
}

#[test]
fn fail_on_chooses_which_findings_fail_the_run() {
    let zip = "fixtures/storefront-order-to-erp/invalid/zip-plus-4.json";
    let args = |policy: &str| {
        [
            "check",
            "--contract",
            "storefront-order-to-erp",
            zip,
            "--fail-on",
            policy,
        ]
        .map(str::to_string)
    };
    let code_for = |policy: &str| {
        code(&handoff(
            &args(policy).iter().map(String::as_str).collect::<Vec<_>>(),
        ))
    };
    assert_eq!(code_for("any"), 1);
    assert_eq!(code_for("never"), 0);
    assert_eq!(code_for("missing_required,unknown_enum_value"), 0);
    assert_eq!(code_for("max_length_exceeded"), 1);
    let bad = handoff(
        &args("max_length")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(code(&bad), 2);
    assert_eq!(
        String::from_utf8_lossy(&bad.stderr),
        "handoff: error: `max_length` is not a violation kind; did you mean `max_length_exceeded`?\n"
    );
    let never = stdout(&handoff(
        &args("never").iter().map(String::as_str).collect::<Vec<_>>(),
    ));
    assert!(never.ends_with("result: 1 of 1 payloads violate their contract, none in a way --fail-on fails on (exit code 0)\n"), "{never}");
}

#[test]
fn baselines_hide_known_findings_and_report_fixed_ones() {
    let dir = scratch("baseline");
    let file = dir.join("baseline.json");
    let path = file.to_str().unwrap();
    let write = handoff(&["check", "--write-baseline", path]);
    assert_eq!(
        code(&write),
        1,
        "writing a baseline accepts the findings, but not the malformed NDJSON line and CSV row"
    );
    assert_eq!(
        String::from_utf8_lossy(&write.stderr),
        format!("handoff: wrote 74 baseline entries to {path}\n"),
        "the invalid_json and invalid_csv findings have no fingerprint"
    );
    // Written beside itself and renamed over: nothing else is left in the directory.
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["baseline.json"]);
    let text = std::fs::read_to_string(&file).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let entries = doc["entries"].as_array().unwrap();
    let keys: Vec<String> = entries.iter().map(|e| e.to_string()).collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| {
        let key = |s: &str| {
            let v: serde_json::Value = serde_json::from_str(s).unwrap();
            (
                v["contract"].as_str().unwrap().to_string(),
                v["pointer"].as_str().unwrap().to_string(),
            )
        };
        key(a).cmp(&key(b))
    });
    assert_eq!(keys, sorted, "entries are sorted");
    assert!(
        text.contains("\"pointer\": \"/line_items/*/unit_price\""),
        "array indexes are normalised"
    );
    assert!(
        !text.contains("REFUND_FAILED") && !text.contains("\"value\""),
        "values are fingerprinted, never stored: {text}"
    );
    assert!(text.contains("\"value_hash\": \""), "{text}");

    // Every known finding is hidden; the malformed line and row are not, and the run does not pass.
    let clean = handoff(&["check", "--baseline", path]);
    assert_eq!(code(&clean), 1);
    let out = stdout(&clean);
    assert!(
        out.contains("baseline: 74 known findings not reported\n"),
        "{out}"
    );
    assert!(out.contains("error[invalid_json]"), "{out}");
    assert!(
        out.ends_with("result: fail, 2 of 36 payloads violate their contract; 2 payloads could not be checked, which always fails the run (exit code 1)\n"),
        "{out}"
    );

    // Drop one entry (a new finding appears) and add one nobody produces (fixed).
    let mut doc = doc;
    let removed = doc["entries"].as_array_mut().unwrap().remove(0);
    doc["entries"].as_array_mut().unwrap().push(serde_json::json!({"contract": "edi-850-to-wms", "pointer": "/beg/beg03", "kind": "max_length_exceeded", "value_hash": "0123456789abcdef"}));
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let partial = handoff(&["check", "--baseline", path, "--format", "json"]);
    assert_eq!(code(&partial), 1);
    let report: serde_json::Value = serde_json::from_str(&stdout(&partial)).unwrap();
    assert_eq!(
        report["summary"]["violations"], 3,
        "the new one, the malformed line and the malformed row"
    );
    assert_eq!(report["summary"]["known"], 73);
    let kinds: Vec<&serde_json::Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap())
        .map(|f| &f["kind"])
        .collect();
    assert!(kinds.contains(&&removed["kind"]), "{kinds:?}");
    assert_eq!(
        report["summary"]["fixed"],
        serde_json::json!([{"contract": "edi-850-to-wms", "pointer": "/beg/beg03", "kind": "max_length_exceeded", "value_hash": "0123456789abcdef"}])
    );

    std::fs::write(&file, "{\"entries\": 3}").unwrap();
    let broken = handoff(&["check", "--baseline", path]);
    assert_eq!(code(&broken), 2);
    assert!(String::from_utf8_lossy(&broken.stderr).contains("is not a handoff baseline"));
}

#[test]
fn a_run_with_only_known_findings_does_not_say_pass() {
    let dir = scratch("baseline-known-only");
    let file = dir.join("baseline.json");
    let path = file.to_str().unwrap();
    let inputs = format!("{ROOT}/fixtures/returns-portal-to-wms");
    let contracts = format!("{ROOT}/contracts");
    let args = |flag: &'static str| {
        vec![
            "check".to_string(),
            "--contracts".into(),
            contracts.clone(),
            "--contract".into(),
            "returns-portal-to-wms".into(),
            flag.into(),
            path.into(),
            inputs.clone(),
        ]
    };
    assert_eq!(code(&handoff(&strs(&args("--write-baseline")))), 0);
    let out = handoff(&strs(&args("--baseline")));
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(
        text.ends_with("result: known findings only, 6 known findings in the baseline and none new (exit code 0)\n"),
        "{text}"
    );
    let md = handoff(&[strs(&args("--baseline")), vec!["--format", "markdown"]].concat());
    assert!(
        stdout(&md).starts_with("### ⚠️ handoff: known findings only, 6 known findings in the baseline and none new (3 payloads, 0 violations)\n"),
        "{}",
        stdout(&md)
    );
}

#[test]
fn a_baselined_payload_level_finding_never_hides_a_malformed_payload() {
    let dir = scratch("baseline-payload-level");
    let file = dir.join("baseline.json");
    // What format 1 wrote for a malformed payload: no pointer, no value. It must match nothing.
    std::fs::write(
        &file,
        r#"{"format_version": 1, "entries": [{"contract": "payment-status-to-storefront", "pointer": "", "kind": "invalid_json"}]}"#,
    )
    .unwrap();
    let payload = dir.join("garbage.json");
    std::fs::write(&payload, "{not json").unwrap();
    let out = handoff(&[
        "check",
        "--contracts",
        &format!("{ROOT}/contracts"),
        "--contract",
        "payment-status-to-storefront",
        "--baseline",
        file.to_str().unwrap(),
        "--fail-on",
        "never",
        payload.to_str().unwrap(),
    ]);
    assert_eq!(
        code(&out),
        1,
        "payload-level problems fail whatever --fail-on says"
    );
    let text = stdout(&out);
    assert!(text.contains("error[invalid_json]"), "{text}");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("is a format-1 baseline, which stores values in the clear"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn handoff_yaml_sets_defaults_that_flags_override() {
    let dir = scratch("config-defaults");
    let root = Path::new(ROOT);
    std::fs::write(
        dir.join("handoff.yaml"),
        format!(
            "contracts: {}\nformat: json\nfail_on: never\nchecks:\n  - contract: returns-portal-to-wms\n    inputs: [{}]\n",
            root.join("contracts").display(),
            root.join("fixtures/returns-portal-to-wms").display()
        ),
    )
    .unwrap();
    let out = run(&dir, &["check", "--allow-outside"], &[]);
    assert_eq!(code(&out), 0, "fail_on: never");
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("format: json");
    assert_eq!(doc["summary"]["invalid"], 2);
    let out = run(
        &dir,
        &[
            "check",
            "--allow-outside",
            "--format",
            "text",
            "--fail-on",
            "any",
        ],
        &[],
    );
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).starts_with("FAIL "));

    std::fs::write(dir.join("handoff.yaml"), "format: jsn\nchecks: []\n").unwrap();
    let out = run(&dir, &["check", "--allow-outside"], &[]);
    assert_eq!(code(&out), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error[invalid-value]: unknown output format `jsn`\n --> handoff.yaml:1:9\n"),
        "{err}"
    );
    assert!(err.contains("= help: did you mean `json`?"), "{err}");
}

#[test]
fn handoff_config_names_the_project_file() {
    let dir = scratch("config-env");
    let root = Path::new(ROOT);
    let cfg = dir.join("elsewhere.yaml");
    std::fs::write(
        &cfg,
        format!(
            "contracts: {}\nchecks:\n  - contract: edi-850-to-wms@^1\n    inputs: [{}]\n",
            root.join("contracts").display(),
            root.join("fixtures/edi-850-to-wms/valid").display()
        ),
    )
    .unwrap();
    let out = run(
        &dir,
        &["check", "--allow-outside"],
        &[("HANDOFF_CONFIG", cfg.to_str().unwrap())],
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout(&out).starts_with("checked 1 payload against 1 contract"),
        "{}",
        stdout(&out)
    );
    let out = run(
        &dir,
        &["check", "--config", "missing.yaml"],
        &[("HANDOFF_CONFIG", cfg.to_str().unwrap())],
    );
    assert_eq!(code(&out), 2, "--config wins over HANDOFF_CONFIG");
}

#[test]
fn the_published_config_schema_is_current_and_accepts_the_project_file() {
    let generated =
        serde_json::to_string_pretty(&handoff_reports::config::json_schema()).unwrap() + "\n";
    let path = Path::new(ROOT).join("docs/handoff.schema.json");
    if std::env::var_os("HANDOFF_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let published = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        published, generated,
        "docs/handoff.schema.json is stale: rerun with HANDOFF_UPDATE_DOCS=1"
    );
    let project: serde_json::Value = serde_saphyr::from_str(
        &std::fs::read_to_string(Path::new(ROOT).join("handoff.yaml")).unwrap(),
    )
    .unwrap();
    assert_valid(&validator("docs/handoff.schema.json"), &project);
    // The reconcile example: flows inline, and a flow file checked against the flow schema.
    let read = |p: &str| -> serde_json::Value {
        serde_saphyr::from_str(&std::fs::read_to_string(Path::new(ROOT).join(p)).unwrap()).unwrap()
    };
    assert_valid(
        &validator("docs/handoff.schema.json"),
        &read("fixtures/flows/handoff.yaml"),
    );
    let flow_schema = generated_flow_schema();
    let flow_validator = jsonschema::options()
        .build(&flow_schema)
        .expect("a valid schema");
    assert_valid(&flow_validator, &read("fixtures/flows/flows/returns.yaml"));
}

fn generated_flow_schema() -> serde_json::Value {
    handoff_reports::config::json_schema()["properties"]["flows"]["items"].clone()
}

#[test]
fn the_text_report_of_one_payload() {
    let out = handoff(&[
        "check",
        "--contract",
        "pos-return-to-erp",
        "fixtures/pos-return-to-erp/invalid",
    ]);
    assert_eq!(code(&out), 1);
    insta::assert_snapshot!("format_text_pos_return", stdout(&out));
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}
