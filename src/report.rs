//! The summary of a run: counts of payloads and violations, by contract, field and kind.
//!
//! Fields are counted with array indexes replaced by `*`, so the same fault in line item 0 and
//! line item 7 is one recurring problem, which is what a review of daily exceptions needs.

use crate::finding::{Kind, PayloadResult};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub payloads: u64,
    pub valid: u64,
    pub invalid: u64,
    pub violations: u64,
    pub contracts: BTreeSet<String>,
    pub by_kind: BTreeMap<Kind, u64>,
    #[serde(skip)]
    groups: BTreeMap<(String, String, Kind), u64>,
}

/// One line of the summary table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub count: u64,
    pub contract: String,
    pub field: String,
    pub kind: Kind,
}

impl Summary {
    pub fn add(&mut self, result: &PayloadResult) {
        self.payloads += 1;
        self.contracts.insert(result.contract.clone());
        if result.is_valid() {
            self.valid += 1;
            return;
        }
        self.invalid += 1;
        for finding in &result.findings {
            self.violations += 1;
            *self.by_kind.entry(finding.kind).or_default() += 1;
            let key = (
                result.contract.clone(),
                normalize_pointer(&finding.pointer),
                finding.kind,
            );
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

/// `/line_items/3/sku` -> `/line_items/*/sku`.
pub fn normalize_pointer(pointer: &str) -> String {
    pointer
        .split('/')
        .map(|s| {
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                "*"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_indexes_are_normalised() {
        assert_eq!(normalize_pointer("/line_items/12/sku"), "/line_items/*/sku");
        assert_eq!(normalize_pointer(""), "");
    }
}
