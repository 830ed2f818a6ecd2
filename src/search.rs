//! One search over any input, pushing what it finds into a [`Sink`].
//!
//! Every command that reads a script (`split` in each format, `check`,
//! `stats`) is a sink: a small type that is told each statement, each
//! diagnostic and the rows of a streamed COPY, in input order, and decides
//! what to print. [`search`] is the one place that chooses how to read:
//!
//! - a whole input ([`Source::Bytes`], a mapped file) is cut into chunks
//!   split on every core ([`crate::parallel::split_chunks`]), a few chunks
//!   in memory at a time;
//! - a stream ([`Source::Reader`]: standard input, a pipe, a compressed file)
//!   goes through [`crate::stream::StreamSplitter`]'s window of fixed size,
//!   and a COPY whose rows run past the window reaches the sink as its
//!   statement, then [`Sink::copy_rows`] in pieces, then [`Sink::copy_end`].
//!
//! Both tell the sink the same statements with the same offsets (the stream
//! tests and the snapshot tests hold them to it), so a sink is written once.
//! This is the shape of ripgrep's searcher and sinks: the search knows
//! inputs, the sinks know outputs, and neither knows the other's cases.
//!
//! Events come in batches (a chunk, or what one window gave): the
//! diagnostics of a batch first, then its statements, then
//! [`Sink::batch_end`]. A [`Place`] lends the batch's bytes and its line
//! numbers; after `batch_end` they are gone, so a sink that prints line
//! numbers finds them by then.
//!
//! ```
//! use pgsplit::search::{search, Place, Sink, Source};
//! use pgsplit::Statement;
//!
//! struct Tags(Vec<String>);
//!
//! impl Sink for Tags {
//!     fn statement(&mut self, _: &mut Place<'_>, s: &Statement, _rows_follow: bool) -> std::io::Result<()> {
//!         self.0.push(s.tag.to_string());
//!         Ok(())
//!     }
//! }
//!
//! let mut tags = Tags(Vec::new());
//! let input = b"CREATE TABLE t (a int);\nCOPY t FROM stdin;\n1\n\\.\n";
//! search(Source::Bytes(input), &Default::default(), &Default::default(), &mut tags).unwrap();
//! assert_eq!(tags.0, ["CREATE TABLE", "COPY"]);
//! ```

use std::cell::OnceCell;
use std::io::{self, Read};

use crate::input::Watched;
use crate::lines::LineCounter;
use crate::parallel::{split_chunks, ChunkCounts, Parallelism};
use crate::progress::Progress;
use crate::stream::{StreamEvent, StreamSplitter, WindowLines};
use crate::{Diagnostic, SplitOptions, Statement};

/// What to search.
pub enum Source<'a> {
    /// A whole input, in memory or mapped.
    Bytes(&'a [u8]),
    /// A stream, read once from start to end.
    Reader(Box<dyn Read + 'a>),
}

/// The bytes an event's offsets point into, and their line numbers.
pub struct Place<'a> {
    /// What statements' spans index: the whole input, or the stream's window.
    pub input: &'a [u8],
    /// The stream offset `input` starts at (0 for a whole input).
    /// Diagnostics' offsets count from the stream's start, statements' spans
    /// from `input`'s.
    pub base: u64,
    lines: Lines<'a>,
    not_utf8: &'a dyn Fn() -> Option<u64>,
}

enum Lines<'a> {
    Whole(&'a mut LineCounter),
    Window(WindowLines<'a>),
}

/// Where a statement is: its first line and column and its last line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub col: usize,
    pub end_line: usize,
}

impl Place<'_> {
    /// The 1-based line and column of a stream offset in this batch (asked
    /// mostly in increasing order: lines are counted forwards).
    pub fn line_col(&mut self, stream_offset: u64) -> (usize, usize) {
        match &mut self.lines {
            Lines::Whole(counter) => counter.line_col(self.input, stream_offset as usize),
            Lines::Window(window) => window.line_col_at(stream_offset),
        }
    }

    /// Where `statement`, one of this batch's, is.
    pub fn position(&mut self, statement: &Statement) -> Position {
        let span = &statement.span;
        let (line, col) = self.line_col(self.base + span.start as u64);
        let last = span.end.saturating_sub(1).max(span.start);
        let end_line = self.line_col(self.base + last as u64).0;
        Position {
            line,
            col,
            end_line,
        }
    }

    /// The stream offset where the input stops being UTF-8, if it does as
    /// far as it has been read (a whole input: anywhere).
    pub fn not_utf8_at(&self) -> Option<u64> {
        (self.not_utf8)()
    }
}

