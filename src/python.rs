//! The Python extension module `pgsplit._native` (cargo feature `python`).
//!
//! A thin layer that converts and nothing else: it hands plain tuples, dicts,
//! strings and bytes, and one private table of parsed statements
//! ([`StatementTable`]), to the pure-Python package in `python/pgsplit/`,
//! which builds the classes users see, so no Rust type ever reaches a Python
//! user. The GIL is
//! released while Rust works, and a panic, which would be a bug, becomes a
//! Python `RuntimeError` instead of tearing the interpreter down.

use std::borrow::Cow;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::exceptions::{PyIndexError, PyOSError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::attach::{self, Attacher, Text};
use crate::facts::{self, transactional, StatementFacts, Transactional};
use crate::input::{open_source, read_input, Opened};
use crate::lexer::Span;
use crate::lines::LineCounter;
use crate::normalize::{Ignore, NormalizeOptions};
use crate::parallel::Parallelism;
use crate::plan;
use crate::search::{search, Place, Sink, Source};
use crate::{Compat, Diagnostic, SplitOptions, Statement, StatementKind};

/// A diagnostic, as a dict of these fields (`_records.DiagnosticRecord`).
#[derive(IntoPyObject)]
struct DiagnosticRecord {
    severity: &'static str,
    line: usize,
    col: usize,
    offset: usize,
    message: String,
    code: &'static str,
}

fn options(compat: &str) -> PyResult<SplitOptions> {
    let compat = match compat {
        "default" => Compat::Default,
        "psql" => Compat::Psql,
        other => {
            return Err(PyValueError::new_err(format!(
                "compat must be \"default\" or \"psql\", not {other:?}"
            )))
        }
    };
    Ok(SplitOptions {
        compat,
        ..SplitOptions::default()
    })
}

/// Runs `work` without the GIL; a panic becomes a `RuntimeError`.
fn without_gil<T: Send>(py: Python<'_>, work: impl FnOnce() -> T + Send) -> PyResult<T> {
    py.detach(|| catch_unwind(AssertUnwindSafe(work)))
        .map_err(|panic| {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            PyRuntimeError::new_err(format!(
                "pgsplit internal error ({detail}); please report it with the input that caused it"
            ))
        })
}

/// The bytes of `sql`: a `bytes`-like object as it is, a `str` as UTF-8.
fn with_input<T>(sql: &Bound<'_, PyAny>, work: impl FnOnce(&[u8]) -> PyResult<T>) -> PyResult<T> {
    if let Ok(text) = sql.cast::<PyString>() {
        return work(text.to_cow()?.as_bytes());
    }
    if let Ok(bytes) = sql.cast::<PyBytes>() {
        return work(bytes.as_bytes());
    }
    let copied: Vec<u8> = sql.extract().map_err(|_| not_sql(sql))?;
    work(&copied)
}

/// The `TypeError` for an argument that is not SQL text.
fn not_sql(sql: &Bound<'_, PyAny>) -> PyErr {
    let name = sql.get_type().name().map(|n| n.to_string());
    PyTypeError::new_err(format!(
        "sql must be str or bytes, not {}",
        name.unwrap_or_default()
    ))
}

/// The statements of a parsed script in compact form, made into records
/// only when Python reads them.
///
/// A dump of a million statements would cost a million tuples, strings and
/// Python objects up front (seconds and gigabytes); the table costs one
/// buffer holding every statement's text (COPY data stays where it is) and a
/// small row per statement, and `Script` builds a `Statement` the first time
/// it is asked for one. It is filled chunk by chunk as the split goes, so
/// the whole split is never in memory beside it.
#[pyclass(frozen, module = "pgsplit._native")]
#[derive(Default)]
struct StatementTable {
    /// Every statement's text and every pg_dump header's four fields, as
    /// one string; rows and headers hold ranges into it.
    texts: String,
    rows: Vec<Row>,
    /// The pg_dump headers the rows name (name, type, schema, owner), each
    /// once for the statements of its entry.
    headers: Vec<[Span; 4]>,
}

/// One statement of a [`StatementTable`]; see `_records.StatementRecord`.
struct Row {
    text: Span,
    tag: Cow<'static, str>,
    start: usize,
    end: usize,
    line: u32,
    col: u32,
    end_line: u32,
    /// An index into `headers`, or `NO_HEADER`.
    header: u32,
    kind: StatementKind,
    in_transaction: Transactional,
    rare: Option<Box<RareRow>>,
}

const NO_HEADER: u32 = u32::MAX;

/// What few statements have, out of line so the common row stays small.
struct RareRow {
    meta: Option<(String, String)>,
    copy_blocks: Vec<(usize, usize)>,
    variables: Vec<(usize, usize)>,
}

/// Fills a [`StatementTable`] and the diagnostics' records, one chunk of
/// statements at a time, in input order.
#[derive(Default)]
struct Records {
    table: StatementTable,
    diagnostics: Vec<DiagnosticRecord>,
    statement_lines: LineCounter,
    diagnostic_lines: LineCounter,
    /// Where the last header recorded starts in the input, and its index.
    last_header: Option<(usize, u32)>,
}

impl Records {
    fn add_diagnostic(&mut self, input: &[u8], d: &Diagnostic) {
        let (line, col) = self.diagnostic_lines.line_col(input, d.offset);
        self.diagnostics.push(DiagnosticRecord {
            severity: d.severity.as_str(),
            line,
            col,
            offset: d.offset,
            message: d.message.to_string(),
            code: d.code.as_str(),
        });
    }

    fn add_statement(&mut self, input: &[u8], statement: &Statement) {
        let lines = &mut self.statement_lines;
        let (line, col) = lines.line_col(input, statement.span.start);
        let end_line = lines.end_line(input, &statement.span);
        let header = match &statement.toc {
            None => NO_HEADER,
            Some(toc) => match self.last_header {
                Some((start, index)) if start == toc.name().start => index,
                _ => {
                    let texts = &mut self.table.texts;
                    let fields = [toc.name(), toc.object_type(), toc.schema(), toc.owner()]
                        .map(|field| push_text(texts, &input[field]));
                    self.table.headers.push(fields);
                    let index = narrow(self.table.headers.len() - 1);
                    self.last_header = Some((toc.name().start, index));
                    index
                }
            },
        };
        let lossy = |span: &Span| String::from_utf8_lossy(&input[span.clone()]).into_owned();
        let meta = statement.meta().map(|m| (lossy(&m.name), lossy(&m.args)));
        let pairs = |spans: &mut dyn Iterator<Item = &Span>| -> Vec<(usize, usize)> {
            spans.map(|span| (span.start, span.end)).collect()
        };
        let copy_blocks = pairs(&mut statement.copy_blocks());
        let variables = pairs(&mut statement.variables().iter());
        let rare =
            (meta.is_some() || !copy_blocks.is_empty() || !variables.is_empty()).then(|| {
                Box::new(RareRow {
                    meta,
                    copy_blocks,
                    variables,
                })
            });
        let text = push_text(&mut self.table.texts, &statement.text(input));
        self.table.rows.push(Row {
            text,
            tag: statement.tag.clone(),
            start: statement.span.start,
            end: statement.span.end,
            line: narrow(line),
            col: narrow(col),
            end_line: narrow(end_line),
            header,
            kind: statement.kind,
            in_transaction: transactional(input, statement),
            rare,
        });
    }
}

/// Appends `bytes` to `texts` (invalid UTF-8 replaced, as Python's
/// `errors="replace"` does) and returns where they landed.
fn push_text(texts: &mut String, bytes: &[u8]) -> Span {
    let start = texts.len();
    // The strict check is several times faster than the lossy one on the
    // valid text that nearly every dump is.
    match std::str::from_utf8(bytes) {
        Ok(text) => texts.push_str(text),
        Err(_) => texts.push_str(&String::from_utf8_lossy(bytes)),
    }
    start..texts.len()
}

/// Line and column numbers as rows keep them; a file of four billion lines
/// reports its last lines as line 4294967295.
fn narrow(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[pymethods]
impl StatementTable {
    fn __len__(&self) -> usize {
        self.rows.len()
    }

    /// `fields(index)`: the fields of one statement, named as
    /// `pgsplit.Statement` names them (see `_records.StatementFields`), with
    /// the pg_dump header and the meta-command as plain tuples.
    fn fields<'py>(&self, py: Python<'py>, index: usize) -> PyResult<Bound<'py, PyDict>> {
        let row = self
            .rows
            .get(index)
            .ok_or_else(|| PyIndexError::new_err("statement index out of range"))?;
        let text = |span: &Span| &self.texts[span.clone()];
        let header = (row.header != NO_HEADER).then(|| {
            let [name, object_type, schema, owner] = &self.headers[row.header as usize];
            (text(name), text(object_type), text(schema), text(owner))
        });
        let rare = row.rare.as_deref();
        let spans = |pick: fn(&RareRow) -> &[(usize, usize)]| -> Vec<(usize, usize)> {
            rare.map(|r| pick(r).to_vec()).unwrap_or_default()
        };
        let fields = PyDict::new(py);
        fields.set_item(intern!(py, "n"), index + 1)?;
        fields.set_item(intern!(py, "kind"), row.kind.as_str())?;
        fields.set_item(intern!(py, "tag"), &*row.tag)?;
        fields.set_item(intern!(py, "text"), text(&row.text))?;
        fields.set_item(intern!(py, "line"), row.line)?;
        fields.set_item(intern!(py, "col"), row.col)?;
        fields.set_item(intern!(py, "end_line"), row.end_line)?;
        fields.set_item(intern!(py, "start"), row.start)?;
        fields.set_item(intern!(py, "end"), row.end)?;
        fields.set_item(intern!(py, "toc"), header)?;
        let meta = rare.and_then(|r| r.meta.as_ref());
        fields.set_item(
            intern!(py, "meta"),
            meta.map(|(name, args)| (name.as_str(), args.as_str())),
        )?;
        fields.set_item(
            intern!(py, "transactional"),
            row.in_transaction == Transactional::Yes,
        )?;
        fields.set_item(
            intern!(py, "transaction_control"),
            row.in_transaction == Transactional::Control,
        )?;
        let copy_spans = PyTuple::new(py, spans(|r| &r.copy_blocks))?;
        fields.set_item(intern!(py, "copy_spans"), copy_spans)?;
        let variables = PyTuple::new(py, spans(|r| &r.variables))?;
        fields.set_item(intern!(py, "variables"), variables)?;
        Ok(fields)
    }
}

