"""pgsplit --compat psql against real psql 18.

Each file runs through psql into a fresh database of a server that logs every
statement, a few files at once (each file's psql names itself, and the log is
read once for all of them; a file whose psql lost its connection, as when
another file crashes the server, is run again alone); what psql sent is read
back from the log (``psql_oracle``) and
compared, statement by statement, with what pgsplit's split says psql sends
(``psql_flow``, which documents every run-time rule the comparison applies).
The agreement table is printed, and appended to
``$PGSPLIT_REPORT_DIR/psql-agreement.md`` when that is set.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pgcluster import Cluster
from psql_flow import Expected, expected_statements
from psql_oracle import Sent, as_psql_sends, sent_statements

#: Scripts in which what psql sends depends on query results are not eligible:
#: conditionals, variables set from results, and pipelines (after an error a
#: pipeline aborts and psql stops running its commands).
FLOW_META = re.compile(rb"^\s*\\(if|elif|gset|startpipeline)\b", re.MULTILINE)

#: psql reading a rejected COPY's data as SQL reaches the end marker as a
#: command, refused as invalid (or as restricted, after pg_dump's \\restrict).
REJECTED_COPY_MARKER = re.compile(
    rb"^psql:[^\n]*?:(\d+): error: "
    rb"(?:invalid command \\\.|backslash commands are restricted; only \\unrestrict is allowed)$",
    re.MULTILINE,
)

#: ``log_min_messages`` above LOG stops the server logging the session's
#: statements; a valid lower level or a RESET starts it again.
SILENCES_LOG = re.compile(r"(?is)^set\s+(session\s+)?log_min_messages\s*(to|=)\s*'?(fatal|panic)'?\s*;?$")
RESTORES_LOG = re.compile(
    r"(?is)^reset\s+(log_min_messages|all)\s*;?$"
    r"|^set\s+(session\s+)?log_min_messages\s*(to|=)\s*'?(debug[1-5]|info|notice|warning|error|log)'?\s*;?$"
)


def split_jsonl(pgsplit_bin: Path, data: bytes) -> list[dict[str, Any]]:
    out = subprocess.run(
        [str(pgsplit_bin), "split", "-", "--format", "jsonl", "--compat", "psql"],
        input=data,
        capture_output=True,
        check=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines()]


@dataclass
class Agreement:
    name: str
    psql: int
    pgsplit: int
    agreed: int
    first_difference: str
    #: psql lost its connection (a server crash) and stopped sending.
    connection_lost: bool = False

    @property
    def identical(self) -> bool:
        return not self.first_difference


class Comparison:
    """Walks pgsplit's expected statements and psql's sent ones together."""

    def __init__(self, pgsplit_bin: Path, data: bytes, sent: list[Sent], rejected_copy_lines: set[int]):
        self.pgsplit_bin = pgsplit_bin
        self.data = data
        self.sent = sent
        self.rejected = rejected_copy_lines
        self.expected = expected_statements(split_jsonl(pgsplit_bin, data), data, self.resplit)
        self.k = 0  # next expected
        self.i = 0  # next sent
        self.agreed = 0
        self.silenced = False

    def resplit(self, text: bytes) -> list[dict[str, Any]]:
        return split_jsonl(self.pgsplit_bin, text)

    def got(self, offset: int = 0) -> str:
        return as_psql_sends(self.sent[self.i + offset].text)

    def run(self) -> str:
        """Returns the first difference, or an empty string."""
        while self.k < len(self.expected):
            want = self.expected[self.k]
            if self.silenced:
                # The server logs nothing until the level is lowered again.
                self.k += 1
                self.silenced = not RESTORES_LOG.match(want.text)
                continue
            if self.i >= len(self.sent):
                return self.difference(want.text, "<nothing>")
            if want.matches(self.got()):
                self.accept(want, 1)
            elif want.has_variables and (n := self.expansion_length(want)):
                self.accept(want, n)
            else:
                return self.difference(want.text, self.got())
        if self.i < len(self.sent):
            return self.difference("<nothing>", self.got())
        return ""

    def accept(self, want: Expected, consumed: int) -> None:
        self.k += 1
        self.i += consumed
        self.agreed += 1
        if want.copy_data_start is not None and want.marker_line in self.rejected:
            # psql read the rejected COPY's data as SQL: split it as psql did.
            base = want.copy_data_start
            rest = self.data[base:]
            base_line = self.data.count(b"\n", 0, base)
            after = expected_statements(self.resplit(rest), rest, self.resplit, base, base_line)
            self.expected = self.expected[: self.k] + after
        if want.generated:
            following = self.expected[self.k] if self.k < len(self.expected) else None
            while self.i < len(self.sent) and not (following and following.matches(self.got())):
                self.i += 1
        if SILENCES_LOG.match(want.text):
            self.silenced = True

    def expansion_length(self, want: Expected) -> int:
        """A variable's value may hold several statements: psql scans it."""
        for n in range(2, 8):
            if self.i + n > len(self.sent):
                break
            joined = " ".join(self.got(j) for j in range(n))
            if want.matches(joined):
                return n
        return 0

    def difference(self, want: str, got: str) -> str:
        return f"#{self.agreed + 1}: pgsplit {want[:160]!r} / psql {got[:160]!r}"


