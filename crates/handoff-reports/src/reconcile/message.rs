//! One captured payload as the flow sees it: its system, its entity key in the flow's one
//! spelling, its time, its business state, its amount and currency. A payload that fails its
//! contract keeps its findings and contributes only the values no finding touches.

use super::flow::{
    Currency, Flow, KeySpec, System, TimeFormat, Zone, read_amount, scalar_text, show_duration,
};
use super::gaps::{Evidence, Gap, GapKind};
use handoff_core::finding::Finding;
use serde_json::Value;

/// What the flow reads from one payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub system: usize,
    /// Position in the order messages were read, so equal times keep reading order.
    pub seq: u64,
    pub key: String,
    pub raw_key: String,
    /// Seconds since the Unix epoch.
    pub time: Option<i64>,
    pub raw_time: Option<String>,
    pub state: Option<usize>,
    pub raw_state: Option<String>,
    /// The amount in major units, exactly (`rust_decimal`), as text.
    pub amount: Option<String>,
    pub raw_amount: Option<String>,
    pub currency: Option<String>,
    pub id: Option<String>,
    pub identity: Option<String>,
    pub file: String,
    pub line: Option<u64>,
    /// How many contract findings the payload has.
    pub findings: u32,
    /// Its local time names two instants or none (a daylight saving change): read, but not
    /// certain.
    pub ambiguous_time: bool,
}

impl Message {
    /// The message-level gaps this message had when it was read (they are counted then; the
    /// entity's judge needs only their kinds, and they follow from the message itself).
    pub fn own_gap_kinds(&self, flow: &Flow) -> impl Iterator<Item = GapKind> {
        let no_time = self.time.is_none();
        let unmapped = self.state.is_none() && flow.maps_states(self.system);
        let unreadable = self.amount.is_none()
            && self.raw_amount.is_some()
            && flow.compares_amounts(self.system);
        [
            no_time.then_some(GapKind::MissingTime),
            self.ambiguous_time.then_some(GapKind::AmbiguousTime),
            unmapped.then_some(GapKind::UnmappedState),
            unreadable.then_some(GapKind::UnreadableAmount),
        ]
        .into_iter()
        .flatten()
    }

    pub fn source(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.file),
            None => self.file.clone(),
        }
    }

    /// This message as evidence in a gap.
    pub fn evidence(&self, flow: &Flow) -> Evidence {
        Evidence {
            system: flow.systems[self.system].name.clone(),
            source: self.source(),
            key: self.raw_key.clone(),
            time: self.time.map(show_time),
            state: self.state.map(|s| flow.states[s].name.clone()),
            sent_state: self.raw_state.clone(),
            amount: self.amount.clone(),
            sent_amount: self.raw_amount.clone(),
            currency: self.currency.clone(),
            id: self.id.clone(),
            identity: self.identity.clone(),
            findings: self.findings,
        }
    }
}

/// A value a report may not show, as it is shown: a fingerprint, the same for the same value
/// within one run (salted per run, so it cannot be looked up across runs or guessed from a
/// table of likely values kept elsewhere).
pub fn hidden(value: &str) -> String {
    use sha2::{Digest, Sha256};
    static SALT: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
    let salt = SALT.get_or_init(|| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Sha256::digest(format!("{now}:{}:{:p}", std::process::id(), &now).as_bytes()).into()
    });
    let digest = Sha256::new()
        .chain_update(salt)
        .chain_update(value.as_bytes())
        .finalize();
    let short: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("(a value not shown #{short})")
}

/// An instant for reports: RFC 3339 in UTC, to the second.
pub fn show_time(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds).map_or_else(|_| seconds.to_string(), |t| t.to_string())
}

/// Where a payload came from.
#[derive(Debug, Clone)]
pub struct Origin {
    pub file: String,
    pub line: Option<u64>,
    pub seq: u64,
    /// The capture file's modification time, for systems whose messages carry none.
    pub file_modified: Option<i64>,
}

