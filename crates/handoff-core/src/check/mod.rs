//! Checking payloads against a contract.
//!
//! A [`Checker`] holds one contract compiled once; [`Checker::check`] takes a payload's bytes
//! and returns its findings. Valid payloads take the fast path (parse, `is_valid`); only a
//! failing payload pays for collecting errors, locating values in its text and composing
//! messages.

mod classify;
pub mod cross;
pub(crate) mod locate;
mod parse;
pub mod records;

pub use locate::Locator;

use crate::compile::{self, Compiled};
use crate::contract::Contract;
use crate::engine::Engine;
use crate::finding::{Finding, Kind, TextPosition};
use crate::native::Verdict;
use serde_json::Value;

/// Engine violations turned into findings per payload, at most; the rest are counted. A
/// payload with more faults than this has one systematic problem, and its first thousand
/// findings show it.
pub const MAX_VIOLATIONS_PER_PAYLOAD: usize = 1000;

/// A payload's findings, and how many further violations were counted but not itemised.
#[derive(Debug, Default)]
pub struct Checked {
    pub findings: Vec<Finding>,
    pub unlisted: u64,
    /// Byte ranges of every value of a `sensitive` field in the payload's text (after any
    /// byte-order mark), so quoted lines can hide them even where another field's finding is
    /// shown. Found while the payload is already parsed and located, for failing payloads only.
    pub sensitive: Vec<std::ops::Range<usize>>,
}

/// One contract, compiled and ready to check any number of payloads.
#[derive(Debug)]
pub struct Checker {
    contract: Contract,
    compiled: Compiled,
    engine: Engine,
    /// The native engine, which accepts most valid payloads without building a tree (`None`
    /// with `--engine jsonschema`).
    native: Option<crate::native::Native>,
    /// Whether any field or named format is `sensitive`, decided once.
    has_sensitive: bool,
    /// Cross-field rules, run after the schema.
    cross: Vec<cross::Scoped>,
    /// What the findings this checker returns may show, fixed when it is built: values of
    /// `sensitive` fields hidden by default, and card numbers always masked.
    redact: crate::redact::Redact,
}

impl Checker {
    /// Compile `contract`. Fails only when the engine rejects the compiled schema, which means a
    /// raw `schema:` fragment in the contract is broken.
    pub fn new(contract: Contract) -> Result<Checker, String> {
        let compiled = compile::compile(&contract);
        let engine = Engine::build(&compiled)?;
        let checker = Checker {
            has_sensitive: contract.has_sensitive_fields(),
            cross: cross::collect(&contract.root),
            native: None,
            contract,
            compiled,
            engine,
            redact: crate::redact::Redact::default(),
        };
        Ok(checker.with_native(true))
    }

    /// This checker with another redaction policy: `Redact::None` shows the values of
    /// `sensitive` fields (card numbers stay masked), `Redact::All` hides every value.
    pub fn with_redaction(mut self, redact: crate::redact::Redact) -> Checker {
        self.redact = redact;
        self
    }

    /// This checker without (`false`) or with its native engine: without it every payload is
    /// parsed into a tree and checked by the `jsonschema` engine, as before the native engine
    /// existed (`handoff check --engine jsonschema`), to compare the two or to rule one out.
    /// Findings are the same either way.
    pub fn with_native(mut self, native: bool) -> Checker {
        if !native {
            self.native = None;
        } else if self.native.is_none() {
            self.native = Some(crate::native::Native::compile(
                &self.compiled.schema,
                &self.compiled.date_patterns,
            ));
        }
        self
    }

    /// The redaction policy every finding this checker returns follows.
    pub fn redaction(&self) -> crate::redact::Redact {
        self.redact
    }

    /// Findings made fit to report under this checker's policy.
    fn reported(&self, mut findings: Vec<Finding>) -> Vec<Finding> {
        for f in &mut findings {
            crate::redact::for_report(f, self.redact);
        }
        findings
    }

    /// The contract this checker checks against (its `id`, `version`, fields and rules).
    pub fn contract(&self) -> &Contract {
        &self.contract
    }

