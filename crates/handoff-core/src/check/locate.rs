//! Finds a JSON Pointer's value in the payload text, so findings quote values exactly as sent
//! (`10.50`, `1e2` and a 30-digit integer stay as they were written) and say where they are.
//!
//! Parsing for spans costs a second parse, so it happens only for payloads that failed. It is
//! the native engine's tape (byte ranges of every value, no tree), and a full syntax tree only
//! where the tape declines the text (repeated member names, which the tree reports).

use crate::finding::TextPosition;
use crate::native::tape::{self, Kind, Token};
use crate::text_index::TextIndex;
use jsonc_parser::ast::{Object, ObjectPropName, Value as Ast};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

/// Objects with more members than this get a hash index on first lookup, so finding each of
/// 30,000 unknown members is not a scan of all 30,000.
const INDEXED_MEMBERS: usize = 32;

/// The text and position of values in one payload.
pub struct Locator<'t> {
    text: &'t str,
    tree: Tree<'t>,
    index: TextIndex<'t>,
    /// Member name -> index of its last occurrence (of its key token, on a tape), per large
    /// object (keyed by its offset, or its token).
    members: RefCell<HashMap<usize, HashMap<Cow<'t, str>, usize>>>,
}

/// What values are found in.
enum Tree<'t> {
    Tape(Vec<Token>),
    Ast(Option<Ast<'t>>),
}

/// A value in the tree.
#[derive(Clone, Copy)]
enum Node<'a, 't> {
    Tape(usize),
    Ast(&'a Ast<'t>),
}

/// A member name an object repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate<'t> {
    /// The member's pointer (the object's pointer and the name).
    pub pointer: String,
    pub name: String,
    /// Each occurrence's value as written, and where it is, in document order.
    pub occurrences: Vec<(&'t str, TextPosition)>,
    /// Where each occurrence's name is.
    pub key_positions: Vec<TextPosition>,
}

/// A value's place in the payload text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<'t> {
    pub raw: &'t str,
    pub position: TextPosition,
}

impl<'t> Locator<'t> {
    /// The locator of `text` on the tape the native engine made of it.
    pub(crate) fn with_tape(text: &'t str, tokens: Vec<Token>) -> Self {
        Locator {
            text,
            tree: Tree::Tape(tokens),
            index: TextIndex::new(text),
            members: RefCell::new(HashMap::new()),
        }
    }

    pub fn new(text: &'t str) -> Self {
        let mut tokens = Vec::new();
        let tree = if tape::scan(text.as_bytes(), &mut tokens).is_ok() {
            Tree::Tape(tokens)
        } else {
            let options = ParseOptions {
                allow_comments: false,
                allow_loose_object_property_names: false,
                allow_trailing_commas: false,
                ..ParseOptions::default()
            };
            Tree::Ast(
                parse_to_ast(text, &CollectOptions::default(), &options)
                    .ok()
                    .and_then(|r| r.value),
            )
        };
        Locator {
            text,
            tree,
            index: TextIndex::new(text),
            members: RefCell::new(HashMap::new()),
        }
    }

