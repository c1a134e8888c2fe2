//! Human-readable output, in the style of rustc and cargo diagnostics: for each finding, the
//! payload line with the offending value underlined, then the contract line that declares the
//! rule; a summary table at the end. Colour is emitted as ANSI styles; the caller's stream
//! (anstream) strips it when colour is off (NO_COLOR, a pipe, a file).

use super::{PayloadText, Printer, Sources, escape};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use handoff_core::finding::{Finding, Kind, PayloadResult};
use handoff_core::report::{Row, Summary};
use std::io::{self, Write};

/// Lines up to this length are given to the renderer whole. Longer ones, such as a minified
/// capture or an NDJSON record, are cut to a window around the value: rendering stays cheap, and
/// a report quotes as little of a customer's payload as it needs to; the exact location is then
/// stated in a note.
const WHOLE_LINE_CHARS: usize = 160;
/// Characters shown either side of a value in a cut line.
const WINDOW_CHARS: usize = 40;
/// Widest field shown in the summary table; longer pointers are cut in the middle.
const MAX_FIELD_CHARS: usize = 80;

pub struct TextPrinter<W: Write> {
    out: W,
    sources: Sources,
    renderer: Renderer,
    /// Also list payloads that passed.
    pub verbose: bool,
    /// Print only the summary.
    pub quiet: bool,
}

impl<W: Write> TextPrinter<W> {
    pub fn new(out: W, sources: Sources) -> Self {
        TextPrinter {
            out,
            sources,
            renderer: Renderer::styled(),
            verbose: false,
            quiet: false,
        }
    }

    fn finding(
        &mut self,
        result: &PayloadResult,
        text: &PayloadText<'_>,
        f: &Finding,
    ) -> io::Result<()> {
        let path = escape::text(&result.source.path);
        let path: &str = &path;
        let title = if f.kind.is_payload_level() || f.pointer.is_empty() {
            escape::text(&f.message).into_owned()
        } else {
            let pointer = escape::cut(&f.pointer, MAX_FIELD_CHARS);
            escape::text(&format!("{pointer}: {}", f.message)).into_owned()
        };
        let expected = escape::text(&f.expected);
        let mut group = Group::with_title(Level::ERROR.primary_title(title).id(f.kind.id()));
        // A redacted value is not quoted, not even in its line.
        let line = f
            .position
            .as_ref()
            .filter(|_| !f.redacted)
            .filter(|pos| text.column(pos.line, pos.column).is_some())
            .and_then(|pos| text.line(pos.line).map(|line| (pos, line)));
        match line {
            Some((pos, line)) if line.len() <= WHOLE_LINE_CHARS && text.whole_line(pos.line) => {
                let line = escape::line(line);
                let column = text.column(pos.line, pos.column).unwrap_or(1);
                let (start, end) = char_span(&line, column as usize, span_chars(f));
                group = group.element(
                    Snippet::source(line)
                        .line_start(pos.line as usize)
                        .path(path)
                        .annotation(
                            AnnotationKind::Primary
                                .span(start..end)
                                .label(expected.clone()),
                        ),
                );
            }
            Some((pos, line)) => {
                let start = text
                    .offset_in_line(pos.line, pos.column)
                    .unwrap_or(line.len());
                let (excerpt, span) = window(line, start, span_chars(f));
                group = group
                    .element(Level::NOTE.message(format!(
                        "at {path}:{}:{} (a long line, shown in part)",
                        pos.line, pos.column
                    )))
                    .element(
                        Snippet::source(excerpt)
                            .line_start(pos.line as usize)
                            .annotation(AnnotationKind::Primary.span(span).label(expected.clone())),
                    );
            }
            None => {
                let at = match &f.position {
                    Some(pos) => format!("{path}:{}:{}", pos.line, pos.column),
                    None => path.to_string(),
                };
                group = group
                    .element(Level::NOTE.message(format!("in {at}")))
                    .element(Level::NOTE.message(format!("expected: {expected}")));
                if f.redacted {
                    group = group.element(Level::NOTE.message(if f.sensitive.is_some() {
                        "the value is not shown: the contract marks this field sensitive"
                    } else {
                        "the value is not shown (--redact all)"
                    }));
                }
            }
        }
        let contract_line = f.contract_location.as_ref().and_then(|loc| {
            let text = self.sources.get(&loc.file)?;
            let line = text.lines().nth(loc.line as usize - 1)?;
            Some((loc, escape::line(line).into_owned()))
        });
        if let Some((loc, line)) = &contract_line {
            let start = line
                .char_indices()
                .nth(loc.column as usize - 1)
                .map_or(0, |(i, _)| i);
            let end = line[start..]
                .find(':')
                .map_or(line.len(), |i| start + i)
                .max(start + 1)
                .min(line.len());
            group = group.element(
                Snippet::source(line.as_str())
                    .line_start(loc.line as usize)
                    .path(escape::text(&loc.file))
                    .annotation(
                        AnnotationKind::Context
                            .span(start..end)
                            .label(format!("declared by {}", result.contract)),
                    ),
            );
        }
        if let Some(x12) = &f.x12 {
            let element = x12
                .element
                .as_ref()
                .map_or(String::new(), |e| format!(", element {e}"));
            let note = escape::text(&format!(
                "X12 segment {} ({}){element}",
                x12.segment_position, x12.segment_id
            ))
            .into_owned();
            group = group.element(Level::NOTE.message(note));
        }
        if let Some(csv) = &f.csv {
            let column = match (&csv.column, csv.column_index) {
                (Some(name), Some(i)) => format!(", column `{name}` ({i})"),
                _ => String::new(),
            };
            let note = escape::text(&format!("CSV row {}{column}", csv.row)).into_owned();
            group = group.element(Level::NOTE.message(note));
        }
        if let Some(help) = &f.suggestion {
            group = group.element(Level::HELP.message(escape::text(help)));
        }
        let report: [Group<'_>; 1] = [group];
        writeln!(self.out, "{}\n", self.renderer.render(&report))
    }
}

/// How many characters the finding's value spans in the text.
fn span_chars(f: &Finding) -> usize {
    match (f.kind, &f.value) {
        (Kind::UnknownField, _) => f
            .pointer
            .rsplit('/')
            .next()
            .map_or(1, |k| k.chars().count() + 2),
        (_, Some(v)) => v.lines().next().map_or(1, |l| l.chars().count()).max(1),
        _ => 1,
    }
}

/// The byte span in `line` of `len` characters from 1-based character `column`. A position
/// just past the end (an unexpected end of input) gets a one-byte span at the end.
fn char_span(line: &str, column: usize, len: usize) -> (usize, usize) {
    let mut offsets = line
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(line.len()));
    let start = offsets.nth(column.saturating_sub(1)).unwrap_or(line.len());
    let end = line[start..]
        .char_indices()
        .map(|(i, _)| start + i)
        .chain(std::iter::once(line.len()))
        .nth(len)
        .unwrap_or(line.len());
    (start, end.max(start))
}

