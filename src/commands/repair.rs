//! `handoff repair`: for payloads whose violations each have one correct fix, an RFC 6902 JSON
//! Patch and the repaired payload, offered only when the repaired payload passes the contract.
//! Nothing is written unless `--write` says so.

use super::{
    EXIT_CLEAN, EXIT_ERROR, EXIT_VIOLATIONS, Fatal, prepare, print_out, project_config,
    registry_for, resolve, shown,
};
use crate::console::{Console, note};
use handoff_core::check::Checker;
use handoff_core::input::{self, Input, Payload};
use handoff_core::redact::mask_card_numbers;
use handoff_core::repair::{self, Outcome};
use handoff_reports::printer::escape::text;
use handoff_reports::triage::review;
use handoff_reports::triage::store::Store;
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
    #[arg(long, conflicts_with = "propose")]
    pub(crate) write: bool,
    /// Record each repair as a proposal in the history database, for a person to approve or
    /// reject (`handoff review`, or the workspace of `handoff serve`); no file is written
    #[arg(long)]
    pub(crate) propose: bool,
    /// The history database [default: `history` in handoff.yaml, else .handoff/history.db]
    #[arg(long, value_name = "FILE", requires = "propose")]
    pub(crate) history: Option<PathBuf>,
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

pub(crate) fn cmd_repair(args: RepairArgs, con: &mut Console<'_>) -> Result<u8, Fatal> {
    let config = project_config(args.config.as_deref()).ok().flatten();
    let registry = registry_for(args.contracts.as_deref(), config.as_ref());
    let checker = prepare(&resolve(&registry, &args.contract)?)?;
    let reach = super::project_reach(config.as_ref(), &registry, args.allow_outside);
    let expanded = input::expand(&args.inputs, Path::new("."), &reach);
    for err in &expanded.errors {
        note!(con, "handoff: error: {err}");
    }
    let base = config.as_ref().map(|c| c.base.clone()).unwrap_or_default();
    let mut proposals: Vec<review::NewProposal> = Vec::new();
    let mut results = Vec::new();
    let mut unrepaired = false;
    let mut refused = false;
    for item in &expanded.inputs {
        let Input::File(path) = item else { continue };
        let shape = input::shape_of(path);
        if matches!(shape, input::Shape::X12 | input::Shape::Csv) {
            note!(
                con,
                "handoff: error: {}: repair patches JSON and NDJSON payloads; a{} file is not repaired (check it with `handoff check`, and fix it where it is made)",
                shown(path),
                if shape == input::Shape::X12 {
                    "n X12"
                } else {
                    " CSV"
                }
            );
            refused = true;
            continue;
        }
        let ndjson = shape == input::Shape::Ndjson;
        // Read once: the payloads are repaired from these bytes, and the file is written only
        // while it still holds exactly them.
        let original = input::read_bytes(path, input::MAX_FILE_BYTES)
            .map_err(|e| Fatal::new(format!("{}: {e}", shown(path))))?;
        let mut outcomes: Vec<(Option<u64>, Outcome)> = Vec::new();
        let source = review::source_name(path, &base);
        let mut each = |line: Option<u64>, payload: Payload<'_>| {
            if let Payload::Bytes(bytes) = payload {
                let outcome = repair::repair(&checker, bytes);
                if args.propose
                    && let Outcome::Repaired { fixes, .. } = &outcome
                {
                    proposals.push(review::proposal_of(&checker, &source, line, bytes, fixes));
                }
                outcomes.push((line, outcome));
            }
        };
        if ndjson {
            input::read_lines(
                &original[..],
                handoff_core::run::DEFAULT_MAX_PAYLOAD_BYTES,
                each,
            );
        } else {
            each(None, Payload::Bytes(&original));
        }
        unrepaired |= outcomes
            .iter()
            .any(|(_, o)| matches!(o, Outcome::NotRepairable { .. } | Outcome::Unreadable(_)));
        if args.write {
            match write(path, &original, ndjson, &outcomes) {
                Ok(()) => {}
                Err(why) => {
                    note!(
                        con,
                        "handoff: error: {}: {why}; the file was left as it is",
                        shown(path)
                    );
                    refused = true;
                    // What was not written is reported as not repaired.
                    for (_, o) in &mut outcomes {
                        if let Outcome::Repaired { fixes, .. } = o {
                            *o = Outcome::NotRepairable {
                                remaining: Vec::new(),
                                fixes: std::mem::take(fixes),
                            };
                        }
                    }
                    unrepaired = true;
                }
            }
        }
        results.push((path.clone(), outcomes));
    }
    if args.propose {
        let history = super::history_path(args.history.as_deref(), config.as_ref(), &reach)?;
        let mut store = Store::open(&history).map_err(Fatal::new)?;
        let (mut new, mut already) = (0, 0);
        let mut ids: Vec<i64> = Vec::new();
        for p in &proposals {
            match store.propose(p).map_err(Fatal::new)? {
                review::Proposed::New(id) => {
                    new += 1;
                    ids.push(id);
                }
                // The same payload against the same contract version: once is enough.
                review::Proposed::Already(_) => already += 1,
            }
        }
        if let (Some(first), Some(last)) = (ids.first(), ids.last()) {
            note!(
                con,
                "handoff: proposals {}",
                if first == last {
                    first.to_string()
                } else {
                    format!("{first} to {last}")
                }
            );
        }
        note!(
            con,
            "handoff: {new} new proposal{} in {}{}; `handoff review` lists them, `handoff review approve ID` applies one",
            if new == 1 { "" } else { "s" },
            shown(&history),
            if already > 0 {
                format!(", {already} proposed before")
            } else {
                String::new()
            }
        );
    }
    let out = match args.format {
        RepairFormat::Text => text_report(&checker, &results, args.write, args.propose),
        RepairFormat::Json => {
            serde_json::to_string_pretty(&json_report(&checker, &results))
                .map_err(|e| Fatal::new(e.to_string()))?
                + "\n"
        }
    };
    print_out(con, &out)?;
    Ok(if !expanded.errors.is_empty() || refused {
        EXIT_ERROR
    } else if unrepaired {
        EXIT_VIOLATIONS
    } else {
        EXIT_CLEAN
    })
}

/// Write repaired payloads back through [`handoff_reports::patched::write`].
fn write(
    path: &Path,
    original: &[u8],
    ndjson: bool,
    outcomes: &[(Option<u64>, Outcome)],
) -> Result<(), String> {
    let repaired: Vec<handoff_reports::patched::Repaired<'_>> = outcomes
        .iter()
        .filter_map(|(line, o)| match o {
            Outcome::Repaired { fixes, payload } => Some((*line, fixes.as_slice(), payload)),
            _ => None,
        })
        .collect();
    handoff_reports::patched::write(path, original, ndjson, &repaired)
}

fn source(path: &Path, line: Option<u64>) -> String {
    match line {
        Some(n) => format!("{}:{n}", path.display()),
        None => path.display().to_string(),
    }
}

fn text_report(
    checker: &Checker,
    results: &[FileOutcomes],
    written: bool,
    proposed: bool,
) -> String {
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
        } else if proposed {
            "proposed for review"
        } else {
            "can be repaired"
        },
        if written || proposed || fixed == 0 {
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
