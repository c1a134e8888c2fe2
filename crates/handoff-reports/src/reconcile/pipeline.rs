//! Reading a flow's captures on several threads: one thread reads the inputs in order and cuts
//! them into batches, workers check each payload against its contract and read it into a
//! message, and the calling thread takes the results back in reading order. The outcome does
//! not depend on the number of threads. A fixed number of batches may be in flight, so memory
//! stays bounded whatever the size of the captures.

use super::flow::Flow;
use super::gaps::Gap;
use super::message::{Origin, extract};
use super::run::{Options, SystemInput};
use handoff_core::check::Checker;
use handoff_core::finding::Finding;
use handoff_core::input::{self, Payload, Reading};
use handoff_core::redact::Redact;
use serde_json::Value;
use std::ops::Range;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Payloads per batch, and bytes: enough work to be worth a thread's wake-up.
const BATCH_ITEMS: usize = 1024;
const BATCH_BYTES: usize = 1024 * 1024;
const BATCHES_PER_WORKER: usize = 4;

/// One payload read, with its bytes kept in the batch's buffer.
enum Work {
    Bytes(Range<usize>),
    X12(handoff_core::x12::stream::Item),
    Csv(handoff_core::flat::Item),
    TooLarge { size: Option<u64>, limit: u64 },
    Unreadable(std::io::Error),
}

struct Batch {
    system: usize,
    /// The input's number in reading order, across all systems.
    input: u32,
    file: String,
    file_modified: Option<i64>,
    data: Vec<u8>,
    items: Vec<(Option<u64>, u64, Work)>,
}

/// What one payload became: the message encoded for the store (with its time), or none.
pub struct Processed {
    pub system: usize,
    pub input: u32,
    pub file: std::sync::Arc<str>,
    pub message: Option<super::spill::Encoded>,
    pub gaps: Vec<Gap>,
    pub has_findings: bool,
}

