//! Keeping customers' card numbers out of every report.
//!
//! Captured payloads can hold primary account numbers (PANs) where they should never be, and
//! handoff quotes values and payload lines in every output format. PCI DSS allows showing at
//! most the first six and the last four digits, so any run of 13 to 19 digits (with single
//! spaces or dashes between them) that passes the Luhn check is masked, whether or not a
//! contract marks the field: `4111 1111 1111 1111` becomes `4111 11** **** 1111`. Masking keeps
//! every character's position, so columns and underlines in diagnostics stay true.
//!
//! A Luhn-valid run that is not a card number (one digit string in ten passes by chance) is
//! masked too: a masked order number costs less than a leaked card.

use std::borrow::Cow;

/// `text` with every card number masked.
pub fn mask_card_numbers(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut masked: Option<Vec<u8>> = None;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || (i > 0 && bytes[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        // A run: digits, each separated from the next by at most one space or dash.
        let start = i;
        let mut end = i;
        let mut digits = 0;
        let mut j = i;
        while j < bytes.len() {
            if bytes[j].is_ascii_digit() {
                digits += 1;
                end = j + 1;
                j += 1;
            } else if matches!(bytes[j], b' ' | b'-')
                && bytes.get(j + 1).is_some_and(u8::is_ascii_digit)
            {
                j += 1;
            } else {
                break;
            }
        }
        let glued_to_word = bytes.get(end).is_some_and(u8::is_ascii_alphabetic);
        if (13..=19).contains(&digits) && !glued_to_word && luhn(&bytes[start..end]) {
            let out = masked.get_or_insert_with(|| bytes.to_vec());
            let mut seen = 0;
            for b in &mut out[start..end] {
                if b.is_ascii_digit() {
                    seen += 1;
                    if seen > 6 && seen <= digits - 4 {
                        *b = b'*';
                    }
                }
            }
        }
        i = end.max(i + 1);
    }
    match masked {
        // Only ASCII digits were replaced by ASCII `*`: still UTF-8.
        Some(bytes) => Cow::Owned(String::from_utf8(bytes).expect("masking keeps UTF-8")),
        None => Cow::Borrowed(text),
    }
}

/// How much of each payload value a report may show (each policy: [`Redact::CHOICES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Redact {
    /// `none`
    None,
    /// `sensitive`
    #[default]
    Sensitive,
    /// `all`
    All,
}

impl Redact {
    /// Every policy: its name on a command line or in a file, the policy, and what it shows
    /// (the command line's help).
    pub const CHOICES: &'static [(&'static str, Redact, &'static str)] = &[
        (
            "none",
            Redact::None,
            "Show every value (card numbers are still masked)",
        ),
        (
            "sensitive",
            Redact::Sensitive,
            "Hide the values of fields the contract marks `sensitive` (the default)",
        ),
        (
            "all",
            Redact::All,
            "Hide every value, and quote no payload lines",
        ),
    ];

    /// Whether a value is hidden under this policy, given whether its field is `sensitive`.
    pub fn hides(self, sensitive: bool) -> bool {
        match self {
            Redact::None => false,
            Redact::Sensitive => sensitive,
            Redact::All => true,
        }
    }
}

/// What a value looks like, without what it is: its JSON type, its size, and for a string the
/// kinds of characters in it.
pub fn shape(value: Option<&serde_json::Value>) -> String {
    use serde_json::Value;
    let n =
        |count: usize, unit: &str| format!("{count} {unit}{}", if count == 1 { "" } else { "s" });
    match value {
        None => "a value".into(),
        Some(Value::Null) => "null".into(),
        Some(Value::Bool(_)) => "a boolean".into(),
        Some(Value::Number(num)) => {
            let digits = num.to_string().bytes().filter(u8::is_ascii_digit).count();
            format!("a number of {}", n(digits, "digit"))
        }
        Some(Value::Array(items)) => format!("an array of {}", n(items.len(), "item")),
        Some(Value::Object(map)) => format!("an object of {}", n(map.len(), "member")),
        Some(Value::String(s)) => {
            let mut classes = Vec::new();
            let mut add = |present: bool, name: &'static str| {
                if present {
                    classes.push(name);
                }
            };
            add(
                s.chars().any(|c| c.is_ascii_uppercase()),
                "upper-case letters",
            );
            add(
                s.chars().any(|c| c.is_ascii_lowercase()),
                "lower-case letters",
            );
            add(s.chars().any(|c| c.is_ascii_digit()), "digits");
            add(s.chars().any(char::is_whitespace), "spaces");
            add(s.chars().any(|c| c.is_ascii_punctuation()), "punctuation");
            add(!s.is_ascii(), "non-ASCII characters");
            let count = s.chars().count();
            if classes.is_empty() {
                format!("a string of {}", n(count, "character"))
            } else {
                format!(
                    "a string of {}: {}",
                    n(count, "character"),
                    classes.join(", ")
                )
            }
        }
    }
}

