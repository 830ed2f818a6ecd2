//! Findings about split statements that matter before a script is run
//! somewhere other than psql: meta-commands, session settings, statements that
//! cannot run inside a transaction, COPY blocks, bytes the server rejects.
//!
//! The splitter reports what is wrong with the *text* (unterminated quotes,
//! unknown meta-commands); this module reports what the *statements* will do.
//! It re-lexes a statement's leading words, which is cheap next to running it,
//! and keeps the hot splitting loop free of policy.

use crate::lexer::{tokenize, LexMode, TokenKind};
use crate::split::{Diagnostic, Severity, Statement, StatementKind};

/// How a statement relates to the enclosing transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transactional {
    /// Runs inside a transaction block like any statement.
    Yes,
    /// Cannot run inside a transaction block (`CREATE INDEX CONCURRENTLY`,
    /// `VACUUM`, `CREATE DATABASE`, ...).
    No,
    /// Starts or ends a transaction itself (`BEGIN`, `COMMIT`, `ROLLBACK`...).
    Control,
}

/// Upper-cased identifier words of the statement, up to `limit`, skipping
/// comments, punctuation and literals.
pub fn leading_words(input: &[u8], statement: &Statement, limit: usize) -> Vec<String> {
    let text = statement.text(input);
    let mut words = Vec::new();
    let mut at = 0;
    for token in tokenize(&text, LexMode::default()) {
        if token.kind == TokenKind::Ident {
            words.push(String::from_utf8_lossy(&text[at..at + token.len]).to_ascii_uppercase());
            if words.len() == limit {
                break;
            }
        }
        at += token.len;
    }
    words
}

/// Classifies a statement for transaction handling.
pub fn transactional(input: &[u8], statement: &Statement) -> Transactional {
    if statement.kind != StatementKind::Sql {
        return Transactional::Yes;
    }
    let words = leading_words(input, statement, 12);
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    match w.as_slice() {
        ["COMMIT" | "ROLLBACK", "PREPARED", ..] => Transactional::No,
        ["BEGIN", ..]
        | ["START", "TRANSACTION", ..]
        | ["COMMIT", ..]
        | ["END", ..]
        | ["ROLLBACK", ..]
        | ["ABORT", ..] => Transactional::Control,
        ["VACUUM", ..]
        | ["CREATE", "DATABASE", ..]
        | ["DROP", "DATABASE", ..]
        | ["CREATE", "TABLESPACE", ..]
        | ["DROP", "TABLESPACE", ..]
        | ["ALTER", "SYSTEM", ..]
        | ["CREATE", "SUBSCRIPTION", ..]
        | ["DROP", "SUBSCRIPTION", ..] => Transactional::No,
        ["CREATE" | "DROP" | "REINDEX", ..] if w.contains(&"CONCURRENTLY") => Transactional::No,
        _ => Transactional::Yes,
    }
}

/// Whether the statement changes session state that outlives it (`SET`,
/// `RESET`, `set_config(..., false)`).
pub fn sets_session(input: &[u8], statement: &Statement) -> bool {
    if statement.kind != StatementKind::Sql {
        return false;
    }
    let words = leading_words(input, statement, 4);
    match words.first().map(String::as_str) {
        Some("SET") => words.get(1).map(String::as_str) != Some("LOCAL"),
        Some("RESET") => true,
        Some("SELECT") => words.iter().any(|w| w == "SET_CONFIG"),
        _ => false,
    }
}

/// Findings for `pgsplit check`, in input order of the statements.
pub fn lint(input: &[u8], statements: &[Statement]) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    for statement in statements {
        let rows = statement
            .copy_data()
            .map_or(0, |d| memchr::memchr_iter(b'\n', &input[d.clone()]).count());
        lint_statement(input, statement, rows, &mut findings);
    }
    if let Err(error) = std::str::from_utf8(input) {
        findings.push(not_utf8(error.valid_up_to() as u64));
    }
    findings
}

