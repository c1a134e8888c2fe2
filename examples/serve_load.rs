//! The load generator of benches/serve.sh: posts every line of an NDJSON file to a running
//! `handoff serve` over keep-alive HTTP/1.1 connections (loopback), bounded in count and
//! time, and prints what it measured as `key value` lines: requests, answers by status,
//! requests/s, latency percentiles.
//!
//!   serve_load ADDR REFERENCE FILE [--connections N] [--requests N] [--seconds S]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!(
            "usage: serve_load ADDR REFERENCE FILE [--connections N] [--requests N] [--seconds S]"
        );
        std::process::exit(2);
    }
    let flag = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map_or(default, |v| v.parse().expect("a number"))
    };
    let (addr, reference) = (args[1].clone(), args[2].clone());
    let connections = flag("--connections", 16);
    let total = flag("--requests", 100_000);
    let seconds = flag("--seconds", 60);
    let text = std::fs::read(&args[3]).expect("the payload file");
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(
        text.split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(<[u8]>::to_vec)
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds as u64);
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (bodies, next, addr, reference) = (bodies.clone(), next.clone(), addr.clone(), reference.clone());
            std::thread::spawn(move || {
                let mut latencies = Vec::new();
                let mut statuses = std::collections::BTreeMap::<u16, u64>::new();
                let stream = TcpStream::connect(&addr).expect("connect");
                stream.set_nodelay(true).ok();
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut writer = stream;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total || Instant::now() > deadline {
                        break;
                    }
                    let body = &bodies[i % bodies.len()];
                    let head = format!(
                        "POST /capture/{reference} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    );
                    let t = Instant::now();
                    writer.write_all(head.as_bytes()).expect("send");
                    writer.write_all(body).expect("send");
                    let status = read_reply(&mut reader);
                    latencies.push(t.elapsed());
                    *statuses.entry(status).or_default() += 1;
                }
                (latencies, statuses)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut statuses = std::collections::BTreeMap::<u16, u64>::new();
    for w in workers {
        let (l, s) = w.join().expect("worker");
        latencies.extend(l);
        for (k, v) in s {
            *statuses.entry(k).or_default() += v;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!("requests {}", latencies.len());
    for (status, n) in &statuses {
        println!("status_{status} {n}");
    }
    println!("seconds {elapsed:.3}");
    println!(
        "requests_per_second {:.0}",
        latencies.len() as f64 / elapsed
    );
    println!("p50_ms {:.2}", pct(0.50));
    println!("p99_ms {:.2}", pct(0.99));
    println!("max_ms {:.2}", pct(1.0));
}

/// Read one reply, returning its status; the body is read and dropped.
fn read_reply(reader: &mut BufReader<TcpStream>) -> u16 {
    let mut line = String::new();
    reader.read_line(&mut line).expect("status line");
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut length = 0usize;
    loop {
        line.clear();
        reader.read_line(&mut line).expect("header");
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).expect("body");
    status
}
