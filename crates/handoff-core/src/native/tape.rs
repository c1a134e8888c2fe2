//! A borrowed parse of one payload: a flat tape of tokens pointing into its bytes.
//!
//! The native engine validates from this tape instead of a `serde_json::Value` tree: building
//! it allocates nothing once its buffer has grown (the buffer is reused between payloads), and
//! strings and numbers stay as slices of the payload, unescaped only when a keyword needs their
//! value. The scanner is at least as strict as serde_json: everything it accepts serde_json
//! parses to the same value. Whatever it is unsure of (a repeated member name, a `\u` escape of
//! a surrogate, deep nesting) it declines, and the payload takes the exact path, which explains
//! it.

use std::borrow::Cow;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Null,
    True,
    False,
    /// `flag` says it has a fraction or an exponent.
    Number,
    /// `a..b` is the text between the quotes; `flag` says it holds escapes.
    String,
    /// Each member is a key (a string token) followed by the value's tokens.
    Object,
    Array,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub kind: Kind,
    pub flag: bool,
    /// The value's bytes, `a..b`: a container's from its bracket to past its closing one, a
    /// string's between its quotes.
    pub a: u32,
    pub b: u32,
    /// For a container, the index past its last token.
    pub next: u32,
    /// For a container, its member or item count. For a member name, [`key_hash`] of its
    /// text: repeated names and a schema's names are found by it without comparing strings.
    pub n: u32,
}

/// A hash of a member name's text, the same for the scanner and a schema's table of names.
pub(crate) fn key_hash(bytes: &[u8]) -> u32 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        h = (h.rotate_left(5) ^ word).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    (h >> 32) as u32 ^ h as u32
}

/// Bytes a string's plain run stops at, eight at a time: a nonzero result marks (in its lowest
/// set bit's byte) the first quote, backslash or control character of the word.
fn stops(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    zero(word ^ (ONES * u64::from(b'"')))
        | zero(word ^ (ONES * u64::from(b'\\')))
        | (word.wrapping_sub(ONES * 0x20) & !word & HIGH)
}

/// Why the scanner declined a payload: it leaves the verdict to the exact path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Declined;

/// serde_json refuses more than 128 levels; declining well before keeps the stack small and
/// leaves the message to the exact path.
const MAX_DEPTH: usize = 100;
/// Objects with more members than this find repeated names by sorting instead of comparing
/// every pair.
const PAIRWISE_KEYS: usize = 16;

/// A parsed payload: its text and its tokens.
pub(crate) struct Tape<'b> {
    pub text: &'b str,
    pub tokens: &'b [Token],
}

impl<'b> Tape<'b> {
    /// The text of a number or string token (a string's still escaped).
    pub fn raw(&self, at: usize) -> &'b str {
        let t = self.tokens[at];
        &self.text[t.a as usize..t.b as usize]
    }

    /// A string token's value, unescaped.
    pub fn string(&self, at: usize) -> Cow<'b, str> {
        let raw = self.raw(at);
        if self.tokens[at].flag {
            Cow::Owned(unescape(raw))
        } else {
            Cow::Borrowed(raw)
        }
    }

    /// The index past the value starting at `at`.
    pub fn end(&self, at: usize) -> usize {
        let t = self.tokens[at];
        match t.kind {
            Kind::Object | Kind::Array => t.next as usize,
            _ => at + 1,
        }
    }

    /// The members of the object at `at`, as (key index, value index).
    pub fn members(&self, at: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        let count = self.tokens[at].n as usize;
        let mut next = at + 1;
        (0..count).map(move |_| {
            let key = next;
            next = self.end(key + 1);
            (key, key + 1)
        })
    }

    /// The items of the array at `at`, as value indexes.
    pub fn items(&self, at: usize) -> impl Iterator<Item = usize> + '_ {
        let count = self.tokens[at].n as usize;
        let mut next = at + 1;
        (0..count).map(move |_| {
            let item = next;
            next = self.end(item);
            item
        })
    }
}

