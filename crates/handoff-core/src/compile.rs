//! Compiles a checked [`Contract`] to a JSON Schema (draft 2020-12) document.
//!
//! Alongside the schema it records an [`Origins`] map: for every subschema it emits, where in
//! the contract that subschema came from (a field, a named format applied to a field, a rule, or
//! a raw schema fragment). The checker uses it to turn an engine error's keyword location back
//! into a contract line, so findings say which line of which file declared the broken rule.

use crate::contract::keyword::{
    decimal, enumeration, format, items, length, pattern, range, types,
};
use crate::contract::{
    Condition, Constraints, Contract, Field, FieldType, FormatRef, Requirement, Test,
};
use crate::format::Strftime;
use crate::pointer;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// handoff's JSON Schema keyword for `decimal`.
pub use crate::contract::keyword::decimal::DECIMAL_SCHEMA as DECIMAL_KEYWORD;
/// handoff's JSON Schema keyword for `max_bytes`.
pub use crate::contract::keyword::length::MAX_BYTES_SCHEMA as MAX_BYTES_KEYWORD;

/// What produced a subschema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A field, by contract path (`/line_items/*/sku`).
    Field(String),
    /// A named format applied to a field.
    Format { field: String, name: String },
    /// The `index`th rule of the object at `object`.
    Rule { object: String, index: usize },
    /// A field's raw `schema:` fragment.
    Fragment(String),
    /// The `keys` of the object at this contract path: its member names.
    Keys(String),
}

/// Subschema location (a JSON Pointer into the compiled schema) to its origin.
#[derive(Debug, Clone, Default)]
pub struct Origins(BTreeMap<String, Origin>);

impl Origins {
    /// The origin of the innermost registered subschema containing `schema_path`, and the
    /// remainder of the path below it.
    pub fn resolve<'p>(&self, schema_path: &'p str) -> Option<(&Origin, &'p str)> {
        let mut end = schema_path.len();
        loop {
            let prefix = &schema_path[..end];
            if let Some(origin) = self.0.get(prefix) {
                return Some((origin, &schema_path[end..]));
            }
            end = prefix.rfind('/')?;
        }
    }

    fn insert(&mut self, location: &str, origin: Origin) {
        self.0.insert(location.to_string(), origin);
    }
}

/// A contract compiled for the engine.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub schema: Value,
    pub origins: Origins,
    /// Date patterns the engine must know as custom formats.
    pub date_patterns: Vec<Strftime>,
}

pub fn compile(contract: &Contract) -> Compiled {
    let mut compiler = Compiler {
        contract,
        origins: Origins::default(),
        date_patterns: Vec::new(),
    };
    let mut schema = compiler.field(&contract.root, "");
    if !contract.recursive_types.is_empty() {
        let mut defs = Map::new();
        for t in &contract.recursive_types {
            let location = format!("/$defs/{}", pointer::escape(&t.name));
            defs.insert(t.name.clone(), compiler.field(t, &location));
        }
        if let Value::Object(map) = &mut schema {
            map.insert("$defs".into(), Value::Object(defs));
        }
    }
    if let Value::Object(map) = &mut schema {
        let mut head = Map::new();
        head.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        head.insert("title".into(), json!(contract.reference()));
        head.extend(std::mem::take(map));
        *map = head;
    }
    Compiled {
        schema,
        origins: compiler.origins,
        date_patterns: compiler.date_patterns,
    }
}

/// The schema for one value's constraints alone (a field's or a named format's), used to check
/// that a contract's own examples satisfy it.
pub fn value_schema(contract: &Contract, constraints: &Constraints, nullable: bool) -> Compiled {
    let mut compiler = Compiler {
        contract,
        origins: Origins::default(),
        date_patterns: Vec::new(),
    };
    let mut schema = Map::new();
    let mut all_of = Vec::new();
    compiler.constraints(constraints, nullable, &mut schema, &mut all_of, "", "");
    if !all_of.is_empty() {
        schema.insert("allOf".into(), Value::Array(all_of));
    }
    Compiled {
        schema: Value::Object(schema),
        origins: compiler.origins,
        date_patterns: compiler.date_patterns,
    }
}

