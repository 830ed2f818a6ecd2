"""Run a SQL script, a pg_dump file above all, from an Alembic migration.

In ``upgrade()``::

    from alembic import op
    import pgsplit.alembic  # registers op.execute_file and op.execute_sql

    def upgrade() -> None:
        op.execute_file("001_initial_schema.sql")

(``from pgsplit.alembic import execute_file`` and a plain call works the same.)

What it does that ``op.execute(open(f).read())`` cannot:

- splits exactly (dollar-quoted and ``BEGIN ATOMIC`` bodies, COPY data) and
  sends each statement alone and verbatim: no ``:name`` binds, no ``%``
  formatting, one statement per call, so asyncpg and pg8000 work too;
- sends COPY data through the driver's copy API (psycopg2, psycopg 3,
  asyncpg), or as INSERTs for other drivers;
- decides before running anything what it will run, skip or refuse, with the
  same rules as ``pgsplit check --target alembic`` (both read one plan, made
  in the Rust core), and raises :class:`PlanError` naming every refusal;
- restores every session setting the script changed (``search_path`` above
  all), whatever statement changed it, so Alembic's own bookkeeping still
  finds ``alembic_version``;
- reads the file in the ``client_encoding`` it declares;
- writes the script exactly in offline mode (``alembic upgrade --sql``), for
  psql to run;
- reports a failing statement like a compiler: file, line, column, the line
  and a caret, chained to the driver's error, and sends nothing more in the
  failed transaction, so that error is the one the user reads.
"""

from __future__ import annotations

import inspect
import io
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeAlias

from . import _native, _records
from ._script import Compat, Script, Statement, _Picklable, _script

__all__ = [
    "MetaOption",
    "NonTransactionalOption",
    "PlanError",
    "PlanFinding",
    "StatementError",
    "TransactionControlOption",
    "execute_file",
    "execute_sql",
]

log = logging.getLogger("pgsplit")

# (Unions of one-value Literals: the same types as ``Literal["a", "b"]``,
# and a Union at run time too, as stubtest wants them.)

#: ``"error"``: refuse psql meta-commands other than pg_dump's ``\\restrict``;
#: ``"skip"``: leave them out.
MetaOption: TypeAlias = Literal["error"] | Literal["skip"]
#: ``"error"``: refuse statements that cannot run in a transaction block;
#: ``"autocommit"``: run each in an autocommit block (which commits what ran
#: before it).
NonTransactionalOption: TypeAlias = Literal["error"] | Literal["autocommit"]
#: ``"error"``: refuse the script's own ``BEGIN``/``COMMIT``; ``"skip"``: leave
#: them out and run the script in the migration's transaction.
TransactionControlOption: TypeAlias = Literal["error"] | Literal["skip"]

Progress = Callable[[int, int, Statement], None]


class PlanFinding(NamedTuple):
    """One reason the script cannot run as asked."""

    code: str  # a stable name: "meta-command", "non-transactional", ...
    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message} [{self.code}]"


class PlanError(_Picklable, ValueError):
    """The script holds something that cannot run as asked; raised before any
    statement runs. ``findings`` names every one of them."""

    def __init__(self, findings: tuple[PlanFinding, ...]) -> None:
        count = f"{len(findings)} statement(s) cannot run as asked" if len(findings) > 1 else ""
        super().__init__("\n".join([*([count] if count else []), *map(str, findings)]))
        self.findings = findings


class StatementError(_Picklable, Exception):
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
        context: str | None = None,
    ) -> None:
        self.path = path
        self.n = n
        self.total = total
        self.line = line
        self.col = col
        self.message = message
        self.sqlstate = sqlstate
        self.statement = statement
        self.toc = statement.toc
        self.context = context
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
            f"  {' ' * max(caret_col - 1, 0)}^" + (f"\n{context}" if context else "")
        )


@dataclass(frozen=True)
class _Options:
    meta: MetaOption
    non_transactional: NonTransactionalOption
    transaction_control: TransactionControlOption
    restore_settings: bool
    refresh_materialized_views: bool
    dry_run: bool
    progress: Progress | None
    compat: Compat

    @classmethod
    def of(cls, arguments: dict[str, Any]) -> _Options:
        """The options among a public function's ``locals()``: each public
        signature names them once, and none repeats the list."""
        return cls(**{name: arguments[name] for name in cls.__dataclass_fields__})

    def plan_arguments(self) -> tuple[str, str, str]:
        for name, value in (
            ("meta", self.meta),
            ("non_transactional", self.non_transactional),
            ("transaction_control", self.transaction_control),
        ):
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a str, not {type(value).__name__}")
        return self.meta, self.non_transactional, self.transaction_control


