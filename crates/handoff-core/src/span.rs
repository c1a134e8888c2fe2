//! Where something stands in a source file: the lowest layer, shared by the YAML reader, the
//! contract model and diagnostics.

/// Where a node stands in its source: 1-based line and column (in characters), and byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub line: u32,
    pub column: u32,
    pub start: usize,
    pub end: usize,
}

/// A value from a YAML document and the place that declared it (the span of its key).
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Located<T> {
    pub fn new(value: T, span: Span) -> Self {
        Located { value, span }
    }
}
