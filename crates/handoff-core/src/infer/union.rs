//! Unions by discriminator: an object place whose members depend on one member's value (a
//! webhook's `type`, a notification's `eventCode`), drafted as `one_of` with a declared type per
//! value.
//!
//! Found in two passes over the captures, so that memory still follows the shape:
//!
//! 1. While the payloads are profiled, each object place keeps, for every member that has so far
//!    been a string in every object with at most [`MAX_CASES`] distinct values (a *candidate*),
//!    how often each member path under the place (through nested objects, [`DEPTH`] deep) was
//!    present among the objects of each value. A candidate that is absent once, not a string
//!    once, or takes a thirteenth value is dropped for good; so is every candidate of a place of
//!    more than [`MAX_PATHS`] member paths. Each of these is a property of all the payloads, so
//!    profiles of consecutive chunks merge to what one profile gives.
//! 2. A candidate is the discriminator when it has 2 to 12 values, each of at least 4 objects
//!    (the enum rule), and at least [`MIN_OWN`] member paths are present in every object of one
//!    value and in none of another, counted where the difference starts (an optional object
//!    counts once, not once per member). Of several, the one with the most such paths, then the
//!    first, wins. The payloads are then profiled again with the objects of each union place
//!    also profiled per value ([`Split`]), which gives each case its own type.
//!
//! A union place's own subtree is not searched for further unions.

use serde_json::{Map, Value};
use std::collections::HashMap;

/// Distinct values a discriminator may have (the enum rule's).
pub(super) const MAX_CASES: usize = 12;
/// Objects per value a discriminator needs (the enum rule's samples per value).
const MIN_OBJECTS: u64 = 4;
/// Member paths present in every object of one value and in none of another, at least.
const MIN_OWN: usize = 2;
/// Member paths tracked per place; past it the place is too wide to be told apart by them.
const MAX_PATHS: usize = 256;
/// Nested objects looked into below the place.
const DEPTH: usize = 3;
/// Distinct shapes (sets of member paths) counted per place before their counts are spread
/// onto the paths; a sender writes few shapes, so this is rarely reached.
const MAX_SHAPES: usize = 512;

/// What one object place saw of its candidate discriminators.
#[derive(Debug, Clone, Default)]
pub(super) struct Candidates {
    list: Vec<Candidate>,
    paths: Paths,
    /// The place had more than [`MAX_PATHS`] member paths: no candidate is kept.
    wide: bool,
    /// Path indexes of the object being read, and of the one before, in the order visited.
    touched: Vec<u32>,
    previous: Vec<u32>,
    /// The shapes objects had, so that an object costs each candidate one count, not one per
    /// path: a value's path counts are its shapes' counts spread onto their paths ([`settle`]).
    ///
    /// [`settle`]: Candidates::settle
    shapes: Shapes,
    /// The shape of the object before, which most objects repeat.
    previous_shape: Option<u32>,
}

/// Sets of member paths, each once, in the order visited.
#[derive(Debug, Clone, Default)]
struct Shapes {
    paths: Vec<Vec<u32>>,
    /// Hash of the paths -> the shapes with it (collisions are told apart by the paths).
    index: HashMap<u64, Vec<u32>, std::hash::BuildHasherDefault<Identity>>,
}

impl Shapes {
    fn find_or_add(&mut self, paths: &[u32]) -> u32 {
        let h = paths.iter().fold(0x9e37_79b9_7f4a_7c15u64, |h, &p| {
            (h.rotate_left(5) ^ u64::from(p)).wrapping_mul(0x517c_c1b7_2722_0a95)
        });
        let ids = self.index.entry(h).or_default();
        if let Some(&id) = ids.iter().find(|&&id| self.paths[id as usize] == paths) {
            return id;
        }
        let id = self.paths.len() as u32;
        self.paths.push(paths.to_vec());
        ids.push(id);
        id
    }
}

#[derive(Debug, Clone)]
struct Candidate {
    member: String,
    /// The member's path index, by which an object's value is found without comparing names.
    path: u32,
    cases: Vec<Seen>,
}

/// The objects of one value of a candidate, and how often each path was present among them.
#[derive(Debug, Clone)]
struct Seen {
    value: String,
    objects: u64,
    present: Vec<u64>,
    /// Objects per shape id, not yet in `present`.
    shaped: Vec<u64>,
}

