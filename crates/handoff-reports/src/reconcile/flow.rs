//! The flow model: what one business entity (a return, an order, a refund) looks like in each
//! system that speaks of it, which values mean the same business state, and what each system
//! owes the others and by when. Read from YAML by [`super::read`], checked against the
//! contracts by [`super::validate`].

use handoff_core::yaml::Span;
use regex::Regex;
use rust_decimal::Decimal;
use serde_json::Value;
use std::path::PathBuf;

/// One flow: an entity followed across systems.
#[derive(Debug, Clone)]
pub struct Flow {
    pub name: String,
    pub version: Option<semver::Version>,
    /// What the key names: `return`, `order`, `refund`.
    pub entity: String,
    pub description: Option<String>,
    /// The file it was read from (handoff.yaml or a file under flows/), for diagnostics.
    pub file: PathBuf,
    pub span: Span,
    pub systems: Vec<System>,
    /// Business states in lifecycle order: a later state implies the earlier ones.
    pub states: Vec<State>,
    pub expect: Vec<Expectation>,
    /// How far two systems' clocks may disagree before a counterpart that seems to precede its
    /// trigger is reported as clock skew (and how much later than the deadline it may arrive).
    pub clock_skew: i64,
    /// How long two systems may disagree on an entity's state before it is a gap.
    pub settle: i64,
    /// The systems where an entity may begin (indexes into `systems`): an entity only one other
    /// system knows is an orphan.
    pub starts: Vec<usize>,
}

/// One system's messages about the entity: which contract they follow and where each value is.
#[derive(Debug, Clone)]
pub struct System {
    pub name: String,
    pub span: Span,
    /// A contract reference (`id@^1`), resolved in the project's registry.
    pub contract: String,
    pub contract_span: Span,
    /// Capture files, directories or globs, relative to the project.
    pub inputs: Vec<String>,
    pub key: KeySpec,
    /// What the key must always name (an order number): the same key with two identities is
    /// a key reused for two entities.
    pub identity: Option<KeySpec>,
    pub time: TimeSpec,
    pub state: Option<Pointer>,
    pub amount: Option<Pointer>,
    pub currency: Option<Currency>,
    /// Amounts are integers in the currency's minor units (cents).
    pub minor_units: bool,
    /// A message id: the same id twice is a redelivery.
    pub id: Option<Pointer>,
}

/// A JSON Pointer into the system's payloads, and where the flow wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct Pointer {
    pub pointer: String,
    pub span: Span,
    /// The pointer's reference tokens, unescaped once: every message reads several pointers,
    /// and `Value::pointer` would split and unescape them each time. `None` for text that is
    /// not a pointer (which names nothing).
    tokens: Option<Vec<String>>,
}

impl Pointer {
    pub fn new(pointer: String, span: Span) -> Pointer {
        // "" is the whole document; every other pointer starts with `/` (the reader insists).
        let tokens = match pointer.strip_prefix('/') {
            Some(rest) => Some(
                rest.split('/')
                    .map(handoff_core::pointer::unescape)
                    .collect(),
            ),
            None if pointer.is_empty() => Some(Vec::new()),
            None => None,
        };
        Pointer {
            pointer,
            span,
            tokens,
        }
    }

    /// The value the pointer names in `value`, as `Value::pointer` would find it.
    pub fn get<'v>(&self, value: &'v Value) -> Option<&'v Value> {
        self.tokens
            .as_ref()?
            .iter()
            .try_fold(value, |v, token| match v {
                Value::Object(map) => map.get(token),
                Value::Array(items) => token
                    .parse::<usize>()
                    .ok()
                    .filter(|_| {
                        !token.starts_with('+') && (token == "0" || !token.starts_with('0'))
                    })
                    .and_then(|i| items.get(i)),
                _ => None,
            })
    }
}

/// Where the correlation key is, and how to bring it to the flow's one spelling.
#[derive(Debug, Clone)]
pub struct KeySpec {
    pub pointer: Pointer,
    /// Further places the key may be, tried in order after `pointer` (a system that puts it in
    /// different fields by message type).
    pub alternatives: Vec<Pointer>,
    pub case: Option<Case>,
    /// Prefixes removed (the first that matches, after case folding).
    pub strip_prefix: Vec<String>,
    pub strip_leading_zeros: bool,
    /// What a normalised key must look like; others are malformed.
    pub pattern: Option<Regex>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Upper,
    Lower,
}

