"""The pgsplit Python package: the names and behaviour of INTERFACES.md."""

from __future__ import annotations

import dataclasses
import gzip
import subprocess
import sys
import threading
import typing
from pathlib import Path

import pytest

import pgsplit
from conftest import PROJECT

SAMPLE = PROJECT / "examples" / "sample_dump.sql"


def test_split_is_a_drop_in_for_sqlparse_split() -> None:
    assert pgsplit.split("SELECT ';' AS a; SELECT 2;") == ["SELECT ';' AS a;", "SELECT 2;"]
    assert pgsplit.split(b"SELECT 1") == ["SELECT 1"]
    assert pgsplit.split("") == []


def test_split_keeps_the_comments_that_belong_to_a_statement() -> None:
    sql = "-- first\nSELECT 1; -- one\n\n-- second\nSELECT 2;\n-- the end\n"
    assert pgsplit.split(sql) == ["-- first\nSELECT 1; -- one", "-- second\nSELECT 2;"]


def test_split_leaves_out_empty_statements_and_whitespace() -> None:
    assert pgsplit.split("  SELECT 1;;\n;\n\n  SELECT 2 ;  \n\n") == ["SELECT 1;", "SELECT 2 ;"]
    assert pgsplit.split(" ;\n-- nothing\n") == []


def test_split_strip_semicolon_drops_the_terminator() -> None:
    sql = "SELECT ';' ;\nSELECT 2; -- two\nCOPY t FROM stdin;\n1\n\\.\nSELECT 3 -- no end;"
    assert pgsplit.split(sql, strip_semicolon=True) == [
        "SELECT ';'",
        "SELECT 2 -- two",
        "COPY t FROM stdin;\n1\n\\.",
        "SELECT 3 -- no end;",
    ]
    assert pgsplit.split(sql, None, True) == pgsplit.split(sql, strip_semicolon=True)


def test_split_decodes_bytes_with_the_encoding() -> None:
    sql = "SELECT 'caf\u00e9'; SELECT '\u0436';"
    assert pgsplit.split(sql.encode("utf-16"), encoding="utf-16") == ["SELECT 'caf\u00e9';", "SELECT '\u0436';"]
    assert pgsplit.split(sql.encode("utf-8"), "utf-8") == ["SELECT 'caf\u00e9';", "SELECT '\u0436';"]
    with pytest.raises(UnicodeDecodeError):
        pgsplit.split(b"SELECT '\xe9';", encoding="utf-8")
    with pytest.raises(LookupError):
        pgsplit.split(b"SELECT 1;", encoding="no-such-codec")
    # As in sqlparse, a str is already text.
    assert pgsplit.split("SELECT 1;", encoding="no-such-codec") == ["SELECT 1;"]


def test_split_reads_bytes_that_are_not_utf8_as_latin1() -> None:
    # sqlparse's fallback, without its unicode-escape rewriting of \N and \restrict.
    sql = b"SELECT 'caf\xe9';\nCOPY t FROM stdin;\n\\N\n\\.\n"
    assert pgsplit.split(sql) == ["SELECT 'caf\u00e9';", "COPY t FROM stdin;\n\\N\n\\."]
    assert pgsplit.split(bytearray(b"SELECT 1;")) == ["SELECT 1;"]


@pytest.mark.parametrize("sql", [None, 3, 1.5, ["SELECT 1;"], object()])
def test_split_of_a_wrong_type_is_a_type_error(sql: object) -> None:
    with pytest.raises(TypeError, match="sql must be str or bytes"):
        pgsplit.split(sql)  # type: ignore[arg-type]


def test_split_of_a_wrong_compat_type_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        pgsplit.split("SELECT 1;", compat=None)  # type: ignore[arg-type]


def test_split_keeps_copy_data_and_bodies() -> None:
    sql = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\nCOPY t FROM stdin;\n1;x\n\\.\n"
    assert pgsplit.split(sql) == [
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;",
        "COPY t FROM stdin;\n1;x\n\\.",
    ]


