//! A YAML document as a tree of nodes that remember where they came from.
//!
//! Contracts and the project configuration are read in two steps: this module turns text into a
//! [`Node`] tree (every key and value with its line, column and byte range), and a reader turns
//! the tree into a checked model, reporting every problem it finds with its location. Reading
//! through a generic tree rather than `#[derive(Deserialize)]` lets us report *all* unknown keys
//! at once with "did you mean" hints, and keep each scalar's source text, so `version: 1.10`
//! or a reason code `01` is never silently turned into a number.

use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;
use std::path::Path;

pub use crate::span::{Located, Span};

/// One YAML node and its location.
#[derive(Debug, Clone)]
pub struct Node {
    pub span: Span,
    pub value: NodeValue,
}

#[derive(Debug, Clone)]
pub enum NodeValue {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

/// A mapping key. Keys are always read as text.
#[derive(Debug, Clone)]
pub struct Key {
    pub name: String,
    pub span: Span,
}

/// A scalar, with both YAML's interpretation and the text as written.
#[derive(Debug, Clone)]
pub struct Scalar {
    pub typed: Typed,
    /// The scalar as written: for a plain scalar its source text (`1.10`, `01`, `yes`), for a
    /// quoted one its unquoted content.
    pub text: String,
    /// True when the scalar was quoted, so the author said "this is text".
    pub quoted: bool,
}

/// YAML's own reading of a scalar.
#[derive(Debug, Clone, PartialEq)]
pub enum Typed {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
}

impl Node {
    /// A short noun for the node's kind, for messages such as "expected a mapping, found a list".
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            NodeValue::Map(_) => "a mapping",
            NodeValue::Seq(_) => "a list",
            NodeValue::Scalar(s) => match s.typed {
                Typed::Null => "null",
                Typed::Bool(_) => "a boolean",
                Typed::Int(_) => "an integer",
                Typed::Float(_) => "a number",
                Typed::Str(_) => "a string",
            },
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            NodeValue::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.value {
            NodeValue::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            NodeValue::Seq(s) => Some(s),
            _ => None,
        }
    }
}

/// A YAML syntax error, located.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub message: String,
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

/// Parse one YAML document into a located node tree. Duplicate keys, syntax errors and
/// documents that exceed the parser's budgets (alias bombs, absurd nesting) are errors.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let raw: Spanned<RawNode> = serde_saphyr::from_str(text).map_err(|err| {
        let location = err.location();
        let message = clean_message(&err.without_snippet().to_string());
        SyntaxError {
            message,
            line: location.as_ref().map_or(1, |l| l.line() as u32),
            column: location.as_ref().map_or(1, |l| l.column() as u32),
        }
    })?;
    Ok(convert(raw, text))
}

/// The parser's message, without the position (shown separately) or advice about its own API.
fn clean_message(raw: &str) -> String {
    let mut message = raw;
    if let Some((prefix, rest)) = message.split_once(": ")
        && prefix.starts_with("line ")
    {
        message = rest;
    }
    if let Some(i) = message.rfind(" at line ") {
        message = &message[..i];
    }
    let message = message.trim_end_matches(", set DuplicateKeyPolicy in Options if acceptable");
    // The parser's budgets stop alias bombs and absurd documents; say so in words.
    if let Some(rest) = message.strip_prefix("budget breached: ") {
        let what = rest.split(" at line ").next().unwrap_or(rest);
        // The parser names the budget as `Nodes { nodes: 250001 }`: keep the words and number.
        let what: String = what
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '_')
            .collect::<String>()
            .split_whitespace()
            .skip(1)
            .collect::<Vec<_>>()
            .join(" ");
        return format!(
            "the document is too large once its aliases are expanded ({what}): contracts are limited so that a few lines of anchors cannot expand into millions of nodes"
        );
    }
    match message.strip_prefix("duplicate mapping key: ") {
        Some(key) => format!("duplicate key `{key}`: a key may appear only once in a mapping"),
        None => message.to_string(),
    }
}

