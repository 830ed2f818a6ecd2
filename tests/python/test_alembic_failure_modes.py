"""Each failure of ALEMBIC.md, reproduced: the recipe people use today fails,
and pgsplit.alembic.execute_file passes, on the same script and driver."""

from __future__ import annotations

from collections.abc import Iterator
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


@dataclass
class FailureMode:
    name: str
    script: str
    naive: str
    driver: str
    #: A query that must return True after pgsplit's migration.
    check: str


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
]


@pytest.fixture
def database(pg18: Cluster) -> Iterator[str]:
    name = pg18.create_database("modes")
    yield name
    pg18.drop_database(name)


@pytest.mark.parametrize("mode", MODES, ids=[m.name for m in MODES])
def test_the_naive_recipe_fails(tmp_path: Path, pg18: Cluster, database: str, mode: FailureMode) -> None:
    migrations = AlembicProject.create(tmp_path / "m", mode.driver, pg18.socket_dir, database)
    migrations.add_migration("0001", None, mode.naive, {"script.sql": mode.script.encode()})
    run = migrations.alembic("upgrade", "head")
    assert run.returncode != 0, f"the naive recipe did not fail: {mode.name}"


@pytest.mark.parametrize("mode", MODES, ids=[m.name for m in MODES])
def test_execute_file_passes(tmp_path: Path, pg18: Cluster, database: str, mode: FailureMode) -> None:
    migrations = AlembicProject.create(tmp_path / "m", mode.driver, pg18.socket_dir, database)
    migrations.add_migration("0001", None, PGSPLIT, {"script.sql": mode.script.encode()})
    run = migrations.alembic("upgrade", "head")
    assert run.returncode == 0, run.stderr[-2000:]
    assert pg18.query(database, mode.check) == [(True,)]
    assert pg18.query(database, "SELECT version_num FROM public.alembic_version") == [("0001",)]
