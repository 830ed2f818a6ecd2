"""pgsplit.alembic inside real Alembic migrations, for every driver.

Each test makes an Alembic project in a temporary folder, writes migrations
that call ``execute_file``, and runs ``alembic upgrade`` against a fresh
database of the session's PostgreSQL.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic_project import DRIVERS, AlembicProject

from conftest import PROJECT
from pgcluster import Cluster

SAMPLE = (PROJECT / "examples" / "sample_dump.sql").read_bytes()


@pytest.fixture
def database(pg18: Cluster) -> Iterator[str]:
    name = pg18.create_database("alembic")
    yield name
    pg18.drop_database(name)


def project(tmp_path: Path, cluster: Cluster, driver: str, database: str) -> AlembicProject:
    return AlembicProject.create(tmp_path / "migrations", driver, cluster.socket_dir, database)


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_pg_dump_runs_in_upgrade(tmp_path: Path, pg18: Cluster, database: str, driver: str) -> None:
    migrations = project(tmp_path, pg18, driver, database)
    migrations.add_migration(
        "0001",
        None,
        'execute_file("001_initial_schema.sql", refresh_materialized_views=True)',
        {"001_initial_schema.sql": SAMPLE},
    )
    migrations.add_migration("0002", "0001", 'op.execute("CREATE TABLE after_dump (id int)")')
    run = migrations.alembic("upgrade", "head")
    assert run.returncode == 0, run.stderr
    assert pg18.query(database, "SELECT version_num FROM alembic_version") == [("0002",)]
    assert pg18.query(database, "SELECT count(*) FROM shop.orders") == [(3,)]
    assert pg18.query(database, "SELECT customer FROM shop.orders WHERE id = 1") == [("O'Brien; Sons",)]
    assert pg18.query(database, "SELECT shop.slot_start(1) IS NOT NULL") == [(True,)]
    assert pg18.query(database, "SELECT count(*) FROM shop.paid_orders") == [(1,)]
    assert pg18.query(database, "SELECT to_regclass('public.after_dump') IS NOT NULL") == [(True,)]
    # 33 statements less the two \restrict lines and SET client_encoding, which execute_file handles.
    assert "ran 30 statements" in run.stderr


@pytest.mark.parametrize("driver", DRIVERS)
def test_the_naive_recipe_fails_on_the_same_dump(tmp_path: Path, pg18: Cluster, database: str, driver: str) -> None:
    migrations = project(tmp_path, pg18, driver, database)
    naive = """
    from pathlib import Path
    sql = (Path(__file__).parent / "001_initial_schema.sql").read_text()
    for piece in sql.split(";\\n"):
        if piece.strip():
            op.execute(piece)
    """
    migrations.add_migration("0001", None, naive, {"001_initial_schema.sql": SAMPLE})
    run = migrations.alembic("upgrade", "head")
    assert run.returncode != 0
    assert pg18.query(database, "SELECT to_regnamespace('shop') IS NULL") == [(True,)], "half applied"


@dataclass
class ErrorCase:
    """A script that fails, and the lines its StatementError must contain."""

    name: str
    script: bytes
    expected: list[str]


ERROR_CASES = [
    ErrorCase(
        "missing relation without a server position",
        b"CREATE TABLE public.users (id int);\n\nCREATE INDEX ix_orders_user\n    ON public.userz (id);\n",
        [
            'script.sql:4:8: relation "public.userz" does not exist [42P01]',
            "statement 2/2 (CREATE INDEX, lines 3-4)",
            "      ON public.userz (id);\n         ^",
        ],
    ),
    ErrorCase(
        "syntax error with a server position",
        b"CREATE TABLE public.users (id int);\nSELECT 2 FROM\n  WHERE;\n",
        ['script.sql:3:3: syntax error at or near "WHERE" [42601]'],
    ),
    ErrorCase(
        "PL/pgSQL runtime error in a DO body",
        b"CREATE TABLE public.users (id int);\nDO $$\nBEGIN\n  PERFORM 1;\n  RAISE EXCEPTION 'boom %', 42;\nEND $$;\n",
        ["script.sql:5:3: boom 42 [P0001]"],
    ),
    ErrorCase(
        "bad row in COPY data",
        b"CREATE TABLE public.users (id int);\n\nCOPY public.users (id) FROM stdin;\n1\nnot a number\n\\.\n",
        ["script.sql:5:1: invalid input syntax for type integer", "  not a number\n  ^"],
    ),
]


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c.name for c in ERROR_CASES])
@pytest.mark.parametrize("driver", DRIVERS)
def test_a_failing_statement_is_located_and_rolled_back(
    tmp_path: Path, pg18: Cluster, database: str, driver: str, case: ErrorCase
) -> None:
    migrations = project(tmp_path, pg18, driver, database)
    migrations.add_migration("0001", None, 'execute_file("script.sql")', {"script.sql": case.script})
    run = migrations.alembic("upgrade", "head")
    assert run.returncode != 0
    for expected in case.expected:
        assert expected in run.stderr, run.stderr[-2000:]
    assert pg18.query(database, "SELECT to_regclass('public.users') IS NULL") == [(True,)], "not rolled back"


def test_meta_commands_are_refused_before_anything_runs(tmp_path: Path, pg18: Cluster, database: str) -> None:
    migrations = project(tmp_path, pg18, "psycopg", database)
    sql = b"CREATE TABLE t (a int);\n\\connect other\nSELECT 1;\n"
    migrations.add_migration("0001", None, 'execute_file("m.sql")', {"m.sql": sql})
    run = migrations.alembic("upgrade", "head")
    assert "m.sql:2:1: psql meta-command `\\connect other` is not SQL" in run.stderr, run.stderr
    assert pg18.query(database, "SELECT to_regclass('public.t') IS NULL") == [(True,)]


def test_non_transactional_statements_need_consent(tmp_path: Path, pg18: Cluster, database: str) -> None:
    migrations = project(tmp_path, pg18, "psycopg", database)
    sql = {"n.sql": b"CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n"}
    migrations.add_migration("0001", None, 'execute_file("n.sql")', sql)
    run = migrations.alembic("upgrade", "head")
    assert "n.sql:2:1: CREATE INDEX cannot run inside a transaction block" in run.stderr, run.stderr
    migrations.add_migration("0001", None, 'execute_file("n.sql", non_transactional="autocommit")', sql)
    run = migrations.alembic("upgrade", "head")
    assert run.returncode == 0, run.stderr
    assert pg18.query(database, "SELECT to_regclass('public.t_a') IS NOT NULL") == [(True,)]


def test_settings_the_script_changes_are_restored(tmp_path: Path, pg18: Cluster, database: str) -> None:
    migrations = project(tmp_path, pg18, "psycopg2", database)
    check = """
    execute_sql(
        "SET search_path = nowhere; SET statement_timeout = 1234;"
        " SELECT pg_catalog.set_config('work_mem', '7MB', false);"
    )
    bind = op.get_bind()
    assert bind.exec_driver_sql("SHOW search_path").scalar() == '"$user", public'
    assert bind.exec_driver_sql("SHOW statement_timeout").scalar() == "0"
    assert bind.exec_driver_sql("SHOW work_mem").scalar() == "4MB"
    """
    migrations.add_migration("0001", None, check)
    run = migrations.alembic("upgrade", "head")
    assert run.returncode == 0, run.stderr


def test_offline_mode_writes_the_script_psql_runs(tmp_path: Path, pg18: Cluster, database: str) -> None:
    migrations = project(tmp_path, pg18, "psycopg", database)
    migrations.add_migration("0001", None, 'execute_file("001_initial_schema.sql")', {"001_initial_schema.sql": SAMPLE})
    run = migrations.alembic("upgrade", "head", "--sql")
    assert run.returncode == 0, run.stderr
    script = run.stdout
    assert "\\restrict" not in script
    assert "1\tO'Brien; Sons\tpaid\trush -- today" in script
    assert "\n\\.\n" in script and "\\.;" not in script
    offline = tmp_path / "offline.sql"
    offline.write_text(script)
    psql = pg18.psql_file(offline, database)
    assert psql.returncode == 0, psql.stderr
    assert pg18.query(database, "SELECT count(*) FROM shop.orders") == [(3,)]
    assert pg18.query(database, "SELECT version_num FROM alembic_version") == [("0001",)]


def test_dry_run_returns_the_plan_and_runs_nothing(tmp_path: Path, pg18: Cluster, database: str) -> None:
    migrations = project(tmp_path, pg18, "psycopg", database)
    plan = """
    planned = execute_file("001_initial_schema.sql", dry_run=True)
    assert len(planned) == 30, len(planned)
    assert planned[0].tag == "SET"
    assert op.get_bind().exec_driver_sql("SELECT to_regnamespace('shop') IS NULL").scalar()
    """
    migrations.add_migration("0001", None, plan, {"001_initial_schema.sql": SAMPLE})
    run = migrations.alembic("upgrade", "head")
    assert run.returncode == 0, run.stderr


def test_a_pg_dump_runs_on_postgresql_16(tmp_path: Path, pg16: Cluster) -> None:
    """pg_dump 17+ writes SET transaction_timeout, which 16 does not know."""
    database = pg16.create_database("alembic16")
    try:
        migrations = project(tmp_path, pg16, "psycopg", database)
        migrations.add_migration(
            "0001", None, 'execute_file("001_initial_schema.sql")', {"001_initial_schema.sql": SAMPLE}
        )
        run = migrations.alembic("upgrade", "head")
        assert run.returncode == 0, run.stderr
        assert pg16.query(database, "SELECT count(*) FROM shop.orders") == [(3,)]
    finally:
        pg16.drop_database(database)


CORPUS_DUMPS = [
    "create-function-sql-objects.sql",
    "danbooru-schema-only.sql",
    "pagila-full.sql",
    "pagila-full-inserts.sql",
    "pagila-schema-only.sql",
    "postgrest-fixtures-full.sql",
    "regression-schema-only.sql",
]


def dump_of(cluster: Cluster, database: str) -> str:
    """The database as pg_dump sees it, without Alembic's bookkeeping table."""
    out = subprocess.run(
        [
            cluster.tool("pg_dump"),
            "--restrict-key=pgsplittest",
            "--exclude-table=alembic_version",
            "-d",
            cluster.uri(database),
        ],
        capture_output=True,
        check=True,
    ).stdout
    return out.decode("utf-8", errors="replace")


