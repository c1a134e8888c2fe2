//! Exception triage: which recurring exceptions in an operations team's manual-review queue are
//! integration problems (a schema mismatch at a boundary: fix the contract or the mapping) and
//! which are process problems (the data arrived fine, but no rule says what happens next), and
//! which fix goes first (docs/triage.md).
//!
//! Data flows one way: exception logs are read through their column mapping ([`log`],
//! [`mapping`]); a run checks every exception's payload against its contract and accounts for
//! every row ([`run`]); signatures group them into patterns with their cost and weekly counts
//! ([`patterns`]); the five-point framework decides each error code ([`framework`]); the
//! review's decisions ([`decisions`]) and the history database ([`store`]) add what was decided
//! and what was seen before; [`report`] ranks it all and renders it in every format. Repairs
//! for binary patterns wait behind the review gate ([`review`]), whose decisions feed each
//! pattern's feedback rates back into the report.

pub mod decisions;
pub mod framework;
pub mod log;
pub mod mapping;
pub mod patterns;
pub mod report;
pub mod review;
pub mod run;
pub mod store;
