//! The adapter around the `jsonschema` crate: the only module that imports it.
//!
//! It builds one validator per compiled contract (offline, draft 2020-12, formats asserted,
//! linear-time `regex` patterns, handoff's custom formats and keywords registered) and reports
//! errors in handoff's own [`Violation`] type, so the rest of the program never depends on the
//! engine's error model and an engine upgrade touches one file.

use crate::compile::{Compiled, DECIMAL_KEYWORD, MAX_BYTES_KEYWORD};
use crate::format::Builtin;
use jsonschema::error::ValidationErrorKind;
use jsonschema::{Keyword, PatternOptions, ValidationError, Validator};
use serde_json::{Map, Value};
use std::fmt;

/// A compiled, reusable validator for one contract.
pub struct Engine {
    validator: Validator,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Engine")
    }
}

/// One engine error, in handoff's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Where in the payload (RFC 6901 JSON Pointer).
    pub instance_path: String,
    /// Where in the compiled schema, ending in the keyword that failed.
    pub schema_path: String,
    pub detail: Detail,
    /// For a failing member name (`propertyNames`), the name.
    pub key: Option<String>,
}

/// What failed, with the keyword's parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    Required {
        property: String,
    },
    Type {
        expected: Vec<String>,
    },
    Enum {
        options: Vec<Value>,
    },
    Const {
        expected: Value,
    },
    Pattern {
        pattern: String,
    },
    Format {
        format: String,
    },
    MinLength {
        limit: u64,
    },
    MaxLength {
        limit: u64,
    },
    Minimum {
        limit: Value,
        exclusive: bool,
    },
    Maximum {
        limit: Value,
        exclusive: bool,
    },
    MinItems {
        limit: u64,
    },
    MaxItems {
        limit: u64,
    },
    UniqueItems,
    AdditionalProperties {
        unexpected: Vec<String>,
    },
    /// A member a rule forbids (a `false` subschema).
    FalseSchema,
    MaxBytes {
        limit: u64,
    },
    Decimal {
        places: u32,
        exact: bool,
        reason: String,
    },
    /// Anything else, from a raw schema fragment: the engine's own words.
    Other {
        keyword: String,
        message: String,
    },
}

impl Engine {
    /// Build the validator for a compiled contract.
    pub fn build(compiled: &Compiled) -> Result<Engine, String> {
        Engine::options(&compiled.date_patterns)
            .build(&compiled.schema)
            .map(|validator| Engine { validator })
            .map_err(|err| err.to_string())
    }

    /// The engine's options: draft, formats asserted, patterns, handoff's keywords and formats.
    fn options(
        date_patterns: &[crate::format::Strftime],
    ) -> jsonschema::ValidationOptions<'static> {
        let mut options = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .with_pattern_options(PatternOptions::regex())
            .with_keyword(DECIMAL_KEYWORD, decimal_factory)
            .with_keyword(MAX_BYTES_KEYWORD, max_bytes_factory)
            // Ranges are decided on the number as written: the engine compares a fractional
            // value with more than 15 significant digits as a float, so 1000.0000000000000001
            // would pass `maximum: 1000` (found by tests/it/numbers.rs against a decimal oracle).
            .with_keyword("minimum", |_, v, _| range_factory(v, Bound::Minimum))
            .with_keyword("maximum", |_, v, _| range_factory(v, Bound::Maximum))
            .with_keyword("exclusiveMinimum", |_, v, _| {
                range_factory(v, Bound::ExclusiveMinimum)
            })
            .with_keyword("exclusiveMaximum", |_, v, _| {
                range_factory(v, Bound::ExclusiveMaximum)
            });
        for builtin in Builtin::ALL.iter().filter(|b| !b.is_json_schema_native()) {
            for case in crate::format::LetterCase::ALL {
                let (b, case) = (*builtin, *case);
                options =
                    options.with_format(b.format_name(case), move |s: &str| b.check_in(case, s));
            }
        }
        for pattern in date_patterns {
            let p = pattern.clone();
            options = options.with_format(pattern.pattern(), move |s: &str| p.matches(s));
        }
        options
    }

    pub fn is_valid(&self, instance: &Value) -> bool {
        self.validator.is_valid(instance)
    }

    /// Every violation in `instance`, in the engine's order.
    /// At most `limit` of them, and how many more there are: a 12 MB payload of nothing but
    /// faults must not hold a million of them in memory at once.
    pub fn violations(&self, instance: &Value, limit: usize) -> (Vec<Violation>, u64) {
        let mut errors = self.validator.iter_errors(instance);
        let listed: Vec<Violation> = errors.by_ref().take(limit).map(|e| convert(&e)).collect();
        (listed, errors.count() as u64)
    }
}

