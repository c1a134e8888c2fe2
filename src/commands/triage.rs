//! `handoff triage`: an exception log diagnosed for a weekly review. Which recurring
//! exceptions are integration problems, which are process problems, what each costs, and which
//! fix goes first.

use super::{
    EXIT_CLEAN, Fatal, RegistryArgs, history_path, print_out, project_config, registry_for, shown,
    unusable,
};
use handoff_core::check::Checker;
use handoff_reports::printer::escape::text;
use handoff_reports::triage::decisions::Decision;
use handoff_reports::triage::framework::{
    Answer, DecisionType, QUESTIONS, Signature, Thresholds, Verdict,
};
use handoff_reports::triage::mapping::{self, Spec};
use handoff_reports::triage::run::Triage;
use handoff_reports::triage::{log, patterns, run};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum TriageFormat {
    /// For the weekly review, in a terminal
    Text,
    /// One document, for scripts and dashboards
    Json,
    /// For the review document or a pull request
    Markdown,
    /// One self-contained page for a sprint review (no scripts or external resources)
    Html,
}

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
    #[arg(short, long, value_enum, default_value_t = TriageFormat::Text)]
    pub(crate) format: TriageFormat,
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

pub(crate) fn cmd_triage(args: TriageArgs) -> Result<u8, Fatal> {
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
            eprintln!(
                "handoff: note: handoff.yaml maps `{field}` to the column `{}`, which {} does not have: read without it",
                handoff_core::escape::text(&column),
                shown(&path)
            );
            spec.columns.remove(&field);
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
    let jobs = args
        .jobs
        .map_or_else(handoff_core::run::default_jobs, usize::from);
    let result = run::triage_parallel(&mut read, &base, &lookup, thresholds, jobs)
        .map_err(|e| Fatal::new(format!("{}: {e}", shown(&path))))?;
    let checkers = checkers.into_inner().unwrap_or_else(|e| e.into_inner());
    let routes = routes(&result, &checkers);
    let mut report = Report::new(&result, args.top);
    report.routes = routes;
    report.decision_types = spec.decision_types.clone();
    // The review's decisions: --decisions, or `exceptions.decisions`, or triage.yaml beside
    // handoff.yaml when it exists.
    let base_dir = config
        .as_ref()
        .map_or_else(PathBuf::new, |c| c.base.clone());
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
            .insert(c.error_code.clone(), joined(&versions, ""));
    }
    let history = history_path(args.history.as_deref(), config.as_ref(), &reach)?;
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
            eprintln!("handoff: recorded this triage in {}", shown(&history));
        }
    }
    match args.format {
        TriageFormat::Json => write_json(&JsonReport {
            report: &report,
            path: &path,
        })?,
        TriageFormat::Text => print_out(&report.text(&path))?,
        TriageFormat::Markdown => print_out(&report.markdown(&path))?,
        TriageFormat::Html => print_out(&report.html(&path))?,
    };
    // A report of nothing is not a diagnosis: the mapping (or the file) is wrong.
    if report.triage.rows_used == 0 {
        return Err(Fatal::new(format!(
            "no row of {} could be used ({} read, {} rejected): check the column mapping under exceptions in handoff.yaml (or --map), and opened_at_format if the times are not RFC 3339",
            shown(&path),
            report.triage.rows_read,
            report.triage.rejected_count
        )));
    }
    Ok(EXIT_CLEAN)
}

/// Where an error code's exceptions cross, who owns that boundary, who resolves them today.
#[derive(Default)]
struct Route {
    boundaries: BTreeSet<String>,
    owners: BTreeSet<String>,
    resolvers: BTreeSet<String>,
}

fn routes(
    result: &Triage,
    checkers: &HashMap<String, Result<&'static Checker, String>>,
) -> HashMap<String, Route> {
    let mut routes: HashMap<String, Route> = HashMap::new();
    for code in &result.codes {
        let route = routes.entry(code.error_code.clone()).or_default();
        route.resolvers.extend(code.handlers.iter().cloned());
        route.owners.extend(code.owners.iter().cloned());
        for reference in &code.contracts {
            if let Some(Ok(c)) = checkers.get(reference) {
                let contract = c.contract();
                let b = &contract.boundary;
                route
                    .boundaries
                    .insert(format!("{} -> {} ({})", b.from, b.to, contract.id));
                if let Some(owner) = &b.owner {
                    route.owners.insert(owner.clone());
                }
            }
        }
    }
    routes
}

