//! Opening a command's input once, searching it, and wording what went
//! wrong reading it.

use std::io;

use super::output::display_name;
use crate::input::{open_input, open_source, Input, Opened};
use crate::parallel::Parallelism;
use crate::search::{search_showing, SearchError, Sink, Source, Summary};
use crate::stream::TooLarge;
use crate::SplitOptions;

/// `file` whole: mapped, or read into memory if it is a stream.
pub fn open_whole(file: &str) -> io::Result<Input> {
    let name = display_name(file);
    crate::changed::mapping(name);
    let input = open_input(file).map_err(|e| io::Error::new(e.error.kind(), e.to_string()));
    if !matches!(input, Ok(Input::Mapped(_))) {
        crate::changed::not_mapped(name);
    }
    input
}

/// Searches `file` into `sink`: a plain file mapped and split on
/// `parallelism`'s threads, anything else streamed. `progress` labels the
/// bar a large file shows on a terminal.
pub fn search_file(
    file: &str,
    options: &SplitOptions,
    parallelism: &Parallelism,
    progress: &'static str,
    sink: &mut dyn Sink,
) -> io::Result<Summary> {
    let name = display_name(file);
    crate::changed::mapping(name);
    let opened = open_source(file).map_err(|e| io::Error::new(e.error.kind(), e.to_string()));
    let searched = match opened {
        Ok(Opened::Whole(input)) => search_showing(
            Source::Bytes(&input),
            options,
            parallelism,
            Some(progress),
            sink,
        ),
        Ok(Opened::Stream(reader)) => {
            crate::changed::not_mapped(name);
            search_showing(Source::Reader(reader), options, parallelism, None, sink)
        }
        Err(error) => {
            crate::changed::not_mapped(name);
            return Err(error);
        }
    };
    searched.map_err(|error| match error {
        SearchError::Read(error) => unreadable(file, error),
        SearchError::Sink(error) => error,
    })
}

/// A read error of a stream, saying which input it was; a statement too
/// large to hold is told as a finding at its place.
pub fn unreadable(file: &str, error: io::Error) -> io::Error {
    match too_large(&error).cloned() {
        Some(found) => io::Error::new(
            error.kind(),
            TooLargeIn {
                file: display_name(file).to_string(),
                found,
            },
        ),
        None => io::Error::new(
            error.kind(),
            format!("cannot read {}: {error}", display_name(file)),
        ),
    }
}

/// The statement too large to hold that `error` reports, if it does.
pub fn too_large(error: &io::Error) -> Option<&TooLarge> {
    let inner = error.get_ref()?;
    inner
        .downcast_ref::<TooLarge>()
        .or_else(|| inner.downcast_ref::<TooLargeIn>().map(|t| &t.found))
}

/// [`TooLarge`] in a named input, printed as a diagnostic.
#[derive(Debug)]
struct TooLargeIn {
    file: String,
    found: TooLarge,
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