/// The member paths seen under a place, each once: its hash (of the whole path, so the same in
/// every chunk), its parent, and its text for the evidence.
#[derive(Debug, Clone, Default)]
struct Paths {
    hash: Vec<u64>,
    parent: Vec<Option<u32>>,
    /// The member name the path ends with, as sent.
    name: Vec<String>,
    text: Vec<String>,
    index: HashMap<u64, u32, std::hash::BuildHasherDefault<Identity>>,
}

/// The paths' keys are hashes already.
#[derive(Debug, Clone, Copy, Default)]
struct Identity(u64);

impl std::hash::Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

fn mix(parent: u64, name: &str) -> u64 {
    // Eight bytes at a time, rotate-multiply (as FxHash), then a finaliser: stable across runs
    // and chunks, and cheap beside the profile's own work on the member.
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = parent.rotate_left(5) ^ (name.len() as u64);
    let mut chunks = name.as_bytes().chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = (h.rotate_left(5) ^ u64::from_le_bytes(last)).wrapping_mul(K);
    // splitmix64's finaliser: the index's hasher uses these bits as they are.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

impl Paths {
    fn at(&mut self, parent: Option<u32>, name: &str, guess: Option<u32>) -> u32 {
        // One sender writes its members in one order: the path visited at this step of the
        // previous object is tried first, which costs one comparison of the name.
        if let Some(g) = guess
            && self.parent.get(g as usize) == Some(&parent)
            && self.name[g as usize] == name
        {
            return g;
        }
        let ph = parent.map_or(0, |p| self.hash[p as usize]);
        let h = mix(ph, name);
        if let Some(&i) = self.index.get(&h) {
            return i;
        }
        let text = match parent {
            Some(p) => format!("{}/{}", self.text[p as usize], crate::pointer::escape(name)),
            None => format!("/{}", crate::pointer::escape(name)),
        };
        self.insert(h, parent, name.to_string(), text)
    }

    fn insert(&mut self, h: u64, parent: Option<u32>, name: String, text: String) -> u32 {
        let i = self.hash.len() as u32;
        self.hash.push(h);
        self.parent.push(parent);
        self.name.push(name);
        self.text.push(text);
        self.index.insert(h, i);
        i
    }

    /// Every path of `map` into `out`, and its own members' string values into `strings`.
    fn walk<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        parent: Option<u32>,
        depth: usize,
        out: &mut Vec<u32>,
        previous: &[u32],
        mut strings: Option<&mut Vec<(u32, &'v str)>>,
    ) {
        for (k, v) in map {
            let i = self.at(parent, k, previous.get(out.len()).copied());
            out.push(i);
            match v {
                Value::Object(inner) if depth < DEPTH => {
                    self.walk(inner, Some(i), depth + 1, out, previous, None);
                }
                Value::String(s) => {
                    if let Some(list) = strings.as_mut() {
                        list.push((i, s.as_str()));
                    }
                }
                _ => {}
            }
        }
    }
}

impl Candidates {
    /// Take in one object of the place.
    pub(super) fn observe(slot: &mut Option<Candidates>, map: &Map<String, Value>) {
        let first = slot.is_none();
        let c = slot.get_or_insert_with(Candidates::default);
        if c.wide || (!first && c.list.is_empty()) {
            return;
        }
        let mut touched = std::mem::take(&mut c.touched);
        touched.clear();
        let mut strings: Vec<(u32, &str)> = Vec::new();
        c.paths
            .walk(map, None, 0, &mut touched, &c.previous, Some(&mut strings));
        if c.paths.hash.len() > MAX_PATHS {
            c.make_wide();
            return;
        }
        if first {
            // Every member that is a string in the first object may be the discriminator.
            c.list = strings
                .iter()
                .map(|&(path, _)| Candidate {
                    member: c.paths.text[path as usize][1..].to_string(),
                    path,
                    cases: Vec::new(),
                })
                .collect();
        }
        let shape = match c.previous_shape {
            Some(s) if touched == c.previous => s,
            _ => {
                if c.shapes.paths.len() >= MAX_SHAPES {
                    c.settle();
                }
                c.shapes.find_or_add(&touched)
            }
        };
        c.list.retain_mut(|cand| {
            let Some(&(_, s)) = strings.iter().find(|(p, _)| *p == cand.path) else {
                return false;
            };
            let i = match cand.cases.iter().position(|seen| seen.value == s) {
                Some(i) => i,
                None if cand.cases.len() < MAX_CASES => {
                    cand.cases.push(Seen {
                        value: s.to_string(),
                        objects: 0,
                        present: Vec::new(),
                        shaped: Vec::new(),
                    });
                    cand.cases.len() - 1
                }
                None => return false,
            };
            let seen = &mut cand.cases[i];
            seen.objects += 1;
            let at = shape as usize;
            if seen.shaped.len() <= at {
                seen.shaped.resize(at + 1, 0);
            }
            seen.shaped[at] += 1;
            true
        });
        c.previous_shape = Some(shape);
        c.touched = std::mem::replace(&mut c.previous, touched);
    }

    /// Spread the shapes' counts onto their paths, and forget the shapes.
    fn settle(&mut self) {
        let width = self.paths.hash.len();
        for cand in &mut self.list {
            for seen in &mut cand.cases {
                if seen.present.len() < width {
                    seen.present.resize(width, 0);
                }
                for (shape, n) in std::mem::take(&mut seen.shaped).into_iter().enumerate() {
                    if n > 0 {
                        for &p in &self.shapes.paths[shape] {
                            seen.present[p as usize] += n;
                        }
                    }
                }
            }
        }
        self.shapes = Shapes::default();
        self.previous_shape = None;
    }

    fn make_wide(&mut self) {
        self.wide = true;
        self.list.clear();
        self.paths = Paths::default();
        self.shapes = Shapes::default();
        self.previous_shape = None;
    }

    /// Take in what a later chunk's profile saw at the same place.
    pub(super) fn merge(slot: &mut Option<Candidates>, later: Option<Candidates>) {
        let (a, b) = match (slot.as_mut(), later) {
            (_, None) => return,
            (None, b) => {
                *slot = b;
                return;
            }
            (Some(a), Some(b)) => (a, b),
        };
        if a.wide || b.wide {
            a.make_wide();
            return;
        }
        let mut b = b;
        a.settle();
        b.settle();
        // b's path indexes in a's table (parents come before their children in both).
        let mut remap: Vec<u32> = Vec::with_capacity(b.paths.hash.len());
        for i in 0..b.paths.hash.len() {
            let h = b.paths.hash[i];
            let at = match a.paths.index.get(&h) {
                Some(&j) => j,
                None => {
                    let parent = b.paths.parent[i].map(|p| remap[p as usize]);
                    a.paths
                        .insert(h, parent, b.paths.name[i].clone(), b.paths.text[i].clone())
                }
            };
            remap.push(at);
        }
        if a.paths.hash.len() > MAX_PATHS {
            a.make_wide();
            return;
        }
        let mut later: Vec<Candidate> = b.list;
        a.list.retain_mut(|cand| {
            let Some(other) = later
                .iter_mut()
                .find(|o| remap[o.path as usize] == cand.path)
            else {
                return false;
            };
            for seen in std::mem::take(&mut other.cases) {
                let at = match cand.cases.iter().position(|s| s.value == seen.value) {
                    Some(i) => i,
                    None => {
                        cand.cases.push(Seen {
                            value: seen.value,
                            objects: 0,
                            present: Vec::new(),
                            shaped: Vec::new(),
                        });
                        cand.cases.len() - 1
                    }
                };
                let mine = &mut cand.cases[at];
                mine.objects += seen.objects;
                for (i, n) in seen.present.into_iter().enumerate() {
                    let p = remap[i] as usize;
                    if mine.present.len() <= p {
                        mine.present.resize(p + 1, 0);
                    }
                    mine.present[p] += n;
                }
            }
            cand.cases.len() <= MAX_CASES
        });
    }

    /// The discriminator of a place that saw `objects` objects, with the evidence for it.
    pub(super) fn discriminator(&self, objects: u64) -> Option<(String, String)> {
        let mut settled = self.clone();
        settled.settle();
        settled.choose(objects)
    }

    fn choose(&self, objects: u64) -> Option<(String, String)> {
        let mut best: Option<(usize, &Candidate, Vec<&str>)> = None;
        for cand in &self.list {
            let n = cand.cases.len();
            if !(2..=MAX_CASES).contains(&n)
                || cand.cases.iter().any(|s| s.objects < MIN_OBJECTS)
                || cand.cases.iter().map(|s| s.objects).sum::<u64>() != objects
            {
                continue;
            }
            let always = |s: &Seen, p: usize| s.present.get(p).copied().unwrap_or(0) == s.objects;
            let never = |s: &Seen, p: usize| s.present.get(p).copied().unwrap_or(0) == 0;
            // Present in every object of one value and in none of another.
            let own = |p: usize| {
                cand.cases.iter().any(|v| always(v, p)) && cand.cases.iter().any(|w| never(w, p))
            };
            let mut paths = Vec::new();
            for p in 0..self.paths.hash.len() {
                // Counted where the difference starts: not below a path that differs already.
                let parent_differs = self.paths.parent[p].is_some_and(|q| own(q as usize));
                if own(p) && !parent_differs {
                    paths.push(self.paths.text[p].as_str());
                }
            }
            if paths.len() >= MIN_OWN && best.as_ref().is_none_or(|(e, ..)| paths.len() > *e) {
                best = Some((paths.len(), cand, paths));
            }
        }
        let (count, cand, paths) = best?;
        // Member names come from payloads: one with a line break must not end the comment.
        let shown: Vec<String> = paths.iter().take(4).map(|p| super::in_comment(p)).collect();
        let evidence = format!(
            "{} values; {count} member{} in every object of one value and in none of another: {}{}",
            cand.cases.len(),
            if count == 1 { "" } else { "s" },
            shown.join(", "),
            if count > shown.len() { ", ..." } else { "" }
        );
        Some((cand.member.clone(), evidence))
    }
}

/// Where the second pass profiles objects per discriminator value: a tree of the union places.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Split {
    /// The discriminator of the objects at this place, and the evidence for it.
    pub(super) member: Option<(String, String)>,
    pub(super) fields: Vec<(String, Split)>,
    pub(super) items: Option<Box<Split>>,
}

