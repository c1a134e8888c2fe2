//! handoff: integration contract validator.
//!
//! Data flows one way through the modules:
//! [`contract`] (load, parse, check into a typed model) -> [`compile`] (to JSON Schema) ->
//! [`check`] and [`lint`] (produce findings and diagnostics) -> [`printer`] (text, JSON).
//! The library never prints and never exits: it returns structured results, and only the
//! `handoff` binary decides what to show and which exit code to use.

pub mod baseline;
pub mod check;
pub mod compile;
pub mod config;
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
pub mod printer;
pub mod reach;
pub mod reconcile;
pub mod redact;
pub mod registry;
pub mod repair;
pub mod report;
pub mod run;
pub mod span;
pub mod text_index;
pub mod triage;
pub mod typing;
pub mod x12;
pub mod yaml;
