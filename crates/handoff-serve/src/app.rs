//! The routes: `POST /capture/{reference}`, `GET /healthz`, `GET /metrics`, and the answers
//! to everything else. A capture is verified (token, size, signature), made one line, checked,
//! recorded, and only then answered: `202` (or `422` under `reject_invalid`) with the
//! `handoff check --format json` document for that payload, whose source is the capture
//! file and line it was recorded at.

use crate::capture::{self, Busy, Record};
use crate::metrics::{Metrics, Refusal};
use crate::settings::Settings;
use crate::workspace::Desk;
use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use handoff_core::Checker;
use handoff_core::finding::{PayloadResult, PayloadSource};
use handoff_core::input::Shape;
use handoff_reports::printer::Printer;
use serde_json::json;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, RwLock};
use std::time::Instant;
use tokio::sync::{Semaphore, oneshot};

/// A contract ready to check posts, by the reference they name it with.
struct Loaded {
    checker: Checker,
    /// JSON bodies become a line of an NDJSON capture; X12 and CSV bodies a file each.
    shape: Shape,
    /// The id: the capture directory, and what signatures are keyed by.
    id: Arc<str>,
    /// `id@version`, as findings name it.
    reference: Arc<str>,
    /// The file it was loaded from, and its modification time and size then.
    file: PathBuf,
    stamp: Option<(std::time::SystemTime, u64)>,
    /// When the file was last looked at.
    looked: std::sync::Mutex<Instant>,
    /// Why the file as it is now could not be loaded (this version is served meanwhile).
    reload_error: std::sync::Mutex<Option<String>>,
}

/// How long a loaded contract is used before its file is looked at again: an edited contract
/// (or a new version a `^` reference now resolves to) is picked up within this, without a
/// restart.
const LOOK_AGAIN: std::time::Duration = std::time::Duration::from_secs(2);

fn stamp(file: &std::path::Path) -> Option<(std::time::SystemTime, u64)> {
    let m = std::fs::metadata(file).ok()?;
    Some((m.modified().ok()?, m.len()))
}

impl Loaded {
    fn fresh(&self) -> bool {
        self.looked
            .lock()
            .map(|t| t.elapsed() < LOOK_AGAIN)
            .unwrap_or(false)
    }

    fn looked_now(&self, error: Option<String>) {
        if let Ok(mut t) = self.looked.lock() {
            *t = Instant::now();
        }
        if let Ok(mut e) = self.reload_error.lock() {
            *e = error;
        }
    }
}

pub(crate) struct App {
    pub settings: Settings,
    contracts: RwLock<HashMap<String, Arc<Loaded>>>,
    tx: SyncSender<Record>,
    limit: Arc<Semaphore>,
    pub metrics: Metrics,
    /// The prefix of generated request ids: this receiver's start, in hex nanoseconds.
    run_id: String,
    seq: AtomicU64,
    token_digest: Option<[u8; 32]>,
    /// The review workspace, when it is served.
    desk: Option<Arc<Desk>>,
    /// X12 and CSV bodies recorded whole (each its own file), and the writes refused.
    pub(crate) whole: Arc<[AtomicU64; 2]>,
}

impl App {
    pub(crate) fn new(settings: Settings, tx: SyncSender<Record>) -> Result<App, String> {
        let run_id = format!(
            "{:x}",
            jiff::Timestamp::now().as_nanosecond().unsigned_abs() & 0xffff_ffff_ffff
        );
        let token_digest = settings.token.as_deref().map(digest);
        let desk = settings
            .workspace
            .clone()
            .map(|w| {
                Desk::new(w, settings.contracts.clone(), settings.token.is_some()).map(Arc::new)
            })
            .transpose()?;
        Ok(App {
            limit: Arc::new(Semaphore::new(settings.max_concurrent)),
            settings,
            contracts: RwLock::default(),
            tx,
            metrics: Metrics::new(),
            run_id,
            seq: AtomicU64::new(0),
            token_digest,
            desk,
            whole: Arc::new([AtomicU64::new(0), AtomicU64::new(0)]),
        })
    }
}

fn digest(text: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).into()
}

pub(crate) fn router(app: Arc<App>) -> axum::Router {
    use axum::routing::{get, post};
    let mut router: axum::Router = axum::Router::new()
        .route("/capture/{reference}", post(capture))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(app.clone());
    if let Some(desk) = &app.desk {
        router = router.merge(crate::workspace::router(desk.clone()));
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::middleware::from_fn_with_state(app, authorize))
}

