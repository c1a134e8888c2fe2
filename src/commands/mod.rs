//! The commands of the `handoff` binary, one module each, and what they share: loading the
//! project file and contracts, and the fatal error that ends a command with exit code 2.

use crate::console::Console;
use handoff_core::check::Checker;
use handoff_core::diagnostic::Diagnostic;
use handoff_core::registry::{Registry, is_path_reference};
use handoff_reports::config::{self, Config};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub(crate) mod check;
pub(crate) mod diff;
pub(crate) mod explain;
pub(crate) mod export;
pub(crate) mod import;
pub(crate) mod infer;
pub(crate) mod init;
pub(crate) mod lint;
pub(crate) mod partner;
pub(crate) mod reconcile;
pub(crate) mod render;
pub(crate) mod repair;
pub(crate) mod review;
pub(crate) mod serve;
pub(crate) mod triage;

/// A path for a message: as the user or the file system spelled it, with control characters
/// made visible (file names come from directory walks, and a name can hold a newline).
pub(crate) fn shown(path: &Path) -> String {
    handoff_reports::printer::escape::text(&path.display().to_string()).into_owned()
}

/// The history database: `--history`, else `history` in handoff.yaml, else
/// `.handoff/history.db` beside handoff.yaml (or here, without one).
/// The history database: `--history` as asked, else `history` in handoff.yaml or
/// .handoff/history.db, which must stay inside the project (the database and its directory are
/// created there, and a planted link must not send the writes elsewhere).
pub(crate) fn history_path(
    explicit: Option<&Path>,
    config: Option<&Config>,
    reach: &handoff_core::reach::Reach,
) -> Result<PathBuf, Fatal> {
    if let Some(asked) = explicit {
        return Ok(asked.to_path_buf());
    }
    let base = config.map_or_else(PathBuf::new, |c| c.base.clone());
    let path = match config.and_then(|c| c.history.as_ref()) {
        Some(h) => base.join(h),
        None => base.join(".handoff/history.db"),
    };
    reach
        .check(&path, "the history database")
        .map_err(|o| Fatal::new(o.to_string()))?;
    Ok(path)
}

