//! What the receiver took in since it started, for the workspace's Live section: payloads and
//! invalid ones per contract, and the newest payloads with findings. Only redacted text is
//! kept: the excerpt as a repair proposal stores it (sensitive fields `(sensitive)`, card
//! numbers masked) and each finding's value as `check` would show it.

use handoff_core::Checker;
use handoff_core::finding::Finding;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

/// Newest payloads with findings kept.
pub const NEWEST: usize = 20;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub received: u64,
    pub invalid: u64,
}

/// One payload with findings, as the Live section shows it.
#[derive(Debug, Clone)]
pub struct Newest {
    pub received_at: String,
    pub contract: String,
    /// `file:line` of the capture.
    pub capture: String,
    pub request_id: String,
    pub findings: Vec<Shown>,
    /// Findings beyond those listed.
    pub more: u64,
    pub excerpt: String,
}

#[derive(Default)]
pub struct Live {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    tallies: BTreeMap<String, Tally>,
    newest: VecDeque<Newest>,
}

/// A finding as the workspace shows it.
#[derive(Debug, Clone)]
pub struct Shown {
    pub kind: String,
    pub pointer: String,
    /// The value as sent, redacted as `check` redacts it; empty when there is none.
    pub value: String,
    pub expected: String,
}

/// What a recorded payload was, for [`Live::record`].
pub struct Seen<'a> {
    pub checker: &'a Checker,
    pub contract: &'a str,
    pub received_at: String,
    pub capture: String,
    pub request_id: &'a str,
    pub payload: &'a [u8],
    pub findings: &'a [Finding],
    pub unlisted: u64,
}

impl Live {
    pub fn record(&self, seen: Seen<'_>) {
        let invalid = !seen.findings.is_empty() || seen.unlisted > 0;
        // The excerpt is made outside the lock: it parses the payload.
        let newest = invalid.then(|| Newest {
            received_at: seen.received_at,
            contract: seen.contract.to_string(),
            capture: seen.capture,
            request_id: seen.request_id.to_string(),
            findings: seen.findings.iter().take(5).map(shown).collect(),
            more: seen.findings.len().saturating_sub(5) as u64 + seen.unlisted,
            excerpt: excerpt(seen.checker, seen.payload),
        });
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let t = inner.tallies.entry(seen.contract.to_string()).or_default();
        t.received += 1;
        t.invalid += u64::from(invalid);
        if let Some(n) = newest {
            if inner.newest.len() == NEWEST {
                inner.newest.pop_back();
            }
            inner.newest.push_front(n);
        }
    }

    /// Per contract reference, and the newest payloads with findings, newest first.
    pub fn snapshot(&self) -> (BTreeMap<String, Tally>, Vec<Newest>) {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        (
            inner.tallies.clone(),
            inner.newest.iter().cloned().collect(),
        )
    }
}

/// A JSON payload's redacted excerpt; an X12 interchange or a CSV file is not shown (its
/// sensitive values are not found by pointer), only what it is.
fn excerpt(checker: &Checker, payload: &[u8]) -> String {
    let first = payload.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(first, Some(b'{' | b'[')) {
        handoff_reports::triage::review::excerpt(checker, payload)
    } else {
        format!("({} bytes, not JSON: open the capture file)", payload.len())
    }
}

/// A finding's value as `check` shows it: redacted ones by their description, others with card
/// numbers masked.
pub(crate) fn shown(f: &Finding) -> Shown {
    let value = if f.redacted {
        f.sensitive.clone().unwrap_or_else(|| "(redacted)".into())
    } else {
        f.value
            .as_deref()
            .map(|v| handoff_core::redact::mask_card_numbers(v).into_owned())
            .unwrap_or_default()
    };
    Shown {
        kind: f.kind.id().to_string(),
        pointer: f.pointer.clone(),
        value,
        expected: f.expected.clone(),
    }
}
