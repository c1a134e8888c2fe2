//! `handoff diff`: one fixture pair per breaking-change rule under `fixtures/diff/<rule-id>/`,
//! each producing exactly its rule, with the full findings snapshotted; the rule ID list is
//! snapshotted so a rename shows in review.

use crate::common;
use handoff_core::check::Checker;
use handoff_core::diff::{self, RuleId};
use handoff_core::lint;
use std::path::Path;
use std::process::Command;

fn changes(rule: &str) -> Vec<diff::Change> {
    let dir = Path::new("fixtures/diff").join(rule);
    let load = |name: &str| {
        let (checker, diags) = lint::prepare(&dir.join(name));
        checker.unwrap_or_else(|| panic!("{}/{name}: {diags:?}", dir.display()))
    };
    diff::diff(
        load("before.yaml").contract(),
        load("after.yaml").contract(),
    )
}

#[test]
fn every_rule_has_a_fixture_pair_and_every_pair_is_a_rule() {
    for rule in RuleId::ALL {
        let dir = Path::new("fixtures/diff").join(rule.id());
        assert!(
            dir.join("before.yaml").is_file() && dir.join("after.yaml").is_file(),
            "no fixture pair for {rule}"
        );
    }
    for entry in std::fs::read_dir("fixtures/diff").unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            RuleId::from_id(&name).is_some(),
            "fixtures/diff/{name} is not a rule"
        );
    }
}

#[test]
fn each_pair_reports_exactly_its_rule() {
    for rule in RuleId::ALL {
        let found = changes(rule.id());
        let mut rules: Vec<RuleId> = found.iter().map(|c| c.rule).collect();
        rules.dedup();
        let expected = match rule {
            // It exists because of a breaking change, which is reported too.
            RuleId::VersionBumpTooSmall => {
                vec![RuleId::VersionBumpTooSmall, RuleId::EnumValueRemoved]
            }
            other => vec![*other],
        };
        assert_eq!(rules, expected, "{rule}: {found:#?}");
        insta::with_settings!({ snapshot_suffix => rule.id(), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("diff", serde_json::to_string_pretty(&found).unwrap());
        });
    }
}

#[test]
fn the_rule_ids_are_stable() {
    let list: String = RuleId::ALL
        .iter()
        .map(|r| {
            format!(
                "{} {} breaks={}\n",
                r.id(),
                r.severity().name(),
                r.breaks().name()
            )
        })
        .collect();
    insta::assert_snapshot!("rule_ids", list);
}

#[test]
fn the_published_catalogue_is_current() {
    let generated = diff::catalogue::markdown();
    let path = Path::new("docs/breaking-changes.md");
    if std::env::var_os("HANDOFF_UPDATE_DOCS").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(path).unwrap_or_default(),
        generated,
        "rerun with HANDOFF_UPDATE_DOCS=1"
    );
}

#[test]
fn a_new_status_code_is_never_harmless() {
    let found = changes("enum-value-added");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, diff::Severity::Breaking);
    assert_eq!(found[0].breaks, diff::Breaks::Receiver);
    assert_eq!(
        found[0].message,
        "enum value \"authorized\" was added; receivers must map it before senders use it"
    );
}

