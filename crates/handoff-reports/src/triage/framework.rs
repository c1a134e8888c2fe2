//! The five-point framework, answered from an exception log: for one error code, is the
//! recurring exception an integration problem, a process problem, or both, and which fix goes
//! first. Each answer carries its evidence (the counts behind it), or says which column of the
//! log would answer it when the log lacks it.
//!
//! The questions, in the order of the decision flow:
//! 1. Does the exception follow a consistent payload pattern? (one violation signature covers at
//!    least `consistent_share` of the code's exceptions)
//! 2. Does routing vary by handler? (two or more resolutions with a material share, from two or
//!    more handlers)
//! 3. Does a retry resolve it? (most retried exceptions succeeded on retry)
//! 4. Does it recur despite a successful handoff? (most exceptions had a successful delivery and
//!    a conforming payload)
//! 5. Schema mismatch or missing decision rule? (the dominant signature is a contract violation,
//!    or payloads conform)

use std::collections::{BTreeMap, BTreeSet};

/// What one exception's payload showed when checked against its contract.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Signature {
    /// The payload satisfies its contract.
    Conforms,
    /// The payload's violations: contract id, pointers with array indexes as `*`, kinds (and
    /// the value, for an unknown enum value: a new status code is its own pattern).
    Violates(String),
    /// The payload was found but could not be read (truncated, empty, too large): the finding
    /// kind, as `handoff check` reports it, and the contract id. It is evidence, not a gap: a
    /// handoff that delivers unreadable data is broken at the boundary.
    Unreadable(String),
    /// The payload could not be checked at all (not found, no contract).
    Unchecked(String),
}

/// What became of a delivery. A rejection is the receiver judging the payload (the contract's
/// business); only a failure is the handoff machinery breaking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Delivery {
    /// Acknowledged: `delivered`, HTTP 2xx, 997/999 `A`.
    Delivered,
    /// Refused on its content: `rejected`, HTTP 4xx, 997/999 `R`, `E`, `M`, `P`, `W`, `X`.
    Rejected,
    /// No acknowledgement: `failed`, `timeout`, HTTP 5xx, 408 and 429, a connection reset.
    Failed,
}

impl Delivery {
    pub const ALL: [Delivery; 3] = [Delivery::Delivered, Delivery::Rejected, Delivery::Failed];

    pub fn id(self) -> &'static str {
        match self {
            Delivery::Delivered => "delivered",
            Delivery::Rejected => "rejected",
            Delivery::Failed => "failed",
        }
    }

    pub fn from_id(id: &str) -> Option<Delivery> {
        Delivery::ALL.into_iter().find(|d| d.id() == id)
    }

    /// The built-in vocabularies: words, HTTP status codes, and the 997/999 AK5/IK5 codes.
    pub fn of(value: &str) -> Option<Delivery> {
        let v = value.trim().to_ascii_lowercase();
        let v = v.replace(['-', ' '], "_");
        Some(match v.as_str() {
            "delivered" | "acknowledged" | "ack" | "accepted" | "a" | "ok" | "success"
            | "succeeded" | "sent" | "yes" | "y" | "true" => Delivery::Delivered,
            // 997/999: E accepted with errors noted, M/W/X rejected for security or content
            // reasons, P partly accepted: the receiver judged the content.
            "rejected" | "refused" | "invalid" | "nack" | "r" | "e" | "m" | "p" | "w" | "x" => {
                Delivery::Rejected
            }
            "failed" | "failure" | "error" | "timeout" | "timed_out" | "connection_reset"
            | "reset" | "connection_refused" | "refused_connection" | "unreachable"
            | "no_response" | "no" | "n" | "false" => Delivery::Failed,
            _ => match v.parse::<u16>() {
                // A request timeout and rate limiting are the transport, not the content.
                Ok(408 | 429) => Delivery::Failed,
                Ok(200..=299) => Delivery::Delivered,
                Ok(400..=499) => Delivery::Rejected,
                Ok(500..=599) => Delivery::Failed,
                _ => return None,
            },
        })
    }
}

