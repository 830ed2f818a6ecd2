//! Bulk scanners: what the lexer would find, found faster.
//!
//! The splitter's fast lanes (`skim` and `skim_body` in
//! [`crate::split`](mod@crate::split)) pass over the commonest bytes of a
//! dump without producing tokens: runs of plain bytes, identifiers, plain
//! literals and quoted names. Each scanner here answers one question the
//! lexer also answers, and the property tests at the bottom hold the two to
//! the same answer, so that a fast lane can never split differently from the
//! general path. They are pure functions of the bytes, like the lexer.
//!
//! # The next byte that matters
//!
//! Once a statement's leading words are known, the splitter cares about ten
//! bytes only: `; ( ) ' " $ - / \ :`. They end statements, nest, open quotes
//! and comments, or start meta-commands and psql variables; everything
//! between them (words, numbers, whitespace, commas) is passed over. In a
//! dump those stretches run for tens of bytes, so the search is worth
//! vectorising: on x86-64 sixteen bytes are tested at once with SSE2, which
//! every x86-64 CPU has (no runtime detection, no `unsafe` beyond the
//! intrinsics). Masking folds the ten bytes into seven comparisons: `(` and
//! `)`, `:` and `;` differ only in their lowest bit, `-` and `/` only in
//! their second. Other targets, and the last bytes of the input, go one byte
//! at a time through a table; a property test holds the two to the same
//! answers.

use super::{is_ident_continue, is_ident_start};

/// The bytes that matter, as a table.
static INTERESTING: [bool; 256] = {
    let mut table = [false; 256];
    let bytes = b";()'\"$-/\\:";
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
};

/// Whether `byte` is one of `; ( ) ' " $ - / \ :`.
#[inline]
pub(crate) fn is_interesting(byte: u8) -> bool {
    INTERESTING[usize::from(byte)]
}

/// The offset of the first interesting byte in `haystack`, if any.
#[inline]
pub(crate) fn find_interesting(haystack: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        let whole_blocks = haystack.len() / 16 * 16;
        if let Some(found) = x86_64::find_in_blocks(&haystack[..whole_blocks]) {
            return Some(found);
        }
        find_bytewise(&haystack[whole_blocks..]).map(|i| whole_blocks + i)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        find_bytewise(haystack)
    }
}

fn find_bytewise(haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| is_interesting(b))
}

#[cfg(target_arch = "x86_64")]
mod x86_64 {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };

    /// Searches `blocks` (a multiple of 16 bytes long) sixteen bytes at a time.
    #[inline]
    pub(super) fn find_in_blocks(blocks: &[u8]) -> Option<usize> {
        debug_assert_eq!(blocks.len() % 16, 0);
        // SAFETY: SSE2 is part of the x86-64 baseline, and every load reads
        // 16 bytes of `blocks` (`chunks_exact` gives exactly 16).
        unsafe {
            let low_bit_off = _mm_set1_epi8(0xFEu8 as i8);
            let second_bit_off = _mm_set1_epi8(0xFDu8 as i8);
            let parens = _mm_set1_epi8(b'(' as i8);
            let colon_semicolon = _mm_set1_epi8(b':' as i8);
            let dash_slash = _mm_set1_epi8(b'-' as i8);
            let quote = _mm_set1_epi8(b'\'' as i8);
            let double_quote = _mm_set1_epi8(b'"' as i8);
            let dollar = _mm_set1_epi8(b'$' as i8);
            let backslash = _mm_set1_epi8(b'\\' as i8);
            for (i, block) in blocks.chunks_exact(16).enumerate() {
                let bytes = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
                let low = _mm_and_si128(bytes, low_bit_off);
                let second = _mm_and_si128(bytes, second_bit_off);
                let found = _mm_or_si128(
                    _mm_or_si128(
                        _mm_or_si128(
                            _mm_cmpeq_epi8(low, parens),
                            _mm_cmpeq_epi8(low, colon_semicolon),
                        ),
                        _mm_or_si128(
                            _mm_cmpeq_epi8(second, dash_slash),
                            _mm_cmpeq_epi8(bytes, quote),
                        ),
                    ),
                    _mm_or_si128(
                        _mm_or_si128(
                            _mm_cmpeq_epi8(bytes, double_quote),
                            _mm_cmpeq_epi8(bytes, dollar),
                        ),
                        _mm_cmpeq_epi8(bytes, backslash),
                    ),
                );
                let mask = _mm_movemask_epi8(found);
                if mask != 0 {
                    return Some(i * 16 + mask.trailing_zeros() as usize);
                }
            }
        }
        None
    }
}

