//! Printers: render check results for people and machines.
//!
//! A printer receives each payload's result as the run produces it, then the summary. Printers
//! only format: they never filter findings (the caller applies baselines and `--max-findings`
//! first) and never decide the exit code.

pub mod changes;
pub mod diagnostics;
pub mod escape;
mod github;
mod json;
mod junit;
mod markdown;
mod ndjson;
mod sarif;
mod text;

pub use github::GithubPrinter;
pub use json::JsonPrinter;
pub use junit::JunitPrinter;
pub use markdown::MarkdownPrinter;
pub use ndjson::NdjsonPrinter;
pub use sarif::SarifPrinter;
pub use text::TextPrinter;

use crate::finding::PayloadResult;
use crate::report::Summary;
use std::collections::HashMap;
use std::io;
use std::sync::Arc;

pub trait Printer {
    fn result(&mut self, result: &PayloadResult) -> io::Result<()>;
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

/// An output format of `handoff check` (the doc comments are the command line's help).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: diagnostics with the payload and contract lines, and a summary
    Text,
    /// One JSON document (docs/output.schema.json)
    Json,
    /// One finding per line, streamed
    Ndjson,
    /// JUnit XML, one test case per payload
    Junit,
    /// SARIF 2.1.0, for code scanning
    Sarif,
    /// GitHub Actions annotations, and a job summary in $GITHUB_STEP_SUMMARY
    Github,
    /// A Markdown report for a pull-request comment
    Markdown,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &[
        "text", "json", "ndjson", "junit", "sarif", "github", "markdown",
    ];

    pub fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "text" => Format::Text,
            "json" => Format::Json,
            "ndjson" => Format::Ndjson,
            "junit" => Format::Junit,
            "sarif" => Format::Sarif,
            "github" => Format::Github,
            "markdown" => Format::Markdown,
            _ => return None,
        })
    }
}

/// Contract file texts by the path findings use, so printers can quote contract lines.
pub type Sources = HashMap<String, Arc<str>>;

/// The text of the line a finding's position is on, from the payload text kept for failing
/// payloads. An NDJSON record's stored text is its one line, whatever its line in the file.
pub(crate) fn payload_line(result: &PayloadResult, line: u64) -> Option<&str> {
    let index = if result.source.line.is_some() {
        0
    } else {
        line.checked_sub(1)? as usize
    };
    result.text.as_deref()?.lines().nth(index)
}

/// A 1-based column in characters as a 1-based column in UTF-16 code units, the unit SARIF
/// uses by default (and GitHub code scanning expects).
pub(crate) fn utf16_column(line: &str, column: u64) -> u64 {
    let units: usize = line
        .chars()
        .take(column.saturating_sub(1) as usize)
        .map(char::len_utf16)
        .sum();
    units as u64 + 1
}

/// One finding as a single line of plain text, for formats without layout.
pub(crate) fn one_line(f: &crate::finding::Finding) -> String {
    let mut text = if f.pointer.is_empty() {
        f.message.clone()
    } else {
        format!("{}: {}", f.pointer, f.message)
    };
    if !f.message.contains(&f.expected) {
        text.push_str(&format!("; expected {}", f.expected));
    }
    if let Some(help) = &f.suggestion {
        text.push_str(&format!("; {help}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_count_astral_characters_twice() {
        assert_eq!(utf16_column("ab", 3), 3);
        assert_eq!(utf16_column("é😀x", 3), 4);
    }
}