/// The facts about one exception that the framework reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub signature: Signature,
    pub handled_by: Option<String>,
    pub resolution: Option<String>,
    pub retried: Option<bool>,
    pub retry_succeeded: Option<bool>,
    pub delivery: Option<Delivery>,
}

/// Thresholds, all shares of the exceptions they count. Each is a setting (a `triage` flag,
/// or `exceptions.thresholds` in handoff.yaml), and every report says which were used.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Thresholds {
    /// Question 1: the dominant signature's share for a consistent pattern.
    pub consistent_share: f64,
    /// Question 2: the commonest resolution's share of the routed exceptions that makes it the
    /// standard one (when most handlers use it too), so a minority doing something else does
    /// not make routing vary.
    pub standard_share: f64,
    /// Question 2: a resolution's share to be shown as material in the evidence.
    pub material_share: f64,
    /// Question 3: the share of retried exceptions that must succeed on retry (more than it).
    pub retry_share: f64,
    /// Question 4: the share delivered with a conforming payload (more than it).
    pub delivered_share: f64,
    /// The share of failed deliveries (more than it) that makes a pattern escalated.
    pub escalation_share: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            consistent_share: 0.8,
            standard_share: 0.75,
            material_share: 0.1,
            retry_share: 0.5,
            delivered_share: 0.5,
            escalation_share: 0.5,
        }
    }
}

impl Thresholds {
    /// Every setting: its name (flag `--consistent-share`, key `consistent_share`) and what it
    /// decides.
    pub const SETTINGS: [(&'static str, &'static str); 6] = [
        (
            "consistent_share",
            "question 1: the commonest signature's share for a consistent payload pattern",
        ),
        (
            "standard_share",
            "question 2: the commonest resolution's share that makes it the standard one, when most handlers use it",
        ),
        (
            "material_share",
            "question 2: a resolution's share to be listed in the evidence",
        ),
        (
            "retry_share",
            "question 3: the share of retries that must succeed (more than it)",
        ),
        (
            "delivered_share",
            "question 4: the share delivered with a conforming payload (more than it)",
        ),
        (
            "escalation_share",
            "the share of failed deliveries (more than it) that makes a pattern escalated",
        ),
    ];

    /// Set one by name; false for a name that is not a threshold.
    pub fn set(&mut self, name: &str, value: f64) -> bool {
        let slot = match name {
            "consistent_share" => &mut self.consistent_share,
            "standard_share" => &mut self.standard_share,
            "material_share" => &mut self.material_share,
            "retry_share" => &mut self.retry_share,
            "delivered_share" => &mut self.delivered_share,
            "escalation_share" => &mut self.escalation_share,
            _ => return false,
        };
        *slot = value;
        true
    }

    /// The thresholds in one line, as the reports show them.
    pub fn describe(&self) -> String {
        let p = |x: f64| format!("{:.0}%", x * 100.0);
        format!(
            "consistent pattern {}; standard resolution {} by most handlers (listed from {}); retry success over {}; good handoffs over {}; escalated over {} failed",
            p(self.consistent_share),
            p(self.standard_share),
            p(self.material_share),
            p(self.retry_share),
            p(self.delivered_share),
            p(self.escalation_share)
        )
    }
}

/// One question's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Yes(String),
    No(String),
    /// The log cannot answer; the text names the column that would.
    Unknown(String),
}

/// The five questions' keys in the JSON report, in the order of [`QUESTIONS`].
pub const QUESTION_IDS: [&str; 5] = [
    "consistent_pattern",
    "routing_varies",
    "retry_resolves",
    "recurs_despite_good_handoff",
    "mismatch_or_missing_rule",
];

/// The five questions, in the order of the decision flow, as reports word them.
pub const QUESTIONS: [&str; 5] = [
    "consistent payload pattern?",
    "routing varies by handler?",
    "a retry resolves it?",
    "recurs despite a good handoff?",
    "schema mismatch or missing rule?",
];

