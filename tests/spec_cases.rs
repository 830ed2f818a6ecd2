//! Every input in the shared spec's `cases/` against what psql 18 really sent
//! for it (`EXPECTED.psql18.json`), in `--compat psql` mode, and the default
//! mode's own expectations where the modes differ.
//!
//! psql drops empty lines and trailing whitespace from what it sends and
//! substitutes `:variables`; the comparison does the same to pgsplit's texts.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::{assert_lossless, options, sql_texts};
use pgsplit::lexer::{tokenize, LexMode, TokenKind};
use pgsplit::{split, Compat, StatementKind};

fn cases_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("PGSPLIT_SPEC_CASES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/cases"));
    if dir.join("EXPECTED.psql18.json").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: no spec cases at {} (set PGSPLIT_SPEC_CASES or put shared/ beside the project)",
            dir.display()
        );
        None
    }
}

/// A spec case: its file name, its bytes, and what psql 18 sent for it.
type Case = (String, Vec<u8>, Vec<String>);

fn load_cases() -> Option<Vec<Case>> {
    let dir = cases_dir()?;
    let expected: BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir.join("EXPECTED.psql18.json")).unwrap()).unwrap();
    let cases = expected
        .into_iter()
        .map(|(name, value)| {
            let sent = value["psql18_sent"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect();
            let input = std::fs::read(dir.join(&name)).unwrap();
            (name, input, sent)
        })
        .collect();
    Some(cases)
}

/// What psql does to a statement's text on the way to the server.
fn as_psql_sends(text: &str) -> String {
    let kept: Vec<&str> = text.split('\n').filter(|line| !line.is_empty()).collect();
    kept.join("\n").trim_end().to_string()
}

/// Substitutes `\set` variables the way psql does, from the script's own
/// meta-commands, in statement order.
fn psql_sent(input: &[u8], compat: Compat) -> Vec<String> {
    let script = split(input, &options(compat));
    let mut variables: BTreeMap<String, String> = BTreeMap::new();
    let mut sent = Vec::new();
    for statement in &script.statements {
        if statement.kind == StatementKind::Meta {
            let meta = statement.meta().unwrap();
            if &input[meta.name.clone()] == b"set" {
                let args = String::from_utf8_lossy(&input[meta.args.clone()]).into_owned();
                if let Some((name, value)) = args.split_once(' ') {
                    variables.insert(
                        name.to_string(),
                        value.trim().trim_matches('\'').to_string(),
                    );
                }
            }
            continue;
        }
        let text = statement.text(input);
        let mut out = String::new();
        let mut at = 0;
        for token in tokenize(&text, LexMode::default()) {
            let piece = String::from_utf8_lossy(&text[at..at + token.len]).into_owned();
            at += token.len;
            if token.kind == TokenKind::Variable {
                let bare = piece[1..].trim_matches(|c| c == '\'' || c == '"');
                if let Some(value) = variables.get(bare) {
                    out.push_str(&match piece.as_bytes()[1] {
                        b'\'' => format!("'{}'", value.replace('\'', "''")),
                        b'"' => format!("\"{}\"", value.replace('"', "\"\"")),
                        _ => value.clone(),
                    });
                    continue;
                }
            }
            out.push_str(&piece);
        }
        sent.push(as_psql_sends(&out));
    }
    sent
}

/// Where psql's run differs from its split for reasons of run-time flow, not
/// of splitting: the statements pgsplit reports beyond what psql sent.
fn flow_extras(case: &str) -> &'static [&'static str] {
    match case {
        // psql quits when `\connect otherdb` fails, before `SELECT 2;`.
        "54_meta_connect.sql" => &["SELECT 2;"],
        _ => &[],
    }
}

#[test]
fn psql_mode_sends_what_psql_18_sent() {
    let Some(cases) = load_cases() else { return };
    assert!(
        cases.len() >= 55,
        "expected every spec case, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for (name, input, expected) in &cases {
        let mut expected: Vec<String> = expected.iter().map(|s| as_psql_sends(s)).collect();
        expected.extend(flow_extras(name).iter().map(|s| s.to_string()));
        let actual = psql_sent(input, Compat::Psql);
        if actual != expected {
            failures.push(format!(
                "{name}:\n  psql 18: {expected:?}\n  pgsplit: {actual:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Cases where the default mode differs from psql, and what it does instead.
fn default_mode_expectations() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        // An empty statement is trivia, not a statement.
        ("15_empty_stmts.sql", vec!["SELECT 1;", "SELECT 2;"]),
        // A comment-only tail is trivia.
        ("17_ccomment_only_tail.sql", vec!["SELECT 1;"]),
        // `tb.begin` is a column, not a block: psql swallows the rest.
        (
            "42_atomic_column_named_begin_qualified.sql",
            vec![
                "CREATE TABLE tb (begin int);",
                "CREATE FUNCTION fb() RETURNS int LANGUAGE sql\n    BEGIN ATOMIC\n SELECT tb.begin\n    FROM tb;\nEND;",
                "SELECT 2;",
                "SELECT 3;",
            ],
        ),
    ]
}

#[test]
fn default_mode_agrees_with_psql_except_where_psql_is_wrong() {
    let Some(cases) = load_cases() else { return };
    let differing: BTreeMap<_, _> = default_mode_expectations().into_iter().collect();
    let mut failures = Vec::new();
    for (name, input, _) in &cases {
        let default = psql_sent(input, Compat::Default);
        let expected: Vec<String> = match differing.get(name.as_str()) {
            Some(texts) => texts.iter().map(|s| s.to_string()).collect(),
            None => psql_sent(input, Compat::Psql),
        };
        if default != expected {
            failures.push(format!(
                "{name}:\n  expected: {expected:?}\n  default:  {default:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_case_is_split_losslessly_in_both_modes() {
    let Some(cases) = load_cases() else { return };
    for (_, input, _) in &cases {
        for compat in [Compat::Default, Compat::Psql] {
            assert_lossless(input, &split(input, &options(compat)));
        }
    }
}

#[test]
fn unterminated_cases_point_where_the_construct_opened() {
    let Some(dir) = cases_dir() else { return };
    let cases = [
        ("51_unterminated_dollar.sql", 2, 36, "dollar-quoted string"),
        ("52_unterminated_comment.sql", 2, 1, "/* comment"),
        ("53_unterminated_quote.sql", 2, 8, "quoted string"),
    ];
    for (name, line, col, what) in cases {
        let input = std::fs::read(dir.join(name)).unwrap();
        let script = split(&input, &Default::default());
        let index = pgsplit::lines::LineIndex::new(&input);
        let errors: Vec<_> = script
            .diagnostics
            .iter()
            .filter(|d| d.severity == pgsplit::Severity::Error)
            .collect();
        assert_eq!(errors.len(), 1, "{name}: {errors:?}");
        assert_eq!(index.line_col(errors[0].offset), (line, col), "{name}");
        assert!(
            errors[0].message.contains(what),
            "{name}: {}",
            errors[0].message
        );
    }
}

#[test]
fn copy_cases_carry_their_data() {
    let Some(dir) = cases_dir() else { return };
    let input = std::fs::read(dir.join("24_copy.sql")).unwrap();
    let script = split(&input, &Default::default());
    let copy = &script.statements[0];
    assert_eq!(copy.kind, StatementKind::Copy);
    assert_eq!(
        &input[copy.copy_data().cloned().unwrap()],
        b"1\tx;y\n2\t'z\n"
    );
    assert_eq!(
        sql_texts(&input, Compat::Default),
        ["COPY t (a, b) FROM stdin;", "SELECT 3;"]
    );
}
