//! The gap catalogue, and the evaluation of one entity's messages against its flow: which
//! expectations are met, late, missing or still pending; where systems disagree on state or
//! amount; duplicates, orphans, reused keys and clocks that run apart.

use super::flow::{Flow, show_duration};
use super::message::Message;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Every kind of gap reconcile reports, with a stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    MissingCounterpart,
    LateCounterpart,
    StateDisagreement,
    AmountDisagreement,
    CurrencyDisagreement,
    DuplicateMessage,
    OrphanMessage,
    KeyReuse,
    ClockSkew,
    MissingKey,
    MalformedKey,
    MissingTime,
    AmbiguousTime,
    UnmappedState,
    UnreadableAmount,
}

impl GapKind {
    pub const ALL: [GapKind; 15] = [
        GapKind::MissingCounterpart,
        GapKind::LateCounterpart,
        GapKind::StateDisagreement,
        GapKind::AmountDisagreement,
        GapKind::CurrencyDisagreement,
        GapKind::DuplicateMessage,
        GapKind::OrphanMessage,
        GapKind::KeyReuse,
        GapKind::ClockSkew,
        GapKind::MissingKey,
        GapKind::MalformedKey,
        GapKind::MissingTime,
        GapKind::AmbiguousTime,
        GapKind::UnmappedState,
        GapKind::UnreadableAmount,
    ];

    pub fn id(self) -> &'static str {
        match self {
            GapKind::MissingCounterpart => "missing_counterpart",
            GapKind::LateCounterpart => "late_counterpart",
            GapKind::StateDisagreement => "state_disagreement",
            GapKind::AmountDisagreement => "amount_disagreement",
            GapKind::CurrencyDisagreement => "currency_disagreement",
            GapKind::DuplicateMessage => "duplicate_message",
            GapKind::OrphanMessage => "orphan_message",
            GapKind::KeyReuse => "key_reuse",
            GapKind::ClockSkew => "clock_skew",
            GapKind::MissingKey => "missing_key",
            GapKind::MalformedKey => "malformed_key",
            GapKind::MissingTime => "missing_time",
            GapKind::AmbiguousTime => "ambiguous_time",
            GapKind::UnmappedState => "unmapped_state",
            GapKind::UnreadableAmount => "unreadable_amount",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            GapKind::MissingCounterpart => {
                "an expected message never arrived, and its deadline has passed"
            }
            GapKind::LateCounterpart => "an expected message arrived after its deadline",
            GapKind::StateDisagreement => {
                "two systems' last known states of the entity cannot both be true"
            }
            GapKind::AmountDisagreement => "two systems state different amounts for the same step",
            GapKind::CurrencyDisagreement => {
                "two systems state the same step's amount in different currencies"
            }
            GapKind::DuplicateMessage => "one system sent the same message about the entity twice",
            GapKind::OrphanMessage => "a message about an entity no other system knows",
            GapKind::KeyReuse => "one key names two different entities",
            GapKind::ClockSkew => {
                "a counterpart is stamped earlier than what caused it, beyond the clock tolerance"
            }
            GapKind::MissingKey => "a message without a usable key: it cannot be correlated",
            GapKind::MalformedKey => {
                "a message whose key does not normalise to the flow's spelling, or breaks its contract"
            }
            GapKind::MissingTime => "a message without a readable time: deadlines cannot be judged",
            GapKind::AmbiguousTime => {
                "a local time a daylight saving change repeats or skips: read, but it may be an hour off"
            }
            GapKind::UnmappedState => "a state value the flow's state map does not name",
            GapKind::UnreadableAmount => {
                "a message whose amount is not an exact decimal: it cannot be compared"
            }
        }
    }
}

