//! handoff-reports: what is built on the core and shown to people.
//!
//! [`triage`] (which recurring exceptions are integration problems, and what to fix first),
//! [`reconcile`] (one entity's truth across systems), the history database those and `check`
//! share ([`triage::store`]), the project file `handoff.yaml` ([`config`]) and every report's
//! renderers: check's and diff's in [`printer`], triage's in [`triage::report`], reconcile's in
//! [`reconcile::render`], all over one format type, [`printer::Format`]. Structured results
//! in, text out: it never prints and never exits; the `handoff` binary picks what to show and
//! the exit code.

pub mod config;
pub mod patched;
pub mod printer;
pub mod reconcile;
pub mod serve_section;
pub mod triage;
