//! A canonical text of a dump, for comparing two dumps of one schema.
//!
//! Two pg_dump runs of the same database never match byte for byte: the
//! `\restrict` key is random, version lines differ, and owners, privileges and
//! object order depend on who dumped and how the objects were created. The
//! normalizer removes that noise and nothing else. It works on the splitter's
//! statements and on tokens, so string literals, quoted identifiers and
//! function bodies are never touched (a `public.` inside a literal stays).
//!
//! The unit of comparison is the *entry*: the statements pg_dump writes under
//! one header (`CREATE TABLE` and its `ALTER TABLE ... OWNER TO`), or a single
//! statement where there is no header. Each entry has an identity (object
//! type, schema, name), which `--sort` orders by and [`crate::diff`] matches on.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::fmt;
use std::io::{self, Write};
use std::ops::ControlFlow;
use std::str::FromStr;

use rayon::prelude::*;

use crate::facts::{access, has_word, only_calls, Access};
use crate::lexer::{first_token, tokenize, LexMode, Span, TokenKind};

use crate::parallel::{split_chunks, Parallelism};
use crate::split::{copy_end_marker, SplitOptions, Statement, StatementKind};

/// The noise `--ignore` can leave out, one row each: the variant, its
/// value on the command line and in Python, and what it leaves out (also
/// the value's help). A new kind is a row here and its test in
/// [`NormalizeOptions::ignores`]'s callers.
macro_rules! ignore_kinds {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal,)*) => {
        /// Noise that can be left out on request (always-removed noise, the
        /// `\restrict` lines and dump version lines, is not here).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Ignore {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Ignore {
            /// Every kind, in the order of this table.
            pub const ALL: &'static [Ignore] = &[$(Ignore::$variant,)*];

            /// The value that names it: `owner`, `column-order`...
            pub fn name(self) -> &'static str {
                match self {
                    $(Ignore::$variant => $name,)*
                }
            }

            /// What it leaves out, in one line.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Ignore::$variant => concat!($($doc),*).trim_ascii(),)*
                }
            }
        }
    };
}

ignore_kinds! {
    /// `ALTER ... OWNER TO` statements that change nothing else, and the
    /// `Owner:` of headers.
    Owner = "owner",
    /// `GRANT`, `REVOKE`, `ALTER DEFAULT PRIVILEGES`.
    Acl = "acl",
    /// SQL comments (`COMMENT ON` stays: see `comment-on`). Each object's
    /// pg_dump header stays as one line: it is the normalized text's structure.
    Comments = "comments",
    /// `COMMENT ON` statements.
    CommentOn = "comment-on",
    /// Session settings: `SET`, `RESET`, and `SELECT pg_catalog.set_config(...)`
    /// of literals alone.
    Set = "set",
    /// The `public.` qualifier, on tokens only.
    PublicSchema = "public-schema",
    /// COPY data and sequence values (`SELECT pg_catalog.setval(...)` of
    /// literals alone).
    Data = "data",
    /// The order of columns: `CREATE TABLE` column definitions are sorted,
    /// and a text-format COPY's column list and data fields with them.
    ColumnOrder = "column-order",
}

impl Ignore {
    /// `--ignore`'s help, listing every value.
    pub fn help() -> String {
        let names: Vec<&str> = Ignore::ALL.iter().map(|i| i.name()).collect();
        format!(
            "Noise to leave out, comma-separated: {} (the \\restrict lines and dump version \
             lines always are)",
            names.join(", ")
        )
    }
}

impl FromStr for Ignore {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        if let Some(kind) = Ignore::ALL.iter().find(|i| i.name() == value) {
            return Ok(*kind);
        }
        let known: Vec<&str> = Ignore::ALL.iter().map(|i| i.name()).collect();
        let always = matches!(value, "restrict" | "version");
        Err(if always {
            format!(
                "--ignore {value}: those lines are always left out; drop the value (known: {})",
                known.join(", ")
            )
        } else {
            format!(
                "unknown --ignore value {value:?}; known: {}",
                known.join(", ")
            )
        })
    }
}

impl fmt::Display for Ignore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How to normalize.
#[derive(Debug, Clone, Default)]
pub struct NormalizeOptions {
    pub ignore: Vec<Ignore>,
    /// Order entries by identity within pg_dump's sections.
    pub sort: bool,
    /// Threads to normalize with (0: all cores); the output is the same for
    /// any number.
    pub jobs: usize,
}

impl NormalizeOptions {
    fn ignores(&self, what: Ignore) -> bool {
        self.ignore.contains(&what)
    }
}

/// pg_dump's three sections, in dump order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    PreData,
    Data,
    PostData,
    /// A statement the input ends inside (an unclosed quote, parenthesis or
    /// body): it swallows whatever follows, so it stays last.
    Unterminated,
}

/// What an entry is: object type, schema and name, as pg_dump's header says
/// or as the statement itself says.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identity {
    pub object_type: String,
    pub schema: String,
    pub name: String,
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.schema.is_empty() || self.schema == "-" {
            write!(f, "{} {}", self.object_type, self.name)
        } else {
            write!(f, "{} {}.{}", self.object_type, self.schema, self.name)
        }
    }
}

/// One entry of a normalized dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    pub identity: Identity,
    pub section: Section,
    /// The entry's normalized text, in pieces: its statements, each ending in
    /// a newline, in the dump's own encoding. COPY data is borrowed from the
    /// input, never copied.
    pub pieces: Vec<Cow<'a, [u8]>>,
}

impl Entry<'_> {
    /// The entry's text in one piece.
    pub fn text(&self) -> Vec<u8> {
        self.pieces.concat()
    }
}

/// The entries of `input`, normalized.
///
/// `--sort` orders them by section and identity, within three limits that
/// keep the sorted text meaning what the input meant, so that normalizing it
/// again finds the same entries:
/// - no entry moves across a `standard_conforming_strings` setting, which
///   decides how every literal after it is read;
/// - entries without a pg_dump header stay before those with one, which
///   would otherwise claim them (a header names every statement up to the
///   next one);
/// - a statement the input ends inside stays last, since it swallows
///   whatever follows it.
pub fn entries<'a>(input: &'a [u8], options: &NormalizeOptions) -> Vec<Entry<'a>> {
    let mut entries = Vec::new();
    for_each_entry(input, options, |entry| entries.push(entry));
    entries
}

