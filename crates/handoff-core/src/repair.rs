//! Repairs for binary violations: findings with one correct fix, written as an RFC 6902 JSON
//! Patch. A ZIP+4 in a 5-character ZIP field (the +4 moved to the contract's field for it,
//! when it declares one), a code in the wrong letter case, a number sent as a string or a string
//! sent as a number, a boolean sent as text, a date in another unambiguous layout. A repair is
//! only offered when the repaired payload passes the contract: it is checked again.

use crate::check::Checker;
use crate::contract::{Constraints, Contract, FieldType, FormatRef};
use crate::finding::{Finding, Kind};
use serde_json::{Value, json};

/// One patch operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    /// The repair rule that made it: one of [`RULES`]. Reviews count approvals and rejections
    /// per rule, so a rule that is often wrong shows.
    pub rule: &'static str,
    /// `replace` or `add`.
    pub op: &'static str,
    pub path: String,
    pub value: Value,
    /// Why, in words, for the report.
    pub why: String,
}

/// The repair rules, each with a stable ID and what it does. The review gate's feedback rates
/// are kept per rule (docs/review.md lists them, checked from this table).
pub const RULES: &[(&str, &str)] = &[
    (
        "zip-plus-four",
        "a ZIP+4 in a 5-character ZIP field: the 5-digit ZIP kept, the +4 moved to the contract's field for it when it declares one",
    ),
    (
        "letter-case",
        "a code in the wrong letter case, where the contract takes it upper- or lower-cased",
    ),
    (
        "type-conversion",
        "a number sent as a string, a string sent as a number, or a boolean sent as text",
    ),
    (
        "date-layout",
        "a date in another unambiguous layout, rewritten in the contract's layout",
    ),
];

/// What repairing one payload came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing to repair: the payload passes.
    Clean,
    /// The patch, and the payload with it applied, which passes the contract.
    Repaired { fixes: Vec<Fix>, payload: Value },
    /// No safe repair: the findings that have none, or that remain after the fixes.
    NotRepairable {
        remaining: Vec<Finding>,
        fixes: Vec<Fix>,
    },
    /// The payload is not JSON (or not readable); nothing can be patched.
    Unreadable(Box<Finding>),
}

impl Fix {
    /// The RFC 6902 operation.
    pub fn to_json(&self) -> Value {
        json!({"op": self.op, "path": self.path, "value": self.value})
    }
}

/// The patch as an RFC 6902 document.
pub fn patch(fixes: &[Fix]) -> Value {
    Value::Array(fixes.iter().map(Fix::to_json).collect())
}

/// Repair one payload against `checker`'s contract.
pub fn repair(checker: &Checker, bytes: &[u8]) -> Outcome {
    let findings = checker.check_raw(bytes);
    if findings.is_empty() {
        return Outcome::Clean;
    }
    if let Some(f) = findings.iter().find(|f| f.kind.is_payload_level()) {
        return Outcome::Unreadable(Box::new(f.clone()));
    }
    let Ok(mut payload) = serde_json::from_slice::<Value>(crate::check::without_bom(bytes)) else {
        return Outcome::Unreadable(Box::new(findings[0].clone()));
    };
    let contract = checker.contract();
    let mut fixes: Vec<Fix> = Vec::new();
    for f in &findings {
        if fixes.iter().any(|x| x.path == f.pointer) {
            continue;
        }
        if let Some(value) = payload.pointer(&f.pointer) {
            fixes.extend(fix(contract, f, value, &payload));
        }
    }
    for fix in &mut fixes {
        apply(&mut payload, fix);
        // A sensitive field's value is customers' data: the patch has it, the words do not.
        if contract.is_sensitive(&fix.path) {
            fix.why = "a sensitive field (its value is not shown)".into();
        }
    }
    let text = payload.to_string();
    let mut remaining = checker.check_raw(text.as_bytes());
    let mut findings = findings;
    // Findings reported here follow the same rules as `handoff check`'s default: sensitive
    // values hidden, card numbers masked.
    for f in remaining.iter_mut().chain(findings.iter_mut()) {
        crate::redact::for_report(f, crate::redact::Redact::Sensitive);
    }
    if remaining.is_empty() && !fixes.is_empty() {
        Outcome::Repaired { fixes, payload }
    } else {
        Outcome::NotRepairable {
            remaining: if fixes.is_empty() {
                findings
            } else {
                remaining
            },
            fixes,
        }
    }
}

