//! `handoff infer`: a contract drafted from captured payloads, every constraint with the
//! evidence it was drawn from.
//!
//! A [`Profile`] takes payloads one at a time and keeps, per place in the document, counts and
//! bounded sketches (at most [`DISTINCT`] distinct strings, one shape per string place), so its
//! memory follows the shape of the payloads, not their number. [`Profile::draft`] writes the
//! contract. The rules, in order of preference for a string:
//!
//! - a built-in format (`uuid`, `date-time`, `date`, `email`, `currency`, `country`) when every
//!   value has it;
//! - an enum when the values are few beside the samples: at most 12 distinct values, and at least
//!   four samples per distinct value (so a field seen 8 times with 8 values is not an enum);
//! - a decimal string (`decimal: {exactly: N}` when every value has N places, else `at_most`)
//!   when every value is a plain decimal number and one has a point;
//! - a pattern for identifier-like values (letters, digits and `-_./#:`, with at least one digit),
//!   when every value has the same run structure (`ABC-12345` -> `^[A-Z]{3}-[0-9]{5}$`).
//!
//! `required` is presence in every object that could hold the field; `nullable` is a null seen.
//! Lengths, numeric ranges and array sizes are written as comments unless asked for.
//!
//! Objects whose members depend on one member's value are drafted as a union by discriminator,
//! found and profiled in two passes (see the `union` module).

use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Distinct strings kept per place; past it, the place is not an enum.
pub const DISTINCT: usize = 64;
const ENUM_MAX: usize = 12;
const ENUM_SAMPLES_PER_VALUE: u64 = 4;

/// What to write beyond the defaults.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The contract id.
    pub id: String,
    /// `closed: true` on every object.
    pub closed: bool,
    /// Write observed ranges (`minimum`/`maximum`, `max_length`, array sizes) as constraints.
    pub ranges: bool,
    /// How the payloads were read, for the header (`3 files`).
    pub sources: String,
    /// The payloads are CSV rows or X12 transaction sets: every value is text, which the
    /// contract's types read (a column of whole numbers is drafted `integer`, of
    /// `true`/`false` `boolean`).
    pub cells: bool,
    /// The payloads are X12 transaction sets rendered in this layout, which the draft's `x12:`
    /// section says.
    pub x12: Option<crate::contract::layout::X12Layout>,
}

impl Options {
    /// What one payload is called in the draft's evidence.
    fn payload(&self) -> &'static str {
        match (&self.x12, self.cells) {
            (Some(_), _) => "transaction set",
            (None, true) => "row",
            (None, false) => "payload",
        }
    }
}

/// Counts and sketches of every place of the payloads seen.
#[derive(Debug, Default, Clone)]
pub struct Profile {
    root: Node,
    payloads: u64,
    rules: rules::Rules,
    /// The union places of a second pass (none in the first, which looks for them).
    split: Option<std::sync::Arc<union::Split>>,
    /// Member names are field names, never data ([`Profile::named`]).
    named: bool,
}

/// The union places a first pass found, for a second pass to profile per case.
#[derive(Debug, Clone, PartialEq)]
pub struct Unions(std::sync::Arc<union::Split>);

impl Unions {
    /// Each union place (a contract path) and its discriminator.
    pub fn places(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        self.0.places("", &mut out);
        out
    }
}

mod balance;
mod rules;
mod union;
pub mod x12;

/// How a payload is taken in at one place: whether its objects look for a discriminator (first
/// pass), and which union places are below it (second pass).
#[derive(Debug, Clone, Copy)]
struct Ctx<'s> {
    track: bool,
    split: Option<&'s union::Split>,
    /// Member names are a standard's field names, never data: no map.
    named: bool,
}

impl<'s> Ctx<'s> {
    /// Neither: inside a case, and in maps.
    const PLAIN: Ctx<'static> = Ctx {
        track: false,
        split: None,
        named: false,
    };

    fn field(self, name: &str) -> Ctx<'s> {
        Ctx {
            track: self.track,
            split: self.split.and_then(|s| s.field(name)),
            named: self.named,
        }
    }

    fn items(self) -> Ctx<'s> {
        Ctx {
            track: self.track,
            split: self.split.and_then(|s| s.items.as_deref()),
            named: self.named,
        }
    }
}

#[derive(Debug, Default, Clone)]
struct Node {
    /// Values seen here (null included).
    seen: u64,
    nulls: u64,
    bools: u64,
    strings: Option<Strings>,
    numbers: Option<Numbers>,
    object: Option<Object>,
    array: Option<Array>,
}

#[derive(Debug, Default, Clone)]
struct Object {
    count: u64,
    /// Field -> its values, in order of first appearance; the objects that had the field are
    /// its node's `seen`.
    fields: Vec<(String, Node)>,
    /// Past [`MAP_KEYS`] distinct member names the names are data (SKUs, dates, ids), not
    /// fields: every member's value goes to one profile, and the names to another.
    map: Option<Map>,
    /// Where the next member of the object being read is likely to be in `fields`.
    cursor: usize,
    /// First pass: the members that may be a discriminator, and what each value's objects held.
    candidates: Option<union::Candidates>,
    /// Member names are field names, never data: never a map.
    named: bool,
    /// Second pass, at a union place: the objects profiled per discriminator value.
    cases: Option<union::Cases>,
}

/// An object whose member names are data: a map, as the contract's `values` and `keys` say.
#[derive(Debug, Clone)]
struct Map {
    values: Box<Node>,
    keys: Strings,
}

/// Distinct member names at one place past which its objects are a map: memory stays bounded
/// by the shape when the names are data, however many payloads there are.
const MAP_KEYS: usize = 64;

/// Fewer distinct names are a map too when every name holds a digit and all share one run
/// shape (`SKU-1001`, `2026-11-01`): names like `line1`, `line2`, `city` are fields.
const MAP_MIN_KEYS: usize = 3;

impl Object {
    fn add_member(&mut self, k: &str, v: &Value, ctx: Ctx<'_>) {
        if let Some(m) = &mut self.map {
            m.keys.add(k);
            m.values.add(v, Ctx::PLAIN);
            return;
        }
        // Payloads of one sender list their members in one order: the member after the last
        // one is tried first, so a field is found without comparing it to every name before it.
        let next = self.cursor;
        let at = match self.fields.get(next) {
            Some((name, _)) if name == k => Some(next),
            _ => self.fields.iter().position(|(name, _)| name == k),
        };
        match at {
            Some(i) => {
                self.fields[i].1.add(v, ctx.field(k));
                self.cursor = i + 1;
            }
            None => {
                let mut node = Node::default();
                node.add(v, ctx.field(k));
                self.fields.push((k.to_string(), node));
                self.cursor = self.fields.len();
            }
        }
        if self.fields.len() > MAP_KEYS && !self.named {
            self.fold_into_map();
        }
    }

    /// Fold the fields seen so far into one profile of values.
    fn fold_into_map(&mut self) {
        if self.map.is_some() {
            return;
        }
        let mut values = Node::default();
        let mut keys = Strings::new();
        // Each name once: what its sketch says (pattern, format, lengths) is about names.
        for (name, node) in std::mem::take(&mut self.fields) {
            keys.add(&name);
            values.merge(node);
        }
        self.candidates = None;
        self.cases = None;
        self.map = Some(Map {
            values: Box::new(values),
            keys,
        });
    }

    /// A map as the writer shows it: the one this place became, or, for few names, the
    /// fields folded when their names look like data.
    fn as_map(&self) -> Option<std::borrow::Cow<'_, Map>> {
        if let Some(m) = &self.map {
            return Some(std::borrow::Cow::Borrowed(m));
        }
        if self.named
            || self.fields.len() < MAP_MIN_KEYS
            || !self
                .fields
                .iter()
                .all(|(name, _)| name.chars().any(|c| c.is_ascii_digit()))
        {
            return None;
        }
        let mut folded = self.clone();
        folded.fold_into_map();
        let m = folded.map?;
        matches!(m.keys.shape, Shape::Runs(_)).then_some(std::borrow::Cow::Owned(m))
    }
}

#[derive(Debug, Default, Clone)]
struct Array {
    count: u64,
    min_len: usize,
    max_len: usize,
    items: Box<Node>,
}

#[derive(Debug, Clone)]
struct Numbers {
    count: u64,
    integers: u64,
    min: f64,
    max: f64,
    min_text: String,
    max_text: String,
    places: usize,
}

#[derive(Debug, Clone)]
struct Strings {
    count: u64,
    distinct: BTreeMap<String, u64>,
    overflow: bool,
    min_chars: usize,
    max_chars: usize,
    max_bytes: usize,
    formats: [u64; FORMATS.len()],
    /// Decimal places seen when every value so far is a plain decimal; None once one is not.
    decimals: Option<(usize, usize, bool)>,
    shape: Shape,
    /// Values that are `true` or `false` in any letter case (what a CSV boolean column reads).
    bool_text: u64,
    /// A whole number written with a leading zero (`007`): an identifier, not a quantity.
    leading_zero: bool,
    /// The least and the greatest value, as written, while every value is a decimal number.
    least: Option<(f64, String)>,
    greatest: Option<(f64, String)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Unseen,
    /// Runs of one character class, with the shortest and longest length seen for each.
    Runs(Vec<(Class, usize, usize)>),
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Upper,
    Lower,
    Digit,
    Literal(char),
}

const FORMATS: [&str; 6] = ["uuid", "date-time", "date", "email", "currency", "country"];

