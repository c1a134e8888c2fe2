//! `type`: the kinds of JSON value a subschema admits.

use super::tape::Kind;
use super::{Compiler, Instance, Keyword, Verdict};
use serde_json::{Map, Value};

/// The admitted kinds, as bits.
pub(crate) struct Types(u8);

const NULL: u8 = 1;
const BOOLEAN: u8 = 2;
const INTEGER: u8 = 4;
const NUMBER: u8 = 8;
const STRING: u8 = 16;
const ARRAY: u8 = 32;
const OBJECT: u8 = 64;

pub(crate) fn compile<'s>(
    _: &mut Compiler<'s>,
    map: &'s Map<String, Value>,
    out: &mut Vec<Keyword>,
) -> usize {
    let Some(ty) = map.get("type") else {
        return 0;
    };
    let bit = |name: &str| match name {
        "null" => Some(NULL),
        "boolean" => Some(BOOLEAN),
        "integer" => Some(INTEGER),
        "number" => Some(NUMBER),
        "string" => Some(STRING),
        "array" => Some(ARRAY),
        "object" => Some(OBJECT),
        _ => None,
    };
    let bits = match ty {
        Value::String(name) => bit(name),
        Value::Array(names) => names
            .iter()
            .try_fold(0, |bits, n| Some(bits | bit(n.as_str()?)?)),
        _ => None,
    };
    out.push(bits.map_or(Keyword::Unsupported, |b| Keyword::Types(Types(b))));
    1
}

impl Types {
    pub(crate) fn check(&self, instance: Instance<'_, '_>) -> Verdict {
        let bits = self.0;
        let admits = |bit: u8| bits & bit != 0;
        match instance.kind() {
            Kind::Null => Verdict::of(admits(NULL)),
            Kind::True | Kind::False => Verdict::of(admits(BOOLEAN)),
            Kind::String => Verdict::of(admits(STRING)),
            Kind::Array => Verdict::of(admits(ARRAY)),
            Kind::Object => Verdict::of(admits(OBJECT)),
            Kind::Number if admits(NUMBER) => Verdict::Valid,
            Kind::Number if !admits(INTEGER) => Verdict::Invalid,
            Kind::Number => match instance.number() {
                Some((_, false)) => Verdict::Valid,
                // `2.50` is not an integer and `2.00` is; `2e1` is left to the exact path.
                Some((text, true)) => match text.split_once('.') {
                    Some((_, fraction)) if !fraction.contains(['e', 'E']) => {
                        Verdict::of(fraction.bytes().all(|b| b == b'0'))
                    }
                    _ => Verdict::Unknown,
                },
                None => Verdict::Unknown,
            },
        }
    }
}