/// Hands each entry of `input` to `visit`, in the order [`entries`] gives
/// them. Unsorted, each is handed over as soon as it is complete, and only
/// what `visit` keeps stays in memory; sorted, they are all held first.
pub fn for_each_entry<'a>(
    input: &'a [u8],
    options: &NormalizeOptions,
    mut visit: impl FnMut(Entry<'a>),
) {
    if options.sort {
        sorted_entries(input, options)
            .into_iter()
            .for_each(|(_, entry)| visit(entry));
    } else {
        each_keyed_entry(input, options, |_, entry| visit(entry));
    }
}

/// The entries in `--sort`'s order, with what they were sorted by.
fn sorted_entries<'a>(input: &'a [u8], options: &NormalizeOptions) -> Vec<(SortKey, Entry<'a>)> {
    let mut entries: Vec<(SortKey, Entry)> = Vec::new();
    each_keyed_entry(input, options, |key, entry| entries.push((key, entry)));
    // A stable sort keeps pg_dump's order among entries of one identity.
    entries.sort_by(|(key_a, a), (key_b, b)| {
        (key_a, a.section, &a.identity).cmp(&(key_b, b.section, &b.identity))
    });
    entries
}

/// Hands each entry to `visit` in input order, with what `--sort` orders it
/// by, once its last statement is known.
fn each_keyed_entry<'a>(
    input: &'a [u8],
    options: &NormalizeOptions,
    mut visit: impl FnMut(SortKey, Entry<'a>),
) {
    let mut current: Option<(SortKey, Entry)> = None;
    let mut literal_epoch = 0usize;
    walk(input, options, |statement, starts_entry, pieces| {
        let opens_epoch = may_set_standard_strings(input, statement);
        literal_epoch += usize::from(opens_epoch);
        if !starts_entry {
            if let Some((key, last)) = &mut current {
                last.pieces.extend(pieces);
                if opens_epoch {
                    // Its statements before the setting are read as those
                    // of the epoch before, which all stay before it.
                    key.literal_epoch = literal_epoch;
                    key.opens_epoch = Reverse(true);
                }
                return;
            }
        }
        let identity = identity(input, statement, options);
        let section = if statement.is_incomplete() {
            Section::Unterminated
        } else {
            section(&identity.object_type, statement)
        };
        let key = SortKey {
            swallows_the_rest: section == Section::Unterminated,
            literal_epoch,
            opens_epoch: Reverse(opens_epoch),
            has_header: statement.toc.is_some(),
        };
        let entry = Entry {
            identity,
            section,
            pieces,
        };
        if let Some((key, entry)) = current.replace((key, entry)) {
            visit(key, entry);
        }
    });
    if let Some((key, entry)) = current {
        visit(key, entry);
    }
}

/// What `--sort` orders by before section and identity (see [`entries`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey {
    swallows_the_rest: bool,
    /// How many `standard_conforming_strings` settings come before, or are
    /// this entry's.
    literal_epoch: usize,
    /// Whether the entry is the setting that opens its epoch: it stays first.
    opens_epoch: Reverse<bool>,
    has_header: bool,
}

/// Whether the statement may set `standard_conforming_strings`, which the
/// splitter follows: `SET ... standard_conforming_strings`, `RESET` of it or
/// of all. Erring towards yes only keeps a statement or an order.
fn may_set_standard_strings(input: &[u8], statement: &Statement) -> bool {
    let text = statement.text(input);
    match statement.tag.as_ref() {
        "SET" => has_word(&text, b"standard_conforming_strings"),
        "RESET" => has_word(&text, b"standard_conforming_strings") || has_word(&text, b"all"),
        _ => false,
    }
}

/// Whether the statement may turn `standard_conforming_strings` off, after
/// which backslashes in plain literals escape.
fn may_turn_standard_strings_off(input: &[u8], statement: &Statement) -> bool {
    statement.tag.as_ref() == "SET"
        && may_set_standard_strings(input, statement)
        && ["off", "false", "no", "0", "'off'", "'false'", "'no'", "'0'"]
            .iter()
            .any(|value| has_word(&statement.text(input), value.as_bytes()))
}

/// Visits each kept statement's normalized pieces, in input order, saying
/// whether it starts an entry (its pieces then begin with the header).
///
/// The input is split chunk by chunk, and a statement is normalized as soon
/// as the one after it is known (a meta-command after it may be what sends
/// it), so only a chunk or two of statements is in memory: unsorted output
/// streams, and sorted output and `diff` hold the entries, not the split.
fn walk<'a>(
    input: &'a [u8],
    options: &NormalizeOptions,
    visit: impl FnMut(&Statement, bool, Vec<Cow<'a, [u8]>>),
) {
    let parallelism = Parallelism {
        jobs: options.jobs,
        ..Parallelism::default()
    };
    // Statements are normalized a batch at a time on every thread, then
    // grouped into entries in order: the same text for any thread count.
    let pool = (options.jobs > 1)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(options.jobs)
                .build()
                .ok()
        })
        .flatten();
    let mut walk = Walk {
        input,
        options,
        pool: pool.as_ref(),
        threads: parallelism.threads(),
        held: Vec::new(),
        done: 0,
        keeps_settings: false,
        current_toc: None,
        any: false,
        awaiting_sender: false,
        visit,
    };
    split_chunks(input, &SplitOptions::default(), &parallelism, |script| {
        walk.held.append(&mut script.statements);
        walk.normalize_held(false);
        ControlFlow::Continue(())
    });
    walk.normalize_held(true);
}

/// The state of [`walk`] between chunks.
struct Walk<'a, 'o, V> {
    input: &'a [u8],
    options: &'o NormalizeOptions,
    pool: Option<&'o rayon::ThreadPool>,
    threads: usize,
    /// The statements split and still needed: the last one normalized (the
    /// one before the next to normalize), then those waiting.
    held: Vec<Statement>,
    /// How many of `held` are normalized already (none or that one).
    done: usize,
    /// From the first statement that may turn `standard_conforming_strings`
    /// off, its settings decide how the literals after them are read, and
    /// `--ignore set` keeps them; before it, they change nothing.
    keeps_settings: bool,
    current_toc: Option<crate::toc::Toc>,
    any: bool,
    /// A kept statement that the meta-command after it sends (`\g`): the
    /// meta-command joins its entry, so that `--sort` keeps them together.
    awaiting_sender: bool,
    visit: V,
}

