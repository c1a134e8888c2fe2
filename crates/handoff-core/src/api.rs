//! The embedding surface: load a contract from a file, a registry reference or text, and get a
//! [`Checker`] whose findings are safe to report.
//!
//! Every way of loading runs what `handoff lint` runs, so a contract the command line would
//! refuse is refused here too, with the same diagnostics.

use crate::check::Checker;
use crate::diagnostic::Diagnostic;
use crate::finding::PayloadResult;
use crate::input::Shape;
use crate::redact::Redact;
use crate::registry::{Registry, ResolveError};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a contract could not be loaded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Error {
    /// The contract has errors: each with its file, line, column, code and message, as
    /// `handoff lint` reports them (warnings included, for context).
    Contract {
        /// Every diagnostic, sorted by position; at least one is an error.
        diagnostics: Vec<Diagnostic>,
    },
    /// A registry reference (`id`, `id@version`, `id@^2`) names no contract file.
    Reference(ResolveError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Contract { diagnostics } => {
                let errors = diagnostics.iter().filter(|d| d.is_error()).count();
                write!(
                    f,
                    "the contract has {errors} error{}",
                    if errors == 1 { "" } else { "s" }
                )?;
                for d in diagnostics {
                    write!(f, "\n{d}")?;
                }
                Ok(())
            }
            Error::Reference(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

fn ready(
    (checker, diagnostics): (Option<Checker>, Vec<Diagnostic>),
    redact: Redact,
) -> Result<Checker, Error> {
    match checker {
        Some(checker) => Ok(checker.with_redaction(redact)),
        None => Err(Error::Contract { diagnostics }),
    }
}

/// Load the contract file at `path`. Findings follow `redact` (card numbers are masked under
/// every policy).
///
/// ```
/// use handoff_core::{Redact, load};
/// # std::env::set_current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).unwrap();
///
/// let checker = load("contracts/storefront-order-to-erp/2.0.0.yaml".as_ref(), Redact::Sensitive)?;
/// assert_eq!(checker.contract().id, "storefront-order-to-erp");
/// # Ok::<(), handoff_core::Error>(())
/// ```
pub fn load(path: &Path, redact: Redact) -> Result<Checker, Error> {
    ready(crate::lint::prepare(path), redact)
}

/// Load the contract a registry reference names (`id`, `id@2.0.0`, `id@^2`, or a file path)
/// from the registry directory `contracts`, as `handoff check --contract` does.
///
/// ```
/// use handoff_core::{Redact, load_reference};
/// # std::env::set_current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).unwrap();
///
/// let checker = load_reference("contracts".as_ref(), "storefront-order-to-erp@^2", Redact::Sensitive)?;
/// assert_eq!(checker.contract().version.major, 2);
///
/// let unknown = load_reference("contracts".as_ref(), "storefront-order-to-rep", Redact::Sensitive);
/// assert!(unknown.unwrap_err().to_string().contains("storefront-order-to-erp"));
/// # Ok::<(), handoff_core::Error>(())
/// ```
pub fn load_reference(contracts: &Path, reference: &str, redact: Redact) -> Result<Checker, Error> {
    load(&resolve_reference(contracts, reference)?, redact)
}

/// The contract file a reference names in the registry `contracts` (a path reference is
/// relative to the registry's parent directory), without loading it: what a long-running
/// caller looks at to see whether the contract changed (`handoff serve` does).
///
/// ```
/// use handoff_core::resolve_reference;
/// # std::env::set_current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).unwrap();
/// let file = resolve_reference("contracts".as_ref(), "storefront-order-to-erp@^2")?;
/// assert!(file.ends_with("storefront-order-to-erp/2.0.0.yaml"));
/// # Ok::<(), handoff_core::Error>(())
/// ```
pub fn resolve_reference(contracts: &Path, reference: &str) -> Result<PathBuf, Error> {
    let base = contracts.parent().unwrap_or(Path::new(""));
    let path: PathBuf = Registry::new(contracts)
        .resolve(reference, base)
        .map_err(Error::Reference)?;
    Ok(if crate::registry::is_path_reference(reference) {
        base.join(path)
    } else {
        path
    })
}

/// Load a contract from its text; `name` is the file name its diagnostics and findings cite.
///
/// ```
/// use handoff_core::{Redact, load_text};
///
/// let text = "contract: orders\nversion: 1.0.0\nboundary: {from: storefront, to: erp, transport: webhook}\nfields:\n  order_id: {type: string, required: true}\n";
/// let checker = load_text("orders.yaml", text, Redact::Sensitive)?;
///
/// let findings = checker.check(br#"{"order_id": 5}"#);
/// assert_eq!(findings[0].kind.id(), "wrong_type");
/// assert_eq!(findings[0].pointer, "/order_id");
/// assert_eq!(findings[0].value.as_deref(), Some("5"));
///
/// let broken = load_text("orders.yaml", "contract: orders\n", Redact::Sensitive).unwrap_err();
/// assert!(broken.to_string().starts_with("the contract has"));
/// # Ok::<(), handoff_core::Error>(())
/// ```
pub fn load_text(name: &str, text: &str, redact: Redact) -> Result<Checker, Error> {
    ready(crate::lint::prepare_text(Path::new(name), text), redact)
}

impl Checker {
    /// Check every payload a stream holds, in order, calling `each` with each payload's result:
    /// its source (`name`, and the NDJSON line, X12 set or CSV row it came from), the contract,
    /// and its findings (empty when it conforms). `shape` says how the stream is cut into
    /// payloads: one JSON document, NDJSON lines, X12 transaction sets, CSV rows (read as the
    /// contract's `csv:` section says; a `.tsv` name means tabs). A payload that cannot be read
    /// (invalid JSON, a line over 64 MiB, a broken X12 envelope) is a result with a finding
    /// saying why, and the next one is read: nothing stops the stream early. Returns how many
    /// payloads were read. Findings follow the checker's redaction policy.
    ///
    /// ```
    /// use handoff_core::{Redact, Shape, load_reference};
    /// # std::env::set_current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).unwrap();
    ///
    /// let checker = load_reference("contracts".as_ref(), "wms-inventory-to-erp", Redact::Sensitive)?;
    /// let csv = "sku,location,upc,uom,on_hand,allocated,available,unit_cost,counted_at\n\
    ///            TEE-10442,DC01-A12-03,012345678905,EA,120,20,100,6.4125,2026-11-21T02:00:00Z\n\
    ///            TEE-10443,DC01-A12-04,012345678912,EA,1,250,48,6.4125,2026-11-22T02:00:00Z\n";
    /// let mut failing = Vec::new();
    /// let read = checker.check_reader(csv.as_bytes(), Shape::Csv, "snapshot.csv", |result| {
    ///     if !result.findings.is_empty() {
    ///         failing.push(format!("{} {}", result.source, result.findings[0].kind.id()));
    ///     }
    /// });
    /// assert_eq!(read, 2);
    /// assert_eq!(failing, ["snapshot.csv:3 comparison_failed"]); // 250 allocated of 1 on hand
    /// # Ok::<(), handoff_core::Error>(())
    /// ```
    pub fn check_reader(
        &self,
        reader: impl Read,
        shape: Shape,
        name: &str,
        mut each: impl FnMut(PayloadResult),
    ) -> u64 {
        crate::run::check_reader(
            self,
            reader,
            shape,
            name,
            crate::run::DEFAULT_MAX_PAYLOAD_BYTES,
            &mut each,
        )
    }
}
