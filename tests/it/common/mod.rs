//! Helpers the integration tests share: copying an example project to break it, and rendering
//! a report in headless Chromium.
#![allow(dead_code)] // each test crate uses some of these

pub mod cdp;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The `handoff` binary, to run in `dir`, with none of the caller's environment that would
/// change what it reads or where it writes: no `HANDOFF_CONFIG` pointing at another project, no
/// `GITHUB_STEP_SUMMARY` for a test run on GitHub Actions to append to.
pub fn handoff(dir: impl AsRef<Path>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_handoff"));
    cmd.current_dir(dir)
        .env_remove("HANDOFF_CONFIG")
        .env_remove("GITHUB_STEP_SUMMARY");
    cmd
}

/// Copy a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Chromium, when installed (`.ci/run` installs Debian's package when it can); a test that
/// needs it says it skipped otherwise.
pub fn browser() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if found.is_none() {
        eprintln!(
            "SKIPPED: no Chromium installed (apt-get install chromium); the HTML was checked without a browser"
        );
    }
    found
}

const WINDOW: [&str; 4] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
];

/// The page at `url` after its scripts ran, asserting the browser logged no page error.
pub fn rendered_dom(browser: &str, url: &str, width: u32, height: u32) -> String {
    let out = Command::new(browser)
        .args(WINDOW)
        .arg(format!("--window-size={width},{height}"))
        .args(["--enable-logging=stderr", "--dump-dom", url])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        !log.lines()
            .any(|l| l.contains("CONSOLE") || l.contains("Uncaught")),
        "the browser logged page errors: {log}"
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A screenshot of the page at `url`, written to target/`name`; asserts it is a real picture.
pub fn screenshot(browser: &str, url: &str, name: &str, width: u32, height: u32) -> PathBuf {
    let shot = target_dir().join(name);
    let _ = std::fs::remove_file(&shot);
    let out = Command::new(browser)
        .args(WINDOW)
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a screenshot of the page"
    );
    shot
}

/// The build's target directory, for pages and screenshots the tests write.
pub fn target_dir() -> PathBuf {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&target).unwrap();
    target
}

/// `doc` is valid against the JSON Schema at `schema` (relative to the repository).
pub fn assert_valid(schema: &str, doc: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(schema)).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options().build(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// A reconcile flow report's gaps as (kind, entity or `-`, boundary pair `a -> b`), sorted:
/// what the example projects' expected-gap lists hold.
pub fn gap_triples(flow: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut list: Vec<(String, String, String)> = flow["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let systems: Vec<&str> = g["systems"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            (
                g["kind"].as_str().unwrap().to_string(),
                g["entity"].as_str().unwrap_or("-").to_string(),
                systems.join(" -> "),
            )
        })
        .collect();
    list.sort();
    list
}

/// Run a fixture's Python generator in a fresh scratch directory (a copy of the script, so the
/// checked-in files are not touched) and return that directory, where it wrote its files.
/// `.ci/run` installs python3 with the tz database when it is missing.
pub fn run_generator(script: &Path, name: &str) -> PathBuf {
    let scratch = std::env::temp_dir().join(format!("handoff-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    std::fs::copy(script, scratch.join("generate.py")).unwrap();
    let status = Command::new("python3")
        .arg(scratch.join("generate.py"))
        .status()
        .unwrap_or_else(|e| {
            panic!(
                "python3 (with the tz database: Debian's tzdata) runs {}: {e}; .ci/run installs both",
                script.display()
            )
        });
    assert!(status.success(), "{} failed", script.display());
    scratch
}

/// An example project's `expected-gaps.txt`: (kind, entity, boundary pair) per line, tab
/// separated, `#` lines being comments; in the file's (sorted) order.
pub fn expected_gaps(path: &Path) -> Vec<(String, String, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let p: Vec<&str> = l.split('\t').collect();
            (p[0].into(), p[1].into(), p[2].into())
        })
        .collect()
}

/// The JSON-Schema-Test-Suite (draft 2020-12): `../shared/peers/json-schema-test-suite`, or
/// `HANDOFF_JSON_SCHEMA_SUITE` (which `.ci/run` points at the copy in PyPI's jsonschema source
/// release). `None`, saying SKIPPED, where it is not.
pub fn json_schema_suite() -> Option<PathBuf> {
    let dir = std::env::var_os("HANDOFF_JSON_SCHEMA_SUITE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/peers/json-schema-test-suite")
        });
    if dir.join("tests/draft2020-12").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: the JSON-Schema-Test-Suite is not at {} (set HANDOFF_JSON_SCHEMA_SUITE to its checkout)",
            dir.display()
        );
        None
    }
}
