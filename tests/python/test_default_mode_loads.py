"""The default mode loads real dumps statement by statement with the same
result as psql, and loads dumps psql gets wrong.

Each dump is loaded twice into fresh databases: once by psql -f, once by
``loader.load`` (one statement per protocol message). The two databases are
then dumped by the same pg_dump and compared.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT
from loader import load
from pgcluster import Cluster

SAMPLE = PROJECT / "examples" / "sample_dump.sql"


def dump(cluster: Cluster, database: str) -> str:
    out = subprocess.run(
        [cluster.tool("pg_dump"), "--restrict-key=pgsplittest", "-d", cluster.uri(database)],
        capture_output=True,
        check=True,
    ).stdout
    return out.decode("utf-8", errors="replace")


def load_both_ways(cluster: Cluster, pgsplit_bin: Path, path: Path) -> tuple[str, str, int, list[str]]:
    by_psql = cluster.create_database("psql")
    by_pgsplit = cluster.create_database("pgsplit")
    try:
        cluster.run_psql(path, by_psql, f"load-{by_psql}")
        result = load(pgsplit_bin, path, cluster.uri(by_pgsplit))
        return dump(cluster, by_psql), dump(cluster, by_pgsplit), result.statements, result.errors
    finally:
        cluster.drop_database(by_psql)
        cluster.drop_database(by_pgsplit)


def corpus_dumps() -> list[str]:
    return [
        "create-function-sql-objects.sql",
        "danbooru-schema-only.sql",
        "pagila-full-inserts.sql",
        "pagila-full.sql",
        "pagila-schema-only.sql",
        "postgrest-fixtures-full.sql",
        "regression-full.sql",
        "regression-globals.sql",
        "regression-schema-only.sql",
    ]


@pytest.mark.parametrize("name", corpus_dumps())
def test_corpus_dump_loads_like_psql(pg18: Cluster, pgsplit_bin: Path, corpus: Path, name: str) -> None:
    path = corpus / "pgdump15" / name
    psql_dump, pgsplit_dump, statements, _ = load_both_ways(pg18, pgsplit_bin, path)
    assert statements > 10
    assert pgsplit_dump == psql_dump, f"{name}: the databases differ after loading"


def test_sample_dump_loads_completely(pg18: Cluster, pgsplit_bin: Path) -> None:
    database = pg18.create_database("sample")
    try:
        result = load(pgsplit_bin, SAMPLE, pg18.uri(database))
        assert result.errors == []
        assert result.statements == 31
        restored = dump(pg18, database)
    finally:
        pg18.drop_database(database)
    assert "CREATE FUNCTION shop.slot_start(slot_id integer)" in restored
    assert "1\tO'Brien; Sons\tpaid\trush -- today" in restored
    assert "CREATE TRIGGER orders_touch" in restored


def test_psql_mis_splits_the_sample_dump(pg18: Cluster, pgsplit_bin: Path) -> None:
    """psql swallows everything after `slots.begin` into one statement."""
    database = pg18.create_database("sample_psql")
    try:
        run = pg18.run_psql(SAMPLE, database, f"load-{database}")
        restored = dump(pg18, database)
    finally:
        pg18.drop_database(database)
    assert b"ERROR" in run.stderr
    assert "CREATE TRIGGER orders_touch" not in restored
