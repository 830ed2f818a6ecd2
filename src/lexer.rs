//! The lexer: bytes in, `(kind, len)` tokens out.
//!
//! This module knows PostgreSQL's lexical structure the way psql's scanner
//! (`src/fe_utils/psqlscan.l`) knows it, and nothing more: it has no idea where
//! a statement ends, what a COPY block is or which setting is in force. It is a
//! pure function of its input plus one flag, `standard_strings`, the value of
//! `standard_conforming_strings` that decides whether a backslash escapes the
//! next byte inside a plain `'...'` literal. Everything that spans tokens
//! (parenthesis depth, BEGIN ATOMIC bodies, COPY data, meta-command lines, the
//! setting itself) lives in [`crate::split`](mod@crate::split).
//!
//! Design notes:
//! - Only ASCII bytes are significant. Bytes `0x80..=0xFF` are identifier
//!   characters, as in psql, so every server-safe encoding (UTF-8, LATIN1,
//!   WIN1252, EUC_*) lexes the same and invalid UTF-8 cannot trip anything.
//! - Every byte of input belongs to exactly one token; there is no error token.
//!   An unterminated string, identifier, dollar quote or comment is a token that
//!   runs to the end of the input as an `Unterminated*` kind, and bytes that
//!   start nothing are [`TokenKind::Other`].
//! - Quoted tokens may span lines. psql scans one line at a time but carries
//!   the quote state over, which gives the same boundaries; the one place where
//!   line-at-a-time scanning shows is that two literals separated by a newline
//!   are never joined, and this lexer never joins literals.
//! - A dollar quote ends at the first byte-identical closing delimiter. psql's
//!   rule ("a non-matching `$x$` gives back its last `$`") finds exactly that
//!   occurrence, so a substring search (memchr's memmem) is both correct and fast.
//! - Logos compiles the dispatch on the first byte and the simple runs
//!   (whitespace, identifiers, `--` comments) into one state machine; the
//!   constructs that need counting or look-back are small callbacks.
//! - Faster answers to the same questions, for the splitter's fast lanes,
//!   are in `lexer::scan` (crate-private), each held equal to this lexer by a property test.

pub(crate) mod scan;

use logos::{Lexer, Logos};

/// A byte range in the input: how every layer above the lexer points into
/// it (statements, meta-command arguments, pg_dump headers).
pub type Span = std::ops::Range<usize>;

/// A token: what it is and how many bytes it spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub len: usize,
}

/// Lexer settings that change how bytes are read. The splitter owns them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LexMode {
    /// `standard_conforming_strings`: when false, a backslash escapes the next
    /// byte inside plain `'...'` literals (and `N'...'`), as in `E'...'`.
    pub standard_strings: bool,
}

impl Default for LexMode {
    fn default() -> Self {
        LexMode {
            standard_strings: true,
        }
    }
}

/// Every kind of token psql's scanner distinguishes, as far as splitting,
/// normalizing and locating errors need.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[logos(source = [u8], extras = LexMode)]
pub enum TokenKind {
    /// Space, tab, `\n`, `\r`, form feed and vertical tab (psql 17+).
    #[regex(r"[ \t\n\r\x0b\x0c]+")]
    Whitespace,

    /// `-- ...` up to, not including, the next `\n` or `\r`.
    #[regex(r"--[^\n\r]*")]
    LineComment,

    /// `/* ... */`, nesting: inside one, `/*` opens a level and `*/` closes one.
    #[token("/*", block_comment)]
    BlockComment,

    /// [`TokenKind::BlockComment`] that reached the end of the input unclosed.
    UnterminatedBlockComment,

    /// A string literal: `'...'`, `E'...'`, `U&'...'`, `B'...'` or `X'...'`.
    /// (`N'...'` lexes as the identifier `N` and a plain literal, as in psql.)
    #[token("'", plain_string)]
    #[regex("[eE]'", escape_string)]
    #[regex("[uU]&'", unicode_string)]
    #[regex("[bBxX]'", bit_string)]
    String,

    /// [`TokenKind::String`] that reached the end of the input unclosed.
    UnterminatedString,