/// Read every capture of every system, handing each payload's result to `each` in reading
/// order. Returns the inputs that held no payload.
pub fn read(
    flow: &Flow,
    systems: &[SystemInput<'_>],
    options: &Options,
    each: &mut dyn FnMut(Processed),
) -> Vec<String> {
    let workers = options.jobs.max(1);
    let in_flight = workers * BATCHES_PER_WORKER;
    let (batch_tx, batch_rx) = sync_channel::<(u64, Batch)>(in_flight);
    let (result_tx, result_rx) = sync_channel::<(u64, Vec<Processed>)>(in_flight);
    // A permit per batch in flight: results that arrive out of order cannot pile up.
    let (permit_tx, permit_rx) = sync_channel::<()>(in_flight);
    let batch_rx = Mutex::new(batch_rx);
    let (base, limit, redact) = (
        options.base.as_path(),
        options.max_payload_bytes,
        options.redact,
    );
    std::thread::scope(|scope| {
        let producer = scope.spawn(move || produce(systems, base, limit, &batch_tx, &permit_tx));
        for _ in 0..workers {
            let result_tx = result_tx.clone();
            let batch_rx = &batch_rx;
            scope.spawn(move || work(flow, systems, redact, batch_rx, &result_tx));
        }
        drop(result_tx);
        handoff_core::run::reorder(result_rx, &permit_rx, |()| {}, each);
        producer.join().expect("the reader does not panic")
    })
}

fn produce(
    systems: &[SystemInput<'_>],
    base: &std::path::Path,
    limit: u64,
    batches: &SyncSender<(u64, Batch)>,
    permits: &SyncSender<()>,
) -> Vec<String> {
    let mut empty = Vec::new();
    let mut index = 0u64;
    let mut seq = 0u64;
    let mut inputs = 0u32;
    let mut send = |batch: Batch| {
        // Both fail only when the receiving side is gone, which ends the run anyway.
        let _ = permits.send(());
        let _ = batches.send((index, batch));
        index += 1;
    };
    for (system, input) in systems.iter().enumerate() {
        let contract = input.checker.contract();
        for source in &input.inputs {
            let reading = Reading {
                shape: input::Framing::Auto.shape(source),
                csv: contract.csv.as_ref(),
            };
            let file = source.display();
            let number = inputs;
            inputs += 1;
            let file_modified = match source {
                handoff_core::input::Input::File(path) => std::fs::metadata(base.join(path))
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .and_then(|d| i64::try_from(d.as_secs()).ok()),
                handoff_core::input::Input::Stdin => None,
            };
            let fresh = || Batch {
                system,
                input: number,
                file: file.clone(),
                file_modified,
                data: Vec::new(),
                items: Vec::new(),
            };
            let mut batch = fresh();
            let mut count = 0u64;
            input::read(source, base, reading, limit, |line, payload| {
                count += 1;
                seq += 1;
                let work = match payload {
                    Payload::Bytes(bytes) => {
                        let start = batch.data.len();
                        batch.data.extend_from_slice(bytes);
                        Work::Bytes(start..batch.data.len())
                    }
                    Payload::X12(item) => Work::X12(item),
                    Payload::Csv(item) => Work::Csv(item),
                    Payload::TooLarge { size, limit } => Work::TooLarge { size, limit },
                    Payload::Unreadable(err) => Work::Unreadable(err),
                };
                batch.items.push((line, seq, work));
                if batch.items.len() >= BATCH_ITEMS || batch.data.len() >= BATCH_BYTES {
                    send(std::mem::replace(&mut batch, fresh()));
                }
            });
            if !batch.items.is_empty() {
                send(batch);
            }
            if count == 0 {
                empty.push(file);
            }
        }
    }
    empty
}

fn work(
    flow: &Flow,
    systems: &[SystemInput<'_>],
    redact: Redact,
    batches: &Mutex<Receiver<(u64, Batch)>>,
    results: &SyncSender<(u64, Vec<Processed>)>,
) {
    loop {
        let next = batches.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok((index, batch)) = next else {
            return;
        };
        let checker = systems[batch.system].checker;
        let contract = checker.contract();
        let shown = |pointer: &str, raw: &str| -> String {
            if redact.hides(contract.is_sensitive(pointer)) {
                super::message::hidden(raw)
            } else {
                handoff_core::redact::mask_card_numbers(raw).into_owned()
            }
        };
        let mut out = Vec::with_capacity(batch.items.len());
        let file: std::sync::Arc<str> = batch.file.as_str().into();
        for (line, seq, work) in batch.items {
            let payload = match work {
                Work::Bytes(range) => Payload::Bytes(&batch.data[range]),
                Work::X12(item) => Payload::X12(item),
                Work::Csv(item) => Payload::Csv(item),
                Work::TooLarge { size, limit } => Payload::TooLarge { size, limit },
                Work::Unreadable(err) => Payload::Unreadable(err),
            };
            let (at, value, findings) = checked(checker, line, payload, redact);
            let origin = Origin {
                file: batch.file.clone(),
                line: at,
                seq,
                file_modified: batch.file_modified,
            };
            let (message, gaps) = extract(flow, batch.system, &value, &findings, origin, &shown);
            out.push(Processed {
                system: batch.system,
                input: batch.input,
                file: file.clone(),
                message: message.map(|m| super::spill::Encoded::new(&m, batch.input)),
                gaps,
                has_findings: !findings.is_empty(),
            });
        }
        if results.send((index, out)).is_err() {
            return;
        }
    }
}

/// A payload as a JSON value with its contract findings, and the line it starts on.
fn checked(
    checker: &Checker,
    line: Option<u64>,
    payload: Payload<'_>,
    redact: Redact,
) -> (Option<u64>, Value, Vec<Finding>) {
    use handoff_core::check::records;
    match payload {
        Payload::Bytes(bytes) => {
            let bytes = handoff_core::check::without_bom(bytes);
            match serde_json::from_slice::<Value>(bytes) {
                Ok(value) if checker.is_valid(&value) => (line, value, Vec::new()),
                Ok(value) => {
                    let text = String::from_utf8_lossy(bytes);
                    let findings = checker.check_value(&value, &text);
                    (line, value, findings)
                }
                Err(_) => (line, Value::Null, checker.check(bytes)),
            }
        }
        Payload::X12(handoff_core::x12::stream::Item::Set(set)) => {
            let value = records::render_set(Some(checker.contract()), &set, None);
            let findings = if checker.is_valid(&value) {
                Vec::new()
            } else {
                records::check_set(checker, &set, redact).findings
            };
            (Some(set.body.place.line), value, findings)
        }
        Payload::X12(item) => {
            let (at, outcome) = records::check_x12_item(checker, item, redact);
            (Some(at), Value::Null, non_empty(outcome.findings))
        }
        Payload::Csv(handoff_core::flat::Item::Row(row)) => {
            match records::render_row(Some(checker.contract()), &row) {
                Ok(value) if checker.is_valid(&value) => (Some(row.line), value, Vec::new()),
                Ok(value) => (
                    Some(row.line),
                    value,
                    records::check_row(checker, &row, redact).findings,
                ),
                Err(_) => (
                    Some(row.line),
                    Value::Null,
                    non_empty(records::check_row(checker, &row, redact).findings),
                ),
            }
        }
        Payload::Csv(item) => {
            let (at, outcome) = records::check_csv_item(checker, item, redact);
            (Some(at), Value::Null, non_empty(outcome.findings))
        }
        Payload::TooLarge { size, limit } => (
            line,
            Value::Null,
            vec![handoff_core::check::too_large(size, limit)],
        ),
        Payload::Unreadable(err) => (
            line,
            Value::Null,
            vec![handoff_core::run::unreadable(&err.to_string())],
        ),
    }
}

/// A record that is not a payload (an envelope problem, a file header) still needs a finding
/// to say why it has no key.
fn non_empty(findings: Vec<Finding>) -> Vec<Finding> {
    if findings.is_empty() {
        vec![handoff_core::run::unreadable("the record holds no payload")]
    } else {
        findings
    }
}
