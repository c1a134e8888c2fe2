//! The contract registry: `contracts/<contract-id>/<version>.yaml`, and resolving references.
//!
//! Wherever a contract is named, a user may write `id` (the newest release), `id@2.1.0` (that
//! exact version), `id@^2` (the newest version meeting a semver requirement) or a file path.

use crate::diagnostic::did_you_mean;
use semver::{Version, VersionReq};
use std::fmt;
use std::path::{Path, PathBuf};

/// A directory of contracts.
#[derive(Debug, Clone)]
pub struct Registry {
    pub root: PathBuf,
}

/// All versions of one contract, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub versions: Vec<(Version, PathBuf)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    NoRegistry(PathBuf),
    FileNotFound(PathBuf),
    UnknownContract {
        id: String,
        suggestion: Option<String>,
    },
    BadRequirement {
        reference: String,
        reason: String,
    },
    NoMatchingVersion {
        id: String,
        requirement: String,
        available: Vec<Version>,
    },
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::NoRegistry(root) => {
                write!(f, "no contracts directory at {}", root.display())
            }
            ResolveError::FileNotFound(path) => write!(f, "no contract file at {}", path.display()),
            ResolveError::UnknownContract { id, suggestion } => {
                write!(f, "no contract `{id}` in the registry")?;
                if let Some(s) = suggestion {
                    write!(f, "; did you mean `{s}`?")?;
                }
                Ok(())
            }
            ResolveError::BadRequirement { reference, reason } => {
                write!(
                    f,
                    "`{reference}` is not a valid version requirement: {reason}"
                )
            }
            ResolveError::NoMatchingVersion {
                id,
                requirement,
                available,
            } => {
                let list: Vec<String> = available.iter().map(Version::to_string).collect();
                write!(
                    f,
                    "no version of `{id}` matches `{requirement}` (available: {})",
                    if list.is_empty() {
                        "none".to_string()
                    } else {
                        list.join(", ")
                    }
                )
            }
        }
    }
}

/// True when a reference names a file rather than a registry entry.
pub fn is_path_reference(reference: &str) -> bool {
    reference.contains(['/', '\\']) || reference.ends_with(".yaml") || reference.ends_with(".yml")
}

impl Registry {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Registry { root: root.into() }
    }

    /// Every contract and its versions, sorted by id. Files whose name is not a version are
    /// ignored here; `handoff lint` reports them.
    pub fn entries(&self) -> Result<Vec<Entry>, ResolveError> {
        let mut entries: Vec<Entry> = Vec::new();
        // `files` is sorted by directory, so each contract's files arrive together.
        for path in self.files()? {
            let id = path
                .parent()
                .and_then(Path::file_name)
                .and_then(|s| s.to_str());
            let version = path
                .file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| Version::parse(s).ok());
            let (Some(id), Some(version)) = (id, version) else {
                continue;
            };
            match entries.last_mut() {
                Some(entry) if entry.id == id => entry.versions.push((version, path)),
                _ => entries.push(Entry {
                    id: id.to_string(),
                    versions: vec![(version, path)],
                }),
            }
        }
        for entry in &mut entries {
            entry.versions.sort();
        }
        Ok(entries)
    }

    /// Every contract file in the registry, including ones whose names are not versions.
    pub fn files(&self) -> Result<Vec<PathBuf>, ResolveError> {
        let dirs = std::fs::read_dir(&self.root)
            .map_err(|_| ResolveError::NoRegistry(self.root.clone()))?;
        let mut files: Vec<PathBuf> = dirs
            .filter_map(Result::ok)
            .filter(|d| d.file_type().is_ok_and(|t| t.is_dir()))
            .flat_map(|dir| {
                let id = dir.file_name();
                std::fs::read_dir(dir.path())
                    .into_iter()
                    .flatten()
                    .filter_map(Result::ok)
                    .filter(|f| {
                        matches!(
                            f.path().extension().and_then(|e| e.to_str()),
                            Some("yaml" | "yml")
                        )
                    })
                    .map(move |f| self.root.join(&id).join(f.file_name()))
            })
            .collect();
        files.sort();
        Ok(files)
    }

    /// The file a reference names.
    pub fn resolve(&self, reference: &str, base: &Path) -> Result<PathBuf, ResolveError> {
        if is_path_reference(reference) {
            let path = base.join(reference);
            return if path.is_file() {
                Ok(PathBuf::from(reference))
            } else {
                Err(ResolveError::FileNotFound(PathBuf::from(reference)))
            };
        }
        let (id, requirement) = match reference.split_once('@') {
            Some((id, req)) => (id, Some(req)),
            None => (reference, None),
        };
        let entries = self.entries()?;
        let Some(entry) = entries.iter().find(|e| e.id == id) else {
            let suggestion =
                did_you_mean(id, entries.iter().map(|e| e.id.as_str())).map(str::to_string);
            return Err(ResolveError::UnknownContract {
                id: id.to_string(),
                suggestion,
            });
        };
        let chosen = match requirement {
            // The newest release; a pre-release only when there is nothing else.
            None => entry
                .versions
                .iter()
                .rev()
                .find(|(v, _)| v.pre.is_empty())
                .or(entry.versions.last()),
            Some(req) => {
                let matcher =
                    parse_requirement(req).map_err(|reason| ResolveError::BadRequirement {
                        reference: reference.to_string(),
                        reason,
                    })?;
                entry
                    .versions
                    .iter()
                    .rev()
                    .find(|(v, _)| matcher.matches(v))
            }
        };
        chosen
            .map(|(_, path)| path.clone())
            .ok_or_else(|| ResolveError::NoMatchingVersion {
                id: id.to_string(),
                requirement: requirement.unwrap_or("*").to_string(),
                available: entry.versions.iter().map(|(v, _)| v.clone()).collect(),
            })
    }
}

