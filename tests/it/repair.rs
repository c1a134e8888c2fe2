//! `handoff repair` end to end: patches for binary violations, offered only when the repaired
//! payload passes, written only with `--write`.

use crate::common;
use std::path::{Path, PathBuf};
use std::process::Output;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn handoff(dir: &Path, args: &[&str]) -> Output {
    common::handoff(dir).args(args).output().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("handoff-repair-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_zip_plus_4_is_patched_and_the_patch_is_shown_but_not_written() {
    let root = Path::new(ROOT);
    let out = handoff(
        root,
        &[
            "repair",
            "--contract",
            "storefront-order-to-erp",
            "--format",
            "json",
            "fixtures/storefront-order-to-erp/invalid/zip-plus-4.json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let item = &doc["payloads"][0];
    assert_eq!(item["outcome"], "repaired");
    assert_eq!(
        item["patch"],
        serde_json::json!([{"op": "replace", "path": "/shipping_address/zip", "value": "62704"}])
    );
    assert_eq!(item["payload"]["shipping_address"]["zip"], "62704");
    // The file is as it was.
    let file = std::fs::read_to_string(
        root.join("fixtures/storefront-order-to-erp/invalid/zip-plus-4.json"),
    )
    .unwrap();
    assert!(file.contains("62704-1234"));
}

#[test]
fn write_repairs_files_and_ndjson_lines_in_place_and_check_then_passes() {
    let dir = scratch("write");
    std::fs::copy(
        Path::new(ROOT).join("fixtures/storefront-order-to-erp/invalid/zip-plus-4.json"),
        dir.join("order.json"),
    )
    .unwrap();
    let capture =
        Path::new(ROOT).join("fixtures/exceptions/captures/erp-order-import-2026-W44.ndjson");
    let original = std::fs::read_to_string(&capture).unwrap();
    let first_lines: Vec<&str> = original.lines().take(3).collect();
    // Two repairable records and one that is not (an unknown member in a closed object).
    let broken = first_lines[2].replacen('{', "{\"gift\":true,", 1);
    std::fs::write(
        dir.join("orders.ndjson"),
        format!("{}\n{}\n{broken}\n", first_lines[0], first_lines[1]),
    )
    .unwrap();
    let contracts = format!("{ROOT}/contracts");
    let out = handoff(
        &dir,
        &[
            "repair",
            "--contracts",
            &contracts,
            "--contract",
            "storefront-order-to-erp",
            "--write",
            "order.json",
            "orders.ndjson",
        ],
    );
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "one record has no safe repair: {report}"
    );
    assert!(report.contains("NO REPAIR orders.ndjson:3"), "{report}");
    assert!(
        report.ends_with(
            "3 payloads repaired and written, 1 without a safe repair, 0 already clean\n"
        ),
        "{report}"
    );
    let check = handoff(
        &dir,
        &[
            "check",
            "--contracts",
            &contracts,
            "--contract",
            "storefront-order-to-erp",
            "--format",
            "json",
            "order.json",
            "orders.ndjson",
        ],
    );
    let doc: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(
        doc["summary"]["invalid"], 1,
        "only the record without a repair still fails"
    );
    let lines: Vec<String> = std::fs::read_to_string(dir.join("orders.ndjson"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(
        lines[2], broken,
        "a record without a safe repair is left as it was"
    );
    assert!(lines[0].contains("\"sku\":\"TEE-"), "{}", lines[0]);
}
