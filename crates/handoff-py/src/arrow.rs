//! Arrow columns in, one result row per value out: the column's values borrowed where they lie
//! (no copy), checked in parallel, and the results built as signed Arrow columns.

use arrow_array::builder::{BooleanBuilder, Int32Builder, ListBuilder, StringBuilder};
use arrow_array::{Array, ArrayRef, RecordBatch, cast::AsArray};
use arrow_schema::{DataType, Field, Schema};
use handoff_core::{Checker, Kind};
use std::sync::Arc;

/// Appends each value of `array` (None for a null) to `out`; a column of another type is
/// refused with its type's name.
pub(crate) fn values<'a>(
    array: &'a dyn Array,
    out: &mut Vec<Option<&'a [u8]>>,
) -> Result<(), String> {
    match array.data_type() {
        DataType::Utf8 => out.extend(
            array
                .as_string::<i32>()
                .iter()
                .map(|v| v.map(str::as_bytes)),
        ),
        DataType::LargeUtf8 => out.extend(
            array
                .as_string::<i64>()
                .iter()
                .map(|v| v.map(str::as_bytes)),
        ),
        DataType::Utf8View => {
            out.extend(array.as_string_view().iter().map(|v| v.map(str::as_bytes)))
        }
        DataType::Binary => out.extend(array.as_binary::<i32>().iter()),
        DataType::LargeBinary => out.extend(array.as_binary::<i64>().iter()),
        DataType::BinaryView => out.extend(array.as_binary_view().iter()),
        other => return Err(other.to_string()),
    }
    Ok(())
}

/// The finding a null value gets: there is no payload to check.
fn null_finding() -> handoff_core::Finding {
    handoff_core::Finding {
        message: "the payload is null: the column holds no value in this row".into(),
        expected: "a JSON document, as a string or bytes".into(),
        ..handoff_core::Finding::bare(Kind::Unreadable, "", None)
    }
}

/// The results of checking `values` against `checker` on `jobs` threads, as one batch.
pub(crate) fn results(checker: &Checker, values: &[Option<&[u8]>], jobs: usize) -> RecordBatch {
    let rows = super::in_parallel(values, jobs, |v| match v {
        Some(bytes) => checker.check(bytes),
        None => vec![null_finding()],
    });
    let mut valid = BooleanBuilder::with_capacity(rows.len());
    let mut violations = Int32Builder::with_capacity(rows.len());
    let mut kinds = ListBuilder::new(StringBuilder::new());
    let mut findings = StringBuilder::new();
    for found in &rows {
        valid.append_value(found.is_empty());
        violations.append_value(i32::try_from(found.len()).unwrap_or(i32::MAX));
        let mut seen: Vec<&str> = Vec::new();
        for f in found {
            if !seen.contains(&f.kind.id()) {
                seen.push(f.kind.id());
            }
        }
        for k in seen {
            kinds.values().append_value(k);
        }
        kinds.append(true);
        findings.append_value(serde_json::to_string(found).unwrap_or_else(|_| "[]".into()));
    }
    let schema = Schema::new(vec![
        Field::new("valid", DataType::Boolean, false),
        Field::new("violations", DataType::Int32, false),
        Field::new(
            "kinds",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            false,
        ),
        Field::new("findings", DataType::Utf8, false),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(valid.finish()),
        Arc::new(violations.finish()),
        Arc::new(kinds.finish()),
        Arc::new(findings.finish()),
    ];
    RecordBatch::try_new(Arc::new(schema), columns).expect("the columns match the schema")
}
