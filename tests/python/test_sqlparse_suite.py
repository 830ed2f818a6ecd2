"""sqlparse's own split tests, run against ``pgsplit.split``.

``pgsplit.split`` claims to be a drop-in for ``sqlparse.split``. The proof is
sqlparse's test suite: this test downloads sqlparse's sdist (the version
pinned below, checked against its SHA-256, so the result is reproducible),
unpacks it, and runs its whole suite in a subprocess with ``sqlparse.split``
swapped for ``pgsplit.split`` (the plugin ``sqlparse_swap.py``). The tests
that call ``split`` are the ones that count; sqlparse itself, imported from
the sdist, serves every other import of the test files.

The cases that still fail are listed in ``DIFFERENCES``, each with its
reason, and the README lists them too. The list must stay true: the test
fails when a case not on it fails, and when a case on it passes.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

SQLPARSE_VERSION = "0.6.1"
SDIST_SHA256 = "ca722573f848ff2d30e40ea30f53a104b7dea7635ea9285891263eb2c58fb6e7"

HERE = Path(__file__).parent

#: How many of the pinned version's tests call ``split``: another count means
#: the swap missed some, or that this is another version of the suite.
SPLIT_TESTS = 35


def _body(dialect: str) -> str:
    return (
        f"{dialect} writes a body as BEGIN ... END without quotes; PostgreSQL quotes it ($$...$$) "
        "or writes BEGIN ATOMIC, and psql ends the statement at the body's first ';'"
    )


MYSQL_ROUTINE = _body("a MySQL procedure or function")
SCRIPTING_BLOCK = (
    "an anonymous BEGIN ... END block of Snowflake or BigQuery scripting: PostgreSQL's is DO $$...$$, "
    "a bare BEGIN starts a transaction, and psql ends the statement at the first ';' inside"
)
TSQL_GO = "T-SQL's GO batch separator: in PostgreSQL GO is a word, and psql sends it with the next statement"

#: sqlparse's split tests that ``pgsplit.split`` fails, as pytest names them,
#: and why. Each is a case of another database's syntax; where sqlparse's
#: tests are about PostgreSQL, pgsplit agrees with them.
DIFFERENCES: dict[str, str] = {
    "tests/test_regressions.py::test_issue193_splitting_function": MYSQL_ROUTINE,
    "tests/test_regressions.py::test_issue194_splitting_function": MYSQL_ROUTINE,
    "tests/test_split.py::test_split_casewhen_procedure": MYSQL_ROUTINE,
    "tests/test_split.py::test_split_mysql_handler_for": MYSQL_ROUTINE,
    "tests/test_split.py::test_split_strip_semicolon_procedure": MYSQL_ROUTINE,
    "tests/test_split.py::test_split_go[USE foo;\\nGO\\nSELECT 1;\\nGO-4]": TSQL_GO,
    "tests/test_split.py::test_split_go[USE foo;\\nGO 2\\nSELECT 1;-3]": TSQL_GO,
    "tests/test_split.py::test_split_multiple_case_in_begin": _body("SQLite's CREATE TRIGGER"),
    "tests/test_split.py::test_split_if_exists_in_begin_end": _body("Snowflake's CREATE TASK"),
    "tests/test_split.py::test_split_begin_end_semicolons": _body("an inline routine (WITH FUNCTION, as in Trino)"),
    "tests/test_split.py::test_split_begin_end_procedure": _body("a BigQuery procedure"),
    "tests/test_split.py::test_split_anonymous_begin_end_for": SCRIPTING_BLOCK,
    "tests/test_split.py::test_split_anonymous_begin_end_case_inline": SCRIPTING_BLOCK,
    "tests/test_split.py::test_split_for_update_in_begin_end": SCRIPTING_BLOCK,
    "tests/test_split.py::test_split_multiple_for_loops_in_begin_end": SCRIPTING_BLOCK,
    "tests/test_split.py::test_split_procedural_case_end_case": SCRIPTING_BLOCK,
}


@pytest.fixture(scope="module")
def sqlparse_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sqlparse's sdist, downloaded and unpacked; skips when it cannot be downloaded."""
    downloads = tmp_path_factory.mktemp("sqlparse-sdist")
    fetched = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--dest",
            str(downloads),
            f"sqlparse=={SQLPARSE_VERSION}",
        ],
        capture_output=True,
        text=True,
    )
    sdists = list(downloads.glob("sqlparse-*.tar.gz"))
    if fetched.returncode != 0 or not sdists:
        reason = (fetched.stderr.strip().splitlines() or ["no sdist"])[-1]
        pytest.skip(f"cannot download sqlparse {SQLPARSE_VERSION}'s sdist from PyPI (offline?): {reason}")
    sdist = sdists[0]
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    assert digest == SDIST_SHA256, f"{sdist.name} is not the sdist this test pins (sha256 {digest})"
    with tarfile.open(sdist) as archive:
        archive.extractall(downloads, filter="data")
    return downloads / f"sqlparse-{SQLPARSE_VERSION}"


def split_results(tree: Path, report: Path) -> dict[str, dict[str, object]]:
    """What each test of sqlparse's suite did, with pgsplit's split in place of sqlparse's."""
    env = {
        **os.environ,
        # sqlparse from the sdist, the plugin from here.
        "PYTHONPATH": os.pathsep.join([str(tree), str(HERE)]),
        "PGSPLIT_SQLPARSE_REPORT": str(report),
    }
    run = subprocess.run(
        # sqlparse's own configuration file, so that no pytest configuration
        # further up (this project's, with a --basetemp inside it) applies.
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-c",
            "pyproject.toml",
            "-p",
            "no:cacheprovider",
            "-p",
            "sqlparse_swap",
            "tests",
        ],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    assert report.exists(), f"sqlparse's suite did not run:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    results: dict[str, dict[str, object]] = json.loads(report.read_text())
    return {test: result for test, result in results.items() if result["split"]}


def test_sqlparse_split_tests_pass_but_for_the_listed_differences(sqlparse_tree: Path, tmp_path: Path) -> None:
    results = split_results(sqlparse_tree, tmp_path / "report.json")
    assert len(results) == SPLIT_TESTS, f"{len(results)} of sqlparse's tests called split, not {SPLIT_TESTS}"
    failed = {test: str(result["error"]) for test, result in results.items() if result["outcome"] == "failed"}
    unexpected = {test: error for test, error in failed.items() if test not in DIFFERENCES}
    now_passing = sorted(test for test in DIFFERENCES if test in results and test not in failed)
    gone = sorted(test for test in DIFFERENCES if test not in results)
    problems = [f"fails, and is not in DIFFERENCES: {test}\n    {error}" for test, error in unexpected.items()]
    problems += [f"passes now: take it out of DIFFERENCES and the README: {test}" for test in now_passing]
    problems += [f"did not run (renamed?): {test}" for test in gone]
    assert not problems, "\n".join(problems)
