//! Contracts written from schemas teams already have: a JSON Schema document (or one schema in
//! it) or one schema of an OpenAPI 3.0/3.1 document becomes a contract's YAML.
//!
//! Every keyword the language can say is written natively (`type`, `enum`, `pattern`, lengths,
//! ranges, `items`, `fields` and `required`, `closed`, `values`, `keys`, `nullable`, formats
//! handoff knows); local `$ref`s become declared `types`, and a `oneOf` of them with an OpenAPI
//! `discriminator` a union (`one_of`). What the language cannot say
//! (`oneOf`, `not`, `multipleOf`, conditionals...) is kept, never dropped, in the field's `schema`
//! escape hatch, marked `x-handoff-imported` so `handoff lint` points it out for review. The
//! result counts both.

use crate::contract::keyword;
use crate::yaml::{invisible_escaped, key, quote};
use serde_json::{Map, Value};
use std::fmt::Write;

mod dialect;
pub use dialect::{Dialect, Formats};

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Whether `format` is asserted (the default: the contract language checks formats) or
    /// dropped as an annotation, as JSON Schema validators do by default.
    pub formats: Formats,
    /// Documents that references outside the document may name, by absolute URI (without a
    /// fragment): a reference to one of them is resolved from here, never fetched.
    pub documents: std::collections::BTreeMap<String, Value>,
}

/// A contract written from a schema, and how much of it is native.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub yaml: String,
    /// Keywords written in the contract language.
    pub native: usize,
    /// Keywords kept as raw JSON Schema.
    pub raw: usize,
}

/// Keywords with no effect on what a schema accepts.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "$comment",
    "default",
    "readOnly",
    "writeOnly",
    "examples",
    "example",
    "deprecated",
    "$schema",
    "$id",
    "$defs",
    "definitions",
    "xml",
    "externalDocs",
];

/// The marker on raw fragments an import wrote, for `lint` to point out.
pub use crate::contract::IMPORTED_MARK;

/// How the contract describes the root schema.
enum Root {
    /// Top-level keys of an object root (`fields`, `closed`, `one_of`, `schema`).
    Object(Vec<(String, Y)>),
    /// `root:`, a field describing any other value.
    Any(Y),
}

/// A YAML value being written: scalars are written as given (already quoted where needed).
enum Y {
    Scalar(String),
    Map(Vec<(String, Y)>),
    Seq(Vec<Y>),
}

struct Importer<'d> {
    /// The whole document, for resolving `#/...` references.
    document: &'d Value,
    native: usize,
    raw: usize,
    /// Declared types, in the order first met.
    types: Vec<(String, Option<Y>)>,
    /// Whether some object is closed: in the contract a closed object's `closed` is the
    /// default of the objects inside it (and the contract's of every object), where JSON
    /// Schema's `additionalProperties: false` is one object's, so the open ones say `false`.
    root_closed: bool,
    /// The type name given to each referenced pointer.
    type_names: std::collections::HashMap<String, String>,
    /// Types declared but not yet written: name and the pointer of their schema.
    pending: Vec<(String, String)>,
    /// Whether `properties` without `type` still makes an object (OpenAPI's reading, where
    /// vendors leave `type: object` out); JSON Schema applies them only to objects.
    untyped_objects: bool,
}

/// Import the schema at `pointer` in a JSON Schema document (the root by default).
pub fn json_schema(document: &Value, pointer: Option<&str>, id: &str) -> Result<Imported, String> {
    json_schema_with(document, pointer, id, &Options::default())
}

/// [`json_schema`], with options.
pub fn json_schema_with(
    document: &Value,
    pointer: Option<&str>,
    id: &str,
    options: &Options,
) -> Result<Imported, String> {
    let dialect = Dialect::of_json_schema(document);
    let mut document = document.clone();
    dialect::normalize(&mut document, dialect, options.formats);
    let schema = match pointer {
        Some(p) => document
            .pointer(p)
            .ok_or_else(|| format!("the document has nothing at {p}"))?,
        None => &document,
    };
    // A whole document whose meaning rests on identity (anchors, nested `$id`s, dynamic or
    // non-pointer references) or on what its siblings evaluated (`unevaluated*`) is kept whole:
    // taking it apart into fields would change what it accepts.
    if pointer.is_none()
        && let Some(why) = needs_whole(&document)
    {
        return Ok(whole(&document, id, why, &options.documents));
    }
    Ok(import(&document, schema, id, false))
}

