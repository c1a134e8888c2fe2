//! `handoff diff`, `changelog` and `explain-rule`: changes between contract versions.

use super::{
    EXIT_CLEAN, EXIT_VIOLATIONS, Fatal, RegistryArgs, prepare, print_out, project_config,
    registry_for, resolve, versions_of,
};
use crate::console::Console;
use handoff_core::check::Checker;
use handoff_core::diagnostic::did_you_mean;
use handoff_core::diff;
use handoff_core::registry::Registry;
use handoff_reports::printer::changes as changes_out;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(clap::Args)]
pub(crate) struct DiffArgs {
    /// The old version: id@version or a file path
    #[arg(required_unless_present = "against")]
    pub(crate) old: Option<String>,
    /// The new version: id@version, id (newest), or a file path
    #[arg(required_unless_present = "against")]
    pub(crate) new: Option<String>,
    /// Compare each contract's newest version in the working tree with its newest at this git
    /// revision (for pull requests: --against origin/main)
    #[arg(long, value_name = "REV", conflicts_with_all = ["old", "new"])]
    pub(crate) against: Option<String>,
    /// Check a compatibility mode instead of severities: backward, forward or full, each
    /// optionally -transitive (against every earlier version in the registry)
    #[arg(long, value_name = "MODE", value_parser = ["backward", "forward", "full", "backward-transitive", "forward-transitive", "full-transitive"])]
    pub(crate) mode: Option<String>,
    /// Exit 1 when a change of this severity or worse is found
    #[arg(long, value_name = "SEVERITY", default_value = "breaking", value_parser = ["breaking", "warning", "info"])]
    pub(crate) fail_on: String,
    #[arg(short, long, value_enum, default_value_t = DiffFormat::Text)]
    pub(crate) format: DiffFormat,
    /// How readers treat undeclared members of open objects: lenient (they are ignored, so
    /// declaring one later is compatible) or strict (a sender may already send it, so declaring
    /// it with a type breaks senders)
    #[arg(long, value_enum, default_value_t = OpenContentArg::Lenient)]
    pub(crate) open_content: OpenContentArg,
    /// Text format: add a unified diff of the two YAML files under the classified changes
    #[arg(long)]
    pub(crate) text: bool,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum OpenContentArg {
    Lenient,
    Strict,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum DiffFormat {
    Text,
    Json,
    /// A Markdown table for a pull-request comment
    Markdown,
}

pub(crate) fn cmd_diff(args: DiffArgs, con: &mut Console<'_>) -> Result<u8, Fatal> {
    let config = project_config(args.registry.config.as_deref())
        .ok()
        .flatten();
    let registry = registry_for(args.registry.contracts.as_deref(), config.as_ref());
    let threshold = diff::Severity::from_name(&args.fail_on).expect("clap checked the value");
    let mode = args
        .mode
        .as_deref()
        .map(|m| diff::Mode::parse(m).expect("clap checked the value"));
    // Pairs to compare: (old, new), each a loaded contract.
    let mut pairs: Vec<(
        handoff_core::contract::Contract,
        handoff_core::contract::Contract,
    )> = Vec::new();
    if let Some(rev) = &args.against {
        pairs = against(&registry, rev)?;
    } else {
        let (old_ref, new_ref) = (
            args.old.as_deref().expect("clap"),
            args.new.as_deref().expect("clap"),
        );
        let new = prepare(&resolve(&registry, new_ref)?)?.contract().clone();
        match mode {
            Some((_, true)) => {
                // Transitive: every earlier version of the new one's contract in the registry.
                let old = prepare(&resolve(&registry, old_ref)?)?.contract().clone();
                let mut earlier: Vec<handoff_core::contract::Contract> =
                    versions_of(&registry, &new.id)?
                        .into_iter()
                        .map(|c| c.contract().clone())
                        .filter(|c| c.version < new.version)
                        .collect();
                if !earlier.iter().any(|c| c.version == old.version) {
                    earlier.push(old);
                }
                pairs = earlier.into_iter().map(|o| (o, new.clone())).collect();
            }
            _ => pairs.push((
                prepare(&resolve(&registry, old_ref)?)?.contract().clone(),
                new,
            )),
        }
    }
    let mut out = String::new();
    let mut failing = false;
    let mut documents = Vec::new();
    for (old, new) in &pairs {
        let policy = match args.open_content {
            OpenContentArg::Lenient => diff::OpenContent::Lenient,
            OpenContentArg::Strict => diff::OpenContent::Strict,
        };
        let changes = diff::diff_with(old, new, policy);
        failing |= match mode {
            Some((m, _)) => changes.iter().any(|c| m.violated_by(c)),
            None => changes.iter().any(|c| c.severity <= threshold),
        };
        match args.format {
            DiffFormat::Json => documents.push(changes_out::json(old, new, &changes)),
            DiffFormat::Markdown => out.push_str(&changes_out::markdown(old, new, &changes)),
            DiffFormat::Text => {
                out.push_str(&changes_out::text(old, new, &changes));
                out.push_str(&format!("\n{}\n", changes_out::tally(&changes)));
                if let Some((m, _)) = mode {
                    let broken: Vec<String> = changes
                        .iter()
                        .filter(|c| m.violated_by(c))
                        .map(|c| c.rule.to_string())
                        .collect();
                    let name = args.mode.as_deref().unwrap_or_default();
                    out.push_str(&if broken.is_empty() {
                        format!("compatible ({name}) with {}\n", old.reference())
                    } else {
                        format!(
                            "not compatible ({name}) with {}: {}\n",
                            old.reference(),
                            broken.join(", ")
                        )
                    });
                }
                if args.text {
                    out.push('\n');
                    out.push_str(&changes_out::unified(old, new));
                }
                out.push('\n');
            }
        }
    }
    let code = if failing { EXIT_VIOLATIONS } else { EXIT_CLEAN };
    match args.format {
        DiffFormat::Json => {
            // One comparison is one document; several (--against, transitive) are a list.
            let doc = if documents.len() == 1 {
                documents.remove(0)
            } else {
                serde_json::Value::Array(documents)
            };
            out = serde_json::to_string_pretty(&doc).map_err(|e| Fatal::new(e.to_string()))? + "\n";
        }
        DiffFormat::Text => {
            if pairs.is_empty() {
                out.push_str("no contract changed\n");
            }
            out.push_str(&format!("exit code {code}\n"));
        }
        DiffFormat::Markdown => {}
    }
    print_out(con, &out)?;
    Ok(code)
}

/// For `--against REV`: each contract's newest version at REV paired with its newest version
/// in the working tree, where the two differ.
pub(crate) fn against(
    registry: &Registry,
    rev: &str,
) -> Result<
    Vec<(
        handoff_core::contract::Contract,
        handoff_core::contract::Contract,
    )>,
    Fatal,
> {
    let then = handoff_core::history::contracts_at(rev, &registry.root).map_err(Fatal::new)?;
    let mut newest_then: BTreeMap<String, handoff_core::contract::Contract> = BTreeMap::new();
    for (path, text) in then {
        let loaded = handoff_core::contract::parse(
            &PathBuf::from(format!("{rev}:{}", path.display())),
            &text,
        );
        if let Some(c) = loaded.contract
            && newest_then.get(&c.id).is_none_or(|o| o.version < c.version)
        {
            newest_then.insert(c.id.clone(), c);
        }
    }
    let mut pairs = Vec::new();
    for entry in registry.entries().map_err(|e| Fatal::new(e.to_string()))? {
        let Some((_, path)) = entry.versions.last() else {
            continue;
        };
        let now = prepare(path)?.contract().clone();
        if let Some(old) = newest_then.remove(&entry.id)
            && old.source.text != now.source.text
        {
            pairs.push((old, now));
        }
    }
    Ok(pairs)
}

pub(crate) fn cmd_explain_rule(rule: Option<&str>, con: &mut Console<'_>) -> Result<u8, Fatal> {
    use diff::RuleId;
    let Some(id) = rule else {
        let list: String = RuleId::ALL
            .iter()
            .map(|r| {
                format!(
                    "{:24} {:8} breaks {:8}\n",
                    r.id(),
                    r.severity().name(),
                    r.breaks().name()
                )
            })
            .collect();
        return print_out(con, &list);
    };
    let rule = RuleId::from_id(id).ok_or_else(|| {
        let hint = did_you_mean(id, RuleId::ALL.iter().map(|r| r.id()))
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_else(|| "; run `handoff explain-rule` for the list".into());
        Fatal::new(format!("no breaking-change rule `{id}`{hint}"))
    })?;
    print_out(con, &rule_text(rule))
}

/// A breaking-change rule in full, as `explain-rule` and `explain` print it.
pub(crate) fn rule_text(rule: diff::RuleId) -> String {
    format!(
        "{}: breaking-change rule of `handoff diff`\nseverity: {}\nbreaks: {}\n\n{}\n",
        rule.id(),
        rule.severity().name(),
        rule.breaks().name(),
        rule.doc()
    )
}

pub(crate) fn cmd_changelog(
    id: &str,
    args: RegistryArgs,
    con: &mut Console<'_>,
) -> Result<u8, Fatal> {
    let config = project_config(args.config.as_deref()).ok().flatten();
    let registry = registry_for(args.contracts.as_deref(), config.as_ref());
    let mut checkers = versions_of(&registry, id)?;
    checkers.reverse();
    let contracts: Vec<&handoff_core::contract::Contract> =
        checkers.iter().map(Checker::contract).collect();
    print_out(con, &changes_out::changelog(&contracts, diff::diff))
}
