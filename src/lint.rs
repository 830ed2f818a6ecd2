//! Findings about split statements that matter before a script is run
//! somewhere other than psql: meta-commands, session settings, statements that
//! cannot run inside a transaction, COPY blocks, bytes the server rejects.
//!
//! The splitter reports what is wrong with the *text* (unterminated quotes,
//! unknown meta-commands); this module reports what the *statements* will do,
//! from the facts [`crate::facts`] establishes about each.

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::facts::*;
use crate::split::{Statement, StatementKind};

/// Findings for `pgsplit check` about one statement (`copy_rows`: the data
/// lines of a COPY, which a stream counts as they go by), at offsets into
/// `input`.
pub fn lint_statement(
    input: &[u8],
    statement: &Statement,
    facts: &StatementFacts,
    copy_rows: usize,
    findings: &mut Vec<Diagnostic>,
) {
    let mut note = |severity, code, offset, message: String| {
        findings.push(Diagnostic::new(severity, code, offset, message))
    };
    let at = statement.span.start;
    match statement.kind {
        StatementKind::Meta => {
            let name = &statement.tag;
            if name == "\\restrict" || name == "\\unrestrict" {
                note(Severity::Note, Code::DumpMetaCommand, at, format!("{name}: a psql meta-command pg_dump writes; not SQL, skip it when executing"));
            } else {
                note(
                    Severity::Warning,
                    Code::MetaCommand,
                    at,
                    format!("{name}: a psql meta-command, not SQL; only psql can run it"),
                );
            }
        }
        StatementKind::Copy => findings.push(copy_rows_note(at, copy_rows)),
        StatementKind::Sql => {
            match facts.transactional {
                Transactional::No => note(
                    Severity::Warning,
                    Code::NonTransactional,
                    at,
                    format!("{} cannot run inside a transaction block", statement.tag),
                ),
                Transactional::Control => note(
                    Severity::Warning,
                    Code::TransactionControl,
                    at,
                    format!(
                        "{}: transaction control inside a script ends the caller's transaction",
                        statement.tag
                    ),
                ),
                Transactional::Yes => {}
            }
            if facts.sets_session() {
                note(
                    Severity::Note,
                    Code::SessionSetting,
                    at,
                    "changes a session setting that stays in force after the script".to_string(),
                );
            }
            match facts.declared_encoding() {
                Some(Some(name)) if crate::encoding::is_utf8(&name) => {}
                Some(name) => note(
                    Severity::Warning,
                    Code::ClientEncoding,
                    at,
                    format!(
                        "client_encoding {}: the bytes after it are not UTF-8; text output shows \
                         them as UTF-8 would (U+FFFD), and execute_file decodes them as declared",
                        name.as_deref().unwrap_or("set to a computed value")
                    ),
                ),
                None => {}
            }
            if let Some(nul) = memchr::memchr(0, &input[statement.span.clone()]) {
                note(
                    Severity::Error,
                    Code::NulByte,
                    statement.span.start + nul,
                    "NUL byte in a statement: the server rejects it".to_string(),
                );
            }
        }
    }
}

/// Whether `statement` is psql's `\q` or `\quit`, after which psql reads
/// nothing more.
pub fn is_quit(statement: &Statement) -> bool {
    statement
        .meta()
        .is_some_and(|meta| meta.effect == crate::meta::Effect::Quit)
}

/// The finding about a `\q` or `\quit` (`name`) at `offset` that
/// `statements` statements follow: psql never runs them. An extension script starts with such a guard, which
/// the server strips when CREATE EXTENSION runs the script.
pub fn quit_warning(offset: usize, name: &str, statements: usize) -> Diagnostic {
    Diagnostic::new(
        Severity::Warning,
        Code::QuitBeforeStatements,
        offset,
        format!(
            "psql stops reading at this {name} and never runs the {statements} statement(s) \
             after it; fine as an extension script's guard (CREATE EXTENSION strips it), \
             otherwise remove it or move it to the end"
        ),
    )
}

