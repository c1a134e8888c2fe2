//! Segments and elements out of X12 bytes, without copying them.

use std::fmt;

/// The separators an interchange uses, from its ISA segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delimiters {
    pub element: u8,
    /// ISA11 in version 00402 and later (ISA12); before that ISA11 is the standards identifier.
    pub repetition: Option<u8>,
    pub component: u8,
    pub segment: u8,
}

/// Where each ISA element ends: the element separator's offsets in the fixed-width segment.
const ISA_SEPARATORS: [usize; 16] = [
    3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103,
];
/// An ISA segment's length, without its terminator.
pub const ISA_LEN: usize = 105;

/// Why the bytes are not X12, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X12Error {
    /// Byte offset in the input.
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for X12Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

impl Delimiters {
    /// Read the delimiters from an ISA segment starting at `bytes[0]`.
    pub fn from_isa(bytes: &[u8], offset: usize) -> Result<Delimiters, X12Error> {
        let err = |message: String| X12Error { offset, message };
        if !bytes.starts_with(b"ISA") {
            return Err(err("an interchange starts with an ISA segment".into()));
        }
        let too_short = || {
            err(format!(
                "the ISA segment is {} bytes; it is {} with its terminator",
                bytes.len(),
                ISA_LEN + 1
            ))
        };
        let Some(&element) = bytes.get(3) else {
            return Err(too_short());
        };
        if element.is_ascii_alphanumeric() || element == b' ' {
            return Err(err(format!(
                "the element separator (the ISA's 4th byte) is {:?}, a letter, digit or space",
                char::from(element)
            )));
        }
        // Where each element separator is: at the fixed widths, or (for a writer that did not
        // pad an element) wherever the separators are; the envelope then reports the element
        // that is off width (see [`isa_width_problems`]).
        let fixed = bytes.len() > ISA_LEN && ISA_SEPARATORS.iter().all(|&i| bytes[i] == element);
        let separators: [usize; 16] = if fixed {
            ISA_SEPARATORS
        } else if let Some(found) = separators_of(bytes, element) {
            found
        } else if bytes.len() <= ISA_LEN {
            return Err(too_short());
        } else {
            let at = ISA_SEPARATORS
                .iter()
                .copied()
                .find(|&i| bytes[i] != element)
                .unwrap_or(3);
            return Err(err(format!(
                "the ISA segment is not fixed-width and cannot be read by its separators: byte {} should be the element separator {:?}, found {:?}, and fewer than 16 elements follow",
                at + 1,
                char::from(element),
                char::from(bytes[at])
            )));
        };
        let value = |n: usize| &bytes[separators[n - 1] + 1..separators[n]];
        // ISA11 is the repetition separator from version 00402 on (ISA12); before that it is
        // the standards identifier (`U`, or another letter or a space).
        let version = value(12);
        let repetition = (version.iter().all(u8::is_ascii_digit) && version >= &b"00402"[..])
            .then(|| value(11).first().copied())
            .flatten();
        let component = bytes[separators[15] + 1];
        let segment = bytes[separators[15] + 2];
        let shown = |b: u8| format!("{:?}", char::from(b));
        let unusable = |b: u8| b.is_ascii_alphanumeric() || b == b' ';
        if unusable(component) || component == element {
            return Err(err(format!(
                "ISA16, the component separator, is {}: {}",
                shown(component),
                if component == element {
                    "the element separator too, so elements and their components cannot be told apart"
                } else {
                    "a letter, digit or space, which data holds"
                }
            )));
        }
        if let Some(r) = repetition
            && (unusable(r) || r == element || r == component)
        {
            return Err(err(format!(
                "ISA11, the repetition separator (ISA12 is version {}), is {}: {}",
                String::from_utf8_lossy(version),
                shown(r),
                if r == element {
                    "the element separator too, so repeats and elements cannot be told apart"
                } else if r == component {
                    "the component separator (ISA16) too, so repeats and components cannot be told apart"
                } else {
                    "a letter, digit or space, which data holds"
                }
            )));
        }
        if segment == element
            || segment == component
            || Some(segment) == repetition
            || segment.is_ascii_alphanumeric()
        {
            return Err(err(format!(
                "the segment terminator (the byte after ISA16) is {}, which cannot end segments",
                shown(segment)
            )));
        }
        Ok(Delimiters {
            element,
            repetition,
            component,
            segment,
        })
    }
}

