//! Any bytes: in both modes, statements and the trivia between them cover
//! the input exactly once, in order, and splitting never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pgsplit::{partition, split, Compat, SplitOptions};

fuzz_target!(|input: &[u8]| {
    for compat in [Compat::Default, Compat::Psql] {
        let options = SplitOptions {
            compat,
            ..SplitOptions::default()
        };
        let script = split(input, &options);
        let mut rebuilt = Vec::with_capacity(input.len());
        for piece in partition(&script.statements, input.len()) {
            assert_eq!(piece.span.start, rebuilt.len(), "gap or overlap ({compat:?})");
            rebuilt.extend_from_slice(&input[piece.span]);
        }
        assert_eq!(rebuilt, input, "the pieces are not the input ({compat:?})");
    }
});