/// What a search read, told to [`Sink::finish`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    /// Bytes of input. Where it stops being UTF-8 is
    /// [`Place::not_utf8_at`], asked of the place `finish` is given: found
    /// only for a sink that asks.
    pub bytes: u64,
    /// How a whole input was cut into chunks (none for a stream).
    pub chunks: ChunkCounts,
}

/// What a search tells, in input order. Only [`Sink::statement`] must be
/// written; a sink that stops early returns an error, which ends the search.
pub trait Sink {
    /// A diagnostic of the splitter, before the statements of its batch.
    fn diagnostic(&mut self, _place: &mut Place<'_>, _diagnostic: &Diagnostic) -> io::Result<()> {
        Ok(())
    }

    /// A statement. `rows_follow`: a COPY whose rows the stream hands out
    /// later, through [`Sink::copy_rows`] and [`Sink::copy_end`]; otherwise
    /// its rows, if any, are in `statement.copy_data()`.
    fn statement(
        &mut self,
        place: &mut Place<'_>,
        statement: &Statement,
        rows_follow: bool,
    ) -> io::Result<()>;

    /// Rows of the streamed COPY, whole lines, at stream offset `offset`.
    fn copy_rows(&mut self, _place: &mut Place<'_>, _offset: u64, _rows: &[u8]) -> io::Result<()> {
        Ok(())
    }

    /// The end of the streamed COPY's rows: `data_end` is the stream offset
    /// after its last row, `end` after its `\.` line (where its statement
    /// ends). Its diagnostic, if any, came just before.
    fn copy_end(&mut self, _place: &mut Place<'_>, _data_end: u64, _end: u64) -> io::Result<()> {
        Ok(())
    }

    /// The batch has been told; `place` still lends its bytes.
    fn batch_end(&mut self, _place: &mut Place<'_>) -> io::Result<()> {
        Ok(())
    }

