//! Cross-field rules, run on the parsed payload after the schema: each rule is evaluated on
//! every object its field matches, and each broken one becomes a finding that names both sides.
//!
//! A value a rule cannot read (absent, or not a number where one is summed) is left to the
//! schema: `required` and `type` report it, and the rule does not report it a second time.

use crate::contract::cross::{Check, CrossRule, Pattern};
use crate::finding::Kind;
use crate::yaml::Span;
use rust_decimal::Decimal;
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::HashMap;

/// A rule and the contract path of the object it is declared on (`/line_items/*`).
#[derive(Debug, Clone)]
pub struct Scoped {
    pub object: Vec<String>,
    pub rule: CrossRule,
}

/// A broken rule, before it is located in the payload text.
#[derive(Debug, Clone, PartialEq)]
pub struct Broken {
    pub kind: Kind,
    pub pointer: String,
    pub message: String,
    pub expected: String,
    pub span: Span,
    /// Other pointers whose values the message quotes, with those values as shown.
    pub related: Vec<(String, String)>,
}

/// Every cross-field rule in the contract, with where it applies.
pub fn collect(root: &crate::contract::Field) -> Vec<Scoped> {
    let mut out = Vec::new();
    root.walk(&mut |field| {
        for rule in &field.checks {
            out.push(Scoped {
                object: crate::pointer::segments(&field.path)
                    .filter(|s| !s.is_empty())
                    .collect(),
                rule: rule.clone(),
            });
        }
    });
    out
}

/// Whether every rule holds on `payload`: the fast path, which builds no pointer and no
/// message (those are built by [`evaluate`] for payloads that fail).
pub fn holds(rules: &[Scoped], payload: &Value) -> bool {
    rules.iter().all(|scoped| {
        let mut objects = Vec::new();
        plain(payload, &scoped.object, &mut objects);
        objects
            .into_iter()
            .all(|object| rule_holds(&scoped.rule, object))
    })
}

/// Every value `steps` reaches, without pointers.
fn plain<'v>(value: &'v Value, steps: &[String], out: &mut Vec<&'v Value>) {
    let Some((step, rest)) = steps.split_first() else {
        out.push(value);
        return;
    };
    match (step.as_str(), value) {
        ("*", Value::Array(items)) => items.iter().for_each(|i| plain(i, rest, out)),
        (index, Value::Array(items)) => {
            if let Some(item) = index.parse::<usize>().ok().and_then(|i| items.get(i)) {
                plain(item, rest, out);
            }
        }
        (name, Value::Object(map)) => {
            if let Some(child) = map.get(name) {
                plain(child, rest, out);
            }
        }
        _ => {}
    }
}

fn plain_values<'v>(object: &'v Value, pattern: &Pattern) -> Vec<&'v Value> {
    let mut out = Vec::new();
    plain(object, &pattern.steps, &mut out);
    out.retain(|v| !v.is_null());
    out
}

/// A term's sum without pointers: a product's two factors are walked together down their
/// common steps, so each item's factors meet.
fn plain_term(object: &Value, term: &crate::contract::cross::Term) -> Option<Decimal> {
    let mut sum = Decimal::ZERO;
    match term.factors.as_slice() {
        [single] => {
            for v in plain_values(object, single) {
                sum = sum.checked_add(decimal(v)?)?;
            }
        }
        [first, second] => {
            let common = first
                .steps
                .iter()
                .zip(&second.steps)
                .take_while(|(a, b)| a == b)
                .count();
            let mut shared = Vec::new();
            plain(object, &first.steps[..common], &mut shared);
            for node in shared {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                plain(node, &first.steps[common..], &mut a);
                plain(node, &second.steps[common..], &mut b);
                for (x, y) in a.iter().zip(&b) {
                    if x.is_null() || y.is_null() {
                        continue;
                    }
                    sum = sum.checked_add(decimal(x)?.checked_mul(decimal(y)?)?)?;
                }
            }
        }
        _ => return None,
    }
    Some(sum)
}

