//! Splitting a stream (standard input, a gzip or zstd file, any `Read`) in
//! memory that does not grow with the input.
//!
//! The stream is read into a window. The splitter runs over the window and
//! keeps only what no later byte can change: the statements before the first
//! decision that read up to the window's end (a token cut by the window, a
//! COPY whose `\.` line has not arrived, a look for the next line). The rest
//! is split again once more bytes have arrived. A statement longer than the
//! window grows the window; COPY data never does: a COPY whose data runs past
//! the window is handed out as its command, then its rows in pieces of whole
//! lines, then its end, scanning for the `\.` line with memchr.
//!
//! The result is the slice splitter's, statement for statement (the tests
//! compare them), with offsets counted from the start of the stream.

use std::io::{self, Read};

use crate::diagnostic::Code;
use crate::lexer::{is_whitespace, Span};
use crate::lines::LineCount;
use crate::split::{
    find_copy_end, split_run, Boundary, Diagnostic, ResumePoint, Run, Script, SplitOptions,
    Statement, StatementKind,
};

/// What a stream yields, in order.
#[derive(Debug)]
pub enum StreamEvent<'a> {
    /// Statements and diagnostics found in `input`, the part of the stream
    /// that starts at offset `base`: their offsets are into `input`.
    Statements {
        base: u64,
        input: &'a [u8],
        statements: &'a [Statement],
        diagnostics: &'a [Diagnostic],
    },
    /// A COPY whose data runs past the window: the statement (without
    /// `copy_data`) and what was found about it. Its rows follow as
    /// [`StreamEvent::CopyData`], then [`StreamEvent::CopyEnd`].
    CopyStart {
        base: u64,
        input: &'a [u8],
        statement: &'a Statement,
        diagnostics: &'a [Diagnostic],
    },
    /// Rows of the COPY in progress, whole lines, at stream offset `offset`.
    CopyData { offset: u64, rows: &'a [u8] },
    /// The end of the COPY's data: `end` is the stream offset after the `\.`
    /// (where the statement ends), `data_end` where the rows end. Without a
    /// `\.` line the data ran to the end of the stream.
    CopyEnd {
        data_end: u64,
        end: u64,
        diagnostic: Option<Diagnostic>,
    },
}

/// The window a stream is read into, unless a statement needs more.
pub const WINDOW: usize = 1 << 20;

/// The largest statement (or COPY row) a stream holds by default: one
/// endless statement (gigabytes of NUL bytes in a small `.gz`) must end in
/// an error, not in a failed allocation.
pub const MAX_STATEMENT_BYTES: usize = 1 << 30;

/// A statement (or COPY row) larger than [`SplitOptions::max_statement_bytes`]:
/// the error a stream's reader sees, inside an [`io::Error`] of kind
/// `InvalidData`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLarge {
    /// `"statement"` or `"COPY row"`.
    pub what: &'static str,
    /// Where it starts.
    pub line: usize,
    pub col: usize,
    pub limit: usize,
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}: a {} larger than {} bytes, the most pgsplit holds in memory (raise it with \
             --max-statement-bytes if the input is what you meant)",
            self.line, self.what, self.limit
        )
    }
}

impl std::error::Error for TooLarge {}

/// Splits what a reader yields; see the module documentation.
pub struct StreamSplitter<R> {
    reader: R,
    options: SplitOptions,
    window: usize,
    initial_window: usize,
    /// How far the window may grow for one statement or COPY row.
    max_statement: usize,
    /// The unread window: `buffer[at..]` is input not yet handed out, and
    /// `buffer[i]` is at stream offset `base + i`, except for the `front`
    /// bytes copied from further back (see `discard_read`).
    buffer: Vec<u8>,
    base: u64,
    front: usize,
    at: usize,
    /// Whether the buffer has moved from the stream's start.
    moved: bool,
    state: Boundary,
    eof: bool,
    mode: Mode,
    /// Line numbers: counted as far as asked (`lines`), and as far as the
    /// buffer's front (`front_lines`), which is where a step back restarts.
    lines: LineCount,
    front_lines: LineCount,
    /// What the last event lends out.
    statements: Vec<Statement>,
    diagnostics: Vec<Diagnostic>,
}

