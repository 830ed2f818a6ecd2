//! One small named case per splitting rule. To add a rule, add a case: the
//! input, then the statement texts expected (meta-commands included).

mod common;

use common::{assert_lossless, options, texts};
use pgsplit::lines::LineIndex;
use pgsplit::{split, Compat, Severity, StatementKind};

fn default(input: &str) -> Vec<String> {
    let script = split(input.as_bytes(), &options(Compat::Default));
    assert_lossless(input.as_bytes(), &script);
    texts(input.as_bytes(), Compat::Default)
}

fn psql(input: &str) -> Vec<String> {
    let script = split(input.as_bytes(), &options(Compat::Psql));
    assert_lossless(input.as_bytes(), &script);
    texts(input.as_bytes(), Compat::Psql)
}

/// The same statements in both modes.
fn both(input: &str) -> Vec<String> {
    let d = default(input);
    assert_eq!(d, psql(input), "modes differ for {input:?}");
    d
}

#[test]
fn semicolon_ends_a_statement() {
    assert_eq!(both("SELECT 1; SELECT 2;"), ["SELECT 1;", "SELECT 2;"]);
}

#[test]
fn semicolon_inside_parentheses_does_not() {
    assert_eq!(
        both("CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); NOTIFY x); SELECT 3;"),
        ["CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); NOTIFY x);", "SELECT 3;"]
    );
}

#[test]
fn stray_close_paren_never_goes_below_zero() {
    assert_eq!(both("SELECT 1); SELECT 2;"), ["SELECT 1);", "SELECT 2;"]);
}

#[test]
fn brackets_and_braces_do_not_nest() {
    assert_eq!(
        both("SELECT a[1; SELECT '{'; SELECT 2;"),
        ["SELECT a[1;", "SELECT '{';", "SELECT 2;"]
    );
}

#[test]
fn semicolons_in_every_quoted_form_are_text() {
    for quoted in [
        "';'", "E'\\';'", "U&';'", "$$;$$", "$t$;$t$", "\";\"", "U&\";\"", "B';'", "X';'",
    ] {
        let input = format!("SELECT {quoted}; SELECT 2;");
        assert_eq!(
            both(&input),
            [format!("SELECT {quoted};"), "SELECT 2;".into()],
            "{quoted}"
        );
    }
}

#[test]
fn comments_hide_semicolons() {
    assert_eq!(
        both("SELECT 1 -- ;\n; SELECT 2 /* ; /* ; */ ; */;"),
        ["SELECT 1 -- ;\n;", "SELECT 2 /* ; /* ; */ ; */;"]
    );
}

#[test]
fn leading_line_comments_are_not_part_of_a_statement() {
    assert_eq!(both("-- a\n-- b\nSELECT 1;"), ["SELECT 1;"]);
}

#[test]
fn leading_block_comment_is_part_of_the_statement() {
    assert_eq!(both("/* c */ SELECT 1;"), ["/* c */ SELECT 1;"]);
}

#[test]
fn last_statement_needs_no_semicolon() {
    assert_eq!(both("SELECT 1;\nSELECT 2\n"), ["SELECT 1;", "SELECT 2"]);
}

#[test]
fn trailing_line_comment_is_trivia() {
    assert_eq!(both("SELECT 1; -- done\n"), ["SELECT 1;"]);
}

#[test]
fn empty_statements_are_trivia_by_default_and_sent_by_psql() {
    assert_eq!(default("SELECT 1;;; SELECT 2;"), ["SELECT 1;", "SELECT 2;"]);
    assert_eq!(
        psql("SELECT 1;;; SELECT 2;"),
        ["SELECT 1;", ";", ";", "SELECT 2;"]
    );
}

#[test]
fn comment_only_statement_is_trivia_by_default_and_sent_by_psql() {
    assert_eq!(default("SELECT 1;\n/* tail */\n"), ["SELECT 1;"]);
    assert_eq!(psql("SELECT 1;\n/* tail */\n"), ["SELECT 1;", "/* tail */"]);
}

