//! `handoff diff`: every change between two versions of a contract, classified.
//!
//! Both versions' fields are walked by contract path. Each field is compared through its
//! effective view (its own constraints, with its named format's filling the gaps), so a change
//! to a shared format is reported at every field that uses it. One module per rule family
//! produces [`Change`]s; the catalogue of rules is [`catalogue`].

pub mod catalogue;
mod fields;
mod fragments;
mod identity;
mod limits;
mod objects;
mod rules;
mod types;
mod values;

pub use catalogue::{Breaks, RuleId, Severity};

use crate::compile;
use crate::contract::{Contract, Decimal, Field, FieldType, FormatRef, Located};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::ops::Not;

/// One classified change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub rule: RuleId,
    pub severity: Severity,
    pub breaks: Breaks,
    /// The field, as a contract path (`/line_items/*/sku`); empty for the contract itself.
    pub pointer: String,
    /// The line in the old version's file that the change concerns, when it has one there.
    pub old_line: Option<u32>,
    pub new_line: Option<u32>,
    pub message: String,
}

/// Every change from `old` to `new`, ordered by field and rule.
pub fn diff(old: &Contract, new: &Contract) -> Vec<Change> {
    diff_with(old, new, OpenContent::Lenient)
}

/// [`diff`] under an open-content policy (see [`OpenContent`]); the version check sees the
/// changes as the policy judges them.
pub fn diff_with(old: &Contract, new: &Contract, policy: OpenContent) -> Vec<Change> {
    let mut changes = Changes::default();
    identity::compare(&mut changes, old, new);
    compare_field(&mut changes, old, &old.root, new, &new.root);
    // Shared types (recursive, or large ones used by reference) are compared once each, as
    // `{type <name>}`: their uses only name them.
    for new_type in &new.recursive_types {
        if let Some(old_type) = old.recursive_types.iter().find(|t| t.name == new_type.name) {
            compare_field(&mut changes, old, old_type, new, new_type);
        }
    }
    let mut list = with_open_content(changes.0, old, new, policy);
    list = once_per_type(list, old, new);
    // A shared type's change that also shows where the type is copied in is said there once.
    let shown: std::collections::HashSet<_> = list
        .iter()
        .filter(|c| !c.pointer.starts_with("{type "))
        .map(|c| (c.rule, c.old_line, c.new_line, c.message.clone()))
        .collect();
    list.retain(|c| {
        !c.pointer.starts_with("{type ")
            || !shown.contains(&(c.rule, c.old_line, c.new_line, c.message.clone()))
    });
    list.sort_by(|a, b| (&a.pointer, a.rule).cmp(&(&b.pointer, b.rule)));
    identity::versions(&mut list, old, new);
    list
}

/// Where each declared type is used, by contract path.
fn uses(contract: &Contract) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    contract.root.walk(&mut |f| {
        if let Some(t) = &f.type_name {
            out.entry(t.clone()).or_default().push(f.path.clone());
        }
    });
    out
}

/// A change inside a declared type shows at every place the type is used: report it once,
/// naming the type and every place (when it shows at all of them, in both versions).
fn once_per_type(list: Vec<Change>, old: &Contract, new: &Contract) -> Vec<Change> {
    let (old_uses, new_uses) = (uses(old), uses(new));
    // The type use a change is inside, if any: (type, its places, this place).
    let inside = |change: &Change| {
        new_uses.iter().find_map(|(t, places)| {
            let place = places.iter().find(|p| {
                change.pointer.len() > p.len()
                    && change.pointer.starts_with(p.as_str())
                    && change.pointer[p.len()..].starts_with('/')
            })?;
            (places.len() > 1 && old_uses.get(t) == Some(places))
                .then(|| (t.clone(), places.clone(), place.clone()))
        })
    };
    type Key = (String, String, RuleId, String);
    let key_of = |change: &Change, ty: &str, place: &str| -> Key {
        (
            ty.to_string(),
            change.pointer[place.len()..].to_string(),
            change.rule,
            change.message.clone(),
        )
    };
    // Which places show each change.
    let mut seen: BTreeMap<Key, Vec<String>> = BTreeMap::new();
    for change in &list {
        if let Some((ty, _, place)) = inside(change) {
            seen.entry(key_of(change, &ty, &place))
                .or_default()
                .push(place);
        }
    }
    let mut done: Vec<Key> = Vec::new();
    let mut out = Vec::new();
    for mut change in list {
        let Some((ty, places, place)) = inside(&change) else {
            out.push(change);
            continue;
        };
        let key = key_of(&change, &ty, &place);
        let everywhere = seen
            .get(&key)
            .is_some_and(|s| places.iter().all(|p| s.contains(p)));
        if !everywhere {
            out.push(change);
            continue;
        }
        if done.contains(&key) {
            continue;
        }
        done.push(key);
        change.message = format!(
            "{} (in type `{ty}`, used at {})",
            change.message,
            places.join(", ")
        );
        out.push(change);
    }
    out
}

