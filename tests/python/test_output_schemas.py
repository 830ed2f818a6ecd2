"""The JSON Schemas in schemas/ hold what the command line really prints:
`split --format jsonl|json`, `check --format json`, `stats --format json` and
`diff --format json`, on scripts made here and on every corpus file.

The schemas forbid fields they do not describe (additionalProperties false),
so a field the command line starts printing fails here until the schema
describes it; the inputs made here reach every field a schema describes, so a
field the command line stops printing fails too.
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from conftest import PROJECT

SCHEMAS = PROJECT / "schemas"
SCHEMA_FILES = sorted(p.name for p in SCHEMAS.glob("*.schema.json"))

# A pg_dump-like script that reaches every optional field of split's records:
# header comments (toc), COPY rows (copy_data), a `\;` compound of two COPYs
# (more_copy_data), a psql variable (variables), a `\copy` meta-command with
# rows (after \unrestrict: psql refuses \copy in restricted mode), and
# pg_dump's \restrict lines.
DUMP = """\
--
-- PostgreSQL database dump
--

\\restrict k3y

SET statement_timeout = 0;
SET client_encoding = 'UTF8';

--
-- Name: users; Type: TABLE; Schema: public; Owner: alice
--

CREATE TABLE public.users (
    id integer NOT NULL,
    name text
);

--
-- Name: add_one(integer); Type: FUNCTION; Schema: public; Owner: alice
--

CREATE FUNCTION public.add_one(x integer) RETURNS integer
    LANGUAGE plpgsql
    AS $$ BEGIN RETURN x + 1; END; $$;

--
-- Data for Name: users; Type: TABLE DATA; Schema: public; Owner: alice
--

COPY public.users (id, name) FROM stdin;
1\tann; 'quoted'
2\t$$ not a quote $$
\\.

SELECT :'greeting' AS greeting;
COPY public.a FROM stdin \\; COPY public.b FROM stdin;
a1
\\.
b1
\\.

\\unrestrict k3y
\\copy public.users from stdin
3\tcid
\\.
"""

# The same dump changed: one object changed, one gone, one new.
OTHER_DUMP = DUMP.replace("name text", "name varchar(80)").replace(
    "SET statement_timeout = 0;\n", "CREATE TABLE public.extra (x int);\n"
)

# An error (the unterminated dollar quote) after warnings and notes.
BROKEN = "SELECT :x;\nBEGIN;\nCREATE FUNCTION f() RETURNS int AS $body$ SELECT 1;\n"

# Corpus files above this size are left out: the corpus part is to stay fast.
CORPUS_MAX_BYTES = 3_000_000
# How many pairs of corpus files diff compares.
CORPUS_DIFF_PAIRS = 12
# Validating is slow (about half a millisecond a record): of each shape of
# record in a file (its kind and fields), this many, spread over the file.
CORPUS_RECORDS_PER_SHAPE = 20


def load_schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / name).read_text())
    return schema


def schema_registry() -> Registry[Any]:
    """Every schema under its relative $id, so that split.schema.json's
    reference to split-record.schema.json resolves without a network."""
    resources = [(load_schema(name)["$id"], Resource.from_contents(load_schema(name))) for name in SCHEMA_FILES]
    return Registry().with_resources(resources)


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft202012Validator]:
    registry = schema_registry()
    made = {}
    for name in SCHEMA_FILES:
        schema = load_schema(name)
        Draft202012Validator.check_schema(schema)
        made[name] = Draft202012Validator(schema, registry=registry)
    return made


def problems(validator: Draft202012Validator, instance: object) -> list[str]:
    """What is wrong with `instance`, one line per error (empty: valid)."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(instance)]


def assert_valid(validator: Draft202012Validator, instance: object, where: str) -> None:
    found = problems(validator, instance)
    assert not found, f"{where}:\n" + "\n".join(found[:10])


def pgsplit(pgsplit_bin: Path, *args: str | Path, stdin: bytes | None = None, ok: tuple[int, ...] = (0,)) -> bytes:
    """pgsplit's standard output; its warnings on standard error are kept for
    the failure message only."""
    run = subprocess.run([str(pgsplit_bin), *map(str, args)], input=stdin, capture_output=True, check=False)
    assert run.returncode in ok, f"pgsplit {' '.join(map(str, args))}: exit {run.returncode}\n{run.stderr.decode()}"
    return run.stdout