impl<'a, V: FnMut(&Statement, bool, Vec<Cow<'a, [u8]>>)> Walk<'a, '_, V> {
    /// Normalizes and visits the held statements whose next statement is
    /// known (all of them at the input's end), keeping what the next ones
    /// need.
    fn normalize_held(&mut self, at_end: bool) {
        let end = if at_end {
            self.held.len()
        } else {
            self.held.len().saturating_sub(1)
        };
        let mut from = self.done;
        while from < end {
            let to = end.min(from + BATCH);
            self.normalize_batch(from, to);
            from = to;
        }
        if end > self.done {
            self.held.drain(..end - 1);
            self.done = 1;
        }
    }

    /// Normalizes `held[from..to]` on every thread, then groups them into
    /// entries in order.
    fn normalize_batch(&mut self, from: usize, to: usize) {
        let input = self.input;
        let options = self.options;
        let held = &self.held;
        let keeps: Vec<bool> = held[from..to]
            .iter()
            .map(|statement| {
                self.keeps_settings |= may_turn_standard_strings_off(input, statement);
                self.keeps_settings
            })
            .collect();
        // A statement's text, and its header when it is the first of its
        // entry (computed where the toc changes; grouping below asks for
        // more only when a dropped statement opened the entry).
        let normalize_one = |at: usize| {
            let statement = &held[at];
            let sent_by_meta = sent_by_meta(held, at);
            let place = Place {
                keeps_settings: keeps[at - from],
                sent_by_meta,
                copy_sender: (sent_by_meta && statement.kind == StatementKind::Copy)
                    .then(|| held[at + 1].span.clone()),
                sends_copy: at > 0 && sends_copy(held, at - 1),
            };
            let text = statement_text(input, statement, options, place)?;
            let opens = at == from || !same_toc(&held[at - 1], statement);
            let header = statement
                .toc
                .as_ref()
                .filter(|_| opens)
                .map(|toc| header(input, toc, options).into_bytes());
            Some((text, header))
        };
        let each = || (from..to).into_par_iter().map(normalize_one).collect();
        let normalized: Vec<Option<Normalized<'a>>> = match self.pool {
            _ if self.threads <= 1 || to - from < 64 => (from..to).map(normalize_one).collect(),
            Some(pool) => pool.install(each),
            None => each(),
        };
        for (at, text) in (from..to).zip(normalized) {
            let statement = &held[at];
            let sends =
                std::mem::take(&mut self.awaiting_sender) && statement.kind == StatementKind::Meta;
            let Some((text, made_header)) = text else {
                continue;
            };
            self.awaiting_sender = sent_by_meta(held, at);
            let toc = statement.toc;
            if (sends || (toc.is_some() && toc == self.current_toc)) && self.any {
                (self.visit)(statement, false, text);
                continue;
            }
            self.current_toc = toc;
            self.any = true;
            // The header stays even when comments are ignored: it carries the
            // identity, so normalizing the normalized text finds the same objects.
            let mut pieces = Vec::with_capacity(text.len() + 1);
            if let Some(toc) = &statement.toc {
                let made = made_header.unwrap_or_else(|| header(input, toc, options).into_bytes());
                pieces.push(Cow::Owned(made));
            }
            pieces.extend(text);
            (self.visit)(statement, true, pieces);
        }
    }
}

/// A statement's normalized pieces, and its entry's header if it opens one.
type Normalized<'a> = (Vec<Cow<'a, [u8]>>, Option<Vec<u8>>);

/// What normalizing a statement needs to know about the statements around it.
#[derive(Debug, Clone)]
struct Place {
    /// `standard_conforming_strings` settings decide how later literals are
    /// read here, and `--ignore set` leaves them in.
    keeps_settings: bool,
    /// The meta-command after the statement sends it (`\g`, `\gexec`): it
    /// needs no `;`, which would make the meta-command send it again.
    sent_by_meta: bool,
    /// For a COPY a meta-command sends: that meta-command, which stands
    /// between the command and its data and is written there.
    copy_sender: Option<Span>,
    /// The statement is the meta-command that sends the COPY before it, and
    /// is written with that COPY.
    sends_copy: bool,
}

/// Whether `statements[at]` is a COPY that the meta-command after it sends.
fn sends_copy(statements: &[Statement], at: usize) -> bool {
    statements[at].kind == StatementKind::Copy && sent_by_meta(statements, at)
}

/// Whether the meta-command after `statements[at]` is what sends it.
fn sent_by_meta(statements: &[Statement], at: usize) -> bool {
    let statement = &statements[at];
    statement.kind != StatementKind::Meta
        && !statement.is_terminated()
        && statements
            .get(at + 1)
            .is_some_and(|next| next.kind == StatementKind::Meta)
}

fn same_toc(a: &Statement, b: &Statement) -> bool {
    a.toc.is_some() && a.toc == b.toc
}

/// Statements normalized at a time: enough to keep every thread busy, few
/// enough that unsorted output still streams.
const BATCH: usize = 8192;

/// The canonical text of `input`: its entries, separated by blank lines, in
/// the dump's own encoding.
pub fn normalize(input: &[u8], options: &NormalizeOptions) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    normalize_to(input, options, &mut out).expect("writing to memory cannot fail");
    out
}

/// Writes the canonical text of `input` to `out`. Unsorted, it streams: no
/// entry is kept once written.
pub fn normalize_to(
    input: &[u8],
    options: &NormalizeOptions,
    out: &mut impl Write,
) -> io::Result<()> {
    let mut first = true;
    let mut headers_written = false;
    let mut write_entry =
        |starts_entry: bool, has_header: bool, pieces: &[Cow<'_, [u8]>]| -> io::Result<()> {
            if starts_entry {
                if !std::mem::take(&mut first) {
                    out.write_all(b"\n")?;
                }
                // A header names every statement up to the next one, unless
                // the dump's end comes first: an entry without one after
                // entries with one says so, as pg_dump does.
                if !has_header && headers_written {
                    out.write_all(END_OF_HEADERS)?;
                }
                headers_written |= has_header;
            }
            pieces.iter().try_for_each(|piece| out.write_all(piece))
        };
    if options.sort {
        for (key, entry) in sorted_entries(input, options) {
            write_entry(true, key.has_header, &entry.pieces)?;
        }
        return Ok(());
    }
    let mut result = Ok(());
    walk(input, options, |statement, starts_entry, pieces| {
        if result.is_ok() {
            result = write_entry(starts_entry, statement.toc.is_some(), &pieces);
        }
    });
    result
}