/// The part of `line` around the value that starts at byte `start` and spans `len`
/// characters, with control characters made visible, and the value's byte span within it.
/// Only the window is walked, so a finding on a 50 MB line costs what one on a short line does.
fn window(line: &str, start: usize, len: usize) -> (String, std::ops::Range<usize>) {
    let start = start.min(line.len());
    let from = line[..start]
        .char_indices()
        .rev()
        .nth(WINDOW_CHARS - 1)
        .map_or(0, |(i, _)| i);
    let end = line[start..]
        .char_indices()
        .nth(len)
        .map_or(line.len(), |(i, _)| start + i);
    let to = line[end..]
        .char_indices()
        .nth(WINDOW_CHARS)
        .map_or(line.len(), |(i, _)| end + i);
    let mut shown = String::new();
    if from > 0 {
        shown.push('…');
    }
    shown.push_str(&escape::line(&line[from..start]));
    let value_start = shown.len();
    let value = escape::line(&line[start..end]);
    shown.push_str(&value);
    let value_end = shown.len().max(value_start + usize::from(value.is_empty()));
    shown.push_str(&escape::line(&line[end..to]));
    if to < line.len() {
        shown.push('…');
    }
    if value.is_empty() {
        // Point just past the end (an unexpected end of input): give the caret a place.
        shown.push(' ');
    }
    (shown, value_start..value_end)
}

