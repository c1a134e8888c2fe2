//! The summary of a run: counts of payloads and violations, by contract, field and kind.
//!
//! Fields are counted with array indexes replaced by `*`, so the same fault in line item 0 and
//! line item 7 is one recurring problem, which is what a review of daily exceptions needs.

use crate::baseline;
use crate::finding::{Kind, PayloadResult};
use serde::Serialize;
use std::collections::BTreeMap;

/// Distinct (contract, field, kind) rows the summary keeps; the rest are folded into one row per
/// contract and kind, whose field reads [`OTHER_FIELDS`].
pub const MAX_GROUPS: usize = 10_000;
pub const OTHER_FIELDS: &str = "(other fields, past 10,000 distinct)";

/// The counts of a check run, as every report's summary shows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Payloads checked.
    pub payloads: u64,
    /// Payloads without any finding.
    pub valid: u64,
    /// Payloads with findings to act on.
    pub invalid: u64,
    /// Findings to act on.
    pub violations: u64,
    /// Findings a baseline already lists.
    pub known: u64,
    /// Baseline entries that no longer occur: fixed, and ready to drop from the baseline.
    pub fixed: Vec<baseline::Entry>,
    /// Directory entries passed over (hidden, not a payload file, a linked directory).
    pub skipped: u64,
    /// Payloads that could not be checked at all (malformed, too large, unreadable).
    pub unchecked: u64,
    /// Violations past the per-payload limit, counted (in `violations` too) but not itemised.
    pub unlisted: u64,
    /// Findings counted but not printed because of `--max-findings`.
    pub omitted: u64,
    /// How the run ends, for printers that state it (the gate decides it).
    #[serde(skip)]
    pub outcome: Outcome,
    /// The run recorded its findings as a new baseline (and so does not fail on them).
    #[serde(skip)]
    pub baseline_written: bool,
    /// Counts per contract (`id@version`).
    pub by_contract: BTreeMap<String, ContractCounts>,
    /// Findings per violation kind.
    pub by_kind: BTreeMap<Kind, u64>,
    #[serde(skip)]
    groups: BTreeMap<(String, String, Kind), u64>,
}

/// One contract's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContractCounts {
    /// Payloads checked against it.
    pub payloads: u64,
    /// Payloads with findings to act on.
    pub invalid: u64,
    /// Findings to act on.
    pub violations: u64,
}

/// One line of the summary table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// Findings in the group.
    pub count: u64,
    /// The contract (`id@version`).
    pub contract: String,
    /// The field, with array indexes as `*`.
    pub field: String,
    /// The violation kind.
    pub kind: Kind,
}

impl Summary {
    /// Counts one payload's result.
    pub fn add(&mut self, result: &PayloadResult) {
        self.payloads += 1;
        self.known += result.known as u64;
        // Looked up before inserting: this runs per payload, and most contracts already exist.
        if !self.by_contract.contains_key(&*result.contract) {
            self.by_contract
                .insert(result.contract.to_string(), ContractCounts::default());
        }
        let counts = self
            .by_contract
            .get_mut(&*result.contract)
            .expect("inserted above");
        counts.payloads += 1;
        if result.findings.is_empty() {
            if result.known == 0 {
                self.valid += 1;
            }
            return;
        }
        self.invalid += 1;
        counts.invalid += 1;
        self.unlisted += result.unlisted;
        self.violations += result.unlisted;
        counts.violations += result.unlisted;
        if result.findings.iter().any(|f| f.kind.is_payload_level()) {
            self.unchecked += 1;
        }
        counts.violations += result.findings.len() as u64;
        for finding in &result.findings {
            self.violations += 1;
            *self.by_kind.entry(finding.kind).or_default() += 1;
            let mut key = (
                result.contract.to_string(),
                normalize_pointer(&finding.pointer),
                finding.kind,
            );
            // Payloads can invent any number of member names; past the limit, new fields are
            // counted together so the summary's memory stays bounded.
            if self.groups.len() >= MAX_GROUPS && !self.groups.contains_key(&key) {
                key.1 = OTHER_FIELDS.to_string();
            }
            *self.groups.entry(key).or_default() += 1;
        }
    }

    /// Violations grouped by contract, field and kind; most frequent first.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows: Vec<Row> = self
            .groups
            .iter()
            .map(|((contract, field, kind), count)| Row {
                count: *count,
                contract: contract.clone(),
                field: field.clone(),
                kind: *kind,
            })
            .collect();
        rows.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| (&a.contract, &a.field, a.kind).cmp(&(&b.contract, &b.field, b.kind)))
        });
        rows
    }
}

/// How a check run ends (what the gate decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Outcome {
    /// Nothing fails the run: no finding, or none that `--fail-on` fails on, or only findings
    /// a baseline knows, or the findings were recorded as a new baseline. Exit code 0.
    #[default]
    Pass,
    /// Findings that fail the run, or a payload that could not be checked at all (which
    /// always fails). Exit code 1.
    Fail,
    /// An input that could not be checked (named but missing, or holding no payload). Exit
    /// code 2.
    Error,
}

