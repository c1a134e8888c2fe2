//! Linting contracts: everything `contract::load` checks, plus checks that need the engine:
//! raw schema fragments must be valid JSON Schema, and each example must satisfy its own field.
//!
//! `handoff check` prepares contracts through [`prepare`] too, so a contract that lint rejects
//! is never used to judge payloads.

use crate::check::Checker;
use crate::compile;
use crate::contract::{self, Contract};
use crate::diagnostic::{Code, Diagnostic};
use crate::engine::{self, Engine};
use crate::yaml::Span;
use std::path::Path;

/// Load, check and compile a contract. The checker is present only when no diagnostic is an error.
pub fn prepare(path: &Path) -> (Option<Checker>, Vec<Diagnostic>) {
    prepared(contract::load(path))
}

/// [`prepare`] for a contract's text (one `handoff import` is about to write), named `path`.
pub fn prepare_text(path: &Path, text: &str) -> (Option<Checker>, Vec<Diagnostic>) {
    prepared(contract::parse(path, text))
}

fn prepared(loaded: contract::Loaded) -> (Option<Checker>, Vec<Diagnostic>) {
    let mut diagnostics = loaded.diagnostics;
    let Some(contract) = loaded.contract else {
        sort(&mut diagnostics);
        return (None, diagnostics);
    };
    diagnostics.extend(engine_checks(&contract));
    sort(&mut diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return (None, diagnostics);
    }
    let path = contract.source.path.clone();
    match Checker::new(contract) {
        Ok(checker) => (Some(checker), diagnostics),
        Err(err) => {
            diagnostics.push(Diagnostic::new(
                Code::InvalidSchemaFragment,
                &path,
                Span::default(),
                format!("the compiled contract is not a valid schema: {err}"),
            ));
            (None, diagnostics)
        }
    }
}

/// Every diagnostic for a contract file, sorted by position.
pub fn lint(path: &Path) -> Vec<Diagnostic> {
    prepare(path).1
}

fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|a| (a.line, a.column));
}

fn engine_checks(contract: &Contract) -> Vec<Diagnostic> {
    let file = &contract.source.path;
    let mut out = Vec::new();
    // A fragment may refer to the contract's shared types (`#/$defs/<type>`), which the
    // compiled contract holds: checked alone, each stands in as a schema of its own.
    let standalone = |fragment: &serde_json::Value| {
        let mut fragment = fragment.clone();
        if let serde_json::Value::Object(map) = &mut fragment
            && !map.contains_key("$id")
            && !contract.recursive_types.is_empty()
        {
            let defs = map
                .entry("$defs")
                .or_insert_with(|| serde_json::Value::Object(Default::default()));
            if let serde_json::Value::Object(defs) = defs {
                for t in &contract.recursive_types {
                    defs.entry(t.name.clone())
                        .or_insert_with(|| serde_json::Value::Bool(true));
                }
            }
        }
        fragment
    };
    // Every field once: the root's, and each shared type's own (its uses refer to it).
    let mut fields: Vec<&contract::Field> = Vec::new();
    contract.root.walk(&mut |f| fields.push(f));
    for t in &contract.recursive_types {
        t.walk(&mut |f| fields.push(f));
    }
    let mut seen = std::collections::HashSet::new();
    // A type copied into several uses has one declaration: its fields are checked once.
    fields.retain(|f| seen.insert((f.span.line, f.span.column)));
    for field in fields {
        if let Some(fragment) = &field.schema
            && let Some(err) = engine::schema_fragment_error(&standalone(&fragment.value))
        {
            out.push(Diagnostic::new(
                Code::InvalidSchemaFragment,
                file,
                fragment.span,
                format!(
                    "the `schema` fragment of `{}` is not valid JSON Schema: {err}",
                    if field.path.is_empty() {
                        "/"
                    } else {
                        &field.path
                    }
                ),
            ));
        }
        if let Some(fragment) = &field.schema
            && fragment.value.get(crate::contract::IMPORTED_MARK).is_some()
        {
            let keys: Vec<&str> = fragment
                .value
                .as_object()
                .map(|m| {
                    m.keys()
                        .map(String::as_str)
                        // What was kept, not the bookkeeping that makes it compile alone.
                        .filter(|k| {
                            *k != crate::contract::IMPORTED_MARK
                                && !matches!(
                                    *k,
                                    "$defs" | "$id" | "$schema" | "$comment" | "$anchor"
                                )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut d = Diagnostic::new(
                Code::ImportedAsRawSchema,
                file,
                fragment.span,
                format!(
                    "`{}` kept as raw JSON Schema by the import ({}): checked, but not in the contract's own words",
                    field.path,
                    keys.join(", ")
                ),
            );
            d.help = Some(format!(
                "say it natively if the language can, then remove `{}`; or keep it and remove the marker",
                crate::contract::IMPORTED_MARK
            ));
            out.push(d);
        }
        if let Some(example) = &field.constraints.example {
            let what = format!("field `{}`", field.path);
            if let Some(d) = check_example(
                contract,
                &field.constraints,
                field.is_nullable(),
                &example.value,
                example.span,
                &what,
            ) {
                out.push(d);
            }
        }
    }
    for format in &contract.formats {
        if let Some(example) = &format.constraints.example {
            let what = format!("format `{}`", format.name);
            if let Some(d) = check_example(
                contract,
                &format.constraints,
                false,
                &example.value,
                example.span,
                &what,
            ) {
                out.push(d);
            }
        }
    }
    out
}

fn check_example(
    contract: &Contract,
    constraints: &contract::Constraints,
    nullable: bool,
    example: &serde_json::Value,
    span: Span,
    what: &str,
) -> Option<Diagnostic> {
    let compiled = compile::value_schema(contract, constraints, nullable);
    let engine = Engine::build(&compiled).ok()?;
    let violation = engine.violations(example, 1).0.into_iter().next()?;
    let keyword = crate::contract::keyword::contract_name(
        violation.schema_path.rsplit('/').next().unwrap_or(""),
    );
    Some(
        Diagnostic::new(
            Code::InvalidExample,
            &contract.source.path,
            span,
            format!("the example {example} does not satisfy {what}: it fails `{keyword}`"),
        )
        .with_help(
            "fix the example, or the constraint if the example is what the sender really sends",
        ),
    )
}