/// Splits `input` and records its statements and diagnostics, with the
/// plan of `plan` when given; the split itself is let go chunk by chunk.
fn split_into_records(
    input: &[u8],
    options: &SplitOptions,
    parallelism: &Parallelism,
    plan: Option<&plan::PlanOptions>,
) -> (StatementTable, Vec<DiagnosticRecord>, Option<PlanRecord>) {
    let mut sink = RecordsSink {
        records: Records::default(),
        planner: plan.map(Planner::new),
    };
    // Reserved, not touched: the texts of a DDL dump are nearly all of it,
    // those of a full dump a small part, and pages never written cost nothing.
    sink.records.table.texts.reserve(input.len());
    search(Source::Bytes(input), options, parallelism, &mut sink)
        .expect("a whole input is read without error, and this sink never fails");
    let RecordsSink { records, planner } = sink;
    let plan = planner.map(|planner| planner.finish(input));
    (records.table, records.diagnostics, plan)
}

/// The sink of `parse`, `parse_file` and the plans: the statement table,
/// the diagnostics' records and, when asked, the plan.
struct RecordsSink<'o> {
    records: Records,
    planner: Option<Planner<'o>>,
}

impl Sink for RecordsSink<'_> {
    fn diagnostic(&mut self, place: &mut Place<'_>, diagnostic: &Diagnostic) -> io::Result<()> {
        self.records.add_diagnostic(place.input, diagnostic);
        if let Some(planner) = &mut self.planner {
            planner.diagnostics.push(diagnostic.clone());
        }
        Ok(())
    }

    fn statement(&mut self, place: &mut Place<'_>, s: &Statement, _: bool) -> io::Result<()> {
        self.records.add_statement(place.input, s);
        if let Some(planner) = &mut self.planner {
            planner.add_statement(place.input, s);
        }
        Ok(())
    }
}

