//! The Python package `handoff`: a contract loaded by handoff-core, payloads checked against
//! it. Findings obey the redaction the contract was loaded with (`sensitive` by default; card
//! numbers always masked), exactly as the command line reports them. Checking releases the GIL;
//! `check_many` checks on every core. A Rust panic becomes a Python exception (PyO3's
//! `PanicException`), never an abort of the interpreter.

use handoff_core::{Checker, Redact};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

// Checking builds a JSON tree per payload, many small allocations on every thread: the
// command line's allocator keeps the package at its speed. Only Rust's allocations use it;
// every Python object keeps Python's allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pyo3::create_exception!(
    _handoff,
    ContractError,
    PyValueError,
    "A contract that does not load: its message is the diagnostics `handoff lint` prints."
);

/// One violation in one payload, as `handoff check --format json` reports it.
#[pyclass(frozen, get_all, module = "handoff")]
#[derive(Clone)]
struct Finding {
    /// The violation kind's stable ID (`unknown_enum_value`; `handoff kinds` lists them).
    kind: String,
    /// RFC 6901 JSON Pointer of the value (`/line_items/0/sku`).
    pointer: String,
    /// The value exactly as sent (JSON text), or None when there is none or it is redacted.
    value: Option<String>,
    /// What is wrong, in one sentence.
    message: String,
    /// What the contract expects instead.
    expected: String,
    /// The likely fix, when there is one.
    suggestion: Option<String>,
    /// 1-based line of the value in the payload text.
    line: Option<u64>,
    /// 1-based column of the value in the payload text.
    column: Option<u64>,
    /// The contract file and line that declare the broken rule (`path:line:column`).
    contract_line: Option<String>,
    /// Whether the value is hidden (a `sensitive` field, or `redact="all"`).
    redacted: bool,
    /// The finding as one JSON object, the shape of `handoff check --format json`.
    json: String,
}

#[pymethods]
impl Finding {
    fn __repr__(&self) -> String {
        format!(
            "Finding(kind={:?}, pointer={:?}, message={:?})",
            self.kind, self.pointer, self.message
        )
    }

    /// The finding as a dict (the JSON report's object for it).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let json = py.import("json")?;
        json.call_method1("loads", (self.json.as_str(),))
    }
}

impl Finding {
    fn of(f: &handoff_core::Finding) -> Finding {
        Finding {
            kind: f.kind.id().to_string(),
            pointer: f.pointer.clone(),
            value: f.value.clone(),
            message: f.message.clone(),
            expected: f.expected.clone(),
            suggestion: f.suggestion.clone(),
            line: f.position.as_ref().map(|p| p.line),
            column: f.position.as_ref().map(|p| p.column),
            contract_line: f.contract_location.as_ref().map(|c| c.to_string()),
            redacted: f.redacted,
            json: serde_json::to_string(f).unwrap_or_default(),
        }
    }
}

/// A contract, loaded and compiled once, checking payloads.
#[pyclass(frozen, module = "handoff")]
struct Contract {
    checker: Arc<Checker>,
}

fn redaction(name: &str) -> PyResult<Redact> {
    Redact::CHOICES
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|(_, r, _)| *r)
        .ok_or_else(|| {
            let names: Vec<&str> = Redact::CHOICES.iter().map(|(n, ..)| *n).collect();
            PyValueError::new_err(format!(
                "redact={name:?} is not a policy; use one of: {}",
                names.join(", ")
            ))
        })
}

fn loaded(result: Result<Checker, handoff_core::Error>) -> PyResult<Contract> {
    result
        .map(|checker| Contract {
            checker: Arc::new(checker),
        })
        .map_err(|e| ContractError::new_err(e.to_string()))
}

