//! The triage report as one self-contained HTML file for a sprint review: no scripts, no CDN,
//! no external fonts; per error code a card with the five answers, a weekly count chart (inline
//! SVG), the route and the patterns; counts by boundary; the routing table. Every value from
//! the log or a payload is HTML-escaped.

use crate::printer::escape::html;
use std::fmt::Write;

/// One error code, as the report shows it.
pub(super) struct Card<'a> {
    pub(super) error_code: &'a str,
    pub(super) count: u64,
    pub(super) hours_per_week: Option<f64>,
    pub(super) first: String,
    pub(super) last: String,
    pub(super) verdict: &'a str,
    pub(super) verdict_description: &'a str,
    pub(super) decision: &'a str,
    pub(super) automatable: &'a str,
    /// (question, answer word, evidence)
    pub(super) answers: Vec<(String, &'a str, &'a str)>,
    pub(super) weekly: Vec<(String, u64)>,
    /// (count, signature)
    /// Count, signature, and the review gate's figures in words when repairs were proposed.
    pub(super) patterns: Vec<(u64, String, Option<String>)>,
    pub(super) boundaries: String,
    pub(super) owners: String,
    pub(super) resolvers: String,
    /// Example exceptions' log lines.
    pub(super) examples: Vec<u64>,
    /// What the review decided (triage.yaml), in words.
    pub(super) decided: Vec<String>,
}

pub(super) struct Page<'a> {
    pub(super) log: String,
    pub(super) summary: String,
    pub(super) thresholds: String,
    pub(super) cards: Vec<Card<'a>>,
    /// (line, reason), rows not used
    pub(super) rejected: Vec<(u64, String)>,
    /// (boundary, exceptions, error codes), most exceptions first
    pub(super) boundaries: Vec<(String, u64, u64)>,
    /// Where an example log line links to (`/exception/` + the line), when the report is part
    /// of a page that shows single exceptions.
    pub(super) example_link: Option<&'a str>,
    /// The review gate's figures per repair rule, and the window in days.
    pub(super) rules: Vec<crate::triage::report::RuleRow<'a>>,
    pub(super) window_days: u32,
}