def test_compat_psql_reproduces_psql() -> None:
    sql = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT tb.begin FROM tb; END; SELECT 2;"
    assert len(pgsplit.split(sql)) == 2
    assert len(pgsplit.split(sql, compat="psql")) == 1


def test_bad_compat_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="compat"):
        pgsplit.split("SELECT 1", compat="mysql")  # type: ignore[arg-type]


def test_parse_gives_statement_metadata() -> None:
    script = pgsplit.parse(SAMPLE.read_bytes(), source=str(SAMPLE))
    assert len(script) == 33
    assert script.source == str(SAMPLE)
    first = script[0]
    key = "Q3dPx8Yk2mTz7LbVc1NsWq4HjRf6GaUe0KoIy5DnXpSvBt9MwZlEhCrAiOuJgFq"
    assert (first.kind, first.tag, first.meta) == ("meta", "\\restrict", pgsplit.MetaCommand("restrict", key))
    table = next(s for s in script if s.tag == "CREATE TABLE")
    assert table.toc == pgsplit.Toc("slots", "TABLE", "shop", "-")
    assert (table.line, table.col) == (65, 1)
    copy = next(s for s in script if s.kind == "copy")
    assert copy.text == "COPY shop.orders (id, customer, status, note, meta, updated_at) FROM stdin;"
    assert copy.copy_data is not None and copy.copy_data.startswith(b"1\tO'Brien; Sons")
    assert [s.n for s in script] == list(range(1, 34))


def test_transactional_flags() -> None:
    script = pgsplit.parse("CREATE INDEX CONCURRENTLY i ON t (a); BEGIN; SELECT 1;")
    assert [(s.transactional, s.transaction_control) for s in script] == [(False, False), (False, True), (True, False)]


def test_offsets_are_bytes_of_the_utf8_input() -> None:
    sql = "SELECT 'ünïcødé'; SELECT 2;"
    second = pgsplit.parse(sql)[1]
    assert sql.encode()[second.start : second.end] == b"SELECT 2;"


def test_strict_parse_raises_split_error_with_position() -> None:
    with pytest.raises(pgsplit.SplitError) as raised:
        pgsplit.parse("SELECT 1;\nSELECT 'open;\n", source="x.sql", strict=True)
    assert (raised.value.line, raised.value.col) == (2, 8)
    assert str(raised.value).startswith("x.sql:2:8: unterminated quoted string")
    assert isinstance(raised.value, ValueError)


def test_non_strict_parse_reports_diagnostics() -> None:
    script = pgsplit.parse("SELECT $$ open")
    assert [d.severity for d in script.errors] == ["error"]
    assert len(script) == 1


def test_parse_file_reads_gzip(tmp_path: Path) -> None:
    compressed = tmp_path / "sample.sql.gz"
    compressed.write_bytes(gzip.compress(SAMPLE.read_bytes()))
    plain = pgsplit.parse_file(SAMPLE)
    from_gzip = pgsplit.parse_file(compressed)
    assert [s.text for s in plain] == [s.text for s in from_gzip]
    assert from_gzip.source == str(compressed)


def test_parse_file_missing_is_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "missing.sql"
    with pytest.raises(FileNotFoundError) as raised:
        pgsplit.parse_file(missing)
    assert raised.value.filename == str(missing)
    with pytest.raises(IsADirectoryError):
        pgsplit.parse_file(tmp_path)


def test_the_gil_is_released_while_rust_splits() -> None:
    big = SAMPLE.read_bytes() * 3000
    inside = threading.Event()
    done = threading.Event()
    progress = 0

    def count() -> None:
        nonlocal progress
        while not done.is_set():
            if inside.is_set():
                progress += 1

    counter = threading.Thread(target=count)
    counter.start()
    inside.set()
    pgsplit.parse(big)
    inside.clear()
    done.set()
    counter.join()
    assert progress > 1000, "another thread could not run while pgsplit parsed"


