//! `handoff init [CAPTURES...]`: a new project here: handoff.yaml, contracts/, and for each
//! boundary of the captures a drafted contract (as `handoff infer` drafts it) with the check
//! that maps it. Never overwrites a file.

use super::infer::{default_id, parse_loops, read_inputs};
use super::{EXIT_CLEAN, Fatal, shown};
use crate::console::Console;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub(crate) struct InitArgs {
    /// Capture directories: each subdirectory holding payloads is one boundary (a directory
    /// with payloads but no such subdirectories is one itself); a file is one boundary
    pub(crate) captures: Vec<PathBuf>,
    /// Close every object of the drafts
    #[arg(long)]
    pub(crate) closed: bool,
    /// An X12 loop of the X12 captures, as `handoff infer --x12-loops` takes it (`N1,N3,N4`,
    /// `NAME=SEG,...`, `PARENT/NAME=SEG,...`); repeat for each loop
    #[arg(long, value_name = "SPEC")]
    pub(crate) x12_loops: Vec<String>,
}

/// The boundaries of one argument: its subdirectories that hold payload files, else itself.
fn boundaries(arg: &Path) -> Vec<PathBuf> {
    if !arg.is_dir() {
        return vec![arg.to_path_buf()];
    }
    let mut subs: Vec<PathBuf> = std::fs::read_dir(arg)
        .map(|entries| {
            entries
                .flatten()
                // Links are not followed: a planted one must not pull files from elsewhere.
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    subs.sort();
    if subs.is_empty() {
        vec![arg.to_path_buf()]
    } else {
        subs
    }
}

pub(crate) fn cmd_init(args: InitArgs, con: &mut Console<'_>) -> Result<u8, Fatal> {
    let project = Path::new(handoff_reports::config::FILE_NAME);
    if project.exists() {
        return Err(Fatal::new(
            "handoff.yaml already exists here: init never overwrites a file\n  = help: edit it, or run `handoff infer CAPTURES -o contracts/<id>/0.1.0.yaml` for one more contract",
        ));
    }
    let reach = handoff_core::reach::Reach::project([PathBuf::from(".")], false);
    let loops = parse_loops(&args.x12_loops)?;
    let mut drafts: Vec<(String, PathBuf, String)> = Vec::new();
    for arg in &args.captures {
        reach
            .check(arg, "the captures")
            .map_err(|o| Fatal::new(o.to_string()))?;
        for boundary in boundaries(arg) {
            let input = boundary.display().to_string();
            let id = default_id(&input);
            if drafts.iter().any(|(other, ..)| *other == id) {
                return Err(Fatal::new(format!(
                    "two boundaries would be named `{id}` ({input} and another): give them directories of their own names"
                )));
            }
            let read = match read_inputs(
                std::slice::from_ref(&input),
                handoff_core::input::Framing::Auto,
                &loops,
                &reach,
                con,
            ) {
                Ok(read) => read,
                Err(Fatal { message, .. }) => {
                    con.note(format_args!(
                        "handoff: note: {input}: {message}; no contract drafted for it"
                    ));
                    continue;
                }
            };
            let sources = format!("{} under {input}", read.kind.sources(read.files));
            let text = read
                .profile
                .draft(&read.options(id.clone(), args.closed, false, sources));
            drafts.push((id, boundary, text));
        }
    }
    // Every target is checked before anything is written: init writes all or nothing.
    let targets: Vec<PathBuf> = drafts
        .iter()
        .map(|(id, ..)| Path::new("contracts").join(id).join("0.1.0.yaml"))
        .collect();
    // A planted link (contracts/ pointing elsewhere) must not carry the writes out.
    for target in targets.iter().chain([&project.to_path_buf()]) {
        reach
            .check(target, "a file init writes")
            .map_err(|o| Fatal::new(o.to_string()))?;
    }
    if let Some(existing) = targets.iter().find(|t| t.exists()) {
        return Err(Fatal::new(format!(
            "{} already exists: init never overwrites a file",
            shown(existing)
        )));
    }
    std::fs::create_dir_all("contracts")?;
    let mut yaml = String::from(
        "# handoff project file, written by `handoff init`: which captured payloads each contract checks.\n# `handoff check` reads it (from this directory or any directory below it).\ncontracts: contracts\n",
    );
    if drafts.is_empty() {
        yaml.push_str("checks: []\n");
    } else {
        yaml.push_str("checks:\n");
    }
    for ((id, boundary, text), target) in drafts.iter().zip(&targets) {
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)?;
        }
        write_new(target, text.as_bytes())?;
        con.note(format_args!(
            "handoff: wrote {} (a draft: review it before relying on it)",
            shown(target)
        ));
        let input = serde_json::to_string(&boundary.display().to_string()).unwrap_or_default();
        yaml.push_str(&format!("  - contract: {id}\n    inputs: [{input}]\n"));
    }
    write_new(project, yaml.as_bytes())?;
    con.note(format_args!(
        "handoff: wrote handoff.yaml with {} check{}; next: review the drafts under contracts/, then run `handoff check`",
        drafts.len(),
        if drafts.len() == 1 { "" } else { "s" }
    ));
    Ok(EXIT_CLEAN)
}

fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Fatal> {
    super::write_new(path, bytes).map_err(|e| {
        Fatal::new(format!(
            "cannot write {}: {e} (init never overwrites a file)",
            shown(path)
        ))
    })
}
