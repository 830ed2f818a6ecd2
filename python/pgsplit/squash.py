"""Proving a squashed migration: does it build the schema the old chain built?

``pgsplit squash`` writes the new first migration of a chain; :func:`verify`
checks it against a database the old chain migrated (a reference):

1. it creates a scratch database on the reference's server;
2. it runs the new migration's ``upgrade()`` there through Alembic's own
   operations, as ``alembic upgrade`` would, with the driver the URL names
   (or psycopg 3, psycopg2, pg8000, asyncpg, the first one installed);
3. it dumps both databases with one pg_dump (``-s -O -x``, Alembic's version
   table left out) and compares them object by object with
   :func:`pgsplit.diff`;
4. it drops the scratch database, whatever happened.

From the command line, ``pgsplit squash --verify URL --out DIR`` does the
same and exits 0 when the schemas are identical, 1 when they differ.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import secrets
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from . import _native
from ._diff import Diff, diff

__all__ = ["VerifyError", "verify"]

#: Drivers to build the scratch database with, when the URL names none.
_DRIVERS = ("psycopg", "psycopg2", "pg8000", "asyncpg")


class VerifyError(RuntimeError):
    """The check could not be made: no driver, no pg_dump, no scratch database."""


def verify(
    reference_url: str,
    migration: str | os.PathLike[str],
    *,
    pg_dump: str = "pg_dump",
    version_table: str = "alembic_version",
    ignore: Iterable[str] = (),
) -> Diff:
    """Builds a scratch database from ``migration`` (the ``.py`` file that
    ``pgsplit squash`` wrote) and compares its schema with the database at
    ``reference_url``. ``Diff.identical`` says whether they match.

    ``reference_url`` is a SQLAlchemy or libpq URL (``postgresql://...``,
    ``postgresql+psycopg://...``); its user must be allowed to create
    databases. ``ignore`` takes :func:`pgsplit.diff`'s values.
    """
    try:
        from sqlalchemy.engine import make_url
    except ImportError:
        raise VerifyError(
            "verifying needs Alembic and SQLAlchemy: pip install 'pgsplit[alembic]' (and a driver, such as psycopg)"
        ) from None

    reference = make_url(reference_url)
    if not reference.drivername.startswith("postgresql"):
        raise VerifyError(f"{reference_url!r} is not a PostgreSQL URL")
    driver = _driver(reference.drivername)
    reference = reference.set(drivername=f"postgresql+{driver}")
    scratch = reference.set(database=f"pgsplit_verify_{secrets.token_hex(6)}")
    upgrade = _load_upgrade(Path(migration))

    _admin(reference, f'CREATE DATABASE "{scratch.database}"')
    try:
        _run_upgrade(scratch, upgrade)
        dumps = [_dump(pg_dump, url, version_table) for url in (reference, scratch)]
    finally:
        _admin(reference, f'DROP DATABASE IF EXISTS "{scratch.database}"', force=True)
    return diff(dumps[0], dumps[1], ignore=ignore)


def _driver(drivername: str) -> str:
    if "+" in drivername:
        return drivername.split("+", 1)[1]
    for name in _DRIVERS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise VerifyError(f"no PostgreSQL driver is installed; install one of {', '.join(_DRIVERS)}")


def _load_upgrade(path: Path) -> Any:
    if not path.is_file():
        raise VerifyError(f"{path} does not exist; give the .py file that `pgsplit squash` wrote")
    spec = importlib.util.spec_from_file_location(f"_pgsplit_verify_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise VerifyError(f"{path} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.upgrade


def _is_async(url: Any) -> bool:
    return bool(url.get_dialect().is_async)


def _admin(url: Any, sql: str, *, force: bool = False) -> None:
    """Runs ``CREATE``/``DROP DATABASE`` outside a transaction, from ``url``'s
    database. ``force`` ends other sessions first (PostgreSQL 13 and later)."""
    from sqlalchemy import text

    def run(connection: Any) -> None:
        if force and connection.dialect.server_version_info >= (13,):
            connection.execute(text(sql + " WITH (FORCE)"))
        else:
            connection.execute(text(sql))

    _with_connection(url, run, autocommit=True)


def _run_upgrade(url: Any, upgrade: Any) -> None:
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    def run(connection: Any) -> None:
        context = MigrationContext.configure(connection)
        with Operations.context(context):
            upgrade()

    _with_connection(url, run, autocommit=False)


def _with_connection(url: Any, work: Any, *, autocommit: bool) -> None:
    from sqlalchemy import create_engine, pool
    from sqlalchemy.ext.asyncio import create_async_engine

    options: dict[str, Any] = {"poolclass": pool.NullPool}
    if autocommit:
        options["isolation_level"] = "AUTOCOMMIT"
    if not _is_async(url):
        engine = create_engine(url, **options)
        try:
            with engine.begin() as connection:
                work(connection)
        finally:
            engine.dispose()
        return

    async def run_async() -> None:
        engine = create_async_engine(url, **options)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(work)
        finally:
            await engine.dispose()

    asyncio.run(run_async())


def _libpq_url(url: Any) -> str:
    """``url`` as pg_dump takes it: no ``+driver``, libpq's parameter names."""
    query = {key: value for key, value in url.query.items() if key != "unix_sock"}
    if "unix_sock" in url.query:
        query["host"] = os.path.dirname(str(url.query["unix_sock"]))
    libpq = url.set(drivername="postgresql", query=query)
    return str(libpq.render_as_string(hide_password=False))


def _dump(pg_dump: str, url: Any, version_table: str) -> bytes:
    command = [pg_dump, "-s", "-O", "-x", f"--exclude-table=*.{version_table}", "-d", _libpq_url(url)]
    try:
        done = subprocess.run(command, capture_output=True, check=False)
    except FileNotFoundError:
        raise VerifyError(f"{pg_dump} was not found; pass the path of a pg_dump") from None
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip()
        hint = (
            "; pass --pg-dump PATH with a pg_dump of the server's major version or newer"
            if "version mismatch" in said
            else ""
        )
        raise VerifyError(f"pg_dump failed for database {url.database}: {said}{hint}")
    return done.stdout


def main(argv: Sequence[str]) -> int:
    """``pgsplit squash`` with ``--verify``: writes the migration first when a
    dump is given, then verifies it. Without ``--verify``, the native command
    runs alone."""
    parser = argparse.ArgumentParser(prog="pgsplit squash", add_help=False)
    parser.add_argument("dump", nargs="?")
    parser.add_argument("--out", required=True)
    parser.add_argument("--revision", default="001_initial_schema")
    parser.add_argument("-m", "--message")
    parser.add_argument("--data-from")
    parser.add_argument("--data-tables")
    parser.add_argument("--version-table", default="alembic_version")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--verify", required=True)
    parser.add_argument("--pg-dump", default="pg_dump")
    parser.add_argument("--ignore", default="")
    known = parser.parse_args(argv)
    if known.dump is not None:
        written = _native.cli(["pgsplit", "squash", *_without_verify(argv)])
        if written != 0:
            return int(written)
    migration = Path(known.out) / f"{known.revision}.py"
    try:
        found = verify(
            known.verify,
            migration,
            pg_dump=known.pg_dump,
            version_table=known.version_table,
            ignore=[value for value in known.ignore.split(",") if value],
        )
    except Exception as error:
        # Whatever stops the check (driver, pg_dump, the migration itself)
        # is the user's to read, not a trace: exit status 2.
        print(f"pgsplit: verify: {error}", file=sys.stderr)
        return 2
    if found.identical:
        print(f"{migration} builds the same schema as the reference database")
        return 0
    print(found)
    print(
        f"\n{len(found.changes)} object(s) differ between the reference (A) and {migration} (B)",
        file=sys.stderr,
    )
    return 1


def _without_verify(argv: Sequence[str]) -> list[str]:
    """``argv`` less the options only verification uses, and their values."""
    only_verify = ("--verify", "--pg-dump", "--ignore")
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in only_verify:
            skip = True
        elif not arg.startswith(tuple(f"{option}=" for option in only_verify)):
            kept.append(arg)
    return kept