fn rule_holds(rule: &CrossRule, object: &Value) -> bool {
    match &rule.check {
        Check::Equals(patterns) => {
            let mut all = patterns.iter().flat_map(|p| plain_values(object, p));
            let Some(first) = all.next() else { return true };
            all.all(|v| same(first, v))
        }
        Check::Count { items, equals } => {
            let Some(value) = plain_values(object, equals).into_iter().next() else {
                return true;
            };
            let Some(stated) = decimal(value) else {
                return true;
            };
            stated == Decimal::from(count_of(object, items))
        }
        Check::Sum {
            terms,
            equals,
            tolerance,
        } => {
            let Some(value) = plain_values(object, equals).into_iter().next() else {
                return true;
            };
            let Some(stated) = decimal(value) else {
                return true;
            };
            let Some(sums) = term_sums(object, terms) else {
                return true;
            };
            (stated - total(terms, &sums)).abs() <= allowed(tolerance)
        }
        Check::Compare { left, op, right } => {
            let rights = plain_values(object, right);
            plain_values(object, left).into_iter().all(|l| {
                rights
                    .iter()
                    .all(|r| order(l, r).is_none_or(|o| op.holds(o)))
            })
        }
        Check::Unique(pattern) => {
            let mut seen = std::collections::HashSet::new();
            plain_values(object, pattern)
                .into_iter()
                .all(|v| seen.insert(crate::decimal::equality_key(v)))
        }
    }
}

/// Evaluate every rule on `payload`.
pub fn evaluate(rules: &[Scoped], payload: &Value) -> Vec<Broken> {
    let mut out = Vec::new();
    for scoped in rules {
        for (base, object) in expand(payload, &scoped.object, String::new()) {
            check(&scoped.rule, &base, object, &mut out);
        }
    }
    out
}

/// Every value `steps` reaches from `value`, with its pointer (`*` steps into each item).
fn expand<'v>(value: &'v Value, steps: &[String], pointer: String) -> Vec<(String, &'v Value)> {
    let mut out = Vec::new();
    walk(value, steps, pointer, &mut out);
    out
}

fn walk<'v>(
    value: &'v Value,
    steps: &[String],
    pointer: String,
    out: &mut Vec<(String, &'v Value)>,
) {
    let Some((step, rest)) = steps.split_first() else {
        out.push((pointer, value));
        return;
    };
    match (step.as_str(), value) {
        ("*", Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, rest, format!("{pointer}/{i}"), out);
            }
        }
        (index, Value::Array(items)) => {
            if let Some(item) = index.parse::<usize>().ok().and_then(|i| items.get(i)) {
                walk(item, rest, format!("{pointer}/{index}"), out);
            }
        }
        (name, Value::Object(map)) => {
            if let Some(child) = map.get(name) {
                walk(
                    child,
                    rest,
                    format!("{pointer}/{}", crate::pointer::escape(name)),
                    out,
                );
            }
        }
        _ => {}
    }
}

/// Values a pattern matches under `object`, nulls left out (the schema decides about null).
fn values<'v>(object: &'v Value, pattern: &Pattern, base: &str) -> Vec<(String, &'v Value)> {
    expand(object, &pattern.steps, base.to_string())
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .collect()
}

/// A value as a message shows it: numbers as written, strings quoted.
fn shown(value: &Value) -> String {
    match value {
        Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => value.to_string(),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// A number, or a string holding a decimal number (money is often sent as `"19.99"`).
pub(crate) fn decimal(value: &Value) -> Option<Decimal> {
    // Whole numbers are most of what is summed and counted: no text is made for them.
    let owned;
    let text = match value {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                return Some(Decimal::from(i));
            }
            if let Some(u) = n.as_u64() {
                return Some(Decimal::from(u));
            }
            owned = n.to_string();
            owned.as_str()
        }
        Value::String(s) => s.trim(),
        _ => return None,
    };
    // Decimal text as JSON writes it: digits, one point, a sign; `+1`, ` 1` or `1.` are not.
    let plain = |t: &str| {
        let t = t.strip_prefix('-').unwrap_or(t);
        !t.is_empty()
            && !t.starts_with('.')
            && !t.ends_with('.')
            && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    };
    if plain(text) {
        text.parse().ok()
    } else if text.contains(['e', 'E']) && crate::decimal::Decimal::parse(text).is_some() {
        Decimal::from_scientific(text).ok()
    } else {
        None
    }
}

