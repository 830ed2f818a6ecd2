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


class DiagnosticRecord(TypedDict):
    """A diagnostic, named as :class:`pgsplit.Diagnostic` names its fields."""

    severity: str  # "error", "warning" or "note"
    line: int
    col: int
    offset: int
    message: str
    code: str


class StepRecord(TypedDict):
    """What ``execute_file`` does with one statement."""

    step: str  # "run", "autocommit", "skip" or "refused"
    settings: list[str]  # the session settings it changes ("ALL" for RESET ALL)
    copy_into: tuple[str, str | None, str] | None  # COPY FROM STDIN: table, columns, format
    unpopulated_view: str | None  # CREATE MATERIALIZED VIEW ... WITH NO DATA: the view's name


class RefusalRecord(TypedDict):
    """A statement ``execute_file`` refuses, and why."""

    code: str
    line: int
    col: int
    offset: int
    message: str


class PlanRecord(TypedDict):
    """What ``execute_file`` does with a script."""

    steps: list[StepRecord]
    refusals: list[RefusalRecord]
    encoding: tuple[str, str] | None  # a declared client_encoding other than UTF-8, and its Python codec


class ChangeRecord(TypedDict):
    """An object that differs, named as :class:`pgsplit.Change` names its fields."""

    kind: str  # "only_in_a", "only_in_b" or "changed"
    object_type: str
    schema: str
    name: str
    a: str | None
    b: str | None
    unified_diff: str
