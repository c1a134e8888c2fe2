//! X12 EDI, read natively. The Rust EDI crates are GPL or unmaintained, so the reader is
//! handoff's own: [`tokenize`] splits segments and elements with the delimiters each ISA
//! declares, [`stream`] reads a file set by set in constant memory while `envelope` checks
//! the envelope's counts and control numbers, and [`render`] turns a transaction set into the
//! JSON tree a contract describes, with its loops as the contract's `x12:` section declares.
//!
//! An ISA segment is 106 bytes of fixed-width elements: the element separator is its fourth
//! byte, the repetition separator is ISA11, the component separator ISA16, and the segment
//! terminator the byte after it. Writers that do not pad an element are common enough that such
//! an ISA is read by its element separator instead, and the envelope names the element off
//! width. A file may hold any number of interchanges, each with its own delimiters, and a
//! terminator may be followed by line breaks.

mod envelope;
pub mod render;
pub mod stream;
pub mod tokenize;

pub use tokenize::{Delimiters, Segment, Tokenizer, X12Error};
