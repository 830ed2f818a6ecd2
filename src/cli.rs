//! The `pgsplit` command line: split, check and measure PostgreSQL scripts.
//!
//! It lives in the library so that the `pgsplit` binary and the Python
//! package's `pgsplit` console script run the same code.
//!
//! Exit codes: 0 success, 1 a finding (`check`: errors found), 2 bad usage or
//! unreadable input. Output goes to stdout, diagnostics to stderr.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::OsString;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::color;
use crate::diff::{diff, ChangeKind, DiffReport};
use crate::files::{OutDir, Replace};
use crate::input::{open_input, open_stream, Input, Watched};
use crate::lines::{LineCounter, LineIndex};
use crate::lint::{
    copy_rows_note, is_quit, lint_statement, lint_statement_for_migration, not_utf8, quit_warning,
};
use crate::normalize::{normalize_to, Ignore, NormalizeOptions};
use crate::parallel::{split_chunks, split_parallel, stop_on_error, Parallelism};
use crate::plan::{self, PlanOptions};
use crate::progress::Progress;
use crate::squash::{squash, DataRows, SquashError, SquashOptions, Which};
use crate::stream::{StreamEvent, StreamSplitter};
use crate::terminal::{shown_str, Shown};
use crate::{Compat, Diagnostic, Severity, Span, SplitOptions, Statement, StatementKind};

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
    #[command(
        after_help = "Examples:\n  pgsplit split dump.sql\n  pgsplit split dump.sql --format jsonl | jq .tag\n  pgsplit split dump.sql.gz --out-dir statements/\n  cat dump.sql | pgsplit split - --format count"
    )]
    Split {
        /// The script to split (- or none for standard input)
        file: Option<String>,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Sql)]
        format: Format,
        /// Write one numbered file per statement into DIR instead of printing
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
        #[command(flatten)]
        compat: CompatArg,
        /// Threads to split with (0: all cores); the output is the same for any number
        #[arg(long, short, default_value_t = 0, value_name = "N")]
        jobs: usize,
    },
    /// Report problems: unterminated quotes, comments and dollar quotes,
    /// meta-commands, session settings, non-transactional statements, COPY blocks
    #[command(
        after_help = "Each finding is printed as file:line:col: level: message; --format json prints one\nJSON object per line with its stable code ({\"file\", \"line\", \"col\", \"level\", \"code\",\n\"message\"}), --format github a GitHub Actions annotation.\nExit status 1 when any finding is an error."
    )]
    Check {
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
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        #[command(flatten)]
        compat: CompatArg,
    },
    /// Print a canonical text of a dump, for comparing dumps
    #[command(
        after_help = "Always left out: the \\restrict lines, trailing whitespace, blank lines.\n\nExamples:\n  pgsplit normalize dump.sql --ignore owner,acl --sort -o dump.norm.sql\n\nAs a git diff driver for dumps (.gitattributes: *.sql diff=pgdump):\n  git config diff.pgdump.textconv 'pgsplit normalize --ignore owner,acl'"
    )]
    Normalize {
        /// The dump (- or none for standard input)
        file: Option<String>,
        #[command(flatten)]
        ignore: IgnoreArg,
        /// Order objects by identity within pg_dump's sections
        #[arg(long)]
        sort: bool,
        /// Write to OUT instead of standard output
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
        /// Threads to normalize with (0: all cores); the output is the same for any number
        #[arg(long, short, default_value_t = 0, value_name = "N")]
        jobs: usize,
    },
    /// Compare two dumps object by object: exit 0 identical, 1 different, 2 error
    #[command(
        after_help = "Objects are matched by pg_dump's header (type, schema, name), or by the\ncommand and the name it acts on; order never matters.\n\nExample:\n  pgsplit diff chain.sql squashed.sql --ignore owner,acl"
    )]
    Diff {
        /// The first dump (- for standard input)
        a: String,
        /// The second dump
        b: String,
        #[command(flatten)]
        ignore: IgnoreArg,
        /// Output format
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Also write a self-contained side-by-side HTML report to FILE
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
    },
    /// Make a schema dump the first migration of a new Alembic chain
    #[command(
        long_about = "Make a schema dump (pg_dump -s -O -x) the first migration of a new Alembic chain.\n\n\
Writes DIR/REVISION.sql, the dump without meta-commands and without Alembic's version table, \
and DIR/REVISION.py, a revision whose upgrade() runs it with pgsplit.alembic.execute_file and \
whose downgrade() drops every object it creates. The docstring lists what the schema holds and, \
inside a git repository, the commit the old chain is at.",
        after_help = "Examples:\n  pgsplit squash --alembic alembic.ini --out migrations/versions\n  pg_dump -s -O -x -d \"$DATABASE_URL\" -f schema.sql\n  pgsplit squash schema.sql --out migrations/versions\n  pgsplit squash schema.sql --out migrations/versions \\\n      --data-from full.sql --data-tables statuses,countries\n  pgsplit squash --verify \"$DATABASE_URL\" \\\n      --out migrations/versions\n\n--alembic and --verify need the Python package with Alembic: pip install 'pgsplit[alembic]'.\n--alembic alone builds the chain on an embedded PostgreSQL, writes the revision\nand proves it.\nIts URL is SQLAlchemy's (postgresql+psycopg://user@host/db) or libpq's\n(postgresql://user@host/db: the first of psycopg, psycopg2, pg8000, asyncpg\ninstalled). Then, on every existing database: back it up, verify it, run\n`alembic stamp --purge 001_initial_schema`. The README's \"Consolidating an\nAlembic chain\" walks through it."
    )]
    Squash(Box<SquashArgs>),
    /// Count statements by kind, command and pg_dump object type, with sizes and speed
    Stats {
        /// The script to measure (- or none for standard input)
        file: Option<String>,
        /// Output format: text, or one JSON object
        #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
        format: StatsFormat,
        #[command(flatten)]
        compat: CompatArg,
    },
    /// Print a shell completion script on standard output
    #[command(
        after_help = "Examples:\n  pgsplit completions bash > ~/.local/share/bash-completion/completions/pgsplit\n  pgsplit completions zsh > \"${fpath[1]}/_pgsplit\"\n  pgsplit completions fish > ~/.config/fish/completions/pgsplit.fish\n  pgsplit completions powershell >> $PROFILE"
    )]
    Completions {
        /// The shell to complete for
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the manual page (roff) on standard output
    #[command(after_help = "Example:\n  pgsplit man | man -l -")]
    Man,
}

/// The shells `completions` writes for (clap_complete's, less elvish).
#[derive(Clone, Copy, ValueEnum)]
enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

