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
    kept: Rc<RefCell<Vec<u8>>>,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.kept.borrow_mut().extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

/// Read every row of `reader`, handing each to `emit`. A row larger than `limit` is cut to
/// nothing and reported by the caller as too large.
pub fn read(reader: impl Read, options: &CsvOptions, delimiter: u8, mut emit: impl FnMut(Item)) {
    let kept = Rc::new(RefCell::new(Vec::new()));
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(Tee {
            inner: reader,
            kept: kept.clone(),
        });
    // File offset and line of kept[0]. Lines are counted here, not taken from the reader, which
    // does not count line breaks inside quoted cells.
    let mut base = 0u64;
    let mut line = 1u64;
    let mut record = csv::ByteRecord::new();
    let mut columns: Option<Arc<Vec<String>>> =
        (!options.header).then(|| Arc::new(options.columns.clone()));
    let mut row = 0u64;
    loop {
        let start = csv.position().clone();
        match csv.read_byte_record(&mut record) {
            Ok(false) => return,
            Ok(true) => {}
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
        let newlines = |b: &[u8]| b.iter().filter(|c| **c == b'\n').count() as u64;
        let (raw, at_line) = {
            let mut k = kept.borrow_mut();
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
            k.drain(..to);
            base += to as u64;
            (raw, at_line)
        };
        let Some(names) = &columns else {
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
                crate::printer::escape::text(&name),
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
        read(text.as_bytes(), options, b',', |i| out.push(i));
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
