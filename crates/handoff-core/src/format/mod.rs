//! Built-in value formats: the names a contract's `format:` may use without defining them.
//!
//! The JSON Schema formats (`date-time`, `date`, `time`, `email`, `uri`, `uuid`) are checked by
//! the validation engine itself; the retail ones (ISO 4217 currency, ISO 3166-1 country) and
//! strftime-style date patterns are checked here and registered with the engine as custom formats.

pub mod iso;
pub mod strftime;

pub use strftime::Strftime;

/// How the letters of a code format (`currency`, `country`) must be written: the standard's
/// upper case by default; `case: lower` for systems that send `usd` (a payment processor's
/// API), `case: any` for those that send either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LetterCase {
    #[default]
    Upper,
    Lower,
    Any,
}

impl LetterCase {
    pub const ALL: &'static [LetterCase] = &[LetterCase::Upper, LetterCase::Lower, LetterCase::Any];

    pub fn name(self) -> &'static str {
        match self {
            LetterCase::Upper => "upper",
            LetterCase::Lower => "lower",
            LetterCase::Any => "any",
        }
    }

    pub fn from_name(name: &str) -> Option<LetterCase> {
        LetterCase::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// The value as this case writes it (`Any` keeps it as it is).
    fn spell(self, value: &str) -> String {
        match self {
            LetterCase::Upper => value.to_ascii_uppercase(),
            LetterCase::Lower => value.to_ascii_lowercase(),
            LetterCase::Any => value.to_string(),
        }
    }

    /// Whether `value`'s letters are written in this case.
    fn holds(self, value: &str) -> bool {
        match self {
            LetterCase::Any => true,
            LetterCase::Upper => !value.bytes().any(|b| b.is_ascii_lowercase()),
            LetterCase::Lower => !value.bytes().any(|b| b.is_ascii_uppercase()),
        }
    }
}

/// A format every contract can use by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Builtin {
    DateTime,
    Date,
    Time,
    Email,
    Uri,
    Uuid,
    Currency,
    Country,
}

impl Builtin {
    pub const ALL: &'static [Builtin] = &[
        Builtin::DateTime,
        Builtin::Date,
        Builtin::Time,
        Builtin::Email,
        Builtin::Uri,
        Builtin::Uuid,
        Builtin::Currency,
        Builtin::Country,
    ];

    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.iter().copied().find(|b| b.name() == name)
    }

    /// The name used in contracts, and registered with the engine.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::DateTime => "date-time",
            Builtin::Date => "date",
            Builtin::Time => "time",
            Builtin::Email => "email",
            Builtin::Uri => "uri",
            Builtin::Uuid => "uuid",
            Builtin::Currency => "currency",
            Builtin::Country => "country",
        }
    }

    /// What the format accepts, in plain words.
    pub fn description(self) -> &'static str {
        match self {
            Builtin::DateTime => {
                "an RFC 3339 date-time with a UTC offset or Z, such as 2024-03-01T14:30:00Z"
            }
            Builtin::Date => "an RFC 3339 full-date, such as 2024-03-01",
            Builtin::Time => "an RFC 3339 full-time with an offset, such as 14:30:00+01:00",
            Builtin::Email => "an email address",
            Builtin::Uri => "an absolute URI, such as https://example.com/path",
            Builtin::Uuid => {
                "a UUID in hyphenated form, such as 3f2b8c1e-5d4a-4f6b-9c7d-2e1a0b9c8d7e"
            }
            Builtin::Currency => "an ISO 4217 currency code, such as USD or EUR",
            Builtin::Country => "an ISO 3166-1 alpha-2 country code, such as US or GB",
        }
    }

    /// What the format accepts, written in `case` (which only code formats take).
    pub fn description_in(self, case: LetterCase) -> String {
        match (self, case) {
            (Builtin::Currency, LetterCase::Lower) => {
                "an ISO 4217 currency code in lower case, such as usd or eur".into()
            }
            (Builtin::Currency, LetterCase::Any) => {
                "an ISO 4217 currency code in either case, such as USD or usd".into()
            }
            (Builtin::Country, LetterCase::Lower) => {
                "an ISO 3166-1 alpha-2 country code in lower case, such as us or gb".into()
            }
            (Builtin::Country, LetterCase::Any) => {
                "an ISO 3166-1 alpha-2 country code in either case, such as US or us".into()
            }
            _ => self.description().into(),
        }
    }

    /// True for formats the engine checks natively; false for those handoff registers.
    pub fn is_json_schema_native(self) -> bool {
        !self.is_code()
    }

    /// A code format: its letters have a case, and `case:` says which.
    pub fn is_code(self) -> bool {
        matches!(self, Builtin::Currency | Builtin::Country)
    }

    /// The name the compiled schema gives the format: `currency`, or `currency:lower` and
    /// `currency:any` for the other cases (registered with the engine as formats of their own).
    pub fn format_name(self, case: LetterCase) -> String {
        match case {
            LetterCase::Upper => self.name().to_string(),
            other => format!("{}:{}", self.name(), other.name()),
        }
    }

    /// The format and case a compiled schema's format name stands for.
    pub fn from_format_name(name: &str) -> Option<(Builtin, LetterCase)> {
        match name.split_once(':') {
            None => Builtin::from_name(name).map(|b| (b, LetterCase::Upper)),
            Some((b, c)) => Builtin::from_name(b)
                .filter(|b| b.is_code())
                .zip(LetterCase::from_name(c)),
        }
    }

    /// The custom check, in `case`: the code must be the standard's, written in that case.
    pub fn check_in(self, case: LetterCase, value: &str) -> bool {
        if case == LetterCase::Upper {
            return self.check(value);
        }
        // Codes are two or three letters: upper-cased on the stack, not in a new String per
        // value checked.
        let mut upper = [0u8; 4];
        let Some(buf) = upper.get_mut(..value.len()) else {
            return false;
        };
        buf.copy_from_slice(value.as_bytes());
        buf.make_ascii_uppercase();
        case.holds(value) && std::str::from_utf8(buf).is_ok_and(|u| self.check(u))
    }

    /// A suggestion for a value this format rejects in `case`.
    pub fn suggest_in(self, case: LetterCase, value: &str) -> Option<String> {
        if !self.is_code() || case == LetterCase::Upper {
            return self.suggest(value);
        }
        let trimmed = value.trim();
        let upper = trimmed.to_ascii_uppercase();
        if self.check(&upper) {
            let spelled = case.spell(trimmed);
            return (spelled != value).then(|| match case {
                LetterCase::Any => format!("did you mean \"{spelled}\"?"),
                _ => format!(
                    "did you mean \"{spelled}\"? this field's codes are {} case",
                    case.name()
                ),
            });
        }
        // An alias (UK for GB), answered in the field's case.
        let code = iso::country_alias(&upper).filter(|_| self == Builtin::Country)?;
        Some(format!(
            "\"{value}\" is not an ISO 3166-1 code; the code for this country is \"{}\"",
            case.spell(code)
        ))
    }

    /// The custom check for formats handoff registers itself.
    pub fn check(self, value: &str) -> bool {
        match self {
            Builtin::Currency => iso::is_currency(value),
            Builtin::Country => iso::is_country(value),
            // Native formats are checked by the engine; this is only reached for custom ones.
            _ => true,
        }
    }

    /// A suggestion for a value this format rejects, when a likely intended value exists.
    pub fn suggest(self, value: &str) -> Option<String> {
        match self {
            Builtin::Currency => iso::suggest_currency(value),
            Builtin::Country => iso::suggest_country(value),
            _ => None,
        }
    }
}
