//! The comments that belong to a statement, and the statement's text as
//! `sqlparse.split` users expect it.
//!
//! A statement of [`crate::split`](fn@crate::split) runs from its first token through its `;`,
//! the way psql sends it: a `/* ... */` comment before it is already part of
//! it (psql keeps those in its buffer), a `--` comment is not (psql drops
//! those). Python code that splits scripts with `sqlparse.split` keeps the
//! `--` comments too, and relies on it: the comment explaining a migration
//! step is logged and stored with the step. So, as sqlparse does:
//! - the `--` comments between a statement and the one before it belong to
//!   it, blank lines between them included;
//! - a `--` comment on the line where a statement ends, after its `;`,
//!   belongs to that statement;
//! - the comments of an empty statement (`-- nothing\n;`) and those after
//!   the last statement belong to no statement, which is why they are left
//!   out: the server would answer an empty query.
//!
//! sqlparse goes one step further and also gives the statement the `--`
//! lines right below a same-line comment, down to the first blank line; that
//! is an accident of its tokens (its comment token swallows the line break),
//! and here those lines belong to the statement after them.
//!
//! Only the text changes: where statements end is the splitter's business,
//! and [`Attacher`] never moves a boundary.

use std::ops::Range;

use crate::lexer::{first_token, is_whitespace, line_end, LexMode, Span, TokenKind};
use crate::{Statement, StatementKind};

/// Finds each statement's comments, given the statements in the order the
/// splitter returns them (one call per statement, chunk after chunk).
#[derive(Debug, Clone)]
pub struct Attacher<'a> {
    input: &'a [u8],
    /// Where the comments of the next statement may start: after the text of
    /// the previous one, comments included.
    resume: usize,
}

impl<'a> Attacher<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        // psql skips a byte order mark, and so does the splitter: it is
        // not a token that separates a first comment from its statement.
        let resume = if input.starts_with("\u{feff}".as_bytes()) {
            3
        } else {
            0
        };
        Attacher { input, resume }
    }

    /// The part of the input that `statement`'s text covers: its span, grown
    /// to take in the comments that belong to it.
    pub fn extent(&mut self, statement: &Statement) -> Span {
        let span = statement.span.clone();
        // A statement on the line of a `COPY ... FROM stdin;`, which psql runs
        // after the data, lies inside the COPY's lines: the comments before
        // it are the COPY's. (So are those of a statement that holds a
        // meta-command line, which psql runs first and the splitter returns
        // first: rare enough to keep the rule this simple.)
        let inside_another = span.start < self.resume;
        let start = if inside_another {
            span.start
        } else {
            let gap = self.resume..span.start;
            leading_comments(&self.input[gap.clone()]).map_or(span.start, |at| gap.start + at)
        };
        let end = match statement.kind {
            StatementKind::Sql => same_line_comment_end(self.input, span.end),
            // A meta-command runs to the end of its line, and a COPY's data
            // ends with a line: nothing of the line is left after them.
            StatementKind::Copy | StatementKind::Meta => span.end,
        };
        if !inside_another {
            self.resume = end;
        }
        start..end
    }
}

/// Where the comments that belong to the next statement start in `gap`, the
/// bytes between two statements; `None` if there are none, or if `gap` is not
/// only comments, whitespace and empty statements.
fn leading_comments(gap: &[u8]) -> Option<usize> {
    let mut first_comment = None;
    let mut at = 0;
    while let Some(token) = first_token(&gap[at..], LexMode::default()) {
        match token.kind {
            TokenKind::Whitespace => {}
            TokenKind::LineComment | TokenKind::BlockComment => {
                first_comment.get_or_insert(at);
            }
            // The comments before an empty statement are that statement's,
            // and go with it.
            TokenKind::Semicolon => first_comment = None,
            _ => return None,
        }
        at += token.len;
    }
    first_comment
}

/// The end of the `--` comment that follows `end` on its line, with nothing
/// but spaces before it; `end` itself when there is none.
fn same_line_comment_end(input: &[u8], end: usize) -> usize {
    let rest = &input[end..];
    let spaces = rest
        .iter()
        .position(|&b| !is_whitespace(b) || b == b'\n' || b == b'\r')
        .unwrap_or(rest.len());
    let comment = &rest[spaces..];
    if comment.starts_with(b"--") {
        end + spaces + line_end(comment).unwrap_or(comment.len())
    } else {
        end
    }
}

