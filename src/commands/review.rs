//! `handoff review`: the review gate without a browser. Lists the repair proposals that
//! `handoff repair --propose` recorded, and approves or rejects one; the workspace's buttons
//! (`handoff serve`) make the same library calls (handoff_reports::triage::review).

use super::{
    EXIT_ERROR, EXIT_VIOLATIONS, Fatal, history_path, prepare, print_out, project_config,
    registry_for, resolve, shown,
};
use crate::console::{Console, note};
use handoff_reports::printer::escape::text;
use handoff_reports::triage::review::{self, Proposal, ReviewError, Status, Target};
use handoff_reports::triage::store::Store;
use serde_json::json;
use std::path::PathBuf;

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum ReviewFormat {
    /// Each proposal with its pattern, payload excerpt, fixes and patch
    Text,
    /// One document with every proposal listed
    Json,
}

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct ReviewArgs {
    #[command(subcommand)]
    pub(crate) action: Option<ReviewAction>,
    #[arg(short, long, value_enum, default_value_t = ReviewFormat::Text)]
    pub(crate) format: ReviewFormat,
    /// List decided proposals too (approved and rejected), not only the pending ones
    #[arg(long)]
    pub(crate) all: bool,
    #[command(flatten)]
    pub(crate) place: Place,
}

/// Where the history database and the contracts are.
#[derive(clap::Args)]
pub(crate) struct Place {
    /// The history database [default: `history` in handoff.yaml, else .handoff/history.db]
    #[arg(long, value_name = "FILE")]
    pub(crate) history: Option<PathBuf>,
    #[arg(long, value_name = "DIR")]
    pub(crate) contracts: Option<PathBuf>,
    #[arg(long, value_name = "FILE", env = "HANDOFF_CONFIG")]
    pub(crate) config: Option<PathBuf>,
}

#[derive(clap::Subcommand)]
pub(crate) enum ReviewAction {
    /// Approve a proposal: the repair is applied to the capture it came from (or, with
    /// --outbox, written there for re-delivery) and the decision recorded
    Approve {
        /// The proposal's number, as `handoff review` lists it
        id: i64,
        /// Who decides [default: the user, from $USER]
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
        /// Write the repaired payload into this directory as proposal-ID.json instead of
        /// repairing the capture in place
        #[arg(long, value_name = "DIR")]
        outbox: Option<PathBuf>,
        #[command(flatten)]
        place: Place,
    },
    /// Reject a proposal, saying why; nothing is written but the decision
    Reject {
        id: i64,
        /// Why the repair is wrong: the next review reads it
        #[arg(long, value_name = "TEXT", required = true)]
        why: String,
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
        #[command(flatten)]
        place: Place,
    },
}

/// Who decides when `--by` is not given: the login name, as the environment has it.
fn user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

pub(crate) fn cmd_review(args: ReviewArgs, con: &mut Console<'_>) -> Result<u8, Fatal> {
    match args.action {
        None => list(&args.place, args.format, args.all, con),
        Some(ReviewAction::Approve {
            id,
            by,
            outbox,
            place,
        }) => decide(&place, con, |store, ctx| {
            let p = store
                .proposal(id)
                .map_err(ReviewError::Store)?
                .ok_or(ReviewError::NotFound(id))?;
            let checker = resolve(&ctx.registry, &p.contract)
                .and_then(|path| prepare(&path))
                .map_err(|f| ReviewError::Stale {
                    id,
                    why: format!(
                        "its contract {} cannot be loaded: {}",
                        p.contract, f.message
                    ),
                })?;
            let target = outbox.clone().map_or(Target::Capture, Target::Outbox);
            review::approve(
                store,
                &p,
                &by.clone().unwrap_or_else(user),
                &checker,
                &target,
                &ctx.base,
                &ctx.reach,
            )
        }),
        Some(ReviewAction::Reject { id, why, by, place }) => {
            if why.trim().is_empty() {
                return Err(Fatal::new(
                    "--why needs the reason the repair is wrong; the next review reads it",
                ));
            }
            decide(&place, con, |store, _| {
                review::reject(store, id, &by.clone().unwrap_or_else(user), &why)
            })
        }
    }
}

struct Context {
    registry: handoff_core::registry::Registry,
    base: PathBuf,
    reach: handoff_core::reach::Reach,
    history: PathBuf,
}

fn context(place: &Place) -> Result<Context, Fatal> {
    let config = project_config(place.config.as_deref()).ok().flatten();
    let registry = registry_for(place.contracts.as_deref(), config.as_ref());
    let reach = super::project_reach(config.as_ref(), &registry, false);
    let history = history_path(place.history.as_deref(), config.as_ref(), &reach)?;
    Ok(Context {
        base: config.map(|c| c.base).unwrap_or_default(),
        registry,
        reach,
        history,
    })
}

/// Open the history database, which must exist: a review of nothing is a mistake to report.
fn open(ctx: &Context) -> Result<Store, Fatal> {
    if !ctx.history.exists() {
        return Err(Fatal::new(format!(
            "{} does not exist: no proposals were recorded yet\n  = help: `handoff repair --propose -c CONTRACT PAYLOADS` records them",
            shown(&ctx.history)
        )));
    }
    Store::open(&ctx.history).map_err(Fatal::new)
}

