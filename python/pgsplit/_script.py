"""Statements and scripts: the Python face of pgsplit's splitter.

The Rust extension (``_native``) returns plain records; this module turns them
into small immutable objects. Byte offsets (``start``, ``end``, ``copy_data``
positions) refer to the input as bytes: for a ``str`` input, its UTF-8
encoding.

A file's COPY data, the bulk of a full dump, stays in the file until a
statement's data is asked for: it is read back with positioned reads, which
check that the file is still the one that was parsed (a file that changed
raises :class:`FileChangedError`, never a crash), and ``copy_chunks()``
hands it out a piece at a time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, TypeAlias, overload

from . import _native, _records

__all__ = [
    "Compat",
    "Diagnostic",
    "FileChangedError",
    "MetaCommand",
    "Script",
    "SplitError",
    "Statement",
    "Toc",
    "parse",
    "parse_file",
    "split",
]


#: How to split: as the server reads a script (``default``), or exactly as
#: psql 18 does, mistakes included (``psql``).
# Written as a union of one-value Literals, which is the same type to a
# checker and a Union at run time too, as stubtest wants it.
Compat: TypeAlias = Literal["default"] | Literal["psql"]


def _rebuild(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> BaseException:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class _Picklable(Exception):
    """Pickles an exception built with keyword arguments: its ``args`` and
    attributes are restored as they are, without calling ``__init__``."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args, self.__dict__))


class SplitError(_Picklable, ValueError):
    """The input cannot be used as it is: an unterminated quote, comment or
    dollar quote, reported where it opened."""

    def __init__(self, message: str, *, line: int, col: int, source: str | None = None) -> None:
        where = f"{source or '<input>'}:{line}:{col}"
        super().__init__(f"{where}: {message}")
        self.message = message
        self.line = line
        self.col = col
        self.source = source


class FileChangedError(OSError):
    """The file changed after it was parsed: its COPY data can no longer be
    read as the statements describe it. Parse it again."""

    def __init__(self, filename: str, detail: str) -> None:
        super().__init__(f"{filename}: the file changed after it was parsed ({detail}); parse it again")
        self.filename = filename
        self.detail = detail

    def __str__(self) -> str:
        return str(self.args[0])

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.filename, self.detail))


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
    """A finding about the input: where, how serious, what; ``code`` is the
    stable name ``pgsplit check --format json`` prints (``unterminated-string``,
    ``psql-variable``...), for code that decides on findings."""

    severity: str  # "error", "warning" or "note"
    line: int
    col: int
    offset: int
    message: str
    code: str


class _FileBytes:
    """The bytes of a parsed file, read back on demand.

    Each read opens the file, checks that it is the file that was parsed
    (same inode, size and modification time) and reads with ``os.pread``;
    a file that changed raises :class:`FileChangedError`. A memory map would
    kill the interpreter with SIGBUS if the file shrank under it.
    """

    def __init__(self, name: str, identity: tuple[int, int, int, int]) -> None:
        self.name = name
        self.identity = identity

    @staticmethod
    def identity_of(stat: os.stat_result) -> tuple[int, int, int, int]:
        return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)

    def __len__(self) -> int:
        return self.identity[2]

    def read(self, start: int, end: int) -> bytes:
        try:
            with open(self.name, "rb") as file:
                if self.identity_of(os.fstat(file.fileno())) != self.identity:
                    raise FileChangedError(self.name, "its size, time or inode is not what it was")
                data = os.pread(file.fileno(), end - start, start)
        except FileNotFoundError:
            raise FileChangedError(self.name, "it is gone") from None
        if len(data) != end - start:
            raise FileChangedError(self.name, "it is shorter")
        return data


#: Where a statement's COPY data lives: the input's bytes or the parsed file.
Buffer = bytes | _FileBytes


def _read(buffer: Buffer, start: int, end: int) -> bytes:
    if isinstance(buffer, _FileBytes):
        return buffer.read(start, end)
    return buffer[start:end]


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

    def __str__(self) -> str:
        return self.text

    @property
    def copy_blocks(self) -> tuple[bytes, ...]:
        """Each COPY data block, as bytes."""
        return tuple(_read(self._buffer, start, end) for start, end in self.copy_spans)

    @property
    def copy_data(self) -> bytes | None:
        """The COPY data rows (without the ``\\.`` line), or None."""
        if not self.copy_spans:
            return None
        return b"".join(self.copy_blocks)

    def copy_chunks(self, size: int = 1 << 20) -> Iterator[memoryview]:
        """The COPY data in pieces of at most ``size`` bytes, without reading
        it all into memory."""
        for start, end in self.copy_spans:
            for at in range(start, end, size):
                yield memoryview(_read(self._buffer, at, min(at + size, end)))


class _Statements(Sequence[Statement]):
    """The statements of a parsed script, each made into a :class:`Statement`
    the first time it is read.

    The native table holds them compactly (one buffer of texts and a small
    row each), so parsing a dump of a million statements costs what the
    split costs, and only the statements a caller looks at become objects.
    """

    __slots__ = ("_buffer", "_made", "_table")

    def __init__(self, table: _native.StatementTable, buffer: Buffer) -> None:
        self._table = table
        self._buffer = buffer
        self._made: list[Statement | None] = [None] * len(table)

    def __len__(self) -> int:
        return len(self._made)

    @overload
    def __getitem__(self, index: int) -> Statement: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Statement, ...]: ...

    def __getitem__(self, index: int | slice) -> Statement | tuple[Statement, ...]:
        if isinstance(index, slice):
            return tuple(self._statement(i) for i in range(*index.indices(len(self))))
        if not isinstance(index, int):
            raise TypeError(f"statement indices must be integers or slices, not {type(index).__name__}")
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("statement index out of range")
        return self._statement(index)

    def __iter__(self) -> Iterator[Statement]:
        return (self._statement(i) for i in range(len(self)))

    def _statement(self, index: int) -> Statement:
        made = self._made[index]
        if made is None:
            made = self._made[index] = _statement(self._table.fields(index), self._buffer)
        return made

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Statements | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple, (tuple(self),))


