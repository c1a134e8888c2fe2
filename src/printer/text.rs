//! Human-readable output: each failing payload with its findings, then a summary table.

use super::Printer;
use crate::finding::PayloadResult;
use crate::report::Summary;
use std::io::{self, Write};

pub struct TextPrinter<W: Write> {
    out: W,
    /// Also list payloads that passed.
    pub verbose: bool,
}

impl<W: Write> TextPrinter<W> {
    pub fn new(out: W) -> Self {
        TextPrinter {
            out,
            verbose: false,
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> Printer for TextPrinter<W> {
    fn result(&mut self, result: &PayloadResult) -> io::Result<()> {
        let out = &mut self.out;
        if result.is_valid() {
            if self.verbose {
                writeln!(out, "ok   {} ({})", result.source, result.contract)?;
            }
            return Ok(());
        }
        let n = result.findings.len();
        writeln!(
            out,
            "FAIL {} ({}): {n} violation{}",
            result.source,
            result.contract,
            if n == 1 { "" } else { "s" }
        )?;
        for f in &result.findings {
            if f.kind.is_payload_level() {
                writeln!(out, "  {}", f.kind)?;
            } else {
                let pointer = if f.pointer.is_empty() {
                    "(the payload)"
                } else {
                    &f.pointer
                };
                writeln!(out, "  {} at {pointer}", f.kind)?;
            }
            match &f.position {
                Some(p) => writeln!(
                    out,
                    "    --> {}:{}:{}",
                    result.source.path, p.line, p.column
                )?,
                None => writeln!(out, "    --> {}", result.source.path)?,
            }
            writeln!(out, "    problem:  {}", f.message)?;
            writeln!(out, "    expected: {}", f.expected)?;
            if let Some(loc) = &f.contract_location {
                writeln!(out, "    contract: {loc}")?;
            }
            if let Some(help) = &f.suggestion {
                writeln!(out, "    help:     {help}")?;
            }
        }
        writeln!(out)
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let out = &mut self.out;
        let contracts = summary.contracts.len();
        writeln!(
            out,
            "checked {} payload{} against {contracts} contract{}: {} valid, {} invalid, {} violation{}",
            summary.payloads,
            if summary.payloads == 1 { "" } else { "s" },
            if contracts == 1 { "" } else { "s" },
            summary.valid,
            summary.invalid,
            summary.violations,
            if summary.violations == 1 { "" } else { "s" },
        )?;
        let rows = summary.rows();
        if !rows.is_empty() {
            let width = |f: &dyn Fn(&crate::report::Row) -> usize, min: usize| {
                rows.iter().map(f).max().unwrap_or(0).max(min)
            };
            let kind_w = width(&|r| r.kind.id().len(), 4);
            let field_w = width(&|r| r.field.len().max(1), 5);
            writeln!(out)?;
            writeln!(
                out,
                "  {:>5}  {:kind_w$}  {:field_w$}  contract",
                "count", "kind", "field"
            )?;
            for r in &rows {
                let field = if r.field.is_empty() { "/" } else { &r.field };
                writeln!(
                    out,
                    "  {:>5}  {:kind_w$}  {:field_w$}  {}",
                    r.count,
                    r.kind.id(),
                    field,
                    r.contract
                )?;
            }
        }
        writeln!(out)?;
        if summary.invalid == 0 {
            writeln!(
                out,
                "result: pass, every payload satisfies its contract (exit code 0)"
            )
        } else {
            writeln!(
                out,
                "result: fail, {} of {} payloads violate their contract (exit code 1)",
                summary.invalid, summary.payloads
            )
        }
    }
}