/// Apply the redaction policy to a finding: a redacted finding keeps its kind, pointer,
/// position, what the contract expects and the value's shape, and loses the value, every
/// quotation of it, and the suggestion (which is derived from it).
pub fn apply(finding: &mut crate::finding::Finding, policy: Redact) {
    // Values of other fields a cross-field rule quotes follow the same policy as their own.
    for (value, sensitive) in std::mem::take(&mut finding.related) {
        if policy.hides(sensitive) && !value.is_empty() {
            finding.message = finding.message.replace(&value, "(a value not shown)");
            finding.expected = finding.expected.replace(&value, "(a value not shown)");
            finding.suggestion = None;
        }
    }
    let hide = match policy {
        Redact::None => false,
        Redact::Sensitive => finding.sensitive.is_some(),
        Redact::All => finding.value.is_some(),
    };
    if !hide {
        return;
    }
    let shape = finding
        .sensitive
        .clone()
        .unwrap_or_else(|| "the value".into());
    if let Some(value) = finding.value.take() {
        let stand_in = format!("the value ({shape})");
        finding.message = finding.message.replace(&value, &stand_in);
    }
    finding.suggestion = None;
    finding.redacted = true;
}

/// Make a finding fit to report, the one rule every command follows: the policy applied to its
/// value, and card numbers masked in everything it quotes from the payload.
pub fn for_report(finding: &mut crate::finding::Finding, policy: Redact) {
    apply(finding, policy);
    if let Some(value) = &mut finding.value {
        mask_in_place(value);
    }
    mask_in_place(&mut finding.pointer);
    mask_in_place(&mut finding.message);
    mask_in_place(&mut finding.expected);
    if let Some(s) = &mut finding.suggestion {
        mask_in_place(s);
    }
}

/// `text` with the characters in each byte range replaced by `•`, one for one, so positions
/// counted in characters stay true.
pub fn hide_ranges(text: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut ranges = ranges.to_vec();
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        if r.start < at
            || r.end > text.len()
            || !text.is_char_boundary(r.start)
            || !text.is_char_boundary(r.end)
        {
            continue;
        }
        out.push_str(&text[at..r.start]);
        out.extend(
            text[r.start..r.end]
                .chars()
                .map(|c| if c == '\n' { c } else { '•' }),
        );
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The Luhn checksum over the digits of `run` (other bytes ignored).
fn luhn(run: &[u8]) -> bool {
    let sum: u32 = run
        .iter()
        .rev()
        .filter(|b| b.is_ascii_digit())
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 { d2 - 9 } else { d2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Mask card numbers in a string in place, allocating only when something is masked.
pub fn mask_in_place(text: &mut String) {
    if let Cow::Owned(masked) = mask_card_numbers(text) {
        *text = masked;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_luhn_valid_card_numbers_in_any_spelling() {
        assert_eq!(mask_card_numbers("4111111111111111"), "411111******1111");
        assert_eq!(
            mask_card_numbers("{\"pan\": \"4111 1111 1111 1111\"}"),
            "{\"pan\": \"4111 11** **** 1111\"}"
        );
        assert_eq!(
            mask_card_numbers("card 5500-0000-0000-0004 end"),
            "card 5500-00**-****-0004 end"
        );
        assert_eq!(mask_card_numbers("378282246310005"), "378282*****0005");
        assert_eq!(
            mask_card_numbers("{\"n\":4111111111111111}"),
            "{\"n\":411111******1111}"
        );
    }

    #[test]
    fn leaves_other_numbers_alone() {
        // Fails the Luhn check.
        assert_eq!(mask_card_numbers("4111111111111112"), "4111111111111112");
        // Too short, too long, or part of a word.
        assert_eq!(mask_card_numbers("411111111111"), "411111111111");
        assert_eq!(
            mask_card_numbers("41111111111111111111111"),
            "41111111111111111111111"
        );
        assert_eq!(
            mask_card_numbers("SKU4111111111111111"),
            "SKU4111111111111111"
        );
        assert!(matches!(
            mask_card_numbers("2026-11-20T10:00:00Z"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn shapes_say_what_a_value_looks_like() {
        use serde_json::json;
        assert_eq!(
            shape(Some(&json!("Jane Doe-1"))),
            "a string of 10 characters: upper-case letters, lower-case letters, digits, spaces, punctuation"
        );
        assert_eq!(shape(Some(&json!(12345))), "a number of 5 digits");
        let range = 6..11;
        assert_eq!(hide_ranges("{\"n\": \"Jé\"}", &[range]), "{\"n\": ••••}");
    }

    #[test]
    fn keeps_every_position() {
        let text = "é 4111 1111 1111 1111 ü";
        assert_eq!(
            mask_card_numbers(text).chars().count(),
            text.chars().count()
        );
    }
}
