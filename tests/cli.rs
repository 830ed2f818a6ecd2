//! The `pgsplit` command line, run as a user runs it.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sample_dump.sql");

fn pgsplit(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgsplit"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Fed from a thread: pgsplit streams, writing while it still reads.
    let mut input = child.stdin.take().unwrap();
    let data = stdin.unwrap_or_default().to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let output = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgsplit-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn count_of_the_sample() {
    let output = pgsplit(&["split", SAMPLE, "--format", "count"], None);
    assert!(output.status.success());
    assert_eq!(stdout(&output), "33\n");
}

#[test]
fn jsonl_has_the_fixed_fields() {
    let output = pgsplit(&["split", SAMPLE, "--format", "jsonl"], None);
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 33);
    for (i, object) in lines.iter().enumerate() {
        assert_eq!(object["n"], i + 1);
        for field in [
            "kind", "tag", "line", "col", "end_line", "start", "end", "text",
        ] {
            assert!(
                !object[field].is_null(),
                "statement {} lacks {field}",
                i + 1
            );
        }
    }
    let copy = lines.iter().find(|o| o["kind"] == "copy").unwrap();
    assert_eq!(copy["tag"], "COPY");
    assert!(copy["copy_data"]["start"].as_u64() < copy["copy_data"]["end"].as_u64());
    assert_eq!(copy["toc"]["type"], "TABLE DATA");
    assert_eq!(lines[0]["kind"], "meta");
    assert_eq!(lines[0]["tag"], "\\restrict");
}

#[test]
fn json_is_one_array() {
    let output = pgsplit(&["split", SAMPLE, "--format", "json"], None);
    let array: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(array.len(), 33);
}

#[test]
fn nul_separates_texts() {
    let output = pgsplit(
        &["split", "-", "--format", "nul"],
        Some(b"SELECT 1; SELECT ';';"),
    );
    assert_eq!(output.stdout, b"SELECT 1;\0SELECT ';';");
}

