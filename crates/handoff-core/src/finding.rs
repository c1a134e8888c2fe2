//! Findings: what the checker reports about a payload, and the catalogue of violation kinds.
//!
//! Kind IDs are stable snake_case strings: users grep for them, baselines store them, and CI
//! rules match on them. They are never renamed or reused; `docs/violations.md` documents each.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// The catalogue of violation kinds. Each has a stable ID ([`Kind::id`], the snake_case of its
/// name: `unknown_enum_value`), a description ([`Kind::description`]) and a section in
/// docs/violations.md, which a test holds to this list; [`Kind::ALL`] lists them in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    MissingRequired,
    NullNotAllowed,
    WrongType,
    UnknownEnumValue,
    PatternMismatch,
    FormatMismatch,
    DateFormat,
    DecimalPrecision,
    MaxLengthExceeded,
    MinLengthNotMet,
    MaxBytesExceeded,
    OutOfRange,
    MinItemsNotMet,
    MaxItemsExceeded,
    DuplicateItems,
    UnknownField,
    DuplicateKey,
    RuleViolated,
    ValuesDiffer,
    CountMismatch,
    SumMismatch,
    ComparisonFailed,
    DuplicateValue,
    ControlNumberMismatch,
    EnvelopeMalformed,
    SchemaViolated,
    InvalidJson,
    InvalidX12,
    InvalidCsv,
    PayloadTooLarge,
    Unreadable,
}

