//! The `handoff` command line. This is the only place that prints or picks an exit code:
//! 0 clean, 1 violations found, 2 usage or contract error.

use clap::{Parser, Subcommand, ValueEnum};
use handoff::baseline::{Baseline, Entry};
use handoff::check::Checker;
use handoff::config::{self, Config};
use handoff::diagnostic::{Diagnostic, did_you_mean};
use handoff::finding::Kind;
use handoff::input::{self, Framing};
use handoff::printer::changes as changes_out;
use handoff::printer::{
    Format, GithubPrinter, JsonPrinter, JunitPrinter, MarkdownPrinter, NdjsonPrinter, Printer,
    SarifPrinter, Sources, TextPrinter,
};
use handoff::registry::{Registry, is_path_reference};
use handoff::report::FailOn;
use handoff::report::Summary;
use handoff::run::{self, Job};
use handoff::{diff, explain, lint};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

// Parsing payloads into JSON trees allocates many small objects on every thread; mimalloc
// measured 20-30% faster than the system allocator here (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const EXIT_CLEAN: u8 = 0;
const EXIT_VIOLATIONS: u8 = 1;
const EXIT_ERROR: u8 = 2;

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
    /// Explain in plain words what a contract, or one of its fields, accepts
    Explain(ExplainArgs),
    /// Print the JSON Schema (draft 2020-12) a contract compiles to
    Schema(ContractArgs),
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
    /// List the violation kinds findings can have
    Kinds,
    /// List the built-in value formats
    Formats,
}

#[derive(Clone, Copy, ValueEnum)]
enum LintFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum InputFormat {
    /// By extension: .ndjson and .jsonl are NDJSON; anything else (and stdin) one JSON document
    Auto,
    Json,
    Ndjson,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Payload files, directories (searched recursively), globs, or - for stdin
    inputs: Vec<String>,
    /// Contract to check the inputs against: id, id@version, id@^major, or a file path
    #[arg(short, long, value_name = "REF")]
    contract: Option<String>,
    /// Project file (default: handoff.yaml in this directory or the nearest one above)
    #[arg(long, value_name = "FILE", env = "HANDOFF_CONFIG")]
    config: Option<PathBuf>,
    /// Contract registry directory (default: from handoff.yaml, else ./contracts)
    #[arg(long, value_name = "DIR")]
    contracts: Option<PathBuf>,
    /// Output format [default: text, or `format` in handoff.yaml]
    #[arg(short, long, value_enum)]
    format: Option<Format>,
    /// Write the report to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// How to split inputs into payloads
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    input_format: InputFormat,
    /// Largest payload (a file, or one NDJSON line) to check; larger ones are reported
    #[arg(long, value_name = "BYTES", default_value_t = run::DEFAULT_MAX_PAYLOAD_BYTES)]
    max_payload_bytes: u64,
    /// Which findings fail the run (exit 1): any, never, or kinds separated by commas
    #[arg(long, value_name = "POLICY")]
    fail_on: Option<String>,
    /// Report at most N findings; the summary still counts all of them
    #[arg(long, value_name = "N")]
    max_findings: Option<u64>,
    /// Text format: print only the summary
    #[arg(short, long)]
    quiet: bool,
    /// Text format: also list payloads that passed
    #[arg(short, long)]
    verbose: bool,
    /// Report only findings this baseline does not list, and the entries that no longer occur
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record every finding of this run as the new baseline
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Colour: auto honours NO_COLOR, CLICOLOR_FORCE and whether output is a terminal
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
    /// Never show a progress indicator (it only ever appears on an interactive terminal)
    #[arg(long)]
    no_progress: bool,
    /// Threads checking payloads [default: one per core]; output order does not depend on it
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args)]
struct LintArgs {
    /// Contract files or directories (default: every contract in the registry)
    paths: Vec<PathBuf>,
    #[arg(long, value_name = "DIR")]
    contracts: Option<PathBuf>,
    #[arg(long, value_name = "FILE", env = "HANDOFF_CONFIG")]
    config: Option<PathBuf>,
    #[arg(short, long, value_enum, default_value_t = LintFormat::Text)]
    format: LintFormat,
}

