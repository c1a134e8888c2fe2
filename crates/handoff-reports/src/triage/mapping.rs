//! The `exceptions:` section of `handoff.yaml`, and `--map field=column` on the command line:
//! which column of an exception log holds what.
//!
//! ```yaml
//! exceptions:
//!   log: exports/erp-exceptions.csv
//!   columns:
//!     opened_at: Created
//!     error_code: Error Code
//!     payload_file: Payload
//!     source: Queue
//!     handled_by: Agent
//!   sources:
//!     erp-orders: storefront-order-to-erp@^1
//! ```

use super::log::{BoundaryColumn, Mapping, PayloadColumn};
use handoff_core::diagnostic::{Code, did_you_mean};
use handoff_core::yaml::{self, Node, Span};
use std::collections::BTreeMap;

/// Keys of the `exceptions:` section.
pub const SECTION_KEYS: &[&str] = &[
    "log",
    "delimiter",
    "columns",
    "sources",
    "decisions",
    "decision_types",
    "handoff_status",
    "thresholds",
];

/// The fields a column can be mapped to, each with what it means (for docs, errors and the
/// published schema).
pub const FIELDS: &[(&str, &str)] = &[
    (
        "opened_at",
        "when the exception was opened (RFC 3339, or as opened_at_format says)",
    ),
    (
        "opened_at_format",
        "not a column: the strftime pattern of opened_at, such as %d/%m/%Y %H:%M (read as UTC)",
    ),
    (
        "error_code",
        "the receiving system's error code or queue reason, such as SKU_NOT_FOUND",
    ),
    (
        "payload_file",
        "the path of the captured payload file, relative to the log",
    ),
    (
        "payload_ndjson",
        "an NDJSON capture file, relative to the log (with payload_line)",
    ),
    (
        "payload_line",
        "the 1-based line of the payload in the payload_ndjson file",
    ),
    (
        "payload_inline",
        "the payload itself, as JSON text in the cell",
    ),
    (
        "contract",
        "the boundary's contract reference, such as storefront-order-to-erp@^1",
    ),
    (
        "source",
        "a source system or queue name that `sources:` maps to a contract",
    ),
    (
        "handled_by",
        "who resolved the exception (answers: does routing vary by handler?)",
    ),
    (
        "resolution",
        "what the person did (answers: does routing vary by handler?)",
    ),
    (
        "handling_minutes",
        "minutes spent on the exception (ranks patterns by hours per week)",
    ),
    (
        "retried",
        "whether the delivery was retried: yes/no (answers: does a retry resolve it?)",
    ),
    ("retry_succeeded", "whether the retry succeeded: yes/no"),
    (
        "owner",
        "who owns the row's boundary (team or person), shown in the route beside the contract's boundary.owner",
    ),
    (
        "handoff_status",
        "what became of the delivery: delivered, rejected (refused on its content) or failed (no acknowledgement), as a word, an HTTP status or a 997/999 code; exceptions.handoff_status maps other values (answers: does it recur despite a successful handoff? and whether the pattern is escalated)",
    ),
];

/// The section as written, before it is checked into a [`Mapping`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Spec {
    /// The default log for `handoff triage`, relative to `handoff.yaml`.
    pub log: Option<String>,
    pub delimiter: Option<String>,
    /// Field -> column name (or, for `opened_at_format`, the pattern).
    pub columns: BTreeMap<String, String>,
    /// Source or queue value -> contract reference.
    pub sources: BTreeMap<String, String>,
    /// The decisions file, relative to `handoff.yaml` (default: `triage.yaml` beside it).
    pub decisions: Option<String>,
    /// Error code -> decision type, where the team knows better than the data.
    pub decision_types: BTreeMap<String, crate::triage::framework::DecisionType>,
    /// `handoff_status` value -> what it means, for values the built-in vocabularies lack.
    pub handoff_status: BTreeMap<String, crate::triage::framework::Delivery>,
    /// Threshold name -> share (0 to 1), over the defaults; flags override these.
    pub thresholds: BTreeMap<String, f64>,
    pub span: Span,
}

impl Spec {
    /// Map `field` to `column`, over what the section says: a payload or boundary column given
    /// this way replaces the section's other way of saying it (`--map payload_file=Payload`
    /// for a log that is not the project's usual one), rather than clashing with it.
    pub fn set_column(&mut self, field: String, column: String) {
        let rivals: &[&str] = match field.as_str() {
            "payload_file" | "payload_inline" => &[
                "payload_file",
                "payload_inline",
                "payload_ndjson",
                "payload_line",
            ],
            "payload_ndjson" | "payload_line" => &["payload_file", "payload_inline"],
            "contract" => &["source"],
            "source" => &["contract"],
            _ => &[],
        };
        for rival in rivals.iter().filter(|r| **r != field) {
            self.columns.remove(*rival);
        }
        self.columns.insert(field, column);
    }
}