/// A `pattern` compiled as the engine compiles it: translated from ECMA-262 by the engine's own
/// translator, then built with the `regex` crate (linear time). `None` where the engine would
/// refuse the pattern.
pub fn pattern(pattern: &str) -> Option<regex::Regex> {
    let translated = jsonschema_regex::to_rust_regex(pattern).ok()?;
    regex::Regex::new(&translated).ok()
}

/// One `format` checked by the engine itself, on a string: for the native engine's standard
/// formats (date-time, email, uuid, ...), so both engines judge a value by the same code.
pub struct FormatCheck(Validator);

impl FormatCheck {
    /// The check for format `name`; `None` for a name the engine does not know (which it
    /// ignores, and the native engine leaves to it).
    pub fn new(name: &str) -> Option<FormatCheck> {
        if !STANDARD_FORMATS.contains(&name) {
            return None;
        }
        Engine::options(&[])
            .build(&serde_json::json!({"format": name}))
            .ok()
            .map(FormatCheck)
    }

    pub fn holds(&self, value: &str) -> bool {
        self.0.is_valid(&Value::String(value.to_string()))
    }
}

/// The formats of draft 2020-12 this engine asserts (without the `idna` feature).
const STANDARD_FORMATS: &[&str] = &[
    "date",
    "date-time",
    "duration",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "iri",
    "iri-reference",
    "json-pointer",
    "regex",
    "relative-json-pointer",
    "time",
    "uri",
    "uri-reference",
    "uri-template",
    "uuid",
];

/// Why `fragment` is not a usable JSON Schema, if it is not.
pub fn schema_fragment_error(fragment: &Value) -> Option<String> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .with_pattern_options(PatternOptions::regex())
        .build(fragment)
        .err()
        .map(|e| e.to_string())
}

fn convert(error: &ValidationError<'_>) -> Violation {
    // A member name that breaks `propertyNames`: the inner error says how, about the name.
    if let ValidationErrorKind::PropertyNames { error: inner } = error.kind() {
        let name = convert(inner);
        return Violation {
            instance_path: error.instance_path().as_str().to_string(),
            schema_path: error.schema_path().as_str().to_string(),
            detail: name.detail,
            key: inner.instance().as_str().map(str::to_string),
        };
    }
    let detail = match error.kind() {
        ValidationErrorKind::Required { property } => Detail::Required {
            property: property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_string),
        },
        ValidationErrorKind::Type { kind } => Detail::Type {
            expected: match kind {
                jsonschema::error::TypeKind::Single(t) => vec![t.to_string()],
                jsonschema::error::TypeKind::Multiple(set) => {
                    set.iter().map(|t| t.to_string()).collect()
                }
            },
        },
        ValidationErrorKind::Enum { options } => Detail::Enum {
            options: options.as_array().cloned().unwrap_or_default(),
        },
        ValidationErrorKind::Constant { expected_value } => Detail::Const {
            expected: expected_value.as_ref().clone(),
        },
        ValidationErrorKind::Pattern { pattern } => Detail::Pattern {
            pattern: pattern.clone(),
        },
        ValidationErrorKind::Format { format } => Detail::Format {
            format: format.clone(),
        },
        ValidationErrorKind::MinLength { limit } => Detail::MinLength { limit: *limit },
        ValidationErrorKind::MaxLength { limit } => Detail::MaxLength { limit: *limit },
        ValidationErrorKind::Minimum { limit } => Detail::Minimum {
            limit: limit.clone(),
            exclusive: false,
        },
        ValidationErrorKind::ExclusiveMinimum { limit } => Detail::Minimum {
            limit: limit.clone(),
            exclusive: true,
        },
        ValidationErrorKind::Maximum { limit } => Detail::Maximum {
            limit: limit.clone(),
            exclusive: false,
        },
        ValidationErrorKind::ExclusiveMaximum { limit } => Detail::Maximum {
            limit: limit.clone(),
            exclusive: true,
        },
        ValidationErrorKind::MinItems { limit } => Detail::MinItems { limit: *limit },
        ValidationErrorKind::MaxItems { limit } => Detail::MaxItems { limit: *limit },
        ValidationErrorKind::UniqueItems => Detail::UniqueItems,
        ValidationErrorKind::AdditionalProperties { unexpected } => Detail::AdditionalProperties {
            unexpected: unexpected.clone(),
        },
        ValidationErrorKind::FalseSchema => Detail::FalseSchema,
        ValidationErrorKind::Custom { message, .. } => {
            decode_custom(error.schema_path().as_str(), message)
        }
        _ => Detail::Other {
            keyword: error.kind().keyword().to_string(),
            message: error.to_string(),
        },
    };
    Violation {
        instance_path: error.instance_path().as_str().to_string(),
        schema_path: error.schema_path().as_str().to_string(),
        detail,
        key: None,
    }
}

