//! The review gate: repair proposals for binary exceptions wait in the history database for a
//! person's single decision, and what was decided feeds each pattern's and each repair rule's
//! rates back into the weekly review (the playbook's "every automated action requires a
//! single-click confirmation", then "track auto-resolution and false-positive rates").
//!
//! A proposal holds where the payload is (file and NDJSON line), the digest of its bytes, the
//! patch (`handoff repair`'s), the pattern signature triage gives the payload, and an excerpt
//! redacted as `check` redacts findings. Values of fields the contract marks `sensitive` are
//! never stored: the patch's digest stands for them, and approval re-computes the repair from
//! the file. Approval applies the patch only while the file still holds the very payload that
//! was proposed and the repair still passes the contract; of two decisions on one proposal,
//! exactly one wins (a conditional update) and the other is told who decided first.
//!
//! `handoff repair --propose`, `handoff review` and the workspace's buttons (`handoff serve`)
//! all call [`proposal_for`] with [`Store::propose`], [`approve`] and [`reject`].

use super::patterns;
use super::report::signature_text;
use super::store::Store;
use handoff_core::check::Checker;
use handoff_core::reach::Reach;
use handoff_core::repair::{self, Fix, Outcome};
use handoff_core::{escape, redact};
use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The feedback window when none is asked for: the playbook's first review after 30 days.
pub const DEFAULT_WINDOW_DAYS: u32 = 30;

/// The longest payload excerpt a proposal keeps, in characters.
const EXCERPT_CHARS: usize = 400;

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for a decision.
    Pending,
    /// Approved; the patch is being written (a decision in progress, or one that a crash
    /// interrupted: the outcome says so).
    Applying,
    Approved,
    Rejected,
}

impl Status {
    pub fn id(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Applying => "applying",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
        }
    }

    fn parse(s: &str) -> Status {
        match s {
            "applying" => Status::Applying,
            "approved" => Status::Approved,
            "rejected" => Status::Rejected,
            _ => Status::Pending,
        }
    }
}

/// One fix of a stored proposal. A sensitive field's value is `None`: it is not stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StoredFix {
    pub rule: String,
    pub op: String,
    pub path: String,
    pub value: Option<Value>,
    pub why: String,
    #[serde(default)]
    pub sensitive: bool,
}

/// A repair proposal, as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Proposal {
    pub id: i64,
    pub proposed_at: String,
    /// The contract version the repair passes: `id@version`.
    pub contract: String,
    /// The payload's file, as it was named when proposed, and its NDJSON line.
    pub source: String,
    pub line: Option<u64>,
    pub payload_sha256: String,
    /// The triage pattern the payload belongs to (its signature as reports show it).
    pub signature: String,
    /// The repair rules that made the fixes ([`repair::RULES`]), sorted.
    pub rules: Vec<String>,
    pub fixes: Vec<StoredFix>,
    #[serde(skip)]
    pub patch_sha256: String,
    /// The payload as sent, redacted as `check` redacts findings, at most 400 characters.
    pub excerpt: String,
    pub status: Status,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// Why it was rejected.
    pub why: Option<String>,
    /// What approving it did: where the repaired payload was written.
    pub outcome: Option<String>,
}

impl Proposal {
    /// `file:line`, or the file.
    pub fn at(&self) -> String {
        match self.line {
            Some(n) => format!("{}:{n}", self.source),
            None => self.source.clone(),
        }
    }

    /// The RFC 6902 patch, with a sensitive field's value shown as `(sensitive, not stored)`.
    pub fn patch_shown(&self) -> Value {
        Value::Array(
            self.fixes
                .iter()
                .map(|f| {
                    json!({
                        "op": f.op,
                        "path": f.path,
                        "value": f.value.clone().unwrap_or_else(|| json!("(sensitive, not stored)")),
                    })
                })
                .collect(),
        )
    }
}

/// A proposal about to be stored: [`proposal_for`] makes it from a payload.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProposal {
    pub contract: String,
    pub source: String,
    pub line: Option<u64>,
    pub payload_sha256: String,
    pub signature: String,
    pub fixes: Vec<StoredFix>,
    pub patch_sha256: String,
    pub excerpt: String,
}