impl Answer {
    /// `yes`, `no` or `unknown`.
    pub fn word(&self) -> &'static str {
        match self {
            Answer::Yes(_) => "yes",
            Answer::No(_) => "no",
            Answer::Unknown(_) => "unknown",
        }
    }

    pub fn is_yes(&self) -> bool {
        matches!(self, Answer::Yes(_))
    }
    pub fn is_no(&self) -> bool {
        matches!(self, Answer::No(_))
    }
    /// The evidence or the missing column.
    pub fn because(&self) -> &str {
        match self {
            Answer::Yes(s) | Answer::No(s) | Answer::Unknown(s) => s,
        }
    }
}

/// What the framework concludes for one error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Integration,
    Process,
    /// Both are present: fix the integration first, then the process.
    Both,
    /// Not enough in the log to decide.
    Undecided,
}

impl Verdict {
    pub fn id(self) -> &'static str {
        match self {
            Verdict::Integration => "integration",
            Verdict::Process => "process",
            Verdict::Both => "both",
            Verdict::Undecided => "undecided",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Verdict::Integration => {
                "a schema mismatch at a boundary: fix the contract or the mapping"
            }
            Verdict::Process => {
                "the data arrived fine, but no rule says what happens next: fix the process"
            }
            Verdict::Both => {
                "both are present: fix the integration first (a process redesign on an unstable contract fails), then the process"
            }
            Verdict::Undecided => {
                "the log lacks the columns that would decide it, or the payloads could not be checked"
            }
        }
    }
}

/// What kind of decision resolving the exception takes (the triage playbook's step 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionType {
    /// A rule decides: a contract violation with a deterministic fix, or good data that is
    /// always handled the same way. A target for automation.
    Binary,
    /// A person decides with context: good data, resolved differently by different people.
    Judgment,
    /// A system failure (timeouts, 5xx, payloads that cannot be read): engineering, not triage.
    Escalated,
}

impl DecisionType {
    pub fn from_id(id: &str) -> Option<DecisionType> {
        [
            DecisionType::Binary,
            DecisionType::Judgment,
            DecisionType::Escalated,
        ]
        .into_iter()
        .find(|d| d.id() == id)
    }

    pub fn id(self) -> &'static str {
        match self {
            DecisionType::Binary => "binary",
            DecisionType::Judgment => "judgment",
            DecisionType::Escalated => "escalated",
        }
    }
}

/// The five answers, the verdict and the decision type for one error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub answers: [Answer; 5],
    pub verdict: Verdict,
    pub decision: DecisionType,
}

fn pct(n: usize, of: usize) -> String {
    if of == 0 {
        "0%".into()
    } else {
        format!("{:.0}%", 100.0 * n as f64 / of as f64)
    }
}

/// Running counts of one error code's exceptions: what the five questions need, in memory that
/// grows with the distinct signatures, resolutions and handlers, not with the exceptions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    pub total: usize,
    pub signatures: BTreeMap<Signature, usize>,
    /// Resolution -> (exceptions, handlers who chose it), over exceptions with both columns.
    pub resolutions: BTreeMap<String, (usize, BTreeSet<String>)>,
    pub routed: usize,
    pub handlers: BTreeSet<String>,
    /// Whether any exception had the `retried` column filled.
    pub retry_known: bool,
    pub retried: usize,
    pub retry_succeeded: usize,
    /// Exceptions whose delivery outcome the log says, and how many of them were delivered,
    /// rejected on their content, or failed in transport.
    pub handoff_known: usize,
    pub handoff_delivered: usize,
    pub handoff_rejected: usize,
    pub handoff_failed: usize,
    pub delivered_conforming: usize,
}

