//! The review gate without a browser: `handoff repair --propose` records proposals, `handoff
//! review` lists them, `approve` applies one (the capture then re-checks clean), `reject`
//! records why, and two decisions on one proposal cannot both win.

use crate::common;
use std::path::{Path, PathBuf};
use std::process::Output;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A project with the shipped contracts and three lines of a shipped capture: lines 1 and 2
/// have a lower-case SKU (the letter-case repair), line 3 a ZIP+4 (zip-plus-four).
pub(crate) fn project(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("handoff-review-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("captures")).unwrap();
    common::copy_dir(&Path::new(ROOT).join("contracts"), &dir.join("contracts"));
    std::fs::write(
        dir.join("handoff.yaml"),
        "contracts: contracts\nexceptions:\n  log: exceptions.csv\n  columns:\n    opened_at: opened_at\n    error_code: error_code\n    payload_ndjson: capture\n    payload_line: line\n  sources:\n    erp: storefront-order-to-erp@^2\n",
    )
    .unwrap();
    // The operations team's log: the three captured orders, each an exception.
    std::fs::write(
        dir.join("exceptions.csv"),
        "opened_at,error_code,capture,line,source\n2026-11-02T09:00:00Z,SKU_NOT_FOUND,captures/orders.ndjson,1,erp\n2026-11-02T09:05:00Z,SKU_NOT_FOUND,captures/orders.ndjson,2,erp\n2026-11-02T09:10:00Z,ADDRESS_INVALID,captures/orders.ndjson,3,erp\n",
    )
    .unwrap();
    let capture = std::fs::read_to_string(
        Path::new(ROOT).join("fixtures/exceptions/captures/erp-order-import-2026-W44.ndjson"),
    )
    .unwrap();
    let lines: Vec<&str> = capture.lines().collect();
    std::fs::write(
        dir.join("captures/orders.ndjson"),
        format!("{}\n{}\n{}\n", lines[0], lines[1], lines[224]),
    )
    .unwrap();
    dir
}

pub(crate) fn handoff(dir: &Path, args: &[&str]) -> Output {
    common::handoff(dir)
        .env("USER", "ops-lead")
        .args(args)
        .output()
        .unwrap()
}

pub(crate) fn listing(dir: &Path) -> serde_json::Value {
    let out = handoff(dir, &["review", "--all", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

pub(crate) fn propose(dir: &Path) -> Output {
    handoff(
        dir,
        &[
            "repair",
            "--propose",
            "-c",
            "storefront-order-to-erp",
            "captures/orders.ndjson",
        ],
    )
}

#[test]
fn proposals_are_listed_approved_into_the_capture_and_rejected_with_a_reason() {
    let dir = project("loop");
    let before = std::fs::read_to_string(dir.join("captures/orders.ndjson")).unwrap();
    let out = propose(&dir);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("handoff: proposals 1 to 3\n"), "{err}");
    assert!(
        err.contains("handoff: 3 new proposals in .handoff/history.db;"),
        "{err}"
    );
    // Nothing written by proposing.
    assert_eq!(
        std::fs::read_to_string(dir.join("captures/orders.ndjson")).unwrap(),
        before
    );
    // Proposing again adds nothing.
    let again = propose(&dir);
    assert!(
        String::from_utf8_lossy(&again.stderr)
            .contains("0 new proposals in .handoff/history.db, 3 proposed before"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    let doc = listing(&dir);
    assert_eq!(doc["pending"], 3);
    let first = &doc["proposals"][0];
    assert_eq!(first["source"], "captures/orders.ndjson");
    assert_eq!(first["line"], 1);
    assert_eq!(first["contract"], "storefront-order-to-erp@2.0.0");
    assert_eq!(first["rules"], serde_json::json!(["letter-case"]));
    assert_eq!(
        first["signature"],
        "storefront-order-to-erp: /line_items/*/sku pattern_mismatch"
    );
    assert_eq!(
        first["patch"],
        serde_json::json!([{"op": "replace", "path": "/line_items/0/sku", "value": "TEE-10001"}])
    );
    // The excerpt is redacted as check redacts: the customer's sensitive fields are hidden.
    let excerpt = first["excerpt"].as_str().unwrap();
    assert!(excerpt.contains(r#""email":"(sensitive)""#), "{excerpt}");
    assert!(!excerpt.contains("customer1@example.com"), "{excerpt}");
    assert_eq!(
        doc["proposals"][2]["rules"],
        serde_json::json!(["zip-plus-four"])
    );

    // The text listing says how to decide each.
    let text = String::from_utf8_lossy(&handoff(&dir, &["review"]).stdout).into_owned();
    assert!(
        text.contains(
            "PENDING proposal 1: captures/orders.ndjson:1 (storefront-order-to-erp@2.0.0)"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "  decide: handoff review approve 1   |   handoff review reject 1 --why TEXT\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("3 pending proposals; 0 approved, 0 rejected\n"),
        "{text}"
    );

    // Approve 1 in place (the default user), reject 2, approve 3 to an outbox.
    let approved = handoff(&dir, &["review", "approve", "1"]);
    let said = String::from_utf8_lossy(&approved.stdout);
    assert_eq!(
        approved.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&approved.stderr)
    );
    assert!(
        said.starts_with("APPROVED proposal 1 (captures/orders.ndjson:1) by ops-lead at "),
        "{said}"
    );
    assert!(
        said.contains("  repaired in place in captures/orders.ndjson:1\n"),
        "{said}"
    );
    let rejected = handoff(
        &dir,
        &[
            "review",
            "reject",
            "2",
            "--why",
            "tee-10005 is a <distinct> item",
            "--by",
            "bo",
        ],
    );
    assert_eq!(rejected.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&rejected.stdout)
            .contains("  why: tee-10005 is a <distinct> item\n")
    );
    let outboxed = handoff(
        &dir,
        &["review", "approve", "3", "--outbox", "outbox", "--by", "cy"],
    );
    assert_eq!(
        outboxed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&outboxed.stderr)
    );

    let after = std::fs::read_to_string(dir.join("captures/orders.ndjson")).unwrap();
    let (old, new): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    assert_eq!(
        new[0],
        old[0].replace("tee-10001", "TEE-10001"),
        "line 1 repaired in place"
    );
    assert_eq!(
        new[1], old[1],
        "a rejected repair leaves its line as it was"
    );
    assert_eq!(
        new[2], old[2],
        "an outboxed repair leaves the capture as it was"
    );
    let outbox = std::fs::read_to_string(dir.join("outbox/proposal-3.json")).unwrap();
    let repaired: serde_json::Value = serde_json::from_str(&outbox).unwrap();
    assert_eq!(repaired["shipping_address"]["zip"], "62702");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("outbox/proposal-3.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // The approved repairs re-check clean: line 1 in the capture, and the outboxed payload.
    std::fs::write(dir.join("line1.json"), new[0]).unwrap();
    for file in ["line1.json", "outbox/proposal-3.json"] {
        let check = handoff(&dir, &["check", "-c", "storefront-order-to-erp", file]);
        assert_eq!(
            check.status.code(),
            Some(0),
            "{file}: {}",
            String::from_utf8_lossy(&check.stdout)
        );
    }

    // Decisions survive: a new process reads them back, with who and why.
    let doc = listing(&dir);
    assert_eq!(
        (
            doc["pending"].as_u64(),
            doc["approved"].as_u64(),
            doc["rejected"].as_u64()
        ),
        (Some(0), Some(2), Some(1))
    );
    let p = &doc["proposals"];
    assert_eq!(p[0]["status"], "approved");
    assert_eq!(p[0]["decided_by"], "ops-lead");
    assert_eq!(p[1]["status"], "rejected");
    assert_eq!(p[1]["decided_by"], "bo");
    assert_eq!(p[1]["why"], "tee-10005 is a <distinct> item");
    assert_eq!(p[2]["decided_by"], "cy");
    assert!(
        p[2]["outcome"]
            .as_str()
            .unwrap()
            .starts_with("repaired payload written to outbox/proposal-3.json")
    );

    // The next triage report counts the decisions beside each pattern.
    let triage = handoff(&dir, &["triage", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&triage.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&triage.stderr)));
    common::assert_valid("docs/triage.schema.json", &report);
    // By the proposals' pattern: line 1, repaired in place, now conforms and is a pattern of
    // its own, yet its exception still counts for the pattern it was proposed in: one of the
    // pattern's two exceptions was resolved by the gate, not both.
    let feedback = |code: &str| -> serde_json::Value {
        let c = report["error_codes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["error_code"] == code)
            .unwrap();
        let p = c["patterns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["signature"] != "conforms to its contract")
            .unwrap();
        p["feedback"].clone()
    };
    assert_eq!(
        feedback("SKU_NOT_FOUND"),
        serde_json::json!({"proposals": 2, "approved": 1, "rejected": 1, "false_positive_rate": 0.5, "auto_resolution_rate": 0.5, "window_days": 30})
    );
    assert_eq!(
        feedback("ADDRESS_INVALID"),
        serde_json::json!({"proposals": 1, "approved": 1, "rejected": 0, "false_positive_rate": 0.0, "auto_resolution_rate": 1.0, "window_days": 30})
    );
    // And per repair rule, over every pattern.
    assert_eq!(
        report["review_gate"],
        serde_json::json!([
            {"rule": "letter-case", "proposals": 2, "approved": 1, "rejected": 1, "false_positive_rate": 0.5, "auto_resolution_rate": 0.5, "window_days": 30},
            {"rule": "zip-plus-four", "proposals": 1, "approved": 1, "rejected": 0, "false_positive_rate": 0.0, "auto_resolution_rate": 1.0, "window_days": 30},
        ])
    );
    let text = String::from_utf8_lossy(&handoff(&dir, &["triage"]).stdout).into_owned();
    assert!(
        text.contains("\nreview gate by repair rule (last 30 days; docs/review.md):\n  letter-case: 2 proposed, 1 approved, 1 rejected, false-positive rate 50%, auto-resolution rate 50% of 2 exceptions\n  zip-plus-four: 1 proposed, 1 approved, 0 rejected, false-positive rate 0%, auto-resolution rate 100% of 1 exception\n"),
        "{text}"
    );
    assert!(
        text.contains("review gate (30 days): 2 repairs proposed, 1 approved, 1 rejected; false-positive rate 50%, auto-resolution rate 50% of 2 exceptions\n"),
        "{text}"
    );
    let md = String::from_utf8_lossy(&handoff(&dir, &["triage", "--format", "markdown"]).stdout)
        .into_owned();
    assert!(md.contains("Review gate:\n\n- `storefront-order-to-erp: /line_items/*/sku pattern_mismatch`: review gate (30 days): 2 repairs proposed"), "{md}");
    assert!(
        md.contains("| `letter-case` | 2 | 1 | 1 | 50% | 50% of 2 |\n| `zip-plus-four` | 1 | 1 | 0 | 0% | 100% of 1 |\n"),
        "{md}"
    );
    let html = String::from_utf8_lossy(&handoff(&dir, &["triage", "--format", "html"]).stdout)
        .into_owned();
    assert!(html.contains("<br><span class=\"meta\">review gate (30 days): 1 repair proposed, 1 approved, 0 rejected; false-positive rate 0%, auto-resolution rate 100% of 1 exception</span>"), "{html}");
    assert!(
        html.contains("<tr><td><code>letter-case</code></td><td class=\"n\">2</td><td class=\"n\">1</td><td class=\"n\">1</td><td class=\"n\">50%</td><td class=\"n\">50% of 2</td></tr>"),
        "the per-rule table: {html}"
    );

    // A second decision on a decided proposal is told who decided first (exit 1), and nothing
    // changes.
    let late = handoff(&dir, &["review", "reject", "1", "--why", "too late"]);
    assert_eq!(late.status.code(), Some(1));
    let told = String::from_utf8_lossy(&late.stderr);
    assert!(
        told.contains("handoff: proposal 1 was already approved by ops-lead at "),
        "{told}"
    );
    assert!(told.trim_end().ends_with("that decision stands"), "{told}");
    assert_eq!(listing(&dir)["proposals"][0]["status"], "approved");
    let missing = handoff(&dir, &["review", "approve", "99"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("there is no proposal 99"));
}

#[test]
fn a_capture_that_changed_since_it_was_proposed_is_not_written_and_stays_pending() {
    let dir = project("stale");
    assert_eq!(propose(&dir).status.code(), Some(0));
    // Someone fixed line 1 by hand meanwhile.
    let capture = dir.join("captures/orders.ndjson");
    let text = std::fs::read_to_string(&capture).unwrap();
    let edited = text.replacen("tee-10001", "TEE-10001", 1);
    std::fs::write(&capture, &edited).unwrap();
    let out = handoff(&dir, &["review", "approve", "1"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("proposal 1 cannot be approved: captures/orders.ndjson:1 no longer holds the payload that was proposed (it changed since); nothing was written and it is still pending"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&capture).unwrap(), edited);
    assert_eq!(listing(&dir)["proposals"][0]["status"], "pending");
}

#[test]
fn concurrent_decisions_on_one_proposal_one_wins_and_the_other_is_told() {
    let dir = project("race");
    assert_eq!(propose(&dir).status.code(), Some(0));
    // Eight reviewers press a button on proposal 2 at once: half approve, half reject.
    let children: Vec<_> = (0..8u32)
        .map(|i| {
            let mut cmd = common::handoff(&dir);
            if i.is_multiple_of(2) {
                cmd.args(["review", "approve", "2", "--by", &format!("r{i}")]);
            } else {
                cmd.args([
                    "review",
                    "reject",
                    "2",
                    "--why",
                    "no",
                    "--by",
                    &format!("r{i}"),
                ]);
            }
            cmd.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let codes: Vec<i32> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap().status.code().unwrap())
        .collect();
    assert_eq!(codes.iter().filter(|c| **c == 0).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 1).count(), 7, "{codes:?}");
    let p = &listing(&dir)["proposals"][1];
    let winner = p["decided_by"].as_str().unwrap();
    let number: usize = winner[1..].parse().unwrap();
    assert_eq!(
        p["status"],
        if number.is_multiple_of(2) {
            "approved"
        } else {
            "rejected"
        }
    );
    // An approval changed line 2 exactly once; a rejection left it.
    let line2 = std::fs::read_to_string(dir.join("captures/orders.ndjson"))
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    assert_eq!(line2.contains("TEE-10005"), p["status"] == "approved");
}

#[test]
fn every_repair_rule_is_in_the_docs_with_its_description() {
    let doc = std::fs::read_to_string(Path::new(ROOT).join("docs/review.md")).unwrap();
    for (id, what) in handoff_core::repair::RULES {
        assert!(
            doc.contains(&format!("| `{id}` | {what} |")),
            "docs/review.md lacks the rule {id}"
        );
    }
}

#[test]
fn a_reason_with_control_characters_is_shown_escaped_everywhere_it_is_printed() {
    let dir = project("escape");
    assert_eq!(propose(&dir).status.code(), Some(0));
    let why = "\u{1b}[2Jwiped\nAPPROVED proposal 9";
    let out = handoff(
        &dir,
        &["review", "reject", "1", "--why", why, "--by", "x\u{7}y"],
    );
    assert_eq!(out.status.code(), Some(0));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("by x\\u{7}y at ")
            && said.contains("  why: \\u{1b}[2Jwiped\\nAPPROVED proposal 9\n"),
        "{said}"
    );
    assert!(
        !said.contains('\u{1b}') && !said.contains('\u{7}'),
        "{said}"
    );
    let listed = String::from_utf8_lossy(&handoff(&dir, &["review", "--all"]).stdout).into_owned();
    assert!(
        listed.contains("  decided by x\\u{7}y at ")
            && listed.contains(": \\u{1b}[2Jwiped\\nAPPROVED proposal 9\n"),
        "{listed}"
    );
    assert!(!listed.contains('\u{1b}'), "{listed}");
    // A second decision's message quotes the first one's reason escaped too.
    let late = handoff(&dir, &["review", "approve", "1"]);
    let told = String::from_utf8_lossy(&late.stderr);
    assert!(
        told.contains("(\\u{1b}[2Jwiped\\nAPPROVED proposal 9)"),
        "{told}"
    );
}
