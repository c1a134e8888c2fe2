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

const CONTRACT_KEYS: &[&str] = &[
    "contract",
    "version",
    "description",
    "boundary",
    "closed",
    "formats",
    "fields",
    "rules",
];
const BOUNDARY_KEYS: &[&str] = &["from", "to", "transport", "owner"];
/// Keys that constrain one value; allowed on fields, named formats and rule constraints.
const VALUE_KEYS: &[&str] = &[
    "type",
    "enum",
    "pattern",
    "format",
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
const FIELD_ONLY_KEYS: &[&str] = &[
    "required",
    "nullable",
    "min_items",
    "max_items",
    "unique_items",
    "items",
    "fields",
    "closed",
    "rules",
    "schema",
    "deprecated",
];
const RULE_KEYS: &[&str] = &["when", "then", "description"];
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

        if let Some((_, formats)) = top.get("formats") {
            self.named_formats(formats);
        }

        let mut root_field = Field {
            name: String::new(),
            path: String::new(),
            span: doc,
            required: None,
            nullable: None,
            constraints: Constraints {
                ty: Some(Located::new(FieldType::Object, doc)),
                ..Constraints::default()
            },
            min_items: None,
            max_items: None,
            unique_items: None,
            items: None,
            fields: Vec::new(),
            closed: closed_default.clone(),
            rules: Vec::new(),
            schema: None,
            deprecated: None,
        };
        match top.get("fields") {
            Some((_, fields)) => {
                root_field.fields = self.fields(fields, "", closed_default.as_ref())
            }
            None => {
                self.doc
                    .report(Code::MissingKey, doc, "the contract has no `fields`")
                    .help = Some("declare the payload's top-level members under `fields:`".into());
            }
        }
        if let Some((_, rules)) = top.get("rules") {
            root_field.rules = self.rules(rules, &root_field);
        }

        let (id, version, boundary) = (id?, version?, boundary?);
        self.check_path(&id, &version, top);
        Some(Contract {
            id,
            version,
            description,
            boundary,
            formats: std::mem::take(&mut self.formats),
            root: root_field,
            source: Source {
                path: self.doc.file.to_path_buf(),
                text: text.into(),
            },
        })
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
        let what = if is_items {
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
            if let Some((k, _)) = entries.get("fields") {
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
        let closed = own_closed.or_else(|| closed_default.cloned());
        let fields = entries
            .get("fields")
            .map(|(_, v)| self.fields(v, &path, closed.as_ref()))
            .unwrap_or_default();
        let items = entries.get("items").and_then(|(k, v)| {
            self.field("", k.span, v, format!("{path}/*"), closed_default, true)
                .map(Box::new)
        });
        let schema = entries.get("schema").and_then(|(k, v)| {
            if v.as_map().is_none()
                && !matches!(v.as_scalar().map(|s| &s.typed), Some(Typed::Bool(_)))
            {
                self.doc.report(
                    Code::InvalidSchemaFragment,
                    v.span,
                    format!(
                        "`schema` must be a JSON Schema object, found {}",
                        v.kind_name()
                    ),
                );
                return None;
            }
            Some(Located::new(to_json(v, None), k.span))
        });
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
            closed,
            rules: Vec::new(),
            schema,
            deprecated,
        };
        if let Some((_, rules)) = entries.get("rules") {
            field.rules = self.rules(rules, &field);
        }
        self.check_field(&field, entries, &what);
        Some(field)
    }

    /// Reads the keys that constrain one value.
    fn constraints(
        &mut self,
        entries: Entries<'_>,
        what: &str,
        named_allowed: bool,
    ) -> Constraints {
        let mut c = Constraints {
            ty: entries.get("type").and_then(|(k, v)| {
                let name = self.doc.text(k, v)?;
                match FieldType::from_name(&name) {
                    Some(t) => Some(Located::new(t, k.span)),
                    None => {
                        let help = match did_you_mean(&name, FieldType::NAMES.iter().copied()) {
                            Some(close) => format!("did you mean `{close}`?"),
                            None => format!("one of: {}", FieldType::NAMES.join(", ")),
                        };
                        self.doc
                            .report(Code::InvalidValue, v.span, format!("unknown type `{name}`"))
                            .help = Some(help);
                        None
                    }
                }
            }),
            ..Constraints::default()
        };
        c.format = entries.get("format").and_then(|(k, v)| {
            let name = self.doc.text(k, v)?;
            self.format_ref(&name, v.span, named_allowed, what)
                .map(|f| Located::new(f, k.span))
        });
        c.pattern = entries.get("pattern").and_then(|(k, v)| {
            let pattern = self.doc.text(k, v)?;
            if let Err(err) = regex::Regex::new(&pattern) {
                self.doc.report(Code::InvalidRegex, v.span, format!("pattern `{pattern}` does not compile"))
                    .help = Some(regex_error_summary(&err));
                return None;
            }
            if !pattern.starts_with('^') || !pattern.ends_with('$') {
                self.doc.report(
                    Code::UnanchoredPattern,
                    v.span,
                    format!("pattern `{pattern}` is not anchored, so it matches anywhere inside a value"),
                )
                .help = Some(format!(
                    "write `^{}$` to match the whole value",
                    pattern.trim_start_matches('^').trim_end_matches('$')
                ));
            }
            Some(Located::new(pattern, k.span))
        });
        c.min_length = entries
            .get("min_length")
            .and_then(|(k, v)| self.doc.count(k, v));
        c.max_length = entries
            .get("max_length")
            .and_then(|(k, v)| self.doc.count(k, v));
        c.max_bytes = entries
            .get("max_bytes")
            .and_then(|(k, v)| self.doc.count(k, v));
        c.minimum = entries
            .get("minimum")
            .and_then(|(k, v)| self.doc.number(k, v));
        c.maximum = entries
            .get("maximum")
            .and_then(|(k, v)| self.doc.number(k, v));
        c.exclusive_minimum = entries
            .get("exclusive_minimum")
            .and_then(|(k, v)| self.doc.number(k, v));
        c.exclusive_maximum = entries
            .get("exclusive_maximum")
            .and_then(|(k, v)| self.doc.number(k, v));
        c.decimal = entries.get("decimal").and_then(|(k, v)| self.decimal(k, v));
        c.description = entries
            .get("description")
            .and_then(|(k, v)| self.doc.text(k, v));
        c.sensitive = entries
            .get("sensitive")
            .and_then(|(k, v)| self.doc.boolean(k, v));
        // Scalars are read with the type in mind, so enum values `01` on a string field stay "01".
        let ty = self.effective_type(&c);
        c.enum_values = entries
            .get("enum")
            .and_then(|(k, v)| self.enum_values(k, v, ty));
        c.example = entries
            .get("example")
            .map(|(k, v)| Located::new(to_json(v, ty), k.span));
        c
    }

    fn effective_type(&self, c: &Constraints) -> Option<FieldType> {
        c.ty.as_ref().map(|t| t.value).or_else(|| match &c.format {
            Some(Located {
                value: FormatRef::Named(name),
                ..
            }) => self
                .formats
                .iter()
                .find(|f| &f.name == name)
                .and_then(|f| f.constraints.ty.as_ref().map(|t| t.value)),
            Some(Located {
                value: FormatRef::Builtin(_) | FormatRef::Strftime(_),
                ..
            }) => Some(FieldType::String),
            None => None,
        })
    }

    fn format_ref(
        &mut self,
        name: &str,
        span: Span,
        named_allowed: bool,
        what: &str,
    ) -> Option<FormatRef> {
        if Strftime::looks_like(name) {
            return match Strftime::parse(name) {
                Ok(s) => Some(FormatRef::Strftime(s)),
                Err(err) => {
                    self.doc.report(
                        Code::UnknownFormat,
                        span,
                        format!("date pattern `{name}` is not valid: {err}"),
                    );
                    None
                }
            };
        }
        if let Some(b) = Builtin::from_name(name) {
            return Some(FormatRef::Builtin(b));
        }
        if !named_allowed && self.format_names.iter().any(|n| n == name) {
            let which = if what == format!("format `{name}`") {
                "itself".to_string()
            } else {
                format!("format `{name}`")
            };
            self.doc.report(
                Code::UnknownFormat,
                span,
                format!("{what} refers to {which}; a named format can use only built-in formats and date patterns"),
            );
            return None;
        }
        if self.formats.iter().any(|f| f.name == name) {
            if named_allowed {
                return Some(FormatRef::Named(name.to_string()));
            }
            self.doc.report(
                Code::UnknownFormat,
                span,
                format!("{what} refers to format `{name}`; a named format can use only built-in formats and date patterns"),
            );
            return None;
        }
        let candidates: Vec<&str> = Builtin::ALL
            .iter()
            .map(|b| b.name())
            .chain(self.formats.iter().map(|f| f.name.as_str()))
            .collect();
        let help = match did_you_mean(name, candidates.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!(
                "built-in formats: {}; or define `{name}` under `formats:`; or write a date pattern such as %Y%m%d",
                Builtin::ALL
                    .iter()
                    .map(|b| b.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.doc
            .report(
                Code::UnknownFormat,
                span,
                format!("unknown format `{name}`"),
            )
            .help = Some(help);
        None
    }

    fn decimal(&mut self, key: &Key, node: &Node) -> Option<Located<Decimal>> {
        let places = |this: &mut Self, k: &Key, v: &Node| {
            this.doc
                .count(k, v)
                .and_then(|n| match u32::try_from(n.value) {
                    Ok(p) if p <= 30 => Some(p),
                    _ => {
                        this.doc.report(
                            Code::InvalidValue,
                            v.span,
                            "decimal places must be 30 or fewer",
                        );
                        None
                    }
                })
        };
        let decimal = match &node.value {
            NodeValue::Map(_) => {
                let entries = self.doc.mapping(node, "`decimal`", &[DECIMAL_KEYS])?;
                match (entries.get("exactly"), entries.get("at_most")) {
                    (Some((k, v)), None) => Decimal {
                        places: places(self, k, v)?,
                        exact: true,
                    },
                    (None, Some((k, v))) => Decimal {
                        places: places(self, k, v)?,
                        exact: false,
                    },
                    _ => {
                        self.doc.report(
                            Code::InvalidValue,
                            node.span,
                            "`decimal` takes exactly one of `exactly: N` or `at_most: N`",
                        );
                        return None;
                    }
                }
            }
            _ => Decimal {
                places: places(self, key, node)?,
                exact: false,
            },
        };
        Some(Located::new(decimal, key.span))
    }

    fn enum_values(
        &mut self,
        key: &Key,
        node: &Node,
        ty: Option<FieldType>,
    ) -> Option<Located<Vec<EnumValue>>> {
        let raw: Vec<(Value, Option<String>, Span)> = match &node.value {
            NodeValue::Seq(items) => items
                .iter()
                .map(|item| (to_json(item, ty), None, item.span))
                .collect(),
            // A mapping gives each value its meaning: `paid: Payment captured`.
            NodeValue::Map(entries) => entries
                .iter()
                .map(|(k, v)| {
                    let value = key_to_json(&k.name, ty);
                    let description = v
                        .as_scalar()
                        .filter(|s| s.typed != Typed::Null)
                        .map(|s| s.text.clone());
                    (value, description, k.span)
                })
                .collect(),
            NodeValue::Scalar(_) => {
                self.doc.report(
                    Code::WrongValueType,
                    node.span,
                    format!("`enum` must be a list of values or a mapping of values to meanings, found {}", describe(node)),
                );
                return None;
            }
        };
        if raw.is_empty() {
            self.doc.report(
                Code::InvalidValue,
                node.span,
                "`enum` lists no values, so nothing would be accepted",
            );
            return None;
        }
        let mut values: Vec<EnumValue> = Vec::with_capacity(raw.len());
        // Hashing the JSON text finds repeats in one pass (a 240,000-value enum took 83 s when
        // each value was compared with every earlier one).
        let mut seen: std::collections::HashSet<String> =
            std::collections::HashSet::with_capacity(raw.len());
        for (value, description, span) in raw {
            if value.is_null() {
                self.doc
                    .report(Code::InvalidValue, span, "null in `enum`")
                    .help = Some("use `nullable: true` to accept null".into());
                continue;
            }
            if let Some(expected) = ty
                && !json_has_type(&value, expected)
            {
                self.doc.report(
                    Code::TypeConflict,
                    span,
                    format!(
                        "enum value {value} is not {}, the field's type",
                        expected.with_article()
                    ),
                );
                continue;
            }
            if !seen.insert(crate::decimal::equality_key(&value)) {
                self.doc.report(
                    Code::DuplicateEnumValue,
                    span,
                    format!("{value} is listed twice in `enum`"),
                );
                continue;
            }
            values.push(EnumValue {
                value,
                description,
                span,
            });
        }
        Some(Located::new(values, key.span))
    }

    fn rules(&mut self, node: &Node, object: &Field) -> Vec<Rule> {
        let Some(items) = node.as_seq() else {
            self.doc.report(
                Code::WrongValueType,
                node.span,
                format!(
                    "`rules` must be a list of rules, found {}",
                    node.kind_name()
                ),
            );
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| self.rule(item, object))
            .collect()
    }

    fn rule(&mut self, node: &Node, object: &Field) -> Option<Rule> {
        let entries = self.doc.mapping(node, "a rule", &[RULE_KEYS])?;
        let description = entries
            .get("description")
            .and_then(|(k, v)| self.doc.text(k, v));
        let (_, when_node) = self
            .doc
            .required_key(entries, node.span, "when", "the rule")?;
        let when = self.condition(when_node, object);
        let (_, then_node) = self
            .doc
            .required_key(entries, node.span, "then", "the rule")?;
        let then = self.requirements(then_node, object);
        Some(Rule {
            span: node.span,
            when: when?,
            then: then?,
            description,
        })
    }

    fn condition(&mut self, node: &Node, object: &Field) -> Option<Condition> {
        let entries = self.doc.mapping(node, "`when`", &[WHEN_KEYS])?;
        let (fk, fv) = self
            .doc
            .required_key(entries, node.span, "field", "`when`")?;
        let pointer = self.doc.text(fk, fv)?;
        let (path, target) = self.rule_target(&pointer, fv.span, object)?;
        let ty = target.and_then(|t| t.constraints.ty.as_ref().map(|t| t.value));
        let tests: Vec<_> = ["equals", "in", "present"]
            .iter()
            .filter_map(|name| entries.get(name))
            .collect();
        if tests.len() != 1 {
            self.doc.report(
                Code::InvalidValue,
                node.span,
                "`when` takes `field` and exactly one of `equals`, `in` or `present: true`",
            );
            return None;
        }
        let (tk, tv) = tests[0];
        let test = match tk.name.as_str() {
            "equals" => Test::Equals(to_json(tv, ty)),
            "in" => match tv.as_seq() {
                Some(items) if !items.is_empty() => {
                    Test::In(items.iter().map(|i| to_json(i, ty)).collect())
                }
                _ => {
                    self.doc.report(
                        Code::WrongValueType,
                        tv.span,
                        "`in` must be a non-empty list of values",
                    );
                    return None;
                }
            },
            _ => match self.doc.boolean(tk, tv)? {
                Located { value: true, .. } => Test::Present,
                _ => {
                    self.doc
                        .report(Code::InvalidValue, tv.span, "`present` can only be true");
                    return None;
                }
            },
        };
        Some(Condition { path, test })
    }

    fn requirements(&mut self, node: &Node, object: &Field) -> Option<Vec<Requirement>> {
        let entries = self.doc.mapping(node, "`then`", &[THEN_KEYS])?;
        let mut out = Vec::new();
        for (name, make) in [
            (
                "required",
                Requirement::Required as fn(Vec<String>) -> Requirement,
            ),
            ("forbidden", Requirement::Forbidden),
        ] {
            let Some((k, v)) = entries.get(name) else {
                continue;
            };
            let Some(items) = v.as_seq() else {
                self.doc.report(
                    Code::WrongValueType,
                    v.span,
                    format!("`{}` must be a list of field pointers", k.name),
                );
                continue;
            };
            for item in items {
                let Some(ptr) = item.as_scalar().map(|s| s.text.clone()) else {
                    self.doc.report(
                        Code::WrongValueType,
                        item.span,
                        "expected a field pointer such as /paid_at",
                    );
                    continue;
                };
                if let Some((path, _)) = self.rule_target(&ptr, item.span, object) {
                    out.push(make(path));
                }
            }
        }
        if let Some((_, v)) = entries.get("fields") {
            if let Some(map) = v.as_map() {
                for (k, spec) in map {
                    let Some((path, target)) = self.rule_target(&k.name, k.span, object) else {
                        continue;
                    };
                    let what = format!("the rule's constraint on `{}`", k.name);
                    let Some(spec_entries) = self.doc.mapping(spec, &what, &[VALUE_KEYS]) else {
                        continue;
                    };
                    let mut c = self.constraints(spec_entries, &what, true);
                    if c.ty.is_none() {
                        c.ty = target.and_then(|t| t.constraints.ty.clone());
                    }
                    self.check_constraints(&c, &what);
                    out.push(Requirement::Constrained(path, Box::new(c)));
                }
            } else {
                self.doc.report(
                    Code::WrongValueType,
                    v.span,
                    "`fields` in `then` must map field pointers to constraints",
                );
            }
        }
        if out.is_empty() && !self.doc.diagnostics.iter().any(Diagnostic::is_error) {
            self.doc.report(
                Code::InvalidValue,
                node.span,
                "`then` requires, forbids or constrains nothing",
            );
        }
        Some(out)
    }

    /// Resolves a rule's field pointer against the object the rule belongs to.
    fn rule_target<'f>(
        &mut self,
        pointer: &str,
        span: Span,
        object: &'f Field,
    ) -> Option<(Vec<String>, Option<&'f Field>)> {
        let path: Vec<String> = crate::pointer::segments(pointer.trim_start_matches('/')).collect();
        if path.iter().any(String::is_empty) {
            self.doc.report(
                Code::InvalidValue,
                span,
                format!("`{pointer}` is not a field pointer such as /paid_at"),
            );
            return None;
        }
        let mut current = object;
        for (i, segment) in path.iter().enumerate() {
            match current.field(segment) {
                Some(next) => current = next,
                None => {
                    let names: Vec<&str> = current.fields.iter().map(|f| f.name.as_str()).collect();
                    let diag = self.doc.report(
                        Code::UnknownRuleField,
                        span,
                        format!(
                            "the rule refers to `{pointer}`, but {} declares no field `{segment}`",
                            if i == 0 && object.path.is_empty() {
                                "the payload".to_string()
                            } else {
                                format!("`{}`", current.path)
                            }
                        ),
                    );
                    if let Some(close) = did_you_mean(segment, names) {
                        diag.help = Some(format!("did you mean `{close}`?"));
                    }
                    return None;
                }
            }
        }
        Some((path, Some(current)))
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

    fn check_constraints(&mut self, c: &Constraints, what: &str) {
        let ty = self.effective_type(c);
        if let Some(ty) = ty {
            let checks: [(&str, bool, bool); 10] = [
                ("pattern", c.pattern.is_some(), ty == FieldType::String),
                (
                    "min_length",
                    c.min_length.is_some(),
                    ty == FieldType::String,
                ),
                (
                    "max_length",
                    c.max_length.is_some(),
                    ty == FieldType::String,
                ),
                ("max_bytes", c.max_bytes.is_some(), ty == FieldType::String),
                (
                    "format",
                    c.format.is_some(),
                    ty == FieldType::String
                        || matches!(
                            c.format,
                            Some(Located {
                                value: FormatRef::Named(_),
                                ..
                            })
                        ),
                ),
                ("minimum", c.minimum.is_some(), ty.is_numeric()),
                ("maximum", c.maximum.is_some(), ty.is_numeric()),
                (
                    "exclusive_minimum",
                    c.exclusive_minimum.is_some(),
                    ty.is_numeric(),
                ),
                (
                    "exclusive_maximum",
                    c.exclusive_maximum.is_some(),
                    ty.is_numeric(),
                ),
                (
                    "decimal",
                    c.decimal.is_some(),
                    ty == FieldType::String || ty == FieldType::Number,
                ),
            ];
            for (key, present, applies) in checks {
                if present && !applies {
                    let span = keyword_span(c, key).unwrap_or_default();
                    let fits = match key {
                        "minimum" | "maximum" | "exclusive_minimum" | "exclusive_maximum" => {
                            "integer and number"
                        }
                        "decimal" => "number and decimal-string",
                        _ => "string",
                    };
                    self.doc.report(
                        Code::KeywordNotForType,
                        span,
                        format!(
                            "`{key}` applies to {fits} fields, but {what} is {}",
                            ty.with_article()
                        ),
                    );
                }
            }
            if let Some(d) = &c.decimal
                && d.value.exact
                && ty == FieldType::Number
            {
                self.doc.report(
                        Code::KeywordNotForType,
                        d.span,
                        format!("`decimal: {{exactly: {}}}` cannot be checked on a JSON number", d.value.places),
                    )
                    .help = Some("a JSON number does not keep trailing zeros (10.50 arrives as 10.5); use `at_most`, or type: string for money sent as \"10.50\"".into());
            }
        }
        let pairs = [
            (
                c.min_length.as_ref().map(|l| (l.value as f64, l.span)),
                c.max_length.as_ref().map(|l| l.value as f64),
                "min_length",
                "max_length",
            ),
            (
                c.minimum
                    .as_ref()
                    .and_then(|n| n.value.as_f64().map(|f| (f, n.span))),
                c.maximum.as_ref().and_then(|n| n.value.as_f64()),
                "minimum",
                "maximum",
            ),
        ];
        for (lo, hi, lo_name, hi_name) in pairs {
            if let (Some((lo, span)), Some(hi)) = (lo, hi)
                && lo > hi
            {
                self.doc.report(
                    Code::InvalidRange,
                    span,
                    format!("{lo_name} {lo} is more than {hi_name} {hi}"),
                );
            }
        }
        if let (Some(lo), Some(hi)) = (&c.exclusive_minimum, &c.exclusive_maximum)
            && lo.value.as_f64() >= hi.value.as_f64()
        {
            self.doc.report(
                Code::InvalidRange,
                lo.span,
                format!(
                    "exclusive_minimum {} leaves no room below exclusive_maximum {}",
                    lo.value, hi.value
                ),
            );
        }
        if let (Some(lo), Some(bytes)) = (&c.min_length, &c.max_bytes)
            && lo.value > bytes.value
        {
            self.doc.report(
                Code::InvalidRange,
                lo.span,
                format!(
                    "min_length {} characters can never fit in max_bytes {}",
                    lo.value, bytes.value
                ),
            );
        }
    }
}

fn keyword_span(c: &Constraints, key: &str) -> Option<Span> {
    Some(match key {
        "pattern" => c.pattern.as_ref()?.span,
        "min_length" => c.min_length.as_ref()?.span,
        "max_length" => c.max_length.as_ref()?.span,
        "max_bytes" => c.max_bytes.as_ref()?.span,
        "format" => c.format.as_ref()?.span,
        "minimum" => c.minimum.as_ref()?.span,
        "maximum" => c.maximum.as_ref()?.span,
        "exclusive_minimum" => c.exclusive_minimum.as_ref()?.span,
        "exclusive_maximum" => c.exclusive_maximum.as_ref()?.span,
        "decimal" => c.decimal.as_ref()?.span,
        _ => return None,
    })
}

/// The regex crate's errors span several lines with a caret; keep the line that says why.
fn regex_error_summary(err: &regex::Error) -> String {
    let text = err.to_string();
    text.lines()
        .rev()
        .find(|l| l.trim_start().starts_with("error:"))
        .map(|l| {
            l.trim_start()
                .trim_start_matches("error:")
                .trim()
                .to_string()
        })
        .unwrap_or(text)
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

fn json_has_type(value: &Value, ty: FieldType) -> bool {
    match ty {
        FieldType::String => value.is_string(),
        // 3.0 is an integer in JSON Schema, as the docs say; decided on the text, exactly.
        FieldType::Integer => value
            .as_number()
            .and_then(|n| crate::decimal::Decimal::parse(&n.to_string()))
            .is_some_and(|d| d.places() == 0),
        FieldType::Number => value.is_number(),
        FieldType::Boolean => value.is_boolean(),
        FieldType::Object => value.is_object(),
        FieldType::Array => value.is_array(),
    }
}

/// A mapping key used as an enum value: keys are text in YAML's model, so read them per type.
fn key_to_json(name: &str, ty: Option<FieldType>) -> Value {
    match ty {
        Some(FieldType::String) | Some(FieldType::Object) | Some(FieldType::Array) => {
            Value::String(name.to_string())
        }
        _ => serde_json::from_str::<Value>(name)
            .ok()
            .filter(|v| v.is_number() || v.is_boolean())
            .unwrap_or_else(|| Value::String(name.to_string())),
    }
}

/// Converts YAML to JSON. On a string-typed value a plain scalar is taken as written, so
/// `01`, `1.10` and `yes` stay text rather than becoming 1, 1.1 and true.
fn to_json(node: &Node, ty: Option<FieldType>) -> Value {
    match &node.value {
        NodeValue::Scalar(s) => {
            if ty == Some(FieldType::String) && s.typed != Typed::Null {
                return Value::String(s.text.clone());
            }
            match &s.typed {
                Typed::Null => Value::Null,
                Typed::Bool(b) => Value::Bool(*b),
                Typed::Int(_) | Typed::Float(_) => {
                    json_number(s).map_or(Value::Null, Value::Number)
                }
                Typed::Str(text) => Value::String(text.clone()),
            }
        }
        NodeValue::Seq(items) => Value::Array(items.iter().map(|i| to_json(i, None)).collect()),
        NodeValue::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.clone(), to_json(v, None)))
                .collect(),
        ),
    }
}
