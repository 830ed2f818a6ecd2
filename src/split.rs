//! The splitter: where psql ends one statement and starts the next.
//!
//! It walks the tokens of [`crate::lexer`] once, left to right, and keeps all
//! the state that spans tokens: parenthesis depth, the BEGIN ATOMIC depth of
//! SQL-standard function bodies, the `standard_conforming_strings` setting the
//! script has chosen, COPY data blocks, and psql's backslash meta-commands.
//! The rules are psql 18's (`psqlscan.l`, `mainloop.c`, `copy.c`) as written
//! down in the project's SPLITTING spec; [`Compat::Psql`] keeps psql's quirks,
//! [`Compat::Default`] fixes the ones the server's grammar proves wrong.
//!
//! Design notes:
//! - A statement is a span of the input plus *holes*: bytes inside the span
//!   that are not part of the statement's text. psql produces them in three
//!   places: the backslash of `\;` and `\:`, a meta-command line in the middle
//!   of a statement (it runs at once and never reaches the server), and the
//!   rest of a `COPY ... FROM stdin;` line, whose statements psql runs only
//!   after the data. With holes, every byte of input is owned by at most one
//!   statement and the rest is trivia; [`partition`] returns that division.
//! - Statements are reported in the order psql executes them, which is input
//!   order except for those two psql orderings (a meta-command inside a
//!   statement, statements after a COPY on its own line).
//! - The splitter never fails. Unterminated constructs end the input, as in
//!   psql, and are reported as diagnostics that point to where they opened.
//! - COPY data is not lexed: the end-of-data line is found with memchr's
//!   substring search, so COPY-heavy dumps cost little more than a scan.

use std::borrow::Cow;
use std::cell::Cell;

use crate::lexer::scan::{
    closing_quote, find_interesting, glued_word_start, glues_to_quote, word_end,
};
use crate::lexer::{
    first_token, is_ident_start, is_whitespace, line_end, whitespace_len, LexMode, Span, TokenKind,
};
use crate::meta::{self, Effect, MetaCommand};
use crate::tag::{command_tag, MAX_WORDS};
use crate::toc::{parse_header, Toc};

/// Which rules decide where statements end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compat {
    /// psql's rules, except where psql contradicts the server's grammar:
    /// a BEGIN ATOMIC body opens only at `BEGIN ATOMIC`, `CASE`/`END` after
    /// `.` or `AS` are names, and empty or comment-only statements are trivia.
    #[default]
    Default,
    /// psql 18's behaviour exactly, quirks included.
    Psql,
}

/// How to split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitOptions {
    pub compat: Compat,
    /// `standard_conforming_strings` at the start of the script (on unless the
    /// caller knows the server runs with it off).
    pub standard_strings: bool,
    /// Lex every token, instead of skipping over the bytes that cannot end or
    /// change a statement once its leading words are known. Slower and with the
    /// same result: it exists so tests can prove the fast path changes nothing.
    pub lex_every_token: bool,
    /// The largest statement (or COPY row) a stream holds in memory; a
    /// larger one is an error. A slice in memory needs no such bound.
    pub max_statement_bytes: usize,
}

impl Default for SplitOptions {
    fn default() -> Self {
        SplitOptions {
            compat: Compat::Default,
            standard_strings: true,
            lex_every_token: false,
            max_statement_bytes: crate::stream::MAX_STATEMENT_BYTES,
        }
    }
}

/// What a statement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementKind {
    /// SQL for the server.
    Sql,
    /// `COPY ... FROM stdin` with the data that follows it.
    Copy,
    /// A psql backslash meta-command (`\restrict`, `\connect`, `\copy`...).
    Meta,
}

impl StatementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StatementKind::Sql => "sql",
            StatementKind::Copy => "copy",
            StatementKind::Meta => "meta",
        }
    }
}

/// One statement, as spans into the input it was split from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub kind: StatementKind,
    /// From the first token through the terminating `;` (for `copy`, through
    /// the `\.` line; for `meta`, the command itself or, for `\copy`, its data).
    pub span: Span,
    /// Bytes inside `span` that belong to something else, in order.
    pub holes: Vec<Span>,
    /// Where the statement's own text ends: `span.end`, except for `copy` and
    /// `\copy`, whose command ends before the data.
    pub command_end: usize,
    /// The command: `CREATE TABLE`, `SET`, `COPY`, or `\restrict` for meta.
    pub tag: Cow<'static, str>,
    /// pg_dump's header for the archive entry this statement belongs to,
    /// shared by the statements of that entry.
    pub toc: Option<Toc>,
    /// What few statements have, kept out of line so the common statement
    /// stays small (a dump has one statement per ~150 bytes).
    rare: Option<Box<Rare>>,
}

/// The parts of a statement that only some statements have.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Rare {
    meta: Option<MetaCommand>,
    /// The data rows of each COPY, in order (one block but in a `\;`
    /// compound).
    copy_data: Vec<Span>,
    variables: Vec<Span>,
    incomplete: bool,
    /// Sent by the end of the input or by a meta-command such as `\g`,
    /// not by a `;` of its own.
    unterminated: bool,
}

impl Statement {
    fn new(kind: StatementKind, span: Span, tag: Cow<'static, str>) -> Self {
        Statement {
            kind,
            command_end: span.end,
            span,
            holes: Vec::new(),
            tag,
            toc: None,
            rare: None,
        }
    }

    fn rare_mut(&mut self) -> &mut Rare {
        self.rare.get_or_insert_with(Box::default)
    }

    /// For `meta`: the parsed command.
    pub fn meta(&self) -> Option<&MetaCommand> {
        self.rare.as_ref().and_then(|r| r.meta.as_ref())
    }

    /// For `copy`: the data rows (without the `\.` line).
    pub fn copy_data(&self) -> Option<&Span> {
        self.rare.as_ref().and_then(|r| r.copy_data.first())
    }

    /// Further COPY data blocks, one per further `COPY ... FROM STDIN` in a
    /// psql `\;` compound statement (empty otherwise).
    pub fn more_copy_data(&self) -> &[Span] {
        self.rare
            .as_ref()
            .and_then(|r| r.copy_data.get(1..))
            .unwrap_or(&[])
    }

    /// Leaves the rows out: they are handed on as they stream.
    pub(crate) fn forget_copy_data(&mut self) {
        if let Some(rare) = &mut self.rare {
            rare.copy_data.clear();
        }
    }

    /// psql variable references (`:name`, `:'name'`, `:"name"`) in the
    /// statement, which psql substitutes and pgsplit does not.
    pub fn variables(&self) -> &[Span] {
        self.rare.as_ref().map_or(&[], |r| &r.variables)
    }

    /// Whether the input ended inside this statement: in an unclosed quote,
    /// comment, dollar quote, parenthesis or BEGIN ATOMIC body. Such a
    /// statement swallows whatever would follow it.
    pub fn is_incomplete(&self) -> bool {
        self.rare.as_ref().is_some_and(|r| r.incomplete)
    }

    /// Whether the statement ends with its own `;`. One that the end of the
    /// input or a meta-command such as `\g` sends may still end in a `;` byte,
    /// inside a `--` comment or an open parenthesis, which is not its end.
    pub fn is_terminated(&self) -> bool {
        !self.rare.as_ref().is_some_and(|r| r.unterminated)
    }

