//! Payload inputs: files, directories, globs and standard input, and reading payloads from them.
//!
//! Arguments expand to a sorted, de-duplicated list of [`Input`]s. Reading yields one
//! [`Payload`] per JSON file or per NDJSON line; NDJSON is streamed through a fixed-size buffer,
//! so memory stays flat however large the file, and an over-long line is skipped (and reported)
//! without ever being held in memory whole.

use globset::GlobBuilder;
use std::collections::HashSet;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One place payloads come from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Input {
    File(PathBuf),
    Stdin,
}

impl Input {
    /// How findings name this input.
    pub fn display(&self) -> String {
        match self {
            Input::File(path) => path.display().to_string(),
            Input::Stdin => "-".to_string(),
        }
    }
}

/// How to split an input into payloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Framing {
    /// By extension: `.ndjson` and `.jsonl` are NDJSON, `.edi` and `.x12` X12, `.csv` and
    /// `.tsv` CSV, everything else one JSON document.
    #[default]
    Auto,
    Json,
    Ndjson,
    X12,
    Csv,
}

/// What an input holds, decided by the framing and its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One JSON document.
    Json,
    /// One JSON document per line.
    Ndjson,
    /// X12 interchanges: each transaction set is a payload.
    X12,
    /// A flat file: each row is a payload.
    Csv,
}

impl Framing {
    pub fn shape(self, input: &Input) -> Shape {
        match (self, input) {
            (Framing::Json, _) => Shape::Json,
            (Framing::Ndjson, _) => Shape::Ndjson,
            (Framing::X12, _) => Shape::X12,
            (Framing::Csv, _) => Shape::Csv,
            (Framing::Auto, Input::Stdin) => Shape::Json,
            (Framing::Auto, Input::File(path)) => shape_of(path),
        }
    }
}

/// An input's shape by its extension.
pub fn shape_of(path: &Path) -> Shape {
    match extension(path).as_deref() {
        Some("ndjson" | "jsonl") => Shape::Ndjson,
        Some("edi" | "x12") => Shape::X12,
        Some("csv" | "tsv") => Shape::Csv,
        Some("json") => Shape::Json,
        // A name that says nothing (`.txt`, `.dat`, none): an interchange says so itself.
        _ if starts_with_isa(path) => Shape::X12,
        _ => Shape::Json,
    }
}

/// Whether the file's first bytes (after a byte-order mark and layout) are an ISA segment's.
fn starts_with_isa(path: &Path) -> bool {
    let mut head = [0u8; 64];
    let Ok(n) = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)) else {
        return false;
    };
    is_isa(&head[..n])
}

/// Whether `bytes` start (after a byte-order mark and layout) with an ISA segment: how an X12
/// interchange is known on standard input or under a name that says nothing.
fn is_isa(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let head = &head[start..];
    head.starts_with(b"ISA") && head.get(3).is_some_and(|b| !b.is_ascii_alphanumeric())
}

/// The shape of bytes that came without a name (standard input): an X12 interchange by its
/// ISA, NDJSON when the text is not one JSON document but its first line is, else JSON (whose
/// reading then says what is wrong).
pub fn sniff(bytes: &[u8]) -> Shape {
    if is_isa(bytes) {
        return Shape::X12;
    }
    if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
        return Shape::Json;
    }
    let mut lines = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace));
    let first_is_json = lines
        .next()
        .is_some_and(|l| serde_json::from_slice::<serde::de::IgnoredAny>(l).is_ok());
    if first_is_json && lines.next().is_some() {
        Shape::Ndjson
    } else {
        Shape::Json
    }
}

/// The file names a directory of captures is searched for, as messages list them.
pub const PAYLOAD_EXTENSIONS: &str = ".json, .ndjson, .jsonl, .edi, .x12, .csv, .tsv";

/// The extension, lower-cased: exporters on Windows write `ORDER.JSON`.
fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

pub fn is_ndjson_path(path: &Path) -> bool {
    matches!(extension(path).as_deref(), Some("ndjson" | "jsonl"))
}

fn is_payload_path(path: &Path) -> bool {
    matches!(
        extension(path).as_deref(),
        Some("json" | "ndjson" | "jsonl" | "edi" | "x12" | "csv" | "tsv")
    )
}

