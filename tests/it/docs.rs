//! The documentation stays true: every violation kind, lint code and contract keyword that
//! the code defines is documented, and the docs name nothing the code does not define.

use handoff_core::contract;
use handoff_core::diagnostic::Code;
use handoff_core::finding::Kind;
use std::collections::BTreeSet;

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Words written as `### `word`` headings.
fn headings(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("### `"))
        .flat_map(|l| {
            l.split("`, `")
                .map(|w| w.trim_end_matches('`').to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn every_violation_kind_has_a_section() {
    let documented = headings(&read("docs/violations.md"));
    let defined: BTreeSet<String> = Kind::ALL.iter().map(|k| k.id().to_string()).collect();
    assert_eq!(documented, defined);
}

#[test]
fn every_lint_code_has_a_row() {
    let text = read("docs/lint.md");
    let documented: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect();
    let defined: BTreeSet<String> = Code::ALL.iter().map(|c| c.id().to_string()).collect();
    assert_eq!(documented, defined);
}

#[test]
fn every_contract_keyword_is_documented_with_an_example() {
    let text = read("docs/contract-format.md");
    let sections = headings(&text);
    // Keys documented inside a parent's section rather than under their own heading.
    let within_parent = [
        "from",
        "to",
        "transport",
        "owner",
        "field",
        "equals",
        "in",
        "present",
        "required",
        "forbidden",
        "fields",
        "exactly",
        "at_most",
    ];
    for key in contract::keywords() {
        if within_parent.contains(&key) && !sections.contains(key) {
            assert!(
                text.contains(&format!("{key}:")),
                "docs/contract-format.md shows no `{key}:` in an example"
            );
        } else {
            assert!(
                sections.contains(key),
                "docs/contract-format.md has no section for `{key}`"
            );
            assert!(
                text.contains(&format!("{key}:")),
                "docs/contract-format.md shows no `{key}:` in an example"
            );
        }
    }
}

#[test]
fn every_gap_kind_has_a_section_and_every_flow_key_a_row() {
    use handoff_reports::reconcile::gaps::GapKind;
    use handoff_reports::reconcile::read;
    let text = read("docs/reconcile.md");
    let documented = headings(&text);
    let defined: BTreeSet<String> = GapKind::ALL.iter().map(|k| k.id().to_string()).collect();
    assert_eq!(documented, defined);
    // Each section opens with the kind's own one-line description.
    for kind in GapKind::ALL {
        let section = &text[text.find(&format!("### `{}`", kind.id())).unwrap()..];
        let first = section.split("\n\n").nth(1).unwrap().replace('\n', " ");
        let description = kind.description();
        let (head, _) = description.split_at(description.len().min(20));
        assert!(
            first.to_lowercase().starts_with(&head.to_lowercase()),
            "{}: the section starts {first:?}, the code says {description:?}",
            kind.id()
        );
    }
    let rows: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect();
    for key in read::FLOW_KEYS
        .iter()
        .chain(read::SYSTEM_KEYS)
        .chain(read::KEY_KEYS)
        .chain(read::TIME_KEYS)
        .chain(read::EXPECT_KEYS)
    {
        assert!(
            rows.contains(*key),
            "docs/reconcile.md has no row for `{key}`"
        );
    }
}