    /// The compiled JSON Schema, for `handoff schema` and for users who want it.
    pub fn schema(&self) -> &Value {
        &self.compiled.schema
    }

    /// Check one payload given as bytes.
    ///
    /// The findings follow the checker's redaction policy ([`Checker::with_redaction`]):
    /// what this returns is safe to report as it is.
    pub fn check(&self, bytes: &[u8]) -> Vec<Finding> {
        self.check_counted(bytes).findings
    }

    /// Check one payload given as bytes, counting the violations past the per-payload limit.
    /// The findings follow the checker's redaction policy.
    pub fn check_counted(&self, bytes: &[u8]) -> Checked {
        let mut checked = self.check_counted_raw(bytes);
        checked.findings = self.reported(std::mem::take(&mut checked.findings));
        checked
    }

    /// [`Checker::check_counted`] with values as the payload holds them, for a run that applies
    /// its own policy (per report) before anything is shown, and for repairs, which need them.
    pub(crate) fn check_counted_raw(&self, bytes: &[u8]) -> Checked {
        let bytes = without_bom(bytes);
        // The native engine accepts a valid payload from a borrowed parse; anything else
        // (invalid, or a question it leaves open) takes the exact path below.
        // A payload it scanned comes with its tree and tape, so it is not parsed again; one it
        // refuses is known to fail the schema, and goes straight to its findings.
        // Cross-field rules are evaluated on a tree: built from the tape, not parsed.
        let rules = !self.cross.is_empty();
        if let Some(judged) = self.native.as_ref().and_then(|n| n.judge(bytes, rules)) {
            let Some((value, tokens)) = judged.tree else {
                return Checked::default();
            };
            let schema_holds = match judged.verdict {
                Verdict::Valid => true,
                Verdict::Invalid => false,
                Verdict::Unknown => self.engine.is_valid(&value),
            };
            if schema_holds && (!rules || cross::holds(&self.cross, &value)) {
                return Checked::default();
            }
            // The scanner has checked that the text is UTF-8.
            let text = std::str::from_utf8(bytes).unwrap_or_default();
            return self.findings(&value, text, false, Some(schema_holds), Some(tokens));
        }
        // The exact path parses bytes directly (serde_json checks UTF-8 inside strings, and any
        // other non-ASCII byte is a syntax error), so valid payloads are read once.
        let parsed = parse::parse(bytes);
        if let Ok(p) = &parsed
            && !p.duplicate_keys
            && self.is_valid(&p.value)
        {
            return Checked::default();
        }
        // Failing payloads: explain why, with the text as a str for locating values.
        let one = |finding| Checked {
            findings: vec![finding],
            ..Checked::default()
        };
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => return one(invalid_utf8(bytes, &err)),
        };
        match parsed {
            Ok(p) => self.findings(&p.value, text, p.duplicate_keys, None, None),
            Err(err) => one(invalid_json(&err)),
        }
    }

    /// Check a parsed payload; `text` is its source, used to quote and locate failing values.
    /// The findings follow the checker's redaction policy.
    pub fn check_value(&self, value: &Value, text: &str) -> Vec<Finding> {
        self.reported(self.check_value_raw(value, text))
    }

    /// [`Checker::check_value`] with values as the payload holds them.
    pub(crate) fn check_value_raw(&self, value: &Value, text: &str) -> Vec<Finding> {
        self.findings(value, text, false, None, None).findings
    }

    /// [`Checker::check`] with values as the payload holds them.
    pub(crate) fn check_raw(&self, bytes: &[u8]) -> Vec<Finding> {
        self.check_counted_raw(bytes).findings
    }

    /// The schema and every cross-field rule hold: the fast path's whole question.
    pub fn is_valid(&self, value: &Value) -> bool {
        self.engine.is_valid(value) && (self.cross.is_empty() || cross::holds(&self.cross, value))
    }

    /// The findings of a payload; `schema_holds` when the native engine (or the engine, asked
    /// already) has decided the schema, and `tokens` the native engine's tape of `text`, when
    /// it made one.
    fn findings(
        &self,
        value: &Value,
        text: &str,
        duplicate_keys: bool,
        schema_holds: Option<bool>,
        tokens: Option<Vec<crate::native::tape::Token>>,
    ) -> Checked {
        let valid = schema_holds.unwrap_or_else(|| self.engine.is_valid(value));
        let broken = if self.cross.is_empty() {
            Vec::new()
        } else {
            cross::evaluate(&self.cross, value)
        };
        if valid && !duplicate_keys && broken.is_empty() {
            return Checked::default();
        }
        let locator = match tokens {
            Some(tokens) => Locator::with_tape(text, tokens),
            None => Locator::new(text),
        };
        let mut unlisted = 0;
        let mut findings = if valid {
            Vec::new()
        } else {
            let (violations, rest) = self.engine.violations(value, MAX_VIOLATIONS_PER_PAYLOAD);
            unlisted = rest;
            classify::findings(self, &violations, value, &locator)
        };
        let extra = duplicate_keys || !broken.is_empty();
        findings.extend(classify::cross_findings(&self.contract, broken, &locator));
        if duplicate_keys {
            findings.extend(classify::duplicate_keys(&locator));
        }
        if extra {
            classify::sort(&mut findings);
        }
        // Inside a union, say which case was applied: the one the discriminator picked.
        for f in &mut findings {
            if let Some(note) = self.union_case(value, &f.pointer) {
                f.message.push_str(&note);
            }
        }
        // Mark values of sensitive fields; the run decides whether to show them (--redact).
        for f in &mut findings {
            if f.value.is_some() && self.contract.is_sensitive(&f.pointer) {
                f.sensitive = Some(crate::redact::shape(value.pointer(&f.pointer)));
            }
        }
        let sensitive = if self.has_sensitive {
            self.sensitive_ranges(value, &locator)
        } else {
            Vec::new()
        };
        Checked {
            findings,
            unlisted,
            sensitive,
        }
    }

    fn sensitive_ranges(
        &self,
        value: &Value,
        locator: &Locator<'_>,
    ) -> Vec<std::ops::Range<usize>> {
        self.sensitive_pointers(value)
            .iter()
            .filter_map(|p| locator.range(p))
            .collect()
    }

    /// The pointer of every value of a `sensitive` field in `value`.
    pub fn sensitive_pointers(&self, value: &Value) -> Vec<String> {
        let mut out = Vec::new();
        if !self.has_sensitive {
            return out;
        }
        let mut stack = vec![(String::new(), value)];
        while let Some((pointer, node)) = stack.pop() {
            if !pointer.is_empty() && self.contract.is_sensitive(&pointer) {
                out.push(pointer);
                continue;
            }
            match node {
                Value::Object(map) => stack.extend(
                    map.iter()
                        .map(|(k, v)| (format!("{pointer}/{}", crate::pointer::escape(k)), v)),
                ),
                Value::Array(items) => stack.extend(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (format!("{pointer}/{i}"), v)),
                ),
                _ => {}
            }
        }
        out
    }

    /// Check a payload that was rendered from another format (an X12 transaction set, a CSV
    /// row): findings are located in a JSON text of the rendering, for the caller to map back
    /// to the source.
    pub(crate) fn check_rendered(&self, value: &Value) -> Checked {
        if self.is_valid(value) {
            return Checked::default();
        }
        let text = serde_json::to_string_pretty(value).unwrap_or_default();
        let mut checked = self.findings(value, &text, false, None, None);
        checked.sensitive.clear();
        checked
    }

    /// " (case `charge.refunded`: type `refund_event`)" for a finding inside a union's case.
    fn union_case(&self, value: &Value, pointer: &str) -> Option<String> {
        let mut at = pointer;
        while let Some((parent, _)) = at.rsplit_once('/') {
            let contract_path: String = crate::pointer::segments(parent)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    if s.parse::<usize>().is_ok() {
                        "/*".to_string()
                    } else {
                        format!("/{}", crate::pointer::escape(&s))
                    }
                })
                .collect();
            if let Some(union) = self
                .contract
                .field_at(&contract_path)
                .and_then(|f| f.union.as_ref())
                && let Some(case) = value.pointer(parent).and_then(|o| union.case_for(o))
            {
                return Some(format!(
                    " (case `{}`: type `{}`)",
                    case.value, case.type_name
                ));
            }
            at = parent;
        }
        None
    }

    /// The native engine's verdict on a payload's schema (`None` with `--engine jsonschema`)
    /// beside the `jsonschema` engine's (true: the schema holds, and no member name repeats),
    /// for the tests that hold the two engines to one answer. Cross-field rules are evaluated
    /// on one tree whichever engine judged the schema.
    #[doc(hidden)]
    pub fn verdicts(&self, bytes: &[u8]) -> (Option<Verdict>, bool) {
        let bytes = without_bom(bytes);
        let native = self.native.as_ref().map(|n| n.verdict(bytes));
        let exact =
            parse::parse(bytes).is_ok_and(|p| !p.duplicate_keys && self.engine.is_valid(&p.value));
        (native, exact)
    }

    /// Whether `value` satisfies the contract, without composing findings.
    pub fn accepts(&self, value: &Value) -> bool {
        self.is_valid(value)
    }
}

