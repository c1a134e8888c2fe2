//! A flow checked against its systems' contracts before any capture is read: every pointer
//! names a field the contract declares, and every state value is one the contract accepts, so
//! a typo is a located diagnostic with a "did you mean" rather than a flow that never matches.

use super::flow::{Currency, Flow, Match, Pointer};
use handoff_core::contract::Contract;
use handoff_core::diagnostic::{Code, Diagnostic, did_you_mean};
use handoff_core::yaml::Span;

/// Diagnostics for `flow`, given each system's contract (in the order of `flow.systems`).
pub fn validate(flow: &Flow, contracts: &[&Contract]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, system) in flow.systems.iter().enumerate() {
        let contract = contracts[i];
        let mut pointers: Vec<&Pointer> = system.key.pointers().collect();
        pointers.extend(system.identity.iter().flat_map(|k| k.pointers()));
        pointers.extend(system.time.pointers.iter());
        pointers.extend(system.state.iter());
        pointers.extend(system.amount.iter());
        pointers.extend(system.id.iter());
        if let Some(Currency::Pointer(p)) = &system.currency {
            pointers.push(p);
        }
        for state in &flow.states {
            for (s, matches) in &state.values {
                if *s != i {
                    continue;
                }
                for m in matches {
                    match m {
                        Match::Value(value, span) => match &system.state {
                            Some(p) => {
                                check_value(&mut out, flow, contract, &p.pointer, value, *span)
                            }
                            None => out.push(
                                Diagnostic::new(
                                    Code::MissingKey,
                                    &flow.file,
                                    *span,
                                    format!(
                                        "state `{}` gives a value for {}, which has no `state` pointer",
                                        state.name, system.name
                                    ),
                                )
                                .with_help(format!(
                                    "add `state: /...` to system `{}`, or write {{/pointer: {value}}}",
                                    system.name
                                )),
                            ),
                        },
                        Match::All(conditions) => {
                            for (p, value) in conditions {
                                pointers.push(p);
                                check_value(&mut out, flow, contract, &p.pointer, value, p.span);
                            }
                        }
                    }
                }
            }
        }
        for p in pointers {
            if let Some(d) = check_pointer(flow, contract, p) {
                out.push(d);
            }
        }
    }
    out.sort_by_key(|d| (d.line, d.column));
    out.dedup_by(|a, b| a.line == b.line && a.column == b.column && a.message == b.message);
    out
}

/// The pointer names a declared field; else the nearest declared name at the step that missed.
fn check_pointer(flow: &Flow, contract: &Contract, p: &Pointer) -> Option<Diagnostic> {
    if contract.field_at(&p.pointer).is_some() {
        return None;
    }
    let steps: Vec<String> =
        handoff_core::pointer::segments(p.pointer.trim_start_matches('/')).collect();
    let mut parent = &contract.root;
    let mut at = String::new();
    for step in &steps {
        let next = parent.fields.iter().find(|f| &f.name == step).or_else(|| {
            parent
                .items
                .as_deref()
                .filter(|_| step == "*" || step.parse::<usize>().is_ok())
        });
        match next {
            Some(f) => {
                parent = f;
                at.push('/');
                at.push_str(step);
            }
            None => break,
        }
    }
    let missing = steps
        .get(at.matches('/').count())
        .cloned()
        .unwrap_or_default();
    let names = parent.fields.iter().map(|f| f.name.as_str());
    let help = match did_you_mean(&missing, names) {
        Some(close) => format!("did you mean `{at}/{close}`?"),
        None => format!(
            "{} declares: {}",
            if at.is_empty() {
                "the payload".to_string()
            } else {
                format!("`{at}`")
            },
            parent
                .fields
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Some(
        Diagnostic::new(
            Code::UnknownRuleField,
            &flow.file,
            p.span,
            format!("`{}` is not a field of {}", p.pointer, contract.reference()),
        )
        .with_help(help),
    )
}

/// A state value the field's enum does not list can never match.
fn check_value(
    out: &mut Vec<Diagnostic>,
    flow: &Flow,
    contract: &Contract,
    pointer: &str,
    value: &str,
    span: Span,
) {
    let Some(field) = contract.field_at(pointer) else {
        return;
    };
    let Some(values) = &field.constraints.enum_values else {
        return;
    };
    let texts: Vec<String> = values
        .value
        .iter()
        .filter_map(|v| super::flow::scalar_text(&v.value))
        .collect();
    if texts.iter().any(|t| t == value) {
        return;
    }
    let help = match did_you_mean(value, texts.iter().map(String::as_str)) {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!("{pointer} is one of: {}", texts.join(", ")),
    };
    out.push(
        Diagnostic::new(
            Code::InvalidValue,
            &flow.file,
            span,
            format!(
                "`{value}` is not a value {} accepts at {pointer}, so this state can never match",
                contract.reference()
            ),
        )
        .with_help(help),
    );
}
