//! Every `handoff` command README.md and docs/*.md show in a shell block runs, as shown, in a
//! copy of this repository (with the `captures/` and `exports/` a project would have, made
//! from the fixtures): none is a usage or contract error (exit 2), and none panics. Outputs
//! the docs quote are held to the real output by the tests beside each feature (the README's
//! triage sample, docs/triage.md's worked example, docs/lint.md's sample, the import commands).

use crate::common;

use std::path::{Path, PathBuf};

/// (document, directory, command line) for each command in a `sh`/`console` block; a leading
/// `cd DIR &&` gives the directory, `\` continuations are joined, trailing `# comments` and
/// `> redirections` dropped.
fn commands() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (name, text) in docs() {
        let mut shell = None::<bool>;
        // The command being joined across `\` lines, and its directory.
        let mut pending: Option<(String, String)> = None;
        for line in text.lines() {
            let trimmed = line.trim();
            if let Some(lang) = trimmed.strip_prefix("```") {
                shell = match shell {
                    None => Some(matches!(lang, "sh" | "bash" | "console" | "shell")),
                    Some(_) => None,
                };
                continue;
            }
            if shell != Some(true) {
                continue;
            }
            let (dir, part) = match pending.take() {
                Some((dir, mut so_far)) => {
                    so_far.push_str(trimmed);
                    (dir, so_far)
                }
                None => match command_of(trimmed) {
                    Some(found) => found,
                    None => continue,
                },
            };
            match part.strip_suffix('\\') {
                Some(head) => pending = Some((dir, format!("{head} "))),
                None => {
                    let command = part.split(" #").next().unwrap();
                    let command = command.split(" > ").next().unwrap().trim().to_string();
                    out.push((name.clone(), dir, command));
                }
            }
        }
    }
    out
}

/// README.md and docs/*.md: (path from the repository, text).
fn docs() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    paths.sort();
    paths.insert(0, root.join("README.md"));
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p.strip_prefix(root).unwrap().display().to_string(), text)
        })
        .collect()
}

/// The directory (a leading `cd DIR &&`, else the project's) and the arguments after
/// `handoff` or `cargo run --release --`, of a line that runs handoff.
fn command_of(line: &str) -> Option<(String, String)> {
    let (dir, rest) = match line.strip_prefix("cd ").and_then(|r| r.split_once(" && ")) {
        Some((dir, rest)) => (dir.trim().to_string(), rest.trim()),
        None => (".".to_string(), line),
    };
    let command = rest
        .strip_prefix("handoff ")
        .or_else(|| rest.strip_prefix("cargo run --release -- "))?;
    Some((dir, command.to_string()))
}

/// Run `handoff` with a command's words in `dir` of the project, as a user would.
fn run(project: &Path, dir: &str, command: &str) -> std::process::Output {
    common::handoff(project.join(dir))
        .args(words(command))
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// `handoff serve` as shown, on a free loopback port: it must start listening, and stop with
/// exit 0 on SIGTERM (what it records is held by tests/it/serve.rs).
fn serve(project: &Path, dir: &str, command: &str) -> Result<(), String> {
    use std::io::BufRead;
    let mut args = words(command);
    match args.iter().position(|a| a == "--listen") {
        Some(i) => args[i + 1] = "127.0.0.1:0".into(),
        None => args.extend(["--listen".into(), "127.0.0.1:0".into()]),
    }
    let mut child = common::handoff(project.join(dir))
        .args(&args)
        .env_remove("HANDOFF_SERVE_TOKEN")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // One real order posted, so the commands after it in the docs (a check of the
    // captures) have what they read.
    let posted = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .map(|addr| {
            use std::io::{Read, Write};
            let body = std::fs::read(project.join("fixtures/storefront-order-to-erp/invalid/kitchen-sink.json")).unwrap();
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            let head = format!(
                "POST /capture/storefront-order-to-erp@%5E2 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            s.write_all(head.as_bytes()).unwrap();
            s.write_all(&body).unwrap();
            let mut reply = String::new();
            let _ = s.read_to_string(&mut reply);
            reply.lines().next().unwrap_or("").to_string()
        });
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    if !first.contains("listening on http://127.0.0.1:") || status.code() != Some(0) {
        return Err(format!("exit {:?}: {first}", status.code()));
    }
    match posted.as_deref() {
        Some("HTTP/1.1 202 Accepted" | "HTTP/1.1 422 Unprocessable Entity") => Ok(()),
        other => Err(format!("a posted order was answered {other:?}")),
    }
}

/// Words as a POSIX shell splits them, for the quoting the docs use ('...' and "...").
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in command.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            (None, c) => word.push(c),
        }
    }
    if any || !word.is_empty() {
        out.push(word);
    }
    out
}

