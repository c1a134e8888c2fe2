//! Turns a contract's YAML node tree into the checked [`Contract`] model.
//!
//! The reader never stops at the first problem: it reports every unknown key, wrong value and
//! inconsistent constraint it finds, each with its line and column, and only hands out a
//! contract when none of them is an error.

use super::{
    Boundary, Condition, Constraints, Contract, Decimal, EnumValue, Field, FieldType, FormatRef,
    Loaded, Located, NamedFormat, Requirement, Rule, Source, Test, Transport,
};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::format::{Builtin, Strftime};
use crate::yaml::{self, Entries, Key, Node, NodeValue, Span, Typed, describe, json_number};
use serde_json::Value;
use std::path::Path;

mod cross;
mod layout;
pub use layout::csv_options;
mod rules;
mod types;
mod values;

use values::*;

/// Fields above which a declared type, used as it is, is shared by reference (checked as the
/// compiled schema's `$defs/<type>`) instead of copied into each use.
const SHARED_ABOVE: usize = 64;
/// Copies of types inside copies of types, at most; a use nested deeper refers to its type.
const INLINE_DEPTH: usize = 8;

const CONTRACT_KEYS: &[&str] = &[
    "contract",
    "version",
    "description",
    "boundary",
    "closed",
    "formats",
    "types",
    "fields",
    "root",
    "one_of",
    "rules",
    "schema",
    "x12",
    "csv",
];
const BOUNDARY_KEYS: &[&str] = &["from", "to", "transport", "owner"];
/// Keys that constrain one value; allowed on fields, named formats and rule constraints.
pub(super) const VALUE_KEYS: &[&str] = &[
    "type",
    "enum",
    "pattern",
    "format",
    "case",
    "min_length",
    "max_length",
    "max_bytes",
    "minimum",
    "maximum",
    "exclusive_minimum",
    "exclusive_maximum",
    "decimal",
    "description",
    "example",
    "sensitive",
];
pub(super) const FIELD_ONLY_KEYS: &[&str] = &[
    "required",
    "nullable",
    "min_items",
    "max_items",
    "unique_items",
    "items",
    "fields",
    "values",
    "keys",
    "one_of",
    "closed",
    "rules",
    "schema",
    "deprecated",
];
/// What a member name may be constrained by (`keys:`).
const KEY_KEYS: &[&str] = &[
    "pattern",
    "format",
    "case",
    "min_length",
    "max_length",
    "description",
];
const RULE_KEYS: &[&str] = &["when", "then", "description"];
const UNION_KEYS: &[&str] = &["discriminator", "cases"];
const WHEN_KEYS: &[&str] = &["field", "equals", "in", "present"];
const THEN_KEYS: &[&str] = &["required", "forbidden", "fields"];
const DECIMAL_KEYS: &[&str] = &["exactly", "at_most"];

/// Every key the contract language defines, in any position.
pub(super) fn all_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = [
        CONTRACT_KEYS,
        BOUNDARY_KEYS,
        VALUE_KEYS,
        FIELD_ONLY_KEYS,
        RULE_KEYS,
        KEY_KEYS,
        UNION_KEYS,
        cross::CROSS_KEYS,
        layout::X12_KEYS,
        layout::LOOP_KEYS,
        layout::CSV_KEYS,
        WHEN_KEYS,
        THEN_KEYS,
        DECIMAL_KEYS,
    ]
    .concat();
    keys.sort_unstable();
    keys.dedup();
    keys
}

pub(super) fn read(path: &Path, text: &str) -> Loaded {
    let root = match yaml::parse(text) {
        Ok(root) => root,
        Err(err) => {
            let span = Span {
                line: err.line,
                column: err.column,
                ..Span::default()
            };
            return Loaded {
                contract: None,
                diagnostics: vec![Diagnostic::new(Code::YamlSyntax, path, span, err.message)],
            };
        }
    };
    let mut reader = Reader {
        doc: yaml::Reader::new(path),
        formats: Vec::new(),
        format_names: Vec::new(),
        types: Vec::new(),
        expanding: Vec::new(),
        recursive_types: Vec::new(),
        reading_recursive: Vec::new(),
        type_sizes: Default::default(),
        measuring: 0,
        shared_pending: Vec::new(),
        closed_default: None,
    };
    let contract = reader.contract(&root, text);
    let diagnostics = reader.doc.diagnostics;
    let usable = !diagnostics.iter().any(Diagnostic::is_error);
    Loaded {
        contract: contract.filter(|_| usable),
        diagnostics,
    }
}