#[derive(clap::Args)]
struct ContractArgs {
    /// id, id@version, id@^major, or a file path
    contract: String,
    #[arg(long, value_name = "DIR")]
    contracts: Option<PathBuf>,
    #[arg(long, value_name = "FILE", env = "HANDOFF_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(clap::Args)]
struct RegistryArgs {
    #[arg(long, value_name = "DIR")]
    contracts: Option<PathBuf>,
    #[arg(long, value_name = "FILE", env = "HANDOFF_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(clap::Args)]
struct AcceptsArgs {
    /// The contract: id (every version), id@requirement (the versions matching it), or a file
    contract: String,
    /// The field, as a JSON Pointer: /event_code, /line_items/*/sku
    pointer: String,
    /// The value: JSON (5, true, "01", null), or else taken as a string (REFUND_FAILED)
    value: String,
    #[arg(short, long, value_enum, default_value_t = LintFormat::Text)]
    format: LintFormat,
    #[command(flatten)]
    registry: RegistryArgs,
}

#[derive(clap::Args)]
struct WhichArgs {
    /// A payload file (JSON), or - for stdin
    payload: PathBuf,
    #[arg(short, long, value_enum, default_value_t = LintFormat::Text)]
    format: LintFormat,
    #[command(flatten)]
    registry: RegistryArgs,
}

#[derive(clap::Args)]
struct DiffArgs {
    /// The old version: id@version or a file path
    #[arg(required_unless_present = "against")]
    old: Option<String>,
    /// The new version: id@version, id (newest), or a file path
    #[arg(required_unless_present = "against")]
    new: Option<String>,
    /// Compare each contract's newest version in the working tree with its newest at this git
    /// revision (for pull requests: --against origin/main)
    #[arg(long, value_name = "REV", conflicts_with_all = ["old", "new"])]
    against: Option<String>,
    /// Check a compatibility mode instead of severities: backward, forward or full, each
    /// optionally -transitive (against every earlier version in the registry)
    #[arg(long, value_name = "MODE", value_parser = ["backward", "forward", "full", "backward-transitive", "forward-transitive", "full-transitive"])]
    mode: Option<String>,
    /// Exit 1 when a change of this severity or worse is found
    #[arg(long, value_name = "SEVERITY", default_value = "breaking", value_parser = ["breaking", "warning", "info"])]
    fail_on: String,
    #[arg(short, long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
    /// Text format: add a unified diff of the two YAML files under the classified changes
    #[arg(long)]
    text: bool,
    #[command(flatten)]
    registry: RegistryArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    Text,
    Json,
    /// A Markdown table for a pull-request comment
    Markdown,
}

#[derive(clap::Args)]
struct ExplainArgs {
    #[command(flatten)]
    target: ContractArgs,
    /// A field, as a JSON Pointer: /line_items/*/sku or /line_items/0/sku
    field: Option<String>,
}

/// A failure that ends the command with exit code 2: located diagnostics, if any, then the
/// one-line reason.
struct Fatal {
    details: String,
    message: String,
}

impl Fatal {
    fn new(message: impl Into<String>) -> Fatal {
        Fatal {
            details: String::new(),
            message: message.into(),
        }
    }
}

impl From<io::Error> for Fatal {
    fn from(err: io::Error) -> Self {
        Fatal::new(format!("cannot write output: {err}"))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => cmd_check(args),
        Command::Lint(args) => cmd_lint(args),
        Command::Explain(args) => cmd_explain(args),
        Command::Schema(args) => cmd_schema(args),
        Command::List(args) => cmd_list(args),
        Command::Diff(args) => cmd_diff(args),
        Command::ExplainRule { rule } => cmd_explain_rule(rule.as_deref()),
        Command::Accepts(args) => cmd_accepts(args),
        Command::Changelog { contract, registry } => cmd_changelog(&contract, registry),
        Command::Which(args) => cmd_which(args),
        Command::Kinds => print_out(&kinds_table()),
        Command::Formats => print_out(&explain::builtin_formats()),
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

fn print_out(text: &str) -> Result<u8, Fatal> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(EXIT_CLEAN),
    }
}

fn kinds_table() -> String {
    Kind::ALL
        .iter()
        .map(|k| format!("{:20} {}\n", k.id(), k.description()))
        .collect()
}

/// The project file, when one applies: `--config`/`HANDOFF_CONFIG`, else the nearest one up.
fn project_config(explicit: Option<&Path>) -> Result<Option<Config>, Fatal> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => std::env::current_dir()
            .ok()
            .and_then(|cwd| config::discover(&cwd))
            .map(|p| relative_to_cwd(&p)),
    };
    match path {
        None => Ok(None),
        Some(p) => config::load(&p)
            .map(Some)
            .map_err(|diags| unusable(&diags, &format!("the configuration {}", p.display()))),
    }
}