    /// `"..."` or `U&"..."`: a quoted identifier; only `""` is special.
    #[token("\"", quoted_ident)]
    #[regex("[uU]&\"", quoted_ident)]
    QuotedIdent,

    /// [`TokenKind::QuotedIdent`] that reached the end of the input unclosed.
    UnterminatedQuotedIdent,

    /// `$tag$ ... $tag$`, the tag empty or identifier-like without `$`.
    /// Produced by the `$` callback, which also yields [`TokenKind::Param`].
    #[token("$", dollar)]
    DollarQuoted,

    /// [`TokenKind::DollarQuoted`] that reached the end of the input unclosed.
    UnterminatedDollarQuoted,

    /// `$1`, `$12`: a positional parameter (never a quote opener).
    Param,

    /// An unquoted identifier or keyword. It may contain `$` after its first
    /// character, so `x$y$` and `AS$$` are single identifiers.
    #[regex(br"[A-Za-z_\x80-\xFF][A-Za-z0-9_$\x80-\xFF]*")]
    Ident,

    /// A numeric literal, including PostgreSQL 15+'s trailing-junk forms
    /// (`123abc` is one token, never an identifier).
    #[regex(r"[0-9]", number)]
    #[regex(r"\.[0-9]", number)]
    Number,

    /// A run of operator characters. It stops before `--` and `/*`, which
    /// start comments even in the middle of an operator (`1 +-- x`).
    #[regex(r"[~!@#^&|`?+\-*/%<>=]", operator)]
    Operator,

    /// A psql variable reference: `:name`, `:'name'` or `:"name"`. Produced by
    /// the `:` callback, which also yields `::`, `:=` and a lone `:` as
    /// [`TokenKind::Other`].
    #[token(":", colon)]
    Variable,

    #[token("(")]
    OpenParen,

    #[token(")")]
    CloseParen,

    #[token(";")]
    Semicolon,

    /// `.` (a qualified name's separator; `..` is two of these).
    #[token(".")]
    Dot,

    /// A backslash outside quotes: a psql meta-command, `\;` or `\:` follows.
    #[token("\\")]
    Backslash,

    /// Any other byte (`,`, `[`, `]`, `{`, `}`, control bytes, NUL), and the
    /// multi-byte punctuation `..`, `::` and `:=`.
    #[token("..")]
    Other,
}

/// The bytes of [`TokenKind::Whitespace`].
#[inline]
pub fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

/// How many whitespace bytes `input` starts with.
#[inline]
pub fn whitespace_len(input: &[u8]) -> usize {
    input
        .iter()
        .position(|&b| !is_whitespace(b))
        .unwrap_or(input.len())
}

/// Where the line ends (the first `\n` or `\r`), which is where a `--`
/// comment ends; `None` if it runs to the end of `input`.
#[inline]
pub fn line_end(input: &[u8]) -> Option<usize> {
    memchr::memchr2(b'\n', b'\r', input)
}

/// Lexes the first token of `input`. Returns `None` only for empty input.
#[inline]
pub fn first_token(input: &[u8], mode: LexMode) -> Option<Token> {
    // The commonest tokens of a dump, whitespace and pg_dump's three comment
    // lines per object, are found here without building a logos lexer (the
    // same tokens as the rules above).
    if input.first().is_some_and(|&b| is_whitespace(b)) {
        return Some(Token {
            kind: TokenKind::Whitespace,
            len: whitespace_len(input),
        });
    }
    if input.starts_with(b"--") {
        let len = line_end(input).unwrap_or(input.len());
        return Some(Token {
            kind: TokenKind::LineComment,
            len,
        });
    }
    let mut lexer = TokenKind::lexer_with_extras(input, mode);
    let kind = lexer.next()?;
    let len = lexer.span().end;
    // Logos reports bytes it cannot start a token with as an error; psql
    // echoes them as `{other}`, one byte at a time.
    Some(Token {
        kind: kind.unwrap_or(TokenKind::Other),
        len: len.max(1),
    })
}