/// An entry a directory walk passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: SkipReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SkipReason {
    /// Its name starts with a dot.
    Hidden,
    /// A symbolic link to a directory: not followed, since links can form cycles.
    LinkedDirectory,
    /// Not one of [`PAYLOAD_EXTENSIONS`] (in any letter case).
    NotPayload,
    /// Neither a file nor a directory (a socket, a device, a broken link).
    NotFile,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SkipReason::Hidden => "hidden (its name starts with a dot)",
            SkipReason::LinkedDirectory => "a symbolic link to a directory (not followed)",
            SkipReason::NotPayload => {
                return write!(f, "not a payload file ({PAYLOAD_EXTENSIONS})");
            }
            SkipReason::NotFile => "not a regular file",
        })
    }
}

/// An argument that named nothing to read.
#[derive(Debug)]
pub enum InputError {
    NotFound(String),
    /// A directory in which nothing is a payload file.
    Empty(String, Vec<Skipped>),
    NoMatch(String),
    BadGlob(String, String),
    Io(PathBuf, io::Error),
    /// A symbolic link met while walking that leads outside the run's reach: not followed.
    Outside(crate::reach::Outside),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // File names come from directory walks: shown with control characters made visible.
        let text = crate::escape::text;
        match self {
            InputError::NotFound(arg) => {
                let what = match std::fs::symlink_metadata(arg) {
                    Ok(m) if m.file_type().is_symlink() => {
                        "a symbolic link to nothing, or in a loop"
                    }
                    _ => "no such file or directory",
                };
                write!(f, "{}: {what}", text(arg))
            }
            InputError::Empty(arg, skipped) => {
                write!(f, "{}: no payload files in this directory", text(arg))?;
                if !skipped.is_empty() {
                    let mut reasons: Vec<SkipReason> = skipped.iter().map(|s| s.reason).collect();
                    reasons.sort();
                    reasons.dedup();
                    let reasons: Vec<String> = reasons
                        .iter()
                        .map(|r| {
                            let n = skipped.iter().filter(|s| s.reason == *r).count();
                            format!("{n} {r}")
                        })
                        .collect();
                    write!(f, " ({} skipped: {})", skipped.len(), reasons.join("; "))?;
                }
                Ok(())
            }
            InputError::NoMatch(arg) => {
                write!(f, "{}: the pattern matches no payload files", text(arg))
            }
            InputError::BadGlob(arg, why) => {
                write!(f, "{}: not a valid glob pattern: {why}", text(arg))
            }
            InputError::Io(path, err) => {
                write!(f, "{}: {err}", text(&path.display().to_string()))
            }
            InputError::Outside(outside) => write!(f, "{outside}"),
        }
    }
}

/// Expand arguments into inputs. Directories are searched recursively for `.json`, `.ndjson`
/// and `.jsonl` files; an argument with `*`, `?`, `[` or `{` that is not an existing path is a
/// glob. Paths are resolved against `base`, but displayed as written.
///
/// An argument itself is taken as asked for (whoever named it checked it against its own
/// rule); a symbolic link met while walking it is followed only where `reach`, or the walked
/// directory, holds its target.
pub fn expand<A: AsRef<std::ffi::OsStr>>(
    args: &[A],
    base: &Path,
    reach: &crate::reach::Reach,
) -> Expanded {
    // Hashing, not ordering: a directory of 100,000 captures would spend measurable time
    // comparing paths component by component.
    let mut seen = HashSet::new();
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let mut skipped = Vec::new();
    let mut add = |input: Input, inputs: &mut Vec<Input>| {
        if seen.insert(input.clone()) {
            inputs.push(input);
        }
    };
    for arg in args {
        let os = arg.as_ref();
        if os == "-" {
            add(Input::Stdin, &mut inputs);
            continue;
        }
        // A file name need not be UTF-8; only a glob must be.
        let path = PathBuf::from(os);
        let arg = os.to_string_lossy().into_owned();
        let arg = &arg;
        let resolved = base.join(&path);
        if resolved.is_dir() {
            let mut found = Vec::new();
            let mut passed_over = Vec::new();
            walk(
                &Walk {
                    keep: Keep::Payloads,
                    reach: &reach.and(&resolved),
                },
                &resolved,
                &path,
                &mut found,
                &mut passed_over,
                &mut errors,
            );
            if found.is_empty() {
                errors.push(InputError::Empty(arg.clone(), passed_over));
                continue;
            }
            found.sort();
            for file in found {
                add(Input::File(file), &mut inputs);
            }
            skipped.extend(passed_over);
        } else if resolved.exists() {
            add(Input::File(path), &mut inputs);
        } else if arg.contains(['*', '?', '[', '{']) {
            match glob(arg, base, reach, &mut errors) {
                Ok(files) if files.is_empty() => errors.push(InputError::NoMatch(arg.clone())),
                Ok(files) => files
                    .into_iter()
                    .for_each(|f| add(Input::File(f), &mut inputs)),
                Err(err) => errors.push(err),
            }
        } else {
            errors.push(InputError::NotFound(arg.clone()));
        }
    }
    Expanded {
        inputs,
        errors,
        skipped,
    }
}