/// A statement's text: a slice of the input when it is one, bytes made
/// for it otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    Slice(Range<usize>),
    Made(Vec<u8>),
}

impl Text {
    /// The text's bytes.
    pub fn bytes<'b>(&'b self, input: &'b [u8]) -> &'b [u8] {
        match self {
            Text::Slice(range) => &input[range.clone()],
            Text::Made(bytes) => bytes,
        }
    }
}

/// The text of `statement`, covering `extent` (from [`Attacher::extent`]):
/// its comments and what psql runs (a COPY with its data and `\.`), less
/// its terminating `;` if `strip_semicolon`. A COPY keeps the `;` of its
/// command, which does not end the text; a statement that the end of the
/// input or `\g` sends has none to drop.
pub fn text(input: &[u8], statement: &Statement, extent: Span, strip_semicolon: bool) -> Text {
    let span = &statement.span;
    let strip =
        strip_semicolon && statement.kind == StatementKind::Sql && statement.is_terminated();
    let plain = statement.holes.is_empty() && statement.copy_blocks().next().is_none();
    if plain && !strip {
        return Text::Slice(extent);
    }
    let body_end = span.start + without_semicolon(&input[span.clone()]).len();
    if plain && extent.end == span.end {
        return Text::Slice(extent.start..body_end);
    }
    let mut made = input[extent.start..span.start].to_vec();
    if plain {
        made.extend_from_slice(&input[span.start..body_end]);
    } else {
        let runnable = statement.runnable(input);
        let body = if strip {
            without_semicolon(&runnable)
        } else {
            &runnable
        };
        made.extend_from_slice(body);
    }
    made.extend_from_slice(&input[span.end..extent.end]);
    Text::Made(made)
}