@dataclass(frozen=True)
class Script(Sequence[Statement]):
    """The statements of a script, with what was found wrong in it."""

    statements: Sequence[Statement]
    diagnostics: tuple[Diagnostic, ...]
    source: str | None = None

    @overload
    def __getitem__(self, index: int) -> Statement: ...

    @overload
    def __getitem__(self, index: slice) -> Script: ...

    def __getitem__(self, index: int | slice) -> Statement | Script:
        if isinstance(index, slice):
            return Script(self.statements[index], self.diagnostics, self.source)
        return self.statements[index]

    def __repr__(self) -> str:
        return (
            f"<Script {self.source or '<input>'}: {len(self.statements)} statements, "
            f"{len(self.diagnostics)} diagnostics>"
        )

    def __len__(self) -> int:
        return len(self.statements)

    def __iter__(self) -> Iterator[Statement]:
        return iter(self.statements)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")


def _compat(compat: str) -> str:
    if not isinstance(compat, str):
        raise TypeError(f"compat must be a str, not {type(compat).__name__}")
    if compat not in ("default", "psql"):
        raise ValueError(f'compat must be "default" or "psql", not {compat!r}')
    return compat


def _sql(sql: object, function: str) -> str | bytes:
    """``sql`` as the native layer takes it; anything else is a TypeError."""
    if isinstance(sql, (str, bytes)):
        return sql
    if isinstance(sql, (bytearray, memoryview)):
        return bytes(sql)
    if isinstance(sql, os.PathLike):
        raise TypeError(f"{function}() takes SQL text; for a file use pgsplit.parse_file({os.fspath(sql)!r})")
    raise TypeError(f"{function}() takes SQL as str or bytes, not {type(sql).__name__}")


def split(
    sql: str | bytes | bytearray,
    encoding: str | None = None,
    strip_semicolon: bool = False,
    *,
    compat: Compat = "default",
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


def parse(sql: str | bytes, *, source: str | None = None, compat: Compat = "default", strict: bool = False) -> Script:
    """The statements of ``sql`` with their metadata, and diagnostics.

    With ``strict``, an error diagnostic (an unterminated quote, comment or
    dollar quote) raises :class:`SplitError` instead.
    """
    given = _sql(sql, "parse")
    data = given.encode() if isinstance(given, str) else given
    records, diagnostics = _native.parse(data, _compat(compat))
    return _script(records, diagnostics, data, source, strict)


def _script(
    table: _native.StatementTable,
    diagnostics: list[_records.DiagnosticRecord],
    buffer: Buffer,
    source: str | None,
    strict: bool,
) -> Script:
    script = Script(_Statements(table, buffer), tuple(Diagnostic(**d) for d in diagnostics), source)
    if strict and script.errors:
        first = script.errors[0]
        raise SplitError(first.message, line=first.line, col=first.col, source=source)
    return script


def parse_file(
    path: str | os.PathLike[str], *, jobs: int | None = None, compat: Compat = "default", strict: bool = False
) -> Script:
    """Parses a file; ``.gz`` and ``.zst`` are decompressed into memory.

    Large files are split on ``jobs`` threads (None: all cores), with the
    same result for any number. COPY data stays in the file until asked for.
    """
    name, jobs = _path(path, "parse_file"), _jobs(jobs)
    before = os.stat(name)
    records, diagnostics, decompressed = _native.parse_path(name, _compat(compat), jobs)
    return _script(records, diagnostics, _buffer(name, before, decompressed), name, strict)


def _path(path: object, function: str) -> str:
    if isinstance(path, str | os.PathLike):
        name = os.fspath(path)
        if isinstance(name, str):
            return name
    raise TypeError(f"{function}() takes a path as str or os.PathLike, not {type(path).__name__}")


def _jobs(jobs: object) -> int:
    if jobs is None:
        return 0
    if not isinstance(jobs, int) or isinstance(jobs, bool):
        raise TypeError(f"jobs must be an int or None, not {type(jobs).__name__}")
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    return jobs


def _buffer(name: str, before: os.stat_result, decompressed: bytes | None) -> Buffer:
    """Where the statements' COPY data is read from: the decompressed bytes,
    or the file, which must not have changed while it was parsed."""
    if decompressed is not None:
        return decompressed
    identity = _FileBytes.identity_of(before)
    if _FileBytes.identity_of(os.stat(name)) != identity:
        raise FileChangedError(name, "it changed while it was parsed")
    return _FileBytes(name, identity)


def _statement(fields: _records.StatementFields, buffer: Buffer) -> Statement:
    # The fields are set directly rather than through the frozen dataclass's
    # __init__, which sets each with object.__setattr__: a script of a
    # million statements is read several times faster this way.
    statement: Statement = object.__new__(Statement)
    statement.__dict__.update(fields, _buffer=buffer)
    if (toc := fields["toc"]) is not None:
        statement.__dict__["toc"] = Toc(*toc)
    if (meta := fields["meta"]) is not None:
        statement.__dict__["meta"] = MetaCommand(*meta)
    return statement
