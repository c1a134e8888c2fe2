//! Reading an exception log: the manual-review queue an operations team exports (an ERP's
//! integration error log, a middleware error export, helpdesk tickets) as CSV or NDJSON, one row
//! per exception that reached a person. Columns differ per system, so a [`Mapping`] names which
//! column holds what. A row that cannot be used is a [`Rejected`] entry with its line and the
//! reason, and the rest are still read: every row read is accounted for.

use super::framework::Delivery;
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::io::Read;

/// Which column of the log holds what. Column names are matched exactly, after trimming a
/// byte-order mark and surrounding spaces from the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// When the exception was opened: RFC 3339, or in `opened_at_format` (a strftime pattern
    /// such as `%d/%m/%Y %H:%M`, read as UTC).
    pub opened_at: String,
    pub opened_at_format: Option<String>,
    /// The receiving system's own error code or queue reason (`SKU_NOT_FOUND`).
    pub error_code: String,
    /// Where the exception's payload is.
    pub payload: PayloadColumn,
    /// Which boundary the exception belongs to.
    pub boundary: BoundaryColumn,
    /// Optional columns; each one that is mapped answers one more triage question.
    pub handled_by: Option<String>,
    pub resolution: Option<String>,
    pub handling_minutes: Option<String>,
    pub retried: Option<String>,
    pub retry_succeeded: Option<String>,
    pub handoff_status: Option<String>,
    /// Who owns the row's boundary, where the log says so.
    pub owner: Option<String>,
    /// `handoff_status` values the built-in vocabularies do not know, and what each means
    /// (keys lower-cased; `exceptions.handoff_status` in handoff.yaml).
    pub status_map: BTreeMap<String, Delivery>,
    /// The CSV field delimiter (`,` by default; `;` in many European exports).
    pub delimiter: u8,
}

/// How a row names its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadColumn {
    /// A path to the captured payload file, relative to the log.
    File(String),
    /// An NDJSON file (relative to the log) and the 1-based line of the record in it.
    NdjsonLine { file: String, line: String },
    /// The payload itself, as JSON text in the cell.
    Inline(String),
}

/// How a row names its boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoundaryColumn {
    /// A column holding a contract reference (`storefront-order-to-erp@^1`).
    Contract(String),
    /// A column holding a source system or queue name, and which contract each value means.
    Lookup {
        column: String,
        contracts: BTreeMap<String, String>,
    },
}

/// One exception, as the log says it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Exception {
    /// The 1-based line of the row in the log (a CSV record can span lines; this is its first).
    pub line: u64,
    pub opened_at: Timestamp,
    /// The opened-at cell as the log wrote it (its own layout and zone), for the report.
    pub opened_at_text: String,
    pub error_code: String,
    pub payload: PayloadRef,
    /// The contract reference the row's boundary maps to.
    pub contract: String,
    pub handled_by: Option<String>,
    pub resolution: Option<String>,
    pub handling_minutes: Option<f64>,
    pub retried: Option<bool>,
    pub retry_succeeded: Option<bool>,
    /// Who owns the row's boundary, as the log's `owner` column says.
    pub owner: Option<String>,
    /// What became of the delivery itself.
    pub delivery: Option<Delivery>,
    /// The payload's violations, each distinct one once, filled when the payload is checked.
    pub violations: Vec<crate::triage::patterns::Violation>,
}

/// Where an exception's payload is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadRef {
    File(String),
    NdjsonLine { file: String, line: u64 },
    Inline(String),
}

/// A row that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub line: u64,
    pub reason: String,
}

/// What reading a log produced: the exceptions, and every row that was not one.
#[derive(Debug, Default)]
pub struct Log {
    pub exceptions: Vec<Exception>,
    pub rows_read: u64,
    pub rejected: Vec<Rejected>,
}

/// Why a log could not be read at all (as opposed to a bad row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogError(pub String);

impl std::fmt::Display for LogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One row of a log: an exception, or why the row is not one.
pub type Row = Result<Exception, Rejected>;

