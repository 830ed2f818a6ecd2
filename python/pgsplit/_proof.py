"""The proof that a squashed revision builds what the old chain built.

Given a reference database (the old chain's head) and a way to run the new
revision (a :class:`Runner`), :func:`prove` takes a scratch database on the
same server through every step a careful reviewer would take by hand:

1. the new revision upgrades the empty database;
2. its schema and the reference's dump identically, object by object;
3. its materialized views are populated where the reference's are (a
   schema dump creates them empty: a populated one must be kept, which
   refreshes it), and the rows the migration keeps are the reference's;
4. ``alembic check`` finds nothing to do against the project's models
   (skipped when there is no ``env.py`` or it gives no ``target_metadata``);
5. ``downgrade base`` leaves the database as it was before step 1: no user
   object, no extension (its dump is compared with the empty one's);
6. upgrading again gives the same schema as step 1.

Each step is a line of a :class:`Checklist`. A step whose result differs is
recorded with what differs and the proof goes on, so one run names every
problem; a step that cannot run at all (a migration that fails) raises
:class:`~pgsplit._scratch.VerifyError`.

``pgsplit squash --alembic`` (a revision built from the chain itself) and
``pgsplit squash --verify URL`` (a revision checked against a database the
user migrated) both end here.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, TextIO, TypeAlias

from ._diff import Diff, diff
from ._records import Ignore
from ._scratch import Server, VerifyError, data_dump, query, schema_dump, scratch_database, with_connection

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

# Unions of one-value Literals, as in pgsplit.alembic: the same types as
# Literal["a", "b"], and unions at run time too, which stubtest checks.

#: How a step ended.
Status: TypeAlias = Literal["ok"] | Literal["differs"] | Literal["skipped"]

#: How the checklist is printed: a line per step, or one JSON object at the end.
Format: TypeAlias = Literal["text"] | Literal["json"]


@dataclass(frozen=True)
class Step:
    """One line of the checklist."""

    name: str
    status: Status
    #: What was found: a count for ``ok``, the reason for ``skipped``, the
    #: differences for ``differs``.
    detail: str = ""


@dataclass
class Checklist:
    """The steps of a run, printed as they end.

    On a terminal a step that is running shows as a progress line, replaced
    by its result; ``json`` prints nothing until :meth:`finish`.
    """

    format: Format = "text"
    stream: TextIO | None = None
    steps: list[Step] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return all(step.status != "differs" for step in self.steps)

    def _out(self) -> TextIO | None:
        return self.stream if self.format == "text" else None

    def running(self, name: str) -> None:
        out = self._out()
        if out is not None and out.isatty():
            out.write(f"  ..      {name}\r")
            out.flush()

    def record(self, name: str, status: Status, detail: str = "") -> Step:
        step = Step(name, status, detail)
        self.steps.append(step)
        out = self._out()
        if out is not None:
            clear = "\x1b[2K" if out.isatty() else ""
            mark = {"ok": "ok", "differs": "DIFFERS", "skipped": "skipped"}[status]
            first, _, rest = detail.partition("\n")
            out.write(f"{clear}  {mark:<8}{name}{': ' + first if first else ''}\n")
            if rest:
                out.write("".join(f"          {line}\n" for line in rest.splitlines()))
            out.flush()
        return step

    def finish(self, *, error: str | None = None, written: Sequence[Path] = ()) -> None:
        """The last word: the verdict line, or the JSON document."""
        if self.stream is None:
            return
        if self.format == "json":
            document = {
                "ok": error is None and self.holds,
                "error": error,
                "written": [str(path) for path in written],
                "steps": [{"name": s.name, "status": s.status, "detail": s.detail} for s in self.steps],
            }
            self.stream.write(json.dumps(document, indent=2) + "\n")
        elif error is None:
            differing = [step.name for step in self.steps if step.status == "differs"]
            verdict = "everything holds" if not differing else f"{len(differing)} check(s) failed"
            self.stream.write(f"\n{verdict}\n")
        self.stream.flush()


class Runner(Protocol):
    """Runs the new revision on a database, as ``alembic`` would."""

    def upgrade(self, url: URL) -> None: ...
    def downgrade(self, url: URL) -> None: ...

    def check(self, url: URL) -> Step | None:
        """``alembic check`` against the models, or None when there is no
        ``target_metadata`` to check against."""
        ...


@dataclass(frozen=True)
class Reference:
    """What the new revision must rebuild: a database, and the tables whose
    rows it keeps."""

    url: URL
    #: How the checklist names it: "the chain", "the reference database".
    name: str
    kept_tables: Sequence[str] = ()


def prove(
    *,
    server: Server,
    reference: Reference,
    runner: Runner,
    checklist: Checklist,
    version_table: str,
    ignore: Sequence[Ignore] = (),
) -> Diff:
    """Runs the steps of the module's docstring; returns the schema diff of
    step 2 (what :func:`pgsplit.squash.verify` returns)."""

    def dump(url: URL) -> bytes:
        return schema_dump(server.pg_dump, url, version_table=version_table)

    expected = dump(reference.url)
    with scratch_database(server, "proof") as scratch:
        empty = dump(scratch)
        _step(checklist, "the new revision upgrades an empty database", lambda: runner.upgrade(scratch))
        built = dump(scratch)
        schema = diff(expected, built, ignore=ignore)
        _compared(checklist, f"its schema is {reference.name}'s", schema, f"{_objects(expected)} objects")

        name = f"its materialized views are populated as in {reference.name}"
        populated = [_populated(reference.url), _populated(scratch)]
        if not populated[0]:
            checklist.record(name, "skipped", "there are none")
        elif populated[0] == populated[1]:
            checklist.record(name, "ok", f"{sum(1 for _, is_populated in populated[0] if is_populated)} populated")
        else:
            differing = [view for (view, was), (_, now) in zip(*populated, strict=False) if was != now]
            checklist.record(name, "differs", ", ".join(differing) + ": keep them with --data-tables to refresh them")

        name = f"its rows are {reference.name}'s"
        if reference.kept_tables:
            tables = reference.kept_tables
            rows = diff(
                data_dump(server.pg_dump, reference.url, tables=tables),
                data_dump(server.pg_dump, scratch, tables=tables),
            )
            _compared(checklist, name, rows, ", ".join(tables))
        else:
            checklist.record(name, "skipped", "it keeps no rows")

        name = "alembic check finds nothing to do"
        checklist.running(name)
        checked = runner.check(scratch)
        if checked is None:
            checklist.record(name, "skipped", "env.py gives no target_metadata")
        else:
            checklist.record(name, checked.status, checked.detail)

        _step(checklist, "downgrade base runs", lambda: runner.downgrade(scratch))
        _compared(checklist, "downgrade base leaves nothing behind", diff(empty, dump(scratch), ignore=ignore), "")
        _step(checklist, "upgrade again runs", lambda: runner.upgrade(scratch))
        _compared(checklist, "upgrade again gives the same schema", diff(built, dump(scratch), ignore=ignore), "")
    return schema


def _populated(url: URL) -> list[tuple[str, bool]]:
    """Each materialized view, and whether it holds its rows."""
    return [
        (str(name), bool(populated))
        for name, populated in query(
            url,
            "SELECT n.nspname || '.' || c.relname, c.relispopulated FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'm' ORDER BY 1",
        )
    ]


def _step(checklist: Checklist, name: str, work: Callable[[], None]) -> None:
    """A step that either runs or stops the proof (VerifyError)."""
    checklist.running(name)
    work()
    checklist.record(name, "ok")


def _compared(checklist: Checklist, name: str, found: Diff, detail: str) -> None:
    if found.identical:
        checklist.record(name, "ok", detail)
    else:
        objects = ", ".join(change.object for change in found.changes)
        checklist.record(name, "differs", f"{objects}\n{found}")


def _objects(dump: bytes) -> int:
    """How many objects a schema dump holds, by pg_dump's headers."""
    from ._script import parse

    return sum(1 for statement in parse(dump) if statement.toc is not None)