/// Where the identifier at `start` (which begins with an identifier byte)
/// ends, or `None` where the lexer must read it: `E'`, `B'`, `X'`, `U&'` and
/// `U&"` open literals.
#[inline]
pub(crate) fn word_end(input: &[u8], start: usize) -> Option<usize> {
    debug_assert!(is_ident_start(input[start]));
    let rest = &input[start + 1..];
    let len = 1 + rest
        .iter()
        .position(|&b| !is_ident_continue(b))
        .unwrap_or(rest.len());
    let next = rest.first().copied();
    let opens_literal = len == 1
        && match input[start].to_ascii_lowercase() {
            b'e' | b'b' | b'x' => next == Some(b'\''),
            b'u' => next == Some(b'&'),
            _ => false,
        };
    (!opens_literal).then_some(start + len)
}

/// Whether a quote after `byte` belongs to a word before it (`E'`, `U&'`,
/// `x"`), which only the lexer reads right.
#[inline]
pub(crate) fn glues_to_quote(byte: u8) -> bool {
    byte == b'&' || is_ident_continue(byte)
}

/// The offset of the quote that closes a plain literal or quoted name opened
/// before `from` (`''` and `""` stand for one quote), if the input has it.
/// Plain literals only read this way under `standard_conforming_strings`.
#[inline]
pub(crate) fn closing_quote(input: &[u8], mut from: usize, quote: u8) -> Option<usize> {
    loop {
        let close = from + memchr::memchr(quote, &input[from..])?;
        if input.get(close + 1) != Some(&quote) {
            return Some(close);
        }
        from = close + 2;
    }
}

/// Where the lexer must start reading to see the quote or `$` at `stop`
/// right, scanning from `from` (a token start, with no byte that matters
/// between it and `stop`): at the start of the word and of any number glued
/// to it (`E'`, `x$y$`; in `0.B'` the lexer reads the number `0.B` and then
/// a quote), or of a `U&` prefix and what it is glued to; `stop` itself for
/// other bytes.
pub(crate) fn glued_word_start(input: &[u8], from: usize, stop: usize) -> usize {
    if !matches!(input.get(stop), Some(b'\'' | b'"' | b'$')) {
        return stop;
    }
    let mut start = stop;
    while start > from && is_word_or_number_byte(input[start - 1]) {
        start -= 1;
    }
    let unicode_prefix = start == stop
        && stop >= from + 2
        && input[stop - 1] == b'&'
        && input[stop - 2].eq_ignore_ascii_case(&b'u')
        && (stop - 2 == from || !is_ident_continue(input[stop - 3]));
    if unicode_prefix {
        // Back over what the `u` may be glued to as well: in `a.u&'` the
        // `u&'` opens a literal, in `9.u&'` the lexer reads the number
        // `9.u` and a `&`; from the start of the run it reads either right.
        start -= 2;
        while start > from && is_word_or_number_byte(input[start - 1]) {
            start -= 1;
        }
    }
    start
}

