//! `handoff infer --against`: the changes an existing contract needs for new captures, written
//! into the contract's own text (so the user reviews a diff of their file, comments and layout
//! kept).
//!
//! Today the one change made in the text is the commonest: values an `enum` does not list
//! (a partner's new status code), each added to that enum with how often and where it was first
//! seen. Every other finding is counted by kind and field for the user to decide.

use crate::finding::{Finding, Kind};
use crate::yaml::{self, Node, NodeValue};
use std::collections::BTreeMap;
use std::path::Path;

/// One value an enum did not list, over the payloads checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewValue {
    /// The JSON text of the value, as sent.
    pub value: String,
    pub payloads: u64,
    /// Where it was first seen (`file:line`).
    pub first: String,
}

/// What the captures need of a contract.
#[derive(Debug, Default, Clone)]
pub struct Needs {
    /// By the enum's place in the contract (line, column of its `enum:` key), with the field
    /// pointer and the new values in order of first appearance.
    pub enums: BTreeMap<(u32, u32), (String, Vec<NewValue>)>,
    /// Other findings: (kind, field pointer) -> payloads.
    pub other: BTreeMap<(&'static str, String), u64>,
    pub payloads: u64,
}

impl Needs {
    /// Take one payload's findings (`source` names it).
    pub fn add(&mut self, source: &str, findings: &[Finding]) {
        self.payloads += 1;
        let mut seen = std::collections::HashSet::new();
        for f in findings {
            let field = crate::report::normalize_pointer(&f.pointer);
            if !seen.insert((f.kind, field.clone(), f.value.clone())) {
                continue;
            }
            match (f.kind, &f.contract_location, &f.value) {
                (Kind::UnknownEnumValue, Some(at), Some(value)) if !f.redacted => {
                    let (_, values) = self
                        .enums
                        .entry((at.line, at.column))
                        .or_insert_with(|| (field.clone(), Vec::new()));
                    match values.iter_mut().find(|v| v.value == *value) {
                        Some(v) => v.payloads += 1,
                        None => values.push(NewValue {
                            value: value.clone(),
                            payloads: 1,
                            first: source.to_string(),
                        }),
                    }
                }
                _ => *self.other.entry((f.kind.id(), field)).or_default() += 1,
            }
        }
    }

    /// The contract text with every new enum value added where its enum is written; None when
    /// nothing could be placed (no enum change, or a layout this does not edit).
    pub fn apply(&self, path: &Path, text: &str) -> Option<String> {
        let root = yaml::parse_located(path, text).ok()?;
        // Insertions from the end of the text backwards, so earlier offsets stay valid.
        let mut edits: Vec<(usize, String)> = Vec::new();
        for ((line, column), (_, values)) in &self.enums {
            let Some(node) = find_enum(&root, *line, *column) else {
                continue;
            };
            if let Some(edit) = insertion(text, node, values) {
                edits.push(edit);
            }
        }
        if edits.is_empty() {
            return None;
        }
        edits.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
        let mut out = text.to_string();
        for (at, insert) in edits {
            out.insert_str(at, &insert);
        }
        Some(out)
    }
}

fn find_enum(node: &Node, line: u32, column: u32) -> Option<&Node> {
    match &node.value {
        NodeValue::Map(entries) => entries.iter().find_map(|(k, v)| {
            if k.name == "enum" && k.span.line == line && k.span.column == column {
                Some(v)
            } else {
                find_enum(v, line, column)
            }
        }),
        NodeValue::Seq(items) => items.iter().find_map(|v| find_enum(v, line, column)),
        NodeValue::Scalar(_) => None,
    }
}

/// The value as a YAML scalar meaning the same string (or the JSON scalar as written).
fn scalar(json: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::String(s)) => {
            let plain = !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
                && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
            let keyword = matches!(
                s.to_ascii_lowercase().as_str(),
                "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
            );
            if plain && !keyword {
                s
            } else {
                serde_json::to_string(&s).unwrap_or_default()
            }
        }
        _ => json.to_string(),
    }
}

fn why(v: &NewValue) -> String {
    format!(
        "seen in {} payload{} of the captures, first at {} (handoff infer --against): say what it means",
        v.payloads,
        if v.payloads == 1 { "" } else { "s" },
        v.first
    )
}

fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i)
}