/// Custom keywords report through a message; decode it back into a typed detail.
fn decode_custom(schema_path: &str, message: &str) -> Detail {
    let keyword = schema_path.rsplit('/').next().unwrap_or("");
    if let Some(bound) = Bound::from_keyword(keyword)
        && let Ok(limit) = serde_json::from_str::<Value>(message)
    {
        let exclusive = matches!(bound, Bound::ExclusiveMinimum | Bound::ExclusiveMaximum);
        return match bound {
            Bound::Minimum | Bound::ExclusiveMinimum => Detail::Minimum { limit, exclusive },
            Bound::Maximum | Bound::ExclusiveMaximum => Detail::Maximum { limit, exclusive },
        };
    }
    let parts: Vec<&str> = message.splitn(3, '|').collect();
    if schema_path.ends_with(MAX_BYTES_KEYWORD)
        && let Some(limit) = parts.first().and_then(|p| p.parse().ok())
    {
        return Detail::MaxBytes { limit };
    }
    if schema_path.ends_with(DECIMAL_KEYWORD)
        && let [places, exact, reason] = parts.as_slice()
        && let (Ok(places), Ok(exact)) = (places.parse(), exact.parse())
    {
        return Detail::Decimal {
            places,
            exact,
            reason: reason.to_string(),
        };
    }
    Detail::Other {
        keyword: schema_path.rsplit('/').next().unwrap_or("").to_string(),
        message: message.to_string(),
    }
}

#[derive(Clone, Copy)]
enum Bound {
    Minimum,
    Maximum,
    ExclusiveMinimum,
    ExclusiveMaximum,
}

impl Bound {
    fn from_keyword(keyword: &str) -> Option<Bound> {
        Some(match keyword {
            "minimum" => Bound::Minimum,
            "maximum" => Bound::Maximum,
            "exclusiveMinimum" => Bound::ExclusiveMinimum,
            "exclusiveMaximum" => Bound::ExclusiveMaximum,
            _ => return None,
        })
    }

    fn admits(self, order: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Bound::Minimum => order != Less,
            Bound::Maximum => order != Greater,
            Bound::ExclusiveMinimum => order == Greater,
            Bound::ExclusiveMaximum => order == Less,
        }
    }
}

/// `minimum`, `maximum` and their exclusive forms, on the decimal text of both numbers.
struct Range {
    bound: Bound,
    limit: serde_json::Number,
    exact: crate::decimal::Limit,
}

impl<'i> Keyword<'i> for Range {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        if self.is_valid(instance) {
            Ok(())
        } else {
            Err(ValidationError::custom(self.limit.to_string()))
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        match instance {
            Value::Number(n) => self
                .exact
                .compare(n.as_str())
                .is_none_or(|order| self.bound.admits(order)),
            _ => true,
        }
    }
}

fn range_factory<'a>(
    value: &'a Value,
    bound: Bound,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
    match value {
        Value::Number(limit) => match crate::decimal::Limit::new(limit.as_str()) {
            Some(exact) => Ok(Box::new(Range {
                bound,
                limit: limit.clone(),
                exact,
            })),
            None => Err(ValidationError::custom("a range limit must be a number")),
        },
        _ => Err(ValidationError::custom("a range limit must be a number")),
    }
}

struct MaxBytes(u64);

impl<'i> Keyword<'i> for MaxBytes {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        if self.is_valid(instance) {
            Ok(())
        } else {
            Err(ValidationError::custom(self.0.to_string()))
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        instance.as_str().is_none_or(|s| s.len() as u64 <= self.0)
    }
}

