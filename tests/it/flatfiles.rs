//! X12 and CSV input, run as a user runs the binary: bad input is a clear finding or a clean
//! stream, every record read is accounted for, the parallel runner gives the sequential
//! runner's results, and the readers never panic on arbitrary bytes.

use crate::common;
use handoff_core::contract::layout::CsvOptions;
use proptest::prelude::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const ISA: &str = "ISA*00*          *00*          *ZZ*WHOLESALEPTNR  *ZZ*RETAILERWMS    *261120*1200*U*00401*000004512*0*P*>~";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("handoff-flat-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn check(dir: &Path, contract: &str, file: &str, extra: &[&str]) -> Output {
    let contracts = format!("{ROOT}/contracts");
    let mut args = vec!["check", "--contracts", &contracts, "--contract", contract];
    args.extend_from_slice(extra);
    args.push(file);
    common::handoff(dir)
        .args(&args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// A valid 850 transaction set with control number `n`.
fn set(n: usize, newline: &str) -> String {
    format!(
        "ST*850*{n:04}~{newline}BEG*00*SA*PO{n}**20261120~{newline}N1*ST*DC EAST*UL*0078742000008~{newline}PO1*1*12*EA*3.5**VP*TEE-10442-M~{newline}CTT*1~{newline}SE*6*{n:04}~{newline}"
    )
}

fn interchange(sets: usize, newline: &str) -> String {
    let mut out = format!(
        "{ISA}{newline}GS*PO*WHOLESALEPTNR*RETAILERWMS*20261120*1200*4512*X*004010~{newline}"
    );
    for n in 1..=sets {
        out.push_str(&set(n, newline));
    }
    let _ = write!(out, "GE*{sets}*4512~{newline}IEA*1*000004512~{newline}");
    out
}

#[test]
fn twenty_thousand_transaction_sets_are_each_a_payload() {
    let dir = scratch("many");
    std::fs::write(dir.join("po.edi"), interchange(20_000, "\n")).unwrap();
    let out = check(&dir, "edi-850-to-wms@2", "po.edi", &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out);
    assert_eq!(doc["summary"]["payloads"], 20_000);
    assert_eq!(doc["summary"]["valid"], 20_000);
}

#[test]
fn a_multi_megabyte_interchange_on_one_line_is_read_segment_by_segment() {
    let dir = scratch("one-line");
    let mut text = interchange(45_000, "");
    // One bad count near the end, so the finding is located far along the one line.
    text = text.replacen("SE*6*44999~", "SE*7*44999~", 1);
    assert!(text.len() > 5_000_000 && !text.contains('\n'));
    std::fs::write(dir.join("po.edi"), &text).unwrap();
    let out = check(&dir, "edi-850-to-wms@2", "po.edi", &["--format", "json"]);
    let doc = json(&out);
    assert_eq!(doc["summary"]["payloads"], 45_000);
    assert_eq!(doc["summary"]["invalid"], 1);
    let f = &doc["results"][0]["findings"][0];
    assert_eq!(f["kind"], "count_mismatch");
    assert_eq!(f["x12"]["segment_id"], "SE");
    assert_eq!(f["x12"]["segment_position"], 2 + 44_999 * 6);
    let offset = text.find("SE*7*44999~").unwrap() + 3;
    assert_eq!(
        f["position"],
        serde_json::json!({"line": 1, "column": offset + 1})
    );
    // The text report shows a window of the line, not 5 MB of it.
    let out = check(&dir, "edi-850-to-wms@2", "po.edi", &[]);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("(a long line, shown in part)"), "{shown}");
    assert!(shown.len() < 5_000, "{} bytes of report", shown.len());
}

#[test]
fn broken_interchanges_are_findings_with_a_place() {
    let dir = scratch("broken");
    let good = interchange(2, "\n");
    let cases: [(&str, String, &str, &str); 4] = [
        (
            "cut.edi",
            good[..good.len() - 30].to_string(),
            "invalid_x12",
            "the interchange is cut short",
        ),
        (
            "terminator.edi",
            good.replace("~\n", "\n")
                .replacen(&ISA.replace('~', "\n"), ISA, 1),
            "invalid_x12",
            "no segment terminator '~'",
        ),
        (
            "junk.edi",
            format!("{good}\u{0}\u{7f}\u{1b}[31m binary~"),
            "invalid_x12",
            "has no valid id",
        ),
        (
            "not-x12.edi",
            "{\"order\": 1}".to_string(),
            "invalid_x12",
            "does not start with an ISA segment",
        ),
    ];
    for (name, text, kind, words) in cases {
        std::fs::write(dir.join(name), text).unwrap();
        let out = check(&dir, "edi-850-to-wms@2", name, &["--format", "json"]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let doc = json(&out);
        let last = doc["results"].as_array().unwrap().last().unwrap().clone();
        let f = &last["findings"][0];
        assert_eq!(f["kind"], kind, "{name}: {f}");
        assert!(
            f["message"].as_str().unwrap().contains(words),
            "{name}: {f}"
        );
        assert!(f["position"]["line"].as_u64().unwrap() >= 1, "{name}");
    }
}

#[test]
fn the_parallel_runner_matches_the_sequential_one_for_x12_and_csv() {
    let dir = scratch("parallel");
    let mut text = interchange(3000, "\n");
    text = text.replacen("PO1*1*12*EA*3.5", "PO1*1*12*XX*3.5", 7);
    std::fs::write(dir.join("po.edi"), &text).unwrap();
    let mut csv =
        String::from("sku,location,upc,uom,on_hand,allocated,available,unit_cost,counted_at\n");
    for i in 0..5000 {
        let available = if i % 97 == 0 { 1 } else { 10 };
        let _ = writeln!(
            csv,
            "TEE-{:05},DC01-A12-03,012345678905,EA,12,2,{available},6.4125,2026-11-21T02:00:00Z",
            i + 10000
        );
    }
    std::fs::write(dir.join("inventory.csv"), &csv).unwrap();
    for (contract, file, invalid) in [
        ("edi-850-to-wms@2", "po.edi", 7),
        ("wms-inventory-to-erp", "inventory.csv", 52),
    ] {
        let one = check(&dir, contract, file, &["--format", "json", "--jobs", "1"]);
        let two = check(&dir, contract, file, &["--format", "json", "--jobs", "2"]);
        assert_eq!(one.stdout, two.stdout, "{file}");
        assert_eq!(json(&one)["summary"]["invalid"], invalid, "{file}");
    }
}

#[test]
fn csv_files_are_read_as_spreadsheets_write_them() {
    let dir = scratch("csv");
    // A byte-order mark, CRLF line ends, a quoted cell across two lines, an empty file's worth
    // of trailing blank lines.
    let text = "\u{FEFF}sku,location,upc,uom,on_hand,allocated,available,unit_cost,counted_at\r\nTEE-10442,DC01-A12-03,012345678905,EA,12,2,10,6.4125,2026-11-21T02:00:00Z\r\n\"TEE-10443\",DC01-A12-04,\"0123\n45678912\",EA,1,0,1,1,2026-11-21T02:00:00Z\r\n\r\n";
    std::fs::write(dir.join("a.csv"), text).unwrap();
    let out = check(&dir, "wms-inventory-to-erp", "a.csv", &["--format", "json"]);
    let doc = json(&out);
    assert_eq!(doc["summary"]["payloads"], 2);
    // Results list the payloads with findings: the second row.
    assert_eq!(doc["results"].as_array().unwrap().len(), 1);
    assert_eq!(doc["results"][0]["source"]["line"], 3);
    let f = &doc["results"][0]["findings"][0];
    assert_eq!(f["kind"], "pattern_mismatch");
    assert_eq!(
        f["value"], "\"0123\n45678912\"",
        "the cell as sent, quotes included"
    );
    assert_eq!(f["position"], serde_json::json!({"line": 3, "column": 25}));
    assert_eq!(
        f["csv"],
        serde_json::json!({"row": 2, "column": "upc", "column_index": 3})
    );

    // A Latin-1 cell is a finding on its row; the next row is still read.
    let mut bytes =
        b"sku,location,upc,uom,on_hand,allocated,available,unit_cost,counted_at\n".to_vec();
    bytes.extend_from_slice(b"TEE-10442,DC01-A12-03,012345678905,EA,12,2,10,6.4125,caf\xe9\n");
    bytes.extend_from_slice(
        b"TEE-10443,DC01-A12-03,012345678905,EA,12,2,10,6.4125,2026-11-21T02:00:00Z\n",
    );
    std::fs::write(dir.join("latin1.csv"), bytes).unwrap();
    let doc = json(&check(
        &dir,
        "wms-inventory-to-erp",
        "latin1.csv",
        &["--format", "json"],
    ));
    assert_eq!(doc["summary"]["payloads"], 2);
    assert_eq!(doc["summary"]["valid"], 1);
    let f = &doc["results"][0]["findings"][0];
    assert_eq!(f["kind"], "invalid_csv");
    assert_eq!(
        f["message"],
        "the cell in column `counted_at` is not UTF-8 (byte 0xE9); handoff reads UTF-8 CSV"
    );

    // A header with no rows holds no payload: the run says so instead of passing.
    std::fs::write(dir.join("empty.csv"), "sku,location\n").unwrap();
    let out = check(&dir, "wms-inventory-to-erp", "empty.csv", &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn leading_zeros_survive_and_numbers_are_exact() {
    let dir = scratch("typing");
    let text = "sku,location,upc,uom,on_hand,allocated,available,unit_cost,counted_at\nTEE-10442,DC01-A12-03,000000000017,EA,007,0,7,0.10000,2026-11-21T02:00:00Z\n";
    std::fs::write(dir.join("a.csv"), text).unwrap();
    let out = common::handoff(env!("CARGO_MANIFEST_DIR"))
        .args([
            "render",
            "--contracts",
            &format!("{ROOT}/contracts"),
            "--contract",
            "wms-inventory-to-erp",
            "--format",
            "ndjson",
            "a.csv",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let row: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(row["upc"], "000000000017");
    assert_eq!(row["on_hand"], 7);
    assert_eq!(row["unit_cost"].to_string(), "0.10000");
    // 5 decimal places are one too many; the finding quotes the cell as sent.
    std::fs::write(dir.join("a.csv"), text.replace("0.10000", "0.12345")).unwrap();
    let doc = json(&check(
        &dir,
        "wms-inventory-to-erp",
        "a.csv",
        &["--format", "json"],
    ));
    let f = &doc["results"][0]["findings"][0];
    assert_eq!(
        (f["kind"].as_str(), f["value"].as_str()),
        (Some("decimal_precision"), Some("0.12345"))
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_x12_reader_never_panics_and_stops_cleanly(
        tail in proptest::collection::vec(any::<u8>(), 0..600),
        cut in 0usize..400,
    ) {
        let good = interchange(2, "\n");
        let mut bytes = good.as_bytes()[..cut.min(good.len())].to_vec();
        bytes.extend(tail);
        let mut items = 0;
        handoff_core::x12::stream::read(&bytes[..], 1 << 20, |_| items += 1).unwrap();
        prop_assert!(items <= bytes.len() + 1);
    }

    #[test]
    fn the_csv_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let options = CsvOptions::default();
        handoff_core::flat::read(&bytes[..], &options, b',', u64::MAX, |item| {
            if let handoff_core::flat::Item::Row(row) = item {
                let _ = handoff_core::flat::object(&row);
            }
        });
    }
}

#[test]
fn a_check_in_handoff_yaml_can_say_how_its_csv_is_read() {
    let dir = scratch("csv-config");
    std::fs::write(
        dir.join("handoff.yaml"),
        format!(
            "contracts: {ROOT}/contracts\nchecks:\n  - contract: wms-inventory-to-erp\n    inputs: [export.csv]\n    csv: {{delimiter: ';', header: false, columns: [sku, location, upc, uom, on_hand, allocated, available, unit_cost, counted_at]}}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("export.csv"),
        "TEE-10442;DC01-A12-03;012345678905;EA;12;2;10;6.4125;2026-11-21T02:00:00Z\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        common::handoff(&dir)
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let out = run(&["check", "--allow-outside"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The contract alone reads commas and a header: the one row is the header, and no payload.
    let out = check(&dir, "wms-inventory-to-erp", "export.csv", &[]);
    assert_eq!(out.status.code(), Some(2));
    // A mistyped option is a located error in handoff.yaml.
    let yaml = std::fs::read_to_string(dir.join("handoff.yaml")).unwrap();
    std::fs::write(
        dir.join("handoff.yaml"),
        yaml.replace("empty", "x")
            .replace("header: false", "header: no, empty: 1"),
    )
    .unwrap();
    let out = run(&["check", "--allow-outside"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown key `empty`"), "{err}");
    assert!(err.contains("did you mean `empty_cells`?"), "{err}");
}

fn handoff(dir: &Path, args: &[&str]) -> Output {
    common::handoff(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn render_shows_the_tree_a_contract_is_written_against() {
    let root = Path::new(ROOT);
    let out = handoff(
        root,
        &[
            "render",
            "--contract",
            "edi-850-to-wms@^2",
            "fixtures/edi-850-x12/valid/po-4500012345.edi",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("render_850", String::from_utf8_lossy(&out.stdout));
    // Without a contract: no loops, every element text.
    let out = handoff(
        root,
        &[
            "render",
            "--format",
            "ndjson",
            "fixtures/edi-850-x12/valid/po-4500012345.edi",
        ],
    );
    let tree: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        tree["PO1"][1]["PO102"], "48",
        "PO1 met twice at the root: an array of text"
    );
    assert_eq!(tree["ISA"]["ISA16"], ">");
    // Envelope problems are named on stderr and fail the run; JSON is refused.
    let out = handoff(
        root,
        &["render", "fixtures/edi-850-x12/invalid/po-4500012399.edi"],
    );
    assert_eq!(out.status.code(), Some(0), "notes do not fail a render");
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "note: line 11: SE02 is \"0002\", but the set's ST02 is \"0001\" [control_number_mismatch]"
    ));
    let out = handoff(
        root,
        &[
            "render",
            "fixtures/storefront-order-to-erp/valid/paid-two-lines.json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_x12_section_is_checked_against_the_fields() {
    let dir = scratch("x12-lint");
    std::fs::write(
        dir.join("c.yaml"),
        "contract: c\nversion: 1.0.0\nboundary: {from: a, to: b, transport: edi}\nx12:\n  loops:\n    N1_loop: {segments: [N1, n3]}\n    PO1_loop: {segments: [PO1]}\n    IT1_loop: {segments: [IT1]}\nfields:\n  N1_loop: {type: object}\n  PO1_loop: {type: array, items: {type: object}}\n",
    )
    .unwrap();
    let out = handoff(&dir, &["lint", "c.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "error[invalid-value]: a string `n3` is not an X12 segment id",
        "error[type-conflict]: loop `N1_loop` renders as an array of occurrences, but `/N1_loop` is not declared `type: array`",
        "error[unknown-rule-field]: loop `IT1_loop` is not declared under `fields`",
    ] {
        assert!(text.contains(expected), "{expected}\n{text}");
    }
}

#[test]
fn which_reads_an_interchange_and_a_csv_file_as_check_does() {
    let root = Path::new(ROOT);
    let out = handoff(
        root,
        &["which", "fixtures/edi-850-x12/valid/po-4500012345.edi"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "accepted by (newest first):\n  edi-850-to-wms@2.0.0\n"
    );
    let out = handoff(
        root,
        &[
            "which",
            "--format",
            "json",
            "fixtures/wms-inventory-to-erp/invalid/snapshot-2026-11-22.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out);
    let inventory = doc["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["contract"] == "wms-inventory-to-erp@1.0.0")
        .unwrap();
    // Every row's findings: the 11 of the capture's .expect file.
    assert_eq!(
        inventory["findings"].as_array().unwrap().len(),
        11,
        "{inventory}"
    );
}

#[test]
fn sensitive_elements_and_cells_are_hidden_in_findings_and_quoted_lines() {
    let dir = scratch("redact");
    std::fs::write(
        dir.join("c.yaml"),
        "contract: c\nversion: 1.0.0\nboundary: {from: a, to: b, transport: edi}\nx12:\n  loops:\n    N1_loop: {segments: [N1]}\nfields:\n  N1_loop:\n    type: array\n    items:\n      type: object\n      fields:\n        N1:\n          type: object\n          fields:\n            N102: {type: string, max_length: 10, sensitive: true}\n            N104: {type: string, pattern: '^[0-9]+$'}\n",
    )
    .unwrap();
    let text = format!(
        "{ISA}\nGS*PO*S*R*20261120*1200*4512*X*004010~\nST*850*0001~\nN1*ST*JANE Q CUSTOMER*92*A1~\nSE*3*0001~\nGE*1*4512~\nIEA*1*000004512~\n"
    );
    std::fs::write(dir.join("a.edi"), text).unwrap();
    let out = common::handoff(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "--contract", "c.yaml", "a.edi"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(!shown.contains("JANE"), "{shown}");
    assert!(shown.contains("N1*ST*•••••••••••••••*92*A1~"), "{shown}");
    assert!(
        shown.contains("error[pattern_mismatch]: /N1_loop/0/N1/N104: \"A1\""),
        "{shown}"
    );
    assert!(
        shown.contains("the value (a string of 15 characters"),
        "{shown}"
    );

    std::fs::write(
        dir.join("i.yaml"),
        "contract: i\nversion: 1.0.0\nboundary: {from: a, to: b, transport: file}\nfields:\n  email: {type: string, format: email, sensitive: true}\n  qty: {type: integer}\n",
    )
    .unwrap();
    std::fs::write(dir.join("a.csv"), "email,qty\njane@example,x\n").unwrap();
    let out = common::handoff(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "--contract", "i.yaml", "a.csv"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(!shown.contains("jane"), "{shown}");
    assert!(shown.contains("••••••••••••,x"), "{shown}");
}

#[test]
fn column_names_and_cells_cannot_put_escape_sequences_in_the_text_report() {
    let dir = scratch("escape");
    std::fs::write(
        dir.join("c.yaml"),
        "contract: c\nversion: 1.0.0\nboundary: {from: a, to: b, transport: file}\nclosed: true\nfields:\n  qty: {type: integer}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("a.csv"),
        "qty,\u{1b}[31mred\nx\u{1b}[2J,\u{1b}]8;;http://x\u{7}y\n",
    )
    .unwrap();
    let out = common::handoff(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "--contract", "c.yaml", "a.csv"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("error[wrong_type]: /qty"), "{text}");
    // The odd column is unknown to the closed contract: its name is in a title and a note.
    assert!(text.contains("error[unknown_field]"), "{text}");
    assert!(text.contains("CSV row 1, column `"), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
}
