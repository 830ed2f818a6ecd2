"""pgsplit: split PostgreSQL scripts and pg_dump files exactly where psql does,
and correctly where psql is wrong.

>>> import pgsplit
>>> pgsplit.split("SELECT ';'; SELECT 2;")
["SELECT ';';", 'SELECT 2;']
"""

from ._native import __version__
from ._script import (
    Diagnostic,
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
    "Diagnostic",
    "MetaCommand",
    "Script",
    "SplitError",
    "Statement",
    "Toc",
    "__version__",
    "parse",
    "parse_file",
    "split",
]
