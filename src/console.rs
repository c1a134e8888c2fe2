//! Where a command writes: the standard output and error it was given. The process's own
//! streams when `handoff` runs as a program; any two writers when a caller embeds the command
//! line ([`crate::run`]), as the tests do. Colour and the progress spinner follow the terminal
//! only when the streams are the process's own.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, IsTerminal, Write};

/// The two streams of one run of a command.
pub(crate) struct Console<'a> {
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    /// Whether `out` and `err` are the process's standard streams (then they may be terminals).
    process: bool,
    /// `--color always|never`, when given: it wins over the terminal and the environment.
    color: Option<bool>,
}

impl<'a> Console<'a> {
    /// A console over two writers that are not terminals.
    pub(crate) fn new(out: &'a mut dyn Write, err: &'a mut dyn Write) -> Console<'a> {
        Console {
            out,
            err,
            process: false,
            color: None,
        }
    }

    /// A console over the process's own standard output and error.
    pub(crate) fn process(out: &'a mut io::Stdout, err: &'a mut io::Stderr) -> Console<'a> {
        Console {
            out,
            err,
            process: true,
            color: None,
        }
    }

    /// Sets `--color`: `Some(true)` always, `Some(false)` never, `None` by terminal and
    /// environment (`NO_COLOR`, `CLICOLOR_FORCE`).
    pub(crate) fn set_color(&mut self, color: Option<bool>) {
        self.color = color;
    }

    /// Whether styled text written to standard output (or error) keeps its colour.
    fn colored(&self, error_stream: bool) -> bool {
        if let Some(asked) = self.color {
            return asked;
        }
        let choice = match (self.process, error_stream) {
            (true, false) => anstream::AutoStream::choice(&io::stdout()),
            (true, true) => anstream::AutoStream::choice(&io::stderr()),
            // Not a terminal: only the environment can ask for colour.
            (false, _) => anstream::AutoStream::choice(&Vec::<u8>::new()),
        };
        !matches!(choice, anstream::ColorChoice::Never)
    }

    /// The standard output for styled text: its escape sequences kept, or stripped when colour
    /// is off.
    pub(crate) fn styled_out(&mut self) -> Box<dyn Write + '_> {
        if self.colored(false) {
            Box::new(&mut *self.out)
        } else {
            Box::new(Strip::new(&mut *self.out))
        }
    }

    /// The standard error for styled text (located diagnostics), likewise.
    pub(crate) fn styled_err(&mut self) -> Box<dyn Write + '_> {
        if self.colored(true) {
            Box::new(&mut *self.err)
        } else {
            Box::new(Strip::new(&mut *self.err))
        }
    }

    /// Standard output (styled or not, as [`Console::styled_out`] and [`Console::out`]) and,
    /// beside it, standard error for notes: for a command that writes notes while its report is
    /// being written.
    pub(crate) fn split(&mut self, styled: bool) -> (Box<dyn Write + '_>, Notes<'_>) {
        let strip = styled && !self.colored(false);
        let out: Box<dyn Write + '_> = if strip {
            Box::new(Strip::new(&mut *self.out))
        } else {
            Box::new(&mut *self.out)
        };
        (out, Notes(&mut *self.err))
    }

    /// `text` to standard output; a reader that went away (a pipe into `head`) is not an error.
    pub(crate) fn print(&mut self, text: &str) -> io::Result<()> {
        self.write_with(|out| out.write_all(text.as_bytes()))
    }

    /// A report to standard output as `write` produces it, buffered and flushed; a reader that
    /// went away is not an error.
    pub(crate) fn write_with(
        &mut self,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut out = io::BufWriter::with_capacity(64 * 1024, &mut *self.out);
        match write(&mut out).and_then(|()| out.flush()) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e),
            _ => Ok(()),
        }
    }

    /// A line on standard error. A standard error that cannot be written to has nowhere to
    /// say so, and must not stop the run.
    pub(crate) fn note(&mut self, line: std::fmt::Arguments<'_>) {
        let _ = writeln!(self.err, "{line}");
    }

    /// A spinner with counts on an interactive terminal; hidden in CI logs, in pipes, and when
    /// the command line is embedded.
    pub(crate) fn progress_bar(&self, disabled: bool) -> ProgressBar {
        let interactive =
            self.process && io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        if disabled || !interactive {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} checked {human_pos} payloads ({per_sec}) {elapsed}",
            )
            .expect("a valid template"),
        );
        bar
    }
}

/// Standard error while standard output is lent out ([`Console::split`]).
pub(crate) struct Notes<'a>(&'a mut dyn Write);

impl Notes<'_> {
    /// A line on standard error, as [`Console::note`].
    pub(crate) fn note(&mut self, line: std::fmt::Arguments<'_>) {
        let _ = writeln!(self.0, "{line}");
    }
}

/// A writer that drops escape sequences on their way to `inner` (a sequence may span writes).
struct Strip<'w> {
    inner: &'w mut dyn Write,
    state: anstream::adapter::StripBytes,
}

impl<'w> Strip<'w> {
    fn new(inner: &'w mut dyn Write) -> Strip<'w> {
        Strip {
            inner,
            state: anstream::adapter::StripBytes::new(),
        }
    }
}

impl Write for Strip<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for printable in self.state.strip_next(buf) {
            self.inner.write_all(printable)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A line on a command's standard error: `note!(con, "handoff: skipped {}", path)`.
macro_rules! note {
    ($con:expr, $($arg:tt)*) => {
        $con.note(format_args!($($arg)*))
    };
}
pub(crate) use note;
