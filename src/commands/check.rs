//! `handoff check`: payloads against their contracts, reported in the chosen format.

use super::{
    Fatal, history_path, join_display, outside, prepare, project_config, reach_error_in,
    refuse_link, registry_for, resolve, shown,
};
use crate::console::{Console, note};
use handoff_core::baseline::Baseline;
use handoff_core::check::Checker;
use handoff_core::contract::layout::CsvOptions;
use handoff_core::gate::Gate;
use handoff_core::input::{self, Framing};
use handoff_core::report::FailOn;
use handoff_core::run::{self, Job};
use handoff_reports::printer::{
    Format, GithubPrinter, JsonPrinter, JunitPrinter, MarkdownPrinter, NdjsonPrinter, Printer,
    SarifPrinter, Sources, TextPrinter,
};
use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A contract file, the inputs it checks, and the check's own CSV options (from handoff.yaml).
type Planned = (PathBuf, Vec<std::ffi::OsString>, Option<CsvOptions>);

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum InputFormat {
    /// By extension: .ndjson/.jsonl are NDJSON, .edi/.x12 X12, .csv/.tsv CSV; anything else (and stdin) one JSON document
    Auto,
    Json,
    Ndjson,
    /// X12 EDI: each transaction set is a payload
    X12,
    /// CSV: each row is a payload
    Csv,
}

impl InputFormat {
    pub(crate) fn framing(self) -> Framing {
        match self {
            InputFormat::Auto => Framing::Auto,
            InputFormat::Json => Framing::Json,
            InputFormat::Ndjson => Framing::Ndjson,
            InputFormat::X12 => Framing::X12,
            InputFormat::Csv => Framing::Csv,
        }
    }
}

/// `--engine`: which engine accepts valid payloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum EngineChoice {
    Native,
    Jsonschema,
}

#[derive(clap::Args)]
pub(crate) struct CheckArgs {
    /// Payload files, directories (searched recursively), globs, or - for stdin
    pub(crate) inputs: Vec<std::ffi::OsString>,
    /// Contract to check the inputs against: id, id@version, id@^major, or a file path
    #[arg(short, long, value_name = "REF")]
    pub(crate) contract: Option<String>,
    /// Project file (default: handoff.yaml in this directory or the nearest one above)
    #[arg(long, value_name = "FILE", env = "HANDOFF_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// Contract registry directory (default: from handoff.yaml, else ./contracts)
    #[arg(long, value_name = "DIR")]
    pub(crate) contracts: Option<PathBuf>,
    /// Output format [default: text, or `format` in handoff.yaml]
    #[arg(short, long, value_parser = super::Choices(Format::CHOICES))]
    pub(crate) format: Option<Format>,
    /// Write the report to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// How to split inputs into payloads
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub(crate) input_format: InputFormat,
    /// Largest payload (a file, or one NDJSON line) to check; larger ones are reported
    #[arg(long, value_name = "BYTES", default_value_t = run::DEFAULT_MAX_PAYLOAD_BYTES)]
    pub(crate) max_payload_bytes: u64,
    /// Which engine accepts valid payloads: native (a borrowed parse, no tree) or jsonschema
    /// (a serde_json tree and the jsonschema crate); findings are the same with either
    #[arg(long, value_enum, default_value_t = EngineChoice::Native)]
    pub(crate) engine: EngineChoice,
    /// Which findings fail the run (exit 1): any, never, or kinds separated by commas
    #[arg(long, value_name = "POLICY")]
    pub(crate) fail_on: Option<String>,
    /// Report at most N findings; the summary still counts all of them
    #[arg(long, value_name = "N")]
    pub(crate) max_findings: Option<u64>,
    /// Text format: print only the summary
    #[arg(short, long)]
    pub(crate) quiet: bool,
    /// Text format: also list payloads that passed
    #[arg(short, long)]
    pub(crate) verbose: bool,
    /// Report only findings this baseline does not list, and the entries that no longer occur
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// Record every finding of this run as the new baseline
    #[arg(long, value_name = "FILE")]
    pub(crate) write_baseline: Option<PathBuf>,
    /// Colour: auto honours NO_COLOR, CLICOLOR_FORCE and whether output is a terminal
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    pub(crate) color: ColorWhen,
    /// Never show a progress indicator (it only ever appears on an interactive terminal)
    #[arg(long)]
    pub(crate) no_progress: bool,
    /// Which values reports may show: none hidden, those of `sensitive` fields (default), or
    /// all (no values and no payload lines); card numbers are masked whatever this says
    #[arg(long, value_parser = super::Choices(handoff_core::redact::Redact::CHOICES), default_value = "sensitive")]
    pub(crate) redact: handoff_core::redact::Redact,
    /// Record this run's violations (by contract, field and kind) in the history database
    #[arg(long)]
    pub(crate) record: bool,
    /// The history database [default: `history` in handoff.yaml, else .handoff/history.db]
    #[arg(long, value_name = "FILE")]
    pub(crate) history: Option<PathBuf>,
    /// Let handoff.yaml name inputs, an output, a baseline or contracts outside the project
    /// directory (and its registry); without it such a handoff.yaml is refused
    #[arg(long)]
    pub(crate) allow_outside: bool,
    /// Threads checking payloads [default: one per core]; output order does not depend on it
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) jobs: Option<u16>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum ColorWhen {
    Auto,
    Always,
    Never,
}