/// Whether a proposal was stored now or was there already (the same payload proposed before).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proposed {
    New(i64),
    Already(i64),
}

/// Why a decision did not happen.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewError {
    /// No proposal has this id.
    NotFound(i64),
    /// It was decided already (by another reviewer, maybe a moment ago): that decision stands.
    Decided(Box<Proposal>),
    /// Approving it cannot be done as proposed; nothing was written and it is still pending.
    Stale { id: i64, why: String },
    /// The history database failed.
    Store(String),
}

impl fmt::Display for ReviewError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReviewError::NotFound(id) => write!(
                f,
                "there is no proposal {id}; `handoff review` lists the pending ones"
            ),
            ReviewError::Decided(p) => {
                write!(
                    f,
                    "proposal {} was already {} by {} at {}",
                    p.id,
                    match p.status {
                        Status::Applying => "being approved",
                        s => s.id(),
                    },
                    escape::text(p.decided_by.as_deref().unwrap_or("someone")),
                    p.decided_at.as_deref().unwrap_or("an unknown time"),
                )?;
                if let Some(why) = &p.why {
                    write!(f, " ({})", escape::text(why))?;
                }
                f.write_str("; that decision stands")
            }
            ReviewError::Stale { id, why } => write!(
                f,
                "proposal {id} cannot be approved: {why}; nothing was written and it is still pending (reject it, or propose again with `handoff repair --propose`)"
            ),
            ReviewError::Store(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for ReviewError {}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn patch_digest(fixes: &[Fix]) -> String {
    sha256_hex(repair::patch(fixes).to_string().as_bytes())
}

/// The proposal for one payload (`bytes`, from `source` at `line`), or what repairing it came
/// to when there is nothing to propose (clean, or no safe repair).
pub fn proposal_for(
    checker: &Checker,
    source: &str,
    line: Option<u64>,
    bytes: &[u8],
) -> Result<NewProposal, Outcome> {
    match repair::repair(checker, bytes) {
        Outcome::Repaired { fixes, .. } => Ok(proposal_of(checker, source, line, bytes, &fixes)),
        other => Err(other),
    }
}

/// The proposal for a payload whose repair ([`repair::repair`] of `bytes`) gave `fixes`: for a
/// caller that repaired it already and need not repair it again.
pub fn proposal_of(
    checker: &Checker,
    source: &str,
    line: Option<u64>,
    bytes: &[u8],
    fixes: &[Fix],
) -> NewProposal {
    let contract = checker.contract();
    // Signed as triage signs the exception (run::checked): the same pattern.
    let mut findings = checker.check(bytes);
    for f in &mut findings {
        redact::for_report(f, redact::Redact::Sensitive);
    }
    let signature = signature_text(&patterns::signature(&contract.id, &findings));
    let stored = fixes
        .iter()
        .map(|f| {
            let sensitive = contract.is_sensitive(&f.path);
            StoredFix {
                rule: f.rule.to_string(),
                op: f.op.to_string(),
                path: f.path.clone(),
                value: (!sensitive).then(|| f.value.clone()),
                why: redact::mask_card_numbers(&f.why).into_owned(),
                sensitive,
            }
        })
        .collect();
    NewProposal {
        contract: contract.reference(),
        source: source.to_string(),
        line,
        payload_sha256: sha256_hex(bytes),
        signature,
        fixes: stored,
        patch_sha256: patch_digest(fixes),
        excerpt: excerpt(checker, bytes),
    }
}

/// The payload as one line, every sensitive field's value replaced by `(sensitive)` and card
/// numbers masked, cut at 400 characters.
pub fn excerpt(checker: &Checker, bytes: &[u8]) -> String {
    let text = match serde_json::from_slice::<Value>(handoff_core::check::without_bom(bytes)) {
        Ok(mut value) => {
            for pointer in checker.sensitive_pointers(&value) {
                if let Some(v) = value.pointer_mut(&pointer) {
                    *v = json!("(sensitive)");
                }
            }
            value.to_string()
        }
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    };
    let mut text = redact::mask_card_numbers(&text).into_owned();
    if let Some((cut, _)) = text.char_indices().nth(EXCERPT_CHARS) {
        text.truncate(cut);
        text.push('…');
    }
    text
}

const COLUMNS: &str = "id, proposed_at, contract, source, line, payload_sha256, signature, rules, fixes, patch_sha256, excerpt, status, decided_by, decided_at, why, outcome";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Proposal> {
    let rules: String = r.get(7)?;
    let fixes: String = r.get(8)?;
    Ok(Proposal {
        id: r.get(0)?,
        proposed_at: r.get(1)?,
        contract: r.get(2)?,
        source: r.get(3)?,
        line: r.get::<_, Option<i64>>(4)?.map(|n| n as u64),
        payload_sha256: r.get(5)?,
        signature: r.get(6)?,
        rules: rules
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        fixes: serde_json::from_str(&fixes).unwrap_or_default(),
        patch_sha256: r.get(9)?,
        excerpt: r.get(10)?,
        status: Status::parse(&r.get::<_, String>(11)?),
        decided_by: r.get(12)?,
        decided_at: r.get(13)?,
        why: r.get(14)?,
        outcome: r.get(15)?,
    })
}

/// The first instant of a window of `days` days ending now, as stored times are written.
fn window_start(days: u32) -> String {
    jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(24 * i64::from(days)))
        .unwrap_or(jiff::Timestamp::MIN)
        .to_string()
}

