//! What a statement does, from its tokens: whether it can run inside a
//! transaction, the session settings it changes, where a COPY reads from,
//! the owner and privileges it grants, what a meta-command does.
//!
//! These are the facts every consumer asks about a statement: `check`'s
//! findings ([`crate::lint`]), what `execute_file` does with it
//! ([`crate::plan`]), [`crate::normalize`], [`crate::squash`] and the
//! Python package (through the records of `src/python.rs`). Each is decided
//! here once, so they cannot disagree, and [`StatementFacts::of`] gathers
//! them for one statement so that a consumer asking several questions lexes
//! the statement once per fact, not once per question. They re-lex a
//! statement's words, lazily and without copying them, which is cheap next
//! to running it, and keep the hot splitting loop free of policy: the
//! splitter's command tag decides which facts need a look at all.
//!
//! ```
//! use pgsplit::facts::{Access, StatementFacts, Transactional};
//! use pgsplit::split::{split, SplitOptions};
//!
//! let input = b"ALTER TABLE t OWNER TO alice; CREATE INDEX CONCURRENTLY i ON t (a);";
//! let script = split(input, &SplitOptions::default());
//! let owner = StatementFacts::of(input, &script.statements[0]);
//! assert_eq!(owner.access, Access::Owner { role: "alice".into(), alone: true });
//! let index = StatementFacts::of(input, &script.statements[1]);
//! assert_eq!(index.transactional, Transactional::No);
//! ```

mod only;

pub(crate) use only::only_calls;
use only::only_changes_owner;

use crate::lexer::{tokenize, LexMode, TokenKind};
use crate::meta::Effect;
use crate::split::{Statement, StatementKind};

/// Everything [`crate::facts`] decides about one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementFacts {
    pub transactional: Transactional,
    /// The session settings it changes for the rest of the session.
    pub settings: Vec<Setting>,
    pub copy_source: CopySource,
    pub access: Access,
    /// For a psql meta-command: what it does to the input.
    pub meta_effect: Option<Effect>,
}

impl StatementFacts {
    /// The facts of `statement`, a statement of `input`.
    pub fn of(input: &[u8], statement: &Statement) -> Self {
        StatementFacts {
            transactional: transactional(input, statement),
            settings: settings_changed(input, statement),
            copy_source: copy_source(input, statement),
            access: access(input, statement),
            meta_effect: statement.meta().map(|meta| meta.effect),
        }
    }

    /// Whether it changes session state that outlives it (`SET`, `RESET`,
    /// `set_config(..., false)`).
    pub fn sets_session(&self) -> bool {
        !self.settings.is_empty()
    }

    /// For a statement that changes `client_encoding`: the encoding it names
    /// (upper case), or `Some(None)` when the value is computed.
    pub fn declared_encoding(&self) -> Option<Option<String>> {
        self.settings.iter().find_map(|setting| match setting {
            Setting::Named { name, value } if name == "client_encoding" => {
                Some(value.as_ref().map(|v| v.to_ascii_uppercase()))
            }
            _ => None,
        })
    }
}

/// Owners and privileges: statements that name roles, which must exist
/// wherever the script runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Names no owner and no privileges.
    None,
    /// `ALTER <object> <name> ... OWNER TO <role>`; `alone`: the statement
    /// changes nothing but the owner.
    Owner { role: String, alone: bool },
    /// `GRANT`, `REVOKE`, `ALTER DEFAULT PRIVILEGES`, with the roles they
    /// grant to or revoke from (as written, quotes kept).
    Privileges { roles: Vec<String> },
}

/// How a statement relates to the enclosing transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transactional {
    /// Runs inside a transaction block like any statement.
    Yes,
    /// Cannot run inside a transaction block (`CREATE INDEX CONCURRENTLY`,
    /// `VACUUM`, `CREATE DATABASE`, ...).
    No,
    /// Starts or ends a transaction itself (`BEGIN`, `COMMIT`, `ROLLBACK`...).
    Control,
}

