//! Cross-field rules: checks between values (`equals`, `count`, `sum`, `compare`, `unique`)
//! that JSON Schema cannot say. The checker runs them after the schema, on the parsed payload.
//!
//! Every pointer in a rule is relative to the object the rule is declared on and may step
//! into every array item with `*` (`/line_items/*/price`).

use crate::yaml::Span;
use std::fmt;

/// A pointer that may hold `*` steps: its member names, `*` for "every item".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pattern {
    pub steps: Vec<String>,
}

impl Pattern {
    pub fn has_wildcard(&self) -> bool {
        self.steps.iter().any(|s| s == "*")
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for step in &self.steps {
            if step == "*" {
                f.write_str("/*")?;
            } else {
                write!(f, "/{}", crate::pointer::escape(step))?;
            }
        }
        Ok(())
    }
}

/// One term of a sum: a value, or the product of two values of the same array item
/// (`/line_items/*/price * /line_items/*/quantity`), added or subtracted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Term {
    pub negative: bool,
    pub factors: Vec<Pattern>,
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        let parts: Vec<String> = self.factors.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join(" * "))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl Op {
    pub const SYMBOLS: &'static [&'static str] = &["<", "<=", ">", ">="];

    pub fn from_symbol(symbol: &str) -> Option<Op> {
        Some(match symbol {
            "<" => Op::Less,
            "<=" => Op::LessOrEqual,
            ">" => Op::Greater,
            ">=" => Op::GreaterOrEqual,
            _ => return None,
        })
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Op::Less => "<",
            Op::LessOrEqual => "<=",
            Op::Greater => ">",
            Op::GreaterOrEqual => ">=",
        }
    }

    /// "at most", "later than or equal to": for sentences.
    pub fn words(self) -> &'static str {
        match self {
            Op::Less => "less than",
            Op::LessOrEqual => "at most",
            Op::Greater => "greater than",
            Op::GreaterOrEqual => "at least",
        }
    }

    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        matches!(
            (self, ordering),
            (Op::Less, Less)
                | (Op::LessOrEqual, Less | Equal)
                | (Op::Greater, Greater)
                | (Op::GreaterOrEqual, Greater | Equal)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Check {
    /// Every value matched by the patterns equals the first one found.
    Equals(Vec<Pattern>),
    /// The number of values `items` matches is the value at `equals`.
    Count { items: Pattern, equals: Pattern },
    /// The terms add up to the value at `equals`, within `tolerance` (decimal text).
    Sum {
        terms: Vec<Term>,
        equals: Pattern,
        tolerance: Option<String>,
    },
    /// `left op right`, for numbers, decimal strings, dates and timestamps.
    Compare {
        left: Pattern,
        op: Op,
        right: Pattern,
    },
    /// No two values the pattern matches are equal.
    Unique(Pattern),
}

impl Check {
    /// The rule's stable name, as written in the contract.
    pub fn name(&self) -> &'static str {
        match self {
            Check::Equals(_) => "equals",
            Check::Count { .. } => "count",
            Check::Sum { .. } => "sum",
            Check::Compare { .. } => "compare",
            Check::Unique(_) => "unique",
        }
    }

    /// Every pattern the rule reads.
    pub fn patterns(&self) -> Vec<&Pattern> {
        match self {
            Check::Equals(list) => list.iter().collect(),
            Check::Count { items, equals } => vec![items, equals],
            Check::Sum { terms, equals, .. } => terms
                .iter()
                .flat_map(|t| &t.factors)
                .chain(std::iter::once(equals))
                .collect(),
            Check::Compare { left, right, .. } => vec![left, right],
            Check::Unique(p) => vec![p],
        }
    }
}

impl fmt::Display for Check {
    /// The rule in plain words, for `explain` and `diff`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::Equals(list) => {
                let (first, rest) = list.split_first().expect("a rule names two pointers");
                let names: Vec<String> = rest.iter().map(|p| format!("`{p}`")).collect();
                if rest.len() == 1 && !rest[0].has_wildcard() {
                    write!(f, "{} equals `{first}`", names[0])
                } else {
                    write!(f, "every value at {} equals `{first}`", names.join(", "))
                }
            }
            Check::Count { items, equals } => {
                write!(f, "`{equals}` is the number of values at `{items}`")
            }
            Check::Sum {
                terms,
                equals,
                tolerance,
            } => {
                let mut sum = String::new();
                for (i, t) in terms.iter().enumerate() {
                    let body: Vec<String> = t.factors.iter().map(|p| format!("`{p}`")).collect();
                    let body = body.join(" x ");
                    let body = if t.factors.iter().any(Pattern::has_wildcard) {
                        format!("the sum of {body}")
                    } else {
                        body
                    };
                    match (i, t.negative) {
                        (0, false) => sum.push_str(&body),
                        (0, true) => sum.push_str(&format!("minus {body}")),
                        (_, false) => sum.push_str(&format!(" plus {body}")),
                        (_, true) => sum.push_str(&format!(" minus {body}")),
                    }
                }
                write!(f, "`{equals}` is {sum}")?;
                if let Some(t) = tolerance {
                    write!(f, ", give or take {t}")?;
                }
                Ok(())
            }
            Check::Compare { left, op, right } => {
                write!(f, "`{left}` is {} `{right}`", op.words())
            }
            Check::Unique(p) => write!(f, "no two values at `{p}` are the same"),
        }
    }
}

/// A cross-field rule as declared: what it checks and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossRule {
    pub span: Span,
    pub check: Check,
    pub description: Option<String>,
}
