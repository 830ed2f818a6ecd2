//! Consolidating a migration chain: a schema dump made into the first
//! migration of a new chain.
//!
//! [`squash`] turns `pg_dump -s -O -x` output into two files for an Alembic
//! `versions/` folder: the dump, ready to run from a migration, and the
//! migration that runs it. Everything is read from the dump itself:
//!
//! - the SQL file is the dump byte for byte, less what cannot run inside a
//!   migration (psql's meta-commands) and less Alembic's own version table,
//!   which Alembic creates before the first migration runs; rows of chosen
//!   tables from a data dump are put where pg_dump puts data, after the
//!   tables and before indexes, constraints and triggers;
//! - the inventory in the migration's docstring comes from pg_dump's object
//!   headers (type, schema, name);
//! - the downgrade drops what the dump creates in the reverse of the dump's
//!   order, which pg_dump chose so that every object follows what it depends
//!   on. Every name and argument type of a drop is taken from the
//!   statement's own tokens, so it keeps pg_dump's quoting exactly; nothing
//!   comes from the headers, which are comments anyone can write and which
//!   print names without quotes. A drop is kept only if it lexes as one
//!   statement made of names and punctuation; the migration runs each one as
//!   a statement of its own.
//!
//! Objects that die with their owner (indexes, constraints, comments, owned
//! sequences' links) get no statement of their own. Foreign keys and column
//! defaults do: they are the links that run across tables, against the
//! dump's order. An object the downgrade does not know how to drop is listed
//! in [`Squash::not_dropped`], never silently skipped.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use crate::lexer::{tokenize, LexMode, Span, TokenKind};
use crate::normalize::{section, Section};
use crate::split::{split, Severity, SplitOptions, Statement, StatementKind};
use crate::tag::CREATE_MODIFIERS;
use crate::toc::Toc;

/// What to make of a dump.
#[derive(Debug, Clone)]
pub struct SquashOptions<'a> {
    /// The new revision id; also the stem of both file names.
    pub revision: String,
    /// The revision's message, the first line of its docstring.
    pub message: Option<String>,
    /// How the dump is named in the docstring.
    pub dump_name: String,
    /// Where the old chain can be found (a git commit, for instance).
    pub origin: Option<String>,
    /// Alembic's version table, left out of the SQL.
    pub version_table: String,
    /// Rows to keep, from a data dump.
    pub data: Option<DataRows<'a>>,
}

/// The rows of controlled-vocabulary tables, taken from a dump with data.
#[derive(Debug, Clone)]
pub struct DataRows<'a> {
    pub input: &'a [u8],
    /// How the dump is named in the docstring.
    pub name: String,
    /// `table` or `schema.table`, as pg_dump's headers name them (unquoted).
    /// A materialized view named here is refreshed where its rows would be,
    /// so that it is populated as the chain left it.
    pub tables: Vec<String>,
}

/// The two files of the new migration.
#[derive(Debug, Clone)]
pub struct Squash {
    /// The `.sql` file.
    pub sql: Vec<u8>,
    /// The `.py` file.
    pub migration: String,
    /// Objects the downgrade does not drop, as `TYPE schema.name`.
    pub not_dropped: Vec<String>,
}

/// Which of the inputs an error is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Dump,
    DataDump,
}

/// Why a dump cannot be squashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SquashError {
    /// An input is not a complete script (`offset` is where the problem is).
    Unusable {
        input: Which,
        offset: usize,
        message: String,
    },
    /// The migration is Python source, so the names it drops must be UTF-8.
    NotUtf8 { offset: usize },
    /// A table given for its rows has no data in the data dump.
    NoData { table: String },
    /// A table given without a schema has data in several schemas.
    Ambiguous { table: String, schemas: Vec<String> },
    /// The revision cannot be a file name and a Python string both.
    BadRevision { revision: String },
}

impl std::fmt::Display for SquashError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SquashError::Unusable { message, .. } => {
                write!(f, "{message}; fix the dump before squashing it")
            }
            SquashError::NotUtf8 { .. } => write!(
                f,
                "a name here is not valid UTF-8, so the migration cannot name it; \
                 dump the database with --encoding=UTF8"
            ),
            SquashError::NoData { table } => write!(
                f,
                "the data dump has no rows for table {table}; name it as pg_dump's \
                 headers do (table or schema.table) and dump it with its data"
            ),
            SquashError::Ambiguous { table, schemas } => write!(
                f,
                "table {table} has data in schemas {}; name it schema.table",
                schemas.join(", ")
            ),
            SquashError::BadRevision { revision } => write!(
                f,
                "revision {revision:?} must be letters, digits and underscores \
                 (it names the files and the revision)"
            ),
        }
    }
}

impl std::error::Error for SquashError {}