/// Where a message's time is: one pointer holding an RFC 3339 instant, pointers whose values
/// joined by a space read with `format` (strftime or epoch) in its `zone`, or the capture's
/// metadata.
#[derive(Debug, Clone)]
pub struct TimeSpec {
    /// Empty when the time is the capture file's (`capture: file_modified`).
    pub pointers: Vec<Pointer>,
    pub format: Option<TimeFormat>,
    /// Where times written without an offset were written; `None` when the flow does not
    /// say (a layout without `%z` is then read as UTC, an ISO local time is not read).
    pub zone: Option<Zone>,
    /// The message carries no time of its own: the capture file's modification time stands
    /// for it (a nightly export stamped when it was written).
    pub file_modified: bool,
}

/// How a time's text is read, when it is not RFC 3339.
#[derive(Debug, Clone, PartialEq)]
pub enum TimeFormat {
    /// A strftime layout of the pointers' values joined by a space.
    Layout(String),
    /// Whole (or fractional) seconds since the Unix epoch, as payment processors send `created`.
    UnixSeconds,
    /// Milliseconds since the Unix epoch, as JavaScript's `Date.now()` writes them.
    UnixMilliseconds,
}

impl TimeFormat {
    /// A count since the Unix epoch: an instant, so no zone applies.
    pub fn is_epoch(&self) -> bool {
        matches!(self, TimeFormat::UnixSeconds | TimeFormat::UnixMilliseconds)
    }
}

impl std::fmt::Display for TimeFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimeFormat::Layout(layout) => f.write_str(layout),
            TimeFormat::UnixSeconds => f.write_str("unix_seconds"),
            TimeFormat::UnixMilliseconds => f.write_str("unix_milliseconds"),
        }
    }
}

/// The clock a local time (one written without an offset) was read on.
#[derive(Debug, Clone)]
pub enum Zone {
    /// A fixed offset, in seconds east of UTC (`utc_offset`).
    Offset(i32),
    /// A named IANA zone (`time_zone`), whose offset changes with daylight saving time.
    Named(String, jiff::tz::TimeZone),
}

impl Zone {
    /// The option a user would correct when this system's times are read an hour off.
    pub fn setting(&self) -> &'static str {
        match self {
            Zone::Offset(_) => "utc_offset",
            Zone::Named(..) => "time_zone",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Currency {
    Pointer(Pointer),
    /// Every message of the system is in this currency.
    Fixed(String),
}

/// One business state, and what each system sends when the entity is in it.
#[derive(Debug, Clone)]
pub struct State {
    pub name: String,
    pub span: Span,
    /// Per system (index into `Flow::systems`): the alternatives, any of which means this state.
    pub values: Vec<(usize, Vec<Match>)>,
}

/// A system's way of saying a state.
#[derive(Debug, Clone, PartialEq)]
pub enum Match {
    /// The system's `state` value is this.
    Value(String, Span),
    /// Every pointer holds its value (`{/event_code: REFUND, /success: "true"}`).
    All(Vec<(Pointer, String)>),
}

/// What one system owes another: when `when` happens, `then` follows within `within` seconds.
#[derive(Debug, Clone)]
pub struct Expectation {
    /// The failure zone this expectation guards, as the reports name it.
    pub name: String,
    pub span: Span,
    pub when: Step,
    pub then: Step,
    pub within: i64,
    /// The two messages' amounts must agree (decimal, after minor units are converted).
    pub amounts: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub system: usize,
    /// A state index, or `None` for any message of the system.
    pub state: Option<usize>,
}

impl Flow {
    /// The flow as reports name it: `returns@1.0.0`, or just the name.
    pub fn reference(&self) -> String {
        match &self.version {
            Some(v) => format!("{}@{v}", self.name),
            None => self.name.clone(),
        }
    }

    /// The business state a payload of `system` is in, by the first state (in lifecycle order)
    /// one of whose alternatives matches.
    pub fn state_of(
        &self,
        system: usize,
        payload: &Value,
        usable: impl Fn(&str) -> bool,
    ) -> Option<usize> {
        let raw = self.systems[system]
            .state
            .as_ref()
            .filter(|p| usable(&p.pointer))
            .and_then(|p| scalar_text(p.get(payload)?));
        self.states.iter().position(|state| {
            state
                .values
                .iter()
                .filter(|(s, _)| *s == system)
                .flat_map(|(_, alternatives)| alternatives)
                .any(|m| match m {
                    Match::Value(v, _) => raw.as_deref() == Some(v.as_str()),
                    Match::All(conditions) => conditions.iter().all(|(p, v)| {
                        usable(&p.pointer)
                            && p.get(payload)
                                .and_then(scalar_text)
                                .is_some_and(|t| &t == v)
                    }),
                })
        })
    }

    /// Whether `system` has states at all: a message of it that matches none is unmapped.
    /// Whether an expectation with `amounts: equal` compares `system`'s amounts: only then is
    /// an amount it cannot read a gap.
    pub fn compares_amounts(&self, system: usize) -> bool {
        self.expect
            .iter()
            .any(|e| e.amounts && (e.when.system == system || e.then.system == system))
    }

    pub fn maps_states(&self, system: usize) -> bool {
        self.systems[system].state.is_some()
            || self
                .states
                .iter()
                .any(|s| s.values.iter().any(|(i, _)| *i == system))
    }

    /// Whether `system` has a way to say state `state`.
    pub fn expresses(&self, system: usize, state: usize) -> bool {
        self.states[state].values.iter().any(|(s, _)| *s == system)
    }

    pub fn describe_step(&self, step: Step) -> String {
        let system = &self.systems[step.system].name;
        match step.state {
            Some(s) => format!("{system} `{}`", self.states[s].name),
            None => format!("{system} (any message)"),
        }
    }
}

impl KeySpec {
    /// Where the key is in `payload`: the first pointer that holds a value, else the first
    /// pointer (and what it holds, null or nothing).
    pub fn locate<'v>(&self, payload: &'v Value) -> (&Pointer, Option<&'v Value>) {
        std::iter::once(&self.pointer)
            .chain(&self.alternatives)
            .find_map(|p| {
                p.get(payload)
                    .filter(|v| !v.is_null())
                    .map(|v| (p, Some(v)))
            })
            .unwrap_or_else(|| (&self.pointer, self.pointer.get(payload)))
    }

    /// Every place the key may be.
    pub fn pointers(&self) -> impl Iterator<Item = &Pointer> {
        std::iter::once(&self.pointer).chain(&self.alternatives)
    }

    /// The key in the flow's one spelling, or why it has none.
    pub fn normalise(&self, raw: &str) -> Result<String, KeyError> {
        let mut key = raw.trim().to_string();
        match self.case {
            Some(Case::Upper) => key = key.to_uppercase(),
            Some(Case::Lower) => key = key.to_lowercase(),
            None => {}
        }
        if let Some(rest) = self
            .strip_prefix
            .iter()
            .find_map(|p| key.strip_prefix(p.as_str()))
        {
            key = rest.to_string();
        }
        if self.strip_leading_zeros {
            let trimmed = key.trim_start_matches('0');
            key = if trimmed.is_empty() && !key.is_empty() {
                "0".into()
            } else {
                trimmed.to_string()
            };
        }
        if key.is_empty() {
            return Err(KeyError::Empty);
        }
        if let Some(pattern) = &self.pattern
            && !pattern.is_match(&key)
        {
            return Err(KeyError::NoMatch {
                key,
                pattern: pattern.as_str().to_string(),
            });
        }
        Ok(key)
    }
}

/// Why a key has no spelling in the flow.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyError {
    Empty,
    /// The key as normalised, which holds the value sent: shown through [`KeyError::describe`].
    NoMatch {
        key: String,
        pattern: String,
    },
}

