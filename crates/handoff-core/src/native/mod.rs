//! The native engine: a contract's compiled schema checked on a borrowed parse of the payload.
//!
//! The `jsonschema` path (the [`crate::engine`] adapter) builds a `serde_json::Value` tree for
//! every payload and walks it generically; most of its time is the tree. This engine compiles
//! the same schema document once into nodes of its own (one module per keyword family, as the
//! contract's keywords are organised) and checks a payload from a flat tape of slices into
//! its bytes, so a valid payload is accepted without allocating a tree.
//!
//! It only ever answers a question the exact path would answer the same way: a payload it
//! calls [`Verdict::Valid`] is one the `jsonschema` path accepts (the differential tests hold
//! this). Anything it is unsure of (a keyword it does not know, a number whose integer-ness
//! needs an exponent worked out, a repeated member name) is [`Verdict::Unknown`], and the
//! payload takes the exact path, as does every invalid one: findings, positions and messages
//! stay byte for byte what they were.

mod apply;
mod decimal;
mod enumeration;
mod format;
mod items;
mod length;
mod members;
mod pattern;
mod range;
pub(crate) mod tape;
mod types;

use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use tape::{Kind, Tape};

/// What the native engine can say about a payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The schema holds: the `jsonschema` engine would find nothing (cross-field rules are
    /// evaluated apart, on a tree built from the tape).
    Valid,
    /// The schema does not hold.
    Invalid,
    /// Not decided here: the exact path decides.
    Unknown,
}

impl Verdict {
    fn of(holds: bool) -> Verdict {
        if holds {
            Verdict::Valid
        } else {
            Verdict::Invalid
        }
    }

    /// Both hold: invalid as soon as either is, valid only when both are.
    fn and(self, other: impl FnOnce() -> Verdict) -> Verdict {
        match self {
            Verdict::Invalid => Verdict::Invalid,
            Verdict::Valid => other(),
            Verdict::Unknown => match other() {
                Verdict::Invalid => Verdict::Invalid,
                _ => Verdict::Unknown,
            },
        }
    }

    fn not(self) -> Verdict {
        match self {
            Verdict::Valid => Verdict::Invalid,
            Verdict::Invalid => Verdict::Valid,
            Verdict::Unknown => Verdict::Unknown,
        }
    }
}

/// A payload the native engine scanned: its verdict on the schema, and (when asked for, or
/// when the schema is not known to hold) the payload as a tree and its tape, so the exact path
/// evaluates cross-field rules or explains a failure without parsing it again.
pub(crate) struct Judged {
    pub verdict: Verdict,
    pub tree: Option<(Value, Vec<tape::Token>)>,
}

/// One value of the payload: a position on its tape.
#[derive(Clone, Copy)]
pub(crate) struct Instance<'t, 'b> {
    pub tape: &'t Scope<'t, 'b>,
    pub at: usize,
}

/// What one check of a payload reads: its tape, and this thread's copies of the engine's
/// patterns (by [`pattern::Pattern`] index). An [`Instance`] is two words, passed in registers.
pub(crate) struct Scope<'t, 'b> {
    tape: Tape<'b>,
    pub patterns: &'t [regex::Regex],
}

impl<'b> std::ops::Deref for Scope<'_, 'b> {
    type Target = Tape<'b>;

    fn deref(&self) -> &Tape<'b> {
        &self.tape
    }
}

impl<'t, 'b> Instance<'t, 'b> {
    pub fn kind(&self) -> Kind {
        self.tape.tokens[self.at].kind
    }

    /// The value of a string, unescaped; `None` for any other kind.
    pub fn string(&self) -> Option<std::borrow::Cow<'b, str>> {
        (self.kind() == Kind::String).then(|| self.tape.string(self.at))
    }

    /// The text of a number and whether it has a fraction or exponent; `None` for other kinds.
    pub fn number(&self) -> Option<(&'b str, bool)> {
        (self.kind() == Kind::Number)
            .then(|| (self.tape.raw(self.at), self.tape.tokens[self.at].flag))
    }

    fn at(&self, at: usize) -> Instance<'t, 'b> {
        Instance { at, ..*self }
    }
}

/// An index into [`Native::nodes`].
pub(crate) type NodeId = usize;

/// One compiled subschema.
pub(crate) enum Node {
    /// `true`, `false`, or an empty schema.
    Always(bool),
    Keywords(Vec<Keyword>),
}

/// One keyword (or keyword family) of a subschema, compiled.
pub(crate) enum Keyword {
    Types(types::Types),
    Enum(enumeration::Enum),
    Pattern(pattern::Pattern),
    Format(format::Format),
    Length(length::Length),
    Range(range::Range),
    Decimal(decimal::Places),
    Members(members::Members),
    Items(items::Items),
    Apply(apply::Apply),
    /// A keyword this engine does not check: every instance it applies to is left to the
    /// exact path.
    Unsupported,
}