/// The text `split` splits: a `str` as it is; `bytes` (or a `bytearray`) as
/// UTF-8 or, when they are not, as Latin-1, one character per byte. sqlparse falls back the same
/// way but through Python's `unicode-escape` codec, which also rewrites
/// backslashes (`\N` in COPY data, `\restrict`, `E'\n'`); pgsplit leaves
/// them alone. Anything else is a `TypeError`, as in sqlparse.
fn with_text<T>(sql: &Bound<'_, PyAny>, work: impl FnOnce(&str) -> PyResult<T>) -> PyResult<T> {
    if let Ok(text) = sql.cast::<PyString>() {
        return work(&text.to_cow()?);
    }
    let bytes: PyBackedBytes = sql.extract().map_err(|_| not_sql(sql))?;
    match std::str::from_utf8(&bytes) {
        Ok(text) => work(text),
        Err(_) => work(&bytes.iter().map(|&b| char::from(b)).collect::<String>()),
    }
}

/// `split(sql, compat, strip_semicolon)`: the statement texts, each with the
/// comments that belong to it (see [`crate::attach`]); a COPY keeps its data
/// and `\.`. Texts left empty (psql's empty statements, stripped) are left out.
#[pyfunction]
fn split_texts<'py>(
    py: Python<'py>,
    sql: &Bound<'py, PyAny>,
    compat: &str,
    strip_semicolon: bool,
) -> PyResult<Bound<'py, PyList>> {
    let options = options(compat)?;
    with_text(sql, |text| {
        let input = text.as_bytes();
        let mut sink = TextsSink {
            text,
            attacher: Attacher::new(input),
            strip_semicolon,
            batch: Vec::new(),
            list: PyList::empty(py).unbind(),
            failed: None,
        };
        let searched = without_gil(py, || {
            search(
                Source::Bytes(input),
                &options,
                &Parallelism::default(),
                &mut sink,
            )
            .is_ok()
        })?;
        match sink.failed {
            Some(error) => Err(error),
            None if searched => Ok(sink.list.into_bound(py)),
            None => Err(PyRuntimeError::new_err(
                "split_texts: the split stopped early",
            )),
        }
    })
}