/// Whether a rule can take the exception over: binary decisions yes, judgment behind a human
/// gate, escalated ones not (they need engineering).
fn automatable(decision: DecisionType) -> &'static str {
    match decision {
        DecisionType::Binary => "yes",
        DecisionType::Judgment => "gated",
        DecisionType::Escalated => "no",
    }
}

fn joined(set: &BTreeSet<String>, none: &str) -> String {
    if set.is_empty() {
        none.to_string()
    } else {
        set.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// One error code's numbers, as the report shows them.
struct CodeView<'t> {
    code: &'t run::Code,
    patterns: Vec<&'t patterns::Pattern>,
    hours_per_week: Option<f64>,
    /// The earliest and latest exception: the time, and the cell as the log wrote it.
    first: (jiff::Timestamp, &'t str),
    last: (jiff::Timestamp, &'t str),
    examples: Vec<u64>,
}

impl CodeView<'_> {
    /// Exceptions per ISO week, over all of the code's patterns.
    fn weekly(&self) -> Vec<(String, u64)> {
        let mut weeks: std::collections::BTreeMap<String, u64> = Default::default();
        for p in &self.patterns {
            for (w, n) in &p.weekly {
                *weeks.entry(w.clone()).or_default() += n;
            }
        }
        weeks.into_iter().collect()
    }
}

struct Report<'t> {
    triage: &'t Triage,
    routes: HashMap<String, Route>,
    /// Contract versions per error code (`id@1.2.0`, joined).
    versions: HashMap<String, String>,
    /// The review's decisions (triage.yaml) and the mapping's decision types.
    decisions: Vec<Decision>,
    decision_types: std::collections::BTreeMap<String, DecisionType>,
    /// Earlier recorded runs per (error code, signature text).
    history: HashMap<(String, String), Vec<handoff_reports::triage::store::Earlier>>,
    /// The latest recorded reconcile run of each flow, by boundary pair and gap kind.
    order_truth: Vec<handoff_reports::triage::store::RecordedGap>,
    codes: Vec<CodeView<'t>>,
    weeks: f64,
    /// Every ISO week the log spans, in order.
    log_weeks: Vec<String>,
    shown: usize,
}

impl<'t> Report<'t> {
    fn new(triage: &'t Triage, top: usize) -> Report<'t> {
        let (first, last) = span(triage.patterns.iter());
        let days = (last.as_second() - first.as_second()) as f64 / 86_400.0;
        let weeks = (days / 7.0).max(1.0);
        // Found once: every code's and pattern's weekly counts are filled over these.
        let mut log_weeks = Vec::new();
        let mut at = Some(first);
        while let Some(t) = at.filter(|t| *t <= last) {
            log_weeks.push(patterns::iso_week(t));
            at = t.checked_add(jiff::SignedDuration::from_hours(24 * 7)).ok();
        }
        log_weeks.push(patterns::iso_week(last));
        log_weeks.dedup();
        // Each code's patterns, in the patterns' order, found in one pass (not a scan of every
        // pattern per code: 30,000 codes took 10 s that way).
        let mut by_code: HashMap<&str, Vec<&patterns::Pattern>> = HashMap::new();
        for p in &triage.patterns {
            by_code.entry(p.error_code.as_str()).or_default().push(p);
        }
        let mut codes: Vec<CodeView<'t>> = triage
            .codes
            .iter()
            .map(|code| {
                let patterns = by_code.remove(code.error_code.as_str()).unwrap_or_default();
                let hours: Vec<f64> = patterns
                    .iter()
                    .filter_map(|p| p.hours_per_week(weeks))
                    .collect();
                CodeView {
                    code,
                    hours_per_week: (!hours.is_empty()).then(|| hours.iter().sum()),
                    first: patterns
                        .iter()
                        .map(|p| (p.first_seen, p.first_seen_text.as_str()))
                        .min_by_key(|&(t, _)| t)
                        .unwrap_or_default(),
                    last: patterns
                        .iter()
                        .map(|p| (p.last_seen, p.last_seen_text.as_str()))
                        .max_by_key(|&(t, _)| t)
                        .unwrap_or_default(),
                    examples: patterns
                        .first()
                        .map(|p| p.examples.clone())
                        .unwrap_or_default(),
                    patterns,
                }
            })
            .collect();
        // Costliest first: hours of handling when the log records them, else the count.
        codes.sort_by(|a, b| {
            b.hours_per_week
                .unwrap_or(0.0)
                .total_cmp(&a.hours_per_week.unwrap_or(0.0))
                .then(b.code.count.cmp(&a.code.count))
        });
        Report {
            triage,
            routes: HashMap::new(),
            versions: HashMap::new(),
            decisions: Vec::new(),
            decision_types: Default::default(),
            history: HashMap::new(),
            order_truth: Vec::new(),
            shown: top.min(codes.len()),
            codes,
            weeks,
            log_weeks,
        }
    }

    /// The last week against the one before, as the reports word it.
    fn trend(&self, c: &CodeView<'_>) -> Option<String> {
        // Over every week the log spans: a code that stopped is falling to 0, not flat.
        let weekly: Vec<(String, u64)> = self
            .every_week(c.weekly().into_iter().collect())
            .into_iter()
            .collect();
        let [.., (pw, p), (lw, l)] = weekly.as_slice() else {
            return None;
        };
        let word = match l.cmp(p) {
            std::cmp::Ordering::Greater => "rising",
            std::cmp::Ordering::Less => "falling",
            std::cmp::Ordering::Equal => "flat",
        };
        Some(format!("{word}, {l} in {lw} after {p} in {pw}"))
    }

    /// Where the code crosses, who owns and resolves it, and whether a rule can take it.
    fn route_line(&self, c: &CodeView<'_>) -> Option<String> {
        let r = self.routes.get(&c.code.error_code)?;
        Some(format!(
            "{}; owner {}; resolved today by {}; automatable: {}",
            joined(&r.boundaries, "no boundary"),
            joined(
                &r.owners,
                "not named (write boundary.owner in the contract, or map an owner column)"
            ),
            joined(&r.resolvers, "(handled_by not mapped)"),
            automatable(self.decision(c))
        ))
    }

    /// The rows not used, under their headings: rejected, and without a payload.
    fn unused_rows(&self) -> [(&'static str, &[log::Rejected], u64); 2] {
        let t = self.triage;
        [
            ("rejected", &t.rejected, t.rejected_count),
            (
                "without a payload",
                &t.payloads_not_found,
                t.not_found_count,
            ),
        ]
    }

    /// Counts per ISO week over every week the log spans, zero weeks included, so a chart or a
    /// trend read from the JSON never skips a quiet week.
    fn every_week(
        &self,
        counts: std::collections::BTreeMap<String, u64>,
    ) -> std::collections::BTreeMap<String, u64> {
        let mut out = counts;
        for week in &self.log_weeks {
            out.entry(week.clone()).or_insert(0);
        }
        out
    }

    /// Error codes in the order to fix them: integration, then both, then process, then
    /// undecided; within each, as the report ranks them (costliest first).
    fn fix_order(&self) -> Vec<&str> {
        let rank = |v: Verdict| match v {
            Verdict::Integration => 0,
            Verdict::Both => 1,
            Verdict::Process => 2,
            Verdict::Undecided => 3,
        };
        let mut codes: Vec<(usize, usize, &str)> = self
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    rank(c.code.diagnosis.verdict),
                    i,
                    c.code.error_code.as_str(),
                )
            })
            .collect();
        codes.sort();
        codes.into_iter().map(|(_, _, code)| code).collect()
    }

    /// Hours of handling per week in all, and in the patterns whose verdict says the
    /// integration is at fault (integration or both): what fixing the contracts would remove.
    /// `None` without `handling_minutes`.
    fn hours(&self) -> Option<(f64, f64)> {
        let known: Vec<&CodeView<'_>> = self
            .codes
            .iter()
            .filter(|c| c.hours_per_week.is_some())
            .collect();
        if known.is_empty() {
            return None;
        }
        let total = known.iter().filter_map(|c| c.hours_per_week).sum();
        let integration = known
            .iter()
            .filter(|c| {
                matches!(
                    c.code.diagnosis.verdict,
                    Verdict::Integration | Verdict::Both
                )
            })
            .filter_map(|c| c.hours_per_week)
            .sum();
        Some((total, integration))
    }

    /// The hours in a sentence, as every format says it.
    fn hours_line(&self) -> String {
        match self.hours() {
            Some((total, integration)) => format!(
                "{total:.1} hours/week of handling in all; fixing the integration patterns (verdict integration or both) would remove {integration:.1} of them ({:.0}%)",
                if total > 0.0 {
                    integration / total * 100.0
                } else {
                    0.0
                }
            ),
            None => "handling time unknown: map handling_minutes to see the hours per week".into(),
        }
    }

    /// Every row accounted for, in one sentence (every format opens with it).
    fn summary(&self) -> String {
        let t = self.triage;
        format!(
            "{} rows read, {} used, {} rejected, {} without a payload; {} error codes over {:.1} weeks",
            t.rows_read,
            t.rows_used,
            t.rejected_count,
            t.not_found_count,
            self.codes.len(),
            self.weeks
        )
    }

    /// Exceptions and error codes per boundary, most exceptions first.
    fn by_boundary(&self) -> Vec<(String, u64, u64)> {
        let mut counts: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
        for c in &self.codes {
            if let Some(r) = self.routes.get(&c.code.error_code) {
                for b in &r.boundaries {
                    let e = counts.entry(b.clone()).or_default();
                    e.0 += c.code.count;
                    e.1 += 1;
                }
            }
        }
        let mut out: Vec<(String, u64, u64)> =
            counts.into_iter().map(|(b, (n, k))| (b, n, k)).collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    /// The decision type: the mapping's override for the code, else the data's.
    fn decision(&self, c: &CodeView<'_>) -> DecisionType {
        self.decision_types
            .get(&c.code.error_code)
            .copied()
            .unwrap_or(c.code.diagnosis.decision)
    }

    /// The review's decisions about an error code (one pattern of it, when given).
    fn decisions_for(&self, code: &str, signature: Option<&str>) -> Vec<&Decision> {
        self.decisions
            .iter()
            .filter(|d| match signature {
                Some(s) => d.covers(code, s),
                None => d.error_code == code,
            })
            .collect()
    }

    /// A pattern's earlier recorded runs, and, when it recurs now although its contract
    /// versions changed since a run that saw it, the versions before and now.
    fn pattern_history(
        &self,
        p: &patterns::Pattern,
    ) -> (
        &[handoff_reports::triage::store::Earlier],
        Option<(String, String)>,
    ) {
        let earlier = self
            .history
            .get(&(p.error_code.clone(), signature_text(&p.signature)))
            .map_or(&[][..], Vec::as_slice);
        let now = self
            .versions
            .get(&p.error_code)
            .cloned()
            .unwrap_or_default();
        let returned = earlier
            .iter()
            .rev()
            .find(|e| e.count > 0 && !e.contracts.is_empty() && e.contracts != now)
            .map(|e| (e.contracts.clone(), now.clone()));
        (earlier, returned.filter(|_| p.count > 0))
    }

    fn text(&self, path: &Path) -> String {
        let t = self.triage;
        let mut out = format!(
            "triage of {}: {}\nthresholds: {}\n{}\n",
            shown(path),
            self.summary(),
            t.thresholds.describe(),
            self.hours_line()
        );
        for (i, c) in self.codes.iter().take(self.shown).enumerate() {
            let d = &c.code.diagnosis;
            let cost = match c.hours_per_week {
                Some(h) => format!("{h:.1} hours/week"),
                None => "handling time unknown (map handling_minutes)".into(),
            };
            out.push_str(&format!(
                "\n{}. {} — {} exceptions, {cost}, {} to {}\n",
                i + 1,
                text(&c.code.error_code),
                c.code.count,
                text(c.first.1),
                text(c.last.1),
            ));
            out.push_str(&format!(
                "   verdict: {} ({})\n",
                d.verdict.id(),
                d.verdict.description()
            ));
            let decision = self.decision(c);
            out.push_str(&format!("   decision: {}\n", decision.id()));
            for dec in self.decisions_for(&c.code.error_code, None) {
                out.push_str(&format!("   decided: {}\n", text(&describe_decision(dec))));
            }
            if let Some(trend) = self.trend(c) {
                out.push_str(&format!("   trend: {trend}\n"));
            }
            if d.verdict == Verdict::Both {
                out.push_str("   fix order: the integration first, then the process\n");
            }
            for (n, (q, a)) in QUESTIONS.iter().zip(&d.answers).enumerate() {
                // The fifth question is either-or: its answer names the side.
                let word = match a {
                    Answer::Yes(_) if n == 4 => "mismatch",
                    Answer::No(_) if n == 4 => "rule",
                    a => a.word(),
                };
                out.push_str(&format!(
                    "   {}. {q:32} {word:8} {}\n",
                    n + 1,
                    text(a.because())
                ));
            }
            out.push_str("   patterns:\n");
            for p in &c.patterns {
                let weekly: Vec<String> = self
                    .every_week(p.weekly.clone())
                    .iter()
                    .map(|(w, n)| format!("{w} {n}"))
                    .collect();
                out.push_str(&format!(
                    "     {:>6}  {}  ({})\n",
                    p.count,
                    text(&signature_text(&p.signature)),
                    weekly.join(", ")
                ));
                let (earlier, returned) = self.pattern_history(p);
                if !earlier.is_empty() {
                    let runs: Vec<String> = earlier
                        .iter()
                        .map(|e| {
                            format!(
                                "{} {}",
                                e.recorded_at.get(..10).unwrap_or(&e.recorded_at),
                                e.count
                            )
                        })
                        .collect();
                    out.push_str(&format!(
                        "             recorded runs: {}, now {}\n",
                        runs.join(", "),
                        p.count
                    ));
                }
                if let Some((before, now)) = returned {
                    out.push_str(&format!(
                        "             the fix did not hold: recurs after the contract changed from {} to {}\n",
                        text(&before),
                        text(&now)
                    ));
                }
            }
            let lines: Vec<String> = c.examples.iter().map(u64::to_string).collect();
            out.push_str(&format!("   examples: log lines {}\n", lines.join(", ")));
            if let Some(route) = self.route_line(c) {
                out.push_str(&format!("   route: {}\n", text(&route)));
            }
        }
        if self.codes.len() > self.shown {
            out.push_str(&format!(
                "\n{} more error codes (--top {} shows them)\n",
                self.codes.len() - self.shown,
                self.codes.len()
            ));
        }
        out.push_str(&self.order_truth_text());
        for (what, rows, count) in self.unused_rows() {
            if count > 0 {
                out.push_str(&format!("\nrows {what}:\n"));
                for r in rows.iter().take(20) {
                    out.push_str(&format!("  line {}: {}\n", r.line, text(&r.reason)));
                }
                if count > 20 {
                    out.push_str(&format!(
                        "  ... and {} more (--format json lists the first {})\n",
                        count - 20,
                        run::LISTED_ROWS
                    ));
                }
            }
        }
        out
    }

    fn html(&self, path: &Path) -> String {
        use super::triage_html::{Card, Page, render};
        let t = self.triage;
        let questions = numbered_questions();
        let cards = self
            .codes
            .iter()
            .map(|c| {
                let d = &c.code.diagnosis;
                let route = self.routes.get(&c.code.error_code);
                let set = |f: fn(&Route) -> &BTreeSet<String>| {
                    route.map_or(String::new(), |r| joined(f(r), "n/a"))
                };
                Card {
                    error_code: &c.code.error_code,
                    count: c.code.count,
                    hours_per_week: c.hours_per_week,
                    first: c.first.1.to_string(),
                    last: c.last.1.to_string(),
                    verdict: d.verdict.id(),
                    verdict_description: d.verdict.description(),
                    decision: self.decision(c).id(),
                    automatable: automatable(self.decision(c)),
                    answers: questions
                        .iter()
                        .zip(&d.answers)
                        .enumerate()
                        .map(|(n, (q, a))| (q.as_str(), answer_word(n, a), a.because()))
                        .collect(),
                    // The chart has a bar for every week, zero weeks included.
                    weekly: self
                        .every_week(c.weekly().into_iter().collect())
                        .into_iter()
                        .collect(),
                    patterns: c
                        .patterns
                        .iter()
                        .map(|p| (p.count, signature_text(&p.signature)))
                        .collect(),
                    boundaries: set(|r| &r.boundaries),
                    owners: set(|r| &r.owners),
                    resolvers: set(|r| &r.resolvers),
                    examples: c
                        .examples
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    decided: self
                        .decisions_for(&c.code.error_code, None)
                        .into_iter()
                        .map(describe_decision)
                        .collect(),
                }
            })
            .collect();
        render(&Page {
            log: path.display().to_string(),
            summary: self.summary(),
            thresholds: format!("{}. {}", t.thresholds.describe(), self.hours_line()),
            cards,
            boundaries: self.by_boundary(),
            rejected: t
                .rejected
                .iter()
                .chain(&t.payloads_not_found)
                .map(|r| (r.line, r.reason.clone()))
                .collect(),
        })
    }

    fn markdown(&self, path: &Path) -> String {
        use handoff_reports::printer::escape::md_code;
        let mut md = format!(
            "## Exception triage: {}\n\n{}.\n\nThresholds: {}.\n\n{}.\n\n",
            md_code(&path.display().to_string()),
            self.summary(),
            self.triage.thresholds.describe(),
            self.hours_line()
        );
        md.push_str("| error code | exceptions | hours/week | verdict | decision | automatable | owner |\n|---|---:|---:|---|---|---|---|\n");
        for c in &self.codes {
            let d = &c.code.diagnosis;
            let route = self.routes.get(&c.code.error_code);
            md.push_str(&format!(
                "| {} | {} | {} | **{}** | {} | {} | {} |\n",
                md_code(&c.code.error_code),
                c.code.count,
                c.hours_per_week.map_or("n/a".into(), |h| format!("{h:.1}")),
                d.verdict.id(),
                self.decision(c).id(),
                automatable(self.decision(c)),
                route
                    .filter(|r| !r.owners.is_empty())
                    .map_or(String::new(), |r| md_code(&joined(&r.owners, ""))),
            ));
        }
        for c in self.codes.iter().take(self.shown) {
            let d = &c.code.diagnosis;
            md.push_str(&format!(
                "\n### {} ({} exceptions)\n\n**{}**: {}\n\n",
                md_code(&c.code.error_code),
                c.code.count,
                d.verdict.id(),
                d.verdict.description()
            ));
            md.push_str(&format!("Decision: {}.", self.decision(c).id()));
            if d.verdict == Verdict::Both {
                md.push_str(" Fix order: the integration first, then the process.");
            }
            md.push('\n');
            for dec in self.decisions_for(&c.code.error_code, None) {
                md.push_str(&format!(
                    "\nDecided: {}.\n",
                    md_code(&describe_decision(dec))
                ));
            }
            md.push_str("\n| question | answer | evidence |\n|---|---|---|\n");
            for (n, (q, a)) in numbered_questions().iter().zip(&d.answers).enumerate() {
                let word = answer_word(n, a);
                md.push_str(&format!("| {q} | {word} | {} |\n", md_code(a.because())));
            }
            let weeks = self.every_week(c.weekly().into_iter().collect());
            md.push_str(&format!(
                "\n| {} |\n|{}\n| {} |\n",
                weeks.keys().cloned().collect::<Vec<_>>().join(" | "),
                "---:|".repeat(weeks.len()),
                weeks
                    .values()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
            if let Some(trend) = self.trend(c) {
                md.push_str(&format!("\nTrend: {trend}.\n"));
            }
            md.push_str("\n| count | pattern |\n|---:|---|\n");
            for p in &c.patterns {
                md.push_str(&format!(
                    "| {} | {} |\n",
                    p.count,
                    md_code(&signature_text(&p.signature))
                ));
            }
            let lines: Vec<String> = c.examples.iter().map(u64::to_string).collect();
            md.push_str(&format!("\nExamples: log lines {}.\n", lines.join(", ")));
            if let Some(route) = self.route_line(c) {
                md.push_str(&format!("\nRoute: {}.\n", md_code(&route)));
            }
        }
        if !self.order_truth.is_empty() {
            md.push_str("\n### Order truth gaps\n\nFrom the latest `handoff reconcile --record` of each flow.\n\n| flow | as of | boundary pair | gap kind | gaps |\n|---|---|---|---|---:|\n");
            for g in &self.order_truth {
                md.push_str(&format!(
                    "| {} | {} | {} | `{}` | {} |\n",
                    md_code(&g.flow),
                    md_code(&g.as_of),
                    md_code(&g.pair),
                    g.kind,
                    g.count
                ));
            }
        }
        for (what, rows, count) in self.unused_rows() {
            if count > 0 {
                md.push_str(&format!(
                    "\n### Rows {what} ({count})\n\n| line | reason |\n|---:|---|\n"
                ));
                for r in rows.iter().take(20) {
                    md.push_str(&format!("| {} | {} |\n", r.line, md_code(&r.reason)));
                }
                if count > 20 {
                    md.push_str(&format!(
                        "\n... and {} more (`--format json` lists the first {}).\n",
                        count - 20,
                        run::LISTED_ROWS
                    ));
                }
            }
        }
        md
    }

    /// The recorded order truth gaps, per flow: the total, then each pair and kind.
    fn order_truth_text(&self) -> String {
        if self.order_truth.is_empty() {
            return String::new();
        }
        let mut out = String::from(
            "\norder truth gaps (the latest handoff reconcile --record of each flow):\n",
        );
        let mut flows: Vec<&str> = self.order_truth.iter().map(|g| g.flow.as_str()).collect();
        flows.sort_unstable();
        flows.dedup();
        for flow in flows {
            let rows: Vec<_> = self.order_truth.iter().filter(|g| g.flow == flow).collect();
            let total: u64 = rows.iter().map(|g| g.count).sum();
            out.push_str(&format!(
                "   {} as of {}: {total} gaps\n",
                text(flow),
                text(&rows[0].as_of)
            ));
            for g in rows {
                out.push_str(&format!(
                    "     {:>6}  {} {}\n",
                    g.count,
                    text(&g.kind),
                    text(&g.pair)
                ));
            }
        }
        out
    }

    fn json(&self, path: &Path) -> serde_json::Value {
        let t = self.triage;
        let rows = |rows: &[log::Rejected]| -> Vec<serde_json::Value> {
            rows.iter()
                .map(|r| json!({"line": r.line, "reason": r.reason}))
                .collect()
        };
        json!({
            "format_version": 2,
            "log": path.display().to_string(),
            "rows": {
                "read": t.rows_read,
                "used": t.rows_used,
                "rejected_count": t.rejected_count,
                "rejected": rows(&t.rejected),
                "payloads_not_found_count": t.not_found_count,
                "payloads_not_found": rows(&t.payloads_not_found),
            },
            "weeks": self.weeks,
            "thresholds": t.thresholds,
            // What to fix first: the integration patterns (integration, then both), costliest
            // first, then the process ones; a process redesign built on an unstable contract
            // fails.
            "fix_order": self.fix_order(),
            "hours_per_week": self.hours().map(|(total, integration)| json!({
                "total": total,
                "integration": integration,
            })),
            "order_truth": self.order_truth.iter().map(|g| json!({
                "flow": g.flow,
                "as_of": g.as_of,
                "pair": g.pair,
                "kind": g.kind,
                "count": g.count,
            })).collect::<Vec<_>>(),
        })
    }

    /// One error code of the JSON report.
    fn code_json(&self, c: &CodeView<'_>) -> serde_json::Value {
        let d = &c.code.diagnosis;
        json!({
            "error_code": c.code.error_code,
            "count": c.code.count,
            "hours_per_week": c.hours_per_week,
            // As the log wrote them, and as instants for machines.
            "first_seen": c.first.1,
            "last_seen": c.last.1,
            "first_seen_utc": c.first.0.to_string(),
            "last_seen_utc": c.last.0.to_string(),
            "route": self.routes.get(&c.code.error_code).map(|r| json!({
                "boundaries": r.boundaries,
                "owners": r.owners,
                "resolvers": r.resolvers,
                "automatable": automatable(self.decision(c)),
            })),
            "verdict": d.verdict.id(),
            "decision": self.decision(c).id(),
            "decided": self.decisions_for(&c.code.error_code, None).iter().map(|d| json!({
                "signature": d.signature, "owner": d.owner, "decision": d.decision,
                "status": d.status, "date": d.date,
            })).collect::<Vec<_>>(),
            "weekly": self.every_week(c.weekly().into_iter().collect()),
            // Keyed by question; question 5 answers with its own words, not yes or no.
            "answers": d.answers.iter().zip(handoff_reports::triage::framework::QUESTION_IDS).enumerate().map(|(i, (a, id))| {
                let word = match (i, a) {
                    (4, Answer::Yes(_)) => "mismatch",
                    (4, Answer::No(_)) => "missing_rule",
                    _ => a.word(),
                };
                (id.to_string(), json!({"answer": word, "evidence": a.because()}))
            }).collect::<serde_json::Map<_, _>>(),
            "patterns": c.patterns.iter().map(|p| {
                let (earlier, returned) = self.pattern_history(p);
                json!({
                    "signature": signature_text(&p.signature),
                    // The signature as data: each distinct violation, for dashboards that
                    // group by field or kind rather than parse the text.
                    "violations": p.violations,
                    "contracts": p.contracts,
                    "count": p.count,
                    // Minutes as the log recorded them, and scaled to every exception of the
                    // pattern (what hours_per_week is computed from).
                    "minutes": (p.timed > 0).then(|| json!({
                        "recorded": p.minutes,
                        "exceptions_timed": p.timed,
                        "estimated": p.minutes / p.timed as f64 * p.count as f64,
                    })),
                    "weekly": self.every_week(p.weekly.clone()),
                    "examples": p.examples,
                    "history": earlier.iter().map(|e| json!({
                        "recorded_at": e.recorded_at, "count": e.count, "contracts": e.contracts,
                    })).collect::<Vec<_>>(),
                    "recurs_after_contract_change": returned.map(|(before, now)| json!({"before": before, "now": now})),
                })
            }).collect::<Vec<_>>(),
        })
    }
}

/// The JSON report, written as it is serialised: each error code's object is built, written
/// and dropped in turn, so 30,000 codes do not hold a tree of every one in memory (640 MB
/// before) nor the whole text besides. Keys in the order `json!` sorts them.
struct JsonReport<'r> {
    report: &'r Report<'r>,
    path: &'r Path,
}

impl serde::Serialize for JsonReport<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Codes<'r>(&'r Report<'r>);
        impl serde::Serialize for Codes<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.codes.iter().map(|c| self.0.code_json(c)))
            }
        }
        let serde_json::Value::Object(head) = self.report.json(self.path) else {
            unreachable!("the report is an object")
        };
        let mut map = serializer.serialize_map(Some(head.len() + 1))?;
        let mut codes_written = false;
        for (key, value) in &head {
            if !codes_written && key.as_str() > "error_codes" {
                map.serialize_entry("error_codes", &Codes(self.report))?;
                codes_written = true;
            }
            map.serialize_entry(key, value)?;
        }
        if !codes_written {
            map.serialize_entry("error_codes", &Codes(self.report))?;
        }
        map.end()
    }
}

