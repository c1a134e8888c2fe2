//! JUnit XML for CI test tabs: one test suite per contract, one failing test case per payload
//! (per NDJSON record) with findings, and one passing case that counts the payloads that
//! satisfied the contract. The suite's `tests` and `failures` attributes count every payload.
//! The report is written at the end, since JUnit's counts come first in the document; keeping
//! passing payloads as a count, and at most [`LISTED_FAILURES`] failing cases per suite, keeps
//! memory flat however many payloads a run checks.

use super::{Printer, one_line};
use handoff_core::finding::PayloadResult;
use handoff_core::report::Summary;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Failing payloads listed as test cases per suite; the rest are counted in one case.
pub const LISTED_FAILURES: usize = 10_000;

pub struct JunitPrinter<W: Write> {
    out: W,
    suites: BTreeMap<String, Suite>,
}

#[derive(Default)]
struct Suite {
    failing: Vec<TestCase>,
    passed: u64,
    failed: u64,
}

impl<W: Write> JunitPrinter<W> {
    pub fn new(out: W) -> Self {
        JunitPrinter {
            out,
            suites: BTreeMap::new(),
        }
    }
}

impl<W: Write> Printer for JunitPrinter<W> {
    fn result(&mut self, result: &PayloadResult) -> io::Result<()> {
        let suite = self.suites.entry(result.contract.to_string()).or_default();
        if result.findings.is_empty() {
            suite.passed += 1;
            return Ok(());
        }
        suite.failed += 1;
        if suite.failing.len() >= LISTED_FAILURES {
            return Ok(());
        }
        let status = {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let n = result.findings.len();
            let kinds: Vec<&str> = result.findings.iter().map(|f| f.kind.id()).collect();
            status.set_message(format!(
                "{n} violation{}: {}",
                if n == 1 { "" } else { "s" },
                kinds.join(", ")
            ));
            status.set_type(result.findings[0].kind.id());
            let details: Vec<String> = result
                .findings
                .iter()
                .map(|f| {
                    let at = f
                        .position
                        .as_ref()
                        .map(|p| format!("{}:{}:{}", result.source.path, p.line, p.column));
                    let contract = f
                        .contract_location
                        .as_ref()
                        .map(|c| format!(" [contract {c}]"))
                        .unwrap_or_default();
                    format!(
                        "{} at {}: {}{contract}",
                        f.kind,
                        at.unwrap_or_else(|| result.source.to_string()),
                        one_line(f)
                    )
                })
                .collect();
            status.set_description(details.join("\n"));
            status
        };
        let mut case = TestCase::new(result.source.to_string(), status);
        case.set_classname(result.contract.clone());
        suite.failing.push(case);
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        let mut report = Report::new("handoff");
        for (contract, state) in std::mem::take(&mut self.suites) {
            let mut suite = TestSuite::new(contract.clone());
            let unlisted = state.failed - state.failing.len() as u64;
            suite.add_test_cases(state.failing);
            if unlisted > 0 {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(format!(
                    "{unlisted} more failing payload{} not listed (at most {LISTED_FAILURES} per contract); the json, ndjson and sarif formats list every finding",
                    if unlisted == 1 { "" } else { "s" }
                ));
                let mut case = TestCase::new(format!("{unlisted} more failing payloads"), status);
                case.set_classname(contract.clone());
                suite.add_test_case(case);
            }
            if state.passed > 0 {
                let mut case = TestCase::new(
                    format!(
                        "{} payload{} satisfy the contract",
                        state.passed,
                        if state.passed == 1 { "" } else { "s" }
                    ),
                    TestCaseStatus::success(),
                );
                case.set_classname(contract);
                suite.add_test_case(case);
            }
            // Every payload is a test, listed or counted.
            suite.tests = (state.passed + state.failed) as usize;
            suite.failures = state.failed as usize;
            report.add_test_suite(suite);
        }
        report.serialize(&mut self.out).map_err(io::Error::other)?;
        self.out.flush()
    }
}
