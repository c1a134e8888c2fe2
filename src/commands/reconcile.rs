//! `handoff reconcile`: captures from several boundaries joined by the entity they speak of,
//! each entity's timeline judged against its flow, every gap named with its evidence.

use super::{
    EXIT_CLEAN, EXIT_VIOLATIONS, Fatal, RegistryArgs, history_path, project_config, registry_for,
    shown,
};
use crate::console::{Console, note};
use handoff_core::check::Checker;
use handoff_core::diagnostic::{Code, Diagnostic};
use handoff_core::redact::Redact;
use handoff_reports::config::Config;
use handoff_reports::printer::Format;
use handoff_reports::reconcile::flow::Flow;
use handoff_reports::reconcile::run::{self, Reconciliation, SystemInput};
use handoff_reports::reconcile::{read, render, validate};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Which entities get a one-record view in the JSON and HTML reports.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Views {
    /// Every entity: in agreement, pending and with gaps, each with its counts
    All,
    /// Only entities with gaps (and those named with --entity)
    Gaps,
}

#[derive(clap::Args)]
pub(crate) struct ReconcileArgs {
    /// The flow to run, as NAME or NAME@VERSION [default: every flow in handoff.yaml and flows/]
    #[arg(long, value_name = "NAME")]
    pub(crate) flow: Vec<String>,
    /// Judge deadlines at this moment (RFC 3339, or a date for its midnight UTC) [default: the
    /// newest message read]
    #[arg(long, value_name = "TIME")]
    pub(crate) as_of: Option<String>,
    #[arg(short, long, value_parser = super::Choices(render::FORMATS), default_value = "text")]
    pub(crate) format: Format,
    /// Write the report to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Show this entity's one-record view whatever its state (its key as the flow spells it;
    /// repeatable)
    #[arg(long, value_name = "KEY")]
    pub(crate) entity: Vec<String>,
    /// Entity views in the text and Markdown reports (entities with gaps, in key order)
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub(crate) top: usize,
    /// Entities given a one-record view in the JSON and HTML reports [default: all]; the text
    /// and Markdown reports show only entities with gaps (--top)
    #[arg(long, value_enum, value_name = "WHICH")]
    pub(crate) views: Option<Views>,
    /// Entity views kept in the JSON and HTML reports; every entity is counted regardless
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub(crate) max_views: usize,
    /// Messages of one entity judged at most; past it, its first and last half are judged and
    /// the ones between counted (a key thousands of messages share by mistake)
    #[arg(long, default_value_t = run::DEFAULT_MAX_ENTITY_MESSAGES, value_name = "N")]
    pub(crate) max_entity_messages: usize,
    /// Gaps listed in full in the text and Markdown reports; every gap is counted regardless
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub(crate) limit: usize,
    /// Gaps listed in the JSON report; every gap is counted regardless
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub(crate) max_gaps: usize,
    /// Which values from the payloads reports may show
    #[arg(long, value_parser = super::Choices(Redact::CHOICES), default_value = "sensitive")]
    pub(crate) redact: Redact,
    /// Record the gaps in the history database, beside triage and check runs
    #[arg(long)]
    pub(crate) record: bool,
    /// The history database [default: `history` in handoff.yaml, else .handoff/history.db]
    #[arg(long, value_name = "FILE")]
    pub(crate) history: Option<PathBuf>,
    /// Threads checking payloads [default: one per core]; the report does not depend on it
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) jobs: Option<u16>,
    /// Let a flow name captures or contracts outside the project directory (and its registry);
    /// without it such a flow is refused
    #[arg(long)]
    pub(crate) allow_outside: bool,
    /// No progress bar, even on a terminal
    #[arg(long)]
    pub(crate) no_progress: bool,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

