"""Normalizing and comparing dumps: the Python face of ``pgsplit normalize``
and ``pgsplit diff``."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Union

from . import _native
from ._records import Ignore

__all__ = ["Change", "Diff", "assert_same_schema", "diff", "normalize"]

#: A dump given as its text, or as a path to it.
Dump = Union[str, bytes, "os.PathLike[str]"]


#: File names a dump is kept under; a one-line ``str`` ending so is a path.
_DUMP_SUFFIXES = (".sql", ".gz", ".zst")


def _data(dump: Dump, function: str) -> str | bytes:
    """A dump's text: an ``os.PathLike`` is read, ``str`` and ``bytes`` are the
    dump itself, and a ``str`` that can only be a path is a TypeError (it
    would otherwise be compared as if it were SQL)."""
    if isinstance(dump, os.PathLike):
        name = os.fspath(dump)
        if not isinstance(name, str):
            raise TypeError(f"{function}() takes paths as str-based os.PathLike, not bytes paths")
        return _native.read(name)
    if isinstance(dump, str):
        if _is_only_a_path(dump):
            exists = "" if os.path.exists(dump) else " (no such file exists either)"
            raise TypeError(
                f"{function}() takes a str as SQL text, and {dump!r} is a file name{exists}: "
                f"pass pathlib.Path({dump!r}) to read the file"
            )
        return dump
    if isinstance(dump, (bytes, bytearray, memoryview)):
        return bytes(dump)
    raise TypeError(f"{function}() takes SQL as str or bytes, or a file as os.PathLike, not {type(dump).__name__}")


def _is_only_a_path(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and "\n" not in stripped and ";" not in stripped and stripped.lower().endswith(_DUMP_SUFFIXES)


#: Every ``Ignore`` value, as the native module defines them.
IGNORE: tuple[Ignore, ...] = _native.IGNORE  # type: ignore[assignment]


def _ignored(ignore: Iterable[Ignore], function: str) -> list[str]:
    if isinstance(ignore, str):
        raise TypeError(f'{function}() takes ignore as a list of values, not one str (write ignore=["{ignore}"])')
    return list(ignore)


def normalize(sql: Dump, *, ignore: Iterable[Ignore] = (), sort: bool = False) -> str:
    """A canonical text of a dump, as ``pgsplit normalize`` prints it.

    ``ignore`` takes the CLI's ``--ignore`` values (``pgsplit.IGNORE`` lists
    them): ``owner``, ``acl``, ``comments``, ``comment-on``, ``set``,
    ``public-schema``, ``data``, ``column-order``.
    """
    return _native.normalize(_data(sql, "normalize"), _ignored(ignore, "normalize"), sort)


@dataclass(frozen=True)
class Change:
    """An object that differs: only in A, only in B, or changed."""

    kind: str  # "only_in_a", "only_in_b" or "changed"
    object_type: str
    schema: str
    name: str
    a: str | None
    b: str | None
    unified_diff: str

    @property
    def object(self) -> str:
        where = f"{self.schema}." if self.schema and self.schema != "-" else ""
        return f"{self.object_type} {where}{self.name}"


@dataclass(frozen=True)
class Diff:
    """The object-level differences between two dumps."""

    changes: tuple[Change, ...]

    @property
    def identical(self) -> bool:
        return not self.changes

    def __bool__(self) -> bool:
        return not self.identical

    def __str__(self) -> str:
        if self.identical:
            return "the dumps hold the same objects"
        lines = []
        for change in self.changes:
            if change.kind == "changed":
                lines.append(f"changed: {change.object}")
                lines.extend("  " + line for line in change.unified_diff.splitlines())
            else:
                side = "A" if change.kind == "only_in_a" else "B"
                lines.append(f"only in {side}: {change.object}")
        return "\n".join(lines)


def diff(a: Dump, b: Dump, *, ignore: Iterable[Ignore] = ()) -> Diff:
    """Compares two dumps object by object: each an ``os.PathLike`` (a file)
    or the dump's text (``str`` or ``bytes``)."""
    return _diff(a, b, ignore, "diff")


def _diff(a: Dump, b: Dump, ignore: Iterable[Ignore], function: str) -> Diff:
    records = _native.diff(_data(a, function), _data(b, function), _ignored(ignore, function))
    return Diff(tuple(Change(**record) for record in records))


def assert_same_schema(a: Dump, b: Dump, *, ignore: Iterable[Ignore] = ("owner", "acl")) -> None:
    """For tests: raises AssertionError naming every object that differs."""
    found = _diff(a, b, ignore, "assert_same_schema")
    if not found.identical:
        raise AssertionError(f"{len(found.changes)} object(s) differ:\n{found}")