/// One message as evidence: where it is, and what it said.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Evidence {
    pub system: String,
    pub source: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// The business state it maps to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The state value as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_state: Option<String>,
    /// The amount in major units, exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// The amount as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_amount: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Contract findings on the payload: its other values were correlated without them.
    #[serde(skip_serializing_if = "is_zero")]
    pub findings: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Evidence {
    pub fn bare(system: &str, source: &str) -> Evidence {
        Evidence {
            system: system.into(),
            source: source.into(),
            ..Evidence::default()
        }
    }
}

/// One gap: what is wrong, between which systems, and the messages that show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    pub kind: GapKind,
    pub flow: String,
    /// The entity key in the flow's spelling; none when the message had no usable key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// The systems involved: the one that should have acted first, then the other.
    pub systems: Vec<String>,
    /// The expectation (failure zone) it breaks, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    pub message: String,
    pub expected: String,
    pub evidence: Vec<Evidence>,
    /// Seconds from the trigger to the counterpart (or to the as-of time, when missing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<i64>,
    /// The likely fix.
    pub fix: String,
}

impl Gap {
    pub fn with_fix(mut self, fix: impl Into<String>) -> Gap {
        self.fix = fix.into();
        self
    }

    /// The boundary pair, as summaries group gaps: `portal -> erp`.
    pub fn pair(&self) -> String {
        self.systems.join(" -> ")
    }
}

/// How one expectation stands for one entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Met,
    Late,
    Missing,
    Pending,
}

/// An entity, judged.
#[derive(Debug, Clone)]
pub struct Judged {
    pub gaps: Vec<Gap>,
    /// Per expectation (index into `Flow::expect`) that the entity triggered: how it stands.
    pub outcomes: Vec<(usize, Outcome)>,
    /// What the entity still waits for, in sentences: a counterpart within its deadline, or
    /// two systems' states apart but within `settle`. Not gaps, but not agreement either.
    pub waiting: Vec<String>,
}

impl Judged {
    /// Pending: no gap yet, but something the flow expects has not happened, or not settled.
    pub fn pending(&self) -> bool {
        !self.waiting.is_empty()
    }
}

/// One entity being judged: what every gap about it shares.
struct Entity<'a> {
    flow: &'a Flow,
    key: &'a str,
    as_of: i64,
}

impl Entity<'_> {
    fn gap(
        &self,
        kind: GapKind,
        systems: Vec<String>,
        message: String,
        expected: String,
        evidence: Vec<Evidence>,
    ) -> Gap {
        Gap {
            kind,
            flow: self.flow.reference(),
            entity: Some(self.key.to_string()),
            systems,
            zone: None,
            message,
            expected,
            evidence,
            delay: None,
            deadline: None,
            fix: String::new(),
        }
    }

    fn name(&self, m: &Message) -> String {
        self.flow.systems[m.system].name.clone()
    }
}

/// Judge one entity: `messages` are all its messages, sorted by time (messages without a time
/// last), then reading order.
pub fn judge(flow: &Flow, key: &str, messages: &[Message], as_of: i64) -> Judged {
    let e = Entity { flow, key, as_of };
    let mut gaps = Vec::new();
    key_reuse(&e, messages, &mut gaps);
    let messages = duplicates(&e, messages, &mut gaps);
    if orphan(&e, &messages, &mut gaps) {
        // Nothing else about an orphan can be judged.
        return Judged {
            gaps,
            outcomes: Vec::new(),
            waiting: Vec::new(),
        };
    }
    let mut waiting = Vec::new();
    let (outcomes, owed) = expectations(&e, &messages, &mut gaps, &mut waiting);
    states(&e, &messages, &owed, &mut gaps, &mut waiting);
    Judged {
        gaps,
        outcomes,
        waiting,
    }
}

