//! The contract language's constraint keywords, one module per family.
//!
//! A family's module owns everything about its keywords that is not the YAML syntax itself:
//! their names (in the contract and in the JSON Schema they compile to), the values they apply
//! to, which way a change of their value moves what is accepted, their JSON Schema, their
//! sentences in `explain`, the finding a violation of them becomes and the fix it can suggest,
//! and the consistency checks made when a contract is loaded. The modules that walk a contract
//! (the reader, `compile`, `explain`, `check`, `diff`, `import`) ask the family instead of each
//! knowing every keyword, so adding or changing a keyword touches its module and the table
//! below.
//!
//! `nullable`, named formats and the object keywords other than `closed` (`fields`, `items`,
//! `values`, `keys`, `one_of`, `rules`) shape the walk itself and are handled by the walkers.

pub mod decimal;
pub mod enumeration;
pub mod format;
pub mod items;
pub mod length;
pub mod members;
pub mod pattern;
pub mod presence;
pub mod range;
pub mod types;

use super::{Constraints, Field, FieldType, FormatRef};
use crate::diagnostic::Code;
use crate::finding::Kind;
use crate::yaml::Span;

/// One constraint keyword of the contract language.
#[derive(Debug)]
pub struct Keyword {
    /// What the contract calls it (`max_length`).
    pub name: &'static str,
    /// The JSON Schema keyword it compiles to and is imported from (`maxLength`); handoff's own
    /// keywords are `x-handoff-...`.
    pub schema: &'static str,
    /// The values it constrains.
    pub applies: Applies,
    /// How raising its value moves what is accepted, for keywords that are limits.
    pub bound: Option<Bound>,
    /// Where its value is written, to find its line.
    pub at: At,
}

/// The values a keyword constrains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    /// Strings (and what a string format describes).
    Strings,
    /// Integers and numbers.
    Numbers,
    /// Numbers and strings that hold decimal numbers.
    Decimals,
    /// Arrays.
    Arrays,
    /// Objects.
    Objects,
    /// Any value.
    Any,
}

impl Applies {
    /// Whether a field of type `ty` can hold what the keyword constrains.
    pub fn accepts(self, ty: FieldType) -> bool {
        match self {
            Applies::Strings => ty == FieldType::String,
            Applies::Numbers => ty.is_numeric(),
            Applies::Decimals => matches!(ty, FieldType::String | FieldType::Number),
            Applies::Arrays => ty == FieldType::Array,
            Applies::Objects => ty == FieldType::Object,
            Applies::Any => true,
        }
    }

    /// The fields it fits, for "`minimum` applies to integer and number fields".
    pub fn fits(self) -> &'static str {
        match self {
            Applies::Strings => "string",
            Applies::Numbers => "integer and number",
            Applies::Decimals => "number and decimal-string",
            Applies::Arrays => "array",
            Applies::Objects => "object",
            Applies::Any => "all",
        }
    }
}

/// Which way a limit moves what is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// A lower limit: raising it (or adding it) accepts less.
    Lower,
    /// An upper limit: lowering it (or adding it) accepts less.
    Upper,
}

impl Bound {
    /// Whether moving the limit from `old` to `new` tightens it (`Some(true)`: fewer values are
    /// accepted), loosens it (`Some(false)`), or leaves it (`None`).
    pub fn tightened<T: PartialOrd>(self, old: Option<T>, new: Option<T>) -> Option<bool> {
        match (old, new) {
            (None, Some(_)) => Some(true),
            (Some(_), None) => Some(false),
            (Some(a), Some(b)) if a == b => None,
            (Some(a), Some(b)) => match self {
                Bound::Lower => a.partial_cmp(&b).map(|o| o.is_lt()),
                Bound::Upper => a.partial_cmp(&b).map(|o| o.is_gt()),
            },
            (None, None) => None,
        }
    }
}

