//! Reading conditional rules: `when` a field has a value, `then` other fields are required,
//! forbidden or constrained.

use super::*;

impl Reader<'_> {
    /// A field's `rules`: conditional rules (`when`/`then`), and cross-field rules.
    pub(super) fn rules(
        &mut self,
        node: &Node,
        object: &Field,
    ) -> (Vec<Rule>, Vec<crate::contract::cross::CrossRule>) {
        let Some(items) = node.as_seq() else {
            self.doc.report(
                Code::WrongValueType,
                node.span,
                format!(
                    "`rules` must be a list of rules, found {}",
                    node.kind_name()
                ),
            );
            return (Vec::new(), Vec::new());
        };
        let (mut rules, mut checks) = (Vec::new(), Vec::new());
        for item in items {
            let conditional = item.as_map().is_none_or(|m| {
                m.iter()
                    .any(|(k, _)| matches!(k.name.as_str(), "when" | "then"))
            });
            if conditional {
                rules.extend(self.rule(item, object));
            } else {
                checks.extend(self.cross_rule(item, object));
            }
        }
        (rules, checks)
    }

    pub(super) fn rule(&mut self, node: &Node, object: &Field) -> Option<Rule> {
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

    pub(super) fn condition(&mut self, node: &Node, object: &Field) -> Option<Condition> {
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

    pub(super) fn requirements(&mut self, node: &Node, object: &Field) -> Option<Vec<Requirement>> {
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
    pub(super) fn rule_target<'f>(
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
}