/// A payload's bytes: `bytes`, `bytearray`, `memoryview` of bytes, or `str` (as UTF-8).
/// A payload's bytes: borrowed from an immutable `bytes` or `str` (whose UTF-8 form Python
/// keeps), copied from anything mutable (`bytearray`, `memoryview`), which another thread
/// could change while the GIL is released.
fn payload_bytes<'a>(payload: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(b) = payload.cast::<PyBytes>() {
        return Ok(Cow::Borrowed(b.as_bytes()));
    }
    if let Ok(s) = payload.cast::<PyString>() {
        return Ok(Cow::Borrowed(s.to_str()?.as_bytes()));
    }
    if let Ok(b) = payload.cast::<PyByteArray>() {
        return Ok(Cow::Owned(b.to_vec()));
    }
    if let Ok(v) = payload.extract::<Vec<u8>>() {
        return Ok(Cow::Owned(v));
    }
    Err(PyTypeError::new_err(format!(
        "a payload is bytes or str, not {}",
        payload.get_type().name()?
    )))
}

#[pymethods]
impl Contract {
    /// Load a contract by registry reference (`id`, `id@2.0.0`, `id@^2`) from the registry
    /// directory `contracts`, or from a file path, as `handoff check --contract` does.
    #[staticmethod]
    #[pyo3(signature = (reference, contracts = None, redact = "sensitive"))]
    fn load(
        py: Python<'_>,
        reference: &str,
        contracts: Option<PathBuf>,
        redact: &str,
    ) -> PyResult<Contract> {
        let redact = redaction(redact)?;
        let contracts = contracts.unwrap_or_else(|| PathBuf::from("contracts"));
        let reference = reference.to_string();
        loaded(py.detach(|| handoff_core::load_reference(&contracts, &reference, redact)))
    }

    /// Load a contract from its YAML text; `name` is the file its findings and diagnostics
    /// cite. This is how a contract reaches Spark executors: by text, not by a path they may
    /// not have.
    #[staticmethod]
    #[pyo3(signature = (text, name = "contract.yaml", redact = "sensitive"))]
    fn from_text(py: Python<'_>, text: &str, name: &str, redact: &str) -> PyResult<Contract> {
        let redact = redaction(redact)?;
        let (text, name) = (text.to_string(), name.to_string());
        loaded(py.detach(|| handoff_core::load_text(&name, &text, redact)))
    }

    /// The contract's id (`storefront-order-to-erp`).
    #[getter]
    fn id(&self) -> String {
        self.checker.contract().id.clone()
    }

    /// The contract's version (`2.0.0`).
    #[getter]
    fn version(&self) -> String {
        self.checker.contract().version.to_string()
    }

    /// `id@version`.
    #[getter]
    fn reference(&self) -> String {
        self.checker.contract().reference()
    }

    /// The contract's YAML text, as loaded.
    #[getter]
    fn text(&self) -> String {
        self.checker.contract().source.text.to_string()
    }

    /// The file the contract was loaded from (or the name given with its text).
    #[getter]
    fn path(&self) -> String {
        self.checker.contract().source.path.display().to_string()
    }

