//! `handoff_cli::run` is the program: the same command line run in-process over two buffers
//! and as the binary gives the same standard output, standard error and exit status, byte for
//! byte, for every kind of command (reports, listings, help, usage errors, broken contracts).

use crate::common;
use handoff_cli::Exit;

/// The command line run in this process: (exit, stdout, stderr).
fn in_process(args: &[&str]) -> (Exit, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let exit = handoff_cli::run(
        std::iter::once("handoff").chain(args.iter().copied()),
        &mut out,
        &mut err,
    );
    (
        exit,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// The same command line run as the binary, from the same directory (the package root, which is
/// where the test process runs).
fn as_binary(args: &[&str]) -> (Exit, String, String) {
    let out = common::handoff(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("CI", "true")
        .output()
        .unwrap();
    let exit = match out.status.code() {
        Some(0) => Exit::Clean,
        Some(1) => Exit::Findings,
        Some(2) => Exit::Error,
        other => panic!("handoff {args:?} exited with {other:?}"),
    };
    (
        exit,
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_command_line_run_in_process_prints_what_the_binary_prints() {
    let cases: &[(&[&str], Exit)] = &[
        (&["check"], Exit::Findings),
        (&["check", "--format", "json"], Exit::Findings),
        (&["check", "--format", "sarif"], Exit::Findings),
        (&["check", "--color", "always"], Exit::Findings),
        (
            &[
                "check",
                "--contract",
                "storefront-order-to-erp@2.0.0",
                "fixtures/storefront-order-to-erp/valid",
            ],
            Exit::Clean,
        ),
        (&["lint", "contracts"], Exit::Clean),
        (&["explain", "storefront-order-to-erp@2"], Exit::Clean),
        (
            &[
                "diff",
                "fixtures/diff/version-bump-too-small/before.yaml",
                "fixtures/diff/version-bump-too-small/after.yaml",
            ],
            Exit::Findings,
        ),
        (&["triage", "--format", "markdown"], Exit::Clean),
        (
            &[
                "reconcile",
                "--config",
                "fixtures/flows/handoff.yaml",
                "--flow",
                "returns",
                "--as-of",
                "2026-11-15",
            ],
            Exit::Findings,
        ),
        (&["kinds"], Exit::Clean),
        (&["--help"], Exit::Clean),
        (&["--version"], Exit::Clean),
        (&["check", "--no-such-flag"], Exit::Error),
        (&["explain", "no-such-contract"], Exit::Error),
    ];
    for (args, expected) in cases {
        let (exit, out, err) = in_process(args);
        assert_eq!(exit, *expected, "handoff {args:?} in-process: {err}");
        let binary = as_binary(args);
        assert_eq!(
            (exit, out.as_str(), err.as_str()),
            (binary.0, binary.1.as_str(), binary.2.as_str()),
            "handoff {args:?}: in-process and binary differ"
        );
        if args.contains(&"always") {
            assert!(out.contains("\x1b["), "--color always keeps colour: {out}");
        } else {
            assert!(!out.contains('\x1b'), "a buffer is not a terminal: {out}");
        }
    }
}

#[test]
fn exit_statuses_are_the_documented_codes() {
    assert_eq!(
        [Exit::Clean, Exit::Findings, Exit::Error].map(Exit::code),
        [0, 1, 2]
    );
}

/// What makes the in-process run equal to the program: no command reaches past its console to
/// the process's own streams.
#[test]
fn only_the_console_touches_the_process_streams() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    let mut files = vec![root.join("lib.rs")];
    for entry in std::fs::read_dir(root.join("commands")).unwrap() {
        files.push(entry.unwrap().path());
    }
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            let direct = [
                "println!",
                "eprintln!",
                "print!(",
                "eprint!(",
                "io::stdout()",
                "io::stderr()",
            ];
            // `main` hands the process's streams to a console; nothing else may.
            if direct.iter().any(|d| code.contains(d)) && !code.contains("Console::process") {
                let hands_over =
                    file.ends_with("lib.rs") && code.contains("(io::stdout(), io::stderr())");
                if !hands_over {
                    offenders.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "write through the Console instead:\n{}",
        offenders.join("\n")
    );
}
