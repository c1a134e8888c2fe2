//! The `handoff` command line as a library: arguments, dispatch to one module per command under
//! `commands/`, and the streams they write to. [`run`] runs a command line in-process over any
//! two writers (the tests do); the `handoff` binary is [`main`]. Only this crate prints or picks
//! an exit code: 0 clean, 1 findings, 2 usage or contract error ([`Exit`]).

mod commands;
mod console;

use clap::{Parser, Subcommand};
use commands::check::CheckArgs;
use commands::diff::DiffArgs;
use commands::explain::ExplainArgs;
use commands::lint::LintArgs;
use commands::partner::{AcceptsArgs, WhichArgs};
use commands::{ContractArgs, Fatal, RegistryArgs, print_out};
use console::Console;
use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;

/// How a run of the command line ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: nothing to report (or help and version asked for).
    Clean,
    /// 1: findings, gaps or breaking changes that fail the run.
    Findings,
    /// 2: a usage error, a contract that does not load, or input that cannot be read.
    Error,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Clean => commands::EXIT_CLEAN,
            Exit::Findings => commands::EXIT_VIOLATIONS,
            Exit::Error => commands::EXIT_ERROR,
        }
    }

    fn from_code(code: u8) -> Exit {
        match code {
            commands::EXIT_CLEAN => Exit::Clean,
            commands::EXIT_VIOLATIONS => Exit::Findings,
            _ => Exit::Error,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

/// Runs one command line (`args`, its first item the program name) in this process, writing
/// what the program would print to `stdout` and `stderr`. Neither is a terminal: output is
/// uncoloured unless `--color always` or `CLICOLOR_FORCE` asks, and there is no progress
/// spinner. Paths are relative to the process's current directory; standard input is the
/// process's own.
pub fn run<I, T>(args: I, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    dispatch(args, &mut Console::new(stdout, stderr))
}

/// The `handoff` program: the process's arguments and standard streams.
pub fn main() -> ExitCode {
    let (mut out, mut err) = (io::stdout(), io::stderr());
    dispatch(
        std::env::args_os(),
        &mut Console::process(&mut out, &mut err),
    )
    .into()
}

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
    /// The review gate: list the repair proposals waiting for a decision, approve or reject one
    Review(commands::review::ReviewArgs),
    /// Print the JSON tree handoff checks for each X12 transaction set or CSV row (write
    /// contracts against it)
    Render(commands::render::RenderArgs),
    /// Start a project here: handoff.yaml, contracts/ and, from captures, drafted contracts with their checks
    Init(commands::init::InitArgs),
    /// Draft a contract from captured payloads, each constraint with the evidence it was drawn from
    Infer(commands::infer::InferArgs),
    /// Receive webhooks live: record each to its contract's captures and answer with its findings
    Serve(commands::serve::ServeArgs),
    /// List the violation kinds findings can have (or, with --gaps, the gap kinds of reconcile)
    Kinds {
        /// The gap kinds `handoff reconcile` reports, instead
        #[arg(long)]
        gaps: bool,
    },
    /// List the built-in value formats
    Formats,
    /// Print a completion script for a shell: `handoff completions bash > /etc/bash_completion.d/handoff`
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a manual page in roff: handoff(1), or a command's (`handoff man check`); with
    /// --out-dir, write every page there
    Man {
        /// A command, for its page handoff-COMMAND(1)
        command: Option<String>,
        /// Write handoff.1 and every handoff-COMMAND.1 into this directory
        #[arg(long, conflicts_with = "command")]
        out_dir: Option<std::path::PathBuf>,
        /// Write the pages outside the project directory
        #[arg(long, requires = "out_dir")]
        allow_outside: bool,
    },
}

/// The argument definitions, for the generated completions and manual pages.
pub(crate) fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

fn dispatch<I, T>(args: I, con: &mut Console<'_>) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        // Help and the version go to standard output (exit 0); usage errors to standard error.
        Err(e) => {
            let text = e.render().ansi().to_string();
            let _ = if e.use_stderr() {
                con.styled_err().write_all(text.as_bytes())
            } else {
                con.styled_out().write_all(text.as_bytes())
            };
            return if e.exit_code() == 0 {
                Exit::Clean
            } else {
                Exit::Error
            };
        }
    };
    let result = match cli.command {
        Command::Check(args) => commands::check::cmd_check(args, con),
        Command::Lint(args) => commands::lint::cmd_lint(args, con),
        Command::Explain(args) => commands::explain::cmd_explain(args, con),
        Command::Schema(args) => commands::explain::cmd_schema(args, con),
        Command::Export(command) => commands::export::cmd_export(command, con),
        Command::Import(command) => commands::import::cmd_import(command, con),
        Command::List(args) => commands::explain::cmd_list(args, con),
        Command::Diff(args) => commands::diff::cmd_diff(args, con),
        Command::ExplainRule { rule } => commands::diff::cmd_explain_rule(rule.as_deref(), con),
        Command::Accepts(args) => commands::partner::cmd_accepts(args, con),
        Command::Changelog { contract, registry } => {
            commands::diff::cmd_changelog(&contract, registry, con)
        }
        Command::Which(args) => commands::partner::cmd_which(args, con),
        Command::Triage(args) => commands::triage::cmd_triage(args, con),
        Command::Reconcile(args) => commands::reconcile::cmd_reconcile(args, con),
        Command::Repair(args) => commands::repair::cmd_repair(args, con),
        Command::Render(args) => commands::render::cmd_render(args, con),
        Command::Review(args) => commands::review::cmd_review(args, con),
        Command::Serve(args) => commands::serve::cmd_serve(args, con),
        Command::Infer(args) => commands::infer::cmd_infer(args, con),
        Command::Init(args) => commands::init::cmd_init(args, con),
        Command::Kinds { gaps } => print_out(con, &commands::explain::kinds_table(gaps)),
        Command::Formats => print_out(con, &handoff_core::explain::builtin_formats()),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut command(), "handoff", &mut out);
            print_out(con, &String::from_utf8_lossy(&out))
        }
        Command::Man {
            command,
            out_dir,
            allow_outside,
        } => commands::man(command.as_deref(), out_dir.as_deref(), allow_outside, con),
    };
    match result {
        Ok(code) => Exit::from_code(code),
        Err(Fatal { details, message }) => {
            let _ = con.styled_err().write_all(details.as_bytes());
            console::note!(con, "handoff: error: {message}");
            Exit::Error
        }
    }
}