/// Names a contract may give the field that holds a ZIP+4's last four digits.
const PLUS4_FIELDS: &[&str] = &["zip4", "zip_plus4", "plus4", "zip_ext", "zip_extension"];

/// The fix for one finding, when it has exactly one.
fn fix(contract: &Contract, f: &Finding, value: &Value, payload: &Value) -> Vec<Fix> {
    let field = contract.field_at(&f.pointer);
    let constraints = field.map(|fl| &fl.constraints);
    let replace = |rule: &'static str, value: Value, why: String| Fix {
        rule,
        op: "replace",
        path: f.pointer.clone(),
        value,
        why,
    };
    match (f.kind, value) {
        (Kind::MaxLengthExceeded | Kind::PatternMismatch, Value::String(s)) if is_zip4(s) => {
            let mut out = vec![replace(
                "zip-plus-four",
                json!(s[..5]),
                format!("ZIP+4 {s:?}: the 5-digit ZIP is {:?}", &s[..5]),
            )];
            let parent = f.pointer.rsplit_once('/').map_or("", |(p, _)| p);
            let declared = contract.field_at(parent).and_then(|p| {
                PLUS4_FIELDS
                    .iter()
                    .find(|name| p.field(name).is_some())
                    .copied()
            });
            if let Some(name) = declared {
                let path = format!("{parent}/{name}");
                if payload.pointer(&path).is_none() {
                    out.push(Fix {
                        rule: "zip-plus-four",
                        op: "add",
                        path,
                        value: json!(s[6..]),
                        why: format!("the +4 part moved to `{name}`"),
                    });
                }
            }
            out
        }
        (Kind::PatternMismatch | Kind::UnknownEnumValue, Value::String(s)) => {
            let Some(c) = constraints else { return vec![] };
            [s.to_uppercase(), s.to_lowercase()]
                .into_iter()
                .filter(|candidate| candidate != s)
                .find(|candidate| accepts_text(contract, c, candidate))
                .map(|candidate| {
                    let why = format!("{s:?} in the letter case the contract takes: {candidate:?}");
                    vec![replace("letter-case", json!(candidate), why)]
                })
                .unwrap_or_default()
        }
        (Kind::WrongType, _) => {
            let ty = constraints
                .and_then(|c| c.ty.as_ref().map(|t| t.value))
                .or_else(|| named_type(contract, constraints));
            converted(value, ty)
                .map(|(v, why)| vec![replace("type-conversion", v, why)])
                .unwrap_or_default()
        }
        (Kind::DateFormat, Value::String(s)) => {
            let Some(Some(FormatRef::Strftime(pattern))) =
                constraints.map(|c| c.format.as_ref().map(|f| &f.value))
            else {
                return vec![];
            };
            reformat_date(s, pattern.pattern())
                .map(|d| {
                    let why = format!("{s:?} written as {}: {d:?}", pattern.pattern());
                    vec![replace("date-layout", json!(d), why)]
                })
                .unwrap_or_default()
        }
        _ => vec![],
    }
}

fn is_zip4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && b[5] == b'-' && b[..5].iter().chain(&b[6..]).all(u8::is_ascii_digit)
}

/// Whether `text` fits the field's pattern and enum (its own or its named format's).
fn accepts_text(contract: &Contract, c: &Constraints, text: &str) -> bool {
    let named = match c.format.as_ref().map(|f| &f.value) {
        Some(FormatRef::Named(n)) => contract.named_format(n).map(|f| &f.constraints),
        _ => None,
    };
    [Some(c), named].into_iter().flatten().all(|c| {
        let pattern_ok = c
            .pattern
            .as_ref()
            .is_none_or(|p| regex::Regex::new(&p.value).is_ok_and(|re| re.is_match(text)));
        let enum_ok = c
            .enum_values
            .as_ref()
            .is_none_or(|e| e.value.iter().any(|v| v.value == json!(text)));
        pattern_ok && enum_ok
    })
}

fn named_type(contract: &Contract, c: Option<&Constraints>) -> Option<FieldType> {
    match c?.format.as_ref().map(|f| &f.value) {
        Some(FormatRef::Named(n)) => contract
            .named_format(n)?
            .constraints
            .ty
            .as_ref()
            .map(|t| t.value),
        _ => None,
    }
}