fn has_format(format: &str, s: &str) -> bool {
    let b = s.as_bytes();
    match format {
        "uuid" => {
            b.len() == 36
                && b.iter().enumerate().all(|(i, c)| {
                    if matches!(i, 8 | 13 | 18 | 23) {
                        *c == b'-'
                    } else {
                        c.is_ascii_hexdigit()
                    }
                })
        }
        "date-time" => {
            // RFC 3339 with an offset or Z; jiff reads exactly that.
            let n = b.len();
            if n < 20 {
                return false;
            }
            let offset = b[n - 1] == b'Z'
                || (n >= 25 && matches!(b[n - 6], b'+' | b'-') && b[n - 3] == b':');
            b[4] == b'-'
                && b[10] == b'T'
                && b[13] == b':'
                && b[16] == b':'
                && offset
                && s.parse::<jiff::Timestamp>().is_ok()
        }
        "date" => b.len() == 10 && s.parse::<jiff::civil::Date>().is_ok(),
        "email" => {
            // A conservative subset of what the checker accepts: local@domain.tld, plain ASCII.
            let Some((local, domain)) = s.split_once('@') else {
                return false;
            };
            !local.is_empty()
                && local
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"._+-".contains(&c))
                && !local.starts_with('.')
                && !local.ends_with('.')
                && !local.contains("..")
                && domain.contains('.')
                && domain.split('.').all(|l| {
                    !l.is_empty()
                        && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
                        && !l.starts_with('-')
                        && !l.ends_with('-')
                })
        }
        "currency" => crate::format::iso::is_currency(s),
        "country" => crate::format::iso::is_country(s),
        _ => false,
    }
}

fn class_of(c: char) -> Option<Class> {
    match c {
        'A'..='Z' => Some(Class::Upper),
        'a'..='z' => Some(Class::Lower),
        '0'..='9' => Some(Class::Digit),
        '-' | '_' | '.' | '/' | '#' | ':' => Some(Class::Literal(c)),
        _ => None,
    }
}

fn runs(s: &str) -> Option<Vec<(Class, usize)>> {
    let mut out: Vec<(Class, usize)> = Vec::new();
    for c in s.chars() {
        let class = class_of(c)?;
        match out.last_mut() {
            Some((last, n)) if *last == class && !matches!(class, Class::Literal(_)) => *n += 1,
            _ => out.push((class, 1)),
        }
    }
    Some(out)
}

fn decimal_places(s: &str) -> Option<(usize, bool)> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let ok = !int.is_empty()
        && int.bytes().all(|c| c.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()));
    ok.then(|| (frac.map_or(0, str::len), frac.is_some()))
}

impl Strings {
    fn new() -> Strings {
        Strings {
            count: 0,
            distinct: BTreeMap::new(),
            overflow: false,
            min_chars: usize::MAX,
            max_chars: 0,
            max_bytes: 0,
            formats: [0; FORMATS.len()],
            decimals: Some((usize::MAX, 0, false)),
            shape: Shape::Unseen,
            bool_text: 0,
            leading_zero: false,
            least: None,
            greatest: None,
        }
    }

    fn add(&mut self, s: &str) {
        self.count += 1;
        let chars = s.chars().count();
        self.min_chars = self.min_chars.min(chars);
        self.max_chars = self.max_chars.max(chars);
        self.max_bytes = self.max_bytes.max(s.len());
        // Past the bound the values are no enum and their counts say nothing: not kept.
        if self.overflow {
        } else if let Some(n) = self.distinct.get_mut(s) {
            *n += 1;
        } else if self.distinct.len() < DISTINCT {
            self.distinct.insert(s.to_string(), 1);
        } else {
            self.overflow = true;
            self.distinct.clear();
        }
        // A format only matters while every value so far had it.
        for (i, f) in FORMATS.iter().enumerate() {
            if self.formats[i] + 1 == self.count && has_format(f, s) {
                self.formats[i] += 1;
            }
        }
        if let Some((lo, hi, point)) = self.decimals {
            self.decimals = decimal_places(s).map(|(p, has)| (lo.min(p), hi.max(p), point || has));
        }
        self.bool_text +=
            u64::from(s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false"));
        if self.decimals.is_some() {
            let digits = s.strip_prefix('-').unwrap_or(s);
            self.leading_zero |=
                digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.");
            if let Ok(f) = s.parse::<f64>() {
                extremes(&mut self.least, &mut self.greatest, (f, s));
            }
        }
        if self.shape == Shape::None {
            return;
        }
        self.shape.take(s);
    }
}

/// Widen the least and greatest decimal values seen to take in `value`; on a tie the first seen
/// is kept, so merged chunks give what one pass would.
fn extremes(
    least: &mut Option<(f64, String)>,
    greatest: &mut Option<(f64, String)>,
    (f, text): (f64, &str),
) {
    if least.as_ref().is_none_or(|(l, _)| f < *l) {
        *least = Some((f, text.to_string()));
    }
    if greatest.as_ref().is_none_or(|(g, _)| f > *g) {
        *greatest = Some((f, text.to_string()));
    }
}

/// The type a CSV column is drafted as, when its cells are not text to the receiver: `boolean`
/// where every cell is `true` or `false`, `integer` where every cell is a whole number that is
/// a quantity (not written with a leading zero, and not a code of one fixed width of five or
/// more digits, such as a UPC or a ZIP).
fn cell_type(s: &Strings) -> Option<&'static str> {
    if s.count > 0 && s.bool_text == s.count {
        return Some("boolean");
    }
    let whole = matches!(s.decimals, Some((_, _, false)));
    let code = matches!(&s.shape, Shape::Runs(r)
        if r.len() == 1 && r[0].0 == Class::Digit && r[0].1 == r[0].2 && r[0].1 >= 5);
    (s.count > 0 && whole && !s.leading_zero && !code).then_some("integer")
}

impl Shape {
    /// Join one value's runs, in place: a value of the same runs as every one before (the
    /// common case) costs no allocation.
    fn take(&mut self, s: &str) {
        let Shape::Runs(have) = self else {
            if *self == Shape::Unseen {
                *self = match runs(s) {
                    Some(r) => Shape::Runs(r.into_iter().map(|(c, n)| (c, n, n)).collect()),
                    None => Shape::None,
                };
            }
            return;
        };
        let mut at = 0;
        let mut run: Option<(Class, usize)> = None;
        let mut fits = |(class, n): (Class, usize)| match have.get_mut(at) {
            Some(x) if x.0 == class => {
                x.1 = x.1.min(n);
                x.2 = x.2.max(n);
                at += 1;
                true
            }
            _ => false,
        };
        for c in s.chars() {
            let Some(class) = class_of(c) else {
                *self = Shape::None;
                return;
            };
            match &mut run {
                Some((last, n)) if *last == class && !matches!(class, Class::Literal(_)) => {
                    *n += 1;
                }
                _ => {
                    if let Some(done) = run.replace((class, 1))
                        && !fits(done)
                    {
                        *self = Shape::None;
                        return;
                    }
                }
            }
        }
        let whole = run.is_none_or(&mut fits);
        if !whole || at != have.len() {
            *self = Shape::None;
        }
    }
}

/// The shape of two sets of values: the same runs, each as short and as long as either's.
fn joined(a: Shape, b: Shape) -> Shape {
    match (a, b) {
        (Shape::Unseen, other) | (other, Shape::Unseen) => other,
        (Shape::Runs(mut have), Shape::Runs(r))
            if have.len() == r.len() && have.iter().zip(&r).all(|(x, y)| x.0 == y.0) =>
        {
            for (x, y) in have.iter_mut().zip(&r) {
                x.1 = x.1.min(y.1);
                x.2 = x.2.max(y.2);
            }
            Shape::Runs(have)
        }
        _ => Shape::None,
    }
}

fn number_text(n: &serde_json::Number) -> String {
    n.to_string()
}

impl Node {
    fn add(&mut self, v: &Value, ctx: Ctx<'_>) {
        self.seen += 1;
        match v {
            Value::Null => self.nulls += 1,
            Value::Bool(_) => self.bools += 1,
            Value::String(s) => self.strings.get_or_insert_with(Strings::new).add(s),
            Value::Number(n) => {
                let f = n.as_f64().unwrap_or(0.0);
                let text = number_text(n);
                let places = text.split_once('.').map_or(0, |(_, frac)| {
                    frac.trim_end_matches(|c: char| !c.is_ascii_digit()).len()
                });
                let integer =
                    n.is_i64() || n.is_u64() || (f.fract() == 0.0 && !text.contains(['e', 'E']));
                let nums = self.numbers.get_or_insert_with(|| Numbers {
                    count: 0,
                    integers: 0,
                    min: f,
                    max: f,
                    min_text: text.clone(),
                    max_text: text.clone(),
                    places: 0,
                });
                nums.count += 1;
                nums.integers += u64::from(integer);
                nums.places = nums.places.max(places);
                if f < nums.min {
                    nums.min = f;
                    nums.min_text = text.clone();
                }
                if f > nums.max {
                    nums.max = f;
                    nums.max_text = text;
                }
            }
            Value::Object(map) => {
                let o = self.object.get_or_insert_with(Object::default);
                o.count += 1;
                o.named |= ctx.named;
                o.cursor = 0;
                if o.map.is_none() {
                    if ctx.track {
                        union::Candidates::observe(&mut o.candidates, map);
                    }
                    if let Some((member, evidence)) = ctx.split.and_then(|s| s.member.as_ref()) {
                        o.cases
                            .get_or_insert_with(|| union::Cases::new(member, evidence))
                            .add(v);
                    }
                }
                for (k, v) in map {
                    o.add_member(k, v, ctx);
                }
            }
            Value::Array(items) => {
                let a = self.array.get_or_insert_with(|| Array {
                    min_len: usize::MAX,
                    ..Array::default()
                });
                a.count += 1;
                a.min_len = a.min_len.min(items.len());
                a.max_len = a.max_len.max(items.len());
                let inner = ctx.items();
                for item in items {
                    a.items.add(item, inner);
                }
            }
        }
    }

