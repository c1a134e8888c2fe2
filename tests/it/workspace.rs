//! The review workspace that `handoff serve` serves at `GET /`: the review gate's proposals
//! with Approve and Reject forms guarded by a per-session CSRF token, the Live section fed by
//! captures, exception cards, and the feedback rates; decisions land in the history database
//! and in the next triage report, and survive a restart. In headless Chromium when installed.

use crate::common;
use crate::review::{handoff, project, propose};
use crate::serve::{Reply, Server, request, start};
use std::net::SocketAddr;
use std::path::Path;

/// A session: its cookie and the CSRF token the page carries.
struct Session {
    cookie: String,
    csrf: String,
}

fn open(addr: SocketAddr) -> (Session, Reply) {
    let page = request(addr, "GET", "/", &[], b"");
    assert_eq!(page.status, 200, "{}", page.body);
    let cookie = page.headers["set-cookie"]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("handoff_session="), "{cookie}");
    assert!(
        page.headers["set-cookie"].contains("HttpOnly; SameSite=Strict"),
        "{:?}",
        page.headers
    );
    let csrf = page
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string();
    (Session { cookie, csrf }, page)
}

fn form(addr: SocketAddr, path: &str, cookie: Option<&str>, body: &str) -> Reply {
    let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded")];
    if let Some(c) = cookie {
        headers.push(("Cookie", c));
    }
    request(addr, "POST", path, &headers, body.as_bytes())
}

fn get(addr: SocketAddr, path: &str, cookie: &str) -> Reply {
    request(addr, "GET", path, &[("Cookie", cookie)], b"")
}

fn serve(dir: &Path) -> Server {
    start(dir, &["--outbox", "outbox"], &[])
}