/// Where a command may read and write: the project directory (where handoff.yaml is, else the
/// current directory) and the registry, unless `--allow-outside`.
pub(crate) fn project_reach(
    config: Option<&Config>,
    registry: &Registry,
    allow_outside: bool,
) -> handoff_core::reach::Reach {
    let base = config
        .map(|c| c.base.clone())
        .filter(|b| !b.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    handoff_core::reach::Reach::project([base, registry.root.clone()], allow_outside)
}

pub(crate) const EXIT_CLEAN: u8 = 0;
pub(crate) const EXIT_VIOLATIONS: u8 = 1;
pub(crate) const EXIT_ERROR: u8 = 2;

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum LintFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
pub(crate) struct ContractArgs {
    /// id, id@version, id@^major, or a file path
    pub(crate) contract: String,
    #[arg(long, value_name = "DIR")]
    pub(crate) contracts: Option<PathBuf>,
    #[arg(long, value_name = "FILE", env = "HANDOFF_CONFIG")]
    pub(crate) config: Option<PathBuf>,
}

#[derive(clap::Args, Clone)]
pub(crate) struct RegistryArgs {
    #[arg(long, value_name = "DIR")]
    pub(crate) contracts: Option<PathBuf>,
    #[arg(long, value_name = "FILE", env = "HANDOFF_CONFIG")]
    pub(crate) config: Option<PathBuf>,
}

/// A failure that ends the command with exit code 2: located diagnostics, if any, then the
/// one-line reason.
pub(crate) struct Fatal {
    pub(crate) details: String,
    pub(crate) message: String,
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

/// `text` to the command's standard output.
pub(crate) fn print_out(con: &mut Console<'_>, text: &str) -> Result<u8, Fatal> {
    con.print(text)?;
    Ok(EXIT_CLEAN)
}

/// A report to the command's standard output as `write` produces it, buffered.
pub(crate) fn write_out(
    con: &mut Console<'_>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<u8, Fatal> {
    con.write_with(write)?;
    Ok(EXIT_CLEAN)
}

/// The project file, when one applies: `--config`/`HANDOFF_CONFIG`, else the nearest one up.
pub(crate) fn project_config(explicit: Option<&Path>) -> Result<Option<Config>, Fatal> {
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
            .map_err(|diags| unusable(&diags, &format!("the configuration {}", shown(&p)))),
    }
}

pub(crate) fn relative_to_cwd(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

pub(crate) fn registry_for(explicit: Option<&Path>, config: Option<&Config>) -> Registry {
    match (explicit, config) {
        (Some(dir), _) => Registry::new(dir),
        (None, Some(cfg)) => Registry::new(cfg.base.join(&cfg.contracts)),
        (None, None) => Registry::new("contracts"),
    }
}

/// Diagnostics that make a file unusable, as a fatal error naming the file.
pub(crate) fn unusable(diags: &[Diagnostic], what: &str) -> Fatal {
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
pub(crate) fn render_diagnostic(d: &Diagnostic) -> String {
    // Bounded like every other read: the file may be /dev/zero.
    let source = handoff_core::input::read_text(&d.file, handoff_core::input::MAX_FILE_BYTES).ok();
    handoff_reports::printer::diagnostics::render(d, source.as_deref())
}

/// Load a contract for use, or explain why it cannot be used.
pub(crate) fn prepare(path: &Path) -> Result<Checker, Fatal> {
    let (checker, diags) = handoff_core::lint::prepare(path);
    checker.ok_or_else(|| unusable(&diags, &format!("the contract {}", shown(path))))
}

pub(crate) fn resolve(registry: &Registry, reference: &str) -> Result<PathBuf, Fatal> {
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

pub(crate) fn load_contract(args: &ContractArgs) -> Result<Checker, Fatal> {
    let config = project_config(args.config.as_deref()).ok().flatten();
    let registry = registry_for(args.contracts.as_deref(), config.as_ref());
    let path = resolve(&registry, &args.contract)?;
    prepare(&path)
}

/// Every version a reference covers, newest first: a file is one version; `id` is all of the
/// contract's versions; `id@requirement` those matching it.
pub(crate) fn versions_of(registry: &Registry, reference: &str) -> Result<Vec<Checker>, Fatal> {
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
            .map(handoff_core::registry::parse_requirement)
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

/// A command-line value chosen from a library table of `(name, value, help)`: the library's
/// enums know their names and what each means, and only the command line knows clap. Help and
/// errors read as clap's own value enums do (`[possible values: ...]`, each with its help).
#[derive(Clone)]
pub(crate) struct Choices<T: 'static>(pub(crate) &'static [(&'static str, T, &'static str)]);

impl<T: Clone + Send + Sync + 'static> clap::builder::TypedValueParser for Choices<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        if let Some((_, chosen, _)) = self.0.iter().find(|(name, ..)| value == *name) {
            return Ok(chosen.clone());
        }
        // Not one of ours: clap's own parser over the same names words the error.
        let names =
            clap::builder::PossibleValuesParser::new(self.possible_values().into_iter().flatten());
        Err(names.parse_ref(cmd, arg, value).err().unwrap_or_else(|| {
            clap::Error::new(clap::error::ErrorKind::InvalidValue).with_cmd(cmd)
        }))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(self.0.iter().map(|(name, _, help)| {
            clap::builder::PossibleValue::new(*name).help(*help)
        })))
    }
}

/// Whole-file writes (a synced temporary file beside the target, renamed onto it): shared with
/// the library's repair and review writers.
pub(crate) use handoff_reports::patched::{write_new, write_replacing};