class _Step(NamedTuple):
    """A statement the plan runs, and how."""

    statement: Statement
    autocommit: bool
    settings: tuple[str, ...]
    copy_into: tuple[str, str | None, str] | None
    unpopulated_view: str | None


def execute_file(
    path: str | os.PathLike[str],
    *,
    meta: MetaOption = "error",
    non_transactional: NonTransactionalOption = "error",
    transaction_control: TransactionControlOption = "error",
    restore_settings: bool = True,
    refresh_materialized_views: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    compat: Compat = "default",
) -> list[Statement]:
    """Runs the SQL file ``path`` (``.sql``, ``.sql.gz`` or ``.sql.zst``) in the
    current migration. A relative path is taken from the calling migration's
    folder.

    ``meta``, ``non_transactional`` and ``transaction_control`` say what to do
    with what cannot run as it stands (see the option types); anything else
    the plan refuses raises :class:`PlanError` before anything runs.
    ``restore_settings``: put back every session setting the script changed.
    ``refresh_materialized_views``: refresh those created ``WITH NO DATA``.
    ``dry_run``: run nothing, return the statements that would run.
    ``progress``: called with ``(done, total, statement)`` after each.

    Returns the statements that ran (or would run).
    """
    return _execute_file(path, _Options.of(locals()))


def _execute_file(path: str | os.PathLike[str], options: _Options) -> list[Statement]:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"execute_file() takes a path as str or os.PathLike, not {type(path).__name__}")
    given = os.fspath(path)
    if not isinstance(given, str):
        raise TypeError("execute_file() takes a path as str, not bytes")
    resolved = Path(given)
    if not resolved.is_absolute():
        resolved = _caller_folder() / resolved
    return _run(_plan_file(resolved, given, options), given, options)


def execute_sql(
    sql: str | bytes,
    *,
    source: str = "<sql>",
    meta: MetaOption = "error",
    non_transactional: NonTransactionalOption = "error",
    transaction_control: TransactionControlOption = "error",
    restore_settings: bool = True,
    refresh_materialized_views: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    compat: Compat = "default",
) -> list[Statement]:
    """Runs the script ``sql`` in the current migration; see :func:`execute_file`.
    ``source`` names it in messages."""
    return _execute_sql(sql, source, _Options.of(locals()))


def _execute_sql(sql: str | bytes, source: str, options: _Options) -> list[Statement]:
    if not isinstance(sql, str | bytes):
        raise TypeError(f"execute_sql() takes SQL as str or bytes, not {type(sql).__name__}")
    return _run(_plan_text(sql, source, options), source, options)


def _caller_folder() -> Path:
    """The folder of the first caller outside this package and Alembic's
    operation machinery: the migration."""
    skipped = [Path(__file__).parent]
    with suppress(ImportError):
        import alembic

        skipped.append(Path(alembic.__file__).parent)
    for frame in inspect.stack()[1:]:
        file = Path(frame.filename)
        if file.name.startswith("<"):
            continue
        if not any(file.is_relative_to(folder) for folder in skipped):
            return file.parent
    return Path.cwd()


@dataclass(frozen=True)
class _Plan:
    script: Script
    steps: list[_Step]


def _plan_file(resolved: Path, given: str, options: _Options) -> _Plan:
    from ._script import _buffer, _compat

    name = os.fspath(resolved)
    before = os.stat(name)
    arguments = options.plan_arguments()
    records, diagnostics, decompressed, plan = _native.plan_path(name, _compat(options.compat), 0, *arguments)
    encoding = plan["encoding"]
    if encoding is not None:
        data = decompressed if decompressed is not None else _native.read(name)
        return _plan_text(_decode(data, encoding, given), given, options)
    buffer = _buffer(name, before, decompressed)
    return _made_plan(_script(records, diagnostics, buffer, given, False), plan, given)