#[test]
fn the_review_gate_decides_from_the_page_and_the_next_triage_counts_it() {
    let dir = project("workspace");
    assert_eq!(propose(&dir).status.code(), Some(0));
    let server = serve(&dir);
    let addr = server.addr;
    let (s, page) = open(addr);
    let body = &page.body;
    assert!(
        body.contains("3 repair proposals waiting for a decision"),
        "{body}"
    );
    for id in 1..=3 {
        assert!(body.contains(&format!("<div class=\"card\" id=\"proposal-{id}\">")));
        assert!(body.contains(&format!("action=\"/review/{id}/approve\"")));
    }
    // The weekly review: the exception log triaged, each error code's card with its answers
    // and the gate's figures per pattern.
    assert!(body.contains("<h2 id=\"weekly\">Weekly review</h2>"));
    // Computed once a minute, a decision, or asked: a second load shows the same computation.
    let computed = |body: &str| -> String {
        body.split("rates; computed at ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_else(|| panic!("{body}"))
            .to_string()
    };
    let first = computed(body);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(computed(&get(addr, "/", &s.cookie).body), first);
    assert_ne!(computed(&get(addr, "/?fresh=1", &s.cookie).body), first);
    assert!(
        body.contains("<h2><code>SKU_NOT_FOUND</code> · 2 exceptions</h2>"),
        "{body}"
    );
    assert!(
        body.contains("<h2><code>ADDRESS_INVALID</code> · 1 exception</h2>"),
        "{body}"
    );
    assert!(
        body.contains("review gate (30 days): 2 repairs proposed, 0 approved, 0 rejected"),
        "{body}"
    );
    assert!(body.contains("Re-checked now: the file still holds this payload, and the patch makes it pass storefront-order-to-erp@2.0.0."));
    assert!(
        body.contains("&quot;value&quot;: &quot;TEE-10001&quot;"),
        "the patch, escaped"
    );
    // The excerpt is the proposal's, redacted: no customer e-mail anywhere on the page.
    assert!(body.contains("&quot;email&quot;:&quot;(sensitive)&quot;"));
    assert!(!body.contains("customer1@example.com"));
    assert_eq!(
        page.headers["content-security-policy"],
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    );

    // Refused, and nothing decided: no session, another session's token, another site.
    let no_session = form(
        addr,
        "/review/1/approve",
        None,
        &format!("csrf={}&by=eve", s.csrf),
    );
    assert_eq!(no_session.status, 403);
    assert!(
        no_session
            .body
            .contains("without the workspace&#39;s session")
    );
    let (other, _) = open(addr);
    let forged = form(
        addr,
        "/review/1/approve",
        Some(&other.cookie),
        &format!("csrf={}&by=eve", s.csrf),
    );
    assert_eq!(forged.status, 403);
    assert!(
        forged.body.contains("form token is not this session"),
        "{}",
        forged.body
    );
    let cross = request(
        addr,
        "POST",
        "/review/1/approve",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &s.cookie),
            ("Origin", "http://evil.example"),
        ],
        format!("csrf={}&by=eve", s.csrf).as_bytes(),
    );
    assert_eq!(cross.status, 403);
    assert!(cross.body.contains("posted from another site"));
    // A page elsewhere that rebinds its own name to this address is not answered.
    let rebound = request(addr, "GET", "/", &[("Host", "evil.example")], b"");
    assert_eq!(rebound.status, 421, "{}", rebound.body);
    let listing = crate::review::listing(&dir);
    assert_eq!(listing["pending"], 3, "nothing was decided");

    // A reject needs a reason; then approve 1, reject 2, approve 3 to the outbox.
    let reasonless = form(
        addr,
        "/review/2/reject",
        Some(&s.cookie),
        &format!("csrf={}&by=bo&why=+", s.csrf),
    );
    assert_eq!(reasonless.status, 422);
    assert!(
        reasonless
            .body
            .contains("rejecting proposal 2 needs why the repair is wrong")
    );
    let approved = form(
        addr,
        "/review/1/approve",
        Some(&s.cookie),
        &format!("csrf={}&by=ops-lead", s.csrf),
    );
    assert_eq!(approved.status, 303, "{}", approved.body);
    assert_eq!(approved.headers["location"], "/?decided=1#proposal-1");
    let after = get(addr, "/?decided=1", &s.cookie);
    assert!(
        after
            .body
            .contains("Proposal 1 (captures/orders.ndjson:1) approved by ops-lead at "),
        "{}",
        after.body
    );
    assert!(
        after
            .body
            .contains("repaired in place in captures/orders.ndjson:1</div>")
    );
    let why = "tee-10005 is a <script>alert(1)</script> item";
    let rejected = form(
        addr,
        "/review/2/reject",
        Some(&s.cookie),
        &format!(
            "csrf={}&by=bo&why={}",
            s.csrf,
            why.replace(' ', "+")
                .replace('<', "%3C")
                .replace('>', "%3E")
                .replace('/', "%2F")
                .replace('(', "%28")
                .replace(')', "%29")
        ),
    );
    assert_eq!(rejected.status, 303, "{}", rejected.body);
    let outboxed = form(
        addr,
        "/review/3/approve",
        Some(&s.cookie),
        &format!("csrf={}&by=cy&target=outbox", s.csrf),
    );
    assert_eq!(outboxed.status, 303, "{}", outboxed.body);
    // A second decision on a decided proposal is told who decided first.
    let late = form(
        addr,
        "/review/1/approve",
        Some(&s.cookie),
        &format!("csrf={}&by=dee", s.csrf),
    );
    assert_eq!(late.status, 409);
    assert!(
        late.body
            .contains("proposal 1 was already approved by ops-lead at "),
        "{}",
        late.body
    );

    // The page lists the decisions, the reason escaped; the feedback rates per rule.
    let page = get(addr, "/", &s.cookie);
    assert!(
        page.body
            .contains("No repair proposal is waiting for a decision.")
    );
    assert!(
        page.body
            .contains("tee-10005 is a &lt;script&gt;alert(1)&lt;/script&gt; item")
    );
    assert!(!page.body.contains("<script>"));
    assert!(
        page.body.contains("<tr><td><code>letter-case</code></td><td class=\"n\">2</td><td class=\"n\">1</td><td class=\"n\">1</td><td class=\"n\">50%</td></tr>"),
        "{}",
        page.body
    );
    // The exception card of the approved proposal: the capture passes now.
    let card = get(addr, "/card/1", &s.cookie);
    assert_eq!(card.status, 200);
    assert!(
        card.body
            .contains("None: it passes storefront-order-to-erp@2.0.0."),
        "{}",
        card.body
    );
    let card2 = get(addr, "/card/2", &s.cookie);
    assert!(card2.body.contains("<td><code>pattern_mismatch</code></td><td><code>/line_items/0/sku</code></td><td><code>&quot;tee-10005&quot;</code></td>"), "{}", card2.body);
    assert!(
        card2.body.contains("No reconcile flow in this project"),
        "{}",
        card2.body
    );
    assert_eq!(get(addr, "/card/99", &s.cookie).status, 404);
    // The weekly review's examples open each exception's card: the row, and its payload's
    // findings as the capture holds it now (line 2's payload was repaired in place above).
    assert!(
        page.body
            .contains("examples: log lines <a href=\"/exception/4\">4</a></p>"),
        "{}",
        page.body
    );
    let ex = get(addr, "/exception/3", &s.cookie);
    assert_eq!(ex.status, 200, "{}", ex.body);
    assert!(
        ex.body.contains("<h1>Exception card: log line 3</h1><p class=\"sub\"><code>SKU_NOT_FOUND</code>, opened 2026-11-02T09:05:00Z; against <code>storefront-order-to-erp@^2 (storefront-order-to-erp@2.0.0)</code>; payload <code>captures/orders.ndjson:2</code>.</p>"),
        "{}",
        ex.body
    );
    assert!(ex.body.contains("<td><code>pattern_mismatch</code></td><td><code>/line_items/0/sku</code></td><td><code>&quot;tee-10005&quot;</code></td>"), "{}", ex.body);
    assert!(
        ex.body
            .contains("&quot;email&quot;:&quot;(sensitive)&quot;")
            && !ex.body.contains("customer5@example.com"),
        "{}",
        ex.body
    );
    assert!(
        ex.body.contains("No reconcile flow in this project"),
        "{}",
        ex.body
    );
    let repaired = get(addr, "/exception/2", &s.cookie);
    assert!(
        repaired.body.contains(
            "None: it passes storefront-order-to-erp@^2 (storefront-order-to-erp@2.0.0)."
        ),
        "{}",
        repaired.body
    );
    assert_eq!(
        get(addr, "/exception/1", &s.cookie).status,
        404,
        "the header is not an exception"
    );
    assert_eq!(get(addr, "/exception/99", &s.cookie).status, 404);

    let (code, _) = server.stop();
    assert_eq!(code, 0);
    assert!(dir.join("outbox/proposal-3.json").exists());
    let clean = handoff(
        &dir,
        &[
            "check",
            "-c",
            "storefront-order-to-erp",
            "outbox/proposal-3.json",
        ],
    );
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );

    // Decisions survive a restart; the next triage report counts them per pattern.
    let again = serve(&dir);
    let (_, page) = open(again.addr);
    assert!(
        page.body
            .contains("0 repair proposals waiting for a decision")
    );
    assert!(
        page.body.contains("<td>approved</td><td>ops-lead</td>"),
        "{}",
        page.body
    );
    let _ = again.stop();
    let triage = handoff(&dir, &["triage", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&triage.stdout).unwrap();
    assert_eq!(
        report["review_gate"][0],
        serde_json::json!({"rule": "letter-case", "proposals": 2, "approved": 1, "rejected": 1, "false_positive_rate": 0.5, "auto_resolution_rate": 0.5, "window_days": 30})
    );
}

