//! What a newcomer installs around the command line: shell completions and manual pages made
//! from the argument definitions, and the GitHub Action in action.yml.

use crate::common::handoff;
use std::path::Path;

fn stdout(args: &[&str]) -> String {
    let out = handoff(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn completions_are_generated_for_every_shell_with_every_command() {
    for (shell, opening) in [
        ("bash", "_handoff() {"),
        ("zsh", "#compdef handoff"),
        ("fish", "complete -c handoff"),
        (
            "powershell",
            "Register-ArgumentCompleter -Native -CommandName 'handoff'",
        ),
    ] {
        let script = stdout(&["completions", shell]);
        assert!(
            script.contains(opening),
            "{shell}: {}",
            &script[..200.min(script.len())]
        );
        for command in ["check", "triage", "serve", "reconcile"] {
            assert!(script.contains(command), "{shell} completes no `{command}`");
        }
        // Flags of a command are completed too.
        assert!(script.contains("reject-invalid"), "{shell}");
    }
    let out = handoff(env!("CARGO_MANIFEST_DIR"))
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn manual_pages_are_generated_from_the_arguments() {
    let top = stdout(&["man"]);
    assert!(top.contains(".TH handoff 1"), "{top}");
    assert!(top.contains("handoff\\-serve(1)"), "{top}");
    let check = stdout(&["man", "check"]);
    assert!(check.contains(".TH handoff-check 1"), "{check}");
    assert!(check.contains("\\fB\\-\\-fail\\-on\\fR"), "{check}");
    let wrong = handoff(env!("CARGO_MANIFEST_DIR"))
        .args(["man", "chek"])
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("did you mean `check`?"));

    let dir = tempfile::tempdir().unwrap();
    let out = handoff(dir.path())
        .args(["man", "--out-dir", "man"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    for page in [
        "handoff.1",
        "handoff-check.1",
        "handoff-serve.1",
        "handoff-import-jsonschema.1",
    ] {
        let text = std::fs::read_to_string(dir.path().join("man").join(page))
            .unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.starts_with(".ie \\n(.g .ds Aq"), "{page}");
    }
}

#[test]
fn the_action_is_a_composite_that_runs_check_with_its_inputs_kept_out_of_scripts() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml");
    let action: serde_json::Value =
        serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(action["name"].is_string() && action["description"].is_string());
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = action["inputs"].as_object().unwrap();
    for (name, input) in inputs {
        assert!(
            input["description"].is_string(),
            "input {name} has no description"
        );
        assert!(
            input.get("default").is_some(),
            "input {name} has no default"
        );
    }
    let steps = action["runs"]["steps"].as_array().unwrap();
    let mut runs_check = false;
    for step in steps {
        let Some(script) = step["run"].as_str() else {
            assert!(
                step["uses"].is_string(),
                "a step that neither runs nor uses: {step}"
            );
            continue;
        };
        assert!(
            step["shell"].is_string(),
            "a run step needs its shell: {step}"
        );
        // An expression pasted into a script is a script injection.
        assert!(
            !script.contains("${{"),
            "an expression inside a script: {script}"
        );
        runs_check |= script.contains("handoff check --format \"$HANDOFF_FORMAT\"");
    }
    assert!(runs_check);
    assert_eq!(inputs["format"]["default"], "github");
    let outputs = &action["outputs"]["exit-code"]["value"];
    assert_eq!(outputs, "${{ steps.check.outputs.exit-code }}");
}

#[test]
fn manual_pages_stay_in_the_project_unless_asked() {
    let project = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let out = handoff(project.path())
        .args(["man", "--out-dir"])
        .arg(elsewhere.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the manual pages' directory"));
    assert!(
        std::fs::read_dir(elsewhere.path())
            .unwrap()
            .next()
            .is_none()
    );
    let asked = handoff(project.path())
        .args(["man", "--allow-outside", "--out-dir"])
        .arg(elsewhere.path())
        .output()
        .unwrap();
    assert_eq!(asked.status.code(), Some(0));
    assert!(elsewhere.path().join("handoff-check.1").is_file());
}

#[cfg(unix)]
#[test]
fn init_does_not_follow_a_planted_link_out_of_the_project() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    crate::common::copy_dir(
        &root.join("fixtures/storefront-order-to-erp/valid"),
        &project.path().join("captures/orders"),
    );
    std::os::unix::fs::symlink(elsewhere.path(), project.path().join("contracts")).unwrap();
    let out = handoff(project.path())
        .args(["init", "captures"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("a file init writes"));
    assert!(
        std::fs::read_dir(elsewhere.path())
            .unwrap()
            .next()
            .is_none()
    );
    assert!(!project.path().join("handoff.yaml").exists());
}