/// How a reader treats members an open object does not declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OpenContent {
    /// Undeclared members are ignored, so declaring one later breaks nobody who sent it.
    #[default]
    Lenient,
    /// A sender may already send a member an open object does not declare, with any value:
    /// declaring it later with a type can reject what that sender sends (the rule schema
    /// registries apply to open content models).
    Strict,
}

/// Re-judge changes under an open-content policy: with `Strict`, an optional field added to an
/// object that was open, with a declared type or constraint, breaks senders.
fn with_open_content(
    mut changes: Vec<Change>,
    old: &Contract,
    new: &Contract,
    policy: OpenContent,
) -> Vec<Change> {
    if policy == OpenContent::Lenient {
        return changes;
    }
    for c in &mut changes {
        if c.rule != RuleId::FieldAddedOptional {
            continue;
        }
        let parent = c.pointer.rsplit_once('/').map_or("", |(p, _)| p);
        let was_open = old.field_at(parent).is_some_and(|o| !o.is_closed());
        let constrained = new.field_at(&c.pointer).is_some_and(|f| {
            f.constraints != crate::contract::Constraints::default() || !f.fields.is_empty()
        });
        if was_open && constrained {
            c.severity = Severity::Breaking;
            c.breaks = Breaks::Sender;
            c.message.push_str(
                " to an open object: a sender may already send it with another value (--open-content strict)",
            );
        }
    }
    changes
}

#[derive(Default)]
pub(crate) struct Changes(Vec<Change>);

impl Changes {
    pub(crate) fn add(
        &mut self,
        rule: RuleId,
        pointer: &str,
        old_line: Option<u32>,
        new_line: Option<u32>,
        message: String,
    ) {
        self.0.push(Change {
            rule,
            severity: rule.severity(),
            breaks: rule.breaks(),
            pointer: pointer.to_string(),
            old_line,
            new_line,
            message,
        });
    }
}

/// The two sides of one field.
pub(crate) struct Pair<'a> {
    pub path: &'a str,
    pub old: &'a Field,
    pub new: &'a Field,
    pub old_view: View,
    pub new_view: View,
}

