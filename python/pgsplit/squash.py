"""Consolidating an Alembic chain, and proving the new first migration.

``pgsplit squash`` (the native command) turns a schema dump into the first
migration of a new chain. This module does what needs a server and Alembic:

- :func:`consolidate` (``pgsplit squash --alembic alembic.ini --out DIR``)
  needs nothing but the project. On a scratch database (a throwaway embedded
  PostgreSQL by default, or ``--server URL``) it runs the old chain with the
  project's own ``env.py``, dumps the schema, keeps the rows that data
  migrations inserted (every table that holds rows after upgrading an empty
  database), writes the revision as ``pgsplit squash DUMP`` does, and proves
  it on a second scratch database;
- :func:`verify` (``pgsplit squash --verify URL --out DIR``) proves a
  revision already written against a database the old chain migrated.

The proof is the same for both (``_proof.prove``): the new revision upgrades
an empty database, its schema and kept rows dump as the reference's, object
by object, ``alembic check`` finds nothing to do (``--alembic`` only: it
needs the project's ``target_metadata``), ``downgrade base`` leaves nothing
behind and upgrading again gives the same schema. Scratch databases are
dropped and the embedded cluster deleted however the run ends, Ctrl-C
included.

The command prints a checklist (``--format json`` for tools) and exits 0
when every step holds, 1 when one differs (naming and diffing what differs),
2 when the proof could not run (a migration that fails, named by its
revision; no server; no pg_dump), 130 when interrupted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Literal, TextIO, TypeAlias

from . import _native
from ._diff import Diff
from ._proof import AlembicProject, BareRevision, Checklist, Format, Reference, Status, Step, prove
from ._records import Ignore, SquashArguments
from ._scratch import (
    Server,
    VerifyError,
    data_dump,
    embedded_server,
    given_server,
    query,
    require_sqlalchemy,
    schema_dump,
    scratch_database,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

__all__ = ["Consolidation", "Step", "VerifyError", "consolidate", "verify"]

#: Which tables' rows the new revision keeps: ``auto``, every table that holds
#: rows once the chain ran on an empty database; ``none``; or the tables
#: named (``table`` or ``schema.table``).
DataTables: TypeAlias = Literal["auto"] | Literal["none"] | Sequence[str]

#: The environment variable env.py files commonly read their URL from.
DEFAULT_URL_ENV = "DATABASE_URL"


@dataclass(frozen=True)
class Consolidation:
    """What :func:`consolidate` did: the files it wrote and the checklist."""

    written: tuple[Path, ...]
    steps: tuple[Step, ...]

    @property
    def holds(self) -> bool:
        """Every check passed (skipped ones aside)."""
        return all(step.status != "differs" for step in self.steps)


def consolidate(
    alembic_ini: str | os.PathLike[str],
    *,
    out: str | os.PathLike[str],
    server: str | None = None,
    revision: str = "001_initial_schema",
    message: str | None = None,
    data_tables: DataTables = "auto",
    url_env: str | None = DEFAULT_URL_ENV,
    version_table: str = "alembic_version",
    pg_dump: str | None = None,
    force: bool = False,
    format: Format = "text",
    stream: TextIO | None = None,
) -> Consolidation:
    """Builds the old chain of the project at ``alembic_ini`` on a scratch
    database, writes ``{revision}.py`` and ``{revision}.sql`` into ``out``
    and proves them (see the module's docstring).

    ``server``: a URL whose server holds the scratch databases (its user must
    create databases); by default a throwaway embedded PostgreSQL 18.
    ``url_env``: the environment variable set to the scratch database's URL
    while env.py runs, for env.py files that read their URL from one (None
    sets none). ``pg_dump``: by default the embedded server's, or one of the
    given server's major version. ``stream``: where the checklist is printed
    as it goes (``format``: ``text`` or ``json``), by default nowhere. Raises :class:`VerifyError` when it cannot
    run; ``Consolidation.holds`` says whether the proof holds.
    """
    checklist = Checklist(format=format, stream=stream)
    written = _consolidate(
        Path(alembic_ini),
        out=Path(out),
        server=server,
        revision=revision,
        message=message,
        data_tables=data_tables,
        url_env=url_env,
        version_table=version_table,
        pg_dump=pg_dump,
        force=force,
        checklist=checklist,
    )
    return Consolidation(written=tuple(written), steps=tuple(checklist.steps))


def _consolidate(
    ini: Path,
    *,
    out: Path,
    server: str | None,
    revision: str,
    message: str | None,
    data_tables: DataTables,
    url_env: str | None,
    version_table: str,
    pg_dump: str | None,
    force: bool,
    checklist: Checklist,
) -> list[Path]:
    require_sqlalchemy()
    if not ini.is_file():
        raise VerifyError(f"{ini} does not exist; give the project's alembic.ini")
    out = out.resolve()
    written = [out / f"{revision}.py", out / f"{revision}.sql"]
    existing = [path for path in written if path.exists()]
    if existing and not force:
        raise VerifyError(f"{existing[0]} exists; pass --force to replace it")
    project = AlembicProject(ini, url_env=url_env)
    revisions = project.revisions()
    if not revisions:
        raise VerifyError(f"the project of {ini} has no revisions to consolidate")

    with (
        _server(server, pg_dump=pg_dump, driver=project.driver()) as where,
        tempfile.TemporaryDirectory(prefix="pgsplit-squash-") as work_dir,
    ):
        work = Path(work_dir)
        with scratch_database(where, "chain") as chain:
            name = f"the old chain upgrades an empty database ({len(revisions)} revisions)"
            checklist.running(name)
            project.upgrade(chain)
            checklist.record(name, "ok")
            dump, rows, kept = _dump_chain_head(
                where, chain, work, data_tables=data_tables, version_table=version_table, checklist=checklist
            )
            title = message or f"Initial schema, consolidated from {len(revisions)} migrations"
            _write_revision(
                dump, rows, kept, out=out, revision=revision, message=title, version_table=version_table,
                force=force, cwd=ini.resolve().parent,
            )  # fmt: skip
            checklist.record("the new revision is written", "ok", ", ".join(str(path) for path in written))

            # The new revision alone, as the new chain will hold it.
            versions = work / "versions"
            versions.mkdir()
            for path in written:
                shutil.copy(path, versions)
            prove(
                server=where,
                reference=Reference(chain, "the chain", kept),
                runner=project.with_versions(versions),
                checklist=checklist,
                version_table=version_table,
            )
    return written


def _dump_chain_head(
    server: Server,
    chain: URL,
    work: Path,
    *,
    data_tables: DataTables,
    version_table: str,
    checklist: Checklist,
) -> tuple[Path, Path | None, list[str]]:
    """The chain's schema dump and, when rows are kept, the dump they are
    taken from, both in ``work``; and the tables kept."""
    dump = work / "chain-head-schema.sql"
    dump.write_bytes(schema_dump(server.pg_dump, chain, version_table=version_table))
    checklist.record("its schema is dumped", "ok", f"pg_dump {server.major}")
    kept = _kept_tables(chain, data_tables, version_table=version_table)
    rows = None
    if kept:
        rows = work / "chain-head-rows.sql"
        rows.write_bytes(data_dump(server.pg_dump, chain, tables=kept))
    status: Status = "ok" if kept else "skipped"
    checklist.record("rows that data migrations inserted are kept", status, _kept_detail(chain, kept))
    return dump, rows, kept


@contextlib.contextmanager
def _server(url: str | None, *, pg_dump: str | None, driver: str | None) -> Iterator[Server]:
    if url is not None:
        with given_server(url, pg_dump=pg_dump, driver=driver) as server:
            yield server
        return
    with embedded_server(driver=driver) as server:
        yield server if pg_dump is None else dataclasses.replace(server, pg_dump=pg_dump)


#: Tables and materialized views of the database's own (not the system's,
#: not an extension's): as pg_dump's headers name them, as a query names
#: them, their kind, and whether a materialized view is populated.
_USER_RELATIONS = """
SELECT n.nspname || '.' || c.relname, format('%I.%I', n.nspname, c.relname), c.relkind::text, c.relispopulated
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'm')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
   AND NOT EXISTS (SELECT FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
 ORDER BY 1
"""


def _kept_tables(chain: URL, data_tables: DataTables, *, version_table: str) -> list[str]:
    """With ``auto``: every table that holds rows (data migrations put them
    there, since the database started empty) and every populated
    materialized view, which the revision refreshes as the chain left it."""
    if data_tables == "none":
        return []
    if data_tables != "auto":
        return [table for table in data_tables if table]
    kept = []
    for name, quoted, kind, populated in query(chain, _USER_RELATIONS):
        if kind == "m":
            if populated:
                kept.append(name)
        elif name.rpartition(".")[2] != version_table and query(chain, f"SELECT EXISTS (SELECT FROM {quoted})")[0][0]:
            kept.append(name)
    return kept


def _kept_detail(chain: URL, kept: Sequence[str]) -> str:
    """The checklist's account of what is kept: rows per table, refreshed views."""
    relations = {name: (quoted, kind) for name, quoted, kind, _ in query(chain, _USER_RELATIONS)}
    parts = []
    for name in kept:
        quoted, kind = relations.get(name, (None, "r"))
        if kind == "m":
            parts.append(f"{name} (refreshed)")
        elif quoted is not None:
            parts.append(f"{name} ({query(chain, f'SELECT count(*) FROM {quoted}')[0][0]} rows)")
        else:
            parts.append(name)
    return ", ".join(parts) or "none"


def _write_revision(
    dump: Path,
    rows: Path | None,
    kept: Sequence[str],
    *,
    out: Path,
    revision: str,
    message: str,
    version_table: str,
    force: bool,
    cwd: Path,
) -> None:
    """``pgsplit squash DUMP``, run from the project's folder so that the
    revision names the git commit of the chain it replaces."""
    argv = ["pgsplit", "squash", str(dump), "--out", str(out), "--revision", revision, "-m", message]
    argv += ["--version-table", version_table]
    if rows is not None:
        argv += ["--data-from", str(rows), "--data-tables", ",".join(kept)]
    if force:
        argv.append("--force")
    saved = os.getcwd()
    os.chdir(cwd)
    try:
        status = _native.cli(argv)
    finally:
        os.chdir(saved)
    if status != 0:
        raise VerifyError("pgsplit squash could not write the revision (its message is above)")


def verify(
    reference_url: str,
    migration: str | os.PathLike[str],
    *,
    pg_dump: str | None = None,
    version_table: str = "alembic_version",
    ignore: Iterable[Ignore] = (),
) -> Diff:
    """Proves ``migration`` (the ``.py`` file that ``pgsplit squash`` wrote)
    against the database at ``reference_url``, on a scratch database of the
    same server: upgrade, schema compared, downgrade to nothing, upgrade
    again. Returns the schema comparison: ``Diff.identical`` says whether
    they match; a downgrade that leaves objects raises :class:`VerifyError`.

    ``reference_url`` is a SQLAlchemy or libpq URL (``postgresql://...``,
    ``postgresql+psycopg://...``); its user must be allowed to create
    databases. ``pg_dump``: by default one of the server's major version.
    ``ignore`` takes :func:`pgsplit.diff`'s values.
    """
    checklist = Checklist(stream=None)
    found = _verify(reference_url, Path(migration), pg_dump, version_table, list(ignore), checklist)
    later = [step for step in checklist.steps[2:] if step.status == "differs"]
    if later:
        raise VerifyError(f"{later[0].name}: no; {later[0].detail}")
    return found


def _verify(
    reference_url: str,
    migration: Path,
    pg_dump: str | None,
    version_table: str,
    ignore: Sequence[Ignore],
    checklist: Checklist,
) -> Diff:
    require_sqlalchemy()
    runner = BareRevision(migration)
    with given_server(reference_url, pg_dump=pg_dump) as server:
        return prove(
            server=server,
            reference=Reference(server.admin, "the reference database"),
            runner=runner,
            checklist=checklist,
            version_table=version_table,
            ignore=ignore,
        )


def main(known: SquashArguments, argv: Sequence[str]) -> int:
    """``pgsplit squash`` with ``--alembic`` or ``--verify``, its arguments
    ``argv`` as the native parser read them (``known``). With ``--verify``
    and a dump, the native command writes the revision first."""
    checklist = Checklist(format=known["format"], stream=sys.stdout)
    signal.signal(signal.SIGTERM, _interrupt)
    written: list[Path] = []
    command = "squash" if known["alembic"] else "verify"
    try:
        if known["alembic"]:
            if known["dump"] is not None or known["verify"] or known["data_from"]:
                print(
                    "pgsplit: --alembic builds the dump itself: give no DUMP, --verify or --data-from", file=sys.stderr
                )
                return 2
            written = _consolidate(
                Path(known["alembic"]),
                out=Path(known["out"]),
                server=known["server"],
                revision=known["revision"],
                message=known["message"],
                data_tables=_data_tables(known["data_tables"]),
                url_env=known["url_env"] or None,
                version_table=known["version_table"],
                pg_dump=known["pg_dump"],
                force=known["force"],
                checklist=checklist,
            )
        elif known["verify"] is not None:
            if known["dump"] is not None:
                status = _native.cli(["pgsplit", "squash", *_without_verify(argv)])
                if status != 0:
                    return int(status)
            _verify(
                known["verify"],
                Path(known["out"]) / (known["revision"] + ".py"),
                known["pg_dump"],
                known["version_table"],
                known["ignore"],
                checklist,
            )
    except KeyboardInterrupt:
        print(f"pgsplit: {command}: interrupted; the scratch databases are dropped", file=sys.stderr)
        return 130
    except Exception as error:
        # Whatever stops the proof (a migration, the server, pg_dump) is the
        # user's to read, not a trace: exit status 2.
        print(f"pgsplit: {command}: {error}", file=sys.stderr)
        checklist.finish(error=str(error), written=written)
        return 2
    checklist.finish(written=written)
    return 0 if checklist.holds else 1


def _data_tables(values: list[str]) -> DataTables:
    """``--data-tables``, its commas already split by the parser."""
    if values in ([], ["auto"]):
        return "auto"
    if values == ["none"]:
        return "none"
    return [table.strip() for table in values if table.strip()]


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM ends the run as Ctrl-C does: through every cleanup."""
    raise KeyboardInterrupt


def _without_verify(argv: Sequence[str]) -> list[str]:
    """``argv`` less the options only verification uses, and their values."""
    only_verify = ("--verify", "--pg-dump", "--ignore", "--format")
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