def _plan_text(sql: str | bytes, source: str, options: _Options) -> _Plan:
    from ._script import _compat

    data = sql.encode() if isinstance(sql, str) else sql
    records, diagnostics, plan = _native.plan_text(data, _compat(options.compat), *options.plan_arguments())
    if plan["encoding"] is not None and isinstance(sql, bytes):
        return _plan_text(_decode(sql, plan["encoding"], source), source, options)
    return _made_plan(_script(records, diagnostics, data, source, False), plan, source)


def _decode(data: bytes, encoding: tuple[str, str], source: str) -> str:
    """The script's bytes in the client_encoding it declares, as text."""
    name, codec = encoding
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        col = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        message = (
            f"byte 0x{data[error.start]:02x} is not valid {name}, the client_encoding the script declares: "
            "fix the byte or the declaration"
        )
        raise PlanError((PlanFinding("invalid-encoding", source, line, col, message),)) from None


def _made_plan(script: Script, plan: _records.PlanRecord, source: str) -> _Plan:
    if plan["refusals"]:
        raise PlanError(
            tuple(PlanFinding(r["code"], source, r["line"], r["col"], r["message"]) for r in plan["refusals"])
        )
    steps = [
        _Step(statement, s["step"] == "autocommit", tuple(s["settings"]), s["copy_into"], s["unpopulated_view"])
        for statement, s in zip(script, plan["steps"], strict=True)
        if s["step"] != "skip"
    ]
    return _Plan(script, steps)


def _run(plan: _Plan, source: str, options: _Options) -> list[Statement]:
    from alembic import op

    steps = plan.steps
    if options.dry_run:
        return [step.statement for step in steps]
    context = op.get_context()
    if context.as_sql:
        _write_offline(context, steps, options)
        return [step.statement for step in steps]
    driver = _driver(op.get_bind())
    if driver.server_version < 170000:
        steps = [step for step in steps if not _skips_transaction_timeout(step)]
    before = driver.session_settings() if options.restore_settings else None
    started = time.monotonic()
    for done, step in enumerate(steps, 1):
        try:
            if step.autocommit:
                _run_in_autocommit_block(context, driver, step)
            else:
                driver.run(step)
        except Exception as error:
            if not driver.is_database_error(error):
                raise
            failure = _statement_error(error, step.statement, done, len(steps), source, plan.script)
            driver.forget_if_lost()
            if step.autocommit and before is not None:
                # Outside a transaction the session is still usable, and what
                # earlier autocommit blocks committed stays set: put it back,
                # but never let that hide the failure.
                with suppress(Exception):
                    driver.restore_settings(before)
            # Inside the migration's transaction nothing more is sent: the
            # transaction is aborted, and its rollback undoes what SET did.
            raise failure from error
        if options.progress:
            options.progress(done, len(steps), step.statement)
    if options.refresh_materialized_views:
        for step in steps:
            if step.unpopulated_view:
                driver.execute(f"REFRESH MATERIALIZED VIEW {step.unpopulated_view}")
    if before is not None:
        driver.restore_settings(before)
    log.info("%s: ran %d statements in %.2f s", source, len(steps), time.monotonic() - started)
    return [step.statement for step in steps]


def _run_in_autocommit_block(context: Any, driver: _Driver, step: _Step) -> None:
    """Runs ``step`` in an autocommit block; when it fails, its error is the
    one raised, not whatever closing the block then raises about it."""
    failed: BaseException | None = None
    try:
        with context.autocommit_block():
            try:
                driver.run(step)
            except Exception as error:
                failed = error
    except Exception:
        if failed is None:
            raise
    if failed is not None:
        raise failed


def _skips_transaction_timeout(step: _Step) -> bool:
    """pg_dump 17+ writes ``SET transaction_timeout = 0``, unknown before 17."""
    if "transaction_timeout" in step.settings and step.statement.tag == "SET":
        log.info("skipping %r: the server is older than PostgreSQL 17", step.statement.text)
        return True
    return False