    /// The statement's text: for SQL what psql sends (the span without its
    /// holes), for COPY the command only, for meta the command line.
    pub fn text<'a>(&self, input: &'a [u8]) -> Cow<'a, [u8]> {
        self.without_holes(input, |_| true)
    }

    /// The statement as written, without the meta-command lines inside it
    /// but with psql's `\;` and `\:` escapes: a text that splits again into
    /// this statement.
    pub fn source<'a>(&self, input: &'a [u8]) -> Cow<'a, [u8]> {
        let is_escape =
            |hole: &Span| hole.len() == 1 && matches!(input.get(hole.end), Some(b';' | b':'));
        self.without_holes(input, |hole| !is_escape(hole))
    }

    /// The command's bytes (`span.start..command_end`) less the holes that
    /// `leave_out` selects.
    fn without_holes<'a>(
        &self,
        input: &'a [u8],
        leave_out: impl Fn(&Span) -> bool,
    ) -> Cow<'a, [u8]> {
        let text = self.span.start..self.command_end;
        let holes: Vec<&Span> = self
            .holes
            .iter()
            .filter(|h| h.start < text.end && h.end > text.start && leave_out(h))
            .collect();
        if holes.is_empty() {
            return Cow::Borrowed(&input[text]);
        }
        let mut out = Vec::with_capacity(text.len());
        let mut at = text.start;
        for hole in holes {
            out.extend_from_slice(&input[at..hole.start.max(at)]);
            at = hole.end.min(text.end);
        }
        out.extend_from_slice(&input[at..text.end]);
        Cow::Owned(out)
    }

    /// The statement as psql runs it: its text, then for each COPY data block
    /// the rows and the `\.` line.
    pub fn runnable(&self, input: &[u8]) -> Vec<u8> {
        let mut out = self.text(input).into_owned();
        for block in self.copy_blocks() {
            let data = &input[block.clone()];
            out.push(b'\n');
            out.extend_from_slice(data);
            out.extend_from_slice(copy_end_marker(data));
        }
        out
    }

    /// Every COPY data block the statement reads, in order.
    pub fn copy_blocks(&self) -> impl Iterator<Item = &Span> + '_ {
        self.rare.iter().flat_map(|r| r.copy_data.iter())
    }

    /// The byte ranges this statement owns: its span minus its holes.
    pub fn owned_ranges(&self) -> impl Iterator<Item = Span> + '_ {
        let mut at = self.span.start;
        let mut holes = self.holes.iter();
        let end = self.span.end;
        std::iter::from_fn(move || loop {
            if at >= end {
                return None;
            }
            match holes.next() {
                Some(hole) => {
                    let piece = at..hole.start.min(end);
                    at = hole.end;
                    if !piece.is_empty() {
                        return Some(piece);
                    }
                }
                None => {
                    let piece = at..end;
                    at = end;
                    return Some(piece);
                }
            }
        })
    }
}

pub use crate::diagnostic::{Code, Diagnostic, Severity};

/// What psql does with a meta-command it does not know, the end of its
/// warning.
macro_rules! unknown_command_effect {
    () => {
        ": psql reports an error and ignores the rest of the line"
    };
}

/// The warning for a lone `\`, written without allocating: a file of
/// them is a finding every two bytes.
const LONE_BACKSLASH: &str = concat!("unknown meta-command \\", unknown_command_effect!());

/// The result of splitting: statements in execution order, and diagnostics.
#[derive(Debug, Clone, Default)]
pub struct Script {
    pub statements: Vec<Statement>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Splits `input` into statements.
pub fn split(input: &[u8], options: &SplitOptions) -> Script {
    let mut splitter = Splitter::new(input, options);
    splitter.run();
    splitter.script
}

/// All the splitter carries from one statement to the next: where a
/// statement has ended and the next has not begun, this state and the
/// position decide everything that follows. The parallel splitter guesses it
/// for each chunk and checks the guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Boundary {
    pub(crate) standard_strings: bool,
    /// A `standard_conforming_strings` change that takes effect further on.
    pub(crate) mode_change: Option<(usize, bool)>,
    /// psql's restricted mode: the key of the `\restrict` in force.
    pub(crate) restrict_key: Option<Span>,
    /// The pg_dump header in force, and whether no statement has claimed it.
    pub(crate) toc: Option<Toc>,
    pub(crate) toc_fresh: bool,
    /// psql has read a `\q` (psql mode): it reads nothing more.
    pub(crate) quit: bool,
}

impl Boundary {
    /// The input this state refers to, which must outlive the statements
    /// around it: the `\restrict` key and the pg_dump header in force.
    pub(crate) fn referenced(&self) -> Vec<Span> {
        let mut spans: Vec<Span> = self.restrict_key.iter().cloned().collect();
        spans.extend(self.toc.map(|toc| toc.span()));
        spans
    }

    /// Moves every offset of the state to `relocate(offset)`, for input that
    /// was moved in memory.
    pub(crate) fn relocate(&mut self, relocate: impl Fn(usize) -> usize) {
        let span = |s: &Span| relocate(s.start)..relocate(s.end);
        if let Some(key) = &mut self.restrict_key {
            *key = span(key);
        }
        if let Some(toc) = &mut self.toc {
            *toc = toc.moved_to(relocate(toc.span().start));
        }
        if let Some((from, _)) = &mut self.mode_change {
            *from = relocate(*from);
        }
    }

    /// The state at the start of a script, with `standard_strings` for
    /// `standard_conforming_strings`, in psql's restricted mode if
    /// `restrict_key` is the key of a `\restrict` in force, inside the entry
    /// of the pg_dump header `toc` (already claimed) if given: the parallel
    /// splitter's guess for a chunk.
    pub(crate) fn guess(
        options: &SplitOptions,
        standard_strings: bool,
        restrict_key: Option<Span>,
        toc: Option<Toc>,
    ) -> Self {
        Boundary {
            standard_strings,
            restrict_key,
            toc,
            ..Boundary::start(options)
        }
    }

    /// The state at the start of a script.
    pub(crate) fn start(options: &SplitOptions) -> Self {
        Boundary {
            standard_strings: options.standard_strings,
            mode_change: None,
            restrict_key: None,
            toc: None,
            toc_fresh: false,
            quit: false,
        }
    }
}

/// psql's restricted mode after `command` when the `\restrict` key `open`
/// is in force (`None`: not restricted): `Some` of the new key if the
/// command enters or leaves the mode, `None` if it changes nothing.
pub(crate) fn restricted_mode_after(
    input: &[u8],
    command: &MetaCommand,
    open: Option<&Span>,
) -> Option<Option<Span>> {
    let name = &input[command.name.clone()];
    let key = &input[command.args.clone()];
    match open {
        None if name == b"restrict" && !key.is_empty() => Some(Some(command.args.clone())),
        Some(open) if name == b"unrestrict" && input[open.clone()] == *key => Some(None),
        _ => None,
    }
}

/// Where a run of the splitter begins: a statement boundary and the state
/// the splitter is in there.
#[derive(Debug, Clone)]
pub(crate) struct ResumePoint {
    pub(crate) at: usize,
    pub(crate) state: Boundary,
    /// The buffer begins the whole input: a byte order mark at its start is
    /// skipped.
    pub(crate) input_start: bool,
}

/// One run of the splitter over part of a buffer.
pub(crate) struct Run {
    pub(crate) from: ResumePoint,
    /// Stop at the first statement boundary at or after this offset
    /// (`usize::MAX`: at the buffer's end).
    pub(crate) stop_at: usize,
    /// Record the last boundary that no bytes after the buffer could move
    /// ([`RunSummary::settled`]), for a stream whose buffer is not its end.
    pub(crate) track_settled: bool,
}

/// What a run read, besides its statements and diagnostics.
#[derive(Debug, Clone)]
pub(crate) struct RunSummary {
    /// The boundary the run stopped at (or the buffer's end).
    pub(crate) stop: usize,
    /// The state at `stop`.
    pub(crate) end: Boundary,
    /// Which parts of its entry state the run read, and which it set.
    pub(crate) entry_use: EntryUse,
    /// With [`Run::track_settled`]: the last boundary reached before any
    /// decision read up to the buffer's end.
    pub(crate) settled: Option<Settled>,
}