/// Makes the new migration from `dump`.
pub fn squash(dump: &[u8], options: &SquashOptions) -> Result<Squash, SquashError> {
    let revision = &options.revision;
    if revision.is_empty()
        || !revision
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err(SquashError::BadRevision {
            revision: revision.clone(),
        });
    }
    let statements = complete_statements(dump, Which::Dump)?;
    let entries: Vec<Entry> = statements
        .iter()
        .filter_map(|s| Entry::of(dump, s))
        .collect();
    let is_version_table = |entry: &Entry| names_table(entry.name, &options.version_table);

    let mut left_out: Vec<Span> = Vec::new();
    for statement in &statements {
        if statement.kind == StatementKind::Meta {
            left_out.push(with_line_end(dump, statement.span.clone()));
        }
    }
    for entry in entries.iter().filter(|e| is_version_table(e)) {
        let start = entry_start(dump, entry.statement);
        left_out.push(with_line_end(dump, start..entry.statement.span.end));
    }

    let kept = match &options.data {
        Some(data) => Some(kept_rows(&entries, data)?),
        None => None,
    };
    let data_at = entries
        .iter()
        .find(|e| section(e.object_type, e.statement) == Section::PostData)
        .map(|e| entry_start(dump, e.statement))
        .unwrap_or_else(|| {
            statements
                .last()
                .map_or(0, |s| with_line_end(dump, s.span.clone()).end)
        });
    let sql = assemble(
        dump,
        left_out,
        kept.as_ref().map(|k| (data_at, &k.text[..])),
    );

    let schema_entries: Vec<&Entry> = entries.iter().filter(|e| !is_version_table(e)).collect();
    let downgrade = downgrade(&schema_entries)?;
    let inventory = inventory(&schema_entries);
    let migration = migration(dump, options, &inventory, kept.as_ref(), &downgrade);
    Ok(Squash {
        sql,
        migration,
        not_dropped: downgrade.not_dropped,
    })
}

/// The dump's statements, if it is a script that ends cleanly.
fn complete_statements(input: &[u8], which: Which) -> Result<Vec<Statement>, SquashError> {
    let script = split(input, &SplitOptions::default());
    if let Some(error) = script
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
    {
        return Err(SquashError::Unusable {
            input: which,
            offset: error.offset,
            message: error.message.to_string(),
        });
    }
    Ok(script.statements)
}

/// A statement of an archive entry, with its header's fields as text.
struct Entry<'a> {
    statement: &'a Statement,
    object_type: &'a str,
    schema: &'a str,
    name: &'a str,
    /// The statement's text, if it is UTF-8.
    text: Result<&'a str, usize>,
}

impl<'a> Entry<'a> {
    fn of(input: &'a [u8], statement: &'a Statement) -> Option<Self> {
        let toc: &Toc = statement.toc.as_ref()?;
        let field = |span: &Span| std::str::from_utf8(&input[span.clone()]).unwrap_or("?");
        let command = &input[statement.span.start..statement.command_end];
        Some(Entry {
            statement,
            object_type: field(&toc.object_type()),
            schema: field(&toc.schema()),
            name: field(&toc.name()),
            text: std::str::from_utf8(command).map_err(|e| statement.span.start + e.valid_up_to()),
        })
    }

    /// `schema.name`, or the name alone for objects without a schema.
    fn qualified(&self) -> String {
        if self.schema == "-" {
            self.name.to_string()
        } else {
            format!("{}.{}", self.schema, self.name)
        }
    }
}

/// Whether a header's name is the table `table` or something of it: pg_dump
/// names a table's constraints `table constraint`, its comment `TABLE table`.
fn names_table(name: &str, table: &str) -> bool {
    name == table
        || name
            .strip_prefix(table)
            .is_some_and(|rest| rest.starts_with(' '))
        || name.strip_prefix("TABLE ") == Some(table)
}

/// Where an entry begins: the `--` line above pg_dump's header, or the
/// statement itself when it has no header.
fn entry_start(input: &[u8], statement: &Statement) -> usize {
    let Some(toc) = &statement.toc else {
        return statement.span.start;
    };
    let header_line = line_start(input, toc.name().start);
    if header_line > statement.span.start {
        return statement.span.start;
    }
    let above = line_start(input, header_line.saturating_sub(1));
    if header_line > 0 && &input[above..header_line] == b"--\n" {
        above
    } else {
        header_line
    }
}

fn line_start(input: &[u8], offset: usize) -> usize {
    memchr::memrchr(b'\n', &input[..offset]).map_or(0, |i| i + 1)
}

/// `span` and the line ending right after it.
fn with_line_end(input: &[u8], span: Span) -> Span {
    let end = match &input[span.end..] {
        [b'\r', b'\n', ..] => span.end + 2,
        [b'\n', ..] => span.end + 1,
        _ => span.end,
    };
    span.start..end
}

/// `input` without the `left_out` ranges, with `insert` text at its offset.
fn assemble(input: &[u8], mut left_out: Vec<Span>, insert: Option<(usize, &[u8])>) -> Vec<u8> {
    left_out.sort_by_key(|span| span.start);
    let mut out = Vec::with_capacity(input.len());
    let mut at = 0;
    let mut pending = insert;
    let mut copy_to = |out: &mut Vec<u8>, at: usize, end: usize| {
        if let Some((offset, text)) = pending {
            if offset >= at && offset <= end {
                out.extend_from_slice(&input[at..offset]);
                out.extend_from_slice(text);
                out.extend_from_slice(&input[offset..end]);
                pending = None;
                return;
            }
        }
        out.extend_from_slice(&input[at..end]);
    };
    for span in left_out {
        if span.start > at {
            copy_to(&mut out, at, span.start);
        }
        at = at.max(span.end);
    }
    copy_to(&mut out, at.min(input.len()), input.len());
    out
}