/// The sink of `split_texts`: each statement shaped as sqlparse shapes it,
/// appended to a Python list batch by batch. This thread holds the GIL only
/// to append a batch's strings, while the pool splits the next chunks, so
/// the two overlap.
struct TextsSink<'a> {
    text: &'a str,
    attacher: Attacher<'a>,
    strip_semicolon: bool,
    batch: Vec<Cow<'a, str>>,
    list: Py<PyList>,
    failed: Option<PyErr>,
}

impl Sink for TextsSink<'_> {
    fn statement(&mut self, _: &mut Place<'_>, s: &Statement, _: bool) -> io::Result<()> {
        let input = self.text.as_bytes();
        let extent = self.attacher.extent(s);
        let shaped = as_str(
            self.text,
            attach::text(input, s, extent, self.strip_semicolon),
        );
        if !shaped.is_empty() {
            self.batch.push(shaped);
        }
        Ok(())
    }

    fn batch_end(&mut self, _: &mut Place<'_>) -> io::Result<()> {
        let appended = Python::attach(|py| -> PyResult<()> {
            let list = self.list.bind(py);
            for shaped in self.batch.drain(..) {
                list.append(PyString::new(py, &shaped))?;
            }
            Ok(())
        });
        appended.map_err(|error| {
            self.failed = Some(error);
            io::Error::other("appending to the list failed")
        })
    }
}

/// A text of `input` as a `str`. A slice starts and ends at the edges of
/// tokens, which lie between characters, so it is a slice of the `str` too,
/// with no check and no copy.
fn as_str(input: &str, text: Text) -> Cow<'_, str> {
    match text {
        Text::Slice(range) => match input.get(range.clone()) {
            Some(slice) => Cow::Borrowed(slice),
            None => String::from_utf8_lossy(&input.as_bytes()[range]),
        },
        Text::Made(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
    }
}

/// `parse(sql, compat)`: the statement table and the diagnostics.
#[pyfunction]
fn parse(
    py: Python<'_>,
    sql: &Bound<'_, PyAny>,
    compat: &str,
) -> PyResult<(StatementTable, Vec<DiagnosticRecord>)> {
    let options = options(compat)?;
    with_input(sql, |input| {
        without_gil(py, || {
            let (table, diagnostics, _) =
                split_into_records(input, &options, &Parallelism::default(), None);
            (table, diagnostics)
        })
    })
}

