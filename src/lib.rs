//! pgsplit splits PostgreSQL SQL scripts exactly where psql does, and
//! correctly where psql is wrong.
//!
//! The crate is layered, each layer one module, each knowing only those
//! below it:
//! - [`lexer`]: a pure function from bytes to `(kind, len)` tokens, and
//!   [`Span`], the byte range everything above points into the input with;
//!   beside it the bulk scanners of the splitter's fast lanes, each held
//!   equal to it by a property test;
//! - [`meta`], [`toc`], [`tag`]: small readers for psql meta-commands,
//!   pg_dump's object headers and command tags;
//! - [`split`](mod@split): the state machine that turns tokens into statements, with
//!   diagnostics (their codes in [`diagnostic`]), and the lossless
//!   [`split::partition`] of the input;
//! - [`parallel`] and [`stream`]: the same statements from every core, and
//!   from any `Read` in fixed memory; [`search`]: the one entry point that
//!   picks between them and pushes what it finds into a sink;
//! - [`input`] (opening a file once), [`lines`] (byte offsets to line and
//!   column);
//! - [`facts`]: what a statement does (transactions, settings, COPY source,
//!   owners and privileges with their roles), decided once as a
//!   [`facts::StatementFacts`]; [`lint`] (what `check` reports), [`plan`]
//!   (what `execute_file` does), [`normalize`] and the Python records read it;
//! - [`attach`]: the comments that belong to each statement, for texts
//!   shaped as `sqlparse.split` gives them;
//! - on top: [`normalize`] and [`diff`] (comparing dumps), [`squash`] (a
//!   dump made a first migration), [`cli`] (the command line, one module
//!   per command).
//!
//! ```
//! let script = pgsplit::split(b"SELECT ';'; SELECT 2;", &Default::default());
//! assert_eq!(script.statements.len(), 2);
//! ```

pub mod attach;
pub mod changed;
pub mod cli;
mod color;
pub mod diagnostic;
pub mod diff;
pub mod encoding;
pub mod facts;
pub mod files;
pub mod input;
pub mod lexer;
pub mod lines;
pub mod lint;
pub mod meta;
pub mod normalize;
pub mod parallel;
pub mod plan;
mod progress;
#[cfg(feature = "python")]
mod python;
pub mod report;
pub mod search;
pub mod split;
pub mod squash;
pub mod stream;
pub mod tag;
pub mod terminal;
pub mod toc;
pub mod walk;

pub use lexer::Span;
pub use split::{
    partition, split, Compat, Diagnostic, Owner, Piece, Script, Severity, SplitOptions, Statement,
    StatementKind,
};
