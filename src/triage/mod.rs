//! Exception triage: which recurring exceptions in an operations team's manual-review queue are
//! integration problems (a schema mismatch at a boundary: fix the contract or the mapping) and
//! which are process problems (the data arrived fine, but no rule says what happens next), and
//! which fix goes first. See docs/triage.md (to come with the command).
//!
//! This first part reads exception logs ([`log`]); grouping into patterns, the five-point
//! framework and the `handoff triage` command build on it.

pub mod log;
