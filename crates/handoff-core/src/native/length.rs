//! `minLength`, `maxLength` (in code points, as JSON Schema counts) and handoff's `max_bytes`
//! (in UTF-8 bytes).

use super::{Compiler, Instance, Keyword, Verdict};
use crate::compile::MAX_BYTES_KEYWORD;
use serde_json::{Map, Value};

pub(crate) struct Length {
    min: u64,
    max: u64,
    max_bytes: u64,
}

pub(crate) fn compile<'s>(
    _: &mut Compiler<'s>,
    map: &'s Map<String, Value>,
    out: &mut Vec<Keyword>,
) -> usize {
    let mut length = Length {
        min: 0,
        max: u64::MAX,
        max_bytes: u64::MAX,
    };
    let owned = ["minLength", "maxLength", MAX_BYTES_KEYWORD];
    let read = owned.iter().filter(|k| map.contains_key(**k)).count();
    if read == 0 {
        return 0;
    }
    let [min, max, bytes] = owned;
    if !super::limits(
        map,
        [
            (min, &mut length.min),
            (max, &mut length.max),
            (bytes, &mut length.max_bytes),
        ],
    ) {
        out.push(Keyword::Unsupported);
    }
    out.push(Keyword::Length(length));
    read
}

impl Length {
    pub(crate) fn check(&self, instance: Instance<'_, '_>) -> Verdict {
        let Some(s) = instance.string() else {
            return Verdict::Valid;
        };
        let bytes = s.len() as u64;
        if bytes > self.max_bytes {
            return Verdict::Invalid;
        }
        // A string has at most as many code points as bytes, and at least a quarter as many:
        // most strings are decided without counting.
        if bytes <= self.max && bytes / 4 >= self.min {
            return Verdict::Valid;
        }
        let chars = s.chars().count() as u64;
        Verdict::of(chars >= self.min && chars <= self.max)
    }
}