fn relative_to_cwd(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

fn registry_for(explicit: Option<&Path>, config: Option<&Config>) -> Registry {
    match (explicit, config) {
        (Some(dir), _) => Registry::new(dir),
        (None, Some(cfg)) => Registry::new(cfg.base.join(&cfg.contracts)),
        (None, None) => Registry::new("contracts"),
    }
}

/// Diagnostics that make a file unusable, as a fatal error naming the file.
fn unusable(diags: &[Diagnostic], what: &str) -> Fatal {
    let details = diags
        .iter()
        .map(|d| format!("{}\n", render_diagnostic(d)))
        .collect();
    let errors = diags.iter().filter(|d| d.is_error()).count();
    Fatal {
        details,
        message: format!(
            "{what} has {errors} error{}; nothing was checked",
            if errors == 1 { "" } else { "s" }
        ),
    }
}

/// A diagnostic with the offending source line under it.
fn render_diagnostic(d: &Diagnostic) -> String {
    let source = std::fs::read_to_string(&d.file).ok();
    handoff::printer::diagnostics::render(d, source.as_deref())
}

/// Load a contract for use, or explain why it cannot be used.
fn prepare(path: &Path) -> Result<Checker, Fatal> {
    let (checker, diags) = lint::prepare(path);
    checker.ok_or_else(|| unusable(&diags, &format!("the contract {}", path.display())))
}

fn cmd_check(args: CheckArgs) -> Result<u8, Fatal> {
    let explicit_config = args.config.as_deref();
    let framing = match args.input_format {
        InputFormat::Auto => Framing::Auto,
        InputFormat::Json => Framing::Json,
        InputFormat::Ndjson => Framing::Ndjson,
    };
    // Work out which inputs go to which contract file.
    let mut plan: Vec<(PathBuf, Vec<String>)> = Vec::new();
    let mut routing_error = false;
    let config = if args.contract.is_some() && explicit_config.is_none() {
        // Ad-hoc use needs no project file, but honours one for the registry location.
        project_config(None).ok().flatten()
    } else {
        project_config(explicit_config)?
    };
    let registry = registry_for(args.contracts.as_deref(), config.as_ref());
    if let Some(reference) = &args.contract {
        if args.inputs.is_empty() {
            return Err(Fatal::new(
                "no inputs: give payload files, directories, globs, or - for stdin",
            ));
        }
        let path = resolve(&registry, reference)?;
        plan.push((path, args.inputs.clone()));
    } else {
        let Some(cfg) = &config else {
            return Err(Fatal::new(
                "no handoff.yaml found here or in any parent directory\n  = help: run `handoff check --contract <id> <inputs...>`, or create handoff.yaml (see README.md)",
            ));
        };
        if !args.inputs.is_empty() {
            // Route each named file to the checks whose inputs cover it.
            let (files, errors) = input::expand(&args.inputs, Path::new("."));
            for err in errors {
                eprintln!("handoff: error: {err}");
                routing_error = true;
            }
            let mut routed: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for file in files {
                let input::Input::File(path) = &file else {
                    eprintln!(
                        "handoff: error: standard input needs --contract: handoff.yaml maps files, not streams"
                    );
                    routing_error = true;
                    continue;
                };
                let specs = cfg.route(path);
                if specs.is_empty() {
                    eprintln!(
                        "handoff: error: {}: no check in {} covers this file\n  = help: add it to a check's inputs, or name the contract with --contract",
                        path.display(),
                        cfg.path.display()
                    );
                    routing_error = true;
                }
                for spec in specs {
                    routed
                        .entry(spec.contract.clone())
                        .or_default()
                        .push(path.display().to_string());
                }
            }
            for (contract, files) in routed {
                plan.push((resolve(&registry, &contract)?, files));
            }
        }
        for spec in cfg.checks.iter().filter(|_| args.inputs.is_empty()) {
            let path = resolve(&registry, &spec.contract)?;
            let inputs = spec
                .inputs
                .iter()
                .map(|i| join_display(&cfg.base, i))
                .collect();
            plan.push((path, inputs));
        }
    }

    // Contracts first: a broken contract stops the run before any payload is judged by it.
    let mut checkers: BTreeMap<PathBuf, Checker> = BTreeMap::new();
    let mut broken: Vec<Fatal> = Vec::new();
    for (path, _) in &plan {
        if checkers.contains_key(path) {
            continue;
        }
        match prepare(path) {
            Ok(checker) => {
                checkers.insert(path.clone(), checker);
            }
            Err(fatal) => broken.push(fatal),
        }
    }
    if !broken.is_empty() {
        let details = broken.iter().map(|f| f.details.as_str()).collect();
        let message = broken
            .iter()
            .map(|f| f.message.as_str())
            .collect::<Vec<_>>()
            .join("\nhandoff: error: ");
        return Err(Fatal { details, message });
    }

    let mut usage_error = routing_error;
    let mut jobs = Vec::new();
    for (path, args_in) in &plan {
        let (inputs, errors) = input::expand(args_in, Path::new("."));
        for err in errors {
            eprintln!("handoff: error: {err}");
            usage_error = true;
        }
        jobs.push(Job {
            checker: &checkers[path],
            inputs,
        });
    }

    let options = run::Options {
        base: PathBuf::from("."),
        framing,
        max_payload_bytes: args.max_payload_bytes,
        jobs: args.jobs.map_or_else(run::default_jobs, usize::from),
    };
    let cfg = config.as_ref();
    let from_config = |p: &Option<PathBuf>| cfg.and_then(|c| p.as_ref().map(|p| c.base.join(p)));
    let format = args
        .format
        .or(cfg.and_then(|c| c.format))
        .unwrap_or(Format::Text);
    let fail_on = match &args.fail_on {
        Some(text) => FailOn::parse(text).map_err(Fatal::new)?,
        None => cfg.and_then(|c| c.fail_on.clone()).unwrap_or_default(),
    };
    let output_path = args
        .output
        .clone()
        .or_else(|| from_config(&cfg.and_then(|c| c.output.clone())));
    let baseline_path = args
        .baseline
        .clone()
        .or_else(|| from_config(&cfg.and_then(|c| c.baseline.clone())));
    // Writing a baseline records everything; comparing with the old one would hide findings.
    let baseline = match (&baseline_path, &args.write_baseline) {
        (Some(path), None) => Some(Baseline::load(path).map_err(Fatal::new)?),
        _ => None,
    };
    match args.color {
        ColorWhen::Auto => {}
        ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
    }

    let out: Box<dyn Write> = match &output_path {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| Fatal::new(format!("cannot write {}: {e}", path.display())))?;
            Box::new(BufWriter::new(anstream::AutoStream::new(
                file,
                anstream::ColorChoice::Never,
            )))
        }
        None => Box::new(BufWriter::with_capacity(
            64 * 1024,
            anstream::AutoStream::auto(io::stdout()),
        )),
    };
    let sources: Sources = checkers
        .values()
        .map(|c| {
            (
                c.contract().source.path.display().to_string(),
                c.contract().source.text.clone(),
            )
        })
        .collect();
    let mut printer: Box<dyn Printer> = match format {
        Format::Text => {
            let mut p = TextPrinter::new(out, sources);
            p.verbose = args.verbose;
            p.quiet = args.quiet;
            Box::new(p)
        }
        Format::Json => Box::new(JsonPrinter::new(out)),
        Format::Ndjson => Box::new(NdjsonPrinter::new(out)),
        Format::Junit => Box::new(JunitPrinter::new(out)),
        Format::Sarif => Box::new(SarifPrinter::new(out)),
        Format::Github => Box::new(GithubPrinter::new(
            out,
            std::env::var_os("GITHUB_STEP_SUMMARY").map(PathBuf::from),
        )),
        Format::Markdown => Box::new(MarkdownPrinter::new(out)),
    };

    let progress = progress_bar(args.no_progress || format == Format::Github);
    let mut summary = Summary::default();
    let mut seen = BTreeSet::new();
    let mut recorded = Baseline::default();
    let mut budget = args.max_findings.unwrap_or(u64::MAX);
    let mut failing = false;
    let mut write_error: Option<io::Error> = None;
    run::execute(&jobs, &options, &mut |mut result| {
        progress.inc(1);
        if args.write_baseline.is_some() || baseline.is_some() {
            let entries: Vec<Entry> = result
                .findings
                .iter()
                .map(|f| Entry::of(&result.contract, f))
                .collect();
            if let Some(known) = &baseline {
                let mut kept = Vec::with_capacity(result.findings.len());
                for (finding, entry) in std::mem::take(&mut result.findings)
                    .into_iter()
                    .zip(&entries)
                {
                    if known.contains(entry) {
                        result.known += 1;
                    } else {
                        kept.push(finding);
                    }
                }
                result.findings = kept;
                seen.extend(entries.iter().cloned());
            }
            if args.write_baseline.is_some() {
                entries.into_iter().for_each(|e| recorded.insert(e));
            }
        }
        failing |= result.findings.iter().any(|f| fail_on.fails(f.kind));
        // Count everything; print within the budget.
        summary.add(&result);
        if (result.findings.len() as u64) > budget {
            summary.omitted += result.findings.len() as u64 - budget;
            result.findings.truncate(budget as usize);
        }
        budget -= result.findings.len() as u64;
        if write_error.is_none()
            && let Err(e) = printer.result(&result)
        {
            write_error = Some(e);
        }
    });
    progress.finish_and_clear();
    if let Some(known) = &baseline {
        summary.fixed = known.fixed(&seen);
    }
    if let Some(path) = &args.write_baseline {
        std::fs::write(path, recorded.to_json())
            .map_err(|e| Fatal::new(format!("cannot write baseline {}: {e}", path.display())))?;
        eprintln!(
            "handoff: wrote {} baseline entr{} to {}",
            recorded.len(),
            if recorded.len() == 1 { "y" } else { "ies" },
            path.display()
        );
    }
    summary.baseline_written = args.write_baseline.is_some();
    summary.exit_code = if usage_error {
        EXIT_ERROR
    } else if failing && args.write_baseline.is_none() {
        EXIT_VIOLATIONS
    } else {
        EXIT_CLEAN
    };
    if write_error.is_none()
        && let Err(e) = printer.finish(&summary)
    {
        write_error = Some(e);
    }
    drop(printer);
    if let Some(err) = write_error.filter(|e| e.kind() != io::ErrorKind::BrokenPipe) {
        return Err(err.into());
    }
    Ok(summary.exit_code)
}