#[test]
fn live_shows_what_arrived_redacted_and_escaped_and_renders_in_a_browser() {
    let dir = project("workspace-live");
    assert_eq!(propose(&dir).status.code(), Some(0));
    let server = serve(&dir);
    let addr = server.addr;
    let capture = std::fs::read_to_string(dir.join("captures/orders.ndjson")).unwrap();
    let line = capture.lines().next().unwrap();
    // A payload whose values would be markup, and whose customer is sensitive.
    let hostile = line.replace("tee-10001", "<img src=x onerror=alert(1)>");
    for body in [line, hostile.as_str()] {
        let r = request(
            addr,
            "POST",
            "/capture/storefront-order-to-erp@%5E2",
            &[],
            body.as_bytes(),
        );
        assert_eq!(r.status, 202, "{}", r.body);
    }
    let (_, page) = open(addr);
    let body = page.body;
    assert!(
        body.contains("<tr><td><code>storefront-order-to-erp@2.0.0</code></td><td class=\"n\">2</td><td class=\"n\">2</td><td class=\"n\">100%</td></tr>"),
        "{body}"
    );
    assert!(body.contains("<code>pattern_mismatch</code> at <code>/line_items/0/sku</code>, sent <code>&quot;&lt;img src=x onerror=alert(1)&gt;&quot;</code>"), "{body}");
    assert!(!body.contains("<img"));
    assert!(
        !body.contains("customer1@example.com"),
        "the excerpt is redacted"
    );
    assert!(body.contains("captures/storefront-order-to-erp/"), "{body}");

    if let Some(browser) = common::browser() {
        let url = format!("http://{addr}/");
        let dom = common::rendered_dom(browser, &url, 1300, 2000);
        assert!(
            dom.contains("Review gate") && dom.contains("Approve"),
            "{dom}"
        );
        assert!(!dom.contains("<img"), "no payload value became markup");
        common::screenshot(browser, &url, "review-workspace.png", 1300, 2200);
        let card = format!("http://{addr}/card/1");
        let dom = common::rendered_dom(browser, &card, 1300, 1200);
        assert!(dom.contains("Exception card"), "{dom}");
        let exception = format!("http://{addr}/exception/2");
        let dom = common::rendered_dom(browser, &exception, 1300, 1200);
        assert!(dom.contains("Exception card: log line 2"), "{dom}");
    }
    let _ = server.stop();
}

