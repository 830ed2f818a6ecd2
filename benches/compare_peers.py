"""pgsplit against its peers and against the speed of light, on the same files.

    .venv/bin/pip install -r benches/requirements.txt
    .venv/bin/python benches/compare_peers.py FILE... [--timeout 300] [--pgsplit target/release/pgsplit]

Each tool splits each file in a process of its own, so no tool warms another's
caches or shares its memory; the file is read once before the clock starts
(by the tool's own process) and the clock covers the split only for the
Python tools, the whole run for the command-line ones. The tools:

- ``pgsplit split --format count`` (the CLI, memory-mapped, all cores);
- ``pgsplit.split(text)`` (Python, a list of str);
- ``pglast.split(text, with_parser=False)`` (pg_query's scanner) and
  ``with_parser=True`` (PostgreSQL's own parser);
- ``sqlparse.split(text)``;
- the speed of light: ``wc -l`` and a memchr-class count of ``;``
  (``bytes.count``), which only look at bytes; and, for ``pgsplit.split``,
  what CPython itself needs to build the same list of str: ``str.split`` of
  the statements joined by NUL (the join is made before the clock starts), a
  C loop that only allocates and copies.

A tool that raises is reported as ``fails`` with its error, one that runs out
of time as ``timeout``. Statement counts are printed next to the speeds: a
fast answer with the wrong count is not an answer.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

#: What a run gives: seconds and a statement count, or an error.
Result = dict[str, float | int | str]

#: Each Python tool: the code to time, on ``data`` (str) or ``raw`` (bytes).
PYTHON_TOOLS = {
    "pgsplit.split": ("import pgsplit", "len(pgsplit.split(data))"),
    "pglast scanner": ("import pglast", "len(pglast.split(data, with_parser=False))"),
    "pglast parser": ("import pglast", "len(pglast.split(data, with_parser=True))"),
    "sqlparse.split": ("import sqlparse", "len(sqlparse.split(data))"),
    "bytes.count(b';')": ("", "raw.count(b';')"),
    "same list of str": (
        "import pgsplit\njoined = chr(0).join(pgsplit.split(data))",
        "len(joined.split(chr(0)))",
    ),
}

CHILD = """
import json, sys, time
raw = open(sys.argv[1], 'rb').read()
data = raw.decode('utf-8', 'replace')
{setup}
best = float("inf")
try:
    for _ in range({repeat}):
        start = time.perf_counter()
        count = {expression}
        best = min(best, time.perf_counter() - start)
except BaseException as error:
    print(json.dumps({{"error": f"{{type(error).__name__}}: {{str(error)[:80]}}"}}))
else:
    print(json.dumps({{"seconds": best, "count": count}}))
"""


def run_python(tool: str, path: Path, timeout: float, repeat: int = 1) -> Result:
    setup, expression = PYTHON_TOOLS[tool]
    code = CHILD.format(setup=setup, expression=expression, repeat=repeat)
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    if done.returncode != 0 or not done.stdout.strip():
        last = done.stderr.strip().splitlines()[-1][:100] if done.stderr.strip() else str(done.returncode)
        return {"error": f"fails: {last}"}
    result: Result = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_command(command: list[str], timeout: float) -> Result:
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        return {"error": f"fails: {done.stderr.strip()[:100]}"}
    return {"seconds": seconds, "count": int(done.stdout.split()[0])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--pgsplit", default=str(Path(__file__).resolve().parents[1] / "target/release/pgsplit"))
    parser.add_argument("--skip", nargs="*", default=[], help="tools to leave out (slow peers on large files)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="time each Python tool this many times in its process, keep the best"
    )
    args = parser.parse_args()
    for path in args.files:
        size = path.stat().st_size
        subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)  # into the page cache
        print(f"\n{path.name}: {size / 1e6:.1f} MB")
        print(f"  {'tool':<22} {'MB/s':>10} {'x pgsplit CLI':>14} {'statements':>12}")
        results: dict[str, Result] = {
            "pgsplit CLI": run_command([args.pgsplit, "split", str(path), "--format", "count"], args.timeout),
            "wc -l": run_command(["wc", "-l", str(path)], args.timeout),
        }
        for tool in PYTHON_TOOLS:
            if tool not in args.skip:
                results[tool] = run_python(tool, path, args.timeout, args.repeat)
        cli = results["pgsplit CLI"]
        cli_speed = size / float(cli["seconds"]) / 1e6 if "seconds" in cli else None
        for tool, result in results.items():
            if "error" in result:
                print(f"  {tool:<22} {result['error']!s}")
                continue
            speed = size / float(result["seconds"]) / 1e6
            ratio = f"{speed / cli_speed:.3f}" if cli_speed else "-"
            print(f"  {tool:<22} {speed:>10.0f} {ratio:>14} {result['count']:>12}")


if __name__ == "__main__":
    main()