/// Where a keyword's value is written.
#[derive(Debug, Clone, Copy)]
pub enum At {
    /// Among a value's constraints (on a field, a named format, a rule or `keys:`).
    Value(fn(&Constraints) -> Option<Span>),
    /// On a field only (arrays' and objects' own keywords).
    Field(fn(&Field) -> Option<Span>),
}

impl Keyword {
    /// The keyword's span among these constraints, if it is written there.
    pub fn span_in(&self, c: &Constraints) -> Option<Span> {
        match self.at {
            At::Value(span) => span(c),
            At::Field(_) => None,
        }
    }

    /// The keyword's span on this field (among its own constraints for a value keyword).
    pub fn span_on(&self, f: &Field) -> Option<Span> {
        match self.at {
            At::Value(span) => span(&f.constraints),
            At::Field(span) => span(f),
        }
    }
}

/// Every keyword the families own, in the order a person writes a field's limits.
pub const ALL: &[&Keyword] = &[
    &types::TYPE,
    &presence::REQUIRED,
    &enumeration::ENUM,
    &pattern::PATTERN,
    &length::MIN_LENGTH,
    &length::MAX_LENGTH,
    &length::MAX_BYTES,
    &format::FORMAT,
    &range::MINIMUM,
    &range::MAXIMUM,
    &range::EXCLUSIVE_MINIMUM,
    &range::EXCLUSIVE_MAXIMUM,
    &decimal::DECIMAL,
    &items::MIN_ITEMS,
    &items::MAX_ITEMS,
    &items::UNIQUE_ITEMS,
    &members::CLOSED,
];

/// The keyword the contract calls `name`.
pub fn named(name: &str) -> Option<&'static Keyword> {
    ALL.iter().copied().find(|k| k.name == name)
}

/// The keyword a JSON Schema keyword is compiled from (or imported as).
pub fn from_schema(schema_keyword: &str) -> Option<&'static Keyword> {
    ALL.iter().copied().find(|k| k.schema == schema_keyword)
}

/// The contract's name for a JSON Schema keyword handoff compiles to or imports from
/// (`maxLength`: `max_length`); any other keyword keeps its own name.
pub fn contract_name(schema_keyword: &str) -> &str {
    from_schema(schema_keyword).map_or(schema_keyword, |k| k.name)
}

/// What a violation of a keyword says: the finding's kind, message, expectation and, where the
/// evidence names one, the likely fix. Where it happened and which line said so are the
/// checker's to add.
#[derive(Debug, Clone, PartialEq)]
pub struct Said {
    /// The violation kind.
    pub kind: Kind,
    /// What is wrong with the value, quoting it as shown.
    pub message: String,
    /// What the contract expects instead.
    pub expected: String,
    /// The likely fix, when the value makes it plain.
    pub suggestion: Option<String>,
}

impl Said {
    fn new(kind: Kind, message: String, expected: String) -> Said {
        Said {
            kind,
            message,
            expected,
            suggestion: None,
        }
    }

    fn suggesting(mut self, suggestion: Option<String>) -> Said {
        self.suggestion = suggestion;
        self
    }
}

/// A problem a contract's own constraints have (a keyword its type cannot hold, a minimum above
/// its maximum), found as it loads: what the reader reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The diagnostic's code.
    pub code: Code,
    /// The keyword at fault.
    pub span: Span,
    /// What is wrong, naming the keywords and their values.
    pub message: String,
    /// How to fix it, where that is not plain from the message.
    pub help: Option<String>,
}

impl Conflict {
    fn range(span: Span, message: String) -> Conflict {
        Conflict {
            code: Code::InvalidRange,
            span,
            message,
            help: None,
        }
    }
}

