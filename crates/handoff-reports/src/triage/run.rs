//! A triage run: each exception's payload found and checked against its boundary's contract
//! (the same engine and findings as `handoff check`), then grouped into patterns and diagnosed
//! per error code. Every row is accounted for: used, rejected by the log reader, or used without
//! a payload (not found, with the reason).

use super::framework::{self, Case, Diagnosis, Signature, Stats, Thresholds};
use super::log::{Exception, Log, PayloadRef, Rejected, Row};
use super::patterns::{self, Occurrence, Pattern};
use handoff_core::check::Checker;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// Where a log's payload paths point: relative to `dir` (the log's directory), and only to
/// files `reach` permits, since a log row is data and may name any path.
#[derive(Debug, Clone)]
pub struct PayloadDir {
    pub dir: std::path::PathBuf,
    pub reach: handoff_core::reach::Reach,
}

impl PayloadDir {
    /// Payloads under `dir` or anywhere `reach` permits.
    pub fn new(dir: &Path, reach: &handoff_core::reach::Reach) -> PayloadDir {
        PayloadDir {
            dir: dir.to_path_buf(),
            reach: reach.and(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            }),
        }
    }

    /// The file a payload path names, or why it may not be read.
    fn open(&self, path: &str, what: &str) -> Result<std::path::PathBuf, String> {
        let full = self.dir.join(path);
        self.reach
            .check(&full, what)
            .map_err(|o| o.to_string().lines().next().unwrap_or_default().to_string())?;
        Ok(full)
    }
}

/// Rows listed as rejected or without a payload, at most; the rest are counted.
pub const LISTED_ROWS: usize = 1000;

/// What a triage run found.
#[derive(Debug)]
pub struct Triage {
    pub patterns: Vec<Pattern>,
    /// One diagnosis per error code, most exceptions first.
    pub codes: Vec<Code>,
    pub rows_read: u64,
    pub rows_used: u64,
    /// Rows that are not exceptions (the first [`LISTED_ROWS`]), and how many there were.
    pub rejected: Vec<Rejected>,
    pub rejected_count: u64,
    /// Rows whose payload could not be found or whose contract could not be loaded (the first
    /// [`LISTED_ROWS`]), and how many; they are counted in their pattern as `not checked`.
    pub payloads_not_found: Vec<Rejected>,
    pub not_found_count: u64,
    /// The thresholds the answers were decided with.
    pub thresholds: Thresholds,
    /// For each watched payload place ([`Aggregate::watch`]), the signature of every row whose
    /// payload is there, in log order.
    pub watched: BTreeMap<Place, Vec<Signature>>,
}

/// Where a payload is: its file (canonical when it exists) and NDJSON line.
pub type Place = (std::path::PathBuf, Option<u64>);

/// A payload file's place as the log and the history database both resolve it: canonical
/// when the file exists, so `captures/../captures/x.ndjson` and `./captures/x.ndjson` agree.
pub fn place(path: &Path, line: Option<u64>) -> Place {
    (
        std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        line,
    )
}

/// Places watched by an aggregate, and where the log's payload paths are relative to.
#[derive(Debug, Default)]
struct Watch {
    dir: std::path::PathBuf,
    places: std::collections::HashSet<Place>,
    /// Each payload path's canonical file, resolved once.
    files: HashMap<String, std::path::PathBuf>,
    seen: BTreeMap<Place, Vec<Signature>>,
}

/// The diagnosis of one error code.
#[derive(Debug)]
pub struct Code {
    pub error_code: String,
    pub count: u64,
    pub diagnosis: Diagnosis,
    /// The contract references its exceptions named.
    pub contracts: BTreeSet<String>,
    /// Who handled them.
    pub handlers: BTreeSet<String>,
    /// Who owns their boundary, as the log's `owner` column says.
    pub owners: BTreeSet<String>,
}

/// One error code's running counts, and the contracts and owners its rows named.
#[derive(Debug, Default)]
struct CodeTally {
    stats: Stats,
    contracts: BTreeSet<String>,
    owners: BTreeSet<String>,
}

/// The running counts of a triage: memory grows with the patterns, error codes and distinct
/// resolutions, not with the rows.
#[derive(Debug)]
pub struct Aggregate {
    thresholds: Thresholds,
    grouper: patterns::Grouper,
    codes: BTreeMap<String, CodeTally>,
    rows_read: u64,
    rows_used: u64,
    rejected: Vec<Rejected>,
    rejected_count: u64,
    not_found: Vec<Rejected>,
    not_found_count: u64,
    watch: Watch,
}

