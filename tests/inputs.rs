//! Inputs that are not regular files: a pipe named as `/dev/stdin`, bash's
//! process substitution, a named FIFO. Each is read once, as a stream, by
//! every command, with the regular file's result. And inputs that must
//! not hold more than a bounded part of themselves in memory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const A: &str = "CREATE TABLE t (a int);\nSELECT 1;\n";
const B: &str = "CREATE TABLE t (a bigint);\nSELECT 1;\n";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgsplit-inputs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `script` in bash with `$PGSPLIT` the binary and `$A`, `$B` two files.
fn bash(dir: &Path, script: &str) -> Output {
    std::fs::write(dir.join("a.sql"), A).unwrap();
    std::fs::write(dir.join("b.sql"), B).unwrap();
    Command::new("timeout")
        .args(["20", "bash", "-c", script])
        .env("PGSPLIT", env!("CARGO_BIN_EXE_pgsplit"))
        .env("A", dir.join("a.sql"))
        .env("B", dir.join("b.sql"))
        .current_dir(dir)
        .output()
        .unwrap()
}

/// What each command prints for the regular files, to compare with.
fn regular(dir: &Path, command: &str) -> Output {
    bash(dir, &format!("\"$PGSPLIT\" {command}"))
}

const COMMANDS: &[(&str, &str)] = &[
    ("split --format jsonl", "$A"),
    ("check", "$A"),
    ("stats", "$A"),
    ("normalize", "$A"),
    ("diff", "$A $B"),
];

fn same_output(found: &Output, expected: &Output, what: &str) {
    assert_eq!(
        found.status.code(),
        expected.status.code(),
        "{what}: {}",
        String::from_utf8_lossy(&found.stderr)
    );
    let clean = |o: &Output| {
        // stats times itself, and names its input.
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| !l.starts_with("split time") && !l.starts_with("file"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(clean(found), clean(expected), "{what}");
    assert!(
        !found.stdout.is_empty() || what.contains("check"),
        "{what} printed nothing"
    );
}

#[test]
fn every_command_reads_a_pipe_named_dev_stdin() {
    let dir = scratch("stdin");
    for (command, files) in COMMANDS {
        let piped = files.replacen("$A", "/dev/stdin", 1);
        let found = bash(
            &dir,
            &format!("cat \"$A\" | \"$PGSPLIT\" {command} {piped}"),
        );
        let expected = regular(&dir, &format!("{command} {files}"));
        same_output_named(&found, &expected, command, "/dev/stdin", &dir.join("a.sql"));
    }
}

#[test]
fn diff_of_two_process_substitutions_compares_their_contents() {
    let dir = scratch("procsub");
    let found = bash(&dir, "\"$PGSPLIT\" diff <(cat \"$A\") <(cat \"$B\")");
    assert_eq!(
        found.status.code(),
        Some(1),
        "they differ: {}",
        String::from_utf8_lossy(&found.stdout)
    );
    assert!(
        String::from_utf8_lossy(&found.stdout).contains("TABLE"),
        "{}",
        String::from_utf8_lossy(&found.stdout)
    );
    let same = bash(&dir, "\"$PGSPLIT\" diff <(cat \"$A\") <(cat \"$A\")");
    assert_eq!(same.status.code(), Some(0));
}

#[test]
fn every_command_reads_a_named_fifo_once() {
    let dir = scratch("fifo");
    for (command, files) in COMMANDS {
        let script = format!(
            "rm -f fifo-a && mkfifo fifo-a && (cat \"$A\" > fifo-a &) && \"$PGSPLIT\" {command} {}",
            files.replacen("$A", "fifo-a", 1)
        );
        let found = bash(&dir, &script);
        assert_ne!(found.status.code(), Some(124), "{command} hung on a FIFO");
        let expected = regular(&dir, &format!("{command} {files}"));
        same_output_named(&found, &expected, command, "fifo-a", &dir.join("a.sql"));
    }
}

/// `found` names the input `name` where `expected` names the file `path`.
fn same_output_named(found: &Output, expected: &Output, what: &str, name: &str, path: &Path) {
    let renamed = Output {
        status: expected.status,
        stdout: String::from_utf8_lossy(&expected.stdout)
            .replace(&path.display().to_string(), name)
            .into_bytes(),
        stderr: expected.stderr.clone(),
    };
    same_output(found, &renamed, what);
}

/// 256 MiB of NUL bytes, gzip-compressed (about 250 KB): one endless statement.
fn nul_bomb(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("bomb.sql.gz");
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&path).unwrap(),
        flate2::Compression::fast(),
    );
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..256 {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.finish().unwrap();
    path
}

#[test]
fn an_endless_statement_in_a_compressed_file_is_an_error_in_bounded_memory() {
    let dir = scratch("bomb");
    let bomb = nul_bomb(&dir);
    for command in ["split --format count", "check", "stats"] {
        // Under a 256 MiB address-space limit: the window may not grow past
        // --max-statement-bytes, and nothing else may hold the input.
        let found = bash(
            &dir,
            &format!(
                "prlimit --as=268435456 \"$PGSPLIT\" {command} --max-statement-bytes 16777216 {}",
                bomb.display()
            ),
        );
        let stderr = String::from_utf8_lossy(&found.stderr);
        assert_eq!(found.status.code(), Some(1), "{command}: {stderr}");
        assert!(
            stderr.contains("bomb.sql.gz:1:1: error: a statement larger than 16777216 bytes"),
            "{command}: {stderr}"
        );
        assert!(
            !stderr.contains("panicked") && !stderr.contains("memory allocation"),
            "{stderr}"
        );
    }
}

#[test]
fn normalize_and_diff_of_meta_command_dense_input_hold_a_chunk_not_the_split() {
    let dir = scratch("dense");
    // 8 MiB of lone `\` lines: a statement and a warning every two bytes,
    // about 400 bytes each once split, 1.6 GB if the split were held whole.
    std::fs::write(dir.join("dense.sql"), "\\\n".repeat(4 << 20)).unwrap();
    let limit = "prlimit --as=536870912";
    let normalized = bash(
        &dir,
        &format!("set -o pipefail; {limit} \"$PGSPLIT\" normalize -j1 dense.sql | wc -l"),
    );
    let stderr = String::from_utf8_lossy(&normalized.stderr);
    assert_eq!(normalized.status.code(), Some(0), "{stderr}");
    // One line per command, and a blank line between entries.
    let lines: usize = String::from_utf8_lossy(&normalized.stdout)
        .trim()
        .parse()
        .unwrap();
    assert_eq!(lines, 2 * (4 << 20) - 1, "{stderr}");
    // Half of it for diff, which matches every entry by name: still 800 MB
    // held whole, well past the limit, in half the time.
    std::fs::write(dir.join("half.sql"), "\\\n".repeat(2 << 20)).unwrap();
    let diffed = bash(
        &dir,
        &format!("{limit} \"$PGSPLIT\" diff half.sql half.sql"),
    );
    let stderr = String::from_utf8_lossy(&diffed.stderr);
    assert_eq!(diffed.status.code(), Some(0), "{stderr}");
}
