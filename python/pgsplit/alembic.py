"""Run a SQL script, a pg_dump file above all, from an Alembic migration.

In ``upgrade()``::

    from pgsplit.alembic import execute_file

    def upgrade() -> None:
        execute_file("001_initial_schema.sql")

What it does that ``op.execute(open(f).read())`` cannot:

- splits exactly (dollar-quoted and ``BEGIN ATOMIC`` bodies, COPY data) and
  sends each statement alone and verbatim: no ``:name`` binds, no ``%``
  formatting, one statement per call, so asyncpg works too;
- sends COPY data through the driver's copy API (psycopg2, psycopg 3,
  asyncpg), or as INSERTs for other drivers;
- skips pg_dump's ``\\restrict`` lines and refuses other meta-commands;
- restores every session setting the script changes (``search_path`` above
  all), so Alembic's own bookkeeping still finds ``alembic_version``;
- refuses statements that cannot run in the migration's transaction, before
  running anything, unless told how to run them;
- writes the script exactly in offline mode (``alembic upgrade --sql``);
- reports a failing statement like a compiler: file, line, column, the line
  and a caret, chained to the driver's error.
"""

from __future__ import annotations

import inspect
import io
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._script import Script, Statement, parse, parse_file

__all__ = ["PlanError", "StatementError", "execute_file", "execute_sql"]

log = logging.getLogger("pgsplit")

#: Meta-commands that pg_dump writes and that mean nothing to the server.
HARMLESS_META = {"restrict", "unrestrict"}

Progress = Callable[[int, int, Statement], None]


class PlanError(ValueError):
    """The script holds something that cannot run as asked; raised before any
    statement runs."""


class StatementError(Exception):
    """A statement failed. ``str()`` reads like a compiler's message."""

    def __init__(
        self,
        *,
        path: str,
        n: int,
        total: int,
        line: int,
        col: int,
        message: str,
        sqlstate: str | None,
        statement: Statement,
        source_line: str,
        caret_col: int,
    ) -> None:
        self.path = path
        self.n = n
        self.total = total
        self.line = line
        self.col = col
        self.sqlstate = sqlstate
        self.statement = statement
        self.toc = statement.toc
        what = statement.tag + (f" {statement.toc.name}" if statement.toc else "")
        state = f" [{sqlstate}]" if sqlstate else ""
        lines = (
            f"lines {statement.line}-{statement.end_line}"
            if statement.end_line != statement.line
            else f"line {statement.line}"
        )
        super().__init__(
            f"{path}:{line}:{col}: {message}{state}\n"
            f"statement {n}/{total} ({what}, {lines})\n"
            f"  {source_line}\n"
            f"  {' ' * max(caret_col - 1, 0)}^"
        )


