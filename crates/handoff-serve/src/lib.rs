//! `handoff serve`: a capture receiver. Every webhook posted to `POST /capture/{reference}`
//! is verified (token, size, signature), recorded as one line of a rotating NDJSON capture
//! file of its contract, checked against the contract, and answered with the findings in the
//! `handoff check --format json` shape: `handoff check` on the capture files later gives the
//! same findings, source for source. See docs/serve.md.
//!
//! ```no_run
//! use handoff_serve::{Settings, Stop, bind};
//! let settings = Settings::new("127.0.0.1:8088".parse().unwrap(), "contracts".into());
//! let server = bind(settings).map_err(|e| e.to_string())?;
//! let addr = server.local_addr();
//! let stopped = server.run(Stop::Signals, || eprintln!("listening on {addr}"))?;
//! eprintln!("{} payloads recorded", stopped.written.records);
//! # Ok::<(), String>(())
//! ```
//!
//! Layers: [`settings`] (what to run) -> `app` (routes) over `capture` (the writer thread),
//! `signature`, `metrics` and [`workspace`] (the review pages at `GET /`); the command line only reads flags and handoff.yaml into
//! [`Settings`] and prints.

mod app;
mod capture;
mod line;
mod metrics;
pub mod settings;
pub mod signature;
pub mod workspace;

pub use capture::{Recorded, Written, receipts_path};
pub use line::one_line;
pub use settings::{Rotate, Settings};
pub use signature::{Scheme, Signature};
pub use workspace::Workspace;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Why a receiver could not start.
#[derive(Debug)]
pub enum StartError {
    /// Listening beyond loopback without a token.
    Unprotected(SocketAddr),
    /// The address cannot be bound (in use, not permitted).
    Bind(SocketAddr, std::io::Error),
    /// The capture directory cannot be created or repaired.
    Captures(PathBuf, std::io::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Unprotected(addr) => write!(
                f,
                "{addr} is reachable from other machines, and nothing would stop them posting or reading metrics\n  = help: set a token every request must carry: HANDOFF_SERVE_TOKEN in the environment (or --token, or serve.token_env in handoff.yaml naming another variable), or listen on 127.0.0.1"
            ),
            StartError::Bind(addr, e) => write!(f, "cannot listen on {addr}: {e}"),
            StartError::Captures(dir, e) => {
                write!(
                    f,
                    "cannot prepare the capture directory {}: {e}",
                    dir.display()
                )
            }
        }
    }
}

impl std::error::Error for StartError {}

/// A receiver bound to its address, not yet serving.
pub struct Bound {
    settings: Settings,
    listener: std::net::TcpListener,
    /// Capture files whose torn last line was cut at start.
    pub repaired: Vec<PathBuf>,
}

/// What a receiver did, once stopped.
#[derive(Debug, Clone)]
pub struct Stopped {
    pub written: Written,
}

/// Check the settings, repair the capture directory and bind the address.
pub fn bind(settings: Settings) -> Result<Bound, StartError> {
    if !settings.listen.ip().is_loopback() && settings.token.is_none() {
        return Err(StartError::Unprotected(settings.listen));
    }
    let dir = settings.capture_dir.clone();
    capture::create_private_dir(&dir).map_err(|e| StartError::Captures(dir.clone(), e))?;
    let repaired = capture::repair(&dir).map_err(|e| StartError::Captures(dir.clone(), e))?;
    let listener = std::net::TcpListener::bind(settings.listen)
        .map_err(|e| StartError::Bind(settings.listen, e))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| StartError::Bind(settings.listen, e))?;
    Ok(Bound {
        settings,
        listener,
        repaired,
    })
}