/// Which parts of the entry state a run read before it set its own, so
/// that a run from a guessed state can be checked against the real one.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct EntryUse {
    /// The run read the entry's pg_dump header / its restricted mode.
    pub(crate) read_toc: bool,
    pub(crate) read_restrict: bool,
    /// The run set its own header / restricted mode.
    pub(crate) set_toc: bool,
    pub(crate) set_restrict: bool,
    /// A statement of the run claimed a header.
    pub(crate) claimed_toc: bool,
}

/// A statement boundary no further input can move, with the state there and
/// how many statements and diagnostics come before it.
#[derive(Debug, Clone)]
pub(crate) struct Settled {
    pub(crate) at: usize,
    pub(crate) state: Boundary,
    pub(crate) statements: usize,
    pub(crate) diagnostics: usize,
}

/// Splits `input` as `run` says. The statements go into `statements`, an
/// empty list whose room is reused.
pub(crate) fn split_run(
    input: &[u8],
    options: &SplitOptions,
    run: Run,
    into: Script,
) -> (Script, RunSummary) {
    debug_assert!(into.statements.is_empty() && into.diagnostics.is_empty());
    let Run {
        from,
        stop_at,
        track_settled,
    } = run;
    let mut splitter = Splitter::resume(input, options, &from);
    splitter.stop_at = stop_at;
    splitter.script = into;
    // Room for the statements of a dense dump (about 200 bytes each), so
    // that the list is not copied as it grows.
    let expected = stop_at.min(input.len()).saturating_sub(from.at) / 192;
    splitter.script.statements.reserve(expected);
    if track_settled {
        splitter.settled = Some(Settled {
            at: splitter.pos,
            state: from.state.clone(),
            statements: 0,
            diagnostics: 0,
        });
    }
    splitter.run();
    let summary = RunSummary {
        stop: splitter.pos,
        end: splitter.boundary(),
        entry_use: splitter.entry_use,
        settled: splitter.settled.take(),
    };
    (splitter.script, summary)
}

/// What a COPY data block written back ends with after its rows: the `\.`
/// line, with a newline first when the rows end inside a line. Every
/// writer of COPY blocks ([`Statement::runnable`], normalize, the streamed
/// `split` output) ends them with it.
pub fn copy_end_marker(rows: &[u8]) -> &'static [u8] {
    if rows.last().is_some_and(|&b| b != b'\n') {
        b"\n\\."
    } else {
        b"\\."
    }
}

/// Who owns a piece of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Trivia,
    /// Index into [`Script::statements`].
    Statement(usize),
}

/// A contiguous piece of the input and its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub span: Span,
    pub owner: Owner,
}

/// Divides the whole input between statements and trivia, in input order.
/// For a correct split the pieces are contiguous and cover `0..input_len`.
pub fn partition(statements: &[Statement], input_len: usize) -> Vec<Piece> {
    let mut owned: Vec<Piece> = statements
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.owned_ranges().map(move |span| Piece {
                span,
                owner: Owner::Statement(i),
            })
        })
        .collect();
    owned.sort_by_key(|p| (p.span.start, p.span.end));
    let mut pieces = Vec::with_capacity(owned.len() * 2 + 1);
    let mut at = 0;
    for piece in owned {
        if piece.span.start > at {
            pieces.push(Piece {
                span: at..piece.span.start,
                owner: Owner::Trivia,
            });
        }
        at = at.max(piece.span.end);
        pieces.push(piece);
    }
    if at < input_len {
        pieces.push(Piece {
            span: at..input_len,
            owner: Owner::Trivia,
        });
    }
    pieces
}

/// How many leading significant tokens a statement remembers: enough to name
/// it and to recognise `SET [SESSION] standard_conforming_strings TO off`.
const LEADING_TOKENS: usize = 8;

/// The statement being collected.
#[derive(Default)]
struct Pending {
    /// Offset of the first token that counts as content (psql's "query buffer
    /// is not empty"): anything but whitespace and `--` comments.
    start: Option<usize>,
    /// End of the last content token.
    end: usize,
    /// Whether anything besides comments and the terminating `;` was seen.
    significant: bool,
    holes: Vec<Span>,
    leading: [(Option<TokenKind>, Span); LEADING_TOKENS],
    leading_len: usize,
    /// The leading tokens say all they will: the command's words have ended,
    /// or enough tokens were kept to read a SET.
    leading_done: bool,
    /// The current `\;`-separated part of the statement has a token already
    /// / began with COPY / its previous word was FROM.
    part_started: bool,
    part_is_copy: bool,
    after_from: bool,
    /// How many `COPY ... FROM STDIN` the statement holds: psql reads one data
    /// block for each (more than one only in a `\;` compound).
    copy_blocks: u32,
    variables: Vec<Span>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.start.is_none()
    }

    /// Makes it empty again field by field, leaving the leading tokens where
    /// they are (only their count is reset): copying the whole struct for
    /// each statement is measurable.
    fn clear(&mut self) {
        let Pending {
            start,
            end,
            significant,
            holes,
            leading: _,
            leading_len,
            leading_done,
            part_started,
            part_is_copy,
            after_from,
            copy_blocks,
            variables,
        } = self;
        *start = None;
        *end = 0;
        *significant = false;
        holes.clear();
        *leading_len = 0;
        *leading_done = false;
        *part_started = false;
        *part_is_copy = false;
        *after_from = false;
        *copy_blocks = 0;
        variables.clear();
    }
}

/// The token before the current one, for default mode's keyword checks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Previous {
    Dot,
    As,
    Other,
}

/// A COPY line's remaining statements are lexed up to the line's end; then
/// scanning resumes after the data blocks.
#[derive(Clone, Copy)]
struct LineLimit {
    line_end: usize,
    resume: usize,
}

struct Splitter<'a> {
    input: &'a [u8],
    compat: Compat,
    pos: usize,
    mode: LexMode,
    /// A `standard_conforming_strings` change takes effect from this offset
    /// (the start of the next line, as psql reads the setting per line).
    mode_change: Option<(usize, bool)>,
    line_limit: Option<LineLimit>,
    pending: Pending,
    paren_depth: u32,
    /// Offset of the `(` that took the depth from 0 to 1.
    paren_opened: usize,
    atomic_depth: u32,
    atomic_opened: usize,
    /// psql's record of the statement's first identifiers (`c`, `o`, `r`,
    /// `f`, `p` for CREATE, OR, REPLACE, FUNCTION, PROCEDURE; 0 for others).
    ident_window: [u8; 4],
    ident_count: u32,
    previous: Previous,
    toc: Option<Toc>,
    /// The header was seen and no statement has claimed it yet.
    toc_fresh: bool,
    /// psql's restricted mode: the key of the `\restrict` in force.
    restrict_key: Option<Span>,
    /// psql mode has met a `\q`: the rest of the input is never read.
    quit: bool,
    fast_path: bool,
    /// The last token ran to the end of the input unterminated.
    input_ended_in_token: bool,
    /// Stop at the first statement boundary at or after this offset.
    stop_at: usize,
    /// Some decision read up to the end of the input: with more input after
    /// it, that decision could change.
    touched_end: Cell<bool>,
    /// For streaming: the last boundary reached before the end was touched,
    /// with the counts of statements and diagnostics made by then.
    settled: Option<Settled>,
    /// What the run read of its entry state, and what it set itself.
    entry_use: EntryUse,
    script: Script,
}

