//! Embedding handoff's core: check payloads against a contract from the registry and print one
//! line per finding. A `.ndjson` or `.jsonl` file holds a payload per line; any other file is
//! one payload. Run from the project root:
//!
//! ```sh
//! cargo run --example embed -- storefront-order-to-erp@^2 fixtures/storefront-order-to-erp/invalid/*.json
//! ```

use handoff_core::{Redact, load_reference};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(reference) = args.next() else {
        eprintln!("usage: embed REFERENCE FILE...");
        return ExitCode::from(2);
    };
    // Values of `sensitive` fields stay hidden in every finding; card numbers are always masked.
    let checker = match load_reference("contracts".as_ref(), &reference, Redact::Sensitive) {
        Ok(checker) => checker,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut failing = 0;
    for file in args {
        let Ok(bytes) = std::fs::read(&file) else {
            eprintln!("cannot read {file}");
            return ExitCode::from(2);
        };
        let lines = file.ends_with(".ndjson") || file.ends_with(".jsonl");
        let payloads: Vec<&[u8]> = if lines {
            bytes.split(|b| *b == b'\n').collect()
        } else {
            vec![&bytes]
        };
        for (n, payload) in payloads.into_iter().enumerate() {
            if payload.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let findings = checker.check(payload);
            failing += usize::from(!findings.is_empty());
            for f in findings {
                println!(
                    "{file}:{}: {} at {}: {}",
                    n + 1,
                    f.kind.id(),
                    f.pointer,
                    f.message
                );
            }
        }
    }
    println!("{failing} payload(s) with findings");
    ExitCode::from(u8::from(failing > 0))
}
