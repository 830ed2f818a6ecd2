//! `pgsplit split`: the statements of a script, in one of several formats.
//!
//! Each format is a [`Sink`] of its own file; [`Warnings`] wraps it to tell
//! the splitter's warnings on standard error. A new format is a new file
//! here, a variant of [`Format`] and a line in [`run`].

mod count;
mod json;
mod nul;
mod out_dir;
mod sql;
mod warnings;

use std::io;
use std::path::PathBuf;

use clap::ValueEnum;

use super::args::{or_standard_input, CompatArg, JobsArg};
use super::reading::search_file;
use super::SUCCESS;
use crate::parallel::Parallelism;
use crate::search::Sink;
use warnings::Warnings;

pub const EXAMPLES: &str = "Examples:\n  pgsplit split dump.sql\n  pgsplit split dump.sql --format jsonl | jq .tag\n  pgsplit split dump.sql.gz --out-dir statements/\n  cat dump.sql | pgsplit split - --format count";

#[derive(clap::Args)]
pub struct Args {
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
    #[command(flatten)]
    jobs: JobsArg,
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

pub fn run(args: Args) -> io::Result<u8> {
    let file = or_standard_input(args.file);
    let parallelism = Parallelism {
        jobs: args.jobs.capped(),
        ..Parallelism::default()
    };
    let output: Box<dyn Sink> = match (&args.out_dir, args.format) {
        (Some(dir), _) => Box::new(out_dir::OutDir::new(dir.clone())),
        (None, Format::Sql) => Box::new(sql::Sql::new()),
        (None, Format::Jsonl) => Box::new(json::Json::lines()),
        (None, Format::Json) => Box::new(json::Json::array()),
        (None, Format::Nul) => Box::new(nul::Nul::new()),
        (None, Format::Count) => Box::new(count::Count::default()),
    };
    let mut sink = Warnings::new(&file, output);
    search_file(
        &file,
        &args.compat.options(),
        &parallelism,
        "splitting",
        &mut sink,
    )?;
    Ok(SUCCESS)
}
