"""The records the Rust extension returns, as the type checker sees them.

The extension hands the package plain tuples (the fields are named in the
comments); ``_script``, ``_diff`` and ``alembic`` turn them into the classes
users see.
"""

from __future__ import annotations

from typing import TypeAlias

StatementRecord: TypeAlias = tuple[
    str,  # kind: "sql", "copy" or "meta"
    str,  # tag
    tuple[int, int, int],  # line, col, end_line
    tuple[int, int, int],  # start, end, command_end (byte offsets)
    list[tuple[int, int]],  # COPY data blocks (byte offsets)
    tuple[str, str, str, str] | None,  # pg_dump header: name, type, schema, owner
    tuple[str, str] | None,  # meta-command: name, args
    str,  # "yes", "no" or "control": how it runs inside a transaction
    list[tuple[int, int]],  # psql variable references (byte offsets)
]

DiagnosticRecord: TypeAlias = tuple[str, int, int, int, str]

StepRecord: TypeAlias = tuple[
    str,  # "run", "autocommit", "skip" or "refused"
    list[str],  # the session settings the statement changes ("ALL" for RESET ALL)
    tuple[str, str | None, str] | None,  # COPY FROM STDIN: table, columns, format
    str | None,  # CREATE MATERIALIZED VIEW ... WITH NO DATA: the view's name
]

RefusalRecord: TypeAlias = tuple[str, int, int, int, str]  # code, line, col, offset, message

PlanRecord: TypeAlias = tuple[
    list[StepRecord],
    list[RefusalRecord],
    tuple[str, str] | None,  # a declared client_encoding other than UTF-8, and its Python codec
]

ChangeRecord: TypeAlias = tuple[str, str, str, str, str | None, str | None, str]
