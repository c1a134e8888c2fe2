//! The review workspace at `GET /`: what the receiver took in (Live), the weekly review's top
//! patterns, the review gate's pending repair proposals with Approve and Reject, an exception
//! card per proposal, and the gate's feedback rates. Server-rendered HTML without scripts or
//! external resources; every value from a payload or the history database is escaped.
//!
//! Decisions go through the same library calls as `handoff review approve|reject`
//! ([`handoff_reports::triage::review`]). A decision is a POST carrying the session's CSRF
//! token; without a token for the server, requests must name it by address or `localhost`, so
//! a web page elsewhere cannot reach it through a name it controls (DNS rebinding).

pub mod live;
mod page;
mod session;

use axum::extract::{Form, Path as UrlPath, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use handoff_core::reach::Reach;
use handoff_reports::triage::review::{self, Proposal, ReviewError, Status, Target};
use handoff_reports::triage::store::Store;
use std::path::PathBuf;
use std::sync::Arc;

/// What the workspace reads and writes.
#[derive(Clone)]
pub struct Workspace {
    /// The project directory: proposals name their files relative to it.
    pub base: PathBuf,
    /// The history database (proposals, decisions, recorded triage runs).
    pub history: PathBuf,
    /// What decisions may read and write.
    pub reach: Reach,
    /// Approved repairs are written here for re-delivery instead of into the capture.
    pub outbox: Option<PathBuf>,
    /// Days of decisions the feedback rates count.
    pub window_days: u32,
    /// The weekly review's top patterns as an HTML fragment, computed the project's way by
    /// the embedding (the command line runs `handoff triage` on the exception log).
    pub weekly: Option<Arc<dyn Fn() -> Result<String, String> + Send + Sync>>,
    /// An exception card's cross-system view: given a proposal's contract (`id@version`) and
    /// payload, what every system of the project's reconcile flows captured about the same
    /// entity, as an HTML fragment; `None` when no flow covers it.
    pub entity: Option<Arc<EntityView>>,
    /// One exception of the project's log by its line, for the card the weekly review's
    /// examples link to (`/exception/LINE`); `None` when there is no log or no such line.
    pub exception: Option<Arc<ExceptionLookup>>,
}

/// See [`Workspace::exception`].
pub type ExceptionLookup = dyn Fn(u64) -> Result<Option<LogException>, String> + Send + Sync;

/// One exception of the project's log, for its card.
#[derive(Debug, Clone)]
pub struct LogException {
    /// Its line in the log.
    pub line: u64,
    pub error_code: String,
    /// When it was opened, as the log wrote it.
    pub opened_at: String,
    /// The contract the log names for it, and the version it resolved to when it did.
    pub contract: String,
    /// Where its payload is, as the log names it.
    pub payload: String,
    /// The payload's findings now, redacted as `check` redacts them, and those not listed; or
    /// why the payload could not be checked.
    pub findings: Result<(Vec<handoff_core::finding::Finding>, u64), String>,
    /// The payload as one line, redacted as proposals store it.
    pub excerpt: Option<String>,
    /// Reconcile's one-record view of its entity (see [`Workspace::entity`]).
    pub entity: Option<Result<Option<String>, String>>,
}

/// See [`Workspace::entity`].
pub type EntityView = dyn Fn(&str, &[u8]) -> Result<Option<String>, String> + Send + Sync;

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace")
            .field("base", &self.base)
            .field("history", &self.history)
            .field("outbox", &self.outbox)
            .field("window_days", &self.window_days)
            .field("weekly", &self.weekly.is_some())
            .field("entity", &self.entity.is_some())
            .field("exception", &self.exception.is_some())
            .finish_non_exhaustive()
    }
}

impl Workspace {
    pub fn new(base: PathBuf, history: PathBuf) -> Workspace {
        Workspace {
            reach: Reach::within([&base]),
            base,
            history,
            outbox: None,
            window_days: review::DEFAULT_WINDOW_DAYS,
            weekly: None,
            entity: None,
            exception: None,
        }
    }
}

