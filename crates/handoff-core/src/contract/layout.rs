//! How non-JSON payloads become the JSON tree a contract describes: the `x12:` section (loops
//! of a transaction set) and the `csv:` section (how a flat file is read).

/// An X12 transaction set's layout, as the contract declares it: which segments open loops,
/// which belong to them, and which may repeat. Nothing comes from a bundled copy of the
/// standard: the contract (an implementation guide in YAML) says it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct X12Layout {
    /// Segments outside any loop that may occur more than once: rendered as arrays.
    pub repeat: Vec<String>,
    pub loops: Vec<LoopDef>,
}

/// One loop: rendered as an array under `name`, one object per occurrence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoopDef {
    pub name: String,
    /// The segments that belong to the loop; the first starts each occurrence.
    pub segments: Vec<String>,
    pub repeat: Vec<String>,
    pub loops: Vec<LoopDef>,
}

impl LoopDef {
    pub fn trigger(&self) -> &str {
        self.segments.first().map_or("", String::as_str)
    }
}

/// What to do with an empty CSV cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EmptyCells {
    /// The column is left out of the row's object (so `required` reports it).
    #[default]
    Absent,
    Null,
    /// An empty string.
    Empty,
}

impl EmptyCells {
    pub const NAMES: &'static [&'static str] = &["absent", "null", "empty_string"];

    pub fn from_name(name: &str) -> Option<EmptyCells> {
        Some(match name {
            "absent" => EmptyCells::Absent,
            "null" => EmptyCells::Null,
            "empty_string" => EmptyCells::Empty,
            _ => return None,
        })
    }
}

/// How a CSV file is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    /// `None`: from the extension (tab for `.tsv`, comma otherwise).
    pub delimiter: Option<u8>,
    /// Whether the first row names the columns; without it, `columns` must.
    pub header: bool,
    /// Column names when the file has no header row.
    pub columns: Vec<String>,
    pub empty: EmptyCells,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: None,
            header: true,
            columns: Vec::new(),
            empty: EmptyCells::Absent,
        }
    }
}
