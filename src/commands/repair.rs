//! `handoff repair`: for payloads whose violations each have one correct fix, an RFC 6902 JSON
//! Patch and the repaired payload, offered only when the repaired payload passes the contract.
//! Nothing is written unless `--write` says so.

use super::{
    EXIT_CLEAN, EXIT_ERROR, EXIT_VIOLATIONS, Fatal, prepare, print_out, project_config,
    registry_for, resolve, shown,
};
use handoff::check::Checker;
use handoff::input::{self, Input, Payload};
use handoff::printer::escape::text;
use handoff::redact::mask_card_numbers;
use handoff::repair::{self, Outcome};
use serde_json::json;
use std::path::{Path, PathBuf};

/// One file's payloads (with their NDJSON line) and what repairing each came to.
type FileOutcomes = (PathBuf, Vec<(Option<u64>, Outcome)>);

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum RepairFormat {
    /// Each payload's patch, in words and as JSON
    Text,
    /// One document: per payload its outcome, patch and repaired payload
    Json,
}

#[derive(clap::Args)]
pub(crate) struct RepairArgs {
    /// Payload files, directories or globs (JSON or NDJSON)
    #[arg(required = true)]
    pub(crate) inputs: Vec<std::ffi::OsString>,
    /// The contract the payloads must satisfy: id, id@version, id@^major, or a file path
    #[arg(short, long, value_name = "REF")]
    pub(crate) contract: String,
    /// Write the repaired payloads over the files (only payloads whose repair passes)
    #[arg(long)]
    pub(crate) write: bool,
    #[arg(short, long, value_enum, default_value_t = RepairFormat::Text)]
    pub(crate) format: RepairFormat,
    #[arg(long, value_name = "DIR")]
    pub(crate) contracts: Option<PathBuf>,
    #[arg(long, value_name = "FILE", env = "HANDOFF_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// Follow symbolic links found in the named directories to files outside the project
    #[arg(long)]
    pub(crate) allow_outside: bool,
}

pub(crate) fn cmd_repair(args: RepairArgs) -> Result<u8, Fatal> {
    let config = project_config(args.config.as_deref()).ok().flatten();
    let registry = registry_for(args.contracts.as_deref(), config.as_ref());
    let checker = prepare(&resolve(&registry, &args.contract)?)?;
    let reach = super::project_reach(config.as_ref(), &registry, args.allow_outside);
    let expanded = input::expand(&args.inputs, Path::new("."), &reach);
    for err in &expanded.errors {
        eprintln!("handoff: error: {err}");
    }
    let mut results = Vec::new();
    let mut unrepaired = false;
    for item in &expanded.inputs {
        let Input::File(path) = item else { continue };
        let ndjson = input::is_ndjson_path(path);
        let mut outcomes: Vec<(Option<u64>, Outcome)> = Vec::new();
        input::read(
            item,
            Path::new("."),
            input::Reading::json(ndjson),
            handoff::run::DEFAULT_MAX_PAYLOAD_BYTES,
            |line, payload| {
                if let Payload::Bytes(bytes) = payload {
                    outcomes.push((line, repair::repair(&checker, bytes)));
                }
            },
        );
        unrepaired |= outcomes
            .iter()
            .any(|(_, o)| matches!(o, Outcome::NotRepairable { .. } | Outcome::Unreadable(_)));
        if args.write {
            write(path, ndjson, &outcomes)?;
        }
        results.push((path.clone(), outcomes));
    }
    let out = match args.format {
        RepairFormat::Text => text_report(&checker, &results, args.write),
        RepairFormat::Json => {
            serde_json::to_string_pretty(&json_report(&checker, &results))
                .map_err(|e| Fatal::new(e.to_string()))?
                + "\n"
        }
    };
    print_out(&out)?;
    Ok(if !expanded.errors.is_empty() {
        EXIT_ERROR
    } else if unrepaired {
        EXIT_VIOLATIONS
    } else {
        EXIT_CLEAN
    })
}

