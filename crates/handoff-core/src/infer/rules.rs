//! Cross-field rules that held in every payload: a top-level number that counts an array's
//! items (`count`), or that is the sum over an array's items of one of their numbers, or of the
//! product of two (`sum`: a total equal to the sum of its lines' price times quantity), or the
//! sum of two other top-level numbers (`sum`: a balance, see the `balance` module).
//!
//! Candidates come from each payload's own top-level members and are tested on every payload
//! that has both sides, exactly (decimal arithmetic, never floating point); one failure drops a
//! candidate for good. Their number is bounded ([`MAX_CANDIDATES`]), so memory follows the
//! shape, not the payload count.

use crate::check::cross::decimal;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Candidates kept at most: past it, new ones are not considered.
const MAX_CANDIDATES: usize = 4096;
/// Per payload: top-level numbers, arrays of objects, and item numbers looked at.
const TOTALS: usize = 16;
const ARRAYS: usize = 4;
const ITEM_NUMBERS: usize = 8;
/// Payloads a rule must have held in to be written.
pub(super) const MIN_HELD: u64 = 3;

/// What is summed over an array's items.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Term {
    Field(String),
    /// Two of the item's numbers multiplied (names in order).
    Product(String, String),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Relation {
    /// `total` is the number of `array`'s items.
    Count { array: String, total: String },
    /// `total` is the sum of `term` over `array`'s items.
    Sum {
        array: String,
        term: Term,
        total: String,
    },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Held {
    pub(super) held: u64,
    pub(super) broken: bool,
}

/// What was seen of one (array, total) pair: whether the total counted the items, and each
/// sum over the items tried.
#[derive(Debug, Clone, Default)]
struct Pair {
    count: Option<Held>,
    sums: Vec<(Term, Held)>,
}

/// Candidates by array, then by total: found by name without building a key, since every
/// payload tests every candidate it has both sides of.
#[derive(Debug, Clone, Default)]
pub(super) struct Rules {
    arrays: BTreeMap<String, BTreeMap<String, Pair>>,
    candidates: usize,
    pub(super) balances: super::balance::Balances,
}

fn record(h: &mut Held, holds: bool) {
    h.held += u64::from(holds);
    h.broken |= !holds;
}

impl Term {
    fn is(&self, a: &str, b: Option<&str>) -> bool {
        match (self, b) {
            (Term::Field(f), None) => f == a,
            (Term::Product(x, y), Some(b)) => x == a && y == b,
            _ => false,
        }
    }
}

impl Rules {
    /// Test every candidate on one payload's top-level object, adding those it suggests.
    pub(super) fn add(&mut self, root: &Map<String, Value>) {
        let totals: Vec<(&String, Decimal)> = root
            .iter()
            .filter_map(|(k, v)| decimal(v).map(|d| (k, d)))
            .take(TOTALS)
            .collect();
        if totals.is_empty() {
            return;
        }
        self.balances.add(&totals);
        let arrays = root
            .iter()
            .filter_map(|(k, v)| match v {
                Value::Array(items) if items.iter().all(Value::is_object) => Some((k, items)),
                _ => None,
            })
            .take(ARRAYS);
        for (array, items) in arrays {
            let len = Decimal::from(items.len());
            // Numbers every item has, by name, each item's read once.
            let numbers: Vec<(&String, Vec<Decimal>)> =
                match items.first().and_then(Value::as_object) {
                    Some(first) => first
                        .iter()
                        .filter_map(|(k, _)| {
                            let all: Option<Vec<Decimal>> = items
                                .iter()
                                .map(|i| i.get(k.as_str()).and_then(decimal))
                                .collect();
                            all.map(|values| (k, values))
                        })
                        .take(ITEM_NUMBERS)
                        .collect(),
                    None => Vec::new(),
                };
            // The terms this payload offers: (first name, second name of a product). Each sum
            // is computed when a live or new candidate needs it, once per payload.
            let mut columns: Vec<(usize, Option<usize>)> = Vec::new();
            for i in 0..numbers.len() {
                columns.push((i, None));
                columns.extend((i + 1..numbers.len()).map(|j| (i, Some(j))));
            }
            let terms: Vec<(&str, Option<&str>)> = columns
                .iter()
                .map(|&(a, b)| (numbers[a].0.as_str(), b.map(|b| numbers[b].0.as_str())))
                .collect();
            let mut sums: Vec<Option<Option<Decimal>>> = vec![None; terms.len()];
            let mut sum_of = |i: usize| -> Option<Decimal> {
                *sums[i].get_or_insert_with(|| {
                    let (a, b) = columns[i];
                    let xs = &numbers[a].1;
                    match b {
                        None => xs.iter().try_fold(Decimal::ZERO, |s, x| s.checked_add(*x)),
                        Some(b) => xs
                            .iter()
                            .zip(&numbers[b].1)
                            .try_fold(Decimal::ZERO, |s, (x, y)| s.checked_add(x.checked_mul(*y)?)),
                    }
                })
            };
            // Names are cloned only when first met: a payload's pairs are found by `&str`.
            if !self.arrays.contains_key(array.as_str()) {
                if self.candidates >= MAX_CANDIDATES {
                    continue;
                }
                self.arrays.insert(array.clone(), BTreeMap::new());
            }
            let Some(by_total) = self.arrays.get_mut(array.as_str()) else {
                continue;
            };
            for (total, t) in &totals {
                // A number of the array's own items is not their total.
                if *total == array {
                    continue;
                }
                if !by_total.contains_key(total.as_str()) {
                    if self.candidates >= MAX_CANDIDATES {
                        continue;
                    }
                    by_total.insert((*total).clone(), Pair::default());
                }
                let Some(pair) = by_total.get_mut(total.as_str()) else {
                    continue;
                };
                if t.fract().is_zero() {
                    match &mut pair.count {
                        Some(h) => record(h, *t == len),
                        None => {
                            self.candidates += 1;
                            pair.count = Some(Held {
                                held: u64::from(*t == len),
                                broken: *t != len,
                            });
                        }
                    }
                }
                for (i, &(a, b)) in terms.iter().enumerate() {
                    match pair.sums.iter_mut().find(|(term, _)| term.is(a, b)) {
                        // Broken once, broken for good: its sum is not needed.
                        Some((_, h)) if h.broken => {}
                        Some((_, h)) => record(h, sum_of(i) == Some(*t)),
                        None if self.candidates < MAX_CANDIDATES => {
                            self.candidates += 1;
                            let holds = sum_of(i) == Some(*t);
                            let term = match b {
                                None => Term::Field(a.to_string()),
                                Some(b) => Term::Product(a.to_string(), b.to_string()),
                            };
                            pair.sums.push((
                                term,
                                Held {
                                    held: u64::from(holds),
                                    broken: !holds,
                                },
                            ));
                        }
                        None => {}
                    }
                }
            }
        }
    }

    /// Take in the rules of the payloads that came after these.
    pub(super) fn merge(&mut self, later: Rules) {
        self.balances.merge(later.balances);
        for (array, totals) in later.arrays {
            for (total, pair) in totals {
                let mine = self
                    .arrays
                    .entry(array.clone())
                    .or_default()
                    .entry(total)
                    .or_default();
                match (&mut mine.count, pair.count) {
                    (Some(h), Some(b)) => {
                        h.held += b.held;
                        h.broken |= b.broken;
                    }
                    (h @ None, Some(b)) if self.candidates < MAX_CANDIDATES => {
                        self.candidates += 1;
                        *h = Some(b);
                    }
                    _ => {}
                }
                for (term, b) in pair.sums {
                    match mine.sums.iter_mut().find(|(t, _)| *t == term) {
                        Some((_, h)) => {
                            h.held += b.held;
                            h.broken |= b.broken;
                        }
                        None if self.candidates < MAX_CANDIDATES => {
                            self.candidates += 1;
                            mine.sums.push((term, b));
                        }
                        None => {}
                    }
                }
            }
        }
    }

    /// The rules that held in every payload that had both sides, at least [`MIN_HELD`] times,
    /// in a stable order; of a sum and the same sum times another number that both held (every
    /// multiplier was 1), the product is kept: it is what a total of lines means.
    pub(super) fn held(&self) -> Vec<(Relation, u64)> {
        let good = |h: &Held| !h.broken && h.held >= MIN_HELD;
        let mut out = Vec::new();
        for (array, totals) in &self.arrays {
            for (total, pair) in totals {
                if let Some(h) = pair.count.as_ref().filter(|h| good(h)) {
                    out.push((
                        Relation::Count {
                            array: array.clone(),
                            total: total.clone(),
                        },
                        h.held,
                    ));
                }
                let mut sums: Vec<&(Term, Held)> =
                    pair.sums.iter().filter(|(_, h)| good(h)).collect();
                sums.sort_by(|a, b| a.0.cmp(&b.0));
                for (term, h) in &sums {
                    if let Term::Field(f) = term
                        && sums
                            .iter()
                            .any(|(t, _)| matches!(t, Term::Product(x, y) if x == f || y == f))
                    {
                        continue;
                    }
                    out.push((
                        Relation::Sum {
                            array: array.clone(),
                            term: term.clone(),
                            total: total.clone(),
                        },
                        h.held,
                    ));
                }
            }
        }
        out.sort();
        out
    }
}