/// A spinner with counts on an interactive terminal; hidden in CI logs and pipes.
fn progress_bar(disabled: bool) -> ProgressBar {
    let interactive = io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    if disabled || !interactive {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} checked {human_pos} payloads ({per_sec}) {elapsed}",
        )
        .expect("a valid template"),
    );
    bar
}

fn join_display(base: &Path, input: &str) -> String {
    if input == "-" || base.as_os_str().is_empty() || Path::new(input).is_absolute() {
        input.to_string()
    } else {
        base.join(input).display().to_string()
    }
}

fn resolve(registry: &Registry, reference: &str) -> Result<PathBuf, Fatal> {
    registry.resolve(reference, Path::new(".")).map_err(|e| {
        let hint = if is_path_reference(reference) {
            String::new()
        } else {
            format!(
                "\n  = help: contracts are read from {}/<id>/<version>.yaml",
                registry.root.display()
            )
        };
        Fatal::new(format!("{e}{hint}"))
    })
}

fn cmd_lint(args: LintArgs) -> Result<u8, Fatal> {
    let files: Vec<PathBuf> = if args.paths.is_empty() {
        let config = project_config(args.config.as_deref())?;
        let registry = registry_for(args.contracts.as_deref(), config.as_ref());
        registry.files().map_err(|e| Fatal::new(e.to_string()))?
    } else {
        let mut files = Vec::new();
        for p in &args.paths {
            if p.is_dir() {
                collect_yaml(p, &mut files);
            } else if p.is_file() {
                files.push(p.clone());
            } else {
                return Err(Fatal::new(format!(
                    "{}: no such file or directory",
                    p.display()
                )));
            }
        }
        files
    };
    if files.is_empty() {
        return Err(Fatal::new("no contract files to lint"));
    }
    let mut all = Vec::new();
    for file in &files {
        all.extend(lint::lint(file));
    }
    let errors = all.iter().filter(|d| d.is_error()).count();
    let warnings = all.len() - errors;
    let mut out = BufWriter::new(anstream::AutoStream::auto(io::stdout()));
    let written = match args.format {
        LintFormat::Json => serde_json::to_writer_pretty(
            &mut out,
            &serde_json::json!({
                "format_version": 1,
                "files": files.len(),
                "errors": errors,
                "warnings": warnings,
                "diagnostics": all,
            }),
        )
        .map_err(io::Error::from)
        .and_then(|()| writeln!(out)),
        LintFormat::Text => (|| {
            for d in &all {
                write!(out, "{}", render_diagnostic(d))?;
                writeln!(out)?;
            }
            writeln!(
                out,
                "linted {} contract file{}: {errors} error{}, {warnings} warning{}",
                files.len(),
                if files.len() == 1 { "" } else { "s" },
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" },
            )
        })(),
    };
    if let Err(e) = written.and_then(|()| out.flush())
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        return Err(e.into());
    }
    Ok(if errors > 0 {
        EXIT_VIOLATIONS
    } else {
        EXIT_CLEAN
    })
}

