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
from typing import Any

from alembic.operations import MigrateOperation, Operations

from ._script import Compat, Statement
from .alembic import (
    MetaOption,
    NonTransactionalOption,
    Progress,
    TransactionControlOption,
    execute_file,
    execute_sql,
)

__all__ = ["ExecuteFileOp", "ExecuteSqlOp"]


@Operations.register_operation("execute_file")
class ExecuteFileOp(MigrateOperation):
    """Runs a SQL file; see :func:`pgsplit.alembic.execute_file`."""

    def __init__(self, path: str | os.PathLike[str], options: dict[str, Any]) -> None:
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
        options = dict(
            meta=meta,
            non_transactional=non_transactional,
            transaction_control=transaction_control,
            restore_settings=restore_settings,
            refresh_materialized_views=refresh_materialized_views,
            dry_run=dry_run,
            progress=progress,
            compat=compat,
        )
        result: list[Statement] = operations.invoke(cls(path, options))
        return result


@Operations.register_operation("execute_sql")
class ExecuteSqlOp(MigrateOperation):
    """Runs a SQL script given as text; see :func:`pgsplit.alembic.execute_sql`."""

    def __init__(self, sql: str | bytes, options: dict[str, Any]) -> None:
        self.sql = sql
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
        options = dict(
            source=source,
            meta=meta,
            non_transactional=non_transactional,
            transaction_control=transaction_control,
            restore_settings=restore_settings,
            refresh_materialized_views=refresh_materialized_views,
            dry_run=dry_run,
            progress=progress,
            compat=compat,
        )
        result: list[Statement] = operations.invoke(cls(sql, options))
        return result


@Operations.implementation_for(ExecuteFileOp)
def _run_execute_file(operations: Operations, operation: ExecuteFileOp) -> list[Statement]:
    return execute_file(operation.path, **operation.options)


@Operations.implementation_for(ExecuteSqlOp)
def _run_execute_sql(operations: Operations, operation: ExecuteSqlOp) -> list[Statement]:
    return execute_sql(operation.sql, **operation.options)
