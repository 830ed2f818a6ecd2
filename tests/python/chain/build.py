"""The chain as an Alembic project, migrated to its head."""

from __future__ import annotations

from pathlib import Path

from alembic_project import AlembicProject

from pgcluster import Cluster

from .chain import CHAIN

MODELS = Path(__file__).parent / "models.py"


def build_chain(cluster: Cluster, driver: str, database: str, root: Path, chain: list[str] = CHAIN) -> AlembicProject:
    """An Alembic project holding ``chain`` (revisions c01, c02, ...) for
    ``database``, with the chain's models as its target metadata; nothing
    is run yet."""
    project = AlembicProject.create(root, driver, cluster.socket_dir, database, models=MODELS)
    previous = None
    for number, body in enumerate(chain, 1):
        revision = f"c{number:02d}"
        project.add_migration(revision, previous, body)
        previous = revision
    return project
