//! `min_length`, `max_length` (in characters: Unicode code points, as JSON Schema counts) and
//! `max_bytes` (in UTF-8 bytes, for receivers whose columns are sized in bytes).

use super::{Applies, At, Bound, Conflict, Keyword, Said, plural};
use crate::contract::Constraints;
use crate::finding::Kind;
use serde_json::{Map, Value, json};

/// handoff's JSON Schema keyword for `max_bytes`: the UTF-8 byte limit.
pub const MAX_BYTES_SCHEMA: &str = "x-handoff-max-bytes";

/// `min_length: N`: at least N characters.
pub const MIN_LENGTH: Keyword = Keyword {
    name: "min_length",
    schema: "minLength",
    applies: Applies::Strings,
    bound: Some(Bound::Lower),
    at: At::Value(|c| c.min_length.as_ref().map(|l| l.span)),
};

/// `max_length: N`: at most N characters.
pub const MAX_LENGTH: Keyword = Keyword {
    name: "max_length",
    schema: "maxLength",
    applies: Applies::Strings,
    bound: Some(Bound::Upper),
    at: At::Value(|c| c.max_length.as_ref().map(|l| l.span)),
};

/// `max_bytes: N`: at most N bytes in UTF-8.
pub const MAX_BYTES: Keyword = Keyword {
    name: "max_bytes",
    schema: MAX_BYTES_SCHEMA,
    applies: Applies::Strings,
    bound: Some(Bound::Upper),
    at: At::Value(|c| c.max_bytes.as_ref().map(|l| l.span)),
};

/// The family's JSON Schema members.
pub fn compile(c: &Constraints, schema: &mut Map<String, Value>) {
    for (keyword, limit) in [
        (&MIN_LENGTH, &c.min_length),
        (&MAX_LENGTH, &c.max_length),
        (&MAX_BYTES, &c.max_bytes),
    ] {
        if let Some(n) = limit {
            schema.insert(keyword.schema.into(), json!(n.value));
        }
    }
}

/// The family's sentences for `explain`.
pub fn explain(c: &Constraints, out: &mut Vec<String>) {
    match (&c.min_length, &c.max_length) {
        (Some(lo), Some(hi)) if lo.value == hi.value => {
            out.push(format!("exactly {} characters", lo.value))
        }
        (Some(lo), Some(hi)) => out.push(format!("{} to {} characters", lo.value, hi.value)),
        (Some(lo), None) => out.push(format!("at least {} characters", lo.value)),
        (None, Some(hi)) => out.push(format!("at most {} characters", hi.value)),
        (None, None) => {}
    }
    if let Some(b) = &c.max_bytes {
        out.push(format!(
            "at most {} bytes in UTF-8 (accented letters count 2 or more)",
            b.value
        ));
    }
}

/// Limits no string can meet together.
pub fn conflicts(c: &Constraints) -> Vec<Conflict> {
    let mut out = Vec::new();
    if let (Some(lo), Some(hi)) = (&c.min_length, &c.max_length)
        && lo.value > hi.value
    {
        out.push(Conflict::range(
            lo.span,
            format!(
                "min_length {} is more than max_length {}",
                lo.value, hi.value
            ),
        ));
    }
    if let (Some(lo), Some(bytes)) = (&c.min_length, &c.max_bytes)
        && lo.value > bytes.value
    {
        out.push(Conflict::range(
            lo.span,
            format!(
                "min_length {} characters can never fit in max_bytes {}",
                lo.value, bytes.value
            ),
        ));
    }
    out
}

/// A string shorter than `min_length` (`longer: false`) or longer than `max_length`.
pub fn violated(value: &str, shown: &str, limit: u64, longer: bool) -> Said {
    let n = value.chars().count() as u64;
    let (kind, bound) = if longer {
        (Kind::MaxLengthExceeded, "at most")
    } else {
        (Kind::MinLengthNotMet, "at least")
    };
    Said::new(
        kind,
        format!("{shown} is {} long", plural(n, "character")),
        format!("{bound} {}", plural(limit, "character")),
    )
    .suggesting(if longer {
        too_long_fix(value, limit)
    } else {
        None
    })
}

/// A string over `max_bytes` in UTF-8.
pub fn bytes_exceeded(value: &str, shown: &str, limit: u64) -> Said {
    let multibyte: String = value.chars().filter(|c| c.len_utf8() > 1).take(5).collect();
    Said::new(
        Kind::MaxBytesExceeded,
        format!(
            "{shown} is {} in UTF-8 ({})",
            plural(value.len() as u64, "byte"),
            plural(value.chars().count() as u64, "character")
        ),
        format!("at most {} in UTF-8", plural(limit, "byte")),
    )
    .suggesting((!multibyte.is_empty()).then(|| {
        format!(
            "non-ASCII characters ({multibyte}) take 2 to 4 bytes each; the receiver counts bytes, not characters"
        )
    }))
}

/// Too-long values with a recognisable shape: a ZIP+4 in a ZIP column, stray spaces.
fn too_long_fix(value: &str, limit: u64) -> Option<String> {
    let bytes = value.as_bytes();
    let is_zip4 = bytes.len() == 10
        && bytes[5] == b'-'
        && bytes[..5].iter().chain(&bytes[6..]).all(u8::is_ascii_digit);
    if is_zip4 && limit == 5 {
        return Some(format!(
            "this is a ZIP+4 code; the 5-digit ZIP is \"{}\" (send the +4 part in its own field, if the receiver has one)",
            &value[..5]
        ));
    }
    if value.trim() != value && value.trim().chars().count() as u64 <= limit {
        return Some("the value has leading or trailing spaces; trimmed, it fits".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_plus_four() {
        assert_eq!(
            too_long_fix("94103-1234", 5).unwrap(),
            "this is a ZIP+4 code; the 5-digit ZIP is \"94103\" (send the +4 part in its own field, if the receiver has one)"
        );
        assert_eq!(too_long_fix("941031234", 5), None);
        assert_eq!(
            too_long_fix(" 94103", 5).unwrap(),
            "the value has leading or trailing spaces; trimmed, it fits"
        );
    }

    #[test]
    fn counts_characters_and_bytes() {
        let said = violated("Zoë", "\"Zoë\"", 2, true);
        assert_eq!(said.kind, Kind::MaxLengthExceeded);
        assert_eq!(said.message, "\"Zoë\" is 3 characters long");
        assert_eq!(said.expected, "at most 2 characters");
        let said = violated("a", "\"a\"", 1, false);
        assert_eq!(said.message, "\"a\" is 1 character long");
        let said = bytes_exceeded("Zoë", "\"Zoë\"", 3);
        assert_eq!(said.message, "\"Zoë\" is 4 bytes in UTF-8 (3 characters)");
        assert_eq!(said.expected, "at most 3 bytes in UTF-8");
        assert!(
            said.suggestion
                .unwrap()
                .starts_with("non-ASCII characters (ë)")
        );
    }
}
