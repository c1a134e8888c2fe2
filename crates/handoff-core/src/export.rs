//! Contracts exported for other tools: a JSON Schema (draft 2020-12) or OpenAPI 3.1 components.
//!
//! The compiled schema uses a few keywords and formats only handoff knows: exact decimal places
//! (`x-handoff-decimal`), UTF-8 byte limits (`x-handoff-max-bytes`), date patterns such as
//! `%Y%m%d`, and the `currency` and `country` formats. With extensions they are kept as they are
//! (handoff, or a validator taught them, reads them); without, each is rewritten to the nearest
//! standard keywords that accept at least what the contract accepts (a date pattern becomes the
//! digits' shape, a money string's places a pattern), and every rewrite is listed, so a reader
//! knows what the standard schema no longer checks.

use crate::check::Checker;
use crate::compile::{DECIMAL_KEYWORD, MAX_BYTES_KEYWORD};
use crate::format::{Builtin, LetterCase, Strftime};
use serde_json::{Map, Value, json};

/// An exported schema and what it could not say in standard keywords.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    pub schema: Value,
    /// One line per keyword rewritten or dropped: where, and what is no longer checked.
    pub lossy: Vec<String>,
}

/// The contract as a standalone JSON Schema document.
pub fn json_schema(checker: &Checker, extensions: bool) -> Exported {
    let contract = checker.contract();
    let mut schema = checker.schema().clone();
    let mut lossy = Vec::new();
    if !extensions {
        standardize(&mut schema, "", &mut lossy);
    }
    // Cross-field rules are checked by handoff after the schema: no schema holds them.
    contract.root.walk(&mut |field| {
        for rule in &field.checks {
            let at = if field.path.is_empty() {
                "/"
            } else {
                &field.path
            };
            lossy.push(format!(
                "{at}: the {} rule \"{}\" is not in the schema",
                rule.check.name(),
                rule.check
            ));
        }
    });
    if let Value::Object(map) = &mut schema {
        map.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        map.insert("title".into(), json!(contract.reference()));
        if let Some(d) = &contract.description {
            map.insert("description".into(), json!(d));
        }
    }
    Exported { schema, lossy }
}

/// Several contracts as the `components.schemas` of an OpenAPI 3.1 document (whose schemas are
/// JSON Schema 2020-12), each named by its contract id.
pub fn openapi(checkers: &[Checker], extensions: bool) -> Exported {
    let mut schemas = Map::new();
    let mut lossy = Vec::new();
    for checker in checkers {
        let contract = checker.contract();
        let mut one = json_schema(checker, extensions);
        if let Value::Object(map) = &mut one.schema {
            map.remove("$schema");
        }
        lossy.extend(
            one.lossy
                .into_iter()
                .map(|l| format!("{}: {l}", contract.id)),
        );
        schemas.insert(contract.id.clone(), one.schema);
    }
    let title = match checkers {
        [one] => one.contract().reference(),
        _ => "handoff contracts".to_string(),
    };
    Exported {
        schema: json!({
            "openapi": "3.1.0",
            "info": {"title": title, "version": checkers.first().map_or("0.0.0".to_string(), |c| c.contract().version.to_string())},
            "paths": {},
            "components": {"schemas": Value::Object(schemas)},
        }),
        lossy,
    }
}

