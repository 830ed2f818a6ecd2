//! Times the lexer, the sequential splitter and the parallel splitter on a
//! file in memory: `cargo run --release --example time_split FILE [JOBS...]`.
//! A quick look; `cargo bench` has the statistics.
use std::time::Instant;

use pgsplit::parallel::{split_chunks, split_parallel, Parallelism};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: time_split FILE [JOBS...]");
    let jobs: Vec<usize> = args.map(|j| j.parse().expect("JOBS is a number")).collect();
    let input = std::fs::read(&path).unwrap();
    let mb = input.len() as f64 / 1e6;
    let options = pgsplit::SplitOptions::default();
    // For profilers: `ONLY_SPLIT=1` splits into one list ten times,
    // `ONLY_SPLIT=chunks` chunk by chunk on `JOBS` threads (default 1).
    if let Some(only) = std::env::var_os("ONLY_SPLIT") {
        for _ in 0..10 {
            if only == "chunks" {
                let one = Parallelism {
                    jobs: std::env::var("JOBS").map_or(1, |j| j.parse().expect("JOBS is a number")),
                    ..Parallelism::default()
                };
                split_chunks(&input, &options, &one, |chunk| {
                    std::hint::black_box(chunk);
                    std::ops::ControlFlow::Continue(())
                });
            } else {
                std::hint::black_box(pgsplit::split(&input, &options));
            }
        }
        return;
    }
    let best = |f: &mut dyn FnMut() -> String| {
        let mut best = f64::MAX;
        let mut what = String::new();
        for _ in 0..5 {
            let t = Instant::now();
            what = f();
            best = best.min(t.elapsed().as_secs_f64());
        }
        (mb / best, what)
    };
    let (lex, tokens) = best(&mut || {
        pgsplit::lexer::tokenize(&input, Default::default())
            .count()
            .to_string()
    });
    println!("lexer alone: {lex:.0} MB/s ({tokens} tokens)");
    let (split, count) = best(&mut || {
        pgsplit::split(&input, &options)
            .statements
            .len()
            .to_string()
    });
    println!("split, 1 thread: {split:.0} MB/s ({count} statements)");
    for jobs in jobs {
        let parallelism = Parallelism {
            jobs,
            ..Parallelism::default()
        };
        let (speed, what) = best(&mut || {
            let mut statements = 0;
            let counts = split_chunks(&input, &options, &parallelism, |chunk| {
                statements += chunk.statements.len();
                std::ops::ControlFlow::Continue(())
            });
            format!(
                "{statements} statements, {} chunks, {} split again",
                counts.chunks, counts.resplit
            )
        });
        println!("split chunk by chunk, {jobs} threads: {speed:.0} MB/s ({what})");
        let (speed, what) = best(&mut || {
            split_parallel(&input, &options, &parallelism)
                .statements
                .len()
                .to_string()
        });
        println!("split into one list, {jobs} threads: {speed:.0} MB/s ({what} statements)");
    }
}
