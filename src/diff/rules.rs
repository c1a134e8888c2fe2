//! Conditional rules, matched by their condition.

use super::{Changes, Pair, RuleId};
use crate::compile;
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