fn compare_field(
    changes: &mut Changes,
    old_c: &Contract,
    old: &Field,
    new_c: &Contract,
    new: &Field,
) {
    let pair = Pair {
        path: if new.path.is_empty() { "/" } else { &new.path },
        old,
        new,
        old_view: View::of(old_c, old),
        new_view: View::of(new_c, new),
    };
    types::compare(changes, &pair);
    values::compare(changes, &pair);
    limits::compare(changes, &pair);
    objects::compare(changes, &pair);
    fragments::compare(changes, &pair);
    rules::compare(changes, &pair, old_c, new_c);
    rules::compare_checks(changes, &pair);
    fields::compare_presence(changes, &pair);
    for (old_child, new_child) in fields::compare_members(changes, old_c, old, new_c, new) {
        compare_field(changes, old_c, old_child, new_c, new_child);
    }
    let keys_of = |c: &Contract, f: &Field| {
        f.keys.as_ref().map(|k| {
            let schema = compile::value_schema(c, &k.value, false).schema;
            let words: Vec<String> = [
                ("pattern", "matching ", ""),
                ("format", "in the format ", ""),
                ("minLength", "at least ", " characters long"),
                ("maxLength", "at most ", " characters long"),
            ]
            .iter()
            .filter_map(|(key, say, unit)| schema.get(key).map(|v| format!("{say}{v}{unit}")))
            .collect();
            (schema, words.join(", "))
        })
    };
    let at = if new.path.is_empty() { "/" } else { &new.path };
    match (keys_of(old_c, old), keys_of(new_c, new)) {
        (None, Some(_)) => changes.add(
            RuleId::KeysAdded,
            at,
            None,
            new.keys.as_ref().map(|k| k.span.line),
            "member names must now fit the object's `keys`".into(),
        ),
        (Some(_), None) => changes.add(
            RuleId::KeysRemoved,
            at,
            old.keys.as_ref().map(|k| k.span.line),
            None,
            "member names are no longer constrained".into(),
        ),
        (Some(a), Some(b)) if a.0 != b.0 => changes.add(
            RuleId::KeysChanged,
            at,
            old.keys.as_ref().map(|k| k.span.line),
            new.keys.as_ref().map(|k| k.span.line),
            format!("member names must now be {} (were {})", b.1, a.1),
        ),
        _ => {}
    }
    if let (Some(o), Some(n)) = (&old.union, &new.union) {
        for case in &o.cases {
            match n.cases.iter().find(|c| c.value == case.value) {
                Some(same) => compare_field(changes, old_c, &case.field, new_c, &same.field),
                None => changes.add(
                    RuleId::CaseRemoved,
                    at,
                    Some(case.span.line),
                    None,
                    format!(
                        "case {:?} (type `{}`) was removed",
                        case.value, case.type_name
                    ),
                ),
            }
        }
        for case in n
            .cases
            .iter()
            .filter(|c| !o.cases.iter().any(|x| x.value == c.value))
        {
            changes.add(
                RuleId::CaseAdded,
                at,
                None,
                Some(case.span.line),
                format!(
                    "case {:?} (type `{}`) was added; receivers must handle it before senders use it",
                    case.value, case.type_name
                ),
            );
        }
    }
    match (&old.values, &new.values) {
        (Some(o), Some(n)) => compare_field(changes, old_c, o, new_c, n),
        (None, Some(n)) if !old.is_closed() => changes.add(
            RuleId::ValuesAdded,
            if new.path.is_empty() { "/" } else { &new.path },
            None,
            Some(n.span.line),
            "members the object does not declare must now match its `values`".into(),
        ),
        (Some(o), None) if !new.is_closed() => changes.add(
            RuleId::ValuesRemoved,
            if new.path.is_empty() { "/" } else { &new.path },
            Some(o.span.line),
            None,
            "members the object does not declare may now hold anything".into(),
        ),
        _ => {}
    }
    match (&old.items, &new.items) {
        (Some(old_items), Some(new_items)) => {
            compare_field(changes, old_c, old_items, new_c, new_items)
        }
        // Items that could be anything now have a shape: arrays senders sent may not fit it.
        (None, Some(new_items)) if accepts_anything_but_null(new_items).not() => changes.add(
            RuleId::ItemsTightened,
            if new.path.is_empty() { "/" } else { &new.path },
            None,
            Some(new_items.span.line),
            "the array's items, which could be anything, now have a declared shape".into(),
        ),
        (Some(old_items), None) if accepts_anything_but_null(old_items).not() => changes.add(
            RuleId::ItemsLoosened,
            if new.path.is_empty() { "/" } else { &new.path },
            Some(old_items.span.line),
            None,
            "the array's items no longer have a declared shape: they may be anything".into(),
        ),
        _ => {}
    }
}

/// An item declaration that says nothing (`items: {}`) accepts what no declaration does.
pub(super) fn accepts_anything_but_null(items: &Field) -> bool {
    items.constraints == crate::contract::Constraints::default()
        && items.fields.is_empty()
        && items.items.is_none()
        && items.schema.is_none()
        && items.rules.is_empty()
        && items.checks.is_empty()
}

/// A field's effective constraints, and the line each was declared on.
#[derive(Debug, Clone, Default)]
pub(crate) struct View {
    pub shape: Shape,
    pub lines: BTreeMap<&'static str, u32>,
    pub line: u32,
}

/// What a field accepts, without locations: two fields with equal shapes accept the same values.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Shape {
    pub ty: Option<FieldType>,
    /// A plain type union; empty when the field has one type or none.
    pub any_of_types: Vec<FieldType>,
    pub nullable: bool,
    pub enum_values: Option<Vec<Value>>,
    pub pattern: Option<String>,
    pub format: Option<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub max_bytes: Option<u64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: Option<f64>,
    pub exclusive_maximum: Option<f64>,
    pub decimal: Option<Decimal>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique_items: bool,
    pub closed: bool,
}