impl Split {
    pub(super) fn field(&self, name: &str) -> Option<&Split> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.member.is_none() && self.fields.is_empty() && self.items.is_none()
    }

    /// The union places, as contract paths with their discriminators.
    pub(super) fn places(&self, path: &str, out: &mut Vec<(String, String)>) {
        if let Some((m, _)) = &self.member {
            out.push((
                if path.is_empty() {
                    "/".into()
                } else {
                    path.to_string()
                },
                m.clone(),
            ));
        }
        for (name, s) in &self.fields {
            s.places(&format!("{path}/{}", crate::pointer::escape(name)), out);
        }
        if let Some(s) = &self.items {
            s.places(&format!("{path}/*"), out);
        }
    }
}

/// The objects of a union place, profiled per discriminator value (second pass).
#[derive(Debug, Clone)]
pub(super) struct Cases {
    pub(super) member: String,
    pub(super) evidence: String,
    /// Value -> the objects with it, in order of first appearance.
    pub(super) list: Vec<(String, super::Node)>,
    /// A value was not a string, or there were more than [`MAX_CASES`]: the place is drafted as
    /// one object after all (the captures changed between the passes).
    pub(super) broken: bool,
}

impl Cases {
    pub(super) fn new(member: &str, evidence: &str) -> Cases {
        Cases {
            member: member.to_string(),
            evidence: evidence.to_string(),
            list: Vec::new(),
            broken: false,
        }
    }

    pub(super) fn add(&mut self, object: &Value) {
        if self.broken {
            return;
        }
        let Some(Value::String(s)) = object.get(&self.member) else {
            self.broken = true;
            return;
        };
        let at = match self.list.iter().position(|(v, _)| v == s) {
            Some(i) => i,
            None if self.list.len() < MAX_CASES => {
                self.list.push((s.clone(), super::Node::default()));
                self.list.len() - 1
            }
            None => {
                self.broken = true;
                return;
            }
        };
        self.list[at].1.add(object, super::Ctx::PLAIN);
    }

    pub(super) fn merge(&mut self, later: Cases) {
        self.broken |= later.broken;
        for (value, node) in later.list {
            match self.list.iter_mut().find(|(v, _)| *v == value) {
                Some((_, have)) => have.merge(node),
                None => self.list.push((value, node)),
            }
        }
        if self.list.len() > MAX_CASES {
            self.broken = true;
        }
        if self.broken {
            self.list.clear();
        }
    }

    /// Whether the place is drafted as a union.
    pub(super) fn holds(&self) -> bool {
        !self.broken && self.list.len() >= 2
    }
}
