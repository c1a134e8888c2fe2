//! Partner questions: "is this value accepted at this field, and by which versions?" and
//! "which contracts and versions accept this payload?".
//!
//! Both run the real checker, so their answers (and reasons) are exactly what `handoff check`
//! would report.

use crate::check::Checker;
use crate::finding::Finding;
use serde_json::{Map, Value};

/// One contract version's answer.
#[derive(Debug)]
pub struct Verdict<'c> {
    pub checker: &'c Checker,
    /// The field does not exist in this version.
    pub no_such_field: bool,
    /// Findings that concern the question; empty when accepted.
    pub findings: Vec<Finding>,
}

impl Verdict<'_> {
    pub fn accepted(&self) -> bool {
        !self.no_such_field && self.findings.is_empty()
    }
}

/// A minimal payload holding `value` at `pointer`; array steps (`*` or an index) become a
/// one-item array. Returns the payload and the pointer as it is in that payload.
pub fn payload_with(pointer: &str, value: Value) -> (Value, String) {
    let segments: Vec<String> = crate::pointer::segments(pointer.trim_start_matches('/'))
        .filter(|s| !s.is_empty())
        .collect();
    let is_index = |s: &str| s == "*" || (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
    let mut payload = value;
    for segment in segments.iter().rev() {
        payload = if is_index(segment) {
            Value::Array(vec![payload])
        } else {
            let mut map = Map::new();
            map.insert(segment.clone(), payload);
            Value::Object(map)
        };
    }
    let actual: String = segments
        .iter()
        .map(|s| {
            if is_index(s) {
                "/0".to_string()
            } else {
                format!("/{}", crate::pointer::escape(s))
            }
        })
        .collect();
    (payload, actual)
}

/// Whether each version accepts `value` at `pointer`. Only findings at or below the pointer
/// count: the rest of the minimal payload is empty, and its missing fields are not the question.
pub fn accepts<'c>(checkers: &'c [Checker], pointer: &str, value: &Value) -> Vec<Verdict<'c>> {
    let (payload, at) = payload_with(pointer, value.clone());
    let text = serde_json::to_string_pretty(&payload).expect("a JSON value serializes");
    checkers
        .iter()
        .map(|checker| {
            if checker.contract().field_at(pointer).is_none() {
                return Verdict {
                    checker,
                    no_such_field: true,
                    findings: Vec::new(),
                };
            }
            let findings = checker
                .check_value(&payload, &text)
                .into_iter()
                .filter(|f| f.pointer == at || f.pointer.starts_with(&format!("{at}/")))
                .collect();
            Verdict {
                checker,
                no_such_field: false,
                findings,
            }
        })
        .collect()
}

/// Every version's findings on one payload file of any shape: an X12 interchange or a CSV file
/// is accepted by a version when every transaction set or row in it is (its findings are all of
/// theirs). `path` picks the CSV delimiter by extension, as `check` does.
pub fn which<'c>(
    checkers: &'c [Checker],
    bytes: &[u8],
    shape: crate::input::Shape,
    path: Option<&std::path::Path>,
) -> Vec<Verdict<'c>> {
    checkers
        .iter()
        .map(|checker| Verdict {
            checker,
            no_such_field: false,
            findings: {
                let mut findings = findings_of(checker, bytes, shape, path);
                for f in &mut findings {
                    crate::redact::for_report(f, crate::redact::Redact::Sensitive);
                }
                findings
            },
        })
        .collect()
}

fn findings_of(
    checker: &Checker,
    bytes: &[u8],
    shape: crate::input::Shape,
    path: Option<&std::path::Path>,
) -> Vec<crate::finding::Finding> {
    use crate::check::records;
    use crate::input::Shape;
    let redact = crate::redact::Redact::Sensitive;
    let mut out = Vec::new();
    match shape {
        Shape::Json => out = checker.check(bytes),
        Shape::Ndjson => crate::input::read_lines(bytes, u64::MAX, |line, payload| {
            let mut findings = match payload {
                crate::input::Payload::Bytes(line) => checker.check(line),
                crate::input::Payload::Unreadable(err) => {
                    vec![crate::run::unreadable(&err.to_string())]
                }
                crate::input::Payload::TooLarge { size, limit } => {
                    vec![crate::check::too_large(size, limit)]
                }
                // Reading lines never yields these; said rather than dropped if it ever does.
                crate::input::Payload::X12(_) | crate::input::Payload::Csv(_) => {
                    vec![crate::run::unreadable("not a line of NDJSON")]
                }
            };
            // Each line is a payload: its findings are on that line of the file (a missing
            // member, which has no place of its own, at the line's start).
            if let Some(line) = line {
                for f in &mut findings {
                    let at = f
                        .position
                        .get_or_insert(crate::finding::TextPosition { line, column: 1 });
                    at.line = line;
                }
            }
            out.extend(findings);
        }),
        Shape::X12 => {
            let _ = crate::x12::stream::read(bytes, u64::MAX, |item| {
                out.extend(records::check_x12_item(checker, item, redact).1.findings)
            });
        }
        Shape::Csv => {
            let default = crate::contract::layout::CsvOptions::default();
            let options = checker.contract().csv.as_ref().unwrap_or(&default);
            let delimiter = crate::flat::delimiter(options, path);
            crate::flat::read(bytes, options, delimiter, u64::MAX, |item| {
                out.extend(records::check_csv_item(checker, item, redact).1.findings)
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn minimal_payloads() {
        assert_eq!(
            payload_with("/a/b", json!(1)),
            (json!({"a": {"b": 1}}), "/a/b".to_string())
        );
        assert_eq!(
            payload_with("/items/*/sku", json!("X")),
            (json!({"items": [{"sku": "X"}]}), "/items/0/sku".to_string())
        );
        assert_eq!(payload_with("/items/3/sku", json!("X")).1, "/items/0/sku");
        assert_eq!(
            payload_with("/a~1b", json!(true)),
            (json!({"a/b": true}), "/a~1b".to_string())
        );
    }
}