#[derive(clap::Args)]
struct CompatArg {
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

#[derive(clap::Args)]
struct IgnoreArg {
    /// Noise to leave out, comma-separated: owner, acl, comments, comment-on,
    /// set, public-schema, data, column-order (restrict and version lines
    /// always are)
    #[arg(long, value_delimiter = ',', value_parser = |s: &str| s.parse::<Ignore>())]
    ignore: Vec<Ignore>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Target {
    /// The script runs in psql
    Psql,
    /// The script runs inside an Alembic migration (pgsplit.alembic)
    Alembic,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    /// Objects only in A, only in B, and changed with a unified diff
    Text,
    /// One JSON object, for tools
    Json,
    /// Counts by object type
    Summary,
}

#[derive(Clone, Copy, ValueEnum)]
enum CompatChoice {
    Default,
    Psql,
}

impl CompatArg {
    fn options(&self) -> SplitOptions {
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

/// How `stats` prints its counts.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StatsFormat {
    /// Aligned lines for people
    Text,
    /// One JSON object: file, bytes, statements, by_kind, copy_bytes,
    /// diagnostics, by_command, by_object_type, seconds
    Json,
}

/// How `check` prints its findings.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    /// file:line:col: level: message, as compilers print
    Text,
    /// One JSON object per finding per line, with its stable code
    Json,
    /// GitHub Actions workflow commands, which annotate the lines in a pull request
    Github,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Each statement followed by a blank line; COPY with its data and \. (runs in psql)
    Sql,
    /// One JSON object per statement per line
    Jsonl,
    /// One JSON array of statement objects
    Json,
    /// Statement texts separated by NUL bytes
    Nul,
    /// The number of statements only
    Count,
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
        Command::Split {
            file,
            format,
            out_dir,
            compat,
            jobs,
        } => run_split(
            &or_standard_input(file),
            format,
            out_dir.as_deref(),
            compat.options(),
            capped_jobs(jobs),
        ),
        Command::Check {
            files,
            glob,
            target,
            format,
            compat,
        } => {
            let files = if files.is_empty() {
                vec![or_standard_input(None)]
            } else {
                files
            };
            match scripts_in(files, glob) {
                Ok(files) => run_check(&files, target, format, compat.options()),
                Err(error) => Err(error),
            }
        }
        Command::Stats {
            file,
            format,
            compat,
        } => run_stats(&or_standard_input(file), format, compat.options()),
        Command::Completions { shell } => run_completions(shell),
        Command::Man => run_man(),
        Command::Squash(squash) => {
            if squash.alembic.is_some() {
                eprintln!(
                    "pgsplit: --alembic runs the project's migrations through Alembic, which this \
                     binary cannot do; install the Python package (pip install 'pgsplit[alembic]') \
                     and run its `pgsplit` command"
                );
                return FAILURE;
            }
            if squash.verify.is_some() {
                eprintln!(
                    "pgsplit: --verify runs the new migration through Alembic, which this binary \
                     cannot do; install the Python package (pip install pgsplit) and run its \
                     `pgsplit` command, or call pgsplit.squash.verify() from Python"
                );
                return FAILURE;
            }
            run_squash(&squash)
        }
        Command::Normalize {
            file,
            ignore,
            sort,
            output,
            jobs,
        } => run_normalize(
            &or_standard_input(file),
            ignore.ignore,
            sort,
            output.as_deref(),
            capped_jobs(jobs),
        ),
        Command::Diff {
            a,
            b,
            ignore,
            format,
            html,
        } => run_diff(&a, &b, ignore.ignore, format, html.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => SUCCESS,
        Err(error) if too_large(&error).is_some() => {
            // A finding about the input, not a failure to read it.
            say(format_args!("{error}"));
            FINDING
        }
        Err(error) => {
            say(format_args!("{error}"));
            FAILURE
        }
    }
}

/// `--jobs`, at most four threads per core and never more than 256: more
/// only wait for each other, and a number in the thousands makes the
/// system spend itself on starting threads.
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
        let found = crate::walk::files_below(path, &patterns).map_err(unreadable(&file))?;
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

/// The input a command reads: the FILE given, or standard input, as grep
/// reads it. Standard input on a terminal is said so, since nothing seems to
/// happen while it waits.
fn or_standard_input(file: Option<String>) -> String {
    file.unwrap_or_else(|| {
        if io::stdin().is_terminal() {
            say(format_args!(
                "reading SQL from standard input (end it with Ctrl-D); give a FILE to read a file"
            ));
        }
        "-".to_string()
    })
}

fn capped_jobs(requested: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let most = (4 * cores).min(MAX_JOBS);
    if requested > most {
        say(format_args!(
            "note: --jobs {requested} is more than {cores} cores can use; using {most}"
        ));
        return most;
    }
    requested
}

const MAX_JOBS: usize = 256;

/// Standard error, its control characters escaped if it is a terminal:
/// diagnostics quote names and text from the dump. Buffered, and written
/// when flushed or dropped: a diagnostic line is made of several writes, and
/// an input of a million meta-commands has a million diagnostics.
fn stderr() -> Shown<BufWriter<io::StderrLock<'static>>> {
    Shown::new(
        BufWriter::new(io::stderr().lock()),
        io::stderr().is_terminal(),
    )
}

/// Standard output, escaped in the same way if it is a terminal, byte for
/// byte into a pipe or a file.
fn stdout() -> Shown<io::StdoutLock<'static>> {
    Shown::new(io::stdout().lock(), io::stdout().is_terminal())
}

/// `pgsplit: {message}` on standard error.
fn say(message: std::fmt::Arguments) {
    let _ = writeln!(stderr(), "pgsplit: {message}");
}

/// The completion script for `shell`, made from the parser's own definition
/// so it always offers the commands and flags there are.
fn run_completions(shell: Shell) -> io::Result<u8> {
    use clap::CommandFactory;
    use clap_complete::Shell as S;
    let shell = match shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
    };
    // Made in memory first: clap_complete panics when its writer fails (a
    // closed pipe), where written here it is an ordinary error.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "pgsplit", &mut script);
    let mut out = io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(SUCCESS)
}

/// The manual page, pgsplit(1), made from the parser's definition too, then
/// the pages pgsplit-split(1), pgsplit-check(1)... it refers to, with each
/// subcommand's options, one after another in one roff text.
fn run_man() -> io::Result<u8> {
    use clap::CommandFactory;
    let mut command = Cli::command();
    command.build();
    let source = format!("pgsplit {}", env!("CARGO_PKG_VERSION"));
    let mut out = BufWriter::new(io::stdout().lock());
    clap_mangen::Man::new(command.clone()).render(&mut out)?;
    for sub in command
        .get_subcommands()
        .filter(|sub| sub.get_name() != "help")
    {
        clap_mangen::Man::new(sub.clone())
            .source(&source)
            .render(&mut out)?;
    }
    out.flush()?;
    Ok(SUCCESS)
}

fn open(file: &str) -> io::Result<Input> {
    let name = display_name(file);
    crate::changed::mapping(name);
    let input = open_input(file).map_err(|e| io::Error::new(e.error.kind(), e.to_string()));
    if !matches!(input, Ok(Input::Mapped(_))) {
        crate::changed::not_mapped(name);
    }
    input
}

/// Standard input or a compressed file as a stream; `None` for a plain file.
fn open_as_stream(file: &str) -> io::Result<Option<Box<dyn io::Read>>> {
    open_stream(file).map_err(|e| io::Error::new(e.error.kind(), e.to_string()))
}

/// A read error of a stream, saying which input it was; a statement too
/// large to hold is told as a finding at its place.
fn unreadable(file: &str) -> impl Fn(io::Error) -> io::Error + '_ {
    move |e| match too_large(&e).cloned() {
        Some(found) => io::Error::new(
            e.kind(),
            TooLargeIn {
                file: display_name(file).to_string(),
                found,
            },
        ),
        None => io::Error::new(e.kind(), format!("cannot read {}: {e}", display_name(file))),
    }
}

/// The statement too large to hold that `error` reports, if it does.
fn too_large(error: &io::Error) -> Option<&crate::stream::TooLarge> {
    let inner = error.get_ref()?;
    inner
        .downcast_ref::<crate::stream::TooLarge>()
        .or_else(|| inner.downcast_ref::<TooLargeIn>().map(|t| &t.found))
}

/// [`crate::stream::TooLarge`] in a named input, printed as a diagnostic.
#[derive(Debug)]
struct TooLargeIn {
    file: String,
    found: crate::stream::TooLarge,
}

