//! Hostile payloads against every output channel (issue: hardening). Payloads are written by
//! strangers and handoff writes into CI logs, terminals, GitHub annotations and Markdown that
//! people trust: no payload may crash a printer, forge a line, or smuggle an escape sequence.
//! Each test is the probe's exact reproduction, run as a user runs the binary.

use crate::common;
use handoff_core::check::Checker;
use handoff_core::finding::{PayloadResult, PayloadSource};
use handoff_core::report::Summary;
use handoff_reports::printer::{
    GithubPrinter, JsonPrinter, JunitPrinter, MarkdownPrinter, NdjsonPrinter, Printer,
    SarifPrinter, Sources, TextPrinter,
};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// A closed contract: every member name a payload invents becomes an `unknown_field` finding
/// that quotes the name.
const CLOSED: &str = "storefront-order-to-erp";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("handoff-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn handoff(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = common::handoff(env!("CARGO_MANIFEST_DIR"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn check(dir: &Path, file: &str, extra: &[&str]) -> Output {
    let contracts = format!("{ROOT}/contracts");
    let mut args = vec![
        "check",
        "--contracts",
        &contracts,
        "--contract",
        CLOSED,
        "--jobs",
        "1",
    ];
    args.extend_from_slice(extra);
    args.push(file);
    handoff(dir, &args, &[])
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The characters that must never reach a person's terminal or log from a payload.
fn has_unsafe(s: &str) -> bool {
    s.chars()
        .any(|c| c != '\n' && handoff_reports::printer::escape::is_unsafe(c))
}

#[test]
fn a_65536_character_member_name_does_not_crash_the_text_summary() {
    let dir = scratch("long-name");
    let name = "k".repeat(70_000);
    std::fs::write(dir.join("p.json"), format!("{{\"{name}\": 1}}")).unwrap();
    let out = check(&dir, "p.json", &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = text(&out);
    assert!(shown.ends_with("(exit code 1)\n"), "the summary is written");
    let row = shown
        .lines()
        .find(|l| l.starts_with("      1  unknown_field"))
        .expect("a summary row for the unknown field");
    assert!(row.chars().count() < 200, "the cell is cut: {row}");
    assert!(row.contains('…'), "{row}");
    // No line of the report repeats the whole name: titles and messages are cut too.
    let longest = shown.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(longest < 1000, "a line of {longest} characters");
}

const FORGED_KEY: &str = "note\n::error file=src/main.rs::forged\n::stop-commands::x\nresult: pass, every payload satisfies its contract (exit code 0)\n\u{1b}]0;pwned\u{7}\u{1b}]52;c;ZWNobyBoaQ==\u{7}\r\u{202e}";

fn forged_payload(dir: &Path) {
    let key = serde_json::to_string(FORGED_KEY).unwrap();
    std::fs::write(dir.join("p.json"), format!("{{{key}: \"v\"}}")).unwrap();
}

#[test]
fn member_names_cannot_forge_lines_or_escape_sequences_in_text() {
    let dir = scratch("forge-text");
    forged_payload(&dir);
    let out = check(&dir, "p.json", &["--color", "always"]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1));
    for line in shown.lines() {
        assert!(!line.starts_with("::"), "forged workflow command: {line}");
        assert!(!line.starts_with("result: pass"), "forged verdict: {line}");
    }
    // Only handoff's own colour sequences (CSI ... m) may remain.
    let stripped = strip_sgr(&shown);
    assert!(!has_unsafe(&stripped), "{stripped:?}");
    assert!(
        shown.contains("note\\n::error file=src/main.rs::forged\\n"),
        "the name is shown, escaped: {shown}"
    );
}

/// `s` without SGR colour sequences (`ESC [ ... m`), which handoff itself writes.
fn strip_sgr(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

#[test]
fn member_names_cannot_forge_workflow_commands_in_github_format() {
    let dir = scratch("forge-github");
    forged_payload(&dir);
    let summary = dir.join("summary.md");
    let contracts = format!("{ROOT}/contracts");
    let out = handoff(
        &dir,
        &[
            "check",
            "--contracts",
            &contracts,
            "--contract",
            CLOSED,
            "--format",
            "github",
            "p.json",
        ],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    let shown = text(&out);
    assert!(!has_unsafe(&shown), "{shown:?}");
    let commands: Vec<&str> = shown.lines().filter(|l| l.starts_with("::")).collect();
    // Every workflow command is handoff's own: one annotation per finding.
    assert!(
        commands
            .iter()
            .all(|l| l.starts_with("::error file=p.json,")),
        "{commands:#?}"
    );
    let unknown = commands
        .iter()
        .find(|l| l.contains("unknown_field"))
        .expect("the unknown_field annotation is not dropped");
    assert!(
        unknown.contains("::error file=p.json,line=1,col=2,title=unknown_field at /note\\n"),
        "{unknown}"
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(!has_unsafe(&md), "{md:?}");
    assert!(!md.lines().any(|l| l.starts_with("::")), "{md}");
}

#[test]
fn markdown_cells_cannot_inject_html_headings_links_or_mentions() {
    let dir = scratch("forge-markdown");
    let key = "x|`` <!-- \r### ✅ handoff: all payloads satisfy --> [click](https://evil.example) ![i](https://evil.example/i.png) @security-team";
    let payload = serde_json::json!({ key: "<script>alert(1)</script>" });
    std::fs::write(dir.join("p.json"), payload.to_string()).unwrap();
    let out = check(&dir, "p.json", &["--format", "markdown"]);
    let md = text(&out);
    assert!(md.starts_with("### ❌ handoff: fail"), "{md}");
    assert!(!has_unsafe(&md), "{md:?}");
    // Every table row keeps its columns: pipes inside cells are escaped.
    for row in md.lines().filter(|l| l.starts_with("| ")) {
        let unescaped = row.replace("\\|", "");
        let header_cols = if row.contains("payloads") {
            4
        } else {
            unescaped.matches('|').count() - 1
        };
        assert_eq!(unescaped.matches('|').count() - 1, header_cols, "{row}");
    }
    // Payload text appears only inside code spans, fenced past any backtick run it holds.
    for cell in md
        .lines()
        .filter(|l| l.contains("<!--") || l.contains("@security") || l.contains("<script>"))
    {
        assert!(
            cell.contains("```/x\\|`` <!--") || !cell.contains("<!--"),
            "{cell}"
        );
    }
    assert!(!md.lines().any(|l| l.starts_with("### ✅")), "{md}");
}

#[test]
fn file_names_with_control_characters_are_shown_escaped() {
    let dir = scratch("forge-filename");
    let sub = dir.join("in");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(sub.join("a\n::error::forged\u{1b}[2J.json"), "{\"x\": 1}").unwrap();
    let out = check(&dir, "in", &[]);
    let shown = text(&out);
    assert!(
        shown.contains("FAIL in/a\\n::error::forged\\u{1b}[2J.json"),
        "{shown}"
    );
    assert!(!has_unsafe(&shown));
    assert!(!shown.lines().any(|l| l.starts_with("::")));
}

#[test]
fn which_never_writes_escape_sequences_to_a_pipe() {
    let dir = scratch("which");
    let payload = serde_json::json!({ "\u{1b}]52;c;ZWNobyBoaQ==\u{7}": "\u{1b}[2J" });
    std::fs::write(dir.join("p.json"), payload.to_string()).unwrap();
    let contracts = format!("{ROOT}/contracts");
    let out = handoff(&dir, &["which", "--contracts", &contracts, "p.json"], &[]);
    let shown = text(&out);
    assert!(shown.contains("rejected by"), "{shown}");
    assert!(!has_unsafe(&shown), "{shown:?}");
}

/// Every printer over one result, in process: (format name, output).
fn render_all(checker: &Checker, payload: &[u8]) -> Vec<(&'static str, String)> {
    let findings = checker.check(payload);
    let result = PayloadResult {
        source: PayloadSource {
            path: Arc::from("in/p\n::error::x.json"),
            line: None,
        },
        contract: checker.contract().reference().into(),
        findings,
        known: 0,
        unlisted: 0,
        text: Some(String::from_utf8_lossy(payload).into()),
        text_origin: None,
    };
    let mut summary = Summary::default();
    summary.add(&result);
    summary.outcome = handoff_core::gate::Outcome::Fail;
    let sources: Sources = [(
        checker.contract().source.path.display().to_string(),
        checker.contract().source.text.clone(),
    )]
    .into_iter()
    .collect();
    let mut outputs = Vec::new();
    let mut run = |name: &'static str, printer: &mut dyn Printer, buf: &dyn Fn() -> Vec<u8>| {
        printer.result(&result).unwrap();
        printer.finish(&summary).unwrap();
        outputs.push((name, String::from_utf8(buf()).expect("UTF-8 output")));
    };
    macro_rules! with {
        ($name:literal, $make:expr) => {{
            let buf = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
            let mut printer = $make(Shared(buf.clone()));
            run($name, &mut printer, &|| buf.borrow().clone());
        }};
    }
    with!("text", |w| TextPrinter::new(w, sources.clone()));
    with!("json", JsonPrinter::new);
    with!("ndjson", NdjsonPrinter::new);
    with!("junit", JunitPrinter::new);
    with!("sarif", SarifPrinter::new);
    with!("github", |w| GithubPrinter::new(w, None));
    with!("markdown", MarkdownPrinter::new);
    outputs
}

/// A writer into a shared buffer, so the test can read what a printer wrote.
struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn closed_checker() -> Checker {
    let path = Path::new(ROOT).join("contracts/storefront-order-to-erp/1.2.0.yaml");
    handoff_core::lint::prepare(&path)
        .0
        .expect("the example contract loads")
}

/// Member names: anything, including every control and bidi character, and very long ones.
fn hostile_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        proptest::collection::vec(
            prop_oneof![
                Just('\u{1b}'),
                Just('\n'),
                Just('\r'),
                Just('\u{7f}'),
                Just('\u{9b}'),
                Just('\u{202e}'),
                Just('\u{2066}'),
                Just('`'),
                Just('|'),
                Just('<'),
                Just('%'),
                Just(':'),
                any::<char>(),
            ],
            0..60
        )
        .prop_map(|v| v.into_iter().collect()),
        (1usize..4).prop_map(|n| "n".repeat(n * 40_000)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn no_printer_panics_or_leaks_control_characters(names in proptest::collection::vec(hostile_name(), 1..4), value in hostile_name()) {
        let checker = closed_checker();
        let mut object = serde_json::Map::new();
        for name in &names {
            object.insert(name.clone(), serde_json::Value::String(value.clone()));
        }
        let payload = serde_json::Value::Object(object).to_string();
        for (format, out) in render_all(&checker, payload.as_bytes()) {
            match format {
                // Human formats: nothing unsafe at all, except handoff's own colour codes.
                "text" | "github" | "markdown" => {
                    let shown = strip_sgr(&out);
                    prop_assert!(!has_unsafe(&shown), "{format}: {shown:?}");
                    if format == "github" {
                        for line in out.lines() {
                            prop_assert!(line.starts_with("::error file=in/p\\n%3A%3Aerror%3A%3Ax.json,") || line.starts_with("::notice title=handoff::") || line.starts_with("handoff: "), "{line}");
                        }
                    }
                }
                // Machine formats parse back.
                "json" | "sarif" => {
                    serde_json::from_str::<serde_json::Value>(&out).map_err(|e| TestCaseError::fail(format!("{format}: {e}")))?;
                }
                "ndjson" => {
                    for line in out.lines() {
                        serde_json::from_str::<serde_json::Value>(line).map_err(|e| TestCaseError::fail(format!("{format}: {e}")))?;
                    }
                }
                _ => {}
            }
        }
    }
}

#[test]
fn inputs_that_yield_no_payloads_are_usage_errors_naming_the_input() {
    let dir = scratch("silent-skips");
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    std::fs::create_dir_all(dir.join("docs/real")).unwrap();
    std::fs::write(dir.join("docs/README.md"), "notes").unwrap();
    std::fs::write(dir.join("docs/.hidden.json"), "{}").unwrap();
    std::os::unix::fs::symlink(dir.join("docs/real"), dir.join("docs/linked")).unwrap();
    std::fs::write(dir.join("blank.ndjson"), " \n\t\n").unwrap();
    std::fs::write(dir.join("none.ndjson"), "").unwrap();
    for input in [
        "empty",
        "docs",
        "blank.ndjson",
        "none.ndjson",
        "nothing/*.json",
    ] {
        let out = check(&dir, input, &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{input}: {err}");
        assert!(
            err.starts_with(&format!("handoff: error: {input}: ")),
            "{input}: {err}"
        );
    }
    let out = check(&dir, "docs", &[]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "handoff: error: docs: no payload files in this directory (3 skipped: 1 hidden (its name starts with a dot); 1 a symbolic link to a directory (not followed); 1 not a payload file (.json, .ndjson, .jsonl, .edi, .x12, .csv, .tsv))\n"
    );
}

#[test]
fn upper_case_extensions_are_payloads_and_skipped_entries_are_counted() {
    let dir = scratch("extensions");
    std::fs::create_dir_all(dir.join("in")).unwrap();
    std::fs::write(dir.join("in/ORDER.JSON"), "{}").unwrap();
    std::fs::write(dir.join("in/notes.txt"), "x").unwrap();
    let out = check(&dir, "in", &[]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(shown.starts_with("FAIL in/ORDER.JSON "), "{shown}");
    assert!(
        shown.contains("\n1 entry in input directories skipped (hidden, linked directories, or not .json, .ndjson, .jsonl, .edi, .x12, .csv, .tsv); -v lists them\n"),
        "{shown}"
    );
    let verbose = check(&dir, "in", &["-v"]);
    assert_eq!(
        String::from_utf8_lossy(&verbose.stderr),
        "handoff: skipped in/notes.txt: not a payload file (.json, .ndjson, .jsonl, .edi, .x12, .csv, .tsv)\n"
    );
}

#[test]
fn card_numbers_are_masked_in_every_format() {
    let dir = scratch("cards");
    std::fs::write(
        dir.join("p.json"),
        "{\"card\": \"4111 1111 1111 1111\", \"order_id\": 4111111111111111}",
    )
    .unwrap();
    for format in [
        "text", "json", "ndjson", "junit", "sarif", "github", "markdown",
    ] {
        let out = check(&dir, "p.json", &["--format", format]);
        let shown = text(&out);
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert!(
            !shown.contains("1111 1111 1111") && !shown.contains("4111111111111111"),
            "{format} leaks a card number: {shown}"
        );
        assert!(
            shown.contains("4111 11** **** 1111") || shown.contains("411111******1111"),
            "{format} shows the masked number: {shown}"
        );
    }
    // The text diagnostic still underlines the right place: masking keeps positions.
    let shown = text(&check(&dir, "p.json", &[]));
    assert!(shown.contains("\"order_id\": 411111******1111}"), "{shown}");
    // Baselines fingerprint the masked value, and never store it.
    let baseline = dir.join("b.json");
    check(
        &dir,
        "p.json",
        &["--write-baseline", baseline.to_str().unwrap()],
    );
    let stored = std::fs::read_to_string(&baseline).unwrap();
    assert!(!stored.contains("4111"), "{stored}");
}

#[test]
fn an_ad_hoc_check_takes_only_the_registry_from_a_parent_project_file() {
    let dir = scratch("reach-adhoc");
    let sub = dir.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(
        dir.join("handoff.yaml"),
        format!(
            "contracts: {ROOT}/contracts\noutput: report.txt\nfail_on: never\nbaseline: base.json\nchecks: []\n"
        ),
    )
    .unwrap();
    std::fs::write(sub.join("p.json"), "{\"x\": 1}").unwrap();
    let out = handoff(&sub, &["check", "--contract", CLOSED, "p.json"], &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "fail_on from the parent is not taken"
    );
    assert!(
        text(&out).starts_with("FAIL p.json"),
        "the report is printed, not written to ../report.txt"
    );
    assert!(!dir.join("report.txt").exists());
}

#[test]
fn a_project_file_cannot_reach_outside_its_directory_without_allow_outside() {
    let dir = scratch("reach-config");
    let contracts = format!("{ROOT}/contracts");
    std::fs::create_dir_all(dir.join("in")).unwrap();
    std::fs::write(dir.join("in/p.json"), "{}").unwrap();
    let cases = [
        (
            "checks:\n  - contract: storefront-order-to-erp\n    inputs: [/proc/self/environ]\n",
            "input /proc/self/environ",
        ),
        (
            "checks:\n  - contract: storefront-order-to-erp\n    inputs: [\"../**/*.json\"]\n",
            "input ../**/*.json",
        ),
        (
            "output: ../report.txt\nchecks:\n  - contract: storefront-order-to-erp\n    inputs: [in]\n",
            "output ../report.txt",
        ),
    ];
    for (body, named) in cases {
        std::fs::write(
            dir.join("handoff.yaml"),
            format!("contracts: {contracts}\n{body}"),
        )
        .unwrap();
        let out = handoff(&dir, &["check"], &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{body}: {err}");
        assert!(
            err.contains(&format!(
                "handoff.yaml names the {named}, which is outside the project directory"
            )),
            "{err}"
        );
        assert!(!text(&out).contains("environ"), "nothing was read");
    }
    // Inside the project, and with the flag, it runs.
    std::fs::write(
        dir.join("handoff.yaml"),
        format!("contracts: {contracts}\nchecks:\n  - contract: storefront-order-to-erp\n    inputs: [in]\n"),
    )
    .unwrap();
    assert_eq!(handoff(&dir, &["check"], &[]).status.code(), Some(1));
}

#[test]
fn files_the_tool_reads_are_size_limited() {
    let dir = scratch("dev-zero");
    let contracts = format!("{ROOT}/contracts");
    std::fs::write(dir.join("p.json"), "{}").unwrap();
    let runs: [&[&str]; 3] = [
        &["which", "--contracts", &contracts, "/dev/zero"],
        &[
            "check",
            "--contracts",
            &contracts,
            "--contract",
            CLOSED,
            "--baseline",
            "/dev/zero",
            "p.json",
        ],
        &["check", "--config", "/dev/zero"],
    ];
    for args in runs {
        let out = handoff(&dir, args, &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("larger than the 67108864-byte limit"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn sensitive_values_are_never_printed_unless_asked() {
    let dir = scratch("sensitive");
    // A name over the 40-byte limit, and a bad SKU on the same minified line.
    let payload = r#"{"customer": {"email": "jane.doe@@example", "name": "Zoë Ångström-Wrigglesworth de la Fontaine"}, "line_items": [{"sku": "abc-1"}]}"#;
    std::fs::write(dir.join("p.json"), payload).unwrap();
    for format in [
        "text", "json", "ndjson", "junit", "sarif", "github", "markdown",
    ] {
        let out = check(&dir, "p.json", &["--format", format]);
        let shown = text(&out);
        for secret in ["jane.doe", "Zoë", "Wrigglesworth"] {
            assert!(!shown.contains(secret), "{format} prints {secret}: {shown}");
        }
        // GitHub annotates only the first ten findings, which here are missing fields.
        if format != "github" {
            assert!(
                shown.contains("abc-1"),
                "{format}: other values are still shown"
            );
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&text(&check(&dir, "p.json", &["--format", "json"]))).unwrap();
    let email = json["results"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["pointer"] == "/customer/email")
        .unwrap();
    assert_eq!(email["redacted"], true);
    assert!(email.get("value").is_none() && email.get("suggestion").is_none());
    assert_eq!(
        email["message"],
        "the value (a string of 17 characters: lower-case letters, punctuation) is not a valid `email`"
    );
    // The text report quotes the SKU's line with the sensitive values blanked, one for one.
    let shown = text(&check(&dir, "p.json", &[]));
    assert!(shown.contains("\"email\": •••"), "{shown}");
    // --redact none shows them (a local session); --redact all shows no value at all.
    let none = text(&check(&dir, "p.json", &["--redact", "none"]));
    assert!(none.contains("jane.doe@@example"), "{none}");
    let all = text(&check(
        &dir,
        "p.json",
        &["--redact", "all", "--format", "json"],
    ));
    assert!(!all.contains("abc-1") && !all.contains("jane.doe"), "{all}");
}

/// A contract of our own for the small cases below.
fn write_contract(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            "contract: probe\nversion: 1.0.0\nboundary: {{from: a, to: b, transport: api}}\n{body}"
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn the_probes_low_findings() {
    let dir = scratch("low");
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    let c = write_contract(
        &dir,
        "c.yaml",
        "fields:\n  price: {type: string, decimal: {exactly: 2}}\n  note: {type: string}\n",
    );
    // Exact limits at the edge of u64, and any --jobs, are accepted.
    std::fs::write(
        dir.join("p.json"),
        r#"{"price": "１.00", "note": "\ud800"}"#,
    )
    .unwrap();
    let out = handoff(
        &dir,
        &[
            "check",
            "--contract",
            &c,
            "--max-payload-bytes",
            "18446744073709551615",
            "--jobs",
            "60000",
            "p.json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        text(&out).contains("the payload is not valid JSON: a \\u escape is half of a UTF-16 surrogate pair (\\uD800-\\uDFFF) without its other half"),
        "{}",
        text(&out)
    );
    std::fs::write(dir.join("p.json"), r#"{"price": "１.00"}"#).unwrap();
    let shown = text(&handoff(&dir, &["check", "--contract", &c, "p.json"], &[]));
    assert!(
        shown.contains("\"１.00\" is not a decimal number: １ is not an ASCII digit 0-9"),
        "{shown}"
    );

    // NDJSON: only JSON whitespace makes a blank line.
    std::fs::write(
        dir.join("l.ndjson"),
        "{\"note\": \"a\"}\n \t\r\n\u{c}\n\u{b}\n",
    )
    .unwrap();
    let shown = text(&handoff(
        &dir,
        &["check", "--contract", &c, "--format", "ndjson", "l.ndjson"],
        &[],
    ));
    let lines: Vec<u64> = shown
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["source"]["line"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(
        lines,
        [3, 4],
        "the form feed and vertical tab lines are invalid: {shown}"
    );

    // Contract messages.
    let bad = write_contract(
        &dir,
        "bad.yaml",
        "formats:\n  '%Y': {type: string}\n  money: {format: money}\nfields:\n  n: {type: integer, enum: [1, 1.0, 3.0]}\n",
    );
    let lint = text(&handoff(&dir, &["lint", &bad], &[]));
    assert!(lint.contains("`%Y` cannot name a format"), "{lint}");
    assert!(lint.contains("format `money` refers to itself"), "{lint}");
    assert!(
        lint.contains("error[duplicate-enum-value]: 1.0 is listed twice in `enum`"),
        "{lint}"
    );
    assert!(!lint.contains("type-conflict"), "3.0 is an integer: {lint}");

    // Files that are not files.
    let out = handoff(&dir, &["lint", "/dev/zero"], &[]);
    assert_eq!(
        stderr(&out),
        "handoff: error: /dev/zero: not a regular file or a directory\n"
    );
    std::os::unix::fs::symlink("loop.json", dir.join("loop.json")).unwrap();
    let out = handoff(&dir, &["check", "--contract", &c, "loop.json"], &[]);
    assert_eq!(
        stderr(&out),
        "handoff: error: loop.json: a symbolic link to nothing, or in a loop\n"
    );

    // accepts: JSON too deep is an error, not a string.
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let out = handoff(&dir, &["accepts", &c, "/note", &deep], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("more than 128 levels deep"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn reports_are_not_written_through_links_nor_read_back_as_payloads() {
    let dir = scratch("outputs");
    let c = write_contract(&dir, "c.yaml", "fields:\n  n: {type: integer}\n");
    std::fs::create_dir_all(dir.join("in")).unwrap();
    std::fs::write(dir.join("in/p.json"), r#"{"n": "x"}"#).unwrap();
    std::os::unix::fs::symlink("/tmp/elsewhere.txt", dir.join("link.txt")).unwrap();
    let out = handoff(
        &dir,
        &["check", "--contract", &c, "--output", "link.txt", "in"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "link.txt is a symbolic link; handoff does not write the report through links"
        )
    );
    // A JSON report inside the input directory is not checked by the next run.
    for _ in 0..2 {
        let out = handoff(
            &dir,
            &[
                "check",
                "--contract",
                &c,
                "--format",
                "json",
                "--output",
                "in/report.json",
                "in",
            ],
            &[],
        );
        assert_eq!(out.status.code(), Some(1));
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("in/report.json")).unwrap())
            .unwrap();
    assert_eq!(report["summary"]["payloads"], 1, "{report}");
    // An unwritable job summary is named.
    let out = handoff(
        &dir,
        &["check", "--contract", &c, "--format", "github", "in/p.json"],
        &[("GITHUB_STEP_SUMMARY", "/proc/nope/summary.md")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("GITHUB_STEP_SUMMARY /proc/nope/summary.md:"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_payload_of_nothing_but_faults_is_itemised_up_to_the_limit_and_counted_after() {
    let dir = scratch("cap");
    let c = write_contract(
        &dir,
        "c.yaml",
        "fields:\n  xs: {type: array, items: {type: integer}}\n",
    );
    let items: Vec<String> = (0..5000).map(|i| format!("\"{i}\"")).collect();
    std::fs::write(
        dir.join("p.json"),
        format!("{{\"xs\": [{}]}}", items.join(",")),
    )
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&text(&handoff(
        &dir,
        &["check", "--contract", &c, "--format", "json", "p.json"],
        &[],
    )))
    .unwrap();
    assert_eq!(
        json["results"][0]["findings"].as_array().unwrap().len(),
        1000
    );
    assert_eq!(json["results"][0]["unlisted"], 4000);
    assert_eq!(
        json["summary"]["violations"], 5000,
        "every violation is counted"
    );
    let shown = text(&handoff(&dir, &["check", "--contract", &c, "p.json"], &[]));
    assert!(
        shown.contains("… and 4000 more violations in this payload, counted but not itemised (at most 1000 per payload are)"),
        "{}",
        &shown[shown.len().saturating_sub(2000)..]
    );
}

#[test]
fn file_names_that_are_not_utf8_can_be_named_explicitly() {
    use std::os::unix::ffi::OsStrExt;
    let dir = scratch("non-utf8");
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.json");
    std::fs::create_dir_all(dir.join("in")).unwrap();
    std::fs::write(dir.join("in").join(name), "{\"x\": 1}").unwrap();
    let contracts = format!("{ROOT}/contracts");
    std::fs::write(
        dir.join("handoff.yaml"),
        format!("contracts: {contracts}\nchecks:\n  - contract: {CLOSED}\n    inputs: [in]\n"),
    )
    .unwrap();
    let path = std::path::Path::new("in").join(name);
    for args in [
        vec![
            "check".as_ref(),
            "--contracts".as_ref(),
            contracts.as_ref(),
            "--contract".as_ref(),
            CLOSED.as_ref(),
            path.as_os_str(),
        ],
        vec!["check".as_ref(), path.as_os_str()],
    ] {
        let out = common::handoff(&dir)
            .args(&args as &[&std::ffi::OsStr])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text(&out).starts_with("FAIL in/caf\u{fffd}.json"),
            "{}",
            text(&out)
        );
    }
}
