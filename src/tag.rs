//! Command tags: `CREATE TABLE`, `ALTER SEQUENCE`, `COPY`, `SELECT`...
//!
//! The tag is derived from a statement's leading keywords, the way the server
//! names the command it ran: modifiers that do not change the kind of command
//! (`OR REPLACE`, `UNIQUE`, `TEMP`, `UNLOGGED`, `CONSTRAINT`...) are skipped,
//! and multi-word object types (`MATERIALIZED VIEW`, `TEXT SEARCH
//! CONFIGURATION`, `FOREIGN DATA WRAPPER`) are kept whole. Unknown commands
//! fall back to their first word, so the tag is always meaningful and never
//! requires a full parser.

use std::borrow::Cow;

/// At most this many leading words are ever needed to name a command.
pub const MAX_WORDS: usize = 6;

const MODIFIERS: &[&str] = &[
    "OR",
    "REPLACE",
    "TEMP",
    "TEMPORARY",
    "UNLOGGED",
    "GLOBAL",
    "LOCAL",
    "UNIQUE",
    "TRUSTED",
    "PROCEDURAL",
    "DEFAULT",
    "CONSTRAINT",
    "RECURSIVE",
    "IF",
];

/// Object types of more than one word, longest first where they share a prefix.
const MULTI_WORD: &[&[&str]] = &[
    &["MATERIALIZED", "VIEW"],
    &["FOREIGN", "DATA", "WRAPPER"],
    &["FOREIGN", "TABLE"],
    &["TEXT", "SEARCH", "CONFIGURATION"],
    &["TEXT", "SEARCH", "DICTIONARY"],
    &["TEXT", "SEARCH", "PARSER"],
    &["TEXT", "SEARCH", "TEMPLATE"],
    &["OPERATOR", "CLASS"],
    &["OPERATOR", "FAMILY"],
    &["EVENT", "TRIGGER"],
    &["ACCESS", "METHOD"],
    &["USER", "MAPPING"],
    &["DEFAULT", "PRIVILEGES"],
    &["LARGE", "OBJECT"],
];

/// Commands whose tag is their first two words.
const TWO_WORD_COMMANDS: &[&[&str]] = &[
    &["START", "TRANSACTION"],
    &["SECURITY", "LABEL"],
    &["IMPORT", "FOREIGN"],
];

/// Names the command from its leading identifier words (upper-cased).
pub fn command_tag(words: &[&[u8]]) -> Cow<'static, str> {
    let upper: Vec<String> = words
        .iter()
        .map(|w| String::from_utf8_lossy(w).to_ascii_uppercase())
        .collect();
    let words: Vec<&str> = upper.iter().map(String::as_str).collect();
    let Some(&first) = words.first() else {
        return Cow::Borrowed("");
    };
    match first {
        "CREATE" | "ALTER" | "DROP" => object_command(first, &words[1..]),
        "COMMENT" => Cow::Borrowed("COMMENT"),
        "REFRESH" => Cow::Borrowed("REFRESH MATERIALIZED VIEW"),
        _ => {
            for pair in TWO_WORD_COMMANDS {
                if words.starts_with(pair) {
                    return Cow::Owned(pair.join(" "));
                }
            }
            Cow::Owned(first.to_string())
        }
    }
}

fn object_command(verb: &str, rest: &[&str]) -> Cow<'static, str> {
    // `ALTER DEFAULT PRIVILEGES` is a command of its own, not a modifier.
    if rest.starts_with(&["DEFAULT", "PRIVILEGES"]) {
        return Cow::Owned(format!("{verb} DEFAULT PRIVILEGES"));
    }
    let mut rest = rest;
    while let Some((word, tail)) = rest.split_first() {
        if !MODIFIERS.contains(word) {
            break;
        }
        rest = tail;
    }
    for phrase in MULTI_WORD {
        if rest.starts_with(phrase) {
            return Cow::Owned(format!("{verb} {}", phrase.join(" ")));
        }
    }
    match rest.first() {
        Some(object) => Cow::Owned(format!("{verb} {object}")),
        None => Cow::Owned(verb.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(sql: &str) -> String {
        let words: Vec<&[u8]> = sql.split_whitespace().map(str::as_bytes).collect();
        command_tag(&words).into_owned()
    }

    #[test]
    fn tags() {
        let cases = [
            ("create table", "CREATE TABLE"),
            ("CREATE OR REPLACE FUNCTION", "CREATE FUNCTION"),
            ("CREATE UNIQUE INDEX", "CREATE INDEX"),
            ("CREATE CONSTRAINT TRIGGER", "CREATE TRIGGER"),
            ("CREATE MATERIALIZED VIEW", "CREATE MATERIALIZED VIEW"),
            (
                "CREATE TEXT SEARCH CONFIGURATION",
                "CREATE TEXT SEARCH CONFIGURATION",
            ),
            ("CREATE FOREIGN DATA WRAPPER", "CREATE FOREIGN DATA WRAPPER"),
            ("CREATE TEMP TABLE", "CREATE TABLE"),
            ("ALTER DEFAULT PRIVILEGES", "ALTER DEFAULT PRIVILEGES"),
            ("DROP TABLE IF EXISTS", "DROP TABLE"),
            ("ALTER TABLE ONLY", "ALTER TABLE"),
            ("COMMENT ON COLUMN", "COMMENT"),
            ("select pg_catalog.set_config", "SELECT"),
            ("START TRANSACTION", "START TRANSACTION"),
            ("REFRESH MATERIALIZED VIEW", "REFRESH MATERIALIZED VIEW"),
            ("copy", "COPY"),
            ("", ""),
        ];
        for (sql, expected) in cases {
            assert_eq!(tag(sql), expected, "{sql}");
        }
    }
}
