//! The modes a chunk is guessed to start in: psql's `\restrict` mode and the
//! `standard_conforming_strings` setting.
//!
//! Either one, guessed wrong, makes a chunk that reads it split again, and a
//! dump can hold both anywhere: concatenated dumps (pg_dumpall's output,
//! `cat`) open and close one `\restrict` pair each, and a dump of a server
//! that had the setting off turns it off at its top. So the lines that
//! change them are followed from chunk to chunk, in two steps:
//!
//! 1. [`marks_in`] finds, by substring search, every place in a chunk that
//!    may change a mode. Chunks are searched at once, on every thread: the
//!    search reads every byte, and on the sequential pass it would hold up
//!    the threads that split.
//! 2. [`Modes::follow`] reads the marks in order from the modes the first
//!    chunk starts in, and so gives the modes at each cut. Marks are rare,
//!    and each is read as the splitter reads it (the restricted mode by
//!    [`restricted_mode_after`], the setting by [`standard_strings_setting`]),
//!    so the two cannot disagree on what a line means.
//!
//! A mark the search mistakes (the words in a string or in COPY rows) costs
//! at most a re-split, never a wrong answer.

use crate::lexer::{first_token, line_end, LexMode, Span};
use crate::meta;
use crate::split::{restricted_mode_after, standard_strings_setting};

/// Enough of a line's leading tokens to read `SET SESSION
/// standard_conforming_strings TO off`.
const LEADING_WORDS: usize = 6;

/// The modes in force at a place in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Modes {
    /// Whether `standard_conforming_strings` is on.
    pub standard_strings: bool,
    /// The key of the `\restrict` in force, if any.
    pub restrict_key: Option<Span>,
}

/// A place that may change a mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mark {
    /// `restrict ` (of `\restrict` or `\unrestrict`, if a backslash is
    /// before it at a line start).
    Restrict(usize),
    /// `standard_conforming_strings` (of a `SET` or `RESET`, if its line
    /// starts with one).
    StandardStrings(usize),
}

impl Mark {
    fn at(self) -> usize {
        match self {
            Mark::Restrict(at) | Mark::StandardStrings(at) => at,
        }
    }
}

/// Every place in `input[from..to]` that may change a mode, in order.
///
/// Both words are looked for in one block of [`MARK_BLOCK`] bytes before
/// the next: the second search then reads what the first brought into the
/// cache. Two searches over the whole chunk read it from memory twice, and
/// in COPY rows, which the splitter itself reads at memory speed, that
/// second read was a third of a chunk's time.
pub(super) fn marks_in(input: &[u8], from: usize, to: usize) -> Vec<Mark> {
    // Each word with the mark it makes.
    let searches = [
        (
            memchr::memmem::Finder::new(RESTRICT),
            Mark::Restrict as fn(usize) -> Mark,
        ),
        (
            memchr::memmem::Finder::new(STANDARD_STRINGS),
            Mark::StandardStrings,
        ),
    ];
    let mut marks = Vec::new();
    let mut block = from;
    while block < to {
        let block_end = block.saturating_add(MARK_BLOCK).min(to);
        for (word, mark) in &searches {
            // A word that starts in the block may end past it.
            let reach = block_end.saturating_add(word.needle().len() - 1).min(to);
            marks.extend(
                word.find_iter(&input[block..reach])
                    .map(|i| block + i)
                    .filter(|&at| at < block_end)
                    .map(mark),
            );
        }
        block = block_end;
    }
    marks.sort_unstable_by_key(|mark| mark.at());
    marks
}

/// The word of `\restrict` and `\unrestrict` lines that a mark is.
const RESTRICT: &[u8] = b"restrict ";

/// The setting a mark names.
const STANDARD_STRINGS: &[u8] = b"standard_conforming_strings";

/// How much of a chunk both words are looked for in at a time: well inside
/// a core's L2 cache.
const MARK_BLOCK: usize = 64 << 10;

impl Modes {
    /// Moves the modes through `marks`, found in order after the place these
    /// modes are in force.
    pub(super) fn follow(&mut self, input: &[u8], marks: &[Mark]) {
        for &mark in marks {
            match mark {
                Mark::Restrict(at) => self.follow_restrict_line(input, at),
                Mark::StandardStrings(at) => self.follow_setting_line(input, at),
            }
        }
    }

