"""pgsplit: split PostgreSQL scripts and pg_dump files exactly where psql does,
and correctly where psql is wrong.

>>> import pgsplit
>>> pgsplit.split("SELECT ';'; SELECT 2;")
["SELECT ';';", 'SELECT 2;']
"""

from ._diff import Change, Diff, assert_same_schema, diff, normalize
from ._native import __version__
from ._script import (
    Compat,
    Diagnostic,
    FileChangedError,
    MetaCommand,
    Script,
    SplitError,
    Statement,
    Toc,
    parse,
    parse_file,
    split,
)

__all__ = [
    "Change",
    "Compat",
    "Diagnostic",
    "Diff",
    "FileChangedError",
    "MetaCommand",
    "Script",
    "SplitError",
    "Statement",
    "Toc",
    "__version__",
    "assert_same_schema",
    "diff",
    "normalize",
    "parse",
    "parse_file",
    "split",
]
