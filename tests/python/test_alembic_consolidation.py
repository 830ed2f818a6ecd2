"""Consolidating a migration chain, end to end, for every driver and server.

A chain of 30 migrations (``chain/chain.py``) is upgraded to head; its schema,
dumped with ``pg_dump -s -O -x``, becomes ``001_initial_schema.sql``, run by
one new migration through ``execute_file`` on a fresh database. Both databases
must dump identically, and ``alembic check`` must find nothing to do against
the models (``chain/models.py``) on either.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic_project import DRIVERS, AlembicProject
from chain.build import MODELS, build_chain

from pgcluster import Cluster


@pytest.mark.parametrize("version", [18, 16])
@pytest.mark.parametrize("driver", DRIVERS)
def test_a_consolidated_chain_builds_the_same_schema(
    tmp_path: Path, pg18: Cluster, pg16: Cluster, driver: str, version: int
) -> None:
    cluster = pg18 if version == 18 else pg16
    chain_db = cluster.create_database("chain")
    squashed_db = cluster.create_database("squashed")
    try:
        chain = build_chain(cluster, driver, chain_db, tmp_path / "chain")
        run = chain.alembic("upgrade", "head")
        assert run.returncode == 0, run.stderr[-3000:]
        check = chain.alembic("check")
        assert check.returncode == 0, f"the models do not match the chain: {check.stdout}{check.stderr[-2000:]}"

        dump = tmp_path / "001_initial_schema.sql"
        cluster.schema_dump(chain_db, out=dump, key=None)
        assert "\\restrict" in dump.read_text(), "a real pg_dump with its \\restrict line was expected"

        squashed = AlembicProject.create(tmp_path / "squashed", driver, cluster.socket_dir, squashed_db, models=MODELS)
        squashed.add_migration(
            "001_initial_schema",
            None,
            'execute_file("001_initial_schema.sql")',
            {"001_initial_schema.sql": dump.read_bytes()},
        )
        run = squashed.alembic("upgrade", "head")
        assert run.returncode == 0, run.stderr[-3000:]
        check = squashed.alembic("check")
        assert check.returncode == 0, f"alembic check after the squash: {check.stdout}{check.stderr[-2000:]}"

        assert cluster.schema_dump(squashed_db) == cluster.schema_dump(chain_db)
        assert cluster.query(squashed_db, "SELECT version_num FROM alembic_version") == [("001_initial_schema",)]
        assert cluster.query(squashed_db, "SELECT first_begin() IS NULL") == [(True,)]
    finally:
        cluster.drop_database(chain_db)
        cluster.drop_database(squashed_db)