impl<'a> Splitter<'a> {
    fn new(input: &'a [u8], options: &SplitOptions) -> Self {
        let bom = if input.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        Splitter {
            input,
            compat: options.compat,
            pos: bom,
            mode: LexMode {
                standard_strings: options.standard_strings,
            },
            mode_change: None,
            line_limit: None,
            pending: Pending::default(),
            paren_depth: 0,
            paren_opened: 0,
            atomic_depth: 0,
            atomic_opened: 0,
            ident_window: [0; 4],
            ident_count: 0,
            previous: Previous::Other,
            toc: None,
            toc_fresh: false,
            restrict_key: None,
            quit: false,
            fast_path: !options.lex_every_token,
            input_ended_in_token: false,
            stop_at: usize::MAX,
            touched_end: Cell::new(false),
            settled: None,
            entry_use: EntryUse::default(),
            script: Script::default(),
        }
    }

    /// A splitter that resumes at `from`.
    fn resume(input: &'a [u8], options: &SplitOptions, from: &ResumePoint) -> Self {
        let mut splitter = Splitter::new(input, options);
        if from.at > 0 || !from.input_start {
            splitter.pos = from.at;
        }
        let entry = &from.state;
        splitter.mode.standard_strings = entry.standard_strings;
        splitter.mode_change = entry.mode_change;
        splitter.restrict_key.clone_from(&entry.restrict_key);
        splitter.toc = entry.toc;
        splitter.toc_fresh = entry.toc_fresh;
        if entry.quit {
            splitter.read_no_further();
        }
        splitter
    }

    /// Notes that a decision read up to `end`: at the input's end, more
    /// input could have changed it.
    fn touch(&self, end: usize) {
        if end >= self.input.len() {
            self.touched_end.set(true);
        }
    }

    /// The state carried to the next statement, with a settled
    /// `standard_conforming_strings` change applied.
    fn boundary(&self) -> Boundary {
        let mut boundary = Boundary {
            standard_strings: self.mode.standard_strings,
            mode_change: self.mode_change,
            restrict_key: self.restrict_key.clone(),
            toc: self.toc,
            toc_fresh: self.toc_fresh,
            quit: self.quit,
        };
        if let Some((from, standard)) = boundary.mode_change {
            if from <= self.pos {
                boundary.standard_strings = standard;
                boundary.mode_change = None;
            }
        }
        boundary
    }

    fn run(&mut self) {
        loop {
            if self.pending.is_empty() && self.line_limit.is_none() {
                if self.settled.is_some() && !self.touched_end.get() {
                    self.settled = Some(Settled {
                        at: self.pos,
                        state: self.boundary(),
                        statements: self.script.statements.len(),
                        diagnostics: self.script.diagnostics.len(),
                    });
                }
                if self.pos >= self.stop_at {
                    break;
                }
            }
            let limit = self.line_limit.map_or(self.input.len(), |l| l.line_end);
            if self.pos >= limit {
                match self.line_limit.take() {
                    Some(line) => self.skip_copy_data(line),
                    None => break,
                }
                continue;
            }
            if self.fast_path && self.skim() {
                continue;
            }
            if self.can_skip() {
                self.pos = self.skip_to_interesting_byte(limit);
                self.touch(self.pos);
                if self.pos >= limit {
                    continue;
                }
            }
            if let Some((from, standard)) = self.mode_change {
                if self.pos >= from {
                    self.mode.standard_strings = standard;
                    self.mode_change = None;
                }
            }
            let token = match first_token(&self.input[self.pos..limit], self.mode) {
                Some(token) => token,
                None => break,
            };
            let span = self.pos..self.pos + token.len;
            self.pos = span.end;
            self.touch(span.end);
            self.token(token.kind, span);
        }
        if !self.pending.is_empty() {
            self.end_of_input();
        }
    }

    /// Whether the bytes ahead can be skipped up to the next one that matters:
    /// the statement's leading words are known, and it is neither a function
    /// definition (whose words may open a body) nor a COPY (whose words say
    /// whether data follows). Only `; ( ) ' " $ - / \ :` can then change
    /// anything: they end statements, nest, open quotes and comments, or start
    /// meta-commands and variables.
    #[inline]
    fn can_skip(&self) -> bool {
        let pending = &self.pending;
        self.fast_path
            && pending.leading_done
            && pending.part_started
            && !pending.part_is_copy
            && !self.may_define_function()
    }

    /// Whether [`Splitter::skim`] may run: plain settings and no COPY line,
    /// so a `'` opens a literal without backslash escapes and the input's end
    /// is the only limit.
    fn can_skim(&self) -> bool {
        self.mode.standard_strings && self.mode_change.is_none() && self.line_limit.is_none()
    }