#[test]
fn standard_strings_backslash_is_ordinary() {
    assert_eq!(
        both(r"SELECT 'C:\'; SELECT 'x';"),
        [r"SELECT 'C:\';", "SELECT 'x';"]
    );
}

#[test]
fn escape_string_backslash_escapes() {
    assert_eq!(
        both(r"SELECT E'it\'s;'; SELECT 2;"),
        [r"SELECT E'it\'s;';", "SELECT 2;"]
    );
}

#[test]
fn standard_strings_off_applies_from_the_next_line() {
    let input = "SET standard_conforming_strings = off; SELECT 'a\\';\nSELECT 'b\\';c'; SELECT 2;";
    assert_eq!(
        both(input),
        [
            "SET standard_conforming_strings = off;",
            "SELECT 'a\\';",
            "SELECT 'b\\';c';",
            "SELECT 2;"
        ]
    );
}

#[test]
fn standard_strings_on_again_after_reset() {
    let input = "SET standard_conforming_strings TO off;\nRESET standard_conforming_strings;\nSELECT 'a\\'; SELECT 2;";
    assert_eq!(both(input).len(), 4);
}

#[test]
fn dollar_quote_tags_are_case_sensitive() {
    assert_eq!(
        both("SELECT $A$ x $a$ ; $A$; SELECT 2;"),
        ["SELECT $A$ x $a$ ; $A$;", "SELECT 2;"]
    );
}

#[test]
fn nested_dollar_quotes() {
    assert_eq!(
        both("DO $o$ BEGIN EXECUTE $i$SELECT 1;$i$; END $o$; SELECT 2;"),
        [
            "DO $o$ BEGIN EXECUTE $i$SELECT 1;$i$; END $o$;",
            "SELECT 2;"
        ]
    );
}

#[test]
fn plpgsql_body_keeps_its_semicolons() {
    let input = "CREATE FUNCTION h() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  RAISE NOTICE 'x; %', 1;\nEND;\n$$;\nSELECT 2;";
    assert_eq!(both(input).len(), 2);
}

#[test]
fn begin_atomic_body_keeps_its_semicolons() {
    let input = "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n SELECT 1;\n SELECT CASE WHEN true THEN 1 END;\nEND;\nSELECT 3;";
    assert_eq!(
        both(input),
        [
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n SELECT 1;\n SELECT CASE WHEN true THEN 1 END;\nEND;",
            "SELECT 3;"
        ]
    );
}

#[test]
fn begin_atomic_with_or_replace_and_procedure() {
    assert_eq!(
        both("CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC SELECT 1; END; SELECT 2;")
            .len(),
        2
    );
}

#[test]
fn begin_as_a_column_name_is_not_a_body_by_default() {
    let input = "CREATE FUNCTION fb() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n SELECT tb.begin FROM tb;\nEND;\nSELECT 2;";
    assert_eq!(default(input).len(), 2);
    assert_eq!(
        psql(input).len(),
        1,
        "psql counts tb.begin as a block opener"
    );
}

#[test]
fn end_as_a_column_label_does_not_close_the_body_by_default() {
    let input = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 AS end; SELECT 2; END; SELECT 3;";
    assert_eq!(default(input).len(), 2);
    assert_eq!(psql(input).len(), 4, "psql takes AS end for the body's END");
}

#[test]
fn comment_between_begin_and_atomic() {
    let input = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN /* c */ ATOMIC SELECT 1; END; SELECT 2;";
    assert_eq!(both(input).len(), 2);
}

#[test]
fn begin_outside_a_function_is_a_transaction() {
    assert_eq!(
        both("BEGIN; SELECT 1; END;"),
        ["BEGIN;", "SELECT 1;", "END;"]
    );
}

#[test]
fn identifier_may_contain_dollars() {
    assert_eq!(both("CREATE TABLE x$y$ (a int); SELECT 2;").len(), 2);
}

#[test]
fn positional_parameters_are_not_quotes() {
    assert_eq!(both("PREPARE p(int) AS SELECT $1; EXECUTE p(1);").len(), 2);
}