/// Arguments expanded: the inputs to read, the arguments that named nothing, and what
/// directory walks passed over.
#[derive(Debug)]
pub struct Expanded {
    pub inputs: Vec<Input>,
    pub errors: Vec<InputError>,
    pub skipped: Vec<Skipped>,
}

/// Which files a walk keeps.
#[derive(Clone, Copy)]
enum Keep {
    /// Payload files (`.json`, `.ndjson`, `.jsonl`, `.edi`, `.x12`, `.csv`, `.tsv`): a
    /// directory argument.
    Payloads,
    /// Every file: a glob decides afterwards what matches.
    All,
}

/// How a walk decides what it takes.
struct Walk<'r> {
    keep: Keep,
    /// Where a link to a file may lead.
    reach: &'r crate::reach::Reach,
}

/// Recursively collect files under `dir` (`shown` is the same directory as the user wrote
/// it), sorted by name. Hidden entries are skipped, and so are links to directories (they can
/// form cycles); a link to a file outside the reach is an error, and is not followed.
fn walk(
    how: &Walk<'_>,
    dir: &Path,
    shown: &Path,
    found: &mut Vec<PathBuf>,
    skipped: &mut Vec<Skipped>,
    errors: &mut Vec<InputError>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => return errors.push(InputError::Io(shown.to_path_buf(), err)),
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let shown_path = if shown.as_os_str().is_empty() {
            PathBuf::from(&name)
        } else {
            shown.join(&name)
        };
        let mut skip = |reason| {
            skipped.push(Skipped {
                path: shown_path.clone(),
                reason,
            })
        };
        if is_hidden(&name) {
            skip(SkipReason::Hidden);
            continue;
        }
        let Ok(file_type) = entry.file_type() else {
            skip(SkipReason::NotFile);
            continue;
        };
        let wanted = match how.keep {
            Keep::Payloads => is_payload_path(&shown_path),
            Keep::All => true,
        };
        if file_type.is_dir() {
            walk(how, &entry.path(), &shown_path, found, skipped, errors);
        } else if file_type.is_symlink() && entry.path().is_dir() {
            skip(SkipReason::LinkedDirectory);
        } else if !is_file(&entry, file_type) {
            skip(SkipReason::NotFile);
        } else if !wanted {
            skip(SkipReason::NotPayload);
        } else if file_type.is_symlink()
            && let Err(outside) = how
                .reach
                .check(&entry.path(), "the symbolic link")
                .map_err(|o| crate::reach::Outside {
                    path: shown_path.clone(),
                    ..o
                })
        {
            errors.push(InputError::Outside(outside));
        } else {
            found.push(shown_path);
        }
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// A regular file, or a link to one. The directory entry's type avoids a `stat` per file;
/// only links need one.
fn is_file(entry: &std::fs::DirEntry, file_type: std::fs::FileType) -> bool {
    file_type.is_file() || (file_type.is_symlink() && entry.path().is_file())
}

fn glob(
    pattern: &str,
    base: &Path,
    reach: &crate::reach::Reach,
    errors: &mut Vec<InputError>,
) -> Result<Vec<PathBuf>, InputError> {
    let matcher = GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| InputError::BadGlob(pattern.to_string(), e.kind().to_string()))?
        .compile_matcher();
    // Walk only below the pattern's literal prefix.
    let literal = literal_prefix(Path::new(pattern));
    let root = base.join(&literal);
    let mut candidates = Vec::new();
    if root.is_dir() {
        // What a glob does not match is not reported as skipped: the pattern chose.
        walk(
            &Walk {
                keep: Keep::All,
                reach: &reach.and(&root),
            },
            &root,
            &literal,
            &mut candidates,
            &mut Vec::new(),
            errors,
        );
    }
    let mut files: Vec<PathBuf> = candidates
        .into_iter()
        .filter(|p| matcher.is_match(p))
        .collect();
    files.sort();
    Ok(files)
}

