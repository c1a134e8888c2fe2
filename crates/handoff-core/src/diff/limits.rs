//! Limits: lengths, bytes, numeric ranges, decimal places, array items. Which way a change
//! moves what is accepted is the keyword's to say (`contract::keyword`); this module names the
//! diff rule each family's changes fall under.

use super::{Changes, Pair, RuleId, show_opt};
use crate::contract::keyword::{Keyword, decimal, items, length, range};

pub(super) fn compare(changes: &mut Changes, p: &Pair<'_>) {
    let (o, n) = (&p.old_view.shape, &p.new_view.shape);
    let mut bound = |keyword: &Keyword,
                     tightened: Option<bool>,
                     rules: (RuleId, RuleId),
                     old: String,
                     new: String| {
        if let Some(t) = tightened {
            let rule = if t { rules.0 } else { rules.1 };
            let key = keyword.name;
            changes.add(
                rule,
                p.path,
                p.old_view.line(key),
                p.new_view.line(key),
                format!("{key} changed from {old} to {new}"),
            );
        }
    };
    let limit = |k: &Keyword| k.bound.expect("a limit has a bound");
    macro_rules! limit {
        ($keyword:expr, $field:ident, $rules:expr) => {{
            let k: &Keyword = $keyword;
            bound(
                k,
                limit(k).tightened(o.$field, n.$field),
                $rules,
                show_opt(o.$field),
                show_opt(n.$field),
            )
        }};
    }
    let lengths = (RuleId::LengthTightened, RuleId::LengthLoosened);
    limit!(&length::MIN_LENGTH, min_length, lengths);
    limit!(&length::MAX_LENGTH, max_length, lengths);
    limit!(
        &length::MAX_BYTES,
        max_bytes,
        (RuleId::BytesTightened, RuleId::BytesLoosened)
    );
    let ranges = (RuleId::RangeTightened, RuleId::RangeLoosened);
    limit!(&range::MINIMUM, minimum, ranges);
    limit!(&range::EXCLUSIVE_MINIMUM, exclusive_minimum, ranges);
    limit!(&range::MAXIMUM, maximum, ranges);
    limit!(&range::EXCLUSIVE_MAXIMUM, exclusive_maximum, ranges);
    let counts = (RuleId::ItemsTightened, RuleId::ItemsLoosened);
    limit!(&items::MIN_ITEMS, min_items, counts);
    limit!(&items::MAX_ITEMS, max_items, counts);
    bound(
        &items::UNIQUE_ITEMS,
        limit(&items::UNIQUE_ITEMS).tightened(Some(o.unique_items), Some(n.unique_items)),
        counts,
        o.unique_items.to_string(),
        n.unique_items.to_string(),
    );
    bound(
        &decimal::DECIMAL,
        decimal::tightened(o.decimal, n.decimal),
        (RuleId::DecimalTightened, RuleId::DecimalLoosened),
        decimal::describe(o.decimal),
        decimal::describe(n.decimal),
    );
}
