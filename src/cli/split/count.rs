//! `--format count`: the number of statements, and nothing kept of them.

use std::io::{self, Write};

use crate::search::{Place, Sink, Summary};
use crate::Statement;

#[derive(Default)]
pub struct Count(usize);

impl Sink for Count {
    fn statement(&mut self, _: &mut Place<'_>, _: &Statement, _: bool) -> io::Result<()> {
        self.0 += 1;
        Ok(())
    }

    fn finish(&mut self, _: &mut Place<'_>, _: &Summary) -> io::Result<()> {
        let mut out = crate::cli::output::stdout();
        writeln!(out, "{}", self.0)?;
        out.flush()
    }
}
