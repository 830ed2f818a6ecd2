//! Chunk results kept for reuse, each by the thread that filled it.
//!
//! A chunk's statements and diagnostics live in two lists that are filled,
//! visited and filled again by a later chunk, so that a megabyte of fresh
//! memory per chunk costs no page faults. Emptying a list frees what its
//! statements own: a meta-command's parsed command, a warning's message.
//! Freed on another thread than the one that allocated them, those small
//! blocks go back to the other thread's arena under its lock, which costs
//! glibc's allocator more than splitting them does: 32 MiB of lone `\` lines
//! took twice as long on 2 threads as on one. So a list goes back to the
//! thread that filled it, and that thread empties it when it takes it again.

use std::sync::Mutex;

use crate::split::Script;

use super::ITEMS_PER_CHUNK;

/// Visited chunk results, one stack per thread of the pool and one for the
/// threads outside it (the sequential pass, which splits a chunk again when
/// its guess was wrong).
pub(super) struct Spares {
    by_thread: Vec<Mutex<Vec<Script>>>,
    /// The most a stack keeps: beyond it, a script is dropped.
    keep: usize,
}

impl Spares {
    /// Stacks for a pool of `threads`, each keeping up to `keep` scripts.
    pub(super) fn new(threads: usize, keep: usize) -> Self {
        Spares {
            by_thread: (0..=threads).map(|_| Mutex::new(Vec::new())).collect(),
            keep,
        }
    }

    /// The stack of the calling thread.
    fn this_thread(&self) -> usize {
        let outside = self.by_thread.len() - 1;
        rayon::current_thread_index().map_or(outside, |index| index.min(outside))
    }

    /// An empty script for the calling thread (one it filled before,
    /// emptied here, or a new one), and the stack it goes back to.
    pub(super) fn take(&self) -> (usize, Script) {
        let thread = self.this_thread();
        let reused = self.by_thread[thread]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        (thread, reused.map_or_else(Script::default, emptied))
    }

    /// Keeps `script`, filled by the thread `filled_by`, for that thread.
    pub(super) fn give_back(&self, filled_by: usize, script: Script) {
        let mut stack = self.by_thread[filled_by]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if stack.len() < self.keep {
            stack.push(script);
        }
    }
}

/// `script` cleared for a chunk. Lists grown by a dense chunk give their
/// room back: the chunks after it are cut smaller.
fn emptied(mut script: Script) -> Script {
    script.statements.clear();
    script.statements.shrink_to(2 * ITEMS_PER_CHUNK);
    script.diagnostics.clear();
    script.diagnostics.shrink_to(2 * ITEMS_PER_CHUNK);
    script
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::{split, SplitOptions};

    #[test]
    fn a_script_comes_back_empty_to_the_thread_that_filled_it() {
        let spares = Spares::new(2, 4);
        let filled = split(b"SELECT 1;\n\\nosuch\n", &SplitOptions::default());
        assert!(!filled.statements.is_empty() && !filled.diagnostics.is_empty());
        let room = filled.statements.capacity();
        // This test's thread is outside any pool: its stack is the last.
        let here = spares.this_thread();
        assert_eq!(here, 2);
        spares.give_back(0, filled.clone());
        assert_eq!(
            spares.take().1.statements.capacity(),
            0,
            "not this thread's"
        );
        spares.give_back(here, filled);
        let (thread, reused) = spares.take();
        assert_eq!(thread, here);
        assert!(reused.statements.is_empty() && reused.diagnostics.is_empty());
        assert_eq!(reused.statements.capacity(), room);
    }

    #[test]
    fn a_stack_keeps_no_more_than_asked() {
        let spares = Spares::new(1, 2);
        for _ in 0..5 {
            spares.give_back(1, Script::default());
        }
        assert_eq!(spares.by_thread[1].lock().unwrap().len(), 2);
    }
}
