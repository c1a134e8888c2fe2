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
    fn keeps_every_position() {
        let text = "é 4111 1111 1111 1111 ü";
        assert_eq!(
            mask_card_numbers(text).chars().count(),
            text.chars().count()
        );
    }
}