fn span_of(location: &serde_saphyr::Location) -> Span {
    let s = location.span();
    let start = s.byte_offset().unwrap_or(0) as usize;
    let end = start + s.byte_len().unwrap_or(0) as usize;
    Span {
        line: location.line() as u32,
        column: location.column() as u32,
        start,
        end,
    }
}

fn convert(raw: Spanned<RawNode>, text: &str) -> Node {
    let span = span_of(&raw.referenced);
    let value = match raw.value {
        RawNode::Seq(items) => {
            NodeValue::Seq(items.into_iter().map(|n| convert(n, text)).collect())
        }
        RawNode::Map(entries) => NodeValue::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let key = Key {
                        span: span_of(&k.referenced),
                        name: k.value,
                    };
                    (key, convert(v, text))
                })
                .collect(),
        ),
        RawNode::Scalar(typed) => {
            let source = text.get(span.start..span.end).unwrap_or("");
            let quoted = source.starts_with('"') || source.starts_with('\'');
            // An alias (`*money`) is replayed by the parser at the alias's place: its text is
            // the anchored value as YAML reads it, not the alias's own source.
            let alias = source.starts_with('*');
            let text = match (&typed, quoted) {
                _ if alias => match &typed {
                    Typed::Null => String::new(),
                    Typed::Bool(b) => b.to_string(),
                    Typed::Int(i) => i.to_string(),
                    Typed::Float(f) => f.to_string(),
                    Typed::Str(s) => s.clone(),
                },
                (Typed::Str(s), true) => s.clone(),
                // Block scalars and multi-line plain scalars: YAML's folded text is the meaning.
                (Typed::Str(s), false)
                    if source.contains('\n') || source.starts_with(['|', '>']) =>
                {
                    s.clone()
                }
                _ if source.is_empty() => match &typed {
                    Typed::Str(s) => s.clone(),
                    _ => String::new(),
                },
                _ => source.to_string(),
            };
            NodeValue::Scalar(Scalar {
                typed,
                text,
                quoted,
            })
        }
    };
    Node { span, value }
}