fn insertion(text: &str, node: &Node, values: &[NewValue]) -> Option<(usize, String)> {
    let start = node.span.start.min(text.len());
    let flow = text[start..].trim_start().chars().next();
    match (&node.value, flow) {
        (NodeValue::Seq(items), Some('[')) => {
            let after = items.last().map_or(start, |i| i.span.end);
            let close = after + text.get(after..)?.find(']')?;
            let sep = if items.is_empty() { "" } else { ", " };
            let added: Vec<String> = values.iter().map(|v| scalar(&v.value)).collect();
            Some((close, format!("{sep}{}", added.join(", "))))
        }
        (NodeValue::Map(entries), Some('{')) => {
            let after = entries.last().map_or(start, |(_, v)| v.span.end);
            let close = after + text.get(after..)?.find('}')?;
            let sep = if entries.is_empty() { "" } else { ", " };
            let added: Vec<String> = values
                .iter()
                .map(|v| {
                    format!(
                        "{}: {}",
                        scalar(&v.value),
                        serde_json::to_string(&why(v)).unwrap_or_default()
                    )
                })
                .collect();
            Some((close, format!("{sep}{}", added.join(", "))))
        }
        (NodeValue::Map(entries), _) => {
            let (k, v) = entries.last()?;
            let indent = " ".repeat(k.span.column.saturating_sub(1) as usize);
            let at = line_end(text, v.span.end.max(k.span.end).min(text.len()));
            let mut insert = String::new();
            for new in values {
                let meaning = yaml::quote(&why(new));
                insert.push_str(&format!("\n{indent}{}: {meaning}", scalar(&new.value)));
            }
            Some((at, insert))
        }
        (NodeValue::Seq(items), _) => {
            let last = items.last()?;
            // The item's column is its value's; the dash is two to the left.
            let indent = " ".repeat(last.span.column.saturating_sub(3) as usize);
            let at = line_end(text, last.span.end.min(text.len()));
            let mut insert = String::new();
            for new in values {
                insert.push_str(&format!(
                    "\n{indent}- {}  # {}",
                    scalar(&new.value),
                    why(new)
                ));
            }
            Some((at, insert))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs(text: &str, payloads: &[&str]) -> (Needs, Option<String>) {
        let path = Path::new("c.yaml");
        let (checker, diags) = crate::lint::prepare_text(path, text);
        let checker = checker.unwrap_or_else(|| panic!("{diags:?}"));
        let mut needs = Needs::default();
        for (i, p) in payloads.iter().enumerate() {
            needs.add(&format!("x.ndjson:{}", i + 1), &checker.check(p.as_bytes()));
        }
        let applied = needs.apply(path, text);
        (needs, applied)
    }

    const HEAD: &str =
        "contract: c\nversion: 1.0.0\nboundary: {from: a, to: b, transport: webhook}\nfields:\n";

    #[test]
    fn new_values_join_each_enum_in_its_own_layout() {
        let text = format!(
            "{HEAD}  status:\n    type: string\n    enum:\n      paid: captured  # keep me\n      void: cancelled\n  carrier: {{type: string, enum: [UPS, FEDEX]}}\n  kind:\n    type: string\n    enum:\n      - a\n      - b\n"
        );
        let (needs, applied) = needs(
            &text,
            &[
                r#"{"status": "authorized", "carrier": "DHL", "kind": "c"}"#,
                r#"{"status": "authorized", "carrier": "UPS", "kind": "yes"}"#,
            ],
        );
        let applied = applied.unwrap();
        assert!(applied.contains("      void: cancelled\n      authorized: \"seen in 2 payloads of the captures, first at x.ndjson:1 (handoff infer --against): say what it means\"\n"), "{applied}");
        assert!(
            applied.contains("  carrier: {type: string, enum: [UPS, FEDEX, DHL]}\n"),
            "{applied}"
        );
        assert!(
            applied.contains("      - b\n      - c  # seen in 1 payload"),
            "{applied}"
        );
        assert!(
            applied.contains(
                "      - \"yes\"  # seen in 1 payload of the captures, first at x.ndjson:2"
            ),
            "{applied}"
        );
        assert!(applied.contains("paid: captured  # keep me"));
        assert_eq!(needs.payloads, 2);
        // The proposal is a contract that accepts what the captures sent.
        let (checker, diags) = crate::lint::prepare_text(Path::new("c.yaml"), &applied);
        let checker = checker.unwrap_or_else(|| panic!("{diags:?}\n{applied}"));
        assert!(
            checker
                .check(br#"{"status": "authorized", "carrier": "DHL", "kind": "yes"}"#)
                .is_empty()
        );
    }

    #[test]
    fn other_findings_are_counted_not_edited() {
        let text = format!("{HEAD}  n: {{type: integer, required: true}}\n");
        let (needs, applied) = needs(&text, &[r#"{"n": "1"}"#, r#"{}"#, r#"{}"#]);
        assert_eq!(applied, None);
        assert_eq!(
            needs.other.get(&("missing_required", "/n".to_string())),
            Some(&2)
        );
        assert_eq!(needs.other.get(&("wrong_type", "/n".to_string())), Some(&1));
    }
}
