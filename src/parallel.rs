//! Splitting on every core, with exactly the sequential result.
//!
//! Where a statement ends depends on everything before it: a chunk taken from
//! the middle of a file may start inside a COPY block, a string, a comment, a
//! dollar quote or a function body. So the parallel splitter guesses, then
//! checks:
//!
//! 1. It cuts the input at *likely* statement boundaries: before a pg_dump
//!    object header that follows a blank line (`\n\n--\n-- `), between two
//!    INSERTs of a table whose next header is far off, or in a script
//!    without headers at the first line after one that ends in `;`.
//! 2. Every chunk is split at once, on rayon's threads, from a guessed
//!    state: the state a script starts in, with the header whose entry a
//!    cut between INSERTs is in, and psql's `\restrict` mode and the
//!    `standard_conforming_strings` setting, followed through the lines
//!    that change them (found on every thread first: `parallel/modes.rs`).
//!    Each stops at the first real boundary at or after the next cut,
//!    reading past the cut if a statement crosses it.
//! 3. One sequential pass walks the chunks in order and keeps a chunk's
//!    statements only if it started where the chunk before really stopped,
//!    in a state that differs from the guess in nothing the chunk read
//!    (`Stretch::fits`). A chunk that does not fit is split again from the
//!    real position and state; the next chunk is then checked against that.
//!
//! A wrong guess costs one sequential re-split of one chunk, never a wrong
//! answer: the worst case is the sequential speed plus the wasted work. In
//! pg_dump output the guesses hold, because cuts land between archive
//! entries.

use std::ops::ControlFlow;

use rayon::prelude::*;

use crate::lexer::{line_end, whitespace_len};
use crate::split::{split, split_run, Boundary, EntryUse, ResumePoint, Run, Script, SplitOptions};
use crate::toc::{parse_header, Toc};

mod modes;
mod spares;
use modes::{marks_in, Modes};
use spares::Spares;

/// How to split in parallel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parallelism {
    /// Threads to use: 0 for all cores, 1 for the sequential splitter.
    pub jobs: usize,
    /// The largest size chunks aim at, in bytes (smaller when the input is
    /// small; cuts are then moved to a likely boundary). Tests make it tiny
    /// so that every kind of cut happens. The default, 512 KiB, keeps a
    /// chunk and its statements in a core's L2 cache and the two threads of
    /// a 2-core machine evenly loaded (1.8x one thread on DDL against 1.7x
    /// for 2 MiB chunks); COPY-heavy dumps, memory-bound, go at 8 GB/s
    /// instead of 15.
    pub chunk_size: usize,
    /// Inputs smaller than this are split sequentially: threads cost more
    /// than they save.
    pub sequential_below: usize,
}

impl Default for Parallelism {
    fn default() -> Self {
        Parallelism {
            jobs: 0,
            chunk_size: 512 << 10,
            sequential_below: 1 << 20,
        }
    }
}

impl Parallelism {
    /// The threads this will use.
    pub fn threads(&self) -> usize {
        if self.jobs == 0 {
            rayon::current_num_threads()
        } else {
            self.jobs
        }
    }
}

/// Splits `input` like [`split`](fn@crate::split), on several threads.
pub fn split_parallel(input: &[u8], options: &SplitOptions, parallelism: &Parallelism) -> Script {
    let mut chunks = Vec::new();
    split_chunks(input, options, parallelism, |chunk| {
        chunks.push(std::mem::take(chunk));
        ControlFlow::Continue(())
    });
    if chunks.len() == 1 {
        return chunks.pop().unwrap_or_default();
    }
    let mut script = Script {
        statements: Vec::with_capacity(chunks.iter().map(|c| c.statements.len()).sum()),
        diagnostics: Vec::new(),
    };
    for mut chunk in chunks {
        script.statements.append(&mut chunk.statements);
        script.diagnostics.append(&mut chunk.diagnostics);
    }
    script
}

/// How a split went, chunk by chunk: for benchmarks and tuning.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChunkCounts {
    /// Chunks the input was cut into.
    pub chunks: usize,
    /// Chunks split from a guessed state that proved wrong, and split again.
    pub resplit: usize,
}

