//! CSV and TSV flat files: each row is a payload, an object keyed by the header's column names,
//! typed by the contract (see [`crate::typing`]). Rows are read as a stream with the `csv`
//! crate, and each row keeps its bytes as they were in the file, so a finding can quote the row
//! and point at the cell.

use crate::contract::layout::{CsvOptions, EmptyCells};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::io::Read;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

/// One data row, as read.
#[derive(Debug, Clone)]
pub struct Row {
    /// The row's cells, as the `csv` reader split and unquoted them.
    pub record: csv::ByteRecord,
    /// The row's bytes in the file, line break included.
    pub raw: Vec<u8>,
    /// The file line the row starts on.
    pub line: u64,
    /// 1-based data row (the header is not counted).
    pub row: u64,
    pub columns: Arc<Vec<String>>,
    pub delimiter: u8,
    pub empty: EmptyCells,
}

/// What the reader hands out, in file order.
#[derive(Debug, Clone)]
pub enum Item {
    Row(Row),
    /// A data row of more bytes than the size limit, read past without being kept.
    TooLarge {
        line: u64,
        row: u64,
        size: u64,
        limit: u64,
    },
    /// The file cannot be read as CSV from here (a header problem, an I/O error).
    Invalid {
        line: u64,
        message: String,
    },
}

/// The delimiter for `path`: the contract's, or tab for `.tsv`, or comma.
pub fn delimiter(options: &CsvOptions, path: Option<&Path>) -> u8 {
    options.delimiter.unwrap_or_else(|| {
        let tsv = path
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
        if tsv { b'\t' } else { b',' }
    })
}

/// Everything read from the file so far that no row has claimed yet: the `csv` reader reads
/// ahead, and each row's bytes are cut from here by the byte positions it reports.
struct Tee<R> {
    inner: R,
    kept: Rc<RefCell<Kept>>,
    /// More unclaimed bytes than this means the row being read is over the size limit.
    cap: usize,
}

/// The error a [`Tee`] gives the `csv` reader to stop it in a row over the size limit.
#[derive(Debug)]
struct RowTooLarge;

impl std::fmt::Display for RowTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a row over the size limit")
    }
}

impl std::error::Error for RowTooLarge {}

/// The unclaimed bytes, and how many of them are line breaks before the next row (blank lines
/// belong to no row, so they never make one too large).
#[derive(Default)]
struct Kept {
    bytes: Vec<u8>,
    breaks: usize,
    /// `breaks` is final: a row's first byte has been seen.
    counted: bool,
}

impl Kept {
    fn extend(&mut self, more: &[u8]) {
        self.bytes.extend_from_slice(more);
        self.count();
    }

    /// Hand out the first `n` bytes.
    fn drain(&mut self, n: usize) {
        self.bytes.drain(..n);
        self.breaks = 0;
        self.counted = false;
        self.count();
    }

    fn count(&mut self) {
        if self.counted {
            return;
        }
        let more = self.bytes[self.breaks..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        self.breaks += more;
        self.counted = self.breaks < self.bytes.len();
    }

    /// The bytes of the row being read so far.
    fn row(&self) -> usize {
        self.bytes.len() - self.breaks
    }
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // The reader asks for more only once it has used every byte it has: all that is kept
        // belongs to the row it is reading (and the line breaks before it).
        if self.kept.borrow().row() > self.cap {
            return Err(std::io::Error::other(RowTooLarge));
        }
        let n = self.inner.read(buf)?;
        self.kept.borrow_mut().extend(&buf[..n]);
        Ok(n)
    }
}

/// The `csv` reader's buffer: also how far past a row's end it may have read.
const BUFFER: usize = 64 * 1024;

/// A `csv` reader over a [`Tee`], and the bytes the tee keeps for it.
type Teed<'r> = (csv::Reader<Tee<Box<dyn Read + 'r>>>, Rc<RefCell<Kept>>);

fn csv_reader<'r>(inner: Box<dyn Read + 'r>, delimiter: u8, cap: usize) -> Teed<'r> {
    let kept = Rc::new(RefCell::new(Kept::default()));
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(BUFFER)
        .from_reader(Tee {
            inner,
            kept: kept.clone(),
            cap,
        });
    (reader, kept)
}

