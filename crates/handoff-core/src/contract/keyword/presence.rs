//! `required`: the member must be present (absent and null are separate questions: `nullable`
//! says whether null is a value).

use super::{Applies, At, Keyword, Said};
use crate::finding::Kind;

/// `required: true`: the member is present in every payload.
pub const REQUIRED: Keyword = Keyword {
    name: "required",
    schema: "required",
    applies: Applies::Any,
    // `true` accepts less than `false`, as a raised lower limit does.
    bound: Some(super::Bound::Lower),
    at: At::Field(|f| f.required.as_ref().map(|l| l.span)),
};

/// A required member that is missing; `description` is the field's, to say what is missing.
pub fn missing(property: &str, description: Option<&str>) -> Said {
    Said::new(
        Kind::MissingRequired,
        format!("required field `{property}` is missing"),
        match description {
            Some(d) => format!("`{property}` present ({d})"),
            None => format!("`{property}` present"),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_what_is_missing() {
        let said = missing("order_id", Some("the storefront's order number"));
        assert_eq!(said.message, "required field `order_id` is missing");
        assert_eq!(
            said.expected,
            "`order_id` present (the storefront's order number)"
        );
    }
}