/// Splits `input` chunk by chunk and hands each chunk's statements and
/// diagnostics to `visit`, in input order, until it breaks. Only a few
/// chunks are in memory at a time (four per thread), so memory does not grow
/// with the input. What `visit` leaves in a chunk is dropped after it, and
/// the chunk's list is reused (take it with `std::mem::take` to keep it):
/// fresh lists of a megabyte per chunk would cost page faults instead.
/// With one thread the chunks are split one after the other from the real
/// state; with more, a window of chunks is split at once and checked.
pub fn split_chunks(
    input: &[u8],
    options: &SplitOptions,
    parallelism: &Parallelism,
    mut visit: impl FnMut(&mut Script) -> ControlFlow<()>,
) -> ChunkCounts {
    // A small input is split on this thread: threads cost more than they
    // save. Checked first: asking for the thread count starts rayon's pool.
    let sequential = input.len() < parallelism.sequential_below;
    if sequential && input.len() <= parallelism.chunk_size {
        let _ = visit(&mut split(input, options));
        return ChunkCounts {
            chunks: 1,
            resplit: 0,
        };
    }
    let threads = if sequential { 1 } else { parallelism.threads() };
    // Chunks no larger than needed to give every thread several; a small
    // input split on this thread is still handed out chunk by chunk, so that
    // its statements are not all in memory at once (a line of `\` each
    // is a statement and a diagnostic per two bytes).
    let chunk_size = if sequential {
        parallelism.chunk_size
    } else {
        parallelism
            .chunk_size
            .min(input.len().div_ceil(threads * 4))
    }
    .max(1);
    // The first chunks are small: how dense the input is, and so how large
    // its chunks may be, is known once one has been split.
    let first_chunk_size = MIN_CHUNK_SIZE.min(chunk_size);
    let mut order = InOrder::new(options, chunk_size);
    // Windows of four chunks per thread (below); each thread keeps the
    // scripts of two windows for reuse.
    let window = threads * 4;
    let spares = Spares::new(threads, 2 * window);
    if threads <= 1 {
        // Split from the real state, any limit gives the sequential result:
        // no likely boundary is looked for, which in COPY rows would read
        // them once more than the split does.
        let mut size = first_chunk_size;
        while order.at < input.len() {
            let limit = order.at.saturating_add(size).min(input.len());
            if order
                .take(input, options, &spares, None, limit, &mut visit)
                .is_break()
            {
                break;
            }
            size = order.chunk_size;
        }
        return order.counts;
    }
    let mut cutter = Cutter::new(input, first_chunk_size);
    let pool = (parallelism.jobs != 0)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .ok()
        })
        .flatten();
    // While the chunks of one window are checked and visited on this
    // thread, the next window is split on the pool, and then the window
    // after it is cut here: the sequential pass, the speculation and the
    // search for cuts (which in a dump with large COPY blocks reads as many
    // bytes as splitting does) overlap.
    let speculate_window =
        |window_cuts: &Window, entry| speculate(input, options, window_cuts, entry, &spares);
    let Some(first_cuts) = cutter.window(window) else {
        return order.counts;
    };
    let start = Modes {
        standard_strings: options.standard_strings,
        restrict_key: None,
    };
    // Without a pool of its own, the global pool gives the same result.
    let mut ahead = Some(match &pool {
        Some(pool) => pool.install(|| speculate_window(&first_cuts, start)),
        None => speculate_window(&first_cuts, start),
    });
    let mut window_cuts = first_cuts;
    let mut next_cuts = cutter.window(window);
    loop {
        let Speculated { stretches, modes } = ahead.take().expect("speculated before its turn");
        let mut next_stretches = None;
        let mut cuts_after = None;
        let flow = in_place_scope(pool.as_ref(), |scope| {
            if let Some(next_cuts) = next_cuts.as_ref() {
                let next_stretches = &mut next_stretches;
                let speculate_window = &speculate_window;
                scope.spawn(move |_| {
                    *next_stretches = Some(speculate_window(next_cuts, modes));
                });
            }
            for (stretch, limit) in stretches.into_iter().zip(&window_cuts.cuts[1..]) {
                if order
                    .take(input, options, &spares, Some(stretch), *limit, &mut visit)
                    .is_break()
                {
                    return ControlFlow::Break(());
                }
            }
            cutter.chunk_size = order.chunk_size;
            cuts_after = cutter.window(window);
            ControlFlow::Continue(())
        });
        let Some(cuts) = next_cuts.take().filter(|_| flow.is_continue()) else {
            break;
        };
        window_cuts = cuts;
        next_cuts = cuts_after;
        ahead = next_stretches;
    }
    order.counts
}