@pytest.mark.parametrize("name", CORPUS_DUMPS)
@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("version", [18, 16])
def test_corpus_dumps_psql_loads_cleanly_load_through_execute_file(
    tmp_path: Path, pg18: Cluster, pg16: Cluster, corpus: Path, version: int, driver: str, name: str
) -> None:
    pg18 = pg18 if version == 18 else pg16
    path = corpus / "pgdump15" / name
    by_psql = pg18.create_database("psql")
    by_alembic = pg18.create_database("alembic")
    try:
        psql = pg18.psql_file(path, by_psql)
        if psql.returncode != 0:
            pytest.skip(f"psql does not load {name} cleanly on this server: {psql.stderr.strip()[:200]}")
        migrations = project(tmp_path, pg18, driver, by_alembic)
        migrations.add_migration("0001", None, f"execute_file({str(path)!r})")
        run = migrations.alembic("upgrade", "head")
        assert run.returncode == 0, run.stderr[-3000:]
        expected, actual = dump_of(pg18, by_psql), dump_of(pg18, by_alembic)
        assert actual == expected, f"{name} through {driver}: the databases differ"
    finally:
        pg18.drop_database(by_psql)
        pg18.drop_database(by_alembic)


def test_progress_is_reported_per_statement(tmp_path: Path, pg18: Cluster, database: str) -> None:
    migrations = project(tmp_path, pg18, "psycopg", database)
    body = """
    seen = []
    execute_file("001_initial_schema.sql", progress=lambda done, total, statement: seen.append((done, total)))
    assert seen[0] == (1, 30) and seen[-1] == (30, 30) and len(seen) == 30, seen
    """
    migrations.add_migration("0001", None, body, {"001_initial_schema.sql": SAMPLE})
    run = migrations.alembic("upgrade", "head")
    assert run.returncode == 0, run.stderr[-2000:]