def _write_offline(context: Any, steps: list[_Step], options: _Options) -> None:
    """Offline mode: the script exactly, for psql to run. A statement psql
    would not end at its own ``;`` (a ``BEGIN ATOMIC`` body reading a column
    named ``begin``) is followed by ``\\g``, which makes psql send it;
    statements that cannot run in a transaction block go between the COMMIT
    and BEGIN of Alembic's autocommit block."""
    for step in steps:
        text = _offline_text(step.statement)
        if step.autocommit:
            with context.autocommit_block():
                context.impl.static_output(text)
        else:
            context.impl.static_output(text)
    if options.refresh_materialized_views:
        for step in steps:
            if step.unpopulated_view:
                context.impl.static_output(f"REFRESH MATERIALIZED VIEW {step.unpopulated_view};\n")
    if options.restore_settings:
        # Offline there are no values to read back: the session defaults,
        # which the offline script started from, are restored instead.
        names = list(dict.fromkeys(name for step in steps for name in step.settings))
        for name in names:
            reset = "RESET ALL" if name == "ALL" else f"RESET {_identifier(name)}"
            context.impl.static_output(reset + ";\n")


def _offline_text(statement: Statement) -> str:
    text = statement.text if statement.text.rstrip().endswith(";") else statement.text + ";"
    if statement.kind == "copy" and statement.copy_data is not None:
        data = statement.copy_data.decode("utf-8", errors="surrogateescape")
        if data and not data.endswith("\n"):
            data += "\n"
        text = f"{statement.text}\n{data}\\."
    elif not _psql_ends_it(text):
        text += "\n\\g"
    return text + "\n"


def _psql_ends_it(text: str) -> bool:
    """Whether psql's own rules end ``text`` at its last ``;``."""
    from ._script import parse

    as_psql = parse(text, compat="psql")
    return len(as_psql) == 1 and not as_psql.diagnostics


# The drivers


#: The session's settings that a script can change: those a SET can change,
#: less the per-transaction ones, plus role and session authorization.
_SESSION_SETTINGS = """
SELECT name, setting FROM pg_catalog.pg_settings
 WHERE context IN ('user', 'superuser')
   AND name NOT IN ('transaction_isolation', 'transaction_read_only', 'transaction_deferrable')
UNION ALL SELECT 'session_authorization', pg_catalog.current_setting('session_authorization')
UNION ALL SELECT 'role', pg_catalog.current_setting('role')
"""

#: Settings put back first: setting the session authorization resets the role.
_RESTORED_FIRST = ("session_authorization", "role")


class ConnectionLostError(ConnectionError):
    """The server closed the connection while a statement ran."""


class _Driver:
    """What every DBAPI driver shares, through SQLAlchemy; each subclass
    knows its driver's COPY API."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.raw = connection.connection.dbapi_connection
        self.server_version = int(self.scalar("SHOW server_version_num"))

    def execute(self, sql: str) -> None:
        self.connection.execution_options(no_parameters=True).exec_driver_sql(sql)

    def scalar(self, sql: str) -> Any:
        return self.connection.execution_options(no_parameters=True).exec_driver_sql(sql).scalar()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.connection.execution_options(no_parameters=True).exec_driver_sql(sql)]

    def run(self, step: _Step) -> None:
        if step.statement.kind == "copy" and step.statement.copy_spans:
            self.copy(step)
        else:
            self.execute(step.statement.text)

    def copy(self, step: _Step) -> None:
        """Drivers without a copy API: the rows as INSERTs. A failing row is
        named on the error, as the server's COPY context would."""
        for row, insert in enumerate(_copy_as_inserts(step), 1):
            try:
                self.execute(insert)
            except Exception as error:
                error.pgsplit_copy_row = row  # type: ignore[attr-defined]
                raise

    def is_database_error(self, error: BaseException) -> bool:
        from sqlalchemy.exc import DBAPIError

        if isinstance(error, DBAPIError | ConnectionLostError):
            return True
        return type(error).__module__.split(".")[0] in ("psycopg2", "psycopg", "asyncpg", "pg8000")

    def forget_if_lost(self) -> None:
        """After a failure: a connection the server closed is marked invalid,
        so that Alembic's rollback does not fail on it and hide the error."""
        with suppress(Exception):
            if self.is_lost():
                self.connection.invalidate()

    def is_lost(self) -> bool:
        closed = getattr(self.raw, "closed", False)
        return bool(closed) or bool(getattr(self.raw, "broken", False))

    def session_settings(self) -> dict[str, str]:
        return {str(name): str(value) for name, value in self.rows(_SESSION_SETTINGS)}

    def restore_settings(self, before: dict[str, str]) -> None:
        """Puts back every setting that is not what it was in ``before``."""
        now = self.session_settings()
        changed = [name for name, value in before.items() if now.get(name) != value]
        changed.sort(key=lambda name: _RESTORED_FIRST.index(name) if name in _RESTORED_FIRST else len(_RESTORED_FIRST))
        for name in changed:
            log.debug("restoring %s to %r", name, before[name])
            self.execute(f"SELECT pg_catalog.set_config({_literal(name)}, {_literal(before[name])}, false)")