/// An answer that is not a check result: `{"error": {"status", "message", "help"?}}`.
fn error(status: StatusCode, message: impl Into<String>, help: Option<String>) -> Response {
    let mut body = json!({"status": status.as_u16(), "message": message.into()});
    if let Some(help) = help {
        body["help"] = json!(help);
    }
    json_response(status, &json!({ "error": body }))
}

fn json_response(status: StatusCode, value: &serde_json::Value) -> Response {
    let mut text = value.to_string();
    text.push('\n');
    (status, [(header::CONTENT_TYPE, "application/json")], text).into_response()
}

fn retry_later(message: String, seconds: u32) -> Response {
    let mut r = error(StatusCode::SERVICE_UNAVAILABLE, message, None);
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    r
}

async fn authorize(
    State(app): State<Arc<App>>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    if let Some(expected) = app.token_digest {
        let sent = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| digest(t.trim()));
        // Digests are compared, so the time taken says nothing about the token's bytes.
        if sent != Some(expected)
            && app.desk.is_some()
            && crate::workspace::is_workspace_path(request.uri().path())
        {
            // A browser cannot send a bearer token: the workspace takes it once, in a form.
            if crate::workspace::logged_in(request.headers(), &expected) {
                return next.run(request).await;
            }
            app.metrics.refused(Refusal::Unauthorized, None);
            return crate::workspace::login(request, &expected).await;
        }
        if sent != Some(expected) {
            app.metrics.refused(Refusal::Unauthorized, None);
            let mut r = error(
                StatusCode::UNAUTHORIZED,
                "this receiver requires its token",
                Some("send `Authorization: Bearer <token>`, the token handoff serve was started with".into()),
            );
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return r;
        }
    }
    next.run(request).await
}

async fn not_found(request: Request) -> Response {
    error(
        StatusCode::NOT_FOUND,
        format!(
            "no such route: {} {}",
            request.method(),
            request.uri().path()
        ),
        Some("POST /capture/<contract reference>, GET /healthz, GET /metrics, and GET / for the review workspace".into()),
    )
}

async fn wrong_method(request: Request) -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        format!(
            "{} is not accepted on {}",
            request.method(),
            request.uri().path()
        ),
        Some("captures are sent with POST; /healthz and /metrics are read with GET".into()),
    )
}

async fn healthz(State(app): State<Arc<App>>) -> Response {
    json_response(
        StatusCode::OK,
        &json!({
            "status": "ok",
            "capture_dir": app.settings.capture_dir.display().to_string(),
            "in_flight": app.settings.max_concurrent - app.limit.available_permits(),
            "contracts": contracts_status(&app),
        }),
    )
}

/// Each contract reference posted to so far: the version it checks against, its file, and
/// why an edit of that file is not used yet, if it is not.
fn contracts_status(app: &App) -> serde_json::Value {
    let map = app.contracts.read().map(|m| {
        let mut list: Vec<serde_json::Value> = m
            .iter()
            .map(|(asked, l)| {
                let mut v = json!({
                    "reference": asked,
                    "checks_against": &*l.reference,
                    "file": l.file.display().to_string(),
                });
                if let Some(e) = l.reload_error.lock().ok().and_then(|e| e.clone()) {
                    v["reload_error"] = json!(e);
                }
                v
            })
            .collect();
        list.sort_by(|a, b| a["reference"].as_str().cmp(&b["reference"].as_str()));
        list
    });
    json!(map.unwrap_or_default())
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        app.metrics.render(),
    )
        .into_response()
}

async fn capture(
    State(app): State<Arc<App>>,
    UrlPath(reference): UrlPath<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let response = capture_inner(&app, reference, headers, body).await;
    app.metrics.latency(started.elapsed().as_secs_f64());
    response
}

