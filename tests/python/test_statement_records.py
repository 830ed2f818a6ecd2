"""The statements Python builds agree, field by field, with what the command
line reports for the same file: one split, two faces.

``parse_file`` keeps statements in a compact native table and makes each
``Statement`` when it is first read; this checks that every field survives
that on real dumps, generated ones and inputs that exercise the rare fields
(meta-commands, COPY blocks of a compound, psql variables, invalid UTF-8).
"""

from __future__ import annotations

import json
import pickle
import subprocess
from pathlib import Path
from typing import Any

import pytest

import pgsplit

RARE_FIELDS = (
    b"-- Name: t; Type: TABLE; Schema: public; Owner: alice\n"
    b"CREATE TABLE t (a int);\n"
    b"COPY t FROM stdin;\n1\n\\.\n"
    b"\\restrict key\n"
    b"select :x, :'y';\n"
    b"COPY t FROM stdin \\; COPY t FROM stdin;\n2\n\\.\n3\n\\.\n"
    b"SELECT '\xff';\n"
)


def _cli_records(pgsplit_bin: Path, path: Path) -> list[dict[str, Any]]:
    out = subprocess.run(
        [str(pgsplit_bin), "split", "--format", "jsonl", str(path)], capture_output=True, check=False
    ).stdout
    return [json.loads(line) for line in out.splitlines()]


def _python_records(path: Path) -> list[dict[str, Any]]:
    records = []
    for s in pgsplit.parse_file(path):
        record: dict[str, Any] = {
            "n": s.n,
            "kind": s.kind,
            "tag": s.tag,
            "line": s.line,
            "col": s.col,
            "end_line": s.end_line,
            "start": s.start,
            "end": s.end,
            "text": s.text,
        }
        if s.copy_spans:
            # The command line names the first data block of a `\;` compound.
            record["copy_data"] = {"start": s.copy_spans[0][0], "end": s.copy_spans[0][1]}
        if s.toc:
            record["toc"] = s.toc._asdict()
        if s.variables:
            record["variables"] = [{"start": a, "end": b} for a, b in s.variables]
        records.append(record)
    return records


_FIELDS = ("n", "kind", "tag", "line", "col", "end_line", "start", "end", "text", "copy_data", "toc", "variables")


def _comparable(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if key in _FIELDS}


def _agree(pgsplit_bin: Path, path: Path) -> int:
    cli = [_comparable(r) for r in _cli_records(pgsplit_bin, path)]
    python = [_comparable(r) for r in _python_records(path)]
    assert len(python) == len(cli), path
    for ours, theirs in zip(python, cli, strict=True):
        assert ours == theirs, path
    return len(cli)


def test_rare_fields_survive_the_table(pgsplit_bin: Path, tmp_path: Path) -> None:
    path = tmp_path / "rare.sql"
    path.write_bytes(RARE_FIELDS)
    assert _agree(pgsplit_bin, path) == 6
    script = pgsplit.parse_file(path)
    assert script[0].toc == pgsplit.Toc("t", "TABLE", "public", "alice")
    assert script[2].meta == pgsplit.MetaCommand("restrict", "key")
    assert len(script[4].copy_blocks) == 2
    assert script[-1].text == "SELECT '\ufffd';"


def test_statements_are_made_once_and_in_any_order(tmp_path: Path) -> None:
    path = tmp_path / "rare.sql"
    path.write_bytes(RARE_FIELDS)
    script = pgsplit.parse_file(path)
    last, first = script[-1], script[0]
    assert script[-1] is last and script[0] is first
    assert [s.n for s in script] == list(range(1, len(script) + 1))
    assert [s.n for s in script[1:3]] == [2, 3]
    with pytest.raises(IndexError):
        script[len(script)]


def test_a_parsed_script_pickles_and_compares_equal(tmp_path: Path) -> None:
    path = tmp_path / "rare.sql"
    path.write_bytes(RARE_FIELDS)
    script = pgsplit.parse_file(path)
    again = pickle.loads(pickle.dumps(script))
    assert again == script == pgsplit.parse_file(path)
    assert again[1].copy_data == b"1\n"
    assert hash(again) == hash(script)


def test_every_corpus_file_agrees_with_the_command_line(pgsplit_bin: Path, corpus: Path) -> None:
    files = sorted(p for p in corpus.rglob("*.sql") if p.is_file())
    assert files, f"no .sql files under {corpus}"
    statements = sum(_agree(pgsplit_bin, path) for path in files)
    assert statements > 10_000


def test_a_large_generated_dump_agrees_with_the_command_line(pgsplit_bin: Path, tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[2] / "examples" / "sample_dump.sql"
    big = tmp_path / "big.sql"
    big.write_bytes(sample.read_bytes() * 1000)
    assert big.stat().st_size > 2 << 20, "large enough to be split in parallel chunks"
    assert _agree(pgsplit_bin, big) > 10_000


def test_the_native_fields_are_the_statement_fields(tmp_path: Path) -> None:
    import dataclasses

    from pgsplit import _native

    table, _ = _native.parse(RARE_FIELDS, "default")
    named = {f.name for f in dataclasses.fields(pgsplit.Statement)} - {"_buffer"}
    for index in range(len(table)):
        assert set(table.fields(index)) == named
    with pytest.raises(IndexError):
        table.fields(len(table))