/// The offsets of an ISA's 16 element separators read by the separator itself, when some
/// element is not padded to its width: `None` unless 16 elements and ISA16's byte and the
/// terminator after it are all there, within twice the segment's fixed length.
fn separators_of(bytes: &[u8], element: u8) -> Option<[usize; 16]> {
    let window = &bytes[..bytes.len().min(2 * ISA_LEN)];
    let mut found = [0usize; 16];
    let mut n = 0;
    for (i, b) in window.iter().enumerate().skip(3) {
        if *b == element {
            found[n] = i;
            n += 1;
            if n == 16 {
                break;
            }
        }
    }
    (n == 16 && found[15] + 2 < window.len()).then_some(found)
}

/// Each ISA element's fixed width, ISA01 to ISA16.
pub const ISA_WIDTHS: [usize; 16] = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];

/// One segment: its id, its elements (without the id) and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment<'a> {
    /// 1-based ordinal in the file, counted from the first ISA (ISA = 1).
    pub position: u64,
    /// Byte offset of its first byte in the input.
    pub offset: usize,
    pub id: &'a [u8],
    pub elements: Vec<&'a [u8]>,
    pub delimiters: Delimiters,
}

impl<'a> Segment<'a> {
    /// The id as text (ids are ASCII letters and digits).
    pub fn id_str(&self) -> String {
        String::from_utf8_lossy(self.id).into_owned()
    }

    /// Element `n` (1-based, as X12 numbers them: N403 is `element(3)` of N4).
    pub fn element(&self, n: usize) -> Option<&'a [u8]> {
        self.elements.get(n.checked_sub(1)?).copied()
    }

    /// An element's components, split at the component separator.
    pub fn components(&self, n: usize) -> Vec<&'a [u8]> {
        self.element(n)
            .map(|e| e.split(|b| *b == self.delimiters.component).collect())
            .unwrap_or_default()
    }
}

/// Segments out of X12 bytes, one at a time; each ISA sets the delimiters of what follows.
pub struct Tokenizer<'a> {
    bytes: &'a [u8],
    at: usize,
    delimiters: Option<Delimiters>,
    position: u64,
    failed: bool,
}

