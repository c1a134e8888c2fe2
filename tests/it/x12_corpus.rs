//! A corpus of real-shaped X12 interchanges (tests/x12-corpus/): versions 003040 to 005010,
//! each delimiter style partners use (`*` `:` `~` with CRLF, `|` `^` and a newline as the
//! terminator, a repetition separator from 00501, `'` as the terminator, control characters as
//! delimiters, two interchanges with their own delimiters in one file). Each is read with its
//! envelopes intact and rendered exactly as its snapshot says; and in each, an SE01 one off is
//! found at its SE, whatever the delimiters.

use crate::common;
use std::path::{Path, PathBuf};
use std::process::Output;

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/x12-corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "edi"))
        .collect();
    files.sort();
    files
}

fn handoff_in(dir: &Path, args: &[&str]) -> Output {
    common::handoff(dir).args(args).output().unwrap()
}

fn handoff(args: &[&str]) -> Output {
    handoff_in(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/x12-corpus"),
        args,
    )
}

fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn every_interchange_is_read_whole_and_rendered_as_its_snapshot() {
    let files = corpus();
    assert_eq!(files.len(), 7);
    for path in &files {
        let file = name(path);
        let out = handoff(&[
            "check",
            "--contract",
            "any-x12.yaml",
            "--format",
            "json",
            &file,
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{file}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let sets = if file.contains("two-interchanges") {
            2
        } else {
            1
        };
        assert_eq!(report["summary"]["payloads"], sets, "{file}");
        let out = handoff(&["render", &file]);
        assert_eq!(out.status.code(), Some(0), "{file}");
        insta::with_settings!({ snapshot_suffix => file.trim_end_matches(".edi").to_string(), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("x12_corpus", String::from_utf8_lossy(&out.stdout));
        });
    }
}

#[test]
fn an_se_count_one_off_is_found_at_its_se_in_every_delimiter_style() {
    let scratch = std::env::temp_dir().join(format!("handoff-x12-corpus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/x12-corpus/any-x12.yaml"),
        scratch.join("any-x12.yaml"),
    )
    .unwrap();
    for path in corpus() {
        let file = name(&path);
        let bytes = std::fs::read(&path).unwrap();
        // The first interchange's element separator is its ISA's fourth byte.
        let element = bytes[3];
        let se = [b"SE".as_slice(), &[element]].concat();
        let at = bytes
            .windows(se.len())
            .position(|w| w == se.as_slice())
            .unwrap_or_else(|| panic!("{file}: no SE"));
        let digits_end = at
            + se.len()
            + bytes[at + se.len()..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
        let count: u64 = std::str::from_utf8(&bytes[at + se.len()..digits_end])
            .unwrap()
            .parse()
            .unwrap();
        let mut broken = bytes[..at + se.len()].to_vec();
        broken.extend_from_slice((count + 1).to_string().as_bytes());
        broken.extend_from_slice(&bytes[digits_end..]);
        std::fs::write(scratch.join(&file), &broken).unwrap();
        let out = handoff_in(
            &scratch,
            &[
                "check",
                "--contract",
                "any-x12.yaml",
                "--format",
                "json",
                &file,
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{file}");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let f = &report["results"][0]["findings"][0];
        assert_eq!(f["kind"], "count_mismatch", "{file}: {f:#}");
        assert_eq!(f["pointer"], "/SE/SE01", "{file}");
        assert_eq!(f["x12"]["segment_id"], "SE", "{file}");
        assert_eq!(f["value"], (count + 1).to_string(), "{file}");
    }
    let _ = std::fs::remove_dir_all(&scratch);
}