fn collect_yaml(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_yaml(&path, files);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            files.push(path);
        }
    }
}

fn load_contract(args: &ContractArgs) -> Result<Checker, Fatal> {
    let config = project_config(args.config.as_deref()).ok().flatten();
    let registry = registry_for(args.contracts.as_deref(), config.as_ref());
    let path = resolve(&registry, &args.contract)?;
    prepare(&path)
}

fn cmd_explain(args: ExplainArgs) -> Result<u8, Fatal> {
    let checker = load_contract(&args.target)?;
    let contract = checker.contract();
    let text = match &args.field {
        None => explain::contract(contract),
        Some(pointer) => explain::field(contract, pointer).ok_or_else(|| {
            let mut paths = Vec::new();
            contract.root.walk(&mut |f| paths.push(f.path.clone()));
            let hint = did_you_mean(pointer, paths.iter().map(String::as_str))
                .map(|p| format!("\n  = help: did you mean {p}?"))
                .unwrap_or_else(|| {
                    format!(
                        "\n  = help: run `handoff explain {}` to list its fields",
                        contract.id
                    )
                });
            Fatal::new(format!(
                "{} has no field {pointer}{hint}",
                contract.reference()
            ))
        })?,
    };
    print_out(&text)
}

fn cmd_schema(args: ContractArgs) -> Result<u8, Fatal> {
    let checker = load_contract(&args)?;
    let text =
        serde_json::to_string_pretty(checker.schema()).map_err(|e| Fatal::new(e.to_string()))?;
    print_out(&format!("{text}\n"))
}

