//! The X12 envelope, checked while a file is read: which interchange, group and transaction set
//! is open, their counts, and the trailers' counts and control numbers against their headers.
//!
//! A set's own trailer findings (SE) go with it. A group's (GE) or an interchange's (IEA) go
//! with its last set, which is held back until the next set starts or the file ends; when there
//! is no set to carry them (an empty group, a stray segment before any set), they wait for the
//! next set, or stand alone at the end.

use super::stream::{Header, Item, Piece, Place, Set};
use super::tokenize::Delimiters;
use crate::finding::{Finding, Kind, TextPosition, X12Location};
use std::sync::Arc;

/// One envelope segment as read: its bytes with terminator and the layout after it.
pub(super) struct Raw {
    pub place: Place,
    pub position: u64,
    pub id: String,
    pub bytes: Vec<u8>,
    /// Length of the segment without terminator.
    pub len: usize,
}

impl Raw {
    fn piece(&self) -> Piece {
        Piece {
            bytes: self.bytes.clone(),
            place: self.place,
            position_before: self.position - 1,
        }
    }

    /// Element `n` (1-based) and its byte offset in the segment.
    fn element(&self, d: Delimiters, n: usize) -> Option<(usize, String)> {
        let mut start = 0;
        for (i, part) in self.bytes[..self.len]
            .split(|b| *b == d.element)
            .enumerate()
        {
            if i == n {
                return Some((start, String::from_utf8_lossy(part).into_owned()));
            }
            start += part.len() + 1;
        }
        None
    }
}

/// The set being read.
pub(super) struct OpenSet {
    st02: String,
    pub segments: u64,
    body: Piece,
    too_large: Option<u64>,
    findings: Vec<Finding>,
}

impl OpenSet {
    /// Add a segment's bytes (and the layout after it) to the set.
    pub fn extend(&mut self, bytes: &[u8], limit: u64) {
        if let Some(n) = &mut self.too_large {
            *n += bytes.len() as u64;
            return;
        }
        self.body.bytes.extend_from_slice(bytes);
        if self.body.bytes.len() as u64 > limit {
            self.too_large = Some(self.body.bytes.len() as u64);
            self.body.bytes = Vec::new();
        }
    }
}

/// Everything the reader knows about the envelope so far.
#[derive(Default)]
pub(super) struct Tracker {
    header: Option<Arc<Header>>,
    isa13: String,
    groups: u64,
    gs06: Option<String>,
    sets_in_group: u64,
    pub set: Option<OpenSet>,
    /// The last set read, until it is known whether a trailer belongs to it.
    held: Option<Box<Set>>,
    /// Findings waiting for a set to go with, and where the first one is.
    waiting: Vec<Finding>,
    waiting_place: Place,
}

/// A trailer's count and control number against what was counted and its header's.
struct Trailer<'a> {
    id: &'static str,
    counted: u64,
    /// What the count counts, and what holds them: "segments", "the transaction set".
    what: &'static str,
    holder: &'static str,
    /// The header element the control number repeats, and the owner in words: "the set".
    header_element: &'static str,
    owner: &'static str,
    control: &'a str,
}

