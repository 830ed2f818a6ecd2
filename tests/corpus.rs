//! Every file of the shared corpus (`PGSPLIT_CORPUS`): split losslessly in
//! both modes, and the fast path gives exactly what lexing every token gives.

mod common;

use std::path::{Path, PathBuf};

use common::{assert_lossless, options};
use pgsplit::{split, Compat, SplitOptions};

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
