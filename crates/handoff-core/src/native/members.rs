//! An object's members: `properties`, `required`, `additionalProperties`, `propertyNames`,
//! `minProperties` and `maxProperties`, checked in one pass over the members.

use super::tape::Kind;
use super::{Compiler, Instance, Keyword, Native, NodeId, Verdict};
use serde_json::{Map, Value};

pub(crate) struct Members {
    /// Every name `properties` or `required` mentions, sorted, with its subschema and whether
    /// it is required.
    names: Vec<Name>,
    required: usize,
    /// What members not in `properties` must satisfy (`None`: anything).
    additional: Option<NodeId>,
    property_names: Option<NodeId>,
    min: u64,
    max: u64,
}

struct Name {
    name: Box<str>,
    schema: Option<NodeId>,
    required: bool,
}

const OWNED: &[&str] = &[
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
    "minProperties",
    "maxProperties",
];

pub(crate) fn compile<'s>(
    compiler: &mut Compiler<'s>,
    map: &'s Map<String, Value>,
    out: &mut Vec<Keyword>,
) -> usize {
    let read = OWNED.iter().filter(|k| map.contains_key(**k)).count();
    if read == 0 {
        return 0;
    }
    let mut members = Members {
        names: Vec::new(),
        required: 0,
        additional: None,
        property_names: None,
        min: 0,
        max: u64::MAX,
    };
    let mut supported = true;
    match map.get("properties") {
        Some(Value::Object(properties)) => {
            for (name, schema) in properties {
                let schema = Some(compiler.node(schema));
                members.names.push(Name {
                    name: name.as_str().into(),
                    schema,
                    required: false,
                });
            }
        }
        Some(_) => supported = false,
        None => {}
    }
    members.names.sort_unstable_by(|a, b| a.name.cmp(&b.name));
    match map.get("required") {
        Some(Value::Array(required)) => {
            for name in required {
                let Some(name) = name.as_str() else {
                    supported = false;
                    continue;
                };
                match members.names.binary_search_by(|n| (*n.name).cmp(name)) {
                    Ok(i) if members.names[i].required => {}
                    Ok(i) => {
                        members.names[i].required = true;
                        members.required += 1;
                    }
                    Err(i) => {
                        members.names.insert(
                            i,
                            Name {
                                name: name.into(),
                                schema: None,
                                required: true,
                            },
                        );
                        members.required += 1;
                    }
                }
            }
        }
        Some(_) => supported = false,
        None => {}
    }
    // Beside `patternProperties` (which this engine leaves to the exact path), which members are
    // additional is not known here: they are let through, and the node is undecided anyway.
    if let Some(schema) = map.get("additionalProperties")
        && !map.contains_key("patternProperties")
    {
        members.additional = Some(compiler.node(schema));
    }
    if let Some(schema) = map.get("propertyNames") {
        members.property_names = Some(compiler.node(schema));
    }
    for (keyword, slot) in [
        ("minProperties", &mut members.min),
        ("maxProperties", &mut members.max),
    ] {
        if let Some(limit) = map.get(keyword) {
            match limit.as_u64() {
                Some(n) => *slot = n,
                None => supported = false,
            }
        }
    }
    if !supported {
        out.push(Keyword::Unsupported);
    }
    out.push(Keyword::Members(members));
    read
}

impl Members {
    pub(crate) fn check(&self, native: &Native, instance: Instance<'_, '_>) -> Verdict {
        if instance.kind() != Kind::Object {
            return Verdict::Valid;
        }
        let tape = instance.tape;
        let count = tape.tokens[instance.at].b as u64;
        if count < self.min || count > self.max {
            return Verdict::Invalid;
        }
        let mut verdict = Verdict::Valid;
        let mut required = 0;
        // The tape has no repeated names (the scanner declines them), so counting required
        // names met is counting required names present.
        for (key, value) in tape.members(instance.at) {
            let name = tape.string(key);
            let schema = match self.names.binary_search_by(|n| (*n.name).cmp(&name)) {
                Ok(i) => {
                    let n = &self.names[i];
                    required += usize::from(n.required);
                    n.schema.or(self.additional_for_required_only(n))
                }
                Err(_) => self.additional,
            };
            if let Some(schema) = schema {
                verdict = verdict.and(|| native.check(schema, instance.at(value)));
                if verdict == Verdict::Invalid {
                    return verdict;
                }
            }
            if let Some(names) = self.property_names {
                verdict = verdict.and(|| native.check(names, instance.at(key)));
                if verdict == Verdict::Invalid {
                    return verdict;
                }
            }
        }
        if required < self.required {
            return Verdict::Invalid;
        }
        verdict
    }

    /// A name only `required` mentions is not in `properties`, so `additionalProperties`
    /// applies to its value.
    fn additional_for_required_only(&self, name: &Name) -> Option<NodeId> {
        if name.schema.is_none() {
            self.additional
        } else {
            None
        }
    }
}
