//! JSON type and nullability.

use super::{Changes, Pair, RuleId};
use crate::contract::FieldType;

pub(super) fn compare(changes: &mut Changes, p: &Pair<'_>) {
    let (o, n) = (&p.old_view, &p.new_view);
    match (o.shape.ty, n.shape.ty) {
        (Some(a), Some(b)) if a != b => {
            let rule = match (a, b) {
                (FieldType::Number, FieldType::Integer) => RuleId::TypeNarrowed,
                (FieldType::Integer, FieldType::Number) => RuleId::TypeWidened,
                _ => RuleId::TypeChanged,
            };
            changes.add(
                rule,
                p.path,
                o.line("type"),
                n.line("type"),
                format!("the type changed from {a} to {b}"),
            );
        }
        (None, Some(b)) => changes.add(
            RuleId::TypeNarrowed,
            p.path,
            o.line("type"),
            n.line("type"),
            format!(
                "the field, which took any type, now takes only {}",
                b.with_article()
            ),
        ),
        (Some(a), None) => changes.add(
            RuleId::TypeWidened,
            p.path,
            o.line("type"),
            n.line("type"),
            format!(
                "the field, which took only {}, now takes any type",
                a.with_article()
            ),
        ),
        _ => {}
    }
    match (o.shape.nullable, n.shape.nullable) {
        (false, true) => changes.add(
            RuleId::NullableAdded,
            p.path,
            o.line("nullable"),
            n.line("nullable"),
            "the field may now be null".into(),
        ),
        (true, false) => changes.add(
            RuleId::NullableRemoved,
            p.path,
            o.line("nullable"),
            n.line("nullable"),
            "the field may no longer be null".into(),
        ),
        _ => {}
    }
}
