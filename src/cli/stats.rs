//! `pgsplit stats`: counts by kind, command and pg_dump object type, with
//! sizes and speed, in flat memory: [`Stats`] is the search's sink.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::time::Instant;

use clap::ValueEnum;
use serde::Serialize;

use super::args::{or_standard_input, CompatArg};
use super::output::{display_name, stdout};
use super::reading::search_file;
use super::SUCCESS;
use crate::parallel::Parallelism;
use crate::search::{Place, Sink, Summary};
use crate::{Diagnostic, Statement};

#[derive(clap::Args)]
pub struct Args {
    /// The script to measure (- or none for standard input)
    file: Option<String>,
    /// Output format: text, or one JSON object
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    compat: CompatArg,
}

/// How `stats` prints its counts.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Aligned lines for people
    Text,
    /// One JSON object: file, bytes, statements, by_kind, copy_bytes,
    /// diagnostics, by_command, by_object_type, seconds
    Json,
}

pub fn run(args: Args) -> io::Result<u8> {
    let file = or_standard_input(args.file);
    // Timed from here: reading the input (mapping a file, decompressing a
    // stream) is part of the time.
    let mut stats = Stats::new(Instant::now());
    let options = args.compat.options();
    search_file(
        &file,
        &options,
        &Parallelism::default(),
        "counting",
        &mut stats,
    )?;
    let mut out = stdout();
    match args.format {
        Format::Text => stats.write(&mut out, &file)?,
        Format::Json => {
            serde_json::to_writer(&mut out, &stats.json(&file))?;
            out.write_all(b"\n")?;
        }
    }
    Ok(SUCCESS)
}

impl Sink for Stats {
    fn diagnostic(&mut self, _: &mut Place<'_>, _: &Diagnostic) -> io::Result<()> {
        self.diagnostics += 1;
        Ok(())
    }

    fn statement(
        &mut self,
        place: &mut Place<'_>,
        statement: &Statement,
        _: bool,
    ) -> io::Result<()> {
        self.count(place.input, statement);
        Ok(())
    }

    fn copy_rows(&mut self, _: &mut Place<'_>, _: u64, rows: &[u8]) -> io::Result<()> {
        self.copy_bytes += rows.len() as u64;
        Ok(())
    }

    fn finish(&mut self, _: &mut Place<'_>, summary: &Summary) -> io::Result<()> {
        self.bytes = summary.bytes;
        Ok(())
    }
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

/// What `stats` prints: counts by kind, command and pg_dump object type.
struct Stats {
    bytes: u64,
    statements: usize,
    by_kind: BTreeMap<&'static str, usize>,
    by_tag: HashMap<String, usize>,
    by_type: HashMap<Vec<u8>, usize>,
    copy_bytes: u64,
    diagnostics: usize,
    /// When reading started.
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
