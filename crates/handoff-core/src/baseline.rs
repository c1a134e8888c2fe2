//! Baselines: known findings recorded so a team can adopt a contract while mismatches are
//! still being fixed.
//!
//! `--write-baseline FILE` records every finding by a fingerprint: the contract id (not the
//! version, so a baseline survives a version bump), the field pointer with array indexes
//! replaced by `*`, the kind, and a hash of the offending value. The value itself is never
//! stored: baselines are committed to repositories, and values are customers' data. `--baseline
//! FILE` then reports only findings whose fingerprint is not listed, and lists entries that no
//! longer occur (fixed), so the baseline can shrink. The file is sorted, pretty-printed JSON,
//! so a change to it reads well in review.
//!
//! Payload-level findings (`invalid_json`, `unreadable`, `payload_too_large`) are never
//! baselined: they have no field and no value, so one entry would match every later malformed
//! payload of the contract and hide it.

use crate::finding::{Finding, Kind};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::Path;

pub const FORMAT_VERSION: u32 = 2;

/// One known finding's fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub contract: String,
    pub pointer: String,
    pub kind: Kind,
    /// A hash of the value as sent (see [`value_hash`]); absent for findings without one (a
    /// missing field) and for fields the contract marks sensitive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_hash: Option<String>,
}

/// The fingerprint of a value: the first 16 hex digits of SHA-256 over a fixed prefix and the
/// value's text. It tells two values apart without storing either; a value from a small set
/// (a status code) can still be guessed from it, which is why sensitive fields are
/// fingerprinted without their value.
pub fn value_hash(value: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"handoff-baseline-value\0")
        .chain_update(value.as_bytes())
        .finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

impl Entry {
    /// The fingerprint of `finding`, found in a payload checked against `contract`
    /// (`id@version`); `None` for payload-level findings, which are never baselined.
    pub fn of(contract: &str, finding: &Finding) -> Option<Entry> {
        if finding.kind.is_payload_level() {
            return None;
        }
        let id = contract.split_once('@').map_or(contract, |(id, _)| id);
        Some(Entry {
            contract: id.to_string(),
            pointer: crate::pointer::normalize(&finding.pointer),
            kind: finding.kind,
            value_hash: finding.value.as_deref().map(value_hash),
        })
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    format_version: u32,
    entries: BTreeSet<Entry>,
}

/// Format 1 stored values in the clear; it is still read, and its values hashed on load.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV1 {
    #[allow(dead_code)]
    format_version: u32,
    entries: Vec<EntryV1>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryV1 {
    contract: String,
    pointer: String,
    kind: Kind,
    #[serde(default)]
    value: Option<String>,
}

/// A set of known findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    entries: BTreeSet<Entry>,
    /// Read from a format-1 file, which holds raw values: the caller should say to rewrite it.
    pub legacy: bool,
}

impl Baseline {
    /// Read a baseline file, at most `limit` bytes.
    pub fn load(path: &Path, limit: u64) -> Result<Baseline, String> {
        let shown = crate::escape::text(&path.display().to_string()).into_owned();
        let text = crate::file::read_text(path, limit)
            .map_err(|e| format!("cannot read baseline {shown}: {e}"))?;
        #[derive(Deserialize)]
        struct Version {
            format_version: u32,
        }
        let version: Version = serde_json::from_str(&text)
            .map_err(|e| format!("{shown} is not a handoff baseline: {e}"))?;
        match version.format_version {
            1 => {
                let file: FileV1 = serde_json::from_str(&text)
                    .map_err(|e| format!("{shown} is not a handoff baseline: {e}"))?;
                let entries = file
                    .entries
                    .into_iter()
                    .filter(|e| !e.kind.is_payload_level())
                    .map(|e| Entry {
                        contract: e.contract,
                        pointer: e.pointer,
                        kind: e.kind,
                        value_hash: e.value.as_deref().map(value_hash),
                    })
                    .collect();
                Ok(Baseline {
                    entries,
                    legacy: true,
                })
            }
            FORMAT_VERSION => {
                let file: File = serde_json::from_str(&text)
                    .map_err(|e| format!("{shown} is not a handoff baseline: {e}"))?;
                Ok(Baseline {
                    entries: file
                        .entries
                        .into_iter()
                        .filter(|e| !e.kind.is_payload_level())
                        .collect(),
                    legacy: false,
                })
            }
            other => Err(format!(
                "{shown} has baseline format_version {other}; this handoff reads versions 1 and {FORMAT_VERSION}"
            )),
        }
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
        Finding::bare(kind, pointer, value)
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
        // The value is fingerprinted, never stored.
        let entry = a.unwrap();
        assert_eq!(
            entry.value_hash.as_deref(),
            Some(value_hash("\"x\"").as_str())
        );
        assert_eq!(entry.value_hash.as_deref().map(str::len), Some(16));
        assert!(!Baseline::default().to_json().contains("\"x\""));
    }

    #[test]
    fn payload_level_findings_have_no_fingerprint() {
        for kind in [Kind::InvalidJson, Kind::PayloadTooLarge, Kind::Unreadable] {
            assert_eq!(Entry::of("orders@1.0.0", &finding(kind, "", None)), None);
        }
    }

    #[test]
    fn format_1_is_read_with_values_hashed_and_payload_level_entries_dropped() {
        let path =
            std::env::temp_dir().join(format!("handoff-baseline-v1-{}.json", std::process::id()));
        std::fs::write(
            &path,
            r#"{"format_version": 1, "entries": [
                {"contract": "o", "pointer": "/a", "kind": "wrong_type", "value": "1"},
                {"contract": "o", "pointer": "", "kind": "invalid_json"}]}"#,
        )
        .unwrap();
        let loaded = Baseline::load(&path, 1 << 20).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(loaded.legacy);
        assert_eq!(loaded.len(), 1);
        assert!(
            loaded.contains(
                &Entry::of("o@2.0.0", &finding(Kind::WrongType, "/a", Some("1"))).unwrap()
            )
        );
    }

    #[test]
    fn round_trips_sorted() {
        let mut baseline = Baseline::default();
        baseline.insert(Entry::of("b@1.0.0", &finding(Kind::MissingRequired, "/z", None)).unwrap());
        baseline.insert(Entry::of("a@1.0.0", &finding(Kind::WrongType, "/y", Some("1"))).unwrap());
        let text = baseline.to_json();
        assert!(
            text.find("\"a\"").unwrap() < text.find("\"b\"").unwrap(),
            "{text}"
        );
        let path =
            std::env::temp_dir().join(format!("handoff-baseline-{}.json", std::process::id()));
        std::fs::write(&path, &text).unwrap();
        assert_eq!(Baseline::load(&path, 1 << 20).unwrap(), baseline);
        std::fs::write(&path, "{\"format_version\": 9, \"entries\": []}").unwrap();
        assert!(
            Baseline::load(&path, 1 << 20)
                .unwrap_err()
                .contains("format_version 9")
        );
        std::fs::remove_file(&path).unwrap();
    }
}