impl KeyError {
    /// The reason, with the normalised key as `shown` lets a report show it (a sensitive key
    /// stays hidden here too).
    pub fn describe(&self, shown: impl Fn(&str) -> String) -> String {
        match self {
            KeyError::Empty => "nothing is left of it once normalised".into(),
            KeyError::NoMatch { key, pattern } => {
                format!(
                    "normalised to `{}`, which does not match `{pattern}`",
                    shown(key)
                )
            }
        }
    }
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe(str::to_string))
    }
}

/// A scalar as text: strings as they are, numbers and booleans as JSON writes them.
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A duration as the flow writes it: `90s`, `30m`, `2h`, `1d`, `1w`, or several (`1h30m`).
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let bad = || {
        format!(
            "`{text}` is not a duration: write a number and a unit (s, m, h, d, w), such as 2h or 1h30m"
        )
    };
    let mut total: i64 = 0;
    let mut digits = String::new();
    let mut any = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        let n: i64 = digits.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        digits.clear();
        any = true;
    }
    if !digits.is_empty() || !any {
        return Err(bad());
    }
    Ok(total)
}

/// A duration for people: `2h`, `1d 3h`, `45m 10s`.
pub fn show_duration(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let mut rest = seconds.unsigned_abs();
    if rest == 0 {
        return "0s".into();
    }
    let mut parts = Vec::new();
    for (unit, name) in [(86_400, "d"), (3600, "h"), (60, "m"), (1, "s")] {
        if rest >= unit {
            parts.push(format!("{}{name}", rest / unit));
            rest %= unit;
        }
        if parts.len() == 2 {
            break;
        }
    }
    format!("{sign}{}", parts.join(" "))
}

/// The decimal places of a currency's minor unit (ISO 4217): 2 unless listed.
pub fn minor_unit_places(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        "CLF" | "UYW" => 4,
        _ => 2,
    }
}