impl Tape<'_> {
    /// The value at `at` as serde_json would have parsed it (the differential tests hold this),
    /// for a payload whose findings are explained from a tree.
    pub fn value(&self, at: usize) -> Option<serde_json::Value> {
        use serde_json::Value;
        let t = self.tokens[at];
        Some(match t.kind {
            Kind::Null => Value::Null,
            Kind::True => Value::Bool(true),
            Kind::False => Value::Bool(false),
            Kind::Number => Value::Number(number(self.raw(at), t.flag)?),
            Kind::String => Value::String(self.string(at).into_owned()),
            Kind::Array => {
                let mut items = Vec::with_capacity(t.n as usize);
                for item in self.items(at) {
                    items.push(self.value(item)?);
                }
                Value::Array(items)
            }
            Kind::Object => {
                let mut map = serde_json::Map::new();
                for (key, value) in self.members(at) {
                    map.insert(self.string(key).into_owned(), self.value(value)?);
                }
                Value::Object(map)
            }
        })
    }
}

/// A number as serde_json keeps it (its text, with arbitrary precision). A plain integer that
/// fits 64 bits is built from its value, whose text is the same (JSON has no leading zeros;
/// `-0` is left to the parse): reading the text through serde_json's parser costs more.
fn number(raw: &str, fraction_or_exponent: bool) -> Option<serde_json::Number> {
    if !fraction_or_exponent && !raw.starts_with("-0") {
        if let Ok(i) = raw.parse::<i64>() {
            return Some(i.into());
        }
        if let Ok(u) = raw.parse::<u64>() {
            return Some(u.into());
        }
    }
    raw.parse().ok()
}

/// Scan `bytes` (one JSON document, after any byte-order mark) into `tokens`.
pub(crate) fn scan<'b>(bytes: &'b [u8], tokens: &'b mut Vec<Token>) -> Result<Tape<'b>, Declined> {
    // serde_json checks UTF-8 inside strings and refuses any other non-ASCII byte; checking the
    // whole text once is the same answer, and lets slices of it be `str`.
    let text = std::str::from_utf8(bytes).map_err(|_| Declined)?;
    if bytes.len() >= u32::MAX as usize {
        return Err(Declined);
    }
    tokens.clear();
    let mut scanner = Scanner {
        bytes,
        at: 0,
        tokens,
        keys: Vec::new(),
    };
    scanner.value(0)?;
    scanner.whitespace();
    if scanner.at != bytes.len() {
        return Err(Declined);
    }
    Ok(Tape {
        text,
        tokens: scanner.tokens,
    })
}

struct Scanner<'b, 'v> {
    bytes: &'b [u8],
    at: usize,
    tokens: &'v mut Vec<Token>,
    /// Scratch for the names of an object (hash and text), to find a repeated one.
    keys: Vec<(u32, &'b [u8])>,
}

impl<'b> Scanner<'b, '_> {
    fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn push(&mut self, kind: Kind, flag: bool, a: usize, b: usize) {
        self.tokens.push(Token {
            kind,
            flag,
            a: a as u32,
            b: b as u32,
            next: 0,
            n: 0,
        });
    }

