//! Splitting a stream gives what splitting the whole input gives: for every
//! input, window size and read size. Windows and reads are made tiny so that
//! every statement, header, `\restrict` key and COPY block is cut somewhere.

mod common;

use common::streamed::{sliced, streamed};
use common::{dump_like, options};
use pgsplit::stream::{StreamEvent, StreamSplitter};
use pgsplit::{Compat, SplitOptions};
use proptest::prelude::*;

fn assert_same(input: &[u8], compat: Compat, window: usize, step: usize) {
    let options = options(compat);
    let expected = sliced(input, &options);
    let got = streamed(input, &options, window, step);
    assert_eq!(
        got.0,
        expected.0,
        "statements differ (window {window}, reads of {step}) on {:?}",
        String::from_utf8_lossy(input)
    );
    assert_eq!(
        got.1, expected.1,
        "diagnostics differ (window {window}, reads of {step})"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10000))]

    #[test]
    fn streaming_equals_slicing(
        input in dump_like(),
        window in 1usize..64,
        step in 1usize..20,
        psql in any::<bool>(),
    ) {
        let compat = if psql { Compat::Psql } else { Compat::Default };
        assert_same(&input, compat, window, step);
    }

    #[test]
    fn streaming_equals_slicing_on_arbitrary_bytes(
        input in prop::collection::vec(prop_oneof![
            4 => prop::sample::select(b";\n\r'\"$-/*\\.()tCOPY stdin".to_vec()),
            1 => any::<u8>(),
        ], 0..600),
        window in 1usize..48,
    ) {
        assert_same(&input, Compat::Default, window, 7);
    }

    /// Short inputs of the words that change how psql reads the lines after
    /// them: every window cuts a COPY, a compound or an unterminated ending.
    #[test]
    fn streaming_equals_slicing_around_copy_compounds_and_endings(
        input in prop::collection::vec(prop::sample::select(vec![
            &b"COPY t FROM stdin"[..], b"\\COPY t FROM stdin", b"SELECT 1", b";", b"\n",
            b"\\;", b"\\.", b"\\", b"-- x", b" ", b"1", b"'", b"\\quit", b"\\q",
            b"\\prompt x", b"\\echo a",
        ]), 0..40).prop_map(|v| v.concat()),
        window in 1usize..64,
        step in 1usize..8,
        psql in any::<bool>(),
    ) {
        let compat = if psql { Compat::Psql } else { Compat::Default };
        assert_same(&input, compat, window, step);
    }
}

#[test]
fn a_copy_larger_than_the_window_streams_in_pieces_of_whole_lines() {
    let mut input = b"\\restrict key\n--\n-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: -\n--\n\nCOPY t (a) FROM stdin;\n".to_vec();
    for i in 0..5000 {
        input.extend_from_slice(format!("{i}\trow; with \\\\. inside\n").as_bytes());
    }
    input.extend_from_slice(b"\\.\nSELECT 1;\n\\unrestrict key\n");
    for window in [16, 100, 4096] {
        assert_same(&input, Compat::Default, window, 1000);
    }
    let mut stream = StreamSplitter::with_window(input.as_slice(), &SplitOptions::default(), 4096);
    let mut largest = 0;
    while let Some(event) = stream.next_event().unwrap() {
        if let StreamEvent::CopyData { rows, .. } = event {
            assert!(rows.ends_with(b"\n"));
            largest = largest.max(rows.len());
        }
    }
    assert!(
        largest > 0 && largest <= 4096,
        "rows come in pieces no larger than the window: {largest}"
    );
}

#[test]
fn a_copy_without_its_end_line_runs_to_the_end() {
    let input = b"SELECT 1;\nCOPY t FROM stdin;\n1\n2\n3";
    for window in [1, 4, 64] {
        assert_same(input, Compat::Default, window, 3);
    }
}

#[test]
fn corpus_streams_the_same() {
    let Some(root) = std::env::var_os("PGSPLIT_CORPUS") else {
        eprintln!("SKIPPED: PGSPLIT_CORPUS is not set (point it at ../shared/corpus to run the corpus tests)");
        return;
    };
    let dumps = std::path::Path::new(&root).join("pgdump15");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dumps).unwrap() {
        let path = entry.unwrap().path();
        let input = std::fs::read(&path).unwrap();
        for window in [4096, 1 << 16] {
            assert_same(&input, Compat::Default, window, 1 << 14);
        }
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} dumps in {}", dumps.display());
}

/// Endless bytes: what a small `.gz` of gigabytes of NULs decompresses to.
struct Endless(u8);

impl std::io::Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        buf.fill(self.0);
        Ok(buf.len())
    }
}

#[test]
fn an_endless_statement_is_an_error_at_its_line_not_an_allocation_failure() {
    for filler in [0u8, b'x'] {
        let options = SplitOptions {
            max_statement_bytes: 1 << 20,
            ..SplitOptions::default()
        };
        let mut stream = StreamSplitter::with_window(Endless(filler), &options, 4096);
        let error = loop {
            match stream.next_event() {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("an endless input ended"),
                Err(error) => break error,
            }
        };
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
        let message = error.to_string();
        assert!(
            message.starts_with("line 1: a statement larger than 1048576 bytes"),
            "{message}"
        );
    }
}

#[test]
fn copy_rows_stream_whatever_their_total_under_the_statement_limit() {
    let mut input = b"COPY t FROM stdin;\n".to_vec();
    for i in 0..200_000 {
        input.extend_from_slice(format!("{i}\trow\n").as_bytes());
    }
    input.extend_from_slice(b"\\.\nSELECT 1;\n");
    assert!(input.len() > 2_000_000);
    let options = SplitOptions {
        max_statement_bytes: 64 * 1024,
        ..SplitOptions::default()
    };
    let mut stream = StreamSplitter::with_window(input.as_slice(), &options, 4096);
    let mut rows = 0;
    while let Some(event) = stream.next_event().unwrap() {
        if let pgsplit::stream::StreamEvent::CopyData { rows: data, .. } = event {
            rows += data.iter().filter(|&&b| b == b'\n').count();
        }
    }
    assert_eq!(rows, 200_000);
}

/// Every window and read size over a small input, in both modes.
fn assert_same_for_every_window(input: &[u8]) {
    for compat in [Compat::Default, Compat::Psql] {
        for window in 1..=input.len() + 2 {
            for step in [1, 3, 7] {
                assert_same(input, compat, window, step);
            }
        }
    }
}

#[test]
fn a_copy_whose_semicolon_is_in_a_comment_is_not_handed_out_as_a_long_copy() {
    // The `;` is in a `--` comment: the COPY is unterminated, the `\` line
    // is a meta-command, and at the end of the input the COPY has no data.
    assert_same_for_every_window(b"COPY x FROM stdin -- x;\n\\");
    assert_same_for_every_window(b"COPY x FROM stdin -- x;\n\\\n");
}

#[test]
fn a_copy_in_a_compound_streams_without_the_backslash_of_its_separator() {
    assert_same_for_every_window(b"SELECT 1 \\; COPY t FROM stdin;\n1\n2\n3\n4\n\\.\nSELECT 2;\n");
}
