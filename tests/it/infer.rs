//! `handoff infer`: a draft from every shipped fixture set lints clean and accepts every payload
//! it was drawn from; any generated set of payloads is accepted by its draft; the same inputs
//! give the same draft byte for byte.

use crate::common::handoff;
use handoff_core::infer::{Options, Profile};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::path::Path;

const JSON_SETS: [&str; 5] = [
    "storefront-order-to-erp",
    "payment-status-to-storefront",
    "returns-portal-to-wms",
    "pos-return-to-erp",
    "edi-850-to-wms",
];

#[test]
fn a_draft_of_every_fixture_set_lints_clean_and_accepts_its_payloads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for set in JSON_SETS {
        let inputs = root.join("fixtures").join(set).join("valid");
        let out = dir.path().join(format!("{set}.yaml"));
        let run = handoff(dir.path())
            .args(["infer", "--allow-outside", "-o"])
            .arg(&out)
            .arg(&inputs)
            .output()
            .unwrap();
        assert_eq!(
            run.status.code(),
            Some(0),
            "{set}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(
            text.starts_with("# Drafted by `handoff infer` from "),
            "{text}"
        );
        assert!(text.contains(&format!("contract: {set}\n")), "{text}");
        assert!(
            text.contains("required: true  # present in "),
            "{set}: no evidence\n{text}"
        );
        let lint = handoff(dir.path()).arg("lint").arg(&out).output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&lint.stdout).lines().last(),
            Some("linted 1 contract file: 0 errors, 0 warnings"),
            "{set}: {}\n{text}",
            String::from_utf8_lossy(&lint.stdout)
        );
        let check = handoff(dir.path())
            .args(["check", "--allow-outside", "--no-progress", "--contract"])
            .arg(&out)
            .arg(&inputs)
            .output()
            .unwrap();
        assert_eq!(
            check.status.code(),
            Some(0),
            "{set}: {}\n{text}",
            String::from_utf8_lossy(&check.stdout)
        );
        // The same inputs, the same draft.
        let again = handoff(dir.path())
            .args(["infer", "--allow-outside"])
            .arg(&inputs)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&again.stdout), text, "{set}");
    }
}

