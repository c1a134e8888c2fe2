//! A reconcile run: every capture of every system read and checked against its contract, each
//! payload turned into a message, messages spilled to disk, then each entity judged and the
//! results tallied. Every payload read is accounted for: correlated, or a named gap saying why
//! it could not be.

use super::flow::Flow;
use super::gaps::{Evidence, Gap, GapKind, Outcome, judge};
use super::message::{Message, show_time};
use super::spill::Spill;
use handoff_core::check::Checker;
use handoff_core::input::Input;
use handoff_core::redact::Redact;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// One system's captures and the contract they are checked against.
pub struct SystemInput<'c> {
    pub checker: &'c Checker,
    pub inputs: Vec<Input>,
}

pub struct Options {
    pub base: PathBuf,
    /// The moment deadlines are judged at; default: the newest message's time.
    pub as_of: Option<i64>,
    pub redact: Redact,
    pub max_payload_bytes: u64,
    /// Gaps listed in full; the rest are counted.
    pub max_gaps: usize,
    /// At most this many gaps of each kind listed (a report that prints a few examples of
    /// each need not hold every gap).
    pub max_gaps_per_kind: usize,
    /// Entity views kept (entities with gaps first met); the rest are counted.
    pub max_views: usize,
    /// Keep views of entities without gaps too (up to `max_views`), for a report that lists
    /// every entity.
    pub all_views: bool,
    /// Entities whose view is kept whatever their state (`--entity`).
    pub entities: BTreeSet<String>,
    /// Called now and then with the phase and how far it has come: payloads read, then
    /// entities judged.
    pub progress: Option<Box<dyn Fn(Phase, u64)>>,
    /// Threads checking payloads; the result does not depend on it.
    pub jobs: usize,
    /// Messages of one entity judged at most: past it, the first and last half are judged and
    /// the ones between counted (see [`CutEntity`]).
    pub max_entity_messages: usize,
}

/// Default [`Options::max_entity_messages`]: a real entity has tens of messages; one with this
/// many is almost always a key many messages share by mistake.
pub const DEFAULT_MAX_ENTITY_MESSAGES: usize = 10_000;

/// Timeline entries a view lists at most (its first and last half); the rest are counted.
pub const VIEW_TIMELINE: usize = 1_000;

/// An entity with more messages than `max_entity_messages`: judged on its first and last
/// messages in time, the ones between counted but not judged.
#[derive(Debug, Clone, Serialize)]
pub struct CutEntity {
    pub key: String,
    /// Every message of the entity.
    pub messages: u64,
    /// Those judged: the first and the last half of the limit, in time.
    pub judged: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            base: PathBuf::from("."),
            as_of: None,
            redact: Redact::default(),
            max_payload_bytes: handoff_core::run::DEFAULT_MAX_PAYLOAD_BYTES,
            max_gaps: 100_000,
            max_gaps_per_kind: usize::MAX,
            max_views: 1_000,
            all_views: false,
            entities: BTreeSet::new(),
            progress: None,
            jobs: 1,
            max_entity_messages: DEFAULT_MAX_ENTITY_MESSAGES,
        }
    }
}

/// The two phases of a run, for a progress indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Reading,
    Judging,
}

/// How the run's moment was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AsOfSource {
    /// `--as-of`
    Given,
    /// The newest message read.
    NewestMessage,
    /// No message had a time.
    Unknown,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SystemTally {
    pub system: String,
    pub contract: String,
    pub inputs: u64,
    /// Payloads read.
    pub messages: u64,
    /// With a usable key, joined to an entity.
    pub correlated: u64,
    /// Without a usable key (missing_key, malformed_key).
    pub uncorrelated: u64,
    /// Payloads with contract findings (correlated on their valid fields only).
    pub with_findings: u64,
    /// Correlated, but stamped after the as-of time: set aside, not judged.
    pub after_as_of: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct EntityTally {
    pub total: u64,
    /// Every expectation met, no gap.
    pub in_agreement: u64,
    /// No gap yet, but a counterpart still within its deadline, or states apart within `settle`.
    pub pending: u64,
    /// At least one gap: the order truth debt.
    pub with_gaps: u64,
}

/// One expectation's record across all entities.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneTally {
    pub name: String,
    pub from: String,
    pub to: String,
    pub within: i64,
    pub triggered: u64,
    pub met: u64,
    pub late: u64,
    pub missing: u64,
    pub pending: u64,
}