/// At most this many statements and diagnostics in one chunk, about: what
/// a chunk holds is in memory until it is visited, with the other chunks in
/// flight, and a line of `\` is a statement and a diagnostic for every two
/// bytes (a 512 KiB chunk of them held 100 MB). Dumps stay far below it (a
/// DDL-dense chunk of 512 KiB holds about 2,500 statements).
const ITEMS_PER_CHUNK: usize = 8192;

/// The smallest chunk the density rule makes.
const MIN_CHUNK_SIZE: usize = 16 << 10;

/// The size for the next chunks, after a chunk of `bytes` that held `items`
/// statements and diagnostics: `configured`, or smaller so that a chunk as
/// dense holds about [`ITEMS_PER_CHUNK`].
fn chunk_size_for(configured: usize, bytes: usize, items: usize) -> usize {
    // Scaled both ways: a small first chunk that held fewer than the limit
    // may still be too dense for a chunk of the configured size.
    let dense = bytes.saturating_mul(ITEMS_PER_CHUNK) / items.max(1);
    dense.clamp(MIN_CHUNK_SIZE.min(configured), configured)
}

/// For a `split_chunks` visitor that can fail: goes on after `Ok`; after
/// `Err`, keeps the error in `failed` and stops.
pub fn stop_on_error<E>(result: Result<(), E>, failed: &mut Option<E>) -> ControlFlow<()> {
    match result {
        Ok(()) => ControlFlow::Continue(()),
        Err(error) => {
            *failed = Some(error);
            ControlFlow::Break(())
        }
    }
}

/// Runs `op` on this thread in a scope whose spawned work goes to `pool`
/// (the global pool if none).
fn in_place_scope<'scope, R>(
    pool: Option<&rayon::ThreadPool>,
    op: impl FnOnce(&rayon::Scope<'scope>) -> R,
) -> R {
    match pool {
        Some(pool) => pool.in_place_scope(op),
        None => rayon::in_place_scope(op),
    }
}

/// Splits every chunk of a window at once, each into a script from
/// `spares`: from the state a script starts in, with the header the cutter
/// saw in force and the modes followed from `entry`, those at the window's
/// start. Gives the stretches and the modes at the window's end.
fn speculate(
    input: &[u8],
    options: &SplitOptions,
    window: &Window,
    entry: Modes,
    spares: &Spares,
) -> Speculated {
    let marks: Vec<_> = window
        .cuts
        .par_windows(2)
        .map(|chunk| marks_in(input, chunk[0], chunk[1]))
        .collect();
    let mut modes = entry;
    let mut starts = Vec::with_capacity(marks.len());
    for chunk_marks in &marks {
        starts.push(modes.clone());
        modes.follow(input, chunk_marks);
    }
    let stretches = window
        .cuts
        .par_windows(2)
        .zip(starts)
        .zip(&window.tocs)
        .map(|((chunk, modes), toc)| {
            let guess = Boundary::guess(options, modes.standard_strings, modes.restrict_key, *toc);
            Stretch::split(input, options, chunk[0], guess, chunk[1], spares)
        })
        .collect();
    Speculated { stretches, modes }
}

/// A window's chunks split from guesses, and the modes at its end.
struct Speculated {
    stretches: Vec<Stretch>,
    modes: Modes,
}

/// The statements of a stretch of the input: from a statement boundary to
/// the first boundary at or after a limit, split from a state that may be
/// a guess.
struct Stretch {
    script: Script,
    /// The thread that split it, which gets the script back to reuse.
    filled_by: usize,
    start: usize,
    /// The boundary it stopped at (or the input's end).
    stop: usize,
    /// The state it was split from, and the state at `stop`.
    entry: Boundary,
    end: Boundary,
    /// What the split read of `entry`, and what it set itself.
    entry_use: EntryUse,
}

