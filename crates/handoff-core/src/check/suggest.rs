//! Suggestions: the likely intended value behind a violation, where one can be named.
//!
//! Each suggestion answers "what should have been sent?": the closest allowed enum value, the
//! 5-digit ZIP inside a ZIP+4, the major-unit amount behind a minor-unit integer. A suggestion
//! is offered only when the evidence is specific; a vague guess is worse than none.

use crate::format::Builtin;
use serde_json::Value;

/// The allowed value closest to `value`: same text in another case, or a near spelling.
pub fn closest_enum(value: &Value, options: &[Value]) -> Option<String> {
    let text = value.as_str()?;
    let strings = options.iter().filter_map(Value::as_str);
    if let Some(same) = strings.clone().find(|o| o.eq_ignore_ascii_case(text)) {
        return Some(format!(
            "did you mean \"{same}\"? values are case-sensitive"
        ));
    }
    let normalized = |s: &str| s.to_lowercase().replace(['-', ' '], "_");
    if let Some(same) = strings.clone().find(|o| normalized(o) == normalized(text)) {
        return Some(format!("did you mean \"{same}\"?"));
    }
    best_match(text, strings).map(|close| format!("did you mean \"{close}\"?"))
}

/// A declared name close to a misspelt member name.
pub fn closest_name<'a>(name: &str, declared: &[&'a str]) -> Option<&'a str> {
    if let Some(same) = declared.iter().find(|d| d.eq_ignore_ascii_case(name)) {
        return Some(same);
    }
    best_match(name, declared.iter().copied())
}

/// Longest value a "did you mean" is looked for: edit distance costs the product of the two
/// lengths, and a 100 KB value is no typo of an enum value.
const MAX_SUGGEST_CHARS: usize = 256;
/// Candidates scored at most per suggestion, after the length filter.
const MAX_SCORED: usize = 2_000;

fn best_match<'a>(text: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
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
                    format_major(as_major, places),
                    format_major(i128::from(int), places)
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

/// The value written with the expected places, and the minor-units reading of a whole number.
/// The number inside `s` when only padding or a leading `+` keeps it from being one.
fn padded_number(s: &str) -> Option<&str> {
    let plain = s.trim().trim_start_matches('+');
    (plain != s && plain.parse::<f64>().is_ok_and(f64::is_finite)).then_some(plain)
}

pub fn decimal(instance: &Value, places: u32, exact: bool) -> Option<String> {
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
    let major = format_major(amount, places);
    Some(if quoted {
        format!("this looks like minor units (cents): {digits} would be \"{major}\" in major units")
    } else {
        format!("this looks like minor units (cents): {digits} would be {major} in major units")
    })
}

fn format_major(minor: i128, places: u32) -> String {
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

/// A near variant of `value` (trimmed, upper- or lower-cased) that the pattern accepts.
pub fn for_pattern(value: &str, pattern: &str) -> Option<String> {
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

/// Too-long values with a recognisable shape.
pub fn for_too_long(value: &str, limit: u64) -> Option<String> {
    let bytes = value.as_bytes();
    let is_zip4 = bytes.len() == 10
        && bytes[5] == b'-'
        && bytes[..5].iter().chain(&bytes[6..]).all(u8::is_ascii_digit);
    if is_zip4 && limit == 5 {
        return Some(format!(
            "this is a ZIP+4 code; the 5-digit ZIP is \"{}\" (send the +4 part in its own field, if the receiver has one)",
            &value[..5]
        ));
    }
    if value.trim() != value && value.trim().chars().count() as u64 <= limit {
        return Some("the value has leading or trailing spaces; trimmed, it fits".into());
    }
    None
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn enum_suggestions() {
        let options = [json!("paid"), json!("pending"), json!("partially_refunded")];
        assert_eq!(
            closest_enum(&json!("PAID"), &options).unwrap(),
            "did you mean \"paid\"? values are case-sensitive"
        );
        assert_eq!(
            closest_enum(&json!("partially-refunded"), &options).unwrap(),
            "did you mean \"partially_refunded\"?"
        );
        assert_eq!(
            closest_enum(&json!("pendng"), &options).unwrap(),
            "did you mean \"pending\"?"
        );
        assert_eq!(closest_enum(&json!("chargeback"), &options), None);
    }

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
            decimal(&json!("1999"), 2, true).unwrap(),
            "write \"1999.00\" if 1999 is in major units; this looks like minor units (cents): 1999 would be \"19.99\" in major units"
        );
        assert_eq!(decimal(&json!("24.0"), 2, true).unwrap(), "write \"24.00\"");
        assert_eq!(decimal(&json!("24.001"), 2, false), None);
        assert_eq!(format_major(123456, 3), "123.456");
    }

    #[test]
    fn pattern_near_misses() {
        let sku = "^[A-Z]{3}-[0-9]{4,6}$";
        assert_eq!(
            for_pattern("mug-55120", sku).unwrap(),
            "did you mean \"MUG-55120\"? the pattern is case-sensitive"
        );
        assert_eq!(
            for_pattern(" MUG-55120", sku).unwrap(),
            "without the surrounding spaces, \"MUG-55120\" would match"
        );
        assert_eq!(for_pattern("MUG55120", sku), None);
    }

    #[test]
    fn zip_plus_four() {
        assert_eq!(
            for_too_long("94103-1234", 5).unwrap(),
            "this is a ZIP+4 code; the 5-digit ZIP is \"94103\" (send the +4 part in its own field, if the receiver has one)"
        );
        assert_eq!(for_too_long("941031234", 5), None);
    }
}
