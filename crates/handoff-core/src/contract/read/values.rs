//! Reading the keys that constrain one value (on fields, named formats and rule constraints):
//! types, formats, lengths, ranges, decimals and enums, and checking that they fit together.

use super::*;
use crate::contract::keyword::{self, pattern::Problem};

impl Reader<'_> {
    /// `type: [string, integer]`: the built-in types a value may have (`null` goes in
    /// `nullable`).
    fn type_list(&mut self, k: &Key, v: &Node, items: &[Node]) -> Located<Vec<FieldType>> {
        let mut list = Vec::new();
        for item in items {
            let name = item.as_scalar().map(|s| s.text.as_str()).unwrap_or("");
            match FieldType::from_name(name) {
                Some(t) if !list.contains(&t) => list.push(t),
                Some(_) => {}
                None if name == "null" => {
                    self.doc
                        .report(Code::InvalidValue, item.span, "`null` is not a type here")
                        .help = Some("write `nullable: true` beside the type list".into());
                }
                None => {
                    let help = match did_you_mean(name, FieldType::NAMES.iter().copied()) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => format!("one of: {}", FieldType::NAMES.join(", ")),
                    };
                    self.doc
                        .report(
                            Code::InvalidValue,
                            item.span,
                            format!("unknown type `{name}` in the type list"),
                        )
                        .help = Some(help);
                }
            }
        }
        if items.is_empty() {
            self.doc.report(
                Code::InvalidValue,
                v.span,
                "a type list names at least one type",
            );
        }
        Located::new(list, k.span)
    }

    /// Reads the keys that constrain one value.
    pub(super) fn constraints(
        &mut self,
        entries: Entries<'_>,
        what: &str,
        named_allowed: bool,
    ) -> Constraints {
        let any_of_types = entries
            .get("type")
            .and_then(|(k, v)| Some((k, v, v.as_seq()?)))
            .map(|(k, v, items)| self.type_list(k, v, items));
        let mut c = Constraints {
            ty: entries
                .get("type")
                .filter(|(_, v)| v.as_seq().is_none())
                .and_then(|(k, v)| {
                    let name = self.doc.text(k, v)?;
                    match FieldType::from_name(&name) {
                        Some(t) => Some(Located::new(t, k.span)),
                        None => {
                            let declared: Vec<&str> =
                                self.types.iter().map(|(n, _)| n.as_str()).collect();
                            let all = FieldType::NAMES
                                .iter()
                                .copied()
                                .chain(declared.iter().copied());
                            let help = match did_you_mean(&name, all) {
                                Some(close) => format!("did you mean `{close}`?"),
                                None if declared.is_empty() => format!(
                                    "one of: {}, or a type declared under `types:`",
                                    FieldType::NAMES.join(", ")
                                ),
                                None => format!(
                                    "one of: {}, or a declared type: {}",
                                    FieldType::NAMES.join(", "),
                                    declared.join(", ")
                                ),
                            };
                            self.doc
                                .report(
                                    Code::InvalidValue,
                                    v.span,
                                    format!("unknown type `{name}`"),
                                )
                                .help = Some(help);
                            None
                        }
                    }
                }),
            ..Constraints::default()
        };
        // A list of one type is that type.
        match any_of_types {
            Some(Located { value, span }) if value.len() == 1 => {
                c.ty = Some(Located::new(value[0], span));
            }
            Some(list) if !list.value.is_empty() => c.any_of_types = Some(list),
            _ => {}
        }
        c.format = entries.get("format").and_then(|(k, v)| {
            let name = self.doc.text(k, v)?;
            self.format_ref(&name, v.span, named_allowed, what)
                .map(|f| Located::new(f, k.span))
        });
        c.case = entries.get("case").and_then(|(k, v)| {
            let name = self.doc.text(k, v)?;
            match crate::format::LetterCase::from_name(&name) {
                Some(case) => Some(Located::new(case, k.span)),
                None => {
                    self.doc
                        .report(Code::InvalidValue, v.span, format!("unknown case `{name}`"))
                        .help = Some(
                        "write `case: upper` (the standard's, the default), `lower` (usd) or `any` (USD or usd)".into(),
                    );
                    None
                }
            }
        });
        c.pattern = entries.get("pattern").and_then(|(k, v)| {
            let pattern = self.doc.text(k, v)?;
            match keyword::pattern::problem(&pattern) {
                Some(Problem::Invalid(why)) => {
                    self.doc
                        .report(
                            Code::InvalidRegex,
                            v.span,
                            format!("pattern `{pattern}` does not compile"),
                        )
                        .help = Some(why);
                    return None;
                }
                Some(Problem::Unanchored(anchored)) => {
                    self.doc
                        .report(
                            Code::UnanchoredPattern,
                            v.span,
                            format!("pattern `{pattern}` is not anchored, so it matches anywhere inside a value"),
                        )
                        .help = Some(format!("write `{anchored}` to match the whole value"));
                }
                None => {}
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

    pub(super) fn effective_type(&self, c: &Constraints) -> Option<FieldType> {
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

    pub(super) fn format_ref(
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

    pub(super) fn decimal(&mut self, key: &Key, node: &Node) -> Option<Located<Decimal>> {
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

    pub(super) fn enum_values(
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

    pub(super) fn check_constraints(&mut self, c: &Constraints, what: &str) {
        let ty = self.effective_type(c);
        for conflict in keyword::conflicts(c, what, ty) {
            self.doc
                .report(conflict.code, conflict.span, conflict.message)
                .help = conflict.help;
        }
    }
}

pub(super) fn json_has_type(value: &Value, ty: FieldType) -> bool {
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
pub(super) fn key_to_json(name: &str, ty: Option<FieldType>) -> Value {
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
pub(super) fn to_json(node: &Node, ty: Option<FieldType>) -> Value {
    match &node.value {
        NodeValue::Scalar(s) => {
            if ty == Some(FieldType::String) && s.typed != Typed::Null {
                return Value::String(s.text.clone());
            }
            match &s.typed {
                Typed::Null => Value::Null,
                // YAML 1.2 reads only true and false as booleans; `y`, `yes`, `on` (booleans
                // to YAML 1.1) are the text they spell, as in JSON.
                Typed::Bool(b)
                    if matches!(
                        s.text.as_str(),
                        "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
                    ) =>
                {
                    Value::Bool(*b)
                }
                Typed::Bool(_) => Value::String(s.text.clone()),
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