/// The tokens of a statement's text that are not whitespace or comments, with
/// their text; lazily, so a question about the first word lexes no further.
pub(crate) fn significant_tokens(text: &[u8]) -> impl Iterator<Item = (TokenKind, &[u8])> + '_ {
    let mut at = 0;
    tokenize(text, LexMode::default()).filter_map(move |token| {
        let piece = &text[at..at + token.len];
        at += token.len;
        (!token.kind.is_trivia()).then_some((token.kind, piece))
    })
}

/// The identifier words of a statement's text, in order, skipping comments,
/// punctuation and literals.
fn words(text: &[u8]) -> impl Iterator<Item = &[u8]> + '_ {
    significant_tokens(text).filter_map(|(kind, piece)| (kind == TokenKind::Ident).then_some(piece))
}

/// Whether `text` holds the identifier `word` (any case) outside quotes.
pub(crate) fn has_word(text: &[u8], word: &[u8]) -> bool {
    words(text).any(|w| w.eq_ignore_ascii_case(word))
}

/// `ALTER <object> <name> OWNER TO <role>`: the role, after the
/// identifiers OWNER and TO in a row where OWNER is not a name being renamed
/// (`RENAME COLUMN owner TO`).
pub(crate) fn owner_role(text: &[u8]) -> Option<String> {
    let (mut before, mut previous): (Option<&[u8]>, Option<&[u8]>) = (None, None);
    let mut tokens = significant_tokens(text);
    for (kind, piece) in tokens.by_ref() {
        let current = (kind == TokenKind::Ident).then_some(piece);
        let is = |w: Option<&[u8]>, keywords| w.is_some_and(|w| is_any(w, keywords));
        let found = is(current, &["TO"])
            && is(previous, &["OWNER"])
            && !is(before, &["RENAME", "COLUMN", "ATTRIBUTE", "CONSTRAINT"]);
        if found {
            break;
        }
        (before, previous) = (previous, current);
    }
    if !(previous.is_some_and(|w| is_any(w, &["OWNER"]))) {
        return None;
    }
    let role = match tokens.next() {
        Some((TokenKind::Ident | TokenKind::QuotedIdent, role)) => role,
        _ => b"",
    };
    Some(String::from_utf8_lossy(role).into_owned())
}

/// The roles a `GRANT` grants to (after its last `TO`) or a `REVOKE`
/// revokes from (after its last `FROM`), as written.
fn grantees(text: &[u8], tag: &str) -> Vec<String> {
    let tokens: Vec<(TokenKind, &[u8])> = significant_tokens(text).collect();
    let to = if tag.ends_with("REVOKE") || revokes(&tokens) {
        "FROM"
    } else {
        "TO"
    };
    let Some(at) = tokens
        .iter()
        .rposition(|&(kind, w)| kind == TokenKind::Ident && is_any(w, &[to]))
    else {
        return Vec::new();
    };
    let mut roles = Vec::new();
    for &(kind, piece) in &tokens[at + 1..] {
        match kind {
            TokenKind::Ident if is_any(piece, &["GROUP"]) => {}
            TokenKind::Ident if is_any(piece, &["WITH", "GRANTED", "CASCADE", "RESTRICT"]) => break,
            TokenKind::Ident | TokenKind::QuotedIdent => {
                roles.push(String::from_utf8_lossy(piece).into_owned())
            }
            TokenKind::Other if piece == b"," => {}
            _ => break,
        }
    }
    roles
}

/// `ALTER DEFAULT PRIVILEGES ... REVOKE`: the tag says only the first words.
fn revokes(tokens: &[(TokenKind, &[u8])]) -> bool {
    tokens
        .iter()
        .any(|&(kind, w)| kind == TokenKind::Ident && is_any(w, &["REVOKE"]))
}