/// Write repaired payloads back: a JSON file whole, an NDJSON file with its repaired lines
/// replaced and every other line as it was.
fn write(path: &Path, ndjson: bool, outcomes: &[(Option<u64>, Outcome)]) -> Result<(), Fatal> {
    let repaired: Vec<(Option<u64>, &serde_json::Value)> = outcomes
        .iter()
        .filter_map(|(line, o)| match o {
            Outcome::Repaired { payload, .. } => Some((*line, payload)),
            _ => None,
        })
        .collect();
    if repaired.is_empty() {
        return Ok(());
    }
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Fatal::new(format!(
            "{} is a symbolic link; handoff repair does not write through links",
            shown(path)
        )));
    }
    let text = if ndjson {
        let original = input::read_text(path, input::MAX_FILE_BYTES)
            .map_err(|e| Fatal::new(format!("{}: {e}", shown(path))))?;
        let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
        for (line, payload) in repaired {
            if let Some(slot) = line.and_then(|n| lines.get_mut(n as usize - 1)) {
                *slot = payload.to_string();
            }
        }
        lines.join("\n") + "\n"
    } else {
        serde_json::to_string_pretty(repaired[0].1).map_err(|e| Fatal::new(e.to_string()))? + "\n"
    };
    std::fs::write(path, text).map_err(|e| Fatal::new(format!("cannot write {}: {e}", shown(path))))
}

fn source(path: &Path, line: Option<u64>) -> String {
    match line {
        Some(n) => format!("{}:{n}", path.display()),
        None => path.display().to_string(),
    }
}

fn text_report(checker: &Checker, results: &[FileOutcomes], written: bool) -> String {
    let contract = checker.contract().reference();
    let mut out = String::new();
    let (mut clean, mut fixed, mut not) = (0, 0, 0);
    for (path, outcomes) in results {
        for (line, outcome) in outcomes {
            let at = text(&source(path, *line)).into_owned();
            match outcome {
                Outcome::Clean => clean += 1,
                Outcome::Repaired { fixes, .. } => {
                    fixed += 1;
                    out.push_str(&format!(
                        "{} {at} ({contract}): {} fix{}\n",
                        if written { "REPAIRED" } else { "REPAIR" },
                        fixes.len(),
                        if fixes.len() == 1 { "" } else { "es" }
                    ));
                    for f in fixes {
                        out.push_str(&format!("  {} {}: {}\n", f.op, text(&f.path), text(&f.why)));
                    }
                    out.push_str(&format!("  patch: {}\n", repair::patch(fixes)));
                }
                Outcome::NotRepairable { remaining, .. } => {
                    not += 1;
                    out.push_str(&format!(
                        "NO REPAIR {at} ({contract}): {} finding{} without one correct fix\n",
                        remaining.len(),
                        if remaining.len() == 1 { "" } else { "s" }
                    ));
                    for f in remaining {
                        out.push_str(&format!(
                            "  {} at {}: {}\n",
                            f.kind,
                            text(&f.pointer),
                            text(&f.message)
                        ));
                    }
                }
                Outcome::Unreadable(f) => {
                    not += 1;
                    out.push_str(&format!(
                        "NO REPAIR {at} ({contract}): {}\n",
                        text(&f.message)
                    ));
                }
            }
        }
    }
    out.push_str(&format!(
        "\n{fixed} payload{} {}, {not} without a safe repair, {clean} already clean{}\n",
        if fixed == 1 { "" } else { "s" },
        if written {
            "repaired and written"
        } else {
            "can be repaired"
        },
        if written || fixed == 0 {
            ""
        } else {
            " (--write applies the patches; --format json prints the repaired payloads)"
        }
    ));
    mask_card_numbers(&out).into_owned()
}

fn json_report(checker: &Checker, results: &[FileOutcomes]) -> serde_json::Value {
    let mut items = Vec::new();
    for (path, outcomes) in results {
        for (line, outcome) in outcomes {
            let mut item = json!({"source": {"path": path.display().to_string()}});
            if let Some(n) = line {
                item["source"]["line"] = json!(n);
            }
            match outcome {
                Outcome::Clean => item["outcome"] = json!("clean"),
                Outcome::Repaired { fixes, payload } => {
                    item["outcome"] = json!("repaired");
                    item["patch"] = repair::patch(fixes);
                    item["payload"] = payload.clone();
                }
                Outcome::NotRepairable { remaining, .. } => {
                    item["outcome"] = json!("not_repairable");
                    item["findings"] = json!(remaining);
                }
                Outcome::Unreadable(f) => {
                    item["outcome"] = json!("unreadable");
                    item["findings"] = json!([f]);
                }
            }
            items.push(item);
        }
    }
    json!({"format_version": 1, "contract": checker.contract().reference(), "payloads": items})
}