#[test]
fn sql_output_splits_back_into_the_same_statements() {
    let first = pgsplit(&["split", SAMPLE, "--format", "jsonl"], None);
    let sql = pgsplit(&["split", SAMPLE, "--format", "sql"], None);
    let again = pgsplit(&["split", "-", "--format", "jsonl"], Some(&sql.stdout));
    let texts = |output: &Output| -> Vec<(String, String)> {
        stdout(output)
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (
                    v["kind"].as_str().unwrap().to_string(),
                    v["text"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(texts(&first), texts(&again));
}

/// A dump whose COPY block is larger than the streaming window, with
/// statements, headers and a warning around it.
fn large_dump() -> Vec<u8> {
    let mut dump = b"\\restrict k\nSET standard_conforming_strings = on;\n\n--\n-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: -\n--\n\nCOPY public.t (a, b) FROM stdin;\n".to_vec();
    for i in 0..120_000 {
        dump.extend_from_slice(format!("{i}\trow {i}; with -- and '' and \\\\.\n").as_bytes());
    }
    dump.extend_from_slice(b"\\.\n\nSELECT :'not_set';\nCREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC SELECT 1; END;\n\\unrestrict k\nCOPY t FROM stdin;\n1\n2");
    dump
}

#[test]
fn standard_input_streams_what_a_mapped_file_gives() {
    let dir = scratch("stream");
    let path = dir.join("large.sql");
    let dump = large_dump();
    assert!(dump.len() > 3 << 20, "larger than the streaming window");
    std::fs::write(&path, &dump).unwrap();
    for format in ["jsonl", "sql", "nul", "count"] {
        let mapped = pgsplit(&["split", path.to_str().unwrap(), "--format", format], None);
        let streamed = pgsplit(&["split", "-", "--format", format], Some(&dump));
        assert!(mapped.status.success() && streamed.status.success());
        assert!(
            mapped.stdout == streamed.stdout,
            "--format {format} differs between a file and standard input"
        );
        let stderr = |o: &Output| {
            String::from_utf8_lossy(&o.stderr).replace(path.to_str().unwrap(), "<stdin>")
        };
        assert_eq!(
            stderr(&mapped),
            stderr(&streamed),
            "--format {format}: diagnostics differ"
        );
    }
}

/// `check` and `stats` of standard input and of a gzip file are those of the
/// mapped file, findings in the same order at the same lines, though a
/// stream is read in windows: here findings sit before, inside (a Latin-1
/// byte in the rows, which stop being UTF-8 past the first window) and after
/// a COPY larger than the window.
#[test]
fn check_and_stats_stream_what_a_mapped_file_gives() {
    let dir = scratch("check-stream");
    let mut dump = large_dump();
    let row = dump.len() / 2;
    let row = row + dump[row..].iter().position(|&b| b == b'\n').unwrap() + 1;
    dump.splice(row..row, *b"caf\xe9\t\n");
    let after_rows = row + memchr::memmem::find(&dump[row..], b"\\.\n\n").unwrap() + 4;
    dump.splice(
        after_rows..after_rows,
        *b"VACUUM;\nALTER TABLE t OWNER TO alice;\n",
    );
    let path = dir.join("large.sql");
    std::fs::write(&path, &dump).unwrap();
    let gz = dir.join("large.sql.gz");
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    encoder.write_all(&dump).unwrap();
    encoder.finish().unwrap();
    let (path, gz) = (path.to_str().unwrap(), gz.to_str().unwrap());
    let shown = |output: &Output, name: &str| {
        stdout(output)
            .replace(name, "<stdin>")
            .lines()
            .filter(|line| !line.starts_with("split time:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for command in [
        &["check"][..],
        &["check", "--target", "alembic"],
        &["stats"],
    ] {
        let mapped = pgsplit(&[command, &[path]].concat(), None);
        let streamed = pgsplit(&[command, &["-"]].concat(), Some(&dump));
        let unzipped = pgsplit(&[command, &[gz]].concat(), None);
        assert_eq!(mapped.status.code(), streamed.status.code(), "{command:?}");
        assert_eq!(
            shown(&mapped, path),
            shown(&streamed, "<stdin>"),
            "{command:?}"
        );
        assert_eq!(shown(&mapped, path), shown(&unzipped, gz), "{command:?}");
    }
    let report = stdout(&pgsplit(&["check", path], None));
    let latin1_line = dump[..row].iter().filter(|&&b| b == b'\n').count() + 1;
    assert!(
        report.contains(&format!(":{latin1_line}:4: note: input is not valid UTF-8")),
        "{report}"
    );
    assert!(report.contains("VACUUM cannot run"), "{report}");
}

#[test]
fn zstd_input_equals_plain_input_even_in_several_frames() {
    let dir = scratch("zst");
    let zst = dir.join("sample.sql.zst");
    let plain_bytes = std::fs::read(SAMPLE).unwrap();
    let frame = ruzstd::encoding::compress_to_vec(
        plain_bytes.as_slice(),
        ruzstd::encoding::CompressionLevel::Fastest,
    );
    std::fs::write(&zst, &frame).unwrap();
    let plain = pgsplit(&["split", SAMPLE, "--format", "jsonl"], None);
    let compressed = pgsplit(&["split", zst.to_str().unwrap(), "--format", "jsonl"], None);
    assert_eq!(plain.stdout, compressed.stdout);

    let twice = [frame.clone(), frame].concat();
    let piped = pgsplit(&["split", "-", "--format", "count"], Some(&twice));
    assert_eq!(stdout(&piped), "66\n");
    let not_zstd = dir.join("plain.sql.zst");
    std::fs::write(&not_zstd, &plain_bytes).unwrap();
    let refused = pgsplit(&["split", not_zstd.to_str().unwrap()], None);
    assert_eq!(refused.status.code(), Some(2));
}

#[test]
fn gzip_input_equals_plain_input() {
    let dir = scratch("gz");
    let gz = dir.join("sample.sql.gz");
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    encoder.write_all(&std::fs::read(SAMPLE).unwrap()).unwrap();
    encoder.finish().unwrap();
    let plain = pgsplit(&["split", SAMPLE, "--format", "jsonl"], None);
    let compressed = pgsplit(&["split", gz.to_str().unwrap(), "--format", "jsonl"], None);
    assert_eq!(plain.stdout, compressed.stdout);
    let piped = pgsplit(
        &["split", "-", "--format", "jsonl"],
        Some(&std::fs::read(&gz).unwrap()),
    );
    assert_eq!(plain.stdout, piped.stdout);
}

#[test]
fn out_dir_writes_one_named_file_per_statement() {
    let dir = scratch("out");
    let output = pgsplit(&["split", SAMPLE, "--out-dir", dir.to_str().unwrap()], None);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 33);
    assert_eq!(names[0], "0001_meta_restrict.sql");
    assert!(
        names.contains(&"0018_create_table_shop.slots.sql".to_string()),
        "{names:?}"
    );
    let copy = names
        .iter()
        .find(|n| n.contains("copy_shop.orders"))
        .unwrap();
    let text = std::fs::read_to_string(dir.join(copy)).unwrap();
    assert!(
        text.starts_with("COPY shop.orders") && text.ends_with("\\.\n"),
        "{text}"
    );
}

#[test]
fn check_exits_1_on_errors_with_file_line_col() {
    let dir = scratch("check");
    let bad = dir.join("bad.sql");
    std::fs::write(&bad, "SELECT 1;\nSELECT 'open;\n").unwrap();
    let output = pgsplit(&["check", bad.to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(1));
    let report = stdout(&output);
    assert!(
        report.contains(&format!(
            "{}:2:8: error: unterminated quoted string",
            bad.display()
        )),
        "{report}"
    );
}

#[test]
fn check_exits_0_when_only_notes_and_warnings() {
    let output = pgsplit(&["check", SAMPLE], None);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains(":5:1: note: \\restrict"));
}

#[test]
fn check_tells_where_psql_stops_and_what_it_never_runs() {
    let script = b"\\echo Use \"CREATE EXTENSION x\" to load this file. \\quit\nCREATE TABLE a (x int);\nVACUUM;\n";
    let dir = scratch("quit");
    let file = dir.join("x--1.0.sql");
    std::fs::write(&file, script).unwrap();
    let mapped = stdout(&pgsplit(&["check", file.to_str().unwrap()], None));
    let streamed = stdout(&pgsplit(&["check", "-"], Some(script)));
    let warning = ":1:51: warning: psql stops reading at this \\quit and never runs the 2 statement(s) after it";
    assert!(mapped.contains(warning), "{mapped}");
    assert_eq!(
        mapped.replace(file.to_str().unwrap(), "<stdin>"),
        streamed,
        "a stream is checked as a mapped file is"
    );
    // Findings after the \quit are printed after it, in input order.
    let quit_at = mapped.find(warning).unwrap();
    assert!(
        mapped.find("VACUUM cannot run").unwrap() > quit_at,
        "{mapped}"
    );
    // psql mode has no statement after it, and nothing to warn of; neither
    // has a \q at the end.
    let psql = stdout(&pgsplit(
        &["check", "--compat", "psql", file.to_str().unwrap()],
        None,
    ));
    assert!(!psql.contains("stops reading"), "{psql}");
    let at_end = stdout(&pgsplit(&["check", "-"], Some(b"SELECT 1;\n\\q\n")));
    assert!(!at_end.contains("stops reading"), "{at_end}");
}

#[test]
fn check_reports_non_transactional_statements() {
    let output = pgsplit(
        &["check", "-"],
        Some(b"CREATE INDEX CONCURRENTLY i ON t (a);\nVACUUM;\n"),
    );
    let report = stdout(&output);
    assert!(
        report.contains("<stdin>:1:1: warning: CREATE INDEX cannot run inside a transaction block"),
        "{report}"
    );
    assert!(
        report.contains("<stdin>:2:1: warning: VACUUM cannot run"),
        "{report}"
    );
}

#[test]
fn unreadable_input_exits_2_with_a_message() {
    let output = pgsplit(&["split", "/nonexistent/dump.sql"], None);
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("cannot read /nonexistent/dump.sql"),
        "{message}"
    );
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(
        pgsplit(&["split", "a.sql", "b.sql"], None).status.code(),
        Some(2)
    );
    assert_eq!(
        pgsplit(&["split", SAMPLE, "--format", "yaml"], None)
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn binary_junk_is_split_without_a_panic() {
    let junk: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let output = pgsplit(&["split", "-", "--format", "jsonl"], Some(&junk));
    assert!(output.status.success());
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}

#[test]
fn stats_counts_by_kind_and_command() {
    let output = pgsplit(&["stats", SAMPLE], None);
    let report = stdout(&output);
    assert!(report.contains("statements:  33"), "{report}");
    assert!(report.contains("copy       2"), "{report}");
    assert!(report.contains("MB/s"), "{report}");
    let jsonl = stdout(&pgsplit(&["split", SAMPLE, "--format", "jsonl"], None));
    let copy_bytes: u64 = jsonl
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter_map(|o| Some(o["copy_data"]["end"].as_u64()? - o["copy_data"]["start"].as_u64()?))
        .sum();
    assert!(copy_bytes > 0);
    assert!(
        report.contains(&format!("copy data:   {copy_bytes} bytes")),
        "{report}"
    );
}

#[test]
fn stats_counts_the_rows_of_every_copy_in_a_compound() {
    let compound = b"COPY a FROM stdin \\; COPY b FROM stdin;\n1\n\\.\n22\n\\.\n";
    let dir = scratch("stats-compound");
    let path = dir.join("compound.sql");
    std::fs::write(&path, compound).unwrap();
    for output in [
        pgsplit(&["stats", path.to_str().unwrap()], None),
        pgsplit(&["stats", "-"], Some(compound)),
    ] {
        let report = stdout(&output);
        assert!(report.contains("copy data:   5 bytes"), "{report}");
    }
}

#[test]
fn psql_mode_reproduces_psql_on_the_sample() {
    let output = pgsplit(
        &["split", SAMPLE, "--format", "count", "--compat", "psql"],
        None,
    );
    assert_eq!(stdout(&output), "19\n");
    let diagnostics = String::from_utf8_lossy(&output.stderr);
    assert!(
        diagnostics.contains("psql counts this BEGIN as an open block"),
        "{diagnostics}"
    );
}

#[test]
fn check_for_alembic_errors_are_what_execute_file_refuses() {
    let script = b"\\restrict k\nSET search_path = '';\nSET work_mem = '8MB';\n\\connect other\nCREATE INDEX CONCURRENTLY i ON t (a);\n\\unrestrict k\n";
    let output = pgsplit(&["check", "--target", "alembic", "-"], Some(script));
    assert_eq!(output.status.code(), Some(1), "refusals are errors");
    let report = stdout(&output);
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains(": error: "))
            .map(|l| &l[..l.find(": error: ").unwrap()])
            .collect::<Vec<_>>(),
        ["<stdin>:4:1", "<stdin>:5:1"],
        "{report}"
    );
    assert!(
        report.contains("pass non_transactional=\"autocommit\""),
        "{report}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("execute_file restores them"))
            .count(),
        1,
        "said once: {report}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("\\restrict lines"))
            .count(),
        1,
        "{report}"
    );
}

#[test]
fn check_for_alembic_names_roles_and_new_settings() {
    let script = b"SET transaction_timeout = 0;\nCREATE TABLE t (a int);\nALTER TABLE t OWNER TO app;\nGRANT SELECT ON t TO reader;\n";
    let plain = stdout(&pgsplit(&["check", "-"], Some(script)));
    assert!(!plain.contains("must exist"), "{plain}");
    let output = pgsplit(&["check", "--target", "alembic", "-"], Some(script));
    assert_eq!(output.status.code(), Some(0), "warnings are not errors");
    let report = stdout(&output);
    assert!(
        report.contains(
            "<stdin>:1:1: note: SET transaction_timeout exists from PostgreSQL 17 on: execute_file \
             skips it on older servers (told once)"
        ),
        "what execute_file handles is a note: {report}"
    );
    assert!(
        report.contains("<stdin>:3:1: warning: owner statement: the role app must exist"),
        "{report}"
    );
    assert!(
        report.contains("<stdin>:4:1: warning: GRANT: the roles it names (reader) must exist"),
        "{report}"
    );
}

#[test]
fn squash_writes_the_migration_and_refuses_to_overwrite_it() {
    let dir = scratch("squash");
    let out = dir.join("versions");
    let out_arg = out.to_str().unwrap();
    let output = pgsplit(&["squash", SAMPLE, "--out", out_arg], None);
    assert!(output.status.success(), "{output:?}");
    let sql = std::fs::read_to_string(out.join("001_initial_schema.sql")).unwrap();
    let migration = std::fs::read_to_string(out.join("001_initial_schema.py")).unwrap();
    assert!(!sql.contains("\\restrict"));
    assert!(migration.contains("def downgrade() -> None:"));

    let again = pgsplit(&["squash", SAMPLE, "--out", out_arg], None);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("pass --force"));
    let forced = pgsplit(&["squash", SAMPLE, "--out", out_arg, "--force"], None);
    assert!(forced.status.success());
}

#[test]
fn squash_names_the_position_of_an_unusable_dump() {
    let dir = scratch("squash-bad");
    let dump = dir.join("broken.sql");
    std::fs::write(&dump, "CREATE TABLE t (a int);\nSELECT 'unterminated;\n").unwrap();
    let output = pgsplit(
        &[
            "squash",
            dump.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.sql:2:8: "), "{stderr}");
    assert!(!dir.join("001_initial_schema.py").exists());
}

#[test]
fn squash_says_which_data_table_is_missing() {
    let dir = scratch("squash-data");
    let output = pgsplit(
        &[
            "squash",
            SAMPLE,
            "--out",
            dir.to_str().unwrap(),
            "--data-from",
            SAMPLE,
            "--data-tables",
            "nonesuch",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no rows for table nonesuch"));
}

#[test]
fn check_reports_a_client_encoding_that_is_not_utf8() {
    let latin1 = b"SET client_encoding = 'LATIN1';\nSELECT '\xe9';\n";
    let report = stdout(&pgsplit(&["check", "-"], Some(latin1)));
    assert!(
        report.contains(
            "<stdin>:1:1: warning: client_encoding LATIN1: the bytes after it are not UTF-8"
        ),
        "{report}"
    );
    let utf8 = stdout(&pgsplit(
        &["check", "-"],
        Some(b"SET client_encoding = 'UTF8';\n"),
    ));
    assert!(!utf8.contains("client_encoding"), "{utf8}");
    let utf16 = pgsplit(&["check", "-"], Some(b"\xff\xfeS\0E\0L\0;\0"));
    assert_eq!(utf16.status.code(), Some(1));
    assert!(
        stdout(&utf16).contains("the file is UTF-16"),
        "{}",
        stdout(&utf16)
    );
}

#[test]
fn diff_ignoring_owner_still_sees_a_column_dropped_beside_it() {
    let dir = scratch("ignore-owner");
    let (a, b) = (dir.join("a.sql"), dir.join("b.sql"));
    std::fs::write(&a, "ALTER TABLE public.t OWNER TO app;\n").unwrap();
    std::fs::write(
        &b,
        "ALTER TABLE public.t OWNER TO app, DROP COLUMN balance;\n",
    )
    .unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let output = pgsplit(&["diff", "--ignore", "owner", a, b], None);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("b.sql: ALTER TABLE public.t\n"),
        "{}",
        stdout(&output)
    );
    let same = pgsplit(&["diff", "--ignore", "owner", a, a], None);
    assert_eq!(same.status.code(), Some(0));
}

/// A schema dump of tables with these names, as pg_dump writes it.
fn tables_dump(names: &[String]) -> String {
    names
        .iter()
        .map(|name| {
            let quoted = name.replace('"', "\"\"");
            format!("--\n-- Name: {name}; Type: TABLE; Schema: public; Owner: -\n--\n\nCREATE TABLE public.\"{quoted}\" (id integer);\n\n")
        })
        .collect()
}

/// The names in `dir`, sorted.
fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn split_into(dir: &std::path::Path, dump: &str) -> Output {
    let input = dir.join("dump.sql");
    std::fs::write(&input, dump).unwrap();
    let out = dir.join("out");
    pgsplit(
        &[
            "split",
            input.to_str().unwrap(),
            "--out-dir",
            out.to_str().unwrap(),
        ],
        None,
    )
}

#[test]
fn out_dir_writes_names_of_4_byte_characters_cut_at_255_bytes() {
    // PostgreSQL's longest names: 63 characters, here CJK ideographs of
    // 4 bytes each (U+20000 on).
    let names: Vec<String> = (0..19u32)
        .map(|i| {
            let own = char::from_u32(0x20000 + i).unwrap();
            format!("{own}{}", "𠀀".repeat(62))
        })
        .collect();
    let dir = scratch("long-names");
    let output = split_into(&dir, &tables_dump(&names));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = listing(&dir.join("out"));
    assert_eq!(written.len(), 19, "{written:?}");
    for (file, name) in written.iter().zip(&names) {
        assert!(
            file.len() <= 255 && file.len() > 240,
            "{} bytes: {file}",
            file.len()
        );
        assert!(file.starts_with(&format!(
            "00{:02}_create_table_public.",
            1 + names.iter().position(|n| n == name).unwrap()
        )));
        let text = std::fs::read_to_string(dir.join("out").join(file)).unwrap();
        assert!(text.contains(name.as_str()), "{file} holds {text}");
    }
}

#[test]
fn out_dir_tells_apart_names_that_differ_only_in_case() {
    let names = ["Users", "users", "USERS"].map(String::from);
    let dir = scratch("case");
    let output = split_into(&dir, &tables_dump(&names));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = listing(&dir.join("out"));
    let folded: std::collections::HashSet<String> =
        written.iter().map(|n| n.to_lowercase()).collect();
    assert_eq!((written.len(), folded.len()), (3, 3), "{written:?}");
}

#[test]
fn out_dir_keeps_every_file_inside_the_folder() {
    let names = [
        "../../escaped",
        "/tmp/absolute",
        ".hidden",
        "..",
        "a\u{1b}[2Jb",
    ]
    .map(String::from);
    let dir = scratch("inside");
    let output = split_into(&dir, &tables_dump(&names));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = listing(&dir.join("out"));
    assert_eq!(written.len(), names.len(), "{written:?}");
    assert!(
        written
            .iter()
            .all(|n| !n.starts_with('.') && !n.contains('\u{1b}')),
        "{written:?}"
    );
    assert_eq!(listing(&dir), ["dump.sql", "out"]);
}

#[cfg(unix)]
#[test]
fn out_dir_never_writes_through_a_symbolic_link() {
    let names = ["t".to_string()];
    for dangling in [false, true] {
        let dir = scratch(&format!("symlink-{dangling}"));
        let outside = dir.join("outside.txt");
        if !dangling {
            std::fs::write(&outside, "untouched").unwrap();
        }
        std::fs::create_dir_all(dir.join("out")).unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("out/0001_create_table_public.t.sql"))
            .unwrap();
        let output = split_into(&dir, &tables_dump(&names));
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("is not a regular file"), "{stderr}");
        match dangling {
            true => assert!(!outside.exists(), "written through a dangling link"),
            false => assert_eq!(std::fs::read_to_string(&outside).unwrap(), "untouched"),
        }
        assert!(listing(&dir.join("out"))
            .iter()
            .all(|n| !n.contains(".tmp")));
    }
}

#[cfg(unix)]
#[test]
fn squash_never_follows_a_dangling_symbolic_link_even_with_force() {
    let dir = scratch("squash-symlink");
    let out = dir.join("versions");
    std::fs::create_dir_all(&out).unwrap();
    let outside = dir.join("elsewhere.py");
    std::os::unix::fs::symlink(&outside, out.join("001_initial_schema.py")).unwrap();
    for force in [&[][..], &["--force"][..]] {
        let args = [
            &["squash", SAMPLE, "--out", out.to_str().unwrap()][..],
            force,
        ]
        .concat();
        let output = pgsplit(&args, None);
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("is not a regular file"), "{stderr}");
        assert!(
            !outside.exists(),
            "the migration was written outside the folder"
        );
        assert_eq!(
            listing(&out),
            ["001_initial_schema.py"],
            "nothing else is written"
        );
    }
}

/// A dump of `blocks` COPY statements of 100 rows each (about 6 KB a block).
fn copy_heavy(blocks: usize) -> Vec<u8> {
    let mut dump = Vec::new();
    for block in 0..blocks {
        writeln!(dump, "COPY public.t{} (id, note) FROM stdin;", block % 7).unwrap();
        for row in 0..100 {
            writeln!(
                dump,
                "{row}\trow {row} of block {block}, with text; 'quotes' and $$ too"
            )
            .unwrap();
        }
        dump.extend_from_slice(b"\\.\n\n");
    }
    dump
}

#[cfg(unix)]
fn truncate(path: &std::path::Path) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(0)
        .unwrap();
}

#[cfg(unix)]
fn assert_reported_as_changed(output: &Output, path: &std::path::Path) {
    use std::os::unix::process::ExitStatusExt;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.signal(), None, "killed by a signal: {stderr}");
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let expected = format!(
        "pgsplit: {}: the file changed (was truncated?) while pgsplit read it\n",
        path.display()
    );
    assert!(stderr.ends_with(&expected), "{stderr}");
}

