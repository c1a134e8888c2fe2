//! A body as one NDJSON line: what is recorded, and so what is checked and what `handoff
//! check` reads back.
//!
//! A pretty-printed webhook spans lines; its line breaks are whitespace between tokens, and
//! each becomes a space (the document is the same JSON value; positions are then those of the
//! recorded line). A raw line break inside a string is not JSON (RFC 8259 requires it escaped):
//! it becomes U+001F, which is just as invalid there, so the recorded line is still refused as
//! the body was, and can never split into two payloads. Every other byte is kept as sent.

/// `body` with no CR or LF left.
pub fn one_line(body: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !body.iter().any(|b| *b == b'\n' || *b == b'\r') {
        return std::borrow::Cow::Borrowed(body);
    }
    let mut out = Vec::with_capacity(body.len());
    let (mut in_string, mut escaped) = (false, false);
    for &b in body {
        let kept = match b {
            b'\n' | b'\r' if in_string => 0x1f,
            b'\n' | b'\r' => b' ',
            _ => b,
        };
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        }
        out.push(kept);
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::one_line;
    use proptest::prelude::*;

    #[test]
    fn breaks_between_tokens_become_spaces() {
        assert_eq!(
            &*one_line(b"{\r\n  \"a\": \"x\\\"\",\n  \"b\": 1\n}\n"),
            b"{    \"a\": \"x\\\"\",   \"b\": 1 } "
        );
        assert_eq!(&*one_line(b"{\"a\": \"x\ny\"}"), b"{\"a\": \"x\x1fy\"}");
    }

    proptest! {
        // The recorded line is one line, and a JSON value keeps its meaning exactly.
        #[test]
        fn one_line_keeps_the_value(v in proptest::collection::vec(("[a-z\\n\"\\\\]{0,6}", any::<i64>()), 0..6)) {
            let doc: serde_json::Map<String, serde_json::Value> =
                v.into_iter().map(|(k, n)| (k, serde_json::Value::from(n))).collect();
            let pretty = serde_json::to_vec_pretty(&doc).unwrap();
            let line = one_line(&pretty);
            prop_assert!(!line.contains(&b'\n') && !line.contains(&b'\r'));
            let back: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&line).unwrap();
            prop_assert_eq!(back, doc);
        }

        #[test]
        fn never_a_line_break_left(body in proptest::collection::vec(any::<u8>(), 0..64)) {
            let line = one_line(&body);
            prop_assert_eq!(line.len(), body.len());
            prop_assert!(!line.contains(&b'\n') && !line.contains(&b'\r'));
        }
    }
}
