//! The schema dialects a document may be written in (JSON Schema draft-04 to 2020-12, OpenAPI
//! 3.0's own variant), rewritten as draft 2020-12 before import, so that the importer, the raw
//! fragments it keeps and the engine that checks them all read one dialect.
//!
//! Every rewrite keeps what the source accepts: OpenAPI 3.0's `nullable` (and the common
//! `x-nullable`) becomes `null` in the type list, or a branch of its own where the schema is an
//! `anyOf`/`oneOf`/`allOf`/`$ref`; draft-07 tuples (`items: [...]`, `additionalItems`) become
//! `prefixItems`/`items`; `dependencies` becomes `dependentRequired`/`dependentSchemas`;
//! draft-04's boolean `exclusiveMinimum` becomes the number form; and before 2019-09 a `$ref`'s
//! siblings are dropped, as those drafts ignore them.

use serde_json::{Map, Value, json};

/// Which rules a schema was written under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Draft4,
    Draft6,
    Draft7,
    Draft2019,
    Draft2020,
    /// OpenAPI 3.0's Schema Object: draft-04 based, with `nullable`.
    OpenApi30,
}

impl Dialect {
    /// A JSON Schema document's dialect, by its `$schema` (2020-12 when it says none).
    pub fn of_json_schema(document: &Value) -> Dialect {
        let uri = document
            .get("$schema")
            .and_then(Value::as_str)
            .unwrap_or("");
        if uri.contains("draft-04") {
            Dialect::Draft4
        } else if uri.contains("draft-06") {
            Dialect::Draft6
        } else if uri.contains("draft-07") {
            Dialect::Draft7
        } else if uri.contains("2019-09") {
            Dialect::Draft2019
        } else {
            Dialect::Draft2020
        }
    }

    /// An OpenAPI document's schema dialect, by its `openapi` version.
    pub fn of_openapi(version: &str) -> Dialect {
        if version.starts_with("3.0") {
            Dialect::OpenApi30
        } else {
            Dialect::Draft2020
        }
    }

    /// Whether a `$ref`'s sibling keywords are ignored (before 2019-09, and in OpenAPI 3.0).
    fn ref_hides_siblings(self) -> bool {
        !matches!(self, Dialect::Draft2019 | Dialect::Draft2020)
    }

    fn before_2019(self) -> bool {
        self.ref_hides_siblings()
    }
}

/// Whether `format` is asserted (the contract language's way) or only an annotation (the
/// JSON Schema default, `--formats annotate`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Formats {
    #[default]
    Assert,
    Annotate,
}

/// Rewrite `schema`, and every schema inside it, as draft 2020-12.
pub fn normalize(schema: &mut Value, dialect: Dialect, formats: Formats) {
    let Value::Object(map) = schema else { return };
    for_each_child(map, &mut |child| normalize(child, dialect, formats));
    if formats == Formats::Annotate && map.get("format").is_some_and(Value::is_string) {
        map.remove("format");
    }
    if dialect.ref_hides_siblings() && map.contains_key("$ref") {
        // Definitions stay: other references may point into them.
        map.retain(|k, _| {
            matches!(
                k.as_str(),
                "$ref" | "description" | "title" | "$defs" | "definitions" | "$schema"
            )
        });
        return;
    }
    // A boolean exclusive bound (draft-04, and OpenAPI 3.0 after it) becomes the number form.
    if matches!(dialect, Dialect::Draft4 | Dialect::OpenApi30) {
        for (flag, bound) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            match map.get(flag) {
                Some(Value::Bool(true)) => {
                    if let Some(limit) = map.remove(bound) {
                        map.insert(flag.into(), limit);
                    } else {
                        map.remove(flag);
                    }
                }
                Some(Value::Bool(false)) => {
                    map.remove(flag);
                }
                _ => {}
            }
        }
    }
    if dialect.before_2019() {
        match map.remove("items") {
            Some(Value::Array(tuple)) => {
                map.insert("prefixItems".into(), Value::Array(tuple));
                if let Some(rest) = map.remove("additionalItems") {
                    map.insert("items".into(), rest);
                }
            }
            Some(items) => {
                // With one schema for every item, additionalItems has nothing left to say.
                map.remove("additionalItems");
                map.insert("items".into(), items);
            }
            None => {
                map.remove("additionalItems");
            }
        }
        if let Some(Value::Object(deps)) = map.remove("dependencies") {
            let (mut required, mut schemas) = (Map::new(), Map::new());
            for (name, dep) in deps {
                if dep.is_array() {
                    required.insert(name, dep);
                } else {
                    schemas.insert(name, dep);
                }
            }
            if !required.is_empty() {
                map.insert("dependentRequired".into(), Value::Object(required));
            }
            if !schemas.is_empty() {
                map.insert("dependentSchemas".into(), Value::Object(schemas));
            }
        }
    }
    if dialect == Dialect::OpenApi30 {
        let nullable = [map.remove("nullable"), map.remove("x-nullable")]
            .into_iter()
            .flatten()
            .any(|v| v == Value::Bool(true));
        if nullable {
            allow_null(map);
        }
    }
}

