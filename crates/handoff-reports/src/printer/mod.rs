//! Printers: render check results for people and machines.
//!
//! A printer receives each payload's result as the run produces it, then the summary. Printers
//! only format: they never filter findings (the caller applies baselines and `--max-findings`
//! first) and never decide the exit code.

pub mod changes;
pub mod diagnostics;
pub use handoff_core::escape;
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

use handoff_core::finding::PayloadResult;
use handoff_core::report::Summary;
use handoff_core::text_index::TextIndex;
use std::collections::HashMap;
use std::io;
use std::sync::Arc;

pub trait Printer {
    fn result(&mut self, result: &PayloadResult) -> io::Result<()>;
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

/// An output format of a report. Every report is offered in some of them: `handoff check` in
/// [`Format::CHOICES`], reconcile and triage in the `FORMATS` of their report modules; each
/// table says what the format is for in that report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `text`
    Text,
    /// `json`
    Json,
    /// `ndjson`
    Ndjson,
    /// `junit`
    Junit,
    /// `sarif`
    Sarif,
    /// `github`
    Github,
    /// `markdown`
    Markdown,
    /// `html`: one self-contained page (triage, reconcile)
    Html,
}

impl Format {
    /// Every format: its name on the command line and in handoff.yaml, the format, and what it
    /// is for (the command line's help).
    pub const CHOICES: &'static [(&'static str, Format, &'static str)] = &[
        (
            "text",
            Format::Text,
            "For people: diagnostics with the payload and contract lines, and a summary",
        ),
        (
            "json",
            Format::Json,
            "One JSON document (docs/output.schema.json)",
        ),
        ("ndjson", Format::Ndjson, "One finding per line, streamed"),
        (
            "junit",
            Format::Junit,
            "JUnit XML, one test case per payload",
        ),
        ("sarif", Format::Sarif, "SARIF 2.1.0, for code scanning"),
        (
            "github",
            Format::Github,
            "GitHub Actions annotations, and a job summary in $GITHUB_STEP_SUMMARY",
        ),
        (
            "markdown",
            Format::Markdown,
            "A Markdown report for a pull-request comment",
        ),
    ];

    /// The format's name on the command line and in handoff.yaml.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }

    /// The names of [`Format::CHOICES`], in order.
    pub fn names() -> impl Iterator<Item = &'static str> {
        Format::CHOICES.iter().map(|(name, ..)| *name)
    }

    /// The format of this name, if there is one.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::CHOICES
            .iter()
            .find(|(n, ..)| *n == name)
            .map(|(_, format, _)| *format)
    }
}

/// Contract file texts by the path findings use, so printers can quote contract lines.
pub type Sources = HashMap<String, Arc<str>>;

/// A failing payload's kept text, indexed once for all of its findings, so that quoting the
/// line of each finding and converting its column cost the same for the first finding and
/// the 300,000th.
pub(crate) struct PayloadText<'r> {
    index: Option<TextIndex<'r>>,
    /// Where the kept text starts in the file: an NDJSON record's text is its one line, an X12
    /// transaction set's or a CSV row's is the part of the file it came from.
    origin: (u64, u64),
}

impl<'r> PayloadText<'r> {
    pub(crate) fn new(result: &'r PayloadResult) -> Self {
        let origin = match (&result.text_origin, result.source.line) {
            (Some(p), _) => (p.line, p.column),
            (None, Some(line)) => (line, 1),
            (None, None) => (1, 1),
        };
        PayloadText {
            index: result.text.as_deref().map(TextIndex::new),
            origin,
        }
    }

    /// A file line as a line of the kept text; `None` before the text starts.
    fn index_line(&self, line: u64) -> Option<u64> {
        line.checked_sub(self.origin.0).map(|l| l + 1)
    }

    /// Whether the kept text holds the whole of file line `line` from its first character (it
    /// does not when a record starts in the middle of a line, as X12 sets on one line do).
    pub(crate) fn whole_line(&self, line: u64) -> bool {
        line != self.origin.0 || self.origin.1 == 1
    }

    /// A file position's column within the kept text's line.
    pub(crate) fn column(&self, line: u64, column: u64) -> Option<u64> {
        if line == self.origin.0 {
            column.checked_sub(self.origin.1 - 1).filter(|c| *c >= 1)
        } else {
            Some(column)
        }
    }

    /// The text of the line a finding's position is on (from the text's start, when the text
    /// starts inside a file line).
    pub(crate) fn line(&self, line: u64) -> Option<&'r str> {
        self.index.as_ref()?.line(self.index_line(line)?)
    }

    /// The byte offset, within its line, of a finding's 1-based character column.
    pub(crate) fn offset_in_line(&self, line: u64, column: u64) -> Option<usize> {
        let index = self.index.as_ref()?;
        let column = self.column(line, column)?;
        let line = self.index_line(line)?;
        Some(index.offset(line, column)? - index.line_start(line)?)
    }

    /// A 1-based column in characters as a 1-based column in UTF-16 code units, the unit SARIF
    /// uses by default (and GitHub code scanning expects).
    pub(crate) fn utf16_column(&self, line: u64, column: u64) -> u64 {
        let shift = if line == self.origin.0 {
            self.origin.1 - 1
        } else {
            0
        };
        self.column(line, column)
            .and_then(|c| {
                self.index
                    .as_ref()
                    .and_then(|i| i.utf16_column(self.index_line(line)?, c))
            })
            .map_or(column, |c| c + shift)
    }
}

/// One finding as a single line of plain text, for formats without layout.
pub(crate) fn one_line(f: &handoff_core::finding::Finding) -> String {
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
    use handoff_core::finding::PayloadSource;

    #[test]
    fn utf16_columns_count_astral_characters_twice() {
        let result = PayloadResult {
            source: PayloadSource {
                path: "p.ndjson".into(),
                line: Some(7),
            },
            contract: "c@1.0.0".into(),
            findings: Vec::new(),
            known: 0,
            unlisted: 0,
            text: Some("é😀x".into()),
            text_origin: None,
        };
        let text = PayloadText::new(&result);
        assert_eq!(text.line(7), Some("é😀x"));
        assert_eq!(text.utf16_column(7, 3), 4);
        assert_eq!(text.offset_in_line(7, 3), Some(6));
    }
}
