"""Every finding has one stable code, the same on the command line and in
Python: ``pgsplit check --format json`` and ``Script.diagnostics`` agree on
every corpus file."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pgsplit


def _check_findings(pgsplit_bin: Path, path: Path) -> Counter[tuple[str, int, int, str, str]]:
    out = subprocess.run(
        [str(pgsplit_bin), "check", "--format", "json", "--max-per-code", "0", str(path)],
        capture_output=True,
        check=False,
    ).stdout
    findings = [json.loads(line) for line in out.splitlines()]
    return Counter((f["code"], f["line"], f["col"], f["level"], f["message"]) for f in findings)


def test_python_diagnostics_carry_the_codes_check_prints(pgsplit_bin: Path, tmp_path: Path) -> None:
    path = tmp_path / "findings.sql"
    path.write_bytes(b"select :x;\n\\g\nselect (1;\n")
    script = pgsplit.parse_file(path)
    assert [d.code for d in script.diagnostics] == [
        "psql-variable",
        "resends-previous-query",
        "unclosed-parenthesis",
        "missing-semicolon",
    ]
    printed = _check_findings(pgsplit_bin, path)
    for d in script.diagnostics:
        assert printed[(d.code, d.line, d.col, d.severity, d.message)] == 1


def test_every_corpus_file_has_the_same_codes_in_check_and_in_python(pgsplit_bin: Path, corpus: Path) -> None:
    files = sorted(p for p in corpus.rglob("*.sql") if p.is_file())
    assert files, f"no .sql files under {corpus}"
    compared = 0
    for path in files:
        printed = _check_findings(pgsplit_bin, path)
        ours = Counter((d.code, d.line, d.col, d.severity, d.message) for d in pgsplit.parse_file(path).diagnostics)
        # check adds its own findings about statements; the splitter's are all among them.
        assert not ours - printed, path
        compared += sum(ours.values())
    assert compared > 100, "the corpus has splitter findings to compare"
