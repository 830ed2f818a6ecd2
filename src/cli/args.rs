//! Arguments several commands share, and what they are turned into.

use std::io::IsTerminal;

use clap::ValueEnum;

use super::output::say;
use crate::normalize::Ignore;
use crate::{Compat, SplitOptions};

#[derive(clap::Args)]
pub struct CompatArg {
    /// Splitting rules: `default` (psql's, fixed where psql contradicts the
    /// server's grammar) or `psql` (psql 18 exactly, quirks included)
    #[arg(long, value_enum, default_value_t = CompatChoice::Default)]
    compat: CompatChoice,
    /// The largest statement (or COPY row) held in memory when reading a
    /// stream (standard input, a pipe, .gz, .zst); a larger one is an error
    /// at its line. COPY rows stream whatever their total
    #[arg(long, value_name = "BYTES", default_value_t = crate::stream::MAX_STATEMENT_BYTES)]
    max_statement_bytes: usize,
}

#[derive(Clone, Copy, ValueEnum)]
enum CompatChoice {
    Default,
    Psql,
}

impl CompatArg {
    pub fn options(&self) -> SplitOptions {
        SplitOptions {
            compat: match self.compat {
                CompatChoice::Default => Compat::Default,
                CompatChoice::Psql => Compat::Psql,
            },
            max_statement_bytes: self.max_statement_bytes,
            ..SplitOptions::default()
        }
    }
}

#[derive(clap::Args)]
pub struct IgnoreArg {
    #[arg(
        long,
        value_delimiter = ',',
        value_parser = |s: &str| s.parse::<Ignore>(),
        help = Ignore::help()
    )]
    pub ignore: Vec<Ignore>,
}

#[derive(clap::Args)]
pub struct JobsArg {
    /// Threads to work with (0: all cores); the output is the same for any number
    #[arg(long, short, default_value_t = 0, value_name = "N")]
    jobs: usize,
}

impl JobsArg {
    /// `--jobs`, at most four threads per core and never more than 256: more
    /// only wait for each other, and a number in the thousands makes the
    /// system spend itself on starting threads.
    pub fn capped(&self) -> usize {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let most = (4 * cores).min(MAX_JOBS);
        if self.jobs > most {
            say(format_args!(
                "note: --jobs {} is more than {cores} cores can use; using {most}",
                self.jobs
            ));
            return most;
        }
        self.jobs
    }
}

const MAX_JOBS: usize = 256;

/// The input a command reads: the FILE given, or standard input, as grep
/// reads it. Standard input on a terminal is said so, since nothing seems to
/// happen while it waits.
pub fn or_standard_input(file: Option<String>) -> String {
    file.unwrap_or_else(|| {
        if std::io::stdin().is_terminal() {
            say(format_args!(
                "reading SQL from standard input (end it with Ctrl-D); give a FILE to read a file"
            ));
        }
        "-".to_string()
    })
}
