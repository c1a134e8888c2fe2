//! The project file, `handoff.yaml`: where the contracts are, and which payloads each checks.
//!
//! ```yaml
//! contracts: contracts
//! checks:
//!   - contract: storefront-order-to-erp@^1
//!     inputs: [fixtures/storefront-order-to-erp]
//! ```
//!
//! It is found by walking up from the working directory; paths in it are relative to the
//! directory that holds it. Like contracts, it is read through the located YAML tree, so every
//! mistake is reported with its line and a "did you mean".

use crate::printer::Format;
use handoff_core::diagnostic::{Code, Diagnostic, did_you_mean};
use handoff_core::report::FailOn;
use handoff_core::yaml::{self, Span};
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "handoff.yaml";

const TOP_KEYS: &[&str] = &[
    "contracts",
    "checks",
    "format",
    "output",
    "baseline",
    "fail_on",
    "exceptions",
    "history",
    "flows",
    "serve",
];
const CHECK_KEYS: &[&str] = &["contract", "inputs", "description", "csv"];

/// A checked project configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    /// The directory paths in it are relative to.
    pub base: PathBuf,
    /// The contract registry directory, relative to `base`.
    pub contracts: PathBuf,
    pub checks: Vec<CheckSpec>,
    /// Defaults for `handoff check`; flags override them. Paths are relative to `base`.
    pub format: Option<Format>,
    pub output: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    pub fail_on: Option<FailOn>,
    /// How to read the team's exception log, for `handoff triage`.
    pub exceptions: Option<crate::triage::mapping::Spec>,
    /// The history database of recorded runs, relative to `base`.
    pub history: Option<PathBuf>,
    /// Flows declared here, for `handoff reconcile` (more may live under `flows/`).
    pub flows: Vec<crate::reconcile::flow::Flow>,
    /// `serve:`, for `handoff serve`.
    pub serve: crate::serve_section::ServeSection,
}

/// One mapping of payload inputs to a contract.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckSpec {
    pub contract: String,
    pub inputs: Vec<String>,
    pub description: Option<String>,
    /// How this check's CSV inputs are read, in place of the contract's `csv:` section.
    pub csv: Option<handoff_core::contract::layout::CsvOptions>,
    pub span: Span,
}

