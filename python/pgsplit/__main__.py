"""The ``pgsplit`` command, as installed by the Python package.

It is the native command, plus what only Python can do: ``squash --verify``
runs the new migration through Alembic.
"""

import sys

from ._native import cli


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["squash"] and any(a == "--verify" or a.startswith("--verify=") for a in args[1:]):
        from .squash import main as squash_main

        sys.exit(squash_main(args[1:]))
    sys.exit(cli(["pgsplit", *args]))


if __name__ == "__main__":
    main()
