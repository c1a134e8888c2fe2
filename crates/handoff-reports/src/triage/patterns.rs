//! Grouping exceptions into patterns: by error code, and within it by what the payload showed
//! against its contract (a violation signature, or `conforms`), with what each pattern costs and
//! how it moves week to week.

use super::framework::Signature;
use handoff_core::finding::{Finding, Kind};
use jiff::Timestamp;
use std::collections::BTreeMap;

/// The signature of one payload's findings: every distinct (pointer with array indexes as `*`,
/// kind) pair, sorted, after the contract id; an unknown enum value keeps its value, since a new
/// status code is its own pattern.
pub fn signature(contract_id: &str, findings: &[Finding]) -> Signature {
    if findings.is_empty() {
        return Signature::Conforms;
    }
    if let Some(f) = findings.iter().find(|f| f.kind.is_payload_level()) {
        return Signature::Unreadable(format!("{contract_id}: {}", f.kind.id()));
    }
    let mut parts: Vec<String> = findings
        .iter()
        .map(|f| {
            let pointer = handoff_core::pointer::normalize(&f.pointer);
            match (&f.value, f.kind) {
                (Some(v), Kind::UnknownEnumValue) => format!("{pointer} {} {v}", f.kind),
                _ => format!("{pointer} {}", f.kind),
            }
        })
        .collect();
    parts.sort();
    parts.dedup();
    Signature::Violates(format!("{contract_id}: {}", parts.join(", ")))
}

/// One distinct violation of a signature, as the JSON report shows it: the contract as
/// `id@version`, the pointer with array indexes as `*`, the kind, and the value for a new enum
/// value (the one kind whose value makes its own pattern).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Violation {
    pub contract: String,
    pub pointer: String,
    pub kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// The violations [`signature`] is made of, one each, in its order; a payload that cannot be
/// read is one violation at the root.
pub fn violations(contract: &str, findings: &[Finding]) -> Vec<Violation> {
    if let Some(f) = findings.iter().find(|f| f.kind.is_payload_level()) {
        return vec![Violation {
            contract: contract.to_string(),
            pointer: String::new(),
            kind: f.kind,
            value: None,
        }];
    }
    let mut out: Vec<Violation> = findings
        .iter()
        .map(|f| Violation {
            contract: contract.to_string(),
            pointer: handoff_core::pointer::normalize(&f.pointer),
            kind: f.kind,
            // Findings keep the value as JSON text (`"refunded"`); a string is shown as its text.
            value: f
                .value
                .clone()
                .filter(|_| f.kind == Kind::UnknownEnumValue)
                .map(|v| serde_json::from_str::<String>(&v).unwrap_or(v)),
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.pointer, a.kind.id(), &a.value).cmp(&(&b.pointer, b.kind.id(), &b.value))
    });
    out.dedup();
    out
}

/// One exception, as the grouping needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence<'a> {
    pub line: u64,
    pub opened_at: Timestamp,
    /// The opened-at cell as the log wrote it.
    pub opened_at_text: &'a str,
    pub handling_minutes: Option<f64>,
}

/// Exceptions that share an error code and a signature.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub error_code: String,
    pub signature: Signature,
    pub count: u64,
    /// Minutes of handling recorded, and how many exceptions recorded them.
    pub minutes: f64,
    pub timed: u64,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    /// The first and last opened-at cells as the log wrote them.
    pub first_seen_text: String,
    pub last_seen_text: String,
    /// Exceptions per ISO week (`2026-W45`).
    pub weekly: BTreeMap<String, u64>,
    /// The first few exceptions' log lines, as examples.
    pub examples: Vec<u64>,
    /// The signature's violations, as its first exception showed them.
    pub violations: Vec<Violation>,
    /// Every contract version (`id@version`) the pattern's payloads were checked against.
    pub contracts: std::collections::BTreeSet<String>,
}

/// Examples kept per pattern.
pub const EXAMPLES: usize = 3;

impl Pattern {
    fn new(
        error_code: &str,
        signature: &Signature,
        first: &Occurrence,
        violations: &[Violation],
    ) -> Pattern {
        Pattern {
            error_code: error_code.to_string(),
            signature: signature.clone(),
            count: 0,
            minutes: 0.0,
            timed: 0,
            first_seen: first.opened_at,
            last_seen: first.opened_at,
            first_seen_text: first.opened_at_text.to_string(),
            last_seen_text: first.opened_at_text.to_string(),
            weekly: BTreeMap::new(),
            examples: Vec::new(),
            violations: violations.to_vec(),
            contracts: Default::default(),
        }
    }

    fn add(&mut self, o: &Occurrence) {
        self.count += 1;
        if let Some(m) = o.handling_minutes {
            self.minutes += m;
            self.timed += 1;
        }
        // Ties keep the earlier row's text: the first row written at that time.
        if o.opened_at < self.first_seen {
            self.first_seen = o.opened_at;
            self.first_seen_text = o.opened_at_text.to_string();
        }
        if o.opened_at > self.last_seen {
            self.last_seen = o.opened_at;
            self.last_seen_text = o.opened_at_text.to_string();
        }
        *self.weekly.entry(iso_week(o.opened_at)).or_default() += 1;
        if self.examples.len() < EXAMPLES {
            self.examples.push(o.line);
        }
    }

    /// Hours of handling per week over `weeks` weeks, when handling times are known: the
    /// recorded minutes, scaled up to every exception when only some recorded them.
    pub fn hours_per_week(&self, weeks: f64) -> Option<f64> {
        (self.timed > 0 && weeks > 0.0).then(|| {
            let per_exception = self.minutes / self.timed as f64;
            per_exception * self.count as f64 / 60.0 / weeks
        })
    }
}