/// Read a CSV exception log whole (for tests and small logs; `each_csv` streams).
pub fn read_csv(reader: impl Read, mapping: &Mapping) -> Result<Log, LogError> {
    collect(|each| each_csv(reader, mapping, each))
}

/// A whole log out of a row-by-row reader.
fn collect(
    read: impl FnOnce(&mut dyn FnMut(Row)) -> Result<u64, LogError>,
) -> Result<Log, LogError> {
    let mut log = Log::default();
    log.rows_read = read(&mut |row| match row {
        Ok(e) => log.exceptions.push(e),
        Err(r) => log.rejected.push(r),
    })?;
    Ok(log)
}

/// Read a CSV exception log row by row, handing each to `each`; returns the rows read.
pub fn each_csv(
    reader: impl Read,
    mapping: &Mapping,
    each: &mut dyn FnMut(Row),
) -> Result<u64, LogError> {
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(mapping.delimiter)
        .flexible(true)
        .from_reader(Unix::new(reader));
    let headers: Vec<String> = csv
        .headers()
        .map_err(|e| LogError(format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    // A column the mapping reads must be named once: which of two a reader takes is a guess.
    for name in mapped_columns(mapping) {
        let at: Vec<usize> = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| **h == name)
            .map(|(i, _)| i + 1)
            .collect();
        if at.len() > 1 {
            return Err(LogError(format!(
                "the log's header names the column `{}` {} times (columns {}); rename all but one, so it is clear which one is read",
                handoff_core::escape::text(&name),
                at.len(),
                at.iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    let columns = Columns::new(&headers, mapping)?;
    let mut rows_read = 0;
    let mut record = csv::StringRecord::new();
    loop {
        let line = csv.position().line();
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                rows_read += 1;
                // The record's own start: the position before reading can still be on the line
                // break (CR LF) that ends the row before.
                let line = record.position().map_or(line, |p| p.line());
                // Which cell is which is a guess in a row of another width: never used.
                if record.len() != headers.len() {
                    let (n, h) = (record.len(), headers.len());
                    let why = if n < h {
                        "a field is missing or a delimiter is inside an unquoted cell"
                    } else {
                        "a delimiter is inside an unquoted cell, or a field is extra"
                    };
                    each(Err(Rejected {
                        line,
                        reason: format!("the row has {n} fields, the header {h}: {why}"),
                    }));
                    continue;
                }
                let cell = |i: usize| record.get(i).map(str::trim).filter(|s| !s.is_empty());
                each(
                    columns
                        .exception(line, &cell, mapping)
                        .map_err(|reason| Rejected { line, reason }),
                );
            }
            Err(e) => {
                rows_read += 1;
                let line = e.position().map_or(line, |p| p.line());
                each(Err(Rejected {
                    line,
                    reason: format!("not a CSV row: {e}"),
                }));
                // A malformed record (bad UTF-8) is skipped; the reader resumes at the next.
                if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    break;
                }
            }
        }
    }
    Ok(rows_read)
}

/// A reader that turns CR LF into LF. The `csv` reader counts a CR LF's LF as the next row's
/// first line break, so every row of a Windows export would be a line too low; a triage log's
/// cells are read as trimmed text, where the CR carries nothing.
struct Unix<R> {
    inner: R,
    /// A CR ended the last read: whether it goes out depends on the next byte.
    held_cr: bool,
    /// Bytes converted and not yet handed out, from `at` on.
    ready: Vec<u8>,
    at: usize,
}

impl<R: Read> Unix<R> {
    fn new(inner: R) -> Self {
        Unix {
            inner,
            held_cr: false,
            ready: Vec::new(),
            at: 0,
        }
    }

    /// Convert the next chunk; false at the end of the input.
    fn fill(&mut self) -> std::io::Result<bool> {
        let mut chunk = [0u8; 8192];
        let n = self.inner.read(&mut chunk)?;
        self.ready.clear();
        self.at = 0;
        if n == 0 {
            if std::mem::take(&mut self.held_cr) {
                self.ready.push(b'\r');
            }
            return Ok(!self.ready.is_empty());
        }
        let bytes = &chunk[..n];
        if std::mem::take(&mut self.held_cr) && bytes[0] != b'\n' {
            self.ready.push(b'\r');
        }
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\r' {
                match bytes.get(i + 1) {
                    Some(b'\n') => continue,
                    Some(_) => {}
                    None => {
                        self.held_cr = true;
                        continue;
                    }
                }
            }
            self.ready.push(b);
        }
        Ok(true)
    }
}

impl<R: Read> Read for Unix<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.ready.len() {
            if !self.fill()? {
                return Ok(0);
            }
        }
        let n = out.len().min(self.ready.len() - self.at);
        out[..n].copy_from_slice(&self.ready[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Read an NDJSON exception log: one JSON object per line, the mapping's column names being its
/// member names. Strings, numbers and booleans are read as their text; a line that is not a JSON
/// object is rejected with its line number, and the rest are still read.
pub fn read_ndjson(reader: impl Read, mapping: &Mapping) -> Result<Log, LogError> {
    collect(|each| each_ndjson(reader, mapping, each))
}

/// A log line's object, and the member names it repeats (serde_json keeps the last silently).
struct Object(serde_json::Map<String, serde_json::Value>, Vec<String>);

impl<'de> serde::Deserialize<'de> for Object {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = Object;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Object, A::Error> {
                let mut object = serde_json::Map::new();
                let mut repeated = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
                    if object.contains_key(&k) {
                        repeated.push(k.clone());
                    }
                    object.insert(k, v);
                }
                Ok(Object(object, repeated))
            }
        }
        d.deserialize_map(Members)
    }
}

