//! X12 files read as a stream of transaction sets, in constant memory: one set's bytes are
//! held at a time (two, while the last set of a group waits for the group's trailer), however
//! large the file and however it is laid out (one segment per line, or a 50 MB line).
//!
//! The envelope is checked on the way: SE01 is the number of segments ST..SE, SE02 is ST02,
//! GE01 the number of sets in the group, GE02 is GS06, IEA01 the number of groups, IEA02 is
//! ISA13, and every segment sits where the envelope allows. A set's own trailer findings go
//! with it; a group's or an interchange's go with its last set (or, when it has none, stand
//! alone), located at the trailer.

use super::envelope::{Raw, Tracker};
use super::tokenize::{Delimiters, ISA_LEN, X12Error};
use crate::finding::{Finding, TextPosition};
use std::io::Read;
use std::sync::Arc;

/// Where something starts in the file: byte offset, 1-based line, 1-based column in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Place {
    pub offset: u64,
    pub line: u64,
    pub column: u64,
}

/// Bytes cut from the file: one envelope segment, or a transaction set with its layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub bytes: Vec<u8>,
    pub place: Place,
    /// The ordinal (ISA = 1) of the segment before the piece's first one.
    pub position_before: u64,
}

impl Piece {
    /// Where byte `at` of the piece is in the file.
    pub fn place_of(&self, at: usize) -> TextPosition {
        let before = &self.bytes[..at.min(self.bytes.len())];
        match before.iter().rposition(|b| *b == b'\n') {
            Some(nl) => TextPosition {
                line: self.place.line + before.iter().filter(|b| **b == b'\n').count() as u64,
                column: chars(&before[nl + 1..]) + 1,
            },
            None => TextPosition {
                line: self.place.line,
                column: self.place.column + chars(before),
            },
        }
    }
}

/// The envelope segments a set is rendered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub isa: Piece,
    pub gs: Option<Piece>,
}

/// One transaction set, ready to render and check.
#[derive(Debug, Clone)]
pub struct Set {
    pub delimiters: Delimiters,
    pub header: Arc<Header>,
    /// ST..SE as in the file. Empty when the set was over the size limit.
    pub body: Piece,
    /// Envelope findings that belong to this set (its SE; its group's GE or its interchange's
    /// IEA when it is the last set in them), already located.
    pub findings: Vec<Finding>,
    /// The set's size, when it was over the limit and not kept.
    pub too_large: Option<u64>,
    /// The group and interchange trailers (GE, IEA) right after the set when it is the last
    /// one in them, so findings on them can be quoted with the set.
    pub trailer: Vec<u8>,
}

impl Set {
    /// The set's bytes and its trailers, as in the file.
    pub fn text(&self) -> Vec<u8> {
        let mut out = self.body.bytes.clone();
        out.extend_from_slice(&self.trailer);
        out
    }
}

/// What the reader hands out, in file order.
#[derive(Debug, Clone)]
pub enum Item {
    Set(Box<Set>),
    /// Envelope findings with no set to go with (an empty group), at `place`.
    Envelope {
        place: Place,
        findings: Vec<Finding>,
    },
    /// The bytes stop being X12 here; nothing after is read.
    Invalid {
        place: Place,
        error: X12Error,
    },
}

/// Characters in UTF-8 bytes (lossy input counts each invalid byte as one).
fn chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count() as u64
}

const READ_CHUNK: usize = 64 * 1024;

/// Bytes off a reader, one segment at a time, with the line and column of each.
struct Scanner<R> {
    reader: R,
    buf: Vec<u8>,
    at: usize,
    /// File offset of `buf[0]`.
    base: u64,
    eof: bool,
    line: u64,
    column: u64,
}