/// A payload read into a message, and the message-level gaps found on the way (no key, a key
/// that does not normalise, no time, a state the flow does not map).
pub fn extract(
    flow: &Flow,
    system_index: usize,
    payload: &Value,
    findings: &[Finding],
    origin: Origin,
    shown: &dyn Fn(&str, &str) -> String,
) -> (Option<Message>, Vec<Gap>) {
    let system = &flow.systems[system_index];
    // A value a finding points at (or inside) was not what the contract promised: not used.
    let usable = |pointer: &str| {
        !findings.iter().any(|f| {
            f.pointer == pointer
                || f.pointer.is_empty() && f.kind.is_payload_level()
                || pointer.starts_with(&format!("{}/", f.pointer))
                || f.pointer.starts_with(&format!("{pointer}/"))
        })
    };
    let mut gaps = Vec::new();
    let source = match origin.line {
        Some(line) => format!("{}:{line}", origin.file),
        None => origin.file.clone(),
    };
    let issue = |kind: GapKind, message: String, expected: String| Gap {
        kind,
        flow: flow.reference(),
        entity: None,
        systems: vec![system.name.clone()],
        zone: None,
        message,
        expected,
        evidence: vec![Evidence::bare(&system.name, &source)],
        delay: None,
        deadline: None,
        fix: String::new(),
    };
    let (located, found) = system.key.locate(payload);
    let key_pointer = &located.pointer;
    let raw_key = found.and_then(scalar_text);
    let (key, raw_key) = match raw_key {
        Some(raw) if usable(key_pointer) => match system.key.normalise(&raw) {
            Ok(key) => (key, raw),
            Err(error) => {
                let why = error.describe(|key| shown(key_pointer, key));
                let mut gap = issue(
                    GapKind::MalformedKey,
                    format!("{} key `{}` at {key_pointer}: {why}", system.name, shown(key_pointer, &raw)),
                    describe_key(&system.key),
                )
                .with_fix(format!(
                    "if {} spells the key differently by design, teach the flow its spelling (case, strip_prefix, strip_leading_zeros under `key`); otherwise fix the key at {}",
                    system.name, system.name
                ));
                gap.evidence[0].key = shown(key_pointer, &raw);
                gaps.push(gap);
                return (None, gaps);
            }
        },
        Some(raw) => {
            let kinds: Vec<&str> = findings
                .iter()
                .filter(|f| f.pointer == *key_pointer)
                .map(|f| f.kind.id())
                .collect();
            let mut gap = issue(
                GapKind::MalformedKey,
                format!(
                    "{} key `{}` at {key_pointer} breaks the contract ({}), so the message cannot be correlated",
                    system.name,
                    shown(key_pointer, &raw),
                    kinds.join(", ")
                ),
                describe_key(&system.key),
            )
            .with_fix(format!(
                "run handoff check on {}'s payloads: the key breaks {}, so fix it at {}",
                system.name,
                system.contract,
                system.name
            ));
            gap.evidence[0].key = shown(key_pointer, &raw);
            gaps.push(gap);
            return (None, gaps);
        }
        None => {
            let unread = findings
                .iter()
                .find(|f| f.kind.is_payload_level())
                .or_else(|| findings.first().filter(|_| payload.is_null()));
            let fix = match unread {
                Some(f) => format!(
                    "the payload itself is unreadable ({}): find what cut or corrupted it on the way (a proxy's size limit, a re-encoding, a truncated capture)",
                    f.kind.id()
                ),
                None => format!(
                    "{} must send {key_pointer} on every message; until it does, this message cannot be matched to any {}",
                    system.name, flow.entity
                ),
            };
            let why = if let Some(f) = unread {
                format!(
                    "the payload could not be read ({}: {})",
                    f.kind.id(),
                    f.message
                )
            } else if let Some(v) = found {
                format!("{key_pointer} is {}", handoff_core::redact::shape(Some(v)))
            } else {
                match system.key.alternatives.len() {
                    0 => format!("{key_pointer} is absent"),
                    _ => {
                        let places: Vec<&str> =
                            system.key.pointers().map(|p| p.pointer.as_str()).collect();
                        format!("none of {} holds a value", places.join(", "))
                    }
                }
            };
            gaps.push(
                issue(
                    GapKind::MissingKey,
                    format!("{} message has no {} key: {why}", system.name, flow.entity),
                    describe_key(&system.key),
                )
                .with_fix(fix),
            );
            return (None, gaps);
        }
    };
    let read = if system.time.file_modified {
        TimeRead {
            seconds: origin.file_modified,
            ..TimeRead::default()
        }
    } else {
        read_time(system, payload, &usable)
    };
    let (time, sent_time, ambiguity) = (read.seconds, read.raw, read.ambiguity);
    // Shown as the time field's redaction allows (the raw text only appears in a gap).
    let raw_time = sent_time.clone().map(|raw| {
        system
            .time
            .pointers
            .iter()
            .fold(raw, |raw, p| shown(&p.pointer, &raw))
    });
    if time.is_none() {
        let mut gap = issue(
            GapKind::MissingTime,
            match &raw_time {
                Some(raw) if system.time.pointers.iter().any(|p| !usable(&p.pointer)) => {
                    let kinds: Vec<&str> = findings
                        .iter()
                        .filter(|f| system.time.pointers.iter().any(|p| p.pointer == f.pointer))
                        .map(|f| f.kind.id())
                        .collect();
                    format!(
                        "{} message time `{}` at {} breaks the contract ({}), so it is not used",
                        system.name,
                        raw,
                        pointers(system),
                        kinds.join(", ")
                    )
                }
                Some(raw) => format!(
                    "{} message time `{raw}` cannot be read as an instant",
                    system.name
                ),
                None if system.time.file_modified => {
                    format!("{} capture's modification time cannot be read", system.name)
                }
                None => format!(
                    "{} message has no time at {}",
                    system.name,
                    pointers(system)
                ),
            },
            match &system.time.format {
                Some(TimeFormat::Layout(f)) => format!("a time written `{f}`"),
                Some(TimeFormat::UnixSeconds) => {
                    "seconds since the Unix epoch, such as 1795442700".into()
                }
                Some(TimeFormat::UnixMilliseconds) => {
                    "milliseconds since the Unix epoch, such as 1795442700000".into()
                }
                None if system.time.zone.is_some() => {
                    "an RFC 3339 instant, or a local time such as 2026-11-23T09:05:00".into()
                }
                None => "an RFC 3339 instant such as 2026-11-23T14:05:00Z".into(),
            },
        );
        gap.entity = Some(key.clone());
        gap.evidence[0].key = raw_key.clone();
        gap.fix = missing_time_fix(system, sent_time.as_deref(), raw_time.as_deref());
        gaps.push(gap);
    }
    if let (Some(ambiguity), Some(Zone::Named(zone, _)), Some(read)) =
        (ambiguity, &system.time.zone, time)
    {
        let raw = raw_time.as_deref().unwrap_or_default();
        let (message, fix) = match ambiguity {
            Ambiguity::Repeated { second } => (
                format!(
                    "{} message time `{raw}` happened twice in {zone} (the clocks went back over it): read as the first, {}; it may be the second, {} later",
                    system.name,
                    show_time(read),
                    show_duration(second - read)
                ),
                format!(
                    "{} should send its times with their UTC offset (RFC 3339, or a `%z` in the layout) so the repeated hour is told apart; until then, deadlines within {} of this message are not certain",
                    system.name,
                    show_duration(second - read)
                ),
            ),
            Ambiguity::Skipped { other } => (
                format!(
                    "{} message time `{raw}` never happened in {zone} (the clocks jumped over it): read as {}, the instant that clock showed after the jump; it may be meant as {}",
                    system.name,
                    show_time(read),
                    show_time(other)
                ),
                format!(
                    "a clock in {zone} cannot show this time: check that {} writes local time in {zone} (the flow's `time_zone`), or have it send times with their UTC offset",
                    system.name
                ),
            ),
        };
        let mut gap = issue(
            GapKind::AmbiguousTime,
            message,
            format!("a local time that names one instant in {zone}"),
        )
        .with_fix(fix);
        gap.entity = Some(key.clone());
        gap.evidence[0].key = raw_key.clone();
        gap.evidence[0].time = Some(show_time(read));
        gaps.push(gap);
    }
    let state = flow.state_of(system_index, payload, usable);
    let raw_state = system
        .state
        .as_ref()
        .and_then(|p| p.get(payload).and_then(scalar_text));
    if state.is_none() && flow.maps_states(system_index) {
        let sent = match (&raw_state, &system.state) {
            (Some(raw), Some(p)) => shown(&p.pointer, raw),
            _ => "(none)".into(),
        };
        let known: Vec<String> = flow
            .states
            .iter()
            .filter(|s| s.values.iter().any(|(i, _)| *i == system_index))
            .map(|s| s.name.clone())
            .collect();
        let mut gap = issue(
            GapKind::UnmappedState,
            format!(
                "{} sent state `{sent}`, which the flow's state map does not name",
                system.name
            ),
            format!("one of: {}", known.join(", ")),
        );
        gap.entity = Some(key.clone());
        gap.evidence[0].key = raw_key.clone();
        gap.fix = format!(
            "if `{sent}` means one of the flow's states, add it under that state for {} in {}; if it is new, agree its meaning with {} and add a state",
            system.name,
            flow.file.display(),
            system.name
        );
        gap.evidence[0].sent_state = Some(sent);
        gaps.push(gap);
    }
    // Values the report may not show stay comparable: `shown` hides a value behind a
    // fingerprint that is the same for the same value within the run.
    // ISO 4217 codes are letters whose case carries nothing: a processor's `usd` is `USD`, and
    // is compared (and shown) as such.
    let currency = match &system.currency {
        Some(Currency::Fixed(code)) => Some(code.to_ascii_uppercase()),
        Some(Currency::Pointer(p)) if usable(&p.pointer) => p
            .get(payload)
            .and_then(scalar_text)
            .map(|c| shown(&p.pointer, &c.trim().to_ascii_uppercase())),
        _ => None,
    };
    let (amount, raw_amount) = match &system.amount {
        Some(p) => match p.get(payload) {
            // null states no amount (a return not yet refunded): nothing to compare.
            Some(v) if !v.is_null() => {
                let raw = scalar_text(v)
                    .map(|raw| shown(&p.pointer, &raw))
                    .unwrap_or_else(|| handoff_core::redact::shape(Some(v)));
                // A value that breaks its contract is not used, as for times and states.
                let read = if usable(&p.pointer) {
                    read_amount(v, system.minor_units, currency.as_deref())
                } else {
                    let kinds: Vec<&str> = findings
                        .iter()
                        .filter(|f| f.pointer == p.pointer)
                        .map(|f| f.kind.id())
                        .collect();
                    Err(if kinds.is_empty() {
                        "breaks the contract (in a part of the payload that does)".to_string()
                    } else {
                        format!("breaks the contract ({})", kinds.join(", "))
                    })
                };
                match read {
                    Ok(d) => (Some(shown(&p.pointer, &d.to_string())), Some(raw)),
                    // Amounts no expectation compares are carried, not judged.
                    Err(_) if !flow.compares_amounts(system_index) => (None, Some(raw)),
                    Err(err) => {
                        // Said, not skipped: an amount nobody can read is an amount nobody
                        // compared, and `amounts: equal` would otherwise pass it in silence.
                        let why = if err.starts_with("breaks the contract") {
                            err.clone()
                        } else if system.minor_units && v.is_number() {
                            "is not a whole number of minor units (minor_units: true)".into()
                        } else {
                            "is not an exact decimal amount".into()
                        };
                        let mut gap = issue(
                            GapKind::UnreadableAmount,
                            format!(
                                "{} sent amount `{raw}` at {}, which {why}, so it is not compared",
                                system.name, p.pointer
                            ),
                            if system.minor_units {
                                "a whole number of minor units, such as 16595".into()
                            } else {
                                "a decimal amount such as 165.95 (a JSON number or a string, no grouping, no currency sign)".into()
                            },
                        );
                        gap.entity = Some(key.clone());
                        gap.evidence[0].key = raw_key.clone();
                        gap.evidence[0].sent_amount = Some(raw.clone());
                        gap.fix = if system.minor_units {
                            format!(
                                "have {} send {} as a whole number of minor units (cents), or, if it sends major units, remove minor_units: true for {} in {}",
                                system.name,
                                p.pointer,
                                system.name,
                                flow.file.display()
                            )
                        } else {
                            format!(
                                "have {} send {} as a plain decimal such as 1000.00 (no thousands separators or currency signs, at most 28 digits), or point the flow at the field that holds it",
                                system.name, p.pointer
                            )
                        };
                        gaps.push(gap);
                        (None, Some(raw))
                    }
                }
            }
            _ => (None, None),
        },
        _ => (None, None),
    };
    let text_at = |p: &Option<super::flow::Pointer>| {
        p.as_ref().filter(|p| usable(&p.pointer)).and_then(|p| {
            p.get(payload)
                .and_then(scalar_text)
                .map(|t| shown(&p.pointer, &t))
        })
    };
    let identity = system.identity.as_ref().and_then(|spec| {
        let (located, found) = spec.locate(payload);
        let raw = found.and_then(scalar_text)?;
        let pointer = &located.pointer;
        usable(pointer).then(|| shown(pointer, &spec.normalise(&raw).unwrap_or(raw)))
    });
    let message = Message {
        system: system_index,
        seq: origin.seq,
        key,
        raw_key: shown(key_pointer, &raw_key),
        time,
        raw_time,
        state,
        raw_state: raw_state.map(|s| {
            system
                .state
                .as_ref()
                .map_or(s.clone(), |p| shown(&p.pointer, &s))
        }),
        amount,
        raw_amount,
        currency,
        id: text_at(&system.id),
        identity,
        file: origin.file,
        line: origin.line,
        findings: u32::try_from(findings.len()).unwrap_or(u32::MAX),
        ambiguous_time: ambiguity.is_some(),
    };
    (Some(message), gaps)
}

