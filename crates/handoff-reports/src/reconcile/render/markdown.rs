//! The reconcile report in Markdown, for a review document or a ticket.

use super::{accounting, as_of, cut_note, debt, examples, views_to_show};
use crate::printer::escape::md_code;
use crate::reconcile::flow::show_duration;
use crate::reconcile::gaps::Evidence;
use crate::reconcile::run::Reconciliation;
use std::fmt::Write;

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

pub(super) fn markdown(
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
