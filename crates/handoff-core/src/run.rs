//! A check run: each contract's inputs read payload by payload, every result handed to a sink.
//!
//! Results arrive in input order (inputs as expanded, then NDJSON line order), so output is
//! deterministic whatever the number of threads. The run never stops early: an unreadable
//! file, an over-long line or a malformed payload becomes a finding on that payload, and the
//! next one is checked.
//!
//! With more than one job, one thread reads the inputs in order and cuts them into units (a
//! JSON file, or a batch of NDJSON lines); worker threads check units; the calling thread puts
//! results back in order before handing them to the sink. A fixed number of units may be in
//! flight at once, so memory stays bounded however large the input.

use crate::check::Checker;
use crate::finding::{Finding, Kind, PayloadResult, PayloadSource};
use crate::input::{self, Framing, Input, Payload};
use crate::redact::Redact;
use crate::x12::stream::Item as X12Item;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

/// Default largest payload (a JSON file or one NDJSON line): larger ones are reported, not read.
pub const DEFAULT_MAX_PAYLOAD_BYTES: u64 = 64 * 1024 * 1024;

/// NDJSON batches are cut at this many bytes, so each unit is worth a thread's time.
const BATCH_BYTES: usize = 256 * 1024;
/// ... or at this many records: a unit's results (findings with their messages, far larger
/// than a small failing record) are held until the unit is reported, so tiny records must not
/// make a unit of thousands of results (1.5M 40-byte failing lines took 170 MB at -j 2).
const BATCH_RECORDS: usize = 512;
/// JSON files per unit: small files are cheap to check, and handing each to a thread alone
/// would spend more on waking threads than on checking.
const FILES_PER_UNIT: usize = 128;
/// Units in flight per worker: enough to keep workers busy while one unit is slow.
const UNITS_PER_WORKER: usize = 4;
/// NDJSON bytes in flight across all workers, at most: a file of 50 MB lines must not hold
/// units x 50 MB in memory (a single line larger than this still goes, alone).
const IN_FLIGHT_BYTES: u64 = 256 * 1024 * 1024;

/// The NDJSON bytes read but not yet reported: the producer waits while adding a batch would
/// exceed [`IN_FLIGHT_BYTES`], and the reporting side gives bytes back as it emits.
struct Budget {
    used: Mutex<u64>,
    freed: std::sync::Condvar,
}

impl Budget {
    fn take(&self, bytes: u64) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used > 0 && *used + bytes > IN_FLIGHT_BYTES {
            used = self.freed.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += bytes;
    }

    fn give(&self, bytes: u64) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        *used = used.saturating_sub(bytes);
        self.freed.notify_all();
    }
}

/// Inputs to check against one contract.
#[derive(Debug)]
pub struct Job<'c> {
    pub checker: &'c Checker,
    pub inputs: Vec<Input>,
    /// How CSV inputs are read, in place of the contract's `csv:` section (from handoff.yaml).
    pub csv: Option<crate::contract::layout::CsvOptions>,
}

#[derive(Debug, Clone)]
pub struct Options {
    /// Directory that relative input paths are read from.
    pub base: PathBuf,
    pub framing: Framing,
    pub max_payload_bytes: u64,
    /// Threads checking payloads; 1 checks on the calling thread.
    pub jobs: usize,
    /// Which values reports may show.
    pub redact: Redact,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            base: PathBuf::from("."),
            framing: Framing::Auto,
            max_payload_bytes: DEFAULT_MAX_PAYLOAD_BYTES,
            jobs: 1,
            redact: Redact::default(),
        }
    }
}

