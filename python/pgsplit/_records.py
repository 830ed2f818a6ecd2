"""The records the Rust extension returns, as the type checker sees them.

The extension hands the package a statement's fields by name and the other
records as plain tuples (their fields named in the comments); ``_script``,
``_diff`` and ``alembic`` turn them into the classes users see.
"""

from __future__ import annotations

from typing import Literal, TypeAlias, TypedDict

#: What ``normalize``, ``diff`` and ``assert_same_schema`` can leave out:
#: the command line's ``--ignore`` values. The native module's ``IGNORE``
#: is the list itself (a test holds this alias to it).
Ignore: TypeAlias = (
    Literal["owner"]
    | Literal["acl"]
    | Literal["comments"]
    | Literal["comment-on"]
    | Literal["set"]
    | Literal["public-schema"]
    | Literal["data"]
    | Literal["column-order"]
)


class SquashArguments(TypedDict):
    """``pgsplit squash``'s options as the command line's parser read them,
    each under its option's name (``--data-tables`` is ``data_tables``)."""

    dump: str | None
    alembic: str | None
    server: str | None
    url_env: str
    format: Literal["text", "json"]
    out: str
    revision: str
    message: str | None
    data_from: str | None
    data_tables: list[str]
    version_table: str
    force: bool
    verify: str | None
    pg_dump: str | None
    ignore: list[Ignore]


class StatementFields(TypedDict):
    """One statement's fields, named as :class:`pgsplit.Statement` names them."""

    n: int
    kind: str  # "sql", "copy" or "meta"
    tag: str
    text: str
    line: int
    col: int
    end_line: int
    start: int
    end: int
    toc: tuple[str, str, str, str] | None  # pg_dump header: name, type, schema, owner
    meta: tuple[str, str] | None  # meta-command: name, args
    transactional: bool
    transaction_control: bool
    copy_spans: tuple[tuple[int, int], ...]  # COPY data blocks (byte offsets)
    variables: tuple[tuple[int, int], ...]  # psql variable references (byte offsets)


DiagnosticRecord: TypeAlias = tuple[str, int, int, int, str, str]  # severity, line, col, offset, message, code

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
