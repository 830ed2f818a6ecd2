"""``pgsplit squash`` end to end: a chain of 30 migrations consolidated into one.

The chain (``chain/chain.py``) is migrated to its head on PostgreSQL 18; its
schema dump (Alembic's version table included, as users dump it) and its full
dump are squashed inside a git repository. The generated migration must
upgrade a fresh database to the chain's schema, downgrade it to nothing,
upgrade it again, keep the vocabulary rows, and pass ``--verify`` against the
chain's database, and fail it against a chain with one migration changed.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic_project import DRIVERS, AlembicProject
from chain.build import MODELS, build_chain
from chain.chain import CHAIN

import pgsplit
from pgcluster import Cluster
from pgsplit.squash import verify

REVISION = "001_initial_schema"


def pgsplit_command(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The ``pgsplit`` console script of the installed package."""
    return subprocess.run(
        [sys.executable, "-m", "pgsplit", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


@dataclass
class Squashed:
    chain_db: str
    versions: Path
    commit: str


@pytest.fixture(scope="module")
def squashed(pg18: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Squashed]:
    root = tmp_path_factory.mktemp("squash")
    chain_db = pg18.create_database("chain")
    chain = build_chain(pg18, "psycopg", chain_db, root / "chain")
    run = chain.alembic("upgrade", "head")
    assert run.returncode == 0, run.stderr[-3000:]

    repository = root / "repository"
    repository.mkdir()
    shutil.copytree(chain.root / "versions", repository / "versions")
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=repository, check=True)
    subprocess.run([*git, "add", "."], cwd=repository, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "the chain"], cwd=repository, check=True)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repository, capture_output=True, text=True, check=True
    ).stdout.strip()

    schema = repository / "schema.sql"
    full = repository / "vocabulary.sql"
    subprocess.run([pg18.tool("pg_dump"), "-s", "-O", "-x", "-f", str(schema), "-d", pg18.uri(chain_db)], check=True)
    # The README's recipe: the data of the vocabulary tables only, and the
    # refresh of the materialized view the chain left populated.
    vocabulary = ["--section=data", "--section=post-data", "-O", "-x", "-t", "statuses", "-t", "products"]
    vocabulary += ["-t", "mv_product_sales"]
    subprocess.run([pg18.tool("pg_dump"), *vocabulary, "-f", str(full), "-d", pg18.uri(chain_db)], check=True)
    versions = root / "new_versions"
    made = pgsplit_command(
        "squash",
        str(schema),
        "--out",
        str(versions),
        "--revision",
        REVISION,
        "--data-from",
        str(full),
        "--data-tables",
        "statuses,mv_product_sales",
        cwd=repository,
    )
    assert made.returncode == 0, made.stderr
    try:
        yield Squashed(chain_db, versions, commit)
    finally:
        pg18.drop_database(chain_db)


def new_project(cluster: Cluster, root: Path, driver: str, squashed: Squashed) -> tuple[AlembicProject, str]:
    database = cluster.create_database("squashed")
    project = AlembicProject.create(root, driver, cluster.socket_dir, database, models=MODELS)
    for suffix in (".py", ".sql"):
        shutil.copy(squashed.versions / f"{REVISION}{suffix}", project.root / "versions")
    return project, database


def user_objects(cluster: Cluster, database: str) -> list[tuple[object, ...]]:
    """Relations, routines, types, extensions and schemas that are not the
    system's and not Alembic's version table."""
    return cluster.query(
        database,
        """
        SELECT 'relation', c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
           AND c.relname NOT LIKE 'alembic_version%'
        UNION ALL
        SELECT 'routine', p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
        UNION ALL
        SELECT 'type', t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND t.typrelid = 0 AND t.typelem = 0
        UNION ALL
        SELECT 'extension', extname FROM pg_extension WHERE extname <> 'plpgsql'
        UNION ALL
        SELECT 'schema', nspname FROM pg_namespace
         WHERE nspname NOT IN ('public', 'pg_catalog', 'information_schema', 'pg_toast') AND nspname NOT LIKE 'pg_temp%'
           AND nspname NOT LIKE 'pg_toast_temp%'
        """,
    )


def test_the_sql_is_the_dump_without_meta_commands_or_the_version_table(squashed: Squashed) -> None:
    sql = (squashed.versions / f"{REVISION}.sql").read_text()
    assert "\\restrict" not in sql and "\\unrestrict" not in sql
    assert "alembic_version" not in sql
    assert "CREATE TABLE public.customers" in sql
    assert "COPY public.statuses" in sql
    assert "setval" not in sql, "statuses has no sequence; no other table's value is kept"


