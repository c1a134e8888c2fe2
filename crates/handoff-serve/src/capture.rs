//! The capture writer: every accepted body becomes one line of a rotating NDJSON file per
//! contract, `<capture_dir>/<contract-id>/<UTC time>.ndjson`, and its receipt (receive time,
//! request id, verdict) the same line number of `<same name>.receipts` beside it.
//!
//! One thread owns the files. Requests hand it their line and wait for the answer; it takes
//! every record waiting, writes each file's share with one `write` call, optionally syncs, and
//! only then answers, so a `202` is never sent for a line that is not in the file (group commit:
//! one system call for many requests under load). A failed write (a full disk) is cut back to
//! the file's previous length, so the file never holds half a line, and every request of the
//! batch is told it was not recorded. The capture and its receipts stay line for line: a
//! receipt that cannot be written takes its capture line back with it.
//!
//! Files are created `0600` in directories created `0700`: they hold customers' data. The
//! queue between requests and the writer is bounded; a full queue is the caller's `503`.
//!
//! A process that dies mid-batch leaves whole lines (the kernel completes a `write` to a
//! regular file); a machine that loses power can leave a torn last line, which [`repair`]
//! cuts at the next start before anything is written.

use crate::settings::Rotate;
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Where a record landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The capture file, as `capture_dir` was given joined with its name.
    pub path: Arc<str>,
    /// Its 1-based line.
    pub line: u64,
}

/// One accepted body on its way to disk.
pub(crate) struct Record {
    /// The contract id: the directory it goes to.
    pub contract: Arc<str>,
    /// The body as one line, without its newline.
    pub line: Vec<u8>,
    /// The receipt's JSON fields after `line` (without braces), e.g. `"request_id":"..."`.
    pub receipt: String,
    pub done: oneshot::Sender<Result<Recorded, String>>,
}

/// What the writer did, for the shutdown line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    pub records: u64,
    pub files: u64,
    pub failed_writes: u64,
}

/// Opens and appends: the real file system, or a test's stand-in (a full disk).
pub(crate) trait Disk: Send + 'static {
    fn create(&mut self, path: &Path) -> io::Result<Box<dyn Sink>>;
}

pub(crate) trait Sink: Send {
    fn append(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Cut the file back to `len` bytes after a failed append.
    fn truncate(&mut self, len: u64) -> io::Result<()>;
    fn sync(&mut self) -> io::Result<()>;
}

pub(crate) struct RealDisk;

impl Disk for RealDisk {
    fn create(&mut self, path: &Path) -> io::Result<Box<dyn Sink>> {
        if let Some(dir) = path.parent() {
            contract_dir(dir)?;
        }
        let mut options = OpenOptions::new();
        options.append(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        Ok(Box::new(options.open(path)?))
    }
}

impl Sink for File {
    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_all(bytes)
    }
    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.set_len(len)
    }
    fn sync(&mut self) -> io::Result<()> {
        self.sync_data()
    }
}

/// A contract's capture directory, created private, and refused when it is a link: a link would
/// take captures wherever it points, and the capture directory is the only place written.
pub(crate) fn contract_dir(dir: &Path) -> io::Result<()> {
    create_private_dir(dir)?;
    if fs::symlink_metadata(dir)?.file_type().is_symlink() {
        return Err(io::Error::other(format!(
            "{} is a link; captures are written only inside the capture directory (replace the link with a directory)",
            dir.display()
        )));
    }
    Ok(())
}

pub(crate) fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

struct Open {
    path: Arc<str>,
    capture: Box<dyn Sink>,
    receipts: Box<dyn Sink>,
    lines: u64,
    bytes: u64,
    receipt_bytes: u64,
    opened: Instant,
}

struct State<D: Disk> {
    disk: D,
    dir: PathBuf,
    rotate: Rotate,
    fsync: bool,
    open: HashMap<Arc<str>, Open>,
    written: Written,
}

/// The handle requests use; dropping every clone of it (and joining) flushes and closes.
pub(crate) struct Writer {
    pub tx: SyncSender<Record>,
    pub thread: JoinHandle<Written>,
}

/// Why a record was not queued.
pub(crate) enum Busy {
    Full,
    Stopped,
}

pub(crate) fn queue(tx: &SyncSender<Record>, record: Record) -> Result<(), Busy> {
    tx.try_send(record).map_err(|e| match e {
        TrySendError::Full(_) => Busy::Full,
        TrySendError::Disconnected(_) => Busy::Stopped,
    })
}

pub(crate) fn start<D: Disk>(
    disk: D,
    dir: PathBuf,
    rotate: Rotate,
    fsync: bool,
    capacity: usize,
) -> Writer {
    let (tx, rx) = mpsc::sync_channel(capacity);
    let state = State {
        disk,
        dir,
        rotate,
        fsync,
        open: HashMap::new(),
        written: Written::default(),
    };
    let thread = std::thread::Builder::new()
        .name("handoff-capture".into())
        .spawn(move || run(state, rx))
        .expect("spawn the capture writer");
    Writer { tx, thread }
}