/// Read the `exceptions:` section, reporting problems with their location.
pub fn read(doc: &mut yaml::Reader, node: &Node) -> Option<Spec> {
    let entries = doc.mapping(node, "`exceptions`", &[SECTION_KEYS])?;
    let mut spec = Spec {
        span: node.span,
        ..Spec::default()
    };
    spec.log = entries.get("log").and_then(|(k, v)| doc.text(k, v));
    spec.delimiter = entries.get("delimiter").and_then(|(k, v)| doc.text(k, v));
    let fields: Vec<&str> = FIELDS.iter().map(|(f, _)| *f).collect();
    if let Some((_, columns)) = entries.get("columns")
        && let Some(map) = doc.mapping(columns, "`exceptions.columns`", &[&fields])
    {
        for (key, value) in map.0 {
            if let Some(column) = doc.text(key, value) {
                spec.columns.insert(key.name.clone(), column);
            }
        }
    }
    spec.decisions = entries.get("decisions").and_then(|(k, v)| doc.text(k, v));
    if let Some((_, thresholds)) = entries.get("thresholds") {
        use crate::triage::framework::Thresholds;
        let names: Vec<&str> = Thresholds::SETTINGS.iter().map(|(n, _)| *n).collect();
        if let Some(map) = doc.mapping(thresholds, "`exceptions.thresholds`", &[&names]) {
            for (key, value) in map.0 {
                let Some(n) = doc.number(key, value) else {
                    continue;
                };
                match n.value.as_f64().filter(|x| (0.0..=1.0).contains(x)) {
                    Some(share) => {
                        spec.thresholds.insert(key.name.clone(), share);
                    }
                    None => {
                        doc.report(
                            Code::InvalidRange,
                            value.span,
                            format!("`{}` is a share from 0 to 1, found {}", key.name, n.value),
                        )
                        .help = Some(format!(
                            "write {} as {}",
                            n.value, "a fraction: 0.8 for 80%"
                        ));
                    }
                }
            }
        }
    }
    if let Some((_, types)) = entries.get("decision_types") {
        for (key, value) in types.as_map().into_iter().flatten() {
            let Some(name) = doc.text(key, value) else {
                continue;
            };
            match crate::triage::framework::DecisionType::from_id(&name) {
                Some(t) => {
                    spec.decision_types.insert(key.name.clone(), t);
                }
                None => {
                    doc.report(
                        Code::InvalidValue,
                        value.span,
                        format!("`{name}` is not a decision type"),
                    )
                    .help = Some("one of: binary, judgment, escalated".into());
                }
            }
        }
    }
    if let Some((_, statuses)) = entries.get("handoff_status") {
        match statuses.as_map() {
            Some(map) => {
                for (key, value) in map {
                    let Some(name) = doc.text(key, value) else {
                        continue;
                    };
                    match crate::triage::framework::Delivery::from_id(&name) {
                        Some(d) => {
                            spec.handoff_status
                                .insert(key.name.trim().to_ascii_lowercase(), d);
                        }
                        None => {
                            doc.report(
                                Code::InvalidValue,
                                value.span,
                                format!("`{name}` is not a delivery outcome"),
                            )
                            .help = Some(
                                "one of: delivered (acknowledged), rejected (refused on its content), failed (no acknowledgement)".into(),
                            );
                        }
                    }
                }
            }
            None => {
                doc.report(
                    Code::WrongValueType,
                    statuses.span,
                    "`handoff_status` must map status values to delivered, rejected or failed",
                );
            }
        }
    }
    if let Some((_, sources)) = entries.get("sources") {
        match sources.as_map() {
            Some(map) => {
                for (key, value) in map {
                    if let Some(contract) = doc.text(key, value) {
                        spec.sources.insert(key.name.clone(), contract);
                    }
                }
            }
            None => {
                doc.report(
                    Code::WrongValueType,
                    sources.span,
                    "`sources` must map source or queue values to contracts",
                );
            }
        }
    }
    Some(spec)
}

