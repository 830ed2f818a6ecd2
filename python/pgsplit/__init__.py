"""pgsplit: split PostgreSQL scripts and pg_dump files exactly where psql does,
and correctly where psql is wrong.

>>> import pgsplit
>>> pgsplit.split("SELECT ';'; SELECT 2;")
["SELECT ';';", 'SELECT 2;']
"""

from ._diff import IGNORE, Change, Diff, assert_same_schema, diff, normalize
from ._native import __version__
from ._records import Ignore
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
    "IGNORE",
    "Change",
    "Compat",
    "Diagnostic",
    "Diff",
    "FileChangedError",
    "Ignore",
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