/// Whether and how `statement` names owners or privileges.
pub fn access(input: &[u8], statement: &Statement) -> Access {
    if statement.kind != StatementKind::Sql {
        return Access::None;
    }
    let tag = statement.tag.as_ref();
    if tag.starts_with("ALTER ") && tag != "ALTER DEFAULT PRIVILEGES" {
        let text = statement.source(input);
        return match owner_role(&text) {
            Some(role) => Access::Owner {
                role,
                alone: only_changes_owner(&text),
            },
            None => Access::None,
        };
    }
    if matches!(tag, "GRANT" | "REVOKE" | "ALTER DEFAULT PRIVILEGES") {
        let text = statement.text(input);
        return Access::Privileges {
            roles: grantees(&text, tag),
        };
    }
    Access::None
}

/// Whether `word` is one of `keywords` (upper case), in any case.
fn is_any(word: &[u8], keywords: &[&str]) -> bool {
    keywords
        .iter()
        .any(|k| word.eq_ignore_ascii_case(k.as_bytes()))
}

/// Classifies a statement for transaction handling.
pub fn transactional(input: &[u8], statement: &Statement) -> Transactional {
    if statement.kind != StatementKind::Sql {
        return Transactional::Yes;
    }
    let text = statement.text(input);
    let mut words = words(&text);
    let first = words.next().unwrap_or_default();
    let second = words.next().unwrap_or_default();
    if is_any(first, &["COMMIT", "ROLLBACK"]) && is_any(second, &["PREPARED"]) {
        return Transactional::No;
    }
    if is_any(first, &["BEGIN", "COMMIT", "END", "ROLLBACK", "ABORT"])
        || (is_any(first, &["START"]) && is_any(second, &["TRANSACTION"]))
    {
        return Transactional::Control;
    }
    let outside_transactions = is_any(first, &["VACUUM"])
        || (is_any(first, &["CREATE", "DROP"])
            && is_any(second, &["DATABASE", "TABLESPACE", "SUBSCRIPTION"]))
        || (is_any(first, &["ALTER"]) && is_any(second, &["SYSTEM"]))
        || (is_any(first, &["CREATE", "DROP", "REINDEX"])
            && [first, second]
                .into_iter()
                .chain(words.take(10))
                .any(|w| is_any(w, &["CONCURRENTLY"])));
    if outside_transactions {
        Transactional::No
    } else {
        Transactional::Yes
    }
}

/// A session setting a statement changes, as far as its tokens tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    /// `SET name ...`, `RESET name`, `set_config('name', ...)`: the name in
    /// lower case (unquoted), and the new value when it is a literal.
    Named { name: String, value: Option<String> },
    /// `RESET ALL`.
    All,
    /// `set_config(expression, ...)`: a setting whose name is computed.
    Computed,
}

impl Setting {
    /// Whether this is the setting `name` (lower case).
    pub fn is(&self, name: &str) -> bool {
        matches!(self, Setting::Named { name: n, .. } if n == name)
    }
}

