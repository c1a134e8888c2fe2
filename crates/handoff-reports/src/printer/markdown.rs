//! Markdown for a pull-request comment or a CI job summary: the verdict, a table per contract,
//! the recurring violations by field and kind, and the first findings in detail.

use super::{Printer, escape, one_line};
use handoff_core::finding::PayloadResult;
use handoff_core::gate::Outcome;
use handoff_core::report::Summary;
use std::io::{self, Write};

/// Findings listed in detail; the tables count all of them.
pub const DETAILED_FINDINGS: usize = 50;

pub struct MarkdownPrinter<W: Write> {
    out: W,
    collector: Collector,
}

impl<W: Write> MarkdownPrinter<W> {
    pub fn new(out: W) -> Self {
        MarkdownPrinter {
            out,
            collector: Collector::default(),
        }
    }
}

/// The first findings, kept for the details table.
#[derive(Default)]
pub(crate) struct Collector {
    details: Vec<[String; 4]>,
    total: usize,
}

impl Collector {
    pub(crate) fn add(&mut self, result: &PayloadResult) {
        for f in &result.findings {
            self.total += 1;
            if self.details.len() < DETAILED_FINDINGS {
                let at = match &f.position {
                    Some(p) => format!("{}:{}", result.source.path, p.line),
                    None => result.source.to_string(),
                };
                let pointer = if f.pointer.is_empty() {
                    "/".to_string()
                } else {
                    f.pointer.clone()
                };
                self.details
                    .push([at, pointer, f.kind.id().to_string(), one_line(f)]);
                // Each cell is escaped when rendered: see `render`.
            }
        }
    }

    /// The whole report.
    pub(crate) fn render(&self, summary: &Summary) -> String {
        let mut md = String::new();
        let mark = if summary.outcome == Outcome::Pass && summary.invalid == 0 && summary.known == 0
        {
            "✅"
        } else if summary.outcome == Outcome::Pass {
            "⚠️"
        } else {
            "❌"
        };
        let verdict = format!(
            "{mark} handoff: {} ({} payloads, {} violation{})",
            handoff_core::report::verdict(summary),
            summary.payloads,
            summary.violations,
            if summary.violations == 1 { "" } else { "s" }
        );
        md.push_str(&format!("### {verdict}\n\n"));
        md.push_str("| contract | payloads | invalid | violations |\n|---|---:|---:|---:|\n");
        for (contract, c) in &summary.by_contract {
            md.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                escape::md_code(contract),
                c.payloads,
                c.invalid,
                c.violations
            ));
        }
        let rows = summary.rows();
        if !rows.is_empty() {
            md.push_str("\n**Violations by field and kind**\n\n| count | kind | field | contract |\n|---:|---|---|---|\n");
            for r in &rows {
                let field = if r.field.is_empty() { "/" } else { &r.field };
                md.push_str(&format!(
                    "| {} | `{}` | {} | {} |\n",
                    r.count,
                    r.kind.id(),
                    escape::md_code(&escape::cut(field, 120)),
                    escape::md_code(&r.contract)
                ));
            }
        }
        if summary.known > 0 || !summary.fixed.is_empty() {
            md.push_str(&format!(
                "\nBaseline: {} known finding(s) not reported; {} baseline entr{} fixed.\n",
                summary.known,
                summary.fixed.len(),
                if summary.fixed.len() == 1 { "y" } else { "ies" }
            ));
        }
        if !self.details.is_empty() {
            let shown = self.details.len();
            let title = if self.total > shown {
                format!("First {shown} of {} findings", self.total)
            } else {
                format!("{shown} finding{}", if shown == 1 { "" } else { "s" })
            };
            md.push_str(&format!("\n<details><summary>{title}</summary>\n\n| payload | pointer | kind | finding |\n|---|---|---|---|\n"));
            for [at, pointer, kind, text] in &self.details {
                md.push_str(&format!(
                    "| {} | {} | `{kind}` | {} |\n",
                    escape::md_code(at),
                    escape::md_code(&escape::cut(pointer, 120)),
                    escape::md_code(text)
                ));
            }
            md.push_str("\n</details>\n");
        }
        md
    }
}

impl<W: Write> Printer for MarkdownPrinter<W> {
    fn result(&mut self, result: &PayloadResult) -> io::Result<()> {
        self.collector.add(result);
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.out
            .write_all(self.collector.render(summary).as_bytes())?;
        self.out.flush()
    }
}
