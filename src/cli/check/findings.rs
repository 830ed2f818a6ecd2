//! What `check` finds in one file, as the search's sink.

use std::collections::BTreeSet;
use std::io;

use super::report::Report;
use super::suppress::Suppressions;
use super::Target;
use crate::cli::output::{display_name, say};
use crate::diagnostic::Code;
use crate::facts::StatementFacts;
use crate::lint::{
    copy_rows_note, is_quit, lint_statement, lint_statement_for_migration, not_utf8, quit_warning,
};
use crate::plan::{self, PlanOptions};
use crate::search::{Place, Sink, Summary};
use crate::{Diagnostic, Severity, Statement, StatementKind};

/// What `check` looks for in a file, and what it has already told once.
struct Linter {
    target: Target,
    /// What `execute_file` handles by itself, told at its first occurrence.
    told: BTreeSet<plan::Handled>,
    /// The client_encoding the script declares, once a statement has.
    declared: Option<String>,
    /// The first `\quit`, where psql stops (its offset and name), and how
    /// many statements follow it. Its finding waits for that count, and the
    /// findings after it wait with it, to be printed in input order.
    quit: Option<(usize, String, usize)>,
}

impl Linter {
    /// The finding about the `\quit`, once the input has ended, if any
    /// statement follows it (in psql mode none does).
    fn quit_warning(&self) -> Option<Diagnostic> {
        let (at, name, after) = self.quit.as_ref()?;
        (*after > 0).then(|| quit_warning(*at, name, *after))
    }

    /// The finding for bytes that stop being UTF-8 at `at`: a note for psql,
    /// which passes them on; for a migration an error, as `execute_file`
    /// refuses them, unless the script declares another encoding.
    fn not_utf8(&self, at: usize) -> Option<Diagnostic> {
        match self.target {
            Target::Psql => Some(not_utf8(at as u64)),
            Target::Alembic => self
                .declared
                .as_deref()
                .is_none_or(crate::encoding::is_utf8)
                .then(|| plan::not_utf8(at).diagnostic()),
        }
    }
}

/// The findings about a part of a script, kept apart by source so that
/// findings at one offset are always printed in the same order: the
/// splitter's, then [`lint_statement`]'s, then where the input stops being
/// UTF-8, then those for migrations. Where the input stops being UTF-8 is
/// told with the first findings at or after it, as if all were sorted.
#[derive(Default)]
struct Findings {
    splitter: Vec<Diagnostic>,
    statements: Vec<Diagnostic>,
    not_utf8: Option<Diagnostic>,
    migration: Vec<Diagnostic>,
}

impl Findings {
    fn is_empty(&self) -> bool {
        self.splitter.is_empty()
            && self.statements.is_empty()
            && self.not_utf8.is_none()
            && self.migration.is_empty()
    }

    /// Adds the findings about `statement` of `input`, a part of the script
    /// that starts at offset `base`. `copy_rows`: the rows of a COPY, or
    /// `None` for a COPY whose rows stream (its note is made at their end).
    fn lint(
        &mut self,
        input: &[u8],
        base: usize,
        statement: &Statement,
        copy_rows: Option<usize>,
        linter: &mut Linter,
    ) {
        match &mut linter.quit {
            Some((_, _, after)) => *after += 1,
            None if is_quit(statement) => {
                linter.quit = Some((base + statement.span.start, statement.tag.to_string(), 0));
            }
            None => {}
        }
        let (statements, migration) = (self.statements.len(), self.migration.len());
        let is_copy = statement.kind == StatementKind::Copy;
        match linter.target {
            // A streamed COPY's one finding is its note, made at its end.
            Target::Psql if is_copy && copy_rows.is_none() => {}
            Target::Psql => lint_statement(
                input,
                statement,
                &StatementFacts::of(input, statement),
                copy_rows.unwrap_or(0),
                &mut self.statements,
            ),
            Target::Alembic => {
                let facts = StatementFacts::of(input, statement);
                if linter.declared.is_none() {
                    linter.declared = facts.declared_encoding().flatten();
                }
                if let (true, Some(rows)) = (is_copy, copy_rows) {
                    self.statements
                        .push(copy_rows_note(statement.span.start, rows));
                }
                if let Err(refusal) = plan::step(input, statement, &facts, &PlanOptions::default())
                {
                    self.migration.push(refusal.diagnostic());
                }
                if let Some(handled) = plan::handled(statement, &facts) {
                    if linter.told.insert(handled) {
                        self.migration
                            .push(handled.diagnostic(statement.span.start));
                    }
                }
                lint_statement_for_migration(statement, &facts, &mut self.migration);
            }
        }
        for finding in self.statements[statements..]
            .iter_mut()
            .chain(&mut self.migration[migration..])
        {
            finding.offset += base;
        }
    }