@dataclass
class Run:
    """One file run through psql into a fresh database of its own."""

    path: Path
    label: str
    from_stdin: bool
    app: str = ""
    stderr: bytes = b""
    returncode: int = 0

    @property
    def server_went_away(self) -> bool:
        """psql lost (or never got) its connection: exit status 2. A crash
        caused by a file running at the same time ends every session, so such
        a file is run again alone."""
        return self.returncode == 2


#: Files run through psql at once. Each waits mostly on the server; more
#: than a few only queue on a 2-core machine.
WORKERS = 3

_databases = itertools.count(1)


def run_alone(cluster: Cluster, run: Run) -> None:
    """Runs ``run``'s file through psql into a database made for it, then drops
    the database. Databases are created and dropped over a connection of the
    caller's thread; the server's log keeps each file's statements apart by
    psql's application name."""
    import psycopg

    database = f"oracle_{os.getpid()}_{next(_databases)}"
    run.app = f"pgsplit-oracle-{database}"
    deadline = time.monotonic() + 120
    while True:
        # A file running at the same time may have crashed the server.
        try:
            with psycopg.connect(cluster.uri(), autocommit=True) as connection:
                # FILE_COPY: the same database, made faster than by WAL_LOG.
                connection.execute(f'CREATE DATABASE "{database}" TEMPLATE template0 STRATEGY FILE_COPY'.encode())
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    try:
        done = cluster.run_psql(run.path, database, run.app, from_stdin=run.from_stdin)
        run.stderr, run.returncode = done.stderr, done.returncode
    finally:
        deadline = time.monotonic() + 120
        while True:
            try:
                with psycopg.connect(cluster.uri(), autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'.encode())
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


def run_all(cluster: Cluster, runs: list[Run]) -> dict[str, list[Sent]]:
    """Runs every file, ``WORKERS`` at a time, and returns what psql sent for
    each (by application name). A file whose psql lost its connection is run
    again alone once the others are done, so that only its own crash counts."""
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(lambda run: run_alone(cluster, run), runs))
    sent = {app: sent_statements(records) for app, records in cluster.wait_for_logs(r.app for r in runs).items()}
    for run in runs:
        if run.server_went_away:
            del sent[run.app]
            run_alone(cluster, run)
            sent[run.app] = sent_statements(cluster.wait_for_log(run.app))
    return sent


def agreement(pgsplit_bin: Path, run: Run, sent: list[Sent]) -> Agreement:
    rejected = {int(line) for line in REJECTED_COPY_MARKER.findall(run.stderr)}
    comparison = Comparison(pgsplit_bin, run.path.read_bytes(), sent, rejected)
    difference = comparison.run()
    connection_lost = b"connection to server was lost" in run.stderr
    if connection_lost and comparison.i == len(sent):
        difference = ""  # psql stopped; everything it sent agreed
    return Agreement(run.label, len(sent), len(comparison.expected), comparison.agreed, difference, connection_lost)


def compare_all(cluster: Cluster, pgsplit_bin: Path, files: list[tuple[Path, str, bool]]) -> list[Agreement]:
    """Each ``(path, label, from_stdin)`` run through psql into a fresh database
    (several at once) and compared with pgsplit's split; rows in the order given."""
    runs = [Run(path, label, from_stdin) for path, label, from_stdin in files]
    sent = run_all(cluster, runs)
    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(lambda run: agreement(pgsplit_bin, run, sent[run.app]), runs))


def compare(cluster: Cluster, pgsplit_bin: Path, path: Path, label: str, from_stdin: bool = False) -> Agreement:
    return compare_all(cluster, pgsplit_bin, [(path, label, from_stdin)])[0]