/// The same data in the type the field takes, when the conversion loses nothing.
fn converted(value: &Value, ty: Option<FieldType>) -> Option<(Value, String)> {
    match (value, ty?) {
        (Value::String(s), FieldType::Integer | FieldType::Number) => {
            let number: serde_json::Number = s.trim().parse().ok()?;
            if s.trim() != s || s.starts_with('+') || s.starts_with('.') {
                return None;
            }
            if ty == Some(FieldType::Integer)
                && crate::decimal::Decimal::parse(&number.to_string())?.places() > 0
            {
                return None;
            }
            Some((Value::Number(number), format!("{s:?} as a JSON number")))
        }
        (Value::Number(n), FieldType::String) => {
            Some((json!(n.to_string()), format!("{n} as a string")))
        }
        (Value::String(s), FieldType::Boolean) if s == "true" || s == "false" => {
            Some((json!(s == "true"), format!("{s:?} as a JSON boolean")))
        }
        (Value::Bool(b), FieldType::String) => {
            Some((json!(b.to_string()), format!("{b} as a string")))
        }
        _ => None,
    }
}

/// Layouts a date may arrive in that read one way only. `%m/%d/%Y` and `%d/%m/%Y` are left out:
/// 03/04/2026 could be either.
const DATE_LAYOUTS: &[&str] = &["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%d.%m.%Y"];

fn reformat_date(value: &str, pattern: &str) -> Option<String> {
    let dates: Vec<jiff::civil::Date> = DATE_LAYOUTS
        .iter()
        .filter_map(|layout| jiff::civil::Date::strptime(layout, value).ok())
        .collect();
    let date = dates.first()?;
    if dates.iter().any(|d| d != date) {
        return None;
    }
    // Only date patterns: a time cannot be made up.
    if ["%H", "%M", "%S", "%I", "%p", "%z", "%Z"]
        .iter()
        .any(|t| pattern.contains(t))
    {
        return None;
    }
    Some(date.strftime(pattern).to_string())
}

/// Apply one operation; `add` and `replace` on an object member or an array item.
/// The payload's text with the fixes applied to it and every other byte as it was: member
/// order, spacing, escapes (`\u00e9`), number spellings (`1E2`) and line breaks are the
/// sender's. `repaired` is the payload the fixes make (as [`repair`] returned it); the edited
/// text is parsed again and must equal it, or nothing is returned.
pub fn apply_to_text(original: &str, fixes: &[Fix], repaired: &Value) -> Result<String, String> {
    let locator = crate::check::locate::Locator::new(original);
    // Which of two repeated members a receiver reads is the receiver's choice: not ours to
    // patch.
    if let Some(d) = locator.duplicate_keys().first() {
        return Err(format!(
            "the payload repeats the member `{}` (at {}), and receivers disagree on which one counts; it is not repaired",
            crate::escape::text(&d.name),
            crate::escape::text(&d.pointer)
        ));
    }
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for fix in fixes {
        let value = serde_json::to_string(&fix.value).map_err(|e| e.to_string())?;
        if let Some(range) = locator.range(&fix.path) {
            edits.push((range, value));
            continue;
        }
        // A member the patch adds: written before the object's closing brace.
        let (parent, last) = fix.path.rsplit_once('/').unwrap_or(("", ""));
        let name = serde_json::to_string(&crate::pointer::unescape(last).to_string())
            .map_err(|e| e.to_string())?;
        let object = locator
            .range(parent)
            .filter(|r| original.as_bytes().get(r.start) == Some(&b'{'))
            .ok_or_else(|| format!("{} is not in the payload's text", fix.path))?;
        let close = object.end - 1;
        let empty = original[object.start + 1..close].trim().is_empty();
        let at = if empty {
            close
        } else {
            // After the last member, before any space that precedes the brace.
            object.start + 1 + original[object.start + 1..close].trim_end().len()
        };
        let separator = if empty { "" } else { ", " };
        edits.push((at..at, format!("{separator}{name}: {value}")));
    }
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    if edits.windows(2).any(|w| w[0].0.end > w[1].0.start) {
        return Err("two fixes touch the same text".into());
    }
    let mut text = original.to_string();
    for (range, value) in edits.into_iter().rev() {
        text.replace_range(range, &value);
    }
    match serde_json::from_str::<Value>(&text) {
        Ok(v) if v == *repaired => Ok(text),
        _ => Err("the patched text does not read back as the repaired payload".into()),
    }
}

