//! `pgsplit squash`: a schema dump made the first migration of a new
//! Alembic chain (see [`crate::squash`]). `--alembic` and `--verify` run
//! Alembic, which only the Python package's `pgsplit` can: it parses these
//! same arguments and handles them itself.

use std::io;
use std::path::{Path, PathBuf};

use super::output::{display_name, say};
use super::reading::open_whole;
use super::{FAILURE, SUCCESS};
use crate::files::{OutDir, Replace};
use crate::lines::LineIndex;
use crate::normalize::Ignore;
use crate::squash::{squash, DataRows, SquashError, SquashOptions, Which};

pub const LONG_ABOUT: &str =
    "Make a schema dump (pg_dump -s -O -x) the first migration of a new Alembic chain.\n\n\
Writes DIR/REVISION.sql, the dump without meta-commands and without Alembic's version table, \
and DIR/REVISION.py, a revision whose upgrade() runs it with pgsplit.alembic.execute_file and \
whose downgrade() drops every object it creates. The docstring lists what the schema holds and, \
inside a git repository, the commit the old chain is at.";

pub const AFTER_HELP: &str = "Examples:\n  pgsplit squash --alembic alembic.ini --out migrations/versions\n  pg_dump -s -O -x -d \"$DATABASE_URL\" -f schema.sql\n  pgsplit squash schema.sql --out migrations/versions\n  pgsplit squash schema.sql --out migrations/versions \\\n      --data-from full.sql --data-tables statuses,countries\n  pgsplit squash --verify \"$DATABASE_URL\" \\\n      --out migrations/versions\n\n--alembic and --verify need the Python package with Alembic: pip install 'pgsplit[alembic]'.\n--alembic alone builds the chain on an embedded PostgreSQL, writes the revision\nand proves it.\nIts URL is SQLAlchemy's (postgresql+psycopg://user@host/db) or libpq's\n(postgresql://user@host/db: the first of psycopg, psycopg2, pg8000, asyncpg\ninstalled). Then, on every existing database: back it up, verify it, run\n`alembic stamp --purge 001_initial_schema`. The README's \"Consolidating an\nAlembic chain\" walks through it.";

/// `squash`'s arguments as plain values, for the Python package's command,
/// which does what needs Alembic (`alembic` or `verify` given) itself and
/// parses no argument of its own: its names are the options' names.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "python", derive(pyo3::IntoPyObject))]
pub struct Request {
    pub dump: Option<String>,
    pub alembic: Option<String>,
    pub server: Option<String>,
    pub url_env: String,
    pub format: String,
    pub out: String,
    pub revision: String,
    pub message: Option<String>,
    pub data_from: Option<String>,
    pub data_tables: Vec<String>,
    pub version_table: String,
    pub force: bool,
    pub verify: Option<String>,
    pub pg_dump: Option<String>,
    pub ignore: Vec<String>,
}

impl Args {
    pub fn request(&self) -> Request {
        let path = |p: &PathBuf| p.to_string_lossy().into_owned();
        Request {
            dump: self.dump.clone(),
            alembic: self.alembic.as_ref().map(path),
            server: self.server.clone(),
            url_env: self.url_env.clone(),
            format: self.format.clone(),
            out: path(&self.out),
            revision: self.revision.clone(),
            message: self.message.clone(),
            data_from: self.data_from.clone(),
            data_tables: self.data_tables.clone(),
            version_table: self.version_table.clone(),
            force: self.force,
            verify: self.verify.clone(),
            pg_dump: self.pg_dump.clone(),
            ignore: self.ignore.iter().map(|i| i.name().to_string()).collect(),
        }
    }
}

/// Why this binary cannot do what `args` ask, if it cannot.
fn needs_python(args: &Args) -> Option<&'static str> {
    if args.alembic.is_some() {
        return Some(
            "--alembic runs the project's migrations through Alembic, which this binary cannot \
             do; install the Python package (pip install 'pgsplit[alembic]') and run its \
             `pgsplit` command",
        );
    }
    args.verify.is_some().then_some(
        "--verify runs the new migration through Alembic, which this binary cannot do; \
         install the Python package (pip install pgsplit) and run its `pgsplit` command, or \
         call pgsplit.squash.verify() from Python",
    )
}

/// What `squash` was asked to write (and, for the Python command, verify).
#[derive(clap::Args)]
pub struct Args {
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
    /// For --alembic and --verify: the pg_dump that dumps the databases
    /// (default: one of the server's major version, found on the PATH or
    /// beside the server)
    #[arg(long, value_name = "PATH")]
    pg_dump: Option<String>,
    /// For --verify: differences to ignore, as for diff (column-order, ...)
    #[arg(long, value_delimiter = ',', value_parser = |s: &str| s.parse::<Ignore>())]
    ignore: Vec<Ignore>,
}

pub fn run(args: &Args) -> io::Result<u8> {
    if let Some(refusal) = needs_python(args) {
        say(format_args!("{refusal}"));
        return Ok(FAILURE);
    }
    if !args.data_tables.is_empty() && args.data_from.is_none() {
        say(format_args!(
            "--data-tables needs --data-from FULL_DUMP, the dump to take the rows from"
        ));
        return Ok(FAILURE);
    }
    let dump_name = args.dump.as_deref().unwrap_or("-");
    let dump = open_whole(dump_name)?;
    let data = args.data_from.as_deref().map(open_whole).transpose()?;
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