/// Rows kept from the data dump: its entries for the chosen tables and for
/// the sequences they own, and the refreshes of the chosen materialized
/// views, in the data dump's order, as pg_dump wrote them.
struct KeptRows {
    text: Vec<u8>,
    /// `schema.table` and its number of rows, in the data dump's order.
    tables: Vec<(String, usize)>,
    /// `schema.sequence` whose value is kept.
    sequences: Vec<String>,
    /// `schema.view`: materialized views refreshed, as the chain left them.
    refreshed: Vec<String>,
    source: String,
}

fn kept_rows(schema: &[Entry], data: &DataRows) -> Result<KeptRows, SquashError> {
    let statements = complete_statements(data.input, Which::DataDump)?;
    let entries: Vec<Entry> = statements
        .iter()
        .filter_map(|s| Entry::of(data.input, s))
        .collect();
    let with_rows: Vec<&Entry> = entries
        .iter()
        .filter(|e| matches!(e.object_type, "TABLE DATA" | "MATERIALIZED VIEW DATA"))
        .collect();
    let mut chosen: Vec<(&str, &str)> = Vec::new();
    for wanted in &data.tables {
        let (schema_name, table) = match wanted.split_once('.') {
            Some((s, t)) => (Some(s), t),
            None => (None, wanted.as_str()),
        };
        let mut schemas: Vec<&str> = with_rows
            .iter()
            .filter(|e| e.name == table && schema_name.is_none_or(|s| s == e.schema))
            .map(|e| e.schema)
            .collect();
        schemas.dedup();
        match schemas.as_slice() {
            [] => {
                return Err(SquashError::NoData {
                    table: wanted.clone(),
                })
            }
            [one] => chosen.push((one, table)),
            _ => {
                return Err(SquashError::Ambiguous {
                    table: wanted.clone(),
                    schemas: schemas.iter().map(|s| s.to_string()).collect(),
                })
            }
        }
    }
    let owned = sequence_owners(schema)
        .into_iter()
        .chain(sequence_owners(&entries))
        .filter(|(_, table)| {
            chosen
                .iter()
                .any(|(s, t)| (*s, *t) == (table.0.as_str(), table.1.as_str()))
        })
        .map(|(sequence, _)| sequence)
        .collect::<HashSet<(String, String)>>();

    let mut kept = KeptRows {
        text: Vec::new(),
        tables: Vec::new(),
        sequences: Vec::new(),
        refreshed: Vec::new(),
        source: data.name.clone(),
    };
    let mut previous: Option<Toc> = None;
    for entry in &entries {
        let key = (entry.schema, entry.name);
        let keep = match entry.object_type {
            "TABLE DATA" | "MATERIALIZED VIEW DATA" => chosen.contains(&key),
            "SEQUENCE SET" => owned.contains(&(key.0.to_string(), key.1.to_string())),
            _ => false,
        };
        if !keep {
            continue;
        }
        let toc = entry.statement.toc;
        let start = if toc == previous {
            entry.statement.span.start
        } else {
            entry_start(data.input, entry.statement)
        };
        previous = toc;
        let span = with_line_end(data.input, start..entry.statement.span.end);
        kept.text.extend_from_slice(&data.input[span]);
        if !kept.text.ends_with(b"\n") {
            kept.text.push(b'\n');
        }
        kept.text.push(b'\n');
        if entry.object_type == "TABLE DATA" {
            let rows = entry
                .statement
                .copy_blocks()
                .map(|b| memchr::memchr_iter(b'\n', &data.input[b.clone()]).count())
                .sum::<usize>()
                + usize::from(entry.statement.kind == StatementKind::Sql);
            match kept.tables.last_mut() {
                Some((name, count)) if *name == entry.qualified() => *count += rows,
                _ => kept.tables.push((entry.qualified(), rows)),
            }
        } else if entry.object_type == "MATERIALIZED VIEW DATA" {
            kept.refreshed.push(entry.qualified());
        } else {
            kept.sequences.push(entry.qualified());
        }
    }
    Ok(kept)
}

/// `(sequence, table)` pairs, each `(schema, name)` unquoted, from
/// `ALTER SEQUENCE s OWNED BY t.c` and identity columns.
fn sequence_owners(entries: &[Entry]) -> Vec<((String, String), (String, String))> {
    let mut owners = Vec::new();
    for entry in entries {
        let Ok(text) = entry.text else { continue };
        let tokens = significant_tokens(text);
        let mut c = Cursor::new(&tokens);
        let table = match entry.object_type {
            "SEQUENCE OWNED BY" => {
                let found =
                    c.phrase("ALTER SEQUENCE") && c.name().is_some() && c.phrase("OWNED BY");
                let column = if found { c.name_parts() } else { None };
                column.and_then(|mut parts| {
                    parts.pop();
                    (parts.len() == 2).then(|| (parts[0].clone(), parts[1].clone()))
                })
            }
            "SEQUENCE" if c.phrase("ALTER TABLE") => {
                c.eat("ONLY");
                c.name_parts()
                    .filter(|p| p.len() == 2)
                    .map(|p| (p[0].clone(), p[1].clone()))
            }
            _ => None,
        };
        if let Some(table) = table {
            owners.push(((entry.schema.to_string(), entry.name.to_string()), table));
        }
    }
    owners
}

