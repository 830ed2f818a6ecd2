//! Finding the next byte that can end or change a statement.
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

#[cfg(test)]
mod tests {
    use super::*;
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

    proptest! {
        #[test]
        fn blocks_and_bytes_agree(
            haystack in prop::collection::vec(
                prop_oneof![8 => prop::sample::select(b"ab ,.\n0;()'\"$-/\\:".to_vec()), 1 => any::<u8>()],
                0..100,
            )
        ) {
            prop_assert_eq!(find_interesting(&haystack), find_bytewise(&haystack));
        }
    }
}
