//! The reconcile report in each of its formats, one module per format: the order truth debt,
//! gaps by kind, by boundary pair and by failure zone, every message accounted for, the gaps
//! with their evidence, and the one-record view of entities. Every value from a payload goes
//! through the escaping of its format; JSON is written as it is serialised, so a report of
//! 100,000 gaps is not held twice.

mod html;
mod markdown;
mod text;

pub use html::entity_section;

use crate::printer::Format;
use crate::reconcile::gaps::Gap;
use crate::reconcile::run::{AsOfSource, EntityView, Reconciliation, Status};
use std::io::{self, Write};

/// Which parts of a report to show: how many one-record views, how many example gaps of
/// each kind, and the entities asked for by key (always shown).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// One-record views of the entities with the most gaps (text and Markdown).
    pub top: usize,
    /// Example gaps per gap kind (text and Markdown).
    pub limit: usize,
    /// Entities asked for by key (`--entity`).
    pub entities: Vec<String>,
}

/// The formats the reconcile report is offered in: the names on the command line, and what each
/// is for.
pub const FORMATS: &[(&str, Format, &str)] = &[
    ("text", Format::Text, "For a person at a terminal"),
    (
        "json",
        Format::Json,
        "One document, for scripts and dashboards",
    ),
    (
        "markdown",
        Format::Markdown,
        "For a review document or a ticket",
    ),
    (
        "html",
        Format::Html,
        "One self-contained page: an entity per row, filterable",
    ),
];

/// Writes the report of `results` (one per flow) in `format` to `out`. A format the report is
/// not offered in ([`FORMATS`]) is an `InvalidInput` error.
pub fn write(
    results: &[Reconciliation],
    format: Format,
    selection: &Selection,
    out: &mut dyn Write,
) -> io::Result<()> {
    let Selection {
        top,
        limit,
        entities,
    } = selection;
    match format {
        Format::Text => out.write_all(text::text(results, *top, *limit, entities).as_bytes()),
        Format::Markdown => {
            out.write_all(markdown::markdown(results, *top, *limit, entities).as_bytes())
        }
        Format::Html => out.write_all(html::render(results).as_bytes()),
        Format::Json => {
            #[derive(serde::Serialize)]
            struct Document<'r> {
                format_version: u32,
                flows: &'r [Reconciliation],
            }
            serde_json::to_writer_pretty(
                &mut *out,
                &Document {
                    format_version: 1,
                    flows: results,
                },
            )?;
            out.write_all(b"\n")
        }
        other => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("the reconcile report has no {} format", other.name()),
        )),
    }
}

pub(super) fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "0%".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

pub(super) fn as_of(r: &Reconciliation) -> String {
    match r.as_of_source {
        AsOfSource::Given => format!("as of {} (--as-of)", r.as_of),
        AsOfSource::NewestMessage => format!("as of {} (the newest message)", r.as_of),
        AsOfSource::Unknown => "with no message time to judge deadlines by".into(),
    }
}

pub(super) fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The headline: how many entities are not in agreement. `entity` is the flow's word for them,
/// already escaped for the report's medium.
pub(super) fn debt(r: &Reconciliation, entity: &str) -> String {
    let e = &r.entities;
    format!(
        "Order truth debt: {} of {} ({}) with gaps; {} in agreement, {} pending.",
        e.with_gaps,
        plural(e.total, entity, &format!("{entity}s")),
        percent(e.with_gaps, e.total),
        e.in_agreement,
        e.pending
    )
}

pub(super) fn accounting(r: &Reconciliation) -> String {
    let read: u64 = r.systems.iter().map(|s| s.messages).sum();
    let correlated: u64 = r.systems.iter().map(|s| s.correlated).sum();
    let uncorrelated: u64 = r.systems.iter().map(|s| s.uncorrelated).sum();
    let later: u64 = r.systems.iter().map(|s| s.after_as_of).sum();
    let later = if later > 0 {
        format!(" ({later} of them stamped after the as-of time, set aside)")
    } else {
        String::new()
    };
    format!(
        "every message accounted for: {read} read = {correlated} correlated{later} + {uncorrelated} without a usable key"
    )
}

pub(super) fn cut_note(
    r: &Reconciliation,
    entity: &str,
    key: impl Fn(&str) -> String,
) -> Option<String> {
    if r.entities_cut == 0 {
        return None;
    }
    let named: Vec<String> = r
        .cut_entities
        .iter()
        .map(|c| {
            format!(
                "{} ({} messages, {} judged)",
                key(&c.key),
                c.messages,
                c.judged
            )
        })
        .collect();
    let more = r.entities_cut - r.cut_entities.len() as u64;
    Some(format!(
        "{} {entity}{} had more messages than --max-entity-messages and {} judged on {} first and last messages only: {}{}",
        r.entities_cut,
        if r.entities_cut == 1 { "" } else { "s" },
        if r.entities_cut == 1 { "was" } else { "were" },
        if r.entities_cut == 1 { "its" } else { "their" },
        named.join(", "),
        if more > 0 {
            format!(", and {more} more")
        } else {
            String::new()
        }
    ))
}

/// At most `limit` gaps to print in full: every kind's first, then every kind's second, and so
/// on, so a short list still shows an example of each kind. Grouped by kind.
pub(super) fn examples(gaps: &[Gap], limit: usize) -> Vec<&Gap> {
    let mut by_kind: std::collections::BTreeMap<_, Vec<&Gap>> = Default::default();
    for g in gaps {
        by_kind.entry(g.kind).or_default().push(g);
    }
    let mut chosen: Vec<&Gap> = Vec::new();
    let mut round = 0;
    while chosen.len() < limit.min(gaps.len()) {
        for list in by_kind.values() {
            if let Some(g) = list.get(round)
                && chosen.len() < limit
            {
                chosen.push(g);
            }
        }
        round += 1;
    }
    chosen.sort_by_key(|g| g.kind);
    chosen
}

pub(super) fn views_to_show<'r>(
    r: &'r Reconciliation,
    top: usize,
    wanted: &[String],
) -> Vec<&'r EntityView> {
    let mut shown: Vec<&EntityView> = r.views.iter().filter(|v| wanted.contains(&v.key)).collect();
    shown.extend(
        r.views
            .iter()
            .filter(|v| !wanted.contains(&v.key) && v.status == Status::Gaps)
            .take(top),
    );
    shown
}