/// A project as the docs describe one: this repository's contracts, fixtures and project file,
/// with captures and an exported queue made from the fixtures.
fn project() -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for part in ["contracts", "fixtures", "tests/import"] {
        common::copy_dir(&root.join(part), &dir.path().join(part));
    }
    std::fs::copy(root.join("handoff.yaml"), dir.path().join("handoff.yaml")).unwrap();
    common::copy_dir(
        &root.join("fixtures/storefront-order-to-erp"),
        &dir.path().join("captures/orders"),
    );
    common::copy_dir(
        &root.join("fixtures/payment-status-to-storefront"),
        &dir.path().join("captures/payments"),
    );
    // An exported queue under the column names docs/triage.md maps: each row's payload a file.
    let payloads = dir.path().join("exports/payloads");
    std::fs::create_dir_all(&payloads).unwrap();
    let mut queue = String::from("Created,Error Code,Payload,Contract\n");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(root.join("fixtures/storefront-order-to-erp/invalid"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
    files.sort();
    for (i, file) in files.iter().enumerate() {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        std::fs::copy(file, payloads.join(&name)).unwrap();
        queue.push_str(&format!(
            "2026-11-{:02}T09:00:00Z,ORDER_REJECTED,payloads/{name},storefront-order-to-erp@^2\n",
            2 + i % 20
        ));
    }
    std::fs::write(dir.path().join("exports/queue.csv"), queue).unwrap();
    // The exception log docs/spark.md's local Spark example writes (the package's tests run
    // the example itself): its invalid payloads under triage's field names.
    let invalid = std::fs::read_to_string(
        root.join("fixtures/payment-status-to-storefront/invalid/2026-11-21.ndjson"),
    )
    .unwrap();
    let log: String = invalid
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            serde_json::json!({
                "opened_at": "2026-12-06T10:00:00Z",
                "error_code": "invalid",
                "payload_inline": line,
                "contract": "payment-status-to-storefront@^2",
            })
            .to_string()
                + "\n"
        })
        .collect();
    std::fs::create_dir_all(dir.path().join("target")).unwrap();
    std::fs::write(dir.path().join("target/exceptions.ndjson"), log).unwrap();
    dir
}

