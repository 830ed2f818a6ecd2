"""Loads a script into a database statement by statement, as pgsplit splits it.

Each SQL statement goes through the extended query protocol
(``PQexecParams``), which refuses a string holding more than one statement:
a load that succeeds proves every statement was exactly one. COPY statements
stream their data through psycopg's copy API. Meta-commands are skipped.
Errors are collected, not raised, as psql does with ON_ERROR_STOP off.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import pq


@dataclass
class LoadResult:
    statements: int = 0
    errors: list[str] = field(default_factory=list)


def split_jsonl(pgsplit_bin: Path, path: Path, compat: str = "default") -> list[dict[str, Any]]:
    out = subprocess.run(
        [str(pgsplit_bin), "split", str(path), "--format", "jsonl", "--compat", compat],
        capture_output=True,
        check=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines()]


def load(pgsplit_bin: Path, path: Path, uri: str) -> LoadResult:
    data = path.read_bytes()
    result = LoadResult()
    with psycopg.connect(uri, autocommit=True) as conn:
        for statement in split_jsonl(pgsplit_bin, path):
            if statement["kind"] == "meta":
                continue
            result.statements += 1
            if statement["kind"] == "copy":
                command = statement["text"]
                rows = data[statement["copy_data"]["start"] : statement["copy_data"]["end"]]
                try:
                    with conn.cursor() as cursor, cursor.copy(command) as copy:
                        copy.write(rows)
                except psycopg.Error as error:
                    result.errors.append(f"line {statement['line']}: {error}")
                continue
            res = conn.pgconn.exec_params(statement["text"].encode(), [])
            if res.status == pq.ExecStatus.FATAL_ERROR:
                message = (res.error_message or b"").decode(errors="replace").strip()
                result.errors.append(f"line {statement['line']}: {message}")
    return result