#[test]
fn backslash_semicolon_joins_statements() {
    assert_eq!(both("SELECT 1 \\; SELECT 2;"), ["SELECT 1 ; SELECT 2;"]);
}

#[test]
fn meta_command_on_its_own_line_runs_before_the_statement() {
    assert_eq!(both("SELECT 1\n\\echo hi\n;"), ["\\echo hi", "SELECT 1\n;"]);
}

#[test]
fn meta_command_after_text_keeps_the_line_break() {
    assert_eq!(
        both("SELECT 1 \\echo hi\n, 2;"),
        ["\\echo hi", "SELECT 1 \n, 2;"]
    );
}

#[test]
fn g_sends_the_buffer() {
    assert_eq!(
        both("SELECT 1 \\g\nSELECT 2;"),
        ["SELECT 1", "\\g", "SELECT 2;"]
    );
}

#[test]
fn double_backslash_resumes_sql_on_the_same_line() {
    assert_eq!(
        both("\\set x 1 \\\\ SELECT 2;"),
        ["\\set x 1 \\\\", "SELECT 2;"]
    );
}

#[test]
fn restrict_lines_are_meta_commands() {
    let input = "\\restrict abc\n\nSELECT 1;\n\\unrestrict abc\n";
    let script = split(input.as_bytes(), &Default::default());
    let kinds: Vec<_> = script
        .statements
        .iter()
        .map(|s| (s.kind, s.tag.to_string()))
        .collect();
    assert_eq!(
        kinds,
        [
            (StatementKind::Meta, "\\restrict".to_string()),
            (StatementKind::Sql, "SELECT".to_string()),
            (StatementKind::Meta, "\\unrestrict".to_string())
        ]
    );
}

#[test]
fn copy_data_is_not_sql() {
    let input = "COPY t (a) FROM stdin;\n1;'$$--\n\\.\nSELECT 3;\n";
    let script = split(input.as_bytes(), &Default::default());
    assert_eq!(script.statements.len(), 2);
    let copy = &script.statements[0];
    assert_eq!(&input[copy.copy_data().cloned().unwrap()], "1;'$$--\n");
    assert_eq!(
        &input[copy.span.clone()],
        "COPY t (a) FROM stdin;\n1;'$$--\n\\."
    );
    assert_eq!(both(input), ["COPY t (a) FROM stdin;", "SELECT 3;"]);
}

#[test]
fn copy_marker_must_be_alone_on_its_line() {
    let input = "COPY t FROM stdin;\n\\.x\n\\. \n\\.\nSELECT 3;\n";
    let script = split(input.as_bytes(), &Default::default());
    assert_eq!(
        &input[script.statements[0].copy_data().cloned().unwrap()],
        "\\.x\n\\. \n"
    );
}

#[test]
fn copy_with_crlf_line_endings() {
    let input = "COPY t FROM stdin;\r\n1\tx\r\n\\.\r\nSELECT 3;\r\n";
    assert_eq!(both(input), ["COPY t FROM stdin;", "SELECT 3;"]);
}

#[test]
fn statements_after_copy_on_its_line_run_after_the_data() {
    let input = "COPY t FROM stdin; SELECT 9;\n1\n\\.\nSELECT 3;\n";
    assert_eq!(
        both(input),
        ["COPY t FROM stdin;", "SELECT 9;", "SELECT 3;"]
    );
}

#[test]
fn two_copies_on_one_line_read_consecutive_blocks() {
    let input = "COPY a FROM stdin; COPY b FROM stdin;\n1\n\\.\n2\n\\.\nSELECT 3;\n";
    let script = split(input.as_bytes(), &Default::default());
    let data: Vec<&str> = script
        .statements
        .iter()
        .filter_map(|s| s.copy_data().cloned())
        .map(|d| &input[d])
        .collect();
    assert_eq!(data, ["1\n", "2\n"]);
    assert_lossless(input.as_bytes(), &script);
}

#[test]
fn copy_to_stdout_has_no_data() {
    assert_eq!(both("COPY t TO stdout; SELECT 2;").len(), 2);
}

