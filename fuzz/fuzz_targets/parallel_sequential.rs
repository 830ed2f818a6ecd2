//! Any bytes, cut into chunks as small as a few bytes: the parallel splitter
//! gives exactly the sequential result, statements and diagnostics, in both
//! modes. The first byte chooses the chunk size.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pgsplit::parallel::{split_parallel, Parallelism};
use pgsplit::{split, Compat, SplitOptions};

fuzz_target!(|data: &[u8]| {
    let Some((&size, input)) = data.split_first() else {
        return;
    };
    let parallelism = Parallelism {
        jobs: 2,
        chunk_size: 1 + usize::from(size % 64),
        sequential_below: 0,
    };
    for compat in [Compat::Default, Compat::Psql] {
        let options = SplitOptions {
            compat,
            ..SplitOptions::default()
        };
        let sequential = split(input, &options);
        let parallel = split_parallel(input, &options, &parallelism);
        assert_eq!(parallel.statements, sequential.statements, "{compat:?}");
        assert_eq!(parallel.diagnostics, sequential.diagnostics, "{compat:?}");
    }
});
