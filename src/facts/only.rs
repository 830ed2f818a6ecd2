//! Statements that do one thing and nothing else: an `ALTER ... OWNER TO`
//! that changes only the owner, a `SELECT` that only calls one function with
//! literal arguments (pg_dump's `set_config` and `setval` lines).
//!
//! `normalize --ignore` leaves such a statement out, so each is recognised by
//! its whole shape, token by token, and nothing can ride along: a second
//! subcommand after a comma, a call nested in an argument, a second
//! statement in a string that is not a string, a psql meta-command inside it.

use super::significant_tokens;
use crate::lexer::TokenKind;

/// The object kinds `ALTER <kind> <name> OWNER TO <role>` takes, longest
/// first where one begins another.
const OWNED_KINDS: &[&str] = &[
    "FOREIGN DATA WRAPPER",
    "TEXT SEARCH CONFIGURATION",
    "TEXT SEARCH DICTIONARY",
    "PROCEDURAL LANGUAGE",
    "MATERIALIZED VIEW",
    "OPERATOR CLASS",
    "OPERATOR FAMILY",
    "FOREIGN TABLE",
    "EVENT TRIGGER",
    "LARGE OBJECT",
    "AGGREGATE",
    "COLLATION",
    "CONVERSION",
    "DATABASE",
    "DOMAIN",
    "FUNCTION",
    "LANGUAGE",
    "OPERATOR",
    "PROCEDURE",
    "PUBLICATION",
    "ROUTINE",
    "SCHEMA",
    "SEQUENCE",
    "SERVER",
    "STATISTICS",
    "SUBSCRIPTION",
    "TABLE",
    "TABLESPACE",
    "TYPE",
    "VIEW",
];

type Significant<'t> = (TokenKind, &'t [u8]);

fn is_word((kind, text): &Significant, word: &str) -> bool {
    *kind == TokenKind::Ident && text.eq_ignore_ascii_case(word.as_bytes())
}

/// The significant tokens of `text` without its final `;`, or None when a
/// `;` comes anywhere else.
fn statement_tokens(text: &[u8]) -> Option<Vec<Significant<'_>>> {
    let mut tokens: Vec<Significant> = significant_tokens(text).collect();
    if tokens
        .last()
        .is_some_and(|(kind, _)| *kind == TokenKind::Semicolon)
    {
        tokens.pop();
    }
    let clean = tokens
        .iter()
        .all(|(kind, _)| !matches!(kind, TokenKind::Semicolon | TokenKind::Backslash));
    clean.then_some(tokens)
}

/// `ALTER <kind> [IF EXISTS] [ONLY] <name> [(<arguments>)] [USING <method>]
/// OWNER TO <role>` and nothing else.
pub(crate) fn only_changes_owner(text: &[u8]) -> bool {
    let Some(tokens) = statement_tokens(text) else {
        return false;
    };
    let [rest @ .., owner, to, (role_kind, _)] = &tokens[..] else {
        return false;
    };
    let role = matches!(role_kind, TokenKind::Ident | TokenKind::QuotedIdent);
    if !(role && is_word(owner, "OWNER") && is_word(to, "TO")) {
        return false;
    }
    let [alter, rest @ ..] = rest else {
        return false;
    };
    if !is_word(alter, "ALTER") {
        return false;
    }
    let Some(mut rest) = OWNED_KINDS.iter().find_map(|kind| after_words(rest, kind)) else {
        return false;
    };
    for optional in ["IF EXISTS", "ONLY"] {
        rest = after_words(rest, optional).unwrap_or(rest);
    }
    // An operator class's access method, then a routine's arguments.
    if let [name @ .., using, (TokenKind::Ident, _)] = rest {
        if is_word(using, "USING") {
            rest = name;
        }
    }
    if let [name @ .., (TokenKind::CloseParen, _)] = rest {
        let Some(open) = name
            .iter()
            .position(|(kind, _)| *kind == TokenKind::OpenParen)
        else {
            return false;
        };
        let arguments = &rest[open..];
        let plain = arguments.iter().all(|(kind, _)| {
            !matches!(
                kind,
                TokenKind::String | TokenKind::DollarQuoted | TokenKind::Variable
            )
        });
        if !plain || !balanced(arguments) {
            return false;
        }
        rest = &rest[..open];
    }
    is_qualified_name(rest)
}

/// What follows the words of `phrase` at the start of `tokens`.
fn after_words<'a, 't>(
    tokens: &'a [Significant<'t>],
    phrase: &str,
) -> Option<&'a [Significant<'t>]> {
    let mut rest = tokens;
    for word in phrase.split(' ') {
        let (first, tail) = rest.split_first()?;
        if !is_word(first, word) {
            return None;
        }
        rest = tail;
    }
    Some(rest)
}

/// Whether `tokens` open one parenthesis and close it at their end only.
fn balanced(tokens: &[Significant]) -> bool {
    let mut depth = 0usize;
    for (i, (kind, _)) in tokens.iter().enumerate() {
        match kind {
            TokenKind::OpenParen => depth += 1,
            TokenKind::CloseParen => {
                depth -= 1;
                if depth == 0 && i + 1 != tokens.len() {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// `name`, `schema.name`, an operator `public.===` or a large object's number.
fn is_qualified_name(tokens: &[Significant]) -> bool {
    !tokens.is_empty()
        && tokens.iter().enumerate().all(|(i, (kind, _))| {
            if i % 2 == 1 {
                *kind == TokenKind::Dot
            } else {
                matches!(
                    kind,
                    TokenKind::Ident
                        | TokenKind::QuotedIdent
                        | TokenKind::Operator
                        | TokenKind::Number
                )
            }
        })
        && tokens.len() % 2 == 1
}

/// `SELECT [pg_catalog.]function(<literal>, ...)` and nothing else, its
/// arguments strings, numbers (signed), `true` and `false`: pg_dump's
/// `set_config` and `setval` lines, which nothing can ride along with.
pub(crate) fn only_calls(text: &[u8], function: &[u8]) -> bool {
    let Some(tokens) = statement_tokens(text) else {
        return false;
    };
    let [select, rest @ ..] = &tokens[..] else {
        return false;
    };
    if !is_word(select, "SELECT") {
        return false;
    }
    let rest = match rest {
        [(TokenKind::Ident, schema), (TokenKind::Dot, _), rest @ ..]
            if schema.eq_ignore_ascii_case(b"pg_catalog") =>
        {
            rest
        }
        _ => rest,
    };
    let [(TokenKind::Ident, name), (TokenKind::OpenParen, _), arguments @ .., (TokenKind::CloseParen, _)] =
        rest
    else {
        return false;
    };
    name.eq_ignore_ascii_case(function)
        && arguments.iter().all(|(kind, text)| match kind {
            TokenKind::String | TokenKind::Number => true,
            TokenKind::Other => *text == b",",
            TokenKind::Operator => *text == b"-",
            TokenKind::Ident => {
                text.eq_ignore_ascii_case(b"true") || text.eq_ignore_ascii_case(b"false")
            }
            _ => false,
        })
}