fn cmd_list(args: RegistryArgs) -> Result<u8, Fatal> {
    let config = project_config(args.config.as_deref())?;
    let registry = registry_for(args.contracts.as_deref(), config.as_ref());
    let entries = registry.entries().map_err(|e| Fatal::new(e.to_string()))?;
    let mut out = String::new();
    for entry in &entries {
        let versions: Vec<String> = entry.versions.iter().map(|(v, _)| v.to_string()).collect();
        // Only the boundary is shown: reading the model is enough, no validator is compiled.
        let newest = entry
            .versions
            .last()
            .and_then(|(_, path)| handoff::contract::load(path).contract);
        let boundary = match newest {
            Some(c) => {
                let b = &c.boundary;
                format!("{} -> {} over {}", b.from, b.to, b.transport.name())
            }
            None => "(newest version does not load: run handoff lint)".to_string(),
        };
        out.push_str(&format!(
            "{}\n  boundary: {boundary}\n  versions: {}\n",
            entry.id,
            versions.join(", ")
        ));
    }
    out.push_str(&format!(
        "{} contract{} in {}\n",
        entries.len(),
        if entries.len() == 1 { "" } else { "s" },
        registry.root.display()
    ));
    print_out(&out)
}

fn cmd_diff(args: DiffArgs) -> Result<u8, Fatal> {
    let config = project_config(args.registry.config.as_deref())
        .ok()
        .flatten();
    let registry = registry_for(args.registry.contracts.as_deref(), config.as_ref());
    let threshold = diff::Severity::from_name(&args.fail_on).expect("clap checked the value");
    let mode = args
        .mode
        .as_deref()
        .map(|m| diff::Mode::parse(m).expect("clap checked the value"));
    // Pairs to compare: (old, new), each a loaded contract.
    let mut pairs: Vec<(handoff::contract::Contract, handoff::contract::Contract)> = Vec::new();
    if let Some(rev) = &args.against {
        pairs = against(&registry, rev)?;
    } else {
        let (old_ref, new_ref) = (
            args.old.as_deref().expect("clap"),
            args.new.as_deref().expect("clap"),
        );
        let new = prepare(&resolve(&registry, new_ref)?)?.contract().clone();
        match mode {
            Some((_, true)) => {
                // Transitive: every earlier version of the new one's contract in the registry.
                let old = prepare(&resolve(&registry, old_ref)?)?.contract().clone();
                let mut earlier: Vec<handoff::contract::Contract> =
                    versions_of(&registry, &new.id)?
                        .into_iter()
                        .map(|c| c.contract().clone())
                        .filter(|c| c.version < new.version)
                        .collect();
                if !earlier.iter().any(|c| c.version == old.version) {
                    earlier.push(old);
                }
                pairs = earlier.into_iter().map(|o| (o, new.clone())).collect();
            }
            _ => pairs.push((
                prepare(&resolve(&registry, old_ref)?)?.contract().clone(),
                new,
            )),
        }
    }
    let mut out = String::new();
    let mut failing = false;
    let mut documents = Vec::new();
    for (old, new) in &pairs {
        let changes = diff::diff(old, new);
        failing |= match mode {
            Some((m, _)) => changes.iter().any(|c| m.violated_by(c)),
            None => changes.iter().any(|c| c.severity <= threshold),
        };
        match args.format {
            DiffFormat::Json => documents.push(changes_out::json(old, new, &changes)),
            DiffFormat::Markdown => out.push_str(&changes_out::markdown(old, new, &changes)),
            DiffFormat::Text => {
                out.push_str(&changes_out::text(old, new, &changes));
                out.push_str(&format!("\n{}\n", changes_out::tally(&changes)));
                if let Some((m, _)) = mode {
                    let broken: Vec<String> = changes
                        .iter()
                        .filter(|c| m.violated_by(c))
                        .map(|c| c.rule.to_string())
                        .collect();
                    let name = args.mode.as_deref().unwrap_or_default();
                    out.push_str(&if broken.is_empty() {
                        format!("compatible ({name}) with {}\n", old.reference())
                    } else {
                        format!(
                            "not compatible ({name}) with {}: {}\n",
                            old.reference(),
                            broken.join(", ")
                        )
                    });
                }
                if args.text {
                    out.push('\n');
                    out.push_str(&changes_out::unified(old, new));
                }
                out.push('\n');
            }
        }
    }
    let code = if failing { EXIT_VIOLATIONS } else { EXIT_CLEAN };
    match args.format {
        DiffFormat::Json => {
            // One comparison is one document; several (--against, transitive) are a list.
            let doc = if documents.len() == 1 {
                documents.remove(0)
            } else {
                serde_json::Value::Array(documents)
            };
            out = serde_json::to_string_pretty(&doc).map_err(|e| Fatal::new(e.to_string()))? + "\n";
        }
        DiffFormat::Text => {
            if pairs.is_empty() {
                out.push_str("no contract changed\n");
            }
            out.push_str(&format!("exit code {code}\n"));
        }
        DiffFormat::Markdown => {}
    }
    print_out(&out)?;
    Ok(code)
}