impl Bound {
    /// The address bound (with the port the system chose for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.settings.listen)
    }

    /// Serve until `stop`; then stop accepting, finish the requests in flight, and flush and
    /// close every capture file before returning. `ready` runs once the receiver is
    /// listening and its signal handlers are in place (so a SIGTERM sent after it is a
    /// graceful stop, never the default kill).
    pub fn run(self, stop: Stop, ready: impl FnOnce()) -> Result<Stopped, String> {
        self.run_on(capture::RealDisk, stop, ready)
    }

    /// [`Bound::run`] over another disk (a simulated full one, in tests).
    fn run_on<D: capture::Disk>(
        self,
        disk: D,
        stop: Stop,
        ready: impl FnOnce(),
    ) -> Result<Stopped, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("handoff-serve")
            .build()
            .map_err(|e| format!("cannot start the server's runtime: {e}"))?;
        let writer = capture::start(
            disk,
            self.settings.capture_dir.clone(),
            self.settings.rotate,
            self.settings.fsync,
            self.settings.queue,
        );
        let app = Arc::new(app::App::new(self.settings, writer.tx)?);
        let router = app::router(app.clone());
        let whole = app.whole.clone();
        drop(app);
        let served = runtime.block_on(async move {
            let shutdown: std::pin::Pin<Box<dyn Future<Output = ()> + Send>> = match stop {
                Stop::Signals => signals()?,
                Stop::When(f) => f,
            };
            let listener = tokio::net::TcpListener::from_std(self.listener)?;
            ready();
            axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await
        });
        // Every connection has finished, so every request's sender is gone: the writer
        // drains what is queued, syncs and closes, and its thread ends.
        runtime.shutdown_timeout(std::time::Duration::from_secs(5));
        let mut written = writer
            .thread
            .join()
            .map_err(|_| "the capture writer failed".to_string())?;
        // X12 and CSV bodies were written whole, a file each, beside the writer's lines.
        let [files, failed] = &*whole;
        let files = files.load(std::sync::atomic::Ordering::Relaxed);
        written.records += files;
        written.files += files;
        written.failed_writes += failed.load(std::sync::atomic::Ordering::Relaxed);
        served.map_err(|e| format!("the server stopped on an error: {e}"))?;
        Ok(Stopped { written })
    }
}

/// When a receiver stops.
pub enum Stop {
    /// On SIGTERM or SIGINT (Ctrl-C).
    Signals,
    /// When the future completes (an embedding's own shutdown).
    When(std::pin::Pin<Box<dyn Future<Output = ()> + Send>>),
}

/// SIGTERM and SIGINT, registered now (inside the runtime), resolving on the first.
fn signals() -> std::io::Result<std::pin::Pin<Box<dyn Future<Output = ()> + Send>>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        Ok(Box::pin(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }))
    }
    #[cfg(not(unix))]
    {
        Ok(Box::pin(async {
            let _ = tokio::signal::ctrl_c().await;
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// Through HTTP: a post the disk has no room for is answered 503 with Retry-After, says
    /// nothing was recorded, is counted, and leaves no part of a line in the capture.
    #[test]
    fn a_full_disk_is_a_503_and_records_nothing() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let captures = std::env::temp_dir().join(format!("handoff-full-{}", std::process::id()));
        let mut settings = Settings::new("127.0.0.1:0".parse().unwrap(), root.join("contracts"));
        settings.capture_dir = captures.clone();
        let bound = bind(settings).unwrap();
        let addr = bound.local_addr();
        let disk = capture::small_disk::SmallDisk::default();
        *disk.room.lock().unwrap() = 100;
        let files = disk.files.clone();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let server = std::thread::spawn(move || {
            let stop = Stop::When(Box::pin(async {
                let _ = stop_rx.await;
            }));
            bound.run_on(disk, stop, || {})
        });
        let order =
            std::fs::read(root.join("fixtures/storefront-order-to-erp/valid/paid-two-lines.json"))
                .unwrap();
        let ask = |head: String, body: &[u8]| -> String {
            for _ in 0..100 {
                if let Ok(mut s) = std::net::TcpStream::connect(addr) {
                    s.write_all(head.as_bytes()).unwrap();
                    s.write_all(body).unwrap();
                    let mut reply = String::new();
                    s.read_to_string(&mut reply).unwrap();
                    return reply;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            panic!("the receiver did not listen");
        };
        let reply = ask(
            format!(
                "POST /capture/storefront-order-to-erp HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
                order.len()
            ),
            &order,
        );
        assert!(reply.starts_with("HTTP/1.1 503"), "{reply}");
        assert!(
            reply.to_ascii_lowercase().contains("retry-after: 30"),
            "{reply}"
        );
        assert!(reply.contains("nothing was recorded"), "{reply}");
        let metrics = ask(
            format!("GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
            b"",
        );
        assert!(
            metrics.contains("handoff_requests_refused_total{reason=\"disk\"} 1"),
            "{metrics}"
        );
        assert!(!metrics.contains("handoff_payloads_total{"), "{metrics}");
        // Every file the receiver opened holds whole lines only: none, here.
        for (path, bytes) in files.lock().unwrap().iter() {
            assert!(
                bytes.is_empty(),
                "{}: {:?}",
                path.display(),
                String::from_utf8_lossy(bytes)
            );
        }
        stop_tx.send(()).unwrap();
        let stopped = server.join().unwrap().unwrap();
        assert_eq!(stopped.written.records, 0);
        let _ = std::fs::remove_dir_all(&captures);
    }
}