impl Tracker {
    /// Take one envelope segment, or a segment outside any set.
    pub fn segment(&mut self, raw: Raw, d: Delimiters, limit: u64, emit: &mut impl FnMut(Item)) {
        let here = raw.piece();
        match raw.id.as_str() {
            "ISA" => {
                self.close_set(d, &here, "a new interchange starts", emit);
                if self.header.is_some() {
                    let f = malformed(
                        &here,
                        "ISA",
                        format!(
                            "a new interchange starts before interchange {} closed with IEA",
                            self.isa13
                        ),
                        "an IEA segment before the next ISA",
                    );
                    self.attach(raw.place, f);
                }
                let isa13 = raw.element(d, 13).map(|(_, v)| v).unwrap_or_default();
                *self = Tracker {
                    header: Some(Arc::new(Header {
                        isa: here,
                        gs: None,
                    })),
                    isa13,
                    held: self.held.take(),
                    waiting: std::mem::take(&mut self.waiting),
                    waiting_place: self.waiting_place,
                    ..Tracker::default()
                };
                // An element not padded to its width was read by its separators; it is named
                // once, with the interchange's first set (not the previous interchange's).
                if let Some(f) = isa_width(&raw, d) {
                    if self.waiting.is_empty() {
                        self.waiting_place = raw.place;
                    }
                    self.waiting.push(f);
                }
            }
            "GS" => {
                let Some(isa) = self.header.as_ref().map(|h| h.isa.clone()) else {
                    let f = malformed(
                        &here,
                        "GS",
                        "GS outside an interchange (no ISA before it)".into(),
                        "GS after an ISA",
                    );
                    return self.problem(raw.place, f);
                };
                if self.gs06.is_some() {
                    let f = malformed(
                        &here,
                        "GS",
                        "a new functional group starts before the previous one closed with GE"
                            .into(),
                        "a GE segment before the next GS",
                    );
                    self.problem(raw.place, f);
                }
                self.gs06 = Some(raw.element(d, 6).map(|(_, v)| v).unwrap_or_default());
                self.header = Some(Arc::new(Header {
                    isa,
                    gs: Some(here),
                }));
                self.sets_in_group = 0;
                self.groups += 1;
            }
            "ST" => {
                self.close_set(d, &here, "another ST starts", emit);
                // Stray segments before the set are reported with it.
                let mut findings = std::mem::take(&mut self.waiting);
                if self.gs06.is_none() {
                    findings.push(malformed(
                        &here,
                        "ST",
                        "a transaction set outside a functional group (no GS before it)".into(),
                        "ST after a GS",
                    ));
                }
                self.sets_in_group += 1;
                let size = raw.bytes.len() as u64;
                self.set = Some(OpenSet {
                    st02: raw.element(d, 2).map(|(_, v)| v).unwrap_or_default(),
                    segments: 1,
                    too_large: (size > limit).then_some(size),
                    body: here,
                    findings,
                });
            }
            "SE" => {
                let Some(mut open) = self.set.take() else {
                    let f = malformed(
                        &here,
                        "SE",
                        "SE outside a transaction set (no ST before it)".into(),
                        "SE closing a transaction set",
                    );
                    return self.problem(raw.place, f);
                };
                open.segments += 1;
                open.extend(&raw.bytes, limit);
                let trailer = Trailer {
                    id: "SE",
                    counted: open.segments,
                    what: "segments",
                    holder: "the transaction set",
                    header_element: "ST02",
                    owner: "set",
                    control: &open.st02,
                };
                let mut checks = trailer.check(&raw, d);
                if let Some(f) = checks.first_mut().filter(|f| f.kind == Kind::CountMismatch) {
                    f.message.push_str(" (ST to SE, both included)");
                }
                open.findings.extend(checks);
                self.hold(d, open, emit);
            }
            "GE" => {
                // A set left open ends here, with the ISA and GS it was read under.
                self.close_set(d, &here, "the group closes (GE)", emit);
                let Some(gs06) = self.gs06.take() else {
                    let f = malformed(
                        &here,
                        "GE",
                        "GE without a GS before it".into(),
                        "GE closing a functional group",
                    );
                    return self.problem(raw.place, f);
                };
                let trailer = Trailer {
                    id: "GE",
                    counted: self.sets_in_group,
                    what: "transaction sets",
                    holder: "the group",
                    header_element: "GS06",
                    owner: "group",
                    control: &gs06,
                };
                let checks = trailer.check(&raw, d);
                if let Some(h) = &mut self.header {
                    *h = Arc::new(Header {
                        isa: h.isa.clone(),
                        gs: None,
                    });
                }
                self.trail(&raw, checks);
            }
            "IEA" => {
                self.close_set(d, &here, "the interchange closes (IEA)", emit);
                if self.header.is_none() {
                    let f = malformed(
                        &here,
                        "IEA",
                        "IEA without an ISA before it".into(),
                        "IEA closing an interchange",
                    );
                    return self.problem(raw.place, f);
                }
                let trailer = Trailer {
                    id: "IEA",
                    counted: self.groups,
                    what: "functional groups",
                    holder: "the interchange",
                    header_element: "ISA13",
                    owner: "interchange",
                    control: &self.isa13,
                };
                let mut checks = trailer.check(&raw, d);
                if self.gs06.is_some() {
                    checks.push(malformed(
                        &here,
                        "IEA",
                        "the interchange closes while a functional group is open (no GE)".into(),
                        "GE before IEA",
                    ));
                }
                self.header = None;
                self.gs06 = None;
                self.groups = 0;
                self.trail(&raw, checks);
            }
            // An interchange acknowledgment sits in the interchange itself, outside any group.
            "TA1" if self.header.is_some() && self.gs06.is_none() && self.set.is_none() => {}
            _ => {
                let message = format!(
                    "segment {} is outside a transaction set (not between ST and SE)",
                    raw.id
                );
                let f = malformed(
                    &here,
                    &raw.id,
                    message,
                    "every segment other than the envelope's between ST and SE",
                );
                self.attach(raw.place, f);
            }
        }
    }

