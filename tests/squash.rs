//! `pgsplit::squash`: the migration made from a dump, case by case.
//!
//! Each case is a small dump in pg_dump's own layout and what the squash must
//! make of it. The end-to-end proof, on a real database with a real chain of
//! migrations, is `tests/python/test_squash.py`.

use pgsplit::lexer::{tokenize, LexMode, TokenKind};
use pgsplit::squash::{
    downgrade_of, squash, DataRows, Downgrade, Squash, SquashError, SquashOptions, Which,
};
use pgsplit::{split, SplitOptions};

/// An entry as pg_dump writes it: the header block, then the statements.
fn entry(name: &str, object_type: &str, schema: &str, sql: &str) -> String {
    format!(
        "--\n-- Name: {name}; Type: {object_type}; Schema: {schema}; Owner: -\n--\n\n{sql}\n\n\n"
    )
}

fn data_entry(name: &str, schema: &str, sql: &str) -> String {
    format!("--\n-- Data for Name: {name}; Type: TABLE DATA; Schema: {schema}; Owner: -\n--\n\n{sql}\n\n\n")
}

fn dump(entries: &[String]) -> String {
    format!(
        "--\n-- PostgreSQL database dump\n--\n\n\\restrict KEY\n\n-- Dumped from database version 18.1\n-- Dumped by pg_dump version 18.1\n\n\
         SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n\n{}\
         --\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict KEY\n\n",
        entries.concat()
    )
}

fn options() -> SquashOptions<'static> {
    SquashOptions {
        revision: "001_initial_schema".into(),
        message: None,
        dump_name: "schema.sql".into(),
        origin: None,
        version_table: "alembic_version".into(),
        data: None,
    }
}

fn squashed(dump: &str) -> Squash {
    squash(dump.as_bytes(), &options()).expect("squash")
}

/// The strings of the migration's `DROPS` list, in order.
fn drops(made: &Squash) -> Vec<String> {
    let list = made
        .migration
        .split("DROPS = [\n")
        .nth(1)
        .and_then(|rest| rest.split("\n]").next())
        .expect("a DROPS list");
    list.lines()
        .map(|line| {
            let literal = line.trim().trim_end_matches(',');
            literal[1..literal.len() - 1]
                .replace("\\\"", "\"")
                .replace("\\'", "'")
        })
        .collect()
}

#[test]
fn meta_commands_are_dropped_and_everything_else_is_kept_byte_for_byte() {
    let table = entry(
        "t",
        "TABLE",
        "public",
        "CREATE TABLE public.t (\n    a text DEFAULT '\\restrict'\n);",
    );
    let input = dump(std::slice::from_ref(&table));
    let made = squashed(&input);
    let expected = input
        .replace("\\restrict KEY\n", "")
        .replace("\\unrestrict KEY\n", "");
    assert_eq!(String::from_utf8(made.sql).unwrap(), expected);
}

#[test]
fn alembic_version_table_is_left_out_with_its_constraint() {
    let input = dump(&[
        entry("alembic_version", "TABLE", "public", "CREATE TABLE public.alembic_version (\n    version_num character varying(32) NOT NULL\n);"),
        entry("t", "TABLE", "public", "CREATE TABLE public.t (a int);"),
        entry(
            "alembic_version alembic_version_pkc",
            "CONSTRAINT",
            "public",
            "ALTER TABLE ONLY public.alembic_version\n    ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num);",
        ),
    ]);
    let made = squashed(&input);
    let sql = String::from_utf8(made.sql.clone()).unwrap();
    assert!(!sql.contains("alembic_version"), "{sql}");
    assert!(sql.contains("CREATE TABLE public.t (a int);"));
    assert_eq!(drops(&made), ["DROP TABLE IF EXISTS public.t"]);
    assert!(!made.migration.contains("alembic_version"));
}