class BareRevision:
    """A revision file run through Alembic's operations, without a project:
    what ``squash --verify URL`` has when it is given only ``--out``."""

    def __init__(self, migration: Path) -> None:
        self.module = _load(migration)

    def upgrade(self, url: URL) -> None:
        self._run(url, self.module.upgrade)

    def downgrade(self, url: URL) -> None:
        self._run(url, self.module.downgrade)

    def check(self, url: URL) -> Step | None:
        return None

    def _run(self, url: URL, function: Callable[[], None]) -> None:
        from alembic.migration import MigrationContext
        from alembic.operations import Operations

        def run(connection: Any) -> None:
            context = MigrationContext.configure(connection)
            with Operations.context(context):
                function()

        try:
            with_connection(url, run, autocommit=False)
        except VerifyError:
            raise
        except Exception as error:
            raise VerifyError(_message(error)) from None


def _load(path: Path) -> types.ModuleType:
    import importlib.util

    if not path.is_file():
        raise VerifyError(f"{path} does not exist; give the folder `pgsplit squash` wrote the revision into")
    spec = importlib.util.spec_from_file_location(f"_pgsplit_verify_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise VerifyError(f"{path} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class AlembicProject:
    """An Alembic project run as its users run it: the command API, with the
    project's ``env.py``, from the ini's folder (so ``prepend_sys_path`` and
    relative imports work), ``sqlalchemy.url`` set to a scratch database and
    the same URL in the environment variable ``url_env`` names.

    ``versions``: a folder to take the revisions from instead of the
    project's own (the new revision, alone).
    """

    def __init__(self, ini: Path, *, url_env: str | None, versions: Path | None = None) -> None:
        self.ini = ini.resolve()
        self.url_env = url_env
        self.versions = versions

    def with_versions(self, versions: Path) -> AlembicProject:
        return AlembicProject(self.ini, url_env=self.url_env, versions=versions)

    @contextlib.contextmanager
    def _config(self, url: URL | None) -> Iterator[Any]:
        from alembic.config import Config

        config = Config(str(self.ini), stdout=sys.stderr)
        if self.versions is not None:
            config.set_main_option("version_locations", str(self.versions))
        saved_env = os.environ.get(self.url_env) if self.url_env else None
        saved_cwd = os.getcwd()
        rendered = url.render_as_string(hide_password=False) if url is not None else None
        try:
            os.chdir(self.ini.parent)
            # prepend_sys_path's entries are relative (".") and Python caches
            # one finder per entry, holding the folder that was current when
            # it was made: forget those, so "." is the project's folder.
            for entry in [entry for entry in sys.path_importer_cache if not os.path.isabs(entry)]:
                del sys.path_importer_cache[entry]
            if rendered is not None:
                # configparser interpolates %: a password such as p%40ss stays itself.
                config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
                if self.url_env:
                    os.environ[self.url_env] = rendered
            # Alembic and env.py print; stdout is the checklist's.
            with contextlib.redirect_stdout(sys.stderr):
                yield config
        finally:
            os.chdir(saved_cwd)
            if self.url_env:
                if saved_env is None:
                    os.environ.pop(self.url_env, None)
                else:
                    os.environ[self.url_env] = saved_env

    def revisions(self) -> dict[str, str]:
        """Revision ids by the real path of their file."""
        from alembic.script import ScriptDirectory

        with self._config(None) as config:
            scripts = ScriptDirectory.from_config(config)
            return {os.path.realpath(script.path): script.revision for script in scripts.walk_revisions()}

    def driver(self) -> str | None:
        """The driver the ini's ``sqlalchemy.url`` names (``asyncpg``...), if any."""
        from sqlalchemy.engine import make_url

        try:
            with self._config(None) as config:
                configured = config.get_main_option("sqlalchemy.url")
            drivername = make_url(configured).drivername if configured else ""
        except Exception:
            # A placeholder (driver://user:pass@localhost/dbname) or an
            # interpolation env.py resolves itself: no driver to follow.
            return None
        if drivername.startswith("postgresql+"):
            return drivername.split("+", 1)[1]
        return None

    def upgrade(self, url: URL) -> None:
        from alembic import command

        self._command(url, lambda config: command.upgrade(config, "head"))

    def downgrade(self, url: URL) -> None:
        from alembic import command

        self._command(url, lambda config: command.downgrade(config, "base"))

    def check(self, url: URL) -> Step | None:
        from alembic import command
        from alembic.util import AutogenerateDiffsDetected, CommandError

        try:
            with self._config(url) as config:
                command.check(config)
        except AutogenerateDiffsDetected as found:
            return Step("alembic check", "differs", str(found))
        except CommandError as error:
            if "MetaData" in str(error):
                return None
            raise VerifyError(f"alembic check: {error}") from None
        return Step("alembic check", "ok", "the models match")

    def _command(self, url: URL, work: Callable[[Any], None]) -> None:
        revisions = self.revisions()
        try:
            with self._config(url) as config:
                work(config)
        except VerifyError:
            raise
        except Exception as error:
            revision = _failing_revision(error, revisions)
            at = f"revision {revision} failed: " if revision else "Alembic failed: "
            raise VerifyError(at + _message(error)) from None


def _failing_revision(error: BaseException, revisions: dict[str, str]) -> str | None:
    """The revision whose file the error came out of: the innermost frame of
    its traceback that belongs to a revision file."""
    found = None
    traceback = error.__traceback__
    while traceback is not None:
        path = os.path.realpath(traceback.tb_frame.f_code.co_filename)
        found = revisions.get(path, found)
        traceback = traceback.tb_next
    return found


def _message(error: BaseException) -> str:
    """What went wrong, as the database or pgsplit said it; for SQLAlchemy's
    errors, the driver's message without the SQL SQLAlchemy appends."""
    original = getattr(error, "orig", None)
    return str(original if original is not None else error).strip()
