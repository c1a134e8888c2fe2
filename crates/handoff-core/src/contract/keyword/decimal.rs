//! `decimal: {exactly: N}` / `decimal: {at_most: N}`: the decimal places of an amount, for money
//! sent as a string ("10.50") or a JSON number, compared on the digits as sent.

use super::{Applies, At, Conflict, Keyword, Said, plural};
use crate::contract::{Constraints, Decimal, FieldType};
use crate::diagnostic::Code;
use crate::finding::Kind;
use serde_json::{Map, Value, json};

/// handoff's JSON Schema keyword for `decimal`: `{"places": N, "exact": bool}`.
pub const DECIMAL_SCHEMA: &str = "x-handoff-decimal";

/// `decimal`: how many decimal places an amount has.
pub const DECIMAL: Keyword = Keyword {
    name: "decimal",
    schema: DECIMAL_SCHEMA,
    applies: Applies::Decimals,
    // Not a plain limit: `exactly 2` and `exactly 3` each reject the other's amounts.
    bound: None,
    at: At::Value(|c| c.decimal.as_ref().map(|l| l.span)),
};

/// The keyword's JSON Schema member.
pub fn compile(c: &Constraints, schema: &mut Map<String, Value>) {
    if let Some(d) = &c.decimal {
        schema.insert(
            DECIMAL_SCHEMA.into(),
            json!({"places": d.value.places, "exact": d.value.exact}),
        );
    }
}

/// The keyword's sentence for `explain`.
pub fn explain(c: &Constraints, out: &mut Vec<String>) {
    if let Some(d) = &c.decimal {
        let places = d.value.places;
        out.push(if d.value.exact {
            format!("exactly {places} decimal places, as in {}", example(places))
        } else {
            format!("at most {places} decimal places")
        });
    }
}

fn example(places: u32) -> String {
    if places == 0 {
        "\"12\"".into()
    } else {
        format!("\"12.{}\"", "5".repeat(places as usize))
    }
}

/// `decimal: {exactly: N}` on a JSON number, which cannot keep trailing zeros.
pub fn conflicts(c: &Constraints, ty: FieldType) -> Vec<Conflict> {
    match &c.decimal {
        Some(d) if d.value.exact && ty == FieldType::Number => vec![Conflict {
            code: Code::KeywordNotForType,
            span: d.span,
            message: format!(
                "`decimal: {{exactly: {}}}` cannot be checked on a JSON number",
                d.value.places
            ),
            help: Some("a JSON number does not keep trailing zeros (10.50 arrives as 10.5); use `at_most`, or type: string for money sent as \"10.50\"".into()),
        }],
        _ => Vec::new(),
    }
}

/// Whether changing `decimal` from `old` to `new` accepts fewer amounts (`Some(true)`), more
/// (`Some(false)`), or the same.
pub fn tightened(old: Option<Decimal>, new: Option<Decimal>) -> Option<bool> {
    match (old, new) {
        (None, Some(_)) => Some(true),
        (Some(_), None) => Some(false),
        (Some(a), Some(b)) if a != b => Some(if a.exact && b.exact {
            // Any change to an exact count rejects the amounts that used to be right.
            true
        } else {
            b.places < a.places || b.exact
        }),
        _ => None,
    }
}

/// The setting in words, for a diff.
pub fn describe(d: Option<Decimal>) -> String {
    match d {
        None => "no limit".to_string(),
        Some(d) if d.exact => format!("exactly {}", d.places),
        Some(d) => format!("at most {}", d.places),
    }
}

/// An amount with the wrong number of places, or no decimal number at all. `reason` is the
/// engine's ("not a decimal number", "3 decimal places").
pub fn violated(
    instance: Option<&Value>,
    shown: &str,
    places: u32,
    exact: bool,
    reason: &str,
) -> Said {
    let message = if reason == "not a decimal number" {
        let odd: String = instance
            .and_then(Value::as_str)
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_numeric() && !c.is_ascii_digit())
            .take(3)
            .collect();
        if odd.is_empty() {
            format!("{shown} is not a decimal number")
        } else {
            format!("{shown} is not a decimal number: {odd} is not an ASCII digit 0-9")
        }
    } else {
        format!("{shown} has {reason}")
    };
    Said::new(
        Kind::DecimalPrecision,
        message,
        format!(
            "{} {}",
            if exact { "exactly" } else { "at most" },
            plural(u64::from(places), "decimal place")
        ),
    )
    .suggesting(instance.and_then(|i| fix(i, places, exact)))
}

