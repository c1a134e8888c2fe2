//! Machine-readable output: one JSON document, written as results arrive.
//!
//! Shape (see `docs/output.schema.json`): `{"format_version": 1, "tool": {...}, "results":
//! [...], "summary": {...}}`. `results` lists only payloads with findings, so a run over
//! millions of valid payloads stays small; the summary counts everything.

use super::Printer;
use handoff_core::finding::PayloadResult;
use handoff_core::report::Summary;
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
    #[serde(flatten)]
    summary: &'s Summary,
    groups: Vec<handoff_core::report::Row>,
}

impl<W: Write> Printer for JsonPrinter<W> {
    fn result(&mut self, result: &PayloadResult) -> io::Result<()> {
        self.start()?;
        if result.findings.is_empty() {
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
        self.out.write_all(b"],\"summary\":")?;
        serde_json::to_writer(
            &mut self.out,
            &SummaryOut {
                summary,
                groups: summary.rows(),
            },
        )?;
        self.out.write_all(b"}\n")?;
        self.out.flush()
    }
}
