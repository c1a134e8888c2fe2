//! The integration tests, as one binary (as ripgrep keeps them): one link instead of one per
//! file, which is most of what a clean `cargo test` spends on 2 cores. Each module is one area;
//! `common` holds what they share.

mod common;

mod agreement;
mod cli;
mod diff;
mod docs;
mod docs_commands;
mod embedding;
mod export;
mod first_hour;
mod fixtures;
mod flatfiles;
mod fuzz;
mod gaps;
mod hardening;
mod hostile;
mod import;
mod in_process;
mod infer;
mod keywords;
mod kinds;
mod layers;
mod lint;
mod native;
mod numbers;
mod output;
mod reconcile;
mod reconcile_dst;
mod reconcile_props;
mod repair;
mod review;
mod robustness;
mod serve;
mod suite;
mod triage;
mod workspace;
mod x12_corpus;
