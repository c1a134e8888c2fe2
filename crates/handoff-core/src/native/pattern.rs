//! `pattern`: a regular expression, translated from ECMA-262 exactly as the `jsonschema` path
//! translates it ([`crate::engine::pattern`]), searched in the string's value.

use super::{Compiler, Instance, Keyword, Verdict};
use serde_json::{Map, Value};

/// A pattern, by its index in the engine's patterns (each thread matches with its own copy).
pub(crate) struct Pattern(usize);

pub(crate) fn compile<'s>(
    compiler: &mut Compiler<'s>,
    map: &'s Map<String, Value>,
    out: &mut Vec<Keyword>,
) -> usize {
    let Some(pattern) = map.get("pattern") else {
        return 0;
    };
    out.push(match pattern.as_str().and_then(crate::engine::pattern) {
        Some(regex) => {
            compiler.patterns.push(regex);
            Keyword::Pattern(Pattern(compiler.patterns.len() - 1))
        }
        None => Keyword::Unsupported,
    });
    1
}

impl Pattern {
    pub(crate) fn check(&self, instance: Instance<'_, '_>) -> Verdict {
        match instance.string() {
            Some(s) => Verdict::of(instance.tape.patterns[self.0].is_match(&s)),
            None => Verdict::Valid,
        }
    }
}
