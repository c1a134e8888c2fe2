//! The reconcile report as one self-contained HTML page: the order truth debt and the counts
//! behind it, then one row per entity (every system's last state side by side, the gaps, the
//! timeline on demand), filterable by status, gap kind and text. One inline script does the
//! filtering (the page also opens filtered from its address: `#kind=late_counterpart`); no
//! external resource is loaded. Every value from a payload is HTML-escaped.

use crate::printer::escape::html;
use crate::reconcile::flow::show_duration;
use crate::reconcile::gaps::{Evidence, GapKind};
use crate::reconcile::run::{EntityView, Reconciliation, Status};
use std::fmt::Write;

const STYLE: &str = "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:90rem;padding:0 1rem;color:#1d2330;background:#f6f7f9}
h1{font-size:1.6rem;margin:0 0 1rem}h2{font-size:1.3rem;margin:1.5rem 0 .25rem}h3{font-size:1.05rem;margin:1.25rem 0 .25rem}
.sub{color:#566074;margin:0 0 1rem}
table{border-collapse:collapse;width:100%;background:#fff;margin:.5rem 0 1rem}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #e3e6eb;vertical-align:top;font-size:.9rem}
th{background:#eef1f5;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f1f3f6;padding:0 .2rem;border-radius:3px;overflow-wrap:anywhere}
td.kindcol code,.badge,.when{white-space:nowrap}.none-row td{color:#9ca3af}
.badge{display:inline-block;border-radius:999px;padding:.05rem .6rem;font-weight:600;font-size:.8rem;margin:0 .2rem .2rem 0}
.in_agreement{background:#dcfce7;color:#14532d}.pending{background:#fef3c7;color:#78350f}.gaps{background:#fee2e2;color:#7f1d1d}
.kind{background:#e0e7ff;color:#312e81}.problem{color:#7f1d1d;margin:.3rem 0}.none{color:#9ca3af}.sent{color:#566074}
.filters{display:flex;gap:1rem;flex-wrap:wrap;align-items:center;background:#fff;padding:.6rem .8rem;border:1px solid #dde1e7;border-radius:8px}
.filters label{font-size:.9rem}.wide{overflow-x:auto}details summary{cursor:pointer;color:#1e40af}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(26rem,1fr));gap:1rem}
section.flow{margin:0 0 2.5rem}";

const SCRIPT: &str = "(function(){
var s=document.getElementById('f-status'),k=document.getElementById('f-kind'),q=document.getElementById('f-text'),n=document.getElementById('f-count');
var rows=Array.prototype.slice.call(document.querySelectorAll('tr.entity'));
function apply(){var shown=0,t=q.value.trim().toLowerCase();
rows.forEach(function(r){var ok=(!s.value||r.dataset.status===s.value)&&(!k.value||(' '+r.dataset.kinds+' ').indexOf(' '+k.value+' ')>=0)&&(!t||r.textContent.toLowerCase().indexOf(t)>=0);
r.hidden=!ok;if(ok){shown++;}});n.textContent=shown+' of '+rows.length+' shown';}
location.hash.replace(/^#/,'').split('&').forEach(function(p){var kv=p.split('=');var v=decodeURIComponent(kv[1]||'');
if(kv[0]==='status'){s.value=v;}if(kv[0]==='kind'){k.value=v;}if(kv[0]==='q'){q.value=v;}});
[s,k].forEach(function(e){e.addEventListener('change',apply);});q.addEventListener('input',apply);apply();})();";

fn cell(e: Option<&Evidence>) -> String {
    let Some(e) = e else {
        return "<span class=\"none\">no message</span>".into();
    };
    let mut out = String::new();
    if let Some(s) = &e.state {
        let _ = write!(out, "<strong>{}</strong>", html(s));
    }
    if let Some(sent) = e
        .sent_state
        .as_ref()
        .filter(|sent| e.state.as_ref() != Some(*sent))
    {
        let _ = write!(
            out,
            " <span class=\"sent\">(<code>{}</code>)</span>",
            html(sent)
        );
    }
    if let Some(a) = &e.amount {
        let _ = write!(
            out,
            "<br>{}{}",
            html(a),
            e.currency
                .as_deref()
                .map(|c| format!(" {}", html(c)))
                .unwrap_or_default()
        );
    }
    if let (None, Some(sent)) = (&e.amount, &e.sent_amount) {
        let _ = write!(
            out,
            "<br><span class=\"sent\">amount <code>{}</code> (not read)</span>",
            html(sent)
        );
    }
    if let Some(t) = &e.time {
        let _ = write!(out, "<br><span class=\"sent when\">{}</span>", html(t));
    }
    out
}

/// One entity's one-record view as a part of another page (the review workspace's exception
/// card): its status and gaps, every system's last message side by side, what is wrong or
/// awaited, and the whole timeline. Classes: `badge` with the status (`in_agreement`,
/// `pending`, `gaps`) or `kind`, `problem`, `none`, `sent`.
pub fn entity_section(r: &Reconciliation, v: &EntityView) -> String {
    let status = match v.status {
        Status::InAgreement => "in_agreement",
        Status::Pending => "pending",
        Status::Gaps => "gaps",
    };
    let mut h = String::new();
    let _ = write!(
        h,
        "<p>Flow <code>{}</code>, {} <code>{}</code>: <span class=\"badge {status}\">{}</span>",
        html(&r.flow),
        html(&r.entity),
        html(&v.key),
        status.replace('_', " ")
    );
    for k in &v.gaps {
        let _ = write!(h, "<span class=\"badge kind\">{}</span>", k.id());
    }
    let _ = writeln!(h, " (as of {})</p>", html(&r.as_of));
    h.push_str("<table><thead><tr>");
    for s in &v.systems {
        let _ = write!(
            h,
            "<th>{} ({} message{})</th>",
            html(&s.system),
            s.messages,
            if s.messages == 1 { "" } else { "s" }
        );
    }
    h.push_str("</tr></thead><tbody><tr>");
    for s in &v.systems {
        let _ = write!(h, "<td>{}</td>", cell(s.last.as_ref()));
    }
    h.push_str("</tr></tbody></table>\n");
    timeline(&mut h, v);
    h.push('\n');
    h
}

/// What is wrong with an entity, what it waits for, and its messages in time order.
fn timeline(h: &mut String, v: &EntityView) {
    for p in &v.problems {
        let _ = write!(h, "<p class=\"problem\">{}</p>", html(p));
    }
    for w in &v.waiting {
        let _ = write!(h, "<p class=\"waiting\">waiting: {}</p>", html(w));
    }
    h.push_str("<ol>");
    for (i, e) in v.timeline.iter().enumerate() {
        if v.timeline_cut > 0 && i == v.timeline.len() / 2 {
            let _ = write!(
                h,
                "<li>... {} messages between not listed</li>",
                v.timeline_cut
            );
        }
        let _ = write!(
            h,
            "<li>{} <strong>{}</strong> {} <code>{}</code></li>",
            html(e.time.as_deref().unwrap_or("(no time)")),
            html(&e.system),
            html(e.sent_state.as_deref().unwrap_or("")),
            html(&e.source)
        );
    }
    h.push_str("</ol>");
}

pub(super) fn render(results: &[Reconciliation]) -> String {
    let title = results
        .iter()
        .map(|r| r.flow.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>Order truth: {}</title><style>{STYLE}</style></head><body>\n",
        html(&title)
    );
    h.push_str("<h1>Order truth</h1>\n");
    if !results.is_empty() {
        // One filter for every flow's entities.
        h.push_str("<div class=\"filters\"><label>status <select id=\"f-status\"><option value=\"\">any</option><option value=\"gaps\">gaps</option><option value=\"pending\">pending</option><option value=\"in_agreement\">in agreement</option></select></label><label>gap <select id=\"f-kind\"><option value=\"\">any</option>");
        for kind in GapKind::ALL {
            let _ = write!(h, "<option value=\"{0}\">{0}</option>", kind.id());
        }
        h.push_str("</select></label><label>search <input id=\"f-text\" type=\"search\" placeholder=\"key, state, file\"></label><span id=\"f-count\"></span></div>\n");
    }
    for r in results {
        let e = &r.entities;
        let _ = writeln!(
            h,
            "<section class=\"flow\"><h2>Flow <code>{}</code></h2><p class=\"sub\">{} of {} {}s with gaps ({:.1}%), {} in agreement, {} pending; as of {}. {} messages read from {} systems, {} without a usable key.</p>",
            html(&r.flow),
            e.with_gaps,
            e.total,
            html(&r.entity),
            if e.total == 0 {
                0.0
            } else {
                e.with_gaps as f64 * 100.0 / e.total as f64
            },
            e.in_agreement,
            e.pending,
            html(&r.as_of),
            r.messages(),
            r.systems.len(),
            r.systems.iter().map(|s| s.uncorrelated).sum::<u64>()
        );
        h.push_str("<div class=\"cols\"><div><h3>Gaps by kind</h3><table><thead><tr><th>kind</th><th>gaps</th><th>meaning</th></tr></thead><tbody>\n");
        for (kind, n) in r
            .kinds
            .iter()
            .filter(|k| k.count > 0)
            .map(|k| (k.kind, k.count))
        {
            let _ = writeln!(
                h,
                "<tr><td class=\"kindcol\"><code>{}</code></td><td class=\"n\">{n}</td><td>{}</td></tr>",
                kind.id(),
                html(kind.description())
            );
        }
        if r.total_gaps() == 0 {
            h.push_str(
                "<tr class=\"none-row\"><td colspan=\"3\">no gaps: every system agrees</td></tr>\n",
            );
        }
        h.push_str("</tbody></table></div><div><h3>Gaps by boundary pair</h3><table><thead><tr><th>boundary pair</th><th>gaps</th></tr></thead><tbody>\n");
        for (pair, kinds) in &r.pairs {
            let list: Vec<String> = kinds
                .iter()
                .map(|(k, n)| format!("<code>{}</code>&nbsp;{n}", k.id()))
                .collect();
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td></tr>",
                html(pair),
                list.join(", ")
            );
        }
        if r.pairs.is_empty() {
            h.push_str("<tr class=\"none-row\"><td colspan=\"2\">none</td></tr>\n");
        }
        h.push_str("</tbody></table></div></div>\n<h3>Failure zones</h3><table><thead><tr><th>expectation</th><th>boundary</th><th>deadline</th><th>triggered</th><th>met</th><th>late</th><th>missing</th><th>pending</th></tr></thead><tbody>\n");
        for z in &r.zones {
            let counts: String = z
                .counts()
                .iter()
                .map(|n| format!("<td class=\"n\">{n}</td>"))
                .collect();
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{} -&gt; {}</td><td>{}</td>{counts}</tr>",
                html(&z.name),
                html(&z.from),
                html(&z.to),
                show_duration(z.within),
            );
        }
        h.push_str("</tbody></table>\n");
        let _ = write!(h, "<h3>{}s</h3>", html(&r.entity));
        let _ = write!(
            h,
            "<div class=\"wide\"><table><thead><tr><th>{}</th><th>status</th>",
            html(&r.entity)
        );
        for s in &r.systems {
            let _ = write!(h, "<th>{}</th>", html(&s.system));
        }
        h.push_str("<th>timeline</th></tr></thead><tbody>\n");
        for v in &r.views {
            let status = match v.status {
                Status::InAgreement => "in_agreement",
                Status::Pending => "pending",
                Status::Gaps => "gaps",
            };
            let kinds: Vec<&str> = v.gaps.iter().map(|k| k.id()).collect();
            let _ = write!(
                h,
                "<tr class=\"entity\" data-status=\"{status}\" data-kinds=\"{}\"><td><code>{}</code></td><td><span class=\"badge {status}\">{}</span>",
                kinds.join(" "),
                html(&v.key),
                status.replace('_', " ")
            );
            for k in &kinds {
                let _ = write!(h, "<span class=\"badge kind\">{k}</span>");
            }
            h.push_str("</td>");
            for s in &v.systems {
                let _ = write!(h, "<td>{}</td>", cell(s.last.as_ref()));
            }
            let _ = write!(
                h,
                "<td><details><summary>{} messages</summary>",
                v.timeline.len()
            );
            timeline(&mut h, v);
            h.push_str("</details></td></tr>\n");
        }
        h.push_str("</tbody></table></div>\n");
        if r.unlisted_views > 0 {
            let _ = writeln!(
                h,
                "<p class=\"sub\">{} more entities are counted above but not listed.</p>",
                r.unlisted_views
            );
        }
        if let Some(note) = super::cut_note(r, &r.entity, |k| {
            format!("`{}`", crate::printer::escape::text(k))
        }) {
            let _ = writeln!(h, "<p class=\"problem\">{}.</p>", html(&note));
        }
        h.push_str("</section>\n");
    }
    if !results.is_empty() {
        let _ = writeln!(h, "<script>{SCRIPT}</script>");
    }
    h.push_str("</body></html>\n");
    h
}
