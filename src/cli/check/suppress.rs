//! Findings silenced in the SQL itself, as linters' users expect:
//!
//! ```sql
//! VACUUM big_table;  -- pgsplit: ignore[non-transactional]
//! -- pgsplit: ignore[meta-command, psql-variable]
//! \set ON_ERROR_STOP on
//! -- pgsplit: ignore-file[session-setting]
//! ```
//!
//! `ignore[CODES]` in a comment silences those codes on its own line, and
//! on the next line when the comment is alone on its line;
//! `ignore-file[CODES]` from its line to the end of the file (at the top,
//! the whole file). CODES are the findings' codes, as
//! `check` prints them, separated by commas. Only comments count: the same
//! words in a string are text. An unknown code is itself a finding, so a
//! typo cannot silence nothing quietly.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::diagnostic::Code;
use crate::lexer::{tokenize, LexMode, TokenKind};
use crate::search::Place;
use crate::{Diagnostic, Severity, Statement};

const MARK: &[u8] = b"pgsplit: ignore";

/// The suppressions of one file, as far as it has been read.
#[derive(Default)]
pub struct Suppressions {
    /// Codes silenced on a line: a comment's own, and the next line's when
    /// the comment is alone on its line.
    by_line: HashMap<usize, HashSet<Code>>,
    /// Codes silenced from a line on.
    from_line: Vec<(usize, Code)>,
    /// Where the bytes not yet searched for comments start (stream offset).
    searched_to: u64,
}

impl Suppressions {
    /// Whether a finding of `code` on `line` is silenced.
    pub fn silences(&self, line: usize, code: Code) -> bool {
        if self.by_line.is_empty() && self.from_line.is_empty() {
            return false;
        }
        self.by_line.get(&line).is_some_and(|c| c.contains(&code))
            || self
                .from_line
                .iter()
                .any(|&(from, c)| c == code && from <= line)
    }

    /// Reads the comments before `statement` and inside it (pushing a
    /// finding for each unknown code into `findings`).
    pub fn read_through(
        &mut self,
        place: &mut Place<'_>,
        statement: &Statement,
        findings: &mut Vec<Diagnostic>,
    ) {
        let base = place.base;
        let from = ((self.searched_to.max(base) - base) as usize).min(place.input.len());
        let start = statement.span.start.max(from);
        let end = statement.span.end.max(start);
        // Before the statement, only whitespace and comments.
        for at in marks(&place.input[from..start]) {
            self.read(place, from + at, findings);
        }
        let inside = &place.input[start..end];
        for at in marks(inside) {
            if in_comment(inside, at) {
                self.read(place, start + at, findings);
            }
        }
        self.searched_to = base + end as u64;
    }

    /// Reads the rest of the line the last statement ended on, where a
    /// comment silences findings of that statement's line.
    pub fn read_line_end(&mut self, place: &mut Place<'_>, findings: &mut Vec<Diagnostic>) {
        let base = place.base;
        let from = (self.searched_to.max(base) - base) as usize;
        let Some(rest) = place.input.get(from..) else {
            return;
        };
        let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
        for at in marks(line) {
            self.read(place, from + at, findings);
        }
        self.searched_to = base + (from + line.len()) as u64;
    }

    /// Reads the directive at `at` (an offset into `place.input`, at its mark).
    fn read(&mut self, place: &mut Place<'_>, at: usize, findings: &mut Vec<Diagnostic>) {
        let after = &place.input[at + MARK.len()..];
        let (whole_file, list) = match after.strip_prefix(b"-file") {
            Some(rest) => (true, rest),
            None => (false, after),
        };
        let Some(list) = list.strip_prefix(b"[") else {
            return;
        };
        let Some(close) = list.iter().position(|&b| b == b']' || b == b'\n') else {
            return;
        };
        let line = place.line_col(place.base + at as u64).0;
        // A comment alone on its line is about the next one; one after a
        // statement, about its own.
        let line_start = memchr::memrchr(b'\n', &place.input[..at]).map_or(0, |i| i + 1);
        let before = place.input[line_start..at].trim_ascii();
        let alone = before.starts_with(b"--") || before.starts_with(b"/*");
        let lines = if alone { line..=line + 1 } else { line..=line };
        for name in list[..close].split(|&b| b == b',') {
            let name = String::from_utf8_lossy(name.trim_ascii());
            let offset = place.base as usize + at;
            match Code::ALL.iter().find(|c| c.as_str() == name) {
                Some(&code) if whole_file => self.from_line.push((line, code)),
                Some(&code) => {
                    for line in lines.clone() {
                        self.by_line.entry(line).or_default().insert(code);
                    }
                }
                None => findings.push(Diagnostic::new(
                    Severity::Warning,
                    Code::UnknownSuppression,
                    offset,
                    format!(
                        "`pgsplit: ignore` names {name:?}, which is no finding's code; `pgsplit \
                         check --help` lists how findings are named, and each finding shows its code"
                    ),
                )),
            }
        }
    }
}

/// Offsets of the mark in `bytes`, searched for in every statement: the
/// searcher is made once.
fn marks(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    static FINDER: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(MARK));
    FINDER.find_iter(bytes)
}

/// Whether offset `at` of a statement's text is inside one of its comments.
fn in_comment(text: &[u8], at: usize) -> bool {
    let mut start = 0;
    for token in tokenize(text, LexMode::default()) {
        let end = start + token.len;
        if at < end {
            return matches!(
                token.kind,
                TokenKind::LineComment
                    | TokenKind::BlockComment
                    | TokenKind::UnterminatedBlockComment
            );
        }
        start = end;
    }
    false
}