impl std::fmt::Display for TooLargeIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = &self.found;
        write!(
            f,
            "{}:{}:{}: error: a {} larger than {} bytes, the most pgsplit holds in memory; raise \
             --max-statement-bytes if the input is what you meant",
            self.file, t.line, t.col, t.what, t.limit
        )
    }
}

impl std::error::Error for TooLargeIn {}

fn display_name(file: &str) -> &str {
    if file == "-" {
        "<stdin>"
    } else {
        file
    }
}

/// Writes `file:line:col: level: message` lines for diagnostics at or above
/// `min`; `position` gives the line and column of an offset. `colored`: the
/// level is coloured, as `color` decided for the stream `out` writes to.
fn write_diagnostics<W: Write>(
    out: &mut Shown<W>,
    colored: bool,
    file: &str,
    mut position: impl FnMut(usize) -> (usize, usize),
    diagnostics: &[Diagnostic],
    min: Severity,
) -> io::Result<()> {
    for d in diagnostics.iter().filter(|d| d.severity <= min) {
        let (line, col) = position(d.offset);
        let name = display_name(file);
        write!(out, "{name}:{line}:{col}: ")?;
        // The level's colour is pgsplit's own: written past the escaping
        // that the name and the message, text from the input, go through.
        out.write_raw(
            color::paint(colored, color::level(d.severity), d.severity.as_str()).as_bytes(),
        )?;
        writeln!(out, ": {}", d.message)?;
    }
    out.flush()
}

fn run_split(
    file: &str,
    format: Format,
    out_dir: Option<&Path>,
    options: SplitOptions,
    jobs: usize,
) -> io::Result<u8> {
    if out_dir.is_none() && format != Format::Json {
        if let Some(stream) = open_as_stream(file)? {
            return run_split_stream(file, stream, format, options);
        }
    }
    let input = open(file)?;
    let parallelism = Parallelism {
        jobs,
        ..Parallelism::default()
    };
    if let Some(dir) = out_dir {
        // File names are numbered to the width of the count: all first.
        let script = split_parallel(&input, &options, &parallelism);
        let mut lines = LineCounter::new();
        write_diagnostics(
            &mut stderr(),
            color::stderr(),
            file,
            |offset| lines.line_col(&input, offset),
            &script.diagnostics,
            Severity::Warning,
        )?;
        write_out_dir(dir, &input, &script.statements)?;
        return Ok(SUCCESS);
    }
    let mut out = BufWriter::with_capacity(1 << 16, stdout());
    // Diagnostics and JSON want line numbers: counted as the chunks go by.
    let (mut diagnostic_lines, mut statement_lines) = (LineCounter::new(), LineCounter::new());
    let mut written = 0usize;
    let mut json: Vec<StatementJson> = Vec::new();
    let mut failed = None;
    let progress = Progress::new(input.len(), "splitting");
    split_chunks(&input, &options, &parallelism, |chunk| {
        let wrote = (|| -> io::Result<()> {
            // Split's output is the statements; what is wrong with them goes to stderr.
            write_diagnostics(
                &mut stderr(),
                color::stderr(),
                file,
                |offset| diagnostic_lines.line_col(&input, offset),
                &chunk.diagnostics,
                Severity::Warning,
            )?;
            for statement in &chunk.statements {
                written += 1;
                write_as_it_comes(&mut out, format, written, &input, statement, false)?;
                match format {
                    Format::Count | Format::Sql | Format::Nul => {}
                    Format::Jsonl => {
                        let at = Position::of(&input, &mut statement_lines, statement);
                        let record = StatementJson::new(written, &input, at, statement);
                        serde_json::to_writer(&mut out, &record)?;
                        out.write_all(b"\n")?;
                    }
                    Format::Json => {
                        let at = Position::of(&input, &mut statement_lines, statement);
                        json.push(StatementJson::new(written, &input, at, statement));
                    }
                }
            }
            if let Some(last) = chunk.statements.last() {
                progress.set(last.span.end);
            }
            Ok(())
        })();
        stop_on_error(wrote, &mut failed)
    });
    drop(progress);
    if let Some(error) = failed {
        return Err(error);
    }
    match format {
        Format::Count => writeln!(out, "{written}")?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &json)?;
            out.write_all(b"\n")?;
        }
        _ => {}
    }
    out.flush()?;
    Ok(SUCCESS)
}

/// `split` for standard input and gzip: statements are written as the
/// stream goes by, COPY rows in pieces, so memory stays flat.
fn run_split_stream(
    file: &str,
    reader: Box<dyn io::Read>,
    format: Format,
    options: SplitOptions,
) -> io::Result<u8> {
    let mut stream = StreamSplitter::new(reader, &options);
    let mut out = BufWriter::with_capacity(1 << 16, stdout());
    let mut written = 0usize;
    // A COPY whose rows stream: its record (for jsonl), and whether its rows
    // so far end inside a line.
    let mut copy: Option<StatementJson> = None;
    let mut rows_end_inside_a_line = false;
    loop {
        // What needs line numbers waits until the event's loan ends.
        let mut diagnostics: Vec<Diagnostic> = Vec::new();
        let mut records: Vec<(usize, Statement)> = Vec::new();
        let mut copy_started: Option<Statement> = None;
        let mut copy_ended: Option<(u64, u64)> = None;
        let Some(event) = stream.next_event().map_err(unreadable(file))? else {
            break;
        };
        match event {
            StreamEvent::Statements {
                input,
                statements,
                diagnostics: found,
                ..
            } => {
                diagnostics.extend_from_slice(found);
                for statement in statements {
                    written += 1;
                    write_as_it_comes(&mut out, format, written, input, statement, false)?;
                    if format == Format::Jsonl {
                        records.push((written, statement.clone()));
                    }
                }
            }
            StreamEvent::CopyStart {
                input,
                statement,
                diagnostics: found,
                ..
            } => {
                diagnostics.extend_from_slice(found);
                written += 1;
                rows_end_inside_a_line = false;
                // The statement has no rows yet: they follow as they come.
                write_as_it_comes(&mut out, format, written, input, statement, true)?;
                if format == Format::Jsonl {
                    copy_started = Some(statement.clone());
                }
            }
            StreamEvent::CopyData { offset, rows } => {
                if format == Format::Sql {
                    out.write_all(rows)?;
                }
                rows_end_inside_a_line = !rows.ends_with(b"\n");
                if let Some(record) = &mut copy {
                    let start = offset as usize;
                    let data = record
                        .copy_data
                        .get_or_insert(SpanJson { start, end: start });
                    data.end = start + rows.len();
                }
            }
            StreamEvent::CopyEnd {
                data_end,
                end,
                diagnostic,
            } => {
                diagnostics.extend(diagnostic);
                if format == Format::Sql {
                    // As `Statement::runnable`: rows end in a newline, then `\.`.
                    if rows_end_inside_a_line {
                        out.write_all(b"\n")?;
                    }
                    out.write_all(b"\\.\n\n")?;
                }
                copy_ended = Some((data_end, end));
            }
        }
        write_diagnostics(
            &mut stderr(),
            color::stderr(),
            file,
            |offset| stream.line_col_at(offset as u64),
            &diagnostics,
            Severity::Warning,
        )?;
        for (n, statement) in records {
            let record = stream_record(&mut stream, n, &statement);
            serde_json::to_writer(&mut out, &record)?;
            out.write_all(b"\n")?;
        }
        if let Some(statement) = copy_started {
            copy = Some(stream_record(&mut stream, written, &statement));
        }
        if let Some((data_end, end)) = copy_ended {
            let Some(mut record) = copy.take() else {
                continue;
            };
            let data_end = data_end as usize;
            let data = record.copy_data.get_or_insert(SpanJson {
                start: data_end,
                end: data_end,
            });
            data.end = data_end;
            record.end = end as usize;
            record.end_line = stream.line_col_at(end.saturating_sub(1)).0;
            serde_json::to_writer(&mut out, &record)?;
            out.write_all(b"\n")?;
        }
    }
    if format == Format::Count {
        writeln!(out, "{written}")?;
    }
    out.flush()?;
    Ok(SUCCESS)
}