    /// The input has ended; `place` lends the last batch's bytes.
    fn finish(&mut self, _place: &mut Place<'_>, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}

/// Why a search stopped early.
#[derive(Debug)]
pub enum SearchError {
    /// The input could not be read (or holds a statement too large to hold).
    Read(io::Error),
    /// The sink failed, most often writing its output.
    Sink(io::Error),
}

/// Splits `source` and tells `sink` everything found; see the module
/// documentation. `progress` names the work for a progress bar, shown for
/// a large whole input on a terminal.
pub fn search(
    source: Source<'_>,
    options: &SplitOptions,
    parallelism: &Parallelism,
    sink: &mut dyn Sink,
) -> Result<Summary, SearchError> {
    search_showing(source, options, parallelism, None, sink)
}

/// [`search`], with a progress bar labelled `progress` for a large whole
/// input on a terminal.
pub fn search_showing(
    source: Source<'_>,
    options: &SplitOptions,
    parallelism: &Parallelism,
    progress: Option<&'static str>,
    sink: &mut dyn Sink,
) -> Result<Summary, SearchError> {
    match source {
        Source::Bytes(input) => search_bytes(input, options, parallelism, progress, sink),
        Source::Reader(reader) => search_stream(reader, options, sink),
    }
}

fn search_bytes(
    input: &[u8],
    options: &SplitOptions,
    parallelism: &Parallelism,
    progress: Option<&'static str>,
    sink: &mut dyn Sink,
) -> Result<Summary, SearchError> {
    let progress = progress.map(|what| Progress::new(input.len(), what));
    let not_utf8 = OnceCell::new();
    let not_utf8_at = || {
        *not_utf8.get_or_init(|| {
            std::str::from_utf8(input)
                .err()
                .map(|e| e.valid_up_to() as u64)
        })
    };
    let mut lines = LineCounter::new();
    let mut failed = None;
    let chunks = split_chunks(input, options, parallelism, |chunk| {
        let mut place = Place {
            input,
            base: 0,
            lines: Lines::Whole(&mut lines),
            not_utf8: &not_utf8_at,
        };
        let mut tell = || -> io::Result<()> {
            for diagnostic in &chunk.diagnostics {
                sink.diagnostic(&mut place, diagnostic)?;
            }
            for statement in &chunk.statements {
                sink.statement(&mut place, statement, false)?;
            }
            sink.batch_end(&mut place)
        };
        let told = match &progress {
            Some(progress) => {
                if let Some(last) = chunk.statements.last() {
                    progress.set(last.span.end);
                }
                progress.suspend(tell)
            }
            None => tell(),
        };
        crate::parallel::stop_on_error(told, &mut failed)
    });
    drop(progress);
    if let Some(error) = failed {
        return Err(SearchError::Sink(error));
    }
    let summary = Summary {
        bytes: input.len() as u64,
        chunks,
    };
    let mut place = Place {
        input,
        base: 0,
        lines: Lines::Whole(&mut lines),
        not_utf8: &not_utf8_at,
    };
    sink.finish(&mut place, &summary)
        .map_err(SearchError::Sink)?;
    Ok(summary)
}

fn search_stream(
    reader: Box<dyn Read + '_>,
    options: &SplitOptions,
    sink: &mut dyn Sink,
) -> Result<Summary, SearchError> {
    let mut stream = StreamSplitter::new(Watched::new(reader), options);
    while let Some((event, lines, watched)) =
        stream.next_event_with_lines().map_err(SearchError::Read)?
    {
        let (input, base) = match &event {
            StreamEvent::Statements { base, input, .. }
            | StreamEvent::CopyStart { base, input, .. } => (*input, *base),
            StreamEvent::CopyData { .. } | StreamEvent::CopyEnd { .. } => (&[][..], 0),
        };
        // As far as the reader has read: it runs ahead of the events, and
        // what it has read is still in the window.
        let not_utf8_at = || watched.utf8.found();
        let mut place = Place {
            input,
            base,
            lines: Lines::Window(lines),
            not_utf8: &not_utf8_at,
        };
        tell_stream_event(sink, &mut place, event).map_err(SearchError::Sink)?;
    }
    let watched = stream.get_ref();
    let summary = Summary {
        bytes: watched.bytes,
        chunks: ChunkCounts::default(),
    };
    let not_utf8 = watched.utf8.found().or(watched.utf8.at_end());
    let not_utf8_at = || not_utf8;
    let (input, base, lines) = stream.lent_with_lines();
    let mut place = Place {
        input,
        base,
        lines: Lines::Window(lines),
        not_utf8: &not_utf8_at,
    };
    sink.finish(&mut place, &summary)
        .map_err(SearchError::Sink)?;
    Ok(summary)
}

fn tell_stream_event(
    sink: &mut dyn Sink,
    place: &mut Place<'_>,
    event: StreamEvent<'_>,
) -> io::Result<()> {
    match event {
        StreamEvent::Statements {
            statements,
            diagnostics,
            ..
        } => {
            for diagnostic in diagnostics {
                sink.diagnostic(place, diagnostic)?;
            }
            for statement in statements {
                sink.statement(place, statement, false)?;
            }
        }
        StreamEvent::CopyStart {
            statement,
            diagnostics,
            ..
        } => {
            for diagnostic in diagnostics {
                sink.diagnostic(place, diagnostic)?;
            }
            sink.statement(place, statement, true)?;
        }
        StreamEvent::CopyData { offset, rows } => return sink.copy_rows(place, offset, rows),
        StreamEvent::CopyEnd {
            data_end,
            end,
            diagnostic,
        } => {
            if let Some(diagnostic) = &diagnostic {
                sink.diagnostic(place, diagnostic)?;
            }
            sink.copy_end(place, data_end, end)?;
        }
    }
    sink.batch_end(place)
}
