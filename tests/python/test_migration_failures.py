"""When a statement of a real pg_dump file fails inside ``alembic upgrade``,
the error the user reads last is pgsplit's StatementError, at the right
file:line:col, and nothing of the migration is left in the database.

The dumps are real ``pg_dump -O -x`` output of a schema the test builds (with
pg_dump's SET preamble, which is what used to hide the error), broken in one
place each; every driver runs every case.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic_project import DRIVERS, OTHER_DRIVERS, AlembicProject

from pgcluster import Cluster

SCHEMA = """
CREATE SCHEMA shop;
CREATE TABLE shop.customers (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE shop.orders (id int PRIMARY KEY, customer int REFERENCES shop.customers, total numeric);
CREATE FUNCTION shop.check_total(amount numeric) RETURNS numeric LANGUAGE plpgsql AS $$
BEGIN
  IF amount < 0 THEN
    RAISE EXCEPTION 'negative total %', amount;
  END IF;
  RETURN amount;
END;
$$;
CREATE VIEW shop.big_orders AS SELECT * FROM shop.orders WHERE total > 100;
INSERT INTO shop.customers VALUES (1, 'O''Brien; Sons'), (2, 'ACME');
INSERT INTO shop.orders VALUES (10, 1, 5), (11, 2, 500);
"""

ALL_DRIVERS = [*DRIVERS, *OTHER_DRIVERS]


@pytest.fixture(scope="module")
def dump(pg18: Cluster, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("dump")
    schema = folder / "schema.sql"
    schema.write_text(SCHEMA)
    out = pg18.build_and_dump(schema, folder / "dump.sql", ["-O", "-x", "--restrict-key=pgsplittest"])
    text = out.read_text()
    assert "SELECT pg_catalog.set_config('search_path', '', false);" in text, "a real pg_dump preamble"
    return text


@dataclass
class Failure:
    name: str
    #: Breaks the dump: returns the new text and the (line, col) the error must name.
    breaks: Callable[[str], tuple[str, tuple[int, int]]]
    #: Text the message must contain.
    expected: str
    call: str = 'execute_file("001_initial_schema.sql")'


def position(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    at = text.index(needle) + offset
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def replace(old: str, new: str, point: str, offset: int = 0) -> Callable[[str], tuple[str, tuple[int, int]]]:
    def breaks(text: str) -> tuple[str, tuple[int, int]]:
        assert old in text, old
        broken = text.replace(old, new, 1)
        return broken, position(broken, point, offset)

    return breaks


def append(sql: str, point: str, offset: int = 0) -> Callable[[str], tuple[str, tuple[int, int]]]:
    def breaks(text: str) -> tuple[str, tuple[int, int]]:
        broken = text.replace("\\unrestrict pgsplittest", sql + "\n\\unrestrict pgsplittest")
        return broken, position(broken, point, offset)

    return breaks


FAILURES = [
    Failure(
        "a typo in the first statement after the preamble",
        replace("CREATE SCHEMA shop;", "CREATE SCHEMAA shop;", "SCHEMAA"),
        'syntax error at or near "SCHEMAA" [42601]',
    ),
    Failure(
        "a typo in the middle",
        replace("CREATE VIEW shop.big_orders AS", "CREATE VIEW shop.big_orders AS SELEC 1 UNION", "SELEC 1"),
        'syntax error at or near "SELEC"',
    ),
    Failure(
        "a failure in the last statement",
        append("ALTER TABLE shop.nowhere ADD COLUMN x int;", "shop.nowhere"),
        'relation "shop.nowhere" does not exist [42P01]',
    ),
    Failure(
        "a bad row inside COPY data",
        replace("11\t2\t500\n", "11\t2\tlots\n", "11\t2\tlots"),
        'invalid input syntax for type numeric: "lots"',
    ),
    Failure(
        "a PL/pgSQL error at run time",
        append("SELECT shop.check_total(-1);", "SELECT shop.check_total(-1);"),
        "negative total -1 [P0001]",
    ),
    Failure(
        "a DO block",
        append("DO $$\nBEGIN\n  PERFORM 1;\n  RAISE EXCEPTION 'boom';\nEND $$;", "RAISE EXCEPTION 'boom'"),
        "boom [P0001]",
    ),
    Failure(
        "a failure inside an autocommit block",
        append("CREATE INDEX CONCURRENTLY orders_nothing ON shop.orders (nothing);", "nothing)"),
        'column "nothing" does not exist',
        call='execute_file("001_initial_schema.sql", non_transactional="autocommit")',
    ),
]


@pytest.fixture
def database(pg18: Cluster) -> Iterator[str]:
    name = pg18.create_database("failure")
    yield name
    pg18.drop_database(name)


def last_exception(stderr: str) -> str:
    """The exception Python prints last, where users read it."""
    lines = [line for line in stderr.splitlines() if re.match(r"^[A-Za-z_][\w.]*(Error|Exception)\b", line)]
    assert lines, stderr[-3000:]
    index = stderr.rindex(lines[-1])
    return stderr[index:]


@pytest.mark.parametrize("failure", FAILURES, ids=[f.name for f in FAILURES])
@pytest.mark.parametrize("driver", ALL_DRIVERS)
def test_the_failure_is_the_last_error_and_nothing_is_left(
    tmp_path: Path, pg18: Cluster, database: str, dump: str, driver: str, failure: Failure
) -> None:
    broken, (line, col) = failure.breaks(dump)
    migrations = AlembicProject.create(tmp_path / "m", driver, pg18.socket_dir, database)
    migrations.add_migration("0001", None, failure.call, {"001_initial_schema.sql": broken.encode()})
    run = migrations.alembic("upgrade", "head")
    assert run.returncode != 0
    last = last_exception(run.stderr)
    assert last.startswith(f"pgsplit.alembic.StatementError: 001_initial_schema.sql:{line}:{col}: "), last
    assert failure.expected in last, last
    left = pg18.query(
        database,
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')",
    )
    if "autocommit" in failure.call:
        # An autocommit block commits what ran before it, as Alembic documents:
        # the dump is there, the failed index and the version row are not.
        assert pg18.query(database, "SELECT to_regclass('shop.orders_nothing') IS NULL") == [(True,)]
        assert pg18.query(database, "SELECT count(*) FROM alembic_version") == [(0,)]
    else:
        assert left == [(0,)], "the migration left relations behind"


def test_a_runtime_error_in_a_function_names_the_line_of_its_body(
    tmp_path: Path, pg18: Cluster, database: str, dump: str
) -> None:
    broken, _ = append("SELECT shop.check_total(-1);", "SELECT")(dump)
    migrations = AlembicProject.create(tmp_path / "m", "psycopg", pg18.socket_dir, database)
    sql = {"001_initial_schema.sql": broken.encode()}
    migrations.add_migration("0001", None, 'execute_file("001_initial_schema.sql")', sql)
    run = migrations.alembic("upgrade", "head")
    raise_line, _ = position(broken, "RAISE EXCEPTION 'negative total")
    assert f"001_initial_schema.sql:{raise_line}: in shop.check_total(numeric)" in run.stderr, run.stderr[-2000:]


SETTINGS_CHANGED = {
    "a quoted name": "SET \"search_path\" = '';\n",
    "set_config inside a DO block": "DO $$ BEGIN PERFORM pg_catalog.set_config('search_path', '', false); END $$;\n",
    "UPDATE pg_settings": "UPDATE pg_catalog.pg_settings SET setting = '' WHERE name = 'search_path';\n",
}


@pytest.mark.parametrize("how", SETTINGS_CHANGED, ids=list(SETTINGS_CHANGED))
@pytest.mark.parametrize("driver", ["psycopg", "asyncpg"])
def test_every_changed_setting_is_restored(tmp_path: Path, pg18: Cluster, database: str, driver: str, how: str) -> None:
    script = SETTINGS_CHANGED[how] + "CREATE TABLE public.made (a int);\nSET statement_timeout = 1234;\n"
    migrations = AlembicProject.create(tmp_path / "m", driver, pg18.socket_dir, database)
    check = """
    execute_file("script.sql")
    bind = op.get_bind()
    assert bind.exec_driver_sql("SHOW search_path").scalar() == '"$user", public'
    assert bind.exec_driver_sql("SHOW statement_timeout").scalar() == "0"
    """
    migrations.add_migration("0001", None, check, {"script.sql": script.encode()})
    migrations.add_migration("0002", "0001", 'op.execute("CREATE TABLE after (a int)")')
    run = migrations.alembic("upgrade", "head")
    assert run.returncode == 0, run.stderr[-3000:]
    assert pg18.query(database, "SELECT version_num FROM alembic_version") == [("0002",)]


def run_and_terminate(cluster: Cluster, migrations: AlembicProject, database: str, running: str) -> str:
    """Runs ``alembic upgrade head`` and terminates its server process as soon
    as it runs a statement starting with ``running``; returns stderr. A run
    still going a minute later has hung."""
    process = subprocess.Popen(
        [sys.executable, "-m", "alembic", "-c", str(migrations.root / "alembic.ini"), "upgrade", "head"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=migrations.root,
    )
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            found = cluster.query(
                "postgres",
                f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}' AND query LIKE '{running}%'",
            )
            if found:
                cluster.query("postgres", f"SELECT pg_terminate_backend({found[0][0]})")
                break
            assert process.poll() is None, process.communicate()[1][-2000:]
            time.sleep(0.05)
        else:
            pytest.fail(f"the migration never ran {running}")
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the migration hung after its connection was lost")
    assert process.returncode != 0
    return stderr


LONG_STATEMENTS = {
    "COPY": b"COPY t (a, b) FROM stdin;\n"
    + b"".join(b"%d\trow number %d of a long COPY\n" % (i, i) for i in range(2_000_000))
    + b"\\.\n",
    "SELECT pg_sleep": b"SELECT pg_sleep(30);\n",
}


@pytest.mark.parametrize("running", LONG_STATEMENTS)
@pytest.mark.parametrize("driver", ALL_DRIVERS)
def test_a_lost_connection_is_an_error_not_a_hang(
    tmp_path: Path, pg18: Cluster, database: str, driver: str, running: str
) -> None:
    if running == "COPY" and driver in OTHER_DRIVERS:
        pytest.skip(f"{driver} has no COPY: its rows go as INSERTs, covered by the SELECT case")
    script = b"CREATE TABLE t (a int, b text);\n" + LONG_STATEMENTS[running]
    migrations = AlembicProject.create(tmp_path / "m", driver, pg18.socket_dir, database)
    migrations.add_migration("0001", None, 'execute_file("s.sql")', {"s.sql": script})
    stderr = run_and_terminate(pg18, migrations, database, running)
    last = last_exception(stderr)
    # The statement's line, or, when the server was inside the COPY's rows as
    # it ended (its CONTEXT says which), the row it was reading.
    where = re.match(r"pgsplit\.alembic\.StatementError: s\.sql:(\d+):1: ", last)
    assert where, last
    last_line = 2 + (2_000_001 if running == "COPY" else 0)
    assert 2 <= int(where[1]) <= last_line, last
    assert f"statement 2/2 ({running.split()[0]}" in last, last


ENCODED_SCHEMA = """
CREATE TABLE public.menu (id int, dish text DEFAULT 'crème brûlée');
COMMENT ON TABLE public.menu IS 'carte du café';
INSERT INTO public.menu VALUES (1, 'café'), (2, 'naïve ½');
"""


@pytest.mark.parametrize("driver", ALL_DRIVERS)
def test_a_latin1_dump_stores_what_psql_stores(tmp_path: Path, pg18: Cluster, driver: str) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_text(ENCODED_SCHEMA)
    dump = pg18.build_and_dump(schema, tmp_path / "latin1.sql", ["-O", "-x", "-E", "LATIN1"])
    assert b"SET client_encoding = 'LATIN1';" in dump.read_bytes() and "café".encode("latin-1") in dump.read_bytes()
    by_psql, by_alembic = pg18.create_database("psql"), pg18.create_database("latin1")
    try:
        assert pg18.psql_file(dump, by_psql).returncode == 0
        migrations = AlembicProject.create(tmp_path / "m", driver, pg18.socket_dir, by_alembic)
        migrations.add_migration("0001", None, 'execute_file("latin1.sql")', {"latin1.sql": dump.read_bytes()})
        run = migrations.alembic("upgrade", "head")
        assert run.returncode == 0, run.stderr[-3000:]
        stored = "SELECT id, dish FROM public.menu ORDER BY id"
        assert pg18.query(by_alembic, stored) == pg18.query(by_psql, stored) == [(1, "café"), (2, "naïve ½")]
        comment = "SELECT obj_description('public.menu'::regclass)"
        assert pg18.query(by_alembic, comment) == [("carte du café",)]
        default = "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'public.menu'::regclass"
        assert pg18.query(by_alembic, default) == pg18.query(by_psql, default)
    finally:
        pg18.drop_database(by_psql)
        pg18.drop_database(by_alembic)