/// Why a schema must be kept whole (the first keyword met that needs it), if it must.
fn needs_whole(schema: &Value) -> Option<String> {
    let mut stack = vec![(schema, true)];
    while let Some((node, top)) = stack.pop() {
        match node {
            Value::Object(map) => {
                for (k, v) in map {
                    let why = match (k.as_str(), v) {
                        (
                            "$dynamicRef"
                            | "$dynamicAnchor"
                            | "$recursiveRef"
                            | "$recursiveAnchor"
                            | "$anchor"
                            | "unevaluatedProperties"
                            | "unevaluatedItems",
                            _,
                        ) => Some(format!("it uses `{k}`")),
                        ("$id", _) if !top => Some("a schema inside it has its own `$id`".into()),
                        ("$ref", Value::String(r)) if !(r == "#" || r.starts_with("#/")) => {
                            Some(format!(
                                "it refers to {r:?}, which is not a JSON Pointer into the document"
                            ))
                        }
                        _ => None,
                    };
                    if why.is_some() {
                        return why;
                    }
                    // Data, not schemas: a `$ref` written in an example is not a reference.
                    if !matches!(
                        k.as_str(),
                        "enum" | "const" | "examples" | "example" | "default"
                    ) {
                        stack.push((v, false));
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter().map(|i| (i, false))),
            _ => {}
        }
    }
    None
}

/// The document as one raw fragment on the contract's root, exactly as written.
fn whole(
    document: &Value,
    id: &str,
    why: String,
    documents: &std::collections::BTreeMap<String, Value>,
) -> Imported {
    let mut fragment = document.clone();
    let raw = fragment.as_object().map_or(1, Map::len);
    let embedded = referenced_documents(document, documents);
    if let Value::Object(map) = &mut fragment {
        // Its own references resolve inside it, wherever the contract places it.
        map.entry("$id")
            .or_insert_with(|| Value::String("urn:handoff:import:document".into()));
        map.insert(IMPORTED_MARK.into(), Value::Bool(true));
        // The documents its references name go along, each as a resource under its URI.
        if !embedded.is_empty() {
            let defs = map
                .entry("$defs")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(defs) = defs {
                for (n, (uri, mut doc)) in embedded.into_iter().enumerate() {
                    if let Value::Object(d) = &mut doc {
                        d.entry("$id").or_insert_with(|| Value::String(uri.clone()));
                    }
                    defs.insert(format!("handoff-document-{}", n + 1), doc);
                }
            }
        }
    }
    let mut out = header(id, document);
    let _ = writeln!(
        out,
        "root:\n  # kept whole by handoff import: {}\n  schema: {}",
        why.replace('\n', " "),
        invisible_escaped(fragment.to_string())
    );
    Imported {
        yaml: out,
        native: 0,
        raw,
    }
}

/// The given documents that `document`'s references may name, and the ones theirs name in
/// turn. A relative reference's base depends on the `$id`s around it, so a document is taken
/// when its URI ends with the reference's path: taking one too many is harmless, as each keeps
/// its own URI.
fn referenced_documents(
    document: &Value,
    documents: &std::collections::BTreeMap<String, Value>,
) -> Vec<(String, Value)> {
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("$ref" | "$dynamicRef", Value::String(r)) => {
                            let path = r.split('#').next().unwrap_or("");
                            if !path.is_empty() {
                                out.push(path.to_string());
                            }
                        }
                        _ => refs(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| refs(i, out)),
            _ => {}
        }
    }
    let mut wanted = Vec::new();
    refs(document, &mut wanted);
    let mut taken: Vec<(String, Value)> = Vec::new();
    while let Some(path) = wanted.pop() {
        let file = path.trim_start_matches("./");
        for (uri, doc) in documents {
            if (uri == &path || uri.ends_with(&format!("/{file}")))
                && !taken.iter().any(|(u, _)| u == uri)
            {
                refs(doc, &mut wanted);
                taken.push((uri.clone(), doc.clone()));
            }
        }
    }
    taken.sort_by(|a, b| a.0.cmp(&b.0));
    taken
}

/// Whether any schema in the document closes its object (`additionalProperties: false`).
fn closes_an_object(document: &Value) -> bool {
    let mut stack = vec![document];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                if map.get("additionalProperties") == Some(&Value::Bool(false)) {
                    return true;
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    false
}

/// The lines every imported contract starts with.
fn header(id: &str, schema: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Imported by `handoff import`: review the boundary, and every `schema` marked\n# {IMPORTED_MARK} (what the contract language could not say natively)."
    );
    let _ = writeln!(out, "contract: {id}\nversion: 1.0.0");
    if let Some(d) = schema.get("description").and_then(Value::as_str) {
        let _ = writeln!(out, "description: {}", quote(d));
    }
    let _ = writeln!(
        out,
        "boundary: {{from: sender, to: receiver, transport: api}}"
    );
    out
}

/// Import `components.schemas.<name>` of an OpenAPI 3.0 or 3.1 document.
pub fn openapi(document: &Value, name: &str, id: &str) -> Result<Imported, String> {
    openapi_with(document, name, id, &Options::default())
}

