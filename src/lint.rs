//! Findings about split statements that matter before a script is run
//! somewhere other than psql: meta-commands, session settings, statements that
//! cannot run inside a transaction, COPY blocks, bytes the server rejects.
//!
//! The splitter reports what is wrong with the *text* (unterminated quotes,
//! unknown meta-commands); this module reports what the *statements* will do.
//! It re-lexes a statement's words, lazily and without copying them, which is
//! cheap next to running it, and keeps the hot splitting loop free of policy.

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

/// The tokens of a statement's text that are not whitespace or comments, with
/// their text; lazily, so a question about the first word lexes no further.
pub(crate) fn significant_tokens(text: &[u8]) -> impl Iterator<Item = (TokenKind, &[u8])> + '_ {
    let mut at = 0;
    tokenize(text, LexMode::default()).filter_map(move |token| {
        let piece = &text[at..at + token.len];
        at += token.len;
        (!token.kind.is_trivia()).then_some((token.kind, piece))
    })
}

/// The identifier words of a statement's text, in order, skipping comments,
/// punctuation and literals.
fn words(text: &[u8]) -> impl Iterator<Item = &[u8]> + '_ {
    significant_tokens(text).filter_map(|(kind, piece)| (kind == TokenKind::Ident).then_some(piece))
}

/// Whether `text` holds the identifier `word` (any case) outside quotes.
pub(crate) fn has_word(text: &[u8], word: &[u8]) -> bool {
    words(text).any(|w| w.eq_ignore_ascii_case(word))
}

/// `ALTER <object> <name> OWNER TO <role>`: the identifiers OWNER and TO in
/// a row, where OWNER is not a name being renamed (`RENAME COLUMN owner TO`).
pub(crate) fn names_owner(text: &[u8]) -> bool {
    let (mut before, mut previous): (Option<&[u8]>, Option<&[u8]>) = (None, None);
    significant_tokens(text).any(|(kind, piece)| {
        let current = (kind == TokenKind::Ident).then_some(piece);
        let is = |w: Option<&[u8]>, keywords| w.is_some_and(|w| is_any(w, keywords));
        let found = is(current, &["TO"])
            && is(previous, &["OWNER"])
            && !is(before, &["RENAME", "COLUMN", "ATTRIBUTE", "CONSTRAINT"]);
        (before, previous) = (previous, current);
        found
    })
}

/// Whether `word` is one of `keywords` (upper case), in any case.
fn is_any(word: &[u8], keywords: &[&str]) -> bool {
    keywords
        .iter()
        .any(|k| word.eq_ignore_ascii_case(k.as_bytes()))
}

/// Classifies a statement for transaction handling.
pub fn transactional(input: &[u8], statement: &Statement) -> Transactional {
    if statement.kind != StatementKind::Sql {
        return Transactional::Yes;
    }
    let text = statement.text(input);
    let mut words = words(&text);
    let first = words.next().unwrap_or_default();
    let second = words.next().unwrap_or_default();
    if is_any(first, &["COMMIT", "ROLLBACK"]) && is_any(second, &["PREPARED"]) {
        return Transactional::No;
    }
    if is_any(first, &["BEGIN", "COMMIT", "END", "ROLLBACK", "ABORT"])
        || (is_any(first, &["START"]) && is_any(second, &["TRANSACTION"]))
    {
        return Transactional::Control;
    }
    let outside_transactions = is_any(first, &["VACUUM"])
        || (is_any(first, &["CREATE", "DROP"])
            && is_any(second, &["DATABASE", "TABLESPACE", "SUBSCRIPTION"]))
        || (is_any(first, &["ALTER"]) && is_any(second, &["SYSTEM"]))
        || (is_any(first, &["CREATE", "DROP", "REINDEX"])
            && [first, second]
                .into_iter()
                .chain(words.take(10))
                .any(|w| is_any(w, &["CONCURRENTLY"])));
    if outside_transactions {
        Transactional::No
    } else {
        Transactional::Yes
    }
}