    fn value(&mut self, depth: usize) -> Result<(), Declined> {
        self.whitespace();
        match self.bytes.get(self.at) {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string(),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'n') => self.literal(b"null", Kind::Null),
            Some(b't') => self.literal(b"true", Kind::True),
            Some(b'f') => self.literal(b"false", Kind::False),
            _ => Err(Declined),
        }
    }

    fn literal(&mut self, word: &[u8], kind: Kind) -> Result<(), Declined> {
        if !self.bytes[self.at..].starts_with(word) {
            return Err(Declined);
        }
        self.push(kind, false, self.at, self.at + word.len());
        self.at += word.len();
        Ok(())
    }

    /// Opens a container at its bracket: its token's index, and whether it closed at once.
    fn open(&mut self, kind: Kind, depth: usize, bracket: u8) -> Result<(usize, bool), Declined> {
        if depth > MAX_DEPTH {
            return Err(Declined);
        }
        let start = self.tokens.len();
        self.push(kind, false, self.at, 0);
        self.at += 1;
        self.whitespace();
        let empty = self.bytes.get(self.at) == Some(&bracket);
        if empty {
            self.at += 1;
        }
        Ok((start, empty))
    }

    fn object(&mut self, depth: usize) -> Result<(), Declined> {
        let (start, empty) = self.open(Kind::Object, depth, b'}')?;
        let mut count = 0usize;
        if !empty {
            loop {
                self.whitespace();
                if self.bytes.get(self.at) != Some(&b'"') {
                    return Err(Declined);
                }
                self.string()?;
                let key = self.tokens.len() - 1;
                let t = self.tokens[key];
                self.tokens[key].n = key_hash(&self.bytes[t.a as usize..t.b as usize]);
                self.whitespace();
                if self.bytes.get(self.at) != Some(&b':') {
                    return Err(Declined);
                }
                self.at += 1;
                self.value(depth)?;
                count += 1;
                if self.closed(b'}')? {
                    break;
                }
            }
        }
        self.close(start, count);
        self.distinct_keys(start, count)
    }

    /// serde_json keeps the last of repeated names silently; the exact path reports them, so a
    /// repeated name declines. Keys are compared as written: one with an escape declines too,
    /// since `"a"` and `"\u0061"` are one name.
    fn distinct_keys(&mut self, start: usize, count: usize) -> Result<(), Declined> {
        if count < 2 {
            return Ok(());
        }
        let mut keys = std::mem::take(&mut self.keys);
        keys.clear();
        let mut next = start + 1;
        for _ in 0..count {
            let t = self.tokens[next];
            if t.flag {
                self.keys = keys;
                return Err(Declined);
            }
            keys.push((t.n, &self.bytes[t.a as usize..t.b as usize]));
            let value = self.tokens[next + 1];
            next = match value.kind {
                Kind::Object | Kind::Array => value.next as usize,
                _ => next + 2,
            };
        }
        // Names are compared only where their hashes are equal.
        let repeated = if count <= PAIRWISE_KEYS {
            (1..keys.len()).any(|i| {
                keys[..i]
                    .iter()
                    .any(|k| k.0 == keys[i].0 && k.1 == keys[i].1)
            })
        } else {
            keys.sort_unstable();
            keys.windows(2).any(|w| w[0] == w[1])
        };
        self.keys = keys;
        if repeated { Err(Declined) } else { Ok(()) }
    }

    fn array(&mut self, depth: usize) -> Result<(), Declined> {
        let (start, empty) = self.open(Kind::Array, depth, b']')?;
        let mut count = 0usize;
        if !empty {
            loop {
                self.value(depth)?;
                count += 1;
                if self.closed(b']')? {
                    break;
                }
            }
        }
        self.close(start, count);
        Ok(())
    }

    /// After a member or item: a comma (more follow) or the closing bracket.
    fn closed(&mut self, bracket: u8) -> Result<bool, Declined> {
        self.whitespace();
        match self.bytes.get(self.at) {
            Some(b',') => {
                self.at += 1;
                Ok(false)
            }
            Some(&b) if b == bracket => {
                self.at += 1;
                Ok(true)
            }
            _ => Err(Declined),
        }
    }

    /// Completes the container token at `start`, now that its last token is written.
    fn close(&mut self, start: usize, count: usize) {
        let (end, next) = (self.at as u32, self.tokens.len() as u32);
        let token = &mut self.tokens[start];
        token.b = end;
        token.next = next;
        token.n = count as u32;
    }

    fn string(&mut self) -> Result<(), Declined> {
        let start = self.at + 1;
        let mut i = start;
        let mut escaped = false;
        loop {
            // The common run of plain characters, eight bytes at a time.
            while let Some(word) = self.bytes.get(i..i + 8) {
                let found = stops(u64::from_le_bytes(word.try_into().unwrap_or_default()));
                if found != 0 {
                    i += (found.trailing_zeros() / 8) as usize;
                    break;
                }
                i += 8;
            }
            let rest = &self.bytes[i..];
            let plain = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .ok_or(Declined)?;
            i += plain;
            match self.bytes[i] {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    i += 1;
                    match self.bytes.get(i) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 1,
                        Some(b'u') => {
                            let hex = self.bytes.get(i + 1..i + 5).ok_or(Declined)?;
                            let text = std::str::from_utf8(hex).map_err(|_| Declined)?;
                            let unit = u16::from_str_radix(text, 16).map_err(|_| Declined)?;
                            // Surrogate pairs (and serde_json's errors on halves of them) are
                            // left to the exact path.
                            if (0xD800..=0xDFFF).contains(&unit) || text.starts_with('+') {
                                return Err(Declined);
                            }
                            i += 5;
                        }
                        _ => return Err(Declined),
                    }
                }
                // A control character: serde_json refuses it unescaped.
                _ => return Err(Declined),
            }
        }
        self.push(Kind::String, escaped, start, i);
        self.at = i + 1;
        Ok(())
    }

    fn number(&mut self) -> Result<(), Declined> {
        let b = self.bytes;
        let start = self.at;
        let mut i = start;
        if b[i] == b'-' {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
            _ => return Err(Declined),
        }
        let mut fraction_or_exponent = false;
        if b.get(i) == Some(&b'.') {
            fraction_or_exponent = true;
            i += 1;
            let digits = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == digits {
                return Err(Declined);
            }
        }
        if let Some(b'e' | b'E') = b.get(i) {
            fraction_or_exponent = true;
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            let digits = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == digits {
                return Err(Declined);
            }
        }
        self.push(Kind::Number, fraction_or_exponent, start, i);
        self.at = i;
        Ok(())
    }
}