/// The serde-facing shape; converted to [`Node`] right after parsing.
enum RawNode {
    Scalar(Typed),
    Seq(Vec<Spanned<RawNode>>),
    Map(Vec<(Spanned<String>, Spanned<RawNode>)>),
}

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawNode;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawNode, E> {
        Ok(RawNode::Scalar(Typed::Null))
    }
    fn visit_none<E>(self) -> Result<RawNode, E> {
        Ok(RawNode::Scalar(Typed::Null))
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawNode, E> {
        Ok(RawNode::Scalar(Typed::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawNode, E> {
        Ok(RawNode::Scalar(Typed::Int(v.into())))
    }
    fn visit_u64<E>(self, v: u64) -> Result<RawNode, E> {
        Ok(RawNode::Scalar(Typed::Int(v.into())))
    }
    fn visit_i128<E>(self, v: i128) -> Result<RawNode, E> {
        Ok(RawNode::Scalar(Typed::Int(v)))
    }
    fn visit_u128<E>(self, v: u128) -> Result<RawNode, E> {
        Ok(RawNode::Scalar(match i128::try_from(v) {
            Ok(v) => Typed::Int(v),
            Err(_) => Typed::Float(v as f64),
        }))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawNode, E> {
        Ok(RawNode::Scalar(Typed::Float(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawNode, E> {
        Ok(RawNode::Scalar(Typed::Str(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<RawNode, E> {
        Ok(RawNode::Scalar(Typed::Str(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawNode, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(RawNode::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawNode, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let value = map.next_value()?;
            entries.push((key, value));
        }
        Ok(RawNode::Map(entries))
    }
}

/// Read a YAML file handoff itself reads (configuration, flows, decisions): bounded like every
/// read, an unreadable file one located diagnostic naming `what`.
pub fn read_file(path: &Path, what: &str) -> Result<String, Vec<Diagnostic>> {
    crate::file::read_text(path, crate::file::MAX_FILE_BYTES).map_err(|err| {
        vec![Diagnostic::new(
            Code::ReadError,
            path,
            Span::default(),
            format!("cannot read {what}: {err}"),
        )]
    })
}

/// Parse YAML text into the located tree, a syntax error as a located diagnostic.
pub fn parse_located(path: &Path, text: &str) -> Result<Node, Vec<Diagnostic>> {
    parse(text).map_err(|err| {
        let span = Span {
            line: err.line,
            column: err.column,
            ..Span::default()
        };
        vec![Diagnostic::new(Code::YamlSyntax, path, span, err.message)]
    })
}

/// A mapping's entries, for looking keys up.
#[derive(Clone, Copy)]
pub struct Entries<'n>(pub &'n [(Key, Node)]);

impl<'n> Entries<'n> {
    pub fn get(&self, name: &str) -> Option<(&'n Key, &'n Node)> {
        self.0
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(k, v)| (k, v))
    }
}

/// Reads values out of a located tree, collecting a diagnostic for each problem.
pub struct Reader<'p> {
    pub file: &'p Path,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'p> Reader<'p> {
    pub fn new(file: &'p Path) -> Self {
        Reader {
            file,
            diagnostics: Vec::new(),
        }
    }

    pub fn report(
        &mut self,
        code: Code,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::new(code, self.file, span, message));
        self.diagnostics.last_mut().expect("just pushed")
    }

    pub fn mapping<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        allowed: &[&[&str]],
    ) -> Option<Entries<'n>> {
        let Some(entries) = node.as_map() else {
            self.report(
                Code::WrongValueType,
                node.span,
                format!("{what} must be a mapping, found {}", node.kind_name()),
            );
            return None;
        };
        let known: Vec<&str> = allowed
            .iter()
            .flat_map(|keys| keys.iter().copied())
            .collect();
        for (key, _) in entries {
            if !known.contains(&key.name.as_str()) {
                let help = match did_you_mean(&key.name, known.iter().copied()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("allowed keys here: {}", known.join(", ")),
                };
                self.report(
                    Code::UnknownKey,
                    key.span,
                    format!("unknown key `{}` in {what}", key.name),
                )
                .help = Some(help);
            }
        }
        Some(Entries(entries))
    }

    pub fn required_key<'n>(
        &mut self,
        entries: Entries<'n>,
        span: Span,
        name: &str,
        what: &str,
    ) -> Option<(&'n Key, &'n Node)> {
        let found = entries.get(name);
        if found.is_none() {
            self.report(Code::MissingKey, span, format!("{what} has no `{name}`"));
        }
        found
    }

    pub fn scalar<'n>(&mut self, key: &Key, node: &'n Node, expected: &str) -> Option<&'n Scalar> {
        match node.as_scalar() {
            Some(s) if s.typed != Typed::Null => Some(s),
            _ => {
                self.report(
                    Code::WrongValueType,
                    node.span,
                    format!(
                        "`{}` must be {expected}, found {}",
                        key.name,
                        node.kind_name()
                    ),
                );
                None
            }
        }
    }

    pub fn text(&mut self, key: &Key, node: &Node) -> Option<String> {
        self.scalar(key, node, "text").map(|s| s.text.clone())
    }

    pub fn boolean(&mut self, key: &Key, node: &Node) -> Option<Located<bool>> {
        match node.as_scalar().map(|s| &s.typed) {
            Some(Typed::Bool(b)) => Some(Located::new(*b, key.span)),
            _ => {
                self.report(
                    Code::WrongValueType,
                    node.span,
                    format!(
                        "`{}` must be true or false, found {}",
                        key.name,
                        describe(node)
                    ),
                );
                None
            }
        }
    }

    pub fn count(&mut self, key: &Key, node: &Node) -> Option<Located<u64>> {
        match node.as_scalar().map(|s| &s.typed) {
            Some(Typed::Int(n)) if *n >= 0 => {
                u64::try_from(*n).ok().map(|n| Located::new(n, key.span))
            }
            _ => {
                self.report(
                    Code::WrongValueType,
                    node.span,
                    format!(
                        "`{}` must be a whole number of zero or more, found {}",
                        key.name,
                        describe(node)
                    ),
                );
                None
            }
        }
    }

    pub fn number(&mut self, key: &Key, node: &Node) -> Option<Located<serde_json::Number>> {
        let number = node.as_scalar().and_then(|s| match &s.typed {
            Typed::Int(_) | Typed::Float(_) if !s.quoted => json_number(s),
            _ => None,
        });
        if number.is_none() {
            self.report(
                Code::WrongValueType,
                node.span,
                format!("`{}` must be a number, found {}", key.name, describe(node)),
            );
        }
        number.map(|n| Located::new(n, key.span))
    }
}

/// A node for a message: its kind, and its text when it is a scalar.
pub fn describe(node: &Node) -> String {
    match node.as_scalar() {
        Some(s) if s.typed != Typed::Null => format!("{} `{}`", node.kind_name(), s.text),
        _ => node.kind_name().to_string(),
    }
}

pub fn json_number(s: &Scalar) -> Option<serde_json::Number> {
    // Parse the text as written so 0.1 stays exactly what the author typed; `01` is YAML's
    // integer 1 (JSON forbids the leading zero, so serde_json alone would refuse it).
    serde_json::from_str::<serde_json::Number>(&s.text)
        .ok()
        .or_else(|| s.text.parse::<i64>().ok().map(Into::into))
        .or_else(|| s.text.parse::<u64>().ok().map(Into::into))
        .or_else(|| match s.typed {
            Typed::Int(i) => i64::try_from(i).ok().map(Into::into),
            Typed::Float(f) => serde_json::Number::from_f64(f),
            _ => None,
        })
}

/// Text as a YAML scalar that stays text: JSON-quoted (YAML reads JSON strings).
pub fn quote(s: &str) -> String {
    invisible_escaped(serde_json::to_string(s).unwrap_or_default())
}

/// JSON text (valid YAML in flow) with the characters that change how text reads without
/// showing (bidi overrides and isolates, zero-width marks, C1 controls) written as `\uXXXX`,
/// so the contract reads as it is. They can only stand inside strings, where the escape
/// means the same character.
pub fn invisible_escaped(json: String) -> String {
    let hidden = |c: char| matches!(c, '\u{80}'..='\u{9f}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}' | '\u{feff}');
    if !json.chars().any(hidden) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 12);
    for c in json.chars() {
        if hidden(c) {
            let _ = std::fmt::Write::write_fmt(&mut out, format_args!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// A mapping key, quoted when YAML would read it otherwise.
pub fn key(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !name.starts_with(['-', '.'])
        && !matches!(
            name.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "~"
        );
    if plain { name.to_string() } else { quote(name) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(node: &Node, key: &str) -> Scalar {
        let map = node.as_map().unwrap();
        let (_, v) = map.iter().find(|(k, _)| k.name == key).unwrap();
        v.as_scalar().unwrap().clone()
    }

    #[test]
    fn plain_scalars_keep_their_source_text() {
        let doc = parse("version: 1.10\ncode: 01\nflag: yes\nq: \"1.10\"\n").unwrap();
        let v = scalar(&doc, "version");
        assert_eq!(v.text, "1.10");
        assert_eq!(v.typed, Typed::Float(1.1));
        assert!(!v.quoted);
        assert_eq!(scalar(&doc, "code").text, "01");
        assert_eq!(scalar(&doc, "flag").text, "yes");
        let q = scalar(&doc, "q");
        assert_eq!((q.text.as_str(), q.quoted), ("1.10", true));
    }

    #[test]
    fn keys_and_values_are_located() {
        let doc = parse("a:\n  b: 1\n").unwrap();
        let (key, inner) = &doc.as_map().unwrap()[0];
        assert_eq!((key.span.line, key.span.column), (1, 1));
        let (kb, vb) = &inner.as_map().unwrap()[0];
        assert_eq!((kb.span.line, kb.span.column), (2, 3));
        assert_eq!((vb.span.line, vb.span.column), (2, 6));
    }

    #[test]
    fn duplicate_keys_are_rejected_with_location() {
        let err = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!((err.line, err.column), (3, 1));
        assert_eq!(
            err.message,
            "duplicate key `a`: a key may appear only once in a mapping"
        );
    }
}