fn pointers(system: &System) -> String {
    system
        .time
        .pointers
        .iter()
        .map(|p| p.pointer.as_str())
        .collect::<Vec<_>>()
        .join(" + ")
}

fn describe_key(spec: &KeySpec) -> String {
    let places: Vec<&str> = spec.pointers().map(|p| p.pointer.as_str()).collect();
    let mut steps = vec![format!("a string or number at {}", places.join(" or "))];
    if let Some(case) = spec.case {
        steps.push(format!("{case:?} case").to_lowercase());
    }
    if !spec.strip_prefix.is_empty() {
        steps.push(format!("prefix {} removed", spec.strip_prefix.join(" or ")));
    }
    if spec.strip_leading_zeros {
        steps.push("leading zeros removed".into());
    }
    if let Some(p) = &spec.pattern {
        steps.push(format!("then matching `{}`", p.as_str()));
    }
    steps.join(", ")
}

/// What to do about a time that could not be read, from what it looks like: a local time
/// without an offset, or an epoch count read in the wrong unit or as text. Judged on the text as
/// sent; only `shown` (as the time's redaction allows) is quoted.
fn missing_time_fix(system: &System, sent: Option<&str>, shown: Option<&str>) -> String {
    let at = pointers(system);
    let epoch = sent
        .filter(|r| r.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|r| match r.len() {
            9 | 10 => Some((TimeFormat::UnixSeconds, "seconds")),
            12 | 13 => Some((TimeFormat::UnixMilliseconds, "milliseconds")),
            _ => None,
        });
    if let Some((unit, what)) = epoch
        && system.time.format.as_ref() != Some(&unit)
    {
        return format!(
            "`{}` looks like {what} since the Unix epoch: read it with `time: {{pointer: {at}, format: {unit}}}` in the flow",
            shown.unwrap_or_default()
        );
    }
    let local = system.time.format.is_none()
        && system.time.zone.is_none()
        && sent.is_some_and(|raw| raw.parse::<jiff::civil::DateTime>().is_ok());
    if local {
        return format!(
            "`{}` has no UTC offset: if {} writes local time, say where with `time: {{pointer: {at}, time_zone: America/New_York}}` (a clock that follows daylight saving time) or `utc_offset: '+HH:MM'` (one that never changes) in the flow",
            shown.unwrap_or_default(),
            system.name,
        );
    }
    format!(
        "{} must send a readable time at {at}; deadlines involving this message are not judged",
        system.name,
    )
}

