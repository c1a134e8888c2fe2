//! A check run: each contract's inputs read payload by payload, every result handed to a sink.
//!
//! Results arrive in input order (inputs as expanded, then NDJSON line order), so output is
//! deterministic. The run never stops early: an unreadable file, an over-long line or a
//! malformed payload becomes a finding on that payload, and the next one is checked.

use crate::check::Checker;
use crate::finding::{Finding, Kind, PayloadResult, PayloadSource, TextPosition};
use crate::input::{self, Framing, Input, Payload};
use std::path::PathBuf;

/// Default largest payload (a JSON file or one NDJSON line): larger ones are reported, not read.
pub const DEFAULT_MAX_PAYLOAD_BYTES: u64 = 64 * 1024 * 1024;

/// Inputs to check against one contract.
#[derive(Debug)]
pub struct Job<'c> {
    pub checker: &'c Checker,
    pub inputs: Vec<Input>,
}

#[derive(Debug, Clone)]
pub struct Options {
    /// Directory that relative input paths are read from.
    pub base: PathBuf,
    pub framing: Framing,
    pub max_payload_bytes: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            base: PathBuf::from("."),
            framing: Framing::Auto,
            max_payload_bytes: DEFAULT_MAX_PAYLOAD_BYTES,
        }
    }
}

/// Check every payload of every job, in order, handing each result to `sink`.
pub fn execute(jobs: &[Job<'_>], options: &Options, sink: &mut dyn FnMut(PayloadResult)) {
    for job in jobs {
        let contract = job.checker.contract().reference();
        for input in &job.inputs {
            let ndjson = options.framing.is_ndjson(input);
            let path = input.display();
            input::read(
                input,
                &options.base,
                ndjson,
                options.max_payload_bytes,
                |line, payload| {
                    let mut text = None;
                    let mut findings = match payload {
                        Payload::Bytes(bytes) => {
                            let findings = job.checker.check(bytes);
                            // Printers quote the offending line; only failing payloads pay.
                            if !findings.is_empty() {
                                let shown = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
                                text = Some(String::from_utf8_lossy(shown).into());
                            }
                            findings
                        }
                        Payload::TooLarge { size, limit } => vec![too_large(size, limit)],
                        Payload::Unreadable(err) => vec![unreadable(&err)],
                    };
                    if let Some(line) = line {
                        // The record is one line: its findings are on that line of the file.
                        for f in &mut findings {
                            if let Some(p) = &mut f.position {
                                p.line = line;
                            }
                        }
                    }
                    sink(PayloadResult {
                        source: PayloadSource {
                            path: path.clone(),
                            line,
                        },
                        contract: contract.clone(),
                        findings,
                        known: 0,
                        text,
                    });
                },
            );
        }
    }
}

fn too_large(size: Option<u64>, limit: u64) -> Finding {
    Finding {
        kind: Kind::PayloadTooLarge,
        pointer: String::new(),
        value: None,
        position: Some(TextPosition { line: 1, column: 1 }),
        message: match size {
            Some(size) => format!(
                "the payload is {size} bytes, over the {limit}-byte limit, and was not checked"
            ),
            None => format!("the payload is over the {limit}-byte limit and was not checked"),
        },
        expected: format!("at most {limit} bytes"),
        contract_location: None,
        suggestion: Some(
            "raise the limit with --max-payload-bytes if payloads this large are expected".into(),
        ),
    }
}

fn unreadable(err: &std::io::Error) -> Finding {
    Finding {
        kind: Kind::Unreadable,
        pointer: String::new(),
        value: None,
        position: None,
        message: format!("the payload could not be read: {err}"),
        expected: "a readable file".into(),
        contract_location: None,
        suggestion: None,
    }
}