#[test]
fn downgrade_reverses_the_dump_order_with_extensions_then_schemas_last() {
    let input = dump(&[
        entry("app", "SCHEMA", "-", "CREATE SCHEMA app;"),
        entry("vector", "EXTENSION", "-", "CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;"),
        entry("mood", "TYPE", "app", "CREATE TYPE app.mood AS ENUM (\n    'ok'\n);"),
        entry("a", "TABLE", "app", "CREATE TABLE app.a (id int, m app.mood);"),
        entry("b", "TABLE", "app", "CREATE TABLE app.b (a_id int);"),
        entry("v", "VIEW", "app", "CREATE VIEW app.v AS\n SELECT 1 AS one;"),
        entry(
            "b b_a_id_fkey",
            "FK CONSTRAINT",
            "app",
            "ALTER TABLE ONLY app.b\n    ADD CONSTRAINT b_a_id_fkey FOREIGN KEY (a_id) REFERENCES app.a(id);",
        ),
    ]);
    assert_eq!(
        drops(&squashed(&input)),
        [
            "ALTER TABLE IF EXISTS ONLY app.b DROP CONSTRAINT IF EXISTS b_a_id_fkey",
            "DROP VIEW IF EXISTS app.v",
            "DROP TABLE IF EXISTS app.b",
            "DROP TABLE IF EXISTS app.a",
            "DROP TYPE IF EXISTS app.mood",
            "DROP EXTENSION IF EXISTS vector",
            "DROP SCHEMA IF EXISTS app",
        ]
    );
}

#[test]
fn functions_procedures_and_aggregates_are_dropped_with_their_own_parameter_lists() {
    let input = dump(&[
        entry(
            "f(integer, text)",
            "FUNCTION",
            "public",
            "CREATE FUNCTION public.f(a integer, b text DEFAULT 'x;y)', c numeric(12,2) = (1 + 2)) RETURNS integer\n    LANGUAGE sql\n    AS $$ SELECT 1; $$;",
        ),
        entry(
            "p(integer)",
            "PROCEDURE",
            "public",
            "CREATE PROCEDURE public.p(IN o integer, INOUT r character varying[])\n    LANGUAGE sql\n    BEGIN ATOMIC\n SELECT 1;\nEND;",
        ),
        entry("agg(text)", "AGGREGATE", "public", "CREATE AGGREGATE public.agg(text) (\n    SFUNC = public.f,\n    STYPE = text\n);"),
        entry("Odd()", "FUNCTION", "public", "CREATE FUNCTION public.\"Odd\"() RETURNS void\n    LANGUAGE sql\n    AS $$ $$;"),
    ]);
    assert_eq!(
        drops(&squashed(&input)),
        [
            "DROP FUNCTION IF EXISTS public.\"Odd\"()",
            "DROP AGGREGATE IF EXISTS public.agg(text)",
            "DROP PROCEDURE IF EXISTS public.p(IN o integer, INOUT r character varying[])",
            "DROP FUNCTION IF EXISTS public.f(a integer, b text, c numeric(12, 2))",
        ]
    );
}

/// The drops of `input`, each checked to be one statement of the crate's
/// own splitter, with no `;` of its own.
fn checked_drops(input: &str) -> Downgrade {
    let made = downgrade_of(input.as_bytes(), "alembic_version").expect("a downgrade");
    for drop in &made.drops {
        let script = split(drop.as_bytes(), &SplitOptions::default());
        assert_eq!(script.statements.len(), 1, "{drop:?} is not one statement");
        assert!(
            tokenize(drop.as_bytes(), LexMode::default()).all(|t| t.kind != TokenKind::Semicolon),
            "{drop:?} holds a ;"
        );
    }
    made
}

#[test]
fn a_hand_made_header_cannot_add_sql_to_the_downgrade() {
    // The header is a comment anyone can write; the statement is the truth.
    let input = dump(&[
        "--\n-- Name: f(\"(\" integer); DROP TABLE keep.secrets; --; Type: FUNCTION; Schema: public; Owner: -\n--\n\n\
         CREATE FUNCTION public.f(integer) RETURNS integer\n    LANGUAGE sql\n    AS $$ SELECT 1 $$;\n\n\n"
            .to_string(),
    ]);
    let made = checked_drops(&input);
    assert_eq!(made.drops, ["DROP FUNCTION IF EXISTS public.f(integer)"]);
    assert!(squashed(&input)
        .migration
        .lines()
        .filter(|line| line.contains("DROP TABLE"))
        .all(|line| line.starts_with("    public.f(")));
}