pub use crate::file::{MAX_FILE_BYTES, read_bytes, read_text};

/// The components of a glob before its first wildcard (`captures/2026/*.json` ->
/// `captures/2026`); the whole path when it has none.
pub fn literal_prefix(pattern: &Path) -> PathBuf {
    pattern
        .components()
        .take_while(|c| {
            !c.as_os_str()
                .to_string_lossy()
                .contains(['*', '?', '[', '{'])
        })
        .collect()
}

/// One payload read from an input.
#[derive(Debug)]
pub enum Payload<'b> {
    Bytes(&'b [u8]),
    /// Larger than the limit; its bytes were not kept. The size is known unless it was a
    /// stream that was abandoned at the limit.
    TooLarge {
        size: Option<u64>,
        limit: u64,
    },
    Unreadable(io::Error),
    /// A transaction set (or an envelope problem) from an X12 file.
    X12(crate::x12::stream::Item),
    /// A row (or a problem) from a CSV file.
    Csv(crate::flat::Item),
}

/// How to read an input: its shape, and for CSV the contract's options.
#[derive(Debug, Clone, Copy)]
pub struct Reading<'o> {
    pub shape: Shape,
    pub csv: Option<&'o crate::contract::layout::CsvOptions>,
}

impl Reading<'_> {
    pub fn json(ndjson: bool) -> Reading<'static> {
        Reading {
            shape: if ndjson { Shape::Ndjson } else { Shape::Json },
            csv: None,
        }
    }
}