/// The JSON Schema of `handoff.yaml`, for editors; published as `docs/handoff.schema.json`.
/// Built from the same key lists and value sets the reader checks, so it cannot drift.
pub fn json_schema() -> serde_json::Value {
    use handoff_core::finding::Kind;
    use serde_json::json;
    let describe = |key: &str| match key {
        "contracts" => {
            "The contract registry directory, relative to this file. Default: contracts."
        }
        "checks" => "Which payloads each contract checks.",
        "format" => "Default output format of handoff check.",
        "output" => "Default file to write the report to, relative to this file.",
        "baseline" => {
            "Default baseline file, relative to this file: known findings that do not fail the run."
        }
        "fail_on" => {
            "Which findings fail the run: any, never, or violation kinds separated by commas."
        }
        "contract" => {
            "The contract: id, id@version, id@requirement (such as id@^1), or a file path."
        }
        "inputs" => {
            "Payload files, directories or globs, relative to this file; a list or one string."
        }
        "description" => "What this check covers.",
        "csv" => {
            "How this check's CSV inputs are read (delimiter, header, columns, empty_cells), in place of the contract's csv: section."
        }
        "history" => {
            "The history database of runs recorded with --record, relative to this file. Default: .handoff/history.db"
        }
        "flows" => {
            "Entities followed across systems for handoff reconcile: each system's contract, captures, key, time, state and amount pointers, the state map and the expectations."
        }
        "exceptions" => {
            "How handoff triage reads the team's exception log: the log, its delimiter, which column holds what, and which contract each source means."
        }
        "serve" => {
            "How handoff serve listens, records captures, rotates them, limits requests and verifies each contract's webhook signatures (secrets from environment variables)."
        }
        other => unreachable!("undocumented key {other}"),
    };
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.id()).collect();
    let fail_on_pattern = format!("^(any|never|(({0})(, *({0}))*))$", kinds.join("|"));
    let mut top = serde_json::Map::new();
    for key in TOP_KEYS {
        let schema = match *key {
            "checks" => json!({"type": "array", "items": {"$ref": "#/$defs/check"}}),
            "exceptions" => {
                use crate::triage::mapping::FIELDS;
                let columns: serde_json::Map<String, serde_json::Value> = FIELDS
                    .iter()
                    .map(|(f, d)| {
                        (
                            (*f).to_string(),
                            json!({"type": "string", "description": d}),
                        )
                    })
                    .collect();
                let thresholds: serde_json::Map<String, serde_json::Value> =
                    crate::triage::framework::Thresholds::SETTINGS
                        .iter()
                        .map(|(name, what)| {
                            (
                                (*name).to_string(),
                                json!({"type": "number", "minimum": 0, "maximum": 1, "description": what}),
                            )
                        })
                        .collect();
                json!({
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "thresholds": {"type": "object", "additionalProperties": false, "properties": thresholds, "description": "Shares the five answers are decided with, over the defaults; `handoff triage` flags override them."},
                        "log": {"type": "string", "description": "The exception log (CSV), relative to this file."},
                        "delimiter": {"enum": [",", ";", "|", "tab"], "description": "The CSV delimiter. Default: ,"},
                        "columns": {"type": "object", "additionalProperties": false, "properties": columns},
                        "sources": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Source or queue value -> contract reference, for the source column."},
                        "decisions": {"type": "string", "description": "The review's decisions file, relative to this file. Default: triage.yaml beside it."},
                        "decision_types": {"type": "object", "additionalProperties": {"enum": ["binary", "judgment", "escalated"]}, "description": "Error code -> decision type, overriding what the data says."},
                        "handoff_status": {"type": "object", "additionalProperties": {"enum": ["delivered", "rejected", "failed"]}, "description": "handoff_status value -> what it means, for values beyond the built-in words, HTTP statuses and 997/999 codes."}
                    }
                })
            }
            "flows" => json!({"type": "array", "items": crate::reconcile::read::json_schema()}),
            "serve" => crate::serve_section::json_schema(),
            "format" => json!({"enum": Format::names().collect::<Vec<_>>()}),
            "fail_on" => json!({"type": "string", "pattern": fail_on_pattern}),
            _ => json!({"type": "string"}),
        };
        let mut schema = schema.as_object().cloned().unwrap_or_default();
        schema.insert("description".into(), json!(describe(key)));
        top.insert((*key).into(), serde_json::Value::Object(schema));
    }
    let mut check = serde_json::Map::new();
    for key in CHECK_KEYS {
        let schema = match *key {
            "inputs" => {
                json!({"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]})
            }
            "csv" => json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "delimiter": {"type": "string", "description": "One ASCII character; '\\t' for a tab. Default: tab for .tsv, comma otherwise."},
                    "header": {"type": "boolean", "description": "Whether the first row names the columns. Default: true."},
                    "columns": {"type": "array", "items": {"type": "string"}, "description": "Column names in order, for a file without a header row."},
                    "empty_cells": {"enum": handoff_core::contract::layout::EmptyCells::NAMES, "description": "What an empty cell means. Default: absent."}
                }
            }),
            _ => json!({"type": "string"}),
        };
        let mut schema = schema.as_object().cloned().unwrap_or_default();
        schema.insert("description".into(), json!(describe(key)));
        check.insert((*key).into(), serde_json::Value::Object(schema));
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://handoff.dev/schemas/handoff.yaml.json",
        "title": "handoff.yaml",
        "description": "The handoff project file: where contracts are, and which payloads each checks.",
        "type": "object",
        "additionalProperties": false,
        "properties": top,
        "$defs": {
            "check": {
                "type": "object",
                "required": ["contract", "inputs"],
                "additionalProperties": false,
                "properties": check
            }
        }
    })
}

impl Config {
    /// The checks whose inputs cover `file` (a path as the user gave it, relative to the
    /// working directory): a directory input covers the files below it, a glob the files it
    /// matches, a file input itself.
    pub fn route(&self, file: &Path) -> Vec<&CheckSpec> {
        let file = clean(file);
        self.checks
            .iter()
            .filter(|spec| {
                spec.inputs.iter().any(|input| {
                    let input = self.base.join(input);
                    let shown = input.to_string_lossy();
                    if shown.contains(['*', '?', '[', '{']) {
                        globset::GlobBuilder::new(&clean(&input).to_string_lossy())
                            .literal_separator(true)
                            .build()
                            .is_ok_and(|g| g.compile_matcher().is_match(&file))
                    } else {
                        let input = clean(&input);
                        file == input || (input.is_dir() && file.starts_with(&input))
                    }
                })
            })
            .collect()
    }
}

