//! Reusable types: shapes declared once under `types:` and used by name where a field is
//! declared (`shipping_address: {type: address, required: true}`).
//!
//! A use is the type's declaration with the field's own keys laid over it (`required`,
//! `description`, or any constraint the use narrows), read as one field: findings, `explain`
//! and `diff` see an ordinary field, and its contract lines are the type's. Each type is also
//! read once on its own, so a mistake in it is reported once, even if it is never used.
//!
//! Two kinds of use are shared instead: a type used inside itself (a category's children), and
//! a large type used as it is (more than `SHARED_ABOVE` fields when copied in). Those uses
//! refer to the type, read once as `{type <name>}` and checked as the compiled schema's
//! `$defs/<name>`, so the contract stays the size of its text.

use super::*;

impl Reader<'_> {
    pub(super) fn declare_types(&mut self, node: &Node) {
        let Some(entries) = node.as_map() else {
            self.doc.report(
                Code::WrongValueType,
                node.span,
                format!(
                    "`types` maps type names to declarations, found {}",
                    node.kind_name()
                ),
            );
            return;
        };
        for (key, value) in entries {
            if FieldType::from_name(&key.name).is_some() {
                self.doc.report(
                    Code::InvalidValue,
                    key.span,
                    format!(
                        "`{}` is a built-in type; name the declared type otherwise",
                        key.name
                    ),
                );
                continue;
            }
            self.types.push((key.name.clone(), value.clone()));
        }
        // Each type read once on its own: its mistakes are reported here, not at every use.
        for (name, value) in self.types.clone() {
            let path = format!("(type {name})");
            self.expanding.push(name.clone());
            let _ = self.field(&name, value.span, &value, path, None, false);
            self.expanding.pop();
        }
    }

    /// How many fields a declared type holds when every type it uses is copied in (a type
    /// inside itself counts once), saturating.
    fn expanded_size(&mut self, type_name: &str) -> usize {
        if let Some(&n) = self.type_sizes.get(type_name) {
            return n;
        }
        // Measured through a chain deeper than any copy is made: large, whatever it holds.
        if self.measuring >= INLINE_DEPTH {
            return SHARED_ABOVE + 1;
        }
        let Some((_, declared)) = self.types.iter().find(|(n, _)| n == type_name).cloned() else {
            return 1;
        };
        // Met again while being measured: recursive, so shared whatever its size.
        self.type_sizes.insert(type_name.to_string(), 1);
        self.measuring += 1;
        let n = self.node_size(&declared);
        self.measuring -= 1;
        // A size measured inside another type's measuring may have counted that type as 1:
        // kept only when measured from the top.
        if self.measuring == 0 {
            self.type_sizes.insert(type_name.to_string(), n);
        } else {
            self.type_sizes.remove(type_name);
        }
        n
    }

    fn node_size(&mut self, node: &Node) -> usize {
        let Some(entries) = node.as_map() else {
            return 1;
        };
        let mut n: usize = 1;
        for (k, v) in entries {
            let part = match k.name.as_str() {
                "type" => match v.as_scalar() {
                    Some(s) if self.types.iter().any(|(t, _)| *t == s.text) => {
                        let name = s.text.clone();
                        self.expanded_size(&name)
                    }
                    _ => 0,
                },
                "fields" => match v.as_map() {
                    Some(fields) => fields
                        .iter()
                        .map(|(_, f)| self.node_size(f))
                        .fold(0usize, usize::saturating_add),
                    None => 0,
                },
                "items" | "values" => self.node_size(v),
                "one_of" => match v
                    .as_map()
                    .and_then(|u| u.iter().find(|(k, _)| k.name == "cases"))
                {
                    Some((_, cases)) => cases
                        .as_map()
                        .map(|c| {
                            c.iter()
                                .filter_map(|(_, t)| t.as_scalar().map(|s| s.text.clone()))
                                .map(|t| self.expanded_size(&t))
                                .fold(0usize, usize::saturating_add)
                        })
                        .unwrap_or(0),
                    None => 0,
                },
                _ => 0,
            };
            n = n.saturating_add(part);
        }
        n
    }

    /// Read a declared type once on its own, as the compiled schema's `$defs/<name>`: for a
    /// type used inside itself, and for one a raw fragment refers to (`#/$defs/<name>`).
    pub(super) fn shared_type(&mut self, type_name: &str, declared: &Node) {
        // Read after the field that uses it (by `read_shared_types`): a chain of shared types
        // as long as the contract is then a loop, not a recursion as deep as the chain.
        let known = self.recursive_types.iter().any(|t| t.name == type_name)
            || self.reading_recursive.iter().any(|t| t == type_name);
        if !known {
            self.reading_recursive.push(type_name.to_string());
            self.shared_pending
                .push((type_name.to_string(), declared.clone()));
        }
    }

    /// Read every shared type met so far, and the ones they share in turn.
    pub(super) fn read_shared_types(&mut self) {
        while let Some((name, declared)) = self.shared_pending.pop() {
            self.read_shared_type(&name, &declared);
        }
    }

    fn read_shared_type(&mut self, type_name: &str, declared: &Node) {
        // Inside its own reading, the type is already being expanded.
        let saved = std::mem::replace(&mut self.expanding, vec![type_name.to_string()]);
        let before = self.doc.diagnostics.len();
        let own_path = format!("{{type {type_name}}}");
        let closed = self.closed_default.clone();
        if let Some(field) = self.field(
            type_name,
            declared.span,
            declared,
            own_path,
            closed.as_ref(),
            false,
        ) {
            self.recursive_types.push(field);
        }
        // Its mistakes were reported when the type was read on its own.
        self.doc.diagnostics.truncate(before);
        self.expanding = saved;
    }

    /// The field, when `node` says `type: <a declared type>`: the type's declaration with the
    /// field's own keys over it. `None` when the node does not use a declared type.
    pub(super) fn typed_field(
        &mut self,
        name: &str,
        span: Span,
        node: &Node,
        path: &str,
        closed_default: Option<&Located<bool>>,
        is_items: bool,
    ) -> Option<Option<Field>> {
        let own = node.as_map()?;
        let (type_key, type_value) = own.iter().find(|(k, _)| k.name == "type")?;
        let type_name = type_value.as_scalar()?.text.clone();
        let (_, declared) = self.types.iter().find(|(n, _)| *n == type_name)?.clone();
        // A large type used as it is (no narrowing keys) is shared rather than copied into
        // every use: documents where each type uses the next several times would otherwise
        // grow the contract with the number of paths through them, exponentially.
        let plain_use = own.iter().all(|(k, _)| {
            matches!(
                k.name.as_str(),
                "type" | "required" | "nullable" | "description"
            )
        });
        if self.expanding.contains(&type_name)
            || (plain_use
                && (self.expanding.len() >= INLINE_DEPTH
                    || self.expanded_size(&type_name) > SHARED_ABOVE))
        {
            // The type inside itself: a reference to it, read once on its own.
            self.shared_type(&type_name, &declared);
            let mut field = Field::empty(name, path, span);
            field.type_name = Some(type_name.clone());
            field.recursive = Some(type_name.clone());
            // The use's own keys still apply (required, nullable, description).
            for (k, v) in own.iter().filter(|(k, _)| k.name != "type") {
                match k.name.as_str() {
                    "required" => field.required = self.doc.boolean(k, v),
                    "nullable" => field.nullable = self.doc.boolean(k, v),
                    "description" => field.constraints.description = self.doc.text(k, v),
                    other => {
                        self.doc.report(
                            Code::InvalidValue,
                            k.span,
                            format!("`{other}` cannot narrow a recursive use of type `{type_name}`; only required, nullable and description can"),
                        );
                    }
                }
            }
            return Some(Some(field));
        }
        let _ = type_key;
        let Some(base) = declared.as_map() else {
            self.doc.report(
                Code::WrongValueType,
                declared.span,
                format!(
                    "type `{type_name}` must be a mapping of field keys, found {}",
                    declared.kind_name()
                ),
            );
            return Some(None);
        };
        // The type's keys, then the use's own (a key the use sets replaces the type's).
        let mut merged: Vec<(Key, Node)> = base
            .iter()
            .filter(|(k, _)| {
                !own.iter()
                    .any(|(o, _)| o.name == k.name && o.name != "type")
            })
            .cloned()
            .collect();
        merged.extend(own.iter().filter(|(k, _)| k.name != "type").cloned());
        let merged = Node {
            span: node.span,
            value: NodeValue::Map(merged),
        };
        // Mistakes inside the type were reported when it was read on its own.
        let before = self.doc.diagnostics.len();
        self.expanding.push(type_name.clone());
        let field = self.field(
            name,
            span,
            &merged,
            path.to_string(),
            closed_default,
            is_items,
        );
        self.expanding.pop();
        // Keep only what concerns the use's own keys (its lines).
        let own_lines: Vec<u32> = own
            .iter()
            .filter(|(k, _)| k.name != "type")
            .flat_map(|(k, v)| [k.span.line, v.span.line])
            .collect();
        let mut kept: Vec<Diagnostic> = self.doc.diagnostics.drain(before..).collect();
        kept.retain(|d| own_lines.contains(&d.line));
        self.doc.diagnostics.extend(kept);
        Some(field.map(|mut f| {
            f.type_name = Some(type_name);
            f
        }))
    }
}

