//! Problems found in a contract or configuration file, located by file, line and column.
//!
//! Every diagnostic carries a stable code from [`Code`], so users can look it up in
//! `docs/lint.md` and tooling can match on it.

use crate::span::Span;
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// The catalogue of contract and configuration problems. IDs are stable and never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    YamlSyntax,
    UnknownKey,
    MissingKey,
    WrongValueType,
    InvalidId,
    InvalidVersion,
    InvalidValue,
    InvalidRegex,
    UnanchoredPattern,
    UnknownFormat,
    InvalidRange,
    DuplicateEnumValue,
    KeywordNotForType,
    TypeConflict,
    UnknownRuleField,
    InvalidSchemaFragment,
    ImportedAsRawSchema,
    InvalidExample,
    PathMismatch,
    ReadError,
}

impl Code {
    pub const ALL: &'static [Code] = &[
        Code::YamlSyntax,
        Code::UnknownKey,
        Code::MissingKey,
        Code::WrongValueType,
        Code::InvalidId,
        Code::InvalidVersion,
        Code::InvalidValue,
        Code::InvalidRegex,
        Code::UnanchoredPattern,
        Code::UnknownFormat,
        Code::InvalidRange,
        Code::DuplicateEnumValue,
        Code::KeywordNotForType,
        Code::TypeConflict,
        Code::UnknownRuleField,
        Code::InvalidSchemaFragment,
        Code::ImportedAsRawSchema,
        Code::InvalidExample,
        Code::PathMismatch,
        Code::ReadError,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Code::YamlSyntax => "yaml-syntax",
            Code::UnknownKey => "unknown-key",
            Code::MissingKey => "missing-key",
            Code::WrongValueType => "wrong-value-type",
            Code::InvalidId => "invalid-id",
            Code::InvalidVersion => "invalid-version",
            Code::InvalidValue => "invalid-value",
            Code::InvalidRegex => "invalid-regex",
            Code::UnanchoredPattern => "unanchored-pattern",
            Code::UnknownFormat => "unknown-format",
            Code::InvalidRange => "invalid-range",
            Code::DuplicateEnumValue => "duplicate-enum-value",
            Code::KeywordNotForType => "keyword-not-for-type",
            Code::TypeConflict => "type-conflict",
            Code::UnknownRuleField => "unknown-rule-field",
            Code::InvalidSchemaFragment => "invalid-schema-fragment",
            Code::ImportedAsRawSchema => "imported-as-raw-schema",
            Code::InvalidExample => "invalid-example",
            Code::PathMismatch => "path-mismatch",
            Code::ReadError => "read-error",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Code::YamlSyntax => "the file is not valid YAML (including duplicate keys)",
            Code::UnknownKey => "a key the contract language does not define",
            Code::MissingKey => "a key the contract language requires is absent",
            Code::WrongValueType => "a key's value has the wrong YAML type",
            Code::InvalidId => "a contract id that is not kebab-case",
            Code::InvalidVersion => "a version that is not semantic versioning (MAJOR.MINOR.PATCH)",
            Code::InvalidValue => "a value outside the set the key accepts",
            Code::InvalidRegex => "a pattern that does not compile",
            Code::UnanchoredPattern => {
                "a pattern without ^ and $, which matches anywhere inside a value"
            }
            Code::UnknownFormat => "a format that is neither built in nor defined under formats",
            Code::InvalidRange => "a lower bound above its upper bound",
            Code::DuplicateEnumValue => "the same value listed twice in an enum",
            Code::KeywordNotForType => "a keyword that has no effect on the field's type",
            Code::TypeConflict => "a field's type disagrees with its named format's type",
            Code::UnknownRuleField => "a rule that names a field the object does not declare",
            Code::InvalidSchemaFragment => "a raw JSON Schema fragment that is not a valid schema",
            Code::ImportedAsRawSchema => {
                "an imported schema keyword the language could not say, kept raw for review"
            }
            Code::InvalidExample => "an example that the field itself would reject",
            Code::PathMismatch => {
                "a contract file whose path disagrees with its contract id or version"
            }
            Code::ReadError => "the file could not be read",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Code::UnanchoredPattern | Code::PathMismatch | Code::ImportedAsRawSchema => {
                Severity::Warning
            }
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One located problem in a contract or configuration file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Bytes the problem spans from its column, for underlining; 0 when unknown.
    #[serde(skip)]
    pub length: u32,
}

impl Diagnostic {
    pub fn new(code: Code, file: &Path, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: code.severity(),
            code,
            file: file.to_path_buf(),
            line: span.line.max(1),
            column: span.column.max(1),
            message: message.into(),
            help: None,
            length: u32::try_from(span.end.saturating_sub(span.start)).unwrap_or(0),
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {severity}[{}]: {}",
            self.file.display(),
            self.line,
            self.column,
            self.code,
            self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// The closest candidate to `word`, when it is close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let score = if c.to_lowercase() == lower {
                1.0
            } else {
                strsim::jaro_winkler(&lower, &c.to_lowercase())
            };
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        let keys = ["pattern", "min_length", "max_length", "format"];
        assert_eq!(did_you_mean("patern", keys), Some("pattern"));
        assert_eq!(did_you_mean("maxLength", keys), Some("max_length"));
        assert_eq!(did_you_mean("colour", keys), None);
    }

    #[test]
    fn every_code_has_a_unique_id() {
        let mut ids: Vec<_> = Code::ALL.iter().map(|c| c.id()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), Code::ALL.len());
    }
}
