//! strftime-style date and time patterns such as `%Y%m%d` (EDI's CCYYMMDD) or `%H%M`.
//!
//! A pattern fixes the width of every part, and a match must also be a real calendar date:
//! `20240231` has the right shape for `%Y%m%d` but there is no 31 February, so it is rejected.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Four-digit year (`%Y`).
    Year4,
    /// Two-digit year (`%y`), read as 2000-2099 for leap years.
    Year2,
    Month,
    Day,
    DayOfYear,
    Hour,
    Minute,
    Second,
}

impl Part {
    fn width(self) -> usize {
        match self {
            Part::Year4 => 4,
            Part::DayOfYear => 3,
            _ => 2,
        }
    }

    fn range(self) -> (u32, u32) {
        match self {
            Part::Year4 => (0, 9999),
            Part::Year2 => (0, 99),
            Part::Month => (1, 12),
            Part::Day => (1, 31),
            Part::DayOfYear => (1, 366),
            Part::Hour => (0, 23),
            Part::Minute => (0, 59),
            // 60 admits a leap second, as RFC 3339 does.
            Part::Second => (0, 60),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Literal(char),
    Part(Part),
}

/// A compiled strftime pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strftime {
    pattern: String,
    items: Vec<Item>,
}

/// Why a pattern is not a usable strftime pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError(pub String);

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The directives handoff understands, for messages and documentation.
pub const DIRECTIVES: &str = "%Y %y %m %d %j %H %M %S %%";

impl Strftime {
    /// True when `format` is meant as a strftime pattern rather than a format name.
    pub fn looks_like(format: &str) -> bool {
        format.contains('%')
    }

    pub fn parse(pattern: &str) -> Result<Strftime, PatternError> {
        let mut items = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                items.push(Item::Literal(c));
                continue;
            }
            let part = match chars.next() {
                Some('Y') => Part::Year4,
                Some('y') => Part::Year2,
                Some('m') => Part::Month,
                Some('d') => Part::Day,
                Some('j') => Part::DayOfYear,
                Some('H') => Part::Hour,
                Some('M') => Part::Minute,
                Some('S') => Part::Second,
                Some('%') => {
                    items.push(Item::Literal('%'));
                    continue;
                }
                Some(other) => {
                    return Err(PatternError(format!(
                        "`%{other}` is not a supported date directive (supported: {DIRECTIVES})"
                    )));
                }
                None => return Err(PatternError("pattern ends with a lone `%`".into())),
            };
            if items.contains(&Item::Part(part)) {
                return Err(PatternError(format!(
                    "`{}` appears twice",
                    directive_of(part)
                )));
            }
            items.push(Item::Part(part));
        }
        let has = |p| items.contains(&Item::Part(p));
        if has(Part::Year4) && has(Part::Year2) {
            return Err(PatternError("use either %Y or %y, not both".into()));
        }
        if has(Part::DayOfYear) && (has(Part::Month) || has(Part::Day)) {
            return Err(PatternError(
                "%j (day of year) cannot be combined with %m or %d".into(),
            ));
        }
        Ok(Strftime {
            pattern: pattern.to_string(),
            items,
        })
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// What the pattern writes, for sentences: "date", "time", or "date and time".
    pub fn noun(&self) -> &'static str {
        let has = |parts: &[Part]| {
            self.items
                .iter()
                .any(|i| matches!(i, Item::Part(p) if parts.contains(p)))
        };
        let date = has(&[
            Part::Year4,
            Part::Year2,
            Part::Month,
            Part::Day,
            Part::DayOfYear,
        ]);
        let time = has(&[Part::Hour, Part::Minute, Part::Second]);
        match (date, time) {
            (false, true) => "time",
            (true, true) => "date and time",
            _ => "date",
        }
    }

    /// True when `value` has exactly the pattern's shape and is a real date and time.
    pub fn matches(&self, value: &str) -> bool {
        self.explain_mismatch(value).is_none()
    }

    /// Why `value` does not match, or `None` when it does.
    pub fn explain_mismatch(&self, value: &str) -> Option<String> {
        let bytes = value.as_bytes();
        let mut pos = 0;
        let (mut year, mut month, mut day, mut yday) = (None, None, None, None);
        for item in &self.items {
            match item {
                Item::Literal(c) => {
                    let mut buf = [0u8; 4];
                    let lit = c.encode_utf8(&mut buf).as_bytes();
                    if !bytes[pos..].starts_with(lit) {
                        return Some(format!(
                            "expected `{c}` at character {}",
                            char_index(value, pos) + 1
                        ));
                    }
                    pos += lit.len();
                }
                Item::Part(part) => {
                    let width = part.width();
                    let digits = bytes.get(pos..pos + width);
                    let Some(digits) = digits.filter(|d| d.iter().all(u8::is_ascii_digit)) else {
                        return Some(format!(
                            "expected {width} digits for {} at character {}",
                            directive_of(*part),
                            char_index(value, pos) + 1
                        ));
                    };
                    let n = digits
                        .iter()
                        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
                    let (lo, hi) = part.range();
                    if n < lo || n > hi {
                        return Some(format!(
                            "{} is {n}, outside {lo}..={hi}",
                            directive_name(*part)
                        ));
                    }
                    match part {
                        Part::Year4 => year = Some(n),
                        Part::Year2 => year = Some(2000 + n),
                        Part::Month => month = Some(n),
                        Part::Day => day = Some(n),
                        Part::DayOfYear => yday = Some(n),
                        _ => {}
                    }
                    pos += width;
                }
            }
        }
        if pos != bytes.len() {
            return Some(format!(
                "unexpected text after the {}: {:?}",
                self.noun(),
                &value[pos..]
            ));
        }
        if let (Some(m), Some(d)) = (month, day) {
            // Without a year, 29 February is possible.
            let max = days_in_month(year.unwrap_or(2000), m);
            if d > max {
                return Some(format!("{} has no day {d}", month_name(m, year)));
            }
        }
        if let (Some(y), Some(j)) = (year, yday)
            && j == 366
            && !is_leap(y)
        {
            return Some(format!("{y} is not a leap year, so it has no day 366"));
        }
        None
    }
}

