"""The Python API keeps Python's conventions: paths and text told apart, wrong
types are TypeErrors, OS errors are the usual subclasses, exceptions pickle,
objects print as users expect, options are checked by type and by value."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import pgsplit
from conftest import PROJECT
from pgsplit.alembic import PlanError, PlanFinding, StatementError, execute_file, execute_sql

SAMPLE = PROJECT / "examples" / "sample_dump.sql"


def test_a_path_is_a_file_and_a_str_is_sql(tmp_path: Path) -> None:
    a, b = tmp_path / "a.sql", tmp_path / "b.sql"
    a.write_text("CREATE TABLE t (a int);\n")
    b.write_text("CREATE TABLE t (a bigint);\n")
    assert not pgsplit.diff(a, b).identical
    assert pgsplit.diff(a, a.read_text()).identical
    assert pgsplit.normalize(a) == pgsplit.normalize(a.read_text())
    with pytest.raises(AssertionError, match="TABLE"):
        pgsplit.assert_same_schema(a, b)


@pytest.mark.parametrize("call", ["diff", "normalize", "assert_same_schema"])
def test_a_str_that_can_only_be_a_path_is_a_type_error(tmp_path: Path, call: str) -> None:
    existing = tmp_path / "dump.sql"
    existing.write_text("SELECT 1;\n")
    for name in (str(existing), "missing.sql", "dump.sql.gz"):
        arguments = (name,) if call == "normalize" else (name, "SELECT 1;")
        with pytest.raises(TypeError, match=r"pass pathlib\.Path") as raised:
            getattr(pgsplit, call)(*arguments)
        assert call in str(raised.value)


def test_missing_files_are_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "missing.sql"
    with pytest.raises(FileNotFoundError) as raised:
        pgsplit.diff(missing, tmp_path / "also-missing.sql")
    assert raised.value.filename == str(missing)
    with pytest.raises(FileNotFoundError):
        pgsplit.normalize(missing)
    with pytest.raises(IsADirectoryError):
        pgsplit.normalize(tmp_path)


@pytest.mark.parametrize(
    "call",
    [
        lambda: pgsplit.parse(None),  # type: ignore[arg-type]
        lambda: pgsplit.parse(3),  # type: ignore[arg-type]
        lambda: pgsplit.parse(Path("x.sql")),  # type: ignore[arg-type]
        lambda: pgsplit.parse_file(3),  # type: ignore[arg-type]
        lambda: pgsplit.parse_file(SAMPLE, jobs="2"),  # type: ignore[arg-type]
        lambda: pgsplit.parse("SELECT 1;", compat=1),  # type: ignore[arg-type]
        lambda: pgsplit.normalize(3),  # type: ignore[arg-type]
        lambda: pgsplit.normalize("SELECT 1;", ignore="owner"),  # type: ignore[arg-type]
        lambda: pgsplit.diff(None, "SELECT 1;"),  # type: ignore[arg-type]
        lambda: execute_sql(3),  # type: ignore[arg-type]
        lambda: execute_file(None),  # type: ignore[arg-type]
    ],
)
def test_wrong_types_are_type_errors(call: object) -> None:
    with pytest.raises(TypeError):
        call()  # type: ignore[operator]


def test_unknown_options_name_the_public_function() -> None:
    with pytest.raises(TypeError, match=r"execute_file\(\) got an unexpected keyword argument 'autocomit'"):
        execute_file(SAMPLE, autocomit=True)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"execute_sql\(\) got an unexpected keyword argument"):
        execute_sql("SELECT 1;", non_transactionl="autocommit")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match='non_transactional must be one of "error" "autocommit"'):
        execute_sql("SELECT 1;", non_transactional="autocomit", dry_run=True)  # type: ignore[arg-type]


def test_mypy_catches_a_misspelt_option(tmp_path: Path) -> None:
    migration = tmp_path / "migration.py"
    migration.write_text(
        "from pgsplit.alembic import execute_file\n\n"
        "def upgrade() -> None:\n"
        '    execute_file("001_initial_schema.sql", non_transactional="autocomit")\n'
    )
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(migration)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert 'Argument "non_transactional" to "execute_file" has incompatible type' in checked.stdout


def test_exceptions_pickle() -> None:
    script = pgsplit.parse("CREATE TABLE t (a int);\n")
    errors: list[BaseException] = [
        pgsplit.SplitError("unterminated quoted string", line=2, col=3, source="a.sql"),
        PlanError((PlanFinding("meta-command", "a.sql", 1, 1, "psql meta-command"),)),
        StatementError(
            path="a.sql",
            n=1,
            total=1,
            line=1,
            col=14,
            message='relation "t" already exists',
            sqlstate="42P07",
            statement=script[0],
            source_line="CREATE TABLE t (a int);",
            caret_col=14,
        ),
        pgsplit.FileChangedError("a.sql", "it is shorter"),
    ]
    for error in errors:
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error)
        assert str(again) == str(error)
        assert again.__dict__ == error.__dict__
    plan = pickle.loads(pickle.dumps(errors[1]))
    assert isinstance(plan, PlanError) and plan.findings[0].code == "meta-command"


def test_statements_and_scripts_print_as_users_expect() -> None:
    script = pgsplit.parse_file(SAMPLE)
    assert str(script[3]) == script[3].text
    assert repr(script) == f"<Script {SAMPLE}: {len(script)} statements, 0 diagnostics>"
    head = script[:3]
    assert isinstance(head, pgsplit.Script) and len(head) == 3
    assert head.source == script.source and head[0] == script[0]


def test_dry_run_names_every_refusal_with_attributes(tmp_path: Path) -> None:
    script = tmp_path / "m.sql"
    script.write_text(
        "\\restrict k\n"
        "SET search_path = '';\n"
        "\\connect other\n"
        "BEGIN;\n"
        "CREATE INDEX CONCURRENTLY i ON t (a);\n"
        "SELECT :var;\n"
        "COPY t FROM PROGRAM 'id';\n"
        "\\unrestrict k\n"
    )
    with pytest.raises(PlanError) as raised:
        execute_file(script, dry_run=True)
    found = [(f.code, f.line, f.col) for f in raised.value.findings]
    assert found == [
        ("meta-command", 3, 1),
        ("transaction-control", 4, 1),
        ("non-transactional", 5, 1),
        ("psql-variable", 6, 8),
        ("copy-program", 7, 1),
    ]
    assert all(f.path == str(script) for f in raised.value.findings)
    with pytest.raises(PlanError) as raised:
        execute_file(script, meta="skip", transaction_control="skip", non_transactional="autocommit", dry_run=True)
    assert [f.code for f in raised.value.findings] == ["psql-variable", "copy-program"], "no option allows these"


def test_an_extension_scripts_quit_guard_is_refused_or_skipped(tmp_path: Path) -> None:
    """psql stops at the guard; the server strips it when CREATE EXTENSION
    runs the script. execute_file refuses it with the other meta-commands, and
    with meta="skip" runs what follows."""
    script = tmp_path / "demo--1.0.sql"
    guard = '\\echo Use "CREATE EXTENSION demo" to load this file. \\quit\n'
    script.write_text(guard + "CREATE FUNCTION demo() RETURNS int LANGUAGE sql AS 'SELECT 1';\n")
    with pytest.raises(PlanError) as raised:
        execute_file(script, dry_run=True)
    quit_col = guard.index("\\quit") + 1
    assert [(f.code, f.line, f.col) for f in raised.value.findings] == [
        ("meta-command", 1, 1),
        ("meta-command", 1, quit_col),
    ]
    assert "\\quit" in raised.value.findings[1].message
    planned = execute_file(script, meta="skip", dry_run=True)
    assert [s.text for s in planned] == ["CREATE FUNCTION demo() RETURNS int LANGUAGE sql AS 'SELECT 1';"]


def test_bytes_in_a_declared_encoding_are_decoded_and_invalid_ones_refused(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.sql"
    latin1.write_bytes("SET client_encoding = 'LATIN1';\nINSERT INTO t VALUES ('café');\n".encode("latin-1"))
    planned = execute_file(latin1, dry_run=True)
    assert [s.text for s in planned] == ["INSERT INTO t VALUES ('café');"]
    undeclared = tmp_path / "undeclared.sql"
    undeclared.write_bytes("SELECT 1;\nINSERT INTO t VALUES ('café');\n".encode("latin-1"))
    with pytest.raises(PlanError) as raised:
        execute_file(undeclared, dry_run=True)
    assert [(f.code, f.line) for f in raised.value.findings] == [("not-utf8", 2)]
    cp1252 = tmp_path / "cp1252.sql"
    cp1252.write_bytes(b"SET client_encoding = 'WIN1252';\nSELECT '\x81';\n")
    with pytest.raises(PlanError) as raised:
        execute_file(cp1252, dry_run=True)
    assert [(f.code, f.line, f.col) for f in raised.value.findings] == [("invalid-encoding", 2, 9)]
    utf16 = tmp_path / "utf16.sql"
    utf16.write_bytes("SELECT 1;\n".encode("utf-16"))
    with pytest.raises(PlanError, match="UTF-16"):
        execute_file(utf16, dry_run=True)
