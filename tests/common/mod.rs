//! Helpers shared by the integration tests.
#![allow(dead_code)]

use pgsplit::{partition, split, Compat, Owner, Script, SplitOptions, StatementKind};

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