/// A string's value from its escaped text (the scanner has checked every escape, and refused
/// surrogates).
pub(crate) fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                if let Some(c) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(c);
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    fn parsed(text: &str) -> Option<Value> {
        let mut tokens = Vec::new();
        let tape = scan(text.as_bytes(), &mut tokens).ok()?;
        Some(tape.value(0).unwrap())
    }

    #[test]
    fn reads_what_serde_json_reads_and_declines_the_rest() {
        let text =
            r#" {"a": [1, -2.5e3, "x\"y\u00e9\n"], "b": {"c": null, "d": true}, "e": false} "#;
        assert_eq!(parsed(text), serde_json::from_str(text).ok());
        for declined in [
            r#"{"code": "BOGUS", "code": "PAID"}"#,
            r#"{"a": 1, "\u0061": 2}"#,
            r#""\ud83d\ude00""#,
            "\"tab\there\"",
            "01",
            "1.",
            "-",
            "[1,]",
            "{\"a\":1,}",
            "nul",
            "1 2",
            "",
        ] {
            assert_eq!(parsed(declined), None, "{declined:?} is declined");
        }
        let deep = format!("{}{}", "[".repeat(101), "]".repeat(101));
        assert_eq!(parsed(&deep), None);
        let keys: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
        let wide = format!("{{{}, \"k7\": 0}}", keys.join(", "));
        assert_eq!(parsed(&wide), None, "a repeated name among many is found");
    }

    proptest! {
        #[test]
        fn every_accepted_text_is_what_serde_json_parses(
            text in "[\\[\\]{}\",:0-9a-c .eE+\\\\u-]{0,60}"
        ) {
            if let Some(ours) = parsed(&text) {
                let theirs: Value = serde_json::from_str(&text).unwrap();
                prop_assert_eq!(ours, theirs);
            }
        }

        #[test]
        fn every_json_value_serde_json_writes_is_read(value in crate::native::tests::json_value()) {
            let text = serde_json::to_string(&value).unwrap();
            prop_assert_eq!(parsed(&text), Some(value));
        }
    }
}