/// Every conflict in one value's constraints: `what` names the value in messages ("field
/// `/total`"), `ty` is the type it has (its own or its named format's).
pub fn conflicts(c: &Constraints, what: &str, ty: Option<FieldType>) -> Vec<Conflict> {
    let mut out = Vec::new();
    if let Some(ty) = ty {
        for k in ALL {
            let Some(span) = k.span_in(c) else { continue };
            // A named format brings its own type and is checked where it is declared.
            let named = std::ptr::eq(*k, &format::FORMAT)
                && matches!(
                    c.format.as_ref().map(|f| &f.value),
                    Some(FormatRef::Named(_))
                );
            if !named && !k.applies.accepts(ty) {
                out.push(Conflict {
                    code: Code::KeywordNotForType,
                    span,
                    message: format!(
                        "`{}` applies to {} fields, but {what} is {}",
                        k.name,
                        k.applies.fits(),
                        ty.with_article()
                    ),
                    help: None,
                });
            }
        }
        out.extend(decimal::conflicts(c, ty));
    }
    out.extend(format::conflicts(c, what));
    out.extend(length::conflicts(c));
    out.extend(range::conflicts(c));
    out
}

/// "1 character", "3 characters".
pub(crate) fn plural(n: u64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// Longest text a "did you mean" is looked for: edit distance costs the product of the two
/// lengths, and a 100 KB value is no typo of an enum value.
const MAX_SUGGEST_CHARS: usize = 256;
/// Candidates scored at most per suggestion, after the length filter.
const MAX_SCORED: usize = 2_000;

/// The candidate closest to `text` by edit distance, if any is close enough to be a typo.
pub(crate) fn best_match<'a>(
    text: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let len = text.chars().count();
    if len > MAX_SUGGEST_CHARS {
        return None;
    }
    let lower = text.to_lowercase();
    candidates
        // A score of 0.6 allows an edit distance of at most 0.4 x the longer length, and the
        // distance is at least the difference in length: candidates outside that cannot match.
        .filter(|c| {
            let n = c.chars().count();
            n.abs_diff(len) * 10 <= n.max(len) * 4
        })
        .take(MAX_SCORED)
        .map(|c| {
            (
                strsim::normalized_damerau_levenshtein(&lower, &c.to_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_both_ways() {
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert_ne!(a.name, b.name);
                assert_ne!(a.schema, b.schema);
            }
            assert_eq!(named(a.name).map(|k| k.schema), Some(a.schema));
            assert_eq!(from_schema(a.schema).map(|k| k.name), Some(a.name));
        }
    }

    /// A constraint keyword the reader accepts has a family here, or is one the walkers handle
    /// because it shapes the walk: a new keyword fails this until it is given its module.
    #[test]
    fn every_constraint_keyword_has_a_family() {
        const WALKED: &[&str] = &[
            "nullable",
            "items",
            "fields",
            "values",
            "keys",
            "one_of",
            "rules",
            "schema",
            "case",
            "description",
            "example",
            "sensitive",
            "deprecated",
        ];
        let accepted = crate::contract::keywords();
        for k in ALL {
            assert!(
                accepted.contains(&k.name),
                "the reader does not accept `{}`",
                k.name
            );
        }
        let constraint_keys = super::super::read::VALUE_KEYS
            .iter()
            .chain(super::super::read::FIELD_ONLY_KEYS);
        for key in constraint_keys {
            assert!(
                named(key).is_some() || WALKED.contains(key),
                "`{key}` has no module in contract::keyword and is not one the walkers handle"
            );
        }
    }

    #[test]
    fn bounds_move_the_right_way() {
        assert_eq!(Bound::Lower.tightened(Some(1), Some(2)), Some(true));
        assert_eq!(Bound::Lower.tightened(Some(2), Some(1)), Some(false));
        assert_eq!(Bound::Upper.tightened(Some(2), Some(1)), Some(true));
        assert_eq!(Bound::Upper.tightened(None, Some(1)), Some(true));
        assert_eq!(Bound::Upper.tightened(Some(1), None), Some(false));
        assert_eq!(Bound::Upper.tightened(Some(1), Some(1)), None);
        assert_eq!(Bound::Upper.tightened(Some(f64::NAN), Some(1.0)), None);
    }
}
