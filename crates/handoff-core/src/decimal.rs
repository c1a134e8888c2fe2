//! Decimal numbers exactly as written: JSON number text compared and measured without ever
//! becoming a 64-bit float, so `1000.0000000000000001` stays above 1000 and 2^64 + 1 stays
//! different from 2^64.
//!
//! The validation engine compares numbers exactly on its own (serde_json keeps each number's
//! text, and `jsonschema` compares big values as fractions); this module covers what handoff
//! computes itself: decimal places, and which two array items are equal.

use std::cmp::Ordering;

/// A decimal number in canonical form: sign, significant digits without leading or trailing
/// zeros, and the power of ten of the last digit. Zero is `(false, "", 0)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal {
    negative: bool,
    digits: String,
    exponent: i64,
}

impl Decimal {
    /// Read JSON number text (`-12.50`, `1e3`, `0.1E-2`); `None` if it is not a JSON number.
    pub fn parse(text: &str) -> Option<Decimal> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (mantissa, exp) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().ok()?),
            None => (rest, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || (mantissa.contains('.') && frac.is_empty())
        {
            return None;
        }
        let all = format!("{int}{frac}");
        let trimmed_end = all.trim_end_matches('0');
        let trailing = (all.len() - trimmed_end.len()) as i64;
        let digits = trimmed_end.trim_start_matches('0').to_string();
        if digits.is_empty() {
            return Some(Decimal {
                negative: false,
                digits,
                exponent: 0,
            });
        }
        Some(Decimal {
            negative,
            digits,
            exponent: exp.checked_sub(frac.len() as i64)?.checked_add(trailing)?,
        })
    }

    /// Digits after the decimal point the value needs (`10.50` needs 1, `1e-3` needs 3).
    pub fn places(&self) -> u64 {
        if self.exponent < 0 {
            self.exponent.unsigned_abs()
        } else {
            0
        }
    }

    /// The canonical text, equal for equal values (`1`, `1.0` and `10e-1` give the same).
    pub fn canonical(&self) -> String {
        if self.digits.is_empty() {
            return "0".into();
        }
        format!(
            "{}{}e{}",
            if self.negative { "-" } else { "" },
            self.digits,
            self.exponent
        )
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        let sign = |d: &Decimal| match (d.digits.is_empty(), d.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        };
        match sign(self).cmp(&sign(other)) {
            Ordering::Equal if sign(self) == 0 => Ordering::Equal,
            Ordering::Equal => {
                // Same sign: compare magnitudes by the position of the leading digit, then digit
                // by digit.
                let top = |d: &Decimal| d.exponent + d.digits.len() as i64;
                let magnitude = top(self).cmp(&top(other)).then_with(|| {
                    let (a, b) = (self.digits.as_bytes(), other.digits.as_bytes());
                    let n = a.len().max(b.len());
                    (0..n)
                        .map(|i| {
                            (
                                a.get(i).copied().unwrap_or(b'0'),
                                b.get(i).copied().unwrap_or(b'0'),
                            )
                        })
                        .map(|(x, y)| x.cmp(&y))
                        .find(|o| o.is_ne())
                        .unwrap_or(Ordering::Equal)
                });
                if self.negative {
                    magnitude.reverse()
                } else {
                    magnitude
                }
            }
            unequal => unequal,
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// How `value` compares with `limit`, exactly. Numbers whose text has at most 15 significant
/// digits (nearly all) are compared as floats, which is exact for them: distinct decimals of
/// 15 digits round to distinct doubles, in order. Others are compared digit by digit.
pub fn compare(value: &str, limit: &str) -> Option<Ordering> {
    Limit::new(limit)?.compare(value)
}

/// A limit read once, for comparing many values with it.
#[derive(Debug, Clone)]
pub struct Limit {
    text: String,
    /// The limit as a float, when the float is exact enough to compare with.
    float: Option<f64>,
}

impl Limit {
    pub fn new(text: &str) -> Option<Limit> {
        Decimal::parse(text)?;
        Some(Limit {
            text: text.to_string(),
            float: fits_f64(text).then(|| text.parse().ok()).flatten(),
        })
    }

    /// How `value` (JSON number text) compares with the limit.
    pub fn compare(&self, value: &str) -> Option<Ordering> {
        if let Some(limit) = self.float
            && fits_f64(value)
        {
            return value.parse::<f64>().ok()?.partial_cmp(&limit);
        }
        Some(Decimal::parse(value)?.cmp(&Decimal::parse(&self.text)?))
    }
}

/// At most 15 significant digits and a modest exponent: the float is as good as the text.
fn fits_f64(text: &str) -> bool {
    // Nearly every number is short and has no exponent: decided without counting digits.
    if text.len() <= 15 && !text.bytes().any(|b| b == b'e' || b == b'E') {
        return true;
    }
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i32>().unwrap_or(i32::MAX)),
        None => (text, 0),
    };
    let significant = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .skip_while(|&b| b == b'0')
        .count();
    significant <= 15 && exponent.abs() < 290 && mantissa.len() < 300
}