/// `2026-W45`.
pub fn iso_week(t: Timestamp) -> String {
    let week = t.to_zoned(jiff::tz::TimeZone::UTC).date().iso_week_date();
    format!("{}-W{:02}", week.year(), week.week())
}

/// Occurrences grouped by (error code, signature) as they arrive.
#[derive(Debug, Default)]
pub struct Grouper {
    patterns: BTreeMap<(String, Signature), Pattern>,
}

impl Grouper {
    pub fn add(&mut self, code: &str, sig: &Signature, o: &Occurrence, violations: &[Violation]) {
        let key = (code.to_string(), sig.clone());
        let p = self
            .patterns
            .entry(key)
            .or_insert_with(|| Pattern::new(code, sig, o, violations));
        p.add(o);
        for v in violations {
            if !p.contracts.contains(&v.contract) {
                p.contracts.insert(v.contract.clone());
            }
        }
    }

    /// The patterns, most costly first: by hours of handling when known, else by count.
    pub fn finish(self) -> Vec<Pattern> {
        let mut out: Vec<Pattern> = self.patterns.into_values().collect();
        out.sort_by(|a, b| {
            let cost = |p: &Pattern| p.hours_per_week(1.0).unwrap_or(0.0);
            cost(b)
                .total_cmp(&cost(a))
                .then(b.count.cmp(&a.count))
                .then_with(|| (&a.error_code, &a.signature).cmp(&(&b.error_code, &b.signature)))
        });
        out
    }
}

/// Counts in the last seven days up to `end`, and in the seven days before.
pub fn trend(pattern_times: &[Timestamp], end: Timestamp) -> (u64, u64) {
    // A week of exact hours: a timestamp has no calendar, so no "days".
    let week = jiff::SignedDuration::from_hours(7 * 24);
    let (Ok(start), Ok(before)) = (
        end.checked_sub(week),
        end.checked_sub(week).and_then(|s| s.checked_sub(week)),
    ) else {
        return (0, 0);
    };
    let recent = pattern_times
        .iter()
        .filter(|t| **t > start && **t <= end)
        .count() as u64;
    let previous = pattern_times
        .iter()
        .filter(|t| **t > before && **t <= start)
        .count() as u64;
    (recent, previous)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(kind: Kind, pointer: &str, value: Option<&str>) -> Finding {
        Finding::bare(kind, pointer, value)
    }

    #[test]
    fn signatures_ignore_array_indexes_and_keep_new_status_codes_apart() {
        let a = signature(
            "orders",
            &[
                finding(Kind::PatternMismatch, "/line_items/3/sku", Some("\"abc\"")),
                finding(Kind::PatternMismatch, "/line_items/0/sku", Some("\"x\"")),
            ],
        );
        assert_eq!(
            a,
            Signature::Violates("orders: /line_items/*/sku pattern_mismatch".into())
        );
        let refund_failed = signature(
            "payments",
            &[finding(
                Kind::UnknownEnumValue,
                "/event_code",
                Some("\"REFUND_FAILED\""),
            )],
        );
        let chargeback_x = signature(
            "payments",
            &[finding(
                Kind::UnknownEnumValue,
                "/event_code",
                Some("\"CHARGEBACK_X\""),
            )],
        );
        assert_ne!(refund_failed, chargeback_x);
        assert_eq!(signature("x", &[]), Signature::Conforms);
        assert_eq!(
            signature("x", &[finding(Kind::InvalidJson, "", None)]),
            Signature::Unreadable("x: invalid_json".into())
        );
    }

    #[test]
    fn patterns_are_ranked_by_hours_and_counted_by_week() {
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        let sku = Signature::Violates("orders: /sku pattern_mismatch".into());
        let conforms = Signature::Conforms;
        let mut items = Vec::new();
        // 40 a day for two weeks at 5 minutes: the playbook's 13-hour-a-week drift.
        for day in 0..14 {
            for n in 0..40 {
                items.push((
                    "SKU_NOT_FOUND",
                    &sku,
                    Occurrence {
                        line: 2 + day * 40 + n,
                        opened_at: t(&format!("2026-11-{:02}T09:{:02}:00Z", 2 + day, n)),
                        opened_at_text: "",
                        handling_minutes: Some(5.0),
                    },
                ));
            }
        }
        for n in 0..100 {
            items.push((
                "RETURN_REASON",
                &conforms,
                Occurrence {
                    line: 1000 + n,
                    opened_at: t("2026-11-03T10:00:00Z"),
                    opened_at_text: "",
                    handling_minutes: Some(2.0),
                },
            ));
        }
        let mut grouper = Grouper::default();
        for (code, sig, o) in &items {
            grouper.add(code, sig, o, &[]);
        }
        let patterns = grouper.finish();
        assert_eq!(patterns[0].error_code, "SKU_NOT_FOUND");
        assert_eq!(patterns[0].count, 560);
        let hours = patterns[0].hours_per_week(2.0).unwrap();
        assert!((hours - 23.33).abs() < 0.01, "{hours}");
        assert_eq!(patterns[0].examples, [2, 3, 4]);
        assert_eq!(
            patterns[0].weekly,
            BTreeMap::from([("2026-W45".into(), 280), ("2026-W46".into(), 280)]),
            "2 to 8 November 2026 is ISO week 45, Monday to Sunday"
        );
        let times: Vec<Timestamp> = (0..14)
            .map(|d| t(&format!("2026-11-{:02}T09:00:00Z", 2 + d)))
            .collect();
        assert_eq!(trend(&times, t("2026-11-15T12:00:00Z")), (7, 7));
    }
}
