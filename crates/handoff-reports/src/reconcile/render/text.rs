//! The reconcile report for a terminal.

use super::{accounting, as_of, cut_note, debt, examples, plural, views_to_show};
use crate::printer::escape::text as esc;
use crate::reconcile::flow::show_duration;
use crate::reconcile::gaps::{Evidence, Gap};
use crate::reconcile::run::{EntityView, Reconciliation, Status};
use std::fmt::Write;

fn evidence_line(e: &Evidence) -> String {
    let mut parts = vec![
        format!("{:<10}", esc(&e.system)),
        esc(&e.source).into_owned(),
    ];
    if let Some(t) = &e.time {
        parts.push(t.clone());
    }
    match (&e.state, &e.sent_state) {
        (Some(s), Some(sent)) if s != sent => {
            parts.push(format!("{} (sent `{}`)", esc(s), esc(sent)))
        }
        (Some(s), _) => parts.push(esc(s).into_owned()),
        (None, Some(sent)) => parts.push(format!("sent `{}`", esc(sent))),
        _ => {}
    }
    if let Some(a) = &e.amount {
        let sent = match &e.sent_amount {
            Some(s) if s != a => format!(" (sent {})", esc(s)),
            _ => String::new(),
        };
        parts.push(format!(
            "{}{}{sent}",
            esc(a),
            e.currency
                .as_deref()
                .map(|c| format!(" {}", esc(c)))
                .unwrap_or_default()
        ));
    }
    if let (None, Some(sent)) = (&e.amount, &e.sent_amount) {
        parts.push(format!("amount `{}` (not read)", esc(sent)));
    }
    if !e.key.is_empty() {
        parts.push(format!("key `{}`", esc(&e.key)));
    }
    if let Some(i) = &e.identity {
        parts.push(format!("identity `{}`", esc(i)));
    }
    if let Some(i) = &e.id {
        parts.push(format!("id `{}`", esc(i)));
    }
    if e.findings > 0 {
        parts.push(format!(
            "{} contract finding{} (handoff check shows {})",
            e.findings,
            if e.findings == 1 { "" } else { "s" },
            if e.findings == 1 { "it" } else { "them" }
        ));
    }
    parts.join("  ")
}

fn gap_text(out: &mut String, g: &Gap, entity: &str) {
    let subject = match &g.entity {
        Some(k) => format!("{entity} {}", esc(k)),
        None => "no entity".into(),
    };
    let zone = g
        .zone
        .as_deref()
        .map(|z| format!("  [{}]", esc(z)))
        .unwrap_or_default();
    let _ = writeln!(out, "{}  {subject}  {}{zone}", g.kind.id(), esc(&g.pair()));
    let _ = writeln!(out, "  {}", esc(&g.message));
    let _ = writeln!(out, "  expected: {}", esc(&g.expected));
    if !g.fix.is_empty() {
        let _ = writeln!(out, "  fix: {}", esc(&g.fix));
    }
    for e in &g.evidence {
        let _ = writeln!(out, "    {}", evidence_line(e));
    }
}

fn view_text(out: &mut String, v: &EntityView, entity: &str) {
    let status = match v.status {
        Status::InAgreement => "in agreement".to_string(),
        Status::Pending => "pending".to_string(),
        Status::Gaps => format!(
            "gaps: {}",
            v.gaps.iter().map(|k| k.id()).collect::<Vec<_>>().join(", ")
        ),
    };
    let _ = writeln!(out, "{entity} {}  ({status})", esc(&v.key));
    for s in &v.systems {
        match &s.last {
            Some(last) => {
                let _ = writeln!(
                    out,
                    "  {:<10} {} message(s), last: {}",
                    esc(&s.system),
                    s.messages,
                    evidence_line(last)
                        .trim_start_matches(&format!("{:<10}", esc(&s.system)))
                        .trim_start()
                );
            }
            None => {
                let _ = writeln!(out, "  {:<10} no message", esc(&s.system));
            }
        }
    }
    for p in &v.problems {
        let _ = writeln!(out, "  ! {}", esc(p));
    }
    for w in &v.waiting {
        let _ = writeln!(out, "  waiting: {}", esc(w));
    }
    let _ = writeln!(out, "  timeline:");
    for (i, e) in v.timeline.iter().enumerate() {
        if v.timeline_cut > 0 && i == v.timeline.len() / 2 {
            let _ = writeln!(
                out,
                "    ... {} messages between not listed",
                v.timeline_cut
            );
        }
        let _ = writeln!(out, "    {}", evidence_line(e));
    }
    if v.not_judged > 0 {
        let _ = writeln!(
            out,
            "  ! {} messages past --max-entity-messages were counted, not judged",
            v.not_judged
        );
    }
}

