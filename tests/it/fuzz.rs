//! A bounded mutation fuzzer that runs in CI: the YAML contract loader, the JSON checker (with
//! every printer behind it) and the NDJSON reader are fed mutations of the corpus under
//! `fuzz/corpus/` (the example contracts, lint cases and captures) for a fixed time, and must
//! never panic. `HANDOFF_FUZZ_SECONDS` sets the time per target (default 5 in CI); a failing
//! input is written to `fuzz/crashes/` and named in the failure, so it can be added to the
//! corpus once fixed. The mutator is deterministic per seed (`HANDOFF_FUZZ_SEED`), so a run can
//! be repeated exactly.

use handoff_core::check::Checker;
use handoff_core::finding::{PayloadResult, PayloadSource};
use handoff_core::report::Summary;
use handoff_reports::printer::{
    GithubPrinter, JsonPrinter, JunitPrinter, MarkdownPrinter, NdjsonPrinter, Printer,
    SarifPrinter, TextPrinter,
};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// xorshift64*: small, fast and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Tokens that reach deep paths: structure, escapes, surrogates, huge numbers, controls.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b"\\",
    b"\\u",
    b"\\ud800",
    b"\\udc00",
    b"1e999",
    b"-0",
    b"0.00000000000000000001",
    b"18446744073709551616",
    b"null",
    b"true",
    b"\x1b[2J",
    b"\n",
    b"\r",
    b"\t",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"%Y%m%d",
    b"*",
    b"&a",
    b"<<: ",
    b"- ",
    b"  ",
    b"~1",
    b"/",
    b"'",
    b"#",
    b"!!binary ",
    b"\xe2\x80\xae",
];

fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut data = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(7) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                data.splice(at..at, token.iter().copied());
            }
            2 if !data.is_empty() => {
                let end = (at + rng.below(32)).min(data.len());
                data.drain(at.min(end)..end);
            }
            3 if !data.is_empty() => {
                let start = rng.below(data.len());
                let end = (start + rng.below(64)).min(data.len());
                let copy = data[start..end].to_vec();
                data.splice(at..at, copy);
            }
            4 => data.truncate(at),
            5 if !other.is_empty() => {
                let start = rng.below(other.len());
                let end = (start + rng.below(256)).min(other.len());
                data.splice(at..at, other[start..end].iter().copied());
            }
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())];
                let n = 1 + rng.below(64);
                data.splice(at..at, token.repeat(n));
            }
        }
    }
    data
}

fn corpus(kind: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let inputs: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    assert!(!inputs.is_empty(), "{} is empty", dir.display());
    inputs
}

