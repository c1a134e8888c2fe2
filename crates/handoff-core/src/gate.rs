//! What a check run's results decide: which findings a baseline already knows, which are
//! recorded as the next baseline, which fail the run (`--fail-on`), how many are itemised
//! (`--max-findings`, the rest still counted), and how the run ends ([`Outcome`]). The command
//! line, the Python package and the server pass every result through one [`Gate`], so a run
//! ends the same way wherever it runs.

use crate::baseline::{Baseline, Entry};
use crate::finding::PayloadResult;
pub use crate::report::Outcome;
use crate::report::{FailOn, Summary};
use std::collections::BTreeSet;

/// The policy results pass through, and what it has seen so far.
#[derive(Debug)]
pub struct Gate<'b> {
    baseline: Option<&'b Baseline>,
    fail_on: FailOn,
    /// Whether this run writes a baseline (then its findings do not fail it).
    recording: bool,
    budget: u64,
    seen: BTreeSet<Entry>,
    recorded: Baseline,
    failing: bool,
    unchecked: bool,
    summary: Summary,
}

impl<'b> Gate<'b> {
    /// A gate: findings `baseline` lists are known (counted, not reported); `fail_on` says
    /// which fail the run; `recording` collects every finding as the next baseline;
    /// `max_findings` bounds how many are itemised across the run.
    pub fn new(
        baseline: Option<&'b Baseline>,
        fail_on: FailOn,
        recording: bool,
        max_findings: Option<u64>,
    ) -> Gate<'b> {
        Gate {
            baseline,
            fail_on,
            recording,
            budget: max_findings.unwrap_or(u64::MAX),
            seen: BTreeSet::new(),
            recorded: Baseline::default(),
            failing: false,
            unchecked: false,
            summary: Summary::default(),
        }
    }

    /// Pass one result through: known findings leave it (counted in `known`), findings past
    /// the budget leave it (counted in the summary's `omitted`), and the rest is what to report.
    pub fn admit(&mut self, result: &mut PayloadResult) {
        if self.recording || self.baseline.is_some() {
            // Payload-level findings have no fingerprint: they are never known, never recorded.
            let entries: Vec<Option<Entry>> = result
                .findings
                .iter()
                .map(|f| Entry::of(&result.contract, f))
                .collect();
            if let Some(known) = self.baseline {
                let mut kept = Vec::with_capacity(result.findings.len());
                for (finding, entry) in std::mem::take(&mut result.findings)
                    .into_iter()
                    .zip(&entries)
                {
                    if entry.as_ref().is_some_and(|e| known.contains(e)) {
                        result.known += 1;
                    } else {
                        kept.push(finding);
                    }
                }
                result.findings = kept;
                self.seen.extend(entries.iter().flatten().cloned());
            }
            if self.recording {
                for entry in entries.into_iter().flatten() {
                    self.recorded.insert(entry);
                }
            }
        }
        // A payload that could not be checked at all always fails, whatever --fail-on says and
        // even while a baseline is written: nothing about it is known to be acceptable.
        self.unchecked |= result.findings.iter().any(|f| f.kind.is_payload_level());
        self.failing |= result.findings.iter().any(|f| self.fail_on.fails(f.kind));
        self.summary.add(result);
        let n = result.findings.len() as u64;
        if n > self.budget {
            self.summary.omitted += n - self.budget;
            result.findings.truncate(self.budget as usize);
        }
        self.budget -= result.findings.len() as u64;
    }

    /// The run's summary and outcome (`errors`: some input could not be checked), and the
    /// baseline recorded, when recording.
    pub fn finish(mut self, skipped: u64, errors: bool) -> (Summary, Option<Baseline>) {
        self.summary.skipped = skipped;
        if let Some(known) = self.baseline {
            self.summary.fixed = known.fixed(&self.seen);
        }
        self.summary.baseline_written = self.recording;
        self.summary.outcome = if errors {
            Outcome::Error
        } else if self.unchecked || (self.failing && !self.recording) {
            Outcome::Fail
        } else {
            Outcome::Pass
        };
        (self.summary, self.recording.then_some(self.recorded))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Finding, Kind, PayloadSource};

    fn result(kinds: &[Kind]) -> PayloadResult {
        PayloadResult {
            source: PayloadSource {
                path: "a.json".into(),
                line: None,
            },
            contract: "c@1.0.0".into(),
            findings: kinds
                .iter()
                .enumerate()
                .map(|(i, k)| Finding::bare(*k, format!("/f{i}"), Some("1")))
                .collect(),
            known: 0,
            unlisted: 0,
            text: None,
            text_origin: None,
        }
    }

    #[test]
    fn fail_on_budget_baseline_and_unchecked_payloads_decide_the_outcome() {
        let mut gate = Gate::new(
            None,
            FailOn::parse("missing_required").unwrap(),
            false,
            None,
        );
        gate.admit(&mut result(&[Kind::WrongType]));
        assert_eq!(gate.finish(0, false).0.outcome, Outcome::Pass);

        let mut gate = Gate::new(None, FailOn::Any, false, Some(1));
        let mut r = result(&[Kind::WrongType, Kind::WrongType, Kind::OutOfRange]);
        gate.admit(&mut r);
        assert_eq!(r.findings.len(), 1, "itemised within the budget");
        let (summary, recorded) = gate.finish(2, false);
        assert_eq!(
            (summary.violations, summary.omitted, summary.skipped),
            (3, 2, 2)
        );
        assert_eq!((summary.outcome, recorded.is_none()), (Outcome::Fail, true));

        // Recording a baseline passes the run on findings, never on unchecked payloads.
        let mut gate = Gate::new(None, FailOn::Any, true, None);
        gate.admit(&mut result(&[Kind::WrongType]));
        let (summary, recorded) = gate.finish(0, false);
        assert_eq!(summary.outcome, Outcome::Pass);
        let recorded = recorded.unwrap();
        assert_eq!(recorded.len(), 1);
        let mut gate = Gate::new(None, FailOn::Never, true, None);
        gate.admit(&mut result(&[Kind::InvalidJson]));
        assert_eq!(gate.finish(0, false).0.outcome, Outcome::Fail);

        // The recorded baseline makes the same finding known, and the run passes.
        let mut gate = Gate::new(Some(&recorded), FailOn::Any, false, None);
        let mut r = result(&[Kind::WrongType]);
        gate.admit(&mut r);
        assert!(r.findings.is_empty());
        let (summary, _) = gate.finish(0, true);
        assert_eq!((summary.known, summary.outcome), (1, Outcome::Error));
        assert_eq!(summary.outcome.exit_code(), 2);
    }
}