pub(crate) fn cmd_check(args: CheckArgs, con: &mut Console<'_>) -> Result<u8, Fatal> {
    let explicit_config = args.config.as_deref();
    let framing = args.input_format.framing();
    // Work out which inputs go to which contract file.
    let mut plan: Vec<Planned> = Vec::new();
    let mut routing_error = false;
    let ad_hoc = args.contract.is_some() && explicit_config.is_none();
    let config = if ad_hoc {
        // Ad-hoc use needs no project file, but honours one for the registry location.
        project_config(None).ok().flatten()
    } else {
        project_config(explicit_config)?
    };
    let registry = registry_for(args.contracts.as_deref(), config.as_ref());
    let reach = super::project_reach(config.as_ref(), &registry, args.allow_outside);
    if let Some(reference) = &args.contract {
        if args.inputs.is_empty() {
            return Err(Fatal::new(
                "no inputs: give payload files, directories, globs, or - for stdin",
            ));
        }
        let path = resolve(&registry, reference)?;
        plan.push((path, args.inputs.clone(), None));
    } else {
        let Some(cfg) = &config else {
            return Err(Fatal::new(
                "no handoff.yaml found here or in any parent directory\n  = help: run `handoff check --contract <id> <inputs...>`, or create handoff.yaml (see README.md)",
            ));
        };
        if !args.inputs.is_empty() {
            // Route each named file to the checks whose inputs cover it.
            let input::Expanded {
                inputs: files,
                errors,
                skipped: _,
            } = input::expand(&args.inputs, Path::new("."), &reach);
            for err in errors {
                note!(con, "handoff: error: {err}");
                routing_error = true;
            }
            let mut routed: BTreeMap<String, (Vec<std::ffi::OsString>, Option<CsvOptions>)> =
                BTreeMap::new();
            for file in files {
                let input::Input::File(path) = &file else {
                    note!(
                        con,
                        "handoff: error: standard input needs --contract: handoff.yaml maps files, not streams"
                    );
                    routing_error = true;
                    continue;
                };
                let specs = cfg.route(path);
                if specs.is_empty() {
                    note!(
                        con,
                        "handoff: error: {}: no check in {} covers this file\n  = help: add it to a check's inputs, or name the contract with --contract",
                        shown(path),
                        shown(&cfg.path)
                    );
                    routing_error = true;
                }
                for spec in specs {
                    let entry = routed
                        .entry(spec.contract.clone())
                        .or_insert_with(|| (Vec::new(), spec.csv.clone()));
                    entry.0.push(path.clone().into_os_string());
                }
            }
            for (contract, (files, csv)) in routed {
                plan.push((resolve(&registry, &contract)?, files, csv));
            }
        }
        if args.inputs.is_empty() && cfg.checks.is_empty() {
            return Err(Fatal::new(format!(
                "{} has no `checks`, and no payloads were named\n  = help: name the payloads (handoff check --contract ID FILES...), or add `checks:` with a `contract` and its `inputs` to the project file",
                shown(&cfg.path)
            )));
        }
        for spec in cfg.checks.iter().filter(|_| args.inputs.is_empty()) {
            let path = resolve(&registry, &spec.contract)?;
            if !args.allow_outside && outside(&registry.root, &path) {
                return Err(reach_error(cfg, "contract", &path));
            }
            let mut inputs = Vec::new();
            for i in &spec.inputs {
                let joined = join_display(&cfg.base, i);
                if !args.allow_outside && i != "-" && outside(&cfg.base, Path::new(&joined)) {
                    return Err(reach_error(cfg, "input", Path::new(&joined)));
                }
                inputs.push(joined.into());
            }
            plan.push((path, inputs, spec.csv.clone()));
        }
    }

    // Contracts first: a broken contract stops the run before any payload is judged by it.
    let mut checkers: BTreeMap<PathBuf, Checker> = BTreeMap::new();
    let mut broken: Vec<Fatal> = Vec::new();
    for (path, _, _) in &plan {
        if checkers.contains_key(path) {
            continue;
        }
        match prepare(path) {
            Ok(checker) => {
                let checker = checker.with_native(args.engine == EngineChoice::Native);
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
    let mut skipped: Vec<input::Skipped> = Vec::new();
    let mut jobs = Vec::new();
    for (path, args_in, csv) in &plan {
        let input::Expanded {
            inputs,
            errors,
            skipped: passed_over,
        } = input::expand(args_in, Path::new("."), &reach);
        for err in errors {
            note!(con, "handoff: error: {err}");
            usage_error = true;
        }
        skipped.extend(passed_over);
        jobs.push(Job {
            checker: &checkers[path],
            inputs,
            csv: csv.clone(),
        });
    }

    let options = run::Options {
        redact: args.redact,
        base: PathBuf::from("."),
        framing,
        max_payload_bytes: args.max_payload_bytes,
        // More threads than a few per core only add memory (each holds a unit in flight).
        jobs: args
            .jobs
            .map_or_else(run::default_jobs, usize::from)
            .min(MAX_JOBS_PER_CORE * run::default_jobs()),
    };
    // An ad-hoc run (--contract without --config) takes only the registry from a project file
    // found above it: its output, baseline, format and fail_on belong to the project's run, and
    // taking them silently once made a failing payload print nothing and exit 0.
    let cfg = if ad_hoc { None } else { config.as_ref() };
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
    // A pull request can edit handoff.yaml: what it names is kept inside the project.
    if let Some(c) = cfg
        && !args.allow_outside
    {
        for (what, set, path) in [
            (
                "output",
                c.output.is_some() && args.output.is_none(),
                &output_path,
            ),
            (
                "baseline",
                c.baseline.is_some() && args.baseline.is_none(),
                &baseline_path,
            ),
        ] {
            if let Some(path) = path.as_ref().filter(|p| set && outside(&c.base, p)) {
                return Err(reach_error(c, what, path));
            }
        }
    }
    // Writing a baseline records everything; comparing with the old one would hide findings.
    let baseline = match (&baseline_path, &args.write_baseline) {
        (Some(path), None) => {
            let loaded = Baseline::load(path, input::MAX_FILE_BYTES).map_err(Fatal::new)?;
            if loaded.legacy {
                note!(
                    con,
                    "handoff: warning: {} is a format-1 baseline, which stores values in the clear; rewrite it with --write-baseline to keep fingerprints only",
                    shown(path)
                );
            }
            Some(loaded)
        }
        _ => None,
    };
    con.set_color(match args.color {
        ColorWhen::Auto => None,
        ColorWhen::Always => Some(true),
        ColorWhen::Never => Some(false),
    });

    // Only the text format is styled; machine formats are written byte for byte, since the
    // colour-stripping layer would also eat what follows a stray ESC inside them.
    let styled = format == Format::Text;
    if let Some(path) = &output_path {
        refuse_link(path, "report")?;
    }
    if let Some(path) = &args.write_baseline {
        refuse_link(path, "baseline")?;
    }
    let progress = con.progress_bar(args.no_progress || format == Format::Github);
    let (stdout, mut notes) = con.split(styled);
    let out: Box<dyn Write + '_> = match &output_path {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| Fatal::new(format!("cannot write {}: {e}", shown(path))))?;
            if styled {
                Box::new(BufWriter::new(anstream::AutoStream::new(
                    file,
                    anstream::ColorChoice::Never,
                )))
            } else {
                Box::new(BufWriter::new(file))
            }
        }
        None => Box::new(BufWriter::with_capacity(64 * 1024, stdout)),
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
        // Neither the flag nor handoff.yaml offers it (`Format::CHOICES`).
        Format::Html => return Err(Fatal::new("handoff check has no html format")),
    };

    let mut gate = Gate::new(
        baseline.as_ref(),
        fail_on,
        args.write_baseline.is_some(),
        args.max_findings,
    );
    let mut write_error: Option<io::Error> = None;
    if args.verbose {
        for s in &skipped {
            note!(notes, "handoff: skipped {}: {}", shown(&s.path), s.reason);
        }
    }
    // The report and the baseline this run writes are not payloads, even when they sit in an
    // input directory: the next run would otherwise check the last one's report.
    let own: Vec<PathBuf> = [output_path.as_ref(), args.write_baseline.as_ref()]
        .into_iter()
        .flatten()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    if !own.is_empty() {
        for job in &mut jobs {
            job.inputs.retain(|input| {
                let input::Input::File(path) = input else {
                    return true;
                };
                let ours = std::fs::canonicalize(path).is_ok_and(|p| own.contains(&p));
                if ours {
                    note!(
                        notes,
                        "handoff: note: {} is this run's own output; not checked",
                        shown(path)
                    );
                }
                !ours
            });
        }
    }
    let empty_inputs = run::execute(&jobs, &options, &mut |mut result| {
        progress.inc(1);
        gate.admit(&mut result);
        if write_error.is_none()
            && let Err(e) = printer.result(&result)
        {
            write_error = Some(e);
        }
    });
    progress.finish_and_clear();
    for (input, shape) in &empty_inputs {
        let what = match shape {
            handoff_core::input::Shape::X12 => {
                "an empty X12 file, or interchanges with no transaction set"
            }
            handoff_core::input::Shape::Csv => "an empty CSV file, or a header with no row",
            handoff_core::input::Shape::Json | handoff_core::input::Shape::Ndjson => {
                "an empty or blank NDJSON file"
            }
        };
        note!(
            notes,
            "handoff: error: {}: no payloads in it ({what})",
            handoff_reports::printer::escape::text(input)
        );
        usage_error = true;
    }
    let (summary, recorded) = gate.finish(skipped.len() as u64, usage_error);
    if let (Some(path), Some(recorded)) = (&args.write_baseline, &recorded) {
        super::write_replacing(path, recorded.to_json().as_bytes())
            .map_err(|e| Fatal::new(format!("cannot write baseline {}: {e}", shown(path))))?;
        note!(
            notes,
            "handoff: wrote {} baseline entr{} to {}",
            recorded.len(),
            if recorded.len() == 1 { "y" } else { "ies" },
            shown(path)
        );
    }
    if args.record {
        let path = history_path(args.history.as_deref(), config.as_ref(), &reach)?;
        let groups: Vec<(String, String, String, u64)> = summary
            .rows()
            .into_iter()
            .map(|r| (r.contract, r.field, r.kind.id().to_string(), r.count))
            .collect();
        handoff_reports::triage::store::Store::open(&path)
            .and_then(|mut store| {
                store.record_check(
                    &jiff::Timestamp::now().to_string(),
                    "handoff check",
                    summary.payloads,
                    &groups,
                )
            })
            .map_err(|e| Fatal::new(format!("cannot record in {}: {e}", shown(&path))))?;
        note!(notes, "handoff: recorded this check in {}", shown(&path));
    }
    if write_error.is_none()
        && let Err(e) = printer.finish(&summary)
    {
        write_error = Some(e);
    }
    drop(printer);
    if let Some(err) = write_error.filter(|e| e.kind() != io::ErrorKind::BrokenPipe) {
        return Err(err.into());
    }
    Ok(summary.outcome.exit_code())
}

/// The most threads per core `--jobs` gets.
const MAX_JOBS_PER_CORE: usize = 4;

fn reach_error(cfg: &handoff_reports::config::Config, what: &str, path: &Path) -> Fatal {
    reach_error_in(&cfg.path, &cfg.base, what, path)
}
