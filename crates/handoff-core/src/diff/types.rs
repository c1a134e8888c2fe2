//! JSON type and nullability.

use super::{Changes, Pair, RuleId};
use crate::contract::FieldType;

pub(super) fn compare(changes: &mut Changes, p: &Pair<'_>) {
    let (o, n) = (&p.old_view, &p.new_view);
    if !o.shape.any_of_types.is_empty() || !n.shape.any_of_types.is_empty() {
        return compare_lists(changes, p);
    }
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

/// The JSON types a shape accepts; `None` for any. An integer is a number, so `number`
/// includes `integer`.
fn accepted(ty: Option<FieldType>, list: &[FieldType]) -> Option<Vec<FieldType>> {
    let mut out: Vec<FieldType> = match ty {
        Some(t) => vec![t],
        None if list.is_empty() => return None,
        None => list.to_vec(),
    };
    if out.contains(&FieldType::Number) && !out.contains(&FieldType::Integer) {
        out.push(FieldType::Integer);
    }
    Some(out)
}

fn words(ty: Option<FieldType>, list: &[FieldType]) -> String {
    match (ty, list) {
        (Some(t), _) => t.with_article(),
        (None, []) => "any type".into(),
        (None, list) => list
            .iter()
            .map(|t| t.with_article())
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

/// A type union on either side: narrowed, widened or changed by what each accepts.
fn compare_lists(changes: &mut Changes, p: &Pair<'_>) {
    let (o, n) = (&p.old_view.shape, &p.new_view.shape);
    let (a, b) = (
        accepted(o.ty, &o.any_of_types),
        accepted(n.ty, &n.any_of_types),
    );
    let within = |x: &Option<Vec<FieldType>>, y: &Option<Vec<FieldType>>| match (x, y) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(x), Some(y)) => x.iter().all(|t| y.contains(t)),
    };
    let rule = match (within(&a, &b), within(&b, &a)) {
        (true, true) => return,
        (true, false) => RuleId::TypeWidened,
        (false, true) => RuleId::TypeNarrowed,
        (false, false) => RuleId::TypeChanged,
    };
    changes.add(
        rule,
        p.path,
        p.old_view.line("type"),
        p.new_view.line("type"),
        format!(
            "the field took {}, and now takes {}",
            words(o.ty, &o.any_of_types),
            words(n.ty, &n.any_of_types)
        ),
    );
}