/// The JSON record of a statement the stream lent last.
fn stream_record<R: io::Read>(
    stream: &mut StreamSplitter<R>,
    n: usize,
    statement: &Statement,
) -> StatementJson {
    let span = &statement.span;
    let (line, col) = stream.line_col(span.start);
    let end_line = stream
        .line_col(span.end.saturating_sub(1).max(span.start))
        .0;
    let (input, base) = stream.lent();
    let at = Position {
        line,
        col,
        end_line,
        base: base as usize,
    };
    StatementJson::new(n, input, at, statement)
}

/// Writes statement `n` in the formats printed as statements come: `sql`
/// (what psql runs, then a blank line, unless COPY rows are still to follow)
/// and `nul`; the others are written elsewhere.
fn write_as_it_comes(
    out: &mut impl Write,
    format: Format,
    n: usize,
    input: &[u8],
    statement: &Statement,
    rows_follow: bool,
) -> io::Result<()> {
    match format {
        Format::Sql => {
            write_runnable(out, input, statement)?;
            if !rows_follow {
                out.write_all(b"\n")?;
            }
        }
        Format::Nul => {
            if n > 1 {
                out.write_all(b"\0")?;
            }
            out.write_all(&statement.text(input))?;
        }
        Format::Count | Format::Jsonl | Format::Json => {}
    }
    Ok(())
}

/// A statement as psql runs it, then a newline.
fn write_runnable(
    out: &mut (impl Write + ?Sized),
    input: &[u8],
    statement: &Statement,
) -> io::Result<()> {
    out.write_all(&statement.runnable(input))?;
    out.write_all(b"\n")
}

fn write_out_dir(dir: &Path, input: &[u8], statements: &[Statement]) -> io::Result<()> {
    let mut out = OutDir::create(dir)?;
    let width = statements.len().to_string().len().max(4);
    for (i, statement) in statements.iter().enumerate() {
        let prefix = format!("{:0width$}_", i + 1);
        let name = out.name(&prefix, &file_stem(input, statement), ".sql");
        out.write(&name, Replace::RegularFile, |file| {
            write_runnable(file, input, statement)
        })?;
    }
    Ok(())
}

/// `create_table_public.users`, `meta_restrict`: the tag, then the pg_dump
/// object it belongs to ([`OutDir::name`] makes it safe for every file
/// system).
fn file_stem(input: &[u8], statement: &Statement) -> String {
    let mut stem = statement
        .tag
        .trim_start_matches('\\')
        .to_ascii_lowercase()
        .replace(' ', "_");
    if statement.kind == StatementKind::Meta {
        stem = format!("meta_{stem}");
    }
    if let Some(toc) = &statement.toc {
        let schema = &input[toc.schema()];
        let name = String::from_utf8_lossy(&input[toc.name()]);
        if schema == b"-" {
            stem = format!("{stem}_{name}");
        } else {
            stem = format!("{stem}_{}.{name}", String::from_utf8_lossy(schema));
        }
    }
    stem
}

#[derive(Serialize)]
struct StatementJson {
    n: usize,
    kind: &'static str,
    tag: String,
    line: usize,
    col: usize,
    end_line: usize,
    start: usize,
    end: usize,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    copy_data: Option<SpanJson>,
    /// Further data blocks of a psql `\;` compound holding several COPYs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    more_copy_data: Vec<SpanJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    toc: Option<TocJson>,
    /// psql variable references, which psql substitutes and pgsplit does not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    variables: Vec<SpanJson>,
}

#[derive(Serialize)]
struct SpanJson {
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct TocJson {
    name: String,
    #[serde(rename = "type")]
    object_type: String,
    schema: String,
    owner: String,
}

/// Where a statement is, for its JSON record: line, column, last line, and
/// the stream offset its spans count from (0 for a whole input).
struct Position {
    line: usize,
    col: usize,
    end_line: usize,
    base: usize,
}

impl Position {
    fn of(input: &[u8], lines: &mut LineCounter, statement: &Statement) -> Self {
        let (line, col) = lines.line_col(input, statement.span.start);
        Position {
            line,
            col,
            end_line: lines.end_line(input, &statement.span),
            base: 0,
        }
    }
}

impl StatementJson {
    fn new(n: usize, input: &[u8], at: Position, statement: &Statement) -> Self {
        let lossy = |span: &Span| String::from_utf8_lossy(&input[span.clone()]).into_owned();
        let moved = |span: &Span| SpanJson {
            start: at.base + span.start,
            end: at.base + span.end,
        };
        StatementJson {
            n,
            kind: statement.kind.as_str(),
            tag: statement.tag.to_string(),
            line: at.line,
            col: at.col,
            end_line: at.end_line,
            start: at.base + statement.span.start,
            end: at.base + statement.span.end,
            text: String::from_utf8_lossy(&statement.text(input)).into_owned(),
            copy_data: statement.copy_data().map(moved),
            more_copy_data: statement.more_copy_data().iter().map(moved).collect(),
            variables: statement.variables().iter().map(moved).collect(),
            toc: statement.toc.as_ref().map(|t| TocJson {
                name: lossy(&t.name()),
                object_type: lossy(&t.object_type()),
                schema: lossy(&t.schema()),
                owner: lossy(&t.owner()),
            }),
        }
    }
}

fn run_check(
    files: &[String],
    target: Target,
    format: CheckFormat,
    options: SplitOptions,
) -> io::Result<u8> {
    let mut errors = 0;
    for file in files {
        let linter = Linter::new(target, format);
        errors += match open_as_stream(file)? {
            Some(stream) => check_stream(file, stream, linter, &options)?,
            None => check_mapped(file, linter, &options)?,
        };
    }
    Ok(if errors > 0 { FINDING } else { SUCCESS })
}

/// What `check` looks for in a file, and what it has already told once.
struct Linter {
    target: Target,
    format: CheckFormat,
    /// What `execute_file` handles by itself, told at its first occurrence.
    told: BTreeSet<plan::Handled>,
    /// The client_encoding the script declares, once a statement has.
    declared: Option<String>,
    /// The first `\quit`, where psql stops (its offset and name), and how
    /// many statements follow it. Its finding waits for that count, and the
    /// findings after it wait with it, to be printed in input order.
    quit: Option<(usize, String, usize)>,
}

impl Linter {
    fn new(target: Target, format: CheckFormat) -> Self {
        Linter {
            target,
            format,
            told: BTreeSet::new(),
            declared: None,
            quit: None,
        }
    }

    /// Whether findings must wait for the count of statements after a
    /// `\quit`.
    fn holds_findings(&self) -> bool {
        self.quit.is_some()
    }

    /// The finding about the `\quit`, once the input has ended, if any
    /// statement follows it (in psql mode none does).
    fn quit_warning(&self) -> Option<Diagnostic> {
        let (at, name, after) = self.quit.as_ref()?;
        (*after > 0).then(|| quit_warning(*at, name, *after))
    }

