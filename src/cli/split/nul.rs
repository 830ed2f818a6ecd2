//! `--format nul`: statement texts separated by NUL bytes, for `xargs -0`
//! and other readers of NUL-separated records.

use std::io::{self, Write};

use crate::cli::output::{buffered_stdout, Out};
use crate::search::{Place, Sink, Summary};
use crate::Statement;

pub struct Nul {
    out: Out,
    written: usize,
}

impl Nul {
    pub fn new() -> Self {
        Nul {
            out: buffered_stdout(),
            written: 0,
        }
    }
}

impl Sink for Nul {
    fn statement(
        &mut self,
        place: &mut Place<'_>,
        statement: &Statement,
        _: bool,
    ) -> io::Result<()> {
        if self.written > 0 {
            self.out.write_all(b"\0")?;
        }
        self.written += 1;
        self.out.write_all(&statement.text(place.input))
    }

    fn finish(&mut self, _: &mut Place<'_>, _: &Summary) -> io::Result<()> {
        self.out.flush()
    }
}