/// What [`StreamSplitter::advance`] made ready to lend.
enum Ready {
    Statements,
    CopyStart,
    CopyData(std::ops::Range<usize>),
    CopyEnd {
        data_end: u64,
        end: u64,
        diagnostic: Option<Diagnostic>,
    },
    /// Nothing yet: advance again.
    Again,
    End,
}

enum Mode {
    Splitting,
    /// Inside the rows of a COPY: where the next rows start in the buffer,
    /// the state after the COPY, and the COPY's start for a diagnostic.
    Copying {
        rows_at: usize,
        after: Boundary,
        /// What the splitter said of the COPY running to the buffer's end,
        /// which stands if it runs to the stream's end.
        missing_end: Option<Diagnostic>,
    },
    Done,
}

impl<R: Read> StreamSplitter<R> {
    pub fn new(reader: R, options: &SplitOptions) -> Self {
        Self::with_window(reader, options, WINDOW)
    }

    /// A splitter that reads `window` bytes at a time (tests make it tiny).
    pub fn with_window(reader: R, options: &SplitOptions, window: usize) -> Self {
        StreamSplitter {
            reader,
            options: *options,
            window: window.max(1),
            initial_window: window.max(1),
            max_statement: options.max_statement_bytes.max(1),
            buffer: Vec::new(),
            base: 0,
            front: 0,
            at: 0,
            moved: false,
            lines: LineCount::default(),
            front_lines: LineCount::default(),
            state: Boundary::start(options),
            eof: false,
            mode: Mode::Splitting,
            statements: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// The reader, as far as it has been read.
    pub fn get_ref(&self) -> &R {
        &self.reader
    }

    /// The 1-based line and column of a byte of the buffer lent by the last
    /// event (`offset` as in its statements' spans).
    pub fn line_col(&mut self, offset: usize) -> (usize, usize) {
        self.lines_of_window().line_col(offset)
    }

    /// The 1-based line and column of a stream offset in the buffer lent by
    /// the last event (diagnostics carry stream offsets).
    pub fn line_col_at(&mut self, stream_offset: u64) -> (usize, usize) {
        self.lines_of_window().line_col_at(stream_offset)
    }

    fn lines_of_window(&mut self) -> WindowLines<'_> {
        self.lent_with_lines().2
    }

    /// The buffer the last event lent, the stream offset its spans count
    /// from, and its line numbers: for looking at it again after the event.
    pub fn lent_with_lines(&mut self) -> (&[u8], u64, WindowLines<'_>) {
        let lines = WindowLines {
            buffer: &self.buffer,
            base: self.base,
            front: self.front,
            lines: &mut self.lines,
            front_lines: &self.front_lines,
        };
        (&self.buffer, self.base, lines)
    }

    /// The next event, or `None` at the end of the stream.
    pub fn next_event(&mut self) -> io::Result<Option<StreamEvent<'_>>> {
        Ok(self.next_event_with_lines()?.map(|(event, _, _)| event))
    }

    /// The next event, the line numbers of the bytes it lends and the reader
    /// as far as it has been read, or `None` at the end of the stream.
    #[allow(clippy::type_complexity)]
    pub fn next_event_with_lines(
        &mut self,
    ) -> io::Result<Option<(StreamEvent<'_>, WindowLines<'_>, &R)>> {
        let ready = loop {
            match self.advance()? {
                Ready::Again => continue,
                Ready::End => return Ok(None),
                ready => break ready,
            }
        };
        let event = match ready {
            Ready::CopyStart => StreamEvent::CopyStart {
                base: self.base,
                input: &self.buffer,
                statement: &self.statements[0],
                diagnostics: &self.diagnostics,
            },
            Ready::CopyData(rows) => StreamEvent::CopyData {
                offset: self.base + rows.start as u64,
                rows: &self.buffer[rows],
            },
            Ready::CopyEnd {
                data_end,
                end,
                diagnostic,
            } => StreamEvent::CopyEnd {
                data_end,
                end,
                diagnostic,
            },
            Ready::Statements | Ready::Again | Ready::End => StreamEvent::Statements {
                base: self.base,
                input: &self.buffer,
                statements: &self.statements,
                diagnostics: &self.diagnostics,
            },
        };
        let lines = WindowLines {
            buffer: &self.buffer,
            base: self.base,
            front: self.front,
            lines: &mut self.lines,
            front_lines: &self.front_lines,
        };
        Ok(Some((event, lines, &self.reader)))
    }