/// The same key for two entities: every distinct identity, with its first message.
fn key_reuse(e: &Entity<'_>, messages: &[Message], gaps: &mut Vec<Gap>) {
    let (flow, key, entity) = (e.flow, e.key, &e.flow.entity);
    let mut identities: BTreeMap<&str, &Message> = BTreeMap::new();
    for m in messages {
        if let Some(id) = &m.identity {
            identities.entry(id.as_str()).or_insert(m);
        }
    }
    if identities.len() > 1 {
        let firsts: Vec<&Message> = identities.values().copied().collect();
        let shown: Vec<String> = identities.keys().map(|i| format!("`{i}`")).collect();
        let systems: BTreeSet<String> = firsts.iter().map(|m| e.name(m)).collect();
        gaps.push(e.gap(
            GapKind::KeyReuse,
            systems.into_iter().collect(),
            format!(
                "{entity} key `{key}` names {} different entities: {}",
                identities.len(),
                shown.join(", ")
            ),
            "one key per entity, always naming the same one".into(),
            firsts.iter().map(|m| m.evidence(flow)).collect(),
        ).with_fix(format!("a key must never be reissued: find which system recycled `{key}` and give one of the {entity}s a new one")));
    }
}

/// The same id (or, without ids, the same state and amount) again from one system. Returns the
/// messages with only the first copy of each.
fn duplicates<'m>(
    e: &Entity<'_>,
    messages: &'m [Message],
    gaps: &mut Vec<Gap>,
) -> Vec<&'m Message> {
    let (flow, key, entity) = (e.flow, e.key, &e.flow.entity);
    let mut seen: BTreeMap<(usize, String), &Message> = BTreeMap::new();
    let mut firsts: Vec<&Message> = Vec::new();
    for m in messages {
        let identity = match (&flow.systems[m.system].id, &m.id) {
            (Some(_), Some(id)) => format!("id {id}"),
            (Some(_), None) => {
                firsts.push(m);
                continue;
            }
            (None, _) => match (m.state, &m.amount) {
                (Some(s), amount) => format!(
                    "state {}{}",
                    flow.states[s].name,
                    amount
                        .as_ref()
                        .map(|a| format!(" amount {a}"))
                        .unwrap_or_default()
                ),
                (None, _) => {
                    firsts.push(m);
                    continue;
                }
            },
        };
        match seen.get(&(m.system, identity.clone())) {
            Some(first) => {
                let what = match &m.id {
                    Some(id) if flow.systems[m.system].id.is_some() => format!("message `{id}`"),
                    _ => format!(
                        "`{}`",
                        m.raw_state
                            .clone()
                            .unwrap_or_else(|| "the same state".into())
                    ),
                };
                gaps.push(e.gap(
                    GapKind::DuplicateMessage,
                    vec![e.name(m)],
                    format!(
                        "{} sent {what} for {entity} `{key}` twice ({} and {})",
                        e.name(m),
                        first.source(),
                        m.source()
                    ),
                    "each message once; a redelivery should be idempotent".into(),
                    vec![first.evidence(flow), m.evidence(flow)],
                ).with_fix(match &flow.systems[m.system].id {
                    Some(p) => format!("make the receivers idempotent on {} ({}'s message id), or stop {} from redelivering", p.pointer, e.name(m), e.name(m)),
                    None => format!("find why {} sends the same state twice (a re-run export?), and make the receivers idempotent", e.name(m)),
                }));
            }
            None => {
                seen.insert((m.system, identity), m);
                firsts.push(m);
            }
        }
    }
    firsts
}

