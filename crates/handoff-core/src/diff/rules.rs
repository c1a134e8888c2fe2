//! Conditional rules, matched by their condition; cross-field rules, matched by what they
//! check and the value they check it on.

use super::{Changes, Pair, RuleId};
use crate::compile;
use crate::contract::cross::Check;
use crate::contract::{Contract, Requirement, Rule, pointer_of};

/// The requirements of a rule, rendered without locations, for comparison.
fn requirements(contract: &Contract, rule: &Rule) -> Vec<String> {
    let mut out: Vec<String> = rule
        .then
        .iter()
        .map(|r| match r {
            Requirement::Required(p) => format!("required {}", pointer_of(p)),
            Requirement::Forbidden(p) => format!("forbidden {}", pointer_of(p)),
            Requirement::Constrained(p, c) => format!(
                "{} {}",
                pointer_of(p),
                compile::value_schema(contract, c, false).schema
            ),
        })
        .collect();
    out.sort();
    out
}

pub(super) fn compare(changes: &mut Changes, p: &Pair<'_>, old_c: &Contract, new_c: &Contract) {
    let key = |r: &Rule| r.when.to_string();
    for old in &p.old.rules {
        match p.new.rules.iter().find(|n| key(n) == key(old)) {
            None => changes.add(
                RuleId::RuleRemoved,
                p.path,
                Some(old.span.line),
                None,
                format!("the rule \"when {}\" was removed", old.when),
            ),
            Some(new) if requirements(old_c, old) != requirements(new_c, new) => changes.add(
                RuleId::RuleChanged,
                p.path,
                Some(old.span.line),
                Some(new.span.line),
                format!("the rule \"when {}\" requires something else now", new.when),
            ),
            Some(_) => {}
        }
    }
    for new in p
        .new
        .rules
        .iter()
        .filter(|n| !p.old.rules.iter().any(|o| key(o) == key(n)))
    {
        changes.add(
            RuleId::RuleAdded,
            p.path,
            None,
            Some(new.span.line),
            format!("the rule \"when {}\" was added", new.when),
        );
    }
}

/// What identifies a cross-field rule across versions: its kind and the value it is about.
fn check_key(check: &Check) -> String {
    match check {
        Check::Equals(list) => format!(
            "equals {}",
            list.first().map(ToString::to_string).unwrap_or_default()
        ),
        Check::Count { equals, .. } => format!("count {equals}"),
        Check::Sum { equals, .. } => format!("sum {equals}"),
        Check::Compare { left, right, .. } => format!("compare {left} {right}"),
        Check::Unique(p) => format!("unique {p}"),
    }
}

fn tolerance(check: &Check) -> Option<rust_decimal::Decimal> {
    match check {
        Check::Sum { tolerance, .. } => Some(
            tolerance
                .as_deref()
                .and_then(|t| t.parse().ok())
                .unwrap_or_default(),
        ),
        _ => None,
    }
}

pub(super) fn compare_checks(changes: &mut Changes, p: &Pair<'_>) {
    for old in &p.old.checks {
        let key = check_key(&old.check);
        match p.new.checks.iter().find(|n| check_key(&n.check) == key) {
            None => changes.add(
                RuleId::CheckRemoved,
                p.path,
                Some(old.span.line),
                None,
                format!("the rule \"{}\" was removed", old.check),
            ),
            Some(new) if new.check == old.check => {}
            Some(new) => {
                let (was, now) = (&old.check, &new.check);
                let only_tolerance = matches!((was, now), (Check::Sum { terms: a, equals: x, .. }, Check::Sum { terms: b, equals: y, .. }) if a == b && x == y);
                let rule = if only_tolerance && tolerance(now) > tolerance(was) {
                    RuleId::CheckLoosened
                } else {
                    RuleId::CheckTightened
                };
                changes.add(
                    rule,
                    p.path,
                    Some(old.span.line),
                    Some(new.span.line),
                    format!("the rule \"{was}\" is now \"{now}\""),
                );
            }
        }
    }
    for new in p.new.checks.iter().filter(|n| {
        !p.old
            .checks
            .iter()
            .any(|o| check_key(&o.check) == check_key(&n.check))
    }) {
        changes.add(
            RuleId::CheckAdded,
            p.path,
            None,
            Some(new.span.line),
            format!("the rule \"{}\" was added", new.check),
        );
    }
}