    /// The finding for bytes that stop being UTF-8 at `at`: a note for psql,
    /// which passes them on; for a migration an error, as `execute_file`
    /// refuses them, unless the script declares another encoding.
    fn not_utf8(&self, at: usize) -> Option<Diagnostic> {
        match self.target {
            Target::Psql => Some(not_utf8(at as u64)),
            Target::Alembic => self
                .declared
                .as_deref()
                .is_none_or(crate::encoding::is_utf8)
                .then(|| plan::not_utf8(at).diagnostic()),
        }
    }
}

/// The findings about a part of a script, kept apart by source so that
/// findings at one offset are always printed in the same order: the
/// splitter's, then [`lint_statement`]'s, then where the input stops being
/// UTF-8, then those for migrations. Where the input stops being UTF-8 is
/// told with the first findings at or after it, as if all were sorted.
#[derive(Default)]
struct Findings {
    splitter: Vec<Diagnostic>,
    statements: Vec<Diagnostic>,
    not_utf8: Option<Diagnostic>,
    migration: Vec<Diagnostic>,
}

impl Findings {
    /// Adds `later`'s findings to these, to be printed with them.
    fn absorb(&mut self, later: Findings) {
        self.splitter.extend(later.splitter);
        self.statements.extend(later.statements);
        self.not_utf8 = self.not_utf8.take().or(later.not_utf8);
        self.migration.extend(later.migration);
    }

    fn is_empty(&self) -> bool {
        self.splitter.is_empty()
            && self.statements.is_empty()
            && self.not_utf8.is_none()
            && self.migration.is_empty()
    }

    /// Adds the findings about `statement` of `input`, a part of the script
    /// that starts at offset `base`.
    fn lint(&mut self, input: &[u8], base: usize, statement: &Statement, linter: &mut Linter) {
        match &mut linter.quit {
            Some((_, _, after)) => *after += 1,
            None if is_quit(statement) => {
                linter.quit = Some((base + statement.span.start, statement.tag.to_string(), 0));
            }
            None => {}
        }
        let (statements, migration) = (self.statements.len(), self.migration.len());
        let rows = statement
            .copy_data()
            .map_or(0, |d| memchr::memchr_iter(b'\n', &input[d.clone()]).count());
        match linter.target {
            Target::Psql => lint_statement(input, statement, rows, &mut self.statements),
            Target::Alembic => {
                if linter.declared.is_none() {
                    linter.declared = crate::encoding::declared(input, statement).flatten();
                }
                if statement.kind == StatementKind::Copy {
                    self.statements
                        .push(copy_rows_note(statement.span.start, rows));
                }
                if let Err(refusal) = plan::step(input, statement, &PlanOptions::default()) {
                    self.migration.push(refusal.diagnostic());
                }
                if let Some(handled) = plan::handled(input, statement) {
                    if linter.told.insert(handled) {
                        self.migration
                            .push(handled.diagnostic(statement.span.start));
                    }
                }
                lint_statement_for_migration(input, statement, &mut self.migration);
            }
        }
        for finding in self.statements[statements..]
            .iter_mut()
            .chain(&mut self.migration[migration..])
        {
            finding.offset += base;
        }
    }

    /// Tells where the input stops being UTF-8 (`at`) with these findings
    /// if any is at or after it; returns whether it did.
    fn tell_not_utf8(&mut self, at: usize, linter: &Linter) -> bool {
        let due = self.last_offset().is_some_and(|last| at <= last);
        if due {
            self.not_utf8 = linter.not_utf8(at);
        }
        due
    }

    fn last_offset(&self) -> Option<usize> {
        [&self.splitter, &self.statements, &self.migration]
            .into_iter()
            .flatten()
            .map(|d| d.offset)
            .max()
    }

    /// In input order; prints them as `format` says and returns how many
    /// are errors.
    fn print(
        self,
        file: &str,
        format: CheckFormat,
        mut position: impl FnMut(usize) -> (usize, usize),
    ) -> io::Result<usize> {
        let mut all = self.splitter;
        all.extend(self.statements);
        all.extend(self.not_utf8);
        all.extend(self.migration);
        all.sort_by_key(|d| d.offset);
        // Check's output is its findings.
        let mut out = stdout();
        match format {
            CheckFormat::Text => write_diagnostics(
                &mut out,
                color::stdout(),
                file,
                position,
                &all,
                Severity::Note,
            )?,
            CheckFormat::Json => {
                for d in &all {
                    let (line, col) = position(d.offset);
                    let finding = FindingJson::new(file, line, col, d);
                    serde_json::to_writer(&mut out, &finding)?;
                    out.write_all(b"\n")?;
                }
            }
            CheckFormat::Github => {
                for d in &all {
                    let (line, col) = position(d.offset);
                    write_annotation(&mut out, file, line, col, d)?;
                }
            }
        }
        Ok(all.iter().filter(|d| d.severity == Severity::Error).count())
    }
}

/// A finding as `check --format json` prints it.
#[derive(Serialize)]
struct FindingJson<'a> {
    file: &'a str,
    line: usize,
    col: usize,
    level: &'static str,
    code: &'static str,
    message: &'a str,
}

impl<'a> FindingJson<'a> {
    fn new(file: &'a str, line: usize, col: usize, d: &'a Diagnostic) -> Self {
        FindingJson {
            file: display_name(file),
            line,
            col,
            level: d.severity.as_str(),
            code: d.code.as_str(),
            message: &d.message,
        }
    }
}

