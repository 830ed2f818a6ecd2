//! pgsplit splits PostgreSQL SQL scripts exactly where psql does, and
//! correctly where psql is wrong.
//!
//! The crate is layered, each layer one module:
//! - [`lexer`]: a pure function from bytes to `(kind, len)` tokens;
//! - [`meta`], [`toc`], [`tag`]: small readers for psql meta-commands,
//!   pg_dump's object headers and command tags;
//! - [`split`](mod@split): the state machine that turns tokens into statements, with
//!   diagnostics, and the lossless [`split::partition`] of the input;
//! - [`parallel`] and [`stream`]: the same statements from every core, and
//!   from any `Read` in fixed memory;
//! - [`lines`]: byte offsets to line and column;
//! - [`attach`]: the comments that belong to each statement, for texts
//!   shaped as `sqlparse.split` gives them;
//! - on top: [`lint`] (what `check` reports), [`normalize`] and [`diff`]
//!   (comparing dumps), [`squash`] (a dump made a first migration), [`cli`].
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
mod skip;
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