#[test]
fn cli_exit_codes_follow_fail_on() {
    let run = |args: &[&str]| {
        common::handoff(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
            .unwrap()
    };
    let pair = |rule: &str| {
        [
            format!("fixtures/diff/{rule}/before.yaml"),
            format!("fixtures/diff/{rule}/after.yaml"),
        ]
    };
    let [b, a] = pair("length-loosened");
    assert_eq!(
        run(&["diff", &b, &a]),
        0,
        "a warning does not fail by default"
    );
    assert_eq!(run(&["diff", "--fail-on", "warning", &b, &a]), 1);
    let [b, a] = pair("field-deprecated");
    assert_eq!(run(&["diff", "--fail-on", "warning", &b, &a]), 0);
    assert_eq!(run(&["diff", "--fail-on", "info", &b, &a]), 1);
    let [b, a] = pair("enum-value-added");
    assert_eq!(run(&["diff", &b, &a]), 1);
    assert_eq!(run(&["diff", &b, "nope.yaml"]), 2);
    assert_eq!(
        run(&[
            "diff",
            "storefront-order-to-erp@2.0.0",
            "storefront-order-to-erp"
        ]),
        0,
        "a version against itself"
    );
}

#[test]
fn text_output() {
    let out = common::handoff(env!("CARGO_MANIFEST_DIR"))
        .args([
            "diff",
            "fixtures/diff/version-bump-too-small/before.yaml",
            "fixtures/diff/version-bump-too-small/after.yaml",
        ])
        .output()
        .unwrap();
    insta::assert_snapshot!("diff_text", String::from_utf8(out.stdout).unwrap());
}

fn handoff(args: &[&str]) -> (i32, String) {
    let out = common::handoff(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn accepts_answers_by_version_with_the_reason() {
    let (code, text) = handoff(&[
        "accepts",
        "payment-status-to-storefront",
        "/event_code",
        "REFUND_FAILED",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        text,
        "\"REFUND_FAILED\" at /event_code of payment-status-to-storefront:\n  3.0.0      accepted\n  2.0.0      rejected [unknown_enum_value]: \"REFUND_FAILED\" is not an allowed value; expected one of \"AUTHORISATION\", \"CAPTURE\", \"CANCELLATION\", \"REFUND\", \"CHARGEBACK\" (contracts/payment-status-to-storefront/2.0.0.yaml:33:5)\naccepted by the newest version (3.0.0)\n"
    );
    let (code, text) = handoff(&[
        "accepts",
        "payment-status-to-storefront@^2",
        "/event_code",
        "capture",
    ]);
    assert_eq!(code, 1);
    assert!(
        text.contains("help: did you mean \"CAPTURE\"? values are case-sensitive"),
        "{text}"
    );
    assert!(text.ends_with("accepted by no version\n"), "{text}");
    // JSON values are read as JSON; anything else is a string.
    assert_eq!(
        handoff(&[
            "accepts",
            "returns-portal-to-wms",
            "/items/*/reason_code",
            "01"
        ])
        .0,
        0
    );
    assert_eq!(
        handoff(&["accepts", "returns-portal-to-wms", "/items/*/quantity", "2"]).0,
        0
    );
    assert_eq!(
        handoff(&[
            "accepts",
            "returns-portal-to-wms",
            "/items/*/quantity",
            "\"2\""
        ])
        .0,
        1
    );
    let (code, text) = handoff(&["accepts", "returns-portal-to-wms", "/items/*/colour", "red"]);
    assert_eq!(
        (code, text.contains("no such field in this version")),
        (1, true),
        "{text}"
    );
    assert_eq!(handoff(&["accepts", "no-such-contract", "/a", "1"]).0, 2);
}

#[test]
fn which_lists_the_versions_that_accept_a_payload() {
    let (code, text) = handoff(&[
        "which",
        "fixtures/storefront-order-to-erp/valid/paid-two-lines.json",
    ]);
    assert_eq!(
        (code, text.as_str()),
        (
            0,
            "accepted by (newest first):\n  storefront-order-to-erp@2.0.0\n  storefront-order-to-erp@1.2.0\n"
        )
    );
    let (code, text) = handoff(&[
        "which",
        "fixtures/storefront-order-to-erp/invalid/zip-plus-4.json",
    ]);
    assert_eq!(code, 1);
    assert!(text.starts_with("accepted by no contract version\n\nrejected by storefront-order-to-erp@2.0.0 (2 findings):\n"), "{text}");
}

#[test]
fn compatibility_modes_follow_who_a_change_breaks() {
    let pair = |rule: &str| {
        [
            format!("fixtures/diff/{rule}/before.yaml"),
            format!("fixtures/diff/{rule}/after.yaml"),
        ]
    };
    let mode = |rule: &str, m: &str| {
        let [b, a] = pair(rule);
        handoff(&["diff", "--mode", m, &b, &a]).0
    };
    // A new status code: old senders fine (backward holds), old receivers not (forward fails).
    assert_eq!(mode("enum-value-added", "backward"), 0);
    assert_eq!(mode("enum-value-added", "forward"), 1);
    assert_eq!(mode("enum-value-added", "full"), 1);
    // A removed value: the reverse.
    assert_eq!(mode("enum-value-removed", "backward"), 1);
    assert_eq!(mode("enum-value-removed", "forward"), 0);
    assert_eq!(mode("field-deprecated", "full"), 0);
    let (code, text) = handoff(&[
        "diff",
        "--mode",
        "forward-transitive",
        "payment-status-to-storefront@2.0.0",
        "payment-status-to-storefront",
    ]);
    assert_eq!(code, 1);
    assert!(text.contains("not compatible (forward-transitive) with payment-status-to-storefront@2.0.0: enum-value-added\n"), "{text}");
}

#[test]
fn against_a_git_revision() {
    let dir = std::env::temp_dir().join(format!("handoff-diff-git-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("contracts/orders")).unwrap();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    let before = std::fs::read_to_string("fixtures/diff/enum-value-removed/before.yaml")
        .unwrap()
        .replace("diff-case", "orders");
    let after = std::fs::read_to_string("fixtures/diff/enum-value-removed/after.yaml")
        .unwrap()
        .replace("diff-case", "orders");
    std::fs::write(dir.join("contracts/orders/1.0.0.yaml"), &before).unwrap();
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "orders 1.0.0"]);
    let run = |args: &[&str]| {
        let out = common::handoff(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap(),
        )
    };
    assert_eq!(
        run(&["diff", "--against", "HEAD"]),
        (0, "no contract changed\nexit code 0\n".to_string())
    );
    std::fs::write(dir.join("contracts/orders/2.0.0.yaml"), &after).unwrap();
    let (code, text) = run(&["diff", "--against", "HEAD"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.starts_with("orders@1.0.0 -> orders@2.0.0\n\nbreaking[enum-value-removed] /status"),
        "{text}"
    );
    assert!(
        text.contains("  old: HEAD:contracts/orders/1.0.0.yaml:12\n"),
        "{text}"
    );
    let (code, text) = run(&["diff", "--against", "no-such-rev"]);
    assert_eq!(code, 2, "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn changelog_markdown_and_list() {
    let (code, text) = handoff(&["changelog", "payment-status-to-storefront"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("changelog", text);
    let (code, text) = handoff(&[
        "diff",
        "--format",
        "markdown",
        "payment-status-to-storefront@2.0.0",
        "payment-status-to-storefront",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("diff_markdown", text);
    let (code, text) = handoff(&["list"]);
    assert_eq!(code, 0);
    assert!(text.contains("payment-status-to-storefront\n  boundary: payment-processor -> storefront over webhook\n  versions: 2.0.0, 3.0.0\n"), "{text}");
    assert!(text.ends_with("7 contracts in contracts\n"), "{text}");
}

#[test]
fn accepts_and_which_speak_json() {
    let (code, text) = handoff(&[
        "accepts",
        "--format",
        "json",
        "payment-status-to-storefront",
        "/event_code",
        "REFUND_FAILED",
    ]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["newest_accepts"], true);
    assert_eq!(doc["value"], "REFUND_FAILED");
    assert_eq!(
        doc["versions"][0]["contract"],
        "payment-status-to-storefront@3.0.0"
    );
    assert_eq!(doc["versions"][1]["accepted"], false);
    assert_eq!(
        doc["versions"][1]["findings"][0]["kind"],
        "unknown_enum_value"
    );
    let (code, text) = handoff(&[
        "which",
        "--format",
        "json",
        "fixtures/storefront-order-to-erp/valid/paid-two-lines.json",
    ]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        doc["accepted_by"],
        serde_json::json!([
            "storefront-order-to-erp@2.0.0",
            "storefront-order-to-erp@1.2.0"
        ])
    );
    assert_eq!(doc["versions"].as_array().unwrap().len(), 10);
}

fn parsed(text: &str) -> handoff_core::contract::Contract {
    let loaded = handoff_core::contract::parse(Path::new("inline.yaml"), text);
    loaded
        .contract
        .unwrap_or_else(|| panic!("{:?}", loaded.diagnostics))
}

#[test]
fn items_given_a_shape_and_untyped_objects_closed_are_tightenings() {
    let head = |v: &str| {
        format!(
            "contract: c\nversion: {v}\nboundary: {{from: a, to: b, transport: api}}\nfields:\n"
        )
    };
    let rules = |old: &str, new: &str| -> Vec<String> {
        diff::diff(
            &parsed(&format!("{}{old}", head("1.0.0"))),
            &parsed(&format!("{}{new}", head("2.0.0"))),
        )
        .iter()
        .map(|c| format!("{} {} {}", c.rule, c.pointer, c.message))
        .collect()
    };
    assert_eq!(
        rules(
            "  tags: {type: array}\n",
            "  tags: {type: array, items: {type: string}}\n"
        ),
        [
            "items-tightened /tags the array's items, which could be anything, now have a declared shape"
        ]
    );
    assert_eq!(
        rules(
            "  tags: {type: array, items: {type: string}}\n",
            "  tags: {type: array}\n"
        ),
        [
            "items-loosened /tags the array's items no longer have a declared shape: they may be anything"
        ]
    );
    assert_eq!(
        rules(
            "  meta:\n    fields: {a: {type: string}}\n",
            "  meta:\n    closed: true\n    fields: {a: {type: string}}\n"
        ),
        ["object-closed /meta the object now rejects undeclared members"]
    );
}

#[test]
fn strict_open_content_makes_a_typed_member_of_an_open_object_breaking() {
    let contract = |v: &str, extra: &str, closed: bool| {
        parsed(&format!(
            "contract: c\nversion: {v}\nboundary: {{from: a, to: b, transport: api}}\nclosed: {closed}\nfields:\n  a: {{type: string}}\n{extra}"
        ))
    };
    let old = contract("1.0.0", "", false);
    let new = contract(
        "1.1.0",
        "  channel: {type: string, enum: [web, pos]}\n",
        false,
    );
    // What a sender of the old version may send, and the new one rejects.
    let payload = serde_json::json!({"a": "x", "channel": "phone"});
    let check =
        |c: &handoff_core::contract::Contract| Checker::new(c.clone()).unwrap().accepts(&payload);
    assert!(check(&old) && !check(&new));
    let lenient = diff::diff(&old, &new);
    assert_eq!(
        lenient
            .iter()
            .map(|c| (c.rule, c.breaks))
            .collect::<Vec<_>>(),
        [(RuleId::FieldAddedOptional, diff::Breaks::Receiver)]
    );
    let strict = diff::diff_with(&old, &new, diff::OpenContent::Strict);
    let rules: Vec<_> = strict
        .iter()
        .map(|c| (c.rule, c.severity, c.breaks))
        .collect();
    assert_eq!(
        rules,
        [
            (
                RuleId::VersionBumpTooSmall,
                diff::Severity::Breaking,
                diff::Breaks::Both
            ),
            (
                RuleId::FieldAddedOptional,
                diff::Severity::Breaking,
                diff::Breaks::Sender
            )
        ]
    );
    // A closed object could not have received the member: compatible either way.
    let (old, new) = (
        contract("1.0.0", "", true),
        contract("1.1.0", "  channel: {type: string}\n", true),
    );
    assert_eq!(
        diff::diff_with(&old, &new, diff::OpenContent::Strict)[0].breaks,
        diff::Breaks::Receiver
    );
}

#[test]
fn type_lists_are_compared_by_what_they_accept() {
    let c = |v: &str, ty: &str| {
        parsed(&format!(
            "contract: c\nversion: {v}\nboundary: {{from: a, to: b, transport: api}}\nfields:\n  code: {{type: {ty}}}\n"
        ))
    };
    let rule = |old: &str, new: &str| {
        diff::diff(&c("1.0.0", old), &c("2.0.0", new))
            .iter()
            .map(|x| format!("{} {}", x.rule, x.message))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        rule("[string, integer]", "string"),
        ["type-narrowed the field took a string or an integer, and now takes a string"]
    );
    assert_eq!(
        rule("string", "[string, integer]"),
        ["type-widened the field took a string, and now takes a string or an integer"]
    );
    assert_eq!(
        rule("[integer, string]", "[string, integer]"),
        Vec::<String>::new()
    );
    assert_eq!(
        rule("[number, string]", "[integer, string]"),
        ["type-narrowed the field took a number or a string, and now takes an integer or a string"]
    );
    assert_eq!(
        rule("[boolean, string]", "[integer, string]"),
        ["type-changed the field took a boolean or a string, and now takes an integer or a string"]
    );
}

#[test]
fn a_change_inside_a_type_is_reported_once_with_every_place_it_is_used() {
    let c = |v: &str, zip: &str| {
        parsed(&format!(
            "contract: c\nversion: {v}\nboundary: {{from: a, to: b, transport: api}}\ntypes:\n  address:\n    type: object\n    fields:\n      zip: {{type: string, max_length: {zip}}}\nfields:\n  ship_to: {{type: address}}\n  bill_to: {{type: address}}\n"
        ))
    };
    let found: Vec<String> = diff::diff(&c("1.0.0", "10"), &c("2.0.0", "5"))
        .iter()
        .map(|x| format!("{} {} {}", x.rule, x.pointer, x.message))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].ends_with("(in type `address`, used at /ship_to, /bill_to)"),
        "{found:?}"
    );
    assert!(
        found[0].starts_with("length-tightened /ship_to/zip"),
        "{found:?}"
    );
}

#[test]
fn a_code_formats_case_is_part_of_its_format() {
    let contract = |version: &str, currency: &str| {
        let text = format!(
            "contract: psp\nversion: {version}\nboundary: {{from: psp, to: shop, transport: webhook}}\nfields:\n  currency: {{type: string, format: currency{currency}}}\n"
        );
        let loaded = handoff_core::contract::parse(Path::new("psp.yaml"), &text);
        loaded.contract.unwrap()
    };
    let messages = |a: &str, b: &str| -> Vec<(String, String)> {
        diff::diff(&contract("1.0.0", a), &contract("2.0.0", b))
            .iter()
            .map(|c| (c.rule.id().to_string(), c.message.clone()))
            .collect()
    };
    assert_eq!(
        messages(", case: lower", ", case: any"),
        [(
            "format-changed".to_string(),
            "the format changed from `currency (case: lower)` to `currency (case: any)`"
                .to_string()
        )]
    );
    assert_eq!(messages("", ", case: lower").len(), 1);
    // Upper is the default: saying it changes nothing.
    assert_eq!(messages("", ", case: upper"), []);
}

/// A type large enough to be shared by reference (its uses name it) is still compared: a
/// change inside it is reported once, as `{type <name>}`, and a change a copied-in use also
/// shows is said once, where it shows.
#[test]
fn changes_inside_shared_types_are_reported_once() {
    let contract = |max: u32, version: &str| {
        let mut text = format!(
            "contract: big\nversion: {version}\nboundary: {{from: a, to: b, transport: api}}\ntypes:\n  Big:\n    fields:\n"
        );
        for i in 0..210 {
            text.push_str(&format!(
                "      f{i}: {{type: string, max_length: {max}}}\n"
            ));
        }
        text.push_str("      next: {type: Big}\n  Small:\n    fields:\n      name: {type: string, max_length: ");
        text.push_str(&format!("{max}}}\n      parent: {{type: Small}}\nfields:\n  a: {{type: Big}}\n  b: {{type: Big}}\n  s: {{type: Small}}\n"));
        let loaded = handoff_core::contract::parse(Path::new("big.yaml"), &text);
        assert!(loaded.contract.is_some(), "{:?}", loaded.diagnostics);
        loaded.contract.unwrap()
    };
    let (old, new) = (contract(30, "1.0.0"), contract(20, "2.0.0"));
    // Shared: the uses refer to the type, which the compiled schema holds once.
    assert_eq!(
        new.root.field("a").unwrap().recursive.as_deref(),
        Some("Big")
    );
    assert!(new.root.field("s").unwrap().recursive.is_none());
    let changes = diff::diff(&old, &new);
    let big: Vec<&str> = changes
        .iter()
        .filter(|c| c.pointer.starts_with("{type Big}"))
        .map(|c| c.pointer.as_str())
        .collect();
    assert_eq!(big.len(), 210, "{big:?}");
    assert!(big.contains(&"{type Big}/f7"));
    // Small is copied into /s (and shared inside itself): its change is said at /s/name only.
    let small: Vec<&str> = changes
        .iter()
        .filter(|c| c.pointer.contains("name"))
        .map(|c| c.pointer.as_str())
        .collect();
    assert_eq!(small, ["/s/name"]);

    // A payload through a shared use is checked, and found by its own pointer.
    let checker = Checker::new(new).unwrap();
    let long = "x".repeat(25);
    let findings = checker.check(format!(r#"{{"a": {{"next": {{"f3": "{long}"}}}}}}"#).as_bytes());
    let got: Vec<(String, String)> = findings
        .iter()
        .map(|f| (f.kind.id().to_string(), f.pointer.clone()))
        .collect();
    assert_eq!(
        got,
        [("max_length_exceeded".to_string(), "/a/next/f3".to_string())]
    );
    assert_eq!(
        findings[0].contract_location.as_ref().map(|l| l.line),
        Some(10)
    );
}

/// Raw fragments are compared keyword by keyword, each judged in the direction it moves what
/// is accepted, and a change no rule can judge is one to review: never "no changes".
#[test]
fn raw_fragments_are_compared_keyword_by_keyword() {
    let judged = |before: &str, after: &str| -> Vec<String> {
        let load = |fragment: &str, version: &str| {
            let text = format!(
                "contract: f\nversion: {version}\nboundary: {{from: a, to: b, transport: api}}\nfields:\n  x:\n    schema: {fragment}\n"
            );
            let loaded = handoff_core::contract::parse(Path::new("f.yaml"), &text);
            loaded
                .contract
                .unwrap_or_else(|| panic!("{:?}", loaded.diagnostics))
        };
        diff::diff(&load(before, "1.0.0"), &load(after, "9.0.0"))
            .into_iter()
            .map(|c| format!("{} {}", c.rule, c.message))
            .collect()
    };
    let t = "fragment-tightened in the raw `schema` fragment, ";
    let l = "fragment-loosened in the raw `schema` fragment, ";
    let c = "fragment-changed in the raw `schema` fragment, ";
    let cases: &[(&str, &str, String)] = &[
        (
            "{minProperties: 1}",
            "{minProperties: 2}",
            format!("{t}`minProperties` changed from 1 to 2"),
        ),
        (
            "{maxProperties: 5}",
            "{maxProperties: 9}",
            format!("{l}`maxProperties` changed from 5 to 9"),
        ),
        (
            "{anyOf: [{type: string}]}",
            "{anyOf: [{type: string}, {type: integer}]}",
            format!(
                "{l}`anyOf` changed from [{{\"type\":\"string\"}}] to [{{\"type\":\"string\"}},{{\"type\":\"integer\"}}]"
            ),
        ),
        (
            "{required: [a]}",
            "{required: [a, b]}",
            format!("{t}`required` changed from [\"a\"] to [\"a\",\"b\"]"),
        ),
        (
            "{dependentRequired: {a: [b]}}",
            "{dependentRequired: {a: [b, c]}}",
            format!(
                "{t}`dependentRequired` changed from {{\"a\":[\"b\"]}} to {{\"a\":[\"b\",\"c\"]}}"
            ),
        ),
        (
            "{multipleOf: 3}",
            "{multipleOf: 5}",
            format!("{c}`multipleOf` changed from 3 to 5"),
        ),
        (
            "{not: {enum: [x]}}",
            "{not: {enum: [z]}}",
            format!("{c}`not` changed from {{\"enum\":[\"x\"]}} to {{\"enum\":[\"z\"]}}"),
        ),
        // `additionalProperties` sees its sibling `properties`: declaring one lets it through.
        (
            "{additionalProperties: false}",
            "{additionalProperties: false, properties: {a: true}}",
            format!(
                "{c}`properties` changed from none to {{\"a\":true}}, which changes what its sibling `additionalProperties`/`items` apply to"
            ),
        ),
        (
            "{type: string}",
            "{type: string, pattern: '^a'}",
            format!("{t}`pattern` was added (\"^a\")"),
        ),
    ];
    for (before, after, expected) in cases {
        assert_eq!(
            judged(before, after),
            std::slice::from_ref(expected),
            "{before} -> {after}"
        );
    }
    // An annotation changes nothing that is accepted.
    assert!(judged("{minimum: 1}", "{minimum: 1, description: d}").is_empty());
}

/// A member renamed (`ship_to` to `recipient`, same type and constraints) is still compared
/// with its new self: what changed inside it is reported under the new name.
#[test]
fn a_rename_does_not_hide_the_changes_inside_it() {
    let load = |member: &str, zip: &str, version: &str| {
        let text = format!(
            "contract: r\nversion: {version}\nboundary: {{from: a, to: b, transport: api}}\nfields:\n  {member}:\n    type: object\n    fields:\n      zip: {{type: string, max_length: {zip}}}\n      name: {{type: string}}\n"
        );
        handoff_core::contract::parse(Path::new("r.yaml"), &text)
            .contract
            .unwrap()
    };
    let changes = diff::diff(
        &load("ship_to", "10", "1.0.0"),
        &load("recipient", "5", "2.0.0"),
    );
    let got: Vec<String> = changes
        .iter()
        .map(|c| format!("{} {}", c.rule, c.pointer))
        .collect();
    assert_eq!(
        got,
        [
            "field-renamed /recipient",
            "length-tightened /recipient/zip"
        ]
    );
}

/// Removing an optional member breaks senders only where they would now be rejected: under a
/// closed object, or where the object's `values` do not admit what the field did.
#[test]
fn removing_an_optional_member_breaks_senders_only_where_they_are_rejected() {
    let load = |object: &str, with_note: bool, version: &str| {
        let note = if with_note {
            "      note: {type: string, max_length: 20}\n"
        } else {
            ""
        };
        let text = format!(
            "contract: r\nversion: {version}\nboundary: {{from: a, to: b, transport: api}}\nfields:\n  o:\n    type: object\n{object}    fields:\n      id: {{type: string}}\n{note}"
        );
        handoff_core::contract::parse(Path::new("r.yaml"), &text)
            .contract
            .unwrap()
    };
    let judged = |object: &str| {
        let changes = diff::diff(&load(object, true, "1.0.0"), &load(object, false, "2.0.0"));
        assert_eq!(changes.len(), 1, "{changes:#?}");
        (
            changes[0].breaks,
            diff::Mode::Backward.violated_by(&changes[0]),
        )
    };
    assert_eq!(judged(""), (diff::Breaks::Receiver, false));
    assert_eq!(
        judged("    values: {type: string, max_length: 20}\n"),
        (diff::Breaks::Receiver, false)
    );
    assert_eq!(
        judged("    values: {type: integer}\n"),
        (diff::Breaks::Both, true)
    );
    assert_eq!(judged("    closed: true\n"), (diff::Breaks::Both, true));
}
