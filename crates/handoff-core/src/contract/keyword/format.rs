//! `format` (a built-in format, a date pattern such as `%Y%m%d`, or a named format declared under
//! `formats:`) and `case`, which says how a code format's letters are written.
//!
//! A named format is a set of constraints of its own: the walkers apply it where it is used
//! (its JSON Schema beside the field's, its sentences inside the field's), so this module speaks
//! only for the formats that are one check.

use super::{Applies, At, Conflict, Keyword, Said};
use crate::contract::{Constraints, FormatRef, Located};
use crate::diagnostic::Code;
use crate::finding::Kind;
use crate::format::{Builtin, LetterCase, Strftime};
use serde_json::{Map, Value, json};

/// `format: NAME`: the string is a value of that format.
pub const FORMAT: Keyword = Keyword {
    name: "format",
    schema: "format",
    // A named format brings its own type, checked where the format is declared; the reader
    // looks past this for those.
    applies: Applies::Strings,
    bound: None,
    at: At::Value(|c| c.format.as_ref().map(|l| l.span)),
};

/// The letter case a code format is written in here (upper, the standard's, unless `case:`).
pub fn case(c: &Constraints) -> LetterCase {
    c.case.as_ref().map(|l| l.value).unwrap_or_default()
}

/// The keyword's JSON Schema member for a built-in format or a date pattern; a date pattern is
/// also added to `date_patterns`, which the engine must know as custom formats.
pub fn compile(
    c: &Constraints,
    schema: &mut Map<String, Value>,
    date_patterns: &mut Vec<Strftime>,
) {
    match c.format.as_ref().map(|f| &f.value) {
        Some(FormatRef::Builtin(b)) => {
            schema.insert(FORMAT.schema.into(), json!(b.format_name(case(c))));
        }
        Some(FormatRef::Strftime(s)) => {
            schema.insert(FORMAT.schema.into(), json!(s.pattern()));
            if !date_patterns.contains(s) {
                date_patterns.push(s.clone());
            }
        }
        Some(FormatRef::Named(_)) | None => {}
    }
}

/// The keyword's sentence for `explain`, for a built-in format or a date pattern.
pub fn explain(c: &Constraints, out: &mut Vec<String>) {
    match c.format.as_ref().map(|f| &f.value) {
        Some(FormatRef::Builtin(b)) => out.push(format!("must be {}", b.description_in(case(c)))),
        Some(FormatRef::Strftime(s)) => out.push(format!(
            "must be a real date or time written as {} (for example {})",
            s.pattern(),
            example(s.pattern())
        )),
        Some(FormatRef::Named(_)) | None => {}
    }
}

/// A date pattern filled in with one real date and time (2024-03-01 14:30:00).
fn example(pattern: &str) -> String {
    pattern
        .replace("%Y", "2024")
        .replace("%y", "24")
        .replace("%m", "03")
        .replace("%d", "01")
        .replace("%j", "061")
        .replace("%H", "14")
        .replace("%M", "30")
        .replace("%S", "00")
        .replace("%%", "%")
}

/// `case` beside a format it means nothing to.
pub fn conflicts(c: &Constraints, what: &str) -> Vec<Conflict> {
    let Some(written) = &c.case else {
        return Vec::new();
    };
    if matches!(
        c.format.as_ref().map(|f| &f.value),
        Some(FormatRef::Builtin(b)) if b.is_code()
    ) {
        return Vec::new();
    }
    let beside = match &c.format {
        Some(f) => format!("format `{}`", f.value.name()),
        None => "no format".to_string(),
    };
    vec![Conflict {
        code: Code::KeywordNotForType,
        span: written.span,
        message: format!(
            "`case` applies to the code formats `currency` and `country`, but {what} has {beside}"
        ),
        help: Some(match &c.format {
            Some(Located {
                value: FormatRef::Named(n),
                ..
            }) => format!(
                "write `case` in format `{n}` beside its `format: currency` or `format: country`"
            ),
            _ => "for other values, write the letters' case into a `pattern`".into(),
        }),
    }]
}

/// A string that is not a value of its format. `declared` is the format the contract names
/// (unknown when the format comes from a raw schema fragment); `engine_name` is the format as
/// the engine named it.
pub fn violated(
    declared: Option<&FormatRef>,
    engine_name: &str,
    value: &str,
    shown: &str,
    case: LetterCase,
) -> Said {
    match declared {
        Some(FormatRef::Strftime(pattern)) => {
            let why = pattern.explain_mismatch(value).unwrap_or_default();
            let noun = pattern.noun();
            Said::new(
                Kind::DateFormat,
                format!("{shown} is not a valid {} {noun}: {why}", pattern.pattern()),
                format!("a real {noun} in the form {}", pattern.pattern()),
            )
        }
        Some(FormatRef::Builtin(b)) => {
            let is_date = matches!(b, Builtin::DateTime | Builtin::Date | Builtin::Time);
            Said::new(
                if is_date {
                    Kind::DateFormat
                } else {
                    Kind::FormatMismatch
                },
                format!("{shown} is not a valid `{}`", b.name()),
                b.description_in(case),
            )
            .suggesting(if b.is_code() {
                b.suggest_in(case, value)
            } else {
                fix(*b, value)
            })
        }
        _ => Said::new(
            Kind::FormatMismatch,
            format!("{shown} is not a valid `{engine_name}`"),
            format!("a value in format `{engine_name}`"),
        ),
    }
}

/// The likely fix for a value that misses a built-in format.
fn fix(format: Builtin, value: &str) -> Option<String> {
    match format {
        Builtin::DateTime => {
            let bytes = value.as_bytes();
            let looks_local =
                bytes.len() >= 19 && bytes.get(10).is_some_and(|b| *b == b'T' || *b == b' ');
            if looks_local
                && !value.ends_with('Z')
                && !value.get(19..).unwrap_or("").contains(['+', '-'])
            {
                Some("the date-time has no UTC offset; add Z or an offset such as +01:00".into())
            } else if bytes.get(10) == Some(&b' ') {
                Some("RFC 3339 separates date and time with T, as in 2024-03-01T14:30:00Z".into())
            } else {
                None
            }
        }
        other => other.suggest(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_time_fixes() {
        assert_eq!(
            fix(Builtin::DateTime, "2024-03-01T14:30:00").as_deref(),
            Some("the date-time has no UTC offset; add Z or an offset such as +01:00")
        );
        assert_eq!(
            fix(Builtin::DateTime, "2024-03-01 14:30:00Z").as_deref(),
            Some("RFC 3339 separates date and time with T, as in 2024-03-01T14:30:00Z")
        );
        assert_eq!(fix(Builtin::DateTime, "2024-03-01T14:30:00+01:00"), None);
    }

    #[test]
    fn date_patterns_are_explained_with_a_real_date() {
        assert_eq!(example("%Y%m%d"), "20240301");
        assert_eq!(example("%d/%m/%y %H:%M"), "01/03/24 14:30");
    }

    #[test]
    fn an_unknown_format_is_named_as_the_engine_names_it() {
        let said = violated(None, "ipv4", "1.2.3", "\"1.2.3\"", LetterCase::default());
        assert_eq!(said.message, "\"1.2.3\" is not a valid `ipv4`");
        assert_eq!(said.expected, "a value in format `ipv4`");
    }
}
