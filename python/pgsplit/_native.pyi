"""The Rust extension module. Private: use the names in ``pgsplit``.

The shapes of the records it returns live in ``_records``, a module that
exists at run time too.
"""

from typing import final

from ._records import (
    ChangeRecord,
    DiagnosticRecord,
    PlanRecord,
    SquashArguments,
    StatementFields,
)

__all__ = [
    "IGNORE",
    "StatementTable",
    "__version__",
    "body_position",
    "cli",
    "diff",
    "name_position",
    "normalize",
    "parse",
    "parse_path",
    "plan_path",
    "plan_text",
    "read",
    "split_texts",
    "squash_arguments",
]

__version__: str
IGNORE: tuple[str, ...]

@final
class StatementTable:
    """A parsed script's statements in compact form."""

    def __len__(self) -> int: ...
    def fields(self, index: int) -> StatementFields: ...

def split_texts(sql: str | bytes | bytearray, compat: str, strip_semicolon: bool) -> list[str]: ...
def parse(sql: str | bytes, compat: str) -> tuple[StatementTable, list[DiagnosticRecord]]: ...
def parse_path(path: str, compat: str, jobs: int) -> tuple[StatementTable, list[DiagnosticRecord], bytes | None]: ...
def read(path: str) -> bytes: ...
def name_position(text: str, name: str) -> int | None: ...
def body_position(text: str) -> int | None: ...
def plan_text(
    sql: str | bytes, compat: str, meta: str, non_transactional: str, transaction_control: str
) -> tuple[StatementTable, list[DiagnosticRecord], PlanRecord]: ...
def plan_path(
    path: str, compat: str, jobs: int, meta: str, non_transactional: str, transaction_control: str
) -> tuple[StatementTable, list[DiagnosticRecord], bytes | None, PlanRecord]: ...
def normalize(sql: str | bytes, ignore: list[str], sort: bool) -> str: ...
def diff(a: str | bytes, b: str | bytes, ignore: list[str]) -> list[ChangeRecord]: ...
def cli(argv: list[str]) -> int: ...
def squash_arguments(args: list[str]) -> SquashArguments | int: ...