    /// The fast lane through the tokens most of a dump is made of:
    /// whitespace, `--` comments (pg_dump's headers among them), the words
    /// that lead a statement, `.`, parentheses, `;`, and then the statement's
    /// body ([`Splitter::skim_body`]). They are read here and handed to the
    /// same methods the general loop calls, without a trip through the lexer
    /// and that loop's checks. It stops at anything else, at the input's end,
    /// at a statement boundary the caller must see (a run's limit, a
    /// stream's settled point), and when a setting or a COPY line changes how
    /// bytes read; the general loop goes on from there. Returns whether it
    /// moved.
    fn skim(&mut self) -> bool {
        let input = self.input;
        let from = self.pos;
        while self.can_skim() {
            if self.pending.is_empty() {
                if self.settled.is_some() {
                    break;
                }
                self.skim_between_statements();
                if self.pos >= self.stop_at {
                    break;
                }
            }
            if self.can_skip() {
                if self.skim_body() {
                    continue;
                }
                break;
            }
            let pos = self.pos;
            let Some(&byte) = input.get(pos) else { break };
            let next = input.get(pos + 1).copied();
            let end = match byte {
                // Mostly one space between two words.
                b' ' if next.is_some_and(|b| !is_whitespace(b)) => pos + 1,
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c' => {
                    pos + 1 + whitespace_len(&input[pos + 1..])
                }
                b'-' if next == Some(b'-') => match line_end(&input[pos..]) {
                    Some(len) => pos + len,
                    None => break,
                },
                b'.' if !next.is_some_and(|b| b == b'.' || b.is_ascii_digit()) => pos + 1,
                b'(' | b')' | b';' => pos + 1,
                _ if is_ident_start(byte) => match word_end(input, pos) {
                    Some(end) => end,
                    None => break,
                },
                _ => break,
            };
            self.pos = end;
            self.touch(end);
            let span = pos..end;
            match byte {
                b'-' => self.token(TokenKind::LineComment, span),
                b'.' => self.content(span, Some(TokenKind::Dot)),
                b'(' => {
                    self.token(TokenKind::OpenParen, span);
                    self.open_paren_run();
                }
                b')' => self.token(TokenKind::CloseParen, span),
                b';' => self.semicolon(span),
                _ if is_whitespace(byte) => {}
                _ => {
                    self.ident(span);
                    // The words that lead a statement, one space apart, in
                    // one go (the space is a token that changes nothing).
                    while input.get(self.pos) == Some(&b' ')
                        && input.get(self.pos + 1).is_some_and(|&b| is_ident_start(b))
                    {
                        let Some(end) = word_end(input, self.pos + 1) else {
                            break;
                        };
                        let start = self.pos + 1;
                        self.pos = end;
                        self.touch(end);
                        self.ident(start..end);
                    }
                }
            }
        }
        self.pos != from
    }

    /// After a `(`: the `(` right after it, once the statement's leading
    /// tokens are all kept, change nothing but the depth, so a long run of
    /// them is taken at once (the general path takes each as a token).
    fn open_paren_run(&mut self) {
        if self.pending.leading_len < LEADING_TOKENS {
            return;
        }
        let run = self.input[self.pos..]
            .iter()
            .take_while(|&&b| b == b'(')
            .count();
        if run > 0 {
            self.open_parens(self.pos, run);
            self.pos += run;
            self.pending.end = self.pos;
            self.touch(self.pos);
        }
    }

    /// `count` parentheses open at `at`; the first to open a nesting is
    /// where an unclosed one is reported.
    fn open_parens(&mut self, at: usize, count: usize) {
        if self.paren_depth == 0 {
            self.paren_opened = at;
        }
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        self.paren_depth = self.paren_depth.saturating_add(count);
    }

    /// psql never counts below zero: a stray `)` is just content.
    fn close_paren(&mut self) {
        self.paren_depth = self.paren_depth.saturating_sub(1);
    }

    /// Between statements: whitespace and `--` comments (a pg_dump header
    /// block is seven such tokens) in one tight loop, headers read as they
    /// pass. Stops before anything else, at the first token at or after the
    /// run's limit, and before a comment that runs to the input's end.
    fn skim_between_statements(&mut self) {
        let input = self.input;
        let mut pos = self.pos;
        while pos < self.stop_at {
            match input.get(pos) {
                Some(&byte) if is_whitespace(byte) => {
                    pos += 1 + whitespace_len(&input[pos + 1..]);
                }
                Some(b'-') if input.get(pos + 1) == Some(&b'-') => {
                    let Some(len) = line_end(&input[pos..]) else {
                        break;
                    };
                    // Bare `--` lines frame the header; only the middle line says anything.
                    if len > 2 {
                        self.header_comment(pos..pos + len);
                    }
                    pos += len;
                }
                _ => break,
            }
        }
        self.touch(pos);
        self.pos = pos;
    }

    /// The statement body's fast lane: from one byte that matters to the
    /// next, with the commonest tokens of a dump body (parentheses, plain
    /// literals, quoted names, `--` comments, `::`, operators made of `-` or
    /// `/`, the `;` that ends the statement) handled where they stand instead
    /// of going through the lexer. Anything else (`$`, `\`, `/*`, a variable,
    /// a quote glued to a word, the input's end) stops it where the last
    /// handled token ended, and the general path takes over from there with
    /// the same state. Returns whether it moved.
    fn skim_body(&mut self) -> bool {
        let input = self.input;
        let from = self.pos;
        // `resume` is where the general path would go on: the end of the last
        // token handled here.
        let mut resume = from;
        let mut pos = from;
        loop {
            pos += find_interesting(&input[pos..]).unwrap_or(input.len() - pos);
            let Some(&byte) = input.get(pos) else { break };
            let next = input.get(pos + 1).copied();
            let end = match byte {
                b'(' => {
                    self.open_parens(pos, 1);
                    pos + 1
                }
                b')' => {
                    self.close_paren();
                    pos + 1
                }
                b'\'' | b'"' if pos == 0 || !glues_to_quote(input[pos - 1]) => {
                    let Some(close) = closing_quote(input, pos + 1, byte) else {
                        break;
                    };
                    close + 1
                }
                b'-' if next == Some(b'-') => match line_end(&input[pos..]) {
                    Some(len) => pos + len,
                    None => break,
                },
                b'-' | b'/' if next != Some(b'*') || byte == b'-' => pos + 1,
                b':' if next == Some(b':') => pos + 2,
                b';' if self.paren_depth == 0 && self.atomic_depth == 0 => {
                    self.pos = pos + 1;
                    self.touch(pos + 1);
                    self.semicolon(pos..pos + 1);
                    return true;
                }
                b';' => pos + 1,
                _ => break,
            };
            self.touch(end);
            pos = end;
            resume = end;
        }
        if resume == from {
            return false;
        }
        // Every handled token is content and ends in a byte that is not
        // whitespace: the statement reaches at least the last one.
        self.pending.end = resume;
        self.pos = resume;
        true
    }

    /// Moves to the next byte that matters, or to the start of the word glued
    /// to it (`E'`, `U&'`, `x$y$`), which the lexer must see whole.
    fn skip_to_interesting_byte(&mut self, limit: usize) -> usize {
        let from = self.pos;
        let ahead = &self.input[from..limit];
        let skipped_len = find_interesting(ahead).unwrap_or(ahead.len());
        let resume = glued_word_start(&self.input[..limit], from, from + skipped_len);
        // The skipped words are content: the statement reaches their end.
        let skipped = &self.input[from..resume];
        if let Some(last) = skipped.iter().rposition(|&b| !is_whitespace(b)) {
            self.pending.end = from + last + 1;
        }
        resume
    }

    /// psql's function test may still come true as more identifiers arrive.
    #[inline]
    fn may_define_function(&self) -> bool {
        let w = self.ident_window;
        match self.ident_count {
            0 => true,
            1 => w[0] == b'c',
            2 => w[0] == b'c' && matches!(w[1], b'f' | b'p' | b'o'),
            3 => self.is_function_definition() || (w[0] == b'c' && w[1] == b'o' && w[2] == b'r'),
            _ => self.is_function_definition(),
        }
    }

    /// Statements whose later leading tokens matter: `SET ... standard_conforming_strings`
    /// and `SELECT pg_catalog.set_config(...)`.
    fn reads_settings(&self) -> bool {
        let (kind, span) = &self.pending.leading[0];
        *kind == Some(TokenKind::Ident)
            && [&b"set"[..], b"reset", b"select"]
                .iter()
                .any(|w| self.input[span.clone()].eq_ignore_ascii_case(w))
    }

    fn token(&mut self, kind: TokenKind, span: Span) {
        match kind {
            TokenKind::Whitespace => {}
            TokenKind::LineComment => {
                if self.pending.is_empty() {
                    self.header_comment(span);
                } else {
                    self.pending.end = span.end;
                }
            }
            TokenKind::BlockComment => self.content(span, None),
            TokenKind::Semicolon => self.semicolon(span),
            TokenKind::OpenParen => {
                self.open_parens(span.start, 1);
                self.content(span, Some(kind));
            }
            TokenKind::CloseParen => {
                self.close_paren();
                self.content(span, Some(kind));
            }
            TokenKind::Backslash => self.backslash(span.start),
            TokenKind::Ident => self.ident(span),
            TokenKind::Variable => {
                let name = &self.input[span.start + 1..span.end];
                if !name.first().is_some_and(u8::is_ascii_digit) {
                    self.diagnose(
                        Severity::Warning,
                        Code::PsqlVariable,
                        span.start,
                        format!(
                            "psql variable {} is not substituted; psql replaces it when the variable is set",
                            String::from_utf8_lossy(&self.input[span.clone()])
                        ),
                    );
                }
                self.content(span.clone(), Some(kind));
                self.pending.variables.push(span);
            }
            kind if kind.is_unterminated() => self.unterminated(kind, span),
            _ => self.content(span, Some(kind)),
        }
    }

    /// Records a content token. `significant` is the token's kind unless it
    /// is a comment, which fills psql's buffer but says nothing by itself.
    #[inline]
    fn content(&mut self, span: Span, significant: Option<TokenKind>) {
        let pending = &mut self.pending;
        if pending.start.is_none() {
            pending.start = Some(span.start);
        }
        pending.end = span.end;
        let Some(kind) = significant else { return };
        pending.significant = true;
        if pending.leading_len < LEADING_TOKENS {
            pending.leading[pending.leading_len] = (Some(kind), span.clone());
            pending.leading_len += 1;
            let done = pending.leading_len == LEADING_TOKENS
                || (kind != TokenKind::Ident && !self.reads_settings());
            self.pending.leading_done = done;
        }
        self.previous = match kind {
            TokenKind::Dot => Previous::Dot,
            TokenKind::Ident if self.input[span].eq_ignore_ascii_case(b"as") => Previous::As,
            _ => Previous::Other,
        };
    }

    fn diagnose(
        &mut self,
        severity: Severity,
        code: Code,
        offset: usize,
        message: impl Into<Cow<'static, str>>,
    ) {
        self.script
            .diagnostics
            .push(Diagnostic::new(severity, code, offset, message));
    }

    fn unterminated(&mut self, kind: TokenKind, span: Span) {
        let (what, code) = match kind {
            TokenKind::UnterminatedString => ("quoted string", Code::UnterminatedString),
            TokenKind::UnterminatedQuotedIdent => {
                ("quoted identifier", Code::UnterminatedQuotedIdentifier)
            }
            TokenKind::UnterminatedDollarQuoted => {
                ("dollar-quoted string", Code::UnterminatedDollarQuote)
            }
            _ => ("/* comment", Code::UnterminatedBlockComment),
        };
        let (code, message) = if self.line_limit.is_some_and(|l| span.end == l.line_end) {
            (
                Code::QuoteOnCopyLine,
                format!(
                    "{what} opened after COPY ... FROM stdin on the same line continues past the line; \
                     psql would read its rest after the COPY data, pgsplit ends it at the line end"
                ),
            )
        } else {
            (
                code,
                format!("unterminated {what}: it runs to the end of the input; close it where it should end"),
            )
        };
        self.input_ended_in_token = span.end == self.input.len();
        self.diagnose(Severity::Error, code, span.start, message);
        // Even an unclosed comment is kept as a statement: it swallowed the
        // rest of the input, and dropping it as trivia would hide that.
        self.content(span, Some(kind));
    }

    /// A `--` comment between statements: pg_dump's headers name the object
    /// the following statements create.
    fn header_comment(&mut self, span: Span) {
        if let Some(toc) = parse_header(self.input, span.clone()) {
            self.toc = Some(toc);
            self.toc_fresh = true;
            self.entry_use.set_toc = true;
        } else if self.input[span].starts_with(b"-- PostgreSQL database dump complete") {
            self.toc = None;
            self.entry_use.set_toc = true;
        }
    }

    #[inline]
    fn ident(&mut self, span: Span) {
        let word = &self.input[span.clone()];
        let word_is = |w: &[u8]| word.eq_ignore_ascii_case(w);

        self.track_copy_from_client(word);

        if self.ident_count == 0 {
            self.ident_window = [0; 4];
        }
        let is_window_word = match word.len() {
            2 => word_is(b"or"),
            6 => word_is(b"create"),
            7 => word_is(b"replace"),
            8 => word_is(b"function"),
            9 => word_is(b"procedure"),
            _ => false,
        };
        if self.ident_count < 4 && is_window_word {
            self.ident_window[self.ident_count as usize] = word[0].to_ascii_lowercase();
        }
        self.ident_count += 1;

        if self.is_function_definition() && self.paren_depth == 0 {
            match self.compat {
                Compat::Psql => self.psql_block_keyword(word, span.start),
                Compat::Default => self.block_keyword(word, span.clone()),
            }
        }
        self.content(span, Some(TokenKind::Ident));
    }

    /// `COPY ... FROM STDIN` (the grammar also takes `FROM STDOUT`, with the
    /// same meaning) makes the server ask psql for data.
    #[inline]
    fn track_copy_from_client(&mut self, word: &[u8]) {
        let pending = &mut self.pending;
        if !pending.part_started {
            pending.part_started = true;
            pending.part_is_copy = word.eq_ignore_ascii_case(b"copy");
            pending.after_from = false;
            return;
        }
        if !pending.part_is_copy || self.paren_depth > 0 {
            return;
        }
        if pending.after_from
            && (word.eq_ignore_ascii_case(b"stdin") || word.eq_ignore_ascii_case(b"stdout"))
        {
            pending.copy_blocks += 1;
            pending.part_is_copy = false;
        }
        pending.after_from = word.eq_ignore_ascii_case(b"from");
    }

    /// psql's test: the statement began `CREATE [OR REPLACE] FUNCTION|PROCEDURE`.
    fn is_function_definition(&self) -> bool {
        let w = self.ident_window;
        w[0] == b'c'
            && (w[1] == b'f'
                || w[1] == b'p'
                || (w[1] == b'o' && w[2] == b'r' && (w[3] == b'f' || w[3] == b'p')))
    }

    /// psql: every `begin` opens a block, `case` nests inside one, `end` closes.
    #[inline(never)]
    fn psql_block_keyword(&mut self, word: &[u8], at: usize) {
        if word.eq_ignore_ascii_case(b"begin") {
            self.open_atomic(at);
        } else if word.eq_ignore_ascii_case(b"case") {
            if self.atomic_depth >= 1 {
                self.atomic_depth += 1;
            }
        } else if word.eq_ignore_ascii_case(b"end") {
            self.atomic_depth = self.atomic_depth.saturating_sub(1);
        }
    }

    /// Default mode: only `BEGIN ATOMIC` opens a body, and `CASE`/`END` count
    /// only where they can be keywords (not after `.` or `AS`).
    #[inline(never)]
    fn block_keyword(&mut self, word: &[u8], span: Span) {
        if word.eq_ignore_ascii_case(b"begin") {
            if self.next_word_is(span.end, b"atomic") {
                self.open_atomic(span.start);
            }
            return;
        }
        if self.atomic_depth == 0 || matches!(self.previous, Previous::Dot | Previous::As) {
            return;
        }
        if word.eq_ignore_ascii_case(b"case") {
            self.atomic_depth += 1;
        } else if word.eq_ignore_ascii_case(b"end") {
            self.atomic_depth -= 1;
        }
    }

    fn open_atomic(&mut self, at: usize) {
        if self.atomic_depth == 0 {
            self.atomic_opened = at;
        }
        self.atomic_depth += 1;
    }

    /// Whether the next token after `from`, skipping whitespace and comments,
    /// is the identifier `word`.
    fn next_word_is(&self, mut from: usize, word: &[u8]) -> bool {
        let limit = self.line_limit.map_or(self.input.len(), |l| l.line_end);
        while let Some(token) = first_token(&self.input[from..limit], self.mode) {
            self.touch(from + token.len);
            if !token.kind.is_trivia() {
                return token.kind == TokenKind::Ident
                    && self.input[from..from + token.len].eq_ignore_ascii_case(word);
            }
            from += token.len;
        }
        self.touch(limit);
        false
    }

    fn semicolon(&mut self, span: Span) {
        if self.paren_depth > 0 || self.atomic_depth > 0 {
            self.content(span, Some(TokenKind::Semicolon));
            return;
        }
        // The `;` fills psql's buffer but does not make a statement significant.
        self.content(span.clone(), None);
        self.end_statement(span.end, span.end);
    }

    /// Ends the pending statement at `end`. `line_from` is where the current
    /// line continues, for finding the start of COPY data.
    fn end_statement(&mut self, end: usize, line_from: usize) {
        self.reset_scanner_state();
        let pending = &mut self.pending;
        let Some(start) = pending.start else {
            pending.clear();
            return;
        };
        if self.compat == Compat::Default && !pending.significant {
            pending.clear();
            return;
        }
        let leading = &pending.leading[..pending.leading_len];
        let mut words: [&[u8]; MAX_WORDS] = [&[]; MAX_WORDS];
        let mut word_count = 0;
        for (kind, span) in leading.iter().take(MAX_WORDS) {
            if *kind != Some(TokenKind::Ident) {
                break;
            }
            words[word_count] = &self.input[span.clone()];
            word_count += 1;
        }
        let tag = command_tag(&words[..word_count]);
        let new_standard_strings = standard_strings_setting(self.input, leading);
        let between_entries = is_setting_between_entries(self.input, &tag, leading);
        let mut holes = std::mem::take(&mut pending.holes);
        let variables = std::mem::take(&mut pending.variables);
        let copy_blocks = pending.copy_blocks;
        pending.clear();

        if let Some(value) = new_standard_strings {
            let next_line =
                memchr::memchr(b'\n', &self.input[end..]).map_or(self.input.len(), |i| end + i + 1);
            self.touch(next_line);
            self.mode_change = Some((next_line, value));
        }
        holes.retain(|h| h.start < end);
        let toc = self.claim_toc(between_entries);
        let rare = (!variables.is_empty()).then(|| {
            Box::new(Rare {
                variables,
                ..Rare::default()
            })
        });
        // Made in one expression, which lets it be written where it goes:
        // one statement per 200 bytes of a dump.
        self.script.statements.push(Statement {
            kind: StatementKind::Sql,
            span: start..end,
            holes,
            command_end: end,
            tag,
            toc,
            rare,
        });
        if copy_blocks > 0 {
            let mut statement = self.script.statements.pop().expect("pushed above");
            statement.kind = StatementKind::Copy;
            self.attach_copy_data(&mut statement, line_from, copy_blocks);
            self.script.statements.push(statement);
        }
    }

    /// Ends the pending statement where something other than a `;` of its
    /// own sends it, and returns it if it was one.
    fn end_without_semicolon(&mut self, end: usize, line_from: usize) -> Option<&mut Statement> {
        let count = self.script.statements.len();
        self.end_statement(end, line_from);
        if self.script.statements.len() == count {
            return None;
        }
        let statement = self.script.statements.last_mut()?;
        statement.rare_mut().unterminated = true;
        Some(statement)
    }

    /// What psql forgets between statements (`psql_scan_reset`).
    fn reset_scanner_state(&mut self) {
        self.paren_depth = 0;
        self.atomic_depth = 0;
        self.ident_count = 0;
        self.previous = Previous::Other;
    }

    /// pg_dump's header belongs to the statements of its archive entry: the
    /// first one after it always, later ones unless they are the session
    /// settings pg_dump writes between entries.
    fn claim_toc(&mut self, between_entries: bool) -> Option<Toc> {
        self.entry_use.claimed_toc = true;
        self.entry_use.read_toc |= !self.entry_use.set_toc;
        if std::mem::take(&mut self.toc_fresh) || !between_entries {
            self.toc
        } else {
            None
        }
    }

    /// COPY data starts on the line after the command (or after the data of
    /// an earlier COPY on the same line) and ends at a `\.` line.
    fn attach_copy_data(&mut self, statement: &mut Statement, line_from: usize, blocks: u32) {
        let (line_end, data_start) = match self.line_limit {
            Some(limit) => (limit.line_end, limit.resume),
            None => {
                // The command's own newline stays, as after `\prompt`'s
                // answer: psql puts one between this line and the next line
                // it scans, after the data.
                let newline = memchr::memchr(b'\n', &self.input[line_from..])
                    .map_or(self.input.len(), |i| line_from + i);
                let data_start = (newline + 1).min(self.input.len());
                self.touch(newline);
                (data_start, data_start)
            }
        };
        if statement.command_end < data_start {
            statement.holes.push(statement.command_end..data_start);
        }
        let mut next = data_start;
        for _ in 0..blocks {
            let block = find_copy_end(self.input, next);
            if block.marker.is_none() {
                self.touch(self.input.len());
                self.diagnose(
                    Severity::Warning,
                    Code::CopyWithoutEnd,
                    statement.span.start,
                    format!(
                        "{} data has no terminating \\. line; it runs to the end of the input",
                        statement.tag
                    ),
                );
            }
            statement.span.end = block.marker.map_or(self.input.len(), |m| m + 2);
            let data = next..block.data_end;
            statement.rare_mut().copy_data.push(data);
            next = block.resume;
        }
        self.line_limit = Some(LineLimit {
            line_end,
            resume: next,
        });
    }

    /// Jumps over the data blocks read for COPYs on the line that just ended.
    fn skip_copy_data(&mut self, line: LineLimit) {
        if !self.pending.is_empty() {
            self.pending.holes.push(line.line_end..line.resume);
        }
        self.pos = line.resume;
    }

    fn backslash(&mut self, at: usize) {
        match self.input.get(at + 1) {
            Some(b';' | b':') => {
                // `\;` and `\:` put a literal `;` or `:` into the buffer; after
                // `\;` a new command of the compound begins.
                self.content(at..at + 2, Some(TokenKind::Other));
                self.pending.holes.push(at..at + 1);
                if self.input[at + 1] == b';' {
                    self.pending.part_started = false;
                }
                self.pos = at + 2;
            }
            _ => self.meta_command(at),
        }
    }

    fn meta_command(&mut self, at: usize) {
        self.entry_use.read_restrict |= !self.entry_use.set_restrict;
        let command = meta::scan(self.input, at, self.restrict_key.is_some());
        self.touch(command.line_end);
        self.pos = command.span.end;
        let input = self.input;
        let written = &input[command.name.clone()];
        // Borrowed, for the messages, unless the name is not UTF-8.
        let name = String::from_utf8_lossy(written);
        self.track_restricted_mode(&command);
        let mut statement = Statement::new(
            StatementKind::Meta,
            command.span.clone(),
            meta::tag(written),
        );
        match command.effect {
            Effect::SendsBuffer => {
                if self.pending.is_empty() {
                    self.diagnose(
                        Severity::Warning,
                        Code::ResendsPreviousQuery,
                        at,
                        [
                            "\\",
                            &*name,
                            " with an empty query buffer makes psql send the previous query again",
                        ]
                        .concat(),
                    );
                    self.reset_scanner_state();
                } else {
                    let end = self.pending.end;
                    self.end_without_semicolon(end, command.span.end);
                }
            }
            Effect::ResetsBuffer => {
                if let Some(start) = self.pending.start {
                    self.diagnose(
                        Severity::Warning,
                        Code::DiscardedStatement,
                        start,
                        [
                            "\\",
                            &*name,
                            " discards this statement; psql never sends it",
                        ]
                        .concat(),
                    );
                }
                self.pending.clear();
                self.reset_scanner_state();
            }
            // psql's standard input is not the script that `psql -f` reads.
            Effect::CopyFromPsqlStdin if self.compat == Compat::Default => {
                self.hole_in_pending(&command.span);
            }
            Effect::CopyFromStdin | Effect::CopyFromPsqlStdin => {
                self.attach_copy_data(&mut statement, command.span.end, 1);
                self.hole_in_pending(&command.span);
            }
            Effect::Unknown => {
                let message = if name.is_empty() {
                    Cow::Borrowed(LONE_BACKSLASH)
                } else {
                    Cow::Owned(
                        ["unknown meta-command \\", &*name, unknown_command_effect!()].concat(),
                    )
                };
                self.diagnose(Severity::Warning, Code::UnknownMetaCommand, at, message);
                self.hole_in_pending(&command.span);
            }
            Effect::Restricted => {
                self.diagnose(
                    Severity::Warning,
                    Code::RestrictedMetaCommand,
                    at,
                    [
                        "\\",
                        &*name,
                        " after \\restrict: psql refuses it and ignores the rest of the line",
                    ]
                    .concat(),
                );
                self.hole_in_pending(&command.span);
            }
            Effect::Prompt | Effect::Password => {
                self.hole_in_pending(&command.span);
                if self.compat == Compat::Psql {
                    self.skip_answer_lines(command.line_end, command.effect.answer_lines());
                }
            }
            Effect::Quit | Effect::Immediate => self.hole_in_pending(&command.span),
        }
        let quits = command.effect == Effect::Quit && self.compat == Compat::Psql;
        statement.rare_mut().meta = Some(command);
        self.script.statements.push(statement);
        if quits {
            // psql sends what its buffer holds, as at the end of the input.
            if !self.pending.is_empty() {
                self.end_of_input();
            }
            self.read_no_further();
        }
    }

    /// After `\q` psql reads no further line: the rest of the input is
    /// trivia, and so is any input after it.
    fn read_no_further(&mut self) {
        self.quit = true;
        self.line_limit = None;
        self.pos = self.input.len();
    }

    /// `\prompt` and `\password` without a terminal read their answers from
    /// psql's standard input, which is the script's next lines when the
    /// script is that input. The `count` lines are skipped as COPY data is:
    /// the rest of the command's own line is read first (and data of a COPY
    /// on it comes after the answers).
    fn skip_answer_lines(&mut self, line_end: usize, count: usize) {
        // The command's own newline stays: it is the one psql puts between
        // this line and the next line it scans.
        let (lexed_to, from) = match self.line_limit {
            Some(limit) => (limit.line_end, limit.resume),
            None => ((line_end + 1).min(self.input.len()), line_end + 1),
        };
        self.touch(from);
        if from >= self.input.len() {
            return;
        }
        let mut answer_end = from;
        for _ in 0..count {
            answer_end = memchr::memchr(b'\n', &self.input[answer_end..])
                .map_or(self.input.len(), |i| answer_end + i + 1);
        }
        self.touch(answer_end);
        self.line_limit = Some(LineLimit {
            line_end: lexed_to,
            resume: answer_end,
        });
    }

    /// `\restrict KEY` refuses every meta-command but `\unrestrict KEY`.
    fn track_restricted_mode(&mut self, command: &MetaCommand) {
        if let Some(key) = restricted_mode_after(self.input, command, self.restrict_key.as_ref()) {
            self.restrict_key = key;
            self.entry_use.set_restrict = true;
        }
    }

    /// A meta-command inside a statement runs at once; its bytes are not part
    /// of the statement that continues around it. psql puts the newline
    /// between two lines into its buffer as the second line starts, and
    /// takes it out again when that line starts with a meta-command: the
    /// newline before such a command goes with it (unless it already went
    /// with COPY data or a `\prompt` answer), and so do the spaces after it
    /// when nothing else is on its line.
    fn hole_in_pending(&mut self, span: &Span) {
        if self.pending.is_empty() {
            return;
        }
        let starts_line = span.start == 0 || self.input[span.start - 1] == b'\n';
        let rest = &self.input[span.end..];
        let to_newline = rest
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\r'))
            .count();
        self.touch(span.end + to_newline);
        if !starts_line {
            self.pending.holes.push(span.clone());
            return;
        }
        let newline_before = span.start > 0
            && self
                .pending
                .holes
                .last()
                .is_none_or(|hole| hole.end < span.start);
        let start = if newline_before {
            span.start - 1
        } else {
            span.start
        };
        let alone = rest.get(to_newline) == Some(&b'\n');
        let end = if alone {
            span.end + to_newline
        } else {
            span.end
        };
        self.pending.holes.push(start..end);
    }

    fn end_of_input(&mut self) {
        if self.paren_depth > 0 {
            self.diagnose(
                Severity::Warning,
                Code::UnclosedParenthesis,
                self.paren_opened,
                "parenthesis still open at the end of the input; the rest of the input is one statement"
                    .to_string(),
            );
        }
        if self.atomic_depth > 0 {
            let message = match self.compat {
                Compat::Psql => {
                    "psql counts this BEGIN as an open block until the end of the input"
                }
                Compat::Default => {
                    "BEGIN ATOMIC body still open at the end of the input (missing END?)"
                }
            };
            self.diagnose(
                Severity::Warning,
                Code::UnclosedBeginAtomic,
                self.atomic_opened,
                message.to_string(),
            );
        }
        if self.pending.significant {
            if let Some(start) = self.pending.start {
                self.diagnose(
                    Severity::Note,
                    Code::MissingSemicolon,
                    start,
                    "the last statement has no terminating semicolon; psql sends it at the end of the input"
                        .to_string(),
                );
            }
        }
        // psql sends what is left at the end of the input, where a COPY
        // finds no data to read.
        let incomplete = self.paren_depth > 0 || self.atomic_depth > 0 || self.input_ended_in_token;
        let end = self.pending.end;
        if let Some(last) = self.end_without_semicolon(end, self.input.len()) {
            last.rare_mut().incomplete = incomplete;
        }
    }
}

