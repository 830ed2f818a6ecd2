//! Splitting on every core, with exactly the sequential result.
//!
//! Where a statement ends depends on everything before it: a chunk taken from
//! the middle of a file may start inside a COPY block, a string, a comment, a
//! dollar quote or a function body. So the parallel splitter guesses, then
//! checks:
//!
//! 1. It cuts the input at *likely* statement boundaries: before a pg_dump
//!    object header that follows a blank line (`\n\n--\n-- `), or in a
//!    script without headers at the first line after one that ends in `;`.
//! 2. Every chunk is split at once, on rayon's threads, as if it started at a
//!    boundary in the state a script starts in; each stops at the first real
//!    boundary at or after the next cut, reading past the cut if a statement
//!    crosses it.
//! 3. One sequential pass walks the chunks in order and keeps a chunk's
//!    statements only if it started where the chunk before really stopped,
//!    in a state that differs from the guess in nothing the chunk read
//!    (`Stretch::fits` in the splitter). A chunk that does not fit is split again from the
//!    real position and state; the next chunk is then checked against that.
//!
//! A wrong guess costs one sequential re-split of one chunk, never a wrong
//! answer: the worst case is the sequential speed plus the wasted work. In
//! pg_dump output the guesses hold, because cuts land between archive
//! entries.

use std::ops::ControlFlow;

use rayon::prelude::*;

use crate::lexer::is_whitespace;
use crate::split::{split, split_stretch, Boundary, Script, SplitOptions, Stretch};

/// How to split in parallel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parallelism {
    /// Threads to use: 0 for all cores, 1 for the sequential splitter.
    pub jobs: usize,
    /// The largest size chunks aim at, in bytes (smaller when the input is
    /// small; cuts are then moved to a likely boundary). Tests make it tiny
    /// so that every kind of cut happens.
    pub chunk_size: usize,
    /// Inputs smaller than this are split sequentially: threads cost more
    /// than they save.
    pub sequential_below: usize,
}

impl Default for Parallelism {
    fn default() -> Self {
        Parallelism {
            jobs: 0,
            chunk_size: 2 << 20,
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
        chunks.push(chunk);
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
/// with the input.
/// With one thread the chunks are split one after the other from the real
/// state; with more, a window of chunks is split at once and checked.
pub fn split_chunks(
    input: &[u8],
    options: &SplitOptions,
    parallelism: &Parallelism,
    mut visit: impl FnMut(Script) -> ControlFlow<()>,
) -> ChunkCounts {
    let threads = parallelism.threads();
    if input.len() < parallelism.sequential_below {
        let _ = visit(split(input, options));
        return ChunkCounts {
            chunks: 1,
            resplit: 0,
        };
    }
    // Chunks no larger than needed to give every thread several.
    let chunk_size = parallelism
        .chunk_size
        .min(input.len().div_ceil(threads * 4))
        .max(1);
    let cuts = cut_points(input, chunk_size);
    let mut order = InOrder::new(options);
    if threads <= 1 {
        for chunk in cuts.windows(2) {
            if order
                .take(input, options, None, chunk[1], &mut visit)
                .is_break()
            {
                break;
            }
        }
        return order.counts;
    }
    let pool = (parallelism.jobs != 0)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .ok()
        })
        .flatten();
    let window = threads * 4;
    let mut first = 0;
    while first + 1 < cuts.len() {
        let last = (first + window).min(cuts.len() - 1);
        let window_cuts = &cuts[first..=last];
        let work = || speculate(input, options, window_cuts);
        // Without a pool of its own, the global pool gives the same result.
        let stretches = match &pool {
            Some(pool) => pool.install(work),
            None => work(),
        };
        for (stretch, limit) in stretches.into_iter().zip(&window_cuts[1..]) {
            if order
                .take(input, options, Some(stretch), *limit, &mut visit)
                .is_break()
            {
                return order.counts;
            }
        }
        first = last;
    }
    order.counts
}

/// Splits every chunk from the state a script starts in.
fn speculate(input: &[u8], options: &SplitOptions, cuts: &[usize]) -> Vec<Stretch> {
    let guess = Boundary::start(options);
    cuts.par_windows(2)
        .map(|chunk| split_stretch(input, options, chunk[0], guess.clone(), chunk[1], true))
        .collect()
}

/// The sequential pass: where the last chunk really stopped, and in what state.
struct InOrder {
    at: usize,
    state: Boundary,
    counts: ChunkCounts,
}

impl InOrder {
    fn new(options: &SplitOptions) -> Self {
        InOrder {
            at: 0,
            state: Boundary::start(options),
            counts: ChunkCounts::default(),
        }
    }

    /// Takes the chunk that ends at `limit`: the guessed `stretch` if it
    /// fits, else a split from the real position and state.
    fn take(
        &mut self,
        input: &[u8],
        options: &SplitOptions,
        stretch: Option<Stretch>,
        limit: usize,
        visit: &mut impl FnMut(Script) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        self.counts.chunks += 1;
        if self.at >= limit && self.at > 0 {
            // The chunk before ran past this whole chunk.
            return ControlFlow::Continue(());
        }
        let stretch = match stretch {
            Some(mut guessed) if guessed.fits(self.at, &self.state) => {
                guessed.carry(&self.state);
                guessed
            }
            guessed => {
                self.counts.resplit += usize::from(guessed.is_some());
                split_stretch(input, options, self.at, self.state.clone(), limit, true)
            }
        };
        self.at = stretch.stop;
        self.state = stretch.end;
        visit(stretch.script)
    }
}

/// `0`, the cuts, and `input.len()`: each chunk about `chunk_size` long.
fn cut_points(input: &[u8], chunk_size: usize) -> Vec<usize> {
    let mut cuts = vec![0];
    let mut from = chunk_size;
    while from < input.len() {
        match likely_boundary(input, from) {
            Some(cut) if cut < input.len() => {
                cuts.push(cut);
                from = cut + chunk_size;
            }
            _ => break,
        }
    }
    cuts.push(input.len());
    cuts
}

/// The first likely statement boundary after `from`: the `--` line of the
/// next pg_dump header after a blank line, however far (in a dump, a cut
/// anywhere else may land in COPY rows, and splitting rows as SQL is wasted
/// work); in a script without headers, the first token after a line that
/// ends in `;`.
fn likely_boundary(input: &[u8], from: usize) -> Option<usize> {
    if let Some(i) = memchr::memmem::find(&input[from..], b"\n\n--\n-- ") {
        return Some(from + i + 2);
    }
    for newline in memchr::memchr_iter(b'\n', &input[from..]).map(|i| from + i) {
        let before = &input[from..newline];
        let ends_statement = before.ends_with(b";") || before.ends_with(b";\r");
        if !ends_statement {
            continue;
        }
        let next = input[newline..]
            .iter()
            .position(|&b| !is_whitespace(b))
            .map(|i| newline + i)?;
        return Some(next);
    }
    None
}
