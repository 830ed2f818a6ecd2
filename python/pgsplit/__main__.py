"""The ``pgsplit`` command, as installed by the Python package.

It is the native command, plus what only Python can do: ``squash --verify``
runs the new migration through Alembic, and ``squash --alembic`` builds it from
the chain itself.
"""

import sys

from ._native import cli


def main() -> None:
    args = sys.argv[1:]
    python_only = ("--verify", "--alembic")
    # Help is the native command's, which documents the Python-only options too.
    asks_for_help = any(a in ("-h", "--help") for a in args[1:])
    if (
        args[:1] == ["squash"]
        and not asks_for_help
        and any(a in python_only or a.startswith(tuple(f"{o}=" for o in python_only)) for a in args[1:])
    ):
        from .squash import main as squash_main

        sys.exit(squash_main(args[1:]))
    sys.exit(cli(["pgsplit", *args]))


if __name__ == "__main__":
    main()