/// Fill `feedback`'s resolved exceptions, per pattern signature and per repair rule, from a
/// triage: `approved` is [`Store::approved_places`]; `watched` the triage's rows at those
/// places with the signature each has now.
pub fn resolve(
    feedback: &mut Feedback,
    approved: &[Approved],
    watched: &BTreeMap<super::run::Place, Vec<super::framework::Signature>>,
) {
    // One place counts once per pattern and per rule, however many proposals it had.
    let mut by_pattern = std::collections::BTreeSet::new();
    let mut by_rule = std::collections::BTreeSet::new();
    for a in approved {
        let Some(rows) = watched.get(&a.place) else {
            continue;
        };
        if by_pattern.insert((&a.signature, &a.place)) {
            let r = feedback.resolved.entry(a.signature.clone()).or_default();
            r.exceptions += rows.len() as u64;
            r.moved += rows
                .iter()
                .filter(|s| signature_text(s) != a.signature)
                .count() as u64;
        }
        for rule in &a.rules {
            if by_rule.insert((rule, &a.place)) {
                *feedback.resolved_by_rule.entry(rule.clone()).or_default() += rows.len() as u64;
            }
        }
    }
}

fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::TimestampRound::new().smallest(jiff::Unit::Second))
        .map(|t| t.to_string())
        .unwrap_or_else(|_| jiff::Timestamp::now().to_string())
}

/// Per pattern or per rule: what the review gate saw in the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub proposals: u64,
    pub approved: u64,
    pub rejected: u64,
}

impl Counts {
    /// Rejected over decided: how often the rule proposed a wrong fix. `None` before any
    /// decision.
    pub fn false_positive_rate(&self) -> Option<f64> {
        let decided = self.approved + self.rejected;
        (decided > 0).then(|| self.rejected as f64 / decided as f64)
    }
}

/// A pattern's exceptions in the log whose payload an approved repair of the pattern fixed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resolved {
    /// Exceptions (log rows) whose payload an approved proposal of the pattern repaired.
    pub exceptions: u64,
    /// Of those, the ones that now sit in another pattern: repaired in place, their payload
    /// conforms, but they were this pattern's when the repair was proposed.
    pub moved: u64,
}

/// The review gate's figures over a window: per pattern signature and per repair rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Feedback {
    pub window_days: u32,
    pub by_signature: BTreeMap<String, Counts>,
    pub by_rule: BTreeMap<String, Counts>,
    /// Per pattern signature: its exceptions an approved repair resolved ([`resolve`]).
    pub resolved: BTreeMap<String, Resolved>,
    /// Per repair rule: the patterns it proposed repairs in (in the window).
    pub rule_patterns: BTreeMap<String, std::collections::BTreeSet<String>>,
    /// Per repair rule: exceptions in the log whose payload an approved repair by the rule
    /// fixed ([`resolve`]).
    pub resolved_by_rule: BTreeMap<String, u64>,
}

