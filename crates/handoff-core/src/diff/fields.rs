//! Field presence: added, removed, renamed, required or optional, deprecated.

use super::{Changes, Pair, RuleId, View};
use crate::contract::{Contract, Field};

/// Members added, removed or renamed under an object; returns the members both versions have.
pub(super) fn compare_members<'a>(
    changes: &mut Changes,
    old_c: &Contract,
    old: &'a Field,
    new_c: &Contract,
    new: &'a Field,
) -> Vec<(&'a Field, &'a Field)> {
    let removed: Vec<&Field> = old
        .fields
        .iter()
        .filter(|f| new.field(&f.name).is_none())
        .collect();
    let added: Vec<&Field> = new
        .fields
        .iter()
        .filter(|f| old.field(&f.name).is_none())
        .collect();
    let mut renamed_from = Vec::new();
    let mut renamed_to = Vec::new();
    let mut renamed: Vec<(&'a Field, &'a Field)> = Vec::new();
    // A removal and an addition of the same shape under one object is most likely a rename.
    for r in &removed {
        let shape = View::of(old_c, r).shape;
        if let Some(a) = added.iter().find(|a| {
            !renamed_to.contains(&a.name)
                && View::of(new_c, a).shape == shape
                && a.is_required() == r.is_required()
        }) {
            changes.add(
                RuleId::FieldRenamed,
                &a.path,
                Some(r.span.line),
                Some(a.span.line),
                format!(
                    "`{}` was removed and `{}` added with the same constraints: likely a rename (changes inside it are listed under the new name)",
                    r.name, a.name
                ),
            );
            renamed_from.push(r.name.clone());
            renamed_to.push(a.name.clone());
            renamed.push((r, a));
        }
    }
    for r in removed.iter().filter(|r| !renamed_from.contains(&r.name)) {
        // An optional member of an open object that its `values` (or nothing) still admit as
        // the old field did: senders that keep sending it are accepted; only readers lose it.
        let still_accepted = !r.is_required()
            && !new.is_closed()
            && match &new.values {
                None => true,
                Some(v) => {
                    super::accepts_anything_but_null(v)
                        || (View::of(new_c, v).shape == View::of(old_c, r).shape
                            && v.is_nullable() == r.is_nullable())
                }
            };
        let what = if still_accepted {
            match &new.values {
                None => format!(
                    "field `{}` was removed; the object is open, so senders that still send it are accepted, but receivers that read it lose it",
                    r.name
                ),
                Some(_) => format!(
                    "field `{}` was removed; the object's `values` accept what it did, so senders that still send it are accepted, but receivers that read it lose it",
                    r.name
                ),
            }
        } else {
            format!("field `{}` was removed", r.name)
        };
        changes.add(RuleId::FieldRemoved, &r.path, Some(r.span.line), None, what);
        if still_accepted && let Some(last) = changes.0.last_mut() {
            last.breaks = super::Breaks::Receiver;
        }
    }
    for a in added.iter().filter(|a| !renamed_to.contains(&a.name)) {
        let (rule, what) = if a.is_required() {
            (RuleId::FieldAddedRequired, "required")
        } else {
            (RuleId::FieldAddedOptional, "optional")
        };
        changes.add(
            rule,
            &a.path,
            None,
            Some(a.span.line),
            format!("{what} field `{}` was added", a.name),
        );
    }
    // A renamed member is compared with its new self too: a rename must not hide what
    // changed inside it.
    old.fields
        .iter()
        .filter_map(|o| new.field(&o.name).map(|n| (o, n)))
        .chain(renamed)
        .collect()
}

/// Required, optional, deprecated.
pub(super) fn compare_presence(changes: &mut Changes, p: &Pair<'_>) {
    let (old, new) = (p.old, p.new);
    let line = |f: &Field| Some(f.required.as_ref().map_or(f.span.line, |r| r.span.line));
    match (old.is_required(), new.is_required()) {
        (false, true) => changes.add(
            RuleId::FieldBecameRequired,
            p.path,
            line(old),
            line(new),
            "the field became required".into(),
        ),
        (true, false) => changes.add(
            RuleId::FieldBecameOptional,
            p.path,
            line(old),
            line(new),
            "the field became optional".into(),
        ),
        _ => {}
    }
    if old.deprecated.is_none()
        && let Some(d) = &new.deprecated
    {
        let reason = if d.value.is_empty() {
            String::new()
        } else {
            format!(": {}", d.value)
        };
        changes.add(
            RuleId::FieldDeprecated,
            p.path,
            None,
            Some(d.span.line),
            format!("the field was deprecated{reason}"),
        );
    }
}
