//! The `pgsplit` command line: split, check and measure PostgreSQL scripts.
//!
//! It lives in the library so that the `pgsplit` binary and the Python
//! package's `pgsplit` console script run the same code.
//!
//! Exit codes: 0 success, 1 a finding (`check`: errors found), 2 bad usage or
//! unreadable input. Output goes to stdout, diagnostics to stderr.
//!
//! One file per command, each holding its arguments and its work:
//! `split` (one sink per output format, in files of their own), `check`,
//! `stats`, `squash`, `normalize`, `diff`, and `shell` for completions and
//! the manual page. The commands that read a script are sinks of one
//! [`crate::search`]; `reading` opens their input once and words its
//! errors, `output` holds standard output and standard error, their colour
//! and escaping, and how a diagnostic line looks; `args` holds the
//! arguments several commands share.

mod args;
mod check;
mod diff;
mod normalize;
mod output;
mod reading;
mod shell;
mod split;
mod squash;
mod stats;

use std::ffi::OsString;
use std::io;

use clap::{Parser, Subcommand};

use crate::color;

#[derive(Parser)]
#[command(
    name = "pgsplit",
    version,
    about = "Split PostgreSQL SQL scripts and pg_dump files into statements, exactly where psql does",
    long_about = "Split PostgreSQL SQL scripts and pg_dump files into statements, exactly where psql \
does, and correctly where psql is wrong.\n\nEvery command reads a file path, or - for standard \
input; .gz and .zst input is decompressed on the fly.\n\nExit codes: 0 success, 1 a finding (check: errors \
found), 2 bad usage or unreadable input."
)]
struct Cli {
    /// When to colour the output: auto (on a terminal; NO_COLOR turns it off,
    /// CLICOLOR_FORCE on), always or never
    #[arg(long, value_enum, global = true, default_value_t = color::When::Auto)]
    color: color::When,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the statements of FILE
    #[command(after_help = split::EXAMPLES)]
    Split(split::Args),
    /// Report problems: unterminated quotes, comments and dollar quotes,
    /// meta-commands, session settings, non-transactional statements, COPY blocks
    #[command(after_help = check::AFTER_HELP)]
    Check(check::Args),
    /// Print a canonical text of a dump, for comparing dumps
    #[command(after_help = normalize::AFTER_HELP)]
    Normalize(normalize::Args),
    /// Compare two dumps object by object: exit 0 identical, 1 different, 2 error
    #[command(after_help = diff::AFTER_HELP)]
    Diff(diff::Args),
    /// Make a schema dump the first migration of a new Alembic chain
    #[command(long_about = squash::LONG_ABOUT, after_help = squash::AFTER_HELP)]
    Squash(Box<squash::Args>),
    /// Count statements by kind, command and pg_dump object type, with sizes and speed
    Stats(stats::Args),
    /// Print a shell completion script on standard output
    #[command(after_help = shell::COMPLETION_EXAMPLES)]
    Completions(shell::CompletionArgs),
    /// Print the manual page (roff) on standard output
    #[command(after_help = "Example:\n  pgsplit man | man -l -")]
    Man,
}

/// The exit status of a command.
const SUCCESS: u8 = 0;
const FINDING: u8 = 1;
const FAILURE: u8 = 2;

/// Runs the command line `args` (the program name first) and returns the
/// exit status.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { FAILURE } else { SUCCESS };
        }
    };
    color::set(cli.color);
    let result = match cli.command {
        Command::Split(args) => split::run(args),
        Command::Check(args) => check::run(args),
        Command::Stats(args) => stats::run(args),
        Command::Normalize(args) => normalize::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Squash(args) => squash::run(&args),
        Command::Completions(args) => shell::completions(args.shell),
        Command::Man => shell::man(),
    };
    match result {
        Ok(code) => code,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => SUCCESS,
        Err(error) if reading::too_large(&error).is_some() => {
            // A finding about the input, not a failure to read it.
            output::say(format_args!("{error}"));
            FINDING
        }
        Err(error) => {
            output::say(format_args!("{error}"));
            FAILURE
        }
    }
}

/// Parses `pgsplit squash ARGS` (`args` without the program's name and
/// `squash`) as the command line does; on an error or a request for help,
/// prints what clap says and returns the exit status.
pub fn squash_arguments(args: Vec<String>) -> Result<squash::Request, u8> {
    let argv = ["pgsplit".to_string(), "squash".to_string()]
        .into_iter()
        .chain(args);
    match Cli::try_parse_from(argv) {
        Ok(Cli {
            command: Command::Squash(args),
            color,
        }) => {
            color::set(color);
            Ok(args.request())
        }
        Ok(_) => Err(FAILURE),
        Err(error) => {
            let _ = error.print();
            Err(if error.use_stderr() { FAILURE } else { SUCCESS })
        }
    }
}

/// The command line's definition, for the completions and the manual page.
fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