// ---------------------------------------------------------------------------
// The downgrade

/// When a drop runs: objects first, then extensions, then schemas, so that
/// nothing is dropped while something else still lives in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Objects,
    Extensions,
    Schemas,
}

/// What the downgrade of a dump does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downgrade {
    /// The statements, in the order they run; each one statement, no `;`.
    pub drops: Vec<String>,
    /// Objects the downgrade does not drop, as `TYPE schema.name`.
    pub not_dropped: Vec<String>,
}

/// The downgrade [`squash`] writes for `dump` (Alembic's `version_table`
/// left out), without the rest of the migration.
pub fn downgrade_of(dump: &[u8], version_table: &str) -> Result<Downgrade, SquashError> {
    let statements = complete_statements(dump, Which::Dump)?;
    let entries: Vec<Entry> = statements
        .iter()
        .filter_map(|s| Entry::of(dump, s))
        .collect();
    let schema_entries: Vec<&Entry> = entries
        .iter()
        .filter(|e| !names_table(e.name, version_table))
        .collect();
    downgrade(&schema_entries)
}

/// Types whose objects die with their owner: no statement of their own.
const DROPPED_WITH_OWNER: &[&str] = &[
    "INDEX",
    "INDEX ATTACH",
    "CONSTRAINT",
    "CHECK CONSTRAINT",
    "COMMENT",
    "ACL",
    "DEFAULT ACL",
    "SECURITY LABEL",
    "SEQUENCE OWNED BY",
    "TABLE ATTACH",
    "TABLE DATA",
    "SEQUENCE SET",
    "MATERIALIZED VIEW DATA",
    "ROW SECURITY",
    "STATISTICS DATA",
    "PUBLICATION TABLE",
    "PUBLICATION TABLES IN SCHEMA",
];

fn downgrade(entries: &[&Entry]) -> Result<Downgrade, SquashError> {
    let mut staged: Vec<(Stage, String)> = Vec::new();
    let mut not_dropped = Vec::new();
    let mut base_types: HashSet<String> = HashSet::new();
    for entry in entries {
        if DROPPED_WITH_OWNER.contains(&entry.object_type) {
            continue;
        }
        let text = entry
            .text
            .map_err(|offset| SquashError::NotUtf8 { offset })?;
        let tokens = significant_tokens(text);
        let cannot_drop = match drop_statement(entry, &tokens, &mut base_types) {
            Some(drop) if is_plain_statement(&drop.1) => {
                staged.push(drop);
                false
            }
            // Made of more than names: never guessed at.
            Some(_) => true,
            None => tokens.first().is_some_and(|t| t.is("CREATE")),
        };
        if cannot_drop {
            not_dropped.push(format!("{} {}", entry.object_type, entry.qualified()));
        }
    }
    // The reverse of the dump's order, each stage after the one before.
    let mut seen = HashSet::new();
    let mut drops: Vec<(Stage, String)> = staged
        .into_iter()
        .rev()
        .filter(|(_, sql)| seen.insert(sql.clone()))
        .collect();
    drops.sort_by_key(|(stage, _)| *stage);
    Ok(Downgrade {
        drops: drops.into_iter().map(|(_, sql)| sql).collect(),
        not_dropped,
    })
}

/// The statement that undoes `entry`, if it creates something that needs one.
fn drop_statement(
    entry: &Entry,
    tokens: &[Token],
    base_types: &mut HashSet<String>,
) -> Option<(Stage, String)> {
    let mut c = Cursor::new(tokens);
    match entry.object_type {
        "FK CONSTRAINT" => {
            let _ = c.phrase("ALTER TABLE") || c.phrase("ALTER FOREIGN TABLE");
            let only = if c.eat("ONLY") { "ONLY " } else { "" };
            let table = c.name()?;
            c.phrase("ADD CONSTRAINT").then_some(())?;
            let name = c.name()?;
            return Some((
                Stage::Objects,
                format!("ALTER TABLE IF EXISTS {only}{table} DROP CONSTRAINT IF EXISTS {name}"),
            ));
        }
        "DEFAULT" => {
            c.phrase("ALTER TABLE").then_some(())?;
            let only = if c.eat("ONLY") { "ONLY " } else { "" };
            let table = c.name()?;
            c.eat("ALTER").then_some(())?;
            c.eat("COLUMN");
            let column = c.name()?;
            return Some((
                Stage::Objects,
                format!("ALTER TABLE IF EXISTS {only}{table} ALTER COLUMN {column} DROP DEFAULT"),
            ));
        }
        _ => {}
    }
    let keyword = object_keyword(entry.object_type)?;
    c.eat("CREATE").then_some(())?;
    while CREATE_MODIFIERS.iter().any(|modifier| c.eat(modifier)) {}
    c.phrase(keyword).then_some(())?;
    c.phrase("IF NOT EXISTS");
    if keyword == "CAST" {
        return Some((
            Stage::Objects,
            format!("DROP CAST IF EXISTS {}", c.parenthesized()?),
        ));
    }
    let name = c.name()?;
    let suffix = match keyword {
        "FUNCTION" | "PROCEDURE" => c.parameters(Defaults::Allowed)?,
        "AGGREGATE" => c.parameters(Defaults::None)?,
        "OPERATOR" => operator_arguments(&tokens[c.at..])?,
        "TRIGGER" | "POLICY" => {
            c.skip_to("ON").then_some(())?;
            format!(" ON {}", c.name()?)
        }
        "RULE" => {
            c.skip_to("TO").then_some(())?;
            format!(" ON {}", c.name()?)
        }
        "OPERATOR CLASS" | "OPERATOR FAMILY" => {
            c.skip_to("USING").then_some(())?;
            format!(" USING {}", c.name()?)
        }
        "TYPE" if c.at_end() => {
            // A shell type: the base type defined later needs CASCADE, for
            // its input and output functions depend on it and it on them.
            base_types.insert(name.clone());
            String::new()
        }
        "TYPE" if base_types.contains(&name) => " CASCADE".to_string(),
        _ => String::new(),
    };
    let stage = match keyword {
        "EXTENSION" => Stage::Extensions,
        "SCHEMA" => Stage::Schemas,
        _ => Stage::Objects,
    };
    Some((stage, format!("DROP {keyword} IF EXISTS {name}{suffix}")))
}