/// What `execute_file` does with one statement (`_records.StepRecord`):
/// `step` is "run", "autocommit", "skip" or "refused"; `settings` the
/// session settings it changes ("ALL" for RESET ALL); `copy_into` what a
/// COPY FROM STDIN writes into (table, columns, format); `unpopulated_view`
/// the view a CREATE MATERIALIZED VIEW ... WITH NO DATA names.
#[derive(IntoPyObject)]
struct StepRecord {
    step: &'static str,
    settings: Vec<String>,
    copy_into: Option<(String, Option<String>, &'static str)>,
    unpopulated_view: Option<String>,
}

/// A statement `execute_file` refuses (`_records.RefusalRecord`).
#[derive(IntoPyObject)]
struct RefusalRecord {
    code: &'static str,
    line: usize,
    col: usize,
    offset: usize,
    message: String,
}

/// What `execute_file` does with a script (`_records.PlanRecord`); the
/// encoding is a declared client_encoding other than UTF-8, with its
/// Python codec.
#[derive(IntoPyObject, Default)]
struct PlanRecord {
    steps: Vec<StepRecord>,
    refusals: Vec<RefusalRecord>,
    encoding: Option<(String, &'static str)>,
}

/// Builds the plan of a script for `options`, chunk by chunk: a step record
/// for each statement, the refusals in input order, and the declared
/// encoding with its Python codec when it is not UTF-8.
struct Planner<'o> {
    options: &'o plan::PlanOptions,
    steps: Vec<StepRecord>,
    refusals: Vec<plan::Refusal>,
    diagnostics: Vec<crate::Diagnostic>,
    declared: Option<String>,
}

impl<'o> Planner<'o> {
    fn new(options: &'o plan::PlanOptions) -> Self {
        Planner {
            options,
            steps: Vec::new(),
            refusals: Vec::new(),
            diagnostics: Vec::new(),
            declared: None,
        }
    }

    fn add_statement(&mut self, input: &[u8], statement: &Statement) {
        {
            let facts = StatementFacts::of(input, statement);
            if self.declared.is_none() {
                self.declared = facts.declared_encoding().flatten();
            }
            let step = match plan::step(input, statement, &facts, self.options) {
                Ok(step) => step.as_str(),
                Err(refusal) => {
                    self.refusals.push(refusal);
                    "refused"
                }
            };
            let settings = facts
                .settings
                .into_iter()
                .filter_map(|setting| match setting {
                    facts::Setting::Named { name, .. } => Some(name),
                    facts::Setting::All => Some("ALL".to_string()),
                    facts::Setting::Computed => None,
                })
                .collect();
            let copy_into =
                facts::copy_into(input, statement).map(|c| (c.table, c.columns, c.format));
            self.steps.push(StepRecord {
                step,
                settings,
                copy_into,
                unpopulated_view: facts::unpopulated_view(input, statement),
            });
        }
    }

    fn finish(mut self, input: &[u8]) -> PlanRecord {
        self.refusals.extend(plan::script_refusals(
            input,
            &self.diagnostics,
            self.declared.as_deref(),
        ));
        self.refusals.sort_by_key(|r| r.offset);
        let mut lines = LineCounter::new();
        let refusals = self
            .refusals
            .into_iter()
            .map(|r| {
                let (line, col) = lines.line_col(input, r.offset);
                RefusalRecord {
                    code: r.code.as_str(),
                    line,
                    col,
                    offset: r.offset,
                    message: r.message,
                }
            })
            .collect();
        let encoding = self
            .declared
            .filter(|name| !crate::encoding::is_utf8(name))
            .and_then(|name| crate::encoding::python_codec(&name).map(|codec| (name, codec)));
        PlanRecord {
            steps: self.steps,
            refusals,
            encoding,
        }
    }
}

fn plan_options(
    meta: &str,
    non_transactional: &str,
    transaction_control: &str,
) -> PyResult<plan::PlanOptions> {
    Ok(plan::PlanOptions {
        meta: meta.parse().map_err(PyValueError::new_err)?,
        non_transactional: non_transactional.parse().map_err(PyValueError::new_err)?,
        transaction_control: transaction_control.parse().map_err(PyValueError::new_err)?,
    })
}

/// `plan_text(sql, compat, meta, non_transactional, transaction_control)`:
/// like `parse`, with what `execute_file` does with each statement.
#[pyfunction]
fn plan_text(
    py: Python<'_>,
    sql: &Bound<'_, PyAny>,
    compat: &str,
    meta: &str,
    non_transactional: &str,
    transaction_control: &str,
) -> PyResult<(StatementTable, Vec<DiagnosticRecord>, PlanRecord)> {
    let options = options(compat)?;
    let plan = plan_options(meta, non_transactional, transaction_control)?;
    with_input(sql, |input| {
        without_gil(py, || {
            let (table, diagnostics, plan) =
                split_into_records(input, &options, &Parallelism::default(), Some(&plan));
            (table, diagnostics, plan.unwrap_or_default())
        })
    })
}

/// `plan_path(path, compat, jobs, meta, non_transactional, transaction_control)`:
/// `plan_text` for a file, read as `parse_path` reads it.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn plan_path(
    py: Python<'_>,
    path: &str,
    compat: &str,
    jobs: usize,
    meta: &str,
    non_transactional: &str,
    transaction_control: &str,
) -> PyResult<(
    StatementTable,
    Vec<DiagnosticRecord>,
    Option<Py<PyBytes>>,
    PlanRecord,
)> {
    let plan = plan_options(meta, non_transactional, transaction_control)?;
    let (table, diagnostics, decompressed, plan) =
        parse_file_with(py, path, compat, jobs, Some(&plan))?;
    Ok((table, diagnostics, decompressed, plan.unwrap_or_default()))
}