#[test]
fn every_command_in_the_docs_runs() {
    let commands = commands();
    assert!(
        commands.len() >= 35,
        "only {} commands found",
        commands.len()
    );
    let project = project();
    let mut failures = Vec::new();
    for (doc, dir, command) in &commands {
        if command.starts_with("serve") {
            if let Err(why) = serve(project.path(), dir, command) {
                failures.push(format!("{doc}: handoff {command}\n  {why}"));
            }
            continue;
        }
        let out = run(project.path(), dir, command);
        let code = out.status.code();
        // Another log than the project's: the optional columns handoff.yaml maps for its own
        // are left out, saying so (the mapping's payload and boundary given here replace its).
        if command.starts_with("triage exports/queue.csv") {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains("handoff: note: handoff.yaml maps `handled_by` to the column `agent`, which exports/queue.csv does not have: read without it"),
                "{stderr}"
            );
            assert!(
                String::from_utf8_lossy(&out.stdout).contains("ORDER_REJECTED"),
                "{}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        if !matches!(code, Some(0 | 1)) {
            failures.push(format!(
                "{doc}: handoff {command}\n  exit {code:?}: {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn shell_words_are_split_as_a_shell_splits_them() {
    assert_eq!(
        words(r#"check --map error_code="Error Code" '/$defs/A' x"#),
        ["check", "--map", "error_code=Error Code", "/$defs/A", "x"]
    );
    assert_eq!(words("a ''"), ["a", ""]);
}

/// Where a shell block is followed by a plain block (its output), every line of that block is a
/// line of the real output, in order and with none left out between them unless a `...` line
/// says so (before, between or after the lines shown).
#[test]
fn every_output_sample_is_real_output() {
    let project = project();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (doc, text) in docs() {
        let lines: Vec<&str> = text.lines().collect();
        // (language, first line, body) of each fenced block.
        let mut blocks: Vec<(String, usize, Vec<&str>)> = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            if let Some(lang) = lines[i].trim().strip_prefix("```") {
                let start = i;
                i += 1;
                let mut body = Vec::new();
                while i < lines.len() && !lines[i].trim().starts_with("```") {
                    body.push(lines[i]);
                    i += 1;
                }
                blocks.push((lang.to_string(), start, body));
            }
            i += 1;
        }
        for pair in blocks.windows(2) {
            let ((lang, start, body), (next_lang, next_start, sample)) = (&pair[0], &pair[1]);
            // The output block right after the command block (a blank line between).
            if !matches!(lang.as_str(), "sh" | "console") || !next_lang.is_empty() {
                continue;
            }
            if *next_start != start + body.len() + 3 {
                continue;
            }
            // Every command of the block, its outputs one after the other.
            let commands: Vec<(String, String)> =
                body.iter().filter_map(|l| command_of(l.trim())).collect();
            if commands.is_empty() {
                continue;
            }
            let mut real = String::new();
            let mut shown = Vec::new();
            for (dir, command) in &commands {
                let command = command.split(" #").next().unwrap();
                let out = run(project.path(), dir, command);
                real.push_str(&String::from_utf8_lossy(&out.stdout));
                real.push_str(&String::from_utf8_lossy(&out.stderr));
                shown.push(command.to_string());
            }
            let command = shown.join("; handoff ");
            let real: Vec<&str> = real.lines().map(str::trim_end).collect();
            // The sample is the output: line for line, `...` standing for lines left out
            // (before, between or after the lines shown).
            let mut at = 0;
            let mut gap = false;
            let mut failed = false;
            for want in sample.iter().map(|l| l.trim_end()) {
                if want.trim() == "..." {
                    gap = true;
                    continue;
                }
                // A line cut short in the docs ends with `...`: the real line starts with it.
                let fits = |l: &&str| match want.strip_suffix("...") {
                    Some(head) => l.starts_with(head.trim_end()),
                    None => *l == want,
                };
                let found = if gap {
                    real[at..].iter().position(fits)
                } else {
                    real.get(at).filter(|l| fits(l)).map(|_| 0)
                };
                match found {
                    Some(p) => at += p + 1,
                    None => {
                        failures.push(format!(
                            "{}:{}: `handoff {command}` shows no line {want:?} {} (the real output:\n{})",
                            doc,
                            next_start + 1,
                            if gap { "after the lines before it" } else { "right after the line before it (write ... for lines left out)" },
                            real.join("\n")
                        ));
                        failed = true;
                        break;
                    }
                }
                gap = false;
            }
            if !failed && !gap && at < real.len() {
                failures.push(format!(
                    "{}:{}: `handoff {command}` prints more after {:?}: {:?} (end the sample with ... if the rest is left out)",
                    doc,
                    next_start + 1,
                    sample.last().map(|l| l.trim_end()).unwrap_or_default(),
                    real[at]
                ));
            }
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} samples found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
