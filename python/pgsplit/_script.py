"""Statements and scripts: the Python face of pgsplit's splitter.

The Rust extension (``_native``) returns plain records; this module turns them
into small immutable objects. Byte offsets (``start``, ``end``, ``copy_data``
positions) refer to the input as bytes: for a ``str`` input, its UTF-8
encoding.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, overload

from . import _native

__all__ = [
    "Diagnostic",
    "MetaCommand",
    "Script",
    "SplitError",
    "Statement",
    "Toc",
    "parse",
    "parse_file",
    "split",
]


class SplitError(ValueError):
    """The input cannot be used as it is: an unterminated quote, comment or
    dollar quote, reported where it opened."""

    def __init__(self, message: str, *, line: int, col: int, source: str | None = None) -> None:
        where = f"{source or '<input>'}:{line}:{col}"
        super().__init__(f"{where}: {message}")
        self.line = line
        self.col = col
        self.source = source


class Toc(NamedTuple):
    """pg_dump's header for the archive entry a statement belongs to."""

    name: str
    type: str
    schema: str
    owner: str


class MetaCommand(NamedTuple):
    """A psql backslash meta-command: its name without the backslash, and its arguments."""

    name: str
    args: str


class Diagnostic(NamedTuple):
    severity: str  # "error", "warning" or "note"
    line: int
    col: int
    offset: int
    message: str


@dataclass(frozen=True)
class Statement:
    """One statement of a script, in the order psql would run it."""

    n: int
    kind: str  # "sql", "copy" or "meta"
    tag: str
    text: str
    line: int
    col: int
    end_line: int
    start: int
    end: int
    toc: Toc | None
    meta: MetaCommand | None
    #: False for statements that cannot run inside a transaction block
    #: (``CREATE INDEX CONCURRENTLY``, ``VACUUM``...) and for transaction control.
    transactional: bool
    #: ``BEGIN``, ``COMMIT``, ``ROLLBACK``...: the script's own transaction control.
    transaction_control: bool
    copy_blocks: tuple[bytes, ...] = field(default=(), repr=False)
    variables: tuple[tuple[int, int], ...] = field(default=(), repr=False)

    @property
    def copy_data(self) -> bytes | None:
        """The COPY data rows (without the ``\\.`` line), or None."""
        if not self.copy_blocks:
            return None
        return b"".join(self.copy_blocks)


@dataclass(frozen=True)
class Script(Sequence[Statement]):
    """The statements of a script, with what was found wrong in it."""

    statements: tuple[Statement, ...]
    diagnostics: tuple[Diagnostic, ...]
    source: str | None = None

    @overload
    def __getitem__(self, index: int) -> Statement: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Statement]: ...

    def __getitem__(self, index: int | slice) -> Statement | Sequence[Statement]:
        return self.statements[index]

    def __len__(self) -> int:
        return len(self.statements)

    def __iter__(self) -> Iterator[Statement]:
        return iter(self.statements)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")


def _compat(compat: str) -> str:
    if compat not in ("default", "psql"):
        raise ValueError(f'compat must be "default" or "psql", not {compat!r}')
    return compat


def split(sql: str | bytes, *, compat: str = "default") -> list[str]:
    """The statements of ``sql`` as strings: a drop-in for ``sqlparse.split``.

    Each text is what the server should receive, from its first token through
    its ``;``. A COPY keeps its data rows and the ``\\.`` line; psql
    meta-commands (``\\restrict``...) are items of their own.
    """
    return _native.split_texts(sql, _compat(compat))


def parse(sql: str | bytes, *, source: str | None = None, compat: str = "default", strict: bool = False) -> Script:
    """The statements of ``sql`` with their metadata, and diagnostics.

    With ``strict``, an error diagnostic (an unterminated quote, comment or
    dollar quote) raises :class:`SplitError` instead.
    """
    data = sql.encode() if isinstance(sql, str) else bytes(sql)
    records, diagnostics = _native.parse(data, _compat(compat))
    statements = tuple(_statement(n, record, text, data) for n, (record, text) in enumerate(records, 1))
    script = Script(statements, tuple(Diagnostic(*d) for d in diagnostics), source)
    if strict and script.errors:
        first = script.errors[0]
        raise SplitError(first.message, line=first.line, col=first.col, source=source)
    return script


def parse_file(path: str | os.PathLike[str], *, jobs: int | None = None, compat: str = "default") -> Script:
    """Reads and parses a file; ``.gz`` is decompressed.

    ``jobs`` is accepted for the parallel splitter and has no effect yet:
    splitting is sequential.
    """
    name = os.fspath(path)
    return parse(_native.read(name), source=name, compat=compat)


def _statement(n: int, record: _native.StatementRecord, text: str, data: bytes) -> Statement:
    kind, tag, (line, col, end_line), (start, end, _), blocks, toc, meta, in_transaction, variables = record
    return Statement(
        n=n,
        kind=kind,
        tag=tag,
        text=text,
        line=line,
        col=col,
        end_line=end_line,
        start=start,
        end=end,
        toc=Toc(*toc) if toc else None,
        meta=MetaCommand(*meta) if meta else None,
        transactional=in_transaction == "yes",
        transaction_control=in_transaction == "control",
        copy_blocks=tuple(data[a:b] for a, b in blocks),
        variables=tuple(variables),
    )