fn budget() -> Duration {
    let seconds = std::env::var("HANDOFF_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0);
    Duration::from_secs_f64(seconds)
}

fn seed() -> u64 {
    std::env::var("HANDOFF_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234_abcd_0001)
}

/// Feed mutations to `target` until the time is up; on a panic, save the input and fail.
fn fuzz(name: &str, kind: &str, target: impl Fn(&[u8])) {
    let inputs = corpus(kind);
    let mut rng = Rng(seed() | 1);
    let start = Instant::now();
    let mut runs = 0u64;
    // Every corpus file as it is first, then mutations.
    let mut queue: Vec<Vec<u8>> = inputs.clone();
    while start.elapsed() < budget() || !queue.is_empty() {
        let input = match queue.pop() {
            Some(input) => input,
            None => {
                let a = &inputs[rng.below(inputs.len())];
                let b = &inputs[rng.below(inputs.len())];
                mutate(&mut rng, a, b)
            }
        };
        runs += 1;
        if catch_unwind(AssertUnwindSafe(|| target(&input))).is_err() {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/crashes");
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(format!("{name}-{runs}"));
            std::fs::write(&path, &input).unwrap();
            panic!(
                "{name} panicked on input {} (saved to {}): {:?}",
                runs,
                path.display(),
                String::from_utf8_lossy(&input)
            );
        }
    }
    println!(
        "fuzz {name}: {runs} inputs in {:.1} s, no panic",
        start.elapsed().as_secs_f64()
    );
}

fn checkers() -> Vec<Checker> {
    corpus("contract")
        .iter()
        .filter_map(|text| {
            let text = std::str::from_utf8(text).ok()?;
            let loaded = handoff_core::contract::parse(Path::new("corpus.yaml"), text);
            Checker::new(loaded.contract?).ok()
        })
        .collect()
}

#[test]
fn the_contract_loader_never_panics() {
    fuzz("contract", "contract", |bytes| {
        let text = String::from_utf8_lossy(bytes);
        let loaded = handoff_core::contract::parse(Path::new("fuzz.yaml"), &text);
        if let Some(contract) = loaded.contract {
            let _ = Checker::new(contract);
        }
        let _ = handoff_reports::config::parse(Path::new("handoff.yaml"), &text);
    });
}

#[test]
fn the_checker_and_every_printer_never_panic() {
    let checkers = checkers();
    assert!(checkers.len() >= 5, "the example contracts load");
    let pick = std::cell::Cell::new(0usize);
    fuzz("payload", "payload", |bytes| {
        let checker = &checkers[pick.get() % checkers.len()];
        pick.set(pick.get() + 1);
        let checked = checker.check_counted(bytes);
        let result = PayloadResult {
            source: PayloadSource {
                path: Arc::from("fuzz.json"),
                line: None,
            },
            contract: checker.contract().reference().into(),
            findings: checked.findings,
            known: 0,
            unlisted: checked.unlisted,
            text: Some(String::from_utf8_lossy(bytes).into()),
            text_origin: None,
        };
        let mut summary = Summary::default();
        summary.add(&result);
        let mut printers: Vec<Box<dyn Printer>> = vec![
            Box::new(TextPrinter::new(std::io::sink(), Default::default())),
            Box::new(JsonPrinter::new(std::io::sink())),
            Box::new(NdjsonPrinter::new(std::io::sink())),
            Box::new(JunitPrinter::new(std::io::sink())),
            Box::new(SarifPrinter::new(std::io::sink())),
            Box::new(GithubPrinter::new(std::io::sink(), None)),
            Box::new(MarkdownPrinter::new(std::io::sink())),
        ];
        for printer in &mut printers {
            printer.result(&result).unwrap();
            printer.finish(&summary).unwrap();
        }
    });
}

#[test]
fn the_ndjson_reader_accounts_for_every_line() {
    fuzz("ndjson", "ndjson", |bytes| {
        for capacity in [1, 7, 4096] {
            let mut last = 0;
            let mut seen = 0;
            handoff_core::input::read_lines(
                std::io::BufReader::with_capacity(capacity, bytes),
                64,
                |line, _| {
                    let line = line.expect("NDJSON payloads have line numbers");
                    assert!(line > last, "line numbers increase");
                    last = line;
                    seen += 1;
                },
            );
            let lines = bytes.split(|&b| b == b'\n').count() as u64;
            assert!(last <= lines, "{last} > {lines}");
            assert!(seen <= lines);
        }
    });
}

/// A result printed by every printer, as a run would.
fn print_everywhere(result: &PayloadResult) {
    let mut summary = Summary::default();
    summary.add(result);
    let mut printers: Vec<Box<dyn Printer>> = vec![
        Box::new(TextPrinter::new(std::io::sink(), Default::default())),
        Box::new(JsonPrinter::new(std::io::sink())),
        Box::new(SarifPrinter::new(std::io::sink())),
        Box::new(GithubPrinter::new(std::io::sink(), None)),
        Box::new(MarkdownPrinter::new(std::io::sink())),
    ];
    for printer in &mut printers {
        printer.result(result).unwrap();
        printer.finish(&summary).unwrap();
    }
}

fn contract_checker(file: &str) -> Checker {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let (checker, diags) = handoff_core::lint::prepare(&path);
    checker.unwrap_or_else(|| panic!("{file}: {diags:?}"))
}

fn record_result(outcome: handoff_core::check::records::Outcome, line: u64) -> PayloadResult {
    PayloadResult {
        source: PayloadSource {
            path: Arc::from("fuzz"),
            line: Some(line),
        },
        contract: "fuzz@1.0.0".into(),
        findings: outcome.findings,
        known: 0,
        unlisted: outcome.unlisted,
        text: outcome.text.map(Into::into),
        text_origin: outcome.origin,
    }
}

#[test]
fn the_x12_reader_checker_and_printers_never_panic() {
    let checker = contract_checker("contracts/edi-850-to-wms/2.0.0.yaml");
    fuzz("x12", "x12", |bytes| {
        handoff_core::x12::stream::read(bytes, 1 << 20, |item| {
            if let handoff_core::x12::stream::Item::Set(set) = item {
                let line = set.body.place.line;
                let outcome =
                    handoff_core::check::records::check_set(&checker, &set, Default::default());
                print_everywhere(&record_result(outcome, line));
            }
        })
        .unwrap();
    });
}

#[test]
fn the_csv_reader_checker_and_printers_never_panic() {
    let checker = contract_checker("contracts/wms-inventory-to-erp/1.0.0.yaml");
    let options = handoff_core::contract::layout::CsvOptions::default();
    fuzz("csv", "csv", |bytes| {
        handoff_core::flat::read(bytes, &options, b',', u64::MAX, |item| {
            if let handoff_core::flat::Item::Row(row) = item {
                let outcome =
                    handoff_core::check::records::check_row(&checker, &row, Default::default());
                print_everywhere(&record_result(outcome, row.line));
            }
        });
    });
}

/// The flow reader and its check against the contracts: flows mutated from the example
/// project's (a flow file, and handoff.yaml with its inline flow).
#[test]
fn the_flow_reader_and_validator_never_panic() {
    let contracts: Vec<handoff_core::contract::Contract> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/flows/contracts"))
            .unwrap()
            .filter_map(|dir| {
                let path = dir.ok()?.path().join("1.0.0.yaml");
                handoff_core::contract::load(&path).contract
            })
            .collect();
    fuzz("flow", "flow", |bytes| {
        let text = String::from_utf8_lossy(bytes);
        let _ = handoff_reports::config::parse(Path::new("handoff.yaml"), &text);
        let Ok(flow) = handoff_reports::reconcile::read::parse(Path::new("flow.yaml"), &text)
        else {
            return;
        };
        let named: Option<Vec<&handoff_core::contract::Contract>> = flow
            .systems
            .iter()
            .map(|s| {
                let id = s.contract.split('@').next().unwrap_or_default();
                contracts.iter().find(|c| c.id == id)
            })
            .collect();
        if let Some(named) = named {
            let _ = handoff_reports::reconcile::validate::validate(&flow, &named);
        }
    });
}
