//! The parallel splitter gives exactly the sequential result: for every
//! input, job count and chunk size. Chunks are made tiny so that every kind
//! of cut happens: inside COPY data, strings, comments, dollar quotes,
//! BEGIN ATOMIC bodies, CRLF pairs and multi-byte characters, after
//! `\restrict` and `SET standard_conforming_strings = off`, between a pg_dump
//! header and its statements.

mod common;

use common::{dump_like, options};
use pgsplit::parallel::{split_parallel, Parallelism};
use pgsplit::{split, Compat};
use proptest::prelude::*;

fn assert_same(input: &[u8], compat: Compat, parallelism: Parallelism) {
    let options = options(compat);
    let sequential = split(input, &options);
    let parallel = split_parallel(input, &options, &parallelism);
    assert_eq!(
        parallel.statements,
        sequential.statements,
        "statements differ with {parallelism:?} on {:?}",
        String::from_utf8_lossy(input)
    );
    assert_eq!(
        parallel.diagnostics, sequential.diagnostics,
        "diagnostics differ with {parallelism:?}"
    );
}

fn tiny(jobs: usize, chunk_size: usize) -> Parallelism {
    Parallelism {
        jobs,
        chunk_size,
        sequential_below: 0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn parallel_equals_sequential(
        input in dump_like(),
        jobs in 2usize..5,
        chunk_size in 1usize..48,
        psql in any::<bool>(),
    ) {
        let compat = if psql { Compat::Psql } else { Compat::Default };
        assert_same(&input, compat, tiny(jobs, chunk_size));
    }

    #[test]
    fn parallel_equals_sequential_on_arbitrary_bytes(
        input in prop::collection::vec(prop_oneof![
            4 => prop::sample::select(b";\n\r'\"$-/*\\.()tCOPY stdin".to_vec()),
            1 => any::<u8>(),
        ], 0..600),
        chunk_size in 1usize..32,
    ) {
        assert_same(&input, Compat::Default, tiny(2, chunk_size));
    }
}

#[test]
fn one_job_or_a_small_input_is_split_sequentially() {
    let input = b"SELECT 1;\nSELECT 2;\n";
    assert_same(input, Compat::Default, tiny(1, 1));
    assert_same(input, Compat::Default, Parallelism::default());
}

#[test]
fn a_cut_inside_copy_data_is_repaired() {
    let mut input = b"COPY t (a) FROM stdin;\n".to_vec();
    for i in 0..200 {
        input.extend_from_slice(
            format!("{i};\n\n--\n-- Name: x; Type: TABLE; Schema: s; Owner: -\n").as_bytes(),
        );
    }
    input.extend_from_slice(b"\\.\nSELECT 1;\n");
    for chunk_size in [1, 7, 64, 1000] {
        assert_same(&input, Compat::Default, tiny(2, chunk_size));
    }
}

#[test]
fn headers_carry_over_chunks() {
    let mut input = Vec::new();
    for i in 0..50 {
        input.extend_from_slice(
            format!("--\n-- Name: t{i}; Type: TABLE; Schema: public; Owner: -\n--\n\nCREATE TABLE t{i} (a int);\n\nALTER TABLE t{i} OWNER TO x;\n\n").as_bytes(),
        );
    }
    for chunk_size in [1, 30, 100, 500] {
        assert_same(&input, Compat::Default, tiny(3, chunk_size));
    }
}

/// Inputs with no line that ends in `;`, cut before meta-command lines or
/// after a `;` in the middle of a line.
#[test]
fn meta_command_lines_and_one_line_scripts_split_alike() {
    let inputs = [
        "\\\n".repeat(200),
        "\\set a b\nSELECT :a\n\\g\n".repeat(50),
        "SELECT 1;\0".repeat(100),
        "SELECT 'a;b'; SELECT $$;$$; -- x;\n".repeat(40),
        "x;\n".repeat(200),
    ];
    for input in inputs {
        for chunk_size in [1, 5, 33, 200] {
            assert_same(input.as_bytes(), Compat::Default, tiny(2, chunk_size));
            assert_same(input.as_bytes(), Compat::Psql, tiny(3, chunk_size));
        }
    }
}

/// Dumps one after the other, as pg_dumpall writes them or `cat` joins
/// them: each with its own `\restrict` key, a `\connect` before its first
/// header, and `standard_conforming_strings` set off in one of them.
#[test]
fn concatenated_dumps_split_alike() {
    let mut input = String::new();
    for (i, standard) in ["on", "off", "on"].iter().enumerate() {
        input.push_str(&format!(
            "--\n-- PostgreSQL database dump\n--\n\n\\restrict key{i}\n\nSET standard_conforming_strings = {standard};\n\\connect db{i}\n"
        ));
        for t in 0..6 {
            input.push_str(&format!(
                "\n--\n-- Name: t{t}; Type: TABLE; Schema: public; Owner: -\n--\n\nCREATE TABLE t{t} (a text DEFAULT 'a\\';\n\n\\echo made t{t}\n"
            ));
        }
        input.push_str(&format!(
            "\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict key{i}\n\n"
        ));
    }
    for chunk_size in [1, 9, 40, 150, 700] {
        assert_same(input.as_bytes(), Compat::Default, tiny(2, chunk_size));
        assert_same(input.as_bytes(), Compat::Psql, tiny(4, chunk_size));
    }
}

#[test]
fn normalizing_gives_the_same_text_on_any_number_of_threads() {
    use pgsplit::normalize::{normalize, Ignore, NormalizeOptions};
    let sample = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/sample_dump.sql"
    ))
    .unwrap();
    let mut input = Vec::new();
    for i in 0..700 {
        // Distinct objects, so that sorting has work to do.
        input.extend(
            String::from_utf8_lossy(&sample)
                .replace("public.", &format!("s{i}."))
                .bytes(),
        );
    }
    assert!(
        input.len() > 2 << 20,
        "large enough to be split and normalized in parallel"
    );
    for (ignore, sort) in [
        (vec![], false),
        (
            vec![Ignore::Owner, Ignore::Comments, Ignore::PublicSchema],
            false,
        ),
        (vec![Ignore::ColumnOrder, Ignore::Data], true),
    ] {
        let on = |jobs| {
            normalize(
                &input,
                &NormalizeOptions {
                    ignore: ignore.clone(),
                    sort,
                    jobs,
                },
            )
        };
        let sequential = on(1);
        assert!(!sequential.is_empty());
        assert!(
            on(2) == sequential,
            "normalize differs on 2 threads ({ignore:?}, sort {sort})"
        );
        assert!(
            on(3) == sequential,
            "normalize differs on 3 threads ({ignore:?}, sort {sort})"
        );
    }
}