/// `parse_path(path, compat, jobs)`: like `parse` for a file; the third item
/// is the decompressed bytes of a gzip or zstd file, None otherwise (the
/// caller reads a plain file's COPY data back from the file itself).
#[pyfunction]
fn parse_path(
    py: Python<'_>,
    path: &str,
    compat: &str,
    jobs: usize,
) -> PyResult<(StatementTable, Vec<DiagnosticRecord>, Option<Py<PyBytes>>)> {
    let (table, diagnostics, decompressed, _) = parse_file_with(py, path, compat, jobs, None)?;
    Ok((table, diagnostics, decompressed))
}

/// Reads and splits the file at `path` (read, not mapped: a file that
/// shrinks under a map kills the process), with the plan of `plan` when
/// given; the bytes are let go once split, unless they were decompressed.
#[allow(clippy::type_complexity)]
fn parse_file_with(
    py: Python<'_>,
    path: &str,
    compat: &str,
    jobs: usize,
    plan: Option<&plan::PlanOptions>,
) -> PyResult<(
    StatementTable,
    Vec<DiagnosticRecord>,
    Option<Py<PyBytes>>,
    Option<PlanRecord>,
)> {
    let options = options(compat)?;
    let parallelism = Parallelism {
        jobs,
        ..Parallelism::default()
    };
    let (input, decompressed) = without_gil(py, || read_decompressed(path))?.map_err(os_error)?;
    let (table, diagnostics, plan) = without_gil(py, || {
        split_into_records(&input, &options, &parallelism, plan)
    })?;
    let decompressed = decompressed.then(|| PyBytes::new(py, &input).unbind());
    Ok((table, diagnostics, decompressed, plan))
}

/// An input error as Python's own: `OSError(errno, strerror, filename)`
/// becomes `FileNotFoundError`, `IsADirectoryError`... with `.filename`.
fn os_error(error: crate::input::InputError) -> PyErr {
    match error.error.raw_os_error() {
        Some(errno) => {
            let strerror = std::io::Error::from_raw_os_error(errno).to_string();
            // "No such file or directory (os error 2)" reads as Python's own without the suffix.
            let strerror = strerror
                .split(" (os error")
                .next()
                .unwrap_or_default()
                .to_string();
            PyOSError::new_err((errno, strerror, error.source_name))
        }
        None => PyValueError::new_err(error.to_string()),
    }
}

/// The bytes of the file at `path`, and whether they were decompressed
/// (the caller reads a plain file's COPY data back from the file itself).
fn read_decompressed(path: &str) -> Result<(Vec<u8>, bool), crate::input::InputError> {
    use std::io::Read;
    match open_source(path)? {
        Opened::Stream(mut stream) => {
            let mut bytes = Vec::new();
            stream
                .read_to_end(&mut bytes)
                .map_err(|e| crate::input::InputError::new(path, e))?;
            Ok((bytes, true))
        }
        Opened::Whole(input) => Ok((input.to_vec(), false)),
    }
}

fn normalize_options(ignore: Vec<String>, sort: bool) -> PyResult<NormalizeOptions> {
    let ignore = ignore
        .iter()
        .map(|value| value.parse::<Ignore>().map_err(PyValueError::new_err))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(NormalizeOptions {
        ignore,
        sort,
        ..NormalizeOptions::default()
    })
}