/// Read every payload of `input`, calling `each` with the NDJSON line number (for NDJSON) and
/// the payload. Blank NDJSON lines are skipped.
pub fn read(
    input: &Input,
    base: &Path,
    reading: Reading<'_>,
    limit: u64,
    mut each: impl FnMut(Option<u64>, Payload<'_>),
) {
    let reader: Box<dyn Read> = match input {
        Input::Stdin => Box::new(io::stdin().lock()),
        Input::File(path) => match File::open(base.join(path)) {
            Ok(file) => {
                if reading.shape == Shape::Json {
                    let size = file.metadata().ok().map(|m| m.len());
                    if let Some(size) = size.filter(|&n| n > limit) {
                        return each(
                            None,
                            Payload::TooLarge {
                                size: Some(size),
                                limit,
                            },
                        );
                    }
                    return read_document(file, size.unwrap_or(0), limit, each);
                }
                Box::new(file)
            }
            Err(err) => return each(None, Payload::Unreadable(err)),
        },
    };
    let path = match input {
        Input::File(p) => Some(p.as_path()),
        Input::Stdin => None,
    };
    read_from(reader, path, reading, limit, each);
}

/// Read every payload a stream holds, as [`read`] reads a file; `path` (when the stream is a
/// file's) decides a CSV file's delimiter by its extension.
pub fn read_from(
    reader: impl Read,
    path: Option<&Path>,
    reading: Reading<'_>,
    limit: u64,
    mut each: impl FnMut(Option<u64>, Payload<'_>),
) {
    match reading.shape {
        Shape::Ndjson => read_lines(BufReader::with_capacity(256 * 1024, reader), limit, each),
        Shape::Json => read_document(reader, 0, limit, each),
        Shape::X12 => {
            let result =
                crate::x12::stream::read(reader, limit, |item| each(None, Payload::X12(item)));
            if let Err(err) = result {
                each(None, Payload::Unreadable(err));
            }
        }
        Shape::Csv => {
            let default = crate::contract::layout::CsvOptions::default();
            let options = reading.csv.unwrap_or(&default);
            let delimiter = crate::flat::delimiter(options, path);
            crate::flat::read(reader, options, delimiter, limit, |item| {
                each(None, Payload::Csv(item))
            });
        }
    }
}

/// `size_hint` (the file's size, when known) sizes the buffer once; without it a small file
/// would take several growing reads.
fn read_document(
    reader: impl Read,
    size_hint: u64,
    limit: u64,
    mut each: impl FnMut(Option<u64>, Payload<'_>),
) {
    let mut buf = Vec::with_capacity(size_hint.min(limit) as usize + 1);
    // Read one byte past the limit, to know whether it was exceeded without reading it all.
    match reader.take(limit.saturating_add(1)).read_to_end(&mut buf) {
        Ok(n) if n as u64 > limit => each(None, Payload::TooLarge { size: None, limit }),
        Ok(_) => each(None, Payload::Bytes(&buf)),
        Err(err) => each(None, Payload::Unreadable(err)),
    }
}

/// Streams NDJSON lines through one reused buffer. A line longer than `limit` is reported and
/// skipped without being kept.
pub fn read_lines(
    mut reader: impl BufRead,
    limit: u64,
    mut each: impl FnMut(Option<u64>, Payload<'_>),
) {
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        number += 1;
        line.clear();
        let mut oversize: Option<u64> = None;
        let mut ended = false;
        loop {
            let available = match reader.fill_buf() {
                Ok(buf) => buf,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return each(Some(number), Payload::Unreadable(err)),
            };
            if available.is_empty() {
                ended = true;
                break;
            }
            let (chunk, found_newline) = match memchr::memchr(b'\n', available) {
                Some(i) => (&available[..i], true),
                None => (available, false),
            };
            let consumed = chunk.len() + usize::from(found_newline);
            match &mut oversize {
                Some(size) => *size += chunk.len() as u64,
                None if (line.len() + chunk.len()) as u64 > limit => {
                    oversize = Some((line.len() + chunk.len()) as u64);
                    line.clear();
                }
                None => line.extend_from_slice(chunk),
            }
            reader.consume(consumed);
            if found_newline {
                break;
            }
        }
        if let Some(size) = oversize {
            each(
                Some(number),
                Payload::TooLarge {
                    size: Some(size),
                    limit,
                },
            );
        } else {
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            // Blank means JSON whitespace only (RFC 8259: space, tab, CR, LF); a form feed or a
            // vertical tab is not, and such a line is reported like any other invalid JSON.
            if !line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
                each(Some(number), Payload::Bytes(&line));
            }
        }
        if ended {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &[u8], limit: u64, capacity: usize) -> Vec<(Option<u64>, String)> {
        let mut out = Vec::new();
        read_lines(
            BufReader::with_capacity(capacity, text),
            limit,
            |line, payload| {
                let shown = match payload {
                    Payload::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                    Payload::TooLarge { size, limit } => format!("too large: {size:?} > {limit}"),
                    Payload::Unreadable(e) => format!("unreadable: {e}"),
                    Payload::X12(_) | Payload::Csv(_) => unreachable!("lines only"),
                };
                out.push((line, shown));
            },
        );
        out
    }

    #[test]
    fn ndjson_lines_are_numbered_and_blank_lines_skipped() {
        let got = collect(b"{\"a\":1}\r\n\n  \n{\"b\":2}\n{\"c\":3}", 1024, 4);
        assert_eq!(
            got,
            vec![
                (Some(1), "{\"a\":1}".into()),
                (Some(4), "{\"b\":2}".into()),
                (Some(5), "{\"c\":3}".into())
            ]
        );
    }

    #[test]
    fn over_long_lines_are_reported_and_skipped_without_losing_the_next() {
        let text = format!("{}\n{{\"ok\":true}}\n", "x".repeat(100));
        let got = collect(text.as_bytes(), 50, 8);
        assert_eq!(
            got,
            vec![
                (Some(1), "too large: Some(100) > 50".into()),
                (Some(2), "{\"ok\":true}".into())
            ]
        );
    }

    #[test]
    fn documents_over_the_limit_are_not_read_whole() {
        let mut seen = None;
        read_document(&b"{\"a\": \"0123456789\"}"[..], 0, 5, |_, p| {
            seen = Some(matches!(
                p,
                Payload::TooLarge {
                    size: None,
                    limit: 5
                }
            ));
        });
        assert_eq!(seen, Some(true));
    }
}