    /// Reads and splits until an event is ready.
    fn advance(&mut self) -> io::Result<Ready> {
        match self.mode {
            Mode::Done => Ok(Ready::End),
            Mode::Splitting => self.split_window(),
            Mode::Copying { .. } => self.copy_rows(),
        }
    }

    fn split_window(&mut self) -> io::Result<Ready> {
        self.discard_read();
        self.fill()?;
        let from = ResumePoint {
            at: self.at,
            state: self.state.clone(),
            input_start: !self.moved,
        };
        if self.eof {
            let all = Run {
                from,
                stop_at: usize::MAX,
                track_settled: false,
            };
            let (script, _) = split_run(&self.buffer, &self.options, all, Script::default());
            self.mode = Mode::Done;
            self.at = self.buffer.len();
            return Ok(self.hold(script.statements, script.diagnostics));
        }
        let part = CertainPart::split(&self.buffer, &self.options, from);
        if part.stop > self.at {
            self.at = part.stop;
            self.state = part.state;
            self.window = self.initial_window;
            return Ok(self.hold(part.script.statements, part.script.diagnostics));
        }
        let Some(rows_at) = long_copy(&self.buffer, &part.uncertain) else {
            // One statement fills the window: read more.
            self.grow_window("statement")?;
            return Ok(Ready::Again);
        };
        let mut copy = part.uncertain.into_iter().next().expect("one COPY");
        copy.span.end = copy.command_end;
        copy.forget_copy_data();
        // The holes in the command (the `\` of a `\;` compound) stay; the
        // one from its end to the rows goes with the rows.
        let command_end = copy.command_end;
        copy.holes.retain(|hole| hole.end <= command_end);
        let (mut missing_end, diagnostics): (Vec<Diagnostic>, Vec<Diagnostic>) = part
            .uncertain_diagnostics
            .into_iter()
            .partition(is_missing_copy_end);
        let missing_end = missing_end.pop().map(|mut d| {
            d.offset += self.base as usize;
            d
        });
        self.mode = Mode::Copying {
            rows_at,
            after: part.end_state,
            missing_end,
        };
        self.hold(vec![copy], diagnostics);
        Ok(Ready::CopyStart)
    }

    /// Keeps statements and diagnostics to lend, if there are any.
    fn hold(&mut self, statements: Vec<Statement>, diagnostics: Vec<Diagnostic>) -> Ready {
        if statements.is_empty() && diagnostics.is_empty() {
            return Ready::Again;
        }
        self.statements = statements;
        // Statements are lent with their buffer; diagnostics alone, so they
        // carry stream offsets.
        let base = self.base as usize;
        self.diagnostics = diagnostics
            .into_iter()
            .map(|mut d| {
                d.offset += base;
                d
            })
            .collect();
        Ready::Statements
    }

