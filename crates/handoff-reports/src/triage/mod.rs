//! Exception triage: which recurring exceptions in an operations team's manual-review queue are
//! integration problems (a schema mismatch at a boundary: fix the contract or the mapping) and
//! which are process problems (the data arrived fine, but no rule says what happens next), and
//! which fix goes first. See docs/triage.md (to come with the command).
//!
//! So far (the library; the `handoff triage` command, its mapping in handoff.yaml, the reports
//! and the example log come next): reading exception logs ([`log`]), signatures and patterns
//! with their cost and weekly counts ([`patterns`]), the five-point framework with its decision
//! flow ([`framework`]), and a run that checks every exception's payload against its contract
//! and accounts for every row ([`run`]).

pub mod decisions;
pub mod framework;
pub mod log;
pub mod mapping;
pub mod patterns;
pub mod run;
pub mod store;
