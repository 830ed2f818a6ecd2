"""``op.execute_file`` and ``op.execute_sql``: :mod:`pgsplit.alembic`'s
functions as Alembic operations, registered when ``pgsplit.alembic`` is
imported, so that migrations read like the rest of Alembic::

    from alembic import op
    import pgsplit.alembic

    def upgrade() -> None:
        op.execute_file("001_initial_schema.sql")

The options are the functions' own, keyword-only and typed.
"""

from __future__ import annotations

import os

from alembic.operations import MigrateOperation, Operations

from ._script import Compat, Statement
from .alembic import (
    MetaOption,
    NonTransactionalOption,
    Progress,
    TransactionControlOption,
    _execute_file,
    _execute_sql,
    _Options,
)

__all__ = ["ExecuteFileOp", "ExecuteSqlOp"]


@Operations.register_operation("execute_file")
class ExecuteFileOp(MigrateOperation):
    """Runs a SQL file; see :func:`pgsplit.alembic.execute_file`."""

    def __init__(self, path: str | os.PathLike[str], options: _Options) -> None:
        self.path = path
        self.options = options

    @classmethod
    def execute_file(
        cls,
        operations: Operations,
        path: str | os.PathLike[str],
        *,
        meta: MetaOption = "error",
        non_transactional: NonTransactionalOption = "error",
        transaction_control: TransactionControlOption = "error",
        restore_settings: bool = True,
        refresh_materialized_views: bool = False,
        dry_run: bool = False,
        progress: Progress | None = None,
        compat: Compat = "default",
    ) -> list[Statement]:
        """Runs the SQL file ``path``; see :func:`pgsplit.alembic.execute_file`."""
        result: list[Statement] = operations.invoke(cls(path, _Options.of(locals())))
        return result


@Operations.register_operation("execute_sql")
class ExecuteSqlOp(MigrateOperation):
    """Runs a SQL script given as text; see :func:`pgsplit.alembic.execute_sql`."""

    def __init__(self, sql: str | bytes, source: str, options: _Options) -> None:
        self.sql = sql
        self.source = source
        self.options = options

    @classmethod
    def execute_sql(
        cls,
        operations: Operations,
        sql: str | bytes,
        *,
        source: str = "<sql>",
        meta: MetaOption = "error",
        non_transactional: NonTransactionalOption = "error",
        transaction_control: TransactionControlOption = "error",
        restore_settings: bool = True,
        refresh_materialized_views: bool = False,
        dry_run: bool = False,
        progress: Progress | None = None,
        compat: Compat = "default",
    ) -> list[Statement]:
        """Runs the script ``sql``; see :func:`pgsplit.alembic.execute_sql`."""
        result: list[Statement] = operations.invoke(cls(sql, source, _Options.of(locals())))
        return result


@Operations.implementation_for(ExecuteFileOp)
def _run_execute_file(operations: Operations, operation: ExecuteFileOp) -> list[Statement]:
    return _execute_file(operation.path, operation.options)


@Operations.implementation_for(ExecuteSqlOp)
def _run_execute_sql(operations: Operations, operation: ExecuteSqlOp) -> list[Statement]:
    return _execute_sql(operation.sql, operation.source, operation.options)