#[test]
fn a_function_named_like_sql_is_dropped_by_its_quoted_name() {
    let name = "\"\"\"); DROP TABLE keep.secrets; --\"";
    let input = dump(&[entry(
        "\"); DROP TABLE keep.secrets; --\"()",
        "FUNCTION",
        "app",
        &format!("CREATE FUNCTION app.{name}() RETURNS integer\n    LANGUAGE sql\n    AS $$ SELECT 1 $$;"),
    )]);
    let made = checked_drops(&input);
    assert_eq!(
        made.drops,
        [format!("DROP FUNCTION IF EXISTS app.{name}()")]
    );
    assert_eq!(drops(&squashed(&input)), made.drops);
}

#[test]
fn an_argument_type_with_a_parenthesis_in_its_quoted_name_is_dropped_whole() {
    // What pg_dump writes for `app.f(p keep."a(b")`; the header's
    // parentheses do not balance.
    let input = dump(&[
        entry("a(b", "TYPE", "keep", "CREATE TYPE keep.\"a(b\" AS (\n\tx integer\n);"),
        entry(
            "f(p keep.\"a(b\")",
            "FUNCTION",
            "app",
            "CREATE FUNCTION app.f(p keep.\"a(b\", q keep.\"a(b\"[] DEFAULT '{}') RETURNS integer\n    LANGUAGE sql\n    AS $$ SELECT 1 $$;",
        ),
    ]);
    assert_eq!(
        checked_drops(&input).drops,
        [
            "DROP FUNCTION IF EXISTS app.f(p keep.\"a(b\", q keep.\"a(b\"[])",
            "DROP TYPE IF EXISTS keep.\"a(b\"",
        ]
    );
}

#[test]
fn a_drop_that_would_not_be_plain_names_is_reported_not_guessed() {
    // Neither can come from pg_dump: a string in a cast's types, and a
    // default in an aggregate's arguments.
    let input = dump(&[
        entry("CAST (integer AS text)", "CAST", "-", "CREATE CAST (integer AS text '; DROP TABLE keep.secrets; --') WITHOUT FUNCTION;"),
        entry("agg(text)", "AGGREGATE", "public", "CREATE AGGREGATE public.agg(t text DEFAULT 'x') (\n    SFUNC = f,\n    STYPE = text\n);"),
        entry("t", "TABLE", "public", "CREATE TABLE public.t (a int);"),
    ]);
    let made = checked_drops(&input);
    assert_eq!(made.drops, ["DROP TABLE IF EXISTS public.t"]);
    assert_eq!(
        made.not_dropped,
        ["CAST CAST (integer AS text)", "AGGREGATE public.agg(text)"]
    );
}

#[test]
fn a_nul_in_a_quoted_name_is_not_dropped_and_the_migration_stays_python() {
    // No PostgreSQL name holds a NUL, but a hand-made dump can.
    let input = dump(&[
        entry(
            "a\0b",
            "TABLE",
            "public",
            "CREATE TABLE public.\"a\0b\" (x int);",
        ),
        entry(
            "e\u{1b}[2Jc",
            "TABLE",
            "public",
            "CREATE TABLE public.\"e\u{1b}[2Jc\" (x int);",
        ),
    ]);
    let made = squashed(&input);
    assert_eq!(made.not_dropped, ["TABLE public.a\0b"]);
    assert!(!made.migration.contains('\0'), "{:?}", made.migration);
    assert!(!made.migration.contains('\u{1b}'), "{:?}", made.migration);
    assert!(made.migration.contains("    TABLE public.a\\x00b\n"));
    assert!(made
        .migration
        .contains("    'DROP TABLE IF EXISTS public.\"e\\x1b[2Jc\"',\n"));
}

#[test]
fn the_downgrade_runs_each_drop_as_a_statement_of_its_own() {
    let made = squashed(&dump(&[entry(
        "t",
        "TABLE",
        "public",
        "CREATE TABLE public.t (a int);",
    )]));
    assert!(made.migration.contains(
        "def downgrade() -> None:\n    for drop in DROPS:\n        op.execute_sql(drop, source=\"001_initial_schema.py downgrade\")\n"
    ));
}

#[test]
fn triggers_rules_and_policies_name_their_table() {
    let input = dump(&[
        entry("t", "TABLE", "public", "CREATE TABLE public.t (a int);"),
        entry(
            "t t_touch",
            "TRIGGER",
            "public",
            "CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE OF a ON public.t FOR EACH ROW EXECUTE FUNCTION public.touch();",
        ),
        entry("t r", "RULE", "public", "CREATE RULE r AS\n    ON DELETE TO public.t DO INSTEAD NOTHING;"),
        entry("t p", "POLICY", "public", "CREATE POLICY p ON public.t USING ((a > 0));"),
    ]);
    assert_eq!(
        drops(&squashed(&input)),
        [
            "DROP POLICY IF EXISTS p ON public.t",
            "DROP RULE IF EXISTS r ON public.t",
            "DROP TRIGGER IF EXISTS t_touch ON public.t",
            "DROP TABLE IF EXISTS public.t",
        ]
    );
}