/// The SQL keywords for an object of pg_dump's type, for the types the
/// downgrade drops by name.
fn object_keyword(object_type: &str) -> Option<&'static str> {
    Some(match object_type {
        "PROCEDURAL LANGUAGE" => "LANGUAGE",
        "SHELL TYPE" => "TYPE",
        "TABLE" => "TABLE",
        "FOREIGN TABLE" => "FOREIGN TABLE",
        "VIEW" => "VIEW",
        "MATERIALIZED VIEW" => "MATERIALIZED VIEW",
        "SEQUENCE" => "SEQUENCE",
        "TYPE" => "TYPE",
        "DOMAIN" => "DOMAIN",
        "SCHEMA" => "SCHEMA",
        "EXTENSION" => "EXTENSION",
        "FUNCTION" => "FUNCTION",
        "PROCEDURE" => "PROCEDURE",
        "AGGREGATE" => "AGGREGATE",
        "OPERATOR" => "OPERATOR",
        "OPERATOR CLASS" => "OPERATOR CLASS",
        "OPERATOR FAMILY" => "OPERATOR FAMILY",
        "TRIGGER" => "TRIGGER",
        "EVENT TRIGGER" => "EVENT TRIGGER",
        "RULE" => "RULE",
        "POLICY" => "POLICY",
        "CAST" => "CAST",
        "COLLATION" => "COLLATION",
        "CONVERSION" => "CONVERSION",
        "TEXT SEARCH CONFIGURATION" => "TEXT SEARCH CONFIGURATION",
        "TEXT SEARCH DICTIONARY" => "TEXT SEARCH DICTIONARY",
        "TEXT SEARCH PARSER" => "TEXT SEARCH PARSER",
        "TEXT SEARCH TEMPLATE" => "TEXT SEARCH TEMPLATE",
        "STATISTICS" => "STATISTICS",
        "PUBLICATION" => "PUBLICATION",
        "SERVER" => "SERVER",
        "FOREIGN DATA WRAPPER" => "FOREIGN DATA WRAPPER",
        "ACCESS METHOD" => "ACCESS METHOD",
        _ => return None,
    })
}

/// `(left, right)` of `CREATE OPERATOR name (LEFTARG = left, RIGHTARG =
/// right, ...)`, `NONE` for a missing side, as `DROP OPERATOR` wants them.
fn operator_arguments(definition: &[Token]) -> Option<String> {
    let mut depth = 0usize;
    let (mut left, mut right) = (None, None);
    let mut i = 0;
    while i < definition.len() {
        let token = definition[i];
        match token.kind {
            TokenKind::OpenParen => depth += 1,
            TokenKind::CloseParen => depth = depth.saturating_sub(1),
            TokenKind::Ident if depth == 1 && (token.is("LEFTARG") || token.is("RIGHTARG")) => {
                let start = i + 2; // past the `=`
                let mut j = start;
                let mut inner = 0usize;
                while let Some(part) = definition.get(j) {
                    match part.kind {
                        TokenKind::OpenParen => inner += 1,
                        TokenKind::CloseParen if inner == 0 => break,
                        TokenKind::CloseParen => inner -= 1,
                        _ if inner == 0 && part.text == "," => break,
                        _ => {}
                    }
                    j += 1;
                }
                let value = joined(&definition[start.min(j)..j]);
                if token.is("LEFTARG") {
                    left = Some(value);
                } else {
                    right = Some(value);
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if left.is_none() && right.is_none() {
        return None;
    }
    let side = |s: Option<String>| s.unwrap_or_else(|| "NONE".to_string());
    Some(format!("({}, {})", side(left), side(right)))
}

/// A token that is neither whitespace nor a comment, with its text.
#[derive(Debug, Clone, Copy)]
struct Token<'t> {
    kind: TokenKind,
    text: &'t str,
}

impl Token<'_> {
    fn is(&self, keyword: &str) -> bool {
        self.kind == TokenKind::Ident && self.text.eq_ignore_ascii_case(keyword)
    }
}

fn significant_tokens(text: &str) -> Vec<Token<'_>> {
    crate::facts::significant_tokens(text.as_bytes())
        .map(|(kind, piece)| Token {
            kind,
            // Tokens end on character boundaries: the lexer splits only at
            // ASCII bytes.
            text: std::str::from_utf8(piece).unwrap_or(""),
        })
        .collect()
}

/// Reads a statement's tokens left to right.
struct Cursor<'a, 't> {
    tokens: &'a [Token<'t>],
    at: usize,
}