def test_the_migration_inventories_the_schema_and_names_the_commit(squashed: Squashed) -> None:
    migration = (squashed.versions / f"{REVISION}.py").read_text()
    compile(migration, f"{REVISION}.py", "exec")
    for expected in [
        f"git commit {squashed.commit}",
        "Schemas (1):\n    reporting\n",
        "Extensions (1):\n    vector\n",
        "    public.order_status\n",
        "    public.customers\n",
        "Views (2):\n",
        "Materialized views (1):\n    public.mv_product_sales\n",
        "    public.invoice_numbers\n",
        "    public.order_total(integer)\n",
        "Procedures (1):\n    public.archive_order(integer)\n",
        "    orders_touch ON public.orders\n",
        "public.statuses: 3 rows",
        "public.mv_product_sales: refreshed",
        f"revision = {REVISION!r}".replace("'", '"'),
        "down_revision = None",
    ]:
        assert expected in migration, f"{expected!r} not in the migration"


@pytest.mark.parametrize("driver", DRIVERS)
def test_upgrade_downgrade_upgrade_on_a_real_database(
    tmp_path: Path, pg18: Cluster, squashed: Squashed, driver: str
) -> None:
    project, database = new_project(pg18, tmp_path, driver, squashed)
    try:
        run = project.alembic("upgrade", "head")
        assert run.returncode == 0, run.stderr[-3000:]
        pgsplit.assert_same_schema(pg18.schema_dump(squashed.chain_db), pg18.schema_dump(database), ignore=())
        check = project.alembic("check")
        assert check.returncode == 0, f"alembic check after the squash: {check.stdout}{check.stderr[-2000:]}"
        assert pg18.query(database, "SELECT code, label FROM statuses ORDER BY code") == [
            ("new", "New; not paid"),
            ("paid", "Paid"),
            ("shipped", "Shipped"),
        ]

        down = project.alembic("downgrade", "base")
        assert down.returncode == 0, down.stderr[-3000:]
        assert user_objects(pg18, database) == []

        again = project.alembic("upgrade", "head")
        assert again.returncode == 0, again.stderr[-3000:]
        pgsplit.assert_same_schema(pg18.schema_dump(squashed.chain_db), pg18.schema_dump(database), ignore=())
    finally:
        pg18.drop_database(database)


def test_an_existing_database_switches_to_the_new_chain_by_stamp(
    tmp_path: Path, pg18: Cluster, squashed: Squashed
) -> None:
    """The production step: a database at the old chain's head is stamped
    with the new revision, and Alembic then finds nothing to do."""
    database = pg18.create_database("production")
    try:
        old = build_chain(pg18, "psycopg", database, tmp_path / "old")
        assert old.alembic("upgrade", "head").returncode == 0
        project = AlembicProject.create(tmp_path / "switched", "psycopg", pg18.socket_dir, database, models=MODELS)
        for suffix in (".py", ".sql"):
            shutil.copy(squashed.versions / f"{REVISION}{suffix}", project.root / "versions")
        assert project.alembic("current").returncode != 0, "the old revision is unknown to the new chain"
        stamp = project.alembic("stamp", "--purge", REVISION)
        assert stamp.returncode == 0, stamp.stderr[-2000:]
        assert pg18.query(database, "SELECT version_num FROM alembic_version") == [(REVISION,)]
        upgrade = project.alembic("upgrade", "head")
        assert upgrade.returncode == 0 and "Running upgrade" not in upgrade.stderr, upgrade.stderr[-2000:]
        check = project.alembic("check")
        assert check.returncode == 0, check.stdout + check.stderr[-2000:]
    finally:
        pg18.drop_database(database)