#[test]
fn client_side_copy_reads_data_too() {
    let input = "\\copy t from stdin\n1;x\n\\.\nSELECT 2;\n";
    let script = split(input.as_bytes(), &Default::default());
    assert_eq!(script.statements.len(), 2);
    assert_eq!(
        &input[script.statements[0].copy_data().cloned().unwrap()],
        "1;x\n"
    );
}

#[test]
fn copy_data_to_end_of_input_is_reported() {
    let script = split(b"COPY t FROM stdin;\n1\n", &Default::default());
    assert_eq!(script.statements.len(), 1);
    assert!(script
        .diagnostics
        .iter()
        .any(|d| d.message.contains("no terminating")));
}

#[test]
fn byte_order_mark_is_skipped() {
    assert_eq!(
        both("\u{feff}SELECT 1;\nSELECT 2;"),
        ["SELECT 1;", "SELECT 2;"]
    );
}

#[test]
fn pg_dump_header_names_the_statements_of_its_entry() {
    let input = "--\n-- Name: users; Type: TABLE; Schema: public; Owner: app\n--\n\nCREATE TABLE public.users (id int);\n\nALTER TABLE public.users OWNER TO app;\n\nSET default_tablespace = '';\n";
    let script = split(input.as_bytes(), &Default::default());
    let names: Vec<Option<&str>> = script
        .statements
        .iter()
        .map(|s| s.toc.as_ref().map(|t| &input[t.name()]))
        .collect();
    assert_eq!(names, [Some("users"), Some("users"), None]);
}

#[test]
fn unterminated_quote_is_an_error_at_its_opening() {
    let input = "SELECT 1;\nSELECT 'open;\nSELECT 2;\n";
    let script = split(input.as_bytes(), &Default::default());
    let index = LineIndex::new(input.as_bytes());
    let error = script
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .unwrap();
    assert_eq!(index.line_col(error.offset), (2, 8));
    assert_eq!(
        script.statements.len(),
        2,
        "nothing is lost: the open quote is the last statement"
    );
}

#[test]
fn psql_variables_are_reported_not_substituted() {
    let script = split(b"SELECT :v, ':v';", &Default::default());
    assert_eq!(script.diagnostics.len(), 1);
    assert!(script.diagnostics[0].message.contains(":v"));
}

#[test]
fn array_slices_are_not_reported_as_variables() {
    let script = split(b"SELECT a[1:2];", &Default::default());
    assert!(script.diagnostics.is_empty(), "{:?}", script.diagnostics);
}

#[test]
fn copy_sent_at_end_of_input_reads_no_data() {
    let input = "COPY t FROM stdin\n\\echo x\n";
    let script = split(input.as_bytes(), &Default::default());
    assert_lossless(input.as_bytes(), &script);
    let copy = script
        .statements
        .iter()
        .find(|s| s.kind == StatementKind::Copy)
        .unwrap();
    assert_eq!(copy.copy_data(), Some(&(input.len()..input.len())));
}

#[test]
fn copy_from_stdout_reads_data_like_stdin() {
    let input = "copy t from stdout;\n1\tbaz\n\\.\nselect 1;\n";
    assert_eq!(both(input), ["copy t from stdout;", "select 1;"]);
}

#[test]
fn compound_with_two_copies_reads_two_blocks() {
    let input = "select 0\\; copy t from stdin\\; copy t from stdin\\; select 1;\n1\n\\.\n2\n\\.\nselect 2;\n";
    let script = split(input.as_bytes(), &Default::default());
    assert_lossless(input.as_bytes(), &script);
    let blocks: Vec<&str> = script.statements[0]
        .copy_blocks()
        .map(|d| &input[d.clone()])
        .collect();
    assert_eq!(blocks, ["1\n", "2\n"]);
    assert_eq!(
        both(input),
        [
            "select 0; copy t from stdin; copy t from stdin; select 1;",
            "select 2;"
        ]
    );
}