/// Only one system knows the entity, and it is not where such an entity begins.
fn orphan(e: &Entity<'_>, messages: &[&Message], gaps: &mut Vec<Gap>) -> bool {
    let (flow, key, entity) = (e.flow, e.key, &e.flow.entity);
    let systems: BTreeSet<usize> = messages.iter().map(|m| m.system).collect();
    if let [only] = systems.iter().copied().collect::<Vec<_>>()[..]
        && !flow.starts.contains(&only)
    {
        let first = messages[0];
        let starts: Vec<&str> = flow
            .starts
            .iter()
            .map(|&i| flow.systems[i].name.as_str())
            .collect();
        gaps.push(e.gap(
            GapKind::OrphanMessage,
            vec![e.name(first)],
            format!(
                "{} sent {} about {entity} `{key}`, which no other system mentions",
                e.name(first),
                if messages.len() == 1 { "a message".to_string() } else { format!("{} messages", messages.len()) },
            ),
            format!("a {entity} that begins in {} and that the other systems know too", starts.join(" or ")),
            messages.iter().map(|m| m.evidence(flow)).collect(),
        ).with_fix(format!(
            "look `{key}` up in {}: if it is unknown there, {} speaks of a {entity} that never began (a typo in the key, or a test record in production)",
            starts.join(" and "),
            e.name(first)
        )));
        return true;
    }
    false
}