pub(crate) fn cmd_reconcile(args: ReconcileArgs, con: &mut Console<'_>) -> Result<u8, Fatal> {
    let config = project_config(args.registry.config.as_deref())?;
    let base = config
        .as_ref()
        .map_or_else(PathBuf::new, |c| c.base.clone());
    let flows = select(load_flows(config.as_ref(), &base)?, &args.flow)?;
    let registry = registry_for(args.registry.contracts.as_deref(), config.as_ref());
    let as_of = args.as_of.as_deref().map(parse_as_of).transpose()?;

    let mut results = Vec::new();
    for flow in &flows {
        if !args.allow_outside {
            within_project(flow, &registry, &base)?;
        }
        let reach = flow_reach(&base, &registry, args.allow_outside);
        let (checkers, inputs) = prepare(flow, &registry, &base, &reach)?;
        let systems: Vec<SystemInput<'_>> = checkers
            .iter()
            .zip(inputs)
            .map(|(checker, inputs)| SystemInput { checker, inputs })
            .collect();
        // "checked N payloads": each is checked against its contract before it is correlated.
        let bar = con.progress_bar(args.no_progress);
        let progress_bar = bar.clone();
        let judging = std::cell::Cell::new(false);
        let options = run::Options {
            base: base.clone(),
            as_of,
            redact: args.redact,
            // Text and Markdown show entities with gaps only (--top), whatever --views says.
            all_views: matches!(args.format, Format::Json | Format::Html)
                && args.views != Some(Views::Gaps),
            max_gaps: args.max_gaps,
            // Text and Markdown print at most `--limit` gaps, taking each kind's first ones.
            max_gaps_per_kind: match args.format {
                Format::Text | Format::Markdown => args.limit,
                _ => usize::MAX,
            },
            max_views: args.max_views,
            max_entity_messages: args.max_entity_messages,
            entities: args.entity.iter().cloned().collect::<BTreeSet<_>>(),
            progress: Some(Box::new(move |phase, n| {
                if phase == run::Phase::Judging && !judging.replace(true) {
                    // The messages are read and sorted; now the entities, one by one.
                    progress_bar.set_style(
                        indicatif::ProgressStyle::with_template(
                            "{spinner} judged {human_pos} entities ({per_sec}) {elapsed}",
                        )
                        .expect("a valid template"),
                    );
                    progress_bar.reset_eta();
                }
                progress_bar.set_position(n);
            })),
            jobs: args
                .jobs
                .map_or_else(handoff_core::run::default_jobs, usize::from),
            ..run::Options::default()
        };
        let result = run::reconcile(flow, &systems, &options).map_err(Fatal::new);
        bar.finish_and_clear();
        results.push(result?);
    }
    if args.record {
        record(&args, config.as_ref(), &results, con)?;
    }
    let selection = render::Selection {
        top: args.top,
        limit: args.limit,
        entities: args.entity.clone(),
    };
    let write =
        |out: &mut dyn std::io::Write| render::write(&results, args.format, &selection, out);
    match &args.output {
        Some(path) => {
            super::refuse_link(path, "report")?;
            let file = std::fs::File::create(path)
                .map_err(|e| Fatal::new(format!("cannot write {}: {e}", shown(path))))?;
            let mut out = std::io::BufWriter::new(file);
            write(&mut out)
                .and_then(|()| std::io::Write::flush(&mut out))
                .map_err(|e| Fatal::new(format!("cannot write {}: {e}", shown(path))))?;
        }
        None => {
            super::write_out(con, write)?;
        }
    }
    let gaps: u64 = results.iter().map(Reconciliation::total_gaps).sum();
    Ok(if gaps > 0 {
        EXIT_VIOLATIONS
    } else {
        EXIT_CLEAN
    })
}

/// Flows from handoff.yaml's `flows:` and from files under `flows/` beside it.
pub(crate) fn load_flows(config: Option<&Config>, base: &Path) -> Result<Vec<Flow>, Fatal> {
    let mut flows: Vec<Flow> = config.map(|c| c.flows.clone()).unwrap_or_default();
    let mut diagnostics = Vec::new();
    for file in read::files(&base.join("flows")) {
        match read::load(&file) {
            Ok(flow) => flows.push(flow),
            Err(diags) => diagnostics.extend(diags),
        }
    }
    if !diagnostics.is_empty() {
        let mut fatal = super::unusable(&diagnostics, "the flows");
        fatal.message = format!(
            "the flow files have {} error{}; nothing was checked",
            diagnostics.len(),
            if diagnostics.len() == 1 { "" } else { "s" }
        );
        return Err(fatal);
    }
    // Two definitions of one version of one flow are a mistake, not a choice.
    let mut seen = BTreeSet::new();
    for flow in &flows {
        if !seen.insert(flow.reference()) {
            return Err(Fatal::new(format!(
                "flow {} is defined twice ({}); give each version its own number",
                flow.reference(),
                shown(&flow.file)
            )));
        }
    }
    Ok(flows)
}

/// For `handoff lint`: every flow of the project read and checked against its contracts.
/// Returns how many flows were read, and the diagnostics.
pub(crate) fn lint_flows(
    config: &Config,
    registry: &handoff_core::registry::Registry,
) -> (usize, Vec<Diagnostic>) {
    let mut flows = config.flows.clone();
    let mut diagnostics = Vec::new();
    for file in read::files(&config.base.join("flows")) {
        match read::load(&file) {
            Ok(flow) => flows.push(flow),
            Err(diags) => diagnostics.extend(diags),
        }
    }
    for flow in &flows {
        if let Err(diags) = checkers(flow, registry, &config.base) {
            diagnostics.extend(diags);
        }
    }
    (flows.len(), diagnostics)
}