#[test]
fn client_side_copy_inside_a_statement() {
    let input = "SELECT 1\n\\copy t from stdin\n1\n\\.\n;\n";
    let script = split(input.as_bytes(), &Default::default());
    assert_lossless(input.as_bytes(), &script);
    assert_eq!(
        texts(input.as_bytes(), Compat::Default),
        ["\\copy t from stdin", "SELECT 1\n;"]
    );
}

#[test]
fn bare_comment_lines_inside_and_between_statements() {
    assert_eq!(
        both("--\nVALUES (x'00')--\n--\n, (1)\n--\n;\n--\n"),
        ["VALUES (x'00')--\n--\n, (1)\n--\n;"]
    );
    assert_eq!(
        both("with t as (values (x'00')--\n"),
        ["with t as (values (x'00')--"]
    );
}

#[test]
fn runs_of_parentheses_after_many_leading_words_nest() {
    assert_eq!(
        both("CREATE FUNCTION a b c d e f g ((1);2); SELECT 3;"),
        ["CREATE FUNCTION a b c d e f g ((1);2);", "SELECT 3;"]
    );
    // Twelve open, eleven closed: the `;`s stay inside.
    assert_eq!(
        both("((((((((((((;))))))))))); SELECT 3;"),
        ["((((((((((((;))))))))))); SELECT 3;"]
    );
}

#[test]
fn backslash_copy_is_matched_in_any_case_and_only_copy_is() {
    // psql's command.c compares `copy` with pg_strcasecmp, every other name
    // with strcmp: `\COPY` reads data lines, `\ECHO` is an unknown command.
    for command in ["\\COPY", "\\Copy", "\\copy"] {
        let input = format!("{command} t FROM STDIN\n1;\n\\.\nSELECT 1;\n");
        assert_eq!(
            both(&input),
            [format!("{command} t FROM STDIN"), "SELECT 1;".to_string()],
            "{command}"
        );
        let script = split(input.as_bytes(), &options(Compat::Default));
        assert!(
            script.statements[0].copy_data().is_some(),
            "{command} has its data"
        );
    }
    let unknown = split(b"\\ECHO hi\n", &options(Compat::Default));
    assert!(
        unknown
            .diagnostics
            .iter()
            .any(|d| d.message.contains("ECHO")),
        "{:?}",
        unknown.diagnostics
    );
}

#[test]
fn psql_reads_nothing_after_quit() {
    // psql stops at `\q` or `\quit` and sends what its buffer holds; the rest
    // of the input is trivia. `\Q` is an unknown command (names are matched
    // in lower case).
    assert_eq!(
        psql("SELECT 1;\n\\quit\nSELECT 2;\n\\unknown\n"),
        ["SELECT 1;", "\\quit"]
    );
    assert_eq!(
        psql("SELECT 1;\nSELECT 2 \\q SELECT 3;\nSELECT 4;\n"),
        ["SELECT 1;", "\\q SELECT 3;", "SELECT 2"]
    );
    assert_eq!(
        psql("SELECT 1;\n\\Q\nSELECT 2;\n"),
        ["SELECT 1;", "\\Q", "SELECT 2;"]
    );
}

#[test]
fn default_mode_splits_on_after_an_extension_scripts_quit_guard() {
    // The server strips this guard when it runs the script for CREATE
    // EXTENSION; psql run on the file stops at it.
    let input = "\\echo Use \"CREATE EXTENSION x\" to load this file. \\quit\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n";
    assert_eq!(
        default(input),
        [
            "\\echo Use \"CREATE EXTENSION x\" to load this file.",
            "\\quit",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';"
        ]
    );
    assert_eq!(
        psql(input),
        [
            "\\echo Use \"CREATE EXTENSION x\" to load this file.",
            "\\quit"
        ]
    );
}

