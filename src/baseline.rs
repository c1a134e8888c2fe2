//! Baselines: known findings recorded so a team can adopt a contract while mismatches are
//! still being fixed.
//!
//! `--write-baseline FILE` records every finding by a fingerprint: the contract id (not the
//! version, so a baseline survives a version bump), the field pointer with array indexes
//! replaced by `*`, the kind, and the offending value as sent. `--baseline FILE` then reports
//! only findings whose fingerprint is not listed, and lists entries that no longer occur
//! (fixed), so the baseline can shrink. The file is sorted, pretty-printed JSON, so a change
//! to it reads well in review.

use crate::finding::{Finding, Kind};
use crate::report::normalize_pointer;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

pub const FORMAT_VERSION: u32 = 1;

/// One known finding's fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub contract: String,
    pub pointer: String,
    pub kind: Kind,
    /// The value as sent; absent for findings without one (a missing field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl Entry {
    /// The fingerprint of `finding`, found in a payload checked against `contract` (`id@version`).
    pub fn of(contract: &str, finding: &Finding) -> Entry {
        let id = contract.split_once('@').map_or(contract, |(id, _)| id);
        Entry {
            contract: id.to_string(),
            pointer: normalize_pointer(&finding.pointer),
            kind: finding.kind,
            value: finding.value.clone(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    format_version: u32,
    entries: BTreeSet<Entry>,
}

/// A set of known findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    entries: BTreeSet<Entry>,
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
        let file: File = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a handoff baseline: {e}", path.display()))?;
        if file.format_version != FORMAT_VERSION {
            return Err(format!(
                "{} has baseline format_version {}; this handoff reads version {FORMAT_VERSION}",
                path.display(),
                file.format_version
            ));
        }
        Ok(Baseline {
            entries: file.entries,
        })
    }

    pub fn insert(&mut self, entry: Entry) {
        self.entries.insert(entry);
    }

    pub fn contains(&self, entry: &Entry) -> bool {
        self.entries.contains(entry)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries not in `seen`: fixed since the baseline was written.
    pub fn fixed(&self, seen: &BTreeSet<Entry>) -> Vec<Entry> {
        self.entries.difference(seen).cloned().collect()
    }

    /// The baseline file's text: sorted, one key per line.
    pub fn to_json(&self) -> String {
        let file = File {
            format_version: FORMAT_VERSION,
            entries: self.entries.clone(),
        };
        let mut text = serde_json::to_string_pretty(&file).expect("a baseline serializes");
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(kind: Kind, pointer: &str, value: Option<&str>) -> Finding {
        Finding {
            kind,
            pointer: pointer.into(),
            value: value.map(Into::into),
            position: None,
            message: String::new(),
            expected: String::new(),
            contract_location: None,
            suggestion: None,
        }
    }

    #[test]
    fn fingerprints_ignore_version_and_array_index() {
        let a = Entry::of(
            "orders@1.2.0",
            &finding(Kind::PatternMismatch, "/lines/3/sku", Some("\"x\"")),
        );
        let b = Entry::of(
            "orders@1.3.0",
            &finding(Kind::PatternMismatch, "/lines/7/sku", Some("\"x\"")),
        );
        let c = Entry::of(
            "orders@1.3.0",
            &finding(Kind::PatternMismatch, "/lines/7/sku", Some("\"y\"")),
        );
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn round_trips_sorted() {
        let mut baseline = Baseline::default();
        baseline.insert(Entry::of(
            "b@1.0.0",
            &finding(Kind::MissingRequired, "/z", None),
        ));
        baseline.insert(Entry::of(
            "a@1.0.0",
            &finding(Kind::WrongType, "/y", Some("1")),
        ));
        let text = baseline.to_json();
        assert!(
            text.find("\"a\"").unwrap() < text.find("\"b\"").unwrap(),
            "{text}"
        );
        let path =
            std::env::temp_dir().join(format!("handoff-baseline-{}.json", std::process::id()));
        std::fs::write(&path, &text).unwrap();
        assert_eq!(Baseline::load(&path).unwrap(), baseline);
        std::fs::write(&path, "{\"format_version\": 9, \"entries\": []}").unwrap();
        assert!(
            Baseline::load(&path)
                .unwrap_err()
                .contains("format_version 9")
        );
        std::fs::remove_file(&path).unwrap();
    }
}
