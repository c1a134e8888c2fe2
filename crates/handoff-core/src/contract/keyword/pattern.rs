//! `pattern`: a regular expression (the `regex` crate's syntax, which JSON Schema's
//! ECMA-262 patterns mostly share) that a string must match as a whole.

use super::{Applies, At, Keyword, Said};
use crate::contract::Constraints;
use crate::finding::Kind;
use serde_json::{Map, Value, json};

/// `pattern: ^...$`: the string matches.
pub const PATTERN: Keyword = Keyword {
    name: "pattern",
    schema: "pattern",
    applies: Applies::Strings,
    bound: None,
    at: At::Value(|c| c.pattern.as_ref().map(|l| l.span)),
};

/// What is wrong with a pattern as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// It does not compile: why, in one line.
    Invalid(String),
    /// It compiles but is not anchored at both ends, so it matches anywhere inside a value:
    /// the anchored pattern to write instead.
    Unanchored(String),
}

/// The pattern's problem, if it has one.
pub fn problem(pattern: &str) -> Option<Problem> {
    if let Err(err) = regex::Regex::new(pattern) {
        return Some(Problem::Invalid(error_summary(&err)));
    }
    (!pattern.starts_with('^') || !pattern.ends_with('$')).then(|| {
        Problem::Unanchored(format!(
            "^{}$",
            pattern.trim_start_matches('^').trim_end_matches('$')
        ))
    })
}

/// The regex crate's errors span several lines with a caret; keep the line that says why.
pub fn error_summary(err: &regex::Error) -> String {
    let text = err.to_string();
    text.lines()
        .rev()
        .find(|l| l.trim_start().starts_with("error:"))
        .map(|l| {
            l.trim_start()
                .trim_start_matches("error:")
                .trim()
                .to_string()
        })
        .unwrap_or(text)
}

/// The keyword's JSON Schema member.
pub fn compile(c: &Constraints, schema: &mut Map<String, Value>) {
    if let Some(p) = &c.pattern {
        schema.insert(PATTERN.schema.into(), json!(p.value));
    }
}

/// The keyword's sentence for `explain`.
pub fn explain(c: &Constraints, out: &mut Vec<String>) {
    if let Some(p) = &c.pattern {
        out.push(format!("must match the regular expression {}", p.value));
    }
}

/// A string the pattern does not match.
pub fn violated(value: Option<&str>, shown: &str, pattern: &str) -> Said {
    Said::new(
        Kind::PatternMismatch,
        format!("{shown} does not match the pattern"),
        format!("a string matching `{pattern}`"),
    )
    .suggesting(value.and_then(|v| near_miss(v, pattern)))
}

/// A near variant of `value` (trimmed, upper- or lower-cased) that the pattern accepts.
fn near_miss(value: &str, pattern: &str) -> Option<String> {
    let re = regex::Regex::new(pattern).ok()?;
    let trimmed = value.trim();
    let candidates = [
        trimmed.to_string(),
        trimmed.to_uppercase(),
        trimmed.to_lowercase(),
    ];
    let fix = candidates
        .into_iter()
        .find(|c| c != value && re.is_match(c))?;
    Some(if fix == trimmed {
        format!("without the surrounding spaces, \"{fix}\" would match")
    } else {
        format!("did you mean \"{fix}\"? the pattern is case-sensitive")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses() {
        let sku = "^[A-Z]{3}-[0-9]{4,6}$";
        assert_eq!(
            near_miss("mug-55120", sku).unwrap(),
            "did you mean \"MUG-55120\"? the pattern is case-sensitive"
        );
        assert_eq!(
            near_miss(" MUG-55120", sku).unwrap(),
            "without the surrounding spaces, \"MUG-55120\" would match"
        );
        assert_eq!(near_miss("MUG55120", sku), None);
    }

    #[test]
    fn problems() {
        assert_eq!(problem("^[A-Z]{3}$"), None);
        assert_eq!(
            problem("[A-Z]{3}"),
            Some(Problem::Unanchored("^[A-Z]{3}$".into()))
        );
        assert!(
            matches!(problem("^[A-Z$"), Some(Problem::Invalid(why)) if why == "unclosed character class")
        );
    }
}
