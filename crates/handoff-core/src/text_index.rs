//! Positions in a payload's text, found in constant time per lookup: lines by number, and
//! conversions between byte offsets, character columns and UTF-16 columns.
//!
//! A failing payload can have hundreds of thousands of findings, all on one minified line.
//! Counting characters from the line start for each of them is quadratic (the hardening probe
//! measured 37-49 s for 30k failing line items), so the index is built once, in one pass, and
//! every lookup starts from the nearest checkpoint instead of the line start.

/// Checkpoints are placed every this many bytes (at the next character boundary).
const STRIDE: usize = 512;

/// One pass over a text: line starts, and character and UTF-16 counts at checkpoints.
pub struct TextIndex<'t> {
    text: &'t str,
    line_starts: Vec<usize>,
    /// Only ASCII: every count is the byte offset, and no checkpoints are needed.
    ascii: bool,
    /// (byte offset, characters before it, UTF-16 units before it), ascending.
    checkpoints: Vec<Checkpoint>,
}

#[derive(Clone, Copy)]
struct Checkpoint {
    byte: usize,
    chars: usize,
    utf16: usize,
}

impl<'t> TextIndex<'t> {
    pub fn new(text: &'t str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        let ascii = text.is_ascii();
        let mut checkpoints = Vec::new();
        if !ascii {
            let mut at = Checkpoint {
                byte: 0,
                chars: 0,
                utf16: 0,
            };
            checkpoints.push(at);
            while at.byte < text.len() {
                let mut next = (at.byte + STRIDE).min(text.len());
                while !text.is_char_boundary(next) {
                    next += 1;
                }
                let span = &text[at.byte..next];
                at = Checkpoint {
                    byte: next,
                    chars: at.chars + span.chars().count(),
                    utf16: at.utf16 + span.chars().map(char::len_utf16).sum::<usize>(),
                };
                checkpoints.push(at);
            }
        }
        TextIndex {
            text,
            line_starts,
            ascii,
            checkpoints,
        }
    }

    pub fn text(&self) -> &'t str {
        self.text
    }

    /// The text of 1-based line `line`, without its line break.
    pub fn line(&self, line: u64) -> Option<&'t str> {
        let i = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(i)?;
        let end = self
            .line_starts
            .get(i + 1)
            .map_or(self.text.len(), |next| next - 1);
        let line = &self.text[start..end];
        Some(line.strip_suffix('\r').unwrap_or(line))
    }

    /// Byte offset where 1-based line `line` starts.
    pub fn line_start(&self, line: u64) -> Option<usize> {
        let i = usize::try_from(line).ok()?.checked_sub(1)?;
        self.line_starts.get(i).copied()
    }

    /// 1-based line and 1-based character column of a byte offset.
    pub fn position(&self, offset: usize) -> (u64, u64) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let column = self.chars_before(offset) - self.chars_before(start);
        (line as u64, column as u64 + 1)
    }

    /// Characters before byte `offset` (which must be a character boundary).
    fn chars_before(&self, offset: usize) -> usize {
        if self.ascii {
            return offset;
        }
        let cp = self.checkpoint_at_or_before(offset);
        cp.chars + self.text[cp.byte..offset].chars().count()
    }

    fn utf16_before(&self, offset: usize) -> usize {
        if self.ascii {
            return offset;
        }
        let cp = self.checkpoint_at_or_before(offset);
        cp.utf16
            + self.text[cp.byte..offset]
                .chars()
                .map(char::len_utf16)
                .sum::<usize>()
    }

    fn checkpoint_at_or_before(&self, offset: usize) -> Checkpoint {
        let i = self.checkpoints.partition_point(|c| c.byte <= offset);
        self.checkpoints[i.saturating_sub(1)]
    }

    /// The byte offset of 1-based character `column` on 1-based `line`; a column past the end
    /// of the line gives the line's end.
    pub fn offset(&self, line: u64, column: u64) -> Option<usize> {
        let start = self.line_start(line)?;
        let end = start + self.line(line)?.len();
        let skip = usize::try_from(column.saturating_sub(1)).ok()?;
        if self.ascii {
            return Some((start + skip).min(end));
        }
        let target = self.chars_before(start) + skip;
        let i = self.checkpoints.partition_point(|c| c.chars <= target);
        let cp = self.checkpoints[i.saturating_sub(1)].byte.max(start);
        let from = self.chars_before(cp);
        let offset = self.text[cp..]
            .char_indices()
            .nth(target - from)
            .map_or(self.text.len(), |(i, _)| cp + i);
        Some(offset.min(end))
    }

    /// The 1-based UTF-16 column of 1-based character `column` on `line` (SARIF's unit).
    pub fn utf16_column(&self, line: u64, column: u64) -> Option<u64> {
        let start = self.line_start(line)?;
        let offset = self.offset(line, column)?;
        Some((self.utf16_before(offset) - self.utf16_before(start)) as u64 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The obvious, quadratic reading of the same text.
    fn naive_position(text: &str, offset: usize) -> (u64, u64) {
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        (line as u64, text[start..offset].chars().count() as u64 + 1)
    }

    #[test]
    fn lines_and_columns_in_ascii_and_multibyte_text() {
        let index = TextIndex::new("{\"né\": 1,\r\n\"x😀\": \"é\"}");
        assert_eq!(index.line(1), Some("{\"né\": 1,"));
        assert_eq!(index.line(2), Some("\"x😀\": \"é\"}"));
        assert_eq!(index.line(3), None);
        assert_eq!(index.position(12), (2, 1));
        let e = index.text().rfind('é').unwrap();
        assert_eq!(index.position(e), (2, 8));
        assert_eq!(index.offset(2, 8), Some(e));
        assert_eq!(index.utf16_column(2, 8), Some(9));
    }

    proptest! {
        #[test]
        fn agrees_with_counting_from_the_line_start(text in "(\\PC|\n){0,2000}", picks in proptest::collection::vec(any::<prop::sample::Index>(), 1..20)) {
            let index = TextIndex::new(&text);
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            for pick in picks {
                let offset = *pick.get(&boundaries);
                let (line, column) = naive_position(&text, offset);
                prop_assert_eq!(index.position(offset), (line, column));
                prop_assert_eq!(index.offset(line, column), Some(offset));
                let line_text = index.line(line).unwrap();
                let upto: String = line_text.chars().take(column as usize - 1).collect();
                prop_assert_eq!(index.utf16_column(line, column), Some(upto.encode_utf16().count() as u64 + 1));
            }
        }
    }
}