impl Outcome {
    /// The process exit code a command line ends with: 0, 1 or 2.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Pass => 0,
            Outcome::Fail => 1,
            Outcome::Error => 2,
        }
    }
}

/// How the run ended, in one sentence without the exit code: what the text, Markdown and GitHub
/// reports all say last. It never says "pass" while any finding, new or known, exists.
pub fn verdict(summary: &Summary) -> String {
    let s = |n: u64| if n == 1 { "" } else { "s" };
    let unchecked = match summary.unchecked {
        0 => String::new(),
        n => format!(
            "; {n} payload{} could not be checked, which always fails the run",
            s(n)
        ),
    };
    if summary.outcome == Outcome::Error {
        "error, some inputs could not be checked; see the errors above".to_string()
    } else if summary.payloads == 0 {
        "no payloads were checked".to_string()
    } else if summary.baseline_written {
        format!(
            "{} of {} payloads violate their contract; their findings are now the baseline{unchecked}",
            summary.invalid, summary.payloads
        )
    } else if summary.invalid == 0 && summary.known > 0 {
        format!(
            "known findings only, {} known finding{} in the baseline and none new",
            summary.known,
            s(summary.known)
        )
    } else if summary.invalid == 0 {
        "pass, every payload satisfies its contract".to_string()
    } else if summary.outcome == Outcome::Pass {
        format!(
            "{} of {} payloads violate their contract, none in a way --fail-on fails on",
            summary.invalid, summary.payloads
        )
    } else {
        format!(
            "fail, {} of {} payloads violate their contract{unchecked}",
            summary.invalid, summary.payloads
        )
    }
}

/// Which findings make a run fail (exit code 1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FailOn {
    /// Any finding (the default).
    #[default]
    Any,
    /// None: report, but always exit 0 (unless usage or contract errors).
    Never,
    /// Only findings of these kinds.
    Kinds(std::collections::BTreeSet<Kind>),
}

impl FailOn {
    /// `any`, `never`, or kinds separated by commas (`unknown_enum_value,missing_required`).
    pub fn parse(text: &str) -> Result<FailOn, String> {
        match text.trim() {
            "any" => Ok(FailOn::Any),
            "never" => Ok(FailOn::Never),
            list => list
                .split(',')
                .map(|k| {
                    let k = k.trim();
                    Kind::from_id(k).ok_or_else(|| {
                        let hint =
                            crate::diagnostic::did_you_mean(k, Kind::ALL.iter().map(|k| k.id()))
                                .map(|c| format!("; did you mean `{c}`?"))
                                .unwrap_or_else(|| {
                                    "; use any, never, or violation kinds (handoff kinds)".into()
                                });
                        format!("`{k}` is not a violation kind{hint}")
                    })
                })
                .collect::<Result<_, _>>()
                .map(FailOn::Kinds),
        }
    }

    /// Whether a finding of `kind` fails the run.
    pub fn fails(&self, kind: Kind) -> bool {
        match self {
            FailOn::Any => true,
            FailOn::Never => false,
            FailOn::Kinds(kinds) => kinds.contains(&kind),
        }
    }
}

pub use crate::pointer::normalize as normalize_pointer;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_parses_policies_and_kinds() {
        assert_eq!(FailOn::parse("any").unwrap(), FailOn::Any);
        assert!(!FailOn::parse("never").unwrap().fails(Kind::WrongType));
        let some = FailOn::parse("missing_required, unknown_enum_value").unwrap();
        assert!(some.fails(Kind::MissingRequired) && !some.fails(Kind::UnknownField));
        assert_eq!(
            FailOn::parse("unknown_enum").unwrap_err(),
            "`unknown_enum` is not a violation kind; did you mean `unknown_enum_value`?"
        );
    }

    #[test]
    fn summary_rows_are_folded_past_the_limit() {
        use crate::finding::{Finding, PayloadResult, PayloadSource};
        let mut summary = Summary::default();
        let finding = |i: usize| Finding::bare(Kind::UnknownField, format!("/k{i}"), None);
        summary.add(&PayloadResult {
            source: PayloadSource {
                path: "p".into(),
                line: None,
            },
            contract: "c@1.0.0".into(),
            findings: (0..MAX_GROUPS + 500).map(finding).collect(),
            known: 0,
            unlisted: 0,
            text: None,
            text_origin: None,
        });
        let rows = summary.rows();
        assert_eq!(rows.len(), MAX_GROUPS + 1);
        assert_eq!(rows[0].field, OTHER_FIELDS);
        assert_eq!(rows[0].count, 500);
        assert_eq!(summary.violations, (MAX_GROUPS + 500) as u64);
    }

    #[test]
    fn array_indexes_are_normalised() {
        assert_eq!(normalize_pointer("/line_items/12/sku"), "/line_items/*/sku");
        assert_eq!(normalize_pointer(""), "");
    }
}
