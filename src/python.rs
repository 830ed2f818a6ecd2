//! The Python extension module `pgsplit._native` (cargo feature `python`).
//!
//! A thin layer that converts and nothing else: it hands plain tuples, strings
//! and bytes to the pure-Python package in `python/pgsplit/`, which builds the
//! classes users see, so no Rust type ever reaches a Python user. The GIL is
//! released while Rust works, and a panic, which would be a bug, becomes a
//! Python `RuntimeError` instead of tearing the interpreter down.

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::exceptions::{PyOSError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyList, PyString};

use crate::attach::{self, Attacher, Text};
use crate::input::{open_stream, read_input};
use crate::lines::LineIndex;
use crate::lint::{self, transactional, Transactional};
use crate::normalize::{Ignore, NormalizeOptions};
use crate::parallel::{split_chunks, split_parallel, stop_on_error, Parallelism};
use crate::plan;
use crate::{Compat, Script, SplitOptions, Statement};

/// A statement as the Python package receives it; see `_native.pyi`.
type StatementRecord = (
    &'static str,
    String,
    (usize, usize, usize),
    (usize, usize, usize),
    Vec<(usize, usize)>,
    Option<(String, String, String, String)>,
    Option<(String, String)>,
    &'static str,
    Vec<(usize, usize)>,
);

/// A diagnostic: severity, line, column, byte offset, message.
type DiagnosticRecord = (&'static str, usize, usize, usize, String);

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

fn lossy(input: &[u8], span: &crate::Span) -> String {
    String::from_utf8_lossy(&input[span.clone()]).into_owned()
}

fn record(input: &[u8], index: &LineIndex, statement: &Statement) -> StatementRecord {
    let (line, col) = index.line_col(statement.span.start);
    let end_line = index.end_line(&statement.span);
    let blocks = statement.copy_blocks().map(|b| (b.start, b.end)).collect();
    let toc = statement.toc.as_ref().map(|t| {
        (
            lossy(input, &t.name()),
            lossy(input, &t.object_type()),
            lossy(input, &t.schema()),
            lossy(input, &t.owner()),
        )
    });
    let meta = statement
        .meta()
        .map(|m| (lossy(input, &m.name), lossy(input, &m.args)));
    let in_transaction = match transactional(input, statement) {
        Transactional::Yes => "yes",
        Transactional::No => "no",
        Transactional::Control => "control",
    };
    let variables = statement
        .variables()
        .iter()
        .map(|v| (v.start, v.end))
        .collect();
    (
        statement.kind.as_str(),
        statement.tag.to_string(),
        (line, col, end_line),
        (
            statement.span.start,
            statement.span.end,
            statement.command_end,
        ),
        blocks,
        toc,
        meta,
        in_transaction,
        variables,
    )
}

fn records(
    input: &[u8],
    script: &Script,
) -> (Vec<(StatementRecord, String)>, Vec<DiagnosticRecord>) {
    let index = LineIndex::new(input);
    let statements = script
        .statements
        .iter()
        .map(|s| {
            (
                record(input, &index, s),
                String::from_utf8_lossy(&s.text(input)).into_owned(),
            )
        })
        .collect();
    let diagnostics = script
        .diagnostics
        .iter()
        .map(|d| {
            let (line, col) = index.line_col(d.offset);
            (d.severity.as_str(), line, col, d.offset, d.message.clone())
        })
        .collect();
    (statements, diagnostics)
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
        let list = PyList::empty(py).unbind();
        let mut failed = None;
        let mut attacher = Attacher::new(input);
        without_gil(py, || {
            // Chunk by chunk: this thread makes the strings of one chunk
            // (holding the GIL only for that) while the pool splits the
            // next ones, so the two overlap.
            split_chunks(input, &options, &Parallelism::default(), |chunk| {
                let appended = Python::attach(|py| -> PyResult<()> {
                    let list = list.bind(py);
                    for s in &chunk.statements {
                        let extent = attacher.extent(s);
                        let shaped = as_str(text, attach::text(input, s, extent, strip_semicolon));
                        if !shaped.is_empty() {
                            list.append(PyString::new(py, &shaped))?;
                        }
                    }
                    Ok(())
                });
                stop_on_error(appended, &mut failed)
            });
        })?;
        match failed {
            Some(error) => Err(error),
            None => Ok(list.into_bound(py)),
        }
    })
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

/// `parse(sql, compat)`: statement records (with texts) and diagnostics.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn parse(
    py: Python<'_>,
    sql: &Bound<'_, PyAny>,
    compat: &str,
) -> PyResult<(Vec<(StatementRecord, String)>, Vec<DiagnosticRecord>)> {
    let options = options(compat)?;
    with_input(sql, |input| {
        without_gil(py, || {
            records(
                input,
                &split_parallel(input, &options, &Parallelism::default()),
            )
        })
    })
}