/// A session setting pg_dump writes between entries (`SET`, `RESET`,
/// `SELECT pg_catalog.set_config(...)`), which does not claim the header
/// before it. Read from the leading words only, as the splitter must decide
/// at once; what a statement really changes is
/// [`StatementFacts::settings`](crate::facts::StatementFacts::settings).
fn is_setting_between_entries(
    input: &[u8],
    tag: &str,
    leading: &[(Option<TokenKind>, Span)],
) -> bool {
    tag == "SET"
        || tag == "RESET"
        || (tag == "SELECT"
            && leading
                .iter()
                .any(|(_, span)| input[span.clone()].eq_ignore_ascii_case(b"set_config")))
}

/// The value `SET [SESSION|LOCAL] standard_conforming_strings {TO|=} value`
/// or `RESET standard_conforming_strings|ALL` gives the setting, which
/// changes how the next line's plain literals are read.
pub(crate) fn standard_strings_setting(
    input: &[u8],
    leading: &[(Option<TokenKind>, Span)],
) -> Option<bool> {
    let word = |i: usize| leading.get(i).map(|(_, span)| &input[span.clone()]);
    let is = |i: usize, w: &[u8]| word(i).is_some_and(|x| x.eq_ignore_ascii_case(w));
    if is(0, b"reset") {
        (is(1, b"standard_conforming_strings") || is(1, b"all")).then_some(true)
    } else if is(0, b"set") {
        let name = if is(1, b"session") || is(1, b"local") {
            2
        } else {
            1
        };
        if is(name, b"standard_conforming_strings") && (is(name + 1, b"to") || is(name + 1, b"=")) {
            word(name + 2).and_then(setting_value)
        } else {
            None
        }
    } else {
        None
    }
}

