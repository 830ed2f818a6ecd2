"""What psql sends for a script, given pgsplit's ``--compat psql`` split.

psql sends each statement it scans, but some meta-commands change what goes
to the server at run time. This module turns pgsplit's statements (meta-
commands included, in execution order) into the sequence of statements the
server should log, applying exactly these rules:

- meta-commands are never sent, except that ``\\copy`` sends a ``COPY``;
- a statement ended by ``\\parse`` is prepared, not run, and ``\\gdesc`` only
  describes its query: the server logs neither;
- a send command (``\\g``, ``\\sendpipeline``, ``\\crosstabview``...) on an
  empty buffer sends the previous query again, or, after ``\\bind_named NAME``,
  runs the statement prepared as NAME;
- after ``\\gexec`` psql also sends each cell of the result, which only the
  server knows (``generated``);
- statements holding ``:variables`` may expand into several statements.

Two further rules need the run itself and live in the comparison: a COPY the
server rejects before reading data (psql reports ``invalid command \\.`` at its
end marker) makes psql read the data rows as SQL, and a session that sets
``log_min_messages`` above LOG is not logged until it lowers it again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from psql_oracle import as_psql_sends

VARIABLE = re.compile(r""":(?:[A-Za-z_][A-Za-z0-9_]*|'[A-Za-z0-9_]+'|"[A-Za-z0-9_]+")""")

SENDS = {"\\g", "\\gx", "\\gexec", "\\gdesc", "\\crosstabview", "\\watch", "\\sendpipeline", "\\parse", "\\gset"}


@dataclass
class Expected:
    text: str
    line: int
    #: Only the first word is known (``\\copy`` builds its own COPY).
    prefix_only: bool = False
    #: For a COPY: the line of its ``\\.`` marker and where its data starts.
    marker_line: int | None = None
    copy_data_start: int | None = None
    #: psql may send statements generated from this one's result (``\\gexec``).
    generated: bool = False

    @property
    def has_variables(self) -> bool:
        return VARIABLE.search(self.text) is not None

    def matches(self, sent: str) -> bool:
        if self.prefix_only:
            return sent.upper().startswith(self.text)
        if self.text == sent:
            return True
        if not self.has_variables:
            return False
        pattern = "".join(
            ".*?" if VARIABLE.fullmatch(piece) else re.escape(piece)
            for piece in re.split(f"({VARIABLE.pattern})", self.text)
            if piece
        )
        return re.fullmatch(pattern, sent, re.DOTALL) is not None


def expected_statements(statements: list[dict[str, Any]], base: int = 0, base_line: int = 0) -> list[Expected]:
    """``statements`` are pgsplit's jsonl objects; ``base``/``base_line`` shift
    offsets and lines when the split started inside a larger input."""
    expected: list[Expected] = []
    prepared: dict[str, Expected] = {}
    previous: Expected | None = None
    bind_named: str | None = None
    for index, statement in enumerate(statements):
        tag = statement["tag"]
        if statement["kind"] != "meta":
            entry = Expected(as_psql_sends(statement["text"]), base_line + statement["line"])
            if statement["kind"] == "copy":
                entry.marker_line = base_line + statement["end_line"]
                entry.copy_data_start = base + statement["copy_data"]["start"]
            following = statements[index + 1] if index + 1 < len(statements) else None
            ended_by = following["tag"] if following and following["kind"] == "meta" and not statement["text"].endswith(";") else None
            if ended_by in SENDS:
                statement["_ended"] = True
                following["_ends_previous"] = True
            if ended_by == "\\parse":
                name = _first_arg(following)
                prepared[name] = entry
            elif ended_by == "\\gdesc":
                pass
            else:
                entry.generated = ended_by == "\\gexec"
                expected.append(entry)
            previous = entry
            continue
        if tag == "\\copy":
            expected.append(Expected("COPY", base_line + statement["line"], prefix_only=True))
        elif tag == "\\bind_named":
            bind_named = _first_arg(statement)
        elif tag in SENDS and not statement.get("_ends_previous"):
            if bind_named is not None and bind_named in prepared:
                expected.append(_copy_of(prepared[bind_named]))
            elif tag not in ("\\parse", "\\gdesc") and previous is not None:
                expected.append(_copy_of(previous))
        if tag in SENDS:
            bind_named = None
    return expected


def _first_arg(meta: dict[str, Any]) -> str:
    args = meta["text"].split(None, 1)
    if len(args) < 2:
        return ""
    first = args[1].split()[0] if args[1].split() else ""
    return "" if first in ("''", '""') else first.strip("'\"")


def _copy_of(entry: Expected) -> Expected:
    return Expected(entry.text, entry.line, entry.prefix_only)