/// Each expectation the entity triggers: met, late, missing or pending, and its amounts.
/// Returns the outcomes, and the systems that still owe a message.
fn expectations(
    e: &Entity<'_>,
    messages: &[&Message],
    gaps: &mut Vec<Gap>,
    waiting: &mut Vec<String>,
) -> (Vec<(usize, Outcome)>, BTreeSet<usize>) {
    let (flow, key, entity) = (e.flow, e.key, &e.flow.entity);
    let as_of = e.as_of;
    let mut outcomes = Vec::new();
    let mut owed: BTreeSet<usize> = BTreeSet::new();
    for (index, exp) in flow.expect.iter().enumerate() {
        // The trigger is the state itself: a later message's time is not when it happened.
        let triggers = |m: &&&Message| {
            m.system == exp.when.system && (exp.when.state.is_none() || m.state == exp.when.state)
        };
        // A counterpart may be further along: a later state implies the earlier ones, and a
        // system that reports snapshots (a daily export) may never say the step in between.
        let matches = |step: super::flow::Step, m: &&Message| {
            m.system == step.system
                && step
                    .state
                    .is_none_or(|wanted| m.state.is_some_and(|s| s >= wanted))
        };
        let Some(trigger) = messages.iter().find(triggers) else {
            continue;
        };
        let Some(start) = trigger.time else {
            continue;
        };
        let from = flow.systems[exp.when.system].name.clone();
        let to = flow.systems[exp.then.system].name.clone();
        // The first counterpart in time; but a counterpart without a readable time may have
        // come first, so it stands for the expectation rather than a late or missing one
        // (its missing_time already says what is wrong with it).
        let timed = messages
            .iter()
            .find(|m| m.time.is_some() && matches(exp.then, m));
        let in_time = timed.filter(|m| {
            m.time.is_some_and(|t| {
                t.saturating_sub(start) <= exp.within.saturating_add(flow.clock_skew)
            })
        });
        let counterpart = in_time
            .or_else(|| {
                messages
                    .iter()
                    .find(|m| m.time.is_none() && matches(exp.then, m))
            })
            .or(timed);
        let wanted = flow.describe_step(exp.then);
        let deadline_text = format!(
            "{wanted} within {} of {}",
            show_duration(exp.within),
            flow.describe_step(exp.when)
        );
        let mut zoned = |mut g: Gap, delay: Option<i64>| {
            g.zone = Some(exp.name.clone());
            g.delay = delay;
            g.deadline = Some(exp.within);
            gaps.push(g);
        };
        let Some(counterpart) = counterpart else {
            let waited = as_of.saturating_sub(start);
            if waited > exp.within.saturating_add(flow.clock_skew) {
                outcomes.push((index, Outcome::Missing));
                owed.insert(exp.then.system);
                zoned(
                    e.gap(
                        GapKind::MissingCounterpart,
                        vec![from.clone(), to.clone()],
                        format!(
                            "{} {} at {}; no {wanted} after {} (deadline {})",
                            e.name(trigger),
                            said(flow, trigger),
                            super::message::show_time(start),
                            show_duration(waited),
                            show_duration(exp.within)
                        ),
                        deadline_text,
                        vec![trigger.evidence(flow)],
                    ).with_fix(format!(
                        "look for {entity} `{key}` in what {to} received: rejected there is a contract problem (run handoff check on the {from} -> {to} payloads); never sent is a gap in the {from} -> {to} integration"
                    )),
                    Some(waited),
                );
            } else {
                outcomes.push((index, Outcome::Pending));
                owed.insert(exp.then.system);
                waiting.push(format!(
                    "{wanted} due by {} ({} after {} at {}; {})",
                    super::message::show_time(
                        start.saturating_add(exp.within.saturating_add(flow.clock_skew))
                    ),
                    show_duration(exp.within),
                    flow.describe_step(exp.when),
                    super::message::show_time(start),
                    exp.name
                ));
            }
            continue;
        };
        let mut outcome = Outcome::Met;
        if let Some(end) = counterpart.time {
            let delay = end.saturating_sub(start);
            if delay < flow.clock_skew.saturating_neg() {
                zoned(
                    e.gap(
                        GapKind::ClockSkew,
                        vec![from.clone(), to.clone()],
                        format!(
                            "{} is stamped {} before the {} message that caused it ({} vs {}); clock tolerance {}",
                            to,
                            show_duration(delay.saturating_neg()),
                            from,
                            super::message::show_time(end),
                            super::message::show_time(start),
                            show_duration(flow.clock_skew)
                        ),
                        format!("{to}'s clock within {} of {from}'s", show_duration(flow.clock_skew)),
                        vec![trigger.evidence(flow), counterpart.evidence(flow)],
                    ).with_fix(skew_fix(-delay, &to, flow)),
                    Some(delay),
                );
            } else if delay > exp.within.saturating_add(flow.clock_skew) {
                outcome = Outcome::Late;
                zoned(
                    e.gap(
                        GapKind::LateCounterpart,
                        vec![from.clone(), to.clone()],
                        format!(
                            "{wanted} came {} after {}, {} past the {} deadline",
                            show_duration(delay),
                            flow.describe_step(exp.when),
                            show_duration(delay.saturating_sub(exp.within)),
                            show_duration(exp.within)
                        ),
                        deadline_text.clone(),
                        vec![trigger.evidence(flow), counterpart.evidence(flow)],
                    ).with_fix(format!(
                        "the {from} -> {to} handoff took {}: check its schedule or queue against the {} deadline (a batch interval longer than the deadline makes every message late)",
                        show_duration(delay),
                        show_duration(exp.within)
                    )),
                    Some(delay),
                );
            }
        }
        outcomes.push((index, outcome));
        if exp.amounts
            && let (Some(a), Some(b)) = (&trigger.amount, &counterpart.amount)
        {
            // Both are said when both are wrong: a currency problem must not hide an amount one.
            // Codes were upper-cased when read (ISO 4217 `usd` is `USD`).
            let (ca, cb) = (&trigger.currency, &counterpart.currency);
            let currencies_differ = matches!((ca, cb), (Some(x), Some(y)) if x != y);
            if let (true, Some(ca), Some(cb)) = (currencies_differ, ca, cb) {
                zoned(
                    e.gap(
                        GapKind::CurrencyDisagreement,
                        vec![from.clone(), to.clone()],
                        format!("{from} states {a} {ca}, {to} states {b} {cb}: the currencies differ"),
                        "the same currency on both sides".into(),
                        vec![trigger.evidence(flow), counterpart.evidence(flow)],
                    ).with_fix(format!("pass the currency through from {from} to {to}; one side is using an account's default currency instead of the transaction's")),
                    None,
                );
            }
            if !same_amount(a, b) {
                let unit =
                    |c: &Option<String>| c.as_deref().map(|c| format!(" {c}")).unwrap_or_default();
                let (ua, ub) = (unit(ca), unit(if currencies_differ { cb } else { ca }));
                let difference = if currencies_differ {
                    String::new()
                } else {
                    difference(a, b)
                        .map(|d| format!(" (difference {d})"))
                        .unwrap_or_default()
                };
                zoned(
                    e.gap(
                        GapKind::AmountDisagreement,
                        vec![from.clone(), to.clone()],
                        format!("{from} states {a}{ua}, {to} states {b}{ub}{difference}"),
                        "amounts that agree exactly".into(),
                        vec![trigger.evidence(flow), counterpart.evidence(flow)],
                    )
                    .with_fix(amount_fix(a, b, &from, &to)),
                    None,
                );
            }
        }
    }

    (outcomes, owed)
}

