//! Bounded reads of the files the tool needs whole (a contract, the project file, a baseline):
//! the lowest layer, used by the contract reader and the YAML loader as well as by inputs.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Read a whole file the tool needs (a baseline, the project file, a contract, a payload named
/// to `which`), refusing more than `limit` bytes, so `/dev/zero` or a runaway file is a clear
/// error rather than memory exhaustion.
pub fn read_bytes(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(io::Error::other("is a directory"));
    }
    let mut buf = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(io::Error::other(format!(
            "larger than the {limit}-byte limit"
        )));
    }
    Ok(buf)
}

/// [`read_bytes`] for a file that must be UTF-8 text.
pub fn read_text(path: &Path, limit: u64) -> io::Result<String> {
    String::from_utf8(read_bytes(path, limit)?).map_err(|e| {
        io::Error::other(format!(
            "not UTF-8 text (byte {} is invalid)",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Largest contract, project file or baseline the tool reads.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