#[test]
fn an_exception_card_lays_the_payload_beside_what_every_system_captured() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&root.join("fixtures/flows"), dir.path());
    // The portal sent one return's RMA in lower case: the letter-case repair is proposed, and
    // the card finds the return from the repaired key.
    let portal = dir.path().join("captures/portal.ndjson");
    let text = std::fs::read_to_string(&portal).unwrap();
    let (first, rest) = text.split_once('\n').unwrap();
    assert!(first.contains(r#""rma_number":"RMA00010154""#), "{first}");
    std::fs::write(
        &portal,
        format!("{}\n{rest}", first.replace("RMA00010154", "rma00010154")),
    )
    .unwrap();
    let proposed = handoff(
        dir.path(),
        &[
            "repair",
            "--propose",
            "-c",
            "returns-portal-events",
            "captures/portal.ndjson",
        ],
    );
    assert!(
        String::from_utf8_lossy(&proposed.stderr).contains("1 new proposal in"),
        "{}",
        String::from_utf8_lossy(&proposed.stderr)
    );
    let server = start(dir.path(), &[], &[]);
    let card = request(server.addr, "GET", "/card/1", &[], b"");
    assert_eq!(card.status, 200, "{}", card.body);
    let body = &card.body;
    assert!(body.contains("<td><code>pattern_mismatch</code></td><td><code>/rma_number</code></td><td><code>&quot;rma00010154&quot;</code></td>"), "{body}");
    assert!(
        body.contains("<p>Flow <code>returns@1.0.0</code>, return <code>10154</code>: <span class=\"badge in_agreement\">in agreement</span>"),
        "{body}"
    );
    assert!(
        body.contains("<th>portal (3 messages)</th><th>processor (1 message)</th><th>erp (4 messages)</th><th>pos (0 messages)</th>"),
        "{body}"
    );
    assert!(
        body.contains("<strong>processor</strong> REFUND <code>captures/processor.ndjson:1</code>"),
        "{body}"
    );
    if let Some(browser) = common::browser() {
        let dom = common::rendered_dom(
            browser,
            &format!("http://{}/card/1", server.addr),
            1300,
            1400,
        );
        assert!(dom.contains("What every system captured about it"), "{dom}");
        common::screenshot(
            browser,
            &format!("http://{}/card/1", server.addr),
            "review-card.png",
            1300,
            1400,
        );
    }
    let (code, _) = server.stop();
    assert_eq!(code, 0);
}

#[test]
fn with_a_token_a_browser_gives_it_once_and_captures_still_need_the_bearer() {
    let dir = project("workspace-token");
    let token = "s3cret-token-for-the-test";
    let server = start(&dir, &[], &[("HANDOFF_SERVE_TOKEN", token)]);
    let addr = server.addr;
    let form_page = request(addr, "GET", "/", &[], b"");
    assert_eq!(form_page.status, 401);
    assert!(
        form_page
            .body
            .contains("<form method=\"post\" action=\"/login\">"),
        "{}",
        form_page.body
    );
    assert!(!form_page.body.contains(token));
    let wrong = request(
        addr,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"token=guess",
    );
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("that is not this receiver&#39;s token"));
    assert!(!wrong.headers.contains_key("set-cookie"));
    let right = request(
        addr,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        format!("token={token}").as_bytes(),
    );
    assert_eq!(right.status, 303, "{}", right.body);
    let cookie = right.headers["set-cookie"]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("handoff_login="), "{cookie}");
    assert!(
        !cookie.contains(token),
        "the browser keeps a digest, not the token"
    );
    assert!(right.headers["set-cookie"].contains("HttpOnly; SameSite=Strict"));
    let page = get(addr, "/", &cookie);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<h2 id=\"gate\">Review gate</h2>"));
    // The cookie opens the workspace only: captures and metrics still need the bearer token.
    let capture = request(
        addr,
        "POST",
        "/capture/storefront-order-to-erp",
        &[("Cookie", &cookie)],
        b"{}",
    );
    assert_eq!(capture.status, 401);
    assert!(capture.body.contains("this receiver requires its token"));
    assert_eq!(get(addr, "/metrics", &cookie).status, 401);
    let bearer = format!("Bearer {token}");
    assert_eq!(
        request(addr, "GET", "/", &[("Authorization", &bearer)], b"").status,
        200
    );
    let (code, _) = server.stop();
    assert_eq!(code, 0);
}