fn apply(payload: &mut Value, fix: &Fix) {
    let (parent, last) = fix.path.rsplit_once('/').unwrap_or(("", ""));
    let key = crate::pointer::unescape(last);
    match payload.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.insert(key.to_string(), fix.value.clone());
        }
        Some(Value::Array(items)) => {
            if let Some(slot) = key.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                *slot = fix.value.clone();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checker(fields: &str) -> Checker {
        let text = format!(
            "contract: repairs\nversion: 1.0.0\nboundary: {{from: a, to: b, transport: api}}\nclosed: true\nfields:\n{fields}"
        );
        let loaded = crate::contract::parse(std::path::Path::new("r.yaml"), &text);
        Checker::new(
            loaded
                .contract
                .unwrap_or_else(|| panic!("{:?}", loaded.diagnostics)),
        )
        .unwrap()
    }

    #[test]
    fn zip_plus_4_moves_its_last_four_digits_where_the_contract_has_a_field() {
        let c = checker(
            "  address:\n    type: object\n    fields:\n      zip: {type: string, pattern: '^[0-9]{5}$', max_length: 5}\n      zip4: {type: string, pattern: '^[0-9]{4}$'}\n",
        );
        let Outcome::Repaired { fixes, payload } =
            repair(&c, br#"{"address": {"zip": "62704-1234"}}"#)
        else {
            panic!("not repaired")
        };
        assert_eq!(
            patch(&fixes),
            json!([
                {"op": "replace", "path": "/address/zip", "value": "62704"},
                {"op": "add", "path": "/address/zip4", "value": "1234"}
            ])
        );
        assert_eq!(
            payload,
            json!({"address": {"zip": "62704", "zip4": "1234"}})
        );
    }

    #[test]
    fn case_types_and_dates_are_repaired_and_rechecked() {
        let c = checker(
            "  sku: {type: string, pattern: '^[A-Z]{3}-[0-9]{4}$'}\n  status: {type: string, enum: [paid, pending]}\n  qty: {type: integer}\n  live: {type: boolean}\n  date: {type: string, format: '%Y%m%d'}\n",
        );
        let outcome = repair(
            &c,
            br#"{"sku": "abc-1234", "status": "PAID", "qty": "3", "live": "true", "date": "2026-11-21"}"#,
        );
        let Outcome::Repaired { payload, fixes } = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(
            payload,
            json!({"sku": "ABC-1234", "status": "paid", "qty": 3, "live": true, "date": "20261121"})
        );
        assert_eq!(fixes.len(), 5);
    }

    #[test]
    fn no_repair_is_offered_unless_the_result_passes() {
        let c = checker(
            "  qty: {type: integer, maximum: 5}\n  when: {type: string, format: '%Y%m%d'}\n",
        );
        // "12" becomes 12, which breaks the maximum: not offered.
        assert!(matches!(
            repair(&c, br#"{"qty": "12"}"#),
            Outcome::NotRepairable { .. }
        ));
        // 03/04/2026 could be March or April: not guessed.
        assert!(matches!(
            repair(&c, br#"{"when": "03/04/2026"}"#),
            Outcome::NotRepairable { .. }
        ));
        assert_eq!(repair(&c, br#"{"qty": 1}"#), Outcome::Clean);
        assert!(matches!(repair(&c, b"{"), Outcome::Unreadable(_)));
    }

    #[test]
    fn patches_apply_to_the_text_and_nothing_else() {
        let fix = |op, path: &str, value: Value| Fix {
            rule: "letter-case",
            op,
            path: path.into(),
            value,
            why: String::new(),
        };
        let original = "{ \"zip\":\"62704-1234\" , \"x\": 1E2 }";
        let fixes = [
            fix("replace", "/zip", json!("62704")),
            fix("add", "/zip4", json!("1234")),
        ];
        let repaired: Value =
            serde_json::from_str(r#"{"zip": "62704", "x": 1E2, "zip4": "1234"}"#).unwrap();
        assert_eq!(
            apply_to_text(original, &fixes, &repaired).unwrap(),
            "{ \"zip\":\"62704\" , \"x\": 1E2, \"zip4\": \"1234\" }"
        );
        let empty: Value = serde_json::from_str(r#"{"zip4": "1234"}"#).unwrap();
        assert_eq!(
            apply_to_text("{ }", &fixes[1..], &empty).unwrap(),
            "{ \"zip4\": \"1234\"}"
        );
        // A patch whose result is not the repaired payload is refused.
        assert!(apply_to_text(original, &fixes[..1], &repaired).is_err());
        assert!(
            apply_to_text(
                r#"{"zip": "1", "zip": "62704-1234"}"#,
                &fixes[..1],
                &repaired
            )
            .unwrap_err()
            .contains("repeats the member `zip`")
        );
    }
}