/// Whether the statement changes session state that outlives it (`SET`,
/// `RESET`, `set_config(..., false)`).
pub fn sets_session(input: &[u8], statement: &Statement) -> bool {
    if statement.kind != StatementKind::Sql {
        return false;
    }
    let text = statement.text(input);
    let mut words = words(&text);
    let first = words.next().unwrap_or_default();
    if is_any(first, &["SET"]) {
        !words.next().is_some_and(|w| is_any(w, &["LOCAL"]))
    } else if is_any(first, &["RESET"]) {
        true
    } else {
        is_any(first, &["SELECT"]) && words.take(3).any(|w| is_any(w, &["SET_CONFIG"]))
    }
}

/// Findings for `pgsplit check` about one statement (`copy_rows`: the data
/// lines of a COPY, which a stream counts as they go by), at offsets into
/// `input`.
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

/// Findings that matter when the statement runs inside an Alembic migration
/// (`pgsplit check --target alembic`), on top of [`lint_statement`]'s.
pub fn lint_statement_for_migration(
    input: &[u8],
    statement: &Statement,
    findings: &mut Vec<Diagnostic>,
) {
    if statement.kind != StatementKind::Sql {
        return;
    }
    let at = statement.span.start;
    let tag = statement.tag.as_ref();
    let text = statement.text(input);
    if tag.starts_with("ALTER ") && names_owner(&text) {
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
    if tag == "SET" && has_word(&text, b"transaction_timeout") {
        findings.push(Diagnostic {
            severity: Severity::Warning,
            offset: at,
            message: "transaction_timeout exists from PostgreSQL 17 on: older servers reject it \
                      (pgsplit.alembic skips it there)"
                .to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::{split, SplitOptions};

    fn first_statement(sql: &str) -> (Vec<u8>, Statement) {
        let input = sql.as_bytes().to_vec();
        let statement = split(&input, &SplitOptions::default()).statements.remove(0);
        (input, statement)
    }

    #[test]
    fn transaction_handling_of_statements() {
        for (sql, expected) in [
            ("CREATE TABLE t (a int);", Transactional::Yes),
            ("create index concurrently i on t (a);", Transactional::No),
            ("DROP INDEX /* now */ CONCURRENTLY i;", Transactional::No),
            ("REINDEX TABLE CONCURRENTLY t;", Transactional::No),
            ("VACUUM ANALYZE t;", Transactional::No),
            ("CREATE DATABASE d;", Transactional::No),
            ("ALTER SYSTEM SET work_mem = '1MB';", Transactional::No),
            ("COMMIT PREPARED 'x';", Transactional::No),
            ("START TRANSACTION;", Transactional::Control),
            ("begin;", Transactional::Control),
            ("SELECT 'CONCURRENTLY', 'VACUUM';", Transactional::Yes),
            (
                "CREATE VIEW concurrently_named AS SELECT 1;",
                Transactional::Yes,
            ),
        ] {
            let (input, statement) = first_statement(sql);
            assert_eq!(transactional(&input, &statement), expected, "{sql}");
        }
    }

    #[test]
    fn session_settings_that_outlive_the_statement() {
        for (sql, expected) in [
            ("SET search_path = a;", true),
            ("SET LOCAL search_path = a;", false),
            ("RESET ALL;", true),
            (
                "SELECT pg_catalog.set_config('search_path', '', false);",
                true,
            ),
            ("SELECT 'set_config';", false),
            ("UPDATE t SET a = 1;", false),
        ] {
            let (input, statement) = first_statement(sql);
            assert_eq!(sets_session(&input, &statement), expected, "{sql}");
        }
    }

    #[test]
    fn owner_statements_however_long_the_signature() {
        let long_signature: Vec<String> = (0..60).map(|i| format!("a{i} integer")).collect();
        let sql = format!(
            "ALTER FUNCTION f({}) OWNER TO alice;",
            long_signature.join(", ")
        );
        let (input, statement) = first_statement(&sql);
        let mut findings = Vec::new();
        lint_statement_for_migration(&input, &statement, &mut findings);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(names_owner(
            b"ALTER TABLE owner OWNER /* c */ -- \n TO alice"
        ));
        for renamed in [
            "ALTER TABLE t RENAME owner TO x",
            "ALTER TABLE t RENAME COLUMN owner TO x",
            "ALTER TYPE t RENAME ATTRIBUTE owner TO x",
            "ALTER TABLE t RENAME CONSTRAINT owner TO x",
        ] {
            assert!(!names_owner(renamed.as_bytes()), "{renamed}");
        }
    }
}
