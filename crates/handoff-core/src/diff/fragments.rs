//! Raw `schema` fragments, compared keyword by keyword. A fragment is added beside the field's
//! own keys with `allOf`, so each keyword in it can only restrict: adding one tightens,
//! removing one loosens, and a changed value is judged per keyword where the direction can be
//! proved (`multipleOf`, counts and bounds, `required`, `dependentRequired`, `enum`, `anyOf`
//! branches). Anything else is `fragment-changed`, to review: never "no changes".

use super::{Changes, Pair, RuleId};
use serde_json::{Map, Value};

/// Which way a change moves what the fragment accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Way {
    Tighter,
    Looser,
    Unknown,
}

pub(super) fn compare(changes: &mut Changes, p: &Pair<'_>) {
    let old = p.old.schema.as_ref();
    let new = p.new.schema.as_ref();
    let (old_line, new_line) = (old.map(|f| f.span.line), new.map(|f| f.span.line));
    let clean = |v: &Value| match v {
        Value::Object(m) => {
            let mut m = m.clone();
            m.remove(crate::contract::IMPORTED_MARK);
            Value::Object(m)
        }
        other => other.clone(),
    };
    let (o, n) = match (old.map(|f| clean(&f.value)), new.map(|f| clean(&f.value))) {
        (None, None) => return,
        (None, Some(n)) => {
            changes.add(
                RuleId::FragmentTightened,
                p.path,
                None,
                new_line,
                format!("a raw `schema` fragment was added ({})", keywords(&n)),
            );
            return;
        }
        (Some(o), None) => {
            changes.add(
                RuleId::FragmentLoosened,
                p.path,
                old_line,
                None,
                format!("the raw `schema` fragment was removed ({})", keywords(&o)),
            );
            return;
        }
        (Some(o), Some(n)) if o == n => return,
        (Some(o), Some(n)) => (o, n),
    };
    let (Value::Object(om), Value::Object(nm)) = (&o, &n) else {
        changes.add(
            RuleId::FragmentChanged,
            p.path,
            old_line,
            new_line,
            format!("the raw `schema` fragment changed from {o} to {n}"),
        );
        return;
    };
    let mut names: Vec<&String> = om.keys().chain(nm.keys()).collect();
    names.sort();
    names.dedup();
    for name in names {
        let (before, after) = (om.get(name), nm.get(name));
        if before == after {
            continue;
        }
        let (way, what) = judge(name, before, after, om, nm);
        if what.is_empty() {
            // An annotation: what the fragment accepts is the same.
            continue;
        }
        let rule = match way {
            Way::Tighter => RuleId::FragmentTightened,
            Way::Looser => RuleId::FragmentLoosened,
            Way::Unknown => RuleId::FragmentChanged,
        };
        changes.add(
            rule,
            p.path,
            old_line,
            new_line,
            format!("in the raw `schema` fragment, {what}"),
        );
    }
}

/// The fragment's keywords, for a message.
fn keywords(v: &Value) -> String {
    match v {
        Value::Object(m) if !m.is_empty() => m
            .keys()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", "),
        other => format!("`{other}`"),
    }
}

/// Keywords whose reach depends on the keywords beside them: adding or removing one of these
/// siblings changes what those accept, either way.
const DEPENDS_ON_SIBLINGS: &[&str] = &[
    "additionalProperties",
    "unevaluatedProperties",
    "items",
    "unevaluatedItems",
];
const SIBLINGS: &[&str] = &[
    "properties",
    "patternProperties",
    "prefixItems",
    "allOf",
    "anyOf",
    "oneOf",
    "$ref",
    "if",
    "then",
    "else",
    "dependentSchemas",
];

/// Keywords that say nothing about what is accepted.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "$comment",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
];

const LOWER_BOUNDS: &[&str] = &[
    "minimum",
    "exclusiveMinimum",
    "minLength",
    "minItems",
    "minProperties",
    "minContains",
];
const UPPER_BOUNDS: &[&str] = &[
    "maximum",
    "exclusiveMaximum",
    "maxLength",
    "maxItems",
    "maxProperties",
    "maxContains",
];