impl<R: Read> Scanner<R> {
    /// Make at least `n` bytes available after `at`, unless the input ends first.
    fn want(&mut self, n: usize) -> std::io::Result<bool> {
        while self.buf.len() - self.at < n && !self.eof {
            if self.at > 0 && self.at >= self.buf.len() / 2 {
                self.buf.drain(..self.at);
                self.base += self.at as u64;
                self.at = 0;
            }
            let old = self.buf.len();
            self.buf.resize(old + READ_CHUNK.max(n), 0);
            let read = loop {
                match self.reader.read(&mut self.buf[old..]) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    other => break other,
                }
            };
            match read {
                Ok(0) => {
                    self.buf.truncate(old);
                    self.eof = true;
                }
                Ok(k) => self.buf.truncate(old + k),
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(e);
                }
            }
        }
        Ok(self.buf.len() - self.at >= n)
    }

    fn advance(&mut self, n: usize) {
        let bytes = &self.buf[self.at..self.at + n];
        match bytes.iter().rposition(|b| *b == b'\n') {
            Some(nl) => {
                self.line += bytes.iter().filter(|b| **b == b'\n').count() as u64;
                self.column = chars(&bytes[nl + 1..]) + 1;
            }
            None => self.column += chars(bytes),
        }
        self.at += n;
    }

    fn place(&self) -> Place {
        Place {
            offset: self.base + self.at as u64,
            line: self.line,
            column: self.column,
        }
    }
}