def report(rows: list[Agreement], title: str) -> str:
    lines = [f"### {title}", "", "| file | psql sent | pgsplit | agreed | result |", "|---|---:|---:|---:|---|"]
    for row in rows:
        verdict = "agree" if row.identical else f"DIFFER {row.first_difference}"
        if row.connection_lost:
            verdict += f" (server crashed; psql stopped after {row.psql})"
        lines.append(f"| {row.name} | {row.psql} | {row.pgsplit} | {row.agreed} | {verdict} |")
    agreeing = sum(row.identical for row in rows)
    lines.append(f"\n{agreeing} of {len(rows)} files agree on every statement.")
    text = "\n".join(lines) + "\n"
    directory = os.environ.get("PGSPLIT_REPORT_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        with open(Path(directory) / "psql-agreement.md", "a", encoding="utf-8") as f:
            f.write(text + "\n")
    print(text)
    return text


def test_pg_dump_files_split_as_psql_sends_them(pg18: Cluster, pgsplit_bin: Path, corpus: Path) -> None:
    files = sorted((corpus / "pgdump15").glob("*.sql"))
    assert files, f"no pg_dump files under {corpus / 'pgdump15'}"
    rows = compare_all(pg18, pgsplit_bin, [(path, path.name, False) for path in files])
    text = report(rows, "pg_dump 15 files")
    assert all(row.identical for row in rows), text


def eligible_regression_scripts(corpus: Path) -> list[Path]:
    scripts = sorted((corpus / "postgres-regress").glob("*/*.sql"))
    return [path for path in scripts if not FLOW_META.search(path.read_bytes())]


def test_regression_scripts_split_as_psql_sends_them(pg18: Cluster, pgsplit_bin: Path, corpus: Path) -> None:
    scripts = eligible_regression_scripts(corpus)
    assert len(scripts) > 150, f"only {len(scripts)} eligible regression scripts found"
    rows = compare_all(pg18, pgsplit_bin, [(path, f"{path.parent.name}/{path.name}", False) for path in scripts])
    text = report(rows, f"PostgreSQL regression scripts without \\if, \\elif, \\gset or pipelines ({len(rows)})")
    assert all(row.identical for row in rows), text


#: Files written for psql rules that the corpus does not show, each checked
#: against what psql sends.
GENERATED_RULES = {
    "copy_in_upper_case.sql": b"CREATE TABLE t (a int);\n\\COPY t FROM STDIN\n1\n2\n\\.\nSELECT count(*) FROM t;\n",
    "copy_in_mixed_case.sql": b"CREATE TABLE u (a text);\n\\Copy u (a) from stdin\nx;y\n\\.\nSELECT 2;\n",
    # The buffer around \copy data holds one newline where the data was.
    "copy_data_inside_a_statement.sql": (
        b"CREATE TABLE v (a text);\nSELECT 1 \\copy v from stdin\nx\n\\.\n, 2;\n"
        b"SELECT 3\n\\copy v from stdin\ny\n\\.\n, 4;\n"
    ),
    # psql stops at \quit and sends what its buffer holds; \Q is unknown.
    "quit_ends_the_input.sql": b"SELECT 1;\n\\Q\nSELECT 2 \\q SELECT 3;\nSELECT 4;\n",
    # A line that starts with a meta-command joins its SQL to the line before.
    "sql_after_a_meta_command_on_its_line.sql": (
        b"SELECT 1\n\\echo a \\\\ , 2\n\\echo b\n\\echo c \\\\ , 3\n\\echo d\n;\nSELECT 4;\n"
    ),
    "extension_script_guard.sql": (
        b"SELECT 0;\n"
        b'\\echo Use "CREATE EXTENSION demo" to load this file. \\quit\n'
        b"CREATE FUNCTION demo() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
    ),
}

#: Files whose rules hold when the script is psql's standard input: run so.
GENERATED_STDIN_RULES = {
    # The answer line is read by \prompt, never scanned as SQL.
    "prompt_reads_the_next_line.sql": (
        b"\\prompt x\nSELECT 'the answer';\nSELECT 1\n\\prompt 'say' y \\\\ , 2\nDROP TABLE nowhere;\nSELECT 3;\n"
    ),
    # \password reads the new password and its confirmation: two lines that
    # would be statements if psql scanned them (they differ, so psql changes
    # no password). With a user named, psql asks the server nothing first.
    "password_reads_two_lines.sql": (
        b"SELECT 1;\n\\password nobody\nSELECT 'the new password';\nSELECT 'its confirmation';\nSELECT 2;\n"
    ),
    # \copy ... from pstdin reads psql's standard input, the script here.
    "copy_from_pstdin_reads_the_script.sql": (
        b"CREATE TABLE p (a text);\n\\copy p from pstdin\nx\ny\n\\.\nSELECT 2;\n"
    ),
}


def test_generated_rule_files_split_as_psql_sends_them(tmp_path: Path, pg18: Cluster, pgsplit_bin: Path) -> None:
    written = []
    runs = [(GENERATED_RULES, False), (GENERATED_STDIN_RULES, True)]
    for name, content, from_stdin in ((n, c, s) for files, s in runs for n, c in files.items()):
        path = tmp_path / name
        path.write_bytes(content)
        written.append((path, name, from_stdin))
    rows = compare_all(pg18, pgsplit_bin, written)
    text = report(rows, "files written for single psql rules")
    assert all(row.identical and row.psql > 0 for row in rows), text
