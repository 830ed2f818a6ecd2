//! Standard output and standard error as the commands write them: escaped
//! on a terminal (the text comes from the input), buffered, and coloured
//! where [`crate::color`] says so; and the one look of a diagnostic line.

use std::io::{self, BufWriter, IsTerminal, Write};

use crate::color;
use crate::terminal::Shown;
use crate::Diagnostic;

/// Standard error, its control characters escaped if it is a terminal:
/// diagnostics quote names and text from the dump. Buffered, and written
/// when flushed or dropped: a diagnostic line is made of several writes, and
/// an input of a million meta-commands has a million diagnostics.
pub fn stderr() -> Shown<BufWriter<io::StderrLock<'static>>> {
    Shown::new(
        BufWriter::new(io::stderr().lock()),
        io::stderr().is_terminal(),
    )
}

/// Standard output, escaped in the same way if it is a terminal, byte for
/// byte into a pipe or a file.
pub fn stdout() -> Shown<io::StdoutLock<'static>> {
    Shown::new(io::stdout().lock(), io::stdout().is_terminal())
}

/// `pgsplit: {message}` on standard error.
pub fn say(message: std::fmt::Arguments) {
    let _ = writeln!(stderr(), "pgsplit: {message}");
}

/// How messages name an input: `-` is standard input.
pub fn display_name(file: &str) -> &str {
    if file == "-" {
        "<stdin>"
    } else {
        file
    }
}

/// Writes `file:line:col: level: message`, as compilers do, and ` [code]`
/// if `with_code`. `colored`: the level is coloured, as [`color`] decided
/// for the stream `out` writes to.
pub fn write_diagnostic<W: Write>(
    out: &mut Shown<W>,
    colored: bool,
    file: &str,
    (line, col): (usize, usize),
    diagnostic: &Diagnostic,
    with_code: bool,
) -> io::Result<()> {
    write!(out, "{}:{line}:{col}: ", display_name(file))?;
    // The level's colour is pgsplit's own: written past the escaping that
    // the name and the message, text from the input, go through.
    let level = diagnostic.severity;
    out.write_raw(color::paint(colored, color::level(level), level.as_str()).as_bytes())?;
    write!(out, ": {}", diagnostic.message)?;
    if with_code {
        write!(out, " [{}]", diagnostic.code)?;
    }
    writeln!(out)
}

/// Standard output for a command's main output, buffered in large writes
/// (flushed by its owner) and escaped as [`stdout`] is, a buffer at a time:
/// serializers write in many small pieces.
pub type Out = BufWriter<Shown<io::StdoutLock<'static>>>;

pub fn buffered_stdout() -> Out {
    BufWriter::with_capacity(1 << 16, stdout())
}

/// Standard output for lines that colour their parts ([`Shown::write_raw`]),
/// buffered.
pub type ColoredOut = Shown<BufWriter<io::StdoutLock<'static>>>;

pub fn colored_stdout() -> ColoredOut {
    Shown::new(
        BufWriter::with_capacity(1 << 16, io::stdout().lock()),
        io::stdout().is_terminal(),
    )
}