    /// The next piece of the COPY in progress, or its end.
    fn copy_rows(&mut self) -> io::Result<Ready> {
        let Mode::Copying {
            rows_at,
            ref after,
            ref missing_end,
        } = self.mode
        else {
            return Ok(Ready::Again);
        };
        let (after, missing_end) = (after.clone(), missing_end.clone());
        let rows = &self.buffer[rows_at..];
        let continue_at = |rows_at| Mode::Copying {
            rows_at,
            after: after.clone(),
            missing_end: missing_end.clone(),
        };
        if let Some((data_end, resume)) = copy_end(rows) {
            let (data_end, resume) = (rows_at + data_end, rows_at + resume);
            if data_end > rows_at {
                self.mode = continue_at(data_end);
                return Ok(Ready::CopyData(rows_at..data_end));
            }
            self.state = after;
            self.at = resume;
            self.mode = Mode::Splitting;
            return Ok(Ready::CopyEnd {
                data_end: self.base + data_end as u64,
                // The statement ends after `\.`, before its line ending.
                end: self.base + data_end as u64 + 2,
                diagnostic: None,
            });
        }
        // Whole lines only, so that a `\.` line is never cut in two.
        let whole = memchr::memrchr(b'\n', rows).map_or(0, |i| i + 1);
        if whole > 0 {
            self.mode = continue_at(rows_at + whole);
            return Ok(Ready::CopyData(rows_at..rows_at + whole));
        }
        if self.eof {
            let end = self.base + self.buffer.len() as u64;
            if !rows.is_empty() {
                let all = rows_at..self.buffer.len();
                self.mode = continue_at(self.buffer.len());
                return Ok(Ready::CopyData(all));
            }
            self.at = self.buffer.len();
            self.mode = Mode::Done;
            return Ok(Ready::CopyEnd {
                data_end: end,
                end,
                diagnostic: missing_end,
            });
        }
        // Drop the rows handed out and read more; a row longer than the
        // window grows it.
        self.at = rows_at;
        self.mode = continue_at(rows_at);
        self.discard_read();
        if self.buffer.len().saturating_mul(2) > self.window {
            self.grow_window("COPY row")?;
        }
        if let Mode::Copying { rows_at, .. } = &mut self.mode {
            *rows_at = self.at;
        }
        self.fill()?;
        Ok(Ready::Again)
    }

    /// Drops the part of the buffer already handed out, but for what the
    /// carried state still refers to (the `\restrict` key, the pg_dump
    /// header in force): those few bytes are kept at the buffer's front, and
    /// the state's offsets moved with them.
    fn discard_read(&mut self) {
        if self.at <= self.front {
            return;
        }
        let at = self.at;
        let mut states: Vec<&mut Boundary> = vec![&mut self.state];
        if let Mode::Copying { after, .. } = &mut self.mode {
            states.push(after);
        }
        let mut kept: Vec<Span> = states
            .iter()
            .flat_map(|state| state.referenced())
            .filter(|span| span.start < at)
            .collect();
        kept.sort_by_key(|span| span.start);
        kept.dedup();
        let mut front = Vec::new();
        let mut moved: Vec<(Span, usize)> = Vec::new();
        for span in kept {
            moved.push((span.clone(), front.len()));
            front.extend_from_slice(&self.buffer[span]);
        }
        let front_len = front.len();
        let relocate = |offset: usize| {
            if offset >= at {
                return offset - at + front_len;
            }
            moved
                .iter()
                .find(|(span, _)| span.start <= offset && offset <= span.end)
                .map_or(0, |(span, new)| new + (offset - span.start))
        };
        for state in states {
            state.relocate(relocate);
        }
        // Count the lines of what is dropped, for line numbers after it.
        let counted = ((self.front_lines.at - self.base) as usize).clamp(self.front, at);
        self.front_lines
            .advance(&self.buffer[counted..at], self.base + counted as u64);
        if self.lines.at < self.front_lines.at {
            self.lines = self.front_lines.clone();
        }
        self.base = self.base + at as u64 - front_len as u64;
        self.buffer.splice(..at, front);
        self.front = front_len;
        self.at = front_len;
        self.moved = true;
    }

    /// Doubles the window for the `what` at `at` that fills it, unless that
    /// would pass the largest statement allowed.
    fn grow_window(&mut self, what: &'static str) -> io::Result<()> {
        let held = self.buffer.len() - self.at;
        if held >= self.max_statement {
            let (line, col) = self.line_col_at(self.base + self.at as u64);
            let too_large = TooLarge {
                what,
                line,
                col,
                limit: self.max_statement,
            };
            return Err(io::Error::new(io::ErrorKind::InvalidData, too_large));
        }
        self.window = self
            .window
            .max(self.buffer.len())
            .saturating_mul(2)
            .min(self.at + self.max_statement + 1);
        Ok(())
    }