impl<'a, 't> Cursor<'a, 't> {
    fn new(tokens: &'a [Token<'t>]) -> Self {
        Cursor { tokens, at: 0 }
    }

    fn peek(&self) -> Option<&Token<'t>> {
        self.tokens.get(self.at)
    }

    fn at_end(&self) -> bool {
        self.peek().is_none_or(|t| t.kind == TokenKind::Semicolon)
    }

    /// Takes `keyword` if it comes next.
    fn eat(&mut self, keyword: &str) -> bool {
        let found = self.peek().is_some_and(|t| t.is(keyword));
        self.at += usize::from(found);
        found
    }

    /// Takes the words of `phrase` if they all come next, else nothing.
    fn phrase(&mut self, phrase: &str) -> bool {
        let start = self.at;
        if phrase.split(' ').all(|word| self.eat(word)) {
            return true;
        }
        self.at = start;
        false
    }

    /// Moves past the next `keyword`.
    fn skip_to(&mut self, keyword: &str) -> bool {
        while let Some(token) = self.peek().copied() {
            self.at += 1;
            if token.is(keyword) {
                return true;
            }
        }
        false
    }

    /// A possibly qualified name, as written (`public."Order"`).
    fn name(&mut self) -> Option<String> {
        let first = self.at;
        self.name_parts()?;
        Some(self.tokens[first..self.at].iter().map(|t| t.text).collect())
    }

    /// The parts of a possibly qualified name, unquoted.
    fn name_parts(&mut self) -> Option<Vec<String>> {
        let mut parts = Vec::new();
        loop {
            let token = self.peek()?;
            let part = match token.kind {
                TokenKind::Ident => token.text.to_string(),
                TokenKind::QuotedIdent => unquote(token.text),
                // An operator's own name: `public.===`.
                TokenKind::Operator => token.text.to_string(),
                _ => return None,
            };
            self.at += 1;
            parts.push(part);
            match self.peek() {
                Some(t) if t.kind == TokenKind::Dot => self.at += 1,
                _ => return Some(parts),
            }
        }
    }

    /// A routine's parenthesized parameter list as `DROP` takes it: each
    /// parameter's mode, name and type as written, without its default
    /// (`DEFAULT expr` or `= expr`), which `DROP FUNCTION` refuses. Types
    /// are read as tokens, so a `)` inside a quoted name (`keep."a(b"`) or a
    /// string of a default never ends the list.
    fn parameters(&mut self, defaults: Defaults) -> Option<String> {
        self.peek().filter(|t| t.kind == TokenKind::OpenParen)?;
        self.at += 1;
        let mut parameters: Vec<String> = Vec::new();
        let mut start = self.at;
        let mut default_at: Option<usize> = None;
        let mut depth = 0usize;
        loop {
            let token = *self.peek()?;
            let at = self.at;
            self.at += 1;
            let ends_parameter = depth == 0
                && (token.kind == TokenKind::CloseParen
                    || (token.kind == TokenKind::Other && token.text == ","));
            if ends_parameter {
                let parameter = &self.tokens[start..default_at.unwrap_or(at)];
                let empty_list = parameter.is_empty()
                    && parameters.is_empty()
                    && token.kind == TokenKind::CloseParen;
                if empty_list {
                    return Some("()".to_string());
                }
                if parameter.is_empty() {
                    return None;
                }
                parameters.push(joined(parameter));
                if token.kind == TokenKind::CloseParen {
                    return Some(format!("({})", parameters.join(", ")));
                }
                start = self.at;
                default_at = None;
                continue;
            }
            match token.kind {
                TokenKind::OpenParen => depth += 1,
                TokenKind::CloseParen => depth -= 1,
                TokenKind::Semicolon => return None,
                _ if depth == 0
                    && default_at.is_none()
                    && (token.is("DEFAULT")
                        || (token.kind == TokenKind::Operator && token.text == "=")) =>
                {
                    if defaults == Defaults::None {
                        return None;
                    }
                    default_at = Some(at);
                }
                _ => {}
            }
        }
    }

    /// A parenthesized group, as written, for `CAST (a AS b)`.
    fn parenthesized(&mut self) -> Option<String> {
        self.peek().filter(|t| t.kind == TokenKind::OpenParen)?;
        let start = self.at;
        let mut depth = 0usize;
        while let Some(token) = self.peek().copied() {
            self.at += 1;
            match token.kind {
                TokenKind::OpenParen => depth += 1,
                TokenKind::CloseParen => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(joined(&self.tokens[start..self.at]));
                    }
                }
                _ => {}
            }
        }
        None
    }
}

/// Whether a routine's parameters may have defaults (an aggregate's may not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Defaults {
    Allowed,
    None,
}