def test_a_driver_without_copy_gets_inserts(tmp_path: Path, pg18: Cluster, database: str) -> None:
    migrations = project(tmp_path, pg18, "pg8000", database)
    migrations.add_migration("0001", None, 'execute_file("001_initial_schema.sql")', {"001_initial_schema.sql": SAMPLE})
    run = migrations.alembic("upgrade", "head")
    assert run.returncode == 0, run.stderr[-3000:]
    rows = pg18.query(database, "SELECT id, customer, note, updated_at IS NULL FROM shop.orders ORDER BY id")
    assert rows == [
        (1, "O'Brien; Sons", "rush -- today", True),
        (2, "$$ACME$$", None, False),
        (3, "semi;colon", "tab\there", True),
    ]


def test_offline_mode_of_the_naive_recipe_is_rejected_by_psql(tmp_path: Path, pg18: Cluster, database: str) -> None:
    """``op.execute`` writes ``\\.;`` after COPY data and turns tabs into spaces."""
    migrations = project(tmp_path, pg18, "psycopg", database)
    copy = "CREATE TABLE c (a int, b text);\nCOPY c (a, b) FROM stdin;\n1\tx\n\\.\n"
    migrations.add_migration("0001", None, f"op.execute({copy!r})")
    script = migrations.alembic("upgrade", "head", "--sql").stdout
    offline = tmp_path / "naive.sql"
    offline.write_text(script)
    psql = pg18.psql_file(offline, database)
    assert psql.returncode != 0