impl Aggregate {
    pub fn new(thresholds: Thresholds) -> Self {
        Aggregate {
            thresholds,
            grouper: patterns::Grouper::default(),
            codes: BTreeMap::new(),
            rows_read: 0,
            rows_used: 0,
            rejected: Vec::new(),
            rejected_count: 0,
            not_found: Vec::new(),
            not_found_count: 0,
            watch: Watch::default(),
        }
    }

    /// Tell apart the rows whose payload is at one of `places` (payload paths are relative to
    /// `dir`): [`Triage::watched`] lists each one's signature. The review gate's approved
    /// repairs are watched, so a repaired payload's exceptions are still counted for the
    /// pattern they were proposed in.
    pub fn watch(&mut self, dir: &Path, places: impl IntoIterator<Item = Place>) {
        self.watch.dir = dir.to_path_buf();
        self.watch.places = places.into_iter().collect();
    }

    fn note_place(&mut self, e: &Exception, signature: &Signature) {
        let w = &mut self.watch;
        if w.places.is_empty() {
            return;
        }
        let (path, line) = match &e.payload {
            PayloadRef::Inline(_) => return,
            PayloadRef::File(path) => (path, None),
            PayloadRef::NdjsonLine { file, line } => (file, Some(*line)),
        };
        let file = w
            .files
            .entry(path.clone())
            .or_insert_with(|| place(&w.dir.join(path), None).0)
            .clone();
        let at = (file, line);
        if w.places.contains(&at) {
            w.seen.entry(at).or_default().push(signature.clone());
        }
    }

    /// Add a row whose payload was checked (by [`checked`], possibly on another thread).
    pub fn add_checked(&mut self, checked: Checked) {
        self.rows_read += 1;
        let (e, signature, not_found) = match checked {
            Ok(c) => c,
            Err(r) => {
                self.rejected_count += 1;
                if self.rejected.len() < LISTED_ROWS {
                    self.rejected.push(r);
                }
                return;
            }
        };
        self.rows_used += 1;
        self.note_place(&e, &signature);
        if let Some(why) = not_found {
            self.not_found_count += 1;
            if self.not_found.len() < LISTED_ROWS {
                self.not_found.push(Rejected {
                    line: e.line,
                    reason: why,
                });
            }
        }
        self.grouper.add(
            &e.error_code,
            &signature,
            &Occurrence {
                line: e.line,
                opened_at: e.opened_at,
                opened_at_text: &e.opened_at_text,
                handling_minutes: e.handling_minutes,
            },
            &e.violations,
        );
        let tally = self.codes.entry(e.error_code.clone()).or_default();
        if !tally.contracts.contains(&e.contract) {
            tally.contracts.insert(e.contract.clone());
        }
        if let Some(owner) = e.owner.as_ref().filter(|o| !tally.owners.contains(*o)) {
            tally.owners.insert(owner.clone());
        }
        tally.stats.add(&case(&e, &signature));
    }

    pub fn finish(self) -> Triage {
        let thresholds = self.thresholds;
        let mut codes: Vec<Code> = self
            .codes
            .into_iter()
            .map(|(code, t)| Code {
                error_code: code,
                count: t.stats.total as u64,
                diagnosis: framework::diagnose_stats(&t.stats, thresholds),
                handlers: t.stats.handlers,
                contracts: t.contracts,
                owners: t.owners,
            })
            .collect();
        codes.sort_by(|a, b| b.count.cmp(&a.count).then(a.error_code.cmp(&b.error_code)));
        Triage {
            patterns: self.grouper.finish(),
            codes,
            rows_read: self.rows_read,
            rows_used: self.rows_used,
            rejected: self.rejected,
            rejected_count: self.rejected_count,
            payloads_not_found: self.not_found,
            not_found_count: self.not_found_count,
            thresholds,
            watched: self.watch.seen,
        }
    }
}