/// Read an NDJSON exception log row by row, handing each to `each`; returns the rows read.
pub fn each_ndjson(
    reader: impl Read,
    mapping: &Mapping,
    each: &mut dyn FnMut(Row),
) -> Result<u64, LogError> {
    let names = mapped_columns(mapping);
    let columns = Columns::new(&names, mapping)?;
    let mut rows_read = 0;
    let mut failure = None;
    handoff_core::input::read_lines(
        std::io::BufReader::new(reader),
        handoff_core::file::MAX_FILE_BYTES,
        |line, payload| {
            let line = line.unwrap_or(0);
            rows_read += 1;
            let row = match payload {
                handoff_core::input::Payload::Bytes(bytes) => serde_json::from_slice::<Object>(bytes)
                    .map_err(|e| format!("not a JSON object: {e}"))
                    .and_then(|Object(object, repeated)| match repeated
                        .into_iter()
                        .find(|r| names.contains(r))
                    {
                        Some(r) => Err(format!(
                            "the member `{}` appears more than once in this line, so which one counts is unclear",
                            handoff_core::escape::text(&r)
                        )),
                        None => Ok(object),
                    }),
                handoff_core::input::Payload::TooLarge { limit, .. } => {
                    Err(format!("longer than {limit} bytes"))
                }
                handoff_core::input::Payload::Unreadable(e) => {
                    failure = Some(e.to_string());
                    Err(format!("could not be read: {e}"))
                }
                // read_lines hands out lines only.
                handoff_core::input::Payload::X12(_) | handoff_core::input::Payload::Csv(_) => {
                    Err("not a JSON line".to_string())
                }
            };
            let result = row.and_then(|object| {
                let cells: Vec<Option<String>> = names
                    .iter()
                    .map(|n| match object.get(n) {
                        Some(serde_json::Value::String(s)) => Some(s.trim().to_string()),
                        Some(serde_json::Value::Null) | None => None,
                        Some(other) => Some(other.to_string()),
                    })
                    .map(|c| c.filter(|s| !s.is_empty()))
                    .collect();
                let cell = |i: usize| cells.get(i).and_then(|c| c.as_deref());
                columns.exception(line, &cell, mapping)
            });
            each(result.map_err(|reason| Rejected { line, reason }));
        },
    );
    match failure {
        Some(why) if rows_read <= 1 => Err(LogError(format!("cannot read the log: {why}"))),
        _ => Ok(rows_read),
    }
}