#[test]
fn prompt_reads_its_answer_from_the_next_line_in_psql_mode() {
    // Without a terminal psql reads the answer from its standard input,
    // which is the script when psql reads the script from there.
    let input = "\\prompt x\nthe answer;\nSELECT 1;\n";
    assert_eq!(psql(input), ["\\prompt x", "SELECT 1;"]);
    assert_eq!(default(input), ["\\prompt x", "the answer;", "SELECT 1;"]);
    // Inside a statement the answer line is left out of it; the rest of the
    // command's own line is read before it.
    assert_eq!(
        psql("SELECT 1\n\\prompt 'say' x \\\\ , 2\nline two;\nSELECT 3;\n"),
        ["\\prompt 'say' x \\\\", "SELECT 1 , 2\nSELECT 3;"]
    );
    // Without a variable name it is an error and reads nothing.
    assert_eq!(psql("\\prompt\nSELECT 1;\n"), ["\\prompt", "SELECT 1;"]);
}

#[test]
fn password_reads_the_password_and_its_confirmation_in_psql_mode() {
    // Both prompts read a line of psql's standard input when there is no
    // terminal: the script's next two lines when it is that input.
    let input = "\\password app\nfirst;\nsecond;\nSELECT 1;\n";
    assert_eq!(psql(input), ["\\password app", "SELECT 1;"]);
    assert_eq!(
        default(input),
        ["\\password app", "first;", "second;", "SELECT 1;"]
    );
    // At the input's end there is nothing more to read.
    assert_eq!(psql("\\password\nonly;"), ["\\password"]);
}

#[test]
fn copy_from_pstdin_reads_the_script_as_data_in_psql_mode() {
    // `pstdin` is psql's standard input: the script when it is that input,
    // not the file `psql -f` reads.
    let input = "\\copy t from pstdin\n1\n2\n\\.\nSELECT 1;\n";
    assert_eq!(psql(input), ["\\copy t from pstdin", "SELECT 1;"]);
    let copy = split(input.as_bytes(), &options(Compat::Psql));
    assert_eq!(copy.statements[0].copy_data(), Some(&(20..24)));
    // Read as `psql -f` reads it, the rows are lines of SQL.
    assert_eq!(
        default(input),
        ["\\copy t from pstdin", "\\.", "1\n2\nSELECT 1;"]
    );
}

#[test]
fn a_statement_around_copy_data_keeps_one_newline_where_the_data_was() {
    // psql puts a newline into its buffer before each line it scans after
    // the data, as after any line; the rows themselves are not in it.
    assert_eq!(
        both("SELECT 1 \\copy t from stdin\nx\n\\.\n, 2;\n")[1],
        "SELECT 1 \n, 2;"
    );
    // A meta-command at a line start takes the newline before it out.
    assert_eq!(
        both("SELECT 1\n\\copy t from stdin\nx\n\\.\n, 2;\n")[1],
        "SELECT 1\n, 2;"
    );
    // Without the newline, a name before the command would glue to a
    // dollar quote after the data (`€$$` is one name).
    assert_eq!(
        both("SELECT x\\copy t from stdin\n\\.\n$$a$$;\n")[1],
        "SELECT x\n$$a$$;"
    );
}

#[test]
fn sql_after_a_meta_command_at_a_line_start_joins_the_line_before() {
    // psql adds the newline between lines as a line starts and takes it out
    // again when the line starts with a meta-command.
    assert_eq!(
        both("SELECT 1\n\\echo a \\\\ , 2\n\\echo b\n\\echo c \\\\ , 3\n\\echo d\n;\nSELECT 4;\n"),
        [
            "\\echo a \\\\",
            "\\echo b",
            "\\echo c \\\\",
            "\\echo d",
            "SELECT 1 , 2 , 3\n;",
            "SELECT 4;"
        ]
    );
}

#[test]
fn a_quote_after_a_number_with_a_glued_word_opens_a_plain_string() {
    // `0.B` is one number token (with trailing junk), so the quote after it
    // opens a plain string, not the bit string `B'`.
    for input in [&b"a\"\"0.B'"[..], b"x 0.B'", b"0.B'"] {
        let at = input.iter().rposition(|&b| b == b'\'').unwrap();
        for compat in [Compat::Default, Compat::Psql] {
            let script = split(input, &common::options(compat));
            let error = script
                .diagnostics
                .iter()
                .find(|d| d.severity == Severity::Error)
                .unwrap();
            assert_eq!(error.offset, at, "{}", String::from_utf8_lossy(input));
        }
    }
}
