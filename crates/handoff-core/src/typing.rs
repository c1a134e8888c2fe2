//! Typing text by the contract. X12 elements and CSV cells are all text; the contract says
//! which are numbers or booleans. A cell declared `integer` or `number` that reads as a decimal
//! number becomes that number exactly (its digits kept, no floating point); one that does not
//! stays text, and the field's type check reports it as sent. Text declared `string` is never
//! touched, so leading zeros (`"00123"`) survive.

use crate::contract::{Contract, Field, FieldType, FormatRef};
use serde_json::{Map, Value};

/// The type a field declares, directly or through its named format.
pub fn declared(contract: &Contract, field: &Field) -> Option<FieldType> {
    field.constraints.ty.as_ref().map(|t| t.value).or_else(|| {
        match field.constraints.format.as_ref().map(|f| &f.value) {
            Some(FormatRef::Named(name)) => contract
                .named_format(name)
                .and_then(|f| f.constraints.ty.as_ref().map(|t| t.value)),
            _ => None,
        }
    })
}

/// Type `value` (the rendering of a row or a transaction set) by `field` in place. With
/// `composites`, a plain element declared `object` becomes its first component
/// (`{"SV101-01": ...}`), as X12 sends a composite with one component.
pub fn apply(value: &mut Value, field: &Field, contract: &Contract, composites: bool) {
    match value {
        Value::Object(map) => {
            for (name, member) in map.iter_mut() {
                if let Some(child) = field.field(name) {
                    shape(member, name, child, contract, composites);
                    apply(member, child, contract, composites);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_field) = field.items.as_deref() {
                for item in items {
                    shape(item, "", item_field, contract, composites);
                    apply(item, item_field, contract, composites);
                }
            }
        }
        _ => {}
    }
}

/// Convert one value to the shape its field declares, when the text allows.
fn shape(value: &mut Value, name: &str, field: &Field, contract: &Contract, composites: bool) {
    let Some(ty) = declared(contract, field) else {
        return;
    };
    match (ty, &*value) {
        (FieldType::Integer | FieldType::Number, Value::String(text)) => {
            if let Some(n) = number(text, ty == FieldType::Integer) {
                *value = n;
            }
        }
        (FieldType::Boolean, Value::String(text)) => {
            if text.eq_ignore_ascii_case("true") {
                *value = Value::Bool(true);
            } else if text.eq_ignore_ascii_case("false") {
                *value = Value::Bool(false);
            }
        }
        (FieldType::Object, Value::String(_)) if composites && !name.is_empty() => {
            let mut map = Map::new();
            map.insert(format!("{name}-01"), value.take());
            *value = Value::Object(map);
        }
        (FieldType::Array, Value::String(_) | Value::Object(_)) if composites => {
            *value = Value::Array(vec![value.take()]);
        }
        _ => {}
    }
}

/// Decimal text as a JSON number, exactly: `007` is 7, `.5` is 0.5, `-3.` is -3. `None` for
/// anything else (thousands separators, currency signs, exponents in integers), and for a
/// number padded with spaces or written with `+`: X12's numeric types and a receiver's
/// number column take neither, so such a value stays text and is reported as sent.
pub fn number(text: &str, integer: bool) -> Option<Value> {
    let t = text;
    let (sign, digits) = match t.as_bytes().first()? {
        b'-' => ("-", &t[1..]),
        _ => ("", t),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || (integer && digits.contains('.'))
    {
        return None;
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let mut json = String::with_capacity(sign.len() + int.len() + frac.len() + 1);
    json.push_str(sign);
    json.push_str(int);
    if !frac.is_empty() {
        json.push('.');
        json.push_str(frac);
    }
    serde_json::from_str(&json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_text_becomes_an_exact_number() {
        assert_eq!(number("007", true).unwrap().to_string(), "7");
        assert_eq!(number(".5", false).unwrap().to_string(), "0.5");
        assert_eq!(number("-3.", false).unwrap().to_string(), "-3");
        assert_eq!(
            number("12345678901234567890.10", false)
                .unwrap()
                .to_string(),
            "12345678901234567890.10"
        );
        assert_eq!(number("1.5", true), None);
        assert_eq!(number("1,000", false), None);
        assert_eq!(number("$3", false), None);
        assert_eq!(number("", false), None);
        assert_eq!(number(".", false), None);
        assert_eq!(number(" 12", true), None);
        assert_eq!(number("12 ", false), None);
        assert_eq!(number("+12", true), None);
        assert_eq!(number("-12", true).unwrap().to_string(), "-12");
    }
}