/// The workspace's state in a running receiver.
pub(crate) struct Desk {
    pub(crate) settings: Workspace,
    pub(crate) live: live::Live,
    sessions: session::Sessions,
    /// The contract registry, to load the version a proposal names.
    contracts: PathBuf,
    /// A token guards the receiver (so a rebinding page cannot read the workspace).
    guarded: bool,
    /// The weekly review as last computed, and when: a triage of the whole log is not redone
    /// for every page load.
    weekly: std::sync::Mutex<Option<Weekly>>,
}

/// The weekly review as computed, when (monotonic, for its age; and the time, to show).
type Weekly = (std::time::Instant, String, Result<String, String>);

/// How long the weekly review is shown as computed before it is computed again; a decision
/// made here recomputes it at once, and `/?fresh=1` asks for it.
pub const WEEKLY_FRESH: std::time::Duration = std::time::Duration::from_secs(60);

impl Desk {
    pub(crate) fn new(
        settings: Workspace,
        contracts: PathBuf,
        guarded: bool,
    ) -> Result<Desk, String> {
        Ok(Desk {
            settings,
            live: live::Live::default(),
            sessions: session::Sessions::new()?,
            contracts,
            guarded,
            weekly: std::sync::Mutex::new(None),
        })
    }
}

pub(crate) fn router(desk: Arc<Desk>) -> axum::Router {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/", get(home))
        .route("/card/{id}", get(card))
        .route("/exception/{line}", get(exception))
        .route("/review/{id}/approve", post(approve))
        .route("/review/{id}/reject", post(reject))
        .layer(axum::middleware::from_fn_with_state(
            desk.clone(),
            same_site,
        ))
        .with_state(desk)
}

/// Refuse requests that name the server by a host name it does not own (unless a token
/// guards it), and POSTs from another origin.
async fn same_site(
    State(desk): State<Arc<Desk>>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !desk.guarded && !local_host(host) {
        return page::refusal(
            StatusCode::MISDIRECTED_REQUEST,
            &format!("this workspace answers to its address or localhost, not to `{host}`"),
            "open it as http://127.0.0.1:PORT/ (or start handoff serve with a token to serve it under a name)",
        );
    }
    if request.method() == axum::http::Method::POST
        && let Some(origin) = request.headers().get(header::ORIGIN)
    {
        let origin = origin.to_str().unwrap_or("");
        let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
        if origin_host != host {
            return page::refusal(
                StatusCode::FORBIDDEN,
                &format!("a decision was posted from another site ({origin}); nothing was decided"),
                "decide from the workspace's own page",
            );
        }
    }
    next.run(request).await
}

/// `127.0.0.1:8088`, `[::1]:8088`, `localhost:8088`: a name no other site can point here.
fn local_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split_once(']').map_or("", |(ip, _)| ip)
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok()
}

/// The workspace's paths: those a browser reaches, where a login cookie stands for the token.
pub(crate) fn is_workspace_path(path: &str) -> bool {
    path == "/"
        || path == "/login"
        || path.starts_with("/card/")
        || path.starts_with("/exception/")
        || path.starts_with("/review/")
}

pub(crate) use session::logged_in;

/// A request to a workspace path without the bearer token or the login cookie, on a receiver
/// that has a token: `POST /login` with the right token sets the cookie; anything else gets
/// the login form.
pub(crate) async fn login(request: Request, token_digest: &[u8; 32]) -> Response {
    if request.uri().path() == "/login" && request.method() == axum::http::Method::POST {
        #[derive(serde::Deserialize)]
        struct Login {
            token: String,
        }
        use axum::extract::FromRequest;
        let sent = Form::<Login>::from_request(request, &()).await.ok();
        let right = sent.is_some_and(|Form(l)| {
            use sha2::Digest;
            let d: [u8; 32] = sha2::Sha256::digest(l.token.trim().as_bytes()).into();
            d == *token_digest
        });
        if !right {
            return page::login(Some("that is not this receiver's token"));
        }
        let mut r = StatusCode::SEE_OTHER.into_response();
        r.headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/"));
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{}={}; Path=/; HttpOnly; SameSite=Strict",
            session::LOGIN_COOKIE,
            session::login_value(token_digest)
        )) {
            r.headers_mut().insert(header::SET_COOKIE, v);
        }
        return r;
    }
    page::login(None)
}