#[test]
fn column_defaults_are_dropped_before_the_sequences_they_use() {
    let input = dump(&[
        entry(
            "t",
            "TABLE",
            "public",
            "CREATE TABLE public.t (id integer NOT NULL);",
        ),
        entry(
            "s",
            "SEQUENCE",
            "public",
            "CREATE SEQUENCE public.s\n    START WITH 1;",
        ),
        entry(
            "t id",
            "DEFAULT",
            "public",
            "ALTER TABLE ONLY public.t ALTER COLUMN id SET DEFAULT nextval('public.s'::regclass);",
        ),
    ]);
    assert_eq!(
        drops(&squashed(&input)),
        [
            "ALTER TABLE IF EXISTS ONLY public.t ALTER COLUMN id DROP DEFAULT",
            "DROP SEQUENCE IF EXISTS public.s",
            "DROP TABLE IF EXISTS public.t",
        ]
    );
}

#[test]
fn identity_sequences_and_indexes_go_with_their_table() {
    let input = dump(&[
        entry("t", "TABLE", "public", "CREATE TABLE public.t (id integer NOT NULL);"),
        entry(
            "t_id_seq",
            "SEQUENCE",
            "public",
            "ALTER TABLE public.t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (\n    SEQUENCE NAME public.t_id_seq\n);",
        ),
        entry("t_idx", "INDEX", "public", "CREATE INDEX t_idx ON public.t USING btree (id);"),
        entry("t t_pkey", "CONSTRAINT", "public", "ALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (id);"),
    ]);
    let made = squashed(&input);
    assert_eq!(drops(&made), ["DROP TABLE IF EXISTS public.t"]);
    assert!(made.not_dropped.is_empty());
}

#[test]
fn base_types_are_dropped_with_cascade_once() {
    let input = dump(&[
        entry("b", "TYPE", "public", "CREATE TYPE public.b;"),
        entry("b_in(cstring)", "FUNCTION", "public", "CREATE FUNCTION public.b_in(cstring) RETURNS public.b\n    LANGUAGE internal\n    AS $$int4in$$;"),
        entry(
            "b",
            "TYPE",
            "public",
            "CREATE TYPE public.b (\n    INTERNALLENGTH = 4,\n    INPUT = public.b_in,\n    OUTPUT = public.b_out\n);",
        ),
    ]);
    assert_eq!(
        drops(&squashed(&input)),
        [
            "DROP TYPE IF EXISTS public.b CASCADE",
            "DROP FUNCTION IF EXISTS public.b_in(cstring)",
            "DROP TYPE IF EXISTS public.b",
        ]
    );
}

#[test]
fn casts_and_operators_are_dropped_by_signature() {
    let input = dump(&[
        entry("===", "OPERATOR", "public", "CREATE OPERATOR public.=== (\n    FUNCTION = int4eq,\n    LEFTARG = integer,\n    RIGHTARG = integer\n);"),
        entry("!!", "OPERATOR", "public", "CREATE OPERATOR public.!! (\n    FUNCTION = public.f,\n    RIGHTARG = character varying[]\n);"),
        entry("CAST (integer AS public.b)", "CAST", "-", "CREATE CAST (integer AS public.b) WITHOUT FUNCTION;"),
    ]);
    assert_eq!(
        drops(&squashed(&input)),
        [
            "DROP CAST IF EXISTS (integer AS public.b)",
            "DROP OPERATOR IF EXISTS public.!!(NONE, character varying[])",
            "DROP OPERATOR IF EXISTS public.===(integer, integer)",
        ]
    );
}

#[test]
fn what_the_downgrade_cannot_drop_is_reported() {
    let input = dump(&[entry(
        "USER MAPPING postgres SERVER s",
        "USER MAPPING",
        "-",
        "CREATE USER MAPPING FOR postgres SERVER s;",
    )]);
    let made = squashed(&input);
    assert_eq!(
        made.not_dropped,
        ["USER MAPPING USER MAPPING postgres SERVER s"]
    );
    assert!(made.migration.contains("Not dropped by downgrade()"));
}