/// [`openapi`], with options.
pub fn openapi_with(
    document: &Value,
    name: &str,
    id: &str,
    options: &Options,
) -> Result<Imported, String> {
    let document = openapi_schemas(document, options)?;
    let schema = component(component_schemas(&document)?, name)?;
    Ok(import(&document, schema, id, true))
}

/// The document's `components.schemas`.
fn component_schemas(document: &Value) -> Result<&Map<String, Value>, String> {
    document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .ok_or_else(|| "the document has no components.schemas".to_string())
}

/// The schema named `name` in `components.schemas`, or which names are there.
fn component<'d>(schemas: &'d Map<String, Value>, name: &str) -> Result<&'d Value, String> {
    schemas.get(name).ok_or_else(|| {
        let names: Vec<&str> = schemas.keys().map(String::as_str).collect();
        match crate::diagnostic::did_you_mean(name, names.iter().copied()) {
            Some(close) => {
                format!("no schema `{name}` in components.schemas; did you mean `{close}`?")
            }
            None => format!(
                "no schema `{name}` in components.schemas (it has: {})",
                names.join(", ")
            ),
        }
    })
}

/// Every schema of `components.schemas`, each its own contract (with the types it reaches),
/// in the document's order: the name, and the contract or why there is none. The document
/// is read once for all of them.
pub fn openapi_all(
    document: &Value,
    id_of: &dyn Fn(&str) -> String,
    options: &Options,
) -> Result<Vec<(String, Imported)>, String> {
    let document = openapi_schemas(document, options)?;
    Ok(component_schemas(&document)?
        .iter()
        .map(|(name, schema)| (name.clone(), import(&document, schema, &id_of(name), true)))
        .collect())
}

/// An OpenAPI 3 document with its component schemas (where references point) in one
/// dialect; the rest of the document as it is.
fn openapi_schemas(document: &Value, options: &Options) -> Result<Value, String> {
    let version = document
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !version.starts_with('3') {
        return Err(match document.get("openapi").or_else(|| document.get("swagger")) {
            None => "not an OpenAPI document: it has no `openapi` version (for a JSON Schema, use `handoff import jsonschema`)".into(),
            Some(v) => format!("OpenAPI {v} is not supported: handoff reads OpenAPI 3.0 and 3.1"),
        });
    }
    let mut document = document.clone();
    if let Some(Value::Object(schemas)) = document.pointer_mut("/components/schemas") {
        for s in schemas.values_mut() {
            dialect::normalize(s, Dialect::of_openapi(version), options.formats);
        }
    }
    Ok(document)
}

fn import(document: &Value, schema: &Value, id: &str, untyped_objects: bool) -> Imported {
    let mut importer = Importer::new(document, untyped_objects);
    let root = importer.root(schema);
    importer.declare_pending();
    written(importer, root, id, schema)
}

/// Every schema of `components.schemas` as one declared type of a single contract whose root
/// is the schema named `root`: the whole document in one contract, linear in its size however
/// the schemas refer to each other.
pub fn openapi_types(
    document: &Value,
    root: &str,
    id: &str,
    options: &Options,
) -> Result<Imported, String> {
    let document = openapi_schemas(document, options)?;
    let schemas = component_schemas(&document)?;
    let schema = component(schemas, root)?;
    let mut importer = Importer::new(&document, true);
    let reference = |name: &str| {
        format!(
            "#/components/schemas/{}",
            uri_fragment(&crate::pointer::escape(name))
        )
    };
    for name in schemas.keys() {
        importer.reference(&reference(name), &Map::new());
    }
    let spec = importer.reference(&reference(root), &Map::new());
    importer.declare_pending();
    Ok(written(importer, Root::Any(spec), id, schema))
}

/// The contract's text: its head, the declared types, then the root.
fn written(mut importer: Importer<'_>, root: Root, id: &str, schema: &Value) -> Imported {
    let mut out = header(id, schema);
    if !importer.types.is_empty() {
        let _ = writeln!(out, "types:");
        let types = std::mem::take(&mut importer.types);
        for (name, body) in types {
            if let Some(body) = body {
                let _ = write!(out, "  {}:", key(&name));
                emit(&mut out, &body, 1);
            }
        }
    }
    match root {
        Root::Object(entries) => {
            for (k, v) in entries {
                let _ = write!(out, "{k}:");
                emit(&mut out, &v, 0);
            }
        }
        Root::Any(spec) => {
            let _ = write!(out, "root:");
            emit(&mut out, &spec, 0);
        }
    }
    Imported {
        yaml: out,
        native: importer.native,
        raw: importer.raw,
    }
}