/// The request's session, or a new one to set.
fn session(desk: &Desk, headers: &HeaderMap) -> Result<(String, bool), Response> {
    match session::session_of(headers) {
        Some(s) => Ok((s, false)),
        None => desk
            .sessions
            .open()
            .map(|s| (s, true))
            .map_err(|e| page::refusal(StatusCode::INTERNAL_SERVER_ERROR, &e, "")),
    }
}

fn with_cookie(mut r: Response, session: &str, new: bool) -> Response {
    if new
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{}={session}; Path=/; HttpOnly; SameSite=Strict",
            session::COOKIE
        ))
    {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

#[derive(serde::Deserialize, Default)]
struct HomeQuery {
    /// The proposal just decided, to say so at the top.
    decided: Option<i64>,
    /// Compute the weekly review again now.
    fresh: Option<u8>,
}

async fn home(
    State(desk): State<Arc<Desk>>,
    Query(q): Query<HomeQuery>,
    headers: HeaderMap,
) -> Response {
    let (s, new) = match session(&desk, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let csrf = desk.sessions.token(&s);
    let d = desk.clone();
    if q.fresh.is_some() || q.decided.is_some() {
        desk.forget_weekly();
    }
    let built = tokio::task::spawn_blocking(move || gather(&d, q.decided.map(Notice::Decided)))
        .await
        .unwrap_or_else(|_| Err("building the page failed".into()));
    let r = match built {
        Ok(data) => page::home(&data, &csrf, StatusCode::OK),
        Err(e) => page::refusal(StatusCode::INTERNAL_SERVER_ERROR, &e, ""),
    };
    with_cookie(r, &s, new)
}

/// What the top of the page says after an action.
pub(crate) enum Notice {
    Decided(i64),
    Refused(String),
}

/// Everything the home page shows, read at once.
pub(crate) struct Data {
    pub(crate) history: String,
    pub(crate) tallies: std::collections::BTreeMap<String, live::Tally>,
    pub(crate) newest: Vec<live::Newest>,
    /// The weekly review, and when it was computed.
    pub(crate) weekly: Option<(Result<String, String>, String)>,
    /// Pending proposals, each with its re-check now, and how many more wait.
    pub(crate) pending: Vec<(Proposal, Result<(), String>)>,
    pub(crate) pending_more: u64,
    pub(crate) decided: Vec<Proposal>,
    pub(crate) feedback: Option<review::Feedback>,
    pub(crate) outbox: Option<String>,
    pub(crate) notice: Option<(Notice, Option<Proposal>)>,
}

/// Decisions listed, newest first.
const DECIDED_SHOWN: usize = 20;

/// Pending proposals shown (and re-checked) on one page, oldest first; the rest are counted.
const PENDING_SHOWN: usize = 50;

fn open(desk: &Desk) -> Result<Option<Store>, String> {
    if !desk.settings.history.exists() {
        return Ok(None);
    }
    Store::open(&desk.settings.history).map(Some)
}

fn gather(desk: &Desk, notice: Option<Notice>) -> Result<Data, String> {
    let (tallies, newest) = desk.live.snapshot();
    let store = open(desk)?;
    let mut pending = Vec::new();
    let mut decided = Vec::new();
    let mut feedback = None;
    let mut noticed = None;
    let mut pending_more = 0;
    if let Some(store) = &store {
        let mut checkers = std::collections::HashMap::new();
        for p in store.proposals(None)? {
            if p.status == Status::Pending && pending.len() >= PENDING_SHOWN {
                pending_more += 1;
            } else if p.status == Status::Pending {
                let checker = checkers
                    .entry(p.contract.clone())
                    .or_insert_with(|| load(desk, &p.contract));
                let recheck = match checker {
                    Ok(c) => review::recheck(&p, c, &desk.settings.base, &desk.settings.reach),
                    Err(e) => Err(e.clone()),
                };
                pending.push((p, recheck));
            } else {
                decided.push(p);
            }
        }
        decided.sort_by(|a, b| b.decided_at.cmp(&a.decided_at));
        decided.truncate(DECIDED_SHOWN);
        feedback = Some(store.feedback(desk.settings.window_days)?);
        if let Some(n) = &notice {
            let id = match n {
                Notice::Decided(id) => Some(*id),
                Notice::Refused(_) => None,
            };
            let p = id.map(|id| store.proposal(id)).transpose()?.flatten();
            noticed = Some(p);
        }
    }
    Ok(Data {
        history: desk.settings.history.display().to_string(),
        tallies,
        newest,
        weekly: desk.weekly(),
        pending,
        pending_more,
        decided,
        feedback,
        outbox: desk
            .settings
            .outbox
            .as_ref()
            .map(|d| d.display().to_string()),
        notice: notice.map(|n| (n, noticed.flatten())),
    })
}

impl Desk {
    /// The weekly review, computed again when older than [`WEEKLY_FRESH`].
    fn weekly(&self) -> Option<(Result<String, String>, String)> {
        let compute = self.settings.weekly.as_ref()?;
        let mut cached = self.weekly.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, when, section)) = cached.as_ref()
            && at.elapsed() < WEEKLY_FRESH
        {
            return Some((section.clone(), when.clone()));
        }
        let section = compute();
        let when = jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .map(|t| t.to_string())
            .unwrap_or_default();
        *cached = Some((std::time::Instant::now(), when.clone(), section.clone()));
        Some((section, when))
    }

    fn forget_weekly(&self) {
        *self.weekly.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

fn load(desk: &Desk, reference: &str) -> Result<handoff_core::Checker, String> {
    handoff_core::load_reference(&desk.contracts, reference, handoff_core::Redact::Sensitive)
        .map_err(|e| format!("its contract {reference} cannot be loaded: {e}"))
}

async fn card(State(desk): State<Arc<Desk>>, UrlPath(id): UrlPath<i64>) -> Response {
    let d = desk.clone();
    let built = tokio::task::spawn_blocking(move || -> Result<Option<page::CardData>, String> {
        let Some(store) = open(&d)? else {
            return Ok(None);
        };
        let Some(p) = store.proposal(id)? else {
            return Ok(None);
        };
        let checker = load(&d, &p.contract);
        let payload = review::current_payload(&p, &d.settings.base, &d.settings.reach);
        let findings = match (&checker, &payload) {
            (Ok(c), Ok(bytes)) => {
                let checked = c.check_counted(bytes);
                Ok((
                    checked.findings.iter().map(live::shown).collect::<Vec<_>>(),
                    checked.unlisted,
                ))
            }
            (Err(e), _) | (_, Err(e)) => Err(e.clone()),
        };
        let recheck = checker
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|c| review::recheck(&p, c, &d.settings.base, &d.settings.reach));
        // The entity is found from the payload as repaired when it repairs: the broken field
        // may be the very key that joins it to the other systems' messages.
        let entity = d.settings.entity.as_ref().map(|view| {
            let bytes = payload.clone()?;
            let joined = match checker
                .as_ref()
                .map(|c| handoff_core::repair::repair(c, &bytes))
            {
                Ok(handoff_core::repair::Outcome::Repaired { payload, .. }) => {
                    payload.to_string().into_bytes()
                }
                _ => bytes,
            };
            view(&p.contract, &joined)
        });
        Ok(Some(page::CardData {
            proposal: p,
            findings,
            recheck,
            entity,
        }))
    })
    .await
    .unwrap_or_else(|_| Err("building the card failed".into()));
    match built {
        Ok(Some(data)) => page::card(&data),
        Ok(None) => page::refusal(
            StatusCode::NOT_FOUND,
            &format!("there is no proposal {id}"),
            "the workspace lists every proposal: open /",
        ),
        Err(e) => page::refusal(StatusCode::INTERNAL_SERVER_ERROR, &e, ""),
    }
}

async fn exception(State(desk): State<Arc<Desk>>, UrlPath(line): UrlPath<u64>) -> Response {
    let Some(lookup) = desk.settings.exception.clone() else {
        return page::refusal(
            StatusCode::NOT_FOUND,
            "this project has no exception log",
            "set `exceptions.log` in handoff.yaml",
        );
    };
    match tokio::task::spawn_blocking(move || lookup(line))
        .await
        .unwrap_or_else(|_| Err("reading the exception failed".into()))
    {
        Ok(Some(e)) => page::exception(&e),
        Ok(None) => page::refusal(
            StatusCode::NOT_FOUND,
            &format!("line {line} of the exception log is not an exception"),
            "the weekly review links each pattern's example exceptions",
        ),
        Err(e) => page::refusal(StatusCode::INTERNAL_SERVER_ERROR, &e, ""),
    }
}

#[derive(serde::Deserialize)]
struct Decision {
    csrf: String,
    by: String,
    #[serde(default)]
    why: String,
    /// `capture` or `outbox`.
    #[serde(default)]
    target: String,
}

async fn approve(
    State(desk): State<Arc<Desk>>,
    UrlPath(id): UrlPath<i64>,
    headers: HeaderMap,
    Form(form): Form<Decision>,
) -> Response {
    decide(desk, id, headers, form, true).await
}

async fn reject(
    State(desk): State<Arc<Desk>>,
    UrlPath(id): UrlPath<i64>,
    headers: HeaderMap,
    Form(form): Form<Decision>,
) -> Response {
    decide(desk, id, headers, form, false).await
}

async fn decide(
    desk: Arc<Desk>,
    id: i64,
    headers: HeaderMap,
    form: Decision,
    approving: bool,
) -> Response {
    let Some(s) = session::session_of(&headers) else {
        return page::refusal(
            StatusCode::FORBIDDEN,
            "this decision came without the workspace's session; nothing was decided",
            "open the workspace (/) and decide from its page",
        );
    };
    if !desk.sessions.verify(&s, &form.csrf) {
        return page::refusal(
            StatusCode::FORBIDDEN,
            "this decision's form token is not this session's (the page is from before a restart, or from elsewhere); nothing was decided",
            "reload the workspace (/) and decide again",
        );
    }
    let by = form.by.trim().to_string();
    if by.is_empty() || by.chars().count() > 100 {
        return refused(
            &desk,
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a decision needs who takes it (up to 100 characters); nothing was decided".into(),
        )
        .await;
    }
    let why = form.why.trim().to_string();
    if !approving && why.is_empty() {
        return refused(
            &desk,
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("rejecting proposal {id} needs why the repair is wrong: the next review reads it; nothing was decided"),
        )
        .await;
    }
    let target = match (form.target.as_str(), &desk.settings.outbox) {
        ("outbox", Some(dir)) => Target::Outbox(dir.clone()),
        ("outbox", None) => {
            return refused(
                &desk,
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "this workspace has no outbox (start handoff serve with --outbox DIR); nothing was decided".into(),
            )
            .await;
        }
        _ => Target::Capture,
    };
    let d = desk.clone();
    let outcome = tokio::task::spawn_blocking(move || -> Result<Proposal, ReviewError> {
        let mut store = open(&d)
            .map_err(ReviewError::Store)?
            .ok_or(ReviewError::NotFound(id))?;
        if approving {
            let p = store
                .proposal(id)
                .map_err(ReviewError::Store)?
                .ok_or(ReviewError::NotFound(id))?;
            let checker = load(&d, &p.contract).map_err(|why| ReviewError::Stale { id, why })?;
            review::approve(
                &mut store,
                &p,
                &by,
                &checker,
                &target,
                &d.settings.base,
                &d.settings.reach,
            )
        } else {
            review::reject(&mut store, id, &by, &why)
        }
    })
    .await
    .unwrap_or_else(|_| {
        Err(ReviewError::Store(
            "the decision failed inside handoff".into(),
        ))
    });
    match outcome {
        // Post, redirect, get: reloading the page does not decide twice.
        Ok(p) => {
            // The decision changes the rates the weekly review shows.
            desk.forget_weekly();
            let mut r = StatusCode::SEE_OTHER.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("/?decided={}#proposal-{}", p.id, p.id)) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Err(e) => {
            let status = match e {
                ReviewError::NotFound(_) => StatusCode::NOT_FOUND,
                ReviewError::Decided(_) => StatusCode::CONFLICT,
                ReviewError::Stale { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                ReviewError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
            };
            refused(&desk, &s, status, e.to_string()).await
        }
    }
}

/// The workspace again, saying at the top why nothing was decided.
async fn refused(desk: &Arc<Desk>, session: &str, status: StatusCode, why: String) -> Response {
    let csrf = desk.sessions.token(session);
    let d = desk.clone();
    match tokio::task::spawn_blocking(move || gather(&d, Some(Notice::Refused(why)))).await {
        Ok(Ok(data)) => page::home(&data, &csrf, status),
        Ok(Err(e)) => page::refusal(status, &e, ""),
        Err(_) => page::refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "building the page failed",
            "",
        ),
    }
}