    /// The value at `pointer` (RFC 6901), with its position.
    pub fn find(&self, pointer: &str) -> Option<Located<'t>> {
        let range = self.range(pointer)?;
        Some(Located {
            raw: self.text.get(range.clone())?,
            position: self.position(range.start),
        })
    }

    /// The byte range of the value at `pointer`.
    pub fn range(&self, pointer: &str) -> Option<std::ops::Range<usize>> {
        Some(self.node_range(self.node_at(pointer)?))
    }

    fn node_range(&self, node: Node<'_, 't>) -> std::ops::Range<usize> {
        match node {
            Node::Ast(ast) => {
                let range = ast.range();
                range.start..range.end
            }
            Node::Tape(at) => {
                let t = self.tokens()[at];
                let (a, b) = (t.a as usize, t.b as usize);
                // A string's token spans its text; its value as written has its quotes.
                if t.kind == Kind::String {
                    a - 1..b + 1
                } else {
                    a..b
                }
            }
        }
    }

    /// The position of the member name `name` inside the object at `pointer`; used for members
    /// that should not be there at all.
    pub fn find_key(&self, pointer: &str, name: &str) -> Option<TextPosition> {
        match self.node_at(pointer)? {
            Node::Ast(Ast::Object(obj)) => {
                let prop = &obj.properties[self.member(obj, name)?];
                Some(self.position(prop.range.start))
            }
            Node::Tape(at) if self.tokens()[at].kind == Kind::Object => {
                let key = self.tape_member(at, name)?;
                Some(self.position(self.tokens()[key].a as usize - 1))
            }
            _ => None,
        }
    }

    fn tokens(&self) -> &[Token] {
        match &self.tree {
            Tree::Tape(tokens) => tokens,
            Tree::Ast(_) => &[],
        }
    }

    fn node_at(&self, pointer: &str) -> Option<Node<'_, 't>> {
        let mut node = match &self.tree {
            Tree::Tape(_) => Node::Tape(0),
            Tree::Ast(root) => Node::Ast(root.as_ref()?),
        };
        if pointer.is_empty() {
            return Some(node);
        }
        for segment in pointer
            .strip_prefix('/')?
            .split('/')
            .map(crate::pointer::unescape)
        {
            node = match node {
                // With duplicate keys, JSON parsers keep the last; so do we.
                Node::Ast(Ast::Object(obj)) => {
                    Node::Ast(&obj.properties[self.member(obj, &segment)?].value)
                }
                Node::Ast(Ast::Array(arr)) => {
                    Node::Ast(arr.elements.get(segment.parse::<usize>().ok()?)?)
                }
                Node::Ast(_) => return None,
                Node::Tape(at) => {
                    let tape = tape::Tape {
                        text: self.text,
                        tokens: self.tokens(),
                    };
                    match tape.tokens[at].kind {
                        Kind::Object => Node::Tape(self.tape_member(at, &segment)? + 1),
                        Kind::Array => {
                            Node::Tape(tape.items(at).nth(segment.parse::<usize>().ok()?)?)
                        }
                        _ => return None,
                    }
                }
            };
        }
        Some(node)
    }

    /// The key token of member `name` of the object token at `at` (the tape has no repeated
    /// names).
    fn tape_member(&self, at: usize, name: &str) -> Option<usize> {
        let tape = tape::Tape {
            text: self.text,
            tokens: self.tokens(),
        };
        let name_of = |key: usize| -> Cow<'t, str> {
            let t = tape.tokens[key];
            let raw = &self.text[t.a as usize..t.b as usize];
            if t.flag {
                Cow::Owned(tape::unescape(raw))
            } else {
                Cow::Borrowed(raw)
            }
        };
        if tape.tokens[at].n as usize <= INDEXED_MEMBERS {
            return tape
                .members(at)
                .map(|(k, _)| k)
                .find(|&k| name_of(k) == name);
        }
        let mut members = self.members.borrow_mut();
        let index = members
            .entry(at)
            .or_insert_with(|| tape.members(at).map(|(k, _)| (name_of(k), k)).collect());
        index.get(name).copied()
    }

    /// Every member name that an object in the payload repeats, in document order.
    pub fn duplicate_keys(&self) -> Vec<Duplicate<'t>> {
        let mut out = Vec::new();
        // The tape is only made of text without repeated names.
        if let Tree::Ast(Some(root)) = &self.tree {
            self.collect_duplicates(root, &mut String::new(), &mut out);
        }
        out
    }

    fn collect_duplicates(
        &self,
        node: &Ast<'t>,
        pointer: &mut String,
        out: &mut Vec<Duplicate<'t>>,
    ) {
        let len = pointer.len();
        match node {
            Ast::Object(obj) => {
                let mut seen: HashMap<&str, Vec<usize>> = HashMap::new();
                for (i, p) in obj.properties.iter().enumerate() {
                    seen.entry(prop_name(&p.name)).or_default().push(i);
                }
                let mut repeated: Vec<&Vec<usize>> =
                    seen.values().filter(|v| v.len() > 1).collect();
                repeated.sort();
                for indexes in repeated {
                    let name = prop_name(&obj.properties[indexes[0]].name);
                    let occurrences = indexes
                        .iter()
                        .map(|&i| {
                            let range = obj.properties[i].value.range();
                            (
                                &self.text[range.start..range.end],
                                self.position(range.start),
                            )
                        })
                        .collect();
                    out.push(Duplicate {
                        pointer: format!("{pointer}/{}", crate::pointer::escape(name)),
                        name: name.to_string(),
                        occurrences,
                        key_positions: indexes
                            .iter()
                            .map(|&i| self.position(obj.properties[i].range.start))
                            .collect(),
                    });
                }
                for p in &obj.properties {
                    pointer.push('/');
                    pointer.push_str(&crate::pointer::escape(prop_name(&p.name)));
                    self.collect_duplicates(&p.value, pointer, out);
                    pointer.truncate(len);
                }
            }
            Ast::Array(arr) => {
                for (i, item) in arr.elements.iter().enumerate() {
                    pointer.push('/');
                    pointer.push_str(&i.to_string());
                    self.collect_duplicates(item, pointer, out);
                    pointer.truncate(len);
                }
            }
            _ => {}
        }
    }

    /// The index of member `name` in `obj`. With duplicate keys, JSON parsers keep the last;
    /// so do we.
    fn member(&self, obj: &Object<'t>, name: &str) -> Option<usize> {
        if obj.properties.len() <= INDEXED_MEMBERS {
            return obj
                .properties
                .iter()
                .rposition(|p| prop_name(&p.name) == name);
        }
        let mut members = self.members.borrow_mut();
        let index = members.entry(obj.range.start).or_insert_with(|| {
            obj.properties
                .iter()
                .enumerate()
                .map(|(i, p)| (prop_name_cow(&p.name), i))
                .collect()
        });
        index.get(name).copied()
    }

    pub fn position(&self, offset: usize) -> TextPosition {
        let (line, column) = self.index.position(offset);
        TextPosition { line, column }
    }
}