/// What `execute_file` does with one statement: its step (`run`,
/// `autocommit`, `skip` or `refused`), the settings it changes, what a COPY
/// writes into (table, columns, format), and the materialized view it
/// leaves without data.
type StepRecord = (
    &'static str,
    Vec<String>,
    Option<(String, Option<String>, &'static str)>,
    Option<String>,
);

/// A refusal: code, line, column, byte offset, message.
type RefusalRecord = (&'static str, usize, usize, usize, String);

/// What `execute_file` does with a script; see `_native.pyi`.
type PlanRecord = (
    Vec<StepRecord>,
    Vec<RefusalRecord>,
    Option<(String, &'static str)>,
);

/// The plan of `script` for `options`: a step record for each statement,
/// the refusals in input order, and the declared encoding with its Python
/// codec when it is not UTF-8.
fn plan_record(input: &[u8], script: &Script, options: &plan::PlanOptions) -> PlanRecord {
    let index = LineIndex::new(input);
    let mut steps = Vec::with_capacity(script.statements.len());
    let mut refusals = Vec::new();
    let mut declared: Option<String> = None;
    for statement in &script.statements {
        if declared.is_none() {
            declared = crate::encoding::declared(input, statement).flatten();
        }
        let step = match plan::step(input, statement, options) {
            Ok(step) => step.as_str(),
            Err(refusal) => {
                refusals.push(refusal);
                "refused"
            }
        };
        let settings = lint::settings_changed(input, statement)
            .into_iter()
            .filter_map(|setting| match setting {
                lint::Setting::Named { name, .. } => Some(name),
                lint::Setting::All => Some("ALL".to_string()),
                lint::Setting::Computed => None,
            })
            .collect();
        let copy_into = lint::copy_into(input, statement).map(|c| (c.table, c.columns, c.format));
        steps.push((
            step,
            settings,
            copy_into,
            lint::unpopulated_view(input, statement),
        ));
    }
    refusals.extend(plan::script_refusals(
        input,
        &script.diagnostics,
        declared.as_deref(),
    ));
    refusals.sort_by_key(|r| r.offset);
    let refusals = refusals
        .into_iter()
        .map(|r| {
            let (line, col) = index.line_col(r.offset);
            (r.code, line, col, r.offset, r.message)
        })
        .collect();
    let encoding = declared
        .filter(|name| !crate::encoding::is_utf8(name))
        .and_then(|name| crate::encoding::python_codec(&name).map(|codec| (name, codec)));
    (steps, refusals, encoding)
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
#[allow(clippy::type_complexity)]
fn plan_text(
    py: Python<'_>,
    sql: &Bound<'_, PyAny>,
    compat: &str,
    meta: &str,
    non_transactional: &str,
    transaction_control: &str,
) -> PyResult<(
    Vec<(StatementRecord, String)>,
    Vec<DiagnosticRecord>,
    PlanRecord,
)> {
    let options = options(compat)?;
    let plan = plan_options(meta, non_transactional, transaction_control)?;
    with_input(sql, |input| {
        without_gil(py, || {
            let script = split_parallel(input, &options, &Parallelism::default());
            let (statements, diagnostics) = records(input, &script);
            (statements, diagnostics, plan_record(input, &script, &plan))
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
    Vec<(StatementRecord, String)>,
    Vec<DiagnosticRecord>,
    Option<Py<PyBytes>>,
    PlanRecord,
)> {
    let plan = plan_options(meta, non_transactional, transaction_control)?;
    let mut record = None;
    let (statements, diagnostics, decompressed) =
        parse_file_with(py, path, compat, jobs, |input, script| {
            record = Some(plan_record(input, script, &plan));
        })?;
    let record = record.expect("parse_file_with calls back once");
    Ok((statements, diagnostics, decompressed, record))
}

/// `parse_path(path, compat, jobs)`: like `parse` for a file, which is memory-mapped;
/// the third item is the decompressed bytes of a gzip file, None otherwise
/// (the caller maps the file itself).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn parse_path(
    py: Python<'_>,
    path: &str,
    compat: &str,
    jobs: usize,
) -> PyResult<(
    Vec<(StatementRecord, String)>,
    Vec<DiagnosticRecord>,
    Option<Py<PyBytes>>,
)> {
    parse_file_with(py, path, compat, jobs, |_, _| {})
}

/// Reads and splits the file at `path` (read, not mapped: a file that
/// shrinks under a map kills the process), then lets `also` look at the
/// split before the input is let go.
#[allow(clippy::type_complexity)]
fn parse_file_with(
    py: Python<'_>,
    path: &str,
    compat: &str,
    jobs: usize,
    also: impl FnOnce(&[u8], &Script) + Send,
) -> PyResult<(
    Vec<(StatementRecord, String)>,
    Vec<DiagnosticRecord>,
    Option<Py<PyBytes>>,
)> {
    let options = options(compat)?;
    let parallelism = Parallelism {
        jobs,
        ..Parallelism::default()
    };
    let (input, decompressed) = without_gil(py, || read_decompressed(path))?.map_err(os_error)?;
    let (statements, diagnostics) = without_gil(py, || {
        let script = split_parallel(&input, &options, &parallelism);
        also(&input, &script);
        records(&input, &script)
    })?;
    let decompressed = decompressed.then(|| PyBytes::new(py, &input).unbind());
    Ok((statements, diagnostics, decompressed))
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
    match open_stream(path)? {
        Some(mut stream) => {
            let mut bytes = Vec::new();
            stream
                .read_to_end(&mut bytes)
                .map_err(|e| crate::input::InputError::new(path, e))?;
            Ok((bytes, true))
        }
        None => std::fs::read(path)
            .map(|bytes| (bytes, false))
            .map_err(|e| crate::input::InputError::new(path, e)),
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

/// A difference: kind, object type, schema, name, text in A, text in B, unified diff.
type ChangeRecord = (
    &'static str,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
);

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
                        let unified = c.unified_diff();
                        let identity = c.identity;
                        (
                            c.kind.as_str(),
                            identity.object_type,
                            identity.schema,
                            identity.name,
                            c.a,
                            c.b,
                            unified,
                        )
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
    lint::name_offset(text.as_bytes(), name).map(|at| text[..at].chars().count())
}

/// `body_position(text)`: the character offset where the first
/// dollar-quoted string of `text` opens, or None.
#[pyfunction]
fn body_position(text: &str) -> Option<usize> {
    lint::body_offset(text.as_bytes()).map(|at| text[..at].chars().count())
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

#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(split_texts, module)?)?;
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