/// A key equal for JSON values that JSON Schema calls equal (`1` and `1.0`; objects whatever
/// their member order), for finding repeated array items by hashing.
pub fn equality_key(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            let text = n.to_string();
            Decimal::parse(&text).map_or(text, |d| format!("#{}", d.canonical()))
        }
        Value::Array(items) => {
            let keys: Vec<String> = items.iter().map(equality_key).collect();
            format!("[{}]", keys.join(","))
        }
        Value::Object(map) => {
            let mut keys: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}:{}",
                        serde_json::Value::String(k.clone()),
                        equality_key(v)
                    )
                })
                .collect();
            keys.sort();
            format!("{{{}}}", keys.join(","))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn canonical_forms_and_places() {
        assert_eq!(d("1").canonical(), d("1.0").canonical());
        assert_eq!(d("10e-1").canonical(), d("1").canonical());
        assert_eq!(d("-0.0").canonical(), "0");
        assert_eq!(d("10.50").places(), 1);
        assert_eq!(d("1e-3").places(), 3);
        assert_eq!(d("1.0000000000000000000001").places(), 22);
        assert_eq!(d("1.25e1").places(), 1);
        assert_eq!(Decimal::parse("1."), None);
        assert_eq!(Decimal::parse("abc"), None);
    }

    #[test]
    fn ordering_is_exact() {
        assert!(d("1000.0000000000000001") > d("1000"));
        assert!(d("999.99999999999999999") < d("1000"));
        assert!(d("18446744073709551617") > d("18446744073709551616"));
        assert!(d("-2") < d("-1.5"));
        assert!(d("-0.5") < d("0"));
        assert_eq!(d("1e2").cmp(&d("100.000")), Ordering::Equal);
    }

    #[test]
    fn compare_is_exact_on_both_paths() {
        assert_eq!(compare("10.5", "10.50"), Some(Ordering::Equal));
        assert_eq!(compare("0.1", "0.2"), Some(Ordering::Less));
        assert_eq!(
            compare(
                "67499814597836321.00000000000000000001",
                "67499814597836321"
            ),
            Some(Ordering::Greater)
        );
        assert_eq!(compare("1e400", "1e399"), Some(Ordering::Greater));
    }

    #[test]
    fn equality_keys_follow_json_schema_equality() {
        use serde_json::json;
        assert_eq!(equality_key(&json!(1)), equality_key(&json!(1.0)));
        assert_ne!(
            equality_key(&serde_json::from_str("18446744073709551616").unwrap()),
            equality_key(&serde_json::from_str("18446744073709551617").unwrap())
        );
        assert_eq!(
            equality_key(&json!({"a": 1, "b": [2]})),
            equality_key(&json!({"b": [2.0], "a": 1}))
        );
        assert_ne!(equality_key(&json!("1")), equality_key(&json!(1)));
    }
}