/// The flows `--flow` names (each the newest version unless one is given), or the newest version
/// of every flow.
fn select(flows: Vec<Flow>, wanted: &[String]) -> Result<Vec<Flow>, Fatal> {
    if flows.is_empty() {
        return Err(Fatal::new(
            "no flows to reconcile: add `flows:` to handoff.yaml or a file under flows/ (see docs/reconcile.md)",
        ));
    }
    let newest = |name: &str| {
        flows
            .iter()
            .filter(|f| f.name == name)
            .max_by(|a, b| a.version.cmp(&b.version))
            .cloned()
    };
    if wanted.is_empty() {
        let names: BTreeSet<&str> = flows.iter().map(|f| f.name.as_str()).collect();
        return Ok(names.into_iter().filter_map(newest).collect());
    }
    wanted
        .iter()
        .map(|w| {
            let (name, version) = w
                .split_once('@')
                .map_or((w.as_str(), None), |(n, v)| (n, Some(v)));
            let found = match version {
                None => newest(name),
                Some(v) => flows
                    .iter()
                    .find(|f| {
                        f.name == name && f.version.as_ref().is_some_and(|fv| fv.to_string() == v)
                    })
                    .cloned(),
            };
            found.ok_or_else(|| {
                let names: BTreeSet<String> = flows.iter().map(Flow::reference).collect();
                let help =
                    handoff_core::diagnostic::did_you_mean(w, names.iter().map(String::as_str))
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_default();
                Fatal::new(format!(
                    "no flow `{w}`{help} (flows: {})",
                    names.into_iter().collect::<Vec<_>>().join(", ")
                ))
            })
        })
        .collect()
}

/// Each system's contract loaded, and the flow checked against them.
fn checkers(
    flow: &Flow,
    registry: &handoff_core::registry::Registry,
    base: &Path,
) -> Result<Vec<Checker>, Vec<Diagnostic>> {
    let mut checkers = Vec::new();
    let mut diagnostics = Vec::new();
    for system in &flow.systems {
        match registry.resolve(&system.contract, base) {
            Ok(path) => match handoff_core::lint::prepare(&path) {
                (Some(checker), _) => checkers.push(checker),
                (None, diags) => diagnostics.extend(diags),
            },
            Err(e) => diagnostics.push(Diagnostic::new(
                Code::InvalidValue,
                &flow.file,
                system.contract_span,
                format!("system `{}`: {e}", system.name),
            )),
        }
    }
    if diagnostics.is_empty() {
        let contracts: Vec<&handoff_core::contract::Contract> =
            checkers.iter().map(Checker::contract).collect();
        diagnostics = validate::validate(flow, &contracts);
    }
    if diagnostics.is_empty() {
        Ok(checkers)
    } else {
        Err(diagnostics)
    }
}

/// The flow's checkers, and each system's inputs found.
fn prepare(
    flow: &Flow,
    registry: &handoff_core::registry::Registry,
    base: &Path,
    reach: &handoff_core::reach::Reach,
) -> Result<(Vec<Checker>, Vec<Vec<handoff_core::input::Input>>), Fatal> {
    let checkers = checkers(flow, registry, base)
        .map_err(|d| super::unusable(&d, &format!("flow {}", flow.reference())))?;
    let mut inputs = Vec::new();
    for system in &flow.systems {
        let expanded = handoff_core::input::expand(&system.inputs, base, reach);
        if let Some(err) = expanded.errors.first() {
            return Err(Fatal::new(format!(
                "flow {}, system `{}`: {err}",
                flow.reference(),
                system.name
            )));
        }
        inputs.push(expanded.inputs);
    }
    Ok((checkers, inputs))
}

/// A flow read from the project names only files inside it: a changed flow file must not make
/// a run read any file the user can.
fn within_project(
    flow: &Flow,
    registry: &handoff_core::registry::Registry,
    base: &Path,
) -> Result<(), Fatal> {
    use super::{join_display, outside, reach_error_in};
    for system in &flow.systems {
        if let Ok(path) = registry.resolve(&system.contract, base)
            && outside(&registry.root, &path)
        {
            return Err(reach_error_in(&flow.file, base, "contract", &path));
        }
        for input in &system.inputs {
            let joined = join_display(base, input);
            if input != "-" && outside(base, Path::new(&joined)) {
                return Err(reach_error_in(
                    &flow.file,
                    base,
                    "capture",
                    Path::new(&joined),
                ));
            }
        }
    }
    Ok(())
}

/// `--as-of`: an RFC 3339 instant, or a date (its midnight, UTC).
fn parse_as_of(text: &str) -> Result<i64, Fatal> {
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Ok(t.as_second());
    }
    if let Ok(d) = text.parse::<jiff::civil::Date>() {
        return d
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_second())
            .map_err(|e| Fatal::new(e.to_string()));
    }
    Err(Fatal::new(format!(
        "--as-of `{text}` is not a time: write 2026-11-14T18:00:00Z, or a date such as 2026-11-14"
    )))
}

