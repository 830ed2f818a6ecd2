//! Any bytes as a dump: every drop of its downgrade is one statement, with
//! no `;` and no NUL, and each name it drops is spelled in the dump.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pgsplit::lexer::{tokenize, LexMode, TokenKind};
use pgsplit::squash::downgrade_of;
use pgsplit::{split, SplitOptions, StatementKind};

/// The words every drop is made of, which need not be in the dump.
const TEMPLATE: &[&str] = &[
    "DROP", "IF", "EXISTS", "ALTER", "TABLE", "ONLY", "CONSTRAINT", "COLUMN", "DEFAULT", "ON",
    "USING", "CASCADE", "NONE",
];

fuzz_target!(|dump: &[u8]| {
    let Ok(made) = downgrade_of(dump, "alembic_version") else {
        return;
    };
    for drop in &made.drops {
        let script = split(drop.as_bytes(), &SplitOptions::default());
        assert_eq!(script.statements.len(), 1, "{drop:?}");
        assert_eq!(script.statements[0].kind, StatementKind::Sql, "{drop:?}");
        assert!(!drop.contains('\0'), "{drop:?}");
        let mut at = 0;
        for token in tokenize(drop.as_bytes(), LexMode::default()) {
            let text = &drop[at..at + token.len];
            at += token.len;
            assert_ne!(token.kind, TokenKind::Semicolon, "{drop:?}");
            let spelled = match token.kind {
                // Keywords and unquoted names: in any case.
                TokenKind::Ident => TEMPLATE.iter().any(|w| w.eq_ignore_ascii_case(text))
                    || dump
                        .windows(text.len())
                        .any(|w| w.eq_ignore_ascii_case(text.as_bytes())),
                TokenKind::QuotedIdent => dump.windows(text.len()).any(|w| w == text.as_bytes()),
                _ => true,
            };
            assert!(spelled, "{text:?} of {drop:?} is not in the dump");
        }
    }
});