    fn all(&self) -> impl Iterator<Item = &Diagnostic> {
        [&self.splitter, &self.statements, &self.migration]
            .into_iter()
            .flatten()
            .chain(&self.not_utf8)
    }

    /// In input order.
    fn into_sorted(self) -> Vec<Diagnostic> {
        let mut all = self.splitter;
        all.extend(self.statements);
        all.extend(self.not_utf8);
        all.extend(self.migration);
        all.sort_by_key(|d| d.offset);
        all
    }
}

/// What a check knows of where its input stops being UTF-8.
enum Utf8 {
    Unknown,
    /// Found at an offset (with its line and column), not yet told.
    Found(usize, (usize, usize)),
    Told,
}

/// `check`'s sink for one file: findings are gathered batch by batch and
/// told in input order when no later one can come before them (a COPY
/// whose rows stream, and everything after a `\quit`, wait).
pub struct Checker<'a> {
    file: &'a str,
    linter: Linter,
    report: &'a mut dyn Report,
    pending: Findings,
    /// Line and column of each pending finding's offset, found while its
    /// batch's bytes are at hand; sorted by offset.
    located: Vec<(usize, (usize, usize))>,
    /// A COPY whose rows stream: where it starts and its rows so far.
    copy: Option<(usize, usize)>,
    utf8: Utf8,
    started: bool,
    suppressions: Suppressions,
    /// The most findings of one code told; the rest are counted in `unshown`
    /// (both by code, in the order of [`Code::ALL`]).
    max_per_code: usize,
    shown: Vec<usize>,
    unshown: Vec<usize>,
    errors: usize,
}

impl<'a> Checker<'a> {
    /// A check of `file` for `target`, telling `report` at most
    /// `max_per_code` findings of one code (0: all).
    pub fn new(
        file: &'a str,
        target: Target,
        max_per_code: usize,
        report: &'a mut dyn Report,
    ) -> Self {
        Checker {
            file,
            linter: Linter {
                target,
                told: BTreeSet::new(),
                declared: None,
                quit: None,
            },
            report,
            pending: Findings::default(),
            located: Vec::new(),
            copy: None,
            utf8: Utf8::Unknown,
            started: false,
            suppressions: Suppressions::default(),
            max_per_code: if max_per_code == 0 {
                usize::MAX
            } else {
                max_per_code
            },
            shown: vec![0; Code::ALL.len()],
            unshown: vec![0; Code::ALL.len()],
            errors: 0,
        }
    }

    /// How many findings were errors.
    pub fn errors(&self) -> usize {
        self.errors
    }

    /// Finds the line and column of every pending finding not yet located
    /// (in offset order: lines are counted forwards).
    fn locate(&mut self, place: &mut Place<'_>) {
        let mut offsets: Vec<usize> = self
            .pending
            .all()
            .map(|d| d.offset)
            .chain(self.copy.map(|(at, _)| at))
            .filter(|offset| self.position(*offset).is_none())
            .collect();
        offsets.sort_unstable();
        offsets.dedup();
        let in_order = match (self.located.last(), offsets.first()) {
            (Some(&(last, _)), Some(&first)) => last < first,
            _ => true,
        };
        for offset in offsets {
            let at = place.line_col(offset as u64);
            self.located.push((offset, at));
        }
        if !in_order {
            self.located.sort_unstable_by_key(|&(offset, _)| offset);
        }
    }

    /// The line and column found for `offset`, if it has been.
    fn position(&self, offset: usize) -> Option<(usize, usize)> {
        let i = self
            .located
            .binary_search_by_key(&offset, |&(offset, _)| offset)
            .ok()?;
        Some(self.located[i].1)
    }

    /// Keeps the position of `offset`, found earlier.
    fn remember(&mut self, offset: usize, position: (usize, usize)) {
        if self.position(offset).is_none() {
            self.located.push((offset, position));
            self.located.sort_unstable_by_key(|&(offset, _)| offset);
        }
    }

    /// Notes where the input stops being UTF-8 once the reader has found it,
    /// with its line and column while its bytes are at hand.
    fn look_for_not_utf8(&mut self, place: &mut Place<'_>) {
        if let (Utf8::Unknown, Some(at)) = (&self.utf8, place.not_utf8_at()) {
            self.utf8 = Utf8::Found(at as usize, place.line_col(at));
        }
    }

