//! `minimum`, `maximum`, `exclusive_minimum`, `exclusive_maximum`: the range of a number.
//! Limits are kept as written and compared exactly (see `crate::decimal`), so `0.1` is 0.1.

use super::{Applies, At, Bound, Conflict, Keyword, Said};
use crate::contract::Constraints;
use crate::finding::Kind;
use serde_json::{Map, Value};

/// `minimum: N`: at least N.
pub const MINIMUM: Keyword = Keyword {
    name: "minimum",
    schema: "minimum",
    applies: Applies::Numbers,
    bound: Some(Bound::Lower),
    at: At::Value(|c| c.minimum.as_ref().map(|l| l.span)),
};

/// `maximum: N`: at most N.
pub const MAXIMUM: Keyword = Keyword {
    name: "maximum",
    schema: "maximum",
    applies: Applies::Numbers,
    bound: Some(Bound::Upper),
    at: At::Value(|c| c.maximum.as_ref().map(|l| l.span)),
};

/// `exclusive_minimum: N`: more than N.
pub const EXCLUSIVE_MINIMUM: Keyword = Keyword {
    name: "exclusive_minimum",
    schema: "exclusiveMinimum",
    applies: Applies::Numbers,
    bound: Some(Bound::Lower),
    at: At::Value(|c| c.exclusive_minimum.as_ref().map(|l| l.span)),
};

/// `exclusive_maximum: N`: less than N.
pub const EXCLUSIVE_MAXIMUM: Keyword = Keyword {
    name: "exclusive_maximum",
    schema: "exclusiveMaximum",
    applies: Applies::Numbers,
    bound: Some(Bound::Upper),
    at: At::Value(|c| c.exclusive_maximum.as_ref().map(|l| l.span)),
};

/// The family's JSON Schema members; the limits are the numbers as written.
pub fn compile(c: &Constraints, schema: &mut Map<String, Value>) {
    for (keyword, limit) in [
        (&MINIMUM, &c.minimum),
        (&MAXIMUM, &c.maximum),
        (&EXCLUSIVE_MINIMUM, &c.exclusive_minimum),
        (&EXCLUSIVE_MAXIMUM, &c.exclusive_maximum),
    ] {
        if let Some(n) = limit {
            schema.insert(keyword.schema.into(), Value::Number(n.value.clone()));
        }
    }
}

/// The family's sentences for `explain`, lower limits first.
pub fn explain(c: &Constraints, out: &mut Vec<String>) {
    for (limit, phrase) in [
        (&c.minimum, "at least"),
        (&c.exclusive_minimum, "more than"),
        (&c.maximum, "at most"),
        (&c.exclusive_maximum, "less than"),
    ] {
        if let Some(n) = limit {
            out.push(format!("{phrase} {}", n.value));
        }
    }
}

/// Limits no number can meet together.
pub fn conflicts(c: &Constraints) -> Vec<Conflict> {
    let mut out = Vec::new();
    if let (Some(lo), Some(hi)) = (&c.minimum, &c.maximum)
        && let (Some(a), Some(b)) = (lo.value.as_f64(), hi.value.as_f64())
        && a > b
    {
        out.push(Conflict::range(
            lo.span,
            format!("minimum {a} is more than maximum {b}"),
        ));
    }
    if let (Some(lo), Some(hi)) = (&c.exclusive_minimum, &c.exclusive_maximum)
        && lo.value.as_f64() >= hi.value.as_f64()
    {
        out.push(Conflict::range(
            lo.span,
            format!(
                "exclusive_minimum {} leaves no room below exclusive_maximum {}",
                lo.value, hi.value
            ),
        ));
    }
    out
}

/// A number under its lower limit (`above: false`) or over its upper one.
pub fn violated(shown: &str, limit: &Value, exclusive: bool, above: bool) -> Said {
    let (side, bound) = match (above, exclusive) {
        (false, false) => ("minimum", "at least"),
        (false, true) => ("minimum", "more than"),
        (true, false) => ("maximum", "at most"),
        (true, true) => ("maximum", "less than"),
    };
    Said::new(
        Kind::OutOfRange,
        format!(
            "{shown} is {} the {}{side}",
            if above { "above" } else { "below" },
            if exclusive { "exclusive " } else { "" }
        ),
        format!("{bound} {limit}"),
    )
}

/// The keyword behind a violated limit, for its line.
pub fn keyword(exclusive: bool, above: bool) -> &'static Keyword {
    match (above, exclusive) {
        (false, false) => &MINIMUM,
        (false, true) => &EXCLUSIVE_MINIMUM,
        (true, false) => &MAXIMUM,
        (true, true) => &EXCLUSIVE_MAXIMUM,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn says_which_limit() {
        let said = violated("-1", &json!(0), false, false);
        assert_eq!(said.message, "-1 is below the minimum");
        assert_eq!(said.expected, "at least 0");
        let said = violated("100", &json!(100), true, true);
        assert_eq!(said.message, "100 is above the exclusive maximum");
        assert_eq!(said.expected, "less than 100");
        assert_eq!(keyword(true, false).name, "exclusive_minimum");
    }
}
