//! `minimum`, `maximum` and their exclusive forms, decided on the number as written (the same
//! exact comparison the `jsonschema` path registers for these keywords).

use super::{Compiler, Instance, Keyword, Verdict};
use crate::decimal::Limit;
use serde_json::{Map, Value};
use std::cmp::Ordering;

pub(crate) struct Range {
    limit: Limit,
    admits: fn(Ordering) -> bool,
}

pub(crate) fn compile<'s>(
    _: &mut Compiler<'s>,
    map: &'s Map<String, Value>,
    out: &mut Vec<Keyword>,
) -> usize {
    type Admits = fn(Ordering) -> bool;
    let bounds: [(&str, Admits); 4] = [
        ("minimum", |o| o != Ordering::Less),
        ("maximum", |o| o != Ordering::Greater),
        ("exclusiveMinimum", |o| o == Ordering::Greater),
        ("exclusiveMaximum", |o| o == Ordering::Less),
    ];
    let mut read = 0;
    for (keyword, admits) in bounds {
        if let Some(limit) = map.get(keyword) {
            read += 1;
            let limit = match limit {
                Value::Number(n) => Limit::new(n.as_str()),
                _ => None,
            };
            out.push(limit.map_or(Keyword::Unsupported, |limit| {
                Keyword::Range(Range { limit, admits })
            }));
        }
    }
    read
}

impl Range {
    pub(crate) fn check(&self, instance: Instance<'_, '_>) -> Verdict {
        match instance.number() {
            // A number the comparison cannot read passes, as on the exact path.
            Some((text, _)) => Verdict::of(self.limit.compare(text).is_none_or(self.admits)),
            None => Verdict::Valid,
        }
    }
}
