//! `format`: handoff's own formats (currency and country codes in a letter case, date patterns)
//! by the checks it registers with the `jsonschema` path, and the standard ones by that path's
//! own checks ([`crate::engine::FormatCheck`]), so both engines judge a value alike.

use super::{Compiler, Instance, Keyword, Verdict};
use crate::format::{Builtin, LetterCase, Strftime};
use serde_json::{Map, Value};

pub(crate) enum Format {
    Code(Builtin, LetterCase),
    Date(Strftime),
    Standard(crate::engine::FormatCheck),
}

pub(crate) fn compile<'s>(
    compiler: &mut Compiler<'s>,
    map: &'s Map<String, Value>,
    out: &mut Vec<Keyword>,
) -> usize {
    let Some(name) = map.get("format") else {
        return 0;
    };
    let name = name.as_str().unwrap_or_default();
    let format = if let Some(date) = compiler.date_patterns.iter().find(|p| p.pattern() == name) {
        Some(Format::Date(date.clone()))
    } else if let Some((builtin, case)) =
        Builtin::from_format_name(name).filter(|(b, _)| !b.is_json_schema_native())
    {
        Some(Format::Code(builtin, case))
    } else {
        crate::engine::FormatCheck::new(name).map(Format::Standard)
    };
    out.push(format.map_or(Keyword::Unsupported, Keyword::Format));
    1
}

impl Format {
    pub(crate) fn check(&self, instance: Instance<'_, '_>) -> Verdict {
        let Some(s) = instance.string() else {
            return Verdict::Valid;
        };
        Verdict::of(match self {
            Format::Code(builtin, case) => builtin.check_in(*case, &s),
            Format::Date(pattern) => pattern.matches(&s),
            Format::Standard(check) => check.holds(&s),
        })
    }
}