def test_a_gzipped_script_runs(tmp_path: Path, pg18: Cluster, database: str) -> None:
    import gzip

    migrations = project(tmp_path, pg18, "psycopg", database)
    migrations.add_migration(
        "0001", None, 'execute_file("001_initial_schema.sql.gz")', {"001_initial_schema.sql.gz": gzip.compress(SAMPLE)}
    )
    run = migrations.alembic("upgrade", "head")
    assert run.returncode == 0, run.stderr[-2000:]
    assert pg18.query(database, "SELECT count(*) FROM shop.orders") == [(3,)]


#: A script that needs each option of execute_file.
OPTION_SCRIPT = (
    SAMPLE
    + b"\\echo a meta-command\n"
    + b"BEGIN;\nCREATE TABLE shop.audit (at timestamptz);\nCOMMIT;\n"
    + b"CREATE INDEX CONCURRENTLY audit_at ON shop.audit (at);\n"
)

OPTION_CALLS = {
    "defaults on the sample": ('execute_file("sample.sql")', SAMPLE),
    "every option": (
        'execute_file("sample.sql", meta="skip", transaction_control="skip", non_transactional="autocommit",'
        " refresh_materialized_views=True)",
        OPTION_SCRIPT,
    ),
}


@pytest.mark.parametrize("call", OPTION_CALLS, ids=list(OPTION_CALLS))
def test_offline_output_runs_in_psql_and_builds_what_online_builds(tmp_path: Path, pg18: Cluster, call: str) -> None:
    body, script = OPTION_CALLS[call]
    online, offline = pg18.create_database("online"), pg18.create_database("offline")
    try:
        migrations = AlembicProject.create(tmp_path / "m", "psycopg", pg18.socket_dir, online)
        migrations.add_migration("0001", None, body, {"sample.sql": script})
        run = migrations.alembic("upgrade", "head")
        assert run.returncode == 0, run.stderr[-3000:]
        written = migrations.alembic("upgrade", "head", "--sql")
        assert written.returncode == 0, written.stderr[-3000:]
        sql = tmp_path / "offline.sql"
        sql.write_text(written.stdout)
        psql = pg18.psql_file(sql, offline)
        assert psql.returncode == 0, psql.stderr
        assert dump_of(pg18, offline) == dump_of(pg18, online)
        versions = "SELECT version_num FROM alembic_version"
        assert pg18.query(offline, versions) == pg18.query(online, versions) == [("0001",)]
    finally:
        pg18.drop_database(online)
        pg18.drop_database(offline)


@pytest.mark.parametrize("driver", DRIVERS)
def test_op_execute_file_and_execute_sql_are_alembic_operations(
    tmp_path: Path, pg18: Cluster, database: str, driver: str
) -> None:
    migrations = project(tmp_path, pg18, driver, database)
    body = """
    import pgsplit.alembic

    ran = op.execute_file("001_initial_schema.sql", refresh_materialized_views=True)
    assert len(ran) == 30, len(ran)
    op.execute_sql("CREATE TABLE shop.after (a text DEFAULT ':x %s');", source="inline")
    try:
        op.execute_file("001_initial_schema.sql", autocomit=True)
    except TypeError as error:
        assert "execute_file() got an unexpected keyword argument 'autocomit'" in str(error), error
    else:
        raise AssertionError("an unknown option was accepted")
    """
    migrations.add_migration("0001", None, body, {"001_initial_schema.sql": SAMPLE})
    run = migrations.alembic("upgrade", "head")
    assert run.returncode == 0, run.stderr[-3000:]
    assert pg18.query(database, "SELECT count(*) FROM shop.paid_orders") == [(1,)]
    assert pg18.query(database, "SELECT to_regclass('shop.after') IS NOT NULL") == [(True,)]