/// Iterates over the tokens of `input` with a fixed mode.
pub fn tokenize(input: &[u8], mode: LexMode) -> impl Iterator<Item = Token> + '_ {
    let mut rest = input;
    std::iter::from_fn(move || {
        let token = first_token(rest, mode)?;
        rest = &rest[token.len..];
        Some(token)
    })
}

impl TokenKind {
    /// Whitespace and comments: tokens that never change what a statement means.
    #[inline]
    pub fn is_trivia(self) -> bool {
        matches!(
            self,
            TokenKind::Whitespace
                | TokenKind::LineComment
                | TokenKind::BlockComment
                | TokenKind::UnterminatedBlockComment
        )
    }

    /// A string, quoted identifier, dollar quote or comment that reached the
    /// end of the input before its closing delimiter.
    #[inline]
    pub fn is_unterminated(self) -> bool {
        matches!(
            self,
            TokenKind::UnterminatedBlockComment
                | TokenKind::UnterminatedString
                | TokenKind::UnterminatedQuotedIdent
                | TokenKind::UnterminatedDollarQuoted
        )
    }
}

/// A byte that can start an identifier (every byte from 0x80 up can).
pub fn is_ident_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80
}

/// A byte that can continue an identifier or a number's glued identifier.
#[inline]
pub fn is_ident_continue(byte: u8) -> bool {
    IDENT_CONTINUE[usize::from(byte)]
}

/// [`is_ident_continue`] as a table: identifiers are most of a dump's
/// words, and one load per byte beats four comparisons.
static IDENT_CONTINUE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80;
        byte += 1;
    }
    table
};

fn is_operator_char(byte: u8) -> bool {
    b"~!@#^&|`?+-*/%<>=".contains(&byte)
}

/// Moves the lexer `n` bytes on and picks the closed or unclosed kind.
fn finish(
    lex: &mut Lexer<'_, TokenKind>,
    n: usize,
    terminated: bool,
    closed: TokenKind,
    unclosed: TokenKind,
) -> TokenKind {
    lex.bump(n);
    if terminated {
        closed
    } else {
        unclosed
    }
}

fn block_comment(lex: &mut Lexer<'_, TokenKind>) -> TokenKind {
    let rest = lex.remainder();
    let mut depth = 1usize;
    let mut i = 0;
    while let Some(offset) = memchr::memchr2(b'*', b'/', &rest[i..]) {
        i += offset;
        match (rest[i], rest.get(i + 1)) {
            (b'*', Some(b'/')) => {
                i += 2;
                depth -= 1;
                if depth == 0 {
                    return finish(
                        lex,
                        i,
                        true,
                        TokenKind::BlockComment,
                        TokenKind::UnterminatedBlockComment,
                    );
                }
            }
            (b'/', Some(b'*')) => {
                i += 2;
                depth += 1;
            }
            _ => i += 1,
        }
    }
    finish(
        lex,
        rest.len(),
        false,
        TokenKind::BlockComment,
        TokenKind::UnterminatedBlockComment,
    )
}

/// Scans a quoted body after its opening quote. `backslash_escapes` makes `\`
/// swallow the next byte; `''` always stands for one quote.
fn quoted_body(rest: &[u8], quote: u8, backslash_escapes: bool) -> (usize, bool) {
    let mut i = 0;
    loop {
        let found = if backslash_escapes {
            memchr::memchr2(quote, b'\\', &rest[i..])
        } else {
            memchr::memchr(quote, &rest[i..])
        };
        let Some(offset) = found else {
            return (rest.len(), false);
        };
        i += offset;
        if rest[i] == b'\\' {
            i += 2;
            if i >= rest.len() {
                return (rest.len(), false);
            }
        } else if rest.get(i + 1) == Some(&quote) {
            i += 2;
        } else {
            return (i + 1, true);
        }
    }
}

fn string(lex: &mut Lexer<'_, TokenKind>, len: usize, terminated: bool) -> TokenKind {
    finish(
        lex,
        len,
        terminated,
        TokenKind::String,
        TokenKind::UnterminatedString,
    )
}

fn plain_string(lex: &mut Lexer<'_, TokenKind>) -> TokenKind {
    let escapes = !lex.extras.standard_strings;
    let (len, terminated) = quoted_body(lex.remainder(), b'\'', escapes);
    string(lex, len, terminated)
}

