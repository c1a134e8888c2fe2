//! `handoff explain`, `schema`, `list` and `kinds`: what the registry holds, in plain words.

use super::{
    ContractArgs, Fatal, RegistryArgs, load_contract, print_out, project_config, registry_for,
};
use crate::console::Console;
use handoff_core::diagnostic::did_you_mean;
use handoff_core::explain;
use handoff_core::finding::Kind;

#[derive(clap::Args)]
pub(crate) struct ExplainArgs {
    #[command(flatten)]
    pub(crate) target: ContractArgs,
    /// A field, as a JSON Pointer: /line_items/*/sku or /line_items/0/sku
    pub(crate) field: Option<String>,
}

pub(crate) fn cmd_explain(args: ExplainArgs, con: &mut Console<'_>) -> Result<u8, Fatal> {
    // A contract of the name wins; otherwise a kind or rule of that id is explained.
    let checker = match load_contract(&args.target) {
        Ok(checker) => checker,
        Err(mut fatal) => {
            if args.field.is_none()
                && let Some(text) = catalogue_entry(&args.target.contract)
            {
                return print_out(con, &text);
            }
            // A misspelt kind reads as an unknown contract: say what it was probably meant to be.
            let kinds = Kind::ALL.iter().map(|k| k.id()).chain(
                handoff_reports::reconcile::gaps::GapKind::ALL
                    .iter()
                    .map(|k| k.id()),
            );
            if args.field.is_none()
                && let Some(kind) = did_you_mean(&args.target.contract, kinds)
            {
                fatal.message.push_str(&format!(
                    "\n  = help: did you mean the kind `{kind}`? (`handoff kinds` lists violation kinds, `handoff kinds --gaps` gap kinds)"
                ));
            }
            return Err(fatal);
        }
    };
    let contract = checker.contract();
    let text = match &args.field {
        None => explain::contract(contract),
        Some(pointer) => explain::field(contract, pointer).ok_or_else(|| {
            let mut paths = Vec::new();
            contract.root.walk(&mut |f| paths.push(f.path.clone()));
            let hint = did_you_mean(pointer, paths.iter().map(String::as_str))
                .map(|p| format!("\n  = help: did you mean {p}?"))
                .unwrap_or_else(|| {
                    format!(
                        "\n  = help: run `handoff explain {}` to list its fields",
                        contract.id
                    )
                });
            Fatal::new(format!(
                "{} has no field {pointer}{hint}",
                contract.reference()
            ))
        })?,
    };
    print_out(con, &text)
}

pub(crate) fn cmd_schema(args: ContractArgs, con: &mut Console<'_>) -> Result<u8, Fatal> {
    let checker = load_contract(&args)?;
    let text =
        serde_json::to_string_pretty(checker.schema()).map_err(|e| Fatal::new(e.to_string()))?;
    print_out(con, &format!("{text}\n"))
}

pub(crate) fn cmd_list(args: RegistryArgs, con: &mut Console<'_>) -> Result<u8, Fatal> {
    let config = project_config(args.config.as_deref())?;
    let registry = registry_for(args.contracts.as_deref(), config.as_ref());
    let entries = registry.entries().map_err(|e| Fatal::new(e.to_string()))?;
    let mut out = String::new();
    for entry in &entries {
        let versions: Vec<String> = entry.versions.iter().map(|(v, _)| v.to_string()).collect();
        // Only the boundary is shown: reading the model is enough, no validator is compiled.
        let newest = entry
            .versions
            .last()
            .and_then(|(_, path)| handoff_core::contract::load(path).contract);
        let boundary = match newest {
            Some(c) => {
                let b = &c.boundary;
                format!("{} -> {} over {}", b.from, b.to, b.transport.name())
            }
            None => "(newest version does not load: run handoff lint)".to_string(),
        };
        out.push_str(&format!(
            "{}\n  boundary: {boundary}\n  versions: {}\n",
            entry.id,
            versions.join(", ")
        ));
    }
    out.push_str(&format!(
        "{} contract{} in {}\n",
        entries.len(),
        if entries.len() == 1 { "" } else { "s" },
        registry.root.display()
    ));
    print_out(con, &out)
}

/// The documentation every report links to, built into the binary so that `explain` says the
/// same as docs/ (tests/it/docs.rs holds each section to the catalogue's own description).
const VIOLATIONS_MD: &str = include_str!("../../docs/violations.md");
const RECONCILE_MD: &str = include_str!("../../docs/reconcile.md");

/// A violation kind or a gap kind named instead of a contract: its id, what it is, and its
/// section of the docs; a breaking-change rule as `explain-rule` prints it.
fn catalogue_entry(name: &str) -> Option<String> {
    let (what, description, doc, file) =
        if let Some(kind) = Kind::ALL.iter().find(|k| k.id() == name) {
            let doc = "docs/violations.md";
            (
                "violation kind of `handoff check`",
                kind.description(),
                VIOLATIONS_MD,
                doc,
            )
        } else if let Some(kind) = handoff_reports::reconcile::gaps::GapKind::ALL
            .iter()
            .find(|k| k.id() == name)
        {
            let doc = "docs/reconcile.md";
            (
                "gap kind of `handoff reconcile`",
                kind.description(),
                RECONCILE_MD,
                doc,
            )
        } else {
            return handoff_core::diff::RuleId::from_id(name).map(super::diff::rule_text);
        };
    let section = section(doc, name).unwrap_or_default();
    Some(format!(
        "{name}: {what}\n  {description}\n\n{section}\n\nsee {file}#{name}\n"
    ))
}

/// The text under a `### \`id\`` heading, up to the next heading.
fn section<'d>(doc: &'d str, id: &str) -> Option<&'d str> {
    let heading = format!("### `{id}`\n");
    let start = doc.find(&heading)? + heading.len();
    let rest = &doc[start..];
    let end = rest.find("\n#").map_or(rest.len(), |e| e + 1);
    Some(rest[..end].trim_matches('\n'))
}

pub(crate) fn kinds_table(gaps: bool) -> String {
    if gaps {
        return handoff_reports::reconcile::gaps::GapKind::ALL
            .iter()
            .map(|k| format!("{:24} {}\n", k.id(), k.description()))
            .collect();
    }
    Kind::ALL
        .iter()
        .map(|k| format!("{:24} {}\n", k.id(), k.description()))
        .collect()
}
