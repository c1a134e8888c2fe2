//! SARIF 2.1.0, for code scanning dashboards: one rule per violation kind, one result per
//! finding, located in the payload file (line, and column in UTF-16 code units as SARIF
//! expects), with the contract line as a related location. Results carry a partial fingerprint
//! (the baseline fingerprint), so dashboards track the same finding across runs.

use super::{PayloadText, Printer};
use handoff_core::finding::{Kind, PayloadResult};
use handoff_core::report::Summary;
use serde_sarif::sarif;
use std::collections::BTreeMap;
use std::io::{self, Write};

pub const SCHEMA_URI: &str = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json";

/// Results are written as they arrive, between the log's opening (everything before the
/// results array) and its closing, so memory does not grow with the number of findings.
pub struct SarifPrinter<W: Write> {
    out: W,
    /// The log with an empty results array, split where the results go.
    head: String,
    tail: String,
    started: bool,
    first: bool,
}

/// Marks where the results go in the rendered log.
const RESULTS_SLOT: &str = "\"results\": []";

impl<W: Write> SarifPrinter<W> {
    pub fn new(out: W) -> Self {
        let driver = sarif::ToolComponent::builder()
            .name("handoff")
            .version(env!("CARGO_PKG_VERSION"))
            .rules(rules())
            .build();
        let run = sarif::Run::builder()
            .tool(sarif::Tool::builder().driver(driver).build())
            .column_kind(serde_json::json!("utf16CodeUnits"))
            .results(Vec::new())
            .build();
        let log = sarif::Sarif::builder()
            .schema(SCHEMA_URI)
            .version(serde_json::json!("2.1.0"))
            .runs(vec![run])
            .build();
        let rendered = serde_json::to_string_pretty(&log).expect("a SARIF log serializes");
        let (head, tail) = rendered
            .split_once(RESULTS_SLOT)
            .expect("the run has a results array");
        SarifPrinter {
            out,
            head: format!("{head}\"results\": ["),
            tail: format!("\n      ]{tail}\n"),
            started: false,
            first: true,
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            self.out.write_all(self.head.as_bytes())?;
        }
        Ok(())
    }
}

/// A path as a URI reference: RFC 3986 unreserved characters and `/` as they are, every other
/// byte percent-encoded (`order #12 100%.json` -> `order%20%2312%20100%25.json`).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn rules() -> Vec<sarif::ReportingDescriptor> {
    Kind::ALL
        .iter()
        .map(|k| {
            sarif::ReportingDescriptor::builder()
                .id(k.id())
                .name(k.id())
                .short_description(&k.description().to_string())
                .full_description(&k.description().to_string())
                .help(
                    sarif::MultiformatMessageString::builder()
                        .text(format!("See docs/violations.md, section `{}`.", k.id()))
                        .build(),
                )
                .default_configuration(
                    sarif::ReportingConfiguration::builder()
                        .level(serde_json::json!("error"))
                        .build(),
                )
                .build()
        })
        .collect()
}

/// FNV-1a: a stable hash (std's hasher may change between Rust releases).
fn fnv1a(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

impl<W: Write> Printer for SarifPrinter<W> {
    fn result(&mut self, result: &PayloadResult) -> io::Result<()> {
        let text = PayloadText::new(result);
        for f in &result.findings {
            let mut region = sarif::Region::builder().start_line(1).build();
            if let Some(pos) = &f.position {
                let column = text.utf16_column(pos.line, pos.column);
                region = sarif::Region::builder()
                    .start_line(pos.line as i64)
                    .start_column(column as i64)
                    .build();
            }
            let location = sarif::Location::builder()
                .physical_location(
                    sarif::PhysicalLocation::builder()
                        .artifact_location(
                            sarif::ArtifactLocation::builder()
                                .uri(uri(&result.source.path))
                                .build(),
                        )
                        .region(region)
                        .build(),
                )
                .build();
            let mut related = Vec::new();
            if let Some(c) = &f.contract_location {
                related.push(
                    sarif::Location::builder()
                        .id(0)
                        .physical_location(
                            sarif::PhysicalLocation::builder()
                                .artifact_location(
                                    sarif::ArtifactLocation::builder().uri(uri(&c.file)).build(),
                                )
                                .region(
                                    sarif::Region::builder()
                                        .start_line(i64::from(c.line))
                                        .start_column(i64::from(c.column))
                                        .build(),
                                )
                                .build(),
                        )
                        .message(
                            sarif::Message::builder()
                                .text(format!("declared by {}", result.contract))
                                .build(),
                        )
                        .build(),
                );
            }
            let mut text = super::one_line(f);
            if let Some(line) = result.source.line {
                text = format!("record at line {line}: {text}");
            }
            // Stable across runs and versions: the contract id, the field with indexes as `*`,
            // the kind and the value; a payload-level finding has neither field nor value, so
            // its file tells it apart.
            let id = result
                .contract
                .split_once('@')
                .map_or(&*result.contract, |(id, _)| id);
            let fingerprint = format!(
                "{id}|{}|{}|{}{}",
                handoff_core::pointer::normalize(&f.pointer),
                f.kind.id(),
                f.value.as_deref().unwrap_or_default(),
                if f.kind.is_payload_level() {
                    format!("|{}", result.source)
                } else {
                    String::new()
                }
            );
            let rule_index = Kind::ALL.iter().position(|k| *k == f.kind).unwrap_or(0);
            let item = sarif::Result::builder()
                .rule_id(f.kind.id())
                .rule_index(rule_index as i64)
                .level(sarif::ResultLevel::Error)
                .message(sarif::Message::builder().text(text).build())
                .locations(vec![location])
                .related_locations(related)
                .partial_fingerprints(BTreeMap::from([(
                    "handoffFingerprint/v1".to_string(),
                    fnv1a(&fingerprint),
                )]))
                .build();
            self.start()?;
            self.out.write_all(if self.first {
                b"\n        "
            } else {
                b",\n        "
            })?;
            self.first = false;
            // Indented to sit in the array; JSON strings hold no raw line breaks, so adding the
            // indent after each one cannot change a value.
            let pretty = serde_json::to_string_pretty(&item)?;
            self.out
                .write_all(pretty.replace('\n', "\n        ").as_bytes())?;
        }
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        self.start()?;
        if self.first {
            // No results: the empty array, as the log was rendered.
            self.out.write_all(b"]")?;
            let tail = self.tail.trim_start_matches(['\n', ' ', ']']).to_string();
            self.out.write_all(tail.as_bytes())?;
        } else {
            self.out.write_all(self.tail.as_bytes())?;
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            super::uri("captures/order #12 100%.json"),
            "captures/order%20%2312%20100%25.json"
        );
        assert_eq!(super::uri("née.json"), "n%C3%A9e.json");
    }

    #[test]
    fn fnv1a_is_stable() {
        assert_eq!(super::fnv1a(""), "cbf29ce484222325");
        assert_eq!(super::fnv1a("a"), "af63dc4c8601ec8c");
    }
}