/// An approved proposal's payload place, for [`resolve`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Approved {
    /// The pattern it was proposed in.
    pub signature: String,
    pub rules: Vec<String>,
    pub place: super::run::Place,
}

impl Feedback {
    /// The share of a pattern's exceptions resolved by an approved repair rather than by hand,
    /// and the exceptions it is a share of: the pattern's `exceptions` in the log now, plus
    /// those an in-place repair moved out of it. `None` when the pattern had none.
    pub fn auto_resolution(&self, signature: &str, exceptions: u64) -> (Option<f64>, u64) {
        let r = self.resolved.get(signature).copied().unwrap_or_default();
        let of = exceptions + r.moved;
        ((of > 0).then(|| r.exceptions as f64 / of as f64), of)
    }

    /// A repair rule's auto-resolution rate: the exceptions its approved repairs resolved, over
    /// the exceptions of the patterns it proposed repairs in (each pattern's `exceptions` in
    /// the log now, plus those its in-place repairs moved out). `None` without any.
    pub fn rule_auto_resolution(
        &self,
        rule: &str,
        exceptions: impl Fn(&str) -> u64,
    ) -> (Option<f64>, u64) {
        let of: u64 = self.rule_patterns.get(rule).map_or(0, |patterns| {
            patterns
                .iter()
                .map(|s| exceptions(s) + self.resolved.get(s).map_or(0, |r| r.moved))
                .sum()
        });
        let n = self.resolved_by_rule.get(rule).copied().unwrap_or(0);
        ((of > 0).then(|| n as f64 / of as f64), of)
    }

    /// A pattern's counts (all zero when nothing was proposed for it).
    pub fn pattern(&self, signature: &str) -> Counts {
        self.by_signature
            .get(signature)
            .copied()
            .unwrap_or_default()
    }
}

/// `path` as a proposal names it: relative to the project directory `base` when it is inside,
/// so the workspace and the command line find it from wherever they run.
pub fn source_name(path: &Path, base: &Path) -> String {
    let real = handoff_core::reach::resolve(path);
    let root = handoff_core::reach::resolve(if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    });
    match real.strip_prefix(&root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.display().to_string(),
        _ => path.display().to_string(),
    }
}

