"""The repository's pre-commit hook, installed by pre-commit itself from this
checkout into a scratch repository, as a user's ``pre-commit`` would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT

#: ``pre-commit try-repo``, keeping the hook's environment in PRE_COMMIT_HOME
#: as ``pre-commit run`` does instead of in a store of its own that it removes
#: when it ends: a second run on the same commit of the checkout reuses the
#: environment (the build of pgsplit) that the first one made. A checkout with
#: uncommitted changes is a new temporary commit on each run, so it builds again.
TRY_REPO = """
import sys

from pre_commit.commands import try_repo
from pre_commit.main import main
from pre_commit.store import Store

assert try_repo.Store is Store, "pre-commit's try-repo no longer makes its store with pre_commit.store.Store"
try_repo.Store = lambda _directory: Store()
sys.exit(main(sys.argv[1:]))
"""


def test_the_pgsplit_check_hook_fails_on_an_error_and_passes_clean_scripts(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "good.sql").write_text("CREATE TABLE t (a int);\n")
    (repo / "bad.sql").write_text("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1;\n")
    (repo / "notes.txt").write_text("select 'not sql\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    environment = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        # The hook's environment builds pgsplit from this checkout: in the
        # project's own target folder, whose compiled crates it reuses.
        "CARGO_TARGET_DIR": str(PROJECT / "target"),
    }

    def hook(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", TRY_REPO, "try-repo", str(PROJECT), "pgsplit-check", "--files", *files],
            cwd=repo,
            env=environment,
            capture_output=True,
            text=True,
            timeout=1500,
            check=False,
        )

    failed = hook("good.sql", "bad.sql", "notes.txt")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "bad.sql:1:36: error: unterminated dollar-quoted string" in failed.stdout, failed.stdout
    assert "notes.txt" not in failed.stdout, "the hook reads SQL files only"
    passed = hook("good.sql")
    assert passed.returncode == 0, passed.stdout + passed.stderr
