//! What a running receiver needs, resolved: the command line and `serve:` in handoff.yaml are
//! merged by the caller; secrets are already read from the environment.

use handoff_core::Redact;
pub use handoff_reports::serve_section::Rotate;
use std::net::SocketAddr;
use std::path::PathBuf;

/// A receiver's settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    /// The contract registry.
    pub contracts: PathBuf,
    /// Captures go to `<capture_dir>/<contract-id>/`.
    pub capture_dir: PathBuf,
    pub rotate: Rotate,
    /// Answer `422` instead of `202` for a payload with findings.
    pub reject_invalid: bool,
    pub max_payload_bytes: usize,
    /// Requests handled at once; more get `503`.
    pub max_concurrent: usize,
    /// Records waiting for the disk; more get `503`.
    pub queue: usize,
    /// Sync every batch before answering (a `202` then survives a power loss).
    pub fsync: bool,
    /// The bearer token every request must carry, when set.
    pub token: Option<String>,
    pub signatures: Vec<crate::signature::Signature>,
    /// How findings in replies show values (as `handoff check --redact`).
    pub redact: Redact,
    /// The review workspace at `GET /`; without it the receiver serves captures only.
    pub workspace: Option<crate::workspace::Workspace>,
}

impl Settings {
    /// Defaults for a receiver on `listen` with the registry `contracts`.
    pub fn new(listen: SocketAddr, contracts: PathBuf) -> Settings {
        Settings {
            listen,
            contracts,
            capture_dir: PathBuf::from("captures"),
            rotate: Rotate::Every(std::time::Duration::from_secs(3600)),
            reject_invalid: false,
            max_payload_bytes: 1 << 20,
            max_concurrent: 512,
            queue: 8192,
            fsync: false,
            token: None,
            signatures: Vec::new(),
            redact: Redact::Sensitive,
            workspace: None,
        }
    }
}