impl Store {
    /// Store a proposal, unless the same payload was proposed against the same contract
    /// version before (then that one's id).
    pub fn propose(&mut self, p: &NewProposal) -> Result<Proposed, String> {
        let mut rules: Vec<&str> = p.fixes.iter().map(|f| f.rule.as_str()).collect();
        rules.sort();
        rules.dedup();
        let fixes = serde_json::to_string(&p.fixes).map_err(|e| e.to_string())?;
        let inserted = self
            .db
            .execute(
                "INSERT OR IGNORE INTO proposals (proposed_at, contract, source, line, payload_sha256, signature, rules, fixes, patch_sha256, excerpt)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    now(),
                    p.contract,
                    p.source,
                    p.line.map(|n| n as i64),
                    p.payload_sha256,
                    p.signature,
                    rules.join(","),
                    fixes,
                    p.patch_sha256,
                    p.excerpt
                ],
            )
            .map_err(|e| self.unreadable(e))?;
        if inserted == 1 {
            return Ok(Proposed::New(self.db.last_insert_rowid()));
        }
        self.db
            .query_row(
                "SELECT id FROM proposals WHERE contract = ?1 AND source = ?2 AND ifnull(line, 0) = ?3 AND payload_sha256 = ?4",
                params![p.contract, p.source, p.line.unwrap_or(0) as i64, p.payload_sha256],
                |r| r.get(0),
            )
            .map(Proposed::Already)
            .map_err(|e| self.unreadable(e))
    }

    /// One proposal.
    pub fn proposal(&self, id: i64) -> Result<Option<Proposal>, String> {
        self.db
            .query_row(
                &format!("SELECT {COLUMNS} FROM proposals WHERE id = ?1"),
                [id],
                row,
            )
            .optional()
            .map_err(|e| self.unreadable(e))
    }

    /// Proposals, oldest first: those with `status`, or all.
    pub fn proposals(&self, status: Option<Status>) -> Result<Vec<Proposal>, String> {
        let mut stmt = self
            .db
            .prepare(&format!(
                "SELECT {COLUMNS} FROM proposals WHERE ?1 IS NULL OR status = ?1 ORDER BY id"
            ))
            .map_err(|e| self.unreadable(e))?;
        stmt.query_map([status.map(Status::id)], row)
            .and_then(|rows| rows.collect())
            .map_err(|e| self.unreadable(e))
    }

    /// The review gate's figures for proposals made in the last `window_days` days.
    pub fn feedback(&self, window_days: u32) -> Result<Feedback, String> {
        let since = window_start(window_days);
        let mut stmt = self
            .db
            .prepare("SELECT signature, rules, status FROM proposals WHERE proposed_at >= ?1")
            .map_err(|e| self.unreadable(e))?;
        let rows: Vec<(String, String, String)> = stmt
            .query_map([since], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.unreadable(e))?;
        let mut out = Feedback {
            window_days,
            ..Feedback::default()
        };
        for (signature, rules, status) in rows {
            let add = |c: &mut Counts| {
                c.proposals += 1;
                match Status::parse(&status) {
                    Status::Approved => c.approved += 1,
                    Status::Rejected => c.rejected += 1,
                    _ => {}
                }
            };
            for rule in rules.split(',').filter(|r| !r.is_empty()) {
                add(out.by_rule.entry(rule.to_string()).or_default());
                out.rule_patterns
                    .entry(rule.to_string())
                    .or_default()
                    .insert(signature.clone());
            }
            add(out.by_signature.entry(signature).or_default());
        }
        Ok(out)
    }

    /// Where the payloads of the approved proposals made in the last `window_days` days are,
    /// with the signature each was proposed under: the places a triage watches (found from
    /// `base`, the project directory) so that [`resolve`] can count their exceptions.
    pub fn approved_places(&self, window_days: u32, base: &Path) -> Result<Vec<Approved>, String> {
        let since = window_start(window_days);
        let mut stmt = self
            .db
            .prepare(
                "SELECT signature, rules, source, line FROM proposals WHERE proposed_at >= ?1 AND status = 'approved' ORDER BY id",
            )
            .map_err(|e| self.unreadable(e))?;
        let rows: Vec<(String, String, String, Option<i64>)> = stmt
            .query_map([since], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .and_then(|rows| rows.collect())
            .map_err(|e| self.unreadable(e))?;
        Ok(rows
            .into_iter()
            .map(|(signature, rules, source, line)| Approved {
                signature,
                rules: rules
                    .split(',')
                    .filter(|r| !r.is_empty())
                    .map(str::to_string)
                    .collect(),
                place: super::run::place(&base.join(source), line.map(|n| n as u64)),
            })
            .collect())
    }

    /// Take the decision on a pending proposal: of concurrent callers exactly one gets `Ok`.
    fn claim(
        &mut self,
        id: i64,
        status: Status,
        by: &str,
        why: Option<&str>,
    ) -> Result<(), ReviewError> {
        let changed = self
            .db
            .execute(
                "UPDATE proposals SET status = ?2, decided_by = ?3, decided_at = ?4, why = ?5
                 WHERE id = ?1 AND status = 'pending'",
                params![id, status.id(), by, now(), why],
            )
            .map_err(|e| ReviewError::Store(self.unreadable(e)))?;
        if changed == 1 {
            return Ok(());
        }
        match self.proposal(id).map_err(ReviewError::Store)? {
            None => Err(ReviewError::NotFound(id)),
            Some(p) => Err(ReviewError::Decided(Box::new(p))),
        }
    }

    fn settle(&mut self, id: i64, status: Status, outcome: &str) -> Result<(), ReviewError> {
        self.db
            .execute(
                "UPDATE proposals SET status = ?2, outcome = ?3 WHERE id = ?1",
                params![id, status.id(), outcome],
            )
            .map(drop)
            .map_err(|e| ReviewError::Store(self.unreadable(e)))
    }

    /// Back to pending after an approval that could not be applied.
    fn release(&mut self, id: i64) -> Result<(), ReviewError> {
        self.db
            .execute(
                "UPDATE proposals SET status = 'pending', decided_by = NULL, decided_at = NULL, why = NULL, outcome = NULL WHERE id = ?1",
                [id],
            )
            .map(drop)
            .map_err(|e| ReviewError::Store(self.unreadable(e)))
    }
}

