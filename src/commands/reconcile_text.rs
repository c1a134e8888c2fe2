//! The reconcile report for a terminal and for Markdown: the order truth debt, gaps by kind,
//! by boundary pair and by failure zone, every message accounted for, the gaps with their
//! evidence, and the one-record view of each entity with gaps. Every value from a payload goes
//! through the escaping of its format.

use handoff_reports::printer::escape::{md_code, text as esc};
use handoff_reports::reconcile::flow::show_duration;
use handoff_reports::reconcile::gaps::{Evidence, Gap};
use handoff_reports::reconcile::run::{AsOfSource, EntityView, Reconciliation, Status};
use std::fmt::Write;

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "0%".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

fn as_of(r: &Reconciliation) -> String {
    match r.as_of_source {
        AsOfSource::Given => format!("as of {} (--as-of)", r.as_of),
        AsOfSource::NewestMessage => format!("as of {} (the newest message)", r.as_of),
        AsOfSource::Unknown => "with no message time to judge deadlines by".into(),
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The headline: how many entities are not in agreement. `entity` is the flow's word for them,
/// already escaped for the report's medium.
fn debt(r: &Reconciliation, entity: &str) -> String {
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

fn accounting(r: &Reconciliation) -> String {
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
pub(crate) fn cut_note(
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
fn examples(gaps: &[Gap], limit: usize) -> Vec<&Gap> {
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

fn views_to_show<'r>(r: &'r Reconciliation, top: usize, wanted: &[String]) -> Vec<&'r EntityView> {
    let mut shown: Vec<&EntityView> = r.views.iter().filter(|v| wanted.contains(&v.key)).collect();
    shown.extend(
        r.views
            .iter()
            .filter(|v| !wanted.contains(&v.key) && v.status == Status::Gaps)
            .take(top),
    );
    shown
}

pub(crate) fn text(
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

fn md_evidence(e: &Evidence) -> String {
    let state = match (&e.state, &e.sent_state) {
        (Some(s), Some(sent)) if s != sent => format!("{} ({})", md_code(s), md_code(sent)),
        (Some(s), _) => md_code(s),
        (None, Some(sent)) => md_code(sent),
        (None, None) => String::new(),
    };
    let amount = e
        .amount
        .as_ref()
        .map(|a| match &e.currency {
            Some(c) => md_code(&format!("{a} {c}")),
            None => md_code(a),
        })
        .unwrap_or_default();
    format!(
        "| {} | {} | {} | {state} | {amount} |",
        md_code(&e.system),
        md_code(&e.source),
        e.time.clone().unwrap_or_default(),
    )
}

pub(crate) fn markdown(
    results: &[Reconciliation],
    top: usize,
    limit: usize,
    wanted: &[String],
) -> String {
    let mut out = String::new();
    for r in results {
        let _ = writeln!(out, "# Order truth: {}\n", md_code(&r.flow));
        let _ = writeln!(
            out,
            "{} Judged {}.\n",
            debt(r, &md_code(&r.entity)),
            as_of(r)
        );
        let _ = writeln!(
            out,
            "## Gaps by kind\n\n| kind | gaps | meaning |\n|---|---:|---|"
        );
        for (kind, n) in r
            .kinds
            .iter()
            .filter(|k| k.count > 0)
            .map(|k| (k.kind, k.count))
        {
            let _ = writeln!(out, "| `{}` | {n} | {} |", kind.id(), kind.description());
        }
        let _ = writeln!(
            out,
            "\n## Gaps by boundary pair\n\n| boundary pair | gaps |\n|---|---|"
        );
        for (pair, kinds) in &r.pairs {
            let list: Vec<String> = kinds
                .iter()
                .map(|(k, n)| format!("`{}` {n}", k.id()))
                .collect();
            let _ = writeln!(out, "| {} | {} |", md_code(pair), list.join(", "));
        }
        let _ = writeln!(
            out,
            "\n## Failure zones\n\n| expectation | boundary | deadline | triggered | met | late | missing | pending |\n|---|---|---|---:|---:|---:|---:|---:|"
        );
        for z in &r.zones {
            let counts: Vec<String> = z.counts().iter().map(u64::to_string).collect();
            let _ = writeln!(
                out,
                "| {} | {} -> {} | {} | {} |",
                md_code(&z.name),
                md_code(&z.from),
                md_code(&z.to),
                show_duration(z.within),
                counts.join(" | ")
            );
        }
        let _ = writeln!(
            out,
            "\n## Messages\n\n| system | contract | read | correlated | no key | with findings |\n|---|---|---:|---:|---:|---:|"
        );
        for s in &r.systems {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} | {} |",
                md_code(&s.system),
                md_code(&s.contract),
                s.messages,
                s.correlated,
                s.uncorrelated,
                s.with_findings
            );
        }
        let _ = writeln!(out, "\n{}.", accounting(r));
        if let Some(note) = cut_note(r, &r.entity, md_code) {
            let _ = writeln!(out, "\n{note}.");
        }
        if !r.gaps.is_empty() {
            let _ = writeln!(out, "\n## Gaps\n");
            for g in examples(&r.gaps, limit) {
                let _ = writeln!(
                    out,
                    "### `{}` {} {}\n\n{} ({}{})\n\nExpected: {}\n\nLikely fix: {}\n\n| system | source | time | state | amount |\n|---|---|---|---|---|",
                    g.kind.id(),
                    md_code(&r.entity),
                    g.entity
                        .as_deref()
                        .map(md_code)
                        .unwrap_or_else(|| "(no key)".into()),
                    md_code(&g.message),
                    md_code(&g.pair()),
                    g.zone
                        .as_deref()
                        .map(|z| format!(", {}", md_code(z)))
                        .unwrap_or_default(),
                    md_code(&g.expected),
                    md_code(&g.fix)
                );
                for e in &g.evidence {
                    let _ = writeln!(out, "{}", md_evidence(e));
                }
                out.push('\n');
            }
            let more = (r.gaps.len().saturating_sub(limit)) as u64 + r.unlisted_gaps;
            if more > 0 {
                let _ = writeln!(out, "... and {more} more gaps.\n");
            }
        }
        let views = views_to_show(r, top, wanted);
        if !views.is_empty() {
            let _ = writeln!(out, "## One record per {}\n", md_code(&r.entity));
            for v in views {
                let _ = writeln!(
                    out,
                    "### {} {}\n\n| system | source | time | state | amount |\n|---|---|---|---|---|",
                    md_code(&r.entity),
                    md_code(&v.key)
                );
                for s in &v.systems {
                    match &s.last {
                        Some(e) => {
                            let _ = writeln!(out, "{}", md_evidence(e));
                        }
                        None => {
                            let _ = writeln!(out, "| {} | no message | | | |", md_code(&s.system));
                        }
                    }
                }
                if !v.problems.is_empty() || !v.waiting.is_empty() {
                    out.push('\n');
                    for p in &v.problems {
                        let _ = writeln!(out, "- {}", md_code(p));
                    }
                    for w in &v.waiting {
                        let _ = writeln!(out, "- waiting: {}", md_code(w));
                    }
                }
                out.push('\n');
            }
        }
    }
    out
}
