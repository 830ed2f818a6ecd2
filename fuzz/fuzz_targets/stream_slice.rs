//! Any bytes, read a few bytes at a time into a tiny window: the stream
//! splitter finds the statements the slice splitter finds, at the same
//! offsets, of the same kind and command, with the same text to run, and
//! the same diagnostics, compared as `tests/stream.rs` compares them
//! (`tests/common/streamed.rs`). The first two bytes choose the window and the read
//! size.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pgsplit::{Compat, SplitOptions};

#[path = "../../tests/common/streamed.rs"]
mod streamed;

fuzz_target!(|data: &[u8]| {
    let [window, step, input @ ..] = data else {
        return;
    };
    let (window, step) = (1 + usize::from(window % 64), 1 + usize::from(step % 16));
    for compat in [Compat::Default, Compat::Psql] {
        let options = SplitOptions {
            compat,
            ..SplitOptions::default()
        };
        let sliced = streamed::sliced(input, &options);
        let streamed = streamed::streamed(input, &options, window, step);
        assert_eq!(streamed, sliced, "window {window}, reads of {step}, {compat:?}");
    }
});