fn judge(
    name: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    om: &Map<String, Value>,
    nm: &Map<String, Value>,
) -> (Way, String) {
    if ANNOTATIONS.contains(&name) {
        return (Way::Unknown, String::new());
    }
    let reach_depends = SIBLINGS.contains(&name)
        && DEPENDS_ON_SIBLINGS
            .iter()
            .any(|k| om.contains_key(*k) || nm.contains_key(*k));
    let show = |v: Option<&Value>| v.map_or("none".to_string(), Value::to_string);
    let said = format!("`{name}` changed from {} to {}", show(before), show(after));
    if reach_depends {
        return (
            Way::Unknown,
            format!(
                "{said}, which changes what its sibling `additionalProperties`/`items` apply to"
            ),
        );
    }
    let (Some(b), Some(a)) = (before, after) else {
        // Every keyword restricts under allOf: one more is tighter, one fewer looser.
        return match after {
            Some(_) => (
                Way::Tighter,
                format!("`{name}` was added ({})", show(after)),
            ),
            None => (
                Way::Looser,
                format!("`{name}` was removed (was {})", show(before)),
            ),
        };
    };
    let number = |v: &Value| v.as_f64();
    let way = match name {
        "multipleOf" => match (number(b), number(a)) {
            (Some(b), Some(a)) if a != 0.0 && b != 0.0 && (a / b).fract() == 0.0 => Way::Tighter,
            (Some(b), Some(a)) if a != 0.0 && b != 0.0 && (b / a).fract() == 0.0 => Way::Looser,
            _ => Way::Unknown,
        },
        n if LOWER_BOUNDS.contains(&n) => match (number(b), number(a)) {
            (Some(b), Some(a)) if a > b => Way::Tighter,
            (Some(b), Some(a)) if a < b => Way::Looser,
            _ => Way::Unknown,
        },
        n if UPPER_BOUNDS.contains(&n) => match (number(b), number(a)) {
            (Some(b), Some(a)) if a < b => Way::Tighter,
            (Some(b), Some(a)) if a > b => Way::Looser,
            _ => Way::Unknown,
        },
        "required" => set_change(b, a, Way::Tighter),
        "enum" => set_change(b, a, Way::Looser),
        "anyOf" => set_change(b, a, Way::Looser),
        "dependentRequired" => match (b.as_object(), a.as_object()) {
            (Some(bm), Some(am)) => {
                let pairs = |m: &Map<String, Value>| -> Vec<(String, Value)> {
                    m.iter()
                        .flat_map(|(k, v)| {
                            v.as_array()
                                .into_iter()
                                .flatten()
                                .map(move |d| (k.clone(), d.clone()))
                        })
                        .collect()
                };
                let (bp, ap) = (pairs(bm), pairs(am));
                let added = ap.iter().any(|x| !bp.contains(x));
                let removed = bp.iter().any(|x| !ap.contains(x));
                match (added, removed) {
                    (true, false) => Way::Tighter,
                    (false, true) => Way::Looser,
                    _ => Way::Unknown,
                }
            }
            _ => Way::Unknown,
        },
        "uniqueItems" => match (b.as_bool(), a.as_bool()) {
            (Some(false), Some(true)) => Way::Tighter,
            (Some(true), Some(false)) => Way::Looser,
            _ => Way::Unknown,
        },
        _ => Way::Unknown,
    };
    (way, said)
}

/// A list keyword where more members move one way (`more`) and fewer the other: `required`
/// (more is tighter), `enum` and `anyOf` (more is looser). Both at once cannot be told apart.
fn set_change(before: &Value, after: &Value, more: Way) -> Way {
    let (Some(b), Some(a)) = (before.as_array(), after.as_array()) else {
        return Way::Unknown;
    };
    let added = a.iter().any(|x| !b.contains(x));
    let removed = b.iter().any(|x| !a.contains(x));
    let fewer = if more == Way::Tighter {
        Way::Looser
    } else {
        Way::Tighter
    };
    match (added, removed) {
        (true, false) => more,
        (false, true) => fewer,
        _ => Way::Unknown,
    }
}
