//! The library's layers are one-way: no chain of `crate::` references between its top-level
//! modules leads back to where it started. A helper that every layer needs (escaping, bounded
//! file reads, spans, pointers) lives at the bottom, never in a printer or an input reader.
//!
//! The edges are read from the source: a module `a` depends on `b` when any file of `a` names
//! `crate::b` (in a path or a `use crate::{...}` list). The binary's modules (`main.rs`,
//! `commands/`) sit above the library and are left out.

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

/// Top-level module -> the top-level modules it names.
fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
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
        .filter(|m| !matches!(m.as_str(), "main" | "commands" | "lib"))
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

#[test]
fn the_library_modules_depend_one_way() {
    let edges = edges();
    // The scan sees the library's real structure (a broken scan would pass vacuously).
    assert!(
        edges.get("check").is_some_and(|e| e.contains("engine")),
        "{edges:#?}"
    );
    assert!(
        edges.get("printer").is_some_and(|e| e.contains("check")),
        "{edges:#?}"
    );
    let cycles: Vec<String> = edges
        .keys()
        .filter_map(|m| cycle_from(m, &edges))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(
        cycles.is_empty(),
        "modules that depend on each other (move the shared helper down a layer):\n{}",
        cycles.join("\n")
    );
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