/// The comment that ends the reach of pg_dump's last header.
const END_OF_HEADERS: &[u8] = b"-- PostgreSQL database dump complete\n";

fn lossy(input: &[u8], span: &Span) -> String {
    String::from_utf8_lossy(&input[span.clone()]).into_owned()
}

fn header(input: &[u8], toc: &crate::toc::Toc, options: &NormalizeOptions) -> String {
    // pg_dump's own form, so that the normalized text parses the same way.
    let owner = if options.ignores(Ignore::Owner) {
        "-".to_string()
    } else {
        lossy(input, &toc.owner())
    };
    format!(
        "-- Name: {}; Type: {}; Schema: {}; Owner: {owner}\n",
        lossy(input, &toc.name()),
        lossy(input, &toc.object_type()),
        lossy(input, &toc.schema())
    )
}

/// A statement's normalized text with its newline, or None to leave it out.
fn statement_text<'a>(
    input: &'a [u8],
    statement: &Statement,
    options: &NormalizeOptions,
    place: Place,
) -> Option<Vec<Cow<'a, [u8]>>> {
    if statement.kind == StatementKind::Meta {
        // `\restrict` keys are random; other meta-commands stay, but the one
        // that sends a COPY is written inside it.
        let name = statement.meta().map(|m| &input[m.name.clone()]);
        if matches!(name, Some(b"restrict" | b"unrestrict")) || place.sends_copy {
            return None;
        }
    }
    let tag = statement.tag.as_ref();
    let text = statement.source(input);
    // A statement is left out only when it does nothing but what is
    // ignored: `ALTER TABLE t OWNER TO app, DROP COLUMN c` stays whole.
    let access = || access(input, statement);
    let dropped = (options.ignores(Ignore::Owner)
        && matches!(access(), Access::Owner { alone: true, .. }))
        || (options.ignores(Ignore::Acl) && matches!(access(), Access::Privileges { .. }))
        || (options.ignores(Ignore::CommentOn) && tag == "COMMENT")
        || (options.ignores(Ignore::Set)
            && (matches!(tag, "SET" | "RESET") || only_calls(&text, b"set_config"))
            && !(place.keeps_settings && may_set_standard_strings(input, statement)))
        || (options.ignores(Ignore::Data) && only_calls(&text, b"setval"));
    if dropped {
        return None;
    }
    // Re-lexing is needed only when there is something to change: a
    // token-level ignore, or whitespace to tidy (checked on bytes, which
    // finds it inside literals too and then merely takes the slow path).
    let reorder = options.ignores(Ignore::ColumnOrder) && matches!(tag, "CREATE TABLE" | "COPY");
    let token_level =
        options.ignores(Ignore::Comments) || options.ignores(Ignore::PublicSchema) || reorder;
    let mut sql = if token_level || has_untidy_whitespace(&text) {
        let mut tidy = tokens_text(&text, options);
        if options.ignores(Ignore::Comments) && has_untidy_whitespace(&tidy) {
            // A dropped comment can leave the space before it at a line's end.
            tidy = tokens_text(&tidy, &NormalizeOptions::default());
        }
        tidy.trim_ascii().to_vec()
    } else {
        text.trim_ascii().to_vec()
    };
    // A statement psql ends at the end of the input or at a meta-command ends
    // at its own `;` in the normalized text, wherever `--sort` puts it. One
    // the input ends inside (an open quote, comment or parenthesis) cannot be
    // ended: a `;` would only join what it swallows, once more each time.
    let terminated = ends_with_terminator(&sql);
    let needs_end = !(terminated || place.sent_by_meta || statement.is_incomplete());
    if statement.kind != StatementKind::Meta && needs_end {
        if ends_in_line_comment(&sql) {
            sql.push(b'\n');
        }
        sql.push(b';');
    }
    let mut order = None;
    if reorder {
        let (sorted, permutation) = sort_column_list(&sql, tag == "CREATE TABLE");
        sql = sorted;
        order = permutation.filter(|_| tag == "COPY" && !is_binary_or_csv(&sql));
    }
    let mut pieces = Vec::new();
    // COPY rows (of `\copy ... from stdin` too) are data: they pass through
    // untouched, and are not copied, unless their fields follow a reordered
    // column list. Ignored, they are left out but their `\.` stays: a COPY
    // from stdin without it would read the statements after it as rows when
    // the text is normalized again. A COPY the input ends inside has no rows
    // and gets no `\.`, which would only become part of it.
    let blocks = statement
        .copy_blocks()
        .filter(|_| !statement.is_incomplete());
    if let Some(sender) = &place.copy_sender {
        // The rows follow the meta-command that sent the COPY, as in the input.
        sql.push(b'\n');
        sql.extend_from_slice(input[sender.clone()].trim_ascii());
    }
    for block in blocks {
        sql.push(b'\n');
        if !options.ignores(Ignore::Data) {
            pieces.push(Cow::Owned(std::mem::take(&mut sql)));
            let data = &input[block.clone()];
            match &order {
                Some(permutation) => pieces.push(Cow::Owned(permute_fields(data, permutation))),
                None => pieces.push(Cow::Borrowed(data)),
            }
            sql.extend_from_slice(copy_end_marker(data));
        } else {
            sql.extend_from_slice(copy_end_marker(b""));
        }
    }
    sql.push(b'\n');
    pieces.push(Cow::Owned(sql));
    Some(pieces)
}

