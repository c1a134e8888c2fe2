//! `handoff triage`: an exception log diagnosed for a weekly review. Which recurring
//! exceptions are integration problems, which are process problems, what each costs, and which
//! fix goes first.

use super::{
    EXIT_CLEAN, Fatal, RegistryArgs, history_path, project_config, registry_for, shown, unusable,
    write_out,
};
use crate::console::{Console, note};
use handoff_core::check::Checker;
use handoff_reports::printer::Format;
use handoff_reports::triage::framework::Thresholds;
use handoff_reports::triage::mapping::{self, Spec};
use handoff_reports::triage::report::{self, Report, signature_text};
use handoff_reports::triage::{log, run};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub(crate) struct TriageArgs {
    /// The exception log: CSV, or NDJSON (.ndjson, .jsonl) [default: `exceptions.log` in
    /// handoff.yaml]
    pub(crate) log: Option<PathBuf>,
    #[arg(long = "map", value_name = "FIELD=COLUMN", help = map_help(false), long_help = map_help(true))]
    pub(crate) map: Vec<String>,
    /// The CSV delimiter: , ; | or tab
    #[arg(long)]
    pub(crate) delimiter: Option<String>,
    #[arg(short, long, value_parser = super::Choices(report::FORMATS), default_value = "text")]
    pub(crate) format: Format,
    /// How many error codes to show, costliest first (the weekly review's top five)
    #[arg(long, default_value_t = 5)]
    pub(crate) top: usize,
    /// Question 1: the share of an error code's exceptions one violation must cover to be a
    /// consistent payload pattern [default: 0.8, or `exceptions.thresholds`]
    #[arg(long, value_name = "SHARE", value_parser = share)]
    pub(crate) consistent_share: Option<f64>,
    /// Question 2: the commonest resolution's share of the routed exceptions that makes it the
    /// standard one, when more than half the handlers use it [default: 0.75]
    #[arg(long, value_name = "SHARE", value_parser = share)]
    pub(crate) standard_share: Option<f64>,
    /// Question 2: a resolution's share to be listed in the evidence [default: 0.1]
    #[arg(long, value_name = "SHARE", value_parser = share)]
    pub(crate) material_share: Option<f64>,
    /// Question 3: the share of retried exceptions that must succeed on retry, more than it
    /// [default: 0.5]
    #[arg(long, value_name = "SHARE", value_parser = share)]
    pub(crate) retry_share: Option<f64>,
    /// Question 4: the share delivered with a conforming payload, more than it [default: 0.5]
    #[arg(long, value_name = "SHARE", value_parser = share)]
    pub(crate) delivered_share: Option<f64>,
    /// The share of failed deliveries, more than it, that makes a pattern escalated
    /// [default: 0.5]
    #[arg(long, value_name = "SHARE", value_parser = share)]
    pub(crate) escalation_share: Option<f64>,
    /// Record this run in the history database, so later reviews see each pattern's trend
    #[arg(long)]
    pub(crate) record: bool,
    /// The history database [default: `history` in handoff.yaml, else .handoff/history.db]
    #[arg(long, value_name = "FILE")]
    pub(crate) history: Option<PathBuf>,
    /// Days of review-gate decisions each pattern's feedback rates count (proposals made in the
    /// window, from the history database)
    #[arg(long, value_name = "DAYS", default_value_t = handoff_reports::triage::review::DEFAULT_WINDOW_DAYS,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub(crate) feedback_window: u32,
    /// The review's decisions per pattern [default: `exceptions.decisions` in handoff.yaml,
    /// else triage.yaml beside it]
    #[arg(long, value_name = "FILE")]
    pub(crate) decisions: Option<PathBuf>,
    /// Threads checking payloads [default: one per core]; the report does not depend on it
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) jobs: Option<u16>,
    /// Let handoff.yaml, the log's payload paths and its contract column name files outside
    /// the project (and its registry); without it such a row or setting is refused
    #[arg(long)]
    pub(crate) allow_outside: bool,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

pub(crate) fn cmd_triage(args: TriageArgs, con: &mut Console<'_>) -> Result<u8, Fatal> {
    let format = args.format;
    let finish = |report: &Report<'_>, path: &Path, con: &mut Console<'_>| {
        write_out(con, |out| report::write(report, format, path, out))?;
        // A report of nothing is not a diagnosis: the mapping (or the file) is wrong.
        if report.triage.rows_used == 0 {
            return Err(Fatal::new(format!(
                "no row of {} could be used ({} read, {} rejected): check the column mapping under exceptions in handoff.yaml (or --map), and opened_at_format if the times are not RFC 3339",
                shown(path),
                report.triage.rows_read,
                report.triage.rejected_count
            )));
        }
        Ok(EXIT_CLEAN)
    };
    with_report(&args, con, Want::Report(Box::new(finish)))
}