async fn capture_inner(
    app: &Arc<App>,
    reference: String,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(_permit) = app.limit.clone().try_acquire_owned() else {
        app.metrics.refused(Refusal::Busy, None);
        return retry_later(
            format!(
                "busy: {} request{} in flight, the most this receiver takes at once (--max-concurrent); nothing was recorded",
                app.settings.max_concurrent,
                if app.settings.max_concurrent == 1 {
                    ""
                } else {
                    "s"
                }
            ),
            1,
        );
    };
    let loaded = match contract(app, &reference).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let max = app.settings.max_payload_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = || {
        app.metrics.refused(Refusal::TooLarge, Some(&loaded.id));
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is over the {max}-byte limit; nothing was recorded"),
            Some(
                "raise --max-payload-bytes (or serve: max_payload_bytes) if such payloads are real"
                    .into(),
            ),
        )
    };
    if declared.is_some_and(|n| n > max as u64) {
        return too_large();
    }
    let body: Bytes = match axum::body::to_bytes(body, max).await {
        Ok(b) => b,
        Err(_) => return too_large(),
    };
    if let Some(sig) = app
        .settings
        .signatures
        .iter()
        .find(|s| *s.contract == *loaded.id)
    {
        let sent = headers.get(sig.scheme.header()).map(HeaderValue::as_bytes);
        let now = jiff::Timestamp::now().as_second();
        if let Err(why) = sig.verify(sent, &body, now) {
            app.metrics.refused(Refusal::Signature, Some(&loaded.id));
            return error(
                StatusCode::UNAUTHORIZED,
                format!("{why}; nothing was recorded"),
                None,
            );
        }
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        app.metrics.refused(Refusal::Empty, Some(&loaded.id));
        return error(
            StatusCode::BAD_REQUEST,
            "the body is empty; nothing was recorded",
            Some("send the webhook's JSON document as the request body".into()),
        );
    }
    let request_id = request_id(app, &headers);
    let received_at = jiff::Timestamp::now()
        .round(jiff::Unit::Millisecond)
        .unwrap_or_else(|_| jiff::Timestamp::now());
    if loaded.shape != Shape::Json {
        return record_whole(app, &loaded, body, request_id, received_at).await;
    }
    let line = crate::line::one_line(&body).into_owned();

    let checked = if line.len() > 64 * 1024 {
        let (l, b) = (loaded.clone(), line.clone());
        tokio::task::spawn_blocking(move || check(&l.checker, &b))
            .await
            .unwrap_or(None)
    } else {
        check(&loaded.checker, &line)
    };
    let Some(checked) = checked else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the check of this payload failed inside handoff (a bug: please report it); nothing was recorded",
            None,
        );
    };
    let kinds: Vec<&'static str> = checked.findings.iter().map(|f| f.kind.id()).collect();
    let violations = checked.findings.len() as u64 + checked.unlisted;
    let status = if violations > 0 && app.settings.reject_invalid {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::ACCEPTED
    };
    let receipt = json!({
        "received_at": received_at.to_string(),
        "request_id": request_id,
        "contract": &*loaded.reference,
        "bytes": body.len(),
        "status": status.as_u16(),
        "valid": violations == 0,
        "violations": violations,
        "kinds": kinds,
    });
    let receipt = receipt.to_string();
    let (done, answer) = oneshot::channel();
    let record = Record {
        contract: loaded.id.clone(),
        line,
        // The writer puts the line number first: `{"line":N,` + these fields + `}`.
        receipt: receipt[1..receipt.len() - 1].to_string(),
        done,
    };
    match capture::queue(&app.tx, record) {
        Ok(()) => {}
        Err(Busy::Full) => {
            app.metrics.refused(Refusal::Busy, Some(&loaded.id));
            return retry_later(
                format!(
                    "the capture disk is behind ({} records waiting); nothing was recorded",
                    app.settings.queue
                ),
                1,
            );
        }
        Err(Busy::Stopped) => {
            return retry_later("the receiver is stopping; nothing was recorded".into(), 5);
        }
    }
    let recorded = match answer.await {
        Ok(Ok(r)) => r,
        Ok(Err(why)) => {
            app.metrics.refused(Refusal::Disk, Some(&loaded.id));
            return retry_later(format!("{why}; nothing was recorded"), 30);
        }
        Err(_) => return retry_later("the capture writer stopped; nothing was recorded".into(), 5),
    };
    app.metrics.recorded(&loaded.reference, body.len(), &kinds);
    if let Some(desk) = &app.desk {
        desk.live.record(crate::workspace::live::Seen {
            checker: &loaded.checker,
            contract: &loaded.reference,
            received_at: received_at.to_string(),
            capture: format!("{}:{}", recorded.path, recorded.line),
            request_id: &request_id,
            payload: &body,
            findings: &checked.findings,
            unlisted: checked.unlisted,
        });
    }
    let mut findings = checked.findings;
    // Positions were found in the line alone; in the capture file it is line N.
    for f in &mut findings {
        if let Some(p) = &mut f.position {
            p.line += recorded.line - 1;
        }
    }

    let result = PayloadResult {
        source: PayloadSource {
            path: recorded.path.clone(),
            line: Some(recorded.line),
        },
        contract: loaded.reference.clone(),
        findings,
        known: 0,
        unlisted: checked.unlisted,
        text: None,
        text_origin: None,
    };
    let mut summary = handoff_core::Summary::default();
    summary.add(&result);
    let mut out = Vec::new();
    let mut printer = handoff_reports::printer::JsonPrinter::new(&mut out);
    // Writing to a Vec cannot fail.
    let _ = printer.result(&result);
    let _ = printer.finish(&summary);
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], out).into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("{}:{}", recorded.path, recorded.line)) {
        h.insert("x-handoff-capture", v);
    }
    response
}