/// Whether `sql` is one statement made of nothing but names, numbers,
/// operators and punctuation: no string, no comment, no `;`, no psql
/// meta-command or variable, and no NUL, which no PostgreSQL name can hold
/// and which would cut the statement short on its way to the server.
/// Every drop must pass it, so that no text of a dump, however it is
/// quoted, can become a statement of its own in the downgrade.
fn is_plain_statement(sql: &str) -> bool {
    let bytes = sql.as_bytes();
    let mut at = 0;
    for token in tokenize(bytes, LexMode::default()) {
        let text = &bytes[at..at + token.len];
        at += token.len;
        let plain = match token.kind {
            TokenKind::Whitespace
            | TokenKind::Ident
            | TokenKind::Dot
            | TokenKind::Number
            | TokenKind::OpenParen
            | TokenKind::CloseParen
            | TokenKind::Operator => true,
            TokenKind::QuotedIdent => !text.contains(&0),
            TokenKind::Other => matches!(text, b"[" | b"]" | b","),
            _ => false,
        };
        if !plain {
            return false;
        }
    }
    let script = split(bytes, &SplitOptions::default());
    let clean = script
        .diagnostics
        .iter()
        .all(|d| d.severity == Severity::Note);
    clean
        && matches!(&script.statements[..], [only]
            if only.kind == StatementKind::Sql && only.variables().is_empty())
}

/// Tokens as one line of SQL: words apart, punctuation tight
/// (`(integer AS public.t)`, `character varying[]`).
fn joined(tokens: &[Token]) -> String {
    let mut text = String::new();
    let mut previous = "(";
    for token in tokens {
        let tight_after = matches!(previous, "(" | "." | "[");
        let tight_before = matches!(token.text, "(" | ")" | "." | "[" | "]" | ",");
        if !tight_after && !tight_before {
            text.push(' ');
        }
        text.push_str(token.text);
        previous = token.text;
    }
    text
}

fn unquote(quoted: &str) -> String {
    quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(quoted)
        .replace("\"\"", "\"")
}

// ---------------------------------------------------------------------------
// The migration's text

/// The groups of the docstring's inventory, in the order a reader looks for
/// them: pg_dump's header type and the group's title.
const LISTED: &[(&str, &str)] = &[
    ("SCHEMA", "Schemas"),
    ("EXTENSION", "Extensions"),
    ("TYPE", "Types"),
    ("DOMAIN", "Domains"),
    ("TABLE", "Tables"),
    ("FOREIGN TABLE", "Foreign tables"),
    ("VIEW", "Views"),
    ("MATERIALIZED VIEW", "Materialized views"),
    ("SEQUENCE", "Sequences"),
    ("FUNCTION", "Functions"),
    ("PROCEDURE", "Procedures"),
    ("AGGREGATE", "Aggregates"),
    ("TRIGGER", "Triggers"),
];

