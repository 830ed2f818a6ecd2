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
            [sys.executable, "-m", "pre_commit", "try-repo", str(PROJECT), "pgsplit-check", "--files", *files],
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