class _Psycopg2(_Driver):
    def copy(self, step: _Step) -> None:
        with self.raw.cursor() as cursor:
            cursor.copy_expert(step.statement.text, _ChunkReader(step.statement.copy_chunks()))


class _Psycopg(_Driver):
    def copy(self, step: _Step) -> None:
        with self.raw.cursor() as cursor, cursor.copy(step.statement.text) as copy:
            for chunk in step.statement.copy_chunks():
                copy.write(chunk)


#: How often a running COPY checks that asyncpg's connection is still open.
_CONNECTION_CHECK_SECONDS = 1.0


class _Asyncpg(_Driver):
    """SQLAlchemy's asyncpg adapter, with the asyncpg connection underneath.

    asyncpg's COPY waits for the server forever when the server goes away in
    the middle of it, so the copy runs as a task, and the connection is
    checked every second while it runs."""

    def copy(self, step: _Step) -> None:
        from sqlalchemy.util import await_only

        self.execute("SELECT 1")  # the adapter begins its transaction lazily
        await_only(self._watched_copy(step))

    def is_lost(self) -> bool:
        return bool(self.raw._connection.is_closed())

    async def _watched_copy(self, step: _Step) -> None:
        import asyncio

        connection = self.raw._connection
        reader = _ChunkReader(step.statement.copy_chunks())
        task = asyncio.ensure_future(connection._copy_in(step.statement.text, reader, None))
        while True:
            done, _ = await asyncio.wait({task}, timeout=_CONNECTION_CHECK_SECONDS)
            if done:
                task.result()
                return
            if connection.is_closed():
                task.cancel()
                with suppress(BaseException):
                    await task
                raise ConnectionLostError("the connection to the server was lost during COPY")


class _Pg8000(_Driver):
    """pg8000 has no copy API (INSERTs instead), and starts a transaction with
    any query, even the isolation-level query of an autocommit block: that
    empty transaction is ended before a statement that must run outside one."""

    def run(self, step: _Step) -> None:
        if step.autocommit and getattr(self.raw, "_in_transaction", False):
            self.raw.commit()
        super().run(step)


def _driver(connection: Any) -> _Driver:
    raw = connection.connection.dbapi_connection
    module = type(raw).__module__.split(".")[0]
    if module == "psycopg2":
        return _Psycopg2(connection)
    if module == "psycopg":
        return _Psycopg(connection)
    if module == "pg8000":
        return _Pg8000(connection)
    underneath = getattr(raw, "_connection", None)
    if module == "sqlalchemy" and type(underneath).__module__.startswith("asyncpg"):
        return _Asyncpg(connection)
    return _Driver(connection)


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


def _copy_as_inserts(step: _Step) -> Iterator[str]:
    """INSERTs equivalent to a text-format COPY, for drivers without a copy API."""
    if step.copy_into is None or step.copy_into[2] != "text":
        raise PlanError(
            (
                PlanFinding(
                    "copy-format",
                    "<script>",
                    step.statement.line,
                    step.statement.col,
                    "this driver has no copy API, and only text-format COPY can be sent as INSERTs: "
                    "use psycopg, psycopg2 or asyncpg",
                ),
            )
        )
    table, columns, _ = step.copy_into
    into = f"{table} ({columns})" if columns else table
    data = (step.statement.copy_data or b"").decode("utf-8")
    for row in data.removesuffix("\n").split("\n") if data else []:
        values = ", ".join("NULL" if field == "\\N" else "E" + _literal(field) for field in row.split("\t"))
        yield f"INSERT INTO {into} VALUES ({values})"


# Where a failure is in the file

_PLPGSQL_LINE = re.compile(r"PL/pgSQL function (?P<function>.*?) line (?P<line>\d+)")
_COPY_LINE = re.compile(r"COPY [^,]+, line (?P<line>\d+)")


