//! `enum` and `const`: the values a subschema admits, as a sorted table of strings and flags
//! for the rest.

use super::tape::Kind;
use super::{Compiler, Instance, Keyword, Verdict};
use serde_json::{Map, Value};

pub(crate) struct Enum {
    /// The admitted strings, sorted.
    strings: Vec<Box<str>>,
    null: bool,
    true_: bool,
    false_: bool,
    /// The admitted numbers, as written.
    numbers: Vec<Box<str>>,
    /// Some admitted value is an array or an object.
    containers: bool,
}

pub(crate) fn compile<'s>(
    _: &mut Compiler<'s>,
    map: &'s Map<String, Value>,
    out: &mut Vec<Keyword>,
) -> usize {
    let mut read = 0;
    if let Some(options) = map.get("enum") {
        read += 1;
        out.push(match options {
            Value::Array(options) => Keyword::Enum(Enum::of(options)),
            _ => Keyword::Unsupported,
        });
    }
    if let Some(value) = map.get("const") {
        read += 1;
        out.push(Keyword::Enum(Enum::of(std::slice::from_ref(value))));
    }
    read
}

impl Enum {
    fn of(options: &[Value]) -> Enum {
        let mut e = Enum {
            strings: Vec::new(),
            null: false,
            true_: false,
            false_: false,
            numbers: Vec::new(),
            containers: false,
        };
        for option in options {
            match option {
                Value::String(s) => e.strings.push(s.as_str().into()),
                Value::Null => e.null = true,
                Value::Bool(true) => e.true_ = true,
                Value::Bool(false) => e.false_ = true,
                Value::Number(n) => e.numbers.push(n.as_str().into()),
                Value::Array(_) | Value::Object(_) => e.containers = true,
            }
        }
        e.strings.sort_unstable();
        e
    }

    pub(crate) fn check(&self, instance: Instance<'_, '_>) -> Verdict {
        match instance.kind() {
            Kind::String => {
                let s = instance.string().unwrap_or_default();
                Verdict::of(self.strings.binary_search_by(|o| (**o).cmp(&s)).is_ok())
            }
            Kind::Null => Verdict::of(self.null),
            Kind::True => Verdict::of(self.true_),
            Kind::False => Verdict::of(self.false_),
            Kind::Number => {
                let text = instance.number().map_or("", |n| n.0);
                if self.numbers.iter().any(|n| **n == *text) {
                    Verdict::Valid
                } else if self.numbers.is_empty() {
                    Verdict::Invalid
                } else {
                    // `1` equals `1.0` in JSON Schema: numbers written differently are left
                    // to the exact path.
                    Verdict::Unknown
                }
            }
            Kind::Array | Kind::Object if self.containers => Verdict::Unknown,
            Kind::Array | Kind::Object => Verdict::Invalid,
        }
    }
}