    /// The JSON types seen here, null aside, with their counts.
    fn types(&self) -> Vec<(&'static str, u64)> {
        let mut out = Vec::new();
        let nums = self.numbers.as_ref();
        let push = |out: &mut Vec<_>, name, n: u64| {
            if n > 0 {
                out.push((name, n));
            }
        };
        push(
            &mut out,
            "string",
            self.strings.as_ref().map_or(0, |s| s.count),
        );
        match nums {
            Some(n) if n.integers == n.count => push(&mut out, "integer", n.count),
            Some(n) => push(&mut out, "number", n.count),
            None => {}
        }
        push(&mut out, "boolean", self.bools);
        push(
            &mut out,
            "object",
            self.object.as_ref().map_or(0, |o| o.count),
        );
        push(
            &mut out,
            "array",
            self.array.as_ref().map_or(0, |a| a.count),
        );
        out
    }
}

impl Strings {
    fn merge(&mut self, b: Strings) {
        for i in 0..FORMATS.len() {
            // A format holds only where every value of both had it.
            self.formats[i] = if self.formats[i] == self.count && b.formats[i] == b.count {
                self.count + b.count
            } else {
                0
            };
        }
        self.count += b.count;
        self.overflow |= b.overflow;
        for (k, v) in b.distinct {
            if self.overflow {
                break;
            } else if let Some(n) = self.distinct.get_mut(&k) {
                *n += v;
            } else if self.distinct.len() < DISTINCT {
                self.distinct.insert(k, v);
            } else {
                self.overflow = true;
            }
        }
        if self.overflow {
            self.distinct.clear();
        }
        self.min_chars = self.min_chars.min(b.min_chars);
        self.max_chars = self.max_chars.max(b.max_chars);
        self.max_bytes = self.max_bytes.max(b.max_bytes);
        self.decimals = match (self.decimals, b.decimals) {
            (Some((lo, hi, p)), Some((lo2, hi2, p2))) => Some((lo.min(lo2), hi.max(hi2), p || p2)),
            _ => None,
        };
        self.bool_text += b.bool_text;
        self.leading_zero |= b.leading_zero;
        for (f, text) in [b.least, b.greatest].into_iter().flatten() {
            extremes(&mut self.least, &mut self.greatest, (f, &text));
        }
        self.shape = joined(std::mem::replace(&mut self.shape, Shape::None), b.shape);
    }
}

impl Node {
    /// Take in what `b` saw after what this node saw (order matters only for the order of
    /// fields, which is first appearance, and for ties of extremes, where the first is kept).
    fn merge(&mut self, b: Node) {
        self.seen += b.seen;
        self.nulls += b.nulls;
        self.bools += b.bools;
        match (&mut self.strings, b.strings) {
            (Some(a), Some(b)) => a.merge(b),
            (a @ None, b) => *a = b,
            _ => {}
        }
        match (&mut self.numbers, b.numbers) {
            (Some(a), Some(b)) => {
                a.count += b.count;
                a.integers += b.integers;
                a.places = a.places.max(b.places);
                if b.min < a.min {
                    a.min = b.min;
                    a.min_text = b.min_text;
                }
                if b.max > a.max {
                    a.max = b.max;
                    a.max_text = b.max_text;
                }
            }
            (a @ None, b) => *a = b,
            _ => {}
        }
        match (&mut self.object, b.object) {
            (Some(a), Some(mut b)) => {
                a.count += b.count;
                a.named |= b.named;
                if a.map.is_some() || b.map.is_some() {
                    a.fold_into_map();
                    b.fold_into_map();
                }
                if let (Some(am), Some(bm)) = (&mut a.map, b.map) {
                    am.values.merge(*bm.values);
                    am.keys.merge(bm.keys);
                } else {
                    union::Candidates::merge(&mut a.candidates, b.candidates);
                    match (&mut a.cases, b.cases) {
                        (Some(x), Some(y)) => x.merge(y),
                        (x @ None, y) => *x = y,
                        _ => {}
                    }
                    for (name, node) in b.fields {
                        match a.fields.iter_mut().find(|(n, _)| *n == name) {
                            Some((_, have)) => have.merge(node),
                            None => a.fields.push((name, node)),
                        }
                    }
                    if a.fields.len() > MAP_KEYS && !a.named {
                        a.fold_into_map();
                    }
                }
            }
            (a @ None, b) => *a = b,
            _ => {}
        }
        match (&mut self.array, b.array) {
            (Some(a), Some(b)) => {
                a.count += b.count;
                a.min_len = a.min_len.min(b.min_len);
                a.max_len = a.max_len.max(b.max_len);
                a.items.merge(*b.items);
            }
            (a @ None, b) => *a = b,
            _ => {}
        }
    }
}

impl Profile {
    /// A first pass: profiles every place and looks for unions by discriminator.
    pub fn new() -> Profile {
        Profile::default()
    }

    /// The union places this (first-pass) profile found: profile the payloads again with
    /// [`Profile::split`] to draft them, each case as its own type. None when there are none.
    pub fn unions(&self) -> Option<Unions> {
        let split = union_places(&self.root);
        (!split.is_empty()).then(|| Unions(std::sync::Arc::new(split)))
    }

    /// A second pass: profiles every place as a first pass does, and the objects of each union
    /// place also per discriminator value.
    pub fn split(unions: &Unions) -> Profile {
        Profile {
            split: Some(unions.0.clone()),
            ..Profile::default()
        }
    }

    /// A profile of `payloads` in both passes: the first, and the second where the first found
    /// unions (for payloads held in memory; a stream is read twice by its owner instead).
    pub fn of<'v>(payloads: impl IntoIterator<Item = &'v Value> + Clone) -> Profile {
        let mut first = Profile::new();
        for p in payloads.clone() {
            first.add(p);
        }
        let Some(unions) = first.unions() else {
            return first;
        };
        let mut second = Profile::split(&unions);
        for p in payloads {
            second.add(p);
        }
        second
    }

    /// An empty profile that reads payloads as this one does (for chunks of the same pass).
    pub fn fresh(&self) -> Profile {
        Profile {
            split: self.split.clone(),
            named: self.named,
            ..Profile::default()
        }
    }

    /// This profile, reading member names as a standard's field names (X12 element ids such
    /// as `BEG03`), never as data: no place is drafted as a map.
    pub fn named(self) -> Profile {
        Profile {
            named: true,
            ..self
        }
    }

    /// Take one payload into the profile.
    pub fn add(&mut self, payload: &Value) {
        self.payloads += 1;
        // A first pass looks for unions; a second profiles the ones it found.
        let ctx = Ctx {
            track: self.split.is_none(),
            split: self.split.as_deref(),
            named: self.named,
        };
        self.root.add(payload, ctx);
        if let Value::Object(map) = payload {
            self.rules.add(map);
        }
    }

    /// Take in a profile of the payloads that came after this one's: the draft is then the
    /// one a single profile of all of them gives, so payloads can be profiled in parallel
    /// chunks and merged in order.
    pub fn merge(&mut self, later: Profile) {
        self.payloads += later.payloads;
        self.root.merge(later.root);
        self.rules.merge(later.rules);
    }

    /// Payloads taken.
    pub fn payloads(&self) -> u64 {
        self.payloads
    }

    /// The contract, in the contract language, with a comment giving each constraint's evidence.
    pub fn draft(&self, options: &Options) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# Drafted by `handoff infer` from {} {}{}{}. Every constraint says what it was",
            thousands(self.payloads),
            options.payload(),
            if self.payloads == 1 { "" } else { "s" },
            if options.sources.is_empty() {
                String::new()
            } else {
                format!(" ({})", options.sources)
            }
        );
        out.push_str(
            "# drawn from: review each before the contract is used, and fill in the boundary.\n",
        );
        let _ = writeln!(out, "contract: {}", key(&options.id));
        out.push_str("version: 0.1.0\n");
        out.push_str("description: Drafted from captured payloads by handoff infer.\n");
        let _ = writeln!(
            out,
            "boundary: {{from: sender, to: receiver, transport: {}}}",
            if options.x12.is_some() {
                "edi"
            } else {
                "webhook"
            }
        );
        if let Some(layout) = &options.x12 {
            x12_section(&mut out, layout);
        }
        let declared = declared_types(&self.root);
        let mut taken: Vec<String> = declared.iter().map(|d| d.name.clone()).collect();
        let mut cases = Vec::new();
        case_types(&self.root, "", "", &mut taken, &mut cases);
        let w = Writer {
            options,
            declared,
            cases,
        };
        w.types(&mut out);
        let root_union = union_of(&self.root).filter(|_| self.root.nulls == 0);
        match (&self.root.object, self.root.types().len()) {
            _ if let Some(c) = root_union => {
                w.union(&mut out, c, 0);
                out.push_str("fields: {}  # every member is in its case's type\n");
            }
            (Some(obj), 1) if self.root.nulls == 0 && obj.as_map().is_none() => {
                if options.closed {
                    out.push_str("closed: true\n");
                }
                if obj.fields.is_empty() {
                    out.push_str("fields: {}  # every payload was an empty object\n");
                } else {
                    out.push_str("fields:\n");
                    w.fields(&mut out, obj, 1);
                    w.rules(&mut out, obj, &self.rules);
                }
            }
            _ => {
                out.push_str("root:\n");
                w.node(&mut out, &self.root, 1, self.payloads);
            }
        }
        out
    }
}

