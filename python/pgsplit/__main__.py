"""The ``pgsplit`` command, as installed by the Python package.

It is the native command, plus what only Python can do: ``squash --verify``
runs the new migration through Alembic, and ``squash --alembic`` builds it from
the chain itself. ``squash``'s arguments are read by the native command's own
parser either way; its help documents the Python-only options too.
"""

import sys

from . import _native


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["squash"]:
        parsed = _native.squash_arguments(args[1:])
        if isinstance(parsed, int):
            sys.exit(parsed)
        if parsed["alembic"] is not None or parsed["verify"] is not None:
            from .squash import main as squash_main

            sys.exit(squash_main(parsed, args[1:]))
    sys.exit(_native.cli(["pgsplit", *args]))


if __name__ == "__main__":
    main()
