"""pgsplit normalize and diff on dumps made by a real pg_dump (16 and 18).

The same schema built in two different orders, dumped with and without
``-O -x``, must compare identical with the right ``--ignore``; each single
change must be reported as exactly that object and nothing else.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import pgsplit
from pgcluster import Cluster

#: Independent blocks: any order builds the same schema.
BLOCKS = [
    "CREATE TABLE public.accounts (id int PRIMARY KEY, name text DEFAULT 'x; y', balance numeric(12,2) DEFAULT 0);",
    "CREATE TABLE public.events (id bigint PRIMARY KEY, payload jsonb DEFAULT '{\"a\":1}');\n"
    "CREATE INDEX events_payload ON public.events USING gin (payload);",
    "CREATE FUNCTION public.add(a int, b int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN a + b; END $$;",
    "CREATE FUNCTION public.twice(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a * 2; END;",
    "CREATE SCHEMA app;\nCREATE TABLE app.settings (key text PRIMARY KEY, value text);",
    "CREATE VIEW public.rich AS SELECT id FROM public.accounts WHERE balance > 1000;",
    "DO $$ BEGIN CREATE ROLE pgsplit_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n"
    "GRANT SELECT ON public.accounts TO pgsplit_reader;",
]

CHANGES = {
    "a changed default": (
        "ALTER TABLE public.accounts ALTER COLUMN balance SET DEFAULT 10;",
        [("changed", "TABLE", "public", "accounts")],
    ),
    "an added index": (
        "CREATE INDEX accounts_name ON public.accounts (name);",
        [("only_in_b", "INDEX", "public", "accounts_name")],
    ),
    "a changed function body": (
        "CREATE OR REPLACE FUNCTION public.add(a int, b int) RETURNS int LANGUAGE plpgsql"
        " AS $$ BEGIN RETURN a + b + 0; END $$;",
        [("changed", "FUNCTION", "public", "add(integer, integer)")],
    ),
    "a dropped grant": (
        "REVOKE SELECT ON public.accounts FROM pgsplit_reader;",
        [("only_in_a", "ACL", "public", "TABLE accounts")],
    ),
}


@pytest.fixture(params=[18, 16], ids=["pg18", "pg16"])
def cluster(request: pytest.FixtureRequest, pg18: Cluster, pg16: Cluster) -> Cluster:
    return pg18 if request.param == 18 else pg16


def build_and_dump(cluster: Cluster, sql: str, out: Path, flags: tuple[str, ...] = ()) -> Path:
    script = out.with_suffix(".build.sql")
    script.write_text(sql)
    return cluster.build_and_dump(script, out, flags)


def run_diff(pgsplit_bin: Path, a: Path, b: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(pgsplit_bin), "diff", str(a), str(b), *args], capture_output=True, text=True)


@pytest.fixture
def base(cluster: Cluster, tmp_path: Path) -> Iterator[Path]:
    yield build_and_dump(cluster, "\n".join(BLOCKS), tmp_path / "base.sql")


def test_two_orders_and_two_runs_are_identical(cluster: Cluster, pgsplit_bin: Path, base: Path, tmp_path: Path) -> None:
    # The table first (others depend on it), the rest in reverse.
    reordered_blocks = [BLOCKS[0], *reversed(BLOCKS[1:])]
    reordered = build_and_dump(cluster, "\n".join(reordered_blocks), tmp_path / "reordered.sql")
    assert base.read_text() != reordered.read_text(), "the dumps were expected to differ as text"
    run = run_diff(pgsplit_bin, base, reordered)
    assert run.returncode == 0, run.stdout
    assert pgsplit.diff(base, reordered).identical


def test_with_and_without_owners_and_privileges(
    cluster: Cluster, pgsplit_bin: Path, base: Path, tmp_path: Path
) -> None:
    bare = build_and_dump(cluster, "\n".join(BLOCKS), tmp_path / "bare.sql", ("-O", "-x"))
    assert run_diff(pgsplit_bin, base, bare).returncode == 1, "owners and grants must count unless ignored"
    run = run_diff(pgsplit_bin, base, bare, "--ignore", "owner,acl")
    assert run.returncode == 0, run.stdout
    pgsplit.assert_same_schema(base, bare, ignore=("owner", "acl"))


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_a_single_change_is_exactly_that_object(
    cluster: Cluster, pgsplit_bin: Path, base: Path, tmp_path: Path, change: str
) -> None:
    extra, expected = CHANGES[change]
    changed = build_and_dump(cluster, "\n".join([*BLOCKS, extra]), tmp_path / "changed.sql")
    run = run_diff(pgsplit_bin, base, changed, "--format", "json")
    assert run.returncode == 1
    found = [(c["kind"], c["type"], c["schema"], c["name"]) for c in json.loads(run.stdout)["changes"]]
    assert found == expected
    python = pgsplit.diff(base, changed)
    assert [(c.kind, c.object_type, c.schema, c.name) for c in python.changes] == expected
    with pytest.raises(AssertionError, match="1 object"):
        pgsplit.assert_same_schema(base, changed, ignore=())


def test_the_pagila_pair_is_identical(pgsplit_bin: Path, corpus: Path) -> None:
    one, two = corpus / "pgdump15" / "pagila-schema-only.sql", corpus / "pgdump15" / "pagila-schema-only.run2.sql"
    assert one.read_bytes() != two.read_bytes()
    run = run_diff(pgsplit_bin, one, two)
    assert run.returncode == 0, run.stdout
    assert pgsplit.normalize(one) == pgsplit.normalize(two)


def test_normalize_cli_writes_a_file(pgsplit_bin: Path, base: Path, tmp_path: Path) -> None:
    out = tmp_path / "norm.sql"
    subprocess.run([str(pgsplit_bin), "normalize", str(base), "--sort", "-o", str(out)], check=True)
    assert out.read_text() == pgsplit.normalize(base, sort=True)
    assert "\\restrict" not in out.read_text()


def test_the_html_report_shows_the_changed_object_in_a_browser(
    cluster: Cluster, pgsplit_bin: Path, base: Path, tmp_path: Path
) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no chromium here: .ci/run installs Debian's chromium package for this test")
    extra, _ = CHANGES["a changed default"]
    changed = build_and_dump(cluster, "\n".join([*BLOCKS, extra]), tmp_path / "changed.sql")
    report = tmp_path / "report.html"
    run = run_diff(pgsplit_bin, base, changed, "--html", str(report))
    assert run.returncode == 1
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", report.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert '<span class="object">TABLE public.accounts</span>' in dom, dom[:2000]
    assert "1 objects differ: 1 changed" in dom
    assert 'class="del">    balance numeric(12,2) DEFAULT 0' in dom
    assert 'class="add">    balance numeric(12,2) DEFAULT 10' in dom


def test_column_order_from_a_chain_and_from_models(cluster: Cluster, pgsplit_bin: Path, tmp_path: Path) -> None:
    chain = build_and_dump(
        cluster,
        "CREATE TABLE public.p (id int PRIMARY KEY, name text);\nALTER TABLE public.p ADD COLUMN age int;\n"
        "INSERT INTO public.p VALUES (1, 'a\tb', 30), (2, NULL, NULL);",
        tmp_path / "chain.sql",
    )
    models = build_and_dump(
        cluster,
        "CREATE TABLE public.p (age int, id int PRIMARY KEY, name text);\n"
        "INSERT INTO public.p (id, name, age) VALUES (1, 'a\tb', 30), (2, NULL, NULL);",
        tmp_path / "models.sql",
    )
    assert run_diff(pgsplit_bin, chain, models).returncode == 1
    run = run_diff(pgsplit_bin, chain, models, "--ignore", "column-order")
    assert run.returncode == 0, run.stdout