/// Where an approved repair goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Into the capture it came from, in place (the other lines as they are).
    Capture,
    /// The repaired payload as its own file in this directory, for re-delivery; the capture is
    /// left as it was.
    Outbox(PathBuf),
}

/// Approve proposal `p` (as the caller read it, to find its contract): the patch is computed
/// again from the file with `checker` (the proposal's contract version), and applied only when the file still holds the payload that
/// was proposed and the result is the same patch, passing the contract. The proposal's file is
/// found from `base` (the project directory); `reach` bounds what is read and written. The
/// decision, who took it and what it did are stored.
pub fn approve(
    store: &mut Store,
    p: &Proposal,
    by: &str,
    checker: &Checker,
    target: &Target,
    base: &Path,
    reach: &Reach,
) -> Result<Proposal, ReviewError> {
    let id = p.id;
    // Read earlier, it may be out of date: the claim below is what decides who wins.
    if p.status != Status::Pending {
        return Err(ReviewError::Decided(Box::new(p.clone())));
    }
    if checker.contract().reference() != p.contract {
        return Err(ReviewError::Stale {
            id,
            why: format!(
                "it was proposed against {} and the contract given is {}",
                p.contract,
                checker.contract().reference()
            ),
        });
    }
    store.claim(id, Status::Applying, by, None)?;
    match apply(p, checker, target, base, reach) {
        Ok(outcome) => {
            store.settle(id, Status::Approved, &outcome)?;
            store
                .proposal(id)
                .map_err(ReviewError::Store)?
                .ok_or(ReviewError::NotFound(id))
        }
        Err(why) => {
            store.release(id)?;
            Err(ReviewError::Stale { id, why })
        }
    }
}

/// Reject proposal `id`, saying why; nothing is written but the decision.
pub fn reject(store: &mut Store, id: i64, by: &str, why: &str) -> Result<Proposal, ReviewError> {
    store.claim(id, Status::Rejected, by, Some(why))?;
    store.settle(
        id,
        Status::Rejected,
        "rejected; the capture was left as it is",
    )?;
    store
        .proposal(id)
        .map_err(ReviewError::Store)?
        .ok_or(ReviewError::NotFound(id))
}

/// Whether approving `p` now would write its patch: the file still holds the payload proposed
/// and repairing it against `checker` gives the same patch, which passes the contract. The
/// review gate shows this beside each proposal; nothing is written.
pub fn recheck(p: &Proposal, checker: &Checker, base: &Path, reach: &Reach) -> Result<(), String> {
    Prepared::new(p, checker, base, reach).map(drop)
}

/// A proposal's file as it is now (found from `base`, read only within `reach`): its path and
/// its bytes.
fn read_source(p: &Proposal, base: &Path, reach: &Reach) -> Result<(PathBuf, Vec<u8>), String> {
    let path = base.join(&p.source);
    reach
        .check(&path, "the proposal's payload file")
        .map_err(|e| e.to_string())?;
    let bytes = handoff_core::input::read_bytes(&path, handoff_core::input::MAX_FILE_BYTES)
        .map_err(|e| format!("cannot read {}: {e}", escape::text(&p.source)))?;
    Ok((path, bytes))
}

/// The payload at a proposal's place as its file holds it now, changed since or not (an
/// exception card shows its findings).
pub fn current_payload(p: &Proposal, base: &Path, reach: &Reach) -> Result<Vec<u8>, String> {
    let (_, bytes) = read_source(p, base, reach)?;
    crate::patched::payload_at(&bytes, p.line)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| format!("{} holds no such payload now", escape::text(&p.at())))
}