impl Stretch {
    /// Splits from `start`, a statement boundary in state `entry`, to the
    /// first boundary at or after `limit`, into a script from `spares`.
    fn split(
        input: &[u8],
        options: &SplitOptions,
        start: usize,
        entry: Boundary,
        limit: usize,
        spares: &Spares,
    ) -> Self {
        let run = Run {
            from: ResumePoint {
                at: start,
                state: entry.clone(),
                input_start: true,
            },
            stop_at: limit,
            track_settled: false,
        };
        let (filled_by, into) = spares.take();
        let (script, summary) = split_run(input, options, run, into);
        Stretch {
            script,
            filled_by,
            start,
            stop: summary.stop,
            entry,
            end: summary.end,
            entry_use: summary.entry_use,
        }
    }

    /// Whether this stretch, split from a guessed state, is what the
    /// sequential splitter makes from `start` in state `real`: same place,
    /// and the guess differs only in what the stretch never read.
    fn fits(&self, start: usize, real: &Boundary) -> bool {
        let guess = &self.entry;
        let used = &self.entry_use;
        self.start == start
            && guess.standard_strings == real.standard_strings
            && guess.mode_change == real.mode_change
            && guess.quit == real.quit
            && (!used.read_restrict || guess.restrict_key == real.restrict_key)
            && (!used.read_toc || (guess.toc == real.toc && guess.toc_fresh == real.toc_fresh))
    }

    /// Puts what the stretch carried through unread from `real` (its entry
    /// state in fact) into its end state.
    fn carry(&mut self, real: &Boundary) {
        if !self.entry_use.set_restrict {
            self.end.restrict_key.clone_from(&real.restrict_key);
        }
        if !self.entry_use.set_toc {
            self.end.toc = real.toc;
            self.end.toc_fresh = real.toc_fresh && !self.entry_use.claimed_toc;
        }
    }
}

/// The sequential pass: where the last chunk really stopped, and in what state.
struct InOrder {
    at: usize,
    state: Boundary,
    counts: ChunkCounts,
    /// The chunk size asked for, and the size for the chunks still to be
    /// cut, smaller where the last chunk was dense ([`chunk_size_for`]).
    configured_chunk_size: usize,
    chunk_size: usize,
}

impl InOrder {
    fn new(options: &SplitOptions, chunk_size: usize) -> Self {
        InOrder {
            at: 0,
            state: Boundary::start(options),
            counts: ChunkCounts::default(),
            configured_chunk_size: chunk_size,
            chunk_size,
        }
    }

    /// Takes the chunk that ends at `limit`: the guessed `stretch` if it
    /// fits, else a split from the real position and state.
    fn take(
        &mut self,
        input: &[u8],
        options: &SplitOptions,
        spares: &Spares,
        stretch: Option<Stretch>,
        limit: usize,
        visit: &mut impl FnMut(&mut Script) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        self.counts.chunks += 1;
        if self.at >= limit && self.at > 0 {
            // The chunk before ran past this whole chunk.
            if let Some(guessed) = stretch {
                spares.give_back(guessed.filled_by, guessed.script);
            }
            return ControlFlow::Continue(());
        }
        let stretch = match stretch {
            Some(mut guessed) if guessed.fits(self.at, &self.state) => {
                guessed.carry(&self.state);
                guessed
            }
            guessed => {
                if let Some(guessed) = guessed {
                    self.counts.resplit += 1;
                    spares.give_back(guessed.filled_by, guessed.script);
                }
                let state = self.state.clone();
                Stretch::split(input, options, self.at, state, limit, spares)
            }
        };
        self.at = stretch.stop;
        self.state = stretch.end;
        let mut script = stretch.script;
        let items = script.statements.len() + script.diagnostics.len();
        self.chunk_size = chunk_size_for(
            self.configured_chunk_size,
            stretch.stop - stretch.start,
            items,
        );
        let flow = visit(&mut script);
        // Dropping it here would also make this thread read every
        // statement once more.
        spares.give_back(stretch.filled_by, script);
        flow
    }
}

