//! Subschemas applied to the same value: `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`
//! and `$ref` (to this document: recursive types, `#/$defs/...`).

use super::{Compiler, Instance, Keyword, Native, NodeId, Verdict};
use serde_json::{Map, Value};

pub(crate) enum Apply {
    All(Vec<NodeId>),
    Any(Vec<NodeId>),
    One(Vec<NodeId>),
    Not(NodeId),
    If {
        condition: NodeId,
        then: Option<NodeId>,
        otherwise: Option<NodeId>,
    },
    Ref(NodeId),
}

pub(crate) fn compile<'s>(
    compiler: &mut Compiler<'s>,
    map: &'s Map<String, Value>,
    out: &mut Vec<Keyword>,
) -> usize {
    let mut read = 0;
    type Make = fn(Vec<NodeId>) -> Apply;
    let lists: [(&str, Make); 3] = [
        ("allOf", Apply::All),
        ("anyOf", Apply::Any),
        ("oneOf", Apply::One),
    ];
    for (keyword, make) in lists {
        if let Some(list) = map.get(keyword) {
            read += 1;
            out.push(match list {
                Value::Array(list) if !list.is_empty() => Keyword::Apply(make(
                    list.iter().map(|schema| compiler.node(schema)).collect(),
                )),
                _ => Keyword::Unsupported,
            });
        }
    }
    if let Some(schema) = map.get("not") {
        read += 1;
        out.push(Keyword::Apply(Apply::Not(compiler.node(schema))));
    }
    if let Some(condition) = map.get("if") {
        let then = map.get("then").map(|s| compiler.node(s));
        let otherwise = map.get("else").map(|s| compiler.node(s));
        read += 1 + usize::from(then.is_some()) + usize::from(otherwise.is_some());
        out.push(Keyword::Apply(Apply::If {
            condition: compiler.node(condition),
            then,
            otherwise,
        }));
    } else {
        // `then` and `else` without `if` do nothing.
        read += usize::from(map.contains_key("then")) + usize::from(map.contains_key("else"));
    }
    if let Some(reference) = map.get("$ref") {
        read += 1;
        out.push(
            match reference.as_str().and_then(|r| compiler.reference(r)) {
                Some(id) => Keyword::Apply(Apply::Ref(id)),
                None => Keyword::Unsupported,
            },
        );
    }
    read
}

impl Apply {
    pub(crate) fn check(&self, native: &Native, instance: Instance<'_, '_>) -> Verdict {
        match self {
            Apply::All(schemas) => {
                let mut verdict = Verdict::Valid;
                for &schema in schemas {
                    verdict = verdict.and(|| native.check(schema, instance));
                    if verdict == Verdict::Invalid {
                        break;
                    }
                }
                verdict
            }
            Apply::Any(schemas) => {
                let mut verdict = Verdict::Invalid;
                for &schema in schemas {
                    match native.check(schema, instance) {
                        Verdict::Valid => return Verdict::Valid,
                        Verdict::Unknown => verdict = Verdict::Unknown,
                        Verdict::Invalid => {}
                    }
                }
                verdict
            }
            Apply::One(schemas) => {
                let mut valid = 0;
                for &schema in schemas {
                    match native.check(schema, instance) {
                        Verdict::Valid => valid += 1,
                        Verdict::Unknown => return Verdict::Unknown,
                        Verdict::Invalid => {}
                    }
                }
                Verdict::of(valid == 1)
            }
            Apply::Not(schema) => native.check(*schema, instance).not(),
            Apply::If {
                condition,
                then,
                otherwise,
            } => match native.check(*condition, instance) {
                Verdict::Valid => then.map_or(Verdict::Valid, |s| native.check(s, instance)),
                Verdict::Invalid => otherwise.map_or(Verdict::Valid, |s| native.check(s, instance)),
                Verdict::Unknown => Verdict::Unknown,
            },
            Apply::Ref(schema) => native.check(*schema, instance),
        }
    }
}