    /// A `\restrict KEY` or `\unrestrict KEY` line, if `at` is in one.
    fn follow_restrict_line(&mut self, input: &[u8], at: usize) {
        let command_start = if input[..at].ends_with(b"\\un") {
            at - 3
        } else if input[..at].ends_with(b"\\") {
            at - 1
        } else {
            return;
        };
        if command_start > 0 && input[command_start - 1] != b'\n' {
            return;
        }
        let command = meta::scan(input, command_start, self.restrict_key.is_some());
        if let Some(key) = restricted_mode_after(input, &command, self.restrict_key.as_ref()) {
            self.restrict_key = key;
        }
    }

    /// A line that sets or resets `standard_conforming_strings`, if `at` is
    /// in one: read from the line's leading tokens.
    fn follow_setting_line(&mut self, input: &[u8], at: usize) {
        let line = memchr::memrchr(b'\n', &input[..at]).map_or(0, |i| i + 1);
        let line_end = at + line_end(&input[at..]).unwrap_or(input.len() - at);
        let mode = LexMode {
            standard_strings: self.standard_strings,
        };
        let mut leading = Vec::with_capacity(LEADING_WORDS);
        let mut pos = line;
        while leading.len() < LEADING_WORDS {
            let Some(token) = first_token(&input[pos..line_end], mode) else {
                break;
            };
            if !token.kind.is_trivia() {
                leading.push((Some(token.kind), pos..pos + token.len));
            }
            pos += token.len;
        }
        if let Some(standard) = standard_strings_setting(input, &leading) {
            self.standard_strings = standard;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modes_after(input: &[u8]) -> Modes {
        let mut modes = Modes {
            standard_strings: true,
            restrict_key: None,
        };
        modes.follow(input, &marks_in(input, 0, input.len()));
        modes
    }

    #[test]
    fn marks_are_in_input_order() {
        let input = b"SET standard_conforming_strings = off;\n\\restrict k\nx restrict \n";
        let marks = marks_in(input, 0, input.len());
        assert_eq!(
            marks,
            [
                Mark::StandardStrings(4),
                Mark::Restrict(40),
                Mark::Restrict(53)
            ]
        );
    }

    /// The words are looked for block by block: one that crosses a block's
    /// end is found once, and so is one that starts a block.
    #[test]
    fn a_word_across_a_block_end_is_found_once() {
        for before_end in 0..=STANDARD_STRINGS.len() {
            let mut input = vec![b'x'; MARK_BLOCK - before_end];
            input.extend_from_slice(STANDARD_STRINGS);
            input.extend_from_slice(b" \\restrict ");
            input.resize(2 * MARK_BLOCK + 5, b'x');
            let restrict_at = MARK_BLOCK - before_end + STANDARD_STRINGS.len() + 2;
            assert_eq!(
                marks_in(&input, 0, input.len()),
                [
                    Mark::StandardStrings(MARK_BLOCK - before_end),
                    Mark::Restrict(restrict_at)
                ],
                "{before_end} bytes before the block's end"
            );
            // A word that ends past the chunk's end is not in the chunk.
            let cut = MARK_BLOCK - before_end + 3;
            assert_eq!(marks_in(&input, 0, cut), []);
        }
    }

    #[test]
    fn the_setting_and_the_restricted_mode_are_followed() {
        let input = b"SET standard_conforming_strings = off;\n\\restrict abc\nSELECT 1;\n";
        let modes = modes_after(input);
        assert!(!modes.standard_strings);
        assert_eq!(modes.restrict_key.map(|key| &input[key]), Some(&b"abc"[..]));
        let closed = b"\\restrict abc\n\\unrestrict abc\nRESET standard_conforming_strings;\n";
        assert_eq!(
            modes_after(closed),
            Modes {
                standard_strings: true,
                restrict_key: None
            }
        );
    }

    #[test]
    fn the_words_elsewhere_change_nothing() {
        let input = b"SELECT 'standard_conforming_strings = off';\nSELECT 1; \\restrict k\n";
        assert_eq!(
            modes_after(input),
            Modes {
                standard_strings: true,
                restrict_key: None
            }
        );
    }
}
