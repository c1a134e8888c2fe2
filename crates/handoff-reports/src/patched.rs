//! Whole-file writes: a synced temporary file beside the target, renamed onto it, so a crash or
//! a full disk leaves the old file whole ([`write_replacing`], [`write_new`]; the binary's
//! baselines, drafts, manual pages and `init` write through them too).
//!
//! And writing repaired payloads back into the file they came from ([`write()`]): each patch
//! applied to the payload's own text, every other byte of the file as it was (other lines, line
//! breaks, member order, spellings), a hard link elsewhere keeping the old content. Nothing is
//! written if the file changed since it was read, nor through a symbolic link. `handoff repair
//! --write` and an approved review proposal both write through here.

use handoff_core::repair::{self, Fix};
use handoff_core::{escape, input};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// One repaired payload of a file: its NDJSON line (`None` for a whole JSON file), the fixes
/// and the payload with them applied.
pub type Repaired<'a> = (Option<u64>, &'a [Fix], &'a Value);

/// Write `repaired` into `path`, whose content was `original` when the payloads were read.
/// The error says why nothing was written.
pub fn write(
    path: &Path,
    original: &[u8],
    ndjson: bool,
    repaired: &[Repaired<'_>],
) -> Result<(), String> {
    if repaired.is_empty() {
        return Ok(());
    }
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err("it is a symbolic link; handoff does not write repairs through links".into());
    }
    let out = patched_text(original, ndjson, repaired)?;
    let temp = temp_beside(path, out.as_bytes()).map_err(|e| {
        format!(
            "cannot write the repaired file beside it in {}: {e}",
            escape::text(&dir_of(path).display().to_string())
        )
    })?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(temp.path(), meta.permissions());
    }
    // Compare what is there now with what was read, as late as possible: a record written
    // meanwhile must not be overwritten by a repair of the old text.
    let now = input::read_bytes(path, input::MAX_FILE_BYTES)
        .map_err(|e| format!("cannot read it again before writing: {e}"))?;
    if now != original {
        return Err(
            "it changed since it was read (another process wrote to it); run repair again".into(),
        );
    }
    temp.persist(path)
        .map_err(|e| format!("cannot replace it: {}", e.error))?;
    Ok(())
}

/// Write `bytes` to `path` whole or not at all: into a temporary file beside it, synced, then
/// renamed over it (keeping its permissions), so a crash or a full disk never leaves a
/// half-written file where the last good one was.
pub fn write_replacing(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temp = temp_beside(path, bytes)?;
    if let Ok(meta) = std::fs::metadata(path) {
        std::fs::set_permissions(temp.path(), meta.permissions())?;
    }
    temp.persist(path).map(drop).map_err(|e| e.error)
}

/// Create `path` with `bytes`, whole or not at all, never over an existing file (one that
/// appears meanwhile included): `AlreadyExists`. The file is readable by its owner only.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    temp_beside(path, bytes)?
        .persist_noclobber(path)
        .map(drop)
        .map_err(|e| e.error)
}

fn dir_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// `bytes` in a synced temporary file (0600) in `path`'s directory, to be renamed onto it.
fn temp_beside(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let mut temp = tempfile::Builder::new()
        .prefix(".handoff-")
        .tempfile_in(dir_of(path))?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    Ok(temp)
}

/// The file's text with every repair applied in place.
fn patched_text(
    original: &[u8],
    ndjson: bool,
    repaired: &[Repaired<'_>],
) -> Result<String, String> {
    let text = std::str::from_utf8(original).map_err(|_| "it is not UTF-8 text".to_string())?;
    let mut out = String::with_capacity(text.len());
    if ndjson {
        let mut next = repaired.iter().peekable();
        for (i, piece) in text.split_inclusive('\n').enumerate() {
            let n = i as u64 + 1;
            match next.peek() {
                Some((Some(line), fixes, payload)) if *line == n => {
                    let body = piece.trim_end_matches(['\n', '\r']);
                    out.push_str(
                        &repair::apply_to_text(body, fixes, payload)
                            .map_err(|e| format!("line {n}: {e}"))?,
                    );
                    out.push_str(&piece[body.len()..]);
                    next.next();
                }
                _ => out.push_str(piece),
            }
        }
        if let Some((line, _, _)) = next.next() {
            return Err(format!("it has no line {} any more", line.map_or(0, |n| n)));
        }
    } else {
        let (_, fixes, payload) = repaired[0];
        // A byte order mark stays where it was.
        let body = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        out.push_str(&text[..text.len() - body.len()]);
        out.push_str(&repair::apply_to_text(body, fixes, payload)?);
    }
    Ok(out)
}

/// The payload at `line` of an NDJSON text (1-based, without its line break), or the whole
/// text without a byte order mark when `line` is `None`.
pub fn payload_at(original: &[u8], line: Option<u64>) -> Option<&[u8]> {
    match line {
        None => Some(handoff_core::check::without_bom(original)),
        Some(n) => original
            .split_inclusive(|b| *b == b'\n')
            .nth(n.checked_sub(1)? as usize)
            .map(|l| {
                let mut end = l.len();
                while end > 0 && matches!(l[end - 1], b'\n' | b'\r') {
                    end -= 1;
                }
                &l[..end]
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_found_without_its_line_break() {
        let text = b"{\"a\":1}\r\n{\"b\":2}\n{\"c\":3}";
        assert_eq!(payload_at(text, Some(1)), Some(&b"{\"a\":1}"[..]));
        assert_eq!(payload_at(text, Some(3)), Some(&b"{\"c\":3}"[..]));
        assert_eq!(payload_at(text, Some(4)), None);
        assert_eq!(payload_at(text, Some(0)), None);
        assert_eq!(payload_at(b"\xEF\xBB\xBF{}", None), Some(&b"{}"[..]));
    }
}
