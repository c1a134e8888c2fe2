//! Contracts: the checked model of one message crossing one boundary, at one version.
//!
//! [`load`] reads a contract file: YAML text becomes a located node tree ([`crate::yaml`]), and
//! `read` turns the tree into the typed model below, reporting every problem at once. Nothing
//! downstream of this module sees YAML.

pub mod cross;
pub mod keyword;
pub mod layout;
mod read;
pub use read::csv_options;

use crate::diagnostic::{Code, Diagnostic};
use crate::format::{Builtin, Strftime};
pub use crate::yaml::Located;
use crate::yaml::Span;
use serde_json::Value;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The marker on raw fragments `handoff import` wrote (kept JSON Schema it could not say
/// natively), for `lint` to point out.
pub const IMPORTED_MARK: &str = "x-handoff-imported";

/// A fully checked contract.
#[derive(Debug, Clone)]
pub struct Contract {
    pub id: String,
    pub version: semver::Version,
    pub description: Option<String>,
    pub boundary: Boundary,
    /// Named value formats, in declaration order.
    pub formats: Vec<NamedFormat>,
    /// The payload's top-level object: its `fields`, `rules` and `closed` setting.
    pub root: Field,
    /// For X12 input: the transaction set's loops (`x12:`).
    pub x12: Option<layout::X12Layout>,
    /// For CSV input: how rows are read (`csv:`).
    pub csv: Option<layout::CsvOptions>,
    /// Declared types a field refers to recursively (a category's children are categories),
    /// each read once: such fields say `recursive` and are checked against these.
    pub recursive_types: Vec<Field>,
    pub source: Source,
}

impl Contract {
    /// `id@version`, the way findings and reports name a contract.
    pub fn reference(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }

    pub fn named_format(&self, name: &str) -> Option<&NamedFormat> {
        self.formats.iter().find(|f| f.name == name)
    }

    /// The field declared at a contract path such as `/line_items/*/sku` (`*` steps into array
    /// items; a number does too, so payload pointers can be used as they are).
    /// Whether values at this payload pointer are customers' data: the field, or its named
    /// format, says `sensitive: true`.
    pub fn is_sensitive(&self, pointer: &str) -> bool {
        let Some(field) = self.field_at(pointer) else {
            return false;
        };
        let marked = |c: &Constraints| c.sensitive.as_ref().is_some_and(|s| s.value);
        marked(&field.constraints)
            || match field.constraints.format.as_ref().map(|f| &f.value) {
                Some(FormatRef::Named(name)) => self
                    .named_format(name)
                    .is_some_and(|f| marked(&f.constraints)),
                _ => false,
            }
    }

    /// Whether any field or named format is `sensitive`.
    pub fn has_sensitive_fields(&self) -> bool {
        let marked = |c: &Constraints| c.sensitive.as_ref().is_some_and(|s| s.value);
        let mut any = self.formats.iter().any(|f| marked(&f.constraints));
        self.root.walk(&mut |f| any |= marked(&f.constraints));
        any
    }

    pub fn field_at(&self, path: &str) -> Option<&Field> {
        let mut field = &self.root;
        if path.is_empty() || path == "/" {
            return Some(field);
        }
        let mut segments = crate::pointer::segments(path.trim_start_matches('/')).peekable();
        // A recursive type's own declaration: `/{type category}/children/*`.
        if let Some(first) = segments.peek()
            && let Some(name) = first
                .strip_prefix("{type ")
                .and_then(|s| s.strip_suffix('}'))
        {
            field = self.recursive_types.iter().find(|t| t.name == name)?;
            segments.next();
        }
        for segment in segments {
            // A shared use (recursive, or a large type): its members are the type's.
            if let Some(name) = &field.recursive {
                field = self.recursive_types.iter().find(|t| &t.name == name)?;
            }
            field = match (
                &field.items,
                field.fields.iter().find(|f| f.name == segment),
            ) {
                (_, Some(child)) => child,
                (Some(items), None) if segment == "*" || segment.parse::<usize>().is_ok() => items,
                // Any other member of a map (`*` in a contract path) holds its `values`.
                (None, None) if field.values.is_some() => field.values.as_deref()?,
                // A union's case by name (`{charge.refunded}`), as origins name it.
                (None, None)
                    if field.union.is_some()
                        && segment.starts_with('{')
                        && segment.ends_with('}') =>
                {
                    let name = &segment[1..segment.len() - 1];
                    &field
                        .union
                        .as_ref()?
                        .cases
                        .iter()
                        .find(|c| c.value == name)?
                        .field
                }
                // A member of a union: the first case that declares it.
                (None, None) if field.union.is_some() => field
                    .union
                    .as_ref()?
                    .cases
                    .iter()
                    .find_map(|c| c.field.field(&segment))?,
                _ => return None,
            };
        }
        Some(field)
    }
}

/// The file a contract was read from, kept for diagnostics.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: Arc<str>,
}

#[derive(Debug, Clone)]
pub struct Boundary {
    pub from: String,
    pub to: String,
    pub transport: Transport,
    pub owner: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Webhook,
    Api,
    Edi,
    File,
    Queue,
}