/// The number of threads to use when the user does not say: every core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Check every payload of every job, in order, handing each result to `sink`. Returns the
/// inputs that held no payload at all (an empty or blank file), with what they were read as,
/// which the caller must not let pass as "all payloads satisfy".
pub fn execute(
    jobs: &[Job<'_>],
    options: &Options,
    sink: &mut dyn FnMut(PayloadResult),
) -> Vec<(String, input::Shape)> {
    if options.jobs <= 1 {
        sequential(jobs, options, sink)
    } else {
        parallel(jobs, options, sink)
    }
}

fn sequential(
    jobs: &[Job<'_>],
    options: &Options,
    sink: &mut dyn FnMut(PayloadResult),
) -> Vec<(String, input::Shape)> {
    let mut empty = Vec::new();
    for job in jobs {
        let contract: Arc<str> = job.checker.contract().reference().into();
        for input in &job.inputs {
            let reading = reading(job, options, input);
            let path: Arc<str> = input.display().into();
            let mut count = 0u64;
            input::read(
                input,
                &options.base,
                reading,
                options.max_payload_bytes,
                |line, payload| {
                    count += 1;
                    sink(check_payload(
                        job.checker,
                        &contract,
                        &path,
                        line,
                        payload,
                        options.redact,
                    ));
                },
            );
            if count == 0 {
                empty.push((path.to_string(), options.framing.shape(input)));
            }
        }
    }
    empty
}

/// Check every payload `reader` holds (one JSON document, NDJSON lines, X12 transaction sets
/// or CSV rows, as `shape` says) against `checker`, in order, handing each result to `sink`;
/// `name` is the source findings cite. Returns how many payloads were read. Values follow the
/// checker's redaction policy.
pub fn check_reader(
    checker: &Checker,
    reader: impl std::io::Read,
    shape: input::Shape,
    name: &str,
    max_payload_bytes: u64,
    sink: &mut dyn FnMut(PayloadResult),
) -> u64 {
    let contract: Arc<str> = checker.contract().reference().into();
    let path: Arc<str> = name.into();
    let reading = input::Reading {
        shape,
        csv: checker.contract().csv.as_ref(),
    };
    let mut count = 0u64;
    input::read_from(
        reader,
        Some(std::path::Path::new(name)),
        reading,
        max_payload_bytes,
        |line, payload| {
            count += 1;
            sink(check_payload(
                checker,
                &contract,
                &path,
                line,
                payload,
                checker.redaction(),
            ));
        },
    );
    count
}

/// Check one payload and build its result.
fn check_payload(
    checker: &Checker,
    contract: &Arc<str>,
    path: &Arc<str>,
    line: Option<u64>,
    payload: Payload<'_>,
    redact: Redact,
) -> PayloadResult {
    let mut text: Option<Arc<str>> = None;
    let mut unlisted = 0;
    let mut origin = None;
    let mut line = line;
    let mut findings = match payload {
        Payload::X12(_) | Payload::Csv(_) => {
            let (at, outcome) = match payload {
                Payload::X12(item) => crate::check::records::check_x12_item(checker, item, redact),
                Payload::Csv(item) => crate::check::records::check_csv_item(checker, item, redact),
                _ => unreachable!("matched above"),
            };
            line = Some(at);
            unlisted = outcome.unlisted;
            text = outcome.text.map(Into::into);
            origin = outcome.origin;
            outcome.findings
        }
        Payload::Bytes(bytes) => {
            let checked = checker.check_counted_raw(bytes);
            unlisted = checked.unlisted;
            let findings = checked.findings;
            let sensitive = checked.sensitive;
            // Printers quote the offending line; only failing payloads pay for a copy, and it
            // holds no value a report may not show.
            if !findings.is_empty() && redact != Redact::All {
                let shown = String::from_utf8_lossy(crate::check::without_bom(bytes));
                let hidden = match redact {
                    Redact::Sensitive => sensitive,
                    _ => Vec::new(),
                };
                text = Some(if hidden.is_empty() {
                    shown.into()
                } else {
                    crate::redact::hide_ranges(&shown, &hidden).into()
                });
            }
            findings
        }
        Payload::TooLarge { size, limit } => vec![crate::check::too_large(size, limit)],
        Payload::Unreadable(err) => vec![unreadable(&err.to_string())],
    };
    if let Some(line) = line.filter(|_| origin.is_none()) {
        // The record is one line: its findings are on that line of the file.
        for f in &mut findings {
            if let Some(p) = &mut f.position {
                p.line = line;
            }
        }
    }
    // Card numbers never leave the run: every string a printer may show is masked here, once,
    // for all formats (positions are kept, so columns stay true).
    for f in &mut findings {
        crate::redact::for_report(f, redact);
    }
    if let Some(kept) = &text
        && let std::borrow::Cow::Owned(masked) = crate::redact::mask_card_numbers(kept)
    {
        text = Some(masked.into());
    }
    PayloadResult {
        source: PayloadSource {
            path: path.clone(),
            line,
        },
        contract: contract.clone(),
        findings,
        known: 0,
        unlisted,
        text,
        text_origin: origin,
    }
}

/// Work for one thread: consecutive JSON files (read by the worker, so file reading is
/// parallel too) or a batch of NDJSON lines read by the producer.
enum Unit {
    Documents {
        job: usize,
        inputs: Range<usize>,
    },
    Lines {
        job: usize,
        input: usize,
        batch: Batch,
    },
}

/// NDJSON records copied into one buffer, or X12 sets and CSV rows with their own bytes.
#[derive(Default)]
struct Batch {
    data: Vec<u8>,
    record_bytes: usize,
    items: Vec<(Option<u64>, Item)>,
}

impl Batch {
    /// Room for `more` bytes. The buffer grows at most twice, to its first payload and then
    /// to a full batch: growing by doubling copied each batch's bytes twice over, a fifth of
    /// the reading thread's work once checking got fast. A one-line file gets no more room
    /// than its line.
    fn reserve(&mut self, more: usize) {
        let need = self.data.len() + more;
        if need > self.data.capacity() {
            let target = if self.data.is_empty() {
                more
            } else {
                need.max(BATCH_BYTES + BATCH_BYTES / 4)
            };
            self.data.reserve_exact(target - self.data.len());
        }
    }

    fn bytes(&self) -> usize {
        self.data.len() + self.record_bytes
    }
}

enum Item {
    Bytes(Range<usize>),
    TooLarge { size: Option<u64>, limit: u64 },
    Unreadable(String),
    X12(X12Item),
    Csv(crate::flat::Item),
}

/// How to read `input` for `job`: its shape, and the contract's CSV options.
fn reading<'j>(job: &'j Job<'_>, options: &Options, input: &Input) -> input::Reading<'j> {
    input::Reading {
        shape: options.framing.shape(input),
        csv: job.csv.as_ref().or(job.checker.contract().csv.as_ref()),
    }
}

fn parallel(
    jobs: &[Job<'_>],
    options: &Options,
    sink: &mut dyn FnMut(PayloadResult),
) -> Vec<(String, input::Shape)> {
    let workers = options.jobs;
    let contracts: Vec<Arc<str>> = jobs
        .iter()
        .map(|j| j.checker.contract().reference().into())
        .collect();
    let paths: Vec<Vec<Arc<str>>> = jobs
        .iter()
        .map(|j| j.inputs.iter().map(|i| i.display().into()).collect())
        .collect();
    let in_flight = workers * UNITS_PER_WORKER;
    let (unit_tx, unit_rx) = sync_channel::<(u64, Unit)>(in_flight);
    let (result_tx, result_rx) = sync_channel::<(u64, Vec<PayloadResult>)>(in_flight);
    // A permit per unit in flight: the producer takes one before sending, the sink side gives
    // it back after emitting the unit, so out-of-order results cannot pile up without bound.
    // Each permit carries its unit's NDJSON bytes, returned to the budget when it is emitted.
    let (permit_tx, permit_rx) = sync_channel::<u64>(in_flight);
    let budget = Budget {
        used: Mutex::new(0),
        freed: std::sync::Condvar::new(),
    };
    let unit_rx = Mutex::new(unit_rx);

    std::thread::scope(|scope| {
        // The producer owns the senders: when it is done they drop, which ends the workers.
        let budget = &budget;
        let producer = scope.spawn(move || produce(jobs, options, &unit_tx, &permit_tx, budget));
        for _ in 0..workers {
            let result_tx = result_tx.clone();
            let (unit_rx, contracts, paths) = (&unit_rx, &contracts, &paths);
            scope.spawn(move || work(jobs, options, unit_rx, &result_tx, contracts, paths));
        }
        drop(result_tx);
        reorder(result_rx, &permit_rx, |bytes| budget.give(bytes), sink);
        producer.join().expect("the producer does not panic")
    })
}

fn produce(
    jobs: &[Job<'_>],
    options: &Options,
    units: &SyncSender<(u64, Unit)>,
    permits: &SyncSender<u64>,
    budget: &Budget,
) -> Vec<(String, input::Shape)> {
    let mut empty = Vec::new();
    let mut seq = 0u64;
    let mut send = |unit: Unit| {
        let bytes = match &unit {
            Unit::Lines { batch, .. } => batch.bytes() as u64,
            Unit::Documents { .. } => 0,
        };
        budget.take(bytes);
        // Both fail only if the receiving side is gone, which ends the run anyway.
        let _ = permits.send(bytes);
        let _ = units.send((seq, unit));
        seq += 1;
    };
    for (j, job) in jobs.iter().enumerate() {
        let is_file_document = |input: &Input| {
            options.framing.shape(input) == input::Shape::Json && *input != Input::Stdin
        };
        let mut i = 0;
        while i < job.inputs.len() {
            let input = &job.inputs[i];
            if is_file_document(input) {
                let start = i;
                while i < job.inputs.len()
                    && i - start < FILES_PER_UNIT
                    && is_file_document(&job.inputs[i])
                {
                    i += 1;
                }
                send(Unit::Documents {
                    job: j,
                    inputs: start..i,
                });
                continue;
            }
            let reading = reading(job, options, input);
            let mut batch = Batch::default();
            let mut count = 0u64;
            input::read(
                input,
                &options.base,
                reading,
                options.max_payload_bytes,
                |line, payload| {
                    let item = match payload {
                        Payload::Bytes(bytes) => {
                            let start = batch.data.len();
                            batch.reserve(bytes.len());
                            batch.data.extend_from_slice(bytes);
                            Item::Bytes(start..batch.data.len())
                        }
                        Payload::TooLarge { size, limit } => Item::TooLarge { size, limit },
                        Payload::Unreadable(err) => Item::Unreadable(err.to_string()),
                        Payload::X12(item) => {
                            if let X12Item::Set(set) = &item {
                                batch.record_bytes += set.body.bytes.len();
                            }
                            Item::X12(item)
                        }
                        Payload::Csv(item) => {
                            if let crate::flat::Item::Row(row) = &item {
                                batch.record_bytes += row.raw.len();
                            }
                            Item::Csv(item)
                        }
                    };
                    count += 1;
                    batch.items.push((line, item));
                    if batch.bytes() >= BATCH_BYTES || batch.items.len() >= BATCH_RECORDS {
                        send(Unit::Lines {
                            job: j,
                            input: i,
                            batch: std::mem::take(&mut batch),
                        });
                    }
                },
            );
            if !batch.items.is_empty() {
                send(Unit::Lines {
                    job: j,
                    input: i,
                    batch,
                });
            }
            if count == 0 {
                empty.push((input.display(), options.framing.shape(input)));
            }
            i += 1;
        }
    }
    empty
}

fn work(
    jobs: &[Job<'_>],
    options: &Options,
    units: &Mutex<Receiver<(u64, Unit)>>,
    results: &SyncSender<(u64, Vec<PayloadResult>)>,
    contracts: &[Arc<str>],
    paths: &[Vec<Arc<str>>],
) {
    loop {
        let next = units.lock().map(|rx| rx.recv());
        let Ok(Ok((seq, unit))) = next else { return };
        let mut out = Vec::new();
        match unit {
            Unit::Documents { job, inputs } => {
                let checker = jobs[job].checker;
                for input in inputs {
                    let item = &jobs[job].inputs[input];
                    input::read(
                        item,
                        &options.base,
                        input::Reading::json(false),
                        options.max_payload_bytes,
                        |line, payload| {
                            out.push(check_payload(
                                checker,
                                &contracts[job],
                                &paths[job][input],
                                line,
                                payload,
                                options.redact,
                            ));
                        },
                    );
                }
            }
            Unit::Lines { job, input, batch } => {
                let checker = jobs[job].checker;
                for (line, item) in batch.items {
                    let payload = match item {
                        Item::Bytes(range) => Payload::Bytes(&batch.data[range]),
                        Item::TooLarge { size, limit } => Payload::TooLarge { size, limit },
                        Item::Unreadable(message) => {
                            Payload::Unreadable(std::io::Error::other(message))
                        }
                        Item::X12(item) => Payload::X12(item),
                        Item::Csv(item) => Payload::Csv(item),
                    };
                    out.push(check_payload(
                        checker,
                        &contracts[job],
                        &paths[job][input],
                        line,
                        payload,
                        options.redact,
                    ));
                }
            }
        }
        if results.send((seq, out)).is_err() {
            return;
        }
    }
}

/// Emit results in sequence order, returning a permit for each unit emitted (`returned` gets
/// what the permit carried). Shared by the check and reconcile pipelines.
pub fn reorder<T, P>(
    results: Receiver<(u64, Vec<T>)>,
    permits: &Receiver<P>,
    mut returned: impl FnMut(P),
    sink: &mut dyn FnMut(T),
) {
    let mut pending: BTreeMap<u64, Vec<T>> = BTreeMap::new();
    let mut next = 0u64;
    for (seq, unit) in results {
        pending.insert(seq, unit);
        while let Some(unit) = pending.remove(&next) {
            unit.into_iter().for_each(&mut *sink);
            // Permits arrive in the order units were sent, which is the order they are emitted.
            if let Ok(permit) = permits.recv() {
                returned(permit);
            }
            next += 1;
        }
    }
}

/// The finding for a payload that could not be read.
pub fn unreadable(err: &str) -> Finding {
    Finding {
        message: format!("the payload could not be read: {err}"),
        expected: "a readable file".into(),
        ..Finding::bare(Kind::Unreadable, "", None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    fn budget() -> Budget {
        Budget {
            used: Mutex::new(0),
            freed: std::sync::Condvar::new(),
        }
    }

    #[test]
    fn the_byte_budget_holds_the_producer_until_bytes_are_given_back() {
        let budget = budget();
        budget.take(IN_FLIGHT_BYTES - 10);
        let taken = AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                budget.take(100);
                taken.store(true, Ordering::SeqCst);
            });
            std::thread::sleep(std::time::Duration::from_millis(50));
            assert!(!taken.load(Ordering::SeqCst), "over the budget: waits");
            budget.give(IN_FLIGHT_BYTES - 10);
        });
        assert!(taken.load(Ordering::SeqCst));
        assert_eq!(*budget.used.lock().unwrap(), 100);
    }

    #[test]
    fn a_record_larger_than_the_budget_still_goes_alone() {
        let budget = budget();
        budget.take(IN_FLIGHT_BYTES * 3);
        budget.give(IN_FLIGHT_BYTES * 3);
        assert_eq!(*budget.used.lock().unwrap(), 0);
    }
}
