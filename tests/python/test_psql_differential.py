"""pgsplit --compat psql against real psql 18.

Each file runs through psql into a fresh database of a server that logs every
statement; what psql sent is read back from the log (psql_oracle) and compared,
statement by statement, with what pgsplit splits. The agreement table is
written to ``$PGSPLIT_REPORT_DIR/psql-agreement.md`` when that is set.

The comparison models what psql does beyond splitting, and nothing else:
meta-commands are never sent; ``\\copy`` sends a COPY of its own; ``:name``
variables are substituted (matched as wildcards here); empty lines and trailing
whitespace are dropped (``as_psql_sends``); and when the server rejects a
``COPY ... FROM stdin``, psql reads the data rows as SQL, so what it sends next
is pgsplit's split of the input from the data onward.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from pgcluster import Cluster
from psql_oracle import as_psql_sends, sent_statements

VARIABLE = re.compile(r""":(?:[A-Za-z_][A-Za-z0-9_]*|'[A-Za-z0-9_]+'|"[A-Za-z0-9_]+")""")

#: Meta-commands whose effect on what psql sends depends on run-time results.
FLOW_META = re.compile(rb"^\s*\\(if|elif|gset)\b", re.MULTILINE)


@dataclass
class Expected:
    text: str
    #: A statement psql builds itself (``\\copy``): only its first word is known.
    prefix_only: bool = False
    #: For COPY: where its data starts in the input split.
    copy_data_start: int | None = None


def pgsplit_expected(pgsplit_bin: Path, data: bytes, base: int = 0) -> list[Expected]:
    out = subprocess.run(
        [str(pgsplit_bin), "split", "-", "--format", "jsonl", "--compat", "psql"],
        input=data,
        capture_output=True,
        check=True,
    ).stdout
    expected = []
    for line in out.splitlines():
        statement = json.loads(line)
        if statement["kind"] == "copy":
            start = base + statement["copy_data"]["start"]
            expected.append(Expected(as_psql_sends(statement["text"]), copy_data_start=start))
        elif statement["kind"] == "sql":
            expected.append(Expected(as_psql_sends(statement["text"])))
        elif statement["tag"] == "\\copy":
            expected.append(Expected("COPY", prefix_only=True))
    return expected


def matches(expected: Expected, sent: str) -> bool:
    if expected.prefix_only:
        return sent.upper().startswith(expected.text)
    if expected.text == sent:
        return True
    if not VARIABLE.search(expected.text):
        return False
    pattern = "".join(
        ".*?" if VARIABLE.fullmatch(piece) else re.escape(piece)
        for piece in re.split(f"({VARIABLE.pattern})", expected.text)
        if piece
    )
    return re.fullmatch(pattern, sent, re.DOTALL) is not None


@dataclass
class Agreement:
    name: str
    psql: int
    pgsplit: int
    agreed: int
    first_difference: str

    @property
    def identical(self) -> bool:
        return self.psql == self.pgsplit == self.agreed


def compare(cluster: Cluster, pgsplit_bin: Path, path: Path, label: str) -> Agreement:
    database = cluster.create_database("oracle")
    app = f"pgsplit-oracle-{database}"
    try:
        cluster.run_psql(path, database, app)
        sent = sent_statements(cluster.wait_for_log(app))
    finally:
        cluster.drop_database(database)
    data = path.read_bytes()
    expected = pgsplit_expected(pgsplit_bin, data)
    agreed = 0
    while agreed < min(len(expected), len(sent)):
        want, got = expected[agreed], sent[agreed]
        if not matches(want, as_psql_sends(got.text)):
            break
        if want.copy_data_start is not None and got.rejected_before_data:
            rest = pgsplit_expected(pgsplit_bin, data[want.copy_data_start :], want.copy_data_start)
            expected = expected[: agreed + 1] + rest
        agreed += 1
    difference = ""
    if agreed < max(len(expected), len(sent)):
        want_text = expected[agreed].text if agreed < len(expected) else "<nothing>"
        got_text = as_psql_sends(sent[agreed].text) if agreed < len(sent) else "<nothing>"
        difference = f"#{agreed + 1}: pgsplit {want_text[:160]!r} / psql {got_text[:160]!r}"
    return Agreement(label, len(sent), len(expected), agreed, difference)


def report(rows: list[Agreement], title: str) -> str:
    lines = [f"### {title}", "", "| file | psql sent | pgsplit | agree |", "|---|---:|---:|---|"]
    for row in rows:
        verdict = "yes" if row.identical else f"no: {row.first_difference}"
        lines.append(f"| {row.name} | {row.psql} | {row.pgsplit} | {verdict} |")
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
    rows = [compare(pg18, pgsplit_bin, path, path.name) for path in files]
    text = report(rows, "pg_dump 15 files")
    assert all(row.identical for row in rows), text


def eligible_regression_scripts(corpus: Path) -> list[Path]:
    scripts = sorted((corpus / "postgres-regress").glob("*/*.sql"))
    return [path for path in scripts if not FLOW_META.search(path.read_bytes())]


def test_regression_scripts_split_as_psql_sends_them(pg18: Cluster, pgsplit_bin: Path, corpus: Path) -> None:
    scripts = eligible_regression_scripts(corpus)
    assert len(scripts) > 150, f"only {len(scripts)} eligible regression scripts found"
    rows = [compare(pg18, pgsplit_bin, path, f"{path.parent.name}/{path.name}") for path in scripts]
    text = report(rows, f"PostgreSQL regression scripts without \\if or \\gset ({len(rows)})")
    differing = [row for row in rows if not row.identical]
    assert not differing, text
