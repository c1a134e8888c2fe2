//! Hardening, part 2: the newer surfaces (triage, reconcile, CSV, X12, repair, history) against
//! hostile and careless input. Each test is a probe's reproduction, run as a user runs the
//! binary, and fails on the code before its fix.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// What a planted file outside the project holds: it must never reach any output.
const SECRET: &str = "GITHUB_TOKEN=ghp_s3cr3t";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("handoff-hard2-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn handoff(dir: &Path, args: &[&str]) -> Output {
    common::handoff(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn all(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Assert the run exited with `code` and said `says` (on either stream).
fn exits_saying(out: &Output, code: i32, says: &str) {
    assert_eq!(out.status.code(), Some(code), "{}", all(out));
    assert!(all(out).contains(says), "{}", all(out));
}

/// The run's JSON report, after asserting it exited with `code`.
fn report(out: &Output, code: i32) -> serde_json::Value {
    assert_eq!(out.status.code(), Some(code), "{}", all(out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `handoff check` of `file` (outside the project, so allowed) against one of the repository's
/// example contracts, with `more` arguments.
fn check_with_repo_contract(contract: &str, file: &Path, more: &[&str]) -> Output {
    let mut args = vec!["check", "--contract", contract, "--allow-outside"];
    args.extend(more);
    args.push(file.to_str().unwrap());
    handoff(Path::new(env!("CARGO_MANIFEST_DIR")), &args)
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A project in `dir/project` with one open contract, and a secret file beside it (outside).
fn project(dir: &Path) -> PathBuf {
    let project = dir.join("project");
    write(
        &project.join("contracts/orders/1.0.0.yaml"),
        "contract: orders\nversion: 1.0.0\nboundary: {from: shop, to: erp, transport: webhook}\nfields:\n  order_id: {type: string, required: true}\n",
    );
    write(&dir.join("secret.json"), &format!("{{\"{SECRET}\": 1}}"));
    write(&dir.join("secret.csv"), &format!("order_id\n{SECRET}\n"));
    project
}

fn link(target: &Path, at: &Path) {
    std::fs::create_dir_all(at.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, at).unwrap();
}

#[test]
fn a_link_in_a_walked_directory_to_a_file_outside_is_refused_unread() {
    let dir = scratch("walk");
    let project = project(&dir);
    write(&project.join("captures/ok.json"), "{\"order_id\": \"A1\"}");
    link(&dir.join("secret.json"), &project.join("captures/env.json"));
    for input in ["captures", "captures/*.json"] {
        let out = handoff(
            &project,
            &["check", "--contract", "orders", "--format", "json", input],
        );
        let text = all(&out);
        assert_eq!(out.status.code(), Some(2), "{input}: {text}");
        assert!(!text.contains("s3cr3t"), "{input}: {text}");
        assert!(
            text.contains("captures/env.json leads to") && text.contains("--allow-outside"),
            "{input}: {text}"
        );
        // The file inside the project is still checked.
        assert!(text.contains("\"payloads\":1"), "{input}: {text}");
    }
    // Asked for: followed.
    let out = handoff(
        &project,
        &[
            "check",
            "--contract",
            "orders",
            "--allow-outside",
            "captures",
        ],
    );
    assert!(all(&out).contains("s3cr3t") || out.status.code() == Some(1));
    assert_ne!(out.status.code(), Some(2), "{}", all(&out));
    // A link that stays inside the project is followed as before.
    std::fs::remove_file(project.join("captures/env.json")).unwrap();
    link(
        &project.join("captures/ok.json"),
        &project.join("captures/again.json"),
    );
    let out = handoff(&project, &["check", "--contract", "orders", "captures"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
}

#[test]
fn reconcile_refuses_a_capture_link_outside_the_project() {
    let dir = scratch("reconcile");
    project(&dir);
    let project = dir.join("flows");
    common::copy_dir(&Path::new(ROOT).join("fixtures/flows"), &project);
    link(
        &dir.join("secret.json"),
        &project.join("captures/erp/zz.ndjson"),
    );
    let out = handoff(&project, &["reconcile"]);
    let text = all(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(!text.contains("s3cr3t"), "{text}");
    assert!(text.contains("--allow-outside"), "{text}");
}

/// A triage project's handoff.yaml: its exception log, the four columns every test maps, and
/// `more` (further `name: column` lines).
fn triage_config(project: &Path, log: &str, more: &[&str]) {
    let mut yaml = format!(
        "contracts: contracts\nchecks:\n  - contract: orders\n    inputs: [payloads]\nexceptions:\n  log: {log}\n  columns:\n    opened_at: opened_at\n    error_code: code\n    payload_file: payload\n    contract: contract\n"
    );
    for line in more {
        yaml.push_str(&format!("    {line}\n"));
    }
    write(&project.join("handoff.yaml"), &yaml);
}

/// A triage project whose log is inside; `row` is one extra log row.
fn triage_project(dir: &Path, row: &str) -> PathBuf {
    let project = project(dir);
    triage_config(&project, "log.csv", &[]);
    write(&project.join("payloads/a.json"), "{\"order_id\": 5}");
    write(
        &project.join("log.csv"),
        &format!(
            "opened_at,code,payload,contract\n2026-11-02T10:00:00Z,BAD_ID,payloads/a.json,orders\n{row}\n"
        ),
    );
    project
}

#[test]
fn triage_reads_no_payload_or_contract_outside_the_project() {
    let dir = scratch("triage");
    for row in [
        "2026-11-02T11:00:00Z,BAD_ID,../secret.json,orders",
        "2026-11-02T11:00:00Z,BAD_ID,/etc/passwd,orders",
        "2026-11-02T11:00:00Z,BAD_ID,payloads/a.json,../secret.yaml",
    ] {
        let project = triage_project(&dir.join(row.len().to_string()), row);
        write(
            &project.parent().unwrap().join("secret.yaml"),
            &format!("contract: {SECRET}\n"),
        );
        let out = handoff(&project, &["triage", "--format", "json"]);
        let text = all(&out);
        assert!(
            !text.contains("s3cr3t") && !text.contains("root:"),
            "{row}: {text}"
        );
        assert!(text.contains("outside the project"), "{row}: {text}");
        assert_eq!(out.status.code(), Some(0), "{row}: {text}");
    }
}

#[test]
fn triage_refuses_a_log_decisions_or_history_outside_the_project() {
    let dir = scratch("triage-config");
    let project = triage_project(&dir, "");
    let config = std::fs::read_to_string(project.join("handoff.yaml")).unwrap();
    for (setting, what) in [
        ("  log: log.csv", "  log: ../secret.csv"),
        (
            "  log: log.csv",
            "  log: log.csv\n  decisions: ../secret.json",
        ),
    ] {
        write(
            &project.join("handoff.yaml"),
            &config.replace(setting, what),
        );
        let out = handoff(&project, &["triage"]);
        let text = all(&out);
        assert_eq!(out.status.code(), Some(2), "{what}: {text}");
        assert!(!text.contains("s3cr3t"), "{what}: {text}");
        assert!(text.contains("--allow-outside"), "{what}: {text}");
    }
    // history: outside the project creates nothing there.
    write(
        &project.join("handoff.yaml"),
        &format!("{config}history: ../elsewhere/history.db\n"),
    );
    let out = handoff(&project, &["triage", "--record"]);
    assert_eq!(out.status.code(), Some(2), "{}", all(&out));
    assert!(!dir.join("elsewhere").exists());
    // A planted link where the default database goes does not send the writes outside.
    write(&project.join("handoff.yaml"), &config);
    link(
        &dir.join("secret.json"),
        &project.join(".handoff/history.db"),
    );
    let out = handoff(&project, &["triage", "--record"]);
    assert_eq!(out.status.code(), Some(2), "{}", all(&out));
    assert!(
        std::fs::read_to_string(dir.join("secret.json"))
            .unwrap()
            .contains(SECRET)
    );
    // Asked for on the command line: allowed.
    std::fs::remove_file(project.join(".handoff/history.db")).unwrap();
    let out = handoff(
        &project,
        &["triage", "--record", "--history", "../asked/history.db"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert!(dir.join("asked/history.db").exists());
}

/// A contract for a CSV file of three text columns, the last one sensitive.
fn csv_project(dir: &Path, rows: &str) -> PathBuf {
    let project = dir.join("csv");
    write(
        &project.join("contracts/notes/1.0.0.yaml"),
        "contract: notes\nversion: 1.0.0\nboundary: {from: wms, to: erp, transport: file}\ncsv: {header: true}\nfields:\n  sku: {type: string, pattern: '^[A-Z]+$'}\n  note: {type: string, max_length: 2}\n  card: {type: string, pattern: '^[0-9]+$', sensitive: true}\n",
    );
    write(&project.join("rows.csv"), &format!("sku,note,card\n{rows}"));
    project
}

#[test]
fn a_stray_quote_inside_a_cell_does_not_move_findings_to_another_cell() {
    let dir = scratch("csv-quote");
    // `55"` is a product note (55 inches): the quote is text, as the CSV reader reads it.
    let project = csv_project(&dir, "AB\"C,55\",PRIVATE9\n");
    let out = handoff(
        &project,
        &[
            "check",
            "--contract",
            "notes",
            "--format",
            "json",
            "rows.csv",
        ],
    );
    let text = all(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["results"][0]["findings"].as_array().unwrap();
    let by_column: Vec<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["csv"]["column"].as_str().unwrap_or("").to_string(),
                f["value"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        by_column.contains(&("sku".into(), "AB\"C".into())),
        "{by_column:?}"
    );
    assert!(
        by_column.contains(&("note".into(), "55\"".into())),
        "{by_column:?}"
    );
    // The sensitive cell is never printed, and the others are not blanked in its place.
    assert!(!text.contains("PRIVATE9"), "{text}");
    let shown = handoff(&project, &["check", "--contract", "notes", "rows.csv"]);
    let shown = all(&shown);
    assert!(!shown.contains("PRIVATE9"), "{shown}");
    assert!(shown.contains("AB\"C,55\","), "{shown}");
}

#[test]
fn a_quote_left_open_says_which_lines_it_swallowed() {
    let dir = scratch("csv-open");
    let project = csv_project(&dir, "ABC,\"open,1\nDEF,x,2\nGHI,y,3\n");
    let out = handoff(&project, &["check", "--contract", "notes", "rows.csv"]);
    let text = all(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("the quote that opens column `note` is never closed, so the CSV reader read lines 2 to 4 (3 lines, to the end of the file) as this one cell"),
        "{text}"
    );
}

#[test]
fn a_bad_row_of_a_wide_file_does_not_repeat_the_header() {
    let dir = scratch("csv-wide");
    let project = dir.join("wide");
    write(
        &project.join("contracts/wide/1.0.0.yaml"),
        "contract: wide\nversion: 1.0.0\nboundary: {from: wms, to: erp, transport: file}\ncsv: {header: true}\nfields: {}\n",
    );
    let header: Vec<String> = (0..2000).map(|i| format!("column_{i}")).collect();
    let mut file = header.join(",") + "\n";
    for _ in 0..50 {
        file.push_str(&",".repeat(2001));
        file.push('\n');
    }
    write(&project.join("wide.csv"), &file);
    let out = handoff(
        &project,
        &[
            "check",
            "--contract",
            "wide",
            "--format",
            "json",
            "wide.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    // 50 findings naming a few columns each, not 50 copies of a 25 KB header.
    assert!(out.stdout.len() < 60_000, "{} bytes", out.stdout.len());
    assert!(String::from_utf8_lossy(&out.stdout).contains("(1988 more, as the header names them)"));
}

#[test]
fn a_csv_row_over_the_payload_limit_is_reported_and_the_rows_after_it_are_checked() {
    let dir = scratch("csv-large");
    // Row 2 holds a quoted cell of 5,000 bytes over three lines; the limit is 200 bytes.
    let big = format!(
        "\"{}\n{}\n{}\"",
        "x".repeat(2000),
        "y".repeat(2000),
        "z".repeat(1000)
    );
    let project = csv_project(&dir, &format!("ABC,ok,1\r\nDEF,{big},2\r\nghi,ok,3\r\n"));
    let out = handoff(
        &project,
        &[
            "check",
            "--contract",
            "notes",
            "--max-payload-bytes",
            "200",
            "--format",
            "json",
            "rows.csv",
        ],
    );
    let doc = report(&out, 1);
    let findings: Vec<(String, u64, u64)> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap().clone())
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["position"]["line"].as_u64().unwrap(),
                f["csv"]["row"].as_u64().unwrap(),
            )
        })
        .collect();
    // The large row is one finding at its own line and row; the row after it is still read
    // (its lower-case SKU is a finding) at its true line, three lines further on.
    assert_eq!(
        findings,
        vec![
            ("payload_too_large".to_string(), 3, 2),
            ("pattern_mismatch".to_string(), 6, 3),
        ],
        "{}",
        all(&out)
    );
    let text = all(&out);
    assert!(
        text.contains("row 2 is 5010 bytes, over the 200-byte limit, and was not checked"),
        "{text}"
    );
    assert!(
        !text.contains("xxxxxxxx"),
        "the large cell is never quoted: {text}"
    );
    assert_eq!(doc["summary"]["payloads"], 3, "{doc}");
}

mod cells {
    use proptest::prelude::*;

    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-c\" ,]{0,6}",
            "[a-c\" ,\n]{0,6}".prop_map(|s| format!("\"{}\"", s.replace('"', "\"\""))),
        ]
    }

    /// A reader that hands out one byte per read.
    struct OneByte<'a>(&'a [u8]);

    impl std::io::Read for OneByte<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(1);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn summary(item: &handoff_core::flat::Item) -> (String, u64, u64) {
        match item {
            handoff_core::flat::Item::Row(row) => (
                String::from_utf8_lossy(&row.raw).into_owned(),
                row.line,
                row.row,
            ),
            handoff_core::flat::Item::TooLarge {
                line, row, size, ..
            } => (format!("too large: {size}"), *line, *row),
            handoff_core::flat::Item::Invalid { line, message } => (message.clone(), *line, 0),
        }
    }

    proptest! {
        /// Reading with a size limit agrees with reading without one: every row within the
        /// limit is the same row at the same line, and every row over it is one item of its
        /// exact size at its line, whatever quotes, line breaks and CRLFs the file holds.
        #[test]
        fn a_size_limit_cuts_exactly_the_rows_over_it(
            rows in proptest::collection::vec(proptest::collection::vec(cell(), 1..5), 1..8),
            crlf in any::<bool>(),
            // Never less than the header's 9 bytes: a header over the limit ends the file.
            limit in 9u64..40,
        ) {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("a,b,c,d,e{end}");
            for (i, row) in rows.iter().enumerate() {
                if i % 3 == 1 {
                    // Blank lines belong to no row.
                    text.push_str(end);
                    text.push_str(end);
                }
                text.push_str(&row.join(","));
                text.push_str(end);
            }
            let options = handoff_core::contract::layout::CsvOptions::default();
            let mut whole = Vec::new();
            handoff_core::flat::read(text.as_bytes(), &options, b',', u64::MAX, |item| whole.push(item));
            let mut cut = Vec::new();
            // One byte at a time, so a row's end falls at every place in a read.
            handoff_core::flat::read(OneByte(text.as_bytes()), &options, b',', limit, |item| cut.push(item));
            let expected: Vec<_> = whole.iter().map(|item| match item {
                handoff_core::flat::Item::Row(row) if handoff_core::flat::without_break(&row.raw).len() as u64 > limit => {
                    (format!("too large: {}", handoff_core::flat::without_break(&row.raw).len()), row.line, row.row)
                }
                other => summary(other),
            }).collect();
            let got: Vec<_> = cut.iter().map(summary).collect();
            prop_assert_eq!(got, expected, "{:?}", text);
        }

        /// Every cell range the reader reports    proptest! {
        /// Every cell range the reader reports re-reads to the very field the CSV reader gave.
        #[test]
        fn cell_ranges_re_read_to_the_readers_fields(
            rows in proptest::collection::vec(proptest::collection::vec(cell(), 1..5), 1..4)
        ) {
            let mut text = String::from("a,b,c,d,e\n");
            for row in &rows {
                text.push_str(&row.join(","));
                text.push('\n');
            }
            let options = handoff_core::contract::layout::CsvOptions::default();
            let mut seen = Vec::new();
            handoff_core::flat::read(text.as_bytes(), &options, b',', u64::MAX, |item| seen.push(item));
            for item in seen {
                let handoff_core::flat::Item::Row(row) = item else { continue };
                let (cells, open) = handoff_core::flat::cells(&row.raw, b',');
                if open {
                    continue;
                }
                prop_assert_eq!(cells.len(), row.record.len(), "{:?}", String::from_utf8_lossy(&row.raw));
                for (i, c) in cells.iter().enumerate() {
                    let mut one = csv::ReaderBuilder::new()
                        .has_headers(false)
                        .from_reader(&row.raw[c.start..c.end]);
                    let mut record = csv::ByteRecord::new();
                    let got = if one.read_byte_record(&mut record).unwrap() {
                        record.get(0).unwrap_or_default().to_vec()
                    } else {
                        Vec::new()
                    };
                    prop_assert_eq!(&got[..], &row.record[i], "cell {} of {:?}", i, String::from_utf8_lossy(&row.raw));
                }
            }
        }
    }
}

/// A project whose contract repairs a ZIP+4 and a quantity sent as a string.
fn repair_project(dir: &Path) -> PathBuf {
    let project = dir.join("repair");
    write(
        &project.join("contracts/ship/1.0.0.yaml"),
        "contract: ship\nversion: 1.0.0\nboundary: {from: shop, to: wms, transport: webhook}\nfields:\n  zip: {type: string, max_length: 5}\n  qty: {type: integer}\n",
    );
    project
}

#[test]
fn repair_write_changes_only_the_patched_bytes() {
    let dir = scratch("repair-bytes");
    let project = repair_project(&dir);
    // Member order, an escape, a number spelling, spacing and CRLF are the sender's.
    let one =
        "{\"zip\" :  \"62704-1234\", \"name\": \"Ren\\u00e9e\", \"weight\": 1E2, \"qty\": \"3\"}";
    let clean = "{\"zip\": \"10001\", \"note\": \"caf\\u00e9\"}";
    write(
        &project.join("orders.ndjson"),
        &format!("{one}\r\n{clean}\r\n\r\n{one}\r\n"),
    );
    write(
        &project.join("order.json"),
        "\u{FEFF}{\n  \"qty\": \"7\",\n  \"zip\": \"62704-1234\"\n}\n",
    );
    let out = handoff(
        &project,
        &[
            "repair",
            "--contract",
            "ship",
            "--write",
            "orders.ndjson",
            "order.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    let fixed = "{\"zip\" :  \"62704\", \"name\": \"Ren\\u00e9e\", \"weight\": 1E2, \"qty\": 3}";
    assert_eq!(
        std::fs::read_to_string(project.join("orders.ndjson")).unwrap(),
        format!("{fixed}\r\n{clean}\r\n\r\n{fixed}\r\n")
    );
    assert_eq!(
        std::fs::read_to_string(project.join("order.json")).unwrap(),
        "\u{FEFF}{\n  \"qty\": 7,\n  \"zip\": \"62704\"\n}\n"
    );
    // No temporary file is left beside them.
    let names: Vec<String> = std::fs::read_dir(&project)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with(".handoff-repair")),
        "{names:?}"
    );
}

#[test]
fn repair_write_does_not_write_through_a_hard_link_or_patch_duplicates_or_flat_files() {
    let dir = scratch("repair-refuse");
    let project = repair_project(&dir);
    write(&project.join("order.json"), "{\"zip\": \"62704-1234\"}");
    std::fs::hard_link(project.join("order.json"), dir.join("elsewhere.json")).unwrap();
    let out = handoff(
        &project,
        &["repair", "--contract", "ship", "--write", "order.json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert_eq!(
        std::fs::read_to_string(project.join("order.json")).unwrap(),
        "{\"zip\": \"62704\"}"
    );
    // The other name of the file keeps what it held: the repair replaced the entry, it did not
    // write into the shared file.
    assert_eq!(
        std::fs::read_to_string(dir.join("elsewhere.json")).unwrap(),
        "{\"zip\": \"62704-1234\"}"
    );
    // A payload that repeats a member is not patched.
    let dup = "{\"zip\": \"62704-1234\", \"qty\": \"1\", \"qty\": 2}";
    write(&project.join("dup.json"), dup);
    let out = handoff(
        &project,
        &["repair", "--contract", "ship", "--write", "dup.json"],
    );
    assert_ne!(out.status.code(), Some(0), "{}", all(&out));
    assert_eq!(
        std::fs::read_to_string(project.join("dup.json")).unwrap(),
        dup
    );
    // CSV and X12 files are named as such, not called invalid JSON.
    write(&project.join("rows.csv"), "zip\n62704-1234\n");
    let out = handoff(&project, &["repair", "--contract", "ship", "rows.csv"]);
    let text = all(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("a CSV file is not repaired"), "{text}");
    assert!(!text.contains("not valid JSON"), "{text}");
}

/// The history database exactly as schema 1 (the first released handoff with history) wrote
/// it, with a row in every table.
fn schema_1_database(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let db = rusqlite::Connection::open(path).unwrap();
    db.execute_batch(
        "PRAGMA journal_mode = WAL;
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('triage', 'check')),
            recorded_at TEXT NOT NULL,
            source TEXT NOT NULL,
            rows INTEGER NOT NULL
        );
        CREATE TABLE patterns (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            error_code TEXT NOT NULL,
            signature TEXT NOT NULL,
            contracts TEXT NOT NULL,
            count INTEGER NOT NULL,
            hours_per_week REAL
        );
        CREATE INDEX patterns_by_key ON patterns (error_code, signature);
        CREATE TABLE check_groups (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            contract TEXT NOT NULL,
            field TEXT NOT NULL,
            kind TEXT NOT NULL,
            count INTEGER NOT NULL
        );
        INSERT INTO runs VALUES (1, 'triage', '2026-11-01T00:00:00Z', 'log.csv', 40);
        INSERT INTO runs VALUES (2, 'check', '2026-11-02T00:00:00Z', 'handoff check', 9);
        INSERT INTO patterns VALUES (1, 'BAD_ID', 'type_mismatch /order_id', 'orders@1.0.0', 12, 1.5);
        INSERT INTO check_groups VALUES (2, 'orders@1.0.0', '/order_id', 'type_mismatch', 3);
        PRAGMA user_version = 1;",
    )
    .unwrap();
}

#[test]
fn a_schema_1_history_with_triage_runs_migrates_and_keeps_every_row() {
    let dir = scratch("history-migrate");
    let project = triage_project(&dir, "");
    let db = project.join(".handoff/history.db");
    schema_1_database(&db);
    let out = handoff(&project, &["triage", "--record"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    // The earlier run is seen as this pattern's history.
    let out = handoff(&project, &["triage", "--format", "json"]);
    let text = all(&out);
    assert!(!text.contains("damaged"), "{text}");
    let db = rusqlite::Connection::open(&db).unwrap();
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("PRAGMA user_version"), 3);
    // Schema 3 brings the review gate's table, empty.
    assert_eq!(count("SELECT count(*) FROM proposals"), 0);
    assert_eq!(count("SELECT count(*) FROM runs WHERE kind = 'triage'"), 2);
    assert_eq!(count("SELECT count(*) FROM runs WHERE kind = 'check'"), 1);
    assert_eq!(count("SELECT count(*) FROM patterns WHERE run_id = 1"), 1);
    assert_eq!(
        count("SELECT count(*) FROM check_groups WHERE run_id = 2"),
        1
    );
    assert_eq!(count("SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

#[test]
fn a_migration_that_fails_leaves_the_file_as_it_was_and_says_what_failed() {
    let dir = scratch("history-fail");
    let project = triage_project(&dir, "");
    let db = project.join(".handoff/history.db");
    schema_1_database(&db);
    // A table in the way of step 2 makes it fail.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("CREATE TABLE runs_v2 (x); PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    let before = std::fs::read(&db).unwrap();
    let out = handoff(&project, &["triage", "--record"]);
    let text = all(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("from history schema 1 to 3: step 2 failed")
            && text.contains("the file is as it was"),
        "{text}"
    );
    assert!(!text.contains("damaged"), "{text}");
    let after = rusqlite::Connection::open(&db).unwrap();
    let version: i64 = after
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1);
    after
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    drop(after);
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn eight_first_runs_at_once_are_each_recorded_once() {
    let dir = scratch("history-race");
    let project = triage_project(&dir, "");
    let children: Vec<_> = (0..8)
        .map(|_| {
            common::handoff(&project)
                .args(["check", "--record"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    }
    let db = rusqlite::Connection::open(project.join(".handoff/history.db")).unwrap();
    let runs: i64 = db
        .query_row("SELECT count(*) FROM runs WHERE kind = 'check'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(runs, 8);
}

#[test]
fn render_hides_sensitive_cells_and_card_numbers_as_check_does() {
    let dir = scratch("render");
    let project = csv_project(&dir, "ABC,4111 1111 1111 1111,PRIVATE9\n");
    let out = handoff(&project, &["render", "-c", "notes", "rows.csv"]);
    let text = all(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        !text.contains("PRIVATE9") && text.contains("\"card\": \"•••\""),
        "{text}"
    );
    assert!(
        !text.contains("4111 1111 1111 1111") && text.contains("4111 11** **** 1111"),
        "{text}"
    );
    let out = handoff(
        &project,
        &["render", "-c", "notes", "--redact", "none", "rows.csv"],
    );
    let text = all(&out);
    assert!(text.contains("PRIVATE9"), "{text}");
    assert!(!text.contains("4111 1111 1111 1111"), "{text}");
    let out = handoff(
        &project,
        &["render", "-c", "notes", "--redact", "all", "rows.csv"],
    );
    assert!(!all(&out).contains("ABC"), "{}", all(&out));
}

#[test]
fn a_log_that_names_a_mapped_column_twice_is_refused_naming_it() {
    let dir = scratch("triage-dup-column");
    let project = triage_project(&dir, "");
    write(
        &project.join("log.csv"),
        "opened_at,code,payload,contract,code\n2026-11-02T10:00:00Z,BAD_ID,payloads/a.json,orders,OTHER\n",
    );
    exits_saying(
        &handoff(&project, &["triage"]),
        2,
        "the log's header names the column `code` 2 times (columns 2, 5)",
    );
}

#[test]
fn an_ndjson_log_line_that_repeats_a_mapped_member_is_rejected_not_guessed() {
    let dir = scratch("triage-dup-member");
    let project = triage_project(&dir, "");
    triage_config(&project, "log.ndjson", &[]);
    write(
        &project.join("log.ndjson"),
        concat!(
            r#"{"opened_at":"2026-11-02T10:00:00Z","code":"BAD_ID","payload":"payloads/a.json","contract":"orders"}"#,
            "\n",
            r#"{"opened_at":"2026-11-02T10:00:00Z","code":"BAD_ID","code":"OTHER","payload":"payloads/a.json","contract":"orders","note":1,"note":2}"#,
            "\n"
        ),
    );
    let report = report(&handoff(&project, &["triage", "--format", "json"]), 0);
    assert_eq!(report["rows"]["read"], 2);
    assert_eq!(report["rows"]["used"], 1);
    assert_eq!(
        report["rows"]["rejected"][0]["reason"],
        "the member `code` appears more than once in this line, so which one counts is unclear"
    );
}

/// A payload that cannot be read is evidence (issue 18): the same break at the boundary, never
/// "the error code fires on good data", and never a process problem.
#[test]
fn a_code_whose_payloads_cannot_be_read_is_not_called_a_process_problem() {
    let dir = scratch("triage-unchecked");
    let project = triage_project(&dir, "");
    write(&project.join("payloads/a.json"), "{\"order_id\": ");
    let report = report(&handoff(&project, &["triage", "--format", "json"]), 0);
    let code = &report["error_codes"][0];
    let q1 = &code["answers"]["consistent_pattern"];
    assert_eq!(q1["answer"], "yes", "{code:#}");
    assert_eq!(
        q1["evidence"],
        "1 of 1 (100%) payloads could not be read (orders: invalid_json): the same break at the boundary"
    );
    assert_eq!(
        code["answers"]["mismatch_or_missing_rule"]["answer"], "mismatch",
        "{code:#}"
    );
    assert_eq!(code["verdict"], "integration", "{code:#}");
    assert_eq!(code["decision"], "escalated", "{code:#}");
}

#[test]
fn resolutions_too_scattered_to_be_material_still_show_their_evidence() {
    let dir = scratch("triage-scattered");
    let project = triage_project(&dir, "");
    triage_config(
        &project,
        "log.csv",
        &["handled_by: who", "resolution: what"],
    );
    let mut log = String::from("opened_at,code,payload,contract,who,what\n");
    for i in 0..20 {
        log.push_str(&format!(
            "2026-11-02T10:00:00Z,BAD_ID,payloads/a.json,orders,handler{i},way {i}\n"
        ));
    }
    write(&project.join("log.csv"), &log);
    let report = report(&handoff(&project, &["triage", "--format", "json"]), 0);
    let q2 = &report["error_codes"][0]["answers"]["routing_varies"];
    assert_eq!(q2["answer"], "yes");
    assert_eq!(
        q2["evidence"],
        "20 handlers resolve it 20 ways, none in as many as 10% of the 20 routed exceptions; the commonest: \"way 0\" 1 (1 handler), \"way 1\" 1 (1 handler), \"way 10\" 1 (1 handler)"
    );
}

const ISA: &str = "ISA*00*          *00*          *ZZ*SENDERID       *ZZ*RECEIVERID     *261120*1200*U*00401*000004512*0*P*>~";

#[test]
fn a_segment_missing_from_a_set_is_located_at_the_sets_st() {
    let dir = scratch("x12-missing");
    let file = dir.join("po.edi");
    write(
        &file,
        &format!(
            "{ISA}\nGS*PO*S*R*20261120*1200*4512*X*004010~\nST*850*0001~\nBEG*00*SA*PO-1**20261120~\nSE*3*0001~\nGE*1*4512~\nIEA*1*000004512~\n"
        ),
    );
    let out = check_with_repo_contract("edi-850-to-wms", &file, &["--format", "json"]);
    let report = report(&out, 1);
    let findings = report["results"][0]["findings"].as_array().unwrap();
    let ctt = findings
        .iter()
        .find(|f| f["pointer"] == "/CTT")
        .expect("CTT is required");
    assert_eq!(ctt["kind"], "missing_required");
    assert_eq!(
        ctt["x12"],
        serde_json::json!({"segment_position": 3, "segment_id": "ST"})
    );
    assert_eq!(ctt["position"]["line"], 3);
}

/// A writer that did not pad ISA06 (14 characters, not 15): the interchange is read by its
/// separators, and the one element off width is named, once, with its first set; the sets are
/// checked as usual, and a second interchange of the same file is not blamed for it.
#[test]
fn an_isa_with_an_element_off_width_is_read_by_its_separators_and_named() {
    let dir = scratch("x12-isa-width");
    let file = dir.join("po.edi");
    let po = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/edi-850-x12/valid/po-4500012345.edi"),
    )
    .unwrap();
    let short = po.replacen("*WHOLESALEPTNR  *", "*WHOLESALEPTNR *", 1);
    assert_ne!(short, po);
    // Two elements off in a second interchange, after the first.
    let shorter = po
        .replacen("*WHOLESALEPTNR  *", "*WHOLESALEPTNR*", 1)
        .replacen("*RETAILERWMS    *", "*RETAILERWMS*", 1);
    write(&file, &format!("{short}{shorter}"));
    let out = check_with_repo_contract("edi-850-to-wms@^2", &file, &["--format", "json"]);
    let report = report(&out, 1);
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{report:#}");
    let kinds = |r: &serde_json::Value| -> Vec<(String, String)> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["kind"].as_str().unwrap().into(),
                    f["pointer"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    assert_eq!(
        kinds(&results[0]),
        [("envelope_malformed".into(), "/ISA/ISA06".into())]
    );
    let f = &results[0]["findings"][0];
    assert_eq!(
        f["message"],
        "ISA06 is 14 characters (\"WHOLESALEPTNR \"), but ISA elements are fixed width: ISA06 is 15; the interchange was read by its separators"
    );
    assert_eq!(
        f["expected"],
        "ISA06 of exactly 15 characters, padded with spaces"
    );
    assert_eq!(
        f["x12"],
        serde_json::json!({"segment_position": 1, "segment_id": "ISA", "element": "ISA06"})
    );
    assert_eq!(
        kinds(&results[1]),
        [("envelope_malformed".into(), "/ISA/ISA06".into())]
    );
    assert!(
        results[1]["findings"][0]["message"]
            .as_str()
            .unwrap()
            .ends_with("ISA06 is 15; 1 more ISA element is off width (ISA08); the interchange was read by its separators"),
        "{}",
        results[1]["findings"][0]["message"]
    );
}

#[test]
fn an_empty_edi_or_header_only_csv_is_named_for_what_it_is() {
    let dir = scratch("empty-kinds");
    write(&dir.join("empty.edi"), "");
    write(
        &dir.join("only-acknowledgment.edi"),
        &format!("{ISA}TA1*000004512*261120*1200*A*000~IEA*0*000004512~\n"),
    );
    for (name, says) in [
        (
            "empty.edi",
            "no payloads in it (an empty X12 file, or interchanges with no transaction set)",
        ),
        (
            "only-acknowledgment.edi",
            "no payloads in it (an empty X12 file, or interchanges with no transaction set)",
        ),
    ] {
        let out = check_with_repo_contract("edi-850-to-wms", &dir.join(name), &[]);
        exits_saying(&out, 2, says);
        assert!(
            !all(&out).contains("envelope_malformed"),
            "{name}: {}",
            all(&out)
        );
    }
    write(
        &dir.join("header.csv"),
        "sku,location,upc,uom,on_hand,allocated,available,unit_cost,counted_at\n",
    );
    exits_saying(
        &check_with_repo_contract("wms-inventory-to-erp", &dir.join("header.csv"), &[]),
        2,
        "no payloads in it (an empty CSV file, or a header with no row)",
    );
}

#[test]
fn an_interchange_named_txt_or_dat_is_read_as_x12() {
    let dir = scratch("x12-sniff");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let valid =
        std::fs::read_to_string(repo.join("fixtures/edi-850-x12/valid/po-4500012345.edi")).unwrap();
    for name in ["PO.TXT", "po.dat", "po"] {
        let path = dir.join(name);
        write(&path, &format!("\u{feff}\n{valid}"));
        let out = check_with_repo_contract("edi-850-to-wms", &path, &[]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", all(&out));
        let out = handoff(repo, &["render", "--allow-outside", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", all(&out));
    }
    write(&dir.join("note.txt"), "{\"a\": 1}");
    let out = handoff(
        repo,
        &[
            "render",
            "--allow-outside",
            dir.join("note.txt").to_str().unwrap(),
        ],
    );
    exits_saying(&out, 2, "--input-format x12 or csv");
}

#[test]
fn a_damaged_history_page_is_reported_with_the_files_name() {
    let dir = scratch("history-damaged");
    let project = triage_project(&dir, "");
    let out = handoff(&project, &["triage", "--record"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    let db = project.join(".handoff/history.db");
    let mut bytes = std::fs::read(&db).unwrap();
    assert!(bytes.len() > 8192, "{} bytes", bytes.len());
    // Every page after the first (the header, read at open) overwritten.
    for b in &mut bytes[4096..] {
        *b = 0xA5;
    }
    std::fs::write(&db, &bytes).unwrap();
    let out = handoff(&project, &["triage"]);
    assert_eq!(out.status.code(), Some(2), "{}", all(&out));
    let text = all(&out);
    assert!(text.contains(".handoff/history.db"), "{text}");
    assert!(text.contains("it was left as it is"), "{text}");
    assert!(!text.contains("panicked"), "{text}");
}

#[test]
fn a_padded_or_plus_signed_number_in_a_csv_cell_is_reported_as_sent() {
    let dir = scratch("csv-numbers");
    let path = dir.join("snapshot.csv");
    write(
        &path,
        "sku,location,upc,uom,on_hand,allocated,available,unit_cost,counted_at\nTEE-10442,DC01-A12-03,012345678905,EA, 120,20,100,6.4125,2026-11-21T02:00:00Z\nTEE-10443,DC01-A12-04,012345678912,EA,+48,0,48,6.4125,2026-11-21T02:00:00Z\nTEE-10444,DC01-A12-05,012345678929,EA,-0,0,0,6.4125,2026-11-21T02:00:00Z\n",
    );
    let out = check_with_repo_contract("wms-inventory-to-erp", &path, &["--format", "json"]);
    let report = report(&out, 1);
    let on_hand: Vec<(String, String, String)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap().iter())
        .filter(|f| f["pointer"] == "/on_hand")
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["value"].as_str().unwrap_or("").to_string(),
                f["suggestion"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        on_hand,
        [
            (
                "wrong_type".into(),
                " 120".into(),
                "write it as 120, without a plus sign or spaces around it".into()
            ),
            (
                "wrong_type".into(),
                "+48".into(),
                "write it as 48, without a plus sign or spaces around it".into()
            )
        ],
        "{}",
        all(&out)
    );
}

/// `which` of an NDJSON file (or NDJSON on standard input) reads it as a payload per line, as
/// `check` does, and names the line a rejection is on: not "the payload is not valid JSON".
#[test]
fn which_reads_ndjson_one_payload_per_line_and_names_the_rejected_line() {
    let dir = scratch("which-ndjson");
    let project = project(&dir);
    write(
        &project.join("good.ndjson"),
        "{\"order_id\":\"A1\"}\n\n{\"order_id\":\"A2\"}\n",
    );
    write(
        &project.join("bad.ndjson"),
        "{\"order_id\":\"A1\"}\n{\"id\":\"A2\"}\n",
    );
    let out = handoff(&project, &["which", "good.ndjson"]);
    exits_saying(&out, 0, "accepted by (newest first):\n  orders@1.0.0\n");

    let rejected = "rejected by orders@1.0.0 (1 finding):\n  missing_required at /order_id (line 2): required field `order_id` is missing\n";
    let out = handoff(&project, &["which", "bad.ndjson"]);
    exits_saying(&out, 1, rejected);
    assert!(!all(&out).contains("invalid_json"), "{}", all(&out));

    let mut child = common::handoff(&project)
        .args(["which", "-"])
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"order_id\":\"A1\"}\n{\"id\":\"A2\"}\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    exits_saying(&out, 1, rejected);

    // The JSON report gives each finding its line.
    let out = handoff(&project, &["which", "--format", "json", "bad.ndjson"]);
    let doc = report(&out, 1);
    let finding = &doc["versions"][0]["findings"][0];
    assert_eq!(finding["kind"], "missing_required");
    assert_eq!(finding["position"]["line"], 2);
}
