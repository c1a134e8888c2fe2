//! Contract and configuration diagnostics in the rustc style: the message, the file line with
//! the offending key or value underlined, and the help.

use super::escape;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use handoff_core::diagnostic::{Diagnostic, Severity};

/// Render `d`; `source` is the file's text, when it could be read.
pub fn render(d: &Diagnostic, source: Option<&str>) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let file = escape::text(&d.file.display().to_string()).into_owned();
    let mut group = Group::with_title(
        level
            .primary_title(escape::text(&d.message))
            .id(d.code.id()),
    );
    let line = source
        .and_then(|text| text.lines().nth(d.line.saturating_sub(1) as usize))
        .map(escape::line);
    match line.as_deref() {
        Some(line) => {
            let start = line
                .char_indices()
                .nth(d.column.saturating_sub(1) as usize)
                .map_or(line.len(), |(i, _)| i);
            // The span may run past this line (a block value); underline what is on it.
            let mut end = (start + d.length.max(1) as usize).min(line.len());
            while !line.is_char_boundary(end) {
                end += 1;
            }
            group = group.element(
                Snippet::source(line)
                    .line_start(d.line as usize)
                    .path(file.as_str())
                    .annotation(AnnotationKind::Primary.span(start..end.max(start))),
            );
        }
        None => {
            group =
                group.element(Level::NOTE.message(format!("in {file}:{}:{}", d.line, d.column)));
        }
    }
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(escape::text(help)));
    }
    let report: [Group<'_>; 1] = [group];
    format!("{}\n", Renderer::styled().render(&report))
}