impl ZoneTally {
    /// Triggered, met, late, missing, pending: the columns every report shows.
    pub fn counts(&self) -> [u64; 5] {
        [
            self.triggered,
            self.met,
            self.late,
            self.missing,
            self.pending,
        ]
    }
}

/// What each system last said of one entity.
#[derive(Debug, Clone, Serialize)]
pub struct SystemView {
    pub system: String,
    pub messages: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<Evidence>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    InAgreement,
    Pending,
    Gaps,
}

/// The one-record view of an entity: every system side by side, its timeline and its gaps.
#[derive(Debug, Clone, Serialize)]
pub struct EntityView {
    pub key: String,
    pub status: Status,
    pub systems: Vec<SystemView>,
    pub timeline: Vec<Evidence>,
    pub gaps: Vec<GapKind>,
    /// What is wrong, in the gaps' own sentences (those found between systems).
    pub problems: Vec<String>,
    /// Why a pending entity is pending: each counterpart still within its deadline, each
    /// state difference still within `settle`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waiting: Vec<String>,
    /// Messages of the entity the timeline leaves out (between its first and last
    /// [`VIEW_TIMELINE`] / 2).
    #[serde(skip_serializing_if = "is_zero")]
    pub timeline_cut: u64,
    /// Messages of the entity not judged (past `--max-entity-messages`).
    #[serde(skip_serializing_if = "is_zero")]
    pub not_judged: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Cut entities listed by name at most; the rest are counted.
const MAX_CUT_LISTED: usize = 100;

/// How many gaps of one kind.
#[derive(Debug, Clone, Serialize)]
pub struct KindCount {
    pub kind: GapKind,
    pub count: u64,
    pub description: &'static str,
}

/// Everything a reconcile run found.
#[derive(Debug, Clone, Serialize)]
pub struct Reconciliation {
    pub flow: String,
    pub entity: String,
    pub as_of: String,
    pub as_of_source: AsOfSource,
    pub clock_skew: i64,
    pub systems: Vec<SystemTally>,
    pub entities: EntityTally,
    /// Gaps by kind, every kind listed (zero included), in catalogue order.
    pub kinds: Vec<KindCount>,
    /// Gaps by boundary pair and kind.
    pub pairs: BTreeMap<String, BTreeMap<GapKind, u64>>,
    pub zones: Vec<ZoneTally>,
    pub gaps: Vec<Gap>,
    /// Gaps counted but not listed (past `max_gaps`).
    pub unlisted_gaps: u64,
    pub views: Vec<EntityView>,
    pub unlisted_views: u64,
    /// Entities with more messages than `--max-entity-messages`, judged on their first and last
    /// messages only.
    pub entities_cut: u64,
    /// The first of them (at most 100).
    pub cut_entities: Vec<CutEntity>,
    /// Inputs that held no payload at all.
    pub empty_inputs: Vec<String>,
}

impl Reconciliation {
    pub fn total_gaps(&self) -> u64 {
        self.kinds.iter().map(|k| k.count).sum()
    }

