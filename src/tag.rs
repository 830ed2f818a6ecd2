//! Command tags: `CREATE TABLE`, `ALTER SEQUENCE`, `COPY`, `SELECT`...
//!
//! The tag is derived from a statement's leading keywords, the way the server
//! names the command it ran: modifiers that do not change the kind of command
//! (`OR REPLACE`, `UNIQUE`, `TEMP`, `UNLOGGED`, `CONSTRAINT`...) are skipped,
//! and multi-word object types (`MATERIALIZED VIEW`, `TEXT SEARCH
//! CONFIGURATION`, `FOREIGN DATA WRAPPER`) are kept whole. Unknown commands
//! fall back to their first word, so the tag is always meaningful and never
//! requires a full parser.
//!
//! Every statement gets a tag, so this runs once per statement of a dump:
//! known tags are static strings found by case-insensitive comparison, and only
//! a command nobody listed costs an allocation.

use std::borrow::Cow;

/// At most this many leading words are ever needed to name a command.
pub const MAX_WORDS: usize = 6;

/// The words between CREATE and the object type (`CREATE OR REPLACE`,
/// `CREATE UNLOGGED TABLE`, ...), which a tag leaves out; the one list, read
/// by [`crate::squash`] too.
pub(crate) const CREATE_MODIFIERS: &[&str] = &[
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
];