/// For `--against REV`: each contract's newest version at REV paired with its newest version
/// in the working tree, where the two differ.
fn against(
    registry: &Registry,
    rev: &str,
) -> Result<Vec<(handoff::contract::Contract, handoff::contract::Contract)>, Fatal> {
    let then = handoff::history::contracts_at(rev, &registry.root).map_err(Fatal::new)?;
    let mut newest_then: BTreeMap<String, handoff::contract::Contract> = BTreeMap::new();
    for (path, text) in then {
        let loaded =
            handoff::contract::parse(&PathBuf::from(format!("{rev}:{}", path.display())), &text);
        if let Some(c) = loaded.contract
            && newest_then.get(&c.id).is_none_or(|o| o.version < c.version)
        {
            newest_then.insert(c.id.clone(), c);
        }
    }
    let mut pairs = Vec::new();
    for entry in registry.entries().map_err(|e| Fatal::new(e.to_string()))? {
        let Some((_, path)) = entry.versions.last() else {
            continue;
        };
        let now = prepare(path)?.contract().clone();
        if let Some(old) = newest_then.remove(&entry.id)
            && old.source.text != now.source.text
        {
            pairs.push((old, now));
        }
    }
    Ok(pairs)
}

fn cmd_explain_rule(rule: Option<&str>) -> Result<u8, Fatal> {
    use diff::RuleId;
    let Some(id) = rule else {
        let list: String = RuleId::ALL
            .iter()
            .map(|r| {
                format!(
                    "{:24} {:8} breaks {:8}\n",
                    r.id(),
                    r.severity().name(),
                    r.breaks().name()
                )
            })
            .collect();
        return print_out(&list);
    };
    let rule = RuleId::from_id(id).ok_or_else(|| {
        let hint = did_you_mean(id, RuleId::ALL.iter().map(|r| r.id()))
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_else(|| "; run `handoff explain-rule` for the list".into());
        Fatal::new(format!("no breaking-change rule `{id}`{hint}"))
    })?;
    print_out(&format!(
        "{}\nseverity: {}\nbreaks: {}\n\n{}\n",
        rule.id(),
        rule.severity().name(),
        rule.breaks().name(),
        rule.doc()
    ))
}

/// Every version a reference covers, newest first: a file is one version; `id` is all of the
/// contract's versions; `id@requirement` those matching it.
fn versions_of(registry: &Registry, reference: &str) -> Result<Vec<Checker>, Fatal> {
    let paths: Vec<PathBuf> = if is_path_reference(reference) {
        vec![resolve(registry, reference)?]
    } else {
        let (id, requirement) = reference
            .split_once('@')
            .map_or((reference, None), |(i, r)| (i, Some(r)));
        // Resolving first gives the registry's own errors (unknown id, did you mean, no match).
        resolve(registry, reference)?;
        let entries = registry.entries().map_err(|e| Fatal::new(e.to_string()))?;
        let entry = entries
            .into_iter()
            .find(|e| e.id == id)
            .expect("resolved above");
        let matcher = requirement
            .map(handoff::registry::parse_requirement)
            .transpose()
            .map_err(Fatal::new)?;
        entry
            .versions
            .into_iter()
            .rev()
            .filter(|(v, _)| matcher.as_ref().is_none_or(|m| m.matches(v)))
            .map(|(_, p)| p)
            .collect()
    };
    paths.iter().map(|p| prepare(p)).collect()
}

fn cmd_accepts(args: AcceptsArgs) -> Result<u8, Fatal> {
    let config = project_config(args.registry.config.as_deref())
        .ok()
        .flatten();
    let registry = registry_for(args.registry.contracts.as_deref(), config.as_ref());
    let checkers = versions_of(&registry, &args.contract)?;
    let value: serde_json::Value = serde_json::from_str(&args.value)
        .unwrap_or_else(|_| serde_json::Value::String(args.value.clone()));
    let verdicts = handoff::partner::accepts(&checkers, &args.pointer, &value);
    let newest_accepts = verdicts.first().is_some_and(|v| v.accepted());
    let code = if newest_accepts {
        EXIT_CLEAN
    } else {
        EXIT_VIOLATIONS
    };
    if let LintFormat::Json = args.format {
        let doc = serde_json::json!({
            "format_version": 1,
            "contract": checkers[0].contract().id,
            "pointer": args.pointer,
            "value": value,
            "newest_accepts": newest_accepts,
            "versions": verdicts_json(&verdicts),
        });
        print_out(
            &(serde_json::to_string_pretty(&doc).map_err(|e| Fatal::new(e.to_string()))? + "\n"),
        )?;
        return Ok(code);
    }
    let id = &checkers[0].contract().id;
    let mut out = format!("{value} at {} of {id}:\n", args.pointer);
    for v in &verdicts {
        let version = v.checker.contract().version.to_string();
        if v.no_such_field {
            out.push_str(&format!("  {version:10} no such field in this version\n"));
        } else if v.accepted() {
            out.push_str(&format!("  {version:10} accepted\n"));
        } else {
            for f in &v.findings {
                let at = f
                    .contract_location
                    .as_ref()
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default();
                // Some messages already say what is expected ("expected a string, found ...").
                let expected = if f.message.contains(&f.expected) {
                    String::new()
                } else {
                    format!("; expected {}", f.expected)
                };
                out.push_str(&format!(
                    "  {version:10} rejected [{}]: {}{expected}{at}\n",
                    f.kind, f.message
                ));
                if let Some(help) = &f.suggestion {
                    out.push_str(&format!("  {:10} help: {help}\n", ""));
                }
            }
        }
    }
    let accepting: Vec<String> = verdicts
        .iter()
        .filter(|v| v.accepted())
        .map(|v| v.checker.contract().version.to_string())
        .collect();
    out.push_str(&match (newest_accepts, accepting.is_empty()) {
        (true, _) => format!("accepted by the newest version ({})\n", accepting[0]),
        (false, true) => "accepted by no version\n".to_string(),
        (false, false) => format!(
            "not accepted by the newest version; accepted by {}\n",
            accepting.join(", ")
        ),
    });
    print_out(&out)?;
    Ok(code)
}

