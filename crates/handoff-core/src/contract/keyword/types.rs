//! `type` (one of the JSON types, a list of them, or a type declared under `types:`) and the
//! null a non-nullable field refuses, as the engine reports both: through JSON Schema's `type`.

use super::{Applies, At, Keyword, Said};
use crate::contract::FieldType;
use crate::contract::keyword::decimal::major_units;
use crate::finding::Kind;
use serde_json::{Map, Value, json};

/// `type: NAME` or `type: [A, B]`.
pub const TYPE: Keyword = Keyword {
    name: "type",
    schema: "type",
    applies: Applies::Any,
    bound: None,
    at: At::Value(|c| {
        c.ty.as_ref()
            .map(|t| t.span)
            .or(c.any_of_types.as_ref().map(|t| t.span))
    }),
};

/// The keyword's JSON Schema member: the type (or types) a value takes, resolved by the caller
/// (a named format gives its type to the field), and null beside them when it is nullable.
pub fn compile(types: &[FieldType], nullable: bool, schema: &mut Map<String, Value>) {
    // An untyped value takes anything, null included: nullability needs a type to extend.
    if types.is_empty() {
        return;
    }
    let mut names: Vec<Value> = types.iter().map(|t| json!(t.name())).collect();
    if nullable {
        names.push(json!("null"));
    }
    let written = if names.len() == 1 {
        names.remove(0)
    } else {
        Value::Array(names)
    };
    schema.insert(TYPE.schema.into(), written);
}

/// A value of another JSON type, or a null where the field is not nullable. `expected` is the
/// engine's list of JSON Schema type names; `raw` the value as sent; `decimal_places` what the
/// field's `decimal` says, to read a whole number as minor units.
pub fn violated(
    expected: &[String],
    instance: Option<&Value>,
    raw: Option<&str>,
    decimal_places: Option<u32>,
) -> Said {
    let wanted = expected
        .iter()
        .filter(|t| *t != "null")
        .map(|t| a_or_an(t))
        .collect::<Vec<_>>()
        .join(" or ");
    if instance.is_some_and(Value::is_null) {
        return Said::new(
            Kind::NullNotAllowed,
            "null is not allowed here".into(),
            format!("{wanted} (the field is not nullable)"),
        );
    }
    let nullable = expected.iter().any(|t| t == "null");
    Said::new(
        Kind::WrongType,
        format!(
            "expected {wanted}, found {}",
            a_or_an(json_type_name(instance))
        ),
        if nullable {
            format!("{wanted} or null")
        } else {
            wanted
        },
    )
    .suggesting(fix(expected, instance, raw, decimal_places))
}

/// A JSON type name with its article ("an integer"); JSON Schema's names are the field types
/// plus `null`, which takes none.
fn a_or_an(word: &str) -> String {
    FieldType::from_name(word).map_or_else(|| word.to_string(), FieldType::with_article)
}

/// The JSON Schema type name of a value (a whole number is an integer).
fn json_type_name(value: Option<&Value>) -> &'static str {
    match value {
        None | Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => "integer",
        Some(Value::Number(_)) => "number",
        Some(Value::String(_)) => "string",
        Some(Value::Array(_)) => "array",
        Some(Value::Object(_)) => "object",
    }
}

