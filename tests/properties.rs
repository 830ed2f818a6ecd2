//! Properties that hold for every input:
//! - the partition into statements and trivia is lossless, for any bytes;
//! - splitting never panics;
//! - re-splitting one statement's source yields that statement alone;
//! - more whitespace or comments between tokens never changes the count;
//! - SQL generated from a small grammar splits back into exactly its
//!   statements, whatever strings, dollar quotes, comments and bodies hold.

mod common;

use common::idempotence::{every_option_combination, idempotence_failure, idempotence_promised};
use common::{assert_lossless, options};
use pgsplit::diff::diff;
use pgsplit::normalize::{normalize, Ignore, NormalizeOptions};
use pgsplit::{split, Compat, SplitOptions, StatementKind};
use proptest::prelude::*;

fn sql_alphabet() -> impl Strategy<Value = Vec<u8>> {
    // Bytes that matter to the splitter, weighted up, plus anything at all.
    let interesting = prop::sample::select(
        b";'\"$()\\/*-\n\r\t :EeUuBbXx&.0123456789abcBEGINATOMICENDCASEcopyCOPYfromFROMstdinSTDIN"
            .to_vec(),
    );
    prop::collection::vec(prop_oneof![4 => interesting, 1 => any::<u8>()], 0..400)
}

fn words_alphabet() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        &b"SELECT "[..],
        b"CREATE FUNCTION f() ",
        b"CREATE OR REPLACE PROCEDURE p() ",
        b"BEGIN ",
        b"ATOMIC ",
        b"END",
        b"CASE ",
        b"AS ",
        b".",
        b";",
        b"(",
        b")",
        b"'x;'",
        b"$$;$$",
        b"$a$",
        b"/*",
        b"*/",
        b"--",
        b"\n",
        b"\\",
        b"\\.\n",
        b"COPY t FROM stdin",
        b"SET standard_conforming_strings = off",
        b"E'\\'",
        b"\"",
        b" ",
        b"CREATE TABLE t.x (",
        b"ALTER TABLE ONLY s.t ADD ",
        b"INSERT INTO t VALUES ",
        b" e'",
        b" U&'",
        b"u&\"",
        b" x$y$ ",
        b" 1$$",
        b"fooE'",
        b"::",
        b":v",
        b"\\;",
        b"COMMENT ON x IS ",
        b"'it''s'",
        b"\"q\"\"x\"",
        b"a-b/c",
        b"-- c;\n",
        b"-\n",
        b"x::text",
        b"::",
        b":::",
        b".5",
        b"..",
        b"e",
        b"u",
        b"_\xc3\xa9",
        b"((((",
        b"x y z w v ",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