/// An X12 interchange or a CSV file posted whole: checked as `handoff check` reads such a file
/// (every transaction set, every row), then written as its own capture file (0600, never over
/// another, complete or not at all) with its receipt beside it, and answered with all its
/// results.
async fn record_whole(
    app: &Arc<App>,
    loaded: &Arc<Loaded>,
    body: Bytes,
    request_id: String,
    received_at: jiff::Timestamp,
) -> Response {
    let ext = if loaded.shape == Shape::X12 {
        "x12"
    } else {
        "csv"
    };
    let stamp = received_at.strftime("%Y-%m-%dT%H-%M-%S%.3fZ").to_string();
    let dir = app.settings.capture_dir.join(&*loaded.id);
    let file = dir.join(format!("{stamp}-{}.{ext}", request_id.replace(':', "-")));
    let shown = file.display().to_string();
    let reject_invalid = app.settings.reject_invalid;
    let (l, b, f, id) = (
        loaded.clone(),
        body.clone(),
        file.clone(),
        request_id.clone(),
    );
    let done = tokio::task::spawn_blocking(
        move || -> Result<(Vec<PayloadResult>, StatusCode, Vec<&'static str>), String> {
            let mut results = Vec::new();
            let name = f.display().to_string();
            let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                l.checker
                    .check_reader(&b[..], l.shape, &name, |r| results.push(r))
            }));
            if checked.is_err() {
                return Err(
                    "the check of this payload failed inside handoff (a bug: please report it)"
                        .into(),
                );
            }
            let violations: u64 = results
                .iter()
                .map(|r| r.findings.len() as u64 + r.unlisted)
                .sum();
            let status = if violations > 0 && reject_invalid {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::ACCEPTED
            };
            let kinds: Vec<&'static str> = results
                .iter()
                .flat_map(|r| r.findings.iter().map(|f| f.kind.id()))
                .collect();
            let mut receipt = json!({
                "received_at": received_at.to_string(),
                "request_id": id,
                "contract": &*l.reference,
                "bytes": b.len(),
                "status": status.as_u16(),
                "valid": violations == 0,
                "violations": violations,
                "payloads": results.len(),
                "kinds": &kinds,
            })
            .to_string();
            receipt.push('\n');
            crate::capture::contract_dir(&dir)
                .and_then(|()| {
                    handoff_reports::patched::write_new(&f, &b)?;
                    handoff_reports::patched::write_new(&receipt_of(&f), receipt.as_bytes())
                })
                .map_err(|e| format!("cannot record {}: {e}", f.display()))?;
            Ok((results, status, kinds))
        },
    )
    .await
    .unwrap_or_else(|_| Err("the capture failed inside handoff (a bug: please report it)".into()));
    let (results, status, kinds) = match done {
        Ok(r) => r,
        Err(why) => {
            app.whole[1].fetch_add(1, Ordering::Relaxed);
            app.metrics.refused(Refusal::Disk, Some(&loaded.id));
            return retry_later(format!("{why}; nothing was recorded"), 30);
        }
    };
    app.whole[0].fetch_add(1, Ordering::Relaxed);
    app.metrics.recorded(&loaded.reference, body.len(), &kinds);
    if let Some(desk) = &app.desk {
        let findings: Vec<handoff_core::finding::Finding> =
            results.iter().flat_map(|r| r.findings.clone()).collect();
        desk.live.record(crate::workspace::live::Seen {
            checker: &loaded.checker,
            contract: &loaded.reference,
            received_at: received_at.to_string(),
            capture: shown.clone(),
            request_id: &request_id,
            payload: &body,
            findings: &findings,
            unlisted: results.iter().map(|r| r.unlisted).sum(),
        });
    }
    let mut summary = handoff_core::Summary::default();
    let mut out = Vec::new();
    let mut printer = handoff_reports::printer::JsonPrinter::new(&mut out);
    for r in &results {
        summary.add(r);
        // Writing to a Vec cannot fail.
        let _ = printer.result(r);
    }
    let _ = printer.finish(&summary);
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], out).into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&shown) {
        h.insert("x-handoff-capture", v);
    }
    response
}