/// `field=column`, as `--map` takes it.
pub fn parse_override(text: &str) -> Result<(String, String), String> {
    let (field, column) = text.split_once('=').ok_or_else(|| {
        format!("`{text}` is not field=column (such as error_code=\"Error Code\")")
    })?;
    let field = field.trim();
    if !FIELDS.iter().any(|(f, _)| *f == field) {
        let hint = did_you_mean(field, FIELDS.iter().map(|(f, _)| *f))
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_else(|| {
                format!(
                    "; the fields are {}",
                    FIELDS
                        .iter()
                        .map(|(f, _)| *f)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
        return Err(format!(
            "`{field}` is not a field of an exception log{hint}"
        ));
    }
    Ok((field.to_string(), column.trim().to_string()))
}

impl Spec {
    /// Map each field the mapping leaves out to a column of the same name, when the log has
    /// one (`opened_at_format` is a pattern, not a column). One payload column and one
    /// boundary column at most: a column the log happens to have does not make a second one.
    pub fn fill_from_header(&mut self, columns: &[String]) {
        let payloads = ["payload_file", "payload_inline", "payload_ndjson"];
        let boundaries = ["contract", "source"];
        for (field, _) in FIELDS {
            if *field == "opened_at_format"
                || self.columns.contains_key(*field)
                || !columns.iter().any(|c| c == field)
            {
                continue;
            }
            let group: &[&str] = if payloads.contains(field) {
                &payloads
            } else if boundaries.contains(field) {
                &boundaries
            } else {
                &[]
            };
            if group.iter().any(|g| self.columns.contains_key(*g)) {
                continue;
            }
            self.columns
                .insert((*field).to_string(), (*field).to_string());
        }
    }

    /// The CSV delimiter `delimiter` names (`,` by default).
    pub fn delimiter_byte(&self) -> Result<u8, String> {
        match self.delimiter.as_deref() {
            None | Some(",") => Ok(b','),
            Some(";") => Ok(b';'),
            Some("\\t") | Some("\t") | Some("tab") => Ok(b'\t'),
            Some("|") => Ok(b'|'),
            Some(other) => Err(format!(
                "delimiter `{other}` is not one of `,` `;` `|` or `tab`"
            )),
        }
    }

    /// The mapping, once every required field has a column.
    pub fn mapping(&self) -> Result<Mapping, String> {
        let col = |f: &str| self.columns.get(f).cloned();
        let need = |f: &str| {
            col(f).ok_or_else(|| {
                let meaning = FIELDS.iter().find(|(n, _)| *n == f).map_or("", |(_, m)| m);
                format!("the exception log mapping has no `{f}` column ({meaning}); map it under exceptions.columns in handoff.yaml, or with --map {f}=COLUMN")
            })
        };
        let payload = match (
            col("payload_file"),
            col("payload_inline"),
            col("payload_ndjson"),
        ) {
            (Some(c), None, None) => PayloadColumn::File(c),
            (None, Some(c), None) => PayloadColumn::Inline(c),
            (None, None, Some(file)) => PayloadColumn::NdjsonLine {
                file,
                line: need("payload_line")?,
            },
            (None, None, None) => {
                return Err("the exception log mapping names no payload column: map payload_file, payload_inline, or payload_ndjson with payload_line".into());
            }
            _ => {
                return Err("the exception log mapping names more than one payload column: map one of payload_file, payload_inline, payload_ndjson".into());
            }
        };
        let boundary = match (col("contract"), col("source")) {
            (Some(c), None) => BoundaryColumn::Contract(c),
            (None, Some(column)) if !self.sources.is_empty() => BoundaryColumn::Lookup {
                column,
                contracts: self.sources.clone(),
            },
            (None, Some(_)) => {
                return Err("the `source` column needs `sources:` under exceptions in handoff.yaml, mapping each value to a contract".into());
            }
            (None, None) => {
                return Err("the exception log mapping names no boundary: map a `contract` column, or a `source` column with `sources:`".into());
            }
            (Some(_), Some(_)) => {
                return Err("map either a `contract` or a `source` column, not both".into());
            }
        };
        let delimiter = self.delimiter_byte()?;
        Ok(Mapping {
            opened_at: need("opened_at")?,
            opened_at_format: col("opened_at_format"),
            error_code: need("error_code")?,
            payload,
            boundary,
            handled_by: col("handled_by"),
            resolution: col("resolution"),
            handling_minutes: col("handling_minutes"),
            retried: col("retried"),
            retry_succeeded: col("retry_succeeded"),
            handoff_status: col("handoff_status"),
            owner: col("owner"),
            status_map: self.handoff_status.clone(),
            delimiter,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_name_fields_and_mappings_say_what_is_missing() {
        assert_eq!(
            parse_override("error_code = Error Code").unwrap(),
            ("error_code".into(), "Error Code".into())
        );
        assert_eq!(
            parse_override("eror_code=x").unwrap_err(),
            "`eror_code` is not a field of an exception log; did you mean `error_code`?"
        );
        let mut spec = Spec::default();
        for (f, c) in [
            ("opened_at", "Created"),
            ("payload_file", "Path"),
            ("contract", "C"),
        ] {
            spec.columns.insert(f.into(), c.into());
        }
        assert!(spec.mapping().unwrap_err().starts_with(
            "the exception log mapping has no `error_code` column (the receiving system's error code"
        ));
        spec.columns.insert("error_code".into(), "Code".into());
        spec.delimiter = Some(";".into());
        // A payload or boundary column given on the command line replaces the section's own.
        let mut other = spec.clone();
        other
            .columns
            .insert("payload_ndjson".into(), "Capture".into());
        other.columns.insert("payload_line".into(), "Line".into());
        other.columns.remove("payload_file");
        other.columns.insert("source".into(), "Queue".into());
        other.columns.remove("contract");
        other.set_column("payload_file".into(), "Path".into());
        other.set_column("contract".into(), "C".into());
        assert_eq!(other.mapping().unwrap(), spec.mapping().unwrap());
        let m = spec.mapping().unwrap();
        assert_eq!(m.delimiter, b';');
        assert_eq!(m.payload, PayloadColumn::File("Path".into()));
    }
}