#[test]
fn in_chromium_approve_and_reject_are_clicked_and_a_forged_token_is_refused() {
    let Some(browser) = common::browser() else {
        return;
    };
    let dir = project("workspace-click");
    assert_eq!(propose(&dir).status.code(), Some(0));
    let server = serve(&dir);
    let mut chrome = common::cdp::Chrome::start(browser);
    let page = chrome.open(&format!("http://{}/", server.addr));
    let fill = |n: u8, field: &str, value: &str| {
        format!(
            "document.querySelectorAll('#proposal-{n} input[name={field}]').forEach(i => i.value = {value:?}); true"
        )
    };
    // Approve 1: the name, then the button; the page that follows says what was done.
    chrome.eval(&page, &fill(1, "by", "ops-lead"));
    press(
        &mut chrome,
        &page,
        1,
        "approve",
        "Proposal 1 (captures/orders.ndjson:1) approved by ops-lead at ",
    );
    // Reject 2 with a reason.
    chrome.eval(&page, &fill(2, "by", "bo"));
    chrome.eval(&page, &fill(2, "why", "tee-10005 is its own item"));
    press(
        &mut chrome,
        &page,
        2,
        "reject",
        "Proposal 2 (captures/orders.ndjson:2) rejected by bo at ",
    );
    // A form whose token is not the session's decides nothing.
    chrome.eval(&page, &fill(3, "by", "eve"));
    chrome.eval(&page, &fill(3, "csrf", "00ff"));
    press(
        &mut chrome,
        &page,
        3,
        "approve",
        "form token is not this session",
    );
    // The page logged nothing but the refusal of the forged form (a 403 is a failed load).
    let (refused, other): (Vec<&String>, Vec<&String>) = chrome
        .errors
        .iter()
        .partition(|e| e.contains("status of 403") && e.contains("/review/3/approve"));
    assert_eq!((refused.len(), other.len()), (1, 0), "{:#?}", chrome.errors);
    drop(chrome);
    let _ = server.stop();

    let listing = crate::review::listing(&dir);
    let status: Vec<&str> = listing["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["approved", "rejected", "pending"]);
    let triage = handoff(&dir, &["triage", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&triage.stdout).unwrap();
    assert_eq!(
        report["review_gate"][0],
        serde_json::json!({"rule": "letter-case", "proposals": 2, "approved": 1, "rejected": 1, "false_positive_rate": 0.5, "auto_resolution_rate": 0.5, "window_days": 30})
    );
}

#[test]
fn a_long_queue_shows_the_oldest_fifty_and_counts_the_rest() {
    let dir = project("workspace-queue");
    let capture = std::fs::read_to_string(dir.join("captures/orders.ndjson")).unwrap();
    let first = capture.lines().next().unwrap();
    // 52 orders, each its own payload, each with the lower-case SKU.
    let lines: String = (0..52)
        .map(|n| {
            format!(
                "{}\n",
                first.replace("000000000001", &format!("{:012}", 900 + n))
            )
        })
        .collect();
    std::fs::write(dir.join("captures/orders.ndjson"), lines).unwrap();
    let proposed = propose(&dir);
    assert!(
        String::from_utf8_lossy(&proposed.stderr).contains("52 new proposals"),
        "{}",
        String::from_utf8_lossy(&proposed.stderr)
    );
    let server = serve(&dir);
    let (_, page) = open(server.addr);
    assert!(
        page.body
            .contains("52 repair proposals waiting for a decision")
    );
    assert_eq!(
        page.body
            .matches("<div class=\"card\" id=\"proposal-")
            .count(),
        50
    );
    assert!(page.body.contains("id=\"proposal-50\"") && !page.body.contains("id=\"proposal-51\""));
    assert!(
        page.body.contains("2 more waiting after these 50: decide these first, or list them all with <code>handoff review</code>."),
        "{}",
        page.body
    );
    let _ = server.stop();
}

/// Press proposal `n`'s Approve or Reject button, and wait for the page after it to say `says`.
fn press(chrome: &mut common::cdp::Chrome, page: &str, n: u8, action: &str, says: &str) {
    chrome.eval_navigating(
        page,
        &format!(
            "document.querySelector('#proposal-{n} form[action$={action}] button').click(); true"
        ),
    );
    chrome.wait(page, &format!("document.body.innerText.includes({says:?})"));
}
