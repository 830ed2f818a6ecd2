"""Each failure of ALEMBIC.md, reproduced: the recipe people use today fails,
and pgsplit.alembic.execute_file passes, on the same script and driver."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic_project import AlembicProject

from pgcluster import Cluster

#: The common recipe: split on ";\n" and op.execute each piece.
NAIVE_SPLIT = """
from pathlib import Path
sql = (Path(__file__).parent / "script.sql").read_text()
for piece in sql.split(";\\n"):
    if piece.strip():
        op.execute(piece)
"""

#: Handing the whole script to the driver in one call.
NAIVE_WHOLE = """
from pathlib import Path
op.get_bind().exec_driver_sql((Path(__file__).parent / "script.sql").read_text())
"""

#: What SQLAlchemy does when parameters are passed: the DBAPI formats ``%``.
NAIVE_WHOLE_WITH_PARAMETERS = """
from pathlib import Path
op.get_bind().exec_driver_sql((Path(__file__).parent / "script.sql").read_text(), ())
"""

PGSPLIT = 'execute_file("script.sql")'

#: Reads a materialized view right after the script, as the application would.
READ_MATVIEW = '\nop.get_bind().exec_driver_sql("SELECT count(*) FROM mv")'


@dataclass
class FailureMode:
    name: str
    script: str
    naive: str
    driver: str
    #: A query that must return True after pgsplit's migration.
    check: str
    #: How the migration calls pgsplit for this case.
    pgsplit: str = PGSPLIT
    #: The server version the failure needs.
    version: int = 18


MODES = [
    FailureMode(
        "restrict lines are not SQL",
        "\\restrict abc\n\nCREATE TABLE t (a int);\n\n\\unrestrict abc\n",
        NAIVE_SPLIT,
        "psycopg",
        "SELECT to_regclass('t') IS NOT NULL",
    ),
    FailureMode(
        "a PL/pgSQL body holds semicolons",
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$;\n",
        NAIVE_SPLIT,
        "psycopg",
        "SELECT f() = 1",
    ),
    FailureMode(
        "a BEGIN ATOMIC body holds semicolons",
        "CREATE FUNCTION g() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n SELECT 1;\nEND;\n",
        NAIVE_SPLIT,
        "psycopg",
        "SELECT g() = 1",
    ),
    FailureMode(
        ":word is taken for a bind parameter",
        "CREATE TABLE j (doc json DEFAULT '{\"a\":1}'::json);\n",
        NAIVE_SPLIT,
        "psycopg2",
        "SELECT to_regclass('j') IS NOT NULL",
    ),
    FailureMode(
        "% is taken for a placeholder",
        "DO $$ BEGIN RAISE NOTICE 'x: %', 1; END $$;\nCREATE TABLE p (a text DEFAULT '%;%');\n",
        NAIVE_WHOLE_WITH_PARAMETERS,
        "psycopg",
        "SELECT to_regclass('p') IS NOT NULL",
    ),
    FailureMode(
        "asyncpg refuses several statements in one call",
        "CREATE TABLE a1 (a int);\nCREATE TABLE a2 (a int);\n",
        NAIVE_WHOLE,
        "asyncpg",
        "SELECT to_regclass('a2') IS NOT NULL",
    ),
    FailureMode(
        "pg_dump's search_path hides alembic_version",
        "SELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE public.s (a int);\n",
        NAIVE_SPLIT,
        "psycopg",
        "SELECT to_regclass('public.s') IS NOT NULL",
    ),
    FailureMode(
        "COPY data is not SQL",
        "CREATE TABLE c (a int, b text);\nCOPY c (a, b) FROM stdin;\n1\tx;y\n\\.\n",
        NAIVE_SPLIT,
        "psycopg2",
        "SELECT b = 'x;y' FROM c",
    ),
    FailureMode(
        "SET transaction_timeout is unknown before PostgreSQL 17",
        "SET transaction_timeout = 0;\nCREATE TABLE tt (a int);\n",
        NAIVE_SPLIT,
        "psycopg",
        "SELECT to_regclass('tt') IS NOT NULL",
        version=16,
    ),
    FailureMode(
        "CREATE INDEX CONCURRENTLY cannot run in a transaction",
        "CREATE TABLE ci (a int);\nCREATE INDEX CONCURRENTLY ci_a ON ci (a);\n",
        NAIVE_SPLIT,
        "psycopg",
        "SELECT to_regclass('ci_a') IS NOT NULL",
        pgsplit='execute_file("script.sql", non_transactional="autocommit")',
    ),
    FailureMode(
        "a materialized view created WITH NO DATA cannot be read",
        "CREATE TABLE m (a int);\nINSERT INTO m VALUES (1);\n"
        "CREATE MATERIALIZED VIEW mv AS SELECT a FROM m WITH NO DATA;\n",
        NAIVE_SPLIT + READ_MATVIEW,
        "psycopg",
        "SELECT count(*) = 1 FROM mv",
        pgsplit='execute_file("script.sql", refresh_materialized_views=True)' + READ_MATVIEW,
    ),
]


@pytest.fixture
def server(pg18: Cluster, pg16: Cluster) -> dict[int, Cluster]:
    return {18: pg18, 16: pg16}


def run_mode(
    tmp_path: Path, cluster: Cluster, mode: FailureMode, body: str
) -> tuple[int, str, list[tuple[object, ...]]]:
    database = cluster.create_database("modes")
    try:
        migrations = AlembicProject.create(tmp_path / "m", mode.driver, cluster.socket_dir, database)
        migrations.add_migration("0001", None, body, {"script.sql": mode.script.encode()})
        run = migrations.alembic("upgrade", "head")
        checked = cluster.query(database, mode.check) if run.returncode == 0 else []
        return run.returncode, run.stderr, checked
    finally:
        cluster.drop_database(database)


@pytest.mark.parametrize("mode", MODES, ids=[m.name for m in MODES])
def test_the_naive_recipe_fails(tmp_path: Path, server: dict[int, Cluster], mode: FailureMode) -> None:
    returncode, _, _ = run_mode(tmp_path, server[mode.version], mode, mode.naive)
    assert returncode != 0, f"the naive recipe did not fail: {mode.name}"


@pytest.mark.parametrize("mode", MODES, ids=[m.name for m in MODES])
def test_execute_file_passes(tmp_path: Path, server: dict[int, Cluster], mode: FailureMode) -> None:
    returncode, stderr, checked = run_mode(tmp_path, server[mode.version], mode, mode.pgsplit)
    assert returncode == 0, stderr[-2000:]
    assert checked == [(True,)]


HALF = "CREATE TABLE lo (a int);\nBEGIN;\nINSERT INTO lo VALUES (1);\nCOMMIT;\nSELECT 1/0;\n"


@pytest.mark.parametrize(
    ("body", "applied"),
    [
        (NAIVE_SPLIT, True),
        (PGSPLIT, False),
        ('execute_file("script.sql", transaction_control="skip")', False),
    ],
    ids=["naive: COMMIT keeps half the migration", "pgsplit refuses", "pgsplit skips BEGIN and COMMIT"],
)
def test_transaction_control_in_the_script(tmp_path: Path, pg18: Cluster, body: str, applied: bool) -> None:
    mode = FailureMode("half", HALF, body, "psycopg", "SELECT to_regclass('lo') IS NOT NULL")
    database = pg18.create_database("half")
    try:
        migrations = AlembicProject.create(tmp_path / "m", mode.driver, pg18.socket_dir, database)
        migrations.add_migration("0001", None, body, {"script.sql": HALF.encode()})
        run = migrations.alembic("upgrade", "head")
        assert run.returncode != 0
        assert pg18.query(database, mode.check) == [(applied,)]
    finally:
        pg18.drop_database(database)