fn cmd_which(args: WhichArgs) -> Result<u8, Fatal> {
    let config = project_config(args.registry.config.as_deref())
        .ok()
        .flatten();
    let registry = registry_for(args.registry.contracts.as_deref(), config.as_ref());
    let bytes = if args.payload.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut io::stdin(), &mut buf)
            .map_err(|e| Fatal::new(format!("cannot read stdin: {e}")))?;
        buf
    } else {
        std::fs::read(&args.payload)
            .map_err(|e| Fatal::new(format!("{}: {e}", args.payload.display())))?
    };
    let entries = registry.entries().map_err(|e| Fatal::new(e.to_string()))?;
    let mut checkers = Vec::new();
    for entry in &entries {
        for (_, path) in entry.versions.iter().rev() {
            if let Some(checker) = lint::prepare(path).0 {
                checkers.push(checker);
            }
        }
    }
    let verdicts = handoff::partner::which(&checkers, &bytes);
    let accepted: Vec<&handoff::partner::Verdict> =
        verdicts.iter().filter(|v| v.accepted()).collect();
    let code = if accepted.is_empty() {
        EXIT_VIOLATIONS
    } else {
        EXIT_CLEAN
    };
    if let LintFormat::Json = args.format {
        let doc = serde_json::json!({
            "format_version": 1,
            "accepted_by": accepted.iter().map(|v| v.checker.contract().reference()).collect::<Vec<_>>(),
            "versions": verdicts_json(&verdicts),
        });
        print_out(
            &(serde_json::to_string_pretty(&doc).map_err(|e| Fatal::new(e.to_string()))? + "\n"),
        )?;
        return Ok(code);
    }
    let mut out = String::new();
    if accepted.is_empty() {
        out.push_str("accepted by no contract version\n");
    } else {
        out.push_str("accepted by (newest first):\n");
        for v in &accepted {
            out.push_str(&format!("  {}\n", v.checker.contract().reference()));
        }
    }
    // What to show of the rejections: a newer version of an accepting contract that rejects
    // the payload (what blocks an upgrade), or, when nothing accepts it, the closest miss.
    let closest = if accepted.is_empty() {
        verdicts.iter().min_by_key(|v| v.findings.len())
    } else {
        verdicts.iter().find(|v| {
            !v.accepted()
                && accepted.iter().any(|a| {
                    a.checker.contract().id == v.checker.contract().id
                        && v.checker.contract().version > a.checker.contract().version
                })
        })
    };
    if let Some(v) = closest {
        out.push_str(&format!(
            "\nrejected by {} ({} finding{}):\n",
            v.checker.contract().reference(),
            v.findings.len(),
            if v.findings.len() == 1 { "" } else { "s" }
        ));
        for f in &v.findings {
            let pointer = if f.pointer.is_empty() {
                "/"
            } else {
                &f.pointer
            };
            out.push_str(&format!("  {} at {pointer}: {}\n", f.kind, f.message));
        }
    }
    print_out(&out)?;
    Ok(code)
}

fn cmd_changelog(id: &str, args: RegistryArgs) -> Result<u8, Fatal> {
    let config = project_config(args.config.as_deref()).ok().flatten();
    let registry = registry_for(args.contracts.as_deref(), config.as_ref());
    let mut checkers = versions_of(&registry, id)?;
    checkers.reverse();
    let contracts: Vec<&handoff::contract::Contract> =
        checkers.iter().map(Checker::contract).collect();
    print_out(&changes_out::changelog(&contracts, diff::diff))
}

/// Per-version verdicts for JSON output.
fn verdicts_json(verdicts: &[handoff::partner::Verdict<'_>]) -> Vec<serde_json::Value> {
    verdicts
        .iter()
        .map(|v| {
            serde_json::json!({
                "contract": v.checker.contract().reference(),
                "accepted": v.accepted(),
                "no_such_field": v.no_such_field,
                "findings": v.findings,
            })
        })
        .collect()
}
