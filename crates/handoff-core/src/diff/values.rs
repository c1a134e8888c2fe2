//! Allowed values: enum, pattern, format.

use super::{Changes, Pair, RuleId, show};
use crate::contract::keyword::enumeration;
use serde_json::Value;

pub(super) fn compare(changes: &mut Changes, p: &Pair<'_>) {
    let (o, n) = (&p.old_view, &p.new_view);
    let (ol, nl) = (o.line("enum"), n.line("enum"));
    match (&o.shape.enum_values, &n.shape.enum_values) {
        (Some(old), Some(new)) => {
            let removed: Vec<&Value> = old.iter().filter(|v| !new.contains(v)).collect();
            let added: Vec<&Value> = new.iter().filter(|v| !old.contains(v)).collect();
            let mut renamed = Vec::new();
            for r in &removed {
                let close = added
                    .iter()
                    .filter(|a| !renamed.iter().any(|(_, to)| to == *a))
                    .find(|a| enumeration::renamed(r, a));
                if let Some(a) = close {
                    changes.add(
                        RuleId::EnumValueRenamed,
                        p.path,
                        ol,
                        nl,
                        format!(
                            "enum value {} was replaced by {}: likely a rename",
                            show(r),
                            show(a)
                        ),
                    );
                    renamed.push((*r, *a));
                }
            }
            for r in removed
                .iter()
                .filter(|r| !renamed.iter().any(|(from, _)| from == *r))
            {
                changes.add(
                    RuleId::EnumValueRemoved,
                    p.path,
                    ol,
                    nl,
                    format!("enum value {} is no longer allowed", show(r)),
                );
            }
            for a in added
                .iter()
                .filter(|a| !renamed.iter().any(|(_, to)| to == *a))
            {
                changes.add(
                    RuleId::EnumValueAdded,
                    p.path,
                    ol,
                    nl,
                    format!(
                        "enum value {} was added; receivers must map it before senders use it",
                        show(a)
                    ),
                );
            }
        }
        (None, Some(new)) => changes.add(
            RuleId::EnumAdded,
            p.path,
            ol,
            nl,
            format!("the field is now restricted to {} values", new.len()),
        ),
        (Some(_), None) => changes.add(
            RuleId::EnumRemoved,
            p.path,
            ol,
            nl,
            "the field's values are no longer restricted to a set".into(),
        ),
        (None, None) => {}
    }
    let (ol, nl) = (o.line("pattern"), n.line("pattern"));
    match (&o.shape.pattern, &n.shape.pattern) {
        (Some(a), Some(b)) if a != b => changes.add(
            RuleId::PatternChanged,
            p.path,
            ol,
            nl,
            format!("the pattern changed from `{a}` to `{b}`"),
        ),
        (None, Some(b)) => changes.add(
            RuleId::PatternAdded,
            p.path,
            ol,
            nl,
            format!("the field must now match `{b}`"),
        ),
        (Some(a), None) => changes.add(
            RuleId::PatternRemoved,
            p.path,
            ol,
            nl,
            format!("the pattern `{a}` was removed"),
        ),
        _ => {}
    }
    if o.shape.format != n.shape.format {
        let name = |f: &Option<String>| {
            f.as_deref()
                .map_or_else(|| "none".to_string(), |f| format!("`{f}`"))
        };
        changes.add(
            RuleId::FormatChanged,
            p.path,
            o.line("format"),
            n.line("format"),
            format!(
                "the format changed from {} to {}",
                name(&o.shape.format),
                name(&n.shape.format)
            ),
        );
    }
}
