"""Normalizing and comparing dumps: the Python face of ``pgsplit normalize``
and ``pgsplit diff``."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Union

from . import _native

__all__ = ["Change", "Diff", "assert_same_schema", "diff", "normalize"]

#: A dump given as its text, or as a path to it.
Dump = Union[str, bytes, "os.PathLike[str]"]


def _data(dump: Dump) -> str | bytes:
    if isinstance(dump, os.PathLike):
        return _native.read(os.fspath(dump))
    return dump


def normalize(sql: Dump, *, ignore: Iterable[str] = (), sort: bool = False) -> str:
    """A canonical text of a dump, as ``pgsplit normalize`` prints it.

    ``ignore`` takes the CLI's ``--ignore`` values: ``owner``, ``acl``,
    ``comments``, ``comment-on``, ``set``, ``public-schema``, ``data``.
    """
    return _native.normalize(_data(sql), list(ignore), sort)


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


def diff(a: Dump, b: Dump, *, ignore: Iterable[str] = ()) -> Diff:
    """Compares two dumps object by object (paths, or the dumps' text)."""
    records = _native.diff(_data(a), _data(b), list(ignore))
    return Diff(tuple(Change(*record) for record in records))


def assert_same_schema(a: Dump, b: Dump, *, ignore: Iterable[str] = ("owner", "acl")) -> None:
    """For tests: raises AssertionError naming every object that differs."""
    found = diff(a, b, ignore=ignore)
    if not found.identical:
        raise AssertionError(f"{len(found.changes)} object(s) differ:\n{found}")
