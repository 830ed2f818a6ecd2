//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod idempotence;
pub mod streamed;

use pgsplit::{partition, split, Compat, Owner, Script, SplitOptions, StatementKind};
use proptest::prelude::*;

pub fn options(compat: Compat) -> SplitOptions {
    SplitOptions {
        compat,
        ..SplitOptions::default()
    }
}

/// The texts of the statements of `input`, meta-commands included.
pub fn texts(input: &[u8], compat: Compat) -> Vec<String> {
    let script = split(input, &options(compat));
    script
        .statements
        .iter()
        .map(|s| String::from_utf8_lossy(&s.text(input)).into_owned())
        .collect()
}

/// The texts of the statements psql would send to the server (no meta-commands).
pub fn sql_texts(input: &[u8], compat: Compat) -> Vec<String> {
    let script = split(input, &options(compat));
    script
        .statements
        .iter()
        .filter(|s| s.kind != StatementKind::Meta)
        .map(|s| String::from_utf8_lossy(&s.text(input)).into_owned())
        .collect()
}

/// Asserts that statements and trivia divide the input exactly: contiguous,
/// non-overlapping pieces covering every byte once.
pub fn assert_lossless(input: &[u8], script: &Script) {
    let pieces = partition(&script.statements, input.len());
    let mut at = 0;
    for piece in &pieces {
        assert_eq!(piece.span.start, at, "gap or overlap at {at}: {pieces:?}");
        assert!(piece.span.end > piece.span.start, "empty piece {piece:?}");
        at = piece.span.end;
        if let Owner::Statement(i) = piece.owner {
            let statement = &script.statements[i];
            assert!(
                statement.span.start <= piece.span.start && piece.span.end <= statement.span.end
            );
        }
    }
    assert_eq!(at, input.len(), "pieces end before the input does");
    let mut rebuilt = Vec::with_capacity(input.len());
    for piece in &pieces {
        rebuilt.extend_from_slice(&input[piece.span.clone()]);
    }
    assert_eq!(rebuilt, input);
}

/// Pieces that make likely boundaries, and pieces that make them lie.
pub fn dump_like() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        &b"CREATE TABLE t (a int);\n\n"[..],
        b";\n",
        b";\n\n",
        b";\r\n",
        b"\n",
        b"\n\n--\n-- Name: t; Type: TABLE; Schema: public; Owner: -\n--\n\n",
        b"\n\n--\n-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: -\n--\n\n",
        b"ALTER TABLE t OWNER TO x;\n\n",
        b"SET search_path = '';\n",
        b"COPY t (a) FROM stdin;\n",
        b"1\tx;\n",
        b";\n\n--\n-- \n",
        b"\\.\n",
        b"'x;\n\n",
        b"'",
        b"$$",
        b"$f$;\n\n",
        b"/* ;\n\n",
        b"*/",
        b"-- ;\n",
        b"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1;\n\n",
        b"CASE WHEN x THEN 1 END;\n",
        b"END;\n\n",
        b"(\n",
        b");\n\n",
        b"\\restrict key\n",
        b"\\unrestrict key\n",
        b"\\connect db\n",
        b"SET standard_conforming_strings = off;\n",
        b"SET standard_conforming_strings = on;\n",
        b"'a\\';\n\n",
        b"E'\\';\n'",
        b"\xc3\xa9;\n",
        b"\xe2\x82\xac",
        b"\"q;\n\n",
        b"SELECT 1 \\; SELECT 2;\n",
        b"\\g\n",
        b"SELECT 1 \\; COPY t FROM stdin;\n",
        b"COPY t FROM stdin \\; SELECT 1;\n",
        b"COPY t FROM stdin -- c;\n",
        b"\\COPY t FROM stdin\n",
        b"\\\n",
        b"\\prompt x\n",
        b"\\prompt 'say' x \\\\ SELECT 1;\n",
        b"\\password app\n",
        b"\\copy t from pstdin\n",
    ]);
    // Endings that leave a statement open where the input stops.
    let unterminated = prop::sample::select(vec![
        &b"SELECT 1"[..],
        b"COPY t FROM stdin",
        b"COPY t FROM stdin -- ;",
        b"\\",
        b"'",
    ]);
    // psql reads nothing after these: rare, so that most inputs go on.
    let quits = prop::sample::select(vec![
        &b"\\quit\n"[..],
        b"\\q\n",
        b"SELECT 1 \\q\n",
        b"\\echo Use \"CREATE EXTENSION x\" to load this file. \\quit\n",
    ]);
    let piece = prop_oneof![40 => pieces, 1 => quits];
    (
        prop::collection::vec(piece, 0..80),
        prop::option::of(unterminated),
    )
        .prop_map(|(pieces, ending)| {
            let mut input = pieces.concat();
            input.extend_from_slice(ending.unwrap_or_default());
            input
        })
}
