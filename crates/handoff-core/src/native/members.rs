//! An object's members: `properties`, `required`, `additionalProperties`, `propertyNames`,
//! `minProperties` and `maxProperties`, checked in one pass over the members.

use super::tape::Kind;
use super::tape::key_hash;
use super::{Compiler, Instance, Keyword, Native, NodeId, Verdict};
use serde_json::{Map, Value};

pub(crate) struct Members {
    /// Every name `properties` or `required` mentions, sorted, with its subschema and whether
    /// it is required.
    names: Vec<Name>,
    /// An open-addressing table over `names` by [`key_hash`]: slot value `i + 1` is
    /// `names[i]`, 0 is empty.
    slots: Box<[u16]>,
    required: usize,
    /// What members not in `properties` must satisfy (`None`: anything).
    additional: Option<NodeId>,
    property_names: Option<NodeId>,
    min: u64,
    max: u64,
}

struct Name {
    name: Box<str>,
    hash: u32,
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
        slots: Box::default(),
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
                    hash: key_hash(name.as_bytes()),
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
                                hash: key_hash(name.as_bytes()),
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
    supported &= super::limits(
        map,
        [
            ("minProperties", &mut members.min),
            ("maxProperties", &mut members.max),
        ],
    );
    if members.names.len() >= usize::from(u16::MAX) {
        supported = false;
        members.names.clear();
        members.required = 0;
    }
    members.slots = table(&members.names);
    if !supported {
        out.push(Keyword::Unsupported);
    }
    out.push(Keyword::Members(members));
    read
}

/// The hash table over `names`, at most half full.
fn table(names: &[Name]) -> Box<[u16]> {
    let size = (names.len() * 2).next_power_of_two().max(4);
    let mut slots = vec![0u16; size];
    for (i, name) in names.iter().enumerate() {
        let mut at = name.hash as usize & (size - 1);
        while slots[at] != 0 {
            at = (at + 1) & (size - 1);
        }
        slots[at] = i as u16 + 1;
    }
    slots.into_boxed_slice()
}

impl Members {
    /// The name a member's key is, by its hash and text; an escaped key by its value.
    fn find(&self, instance: Instance<'_, '_>, key: usize) -> Option<&Name> {
        let token = instance.tape.tokens[key];
        if token.flag {
            let name = instance.tape.string(key);
            return self
                .names
                .binary_search_by(|n| (*n.name).cmp(&name))
                .ok()
                .map(|i| &self.names[i]);
        }
        let text = instance.tape.raw(key);
        let mask = self.slots.len() - 1;
        let mut at = token.n as usize & mask;
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return None;
            }
            let name = &self.names[usize::from(slot) - 1];
            if name.hash == token.n && *name.name == *text {
                return Some(name);
            }
            at = (at + 1) & mask;
        }
    }

    pub(crate) fn check(&self, native: &Native, instance: Instance<'_, '_>) -> Verdict {
        if instance.kind() != Kind::Object {
            return Verdict::Valid;
        }
        let tape = instance.tape;
        let count = tape.tokens[instance.at].n as u64;
        if count < self.min || count > self.max {
            return Verdict::Invalid;
        }
        let mut verdict = Verdict::Valid;
        let mut required = 0;
        // The tape has no repeated names (the scanner declines them), so counting required
        // names met is counting required names present.
        for (key, value) in tape.members(instance.at) {
            let schema = match self.find(instance, key) {
                Some(n) => {
                    required += usize::from(n.required);
                    // A name only `required` mentions is not in `properties`: what members not
                    // in `properties` must satisfy applies to it.
                    n.schema.or(self.additional)
                }
                None => self.additional,
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
}
