//! The official JSON-Schema-Test-Suite (draft 2020-12), run as the suite runs it: each group's
//! schema imported with `handoff import`'s library call, loaded as a contract, and each test's
//! data checked against it unwrapped (the root is whatever the schema says). The suite is test
//! data outside the project (`../shared/peers/json-schema-test-suite`, or
//! `HANDOFF_JSON_SCHEMA_SUITE`, which `.ci/run` points at the copy in PyPI's jsonschema source
//! release); without it this test says it skipped.
//!
//! Every group whose tests do not all agree is listed in docs/import.md with its reason, and
//! the docs say how many agree: the test fails when either is not exactly so, and below 97%.
//! Every test's findings are also compared with those of the same contract on the
//! `jsonschema` engine alone (`--engine jsonschema`): the native engine changes none.

use handoff_core::check::Checker;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn suite() -> Option<PathBuf> {
    crate::common::json_schema_suite()
}

/// What one group's schema became: a checker, or why there is none.
fn checker(schema: &Value, options: &handoff_core::import::Options) -> Result<Checker, String> {
    let imported = handoff_core::import::json_schema_with(schema, None, "suite", options)?;
    match handoff_core::lint::prepare_text(Path::new("suite.yaml"), &imported.yaml) {
        (Some(checker), _) => Ok(checker),
        (None, diagnostics) => Err(format!(
            "the imported contract does not load: {}",
            diagnostics
                .iter()
                .find(|d| d.is_error())
                .map(|d| d.message.clone())
                .unwrap_or_default()
        )),
    }
}

/// Per file: (tests, agreeing), and the groups that disagree with the first difference; and
/// how many tests the standard export of each imported contract agrees on.
struct Run {
    files: BTreeMap<String, (usize, usize)>,
    differences: Vec<(String, String, String)>,
    exported_agree: usize,
    export_differences: Vec<(String, String)>,
}

/// The suite's remote documents, by the URI its tests use for them (`http://localhost:1234/`).
fn remotes(dir: &Path) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.join("remotes")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let relative = path.strip_prefix(dir.join("remotes")).unwrap();
                let uri = format!("http://localhost:1234/{}", relative.to_string_lossy());
                let doc = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                out.insert(uri, doc);
            }
        }
    }
    out
}

fn run(dir: &Path) -> Run {
    // The suite treats `format` as an annotation, as JSON Schema does by default.
    let options = handoff_core::import::Options {
        formats: handoff_core::import::Formats::Annotate,
        documents: remotes(dir),
    };
    let mut files = BTreeMap::new();
    let mut differences = Vec::new();
    let mut exported_agree = 0;
    let mut export_differences = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.join("tests/draft2020-12"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let groups: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let (mut total, mut agree) = (0, 0);
        for group in groups {
            let description = group["description"].as_str().unwrap_or("").to_string();
            let tests = group["tests"].as_array().unwrap();
            total += tests.len();
            let checker = checker(&group["schema"], &options);
            // The same contract on the jsonschema engine alone: both engines find the same.
            let exact_only = checker
                .is_ok()
                .then(|| self::checker(&group["schema"], &options).ok())
                .flatten()
                .map(|c| c.with_native(false));
            // The round trip: the contract exported as a standard JSON Schema, run by a plain
            // validator, judges each test as the suite does.
            let exported = checker.as_ref().ok().map(|c| {
                let schema = handoff_core::export::json_schema(c, false).schema;
                jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .build(&schema)
                    .map_err(|e| e.to_string())
            });
            let mut export_first: Option<String> = None;
            let mut first: Option<String> = None;
            for test in tests {
                let expected = test["valid"].as_bool().unwrap();
                match &exported {
                    Some(Ok(v)) if v.is_valid(&test["data"]) == expected => exported_agree += 1,
                    Some(Ok(_)) => {
                        export_first.get_or_insert_with(|| {
                            format!("{:?}", test["description"].as_str().unwrap_or(""))
                        });
                    }
                    Some(Err(e)) => {
                        export_first.get_or_insert_with(|| e.clone());
                    }
                    None => {}
                }
                let got = match &checker {
                    Ok(c) => {
                        let data = test["data"].to_string();
                        let findings = c.check(data.as_bytes());
                        if let Some(exact) = &exact_only {
                            assert_eq!(
                                findings,
                                exact.check(data.as_bytes()),
                                "{description} / {}: the engines disagree",
                                test["description"]
                            );
                        }
                        Ok(findings.is_empty())
                    }
                    Err(e) => Err(e.clone()),
                };
                match got {
                    Ok(valid) if valid == expected => agree += 1,
                    Ok(valid) => {
                        first.get_or_insert_with(|| {
                            format!(
                                "{:?}: the suite says {}, handoff says {}",
                                test["description"].as_str().unwrap_or(""),
                                if expected { "valid" } else { "invalid" },
                                if valid { "valid" } else { "invalid" }
                            )
                        });
                    }
                    Err(e) => {
                        first.get_or_insert(e);
                    }
                }
            }
            if let Some(why) = export_first {
                export_differences.push((format!("{name} / {description}"), why));
            }
            if let Some(why) = first {
                differences.push((name.clone(), description, why));
            }
        }
        files.insert(name, (total, agree));
    }
    Run {
        files,
        differences,
        exported_agree,
        export_differences,
    }
}

#[test]
fn the_json_schema_test_suite_agrees_as_the_suite_runs_it() {
    let Some(dir) = suite() else { return };
    let run = run(&dir);
    let total: usize = run.files.values().map(|(t, _)| t).sum();
    let agree: usize = run.files.values().map(|(_, a)| a).sum();
    let mut report = String::new();
    for (file, (t, a)) in &run.files {
        report.push_str(&format!("{file}: {a}/{t}\n"));
    }
    for (file, group, why) in &run.differences {
        report.push_str(&format!("  {file} / {group}: {why}\n"));
    }
    for (group, why) in &run.export_differences {
        report.push_str(&format!("  exported: {group}: {why}\n"));
    }
    println!(
        "{report}{agree}/{total} agree; exported, {}/{total}",
        run.exported_agree
    );
    // Every test the import agrees on, its standard export agrees on too, but where the
    // contract says more than standard keywords can (none in the suite's main files).
    assert_eq!(
        run.exported_agree, agree,
        "the exported schemas agree on {} tests, the contracts on {agree}:\n{report}",
        run.exported_agree
    );

    // docs/import.md lists every group that disagrees, and says how many tests agree.
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/import.md"))
            .unwrap();
    let list = &docs[docs.find("<!-- suite differences: start -->").unwrap()
        ..docs.find("<!-- suite differences: end -->").unwrap()];
    let documented: Vec<String> = list
        .lines()
        .filter_map(|l| l.strip_prefix("- `"))
        .map(|l| {
            let (file, rest) = l.split_once("` / ").unwrap();
            let group = rest.split_once(": ").map_or(rest, |(g, _)| g);
            format!("{file} / {group}")
        })
        .collect();
    let found: Vec<String> = run
        .differences
        .iter()
        .map(|(file, group, _)| format!("{file} / {group}"))
        .collect();
    assert_eq!(
        found, documented,
        "docs/import.md's list of differences:\n{report}"
    );
    assert!(
        docs.contains(&format!("**{agree} of its {total} tests agree")),
        "docs/import.md should say {agree} of {total} agree (this copy of the suite)"
    );
    assert!(
        agree * 100 >= total * 97,
        "{agree}/{total} agree:\n{report}"
    );
}
