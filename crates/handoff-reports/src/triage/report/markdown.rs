//! The triage report in Markdown, for the review document or a pull request.

use super::{
    Report, answer_word, automatable, describe_decision, joined, numbered_questions, signature_text,
};
use crate::triage::framework::Verdict;
use crate::triage::run;
use std::path::Path;

impl Report<'_> {
    pub(super) fn markdown(&self, path: &Path) -> String {
        use crate::printer::escape::md_code;
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
            let mut gate = Vec::new();
            for p in &c.patterns {
                let sig = signature_text(&p.signature);
                md.push_str(&format!("| {} | {} |\n", p.count, md_code(&sig)));
                if let Some(words) = super::feedback_words(&self.feedback, &sig, p.count) {
                    gate.push(format!("- {}: {}\n", md_code(&sig), words));
                }
            }
            if !gate.is_empty() {
                md.push_str("\nReview gate:\n\n");
                md.push_str(&gate.concat());
            }
            let lines: Vec<String> = c.examples.iter().map(u64::to_string).collect();
            md.push_str(&format!("\nExamples: log lines {}.\n", lines.join(", ")));
            if let Some(route) = self.route_line(c) {
                md.push_str(&format!("\nRoute: {}.\n", md_code(&route)));
            }
        }
        if !self.feedback.by_rule.is_empty() {
            md.push_str(&format!(
                "\n### Review gate by repair rule\n\nProposals made in the last {} days ([docs/review.md](docs/review.md)).\n\n| rule | proposed | approved | rejected | false-positive rate | auto-resolution rate |\n|---|---:|---:|---:|---:|---:|\n",
                self.feedback.window_days
            ));
            for r in self.rule_rows() {
                md.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} of {} |\n",
                    md_code(r.rule),
                    r.counts.proposals,
                    r.counts.approved,
                    r.counts.rejected,
                    super::rate_text(r.counts.false_positive_rate()),
                    super::rate_text(r.auto_resolution_rate),
                    r.of
                ));
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
}