/// A proposal's file read and its payload repaired again, ready to write.
struct Prepared {
    path: PathBuf,
    shown: String,
    original: Vec<u8>,
    fixes: Vec<Fix>,
    repaired: Value,
}

impl Prepared {
    fn new(
        p: &Proposal,
        checker: &Checker,
        base: &Path,
        reach: &Reach,
    ) -> Result<Prepared, String> {
        let (path, original) = read_source(p, base, reach)?;
        let shown = escape::text(&p.source).into_owned();
        let payload = crate::patched::payload_at(&original, p.line)
            .filter(|b| sha256_hex(b) == p.payload_sha256)
            .ok_or_else(|| {
                format!(
                    "{} no longer holds the payload that was proposed (it changed since)",
                    escape::text(&p.at())
                )
            })?;
        let Outcome::Repaired {
            fixes,
            payload: repaired,
        } = repair::repair(checker, payload)
        else {
            return Err(format!(
                "the payload no longer repairs clean against {}",
                p.contract
            ));
        };
        if patch_digest(&fixes) != p.patch_sha256 {
            return Err(format!(
                "repairing the payload against {} now gives another patch than the one proposed",
                p.contract
            ));
        }
        Ok(Prepared {
            path,
            shown,
            original,
            fixes,
            repaired,
        })
    }
}