fn any_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![sql_alphabet(), words_alphabet()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn partition_is_lossless(input in any_input()) {
        for compat in [Compat::Default, Compat::Psql] {
            assert_lossless(&input, &split(&input, &options(compat)));
        }
    }

    #[test]
    fn fast_path_changes_nothing(input in any_input()) {
        for compat in [Compat::Default, Compat::Psql] {
            let fast = split(&input, &options(compat));
            let every_token = split(&input, &SplitOptions { lex_every_token: true, ..options(compat) });
            prop_assert_eq!(&fast.statements, &every_token.statements);
            prop_assert_eq!(&fast.diagnostics, &every_token.diagnostics);
        }
    }

    #[test]
    fn fast_path_changes_nothing_in_dumps(input in common::dump_like()) {
        for compat in [Compat::Default, Compat::Psql] {
            let fast = split(&input, &options(compat));
            let every_token = split(&input, &SplitOptions { lex_every_token: true, ..options(compat) });
            prop_assert_eq!(&fast.statements, &every_token.statements);
            prop_assert_eq!(&fast.diagnostics, &every_token.diagnostics);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(input in prop::collection::vec(any::<u8>(), 0..2000)) {
        let script = split(&input, &Default::default());
        assert_lossless(&input, &script);
    }

    #[test]
    fn resplitting_a_statement_yields_that_statement(input in any_input()) {
        // A setting changes how later literals lex: the property is about
        // statements lexed with the default setting, before any such change.
        let cutoff = input
            .windows(13)
            .position(|w| w.eq_ignore_ascii_case(b"standard_conf"))
            .unwrap_or(input.len());
        for compat in [Compat::Default, Compat::Psql] {
            let script = split(&input, &options(compat));
            for statement in &script.statements {
                let source = &input[statement.span.clone()];
                if statement.kind != StatementKind::Sql
                    || !statement.holes.is_empty()
                    || statement.span.end > cutoff
                    || source.starts_with(b"\xEF\xBB\xBF")
                {
                    continue;
                }
                let again = split(source, &options(compat));
                prop_assert_eq!(again.statements.len(), 1, "{:?}", String::from_utf8_lossy(source));
                prop_assert_eq!(again.statements[0].text(source), statement.text(&input));
            }
        }
    }
}

/// A statement from the grammar, as tokens that must stay apart.
fn statement() -> impl Strategy<Value = Vec<String>> {
    let text = "[a-z ;'\"$\\\\]{0,8}";
    let literal = prop_oneof![
        text.prop_map(|s: String| format!("'{}'", s.replace('\'', "''"))),
        text.prop_map(|s: String| format!("E'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))),
        text.prop_map(|s: String| format!("\"{}\"", s.replace('"', "\"\""))),
        text.prop_map(|s: String| format!("$$ {} $$", s.replace('$', ""))),
        (text, "[a-z_]{1,4}").prop_map(|(s, tag): (String, String)| format!(
            "${tag}$ {} ${tag}$",
            s.replace('$', "")
        )),
        "[0-9]{1,4}".prop_map(String::from),
        Just("$1".to_string()),
        Just("B'0101'".to_string()),
        Just("X'1F'".to_string()),
        Just("U&'d\\0061t\\+000061'".to_string()),
    ];
    let select = prop::collection::vec(literal.clone(), 1..4).prop_map(|values| {
        let mut tokens = vec!["SELECT".to_string()];
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                tokens.push(",".into());
            }
            tokens.push(value);
        }
        tokens.push(";".into());
        tokens
    });
    let atomic = prop::collection::vec(literal.clone(), 1..3).prop_map(|values| {
        let mut tokens: Vec<String> = "CREATE FUNCTION f ( ) RETURNS int LANGUAGE sql BEGIN ATOMIC"
            .split(' ')
            .map(String::from)
            .collect();
        for value in values {
            tokens.extend(["SELECT", "CASE", "WHEN", "true", "THEN"].map(String::from));
            tokens.push(value);
            tokens.extend(["END", ";"].map(String::from));
        }
        tokens.extend(["END", ";"].map(String::from));
        tokens
    });
    let plpgsql = literal.clone().prop_map(|value| {
        let body = format!(
            "$body$ BEGIN PERFORM {}; RETURN 1; END $body$",
            value.replace("$body$", "")
        );
        let mut tokens: Vec<String> = "CREATE FUNCTION g ( ) RETURNS int LANGUAGE plpgsql AS"
            .split(' ')
            .map(String::from)
            .collect();
        tokens.push(body);
        tokens.push(";".into());
        tokens
    });
    let rule = literal.prop_map(|value| {
        let mut tokens: Vec<String> =
            "CREATE RULE r AS ON INSERT TO t DO ALSO ( INSERT INTO a VALUES ("
                .split(' ')
                .map(String::from)
                .collect();
        tokens.push(value);
        tokens.extend([")", ";", "NOTIFY", "x", ")", ";"].map(String::from));
        tokens
    });
    prop_oneof![4 => select, 2 => atomic, 2 => plpgsql, 1 => rule]
}

fn trivia() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(" ".to_string()),
        1 => Just("\n".to_string()),
        1 => Just("\t".to_string()),
        1 => Just(" /* ; c */ ".to_string()),
        1 => Just(" /* a /* ; */ b */ ".to_string()),
        1 => Just(" -- ; c\n".to_string()),
        1 => Just("\r\n".to_string()),
    ]
}

