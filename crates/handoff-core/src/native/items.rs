//! An array's items: `items` (every item, as in draft 2020-12 without `prefixItems`),
//! `minItems`, `maxItems` and `uniqueItems`.

use super::tape::Kind;
use super::{Compiler, Instance, Keyword, Native, NodeId, Verdict};
use serde_json::{Map, Value};

pub(crate) struct Items {
    items: Option<NodeId>,
    min: u64,
    max: u64,
    unique: bool,
}

const OWNED: &[&str] = &["items", "minItems", "maxItems", "uniqueItems"];

pub(crate) fn compile<'s>(
    compiler: &mut Compiler<'s>,
    map: &'s Map<String, Value>,
    out: &mut Vec<Keyword>,
) -> usize {
    let read = OWNED.iter().filter(|k| map.contains_key(**k)).count();
    if read == 0 {
        return 0;
    }
    let mut items = Items {
        // Beside `prefixItems` (left to the exact path), `items` applies to the rest only: it is
        // not applied here, and the node is undecided anyway.
        items: map
            .get("items")
            .filter(|_| !map.contains_key("prefixItems"))
            .map(|schema| compiler.node(schema)),
        min: 0,
        max: u64::MAX,
        unique: false,
    };
    let mut supported = super::limits(
        map,
        [("minItems", &mut items.min), ("maxItems", &mut items.max)],
    );
    match map.get("uniqueItems") {
        Some(Value::Bool(b)) => items.unique = *b,
        Some(_) => supported = false,
        None => {}
    }
    if !supported {
        out.push(Keyword::Unsupported);
    }
    out.push(Keyword::Items(items));
    read
}

impl Items {
    pub(crate) fn check(&self, native: &Native, instance: Instance<'_, '_>) -> Verdict {
        if instance.kind() != Kind::Array {
            return Verdict::Valid;
        }
        let tape = instance.tape;
        let count = tape.tokens[instance.at].n as u64;
        if count < self.min || count > self.max {
            return Verdict::Invalid;
        }
        let mut verdict = Verdict::Valid;
        if let Some(schema) = self.items {
            for item in tape.items(instance.at) {
                verdict = verdict.and(|| native.check(schema, instance.at(item)));
                if verdict == Verdict::Invalid {
                    return verdict;
                }
            }
        }
        if self.unique && count > 1 {
            verdict = verdict.and(|| unique(instance));
        }
        verdict
    }
}

/// Whether no two items are equal, for arrays of strings, booleans, nulls and plain integers:
/// their text decides equality (strings compared by value). Anything else (`1` and `1.0` are
/// equal, objects equal whatever their member order) is left to the exact path.
fn unique(instance: Instance<'_, '_>) -> Verdict {
    let tape = instance.tape;
    let mut seen = Vec::with_capacity(tape.tokens[instance.at].n as usize);
    for item in tape.items(instance.at) {
        let token = tape.tokens[item];
        let key = match token.kind {
            Kind::String => (0u8, tape.string(item)),
            Kind::Null => (1, "".into()),
            Kind::True => (2, "".into()),
            Kind::False => (3, "".into()),
            Kind::Number if !token.flag && !tape.raw(item).starts_with("-0") => {
                (4, tape.raw(item).into())
            }
            _ => return Verdict::Unknown,
        };
        seen.push(key);
    }
    seen.sort_unstable();
    Verdict::of(seen.windows(2).all(|w| w[0] != w[1]))
}