/// Write an approved repair; the outcome in words, or why it cannot be done.
fn apply(
    p: &Proposal,
    checker: &Checker,
    target: &Target,
    base: &Path,
    reach: &Reach,
) -> Result<String, String> {
    let Prepared {
        path,
        shown,
        original,
        fixes,
        repaired,
    } = Prepared::new(p, checker, base, reach)?;
    let path = path.as_path();
    match target {
        Target::Capture => {
            crate::patched::write(
                path,
                &original,
                p.line.is_some(),
                &[(p.line, &fixes, &repaired)],
            )
            .map_err(|e| format!("{shown}: {e}"))?;
            Ok(format!("repaired in place in {}", escape::text(&p.at())))
        }
        Target::Outbox(dir) => {
            let file = dir.join(format!("proposal-{id}.json", id = p.id));
            reach
                .check(&file, "the outbox file")
                .map_err(|e| e.to_string())?;
            std::fs::create_dir_all(dir).map_err(|e| {
                format!(
                    "cannot create the outbox {}: {e}",
                    escape::text(&dir.display().to_string())
                )
            })?;
            let shown = escape::text(&file.display().to_string()).into_owned();
            crate::patched::write_new(&file, format!("{repaired}\n").as_bytes()).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    format!("{shown} exists already; it was left as it is")
                } else {
                    format!("cannot write {shown}: {e}")
                }
            })?;
            Ok(format!(
                "repaired payload written to {shown} for re-delivery; the capture was left as it is"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(rule: &str, signature: &str, n: u8) -> NewProposal {
        NewProposal {
            contract: "c@1.0.0".into(),
            source: "captures/x.ndjson".into(),
            line: Some(u64::from(n)),
            payload_sha256: format!("{n:064}"),
            signature: signature.into(),
            fixes: vec![StoredFix {
                rule: rule.into(),
                op: "replace".into(),
                path: "/a".into(),
                value: Some(json!(1)),
                why: "w".into(),
                sensitive: false,
            }],
            patch_sha256: "p".into(),
            excerpt: "{}".into(),
        }
    }

    #[test]
    fn an_in_place_repair_still_counts_for_the_pattern_it_was_proposed_in() {
        use super::super::framework::Signature;
        let at = |line| (PathBuf::from("/p/captures/x.ndjson"), Some(line));
        let sig = signature_text(&Signature::Violates("c: /a pattern_mismatch".into()));
        let approved = |line, rule: &str| Approved {
            signature: sig.clone(),
            rules: vec![rule.to_string()],
            place: at(line),
        };
        // Line 1 repaired in place (now conforms); line 2 approved to an outbox (unchanged),
        // and proposed twice; line 3 approved but absent from the log.
        let list = vec![
            approved(1, "letter-case"),
            approved(2, "letter-case"),
            approved(2, "letter-case"),
            approved(3, "zip-plus-four"),
        ];
        let mut watched = BTreeMap::new();
        watched.insert(at(1), vec![Signature::Conforms]);
        watched.insert(
            at(2),
            vec![
                Signature::Violates("c: /a pattern_mismatch".into()),
                Signature::Violates("c: /a pattern_mismatch".into()),
            ],
        );
        let mut f = Feedback::default();
        f.rule_patterns
            .insert("letter-case".into(), [sig.clone()].into());
        f.rule_patterns
            .insert("zip-plus-four".into(), [sig.clone()].into());
        resolve(&mut f, &list, &watched);
        assert_eq!(
            f.resolved[&sig],
            Resolved {
                exceptions: 3,
                moved: 1
            }
        );
        assert_eq!(f.resolved_by_rule["letter-case"], 3);
        assert_eq!(f.resolved_by_rule.get("zip-plus-four"), None);
        // The pattern has 2 exceptions in the log now, and 1 moved out: 3 of 3 resolved.
        assert_eq!(f.auto_resolution(&sig, 2), (Some(1.0), 3));
        // With 5 more exceptions by hand: 3 of 8.
        assert_eq!(f.auto_resolution(&sig, 7), (Some(3.0 / 8.0), 8));
        assert_eq!(f.auto_resolution("other", 0), (None, 0));
        // Per rule, over the patterns each proposed in.
        assert_eq!(
            f.rule_auto_resolution("letter-case", |_| 7),
            (Some(3.0 / 8.0), 8)
        );
        assert_eq!(
            f.rule_auto_resolution("zip-plus-four", |_| 7),
            (Some(0.0), 8)
        );
        assert_eq!(f.rule_auto_resolution("date-layout", |_| 7), (None, 0));
    }

    #[test]
    fn feedback_counts_the_window_and_the_rates_follow_the_counts() {
        let path =
            std::env::temp_dir().join(format!("handoff-review-unit-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let mut store = Store::open(&path).unwrap();
        for n in 1..=4 {
            assert_eq!(
                store.propose(&stored("letter-case", "s", n)).unwrap(),
                Proposed::New(i64::from(n))
            );
        }
        assert_eq!(
            store.propose(&stored("letter-case", "s", 1)).unwrap(),
            Proposed::Already(1)
        );
        store.claim(1, Status::Approved, "a", None).unwrap();
        store
            .claim(2, Status::Rejected, "b", Some("wrong"))
            .unwrap();
        store
            .claim(3, Status::Rejected, "b", Some("wrong"))
            .unwrap();
        // Proposal 4 was made 40 days ago: outside a 30-day window, inside a 60-day one.
        store
            .db
            .execute(
                "UPDATE proposals SET proposed_at = '2000-01-01T00:00:00Z' WHERE id = 4",
                [],
            )
            .unwrap();
        let f = store.feedback(30).unwrap();
        let c = f.pattern("s");
        assert_eq!(
            c,
            Counts {
                proposals: 3,
                approved: 1,
                rejected: 2
            }
        );
        assert_eq!(c.false_positive_rate(), Some(2.0 / 3.0));
        assert_eq!(
            f.auto_resolution("s", 4),
            (Some(0.0), 4),
            "no approved payload in a log"
        );
        assert_eq!(f.auto_resolution("s", 0), (None, 0));
        assert_eq!(f.by_rule["letter-case"], c);
        assert_eq!(f.pattern("other"), Counts::default());
        assert_eq!(Counts::default().false_positive_rate(), None);
        assert_eq!(store.feedback(36_500).unwrap().pattern("s").proposals, 4);
        // A decided proposal cannot be claimed again, and says who decided it.
        match store.claim(2, Status::Approved, "c", None) {
            Err(ReviewError::Decided(p)) => assert_eq!(p.decided_by.as_deref(), Some("b")),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            store.claim(9, Status::Approved, "c", None),
            Err(ReviewError::NotFound(9))
        );
        let _ = std::fs::remove_file(&path);
    }
}
