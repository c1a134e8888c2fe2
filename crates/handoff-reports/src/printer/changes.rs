//! Rendering `handoff diff` results and changelogs: text for terminals, JSON for machines,
//! Markdown for pull-request comments.

use handoff_core::contract::Contract;
use handoff_core::diff::{Change, Severity};
use std::fmt::Write;

/// A change's field for display; changes to the contract itself have none.
fn field_of(c: &Change) -> &str {
    if c.pointer.is_empty() {
        "(contract)"
    } else {
        &c.pointer
    }
}

fn count(changes: &[Change], s: Severity) -> usize {
    changes.iter().filter(|c| c.severity == s).count()
}

/// "2 breaking, 1 warning, 0 info".
pub fn tally(changes: &[Change]) -> String {
    let w = count(changes, Severity::Warning);
    format!(
        "{} breaking, {w} warning{}, {} info",
        count(changes, Severity::Breaking),
        if w == 1 { "" } else { "s" },
        count(changes, Severity::Info)
    )
}

pub fn text(old: &Contract, new: &Contract, changes: &[Change]) -> String {
    let (old_file, new_file) = (old.source.path.display(), new.source.path.display());
    let mut out = format!("{} -> {}\n\n", old.reference(), new.reference());
    for c in changes {
        let pointer = field_of(c);
        let _ = writeln!(
            out,
            "{}[{}] {pointer}: {} (breaks {})",
            c.severity.name(),
            c.rule,
            c.message,
            c.breaks.name()
        );
        if let Some(line) = c.old_line {
            let _ = writeln!(out, "  old: {old_file}:{line}");
        }
        if let Some(line) = c.new_line {
            let _ = writeln!(out, "  new: {new_file}:{line}");
        }
    }
    if changes.is_empty() {
        out.push_str("no changes that affect what is accepted\n");
    }
    out
}

/// A unified diff of two texts, under the names given (`a/...`, `b/...` for `patch -p1`).
pub fn unified_text(old_name: &str, old: &str, new_name: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string()
}

/// The YAML texts' unified diff, for `--text`.
pub fn unified(old: &Contract, new: &Contract) -> String {
    similar::TextDiff::from_lines(&*old.source.text, &*new.source.text)
        .unified_diff()
        .context_radius(3)
        .header(
            &old.source.path.display().to_string(),
            &new.source.path.display().to_string(),
        )
        .to_string()
}

pub fn json(old: &Contract, new: &Contract, changes: &[Change]) -> serde_json::Value {
    serde_json::json!({
        "format_version": 1,
        "old": {"contract": old.reference(), "file": old.source.path},
        "new": {"contract": new.reference(), "file": new.source.path},
        "changes": changes,
        "summary": {
            "breaking": count(changes, Severity::Breaking),
            "warning": count(changes, Severity::Warning),
            "info": count(changes, Severity::Info),
        },
    })
}

pub fn markdown(old: &Contract, new: &Contract, changes: &[Change]) -> String {
    let icon = if count(changes, Severity::Breaking) > 0 {
        "❌"
    } else if changes.is_empty() {
        "✅"
    } else {
        "⚠️"
    };
    let mut md = format!(
        "### {icon} `{}` → `{}`: {}\n\n",
        old.reference(),
        new.reference(),
        tally(changes)
    );
    if changes.is_empty() {
        md.push_str("No change affects what is accepted.\n");
        return md;
    }
    md.push_str("| severity | rule | field | breaks | change |\n|---|---|---|---|---|\n");
    for c in changes {
        let pointer = field_of(c);
        let _ = writeln!(
            md,
            "| {} | `{}` | `{}` | {} | {} |",
            c.severity.name(),
            c.rule,
            pointer,
            c.breaks.name(),
            c.message.replace('|', "\\|")
        );
    }
    md
}

/// A Markdown changelog across versions, newest first, each version's changes grouped by
/// severity. `versions` is oldest first.
pub fn changelog(
    versions: &[&Contract],
    diff: impl Fn(&Contract, &Contract) -> Vec<Change>,
) -> String {
    let Some(first) = versions.first() else {
        return String::new();
    };
    let mut md = format!("# Changelog: {}\n", first.id);
    for pair in versions.windows(2).rev() {
        let (old, new) = (pair[0], pair[1]);
        let changes = diff(old, new);
        let _ = write!(
            md,
            "\n## {} (from {})\n\n{}\n",
            new.version,
            old.version,
            tally(&changes)
        );
        for severity in [Severity::Breaking, Severity::Warning, Severity::Info] {
            let group: Vec<&Change> = changes.iter().filter(|c| c.severity == severity).collect();
            if group.is_empty() {
                continue;
            }
            let title = match severity {
                Severity::Breaking => "Breaking",
                Severity::Warning => "Warnings",
                Severity::Info => "Info",
            };
            let _ = writeln!(md, "\n### {title}\n");
            for c in group {
                let pointer = if c.pointer.is_empty() {
                    String::new()
                } else {
                    format!("`{}`: ", c.pointer)
                };
                let _ = writeln!(
                    md,
                    "- {pointer}{} (`{}`, breaks {})",
                    c.message,
                    c.rule,
                    c.breaks.name()
                );
            }
        }
    }
    let _ = write!(md, "\n## {}\n\nFirst version.\n", first.version);
    md
}
