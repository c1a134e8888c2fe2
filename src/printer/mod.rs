//! Printers: render check results for people and machines.
//!
//! A printer receives each payload's result as the run produces it, then the summary. Printers
//! only format; they never decide exit codes or filter findings.

mod json;
mod text;

pub use json::JsonPrinter;
pub use text::TextPrinter;

use crate::finding::PayloadResult;
use crate::report::Summary;
use std::io;

pub trait Printer {
    fn result(&mut self, result: &PayloadResult) -> io::Result<()>;
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}