/// Run triage over a log read whole. `base` is the directory payload paths are relative to;
/// `checker` gives the checker for a contract reference, or why there is none.
pub fn triage<'c>(
    log: &Log,
    base: &PayloadDir,
    checker: &mut dyn FnMut(&str) -> Result<&'c Checker, String>,
    thresholds: Thresholds,
) -> Triage {
    let mut aggregate = Aggregate::new(thresholds);
    let mut ndjson = HashMap::new();
    for e in &log.exceptions {
        aggregate.add_checked(checked(Ok(e.clone()), base, checker, &mut ndjson));
    }
    for r in &log.rejected {
        aggregate.add_checked(Err(r.clone()));
    }
    let mut t = aggregate.finish();
    // Rows read counts the log's own, which may include rows no reader handed over.
    t.rows_read = log.rows_read;
    t
}

/// A row with its payload checked: the exception, its signature, and why its payload could not
/// be checked, if it could not; or the row's rejection.
pub type Checked = Result<(Exception, Signature, Option<String>), Rejected>;

/// Find and check one row's payload. `ndjson` caches capture indexes (one per thread).
pub fn checked<'c>(
    row: Row,
    base: &PayloadDir,
    checker: &mut dyn FnMut(&str) -> Result<&'c Checker, String>,
    ndjson: &mut HashMap<String, Result<NdjsonFile, String>>,
) -> Checked {
    let mut e = row?;
    let found = checker(&e.contract).and_then(|c| payload_bytes(&e, base, ndjson).map(|b| (c, b)));
    Ok(match found {
        Ok((c, bytes)) => {
            // Signatures are printed in every report: the values they keep (a new enum value)
            // follow the same rules as `check`'s findings.
            let mut findings = c.check(&bytes);
            for f in &mut findings {
                handoff_core::redact::for_report(f, handoff_core::redact::Redact::Sensitive);
            }
            e.violations = patterns::violations(&c.contract().reference(), &findings);
            (e, patterns::signature(&c.contract().id, &findings), None)
        }
        Err(why) => (e, Signature::Unchecked(why.clone()), Some(why)),
    })
}

/// A log reader: hands every row to the callback in log order, returns the rows read.
pub type ReadLog<'r> =
    dyn FnMut(&mut dyn FnMut(Row)) -> Result<u64, crate::triage::log::LogError> + 'r;