/// The same data in the JSON type the field takes, when the conversion is obvious.
fn fix(
    expected: &[String],
    instance: Option<&Value>,
    raw: Option<&str>,
    decimal_places: Option<u32>,
) -> Option<String> {
    let instance = instance?;
    let wants = |t: &str| expected.iter().any(|e| e == t);
    match instance {
        Value::Number(n) if wants("string") => {
            let raw = raw.unwrap_or("");
            let scaled = decimal_places
                .filter(|&places| places > 0)
                .zip(n.as_i64())
                .and_then(|(places, int)| Some((places, int, i128::from(int).checked_mul(10i128.checked_pow(places)?)?)));
            match scaled {
                Some((places, int, as_major)) => Some(format!(
                    "send the amount as a decimal string such as \"{}\"; if {raw} is in minor units (cents), that is \"{}\"",
                    major_units(as_major, places),
                    major_units(i128::from(int), places)
                )),
                None => Some(format!("send it as a string: \"{raw}\"")),
            }
        }
        Value::Bool(b) if wants("string") => Some(format!("send it as a string: \"{b}\"")),
        Value::String(s) if wants("boolean") && (s == "true" || s == "false") => {
            Some(format!("send a JSON boolean, {s}, without quotes"))
        }
        // Padding or a plus sign is why a CSV or X12 cell is not read as a number, and would
        // be as wrong in JSON: the fix is the same everywhere.
        Value::String(s)
            if (wants("integer") || wants("number"))
                && let Some(plain) = padded_number(s) =>
        {
            Some(format!(
                "write it as {plain}, without a plus sign or spaces around it"
            ))
        }
        Value::String(s) if wants("integer") => match (s.parse::<i64>(), s.parse::<f64>()) {
            (Ok(int), _) => Some(format!("send a JSON number, {int}, without quotes")),
            (_, Ok(f)) if f.is_finite() => Some(format!(
                "this field takes an integer; if \"{s}\" is an amount in major units, in minor units (cents) it is {}",
                (f * 100.0).round()
            )),
            _ => None,
        },
        Value::String(s) if wants("number") && s.parse::<f64>().is_ok_and(f64::is_finite) => {
            Some(format!("send a JSON number, {s}, without quotes"))
        }
        Value::Number(n) if wants("integer") && n.is_f64() => n.as_f64().map(|f| {
            format!(
                "this field takes an integer; if {} is an amount in major units, in minor units (cents) it is {}",
                raw.unwrap_or(""),
                (f * 100.0).round()
            )
        }),
        _ => None,
    }
}

/// The number inside `s` when only padding or a leading `+` keeps it from being one.
fn padded_number(s: &str) -> Option<&str> {
    let plain = s.trim().trim_start_matches('+');
    (plain != s && plain.parse::<f64>().is_ok_and(f64::is_finite)).then_some(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(expected: &[&str], value: &str, places: Option<u32>) -> Said {
        let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        let instance: Value = serde_json::from_str(value).unwrap();
        violated(&expected, Some(&instance), Some(value), places)
    }

    #[test]
    fn wrong_types_and_their_fixes() {
        let s = said(&["string"], "1999", Some(2));
        assert_eq!(s.kind, Kind::WrongType);
        assert_eq!(s.message, "expected a string, found an integer");
        assert_eq!(
            s.suggestion.as_deref(),
            Some(
                "send the amount as a decimal string such as \"1999.00\"; if 1999 is in minor units (cents), that is \"19.99\""
            )
        );
        let s = said(&["integer", "null"], "\" 12\"", None);
        assert_eq!(s.expected, "an integer or null");
        assert_eq!(
            s.suggestion.as_deref(),
            Some("write it as 12, without a plus sign or spaces around it")
        );
        let s = said(&["boolean"], "\"true\"", None);
        assert_eq!(
            s.suggestion.as_deref(),
            Some("send a JSON boolean, true, without quotes")
        );
    }

    #[test]
    fn null_is_its_own_kind() {
        let s = said(&["string"], "null", None);
        assert_eq!(s.kind, Kind::NullNotAllowed);
        assert_eq!(s.expected, "a string (the field is not nullable)");
        assert_eq!(s.suggestion, None);
    }

    #[test]
    fn compiles_one_type_or_a_list() {
        let mut schema = Map::new();
        compile(&[FieldType::String], false, &mut schema);
        assert_eq!(schema["type"], json!("string"));
        compile(&[FieldType::String], true, &mut schema);
        assert_eq!(schema["type"], json!(["string", "null"]));
        let mut none = Map::new();
        compile(&[], true, &mut none);
        assert!(none.is_empty());
    }
}