/// The text a value is compared by, if it is a number or a decimal string.
fn number_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    crate::decimal::Decimal::parse(&text).map(|_| text)
}

/// Two values ordered: numbers and decimal strings by value, timestamps by instant, dates and
/// other strings of the same shape as text. `None` when they cannot be compared.
fn order(a: &Value, b: &Value) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (number_text(a), number_text(b)) {
        return crate::decimal::compare(&x, &y);
    }
    let (Value::String(x), Value::String(y)) = (a, b) else {
        return None;
    };
    if let (Ok(x), Ok(y)) = (x.parse::<jiff::Timestamp>(), y.parse::<jiff::Timestamp>()) {
        return Some(x.cmp(&y));
    }
    if let (Ok(x), Ok(y)) = (
        x.parse::<jiff::civil::DateTime>(),
        y.parse::<jiff::civil::DateTime>(),
    ) {
        return Some(x.cmp(&y));
    }
    None
}

fn same(a: &Value, b: &Value) -> bool {
    match (number_text(a), number_text(b)) {
        (Some(x), Some(y)) if a.is_number() == b.is_number() => {
            crate::decimal::compare(&x, &y) == Some(Ordering::Equal)
        }
        _ => a == b,
    }
}

fn check(rule: &CrossRule, base: &str, object: &Value, out: &mut Vec<Broken>) {
    let broken = |kind, pointer: String, message: String, expected: String, related| Broken {
        kind,
        pointer,
        message,
        expected,
        span: rule.span,
        related,
    };
    match &rule.check {
        Check::Equals(patterns) => {
            let mut all = patterns.iter().flat_map(|p| values(object, p, base));
            let Some((first_at, first)) = all.next() else {
                return;
            };
            for (at, value) in all {
                if !same(first, value) {
                    out.push(broken(
                        Kind::ValuesDiffer,
                        at.clone(),
                        format!(
                            "{} differs from {} at `{first_at}`",
                            shown(value),
                            shown(first)
                        ),
                        format!("the same value as `{first_at}` ({})", shown(first)),
                        vec![(first_at.clone(), shown(first))],
                    ));
                }
            }
        }
        Check::Count { items, equals } => {
            let Some((at, value)) = values(object, equals, base).into_iter().next() else {
                return;
            };
            let Some(stated) = decimal(value) else { return };
            let count = count_of(object, items);
            if stated != Decimal::from(count) {
                let items_at = format!("{base}{items}");
                out.push(broken(
                    Kind::CountMismatch,
                    at.clone(),
                    format!(
                        "{} is not the number of values at `{items_at}`: there {}",
                        shown(value),
                        if count == 1 {
                            "is 1".to_string()
                        } else {
                            format!("are {count}")
                        }
                    ),
                    format!("{count}, the number of values at `{items_at}`"),
                    Vec::new(),
                ));
            }
        }
        Check::Sum {
            terms,
            equals,
            tolerance,
        } => {
            let Some((at, value)) = values(object, equals, base).into_iter().next() else {
                return;
            };
            let Some(stated) = decimal(value) else { return };
            // The same sums the fast path adds: the findings never disagree with it.
            let Some(sums) = term_sums(object, terms) else {
                return;
            };
            let parts: Vec<String> = terms
                .iter()
                .zip(&sums)
                .map(|(term, sum)| {
                    format!(
                        "{}{} {}",
                        if term.negative { "- " } else { "+ " },
                        sum,
                        term_name(base, term)
                    )
                })
                .collect();
            let total = total(terms, &sums);
            let allowed = allowed(tolerance);
            let off = (stated - total).abs();
            if off > allowed {
                let within = if allowed.is_zero() {
                    String::new()
                } else {
                    format!(" (give or take {allowed})")
                };
                let breakdown = parts.join(" ");
                let breakdown = breakdown.strip_prefix("+ ").unwrap_or(&breakdown);
                out.push(broken(
                    Kind::SumMismatch,
                    at.clone(),
                    format!(
                        "{} is not the sum of its parts, {total}: {breakdown}; off by {off}",
                        shown(value)
                    ),
                    format!("{total}{within}"),
                    Vec::new(),
                ));
            }
        }
        Check::Compare { left, op, right } => {
            let lefts = values(object, left, base);
            let rights = values(object, right, base);
            for (l_at, l) in &lefts {
                for (r_at, r) in &rights {
                    let Some(ordering) = order(l, r) else {
                        continue;
                    };
                    if !op.holds(ordering) {
                        out.push(broken(
                            Kind::ComparisonFailed,
                            l_at.clone(),
                            format!(
                                "{} is not {} {} at `{r_at}`",
                                shown(l),
                                op.words(),
                                shown(r)
                            ),
                            format!("{} {}", op.words(), shown(r)),
                            vec![(r_at.clone(), shown(r))],
                        ));
                    }
                }
            }
        }
        Check::Unique(pattern) => {
            let mut seen: HashMap<String, String> = HashMap::new();
            for (at, value) in values(object, pattern, base) {
                let key = crate::decimal::equality_key(value);
                match seen.get(&key) {
                    Some(first) => out.push(broken(
                        Kind::DuplicateValue,
                        at.clone(),
                        format!("{} is already at `{first}`", shown(value)),
                        format!("a value no other `{base}{pattern}` has"),
                        Vec::new(),
                    )),
                    None => {
                        seen.insert(key, at);
                    }
                }
            }
        }
    }
}

