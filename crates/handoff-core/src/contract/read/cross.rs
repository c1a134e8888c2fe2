//! Reading cross-field rules (`equals`, `count`, `sum`, `compare`, `unique`); every pointer is
//! resolved against the contract's fields, so a misspelt one is a diagnostic with a suggestion.

use super::*;
use crate::contract::cross::{Check, CrossRule, Op, Pattern, Term};

/// The keys that make a rule a cross-field rule, each with the keys it may take.
pub(super) const CROSS_KEYS: &[&str] = &[
    "equals",
    "count",
    "sum",
    "compare",
    "unique",
    "tolerance",
    "description",
];

impl Reader<'_> {
    /// A rule without `when`: one of the cross-field checks.
    pub(super) fn cross_rule(&mut self, node: &Node, object: &Field) -> Option<CrossRule> {
        let entries = self.doc.mapping(node, "a rule", &[CROSS_KEYS])?;
        let description = entries
            .get("description")
            .and_then(|(k, v)| self.doc.text(k, v));
        let kinds: Vec<&str> = ["count", "sum", "compare", "unique"]
            .into_iter()
            .filter(|k| entries.get(k).is_some())
            .collect();
        let check = match kinds.as_slice() {
            [] => {
                let Some((k, v)) = entries.get("equals") else {
                    self.doc.report(
                        Code::MissingKey,
                        node.span,
                        "a rule says `when`/`then`, or checks values with one of `equals`, `count`, `sum`, `compare` or `unique`",
                    );
                    return None;
                };
                let list = self.pointer_list(k, v)?;
                if list.len() < 2 {
                    self.doc.report(
                        Code::InvalidValue,
                        v.span,
                        "`equals` compares at least two pointers: the first is the reference",
                    );
                    return None;
                }
                let patterns = list
                    .iter()
                    .map(|(p, span)| self.pattern(p, *span, object))
                    .collect::<Vec<_>>();
                Check::Equals(patterns.into_iter().collect::<Option<_>>()?)
            }
            ["count"] => {
                let (k, v) = entries.get("count")?;
                let items = self.single_pattern(k, v, object);
                let equals = self.target(entries, node.span, "count", object);
                Check::Count {
                    items: items?,
                    equals: equals?,
                }
            }
            ["sum"] => {
                let (k, v) = entries.get("sum")?;
                let terms = self.terms(k, v, object);
                let equals = self.target(entries, node.span, "sum", object);
                let tolerance = match entries.get("tolerance") {
                    Some((tk, tv)) => Some(self.tolerance(tk, tv)?),
                    None => None,
                };
                Check::Sum {
                    terms: terms?,
                    equals: equals?,
                    tolerance,
                }
            }
            ["compare"] => {
                let (_, v) = entries.get("compare")?;
                self.comparison(v, object)?
            }
            ["unique"] => {
                let (k, v) = entries.get("unique")?;
                Check::Unique(self.single_pattern(k, v, object)?)
            }
            _ => {
                self.doc.report(
                    Code::InvalidValue,
                    node.span,
                    format!(
                        "a rule checks one thing; this one says {}",
                        kinds
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(" and ")
                    ),
                );
                return None;
            }
        };
        if !matches!(check, Check::Sum { .. })
            && let Some((k, _)) = entries.get("tolerance")
        {
            self.doc
                .report(
                    Code::KeywordNotForType,
                    k.span,
                    "`tolerance` applies to `sum` rules only",
                )
                .help = Some("remove it, or make the rule a `sum`".into());
        }
        if matches!(check, Check::Compare { .. } | Check::Unique(_))
            && let Some((k, _)) = entries.get("equals")
        {
            self.doc.report(
                Code::InvalidValue,
                k.span,
                format!("`equals` does not go with `{}`", check.name()),
            );
        }
        // Findings point at the key that names the check, not at a description above it.
        let span = entries.get(check.name()).map_or(node.span, |(k, _)| k.span);
        Some(CrossRule {
            span,
            check,
            description,
        })
    }

    /// `equals:` of a `count` or `sum` rule: the one value the count or sum must be.
    fn target(
        &mut self,
        entries: Entries<'_>,
        span: Span,
        rule: &str,
        object: &Field,
    ) -> Option<Pattern> {
        let (k, v) =
            self.doc
                .required_key(entries, span, "equals", &format!("the `{rule}` rule"))?;
        let pattern = self.single_pattern(k, v, object)?;
        if pattern.has_wildcard() {
            self.doc.report(
                Code::InvalidValue,
                v.span,
                format!(
                    "the `{rule}` is compared with one value; `{pattern}` steps into every item"
                ),
            );
            return None;
        }
        Some(pattern)
    }

    fn pointer_list(&mut self, key: &Key, node: &Node) -> Option<Vec<(String, Span)>> {
        let Some(items) = node.as_seq() else {
            self.doc.report(
                Code::WrongValueType,
                node.span,
                format!(
                    "`{}` must be a list of field pointers, found {}",
                    key.name,
                    node.kind_name()
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        for item in items {
            match item.as_scalar() {
                Some(s) => out.push((s.text.clone(), item.span)),
                None => {
                    self.doc.report(
                        Code::WrongValueType,
                        item.span,
                        "expected a field pointer such as /total_price",
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    fn single_pattern(&mut self, key: &Key, node: &Node, object: &Field) -> Option<Pattern> {
        let text = self.doc.text(key, node)?;
        self.pattern(&text, node.span, object)
    }

    fn terms(&mut self, key: &Key, node: &Node, object: &Field) -> Option<Vec<Term>> {
        let list = self.pointer_list(key, node)?;
        let mut terms = Vec::new();
        let mut ok = true;
        for (text, span) in list {
            let (negative, body) = match text.trim().strip_prefix('-') {
                Some(rest) => (true, rest.trim()),
                None => (false, text.trim()),
            };
            let factors: Vec<Option<Pattern>> = split_product(body)
                .iter()
                .map(|p| self.pattern(p, span, object))
                .collect();
            if factors.len() > 2 {
                self.doc.report(
                    Code::InvalidValue,
                    span,
                    format!("`{text}` multiplies more than two values; a term is a value or a product of two"),
                );
                ok = false;
                continue;
            }
            match factors.into_iter().collect::<Option<Vec<_>>>() {
                Some(factors) => {
                    if let [a, b] = factors.as_slice()
                        && (b.has_wildcard() && !a.has_wildcard())
                    {
                        self.doc.report(
                            Code::InvalidValue,
                            span,
                            format!("in `{text}`, put the pointer with `*` first: each of its items is multiplied by the matching item of the second"),
                        );
                        ok = false;
                        continue;
                    }
                    terms.push(Term { negative, factors })
                }
                None => ok = false,
            }
        }
        if terms.is_empty() && ok {
            self.doc.report(
                Code::InvalidValue,
                node.span,
                "`sum` needs at least one term",
            );
            return None;
        }
        ok.then_some(terms)
    }

    fn tolerance(&mut self, key: &Key, node: &Node) -> Option<String> {
        let text = self.doc.text(key, node)?;
        match crate::decimal::Decimal::parse(&text) {
            Some(d) if !text.starts_with('-') && d.places() <= 28 => Some(text),
            _ => {
                self.doc.report(
                    Code::InvalidValue,
                    node.span,
                    format!("`tolerance` must be a non-negative decimal number such as 0.01, found `{text}`"),
                );
                None
            }
        }
    }

    fn comparison(&mut self, node: &Node, object: &Field) -> Option<Check> {
        let parts: Option<Vec<(&str, Span)>> = node.as_seq().and_then(|items| {
            items
                .iter()
                .map(|i| i.as_scalar().map(|s| (s.text.as_str(), i.span)))
                .collect()
        });
        let Some([(left, ls), (op, os), (right, rs)]) = parts.as_deref().and_then(|p| match p {
            [a, b, c] => Some([*a, *b, *c]),
            _ => None,
        }) else {
            self.doc.report(
                Code::WrongValueType,
                node.span,
                "`compare` takes three items: [pointer, operator, pointer], such as [/refund_amount, '<=', /captured_amount]",
            );
            return None;
        };
        let op_value = Op::from_symbol(op);
        if op_value.is_none() {
            let diag = self.doc.report(
                Code::InvalidValue,
                os,
                format!(
                    "`{op}` is not a comparison; use one of {}",
                    Op::SYMBOLS.join(", ")
                ),
            );
            if matches!(op, "=" | "==") {
                diag.help = Some("for equality, write an `equals` rule".into());
            }
        }
        let left = self.pattern(left, ls, object);
        let right = self.pattern(right, rs, object);
        if let (Some(l), Some(r)) = (&left, &right)
            && l.has_wildcard()
            && r.has_wildcard()
        {
            self.doc.report(
                Code::InvalidValue,
                rs,
                "at most one side of a comparison may step into every item with `*`",
            );
            return None;
        }
        Some(Check::Compare {
            left: left?,
            op: op_value?,
            right: right?,
        })
    }

    /// Resolves a rule pointer (with `*` steps) against the object the rule belongs to.
    pub(super) fn pattern(&mut self, pointer: &str, span: Span, object: &Field) -> Option<Pattern> {
        let pointer = pointer.trim();
        if !pointer.starts_with('/') || pointer.len() < 2 {
            self.doc.report(
                Code::InvalidValue,
                span,
                format!(
                    "`{pointer}` is not a field pointer such as /total_price or /line_items/*/sku"
                ),
            );
            return None;
        }
        let steps: Vec<String> = crate::pointer::segments(pointer).collect();
        let mut current = object;
        for step in &steps {
            let next = if step == "*" {
                current.items.as_deref()
            } else {
                current.field(step)
            };
            match next {
                Some(next) => current = next,
                None => {
                    let message = if step == "*" {
                        format!(
                            "the rule refers to `{pointer}`, but `{}` is not an array: `*` steps into array items",
                            current.path
                        )
                    } else {
                        format!(
                            "the rule refers to `{pointer}`, but {} declares no field `{step}`",
                            if current.path.is_empty() {
                                "the payload".to_string()
                            } else {
                                format!("`{}`", current.path)
                            }
                        )
                    };
                    let names: Vec<&str> = current.fields.iter().map(|f| f.name.as_str()).collect();
                    let diag = self.doc.report(Code::UnknownRuleField, span, message);
                    if step != "*"
                        && let Some(close) = did_you_mean(step, names)
                    {
                        diag.help = Some(format!("did you mean `{close}`?"));
                    } else if step != "*" && current.items.is_some() {
                        diag.help = Some(format!(
                            "`{}` is an array: step into its items with `*`",
                            current.path
                        ));
                    }
                    return None;
                }
            }
        }
        Some(Pattern { steps })
    }
}

/// The factors of a product: `*` multiplies, except right after `/`, where it steps into every
/// array item (`/line_items/*/price * /line_items/*/quantity`).
fn split_product(text: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut previous = ' ';
    for c in text.chars() {
        if c == '*' && previous != '/' {
            parts.push(String::new());
        } else {
            parts.last_mut().expect("never empty").push(c);
        }
        previous = c;
    }
    parts.into_iter().map(|p| p.trim().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::split_product;

    #[test]
    fn a_star_after_a_slash_is_a_wildcard_and_any_other_multiplies() {
        assert_eq!(
            split_product("/line_items/*/price * /line_items/*/quantity"),
            ["/line_items/*/price", "/line_items/*/quantity"]
        );
        assert_eq!(split_product("/a/*"), ["/a/*"]);
        assert_eq!(split_product("/a*/b"), ["/a", "/b"]);
    }
}