/// Read every row of `reader`, handing each to `emit`. A row of more than `limit` bytes is
/// never held in memory: it is read past, counted, and handed out as [`Item::TooLarge`].
pub fn read(
    reader: impl Read,
    options: &CsvOptions,
    delimiter: u8,
    limit: u64,
    mut emit: impl FnMut(Item),
) {
    // Two bytes more: the line break a row's size leaves out may already be in what it read.
    let cap = usize::try_from(limit)
        .unwrap_or(usize::MAX)
        .saturating_add(2);
    let (mut csv, mut kept) = csv_reader(Box::new(reader), delimiter, cap);
    // File offset and line of kept[0]. Lines are counted here, not taken from the reader, which
    // does not count line breaks inside quoted cells. Offsets are the current reader's: it is
    // replaced after a row over the limit.
    let mut base = 0u64;
    let mut line = 1u64;
    let mut record = csv::ByteRecord::new();
    let mut columns: Option<Arc<Vec<String>>> =
        (!options.header).then(|| Arc::new(options.columns.clone()));
    let mut row = 0u64;
    let newlines = |b: &[u8]| b.iter().filter(|c| **c == b'\n').count() as u64;
    loop {
        let start = csv.position().clone();
        match csv.read_byte_record(&mut record) {
            Ok(false) => return,
            Ok(true) => {}
            Err(err) if is_too_large(&err) => {
                // Where the row starts: its first byte after the line break before it.
                let (head, at_line) = {
                    let k = &mut kept.borrow_mut().bytes;
                    let mut from = ((start.byte() - base) as usize).min(k.len());
                    while from < k.len() && matches!(k[from], b'\r' | b'\n') {
                        from += 1;
                    }
                    let at_line = line + newlines(&k[..from]);
                    // Moved, not copied: the row so far may be as large as the limit.
                    k.drain(..from);
                    (std::mem::take(k), at_line)
                };
                let tee = csv.into_inner();
                let skipped = skip_row(head, tee.inner, delimiter);
                if columns.is_none() {
                    emit(Item::Invalid {
                        line: at_line,
                        message: header_too_large(limit),
                    });
                    return;
                }
                row += 1;
                emit(Item::TooLarge {
                    line: at_line,
                    row,
                    size: skipped.size,
                    limit,
                });
                if let Some(err) = skipped.error {
                    emit(Item::Invalid {
                        line: at_line + skipped.newlines,
                        message: format!("the file cannot be read as CSV: {err}"),
                    });
                    return;
                }
                line = at_line + skipped.newlines;
                base = 0;
                // The reader grew it to hold the row so far.
                record = csv::ByteRecord::new();
                (csv, kept) = csv_reader(skipped.rest, delimiter, cap);
                continue;
            }
            Err(err) => {
                let line = err.position().map_or(start.line(), |p| p.line());
                emit(Item::Invalid {
                    line,
                    message: format!("the file cannot be read as CSV: {err}"),
                });
                return;
            }
        }
        let end = csv.position().byte();
        let (raw, at_line) = {
            let mut kept = kept.borrow_mut();
            let k = &kept.bytes;
            let from = (start.byte() - base) as usize;
            let to = ((end - base) as usize).min(k.len());
            // The reader may count a CRLF's LF with the next row: rows start at their content.
            let mut from = from.min(to);
            while from < to && matches!(k[from], b'\r' | b'\n') {
                from += 1;
            }
            let raw = k[from..to].to_vec();
            let at_line = line + newlines(&k[..from]);
            line += newlines(&k[..to]);
            kept.drain(to);
            base += to as u64;
            (raw, at_line)
        };
        let Some(names) = &columns else {
            if without_break(&raw).len() as u64 > limit {
                emit(Item::Invalid {
                    line: at_line,
                    message: header_too_large(limit),
                });
                return;
            }
            match header(&record) {
                Ok(names) => columns = Some(Arc::new(names)),
                Err(message) => {
                    emit(Item::Invalid {
                        line: at_line,
                        message,
                    });
                    return;
                }
            }
            continue;
        };
        row += 1;
        let size = without_break(&raw).len() as u64;
        if size > limit {
            emit(Item::TooLarge {
                line: at_line,
                row,
                size,
                limit,
            });
            continue;
        }
        emit(Item::Row(Row {
            record: record.clone(),
            raw,
            line: at_line,
            row,
            columns: names.clone(),
            delimiter,
            empty: options.empty,
        }));
    }
}

