"""Statements and scripts: the Python face of pgsplit's splitter.

The Rust extension (``_native``) returns plain records; this module turns them
into small immutable objects. Byte offsets (``start``, ``end``, ``copy_data``
positions) refer to the input as bytes: for a ``str`` input, its UTF-8
encoding.

A file is memory-mapped, not read: COPY data, the bulk of a full dump, stays
in the file until a statement's data is asked for, and ``copy_chunks()``
hands it out a piece at a time.
"""

from __future__ import annotations

import mmap
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


#: Where a statement's COPY data lives: the input's bytes or the mapped file.
Buffer = bytes | mmap.mmap


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
    #: Byte ranges of the COPY data blocks in the input.
    copy_spans: tuple[tuple[int, int], ...] = field(default=(), repr=False)
    variables: tuple[tuple[int, int], ...] = field(default=(), repr=False)
    _buffer: Buffer = field(default=b"", repr=False, compare=False)

    @property
    def copy_blocks(self) -> tuple[bytes, ...]:
        """Each COPY data block, as bytes."""
        return tuple(self._buffer[start:end] for start, end in self.copy_spans)

    @property
    def copy_data(self) -> bytes | None:
        """The COPY data rows (without the ``\\.`` line), or None."""
        if not self.copy_spans:
            return None
        return b"".join(self.copy_blocks)

    def copy_chunks(self, size: int = 1 << 20) -> Iterator[memoryview]:
        """The COPY data in pieces of at most ``size`` bytes, without reading
        it all into memory."""
        view = memoryview(self._buffer)
        for start, end in self.copy_spans:
            for at in range(start, end, size):
                yield view[at : min(at + size, end)]


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


def split(
    sql: str | bytes | bytearray,
    encoding: str | None = None,
    strip_semicolon: bool = False,
    *,
    compat: str = "default",
) -> list[str]:
    """The statements of ``sql`` as strings: a drop-in for ``sqlparse.split``,
    with its arguments and conventions, that splits where psql does.

    Each text is a statement, from its first token through its ``;``, with
    the comments that belong to it: the ``--`` lines before it, and a ``--``
    comment after its ``;`` on the same line. Whitespace around it, empty
    statements and comments that belong to no statement are left out. A COPY
    keeps its data rows and the ``\\.`` line; psql meta-commands
    (``\\restrict``...) are items of their own.

    ``bytes`` are decoded with ``encoding``; without one, as UTF-8 or, when
    they are not UTF-8, as Latin-1 (sqlparse's fallback, without its
    rewriting of backslashes). ``encoding`` is ignored for a ``str``, as in
    sqlparse. ``strip_semicolon`` drops each statement's terminating ``;``
    (a COPY keeps the ``;`` of its command).
    """
    if encoding is not None and isinstance(sql, (bytes, bytearray)):
        sql = sql.decode(encoding)
    return _native.split_texts(sql, compat, bool(strip_semicolon))


def parse(sql: str | bytes, *, source: str | None = None, compat: str = "default", strict: bool = False) -> Script:
    """The statements of ``sql`` with their metadata, and diagnostics.

    With ``strict``, an error diagnostic (an unterminated quote, comment or
    dollar quote) raises :class:`SplitError` instead.
    """
    data = sql.encode() if isinstance(sql, str) else bytes(sql)
    records, diagnostics = _native.parse(data, _compat(compat))
    return _script(records, diagnostics, data, source, strict)


def _script(
    records: list[tuple[_native.StatementRecord, str]],
    diagnostics: list[_native.DiagnosticRecord],
    buffer: Buffer,
    source: str | None,
    strict: bool,
) -> Script:
    statements = tuple(_statement(n, record, text, buffer) for n, (record, text) in enumerate(records, 1))
    script = Script(statements, tuple(Diagnostic(*d) for d in diagnostics), source)
    if strict and script.errors:
        first = script.errors[0]
        raise SplitError(first.message, line=first.line, col=first.col, source=source)
    return script


def parse_file(
    path: str | os.PathLike[str], *, jobs: int | None = None, compat: str = "default", strict: bool = False
) -> Script:
    """Parses a file, memory-mapped; ``.gz`` and ``.zst`` are decompressed into memory.

    Large files are split on ``jobs`` threads (None: all cores), with the
    same result for any number.
    """
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    name = os.fspath(path)
    records, diagnostics, decompressed = _native.parse_path(name, _compat(compat), jobs or 0)
    buffer: Buffer = decompressed if decompressed is not None else _map(name)
    return _script(records, diagnostics, buffer, name, strict)


def _map(name: str) -> Buffer:
    with open(name, "rb") as file:
        if os.fstat(file.fileno()).st_size == 0:
            return b""
        return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)


def _statement(n: int, record: _native.StatementRecord, text: str, buffer: Buffer) -> Statement:
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
        copy_spans=tuple(blocks),
        variables=tuple(variables),
        _buffer=buffer,
    )
