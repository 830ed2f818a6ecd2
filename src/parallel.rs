//! Splitting on every core, with exactly the sequential result.
//!
//! Where a statement ends depends on everything before it: a chunk taken from
//! the middle of a file may start inside a COPY block, a string, a comment, a
//! dollar quote or a function body. So the parallel splitter guesses, then
//! checks:
//!
//! 1. It cuts the input at *likely* statement boundaries: before a pg_dump
//!    object header that follows a blank line (`\n\n--\n-- `), or failing
//!    that at the first line after one that ends in `;`.
//! 2. Every chunk is split at once, on rayon's threads, as if it started at a
//!    boundary in the state a script starts in; each stops at the first real
//!    boundary at or after the next cut, reading past the cut if a statement
//!    crosses it.
//! 3. One sequential pass walks the chunks in order and keeps a chunk's
//!    statements only if it started where the chunk before really stopped,
//!    in a state that differs from the guess in nothing the chunk read
//!    ([`Stretch::fits`]). A chunk that does not fit is split again from the
//!    real position and state; the next chunk is then checked against that.
//!
//! A wrong guess costs one sequential re-split of one chunk, never a wrong
//! answer: the worst case is the sequential speed plus the wasted work. In
//! pg_dump output the guesses hold, because cuts land between archive
//! entries.

use rayon::prelude::*;

use crate::split::{split, split_stretch, Boundary, Script, SplitOptions, Stretch};

/// How to split in parallel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parallelism {
    /// Threads to use: 0 for all cores, 1 for the sequential splitter.
    pub jobs: usize,
    /// The size chunks aim at, in bytes (cuts are then moved to a likely
    /// boundary). Tests make it tiny so that every kind of cut happens.
    pub chunk_size: usize,
    /// Inputs smaller than this are split sequentially: threads cost more
    /// than they save.
    pub sequential_below: usize,
}

impl Default for Parallelism {
    fn default() -> Self {
        Parallelism {
            jobs: 0,
            chunk_size: 4 << 20,
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

/// Splits `input` like [`split`], on several threads.
pub fn split_parallel(input: &[u8], options: &SplitOptions, parallelism: &Parallelism) -> Script {
    split_parallel_counted(input, options, parallelism).0
}

/// How a parallel split went: for benchmarks and tuning.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChunkCounts {
    /// Chunks split in parallel (0 when the input was split sequentially).
    pub chunks: usize,
    /// Chunks whose guessed start was wrong and were split again.
    pub resplit: usize,
}

/// [`split_parallel`], also saying how many chunks had to be split again.
pub fn split_parallel_counted(
    input: &[u8],
    options: &SplitOptions,
    parallelism: &Parallelism,
) -> (Script, ChunkCounts) {
    let threads = parallelism.threads();
    if threads <= 1 || input.len() < parallelism.sequential_below {
        return (split(input, options), ChunkCounts::default());
    }
    let cuts = cut_points(input, parallelism.chunk_size.max(1));
    let work = || speculate(input, options, &cuts);
    let stretches = if parallelism.jobs == 0 {
        work()
    } else {
        match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
            Ok(pool) => pool.install(work),
            // Without threads of its own, the global pool still gives the
            // same result.
            Err(_) => work(),
        }
    };
    confirm(input, options, &cuts, stretches)
}

/// Splits every chunk from the state a script starts in.
fn speculate(input: &[u8], options: &SplitOptions, cuts: &[usize]) -> Vec<Stretch> {
    let guess = Boundary::start(options);
    cuts.par_windows(2)
        .map(|chunk| split_stretch(input, options, chunk[0], guess.clone(), chunk[1]))
        .collect()
}

/// Keeps the chunks whose guess was right and re-splits the others, in order.
fn confirm(
    input: &[u8],
    options: &SplitOptions,
    cuts: &[usize],
    stretches: Vec<Stretch>,
) -> (Script, ChunkCounts) {
    let mut counts = ChunkCounts {
        chunks: stretches.len(),
        resplit: 0,
    };
    let mut script = Script::default();
    let mut at = 0;
    let mut state = Boundary::start(options);
    for (mut stretch, limit) in stretches.into_iter().zip(&cuts[1..]) {
        if at >= *limit && at > stretch.start {
            // The chunk before ran past this whole chunk.
            continue;
        }
        if stretch.fits(at, &state) {
            stretch.carry(&state);
        } else {
            stretch = split_stretch(input, options, at, state.clone(), *limit);
            counts.resplit += 1;
        }
        script.statements.append(&mut stretch.script.statements);
        script.diagnostics.append(&mut stretch.script.diagnostics);
        at = stretch.stop;
        state = stretch.end;
    }
    (script, counts)
}

/// `0`, the cuts, and `input.len()`: each chunk about `chunk_size` long.
fn cut_points(input: &[u8], chunk_size: usize) -> Vec<usize> {
    let mut cuts = vec![0];
    let mut from = chunk_size;
    while from < input.len() {
        match likely_boundary(input, from, chunk_size) {
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

/// The first likely statement boundary after `from`: the `--` line of a
/// pg_dump header after a blank line, if one is within `near` bytes, else the
/// first token after a line that ends in `;`.
fn likely_boundary(input: &[u8], from: usize, near: usize) -> Option<usize> {
    let window = &input[from..input.len().min(from.saturating_add(near))];
    if let Some(i) = memchr::memmem::find(window, b"\n\n--\n-- ") {
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
            .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .map(|i| newline + i)?;
        return Some(next);
    }
    None
}