/// The session settings `statement` changes for the rest of the session
/// (`SET LOCAL` ends with the transaction and is not one of them).
pub fn settings_changed(input: &[u8], statement: &Statement) -> Vec<Setting> {
    // Only these commands change a setting in the forms read here; the
    // splitter's tag says so without lexing the statement again, and a
    // dump's statements are nearly all something else.
    if statement.kind != StatementKind::Sql
        || !matches!(statement.tag.as_ref(), "SET" | "RESET" | "SELECT")
    {
        return Vec::new();
    }
    let text = statement.text(input);
    let tokens: Vec<(TokenKind, &[u8])> = significant_tokens(&text).collect();
    let word = |i: usize, keywords: &[&str]| {
        tokens
            .get(i)
            .is_some_and(|&(kind, piece)| kind == TokenKind::Ident && is_any(piece, keywords))
    };
    if word(0, &["SET"]) {
        if word(1, &["LOCAL"]) || word(1, &["TRANSACTION"]) || word(1, &["CONSTRAINTS"]) {
            return Vec::new();
        }
        let at = if word(1, &["SESSION"]) { 2 } else { 1 };
        let special = [
            (&["TIME", "ZONE"][..], "timezone"),
            (&["ROLE"][..], "role"),
            (&["AUTHORIZATION"][..], "session_authorization"),
            (&["SCHEMA"][..], "search_path"),
            (&["NAMES"][..], "client_encoding"),
            (&["CHARACTERISTICS"][..], "default_transaction_isolation"),
        ];
        for (words, name) in special {
            if words.iter().enumerate().all(|(k, w)| word(at + k, &[w])) {
                let value = tokens.get(at + words.len()).and_then(|t| literal(*t));
                return vec![Setting::Named {
                    name: name.to_string(),
                    value,
                }];
            }
        }
        let Some((name, after)) = setting_name(&tokens, at) else {
            return Vec::new();
        };
        let value = match tokens.get(after) {
            Some(&(TokenKind::Operator, b"=")) => tokens.get(after + 1),
            Some(&(TokenKind::Ident, to)) if to.eq_ignore_ascii_case(b"TO") => {
                tokens.get(after + 1)
            }
            _ => None,
        };
        // A list (`SET search_path = a, b`) has no single literal value.
        let single = tokens.len() <= after + 3;
        let value = value.filter(|_| single).and_then(|t| literal(*t));
        return vec![Setting::Named { name, value }];
    }
    if word(0, &["RESET"]) {
        if word(1, &["ALL"]) {
            return vec![Setting::All];
        }
        return setting_name(&tokens, 1)
            .map(|(name, _)| Setting::Named { name, value: None })
            .into_iter()
            .collect();
    }
    // set_config(name, value, is_local) wherever it is called; a call whose
    // third argument is a literal `true` changes the transaction only.
    let mut found = Vec::new();
    for (i, &(kind, piece)) in tokens.iter().enumerate() {
        let is_call = kind == TokenKind::Ident
            && piece.eq_ignore_ascii_case(b"set_config")
            && tokens
                .get(i + 1)
                .is_some_and(|t| t.0 == TokenKind::OpenParen);
        if !is_call {
            continue;
        }
        let argument = |k: usize| tokens.get(i + 2 + k).copied();
        let comma = |k: usize| argument(k).is_some_and(|(_, p)| p == b",");
        let local = comma(1)
            && comma(3)
            && argument(4).is_some_and(|(kind, p)| {
                kind == TokenKind::Ident && p.eq_ignore_ascii_case(b"true")
            });
        if local {
            continue;
        }
        let string = |token: Option<(TokenKind, &[u8])>| {
            token.filter(|t| t.0 == TokenKind::String).and_then(literal)
        };
        match string(argument(0)) {
            Some(name) if comma(1) => found.push(Setting::Named {
                name: name.to_ascii_lowercase(),
                value: string(argument(2).filter(|_| comma(3))),
            }),
            _ => found.push(Setting::Computed),
        }
    }
    found
}

/// A setting's name at `tokens[at..]` (`a`, `"a"`, `a.b`), lower-cased
/// unless quoted, and the index after it.
fn setting_name(tokens: &[(TokenKind, &[u8])], mut at: usize) -> Option<(String, usize)> {
    let mut name = String::new();
    loop {
        let &(kind, piece) = tokens.get(at)?;
        match kind {
            TokenKind::Ident => name.push_str(&String::from_utf8_lossy(piece).to_ascii_lowercase()),
            TokenKind::QuotedIdent if piece.len() >= 2 => {
                let inner = String::from_utf8_lossy(&piece[1..piece.len() - 1]);
                name.push_str(&inner.replace("\"\"", "\""));
            }
            _ => return None,
        }
        at += 1;
        if tokens.get(at).is_some_and(|t| t.0 == TokenKind::Dot) {
            name.push('.');
            at += 1;
        } else {
            return Some((name, at));
        }
    }
}

/// The value of a plain literal token: `'text'` (quotes doubled inside), a
/// number, or a bare word.
fn literal((kind, piece): (TokenKind, &[u8])) -> Option<String> {
    match kind {
        TokenKind::String if piece.len() >= 2 && piece[0] == b'\'' => {
            let inner = String::from_utf8_lossy(&piece[1..piece.len() - 1]);
            Some(inner.replace("''", "'"))
        }
        TokenKind::Number | TokenKind::Ident => Some(String::from_utf8_lossy(piece).into_owned()),
        _ => None,
    }
}

