//! Machine-readable output: one JSON document, written as results arrive.
//!
//! Shape: `{"format_version": 1, "results": [...], "summary": {...}}`. `results` lists only
//! payloads with findings (a run over millions of valid payloads stays small); the summary
//! counts everything.

use super::Printer;
use crate::finding::PayloadResult;
use crate::report::Summary;
use serde::Serialize;
use std::io::{self, Write};

pub const FORMAT_VERSION: u32 = 1;

pub struct JsonPrinter<W: Write> {
    out: W,
    first: bool,
    started: bool,
}

impl<W: Write> JsonPrinter<W> {
    pub fn new(out: W) -> Self {
        JsonPrinter {
            out,
            first: true,
            started: false,
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            write!(
                self.out,
                "{{\"format_version\":{FORMAT_VERSION},\"tool\":{{\"name\":\"handoff\",\"version\":\"{}\"}},\"results\":[",
                env!("CARGO_PKG_VERSION")
            )?;
        }
        Ok(())
    }
}

#[derive(Serialize)]
struct SummaryOut<'s> {
    payloads: u64,
    valid: u64,
    invalid: u64,
    violations: u64,
    contracts: Vec<&'s str>,
    by_kind: &'s std::collections::BTreeMap<crate::finding::Kind, u64>,
    groups: Vec<crate::report::Row>,
}

impl<W: Write> Printer for JsonPrinter<W> {
    fn result(&mut self, result: &PayloadResult) -> io::Result<()> {
        self.start()?;
        if result.is_valid() {
            return Ok(());
        }
        if !self.first {
            self.out.write_all(b",")?;
        }
        self.first = false;
        serde_json::to_writer(&mut self.out, result)?;
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.start()?;
        let out = SummaryOut {
            payloads: summary.payloads,
            valid: summary.valid,
            invalid: summary.invalid,
            violations: summary.violations,
            contracts: summary.contracts.iter().map(String::as_str).collect(),
            by_kind: &summary.by_kind,
            groups: summary.rows(),
        };
        self.out.write_all(b"],\"summary\":")?;
        serde_json::to_writer(&mut self.out, &out)?;
        self.out.write_all(b"}\n")
    }
}