fn max_bytes_factory<'a>(
    _parent: &'a Map<String, Value>,
    value: &'a Value,
    _path: jsonschema::paths::Location,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
    value
        .as_u64()
        .map(|n| Box::new(MaxBytes(n)) as Box<dyn for<'i> Keyword<'i>>)
        .ok_or_else(|| {
            ValidationError::custom(format!("{MAX_BYTES_KEYWORD} must be a whole number"))
        })
}

/// Checks decimal places of a JSON number or a decimal string.
pub struct DecimalPlaces {
    pub places: u32,
    pub exact: bool,
}

impl DecimalPlaces {
    /// Why `instance` fails, or `None`. Non-numeric, non-string values are another keyword's business.
    pub fn explain(&self, instance: &Value) -> Option<String> {
        match instance {
            Value::String(s) => self.explain_string(s),
            Value::Number(n) => self.explain_number(n.as_str()),
            _ => None,
        }
    }

    /// Why a decimal string fails, or `None`.
    pub fn explain_string(&self, s: &str) -> Option<String> {
        if !is_decimal_string(s) {
            return Some("not a decimal number".into());
        }
        self.explain_places(s.split_once('.').map_or(0, |(_, frac)| frac.len() as u64))
    }

    /// Why a JSON number, given as its text, fails, or `None`.
    pub fn explain_number(&self, text: &str) -> Option<String> {
        // Numbers keep their text as sent (serde_json's arbitrary precision), so places are
        // counted exactly: `1.0000000000000000000001` has 22, not the 0 of its nearest float.
        self.explain_places(crate::decimal::Decimal::parse(text).map_or(0, |d| d.places()))
    }

    fn explain_places(&self, found: u64) -> Option<String> {
        let found = u32::try_from(found).unwrap_or(u32::MAX);
        let ok = if self.exact {
            found == self.places
        } else {
            found <= self.places
        };
        (!ok).then(|| match found {
            0 => "no decimal places".to_string(),
            1 => "1 decimal place".to_string(),
            n => format!("{n} decimal places"),
        })
    }
}

/// `-12.50`, `0`, `3.1`: optional minus, digits, optional point followed by digits.
fn is_decimal_string(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = s.split_once('.').unwrap_or((s, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

impl<'i> Keyword<'i> for DecimalPlaces {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        match self.explain(instance) {
            None => Ok(()),
            Some(reason) => Err(ValidationError::custom(format!(
                "{}|{}|{reason}",
                self.places, self.exact
            ))),
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        self.explain(instance).is_none()
    }
}

fn decimal_factory<'a>(
    _parent: &'a Map<String, Value>,
    value: &'a Value,
    _path: jsonschema::paths::Location,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
    let places = value
        .get("places")
        .and_then(Value::as_u64)
        .and_then(|p| u32::try_from(p).ok());
    let exact = value.get("exact").and_then(Value::as_bool);
    match (places, exact) {
        (Some(places), Some(exact)) => Ok(Box::new(DecimalPlaces { places, exact })),
        _ => Err(ValidationError::custom(format!(
            "{DECIMAL_KEYWORD} needs places and exact"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decimal_places_on_strings_and_numbers() {
        let exact2 = DecimalPlaces {
            places: 2,
            exact: true,
        };
        assert_eq!(exact2.explain(&json!("10.50")), None);
        assert_eq!(
            exact2.explain(&json!("10.5")).as_deref(),
            Some("1 decimal place")
        );
        assert_eq!(
            exact2.explain(&json!("1050")).as_deref(),
            Some("no decimal places")
        );
        assert_eq!(
            exact2.explain(&json!("10,50")).as_deref(),
            Some("not a decimal number")
        );
        assert_eq!(
            exact2.explain(&json!("1e3")).as_deref(),
            Some("not a decimal number")
        );
        let at_most2 = DecimalPlaces {
            places: 2,
            exact: false,
        };
        assert_eq!(at_most2.explain(&json!(10.5)), None);
        assert_eq!(at_most2.explain(&json!(10)), None);
        assert_eq!(
            at_most2.explain(&json!(10.125)).as_deref(),
            Some("3 decimal places")
        );
        assert_eq!(at_most2.explain(&json!(true)), None);
    }
}