/// Every column name a mapping uses, once each, in a fixed order.
fn mapped_columns(m: &Mapping) -> Vec<String> {
    let mut names = vec![m.opened_at.clone(), m.error_code.clone()];
    match &m.payload {
        PayloadColumn::File(c) | PayloadColumn::Inline(c) => names.push(c.clone()),
        PayloadColumn::NdjsonLine { file, line } => names.extend([file.clone(), line.clone()]),
    }
    match &m.boundary {
        BoundaryColumn::Contract(c) | BoundaryColumn::Lookup { column: c, .. } => {
            names.push(c.clone())
        }
    }
    names.extend(
        [
            &m.handled_by,
            &m.resolution,
            &m.handling_minutes,
            &m.retried,
            &m.retry_succeeded,
            &m.handoff_status,
            &m.owner,
        ]
        .into_iter()
        .flatten()
        .cloned(),
    );
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names
}

/// The indexes of the mapped columns in one log's header.
struct Columns {
    opened_at: usize,
    error_code: usize,
    payload: (usize, Option<usize>),
    boundary: usize,
    optional: [Option<usize>; 7],
}

impl Columns {
    fn new(headers: &[String], m: &Mapping) -> Result<Columns, LogError> {
        let find = |name: &str| -> Result<usize, LogError> {
            headers.iter().position(|h| h == name).ok_or_else(|| {
                let hint = handoff_core::diagnostic::did_you_mean(
                    name,
                    headers.iter().map(String::as_str),
                )
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
                LogError(format!(
                    "the log has no column `{name}`{hint} (its columns: {})",
                    headers.join(", ")
                ))
            })
        };
        let optional = |name: &Option<String>| name.as_deref().map(find).transpose();
        Ok(Columns {
            opened_at: find(&m.opened_at)?,
            error_code: find(&m.error_code)?,
            payload: match &m.payload {
                PayloadColumn::File(c) | PayloadColumn::Inline(c) => (find(c)?, None),
                PayloadColumn::NdjsonLine { file, line } => (find(file)?, Some(find(line)?)),
            },
            boundary: match &m.boundary {
                BoundaryColumn::Contract(c) => find(c)?,
                BoundaryColumn::Lookup { column, .. } => find(column)?,
            },
            optional: [
                optional(&m.handled_by)?,
                optional(&m.resolution)?,
                optional(&m.handling_minutes)?,
                optional(&m.retried)?,
                optional(&m.retry_succeeded)?,
                optional(&m.handoff_status)?,
                optional(&m.owner)?,
            ],
        })
    }