struct Reader<'p> {
    doc: yaml::Reader<'p>,
    /// Named formats, read before any field so fields can refer to them in any order.
    formats: Vec<NamedFormat>,
    /// Every name declared under `formats:`, known before any is read.
    format_names: Vec<String>,
    /// Shapes declared under `types:`, by name, used where a field says `type: <name>`.
    types: Vec<(String, Node)>,
    /// The types being expanded, outermost first: a type met again inside itself is recursive.
    expanding: Vec<String>,
    /// The recursive types, read once each, and the ones being read.
    recursive_types: Vec<Field>,
    reading_recursive: Vec<String>,
    /// Each declared type's size when copied into a use, measured once.
    type_sizes: std::collections::HashMap<String, usize>,
    /// How deep a type's size is being measured.
    measuring: usize,
    /// Shared types met but not yet read.
    shared_pending: Vec<(String, Node)>,
    /// The contract's `closed`, the default of every object (a recursive type's too).
    closed_default: Option<Located<bool>>,
}

impl Reader<'_> {
    fn contract(&mut self, root: &Node, text: &str) -> Option<Contract> {
        let top = self.doc.mapping(root, "a contract", &[CONTRACT_KEYS])?;
        let doc = root.span;

        let id = self
            .doc
            .required_key(top, doc, "contract", "the contract")
            .and_then(|(k, v)| {
                let id = self.doc.text(k, v)?;
                if !is_kebab_case(&id) {
                    self.doc
                        .report(
                            Code::InvalidId,
                            v.span,
                            format!("contract id `{id}` is not kebab-case"),
                        )
                        .help = Some(format!(
                        "use lower-case words joined by hyphens, such as `{}`",
                        to_kebab(&id)
                    ));
                    return None;
                }
                Some(id)
            });
        let version = self.doc.required_key(top, doc, "version", "the contract").and_then(|(k, v)| {
            let text = self.doc.text(k, v)?;
            match semver::Version::parse(&text) {
                Ok(version) => Some(version),
                Err(err) => {
                    let help = if text.split('.').count() == 2 {
                        format!("write all three parts, such as `{text}.0`; a version is MAJOR.MINOR.PATCH")
                    } else {
                        "a version is MAJOR.MINOR.PATCH, such as 1.4.0".to_string()
                    };
                    self.doc.report(Code::InvalidVersion, v.span, format!("`{text}` is not a semantic version: {err}"))
                        .help = Some(help);
                    None
                }
            }
        });
        let description = top
            .get("description")
            .and_then(|(k, v)| self.doc.text(k, v));
        let boundary = self
            .doc
            .required_key(top, doc, "boundary", "the contract")
            .and_then(|(_, v)| self.boundary(v));
        let closed_default = top.get("closed").and_then(|(k, v)| self.doc.boolean(k, v));
        self.closed_default = closed_default.clone();

        if let Some((_, formats)) = top.get("formats") {
            self.named_formats(formats);
        }
        if let Some((_, types)) = top.get("types") {
            self.declare_types(types);
        }

        let root_field = match top.get("root") {
            Some((k, v)) => self.any_root(top, k, v),
            None => Some(self.object_root(top, doc, closed_default.as_ref())),
        };
        self.read_shared_types();
        let root_field = root_field?;

        let x12 = top.get("x12").and_then(|(_, v)| self.x12(v, &root_field));
        let csv = top.get("csv").and_then(|(_, v)| self.csv(v));

        let (id, version, boundary) = (id?, version?, boundary?);
        self.check_path(&id, &version, top);
        Some(Contract {
            id,
            version,
            description,
            boundary,
            formats: std::mem::take(&mut self.formats),
            root: root_field,
            x12,
            csv,
            recursive_types: std::mem::take(&mut self.recursive_types),
            source: Source {
                path: self.doc.file.to_path_buf(),
                text: text.into(),
            },
        })
    }

    /// The usual root: an object whose members are the contract's `fields`.
    fn object_root(
        &mut self,
        top: Entries<'_>,
        doc: Span,
        closed_default: Option<&Located<bool>>,
    ) -> Field {
        let mut root_field = Field::empty("", "", doc);
        root_field.constraints.ty = Some(Located::new(FieldType::Object, doc));
        root_field.closed = closed_default.cloned();
        match top.get("fields") {
            Some((_, fields)) => root_field.fields = self.fields(fields, "", closed_default),
            None => {
                self.doc
                    .report(Code::MissingKey, doc, "the contract has no `fields`")
                    .help = Some("declare the payload's top-level members under `fields:`, or describe a payload that is not an object under `root:`".into());
            }
        }
        if let Some((_, rules)) = top.get("rules") {
            (root_field.rules, root_field.checks) = self.rules(rules, &root_field);
        }
        if let Some((k, v)) = top.get("one_of") {
            root_field.union = self.union(k, v, "", closed_default);
            if root_field.union.is_some() {
                root_field.closed = None;
            }
        }
        // A raw fragment on the payload itself (an import keeps a root `oneOf` here).
        if let Some((k, v)) = top.get("schema") {
            root_field.schema = self.fragment(k, v);
        }
        root_field
    }

    /// `root:`, a payload that is any JSON value (a number, an array, a union, a reference to
    /// a type), described as one field is. The keys that describe an object root say the same
    /// thing a second way, so they are refused beside it.
    fn any_root(&mut self, top: Entries<'_>, key: &Key, node: &Node) -> Option<Field> {
        let mut clash = false;
        for other in ["fields", "one_of", "rules", "schema", "x12", "csv"] {
            if let Some((k, _)) = top.get(other) {
                clash = true;
                let help = match other {
                    "x12" | "csv" => "an X12 or CSV layout reads into an object: describe its members under `fields:`".to_string(),
                    _ => format!("write `{other}` inside `root:` (it is a field), or drop `root:` for an object payload"),
                };
                self.doc
                    .report(
                        Code::InvalidValue,
                        k.span,
                        format!("`{other}` describes the payload, and so does `root`"),
                    )
                    .help = Some(help);
            }
        }
        let closed = self.closed_default.clone();
        let field = self.field("", key.span, node, String::new(), closed.as_ref(), false);
        if clash { None } else { field }
    }

    /// Contracts live at `contracts/<id>/<version>.yaml`; a file elsewhere is fine, but a file
    /// whose own path names another id or version is a copy-paste slip worth a warning.
    fn check_path(&mut self, id: &str, version: &semver::Version, top: Entries<'_>) {
        let stem = self
            .doc
            .file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("");
        let dir = self
            .doc
            .file
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|s| s.to_str())
            .unwrap_or("");
        if let Ok(file_version) = semver::Version::parse(stem) {
            if &file_version != version {
                let span = top
                    .get("version")
                    .map_or_else(Span::default, |(k, _)| k.span);
                self.doc.report(
                    Code::PathMismatch,
                    span,
                    format!("the file is named {stem} but declares version {version}"),
                );
            }
            if dir != id && !dir.is_empty() {
                let span = top
                    .get("contract")
                    .map_or_else(Span::default, |(k, _)| k.span);
                self.doc.report(
                    Code::PathMismatch,
                    span,
                    format!("the file is in directory `{dir}` but declares contract `{id}`"),
                );
            }
        }
    }

    fn boundary(&mut self, node: &Node) -> Option<Boundary> {
        let entries = self.doc.mapping(node, "`boundary`", &[BOUNDARY_KEYS])?;
        let text_of = |this: &mut Self, name: &str| {
            this.doc
                .required_key(entries, node.span, name, "`boundary`")
                .and_then(|(k, v)| this.doc.text(k, v))
        };
        let from = text_of(self, "from");
        let to = text_of(self, "to");
        let transport = text_of(self, "transport").and_then(|t| match Transport::from_name(&t) {
            Some(t) => Some(t),
            None => {
                let (_, v) = entries.get("transport").expect("read above");
                let help = match did_you_mean(&t, Transport::NAMES.iter().copied()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("one of: {}", Transport::NAMES.join(", ")),
                };
                self.doc
                    .report(
                        Code::InvalidValue,
                        v.span,
                        format!("unknown transport `{t}`"),
                    )
                    .help = Some(help);
                None
            }
        });
        let owner = entries.get("owner").and_then(|(k, v)| self.doc.text(k, v));
        Some(Boundary {
            from: from?,
            to: to?,
            transport: transport?,
            owner,
        })
    }

    fn named_formats(&mut self, node: &Node) {
        let Some(entries) = node.as_map() else {
            self.doc.report(
                Code::WrongValueType,
                node.span,
                format!(
                    "`formats` must be a mapping of names to formats, found {}",
                    node.kind_name()
                ),
            );
            return;
        };
        self.format_names = entries.iter().map(|(k, _)| k.name.clone()).collect();
        for (key, value) in entries {
            if Strftime::looks_like(&key.name) {
                self.doc
                    .report(
                        Code::InvalidValue,
                        key.span,
                        format!(
                            "`{}` cannot name a format: a `%` makes a format reference a date pattern",
                            key.name
                        ),
                    )
                    .help = Some("choose a name without `%`".into());
                continue;
            }
            if Builtin::from_name(&key.name).is_some() {
                self.doc
                    .report(
                        Code::InvalidValue,
                        key.span,
                        format!(
                            "`{}` is a built-in format and cannot be redefined",
                            key.name
                        ),
                    )
                    .help = Some("choose another name for this format".into());
                continue;
            }
            let what = format!("format `{}`", key.name);
            let Some(map) = self.doc.mapping(value, &what, &[VALUE_KEYS]) else {
                continue;
            };
            let constraints = self.constraints(map, &what, false);
            self.check_constraints(&constraints, &what);
            self.formats.push(NamedFormat {
                name: key.name.clone(),
                span: key.span,
                constraints,
            });
        }
    }

    fn fields(&mut self, node: &Node, parent: &str, closed: Option<&Located<bool>>) -> Vec<Field> {
        let Some(entries) = node.as_map() else {
            self.doc.report(
                Code::WrongValueType,
                node.span,
                format!(
                    "`fields` must be a mapping of member names to fields, found {}",
                    node.kind_name()
                ),
            );
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|(key, value)| {
                let path = format!("{parent}/{}", crate::pointer::escape(&key.name));
                self.field(&key.name, key.span, value, path, closed, false)
            })
            .collect()
    }

    fn field(
        &mut self,
        name: &str,
        span: Span,
        node: &Node,
        path: String,
        closed_default: Option<&Located<bool>>,
        is_items: bool,
    ) -> Option<Field> {
        if let Some(field) = self.typed_field(name, span, node, &path, closed_default, is_items) {
            return field;
        }
        let what = if path.is_empty() {
            "the payload (`root`)".to_string()
        } else if is_items {
            format!("the items of `{}`", path.trim_end_matches("/*"))
        } else {
            format!("field `{path}`")
        };
        let entries = self
            .doc
            .mapping(node, &what, &[VALUE_KEYS, FIELD_ONLY_KEYS])?;
        let mut constraints = self.constraints(entries, &what, true);
        // A field with members is an object and one with items an array, even unsaid.
        if constraints.ty.is_none() {
            if let Some((k, _)) = entries
                .get("fields")
                .or_else(|| entries.get("values"))
                .or_else(|| entries.get("one_of"))
            {
                constraints.ty = Some(Located::new(FieldType::Object, k.span));
            } else if let Some((k, _)) = entries.get("items") {
                constraints.ty = Some(Located::new(FieldType::Array, k.span));
            }
        }
        let required = entries
            .get("required")
            .and_then(|(k, v)| self.doc.boolean(k, v));
        if is_items && let Some(r) = &required {
            self.doc
                .report(
                    Code::InvalidValue,
                    r.span,
                    "`required` has no meaning for array items",
                )
                .help = Some("use `min_items` on the array to require items".into());
        }
        let nullable = entries
            .get("nullable")
            .and_then(|(k, v)| self.doc.boolean(k, v));
        let min_items = entries
            .get("min_items")
            .and_then(|(k, v)| self.doc.count(k, v));
        let max_items = entries
            .get("max_items")
            .and_then(|(k, v)| self.doc.count(k, v));
        let unique_items = entries
            .get("unique_items")
            .and_then(|(k, v)| self.doc.boolean(k, v));
        let own_closed = entries
            .get("closed")
            .and_then(|(k, v)| self.doc.boolean(k, v));
        let closed = own_closed.clone().or_else(|| closed_default.cloned());
        let fields = entries
            .get("fields")
            .map(|(_, v)| self.fields(v, &path, closed.as_ref()))
            .unwrap_or_default();
        let items = entries.get("items").and_then(|(k, v)| {
            self.field("", k.span, v, format!("{path}/*"), closed_default, true)
                .map(Box::new)
        });
        let keys = entries.get("keys").and_then(|(k, v)| {
            let what = format!("the member names of `{path}`");
            let key_entries = self.doc.mapping(v, &what, &[KEY_KEYS])?;
            let mut c = self.constraints(key_entries, &what, true);
            c.ty = Some(Located::new(FieldType::String, k.span));
            self.check_constraints(&c, &what);
            Some(Located::new(Box::new(c), k.span))
        });
        let union = entries
            .get("one_of")
            .and_then(|(k, v)| self.union(k, v, &path, closed_default));
        let values = entries.get("values").and_then(|(k, v)| {
            if let Some(c) = own_closed.as_ref().filter(|c| c.value) {
                self.doc
                    .report(
                        Code::InvalidValue,
                        c.span,
                        "`closed: true` says no other members, and `values` says what other members hold",
                    )
                    .help = Some("keep `values` (members not in `fields` must match it), or `closed` (there are none)".into());
            }
            self.field("", k.span, v, format!("{path}/*"), closed_default, true)
                .map(Box::new)
        });
        let schema = entries.get("schema").and_then(|(k, v)| self.fragment(k, v));
        let deprecated =
            entries
                .get("deprecated")
                .and_then(|(k, v)| match v.as_scalar().map(|s| &s.typed) {
                    Some(Typed::Bool(false)) => None,
                    Some(Typed::Bool(true)) => Some(Located::new(String::new(), k.span)),
                    Some(Typed::Str(reason)) => Some(Located::new(reason.clone(), k.span)),
                    _ => {
                        self.doc.report(
                            Code::WrongValueType,
                            v.span,
                            format!(
                                "`deprecated` must be true, false or a reason, found {}",
                                describe(v)
                            ),
                        );
                        None
                    }
                });
        let mut field = Field {
            name: name.to_string(),
            path,
            span,
            required,
            nullable,
            constraints,
            min_items,
            max_items,
            unique_items,
            items,
            fields,
            // A map is not closed: its `values` say what other members hold (the default still
            // reaches the objects below it).
            // A union's cases close themselves; the union object adds nothing to close.
            closed: if values.is_some() || union.is_some() {
                None
            } else {
                closed
            },
            values,
            keys,
            type_name: None,
            union,
            recursive: None,
            rules: Vec::new(),
            checks: Vec::new(),
            schema,
            deprecated,
        };
        if let Some((_, rules)) = entries.get("rules") {
            (field.rules, field.checks) = self.rules(rules, &field);
        }
        self.check_field(&field, entries, &what);
        Some(field)
    }

    /// A raw JSON Schema fragment (`schema:`): an object, or `true`/`false`.
    fn fragment(&mut self, key: &Key, node: &Node) -> Option<Located<Value>> {
        if node.as_map().is_none()
            && !matches!(node.as_scalar().map(|s| &s.typed), Some(Typed::Bool(_)))
        {
            self.doc.report(
                Code::InvalidSchemaFragment,
                node.span,
                format!(
                    "`schema` must be a JSON Schema object, found {}",
                    node.kind_name()
                ),
            );
            return None;
        }
        let value = to_json(node, None);
        self.fragment_types(&value, node.span);
        Some(Located::new(value, key.span))
    }

    /// The declared types a fragment refers to as `#/$defs/<type>`, read once each so the
    /// compiled schema holds them there; a fragment with its own `$id` resolves its references
    /// in itself, and is left alone.
    fn fragment_types(&mut self, fragment: &Value, span: Span) {
        if fragment.get("$id").is_some() {
            return;
        }
        let mut stack = vec![fragment];
        let mut named = Vec::new();
        while let Some(v) = stack.pop() {
            match v {
                Value::Object(map) => {
                    for (k, v) in map {
                        match (k.as_str(), v) {
                            ("$ref", Value::String(r)) => named.push(r.clone()),
                            // Data, not schemas.
                            ("enum" | "const" | "examples" | "default", _) => {}
                            _ => stack.push(v),
                        }
                    }
                }
                Value::Array(items) => stack.extend(items),
                _ => {}
            }
        }
        for reference in named {
            let Some(name) = reference
                .strip_prefix("#/$defs/")
                .filter(|n| !n.contains('/'))
                .map(|n| crate::pointer::unescape(&crate::pointer::percent_decoded(n)))
            else {
                continue;
            };
            match self.types.iter().find(|(n, _)| *n == name).cloned() {
                Some((_, declared)) => self.shared_type(&name, &declared),
                None => {
                    let known: Vec<&str> = self.types.iter().map(|(n, _)| n.as_str()).collect();
                    let hint = did_you_mean(&name, known.iter().copied())
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_default();
                    self.doc
                        .report(
                            Code::InvalidSchemaFragment,
                            span,
                            format!("`schema` refers to `{reference}`, but the contract declares no type `{name}`{hint}"),
                        )
                        .help = Some("a fragment refers to one of the contract's `types` as {\"$ref\": \"#/$defs/<type>\"}".into());
                }
            }
        }
    }

    /// Checks that need the whole field: keywords that fit its type, ranges the right way round.
    fn check_field(&mut self, field: &Field, entries: Entries<'_>, what: &str) {
        let ty = self.effective_type(&field.constraints);
        self.check_constraints(&field.constraints, what);
        if let (
            Some(Located {
                value: FormatRef::Named(name),
                span,
            }),
            Some(own),
        ) = (&field.constraints.format, &field.constraints.ty)
        {
            let format_ty = self
                .formats
                .iter()
                .find(|f| &f.name == name)
                .and_then(|f| f.constraints.ty.clone());
            if let Some(format_ty) = format_ty.filter(|t| t.value != own.value) {
                self.doc.report(
                    Code::TypeConflict,
                    *span,
                    format!(
                        "{what} is {} but format `{name}` is {}",
                        own.value.with_article(),
                        format_ty.value.with_article()
                    ),
                );
            }
        }
        let Some(ty) = ty else { return };
        for (key, applies, fits) in [
            ("min_items", ty == FieldType::Array, "array"),
            ("max_items", ty == FieldType::Array, "array"),
            ("unique_items", ty == FieldType::Array, "array"),
            ("items", ty == FieldType::Array, "array"),
            ("fields", ty == FieldType::Object, "object"),
            ("values", ty == FieldType::Object, "object"),
            ("keys", ty == FieldType::Object, "object"),
            ("one_of", ty == FieldType::Object, "object"),
            ("rules", ty == FieldType::Object, "object"),
            ("closed", ty == FieldType::Object, "object"),
        ] {
            if let Some((k, _)) = entries.get(key).filter(|_| !applies) {
                self.doc.report(
                    Code::KeywordNotForType,
                    k.span,
                    format!(
                        "`{key}` applies to {fits} fields, but {what} is {}",
                        ty.with_article()
                    ),
                );
            }
        }
        if let (Some(min), Some(max)) = (&field.min_items, &field.max_items)
            && min.value > max.value
        {
            self.doc.report(
                Code::InvalidRange,
                min.span,
                format!(
                    "min_items {} is more than max_items {}",
                    min.value, max.value
                ),
            );
        }
    }
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

fn to_kebab(id: &str) -> String {
    let mut out = String::new();
    for c in id.chars() {
        if c.is_ascii_uppercase() && !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        match c {
            '_' | ' ' | '.' => out.push('-'),
            c => out.push(c.to_ascii_lowercase()),
        }
    }
    out
}
