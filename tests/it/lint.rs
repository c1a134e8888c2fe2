//! One broken contract per lint code: `tests/lint/<code>[-case].yaml` (or a directory layout for
//! path checks) must produce that code, and its full diagnostics are snapshotted.

use crate::common;
use handoff_core::diagnostic::{Code, Diagnostic};
use handoff_core::lint;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(Path::new("tests/lint"), &mut out);
    out
}

/// The code a case is named for: the first path component under tests/lint, minus any `-case`
/// suffix that is not part of a code.
fn named_code(path: &Path) -> Code {
    let first = path
        .strip_prefix("tests/lint")
        .unwrap()
        .components()
        .next()
        .unwrap();
    let name = first
        .as_os_str()
        .to_str()
        .unwrap()
        .trim_end_matches(".yaml");
    Code::ALL
        .iter()
        .copied()
        .filter(|c| name.starts_with(c.id()))
        .max_by_key(|c| c.id().len())
        .unwrap_or_else(|| panic!("{} is not named after a lint code", path.display()))
}

fn render(diags: &[Diagnostic]) -> String {
    diags.iter().map(|d| format!("{d}\n")).collect()
}

#[test]
fn each_case_reports_its_code_and_matches_its_snapshot() {
    for path in cases() {
        let diags = lint::lint(&path);
        let code = named_code(&path);
        assert!(
            diags.iter().any(|d| d.code == code),
            "{}: no {code} in {diags:#?}",
            path.display()
        );
        let name = path
            .strip_prefix("tests/lint")
            .unwrap()
            .with_extension("")
            .to_string_lossy()
            .replace('/', "__");
        insta::with_settings!({ snapshot_suffix => name, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("lint", render(&diags));
        });
    }
}

#[test]
fn every_code_has_a_case() {
    let covered: BTreeSet<Code> = cases()
        .iter()
        .flat_map(|p| lint::lint(p))
        .map(|d| d.code)
        .collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !covered.contains(c))
        .map(|c| c.id())
        .collect();
    assert!(
        missing.is_empty(),
        "lint codes no case in tests/lint produces: {missing:?}"
    );
}

#[test]
fn the_shipped_contracts_are_clean() {
    for entry in std::fs::read_dir("contracts").unwrap() {
        for file in std::fs::read_dir(entry.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            let diags = lint::lint(&path);
            assert!(diags.is_empty(), "{}:\n{}", path.display(), render(&diags));
        }
    }
}

/// docs/lint.md's sample is the real output for the example contract with `pattern`
/// misspelled in its `sku` format.
#[test]
fn the_documented_sample_is_real_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_to_string(root.join("docs/lint.md")).unwrap();
    let after = &docs[docs.find("Output looks like this").unwrap()..];
    let sample = after.split("```\n").nth(1).unwrap();
    let work = tempfile::tempdir().unwrap();
    let file = work
        .path()
        .join("contracts/storefront-order-to-erp/1.2.0.yaml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let text = std::fs::read_to_string(root.join("contracts/storefront-order-to-erp/1.2.0.yaml"))
        .unwrap()
        .replacen("    pattern: '^[A-Z]{3}", "    patern: '^[A-Z]{3}", 1);
    std::fs::write(&file, text).unwrap();
    let out = common::handoff(env!("CARGO_MANIFEST_DIR"))
        .args(["lint", "contracts/storefront-order-to-erp/1.2.0.yaml"])
        .current_dir(work.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let mut shown = String::from_utf8_lossy(&out.stdout).into_owned();
    shown.push_str(&String::from_utf8_lossy(&out.stderr));
    assert_eq!(shown, sample);
}
