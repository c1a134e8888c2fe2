//! RFC 6901 JSON Pointer segments: `~` is written `~0` and `/` is written `~1`.
//!
//! Findings, contract paths, rule targets and text locations all build or read pointers;
//! they do it here, so the escaping rules live in one place.

/// A member name as a pointer segment.
pub fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// A pointer segment as the member name it stands for.
pub fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// The member names (or indexes) of a pointer such as `/a/b~1c`, unescaped. A leading `/` is
/// optional, so relative pointers in contracts read the same way.
pub fn segments(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer
        .strip_prefix('/')
        .unwrap_or(pointer)
        .split('/')
        .map(unescape)
}

/// `%XX` escapes decoded, as a URI fragment's are (a `$ref`'s JSON Pointer is written in one).
pub fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|&b| hex(b)),
                bytes.get(i + 2).and_then(|&b| hex(b)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A payload pointer as a contract path: `/line_items/3/sku` -> `/line_items/*/sku`.
pub fn normalize(pointer: &str) -> String {
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
    fn escaping_round_trips_in_the_right_order() {
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        assert_eq!(unescape("a~1b~0c"), "a/b~c");
        // "~01" is "~" followed by "1", not "/": ~1 is unescaped first.
        assert_eq!(unescape("~01"), "~1");
        assert_eq!(
            segments("/items/0/a~1b").collect::<Vec<_>>(),
            ["items", "0", "a/b"]
        );
        assert_eq!(segments("status").collect::<Vec<_>>(), ["status"]);
    }
}