/// `normalize(sql, ignore, sort)`: the canonical text of a dump.
#[pyfunction]
fn normalize(
    py: Python<'_>,
    sql: &Bound<'_, PyAny>,
    ignore: Vec<String>,
    sort: bool,
) -> PyResult<String> {
    let options = normalize_options(ignore, sort)?;
    with_input(sql, |input| {
        without_gil(py, || {
            String::from_utf8_lossy(&crate::normalize::normalize(input, &options)).into_owned()
        })
    })
}

/// An object that differs (`_records.ChangeRecord`).
#[derive(IntoPyObject)]
struct ChangeRecord {
    kind: &'static str,
    object_type: String,
    schema: String,
    name: String,
    a: Option<String>,
    b: Option<String>,
    unified_diff: String,
}

/// `diff(a, b, ignore)`: the objects that differ between two dumps.
#[pyfunction]
fn diff(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    ignore: Vec<String>,
) -> PyResult<Vec<ChangeRecord>> {
    let options = normalize_options(ignore, false)?;
    with_input(a, |a| {
        with_input(b, |b| {
            without_gil(py, || {
                crate::diff::diff(a, b, &options)
                    .changes
                    .into_iter()
                    .map(|c| {
                        let unified_diff = c.unified_diff();
                        let identity = c.identity;
                        ChangeRecord {
                            kind: c.kind.as_str(),
                            object_type: identity.object_type,
                            schema: identity.schema,
                            name: identity.name,
                            a: c.a,
                            b: c.b,
                            unified_diff,
                        }
                    })
                    .collect()
            })
        })
    })
}

/// `name_position(text, name)`: the character offset where `text` first
/// names `name` (as a server message quotes it), or None.
#[pyfunction]
fn name_position(text: &str, name: &str) -> Option<usize> {
    facts::name_offset(text.as_bytes(), name).map(|at| text[..at].chars().count())
}

/// `body_position(text)`: the character offset where the first
/// dollar-quoted string of `text` opens, or None.
#[pyfunction]
fn body_position(text: &str) -> Option<usize> {
    facts::body_offset(text.as_bytes()).map(|at| text[..at].chars().count())
}

/// `read(path)`: the bytes of a file, gzip decompressed.
#[pyfunction]
fn read(py: Python<'_>, path: &str) -> PyResult<Py<PyBytes>> {
    let data = without_gil(py, || read_input(path))?.map_err(os_error)?;
    Ok(PyBytes::new(py, &data).unbind())
}

/// `cli(argv)`: runs the `pgsplit` command line and returns its exit status.
#[pyfunction]
fn cli(py: Python<'_>, argv: Vec<String>) -> PyResult<u8> {
    without_gil(py, || crate::cli::run(argv))
}

/// `squash_arguments(args)`: `pgsplit squash ARGS` parsed by the command
/// line's own parser, as a dict of the options' values; an int (the exit
/// status) when clap printed an error or the help instead.
#[pyfunction]
fn squash_arguments<'py>(py: Python<'py>, args: Vec<String>) -> PyResult<Bound<'py, PyAny>> {
    let request = match crate::cli::squash_arguments(args) {
        Ok(request) => request,
        Err(status) => return Ok(status.into_pyobject(py)?.into_any()),
    };
    Ok(request.into_pyobject(py)?.into_any())
}

#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<StatementTable>()?;
    module.add_function(wrap_pyfunction!(split_texts, module)?)?;
    module.add_function(wrap_pyfunction!(squash_arguments, module)?)?;
    let ignore: Vec<&str> = Ignore::ALL.iter().map(|i| i.name()).collect();
    module.add("IGNORE", PyTuple::new(module.py(), ignore)?)?;
    module.add_function(wrap_pyfunction!(parse, module)?)?;
    module.add_function(wrap_pyfunction!(parse_path, module)?)?;
    module.add_function(wrap_pyfunction!(plan_text, module)?)?;
    module.add_function(wrap_pyfunction!(plan_path, module)?)?;
    module.add_function(wrap_pyfunction!(normalize, module)?)?;
    module.add_function(wrap_pyfunction!(diff, module)?)?;
    module.add_function(wrap_pyfunction!(read, module)?)?;
    module.add_function(wrap_pyfunction!(name_position, module)?)?;
    module.add_function(wrap_pyfunction!(body_position, module)?)?;
    module.add_function(wrap_pyfunction!(cli, module)?)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
