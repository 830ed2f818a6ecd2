//! Any bytes pgsplit splits without errors or warnings: normalizing the
//! normalized text changes nothing, under every option combination; and the
//! text is the same on one thread and on two.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pgsplit::normalize::{normalize, NormalizeOptions};

// The property and its option combinations, as the tests check them.
#[path = "../../tests/common/idempotence.rs"]
mod idempotence;

fuzz_target!(|input: &[u8]| {
    if !idempotence::idempotence_promised(input) {
        return;
    }
    for options in idempotence::every_option_combination() {
        if let Some(failure) = idempotence::idempotence_failure(input, &options) {
            panic!("{failure}");
        }
        let on_two = NormalizeOptions { jobs: 2, ..options.clone() };
        assert_eq!(
            normalize(input, &on_two),
            normalize(input, &options),
            "{} differs on two threads",
            idempotence::describe(&options)
        );
    }
});