/// The report's style sheet, for a page that embeds the report (`Report::html_section`).
pub const STYLE: &str = "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1d2330;background:#f6f7f9}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:0}
.sub{color:#566074;margin:0 0 1.5rem}
table{border-collapse:collapse;width:100%;background:#fff;margin:.5rem 0 1.5rem}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #e3e6eb;vertical-align:top}
th{background:#eef1f5;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:1rem 1.25rem;margin:0 0 1.25rem}
.head{display:flex;justify-content:space-between;gap:1rem;align-items:baseline;flex-wrap:wrap}
.badge{display:inline-block;border-radius:999px;padding:.1rem .7rem;font-weight:600;font-size:.85rem}
.integration{background:#dbeafe;color:#1e3a8a}.process{background:#fef3c7;color:#78350f}
.both{background:#fce7f3;color:#831843}.undecided{background:#e5e7eb;color:#374151}
.yes{color:#14532d;font-weight:600}.no{color:#7f1d1d;font-weight:600}.unknown{color:#6b7280;font-weight:600}
code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f1f3f6;padding:0 .2rem;border-radius:3px;word-break:break-all}
.meta{color:#566074;font-size:.9rem;margin:.25rem 0 .75rem}svg{display:block;margin:.5rem 0}
td a code{white-space:nowrap;word-break:normal}
.wide{overflow-x:auto}.summary td,.summary th{font-size:.85rem;padding:.3rem .45rem}";

pub(super) fn render(page: &Page<'_>) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>Exception triage: {}</title><style>{STYLE}</style></head><body>\n",
        html(&page.log)
    );
    let _ = writeln!(
        h,
        "<h1>Exception triage</h1><p class=\"sub\"><code>{}</code>: {}</p><p class=\"sub\">Thresholds: {}.</p>",
        html(&page.log),
        html(&page.summary),
        html(&page.thresholds)
    );
    h.push_str(&body(page));
    h.push_str("</body></html>\n");
    h
}

/// The report without its page: the summary table, the boundaries, a card per error code and
/// the rows not used.
pub(super) fn body(page: &Page<'_>) -> String {
    let mut h = String::new();
    h.push_str("<div class=\"wide\"><table class=\"summary\"><thead><tr><th>error code</th><th>exceptions</th><th>hours/week</th><th>verdict</th><th>decision</th><th>automatable</th><th>boundary</th><th>owner</th><th>resolvers</th></tr></thead><tbody>\n");
    for c in &page.cards {
        let _ = writeln!(
            h,
            "<tr><td><a href=\"#{}\"><code>{}</code></a></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td><span class=\"badge {}\">{}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            anchor(c.error_code),
            html(c.error_code),
            c.count,
            c.hours_per_week.map_or("n/a".into(), |v| format!("{v:.1}")),
            html(c.verdict),
            html(c.verdict),
            html(c.decision),
            html(c.automatable),
            html(&c.boundaries),
            html(&c.owners),
            html(&c.resolvers),
        );
    }
    h.push_str("</tbody></table></div>\n");
    if !page.boundaries.is_empty() {
        h.push_str("<h2>By boundary</h2><table><thead><tr><th>boundary</th><th>exceptions</th><th>error codes</th></tr></thead><tbody>\n");
        for (b, n, codes) in &page.boundaries {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"n\">{n}</td><td class=\"n\">{codes}</td></tr>",
                html(b)
            );
        }
        h.push_str("</tbody></table>\n");
    }
    if !page.rules.is_empty() {
        let _ = writeln!(
            h,
            "<h2>Review gate by repair rule</h2><p class=\"meta\">Proposals made in the last {} days (docs/review.md).</p><table><thead><tr><th>rule</th><th>proposed</th><th>approved</th><th>rejected</th><th>false-positive rate</th><th>auto-resolution rate</th></tr></thead><tbody>",
            page.window_days
        );
        for r in &page.rules {
            let _ = writeln!(
                h,
                "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} of {}</td></tr>",
                html(r.rule),
                r.counts.proposals,
                r.counts.approved,
                r.counts.rejected,
                crate::triage::report::rate_text(r.counts.false_positive_rate()),
                crate::triage::report::rate_text(r.auto_resolution_rate),
                r.of
            );
        }
        h.push_str("</tbody></table>\n");
    }
    for c in &page.cards {
        card(&mut h, c, page.example_link);
    }
    if !page.rejected.is_empty() {
        h.push_str("<h2>Rows not used</h2><table><thead><tr><th>line</th><th>reason</th></tr></thead><tbody>\n");
        for (line, reason) in &page.rejected {
            let _ = writeln!(
                h,
                "<tr><td class=\"n\">{line}</td><td>{}</td></tr>",
                html(reason)
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h
}

fn anchor(code: &str) -> String {
    let slug: String = code
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("code-{slug}")
}

fn card(h: &mut String, c: &Card<'_>, link: Option<&str>) {
    let _ = write!(
        h,
        "<section class=\"card\" id=\"{}\"><div class=\"head\"><h2><code>{}</code> · {} exception{}{}</h2><span class=\"badge {}\">{}</span></div>\n<p class=\"meta\">{} · decision: {} · automatable: {} · {} to {}</p>\n",
        anchor(c.error_code),
        html(c.error_code),
        c.count,
        if c.count == 1 { "" } else { "s" },
        c.hours_per_week
            .map_or(String::new(), |v| format!(" · {v:.1} hours/week")),
        html(c.verdict),
        html(c.verdict),
        html(c.verdict_description),
        html(c.decision),
        html(c.automatable),
        html(&c.first),
        html(&c.last),
    );
    for d in &c.decided {
        let _ = writeln!(
            h,
            "<p class=\"meta\"><strong>decided:</strong> {}</p>",
            html(d)
        );
    }
    chart(h, &c.weekly);
    h.push_str(
        "<table><thead><tr><th>question</th><th>answer</th><th>evidence</th></tr></thead><tbody>\n",
    );
    for (q, word, evidence) in &c.answers {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
            html(q),
            html(word),
            html(word),
            html(evidence)
        );
    }
    h.push_str(
        "</tbody></table><table><thead><tr><th>count</th><th>pattern</th></tr></thead><tbody>\n",
    );
    for (n, signature, feedback) in &c.patterns {
        let _ = writeln!(
            h,
            "<tr><td class=\"n\">{n}</td><td><code>{}</code>{}</td></tr>",
            html(signature),
            feedback
                .as_deref()
                .map(|f| format!("<br><span class=\"meta\">{}</span>", html(f)))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(
        h,
        "</tbody></table><p class=\"meta\">route: {} · owner: {} · resolved today by {} · examples: log lines {}</p></section>",
        html(&c.boundaries),
        html(&c.owners),
        html(&c.resolvers),
        c.examples
            .iter()
            .map(|line| match link {
                Some(prefix) => format!("<a href=\"{}{line}\">{line}</a>", html(prefix)),
                None => line.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// Weekly counts as bars, labelled with the week and the count.
fn chart(h: &mut String, weekly: &[(String, u64)]) {
    let max = weekly.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let (bar, gap, height) = (56u64, 14u64, 90u64);
    let width = (bar + gap) * weekly.len() as u64 + gap;
    let _ = write!(
        h,
        "<svg role=\"img\" aria-label=\"exceptions per week\" width=\"{width}\" height=\"{}\" viewBox=\"0 0 {width} {}\">",
        height + 36,
        height + 36
    );
    for (i, (week, n)) in weekly.iter().enumerate() {
        let x = gap + i as u64 * (bar + gap);
        let bar_h = (height * n).div_ceil(max).max(1);
        let y = 14 + height - bar_h;
        let _ = write!(
            h,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{bar_h}\" fill=\"#4f7cc4\"><title>{} {n}</title></rect><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{n}</text><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#566074\">{}</text>",
            html(week),
            x + bar / 2,
            y.saturating_sub(3),
            x + bar / 2,
            height + 30,
            html(week.split_once('-').map_or(week.as_str(), |(_, w)| w)),
        );
    }
    h.push_str("</svg>\n");
}