def test_the_pgsplit_command_is_installed() -> None:
    bin_dir = Path(sys.executable).parent
    out = subprocess.run(
        [bin_dir / "pgsplit", "split", str(SAMPLE), "--format", "count"], capture_output=True, check=True
    )
    assert out.stdout == b"33\n"


def test_stubs_and_marker_ship_with_the_package() -> None:
    package = Path(pgsplit.__file__).parent
    assert (package / "py.typed").exists()
    assert (package / "_native.pyi").exists()


def test_parse_file_streams_copy_data_from_the_file(tmp_path: Path) -> None:
    dump = tmp_path / "dump.sql"
    dump.write_bytes(SAMPLE.read_bytes())
    script = pgsplit.parse_file(dump)
    copy = next(s for s in script if s.kind == "copy")
    chunks = list(copy.copy_chunks(size=16))
    assert all(len(chunk) <= 16 for chunk in chunks) and len(chunks) > 5
    assert b"".join(chunks) == copy.copy_data
    assert copy.copy_data is not None and copy.copy_data.startswith(b"1\tO'Brien; Sons")


def test_copy_data_of_a_file_truncated_after_parsing_is_an_error_not_a_crash(tmp_path: Path) -> None:
    dump = tmp_path / "dump.sql"
    dump.write_bytes(SAMPLE.read_bytes())
    copy = next(s for s in pgsplit.parse_file(dump) if s.kind == "copy")
    with dump.open("r+b") as file:
        file.truncate(copy.start)
    with pytest.raises(pgsplit.FileChangedError, match="changed after it was parsed") as raised:
        _ = copy.copy_data
    assert raised.value.filename == str(dump)
    with pytest.raises(pgsplit.FileChangedError):
        list(copy.copy_chunks())


def test_parse_file_gives_the_same_statements_on_any_number_of_threads(tmp_path: Path) -> None:
    big = tmp_path / "big.sql"
    big.write_bytes(Path(SAMPLE).read_bytes() * 600)
    assert big.stat().st_size > 2 << 20, "large enough to be split in parallel"
    one = pgsplit.parse_file(big, jobs=1)
    two = pgsplit.parse_file(big, jobs=2)
    assert len(one) == len(two) > 10_000
    assert [(s.start, s.end, s.tag, s.text) for s in one] == [(s.start, s.end, s.tag, s.text) for s in two]
    with pytest.raises(ValueError, match="jobs"):
        pgsplit.parse_file(big, jobs=0)


def test_the_ignore_values_are_the_native_list_and_the_type_names_them() -> None:
    named = tuple(value for literal in typing.get_args(pgsplit.Ignore) for value in typing.get_args(literal))
    assert pgsplit.IGNORE == named
    assert "column-order" in pgsplit.IGNORE
    assert len(pgsplit.IGNORE) == len(set(pgsplit.IGNORE)) > 5
    for value in pgsplit.IGNORE:
        pgsplit.normalize("SELECT 1;", ignore=[value])


def test_the_ignore_values_are_the_command_lines(pgsplit_bin: Path) -> None:
    help_text = subprocess.run([str(pgsplit_bin), "diff", "--help"], capture_output=True, text=True).stdout
    listed = help_text.split("comma-separated:", 1)[1].split("(", 1)[0]
    assert tuple(v.strip() for v in " ".join(listed.split()).split(",")) == pgsplit.IGNORE


def test_the_native_records_name_the_fields_of_the_public_classes() -> None:
    from pgsplit import _records

    assert list(_records.DiagnosticRecord.__annotations__) == list(pgsplit.Diagnostic._fields)
    assert list(_records.ChangeRecord.__annotations__) == [f.name for f in dataclasses.fields(pgsplit.Change)]
