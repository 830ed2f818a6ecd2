//! The splitter's warnings and errors on standard error, beside any
//! format's output on standard output.
//!
//! A script can hold millions of findings of one kind (a line of a lone
//! `\` repeated, say): past [`SHOWN_PER_CODE`] of one code, the rest are
//! counted, and a note at the end says how many were not shown, so the
//! output stays readable and its cost does not grow with the repeats.
//! `pgsplit check --max-per-code 0` lists every one.

use std::io::{self, BufWriter, Write};

use crate::cli::output::{display_name, stderr, write_diagnostic};
use crate::color;
use crate::diagnostic::Code;
use crate::search::{Place, Sink, Summary};
use crate::terminal::Shown;
use crate::{Diagnostic, Severity, Statement};

/// The most diagnostics of one code written for one input.
pub const SHOWN_PER_CODE: usize = 100;

pub struct Warnings<'a> {
    file: &'a str,
    output: Box<dyn Sink + 'a>,
    err: Shown<BufWriter<io::StderrLock<'static>>>,
    colored: bool,
    /// Diagnostics of each code so far, in the order of [`Code::ALL`]: a
    /// count for each of millions of findings, without hashing the code.
    seen: Vec<usize>,
}

impl<'a> Warnings<'a> {
    pub fn new(file: &'a str, output: Box<dyn Sink + 'a>) -> Self {
        Warnings {
            file,
            output,
            err: stderr(),
            colored: color::stderr(),
            seen: vec![0; Code::ALL.len()],
        }
    }
}

impl Sink for Warnings<'_> {
    fn diagnostic(&mut self, place: &mut Place<'_>, diagnostic: &Diagnostic) -> io::Result<()> {
        if diagnostic.severity > Severity::Warning {
            return Ok(());
        }
        let seen = &mut self.seen[diagnostic.code.index()];
        *seen += 1;
        if *seen > SHOWN_PER_CODE {
            return Ok(());
        }
        let at = place.line_col(diagnostic.offset as u64);
        write_diagnostic(
            &mut self.err,
            self.colored,
            self.file,
            at,
            diagnostic,
            false,
        )
    }

    fn statement(
        &mut self,
        place: &mut Place<'_>,
        statement: &Statement,
        rows_follow: bool,
    ) -> io::Result<()> {
        self.output.statement(place, statement, rows_follow)
    }

    fn copy_rows(&mut self, place: &mut Place<'_>, offset: u64, rows: &[u8]) -> io::Result<()> {
        self.output.copy_rows(place, offset, rows)
    }

    fn copy_end(&mut self, place: &mut Place<'_>, data_end: u64, end: u64) -> io::Result<()> {
        self.output.copy_end(place, data_end, end)
    }

    fn batch_end(&mut self, place: &mut Place<'_>) -> io::Result<()> {
        self.err.flush()?;
        self.output.batch_end(place)
    }

    fn finish(&mut self, place: &mut Place<'_>, summary: &Summary) -> io::Result<()> {
        let unshown = Code::ALL
            .iter()
            .zip(&self.seen)
            .filter(|(_, &n)| n > SHOWN_PER_CODE)
            .map(|(&code, &n)| (code, n - SHOWN_PER_CODE));
        for (code, n) in unshown {
            writeln!(
                self.err,
                "{}: note: {n} more [{code}] diagnostics not shown; `pgsplit check --max-per-code 0` lists every one",
                display_name(self.file)
            )?;
        }
        self.err.flush()?;
        self.output.finish(place, summary)
    }
}
