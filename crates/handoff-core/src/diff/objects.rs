//! Objects: closed and open.

use super::{Changes, Pair, RuleId};
use crate::contract::FieldType;

pub(super) fn compare(changes: &mut Changes, p: &Pair<'_>) {
    let (o, n) = (&p.old_view, &p.new_view);
    // A field with members but no `type` is an object all the same.
    let object = |ty: Option<FieldType>, field: &crate::contract::Field| {
        ty == Some(FieldType::Object) || (ty.is_none() && !field.fields.is_empty())
    };
    if !object(n.shape.ty, p.new) {
        return;
    }
    match (o.shape.closed, n.shape.closed) {
        (false, true) => changes.add(
            RuleId::ObjectClosed,
            p.path,
            o.line("closed"),
            n.line("closed"),
            "the object now rejects undeclared members".into(),
        ),
        (true, false) => changes.add(
            RuleId::ObjectOpened,
            p.path,
            o.line("closed"),
            n.line("closed"),
            "the object now accepts undeclared members".into(),
        ),
        _ => {}
    }
}
