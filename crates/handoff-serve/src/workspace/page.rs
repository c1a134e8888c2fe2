//! The workspace's HTML: one self-contained page per answer (no scripts, no external
//! resources), every value from a payload, a proposal or the history database escaped.

use super::{Data, Notice};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use handoff_core::escape::html;
use handoff_reports::triage::review::{Counts, Proposal, Status};
use std::fmt::Write;

const STYLE: &str = "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:76rem;padding:0 1rem;color:#1d2330;background:#f6f7f9}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.2rem;margin:1.75rem 0 .5rem}h3{font-size:1rem;margin:0}
.sub{color:#566074;margin:0 0 1rem}nav a{margin-right:1rem}
table{border-collapse:collapse;width:100%;background:#fff;margin:.5rem 0 1rem}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #e3e6eb;vertical-align:top}
th{background:#eef1f5;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:1rem 1.25rem;margin:0 0 1rem}
.head{display:flex;justify-content:space-between;gap:1rem;align-items:baseline;flex-wrap:wrap}
code,pre{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f1f3f6;border-radius:3px}
code{padding:0 .2rem;word-break:break-all}pre{padding:.5rem .7rem;white-space:pre-wrap;word-break:break-all;margin:.4rem 0}
.meta{color:#566074;font-size:.9rem;margin:.25rem 0 .5rem}
.ok{color:#14532d;font-weight:600}.bad{color:#7f1d1d;font-weight:600}
.notice{border-radius:8px;padding:.75rem 1rem;margin:0 0 1rem;background:#dcfce7;border:1px solid #86efac}
.notice.refused{background:#fee2e2;border-color:#fca5a5}
form{display:inline-flex;gap:.4rem;align-items:center;flex-wrap:wrap;margin:.4rem 1rem .2rem 0}
input[type=text],input[type=password]{font:inherit;padding:.2rem .4rem;border:1px solid #c5cbd5;border-radius:4px}
button{font:inherit;font-weight:600;padding:.25rem .9rem;border-radius:6px;border:1px solid #1e3a8a;background:#1e40af;color:#fff;cursor:pointer}
button.reject{background:#fff;color:#7f1d1d;border-color:#7f1d1d}
.empty{color:#566074;font-style:italic}
.in_agreement{background:#dcfce7;color:#14532d}.pending{background:#fef3c7;color:#78350f}.gaps{background:#fee2e2;color:#7f1d1d}
.kind{background:#e0e7ff;color:#312e81;margin-left:.3rem}.problem{color:#7f1d1d;margin:.3rem 0}.none{color:#9ca3af}.sent{color:#566074}";

fn document(title: &str, body: &str) -> String {
    // The weekly review is the triage report's own HTML: its style first, this page's after.
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{}</style><style>{STYLE}</style></head><body>\n{body}</body></html>\n",
        html(title),
        handoff_reports::triage::report::HTML_STYLE
    )
}

fn respond(status: StatusCode, page: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            // No script, frame or outside resource may run on these pages, whatever a value holds.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
            (header::CACHE_CONTROL, "no-store"),
            // `same-origin`, not `no-referrer`: with no referrer Chromium posts forms with
            // `Origin: null`, which the same-site check must refuse.
            (header::REFERRER_POLICY, "same-origin"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        page,
    )
        .into_response()
}

/// A page that only says why a request was refused.
pub(super) fn refusal(status: StatusCode, message: &str, help: &str) -> Response {
    let mut body = format!(
        "<h1>handoff workspace</h1><div class=\"notice refused\"><p><strong>{} {}</strong>: {}</p>",
        status.as_u16(),
        html(status.canonical_reason().unwrap_or("")),
        html(message)
    );
    if !help.is_empty() {
        let _ = write!(body, "<p>{}</p>", html(help));
    }
    body.push_str("</div><p><a href=\"/\">Back to the workspace</a></p>\n");
    respond(status, document("handoff workspace", &body))
}

/// The form a browser gives the receiver's token in, once, on a receiver that has one.
pub(super) fn login(wrong: Option<&str>) -> Response {
    let mut body = String::from("<h1>handoff workspace</h1>");
    if let Some(w) = wrong {
        let _ = write!(
            body,
            "<div class=\"notice refused\" role=\"alert\">{}</div>",
            html(w)
        );
    }
    body.push_str("<p class=\"sub\">This receiver requires its token: give it once, and this browser keeps a cookie derived from it (not the token) until it closes.</p><form method=\"post\" action=\"/login\"><label>token <input type=\"password\" name=\"token\" required autocomplete=\"current-password\" size=\"40\"></label><button type=\"submit\">Open the workspace</button></form>\n");
    let mut r = respond(
        StatusCode::UNAUTHORIZED,
        document("handoff workspace", &body),
    );
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        axum::http::HeaderValue::from_static("Bearer"),
    );
    r
}

fn rate(r: Option<f64>) -> String {
    handoff_reports::triage::report::rate_text(r)
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(super) fn home(d: &Data, csrf: &str, status: StatusCode) -> Response {
    let mut h = String::new();
    let pending = d.pending.len() as u64 + d.pending_more;
    let _ = writeln!(
        h,
        "<h1>handoff workspace</h1><p class=\"sub\">History database <code>{}</code>; {} waiting for a decision.</p>",
        html(&d.history),
        plural(pending, "repair proposal", "repair proposals")
    );
    h.push_str("<nav><a href=\"#live\">Live</a><a href=\"#weekly\">Weekly review</a><a href=\"#gate\">Review gate</a><a href=\"#feedback\">Feedback loop</a></nav>\n");
    notice(&mut h, d);
    live(&mut h, d);
    weekly(&mut h, d);
    gate(&mut h, d, csrf);
    feedback(&mut h, d);
    respond(status, document("handoff workspace", &h))
}

fn notice(h: &mut String, d: &Data) {
    match &d.notice {
        Some((Notice::Decided(_), Some(p))) => {
            let verb = if p.status == Status::Rejected {
                "rejected"
            } else {
                "approved"
            };
            let _ = writeln!(
                h,
                "<div class=\"notice\" role=\"status\">Proposal {} ({}) {verb} by {} at {}: {}</div>",
                p.id,
                html(&p.at()),
                html(p.decided_by.as_deref().unwrap_or("")),
                html(p.decided_at.as_deref().unwrap_or("")),
                html(p.outcome.as_deref().unwrap_or(""))
            );
        }
        Some((Notice::Refused(why), _)) => {
            let _ = writeln!(
                h,
                "<div class=\"notice refused\" role=\"alert\">{}</div>",
                html(why)
            );
        }
        _ => {}
    }
}

fn live(h: &mut String, d: &Data) {
    h.push_str("<h2 id=\"live\">Live</h2>\n");
    if d.tallies.is_empty() {
        h.push_str("<p class=\"empty\">Nothing received since the receiver started: POST payloads to /capture/&lt;contract&gt;.</p>\n");
        return;
    }
    h.push_str("<table><thead><tr><th>contract</th><th>received</th><th>invalid</th><th>invalid share</th></tr></thead><tbody>\n");
    for (contract, t) in &d.tallies {
        let share = if t.received == 0 {
            None
        } else {
            Some(t.invalid as f64 / t.received as f64)
        };
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            html(contract),
            t.received,
            t.invalid,
            rate(share)
        );
    }
    h.push_str("</tbody></table>\n");
    if d.newest.is_empty() {
        h.push_str("<p class=\"empty\">No payload received since the start had findings.</p>\n");
        return;
    }
    let _ = writeln!(
        h,
        "<h3>Newest payloads with findings (at most {})</h3>",
        super::live::NEWEST
    );
    h.push_str("<table><thead><tr><th>received</th><th>contract</th><th>capture</th><th>findings</th><th>payload (redacted)</th></tr></thead><tbody>\n");
    for n in &d.newest {
        let mut findings = String::new();
        for super::live::Shown {
            kind,
            pointer,
            value,
            expected,
        } in &n.findings
        {
            let _ = write!(
                findings,
                "<div><code>{}</code> at <code>{}</code>{}: expected {}</div>",
                html(kind),
                html(if pointer.is_empty() {
                    "(root)"
                } else {
                    pointer
                }),
                if value.is_empty() {
                    String::new()
                } else {
                    format!(", sent <code>{}</code>", html(value))
                },
                html(expected)
            );
        }
        if n.more > 0 {
            let _ = write!(findings, "<div class=\"meta\">and {} more</div>", n.more);
        }
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code><div class=\"meta\">request {}</div></td><td>{findings}</td><td><code>{}</code></td></tr>",
            html(&n.received_at),
            html(&n.contract),
            html(&n.capture),
            html(&n.request_id),
            html(&n.excerpt)
        );
    }
    h.push_str("</tbody></table>\n");
}

fn weekly(h: &mut String, d: &Data) {
    h.push_str("<h2 id=\"weekly\">Weekly review</h2>\n");
    match &d.weekly {
        None => h.push_str("<p class=\"empty\">No exception log: set <code>exceptions.log</code> in handoff.yaml and the triage report's top five appear here.</p>\n"),
        Some((Ok(section), when)) => {
            let _ = writeln!(
                h,
                "<p class=\"sub\">The exception log triaged as <code>handoff triage</code> does, with the history database's trends and the review gate's rates; computed at {} (again after a minute or a decision, or <a href=\"/?fresh=1#weekly\">now</a>).</p>",
                html(when)
            );
            h.push_str(section);
        }
        Some((Err(e), _)) => {
            let _ = writeln!(
                h,
                "<div class=\"notice refused\">The triage of the exception log failed: {}</div>",
                html(e)
            );
        }
    }
}

fn gate(h: &mut String, d: &Data, csrf: &str) {
    h.push_str("<h2 id=\"gate\">Review gate</h2>\n");
    if d.feedback.is_none() {
        let _ = writeln!(
            h,
            "<p class=\"empty\">{} does not exist yet: <code>handoff repair --propose -c CONTRACT PAYLOADS</code> records proposals.</p>",
            html(&d.history)
        );
        return;
    }
    if d.pending.is_empty() {
        h.push_str("<p class=\"empty\">No repair proposal is waiting for a decision.</p>\n");
    }
    for (p, recheck) in &d.pending {
        let _ = writeln!(
            h,
            "<div class=\"card\" id=\"proposal-{id}\"><div class=\"head\"><h3>Proposal {id}: <code>{at}</code></h3><a href=\"/card/{id}\">exception card</a></div>",
            id = p.id,
            at = html(&p.at())
        );
        proposal_meta(h, p);
        match recheck {
            Ok(()) => {
                let _ = writeln!(
                    h,
                    "<p class=\"ok\">Re-checked now: the file still holds this payload, and the patch makes it pass {}.</p>",
                    html(&p.contract)
                );
            }
            Err(why) => {
                let _ = writeln!(
                    h,
                    "<p class=\"bad\">Re-checked now: it cannot be applied: {}</p>",
                    html(why)
                );
            }
        }
        let _ = write!(
            h,
            "<form method=\"post\" action=\"/review/{id}/approve\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><label>by <input type=\"text\" name=\"by\" required maxlength=\"100\" size=\"12\"></label>",
            id = p.id
        );
        if let Some(outbox) = &d.outbox {
            let _ = write!(
                h,
                "<label><input type=\"radio\" name=\"target\" value=\"capture\" checked> in the capture</label><label><input type=\"radio\" name=\"target\" value=\"outbox\"> to the outbox <code>{}</code></label>",
                html(outbox)
            );
        }
        h.push_str("<button type=\"submit\">Approve</button></form>");
        let _ = writeln!(
            h,
            "<form method=\"post\" action=\"/review/{id}/reject\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><label>by <input type=\"text\" name=\"by\" required maxlength=\"100\" size=\"12\"></label><label>why <input type=\"text\" name=\"why\" required size=\"28\"></label><button type=\"submit\" class=\"reject\">Reject</button></form></div>",
            id = p.id
        );
    }
    if d.pending_more > 0 {
        let _ = writeln!(
            h,
            "<p class=\"meta\">{} more waiting after these {}: decide these first, or list them all with <code>handoff review</code>.</p>",
            d.pending_more,
            d.pending.len()
        );
    }
    if !d.decided.is_empty() {
        h.push_str("<h3>Decided, newest first</h3><table><thead><tr><th>proposal</th><th>payload</th><th>decision</th><th>by</th><th>at</th><th>why / outcome</th></tr></thead><tbody>\n");
        for p in &d.decided {
            let _ = writeln!(
                h,
                "<tr id=\"proposal-{id}\"><td class=\"n\"><a href=\"/card/{id}\">{id}</a></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                html(&p.at()),
                p.status.id(),
                html(p.decided_by.as_deref().unwrap_or("")),
                html(p.decided_at.as_deref().unwrap_or("")),
                html(
                    &[p.why.as_deref(), p.outcome.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                id = p.id
            );
        }
        h.push_str("</tbody></table>\n");
    }
}

fn proposal_meta(h: &mut String, p: &Proposal) {
    let _ = writeln!(
        h,
        "<p class=\"meta\">Against <code>{}</code>, proposed {}; pattern <code>{}</code>; repair rules {}.</p><div>Payload as proposed (redacted):</div><pre>{}</pre><div>Patch (RFC 6902):</div><pre>{}</pre>",
        html(&p.contract),
        html(&p.proposed_at),
        html(&p.signature),
        p.rules
            .iter()
            .map(|r| format!("<code>{}</code>", html(r)))
            .collect::<Vec<_>>()
            .join(", "),
        html(&p.excerpt),
        // Line by line: escaping makes a newline visible, and the patch reads best on several.
        serde_json::to_string_pretty(&p.patch_shown())
            .unwrap_or_default()
            .lines()
            .map(html)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn counts_row(h: &mut String, name: &str, c: &Counts) {
    let _ = writeln!(
        h,
        "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
        html(name),
        c.proposals,
        c.approved,
        c.rejected,
        rate(c.false_positive_rate()),
    );
}

fn feedback(h: &mut String, d: &Data) {
    let Some(f) = &d.feedback else {
        return;
    };
    let _ = writeln!(
        h,
        "<h2 id=\"feedback\">Feedback loop</h2><p class=\"sub\">Proposals made in the last {} days and what the review gate decided. The false-positive rate is rejected over decided; the auto-resolution rates, which need the exception log, are in the weekly review above (and in <code>handoff triage</code>).</p>",
        f.window_days
    );
    if f.by_rule.is_empty() {
        h.push_str("<p class=\"empty\">No proposal in the window.</p>\n");
        return;
    }
    for (title, map) in [("repair rule", &f.by_rule), ("pattern", &f.by_signature)] {
        let _ = writeln!(
            h,
            "<table><thead><tr><th>{title}</th><th>proposals</th><th>approved</th><th>rejected</th><th>false-positive rate</th></tr></thead><tbody>"
        );
        for (name, c) in map {
            counts_row(h, name, c);
        }
        h.push_str("</tbody></table>\n");
    }
}

/// One proposal's exception card.
pub(super) struct CardData {
    pub(super) proposal: Proposal,
    /// The payload's findings now, as `check` shows them, and those not listed.
    pub(super) findings: Result<(Vec<super::live::Shown>, u64), String>,
    pub(super) recheck: Result<(), String>,
    /// What the other systems captured about the payload's entity; `None` without flows.
    pub(super) entity: Option<Result<Option<String>, String>>,
}

pub(super) fn card(d: &CardData) -> Response {
    let p = &d.proposal;
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<p><a href=\"/#proposal-{}\">Back to the workspace</a></p><h1>Exception card: <code>{}</code></h1><p class=\"sub\">Proposal {}, {}{}.</p>",
        p.id,
        html(&p.at()),
        p.id,
        p.status.id(),
        p.decided_by
            .as_deref()
            .map_or_else(String::new, |b| format!(
                " by {} at {}",
                html(b),
                html(p.decided_at.as_deref().unwrap_or(""))
            ))
    );
    h.push_str("<div class=\"card\">");
    proposal_meta(&mut h, p);
    h.push_str("</div><h2>Findings in the payload as the file holds it now</h2>\n");
    match &d.findings {
        Ok((list, unlisted)) => findings(&mut h, list, *unlisted, &p.contract),
        Err(e) => {
            let _ = writeln!(h, "<p class=\"bad\">{}</p>", html(e));
        }
    }
    if p.status == Status::Pending {
        match &d.recheck {
            Ok(()) => {
                h.push_str("<p class=\"ok\">The patch applies and makes the payload pass.</p>\n")
            }
            Err(why) => {
                let _ = writeln!(
                    h,
                    "<p class=\"bad\">The patch cannot be applied now: {}</p>",
                    html(why)
                );
            }
        }
    }
    entity(&mut h, d.entity.as_ref(), &p.at());
    respond(
        StatusCode::OK,
        document(&format!("Exception card: {}", p.at()), &h),
    )
}

/// What every system of the project's flows captured about a payload's entity; `at` is where
/// the payload is (`file:line`), to say when it is not on the entity's timeline.
fn entity(h: &mut String, view: Option<&Result<Option<String>, String>>, at: &str) {
    h.push_str("<h2>What every system captured about it</h2>\n");
    match view {
        None => h.push_str("<p class=\"empty\">No reconcile flow in this project: with one (docs/reconcile.md), this card lays the payload beside what every other system captured about the same entity.</p>\n"),
        Some(Ok(None)) => h.push_str("<p class=\"empty\">No reconcile flow of this project has a system with this contract, or the payload has no usable key.</p>\n"),
        Some(Ok(Some(section))) => {
            h.push_str(section);
            if !section.contains(&format!("<code>{}</code>", html(at))) {
                let _ = writeln!(
                    h,
                    "<p class=\"problem\">{} is not on this timeline: as it was sent, its key does not join it to the other messages of this entity (it was found from the repaired payload).</p>",
                    html(at)
                );
            }
        }
        Some(Err(e)) => {
            let _ = writeln!(h, "<p class=\"bad\">The reconcile of its flow failed: {}</p>", html(e));
        }
    }
}

pub(super) fn exception(e: &super::LogException) -> Response {
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<p><a href=\"/#weekly\">Back to the workspace</a></p><h1>Exception card: log line {}</h1><p class=\"sub\"><code>{}</code>, opened {}; against <code>{}</code>; payload <code>{}</code>.</p>",
        e.line,
        html(&e.error_code),
        html(&e.opened_at),
        html(&e.contract),
        html(&e.payload)
    );
    if let Some(x) = &e.excerpt {
        let _ = writeln!(
            h,
            "<div class=\"card\"><div>Payload (redacted):</div><pre>{}</pre></div>",
            html(x)
        );
    }
    h.push_str("<h2>Findings in the payload as its file holds it now</h2>\n");
    match &e.findings {
        Ok((list, unlisted)) => {
            let shown: Vec<super::live::Shown> = list.iter().map(super::live::shown).collect();
            findings(&mut h, &shown, *unlisted, &e.contract);
        }
        Err(why) => {
            let _ = writeln!(h, "<p class=\"bad\">{}</p>", html(why));
        }
    }
    entity(&mut h, e.entity.as_ref(), &e.payload);
    respond(
        StatusCode::OK,
        document(&format!("Exception card: log line {}", e.line), &h),
    )
}

/// A payload's findings as a table, or that it passes `contract`.
fn findings(h: &mut String, list: &[super::live::Shown], unlisted: u64, contract: &str) {
    if list.is_empty() && unlisted == 0 {
        let _ = writeln!(h, "<p class=\"ok\">None: it passes {}.</p>", html(contract));
        return;
    }
    h.push_str("<table><thead><tr><th>kind</th><th>pointer</th><th>sent</th><th>expected</th></tr></thead><tbody>\n");
    for super::live::Shown {
        kind,
        pointer,
        value,
        expected,
    } in list
    {
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
            html(kind),
            html(pointer),
            html(value),
            html(expected)
        );
    }
    h.push_str("</tbody></table>\n");
    if unlisted > 0 {
        let _ = writeln!(h, "<p class=\"meta\">and {unlisted} more not listed</p>");
    }
}
