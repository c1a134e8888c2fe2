//! handoff's `decimal` keyword: decimal places of a number or a decimal string, by the same
//! rule the `jsonschema` path registers ([`crate::engine::DecimalPlaces`]).

use super::tape::Kind;
use super::{Compiler, Instance, Keyword, Verdict};
use crate::compile::DECIMAL_KEYWORD;
use crate::engine::DecimalPlaces;
use serde_json::{Map, Value};

pub(crate) struct Places(DecimalPlaces);

pub(crate) fn compile<'s>(
    _: &mut Compiler<'s>,
    map: &'s Map<String, Value>,
    out: &mut Vec<Keyword>,
) -> usize {
    let Some(spec) = map.get(DECIMAL_KEYWORD) else {
        return 0;
    };
    let places = spec
        .get("places")
        .and_then(Value::as_u64)
        .and_then(|p| u32::try_from(p).ok());
    let exact = spec.get("exact").and_then(Value::as_bool);
    out.push(match (places, exact) {
        (Some(places), Some(exact)) => Keyword::Decimal(Places(DecimalPlaces { places, exact })),
        _ => Keyword::Unsupported,
    });
    1
}

impl Places {
    pub(crate) fn check(&self, instance: Instance<'_, '_>) -> Verdict {
        let fails = match instance.kind() {
            Kind::String => self
                .0
                .explain_string(&instance.string().unwrap_or_default()),
            Kind::Number => self.0.explain_number(instance.number().map_or("", |n| n.0)),
            _ => None,
        };
        Verdict::of(fails.is_none())
    }
}
