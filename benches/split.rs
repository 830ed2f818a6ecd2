//! Criterion benchmarks: lexing, splitting on 1 and 2 threads, and
//! normalizing, on dumps made by a real pg_dump at bench time.
//!
//! `cargo bench` uses `target/bench-dumps/{ddl,copy,inserts}-8MiB.sql` (DDL-dense,
//! COPY-heavy and statement-dense: one INSERT per line, no pg_dump header),
//! writing them first with `benches/make_dumps.py` (which needs the Python packages of
//! `requirements-dev.txt`; `scripts/test` installs them into `.venv`). Set
//! `PGSPLIT_BENCH_MIB=256` for the 256 MiB dumps the targets are set on.
//! The adversarial shapes of the linear-time issue (lone `\` lines, `\set`
//! lines, `x;` repeated with no line end, `SELECT 1;` and a NUL repeated)
//! are made in memory at the same size and split on 1 and 2 threads.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use pgsplit::normalize::{normalize_to, NormalizeOptions};
use pgsplit::parallel::{split_chunks, Parallelism};
use pgsplit::SplitOptions;

fn dumps() -> Vec<(String, Vec<u8>)> {
    let mib: usize = std::env::var("PGSPLIT_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target").join("bench-dumps");
    let flavours = ["ddl", "copy", "inserts"];
    let paths: Vec<PathBuf> = flavours
        .iter()
        .map(|flavour| dir.join(format!("{flavour}-{mib}MiB.sql")))
        .collect();
    if paths.iter().any(|p| !p.exists()) {
        let venv = root.join(".venv").join("bin").join("python");
        let python = if venv.exists() {
            venv
        } else {
            PathBuf::from("python3")
        };
        let made = Command::new(&python)
            .arg(root.join("benches").join("make_dumps.py"))
            .args(["--size-mib", &mib.to_string(), "--flavour"])
            .args(flavours)
            .status()
            .expect("benches/make_dumps.py runs");
        assert!(
            made.success(),
            "benches/make_dumps.py failed; install requirements-dev.txt (scripts/test does)"
        );
    }
    paths
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect()
}

/// The adversarial shapes of the linear-time issue, made here: one short
/// unit repeated to the size of the dumps (`PGSPLIT_BENCH_MIB`, 8 by
/// default). A statement every few bytes, and for the first two a
/// meta-command and (for the lone backslash) a diagnostic each.
fn adversarial() -> Vec<(String, Vec<u8>)> {
    let mib: usize = std::env::var("PGSPLIT_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    let shapes: [(&str, &[u8]); 4] = [
        ("backslash", b"\\\n"),
        ("set", b"\\set a b\n"),
        ("x-semicolon", b"x;"),
        ("select-nul", b"SELECT 1;\0"),
    ];
    shapes
        .into_iter()
        .map(|(name, unit)| {
            let input = unit.repeat((mib << 20) / unit.len());
            (format!("{name}-{mib}MiB"), input)
        })
        .collect()
}

fn count(input: &[u8], jobs: usize) -> usize {
    let parallelism = Parallelism {
        jobs,
        ..Parallelism::default()
    };
    let mut statements = 0;
    split_chunks(input, &SplitOptions::default(), &parallelism, |chunk| {
        statements += chunk.statements.len();
        ControlFlow::Continue(())
    });
    statements
}

fn benches(c: &mut Criterion) {
    let dumps = dumps();
    let mut group = c.benchmark_group("pgsplit");
    group.sample_size(10);
    for (name, input) in &dumps {
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_with_input(BenchmarkId::new("lex", name), input, |b, input| {
            b.iter(|| pgsplit::lexer::tokenize(input, Default::default()).count())
        });
        for jobs in [1, 2] {
            let id = BenchmarkId::new(format!("split/{jobs} thread(s)"), name);
            group.bench_with_input(id, input, |b, input| b.iter(|| count(input, jobs)));
        }
        group.bench_with_input(BenchmarkId::new("normalize", name), input, |b, input| {
            b.iter(|| {
                let mut out = std::io::sink();
                normalize_to(input, &NormalizeOptions::default(), &mut out).unwrap()
            })
        });
    }
    for (name, input) in &adversarial() {
        group.throughput(Throughput::Bytes(input.len() as u64));
        for jobs in [1, 2] {
            let id = BenchmarkId::new(format!("split/{jobs} thread(s)"), name);
            group.bench_with_input(id, input, |b, input| b.iter(|| count(input, jobs)));
        }
    }
    group.finish();
}

criterion_group!(all, benches);
criterion_main!(all);