/// Where a whole-file capture's receipt is: beside it, under a name `handoff check` passes over.
fn receipt_of(file: &std::path::Path) -> std::path::PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".receipt");
    name.into()
}

/// The payload's findings, or None if the check panicked (a bug; the request still gets an
/// answer and the receiver keeps running).
fn check(checker: &Checker, line: &[u8]) -> Option<handoff_core::check::Checked> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| checker.check_counted(line))).ok()
}

/// The sender's `X-Request-Id` when it is a plain token, else one of ours.
fn request_id(app: &App, headers: &HeaderMap) -> String {
    let sent = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=128).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        });
    match sent {
        Some(id) => id.to_string(),
        None => format!(
            "{}-{}",
            app.run_id,
            app.seq.fetch_add(1, Ordering::Relaxed) + 1
        ),
    }
}

async fn contract(app: &Arc<App>, reference: &str) -> Result<Arc<Loaded>, Response> {
    let cached = app
        .contracts
        .read()
        .ok()
        .and_then(|m| m.get(reference).cloned());
    if let Some(l) = cached.as_ref().filter(|l| l.fresh()) {
        return Ok(l.clone());
    }
    if handoff_core::registry::is_path_reference(reference) {
        app.metrics.refused(Refusal::UnknownContract, None);
        return Err(error(
            StatusCode::NOT_FOUND,
            format!("`{reference}` is a path; a capture names a contract of the registry"),
            Some("POST /capture/<id>, <id>@<version> or <id>@^<major>".into()),
        ));
    }
    let contracts = app.settings.contracts.clone();
    let redact = app.settings.redact;
    let r = reference.to_string();
    let before = cached.as_ref().map(|l| (l.file.clone(), l.stamp));
    // The file is looked at again: unchanged, it is not parsed again.
    let loaded = tokio::task::spawn_blocking(move || {
        let file = handoff_core::resolve_reference(&contracts, &r)?;
        let now = stamp(&file);
        if before == Some((file.clone(), now)) {
            return Ok(None);
        }
        handoff_core::load(&file, redact).map(|c| Some((c, file, now)))
    })
    .await
    .map_err(|_| {
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "loading the contract failed",
            None,
        )
    })?;
    let (checker, file, stamp) = match (loaded, cached) {
        (Ok(None), Some(l)) => {
            l.looked_now(None);
            return Ok(l);
        }
        // An edit that does not load does not stop the receiver: the version loaded before
        // goes on checking posts, and /healthz says why the file is not used.
        (Err(e), Some(l)) => {
            app.metrics.reload_failed(&l.reference);
            l.looked_now(Some(e.to_string()));
            return Ok(l);
        }
        (Ok(Some(loaded)), _) => loaded,
        (Ok(None), None) => {
            return Err(error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "loading the contract failed",
                None,
            ));
        }
        (Err(handoff_core::Error::Reference(e)), None) => {
            app.metrics.refused(Refusal::UnknownContract, None);
            return Err(error(
                StatusCode::NOT_FOUND,
                format!("{e}; nothing was recorded"),
                Some(format!(
                    "contracts are read from {}/<id>/<version>.yaml",
                    app.settings.contracts.display()
                )),
            ));
        }
        (Err(e), None) => {
            return Err(error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the contract `{reference}` cannot be used: {e}"),
                Some("run `handoff lint` on it".into()),
            ));
        }
    };
    let c = checker.contract();
    // X12 and CSV bodies are recorded whole, a file each: their own layout is the payload's.
    let shape = if c.x12.is_some() {
        Shape::X12
    } else if c.csv.is_some() {
        Shape::Csv
    } else {
        Shape::Json
    };
    // An id becomes a directory name: only the registry's own spelling is allowed.
    if !c
        .id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        || c.id.starts_with('.')
    {
        return Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the contract id `{}` cannot name a capture directory", c.id),
            None,
        ));
    }
    let loaded = Arc::new(Loaded {
        shape,
        id: c.id.as_str().into(),
        reference: c.reference().into(),
        checker,
        file,
        stamp,
        looked: std::sync::Mutex::new(Instant::now()),
        reload_error: std::sync::Mutex::new(None),
    });
    if let Ok(mut map) = app.contracts.write() {
        // Bounded: references are few; a client inventing requirements cannot grow it far.
        if map.len() < 1024 || map.contains_key(reference) {
            map.insert(reference.to_string(), loaded.clone());
        }
    }
    Ok(loaded)
}