    fn exception<'r>(
        &self,
        line: u64,
        cell: &impl Fn(usize) -> Option<&'r str>,
        m: &Mapping,
    ) -> Result<Exception, String> {
        let required = |i: usize, name: &str| cell(i).ok_or_else(|| format!("`{name}` is empty"));
        let opened = required(self.opened_at, &m.opened_at)?;
        let opened_at = parse_time(opened, m.opened_at_format.as_deref())
            .map_err(|e| {
                let hint = match &m.opened_at_format {
                    Some(f) => format!("it does not match opened_at_format `{f}`"),
                    None => "write RFC 3339 (2026-11-02T10:00:00Z), or give the log's layout as opened_at_format, such as %d/%m/%Y %H:%M".into(),
                };
                format!("`{}` value {opened:?} is not a time ({e}): {hint}", m.opened_at)
            })?;
        let error_code = required(self.error_code, &m.error_code)?.to_string();
        let payload = match &m.payload {
            PayloadColumn::File(name) => PayloadRef::File(required(self.payload.0, name)?.into()),
            PayloadColumn::Inline(name) => {
                PayloadRef::Inline(required(self.payload.0, name)?.into())
            }
            PayloadColumn::NdjsonLine { file, line: column } => {
                let at = self.payload.1.expect("mapped with the file column");
                let text = required(at, column)?;
                let line = text
                    .parse::<u64>()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| format!("`{column}` is not a line number: {text:?}"))?;
                PayloadRef::NdjsonLine {
                    file: required(self.payload.0, file)?.into(),
                    line,
                }
            }
        };
        let contract = match &m.boundary {
            BoundaryColumn::Contract(name) => required(self.boundary, name)?.to_string(),
            BoundaryColumn::Lookup { column, contracts } => {
                let value = required(self.boundary, column)?;
                contracts
                    .get(value)
                    .cloned()
                    .ok_or_else(|| format!("`{column}` value {value:?} maps to no contract"))?
            }
        };
        let text = |i: Option<usize>| i.and_then(cell).map(str::to_string);
        let [
            handled_by,
            resolution,
            minutes,
            retried,
            retry_succeeded,
            handoff,
            owner,
        ] = self.optional;
        let handling_minutes = match text(minutes) {
            None => None,
            Some(v) => Some(
                v.parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite() && *n >= 0.0)
                    .ok_or_else(|| format!("handling minutes {v:?} is not a number of minutes"))?,
            ),
        };
        let flag = |i: Option<usize>, what: &str| -> Result<Option<bool>, String> {
            text(i)
                .map(|v| yes_no(&v).ok_or_else(|| format!("{what} {v:?} is not yes or no")))
                .transpose()
        };
        Ok(Exception {
            line,
            opened_at,
            opened_at_text: opened.trim().to_string(),
            owner: text(owner),
            error_code,
            payload,
            contract,
            handled_by: text(handled_by),
            resolution: text(resolution),
            handling_minutes,
            retried: flag(retried, "retried")?,
            retry_succeeded: flag(retry_succeeded, "retry succeeded")?,
            delivery: text(handoff)
                .map(|v| {
                    m.status_map
                        .get(&v.trim().to_ascii_lowercase())
                        .copied()
                        .or_else(|| Delivery::of(&v))
                        .ok_or_else(|| {
                            format!(
                                "handoff status {v:?} is not a delivery outcome handoff knows: say what it means under exceptions.handoff_status in handoff.yaml ({:?}: delivered, rejected or failed)",
                                v.trim()
                            )
        })
                })
                .transpose()?,
            violations: Vec::new(),
        })
    }
}

/// RFC 3339, or a strftime pattern read as UTC when it carries no offset.
pub fn parse_time(text: &str, format: Option<&str>) -> Result<Timestamp, String> {
    match format {
        None => text.parse::<Timestamp>().map_err(|e| e.to_string()),
        Some(format) => {
            let parsed = jiff::fmt::strtime::parse(format, text).map_err(|e| e.to_string())?;
            parsed
                .to_timestamp()
                .or_else(|_| {
                    parsed
                        .to_datetime()
                        .and_then(|dt| dt.to_zoned(jiff::tz::TimeZone::UTC))
                        .map(|z| z.timestamp())
                })
                .map_err(|e| e.to_string())
        }
    }
}