    /// Tells where the input stops being UTF-8 with the pending findings, if
    /// any is at or after it.
    fn tell_not_utf8_if_due(&mut self) {
        let Utf8::Found(at, position) = self.utf8 else {
            return;
        };
        let last = self.pending.all().map(|d| d.offset).max();
        if last.is_some_and(|last| at <= last) {
            self.pending.not_utf8 = self.linter.not_utf8(at);
            self.remember(at, position);
            self.utf8 = Utf8::Told;
        }
    }

    /// Tells the pending findings in input order, less those silenced in
    /// the script and those past the most of their code.
    fn tell_pending(&mut self) -> io::Result<()> {
        for finding in std::mem::take(&mut self.pending).into_sorted() {
            let at = self
                .position(finding.offset)
                .expect("every pending finding is located at its batch's end");
            if self.suppressions.silences(at.0, finding.code) {
                continue;
            }
            if finding.severity == Severity::Error {
                self.errors += 1;
            }
            let code = finding.code as usize;
            if self.shown[code] >= self.max_per_code {
                self.unshown[code] += 1;
                continue;
            }
            self.shown[code] += 1;
            self.report.finding(self.file, at, &finding)?;
        }
        self.located.clear();
        self.report.flush()
    }

    /// Says how many findings of each code were not told.
    fn tell_unshown(&self) {
        let unshown = Code::ALL.iter().zip(&self.unshown).filter(|(_, &n)| n > 0);
        for (code, n) in unshown {
            say(format_args!(
                "{}: {n} more [{code}] findings not shown (--max-per-code 0 shows every one)",
                display_name(self.file)
            ));
        }
    }
}

impl Sink for Checker<'_> {
    fn diagnostic(&mut self, _: &mut Place<'_>, diagnostic: &Diagnostic) -> io::Result<()> {
        self.pending.splitter.push(diagnostic.clone());
        Ok(())
    }

    fn statement(
        &mut self,
        place: &mut Place<'_>,
        statement: &Statement,
        rows_follow: bool,
    ) -> io::Result<()> {
        let base = place.base as usize;
        let rows = statement.copy_data().map_or(0, |d| {
            memchr::memchr_iter(b'\n', &place.input[d.clone()]).count()
        });
        let copy_rows = (!rows_follow).then_some(rows);
        self.suppressions
            .read_through(place, statement, &mut self.pending.splitter);
        self.pending
            .lint(place.input, base, statement, copy_rows, &mut self.linter);
        if rows_follow {
            self.copy = Some((base + statement.span.start, 0));
        }
        Ok(())
    }

    fn copy_rows(&mut self, place: &mut Place<'_>, _: u64, rows: &[u8]) -> io::Result<()> {
        if let Some((_, count)) = &mut self.copy {
            *count += memchr::memchr_iter(b'\n', rows).count();
        }
        self.look_for_not_utf8(place);
        Ok(())
    }

    fn copy_end(&mut self, _: &mut Place<'_>, _: u64, _: u64) -> io::Result<()> {
        if let Some((at, rows)) = self.copy.take() {
            self.pending.statements.push(copy_rows_note(at, rows));
        }
        Ok(())
    }

    fn batch_end(&mut self, place: &mut Place<'_>) -> io::Result<()> {
        if !self.started {
            self.started = true;
            if place.base == 0 {
                let utf16 = plan::utf16_input(place.input).map(|r| r.diagnostic());
                self.pending.splitter.splice(0..0, utf16);
            }
        }
        self.look_for_not_utf8(place);
        self.suppressions
            .read_line_end(place, &mut self.pending.splitter);
        self.locate(place);
        if self.copy.is_some() || self.pending.is_empty() || self.linter.quit.is_some() {
            return Ok(());
        }
        self.tell_not_utf8_if_due();
        self.tell_pending()
    }

    fn finish(&mut self, place: &mut Place<'_>, _: &Summary) -> io::Result<()> {
        if let (Utf8::Unknown, Some(at)) = (&self.utf8, place.not_utf8_at()) {
            self.utf8 = Utf8::Found(at as usize, place.line_col(at));
        }
        if let Utf8::Found(at, position) = self.utf8 {
            self.pending.not_utf8 = self.linter.not_utf8(at);
            self.remember(at, position);
        }
        // At the offset of the `\quit`'s own finding, located with it.
        self.pending.statements.extend(self.linter.quit_warning());
        self.locate(place);
        self.tell_pending()?;
        self.tell_unshown();
        Ok(())
    }
}