/// Chunks to split at once: the boundaries around them, and for each chunk
/// the pg_dump header in force where it starts, when the cut before it is
/// inside an entry (between two of a table's INSERTs).
struct Window {
    cuts: Vec<usize>,
    tocs: Vec<Option<Toc>>,
}

/// The chunk boundaries, found as they are needed: each chunk about
/// `chunk_size` long, the last one ending at the input's end.
struct Cutter<'a> {
    input: &'a [u8],
    chunk_size: usize,
    /// Where the next chunk starts.
    next: usize,
    /// What the last search for a pg_dump header found: where it looked
    /// from, and where the first `\n\n--\n-- ` after that begins (`None`
    /// for none). Cuts only move forward, so the answer holds until a cut
    /// passes it. Without it, a script without headers (a seed file of
    /// INSERTs) would be searched to its end once per chunk: quadratic time.
    next_header: Option<(usize, Option<usize>)>,
    /// The pg_dump header in force at `next`, when `next` is a cut inside an
    /// entry; `None` at a header, where the chunk reads its own.
    toc: Option<Toc>,
    /// The last cut [`Cutter::likely_boundary`] found was inside an entry.
    cut_inside_entry: bool,
}

impl<'a> Cutter<'a> {
    fn new(input: &'a [u8], chunk_size: usize) -> Self {
        Cutter {
            input,
            chunk_size,
            next: 0,
            next_header: None,
            toc: None,
            cut_inside_entry: false,
        }
    }

    /// Where the next chunk ends, or `None` after the last.
    fn next_cut(&mut self) -> Option<usize> {
        let input = self.input;
        if self.next >= input.len() {
            return None;
        }
        let from = self.next + self.chunk_size;
        self.cut_inside_entry = false;
        let cut = if from < input.len() {
            self.likely_boundary(from).filter(|&cut| cut < input.len())
        } else {
            None
        };
        let start = self.next;
        self.next = cut.unwrap_or(input.len());
        self.toc = if self.cut_inside_entry {
            self.last_header_before(start, self.next).or(self.toc)
        } else {
            None
        };
        Some(self.next)
    }

    /// The last pg_dump header in `input[from..to]` (or just before `from`,
    /// where a cut at a header leaves its blank line), read as the splitter
    /// reads it.
    fn last_header_before(&self, from: usize, to: usize) -> Option<Toc> {
        let input = self.input;
        let from = from.saturating_sub(HEADER.len());
        // Inside a table's INSERTs the search for the next header has
        // already read the chunk: reading it again backwards would make this
        // thread read the whole table once more while the others split it.
        if self.known_headerless(from, to) {
            return None;
        }
        let found = from + memchr::memmem::rfind(&input[from..to], HEADER)?;
        // The header's middle line (`-- Name: ...`), after the blank line
        // and the bare `--` line.
        let line = found + "\n\n--\n".len();
        parse_header(input, line..line + line_end(&input[line..])?)
    }

    /// The next `chunks` chunks (fewer at the end) as the boundaries around
    /// them, or `None` after the last.
    fn window(&mut self, chunks: usize) -> Option<Window> {
        let mut cuts = vec![self.next];
        let mut tocs = Vec::new();
        while cuts.len() <= chunks {
            let toc = self.toc;
            match self.next_cut() {
                Some(cut) => {
                    cuts.push(cut);
                    tocs.push(toc);
                }
                None => break,
            }
        }
        (cuts.len() > 1).then_some(Window { cuts, tocs })
    }