struct Inventory {
    /// Title and names, for the listed types present.
    groups: Vec<(&'static str, Vec<String>)>,
    /// The other types and how many entries each has.
    counted: BTreeMap<String, usize>,
}

fn inventory(entries: &[&Entry]) -> Inventory {
    let mut groups: Vec<(&'static str, Vec<String>)> = Vec::new();
    for (object_type, title) in LISTED {
        let mut names: Vec<String> = Vec::new();
        for entry in entries.iter().filter(|e| e.object_type == *object_type) {
            let label = match *object_type {
                "TRIGGER" => trigger_label(entry),
                _ => entry.qualified(),
            };
            // The statements of one entry share its header: one line each.
            if names.last() != Some(&label) {
                names.push(label);
            }
        }
        if !names.is_empty() {
            groups.push((title, names));
        }
    }
    let mut counted = BTreeMap::new();
    let mut previous: Option<Toc> = None;
    for entry in entries {
        let toc = entry.statement.toc;
        let listed = LISTED.iter().any(|(t, _)| *t == entry.object_type);
        if !listed && toc != previous {
            *counted.entry(entry.object_type.to_string()).or_insert(0) += 1;
        }
        previous = toc;
    }
    Inventory { groups, counted }
}

/// `trigger ON schema.table`, from the statement (pg_dump's header joins the
/// two names with a space, which names may hold too).
fn trigger_label(entry: &Entry) -> String {
    let fallback = entry.qualified();
    let Ok(text) = entry.text else {
        return fallback;
    };
    let tokens = significant_tokens(text);
    let mut c = Cursor::new(&tokens);
    let mut read = || {
        c.eat("CREATE").then_some(())?;
        c.phrase("OR REPLACE");
        c.eat("CONSTRAINT");
        c.eat("TRIGGER").then_some(())?;
        let name = c.name()?;
        c.skip_to("ON").then_some(())?;
        Some(format!("{name} ON {}", c.name()?))
    };
    read().unwrap_or(fallback)
}

fn migration(
    dump: &[u8],
    options: &SquashOptions,
    inventory: &Inventory,
    kept: Option<&KeptRows>,
    downgrade: &Downgrade,
) -> String {
    let mut py = String::new();
    write_migration(&mut py, dump, options, inventory, kept, downgrade)
        .expect("writing to a String cannot fail");
    py
}

fn write_migration(
    py: &mut String,
    dump: &[u8],
    options: &SquashOptions,
    inventory: &Inventory,
    kept: Option<&KeptRows>,
    downgrade: &Downgrade,
) -> std::fmt::Result {
    let revision = &options.revision;
    let mut doc = String::new();
    let title = options
        .message
        .clone()
        .unwrap_or_else(|| "The schema, consolidated from the migration chain".to_string());
    writeln!(doc, "{title}\n")?;
    writeln!(
        doc,
        "Revision ID: {revision}\nRevises: (none: the chain starts here)\n"
    )?;
    writeln!(
        doc,
        "Runs {revision}.sql, made by `pgsplit squash` from {}.",
        options.dump_name
    )?;
    for line in dump_versions(dump) {
        writeln!(doc, "{line}.")?;
    }
    if let Some(origin) = &options.origin {
        writeln!(doc, "The migrations this replaces are at {origin}.")?;
    }
    writeln!(doc, "\nWhat the schema holds:")?;
    for (title, names) in &inventory.groups {
        writeln!(doc, "\n{title} ({}):", names.len())?;
        for name in names {
            writeln!(doc, "    {name}")?;
        }
    }
    if !inventory.counted.is_empty() {
        let others: Vec<String> = inventory
            .counted
            .iter()
            .map(|(t, n)| format!("{} {n}", t.to_lowercase()))
            .collect();
        writeln!(
            doc,
            "\nAlso, by pg_dump's entry type: {}.",
            others.join(", ")
        )?;
    }
    if let Some(kept) = kept {
        writeln!(doc, "\nRows kept from {}:", kept.source)?;
        for (table, rows) in &kept.tables {
            writeln!(doc, "    {table}: {rows} rows")?;
        }
        for sequence in &kept.sequences {
            writeln!(doc, "    {sequence}: its current value")?;
        }
        for view in &kept.refreshed {
            writeln!(doc, "    {view}: refreshed")?;
        }
    }
    if !downgrade.not_dropped.is_empty() {
        writeln!(doc, "\nNot dropped by downgrade() (drop them by hand):")?;
        for what in &downgrade.not_dropped {
            writeln!(doc, "    {what}")?;
        }
    }
    write!(
        doc,
        "\nTo switch an existing database to this chain: back it up, compare it with\n\
         `pgsplit squash --verify URL`, then run `alembic stamp --purge {revision}`:\n\
         nothing runs, only the version is recorded.\n"
    )?;

    write!(py, "\"\"\"{}\"\"\"\n\n", docstring_body(&doc))?;
    py.push_str(
        "from alembic import op\n\nimport pgsplit.alembic  # noqa: F401  (registers op.execute_file and op.execute_sql)\n\n",
    );
    writeln!(py, "revision = {}", python_string(revision))?;
    py.push_str("down_revision = None\nbranch_labels = None\ndepends_on = None\n\n");
    py.push_str(
        "#: What the SQL file creates, dropped dependents first: the reverse of\n\
         #: pg_dump's order, then extensions, then schemas.\n",
    );
    py.push_str("DROPS = [\n");
    for drop in &downgrade.drops {
        writeln!(py, "    {},", python_string(drop))?;
    }
    py.push_str("]\n\n\n");
    write!(
        py,
        "def upgrade() -> None:\n    op.execute_file({})\n\n\n",
        python_string(&format!("{revision}.sql"))
    )?;
    // One statement per call: a drop is never joined with the others into a
    // script that would be split again.
    write!(
        py,
        "def downgrade() -> None:\n    for drop in DROPS:\n        op.execute_sql(drop, source={})\n",
        python_string(&format!("{revision}.py downgrade"))
    )?;
    Ok(())
}

/// pg_dump's `-- Dumped from database version` and `-- Dumped by pg_dump
/// version` lines, without the comment marker.
fn dump_versions(dump: &[u8]) -> Vec<String> {
    let head = &dump[..dump.len().min(4096)];
    String::from_utf8_lossy(head)
        .lines()
        .filter_map(|line| line.strip_prefix("-- Dumped "))
        .map(|rest| format!("Dumped {rest}"))
        .collect()
}

/// Text safe inside a `"""` docstring. Control characters are escaped: a
/// NUL makes a file Python refuses to import, and a carriage return or an
/// escape sequence would show the reader something other than the names.
fn docstring_body(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Quotes in a row so far: a third would close the docstring, and a
    // last one would run into its closing quotes.
    let mut quotes = 0;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '"' if quotes == 2 || chars.peek().is_none() => {
                out.push_str("\\\"");
                quotes = 0;
                continue;
            }
            '"' => out.push('"'),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push('\n'),
            c if c.is_control() => push_escaped(&mut out, c),
            c => out.push(c),
        }
        quotes = if ch == '"' { quotes + 1 } else { 0 };
    }
    out
}

/// `c` as a Python escape: `\x1b`, `\u2028`.
fn push_escaped(out: &mut String, c: char) {
    let _ = match c as u32 {
        code @ 0..=0xff => write!(out, "\\x{code:02x}"),
        code @ 0x100..=0xffff => write!(out, "\\u{code:04x}"),
        code => write!(out, "\\U{code:08x}"),
    };
}

/// A Python string literal for `text`, quoted as black and ruff format
/// would: double quotes unless the text holds more of them than of single.
fn python_string(text: &str) -> String {
    let doubles = text.matches('"').count();
    let quote = if doubles > text.matches('\'').count() {
        '\''
    } else {
        '"'
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}