/// Where a COPY statement reads from or writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopySource {
    /// Not a COPY statement.
    NotCopy,
    /// `FROM STDIN` or `TO STDOUT`: the client's data.
    Client,
    /// `FROM 'file'` or `TO 'file'`: a file on the database server.
    ServerFile,
    /// `FROM PROGRAM` or `TO PROGRAM`: a shell command on the database server.
    Program,
}

/// Where `statement`, if it is a COPY, takes or sends its rows.
pub fn copy_source(input: &[u8], statement: &Statement) -> CopySource {
    if statement.kind == StatementKind::Meta || statement.tag != "COPY" {
        return CopySource::NotCopy;
    }
    let text = statement.text(input);
    let mut tokens = significant_tokens(&text).peekable();
    if !tokens
        .next()
        .is_some_and(|(kind, w)| kind == TokenKind::Ident && w.eq_ignore_ascii_case(b"COPY"))
    {
        return CopySource::NotCopy;
    }
    // FROM or TO after the table (and its column list) or the query.
    let mut depth = 0usize;
    while let Some((kind, piece)) = tokens.next() {
        match kind {
            TokenKind::OpenParen => depth += 1,
            TokenKind::CloseParen => depth = depth.saturating_sub(1),
            TokenKind::Ident if depth == 0 && is_any(piece, &["FROM", "TO"]) => {
                return match tokens.peek() {
                    Some((TokenKind::Ident, w)) if is_any(w, &["PROGRAM"]) => CopySource::Program,
                    Some((TokenKind::Ident, w)) if is_any(w, &["STDIN", "STDOUT"]) => {
                        CopySource::Client
                    }
                    _ => CopySource::ServerFile,
                };
            }
            _ => {}
        }
    }
    CopySource::NotCopy
}

/// Where `text` first names `name`, a possibly qualified name as the server
/// quotes it in a message (`public.users`, `Mixed Case`): the byte offset of
/// the name's first token. Unquoted words match in any case, quoted ones
/// exactly; failing the whole name, its last part alone.
pub fn name_offset(text: &[u8], name: &str) -> Option<usize> {
    let mut at = 0;
    let tokens: Vec<(TokenKind, &[u8], usize)> = tokenize(text, LexMode::default())
        .filter_map(|token| {
            let start = at;
            at += token.len;
            (!token.kind.is_trivia()).then(|| (token.kind, &text[start..start + token.len], start))
        })
        .collect();
    let is_part = |(kind, piece, _): &(TokenKind, &[u8], usize), part: &str| match kind {
        TokenKind::Ident => piece.eq_ignore_ascii_case(part.as_bytes()),
        TokenKind::QuotedIdent if piece.len() >= 2 => {
            String::from_utf8_lossy(&piece[1..piece.len() - 1]).replace("\"\"", "\"") == part
        }
        _ => false,
    };
    let names_at = |i: usize, parts: &[&str]| {
        parts.iter().enumerate().all(|(k, part)| {
            tokens.get(i + 2 * k).is_some_and(|t| is_part(t, part))
                && (k == 0
                    || tokens
                        .get(i + 2 * k - 1)
                        .is_some_and(|t| t.0 == TokenKind::Dot))
        })
    };
    let parts: Vec<&str> = name.split('.').collect();
    let last = &parts[parts.len() - 1..];
    (0..tokens.len())
        .find(|&i| names_at(i, &parts))
        .or_else(|| (0..tokens.len()).find(|&i| names_at(i, last)))
        .map(|i| tokens[i].2)
}

/// Where the first dollar-quoted string of `text` opens (a function's or a
/// `DO` block's body), as a byte offset: PL/pgSQL counts its error lines from
/// there.
pub fn body_offset(text: &[u8]) -> Option<usize> {
    let mut at = 0;
    tokenize(text, LexMode::default()).find_map(|token| {
        let start = at;
        at += token.len;
        matches!(
            token.kind,
            TokenKind::DollarQuoted | TokenKind::UnterminatedDollarQuoted
        )
        .then_some(start)
    })
}