impl View {
    pub(crate) fn of(contract: &Contract, field: &Field) -> View {
        let own = &field.constraints;
        let named = match own.format.as_ref().map(|f| &f.value) {
            Some(FormatRef::Named(name)) => contract.named_format(name).map(|f| &f.constraints),
            _ => None,
        };
        let mut lines = BTreeMap::new();
        // The field's own keyword wins; its named format fills what the field leaves unsaid.
        macro_rules! pick {
            ($key:literal, $field:ident) => {{
                let located = own
                    .$field
                    .as_ref()
                    .or_else(|| named.and_then(|n| n.$field.as_ref()));
                if let Some(l) = located {
                    lines.insert($key, l.span.line);
                }
                located
            }};
        }
        let ty = pick!("type", ty).map(|t| t.value);
        let any_of_types = pick!("type", any_of_types)
            .map(|t| t.value.clone())
            .unwrap_or_default();
        let enum_values =
            pick!("enum", enum_values).map(|e| e.value.iter().map(|v| v.value.clone()).collect());
        let pattern = pick!("pattern", pattern).map(|p| p.value.clone());
        let format = match own.format.as_ref() {
            Some(Located {
                value: FormatRef::Named(_),
                ..
            }) => named.and_then(|n| n.format.as_ref()),
            other => other,
        };
        if let Some(f) = format {
            lines.insert("format", f.span.line);
        }
        // A code format's case is part of what it accepts: `currency` and `currency` with
        // `case: lower` differ as two formats do (upper, the default, is no change).
        let case = match own.format.as_ref() {
            Some(Located {
                value: FormatRef::Named(_),
                ..
            }) => named.and_then(|n| n.case.as_ref()),
            _ => own.case.as_ref(),
        };
        let format = format.map(|f| match (&f.value, case) {
            (FormatRef::Builtin(b), Some(case)) if case.value != Default::default() => {
                format!("{} (case: {})", b.name(), case.value.name())
            }
            (other, _) => other.name().to_string(),
        });
        let number = |n: Option<&Located<serde_json::Number>>| n.and_then(|n| n.value.as_f64());
        let shape = Shape {
            ty,
            any_of_types,
            nullable: field.is_nullable(),
            enum_values,
            pattern,
            format,
            min_length: pick!("min_length", min_length).map(|l| l.value),
            max_length: pick!("max_length", max_length).map(|l| l.value),
            max_bytes: pick!("max_bytes", max_bytes).map(|l| l.value),
            minimum: number(pick!("minimum", minimum)),
            maximum: number(pick!("maximum", maximum)),
            exclusive_minimum: number(pick!("exclusive_minimum", exclusive_minimum)),
            exclusive_maximum: number(pick!("exclusive_maximum", exclusive_maximum)),
            decimal: pick!("decimal", decimal).map(|d| d.value),
            min_items: field.min_items.as_ref().map(|l| l.value),
            max_items: field.max_items.as_ref().map(|l| l.value),
            unique_items: field.unique_items.as_ref().is_some_and(|u| u.value),
            closed: field.is_closed(),
        };
        for (key, located) in [
            ("min_items", &field.min_items),
            ("max_items", &field.max_items),
        ] {
            if let Some(l) = located {
                lines.insert(key, l.span.line);
            }
        }
        for (key, located) in [
            ("nullable", &field.nullable),
            ("unique_items", &field.unique_items),
            ("closed", &field.closed),
            ("required", &field.required),
        ] {
            if let Some(l) = located {
                lines.insert(key, l.span.line);
            }
        }
        View {
            shape,
            lines,
            line: field.span.line,
        }
    }

    /// The line of `keyword`, or of the field itself.
    pub(crate) fn line(&self, keyword: &str) -> Option<u32> {
        Some(self.lines.get(keyword).copied().unwrap_or(self.line))
    }
}

/// A value for messages: JSON text.
pub(crate) fn show(value: &Value) -> String {
    value.to_string()
}

pub(crate) fn show_opt<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "none".to_string(), |v| v.to_string())
}

/// Compatibility modes, as Schema Registry names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The new version accepts everything the old one accepted: no tightening.
    Backward,
    /// The old version accepts everything the new one accepts: no widening.
    Forward,
    /// Both.
    Full,
}

impl Mode {
    /// `backward`, `forward`, `full`, each optionally with `-transitive` (the bool).
    pub fn parse(text: &str) -> Option<(Mode, bool)> {
        let (name, transitive) = match text.strip_suffix("-transitive") {
            Some(name) => (name, true),
            None => (text, false),
        };
        let mode = match name {
            "backward" => Mode::Backward,
            "forward" => Mode::Forward,
            "full" => Mode::Full,
            _ => return None,
        };
        Some((mode, transitive))
    }

    /// Whether `change` breaks this mode's promise.
    pub fn violated_by(self, change: &Change) -> bool {
        let breaks_senders = matches!(change.breaks, Breaks::Sender | Breaks::Both);
        let breaks_receivers = matches!(change.breaks, Breaks::Receiver | Breaks::Both);
        match self {
            Mode::Backward => breaks_senders,
            Mode::Forward => breaks_receivers,
            Mode::Full => breaks_senders || breaks_receivers,
        }
    }
}