impl<'a> Tokenizer<'a> {
    pub fn new(bytes: &'a [u8]) -> Tokenizer<'a> {
        Tokenizer {
            bytes,
            at: 0,
            delimiters: None,
            position: 0,
            failed: false,
        }
    }

    /// Segments of bytes cut from an interchange whose delimiters are already known (a
    /// transaction set, or one envelope segment); `position` is the ordinal of the segment
    /// before the first one.
    pub fn resume(bytes: &'a [u8], delimiters: Delimiters, position: u64) -> Tokenizer<'a> {
        Tokenizer {
            bytes,
            at: 0,
            delimiters: Some(delimiters),
            position,
            failed: false,
        }
    }

    fn skip_layout(&mut self) {
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| matches!(b, b'\r' | b'\n' | b' ' | b'\t'))
        {
            self.at += 1;
        }
    }
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Result<Segment<'a>, X12Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        // A byte-order mark before the first interchange is tolerated.
        if self.at == 0 && self.bytes.starts_with(b"\xEF\xBB\xBF") {
            self.at = 3;
        }
        self.skip_layout();
        if self.at >= self.bytes.len() {
            return None;
        }
        let start = self.at;
        let rest = &self.bytes[start..];
        if rest.starts_with(b"ISA") {
            match Delimiters::from_isa(rest, start) {
                Ok(d) => self.delimiters = Some(d),
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
        let Some(d) = self.delimiters else {
            self.failed = true;
            return Some(Err(X12Error {
                offset: start,
                message: "the file does not start with an ISA segment".into(),
            }));
        };
        let end = match memchr::memchr(d.segment, rest) {
            Some(i) => start + i,
            None => {
                self.failed = true;
                return Some(Err(X12Error {
                    offset: start,
                    message: format!(
                        "the last segment has no terminator {:?}: the interchange is cut short",
                        char::from(d.segment)
                    ),
                }));
            }
        };
        self.at = end + 1;
        self.position += 1;
        let body = &self.bytes[start..end];
        let mut parts = body.split(|b| *b == d.element);
        let id = parts.next().unwrap_or_default();
        if id.is_empty() || id.len() > 3 || !id.iter().all(u8::is_ascii_alphanumeric) {
            self.failed = true;
            return Some(Err(X12Error {
                offset: start,
                message: format!(
                    "segment {} has no valid id: {:?}",
                    self.position,
                    String::from_utf8_lossy(&id[..id.len().min(20)])
                ),
            }));
        }
        Some(Ok(Segment {
            position: self.position,
            offset: start,
            id,
            elements: parts.collect(),
            delimiters: d,
        }))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    pub const ISA: &str = "ISA*00*          *00*          *ZZ*SENDERID       *ZZ*RECEIVERID     *261120*1200*U*00401*000004512*0*P*>~";

    #[test]
    fn an_850_is_split_into_segments_elements_and_components() {
        let text = format!(
            "{ISA}\nGS*PO*SENDER*RECEIVER*20261120*1200*4512*X*004010~\nST*850*0001~\nBEG*00*SA*4500012345**20261120~\nPO1*1*120*CA*18.5**VP*TEE-10442-M~\nN4*SPRINGFIELD*IL*62704>1234~\nSE*5*0001~\nGE*1*4512~\nIEA*1*000004512~\n"
        );
        let segments: Vec<Segment> = Tokenizer::new(text.as_bytes())
            .map(Result::unwrap)
            .collect();
        let ids: Vec<String> = segments.iter().map(Segment::id_str).collect();
        assert_eq!(
            ids,
            ["ISA", "GS", "ST", "BEG", "PO1", "N4", "SE", "GE", "IEA"]
        );
        assert_eq!(segments[3].element(3), Some(&b"4500012345"[..]));
        assert_eq!(
            segments[3].element(4),
            Some(&b""[..]),
            "an empty element is kept"
        );
        assert_eq!(segments[5].components(3), [&b"62704"[..], &b"1234"[..]]);
        assert_eq!(segments[3].position, 4);
        assert_eq!(
            segments[0].delimiters.repetition, None,
            "ISA11 U: no repetition separator"
        );
        assert_eq!(segments[1].offset, ISA.len() + 1);
    }

    #[test]
    fn broken_interchanges_are_located_errors() {
        let cut = format!("{ISA}ST*850*0001~BEG*00");
        let errors: Vec<X12Error> = Tokenizer::new(cut.as_bytes())
            .filter_map(Result::err)
            .collect();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("cut short"), "{errors:?}");
        let short = Tokenizer::new(b"ISA*00*~").next().unwrap().unwrap_err();
        assert!(
            short.message.starts_with("the ISA segment is 8 bytes"),
            "{short:?}"
        );
        // An element off its width is read by the separators (the envelope names it) ...
        let skewed = ISA.replacen("*00*", "*000*", 1);
        let isa = Tokenizer::new(skewed.as_bytes()).next().unwrap().unwrap();
        assert_eq!(isa.element(1), Some(&b"000"[..]));
        assert_eq!(isa.element(16), Some(&b">"[..]));
        assert_eq!(isa.delimiters.segment, b'~');
        // ... but without 16 elements it cannot be read at all.
        let flat = format!("ISA*{}", ISA[4..].replace('*', " "));
        let err = Tokenizer::new(flat.as_bytes()).next().unwrap().unwrap_err();
        assert!(
            err.message
                .contains("not fixed-width and cannot be read by its separators"),
            "{err:?}"
        );
        let junk = Tokenizer::new(b"\x00\x01binary")
            .next()
            .unwrap()
            .unwrap_err();
        assert_eq!(junk.message, "the file does not start with an ISA segment");
    }

    /// Segments to render: ids of 2-3 letters, elements of characters that are not delimiters.
    fn segments() -> impl Strategy<Value = Vec<(String, Vec<String>)>> {
        proptest::collection::vec(
            (
                "[A-Z][A-Z0-9]{1,2}",
                proptest::collection::vec("[A-Za-z0-9 .,/-]{0,12}", 0..8),
            ),
            0..20,
        )
        .prop_filter("no second ISA", |s| s.iter().all(|(id, _)| id != "ISA"))
    }

    proptest! {
        #[test]
        fn segments_round_trip(segs in segments(), newline in any::<bool>(), term in prop::sample::select(vec!['~', '\'', '!'])) {
            let isa = ISA.replace('~', &term.to_string());
            let sep = if newline { "\n" } else { "" };
            let mut text = format!("{isa}{sep}");
            for (id, elements) in &segs {
                text.push_str(id);
                for e in elements {
                    text.push('*');
                    text.push_str(e);
                }
                text.push(term);
                text.push_str(sep);
            }
            let got: Vec<(String, Vec<String>)> = Tokenizer::new(text.as_bytes())
                .skip(1)
                .map(|s| {
                    let s = s.unwrap();
                    (s.id_str(), s.elements.iter().map(|e| String::from_utf8_lossy(e).into_owned()).collect())
                })
                .collect();
            prop_assert_eq!(got, segs);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), isa in any::<bool>()) {
            let mut input = if isa { ISA.as_bytes().to_vec() } else { Vec::new() };
            input.extend(bytes);
            for segment in Tokenizer::new(&input).take(1000) {
                let _ = segment;
            }
        }
    }
}
