//! The triage report as one JSON document (docs/triage.schema.json), written as it is
//! serialised.

use super::{CodeView, Report, automatable, signature_text};
use crate::triage::framework::Answer;
use crate::triage::log;
use serde_json::json;
use std::path::Path;

impl Report<'_> {
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
            // Per routing rule: how often each repair rule's proposals were approved or wrong.
            "review_gate": self.rule_rows().iter().map(|r| json!({
                "rule": r.rule,
                "proposals": r.counts.proposals,
                "approved": r.counts.approved,
                "rejected": r.counts.rejected,
                "false_positive_rate": r.counts.false_positive_rate(),
                "auto_resolution_rate": r.auto_resolution_rate,
                "window_days": self.feedback.window_days,
            })).collect::<Vec<_>>(),
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
            "answers": d.answers.iter().zip(crate::triage::framework::QUESTION_IDS).enumerate().map(|(i, (a, id))| {
                let word = match (i, a) {
                    (4, Answer::Yes(_)) => "mismatch",
                    (4, Answer::No(_)) => "missing_rule",
                    _ => a.word(),
                };
                (id.to_string(), json!({"answer": word, "evidence": a.because()}))
            }).collect::<serde_json::Map<_, _>>(),
            "patterns": c.patterns.iter().map(|p| {
                let (earlier, returned) = self.pattern_history(p);
                let feedback = self.feedback.pattern(&signature_text(&p.signature));
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
                    // The review gate (triage/review.rs): repairs proposed for the pattern in the
                    // window, decided, and the rates those decisions give.
                    "feedback": json!({
                        "proposals": feedback.proposals,
                        "approved": feedback.approved,
                        "rejected": feedback.rejected,
                        "false_positive_rate": feedback.false_positive_rate(),
                        "auto_resolution_rate": self.feedback.auto_resolution(&signature_text(&p.signature), p.count).0,
                        "window_days": self.feedback.window_days,
                    }),
                    "recurs_after_contract_change": returned.map(|(before, now)| json!({"before": before, "now": now})),
                })
            }).collect::<Vec<_>>(),
        })
    }
}

/// The JSON report, written as it is serialised: each error code's object is built, written
/// and dropped in turn, so 30,000 codes do not hold a tree of every one in memory (640 MB
/// before) nor the whole text besides. Keys in the order `json!` sorts them.
pub(super) struct JsonReport<'r> {
    pub(super) report: &'r Report<'r>,
    pub(super) path: &'r Path,
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