/// Each system's last known state, against the most advanced one's.
fn states(
    e: &Entity<'_>,
    messages: &[&Message],
    owed: &BTreeSet<usize>,
    gaps: &mut Vec<Gap>,
    waiting: &mut Vec<String>,
) {
    let flow = e.flow;
    let as_of = e.as_of;
    let last = last_known(messages.iter().copied());
    if let Some(ahead) = last.values().max_by_key(|m| (m.state, m.time)).copied() {
        let top = ahead.state.unwrap_or(0);
        for m in last.values() {
            if m.system == ahead.system || owed.contains(&m.system) {
                continue;
            }
            let expected = (0..=top).rev().find(|&s| flow.expresses(m.system, s));
            let Some(expected) = expected.filter(|&x| Some(x) != m.state) else {
                continue;
            };
            let apart = format!(
                "{} says {}, {} says {}",
                e.name(ahead),
                said(flow, ahead),
                e.name(m),
                said(flow, m)
            );
            let should = format!("{} should say `{}`", e.name(m), flow.states[expected].name);
            // Without any time, the age is unknown: the disagreement is not excused as recent.
            let newest = m.time.max(ahead.time);
            if let Some(newest) = newest.filter(|t| as_of.saturating_sub(*t) < flow.settle) {
                // Updates may still be in flight: the entity waits, it does not agree.
                waiting.push(format!(
                    "{apart}: {should} by {} (settle {})",
                    super::message::show_time(newest.saturating_add(flow.settle)),
                    show_duration(flow.settle)
                ));
                continue;
            }
            gaps.push(e.gap(
                GapKind::StateDisagreement,
                vec![e.name(ahead), e.name(m)],
                format!("{apart}; {should}"),
                format!(
                    "{} `{}` once {} says `{}`",
                    e.name(m),
                    flow.states[expected].name,
                    e.name(ahead),
                    flow.states[top].name
                ),
                vec![ahead.evidence(flow), m.evidence(flow)],
            ).with_fix(format!(
                "{} never took in the change to `{}`: replay {}'s update to it, or map the status it missed",
                e.name(m),
                flow.states[top].name,
                e.name(ahead)
            )));
        }
    }
}

/// Each system's last known state: its message that the entity's judgement reads as that
/// system's latest word, by system index.
///
/// Timed messages in time order; untimed ones come last on the timeline, but cannot say they
/// came after a timed one: such a message is the system's latest word when its state is further
/// along the lifecycle than its last timed one (states only move forward), so a newest record
/// with an unreadable time still counts. Among untimed, reading order decides.
pub fn last_known<'m>(
    messages: impl IntoIterator<Item = &'m Message>,
) -> BTreeMap<usize, &'m Message> {
    let mut last: BTreeMap<usize, &Message> = BTreeMap::new();
    for m in messages {
        let replaces = m.time.is_some()
            || last
                .get(&m.system)
                .is_none_or(|prev| prev.time.is_none() || m.state > prev.state);
        if m.state.is_some() && replaces {
            last.insert(m.system, m);
        }
    }
    last
}