/// Writes a finding as a GitHub Actions workflow command
/// (`::warning file=F,line=L,col=C,title=CODE::MESSAGE`), which the
/// Actions runner shows on the line in a pull request.
fn write_annotation(
    out: &mut impl Write,
    file: &str,
    line: usize,
    col: usize,
    d: &Diagnostic,
) -> io::Result<()> {
    // The runner's own escapes: `%`, CR and LF everywhere, and in the
    // properties also `:` and `,`, which separate them.
    let data = |text: &str| {
        text.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let property = |text: &str| data(text).replace(':', "%3A").replace(',', "%2C");
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    writeln!(
        out,
        "::{level} file={},line={line},col={col},title={}::{}",
        property(display_name(file)),
        d.code,
        data(&d.message)
    )
}

/// Checks a mapped file chunk by chunk, so memory does not grow with the
/// number of statements; returns how many findings are errors.
fn check_mapped(file: &str, mut linter: Linter, options: &SplitOptions) -> io::Result<usize> {
    let input = open(file)?;
    let mut errors = Findings {
        splitter: plan::utf16_input(&input)
            .map(|r| r.diagnostic())
            .into_iter()
            .collect(),
        ..Findings::default()
    }
    .print(file, linter.format, |_| (1, 1))?;
    let mut not_utf8_at = std::str::from_utf8(&input).err().map(|e| e.valid_up_to());
    let mut lines = LineCounter::new();
    let mut failed = None;
    let mut held = Findings::default();
    let progress = Progress::new(input.len(), "checking");
    split_chunks(&input, options, &Parallelism::default(), |chunk| {
        if let Some(last) = chunk.statements.last() {
            progress.set(last.span.end);
        }
        let mut findings = Findings {
            splitter: std::mem::take(&mut chunk.diagnostics),
            ..Findings::default()
        };
        for statement in &chunk.statements {
            findings.lint(&input, 0, statement, &mut linter);
        }
        if not_utf8_at.is_some_and(|at| findings.tell_not_utf8(at, &linter)) {
            not_utf8_at = None;
        }
        if linter.holds_findings() {
            held.absorb(findings);
            return ControlFlow::Continue(());
        }
        let printed = progress.suspend(|| {
            findings.print(file, linter.format, |offset| lines.line_col(&input, offset))
        });
        stop_on_error(printed.map(|n| errors += n), &mut failed)
    });
    drop(progress);
    if let Some(error) = failed {
        return Err(error);
    }
    held.absorb(Findings {
        not_utf8: not_utf8_at.and_then(|at| linter.not_utf8(at)),
        ..Findings::default()
    });
    held.statements.extend(linter.quit_warning());
    Ok(errors + held.print(file, linter.format, |offset| lines.line_col(&input, offset))?)
}

/// Checks standard input or a compressed file as it streams by, with the
/// same output as [`check_mapped`]; returns how many findings are errors.
fn check_stream(
    file: &str,
    reader: Box<dyn io::Read>,
    mut linter: Linter,
    options: &SplitOptions,
) -> io::Result<usize> {
    let mut stream = StreamSplitter::new(Watched::new(reader), options);
    let mut errors = 0;
    // A COPY whose rows stream: where it starts and its rows so far. Its
    // findings wait for its end, when its row count is known.
    let mut copy: Option<(usize, usize)> = None;
    let mut findings = Findings::default();
    // Line and column of each finding's offset, found while its bytes are
    // still in the stream's window.
    let mut located: HashMap<usize, (usize, usize)> = HashMap::new();
    let mut not_utf8_at = Utf8::Unknown;
    while let Some(event) = stream.next_event().map_err(unreadable(file))? {
        match event {
            StreamEvent::Statements {
                base,
                input,
                statements,
                diagnostics,
            } => {
                // Diagnostics count from the stream's start, statements
                // from the buffer's.
                findings.splitter.extend_from_slice(diagnostics);
                if base == 0 {
                    findings
                        .splitter
                        .extend(plan::utf16_input(input).map(|r| r.diagnostic()));
                }
                for statement in statements {
                    findings.lint(input, base as usize, statement, &mut linter);
                }
            }
            StreamEvent::CopyStart {
                base,
                statement,
                diagnostics,
                ..
            } => {
                findings.splitter.extend_from_slice(diagnostics);
                copy = Some((base as usize + statement.span.start, 0));
            }
            StreamEvent::CopyData { rows, .. } => {
                if let Some((_, count)) = &mut copy {
                    *count += memchr::memchr_iter(b'\n', rows).count();
                }
            }
            StreamEvent::CopyEnd { diagnostic, .. } => {
                findings.splitter.extend(diagnostic);
                if let Some((at, rows)) = copy.take() {
                    findings.statements.push(copy_rows_note(at, rows));
                }
            }
        }
        if let Utf8::Unknown = not_utf8_at {
            if let Some(at) = stream.get_ref().utf8.found() {
                not_utf8_at = Utf8::Found(at as usize, stream.line_col_at(at));
            }
        }
        locate(&mut stream, &findings, &mut located);
        if let Some((at, _)) = copy {
            // The COPY's own finding, made at its end, is located at its start.
            located
                .entry(at)
                .or_insert_with(|| stream.line_col_at(at as u64));
        }
        if copy.is_some() || findings.is_empty() || linter.holds_findings() {
            continue;
        }
        if let Utf8::Found(at, position) = not_utf8_at {
            if findings.tell_not_utf8(at, &linter) {
                located.insert(at, position);
                not_utf8_at = Utf8::Told;
            }
        }
        errors +=
            std::mem::take(&mut findings).print(file, linter.format, |offset| located[&offset])?;
        located.clear();
    }
    let at_end = match not_utf8_at {
        Utf8::Found(at, position) => Some((at, position)),
        Utf8::Unknown => stream
            .get_ref()
            .utf8
            .at_end()
            .map(|at| (at as usize, stream.line_col_at(at))),
        Utf8::Told => None,
    };
    if let Some((at, position)) = at_end {
        findings.not_utf8 = linter.not_utf8(at);
        located.insert(at, position);
    }
    // At the offset of the `\quit`'s own finding, located with it.
    findings.statements.extend(linter.quit_warning());
    locate(&mut stream, &findings, &mut located);
    errors += findings.print(file, linter.format, |offset| located[&offset])?;
    Ok(errors)
}

/// What a streamed check knows of where its input stops being UTF-8.
enum Utf8 {
    Unknown,
    /// Found at an offset (with its line and column), not yet printed.
    Found(usize, (usize, usize)),
    Told,
}

/// Finds the line and column of every finding not yet `located`, while the
/// stream's window still holds their bytes (in offset order: the stream
/// counts lines forwards).
fn locate<R: io::Read>(
    stream: &mut StreamSplitter<R>,
    findings: &Findings,
    located: &mut HashMap<usize, (usize, usize)>,
) {
    let mut offsets: Vec<usize> = [
        &findings.splitter,
        &findings.statements,
        &findings.migration,
    ]
    .into_iter()
    .flatten()
    .map(|d| d.offset)
    .filter(|offset| !located.contains_key(offset))
    .collect();
    offsets.sort_unstable();
    offsets.dedup();
    for offset in offsets {
        located.insert(offset, stream.line_col_at(offset as u64));
    }
}

/// What `squash` was asked to write (and, for the Python command, verify).
#[derive(clap::Args)]
struct SquashArgs {
    /// The schema dump (- for standard input); not needed with --verify or --alembic
    #[arg(required_unless_present_any = ["verify", "alembic"])]
    dump: Option<String>,
    /// Build the dump from the chain itself: run the project's migrations on
    /// a scratch database, write the revision and prove it (Python package:
    /// pip install 'pgsplit[alembic]')
    #[arg(long, value_name = "ALEMBIC_INI", conflicts_with_all = ["dump", "verify", "data_from"])]
    alembic: Option<PathBuf>,
    /// For --alembic: the server of the scratch databases (default: an
    /// embedded PostgreSQL 18)
    #[arg(long, value_name = "DATABASE_URL", requires = "alembic")]
    server: Option<String>,
    /// For --alembic: the environment variable env.py reads its URL from
    #[arg(long, value_name = "NAME", default_value = "DATABASE_URL")]
    url_env: String,
    /// For --alembic and --verify: the checklist as text or JSON
    #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = ["text", "json"])]
    format: String,
    /// The folder to write the migration into (an Alembic versions/ folder)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The new revision id, also the files' name
    #[arg(long, default_value = "001_initial_schema")]
    revision: String,
    /// The revision's message, the first line of its docstring
    #[arg(long, short)]
    message: Option<String>,
    /// A dump with data (full or --data-only) to take --data-tables' rows from
    #[arg(long, value_name = "FULL_DUMP", requires = "data_tables")]
    data_from: Option<String>,
    /// Tables whose rows the migration keeps, comma-separated (table or
    /// schema.table); with --alembic also auto (the default: every table
    /// the chain filled) or none
    #[arg(long, value_delimiter = ',', value_name = "TABLES")]
    data_tables: Vec<String>,
    /// Alembic's version table, left out of the SQL
    #[arg(long, default_value = "alembic_version")]
    version_table: String,
    /// Replace the files if they exist
    #[arg(long)]
    force: bool,
    /// Build a scratch database from the migration in DIR and compare its
    /// schema with the reference database's (runs through Alembic, so it
    /// needs the Python package: pip install 'pgsplit[alembic]')
    #[arg(long, value_name = "DATABASE_URL")]
    verify: Option<String>,
    /// The pg_dump that dumps both databases for --verify
    #[arg(long, value_name = "PATH", default_value = "pg_dump")]
    pg_dump: String,
    /// For --verify: differences to ignore, as for diff (column-order, ...)
    #[arg(long, value_delimiter = ',', value_parser = |s: &str| s.parse::<Ignore>())]
    ignore: Vec<Ignore>,
}

fn run_squash(args: &SquashArgs) -> io::Result<u8> {
    if !args.data_tables.is_empty() && args.data_from.is_none() {
        say(format_args!(
            "--data-tables needs --data-from FULL_DUMP, the dump to take the rows from"
        ));
        return Ok(FAILURE);
    }
    let dump_name = args.dump.as_deref().unwrap_or("-");
    let dump = open(dump_name)?;
    let data = args.data_from.as_deref().map(open).transpose()?;
    let options = SquashOptions {
        revision: args.revision.clone(),
        message: args.message.clone(),
        dump_name: file_name(dump_name),
        origin: git_commit(),
        version_table: args.version_table.clone(),
        data: match (&data, &args.data_from) {
            (Some(input), Some(name)) => Some(DataRows {
                input,
                name: file_name(name),
                tables: args.data_tables.clone(),
            }),
            _ => None,
        },
    };
    let made = match squash(&dump, &options) {
        Ok(made) => made,
        Err(error) => {
            let (file, input) = match (&error, &args.data_from, &data) {
                (
                    SquashError::Unusable {
                        input: Which::DataDump,
                        ..
                    },
                    Some(name),
                    Some(data),
                ) => (name.as_str(), &data[..]),
                _ => (dump_name, &dump[..]),
            };
            let at = match error {
                SquashError::Unusable { offset, .. } | SquashError::NotUtf8 { offset } => {
                    let (line, col) = LineIndex::new(input).line_col(offset);
                    format!("{}:{line}:{col}: ", display_name(file))
                }
                _ => String::new(),
            };
            say(format_args!("{at}{error}"));
            return Ok(FAILURE);
        }
    };
    let out = OutDir::create(&args.out)?;
    let sql_name = format!("{}.sql", args.revision);
    let py_name = format!("{}.py", args.revision);
    let (sql_path, py_path) = (out.path(&sql_name), out.path(&py_name));
    let replace = if args.force {
        Replace::RegularFile
    } else {
        Replace::Never
    };
    let files = [
        (sql_name.as_str(), &made.sql[..]),
        (py_name.as_str(), made.migration.as_bytes()),
    ];
    if let Err(e) = out.write_all(&files, replace) {
        if e.kind() != io::ErrorKind::AlreadyExists {
            return Err(e);
        }
        say(format_args!("{e}"));
        return Ok(FAILURE);
    }
    say(format_args!(
        "wrote {} and {}",
        sql_path.display(),
        py_path.display()
    ));
    for what in &made.not_dropped {
        say(format_args!(
            "warning: downgrade() does not drop {what}; drop it by hand"
        ));
    }
    if options.origin.is_none() {
        say(format_args!("note: not inside a git repository, so the migration does not say where the old chain is"));
    }
    Ok(SUCCESS)
}

fn file_name(file: &str) -> String {
    if file == "-" {
        return "standard input".to_string();
    }
    Path::new(file)
        .file_name()
        .map_or_else(|| file.to_string(), |n| n.to_string_lossy().into_owned())
}

/// The commit checked out in the current directory's git repository, noting
/// uncommitted changes; `None` outside a repository or without git.
fn git_commit() -> Option<String> {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let commit = git(&["rev-parse", "HEAD"])?;
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(if dirty {
        format!("git commit {commit} (the working tree had uncommitted changes)")
    } else {
        format!("git commit {commit}")
    })
}

fn run_stats(file: &str, format: StatsFormat, options: SplitOptions) -> io::Result<u8> {
    let stats = match open_as_stream(file)? {
        Some(reader) => stats_of_stream(file, reader, &options)?,
        None => stats_of_mapped(file, &options)?,
    };
    let mut out = stdout();
    match format {
        StatsFormat::Text => stats.write(&mut out, file)?,
        StatsFormat::Json => {
            serde_json::to_writer(&mut out, &stats.json(file))?;
            out.write_all(b"\n")?;
        }
    }
    Ok(SUCCESS)
}

/// What `stats --format json` prints.
#[derive(Serialize)]
struct StatsJson<'a> {
    file: &'a str,
    bytes: u64,
    statements: usize,
    by_kind: BTreeMap<&'static str, usize>,
    copy_bytes: u64,
    diagnostics: usize,
    by_command: BTreeMap<String, usize>,
    by_object_type: BTreeMap<String, usize>,
    seconds: f64,
}