class _Details(NamedTuple):
    message: str
    sqlstate: str | None
    position: int | None  # 1-based, in the statement
    context: str | None


def _details(error: BaseException) -> _Details:
    """What the server said, wherever the driver keeps it."""
    original = getattr(error, "orig", None) or error
    driver_error = getattr(original, "__cause__", None) or original
    for candidate in (driver_error, original):
        diag = getattr(candidate, "diag", None)
        if diag is not None:  # psycopg2 and psycopg 3
            position = getattr(diag, "statement_position", None)
            sqlstate = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
            message = getattr(diag, "message_primary", None) or str(candidate)
            return _Details(message, sqlstate, int(position) if position else None, getattr(diag, "context", None))
        if hasattr(candidate, "sqlstate") and hasattr(candidate, "position"):  # asyncpg
            position = getattr(candidate, "position", None)
            message = getattr(candidate, "message", None) or str(candidate)
            context = getattr(candidate, "context", None)
            return _Details(message, candidate.sqlstate, int(position) if position else None, context)
        fields = candidate.args[0] if candidate.args and isinstance(candidate.args[0], dict) else None
        if fields is not None and "M" in fields:  # pg8000: the server's fields by their protocol codes
            position = fields.get("P")
            return _Details(fields["M"], fields.get("C"), int(position) if position else None, fields.get("W"))
    lines = str(original).strip().splitlines()
    return _Details(lines[0] if lines else type(original).__name__, None, None, None)


def _position_of_named_object(message: str, text: str) -> int | None:
    """Errors such as ``relation "public.userz" does not exist`` often carry
    no position; the named object's first mention in the statement (found by
    the lexer, so ``orders_nothing`` is not ``nothing``) is the best place to
    point at."""
    named = re.search(r'"([^"]+)"', message)
    if not named:
        return None
    found = _native.name_position(text, named[1])
    return found + 1 if found is not None else None


def _function_body_line(script: Script, context: str) -> str | None:
    """For an error raised inside a PL/pgSQL function the script created:
    where in the file the CONTEXT's line is."""
    found = _PLPGSQL_LINE.search(context)
    if not found:
        return None
    name = found["function"].split("(", 1)[0].rsplit(".", 1)[-1].strip('"')
    for statement in script:
        if statement.tag not in ("CREATE FUNCTION", "CREATE PROCEDURE") or not statement.toc:
            continue
        if statement.toc.name.split("(", 1)[0] != name:
            continue
        body = _native.body_position(statement.text)
        if body is not None:
            opener = statement.line + statement.text[:body].count("\n")
            return f"{script.source or '<sql>'}:{opener + int(found['line']) - 1}: in {found['function']}"
    return None


def _statement_error(
    error: BaseException, statement: Statement, n: int, total: int, source: str, script: Script
) -> StatementError:
    message, sqlstate, position, context = _details(error)
    text_lines = statement.text.split("\n")
    index, col = 0, statement.col
    where_in_function = None
    if position is None:
        position = _position_of_named_object(message, statement.text)
    if position is not None:
        before = statement.text[: max(position - 1, 0)]
        index = before.count("\n")
        col = len(before) - before.rfind("\n") if index else statement.col + len(before)
    elif context and (found := _PLPGSQL_LINE.search(context)):
        if "inline_code_block" in found["function"]:
            body = _native.body_position(statement.text)
            if body is not None:
                opener = statement.text[:body].count("\n")
                index = min(opener + int(found["line"]) - 1, len(text_lines) - 1)
                line_text = text_lines[index]
                col = len(line_text) - len(line_text.lstrip()) + 1 + (statement.col - 1 if index == 0 else 0)
        else:
            where_in_function = _function_body_line(script, context)
    copy_row = getattr(error, "pgsplit_copy_row", None)
    if statement.kind == "copy" and context and (row := _COPY_LINE.search(context)):
        copy_row = int(row["line"])
    if statement.kind == "copy" and copy_row is not None:
        # The data rows follow the command, one line each.
        rows = (statement.copy_data or b"").decode("utf-8", errors="replace").split("\n")
        number = copy_row
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
        context=where_in_function,
    )


with suppress(ImportError):
    # Registers op.execute_file and op.execute_sql where Alembic is installed.
    from . import _operations  # noqa: F401
