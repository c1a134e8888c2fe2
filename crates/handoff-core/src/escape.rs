//! Escaping for every human-facing output: payloads are written by strangers, and what handoff
//! prints lands in terminals, CI logs, GitHub annotations and Markdown that people trust.
//!
//! A member name, file name or value may hold a newline (forging a `::error` workflow command
//! or a fake verdict line), an escape sequence (retitling a terminal, writing the clipboard with
//! OSC 52), a lone carriage return (overwriting a line), or a Unicode bidi override (showing text
//! in an order other than its bytes). Every name, path and message a printer writes for people
//! goes through [`text`]; payload lines quoted under a diagnostic go through [`line()`], which
//! keeps one character per character so underlines stay under the value. Markdown cells go
//! through [`md_code`]; HTML text through [`html`]. Machine formats (JSON, SARIF, JUnit) rely on their
//! serializers, which escape control characters by construction.

use std::borrow::Cow;
use std::fmt::Write;

/// Characters that change how a terminal, a log viewer or a bidi-aware renderer shows what
/// follows them, rather than showing themselves.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// `s` with every unsafe character written as an escape (`\n`, `\r`, `\t`, `\u{1b}`), for
/// names, paths and messages on one line of human-facing output.
pub fn text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `s` with every unsafe character replaced by one visible character (a control picture such as
/// `␛` for C0 controls and DEL, `�` for the rest), so columns counted in characters still
/// point at the same place. Tabs are kept: they move the cursor but cannot hide text.
pub fn line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\t' && is_unsafe(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\t' => '\t',
                '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{FFFD}'),
                '\u{7f}' => '\u{2421}',
                c if is_unsafe(c) => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}

/// At most `max` characters of `s`, keeping its start and end with `…` between, for table
/// cells that must stay readable (and formattable) whatever a payload's member names are.
pub fn cut(s: &str, max: usize) -> Cow<'_, str> {
    let count = s.chars().count();
    if count <= max {
        return Cow::Borrowed(s);
    }
    let head = max.saturating_sub(1) / 2;
    let tail = max.saturating_sub(1) - head;
    let mut out: String = s.chars().take(head).collect();
    out.push('…');
    out.extend(s.chars().skip(count - tail));
    Cow::Owned(out)
}

/// `s` as a Markdown code span that shows it literally: fenced with one more backtick than its
/// longest run of backticks, safe in a table cell (`|` escaped, line breaks escaped). Code spans
/// are never parsed for HTML, links, images or @-mentions.
pub fn md_code(s: &str) -> String {
    let s = text(s);
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // A span that starts or ends with a backtick needs a space inside the fence.
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", s.replace('|', "\\|"))
}

/// The entity for a character HTML gives meaning to, in text or in an attribute value.
fn html_entity(c: char) -> Option<&'static str> {
    Some(match c {
        '&' => "&amp;",
        '<' => "&lt;",
        '>' => "&gt;",
        '"' => "&quot;",
        '\'' => "&#39;",
        _ => return None,
    })
}

/// `s` for HTML text or attribute values, with control characters made visible first, as in
/// every other human-facing format.
pub fn html(s: &str) -> String {
    let s = text(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match html_entity(c) {
            Some(entity) => out.push_str(entity),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_every_control_and_bidi_character() {
        assert_eq!(
            text("note\n::error file=x::forged\r\u{1b}]0;t\u{7}\u{9b}\u{202e}ok"),
            "note\\n::error file=x::forged\\r\\u{1b}]0;t\\u{7}\\u{9b}\\u{202e}ok"
        );
        assert!(matches!(text("plain /line_items/0"), Cow::Borrowed(_)));
    }

    #[test]
    fn line_keeps_one_character_per_character() {
        let shown = line("a\u{1b}b\r\u{7f}\u{202e}\tc");
        assert_eq!(shown, "a␛b␍␡\u{FFFD}\tc");
        assert_eq!(shown.chars().count(), 8);
    }

    #[test]
    fn cut_keeps_both_ends() {
        assert_eq!(cut("abcdefghij", 5), "ab…ij");
        assert_eq!(cut("abc", 5), "abc");
        assert_eq!(cut(&"x".repeat(70_000), 60).chars().count(), 60);
    }

    #[test]
    fn markdown_code_spans_fence_backticks_and_pipes() {
        assert_eq!(md_code("a|b"), "`a\\|b`");
        assert_eq!(md_code("x``y"), "```x``y```");
        assert_eq!(md_code("`x"), "`` `x ``");
        assert_eq!(md_code("a\nb"), "`a\\nb`");
    }
}