/// Keywords that never change a verdict.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$comment",
    "title",
    "description",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "$defs",
    "definitions",
];

/// A compiled contract schema for the native engine.
pub struct Native {
    nodes: Vec<Node>,
    root: NodeId,
    /// Every `pattern`, compiled once; each thread checks with its own copies ([`PATTERNS`]).
    patterns: Vec<regex::Regex>,
    /// Which engine a thread's copies of patterns belong to.
    id: usize,
}

impl std::fmt::Debug for Native {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Native({} nodes)", self.nodes.len())
    }
}

thread_local! {
    /// One tape buffer per thread, reused for every payload it checks.
    static TOKENS: RefCell<Vec<tape::Token>> = const { RefCell::new(Vec::new()) };
    /// Each thread's copies of each engine's patterns, by engine id. A `regex::Regex` keeps
    /// its matching caches in a pool whose fast path belongs to the first thread that used it;
    /// every other thread took a lock twice per match (measured: a fifth more CPU with two
    /// threads). A copy is cheap (the compiled program is shared) and has a pool of its own.
    static PATTERNS: RefCell<Vec<(usize, Vec<regex::Regex>)>> = const { RefCell::new(Vec::new()) };
}

/// Engine ids, for [`PATTERNS`].
static NEXT_ID: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Native {
    /// Compile `schema` (a contract's compiled JSON Schema). `date_patterns` are the custom
    /// date formats the schema names.
    pub fn compile(schema: &Value, date_patterns: &[crate::format::Strftime]) -> Native {
        let mut compiler = Compiler {
            root: schema,
            nodes: Vec::new(),
            refs: HashMap::new(),
            date_patterns,
            patterns: Vec::new(),
        };
        let root = compiler.node(schema);
        Native {
            nodes: compiler.nodes,
            root,
            patterns: compiler.patterns,
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// What this engine says of a payload's bytes (after any byte-order mark).
    pub fn verdict(&self, bytes: &[u8]) -> Verdict {
        self.with_tape(bytes, |_, verdict| verdict)
    }

    /// The verdict on a payload, with its tree and tape when it is not valid or `tree` asks
    /// for them. `None` where the scanner declined the text (the exact path parses it and says
    /// why).
    pub(crate) fn judge(&self, bytes: &[u8], tree: bool) -> Option<Judged> {
        self.with_tape(bytes, |tape, verdict| {
            let tape = tape?;
            let tree = if tree || verdict != Verdict::Valid {
                Some((tape.value(0)?, tape.tokens.to_vec()))
            } else {
                None
            };
            Some(Judged { verdict, tree })
        })
    }

    fn with_tape<T>(&self, bytes: &[u8], then: impl FnOnce(Option<&Tape<'_>>, Verdict) -> T) -> T {
        let run = |tokens: &mut Vec<tape::Token>, patterns: &[regex::Regex]| {
            let out = match tape::scan(bytes, tokens) {
                Ok(tape) => {
                    let scope = Scope { tape, patterns };
                    let verdict = self.check(
                        self.root,
                        Instance {
                            tape: &scope,
                            at: 0,
                        },
                    );
                    then(Some(&scope.tape), verdict)
                }
                Err(tape::Declined) => then(None, Verdict::Unknown),
            };
            // A huge payload's buffer is not kept for the small ones after it.
            if tokens.capacity() > 1 << 20 {
                *tokens = Vec::new();
            }
            out
        };
        TOKENS.with(|tokens| {
            PATTERNS.with(
                |patterns| match (tokens.try_borrow_mut(), patterns.try_borrow_mut()) {
                    (Ok(mut tokens), Ok(mut patterns)) => {
                        let at = match patterns.iter().position(|(id, _)| *id == self.id) {
                            Some(at) => at,
                            None => {
                                // Engines are few; a thread that met many keeps the recent ones.
                                if patterns.len() >= 16 {
                                    patterns.remove(0);
                                }
                                patterns.push((self.id, self.patterns.clone()));
                                patterns.len() - 1
                            }
                        };
                        run(&mut tokens, &patterns[at].1)
                    }
                    // Only a re-entrant call could find them borrowed; it gets buffers of its own.
                    _ => run(&mut Vec::new(), &self.patterns),
                },
            )
        })
    }

    pub(crate) fn check(&self, node: NodeId, instance: Instance<'_, '_>) -> Verdict {
        match &self.nodes[node] {
            Node::Always(holds) => Verdict::of(*holds),
            Node::Keywords(keywords) => {
                let mut verdict = Verdict::Valid;
                for keyword in keywords {
                    let one = match keyword {
                        Keyword::Types(k) => k.check(instance),
                        Keyword::Enum(k) => k.check(instance),
                        Keyword::Pattern(k) => k.check(instance),
                        Keyword::Format(k) => k.check(instance),
                        Keyword::Length(k) => k.check(instance),
                        Keyword::Range(k) => k.check(instance),
                        Keyword::Decimal(k) => k.check(instance),
                        Keyword::Members(k) => k.check(self, instance),
                        Keyword::Items(k) => k.check(self, instance),
                        Keyword::Apply(k) => k.check(self, instance),
                        Keyword::Unsupported => Verdict::Unknown,
                    };
                    match one {
                        Verdict::Invalid => return Verdict::Invalid,
                        Verdict::Unknown => verdict = Verdict::Unknown,
                        Verdict::Valid => {}
                    }
                }
                verdict
            }
        }
    }
}

/// Builds nodes from schema objects, one keyword family at a time.
pub(crate) struct Compiler<'s> {
    root: &'s Value,
    nodes: Vec<Node>,
    /// `$ref` targets already compiled (or being compiled: recursive types refer to
    /// themselves), by reference text.
    refs: HashMap<String, NodeId>,
    date_patterns: &'s [crate::format::Strftime],
    /// Every `pattern` compiled so far; a pattern keyword holds its index.
    pub(crate) patterns: Vec<regex::Regex>,
}

impl<'s> Compiler<'s> {
    pub(crate) fn node(&mut self, schema: &'s Value) -> NodeId {
        let id = self.nodes.len();
        self.nodes.push(Node::Always(true));
        let node = match schema {
            Value::Bool(b) => Node::Always(*b),
            Value::Object(map) => Node::Keywords(self.keywords(map)),
            _ => Node::Keywords(vec![Keyword::Unsupported]),
        };
        self.nodes[id] = node;
        id
    }

    fn keywords(&mut self, map: &'s Map<String, Value>) -> Vec<Keyword> {
        let mut keywords = Vec::new();
        let mut known = 0;
        // Each family reads the keywords it owns and says how many it read; one left over is a
        // keyword no family knows, and makes the node unsupported.
        known += types::compile(self, map, &mut keywords)
            + enumeration::compile(self, map, &mut keywords)
            + pattern::compile(self, map, &mut keywords)
            + format::compile(self, map, &mut keywords)
            + length::compile(self, map, &mut keywords)
            + range::compile(self, map, &mut keywords)
            + decimal::compile(self, map, &mut keywords)
            + members::compile(self, map, &mut keywords)
            + items::compile(self, map, &mut keywords)
            + apply::compile(self, map, &mut keywords);
        known += map
            .keys()
            .filter(|k| ANNOTATIONS.contains(&k.as_str()))
            .count();
        if known != map.len() {
            keywords.push(Keyword::Unsupported);
        }
        keywords
    }

    /// The node a `$ref` names: only references into this document (`#`, `#/$defs/...`).
    pub(crate) fn reference(&mut self, reference: &str) -> Option<NodeId> {
        if let Some(id) = self.refs.get(reference) {
            return Some(*id);
        }
        let pointer = reference.strip_prefix('#')?;
        let target = self.root.pointer(&percent_decoded(pointer)?)?;
        // Registered before compiling, so a type that refers to itself finds its own node.
        let id = self.nodes.len();
        self.refs.insert(reference.to_string(), id);
        let compiled = self.node(target);
        debug_assert_eq!(compiled, id);
        Some(id)
    }
}

/// Reads whole-number limits (`minItems`, `maxLength`, ...) present in `map` into their slots;
/// false when one is present but not a whole number (its node is then unsupported).
pub(crate) fn limits<'a>(
    map: &Map<String, Value>,
    slots: impl IntoIterator<Item = (&'a str, &'a mut u64)>,
) -> bool {
    let mut read = true;
    for (keyword, slot) in slots {
        if let Some(limit) = map.get(keyword) {
            match limit.as_u64() {
                Some(n) => *slot = n,
                None => read = false,
            }
        }
    }
    read
}

/// A URI fragment's JSON Pointer with `%XX` escapes decoded; `None` if one is malformed.
fn percent_decoded(pointer: &str) -> Option<String> {
    if !pointer.contains('%') {
        return Some(pointer.to_string());
    }
    let bytes = pointer.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;
    use serde_json::Value;

    /// Any JSON value, with plain member names (an escaped name is declined by design).
    pub(crate) fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| Value::Number(n.into())),
            any::<u64>().prop_map(|n| Value::Number(n.into())),
            "-?(0|[1-9][0-9]{0,2})\\.[0-9]{1,3}(e-?[0-9])?"
                .prop_map(|t| Value::Number(t.parse().unwrap())),
            ".{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map("[a-z]{1,3}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