def test_verify_passes_against_the_chain(pg18: Cluster, squashed: Squashed) -> None:
    checked = pgsplit_command(
        "squash", "--verify", pg18.uri(squashed.chain_db), "--out", str(squashed.versions),
        "--pg-dump", pg18.tool("pg_dump"),
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ok      its schema is the reference database's" in checked.stdout
    assert "ok      its materialized views are populated as in the reference database" in checked.stdout
    assert "everything holds" in checked.stdout


def test_verify_fails_after_one_migration_of_the_chain_changed(
    tmp_path: Path, pg18: Cluster, squashed: Squashed
) -> None:
    changed = [body.replace("NOT NULL DEFAULT 0)", "NOT NULL DEFAULT 1)") for body in CHAIN]
    assert changed != CHAIN
    database = pg18.create_database("changed")
    try:
        chain = build_chain(pg18, "psycopg", database, tmp_path / "changed", chain=changed)
        run = chain.alembic("upgrade", "head")
        assert run.returncode == 0, run.stderr[-3000:]
        checked = pgsplit_command(
            "squash", "--verify", pg18.uri(database), "--out", str(squashed.versions),
            "--pg-dump", pg18.tool("pg_dump"),
        )  # fmt: skip
        assert checked.returncode == 1, checked.stdout + checked.stderr
        assert "changed: TABLE public.products" in checked.stdout
        assert "DEFAULT 1" in checked.stdout and "DEFAULT 0" in checked.stdout

        found = verify(pg18.uri(database), squashed.versions / f"{REVISION}.py", pg_dump=pg18.tool("pg_dump"))
        assert [change.object for change in found.changes] == ["TABLE public.products"]
    finally:
        pg18.drop_database(database)


def test_verify_leaves_no_scratch_database(pg18: Cluster, squashed: Squashed) -> None:
    verify(pg18.uri(squashed.chain_db), squashed.versions / f"{REVISION}.py", pg_dump=pg18.tool("pg_dump"))
    assert pg18.query("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'pgsplit_verify_%'") == []


def test_the_native_binary_explains_where_verify_lives(pgsplit_bin: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [str(pgsplit_bin), "squash", "--verify", "postgresql:///x", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "pip install pgsplit" in done.stderr


@pytest.mark.parametrize(
    ("dump", "full", "data_tables"),
    [
        ("pagila-schema-only.sql", "pagila-full.sql", "language,category,country"),
        ("danbooru-schema-only.sql", None, None),
        ("regression-schema-only.sql", None, None),
    ],
)
def test_corpus_dumps_squash_upgrade_downgrade_upgrade(
    tmp_path: Path, pg18: Cluster, corpus: Path, dump: str, full: str | None, data_tables: str | None
) -> None:
    """The reference database is the one psql loads from the dump (from the
    full dump when rows are kept)."""
    source = corpus / "pgdump15" / dump
    reference = pg18.create_database("reference")
    try:
        loaded = pg18.psql_file(corpus / "pgdump15" / (full or dump), reference)
        if loaded.returncode != 0:
            pytest.skip(f"psql itself does not load {dump} on this server: {loaded.stderr.strip()[:300]}")
        args = ["squash", str(source), "--out", str(tmp_path / "versions"), "--revision", REVISION]
        if full and data_tables:
            args += ["--data-from", str(corpus / "pgdump15" / full), "--data-tables", data_tables]
        made = pgsplit_command(*args, cwd=tmp_path)
        assert made.returncode == 0, made.stderr
        squashed = Squashed(reference, tmp_path / "versions", "")
        project, database = new_project(pg18, tmp_path / "project", "psycopg", squashed)
        try:
            for step in (("upgrade", "head"), ("downgrade", "base")):
                run = project.alembic(*step)
                assert run.returncode == 0, run.stderr[-3000:]
            assert user_objects(pg18, database) == []
            run = project.alembic("upgrade", "head")
            assert run.returncode == 0, run.stderr[-3000:]
            pgsplit.assert_same_schema(pg18.schema_dump(reference), pg18.schema_dump(database), ignore=())
            if data_tables:
                for table in data_tables.split(","):
                    count = f"SELECT count(*) FROM {table}"
                    assert pg18.query(database, count) == pg18.query(reference, count)
            checked = pgsplit_command(
                "squash", "--verify", pg18.uri(reference), "--out", str(tmp_path / "versions"),
                "--pg-dump", pg18.tool("pg_dump"),
            )  # fmt: skip
            assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr
        finally:
            pg18.drop_database(database)
    finally:
        pg18.drop_database(reference)


@pytest.mark.parametrize("schema", ["object_zoo_schema.sql", "awkward_schema.sql", "psql_trap_schema.sql"])
def test_downgrade_drops_every_kind_of_object(tmp_path: Path, pg18: Cluster, schema: str) -> None:
    """After downgrade the database dumps like a new one: nothing is left."""
    dump = pg18.build_and_dump(Path(__file__).parent / schema, tmp_path / "schema.sql", ["-s", "-O", "-x"])
    made = pgsplit_command("squash", str(dump), "--out", str(tmp_path / "versions"), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "warning" not in made.stderr, made.stderr
    empty = pg18.create_database("empty")
    project, database = new_project(pg18, tmp_path / "project", "psycopg", Squashed(empty, tmp_path / "versions", ""))
    try:
        for step in (("upgrade", "head"), ("downgrade", "base")):
            run = project.alembic(*step)
            assert run.returncode == 0, run.stderr[-3000:]
        pgsplit.assert_same_schema(pg18.schema_dump(empty), pg18.schema_dump(database), ignore=())
        run = project.alembic("upgrade", "head")
        assert run.returncode == 0, run.stderr[-3000:]
        assert pg18.schema_dump(database) != pg18.schema_dump(empty)
    finally:
        pg18.drop_database(database)
        pg18.drop_database(empty)


def test_verify_prints_the_statement_error_of_a_failing_migration(
    tmp_path: Path, pg18: Cluster, squashed: Squashed
) -> None:
    versions = tmp_path / "versions"
    shutil.copytree(squashed.versions, versions)
    sql = versions / f"{REVISION}.sql"
    text = sql.read_text()
    broken = text.replace("CREATE TABLE", "CREATE TABLEE", 1)
    sql.write_text(broken)
    at = broken.index("TABLEE")
    line, col = broken.count("\n", 0, at) + 1, at - broken.rfind("\n", 0, at)
    checked = pgsplit_command(
        "squash", "--verify", pg18.uri(squashed.chain_db), "--out", str(versions),
        "--pg-dump", pg18.tool("pg_dump"),
    )  # fmt: skip
    assert checked.returncode == 2, checked.stdout + checked.stderr
    assert f'pgsplit: verify: {REVISION}.sql:{line}:{col}: syntax error at or near "TABLEE"' in checked.stderr, (
        checked.stderr
    )
    assert "InFailedSqlTransaction" not in checked.stderr
    assert pg18.query("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'pgsplit_verify_%'") == []


#: Objects outside the migration: a schema the database has for other
#: reasons, with a type the migration's functions take and a table of rows
#: that must survive any downgrade.
KEEP = """
CREATE SCHEMA keep;
CREATE TYPE keep."a(b" AS (x integer);
"""
SECRETS = "CREATE TABLE keep.secrets (id integer); INSERT INTO keep.secrets VALUES (1), (2), (3);"
#: The migration's schema: names written to break a downgrade built from
#: pg_dump's headers.
HOSTILE = '''
CREATE SCHEMA app;
CREATE FUNCTION app.f(p keep."a(b") RETURNS integer LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION app.g(p keep."a(b", q text DEFAULT ')') RETURNS integer LANGUAGE sql AS 'SELECT 2';
CREATE FUNCTION app."""); DROP TABLE keep.secrets; --"() RETURNS integer LANGUAGE sql AS 'SELECT 3';
CREATE TABLE app.t (id integer);
'''


def test_downgrade_of_hostile_names_drops_only_the_dump(tmp_path: Path, pg18: Cluster) -> None:
    schema = tmp_path / "hostile.sql"
    schema.write_text(KEEP + HOSTILE)
    dump = tmp_path / "schema.sql"
    pg18.build_and_dump(schema, dump, ["-s", "-O", "-x", "-n", "app"])
    assert 'keep."a(b"' in dump.read_text(), "the dump uses the type outside it"
    made = pgsplit_command("squash", str(dump), "--out", str(tmp_path / "versions"), cwd=tmp_path)
    assert made.returncode == 0, made.stderr

    empty = pg18.create_database("empty")
    project, database = new_project(pg18, tmp_path / "project", "psycopg", Squashed(empty, tmp_path / "versions", ""))
    try:
        outside = tmp_path / "outside.sql"
        outside.write_text(KEEP + SECRETS)
        assert pg18.psql_file(outside, database).returncode == 0
        for step in (("upgrade", "head"), ("downgrade", "base")):
            run = project.alembic(*step)
            assert run.returncode == 0, run.stderr[-3000:]
        assert pg18.query(database, "SELECT id FROM keep.secrets ORDER BY id") == [(1,), (2,), (3,)]
        assert pg18.query(database, "SELECT nspname FROM pg_namespace WHERE nspname = 'app'") == []
    finally:
        pg18.drop_database(database)
        pg18.drop_database(empty)


def test_a_nul_or_escape_in_a_hand_made_dump_leaves_an_importable_migration(tmp_path: Path) -> None:
    """No server holds a name with a NUL, so it is named as not dropped; an
    escape sequence is a legal name and is dropped, escaped in the source."""
    dump = tmp_path / "hand_made.sql"
    entries = [
        b'--\n-- Name: %s; Type: TABLE; Schema: public; Owner: -\n--\n\nCREATE TABLE public."%s" (x integer);\n\n'
        % (name, name)
        for name in (b"a\x00b", b"e\x1b[2Jc")
    ]
    dump.write_bytes(b"".join(entries))
    made = pgsplit_command("squash", str(dump), "--out", str(tmp_path / "versions"), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    path = tmp_path / "versions" / f"{REVISION}.py"
    source = path.read_bytes()
    assert b"\x00" not in source and b"\x1b" not in source
    spec = importlib.util.spec_from_file_location("hand_made_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.DROPS == ['DROP TABLE IF EXISTS public."e\x1b[2Jc"']
    assert module.__doc__ is not None and "TABLE public.a\x00b" in module.__doc__