#[test]
fn the_docstring_inventories_the_schema_by_type() {
    let input = dump(&[
        entry("app", "SCHEMA", "-", "CREATE SCHEMA app;"),
        entry("t", "TABLE", "app", "CREATE TABLE app.t (a int);"),
        entry("f(integer)", "FUNCTION", "app", "CREATE FUNCTION app.f(x integer) RETURNS int\n    LANGUAGE sql\n    AS $$ SELECT x $$;"),
        entry("t t_touch", "TRIGGER", "app", "CREATE TRIGGER t_touch BEFORE UPDATE ON app.t FOR EACH ROW EXECUTE FUNCTION app.f();"),
        entry("t_idx", "INDEX", "app", "CREATE INDEX t_idx ON app.t USING btree (a);"),
    ]);
    let doc = squashed(&input).migration;
    for expected in [
        "Schemas (1):\n    app\n",
        "Tables (1):\n    app.t\n",
        "Functions (1):\n    app.f(integer)\n",
        "Triggers (1):\n    t_touch ON app.t\n",
        "index 1",
        "Dumped by pg_dump version 18.1.",
        "revision = \"001_initial_schema\"\ndown_revision = None\n",
        "import pgsplit.alembic",
        "def upgrade() -> None:\n    op.execute_file(\"001_initial_schema.sql\")",
        "alembic stamp --purge 001_initial_schema",
    ] {
        assert!(doc.contains(expected), "missing {expected:?} in\n{doc}");
    }
}

#[test]
fn the_origin_and_message_are_recorded() {
    let options = SquashOptions {
        message: Some("Initial schema of the \"shop\"".into()),
        origin: Some("git commit abc123".into()),
        ..options()
    };
    let made = squash(dump(&[]).as_bytes(), &options).unwrap();
    assert!(made
        .migration
        .starts_with("\"\"\"Initial schema of the \"shop\"\n"));
    assert!(made
        .migration
        .contains("The migrations this replaces are at git commit abc123."));
}

fn with_data<'a>(data: &'a str, tables: &[&str]) -> SquashOptions<'a> {
    SquashOptions {
        data: Some(DataRows {
            input: data.as_bytes(),
            name: "full.sql".into(),
            tables: tables.iter().map(|t| t.to_string()).collect(),
        }),
        ..options()
    }
}

#[test]
fn kept_rows_go_after_the_tables_and_before_post_data() {
    let schema = dump(&[
        entry(
            "kinds",
            "TABLE",
            "public",
            "CREATE TABLE public.kinds (id integer NOT NULL, label text);",
        ),
        entry(
            "kinds_id_seq",
            "SEQUENCE",
            "public",
            "CREATE SEQUENCE public.kinds_id_seq;",
        ),
        entry(
            "kinds_id_seq",
            "SEQUENCE OWNED BY",
            "public",
            "ALTER SEQUENCE public.kinds_id_seq OWNED BY public.kinds.id;",
        ),
        entry(
            "other",
            "TABLE",
            "public",
            "CREATE TABLE public.other (a int);",
        ),
        entry(
            "kinds kinds_pkey",
            "CONSTRAINT",
            "public",
            "ALTER TABLE ONLY public.kinds\n    ADD CONSTRAINT kinds_pkey PRIMARY KEY (id);",
        ),
    ]);
    let full = dump(&[
        data_entry(
            "kinds",
            "public",
            "COPY public.kinds (id, label) FROM stdin;\n1\tfirst; not a statement\n2\tsecond\n\\.",
        ),
        data_entry(
            "other",
            "public",
            "COPY public.other (a) FROM stdin;\n7\n\\.",
        ),
        entry(
            "kinds_id_seq",
            "SEQUENCE SET",
            "public",
            "SELECT pg_catalog.setval('public.kinds_id_seq', 2, true);",
        ),
    ]);
    let made = squash(schema.as_bytes(), &with_data(&full, &["kinds"])).unwrap();
    let sql = String::from_utf8(made.sql).unwrap();
    let at = |needle: &str| {
        sql.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} missing in\n{sql}"))
    };
    assert!(at("CREATE TABLE public.other") < at("COPY public.kinds"));
    assert!(at("2\tsecond\n\\.\n") < at("setval('public.kinds_id_seq', 2, true)"));
    assert!(at("setval") < at("-- Name: kinds kinds_pkey"));
    assert!(!sql.contains("COPY public.other"));
    assert!(made.migration.contains("public.kinds: 2 rows"));
    assert!(made
        .migration
        .contains("public.kinds_id_seq: its current value"));
}