    /// The redaction policy its findings follow: `none`, `sensitive` or `all`.
    #[getter]
    fn redact(&self) -> &'static str {
        let policy = self.checker.redaction();
        Redact::CHOICES
            .iter()
            .find(|(_, r, _)| *r == policy)
            .map_or("sensitive", |(n, ..)| *n)
    }

    /// Check one payload (`bytes` or `str`): its findings, empty when it conforms.
    fn check(&self, py: Python<'_>, payload: &Bound<'_, PyAny>) -> PyResult<Vec<Finding>> {
        let bytes = payload_bytes(payload)?;
        let checker = &self.checker;
        Ok(py.detach(|| checker.check(&bytes).iter().map(Finding::of).collect()))
    }

    /// Check many payloads on `jobs` threads (every core by default), with the GIL released:
    /// one list of findings per payload, in order.
    #[pyo3(signature = (payloads, jobs = None))]
    fn check_many(
        &self,
        py: Python<'_>,
        payloads: &Bound<'_, PyAny>,
        jobs: Option<usize>,
    ) -> PyResult<Vec<Vec<Finding>>> {
        // The payload objects stay alive (and `bytes`/`str` unchanged) while their bytes are
        // read without the GIL.
        let objects = payloads.try_iter()?.collect::<PyResult<Vec<_>>>()?;
        let all = objects
            .iter()
            .map(payload_bytes)
            .collect::<PyResult<Vec<_>>>()?;
        let jobs = jobs
            .unwrap_or_else(handoff_core::run::default_jobs)
            .clamp(1, all.len().max(1));
        let checker = &self.checker;
        Ok(py.detach(|| check_parallel(checker, &all, jobs)))
    }

    /// Check every value of an Arrow column: a string, large_string, string_view, binary,
    /// large_binary or binary_view array, a chunked array, or any object with
    /// `__arrow_c_array__` / `__arrow_c_stream__` (pyarrow, Polars, DuckDB). Returns a pyarrow
    /// RecordBatch with one row per value: `valid` (bool), `violations` (int32), `kinds`
    /// (list<string>, each kind once, in order) and `findings` (string: the JSON array of the
    /// findings, as `--format json` writes them). A null is a payload of its own that could
    /// not be read (`unreadable`). Signed types only, so Spark takes the batch as it is.
    #[pyo3(signature = (data, jobs = None))]
    fn check_arrow<'py>(
        &self,
        py: Python<'py>,
        data: pyo3_arrow::input::AnyArray,
        jobs: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let batch = self.check_arrow_batch(py, data, jobs)?;
        pyo3_arrow::PyRecordBatch::new(batch).into_pyarrow(py)
    }

    fn __repr__(&self) -> String {
        format!("Contract({:?})", self.checker.contract().reference())
    }
}

impl Contract {
    fn check_arrow_batch(
        &self,
        py: Python<'_>,
        data: pyo3_arrow::input::AnyArray,
        jobs: Option<usize>,
    ) -> PyResult<arrow_array::RecordBatch> {
        let chunked = data
            .into_chunked_array()
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let (chunks, field) = chunked.into_inner();
        let checker = &self.checker;
        py.detach(|| {
            let mut values: Vec<Option<&[u8]>> = Vec::new();
            for chunk in &chunks {
                arrow::values(chunk.as_ref(), &mut values).map_err(|t| {
                    let name = match field.name().as_str() {
                        "" => String::new(),
                        name => format!(" `{name}`"),
                    };
                    format!(
                        "check_arrow checks a column of JSON documents as strings or bytes; the column{name} holds {t} values"
                    )
                })?;
            }
            let jobs = jobs
                .unwrap_or_else(handoff_core::run::default_jobs)
                .clamp(1, values.len().max(1));
            Ok::<_, String>(arrow::results(checker, &values, jobs))
        })
        .map_err(PyTypeError::new_err)
    }
}

/// Each payload's findings, in order, checked in `jobs` contiguous chunks.
fn check_parallel(checker: &Checker, payloads: &[Cow<'_, [u8]>], jobs: usize) -> Vec<Vec<Finding>> {
    in_parallel(payloads, jobs, |p| {
        checker.check(p).iter().map(Finding::of).collect()
    })
}

/// `each` of `items`, in order, on `jobs` threads over contiguous chunks.
fn in_parallel<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    each: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let chunk = items.len().div_ceil(jobs.max(1)).max(1);
    let each = &each;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(each).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

mod arrow;

/// Whether `text` names a file rather than a registry entry, as the command line decides.
#[pyfunction]
fn is_path_reference(text: &str) -> bool {
    handoff_core::registry::is_path_reference(text) || Path::new(text).is_file()
}

#[pymodule]
fn _handoff(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Contract>()?;
    m.add_class::<Finding>()?;
    m.add("ContractError", m.py().get_type::<ContractError>())?;
    m.add_function(wrap_pyfunction!(is_path_reference, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
