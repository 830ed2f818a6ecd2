//! Every command's output, pinned: `split` in each format, `check` in each
//! format and target, `stats` and `normalize`, on the spec cases, the shipped sample and
//! inputs made here, each read three ways (a mapped file, standard input, a
//! `.gz` file) that must print the same bytes, and held to a snapshot.
//!
//! The snapshots make a change of output a visible diff in review
//! (`cargo insta review`); the three ways of reading make a change that
//! touches only one of the input paths fail at once.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The command lines each input goes through; FILE is replaced by the input.
const COMMANDS: &[&[&str]] = &[
    &["split", "FILE", "--format", "sql"],
    &["split", "FILE", "--format", "jsonl"],
    &["split", "FILE", "--format", "json"],
    &["split", "FILE", "--format", "nul"],
    &["split", "FILE", "--format", "count"],
    &["split", "FILE", "--format", "sql", "--compat", "psql"],
    &["check", "FILE"],
    &["check", "FILE", "--format", "json"],
    &["check", "FILE", "--format", "github", "--target", "alembic"],
    &["stats", "FILE", "--format", "json"],
    &["normalize", "FILE"],
    &["normalize", "FILE", "--ignore", "owner,acl,data", "--sort"],
];

/// How a command reads its input.
#[derive(Clone, Copy, Debug)]
enum Reading {
    Mapped,
    StandardInput,
    Gzip,
}

/// One run's exit status, standard output and standard error, with the
/// input's display name replaced by `INPUT` and timings removed.
fn run(args: &[&str], dir: &Path, input: &[u8], reading: Reading) -> String {
    let (file, stdin, shown) = match reading {
        Reading::Mapped => {
            std::fs::write(dir.join("input.sql"), input).unwrap();
            ("input.sql", None, "input.sql")
        }
        Reading::StandardInput => ("-", Some(input), "<stdin>"),
        Reading::Gzip => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(input).unwrap();
            std::fs::write(dir.join("input.sql.gz"), gz.finish().unwrap()).unwrap();
            ("input.sql.gz", None, "input.sql.gz")
        }
    };
    let args: Vec<&str> = args
        .iter()
        .map(|a| if *a == "FILE" { file } else { a })
        .collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgsplit"))
        .args(&args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let data = stdin.unwrap_or_default().to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = pipe.write_all(&data);
    });
    let output = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    let shown_text = |bytes: &[u8]| {
        String::from_utf8_lossy(bytes)
            .replace('\0', "\\0")
            .replace(shown, "INPUT")
    };
    let mut stdout = shown_text(&output.stdout);
    if args[0] == "stats" {
        stdout = without_seconds(&stdout);
    }
    format!(
        "$ pgsplit {}\nexit {}\n--- stdout\n{}--- stderr\n{}",
        args.iter()
            .map(|a| if *a == file { "INPUT" } else { a })
            .collect::<Vec<_>>()
            .join(" "),
        output.status.code().unwrap_or(-1),
        stdout,
        shown_text(&output.stderr)
    )
}

/// `stats --format json` without its `seconds`, which no two runs share.
fn without_seconds(json: &str) -> String {
    let mut value: serde_json::Value = serde_json::from_str(json).expect("stats prints JSON");
    value.as_object_mut().unwrap().remove("seconds");
    format!("{value}\n")
}

/// Every command's output for `input`, the same whichever way it is read.
fn outputs(name: &str, input: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("pgsplit-snapshots-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut all = String::new();
    for command in COMMANDS {
        let mapped = run(command, &dir, input, Reading::Mapped);
        for reading in [Reading::StandardInput, Reading::Gzip] {
            let other = run(command, &dir, input, reading);
            assert_eq!(
                mapped,
                other,
                "{name}: `{}` read as {reading:?} differs from the mapped file",
                command.join(" ")
            );
        }
        all.push_str(&mapped);
        all.push('\n');
    }
    let _ = std::fs::remove_dir_all(&dir);
    all
}

fn snapshot(name: &str, input: &[u8]) {
    let all = outputs(name, input);
    insta::with_settings!({ snapshot_suffix => name.to_string(), prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("commands", all);
    });
}

/// Inputs that reach every kind of event: COPY rows (also sent by `\g` and
/// in a `\;` compound), meta-commands, `\quit`, a missing `\.`, bytes that
/// are not UTF-8, an unterminated quote and pg_dump headers.
const MADE_HERE: &[(&str, &[u8])] = &[
    (
        "dump_with_headers",
        b"--\n-- PostgreSQL database dump\n--\n\\restrict abc\nSET statement_timeout = 0;\n\
SELECT pg_catalog.set_config('search_path', '', false);\n\n--\n-- Name: t; Type: TABLE; Schema: public; Owner: app\n--\n\n\
CREATE TABLE public.t (id integer, name text);\n\nALTER TABLE public.t OWNER TO app;\n\n\
--\n-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: app\n--\n\n\
COPY public.t (id, name) FROM stdin;\n1\tone\n2\ttwo;\n\\.\n\n\\unrestrict abc\n",
    ),
    (
        "copy_sent_by_g_and_compound",
        b"COPY a FROM stdin \\g\n1\n\\.\nCOPY b FROM stdin \\; COPY c FROM stdin;\nx\n\\.\ny\n\\.\nSELECT 1;\n",
    ),
    (
        "meta_commands_and_quit",
        b"\\set ON_ERROR_STOP on\n\\echo hi\nSELECT :'v' AS v;\n\\\\\n\\unknown\nBEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;\n\\quit\nSELECT 2;\n",
    ),
    (
        "copy_without_end",
        b"SELECT 1;\nCOPY t FROM stdin;\n1\n2\n3\n",
    ),
    (
        "not_utf8_and_unterminated",
        b"SELECT 'caf\xe9';\nSELECT $$never closed;\n",
    ),
    (
        "client_encoding_declared",
        b"SET client_encoding = 'LATIN1';\nSELECT 'caf\xe9';\nVACUUM t;\n",
    ),
];

#[test]
fn commands_on_inputs_made_here() {
    for (name, input) in MADE_HERE {
        snapshot(name, input);
    }
}

#[test]
fn commands_on_the_sample_dump() {
    let sample = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/sample_dump.sql"
    ))
    .unwrap();
    snapshot("sample_dump", &sample);
}

#[test]
fn commands_on_the_spec_cases() {
    let dir = std::env::var_os("PGSPLIT_SPEC_CASES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/cases"));
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!(
            "SKIPPED: no spec cases at {} (set PGSPLIT_SPEC_CASES or put shared/ beside the project)",
            dir.display()
        );
        return;
    };
    let mut cases: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no .sql case in {}", dir.display());
    for case in cases {
        let name = case.file_stem().unwrap().to_string_lossy().into_owned();
        snapshot(&format!("spec_{name}"), &std::fs::read(&case).unwrap());
    }
}