fn header_too_large(limit: u64) -> String {
    format!("the header row is over the {limit}-byte payload limit (--max-payload-bytes)")
}

/// A row's bytes without the line break that ends it: what the size limit measures.
pub fn without_break(raw: &[u8]) -> &[u8] {
    let mut end = raw.len();
    if raw[..end].ends_with(b"\n") {
        end -= 1;
    }
    if raw[..end].ends_with(b"\r") {
        end -= 1;
    }
    &raw[..end]
}

fn is_too_large(err: &csv::Error) -> bool {
    match err.kind() {
        csv::ErrorKind::Io(io) => io.get_ref().is_some_and(|e| e.is::<RowTooLarge>()),
        _ => false,
    }
}

/// What is left after reading past a row over the limit.
struct Skipped<'r> {
    /// The row's bytes, without the line break that ends it.
    size: u64,
    /// Line breaks in the row, its own included.
    newlines: u64,
    /// The file from the next row on.
    rest: Box<dyn Read + 'r>,
    error: Option<std::io::Error>,
}

/// Read past the row that starts `head` and goes on in `inner`, with the reader's own
/// tokenizer (so a quoted line break is inside the row), holding one buffer at a time.
fn skip_row<'r>(head: Vec<u8>, mut inner: Box<dyn Read + 'r>, delimiter: u8) -> Skipped<'r> {
    use csv_core::ReadRecordResult;
    let mut tokenizer = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let mut out = vec![0u8; BUFFER];
    let mut ends = [0usize; 1024];
    let mut chunk = head;
    let mut at = 0;
    let mut size = 0u64;
    let mut newlines = 0u64;
    let mut eof = false;
    // The last two bytes read past, which may be the row's line break.
    let mut last = [0u8; 2];
    loop {
        if at == chunk.len() && !eof {
            chunk.resize(BUFFER, 0);
            match inner.read(&mut chunk) {
                Ok(n) => {
                    chunk.truncate(n);
                    eof = n == 0;
                }
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {
                    chunk.clear();
                    continue;
                }
                Err(err) => {
                    return Skipped {
                        size,
                        newlines,
                        rest: Box::new(std::io::empty()),
                        error: Some(err),
                    };
                }
            }
            at = 0;
        }
        let (result, read, _, _) = tokenizer.read_record(&chunk[at..], &mut out, &mut ends);
        let used = &chunk[at..at + read];
        size += read as u64;
        newlines += used.iter().filter(|b| **b == b'\n').count() as u64;
        for b in used.iter().rev().take(2).rev() {
            last = [last[1], *b];
        }
        at += read;
        match result {
            ReadRecordResult::InputEmpty
            | ReadRecordResult::OutputFull
            | ReadRecordResult::OutputEndsFull => {}
            ReadRecordResult::Record | ReadRecordResult::End => break,
        }
    }
    // The tokenizer stops on the first byte of a CRLF pair: the LF is this row's.
    if chunk.get(at) == Some(&b'\n') && last[1] == b'\r' {
        at += 1;
        size += 1;
        newlines += 1;
        last = [b'\r', b'\n'];
    }
    let tail = &last[2 - (size.min(2) as usize)..];
    size -= (tail.len() - without_break(tail).len()) as u64;
    chunk.drain(..at.min(chunk.len()));
    // The head of a large row may have left a buffer as large as the limit.
    chunk.shrink_to_fit();
    Skipped {
        size,
        newlines,
        rest: Box::new(std::io::Cursor::new(chunk).chain(inner)),
        error: None,
    }
}

