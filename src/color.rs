//! Whether the command line colours what it writes: decided here only, by
//! the conventions of NO_COLOR (no-color.org) and CLICOLOR
//! (bixense.com/clicolors).
//!
//! `--color always` and `--color never` win over everything. With `auto`
//! (the default) colour is off when `NO_COLOR` is set and not empty, on when
//! `CLICOLOR_FORCE` is set and not `0`, off when `CLICOLOR=0`, and otherwise
//! on only when the stream is a terminal whose `TERM` is not `dumb`.

use std::env;
use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicU8, Ordering};

use anstyle::{AnsiColor, Style};

use crate::Severity;

/// The `--color` flag.
#[derive(Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
#[repr(u8)]
pub enum When {
    /// Colour on a terminal, by NO_COLOR, CLICOLOR_FORCE and CLICOLOR
    #[default]
    Auto,
    /// Always colour, whatever the environment says
    Always,
    /// Never colour
    Never,
}

/// The flag of this run, for the whole process.
static WHEN: AtomicU8 = AtomicU8::new(When::Auto as u8);

/// Records the flag: the streams read it when asked.
pub fn set(when: When) {
    WHEN.store(when as u8, Ordering::Relaxed);
}

fn enabled(stream: &impl IsTerminal) -> bool {
    let var = |name: &str| env::var_os(name).filter(|value| !value.is_empty());
    match WHEN.load(Ordering::Relaxed) {
        w if w == When::Always as u8 => true,
        w if w == When::Never as u8 => false,
        _ if var("NO_COLOR").is_some() => false,
        _ if var("CLICOLOR_FORCE").is_some_and(|v| v != "0") => true,
        _ if var("CLICOLOR").is_some_and(|v| v == "0") => false,
        _ => stream.is_terminal() && var("TERM").is_none_or(|term| term != "dumb"),
    }
}

/// Whether text for standard output is coloured.
pub fn stdout() -> bool {
    enabled(&io::stdout())
}

/// Whether text for standard error is coloured.
pub fn stderr() -> bool {
    enabled(&io::stderr())
}

/// A diagnostic's level, coloured as compilers colour it.
pub fn level(severity: Severity) -> Style {
    let color = match severity {
        Severity::Error => AnsiColor::Red,
        Severity::Warning => AnsiColor::Yellow,
        Severity::Note => AnsiColor::Cyan,
    };
    Style::new().bold().fg_color(Some(color.into()))
}

/// `text` in `style` when `on`, as it is otherwise.
pub fn paint(on: bool, style: Style, text: &str) -> String {
    if on {
        format!("{style}{text}{style:#}")
    } else {
        text.to_string()
    }
}