/// The value written with the expected places, and the minor-units reading of a whole number.
fn fix(instance: &Value, places: u32, exact: bool) -> Option<String> {
    let text = instance.as_str()?;
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits_only(int) || !digits_only(frac) {
        return None;
    }
    if exact && (frac.len() as u32) < places {
        let padded = format!(
            "{text}{}{}",
            if frac.is_empty() { "." } else { "" },
            "0".repeat(places as usize - frac.len())
        );
        return Some(match (frac.is_empty(), minor_units(instance, places)) {
            (true, Some(minor)) => {
                format!("write \"{padded}\" if {text} is in major units; {minor}")
            }
            _ => format!("write \"{padded}\""),
        });
    }
    None
}

/// An amount without decimals where decimals are due is often in minor units (cents).
pub fn minor_units(instance: &Value, places: u32) -> Option<String> {
    if places == 0 {
        return None;
    }
    let (digits, quoted) = match instance {
        Value::String(s) => (s.as_str().to_string(), true),
        Value::Number(n) if n.is_i64() || n.is_u64() => (n.to_string(), false),
        _ => return None,
    };
    let unsigned = digits.strip_prefix('-').unwrap_or(&digits);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let amount: i128 = digits.parse().ok()?;
    let major = major_units(amount, places);
    Some(if quoted {
        format!("this looks like minor units (cents): {digits} would be \"{major}\" in major units")
    } else {
        format!("this looks like minor units (cents): {digits} would be {major} in major units")
    })
}

/// An amount in minor units written in major units with `places` decimals (1999, 2: "19.99").
pub fn major_units(minor: i128, places: u32) -> String {
    // Contracts allow at most 30 places, and 10^30 fits; saturate rather than trust that here.
    let scale = 10u128.checked_pow(places).unwrap_or(u128::MAX);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = places as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn money_hints() {
        assert_eq!(
            minor_units(&json!("1999"), 2).unwrap(),
            "this looks like minor units (cents): 1999 would be \"19.99\" in major units"
        );
        assert_eq!(
            minor_units(&json!(-5), 2).unwrap(),
            "this looks like minor units (cents): -5 would be -0.05 in major units"
        );
        assert_eq!(minor_units(&json!("19.9"), 2), None);
        assert_eq!(
            fix(&json!("1999"), 2, true).unwrap(),
            "write \"1999.00\" if 1999 is in major units; this looks like minor units (cents): 1999 would be \"19.99\" in major units"
        );
        assert_eq!(fix(&json!("24.0"), 2, true).unwrap(), "write \"24.00\"");
        assert_eq!(fix(&json!("24.001"), 2, false), None);
        assert_eq!(major_units(123456, 3), "123.456");
    }

    #[test]
    fn a_changed_exact_count_always_tightens() {
        let d = |places, exact| Some(Decimal { places, exact });
        assert_eq!(tightened(d(2, true), d(3, true)), Some(true));
        assert_eq!(tightened(d(2, false), d(3, false)), Some(false));
        assert_eq!(tightened(d(3, false), d(2, false)), Some(true));
        assert_eq!(tightened(d(2, false), d(2, true)), Some(true));
        assert_eq!(tightened(None, d(2, false)), Some(true));
        assert_eq!(tightened(d(2, false), d(2, false)), None);
        assert_eq!(describe(d(2, true)), "exactly 2");
    }

    #[test]
    fn not_a_number_names_the_odd_digits() {
        let said = violated(
            Some(&json!("١٠")),
            "\"١٠\"",
            2,
            true,
            "not a decimal number",
        );
        assert_eq!(
            said.message,
            "\"١٠\" is not a decimal number: ١٠ is not an ASCII digit 0-9"
        );
        assert_eq!(said.expected, "exactly 2 decimal places");
    }
}