/// Read every transaction set of `reader`, handing each to `emit` in file order. A set larger
/// than `limit` bytes is handed out without its bytes.
pub fn read(reader: impl Read, limit: u64, mut emit: impl FnMut(Item)) -> std::io::Result<()> {
    let mut scanner = Scanner {
        reader,
        buf: Vec::new(),
        at: 0,
        base: 0,
        eof: false,
        line: 1,
        column: 1,
    };
    let mut delimiters: Option<Delimiters> = None;
    let mut position = 0u64;
    let mut env = Tracker::default();
    // A byte-order mark before the first interchange is tolerated.
    if scanner.want(3)? && scanner.buf.starts_with(b"\xEF\xBB\xBF") {
        scanner.at = 3;
    }
    loop {
        // Layout between segments.
        while scanner.want(1)?
            && (matches!(scanner.buf[scanner.at], b'\r' | b'\n' | b' ' | b'\t')
                // Ctrl-Z (an old end-of-file mark) and NUL padding after an interchange.
                || (env.between_interchanges() && matches!(scanner.buf[scanner.at], 0x1A | 0)))
        {
            scanner.advance(1);
        }
        if !scanner.want(1)? {
            break;
        }
        let place = scanner.place();
        let invalid = |message: String| Item::Invalid {
            place,
            error: X12Error {
                offset: place.offset as usize,
                message,
            },
        };
        scanner.want(3)?;
        if scanner.buf[scanner.at..].starts_with(b"ISA") {
            scanner.want(ISA_LEN + 1)?;
            match Delimiters::from_isa(&scanner.buf[scanner.at..], place.offset as usize) {
                Ok(d) => delimiters = Some(d),
                Err(e) => {
                    env.flush(&mut emit);
                    emit(Item::Invalid { place, error: e });
                    return Ok(());
                }
            }
        }
        let Some(d) = delimiters else {
            emit(invalid(
                "the file does not start with an ISA segment: it is not X12".into(),
            ));
            return Ok(());
        };
        // Find the terminator, reading on as needed.
        let mut searched = 0;
        // The terminator's length: 0 for a last IEA the file ends without terminating.
        let mut terminator = 1;
        let len = loop {
            if let Some(i) = memchr::memchr(d.segment, &scanner.buf[scanner.at + searched..]) {
                break searched + i;
            }
            searched = scanner.buf.len() - scanner.at;
            if !scanner.want(searched + 1)? {
                let rest = &scanner.buf[scanner.at..];
                let body = rest.len()
                    - rest
                        .iter()
                        .rev()
                        .take_while(|b| matches!(b, b'\r' | b'\n' | b' ' | b'\t' | 0x1A | 0))
                        .count();
                // Many writers leave the very last terminator off: an IEA that ends the
                // file is read as complete (its counts are still checked).
                if rest.starts_with(b"IEA") && rest.get(3) == Some(&d.element) {
                    terminator = 0;
                    break body;
                }
                env.flush(&mut emit);
                let hint = if rest.contains(&b'\n') {
                    ", or its segments end with something else (line breaks alone do not end X12 segments)"
                } else {
                    ""
                };
                emit(invalid(format!(
                    "no segment terminator {:?} (the byte after ISA16) follows: the interchange is cut short{hint}",
                    char::from(d.segment)
                )));
                return Ok(());
            }
            // A set larger than the limit is not kept, but a segment must still be found:
            // the buffer holds one segment at most, whatever its size.
        };
        position += 1;
        let seg = &scanner.buf[scanner.at..scanner.at + len];
        let id_len = seg
            .iter()
            .position(|b| *b == d.element)
            .unwrap_or(seg.len());
        let id = &seg[..id_len];
        if id.is_empty() || id.len() > 3 || !id.iter().all(u8::is_ascii_alphanumeric) {
            env.flush(&mut emit);
            emit(invalid(format!(
                "segment {position} has no valid id: {:?}",
                String::from_utf8_lossy(&id[..id.len().min(20)])
            )));
            return Ok(());
        }
        // Inside a set, a segment that is not an envelope's goes straight into the set's bytes:
        // the common case allocates nothing per segment.
        if !matches!(id, b"ISA" | b"GS" | b"ST" | b"SE" | b"GE" | b"IEA")
            && let Some(open) = env.set.as_mut()
        {
            open.segments += 1;
            open.extend(&scanner.buf[scanner.at..scanner.at + len + 1], limit);
            scanner.advance(len + 1);
            // (Reading more may move the buffer: layout bytes are copied one at a time.)
            while scanner.want(1)?
                && matches!(scanner.buf[scanner.at], b'\r' | b'\n' | b' ' | b'\t')
            {
                open.extend(&scanner.buf[scanner.at..scanner.at + 1], limit);
                scanner.advance(1);
            }
            continue;
        }
        let mut raw = Raw {
            place,
            position,
            id: String::from_utf8_lossy(id).into_owned(),
            bytes: scanner.buf[scanner.at..scanner.at + len + terminator].to_vec(),
            len,
        };
        scanner.advance(len + terminator);
        // The line breaks after a segment go with it, so a set's bytes keep the file's lines.
        while scanner.want(1)? && matches!(scanner.buf[scanner.at], b'\r' | b'\n' | b' ' | b'\t') {
            raw.bytes.push(scanner.buf[scanner.at]);
            scanner.advance(1);
        }
        env.segment(raw, d, limit, &mut emit);
    }
    env.finish(delimiters, &mut emit);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Kind;
    use crate::x12::tokenize::tests::ISA;

    fn items(text: &str) -> Vec<Item> {
        let mut out = Vec::new();
        read(text.as_bytes(), 1 << 20, |i| out.push(i)).unwrap();
        out
    }

    fn kinds(item: &Item) -> Vec<(Kind, String)> {
        let findings = match item {
            Item::Set(s) => &s.findings,
            Item::Envelope { findings, .. } => findings,
            Item::Invalid { .. } => return vec![(Kind::InvalidX12, String::new())],
        };
        findings
            .iter()
            .map(|f| (f.kind, f.pointer.clone()))
            .collect()
    }

    const GOOD: &str = "GS*PO*S*R*20261120*1200*4512*X*004010~\nST*850*0001~\nBEG*00*SA*PO-1**20261120~\nSE*3*0001~\nST*850*0002~\nBEG*00*SA*PO-2**20261120~\nSE*3*0002~\nGE*2*4512~\nIEA*1*000004512~\n";

    #[test]
    fn a_clean_interchange_is_its_sets_with_their_places() {
        let got = items(&format!("{ISA}\n{GOOD}"));
        assert_eq!(got.len(), 2);
        let Item::Set(second) = &got[1] else { panic!() };
        assert!(second.findings.is_empty(), "{:?}", second.findings);
        assert_eq!(
            second.body.place,
            Place {
                offset: 106 + 1 + 39 + 13 + 26 + 11,
                line: 6,
                column: 1
            }
        );
        assert_eq!(second.body.position_before, 5);
        assert_eq!(
            String::from_utf8_lossy(&second.body.bytes),
            "ST*850*0002~\nBEG*00*SA*PO-2**20261120~\nSE*3*0002~\n"
        );
        assert_eq!(second.header.gs.as_ref().unwrap().position_before, 1);
    }

    #[test]
    fn trailers_that_disagree_are_found_on_the_set_they_close() {
        let bad = GOOD
            .replace("SE*3*0001", "SE*4*0009")
            .replace("GE*2*4512", "GE*3*4513")
            .replace("IEA*1*000004512", "IEA*2*000004511");
        let got = items(&format!("{ISA}{bad}"));
        assert_eq!(
            kinds(&got[0]),
            [
                (Kind::CountMismatch, "/SE/SE01".into()),
                (Kind::ControlNumberMismatch, "/SE/SE02".into())
            ]
        );
        assert_eq!(
            kinds(&got[1]),
            [
                (Kind::CountMismatch, "/GE/GE01".into()),
                (Kind::ControlNumberMismatch, "/GE/GE02".into()),
                (Kind::CountMismatch, "/IEA/IEA01".into()),
                (Kind::ControlNumberMismatch, "/IEA/IEA02".into())
            ]
        );
        let Item::Set(first) = &got[0] else { panic!() };
        let se01 = &first.findings[0];
        assert_eq!(se01.value.as_deref(), Some("4"));
        assert_eq!(se01.x12.as_ref().unwrap().segment_position, 5);
        assert_eq!(
            se01.message,
            "SE01 says 4 segments, but the transaction set has 3 (ST to SE, both included)"
        );
    }

    #[test]
    fn missing_trailers_and_stray_segments_are_envelope_faults() {
        let text =
            format!("{ISA}GS*PO*S*R*20261120*1200*4512*X*004010~N1*ST*X~ST*850*0001~BEG*00~");
        let got = items(&text);
        let all: Vec<_> = got.iter().flat_map(kinds).collect();
        assert_eq!(
            all,
            [
                (Kind::EnvelopeMalformed, "/N1".into()),
                (Kind::EnvelopeMalformed, "/ST".into()),
                (Kind::EnvelopeMalformed, "/GS".into()),
                (Kind::EnvelopeMalformed, "/ISA".into())
            ],
            "{got:#?}"
        );
    }

    #[test]
    fn junk_and_cut_short_input_stop_with_one_finding() {
        let got = items("\u{0}\u{1}binary");
        assert!(matches!(&got[..], [Item::Invalid { .. }]));
        let got = items(&format!(
            "{ISA}GS*PO*S*R*20261120*1200*4512*X*004010~ST*850*0001~BEG*00"
        ));
        let Item::Invalid { error, place } = &got[0] else {
            panic!("{got:?}")
        };
        assert!(error.message.contains("cut short"), "{error:?}");
        assert_eq!(place.column, 106 + 38 + 12 + 1);
    }

    #[test]
    fn a_set_over_the_limit_is_counted_not_kept() {
        let mut out = Vec::new();
        read(format!("{ISA}{GOOD}").as_bytes(), 20, |i| out.push(i)).unwrap();
        let Item::Set(set) = &out[0] else { panic!() };
        assert_eq!(set.too_large, Some(50));
        assert!(set.body.bytes.is_empty());
    }

    /// The ISA with ISA11 (repetition), ISA12 (version) and ISA16 (component) replaced.
    fn isa(repetition: char, version: &str, component: char) -> String {
        let mut isa = ISA.to_string();
        isa.replace_range(82..83, &repetition.to_string());
        isa.replace_range(84..89, version);
        isa.replace_range(104..105, &component.to_string());
        isa
    }

    fn invalid(text: &str) -> String {
        match &items(text)[..] {
            [Item::Invalid { error, .. }] => error.message.clone(),
            other => panic!("{other:#?}"),
        }
    }

    #[test]
    fn separators_that_cannot_be_told_apart_are_invalid_x12_naming_the_element() {
        for (repetition, component, says) in [
            (
                '^',
                '*',
                "ISA16, the component separator, is '*': the element separator too, so elements and their components cannot be told apart",
            ),
            (
                '*',
                '>',
                "ISA11, the repetition separator (ISA12 is version 00501), is '*': the element separator too, so repeats and elements cannot be told apart",
            ),
            (
                '>',
                '>',
                "ISA11, the repetition separator (ISA12 is version 00501), is '>': the component separator (ISA16) too, so repeats and components cannot be told apart",
            ),
            (
                'U',
                '>',
                "ISA11, the repetition separator (ISA12 is version 00501), is 'U': a letter, digit or space, which data holds",
            ),
            (
                '^',
                ' ',
                "ISA16, the component separator, is ' ': a letter, digit or space, which data holds",
            ),
        ] {
            let text = format!("{}{GOOD}", isa(repetition, "00501", component));
            assert_eq!(invalid(&text), says);
        }
    }

    #[test]
    fn isa11_is_a_repetition_separator_only_from_version_00402() {
        for (repetition, version, expected) in [
            ('U', "00401", None),
            ('^', "00401", None),
            (' ', "00300", None),
            ('^', "00402", Some(b'^')),
            ('^', "00501", Some(b'^')),
        ] {
            let got = items(&format!("{}{GOOD}", isa(repetition, version, '>')));
            let Item::Set(set) = &got[0] else {
                panic!("{version}: {got:#?}")
            };
            assert_eq!(set.delimiters.repetition, expected, "{version}");
            assert!(set.findings.is_empty(), "{version}: {:?}", set.findings);
        }
    }

    #[test]
    fn end_of_file_marks_and_a_last_unterminated_iea_are_read_as_written() {
        let good = GOOD.trim_end().trim_end_matches('~');
        for tail in ["\n\u{1a}", "\u{0}\u{0}\u{0}", "", "\r\n"] {
            let got = items(&format!("{ISA}{good}{tail}"));
            assert_eq!(got.len(), 2, "{tail:?}: {got:#?}");
            assert!(
                got.iter().all(|i| kinds(i).is_empty()),
                "{tail:?}: {got:#?}"
            );
        }
        let got = items(&format!("{ISA}{GOOD}\u{1a}"));
        assert!(got.iter().all(|i| kinds(i).is_empty()), "{got:#?}");
        // Inside an interchange a NUL is not layout.
        let got = items(&format!("{ISA}\u{0}{GOOD}"));
        assert!(matches!(got.last(), Some(Item::Invalid { .. })), "{got:#?}");
    }

    #[test]
    fn a_set_without_se_keeps_its_interchange_and_group() {
        let text = GOOD.replace("SE*3*0002~\n", "");
        let got = items(&format!("{ISA}{text}"));
        let Item::Set(second) = &got[1] else {
            panic!("{got:#?}")
        };
        assert_eq!(kinds(&got[1])[0], (Kind::EnvelopeMalformed, "/GE".into()));
        assert_eq!(
            second.findings[0].message,
            "transaction set 0002 has no SE: the group closes (GE)"
        );
        assert!(!second.header.isa.bytes.is_empty());
        assert!(second.header.gs.is_some());
    }

    #[test]
    fn an_interchange_acknowledgment_is_part_of_the_envelope() {
        let got = items(&format!(
            "{ISA}TA1*000004512*261120*1200*A*000~IEA*0*000004512~"
        ));
        assert!(got.is_empty(), "{got:#?}");
    }

    #[test]
    fn an_empty_trailer_count_says_it_is_empty() {
        let got = items(&format!("{ISA}{}", GOOD.replace("SE*3*0001", "SE**0001")));
        let Item::Set(first) = &got[0] else { panic!() };
        assert_eq!(
            first.findings[0].message,
            "SE01 is empty, but the transaction set has 3 segments (ST to SE, both included)"
        );
    }
}
