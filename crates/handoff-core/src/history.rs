//! Contract versions as they were at a git revision, for `handoff diff --against REV`.
//!
//! Reads with `git ls-tree` and `git show`, so nothing in the working tree changes.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The contract files under `root` at `rev`, with their text. Paths are as `root` is given.
pub fn contracts_at(rev: &str, root: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let listing = git(&[
        "ls-tree",
        "-r",
        "--name-only",
        rev,
        "--",
        &root.to_string_lossy(),
    ])?;
    let mut out = Vec::new();
    for path in listing
        .lines()
        .filter(|l| l.ends_with(".yaml") || l.ends_with(".yml"))
    {
        let text = git(&["show", &format!("{rev}:./{path}")])?;
        out.push((PathBuf::from(path), text));
    }
    Ok(out)
}

fn git(args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        return Err(format!("git {}: {}", args.join(" "), err.trim()));
    }
    String::from_utf8(output.stdout)
        .map_err(|_| format!("git {} printed text that is not UTF-8", args.join(" ")))
}