/// Sorts the items of the statement's first parenthesized list: a table's
/// column definitions (one per line, as pg_dump writes them) or a COPY's
/// column names. Returns the new text and, for a list of plain names, the
/// original position of each sorted item.
fn sort_column_list(sql: &[u8], one_per_line: bool) -> (Vec<u8>, Option<Vec<usize>>) {
    let mut depth = 0usize;
    let mut open = None;
    let mut items: Vec<(usize, usize)> = Vec::new();
    let mut item_start = 0;
    let mut at = 0;
    for token in tokenize(sql, LexMode::default()) {
        let span = (at, at + token.len);
        at += token.len;
        match token.kind {
            TokenKind::OpenParen => {
                depth += 1;
                if depth == 1 && open.is_none() {
                    open = Some(span.0);
                    item_start = span.1;
                }
            }
            TokenKind::CloseParen => {
                if depth == 1 && open.is_some() {
                    items.push((item_start, span.0));
                    let Some(open) = open else { break };
                    let mut texts: Vec<(usize, &[u8])> = items
                        .iter()
                        .enumerate()
                        .map(|(i, &(a, b))| (i, sql[a..b].trim_ascii()))
                        .collect();
                    texts.sort_by(|x, y| x.1.cmp(y.1));
                    let separator: &[u8] = if one_per_line { b",\n    " } else { b", " };
                    let mut out = sql[..open + 1].to_vec();
                    if one_per_line {
                        out.extend_from_slice(b"\n    ");
                    }
                    out.extend_from_slice(
                        &texts
                            .iter()
                            .map(|t| t.1)
                            .collect::<Vec<_>>()
                            .join(separator),
                    );
                    if one_per_line {
                        out.push(b'\n');
                    }
                    out.extend_from_slice(&sql[span.0..]);
                    let permutation = texts.iter().map(|t| t.0).collect();
                    return (out, Some(permutation));
                }
                depth = depth.saturating_sub(1);
            }
            TokenKind::Other if depth == 1 && open.is_some() && &sql[span.0..span.1] == b"," => {
                items.push((item_start, span.0));
                item_start = span.1;
            }
            _ => {}
        }
    }
    (sql.to_vec(), None)
}

/// Whether the statement ends at a `;` token (not `\\;`, not one in a
/// comment). Lexing is needed only when the last line could hold a comment.
fn ends_with_terminator(sql: &[u8]) -> bool {
    if !sql.ends_with(b";") || sql.ends_with(b"\\;") {
        return false;
    }
    let last_line = &sql[sql.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)..];
    let may_hold_comment = last_line
        .windows(2)
        .any(|pair| pair == b"--" || pair == b"/*");
    if !may_hold_comment {
        return true;
    }
    tokenize(sql, LexMode::default())
        .filter(|t| !t.kind.is_trivia())
        .last()
        .is_some_and(|t| t.kind == TokenKind::Semicolon)
}

fn ends_in_line_comment(sql: &[u8]) -> bool {
    tokenize(sql, LexMode::default())
        .last()
        .is_some_and(|t| t.kind == TokenKind::LineComment)
}

fn is_binary_or_csv(copy: &[u8]) -> bool {
    has_word(copy, b"csv") || has_word(copy, b"binary")
}

/// Reorders the tab-separated fields of each text-format COPY row.
fn permute_fields(data: &[u8], permutation: &[usize]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    for row in data.split_inclusive(|&b| b == b'\n') {
        let (row, newline) = match row.strip_suffix(b"\n") {
            Some(row) => (row, true),
            None => (row, false),
        };
        let fields: Vec<&[u8]> = row.split(|&b| b == b'\t').collect();
        if fields.len() == permutation.len() {
            let reordered: Vec<&[u8]> = permutation.iter().map(|&i| fields[i]).collect();
            out.extend_from_slice(&reordered.join(&b'\t'));
        } else {
            out.extend_from_slice(row);
        }
        if newline {
            out.push(b'\n');
        }
    }
    out
}

/// Trailing spaces, blank lines or carriage returns, which the token pass
/// tidies outside literals. One pass over the bytes.
fn has_untidy_whitespace(text: &[u8]) -> bool {
    let mut previous = 0u8;
    for &byte in text {
        if byte == b'\r' || (byte == b'\n' && matches!(previous, b' ' | b'\t' | b'\n')) {
            return true;
        }
        previous = byte;
    }
    false
}

/// The statement's text, token by token, without what is ignored.
fn tokens_text(text: &[u8], options: &NormalizeOptions) -> Vec<u8> {
    let drop_comments = options.ignores(Ignore::Comments);
    let drop_public = options.ignores(Ignore::PublicSchema);
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    let mut skip_dot = false;
    // The last token written, while nothing but dropped comments follows it.
    let mut previous: &[u8] = b"";
    let mut dropped_since_previous = false;
    // Whether the statement's first word has gone by: the splitter reads it
    // (`COPY`), so no `public.` before it may go.
    let mut began = false;
    // Where the whitespace written last starts, while only dropped tokens
    // have followed it.
    let mut whitespace_run: Option<usize> = None;
    for token in tokenize(text, LexMode::default()) {
        let piece = &text[at..at + token.len];
        at += token.len;
        let first_word = !began && token.kind == TokenKind::Ident;
        began = match token.kind {
            TokenKind::Ident => true,
            // `\;` starts another statement of the same line.
            TokenKind::Semicolon | TokenKind::Backslash => false,
            _ => began,
        };
        match token.kind {
            TokenKind::LineComment | TokenKind::BlockComment if drop_comments => {
                dropped_since_previous = true;
                continue;
            }
            // A qualifier, never the statement's first word: `public.COPY x`
            // is no COPY, and must not become one.
            TokenKind::Ident
                if drop_public
                    && !first_word
                    && piece.eq_ignore_ascii_case(b"public")
                    && text.get(at) == Some(&b'.') =>
            {
                skip_dot = true;
                continue;
            }
            TokenKind::Dot if skip_dot => {
                skip_dot = false;
                continue;
            }
            TokenKind::Whitespace => {
                // Whitespace either side of a dropped token is one run, as
                // it is when the text is normalized again.
                let run_start = whitespace_run.unwrap_or(out.len());
                let mut run = out.split_off(run_start);
                run.extend_from_slice(piece);
                // Between tokens: no trailing spaces, no blank lines, indentation kept.
                match run.iter().rposition(|&b| b == b'\n') {
                    Some(last_newline) => {
                        out.push(b'\n');
                        out.extend_from_slice(&run[last_newline + 1..]);
                    }
                    None => out.extend_from_slice(&run),
                }
                whitespace_run = Some(run_start);
                skip_dot = false;
                previous = b"";
                continue;
            }
            _ => skip_dot = false,
        }
        whitespace_run = None;
        // A comment separates tokens as a space does: `*/ /**/ */` must not
        // become the comment opener `*/*/`, nor `a/**/b` the name `ab`.
        if dropped_since_previous && glue(previous, piece) {
            out.push(b' ');
        }
        dropped_since_previous = false;
        previous = piece;
        out.extend_from_slice(piece);
    }
    out
}