#[test]
fn the_invalid_fixtures_are_caught_by_a_draft_of_the_valid_ones_where_the_evidence_reaches() {
    // A draft is drawn from few samples, so it cannot know every rule; but what it states, it
    // holds: the storefront's invalid kitchen sink (a non-UUID id, "usd", a date-time without
    // its offset, a lower-case SKU) fails it.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("orders.yaml");
    let run = handoff(dir.path())
        .args(["infer", "--allow-outside", "-o"])
        .arg(&draft)
        .arg(root.join("fixtures/storefront-order-to-erp/valid"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    let check = handoff(dir.path())
        .args([
            "check",
            "--allow-outside",
            "--no-progress",
            "--format",
            "json",
            "--contract",
        ])
        .arg(&draft)
        .arg(root.join("fixtures/storefront-order-to-erp/invalid/kitchen-sink.json"))
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&check.stdout).unwrap();
    let pointers: Vec<&str> = doc["results"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["pointer"].as_str().unwrap())
        .collect();
    for p in ["/order_id", "/currency", "/created_at", "/line_items/0/sku"] {
        assert!(pointers.contains(&p), "{p} not caught: {pointers:?}");
    }
}

#[test]
fn no_json_payload_is_an_error_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.ndjson"), "not json\n").unwrap();
    let out = handoff(dir.path())
        .args(["infer", "a.ndjson"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("a.ndjson:1 is not JSON"), "{stderr}");
    assert!(
        stderr.contains(
            "no JSON payload, CSV row or X12 transaction set could be read from a.ndjson (1 unreadable)"
        ),
        "{stderr}"
    );
}

/// Webhook events whose `data.object` depends on `type`, with an unreadable line among them.
fn webhook_events() -> String {
    let mut out = String::new();
    for i in 0..24 {
        let object = match i % 3 {
            0 => json!({"id": format!("ch_{i}"), "amount": 100 + i, "paid": true}),
            1 => {
                json!({"id": format!("ch_{i}"), "amount": 100 + i, "amount_refunded": i, "reason": "duplicate"})
            }
            _ => {
                json!({"id": format!("po_{i}"), "amount": 100 + i, "arrival_date": "2026-11-20", "method": "standard"})
            }
        };
        let kind = ["charge.succeeded", "charge.refunded", "payout.paid"][i % 3];
        out.push_str(
            &json!({"id": format!("evt_{i}"), "type": kind, "data": {"object": object}})
                .to_string(),
        );
        out.push('\n');
        if i == 5 {
            out.push_str("{not json\n");
        }
    }
    out
}

#[test]
fn events_whose_members_depend_on_their_type_are_drafted_as_a_union_read_twice() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("events.ndjson"), webhook_events()).unwrap();
    let out = handoff(dir.path())
        .args(["infer", "events.ndjson", "--closed", "-o", "events.yaml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // The second pass is quiet: the unreadable line is noted once, and counted once.
    assert_eq!(
        stderr,
        "handoff: note: events.ndjson:7 is not JSON (key must be a string at line 1 column 2): left out of the draft\n\
         handoff: note: a union by discriminator at / by type: reading the captures again to draft each case\n\
         handoff: inferred from 24 payloads in 1 file, 1 unreadable left out\n\
         handoff: wrote events.yaml\n"
    );
    let text = std::fs::read_to_string(dir.path().join("events.yaml")).unwrap();
    assert!(
        text.contains("one_of:\n  discriminator: type  # 3 values; 5 members in every object of one value and in none of another: /data/object/paid, /data/object/amount_refunded, /data/object/reason, /data/object/arrival_date, ...\n  cases:\n    charge.succeeded: charge_succeeded  # 8 objects\n"),
        "{text}"
    );
    assert!(
        text.contains("  charge_refunded:  # the objects at / whose type is \"charge.refunded\": 8\n    type: object\n    closed: true\n"),
        "{text}"
    );
    let lint = handoff(dir.path())
        .args(["lint", "events.yaml"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&lint.stdout).lines().last(),
        Some("linted 1 contract file: 0 errors, 0 warnings")
    );
    // Every readable event passes; a refund with a charge's member does not (closed case).
    let mut good = webhook_events();
    good = good.replace("{not json\n", "");
    std::fs::write(dir.path().join("events.ndjson"), &good).unwrap();
    let check = handoff(dir.path())
        .args([
            "check",
            "--no-progress",
            "--contract",
            "events.yaml",
            "events.ndjson",
        ])
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    std::fs::write(
        dir.path().join("odd.json"),
        r#"{"id":"evt_9","type":"charge.refunded","data":{"object":{"id":"ch_9","amount":109,"amount_refunded":9,"reason":"duplicate","paid":true}}}"#,
    )
    .unwrap();
    let odd = handoff(dir.path())
        .args([
            "check",
            "--no-progress",
            "--format",
            "json",
            "--contract",
            "events.yaml",
            "odd.json",
        ])
        .output()
        .unwrap();
    assert_eq!(odd.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&odd.stdout).unwrap();
    let finding = &report["results"][0]["findings"][0];
    assert_eq!(finding["kind"], "unknown_field", "{report}");
    assert_eq!(finding["pointer"], "/data/object/paid", "{report}");
    // The same inputs, the same draft; from standard input, one pass and a note saying why.
    let again = handoff(dir.path())
        .args(["infer", "events.ndjson", "--closed"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&again.stdout), text);
    let mut piped = handoff(dir.path())
        .args(["infer", "--input-format", "ndjson", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    piped
        .stdin
        .take()
        .unwrap()
        .write_all(good.as_bytes())
        .unwrap();
    let piped = piped.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(
        stderr.contains("handoff: note: a union by discriminator at / by type is drafted as one object: standard input cannot be read a second time to draft each case\n"),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&piped.stdout).contains("one_of"));
}

#[test]
fn a_draft_of_csv_rows_types_the_columns_as_the_receiver_reads_them_and_accepts_every_row() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let inputs = root.join("fixtures/wms-inventory-to-erp/valid");
    let out = dir.path().join("wms.yaml");
    let run = handoff(dir.path())
        .args(["infer", "--allow-outside", "--ranges", "-o"])
        .arg(&out)
        .arg(&inputs)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("handoff: inferred from 4 rows in 1 file"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.starts_with("# Drafted by `handoff infer` from 4 rows (1 CSV file)."),
        "{text}"
    );
    // Whole-number columns are integers, which the CSV reader reads exactly; the UPC has a
    // leading zero and is a code (a string with its pattern), the cost a decimal string, and
    // the empty UPC cell leaves that column optional.
    for expected in [
        "  on_hand:\n    type: integer\n    minimum: 0  # 0 to 120 over 4 cells, every one a whole number\n    maximum: 120\n    required: true  # present in 4 of 4\n",
        "  upc:\n    type: string\n    pattern: \"^[0-9]{12}$\"  # matched 3 of 3\n",
        "    # optional: present in 3 of 4\n",
        "  unit_cost:\n    type: string\n    decimal: {at_most: 4}  # decimal places: 1 to 4 over 4 values\n",
        "  counted_at:\n    type: string\n    format: date-time  # date-time: 4 of 4 values\n",
        // The balance the hand-written contract states, found in the rows.
        "rules:\n  - sum: [/on_hand, -/allocated]\n    equals: /available  # held in all 4 rows that had all three\n",
    ] {
        assert!(text.contains(expected), "no {expected:?} in\n{text}");
    }
    let lint = handoff(dir.path()).arg("lint").arg(&out).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&lint.stdout).lines().last(),
        Some("linted 1 contract file: 0 errors, 0 warnings"),
        "{}\n{text}",
        String::from_utf8_lossy(&lint.stdout)
    );
    let check = |path: &Path| {
        handoff(dir.path())
            .args(["check", "--allow-outside", "--no-progress", "--contract"])
            .arg(&out)
            .arg(path)
            .output()
            .unwrap()
    };
    let valid = check(&inputs);
    assert_eq!(
        valid.status.code(),
        Some(0),
        "{}\n{text}",
        String::from_utf8_lossy(&valid.stdout)
    );
    // What the draft states, it holds: the 11-digit UPC in the invalid snapshot misses its
    // pattern.
    let invalid =
        check(&root.join("fixtures/wms-inventory-to-erp/invalid/snapshot-2026-11-22.csv"));
    let report = String::from_utf8_lossy(&invalid.stdout);
    assert_eq!(invalid.status.code(), Some(1), "{report}");
    assert!(
        report
            .contains("error[pattern_mismatch]: /upc: \"12345678905\" does not match the pattern"),
        "{report}"
    );
}

