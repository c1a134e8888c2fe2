//! The benchmark floor: the least work that can check NDJSON with the same crates, for
//! benches/compare.sh to measure handoff against. It reads lines into one buffer, parses each
//! into a `serde_json::Value` and asks a compiled `jsonschema::Validator` whether it is valid,
//! counting; no findings, no output. `--parse-only` skips validation.
//!
//!   cargo run --release --example floor -- SCHEMA.json CORPUS.ndjson [--parse-only]

use std::io::{BufRead, BufReader};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (schema_path, corpus_path) = match args.as_slice() {
        [_, schema, corpus, ..] => (schema, corpus),
        _ => {
            eprintln!("usage: floor SCHEMA.json CORPUS.ndjson [--parse-only]");
            std::process::exit(2);
        }
    };
    let parse_only = args.iter().any(|a| a == "--parse-only");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).expect("schema readable"))
            .expect("schema is JSON");
    // The options handoff's engine uses (draft 2020-12, formats asserted, linear-time regex).
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .with_pattern_options(jsonschema::PatternOptions::regex())
        .build(&schema)
        .expect("schema compiles");
    let mut reader = BufReader::with_capacity(
        256 * 1024,
        std::fs::File::open(corpus_path).expect("corpus readable"),
    );
    let mut line = Vec::new();
    let (mut valid, mut invalid, mut malformed) = (0u64, 0u64, 0u64);
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).expect("read") == 0 {
            break;
        }
        match serde_json::from_slice::<serde_json::Value>(&line) {
            Ok(_) if parse_only => valid += 1,
            Ok(value) if validator.is_valid(&value) => valid += 1,
            Ok(_) => invalid += 1,
            Err(_) => malformed += 1,
        }
    }
    println!("{valid} valid, {invalid} invalid, {malformed} malformed");
}