impl Transport {
    pub const NAMES: &'static [&'static str] = &["webhook", "api", "edi", "file", "queue"];

    pub fn from_name(name: &str) -> Option<Transport> {
        Some(match name {
            "webhook" => Transport::Webhook,
            "api" => Transport::Api,
            "edi" => Transport::Edi,
            "file" => Transport::File,
            "queue" => Transport::Queue,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Transport::Webhook => "webhook",
            Transport::Api => "api",
            Transport::Edi => "edi",
            Transport::File => "file",
            Transport::Queue => "queue",
        }
    }
}

/// A JSON type a field may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array,
}

impl FieldType {
    pub const NAMES: &'static [&'static str] =
        &["string", "integer", "number", "boolean", "object", "array"];

    pub fn from_name(name: &str) -> Option<FieldType> {
        Some(match name {
            "string" => FieldType::String,
            "integer" => FieldType::Integer,
            "number" => FieldType::Number,
            "boolean" => FieldType::Boolean,
            "object" => FieldType::Object,
            "array" => FieldType::Array,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Integer => "integer",
            FieldType::Number => "number",
            FieldType::Boolean => "boolean",
            FieldType::Object => "object",
            FieldType::Array => "array",
        }
    }

    /// "a string", "an integer": for sentences.
    pub fn with_article(self) -> String {
        match self {
            FieldType::Integer | FieldType::Object | FieldType::Array => {
                format!("an {}", self.name())
            }
            _ => format!("a {}", self.name()),
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, FieldType::Integer | FieldType::Number)
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a `format:` keyword refers to, resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum FormatRef {
    Builtin(Builtin),
    Strftime(Strftime),
    Named(String),
}

impl FormatRef {
    pub fn name(&self) -> &str {
        match self {
            FormatRef::Builtin(b) => b.name(),
            FormatRef::Strftime(s) => s.pattern(),
            FormatRef::Named(n) => n,
        }
    }
}

/// Decimal places of a number or decimal string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    pub places: u32,
    /// Exactly `places` digits after the point (a money string such as `"10.50"`), rather than at most.
    pub exact: bool,
}

/// One allowed value of an enum, with what it means.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    pub value: Value,
    pub description: Option<String>,
    pub span: Span,
}

/// Constraints on a single value: shared by fields and named formats.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    pub ty: Option<Located<FieldType>>,
    /// A plain type union (`type: [string, integer]`): the value may be any of these. `ty` is
    /// then unset.
    pub any_of_types: Option<Located<Vec<FieldType>>>,
    pub enum_values: Option<Located<Vec<EnumValue>>>,
    pub pattern: Option<Located<String>>,
    pub format: Option<Located<FormatRef>>,
    /// How a code format's letters are written (`case: lower` for `usd`); unset is upper.
    pub case: Option<Located<crate::format::LetterCase>>,
    pub min_length: Option<Located<u64>>,
    pub max_length: Option<Located<u64>>,
    pub max_bytes: Option<Located<u64>>,
    pub minimum: Option<Located<serde_json::Number>>,
    pub maximum: Option<Located<serde_json::Number>>,
    pub exclusive_minimum: Option<Located<serde_json::Number>>,
    pub exclusive_maximum: Option<Located<serde_json::Number>>,
    pub decimal: Option<Located<Decimal>>,
    pub description: Option<String>,
    pub example: Option<Located<Value>>,
    /// Values are customers' data (names, emails, account numbers): findings never print them.
    pub sensitive: Option<Located<bool>>,
}

/// A named, reusable value format declared under `formats:`.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedFormat {
    pub name: String,
    pub span: Span,
    pub constraints: Constraints,
}

/// One field of the payload, and everything below it.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The member name; empty for the root object and for array items.
    pub name: String,
    /// Where the field stands in the payload, as a contract path (`/line_items/*/sku`).
    pub path: String,
    /// The span of the field's key (or of `items:`).
    pub span: Span,
    pub required: Option<Located<bool>>,
    pub nullable: Option<Located<bool>>,
    pub constraints: Constraints,
    pub min_items: Option<Located<u64>>,
    pub max_items: Option<Located<u64>>,
    pub unique_items: Option<Located<bool>>,
    pub items: Option<Box<Field>>,
    pub fields: Vec<Field>,
    /// For an object used as a map: what each member not declared in `fields` holds.
    pub values: Option<Box<Field>>,
    /// What every member name of the object must be (a pattern, a format, lengths).
    pub keys: Option<Located<Box<Constraints>>>,
    /// The declared type (`types:`) this field uses, when it uses one.
    pub type_name: Option<String>,
    /// A discriminated union: the object's shape depends on one member's value.
    pub union: Option<Union>,
    /// A use of a declared type inside that type's own declaration (a tree): the field is that
    /// type, checked by reference rather than written out again.
    pub recursive: Option<String>,
    /// Whether unknown members are violations, and where that was decided (on this object,
    /// or as the contract's default).
    pub closed: Option<Located<bool>>,
    pub rules: Vec<Rule>,
    /// Checks between values (`equals`, `count`, `sum`, `compare`, `unique`), run after the
    /// schema; their pointers are relative to this object.
    pub checks: Vec<cross::CrossRule>,
    /// A raw JSON Schema fragment, applied in addition to everything else.
    pub schema: Option<Located<Value>>,
    pub deprecated: Option<Located<String>>,
}

