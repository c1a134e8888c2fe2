//! Checking payloads that are not JSON text: an X12 transaction set or a CSV row is rendered
//! to JSON, typed by the contract, checked like any payload, and every finding is then put
//! back where the value came from: the file's line and column, the value exactly as sent, the
//! X12 segment and element or the CSV row and column.

use super::Checker;
use crate::finding::{CsvLocation, Finding, Kind, TextPosition, X12Location};
use crate::flat::{self, Row};
use crate::redact::Redact;
use crate::x12::render::{self, Chunk, SourceMap};
use crate::x12::stream::{Piece, Set};
use serde_json::Value;
use std::ops::Range;

/// A checked record: its findings and what printers may quote.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub unlisted: u64,
    /// The record's text as in the file, for quoting; only for records with findings.
    pub text: Option<String>,
    /// Where that text starts in the file.
    pub origin: Option<TextPosition>,
}

/// The rendering of a transaction set, laid out and typed by the contract (without one, every
/// segment at the root and every element text); with `sources`, where each pointer came from.
pub fn render_set(
    contract: Option<&crate::contract::Contract>,
    set: &Set,
    sources: Option<&mut SourceMap>,
) -> Value {
    let default = crate::contract::layout::X12Layout::default();
    let layout = contract.and_then(|c| c.x12.as_ref()).unwrap_or(&default);
    let mut value = laid_out(set, layout, sources);
    if let Some(contract) = contract {
        crate::typing::apply(&mut value, &contract.root, contract, true);
    }
    value
}

/// The rendering of a transaction set in `layout`'s loops, every element text (what a
/// contract is drafted from).
pub fn render_set_in(set: &Set, layout: &crate::contract::layout::X12Layout) -> Value {
    laid_out(set, layout, None)
}

fn laid_out(
    set: &Set,
    layout: &crate::contract::layout::X12Layout,
    sources: Option<&mut SourceMap>,
) -> Value {
    let pieces = pieces(set);
    let chunks: Vec<Chunk<'_>> = pieces
        .iter()
        .map(|p| Chunk {
            bytes: &p.bytes,
            position_before: p.position_before,
        })
        .collect();
    render::render(&chunks, set.delimiters, layout, sources)
}

/// The rendering of a CSV row, typed by the contract when there is one.
pub fn render_row(
    contract: Option<&crate::contract::Contract>,
    row: &Row,
) -> Result<Value, flat::RowError> {
    let mut value = flat::object(row)?;
    if let Some(contract) = contract {
        crate::typing::apply(&mut value, &contract.root, contract, false);
    }
    Ok(value)
}

fn pieces(set: &Set) -> Vec<&Piece> {
    let mut out = vec![&set.header.isa];
    out.extend(set.header.gs.as_ref());
    out.push(&set.body);
    out
}

/// Check one transaction set.
pub fn check_set(checker: &Checker, set: &Set, redact: Redact) -> Outcome {
    let mut envelope = set.findings.clone();
    if let Some(size) = set.too_large {
        let mut f = Finding::bare(Kind::PayloadTooLarge, "", None);
        f.position = Some(set.body.place_of(0));
        f.message = format!(
            "the transaction set is {size} bytes, over the size limit, and was not checked"
        );
        f.expected = "a transaction set within --max-payload-bytes".into();
        f.suggestion =
            Some("raise the limit with --max-payload-bytes if sets this large are expected".into());
        envelope.push(f);
        return Outcome {
            findings: envelope,
            ..Outcome::default()
        };
    }
    let value = render_set(Some(checker.contract()), set, None);
    if envelope.is_empty() && checker.is_valid(&value) {
        return Outcome::default();
    }
    let checked = checker.check_rendered(&value);
    let sensitive = match redact {
        Redact::Sensitive => checker.sensitive_pointers(&value),
        _ => Vec::new(),
    };
    // Rendered again for the sources of what the findings and the redaction name, and only
    // those: one tree at a time in memory, and no entry per element of a large failing set.
    drop(value);
    let mut sources = SourceMap::only(
        checked
            .findings
            .iter()
            .map(|f| f.pointer.as_str())
            .chain(sensitive.iter().map(String::as_str)),
    );
    render_set(Some(checker.contract()), set, Some(&mut sources));
    let pieces = pieces(set);
    let mut findings = checked.findings;
    for f in &mut findings {
        let found = lookup(&sources, &f.pointer);
        match found {
            Some((source, exact)) => {
                let piece = pieces[source.chunk];
                f.position = Some(piece.place_of(source.start));
                if exact && f.value.is_some() {
                    let raw = &piece.bytes[source.start..source.start + source.len];
                    f.value = Some(String::from_utf8_lossy(raw).into_owned());
                }
                let element = source.element.as_deref().map(str::to_string).or_else(|| {
                    // An absent element: its name is the pointer's last step (`BEG03`).
                    let last = f.pointer.rsplit('/').next().unwrap_or("");
                    (last.starts_with(&*source.segment_id) && last.len() > source.segment_id.len())
                        .then(|| last.to_string())
                });
                f.x12 = Some(X12Location {
                    segment_position: source.segment_position,
                    segment_id: source.segment_id.to_string(),
                    element,
                });
            }
            None => {
                // Missing from the set itself (a segment or loop the set lacks): the set's ST.
                f.position = Some(set.body.place_of(0));
                f.x12 = Some(X12Location {
                    segment_position: set.body.position_before + 1,
                    segment_id: "ST".into(),
                    element: None,
                });
            }
        }
    }
    findings.extend(envelope);
    findings.sort_by_key(|f| f.position.as_ref().map(|p| (p.line, p.column)));
    let hidden: Vec<Range<usize>> = match redact {
        Redact::Sensitive => sensitive
            .iter()
            .filter_map(|p| sources.get(p))
            .filter(|s| s.chunk == pieces.len() - 1)
            .map(|s| s.start..s.start + s.len)
            .collect(),
        _ => Vec::new(),
    };
    Outcome {
        text: quoted(&set.text(), &hidden, redact),
        origin: Some(TextPosition {
            line: set.body.place.line,
            column: set.body.place.column,
        }),
        findings,
        unlisted: checked.unlisted,
    }
}

