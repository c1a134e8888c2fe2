//! handoff-core: integration contracts, loaded and checked.
//!
//! Data flows one way through the modules:
//! [`contract`] (load, parse, check into a typed model) -> [`compile`] (to JSON Schema) ->
//! [`check`], [`diff`] and [`lint`] (findings, changes and diagnostics as typed values).
//! The reports built on them (triage, reconcile) and every renderer live in `handoff-reports`;
//! the command line in the `handoff` package. This crate never prints and never exits, and it
//! depends on no terminal, argument parser or database, so anything can embed it.
//!
//! The API is what this page lists: [`load`], [`load_reference`] or [`load_text`] give a
//! [`Checker`] whose redaction policy is fixed when it is loaded, so every [`Finding`] it
//! returns is safe to report; [`Checker::check`] checks one payload's bytes, and
//! [`Checker::check_reader`] every payload of a stream (NDJSON lines, X12 transaction sets,
//! CSV rows: a [`Shape`]), each as a [`PayloadResult`] with its source. A contract that
//! cannot be loaded is an [`Error`] carrying the diagnostics `handoff lint` prints.
//! [`resolve_reference`] names the file a reference resolves to, for a long-running caller
//! that reloads a contract when its file changes.
//!
//! ```
//! # std::env::set_current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).unwrap();
//! let checker = handoff_core::load_reference(
//!     "contracts".as_ref(),
//!     "payment-status-to-storefront@^2",
//!     handoff_core::Redact::Sensitive,
//! )?;
//! let findings = checker.check(br#"{"payment_id": 1}"#);
//! for f in &findings {
//!     println!("{} {}: {}", f.kind.id(), f.pointer, f.message);
//! }
//! assert!(!findings.is_empty());
//! # Ok::<(), handoff_core::Error>(())
//! ```
//!
//! The modules below the API (hidden from these docs) are shared with handoff's own crates
//! (`handoff-reports`, the command line) and may change between releases.

#![deny(missing_docs)]

mod api;
pub use api::{Error, load, load_reference, load_text, resolve_reference};
pub use baseline::Baseline;
pub use check::Checker;
pub use finding::{
    ContractLocation, CsvLocation, Finding, Kind, PayloadResult, PayloadSource, TextPosition,
    X12Location,
};
pub use gate::Gate;
pub use input::Shape;
pub use redact::Redact;
pub use report::{FailOn, Outcome, Summary};

#[doc(hidden)]
pub mod baseline;
#[doc(hidden)]
pub mod check;
#[doc(hidden)]
pub mod compile;
#[doc(hidden)]
pub mod contract;
#[doc(hidden)]
pub mod decimal;
#[doc(hidden)]
pub mod diagnostic;
#[doc(hidden)]
pub mod diff;
#[doc(hidden)]
pub mod engine;
#[doc(hidden)]
pub mod escape;
#[doc(hidden)]
pub mod explain;
#[doc(hidden)]
pub mod export;
#[doc(hidden)]
pub mod file;
#[doc(hidden)]
pub mod finding;
#[doc(hidden)]
pub mod flat;
#[doc(hidden)]
pub mod format;
#[doc(hidden)]
pub mod gate;
#[doc(hidden)]
pub mod history;
#[doc(hidden)]
pub mod import;
#[doc(hidden)]
pub mod infer;
#[doc(hidden)]
pub mod input;
#[doc(hidden)]
pub mod lint;
#[doc(hidden)]
pub mod native;
#[doc(hidden)]
pub mod partner;
#[doc(hidden)]
pub mod pointer;
#[doc(hidden)]
pub mod propose;
#[doc(hidden)]
pub mod reach;
#[doc(hidden)]
pub mod redact;
#[doc(hidden)]
pub mod registry;
#[doc(hidden)]
pub mod repair;
#[doc(hidden)]
pub mod report;
#[doc(hidden)]
pub mod run;
#[doc(hidden)]
pub mod span;
#[doc(hidden)]
pub mod text_index;
#[doc(hidden)]
pub mod typing;
#[doc(hidden)]
pub mod x12;
#[doc(hidden)]
pub mod yaml;
