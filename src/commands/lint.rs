//! `handoff lint`: contract files checked on their own.

use super::{
    EXIT_CLEAN, EXIT_VIOLATIONS, Fatal, LintFormat, project_config, registry_for,
    render_diagnostic, shown,
};
use crate::console::Console;
use handoff_core::lint;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub(crate) struct LintArgs {
    /// Contract files or directories (default: every contract in the registry)
    pub(crate) paths: Vec<PathBuf>,
    #[arg(long, value_name = "DIR")]
    pub(crate) contracts: Option<PathBuf>,
    #[arg(long, value_name = "FILE", env = "HANDOFF_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    #[arg(short, long, value_enum, default_value_t = LintFormat::Text)]
    pub(crate) format: LintFormat,
}

pub(crate) fn cmd_lint(args: LintArgs, con: &mut Console<'_>) -> Result<u8, Fatal> {
    // Without paths, the project's flows are linted too: against the contracts they name.
    let mut flows = (0, Vec::new());
    let files: Vec<PathBuf> = if args.paths.is_empty() {
        let config = project_config(args.config.as_deref())?;
        let registry = registry_for(args.contracts.as_deref(), config.as_ref());
        if let Some(config) = &config {
            flows = super::reconcile::lint_flows(config, &registry);
        }
        registry.files().map_err(|e| Fatal::new(e.to_string()))?
    } else {
        let mut files = Vec::new();
        for p in &args.paths {
            if p.is_dir() {
                collect_yaml(p, &mut files);
            } else if p.is_file() {
                files.push(p.clone());
            } else {
                let why = match std::fs::symlink_metadata(p) {
                    Ok(m) if m.file_type().is_symlink() && !p.exists() => {
                        "a symbolic link to nothing, or in a loop"
                    }
                    Ok(_) => "not a regular file or a directory",
                    Err(_) => "no such file or directory",
                };
                return Err(Fatal::new(format!("{}: {why}", shown(p))));
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
    all.extend(flows.1);
    let errors = all.iter().filter(|d| d.is_error()).count();
    let warnings = all.len() - errors;
    let mut styled = con.styled_out();
    let mut out = BufWriter::new(&mut styled);
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
                "linted {} contract file{}{}: {errors} error{}, {warnings} warning{}",
                files.len(),
                if files.len() == 1 { "" } else { "s" },
                match flows.0 {
                    0 => String::new(),
                    1 => " and 1 flow".to_string(),
                    n => format!(" and {n} flows"),
                },
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

pub(crate) fn collect_yaml(dir: &Path, files: &mut Vec<PathBuf>) {
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