/// `pgsplit split PATH --format FORMAT --jobs JOBS`, its output piped.
fn spawn_split(path: &std::path::Path, format: &str, jobs: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_pgsplit"))
        .args([
            "split",
            path.to_str().unwrap(),
            "--format",
            format,
            "--jobs",
            jobs,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn a_file_truncated_while_split_writes_it_out_is_reported_with_exit_2() {
    let dir = scratch("truncated-sql");
    let path = dir.join("big.sql");
    std::fs::write(&path, copy_heavy(6000)).unwrap();
    let child = spawn_split(&path, "sql", "2");
    // Nobody reads its output yet: pgsplit fills the pipe and waits in
    // write(2) with the file mapped and most of it still to write.
    std::thread::sleep(std::time::Duration::from_millis(500));
    truncate(&path);
    let output = child.wait_with_output().unwrap();
    assert_reported_as_changed(&output, &path);
}

#[cfg(unix)]
#[test]
fn a_file_truncated_while_split_counts_it_is_reported_with_exit_2() {
    // Counting writes nothing until the end, so the truncation must fall
    // while pgsplit reads: tried after growing delays until one does.
    let dir = scratch("truncated-count");
    let path = dir.join("big.sql");
    let dump = copy_heavy(8000);
    let mut outcomes = Vec::new();
    for delay in [1u64, 3, 6, 10, 15, 20, 30, 45, 60, 90].repeat(3) {
        std::fs::write(&path, &dump).unwrap();
        let child = spawn_split(&path, "count", "1");
        std::thread::sleep(std::time::Duration::from_millis(delay));
        truncate(&path);
        let output = child.wait_with_output().unwrap();
        if output.status.code() == Some(2) {
            assert_reported_as_changed(&output, &path);
            return;
        }
        // Before the map or after the count: a whole, consistent answer.
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(output.status.signal(), None, "killed after {delay} ms");
        assert_eq!(output.status.code(), Some(0));
        outcomes.push((delay, stdout(&output)));
    }
    panic!("no truncation fell inside the read: {outcomes:?}");
}

/// A script with an escape sequence in a quoted name and in a string, and a
/// C1 control (U+009B, a one-character CSI) in another name.
const ESCAPES: &str = "CREATE TABLE \"a\u{1b}[2Jb\" (x text DEFAULT '\u{1b}]0;title\u{7}');\nCREATE TABLE \"c\u{9b}31md\" (x int);\n";

/// What `pgsplit args` prints on a pseudo-terminal (util-linux `script`),
/// or None where `script` is missing.
fn on_a_terminal(args: &[&str]) -> Option<String> {
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    let command: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_pgsplit"))
        .chain(args.iter().copied())
        .map(quote)
        .collect();
    let output = Command::new("script")
        .args(["-qec", &command.join(" "), "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n"))
}

#[test]
fn control_characters_are_escaped_on_a_terminal_and_kept_in_a_pipe() {
    let dir = scratch("escapes");
    let (a, b) = (dir.join("a.sql"), dir.join("b.sql"));
    std::fs::write(&a, ESCAPES).unwrap();
    std::fs::write(&b, ESCAPES.replace("DEFAULT", "NOT NULL DEFAULT")).unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());

    let piped = pgsplit(&["split", a], None);
    assert!(piped.status.success());
    assert_eq!(
        String::from_utf8(piped.stdout).unwrap(),
        ESCAPES.replace(";\n", ";\n\n"),
        "a pipe gets the bytes"
    );

    let Some(split) = on_a_terminal(&["split", a]) else {
        eprintln!("skipped: util-linux `script` is needed for a pseudo-terminal");
        return;
    };
    assert!(
        !split.contains('\u{1b}') && !split.contains('\u{9b}'),
        "{split:?}"
    );
    assert!(split.contains("\"a\\x1b[2Jb\""), "{split:?}");
    assert!(split.contains("'\\x1b]0;title\\x07'"), "{split:?}");
    assert!(split.contains("\"c\\u009b31md\""), "{split:?}");

    let diff = on_a_terminal(&["diff", a, b]).unwrap();
    // pgsplit's own colours are the only escape sequences left.
    let without_colours = [
        "\u{1b}[31m",
        "\u{1b}[32m",
        "\u{1b}[33m",
        "\u{1b}[36m",
        "\u{1b}[0m",
    ]
    .iter()
    .fold(diff.clone(), |text, colour| text.replace(colour, ""));
    assert!(!without_colours.contains('\u{1b}'), "{diff:?}");
    assert!(without_colours.contains("'\\x1b]0;title\\x07'"), "{diff:?}");
}

#[test]
fn jobs_beyond_what_the_machine_can_use_are_capped_with_a_note() {
    // Large enough to be split on a pool of threads, where 100000 of them
    // kept the machine busy starting threads for minutes.
    let dir = scratch("jobs");
    let path = dir.join("big.sql");
    std::fs::write(&path, copy_heavy(8000)).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgsplit"))
        .args([
            "split",
            path.to_str().unwrap(),
            "--format",
            "count",
            "--jobs",
            "100000",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            panic!("--jobs 100000 still running after 30 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    assert_eq!(stdout(&output), "8000\n");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("note: --jobs 100000 is more than"),
        "{stderr}"
    );
    let fine = pgsplit(&["split", SAMPLE, "--format", "count", "--jobs", "2"], None);
    assert!(
        fine.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&fine.stderr)
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_out_dir_leaves_only_whole_files() {
    let dir = scratch("interrupted");
    let path = dir.join("big.sql");
    std::fs::write(&path, copy_heavy(20_000)).unwrap();
    let out = dir.join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgsplit"))
        .args([
            "split",
            path.to_str().unwrap(),
            "--out-dir",
            out.to_str().unwrap(),
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupted once it has written some files, while it writes more.
    let started = std::time::Instant::now();
    while std::fs::read_dir(&out).map_or(0, |d| d.count()) < 50 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before it could be interrupted"
        );
        assert!(started.elapsed().as_secs() < 60, "never began writing");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{:?}", output.status);
    let written = listing(&out);
    assert!(
        !written.is_empty() && written.len() < 20_000,
        "{}",
        written.len()
    );
    for name in &written {
        assert!(!name.starts_with('.'), "{name} was left behind");
        let text = std::fs::read_to_string(out.join(name)).unwrap();
        assert!(text.ends_with("\\.\n"), "{name} is not whole");
    }
}

/// The subcommands every completion script must offer.
const SUBCOMMANDS: [&str; 8] = [
    "split",
    "check",
    "normalize",
    "diff",
    "squash",
    "stats",
    "completions",
    "man",
];

fn completions(shell: &str) -> String {
    let output = pgsplit(&["completions", shell], None);
    assert!(output.status.success(), "completions {shell}: {output:?}");
    stdout(&output)
}

#[test]
fn completion_scripts_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = completions(shell);
        for name in SUBCOMMANDS {
            assert!(script.contains(name), "{shell} completion lacks {name}");
        }
    }
    assert_eq!(
        pgsplit(&["completions", "tcsh"], None).status.code(),
        Some(2)
    );
}

#[test]
fn bash_completion_is_valid_bash() {
    let dir = scratch("bash-n");
    let script = dir.join("pgsplit.bash");
    std::fs::write(&script, completions("bash")).unwrap();
    let check = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");
}

/// An interactive bash in a tmux server of its own (so a test neither sees
/// nor disturbs anyone's sessions), with pgsplit first on its PATH; `None`,
/// saying so, without tmux.
struct Terminal {
    socket: String,
}

impl Terminal {
    fn start(name: &str) -> Option<Terminal> {
        if Command::new("tmux").arg("-V").output().is_err() {
            eprintln!("skipped: tmux is not installed (apt-get install tmux)");
            return None;
        }
        let terminal = Terminal {
            socket: format!("pgsplit-test-{}-{name}", std::process::id()),
        };
        let started = terminal.tmux(&[
            "new-session",
            "-d",
            "-x",
            "160",
            "-y",
            "10",
            "env -i TERM=xterm HOME=/nonexistent PATH=/usr/bin:/bin bash --norc --noprofile",
        ]);
        assert!(started.status.success(), "{started:?}");
        let bin = PathBuf::from(env!("CARGO_BIN_EXE_pgsplit"));
        let path = format!("PS1='$ '; PATH={}:$PATH", bin.parent().unwrap().display());
        terminal.send(&[&path, "Enter"]);
        Some(terminal)
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap()
    }

    fn send(&self, keys: &[&str]) {
        self.tmux(&[&["send-keys", "-t", "0"], keys].concat());
    }

    /// The screen once `done` holds for it (or after twenty seconds: a
    /// loaded machine starts bash slowly), with its colours as escape
    /// sequences when `escapes`.
    fn screen_when(&self, escapes: bool, done: impl Fn(&str) -> bool) -> String {
        let mut screen = String::new();
        for _ in 0..200 {
            std::thread::sleep(std::time::Duration::from_millis(100));
            let capture = if escapes { &["-p", "-e"][..] } else { &["-p"] };
            let output = self.tmux(&[&["capture-pane", "-t", "0"], capture].concat());
            screen = String::from_utf8_lossy(&output.stdout).into();
            if done(&screen) {
                break;
            }
        }
        screen
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

/// `pgsplit sp<TAB>` in an interactive bash.
#[test]
fn bash_completes_a_subcommand_in_a_terminal() {
    let Some(terminal) = Terminal::start("complete") else {
        return;
    };
    let dir = scratch("tmux");
    let script = dir.join("pgsplit.bash");
    std::fs::write(&script, completions("bash")).unwrap();
    terminal.send(&[&format!("source {}", script.display()), "Enter"]);
    terminal.send(&["pgsplit sp", "Tab"]);
    // The completed word, alone on the prompt line (tmux trims the space after it).
    let completed = |screen: &str| screen.lines().any(|l| l.trim_end() == "$ pgsplit split");
    let screen = terminal.screen_when(false, completed);
    assert!(completed(&screen), "the screen:\n{screen}");
}

/// `pgsplit ARGS` with only the colour variables in `env` set, none inherited.
fn pgsplit_colour(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pgsplit"));
    for name in ["NO_COLOR", "CLICOLOR_FORCE", "CLICOLOR"] {
        command.env_remove(name);
    }
    command.args(args).envs(env.iter().copied());
    command.stdin(Stdio::null()).output().unwrap()
}

#[test]
fn colour_follows_the_flag_then_no_color_then_clicolor_force() {
    let dir = scratch("colour");
    let bad = dir.join("bad.sql");
    std::fs::write(&bad, "SET search_path = s;\nSELECT 'x\n").unwrap();
    let empty = dir.join("empty.sql");
    std::fs::write(&empty, "").unwrap();
    let bad = bad.to_str().unwrap();
    let empty = empty.to_str().unwrap();
    // (flags, environment, coloured); the output is never a terminal here.
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], bool);
    let cases: [Case; 8] = [
        (&[], &[], false),
        (&[], &[("CLICOLOR_FORCE", "1")], true),
        (&[], &[("CLICOLOR_FORCE", "0")], false),
        (&[], &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")], false),
        (&[], &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1")], true),
        (&["--color", "always"], &[("NO_COLOR", "1")], true),
        (&["--color", "never"], &[("CLICOLOR_FORCE", "1")], false),
        (&["--color=auto"], &[("CLICOLOR_FORCE", "1")], true),
    ];
    for (flags, env, coloured) in cases {
        let check = pgsplit_colour(&[&["check", bad], flags].concat(), env);
        let report = stdout(&check);
        assert_eq!(check.status.code(), Some(1));
        // Split reports on standard error, by the same rules.
        let split = pgsplit_colour(&[flags, &["split", bad, "--format", "count"]].concat(), env);
        let split_report = String::from_utf8_lossy(&split.stderr).into_owned();
        let diff = stdout(&pgsplit_colour(
            &[&["diff", SAMPLE, empty], flags].concat(),
            env,
        ));
        let case = format!("{flags:?} {env:?}");
        if coloured {
            assert!(
                report.contains(": \x1b[1m\x1b[31merror\x1b[0m: "),
                "{case}: {report}"
            );
            assert!(
                report.contains(": \x1b[1m\x1b[36mnote\x1b[0m: "),
                "{case}: {report}"
            );
            assert!(
                split_report.contains("\x1b[1m\x1b[31merror"),
                "{case}: {split_report}"
            );
            assert!(diff.contains("\x1b[31monly in "), "{case}: {diff}");
        } else {
            for text in [&report, &split_report, &diff] {
                assert!(!text.contains('\x1b'), "{case}: {text}");
            }
            assert!(report.contains(": error: "), "{case}: {report}");
        }
    }
}

#[test]
fn warnings_are_yellow() {
    let latin1 = scratch("yellow").join("latin1.sql");
    std::fs::write(
        &latin1,
        b"SET client_encoding = 'LATIN1';\nSELECT '\xe9';\n",
    )
    .unwrap();
    let output = pgsplit_colour(
        &["check", "--color", "always", latin1.to_str().unwrap()],
        &[],
    );
    let report = stdout(&output);
    assert!(
        report.contains(": \x1b[1m\x1b[33mwarning\x1b[0m: "),
        "{report}"
    );
}

/// `--color auto`, the default, colours on a terminal and not with NO_COLOR.
#[test]
fn colour_on_a_terminal_unless_no_color() {
    let Some(terminal) = Terminal::start("colour") else {
        return;
    };
    let dir = scratch("colour-tty");
    let bad = dir.join("bad.sql");
    std::fs::write(&bad, "SELECT 'x\n").unwrap();
    let bad = bad.display();
    terminal.send(&[&format!("pgsplit check {bad}; echo first-done"), "Enter"]);
    let first = |s: &str| s.lines().any(|l| l == "first-done");
    let screen = terminal.screen_when(true, first);
    assert!(first(&screen), "{screen}");
    let line = |screen: &str| {
        let line = screen.lines().find(|l| l.contains("unterminated quoted"));
        line.unwrap_or_else(|| panic!("{screen}")).to_string()
    };
    assert!(line(&screen).contains('\x1b'), "{screen:?}");
    terminal.send(&["clear", "Enter"]);
    terminal.send(&[
        &format!("NO_COLOR=1 pgsplit check {bad}; echo second-done"),
        "Enter",
    ]);
    let second = |s: &str| s.lines().any(|l| l == "second-done");
    let screen = terminal.screen_when(true, second);
    assert!(second(&screen), "{screen}");
    assert!(!line(&screen).contains('\x1b'), "{screen:?}");
}

#[test]
fn man_page_is_roff_that_man_reads() {
    let output = pgsplit(&["man"], None);
    assert!(output.status.success());
    let page = stdout(&output);
    let titles: Vec<&str> = page.lines().filter(|l| l.starts_with(".TH ")).collect();
    assert!(titles[0].starts_with(".TH pgsplit 1 "), "{page}");
    assert!(
        titles.iter().any(|t| t.starts_with(".TH pgsplit-split 1 ")),
        "{page}"
    );
    for name in SUBCOMMANDS {
        assert!(page.contains(name), "the man page lacks {name}");
    }
    let dir = scratch("man");
    let file = dir.join("pgsplit.1");
    std::fs::write(&file, &page).unwrap();
    match Command::new("man")
        .arg("-l")
        .arg(&file)
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .output()
    {
        Ok(man) => {
            assert!(man.status.success(), "{man:?}");
            let text = String::from_utf8_lossy(&man.stdout);
            assert!(text.contains("pgsplit"), "{text}");
        }
        Err(_) => eprintln!("skipped man -l: man is not installed"),
    }
}

/// Findings that say their code: one of each source (splitter, lint, meta).
const FINDINGS: &[u8] = b"SET a = 1;\nselect :x;\nVACUUM t;\n\\foo\nselect 'abc";

#[test]
fn check_json_prints_one_object_per_finding_with_its_code() {
    let output = pgsplit(&["check", "--format", "json", "-"], Some(FINDINGS));
    assert_eq!(output.status.code(), Some(1), "an error is among them");
    let findings: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let codes: Vec<&str> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "session-setting",
            "psql-variable",
            "non-transactional",
            "unknown-meta-command",
            "meta-command",
            "missing-semicolon",
            "unterminated-string"
        ]
    );
    let last = &findings[6];
    assert_eq!(last["file"], "<stdin>");
    assert_eq!(
        (last["line"].as_u64(), last["col"].as_u64()),
        (Some(5), Some(8))
    );
    assert_eq!(last["level"], "error");
    assert!(last["message"]
        .as_str()
        .unwrap()
        .starts_with("unterminated quoted string"));
    let text = stdout(&pgsplit(&["check", "-"], Some(FINDINGS)));
    assert_eq!(
        text.lines().count(),
        findings.len(),
        "the same findings as text"
    );
}

#[test]
fn check_github_writes_escaped_workflow_annotations() {
    let dir = scratch("github");
    let file = dir.join("a,b:c.sql");
    std::fs::write(&file, b"VACUUM t;\nselect 'abc").unwrap();
    let output = pgsplit(
        &["check", "--format", "github", file.to_str().unwrap()],
        None,
    );
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    let name = file
        .to_str()
        .unwrap()
        .replace(':', "%3A")
        .replace(',', "%2C");
    assert_eq!(
        lines[0],
        format!(
            "::warning file={name},line=1,col=1,title=non-transactional::VACUUM cannot run inside a transaction block"
        )
    );
    assert!(
        lines[2].starts_with(&format!(
            "::error file={name},line=2,col=8,title=unterminated-string::"
        )),
        "{}",
        lines[2]
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_command_given_no_file_reads_standard_input() {
    let sample = std::fs::read(SAMPLE).unwrap();
    for command in [
        &["split", "--format", "jsonl"][..],
        &["check"],
        &["stats"],
        &["normalize"],
    ] {
        let with_dash = pgsplit(&[command, &["-"]].concat(), Some(&sample));
        let without = pgsplit(command, Some(&sample));
        assert_eq!(
            without.status.code(),
            with_dash.status.code(),
            "{command:?}"
        );
        assert!(!without.stdout.is_empty(), "{command:?} printed nothing");
        if command[0] != "stats" {
            // stats prints its own timing, which differs run to run.
            assert_eq!(stdout(&without), stdout(&with_dash), "{command:?}");
        }
        assert!(
            !String::from_utf8_lossy(&without.stderr).contains("reading SQL from standard input"),
            "the terminal hint is for terminals only"
        );
    }
}

#[test]
fn stats_json_counts_what_the_text_counts_from_a_file_and_from_a_stream() {
    let sample = std::fs::read(SAMPLE).unwrap();
    let json = |args: &[&str], stdin: Option<&[u8]>| -> serde_json::Value {
        let output = pgsplit(args, stdin);
        assert_eq!(output.status.code(), Some(0));
        let mut value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert!(value["seconds"].as_f64().unwrap() >= 0.0);
        value.as_object_mut().unwrap().remove("seconds");
        value.as_object_mut().unwrap().remove("file");
        value
    };
    let mapped = json(&["stats", "--format", "json", SAMPLE], None);
    assert_eq!(
        mapped,
        json(&["stats", "--format", "json", "-"], Some(&sample))
    );
    let text = stdout(&pgsplit(&["stats", SAMPLE], None));
    assert!(text.contains(&format!("statements:  {}\n", mapped["statements"])));
    assert!(text.contains(&format!("copy data:   {} bytes\n", mapped["copy_bytes"])));
    for (tag, count) in mapped["by_command"].as_object().unwrap() {
        assert!(
            text.contains(&format!("  {count:>8}  {tag}\n")),
            "{tag} {count}"
        );
    }
    assert_eq!(mapped["by_kind"]["copy"], 2);
}

#[test]
fn check_of_a_folder_checks_the_scripts_below_it_in_sorted_order() {
    let dir = scratch("folder");
    std::fs::create_dir_all(dir.join("versions/.hidden")).unwrap();
    std::fs::write(dir.join("versions/002.sql"), b"VACUUM t;\n").unwrap();
    std::fs::write(dir.join("versions/001.sql"), b"select :x;\n").unwrap();
    std::fs::write(dir.join("versions/.hidden/003.sql"), b"VACUUM t;\n").unwrap();
    std::fs::write(dir.join("versions/notes.txt"), b"VACUUM t;\n").unwrap();
    let folder = dir.to_str().unwrap();
    let text = stdout(&pgsplit(&["check", folder], None));
    let files: Vec<&str> = text.lines().map(|l| l.split(':').next().unwrap()).collect();
    let under = |name: &str| dir.join(name).to_string_lossy().into_owned();
    assert_eq!(
        files,
        [under("versions/001.sql"), under("versions/002.sql")]
    );
    let txt = stdout(&pgsplit(&["check", folder, "--glob", "*.txt"], None));
    assert!(txt.starts_with(&under("versions/notes.txt")), "{txt}");
    let none = pgsplit(&["check", folder, "--glob", "*.psql"], None);
    assert_eq!(
        none.status.code(),
        Some(2),
        "a folder with nothing to check is an error"
    );
    assert!(String::from_utf8_lossy(&none.stderr).contains("no file below it matches *.psql"));
}

fn check_lines(output: &Output) -> Vec<String> {
    stdout(output).lines().map(str::to_string).collect()
}

#[test]
fn suppression_comments_silence_findings_by_code_in_comments_only() {
    let script = b"VACUUM a; -- pgsplit: ignore[non-transactional]\n\
VACUUM b;\n\
-- pgsplit: ignore[non-transactional]\n\
VACUUM c;\n\
SELECT '-- pgsplit: ignore[non-transactional]'; VACUUM d;\n\
/* pgsplit: ignore-file[meta-command, unknown-meta-command] */\n\
\\set x 1\n\
\\nosuch\n\
-- pgsplit: ignore[no-such-code]\n\
SELECT $$never closed;\n";
    let output = pgsplit(&["check", "-"], Some(script));
    let lines = check_lines(&output);
    let at = |line: usize| {
        lines
            .iter()
            .filter(|l| l.starts_with(&format!("<stdin>:{line}:")))
            .count()
    };
    assert_eq!(at(1), 0, "a trailing comment silences its line: {lines:#?}");
    assert_eq!(at(2), 1, "... and not the next: {lines:#?}");
    assert_eq!(
        at(4),
        0,
        "a comment alone silences the next line: {lines:#?}"
    );
    assert_eq!(
        at(5),
        1,
        "the words in a string silence nothing: {lines:#?}"
    );
    assert_eq!(
        at(7) + at(8),
        0,
        "ignore-file silences what follows: {lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("<stdin>:9:") && l.ends_with("[unknown-suppression]")),
        "an unknown code is a finding: {lines:#?}"
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "the unterminated quote stays an error"
    );
    let silenced = pgsplit(
        &["check", "-"],
        Some(b"-- pgsplit: ignore[unterminated-dollar-quote, missing-semicolon]\nSELECT $$x;\n"),
    );
    assert_eq!(stdout(&silenced), "");
    assert_eq!(
        silenced.status.code(),
        Some(0),
        "a silenced error does not fail"
    );
}

#[test]
fn check_tells_at_most_max_per_code_findings_of_one_code_and_counts_the_rest() {
    let script = b"\\nosuch\n".repeat(150);
    let capped = pgsplit(&["check", "-"], Some(&script));
    let shown = |output: &Output| {
        check_lines(output)
            .iter()
            .filter(|l| l.ends_with("[unknown-meta-command]"))
            .count()
    };
    assert_eq!(shown(&capped), 100);
    let stderr = String::from_utf8_lossy(&capped.stderr);
    assert!(
        stderr.contains("50 more [unknown-meta-command] findings not shown"),
        "{stderr}"
    );
    let all = pgsplit(&["check", "--max-per-code", "0", "-"], Some(&script));
    assert_eq!(shown(&all), 150);
    let errors = pgsplit(
        &["check", "--max-per-code", "1", "-"],
        Some(b"SELECT $$x;\n"),
    );
    assert_eq!(errors.status.code(), Some(1));
}

#[test]
fn split_writes_at_most_a_hundred_warnings_of_one_code_and_says_how_many_more() {
    let script = b"\\nosuch\n".repeat(250);
    let output = pgsplit(&["split", "-", "--format", "count"], Some(&script));
    assert_eq!(stdout(&output), "250\n");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.matches("unknown meta-command").count(),
        100,
        "{stderr}"
    );
    assert!(
        stderr.contains("150 more [unknown-meta-command] diagnostics not shown"),
        "{stderr}"
    );
}

#[test]
fn sarif_names_every_code_as_a_rule_and_each_finding_as_a_result() {
    let dir = scratch("sarif");
    let file = dir.join("with space.sql");
    std::fs::write(&file, b"VACUUM t;\nSELECT $$x;\n").unwrap();
    let output = pgsplit(
        &["check", "--format", "sarif", file.to_str().unwrap()],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "pgsplit");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let codes: Vec<&str> = pgsplit::diagnostic::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(ids, codes);
    let results = run["results"].as_array().unwrap();
    let vacuum = results
        .iter()
        .find(|r| r["ruleId"] == "non-transactional")
        .expect("the VACUUM's finding");
    assert_eq!(vacuum["level"], "warning");
    assert_eq!(
        ids[vacuum["ruleIndex"].as_u64().unwrap() as usize],
        "non-transactional"
    );
    let location = &vacuum["locations"][0]["physicalLocation"];
    assert!(
        location["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("/with%20space.sql"),
        "{location}"
    );
    assert_eq!(location["region"]["startLine"], 1);
    assert_eq!(location["region"]["startColumn"], 1);
    let error = results
        .iter()
        .find(|r| r["ruleId"] == "unterminated-dollar-quote")
        .expect("the dollar quote's finding");
    assert_eq!(error["level"], "error");
    assert_eq!(
        error["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
    let clean = pgsplit(&["check", "--format", "sarif", "-"], Some(b"SELECT 1;\n"));
    let log: serde_json::Value = serde_json::from_slice(&clean.stdout).unwrap();
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(clean.status.code(), Some(0));
}