fn render(statements: &[Vec<String>], separators: &[String]) -> (String, Vec<String>) {
    let mut input = String::new();
    let mut texts = Vec::new();
    let mut next = separators.iter().cycle();
    for tokens in statements {
        let start = input.len();
        for (i, token) in tokens.iter().enumerate() {
            if i > 0 {
                input.push_str(next.next().unwrap());
            }
            input.push_str(token);
        }
        texts.push(input[start..].to_string());
        input.push_str("\n\n");
    }
    (input, texts)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn generated_sql_splits_back_into_its_statements(
        statements in prop::collection::vec(statement(), 1..6),
    ) {
        let (input, texts) = render(&statements, &[" ".to_string()]);
        for compat in [Compat::Default, Compat::Psql] {
            let script = split(input.as_bytes(), &options(compat));
            let got: Vec<String> = script
                .statements
                .iter()
                .map(|s| String::from_utf8(s.text(input.as_bytes()).into_owned()).unwrap())
                .collect();
            prop_assert_eq!(&got, &texts);
        }
    }

    #[test]
    fn trivia_between_tokens_never_changes_the_count(
        statements in prop::collection::vec(statement(), 1..6),
        separators in prop::collection::vec(trivia(), 1..8),
    ) {
        let (plain, _) = render(&statements, &[" ".to_string()]);
        let (padded, texts) = render(&statements, &separators);
        let count = |input: &str| split(input.as_bytes(), &Default::default()).statements.len();
        prop_assert_eq!(count(&plain), statements.len());
        prop_assert_eq!(count(&padded), statements.len());
        let got: Vec<String> = split(padded.as_bytes(), &Default::default())
            .statements
            .iter()
            .map(|s| String::from_utf8(s.text(padded.as_bytes()).into_owned()).unwrap())
            .collect();
        prop_assert_eq!(got, texts);
    }
}

/// Dump pieces made of what `--ignore` leaves out, and of pieces that make
/// it lie: a `public.` in a literal, a COPY whose rows hold `\.`-like text,
/// a `public` that is not a schema.
fn noise_like() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        &b"\n\n--\n-- Name: t; Type: TABLE; Schema: public; Owner: alice\n--\n\n"[..],
        b"\n\n--\n-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: -\n--\n\n",
        b"\n\n--\n-- Name: TABLE t; Type: ACL; Schema: public; Owner: alice\n--\n\n",
        b"\n\n--\n-- Name: s; Type: SEQUENCE SET; Schema: public; Owner: -\n--\n\n",
        b"\n\n--\n-- Name: TABLE t; Type: COMMENT; Schema: public; Owner: -\n--\n\n",
        b"CREATE TABLE public.t (\n    b integer,\n    a text\n);\n",
        b"CREATE TABLE public.t (b int, a public.d);\n",
        b"COPY public.t (b, a) FROM stdin;\n",
        b"COPY public.t (b, a) FROM stdin WITH (FORMAT csv);\n",
        b"COPY t FROM '/x';\n",
        b"2\tx\n",
        b"1,\"a\"\n",
        b"\\.\n",
        b"ALTER TABLE public.t OWNER TO alice;\n",
        b"ALTER TABLE ONLY public.t OWNER TO \"Al\";\n",
        b"GRANT SELECT ON TABLE public.t TO bob;\n",
        b"REVOKE ALL ON SCHEMA public FROM PUBLIC;\n",
        b"COMMENT ON TABLE public.t IS 'public.x';\n",
        b"SET search_path = public, pg_catalog;\n",
        b"SELECT pg_catalog.set_config('search_path', '', false);\n",
        b"SELECT pg_catalog.setval('public.s', 5, true);\n",
        b"SET standard_conforming_strings = off;\n",
        b"SET standard_conforming_strings = on;\n",
        b"RESET ALL;\n",
        b"SELECT 'a\\';\n",
        b"public.",
        b"public",
        b"public .x",
        b"\"public\".",
        b" -- c\n",
        b"/* c */",
        b"--\n",
        b"-- x\n",
        b"   \n",
        b"\n",
        b";",
        b"\\g\n",
        b"\\connect db\n",
        b"\\restrict k\n",
        b"SELECT 1",
        b"CREATE INDEX ix ON public.t (a);\n",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn normalize_is_deterministic(input in any_input()) {
        for options in every_option_combination() {
            prop_assert_eq!(normalize(&input, &options), normalize(&input, &options));
        }
    }

    #[test]
    fn normalize_is_idempotent(input in any_input()) {
        if !idempotence_promised(&input) {
            return Ok(());
        }
        for options in every_option_combination() {
            if let Some(failure) = idempotence_failure(&input, &options) {
                prop_assert!(false, "{}", failure);
            }
        }
    }

    #[test]
    fn normalize_is_idempotent_on_dumps(input in prop_oneof![common::dump_like(), noise_like()]) {
        if !idempotence_promised(&input) {
            return Ok(());
        }
        for options in every_option_combination() {
            if let Some(failure) = idempotence_failure(&input, &options) {
                prop_assert!(false, "{}", failure);
            }
        }
    }

    #[test]
    fn normalize_keeps_every_literal_and_body(statements in prop::collection::vec(statement(), 1..6)) {
        let (input, texts) = render(&statements, &[" ".to_string(), "\n".to_string()]);
        let normalized = String::from_utf8(normalize(input.as_bytes(), &NormalizeOptions::default())).unwrap();
        for text in texts {
            for token in ["'", "$$", "$", "\""] {
                if let Some(at) = text.find(token) {
                    let literal_start = &text[at..];
                    prop_assert!(normalized.contains(literal_start.lines().next().unwrap()));
                }
            }
        }
    }
}