    /// The first likely statement boundary after `from`. In a dump, the
    /// `--` line of the next pg_dump object header after a blank line: a
    /// cut anywhere else may land in COPY rows, and splitting rows as SQL
    /// is wasted work. When that header is more than a chunk away, the
    /// first line that starts with a letter after a line that ends in `;`
    /// within a chunk's length (one of a table's INSERTs, in a `pg_dump
    /// --inserts` dump), so that a large table's rows are split on every
    /// core too. In a script without headers, looked for
    /// [`SEARCH_WINDOW`] bytes (or a chunk's length) at a time, so that the
    /// search never reads far past the cut it finds: the first line after
    /// one that ends in `;` or the first meta-command line (a seed file of
    /// INSERTs, a psql script), else the first token after any `;`
    /// (statements that share one long line).
    fn likely_boundary(&mut self, from: usize) -> Option<usize> {
        if let Some(header) = self.header_at_or_after(from) {
            // A header far off (a table's rows as INSERTs between two
            // headers): a statement line on the way is the cut, looked for
            // by a substring search that COPY rows almost never match. Only
            // a chunk's length is searched: a large COPY block's rows would
            // otherwise be read here, on the sequential pass, to its end.
            let reach = from.saturating_add(self.chunk_size);
            if header > reach {
                if let Some(cut) = after_statement_line(self.input, from, reach) {
                    self.cut_inside_entry = true;
                    return Some(cut);
                }
            }
            return Some(header + 2);
        }
        let input = self.input;
        let mut window = from;
        while window < input.len() {
            let window_end = window
                .saturating_add(self.chunk_size.max(SEARCH_WINDOW))
                .min(input.len());
            let cut = after_line_boundary(input, window, window_end)
                .or_else(|| after_semicolon(input, window, window_end));
            if let Some(cut) = cut {
                return (cut < input.len()).then_some(cut);
            }
            window = window_end;
        }
        None
    }

    /// Where the first `\n\n--\n-- ` at or after `from` begins, searched
    /// for only when the last answer lies behind `from`.
    fn header_at_or_after(&mut self, from: usize) -> Option<usize> {
        match self.next_header {
            Some((_, Some(header))) if header >= from => Some(header),
            // No header after an earlier offset: none after this one.
            Some((_, None)) => None,
            _ => {
                let found = memchr::memmem::find(&self.input[from..], HEADER).map(|i| from + i);
                self.next_header = Some((from, found));
                found
            }
        }
    }

    /// Whether the last search for a header says that none begins in
    /// `input[from..to]`.
    fn known_headerless(&self, from: usize, to: usize) -> bool {
        self.next_header.is_some_and(|(searched_from, found)| {
            searched_from <= from && found.is_none_or(|header| header >= to)
        })
    }
}

/// In `input[from..to]`, the first line start that likely begins a
/// statement: the token after a line that ends in `;`, or a line that opens
/// with a meta-command's backslash.
fn after_line_boundary(input: &[u8], from: usize, to: usize) -> Option<usize> {
    memchr::memchr_iter(b'\n', &input[from..to])
        .map(|i| from + i)
        .find_map(|newline| {
            let before = &input[from..newline];
            if before.ends_with(b";") || before.ends_with(b";\r") {
                Some(newline + whitespace_len(&input[newline..]))
            } else {
                (input.get(newline + 1) == Some(&b'\\')).then_some(newline + 1)
            }
        })
}

/// In `input[from..to]`, the first line that starts with a letter after a
/// line that ends in `;`: the next statement of a run of INSERTs.
fn after_statement_line(input: &[u8], from: usize, to: usize) -> Option<usize> {
    memchr::memmem::find_iter(&input[from..to], b";\n")
        .map(|i| from + i + 2)
        .find(|&next| input.get(next).is_some_and(u8::is_ascii_alphabetic))
}

/// In `input[from..to]`, the first token after a `;`.
fn after_semicolon(input: &[u8], from: usize, to: usize) -> Option<usize> {
    let semicolon = from + memchr::memchr(b';', &input[from..to])?;
    let next = semicolon + 1;
    Some(next + whitespace_len(&input[next..]))
}

/// The least a script without headers is searched for a line boundary
/// before a `;` inside a line will do: enough for any ordinary statement's
/// line, and a `;` in a comment or a string is a cut the guess gets wrong.
const SEARCH_WINDOW: usize = 64 << 10;

/// What precedes a pg_dump object header: a blank line and the `--` line
/// that opens the header's comment block.
const HEADER: &[u8] = b"\n\n--\n-- ";

#[cfg(test)]
mod tests {
    use super::*;

    /// Every cut of `input` with chunks of `chunk_size`, the input's end
    /// last.
    fn cuts(input: &[u8], chunk_size: usize) -> Vec<usize> {
        let mut cutter = Cutter::new(input, chunk_size);
        std::iter::from_fn(|| cutter.next_cut()).collect()
    }

