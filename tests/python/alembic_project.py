"""Real Alembic projects in temporary folders, for the tests of pgsplit.alembic.

A project has an ``env.py`` for a sync driver (psycopg2, psycopg 3) or for
asyncpg through SQLAlchemy's async engine, and migrations written by the test.
``upgrade()`` runs ``alembic upgrade`` in a subprocess, as a user would.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

DRIVERS = {
    "psycopg2": "postgresql+psycopg2",
    "psycopg": "postgresql+psycopg",
    "asyncpg": "postgresql+asyncpg",
}

#: A driver without a COPY API, for the INSERT fallback.
OTHER_DRIVERS = {"pg8000": "postgresql+pg8000"}

#: What every env.py here shares: logging, the models, offline mode, and
#: running the migrations on a connection.
ENV_COMMON = """
import asyncio
import os
import sys
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlalchemy.ext.asyncio import async_engine_from_config

config = context.config
fileConfig(config.config_file_name)
sys.path.insert(0, os.path.dirname(__file__))
try:
    from models import metadata as target_metadata
except ImportError:
    target_metadata = None
section = config.get_section(config.config_ini_section)


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection) -> None:
    context.configure(connection=connection, transaction_per_migration=True, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
"""

SYNC_ENV = (
    ENV_COMMON
    + """

def run_migrations_online() -> None:
    engine = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        do_run_migrations(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
"""
)

#: asyncpg runs through SQLAlchemy's async engine, as Alembic's async template does.
ASYNC_ENV = (
    ENV_COMMON
    + """

async def run_async_migrations() -> None:
    engine = async_engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_async_migrations())
"""
)


@dataclass
class AlembicProject:
    root: Path
    driver: str
    url: str

    @classmethod
    def create(
        cls, root: Path, driver: str, socket_dir: str, database: str, models: Path | None = None
    ) -> AlembicProject:
        """``models``: a models.py whose ``metadata`` is the project's target."""
        scheme = {**DRIVERS, **OTHER_DRIVERS}[driver]
        if driver == "pg8000":
            url = f"{scheme}://postgres@/{database}?unix_sock={socket_dir}/.s.PGSQL.5432"
        else:
            url = f"{scheme}://postgres@/{database}?host={socket_dir}"
        (root / "versions").mkdir(parents=True)
        if models is not None:
            (root / "models.py").write_text(models.read_text())
        (root / "env.py").write_text(ASYNC_ENV if driver == "asyncpg" else SYNC_ENV)
        (root / "script.py.mako").write_text("")
        (root / "alembic.ini").write_text(
            f"[alembic]\nscript_location = {root}\nsqlalchemy.url = {url}\n"
            "[loggers]\nkeys = root,pgsplit\n[handlers]\nkeys = console\n[formatters]\nkeys = plain\n"
            "[logger_root]\nlevel = WARNING\nhandlers = console\n"
            "[logger_pgsplit]\nlevel = INFO\nhandlers =\nqualname = pgsplit\n"
            "[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nformatter = plain\n"
            "[formatter_plain]\nformat = %(levelname)s %(name)s %(message)s\n"
        )
        return cls(root, driver, url)

    def add_migration(
        self, revision: str, down_revision: str | None, upgrade: str, sql: dict[str, bytes] | None = None
    ) -> None:
        body = textwrap.indent(inspect.cleandoc(upgrade), "    ")
        (self.root / "versions" / f"{revision}.py").write_text(
            f"revision = {revision!r}\ndown_revision = {down_revision!r}\nbranch_labels = None\ndepends_on = None\n\n"
            "from alembic import op\nfrom pgsplit.alembic import execute_file, execute_sql\n\n\n"
            f"def upgrade() -> None:\n{body}\n\n\ndef downgrade() -> None:\n    pass\n"
        )
        for name, content in (sql or {}).items():
            (self.root / "versions" / name).write_bytes(content)

    def alembic(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "alembic", "-c", str(self.root / "alembic.ini"), *args],
            capture_output=True,
            text=True,
            cwd=self.root,
        )