fn escape_string(lex: &mut Lexer<'_, TokenKind>) -> TokenKind {
    let (len, terminated) = quoted_body(lex.remainder(), b'\'', true);
    string(lex, len, terminated)
}

fn unicode_string(lex: &mut Lexer<'_, TokenKind>) -> TokenKind {
    let (len, terminated) = quoted_body(lex.remainder(), b'\'', false);
    string(lex, len, terminated)
}

/// `B'...'` and `X'...'` end at the first quote: psql has no `''` rule inside
/// them, so `B'1''0'` is two literals (which matters only when a following
/// plain literal is read with backslash escapes).
fn bit_string(lex: &mut Lexer<'_, TokenKind>) -> TokenKind {
    let rest = lex.remainder();
    let (len, terminated) = match memchr::memchr(b'\'', rest) {
        Some(i) => (i + 1, true),
        None => (rest.len(), false),
    };
    string(lex, len, terminated)
}

fn quoted_ident(lex: &mut Lexer<'_, TokenKind>) -> TokenKind {
    let (len, terminated) = quoted_body(lex.remainder(), b'"', false);
    finish(
        lex,
        len,
        terminated,
        TokenKind::QuotedIdent,
        TokenKind::UnterminatedQuotedIdent,
    )
}

/// After a `$`: `$1` is a parameter, `$tag$` opens a dollar quote, and
/// anything else leaves the `$` alone (psql's `dolqfailed` rule).
fn dollar(lex: &mut Lexer<'_, TokenKind>) -> TokenKind {
    let rest = lex.remainder();
    if rest.first().is_some_and(u8::is_ascii_digit) {
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let junk = glued_identifier(&rest[digits..]);
        lex.bump(digits + junk);
        return TokenKind::Param;
    }
    let tag_len = match rest.first() {
        Some(&b) if is_ident_start(b) => rest
            .iter()
            .take_while(|&&b| is_ident_continue(b) && b != b'$')
            .count(),
        _ => 0,
    };
    if rest.get(tag_len) != Some(&b'$') {
        return TokenKind::Other;
    }
    // The delimiter is `$` + tag + `$`; the body follows it.
    let delimiter_len = tag_len + 2;
    let start = lex.span().start;
    let delimiter = &lex.source()[start..start + delimiter_len];
    let body = &rest[tag_len + 1..];
    match find_closing_delimiter(body, delimiter) {
        Some(i) => finish(
            lex,
            tag_len + 1 + i + delimiter_len,
            true,
            TokenKind::DollarQuoted,
            TokenKind::UnterminatedDollarQuoted,
        ),
        None => finish(
            lex,
            rest.len(),
            false,
            TokenKind::DollarQuoted,
            TokenKind::UnterminatedDollarQuoted,
        ),
    }
}

/// The first occurrence of `delimiter` in `body`. Most dollar quotes close
/// soon (`$$` around a default, a short function body): a search that only
/// looks at the `$` of the first few hundred bytes finds them without
/// building a substring searcher, whose setup would dominate. Longer bodies
/// and long tags go to memchr's substring search, linear whatever the body.
fn find_closing_delimiter(body: &[u8], delimiter: &[u8]) -> Option<usize> {
    const NEAR: usize = 256;
    if delimiter.len() <= 16 {
        let near = &body[..body.len().min(NEAR)];
        let found = memchr::memchr_iter(b'$', near).find(|&i| body[i..].starts_with(delimiter));
        if found.is_some() || body.len() <= NEAR {
            return found;
        }
    }
    memchr::memmem::find(body, delimiter)
}

/// Digits, an optional fraction and exponent, then any identifier characters
/// glued on (PostgreSQL 15's `integer_junk` family).
fn number(lex: &mut Lexer<'_, TokenKind>) {
    let rest = lex.remainder();
    let mut i = rest
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b'_')
        .count();
    let started_with_dot = lex.slice()[0] == b'.';
    if !started_with_dot && rest.get(i) == Some(&b'.') && rest.get(i + 1) != Some(&b'.') {
        i += 1;
        i += rest[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    }
    if matches!(rest.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(rest.get(i + 1), Some(b'+' | b'-')));
        if rest.get(i + 1 + sign).is_some_and(u8::is_ascii_digit) {
            i += 1 + sign;
            i += rest[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        }
    }
    i += glued_identifier(&rest[i..]);
    lex.bump(i);
}