    pub fn messages(&self) -> u64 {
        self.systems.iter().map(|s| s.messages).sum()
    }
}

/// Read, correlate and judge.
pub fn reconcile(
    flow: &Flow,
    systems: &[SystemInput<'_>],
    options: &Options,
) -> Result<Reconciliation, String> {
    let mut spill = Spill::new()?;
    let mut tallies: Vec<SystemTally> = flow
        .systems
        .iter()
        .zip(systems)
        .map(|(s, input)| SystemTally {
            system: s.name.clone(),
            contract: input.checker.contract().reference(),
            inputs: input.inputs.len() as u64,
            ..SystemTally::default()
        })
        .collect();
    let mut collector = Collector::new(options);
    let mut newest: Option<i64> = None;
    let mut failure: Option<String> = None;
    let mut read = 0u64;
    let empty_inputs = super::pipeline::read(flow, systems, options, &mut |p| {
        read += 1;
        let tally = &mut tallies[p.system];
        tally.messages += 1;
        if p.has_findings {
            tally.with_findings += 1;
        }
        match p.message {
            Some(m) => {
                tally.correlated += 1;
                spill.name_input(p.input, &p.file);
                if let Some(t) = m.time {
                    newest = Some(newest.map_or(t, |n| n.max(t)));
                }
                if let Err(e) = spill.push(&m) {
                    failure.get_or_insert(e);
                }
            }
            None => tally.uncorrelated += 1,
        }
        for g in p.gaps {
            collector.gap(g);
        }
        if let Some(progress) = &options.progress
            && read.is_multiple_of(4096)
        {
            progress(Phase::Reading, read);
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    let (as_of, as_of_source) = match (options.as_of, newest) {
        (Some(t), _) => (t, AsOfSource::Given),
        (None, Some(t)) => (t, AsOfSource::NewestMessage),
        (None, None) => (0, AsOfSource::Unknown),
    };
    let mut zones: Vec<ZoneTally> = flow
        .expect
        .iter()
        .map(|e| ZoneTally {
            name: e.name.clone(),
            from: flow.systems[e.when.system].name.clone(),
            to: flow.systems[e.then.system].name.clone(),
            within: e.within,
            triggered: 0,
            met: 0,
            late: 0,
            missing: 0,
            pending: 0,
        })
        .collect();
    let mut entities = EntityTally::default();
    let mut cut_entities: Vec<CutEntity> = Vec::new();
    let mut entities_cut = 0u64;
    spill.entities(options.max_entity_messages, |key, all, cut| {
        if cut > 0 {
            entities_cut += 1;
            if cut_entities.len() < MAX_CUT_LISTED {
                cut_entities.push(CutEntity {
                    key: key.to_string(),
                    messages: all.len() as u64 + cut,
                    judged: all.len() as u64,
                });
            }
        }
        // As of a moment, what came after it has not happened yet.
        let kept: Vec<Message>;
        let messages = if all.iter().any(|m| m.time.is_some_and(|t| t > as_of)) {
            // A message without a time goes with its entity: set aside when all of the entity's
            // timed messages are.
            let any_before = all.iter().any(|m| m.time.is_some_and(|t| t <= as_of));
            kept = all
                .iter()
                .filter(|m| {
                    let later = m.time.map_or(!any_before, |t| t > as_of);
                    if later {
                        tallies[m.system].after_as_of += 1;
                    }
                    !later
                })
                .cloned()
                .collect();
            if kept.is_empty() {
                return Ok(());
            }
            &kept[..]
        } else {
            all
        };
        let judged = judge(flow, key, messages, as_of);
        for (zone, outcome) in &judged.outcomes {
            let z = &mut zones[*zone];
            z.triggered += 1;
            match outcome {
                Outcome::Met => z.met += 1,
                Outcome::Late => z.late += 1,
                Outcome::Missing => z.missing += 1,
                Outcome::Pending => z.pending += 1,
            }
        }
        // Message-level gaps about this entity (no time, an unmapped state) count against it.
        let earlier: BTreeSet<GapKind> = all.iter().flat_map(|m| m.own_gap_kinds(flow)).collect();
        entities.total += 1;
        if let Some(progress) = &options.progress
            && entities.total.is_multiple_of(4096)
        {
            progress(Phase::Judging, entities.total);
        }
        let status = if !judged.gaps.is_empty() || !earlier.is_empty() {
            entities.with_gaps += 1;
            Status::Gaps
        } else if judged.pending() {
            entities.pending += 1;
            Status::Pending
        } else {
            entities.in_agreement += 1;
            Status::InAgreement
        };
        let kinds: BTreeSet<GapKind> = judged
            .gaps
            .iter()
            .map(|g| g.kind)
            .chain(earlier.iter().copied())
            .collect();
        let wanted = options.entities.contains(key);
        if wanted || status == Status::Gaps || options.all_views {
            if wanted || collector.views.len() < options.max_views {
                let mut v = view(
                    flow,
                    key,
                    status,
                    messages,
                    kinds,
                    &judged.gaps,
                    &judged.waiting,
                );
                v.not_judged = cut;
                collector.views.push(v);
            } else {
                collector.unlisted_views += 1;
            }
        }
        for g in judged.gaps {
            collector.gap(g);
        }
        Ok(())
    })?;
    // Message-level gaps came in reading order, entity gaps in key order; grouped by kind (a
    // stable sort keeps those orders within a kind).
    collector.gaps.sort_by_key(|g| g.kind);
    Ok(Reconciliation {
        flow: flow.reference(),
        entity: flow.entity.clone(),
        as_of: show_time(as_of),
        as_of_source,
        clock_skew: flow.clock_skew,
        systems: tallies,
        entities,
        kinds: GapKind::ALL
            .iter()
            .map(|k| KindCount {
                kind: *k,
                count: collector.kinds.get(k).copied().unwrap_or(0),
                description: k.description(),
            })
            .collect(),
        pairs: collector.pairs,
        zones,
        gaps: collector.gaps,
        unlisted_gaps: collector.unlisted_gaps,
        views: collector.views,
        unlisted_views: collector.unlisted_views,
        entities_cut,
        cut_entities,
        empty_inputs,
    })
}

/// Gaps counted and kept as they come.
struct Collector {
    max_gaps: usize,
    max_per_kind: usize,
    kinds: BTreeMap<GapKind, u64>,
    pairs: BTreeMap<String, BTreeMap<GapKind, u64>>,
    gaps: Vec<Gap>,
    unlisted_gaps: u64,
    views: Vec<EntityView>,
    unlisted_views: u64,
}

impl Collector {
    fn new(options: &Options) -> Collector {
        Collector {
            max_gaps: options.max_gaps,
            max_per_kind: options.max_gaps_per_kind,
            kinds: BTreeMap::new(),
            pairs: BTreeMap::new(),
            gaps: Vec::new(),
            unlisted_gaps: 0,
            views: Vec::new(),
            unlisted_views: 0,
        }
    }

    fn gap(&mut self, gap: Gap) {
        let count = self.kinds.entry(gap.kind).or_default();
        *count += 1;
        let within_kind = *count <= self.max_per_kind as u64;
        *self
            .pairs
            .entry(gap.pair())
            .or_default()
            .entry(gap.kind)
            .or_default() += 1;
        if self.gaps.len() < self.max_gaps && within_kind {
            self.gaps.push(gap);
        } else {
            self.unlisted_gaps += 1;
        }
    }
}

fn view(
    flow: &Flow,
    key: &str,
    status: Status,
    messages: &[Message],
    kinds: BTreeSet<GapKind>,
    gaps: &[Gap],
    waiting: &[String],
) -> EntityView {
    let known = super::gaps::last_known(messages);
    let systems = flow
        .systems
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let own: Vec<&Message> = messages.iter().filter(|m| m.system == i).collect();
            SystemView {
                system: s.name.clone(),
                messages: own.len() as u64,
                // The last known state the judgement compared; a system none of whose
                // messages maps to a state shows its last message in time.
                last: known
                    .get(&i)
                    .copied()
                    .or_else(|| own.iter().rev().find(|m| m.time.is_some()).copied())
                    .or(own.last().copied())
                    .map(|m| m.evidence(flow)),
            }
        })
        .collect();
    EntityView {
        key: key.to_string(),
        status,
        systems,
        timeline: timeline(messages)
            .iter()
            .map(|m| m.evidence(flow))
            .collect(),
        timeline_cut: messages.len().saturating_sub(VIEW_TIMELINE) as u64,
        gaps: kinds.into_iter().collect(),
        problems: gaps
            .iter()
            .map(|g| format!("{}: {}", g.kind.id(), g.message))
            .collect(),
        waiting: waiting.to_vec(),
        not_judged: 0,
    }
}

/// The messages a view's timeline lists: all, or the first and last [`VIEW_TIMELINE`] / 2.
fn timeline(messages: &[Message]) -> Vec<&Message> {
    if messages.len() <= VIEW_TIMELINE {
        return messages.iter().collect();
    }
    let half = VIEW_TIMELINE / 2;
    messages[..half]
        .iter()
        .chain(&messages[messages.len() - half..])
        .collect()
}
