//! `handoff infer --against`: the changes an existing contract needs for new captures, written
//! into the contract's own text (so the user reviews a diff of their file, comments and layout
//! kept).
//!
//! Two changes are made in the text, the commonest: values an `enum` does not list (a
//! partner's new status code), each added to that enum, and members a closed object does not
//! declare (a partner's new field), each declared with the types its values had; both say how
//! often and where they were first seen. Every other finding is counted by kind and field for
//! the user to decide.

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

/// One member a closed object did not declare, over the payloads checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewField {
    pub name: String,
    /// The JSON types its values had (`string`, `integer`, `number`, `boolean`, `object`,
    /// `array`, `null`), in order of first appearance.
    pub types: Vec<&'static str>,
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
    /// By the closed object's field pointer (`/line_items/*`, `` for the root), the members it
    /// did not declare, in order of first appearance.
    pub fields: BTreeMap<String, Vec<NewField>>,
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
                (Kind::UnknownField, _, Some(value)) if !f.redacted => {
                    let (parent, name) = match f.pointer.rsplit_once('/') {
                        Some((parent, name)) => (
                            crate::report::normalize_pointer(parent),
                            crate::pointer::unescape(name),
                        ),
                        None => continue,
                    };
                    let ty = json_type(value);
                    let fields = self.fields.entry(parent).or_default();
                    match fields.iter_mut().find(|n| n.name == name) {
                        Some(n) => {
                            n.payloads += 1;
                            if !n.types.contains(&ty) {
                                n.types.push(ty);
                            }
                        }
                        None => fields.push(NewField {
                            name,
                            types: vec![ty],
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
        for (parent, fields) in &self.fields {
            let Some(node) = fields_of(&root, parent) else {
                continue;
            };
            let entries: Vec<(String, String)> = fields
                .iter()
                .filter_map(|f| declaration(f).map(|d| (f.name.clone(), d)))
                .collect();
            if let Some(edit) = member_insertion(text, node, &entries) {
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

/// The JSON type of a value as a finding quotes it (its text as sent).
fn json_type(text: &str) -> &'static str {
    match text.trim_start().as_bytes().first() {
        Some(b'"') => "string",
        Some(b'{') => "object",
        Some(b'[') => "array",
        Some(b't' | b'f') => "boolean",
        Some(b'n') => "null",
        _ if text.contains(['.', 'e', 'E']) => "number",
        _ => "integer",
    }
}

/// The `fields:` mapping where the object at `pointer` (a normalized field pointer, `` for the
/// root) declares its members: through `fields`, `items` for `*`, and a declared type's own
/// `fields` where the field names one.
fn fields_of<'n>(root: &'n Node, pointer: &str) -> Option<&'n Node> {
    let get = |node: &'n Node, key: &str| match &node.value {
        NodeValue::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
        _ => None,
    };
    let types = get(root, "types");
    // A field of a declared type: that type's definition.
    let resolve = |node: &'n Node| -> &'n Node {
        match (get(node, "type"), types) {
            (
                Some(Node {
                    value: NodeValue::Scalar(t),
                    ..
                }),
                Some(types),
            ) => get(types, &t.text).unwrap_or(node),
            _ => node,
        }
    };
    let mut at = root;
    for step in pointer.split('/').skip(1) {
        at = if step == "*" {
            resolve(get(at, "items")?)
        } else {
            resolve(get(get(at, "fields")?, &crate::pointer::unescape(step))?)
        };
    }
    get(at, "fields")
}

/// A new member's declaration, as a flow mapping: its types, and where it was seen.
fn declaration(f: &NewField) -> Option<String> {
    let types: Vec<&str> = f.types.iter().copied().filter(|t| *t != "null").collect();
    let ty = match types.as_slice() {
        [] => return None,
        [one] => (*one).to_string(),
        many => format!("[{}]", many.join(", ")),
    };
    let mut parts = vec![format!("type: {ty}")];
    if f.types.contains(&"null") {
        parts.push("nullable: true".into());
    }
    // Its own members are not known yet: not closed, so they are not findings of their own.
    if types.contains(&"object") {
        parts.push("closed: false".into());
    }
    parts.push(format!(
        "description: {}",
        yaml::quote(&format!(
            "seen in {} payload{} of the captures, first at {} (handoff infer --against): say what it means",
            f.payloads,
            if f.payloads == 1 { "" } else { "s" },
            f.first
        ))
    ));
    Some(format!("{{{}}}", parts.join(", ")))
}

/// The end of a node's text, its nested entries included.
fn deep_end(node: &Node) -> usize {
    match &node.value {
        NodeValue::Scalar(_) => node.span.end,
        NodeValue::Seq(items) => items.iter().map(deep_end).fold(node.span.end, usize::max),
        NodeValue::Map(entries) => entries
            .iter()
            .map(|(k, v)| k.span.end.max(deep_end(v)))
            .fold(node.span.end, usize::max),
    }
}

/// Where the flow collection starting at `start` (after spaces) closes: its matching `}` or
/// `]`, past nested collections, quoted scalars and comments.
fn flow_close(text: &str, start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        match (quote, b) {
            (Some(b'"'), b'\\') => i += 1,
            (Some(q), _) if b == q => {
                // '' inside a single-quoted scalar is a quote, not its end.
                if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    i += 1;
                } else {
                    quote = None;
                }
            }
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'{' | b'[') => depth += 1,
            (None, b'}' | b']') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            // A comment runs to the end of its line, brackets in it included.
            (None, b'#') if i > 0 && bytes[i - 1].is_ascii_whitespace() => {
                i += text[i..].find('\n').unwrap_or(text.len() - i);
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// New members (name, declaration) added to a `fields:` mapping in its layout.
fn member_insertion(
    text: &str,
    node: &Node,
    entries: &[(String, String)],
) -> Option<(usize, String)> {
    if entries.is_empty() {
        return None;
    }
    let NodeValue::Map(have) = &node.value else {
        return None;
    };
    let start = node.span.start.min(text.len());
    if text[start..].trim_start().starts_with('{') {
        let close = flow_close(text, start)?;
        let sep = if have.is_empty() { "" } else { ", " };
        let added: Vec<String> = entries
            .iter()
            .map(|(n, d)| format!("{}: {d}", yaml::key(n)))
            .collect();
        return Some((close, format!("{sep}{}", added.join(", "))));
    }
    let (k, v) = have.last()?;
    let indent = " ".repeat(k.span.column.saturating_sub(1) as usize);
    // A block mapping's span ends where its first line does: its last entry ends where the
    // deepest of its values does.
    let at = line_end(text, deep_end(v).max(k.span.end).min(text.len()));
    let mut insert = String::new();
    for (name, d) in entries {
        insert.push_str(&format!("\n{indent}{}: {d}", yaml::key(name)));
    }
    Some((at, insert))
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
                yaml::quote(&s)
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
            let close = flow_close(text, start)?;
            let sep = if items.is_empty() { "" } else { ", " };
            let added: Vec<String> = values.iter().map(|v| scalar(&v.value)).collect();
            Some((close, format!("{sep}{}", added.join(", "))))
        }
        (NodeValue::Map(entries), Some('{')) => {
            let close = flow_close(text, start)?;
            let sep = if entries.is_empty() { "" } else { ", " };
            let added: Vec<String> = values
                .iter()
                .map(|v| format!("{}: {}", scalar(&v.value), yaml::quote(&why(v))))
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
    fn members_a_closed_object_lacks_are_declared_with_the_types_they_had() {
        let text = format!(
            "{HEAD}  id: {{type: string}}\n  lines:\n    type: array\n    items:\n      type: line\n  ship_to: {{type: object, fields: {{city: {{type: string}}}}}}\n  note:\n    type: string\n    max_length: 20\ntypes:\n  line:\n    type: object\n    fields:\n      sku: {{type: string}}  # keep me\nclosed: true\n"
        );
        let (needs, applied) = needs(
            &text,
            &[
                r#"{"id": "a", "gift_wrap": true, "lines": [{"sku": "A", "gtin": "0123"}]}"#,
                r#"{"id": "b", "gift_wrap": null, "ship_to": {"city": "X", "zip": 94103}}"#,
                r#"{"id": "c", "gift_wrap": false, "meta": {"k": 1}, "lines": [{"sku": "B", "gtin": 7}]}"#,
            ],
        );
        let applied = applied.unwrap_or_else(|| panic!("{needs:?}"));
        for expected in [
            "    max_length: 20\n  gift_wrap: {type: boolean, nullable: true, description: \"seen in 3 payloads of the captures, first at x.ndjson:1 (handoff infer --against): say what it means\"}\n  meta: {type: object, closed: false, description: \"seen in 1 payload of the captures, first at x.ndjson:3",
            "      sku: {type: string}  # keep me\n      gtin: {type: [string, integer], description: \"seen in 2 payloads",
            "  ship_to: {type: object, fields: {city: {type: string}, zip: {type: integer, description: \"seen in 1 payload of the captures, first at x.ndjson:2",
        ] {
            assert!(applied.contains(expected), "no {expected:?} in\n{applied}");
        }
        // The proposal is a contract that accepts what the captures sent.
        let (checker, diags) = crate::lint::prepare_text(Path::new("c.yaml"), &applied);
        let checker = checker.unwrap_or_else(|| panic!("{diags:?}\n{applied}"));
        assert!(
            checker
                .check(br#"{"id": "c", "gift_wrap": false, "meta": {"k": 1}, "lines": [{"sku": "B", "gtin": 7}], "ship_to": {"zip": 1}}"#)
                .is_empty()
        );
        assert!(needs.other.is_empty(), "{:?}", needs.other);
    }

    #[test]
    fn invisible_characters_from_a_payload_are_escaped_in_the_proposal() {
        let text = format!(
            "{HEAD}  status: {{type: string, enum: {{paid: captured}}}}\n  kind: {{type: string, enum: [a]}}\nclosed: true\n"
        );
        let (_, applied) = needs(
            &text,
            &[r#"{"status": "pa\u202eid", "kind": "b\u200b", "no\u200bte": 1}"#],
        );
        let applied = applied.unwrap();
        for raw in ['\u{202e}', '\u{200b}'] {
            assert!(!applied.contains(raw), "{applied:?}");
        }
        assert!(
            applied.contains("\"pa\\u202eid\": \"seen in 1 payload"),
            "{applied}"
        );
        assert!(applied.contains("enum: [a, \"b\\u200b\"]"), "{applied}");
        assert!(
            applied.contains("  \"no\\u200bte\": {type: integer"),
            "{applied}"
        );
    }

    #[test]
    fn a_flow_collection_closes_past_nested_ones_quotes_and_comments() {
        let text = "enum: {a: {b: 1}, c: \"}\", d: 'it''s ]', # e }\n  f: [1, 2]} # after";
        let start = text.find('{').unwrap();
        assert_eq!(
            flow_close(text, start),
            Some(text.find("} # after").unwrap())
        );
        let list = "[UPS, FEDEX]";
        assert_eq!(flow_close(list, 0), Some(list.len() - 1));
        assert_eq!(flow_close("[UPS, FEDEX", 0), None);
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