impl<W: Write> Printer for TextPrinter<W> {
    fn result(&mut self, result: &PayloadResult) -> io::Result<()> {
        if self.quiet {
            return Ok(());
        }
        if result.is_valid() {
            if self.verbose {
                writeln!(
                    self.out,
                    "ok   {} ({})",
                    escape::text(&result.source.to_string()),
                    result.contract
                )?;
            }
            return Ok(());
        }
        if result.findings.is_empty() {
            return Ok(());
        }
        let n = result.findings.len();
        let known = match result.known {
            0 => String::new(),
            k => format!(", {k} known"),
        };
        writeln!(
            self.out,
            "FAIL {} ({}): {n} violation{}{known}\n",
            escape::text(&result.source.to_string()),
            result.contract,
            plural(n as u64)
        )?;
        let text = PayloadText::new(result);
        for f in &result.findings {
            self.finding(result, &text, f)?;
        }
        if result.unlisted > 0 {
            writeln!(
                self.out,
                "… and {} more violation{} in this payload, counted but not itemised (at most {} per payload are)\n",
                result.unlisted,
                plural(result.unlisted),
                handoff_core::check::MAX_VIOLATIONS_PER_PAYLOAD
            )?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let out = &mut self.out;
        let contracts = summary.by_contract.len();
        writeln!(
            out,
            "checked {} payload{} against {contracts} contract{}: {} valid, {} invalid, {} violation{}",
            summary.payloads,
            plural(summary.payloads),
            plural(contracts as u64),
            summary.valid,
            summary.invalid,
            summary.violations,
            plural(summary.violations),
        )?;
        if summary.skipped > 0 {
            writeln!(
                out,
                "{} entr{} in input directories skipped (hidden, linked directories, or not {}); -v lists them",
                summary.skipped,
                if summary.skipped == 1 { "y" } else { "ies" },
                handoff_core::input::PAYLOAD_EXTENSIONS
            )?;
        }
        let rows = summary.rows();
        if !rows.is_empty() {
            write_table(out, &rows)?;
        }
        if summary.omitted > 0 {
            writeln!(
                out,
                "\n{} more finding{} not shown (--max-findings)",
                summary.omitted,
                plural(summary.omitted)
            )?;
        }
        if summary.known > 0 {
            writeln!(
                out,
                "\nbaseline: {} known finding{} not reported",
                summary.known,
                plural(summary.known)
            )?;
        }
        if !summary.fixed.is_empty() {
            writeln!(
                out,
                "\nbaseline: {} entr{} no longer occur (fixed); rewrite the baseline to drop them:",
                summary.fixed.len(),
                if summary.fixed.len() == 1 { "y" } else { "ies" }
            )?;
            for e in &summary.fixed {
                let value = e
                    .value_hash
                    .as_deref()
                    .map(|v| format!(" (value {v})"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "  {} {} {}{value}",
                    e.contract,
                    escape::text(&e.pointer),
                    e.kind,
                )?;
            }
        }
        writeln!(out)?;
        writeln!(
            out,
            "result: {} (exit code {})",
            handoff_core::report::verdict(summary),
            summary.outcome.exit_code()
        )
    }
}

fn write_table(out: &mut impl Write, rows: &[Row]) -> io::Result<()> {
    // Member names come from payloads: a cell is escaped and cut, so a 65,536-character key can
    // neither break the layout nor exceed what width formatting accepts.
    let fields: Vec<String> = rows
        .iter()
        .map(|r| {
            let field = if r.field.is_empty() { "/" } else { &r.field };
            escape::cut(&escape::text(field), MAX_FIELD_CHARS).into_owned()
        })
        .collect();
    let kind_w = rows
        .iter()
        .map(|r| r.kind.id().len())
        .max()
        .unwrap_or(0)
        .max(4);
    let field_w = fields
        .iter()
        .map(|f| f.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    writeln!(out)?;
    writeln!(
        out,
        "  {:>5}  {:kind_w$}  {:field_w$}  contract",
        "count", "kind", "field"
    )?;
    for (r, field) in rows.iter().zip(&fields) {
        writeln!(
            out,
            "  {:>5}  {:kind_w$}  {:field_w$}  {}",
            r.count,
            r.kind.id(),
            field,
            r.contract
        )?;
    }
    Ok(())
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_windowed_around_the_value() {
        let line = format!(
            "{}\"zip\": \"94103-1234\"{}",
            "x".repeat(200),
            "y".repeat(200)
        );
        let (shown, span) = window(&line, 207, 12);
        assert_eq!(&shown[span.clone()], "\"94103-1234\"");
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(shown.chars().count(), 2 + WINDOW_CHARS + 12 + WINDOW_CHARS);
        let (shown, span) = window("{\"a\": 1", 7, 1);
        assert_eq!((shown.as_str(), span), ("{\"a\": 1 ", 7..8));
    }

    #[test]
    fn char_spans_are_byte_ranges() {
        assert_eq!(char_span("{\"né\": \"x\"}", 8, 3), (8, 11));
        assert_eq!(char_span("{\"a\": 1", 8, 1), (7, 7));
    }
}