/// Counts statements of a mapped file chunk by chunk, in flat memory.
fn stats_of_mapped(file: &str, options: &SplitOptions) -> io::Result<Stats> {
    let input = open(file)?;
    let mut stats = Stats::new(Instant::now());
    stats.bytes = input.len() as u64;
    let progress = Progress::new(input.len(), "counting");
    split_chunks(&input, options, &Parallelism::default(), |chunk| {
        if let Some(last) = chunk.statements.last() {
            progress.set(last.span.end);
        }
        stats.diagnostics += chunk.diagnostics.len();
        for statement in &chunk.statements {
            stats.count(&input, statement);
        }
        ControlFlow::Continue(())
    });
    Ok(stats)
}

/// Counts statements of a stream as it goes by, in flat memory.
fn stats_of_stream(
    file: &str,
    reader: Box<dyn io::Read>,
    options: &SplitOptions,
) -> io::Result<Stats> {
    let mut stream = StreamSplitter::new(Watched::new(reader), options);
    let mut stats = Stats::new(Instant::now());
    while let Some(event) = stream.next_event().map_err(unreadable(file))? {
        match event {
            StreamEvent::Statements {
                input,
                statements,
                diagnostics,
                ..
            } => {
                stats.diagnostics += diagnostics.len();
                for statement in statements {
                    stats.count(input, statement);
                }
            }
            StreamEvent::CopyStart {
                input,
                statement,
                diagnostics,
                ..
            } => {
                stats.diagnostics += diagnostics.len();
                stats.count(input, statement);
            }
            StreamEvent::CopyData { rows, .. } => stats.copy_bytes += rows.len() as u64,
            StreamEvent::CopyEnd { diagnostic, .. } => {
                stats.diagnostics += usize::from(diagnostic.is_some());
            }
        }
    }
    stats.bytes = stream.get_ref().bytes;
    Ok(stats)
}

/// What `stats` prints: counts by kind, command and pg_dump object type.
struct Stats {
    bytes: u64,
    statements: usize,
    by_kind: BTreeMap<&'static str, usize>,
    by_tag: HashMap<String, usize>,
    by_type: HashMap<Vec<u8>, usize>,
    copy_bytes: u64,
    diagnostics: usize,
    /// When splitting started: after a file was mapped, or as a stream
    /// starts (its reading and decompressing go with its splitting).
    started: Instant,
}

impl Stats {
    fn new(started: Instant) -> Self {
        Stats {
            bytes: 0,
            statements: 0,
            by_kind: BTreeMap::new(),
            by_tag: HashMap::new(),
            by_type: HashMap::new(),
            copy_bytes: 0,
            diagnostics: 0,
            started,
        }
    }

