//! GitHub Actions: workflow commands that annotate the payload files in the run and pull
//! request views, and a Markdown job summary.
//!
//! GitHub shows only the first ten error annotations of a step, so the first ten findings are
//! annotated and a notice says how many more there are; the full report goes to the job
//! summary file (`$GITHUB_STEP_SUMMARY`) when the caller passes one.

use super::markdown::Collector;
use super::{Printer, escape, one_line};
use handoff_core::finding::PayloadResult;
use handoff_core::report::Summary;
use std::io::{self, Write};
use std::path::PathBuf;

/// Error annotations GitHub displays per step.
pub const MAX_ANNOTATIONS: usize = 10;

pub struct GithubPrinter<W: Write> {
    out: W,
    step_summary: Option<PathBuf>,
    annotated: usize,
    not_annotated: usize,
    collector: Collector,
}

impl<W: Write> GithubPrinter<W> {
    pub fn new(out: W, step_summary: Option<PathBuf>) -> Self {
        GithubPrinter {
            out,
            step_summary,
            annotated: 0,
            not_annotated: 0,
            collector: Collector::default(),
        }
    }
}

/// Escaping for a workflow command's message. Payload-derived parts are passed through
/// [`escape::text`] before they are put together, so the only line breaks left are handoff's own.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping for a workflow command's properties (`file=...,line=...`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

impl<W: Write> Printer for GithubPrinter<W> {
    fn result(&mut self, result: &PayloadResult) -> io::Result<()> {
        self.collector.add(result);
        for f in &result.findings {
            if self.annotated >= MAX_ANNOTATIONS {
                self.not_annotated += 1;
                continue;
            }
            self.annotated += 1;
            let mut props = format!(
                "file={}",
                escape_property(&escape::text(&result.source.path))
            );
            if let Some(p) = &f.position {
                props.push_str(&format!(",line={},col={}", p.line, p.column));
            }
            let title = if f.pointer.is_empty() {
                f.kind.id().to_string()
            } else {
                format!("{} at {}", f.kind, f.pointer)
            };
            props.push_str(&format!(
                ",title={}",
                escape_property(&escape::text(&title))
            ));
            let mut message = escape::text(&one_line(f)).into_owned();
            if let Some(c) = &f.contract_location {
                message.push_str(&format!("\ncontract: {} ({c})", result.contract));
            }
            writeln!(self.out, "::error {props}::{}", escape_data(&message))?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        if self.not_annotated > 0 {
            writeln!(
                self.out,
                "::notice title=handoff::{} more finding{} not annotated (GitHub shows {MAX_ANNOTATIONS} per step); see the job summary",
                self.not_annotated,
                if self.not_annotated == 1 { "" } else { "s" }
            )?;
        }
        writeln!(
            self.out,
            "handoff: checked {} payloads: {} valid, {} invalid, {} violations",
            summary.payloads, summary.valid, summary.invalid, summary.violations
        )?;
        if let Some(path) = &self.step_summary {
            let named = |e: io::Error| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "GITHUB_STEP_SUMMARY {}: {e}",
                        super::escape::text(&path.display().to_string())
                    ),
                )
            };
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(named)?;
            file.write_all(self.collector.render(summary).as_bytes())
                .map_err(named)?;
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_escaping() {
        assert_eq!(escape_data("50% off\nnext"), "50%25 off%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
        // Payload text is made visible before it is composed: a forged command cannot start
        // a line, and ESC cannot reach the log viewer.
        assert_eq!(
            escape_data(&escape::text("x\n::stop-commands::t\u{1b}[2K")),
            "x\\n::stop-commands::t\\u{1b}[2K"
        );
    }
}
