//! `closed`: whether an object accepts members its `fields` do not declare. A member outside a
//! closed object is named with the declared field it most likely misspells.

use super::{Applies, At, Bound, Keyword, Said, best_match};
use crate::finding::Kind;

/// `closed: true`: only declared members.
pub const CLOSED: Keyword = Keyword {
    name: "closed",
    schema: "additionalProperties",
    applies: Applies::Objects,
    // `true` accepts less than `false`, as a raised lower limit does.
    bound: Some(Bound::Lower),
    at: At::Field(|f| f.closed.as_ref().map(|l| l.span)),
};

/// Declared names listed in one message before "and N more".
const SHOWN: usize = 12;

/// A member `name` of a closed object that declares `declared`; `suggest` says whether to look
/// for the field it misspells (the caller bounds how many are looked for).
pub fn unknown(name: &str, shown_name: &str, declared: &[&str], suggest: bool) -> Said {
    Said::new(
        Kind::UnknownField,
        format!("`{shown_name}` is not a field of this object"),
        format!("only declared fields ({})", list(declared)),
    )
    .suggesting(
        suggest
            .then(|| closest(name, declared))
            .flatten()
            .map(|c| format!("did you mean `{c}`?")),
    )
}

/// A declared name close to a misspelt member name.
pub fn closest<'a>(name: &str, declared: &[&'a str]) -> Option<&'a str> {
    if let Some(same) = declared.iter().find(|d| d.eq_ignore_ascii_case(name)) {
        return Some(same);
    }
    best_match(name, declared.iter().copied())
}

fn list(names: &[&str]) -> String {
    let mut parts: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    if names.len() > SHOWN {
        parts.push(format!("and {} more", names.len() - SHOWN));
    }
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_members() {
        let said = unknown("shipTo", "shipTo", &["ship_to", "bill_to"], true);
        assert_eq!(said.message, "`shipTo` is not a field of this object");
        assert_eq!(said.expected, "only declared fields (`ship_to`, `bill_to`)");
        assert_eq!(said.suggestion.as_deref(), Some("did you mean `ship_to`?"));
        assert_eq!(
            unknown("x", "x", &[], true).expected,
            "only declared fields (none)"
        );
        assert_eq!(
            unknown("shipTo", "shipTo", &["ship_to"], false).suggestion,
            None
        );
        assert_eq!(closest("SKU", &["sku"]), Some("sku"));
    }
}