/// An amount as sent, read exactly: a decimal string or JSON number, converted from minor units
/// when the system sends those.
pub fn read_amount(
    value: &Value,
    minor_units: bool,
    currency: Option<&str>,
) -> Result<Decimal, String> {
    let text = match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => return Err("null is not an amount".into()),
        _ => return Err("a list or an object is not an amount".into()),
    };
    let mut amount = Decimal::from_str_exact(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .map_err(|_| format!("`{text}` is not a decimal amount"))?;
    if minor_units {
        if amount.fract() != Decimal::ZERO {
            return Err(format!("`{text}` is not a whole number of minor units"));
        }
        let places = currency.map_or(2, minor_unit_places);
        amount
            .set_scale(amount.scale() + places)
            .map_err(|e| e.to_string())?;
    }
    Ok(amount.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(case: Option<Case>, prefixes: &[&str], zeros: bool, pattern: Option<&str>) -> KeySpec {
        KeySpec {
            pointer: Pointer::new("/k".into(), Span::default()),
            alternatives: Vec::new(),
            case,
            strip_prefix: prefixes.iter().map(|s| s.to_string()).collect(),
            strip_leading_zeros: zeros,
            pattern: pattern.map(|p| Regex::new(p).unwrap()),
        }
    }

    #[test]
    fn keys_from_three_systems_meet_in_one_spelling() {
        let portal = key(None, &["RMA"], true, Some("^[0-9]+$"));
        let psp = key(Some(Case::Upper), &["RMA-"], true, Some("^[0-9]+$"));
        let erp = key(None, &[], true, Some("^[0-9]+$"));
        assert_eq!(portal.normalise("RMA00012345").unwrap(), "12345");
        assert_eq!(psp.normalise("rma-00012345").unwrap(), "12345");
        assert_eq!(erp.normalise(" 12345").unwrap(), "12345");
        assert_eq!(erp.normalise("000").unwrap(), "0");
        assert_eq!(
            portal.normalise("RMA12A45").unwrap_err().to_string(),
            "normalised to `12A45`, which does not match `^[0-9]+$`"
        );
        assert_eq!(
            portal.normalise("RMA").unwrap_err().to_string(),
            "nothing is left of it once normalised"
        );
    }

    #[test]
    fn a_key_is_found_in_the_first_place_that_holds_one() {
        use serde_json::json;
        let mut spec = key(None, &[], false, None);
        spec.alternatives = vec![Pointer::new("/b".into(), Span::default())];
        let at = |payload: Value| {
            let (p, v) = spec.locate(&payload);
            (p.pointer.clone(), v.cloned())
        };
        assert_eq!(
            at(json!({"k": "A", "b": "B"})),
            ("/k".into(), Some(json!("A")))
        );
        assert_eq!(
            at(json!({"k": null, "b": "B"})),
            ("/b".into(), Some(json!("B")))
        );
        assert_eq!(at(json!({"b": 7})), ("/b".into(), Some(json!(7))));
        assert_eq!(at(json!({"k": null})), ("/k".into(), Some(Value::Null)));
        assert_eq!(at(json!({})), ("/k".into(), None));
    }

    #[test]
    fn durations_read_and_print() {
        assert_eq!(parse_duration("2h").unwrap(), 7200);
        assert_eq!(parse_duration("1h30m").unwrap(), 5400);
        assert_eq!(parse_duration("1d").unwrap(), 86_400);
        assert!(parse_duration("2 hours").is_err());
        assert!(parse_duration("15").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("99999999999999999999h").is_err());
        assert_eq!(show_duration(5400), "1h 30m");
        assert_eq!(show_duration(93_784), "1d 2h");
        assert_eq!(show_duration(-45), "-45s");
    }

    #[test]
    fn amounts_are_exact_and_minor_units_follow_the_currency() {
        use serde_json::json;
        let d = |s: &str| Decimal::from_str_exact(s).unwrap().normalize();
        assert_eq!(
            read_amount(&json!("19.90"), false, None).unwrap(),
            d("19.9")
        );
        assert_eq!(
            read_amount(&json!(1990), true, Some("USD")).unwrap(),
            d("19.90")
        );
        assert_eq!(
            read_amount(&json!(1990), true, Some("JPY")).unwrap(),
            d("1990")
        );
        assert_eq!(
            read_amount(&json!(1990), true, Some("KWD")).unwrap(),
            d("1.990")
        );
        assert_eq!(
            read_amount(&json!(19.5), true, Some("USD")).unwrap_err(),
            "`19.5` is not a whole number of minor units"
        );
        assert_eq!(
            read_amount(&json!("$19.90"), false, None).unwrap_err(),
            "`$19.90` is not a decimal amount"
        );
    }
}