/// A statement that does what `--ignore` of its kind leaves out, and a
/// place where another change can ride along.
fn ignorable() -> impl Strategy<Value = (Ignore, String)> {
    let name = prop::sample::select(vec!["public.t", "app.\"Order\"", "s.x"]);
    let role = prop::sample::select(vec!["app", "\"App\"", "postgres"]);
    prop_oneof![
        (name.clone(), role)
            .prop_map(|(n, r)| (Ignore::Owner, format!("ALTER TABLE {n} OWNER TO {r}"))),
        name.clone().prop_map(|n| (
            Ignore::Set,
            format!("SELECT pg_catalog.set_config('search_path', '{n}', false)")
        )),
        (name, 1..100i64).prop_map(|(n, v)| (
            Ignore::Data,
            format!("SELECT pg_catalog.setval('{n}', {v}, true)")
        )),
    ]
}

/// Something else a statement can do beside the ignored part.
fn rider() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        prop::sample::select(vec!["balance", "\"owner\"", "id"])
            .prop_map(|c| format!(", DROP COLUMN {c}")),
        Just(", public.wipe()".to_string()),
        Just(" FROM public.accounts".to_string()),
        Just("; DELETE FROM public.accounts".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Two statements that differ in something else than what is ignored
    /// still differ once it is ignored.
    #[test]
    fn ignoring_never_hides_a_change_that_does_not_involve_it(
        (what, statement) in ignorable(),
        a in rider(),
        b in rider(),
    ) {
        prop_assume!(a != b);
        let left = format!("{statement}{a};\n");
        let right = format!("{statement}{b};\n");
        let options = NormalizeOptions { ignore: vec![what], ..NormalizeOptions::default() };
        let report = diff(left.as_bytes(), right.as_bytes(), &options);
        prop_assert!(!report.identical(), "--ignore {}: {:?} and {:?} compare equal", what, left, right);
    }
}

/// A `u&` glued to a number (`9.u`, one token to the lexer) opens no Unicode
/// literal: the fast path resumes lexing where the lexer would, so a `\'`
/// in the plain literal after it still escapes the quote when
/// `standard_conforming_strings` is off.
#[test]
fn fast_path_reads_a_number_glued_to_u_ampersand_as_the_lexer_does() {
    for glued in ["9.u&", "a.u&", "x.U&", "1.5u&"] {
        let input = format!(
            "SET standard_conforming_strings = off;\nINSERT INTO t VALUES (1, {glued}'a\\'; SELECT 1;');\nSELECT 2;\n"
        );
        let input = input.as_bytes();
        for compat in [Compat::Default, Compat::Psql] {
            let fast = split(input, &options(compat));
            let every_token = split(
                input,
                &SplitOptions {
                    lex_every_token: true,
                    ..options(compat)
                },
            );
            assert_eq!(fast.statements, every_token.statements, "{glued}");
            assert_eq!(fast.diagnostics, every_token.diagnostics, "{glued}");
        }
    }
}