/// [`lint`]'s findings about one statement (`copy_rows`: the data lines of
/// a COPY, which a stream counts as they go by), at offsets into `input`.
pub fn lint_statement(
    input: &[u8],
    statement: &Statement,
    copy_rows: usize,
    findings: &mut Vec<Diagnostic>,
) {
    let mut note = |severity, offset, message: String| {
        findings.push(Diagnostic {
            severity,
            offset,
            message,
        })
    };
    let at = statement.span.start;
    match statement.kind {
        StatementKind::Meta => {
            let name = &statement.tag;
            if name == "\\restrict" || name == "\\unrestrict" {
                note(Severity::Note, at, format!("{name}: a psql meta-command pg_dump writes; not SQL, skip it when executing"));
            } else {
                note(
                    Severity::Warning,
                    at,
                    format!("{name}: a psql meta-command, not SQL; only psql can run it"),
                );
            }
        }
        StatementKind::Copy => findings.push(copy_rows_note(at, copy_rows)),
        StatementKind::Sql => {
            match transactional(input, statement) {
                Transactional::No => note(
                    Severity::Warning,
                    at,
                    format!("{} cannot run inside a transaction block", statement.tag),
                ),
                Transactional::Control => note(
                    Severity::Warning,
                    at,
                    format!(
                        "{}: transaction control inside a script ends the caller's transaction",
                        statement.tag
                    ),
                ),
                Transactional::Yes => {}
            }
            if sets_session(input, statement) {
                note(
                    Severity::Note,
                    at,
                    "changes a session setting that stays in force after the script".to_string(),
                );
            }
            if let Some(nul) = memchr::memchr(0, &input[statement.span.clone()]) {
                note(
                    Severity::Error,
                    statement.span.start + nul,
                    "NUL byte in a statement: the server rejects it".to_string(),
                );
            }
        }
    }
}

/// The finding about a COPY at `offset` with `rows` data lines.
pub fn copy_rows_note(offset: usize, rows: usize) -> Diagnostic {
    Diagnostic {
        severity: Severity::Note,
        offset,
        message: format!("COPY ... FROM stdin with {rows} data line(s): needs a driver's copy API"),
    }
}

/// The finding for input that stops being UTF-8 at `offset`.
pub fn not_utf8(offset: u64) -> Diagnostic {
    Diagnostic {
        severity: Severity::Note,
        offset: offset as usize,
        message:
            "input is not valid UTF-8 from here; text output shows U+FFFD, byte offsets stay exact"
                .to_string(),
    }
}

/// Findings that matter when the script runs inside an Alembic migration
/// (`pgsplit check --target alembic`), on top of [`lint`]'s.
pub fn lint_for_migration(input: &[u8], statements: &[Statement]) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    for statement in statements {
        lint_statement_for_migration(input, statement, &mut findings);
    }
    findings
}

/// [`lint_for_migration`]'s findings about one statement.
pub fn lint_statement_for_migration(
    input: &[u8],
    statement: &Statement,
    findings: &mut Vec<Diagnostic>,
) {
    if statement.kind != StatementKind::Sql {
        return;
    }
    let words = leading_words(input, statement, 40);
    let has = |word: &str| words.iter().any(|w| w == word);
    let at = statement.span.start;
    let tag = statement.tag.as_ref();
    if tag.starts_with("ALTER ") && words.windows(2).any(|w| w[0] == "OWNER" && w[1] == "TO") {
        findings.push(Diagnostic {
            severity: Severity::Warning,
            offset: at,
            message: "owner statement: the role must exist on every server the migration runs on \
                      (dump with -O to leave owners out)"
                .to_string(),
        });
    } else if matches!(tag, "GRANT" | "REVOKE" | "ALTER DEFAULT PRIVILEGES") {
        findings.push(Diagnostic {
            severity: Severity::Warning,
            offset: at,
            message: format!(
                "{tag}: the roles it names must exist on every server the migration runs on \
                 (dump with -x to leave privileges out)"
            ),
        });
    }
    if tag == "SET" && has("TRANSACTION_TIMEOUT") {
        findings.push(Diagnostic {
            severity: Severity::Warning,
            offset: at,
            message: "transaction_timeout exists from PostgreSQL 17 on: older servers reject it \
                      (pgsplit.alembic skips it there)"
                .to_string(),
        });
    }
}
