//! A triage run: each exception's payload found and checked against its boundary's contract
//! (the same engine and findings as `handoff check`), then grouped into patterns and diagnosed
//! per error code. Every row is accounted for: used, rejected by the log reader, or used without
//! a payload (not found, with the reason).

use super::framework::{self, Case, Diagnosis, Signature, Thresholds};
use super::log::{Exception, Log, PayloadRef, Rejected};
use super::patterns::{self, Occurrence, Pattern};
use crate::check::Checker;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// What a triage run found.
#[derive(Debug)]
pub struct Triage {
    pub patterns: Vec<Pattern>,
    /// One diagnosis per error code, most exceptions first.
    pub codes: Vec<Code>,
    pub rows_read: u64,
    pub rows_used: u64,
    pub rejected: Vec<Rejected>,
    /// Rows whose payload could not be found or whose contract could not be loaded; they are
    /// counted in their pattern as `unchecked`.
    pub payloads_not_found: Vec<Rejected>,
}

/// The diagnosis of one error code.
#[derive(Debug)]
pub struct Code {
    pub error_code: String,
    pub count: u64,
    pub diagnosis: Diagnosis,
}

/// Run triage over a log. `base` is the directory payload paths are relative to; `checker`
/// gives the checker for a contract reference, or why there is none.
pub fn triage<'c>(
    log: &Log,
    base: &Path,
    checker: &mut dyn FnMut(&str) -> Result<&'c Checker, String>,
    thresholds: Thresholds,
) -> Triage {
    let mut not_found = Vec::new();
    let mut signatures: Vec<Signature> = Vec::with_capacity(log.exceptions.len());
    let mut ndjson: HashMap<String, NdjsonFile> = HashMap::new();
    for e in &log.exceptions {
        let signature = match (checker(&e.contract), payload_bytes(e, base, &mut ndjson)) {
            (Err(why), _) | (_, Err(why)) => {
                not_found.push(Rejected {
                    line: e.line,
                    reason: why.clone(),
                });
                Signature::Unchecked(why)
            }
            (Ok(c), Ok(bytes)) => patterns::signature(&c.contract().id, &c.check(&bytes)),
        };
        signatures.push(signature);
    }

    let patterns = patterns::group(log.exceptions.iter().zip(&signatures).map(|(e, s)| {
        (
            e.error_code.as_str(),
            s,
            Occurrence {
                line: e.line,
                opened_at: e.opened_at,
                handling_minutes: e.handling_minutes,
            },
        )
    }));

    let mut by_code: BTreeMap<&str, Vec<Case>> = BTreeMap::new();
    for (e, s) in log.exceptions.iter().zip(&signatures) {
        by_code.entry(&e.error_code).or_default().push(case(e, s));
    }
    let mut codes: Vec<Code> = by_code
        .into_iter()
        .map(|(code, cases)| Code {
            error_code: code.to_string(),
            count: cases.len() as u64,
            diagnosis: framework::diagnose(&cases, thresholds),
        })
        .collect();
    codes.sort_by(|a, b| b.count.cmp(&a.count).then(a.error_code.cmp(&b.error_code)));

    Triage {
        patterns,
        codes,
        rows_read: log.rows_read,
        rows_used: log.exceptions.len() as u64,
        rejected: log.rejected.clone(),
        payloads_not_found: not_found,
    }
}

fn case(e: &Exception, signature: &Signature) -> Case {
    Case {
        signature: signature.clone(),
        handled_by: e.handled_by.clone(),
        resolution: e.resolution.clone(),
        retried: e.retried,
        retry_succeeded: e.retry_succeeded,
        handoff_succeeded: e.handoff_succeeded,
    }
}

/// An NDJSON capture's records, read once however many exceptions point into it.
struct NdjsonFile(Result<HashMap<u64, Vec<u8>>, String>);

fn payload_bytes(
    e: &Exception,
    base: &Path,
    ndjson: &mut HashMap<String, NdjsonFile>,
) -> Result<Vec<u8>, String> {
    let limit = crate::run::DEFAULT_MAX_PAYLOAD_BYTES;
    match &e.payload {
        PayloadRef::Inline(text) => Ok(text.clone().into_bytes()),
        PayloadRef::File(path) => crate::input::read_bytes(&base.join(path), limit)
            .map_err(|err| format!("payload {path}: {err}")),
        PayloadRef::NdjsonLine { file, line } => {
            let records = ndjson.entry(file.clone()).or_insert_with(|| {
                NdjsonFile(
                    std::fs::File::open(base.join(file))
                        .map(|f| {
                            let mut lines = HashMap::new();
                            crate::input::read_lines(
                                std::io::BufReader::new(f),
                                limit,
                                |n, payload| {
                                    if let (Some(n), crate::input::Payload::Bytes(b)) = (n, payload)
                                    {
                                        lines.insert(n, b.to_vec());
                                    }
                                },
                            );
                            lines
                        })
                        .map_err(|err| format!("payload file {file}: {err}")),
                )
            });
            match &records.0 {
                Err(why) => Err(why.clone()),
                Ok(lines) => lines
                    .get(line)
                    .cloned()
                    .ok_or_else(|| format!("payload {file}:{line}: no record on that line")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::triage::framework::Verdict;
    use crate::triage::log::{BoundaryColumn, Mapping, PayloadColumn, read_csv};

    #[test]
    fn exceptions_are_checked_grouped_and_diagnosed() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (checker, diags) =
            crate::lint::prepare(&root.join("contracts/payment-status-to-storefront/2.0.0.yaml"));
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
        let result = triage(&log, root, &mut |_| Ok(&checker), Thresholds::default());
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
