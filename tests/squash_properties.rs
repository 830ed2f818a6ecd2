//! The downgrade's drops, for dumps written to attack them.
//!
//! Each case is a dump of a few objects whose names and argument types are
//! made of the characters that matter to SQL and to Python (quotes,
//! parentheses, `;`, `--`, backslashes, NUL and other controls), under
//! headers that may say anything at all. Whatever the downgrade accepts,
//! every drop must be one statement of the crate's own splitter, with no `;`
//! of its own, and must drop one of the objects the dump's statements create,
//! named exactly as they name it.

use std::collections::HashSet;

use pgsplit::lexer::{tokenize, LexMode, TokenKind};
use pgsplit::squash::downgrade_of;
use pgsplit::{split, SplitOptions, StatementKind};
use proptest::prelude::*;

/// A name as PostgreSQL quotes it: in double quotes, each `"` doubled.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn hostile_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a",
        "B",
        "é",
        "𝄞",
        " ",
        "\"",
        "'",
        "(",
        ")",
        ";",
        "--",
        "/*",
        "*/",
        "\\",
        "$$",
        ",",
        ".",
        "=",
        "\0",
        "\u{1b}[2J",
        "\r",
        "\n",
        "DROP TABLE keep.secrets",
        "DEFAULT",
        "integer",
    ]);
    prop::collection::vec(pieces, 1..8).prop_map(|p| p.concat())
}

/// How an object is named in SQL: a plain word or a quoted hostile text.
fn sql_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["t", "f", "x1", "order_items"]).prop_map(str::to_string),
        hostile_text().prop_map(|t| quoted(&t)),
    ]
}

fn argument_type() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "integer",
            "text",
            "numeric(12,2)",
            "character varying[]",
            "timestamp(3) with time zone",
        ])
        .prop_map(str::to_string),
        sql_name().prop_map(|n| format!("keep.{n}")),
    ]
}

/// One object of the dump: what `CREATE` makes and the drop that undoes it.
#[derive(Debug, Clone)]
struct Object {
    header: String,
    header_type: &'static str,
    statement: String,
    drop: String,
}

fn function() -> impl Strategy<Value = Object> {
    let parameter = (
        prop::option::of(prop::sample::select(vec!["IN", "INOUT", "VARIADIC"])),
        prop::option::of(sql_name()),
        argument_type(),
        prop::option::of(prop_oneof![
            hostile_text().prop_map(|t| format!(" DEFAULT '{}'", t.replace('\'', "''"))),
            Just(" = (1 + 2)".to_string()),
        ]),
    );
    (
        hostile_text(),
        sql_name(),
        prop::collection::vec(parameter, 0..4),
    )
        .prop_map(|(header, name, parameters)| {
            let mut written = Vec::new();
            let mut dropped = Vec::new();
            for (mode, argument, type_name, default) in parameters {
                let words: Vec<String> = [mode.map(str::to_string), argument, Some(type_name)]
                    .into_iter()
                    .flatten()
                    .collect();
                let without_default = words.join(" ");
                written.push(format!("{without_default}{}", default.unwrap_or_default()));
                dropped.push(without_default.replace("(12,2)", "(12, 2)"));
            }
            Object {
                header,
                header_type: "FUNCTION",
                statement: format!(
                    "CREATE FUNCTION app.{name}({}) RETURNS integer\n    LANGUAGE sql\n    AS $$ SELECT 1; $$;",
                    written.join(", ")
                ),
                drop: format!("DROP FUNCTION IF EXISTS app.{name}({})", dropped.join(", ")),
            }
        })
}

fn table() -> impl Strategy<Value = Object> {
    (hostile_text(), sql_name()).prop_map(|(header, name)| Object {
        header,
        header_type: "TABLE",
        statement: format!("CREATE TABLE app.{name} (\n    id integer\n);"),
        drop: format!("DROP TABLE IF EXISTS app.{name}"),
    })
}

fn dump(objects: &[Object]) -> String {
    let mut text = String::from("SET statement_timeout = 0;\n\n");
    for object in objects {
        text.push_str(&format!(
            "--\n-- Name: {}; Type: {}; Schema: app; Owner: -\n--\n\n{}\n\n",
            object.header.replace(['\n', '\r'], " "),
            object.header_type,
            object.statement
        ));
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn every_drop_is_one_statement_dropping_an_object_of_the_dump(
        objects in prop::collection::vec(prop_oneof![function(), table()], 1..5)
    ) {
        let input = dump(&objects);
        let made = downgrade_of(input.as_bytes(), "alembic_version");
        prop_assert!(made.is_ok(), "{:?} for\n{}", made, input);
        let made = made.unwrap();
        let objects_drops: HashSet<&str> = objects.iter().map(|o| o.drop.as_str()).collect();
        for drop in &made.drops {
            let script = split(drop.as_bytes(), &SplitOptions::default());
            prop_assert_eq!(script.statements.len(), 1, "{:?}", drop);
            prop_assert_eq!(script.statements[0].kind, StatementKind::Sql);
            prop_assert!(
                tokenize(drop.as_bytes(), LexMode::default()).all(|t| t.kind != TokenKind::Semicolon),
                "{:?} holds a ;", drop
            );
            prop_assert!(!drop.contains('\0'));
            prop_assert!(objects_drops.contains(drop.as_str()), "{:?} drops nothing of\n{}", drop, input);
        }
        // Nothing is skipped in silence: an object is dropped, or named as
        // not dropped when its name holds a NUL, which no server allows.
        let refused = objects.iter().filter(|o| o.drop.contains('\0')).count();
        prop_assert_eq!(made.not_dropped.len(), refused, "{:?}", made.not_dropped);
        for object in objects.iter().filter(|o| !o.drop.contains('\0')) {
            prop_assert!(made.drops.contains(&object.drop), "{:?} not in {:?}", object.drop, made.drops);
        }
    }
}
