//! handoff-core: integration contracts, loaded and checked.
//!
//! Data flows one way through the modules:
//! [`contract`] (load, parse, check into a typed model) -> [`compile`] (to JSON Schema) ->
//! [`check`], [`diff`] and [`lint`] (findings, changes and diagnostics as typed values).
//! The reports built on them (triage, reconcile) and every renderer live in `handoff-reports`;
//! the command line in the `handoff` package. This crate never prints and never exits, and it
//! depends on no terminal, argument parser or database, so anything can embed it.

pub mod baseline;
pub mod check;
pub mod compile;
pub mod contract;
pub mod decimal;
pub mod diagnostic;
pub mod diff;
pub mod engine;
pub mod escape;
pub mod explain;
pub mod export;
pub mod file;
pub mod finding;
pub mod flat;
pub mod format;
pub mod history;
pub mod import;
pub mod input;
pub mod lint;
pub mod partner;
pub mod pointer;
pub mod reach;
pub mod redact;
pub mod registry;
pub mod repair;
pub mod report;
pub mod run;
pub mod span;
pub mod text_index;
pub mod typing;
pub mod x12;
pub mod yaml;