impl Kind {
    pub const ALL: &'static [Kind] = &[
        Kind::MissingRequired,
        Kind::NullNotAllowed,
        Kind::WrongType,
        Kind::UnknownEnumValue,
        Kind::PatternMismatch,
        Kind::FormatMismatch,
        Kind::DateFormat,
        Kind::DecimalPrecision,
        Kind::MaxLengthExceeded,
        Kind::MinLengthNotMet,
        Kind::MaxBytesExceeded,
        Kind::OutOfRange,
        Kind::MinItemsNotMet,
        Kind::MaxItemsExceeded,
        Kind::DuplicateItems,
        Kind::UnknownField,
        Kind::DuplicateKey,
        Kind::RuleViolated,
        Kind::ValuesDiffer,
        Kind::CountMismatch,
        Kind::SumMismatch,
        Kind::ComparisonFailed,
        Kind::DuplicateValue,
        Kind::ControlNumberMismatch,
        Kind::EnvelopeMalformed,
        Kind::SchemaViolated,
        Kind::InvalidJson,
        Kind::InvalidX12,
        Kind::InvalidCsv,
        Kind::PayloadTooLarge,
        Kind::Unreadable,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Kind::MissingRequired => "missing_required",
            Kind::NullNotAllowed => "null_not_allowed",
            Kind::WrongType => "wrong_type",
            Kind::UnknownEnumValue => "unknown_enum_value",
            Kind::PatternMismatch => "pattern_mismatch",
            Kind::FormatMismatch => "format_mismatch",
            Kind::DateFormat => "date_format",
            Kind::DecimalPrecision => "decimal_precision",
            Kind::MaxLengthExceeded => "max_length_exceeded",
            Kind::MinLengthNotMet => "min_length_not_met",
            Kind::MaxBytesExceeded => "max_bytes_exceeded",
            Kind::OutOfRange => "out_of_range",
            Kind::MinItemsNotMet => "min_items_not_met",
            Kind::MaxItemsExceeded => "max_items_exceeded",
            Kind::DuplicateItems => "duplicate_items",
            Kind::UnknownField => "unknown_field",
            Kind::DuplicateKey => "duplicate_key",
            Kind::RuleViolated => "rule_violated",
            Kind::ValuesDiffer => "values_differ",
            Kind::CountMismatch => "count_mismatch",
            Kind::SumMismatch => "sum_mismatch",
            Kind::ComparisonFailed => "comparison_failed",
            Kind::DuplicateValue => "duplicate_value",
            Kind::ControlNumberMismatch => "control_number_mismatch",
            Kind::EnvelopeMalformed => "envelope_malformed",
            Kind::InvalidX12 => "invalid_x12",
            Kind::InvalidCsv => "invalid_csv",
            Kind::SchemaViolated => "schema_violated",
            Kind::InvalidJson => "invalid_json",
            Kind::PayloadTooLarge => "payload_too_large",
            Kind::Unreadable => "unreadable",
        }
    }

    pub fn from_id(id: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.id() == id)
    }

    /// One line: what the kind means.
    pub fn description(self) -> &'static str {
        match self {
            Kind::MissingRequired => "a required field is absent",
            Kind::NullNotAllowed => "a field that is not nullable is null",
            Kind::WrongType => "a value has a JSON type the field does not take",
            Kind::UnknownEnumValue => {
                "a value outside the field's enum (such as an unmapped status code)"
            }
            Kind::PatternMismatch => "a string that does not match the field's pattern",
            Kind::FormatMismatch => {
                "a string that is not in the field's format (email, uuid, currency, ...)"
            }
            Kind::DateFormat => "a string that is not a real date in the field's date pattern",
            Kind::DecimalPrecision => {
                "a number or decimal string with the wrong number of decimal places"
            }
            Kind::MaxLengthExceeded => "a string longer than max_length characters",
            Kind::MinLengthNotMet => "a string shorter than min_length characters",
            Kind::MaxBytesExceeded => "a string longer than max_bytes bytes in UTF-8",
            Kind::OutOfRange => "a number outside minimum/maximum",
            Kind::MinItemsNotMet => "an array with fewer than min_items items",
            Kind::MaxItemsExceeded => "an array with more than max_items items",
            Kind::DuplicateItems => "an array with unique_items that repeats an item",
            Kind::UnknownField => "a member a closed object does not declare",
            Kind::DuplicateKey => {
                "an object that repeats a member name (receivers disagree on which counts)"
            }
            Kind::RuleViolated => "a conditional rule's requirement is not met",
            Kind::ValuesDiffer => "an `equals` rule's values differ",
            Kind::CountMismatch => {
                "a stated count differs from the number of items (a `count` rule, or an X12 SE01, GE01 or IEA01)"
            }
            Kind::SumMismatch => "a stated total differs from the sum of its parts (a `sum` rule)",
            Kind::ComparisonFailed => "a `compare` rule does not hold (a refund above its capture)",
            Kind::DuplicateValue => "a value a `unique` rule says appears once appears again",
            Kind::ControlNumberMismatch => {
                "an X12 trailer's control number differs from its header's (SE02, GE02, IEA02)"
            }
            Kind::EnvelopeMalformed => {
                "an X12 envelope is broken: a trailer missing, or a segment outside its ST..SE or GS..GE"
            }
            Kind::InvalidX12 => {
                "the file is not X12 (no ISA, a segment without an id, or cut short)"
            }
            Kind::InvalidCsv => {
                "a CSV row cannot be read (not UTF-8, an unclosed quote, more cells than columns)"
            }
            Kind::SchemaViolated => "a field's raw JSON Schema fragment rejects the value",
            Kind::InvalidJson => "the payload is not valid JSON (or not UTF-8)",
            Kind::PayloadTooLarge => "the payload exceeds the size limit and was not checked",
            Kind::Unreadable => "the payload could not be read",
        }
    }

    /// Payload-level kinds concern the payload as a whole: nothing in it could be checked.
    pub fn is_payload_level(self) -> bool {
        matches!(
            self,
            Kind::InvalidJson
                | Kind::InvalidX12
                | Kind::InvalidCsv
                | Kind::PayloadTooLarge
                | Kind::Unreadable
        )
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A place in a text file: 1-based line, and 1-based column in characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextPosition {
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in characters.
    pub column: u64,
}

/// The contract line that declares the rule a finding breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContractLocation {
    /// The contract file, as loaded.
    pub file: String,
    /// 1-based line of the rule.
    pub line: u32,
    /// 1-based column of the rule.
    pub column: u32,
}