/// Let a schema accept `null` as well: in its type list when it has one and nothing else
/// decides, else as a branch beside it.
fn allow_null(map: &mut Map<String, Value>) {
    let applies_elsewhere = ["anyOf", "oneOf", "allOf", "$ref", "not", "if"]
        .iter()
        .any(|k| map.contains_key(*k));
    match map.get_mut("type") {
        Some(Value::String(t)) if !applies_elsewhere => {
            let t = std::mem::take(t);
            map.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(types)) if !applies_elsewhere => {
            if !types.iter().any(|t| t == "null") {
                types.push(json!("null"));
            }
        }
        None if !applies_elsewhere => return, // no type: null is accepted already
        _ => {
            let annotations: Vec<(String, Value)> = ["description", "title"]
                .iter()
                .filter_map(|k| map.remove(*k).map(|v| (k.to_string(), v)))
                .collect();
            let mut inner = Value::Object(std::mem::take(map));
            // `allOf: [X]` with `nullable` (how 3.0 documents make a reference nullable) is X.
            if let Some(Value::Array(list)) = inner.get("allOf")
                && list.len() == 1
                && inner.as_object().is_some_and(|m| m.len() == 1)
            {
                inner = list[0].clone();
            }
            map.insert("anyOf".into(), json!([inner, {"type": "null"}]));
            map.extend(annotations);
            return;
        }
    }
    // A nullable enum lists the values the type allows; null joins them.
    if let Some(Value::Array(values)) = map.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
}

/// Call `f` on every subschema directly inside a schema object.
pub(super) fn for_each_child(map: &mut Map<String, Value>, f: &mut dyn FnMut(&mut Value)) {
    for (k, v) in map.iter_mut() {
        match k.as_str() {
            "additionalProperties"
            | "additionalItems"
            | "contains"
            | "propertyNames"
            | "not"
            | "if"
            | "then"
            | "else"
            | "unevaluatedProperties"
            | "unevaluatedItems"
            | "contentSchema" => f(v),
            "items" => match v {
                Value::Array(list) => list.iter_mut().for_each(&mut *f),
                other => f(other),
            },
            "prefixItems" | "allOf" | "anyOf" | "oneOf" => {
                if let Value::Array(list) = v {
                    list.iter_mut().for_each(&mut *f);
                }
            }
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
                if let Value::Object(m) = v {
                    m.values_mut().for_each(&mut *f);
                }
            }
            "dependencies" => {
                if let Value::Object(m) = v {
                    m.values_mut().filter(|d| d.is_object()).for_each(&mut *f);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(mut v: Value, d: Dialect) -> Value {
        normalize(&mut v, d, Formats::Assert);
        v
    }

    #[test]
    fn openapi_30_nullable_joins_the_type_or_becomes_a_branch() {
        let d = Dialect::OpenApi30;
        assert_eq!(
            normalized(json!({"type": "string", "nullable": true}), d),
            json!({"type": ["string", "null"]})
        );
        assert_eq!(
            normalized(
                json!({"type": "string", "enum": ["a"], "nullable": true}),
                d
            ),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        assert_eq!(
            normalized(
                json!({"description": "d", "allOf": [{"$ref": "#/x"}], "nullable": true}),
                d
            ),
            json!({"anyOf": [{"$ref": "#/x"}, {"type": "null"}], "description": "d"})
        );
        assert_eq!(
            normalized(
                json!({"properties": {"a": {"anyOf": [{"type": "integer"}], "x-nullable": true}}}),
                d
            ),
            json!({"properties": {"a": {"anyOf": [{"anyOf": [{"type": "integer"}]}, {"type": "null"}]}}})
        );
        // Elsewhere `nullable` is not a keyword: left for the importer to keep as written.
        assert_eq!(
            normalized(
                json!({"type": "string", "nullable": true}),
                Dialect::Draft2020
            ),
            json!({"type": "string", "nullable": true})
        );
    }

    #[test]
    fn older_drafts_become_2020_12() {
        assert_eq!(
            normalized(
                json!({"items": [{"type": "integer"}], "additionalItems": false}),
                Dialect::Draft7
            ),
            json!({"prefixItems": [{"type": "integer"}], "items": false})
        );
        assert_eq!(
            normalized(
                json!({"dependencies": {"a": ["b"], "c": {"required": ["d"]}}}),
                Dialect::Draft7
            ),
            json!({"dependentRequired": {"a": ["b"]}, "dependentSchemas": {"c": {"required": ["d"]}}})
        );
        assert_eq!(
            normalized(
                json!({"$ref": "#/definitions/a", "maxItems": 1, "definitions": {"a": {}}}),
                Dialect::Draft7
            ),
            json!({"$ref": "#/definitions/a", "definitions": {"a": {}}})
        );
        assert_eq!(
            normalized(
                json!({"minimum": 3, "exclusiveMinimum": true}),
                Dialect::Draft4
            ),
            json!({"exclusiveMinimum": 3})
        );
        // In 2020-12 a reference's siblings apply, and nothing is rewritten.
        let same = json!({"$ref": "#/$defs/a", "maxItems": 1});
        assert_eq!(normalized(same.clone(), Dialect::Draft2020), same);
    }

    #[test]
    fn annotated_formats_are_dropped_but_a_property_named_format_is_not() {
        let mut v = json!({"format": "email", "properties": {"format": {"type": "string", "format": "uuid"}}});
        normalize(&mut v, Dialect::Draft2020, Formats::Annotate);
        assert_eq!(v, json!({"properties": {"format": {"type": "string"}}}));
    }
}