impl Stats {
    pub fn add(&mut self, c: &Case) {
        self.total += 1;
        *self.signatures.entry(c.signature.clone()).or_default() += 1;
        if let (Some(who), Some(what)) = (&c.handled_by, &c.resolution) {
            self.routed += 1;
            let e = self.resolutions.entry(what.clone()).or_default();
            e.0 += 1;
            e.1.insert(who.clone());
            self.handlers.insert(who.clone());
        }
        self.retry_known |= c.retried.is_some();
        if c.retried == Some(true)
            && let Some(ok) = c.retry_succeeded
        {
            self.retried += 1;
            self.retry_succeeded += usize::from(ok);
        }
        if let Some(d) = c.delivery {
            self.handoff_known += 1;
            match d {
                Delivery::Delivered => self.handoff_delivered += 1,
                Delivery::Rejected => self.handoff_rejected += 1,
                Delivery::Failed => self.handoff_failed += 1,
            }
            if d == Delivery::Delivered && c.signature == Signature::Conforms {
                self.delivered_conforming += 1;
            }
        }
    }
}

/// Answer the five questions for the exceptions of one error code.
pub fn diagnose(cases: &[Case], t: Thresholds) -> Diagnosis {
    let mut stats = Stats::default();
    cases.iter().for_each(|c| stats.add(c));
    diagnose_stats(&stats, t)
}