#[test]
fn chunks_after_a_quit_hold_no_statements_in_psql_mode() {
    // psql reads nothing after `\quit`: a chunk guessed from the start state
    // would split what follows, so it must be split again from the real one.
    let mut input = b"SELECT 1;\n\\quit\n".to_vec();
    for _ in 0..50 {
        input.extend_from_slice(b"SELECT 2;\n");
    }
    for compat in [Compat::Psql, Compat::Default] {
        for chunk_size in [1, 7, 16, 64] {
            assert_same(&input, compat, tiny(3, chunk_size));
        }
    }
    let statements = split_parallel(&input, &options(Compat::Psql), &tiny(3, 16)).statements;
    assert_eq!(statements.len(), 2, "{statements:?}");
}

/// A `pg_dump --inserts` dump: one table's rows as INSERTs, many chunks long,
/// between two headers. The cutter cuts between the INSERTs and guesses
/// each chunk inside the table's entry, so no chunk is split again, and
/// every statement carries the entry's header as the sequential split has it.
#[test]
fn a_large_table_of_inserts_is_split_on_every_core_without_resplits() {
    use pgsplit::parallel::split_chunks;
    use std::ops::ControlFlow;
    let mut input = String::from(
        "--\n-- PostgreSQL database dump\n--\n\nSET standard_conforming_strings = on;\n",
    );
    input.push_str("\n--\n-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: -\n--\n\n");
    for i in 0..3000 {
        input.push_str(&format!("INSERT INTO public.t VALUES ({i}, 'row; {i}');\n"));
    }
    input.push_str("\n--\n-- Name: t_pkey; Type: CONSTRAINT; Schema: public; Owner: -\n--\n\n");
    input.push_str("ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (a);\n");
    let input = input.as_bytes();
    let parallelism = tiny(2, 4096);
    assert_same(input, Compat::Default, parallelism);
    let counts = split_chunks(input, &options(Compat::Default), &parallelism, |_| {
        ControlFlow::Continue(())
    });
    assert!(counts.chunks > 20, "{counts:?}");
    assert_eq!(counts.resplit, 0, "{counts:?}");
}

/// A dump made where `standard_conforming_strings` was off sets it off at
/// its top; the cutter follows the setting, so no chunk is guessed in the
/// wrong one and split again. Literals with backslashes read either way.
#[test]
fn a_dump_with_standard_strings_off_is_not_split_again() {
    use pgsplit::parallel::split_chunks;
    use std::ops::ControlFlow;
    let mut input = String::from(
        "--\n-- PostgreSQL database dump\n--\n\nSET standard_conforming_strings = off;\n",
    );
    for t in 0..400 {
        input.push_str(&format!(
            "\n--\n-- Name: t{t}; Type: TABLE; Schema: public; Owner: -\n--\n\nCREATE TABLE public.t{t} (a text DEFAULT 'it\\'s; {t}');\n"
        ));
    }
    input.push_str("RESET standard_conforming_strings;\n");
    for t in 0..400 {
        input.push_str(&format!(
            "\n--\n-- Name: u{t}; Type: TABLE; Schema: public; Owner: -\n--\n\nCREATE TABLE public.u{t} (a text DEFAULT 'a\\';\n"
        ));
    }
    let input = input.as_bytes();
    let parallelism = tiny(2, 2048);
    assert_same(input, Compat::Default, parallelism);
    assert_same(input, Compat::Psql, parallelism);
    let counts = split_chunks(input, &options(Compat::Default), &parallelism, |_| {
        ControlFlow::Continue(())
    });
    assert!(counts.chunks > 20, "{counts:?}");
    assert_eq!(counts.resplit, 0, "{counts:?}");
}

/// Lines of `\` are a statement and a diagnostic every two bytes: after the
/// first chunk the cutter makes chunks small enough to hold about as many as
/// a dump's, so memory does not follow the density; the result is the
/// sequential one.
#[test]
fn meta_command_dense_input_is_cut_into_small_chunks() {
    use pgsplit::parallel::split_chunks;
    use std::ops::ControlFlow;
    let input = "\\\n".repeat(1 << 20);
    let input = input.as_bytes();
    for jobs in [1, 2] {
        let parallelism = Parallelism {
            jobs,
            chunk_size: 512 << 10,
            sequential_below: 0,
        };
        let mut largest = 0;
        let counts = split_chunks(input, &options(Compat::Default), &parallelism, |chunk| {
            largest = largest.max(chunk.statements.len());
            ControlFlow::Continue(())
        });
        assert!(counts.chunks >= 64, "{jobs} jobs: {counts:?}");
        assert!(
            largest <= 16 << 10,
            "{jobs} jobs: a chunk of {largest} statements"
        );
    }
    assert_same(input, Compat::Default, tiny(2, 512 << 10));
}