/// The finding about a COPY at `offset` with `rows` data lines.
pub fn copy_rows_note(offset: usize, rows: usize) -> Diagnostic {
    Diagnostic::new(
        Severity::Note,
        Code::CopyData,
        offset,
        format!("COPY ... FROM stdin with {rows} data line(s): needs a driver's copy API"),
    )
}

/// The finding for input that stops being UTF-8 at `offset`.
pub fn not_utf8(offset: u64) -> Diagnostic {
    Diagnostic::new(
        Severity::Note,
        Code::NotUtf8,
        offset as usize,
        "input is not valid UTF-8 from here; text output shows U+FFFD, byte offsets stay exact",
    )
}

/// Findings that matter when the statement runs inside an Alembic migration
/// (`pgsplit check --target alembic`), on top of [`lint_statement`]'s.
pub fn lint_statement_for_migration(
    statement: &Statement,
    facts: &StatementFacts,
    findings: &mut Vec<Diagnostic>,
) {
    let at = statement.span.start;
    match &facts.access {
        Access::Owner { role, .. } => findings.push(Diagnostic::new(
            Severity::Warning,
            Code::OwnerStatement,
            at,
            format!(
                "owner statement: the role {role} must exist on every server the migration \
                 runs on (dump with -O to leave owners out)"
            ),
        )),
        Access::Privileges { roles } => findings.push(Diagnostic::new(
            Severity::Warning,
            Code::Privileges,
            at,
            format!(
                "{}: the roles it names ({}) must exist on every server the migration runs on \
                 (dump with -x to leave privileges out)",
                statement.tag,
                roles.join(", ")
            ),
        )),
        Access::None => {}
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
            assert_eq!(
                StatementFacts::of(&input, &statement).sets_session(),
                expected,
                "{sql}"
            );
        }
    }

    #[test]
    fn settings_a_statement_changes() {
        let named = |name: &str, value: Option<&str>| Setting::Named {
            name: name.to_string(),
            value: value.map(str::to_string),
        };
        for (sql, expected) in [
            ("SET \"search_path\" = '';", vec![named("search_path", Some(""))]),
            ("SET SESSION statement_timeout TO 0;", vec![named("statement_timeout", Some("0"))]),
            ("SET search_path = a, b;", vec![named("search_path", None)]),
            ("SET TIME ZONE 'UTC';", vec![named("timezone", Some("UTC"))]),
            ("SET app.tenant = 'x';", vec![named("app.tenant", Some("x"))]),
            ("RESET ALL;", vec![Setting::All]),
            ("reset Work_Mem;", vec![named("work_mem", None)]),
            ("SET LOCAL search_path = a;", vec![]),
            ("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;", vec![]),
            (
                "SELECT set_config('a.b', 'it''s', false), set_config('c.d', 'x', true), set_config(n, v, false);",
                vec![named("a.b", Some("it's")), Setting::Computed],
            ),
            ("SELECT 'set_config(''x'', ''y'', false)';", vec![]),
        ] {
            let (input, statement) = first_statement(sql);
            assert_eq!(settings_changed(&input, &statement), expected, "{sql}");
        }
    }

    #[test]
    fn where_copy_reads_and_writes() {
        for (sql, expected) in [
            ("COPY t FROM stdin;\n\\.\n", CopySource::Client),
            ("COPY (SELECT 1 FROM x) TO STDOUT;", CopySource::Client),
            ("COPY t FROM '/etc/passwd';", CopySource::ServerFile),
            ("COPY t (a) FROM PROGRAM 'id';", CopySource::Program),
            ("SELECT 1 FROM program;", CopySource::NotCopy),
        ] {
            let (input, statement) = first_statement(sql);
            assert_eq!(copy_source(&input, &statement), expected, "{sql}");
        }
        let (input, statement) =
            first_statement("COPY \"S\".\"t x\" (a, \"B\") FROM stdin WITH (FORMAT csv);\n\\.\n");
        assert_eq!(
            copy_into(&input, &statement),
            Some(CopyInto {
                table: "\"S\".\"t x\"".to_string(),
                columns: Some("a, \"B\"".to_string()),
                format: "csv"
            })
        );
    }

    #[test]
    fn where_a_message_s_name_is_named() {
        let text = b"CREATE INDEX orders_nothing ON shop.orders (nothing, \"Mixed\")";
        let at = |name| name_offset(text, name).map(|i| &text[i..i + 7]);
        assert_eq!(at("nothing"), Some(&b"nothing"[..]));
        assert_eq!(at("shop.orders"), Some(&b"shop.or"[..]));
        assert_eq!(
            at("public.orders"),
            Some(&b"orders "[..]),
            "the last part alone"
        );
        assert_eq!(at("Mixed"), Some(&b"\"Mixed\""[..]));
        assert_eq!(
            name_offset(text, "mixed"),
            None,
            "a quoted name matches exactly"
        );
    }

    #[test]
    fn where_a_body_opens() {
        assert_eq!(body_offset(b"DO /* $x$ */ $b$ BEGIN END $b$;"), Some(13));
        assert_eq!(body_offset(b"SELECT '$$';"), None);
    }

    #[test]
    fn materialized_views_left_without_data() {
        for (sql, expected) in [
            (
                "CREATE MATERIALIZED VIEW s.v AS SELECT 1 WITH NO DATA;",
                Some("s.v"),
            ),
            (
                "CREATE MATERIALIZED VIEW IF NOT EXISTS \"V\" AS SELECT 1\n  WITH NO DATA;",
                Some("\"V\""),
            ),
            ("CREATE MATERIALIZED VIEW v AS SELECT 1 WITH DATA;", None),
        ] {
            let (input, statement) = first_statement(sql);
            assert_eq!(
                unpopulated_view(&input, &statement).as_deref(),
                expected,
                "{sql}"
            );
        }
    }

    #[test]
    fn owners_and_privileges_name_their_roles() {
        let owner = |role: &str, alone| Access::Owner {
            role: role.to_string(),
            alone,
        };
        let privileges = |roles: &[&str]| Access::Privileges {
            roles: roles.iter().map(|r| r.to_string()).collect(),
        };
        for (sql, expected) in [
            ("ALTER TABLE public.t OWNER TO app;", owner("app", true)),
            ("ALTER TABLE t OWNER TO \"App\", ADD COLUMN b int;", owner("\"App\"", false)),
            ("ALTER FUNCTION f(int) OWNER TO app;", owner("app", true)),
            ("ALTER TABLE t RENAME COLUMN owner TO x;", Access::None),
            ("GRANT SELECT ON t TO reader, GROUP staff WITH GRANT OPTION;", privileges(&["reader", "staff"])),
            ("REVOKE ALL ON SCHEMA s FROM PUBLIC CASCADE;", privileges(&["PUBLIC"])),
            (
                "ALTER DEFAULT PRIVILEGES FOR ROLE admin IN SCHEMA s GRANT SELECT ON TABLES TO app;",
                privileges(&["app"]),
            ),
            (
                "ALTER DEFAULT PRIVILEGES IN SCHEMA s REVOKE ALL ON TABLES FROM app;",
                privileges(&["app"]),
            ),
            ("CREATE TABLE owner (a int);", Access::None),
        ] {
            let (input, statement) = first_statement(sql);
            assert_eq!(StatementFacts::of(&input, &statement).access, expected, "{sql}");
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
        let facts = StatementFacts::of(&input, &statement);
        lint_statement_for_migration(&statement, &facts, &mut findings);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(findings[0].message.contains("the role alice must exist"));
        assert_eq!(
            owner_role(b"ALTER TABLE owner OWNER /* c */ -- \n TO alice").as_deref(),
            Some("alice")
        );
        for renamed in [
            "ALTER TABLE t RENAME owner TO x",
            "ALTER TABLE t RENAME COLUMN owner TO x",
            "ALTER TYPE t RENAME ATTRIBUTE owner TO x",
            "ALTER TABLE t RENAME CONSTRAINT owner TO x",
        ] {
            assert_eq!(owner_role(renamed.as_bytes()), None, "{renamed}");
        }
    }
}