/// `text` without its final `;` and the whitespace before it.
fn without_semicolon(text: &[u8]) -> &[u8] {
    let Some(body) = text.strip_suffix(b";") else {
        return text;
    };
    let kept = body
        .iter()
        .rposition(|&b| !is_whitespace(b))
        .map_or(0, |i| i + 1);
    &body[..kept]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{split, Compat, SplitOptions};

    /// The texts of `input`'s statements, as `pgsplit.split` returns them.
    fn texts_with(input: &str, compat: Compat, strip_semicolon: bool) -> Vec<String> {
        let input = input.as_bytes();
        let options = SplitOptions {
            compat,
            ..SplitOptions::default()
        };
        let mut attacher = Attacher::new(input);
        split(input, &options)
            .statements
            .iter()
            .map(|s| {
                let extent = attacher.extent(s);
                let text = text(input, s, extent, strip_semicolon);
                String::from_utf8(text.bytes(input).to_vec()).expect("UTF-8 in, UTF-8 out")
            })
            .filter(|t| !t.is_empty())
            .collect()
    }

    fn texts(input: &str) -> Vec<String> {
        texts_with(input, Compat::Default, false)
    }

    fn stripped(input: &str) -> Vec<String> {
        texts_with(input, Compat::Default, true)
    }

    #[test]
    fn a_comment_before_a_statement_belongs_to_it() {
        assert_eq!(
            texts("SELECT 1;\n-- the second\nSELECT 2;"),
            ["SELECT 1;", "-- the second\nSELECT 2;"]
        );
    }

    #[test]
    fn the_first_statement_takes_the_comments_that_open_the_script() {
        assert_eq!(
            texts("\n\n-- a\n\n-- b\nSELECT 1;"),
            ["-- a\n\n-- b\nSELECT 1;"]
        );
    }

    #[test]
    fn a_byte_order_mark_does_not_separate_a_comment_from_its_statement() {
        assert_eq!(texts("\u{feff}-- a\nSELECT 1;"), ["-- a\nSELECT 1;"]);
    }

    #[test]
    fn a_comment_after_the_semicolon_on_its_line_belongs_to_the_statement() {
        assert_eq!(
            texts("SELECT 1; -- one\nSELECT 2;\t-- two\r\n"),
            ["SELECT 1; -- one", "SELECT 2;\t-- two"]
        );
    }

    #[test]
    fn lines_below_a_same_line_comment_belong_to_the_next_statement() {
        assert_eq!(
            texts("SELECT 1; -- one\n-- about two\n\nSELECT 2;"),
            ["SELECT 1; -- one", "-- about two\n\nSELECT 2;"]
        );
    }

    #[test]
    fn a_block_comment_is_already_part_of_the_statement_after_it() {
        assert_eq!(
            texts("SELECT 1; /* two */\nSELECT 2;"),
            ["SELECT 1;", "/* two */\nSELECT 2;"]
        );
        assert_eq!(
            texts("SELECT 1;\n-- a\n/* b */\nSELECT 2;"),
            ["SELECT 1;", "-- a\n/* b */\nSELECT 2;"]
        );
    }

    #[test]
    fn comments_after_the_last_statement_belong_to_none() {
        assert_eq!(
            texts("SELECT 1;\n-- the end\n/* really */\n"),
            ["SELECT 1;"]
        );
        assert_eq!(texts("-- nothing but a comment"), Vec::<String>::new());
    }

    #[test]
    fn comments_of_an_empty_statement_go_with_it() {
        assert_eq!(
            texts("SELECT 1;\n-- empty\n;\n-- two\nSELECT 2;"),
            ["SELECT 1;", "-- two\nSELECT 2;"]
        );
    }

    #[test]
    fn comments_inside_a_statement_stay_where_they_are() {
        assert_eq!(
            texts("SELECT 1 -- inner\n;\nSELECT 2;"),
            ["SELECT 1 -- inner\n;", "SELECT 2;"]
        );
    }

    #[test]
    fn a_copy_keeps_its_data_and_its_header_comment() {
        assert_eq!(
            texts("-- Data for t\nCOPY t FROM stdin;\n1;x\n\\.\n-- next\nSELECT 2;"),
            [
                "-- Data for t\nCOPY t FROM stdin;\n1;x\n\\.",
                "-- next\nSELECT 2;"
            ]
        );
    }

    #[test]
    fn a_statement_on_the_copy_line_takes_no_comment_from_the_data() {
        assert_eq!(
            texts("COPY t FROM stdin; SELECT 2; -- after\n-- 1\n\\.\nSELECT 3;"),
            [
                "COPY t FROM stdin;\n-- 1\n\\.",
                "SELECT 2; -- after",
                "SELECT 3;"
            ]
        );
    }

    #[test]
    fn a_meta_command_takes_the_comments_before_it() {
        assert_eq!(
            texts("-- header\n\\restrict k\n\nSELECT 1;"),
            ["-- header\n\\restrict k", "SELECT 1;"]
        );
    }

    #[test]
    fn strip_semicolon_drops_the_terminator_and_the_space_before_it() {
        assert_eq!(
            stripped("SELECT 1 ;\nSELECT 2\n\n;  SELECT 3"),
            ["SELECT 1", "SELECT 2", "SELECT 3"]
        );
    }

    #[test]
    fn strip_semicolon_keeps_the_comments() {
        assert_eq!(
            stripped("-- one\nSELECT 1; -- done\n"),
            ["-- one\nSELECT 1 -- done"]
        );
    }

    #[test]
    fn strip_semicolon_leaves_a_semicolon_that_does_not_end_the_statement() {
        assert_eq!(stripped("SELECT 1 -- no end;"), ["SELECT 1 -- no end;"]);
        assert_eq!(stripped("SELECT (1;"), ["SELECT (1;"]);
        assert_eq!(stripped("SELECT 1 -- x;\n\\g\n"), ["SELECT 1 -- x;", "\\g"]);
    }

    #[test]
    fn strip_semicolon_leaves_the_copy_command_whole() {
        assert_eq!(
            stripped("COPY t FROM stdin;\n1\n\\.\n"),
            ["COPY t FROM stdin;\n1\n\\."]
        );
    }

    #[test]
    fn strip_semicolon_works_through_psql_escapes() {
        assert_eq!(stripped("SELECT 1\\; SELECT 2;"), ["SELECT 1; SELECT 2"]);
    }

    #[test]
    fn psql_mode_keeps_psql_statements_and_drops_the_emptied_ones() {
        assert_eq!(
            texts_with("SELECT 1;;\n-- two\nSELECT 2;", Compat::Psql, false),
            ["SELECT 1;", ";", "-- two\nSELECT 2;"]
        );
        assert_eq!(
            texts_with("SELECT 1;;\n-- two\nSELECT 2;", Compat::Psql, true),
            ["SELECT 1", "-- two\nSELECT 2"]
        );
    }
}