struct Compiler<'c> {
    contract: &'c Contract,
    origins: Origins,
    date_patterns: Vec<Strftime>,
}

impl Compiler<'_> {
    fn field(&mut self, field: &Field, location: &str) -> Value {
        self.origins
            .insert(location, Origin::Field(field.path.clone()));
        if let Some(name) = &field.recursive {
            let reference = json!({"$ref": format!("#/$defs/{}", pointer::escape(name))});
            // Null passes; anything else is the type (if/then rather than anyOf, so the type's
            // own findings are reported, not one "matches no alternative").
            return if field.is_nullable() {
                json!({"if": {"not": {"type": "null"}}, "then": reference})
            } else {
                reference
            };
        }
        let mut schema = Map::new();
        let mut all_of = Vec::new();
        self.constraints(
            &field.constraints,
            field.is_nullable(),
            &mut schema,
            &mut all_of,
            location,
            &field.path,
        );

        if !field.fields.is_empty() {
            let mut properties = Map::new();
            for child in &field.fields {
                let child_location =
                    format!("{location}/properties/{}", pointer::escape(&child.name));
                properties.insert(child.name.clone(), self.field(child, &child_location));
            }
            schema.insert("properties".into(), Value::Object(properties));
            let required: Vec<Value> = field
                .fields
                .iter()
                .filter(|f| f.is_required())
                .map(|f| json!(f.name))
                .collect();
            if !required.is_empty() {
                schema.insert("required".into(), Value::Array(required));
            }
        }
        if let Some(union) = &field.union {
            // The discriminator is required and one of the cases; each case applies when its
            // value is sent (if/then, so only the chosen case's findings are reported).
            let name = union.discriminator.value.clone();
            let values: Vec<Value> = union.cases.iter().map(|c| json!(c.value)).collect();
            let properties = schema
                .entry("properties")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(p) = properties {
                p.insert(name.clone(), json!({"enum": values}));
            }
            match schema.entry("required").or_insert_with(|| json!([])) {
                Value::Array(r) if !r.contains(&json!(name)) => r.push(json!(name)),
                _ => {}
            }
            for case in &union.cases {
                let then_location = format!("{location}/allOf/{}/then", all_of.len());
                let then = self.field(&case.field, &then_location);
                all_of.push(json!({
                    // Only an object picks a case: a null (when the union is nullable) or any
                    // other value is judged by the union's own type.
                    "if": {"type": "object", "properties": {name.clone(): {"const": case.value}}, "required": [name]},
                    "then": then,
                }));
            }
        }
        if let Some(keys) = &field.keys {
            // propertyNames sees every member name, declared ones too: the docs say so.
            let keys_location = format!("{location}/propertyNames");
            self.origins
                .insert(&keys_location, Origin::Keys(field.path.clone()));
            let compiled = value_schema(self.contract, &keys.value, false);
            self.date_patterns.extend(compiled.date_patterns);
            schema.insert("propertyNames".into(), compiled.schema);
        }
        if let Some(values) = &field.values {
            // What members not in `fields` hold: JSON Schema's additionalProperties, which sees
            // this object's declared properties (unlike one in a raw fragment, under allOf).
            let values_location = format!("{location}/additionalProperties");
            schema.insert(
                "additionalProperties".into(),
                self.field(values, &values_location),
            );
        } else if field.is_closed() {
            // With no properties beside it the engine reports each member as failing `false`,
            // without its name; with (empty) properties it names the unexpected members.
            if field.constraints.ty.as_ref().map(|t| t.value) == Some(FieldType::Object) {
                schema
                    .entry("properties")
                    .or_insert_with(|| Value::Object(Map::new()));
            }
            schema.insert("additionalProperties".into(), json!(false));
        }
        if let Some(items) = &field.items {
            let items_location = format!("{location}/items");
            schema.insert("items".into(), self.field(items, &items_location));
        }
        items::compile(field, &mut schema);
        for (index, rule) in field.rules.iter().enumerate() {
            let rule_location = format!("{location}/allOf/{}", all_of.len());
            self.origins.insert(
                &rule_location,
                Origin::Rule {
                    object: field.path.clone(),
                    index,
                },
            );
            let mut then = Map::new();
            for requirement in &rule.then {
                self.requirement(requirement, &mut then);
            }
            all_of.push(json!({"if": condition(&rule.when), "then": Value::Object(then)}));
        }
        if let Some(fragment) = &field.schema {
            let fragment_location = format!("{location}/allOf/{}", all_of.len());
            self.origins
                .insert(&fragment_location, Origin::Fragment(field.path.clone()));
            // A date pattern named by a fragment's `format` is checked as it is on a field:
            // otherwise the engine would take it for an unknown format and let anything pass.
            let mut stack = vec![&fragment.value];
            while let Some(node) = stack.pop() {
                match node {
                    Value::Object(map) => {
                        if let Some(Value::String(f)) = map.get("format")
                            && Strftime::looks_like(f)
                            && let Ok(pattern) = Strftime::parse(f)
                            && !self.date_patterns.contains(&pattern)
                        {
                            self.date_patterns.push(pattern);
                        }
                        stack.extend(map.values());
                    }
                    Value::Array(items) => stack.extend(items),
                    _ => {}
                }
            }
            all_of.push(fragment.value.clone());
        }
        if let Some(deprecated) = &field.deprecated {
            schema.insert("deprecated".into(), json!(true));
            if !deprecated.value.is_empty() {
                schema.insert(
                    "$comment".into(),
                    json!(format!("deprecated: {}", deprecated.value)),
                );
            }
        }
        if !all_of.is_empty() {
            schema.insert("allOf".into(), Value::Array(all_of));
        }
        Value::Object(schema)
    }

    fn constraints(
        &mut self,
        c: &Constraints,
        nullable: bool,
        schema: &mut Map<String, Value>,
        all_of: &mut Vec<Value>,
        location: &str,
        field_path: &str,
    ) {
        // A field with a named format takes the format's type; nullability is the field's own.
        let ty =
            c.ty.as_ref()
                .map(|t| t.value)
                .or_else(|| match c.format.as_ref().map(|f| &f.value) {
                    Some(FormatRef::Named(name)) => self
                        .contract
                        .named_format(name)?
                        .constraints
                        .ty
                        .as_ref()
                        .map(|t| t.value),
                    _ => None,
                });
        match ty {
            Some(ty) => types::compile(&[ty], nullable, schema),
            None => {
                let listed = c.any_of_types.as_ref().map_or(&[][..], |l| &l.value[..]);
                types::compile(listed, nullable, schema);
            }
        }
        enumeration::compile(c, nullable, schema);
        pattern::compile(c, schema);
        match c.format.as_ref().map(|f| &f.value) {
            Some(FormatRef::Builtin(_) | FormatRef::Strftime(_)) => {
                format::compile(c, schema, &mut self.date_patterns);
            }
            Some(FormatRef::Named(name)) => {
                if let Some(format) = self.contract.named_format(name) {
                    let format_location = format!("{location}/allOf/{}", all_of.len());
                    self.origins.insert(
                        &format_location,
                        Origin::Format {
                            field: field_path.to_string(),
                            name: name.clone(),
                        },
                    );
                    let mut inner = Map::new();
                    let mut nested = Vec::new();
                    // The type is already on the field, with the field's own nullability.
                    let untyped = Constraints {
                        ty: None,
                        ..format.constraints.clone()
                    };
                    self.constraints(
                        &untyped,
                        nullable,
                        &mut inner,
                        &mut nested,
                        &format_location,
                        field_path,
                    );
                    all_of.push(Value::Object(inner));
                }
            }
            None => {}
        }
        length::compile(c, schema);
        range::compile(c, schema);
        decimal::compile(c, schema);
        if let Some(description) = &c.description {
            schema.insert("description".into(), json!(description));
        }
        if let Some(example) = &c.example {
            schema.insert("examples".into(), json!([example.value]));
        }
    }

    fn requirement(&mut self, requirement: &Requirement, then: &mut Map<String, Value>) {
        match requirement {
            Requirement::Required(path) => {
                let (parents, last) = path.split_at(path.len() - 1);
                let target = descend(then, parents);
                push_required(target, &last[0]);
            }
            Requirement::Forbidden(path) => {
                let (parents, last) = path.split_at(path.len() - 1);
                let target = descend(then, parents);
                properties_of(target).insert(last[0].clone(), json!(false));
            }
            Requirement::Constrained(path, constraints) => {
                let (parents, last) = path.split_at(path.len() - 1);
                let target = descend(then, parents);
                let mut inner = Map::new();
                let mut nested = Vec::new();
                // Origins below a rule resolve to the rule itself, so no location is needed.
                let mut scratch = Origins::default();
                std::mem::swap(&mut scratch, &mut self.origins);
                self.constraints(constraints, false, &mut inner, &mut nested, "", "");
                std::mem::swap(&mut scratch, &mut self.origins);
                if !nested.is_empty() {
                    inner.insert("allOf".into(), Value::Array(nested));
                }
                properties_of(target).insert(last[0].clone(), Value::Object(inner));
            }
        }
    }
}