/// Records taken per batch: bounds a batch's buffer and the wait of its first request.
const BATCH: usize = 1024;

fn run<D: Disk>(mut state: State<D>, rx: Receiver<Record>) -> Written {
    loop {
        let first = match rx.recv_timeout(Duration::from_millis(500)) {
            Ok(r) => r,
            Err(RecvTimeoutError::Timeout) => {
                state.close_aged();
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        state.write(batch);
    }
    let ids: Vec<Arc<str>> = state.open.keys().cloned().collect();
    for id in ids {
        state.close(&id);
    }
    state.written
}

impl<D: Disk> State<D> {
    fn write(&mut self, batch: Vec<Record>) {
        // Each contract's records in arrival order, contracts in order of first arrival.
        let mut order: Vec<Arc<str>> = Vec::new();
        let mut by: HashMap<Arc<str>, Vec<Record>> = HashMap::new();
        for r in batch {
            if !by.contains_key(&r.contract) {
                order.push(r.contract.clone());
            }
            by.entry(r.contract.clone()).or_default().push(r);
        }
        for id in order {
            let records = by.remove(&id).unwrap_or_default();
            self.write_contract(&id, records);
        }
    }

    fn write_contract(&mut self, id: &Arc<str>, records: Vec<Record>) {
        let size: u64 = records.iter().map(|r| r.line.len() as u64 + 1).sum();
        if let Some(open) = self.open.get(id) {
            let full = match self.rotate {
                Rotate::Bytes(limit) => open.bytes > 0 && open.bytes + size > limit,
                Rotate::Every(age) => open.opened.elapsed() >= age,
            };
            if full {
                self.close(id);
            }
        }
        if !self.open.contains_key(id) {
            match self.create(id) {
                Ok(open) => {
                    self.open.insert(id.clone(), open);
                }
                Err(e) => {
                    self.written.failed_writes += 1;
                    let why = format!("the capture file for {id} cannot be created: {e}");
                    for r in records {
                        let _ = r.done.send(Err(why.clone()));
                    }
                    return;
                }
            }
        }
        let fsync = self.fsync;
        let open = self.open.get_mut(id).expect("opened above");
        let mut capture = Vec::with_capacity(size as usize);
        let mut receipts = Vec::new();
        for (i, r) in records.iter().enumerate() {
            capture.extend_from_slice(&r.line);
            capture.push(b'\n');
            let line = open.lines + 1 + i as u64;
            receipts.extend_from_slice(format!("{{\"line\":{line},{}}}\n", r.receipt).as_bytes());
        }
        let result = append_both(open, &capture, &receipts, fsync);
        match result {
            Ok(()) => {
                let first = open.lines + 1;
                open.lines += records.len() as u64;
                open.bytes += capture.len() as u64;
                open.receipt_bytes += receipts.len() as u64;
                self.written.records += records.len() as u64;
                let path = open.path.clone();
                for (i, r) in records.into_iter().enumerate() {
                    let _ = r.done.send(Ok(Recorded {
                        path: path.clone(),
                        line: first + i as u64,
                    }));
                }
            }
            Err(e) => {
                self.written.failed_writes += 1;
                let why = format!("the capture could not be written to {}: {e}", open.path);
                for r in records {
                    let _ = r.done.send(Err(why.clone()));
                }
            }
        }
    }

    fn create(&mut self, id: &str) -> io::Result<Open> {
        let dir = self.dir.join(id);
        let stamp = jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H-%M-%SZ")
            .to_string();
        let mut n = 1;
        let (path, capture) = loop {
            let name = if n == 1 {
                format!("{stamp}.ndjson")
            } else {
                format!("{stamp}-{n}.ndjson")
            };
            let path = dir.join(name);
            match self.disk.create(&path) {
                Ok(sink) => break (path, sink),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
                Err(e) => return Err(e),
            }
        };
        let receipts = self.disk.create(&receipts_path(&path))?;
        self.written.files += 1;
        Ok(Open {
            path: path.display().to_string().into(),
            capture,
            receipts,
            lines: 0,
            bytes: 0,
            receipt_bytes: 0,
            opened: Instant::now(),
        })
    }

    fn close(&mut self, id: &str) {
        if let Some(mut open) = self.open.remove(id) {
            // Closing is where a file is made durable, fsync or not.
            let _ = open.capture.sync();
            let _ = open.receipts.sync();
        }
    }

    fn close_aged(&mut self) {
        if let Rotate::Every(age) = self.rotate {
            let aged: Vec<Arc<str>> = self
                .open
                .iter()
                .filter(|(_, o)| o.opened.elapsed() >= age)
                .map(|(id, _)| id.clone())
                .collect();
            for id in aged {
                self.close(&id);
            }
        }
    }
}

fn append_both(open: &mut Open, capture: &[u8], receipts: &[u8], fsync: bool) -> io::Result<()> {
    if let Err(e) = open.capture.append(capture) {
        let _ = open.capture.truncate(open.bytes);
        return Err(e);
    }
    if let Err(e) = open.receipts.append(receipts) {
        let _ = open.receipts.truncate(open.receipt_bytes);
        let _ = open.capture.truncate(open.bytes);
        return Err(e);
    }
    if fsync {
        open.capture.sync()?;
        open.receipts.sync()?;
    }
    Ok(())
}

/// The receipts beside a capture file.
pub fn receipts_path(capture: &Path) -> PathBuf {
    let mut name = capture.as_os_str().to_owned();
    name.push(".receipts");
    PathBuf::from(name)
}

/// Cut the torn last line (no newline after it) of every capture and receipts file under
/// `dir`, as a power loss can leave it; returns the files cut. Files are never appended to
/// after a restart, so this is the only repair they need.
pub fn repair(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut cut = Vec::new();
    let Ok(contracts) = fs::read_dir(dir) else {
        return Ok(cut);
    };
    for contract in contracts.flatten() {
        // A link is not followed: the capture directory is the only place written.
        if !contract.file_type()?.is_dir() {
            continue;
        }
        for file in fs::read_dir(contract.path())?.flatten() {
            let path = file.path();
            let name = path.to_string_lossy();
            if !file.file_type()?.is_file()
                || !(name.ends_with(".ndjson") || name.ends_with(".ndjson.receipts"))
            {
                continue;
            }
            if cut_torn_tail(&path)? {
                cut.push(path);
            }
        }
    }
    Ok(cut)
}

fn cut_torn_tail(path: &Path) -> io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = OpenOptions::new().read(true).write(true).open(path)?;
    let len = f.metadata()?.len();
    if len == 0 {
        return Ok(false);
    }
    // Read backwards in blocks until a newline: the tail is one line, so this is short.
    let mut end = len;
    let mut block = vec![0u8; 64 * 1024];
    let mut last_newline = None;
    let mut first = true;
    while end > 0 {
        let start = end.saturating_sub(block.len() as u64);
        let n = (end - start) as usize;
        f.seek(SeekFrom::Start(start))?;
        f.read_exact(&mut block[..n])?;
        if first && block[n - 1] == b'\n' {
            return Ok(false);
        }
        first = false;
        if let Some(i) = memchr_last(&block[..n]) {
            last_newline = Some(start + i as u64);
            break;
        }
        end = start;
    }
    f.set_len(last_newline.map_or(0, |i| i + 1))?;
    f.sync_all()?;
    Ok(true)
}

fn memchr_last(bytes: &[u8]) -> Option<usize> {
    bytes.iter().rposition(|b| *b == b'\n')
}

/// A simulated disk for tests of the writer and of the receiver over HTTP.
#[cfg(test)]
pub(crate) mod small_disk {
    use super::*;
    use std::sync::Mutex;

    /// A disk that holds `room` bytes in all and then fails as a full disk does, after
    /// writing what fits (a short write).
    #[derive(Clone, Default)]
    pub(crate) struct SmallDisk {
        pub(crate) room: Arc<Mutex<u64>>,
        pub(crate) files: Arc<Mutex<HashMap<PathBuf, Vec<u8>>>>,
    }

    struct SmallFile {
        path: PathBuf,
        disk: SmallDisk,
    }

    impl Disk for SmallDisk {
        fn create(&mut self, path: &Path) -> io::Result<Box<dyn Sink>> {
            self.files
                .lock()
                .unwrap()
                .insert(path.to_path_buf(), Vec::new());
            Ok(Box::new(SmallFile {
                path: path.to_path_buf(),
                disk: self.clone(),
            }))
        }
    }

    impl Sink for SmallFile {
        fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
            let mut room = self.disk.room.lock().unwrap();
            let mut files = self.disk.files.lock().unwrap();
            let file = files.get_mut(&self.path).unwrap();
            let fits = (*room).min(bytes.len() as u64) as usize;
            file.extend_from_slice(&bytes[..fits]);
            *room -= fits as u64;
            if fits < bytes.len() {
                return Err(io::Error::new(
                    io::ErrorKind::StorageFull,
                    "No space left on device",
                ));
            }
            Ok(())
        }
        fn truncate(&mut self, len: u64) -> io::Result<()> {
            let mut files = self.disk.files.lock().unwrap();
            let file = files.get_mut(&self.path).unwrap();
            *self.disk.room.lock().unwrap() += file.len() as u64 - len;
            file.truncate(len as usize);
            Ok(())
        }
        fn sync(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::small_disk::SmallDisk;
    use super::*;
    use std::sync::Mutex;

    fn send(w: &Writer, line: &str) -> Result<Recorded, String> {
        let (done, answer) = oneshot::channel();
        let record = Record {
            contract: "orders".into(),
            line: line.as_bytes().to_vec(),
            receipt: "\"request_id\":\"r\"".into(),
            done,
        };
        assert!(queue(&w.tx, record).is_ok());
        answer.blocking_recv().unwrap()
    }

    #[test]
    fn a_full_disk_refuses_the_batch_and_leaves_only_whole_lines() {
        let disk = SmallDisk {
            room: Arc::new(Mutex::new(60)),
            files: Arc::default(),
        };
        let files = disk.files.clone();
        let w = start(disk, "cap".into(), Rotate::Bytes(1 << 20), false, 8);
        let first = send(&w, r#"{"n":1}"#).unwrap();
        assert_eq!(first.line, 1);
        assert!(first.path.starts_with("cap/orders/") && first.path.ends_with(".ndjson"));
        // The capture line fits, its receipt does not: both are taken back.
        let refused = send(&w, r#"{"n":2,"padding":"xxxxxxxxxxxxxx"}"#).unwrap_err();
        assert!(refused.contains("No space left on device"), "{refused}");
        let second = send(&w, r#"{"n":3}"#).unwrap_err();
        assert!(second.contains("No space left"), "{second}");
        drop(w.tx);
        let written = w.thread.join().unwrap();
        assert_eq!((written.records, written.failed_writes), (1, 2));
        let files = files.lock().unwrap();
        let capture = files
            .iter()
            .find(|(p, _)| p.extension().is_some_and(|e| e == "ndjson"))
            .unwrap()
            .1;
        let receipts = files
            .iter()
            .find(|(p, _)| p.extension().is_some_and(|e| e == "receipts"))
            .unwrap()
            .1;
        assert_eq!(String::from_utf8_lossy(capture), "{\"n\":1}\n");
        assert_eq!(
            String::from_utf8_lossy(receipts),
            "{\"line\":1,\"request_id\":\"r\"}\n"
        );
    }

    #[test]
    fn files_rotate_at_their_size_and_lines_restart() {
        let dir = std::env::temp_dir().join(format!("handoff-rotate-{}", std::process::id()));
        let w = start(RealDisk, dir.clone(), Rotate::Bytes(20), false, 8);
        let a = send(&w, r#"{"n":"aaaaaaaaaa"}"#).unwrap();
        let b = send(&w, r#"{"n":"bbbbbbbbbb"}"#).unwrap();
        assert_eq!((a.line, b.line), (1, 1));
        assert_ne!(a.path, b.path);
        drop(w.tx);
        assert_eq!(w.thread.join().unwrap().files, 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&*a.path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let mode = fs::metadata(dir.join("orders"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, 0o700);
        }
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    #[cfg(unix)]
    fn a_contract_directory_that_is_a_link_is_not_written_through() {
        let root = std::env::temp_dir().join(format!("handoff-link-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let (captures, elsewhere) = (root.join("captures"), root.join("elsewhere"));
        fs::create_dir_all(&captures).unwrap();
        fs::create_dir_all(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, captures.join("orders")).unwrap();
        let err = match RealDisk.create(&captures.join("orders/2026-12-07T00-00-00Z.ndjson")) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("written through the link"),
        };
        assert!(err.ends_with("orders is a link; captures are written only inside the capture directory (replace the link with a directory)"), "{err}");
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn repair_cuts_a_torn_last_line_only() {
        let dir = std::env::temp_dir().join(format!("handoff-repair-{}", std::process::id()));
        fs::create_dir_all(dir.join("orders")).unwrap();
        fs::write(dir.join("orders/a.ndjson"), "{\"n\":1}\n{\"n\":").unwrap();
        fs::write(dir.join("orders/b.ndjson"), "{\"n\":1}\n").unwrap();
        fs::write(dir.join("orders/c.ndjson"), "{\"n\"").unwrap();
        let mut cut = repair(&dir).unwrap();
        cut.sort();
        assert_eq!(
            cut,
            [dir.join("orders/a.ndjson"), dir.join("orders/c.ndjson")]
        );
        assert_eq!(
            fs::read_to_string(dir.join("orders/a.ndjson")).unwrap(),
            "{\"n\":1}\n"
        );
        assert_eq!(
            fs::read_to_string(dir.join("orders/b.ndjson")).unwrap(),
            "{\"n\":1}\n"
        );
        assert_eq!(fs::read_to_string(dir.join("orders/c.ndjson")).unwrap(), "");
        fs::remove_dir_all(dir).unwrap();
    }
}
