//! Every file of the shared corpus (`PGSPLIT_CORPUS`): split losslessly in
//! both modes, the fast path gives exactly what lexing every token gives, and
//! the parallel splitter exactly what the sequential one gives.

mod common;

use std::path::{Path, PathBuf};

use common::idempotence::{
    describe, every_option_combination, idempotence_failure, idempotence_promised,
};
use common::{assert_lossless, options};
use pgsplit::lexer::{tokenize, LexMode, TokenKind};
use pgsplit::normalize::{normalize, NormalizeOptions};
use pgsplit::parallel::{split_parallel, Parallelism};
use pgsplit::{split, Compat, SplitOptions, StatementKind};

fn corpus_files() -> Option<Vec<PathBuf>> {
    let Some(root) = std::env::var_os("PGSPLIT_CORPUS") else {
        eprintln!("SKIPPED: PGSPLIT_CORPUS is not set (point it at ../shared/corpus to run the corpus tests)");
        return None;
    };
    let mut files = Vec::new();
    collect(Path::new(&root), &mut files);
    files.sort();
    assert!(
        files.len() > 100,
        "PGSPLIT_CORPUS holds only {} .sql files",
        files.len()
    );
    Some(files)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
}

#[test]
fn corpus_splits_losslessly_and_the_fast_path_changes_nothing() {
    let Some(files) = corpus_files() else { return };
    for path in files {
        let input = std::fs::read(&path).unwrap();
        for compat in [Compat::Default, Compat::Psql] {
            let fast = split(&input, &options(compat));
            assert_lossless(&input, &fast);
            let every_token = split(
                &input,
                &SplitOptions {
                    lex_every_token: true,
                    ..options(compat)
                },
            );
            assert!(
                fast.statements == every_token.statements
                    && fast.diagnostics == every_token.diagnostics,
                "{}: the fast path differs ({compat:?})",
                path.display()
            );
        }
    }
}

#[test]
fn corpus_splits_the_same_in_parallel_for_any_chunk_size() {
    let Some(files) = corpus_files() else { return };
    for path in files {
        let input = std::fs::read(&path).unwrap();
        for compat in [Compat::Default, Compat::Psql] {
            let sequential = split(&input, &options(compat));
            for chunk_size in [512, 16 << 10] {
                let parallelism = Parallelism {
                    jobs: 2,
                    chunk_size,
                    sequential_below: 0,
                };
                let parallel = split_parallel(&input, &options(compat), &parallelism);
                assert!(
                    parallel.statements == sequential.statements
                        && parallel.diagnostics == sequential.diagnostics,
                    "{}: the parallel split differs ({compat:?}, chunks of {chunk_size} bytes)",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn corpus_normalizes_the_same_on_any_number_of_threads() {
    let Some(files) = corpus_files() else { return };
    for path in files
        .iter()
        .filter(|p| p.to_string_lossy().contains("pgdump15"))
    {
        let input = std::fs::read(path).unwrap();
        for sort in [false, true] {
            let on = |jobs| {
                normalize(
                    &input,
                    &NormalizeOptions {
                        sort,
                        jobs,
                        ..NormalizeOptions::default()
                    },
                )
            };
            assert!(
                on(1) == on(2),
                "{}: normalize differs on 2 threads (sort {sort})",
                path.display()
            );
        }
    }
}

/// Every string, quoted identifier and dollar-quoted body of the SQL
/// statements, in order.
fn literals(input: &[u8]) -> Vec<Vec<u8>> {
    let script = split(input, &SplitOptions::default());
    let mut found = Vec::new();
    for statement in script
        .statements
        .iter()
        .filter(|s| s.kind != StatementKind::Meta)
    {
        let text = statement.text(input);
        let mut at = 0;
        for token in tokenize(&text, LexMode::default()) {
            if matches!(
                token.kind,
                TokenKind::String | TokenKind::QuotedIdent | TokenKind::DollarQuoted
            ) {
                found.push(text[at..at + token.len].to_vec());
            }
            at += token.len;
        }
    }
    found
}

#[test]
fn normalize_keeps_literals_byte_for_byte() {
    let Some(files) = corpus_files() else { return };
    for path in files
        .iter()
        .filter(|p| p.to_string_lossy().contains("pgdump15"))
    {
        let input = std::fs::read(path).unwrap();
        let plain = normalize(&input, &NormalizeOptions::default());
        assert!(
            literals(&input) == literals(&plain),
            "{}: a literal, quoted identifier or body changed",
            path.display()
        );
    }
}

/// Every file the idempotence promise covers (pgsplit splits it without
/// errors or warnings), under every option combination.
#[test]
fn normalize_is_idempotent_on_every_file_with_every_option() {
    let Some(files) = corpus_files() else { return };
    let combinations = every_option_combination();
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in &files {
        let input = std::fs::read(path).unwrap();
        if !idempotence_promised(&input) {
            continue;
        }
        checked += 1;
        for options in &combinations {
            if idempotence_failure(&input, options).is_some() {
                failures.push(format!("{} {}", path.display(), describe(options)));
            }
        }
    }
    eprintln!(
        "{checked} of {} files checked under {} option combinations",
        files.len(),
        combinations.len()
    );
    assert!(
        failures.is_empty(),
        "normalizing twice changed the text:\n{}",
        failures.join("\n")
    );
}