/// Triage a log with `jobs` threads checking payloads: `read` hands rows over in log order,
/// batches go to the workers, and results are added back in log order, so the report is the
/// same whatever the number of threads. Rows whose payload is at one of the `watch` places are
/// listed in [`Triage::watched`].
pub fn triage_parallel<'c>(
    read: &mut ReadLog<'_>,
    base: &PayloadDir,
    checker: &(dyn Fn(&str) -> Result<&'c Checker, String> + Sync),
    thresholds: Thresholds,
    jobs: usize,
    watch: Vec<Place>,
) -> Result<Triage, crate::triage::log::LogError> {
    use std::sync::Mutex;
    use std::sync::mpsc::sync_channel;
    const BATCH: usize = 512;
    let (batch_tx, batch_rx) = sync_channel::<(u64, Vec<Row>)>(jobs * 2);
    let (done_tx, done_rx) = sync_channel::<(u64, Vec<Checked>)>(jobs * 2);
    let batch_rx = Mutex::new(batch_rx);
    let rows = std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            let done_tx = done_tx.clone();
            let batch_rx = &batch_rx;
            scope.spawn(move || {
                let mut ndjson = HashMap::new();
                let mut lookup = |r: &str| checker(r);
                loop {
                    let next = batch_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok((seq, rows))) = next else { return };
                    let out: Vec<Checked> = rows
                        .into_iter()
                        .map(|row| checked(row, base, &mut lookup, &mut ndjson))
                        .collect();
                    if done_tx.send((seq, out)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        // Results are added in log order as they arrive: at most the batches in flight wait.
        let collector = scope.spawn(move || {
            let mut aggregate = Aggregate::new(thresholds);
            aggregate.watch(&base.dir, watch);
            let mut pending: BTreeMap<u64, Vec<Checked>> = BTreeMap::new();
            let mut next = 0u64;
            for (seq, batch) in done_rx {
                pending.insert(seq, batch);
                while let Some(batch) = pending.remove(&next) {
                    batch.into_iter().for_each(|c| aggregate.add_checked(c));
                    next += 1;
                }
            }
            aggregate
        });
        let mut seq = 0u64;
        let mut batch = Vec::with_capacity(BATCH);
        let result = read(&mut |row| {
            batch.push(row);
            if batch.len() == BATCH {
                let _ = batch_tx.send((seq, std::mem::take(&mut batch)));
                seq += 1;
            }
        });
        if !batch.is_empty() {
            let _ = batch_tx.send((seq, batch));
        }
        drop(batch_tx);
        let aggregate = collector.join().expect("the collector does not panic");
        (result, aggregate)
    });
    let (result, aggregate) = rows;
    let rows_read = result?;
    let mut t = aggregate.finish();
    t.rows_read = rows_read;
    Ok(t)
}

fn case(e: &Exception, signature: &Signature) -> Case {
    Case {
        signature: signature.clone(),
        handled_by: e.handled_by.clone(),
        resolution: e.resolution.clone(),
        retried: e.retried,
        retry_succeeded: e.retry_succeeded,
        delivery: e.delivery,
    }
}

/// An NDJSON capture, indexed once by line: the offset where each line starts, so any record
/// is one seek away however many exceptions point into the file (8 bytes a line in memory).
pub struct NdjsonFile {
    file: std::fs::File,
    starts: Vec<u64>,
    len: u64,
}

impl NdjsonFile {
    fn open(path: &Path) -> std::io::Result<NdjsonFile> {
        use std::io::Read;
        let mut file = std::fs::File::open(path)?;
        let mut starts = vec![0u64];
        let mut buf = vec![0u8; 1 << 16];
        let mut at = 0u64;
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            starts.extend(memchr::memchr_iter(b'\n', &buf[..n]).map(|i| at + i as u64 + 1));
            at += n as u64;
        }
        Ok(NdjsonFile {
            file,
            starts,
            len: at,
        })
    }

    fn line(&mut self, n: u64, limit: u64) -> Result<Option<Vec<u8>>, String> {
        use std::io::{Read, Seek, SeekFrom};
        let Some(&start) = usize::try_from(n)
            .ok()
            .and_then(|n| self.starts.get(n.checked_sub(1)?))
        else {
            return Ok(None);
        };
        if start >= self.len {
            return Ok(None);
        }
        let end = self
            .starts
            .get(n as usize)
            .map_or(self.len, |next| next - 1);
        if end - start > limit {
            return Err(format!("longer than {limit} bytes"));
        }
        let mut bytes = vec![0u8; (end - start) as usize];
        self.file
            .seek(SeekFrom::Start(start))
            .and_then(|_| self.file.read_exact(&mut bytes))
            .map_err(|e| e.to_string())?;
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        // A blank line holds no record, as the NDJSON reader says.
        if bytes.iter().all(|b| matches!(b, b' ' | b'\t')) {
            return Ok(None);
        }
        Ok(Some(bytes))
    }
}

