"""``pgsplit check --target alembic`` and ``execute_file(..., dry_run=True)``
read one plan: the errors check prints are exactly the refusals PlanError
names, on generated scripts and on every file of the corpus."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT
from pgsplit.alembic import PlanError, execute_file

ERROR_LINE = re.compile(r"^(?P<file>.*?):(?P<line>\d+):(?P<col>\d+): error: (?P<message>.*) \[(?P<code>[a-z0-9-]+)\]$")

Finding = tuple[int, int, str]

#: Scripts that hold each kind of refusal, and scripts that hold none.
GENERATED = {
    "sample dump": (PROJECT / "examples" / "sample_dump.sql").read_bytes(),
    "meta-commands": b"\\restrict k\nSELECT 1;\n\\connect other\n\\! id\n\\quit\n\\unrestrict k\n",
    "transactions": b"BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nVACUUM;\nCOMMIT;\n",
    "variables and programs": b"SELECT :v, :'w';\nCOPY t FROM PROGRAM 'id';\nCOPY t TO PROGRAM 'id';\n",
    "unusable text": b"SELECT 1;\nSELECT 'unterminated;\n",
    "NUL byte": b"SELECT 1;\nSELECT '\x00';\n",
    "not UTF-8": b"SELECT 1;\nSELECT '\xe9t\xe9';\n",
    "declared LATIN1": b"SET client_encoding = 'LATIN1';\nSELECT '\xe9t\xe9';\n",
    "unknown encoding": b"SET client_encoding = 'MULE_INTERNAL';\nSELECT 1;\n",
    "extension script guard": b'\\echo Use "CREATE EXTENSION x" to load this file. \\quit\nSELECT 1;\n',
    "clean": b"SET search_path = '';\nCREATE TABLE public.t (a int);\nCOPY public.t FROM stdin;\n1\n\\.\n",
}


def check_errors(pgsplit_bin: Path, path: Path) -> set[Finding]:
    command = [str(pgsplit_bin), "check", "--target", "alembic", "--max-per-code", "0", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, errors="replace")
    assert done.returncode in (0, 1), done.stderr
    found = {
        (int(m["line"]), int(m["col"]), m["message"])
        for m in map(ERROR_LINE.match, done.stdout.splitlines() + done.stderr.splitlines())
        if m
    }
    assert (done.returncode == 1) == bool(found), done.stdout + done.stderr
    return found


def plan_refusals(path: Path) -> set[Finding]:
    try:
        execute_file(path, dry_run=True)
    except PlanError as error:
        return {(f.line, f.col, f.message) for f in error.findings}
    return set()


@pytest.mark.parametrize("name", GENERATED, ids=list(GENERATED))
def test_check_and_dry_run_agree_on_generated_scripts(tmp_path: Path, pgsplit_bin: Path, name: str) -> None:
    path = tmp_path / "script.sql"
    path.write_bytes(GENERATED[name])
    checked, planned = check_errors(pgsplit_bin, path), plan_refusals(path)
    assert checked == planned
    if name != "clean" and name != "sample dump" and name != "declared LATIN1":
        assert planned, f"{name}: a script that cannot run as it stands"


def test_check_and_dry_run_agree_on_every_corpus_file(pgsplit_bin: Path, corpus: Path) -> None:
    files = sorted(corpus.rglob("*.sql"))
    assert len(files) > 100, "the whole corpus"
    disagree = {}
    refused = 0
    for path in files:
        checked, planned = check_errors(pgsplit_bin, path), plan_refusals(path)
        refused += bool(planned)
        if checked != planned:
            disagree[str(path.relative_to(corpus))] = (sorted(checked - planned)[:3], sorted(planned - checked)[:3])
    assert not disagree, disagree
    assert refused > 0, "some corpus files hold what a migration cannot run"