    /// Regression: in a script without pg_dump headers (one INSERT per
    /// line), every cut searched the rest of the input for a header again,
    /// and splitting took quadratic time. The search's answer is kept.
    #[test]
    fn a_script_without_headers_is_searched_for_them_once() {
        let input = "INSERT INTO t VALUES (1, 'a;b');\n".repeat(100);
        let input = input.as_bytes();
        let mut cutter = Cutter::new(input, 50);
        let first = cutter.next_cut();
        assert!(cutter.next_header.is_some_and(|(_, found)| found.is_none()));
        let mut all: Vec<usize> = first.into_iter().collect();
        all.extend(std::iter::from_fn(|| cutter.next_cut()));
        assert!(all.len() > 10, "{all:?}");
        for &cut in &all[..all.len() - 1] {
            assert!(input[cut..].starts_with(b"INSERT"), "cut at {cut}");
        }
    }

    #[test]
    fn dense_chunks_make_the_next_ones_smaller() {
        let configured = 512 << 10;
        // A DDL-dense chunk keeps the size asked for.
        assert_eq!(chunk_size_for(configured, configured, 2500), configured);
        // Lines of `\`: a statement and a diagnostic every two bytes.
        assert_eq!(
            chunk_size_for(configured, configured, configured),
            MIN_CHUNK_SIZE
        );
        // `SELECT 1;` and a NUL: ten bytes a statement.
        let dense = chunk_size_for(configured, 500_000, 50_000);
        assert_eq!(dense, 10 * ITEMS_PER_CHUNK);
        // Lines of `x;`, three bytes a statement, in a first chunk too small
        // to reach the limit: the next chunks are as dense, not the size
        // asked for (which would hold 175,000 statements each).
        assert_eq!(
            chunk_size_for(configured, 3 * 4096, 4096),
            3 * ITEMS_PER_CHUNK
        );
        // Never above the size asked for, nor below it when that is tiny.
        assert_eq!(chunk_size_for(40, 40, 40_000), 40);
    }

    /// Headers further apart than a chunk are cuts, found however far; the
    /// cuts between them are statement lines.
    #[test]
    fn headers_far_apart_are_cuts_with_statement_lines_between_them() {
        let header = "\n--\n-- Name: t; Type: TABLE; Schema: public; Owner: -\n--\n\nCREATE TABLE t (a int);\n";
        let input = format!(
            "{}{header}{}{header}",
            "SELECT 1;\n".repeat(30),
            "SELECT 2;\n".repeat(30)
        );
        let input = input.as_bytes();
        let headers: Vec<usize> = memchr::memmem::find_iter(input, HEADER)
            .map(|i| i + 2)
            .collect();
        let found = cuts(input, 40);
        for header in &headers {
            assert!(found.contains(header), "{header} not in {found:?}");
        }
        for &cut in found[..found.len() - 1]
            .iter()
            .filter(|c| !headers.contains(c))
        {
            assert!(
                input[cut..].starts_with(b"SELECT"),
                "cut at {cut}: {found:?}"
            );
        }
        assert!(found.len() > headers.len() + 5, "{found:?}");
    }

    /// COPY rows between two headers are not cut: only a line that ends in
    /// `;` followed by one that starts with a letter is taken for a
    /// statement, and rows almost never are.
    #[test]
    fn copy_rows_between_headers_are_not_cut() {
        let rows = "1\tsome text; more\t\\N\n\\N\tx;\n2\ty\n".repeat(200);
        assert_cut_only_at_headers(&rows);
    }

    /// A table's COPY block with `rows`, between two headers, is cut at
    /// the headers only.
    fn assert_cut_only_at_headers(rows: &str) {
        let header =
            "\n--\n-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: -\n--\n\n";
        let input = format!("{header}COPY t (a, b) FROM stdin;\n{rows}\\.\n{header}SELECT 1;\n");
        let input = input.as_bytes();
        let headers: Vec<usize> = memchr::memmem::find_iter(input, HEADER)
            .map(|i| i + 2)
            .collect();
        let found = cuts(input, 100);
        assert_eq!(found[..found.len() - 1], headers[..], "{found:?}");
    }