    /// Whether no interchange is open (after an IEA, or before the first ISA).
    pub fn between_interchanges(&self) -> bool {
        self.header.is_none()
    }

    /// The end of the file closes whatever is open.
    pub fn finish(mut self, d: Option<Delimiters>, emit: &mut impl FnMut(Item)) {
        if let (Some(d), Some(open)) = (d, self.set.as_ref()) {
            let body = open.body.clone();
            self.close_set(d, &body, "the file ends inside it", emit);
        }
        if let Some(gs) = self.header.as_ref().and_then(|h| h.gs.clone()) {
            let f = malformed(
                &gs,
                "GS",
                "the functional group has no GE: the file ends inside it".into(),
                "a GE segment closing the group",
            );
            self.attach(gs.place, f);
        }
        if let Some(h) = self.header.take() {
            let message = format!(
                "interchange {} has no IEA: the file ends inside it",
                self.isa13
            );
            let f = malformed(
                &h.isa,
                "ISA",
                message,
                "an IEA segment closing the interchange",
            );
            self.attach(h.isa.place, f);
        }
        self.flush(emit);
        if !self.waiting.is_empty() {
            emit(Item::Envelope {
                place: self.waiting_place,
                findings: self.waiting,
            });
        }
    }

    /// Emit the held set; called before anything that is not X12 is reported.
    pub fn flush(&mut self, emit: &mut impl FnMut(Item)) {
        if let Some(set) = self.held.take() {
            emit(Item::Set(set));
        }
    }

    /// A set still open when `at` arrives has no SE: it ends here, with a finding.
    fn close_set(&mut self, d: Delimiters, at: &Piece, why: &str, emit: &mut impl FnMut(Item)) {
        if let Some(mut open) = self.set.take() {
            let message = format!("transaction set {} has no SE: {why}", open.st02);
            let id = if at.position_before == open.body.position_before {
                "ST"
            } else {
                segment_id(at)
            };
            open.findings.push(malformed(
                at,
                id,
                message,
                "an SE segment closing the transaction set",
            ));
            self.hold(d, open, emit);
        }
    }

    /// Hold a finished set back until it is known whether a trailer belongs to it.
    fn hold(&mut self, delimiters: Delimiters, open: OpenSet, emit: &mut impl FnMut(Item)) {
        self.flush(emit);
        let header = self.header.clone().unwrap_or_else(|| {
            Arc::new(Header {
                isa: Piece {
                    bytes: Vec::new(),
                    place: open.body.place,
                    position_before: 0,
                },
                gs: None,
            })
        });
        self.held = Some(Box::new(Set {
            delimiters,
            header,
            body: open.body,
            findings: open.findings,
            too_large: open.too_large,
            trailer: Vec::new(),
        }));
    }

    /// A group or interchange trailer: its bytes follow the held set, its findings go with it.
    fn trail(&mut self, raw: &Raw, findings: Vec<Finding>) {
        if let Some(set) = self.held.as_mut() {
            // Quoted with the set only when it follows right after it.
            if raw.id == "GE" || !set.trailer.is_empty() {
                set.trailer.extend_from_slice(&raw.bytes);
            }
        }
        for f in findings {
            self.attach(raw.place, f);
        }
    }

    /// A finding inside an open set goes with it; otherwise with the held set, or it waits.
    fn problem(&mut self, place: Place, f: Finding) {
        match self.set.as_mut() {
            Some(open) => open.findings.push(f),
            None => self.attach(place, f),
        }
    }

    fn attach(&mut self, place: Place, f: Finding) {
        match self.held.as_mut() {
            Some(set) => set.findings.push(f),
            None => {
                if self.waiting.is_empty() {
                    self.waiting_place = place;
                }
                self.waiting.push(f);
            }
        }
    }
}

