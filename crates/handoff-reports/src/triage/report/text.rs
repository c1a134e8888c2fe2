//! The triage report for the weekly review, in a terminal.

use super::{Report, describe_decision, signature_text};
use crate::printer::escape::text;
use crate::triage::framework::{Answer, QUESTIONS, Verdict};
use crate::triage::run;
use std::path::Path;

impl Report<'_> {
    pub(super) fn text(&self, path: &Path) -> String {
        let t = self.triage;
        let mut out = format!(
            "triage of {}: {}\nthresholds: {}\n{}\n",
            text(&path.display().to_string()),
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
                if let Some(words) =
                    super::feedback_words(&self.feedback, &signature_text(&p.signature), p.count)
                {
                    out.push_str(&format!("             {words}\n"));
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
        out.push_str(&self.review_gate_text());
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

    /// The recorded order truth gaps, per flow: the total, then each pair and kind.
    /// The review gate per repair rule, when anything was proposed in the window.
    fn review_gate_text(&self) -> String {
        if self.feedback.by_rule.is_empty() {
            return String::new();
        }
        let mut out = format!(
            "\nreview gate by repair rule (last {} days; docs/review.md):\n",
            self.feedback.window_days
        );
        for r in self.rule_rows() {
            out.push_str(&format!(
                "  {}: {} proposed, {} approved, {} rejected, false-positive rate {}, auto-resolution rate {} of {} exception{}\n",
                text(r.rule),
                r.counts.proposals,
                r.counts.approved,
                r.counts.rejected,
                super::rate_text(r.counts.false_positive_rate()),
                super::rate_text(r.auto_resolution_rate),
                r.of,
                if r.of == 1 { "" } else { "s" }
            ));
        }
        out
    }

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
}