/// Object types, with the tags of CREATE, ALTER and DROP for each; the longest
/// phrase first where phrases share a prefix.
const OBJECTS: &[(&[&str], [&str; 3])] = &[
    (
        &["MATERIALIZED", "VIEW"],
        [
            "CREATE MATERIALIZED VIEW",
            "ALTER MATERIALIZED VIEW",
            "DROP MATERIALIZED VIEW",
        ],
    ),
    (
        &["FOREIGN", "DATA", "WRAPPER"],
        [
            "CREATE FOREIGN DATA WRAPPER",
            "ALTER FOREIGN DATA WRAPPER",
            "DROP FOREIGN DATA WRAPPER",
        ],
    ),
    (
        &["FOREIGN", "TABLE"],
        [
            "CREATE FOREIGN TABLE",
            "ALTER FOREIGN TABLE",
            "DROP FOREIGN TABLE",
        ],
    ),
    (
        &["TEXT", "SEARCH", "CONFIGURATION"],
        [
            "CREATE TEXT SEARCH CONFIGURATION",
            "ALTER TEXT SEARCH CONFIGURATION",
            "DROP TEXT SEARCH CONFIGURATION",
        ],
    ),
    (
        &["TEXT", "SEARCH", "DICTIONARY"],
        [
            "CREATE TEXT SEARCH DICTIONARY",
            "ALTER TEXT SEARCH DICTIONARY",
            "DROP TEXT SEARCH DICTIONARY",
        ],
    ),
    (
        &["TEXT", "SEARCH", "PARSER"],
        [
            "CREATE TEXT SEARCH PARSER",
            "ALTER TEXT SEARCH PARSER",
            "DROP TEXT SEARCH PARSER",
        ],
    ),
    (
        &["TEXT", "SEARCH", "TEMPLATE"],
        [
            "CREATE TEXT SEARCH TEMPLATE",
            "ALTER TEXT SEARCH TEMPLATE",
            "DROP TEXT SEARCH TEMPLATE",
        ],
    ),
    (
        &["OPERATOR", "CLASS"],
        [
            "CREATE OPERATOR CLASS",
            "ALTER OPERATOR CLASS",
            "DROP OPERATOR CLASS",
        ],
    ),
    (
        &["OPERATOR", "FAMILY"],
        [
            "CREATE OPERATOR FAMILY",
            "ALTER OPERATOR FAMILY",
            "DROP OPERATOR FAMILY",
        ],
    ),
    (
        &["EVENT", "TRIGGER"],
        [
            "CREATE EVENT TRIGGER",
            "ALTER EVENT TRIGGER",
            "DROP EVENT TRIGGER",
        ],
    ),
    (
        &["ACCESS", "METHOD"],
        [
            "CREATE ACCESS METHOD",
            "ALTER ACCESS METHOD",
            "DROP ACCESS METHOD",
        ],
    ),
    (
        &["USER", "MAPPING"],
        [
            "CREATE USER MAPPING",
            "ALTER USER MAPPING",
            "DROP USER MAPPING",
        ],
    ),
    (
        &["LARGE", "OBJECT"],
        [
            "CREATE LARGE OBJECT",
            "ALTER LARGE OBJECT",
            "DROP LARGE OBJECT",
        ],
    ),
    (&["TABLE"], ["CREATE TABLE", "ALTER TABLE", "DROP TABLE"]),
    (&["INDEX"], ["CREATE INDEX", "ALTER INDEX", "DROP INDEX"]),
    (
        &["SEQUENCE"],
        ["CREATE SEQUENCE", "ALTER SEQUENCE", "DROP SEQUENCE"],
    ),
    (&["VIEW"], ["CREATE VIEW", "ALTER VIEW", "DROP VIEW"]),
    (
        &["FUNCTION"],
        ["CREATE FUNCTION", "ALTER FUNCTION", "DROP FUNCTION"],
    ),
    (
        &["PROCEDURE"],
        ["CREATE PROCEDURE", "ALTER PROCEDURE", "DROP PROCEDURE"],
    ),
    (
        &["AGGREGATE"],
        ["CREATE AGGREGATE", "ALTER AGGREGATE", "DROP AGGREGATE"],
    ),
    (
        &["ROUTINE"],
        ["CREATE ROUTINE", "ALTER ROUTINE", "DROP ROUTINE"],
    ),
    (
        &["TRIGGER"],
        ["CREATE TRIGGER", "ALTER TRIGGER", "DROP TRIGGER"],
    ),
    (&["TYPE"], ["CREATE TYPE", "ALTER TYPE", "DROP TYPE"]),
    (
        &["DOMAIN"],
        ["CREATE DOMAIN", "ALTER DOMAIN", "DROP DOMAIN"],
    ),
    (
        &["SCHEMA"],
        ["CREATE SCHEMA", "ALTER SCHEMA", "DROP SCHEMA"],
    ),
    (
        &["EXTENSION"],
        ["CREATE EXTENSION", "ALTER EXTENSION", "DROP EXTENSION"],
    ),
    (&["RULE"], ["CREATE RULE", "ALTER RULE", "DROP RULE"]),
    (
        &["POLICY"],
        ["CREATE POLICY", "ALTER POLICY", "DROP POLICY"],
    ),
    (
        &["OPERATOR"],
        ["CREATE OPERATOR", "ALTER OPERATOR", "DROP OPERATOR"],
    ),
    (&["CAST"], ["CREATE CAST", "ALTER CAST", "DROP CAST"]),
    (
        &["COLLATION"],
        ["CREATE COLLATION", "ALTER COLLATION", "DROP COLLATION"],
    ),
    (
        &["CONVERSION"],
        ["CREATE CONVERSION", "ALTER CONVERSION", "DROP CONVERSION"],
    ),
    (
        &["LANGUAGE"],
        ["CREATE LANGUAGE", "ALTER LANGUAGE", "DROP LANGUAGE"],
    ),
    (
        &["TRANSFORM"],
        ["CREATE TRANSFORM", "ALTER TRANSFORM", "DROP TRANSFORM"],
    ),
    (
        &["STATISTICS"],
        ["CREATE STATISTICS", "ALTER STATISTICS", "DROP STATISTICS"],
    ),
    (
        &["PUBLICATION"],
        [
            "CREATE PUBLICATION",
            "ALTER PUBLICATION",
            "DROP PUBLICATION",
        ],
    ),
    (
        &["SUBSCRIPTION"],
        [
            "CREATE SUBSCRIPTION",
            "ALTER SUBSCRIPTION",
            "DROP SUBSCRIPTION",
        ],
    ),
    (
        &["SERVER"],
        ["CREATE SERVER", "ALTER SERVER", "DROP SERVER"],
    ),
    (
        &["DATABASE"],
        ["CREATE DATABASE", "ALTER DATABASE", "DROP DATABASE"],
    ),
    (&["ROLE"], ["CREATE ROLE", "ALTER ROLE", "DROP ROLE"]),
    (&["USER"], ["CREATE USER", "ALTER USER", "DROP USER"]),
    (&["GROUP"], ["CREATE GROUP", "ALTER GROUP", "DROP GROUP"]),
    (
        &["TABLESPACE"],
        ["CREATE TABLESPACE", "ALTER TABLESPACE", "DROP TABLESPACE"],
    ),
    (&["OWNED"], ["CREATE OWNED", "ALTER OWNED", "DROP OWNED"]),
    (
        &["SYSTEM"],
        ["CREATE SYSTEM", "ALTER SYSTEM", "DROP SYSTEM"],
    ),
];

/// Commands named by their first word (or first two), each once:
/// [`command_word`] is made from them.
macro_rules! command_words {
    ($($first:literal $second:literal,)* ; $($word:literal,)*) => {
        /// The command `upper` (upper-cased words) starts, as a static
        /// string: one `match`, which the compiler makes a search by length
        /// and bytes (a loop over a table of them cost more than the rest of
        /// splitting a statement whose word is none of them).
        fn command_word(upper: &[Word]) -> Option<&'static str> {
            let second_is = |keyword: &str| upper.get(1).is_some_and(|w| w.is(keyword));
            Some(match std::str::from_utf8(upper[0].as_bytes()).ok()? {
                $($first if second_is($second) => concat!($first, " ", $second),)*
                $($word => $word,)*
                _ => return None,
            })
        }
    };
}