/// The ways exports write a yes or a no; HTTP statuses and X12 997 codes count as the delivery's
/// outcome (2xx and `A` accepted).
fn yes_no(value: &str) -> Option<bool> {
    let v = value.trim().to_ascii_lowercase();
    match v.as_str() {
        "yes" | "y" | "true" | "t" | "1" | "ok" | "success" | "succeeded" | "delivered"
        | "accepted" | "a" | "acknowledged" | "ack" => Some(true),
        "no" | "n" | "false" | "f" | "0" | "failed" | "failure" | "error" | "rejected" | "r"
        | "timeout" | "nack" => Some(false),
        _ => match v.parse::<u16>() {
            Ok(code) if (100..600).contains(&code) => Some((200..300).contains(&code)),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn mapping() -> Mapping {
        Mapping {
            opened_at: "opened".into(),
            opened_at_format: None,
            error_code: "code".into(),
            payload: PayloadColumn::File("payload".into()),
            boundary: BoundaryColumn::Lookup {
                column: "queue".into(),
                contracts: BTreeMap::from([(
                    "erp-orders".into(),
                    "storefront-order-to-erp".into(),
                )]),
            },
            handled_by: Some("agent".into()),
            resolution: None,
            handling_minutes: Some("minutes".into()),
            retried: None,
            retry_succeeded: None,
            handoff_status: Some("http".into()),
            owner: None,
            status_map: BTreeMap::new(),
            delimiter: b',',
        }
    }

    #[test]
    fn reads_quoted_multiline_rows_with_a_bom_and_accounts_for_bad_ones() {
        let log = "\u{feff}opened,code,payload,queue,agent,minutes,http\n\
            2026-11-02T09:00:00Z,SKU_NOT_FOUND,p/1.json,erp-orders,\"Lee, Sam\",5,200\n\
            2026-11-02T09:05:00Z,SKU_NOT_FOUND,\"p/2.json\",erp-orders,\"two\nlines\",4.5,202\n\
            yesterday,SKU_NOT_FOUND,p/3.json,erp-orders,x,5,200\n\
            2026-11-02T10:00:00Z,SKU_NOT_FOUND,p/4.json,pos,x,5,200\n\
            2026-11-02T10:00:00Z,,p/5.json,erp-orders,x,5,200\n\
            2026-11-02T11:00:00Z,TIMEOUT,p/6.json,erp-orders,x,ten,504\n";
        let read = read_csv(log.as_bytes(), &mapping()).unwrap();
        assert_eq!(read.rows_read, 6);
        assert_eq!(read.exceptions.len(), 2);
        let first = &read.exceptions[0];
        assert_eq!(first.line, 2);
        assert_eq!(first.handled_by.as_deref(), Some("Lee, Sam"));
        assert_eq!(first.contract, "storefront-order-to-erp");
        assert_eq!(first.delivery, Some(Delivery::Delivered));
        assert_eq!(read.exceptions[1].handling_minutes, Some(4.5));
        let reasons: Vec<(u64, &str)> = read
            .rejected
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 4);
        assert_eq!(reasons[0].0, 5, "a quoted newline moves later rows down");
        assert!(
            reasons[0]
                .1
                .starts_with("`opened` value \"yesterday\" is not a time"),
            "{reasons:?}"
        );
        assert_eq!(reasons[1], (6, "`queue` value \"pos\" maps to no contract"));
        assert_eq!(reasons[2], (7, "`code` is empty"));
        assert_eq!(
            reasons[3],
            (8, "handling minutes \"ten\" is not a number of minutes")
        );
    }

    #[test]
    fn ndjson_logs_read_members_as_columns() {
        let log = concat!(
            r#"{"opened":"2026-11-02T09:00:00Z","code":"SKU_NOT_FOUND","payload":"p.json","queue":"erp-orders","agent":"ana","minutes":5,"http":200}"#,
            "\n\n",
            r#"{"opened":"2026-11-02T09:00:00Z","code":"SKU_NOT_FOUND","payload":"p.json","queue":"pos"}"#,
            "\nnot json\n"
        );
        let read = read_ndjson(log.as_bytes(), &mapping()).unwrap();
        assert_eq!(read.rows_read, 3, "the blank line is not a row");
        assert_eq!(read.exceptions.len(), 1);
        assert_eq!(read.exceptions[0].handling_minutes, Some(5.0));
        assert_eq!(read.exceptions[0].delivery, Some(Delivery::Delivered));
        assert_eq!(
            read.rejected[0],
            Rejected {
                line: 3,
                reason: "`queue` value \"pos\" maps to no contract".into()
            }
        );
        assert_eq!(read.rejected[1].line, 4);
        assert!(read.rejected[1].reason.starts_with("not a JSON object"));
    }

    #[test]
    fn semicolons_strftime_times_and_missing_columns() {
        let mut m = mapping();
        m.delimiter = b';';
        m.opened_at_format = Some("%d/%m/%Y %H:%M".into());
        let log = "opened;code;payload;queue;agent;minutes;http\n02/11/2026 09:30;X;p.json;erp-orders;a;1;500\n";
        let read = read_csv(log.as_bytes(), &m).unwrap();
        assert_eq!(
            read.exceptions[0].opened_at.to_string(),
            "2026-11-02T09:30:00Z"
        );
        assert_eq!(read.exceptions[0].delivery, Some(Delivery::Failed));
        let err = read_csv("opend,code\n".as_bytes(), &mapping()).unwrap_err();
        assert_eq!(
            err.0,
            "the log has no column `opened`; did you mean `opend`? (its columns: opend, code)"
        );
    }
}

#[cfg(test)]
mod lines {
    use super::*;

    /// The unit tests' mapping, with a `contract` column in place of the queue lookup.
    fn mapping() -> Mapping {
        Mapping {
            opened_at: "at".into(),
            boundary: BoundaryColumn::Contract("contract".into()),
            handling_minutes: None,
            handoff_status: None,
            owner: None,
            ..super::tests::mapping()
        }
    }

    /// One byte per read: the conversion must not depend on where reads split the input.
    struct OneByte<'a>(&'a [u8]);

    impl Read for OneByte<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), out.is_empty()) {
                (Some((b, rest)), false) => {
                    out[0] = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn cr_lf_becomes_lf_and_nothing_else_changes(text in "[a\r\n]{0,40}", one in proptest::bool::ANY) {
            let mut got = Vec::new();
            if one {
                Unix::new(OneByte(text.as_bytes())).read_to_end(&mut got).unwrap();
            } else {
                Unix::new(text.as_bytes()).read_to_end(&mut got).unwrap();
            }
            proptest::prop_assert_eq!(String::from_utf8(got).unwrap(), text.replace("\r\n", "\n"));
        }
    }

    /// Line numbers are the file's physical lines, whatever the line endings and however many
    /// line breaks quoted cells hold; a row with more or fewer fields than the header is
    /// rejected with both counts.
    #[test]
    fn rows_are_located_by_physical_line_and_field_counts_are_checked() {
        for eol in ["\n", "\r\n"] {
            let log = [
                "at,code,payload,contract,agent",
                "2026-11-02T09:00:00Z,A,p/1.json,c,\"two",
                "lines\"",
                "yesterday,A,p/2.json,c,x",
                "2026-11-02T09:00:00Z,A,p/3.json,c",
                "2026-11-02T09:00:00Z,A,p/4.json,c,x,extra",
                "2026-11-02T09:00:00Z,A,p/5.json,c,\"three",
                "line",
                "note\"",
                "later,A,p/6.json,c,x",
                "",
            ]
            .join(eol);
            let read = read_csv(log.as_bytes(), &mapping()).unwrap();
            assert_eq!(read.rows_read, 6, "{eol:?}");
            let lines: Vec<u64> = read.exceptions.iter().map(|e| e.line).collect();
            assert_eq!(lines, [2, 7], "{eol:?}");
            let rejected: Vec<(u64, &str)> = read
                .rejected
                .iter()
                .map(|r| (r.line, r.reason.as_str()))
                .collect();
            assert_eq!(rejected.len(), 4, "{eol:?} {rejected:?}");
            assert_eq!(rejected[0].0, 4, "{eol:?}");
            assert_eq!(
                rejected[1],
                (
                    5,
                    "the row has 4 fields, the header 5: a field is missing or a delimiter is inside an unquoted cell"
                ),
                "{eol:?}"
            );
            assert_eq!(
                rejected[2],
                (
                    6,
                    "the row has 6 fields, the header 5: a delimiter is inside an unquoted cell, or a field is extra"
                ),
                "{eol:?}"
            );
            assert_eq!(rejected[3].0, 10, "{eol:?}");
        }
    }
}