impl Field {
    /// A field with nothing declared yet: the start of the root and of a recursive use.
    pub fn empty(name: &str, path: &str, span: Span) -> Field {
        Field {
            name: name.to_string(),
            path: path.to_string(),
            span,
            required: None,
            nullable: None,
            constraints: Constraints::default(),
            min_items: None,
            max_items: None,
            unique_items: None,
            items: None,
            fields: Vec::new(),
            values: None,
            keys: None,
            type_name: None,
            union: None,
            recursive: None,
            closed: None,
            rules: Vec::new(),
            checks: Vec::new(),
            schema: None,
            deprecated: None,
        }
    }

    pub fn is_required(&self) -> bool {
        self.required.as_ref().is_some_and(|r| r.value)
    }

    pub fn is_nullable(&self) -> bool {
        self.nullable.as_ref().is_some_and(|r| r.value)
    }

    pub fn is_closed(&self) -> bool {
        self.closed.as_ref().is_some_and(|c| c.value)
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Visit this field and every field below it, depth first, in declaration order.
    pub fn walk<'f>(&'f self, visit: &mut impl FnMut(&'f Field)) {
        visit(self);
        for child in &self.fields {
            child.walk(visit);
        }
        if let Some(items) = &self.items {
            items.walk(visit);
        }
        if let Some(values) = &self.values {
            values.walk(visit);
        }
        if let Some(union) = &self.union {
            for case in &union.cases {
                case.field.walk(visit);
            }
        }
    }
}

/// A discriminated union (`one_of`): the value of member `discriminator` picks the case whose
/// declared type the object must satisfy.
#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    pub discriminator: Located<String>,
    pub cases: Vec<Case>,
}

/// One case of a union: a discriminator value and the type it selects, read at the union's
/// place (its fields' paths are the union's members).
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub value: String,
    pub type_name: String,
    pub span: Span,
    pub field: Field,
}

impl Union {
    /// The case the object's discriminator selects, if it names one.
    pub fn case_for(&self, object: &Value) -> Option<&Case> {
        let value = object.get(&self.discriminator.value)?.as_str()?;
        self.cases.iter().find(|c| c.value == value)
    }
}

/// A conditional requirement: when a field has a value, other fields are required, forbidden,
/// or constrained.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub span: Span,
    pub when: Condition,
    pub then: Vec<Requirement>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Member names from the rule's object down to the tested field.
    pub path: Vec<String>,
    pub test: Test,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    Equals(Value),
    In(Vec<Value>),
    Present,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Requirement {
    Required(Vec<String>),
    Forbidden(Vec<String>),
    Constrained(Vec<String>, Box<Constraints>),
}

/// Render member names as a JSON Pointer relative to the rule's object.
pub fn pointer_of(path: &[String]) -> String {
    path.iter()
        .map(|s| format!("/{}", crate::pointer::escape(s)))
        .collect()
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ptr = pointer_of(&self.path);
        match &self.test {
            Test::Equals(v) => write!(f, "{ptr} is {v}"),
            Test::In(vs) => {
                let list: Vec<String> = vs.iter().map(Value::to_string).collect();
                write!(f, "{ptr} is one of {}", list.join(", "))
            }
            Test::Present => write!(f, "{ptr} is present"),
        }
    }
}

/// The outcome of loading a contract file: the contract, if it is usable, and every diagnostic.
#[derive(Debug)]
pub struct Loaded {
    pub contract: Option<Contract>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Every key the contract language defines, sorted; for documentation checks and tooling.
pub fn keywords() -> Vec<&'static str> {
    read::all_keys()
}

/// Largest contract file read, so a mistaken path to a capture cannot exhaust memory.
pub const MAX_CONTRACT_BYTES: u64 = 8 * 1024 * 1024;

/// Read and check the contract file at `path`.
pub fn load(path: &Path) -> Loaded {
    let failed = |message: String| Loaded {
        contract: None,
        diagnostics: vec![Diagnostic::new(
            Code::ReadError,
            path,
            Span::default(),
            message,
        )],
    };
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_CONTRACT_BYTES => {
            return failed(format!(
                "the file is {} bytes; contracts are limited to {MAX_CONTRACT_BYTES} bytes",
                meta.len()
            ));
        }
        Ok(_) => {}
        Err(err) => return failed(format!("cannot read contract: {err}")),
    }
    match crate::file::read_bytes(path, crate::file::MAX_FILE_BYTES) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => parse(path, &text),
            Err(err) => failed(format!(
                "the file is not UTF-8 (invalid byte at offset {})",
                err.utf8_error().valid_up_to()
            )),
        },
        Err(err) => failed(format!("cannot read contract: {err}")),
    }
}

/// Check contract `text`, reporting problems against `path`.
pub fn parse(path: &Path, text: &str) -> Loaded {
    read::read(path, text)
}