    /// Counts a statement and the COPY data it holds (a stream hands out
    /// the data of a long COPY apart).
    fn count(&mut self, input: &[u8], statement: &Statement) {
        self.statements += 1;
        self.copy_bytes += statement.copy_blocks().map(|b| b.len() as u64).sum::<u64>();
        *self.by_kind.entry(statement.kind.as_str()).or_default() += 1;
        // Looked up before inserting: most statements repeat a known key.
        match self.by_tag.get_mut(statement.tag.as_ref()) {
            Some(count) => *count += 1,
            None => drop(self.by_tag.insert(statement.tag.to_string(), 1)),
        }
        if let Some(toc) = &statement.toc {
            if statement.span.start >= toc.name().end {
                let object_type = &input[toc.object_type()];
                match self.by_type.get_mut(object_type) {
                    Some(count) => *count += 1,
                    None => drop(self.by_type.insert(object_type.to_vec(), 1)),
                }
            }
        }
    }

    fn json(self, file: &str) -> StatsJson<'_> {
        let seconds = self.started.elapsed().as_secs_f64();
        StatsJson {
            file: display_name(file),
            bytes: self.bytes,
            statements: self.statements,
            by_kind: self.by_kind,
            copy_bytes: self.copy_bytes,
            diagnostics: self.diagnostics,
            by_command: self.by_tag.into_iter().collect(),
            by_object_type: object_type_counts(self.by_type).into_iter().collect(),
            seconds,
        }
    }

    fn write(self, out: &mut impl Write, file: &str) -> io::Result<()> {
        let elapsed = self.started.elapsed();
        writeln!(out, "file:        {}", display_name(file))?;
        writeln!(out, "bytes:       {}", self.bytes)?;
        writeln!(out, "statements:  {}", self.statements)?;
        for (kind, count) in &self.by_kind {
            writeln!(out, "  {kind:<10} {count}")?;
        }
        writeln!(out, "copy data:   {} bytes", self.copy_bytes)?;
        writeln!(out, "diagnostics: {}", self.diagnostics)?;
        writeln!(out, "by command:")?;
        let by_count = |map: HashMap<String, usize>| {
            let mut counts: Vec<_> = map.into_iter().collect();
            counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            counts
        };
        for (tag, count) in by_count(self.by_tag) {
            writeln!(out, "  {count:>8}  {tag}")?;
        }
        if !self.by_type.is_empty() {
            writeln!(
                out,
                "by pg_dump object type (statements under each header):"
            )?;
            for (object_type, count) in by_count(object_type_counts(self.by_type)) {
                writeln!(out, "  {count:>8}  {object_type}")?;
            }
        }
        let seconds = elapsed.as_secs_f64();
        let megabytes = self.bytes as f64 / 1e6;
        let speed = if seconds > 0.0 {
            megabytes / seconds
        } else {
            0.0
        };
        writeln!(
            out,
            "split time:  {:.3} ms ({speed:.0} MB/s)",
            seconds * 1e3
        )
    }
}

/// Statements by pg_dump object type, the types' bytes read as text (two
/// byte strings that read alike count together).
fn object_type_counts(by_type: HashMap<Vec<u8>, usize>) -> HashMap<String, usize> {
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (object_type, count) in by_type {
        *by_name
            .entry(String::from_utf8_lossy(&object_type).into_owned())
            .or_default() += count;
    }
    by_name
}

fn run_normalize(
    file: &str,
    ignore: Vec<Ignore>,
    sort: bool,
    output: Option<&Path>,
    jobs: usize,
) -> io::Result<u8> {
    let input = open(file)?;
    let options = NormalizeOptions { ignore, sort, jobs };
    match output {
        Some(path) => {
            let created = std::fs::File::create(path).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
            })?;
            let mut out = BufWriter::with_capacity(1 << 20, created);
            normalize_to(&input, &options, &mut out)?;
            out.flush()?;
        }
        None => {
            let mut out = BufWriter::with_capacity(1 << 20, stdout());
            normalize_to(&input, &options, &mut out)?;
            out.flush()?;
        }
    }
    Ok(SUCCESS)
}

fn run_diff(
    a: &str,
    b: &str,
    ignore: Vec<Ignore>,
    format: DiffFormat,
    html: Option<&Path>,
) -> io::Result<u8> {
    let (input_a, input_b) = (open(a)?, open(b)?);
    let report = diff(
        &input_a,
        &input_b,
        &NormalizeOptions {
            ignore,
            ..NormalizeOptions::default()
        },
    );
    if let Some(path) = html {
        std::fs::write(path, crate::report::html(&report, a, b)).map_err(|e| {
            io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
        })?;
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match format {
        DiffFormat::Text => write_diff_text(&mut out, &report, a, b)?,
        DiffFormat::Json => write_diff_json(&mut out, &report)?,
        DiffFormat::Summary => write_diff_summary(&mut out, &report)?,
    }
    out.flush()?;
    Ok(if report.identical() { SUCCESS } else { FINDING })
}

fn write_diff_text(out: &mut impl Write, report: &DiffReport, a: &str, b: &str) -> io::Result<()> {
    let terminal = io::stdout().is_terminal();
    let colored = color::stdout();
    // The dump's own text is escaped first, so that only pgsplit's colours
    // reach the terminal as escape sequences.
    let paint = |line: &str, code: &str| {
        let line = shown_str(line, terminal);
        if colored {
            format!("\x1b[{code}m{line}\x1b[0m")
        } else {
            line.into_owned()
        }
    };
    if report.identical() {
        let same = format!("{a} and {b} hold the same objects");
        return writeln!(out, "{}", shown_str(&same, terminal));
    }
    for change in &report.changes {
        match change.kind {
            ChangeKind::OnlyInA => writeln!(
                out,
                "{}",
                paint(&format!("only in {a}: {}", change.identity), "31")
            )?,
            ChangeKind::OnlyInB => writeln!(
                out,
                "{}",
                paint(&format!("only in {b}: {}", change.identity), "32")
            )?,
            ChangeKind::Changed => {
                writeln!(
                    out,
                    "{}",
                    paint(&format!("changed: {}", change.identity), "33")
                )?;
                for line in change.unified_diff().lines() {
                    let code = match line.as_bytes().first() {
                        Some(b'+') => "32",
                        Some(b'-') => "31",
                        Some(b'@') => "36",
                        _ => "0",
                    };
                    writeln!(out, "  {}", paint(line, code))?;
                }
            }
        }
    }
    writeln!(out, "{}", shown_str(&report.summary(a, b), terminal))
}

#[derive(Serialize)]
struct ChangeJson<'a> {
    kind: &'static str,
    #[serde(rename = "type")]
    object_type: &'a str,
    schema: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    a: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    b: Option<&'a str>,
    #[serde(skip_serializing_if = "String::is_empty")]
    diff: String,
}

fn write_diff_json(out: &mut impl Write, report: &DiffReport) -> io::Result<()> {
    let changes: Vec<ChangeJson<'_>> = report
        .changes
        .iter()
        .map(|c| ChangeJson {
            kind: c.kind.as_str(),
            object_type: &c.identity.object_type,
            schema: &c.identity.schema,
            name: &c.identity.name,
            a: c.a.as_deref(),
            b: c.b.as_deref(),
            diff: if c.kind == ChangeKind::Changed {
                c.unified_diff()
            } else {
                String::new()
            },
        })
        .collect();
    let document = serde_json::json!({ "identical": report.identical(), "changes": changes });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn write_diff_summary(out: &mut impl Write, report: &DiffReport) -> io::Result<()> {
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for change in &report.changes {
        *counts
            .entry((change.identity.object_type.as_str(), change.kind.as_str()))
            .or_default() += 1;
    }
    if counts.is_empty() {
        return writeln!(out, "identical");
    }
    for ((object_type, kind), count) in counts {
        writeln!(out, "{count:>6}  {kind:<10} {object_type}")?;
    }
    Ok(())
}