/// Amounts a power of ten apart are a units mistake more often than a pricing one.
fn amount_fix(a: &str, b: &str, from: &str, to: &str) -> String {
    use rust_decimal::Decimal;
    if let (Ok(x), Ok(y)) = (a.parse::<Decimal>(), b.parse::<Decimal>())
        && !x.is_zero()
        && !y.is_zero()
    {
        let (big, small, side) = if x.abs() > y.abs() {
            (x, y, from)
        } else {
            (y, x, to)
        };
        for (factor, places) in [(100, "minor units (cents)"), (1000, "thousandths")] {
            // Checked: amounts near Decimal's limit must not overflow into a panic.
            if small.checked_mul(Decimal::from(factor)) == Some(big) {
                return format!(
                    "the amounts are exactly {factor} times apart: {side} is likely sending {places} where major units are expected, or converting twice; fix the units at that boundary (minor_units in the flow says which side sends cents)"
                );
            }
        }
    }
    format!(
        "compare how {from} and {to} compute the amount (tax, shipping, partial refunds, rounding); the difference is exact, not a rounding error"
    )
}

/// A skew of whole hours is a time zone read wrongly, not a clock drifting.
fn skew_fix(seconds: i64, to: &str, flow: &Flow) -> String {
    let off_hour = seconds % 3600;
    if seconds >= 3600 - 120 && (off_hour <= 120 || off_hour >= 3600 - 120) {
        format!(
            "{} is close to a whole number of hours: {to}'s times are likely read in the wrong time zone; check `{}` for {to} in the flow",
            show_duration(seconds),
            flow.systems
                .iter()
                .find(|s| s.name == to)
                .and_then(|s| s.time.zone.as_ref())
                .map_or("utc_offset", |z| z.setting())
        )
    } else {
        format!(
            "set {to}'s clock right (NTP), or raise the flow's `clock_skew` (now {}) if the systems' clocks are known to differ",
            show_duration(flow.clock_skew)
        )
    }
}

/// A message's state for a sentence: the business state, and the value as sent when it differs.
fn said(flow: &Flow, m: &Message) -> String {
    let state = m.state.map_or("(none)", |s| flow.states[s].name.as_str());
    match &m.raw_state {
        Some(raw) if raw != state => format!("`{state}` (sent `{raw}`)"),
        _ => format!("`{state}`"),
    }
}

fn same_amount(a: &str, b: &str) -> bool {
    match (
        a.parse::<rust_decimal::Decimal>(),
        b.parse::<rust_decimal::Decimal>(),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// The exact difference, unless an amount is hidden (what is not shown is not computed either).
fn difference(a: &str, b: &str) -> Option<String> {
    match (
        a.parse::<rust_decimal::Decimal>(),
        b.parse::<rust_decimal::Decimal>(),
    ) {
        // In the places the amounts were written with: 5.00 apart, not 5.
        (Ok(x), Ok(y)) => y.checked_sub(x).map(|d| {
            let mut d = d.normalize();
            d.rescale(x.scale().max(y.scale()).max(d.scale()));
            d.to_string()
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_at_the_decimal_limit_do_not_overflow() {
        // 28 digits: one hundred times it is past what a Decimal holds.
        let big = "7922816251426433759354395033.5";
        let other = "-7922816251426433759354395033.5";
        assert!(amount_fix(big, "1.5", "erp", "processor").contains("compare how"));
        let fix = amount_fix("79228162514264337593543950", big, "erp", "processor");
        assert!(fix.contains("compare"), "{fix}");
        assert_eq!(
            difference(
                "-79228162514264337593543950335",
                "79228162514264337593543950335"
            ),
            None
        );
        // In the places the amounts were written with.
        assert_eq!(difference("1.50", "2").as_deref(), Some("0.50"));
        assert_eq!(difference("218.53", "213.53").as_deref(), Some("-5.00"));
        assert_eq!(difference("10", "12").as_deref(), Some("2"));
        assert!(!same_amount(big, other));
        assert!(amount_fix("4000", "40", "processor", "erp").contains("100 times"));
    }
}
