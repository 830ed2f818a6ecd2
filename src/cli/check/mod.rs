//! `pgsplit check`: what is wrong with a script, or risky where it will run.
//!
//! [`findings::Checker`] is the search's sink for one file: it gathers the
//! splitter's diagnostics and [`crate::lint`]'s findings about each
//! statement, and hands them, in input order with their line and column, to
//! a [`report::Report`], one per output format. A new format is a new
//! `Report`; a new finding is made in `lint` or `plan`, not here.

mod findings;
mod report;
mod suppress;

use std::io;
use std::path::Path;

use clap::ValueEnum;

use super::args::{or_standard_input, CompatArg};
use super::reading::{search_file, unreadable};
use super::{FINDING, SUCCESS};
use crate::parallel::Parallelism;
use findings::Checker;

pub const AFTER_HELP: &str = "Each finding is printed as file:line:col: level: message [code]; --format json prints\none JSON object per line ({\"file\", \"line\", \"col\", \"level\", \"code\", \"message\"}),\n--format github a GitHub Actions annotation, --format sarif one SARIF 2.1.0 log for\ncode scanning.\n\nA comment silences findings by their code: `-- pgsplit: ignore[non-transactional]`\nat the end of the finding's line, or alone on the line before it;\n`-- pgsplit: ignore-file[meta-command]` from its line to the end of the file.\n\nExit status 1 when any finding not silenced is an error.";

#[derive(clap::Args)]
pub struct Args {
    /// The scripts to check (- or none for standard input); a folder
    /// stands for the scripts below it
    files: Vec<String>,
    /// In folders, check the files whose names match PATTERN (* and ?;
    /// repeatable; default *.sql, *.sql.gz, *.sql.zst)
    #[arg(long, value_name = "PATTERN")]
    glob: Vec<String>,
    /// Where the script will run: `psql`, or `alembic` to add what
    /// matters inside a migration (roles named by owner and privilege
    /// statements, settings older servers reject)
    #[arg(long, value_enum, default_value_t = Target::Psql)]
    target: Target,
    /// How findings are printed
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Tell at most N findings of one code per file, and count the rest
    /// (0: every one); the exit status counts every error
    #[arg(long, value_name = "N", default_value_t = 100)]
    max_per_code: usize,
    #[command(flatten)]
    compat: CompatArg,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// The script runs in psql
    Psql,
    /// The script runs inside an Alembic migration (pgsplit.alembic)
    Alembic,
}

/// How `check` prints its findings.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// file:line:col: level: message, as compilers print
    Text,
    /// One JSON object per finding per line, with its stable code
    Json,
    /// GitHub Actions workflow commands, which annotate the lines in a pull request
    Github,
    /// One SARIF 2.1.0 log, for code scanning (GitHub's upload-sarif and others)
    Sarif,
}

pub fn run(args: Args) -> io::Result<u8> {
    let files = if args.files.is_empty() {
        vec![or_standard_input(None)]
    } else {
        args.files
    };
    let files = scripts_in(files, args.glob)?;
    let options = args.compat.options();
    let mut report = report::for_format(args.format);
    let mut errors = 0;
    for file in &files {
        let mut checker = Checker::new(file, args.target, args.max_per_code, report.as_mut());
        search_file(
            file,
            &options,
            &Parallelism::default(),
            "checking",
            &mut checker,
        )?;
        errors += checker.errors();
    }
    report.finish()?;
    Ok(if errors > 0 { FINDING } else { SUCCESS })
}

/// The files `check` reads: each FILE, and for each folder the scripts below
/// it (see [`crate::walk`]). A folder that holds none is an error, since a
/// check of nothing would pass whatever the scripts say.
fn scripts_in(files: Vec<String>, patterns: Vec<String>) -> io::Result<Vec<String>> {
    let patterns = if patterns.is_empty() {
        crate::walk::DEFAULT_PATTERNS
            .iter()
            .map(|p| p.to_string())
            .collect()
    } else {
        patterns
    };
    let mut scripts = Vec::new();
    for file in files {
        let path = Path::new(&file);
        if file == "-" || !path.is_dir() {
            scripts.push(file);
            continue;
        }
        let found = crate::walk::files_below(path, &patterns).map_err(|e| unreadable(&file, e))?;
        if found.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "{file}: no file below it matches {}; pass --glob PATTERN to choose others",
                    patterns.join(", ")
                ),
            ));
        }
        scripts.extend(found.iter().map(|p| p.to_string_lossy().into_owned()));
    }
    Ok(scripts)
}