    /// Reads until the buffer holds a window, or the stream ends.
    fn fill(&mut self) -> io::Result<()> {
        while !self.eof && self.buffer.len() < self.window {
            let have = self.buffer.len();
            self.buffer.resize(self.window, 0);
            match self.reader.read(&mut self.buffer[have..]) {
                Ok(0) => {
                    self.buffer.truncate(have);
                    self.eof = true;
                }
                Ok(n) => self.buffer.truncate(have + n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => self.buffer.truncate(have),
                Err(e) => {
                    self.buffer.truncate(have);
                    return Err(e);
                }
            }
        }
        Ok(())
    }
}

/// What of a buffer's statements no further input can change.
struct CertainPart {
    /// The statements and diagnostics up to `stop`.
    script: Script,
    /// Where the certain part ends: a statement boundary.
    stop: usize,
    state: Boundary,
    /// The statements and diagnostics after `stop`, which more input may
    /// change, and the state the whole buffer ended in.
    uncertain: Vec<Statement>,
    uncertain_diagnostics: Vec<Diagnostic>,
    end_state: Boundary,
}

impl CertainPart {
    /// Splits `buffer`, the input so far, from `from`, and keeps apart what
    /// is certain whatever bytes come after the buffer.
    fn split(buffer: &[u8], options: &SplitOptions, from: ResumePoint) -> Self {
        let run = Run {
            from,
            stop_at: usize::MAX,
            track_settled: true,
        };
        let (mut script, summary) = split_run(buffer, options, run, Script::default());
        let settled = summary.settled.expect("tracked");
        let uncertain = script.statements.split_off(settled.statements);
        let uncertain_diagnostics = script.diagnostics.split_off(settled.diagnostics);
        CertainPart {
            script,
            stop: settled.at,
            state: settled.state,
            uncertain,
            uncertain_diagnostics,
            end_state: summary.end,
        }
    }
}

/// Where the rows of a lone COPY that runs past the buffer start, if the
/// uncertain part is exactly that: one `COPY ... FROM stdin;` with one data
/// block, nothing else on its line, its rows unterminated in the buffer.
fn long_copy(buffer: &[u8], uncertain: &[Statement]) -> Option<usize> {
    let [copy] = uncertain else { return None };
    let rows = copy.copy_data()?;
    let alone_on_its_line = buffer[copy.command_end..rows.start]
        .iter()
        .all(|&b| is_whitespace(b));
    let single = copy.copy_blocks().count() == 1;
    // The command ended at its own `;` (not at the buffer's end, perhaps
    // after a `;` in a `--` comment) and its line at a newline in the buffer.
    let command_ended =
        copy.is_terminated() && rows.start > copy.command_end && buffer[rows.start - 1] == b'\n';
    (copy.kind == StatementKind::Copy
        && command_ended
        && alone_on_its_line
        && single
        && rows.end == buffer.len())
    .then_some(rows.start)
}

/// The end of COPY rows in `rows` (which start at a line start): where the
/// `\.` line starts and where the next line starts.
fn copy_end(rows: &[u8]) -> Option<(usize, usize)> {
    let block = find_copy_end(rows, 0);
    block.marker.map(|_| (block.data_end, block.resume))
}

fn is_missing_copy_end(diagnostic: &Diagnostic) -> bool {
    diagnostic.code == Code::CopyWithoutEnd
}

/// Line numbers of the bytes an event lends: counted forwards as far as
/// asked, from the window's front after a step back.
pub struct WindowLines<'a> {
    buffer: &'a [u8],
    base: u64,
    front: usize,
    lines: &'a mut LineCount,
    front_lines: &'a LineCount,
}

impl WindowLines<'_> {
    /// The 1-based line and column of a byte of the lent buffer.
    pub fn line_col(&mut self, offset: usize) -> (usize, usize) {
        let stream_offset = self.base + offset as u64;
        if stream_offset < self.lines.at {
            *self.lines = self.front_lines.clone();
        }
        // Counting never starts before the front: the buffer holds stream
        // bytes from there on.
        let from = ((self.lines.at - self.base) as usize).max(self.front);
        let to = offset.clamp(from, self.buffer.len());
        self.lines
            .advance(&self.buffer[from..to], self.base + from as u64);
        self.lines.line_col(stream_offset)
    }

    /// The 1-based line and column of a stream offset in the lent buffer.
    pub fn line_col_at(&mut self, stream_offset: u64) -> (usize, usize) {
        let offset = stream_offset
            .saturating_sub(self.base)
            .max(self.front as u64) as usize;
        self.line_col(offset.min(self.buffer.len()))
    }
}