/// An answer as the Markdown and HTML reports word it: the fifth question is either-or, so
/// its answer names the side.
fn answer_word(n: usize, a: &Answer) -> &'static str {
    match a {
        Answer::Yes(_) if n == 4 => "mismatch",
        Answer::No(_) if n == 4 => "missing rule",
        a => a.word(),
    }
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

/// A JSON document to standard output as it is serialised, ending in a newline; a reader that
/// went away (a pipe into `head`) is not an error.
fn write_json(value: &impl serde::Serialize) -> Result<u8, Fatal> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(super::EXIT_CLEAN),
    }
}

/// "1. consistent payload pattern?" and the rest.
fn numbered_questions() -> Vec<String> {
    QUESTIONS
        .iter()
        .enumerate()
        .map(|(i, q)| format!("{}. {q}", i + 1))
        .collect()
}

/// The first and last time any of the patterns was seen.
fn span<'p>(
    patterns: impl Iterator<Item = &'p patterns::Pattern>,
) -> (jiff::Timestamp, jiff::Timestamp) {
    patterns
        .fold(
            None,
            |acc: Option<(jiff::Timestamp, jiff::Timestamp)>, p| {
                Some(acc.map_or((p.first_seen, p.last_seen), |(a, b)| {
                    (a.min(p.first_seen), b.max(p.last_seen))
                }))
            },
        )
        .unwrap_or_default()
}

fn describe_decision(d: &Decision) -> String {
    let mut parts = vec![d.status.clone()];
    if let Some(o) = &d.owner {
        parts.push(format!("owner {o}"));
    }
    if let Some(date) = &d.date {
        parts.push(format!("since {date}"));
    }
    let on = d
        .signature
        .as_ref()
        .map_or(String::new(), |s| format!(" [{s}]"));
    format!("{}{on} ({})", d.decision, parts.join(", "))
}

fn signature_text(s: &Signature) -> String {
    match s {
        Signature::Conforms => "conforms to its contract".into(),
        Signature::Violates(sig) => sig.clone(),
        Signature::Unreadable(sig) => format!("unreadable: {sig}"),
        Signature::Unchecked(why) => format!("not checked: {why}"),
    }
}