fn term_name(base: &str, term: &crate::contract::cross::Term) -> String {
    let names: Vec<String> = term.factors.iter().map(|p| format!("{base}{p}")).collect();
    format!("({})", names.join(" x "))
}

/// Each term's sum, or `None` when a value cannot be read as a number (the field checks
/// report that).
fn term_sums(object: &Value, terms: &[crate::contract::cross::Term]) -> Option<Vec<Decimal>> {
    terms.iter().map(|t| plain_term(object, t)).collect()
}

/// The terms' sums added and subtracted as the rule says.
fn total(terms: &[crate::contract::cross::Term], sums: &[Decimal]) -> Decimal {
    terms
        .iter()
        .zip(sums)
        .fold(Decimal::ZERO, |total, (term, sum)| {
            if term.negative {
                total.checked_sub(*sum)
            } else {
                total.checked_add(*sum)
            }
            .unwrap_or(total)
        })
}

/// How far a sum may be from its stated value.
fn allowed(tolerance: &Option<String>) -> Decimal {
    tolerance
        .as_deref()
        .and_then(|t| t.parse().ok())
        .unwrap_or(Decimal::ZERO)
}

/// How many values `items` matches; a pointer without `*` to an array counts its items.
fn count_of(object: &Value, items: &Pattern) -> usize {
    let matched = plain_values(object, items);
    match matched.as_slice() {
        [Value::Array(list)] if !items.has_wildcard() => list.len(),
        _ => matched.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::cross::Op;
    use serde_json::json;

    fn pattern(text: &str) -> Pattern {
        Pattern {
            steps: crate::pointer::segments(text).collect(),
        }
    }

    fn rule(check: Check) -> Vec<Scoped> {
        vec![Scoped {
            object: Vec::new(),
            rule: CrossRule {
                span: Span::default(),
                check,
                description: None,
            },
        }]
    }

    #[test]
    fn a_sum_is_exact_decimal_arithmetic() {
        let rules = rule(Check::Sum {
            terms: vec![crate::contract::cross::Term {
                negative: false,
                factors: vec![pattern("/lines/*/price")],
            }],
            equals: pattern("/total"),
            tolerance: None,
        });
        let ok = json!({"total": "20.00", "lines": [{"price": "19.99"}, {"price": "0.01"}]});
        assert_eq!(evaluate(&rules, &ok), []);
        let off = json!({"total": "20.01", "lines": [{"price": "19.99"}, {"price": "0.01"}]});
        let broken = evaluate(&rules, &off);
        assert_eq!(broken.len(), 1);
        assert_eq!(broken[0].kind, Kind::SumMismatch);
        assert_eq!(
            broken[0].message,
            "\"20.01\" is not the sum of its parts, 20.00: 20.00 (/lines/*/price); off by 0.01"
        );
    }

    #[test]
    fn products_pair_the_items_of_one_array() {
        let rules = rule(Check::Sum {
            terms: vec![crate::contract::cross::Term {
                negative: false,
                factors: vec![pattern("/lines/*/price"), pattern("/lines/*/qty")],
            }],
            equals: pattern("/total"),
            tolerance: None,
        });
        let payload = json!({"total": 7.5, "lines": [{"price": "2.50", "qty": 2}, {"price": "2.5", "qty": 1}]});
        assert_eq!(evaluate(&rules, &payload), []);
    }

    #[test]
    fn timestamps_compare_by_instant_not_by_text() {
        let rules = rule(Check::Compare {
            left: pattern("/updated_at"),
            op: Op::GreaterOrEqual,
            right: pattern("/created_at"),
        });
        // 10:00+02:00 is 08:00Z: later than 09:00Z as text, earlier as a moment.
        let payload = json!({"updated_at": "2026-11-20T10:00:00+02:00", "created_at": "2026-11-20T09:00:00Z"});
        let broken = evaluate(&rules, &payload);
        assert_eq!(broken.len(), 1, "{broken:?}");
        assert_eq!(broken[0].kind, Kind::ComparisonFailed);
    }

    #[test]
    fn unique_names_the_first_occurrence() {
        let rules = rule(Check::Unique(pattern("/lines/*/sku")));
        let payload = json!({"lines": [{"sku": "A"}, {"sku": "B"}, {"sku": "A"}]});
        let broken = evaluate(&rules, &payload);
        assert_eq!(broken[0].pointer, "/lines/2/sku");
        assert_eq!(broken[0].message, "\"A\" is already at `/lines/0/sku`");
    }

    #[test]
    fn absent_values_are_left_to_the_schema() {
        let rules = rule(Check::Count {
            items: pattern("/lines/*"),
            equals: pattern("/count"),
        });
        assert_eq!(evaluate(&rules, &json!({"lines": [1, 2]})), []);
        let broken = evaluate(&rules, &json!({"count": "3", "lines": [1, 2]}));
        assert_eq!(broken[0].expected, "2, the number of values at `/lines/*`");
    }

    mod agreement {
        use super::*;
        use proptest::prelude::*;

        fn rules() -> Vec<Scoped> {
            let term = |negative, factors: &[&str]| crate::contract::cross::Term {
                negative,
                factors: factors.iter().map(|f| pattern(f)).collect(),
            };
            [
                Check::Sum {
                    terms: vec![
                        term(false, &["/lines/*/price", "/lines/*/qty"]),
                        term(true, &["/discount"]),
                    ],
                    equals: pattern("/total"),
                    tolerance: Some("0.01".into()),
                },
                Check::Count {
                    items: pattern("/lines/*"),
                    equals: pattern("/count"),
                },
                Check::Equals(vec![pattern("/currency"), pattern("/lines/*/currency")]),
                Check::Unique(pattern("/lines/*/sku")),
                Check::Compare {
                    left: pattern("/discount"),
                    op: Op::LessOrEqual,
                    right: pattern("/total"),
                },
            ]
            .into_iter()
            .flat_map(rule)
            .collect()
        }

        fn scalar() -> impl Strategy<Value = Value> {
            prop_oneof![
                (0u32..500).prop_map(|c| json!(format!("{}.{:02}", c / 100, c % 100))),
                (0u32..5).prop_map(|n| json!(n)),
                Just(json!("n/a")),
                Just(Value::Null),
                prop::sample::select(vec!["USD", "EUR"]).prop_map(|c| json!(c)),
            ]
        }

        fn payload() -> impl Strategy<Value = Value> {
            let line = (scalar(), scalar(), prop::sample::select(vec!["A", "B", "C"]), scalar())
                .prop_map(|(price, qty, sku, currency)| json!({"price": price, "qty": qty, "sku": sku, "currency": currency}));
            (prop::collection::vec(line, 0..4), scalar(), scalar(), scalar(), scalar()).prop_map(
                |(lines, total, discount, count, currency)| {
                    json!({"lines": lines, "total": total, "discount": discount, "count": count, "currency": currency})
                },
            )
        }

        proptest! {
            #[test]
            fn the_fast_path_and_the_findings_agree(payload in payload()) {
                let rules = rules();
                prop_assert_eq!(holds(&rules, &payload), evaluate(&rules, &payload).is_empty(), "{}", payload);
            }
        }
    }
}