#[test]
fn a_table_without_data_is_an_error() {
    let full = dump(&[data_entry(
        "kinds",
        "public",
        "COPY public.kinds (id) FROM stdin;\n1\n\\.",
    )]);
    let error = squash(dump(&[]).as_bytes(), &with_data(&full, &["kind"])).unwrap_err();
    assert_eq!(
        error,
        SquashError::NoData {
            table: "kind".into()
        }
    );
}

#[test]
fn a_table_in_two_schemas_must_be_qualified() {
    let full = dump(&[
        data_entry("kinds", "a", "COPY a.kinds (id) FROM stdin;\n1\n\\."),
        data_entry("kinds", "b", "COPY b.kinds (id) FROM stdin;\n2\n\\."),
    ]);
    let error = squash(dump(&[]).as_bytes(), &with_data(&full, &["kinds"])).unwrap_err();
    assert!(matches!(error, SquashError::Ambiguous { .. }), "{error:?}");
    let made = squash(dump(&[]).as_bytes(), &with_data(&full, &["b.kinds"])).unwrap();
    let sql = String::from_utf8(made.sql).unwrap();
    assert!(sql.contains("COPY b.kinds") && !sql.contains("COPY a.kinds"));
}

#[test]
fn an_unterminated_dump_is_refused_with_its_position() {
    let input = "CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1;\n";
    match squash(input.as_bytes(), &options()) {
        Err(SquashError::Unusable {
            input: Which::Dump,
            offset,
            ..
        }) => assert_eq!(offset, input.find("$$").unwrap()),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn a_revision_must_make_a_file_name() {
    let options = SquashOptions {
        revision: "../x".into(),
        ..options()
    };
    assert!(matches!(
        squash(b"", &options),
        Err(SquashError::BadRevision { .. })
    ));
}

#[test]
fn a_materialized_view_named_for_its_rows_is_refreshed_with_them() {
    let schema = dump(&[
        entry(
            "kinds",
            "TABLE",
            "public",
            "CREATE TABLE public.kinds (id integer, label text);",
        ),
        entry(
            "kind_labels",
            "MATERIALIZED VIEW",
            "public",
            "CREATE MATERIALIZED VIEW public.kind_labels AS\n SELECT upper(label) AS label FROM public.kinds\n  WITH NO DATA;",
        ),
        entry(
            "kind_labels_label",
            "INDEX",
            "public",
            "CREATE UNIQUE INDEX kind_labels_label ON public.kind_labels USING btree (label);",
        ),
    ]);
    let full = dump(&[
        data_entry(
            "kinds",
            "public",
            "COPY public.kinds (id, label) FROM stdin;\n1\tfirst\n\\.",
        ),
        entry(
            "kind_labels_label",
            "INDEX",
            "public",
            "CREATE UNIQUE INDEX kind_labels_label ON public.kind_labels USING btree (label);",
        ),
        entry(
            "kind_labels",
            "MATERIALIZED VIEW DATA",
            "public",
            "REFRESH MATERIALIZED VIEW public.kind_labels;",
        ),
    ]);
    let made = squash(
        schema.as_bytes(),
        &with_data(&full, &["kinds", "kind_labels"]),
    )
    .unwrap();
    let sql = String::from_utf8(made.sql).unwrap();
    let copy = sql.find("COPY public.kinds").unwrap();
    let refresh = sql
        .find("REFRESH MATERIALIZED VIEW public.kind_labels;")
        .unwrap();
    let view = sql.find("CREATE MATERIALIZED VIEW").unwrap();
    assert!(view < copy && copy < refresh, "{sql}");
    assert_eq!(sql.matches("CREATE UNIQUE INDEX").count(), 1, "{sql}");
    assert!(made
        .migration
        .contains("    public.kinds: 1 rows\n    public.kind_labels: refreshed\n"));

    let without = squash(schema.as_bytes(), &with_data(&full, &["kinds"])).unwrap();
    assert!(!String::from_utf8(without.sql).unwrap().contains("REFRESH"));
}