fn setting_value(value: &[u8]) -> Option<bool> {
    let value = value
        .strip_prefix(b"'")
        .and_then(|v| v.strip_suffix(b"'"))
        .unwrap_or(value);
    let lower = value.to_ascii_lowercase();
    match lower.as_slice() {
        b"on" | b"true" | b"yes" | b"1" | b"default" => Some(true),
        b"off" | b"false" | b"no" | b"0" => Some(false),
        _ => None,
    }
}

/// Where a COPY data block ends.
pub(crate) struct CopyBlock {
    /// End of the data rows (start of the `\.` line, or the input's end).
    pub(crate) data_end: usize,
    /// Offset of the `\.` marker, if the block has one.
    pub(crate) marker: Option<usize>,
    /// Where scanning resumes: after the marker line's line ending.
    pub(crate) resume: usize,
}

/// Finds the first line at or after `from` that is exactly `\.` followed by
/// LF or CRLF. Data rows are never lexed.
pub(crate) fn find_copy_end(input: &[u8], from: usize) -> CopyBlock {
    let marker_at = |line: usize| -> Option<usize> {
        let rest = &input[line..];
        if rest.starts_with(b"\\.\n") {
            Some(line + 3)
        } else if rest.starts_with(b"\\.\r\n") {
            Some(line + 4)
        } else {
            None
        }
    };
    if let Some(resume) = marker_at(from) {
        return CopyBlock {
            data_end: from,
            marker: Some(from),
            resume,
        };
    }
    for newline in memchr::memmem::find_iter(&input[from..], b"\n\\.") {
        let line = from + newline + 1;
        if let Some(resume) = marker_at(line) {
            return CopyBlock {
                data_end: line,
                marker: Some(line),
                resume,
            };
        }
    }
    CopyBlock {
        data_end: input.len(),
        marker: None,
        resume: input.len(),
    }
}