fn header(record: &csv::ByteRecord) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    // Hashed: a header of 100,000 columns must not compare every name with every other.
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, cell) in record.iter().enumerate() {
        let text = std::str::from_utf8(cell).map_err(|_| {
            format!("column {} of the header row is not UTF-8; handoff reads UTF-8 CSV (convert Latin-1 or Windows-1252 exports first)", i + 1)
        })?;
        let text = if i == 0 {
            text.trim_start_matches('\u{FEFF}')
        } else {
            text
        };
        let name = text.trim().to_string();
        if name.is_empty() {
            return Err(format!("column {} of the header row has no name", i + 1));
        }
        if let Some(first) = seen.insert(name.clone(), i) {
            return Err(format!(
                "the header row names column `{}` twice (columns {} and {})",
                crate::escape::text(&name),
                first + 1,
                i + 1
            ));
        }
        names.push(name);
    }
    Ok(names)
}

/// A cell's place in the row's bytes, as written (quotes included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub start: usize,
    pub end: usize,
}

/// Where each cell of a row's bytes is, as the CSV reader itself splits them (its own
/// tokenizer, fed the row's bytes: a quote inside a cell, as in `55"` or `AB"C`, is text
/// there, and only a quote that opens a cell quotes it). Also says whether a quoted cell was
/// left open.
pub fn cells(raw: &[u8], delimiter: u8) -> (Vec<Cell>, bool) {
    let body_end = raw
        .iter()
        .rposition(|b| !matches!(b, b'\r' | b'\n'))
        .map_or(0, |i| i + 1);
    let body = &raw[..body_end];
    let mut reader = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    // A cell's text is never longer than its bytes.
    let mut scratch = vec![0u8; body.len() + 1];
    let mut out = Vec::new();
    let mut at = 0;
    let mut start = 0;
    loop {
        let (result, read, _) = reader.read_field(&body[at..], &mut scratch);
        at += read;
        match result {
            csv_core::ReadFieldResult::InputEmpty if at < body.len() => {}
            csv_core::ReadFieldResult::InputEmpty => {
                // The end of the row's bytes: the reader finishes the last cell on empty input.
                let (result, _, _) = reader.read_field(&[], &mut scratch);
                if let csv_core::ReadFieldResult::Field { .. } = result {
                    out.push(Cell {
                        start,
                        end: body.len(),
                    });
                }
                break;
            }
            csv_core::ReadFieldResult::OutputFull => {
                let grown = scratch.len() * 2;
                scratch.resize(grown, 0);
            }
            csv_core::ReadFieldResult::Field { record_end } => {
                // The reader consumed the delimiter after the cell.
                let end = if record_end { at } else { at - 1 };
                out.push(Cell { start, end });
                start = at;
                if record_end {
                    break;
                }
            }
            csv_core::ReadFieldResult::End => break,
        }
    }
    if out.is_empty() {
        out.push(Cell { start: 0, end: 0 });
    }
    let open = out
        .last()
        .is_some_and(|c| quote_left_open(&body[c.start..c.end]));
    (out, open)
}

/// A cell that opens with a quote and never closes it (`""` is a quote inside the text).
fn quote_left_open(cell: &[u8]) -> bool {
    if cell.first() != Some(&b'"') {
        return false;
    }
    let mut i = 1;
    while i < cell.len() {
        if cell[i] == b'"' {
            if cell.get(i + 1) == Some(&b'"') {
                i += 2;
                continue;
            }
            return false;
        }
        i += 1;
    }
    true
}

/// A problem that keeps a row from being read as an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub message: String,
    /// Byte offset in the row where it is.
    pub at: usize,
}

