//! Reading the `x12:` and `csv:` sections: how a transaction set's segments fall into loops,
//! and how a flat file's rows are read.

use super::*;
use crate::contract::layout::{CsvOptions, EmptyCells, LoopDef, X12Layout};

pub(super) const X12_KEYS: &[&str] = &["repeat", "loops"];
pub(super) const LOOP_KEYS: &[&str] = &["segments", "repeat", "loops"];
pub(super) const CSV_KEYS: &[&str] = &["delimiter", "header", "columns", "empty_cells"];

impl Reader<'_> {
    pub(super) fn x12(&mut self, node: &Node, root: &Field) -> Option<X12Layout> {
        let entries = self.doc.mapping(node, "`x12`", &[X12_KEYS])?;
        let repeat = match entries.get("repeat") {
            Some((k, v)) => self.segment_ids(k, v)?,
            None => Vec::new(),
        };
        let loops = match entries.get("loops") {
            Some((_, v)) => self.loops(v, root)?,
            None => Vec::new(),
        };
        Some(X12Layout { repeat, loops })
    }

    fn loops(&mut self, node: &Node, parent: &Field) -> Option<Vec<LoopDef>> {
        let Some(map) = node.as_map() else {
            self.doc.report(
                Code::WrongValueType,
                node.span,
                format!(
                    "`loops` maps loop names to their segments, found {}",
                    node.kind_name()
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        for (key, spec) in map {
            let what = format!("loop `{}`", key.name);
            let Some(entries) = self.doc.mapping(spec, &what, &[LOOP_KEYS]) else {
                continue;
            };
            let Some((sk, sv)) = self.doc.required_key(entries, spec.span, "segments", &what)
            else {
                continue;
            };
            let Some(segments) = self.segment_ids(sk, sv) else {
                continue;
            };
            if segments.is_empty() {
                self.doc.report(
                    Code::InvalidValue,
                    sv.span,
                    format!("{what} has no segments; the first one starts each occurrence"),
                );
                continue;
            }
            // The loop is an array of objects in the rendering; its items are where nested
            // loops and segments are declared.
            let declared = parent.field(&key.name);
            let items = match declared {
                Some(f)
                    if f.constraints
                        .ty
                        .as_ref()
                        .is_some_and(|t| t.value == FieldType::Array) =>
                {
                    f.items.as_deref()
                }
                Some(f) => {
                    self.doc
                        .report(
                            Code::TypeConflict,
                            key.span,
                            format!("{what} renders as an array of occurrences, but `{}` is not declared `type: array`", f.path),
                        )
                        .help = Some(format!("declare `{}: {{type: array, items: {{type: object, fields: ...}}}}`", key.name));
                    None
                }
                None => {
                    self.doc
                        .report(
                            Code::UnknownRuleField,
                            key.span,
                            format!(
                                "{what} is not declared under `fields`{}",
                                if parent.path.is_empty() {
                                    String::new()
                                } else {
                                    format!(" of `{}`", parent.path)
                                }
                            ),
                        )
                        .help = Some(format!(
                        "declare `{}: {{type: array, items: {{type: object, fields: ...}}}}` so its occurrences are checked",
                        key.name
                    ));
                    None
                }
            };
            let repeat = match entries.get("repeat") {
                Some((k, v)) => self.segment_ids(k, v).unwrap_or_default(),
                None => Vec::new(),
            };
            let loops = match (entries.get("loops"), items) {
                (Some((_, v)), Some(items)) => self.loops(v, items).unwrap_or_default(),
                _ => Vec::new(),
            };
            out.push(LoopDef {
                name: key.name.clone(),
                segments,
                repeat,
                loops,
            });
        }
        Some(out)
    }

    fn segment_ids(&mut self, key: &Key, node: &Node) -> Option<Vec<String>> {
        let Some(items) = node.as_seq() else {
            self.doc.report(
                Code::WrongValueType,
                node.span,
                format!(
                    "`{}` must be a list of segment ids such as [N1, N3, N4]",
                    key.name
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        for item in items {
            match item.as_scalar().map(|s| s.text.as_str()) {
                Some(id)
                    if (2..=3).contains(&id.len())
                        && id
                            .bytes()
                            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) =>
                {
                    out.push(id.to_string())
                }
                _ => {
                    self.doc.report(
                        Code::InvalidValue,
                        item.span,
                        format!("{} is not an X12 segment id (2 or 3 upper-case letters and digits, such as N1 or PO1)", describe(item)),
                    );
                }
            }
        }
        Some(out)
    }

    pub(super) fn csv(&mut self, node: &Node) -> Option<CsvOptions> {
        csv_options(&mut self.doc, node)
    }
}

/// Read a `csv:` section (of a contract, or of a check in handoff.yaml).
pub fn csv_options(doc: &mut yaml::Reader<'_>, node: &Node) -> Option<CsvOptions> {
    let entries = doc.mapping(node, "`csv`", &[CSV_KEYS])?;
    let mut options = CsvOptions::default();
    if let Some((k, v)) = entries.get("delimiter") {
        let text = doc.text(k, v)?;
        let text = if text == "\\t" {
            "\t".to_string()
        } else {
            text
        };
        match text.as_bytes() {
            [b] if b.is_ascii() && !matches!(b, b'"' | b'\n' | b'\r') => {
                options.delimiter = Some(*b)
            }
            _ => {
                doc.report(
                    Code::InvalidValue,
                    v.span,
                    "`delimiter` is one ASCII character such as ',', ';', '|' or '\\t' (not a quote or a line break)",
                );
            }
        }
    }
    if let Some((k, v)) = entries.get("header") {
        options.header = doc.boolean(k, v)?.value;
    }
    if let Some((k, v)) = entries.get("columns") {
        match v.as_seq() {
            Some(items) => {
                options.columns = items
                    .iter()
                    .filter_map(|i| i.as_scalar().map(|s| s.text.clone()))
                    .collect()
            }
            None => {
                doc.report(
                    Code::WrongValueType,
                    v.span,
                    format!("`{}` must be a list of column names", k.name),
                );
            }
        }
    }
    if !options.header && options.columns.is_empty() {
        doc.report(
            Code::MissingKey,
            node.span,
            "without a header row (`header: false`), `columns` must name the columns in order",
        );
    }
    if let Some((k, v)) = entries.get("empty_cells") {
        let text = doc.text(k, v)?;
        match EmptyCells::from_name(&text) {
            Some(e) => options.empty = e,
            None => {
                doc.report(
                    Code::InvalidValue,
                    v.span,
                    format!(
                        "`empty_cells` is one of {}, found `{text}`",
                        EmptyCells::NAMES.join(", ")
                    ),
                );
            }
        }
    }
    Some(options)
}