@dataclass
class _Options:
    meta: str = "error"
    non_transactional: str = "error"
    transaction_control: str = "error"
    restore_settings: bool = True
    refresh_materialized_views: bool = False
    dry_run: bool = False
    progress: Progress | None = None
    compat: str = "default"

    def check(self) -> None:
        for name, allowed in (
            ("meta", ("error", "skip")),
            ("non_transactional", ("error", "autocommit")),
            ("transaction_control", ("error", "skip")),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, not {getattr(self, name)!r}")


def execute_file(path: str | os.PathLike[str], **options: Any) -> list[Statement]:
    """Runs the SQL file ``path`` (``.sql`` or ``.sql.gz``) in the current
    migration. A relative path is taken from the calling migration's folder.

    Options: ``meta`` ("error" or "skip" meta-commands other than
    ``\\restrict``), ``non_transactional`` ("error", or "autocommit" to run
    ``CREATE INDEX CONCURRENTLY``, ``VACUUM``... in an autocommit block, which
    commits what ran before), ``transaction_control`` ("error", or "skip" the
    script's own ``BEGIN``/``COMMIT``), ``restore_settings`` (True),
    ``refresh_materialized_views`` (False: refresh those created ``WITH NO
    DATA``), ``dry_run`` (False: return what would run, run nothing),
    ``progress`` (called with ``(done, total, statement)``), ``compat``.

    Returns the statements that ran (or would run).
    """
    given = os.fspath(path)
    resolved = Path(given)
    if not resolved.is_absolute():
        resolved = _caller_folder() / resolved
    opts = _Options(**options)
    opts.check()
    script = parse_file(resolved, compat=opts.compat)
    return _run(script, given, opts)


def execute_sql(sql: str | bytes, *, source: str = "<sql>", **options: Any) -> list[Statement]:
    """Runs the script ``sql`` in the current migration; see :func:`execute_file`."""
    opts = _Options(**options)
    opts.check()
    return _run(parse(sql, source=source, compat=opts.compat), source, opts)


def _caller_folder() -> Path:
    """The folder of the first caller outside this package (the migration)."""
    here = Path(__file__).parent
    for frame in inspect.stack()[1:]:
        file = Path(frame.filename)
        if file.parent != here:
            return file.parent
    return Path.cwd()


def _plan(script: Script, source: str, opts: _Options) -> list[Statement]:
    """The statements to run, after refusing what cannot run as asked."""
    errors = script.errors
    if errors:
        first = errors[0]
        raise PlanError(f"{source}:{first.line}:{first.col}: {first.message}")
    planned = []
    for statement in script:
        where = f"{source}:{statement.line}:{statement.col}"
        if statement.kind == "meta":
            name = statement.meta.name if statement.meta else ""
            if name in HARMLESS_META or opts.meta == "skip":
                continue
            raise PlanError(
                f"{where}: psql meta-command {statement.text!r} is not SQL; "
                'remove it, or pass meta="skip" to ignore meta-commands'
            )
        if statement.variables:
            raise PlanError(f"{where}: psql variable in {statement.tag}: only psql substitutes variables")
        if statement.transaction_control:
            if opts.transaction_control == "skip":
                continue
            raise PlanError(
                f"{where}: {statement.tag} inside the script would end the migration's transaction; "
                'pass transaction_control="skip" to run the script in the migration\'s transaction instead'
            )
        if not statement.transactional and opts.non_transactional == "error":
            raise PlanError(
                f"{where}: {statement.tag} cannot run inside a transaction block; "
                'pass non_transactional="autocommit" to run it in an autocommit block '
                "(which commits everything the migration did before it)"
            )
        planned.append(statement)
    return planned


def _run(script: Script, source: str, opts: _Options) -> list[Statement]:
    from alembic import op

    planned = _plan(script, source, opts)
    if opts.dry_run:
        return planned
    context = op.get_context()
    if context.as_sql:
        _write_offline(context, planned)
        if opts.restore_settings:
            # Offline there are no values to read back: the session defaults,
            # which the offline script started from, are restored instead.
            for name in _changed_settings(planned):
                context.impl.static_output(f"RESET {_identifier(name)};\n")
        return planned
    connection = op.get_bind()
    driver = _Driver(connection)
    if driver.server_version < 170000:
        planned = [s for s in planned if not _sets_transaction_timeout(s)]
    saved = driver.current_settings(_changed_settings(planned)) if opts.restore_settings else {}
    started = time.monotonic()
    try:
        for done, statement in enumerate(planned, 1):
            try:
                if not statement.transactional:
                    with context.autocommit_block():
                        driver.run(statement)
                else:
                    driver.run(statement)
            except Exception as error:
                if not driver.is_database_error(error):
                    raise
                raise _statement_error(error, statement, done, len(planned), source) from error
            if opts.progress:
                opts.progress(done, len(planned), statement)
        if opts.refresh_materialized_views:
            for name in _materialized_views_without_data(planned):
                driver.execute(f"REFRESH MATERIALIZED VIEW {name}")
    finally:
        if saved:
            driver.restore_settings(saved)
    log.info("%s: ran %d statements in %.2f s", source, len(planned), time.monotonic() - started)
    return planned


def _write_offline(context: Any, planned: list[Statement]) -> None:
    """Offline mode: the script exactly, for psql to run. A statement psql
    would not end at its own ``;`` (a ``BEGIN ATOMIC`` body reading a column
    named ``begin``) is followed by ``\\g``, which makes psql send it."""
    for statement in planned:
        text = statement.text if statement.text.rstrip().endswith(";") else statement.text + ";"
        if statement.kind == "copy" and statement.copy_data is not None:
            data = statement.copy_data.decode("utf-8", errors="surrogateescape")
            if data and not data.endswith("\n"):
                data += "\n"
            text = f"{statement.text}\n{data}\\."
        elif not _psql_ends_it(text):
            text += "\n\\g"
        context.impl.static_output(text + "\n")


def _psql_ends_it(text: str) -> bool:
    """Whether psql's own rules end ``text`` at its last ``;``."""
    as_psql = parse(text, compat="psql")
    return len(as_psql) == 1 and not as_psql.diagnostics


class _Driver:
    """What differs between DBAPI drivers: COPY, and where errors keep details."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.raw = connection.connection.dbapi_connection
        self.module = type(self.raw).__module__.split(".")[0]
        version = self.scalar("SHOW server_version_num")
        self.server_version = int(version)

    def execute(self, sql: str) -> None:
        self.connection.execution_options(no_parameters=True).exec_driver_sql(sql)

    def scalar(self, sql: str) -> Any:
        return self.connection.execution_options(no_parameters=True).exec_driver_sql(sql).scalar()

    def run(self, statement: Statement) -> None:
        if statement.kind == "copy" and statement.copy_spans:
            self.copy(statement)
        else:
            self.execute(statement.text)

    def copy(self, statement: Statement) -> None:
        """Streams the data a chunk at a time through the driver's copy API."""
        if self.module == "psycopg2":
            with self.raw.cursor() as cursor:
                cursor.copy_expert(statement.text, _ChunkReader(statement.copy_chunks()))
        elif self.module == "psycopg":
            with self.raw.cursor() as cursor, cursor.copy(statement.text) as copy:
                for chunk in statement.copy_chunks():
                    copy.write(chunk)
        elif self.module == "sqlalchemy" and hasattr(self.raw, "_connection"):
            # SQLAlchemy's asyncpg adapter: the asyncpg connection underneath.
            from sqlalchemy.util import await_only

            self.execute("SELECT 1")  # the adapter begins its transaction lazily
            reader = _ChunkReader(statement.copy_chunks())
            await_only(self.raw._connection._copy_in(statement.text, reader, None))
        else:
            for insert in _copy_as_inserts(statement):
                self.execute(insert)

    def is_database_error(self, error: BaseException) -> bool:
        from sqlalchemy.exc import DBAPIError

        if isinstance(error, DBAPIError):
            return True
        return type(error).__module__.split(".")[0] in ("psycopg2", "psycopg", "asyncpg")

    def current_settings(self, names: list[str]) -> dict[str, str | None]:
        return {name: self.scalar(f"SELECT current_setting({_literal(name)}, true)") for name in names}

    def restore_settings(self, saved: dict[str, str | None]) -> None:
        for name, value in saved.items():
            if value is None:
                self.execute(f"RESET {_identifier(name)}")
            else:
                self.execute(f"SELECT pg_catalog.set_config({_literal(name)}, {_literal(value)}, false)")


class _ChunkReader(io.RawIOBase):
    """A read-only file over data chunks, for copy APIs that read files."""

    def __init__(self, chunks: Iterator[memoryview]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if not self._pending:
            self._pending = bytes(next(self._chunks, b""))
        if size < 0 or size >= len(self._pending):
            data, self._pending = self._pending, b""
        else:
            data, self._pending = self._pending[:size], self._pending[size:]
        return data


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


_SET = re.compile(r"^\s*SET\s+(?:SESSION\s+|LOCAL\s+)?(?P<name>[A-Za-z_][\w.$]*)", re.IGNORECASE)
_SET_CONFIG = re.compile(r"set_config\s*\(\s*'(?P<name>[^']+)'", re.IGNORECASE)
_RESET = re.compile(r"^\s*RESET\s+(?P<name>[A-Za-z_][\w.$]*)", re.IGNORECASE)
_SPECIAL_SETTINGS = {"role": "role", "time": "timezone", "session": "session_authorization"}


def _changed_settings(statements: list[Statement]) -> list[str]:
    """Settings the script changes for the session: SET, RESET, set_config."""
    names: list[str] = []
    for statement in statements:
        if statement.kind != "sql":
            continue
        found = None
        if statement.tag == "SET":
            match = _SET.match(statement.text)
            if match:
                word = match["name"].lower()
                found = _SPECIAL_SETTINGS.get(word, word)
        elif statement.tag == "RESET":
            match = _RESET.match(statement.text)
            found = match["name"].lower() if match and match["name"].lower() != "all" else None
        elif statement.tag == "SELECT":
            match = _SET_CONFIG.search(statement.text)
            found = match["name"].lower() if match else None
        if found and found not in names:
            names.append(found)
    return names


def _sets_transaction_timeout(statement: Statement) -> bool:
    """pg_dump 17+ writes ``SET transaction_timeout = 0``, unknown before 17."""
    match = _SET.match(statement.text) if statement.tag == "SET" else None
    if match and match["name"].lower() == "transaction_timeout":
        log.info("skipping %r: the server is older than PostgreSQL 17", statement.text)
        return True
    return False


_MATVIEW = re.compile(
    r"^\s*CREATE\s+MATERIALIZED\s+VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>(?:\"(?:[^\"]|\"\")+\"|[\w$]+)"
    r"(?:\.(?:\"(?:[^\"]|\"\")+\"|[\w$]+))?)",
    re.IGNORECASE,
)


def _materialized_views_without_data(statements: list[Statement]) -> list[str]:
    names = []
    for statement in statements:
        if statement.tag == "CREATE MATERIALIZED VIEW" and re.search(
            r"WITH\s+NO\s+DATA\s*;?\s*$", statement.text, re.IGNORECASE
        ):
            match = _MATVIEW.match(statement.text)
            if match:
                names.append(match["name"])
    return names


_COPY_HEAD = re.compile(
    r"^\s*COPY\s+(?P<table>.+?)\s*(?:\((?P<columns>[^)]*)\))?\s+FROM\s+STDIN\s*(?P<options>.*?);?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def _copy_as_inserts(statement: Statement) -> Iterator[str]:
    """INSERTs equivalent to a text-format COPY, for drivers without a copy API."""
    match = _COPY_HEAD.match(statement.text)
    if not match or re.search(r"\b(csv|binary)\b", match["options"] or "", re.IGNORECASE):
        raise PlanError(f"{statement.text!r}: this driver has no copy API and only text-format COPY can be rewritten")
    columns = f" ({match['columns']})" if match["columns"] else ""
    for row in (statement.copy_data or b"").decode("utf-8").split("\n"):
        if not row:
            continue
        values = ", ".join("NULL" if field == "\\N" else "E" + _literal(field) for field in row.split("\t"))
        yield f"INSERT INTO {match['table']}{columns} VALUES ({values})"


_PLPGSQL_LINE = re.compile(r"PL/pgSQL function .*? line (?P<line>\d+)")
_COPY_LINE = re.compile(r"COPY [^,]+, line (?P<line>\d+)")
_DOLLAR_QUOTE = re.compile(r"\$(?:[A-Za-z_\x80-\uffff][\w\x80-\uffff]*)?\$")


def _details(error: BaseException) -> tuple[str, str | None, int | None, str | None]:
    """Message, SQLSTATE, 1-based position in the statement, CONTEXT."""
    original = getattr(error, "orig", None) or error
    driver_error = getattr(original, "__cause__", None) or original
    for candidate in (driver_error, original):
        diag = getattr(candidate, "diag", None)
        if diag is not None:  # psycopg2 and psycopg 3
            position = getattr(diag, "statement_position", None)
            sqlstate = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
            message = getattr(diag, "message_primary", None) or str(candidate)
            return message, sqlstate, int(position) if position else None, getattr(diag, "context", None)
        if hasattr(candidate, "sqlstate") and hasattr(candidate, "position"):  # asyncpg
            position = getattr(candidate, "position", None)
            message = getattr(candidate, "message", None) or str(candidate)
            return message, candidate.sqlstate, int(position) if position else None, getattr(candidate, "context", None)
    return str(original).strip().splitlines()[0], None, None, None


def _position_of_named_object(message: str, text: str) -> int | None:
    """Errors such as ``relation "public.userz" does not exist`` often carry
    no position; the named object's first mention in the statement is the
    best place to point at."""
    named = re.search(r'"([^"]+)"', message)
    if not named:
        return None
    found = re.search(re.escape(named[1]), text, re.IGNORECASE)
    return found.start() + 1 if found else None


def _statement_error(error: BaseException, statement: Statement, n: int, total: int, source: str) -> StatementError:
    message, sqlstate, position, context = _details(error)
    text_lines = statement.text.split("\n")
    index, col = 0, statement.col
    if position is None:
        position = _position_of_named_object(message, statement.text)
    if position is not None:
        before = statement.text[: max(position - 1, 0)]
        index = before.count("\n")
        col = len(before) - before.rfind("\n") if index else statement.col + len(before)
    elif context and (found := _PLPGSQL_LINE.search(context)):
        quote = _DOLLAR_QUOTE.search(statement.text)
        if quote:
            opener = statement.text[: quote.start()].count("\n")
            index = min(opener + int(found["line"]) - 1, len(text_lines) - 1)
            line_text = text_lines[index]
            col = len(line_text) - len(line_text.lstrip()) + 1 + (statement.col - 1 if index == 0 else 0)
    if statement.kind == "copy" and context and (row := _COPY_LINE.search(context)):
        # The data rows follow the command, one line each.
        rows = (statement.copy_data or b"").decode("utf-8", errors="replace").split("\n")
        number = int(row["line"])
        data_line = statement.line + statement.text.count("\n") + 1
        return StatementError(
            path=source,
            n=n,
            total=total,
            line=data_line + number - 1,
            col=1,
            message=message.strip(),
            sqlstate=sqlstate,
            statement=statement,
            source_line=rows[number - 1] if number <= len(rows) else "",
            caret_col=1,
        )
    source_line = text_lines[index]
    caret = col - (statement.col - 1 if index == 0 else 0)
    return StatementError(
        path=source,
        n=n,
        total=total,
        line=statement.line + index,
        col=col,
        message=message.strip(),
        sqlstate=sqlstate,
        statement=statement,
        source_line=source_line,
        caret_col=caret,
    )