/// A path without `.` components, so `./a/b` and `a/b` compare equal.
fn clean(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

/// The nearest `handoff.yaml` in `start` or a directory above it.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Read and check a configuration file.
pub fn load(path: &Path) -> Result<Config, Vec<Diagnostic>> {
    parse(path, &yaml::read_file(path, "configuration")?)
}

pub fn parse(path: &Path, text: &str) -> Result<Config, Vec<Diagnostic>> {
    let root = yaml::parse_located(path, text)?;
    let mut doc = yaml::Reader::new(path);
    let mut checks = Vec::new();
    let mut contracts = PathBuf::from("contracts");
    let (mut format, mut output, mut baseline, mut fail_on) = (None, None, None, None);
    let mut exceptions = None;
    let mut history = None;
    let mut flows = Vec::new();
    let mut serve = crate::serve_section::ServeSection::default();
    if let Some(top) = doc.mapping(&root, "handoff.yaml", &[TOP_KEYS]) {
        if let Some(dir) = top.get("contracts").and_then(|(k, v)| doc.text(k, v)) {
            contracts = PathBuf::from(dir);
        }
        if let Some((k, v)) = top.get("format")
            && let Some(name) = doc.text(k, v)
        {
            format = Format::from_name(&name);
            if format.is_none() {
                let help = match did_you_mean(&name, Format::names()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("one of: {}", Format::names().collect::<Vec<_>>().join(", ")),
                };
                doc.report(
                    Code::InvalidValue,
                    v.span,
                    format!("unknown output format `{name}`"),
                )
                .help = Some(help);
            }
        }
        output = top
            .get("output")
            .and_then(|(k, v)| doc.text(k, v))
            .map(PathBuf::from);
        baseline = top
            .get("baseline")
            .and_then(|(k, v)| doc.text(k, v))
            .map(PathBuf::from);
        if let Some((k, v)) = top.get("fail_on")
            && let Some(text) = doc.text(k, v)
        {
            match FailOn::parse(&text) {
                Ok(policy) => fail_on = Some(policy),
                Err(why) => {
                    doc.report(Code::InvalidValue, v.span, why);
                }
            }
        }
        history = top
            .get("history")
            .and_then(|(k, v)| doc.text(k, v))
            .map(PathBuf::from);
        if let Some((_, list)) = top.get("flows") {
            flows = crate::reconcile::read::list(&mut doc, list);
        }
        if let Some((_, section)) = top.get("serve")
            && let Some(read) = crate::serve_section::read(&mut doc, section)
        {
            serve = read;
        }
        if let Some((_, section)) = top.get("exceptions") {
            exceptions = crate::triage::mapping::read(&mut doc, section);
        }
        // A project used only for reconcile or triage checks nothing of its own; `check`
        // says so when it is asked to run one.
        if let Some((_, list)) = top.get("checks") {
            match list.as_seq() {
                Some(items) => {
                    for item in items {
                        let Some(entries) = doc.mapping(item, "a check", &[CHECK_KEYS]) else {
                            continue;
                        };
                        let contract = doc
                            .required_key(entries, item.span, "contract", "the check")
                            .and_then(|(k, v)| doc.text(k, v));
                        let inputs = doc
                            .required_key(entries, item.span, "inputs", "the check")
                            .and_then(|(k, v)| match v.as_seq() {
                                Some(list) => list
                                    .iter()
                                    .map(|i| i.as_scalar().map(|s| s.text.clone()))
                                    .collect(),
                                None => doc.text(k, v).map(|single| vec![single]),
                            });
                        let description =
                            entries.get("description").and_then(|(k, v)| doc.text(k, v));
                        let csv = entries
                            .get("csv")
                            .and_then(|(_, v)| handoff_core::contract::csv_options(&mut doc, v));
                        if let (Some(contract), Some(inputs)) = (contract, inputs) {
                            checks.push(CheckSpec {
                                contract,
                                inputs,
                                description,
                                csv,
                                span: item.span,
                            });
                        }
                    }
                }
                None => {
                    doc.report(
                        Code::WrongValueType,
                        list.span,
                        "`checks` must be a list of checks",
                    );
                }
            }
        }
    }
    if !doc.diagnostics.is_empty() {
        return Err(doc.diagnostics);
    }
    Ok(Config {
        path: path.to_path_buf(),
        base: path.parent().map_or_else(PathBuf::new, Path::to_path_buf),
        contracts,
        checks,
        format,
        output,
        baseline,
        fail_on,
        exceptions,
        history,
        flows,
        serve,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_is_read_with_located_mistakes() {
        let path = Path::new("handoff.yaml");
        let cfg = parse(
            path,
            "serve:\n  listen: 0.0.0.0:9000\n  rotate: 100MB\n  max_payload_bytes: 256KiB\n  reject_invalid: true\n  signatures:\n    - contract: orders\n      scheme: stripe\n      secret_env: S\n",
        )
        .unwrap();
        assert_eq!(cfg.serve.listen.as_deref(), Some("0.0.0.0:9000"));
        assert_eq!(
            cfg.serve.rotate,
            Some(crate::serve_section::Rotate::Bytes(100_000_000))
        );
        assert_eq!(cfg.serve.max_payload_bytes, Some(256 * 1024));
        assert_eq!(cfg.serve.reject_invalid, Some(true));
        assert_eq!(
            cfg.serve.signatures[0].tolerance,
            std::time::Duration::from_secs(300)
        );
        let errs = parse(
            path,
            "serve:\n  rotate: hourly\n  signatures:\n    - contract: orders@^1\n      scheme: hmac\n      secret_env: S\n    - contract: b\n      scheme: hmac-sha256\n      secret_env: S\n",
        )
        .unwrap_err();
        let shown: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "handoff.yaml:2:11: error[invalid-value]: `hourly` is neither a duration (such as 1h, 30m, 1d) nor a size (such as 100MB)",
                "handoff.yaml:5:15: error[invalid-value]: unknown signature scheme `hmac`\n  = help: did you mean `hmac-sha256`?",
                "handoff.yaml:7:7: error[missing-key]: an hmac-sha256 signature needs the `header` that carries it\n  = help: such as X-Shopify-Hmac-Sha256 or X-Signature",
            ]
        );
    }

    #[test]
    fn reads_checks() {
        let cfg = parse(
            Path::new("dir/handoff.yaml"),
            "contracts: specs\nchecks:\n  - contract: a@^1\n    inputs: [x, 'y/*.json']\n  - contract: b\n    inputs: z\n",
        )
        .unwrap();
        assert_eq!(cfg.base, PathBuf::from("dir"));
        assert_eq!(cfg.contracts, PathBuf::from("specs"));
        assert_eq!(cfg.checks.len(), 2);
        assert_eq!(cfg.checks[0].inputs, vec!["x", "y/*.json"]);
        assert_eq!(cfg.checks[1].inputs, vec!["z"]);
    }

    #[test]
    fn inputs_route_to_the_checks_that_cover_them() {
        let cfg = parse(
            Path::new("handoff.yaml"),
            "checks:\n  - contract: a\n    inputs: [src]\n  - contract: b\n    inputs: ['fixtures/*/x.json', one.json]\n",
        )
        .unwrap();
        let route = |p: &str| {
            cfg.route(Path::new(p))
                .iter()
                .map(|c| c.contract.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(route("./src/lib.rs"), ["a"]);
        assert_eq!(route("fixtures/q/x.json"), ["b"]);
        assert_eq!(route("fixtures/q/r/x.json"), Vec::<String>::new());
        assert_eq!(route("one.json"), ["b"]);
        assert_eq!(route("two.json"), Vec::<String>::new());
    }

    #[test]
    fn unknown_keys_are_reported_with_hints() {
        let errs = parse(
            Path::new("handoff.yaml"),
            "checks:\n  - contract: a\n    input: [x]\n",
        )
        .unwrap_err();
        let shown: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            vec![
                "handoff.yaml:3:5: error[unknown-key]: unknown key `input` in a check\n  = help: did you mean `inputs`?",
                "handoff.yaml:2:5: error[missing-key]: the check has no `inputs`",
            ]
        );
    }
}