/// A time read from a payload: its instant, its text as sent, and whether that text named
/// two instants or none (a local time in the hour a daylight saving change repeats or skips).
#[derive(Debug, Default)]
struct TimeRead {
    seconds: Option<i64>,
    raw: Option<String>,
    ambiguity: Option<Ambiguity>,
}

/// A local time a daylight saving change makes ambiguous, with the instant it may mean
/// besides the one it was read as.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ambiguity {
    /// The hour the clocks went back over, so it happened twice: read as the first time.
    Repeated { second: i64 },
    /// The hour the clocks jumped over, so it never happened on that clock: read as the
    /// instant the clock showed after the jump (the old offset carried forward).
    Skipped { other: i64 },
}

/// The message's instant: an RFC 3339 value, an epoch count, or the pointers' values joined by
/// a space read with the flow's layout, in its zone.
fn read_time(system: &System, payload: &Value, usable: &dyn Fn(&str) -> bool) -> TimeRead {
    let parts: Option<Vec<String>> = system
        .time
        .pointers
        .iter()
        .map(|p| p.get(payload).and_then(scalar_text))
        .collect();
    // A time that breaks the contract is shown, but not used.
    if !system.time.pointers.iter().all(|p| usable(&p.pointer)) {
        return TimeRead {
            raw: parts.map(|p| p.join(" ")),
            ..TimeRead::default()
        };
    }
    let Some(parts) = parts else {
        return TimeRead::default();
    };
    let raw = parts.join(" ");
    let zone = system.time.zone.as_ref();
    let read = match &system.time.format {
        Some(TimeFormat::UnixSeconds) => epoch(&raw, 1).map(|s| (s, None)),
        Some(TimeFormat::UnixMilliseconds) => epoch(&raw, 1000).map(|s| (s, None)),
        // Without a layout a local time is read only where the flow says where it was written.
        None => match raw.parse::<jiff::Timestamp>() {
            Ok(t) => Some((t.as_second(), None)),
            Err(_) => zone.and_then(|zone| local(zone, raw.parse().ok()?)),
        },
        Some(TimeFormat::Layout(layout)) => {
            jiff::fmt::strtime::parse(layout, &raw).ok().and_then(|tm| {
                if let Ok(ts) = tm.to_timestamp() {
                    return Some((ts.as_second(), None));
                }
                let dt = tm.to_datetime().ok().or_else(|| {
                    tm.to_date()
                        .ok()
                        .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
                })?;
                local(zone.unwrap_or(&Zone::Offset(0)), dt)
            })
        }
    };
    TimeRead {
        seconds: read.map(|(s, _)| s),
        ambiguity: read.and_then(|(_, a)| a),
        raw: Some(raw),
    }
}

