"""Dumps made here by a real pg_dump (16 and 18) of schemas written to trip
splitters (``awkward_schema.sql``, ``psql_trap_schema.sql``): pgsplit's psql
mode must send exactly what psql sends, and its default mode must load them
statement by statement with the same result, or, where psql is wrong, load
what psql loses.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_default_mode_loads import load_both_ways
from test_psql_differential import compare, report

from pgcluster import Cluster

HERE = Path(__file__).parent

DUMP_FLAGS = {
    "full": [],
    "schema-only-no-owner": ["-s", "-O", "-x"],
    "inserts": ["--inserts", "--rows-per-insert=2"],
    "clean": ["--clean", "--if-exists"],
}


@pytest.fixture(scope="module")
def dumps(pg18: Cluster, pg16: Cluster, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("dumps")
    made = {}
    for cluster, version in ((pg18, 18), (pg16, 16)):
        for variant, flags in DUMP_FLAGS.items():
            name = f"awkward-pg{version}-{variant}.sql"
            made[name] = cluster.build_and_dump(HERE / "awkward_schema.sql", directory / name, flags)
        name = f"trap-pg{version}.sql"
        made[name] = cluster.build_and_dump(HERE / "psql_trap_schema.sql", directory / name)
    return made


def test_psql_mode_sends_what_psql_sends(pg18: Cluster, pgsplit_bin: Path, dumps: dict[str, Path]) -> None:
    rows = [compare(pg18, pgsplit_bin, path, name) for name, path in sorted(dumps.items())]
    text = report(rows, "dumps made by the tests with pg_dump 16 and 18")
    assert all(row.identical for row in rows), text


def test_default_mode_loads_awkward_dumps_like_psql(pg18: Cluster, pgsplit_bin: Path, dumps: dict[str, Path]) -> None:
    for name, path in sorted(dumps.items()):
        if not name.startswith("awkward"):
            continue
        psql_dump, pgsplit_dump, _, errors = load_both_ways(pg18, pgsplit_bin, path)
        assert pgsplit_dump == psql_dump, f"{name}: the databases differ"
        if "schema-only" not in name:
            assert "ünïcødé ✓" in pgsplit_dump, f"{name}: the awkward rows did not load"
        assert not [e for e in errors if "syntax error" in e], f"{name}: {errors}"


def test_default_mode_loads_what_psql_swallows(pg18: Cluster, pgsplit_bin: Path, dumps: dict[str, Path]) -> None:
    for version in (16, 18):
        path = dumps[f"trap-pg{version}.sql"]
        psql_dump, pgsplit_dump, _, errors = load_both_ways(pg18, pgsplit_bin, path)
        assert errors == [], errors
        assert "loaded after the trap" in pgsplit_dump
        assert "loaded after the trap" not in psql_dump, "psql was expected to swallow the rest of the dump"
