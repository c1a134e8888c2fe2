//! Streamable output: one JSON object per finding, one per line, written as found.
//!
//! Each line is a finding with its payload `source` and `contract` added (see
//! `docs/output.schema.json`, `$defs/ndjson_line`). Nothing else is written, so the stream can
//! be piped into `jq`, a log shipper or a database as it runs.

use super::Printer;
use handoff_core::finding::{Finding, PayloadResult, PayloadSource};
use handoff_core::report::Summary;
use serde::Serialize;
use std::io::{self, Write};

pub struct NdjsonPrinter<W: Write> {
    out: W,
}

impl<W: Write> NdjsonPrinter<W> {
    pub fn new(out: W) -> Self {
        NdjsonPrinter { out }
    }
}

#[derive(Serialize)]
struct Line<'r> {
    source: &'r PayloadSource,
    contract: &'r str,
    #[serde(flatten)]
    finding: &'r Finding,
}

impl<W: Write> Printer for NdjsonPrinter<W> {
    fn result(&mut self, result: &PayloadResult) -> io::Result<()> {
        for finding in &result.findings {
            serde_json::to_writer(
                &mut self.out,
                &Line {
                    source: &result.source,
                    contract: &result.contract,
                    finding,
                },
            )?;
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        self.out.flush()
    }
}
