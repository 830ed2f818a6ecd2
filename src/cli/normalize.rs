//! `pgsplit normalize`: a canonical text of a dump, for comparing dumps
//! (see [`crate::normalize`]).

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use super::args::{or_standard_input, IgnoreArg, JobsArg};
use super::output::stdout;
use super::reading::open_whole;
use super::SUCCESS;
use crate::normalize::{normalize_to, NormalizeOptions};

pub const AFTER_HELP: &str = "Always left out: the \\restrict lines, trailing whitespace, blank lines.\n\nExamples:\n  pgsplit normalize dump.sql --ignore owner,acl --sort -o dump.norm.sql\n\nAs a git diff driver for dumps (.gitattributes: *.sql diff=pgdump):\n  git config diff.pgdump.textconv 'pgsplit normalize --ignore owner,acl'";

#[derive(clap::Args)]
pub struct Args {
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
    #[command(flatten)]
    jobs: JobsArg,
}

/// The whole dump is read (mapped, or into memory from a stream): the
/// normalized text borrows COPY rows from it, and `--sort` orders entries
/// across it. Its statements are split and normalized chunk by chunk.
pub fn run(args: Args) -> io::Result<u8> {
    let file = or_standard_input(args.file);
    let input = open_whole(&file)?;
    let options = NormalizeOptions {
        ignore: args.ignore.ignore,
        sort: args.sort,
        jobs: args.jobs.capped(),
    };
    match &args.output {
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
