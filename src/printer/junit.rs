//! JUnit XML for CI test tabs: one test suite per contract, one test case per payload (per
//! NDJSON record), failing with its findings. The report is written at the end, since JUnit's
//! counts come first in the document.

use super::{Printer, one_line};
use crate::finding::PayloadResult;
use crate::report::Summary;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;
use std::io::{self, Write};

pub struct JunitPrinter<W: Write> {
    out: W,
    suites: BTreeMap<String, Vec<TestCase>>,
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
        let status = if result.findings.is_empty() {
            TestCaseStatus::success()
        } else {
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
        self.suites
            .entry(result.contract.to_string())
            .or_default()
            .push(case);
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        let mut report = Report::new("handoff");
        for (contract, cases) in std::mem::take(&mut self.suites) {
            let mut suite = TestSuite::new(contract);
            suite.add_test_cases(cases);
            report.add_test_suite(suite);
        }
        report.serialize(&mut self.out).map_err(io::Error::other)?;
        self.out.flush()
    }
}