impl Reader<'_> {
    /// `one_of: {discriminator: <member>, cases: {<value>: <declared type>}}`.
    pub(super) fn union(
        &mut self,
        key: &Key,
        node: &Node,
        path: &str,
        closed_default: Option<&Located<bool>>,
    ) -> Option<crate::contract::Union> {
        let entries = self.doc.mapping(node, "`one_of`", &[UNION_KEYS])?;
        let (dk, dv) = self
            .doc
            .required_key(entries, key.span, "discriminator", "`one_of`")?;
        let discriminator = Located::new(self.doc.text(dk, dv)?, dv.span);
        let (_, cv) = self
            .doc
            .required_key(entries, key.span, "cases", "`one_of`")?;
        let Some(list) = cv.as_map() else {
            self.doc.report(
                Code::WrongValueType,
                cv.span,
                "`cases` maps each discriminator value to a declared type",
            );
            return None;
        };
        let mut cases = Vec::new();
        for (value, type_node) in list {
            let Some(type_name) = type_node.as_scalar().map(|s| s.text.clone()) else {
                self.doc.report(
                    Code::WrongValueType,
                    type_node.span,
                    "a case names a declared type",
                );
                continue;
            };
            if !self.types.iter().any(|(n, _)| *n == type_name) {
                let names: Vec<&str> = self.types.iter().map(|(n, _)| n.as_str()).collect();
                let diag = self.doc.report(
                    Code::InvalidValue,
                    type_node.span,
                    format!(
                        "case `{}` names `{type_name}`, which is not declared under `types:`",
                        value.name
                    ),
                );
                if let Some(close) = did_you_mean(&type_name, names) {
                    diag.help = Some(format!("did you mean `{close}`?"));
                }
                continue;
            }
            // The case is the declared type, read at the union's place.
            let use_node = Node {
                span: type_node.span,
                value: NodeValue::Map(vec![(
                    Key {
                        span: type_node.span,
                        name: "type".into(),
                    },
                    type_node.clone(),
                )]),
            };
            // The case's contract path names it, so a finding's origin finds this case's
            // declaration (payload pointers never hold the braces).
            let case_path = format!("{path}/{{{}}}", value.name);
            if let Some(Some(field)) =
                self.typed_field("", value.span, &use_node, &case_path, closed_default, false)
            {
                let declares = field.field(&discriminator.value).is_some();
                if !declares && field.fields.is_empty() {
                    self.doc.report(
                        Code::InvalidValue,
                        type_node.span,
                        format!(
                            "case `{}`: type `{type_name}` is not an object with fields",
                            value.name
                        ),
                    );
                    continue;
                }
                cases.push(crate::contract::Case {
                    value: value.name.clone(),
                    type_name,
                    span: value.span,
                    field,
                });
            }
        }
        if cases.is_empty() {
            return None;
        }
        Some(crate::contract::Union {
            discriminator,
            cases,
        })
    }
}