impl fmt::Display for ContractLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One violation in one payload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// What is wrong, as a stable ID ([`Kind::id`]) with its description in docs/violations.md.
    pub kind: Kind,
    /// RFC 6901 JSON Pointer; for `missing_required`, the pointer of the absent member.
    pub pointer: String,
    /// The offending value as it appears in the payload text; absent when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Where the value is in the payload text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<TextPosition>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What the contract expects instead.
    pub expected: String,
    /// The contract line that declares the broken rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_location: Option<ContractLocation>,
    /// The likely fix, when there is one to suggest ("did you mean `shipped`?").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// The value is not shown: the contract marks the field `sensitive`, or the run was asked
    /// to redact every value (`--redact all`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub redacted: bool,
    /// For a value of a `sensitive` field: what it looks like without what it is ("a string of
    /// 9 characters: digits and a hyphen"), shown in its place when values are redacted.
    #[serde(skip)]
    pub sensitive: Option<String>,
    /// Other payload values the message quotes (a cross-field rule names both sides), each with
    /// whether its field is `sensitive`, so redaction can hide them as well.
    #[serde(skip)]
    pub related: Vec<(String, bool)>,
    /// For a finding in an X12 transaction set: where it is, the way EDI people read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x12: Option<X12Location>,
    /// For a finding in a CSV row: the row and the column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csv: Option<CsvLocation>,
}

/// A place in an X12 file: the segment's ordinal counted from ISA = 1, its id, and the element's
/// reference designator (`N403`, or `CLM05-01` for a component).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct X12Location {
    /// The segment's ordinal in the interchange, ISA = 1.
    pub segment_position: u64,
    /// The segment's id (`N4`).
    pub segment_id: String,
    /// The element's reference designator (`N403`, `CLM05-01`), when the finding is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element: Option<String>,
}

/// A place in a CSV file: the 1-based data row (the header is row 0), and the column by header
/// name and 1-based index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsvLocation {
    /// The 1-based data row (the header is row 0).
    pub row: u64,
    /// The column's header name, when the finding is about one cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The column's 1-based index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column_index: Option<u64>,
}

impl Finding {
    /// A finding with only its kind, pointer and value, the parts fingerprints, signatures and
    /// summaries read; the rest is empty.
    pub fn bare(kind: Kind, pointer: impl Into<String>, value: Option<&str>) -> Finding {
        Finding {
            kind,
            pointer: pointer.into(),
            value: value.map(Into::into),
            position: None,
            message: String::new(),
            expected: String::new(),
            contract_location: None,
            suggestion: None,
            redacted: false,
            sensitive: None,
            related: Vec::new(),
            x12: None,
            csv: None,
        }
    }
}

/// Where a payload came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PayloadSource {
    /// The file path as given or found, or `-` for standard input.
    pub path: Arc<str>,
    /// For NDJSON, the 1-based line of the record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl fmt::Display for PayloadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.path),
            None => f.write_str(&self.path),
        }
    }
}

/// The outcome of checking one payload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PayloadResult {
    /// Where the payload came from: the file (or stream name) and the line it starts on.
    pub source: PayloadSource,
    /// The contract (`id@version`) the payload was checked against.
    pub contract: Arc<str>,
    /// Findings to act on (with a baseline, the ones it does not list).
    pub findings: Vec<Finding>,
    /// Findings a baseline already lists: counted, not reported.
    #[serde(skip_serializing_if = "is_zero")]
    pub known: usize,
    /// Violations past the per-payload limit: counted, not itemised.
    #[serde(skip_serializing_if = "is_zero_u64")]
    pub unlisted: u64,
    /// The payload's text, kept only for payloads with findings, so printers can show the
    /// offending line. For NDJSON, the record's line.
    #[serde(skip)]
    pub text: Option<Arc<str>>,
    /// Where `text` starts in the file, when it is a part of it (an X12 transaction set, a
    /// CSV row); an NDJSON record's text is its line.
    #[serde(skip)]
    pub text_origin: Option<TextPosition>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn is_zero_u64(n: &u64) -> bool {
    *n == 0
}

impl PayloadResult {
    /// No findings at all, new or known.
    pub fn is_valid(&self) -> bool {
        self.findings.is_empty() && self.known == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_snake_case_and_round_trip() {
        let mut ids: Vec<_> = Kind::ALL.iter().map(|k| k.id()).collect();
        for id in &ids {
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{id}"
            );
            assert_eq!(Kind::from_id(id).map(Kind::id), Some(*id));
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), Kind::ALL.len());
    }

    #[test]
    fn serialized_kind_is_the_id() {
        for kind in Kind::ALL {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.id())
            );
        }
    }
}
