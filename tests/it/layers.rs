//! The layers are one-way. Between crates Cargo holds it (handoff-core <- handoff-reports <-
//! the binary); here, that the core's dependency tree has no terminal, argument parser or
//! database in it, and that inside each library crate no chain of `crate::` references between
//! its top-level modules leads back to where it started. A helper that every layer needs
//! (escaping, bounded file reads, spans, pointers) lives at the bottom, never in a printer or an
//! input reader.
//!
//! The edges are read from the source: a module `a` depends on `b` when any file of `a` names
//! `crate::b` (in a path or a `use crate::{...}` list).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Top-level module of a library crate -> the top-level modules of the same crate it names.
fn edges(krate: &str) -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates")
        .join(krate)
        .join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let module = |path: &Path| {
        let first = path
            .strip_prefix(&src)
            .unwrap()
            .components()
            .next()
            .unwrap();
        first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string()
    };
    let modules: BTreeSet<String> = all
        .iter()
        .map(|p| module(p))
        .filter(|m| m != "lib")
        .collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &all {
        let from = module(path);
        if !modules.contains(&from) {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let mut named = Vec::new();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            if let Some(list) = rest.strip_prefix('{') {
                // `use crate::{a::X, b::{Y, Z}}`: the first segment of each top-level item.
                let mut depth = 0;
                let mut item = String::new();
                for c in list.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            named.push(std::mem::take(&mut item));
                            continue;
                        }
                        _ => {}
                    }
                    item.push(c);
                }
                named.push(item);
            } else {
                named.push(rest.to_string());
            }
        }
        for name in named {
            let head: String = name
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if head != from && modules.contains(&head) {
                edges.entry(from.clone()).or_default().insert(head);
            }
        }
    }
    edges
}

/// A cycle through `start`, if there is one: the modules on it, in order.
fn cycle_from(start: &str, edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_string(), vec![start.to_string()])];
    let mut seen = BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in edges.get(&node).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(start.to_string());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

/// The modules of `krate`, after checking that the scan sees `from` naming `to` (a broken scan
/// would pass vacuously) and that no cycle runs through them.
fn one_way(krate: &str, from: &str, to: &str) -> BTreeMap<String, BTreeSet<String>> {
    let edges = edges(krate);
    assert!(
        edges.get(from).is_some_and(|e| e.contains(to)),
        "{edges:#?}"
    );
    let cycles: Vec<String> = edges
        .keys()
        .filter_map(|m| cycle_from(m, &edges))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(
        cycles.is_empty(),
        "modules of {krate} that depend on each other (move the shared helper down a layer):\n{}",
        cycles.join("\n")
    );
    edges
}

#[test]
fn the_core_modules_depend_one_way() {
    let edges = one_way("handoff-core", "check", "engine");
    // The helpers every layer needs stay at the bottom.
    for leaf in ["escape", "file", "span", "pointer"] {
        assert!(
            edges.get(leaf).is_none_or(|e| e.is_empty()),
            "`{leaf}` is a bottom layer but names {:?}",
            edges[leaf]
        );
    }
}

#[test]
fn the_report_modules_depend_one_way() {
    one_way("handoff-reports", "config", "triage");
}

#[test]
fn the_server_modules_depend_one_way() {
    one_way("handoff-serve", "app", "capture");
}

/// The packages a workspace crate's normal dependencies bring in, by name, read from its
/// Cargo.toml and, below it, from Cargo.lock (which lists no registry crate's dev-dependencies).
fn dependency_tree(krate: &str) -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest =
        std::fs::read_to_string(root.join("crates").join(krate).join("Cargo.toml")).unwrap();
    let direct: Vec<String> = manifest
        .split("\n[")
        .find(|section| section.starts_with("dependencies]"))
        .expect("a [dependencies] section")
        .lines()
        .skip(1)
        .filter_map(|l| l.split(['.', ' ', '=']).next())
        .filter(|name| !name.is_empty() && !name.starts_with('#'))
        .map(str::to_string)
        .collect();
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
    let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for package in lock.split("[[package]]").skip(1) {
        let field = |key: &str| {
            package
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .map(|v| v.trim_matches([' ', '"']).to_string())
        };
        let name = field("name = ").unwrap();
        let deps: Vec<String> = package
            .split("dependencies = [")
            .nth(1)
            .map(|list| {
                list.split(']')
                    .next()
                    .unwrap()
                    .split(',')
                    .filter_map(|d| d.trim().trim_matches('"').split(' ').next())
                    .filter(|d| !d.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        graph.entry(name).or_default().extend(deps);
    }
    let mut tree = BTreeSet::new();
    let mut todo = direct;
    while let Some(name) = todo.pop() {
        if tree.insert(name.clone()) {
            todo.extend(graph.get(&name).cloned().unwrap_or_default());
        }
    }
    tree
}

#[test]
fn the_core_brings_in_no_terminal_argument_parser_or_database() {
    let tree = dependency_tree("handoff-core");
    assert!(
        tree.contains("jsonschema") && tree.contains("serde_json"),
        "{tree:?}"
    );
    let unwanted: Vec<&str> = [
        "clap",
        "anstream",
        "indicatif",
        "mimalloc",
        "rusqlite",
        "libsqlite3-sys",
    ]
    .into_iter()
    .filter(|name| tree.contains(*name))
    .collect();
    assert!(
        unwanted.is_empty(),
        "handoff-core depends on {unwanted:?}; the Python package and the server embed it"
    );
    let reports = dependency_tree("handoff-reports");
    assert!(
        reports.contains("rusqlite") && !reports.contains("clap"),
        "{reports:?}"
    );
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.entry("a".into()).or_default().insert("b".into());
    edges.entry("b".into()).or_default().insert("c".into());
    edges.entry("c".into()).or_default().insert("a".into());
    edges.entry("d".into()).or_default().insert("a".into());
    assert_eq!(
        cycle_from("a", &edges),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(cycle_from("d", &edges), None);
}
