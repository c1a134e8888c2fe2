//! Finds a JSON Pointer's value in the payload text, so findings quote values exactly as sent
//! (`10.50`, `1e2` and a 30-digit integer stay as they were written) and say where they are.
//!
//! Parsing for spans costs a second parse, so it happens only for payloads that failed.

use crate::finding::TextPosition;
use jsonc_parser::ast::{ObjectPropName, Value as Ast};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};

/// The text and position of values in one payload.
pub struct Locator<'t> {
    text: &'t str,
    root: Option<Ast<'t>>,
    /// Byte offsets where each line starts, for turning offsets into line and column.
    line_starts: Vec<usize>,
}

/// A value's place in the payload text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<'t> {
    pub raw: &'t str,
    pub position: TextPosition,
}

impl<'t> Locator<'t> {
    pub fn new(text: &'t str) -> Self {
        let options = ParseOptions {
            allow_comments: false,
            allow_loose_object_property_names: false,
            allow_trailing_commas: false,
            ..ParseOptions::default()
        };
        let root = parse_to_ast(text, &CollectOptions::default(), &options)
            .ok()
            .and_then(|r| r.value);
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Locator {
            text,
            root,
            line_starts,
        }
    }

    /// The value at `pointer` (RFC 6901), with its position.
    pub fn find(&self, pointer: &str) -> Option<Located<'t>> {
        let range = self.node_at(pointer)?.range();
        Some(Located {
            raw: self.text.get(range.start..range.end)?,
            position: self.position(range.start),
        })
    }

    /// The position of the member name `name` inside the object at `pointer`; used for members
    /// that should not be there at all.
    pub fn find_key(&self, pointer: &str, name: &str) -> Option<TextPosition> {
        match self.node_at(pointer)? {
            Ast::Object(obj) => {
                let prop = obj
                    .properties
                    .iter()
                    .rev()
                    .find(|p| prop_name(&p.name) == name)?;
                Some(self.position(prop.range.start))
            }
            _ => None,
        }
    }

    fn node_at(&self, pointer: &str) -> Option<&Ast<'t>> {
        let mut node = self.root.as_ref()?;
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
                Ast::Object(obj) => {
                    &obj.properties
                        .iter()
                        .rev()
                        .find(|p| prop_name(&p.name) == segment)?
                        .value
                }
                Ast::Array(arr) => arr.elements.get(segment.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    pub fn position(&self, offset: usize) -> TextPosition {
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count());
        TextPosition {
            line: line as u64,
            column: column as u64 + 1,
        }
    }
}

fn prop_name(name: &ObjectPropName<'_>) -> String {
    match name {
        ObjectPropName::String(s) => s.value.to_string(),
        ObjectPropName::Word(w) => w.value.to_string(),
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