/// `envelope_malformed` at the first ISA element that is not its fixed width, naming how many
/// others are off too.
fn isa_width(raw: &Raw, d: Delimiters) -> Option<Finding> {
    use super::tokenize::ISA_WIDTHS;
    let off: Vec<(usize, usize, String)> = (1..=16)
        .filter_map(|n| {
            let (at, v) = raw.element(d, n)?;
            (v.chars().count() != ISA_WIDTHS[n - 1]).then_some((n, at, v))
        })
        .collect();
    let (n, at, v) = off.first()?;
    let width = ISA_WIDTHS[n - 1];
    let others = match off.len() - 1 {
        0 => String::new(),
        1 => format!(
            "; 1 more ISA element is off width ({})",
            off_names(&off[1..])
        ),
        k => format!(
            "; {k} more ISA elements are off width ({})",
            off_names(&off[1..])
        ),
    };
    let message = format!(
        "ISA{n:02} is {} characters ({v:?}), but ISA elements are fixed width: ISA{n:02} is {width}{others}; the interchange was read by its separators",
        v.chars().count()
    );
    let expected = format!("ISA{n:02} of exactly {width} characters, padded with spaces");
    Some(located(
        raw,
        Kind::EnvelopeMalformed,
        *n,
        *at,
        v,
        message,
        expected,
    ))
}

fn off_names(off: &[(usize, usize, String)]) -> String {
    off.iter()
        .map(|(n, _, _)| format!("ISA{n:02}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn segment_id(piece: &Piece) -> &str {
    let end = piece
        .bytes
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(piece.bytes.len());
    std::str::from_utf8(&piece.bytes[..end]).unwrap_or("")
}

impl Trailer<'_> {
    /// Element 1 is the count, element 2 the control number.
    fn check(&self, raw: &Raw, d: Delimiters) -> Vec<Finding> {
        let mut out = Vec::new();
        let id = self.id;
        if let Some((at, v)) = raw.element(d, 1)
            && v.trim().parse::<u64>().ok() != Some(self.counted)
        {
            let message = if v.trim().is_empty() {
                format!(
                    "{id}01 is empty, but {} has {} {}",
                    self.holder, self.counted, self.what
                )
            } else {
                format!(
                    "{id}01 says {v} {}, but {} has {}",
                    self.what, self.holder, self.counted
                )
            };
            out.push(located(
                raw,
                Kind::CountMismatch,
                1,
                at,
                &v,
                message,
                self.counted.to_string(),
            ));
        }
        if let Some((at, v)) = raw.element(d, 2)
            && v != self.control
        {
            let (header, control, owner) = (self.header_element, self.control, self.owner);
            let message = format!("{id}02 is {v:?}, but the {owner}'s {header} is {control:?}");
            let expected = format!("{control:?}, the {header} of this {owner}");
            out.push(located(
                raw,
                Kind::ControlNumberMismatch,
                2,
                at,
                &v,
                message,
                expected,
            ));
        }
        out
    }
}

fn finding(
    kind: Kind,
    pointer: String,
    position: TextPosition,
    x12: X12Location,
    message: String,
    expected: String,
) -> Finding {
    let mut f = Finding::bare(kind, pointer, None);
    f.position = Some(position);
    f.x12 = Some(x12);
    f.message = message;
    f.expected = expected;
    f
}

/// `envelope_malformed` at the start of segment `id`.
fn malformed(piece: &Piece, id: &str, message: String, expected: &str) -> Finding {
    finding(
        Kind::EnvelopeMalformed,
        format!("/{id}"),
        piece.place_of(0),
        X12Location {
            segment_position: piece.position_before + 1,
            segment_id: id.to_string(),
            element: None,
        },
        message,
        expected.to_string(),
    )
}

/// A finding on element `n` of an envelope segment, which starts at byte `at` of it.
fn located(
    raw: &Raw,
    kind: Kind,
    n: usize,
    at: usize,
    value: &str,
    message: String,
    expected: String,
) -> Finding {
    let element = format!("{}{n:02}", raw.id);
    let mut f = finding(
        kind,
        format!("/{}/{element}", raw.id),
        raw.piece().place_of(at),
        X12Location {
            segment_position: raw.position,
            segment_id: raw.id.clone(),
            element: Some(element),
        },
        message,
        expected,
    );
    f.value = Some(value.to_string());
    f
}