fn record(
    args: &ReconcileArgs,
    config: Option<&Config>,
    results: &[Reconciliation],
    con: &mut Console<'_>,
) -> Result<(), Fatal> {
    let registry = registry_for(args.registry.contracts.as_deref(), config);
    let reach = super::project_reach(config, &registry, args.allow_outside);
    let path = history_path(args.history.as_deref(), config, &reach)?;
    let mut store = handoff_reports::triage::store::Store::open(&path).map_err(Fatal::new)?;
    let now = jiff::Timestamp::now().to_string();
    for r in results {
        let rows: Vec<handoff_reports::triage::store::GapRow> = r
            .pairs
            .iter()
            .flat_map(|(pair, kinds)| {
                kinds.iter().map(
                    move |(kind, count)| handoff_reports::triage::store::GapRow {
                        pair: pair.clone(),
                        kind: kind.id().to_string(),
                        count: *count,
                    },
                )
            })
            .collect();
        store
            .record_reconcile(
                &now,
                &r.flow,
                &r.as_of,
                r.messages(),
                r.entities.with_gaps,
                &rows,
            )
            .map_err(Fatal::new)?;
    }
    note!(con, "recorded in {}", shown(&path));
    Ok(())
}

/// The exception card's cross-system view for `handoff serve`'s workspace: for the payload of
/// a proposal against `contract` (`id@version`), each newest flow with a system of that
/// contract is reconciled with the payload's entity named, and that entity's one-record view
/// returned as HTML. `None` when no flow has such a system or the payload has no usable key.
pub(crate) fn entity_section(
    registry_args: &RegistryArgs,
    contract: &str,
    payload: &[u8],
) -> Result<Option<String>, String> {
    let config = project_config(registry_args.config.as_deref()).map_err(|f| f.message)?;
    let base = config
        .as_ref()
        .map_or_else(PathBuf::new, |c| c.base.clone());
    let flows = load_flows(config.as_ref(), &base).map_err(|f| f.message)?;
    if flows.is_empty() {
        return Ok(None);
    }
    let flows = select(flows, &[]).map_err(|f| f.message)?;
    let registry = registry_for(registry_args.contracts.as_deref(), config.as_ref());
    let id = contract.split('@').next().unwrap_or(contract);
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(payload) else {
        return Ok(None);
    };
    let mut sections = Vec::new();
    for flow in &flows {
        within_project(flow, &registry, &base).map_err(|f| f.message)?;
        let reach = flow_reach(&base, &registry, false);
        let (checkers, inputs) = prepare(flow, &registry, &base, &reach).map_err(|f| f.message)?;
        let Some(system) = flow
            .systems
            .iter()
            .zip(&checkers)
            .find(|(_, c)| c.contract().id == id)
            .map(|(s, _)| s)
        else {
            continue;
        };
        let key = system
            .key
            .locate(&value)
            .1
            .and_then(handoff_reports::reconcile::flow::scalar_text)
            .and_then(|raw| system.key.normalise(&raw).ok());
        let Some(key) = key else {
            continue;
        };
        let systems: Vec<SystemInput<'_>> = checkers
            .iter()
            .zip(inputs)
            .map(|(checker, inputs)| SystemInput { checker, inputs })
            .collect();
        let options = run::Options {
            base: base.clone(),
            entities: BTreeSet::from([key.clone()]),
            // Only the entity named: it is kept whatever its state.
            max_views: 0,
            max_gaps: 0,
            jobs: handoff_core::run::default_jobs(),
            ..run::Options::default()
        };
        let result = run::reconcile(flow, &systems, &options)?;
        if let Some(view) = result.views.iter().find(|v| v.key == key) {
            sections.push(render::entity_section(&result, view));
        }
    }
    Ok((!sections.is_empty()).then(|| sections.join("\n")))
}

/// Whether the project has reconcile flows: in handoff.yaml, or files under `flows/` beside it.
pub(crate) fn has_flows(config: Option<&Config>) -> bool {
    let base = config.map_or_else(PathBuf::new, |c| c.base.clone());
    config.is_some_and(|c| !c.flows.is_empty()) || base.join("flows").is_dir()
}

/// What a flow's run may read: the project and the registry, unless `allow_outside`.
fn flow_reach(
    base: &Path,
    registry: &handoff_core::registry::Registry,
    allow_outside: bool,
) -> handoff_core::reach::Reach {
    let project = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    };
    handoff_core::reach::Reach::project([project, registry.root.as_path()], allow_outside)
}
