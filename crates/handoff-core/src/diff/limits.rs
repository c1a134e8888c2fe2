//! Limits: lengths, bytes, numeric ranges, decimal places, array items.

use super::{Changes, Pair, RuleId, show_opt};

/// Whether moving a lower bound from `old` to `new` tightens (true) or loosens (false) it.
fn lower_tightened<T: PartialOrd>(old: Option<T>, new: Option<T>) -> Option<bool> {
    match (old, new) {
        (None, Some(_)) => Some(true),
        (Some(_), None) => Some(false),
        (Some(a), Some(b)) if b > a => Some(true),
        (Some(a), Some(b)) if b < a => Some(false),
        _ => None,
    }
}

fn upper_tightened<T: PartialOrd>(old: Option<T>, new: Option<T>) -> Option<bool> {
    match (old, new) {
        (None, Some(_)) => Some(true),
        (Some(_), None) => Some(false),
        (Some(a), Some(b)) if b < a => Some(true),
        (Some(a), Some(b)) if b > a => Some(false),
        _ => None,
    }
}

pub(super) fn compare(changes: &mut Changes, p: &Pair<'_>) {
    let (o, n) = (&p.old_view.shape, &p.new_view.shape);
    let mut bound = |key: &'static str,
                     tightened: Option<bool>,
                     rules: (RuleId, RuleId),
                     old: String,
                     new: String| {
        if let Some(t) = tightened {
            let rule = if t { rules.0 } else { rules.1 };
            changes.add(
                rule,
                p.path,
                p.old_view.line(key),
                p.new_view.line(key),
                format!("{key} changed from {old} to {new}"),
            );
        }
    };
    let length = (RuleId::LengthTightened, RuleId::LengthLoosened);
    bound(
        "min_length",
        lower_tightened(o.min_length, n.min_length),
        length,
        show_opt(o.min_length),
        show_opt(n.min_length),
    );
    bound(
        "max_length",
        upper_tightened(o.max_length, n.max_length),
        length,
        show_opt(o.max_length),
        show_opt(n.max_length),
    );
    bound(
        "max_bytes",
        upper_tightened(o.max_bytes, n.max_bytes),
        (RuleId::BytesTightened, RuleId::BytesLoosened),
        show_opt(o.max_bytes),
        show_opt(n.max_bytes),
    );
    let range = (RuleId::RangeTightened, RuleId::RangeLoosened);
    bound(
        "minimum",
        lower_tightened(o.minimum, n.minimum),
        range,
        show_opt(o.minimum),
        show_opt(n.minimum),
    );
    bound(
        "exclusive_minimum",
        lower_tightened(o.exclusive_minimum, n.exclusive_minimum),
        range,
        show_opt(o.exclusive_minimum),
        show_opt(n.exclusive_minimum),
    );
    bound(
        "maximum",
        upper_tightened(o.maximum, n.maximum),
        range,
        show_opt(o.maximum),
        show_opt(n.maximum),
    );
    bound(
        "exclusive_maximum",
        upper_tightened(o.exclusive_maximum, n.exclusive_maximum),
        range,
        show_opt(o.exclusive_maximum),
        show_opt(n.exclusive_maximum),
    );
    let items = (RuleId::ItemsTightened, RuleId::ItemsLoosened);
    bound(
        "min_items",
        lower_tightened(o.min_items, n.min_items),
        items,
        show_opt(o.min_items),
        show_opt(n.min_items),
    );
    bound(
        "max_items",
        upper_tightened(o.max_items, n.max_items),
        items,
        show_opt(o.max_items),
        show_opt(n.max_items),
    );
    bound(
        "unique_items",
        lower_tightened(Some(o.unique_items), Some(n.unique_items)),
        items,
        o.unique_items.to_string(),
        n.unique_items.to_string(),
    );
    // Decimal places: fewer places, or `exactly` where it was `at most`, accepts less.
    let describe = |d: Option<crate::contract::Decimal>| match d {
        None => "no limit".to_string(),
        Some(d) if d.exact => format!("exactly {}", d.places),
        Some(d) => format!("at most {}", d.places),
    };
    let tightened = match (o.decimal, n.decimal) {
        (None, Some(_)) => Some(true),
        (Some(_), None) => Some(false),
        (Some(a), Some(b)) if a != b => Some(if a.exact && b.exact {
            // Any change to an exact count rejects the amounts that used to be right.
            true
        } else {
            b.places < a.places || b.exact
        }),
        _ => None,
    };
    bound(
        "decimal",
        tightened,
        (RuleId::DecimalTightened, RuleId::DecimalLoosened),
        describe(o.decimal),
        describe(n.decimal),
    );
}
