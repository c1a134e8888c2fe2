//! The `handoff` binary end to end, as a user runs it: output, exit codes (0 clean,
//! 1 violations, 2 usage or contract error), stdin, NDJSON, and hostile input.

use crate::common;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

fn handoff(args: &[&str]) -> Output {
    handoff_in(Path::new(env!("CARGO_MANIFEST_DIR")), args, None)
}

fn handoff_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = common::handoff(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("handoff runs");
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally, not by a signal")
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("handoff-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const ORDER: &str = "storefront-order-to-erp";

#[test]
fn project_check_reports_every_fixture_and_exits_1() {
    let out = handoff(&["check"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    insta::assert_snapshot!("check_project_text", stdout(&out));
}

#[test]
fn project_check_as_json_is_one_document() {
    let out = handoff(&["check", "--format", "json"]);
    assert_eq!(code(&out), 1);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["summary"]["payloads"], 36);
    assert_eq!(doc["summary"]["invalid"], 21);
    let text = serde_json::to_string_pretty(&doc)
        .unwrap()
        .replace(env!("CARGO_PKG_VERSION"), "[version]");
    insta::assert_snapshot!("check_project_json", text);
}

#[test]
fn clean_payloads_exit_0() {
    let out = handoff(&[
        "check",
        "--contract",
        ORDER,
        "fixtures/storefront-order-to-erp/valid",
    ]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(
        stdout(&out),
        "checked 1 payload against 1 contract: 1 valid, 0 invalid, 0 violations\n\nresult: pass, every payload satisfies its contract (exit code 0)\n"
    );
}

#[test]
fn verbose_lists_passing_payloads() {
    let out = handoff(&[
        "check",
        "-v",
        "--contract",
        ORDER,
        "fixtures/storefront-order-to-erp/valid",
    ]);
    assert!(stdout(&out).starts_with(
        "ok   fixtures/storefront-order-to-erp/valid/paid-two-lines.json (storefront-order-to-erp@2.0.0)\n"
    ));
}

#[test]
fn contract_references_resolve_by_id_version_requirement_and_path() {
    for reference in [
        ORDER,
        "storefront-order-to-erp@1.2.0",
        "storefront-order-to-erp@^1",
        "contracts/storefront-order-to-erp/1.2.0.yaml",
    ] {
        let out = handoff(&[
            "check",
            "--contract",
            reference,
            "fixtures/storefront-order-to-erp/valid",
        ]);
        assert_eq!(code(&out), 0, "{reference}: {}", stderr(&out));
    }
}

#[test]
fn unknown_contracts_and_versions_are_usage_errors() {
    let out = handoff(&["check", "--contract", "storefront-order-to-rep", "fixtures"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "handoff: error: no contract `storefront-order-to-rep` in the registry; did you mean `storefront-order-to-erp`?\n  = help: contracts are read from contracts/<id>/<version>.yaml\n"
    );
    let out = handoff(&[
        "check",
        "--contract",
        "storefront-order-to-erp@^3",
        "fixtures",
    ]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains(
            "no version of `storefront-order-to-erp` matches `^3` (available: 1.2.0, 2.0.0)"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn stdin_is_one_document_or_ndjson() {
    let payload = br#"{"event_code": "CAPTURE"}"#;
    let contract = "tests/kinds/unknown_enum_value/contract.yaml";
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = handoff_in(root, &["check", "--contract", contract, "-"], Some(payload));
    assert_eq!(code(&out), 0, "{}", stdout(&out));

    let lines = b"{\"event_code\": \"CAPTURE\"}\n{\"event_code\": \"VOID\"}\n";
    let out = handoff_in(
        root,
        &[
            "check",
            "--contract",
            contract,
            "--input-format",
            "ndjson",
            "-",
        ],
        Some(lines),
    );
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).starts_with("FAIL -:2 (kind-unknown-enum-value@1.0.0): 1 violation\n"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("--> -:2:16\n"), "{}", stdout(&out));
}

#[test]
fn a_missing_input_is_a_usage_error_but_the_rest_is_still_checked() {
    let out = handoff(&[
        "check",
        "--contract",
        ORDER,
        "no/such/dir",
        "fixtures/storefront-order-to-erp/invalid/zip-plus-4.json",
    ]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "handoff: error: no/such/dir: no such file or directory\n"
    );
    assert!(stdout(&out).contains("FAIL fixtures/storefront-order-to-erp/invalid/zip-plus-4.json"));
}

#[test]
fn globs_select_payload_files() {
    let out = handoff(&[
        "check",
        "--contract",
        ORDER,
        "fixtures/storefront-order-to-erp/*/zip-*.json",
    ]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("checked 1 payload against 1 contract"),
        "{}",
        stdout(&out)
    );
    let out = handoff(&[
        "check",
        "--contract",
        ORDER,
        "fixtures/storefront-order-to-erp/**/*.json",
    ]);
    assert!(
        stdout(&out).contains("checked 5 payloads against 1 contract"),
        "{}",
        stdout(&out)
    );
    let out = handoff(&["check", "--contract", ORDER, "fixtures/nothing-here/*.json"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "handoff: error: fixtures/nothing-here/*.json: the pattern matches no payload files\n"
    );
}

#[test]
fn a_broken_contract_is_refused_with_located_diagnostics() {
    let out = handoff(&[
        "check",
        "--contract",
        "tests/lint/unknown-key.yaml",
        "fixtures",
    ]);
    assert_eq!(code(&out), 2);
    assert_eq!(stdout(&out), "");
    insta::assert_snapshot!("check_broken_contract_stderr", stderr(&out));
}

#[test]
fn no_project_file_explains_what_to_do() {
    let dir = scratch("no-config");
    let out = handoff_in(&dir, &["check"], None);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "handoff: error: no handoff.yaml found here or in any parent directory\n  = help: run `handoff check --contract <id> <inputs...>`, or create handoff.yaml (see README.md)\n"
    );
}

#[test]
fn the_project_file_is_found_from_a_subdirectory() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let out = handoff_in(&dir, &["check"], None);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("checked 36 payloads against 8 contracts"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn named_files_are_routed_to_their_contract_by_handoff_yaml() {
    let out = handoff(&[
        "check",
        "fixtures/pos-return-to-erp/invalid/no-receipt-leap-day.json",
        "fixtures/edi-850-to-wms",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("checked 3 payloads against 2 contracts: 1 valid, 2 invalid, 16 violations"),
        "{text}"
    );
    let out = handoff(&["check", "README.md", "fixtures/edi-850-to-wms/valid"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "handoff: error: README.md: no check in handoff.yaml covers this file\n  = help: add it to a check's inputs, or name the contract with --contract\n"
    );
    assert!(
        stdout(&out).ends_with(
            "result: error, some inputs could not be checked; see the errors above (exit code 2)\n"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn output_is_the_same_whatever_the_number_of_threads() {
    // Enough NDJSON for several batches, with bad lines and an over-long one among them,
    // plus a directory of many small files.
    let dir = scratch("jobs");
    let mut ndjson = String::new();
    for i in 0..6_000 {
        match i % 997 {
            13 => ndjson.push_str("{\"event_code\": \"CAPTURE\",}\n"),
            500 => ndjson.push_str(&format!("{{\"event_code\": \"{}\"}}\n", "X".repeat(2_000))),
            n if n % 10 == 0 => ndjson.push_str(&format!("{{\"event_code\": \"VOID_{i}\"}}\n")),
            _ => ndjson.push_str(&format!(
                "{{\"event_code\": \"CAPTURE\", \"pad\": \"{}\"}}\n",
                "p".repeat(i % 90)
            )),
        }
    }
    std::fs::write(dir.join("events.ndjson"), &ndjson).unwrap();
    let files = dir.join("files");
    std::fs::create_dir_all(&files).unwrap();
    for i in 0..300 {
        let code = if i % 7 == 0 { "VOID" } else { "REFUND" };
        std::fs::write(
            files.join(format!("e{i:04}.json")),
            format!("{{\"event_code\": \"{code}\"}}"),
        )
        .unwrap();
    }
    let contract =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kinds/unknown_enum_value/contract.yaml");
    let contract = contract.to_str().unwrap();
    let run = |jobs: &str| {
        let out = handoff_in(
            &dir,
            &[
                "check",
                "--jobs",
                jobs,
                "--max-payload-bytes",
                "1024",
                "--format",
                "json",
                "--contract",
                contract,
                "events.ndjson",
                "files",
            ],
            None,
        );
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        stdout(&out)
    };
    let one = run("1");
    let doc: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(doc["summary"]["payloads"], 6_300);
    assert_eq!(doc["summary"]["by_kind"]["invalid_json"], 7);
    assert_eq!(doc["summary"]["by_kind"]["payload_too_large"], 6);
    for jobs in ["2", "3", "8"] {
        assert!(run(jobs) == one, "--jobs {jobs} changed the output");
    }
}

#[test]
fn hostile_payloads_become_findings_and_never_stop_the_run() {
    let dir = scratch("hostile");
    std::fs::write(dir.join("deep.json"), "[".repeat(3_000)).unwrap();
    std::fs::write(dir.join("empty.json"), "").unwrap();
    std::fs::write(dir.join("latin1.json"), b"{\"id\": \"caf\xe9\"}").unwrap();
    std::fs::write(
        dir.join("big.json"),
        format!("{{\"id\": \"{}\"}}", "x".repeat(5000)),
    )
    .unwrap();
    std::fs::write(dir.join("bom.json"), b"\xEF\xBB\xBF{\"id\": \"A1\"}").unwrap();
    std::fs::write(dir.join("ok.json"), "{\"id\": \"A2\"}").unwrap();
    let contract =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kinds/invalid_json/contract.yaml");
    let out = handoff_in(
        &dir,
        &[
            "check",
            "--contract",
            contract.to_str().unwrap(),
            "--max-payload-bytes",
            "4096",
            "--format",
            "json",
            ".",
        ],
        None,
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let seen: Vec<(String, String, String)> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let f = &r["findings"][0];
            (
                r["source"]["path"].as_str().unwrap().to_string(),
                f["kind"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expect = |p: &str, k: &str, m: &str| (p.to_string(), k.to_string(), m.to_string());
    assert_eq!(
        seen,
        vec![
            expect(
                "./big.json",
                "payload_too_large",
                "the payload is 5010 bytes, over the 4096-byte limit, and was not checked"
            ),
            expect(
                "./deep.json",
                "invalid_json",
                "the payload nests arrays and objects more than 128 levels deep"
            ),
            expect("./empty.json", "invalid_json", "the payload is empty"),
            expect(
                "./latin1.json",
                "invalid_json",
                "the payload is not valid UTF-8: byte 0xE9 at offset 11 cannot start or continue a character"
            ),
        ]
    );
    assert_eq!(doc["summary"]["payloads"], 6);
    assert_eq!(
        doc["summary"]["valid"], 2,
        "the BOM payload and ok.json pass"
    );
}

#[test]
fn lint_exit_codes() {
    let clean = handoff(&["lint"]);
    assert_eq!(code(&clean), 0, "{}", stdout(&clean));
    assert_eq!(
        stdout(&clean),
        "linted 10 contract files: 0 errors, 0 warnings\n"
    );
    let broken = handoff(&["lint", "tests/lint/unknown-key.yaml"]);
    assert_eq!(code(&broken), 1);
    insta::assert_snapshot!("lint_unknown_key_text", stdout(&broken));
    let warning_only = handoff(&["lint", "tests/lint/unanchored-pattern.yaml"]);
    assert_eq!(code(&warning_only), 0);
    let missing = handoff(&["lint", "nope.yaml"]);
    assert_eq!(code(&missing), 2);
    assert_eq!(
        stderr(&missing),
        "handoff: error: nope.yaml: no such file or directory\n"
    );
}

#[test]
fn lint_json_lists_diagnostics() {
    let out = handoff(&["lint", "--format", "json", "tests/lint/invalid-range.yaml"]);
    assert_eq!(code(&out), 1);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["errors"], 3);
    assert_eq!(doc["diagnostics"][0]["code"], "invalid-range");
    assert_eq!(doc["diagnostics"][0]["line"], 5);
}

#[test]
fn explain_a_contract_and_a_field() {
    let out = handoff(&["explain", ORDER]);
    assert_eq!(code(&out), 0);
    insta::assert_snapshot!("explain_contract", stdout(&out));
    let out = handoff(&["explain", "returns-portal-to-wms", "/items/0/reason_code"]);
    assert_eq!(code(&out), 0);
    insta::assert_snapshot!("explain_field", stdout(&out));
    let out = handoff(&["explain", ORDER, "/shipping_adress/zip"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "handoff: error: storefront-order-to-erp@2.0.0 has no field /shipping_adress/zip\n  = help: did you mean /shipping_address/zip?\n"
    );
}

#[test]
fn explain_a_kind_prints_its_description_and_its_docs_section() {
    let out = handoff(&["explain", "ambiguous_time"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    insta::assert_snapshot!("explain_gap_kind", stdout(&out));
    // Every violation kind and gap kind, each with its own section of the docs.
    let docs = |file: &str| {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap()
    };
    let (violations, reconcile) = (docs("docs/violations.md"), docs("docs/reconcile.md"));
    let kinds = handoff_core::finding::Kind::ALL
        .iter()
        .map(|k| (k.id(), k.description(), &violations))
        .chain(
            handoff_reports::reconcile::gaps::GapKind::ALL
                .iter()
                .map(|k| (k.id(), k.description(), &reconcile)),
        );
    for (id, description, doc) in kinds {
        let out = handoff(&["explain", id]);
        assert_eq!(code(&out), 0, "{id}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains(description), "{id}: {text}");
        let body = text.split("\n\n").nth(1).unwrap();
        assert!(body.len() > 40 && doc.contains(body), "{id}: {body:?}");
    }
    // A breaking-change rule, as explain-rule prints it; an unknown name is still a contract
    // reference the registry does not hold.
    let out = handoff(&["explain", "field-removed"]);
    assert_eq!(code(&out), 0);
    assert_eq!(
        stdout(&out),
        stdout(&handoff(&["explain-rule", "field-removed"]))
    );
    assert!(
        stdout(&out).starts_with(
            "field-removed: breaking-change rule of `handoff diff`\nseverity: breaking\n"
        ),
        "{}",
        stdout(&out)
    );
    let out = handoff(&["explain", "missing_tme"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("no contract `missing_tme`"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("did you mean the kind `missing_time`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn schema_prints_the_compiled_json_schema() {
    let out = handoff(&["schema", "pos-return-to-erp"]);
    assert_eq!(code(&out), 0);
    let schema: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["properties"]["business_date"]["format"], "%Y%m%d");
    assert_eq!(schema["additionalProperties"], false);
}

#[test]
fn kinds_lists_the_catalogue() {
    let out = handoff(&["kinds"]);
    assert_eq!(code(&out), 0);
    insta::assert_snapshot!("kinds", stdout(&out));
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(code(&handoff(&["check", "--format", "yaml"])), 2);
    assert_eq!(code(&handoff(&["frobnicate"])), 2);
    let out = handoff(&["check", "--contract", ORDER]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "handoff: error: no inputs: give payload files, directories, globs, or - for stdin\n"
    );
}

/// `--write-baseline` accepts the current findings (exit 0), but a payload that could not be
/// checked still fails the run, as the README says.
#[test]
fn writing_a_baseline_accepts_findings_but_not_unchecked_payloads() {
    let dir = tempfile::tempdir().unwrap();
    let contracts = Path::new(env!("CARGO_MANIFEST_DIR")).join("contracts");
    std::fs::write(dir.path().join("bad.json"), br#"{"order_id": 5}"#).unwrap();
    let run = |files: &[&str]| {
        let mut cmd = common::handoff(env!("CARGO_MANIFEST_DIR"));
        cmd.args([
            "check",
            "--contract",
            "storefront-order-to-erp@1.2.0",
            "--contracts",
        ])
        .arg(&contracts)
        .args(["--write-baseline", "baseline.json"])
        .args(files)
        .current_dir(dir.path());
        cmd.output().unwrap().status.code()
    };
    assert_eq!(run(&["bad.json"]), Some(0));
    std::fs::write(dir.path().join("cut.json"), b"{\"order_id\": ").unwrap();
    assert_eq!(run(&["bad.json", "cut.json"]), Some(1));
}