/// The bytes of an exception's payload: inline, a file, or one line of an NDJSON capture
/// (`ndjson` caches capture indexes).
pub fn payload_bytes(
    e: &Exception,
    base: &PayloadDir,
    ndjson: &mut HashMap<String, Result<NdjsonFile, String>>,
) -> Result<Vec<u8>, String> {
    let limit = handoff_core::run::DEFAULT_MAX_PAYLOAD_BYTES;
    match &e.payload {
        PayloadRef::Inline(text) => Ok(text.clone().into_bytes()),
        PayloadRef::File(path) => {
            handoff_core::file::read_bytes(&base.open(path, &format!("payload {path}:"))?, limit)
                .map_err(|err| format!("payload {path}: {err}"))
        }
        PayloadRef::NdjsonLine { file, line } => {
            let capture = ndjson.entry(file.clone()).or_insert_with(|| {
                let full = base.open(file, &format!("payload file {file}:"))?;
                NdjsonFile::open(&full).map_err(|err| format!("payload file {file}: {err}"))
            });
            match capture {
                Err(why) => Err(why.clone()),
                Ok(capture) => match capture.line(*line, limit) {
                    Ok(Some(bytes)) => Ok(bytes),
                    Ok(None) => Err(format!("payload {file}:{line}: no record on that line")),
                    Err(why) => Err(format!("payload {file}:{line}: {why}")),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_keep_no_sensitive_value_and_no_card_number() {
        let text = "contract: cards\nversion: 1.0.0\nboundary: {from: a, to: b, transport: api}\nfields:\n  code: {type: string, enum: [A, B], sensitive: true}\n  card: {type: string, enum: [none]}\n";
        let contract = handoff_core::contract::parse(Path::new("c.yaml"), text)
            .contract
            .unwrap();
        let checker = Checker::new(contract).unwrap();
        let row = |payload: &str| {
            Ok(Exception {
                line: 2,
                opened_at: "2026-11-02T09:00:00Z".parse().unwrap(),
                opened_at_text: "2026-11-02T09:00:00Z".into(),
                error_code: "X".into(),
                payload: PayloadRef::Inline(payload.into()),
                contract: "cards".into(),
                handled_by: None,
                resolution: None,
                handling_minutes: None,
                retried: None,
                retry_succeeded: None,
                owner: None,
                delivery: None,
                violations: Vec::new(),
            })
        };
        let mut lookup = |_: &str| Ok(&checker);
        let mut ndjson = HashMap::new();
        let (e, sig, _) = checked(
            row(r#"{"code": "SECRET-VALUE", "card": "4111111111111111"}"#),
            &PayloadDir::new(Path::new("."), &handoff_core::reach::Reach::anywhere()),
            &mut lookup,
            &mut ndjson,
        )
        .unwrap();
        assert_eq!(
            sig,
            Signature::Violates(
                "cards: /card unknown_enum_value \"411111******1111\", /code unknown_enum_value"
                    .into()
            )
        );
        // The signature as data keeps no more: the card masked, the sensitive value left out.
        let values: Vec<(&str, Option<&str>)> = e
            .violations
            .iter()
            .map(|v| (v.pointer.as_str(), v.value.as_deref()))
            .collect();
        assert_eq!(
            values,
            [("/card", Some("411111******1111")), ("/code", None)]
        );
    }
    use crate::triage::framework::Verdict;
    use crate::triage::log::{BoundaryColumn, Mapping, PayloadColumn, read_csv};

    #[test]
    fn exceptions_are_checked_grouped_and_diagnosed() {
        let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
        let (checker, diags) = handoff_core::lint::prepare(
            &root.join("contracts/payment-status-to-storefront/2.0.0.yaml"),
        );
        let checker = checker.unwrap_or_else(|| panic!("{diags:?}"));
        let mapping = Mapping {
            opened_at: "opened_at".into(),
            opened_at_format: None,
            error_code: "error".into(),
            payload: PayloadColumn::NdjsonLine {
                file: "capture".into(),
                line: "line".into(),
            },
            boundary: BoundaryColumn::Contract("contract".into()),
            handled_by: Some("agent".into()),
            resolution: Some("resolution".into()),
            handling_minutes: None,
            retried: None,
            retry_succeeded: None,
            handoff_status: None,
            owner: None,
            status_map: Default::default(),
            delimiter: b',',
        };
        let mut csv = String::from("opened_at,error,capture,line,contract,agent,resolution\n");
        for i in 0..10 {
            csv.push_str(&format!(
                "2026-11-2{}T09:00:00Z,UNMAPPED_STATUS,fixtures/payment-status-to-storefront/invalid/2026-11-21.ndjson,2,payments,{},mapped by hand\n",
                i % 3,
                ["ana", "ben"][i % 2]
            ));
        }
        csv.push_str("2026-11-21T10:00:00Z,UNMAPPED_STATUS,fixtures/none.ndjson,1,payments,ana,mapped by hand\n");
        let log = read_csv(csv.as_bytes(), &mapping).unwrap();
        let root = PayloadDir::new(root, &handoff_core::reach::Reach::within([root]));
        let result = triage(&log, &root, &mut |_| Ok(&checker), Thresholds::default());
        assert_eq!((result.rows_read, result.rows_used), (11, 11));
        assert_eq!(result.payloads_not_found.len(), 1);
        assert_eq!(result.payloads_not_found[0].line, 12);
        let top = &result.patterns[0];
        assert_eq!(top.count, 10);
        assert_eq!(
            top.signature,
            Signature::Violates(
                "payment-status-to-storefront: /event_code unknown_enum_value \"REFUND_FAILED\", /reason rule_violated".into()
            )
        );
        let code = &result.codes[0];
        assert_eq!(code.error_code, "UNMAPPED_STATUS");
        assert!(
            code.diagnosis.answers[0].is_yes(),
            "{:?}",
            code.diagnosis.answers[0]
        );
        assert_eq!(code.diagnosis.verdict, Verdict::Integration);
    }
}