    /// Only a chunk's length past where a cut may go is searched for a
    /// statement line: a row that looks like one deep in a large COPY block
    /// is not a cut (and the rows up to it are not read on the sequential
    /// pass).
    #[test]
    fn a_statement_like_row_deep_in_copy_rows_is_not_a_cut() {
        let plain = "1\tsome text\n".repeat(100);
        assert_cut_only_at_headers(&format!("{plain}2\tx;\nrow\ty\n{plain}"));
    }

    /// Regression: in concatenated dumps, a chunk inside the second dump's
    /// `\restrict` was guessed unrestricted, and split again. The cutter
    /// follows the mode: each chunk is guessed in the mode its start is in.
    #[test]
    fn chunks_are_guessed_in_the_restricted_mode_they_start_in() {
        let mut input = String::new();
        for i in 0..3 {
            input.push_str(&format!("\\restrict key{i}\n"));
            input.push_str(&"SELECT 1;\n".repeat(20));
            input.push_str(&format!("\\unrestrict key{i}\nSELECT 2;\n"));
        }
        let input = input.as_bytes();
        let mut cutter = Cutter::new(input, 25);
        let mut modes = Modes {
            standard_strings: true,
            restrict_key: None,
        };
        let mut restricted_chunks = 0;
        while let Some(window) = cutter.window(1) {
            let start = window.cuts[0];
            let guessed = modes.restrict_key.clone().map(|key| &input[key]);
            modes.follow(input, &marks_in(input, start, window.cuts[1]));
            // The key of the last `\restrict` before the start, if no
            // `\unrestrict` came after it.
            let lines = input[..start].split(|&b| b == b'\n');
            let in_force = lines.fold(None, |key, line| {
                if let Some(new) = line.strip_prefix(b"\\restrict ") {
                    Some(new)
                } else if line.starts_with(b"\\unrestrict ") {
                    None
                } else {
                    key
                }
            });
            assert_eq!(guessed, in_force, "chunk at {start}");
            restricted_chunks += usize::from(guessed.is_some());
        }
        assert!(restricted_chunks > 10, "{restricted_chunks}");
    }

    /// Without lines that end in `;`, a script is cut before meta-command
    /// lines, and without line ends at all, after a `;`: inputs of lone
    /// backslashes or of `SELECT 1;` with NULs between are not one chunk.
    #[test]
    fn scripts_without_statement_lines_are_cut_too() {
        let meta = "\\\n\\set a b\n".repeat(50);
        let found = cuts(meta.as_bytes(), 30);
        assert!(found.len() > 10, "{found:?}");
        for &cut in &found[..found.len() - 1] {
            assert_eq!(meta.as_bytes()[cut], b'\\', "cut at {cut}");
        }
        let one_line = "SELECT 1;\0".repeat(50);
        let found = cuts(one_line.as_bytes(), 30);
        assert!(found.len() > 10, "{found:?}");
        for &cut in &found[..found.len() - 1] {
            assert_eq!(one_line.as_bytes()[cut - 1], b';', "cut at {cut}");
        }
    }

    /// Windows of cuts tile the input: from 0 to its end, each window
    /// starting where the last ended, each cut at a likely boundary at least
    /// a chunk after the one before.
    #[test]
    fn windows_of_cuts_tile_the_input() {
        let entry = "--\n-- Name: t; Type: TABLE; Schema: public; Owner: -\n--\n\nCREATE TABLE t (a int);\n\n";
        let input = entry.repeat(40);
        let input = input.as_bytes();
        for (chunk_size, chunks) in [(1, 1), (100, 3), (333, 4), (input.len(), 2)] {
            let mut cutter = Cutter::new(input, chunk_size);
            let mut all = vec![0];
            while let Some(window) = cutter.window(chunks) {
                let window = window.cuts;
                assert_eq!(window[0], *all.last().unwrap());
                assert!(window.len() >= 2 && window.len() <= chunks + 1);
                all.extend_from_slice(&window[1..]);
            }
            assert_eq!(all.last(), Some(&input.len()), "chunk size {chunk_size}");
            for pair in all.windows(2) {
                assert!(pair[1] >= pair[0] + chunk_size.min(input.len() - pair[0]));
                let cut = pair[1];
                assert!(cut == input.len() || input[cut..].starts_with(b"--\n-- Name"));
            }
        }
    }
}
