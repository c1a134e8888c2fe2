//! The triage report as one self-contained HTML page (the page itself: [`page`]).

use super::{
    Report, Route, answer_word, automatable, describe_decision, joined, numbered_questions,
    signature_text,
};
use std::collections::BTreeSet;
use std::path::Path;

mod page;

pub use page::STYLE;

impl Report<'_> {
    pub(super) fn html(&self, path: &Path) -> String {
        page::render(&self.page(path, None))
    }

    /// The report as a part of another page (the review workspace's weekly review): every
    /// card and table of the HTML report, without the page around them; style it with
    /// [`HTML_STYLE`](super::HTML_STYLE). Example log lines link to `example_link` + the line
    /// when given.
    pub fn html_section(&self, path: &Path, example_link: Option<&str>) -> String {
        page::body(&self.page(path, example_link))
    }

    fn page<'p>(&'p self, path: &Path, example_link: Option<&'p str>) -> page::Page<'p> {
        use page::{Card, Page};
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
                        .map(|(n, (q, a))| (q.clone(), answer_word(n, a), a.because()))
                        .collect(),
                    // The chart has a bar for every week, zero weeks included.
                    weekly: self
                        .every_week(c.weekly().into_iter().collect())
                        .into_iter()
                        .collect(),
                    patterns: c
                        .patterns
                        .iter()
                        .map(|p| {
                            let sig = signature_text(&p.signature);
                            let feedback = super::feedback_words(&self.feedback, &sig, p.count);
                            (p.count, sig, feedback)
                        })
                        .collect(),
                    boundaries: set(|r| &r.boundaries),
                    owners: set(|r| &r.owners),
                    resolvers: set(|r| &r.resolvers),
                    examples: c.examples.clone(),
                    decided: self
                        .decisions_for(&c.code.error_code, None)
                        .into_iter()
                        .map(describe_decision)
                        .collect(),
                }
            })
            .collect();
        Page {
            log: path.display().to_string(),
            summary: self.summary(),
            thresholds: format!("{}. {}", t.thresholds.describe(), self.hours_line()),
            cards,
            boundaries: self.by_boundary(),
            rules: self.rule_rows(),
            window_days: self.feedback.window_days,
            example_link,
            rejected: t
                .rejected
                .iter()
                .chain(&t.payloads_not_found)
                .map(|r| (r.line, r.reason.clone()))
                .collect(),
        }
    }
}
