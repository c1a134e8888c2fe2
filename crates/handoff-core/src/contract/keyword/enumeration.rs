//! `enum`: the closed set of values a field takes (status codes, reason codes), each value
//! read with the field's type in mind so `"01"` on a string field stays a string.

use super::{Applies, At, Keyword, Said, best_match};
use crate::contract::Constraints;
use crate::finding::Kind;
use serde_json::{Map, Value};

/// `enum: [...]`: one of these values.
pub const ENUM: Keyword = Keyword {
    name: "enum",
    schema: "enum",
    applies: Applies::Any,
    bound: None,
    at: At::Value(|c| c.enum_values.as_ref().map(|l| l.span)),
};

/// Values listed in one message before "and N more".
const SHOWN: usize = 12;
/// Values `explain` lists in its sentence; more are counted there and listed below it.
const EXPLAINED: usize = 8;

/// The keyword's JSON Schema member; a nullable field's set also takes null.
pub fn compile(c: &Constraints, nullable: bool, schema: &mut Map<String, Value>) {
    if let Some(values) = &c.enum_values {
        let mut list: Vec<Value> = values.value.iter().map(|v| v.value.clone()).collect();
        if nullable {
            list.push(Value::Null);
        }
        schema.insert(ENUM.schema.into(), Value::Array(list));
    }
}

/// The keyword's sentence for `explain`.
pub fn explain(c: &Constraints, out: &mut Vec<String>) {
    match &c.enum_values {
        Some(e) if e.value.len() <= EXPLAINED => {
            let values: Vec<String> = e.value.iter().map(|v| v.value.to_string()).collect();
            out.push(format!("one of {}", values.join(", ")));
        }
        Some(e) => out.push(format!("one of {} listed values", e.value.len())),
        None => {}
    }
}

/// A value outside the set.
pub fn violated(instance: Option<&Value>, shown: &str, options: &[Value]) -> Said {
    Said::new(
        Kind::UnknownEnumValue,
        format!("{shown} is not an allowed value"),
        format!("one of {}", list(options)),
    )
    .suggesting(instance.and_then(|i| closest(i, options)))
}

/// The allowed values for a message: the first dozen, how many more, and null last.
pub fn list(options: &[Value]) -> String {
    let values = || options.iter().filter(|v| !v.is_null());
    let mut parts: Vec<String> = values().take(SHOWN).map(Value::to_string).collect();
    let hidden = values().count().saturating_sub(SHOWN);
    if hidden > 0 {
        parts.push(format!("and {hidden} more"));
    }
    if options.iter().any(Value::is_null) {
        parts.push("null".into());
    }
    parts.join(", ")
}

/// The allowed value closest to `value`: same text in another case, or a near spelling.
fn closest(value: &Value, options: &[Value]) -> Option<String> {
    let text = value.as_str()?;
    let strings = options.iter().filter_map(Value::as_str);
    if let Some(same) = strings.clone().find(|o| o.eq_ignore_ascii_case(text)) {
        return Some(format!(
            "did you mean \"{same}\"? values are case-sensitive"
        ));
    }
    if let Some(same) = strings.clone().find(|o| normalized(o) == normalized(text)) {
        return Some(format!("did you mean \"{same}\"?"));
    }
    best_match(text, strings).map(|close| format!("did you mean \"{close}\"?"))
}

/// A value's spelling with case and word separators ignored: `partially-refunded` and
/// `Partially_Refunded` are one spelling.
fn normalized(s: &str) -> String {
    s.to_lowercase().replace(['-', ' '], "_")
}

/// Whether one value replacing another in a set reads as a rename (`in-transit` for
/// `in_transit`, `canceled` for `cancelled`) rather than a new value.
pub fn renamed(old: &Value, new: &Value) -> bool {
    match (old.as_str(), new.as_str()) {
        (Some(a), Some(b)) => {
            let (a, b) = (normalized(a), normalized(b));
            a == b || strsim::normalized_damerau_levenshtein(&a, &b) >= 0.75
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn suggestions() {
        let options = [json!("paid"), json!("pending"), json!("partially_refunded")];
        assert_eq!(
            closest(&json!("PAID"), &options).unwrap(),
            "did you mean \"paid\"? values are case-sensitive"
        );
        assert_eq!(
            closest(&json!("partially-refunded"), &options).unwrap(),
            "did you mean \"partially_refunded\"?"
        );
        assert_eq!(
            closest(&json!("pendng"), &options).unwrap(),
            "did you mean \"pending\"?"
        );
        assert_eq!(closest(&json!("chargeback"), &options), None);
    }

    #[test]
    fn long_sets_are_cut_and_null_goes_last() {
        let mut options: Vec<Value> = (0..14).map(|i| json!(i)).collect();
        options.insert(0, Value::Null);
        assert_eq!(
            list(&options),
            "0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, and 2 more, null"
        );
    }

    #[test]
    fn renames() {
        assert!(renamed(&json!("in_transit"), &json!("in-transit")));
        assert!(renamed(&json!("cancelled"), &json!("canceled")));
        assert!(!renamed(&json!("paid"), &json!("refunded")));
        assert!(!renamed(&json!(1), &json!(1)));
    }
}
