//! `pgsplit diff`: two dumps compared object by object (see
//! [`crate::diff`]), as text, JSON or counts, and as an HTML report.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use clap::ValueEnum;
use serde::Serialize;

use super::args::IgnoreArg;
use super::reading::open_whole;
use super::{FINDING, SUCCESS};
use crate::color;
use crate::diff::{diff, ChangeKind, DiffReport};
use crate::normalize::NormalizeOptions;
use crate::terminal::shown_str;

pub const AFTER_HELP: &str = "Objects are matched by pg_dump's header (type, schema, name), or by the\ncommand and the name it acts on; order never matters.\n\nExample:\n  pgsplit diff chain.sql squashed.sql --ignore owner,acl";

#[derive(clap::Args)]
pub struct Args {
    /// The first dump (- for standard input)
    a: String,
    /// The second dump
    b: String,
    #[command(flatten)]
    ignore: IgnoreArg,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also write a self-contained side-by-side HTML report to FILE
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Objects only in A, only in B, and changed with a unified diff
    Text,
    /// One JSON object, for tools
    Json,
    /// Counts by object type
    Summary,
}

/// Both dumps are read whole (mapped, or into memory from a stream):
/// objects are matched across each.
pub fn run(args: Args) -> io::Result<u8> {
    let (a, b) = (&args.a, &args.b);
    let (input_a, input_b) = (open_whole(a)?, open_whole(b)?);
    let report = diff(
        &input_a,
        &input_b,
        &NormalizeOptions {
            ignore: args.ignore.ignore,
            ..NormalizeOptions::default()
        },
    );
    if let Some(path) = &args.html {
        std::fs::write(path, crate::report::html(&report, a, b)).map_err(|e| {
            io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
        })?;
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match args.format {
        Format::Text => write_diff_text(&mut out, &report, a, b)?,
        Format::Json => write_diff_json(&mut out, &report)?,
        Format::Summary => write_diff_summary(&mut out, &report)?,
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