/// Answer the five questions from running counts.
pub fn diagnose_stats(s: &Stats, t: Thresholds) -> Diagnosis {
    let total = s.total;
    let dominant = s
        .signatures
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(s, n)| (s, *n));

    // 1. A consistent payload pattern: one violation signature dominates.
    let q1 = match dominant {
        Some((Signature::Violates(sig), n)) if n as f64 >= t.consistent_share * total as f64 => {
            Answer::Yes(format!(
                "{n} of {total} ({}) share one violation: {sig}",
                pct(n, total)
            ))
        }
        Some((Signature::Conforms, n)) => Answer::No(format!(
            "{n} of {total} ({}) payloads conform to their contract; the error code fires on good data",
            pct(n, total)
        )),
        Some((Signature::Unreadable(sig), n)) if n as f64 >= t.consistent_share * total as f64 => {
            Answer::Yes(format!(
                "{n} of {total} ({}) payloads could not be read ({sig}): the same break at the boundary",
                pct(n, total)
            ))
        }
        Some((Signature::Unreadable(sig), n)) => Answer::No(format!(
            "the commonest signature covers {n} of {total} ({}), under {:.0}%: unreadable payloads ({sig})",
            pct(n, total),
            t.consistent_share * 100.0,
        )),
        // Payloads that could not be checked say nothing about a pattern in the data.
        Some((Signature::Unchecked(why), n)) => Answer::Unknown(format!(
            "{n} of {total} ({}) payloads could not be checked ({why}), so the log cannot say whether they share a pattern",
            pct(n, total)
        )),
        Some((Signature::Violates(sig), n)) => Answer::No(format!(
            "the commonest signature covers {n} of {total} ({}), under {:.0}%: {sig}",
            pct(n, total),
            t.consistent_share * 100.0,
        )),
        None => Answer::Unknown("no exceptions".into()),
    };

    // 2. Routing varies by handler: different handlers take different actions and no
    // resolution is standard. The commonest is standard when it covers `standard_share` of the
    // routed exceptions and more than half of the handlers use it: a minority doing something
    // else is not routing that varies.
    let q2 = if s.routed == 0 {
        Answer::Unknown("map the `handled_by` and `resolution` columns to answer".into())
    } else {
        let mut all: Vec<(&str, usize, usize)> = s
            .resolutions
            .iter()
            .map(|(r, (n, who))| (r.as_str(), *n, who.len()))
            .collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let material: Vec<(&str, usize, usize)> = all
            .iter()
            .copied()
            .filter(|(_, n, _)| *n as f64 >= t.material_share * s.routed as f64)
            .collect();
        let handlers = s.handlers.len();
        let who = if handlers == 1 {
            "1 handler resolves".to_string()
        } else {
            format!("{handlers} handlers resolve")
        };
        let show = |list: &[(&str, usize, usize)]| {
            list.iter()
                .map(|(r, n, h)| {
                    format!("{r:?} {n} ({h} handler{})", if *h == 1 { "" } else { "s" })
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (top, top_n, top_handlers) = all[0];
        let standard =
            top_n as f64 >= t.standard_share * s.routed as f64 && top_handlers * 2 > handlers;
        if standard {
            let others = &material[1.min(material.len())..];
            let rest = if others.is_empty() {
                String::new()
            } else {
                format!("; also {}", show(others))
            };
            Answer::No(format!(
                "a standard resolution: {top:?} in {top_n} of {} routed exceptions ({}), by {}{rest}",
                s.routed,
                pct(top_n, s.routed),
                if handlers == 1 {
                    "its 1 handler".to_string()
                } else {
                    format!("{top_handlers} of {handlers} handlers")
                }
            ))
        } else if material.is_empty() {
            // Resolutions scattered so thinly that none is material: that is routing varying
            // most of all, and the commonest are the evidence.
            let evidence = format!(
                "{who} it {} ways, none in as many as {:.0}% of the {} routed exceptions; the commonest: {}",
                all.len(),
                t.material_share * 100.0,
                s.routed,
                show(&all[..all.len().min(3)])
            );
            if all.len() >= 2 && handlers >= 2 {
                Answer::Yes(evidence)
            } else {
                Answer::No(evidence)
            }
        } else if all.len() >= 2 && handlers >= 2 {
            Answer::Yes(format!(
                "{who} it {} ways and none is standard (the commonest, {top:?}, in {} of the routed exceptions{}): {}",
                all.len(),
                pct(top_n, s.routed),
                if top_n as f64 >= t.standard_share * s.routed as f64 {
                    format!(", but by only {top_handlers} of {handlers} handlers")
                } else {
                    format!(", under {:.0}%", t.standard_share * 100.0)
                },
                show(&material)
            ))
        } else {
            Answer::No(format!("{who} it one way: {}", show(&material)))
        }
    };

    // 3. A retry resolves it.
    let q3 = if s.retried == 0 && s.retry_known {
        Answer::Unknown("none of these exceptions was retried, so the log cannot say".into())
    } else if s.retried == 0 {
        Answer::Unknown("map the `retried` and `retry_succeeded` columns to answer".into())
    } else {
        let (ok, n) = (s.retry_succeeded, s.retried);
        let evidence = format!(
            "{ok} of {n} retried exceptions ({}) succeeded on retry",
            pct(ok, n)
        );
        if ok as f64 > t.retry_share * n as f64 {
            Answer::Yes(evidence)
        } else {
            Answer::No(evidence)
        }
    };

    // 4. It recurs despite a successful handoff.
    let q4 = if s.handoff_known == 0 {
        Answer::Unknown("map the `handoff_status` column to answer".into())
    } else {
        let (clean, known) = (s.delivered_conforming, s.handoff_known);
        let evidence = format!(
            "{clean} of {known} ({}) were delivered (acknowledged) with a conforming payload; {} delivered in all, {} rejected by the receiver, {} failed in transport",
            pct(clean, known),
            s.handoff_delivered,
            s.handoff_rejected,
            s.handoff_failed
        );
        if clean as f64 > t.delivered_share * known as f64 {
            Answer::Yes(evidence)
        } else {
            Answer::No(evidence)
        }
    };

    // 5. Schema mismatch or missing decision rule.
    let q5 = match dominant {
        Some((Signature::Violates(sig), n)) => Answer::Yes(format!(
            "schema mismatch: the commonest signature ({n} of {total}) is a contract violation: {sig}"
        )),
        Some((Signature::Conforms, n)) => Answer::No(format!(
            "missing decision rule: {n} of {total} payloads conform to their contract"
        )),
        Some((Signature::Unreadable(sig), n)) => Answer::Yes(format!(
            "schema mismatch: the commonest signature ({n} of {total}) is a payload that cannot be read ({sig}), which no contract accepts"
        )),
        Some((Signature::Unchecked(why), n)) => Answer::Unknown(format!(
            "{n} of {total} payloads could not be checked ({why})"
        )),
        None => Answer::Unknown("no exceptions".into()),
    };

    let unchecked = matches!(dominant, Some((Signature::Unchecked(_), _)));
    // Whether the data arrived fine is exactly what an unchecked payload leaves open.
    let verdict = if unchecked {
        Verdict::Undecided
    } else {
        decide(&q1, &q2, &q3, &q4, &q5)
    };
    // Unreadable data: the handoff broke before anyone could judge the content.
    let unreadable = matches!(dominant, Some((Signature::Unreadable(_), _)));
    let decision = if s.handoff_failed as f64 > t.escalation_share * s.handoff_known.max(1) as f64
        || unchecked
        || unreadable
    {
        DecisionType::Escalated
    } else if verdict == Verdict::Both
        || q2.is_yes()
        || matches!(dominant, Some((Signature::Violates(_), _))) && !q1.is_yes()
    {
        // A rule decides only one deterministic case with one correct fix: a contract gap that
        // also needs a decision (`both`), handlers who resolve it differently, or violations
        // too scattered to share a fix each need a person.
        DecisionType::Judgment
    } else {
        DecisionType::Binary
    };
    Diagnosis {
        answers: [q1, q2, q3, q4, q5],
        verdict,
        decision,
    }
}

/// The decision flow: 1 no -> process; 2 yes -> process; 3 yes -> integration; 4 yes ->
/// process, no -> integration; question 5 decides what the flow leaves open. Where the flow
/// and question 5 disagree, both problems are present.
fn decide(q1: &Answer, q2: &Answer, q3: &Answer, q4: &Answer, q5: &Answer) -> Verdict {
    let flow = if q1.is_no() || q2.is_yes() {
        Some(Verdict::Process)
    } else if q3.is_yes() {
        Some(Verdict::Integration)
    } else if q4.is_yes() {
        Some(Verdict::Process)
    } else if q4.is_no() {
        Some(Verdict::Integration)
    } else {
        None
    };
    let schema = if q5.is_yes() {
        Some(Verdict::Integration)
    } else if q5.is_no() {
        Some(Verdict::Process)
    } else {
        None
    };
    match (flow, schema) {
        (Some(a), Some(b)) if a != b => Verdict::Both,
        (Some(a), _) | (None, Some(a)) => a,
        (None, None) => Verdict::Undecided,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(sig: Signature, who: &str, what: &str, handoff: bool) -> Case {
        Case {
            signature: sig,
            handled_by: Some(who.into()),
            resolution: Some(what.into()),
            retried: Some(true),
            retry_succeeded: Some(false),
            delivery: Some(if handoff {
                Delivery::Delivered
            } else {
                Delivery::Failed
            }),
        }
    }

    fn sku() -> Signature {
        Signature::Violates("storefront-order-to-erp /line_items/*/sku pattern_mismatch".into())
    }

    /// One case per row of docs/triage.md's decision-type table, in its order: the first row
    /// that holds decides.
    fn decision_table_cases() -> Vec<(&'static str, Vec<Case>, DecisionType)> {
        let n = |k: usize, f: &dyn Fn(usize) -> Case| (0..k).map(f).collect::<Vec<Case>>();
        let one_way = |sig: Signature, ok: bool| {
            n(20, &|i| {
                case(sig.clone(), ["ana", "ben"][i % 2], "fixed it", ok)
            })
        };
        vec![
            (
                "most deliveries failed in transport",
                n(20, &|i| {
                    case(sku(), ["ana", "ben"][i % 2], "fixed it", i % 4 == 0)
                }),
                DecisionType::Escalated,
            ),
            (
                "the payloads could not be read",
                one_way(
                    Signature::Unreadable("invalid_json: storefront-order-to-erp".into()),
                    true,
                ),
                DecisionType::Escalated,
            ),
            (
                "the payloads could not be checked",
                one_way(Signature::Unchecked("payload not found".into()), true),
                DecisionType::Escalated,
            ),
            (
                "a contract gap that also needs a decision (verdict both)",
                n(30, &|i| {
                    case(
                        sku(),
                        ["ana", "ben", "cy"][i % 3],
                        ["a", "b", "c"][i % 3],
                        true,
                    )
                }),
                DecisionType::Judgment,
            ),
            (
                "handlers resolve it differently (question 2 yes)",
                n(30, &|i| {
                    case(
                        Signature::Conforms,
                        ["ana", "ben", "cy"][i % 3],
                        ["a", "b", "c"][i % 3],
                        true,
                    )
                }),
                DecisionType::Judgment,
            ),
            (
                "violations too scattered to share one fix",
                n(20, &|i| {
                    let sig = Signature::Violates(format!(
                        "storefront-order-to-erp /f{} wrong_type",
                        i % 4
                    ));
                    case(sig, ["ana", "ben"][i % 2], "fixed it", true)
                }),
                DecisionType::Judgment,
            ),
            (
                "one consistent violation with a standard resolution",
                one_way(sku(), true),
                DecisionType::Binary,
            ),
            (
                "conforming data always handled the same way",
                one_way(Signature::Conforms, true),
                DecisionType::Binary,
            ),
        ]
    }

    #[test]
    fn each_row_of_the_decision_type_table_holds() {
        for (row, cases, decision) in decision_table_cases() {
            let d = diagnose(&cases, Thresholds::default());
            assert_eq!(d.decision, decision, "{row}: {d:#?}");
        }
        // The table in the docs has exactly these rows, in this order.
        let docs = include_str!("../../../../docs/triage.md");
        let table = &docs[docs
            .find("| first that holds | decision |")
            .expect("the table")..];
        let rows: Vec<(String, String)> = table
            .lines()
            .skip(2)
            .map(str::trim_start)
            .take_while(|l| l.starts_with('|'))
            .map(|l| {
                let cells: Vec<&str> = l.split('|').map(str::trim).collect();
                (cells[1].to_string(), cells[2].trim_matches('`').to_string())
            })
            .collect();
        let expected: Vec<(String, String)> = decision_table_cases()
            .into_iter()
            .map(|(row, _, d)| (row.to_string(), d.id().to_string()))
            .collect();
        assert_eq!(rows, expected);
    }

    #[test]
    fn lower_case_skus_are_an_integration_problem() {
        let cases: Vec<Case> = (0..40)
            .map(|i| case(sku(), ["ana", "ben"][i % 2], "corrected SKU in ERP", true))
            .collect();
        let d = diagnose(&cases, Thresholds::default());
        assert!(d.answers[0].is_yes(), "{:?}", d.answers[0]);
        assert!(d.answers[1].is_no());
        assert!(d.answers[2].is_no());
        assert!(d.answers[3].is_no(), "delivered, but not conforming");
        assert!(d.answers[4].is_yes());
        assert_eq!(d.verdict, Verdict::Integration);
        assert_eq!(
            d.answers[0].because(),
            "40 of 40 (100%) share one violation: storefront-order-to-erp /line_items/*/sku pattern_mismatch"
        );
    }

    #[test]
    fn a_return_reason_nobody_has_a_rule_for_is_a_process_problem() {
        let cases: Vec<Case> = (0..30)
            .map(|i| {
                case(
                    Signature::Conforms,
                    ["ana", "ben", "cy"][i % 3],
                    ["refund", "exchange", "escalate"][i % 3],
                    true,
                )
            })
            .collect();
        let d = diagnose(&cases, Thresholds::default());
        assert!(d.answers[0].is_no() && d.answers[1].is_yes() && d.answers[3].is_yes());
        assert!(d.answers[4].is_no());
        assert_eq!(d.verdict, Verdict::Process);
        assert_eq!(
            d.answers[1].because(),
            "3 handlers resolve it 3 ways and none is standard (the commonest, \"escalate\", in 33% of the routed exceptions, under 75%): \"escalate\" 10 (1 handler), \"exchange\" 10 (1 handler), \"refund\" 10 (1 handler)"
        );
    }

    #[test]
    fn a_standard_resolution_with_a_minority_doing_otherwise_is_not_routing_that_varies() {
        // 90 of 100 resolved one way by 4 of 5 handlers; the fifth did something else.
        let cases: Vec<Case> = (0..100)
            .map(|i| {
                let (who, what) = if i < 90 {
                    (["ana", "ben", "cy", "dee"][i % 4], "corrected the SKU")
                } else {
                    ("eve", "cancelled the line")
                };
                case(sku(), who, what, true)
            })
            .collect();
        let d = diagnose(&cases, Thresholds::default());
        assert_eq!(
            d.answers[1],
            Answer::No("a standard resolution: \"corrected the SKU\" in 90 of 100 routed exceptions (90%), by 4 of 5 handlers; also \"cancelled the line\" 10 (1 handler)".into())
        );
        assert_eq!(d.decision, DecisionType::Binary);
        // The rule is a setting: asked for 95%, 90% is not standard, and routing varies.
        let strict = Thresholds {
            standard_share: 0.95,
            ..Thresholds::default()
        };
        let d = diagnose(&cases, strict);
        assert!(d.answers[1].is_yes(), "{:?}", d.answers[1]);
        assert_eq!(d.decision, DecisionType::Judgment);
    }

    #[test]
    fn a_majority_resolution_only_a_few_handlers_use_is_not_standard() {
        // 80% resolved one way, but only by 1 of 4 handlers (the one who handles most).
        let cases: Vec<Case> = (0..100)
            .map(|i| {
                let (who, what) = if i < 80 {
                    ("ana", "reshipped")
                } else {
                    (
                        ["ben", "cy", "dee"][i % 3],
                        ["refunded", "called the store", "waited"][i % 3],
                    )
                };
                case(sku(), who, what, true)
            })
            .collect();
        let d = diagnose(&cases, Thresholds::default());
        let Answer::Yes(why) = &d.answers[1] else {
            panic!("{:?}", d.answers[1]);
        };
        assert!(
            why.starts_with("4 handlers resolve it 4 ways and none is standard (the commonest, \"reshipped\", in 80% of the routed exceptions, but by only 1 of 4 handlers): \"reshipped\" 80 (1 handler)"),
            "{why}"
        );
    }

    #[test]
    fn a_consistent_violation_resolved_three_ways_is_both() {
        let cases: Vec<Case> = (0..30)
            .map(|i| {
                case(
                    sku(),
                    ["ana", "ben", "cy"][i % 3],
                    ["a", "b", "c"][i % 3],
                    true,
                )
            })
            .collect();
        assert_eq!(
            diagnose(&cases, Thresholds::default()).verdict,
            Verdict::Both
        );
    }

    #[test]
    fn missing_columns_are_unknown_and_say_which_column_answers() {
        let cases = vec![Case {
            signature: sku(),
            handled_by: None,
            resolution: None,
            retried: None,
            retry_succeeded: None,
            delivery: None,
        }];
        let d = diagnose(&cases, Thresholds::default());
        assert_eq!(
            d.answers[1],
            Answer::Unknown("map the `handled_by` and `resolution` columns to answer".into())
        );
        assert!(matches!(d.answers[2], Answer::Unknown(_)));
        assert_eq!(
            d.answers[3],
            Answer::Unknown("map the `handoff_status` column to answer".into())
        );
        assert_eq!(
            d.verdict,
            Verdict::Integration,
            "question 5 decides what the flow leaves open"
        );
    }
}