/// What a `COPY ... FROM STDIN` writes into, for drivers that have no copy
/// API and get INSERTs instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyInto {
    /// The table's name as written (quotes kept).
    pub table: String,
    /// The column list as written, without its parentheses, if there is one.
    pub columns: Option<String>,
    /// `text`, `csv` or `binary`.
    pub format: &'static str,
}

/// For `COPY table [(columns)] FROM STDIN [options]`: what it writes into.
pub fn copy_into(input: &[u8], statement: &Statement) -> Option<CopyInto> {
    if statement.kind != StatementKind::Copy {
        return None;
    }
    let text = statement.text(input);
    let tokens: Vec<(TokenKind, &[u8])> = significant_tokens(&text).collect();
    let joined = |tokens: &[(TokenKind, &[u8])]| -> String {
        let mut out = String::new();
        for (i, (kind, piece)) in tokens.iter().enumerate() {
            let glued = matches!(kind, TokenKind::Dot | TokenKind::Other)
                || tokens
                    .get(i.wrapping_sub(1))
                    .is_some_and(|t| t.0 == TokenKind::Dot);
            if i > 0 && !glued {
                out.push(' ');
            }
            out.push_str(&String::from_utf8_lossy(piece));
        }
        out
    };
    let from = tokens
        .iter()
        .position(|&(kind, w)| kind == TokenKind::Ident && w.eq_ignore_ascii_case(b"FROM"))?;
    let open = tokens[..from]
        .iter()
        .position(|t| t.0 == TokenKind::OpenParen);
    let (table, columns) = match open {
        Some(open) => (
            &tokens[1..open],
            Some(&tokens[open + 1..from.checked_sub(1)?]),
        ),
        None => (&tokens[1..from], None),
    };
    let options = &tokens[from..];
    let says = |word: &str| {
        options
            .iter()
            .any(|&(kind, w)| kind == TokenKind::Ident && w.eq_ignore_ascii_case(word.as_bytes()))
    };
    let format = if says("BINARY") {
        "binary"
    } else if says("CSV") {
        "csv"
    } else {
        "text"
    };
    Some(CopyInto {
        table: joined(table),
        columns: columns.map(joined),
        format,
    })
}

/// For `CREATE MATERIALIZED VIEW name ... WITH NO DATA`: the view's name as
/// written, which a schema-only dump leaves unpopulated.
pub fn unpopulated_view(input: &[u8], statement: &Statement) -> Option<String> {
    if statement.tag != "CREATE MATERIALIZED VIEW" {
        return None;
    }
    let text = statement.text(input);
    let tokens: Vec<(TokenKind, &[u8])> = significant_tokens(&text)
        .filter(|t| t.0 != TokenKind::Semicolon)
        .collect();
    let last = |n: usize| tokens.len().checked_sub(n).map(|i| tokens[i]);
    let no_data = [(3, "WITH"), (2, "NO"), (1, "DATA")]
        .iter()
        .all(|&(n, word)| {
            last(n).is_some_and(|(k, w)| {
                k == TokenKind::Ident && w.eq_ignore_ascii_case(word.as_bytes())
            })
        });
    if !no_data {
        return None;
    }
    let mut at = 3; // CREATE MATERIALIZED VIEW
    if tokens
        .get(at)
        .is_some_and(|t| t.1.eq_ignore_ascii_case(b"IF"))
    {
        at += 3;
    }
    let mut name = String::new();
    while let Some(&(kind, piece)) = tokens.get(at) {
        match kind {
            TokenKind::Ident | TokenKind::QuotedIdent | TokenKind::Dot => {
                name.push_str(&String::from_utf8_lossy(piece))
            }
            _ => break,
        }
        at += 1;
        if kind != TokenKind::Dot && tokens.get(at).is_none_or(|t| t.0 != TokenKind::Dot) {
            break;
        }
    }
    (!name.is_empty()).then_some(name)
}