/// Whether `left` written right before `right` would lex as something other
/// than the token `left`.
fn glue(left: &[u8], right: &[u8]) -> bool {
    if left.is_empty() {
        return false;
    }
    let joined = [left, right].concat();
    first_token(&joined, LexMode::default()).map(|token| token.len) != Some(left.len())
}

/// pg_dump's header when there is one; otherwise the command and the first
/// name after it (`CREATE INDEX ix`, `ALTER TABLE public.t`).
fn identity(input: &[u8], statement: &Statement, options: &NormalizeOptions) -> Identity {
    if let Some(toc) = &statement.toc {
        let schema = lossy(input, &toc.schema());
        let public = options.ignores(Ignore::PublicSchema) && schema == "public";
        return Identity {
            object_type: lossy(input, &toc.object_type()),
            schema: if public { String::new() } else { schema },
            name: lossy(input, &toc.name()),
        };
    }
    let bytes = tokens_text(&statement.text(input), options);
    let text = String::from_utf8_lossy(&bytes);
    let command_words: Vec<&str> = statement.tag.split(' ').collect();
    let is_command_word = |piece: &str| {
        let upper = piece.to_ascii_uppercase();
        command_words.contains(&upper.as_str()) || NAME_PREFIXES.contains(&upper.as_str())
    };
    let mut name = String::new();
    let bytes = text.as_bytes();
    let mut at = 0;
    for token in tokenize(bytes, LexMode::default()) {
        let piece = &text[at..at + token.len];
        at += token.len;
        match token.kind {
            TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment => {
                if !name.is_empty() {
                    break;
                }
            }
            TokenKind::Ident if name.is_empty() && is_command_word(piece) => {}
            TokenKind::Ident | TokenKind::QuotedIdent | TokenKind::Dot => name.push_str(piece),
            _ if name.is_empty() => {}
            _ => break,
        }
    }
    Identity {
        object_type: statement.tag.to_string(),
        schema: String::new(),
        // A statement without a name is known by its text, less the `;`
        // that normalizing may add.
        name: if name.is_empty() {
            text.trim_end_matches(|c: char| c == ';' || c.is_whitespace())
                .trim()
                .to_string()
        } else {
            name
        },
    }
}

/// Words between a command and the name it acts on.
const NAME_PREFIXES: &[&str] = &[
    "ONLY",
    "IF",
    "NOT",
    "EXISTS",
    "CONCURRENTLY",
    "UNIQUE",
    "OR",
    "REPLACE",
    "TEMP",
    "TEMPORARY",
    "UNLOGGED",
    "CONSTRAINT",
    "RECURSIVE",
    "ON",
    "INTO",
    "FROM",
];