/// The identifier glued onto a number or parameter (`123abc`, `$1x`): it
/// must start like an identifier, so in `1$$` the `$$` opens a dollar quote.
fn glued_identifier(rest: &[u8]) -> usize {
    match rest.first() {
        Some(&b) if is_ident_start(b) => rest.iter().take_while(|&&b| is_ident_continue(b)).count(),
        _ => 0,
    }
}

/// Extends an operator over following operator characters, stopping where a
/// `--` or `/*` comment begins.
fn operator(lex: &mut Lexer<'_, TokenKind>) {
    let rest = lex.remainder();
    let mut i = 0;
    while i < rest.len() && is_operator_char(rest[i]) {
        if matches!(&rest[i..], [b'-', b'-', ..] | [b'/', b'*', ..]) {
            break;
        }
        i += 1;
    }
    lex.bump(i);
}

/// `:name`, `:'name'`, `:"name"` are psql variables; `::` and `:=` are
/// operators; a lone `:` is just a colon.
fn colon(lex: &mut Lexer<'_, TokenKind>) -> TokenKind {
    let rest = lex.remainder();
    let is_var_char = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_' || *b >= 0x80;
    match rest.first() {
        Some(b':' | b'=') => {
            lex.bump(1);
            TokenKind::Other
        }
        Some(&quote @ (b'\'' | b'"')) => {
            let name = rest[1..].iter().take_while(|b| is_var_char(b)).count();
            if name > 0 && rest.get(1 + name) == Some(&quote) {
                lex.bump(name + 2);
                TokenKind::Variable
            } else {
                TokenKind::Other
            }
        }
        Some(b) if is_var_char(b) => {
            lex.bump(rest.iter().take_while(|b| is_var_char(b)).count());
            TokenKind::Variable
        }
        _ => TokenKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dollar_quotes_close_at_the_first_delimiter_near_or_far() {
        for filler in [0, 10, 250, 256, 300, 5000] {
            let body = format!("{}$a $b$ $ab$", "x$".repeat(filler));
            let quoted = format!("$ab${body}; more");
            let token = first_token(quoted.as_bytes(), LexMode::default()).unwrap();
            assert_eq!(token.kind, TokenKind::DollarQuoted, "{filler}");
            assert_eq!(token.len, quoted.len() - "; more".len(), "{filler}");
        }
        let long_tag = format!("$t{}$", "g".repeat(40));
        let quoted = format!("{long_tag}body $tg$ {long_tag}");
        let token = first_token(quoted.as_bytes(), LexMode::default()).unwrap();
        assert_eq!(token.len, quoted.len());
    }

    #[test]
    fn identifier_table_matches_the_rule() {
        for byte in 0..=255u8 {
            let rule = is_ident_start(byte) || byte.is_ascii_digit() || byte == b'$';
            assert_eq!(is_ident_continue(byte), rule, "byte {byte:#x}");
        }
    }

    proptest! {
        /// The shortcuts for whitespace and `--` comments give the tokens
        /// the logos rules give.
        #[test]
        fn shortcuts_agree_with_the_rules(
            input in prop::collection::vec(prop::sample::select(b" \t\n\r\x0b\x0c-a;'/*".to_vec()), 1..40),
            standard_strings in any::<bool>(),
        ) {
            let mode = LexMode { standard_strings };
            let mut lexer = TokenKind::lexer_with_extras(&input, mode);
            let by_rules = lexer.next().map(|kind| Token {
                kind: kind.unwrap_or(TokenKind::Other),
                len: lexer.span().end.max(1),
            });
            prop_assert_eq!(first_token(&input, mode), by_rules);
        }
    }

    fn kinds(input: &str) -> Vec<(TokenKind, String)> {
        let mut out = Vec::new();
        let mut pos = 0;
        for token in tokenize(input.as_bytes(), LexMode::default()) {
            out.push((token.kind, input[pos..pos + token.len].to_string()));
            pos += token.len;
        }
        out
    }

    fn significant(input: &str) -> Vec<String> {
        kinds(input)
            .into_iter()
            .filter(|(k, _)| *k != TokenKind::Whitespace)
            .map(|(_, s)| s)
            .collect()
    }

    #[test]
    fn dollar_in_identifier_is_not_a_quote() {
        assert_eq!(significant("x$y$ AS$$ 1"), ["x$y$", "AS$$", "1"]);
    }

    #[test]
    fn dollar_quote_closes_at_identical_tag_only() {
        assert_eq!(significant("$A$ x $a$ ; $A$;"), ["$A$ x $a$ ; $A$", ";"]);
        assert_eq!(significant("$a$ $b$a$ z"), ["$a$ $b$a$", "z"]);
    }

    #[test]
    fn param_is_not_a_dollar_quote() {
        assert_eq!(kinds("$1")[0].0, TokenKind::Param);
        assert_eq!(significant("$ x"), ["$", "x"]);
    }

    #[test]
    fn nested_block_comments() {
        let tokens = kinds("/* a /* b */ ; c */;");
        assert_eq!(tokens[0].1, "/* a /* b */ ; c */");
        assert_eq!(tokens[1].0, TokenKind::Semicolon);
        assert_eq!(kinds("/*/ x */")[0].1, "/*/ x */");
    }

    #[test]
    fn operator_stops_at_comment_start() {
        assert_eq!(significant("1 +-- x\n2"), ["1", "+", "-- x", "2"]);
        assert_eq!(significant("a */* c */"), ["a", "*", "/* c */"]);
    }

    #[test]
    fn prefix_letter_counts_only_at_token_start() {
        assert_eq!(significant(r"fooE'x\' y"), ["fooE", r"'x\'", "y"]);
        assert_eq!(significant(r"E'x\'y' z"), [r"E'x\'y'", "z"]);
    }

    #[test]
    fn standard_strings_setting_changes_plain_literals_only() {
        let off = LexMode {
            standard_strings: false,
        };
        let len = first_token(br"'a\';b'", off).unwrap().len;
        assert_eq!(len, 7);
        let len = first_token(br"'a\';b'", LexMode::default()).unwrap().len;
        assert_eq!(len, 4);
        let len = first_token(br"U&'a\' x", off).unwrap().len;
        assert_eq!(len, 6);
    }

    #[test]
    fn bit_strings_end_at_first_quote() {
        assert_eq!(significant("B'10''01'"), ["B'10'", "'01'"]);
    }

    #[test]
    fn variables_and_casts() {
        assert_eq!(kinds(":v")[0].0, TokenKind::Variable);
        assert_eq!(kinds(":'v'")[0].0, TokenKind::Variable);
        assert_eq!(significant("a::int"), ["a", "::", "int"]);
        assert_eq!(significant(":'v"), [":", "'v"]);
    }

    #[test]
    fn numbers_swallow_junk_and_stop_before_dot_dot() {
        assert_eq!(
            significant("1begin 1..10 1.5e+3x"),
            ["1begin", "1", "..", "10", "1.5e+3x"]
        );
    }

    #[test]
    fn dollar_after_a_number_opens_a_quote() {
        assert_eq!(significant("1$$ x $$"), ["1", "$$ x $$"]);
        assert_eq!(significant("1a$$ x"), ["1a$$", "x"]);
        assert_eq!(significant("$1$$ x $$"), ["$1", "$$ x $$"]);
    }

    #[test]
    fn unterminated_tokens_run_to_end() {
        for input in ["'open", "\"open", "$$ open", "/* open /* */", "E'\\"] {
            let token = first_token(input.as_bytes(), LexMode::default()).unwrap();
            assert_eq!(token.len, input.len(), "{input}");
            assert!(token.kind.is_unterminated(), "{input}");
        }
    }

    #[test]
    fn every_byte_is_covered() {
        let input: Vec<u8> = (0u8..=255).collect();
        let total: usize = tokenize(&input, LexMode::default()).map(|t| t.len).sum();
        assert_eq!(total, input.len());
    }
}