/// The row as an object keyed by column name (untyped: every cell is text).
pub fn object(row: &Row) -> Result<Value, RowError> {
    // A quote left open runs to the end of the file: rare, and only possible with a quote.
    if memchr::memchr(b'"', &row.raw).is_some() {
        let (found, open) = cells(&row.raw, row.delimiter);
        if open {
            // The reader took every line after the quote as text of this one cell: say which
            // lines went unchecked, so every line of the file is accounted for.
            let lines = row.raw.iter().filter(|b| **b == b'\n').count() as u64;
            let last = row.line + lines.saturating_sub(1);
            let column = row.columns.get(found.len() - 1).map_or_else(
                || format!("cell {}", found.len()),
                |c| format!("column `{c}`"),
            );
            return Err(RowError {
                message: if last > row.line {
                    format!(
                        "the quote that opens {column} is never closed, so the CSV reader read lines {} to {last} ({} lines, to the end of the file) as this one cell; none of them was checked as a row",
                        row.line,
                        last - row.line + 1
                    )
                } else {
                    format!(
                        "the quote that opens {column} is never closed (the file ends inside it)"
                    )
                },
                at: found.last().map_or(0, |c| c.start),
            });
        }
    }
    let record = &row.record;
    // Only an error needs a cell's place: the row is split again then, not for every row.
    let cell_start = |i: usize| {
        cells(&row.raw, row.delimiter)
            .0
            .get(i)
            .map_or(0, |c| c.start)
    };
    if record.len() > row.columns.len() {
        return Err(RowError {
            message: format!(
                "the row has {} cells, but the header names {} columns",
                record.len(),
                row.columns.len()
            ),
            at: cell_start(row.columns.len()),
        });
    }
    let mut map = Map::new();
    for (i, cell) in record.iter().enumerate() {
        let text = std::str::from_utf8(cell).map_err(|e| RowError {
            message: format!(
                "the cell in column `{}` is not UTF-8 (byte 0x{:02X}); handoff reads UTF-8 CSV",
                row.columns[i],
                cell[e.valid_up_to()]
            ),
            at: cell_start(i),
        })?;
        let value = match (text.is_empty(), row.empty) {
            (true, EmptyCells::Absent) => continue,
            (true, EmptyCells::Null) => Value::Null,
            _ => Value::String(text.to_string()),
        };
        map.insert(row.columns[i].clone(), value);
    }
    Ok(Value::Object(map))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, options: &CsvOptions) -> Vec<Item> {
        let mut out = Vec::new();
        read(text.as_bytes(), options, b',', u64::MAX, |i| out.push(i));
        out
    }

    #[test]
    fn rows_keep_their_bytes_lines_and_numbers() {
        let text = "\u{FEFF}sku,qty,note\nA-1,3,\"two\nlines\"\r\nB-2,,plain\n";
        let got = rows(text, &CsvOptions::default());
        let [Item::Row(first), Item::Row(second)] = &got[..] else {
            panic!("{got:?}")
        };
        assert_eq!(first.raw.trim_ascii_end(), b"A-1,3,\"two\nlines\"");
        assert_eq!(second.raw.trim_ascii_end(), b"B-2,,plain");
        assert_eq!((first.line, first.row), (2, 1));
        assert_eq!((second.line, second.row), (4, 2));
        assert_eq!(first.columns.as_slice(), ["sku", "qty", "note"]);
        assert_eq!(
            object(first).unwrap(),
            serde_json::json!({"sku": "A-1", "qty": "3", "note": "two\nlines"})
        );
        assert_eq!(
            object(second).unwrap(),
            serde_json::json!({"sku": "B-2", "note": "plain"}),
            "an empty cell is absent by default"
        );
    }

    #[test]
    fn bad_rows_are_errors_at_their_cell() {
        let got = rows("a,b\n1,2,3\n", &CsvOptions::default());
        let Item::Row(row) = &got[0] else { panic!() };
        let err = object(row).unwrap_err();
        assert_eq!(
            err.message,
            "the row has 3 cells, but the header names 2 columns"
        );
        assert_eq!(err.at, 4);
        let got = rows("a,a\n1,2\n", &CsvOptions::default());
        assert!(
            matches!(&got[..], [Item::Invalid { line: 1, message }] if message.contains("twice")),
            "{got:?}"
        );
    }

    #[test]
    fn cells_are_found_in_quoted_text() {
        let (cells, open) = cells(b"x,\"a,\"\"b\",c\n", b',');
        assert!(!open);
        assert_eq!(
            cells,
            [
                Cell { start: 0, end: 1 },
                Cell { start: 2, end: 9 },
                Cell { start: 10, end: 11 }
            ]
        );
        assert!(super::cells(b"x,\"open\n", b',').1);
    }
}