/// The pg_dump section an entry of `object_type` belongs to.
pub fn section(object_type: &str, statement: &Statement) -> Section {
    match object_type {
        "TABLE DATA" | "SEQUENCE SET" | "BLOB DATA" | "LARGE OBJECT DATA" => Section::Data,
        "CONSTRAINT"
        | "FK CONSTRAINT"
        | "INDEX"
        | "INDEX ATTACH"
        | "TRIGGER"
        | "EVENT TRIGGER"
        | "RULE"
        | "POLICY"
        | "MATERIALIZED VIEW DATA"
        | "PUBLICATION TABLE"
        | "PUBLICATION TABLES IN SCHEMA"
        | "STATISTICS" => Section::PostData,
        _ if statement.kind == StatementKind::Copy => Section::Data,
        _ => Section::PreData,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = "--\n-- PostgreSQL database dump\n--\n\n\\restrict abc\n\n-- Dumped from database version 18.1\n-- Dumped by pg_dump version 18.1\n\nSET statement_timeout = 0;\n\n--\n-- Name: t; Type: TABLE; Schema: public; Owner: alice\n--\n\nCREATE TABLE public.t (\n    a text DEFAULT 'public.x'   \n);\n\n\nALTER TABLE public.t OWNER TO alice;\n\n--\n-- Name: TABLE t; Type: ACL; Schema: public; Owner: alice\n--\n\nGRANT SELECT ON TABLE public.t TO bob;\n\n\\unrestrict abc\n";

    fn norm(ignore: &[&str]) -> String {
        let options = NormalizeOptions {
            ignore: ignore.iter().map(|i| i.parse().unwrap()).collect(),
            sort: false,
            ..NormalizeOptions::default()
        };
        String::from_utf8(normalize(DUMP.as_bytes(), &options)).unwrap()
    }

    /// Unsorted output without one kind of noise.
    fn ignoring(ignore: Ignore) -> NormalizeOptions {
        NormalizeOptions {
            ignore: vec![ignore],
            sort: false,
            ..NormalizeOptions::default()
        }
    }

    #[test]
    fn always_drops_restrict_and_trailing_whitespace() {
        let text = norm(&[]);
        assert!(!text.contains("restrict"), "{text}");
        assert!(!text.contains("   \n"), "{text}");
        assert!(text.contains(
            "-- Name: t; Type: TABLE; Schema: public; Owner: alice\nCREATE TABLE public.t ("
        ));
    }

    #[test]
    fn ignoring_owner_acl_and_set() {
        let text = norm(&["owner", "acl", "set"]);
        assert!(
            !text.contains("OWNER TO") && !text.contains("alice") && !text.contains("GRANT"),
            "{text}"
        );
        assert!(!text.contains("SET statement_timeout"), "{text}");
    }

    #[test]
    fn ignoring_owner_keeps_a_column_named_owner_being_renamed() {
        let options = ignoring(Ignore::Owner);
        let input = b"ALTER TABLE t RENAME COLUMN owner TO x;\nALTER TABLE t OWNER TO alice;\n";
        assert_eq!(
            String::from_utf8_lossy(&normalize(input, &options)),
            "ALTER TABLE t RENAME COLUMN owner TO x;\n"
        );
    }

    /// What `--ignore what` leaves of `input`.
    fn left_of(what: Ignore, input: &str) -> String {
        String::from_utf8_lossy(&normalize(input.as_bytes(), &ignoring(what))).into_owned()
    }

    #[test]
    fn ignoring_owner_keeps_an_alter_that_also_does_something_else() {
        for kept in [
            "ALTER TABLE public.t OWNER TO app, DROP COLUMN balance;",
            "ALTER TABLE public.t DROP COLUMN balance, OWNER TO app;",
            "ALTER TABLE public.t DROP COLUMN x OWNER TO app;",
            "ALTER FUNCTION public.f(integer) OWNER TO app RESET ALL;",
        ] {
            assert!(
                left_of(Ignore::Owner, kept).contains("app"),
                "{kept} was left out"
            );
        }
        for dropped in [
            "ALTER TABLE public.t OWNER TO app;",
            "ALTER TABLE ONLY \"My\".\"T\" OWNER TO \"App\";",
            "alter function public.f(integer, character varying[]) owner to app;",
            "ALTER OPERATOR public.=== (integer, integer) OWNER TO app;",
            "ALTER OPERATOR CLASS public.c USING btree OWNER TO app;",
            "ALTER TEXT SEARCH CONFIGURATION public.c OWNER TO app;",
            "ALTER LARGE OBJECT 16403 OWNER TO app;",
        ] {
            assert_eq!(left_of(Ignore::Owner, dropped), "", "{dropped} was kept");
        }
    }

    #[test]
    fn ignoring_set_and_data_keep_a_select_that_does_more() {
        for (what, kept) in [
            (
                Ignore::Set,
                "SELECT pg_catalog.set_config('search_path', '', false), public.wipe();",
            ),
            (
                Ignore::Set,
                "SELECT pg_catalog.set_config('x', (SELECT public.wipe())::text, false);",
            ),
            (
                Ignore::Set,
                "SELECT set_config('x', 'y', false) FROM public.t;",
            ),
            (
                Ignore::Data,
                "SELECT pg_catalog.setval('public.s', 1, true); DELETE FROM public.t;",
            ),
            (
                Ignore::Data,
                "SELECT pg_catalog.setval('public.s', public.f(), true);",
            ),
            (
                Ignore::Data,
                "SELECT public.wipe() WHERE pg_catalog.setval('public.s', 1) > 0;",
            ),
        ] {
            assert!(
                !left_of(what, kept).is_empty(),
                "--ignore {what}: {kept} was left out"
            );
        }
        for (what, dropped) in [
            (
                Ignore::Set,
                "SELECT pg_catalog.set_config('search_path', '', false);",
            ),
            (Ignore::Set, "SET statement_timeout = 0;"),
            (
                Ignore::Data,
                "SELECT pg_catalog.setval('public.s', 1, true);",
            ),
            (
                Ignore::Data,
                "SELECT pg_catalog.setval('public.s', -5, false);",
            ),
        ] {
            assert_eq!(
                left_of(what, dropped),
                "",
                "--ignore {what}: {dropped} was kept"
            );
        }
    }

    #[test]
    fn public_schema_is_dropped_on_tokens_only() {
        let text = norm(&["public-schema"]);
        assert!(text.contains("CREATE TABLE t ("), "{text}");
        assert!(text.contains("'public.x'"), "a literal was changed: {text}");
    }

    #[test]
    fn normalizing_twice_changes_nothing() {
        for ignore in [
            &[][..],
            &["owner", "acl", "comments", "set", "public-schema"][..],
        ] {
            let once = norm(ignore);
            let options = NormalizeOptions {
                ignore: ignore.iter().map(|i| i.parse().unwrap()).collect(),
                sort: true,
                ..NormalizeOptions::default()
            };
            let twice = normalize(once.as_bytes(), &options);
            let sorted_once = normalize(DUMP.as_bytes(), &options);
            assert_eq!(normalize(&sorted_once, &options), sorted_once);
            assert_eq!(twice, normalize(&twice, &options));
        }
    }

    #[test]
    fn a_statement_around_copy_data_normalizes_to_itself() {
        // Found by the idempotence property: the text around the data
        // joined `€` to the dollar quote after it.
        let input = "$$$$\u{20ac}\\COPY t FROM stdin\n\\.\n$$ALTER TABLE t OWNER TO x;\n\n$$";
        let once = normalize(input.as_bytes(), &NormalizeOptions::default());
        let twice = normalize(&once, &NormalizeOptions::default());
        assert_eq!(
            String::from_utf8_lossy(&twice),
            String::from_utf8_lossy(&once)
        );
    }

    #[test]
    fn dropped_comments_keep_their_neighbours_apart() {
        let options = ignoring(Ignore::Comments);
        for (input, expected) in [
            ("SELECT a/**/b;", "SELECT a b;\n"),
            ("SELECT 1 */ /* c */ */ 2;", "SELECT 1 */  */ 2;\n"),
            ("*//*/*/**/*/*/*/", "*/ */;\n"),
            ("SELECT 1-/**/-1;", "SELECT 1- -1;\n"),
            ("SELECT 'a'/**/'b';", "SELECT 'a' 'b';\n"),
            ("SELECT f(/* no space needed */x);", "SELECT f(x);\n"),
            ("SELECT 1 -- line\n, 2;", "SELECT 1\n, 2;\n"),
        ] {
            let once = normalize(input.as_bytes(), &options);
            assert_eq!(String::from_utf8_lossy(&once), expected, "{input}");
            assert_eq!(normalize(&once, &options), once, "{input}");
        }
    }

    #[test]
    fn identities_without_headers_come_from_the_statement() {
        let input = b"CREATE INDEX ix ON public.t (a);\nALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (a);\n";
        let found: Vec<String> = entries(input, &NormalizeOptions::default())
            .iter()
            .map(|e| e.identity.to_string())
            .collect();
        assert_eq!(found, ["CREATE INDEX ix", "ALTER TABLE public.t"]);
    }

    #[test]
    fn column_order_sorts_definitions_and_copy_fields_together() {
        let a =
            b"CREATE TABLE t (\n    b int,\n    a text\n);\nCOPY t (b, a) FROM stdin;\n2\tx\n\\.\n";
        let b =
            b"CREATE TABLE t (\n    a text,\n    b int\n);\nCOPY t (a, b) FROM stdin;\nx\t2\n\\.\n";
        let options = ignoring(Ignore::ColumnOrder);
        assert_eq!(normalize(a, &options), normalize(b, &options));
        assert_ne!(
            normalize(a, &NormalizeOptions::default()),
            normalize(b, &NormalizeOptions::default())
        );
        let once = normalize(a, &options);
        assert_eq!(normalize(&once, &options), once);
    }

    /// The normalized text of `input`, checked to be a fixed point.
    fn stable(input: &str, ignore: &[Ignore], sort: bool) -> String {
        let options = NormalizeOptions {
            ignore: ignore.to_vec(),
            sort,
            ..NormalizeOptions::default()
        };
        let once = normalize(input.as_bytes(), &options);
        let twice = normalize(&once, &options);
        let once = String::from_utf8_lossy(&once).into_owned();
        assert_eq!(String::from_utf8_lossy(&twice), once, "{input:?}");
        once
    }

    const TABLE_HEADER: &str = "--\n-- Name: t; Type: TABLE; Schema: public; Owner: -\n--\n\n";

    #[test]
    fn ignoring_data_keeps_the_end_of_copy_data() {
        let input = "COPY t (a) FROM stdin;\n1\n\\.\nCREATE TABLE u (a int);\n";
        assert_eq!(
            stable(input, &[Ignore::Data], false),
            "COPY t (a) FROM stdin;\n\\.\n\nCREATE TABLE u (a int);\n"
        );
    }

    #[test]
    fn a_psql_copy_from_stdin_keeps_its_rows() {
        let input = "\\copy t from stdin\n1\n\\.\nSELECT 1;\n";
        assert_eq!(
            stable(input, &[], false),
            "\\copy t from stdin\n1\n\\.\n\nSELECT 1;\n"
        );
    }

    #[test]
    fn a_statement_the_input_ends_inside_gets_no_semicolon() {
        assert_eq!(
            stable("SELECT 1;\nSELECT (1", &[], false),
            "SELECT 1;\n\nSELECT (1\n"
        );
        assert_eq!(
            stable("COPY t FROM stdin\"", &[], false),
            "COPY t FROM stdin\"\n"
        );
    }

    #[test]
    fn sorting_never_moves_an_entry_across_standard_conforming_strings() {
        let input = " x$y$ ;SET standard_conforming_strings = off;:: e' e'";
        assert_eq!(
            stable(input, &[], true),
            "x$y$ ;\n\nSET standard_conforming_strings = off;\n\n:: e' e';\n"
        );
    }

    #[test]
    fn sorting_keeps_entries_without_a_header_before_those_with_one() {
        let input = format!("VACUUM;\n\n{TABLE_HEADER}CREATE TABLE t ();\n");
        let sorted = stable(&input, &[], true);
        assert!(sorted.starts_with("VACUUM;\n"), "{sorted}");
    }

    #[test]
    fn a_copy_a_meta_command_sends_keeps_it_before_its_rows() {
        // The `;` is in a comment: `\g` sends the COPY, and its rows follow
        // the `\g` line. Written after the `\.`, the `\g` would leave the
        // COPY to read the `\.` as its end and then resend it.
        for input in [
            "COPY t FROM stdin -- c;\n\\g\n\\.\n",
            "COPY t FROM stdin -- c;\n\\g\n1\n2\n\\.\nSELECT 1;\n",
        ] {
            for sort in [false, true] {
                let once = stable(input, &[], sort);
                assert!(once.contains("-- c;\n\\g\n"), "{once}");
                assert_eq!(once.matches("\\g").count(), 1, "{once}");
            }
        }
    }

    #[test]
    fn an_entry_after_the_dump_end_stays_without_a_header() {
        let input = format!(
            "{TABLE_HEADER}CREATE TABLE t ();\n\n--\n-- PostgreSQL database dump complete\n--\n\nSET search_path TO x;\n"
        );
        let once = stable(&input, &[], false);
        assert!(once.ends_with("-- PostgreSQL database dump complete\nSET search_path TO x;\n"));
        let found: Vec<String> = entries(once.as_bytes(), &NormalizeOptions::default())
            .iter()
            .map(|e| e.identity.to_string())
            .collect();
        assert_eq!(found, ["TABLE public.t", "SET search_path"]);
    }

    #[test]
    fn ignoring_set_keeps_standard_conforming_strings_once_it_may_be_off() {
        // Read with the setting on, `'a\'', 1;` opens a string it never closes.
        let input = "SET standard_conforming_strings = on;\nSET standard_conforming_strings = off;\nSELECT 'a\\'', 1;\nSET x = 1;\n";
        assert_eq!(
            stable(input, &[Ignore::Set], false),
            "SET standard_conforming_strings = off;\n\nSELECT 'a\\'', 1;\n"
        );
    }

    #[test]
    fn a_statement_a_meta_command_sends_stays_with_it() {
        assert_eq!(stable("SELECT 1\n\\g\n", &[], false), "SELECT 1\n\\g\n");
        let input = format!(
            "{TABLE_HEADER}CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1;\n\n\\g\nSELECT 2;\n"
        );
        let sorted = stable(&input, &[], true);
        assert!(sorted.contains("SELECT 1;\n\\g\n"), "{sorted}");
    }

    #[test]
    fn ignoring_public_schema_keeps_a_statements_first_word() {
        let input = "1,\"a\"\npublic.COPY public.t (b, a) FROM stdin;\nSELECT public.f();\n";
        assert_eq!(
            stable(input, &[Ignore::PublicSchema], false),
            "1,\"a\"\npublic.COPY t (b, a) FROM stdin;\n\nSELECT f();\n"
        );
    }

    #[test]
    fn whitespace_around_a_dropped_qualifier_is_one_run() {
        let input = "SELECT a,\npublic.   \n\nb;\n";
        assert_eq!(
            stable(input, &[Ignore::PublicSchema], false),
            "SELECT a,\nb;\n"
        );
    }

    #[test]
    fn unknown_ignore_value_says_what_is_known() {
        let error = "owners".parse::<Ignore>().unwrap_err();
        assert!(error.contains("owner, acl"), "{error}");
    }
}
