//! The `handoff` command line: parses arguments and hands each command to its module under
//! `commands/`. Only the binary prints or picks an exit code: 0 clean, 1 violations found, 2
//! usage or contract error.

mod commands;

use clap::{Parser, Subcommand};
use commands::check::CheckArgs;
use commands::diff::DiffArgs;
use commands::explain::ExplainArgs;
use commands::lint::LintArgs;
use commands::partner::{AcceptsArgs, WhichArgs};
use commands::{ContractArgs, EXIT_ERROR, Fatal, RegistryArgs, print_out};
use std::process::ExitCode;

// Parsing payloads into JSON trees allocates many small objects on every thread; mimalloc
// measured 20-30% faster than the system allocator here (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "handoff",
    version,
    about = "Validate captured payloads against versioned integration contracts",
    after_help = "Exit codes: 0 clean, 1 violations found, 2 usage or contract error.\nDocs: README.md, docs/contract-format.md, docs/violations.md"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check payloads against their contracts (from handoff.yaml, or --contract and inputs)
    Check(CheckArgs),
    /// Check contract files themselves: YAML, keywords, regexes, formats, ranges, examples
    Lint(LintArgs),
    /// Explain in plain words what a contract, or one of its fields, accepts; or what a violation kind or gap kind means
    Explain(ExplainArgs),
    /// Print the JSON Schema (draft 2020-12) a contract compiles to, with handoff's own keywords
    Schema(ContractArgs),
    /// Export contracts for other tools: a JSON Schema, or OpenAPI 3.1 components
    #[command(subcommand)]
    Export(commands::export::ExportCommand),
    /// Write a contract from a JSON Schema or an OpenAPI document's schema
    #[command(subcommand)]
    Import(commands::import::ImportCommand),
    /// List the contracts in the registry, their boundaries and versions
    List(RegistryArgs),
    /// Compare two versions of a contract: every change, classified, and who it breaks
    Diff(DiffArgs),
    /// Is this value accepted at this field, and by which versions? (for partners)
    Accepts(AcceptsArgs),
    /// Which contracts and versions accept this payload? (for partners)
    Which(WhichArgs),
    /// A Markdown changelog across all versions of a contract, newest first
    Changelog {
        /// The contract id
        contract: String,
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// Explain a breaking-change rule of `handoff diff`
    ExplainRule {
        /// A rule ID such as enum-value-added; without one, list every rule
        rule: Option<String>,
    },
    /// Diagnose an exception log: which recurring exceptions are integration problems, which are
    /// process problems, what each costs, and which fix goes first
    Triage(commands::triage::TriageArgs),
    /// Join captures from several systems by entity and name every gap between them (order truth)
    Reconcile(commands::reconcile::ReconcileArgs),
    /// Repair payloads whose violations each have one correct fix: a JSON Patch per payload,
    /// offered only when the result passes the contract (written with --write)
    Repair(commands::repair::RepairArgs),
    /// Print the JSON tree handoff checks for each X12 transaction set or CSV row (write
    /// contracts against it)
    Render(commands::render::RenderArgs),
    /// List the violation kinds findings can have (or, with --gaps, the gap kinds of reconcile)
    Kinds {
        /// The gap kinds `handoff reconcile` reports, instead
        #[arg(long)]
        gaps: bool,
    },
    /// List the built-in value formats
    Formats,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => commands::check::cmd_check(args),
        Command::Lint(args) => commands::lint::cmd_lint(args),
        Command::Explain(args) => commands::explain::cmd_explain(args),
        Command::Schema(args) => commands::explain::cmd_schema(args),
        Command::Export(command) => commands::export::cmd_export(command),
        Command::Import(command) => commands::import::cmd_import(command),
        Command::List(args) => commands::explain::cmd_list(args),
        Command::Diff(args) => commands::diff::cmd_diff(args),
        Command::ExplainRule { rule } => commands::diff::cmd_explain_rule(rule.as_deref()),
        Command::Accepts(args) => commands::partner::cmd_accepts(args),
        Command::Changelog { contract, registry } => {
            commands::diff::cmd_changelog(&contract, registry)
        }
        Command::Which(args) => commands::partner::cmd_which(args),
        Command::Triage(args) => commands::triage::cmd_triage(args),
        Command::Reconcile(args) => commands::reconcile::cmd_reconcile(args),
        Command::Repair(args) => commands::repair::cmd_repair(args),
        Command::Render(args) => commands::render::cmd_render(args),
        Command::Kinds { gaps } => print_out(&commands::explain::kinds_table(gaps)),
        Command::Formats => print_out(&handoff_core::explain::builtin_formats()),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Fatal { details, message }) => {
            anstream::eprint!("{details}");
            eprintln!("handoff: error: {message}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
