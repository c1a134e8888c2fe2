//! Where a run may read and write: one rule that every command's file opens go through.
//!
//! Captured payloads hold customers' data, and a pull request can change `handoff.yaml`, a
//! flow, an exception log or a symbolic link in the captures. So a path that did not come
//! from the command line (a project file's entry, a log row's payload path, a contract
//! reference in a log, a link met while walking a directory) must resolve, after `..` and
//! every symbolic link, inside the roots the run was given: the project directory, the
//! contract registry, and a directory the user named. `--allow-outside` lifts the rule.
//!
//! A refusal names the path and where it leads, never what the file holds.

use std::fmt;
use std::path::{Component, Path, PathBuf};

/// The directories a run may use, resolved once.
#[derive(Debug, Clone)]
pub struct Reach {
    /// Canonical roots; ignored when `anywhere`.
    roots: Vec<PathBuf>,
    anywhere: bool,
}

impl Reach {
    /// A reach confined to `roots` (each resolved as [`resolve`] does).
    pub fn within<P: AsRef<Path>>(roots: impl IntoIterator<Item = P>) -> Reach {
        let mut reach = Reach {
            roots: Vec::new(),
            anywhere: false,
        };
        for root in roots {
            reach.add(root.as_ref());
        }
        reach
    }

    /// No confinement (`--allow-outside`).
    pub fn anywhere() -> Reach {
        Reach {
            roots: Vec::new(),
            anywhere: true,
        }
    }

    /// `within(roots)`, or `anywhere()` when the user allowed it.
    pub fn project<P: AsRef<Path>>(
        roots: impl IntoIterator<Item = P>,
        allow_outside: bool,
    ) -> Reach {
        if allow_outside {
            Reach::anywhere()
        } else {
            Reach::within(roots)
        }
    }

    /// This reach and one more root (a directory the user named, which may lie anywhere).
    pub fn and(&self, root: &Path) -> Reach {
        let mut reach = self.clone();
        reach.add(root);
        reach
    }

    fn add(&mut self, root: &Path) {
        let root = resolve(root);
        if !self.roots.contains(&root) {
            self.roots.push(root);
        }
    }

    pub fn is_anywhere(&self) -> bool {
        self.anywhere
    }

    /// True when `path`, resolved, lies inside one of the roots.
    pub fn permits(&self, path: &Path) -> bool {
        self.anywhere || {
            let real = resolve(path);
            self.roots.iter().any(|root| real.starts_with(root))
        }
    }

    /// `Ok` when the reach permits `path`; otherwise why not. `what` says what the path is
    /// ("the payload file of row 12", "the history database").
    pub fn check(&self, path: &Path, what: &str) -> Result<(), Outside> {
        if self.permits(path) {
            return Ok(());
        }
        Err(Outside {
            what: what.to_string(),
            path: path.to_path_buf(),
            real: resolve(path),
            roots: self.roots.clone(),
        })
    }
}

/// A path the reach refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outside {
    pub what: String,
    pub path: PathBuf,
    /// Where it leads, after `..` and symbolic links.
    pub real: PathBuf,
    pub roots: Vec<PathBuf>,
}

impl fmt::Display for Outside {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |p: &Path| crate::escape::text(&p.display().to_string()).into_owned();
        write!(f, "{} {}", self.what, text(&self.path))?;
        if self.real != absolute(&self.path) {
            write!(f, " leads to {}, which is", text(&self.real))?;
        } else {
            f.write_str(" is")?;
        }
        let roots: Vec<String> = self.roots.iter().map(|r| text(r)).collect();
        write!(
            f,
            " outside the project ({}); it was not read\n  = help: handoff reads and writes only inside the project, its contracts and the directories named on the command line; pass --allow-outside if this is intended",
            if roots.is_empty() {
                "no directory".to_string()
            } else {
                roots.join(", ")
            }
        )
    }
}

impl std::error::Error for Outside {}

/// Where `path` really is: every symbolic link followed and `..` applied. A path that does not
/// exist (yet) is resolved through its longest existing ancestor, so `new/../../x` and a link
/// in a parent are still seen for what they are.
pub fn resolve(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let absolute = absolute(path);
    // The longest prefix that exists, canonicalised; the rest applied lexically.
    let parts: Vec<Component<'_>> = absolute.components().collect();
    for keep in (1..parts.len()).rev() {
        let head: PathBuf = parts[..keep].iter().collect();
        if let Ok(mut real) = std::fs::canonicalize(&head) {
            for part in &parts[keep..] {
                match part {
                    Component::ParentDir => {
                        real.pop();
                    }
                    Component::CurDir => {}
                    other => real.push(other),
                }
            }
            return real;
        }
    }
    absolute
}

/// `path` made absolute against the current directory, with `.` and `..` applied lexically.
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut normal = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    normal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_dot_dots_are_seen_for_where_they_lead() {
        let dir = std::env::temp_dir().join(format!("handoff-reach-{}", std::process::id()));
        let project = dir.join("project");
        std::fs::create_dir_all(project.join("captures")).unwrap();
        std::fs::write(dir.join("secret"), "token=abc").unwrap();
        std::os::unix::fs::symlink(dir.join("secret"), project.join("captures/a.json")).unwrap();
        std::fs::write(project.join("captures/b.json"), "{}").unwrap();
        let reach = Reach::within([&project]);
        assert!(reach.permits(&project.join("captures/b.json")));
        assert!(!reach.permits(&project.join("captures/a.json")));
        assert!(!reach.permits(&project.join("captures/../../secret")));
        assert!(!reach.permits(&project.join("new/../../elsewhere")));
        assert!(reach.permits(&project.join("new/dir/file")));
        let err = reach
            .check(&project.join("captures/a.json"), "the payload file")
            .unwrap_err()
            .to_string();
        assert!(err.contains("leads to"), "{err}");
        assert!(err.contains("--allow-outside"), "{err}");
        assert!(!err.contains("token"), "{err}");
        assert!(Reach::anywhere().permits(&dir.join("secret")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