fn decide(
    place: &Place,
    con: &mut Console<'_>,
    act: impl FnOnce(&mut Store, &Context) -> Result<Proposal, ReviewError>,
) -> Result<u8, Fatal> {
    let ctx = context(place)?;
    let mut store = open(&ctx)?;
    match act(&mut store, &ctx) {
        Ok(p) => {
            let verb = if p.status == Status::Rejected {
                "REJECTED"
            } else {
                "APPROVED"
            };
            let mut out = format!(
                "{verb} proposal {} ({}) by {} at {}\n",
                p.id,
                text(&p.at()),
                text(p.decided_by.as_deref().unwrap_or("")),
                text(p.decided_at.as_deref().unwrap_or(""))
            );
            if let Some(why) = &p.why {
                out.push_str(&format!("  why: {}\n", text(why)));
            }
            if let Some(outcome) = &p.outcome {
                out.push_str(&format!("  {}\n", text(outcome)));
            }
            if p.status == Status::Approved {
                out.push_str(&format!(
                    "  re-checked against {}: clean\n",
                    text(&p.contract)
                ));
            }
            print_out(con, &out)
        }
        // Someone else decided first: not an error of this command, but nothing it asked for
        // happened.
        Err(e @ ReviewError::Decided(_)) => {
            note!(con, "handoff: {e}");
            Ok(EXIT_VIOLATIONS)
        }
        Err(e) => {
            note!(con, "handoff: error: {e}");
            Ok(EXIT_ERROR)
        }
    }
}

fn list(
    place: &Place,
    format: ReviewFormat,
    all: bool,
    con: &mut Console<'_>,
) -> Result<u8, Fatal> {
    let ctx = context(place)?;
    let store = open(&ctx)?;
    let every = store.proposals(None).map_err(Fatal::new)?;
    let shown_list: Vec<&Proposal> = every
        .iter()
        .filter(|p| all || p.status == Status::Pending)
        .collect();
    let out = match format {
        ReviewFormat::Json => {
            let items: Vec<serde_json::Value> =
                shown_list.iter().map(|p| proposal_json(p)).collect();
            serde_json::to_string_pretty(&json!({
                "format_version": 1,
                "history": ctx.history.display().to_string(),
                "pending": count(&every, Status::Pending),
                "approved": count(&every, Status::Approved),
                "rejected": count(&every, Status::Rejected),
                "proposals": items,
            }))
            .map_err(|e| Fatal::new(e.to_string()))?
                + "\n"
        }
        ReviewFormat::Text => text_list(&shown_list, &every),
    };
    print_out(con, &out)
}

/// One proposal in the JSON listing: as stored, with the patch (a sensitive value shown as
/// not stored) and the commands that decide it.
fn count(proposals: &[Proposal], status: Status) -> usize {
    proposals.iter().filter(|p| p.status == status).count()
}

fn proposal_json(p: &Proposal) -> serde_json::Value {
    let mut v = serde_json::to_value(p).unwrap_or_default();
    v["patch"] = p.patch_shown();
    v
}

fn text_list(list: &[&Proposal], every: &[Proposal]) -> String {
    let mut out = String::new();
    for p in list {
        out.push_str(&format!(
            "{} proposal {}: {} ({}), proposed {}\n",
            p.status.id().to_uppercase(),
            p.id,
            text(&p.at()),
            text(&p.contract),
            text(&p.proposed_at)
        ));
        out.push_str(&format!("  pattern: {}\n", text(&p.signature)));
        out.push_str(&format!("  payload: {}\n", text(&p.excerpt)));
        for f in &p.fixes {
            out.push_str(&format!(
                "  {} {} {}: {}\n",
                f.rule,
                f.op,
                text(&f.path),
                text(&f.why)
            ));
        }
        out.push_str(&format!(
            "  patch: {}\n",
            text(&p.patch_shown().to_string())
        ));
        match p.status {
            Status::Pending => out.push_str(&format!(
                "  decide: handoff review approve {id}   |   handoff review reject {id} --why TEXT\n",
                id = p.id
            )),
            _ => {
                out.push_str(&format!(
                    "  decided by {} at {}{}\n",
                    text(p.decided_by.as_deref().unwrap_or("")),
                    text(p.decided_at.as_deref().unwrap_or("")),
                    p.why
                        .as_deref()
                        .map(|w| format!(": {}", text(w)))
                        .unwrap_or_default()
                ));
                if let Some(o) = &p.outcome {
                    out.push_str(&format!("  {}\n", text(o)));
                }
            }
        }
        out.push('\n');
    }
    let pending = count(every, Status::Pending);
    out.push_str(&format!(
        "{pending} pending proposal{}; {} approved, {} rejected{}\n",
        if pending == 1 { "" } else { "s" },
        count(every, Status::Approved),
        count(every, Status::Rejected),
        if list.len() < every.len() {
            " (--all lists the decided ones)"
        } else {
            ""
        }
    ));
    out
}