impl<'d> Importer<'d> {
    fn new(document: &'d Value, untyped_objects: bool) -> Importer<'d> {
        Importer {
            document,
            native: 0,
            raw: 0,
            types: Vec::new(),
            root_closed: closes_an_object(document),
            type_names: Default::default(),
            pending: Vec::new(),
            untyped_objects,
        }
    }

    /// The contract's description of the root schema: top-level `fields` (and `closed`,
    /// `one_of`, `schema`) for an object, or `root:` for anything else (a scalar, an array, a
    /// reference, a schema that does not say it is an object, which JSON Schema lets be any
    /// value).
    fn root(&mut self, schema: &Value) -> Root {
        let spec = self.field(schema);
        let Y::Map(entries) = spec else {
            return Root::Any(spec);
        };
        // A discriminated union is of objects, said or not.
        let object = entries.iter().any(|(k, v)| {
            (k == "type" && matches!(v, Y::Scalar(t) if t == "object"))
                || (k == "one_of" && !entries.iter().any(|(k, _)| k == "type"))
        }) && entries.iter().all(|(k, _)| {
            matches!(
                k.as_str(),
                "type" | "description" | "fields" | "closed" | "schema" | "one_of"
            )
        });
        if !object {
            // The contract's own description says what the schema's did.
            let entries = entries
                .into_iter()
                .filter(|(k, _)| k != "description")
                .collect();
            return Root::Any(Y::Map(entries));
        }
        let mut out: Vec<(String, Y)> = entries
            .into_iter()
            .filter(|(k, _)| !matches!(k.as_str(), "type" | "description"))
            .collect();
        if !out.iter().any(|(k, _)| k == "fields") {
            out.insert(0, ("fields".into(), Y::Map(Vec::new())));
        }
        Root::Object(out)
    }

    fn resolve(&self, reference: &str) -> Option<&Value> {
        self.document.pointer(&fragment_pointer(reference)?)
    }

    /// A field declaration for `schema`.
    fn field(&mut self, schema: &Value) -> Y {
        let Some(map) = schema.as_object() else {
            // `true` (anything) or `false` (nothing): the latter only raw.
            if schema == &Value::Bool(false) {
                self.raw += 1;
                return Y::Map(vec![(
                    "schema".into(),
                    self.raw_fragment(&Value::Bool(false)),
                )]);
            }
            return Y::Map(Vec::new());
        };
        // A reference alone is a declared type; beside other keywords (which apply too, from
        // 2019-09 on) it is kept raw while they are written natively.
        if let Some(Value::String(reference)) = map.get("$ref")
            && map
                .keys()
                .all(|k| k == "$ref" || ANNOTATIONS.contains(&k.as_str()))
        {
            return self.reference(reference, map);
        }
        if let Some(spec) = self.single_branch(map) {
            return spec;
        }
        if let Some(union) = self.union(map) {
            return union;
        }
        let mut out: Vec<(String, Y)> = Vec::new();
        let mut rest = Map::new();
        // Object keywords on a schema of another type have no effect (some generators put
        // `additionalProperties: false` everywhere): they are not written.
        let not_object = match map.get("type") {
            Some(Value::String(t)) => t != "object",
            Some(Value::Array(ts)) => !ts.iter().any(|t| t == "object"),
            _ => false,
        };
        let mut nullable = map.get("nullable") == Some(&Value::Bool(true));
        // A pair of bounds that contradict each other is a valid schema no value satisfies,
        // and a contract error: kept raw, as the source says it.
        let crossed = |lo: &str, hi: &str| match (
            map.get(lo).and_then(Value::as_f64),
            map.get(hi).and_then(Value::as_f64),
        ) {
            (Some(a), Some(b)) => a > b,
            _ => false,
        };
        let crossed_keys: Vec<&str> = [
            ("minLength", "maxLength"),
            ("minItems", "maxItems"),
            ("minimum", "maximum"),
        ]
        .into_iter()
        .filter(|(lo, hi)| crossed(lo, hi))
        .flat_map(|(lo, hi)| [lo, hi])
        .collect();
        // JSON Schema applies object and array keywords only to objects and arrays: without a
        // `type` they say nothing about other values, which the contract's `fields` and
        // `items` (which make the field an object or an array) would reject.
        let untyped = !self.untyped_objects && !map.contains_key("type");
        for (k, v) in map {
            let native = match (k.as_str(), v) {
                (key, _) if crossed_keys.contains(&key) => false,
                (
                    "properties" | "required" | "additionalProperties" | "propertyNames" | "items",
                    _,
                ) if untyped => false,
                // `items` after a tuple applies from the tuple's end; pattern members are
                // not "additional": both only mean what they say beside their partner.
                ("items", _) if map.contains_key("prefixItems") => false,
                ("additionalProperties", _) if map.contains_key("patternProperties") => false,
                ("enum", Value::Array(values)) if values.is_empty() => false,
                ("type", Value::String(t)) if is_type(t) => {
                    out.push(("type".into(), Y::Scalar(t.clone())));
                    true
                }
                ("type", Value::Array(ts)) => {
                    let named: Vec<&str> = ts.iter().filter_map(Value::as_str).collect();
                    let non_null: Vec<&str> =
                        named.iter().copied().filter(|t| *t != "null").collect();
                    if !non_null.is_empty()
                        && non_null.iter().all(|t| is_type(t))
                        && named.len() == ts.len()
                    {
                        nullable |= named.contains(&"null");
                        let ty = match non_null.as_slice() {
                            [one] => Y::Scalar(one.to_string()),
                            many => Y::Seq(many.iter().map(|t| Y::Scalar(t.to_string())).collect()),
                        };
                        out.push(("type".into(), ty));
                        true
                    } else {
                        false
                    }
                }
                ("nullable", Value::Bool(_)) => true,
                ("description", Value::String(d)) => {
                    out.push(("description".into(), Y::Scalar(quote(d))));
                    true
                }
                ("enum", Value::Array(values))
                    if values.iter().all(|v| !v.is_object() && !v.is_array()) =>
                {
                    nullable |= values.contains(&Value::Null);
                    let values = values
                        .iter()
                        .filter(|v| !v.is_null())
                        .map(|v| Y::Scalar(scalar(v)))
                        .collect();
                    out.push(("enum".into(), Y::Seq(values)));
                    true
                }
                ("const", c) if !c.is_object() && !c.is_array() && !c.is_null() => {
                    out.push(("enum".into(), Y::Seq(vec![Y::Scalar(scalar(c))])));
                    true
                }
                ("pattern", Value::String(p)) => {
                    out.push(("pattern".into(), Y::Scalar(quote(p))));
                    true
                }
                ("format", Value::String(f)) if crate::format::Builtin::from_name(f).is_some() => {
                    out.push(("format".into(), Y::Scalar(f.clone())));
                    true
                }
                ("minLength", n) | ("maxLength", n) | ("minItems", n) | ("maxItems", n)
                    if n.is_u64() =>
                {
                    out.push((keyword::contract_name(k).into(), Y::Scalar(n.to_string())));
                    true
                }
                ("minimum", n)
                | ("maximum", n)
                | ("exclusiveMinimum", n)
                | ("exclusiveMaximum", n)
                    if n.is_number() =>
                {
                    out.push((keyword::contract_name(k).into(), Y::Scalar(n.to_string())));
                    true
                }
                ("uniqueItems", Value::Bool(b)) => {
                    out.push((keyword::contract_name(k).into(), Y::Scalar(b.to_string())));
                    true
                }
                ("deprecated", Value::Bool(true)) => {
                    out.push(("deprecated".into(), Y::Scalar("true".into())));
                    true
                }
                ("examples", Value::Array(list))
                    if list
                        .first()
                        .is_some_and(|e| !e.is_object() && !e.is_array()) =>
                {
                    out.push(("example".into(), Y::Scalar(scalar(&list[0]))));
                    true
                }
                ("example", e) if !e.is_object() && !e.is_array() => {
                    out.push(("example".into(), Y::Scalar(scalar(e))));
                    true
                }
                ("items", items @ Value::Object(_)) => {
                    let spec = self.field(items);
                    out.push(("items".into(), spec));
                    true
                }
                ("properties", Value::Object(props)) => {
                    let required: Vec<&str> = map
                        .get("required")
                        .and_then(Value::as_array)
                        .map(|r| r.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    let mut fields = Vec::new();
                    for (name, p) in props {
                        let mut spec = self.field(p);
                        if required.contains(&name.as_str())
                            && let Y::Map(entries) = &mut spec
                        {
                            // Right after what the field is.
                            let at = entries
                                .iter()
                                .position(|(k, _)| {
                                    !matches!(k.as_str(), "type" | "format" | "description")
                                })
                                .unwrap_or(entries.len());
                            entries.insert(at, ("required".into(), Y::Scalar("true".into())));
                        }
                        fields.push((key(name), spec));
                    }
                    out.push(("fields".into(), Y::Map(fields)));
                    true
                }
                // Required members without a declared property: raw, with the rest.
                ("required", Value::Array(r)) => r
                    .iter()
                    .filter_map(Value::as_str)
                    .all(|n| map.get("properties").and_then(|p| p.get(n)).is_some()),
                ("additionalProperties" | "propertyNames" | "properties", _) if not_object => true,
                ("additionalProperties", Value::Bool(false)) => {
                    out.push(("closed".into(), Y::Scalar("true".into())));
                    true
                }
                ("additionalProperties", Value::Bool(true)) => true,
                ("additionalProperties", values @ Value::Object(_)) => {
                    let spec = self.field(values);
                    out.push(("values".into(), spec));
                    true
                }
                ("propertyNames", Value::Object(names))
                    if names
                        .keys()
                        .all(|k| matches!(k.as_str(), "pattern" | "minLength" | "maxLength")) =>
                {
                    let mut keys = Vec::new();
                    for (k, v) in names {
                        let name = keyword::contract_name(k);
                        let text = if k == "pattern" {
                            quote(v.as_str().unwrap_or(""))
                        } else {
                            v.to_string()
                        };
                        keys.push((name.to_string(), Y::Scalar(text)));
                    }
                    out.push(("keys".into(), Y::Map(keys)));
                    true
                }
                // Annotations with no effect on what is accepted.
                (
                    "title" | "$comment" | "default" | "readOnly" | "writeOnly" | "$schema" | "$id"
                    | "$defs" | "definitions" | "xml" | "externalDocs",
                    _,
                ) => true,
                _ => false,
            };
            if native {
                self.native += 1;
            } else {
                self.raw += 1;
                rest.insert(k.clone(), v.clone());
            }
        }
        if nullable {
            out.push(("nullable".into(), Y::Scalar("true".into())));
        }
        // An object that does not close itself stays open under a closed root.
        let typed = out.iter().find(|(k, _)| k == "type").map(|(_, v)| match v {
            Y::Scalar(t) => t.as_str() == "object",
            _ => false,
        });
        if self.root_closed
            && !map.contains_key("additionalProperties")
            && typed.unwrap_or(true)
            && !out.iter().any(|(k, _)| k == "items")
        {
            out.push(("closed".into(), Y::Scalar("false".into())));
        }
        if !rest.is_empty() {
            // `additionalProperties` kept raw sees only the properties beside it: the members
            // written natively are named there too, so they are not "additional".
            if rest.contains_key("additionalProperties")
                && !rest.contains_key("properties")
                && let Some(Value::Object(props)) = map.get("properties")
            {
                let names = props.keys().map(|k| (k.clone(), Value::Bool(true)));
                rest.insert("properties".into(), Value::Object(names.collect()));
            }
            rest.insert(IMPORTED_MARK.into(), Value::Bool(true));
            let kept: Vec<String> = rest
                .keys()
                .filter(|k| *k != IMPORTED_MARK)
                .cloned()
                .collect();
            let Y::Scalar(text) = self.raw_fragment(&Value::Object(rest)) else {
                unreachable!("raw is a scalar");
            };
            // Said where it stands, too: a reviewer reading the YAML sees what was kept and why.
            out.push((
                "schema".into(),
                Y::Scalar(format!(
                    "{text}  # kept raw by handoff import: {} (not in the contract language)",
                    // Keyword names come from the document: quoted where odd, so a line break
                    // in one cannot end the comment.
                    kept.iter().map(|k| key(k)).collect::<Vec<_>>().join(", ")
                )),
            ));
        }
        // The order a person writes a field in: what it is, then its limits, then its members.
        const ORDER: &[&str] = &[
            "type",
            "format",
            "description",
            "required",
            "nullable",
            "enum",
            "pattern",
            "min_length",
            "max_length",
            "minimum",
            "maximum",
            "exclusive_minimum",
            "exclusive_maximum",
            "example",
            "deprecated",
            "min_items",
            "max_items",
            "unique_items",
            "items",
            "closed",
            "keys",
            "values",
            "fields",
            "schema",
        ];
        out.sort_by_key(|(k, _)| ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len()));
        Y::Map(out)
    }

    /// A schema that is one branch under another name: `allOf: [S]`, or `anyOf`/`oneOf` of
    /// `S` and `{"type": "null"}` (what OpenAPI 3.0's `nullable` and 3.1's type lists become):
    /// `S`, nullable in the second case.
    fn single_branch(&mut self, map: &Map<String, Value>) -> Option<Y> {
        let (key, list) = ["allOf", "anyOf", "oneOf"]
            .iter()
            .find_map(|k| Some((*k, map.get(*k)?.as_array()?)))?;
        if !map
            .keys()
            .all(|k| k == key || ANNOTATIONS.contains(&k.as_str()))
        {
            return None;
        }
        let null = serde_json::json!({"type": "null"});
        let (inner, nullable) = match (key, list.as_slice()) {
            ("allOf", [one]) => (one, false),
            ("anyOf" | "oneOf", [a, b]) if *b == null || *a == null => {
                let other = if *b == null { a } else { b };
                // Under oneOf, a branch that accepts null too would make null fail: only a
                // reference or a branch of a non-null type is taken apart.
                if !never_null(other) {
                    return None;
                }
                (other, true)
            }
            _ => return None,
        };
        let mut spec = self.field(inner);
        self.native += 1;
        if let Y::Map(entries) = &mut spec {
            if nullable && !entries.iter().any(|(k, _)| k == "nullable") {
                let at = entries
                    .iter()
                    .position(|(k, _)| !matches!(k.as_str(), "type" | "format" | "description"))
                    .unwrap_or(entries.len());
                entries.insert(at, ("nullable".into(), Y::Scalar("true".into())));
            }
            if let Some(Value::String(d)) = map.get("description")
                && !entries.iter().any(|(k, _)| k == "description")
            {
                entries.insert(
                    1.min(entries.len()),
                    ("description".into(), Y::Scalar(quote(d))),
                );
            }
        }
        Some(spec)
    }

    /// `oneOf` of local `$ref`s with an OpenAPI `discriminator`: a union whose cases are the
    /// referenced schemas, by the discriminator's mapping or each case's one allowed value.
    fn union(&mut self, map: &Map<String, Value>) -> Option<Y> {
        let property = map
            .get("discriminator")?
            .get("propertyName")?
            .as_str()?
            .to_string();
        let branches = map.get("oneOf").or_else(|| map.get("anyOf"))?.as_array()?;
        let mapping = map
            .get("discriminator")?
            .get("mapping")
            .and_then(Value::as_object);
        let mut cases = Vec::new();
        for branch in branches {
            let reference = branch.get("$ref")?.as_str()?;
            let target = self.resolve(reference)?;
            let value = mapping
                .and_then(|m| {
                    m.iter()
                        .find(|(_, r)| r.as_str() == Some(reference))
                        .map(|(v, _)| v.clone())
                })
                .or_else(|| {
                    let p = target.get("properties")?.get(&property)?;
                    match (p.get("const"), p.get("enum").and_then(Value::as_array)) {
                        (Some(Value::String(c)), _) => Some(c.clone()),
                        (_, Some(list)) if list.len() == 1 => list[0].as_str().map(String::from),
                        _ => None,
                    }
                })
                .unwrap_or_else(|| {
                    reference
                        .rsplit('/')
                        .next()
                        .unwrap_or(reference)
                        .to_string()
                });
            // The case's type is the referenced schema, declared once.
            let Y::Map(entries) = self.reference(reference, &Map::new()) else {
                return None;
            };
            let name = entries
                .into_iter()
                .find_map(|(k, v)| match (k.as_str(), v) {
                    ("type", Y::Scalar(t)) => Some(t),
                    _ => None,
                })?;
            cases.push((key(&value), Y::Scalar(name)));
        }
        // oneOf, discriminator and (OpenAPI's) mapping: three keywords said natively.
        self.native += 2;
        let mut out = vec![(
            "one_of".to_string(),
            Y::Map(vec![
                ("discriminator".into(), Y::Scalar(key(&property))),
                ("cases".into(), Y::Map(cases)),
            ]),
        )];
        if let Some(Value::String(d)) = map.get("description") {
            out.insert(0, ("description".into(), Y::Scalar(quote(d))));
        }
        Some(Y::Map(out))
    }

    /// A local `$ref`: a declared type, written once.
    fn reference(&mut self, reference: &str, map: &Map<String, Value>) -> Y {
        let name = match fragment_pointer(reference) {
            Some(pointer) => self.type_name_for(&pointer),
            None => type_name(reference),
        };
        let Some(target) =
            fragment_pointer(reference).filter(|_| self.resolve(reference).is_some())
        else {
            self.raw += 1;
            let mut kept = map.clone();
            kept.insert(IMPORTED_MARK.into(), Value::Bool(true));
            return Y::Map(vec![(
                "schema".into(),
                self.raw_fragment(&Value::Object(kept)),
            )]);
        };
        self.native += 1;
        // Declared now, written later (by `declare_pending`): a chain of references as long
        // as the document is then a loop, not a recursion as deep as the chain.
        if !self.types.iter().any(|(n, _)| *n == name) {
            self.types.push((name.clone(), None));
            self.pending.push((name.clone(), target));
        }
        let mut out = vec![("type".into(), Y::Scalar(name))];
        if let Some(Value::String(d)) = map.get("description") {
            out.push(("description".into(), Y::Scalar(quote(d))));
        }
        Y::Map(out)
    }
}

/// Whether a schema rejects `null` whatever else it says: a reference (a declared type), a
/// non-null type, a discriminated union (of objects), or one of these under a single `allOf`.
fn never_null(schema: &Value) -> bool {
    schema.get("$ref").is_some()
        || schema
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t != "null")
        || schema.get("discriminator").is_some()
        || matches!(schema.get("allOf"), Some(Value::Array(list)) if list.len() == 1 && never_null(&list[0]))
}