#[test]
fn against_reads_csv_captures_as_check_does_and_proposes_the_new_unit_of_measure() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = handoff(root)
        .args([
            "infer",
            "--against",
            "wms-inventory-to-erp",
            "fixtures/wms-inventory-to-erp/invalid/",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stdout.contains("+    enum: {EA: each, CA: case, PK: pack, CS: \"seen in 1 payload of the captures, first at fixtures/wms-inventory-to-erp/invalid/snapshot-2026-11-22.csv:4 (handoff infer --against): say what it means\"}\n"),
        "{stdout}"
    );
    // Every row is checked as `check` reads it: typed cells, cross-column rules, unreadable rows.
    assert!(
        stderr.contains("handoff: 6 payloads in 1 file checked against wms-inventory-to-erp@1.0.0"),
        "{stderr}"
    );
    assert!(
        stderr.contains("handoff: /available: sum_mismatch in 2 payloads"),
        "{stderr}"
    );
    assert!(
        stderr.contains("handoff: the whole payload: invalid_csv in 1 payload"),
        "{stderr}"
    );
}

#[test]
fn csv_and_json_inputs_are_not_drafted_together() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.csv"), "id,n\nA-1,2\n").unwrap();
    std::fs::write(dir.path().join("b.json"), "{\"id\": \"A-1\"}").unwrap();
    let out = handoff(dir.path())
        .args(["infer", "a.csv", "b.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the inputs mix CSV files with JSON or NDJSON"),
        "{stderr}"
    );
    // A TSV on its own is read with tabs, and `true`/`FALSE` cells are booleans.
    std::fs::write(
        dir.path().join("flags.tsv"),
        "sku\tactive\nA-1\ttrue\nA-2\tFALSE\n",
    )
    .unwrap();
    let out = handoff(dir.path())
        .args(["infer", "flags.tsv"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("  active:\n    type: boolean\n    # CSV cells: true or false in 2 of 2\n    required: true  # present in 2 of 2\n"),
        "{text}"
    );
}

