"""The command line on a terminal: what a user typing at it sees."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path


def test_no_file_on_a_terminal_says_it_reads_standard_input(pgsplit_bin: Path) -> None:
    leader, follower = pty.openpty()
    try:
        run = subprocess.Popen(
            [str(pgsplit_bin), "split", "--format", "count"],
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        # What a user types, then Ctrl-D on an empty line to end the input.
        os.write(leader, b"SELECT 1; SELECT 2;\n\x04")
        out, err = run.communicate(timeout=30)
    finally:
        os.close(leader)
        os.close(follower)
    assert run.returncode == 0, err
    assert b"reading SQL from standard input (end it with Ctrl-D)" in err
    assert out.strip() == b"2"