/// The payload without a UTF-8 byte order mark: RFC 8259 lets parsers ignore one, and Windows
/// exporters add one. Positions in findings are counted after it.
pub fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

fn invalid_utf8(bytes: &[u8], err: &std::str::Utf8Error) -> Finding {
    let offset = err.valid_up_to();
    let valid = &bytes[..offset];
    let line = valid.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&valid[line_start..])
        .chars()
        .count() as u64
        + 1;
    Finding {
        position: Some(TextPosition { line, column }),
        message: format!(
            "the payload is not valid UTF-8: byte 0x{:02X} at offset {offset} cannot start or continue a character",
            bytes[offset]
        ),
        expected: "JSON text encoded as UTF-8 (RFC 8259)".into(),
        suggestion: Some(
            "check the sender's encoding; Latin-1 or Windows-1252 text must be converted to UTF-8"
                .into(),
        ),
        ..Finding::bare(Kind::InvalidJson, "", None)
    }
}

fn invalid_json(err: &serde_json::Error) -> Finding {
    let full = err.to_string();
    // serde_json appends " at line L column C"; the position has its own field.
    let message = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(msg, _)| msg)
        .to_string();
    let message = match message.as_str() {
        "EOF while parsing a value" if err.line() == 1 && err.column() == 0 => {
            "the payload is empty".to_string()
        }
        "recursion limit exceeded" => {
            "the payload nests arrays and objects more than 128 levels deep".to_string()
        }
        // serde_json's words for a \uD800-\uDBFF escape without its low half.
        "unexpected end of hex escape" | "lone leading surrogate in hex escape" => {
            "the payload is not valid JSON: a \\u escape is half of a UTF-16 surrogate pair (\\uD800-\\uDFFF) without its other half".to_string()
        }
        _ => format!("the payload is not valid JSON: {message}"),
    };
    Finding {
        position: Some(TextPosition {
            line: err.line() as u64,
            column: err.column().max(1) as u64,
        }),
        message,
        expected: "one JSON document (RFC 8259)".into(),
        ..Finding::bare(Kind::InvalidJson, "", None)
    }
}

/// The finding for a payload over the size limit, which was not read.
pub fn too_large(size: Option<u64>, limit: u64) -> Finding {
    Finding {
        position: Some(TextPosition { line: 1, column: 1 }),
        message: match size {
            Some(size) => format!(
                "the payload is {size} bytes, over the {limit}-byte limit, and was not checked"
            ),
            None => format!("the payload is over the {limit}-byte limit and was not checked"),
        },
        expected: format!("at most {limit} bytes"),
        suggestion: Some(
            "raise the limit with --max-payload-bytes if payloads this large are expected".into(),
        ),
        ..Finding::bare(Kind::PayloadTooLarge, "", None)
    }
}