fn properties_of(schema: &mut Map<String, Value>) -> &mut Map<String, Value> {
    schema
        .entry("properties")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("properties is an object")
}

fn push_required(schema: &mut Map<String, Value>, name: &str) {
    let list = schema
        .entry("required")
        .or_insert_with(|| json!([]))
        .as_array_mut()
        .expect("required is an array");
    if !list.iter().any(|v| v == name) {
        list.push(json!(name));
    }
}

/// Walks (creating as needed) nested `properties` for each parent member, requiring each, so a
/// rule about `/customer/email` also fails when `customer` itself is missing.
fn descend<'m>(
    schema: &'m mut Map<String, Value>,
    parents: &[String],
) -> &'m mut Map<String, Value> {
    let mut current = schema;
    for name in parents {
        push_required(current, name);
        current = properties_of(current)
            .entry(name.clone())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("nested schema is an object");
    }
    current
}

fn condition(when: &Condition) -> Value {
    let mut root = Map::new();
    let (parents, last) = when.path.split_at(when.path.len() - 1);
    let target = descend(&mut root, parents);
    push_required(target, &last[0]);
    let test = match &when.test {
        Test::Equals(v) => json!({"const": v}),
        Test::In(vs) => json!({"enum": vs}),
        Test::Present => json!(true),
    };
    properties_of(target).insert(last[0].clone(), test);
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_resolve_to_the_innermost_subschema() {
        let mut origins = Origins::default();
        origins.insert("", Origin::Field(String::new()));
        origins.insert("/properties/a", Origin::Field("/a".into()));
        origins.insert(
            "/properties/a/allOf/0",
            Origin::Rule {
                object: "/a".into(),
                index: 0,
            },
        );
        let (origin, rest) = origins
            .resolve("/properties/a/allOf/0/then/required")
            .unwrap();
        assert_eq!(
            origin,
            &Origin::Rule {
                object: "/a".into(),
                index: 0
            }
        );
        assert_eq!(rest, "/then/required");
        let (origin, rest) = origins.resolve("/properties/a/pattern").unwrap();
        assert_eq!((origin, rest), (&Origin::Field("/a".into()), "/pattern"));
        let (origin, rest) = origins.resolve("/required").unwrap();
        assert_eq!((origin, rest), (&Origin::Field(String::new()), "/required"));
    }
}