/// `2.1.0` means exactly that version (unlike Cargo, where it would mean `^2.1.0`); anything
/// else is a semver requirement such as `^2`, `~2.1` or `>=1.4, <3`.
pub fn parse_requirement(req: &str) -> Result<VersionReq, String> {
    if let Ok(exact) = Version::parse(req) {
        return VersionReq::parse(&format!("={exact}")).map_err(|e| e.to_string());
    }
    VersionReq::parse(req).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_versions_are_exact() {
        let req = parse_requirement("2.1.0").unwrap();
        assert!(req.matches(&Version::new(2, 1, 0)));
        assert!(!req.matches(&Version::new(2, 1, 1)));
        assert!(
            parse_requirement("^2")
                .unwrap()
                .matches(&Version::new(2, 9, 0))
        );
        assert!(parse_requirement("two").is_err());
    }

    #[test]
    fn resolution_prefers_the_newest_release() {
        let root = std::env::temp_dir().join(format!("handoff-registry-{}", std::process::id()));
        let dir = root.join("orders");
        std::fs::create_dir_all(&dir).unwrap();
        for name in [
            "1.0.0.yaml",
            "1.2.0.yaml",
            "1.10.0.yaml",
            "2.0.0-beta.1.yaml",
            "draft.yaml",
            "notes.txt",
        ] {
            std::fs::write(dir.join(name), "").unwrap();
        }
        let registry = Registry::new(&root);
        let base = Path::new(".");
        let pick = |r: &str| {
            registry
                .resolve(r, base)
                .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        };
        assert_eq!(
            pick("orders").unwrap(),
            "1.10.0.yaml",
            "1.10.0 is newer than 1.2.0"
        );
        assert_eq!(pick("orders@1.2.0").unwrap(), "1.2.0.yaml");
        assert_eq!(pick("orders@~1.0").unwrap(), "1.0.0.yaml");
        assert_eq!(pick("orders@>=2.0.0-beta").unwrap(), "2.0.0-beta.1.yaml");
        assert_eq!(
            pick("orders@^3").unwrap_err(),
            ResolveError::NoMatchingVersion {
                id: "orders".into(),
                requirement: "^3".into(),
                available: ["1.0.0", "1.2.0", "1.10.0", "2.0.0-beta.1"]
                    .iter()
                    .map(|v| Version::parse(v).unwrap())
                    .collect(),
            }
        );
        assert_eq!(
            registry.files().unwrap().len(),
            5,
            "lint sees draft.yaml too"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn path_references() {
        assert!(is_path_reference("contracts/x/1.0.0.yaml"));
        assert!(is_path_reference("local.yaml"));
        assert!(!is_path_reference("storefront-order@^1"));
    }
}
