"""A pytest plugin that runs sqlparse's own tests with ``pgsplit.split`` in
place of ``sqlparse.split``.

``test_sqlparse_suite.py`` runs pytest on sqlparse's unpacked sdist with
``-p sqlparse_swap``. The swap happens when pytest starts, before sqlparse's
test modules are imported, so ``from sqlparse import split`` would get
pgsplit's too. For each test the plugin records its outcome and whether it
called ``split`` at all: most of sqlparse's tests are about its parser and
formatter, which pgsplit does not replace, and only those that split are
pgsplit's to pass. The record goes, as JSON, to the file that
``PGSPLIT_SQLPARSE_REPORT`` names.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import sqlparse

import pgsplit

#: Calls of ``split`` in the test that is running.
_calls = 0
#: Test id -> {"outcome": "passed" | "failed" | "skipped", "split": bool, "error": str}.
_results: dict[str, dict[str, object]] = {}


def _split(sql: str | bytes, encoding: str | None = None, strip_semicolon: bool = False) -> list[str]:
    global _calls
    _calls += 1
    return pgsplit.split(sql, encoding, strip_semicolon)


def pytest_configure(config: pytest.Config) -> None:
    sqlparse.split = _split


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    global _calls
    _calls = 0


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # A test's outcome is its call's, or its setup's when that failed or skipped.
    if report.when == "call" or (report.when == "setup" and not report.passed):
        _results[report.nodeid] = {
            "outcome": report.outcome,
            "split": _calls > 0,
            "error": _first_error_line(report.longreprtext) if report.failed else "",
        }


def _first_error_line(longrepr: str) -> str:
    lines = longrepr.strip().splitlines() or [""]
    return next((line for line in lines if line.startswith("E ")), lines[-1])


def pytest_sessionfinish(session: pytest.Session) -> None:
    Path(os.environ["PGSPLIT_SQLPARSE_REPORT"]).write_text(json.dumps(_results, indent=1))