/// An interchange of `count` 850s: a second REF in every fourth, one to three PO1 loops, and
/// a second PID in some of them.
fn purchase_orders(count: usize) -> String {
    let mut out = String::from(
        "ISA*00*          *00*          *ZZ*WHOLESALEPTNR  *ZZ*RETAILERWMS    *261120*1200*U*00401*000004512*0*P*>~\nGS*PO*WHOLESALEPTNR*RETAILERWMS*20261120*1200*4512*X*004010~\n",
    );
    for n in 1..=count {
        let lines = 1 + n % 3;
        let mut segs = vec![
            format!("ST*850*{n:04}"),
            format!("BEG*00*SA*45000{n:05}**20261120"),
            "REF*DP*038".to_string(),
        ];
        if n % 4 == 0 {
            segs.push("REF*IA*77810".into());
        }
        segs.push("DTM*002*20261205".into());
        segs.push("N1*ST*RETAILER DC EAST*UL*0078742000008".into());
        segs.push("N4*SPRINGFIELD*IL*62704".into());
        for l in 1..=lines {
            segs.push(format!(
                "PO1*{l}*{}*EA*{l}.25**VP*TEE-{}-M",
                12 * l,
                10000 + l
            ));
            segs.push("PID*F****CREW TEE MEDIUM HEATHER".into());
            if (n + l) % 5 == 0 {
                segs.push("PID*F****SECOND LINE".into());
            }
        }
        segs.push(format!("CTT*{lines}"));
        segs.push(format!("SE*{}*{n:04}", segs.len() + 1));
        for s in segs {
            out.push_str(&s);
            out.push_str("~\n");
        }
    }
    out.push_str(&format!("GE*{count}*4512~\nIEA*1*000004512~\n"));
    out
}

#[test]
fn a_draft_of_x12_sets_uses_the_loops_given_and_lists_every_segment_that_repeats() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("captures")).unwrap();
    std::fs::write(dir.path().join("captures/po.edi"), purchase_orders(12)).unwrap();
    std::fs::copy(
        root.join("fixtures/edi-850-x12/valid/po-4500012345.edi"),
        dir.path().join("captures/po-4500012345.edi"),
    )
    .unwrap();
    let loops = [
        "--x12-loops",
        "N1,N2,N3,N4,PER",
        "--x12-loops",
        "PO1,PID,PO4",
    ];
    let run = handoff(dir.path())
        .args(["infer", "captures", "-o", "po.yaml"])
        .args(loops)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("handoff: inferred from 13 transaction sets in 2 files"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(dir.path().join("po.yaml")).unwrap();
    assert!(
        text.starts_with("# Drafted by `handoff infer` from 13 transaction sets (2 X12 files)."),
        "{text}"
    );
    // REF came twice in three sets and PID twice in some PO1 loops: both are listed, so every
    // set renders them as arrays (DTM and the N1 loop's segments, once each, stay objects).
    for expected in [
        "boundary: {from: sender, to: receiver, transport: edi}\nx12:\n  repeat: [REF]  # more than once in a transaction set, or listed so\n  loops:\n    N1_loop:\n      segments: [N1, N2, N3, N4, PER]\n    PO1_loop:\n      segments: [PO1, PID, PO4]\n      repeat: [PID]\nfields:\n",
        "  REF:\n    type: array\n",
        "  DTM:\n    type: object\n",
        // Element ids are the standard's names, not data: a segment is an object of fields.
        "      BEG03:\n        type: string\n        pattern: \"^[0-9]{10}$\"  # matched 13 of 13\n",
        // Elements are text, read by the declared type as check reads them.
        "      CTT01:\n        type: integer\n        # 1 to 3 over 13 elements, every one a whole number\n",
    ] {
        assert!(text.contains(expected), "no {expected:?} in\n{text}");
    }
    let lint = handoff(dir.path())
        .args(["lint", "po.yaml"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&lint.stdout).lines().last(),
        Some("linted 1 contract file: 0 errors, 0 warnings"),
        "{}\n{text}",
        String::from_utf8_lossy(&lint.stdout)
    );
    let check = handoff(dir.path())
        .args([
            "check",
            "--no-progress",
            "--contract",
            "po.yaml",
            "captures",
        ])
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}\n{text}",
        String::from_utf8_lossy(&check.stdout)
    );
    // The same captures, the same draft.
    let again = handoff(dir.path())
        .args(["infer", "captures"])
        .args(loops)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&again.stdout), text);
    // Standard input is read once: the repeats are drafted as they came, and it says so.
    let piped = handoff(dir.path())
        .args(["infer", "--input-format", "x12", "-"])
        .args(loops)
        .stdin(std::fs::File::open(dir.path().join("captures/po.edi")).unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert_eq!(piped.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("segments that repeat in some transaction sets (REF, PO1_loop/PID) are drafted as they came (an object, or an array): standard input cannot be read a second time"),
        "{stderr}"
    );
    // A loop spec that is not one is a usage error naming what is wrong.
    for (spec, why) in [
        (
            "po1,PID",
            "`po1` is not a segment id (2 or 3 capital letters and digits)",
        ),
        (
            "PO1_loop/SCH_loop=SCH,TD5",
            "no loop `PO1_loop` was given before this one",
        ),
    ] {
        let bad = handoff(dir.path())
            .args(["infer", "captures", "--x12-loops", spec])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&bad.stderr);
        assert_eq!(bad.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "handoff: error: --x12-loops {spec}: {why}; write a loop as its segments"
            )),
            "{stderr}"
        );
    }
    // Nested and named loops are laid out as given.
    let nested = handoff(dir.path())
        .args([
            "infer",
            "captures/po.edi",
            "--x12-loops",
            "PO1,PID,PO4",
            "--x12-loops",
            "PO1_loop/items=PID",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&nested.stdout);
    assert!(
        text.contains("    PO1_loop:\n      segments: [PO1, PID, PO4]\n      loops:\n        items:\n          segments: [PID]\n"),
        "{text}"
    );
    // X12 and JSON are not drafted together.
    std::fs::write(dir.path().join("captures/o.json"), "{}").unwrap();
    let mixed = handoff(dir.path())
        .args(["infer", "captures"])
        .output()
        .unwrap();
    assert_eq!(mixed.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&mixed.stderr).contains("the inputs mix "),
        "{}",
        String::from_utf8_lossy(&mixed.stderr)
    );
}

