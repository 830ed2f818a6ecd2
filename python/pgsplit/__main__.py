"""The ``pgsplit`` command, as installed by the Python package."""

import sys

from ._native import cli


def main() -> None:
    sys.exit(cli(["pgsplit", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