/// Rewrite handoff's own keywords and formats into standard ones, recording each.
fn standardize(node: &mut Value, at: &str, lossy: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            let here = if at.is_empty() { "/" } else { at };
            if let Some(decimal) = map.remove(DECIMAL_KEYWORD) {
                let places = decimal.get("places").and_then(Value::as_u64).unwrap_or(0);
                let exact = decimal
                    .get("exact")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let digits = if exact {
                    format!("{{{places}}}")
                } else {
                    format!("{{0,{places}}}")
                };
                // A money string's places are its shape; a number's are left unchecked (a
                // multipleOf of 0.01 is compared in floating point by most validators).
                let pattern = format!("^-?[0-9]+(\\.[0-9]{digits})?$");
                add_all_of(
                    map,
                    json!({"if": {"type": "string"}, "then": {"pattern": pattern}}),
                );
                lossy.push(format!(
                    "{here}: decimal places of strings are a pattern; of numbers, not checked"
                ));
            }
            if map.remove(MAX_BYTES_KEYWORD).is_some() {
                lossy.push(format!(
                    "{here}: the UTF-8 byte limit (max_bytes) is not checked"
                ));
            }
            if let Some(Value::String(format)) = map.get("format").cloned() {
                if Strftime::looks_like(&format) {
                    map.remove("format");
                    if let Ok(pattern) = Strftime::parse(&format) {
                        add_all_of(
                            map,
                            json!({"if": {"type": "string"}, "then": {"pattern": shape(&pattern)}}),
                        );
                    }
                    lossy.push(format!(
                        "{here}: date pattern {format} is a shape of digits; impossible dates are not rejected"
                    ));
                } else if let Some((b, case)) =
                    Builtin::from_format_name(&format).filter(|(b, _)| !b.is_json_schema_native())
                {
                    map.remove("format");
                    let (letters, pattern) = match (b, case) {
                        (Builtin::Currency, LetterCase::Upper) => ("three capital", "^[A-Z]{3}$"),
                        (Builtin::Currency, LetterCase::Lower) => {
                            ("three lower-case", "^[a-z]{3}$")
                        }
                        (Builtin::Currency, LetterCase::Any) => ("three", "^[A-Za-z]{3}$"),
                        (_, LetterCase::Upper) => ("two capital", "^[A-Z]{2}$"),
                        (_, LetterCase::Lower) => ("two lower-case", "^[a-z]{2}$"),
                        (_, LetterCase::Any) => ("two", "^[A-Za-z]{2}$"),
                    };
                    add_all_of(
                        map,
                        json!({"if": {"type": "string"}, "then": {"pattern": pattern}}),
                    );
                    lossy.push(format!(
                        "{here}: format `{}` is {letters} letters; codes outside ISO {} are not rejected",
                        b.name(),
                        if b == Builtin::Currency { "4217" } else { "3166" }
                    ));
                }
            }
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                // Places are named as contract paths: through composition keywords, not into them.
                let child_at = match key.as_str() {
                    "properties" | "$defs" | "allOf" | "anyOf" | "oneOf" | "if" | "then"
                    | "else" | "not" => None,
                    "items" | "additionalProperties" => Some(format!("{at}/*")),
                    _ => Some(format!("{at}/{key}")),
                };
                if let Some(child) = map.get_mut(&key) {
                    match (key.as_str(), child) {
                        ("properties", Value::Object(props)) => {
                            for (name, p) in props.iter_mut() {
                                standardize(p, &format!("{at}/{name}"), lossy);
                            }
                        }
                        (_, child) => standardize(child, child_at.as_deref().unwrap_or(at), lossy),
                    }
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                standardize(item, at, lossy);
            }
        }
        _ => {}
    }
}

fn add_all_of(map: &mut Map<String, Value>, schema: Value) {
    match map.get_mut("allOf") {
        Some(Value::Array(list)) => list.push(schema),
        _ => {
            map.insert("allOf".into(), json!([schema]));
        }
    }
}

/// A regular expression for the shape of a date pattern's text: its digits and literals.
fn shape(pattern: &Strftime) -> String {
    let mut out = String::from("^");
    let mut chars = pattern.pattern().chars();
    while let Some(c) = chars.next() {
        if c == '%' {
            out.push_str(match chars.next() {
                Some('Y') => "[0-9]{4}",
                Some('j') => "[0-9]{3}",
                Some('%') => "%",
                _ => "[0-9]{2}",
            });
        } else {
            out.push_str(&regex::escape(&c.to_string()));
        }
    }
    out.push('$');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_pattern_becomes_the_shape_of_its_digits() {
        let p = Strftime::parse("%Y-%m-%d %H:%M").unwrap();
        assert_eq!(
            shape(&p),
            "^[0-9]{4}\\-[0-9]{2}\\-[0-9]{2} [0-9]{2}:[0-9]{2}$"
        );
    }
}
