"""The default mode loads real dumps statement by statement with the same
result as psql, and loads dumps psql gets wrong.

Each dump is loaded twice into fresh databases: once by psql -f, once by
``loader.load`` (one statement per protocol message). The two databases are
then dumped by the same pg_dump and compared: they must be identical, except
where the server rejected a COPY (a table whose extension this server lacks)
and psql read its rows as SQL, which swallows the statements that follow. There
psql's database must be contained in pgsplit's, and the test says what psql lost.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

import pytest
from test_psql_differential import REJECTED_COPY_MARKER

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


def load_both_ways(cluster: Cluster, pgsplit_bin: Path, path: Path) -> tuple[str, str, bool, list[str]]:
    """Returns psql's dump, pgsplit's dump, whether psql misread a rejected
    COPY's rows as SQL, and the errors of pgsplit's load."""
    by_psql = cluster.create_database("psql")
    by_pgsplit = cluster.create_database("pgsplit")
    try:
        run = cluster.run_psql(path, by_psql, f"load-{by_psql}")
        result = load(pgsplit_bin, path, cluster.uri(by_pgsplit))
        assert result.statements > 10
        misread = bool(REJECTED_COPY_MARKER.search(run.stderr))
        return dump(cluster, by_psql), dump(cluster, by_pgsplit), misread, result.errors
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
    psql_dump, pgsplit_dump, psql_misread_copy, _ = load_both_ways(pg18, pgsplit_bin, path)
    if not psql_misread_copy:
        assert pgsplit_dump == psql_dump, f"{name}: the databases differ after loading"
        return
    missing = Counter(psql_dump.splitlines()) - Counter(pgsplit_dump.splitlines())
    assert not missing, f"{name}: psql's database has lines pgsplit's lacks: {list(missing)[:10]}"
    gained = sum((Counter(pgsplit_dump.splitlines()) - Counter(psql_dump.splitlines())).values())
    print(f"{name}: psql misread a rejected COPY; pgsplit's database has {gained} more dump lines")


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
