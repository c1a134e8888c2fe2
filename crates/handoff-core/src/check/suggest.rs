//! Suggestions for the violations of `type` and `format`: the likely intended value, where one
//! can be named (a number sent as a string, a date-time without its offset). The other
//! keywords' suggestions live with the keyword, in `contract::keyword`. A suggestion is offered
//! only when the evidence is specific; a vague guess is worse than none.

use crate::contract::keyword::decimal::major_units;
use crate::format::Builtin;
use serde_json::Value;

/// The same data in the JSON type the field takes, when the conversion is obvious.
pub fn for_type(
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

pub fn for_builtin(format: Builtin, value: &str) -> Option<String> {
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