/// The JSON Pointer a local reference (`#/$defs/a%25b`) names, percent-decoded as a URI
/// fragment is.
fn fragment_pointer(reference: &str) -> Option<String> {
    Some(crate::pointer::percent_decoded(
        reference.strip_prefix('#')?,
    ))
}

/// A JSON Pointer written into a URI fragment: characters a fragment cannot hold
/// percent-encoded.
fn uri_fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for b in pointer.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn is_type(t: &str) -> bool {
    crate::contract::FieldType::from_name(t).is_some()
}

/// A type name from a schema name: the language's names are plain words.
fn type_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if crate::contract::FieldType::from_name(&out).is_some() {
        out.push_str("_type");
    }
    out
}

impl Importer<'_> {
    /// A raw fragment whose local references name the contract's own types: each target is
    /// declared once as a type (as a native `$ref` would be) and the fragment refers to it as
    /// `#/$defs/<type>`, which the compiled contract holds. Nothing is copied, so the contract
    /// grows with the document, never with the number of paths through it.
    fn raw_fragment(&mut self, value: &Value) -> Y {
        let mut fragment = value.clone();
        self.refer_to_types(&mut fragment);
        Y::Scalar(invisible_escaped(fragment.to_string()))
    }

    fn refer_to_types(&mut self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get_mut("$ref")
                    && self.resolve(r).is_some()
                {
                    let reference = r.clone();
                    if let Y::Map(entries) = self.reference(&reference, &Map::new())
                        && let Some((_, Y::Scalar(name))) =
                            entries.into_iter().find(|(k, _)| k == "type")
                        && let Some(Value::String(r)) = map.get_mut("$ref")
                    {
                        *r = format!("#/$defs/{}", uri_fragment(&crate::pointer::escape(&name)));
                    }
                }
                for (k, v) in map.iter_mut() {
                    // Data, not schemas; and a member named `$ref` under `properties` is a
                    // schema, where a string `$ref` is the reference just handled.
                    let data = matches!(k.as_str(), "enum" | "const" | "examples" | "default");
                    if !data && (k != "$ref" || !v.is_string()) {
                        self.refer_to_types(v);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.refer_to_types(v)),
            _ => {}
        }
    }

    /// Write every declared type, and the ones they declare in turn.
    fn declare_pending(&mut self) {
        while let Some((name, pointer)) = self.pending.pop() {
            let document = self.document;
            let Some(target) = document.pointer(&pointer) else {
                continue;
            };
            let body = self.field(target);
            if let Some(slot) = self.types.iter_mut().find(|(n, _)| *n == name) {
                slot.1 = Some(body);
            }
        }
    }

    /// The type name for the schema at `pointer`: its last segment (`Root` for the document
    /// itself), made a plain word, and apart from every other pointer's.
    fn type_name_for(&mut self, pointer: &str) -> String {
        if let Some(name) = self.type_names.get(pointer) {
            return name.clone();
        }
        let base = match pointer.rsplit('/').next() {
            Some(last) if !pointer.is_empty() => type_name(&crate::pointer::unescape(last)),
            _ => "Root".to_string(),
        };
        let mut name = base.clone();
        let mut n = 1;
        while self.type_names.values().any(|v| *v == name) {
            n += 1;
            name = format!("{base}_{n}");
        }
        self.type_names.insert(pointer.to_string(), name.clone());
        name
    }
}

/// A JSON scalar as YAML reads it back as the same value.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        other => other.to_string(),
    }
}

fn emit(out: &mut String, y: &Y, indent: usize) {
    match y {
        Y::Scalar(s) => {
            let _ = writeln!(out, " {s}");
        }
        Y::Map(entries) if entries.is_empty() => {
            let _ = writeln!(out, " {{}}");
        }
        Y::Seq(items) if items.is_empty() => {
            let _ = writeln!(out, " []");
        }
        Y::Map(entries) => {
            let _ = writeln!(out);
            for (k, v) in entries {
                let _ = write!(out, "{}{k}:", "  ".repeat(indent + 1));
                emit(out, v, indent + 1);
            }
        }
        Y::Seq(items) => {
            let scalars: Option<Vec<&str>> = items
                .iter()
                .map(|i| match i {
                    Y::Scalar(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            match scalars {
                Some(list) => {
                    let _ = writeln!(out, " [{}]", list.join(", "));
                }
                None => {
                    let _ = writeln!(out);
                    for item in items {
                        let _ = write!(out, "{}-", "  ".repeat(indent + 1));
                        emit(out, item, indent + 1);
                    }
                }
            }
        }
    }
}
