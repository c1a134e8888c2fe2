//! X12 EDI, read natively (the X12 issue; this is its first part, the tokenizer). The Rust EDI
//! crates are GPL or unmaintained, so the tokenizer is handoff's own: small, zero-copy over the
//! file's bytes, and driven by the delimiters each interchange's ISA segment declares.
//!
//! An ISA segment is 106 bytes of fixed-width elements: the element separator is its fourth
//! byte, the repetition separator is ISA11, the component separator ISA16, and the segment
//! terminator the byte after it. A file may hold any number of interchanges, each with its own
//! delimiters, and a terminator may be followed by line breaks.

pub mod render;
pub mod stream;
pub mod tokenize;

pub use tokenize::{Delimiters, Segment, Tokenizer, X12Error};