/// `handoff triage`'s defaults for the project `registry` names, when its handoff.yaml names an
/// exception log: what the `handoff serve` workspace triages.
fn project_defaults(registry: &RegistryArgs) -> Result<Option<TriageArgs>, String> {
    #[derive(clap::Parser)]
    struct Defaults {
        #[command(flatten)]
        args: TriageArgs,
    }
    let mut argv = vec![std::ffi::OsString::from("triage")];
    if let Some(c) = &registry.config {
        argv.extend(["--config".into(), c.clone().into_os_string()]);
    }
    if let Some(c) = &registry.contracts {
        argv.extend(["--contracts".into(), c.clone().into_os_string()]);
    }
    let args = <Defaults as clap::Parser>::try_parse_from(argv)
        .map_err(|e| e.to_string())?
        .args;
    let config = project_config(args.registry.config.as_deref()).map_err(|f| f.message)?;
    let has_log = config
        .as_ref()
        .and_then(|c| c.exceptions.as_ref()?.log.as_ref())
        .is_some();
    Ok(has_log.then_some(args))
}

/// The weekly review's section of the `handoff serve` workspace: the project's exception log
/// triaged as `handoff triage` does by default (top five, the history database's trends and
/// feedback), as HTML without its page, its examples linking to their exception cards. Notes
/// are dropped: the page says what matters.
pub(crate) fn weekly_section(registry: &RegistryArgs) -> Result<Option<String>, String> {
    let Some(args) = project_defaults(registry)? else {
        return Ok(None);
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut con = Console::new(&mut out, &mut err);
    with_report(
        &args,
        &mut con,
        Want::Report(Box::new(|report, path, _| {
            Ok(report.html_section(path, Some("/exception/")))
        })),
    )
    .map(Some)
    .map_err(|f| f.message)
}

/// One exception of the project's log, by its line, for the workspace's exception card: the
/// row, its payload's findings now (redacted as `check` redacts) and excerpt, and what every
/// system of the project's reconcile flows captured about its entity. `None` when the project
/// has no log or the line is not an exception.
pub(crate) fn exception_card(
    registry: &RegistryArgs,
    line: u64,
) -> Result<Option<handoff_serve::workspace::LogException>, String> {
    let Some(args) = project_defaults(registry)? else {
        return Ok(None);
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut con = Console::new(&mut out, &mut err);
    let picked =
        with_report(&args, &mut con, Want::Row(line, Box::new(Ok))).map_err(|f| f.message)?;
    let Some(Picked {
        exception: e,
        payload,
        checker,
    }) = picked
    else {
        return Ok(None);
    };
    let contract = match &checker {
        Ok(c) => format!("{} ({})", e.contract, c.contract().reference()),
        Err(_) => e.contract.clone(),
    };
    let checked = checker.and_then(|c| payload.map(|bytes| (c, bytes)));
    let (findings, excerpt, entity) = match checked {
        Ok((c, bytes)) => {
            let mut result = c.check_counted(&bytes);
            for f in &mut result.findings {
                handoff_core::redact::for_report(f, handoff_core::redact::Redact::Sensitive);
            }
            let config = project_config(registry.config.as_deref()).map_err(|f| f.message)?;
            let entity = super::reconcile::has_flows(config.as_ref()).then(|| {
                super::reconcile::entity_section(registry, &c.contract().reference(), &bytes)
            });
            (
                Ok((result.findings, result.unlisted)),
                Some(handoff_reports::triage::review::excerpt(c, &bytes)),
                entity,
            )
        }
        Err(why) => (Err(why), None, None),
    };
    Ok(Some(handoff_serve::workspace::LogException {
        line: e.line,
        error_code: e.error_code.clone(),
        opened_at: e.opened_at_text.clone(),
        contract,
        payload: match &e.payload {
            log::PayloadRef::Inline(_) => "inline in the log".into(),
            log::PayloadRef::File(path) => path.clone(),
            log::PayloadRef::NdjsonLine { file, line } => format!("{file}:{line}"),
        },
        findings,
        excerpt,
        entity,
    }))
}

/// One row of the log, found by its line, with its payload and its contract's checker.
struct Picked {
    exception: log::Exception,
    payload: Result<Vec<u8>, String>,
    checker: Result<&'static Checker, String>,
}

/// What is done with a triage report: given the log's path and the console.
type Finish<'f, T> = Box<dyn FnOnce(&Report<'_>, &Path, &mut Console<'_>) -> Result<T, Fatal> + 'f>;

/// What [`with_report`] is asked for.
enum Want<'f, T> {
    /// The triage report, handed to the closure with the log's path.
    Report(Finish<'f, T>),
    /// The exception on this line of the log, without triaging the rest.
    Row(
        u64,
        Box<dyn FnOnce(Option<Picked>) -> Result<T, Fatal> + 'f>,
    ),
}

/// The triage of the log `args` name, or one of its rows ([`Want`]).
fn with_report<T>(args: &TriageArgs, con: &mut Console<'_>, want: Want<'_, T>) -> Result<T, Fatal> {
    let config = project_config(args.registry.config.as_deref())?;
    let registry = registry_for(args.registry.contracts.as_deref(), config.as_ref());
    let mut spec: Spec = config
        .as_ref()
        .and_then(|c| c.exceptions.clone())
        .unwrap_or_default();
    let mut given = std::collections::BTreeSet::new();
    for m in &args.map {
        let (field, column) = mapping::parse_override(m).map_err(Fatal::new)?;
        given.insert(field.clone());
        spec.set_column(field, column);
    }
    if let Some(d) = &args.delimiter {
        spec.delimiter = Some(d.clone());
    }
    let reach = super::project_reach(config.as_ref(), &registry, args.allow_outside);
    // What a project file names is checked against the reach; what the command line names was
    // asked for.
    let named = |path: PathBuf, what: &str| -> Result<PathBuf, Fatal> {
        reach
            .check(&path, what)
            .map_err(|o| Fatal::new(o.to_string()))?;
        Ok(path)
    };
    let path = match (&args.log, &spec.log) {
        (Some(p), _) => p.clone(),
        (None, Some(p)) => named(
            config
                .as_ref()
                .map_or_else(|| PathBuf::from(p), |c| c.base.join(p)),
            "`exceptions.log` in handoff.yaml names",
        )?,
        (None, None) => {
            return Err(Fatal::new(
                "no exception log: give its path, or set `exceptions.log` in handoff.yaml",
            ));
        }
    };
    let file =
        std::fs::File::open(&path).map_err(|e| Fatal::new(format!("{}: {e}", shown(&path))))?;
    // A column named as its field needs no mapping: `opened_at`, `error_code`, ...
    // An unknown delimiter is refused below, by the mapping, with its reason.
    let header = log_header(&path, spec.delimiter_byte().unwrap_or(b','));
    // Another log than the project's (named on the command line) may lack the optional columns
    // handoff.yaml maps for its own: those are left out, saying so, rather than refusing it.
    if args.log.is_some() && !header.is_empty() {
        let optional = [
            "handled_by",
            "resolution",
            "handling_minutes",
            "retried",
            "retry_succeeded",
            "handoff_status",
            "owner",
        ];
        let missing: Vec<(String, String)> = spec
            .columns
            .iter()
            .filter(|(field, column)| {
                optional.contains(&field.as_str())
                    && !given.contains(*field)
                    && !header.iter().any(|h| h == *column)
            })
            .map(|(f, c)| (f.clone(), c.clone()))
            .collect();
        for (field, column) in missing {
            note!(
                con,
                "handoff: note: handoff.yaml maps `{field}` to the column `{}`, which {} does not have: read without it",
                handoff_core::escape::text(&column),
                shown(&path)
            );
            spec.columns.remove(&field);
        }
        // The payload and the boundary: where handoff.yaml's columns for one are absent and the
        // log names that field's column as the field itself (a Spark job's `payload_inline`,
        // `contract`), the log's own columns are read, saying so.
        let groups: [&[&str]; 2] = [
            &[
                "payload_file",
                "payload_inline",
                "payload_ndjson",
                "payload_line",
            ],
            &["contract", "source"],
        ];
        for group in groups {
            let mapped: Vec<(String, String)> = spec
                .columns
                .iter()
                .filter(|(field, _)| group.contains(&field.as_str()))
                .map(|(f, c)| (f.clone(), c.clone()))
                .collect();
            let absent = !mapped.is_empty()
                && mapped
                    .iter()
                    .all(|(f, c)| !given.contains(f.as_str()) && !header.iter().any(|h| h == c));
            let own = group.iter().find(|f| header.iter().any(|h| h == **f));
            if let (true, Some(own)) = (absent, own) {
                let columns: Vec<String> = mapped
                    .iter()
                    .map(|(_, c)| format!("`{}`", handoff_core::escape::text(c)))
                    .collect();
                note!(
                    con,
                    "handoff: note: {} has none of the columns handoff.yaml maps for {} ({}): its `{own}` column is read instead",
                    shown(&path),
                    if group.contains(&"contract") {
                        "the boundary"
                    } else {
                        "the payload"
                    },
                    columns.join(", ")
                );
                for (field, _) in mapped {
                    spec.columns.remove(&field);
                }
            }
        }
    }
    spec.fill_from_header(&header);
    let mapping = spec.mapping().map_err(Fatal::new)?;

    // Each contract the log names, loaded when first met; a reference that does not resolve is
    // reported on the rows that use it. A loaded checker lives until the command ends (leaked
    // on purpose: a handful per run, shared by every thread).
    let checkers: std::sync::Mutex<HashMap<String, Result<&'static Checker, String>>> =
        Default::default();
    let lookup = |reference: &str| -> Result<&'static Checker, String> {
        let mut cache = checkers.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(reference.to_string())
            .or_insert_with(|| {
                let path = registry
                    .resolve(reference, Path::new("."))
                    .map_err(|err| format!("contract {reference}: {err}"))?;
                // The contract column is data: it names registry entries or project files.
                reach
                    .check(&path, &format!("contract {reference}:"))
                    .map_err(|o| o.to_string().lines().next().unwrap_or_default().to_string())?;
                let checker = handoff_core::lint::prepare(&path).0.ok_or_else(|| {
                    format!("contract {reference} does not load: run handoff lint")
                })?;
                Ok(&*Box::leak(Box::new(checker)))
            })
            .clone()
    };
    let base = run::PayloadDir::new(path.parent().unwrap_or(Path::new(".")), &reach);
    // Defaults, then handoff.yaml's `exceptions.thresholds`, then the flags.
    let mut thresholds = Thresholds::default();
    for (name, share) in &spec.thresholds {
        thresholds.set(name, *share);
    }
    for (name, flag) in [
        ("consistent_share", args.consistent_share),
        ("standard_share", args.standard_share),
        ("material_share", args.material_share),
        ("retry_share", args.retry_share),
        ("delivered_share", args.delivered_share),
        ("escalation_share", args.escalation_share),
    ] {
        if let Some(share) = flag {
            thresholds.set(name, share);
        }
    }
    let base_dir = config
        .as_ref()
        .map_or_else(PathBuf::new, |c| c.base.clone());
    let ndjson_log = handoff_core::input::is_ndjson_path(&path);
    let mut file = Some(file);
    let mut read = |each: &mut dyn FnMut(log::Row)| {
        let file = file.take().expect("the log is read once");
        if ndjson_log {
            log::each_ndjson(file, &mapping, each)
        } else {
            log::each_csv(file, &mapping, each)
        }
    };
    let finish = match want {
        Want::Report(finish) => finish,
        Want::Row(line, found) => {
            let mut picked = None;
            read(&mut |row| {
                if let Ok(e) = row
                    && e.line == line
                    && picked.is_none()
                {
                    picked = Some(e);
                }
            })
            .map_err(|e| Fatal::new(format!("{}: {e}", shown(&path))))?;
            return found(picked.map(|e| Picked {
                payload: run::payload_bytes(&e, &base, &mut HashMap::new()),
                checker: lookup(&e.contract),
                exception: e,
            }));
        }
    };
    let jobs = args
        .jobs
        .map_or_else(handoff_core::run::default_jobs, usize::from);
    // The review gate's approved repairs: their payloads' rows are told apart, so a payload
    // repaired in place still counts for the pattern it was proposed in.
    let history = history_path(args.history.as_deref(), config.as_ref(), &reach)?;
    let approved = if history.exists() {
        handoff_reports::triage::store::Store::open(&history)
            .and_then(|store| store.approved_places(args.feedback_window, &base_dir))
            .map_err(Fatal::new)?
    } else {
        Vec::new()
    };
    let watch = approved.iter().map(|a| a.place.clone()).collect();
    let result = run::triage_parallel(&mut read, &base, &lookup, thresholds, jobs, watch)
        .map_err(|e| Fatal::new(format!("{}: {e}", shown(&path))))?;
    let checkers = checkers.into_inner().unwrap_or_else(|e| e.into_inner());
    let routes = report::routes(&result, &checkers);
    let mut report = Report::new(&result, args.top);
    report.routes = routes;
    report.decision_types = spec.decision_types.clone();
    // The review's decisions: --decisions, or `exceptions.decisions`, or triage.yaml beside
    // handoff.yaml when it exists.
    let decisions_path = match &args.decisions {
        Some(asked) => Some(asked.clone()),
        None => spec
            .decisions
            .as_ref()
            .map(|d| base_dir.join(d))
            .or_else(|| Some(base_dir.join("triage.yaml")).filter(|p| p.exists()))
            .map(|p| named(p, "the decisions file"))
            .transpose()?,
    };
    if let Some(path) = decisions_path {
        let text = handoff_core::input::read_text(&path, handoff_core::input::MAX_FILE_BYTES)
            .map_err(|e| Fatal::new(format!("{}: {e}", shown(&path))))?;
        report.decisions = handoff_reports::triage::decisions::parse(&path, &text)
            .map_err(|diags| unusable(&diags, &format!("the decisions file {}", shown(&path))))?;
    }
    // The contract versions each error code was checked against, for the history.
    for c in &result.codes {
        let versions: BTreeSet<String> = c
            .contracts
            .iter()
            .filter_map(|r| checkers.get(r)?.as_ref().ok())
            .map(|c| c.contract().reference())
            .collect();
        report
            .versions
            .insert(c.error_code.clone(), Vec::from_iter(versions).join(", "));
    }
    report.feedback.window_days = args.feedback_window;
    if args.record || history.exists() {
        let mut store =
            handoff_reports::triage::store::Store::open(&history).map_err(Fatal::new)?;
        for p in &result.patterns {
            let earlier = store
                .earlier(&p.error_code, &signature_text(&p.signature))
                .map_err(Fatal::new)?;
            report.history.insert(
                (p.error_code.clone(), signature_text(&p.signature)),
                earlier,
            );
        }
        // Gaps between systems that `handoff reconcile --record` counted: exceptions of the
        // order truth kind, beside the log's.
        report.order_truth = store.latest_gaps().map_err(Fatal::new)?;
        // What the review gate decided about each pattern's repairs.
        report.feedback = store.feedback(args.feedback_window).map_err(Fatal::new)?;
        handoff_reports::triage::review::resolve(&mut report.feedback, &approved, &result.watched);
        if args.record {
            let rows: Vec<handoff_reports::triage::store::PatternRow> = result
                .patterns
                .iter()
                .map(|p| handoff_reports::triage::store::PatternRow {
                    error_code: p.error_code.clone(),
                    signature: signature_text(&p.signature),
                    contracts: report
                        .versions
                        .get(&p.error_code)
                        .cloned()
                        .unwrap_or_default(),
                    count: p.count,
                    hours_per_week: p.hours_per_week(report.weeks),
                })
                .collect();
            store
                .record_triage(
                    &jiff::Timestamp::now().to_string(),
                    &path.display().to_string(),
                    result.rows_read,
                    &rows,
                )
                .map_err(|e| Fatal::new(format!("cannot record in {}: {e}", shown(&history))))?;
            note!(con, "handoff: recorded this triage in {}", shown(&history));
        }
    }
    finish(&report, &path, con)
}

/// `--map`'s help: every field a column can be mapped to, from the mapping's own list (so the
/// help and the mapping cannot differ); with what each means in `--help`.
fn map_help(long: bool) -> String {
    use handoff_reports::triage::mapping::FIELDS;
    let head = "Which column holds a field, as FIELD=COLUMN (repeatable; overrides handoff.yaml; a column named as the field needs none)";
    if long {
        let fields: String = FIELDS
            .iter()
            .map(|(f, what)| format!("\n  {f}: {what}"))
            .collect();
        format!("{head}. Fields:{fields}")
    } else {
        let names: Vec<&str> = FIELDS.iter().map(|(f, _)| *f).collect();
        format!("{head}: {}", names.join(", "))
    }
}

/// The log's column names: a CSV's header row, or the members of an NDJSON log's first record;
/// none when the file cannot be read that far (reading it for real then says why).
fn log_header(path: &Path, delimiter: u8) -> Vec<String> {
    use std::io::BufRead;
    let Ok(file) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let mut first = Vec::new();
    let mut reader = std::io::BufReader::new(std::io::Read::take(file, 1 << 20));
    if handoff_core::input::is_ndjson_path(path) {
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line.trim().is_empty() {
            line.clear();
        }
        return match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        };
    }
    let _ = reader.read_until(b'\n', &mut first);
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(first.as_slice());
    csv.records()
        .next()
        .and_then(Result::ok)
        .map(|r| {
            r.iter()
                .map(|c| c.trim().trim_start_matches('\u{feff}').to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A threshold flag: a share from 0 to 1.
fn share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        Ok(x) => Err(format!(
            "{x} is not a share from 0 to 1 (write 0.8 for 80%)"
        )),
        Err(_) => Err(format!(
            "{text:?} is not a number (write a share such as 0.8)"
        )),
    }
}
