//! Balances: one of an object's own numbers that is the sum of two others in every payload
//! (`total = subtotal + tax`, a CSV row's `available = on_hand - allocated`).
//!
//! Each relation is kept in its all-plus form (`t = a + b`; `a = t - b` is the same one).
//! Candidates are every such triple of the numbers a payload has, made when a payload shows a
//! set of number names not met before, so the candidates are those of all the payloads however
//! they are cut into chunks; a payload then tests the live candidates of its set. One failure
//! drops a candidate for good, and a candidate whose part was zero in every payload it held in
//! says nothing about that part, so it is not written.

use rust_decimal::Decimal;
use std::collections::HashMap;

/// Numbers of a payload looked at (the first, in member order).
const NUMBERS: usize = 8;
/// Candidates kept at most: past it, new ones are not considered.
const MAX_CANDIDATES: usize = 4096;

/// `total` is `a` plus `b` (`a` before `b` by name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Balance {
    pub(super) total: String,
    pub(super) a: String,
    pub(super) b: String,
}

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Tally {
    pub(super) held: u64,
    pub(super) broken: bool,
    /// A payload where the part was not zero.
    pub(super) a_counts: bool,
    pub(super) b_counts: bool,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Balances {
    list: Vec<(Balance, Tally)>,
    index: HashMap<Balance, usize>,
    /// A hash of a set of number names (in member order) -> the sets with it and their live
    /// candidates, as (candidate, position of total, of a, of b) in the payload's numbers. A
    /// cache: emptied after a merge, or when it holds too many sets.
    sets: HashMap<u64, Vec<(Vec<String>, Live)>>,
}

type Live = Vec<(usize, u8, u8, u8)>;

/// Sets of names cached at most.
const MAX_SETS: usize = 1024;

fn hash_of(numbers: &[(&String, Decimal)]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (n, _) in numbers {
        n.hash(&mut h);
    }
    h.finish()
}

impl Balances {
    /// Test the candidates on one payload's numbers (name, value, in member order).
    pub(super) fn add(&mut self, numbers: &[(&String, Decimal)]) {
        let numbers = &numbers[..numbers.len().min(NUMBERS)];
        if numbers.len() < 3 {
            return;
        }
        let h = hash_of(numbers);
        let same = |names: &Vec<String>| {
            names.len() == numbers.len() && names.iter().zip(numbers).all(|(n, (m, _))| n == *m)
        };
        let slot = self
            .sets
            .get(&h)
            .and_then(|sets| sets.iter().position(|(names, _)| same(names)));
        let mut live = match slot.and_then(|i| Some(&mut self.sets.get_mut(&h)?[i].1)) {
            Some(cached) => std::mem::take(cached),
            None => self.candidates_of(numbers),
        };
        live.retain(|&(i, t, a, b)| {
            let tally = &mut self.list[i].1;
            if tally.broken {
                return false;
            }
            let (t, a, b) = (
                numbers[t as usize].1,
                numbers[a as usize].1,
                numbers[b as usize].1,
            );
            let holds = a.checked_add(b) == Some(t);
            tally.held += u64::from(holds);
            tally.broken |= !holds;
            if holds {
                tally.a_counts |= !a.is_zero();
                tally.b_counts |= !b.is_zero();
            }
            holds
        });
        // The set's live candidates go back where they were taken from, or a new set is kept.
        if let Some(i) = slot
            && let Some(sets) = self.sets.get_mut(&h)
        {
            sets[i].1 = live;
            return;
        }
        if self.sets.len() >= MAX_SETS {
            self.sets.clear();
        }
        let names: Vec<String> = numbers.iter().map(|(n, _)| (*n).clone()).collect();
        self.sets.entry(h).or_default().push((names, live));
    }

    /// Every triple of `numbers` as a candidate (made when first met), by position.
    fn candidates_of(&mut self, numbers: &[(&String, Decimal)]) -> Live {
        let mut out = Vec::new();
        let n = numbers.len();
        for t in 0..n {
            for a in 0..n {
                for b in a + 1..n {
                    if a == t || b == t {
                        continue;
                    }
                    // Parts in name order, so a payload whose members came in another order
                    // names the same candidate.
                    let (a, b) = if numbers[a].0 <= numbers[b].0 {
                        (a, b)
                    } else {
                        (b, a)
                    };
                    let key = Balance {
                        total: numbers[t].0.clone(),
                        a: numbers[a].0.clone(),
                        b: numbers[b].0.clone(),
                    };
                    let i = match self.index.get(&key) {
                        Some(&i) => i,
                        None if self.list.len() < MAX_CANDIDATES => {
                            self.index.insert(key.clone(), self.list.len());
                            self.list.push((key, Tally::default()));
                            self.list.len() - 1
                        }
                        None => continue,
                    };
                    out.push((i, t as u8, a as u8, b as u8));
                }
            }
        }
        out
    }

    /// Take in the balances of the payloads that came after these.
    pub(super) fn merge(&mut self, later: Balances) {
        for (key, b) in later.list {
            match self.index.get(&key) {
                Some(&i) => {
                    let mine = &mut self.list[i].1;
                    mine.held += b.held;
                    mine.broken |= b.broken;
                    mine.a_counts |= b.a_counts;
                    mine.b_counts |= b.b_counts;
                }
                None if self.list.len() < MAX_CANDIDATES => {
                    self.index.insert(key.clone(), self.list.len());
                    self.list.push((key, b));
                }
                None => {}
            }
        }
        self.sets.clear();
    }

    /// The balances that held in every payload that had their three numbers, at least
    /// `min_held` times, each part non-zero in one of them; in name order.
    pub(super) fn held(&self, min_held: u64) -> Vec<(Balance, u64)> {
        let mut out: Vec<(Balance, u64)> = self
            .list
            .iter()
            .filter(|(_, t)| !t.broken && t.held >= min_held && t.a_counts && t.b_counts)
            .map(|(k, t)| (k.clone(), t.held))
            .collect();
        out.sort();
        out
    }
}

/// Words that name a result: the member a balance is written as the total of.
const RESULT_WORDS: [&str; 8] = [
    "total",
    "available",
    "balance",
    "net",
    "grand",
    "remaining",
    "due",
    "sum",
];

/// How a balance is written: the total, and its two terms (`true`: subtracted). `t = a + b`
/// as it is, unless a part's name says it is the result and the total's does not (`on_hand =
/// allocated + available` is written `available = on_hand - allocated`).
pub(super) fn written(b: &Balance) -> (&str, [(bool, &str); 2]) {
    let says = |name: &str| {
        let lower = name.to_ascii_lowercase();
        RESULT_WORDS.iter().any(|w| lower.contains(w))
    };
    match (says(&b.total), says(&b.a), says(&b.b)) {
        (false, true, false) => (&b.a, [(false, &b.total), (true, &b.b)]),
        (false, false, true) => (&b.b, [(false, &b.total), (true, &b.a)]),
        _ => (&b.total, [(false, &b.a), (false, &b.b)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(b: &mut Balances, row: &[(&str, i64)]) {
        let names: Vec<String> = row.iter().map(|(n, _)| n.to_string()).collect();
        let numbers: Vec<(&String, Decimal)> = names
            .iter()
            .zip(row)
            .map(|(n, (_, v))| (n, Decimal::from(*v)))
            .collect();
        b.add(&numbers);
    }

    #[test]
    fn a_sum_of_two_numbers_is_found_once_and_a_part_that_was_always_zero_is_not() {
        let mut b = Balances::default();
        for (on_hand, allocated, zero) in [(120, 20, 0), (50, 50, 0), (7, 2, 0), (9, 0, 0)] {
            add(
                &mut b,
                &[
                    ("allocated", allocated),
                    ("available", on_hand - allocated),
                    ("on_hand", on_hand),
                    ("reserved", zero),
                ],
            );
        }
        let held = b.held(3);
        // on_hand = allocated + available; the rest were zero-part or broken.
        assert_eq!(held.len(), 1, "{held:?}");
        let (rule, n) = &held[0];
        assert_eq!(*n, 4);
        assert_eq!(
            written(rule),
            ("available", [(false, "on_hand"), (true, "allocated")])
        );
    }

    #[test]
    fn chunks_merged_in_order_give_what_one_pass_gives() {
        let rows: Vec<Vec<(&str, i64)>> = (0..12)
            .map(|i| {
                let mut row = vec![
                    ("subtotal", 10 + i),
                    ("tax", 1 + i % 3),
                    ("total", 11 + i + i % 3),
                ];
                if i % 2 == 0 {
                    row.push(("tip", i));
                }
                row
            })
            .collect();
        let mut one = Balances::default();
        for r in &rows {
            add(&mut one, r);
        }
        let mut a = Balances::default();
        let mut later = Balances::default();
        for r in &rows[..5] {
            add(&mut a, r);
        }
        for r in &rows[5..] {
            add(&mut later, r);
        }
        a.merge(later);
        assert_eq!(a.held(3), one.held(3));
        let held = one.held(3);
        assert_eq!(held.len(), 1, "{held:?}");
        assert_eq!(
            written(&held[0].0),
            ("total", [(false, "subtotal"), (false, "tax")])
        );
    }
}