/// The source of `pointer`, or of its nearest ancestor that has one; `true` when exact.
fn lookup<'s>(sources: &'s SourceMap, pointer: &str) -> Option<(&'s render::Source, bool)> {
    let mut at = pointer;
    let mut exact = true;
    loop {
        if let Some(s) = sources.get(at) {
            return Some((s, exact));
        }
        let (parent, _) = at.rsplit_once('/')?;
        if parent.is_empty() {
            return None;
        }
        at = parent;
        exact = false;
    }
}

/// The record's text for printers, with sensitive values hidden; none under `--redact all`.
fn quoted(bytes: &[u8], hidden: &[Range<usize>], redact: Redact) -> Option<String> {
    if redact == Redact::All {
        return None;
    }
    let text = String::from_utf8_lossy(bytes);
    Some(if hidden.is_empty() {
        text.into_owned()
    } else {
        crate::redact::hide_ranges(&text, hidden)
    })
}

/// Where byte `at` of a row is in the file.
fn row_place(row: &Row, at: usize) -> TextPosition {
    let before = &row.raw[..at.min(row.raw.len())];
    let column = match before.iter().rposition(|b| *b == b'\n') {
        Some(nl) => &before[nl + 1..],
        None => before,
    };
    TextPosition {
        line: row.line + before.iter().filter(|b| **b == b'\n').count() as u64,
        column: String::from_utf8_lossy(column).chars().count() as u64 + 1,
    }
}

