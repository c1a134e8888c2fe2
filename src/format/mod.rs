//! Built-in value formats: the names a contract's `format:` may use without defining them.
//!
//! The JSON Schema formats (`date-time`, `date`, `time`, `email`, `uri`, `uuid`) are checked by
//! the validation engine itself; the retail ones (ISO 4217 currency, ISO 3166-1 country) and
//! strftime-style date patterns are checked here and registered with the engine as custom formats.

pub mod iso;
pub mod strftime;

pub use strftime::Strftime;

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

    /// True for formats the engine checks natively; false for those handoff registers.
    pub fn is_json_schema_native(self) -> bool {
        !matches!(self, Builtin::Currency | Builtin::Country)
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