/// A byte of a word or of a number a word may be glued to (`0.5e3x`).
fn is_word_or_number_byte(byte: u8) -> bool {
    is_ident_continue(byte) || byte == b'.'
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::{first_token, tokenize, LexMode, TokenKind};
    use proptest::prelude::*;

    #[test]
    fn every_byte_is_classified_as_the_table_says() {
        for byte in 0..=255u8 {
            for at in [0, 5, 15, 16, 31, 40] {
                let mut haystack = vec![b'a'; 48];
                haystack[at] = byte;
                let expected = is_interesting(byte).then_some(at);
                assert_eq!(
                    find_interesting(&haystack),
                    expected,
                    "byte {byte:#x} at {at}"
                );
            }
        }
    }

    /// Found by `glued_word_start_is_a_token_start`: a `u&` glued to a
    /// number is no Unicode prefix, and one after a name's `.` is.
    #[test]
    fn a_unicode_prefix_after_a_dot() {
        assert_eq!(glued_word_start(b"9.u&$", 0, 4), 0);
        assert_eq!(glued_word_start(b"a.u&'x'", 0, 4), 0);
        assert_eq!(glued_word_start(b" u&'x'", 1, 3), 1);
        assert_eq!(glued_word_start(b"+u&'x'", 1, 3), 1);
    }

    proptest! {
        // Inputs are tiny and the scanners fast: many cases cost little.
        #![proptest_config(ProptestConfig::with_cases(10_000))]

        #[test]
        fn blocks_and_bytes_agree(
            haystack in prop::collection::vec(
                prop_oneof![8 => prop::sample::select(b"ab ,.\n0;()'\"$-/\\:".to_vec()), 1 => any::<u8>()],
                0..100,
            )
        ) {
            prop_assert_eq!(find_interesting(&haystack), find_bytewise(&haystack));
        }

        /// An identifier ends where the lexer's identifier token ends, and
        /// the scanner gives up exactly where the lexer reads a literal.
        #[test]
        fn word_end_is_the_lexers_identifier(
            first in prop::sample::select(b"abeExXuU_".to_vec()),
            rest in prop::collection::vec(prop::sample::select(WORDS.to_vec()), 0..24),
            standard_strings in any::<bool>(),
        ) {
            let input = [&[first][..], &rest].concat();
            let token = first_token(&input, LexMode { standard_strings }).expect("not empty");
            match word_end(&input, 0) {
                Some(end) => {
                    prop_assert_eq!(token.kind, TokenKind::Ident);
                    prop_assert_eq!(end, token.len);
                }
                None => {
                    let opens_literal = |first: &[u8], second| {
                        first.contains(&input[0]) && input.get(1) == Some(&second)
                    };
                    prop_assert!(opens_literal(b"eEbBxX", b'\'') || opens_literal(b"uU", b'&'));
                }
            }
        }

        /// A quote that no word glues to opens a plain literal or quoted
        /// name that closes where the lexer's token closes.
        #[test]
        fn closing_quote_is_the_lexers_literal(
            body in prop::collection::vec(prop::sample::select(WORDS.to_vec()), 0..24),
            quote in prop::sample::select(vec![b'\'', b'"']),
        ) {
            let mut input = vec![quote];
            input.extend(&body);
            let token = first_token(&input, LexMode::default()).expect("not empty");
            match closing_quote(&input, 1, quote) {
                Some(close) => prop_assert_eq!(close + 1, token.len),
                None => prop_assert!(token.kind.is_unterminated()),
            }
        }

        /// Where the splitter skips from a token start to the next byte
        /// that matters, lexing from where the scanner backs up to reads the
        /// same tokens as lexing the whole input: a word glued to a quote or
        /// `$` is never cut in two.
        #[test]
        fn glued_word_start_is_a_token_start(
            input in prop::collection::vec(prop::sample::select(WORDS.to_vec()), 1..24),
        ) {
            let starts: Vec<usize> = tokenize(&input, LexMode::default())
                .scan(0, |at, token| {
                    let start = *at;
                    *at += token.len;
                    Some(start)
                })
                .collect();
            for &from in &starts {
                let stop = from + find_interesting(&input[from..]).unwrap_or(input.len() - from);
                let start = glued_word_start(&input, from, stop);
                prop_assert!(from <= start && start <= stop);
                prop_assert!(
                    start == input.len() || starts.contains(&start),
                    "backed up from {} to {}, inside a token", stop, start
                );
            }
        }
    }

    /// The bytes the scanner tests are made of: words, numbers, quotes and
    /// what glues to them.
    const WORDS: &[u8] = b"abeExXuU&0.9_$'\" ;()";
}