def json_lines(out: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def written(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def property_paths(schema: dict[str, Any], at: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property a schema describes, with its path, nested ones and those
    of its $defs included."""
    for key, sub in schema.get("properties", {}).items():
        yield f"{at}{key}", sub
        yield from property_paths(sub, f"{at}{key}.")
        if isinstance(sub.get("items"), dict):
            yield from property_paths(sub["items"], f"{at}{key}[].")
    for key, sub in schema.get("$defs", {}).items():
        yield from property_paths(sub, f"{at}$defs.{key}.")


def object_schemas(schema: object) -> Iterator[dict[str, Any]]:
    """Every subschema that lists properties."""
    if isinstance(schema, dict):
        if "properties" in schema:
            yield schema
        for sub in schema.values():
            yield from object_schemas(sub)
    elif isinstance(schema, list):
        for sub in schema:
            yield from object_schemas(sub)


def codes_in_source() -> list[tuple[str, str]]:
    """The diagnostic codes of src/diagnostic.rs's `codes!` table, in order,
    each with its doc comment (the summary `Code::summary` gives)."""
    source = (PROJECT / "src" / "diagnostic.rs").read_text()
    table = source[source.index("codes! {") :]
    table = table[: table.index("\n}\n")]
    found = []
    for doc, code in re.findall(r'((?:^\s*///.*\n)+)\s*\w+ = "([a-z0-9-]+)",$', table, re.MULTILINE):
        summary = " ".join(line.strip().removeprefix("///").strip() for line in doc.strip().splitlines())
        found.append((code, summary))
    return found


# --- the schemas themselves ---------------------------------------------------


def test_there_is_a_schema_per_output() -> None:
    assert SCHEMA_FILES == [
        "check-finding.schema.json",
        "diff.schema.json",
        "split-record.schema.json",
        "split.schema.json",
        "stats.schema.json",
    ]


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_a_schema_is_draft_2020_12_with_a_relative_id_and_describes_every_field(name: str) -> None:
    schema = load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == name, "the $id is the file's own name, relative"
    assert schema.get("description"), f"{name} says nothing of what it describes"
    for path, sub in property_paths(schema):
        assert isinstance(sub.get("description"), str) and sub["description"].strip(), f"{name}: {path} is undescribed"
    for sub in object_schemas(schema):
        if sub.get("type") == "object":
            assert sub.get("additionalProperties") is False, f"{name}: {sorted(sub['properties'])} allows other fields"
            assert set(sub.get("required", [])) <= set(sub["properties"]), f"{name}: a required field is undescribed"


def test_the_finding_schema_lists_every_diagnostic_code_of_the_source_with_its_summary() -> None:
    choices = load_schema("check-finding.schema.json")["properties"]["code"]["anyOf"]
    source = codes_in_source()
    assert len(source) > 20, "src/diagnostic.rs's codes table was not read"
    assert [(choice["const"], choice["description"]) for choice in choices] == source


# --- split ----------------------------------------------------------------------


def split_records(pgsplit_bin: Path, tmp_path: Path, how: str) -> list[dict[str, Any]]:
    """split --format jsonl of DUMP, read as a mapped file, from standard input
    (the streaming path) or from a .gz file."""
    if how == "file":
        return json_lines(pgsplit(pgsplit_bin, "split", "--format", "jsonl", written(tmp_path, "dump.sql", DUMP)))
    if how == "stdin":
        return json_lines(pgsplit(pgsplit_bin, "split", "--format", "jsonl", "-", stdin=DUMP.encode()))
    compressed = tmp_path / "dump.sql.gz"
    compressed.write_bytes(gzip.compress(DUMP.encode()))
    return json_lines(pgsplit(pgsplit_bin, "split", "--format", "jsonl", compressed))


@pytest.mark.parametrize("how", ["file", "stdin", "gzip"])
def test_split_jsonl_records_match_the_schema_and_reach_every_field(
    pgsplit_bin: Path, tmp_path: Path, validators: dict[str, Draft202012Validator], how: str
) -> None:
    records = split_records(pgsplit_bin, tmp_path, how)
    assert len(records) > 5, "the dump was not split"
    for record in records:
        assert_valid(validators["split-record.schema.json"], record, f"record {record.get('n')}")
    seen = {key for record in records for key in record}
    described = set(load_schema("split-record.schema.json")["properties"])
    assert seen == described, f"never printed: {sorted(described - seen)}"
    assert {r["kind"] for r in records} == {"sql", "copy", "meta"}


def test_split_json_is_an_array_of_the_jsonl_records(
    pgsplit_bin: Path, tmp_path: Path, validators: dict[str, Draft202012Validator]
) -> None:
    dump = written(tmp_path, "dump.sql", DUMP)
    array = json.loads(pgsplit(pgsplit_bin, "split", "--format", "json", dump))
    assert_valid(validators["split.schema.json"], array, "split --format json")
    assert array == json_lines(pgsplit(pgsplit_bin, "split", "--format", "jsonl", dump))


def test_split_record_offsets_are_where_the_statement_is(pgsplit_bin: Path, tmp_path: Path) -> None:
    """What the schema cannot say: the spans point into the input."""
    data = DUMP.encode()
    for record in split_records(pgsplit_bin, tmp_path, "file"):
        assert record["start"] <= record["end"] <= len(data)
        assert record["line"] == data[: record["start"]].count(b"\n") + 1
        assert record["line"] <= record["end_line"]
        for span in [record.get("copy_data"), *record.get("more_copy_data", []), *record.get("variables", [])]:
            if span is not None:
                assert record["start"] <= span["start"] <= span["end"] <= record["end"], record
        for span in record.get("variables", []):
            assert data[span["start"] : span["end"]] == b":'greeting'"


# --- check, stats, diff ---------------------------------------------------------------


def test_check_findings_match_the_schema(
    pgsplit_bin: Path, tmp_path: Path, validators: dict[str, Draft202012Validator]
) -> None:
    dump, broken = written(tmp_path, "dump.sql", DUMP), written(tmp_path, "broken.sql", BROKEN)
    findings = json_lines(pgsplit(pgsplit_bin, "check", "--format", "json", dump, broken, ok=(1,)))
    findings += json_lines(pgsplit(pgsplit_bin, "check", "--format", "json", "-", stdin=BROKEN.encode(), ok=(1,)))
    for finding in findings:
        assert_valid(validators["check-finding.schema.json"], finding, json.dumps(finding))
    assert {f["level"] for f in findings} == {"error", "warning", "note"}
    assert {f["file"] for f in findings} == {str(dump), str(broken), "<stdin>"}
    dollar = BROKEN.splitlines()[2].index("$body$") + 1
    assert {"code": "unterminated-dollar-quote", "level": "error", "line": 3, "col": dollar}.items() <= next(
        f for f in findings if f["code"] == "unterminated-dollar-quote"
    ).items()


def test_stats_match_the_schema_and_count_what_split_prints(
    pgsplit_bin: Path, tmp_path: Path, validators: dict[str, Draft202012Validator]
) -> None:
    dump = written(tmp_path, "dump.sql", DUMP)
    (stats,) = json_lines(pgsplit(pgsplit_bin, "stats", "--format", "json", dump))
    assert_valid(validators["stats.schema.json"], stats, "stats")
    records = split_records(pgsplit_bin, tmp_path, "file")
    assert stats["statements"] == len(records) == sum(stats["by_kind"].values())
    assert stats["by_command"] == {tag: [r["tag"] for r in records].count(tag) for tag in {r["tag"] for r in records}}
    assert stats["bytes"] == len(DUMP.encode())
    (from_stdin,) = json_lines(pgsplit(pgsplit_bin, "stats", "--format", "json", "-", stdin=DUMP.encode()))
    assert_valid(validators["stats.schema.json"], from_stdin, "stats of standard input")


def test_diff_matches_the_schema_for_every_kind_of_change(
    pgsplit_bin: Path, tmp_path: Path, validators: dict[str, Draft202012Validator]
) -> None:
    a, b = written(tmp_path, "a.sql", DUMP), written(tmp_path, "b.sql", OTHER_DUMP)
    different = json.loads(pgsplit(pgsplit_bin, "diff", "--format", "json", a, b, ok=(1,)))
    assert_valid(validators["diff.schema.json"], different, "diff of two dumps")
    assert {c["kind"] for c in different["changes"]} == {"only_in_a", "only_in_b", "changed"}
    seen = {key for change in different["changes"] for key in change}
    assert seen == set(load_schema("diff.schema.json")["$defs"]["change"]["properties"])
    same = json.loads(pgsplit(pgsplit_bin, "diff", "--format", "json", a, a))
    assert_valid(validators["diff.schema.json"], same, "diff of a dump with itself")
    assert same == {"identical": True, "changes": []}


# --- the schemas can fail ---------------------------------------------------------


def real_samples(pgsplit_bin: Path, tmp_path: Path) -> dict[str, dict[str, Any]]:
    """One real output object per schema (split.schema.json's array aside)."""
    a, b = written(tmp_path, "a.sql", DUMP), written(tmp_path, "b.sql", OTHER_DUMP)
    copy = next(r for r in split_records(pgsplit_bin, tmp_path, "file") if "more_copy_data" in r)
    finding = json_lines(pgsplit(pgsplit_bin, "check", "--format", "json", "-", stdin=BROKEN.encode(), ok=(1,)))[0]
    (stats,) = json_lines(pgsplit(pgsplit_bin, "stats", "--format", "json", a))
    diff = json.loads(pgsplit(pgsplit_bin, "diff", "--format", "json", a, b, ok=(1,)))
    return {
        "split-record.schema.json": copy,
        "check-finding.schema.json": finding,
        "stats.schema.json": stats,
        "diff.schema.json": diff,
    }


@pytest.mark.parametrize("name", [n for n in SCHEMA_FILES if n != "split.schema.json"])
def test_a_record_with_an_extra_or_a_missing_field_does_not_validate(
    pgsplit_bin: Path, tmp_path: Path, validators: dict[str, Draft202012Validator], name: str
) -> None:
    sample = real_samples(pgsplit_bin, tmp_path)[name]
    validator = validators[name]
    assert_valid(validator, sample, f"the real {name} sample")
    assert problems(validator, {**sample, "unexpected": 1}), "an undescribed field passed"
    for field in load_schema(name)["required"]:
        missing = {k: v for k, v in sample.items() if k != field}
        assert problems(validator, missing), f"{name} without {field} passed"


def test_split_json_fails_on_a_bad_element(
    pgsplit_bin: Path, tmp_path: Path, validators: dict[str, Draft202012Validator]
) -> None:
    records = split_records(pgsplit_bin, tmp_path, "file")
    validator = validators["split.schema.json"]
    assert_valid(validator, records, "the real records")
    assert problems(validator, [*records, {**records[0], "unexpected": 1}])
    assert problems(validator, [{k: v for k, v in records[0].items() if k != "text"}])


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("split-record.schema.json", {"kind": "query"}),
        ("split-record.schema.json", {"n": 0}),
        ("split-record.schema.json", {"toc": {"name": "users", "type": "TABLE"}}),
        ("split-record.schema.json", {"copy_data": {"start": 1}}),
        ("split-record.schema.json", {"kind": "sql"}),
        ("check-finding.schema.json", {"level": "fatal"}),
        ("check-finding.schema.json", {"code": "no-such-code"}),
        ("stats.schema.json", {"by_kind": {"select": 1}}),
        ("stats.schema.json", {"seconds": "fast"}),
        ("diff.schema.json", {"identical": True}),
        ("diff.schema.json", {"changes": [{"kind": "changed", "type": "TABLE", "schema": "", "name": "t", "a": "x"}]}),
    ],
)
def test_a_record_with_a_wrong_value_does_not_validate(
    pgsplit_bin: Path,
    tmp_path: Path,
    validators: dict[str, Draft202012Validator],
    name: str,
    change: dict[str, Any],
) -> None:
    sample = real_samples(pgsplit_bin, tmp_path)[name]
    assert problems(validators[name], {**sample, **change}), f"{name} accepted {change}"


# --- the corpus ------------------------------------------------------------------


def corpus_files(corpus: Path) -> list[Path]:
    files = sorted(p for p in corpus.rglob("*.sql") if p.is_file() and p.stat().st_size <= CORPUS_MAX_BYTES)
    assert files, f"no .sql file of at most {CORPUS_MAX_BYTES} bytes under {corpus}"
    return files


def sampled(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records worth validating: of each shape (kind and fields) in the
    file, CORPUS_RECORDS_PER_SHAPE spread evenly over the file."""
    shapes: dict[tuple[object, ...], list[dict[str, Any]]] = {}
    for r in records:
        shapes.setdefault((r.get("kind"), *sorted(r)), []).append(r)
    return [r for same in shapes.values() for r in same[:: max(1, len(same) // CORPUS_RECORDS_PER_SHAPE)]]


def test_every_corpus_file_prints_what_the_schemas_describe(
    pgsplit_bin: Path, corpus: Path, validators: dict[str, Draft202012Validator]
) -> None:
    record, finding, stats = (
        validators["split-record.schema.json"],
        validators["check-finding.schema.json"],
        validators["stats.schema.json"],
    )
    checked = 0
    for path in corpus_files(corpus):
        for parsed in sampled(json_lines(pgsplit(pgsplit_bin, "split", "--format", "jsonl", path))):
            # is_valid first: listing errors is the slow part, needed only on a failure.
            if not record.is_valid(parsed):
                assert_valid(record, parsed, f"{path}: record {parsed.get('n')}")
            checked += 1
        for line in pgsplit(pgsplit_bin, "check", "--format", "json", path, ok=(0, 1)).splitlines():
            if not finding.is_valid(parsed := json.loads(line)):
                assert_valid(finding, parsed, f"{path}: {line.decode()}")
        assert_valid(stats, json.loads(pgsplit(pgsplit_bin, "stats", "--format", "json", path)), f"{path}: stats")
    assert checked > 1000, "the corpus has statements to check"


def test_corpus_diffs_match_the_schema(
    pgsplit_bin: Path, corpus: Path, validators: dict[str, Draft202012Validator]
) -> None:
    files = corpus_files(corpus)
    # Neighbours in sorted order are mostly dumps of one database, which differ a little.
    pairs = list(itertools.pairwise(files))[:: max(1, len(files) // CORPUS_DIFF_PAIRS)]
    for a, b in pairs:
        report = json.loads(pgsplit(pgsplit_bin, "diff", "--format", "json", a, b, ok=(0, 1)))
        assert_valid(validators["diff.schema.json"], report, f"diff {a} {b}")