/// The `x12:` section: the loops as given (those that occurred), and the segments seen more
/// than once at a level.
fn x12_section(out: &mut String, layout: &crate::contract::layout::X12Layout) {
    if layout.repeat.is_empty() && layout.loops.is_empty() {
        return;
    }
    out.push_str("x12:\n");
    if !layout.repeat.is_empty() {
        let _ = writeln!(
            out,
            "  repeat: [{}]  # more than once in a transaction set, or listed so",
            layout.repeat.join(", ")
        );
    }
    fn loops(out: &mut String, defs: &[crate::contract::layout::LoopDef], depth: usize) {
        if defs.is_empty() {
            return;
        }
        let _ = writeln!(out, "{}loops:", indent(depth));
        for def in defs {
            let pad = indent(depth + 1);
            let _ = writeln!(out, "{pad}{}:", key(&def.name));
            let _ = writeln!(out, "{pad}  segments: [{}]", def.segments.join(", "));
            if !def.repeat.is_empty() {
                let _ = writeln!(out, "{pad}  repeat: [{}]", def.repeat.join(", "));
            }
            loops(out, &def.loops, depth + 2);
        }
    }
    loops(out, &layout.loops, 1);
}

/// US state, district and territory codes and Canadian province codes, many of which are also
/// ISO 3166 country codes.
const SUBDIVISIONS: [&str; 70] = [
    "AK", "AL", "AR", "AS", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "GU", "HI", "IA", "ID",
    "IL", "IN", "KS", "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MP", "MS", "MT", "NC", "ND",
    "NE", "NH", "NJ", "NM", "NV", "NY", "OH", "OK", "OR", "PA", "PR", "RI", "SC", "SD", "TN", "TX",
    "UM", "UT", "VA", "VI", "VT", "WA", "WI", "WV", "WY", "AB", "BC", "MB", "NB", "NL", "NS", "NT",
    "NU", "ON", "PE", "QC", "SK", "YT",
];

/// Column widths receivers commonly declare (X12 element maxima, database defaults): a text
/// longer than any capture showed may still fit the receiver's column, so the limit drafted is
/// the next of these, not the longest seen.
const COMMON_WIDTHS: [usize; 40] = [
    1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 16, 20, 25, 30, 32, 35, 40, 45, 50, 60, 64, 75, 80, 100, 120,
    128, 150, 200, 250, 255, 256, 500, 512, 1000, 1024, 2000, 2048, 4000, 4096, 8000,
];

/// `max_length` and its evidence, for text whose longest value had `longest` characters.
fn max_length(longest: usize) -> String {
    match COMMON_WIDTHS.iter().find(|w| **w >= longest) {
        Some(w) if *w == longest => {
            format!("max_length: {w}  # longest seen {longest}, a common column width")
        }
        Some(w) => {
            format!("max_length: {w}  # longest seen {longest}; {w} is a common column width")
        }
        None => format!("max_length: {longest}  # longest seen {longest}"),
    }
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

use crate::yaml::{key, quote as quoted};

/// The union places of a first-pass profile: where a member's value decides the other members
/// (as deep as the profile, which serde_json's nesting limit bounds). A union place's subtree
/// is not searched further (its objects are profiled per case only in the second pass).
fn union_places(node: &Node) -> union::Split {
    let mut split = union::Split::default();
    if let Some(o) = &node.object
        && node.types().len() == 1
        && o.as_map().is_none()
    {
        if let Some(found) = o.candidates.as_ref().and_then(|c| c.discriminator(o.count)) {
            split.member = Some(found);
            return split;
        }
        for (name, child) in &o.fields {
            let s = union_places(child);
            if !s.is_empty() {
                split.fields.push((name.clone(), s));
            }
        }
    }
    if let Some(a) = &node.array
        && node.types().len() == 1
    {
        let s = union_places(&a.items);
        if !s.is_empty() {
            split.items = Some(Box::new(s));
        }
    }
    split
}

/// The cases of a union place, when it is drafted as one.
fn union_of(node: &Node) -> Option<&union::Cases> {
    let o = node.object.as_ref()?;
    if node.types().len() != 1 || o.as_map().is_some() {
        return None;
    }
    o.cases.as_ref().filter(|c| c.holds())
}

struct Writer<'o> {
    options: &'o Options,
    /// Object shapes seen at two places or more, declared once under `types:`.
    declared: Vec<Declared>,
    /// The cases of every union place, each a declared type.
    cases: Vec<CaseType<'o>>,
}

/// One case of a union place, declared as a type of its own.
struct CaseType<'n> {
    name: String,
    place: String,
    member: String,
    value: String,
    node: &'n Node,
}

/// Every union place's cases under `node`, in document order, each named by its value (and,
/// below the top, its place's member name), unique beside `taken` and the built-in types.
fn case_types<'n>(
    node: &'n Node,
    path: &str,
    name: &str,
    taken: &mut Vec<String>,
    out: &mut Vec<CaseType<'n>>,
) {
    if let Some(c) = union_of(node) {
        for (value, case) in &c.list {
            let base = if path.is_empty() {
                type_name(&[value.as_str()])
            } else {
                type_name(&[format!("{name} {value}").as_str()])
            };
            let unique = unique_name(base, |n| taken.iter().any(|t| t == n));
            taken.push(unique.clone());
            out.push(CaseType {
                name: unique,
                place: if path.is_empty() {
                    "/".into()
                } else {
                    path.to_string()
                },
                member: c.member.clone(),
                value: value.clone(),
                node: case,
            });
        }
        return;
    }
    if let Some(o) = node.object.as_ref()
        && node.types().len() == 1
        && o.as_map().is_none()
    {
        for (field, child) in &o.fields {
            let child_path = format!("{path}/{}", crate::pointer::escape(field));
            case_types(child, &child_path, field, taken, out);
        }
    }
    if let Some(a) = node.array.as_ref()
        && node.types().len() == 1
    {
        let item = name.strip_suffix('s').unwrap_or(name);
        case_types(&a.items, &format!("{path}/*"), item, taken, out);
    }
}

/// An object shape seen at several places, declared once: its name, the places (contract
/// paths), and one profile of every object seen at any of them.
struct Declared {
    signature: String,
    name: String,
    places: Vec<String>,
    node: Node,
}

/// Text from a payload (a member name in a path) as it may stand in a YAML comment: as it is
/// when it is plain, quoted as JSON when a line break would end the comment or a character
/// would not show.
fn in_comment(text: &str) -> String {
    let json = quoted(text);
    // `quoted` writes an invisible character as `\u....`; a control character is one too.
    if text.chars().any(char::is_control) || json.contains("\\u") {
        json
    } else {
        text.to_string()
    }
}

/// Fewest fields an object shape needs to be worth a declared type of its own.
const TYPE_MIN_FIELDS: usize = 2;

/// What makes two object places the same shape: the same member names, each holding the same
/// JSON types, all the way down. None for a place that is not one plain object (a union, a map,
/// an object of too few fields).
fn signature(node: &Node) -> Option<String> {
    let o = node.object.as_ref()?;
    if node.types().len() != 1
        || o.as_map().is_some()
        || o.fields.len() < TYPE_MIN_FIELDS
        || union_of(node).is_some()
    {
        return None;
    }
    let mut names: Vec<&(String, Node)> = o.fields.iter().collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::from("{");
    for (name, child) in names {
        let types: Vec<&str> = child.types().iter().map(|(t, _)| *t).collect();
        let _ = write!(
            out,
            "{}:{}",
            serde_json::to_string(name).unwrap_or_default(),
            types.join("|")
        );
        if let Some(inner) = signature(child) {
            out.push_str(&inner);
        } else if let Some(a) = child.array.as_ref()
            && types == ["array"]
        {
            let items: Vec<&str> = a.items.types().iter().map(|(t, _)| *t).collect();
            let _ = write!(
                out,
                "[{}{}]",
                items.join("|"),
                signature(&a.items).unwrap_or_default()
            );
        }
        out.push(',');
    }
    out.push('}');
    Some(out)
}

/// One place of an object shape: its contract path, its member name, what was seen there.
type Place<'n> = (String, String, &'n Node);

/// Every plain object place under `node` (its contract path and member name), in document
/// order, for finding repeated shapes.
fn object_places<'n>(
    node: &'n Node,
    path: &str,
    name: &str,
    out: &mut Vec<(String, String, &'n Node)>,
) {
    if signature(node).is_some() {
        out.push((path.to_string(), name.to_string(), node));
    }
    // A union's objects are drafted per case: the places are the cases' members.
    if let Some(c) = union_of(node) {
        for (value, case) in &c.list {
            if let Some(o) = case.object.as_ref() {
                for (field, child) in &o.fields {
                    let child_path =
                        format!("{path}/{{{value}}}/{}", crate::pointer::escape(field));
                    object_places(child, &child_path, field, out);
                }
            }
        }
        return;
    }
    if let Some(o) = node.object.as_ref()
        && o.as_map().is_none()
    {
        for (field, child) in &o.fields {
            let child_path = format!("{path}/{}", crate::pointer::escape(field));
            object_places(child, &child_path, field, out);
        }
    }
    if let Some(a) = node.array.as_ref() {
        let item = name.strip_suffix('s').unwrap_or(name);
        object_places(&a.items, &format!("{path}/*"), item, out);
    }
}