#[test]
fn init_drafts_x12_captures_in_the_loops_given_and_the_project_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("captures/purchase-orders")).unwrap();
    std::fs::write(
        dir.path().join("captures/purchase-orders/po.edi"),
        purchase_orders(8),
    )
    .unwrap();
    let out = handoff(dir.path())
        .args(["init", "captures", "--x12-loops", "PO1,PID,PO4"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let draft =
        std::fs::read_to_string(dir.path().join("contracts/purchase-orders/0.1.0.yaml")).unwrap();
    assert!(
        draft.contains("x12:\n  repeat: [REF]  # more than once in a transaction set, or listed so\n  loops:\n    PO1_loop:\n      segments: [PO1, PID, PO4]\n      repeat: [PID]\n"),
        "{draft}"
    );
    let check = handoff(dir.path())
        .args(["check", "--no-progress"])
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn against_reads_x12_captures_in_the_contract_s_loops_and_proposes_the_new_unit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let orders = purchase_orders(6).replacen("*EA*", "*BX*", 1);
    std::fs::write(dir.path().join("po.edi"), orders).unwrap();
    let out = handoff(root)
        .args(["infer", "--allow-outside", "--against", "edi-850-to-wms@^2"])
        .arg(dir.path().join("po.edi"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("handoff: 6 payloads in 1 file checked against edi-850-to-wms@2.0.0"),
        "{stderr}"
    );
    assert!(
        stdout.contains("+              enum: {EA: each, CA: case, PK: pack, BX: \"seen in 1 payload of the captures, first at "),
        "{stdout}"
    );
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        "[A-Z]{2,3}-[0-9]{3,5}".prop_map(Value::from),
        "[a-z]{1,6}".prop_map(Value::from),
        "-?[0-9]{1,4}\\.[0-9]{1,3}".prop_map(Value::from),
        "(paid|pending|void)".prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map("(a|b|c|d)", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    // What a draft states held in every sample, so every sample passes it.
    #[test]
    fn a_draft_accepts_every_payload_it_was_drawn_from(payloads in proptest::collection::vec(value(), 1..12)) {
        let profile = Profile::of(&payloads);
        let text = profile.draft(&Options { id: "drawn".into(), ..Options::default() });
        let (checker, diags) = handoff_core::lint::prepare_text(Path::new("drawn.yaml"), &text);
        let checker = checker.unwrap_or_else(|| panic!("{diags:?}\n{text}"));
        for p in &payloads {
            let findings = checker.check(p.to_string().as_bytes());
            prop_assert!(findings.is_empty(), "{p}\n{findings:?}\n{text}");
        }
        // With the observed ranges written as constraints too.
        let ranged = profile.draft(&Options { id: "drawn".into(), ranges: true, closed: true, ..Options::default() });
        let (checker, diags) = handoff_core::lint::prepare_text(Path::new("drawn.yaml"), &ranged);
        let checker = checker.unwrap_or_else(|| panic!("{diags:?}\n{ranged}"));
        for p in &payloads {
            let findings = checker.check(p.to_string().as_bytes());
            prop_assert!(findings.is_empty(), "{p}\n{findings:?}\n{ranged}");
        }
    }
}

/// An event whose members depend on its `kind`, with members of any shape: enough of them
/// make a union by discriminator.
fn event() -> impl Strategy<Value = Value> {
    (0usize..3, value(), value(), any::<bool>()).prop_map(|(k, x, y, extra)| {
        let mut m = serde_json::Map::new();
        m.insert("kind".into(), json!(["created", "paid", "void"][k]));
        match k {
            0 => {
                m.insert("a".into(), x);
                m.insert("b".into(), json!(1));
            }
            1 => {
                m.insert("c".into(), x);
                m.insert("d".into(), y.clone());
            }
            _ => {
                m.insert("e".into(), json!({"f": x, "g": "G-1"}));
            }
        }
        if extra {
            m.insert("note".into(), y);
        }
        Value::Object(m)
    })
}

/// Events, at the top or each below `data`: most sets of 8 or more make a union.
fn events(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<Value>> {
    (any::<bool>(), proptest::collection::vec(event(), n)).prop_map(|(nested, list)| {
        if nested {
            list.into_iter()
                .enumerate()
                .map(|(i, e)| json!({"id": i, "data": e}))
                .collect()
        } else {
            list
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    // A union drafted in two passes states what held in each case, so every event passes it,
    // closed or not.
    #[test]
    fn a_draft_of_events_accepts_every_event_it_was_drawn_from(payloads in events(8..40)) {
        let profile = Profile::of(&payloads);
        for options in [
            Options { id: "events".into(), ..Options::default() },
            Options { id: "events".into(), ranges: true, closed: true, ..Options::default() },
        ] {
            let text = profile.draft(&options);
            let (checker, diags) = handoff_core::lint::prepare_text(Path::new("events.yaml"), &text);
            let checker = checker.unwrap_or_else(|| panic!("{diags:?}\n{text}"));
            prop_assert!(diags.is_empty(), "{diags:?}\n{text}");
            for p in &payloads {
                let findings = checker.check(p.to_string().as_bytes());
                prop_assert!(findings.is_empty(), "{p}\n{findings:?}\n{text}");
            }
        }
    }
}

/// A CSV cell: quantities, signed and zero-padded numbers, codes, amounts, booleans, words,
/// text with commas and quotes, and empty cells.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?[0-9]{1,6}",
        "0[0-9]{1,4}",
        "[0-9]{5}",
        "-?[0-9]{1,4}\\.[0-9]{1,3}",
        "(true|false|TRUE|False)",
        "[A-Z]{2}-[0-9]{3}",
        "[ -~]{0,10}",
        Just(String::new()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    // Read as the CSV reader reads rows for the receiver (cells typed by the draft's types),
    // every row a draft was drawn from passes it.
    #[test]
    fn a_draft_of_csv_rows_accepts_every_row_it_was_drawn_from(
        rows in proptest::collection::vec(proptest::collection::vec(cell(), 3), 1..10),
        one_kind in cell(),
    ) {
        // One column of a single kind of cell, repeated, so typed columns are drawn too.
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|mut r| {
                r.push(one_kind.clone());
                r
            })
            .collect();
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(["a", "b", "c", "d"]).unwrap();
        let mut profile = Profile::new();
        for row in &rows {
            writer.write_record(row).unwrap();
            let object: serde_json::Map<String, Value> = ["a", "b", "c", "d"]
                .iter()
                .zip(row)
                .filter(|(_, cell)| !cell.is_empty())
                .map(|(name, cell)| (name.to_string(), Value::from(cell.as_str())))
                .collect();
            profile.add(&Value::Object(object));
        }
        let text = writer.into_inner().unwrap();
        for ranges in [false, true] {
            let draft = profile.draft(&Options { id: "rows".into(), ranges, cells: true, ..Options::default() });
            let (checker, diags) = handoff_core::lint::prepare_text(Path::new("rows.yaml"), &draft);
            let checker = checker.unwrap_or_else(|| panic!("{diags:?}\n{draft}"));
            let mut findings = Vec::new();
            let read = checker.check_reader(text.as_slice(), handoff_core::Shape::Csv, "rows.csv", |r| {
                findings.extend(r.findings);
            });
            prop_assert_eq!(read, rows.len() as u64);
            prop_assert!(
                findings.is_empty(),
                "{}\n{:?}\n{}",
                String::from_utf8_lossy(&text),
                findings.iter().map(|f| (&f.pointer, &f.message)).collect::<Vec<_>>(),
                draft
            );
        }
    }
}

#[test]
fn init_writes_a_project_from_captures_that_checks_clean_and_never_overwrites() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    crate::common::copy_dir(
        &root.join("fixtures/storefront-order-to-erp/valid"),
        &dir.path().join("captures/orders"),
    );
    crate::common::copy_dir(
        &root.join("fixtures/payment-status-to-storefront/valid"),
        &dir.path().join("captures/payments"),
    );
    let out = handoff(dir.path())
        .args(["init", "captures"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let yaml = std::fs::read_to_string(dir.path().join("handoff.yaml")).unwrap();
    assert!(yaml.ends_with(
        "contracts: contracts\nchecks:\n  - contract: orders\n    inputs: [\"captures/orders\"]\n  - contract: payments\n    inputs: [\"captures/payments\"]\n"
    ), "{yaml}");
    let draft = std::fs::read_to_string(dir.path().join("contracts/orders/0.1.0.yaml")).unwrap();
    assert!(draft.contains("contract: orders\n"), "{draft}");
    let check = handoff(dir.path())
        .args(["check", "--no-progress"])
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let lint = handoff(dir.path()).arg("lint").output().unwrap();
    assert_eq!(
        lint.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&lint.stdout)
    );

    let again = handoff(dir.path())
        .args(["init", "captures"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&again.stderr)
            .contains("handoff.yaml already exists here: init never overwrites a file")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("handoff.yaml")).unwrap(),
        yaml
    );
}

#[test]
fn against_an_existing_contract_proposes_the_new_status_code_as_a_diff_of_its_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    crate::common::copy_dir(&root.join("contracts"), &dir.path().join("contracts"));
    let valid = std::fs::read_to_string(
        root.join("fixtures/payment-status-to-storefront/valid/2026-11-20.ndjson"),
    )
    .unwrap();
    // A partner starts sending a status the contract does not list, 40 times.
    let first = valid.lines().next().unwrap();
    let mut captures = valid.clone();
    let with_new: serde_json::Value = {
        let mut v: Value = serde_json::from_str(first).unwrap();
        v["event_code"] = json!("CHARGEBACK_REVERSED");
        // And a member the closed contract does not declare.
        v["risk_score"] = json!(12);
        v
    };
    for _ in 0..40 {
        captures.push_str(&format!("{with_new}\n"));
    }
    std::fs::write(dir.path().join("captures.ndjson"), &captures).unwrap();
    let diff = handoff(dir.path())
        .args([
            "infer",
            "--against",
            "payment-status-to-storefront@^2",
            "captures.ndjson",
        ])
        .output()
        .unwrap();
    assert_eq!(diff.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&diff.stdout);
    let lines = valid.lines().count();
    assert!(stdout.starts_with("--- a/contracts/payment-status-to-storefront/2.0.0.yaml\n+++ b/contracts/payment-status-to-storefront/2.0.0.yaml\n"), "{stdout}");
    assert!(
        stdout.contains(&format!("+      CHARGEBACK_REVERSED: \"seen in 40 payloads of the captures, first at captures.ndjson:{} (handoff infer --against): say what it means\"\n", lines + 1)),
        "{stdout}"
    );
    assert!(
        String::from_utf8_lossy(&diff.stderr)
            .contains("/event_code: \"CHARGEBACK_REVERSED\" is not in the enum: 40 payloads")
    );
    assert!(
        stdout.contains(&format!("+  risk_score: {{type: integer, description: \"seen in 40 payloads of the captures, first at captures.ndjson:{} (handoff infer --against): say what it means\"}}\n", lines + 1)),
        "{stdout}"
    );
    assert!(
        String::from_utf8_lossy(&diff.stderr).contains(&format!(
            "handoff: /risk_score: a member the contract does not declare (integer): 40 payloads, first at captures.ndjson:{}",
            lines + 1
        )),
        "{}",
        String::from_utf8_lossy(&diff.stderr)
    );

    // Written out, the proposal lints clean and accepts every capture.
    let out = handoff(dir.path())
        .args([
            "infer",
            "--against",
            "payment-status-to-storefront@^2",
            "captures.ndjson",
            "-o",
            "proposed.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let check = handoff(dir.path())
        .args([
            "check",
            "--no-progress",
            "--contract",
            "proposed.yaml",
            "captures.ndjson",
        ])
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let lint = handoff(dir.path())
        .args(["lint", "proposed.yaml"])
        .output()
        .unwrap();
    assert_eq!(
        lint.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&lint.stdout)
    );
    // Captures that conform need nothing.
    std::fs::write(dir.path().join("ok.ndjson"), &valid).unwrap();
    let none = handoff(dir.path())
        .args([
            "infer",
            "--against",
            "payment-status-to-storefront@^2",
            "ok.ndjson",
        ])
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&none.stderr)
            .contains("the captures need no change to payment-status-to-storefront@2.0.0")
    );
}

#[test]
fn diff_against_the_hand_written_contract_shows_what_the_draft_missed_and_over_tightened() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("draft.yaml");
    let run = handoff(dir.path())
        .args(["infer", "--allow-outside", "-o"])
        .arg(&draft)
        .arg(root.join("fixtures/storefront-order-to-erp/valid"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    let diff = handoff(dir.path())
        .arg("diff")
        .arg(root.join("contracts/storefront-order-to-erp/2.0.0.yaml"))
        .arg(&draft)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&diff.stdout);
    // Missed: the rules and limits one valid order cannot show.
    assert!(
        text.contains("warning[check-removed] /: the rule \"`/total_price` is the sum of"),
        "{text}"
    );
    assert!(
        text.contains("warning[enum-removed] /financial_status:"),
        "{text}"
    );
    // Over-tightened: a field every sample had is required in the draft.
    assert!(
        text.contains("breaking[field-became-required] /customer/name: the field became required"),
        "{text}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    // Two ways to one draft: one profile of every payload, and profiles of consecutive chunks
    // merged in order (what `handoff infer` does on every core).
    #[test]
    fn profiles_of_chunks_merged_in_order_give_the_same_draft(
        payloads in prop_oneof![proptest::collection::vec(value(), 1..24), events(1..24)],
        cuts in proptest::collection::vec(0usize..24, 0..4),
    ) {
        let options = Options { id: "drawn".into(), ranges: true, ..Options::default() };
        let whole = Profile::of(&payloads);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(payloads.len())).collect();
        cuts.push(0);
        cuts.push(payloads.len());
        cuts.sort_unstable();
        // Both passes in chunks: the unions the first finds, then the cases the second drafts.
        let chunked = |template: &Profile| {
            let mut merged = template.fresh();
            for w in cuts.windows(2) {
                let mut part = template.fresh();
                for p in &payloads[w[0]..w[1]] {
                    part.add(p);
                }
                merged.merge(part);
            }
            merged
        };
        let first = chunked(&Profile::new());
        let mut alone = Profile::new();
        payloads.iter().for_each(|p| alone.add(p));
        prop_assert_eq!(first.unions(), alone.unions());
        let merged = match first.unions() {
            Some(unions) => chunked(&Profile::split(&unions)),
            None => first,
        };
        prop_assert_eq!(merged.draft(&options), whole.draft(&options));
    }
}
