//! `min_items`, `max_items`, `unique_items`: how many items an array holds, and whether they
//! repeat.

use super::{Applies, At, Bound, Keyword, Said, plural};
use crate::contract::Field;
use crate::finding::Kind;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// `min_items: N`: at least N items.
pub const MIN_ITEMS: Keyword = Keyword {
    name: "min_items",
    schema: "minItems",
    applies: Applies::Arrays,
    bound: Some(Bound::Lower),
    at: At::Field(|f| f.min_items.as_ref().map(|l| l.span)),
};

/// `max_items: N`: at most N items.
pub const MAX_ITEMS: Keyword = Keyword {
    name: "max_items",
    schema: "maxItems",
    applies: Applies::Arrays,
    bound: Some(Bound::Upper),
    at: At::Field(|f| f.max_items.as_ref().map(|l| l.span)),
};

/// `unique_items: true`: no item repeats another (1 and 1.0 are the same number).
pub const UNIQUE_ITEMS: Keyword = Keyword {
    name: "unique_items",
    schema: "uniqueItems",
    applies: Applies::Arrays,
    // `true` accepts less than `false`, as a raised lower limit does.
    bound: Some(Bound::Lower),
    at: At::Field(|f| f.unique_items.as_ref().map(|l| l.span)),
};

/// The family's JSON Schema members.
pub fn compile(f: &Field, schema: &mut Map<String, Value>) {
    if let Some(n) = &f.min_items {
        schema.insert(MIN_ITEMS.schema.into(), json!(n.value));
    }
    if let Some(n) = &f.max_items {
        schema.insert(MAX_ITEMS.schema.into(), json!(n.value));
    }
    if f.unique_items.as_ref().is_some_and(|u| u.value) {
        schema.insert(UNIQUE_ITEMS.schema.into(), json!(true));
    }
}

/// The family's sentences for `explain`.
pub fn explain(f: &Field, out: &mut Vec<String>) {
    if let Some(n) = &f.min_items {
        out.push(format!("at least {} item(s)", n.value));
    }
    if let Some(n) = &f.max_items {
        out.push(format!("at most {} item(s)", n.value));
    }
    if f.unique_items.as_ref().is_some_and(|u| u.value) {
        out.push("items must all be different".into());
    }
}

/// An array with fewer than `min_items` items (`more: false`) or more than `max_items`.
pub fn count_violated(items: u64, limit: u64, more: bool) -> Said {
    let (kind, bound) = if more {
        (Kind::MaxItemsExceeded, "at most")
    } else {
        (Kind::MinItemsNotMet, "at least")
    };
    Said::new(
        kind,
        format!("the array has {}", plural(items, "item")),
        format!("{bound} {}", plural(limit, "item")),
    )
}

/// An array whose items repeat: names the first repeat.
pub fn repeated(items: &[Value]) -> Said {
    // Each item's equality key hashed (1 and 1.0 are equal in JSON Schema): one pass, not a
    // comparison of every pair.
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(items.len());
    let pair = items.iter().enumerate().find_map(|(j, item)| {
        match seen.entry(crate::decimal::equality_key(item)) {
            Entry::Occupied(first) => Some((*first.get(), j)),
            Entry::Vacant(slot) => {
                slot.insert(j);
                None
            }
        }
    });
    Said::new(
        Kind::DuplicateItems,
        match pair {
            Some((i, j)) => format!("items {i} and {j} are equal"),
            None => "the array repeats an item".into(),
        },
        "every item distinct (unique_items: true)".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_first_repeat_by_value() {
        let items: Vec<Value> = serde_json::from_str("[1, 2, 1.0, 2]").unwrap();
        assert_eq!(repeated(&items).message, "items 0 and 2 are equal");
        assert_eq!(count_violated(1, 2, false).message, "the array has 1 item");
        assert_eq!(count_violated(3, 2, true).expected, "at most 2 items");
    }
}