fn char_index(value: &str, byte: usize) -> usize {
    value.get(..byte).map_or(byte, |s| s.chars().count())
}

fn directive_of(part: Part) -> &'static str {
    match part {
        Part::Year4 => "%Y",
        Part::Year2 => "%y",
        Part::Month => "%m",
        Part::Day => "%d",
        Part::DayOfYear => "%j",
        Part::Hour => "%H",
        Part::Minute => "%M",
        Part::Second => "%S",
    }
}

fn directive_name(part: Part) -> &'static str {
    match part {
        Part::Year4 | Part::Year2 => "the year",
        Part::Month => "the month",
        Part::Day => "the day",
        Part::DayOfYear => "the day of the year",
        Part::Hour => "the hour",
        Part::Minute => "the minute",
        Part::Second => "the second",
    }
}

fn month_name(month: u32, year: Option<u32>) -> String {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let name = NAMES[(month as usize).saturating_sub(1).min(11)];
    match year {
        Some(y) => format!("{name} {y}"),
        None => name.to_string(),
    }
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edi_dates_reject_impossible_calendar_days() {
        let f = Strftime::parse("%Y%m%d").unwrap();
        assert!(f.matches("20240229"));
        assert!(!f.matches("20230229"));
        assert_eq!(
            f.explain_mismatch("20240231").unwrap(),
            "February 2024 has no day 31"
        );
        assert_eq!(
            f.explain_mismatch("20241301").unwrap(),
            "the month is 13, outside 1..=12"
        );
        assert_eq!(
            f.explain_mismatch("2024-02-01").unwrap(),
            "expected 2 digits for %m at character 5"
        );
        assert!(!f.matches("202402011"));
        assert!(f.matches("19000228") && !f.matches("19000229") && f.matches("20000229"));
    }

    #[test]
    fn short_years_times_and_literals() {
        assert!(Strftime::parse("%y%m%d").unwrap().matches("240229"));
        let hm = Strftime::parse("%H%M").unwrap();
        assert!(hm.matches("2359") && !hm.matches("2460") && !hm.matches("930"));
        let iso = Strftime::parse("%Y-%m-%dT%H:%M:%S").unwrap();
        assert!(iso.matches("2024-03-01T08:05:00"));
        assert!(Strftime::parse("%j").unwrap().matches("366"));
        assert!(!Strftime::parse("%Y%j").unwrap().matches("2023366"));
    }

    #[test]
    fn bad_patterns_are_explained() {
        assert_eq!(
            Strftime::parse("%Y%q").unwrap_err().0,
            format!("`%q` is not a supported date directive (supported: {DIRECTIVES})")
        );
        assert_eq!(
            Strftime::parse("%Y%").unwrap_err().0,
            "pattern ends with a lone `%`"
        );
        assert_eq!(Strftime::parse("%d%d").unwrap_err().0, "`%d` appears twice");
    }
}
