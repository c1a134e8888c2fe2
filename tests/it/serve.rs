//! `handoff serve` as a user runs it: the binary on a free loopback port in a copy of the
//! project, spoken to over plain HTTP/1.1, stopped with SIGTERM, its captures read back with
//! `handoff check`.

use crate::common::{copy_dir, handoff};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub(crate) struct Server {
    child: Child,
    pub(crate) addr: SocketAddr,
    /// Standard error after the listening line, gathered as it comes.
    err: mpsc::Receiver<String>,
}

fn project() -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root.join("contracts"), &dir.path().join("contracts"));
    dir
}

pub(crate) fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
    let mut cmd = handoff(dir);
    cmd.arg("serve")
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .env_remove("HANDOFF_SERVE_TOKEN")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .parse()
        .unwrap();
    let (tx, err) = mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    Server { child, addr, err }
}

impl Server {
    /// SIGTERM, then the exit code and what it said on the way out.
    pub(crate) fn stop(mut self) -> (i32, Vec<String>) {
        let pid = self.child.id().to_string();
        assert!(
            std::process::Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let status = self.child.wait().unwrap();
        let said: Vec<String> = self.err.iter().collect();
        (status.code().unwrap_or(-1), said)
    }
}

/// `handoff serve --listen ADDR` exits 2 before listening, saying `says`.
fn refuses_to_start(dir: &Path, listen: &str, says: &str) {
    let out = handoff(dir)
        .args(["serve", "--listen", listen])
        .env_remove("HANDOFF_SERVE_TOKEN")
        .env_remove("SHOP_SECRET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(says), "{stderr}");
}

pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

pub(crate) fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    read_reply(&mut s)
}

fn read_reply(s: &mut TcpStream) -> Reply {
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no reply: {text:?}"));
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

fn post(addr: SocketAddr, reference: &str, body: &[u8]) -> Reply {
    request(
        addr,
        "POST",
        &format!("/capture/{}", reference.replace('^', "%5E")),
        &[],
        body,
    )
}

/// Every payload a fixture directory holds: each JSON file, each NDJSON line.
fn payloads(dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for sub in ["valid", "invalid"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files {
            let bytes = std::fs::read(&f).unwrap();
            match f.extension().and_then(|e| e.to_str()) {
                Some("json") => out.push(bytes),
                Some("ndjson") => out.extend(
                    bytes
                        .split(|b| *b == b'\n')
                        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
                        .map(<[u8]>::to_vec),
                ),
                _ => {}
            }
        }
    }
    out
}

fn metric(text: &str, name_and_labels: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name_and_labels)?.trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn every_fixture_posted_is_recorded_and_check_on_the_captures_gives_the_replies() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = project();
    let server = start(dir.path(), &[], &[]);
    // The JSON boundaries of handoff.yaml, by the reference it checks them with.
    let json = [
        ("storefront-order-to-erp@^2", "storefront-order-to-erp"),
        (
            "payment-status-to-storefront@^2",
            "payment-status-to-storefront",
        ),
        ("returns-portal-to-wms@^1", "returns-portal-to-wms"),
        ("pos-return-to-erp@^1", "pos-return-to-erp"),
        ("edi-850-to-wms@^1", "edi-850-to-wms"),
    ];
    let mut replies: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    let (mut sent, mut invalid, mut bytes) = (0u64, 0u64, 0u64);
    for (reference, fixtures) in json {
        let all = payloads(&root.join("fixtures").join(fixtures));
        assert!(!all.is_empty(), "{fixtures}");
        for body in all {
            let r = post(server.addr, reference, &body);
            assert_eq!(r.status, 202, "{}", r.body);
            let doc = r.json();
            let results = doc["results"].as_array().unwrap().clone();
            let capture = &r.headers["x-handoff-capture"];
            if let Some(first) = results.first() {
                let source = &first["source"];
                assert_eq!(
                    capture,
                    &format!("{}:{}", source["path"].as_str().unwrap(), source["line"])
                );
                invalid += 1;
            }
            assert_eq!(doc["summary"]["payloads"], 1);
            replies.entry(reference).or_default().extend(results);
            sent += 1;
            bytes += body.len() as u64;
        }
    }
    let json_sent = sent;
    // The X12 and CSV boundaries: each body recorded whole as its own file, every
    // transaction set or row a result.
    let whole = [
        ("edi-850-to-wms@^2", "edi-850-x12", "edi-850-to-wms"),
        ("edi-810-to-erp@^1", "edi-810-to-erp", "edi-810-to-erp"),
        (
            "wms-inventory-to-erp@^1",
            "wms-inventory-to-erp",
            "wms-inventory-to-erp",
        ),
    ];
    for (reference, fixtures, _) in whole {
        for sub in ["valid", "invalid"] {
            let mut files: Vec<PathBuf> =
                std::fs::read_dir(root.join("fixtures").join(fixtures).join(sub))
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|e| e != "expect"))
                    .collect();
            files.sort();
            for f in files {
                let body = std::fs::read(&f).unwrap();
                let r = post(server.addr, reference, &body);
                assert_eq!(r.status, 202, "{}: {}", f.display(), r.body);
                let doc = r.json();
                let results = doc["results"].as_array().unwrap().clone();
                let capture = &r.headers["x-handoff-capture"];
                let ext = if reference.starts_with("edi") {
                    ".x12"
                } else {
                    ".csv"
                };
                assert!(capture.ends_with(ext), "{capture}");
                assert_eq!(
                    std::fs::read(dir.path().join(capture)).unwrap(),
                    body,
                    "the body recorded as sent"
                );
                let receipt: Value = serde_json::from_str(
                    &std::fs::read_to_string(dir.path().join(format!("{capture}.receipt")))
                        .unwrap(),
                )
                .unwrap();
                assert_eq!(receipt["payloads"], doc["summary"]["payloads"], "{receipt}");
                for result in &results {
                    assert_eq!(result["source"]["path"], capture.as_str());
                }
                if !results.is_empty() {
                    invalid += 1;
                }
                replies.entry(reference).or_default().extend(results);
                sent += 1;
                bytes += body.len() as u64;
            }
        }
    }
    let m = request(server.addr, "GET", "/metrics", &[], b"").body;
    let sum = |name: &str| -> u64 {
        m.lines()
            .filter(|l| l.starts_with(&format!("{name}{{")))
            .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
            .sum()
    };
    let total = sum("handoff_payloads_total");
    assert_eq!(total, sent, "{m}");
    assert_eq!(sum("handoff_payloads_invalid_total"), invalid);
    let bytes_total = sum("handoff_payload_bytes_total");
    assert_eq!(bytes_total, bytes);
    assert!(
        m.contains("handoff_request_duration_seconds_bucket{le=\"0.02\"}"),
        "{m}"
    );

    let (code, said) = server.stop();
    assert_eq!(code, 0);
    assert_eq!(
        said.last().unwrap(),
        &format!(
            "handoff serve: stopped; {sent} payloads recorded in {} files",
            5 + sent - json_sent
        )
    );
    // One id's captures hold each major's files (edi-850-to-wms: JSON v1, X12 v2): each is
    // checked against the contract it was posted to.
    let checked = json
        .iter()
        .map(|(reference, id)| (*reference, format!("captures/{id}/*.ndjson")))
        .chain(whole.iter().map(|(reference, _, id)| {
            (
                *reference,
                format!(
                    "captures/{id}/*.{}",
                    if reference.starts_with("edi") {
                        "x12"
                    } else {
                        "csv"
                    }
                ),
            )
        }));
    for (reference, inputs) in checked {
        let out = handoff(dir.path())
            .args([
                "check",
                "--contract",
                reference,
                "--format",
                "json",
                "--no-progress",
            ])
            .arg(&inputs)
            .output()
            .unwrap();
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut from_check = doc["results"].as_array().unwrap().clone();
        let mut from_replies = replies.remove(reference).unwrap_or_default();
        let key = |v: &Value| {
            (
                v["source"]["path"].as_str().unwrap().to_string(),
                v["source"]["line"].as_u64(),
            )
        };
        from_check.sort_by_key(key);
        from_replies.sort_by_key(key);
        assert!(
            !from_check.is_empty(),
            "{reference}: the fixtures hold invalid payloads"
        );
        assert_eq!(from_check, from_replies, "{reference}");
    }
    // Each capture line has its receipt on the same line.
    let capture_dir = dir.path().join("captures/storefront-order-to-erp");
    let capture = std::fs::read_dir(&capture_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "ndjson"))
        .unwrap();
    let lines = std::fs::read_to_string(&capture).unwrap().lines().count();
    let receipts = std::fs::read_to_string(handoff_serve::receipts_path(&capture)).unwrap();
    let receipts: Vec<Value> = receipts
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(receipts.len(), lines);
    for (i, r) in receipts.iter().enumerate() {
        assert_eq!(r["line"], i as u64 + 1);
        assert_eq!(r["contract"], "storefront-order-to-erp@2.0.0");
        assert!(r["received_at"].as_str().unwrap().ends_with('Z'), "{r}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&capture).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[test]
fn signatures_are_verified_before_anything_is_recorded() {
    let dir = project();
    std::fs::write(
        dir.path().join("handoff.yaml"),
        "contracts: contracts\nserve:\n  signatures:\n    - contract: storefront-order-to-erp\n      scheme: hmac-sha256\n      header: X-Shopify-Hmac-Sha256\n      secret_env: SHOP_SECRET\n    - contract: payment-status-to-storefront\n      scheme: stripe\n      secret_env: STRIPE_SECRET\n      tolerance: 5m\n",
    )
    .unwrap();
    // A missing secret is named, and the receiver does not start.
    refuses_to_start(
        dir.path(),
        "127.0.0.1:0",
        "handoff.yaml:4: the signature of storefront-order-to-erp reads its secret from $SHOP_SECRET, which is not set",
    );

    let server = start(
        dir.path(),
        &[],
        &[("SHOP_SECRET", "shh"), ("STRIPE_SECRET", "whsec_1")],
    );
    let order = br#"{"order_id": "3f2b8c1e-5d4a-4f6b-9c7d-2e1a0b9c8d7e"}"#;
    let good = handoff_serve::signature::base64_mac(b"shh", order);
    let send = |reference: &str, header: (&str, &str), body: &[u8]| {
        request(
            server.addr,
            "POST",
            &format!("/capture/{reference}"),
            &[header],
            body,
        )
    };
    let ok = send(
        "storefront-order-to-erp",
        ("X-Shopify-Hmac-Sha256", &good),
        order,
    );
    assert_eq!(ok.status, 202, "{}", ok.body);
    let wrong = send(
        "storefront-order-to-erp",
        (
            "X-Shopify-Hmac-Sha256",
            &handoff_serve::signature::base64_mac(b"guess", order),
        ),
        order,
    );
    assert_eq!(wrong.status, 401);
    assert_eq!(
        wrong.json()["error"]["message"],
        "the X-Shopify-Hmac-Sha256 signature does not match the body: the secret differs, or the body was changed after signing (sign the exact bytes sent); nothing was recorded"
    );
    let missing = send("storefront-order-to-erp", ("X-Other", "1"), order);
    assert_eq!(missing.status, 401);

    let event = br#"{"id": "evt_1"}"#;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let stripe = |t: u64| {
        let v1 =
            handoff_serve::signature::hex_mac(b"whsec_1", &[t.to_string().as_bytes(), b".", event]);
        format!("t={t},v1={v1}")
    };
    let fresh = send(
        "payment-status-to-storefront",
        ("Stripe-Signature", &stripe(now)),
        event,
    );
    assert_eq!(fresh.status, 202, "{}", fresh.body);
    let stale = send(
        "payment-status-to-storefront",
        ("Stripe-Signature", &stripe(now - 600)),
        event,
    );
    assert_eq!(stale.status, 401);
    assert!(
        stale.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("beyond the 300 s tolerance"),
        "{}",
        stale.body
    );

    let m = request(server.addr, "GET", "/metrics", &[], b"").body;
    assert_eq!(
        metric(
            &m,
            "handoff_signatures_rejected_total{contract=\"storefront-order-to-erp\"}"
        ),
        2
    );
    assert_eq!(
        metric(
            &m,
            "handoff_signatures_rejected_total{contract=\"payment-status-to-storefront\"}"
        ),
        1
    );
    let (code, said) = server.stop();
    assert_eq!(code, 0);
    assert_eq!(
        said.last().unwrap(),
        "handoff serve: stopped; 2 payloads recorded in 2 files"
    );
}

#[test]
fn limits_tokens_and_reject_invalid() {
    let dir = project();
    // Beyond loopback, no token: refused before binding.
    refuses_to_start(dir.path(), "0.0.0.0:0", "is reachable from other machines");

    let server = start(
        dir.path(),
        &["--max-payload-bytes", "2KB", "--reject-invalid"],
        &[("HANDOFF_SERVE_TOKEN", "t0ken")],
    );
    let auth = ("Authorization", "Bearer t0ken");
    let path = "/capture/storefront-order-to-erp";
    let no_token = request(server.addr, "POST", path, &[], b"{}");
    assert_eq!(no_token.status, 401);
    assert_eq!(no_token.headers["www-authenticate"], "Bearer");
    assert_eq!(
        request(server.addr, "GET", "/healthz", &[], b"").status,
        401
    );
    assert_eq!(
        request(server.addr, "GET", "/healthz", &[auth], b"").status,
        200
    );

    let big = format!("{{\"note\": \"{}\"}}", "x".repeat(3000));
    let too_large = request(server.addr, "POST", path, &[auth], big.as_bytes());
    assert_eq!(too_large.status, 413);
    assert_eq!(
        too_large.json()["error"]["message"],
        "the body is over the 2000-byte limit; nothing was recorded"
    );
    let invalid = request(server.addr, "POST", path, &[auth], b"{\"order_id\": 1}");
    assert_eq!(invalid.status, 422, "{}", invalid.body);
    assert_eq!(
        invalid.json()["results"][0]["findings"][0]["kind"],
        "missing_required"
    );
    let empty = request(server.addr, "POST", path, &[auth], b"  \n");
    assert_eq!(empty.status, 400);
    let unknown = request(
        server.addr,
        "POST",
        "/capture/storefront-order-to-rep",
        &[auth],
        b"{}",
    );
    assert_eq!(unknown.status, 404);
    assert!(
        unknown.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean"),
        "{}",
        unknown.body
    );
    let traversal = request(
        server.addr,
        "POST",
        "/capture/..%2F..%2Fetc%2Fpasswd",
        &[auth],
        b"{}",
    );
    assert_eq!(traversal.status, 404, "{}", traversal.body);
    let (code, said) = server.stop();
    assert_eq!(code, 0);
    // Only the invalid payload was recorded: a 422 is still a record, for triage.
    assert_eq!(
        said.last().unwrap(),
        "handoff serve: stopped; 1 payload recorded in 1 file"
    );
}

#[test]
fn sigterm_finishes_the_requests_in_flight_and_loses_none() {
    let dir = project();
    let server = start(dir.path(), &[], &[]);
    let body = br#"{"order_id": "3f2b8c1e-5d4a-4f6b-9c7d-2e1a0b9c8d7e", "note": "in flight"}"#;
    // Each request sends its head and half its body, so the server is reading all of them
    // when SIGTERM arrives; the rest follows after.
    let mut streams: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut s = TcpStream::connect(server.addr).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            let head = format!(
                "POST /capture/storefront-order-to-erp HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            s.write_all(head.as_bytes()).unwrap();
            s.write_all(&body[..10]).unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let pid = server.child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    std::thread::sleep(Duration::from_millis(300));
    let mut ids = Vec::new();
    for s in &mut streams {
        s.write_all(&body[10..]).unwrap();
        let r = read_reply(s);
        assert_eq!(r.status, 202, "{}", r.body);
        ids.push(r.headers["x-request-id"].clone());
    }
    let (code, said) = server.stop_after_signal();
    assert_eq!(code, 0);
    assert_eq!(
        said.last().unwrap(),
        "handoff serve: stopped; 20 payloads recorded in 1 file"
    );
    let capture_dir = dir.path().join("captures/storefront-order-to-erp");
    let mut recorded = Vec::new();
    for e in std::fs::read_dir(capture_dir).unwrap() {
        let p = e.unwrap().path();
        if p.to_string_lossy().ends_with(".receipts") {
            for l in std::fs::read_to_string(&p).unwrap().lines() {
                let v: Value = serde_json::from_str(l).unwrap();
                recorded.push(v["request_id"].as_str().unwrap().to_string());
            }
        }
    }
    ids.sort();
    recorded.sort();
    assert_eq!(recorded, ids);
}

impl Server {
    fn stop_after_signal(mut self) -> (i32, Vec<String>) {
        let status = self.child.wait().unwrap();
        let said: Vec<String> = self.err.iter().collect();
        (status.code().unwrap_or(-1), said)
    }
}

#[test]
fn more_requests_than_it_takes_at_once_are_told_to_retry() {
    let dir = project();
    let server = start(dir.path(), &["--max-concurrent", "1"], &[]);
    // The first request holds the one place while its body is still coming.
    let mut slow = TcpStream::connect(server.addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let body = br#"{"order_id": "x"}"#;
    let head = format!(
        "POST /capture/storefront-order-to-erp HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    slow.write_all(head.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let busy = post(server.addr, "storefront-order-to-erp", b"{}");
    assert_eq!(busy.status, 503, "{}", busy.body);
    assert_eq!(busy.headers["retry-after"], "1");
    assert_eq!(
        busy.json()["error"]["message"],
        "busy: 1 request in flight, the most this receiver takes at once (--max-concurrent); nothing was recorded"
    );
    slow.write_all(body).unwrap();
    assert_eq!(read_reply(&mut slow).status, 202);
    let m = request(server.addr, "GET", "/metrics", &[], b"").body;
    assert_eq!(
        metric(&m, "handoff_requests_refused_total{reason=\"busy\"}"),
        1
    );
    let (code, said) = server.stop();
    assert_eq!(code, 0);
    assert_eq!(
        said.last().unwrap(),
        "handoff serve: stopped; 1 payload recorded in 1 file"
    );
}

#[test]
fn an_edited_contract_is_used_without_a_restart_and_a_broken_edit_is_not() {
    let dir = project();
    let server = start(dir.path(), &[], &[]);
    let order = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/storefront-order-to-erp/valid/paid-two-lines.json"),
    )
    .unwrap();
    let first = post(server.addr, "storefront-order-to-erp@^2", &order);
    assert_eq!(first.status, 202, "{}", first.body);
    assert_eq!(first.json()["summary"]["violations"], 0, "{}", first.body);
    // The contract now forbids the order's currency: the next post after the look-again
    // interval is checked against the edit.
    let file = dir
        .path()
        .join("contracts/storefront-order-to-erp/2.0.0.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let payload: Value = serde_json::from_slice(&order).unwrap();
    let currency = payload["currency"].as_str().unwrap().to_string();
    assert!(
        text.contains("format: currency"),
        "the shipped contract checks currency"
    );
    let edited = text.replacen("format: currency", "enum: [XXX]", 1);
    assert_ne!(edited, text);
    std::fs::write(&file, &edited).unwrap();
    std::thread::sleep(Duration::from_millis(2200));
    let second = post(server.addr, "storefront-order-to-erp@^2", &order);
    assert_eq!(second.status, 202);
    let findings = second.json()["results"][0]["findings"].clone();
    assert!(
        findings
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["pointer"] == "/currency" && f["kind"] == "unknown_enum_value"),
        "{currency}: {findings}"
    );
    // A broken edit: the version loaded before goes on checking, and /healthz says why.
    std::fs::write(&file, "contract: [broken\n").unwrap();
    std::thread::sleep(Duration::from_millis(2200));
    let third = post(server.addr, "storefront-order-to-erp@^2", &order);
    assert_eq!(third.status, 202, "{}", third.body);
    let kinds = |f: &Value| -> Vec<(String, String)> {
        f.as_array()
            .unwrap()
            .iter()
            .map(|f| (f["kind"].to_string(), f["pointer"].to_string()))
            .collect()
    };
    assert_eq!(
        kinds(&third.json()["results"][0]["findings"]),
        kinds(&findings)
    );
    let health = request(server.addr, "GET", "/healthz", &[], b"").json();
    let c = &health["contracts"][0];
    assert_eq!(c["reference"], "storefront-order-to-erp@^2");
    assert_eq!(c["checks_against"], "storefront-order-to-erp@2.0.0");
    assert!(
        c["reload_error"]
            .as_str()
            .unwrap()
            .contains("the contract has"),
        "{health}"
    );
    let metrics = request(server.addr, "GET", "/metrics", &[], b"").body;
    assert!(
        metrics.contains(
            "handoff_contract_reload_failures_total{contract=\"storefront-order-to-erp@2.0.0\"} 1"
        ),
        "{metrics}"
    );
    let (code, _) = server.stop();
    assert_eq!(code, 0);
}