/// Entities too large to judge whole, named, so no one reads their verdict as complete.
pub(super) fn text(
    results: &[Reconciliation],
    top: usize,
    limit: usize,
    wanted: &[String],
) -> String {
    let mut out = String::new();
    for r in results {
        // The flow's words (its entity, its systems' names) are written by people too.
        let entity = esc(&r.entity);
        let names: Vec<String> = r
            .systems
            .iter()
            .map(|s| esc(&s.system).into_owned())
            .collect();
        let _ = writeln!(
            out,
            "reconcile {}: {} across {}, {}",
            esc(&r.flow),
            plural(r.entities.total, &entity, &format!("{entity}s")),
            names.join(", "),
            as_of(r)
        );
        let _ = writeln!(out, "{}\n", debt(r, &entity));
        let _ = writeln!(out, "Gaps by kind ({} in all)", r.total_gaps());
        for (kind, n) in r
            .kinds
            .iter()
            .filter(|k| k.count > 0)
            .map(|k| (k.kind, k.count))
        {
            let _ = writeln!(out, "  {:<22}{n:>6}  {}", kind.id(), kind.description());
        }
        if !r.pairs.is_empty() {
            let _ = writeln!(out, "\nGaps by boundary pair");
            for (pair, kinds) in &r.pairs {
                let list: Vec<String> = kinds
                    .iter()
                    .map(|(k, n)| format!("{} {n}", k.id()))
                    .collect();
                let _ = writeln!(out, "  {:<24}{}", esc(pair), list.join(", "));
            }
        }
        if !r.zones.is_empty() {
            let _ = writeln!(
                out,
                "\n  {:<30}{:>10}{:>10}{:>8}{:>9}{:>9}",
                "failure zones", "triggered", "met", "late", "missing", "pending"
            );
            for z in &r.zones {
                let _ = writeln!(
                    out,
                    "  {} ({} -> {}, within {})\n  {:<30}{:>10}{:>10}{:>8}{:>9}{:>9}",
                    esc(&z.name),
                    esc(&z.from),
                    esc(&z.to),
                    show_duration(z.within),
                    "",
                    z.triggered,
                    z.met,
                    z.late,
                    z.missing,
                    z.pending
                );
            }
        }
        let labels: Vec<String> = r
            .systems
            .iter()
            .map(|s| format!("{} ({})", esc(&s.system), esc(&s.contract)))
            .collect();
        let width = labels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
            .max(8);
        let _ = writeln!(
            out,
            "\n  {:<width$}  {:>8}  {:>10}  {:>6}  {:>13}",
            "messages", "read", "correlated", "no key", "with findings"
        );
        for (s, label) in r.systems.iter().zip(&labels) {
            let _ = writeln!(
                out,
                "  {label:<width$}  {:>8}  {:>10}  {:>6}  {:>13}",
                s.messages, s.correlated, s.uncorrelated, s.with_findings
            );
        }
        let _ = writeln!(out, "  {}", accounting(r));
        if let Some(note) = cut_note(r, &r.entity, |k| format!("`{}`", esc(k))) {
            let _ = writeln!(out, "  {note}");
        }
        for e in &r.empty_inputs {
            let _ = writeln!(out, "  warning: {} holds no payload", esc(e));
        }
        if !r.gaps.is_empty() {
            let _ = writeln!(out, "\nGaps");
            for g in examples(&r.gaps, limit) {
                gap_text(&mut out, g, &entity);
            }
            let more = (r.gaps.len().saturating_sub(limit)) as u64 + r.unlisted_gaps;
            if more > 0 {
                let _ = writeln!(
                    out,
                    "... and {more} more gaps (--limit, or --format json for all)"
                );
            }
        }
        let views = views_to_show(r, top, wanted);
        if !views.is_empty() {
            let _ = writeln!(out, "\nOne record per {entity}");
            for v in &views {
                view_text(&mut out, v, &entity);
            }
        }
        for w in wanted {
            if !r.views.iter().any(|v| &v.key == w) {
                let _ = writeln!(
                    out,
                    "\nno {} `{}` in any capture of {}",
                    entity,
                    esc(w),
                    esc(&r.flow)
                );
            }
        }
        out.push('\n');
    }
    let gaps: u64 = results.iter().map(Reconciliation::total_gaps).sum();
    let _ = writeln!(
        out,
        "{}",
        if gaps == 0 {
            "no gaps: every system agrees".to_string()
        } else {
            format!("{} found", plural(gaps, "gap", "gaps"))
        }
    );
    out
}