/// Refuse to write a report or a baseline through a symbolic link: in a shared checkout, a
/// link planted where the report goes would let the run overwrite any file it can write.
pub(crate) fn refuse_link(path: &Path, what: &str) -> Result<(), Fatal> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(Fatal::new(format!(
            "{} is a symbolic link; handoff does not write the {what} through links\n  = help: remove the link, or name the file it points to",
            shown(path)
        ))),
        _ => Ok(()),
    }
}

/// Whether `path` leads outside `root`: lexically (`..`, an absolute path elsewhere) or
/// through a symbolic link. A glob is judged by its literal prefix.
pub(crate) fn outside(root: &Path, path: &Path) -> bool {
    let root = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    !handoff_core::reach::Reach::within([root]).permits(&handoff_core::input::literal_prefix(path))
}

/// A project file (handoff.yaml, a flow) that names a file outside the project directory.
pub(crate) fn reach_error_in(file: &Path, base: &Path, what: &str, path: &Path) -> Fatal {
    Fatal::new(format!(
        "{} names the {what} {}, which is outside the project directory {}\n  = help: a changed project file could otherwise read or write any file; pass --allow-outside if this is intended",
        shown(file),
        shown(path),
        shown(if base.as_os_str().is_empty() {
            Path::new(".")
        } else {
            base
        })
    ))
}

/// An input as handoff.yaml names it, joined to the project directory for messages.
pub(crate) fn join_display(base: &Path, input: &str) -> String {
    if input == "-" || base.as_os_str().is_empty() || Path::new(input).is_absolute() {
        input.to_string()
    } else {
        base.join(input).display().to_string()
    }
}

/// `handoff man`: the pages are made from the argument definitions, so they cannot drift.
pub(crate) fn man(
    command: Option<&str>,
    out_dir: Option<&Path>,
    allow_outside: bool,
    con: &mut Console<'_>,
) -> Result<u8, Fatal> {
    // Every page's footer names the version, as handoff(1)'s does; clap's `help` subcommands
    // would each be a page that says nothing the others do not.
    fn for_pages(c: clap::Command) -> clap::Command {
        c.version(env!("CARGO_PKG_VERSION"))
            .disable_help_subcommand(true)
            .mut_subcommands(for_pages)
    }
    let mut cli = for_pages(crate::command());
    cli.build();
    if let Some(dir) = out_dir {
        // Where pages go is the user's ask, but like every other write it stays in the project
        // unless they say otherwise, and each page is written whole.
        let reach = handoff_core::reach::Reach::project([PathBuf::from(".")], allow_outside);
        reach
            .check(dir, "the manual pages' directory")
            .map_err(|o| Fatal::new(o.to_string()))?;
        std::fs::create_dir_all(dir)?;
        fn pages(cmd: &clap::Command, dir: &Path) -> Result<usize, Fatal> {
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd.clone()).render(&mut page)?;
            let name = cmd.get_display_name().unwrap_or(cmd.get_name());
            write_replacing(&dir.join(format!("{name}.1")), &page)?;
            let mut written = 1;
            for sub in cmd.get_subcommands() {
                written += pages(sub, dir)?;
            }
            Ok(written)
        }
        let written = pages(&cli, dir)?;
        con.note(format_args!(
            "handoff: {written} manual pages written to {}",
            shown(dir)
        ));
        return Ok(EXIT_CLEAN);
    }
    let page = match command {
        None => cli,
        Some(name) => {
            let Some(sub) = cli.find_subcommand(name).cloned() else {
                let names: Vec<String> = cli
                    .get_subcommands()
                    .map(|c| c.get_name().to_string())
                    .collect();
                let help = match handoff_core::diagnostic::did_you_mean(
                    name,
                    names.iter().map(String::as_str),
                ) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("one of: {}", names.join(", ")),
                };
                return Err(Fatal::new(format!("no command `{name}`\n  = help: {help}")));
            };
            // Built, a subcommand's display name is handoff-NAME, the page handoff(1) refers to.
            sub
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page).render(&mut out)?;
    print_out(con, &String::from_utf8_lossy(&out))
}