fn prop_name<'a>(name: &'a ObjectPropName<'_>) -> &'a str {
    match name {
        ObjectPropName::String(s) => &s.value,
        ObjectPropName::Word(w) => w.value,
    }
}

fn prop_name_cow<'t>(name: &ObjectPropName<'t>) -> Cow<'t, str> {
    match name {
        ObjectPropName::String(s) => s.value.clone(),
        ObjectPropName::Word(w) => Cow::Borrowed(w.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_values_exactly_as_written() {
        let text = "{\n  \"total\": 10.50,\n  \"id\": 123456789012345678901234567890,\n  \"items\": [{\"a/b\": \"x\"}]\n}";
        let locator = Locator::new(text);
        let total = locator.find("/total").unwrap();
        assert_eq!(total.raw, "10.50");
        assert_eq!(
            total.position,
            TextPosition {
                line: 2,
                column: 12
            }
        );
        assert_eq!(
            locator.find("/id").unwrap().raw,
            "123456789012345678901234567890"
        );
        assert_eq!(locator.find("/items/0/a~1b").unwrap().raw, "\"x\"");
        assert_eq!(locator.find("/items/1"), None);
        assert_eq!(
            locator.find_key("/items/0", "a/b"),
            Some(TextPosition {
                line: 4,
                column: 14
            })
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let locator = Locator::new("{\"név\": \"é\", \"x\": 1}");
        assert_eq!(
            locator.find("/x").unwrap().position,
            TextPosition {
                line: 1,
                column: 19
            }
        );
    }
}