command_words! {
    "START" "TRANSACTION",
    "SECURITY" "LABEL",
    "IMPORT" "FOREIGN",
    ;
    "SELECT",
    "SET",
    "RESET",
    "INSERT",
    "UPDATE",
    "DELETE",
    "MERGE",
    "COPY",
    "GRANT",
    "REVOKE",
    "DO",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "END",
    "ABORT",
    "SAVEPOINT",
    "RELEASE",
    "TRUNCATE",
    "VACUUM",
    "ANALYZE",
    "CLUSTER",
    "REINDEX",
    "EXPLAIN",
    "WITH",
    "VALUES",
    "TABLE",
    "CALL",
    "LOCK",
    "NOTIFY",
    "LISTEN",
    "PREPARE",
    "EXECUTE",
    "DEALLOCATE",
    "SHOW",
    "CHECKPOINT",
    "DISCARD",
    "LOAD",
    "FETCH",
    "MOVE",
    "CLOSE",
    "DECLARE",
}

/// The tag of a one-letter word (`x;`), upper-cased, as a static string:
/// no allocation for each statement of a script of them.
fn one_letter(byte: u8) -> Option<&'static str> {
    const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ_";
    let upper = byte.to_ascii_uppercase();
    let at = LETTERS.bytes().position(|b| b == upper)?;
    Some(&LETTERS[at..=at])
}

/// A leading word, upper-cased into a buffer on the stack. Longer words
/// than any keyword are kept truncated and marked so they match nothing.
#[derive(Clone, Copy)]
struct Word {
    bytes: [u8; 16],
    len: u8,
}

impl Word {
    fn new(word: &[u8]) -> Self {
        let mut bytes = [0u8; 16];
        let len = word.len().min(bytes.len());
        for (to, from) in bytes.iter_mut().zip(word) {
            *to = from.to_ascii_uppercase();
        }
        let len = if word.len() > bytes.len() {
            0
        } else {
            len as u8
        };
        Word { bytes, len }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    fn is(&self, keyword: &str) -> bool {
        self.as_bytes() == keyword.as_bytes()
    }
}

fn starts_with(words: &[Word], phrase: &[&str]) -> bool {
    words.len() >= phrase.len() && words.iter().zip(phrase).all(|(w, k)| w.is(k))
}

/// Names the command from its leading identifier words.
pub fn command_tag(words: &[&[u8]]) -> Cow<'static, str> {
    let Some(first) = words.first() else {
        return Cow::Borrowed("");
    };
    if let Some(tag) = common_tag(words) {
        return Cow::Borrowed(tag);
    }
    // No command is one letter: a script of `x;` lines is not looked up.
    if let [byte] = first {
        if let Some(tag) = one_letter(*byte) {
            return Cow::Borrowed(tag);
        }
    }
    general_tag(first, words)
}

/// [`command_tag`] for any words, through upper-case copies of them.
fn general_tag(first: &[u8], words: &[&[u8]]) -> Cow<'static, str> {
    let mut upper = [Word::new(b""); MAX_WORDS];
    let count = words.len().min(MAX_WORDS);
    for (to, from) in upper.iter_mut().zip(words) {
        *to = Word::new(from);
    }
    let upper = &upper[..count];
    for (i, verb) in ["CREATE", "ALTER", "DROP"].into_iter().enumerate() {
        if upper[0].is(verb) {
            return object_command(i, verb, &upper[1..], &words[1..]);
        }
    }
    if upper[0].is("COMMENT") {
        return Cow::Borrowed("COMMENT");
    }
    if upper[0].is("REFRESH") {
        return Cow::Borrowed("REFRESH MATERIALIZED VIEW");
    }
    if let Some(tag) = command_word(upper) {
        return Cow::Borrowed(tag);
    }
    Cow::Owned(String::from_utf8_lossy(first).to_ascii_uppercase())
}

/// The tags of most statements in a dump, found without building upper-case
/// copies of the words (the general path gives the same tags).
fn common_tag(words: &[&[u8]]) -> Option<&'static str> {
    let is = |i: usize, keyword: &[u8]| {
        words
            .get(i)
            .is_some_and(|w| w.eq_ignore_ascii_case(keyword))
    };
    let verb = [&b"CREATE"[..], b"ALTER", b"DROP"]
        .iter()
        .position(|verb| is(0, verb));
    if let Some(verb) = verb {
        // Object types that are one word and no modifier's or longer
        // type's first word.
        for (object, tags) in PLAIN_OBJECTS {
            if is(1, object) {
                return Some(tags[verb]);
            }
        }
        return None;
    }
    // The commands of data sections and seed files, one word each; none
    // begins a two-word command.
    COMMON_WORDS
        .iter()
        .copied()
        .find(|word| is(0, word.as_bytes()))
}

