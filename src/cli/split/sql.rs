//! `--format sql`: each statement as psql runs it, then a blank line; a COPY
//! with its rows and `\.`. The output runs in psql, and splits again into
//! the same statements.

use std::io::{self, Write};

use crate::cli::output::{buffered_stdout, Out};
use crate::search::{Place, Sink, Summary};
use crate::split::copy_end_marker;
use crate::Statement;

pub struct Sql {
    out: Out,
    runnable: Runnable,
}

impl Sql {
    pub fn new() -> Self {
        Sql {
            out: buffered_stdout(),
            runnable: Runnable::default(),
        }
    }
}

impl Sink for Sql {
    fn statement(
        &mut self,
        place: &mut Place<'_>,
        statement: &Statement,
        rows_follow: bool,
    ) -> io::Result<()> {
        self.runnable
            .statement(&mut self.out, place.input, statement)?;
        if !rows_follow {
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn copy_rows(&mut self, _: &mut Place<'_>, _: u64, rows: &[u8]) -> io::Result<()> {
        self.runnable.rows(&mut self.out, rows)
    }

    fn copy_end(&mut self, _: &mut Place<'_>, _: u64, _: u64) -> io::Result<()> {
        self.runnable.copy_end(&mut self.out)?;
        self.out.write_all(b"\n")
    }

    fn finish(&mut self, _: &mut Place<'_>, _: &Summary) -> io::Result<()> {
        self.out.flush()
    }
}

/// Writes statements as [`Statement::runnable`] gives them, then a newline;
/// a COPY whose rows stream, as its command, then its rows as they come,
/// then its end, which comes out the same.
#[derive(Default)]
pub struct Runnable {
    /// The last byte of the streamed rows so far.
    last_row_byte: Option<u8>,
}

impl Runnable {
    pub fn statement(
        &mut self,
        out: &mut impl Write,
        input: &[u8],
        statement: &Statement,
    ) -> io::Result<()> {
        self.last_row_byte = None;
        out.write_all(&statement.runnable(input))?;
        out.write_all(b"\n")
    }

    pub fn rows(&mut self, out: &mut impl Write, rows: &[u8]) -> io::Result<()> {
        if let Some(&last) = rows.last() {
            self.last_row_byte = Some(last);
        }
        out.write_all(rows)
    }

    /// As `Statement::runnable` ends a COPY: its rows end in a newline,
    /// then `\.`.
    pub fn copy_end(&mut self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(copy_end_marker(self.last_row_byte.as_slice()))?;
        out.write_all(b"\n")
    }
}