/// The object shapes seen at two places or more, each with a name drawn from the places' names
/// (`shipping_address`, `billing_address`: `address`), unique, and never a built-in type's.
fn declared_types(root: &Node) -> Vec<Declared> {
    let mut places = Vec::new();
    if union_of(root).is_some() {
        object_places(root, "", "", &mut places);
    } else if let Some(o) = root.object.as_ref()
        && o.as_map().is_none()
    {
        for (field, child) in &o.fields {
            object_places(
                child,
                &format!("/{}", crate::pointer::escape(field)),
                field,
                &mut places,
            );
        }
    }
    let mut groups: Vec<(String, Vec<Place<'_>>)> = Vec::new();
    for (path, name, node) in places {
        let Some(sig) = signature(node) else { continue };
        match groups.iter_mut().find(|(s, _)| *s == sig) {
            Some((_, list)) => list.push((path, name, node)),
            None => groups.push((sig, vec![(path, name, node)])),
        }
    }
    let mut out: Vec<Declared> = Vec::new();
    for (signature, list) in groups.into_iter().filter(|(_, l)| l.len() >= 2) {
        // One profile of every place: what the type states held at each of them.
        let mut node = list[0].2.clone();
        for (_, _, other) in &list[1..] {
            node.merge((*other).clone());
        }
        // Whether null is accepted is each use's to say (`nullable` on the use).
        node.seen -= node.nulls;
        node.nulls = 0;
        let names: Vec<&str> = list.iter().map(|(_, n, _)| n.as_str()).collect();
        let name = unique_name(type_name(&names), |n| out.iter().any(|d| d.name == n));
        out.push(Declared {
            signature,
            name,
            places: list.into_iter().map(|(p, ..)| p).collect(),
            node,
        });
    }
    out
}

/// `base`, or `base_2`, `base_3`...: the first that is not `taken` and not a built-in type's.
fn unique_name(base: String, taken: impl Fn(&str) -> bool) -> String {
    let mut name = base.clone();
    let mut n = 2;
    while taken(&name) || crate::contract::FieldType::from_name(&name).is_some() {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

/// A type's name from its places' member names: the words they end with in common, else the
/// first name; letters, digits and underscores.
fn type_name(names: &[&str]) -> String {
    let words: Vec<Vec<String>> = names
        .iter()
        .map(|n| {
            n.split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .collect();
    let shortest = words.iter().map(Vec::len).min().unwrap_or(0);
    let common = (0..shortest)
        .take_while(|&i| {
            let w = &words[0][words[0].len() - 1 - i];
            words.iter().all(|ws| &ws[ws.len() - 1 - i] == w)
        })
        .count();
    let chosen: Vec<String> = if common > 0 {
        words[0][words[0].len() - common..].to_vec()
    } else {
        words.first().cloned().unwrap_or_default()
    };
    let name = chosen.join("_");
    match name.chars().next() {
        None => "shape".into(),
        Some(c) if c.is_ascii_digit() => format!("t_{name}"),
        Some(_) => name,
    }
}

fn indent(depth: usize) -> String {
    "  ".repeat(depth)
}

impl Writer<'_> {
    /// The cross-field rules that held, those whose every pointer the draft declares.
    fn rules(&self, out: &mut String, root: &Object, found: &rules::Rules) {
        let field = |name: &str| root.fields.iter().find(|(n, _)| n == name).map(|(_, n)| n);
        // An item number the draft declares: the array's items are objects (not a map) with it.
        let item = |array: &str, name: &str| {
            field(array)
                .and_then(|n| n.array.as_ref())
                .filter(|_| field(array).is_some_and(|n| n.types().len() == 1))
                .and_then(|a| {
                    a.items
                        .object
                        .as_ref()
                        .filter(|_| a.items.types().len() == 1)
                })
                .is_some_and(|o| o.as_map().is_none() && o.fields.iter().any(|(n, _)| n == name))
        };
        let plain = |name: &str| {
            !name.is_empty()
                && !name.contains(['*', '/', '~'])
                && !name.contains(char::is_whitespace)
        };
        let mut lines = Vec::new();
        for (relation, held) in &found.held() {
            let held = *held;
            let (array, total) = match relation {
                rules::Relation::Count { array, total }
                | rules::Relation::Sum { array, total, .. } => (array, total),
            };
            if !plain(array) || !plain(total) || field(total).is_none_or(|n| n.types().len() != 1) {
                continue;
            }
            let evidence = format!(
                "# held in all {} payloads that had both sides",
                thousands(held)
            );
            match relation {
                rules::Relation::Count { .. } => {
                    if field(array).and_then(|n| n.array.as_ref()).is_none() {
                        continue;
                    }
                    lines.push(format!(
                        "  - count: /{array}/*\n    equals: /{total}  {evidence}\n"
                    ));
                }
                rules::Relation::Sum { term, .. } => {
                    let text = match term {
                        rules::Term::Field(f) if plain(f) && item(array, f) => {
                            format!("/{array}/*/{f}")
                        }
                        rules::Term::Product(a, b)
                            if plain(a) && plain(b) && item(array, a) && item(array, b) =>
                        {
                            format!("/{array}/*/{a} * /{array}/*/{b}")
                        }
                        _ => continue,
                    };
                    lines.push(format!(
                        "  - sum: [{}]\n    equals: /{total}  {evidence}\n",
                        quoted(&text)
                    ));
                }
            }
        }
        // Member names of letters, digits and `_.-` read the same unquoted in a flow list.
        let pointer = |p: &str| {
            let safe = p
                .trim_start_matches("-/")
                .trim_start_matches('/')
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
            if safe { p.to_string() } else { quoted(p) }
        };
        let declared =
            |name: &str| plain(name) && field(name).is_some_and(|n| n.types().len() == 1);
        for (balance, held) in found.balances.held(rules::MIN_HELD) {
            let (total, terms) = balance::written(&balance);
            if !declared(total) || !terms.iter().all(|(_, t)| declared(t)) {
                continue;
            }
            let shown: Vec<String> = terms
                .iter()
                .map(|(minus, t)| pointer(&format!("{}/{t}", if *minus { "-" } else { "" })))
                .collect();
            lines.push(format!(
                "  - sum: [{}]\n    equals: {}  # held in all {} {}s that had all three\n",
                shown.join(", "),
                pointer(&format!("/{total}")),
                thousands(held),
                self.options.payload()
            ));
        }
        if !lines.is_empty() {
            out.push_str("rules:\n");
            for l in lines {
                out.push_str(&l);
            }
        }
    }

    /// The repeated object shapes, each declared once with one profile of all its places.
    fn types(&self, out: &mut String) {
        if self.declared.is_empty() && self.cases.is_empty() {
            return;
        }
        out.push_str("types:\n");
        for d in &self.declared {
            let _ = writeln!(
                out,
                "  {}:  # one shape at {} places: {}",
                key(&d.name),
                d.places.len(),
                d.places
                    .iter()
                    .map(|p| in_comment(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            self.node(out, &d.node, 2, d.node.seen);
        }
        for c in &self.cases {
            let _ = writeln!(
                out,
                "  {}:  # the objects at {} whose {} is {}: {}",
                key(&c.name),
                in_comment(&c.place),
                in_comment(&c.member),
                quoted(&c.value),
                thousands(c.node.seen)
            );
            self.node(out, c.node, 2, c.node.seen);
        }
    }

    /// A union place: the discriminator, the evidence, and each value's declared type.
    fn union(&self, out: &mut String, c: &union::Cases, depth: usize) {
        let pad = indent(depth);
        let _ = writeln!(out, "{pad}one_of:");
        let _ = writeln!(
            out,
            "{pad}  discriminator: {}  # {}",
            key(&c.member),
            c.evidence
        );
        let _ = writeln!(out, "{pad}  cases:");
        for (value, node) in &c.list {
            let name = self
                .cases
                .iter()
                .find(|t| std::ptr::eq(t.node, node))
                .map_or("", |t| t.name.as_str());
            let _ = writeln!(
                out,
                "{pad}    {}: {}  # {} objects",
                key(value),
                key(name),
                thousands(node.seen)
            );
        }
    }

    /// The declared type a place's objects have, if their shape is repeated.
    fn declared(&self, node: &Node) -> Option<&Declared> {
        let sig = signature(node)?;
        self.declared.iter().find(|d| d.signature == sig)
    }

    /// A place of a declared type: its name, and what belongs to the use (null seen here).
    fn uses(&self, out: &mut String, node: &Node, d: &Declared, depth: usize) {
        let pad = indent(depth);
        let _ = writeln!(out, "{pad}type: {}", key(&d.name));
        if node.nulls > 0 {
            let _ = writeln!(
                out,
                "{pad}nullable: true  # null in {} of {}",
                thousands(node.nulls),
                thousands(node.seen)
            );
        }
    }

    fn fields(&self, out: &mut String, obj: &Object, depth: usize) {
        for (name, node) in &obj.fields {
            let present = node.seen;
            let _ = writeln!(out, "{}{}:", indent(depth), key(name));
            match self.declared(node) {
                Some(d) => self.uses(out, node, d, depth + 1),
                None => self.node(out, node, depth + 1, obj.count),
            }
            let pad = indent(depth + 1);
            if present == obj.count {
                let _ = writeln!(
                    out,
                    "{pad}required: true  # present in {} of {}",
                    thousands(present),
                    thousands(obj.count)
                );
            } else {
                let _ = writeln!(
                    out,
                    "{pad}# optional: present in {} of {}",
                    thousands(present),
                    thousands(obj.count)
                );
            }
        }
    }

    fn node(&self, out: &mut String, node: &Node, depth: usize, _parents: u64) {
        let pad = indent(depth);
        let types = node.types();
        // A CSV column of numbers or booleans: its cells are text, read by the declared type.
        let cell = match (self.options.cells, types.as_slice(), &node.strings) {
            (true, [("string", _)], Some(s)) => cell_type(s),
            _ => None,
        };
        match types.as_slice() {
            [] => {
                let _ = writeln!(out, "{pad}# only null seen: no type inferred");
            }
            [(one, _)] => {
                let _ = writeln!(out, "{pad}type: {}", cell.unwrap_or(one));
            }
            many => {
                let names: Vec<&str> = many.iter().map(|(n, _)| *n).collect();
                let seen: Vec<String> = many
                    .iter()
                    .map(|(n, c)| format!("{n} {}", thousands(*c)))
                    .collect();
                let _ = writeln!(
                    out,
                    "{pad}type: [{}]  # seen: {}",
                    names.join(", "),
                    seen.join(", ")
                );
            }
        }
        if node.nulls > 0 {
            let _ = writeln!(
                out,
                "{pad}nullable: true  # null in {} of {}",
                thousands(node.nulls),
                thousands(node.seen)
            );
        }
        let only = types.len() == 1;
        if !only && node.object.is_some() && self.options.closed {
            // `closed` reaches into nested objects; a union's objects have no fields inferred.
            let _ = writeln!(
                out,
                "{pad}closed: false  # a union: the members of its objects are not inferred"
            );
        }
        if let Some(s) = &node.strings
            && only
        {
            match cell {
                Some(ty) => self.cells(out, s, ty, depth),
                None => self.strings(out, s, depth),
            }
        }
        if let Some(n) = &node.numbers
            && only
        {
            self.numbers(out, n, depth);
        }
        if let Some(o) = &node.object
            && only
        {
            if let Some(c) = union_of(node) {
                self.union(out, c, depth);
                return;
            }
            if let Some(m) = o.as_map() {
                self.map(out, o, &m, depth);
                return;
            }
            if self.options.closed {
                let _ = writeln!(out, "{pad}closed: true");
            }
            if o.fields.is_empty() {
                let _ = writeln!(out, "{pad}# every object seen here was empty");
            } else {
                let _ = writeln!(out, "{pad}fields:");
                self.fields(out, o, depth + 1);
            }
        }
        if let Some(a) = &node.array
            && only
        {
            let sizes = format!(
                "{} to {} items over {} arrays",
                a.min_len,
                a.max_len,
                thousands(a.count)
            );
            let (lo, hi) = (a.min_len.to_string(), a.max_len.to_string());
            self.range(out, &pad, ("min_items", &lo), ("max_items", &hi), &sizes);
            if a.items.seen > 0 {
                let _ = writeln!(out, "{pad}items:");
                match self.declared(&a.items) {
                    Some(d) => self.uses(out, &a.items, d, depth + 1),
                    None => self.node(out, &a.items, depth + 1, a.count),
                }
            }
        }
    }

    /// An object whose member names are data: `values` for every member, and `keys` for the
    /// names when they share a format or a pattern. (Never `closed`: a map is not.)
    fn map(&self, out: &mut String, o: &Object, m: &Map, depth: usize) {
        let pad = indent(depth);
        let names = if m.keys.overflow {
            format!("more than {DISTINCT}")
        } else {
            thousands(m.keys.distinct.len() as u64)
        };
        let _ = writeln!(
            out,
            "{pad}# a map: {names} distinct member names over {} objects, names that are data (SKUs, dates, ids), not fields",
            thousands(o.count)
        );
        if let Some(i) = (0..FORMATS.len()).find(|&i| m.keys.formats[i] == m.keys.count) {
            let f = FORMATS[i];
            let _ = writeln!(
                out,
                "{pad}keys: {{format: {f}}}  # every name seen is {a} {f}",
                a = if f == "email" { "an" } else { "a" }
            );
        } else if let Shape::Runs(r) = &m.keys.shape {
            let _ = writeln!(
                out,
                "{pad}keys: {{pattern: {}}}  # matched by every name seen",
                quoted(&pattern_of(r))
            );
        }
        let _ = writeln!(out, "{pad}values:");
        self.node(out, &m.values, depth + 1, o.count);
    }

    fn strings(&self, out: &mut String, s: &Strings, depth: usize) {
        let pad = indent(depth);
        let n = thousands(s.count);
        let lengths = if s.min_chars == s.max_chars {
            format!("{} characters in every value", s.max_chars)
        } else {
            format!("{} to {} characters", s.min_chars, s.max_chars)
        };
        let drafted = |f: &str| match f {
            // An X12 element of two or three capitals is a qualifier code far more often than
            // a country or a currency (BEG02 `SA` is a stand-alone order, not Saudi Arabia).
            "country" | "currency" if self.options.x12.is_some() => false,
            // `CA`, `IL`, `GA` are countries and states alike: values that could all be US
            // states or Canadian provinces are no evidence of countries.
            "country" => {
                s.overflow
                    || !s
                        .distinct
                        .keys()
                        .all(|v| SUBDIVISIONS.contains(&v.as_str()))
            }
            _ => true,
        };
        if let Some(i) =
            (0..FORMATS.len()).find(|&i| s.formats[i] == s.count && drafted(FORMATS[i]))
        {
            let f = FORMATS[i];
            let _ = writeln!(out, "{pad}format: {f}  # {f}: {n} of {n} values");
            if f == "email" {
                let _ = writeln!(
                    out,
                    "{pad}sensitive: true  # an email address is a customer's data"
                );
            }
            return;
        }
        if s.max_bytes > 0 && looks_like_card(s) {
            let _ = writeln!(out, "{pad}sensitive: true  # card-number-like digits");
        }
        let distinct = s.distinct.len();
        if !s.overflow
            && distinct <= ENUM_MAX
            && s.count >= ENUM_SAMPLES_PER_VALUE * distinct as u64
        {
            let _ = writeln!(
                out,
                "{pad}enum:  # {distinct} value{} over {n} values (at most {ENUM_MAX}, and {ENUM_SAMPLES_PER_VALUE} samples per value)",
                if distinct == 1 { "" } else { "s" }
            );
            for (value, count) in &s.distinct {
                let _ = writeln!(out, "{pad}  - {}  # {}", quoted(value), thousands(*count));
            }
            return;
        }
        if let Some((lo, hi, true)) = s.decimals {
            if lo == hi {
                let _ = writeln!(
                    out,
                    "{pad}decimal: {{exactly: {lo}}}  # decimal places: {lo} in every value ({n})"
                );
            } else {
                let _ = writeln!(
                    out,
                    "{pad}decimal: {{at_most: {hi}}}  # decimal places: {lo} to {hi} over {n} values"
                );
            }
            let _ = writeln!(out, "{pad}# {lengths}");
            return;
        }
        if let Shape::Runs(r) = &s.shape
            && r.iter().any(|(c, ..)| *c == Class::Digit)
            && s.count >= 2
        {
            let pattern = pattern_of(r);
            let _ = writeln!(
                out,
                "{pad}pattern: {}  # matched {n} of {n}",
                quoted(&pattern)
            );
        }
        if self.options.ranges {
            let _ = writeln!(out, "{pad}{}", max_length(s.max_chars));
        } else {
            let _ = writeln!(out, "{pad}# {lengths}");
        }
    }

    /// A range as observed: with `--ranges` its two bounds as constraints, the evidence beside the
    /// first; otherwise the evidence alone, as a comment.
    fn range(
        &self,
        out: &mut String,
        pad: &str,
        (lo_key, lo): (&str, &str),
        (hi_key, hi): (&str, &str),
        evidence: &str,
    ) {
        if self.options.ranges {
            let _ = writeln!(out, "{pad}{lo_key}: {lo}  # {evidence}");
            let _ = writeln!(out, "{pad}{hi_key}: {hi}");
        } else {
            let _ = writeln!(out, "{pad}# {evidence}");
        }
    }

    /// A CSV column drafted `integer` or `boolean`: what its cells were.
    fn cells(&self, out: &mut String, s: &Strings, ty: &str, depth: usize) {
        let pad = indent(depth);
        let n = thousands(s.count);
        let (what, cells) = match self.options.x12 {
            Some(_) => ("X12 elements", "elements"),
            None => ("CSV cells", "cells"),
        };
        if ty == "boolean" {
            let _ = writeln!(out, "{pad}# {what}: true or false in {n} of {n}");
            return;
        }
        let (Some((_, least)), Some((_, greatest))) = (&s.least, &s.greatest) else {
            return;
        };
        let range = format!("{least} to {greatest} over {n} {cells}, every one a whole number");
        self.range(out, &pad, ("minimum", least), ("maximum", greatest), &range);
    }

    fn numbers(&self, out: &mut String, n: &Numbers, depth: usize) {
        let pad = indent(depth);
        let range = format!(
            "{} to {} over {} values",
            n.min_text,
            n.max_text,
            thousands(n.count)
        );
        self.range(
            out,
            &pad,
            ("minimum", &n.min_text),
            ("maximum", &n.max_text),
            &range,
        );
        if n.integers < n.count && n.places > 0 {
            let _ = writeln!(
                out,
                "{pad}decimal: {{at_most: {}}}  # at most {} decimal places seen",
                n.places, n.places
            );
        }
    }
}

fn looks_like_card(s: &Strings) -> bool {
    matches!(&s.shape, Shape::Runs(r) if r.len() == 1 && r[0].0 == Class::Digit && r[0].1 >= 13 && r[0].2 <= 19)
}

fn pattern_of(runs: &[(Class, usize, usize)]) -> String {
    let mut p = String::from("^");
    for (class, lo, hi) in runs {
        let set = match class {
            Class::Upper => "[A-Z]".to_string(),
            Class::Lower => "[a-z]".to_string(),
            Class::Digit => "[0-9]".to_string(),
            // `.` is the only one of the separators a regex reads as more than itself.
            Class::Literal('.') => "\\.".to_string(),
            Class::Literal(c) => c.to_string(),
        };
        p.push_str(&set);
        match (lo, hi) {
            _ if matches!(class, Class::Literal(_)) => {}
            (1, 1) => {}
            (a, b) if a == b => {
                let _ = write!(p, "{{{a}}}");
            }
            (a, b) => {
                let _ = write!(p, "{{{a},{b}}}");
            }
        }
    }
    p.push('$');
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn draft(payloads: &[Value]) -> String {
        Profile::of(payloads).draft(&Options {
            id: "orders".into(),
            ..Options::default()
        })
    }

    #[test]
    fn a_draft_says_what_each_constraint_was_drawn_from() {
        let orders: Vec<Value> = (0..8)
            .map(|i| {
                json!({
                    "sku": format!("ABC-{}", 10000 + i * 7),
                    "status": if i % 2 == 0 { "paid" } else { "pending" },
                    "price": format!("{}.{:02}", i + 1, i * 3),
                    "email": "a.b@example.com",
                    "note": if i == 3 { Value::Null } else { json!("x") },
                })
            })
            .collect();
        let text = draft(&orders);
        assert!(
            text.contains("    pattern: \"^[A-Z]{3}-[0-9]{5}$\"  # matched 8 of 8\n"),
            "{text}"
        );
        assert!(
            text.contains("    enum:  # 2 values over 8 values"),
            "{text}"
        );
        assert!(
            text.contains("    decimal: {exactly: 2}  # decimal places: 2 in every value (8)\n"),
            "{text}"
        );
        assert!(
            text.contains("    format: email  # email: 8 of 8 values\n    sensitive: true"),
            "{text}"
        );
        assert!(
            text.contains("    nullable: true  # null in 1 of 8\n"),
            "{text}"
        );
        assert!(
            text.contains("    required: true  # present in 8 of 8\n"),
            "{text}"
        );
        let (checker, diags) =
            crate::lint::prepare_text(std::path::Path::new("orders.yaml"), &text);
        let checker = checker.unwrap_or_else(|| panic!("{diags:?}\n{text}"));
        for o in &orders {
            assert!(
                checker.check(o.to_string().as_bytes()).is_empty(),
                "{o}\n{text}"
            );
        }
    }

    #[test]
    fn few_samples_are_not_an_enum_and_mixed_types_are_a_union() {
        let text = draft(&[
            json!({"code": "A1", "n": 1}),
            json!({"code": "B2", "n": "1"}),
        ]);
        assert!(!text.contains("enum"), "{text}");
        assert!(
            text.contains("type: [string, integer]  # seen: string 1, integer 1"),
            "{text}"
        );
    }

    fn accepted(text: &str, payloads: &[Value]) {
        let (checker, diags) = crate::lint::prepare_text(std::path::Path::new("d.yaml"), text);
        let checker = checker.unwrap_or_else(|| panic!("{diags:?}\n{text}"));
        assert!(diags.is_empty(), "{diags:?}\n{text}");
        for p in payloads {
            let f = checker.check(p.to_string().as_bytes());
            assert!(f.is_empty(), "{f:?}\n{text}");
        }
    }

    #[test]
    fn member_names_that_are_data_make_a_map() {
        // Stock per SKU: few names, each with a digit, one shape.
        let stock: Vec<Value> = (0..6)
            .map(|i| json!({"warehouse": "W1", "on_hand": {format!("TEE-{}", 1000 + i): i, format!("MUG-{}", 2000 + i): i + 1, format!("CAP-{}", 3000 + i): 2}}))
            .collect();
        let text = draft(&stock);
        assert!(text.contains("  on_hand:\n    type: object\n    # a map: 18 distinct member names over 6 objects, names that are data (SKUs, dates, ids), not fields\n    keys: {pattern: \"^[A-Z]{3}-[0-9]{4}$\"}  # matched by every name seen\n    values:\n      type: integer\n"), "{text}");
        assert!(!text.contains("TEE-1000:"), "{text}");
        accepted(&text, &stock);
        // A new SKU tomorrow is accepted too: that is what a map is for.
        accepted(
            &text,
            &[json!({"warehouse": "W1", "on_hand": {"HAT-4000": 1}})],
        );
        // Names without digits stay fields.
        let address = vec![json!({"a": {"line1": "x", "line2": "y", "city": "z"}}); 4];
        assert!(draft(&address).contains("      line1:\n"));
    }

    #[test]
    fn past_sixty_four_names_the_place_is_a_map_and_stays_bounded() {
        let daily: Vec<Value> = (0..200)
            .map(|i| json!({"by_day": {format!("2026-{:02}-{:02}", 1 + i / 28 % 12, 1 + i % 28): i}}))
            .collect();
        let mut p = Profile::new();
        for v in &daily {
            p.add(v);
        }
        let o = p.root.object.as_ref().unwrap().fields[0]
            .1
            .object
            .as_ref()
            .unwrap();
        assert!(
            o.fields.is_empty() && o.map.is_some(),
            "the names were folded"
        );
        let text = draft(&daily);
        assert!(text.contains("    keys: {format: date}  # every name seen is a date\n    values:\n      type: integer\n"), "{text}");
        accepted(&text, &daily);
        // Profiled in two halves and merged, the draft is the same.
        let (a, b) = daily.split_at(30);
        let (mut pa, mut pb) = (Profile::new(), Profile::new());
        a.iter().for_each(|v| pa.add(v));
        b.iter().for_each(|v| pb.add(v));
        pa.merge(pb);
        let options = Options {
            id: "orders".into(),
            ..Options::default()
        };
        assert_eq!(pa.draft(&options), text);
    }

    #[test]
    fn a_total_that_is_the_sum_of_its_lines_and_a_count_of_items_become_rules() {
        let orders: Vec<Value> = (1..=6u32)
            .map(|i| {
                let lines: Vec<Value> = (0..i % 3 + 1)
                    .map(|j| json!({"sku": format!("SKU-{}", 100 + j), "price": format!("{}.{:02}", j + 2, i * 7 % 100), "quantity": j + i}))
                    .collect();
                let total: rust_decimal::Decimal = lines
                    .iter()
                    .map(|l| {
                        l["price"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap()
                            * rust_decimal::Decimal::from(l["quantity"].as_u64().unwrap())
                    })
                    .sum();
                json!({"order_id": i, "lines": lines, "line_count": lines.len(), "total": total.to_string(), "tax": "0.00"})
            })
            .collect();
        let text = draft(&orders);
        assert!(
            text.contains("rules:\n  - count: /lines/*\n    equals: /line_count  # held in all 6 payloads that had both sides\n"),
            "{text}"
        );
        assert!(
            text.contains("  - sum: [\"/lines/*/price * /lines/*/quantity\"]\n    equals: /total  # held in all 6 payloads that had both sides\n"),
            "{text}"
        );
        // The order id is no total: one order's id happens to equal its lines' count, not all.
        assert!(!text.contains("equals: /order_id"), "{text}");
        assert!(!text.contains("equals: /tax"), "{text}");
        accepted(&text, &orders);
        // The rule is real: an order whose total is off by a cent is refused.
        let mut wrong = orders[0].clone();
        wrong["total"] = json!("0.01");
        assert_eq!(kinds(&text, &wrong), ["sum_mismatch"]);
        // Fewer than three payloads are not evidence enough.
        assert!(!draft(&orders[..2]).contains("rules:"));
    }

    #[test]
    fn a_number_that_is_the_sum_of_two_others_is_one_balance_rule() {
        let orders: Vec<Value> = (1..=8i64)
            .map(|i| {
                let subtotal = rust_decimal::Decimal::new(1000 + i * 137, 2);
                let tax = rust_decimal::Decimal::new(i * 11, 2);
                json!({
                    "order_id": i,
                    "subtotal": subtotal.to_string(),
                    "tax": tax.to_string(),
                    "total": (subtotal + tax).to_string(),
                    "discount": "0.00",
                    "shipping": if i % 2 == 0 { "4.99" } else { "0.00" },
                })
            })
            .collect();
        let text = draft(&orders);
        // One rule for the three forms (subtotal = total - tax is the same one), and none with
        // the discount, which was 0 in every order.
        assert!(
            text.contains("rules:\n  - sum: [/subtotal, /tax]\n    equals: /total  # held in all 8 payloads that had all three\n"),
            "{text}"
        );
        assert_eq!(text.matches("  - sum: ").count(), 1, "{text}");
        accepted(&text, &orders);
        let mut wrong = orders[2].clone();
        wrong["tax"] = json!("0.01");
        assert_eq!(kinds(&text, &wrong), ["sum_mismatch"]);
        // One order that breaks it, and there is no rule.
        let mut broken = orders.clone();
        broken[5]["total"] = json!("1.00");
        assert!(!draft(&broken).contains("rules:"), "{}", draft(&broken));
    }

    #[test]
    fn a_shape_seen_at_two_places_is_declared_once_and_used_by_name() {
        let address = |city: &str| json!({"line1": "1 Main St", "city": city, "zip": "94103"});
        let money = |amount: &str| json!({"amount": amount, "currency_code": "USD"});
        let payloads: Vec<Value> = (0..3)
            .map(|i| {
                json!({
                    "shipping_address": address("Oakland"),
                    "billing_address": if i == 0 { Value::Null } else { address("Berkeley") },
                    "total_price_set": money("12.50"),
                    "line_items": [{"sku": "MUG-1", "price_set": money("6.25")}],
                })
            })
            .collect();
        let text = draft(&payloads);
        assert!(
            text.contains("types:\n  address:  # one shape at 2 places: /billing_address, /shipping_address\n    type: object\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "  price_set:  # one shape at 2 places: /line_items/*/price_set, /total_price_set\n"
            ),
            "{text}"
        );
        // The use keeps what belongs to it: nullability, presence.
        assert!(
            text.contains("  billing_address:\n    type: address\n    nullable: true  # null in 1 of 3\n    required: true  # present in 3 of 3\n"),
            "{text}"
        );
        assert!(
            text.contains("        price_set:\n          type: price_set\n"),
            "{text}"
        );
        accepted(&text, &payloads);
        // One object of a shape is no type; nor is an object of one member.
        let single = draft(&[json!({"a": {"x": 1, "y": 2}, "b": {"x": 1}, "c": {"x": 2}})]);
        assert!(!single.contains("types:"), "{single}");
        assert_eq!(type_name(&["ship_to", "bill_to"]), "to");
        assert_eq!(type_name(&["origin", "destination"]), "origin");
        assert_eq!(type_name(&["2nd-leg", "x"]), "t_2nd_leg");
    }

    #[test]
    fn a_member_name_that_would_end_a_comment_is_quoted_in_it() {
        let odd = |i: u64| json!({"x": i, "y": "a"});
        let payloads: Vec<Value> = (0..2)
            .map(|i| json!({"ship\nto: {}": odd(i), "bill\u{202e}to": odd(i + 1)}))
            .collect();
        let text = draft(&payloads);
        assert!(
            text.contains(
                "  to:  # one shape at 2 places: \"/bill\\u202eto\", \"/ship\\nto: {}\"\n"
            ),
            "{text}"
        );
        accepted(&text, &payloads);
        assert_eq!(in_comment("/shipping_address"), "/shipping_address");
    }

    /// Webhook events whose `data.object` depends on `type`.
    fn events() -> Vec<Value> {
        (0..15)
            .map(|i| {
                let object = match i % 3 {
                    0 => json!({"id": format!("ch_{i}"), "amount": 100 + i, "paid": true, "receipt_email": format!("c{i}@example.com")}),
                    1 => json!({"id": format!("ch_{i}"), "amount": 100 + i, "amount_refunded": i, "refund_reason": "duplicate"}),
                    _ => json!({"id": format!("po_{i}"), "amount": 100 + i, "arrival_date": "2026-11-20", "method": "standard"}),
                };
                let kind = ["charge.succeeded", "charge.refunded", "payout.paid"][i % 3];
                json!({"id": format!("evt_{i}"), "type": kind, "data": {"object": object}})
            })
            .collect()
    }

    #[test]
    fn a_member_whose_value_decides_the_others_is_a_union_with_a_type_per_case() {
        let payloads = events();
        let first = {
            let mut p = Profile::new();
            payloads.iter().for_each(|v| p.add(v));
            p
        };
        let unions = first.unions().expect("a union");
        assert_eq!(unions.places(), vec![("/".to_string(), "type".to_string())]);
        let text = draft(&payloads);
        assert!(
            text.contains("one_of:\n  discriminator: type  # 3 values; 6 members in every object of one value and in none of another: /data/object/paid, /data/object/receipt_email, /data/object/amount_refunded, /data/object/refund_reason, ...\n  cases:\n    charge.succeeded: charge_succeeded  # 5 objects\n    charge.refunded: charge_refunded  # 5 objects\n    payout.paid: payout_paid  # 5 objects\nfields: {}  # every member is in its case's type\n"),
            "{text}"
        );
        // Each case is profiled from its own objects only.
        assert!(
            text.contains("  payout_paid:  # the objects at / whose type is \"payout.paid\": 5\n    type: object\n"),
            "{text}"
        );
        assert!(
            text.contains("              arrival_date:\n                type: string\n                format: date  # date: 5 of 5 values\n                required: true  # present in 5 of 5\n"),
            "{text}"
        );
        assert!(
            !text.contains("optional"),
            "every member is required in its case\n{text}"
        );
        accepted(&text, &payloads);
        let (checker, _) = crate::lint::prepare_text(std::path::Path::new("d.yaml"), &text);
        let checker = checker.unwrap();
        // A new event type, and a charge without its receipt address, are caught.
        let unknown =
            checker.check(br#"{"id":"evt_1","type":"charge.failed","data":{"object":{}}}"#);
        assert_eq!(unknown.len(), 1, "{unknown:?}");
        assert_eq!(unknown[0].kind.id(), "unknown_enum_value");
        let missing = checker.check(br#"{"id":"evt_1","type":"charge.succeeded","data":{"object":{"id":"ch_1","amount":101,"paid":true}}}"#);
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert_eq!(missing[0].kind.id(), "missing_required");
        assert!(
            missing[0].message.contains("charge.succeeded"),
            "{missing:?}"
        );
        // Chunks profiled apart and merged give the same draft, in both passes.
        let options = Options {
            id: "orders".into(),
            ..Options::default()
        };
        let mut merged = Profile::split(&unions);
        for chunk in payloads.chunks(4) {
            let mut part = merged.fresh();
            chunk.iter().for_each(|v| part.add(v));
            merged.merge(part);
        }
        assert_eq!(merged.draft(&options), text);
        let mut first_merged = Profile::new();
        for chunk in payloads.chunks(2) {
            let mut part = Profile::new();
            chunk.iter().for_each(|v| part.add(v));
            first_merged.merge(part);
        }
        assert_eq!(first_merged.unions(), Some(unions));
    }

    #[test]
    fn an_object_only_one_status_has_is_no_union_and_a_place_below_the_top_can_be_one() {
        // A refund object appears with one status: one difference, where it starts; not a union.
        let orders: Vec<Value> = (0..12)
            .map(|i| {
                if i % 2 == 0 {
                    json!({"id": i, "status": "paid"})
                } else {
                    json!({"id": i, "status": "refunded", "refund": {"id": format!("re_{i}"), "amount": i}})
                }
            })
            .collect();
        let text = draft(&orders);
        assert!(!text.contains("one_of"), "{text}");
        assert!(
            text.contains("    # optional: present in 6 of 12\n"),
            "{text}"
        );
        // Lines of a cart whose members depend on their kind: a union at /lines/*.
        let carts: Vec<Value> = (0..4)
            .map(|i| {
                json!({"cart": i, "lines": [
                    {"kind": "product", "sku": format!("SKU-{i}00"), "quantity": i + 1},
                    {"kind": "shipping", "carrier": "UPS", "service": "ground"},
                ]})
            })
            .collect();
        let text = draft(&carts);
        assert!(
            text.contains("    items:\n      type: object\n      one_of:\n        discriminator: kind  # 2 values; 4 members in every object of one value and in none of another: /quantity, /sku, /carrier, /service\n        cases:\n          product: line_product  # 4 objects\n          shipping: line_shipping  # 4 objects\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "  line_shipping:  # the objects at /lines/* whose kind is \"shipping\": 4\n"
            ),
            "{text}"
        );
        accepted(&text, &carts);
        // A discriminator needs four objects per value, like an enum.
        let few = draft(&carts[..3]);
        assert!(!few.contains("one_of"), "{few}");
    }

    #[test]
    fn a_member_name_in_a_union_s_evidence_cannot_end_its_comment() {
        let payloads: Vec<Value> = (0..8)
            .map(|i| {
                if i % 2 == 0 {
                    json!({"kind": "a", "x\nfields: {}": i, "p": i})
                } else {
                    json!({"kind": "b", "q": i, "r": i})
                }
            })
            .collect();
        let text = draft(&payloads);
        assert!(
            text.contains("  discriminator: kind  # 2 values; 4 members in every object of one value and in none of another: /p, \"/x\\nfields: {}\", /q, /r\n"),
            "{text}"
        );
        accepted(&text, &payloads);
    }

    #[test]
    fn a_union_is_found_past_the_number_of_shapes_kept_at_once() {
        // Ten optional members give each object one of 1,024 shapes: their counts are spread
        // onto the paths whenever the table of shapes is full, and the answer is the same.
        let payloads: Vec<Value> = (0..2048u32)
            .map(|i| {
                let mut o = if i % 2 == 0 {
                    json!({"kind": "card", "last4": "4242", "brand": "visa"})
                } else {
                    json!({"kind": "bank", "iban": "DE89", "bic": "COBADEFF"})
                };
                for bit in 0..10 {
                    if (i >> 1) & (1 << bit) != 0 {
                        o[format!("opt{bit}")] = json!(bit);
                    }
                }
                o
            })
            .collect();
        let text = draft(&payloads);
        assert!(
            text.contains("  discriminator: kind  # 2 values; 4 members in every object of one value and in none of another: /brand, /last4, /bic, /iban\n"),
            "{text}"
        );
        assert_eq!(
            text.matches("# optional: present in 512 of 1,024\n")
                .count(),
            20,
            "{text}"
        );
        accepted(&text, &payloads);
    }

    #[test]
    fn codes_that_could_all_be_states_are_no_country_format() {
        let with = |states: &[&str]| {
            let payloads: Vec<Value> = (0..12)
                .map(|i| json!({"region": states[i % states.len()]}))
                .collect();
            draft(&payloads)
        };
        // California, Illinois and Georgia, or Canada, Israel and Georgia: an enum, not ISO.
        let text = with(&["CA", "IL", "GA"]);
        assert!(!text.contains("format: country"), "{text}");
        assert!(
            text.contains("    enum:  # 3 values over 12 values"),
            "{text}"
        );
        // Germany and the UK are no states (DE is also Delaware, GB is not a state).
        let text = with(&["DE", "GB"]);
        assert!(
            text.contains("    format: country  # country: 12 of 12 values\n"),
            "{text}"
        );
    }

    #[test]
    fn a_length_limit_is_the_next_common_column_width() {
        assert_eq!(
            max_length(33),
            "max_length: 35  # longest seen 33; 35 is a common column width"
        );
        assert_eq!(
            max_length(255),
            "max_length: 255  # longest seen 255, a common column width"
        );
        assert_eq!(max_length(9000), "max_length: 9000  # longest seen 9000");
    }

    /// The kinds of the findings a draft's contract gives one payload.
    fn kinds(text: &str, payload: &Value) -> Vec<&'static str> {
        let (checker, diags) = crate::lint::prepare_text(std::path::Path::new("d.yaml"), text);
        checker
            .unwrap_or_else(|| panic!("{diags:?}\n{text}"))
            .check(payload.to_string().as_bytes())
            .iter()
            .map(|f| f.kind.id())
            .collect()
    }

    fn shape_of(values: &[String]) -> Shape {
        let mut shape = Shape::Unseen;
        for v in values {
            shape.take(v);
        }
        shape
    }

    proptest::proptest! {
        #[test]
        fn runs_joined_in_place_agree_with_joining_each_value_s_runs(
            values in proptest::collection::vec("[A-C0-2a-b./#é -]{0,6}", 1..6)
        ) {
            let mut want = Shape::Unseen;
            for v in &values {
                let this = match runs(v) {
                    Some(r) => Shape::Runs(r.into_iter().map(|(c, n)| (c, n, n)).collect()),
                    None => Shape::None,
                };
                want = joined(want, this);
            }
            proptest::prop_assert_eq!(shape_of(&values), want);
        }
    }
}