/// Check one CSV row.
pub fn check_row(checker: &Checker, row: &Row, redact: Redact) -> Outcome {
    let origin = Some(TextPosition {
        line: row.line,
        column: 1,
    });
    let value = match render_row(Some(checker.contract()), row) {
        Ok(v) => v,
        Err(err) => {
            let mut f = Finding::bare(Kind::InvalidCsv, "", None);
            f.position = Some(row_place(row, err.at));
            f.message = err.message;
            f.expected = expected_row(&row.columns);
            f.csv = Some(CsvLocation {
                row: row.row,
                column: None,
                column_index: None,
            });
            return Outcome {
                findings: vec![f],
                text: quoted(&row.raw, &[], redact),
                origin,
                ..Outcome::default()
            };
        }
    };
    let checked = checker.check_rendered(&value);
    if checked.findings.is_empty() {
        return Outcome {
            unlisted: checked.unlisted,
            ..Outcome::default()
        };
    }
    let (cells, _) = flat::cells(&row.raw, row.delimiter);
    // A row of many columns with many findings: hashed, so locating stays linear.
    let index: Option<std::collections::HashMap<&str, usize>> =
        (checked.findings.len() > 8).then(|| {
            row.columns
                .iter()
                .enumerate()
                .rev()
                .map(|(i, c)| (c.as_str(), i))
                .collect()
        });
    let cell_of = |pointer: &str| -> Option<usize> {
        let first = crate::pointer::segments(pointer).next()?;
        match &index {
            Some(index) => index.get(first.as_str()).copied(),
            None => row.columns.iter().position(|c| *c == first),
        }
    };
    let mut findings = checked.findings;
    for f in &mut findings {
        let index = cell_of(&f.pointer);
        let cell = index.and_then(|i| cells.get(i));
        f.position = Some(row_place(row, cell.map_or(0, |c| c.start)));
        if let (Some(cell), Some(_)) = (cell, &f.value)
            && f.pointer.matches('/').count() == 1
        {
            f.value = Some(String::from_utf8_lossy(&row.raw[cell.start..cell.end]).into_owned());
        }
        f.csv = Some(CsvLocation {
            row: row.row,
            column: index.map(|i| row.columns[i].clone()),
            column_index: index.map(|i| i as u64 + 1),
        });
    }
    findings.sort_by_key(|f| f.position.as_ref().map(|p| (p.line, p.column)));
    let hidden: Vec<Range<usize>> = match redact {
        Redact::Sensitive => checker
            .sensitive_pointers(&value)
            .iter()
            .filter_map(|p| cell_of(p).and_then(|i| cells.get(i)))
            .map(|c| c.start..c.end)
            .collect(),
        _ => Vec::new(),
    };
    Outcome {
        findings,
        unlisted: checked.unlisted,
        text: quoted(&row.raw, &hidden, redact),
        origin,
    }
}

/// What a row must be, naming at most a few of the header's columns: a row of a file with
/// 100,000 columns must not repeat the whole header in every finding.
fn expected_row(columns: &[String]) -> String {
    const NAMED: usize = 12;
    // Hiding a single name behind "1 more" says less than the name itself would.
    let shown = if columns.len() > NAMED + 1 {
        NAMED
    } else {
        columns.len()
    };
    let mut names = columns
        .iter()
        .take(shown)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if columns.len() > shown {
        names.push_str(&format!(
            ", ... ({} more, as the header names them)",
            columns.len() - shown
        ));
    }
    format!("a UTF-8 row of at most {} cells: {names}", columns.len())
}

/// Check one item an X12 file yields: a set, envelope findings with no set, or the point where
/// the bytes stop being X12. Returns the line the item starts on, and its outcome.
pub fn check_x12_item(
    checker: &Checker,
    item: crate::x12::stream::Item,
    redact: Redact,
) -> (u64, Outcome) {
    use crate::x12::stream::Item;
    match item {
        Item::Set(set) => (set.body.place.line, check_set(checker, &set, redact)),
        Item::Envelope { place, findings } => (
            place.line,
            Outcome {
                findings,
                ..Outcome::default()
            },
        ),
        Item::Invalid { place, error } => {
            let mut f = Finding::bare(Kind::InvalidX12, "", None);
            f.position = Some(TextPosition {
                line: place.line,
                column: place.column,
            });
            f.message = format!("the file is not X12 from here: {}", error.message);
            f.expected = "X12 interchanges: ISA, GS, ST ... SE, GE, IEA, each segment ended by the ISA's terminator".into();
            (
                place.line,
                Outcome {
                    findings: vec![f],
                    ..Outcome::default()
                },
            )
        }
    }
}

/// Check one item a CSV file yields: a row, or a problem with the file (its header).
pub fn check_csv_item(checker: &Checker, item: flat::Item, redact: Redact) -> (u64, Outcome) {
    match item {
        flat::Item::Row(row) => (row.line, check_row(checker, &row, redact)),
        flat::Item::TooLarge {
            line,
            row,
            size,
            limit,
        } => {
            let mut f = crate::check::too_large(Some(size), limit);
            f.message = format!(
                "row {row} is {size} bytes, over the {limit}-byte limit, and was not checked"
            );
            f.position = Some(TextPosition { line, column: 1 });
            f.csv = Some(CsvLocation {
                row,
                column: None,
                column_index: None,
            });
            (
                line,
                Outcome {
                    findings: vec![f],
                    origin: Some(TextPosition { line, column: 1 }),
                    ..Outcome::default()
                },
            )
        }
        flat::Item::Invalid { line, message } => {
            let mut f = Finding::bare(Kind::InvalidCsv, "", None);
            f.position = Some(TextPosition { line, column: 1 });
            f.message = message;
            f.expected = "a header row naming each column once, in UTF-8".into();
            (
                line,
                Outcome {
                    findings: vec![f],
                    ..Outcome::default()
                },
            )
        }
    }
}