/// An epoch count (`per_second` units to a second) as whole seconds, if it is a number that
/// names an instant jiff can show (years -9999 to 9999).
fn epoch(raw: &str, per_second: i64) -> Option<i64> {
    use std::str::FromStr;
    let count = rust_decimal::Decimal::from_str(raw.trim())
        .or_else(|_| rust_decimal::Decimal::from_scientific(raw.trim()))
        .ok()?;
    let seconds = (count / rust_decimal::Decimal::from(per_second)).floor();
    let seconds = i64::try_from(seconds).ok()?;
    jiff::Timestamp::from_second(seconds).ok()?;
    Some(seconds)
}

/// A wall-clock time in a zone as an instant; a time a daylight saving change repeats or
/// skips is read as most systems read it (jiff's "compatible" rule) and says so.
fn local(zone: &Zone, dt: jiff::civil::DateTime) -> Option<(i64, Option<Ambiguity>)> {
    use jiff::tz::AmbiguousOffset;
    match zone {
        Zone::Offset(seconds) => {
            let offset = jiff::tz::Offset::from_seconds(*seconds).ok()?;
            Some((offset.to_timestamp(dt).ok()?.as_second(), None))
        }
        Zone::Named(_, tz) => {
            let ambiguous = tz.to_ambiguous_timestamp(dt);
            let at = |offset: jiff::tz::Offset| offset.to_timestamp(dt).ok().map(|t| t.as_second());
            let read = ambiguous.compatible().ok()?.as_second();
            let ambiguity = match ambiguous.offset() {
                AmbiguousOffset::Unambiguous { .. } => None,
                AmbiguousOffset::Fold { after, .. } => {
                    Some(Ambiguity::Repeated { second: at(after)? })
                }
                AmbiguousOffset::Gap { after, .. } => {
                    Some(Ambiguity::Skipped { other: at(after)? })
                }
            };
            Some((read, ambiguity))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_york() -> Zone {
        Zone::Named(
            "America/New_York".into(),
            jiff::tz::TimeZone::get("America/New_York").unwrap(),
        )
    }

    fn utc(text: &str) -> i64 {
        text.parse::<jiff::Timestamp>().unwrap().as_second()
    }

    #[test]
    fn a_local_time_reads_at_the_offset_of_its_day() {
        let dt = |t: &str| t.parse::<jiff::civil::DateTime>().unwrap();
        // EDT before the change, EST after it.
        assert_eq!(
            local(&new_york(), dt("2026-10-31T12:00:00")),
            Some((utc("2026-10-31T16:00:00Z"), None))
        );
        assert_eq!(
            local(&new_york(), dt("2026-11-01T03:30:00")),
            Some((utc("2026-11-01T08:30:00Z"), None))
        );
        // The repeated hour: the first occurrence, and the other one named.
        assert_eq!(
            local(&new_york(), dt("2026-11-01T01:30:00")),
            Some((
                utc("2026-11-01T05:30:00Z"),
                Some(Ambiguity::Repeated {
                    second: utc("2026-11-01T06:30:00Z"),
                })
            ))
        );
        // The skipped hour: as the clock after the jump showed it (03:30 EDT).
        assert_eq!(
            local(&new_york(), dt("2026-03-08T02:30:00")),
            Some((
                utc("2026-03-08T07:30:00Z"),
                Some(Ambiguity::Skipped {
                    other: utc("2026-03-08T06:30:00Z"),
                })
            ))
        );
        assert_eq!(
            local(&Zone::Offset(-5 * 3600), dt("2026-11-01T01:30:00")),
            Some((utc("2026-11-01T06:30:00Z"), None))
        );
    }

    #[test]
    fn epoch_counts_read_in_their_unit() {
        assert_eq!(epoch("1793739900", 1), Some(utc("2026-11-03T21:05:00Z")));
        assert_eq!(epoch("1793739900.75", 1), Some(utc("2026-11-03T21:05:00Z")));
        assert_eq!(
            epoch("1793739900123", 1000),
            Some(utc("2026-11-03T21:05:00Z"))
        );
        assert_eq!(epoch("1.7937399e9", 1), Some(utc("2026-11-03T21:05:00Z")));
        assert_eq!(epoch("-1", 1), Some(-1));
        // Milliseconds read as seconds are beyond the year 9999: not an instant.
        assert_eq!(epoch("1793739900123", 1), None);
        assert_eq!(epoch("soon", 1), None);
        assert_eq!(epoch("", 1000), None);
    }
}