/// One-word commands common enough to be looked for first.
const COMMON_WORDS: [&str; 6] = ["INSERT", "SET", "SELECT", "COPY", "UPDATE", "DELETE"];

const PLAIN_OBJECTS: &[(&[u8], [&str; 3])] = &[
    (b"TABLE", ["CREATE TABLE", "ALTER TABLE", "DROP TABLE"]),
    (b"INDEX", ["CREATE INDEX", "ALTER INDEX", "DROP INDEX"]),
    (
        b"SEQUENCE",
        ["CREATE SEQUENCE", "ALTER SEQUENCE", "DROP SEQUENCE"],
    ),
    (
        b"FUNCTION",
        ["CREATE FUNCTION", "ALTER FUNCTION", "DROP FUNCTION"],
    ),
    (b"TYPE", ["CREATE TYPE", "ALTER TYPE", "DROP TYPE"]),
    (b"VIEW", ["CREATE VIEW", "ALTER VIEW", "DROP VIEW"]),
    (
        b"TRIGGER",
        ["CREATE TRIGGER", "ALTER TRIGGER", "DROP TRIGGER"],
    ),
    (b"DOMAIN", ["CREATE DOMAIN", "ALTER DOMAIN", "DROP DOMAIN"]),
    (b"SCHEMA", ["CREATE SCHEMA", "ALTER SCHEMA", "DROP SCHEMA"]),
    (
        b"PROCEDURE",
        ["CREATE PROCEDURE", "ALTER PROCEDURE", "DROP PROCEDURE"],
    ),
];

/// `verb_index` is 0, 1, 2 for CREATE, ALTER, DROP.
fn object_command(
    verb_index: usize,
    verb: &'static str,
    rest: &[Word],
    original: &[&[u8]],
) -> Cow<'static, str> {
    // `ALTER DEFAULT PRIVILEGES` is a command of its own, not a modifier.
    if starts_with(rest, &["DEFAULT", "PRIVILEGES"]) {
        return Cow::Borrowed(
            [
                "CREATE DEFAULT PRIVILEGES",
                "ALTER DEFAULT PRIVILEGES",
                "DROP DEFAULT PRIVILEGES",
            ][verb_index],
        );
    }
    let skipped = rest
        .iter()
        .take_while(|w| CREATE_MODIFIERS.iter().any(|m| w.is(m)))
        .count();
    let rest = &rest[skipped..];
    for (phrase, tags) in OBJECTS {
        if starts_with(rest, phrase) {
            return Cow::Borrowed(tags[verb_index]);
        }
    }
    match original.get(skipped) {
        Some(object) => Cow::Owned(format!(
            "{verb} {}",
            String::from_utf8_lossy(object).to_ascii_uppercase()
        )),
        None => Cow::Borrowed(verb),
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
            ("CREATE WIDGET x", "CREATE WIDGET"),
            (
                "create unique extraordinarilylongobjectname",
                "CREATE EXTRAORDINARILYLONGOBJECTNAME",
            ),
            ("frobnicate now", "FROBNICATE"),
            ("", ""),
        ];
        for (sql, expected) in cases {
            assert_eq!(tag(sql), expected, "{sql}");
        }
    }

    #[test]
    fn common_tags_are_the_general_tags() {
        let verbs: [&[u8]; 3] = [b"create", b"ALTER", b"Drop"];
        for verb in verbs {
            for (object, _) in PLAIN_OBJECTS {
                let words = [verb, object, b"only"];
                let common = common_tag(&words).expect("a plain object");
                assert_eq!(common, general_tag(verb, &words), "{words:?}");
            }
        }
        for word in COMMON_WORDS {
            let lower = word.to_ascii_lowercase();
            for words in [&[word.as_bytes(), b"into"][..], &[lower.as_bytes()]] {
                assert_eq!(common_tag(words), Some(word), "{words:?}");
                assert_eq!(general_tag(words[0], words), word, "{words:?}");
            }
        }
    }

    #[test]
    fn known_commands_do_not_allocate() {
        let words: Vec<&[u8]> = vec![b"create", b"unique", b"index"];
        assert!(matches!(command_tag(&words), Cow::Borrowed("CREATE INDEX")));
        let words: Vec<&[u8]> = vec![b"alter", b"table", b"only"];
        assert!(matches!(command_tag(&words), Cow::Borrowed("ALTER TABLE")));
        for (word, tag) in [(&b"x"[..], "X"), (b"Q", "Q"), (b"_", "_")] {
            assert!(matches!(command_tag(&[word]), Cow::Borrowed(t) if t == tag));
        }
        assert_eq!(command_tag(&[b"xy"]), "XY");
    }
}
