//! The triage report: the model of what a run found, ranked for the weekly review (each error
//! code's numbers, route, verdict and decisions, its patterns' history), and its renderers, one
//! module per format. Every value from the log or a payload goes through the escaping of its
//! format.

mod html;
mod json;
mod markdown;
mod text;

pub use html::STYLE as HTML_STYLE;

use crate::printer::Format;
use crate::triage::decisions::Decision;
use crate::triage::framework::{Answer, DecisionType, QUESTIONS, Signature, Verdict};
use crate::triage::run::Triage;
use crate::triage::{log, patterns, run};
use handoff_core::check::Checker;
use std::collections::{BTreeSet, HashMap};
use std::io::{self, Write};
use std::path::Path;

/// The formats the triage report is offered in: the names on the command line, and what each
/// is for.
pub const FORMATS: &[(&str, Format, &str)] = &[
    ("text", Format::Text, "For the weekly review, in a terminal"),
    (
        "json",
        Format::Json,
        "One document, for scripts and dashboards",
    ),
    (
        "markdown",
        Format::Markdown,
        "For the review document or a pull request",
    ),
    (
        "html",
        Format::Html,
        "One self-contained page for a sprint review (no scripts or external resources)",
    ),
];

/// Writes `report` (of the exception log at `log`) in `format` to `out`. JSON is written as it
/// is serialised. A format the report is not offered in ([`FORMATS`]) is an `InvalidInput`
/// error.
pub fn write(
    report: &Report<'_>,
    format: Format,
    log: &Path,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => out.write_all(report.text(log).as_bytes()),
        Format::Markdown => out.write_all(report.markdown(log).as_bytes()),
        Format::Html => out.write_all(report.html(log).as_bytes()),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &json::JsonReport { report, path: log })?;
            out.write_all(b"\n")
        }
        other => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("the triage report has no {} format", other.name()),
        )),
    }
}

/// Where an error code's exceptions cross, who owns that boundary, who resolves them today.
#[derive(Default)]
pub struct Route {
    pub boundaries: BTreeSet<String>,
    pub owners: BTreeSet<String>,
    pub resolvers: BTreeSet<String>,
}

pub fn routes(
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

pub struct Report<'t> {
    pub triage: &'t Triage,
    pub routes: HashMap<String, Route>,
    /// Contract versions per error code (`id@1.2.0`, joined).
    pub versions: HashMap<String, String>,
    /// The review's decisions (triage.yaml) and the mapping's decision types.
    pub decisions: Vec<Decision>,
    pub decision_types: std::collections::BTreeMap<String, DecisionType>,
    /// Earlier recorded runs per (error code, signature text).
    pub history: HashMap<(String, String), Vec<crate::triage::store::Earlier>>,
    /// The latest recorded reconcile run of each flow, by boundary pair and gap kind.
    pub order_truth: Vec<crate::triage::store::RecordedGap>,
    /// The review gate's figures per pattern and repair rule (empty without a history
    /// database).
    pub feedback: crate::triage::review::Feedback,
    codes: Vec<CodeView<'t>>,
    pub weeks: f64,
    /// Every ISO week the log spans, in order.
    log_weeks: Vec<String>,
    shown: usize,
}

impl<'t> Report<'t> {
    pub fn new(triage: &'t Triage, top: usize) -> Report<'t> {
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
            feedback: crate::triage::review::Feedback {
                window_days: crate::triage::review::DEFAULT_WINDOW_DAYS,
                ..Default::default()
            },
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
    ) -> (&[crate::triage::store::Earlier], Option<(String, String)>) {
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

/// One repair rule's review-gate figures, as every format shows them.
pub(crate) struct RuleRow<'r> {
    pub(crate) rule: &'r str,
    pub(crate) counts: crate::triage::review::Counts,
    pub(crate) auto_resolution_rate: Option<f64>,
    /// The exceptions the auto-resolution rate is a share of.
    pub(crate) of: u64,
}

impl Report<'_> {
    /// The review gate per repair rule, in rule order.
    pub(crate) fn rule_rows(&self) -> Vec<RuleRow<'_>> {
        let mut exceptions: HashMap<String, u64> = HashMap::new();
        for p in &self.triage.patterns {
            *exceptions.entry(signature_text(&p.signature)).or_default() += p.count;
        }
        self.feedback
            .by_rule
            .iter()
            .map(|(rule, c)| {
                let (auto, of) = self
                    .feedback
                    .rule_auto_resolution(rule, |s| exceptions.get(s).copied().unwrap_or(0));
                RuleRow {
                    rule,
                    counts: *c,
                    auto_resolution_rate: auto,
                    of,
                }
            })
            .collect()
    }
}

/// A review-gate rate as a percentage, `-` before there is one. A small share is not rounded
/// to nothing: 1 of 599 is 0.2%, not 0%.
pub fn rate_text(rate: Option<f64>) -> String {
    match rate {
        None => "-".to_string(),
        Some(r) if r > 0.0 && r < 0.01 => format!("{:.1}%", r * 100.0),
        Some(r) => format!("{:.0}%", r * 100.0),
    }
}

/// The review gate's figures for a pattern of `exceptions` exceptions, in words for the text,
/// Markdown and HTML reports; `None` when nothing was proposed for it in the window.
pub(crate) fn feedback_words(
    feedback: &crate::triage::review::Feedback,
    signature: &str,
    exceptions: u64,
) -> Option<String> {
    let f = feedback.pattern(signature);
    if f.proposals == 0 {
        return None;
    }
    let (auto, exceptions) = feedback.auto_resolution(signature, exceptions);
    Some(format!(
        "review gate ({} days): {} repair{} proposed, {} approved, {} rejected; false-positive rate {}, auto-resolution rate {} of {} exception{}",
        feedback.window_days,
        f.proposals,
        if f.proposals == 1 { "" } else { "s" },
        f.approved,
        f.rejected,
        rate_text(f.false_positive_rate()),
        rate_text(auto),
        exceptions,
        if exceptions == 1 { "" } else { "s" },
    ))
}

pub fn signature_text(s: &Signature) -> String {
    match s {
        Signature::Conforms => "conforms to its contract".into(),
        Signature::Violates(sig) => sig.clone(),
        Signature::Unreadable(sig) => format!("unreadable: {sig}"),
        Signature::Unchecked(why) => format!("not checked: {why}"),
    }
}
