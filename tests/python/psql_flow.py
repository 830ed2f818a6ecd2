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
- ``:name`` variables set by ``\\set`` are substituted and the result is
  scanned again, so a value holding ``;`` makes several statements; variables
  whose value the script does not set (``\\getenv``, psql's own) match
  anything.

pgsplit's ``--compat psql`` split already follows the rules that decide which
lines psql reads at all: nothing after ``\\q`` or ``\\quit`` (what the buffer
holds is sent, the rest of the input is trivia), and ``\\prompt NAME`` reads its
answer from the script's next line, ``\\password`` the password and its
confirmation from the next two, ``\\copy ... from pstdin`` its rows up to
``\\.``: psql does so when the script is its standard input and there is no
terminal (with ``-f`` they read psql's own standard input, so such files run
through standard input).

Two further rules need the run itself and live in the comparison: a COPY the
server rejects before reading data (psql reports ``invalid command \\.`` at its
end marker) makes psql read the data rows as SQL, and a session that sets
``log_min_messages`` above LOG is not logged until it lowers it again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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


Resplit = Callable[[bytes], list[dict[str, Any]]]


def expected_statements(
    statements: list[dict[str, Any]],
    data: bytes,
    resplit: Resplit,
    base: int = 0,
    base_line: int = 0,
) -> list[Expected]:
    """``statements`` are pgsplit's jsonl objects for ``data``; ``resplit``
    splits other text the same way. ``base``/``base_line`` shift offsets and
    lines when ``data`` is part of a larger input."""
    expected: list[Expected] = []
    prepared: dict[str, Expected] = {}
    variables: dict[str, str] = {}
    previous: Expected | None = None
    bind_named: str | None = None
    for index, statement in enumerate(statements):
        tag = statement["tag"]
        if statement["kind"] != "meta":
            following = statements[index + 1] if index + 1 < len(statements) else None
            ended_by = None
            if following and following["kind"] == "meta" and not statement["text"].endswith(";"):
                ended_by = following["tag"]
                if ended_by in SENDS:
                    following["_ends_previous"] = True
            expansion = _expand(statement, data, variables, resplit)
            if expansion is not None:
                expected.extend(expansion)
                previous = expansion[-1] if expansion else previous
                continue
            entry = Expected(as_psql_sends(statement["text"]), base_line + statement["line"])
            if statement["kind"] == "copy":
                entry.marker_line = base_line + statement["end_line"]
                entry.copy_data_start = base + statement["copy_data"]["start"]
            if ended_by == "\\parse" and following is not None:
                prepared[_first_arg(following)] = entry
            elif ended_by != "\\gdesc":
                entry.generated = ended_by == "\\gexec"
                expected.append(entry)
            previous = entry
            continue
        if tag.lower() == "\\copy":  # psql matches \copy in any case, and only \copy
            expected.append(Expected("COPY", base_line + statement["line"], prefix_only=True))
        elif tag == "\\set":
            _set_variable(statement["text"], variables)
        elif tag == "\\unset":
            variables.pop(_first_arg(statement), None)
        elif tag == "\\bind_named":
            bind_named = _first_arg(statement)
        elif tag in SENDS and not statement.get("_ends_previous"):
            # An empty buffer: psql runs the previous query again.
            if bind_named is not None and bind_named in prepared:
                expected.append(_copy_of(prepared[bind_named]))
            elif tag not in ("\\parse", "\\gdesc") and previous is not None:
                again = _copy_of(previous)
                again.generated = tag == "\\gexec"
                expected.append(again)
        if tag in SENDS:
            bind_named = None
    return expected


def _expand(
    statement: dict[str, Any], data: bytes, variables: dict[str, str], resplit: Resplit
) -> list[Expected] | None:
    """The statements psql sends for one holding variables it knows, or None."""
    references = statement.get("variables") or []
    if not references:
        return None
    names = [data[r["start"] + 1 : r["end"]].decode(errors="replace").strip("'\"") for r in references]
    if not all(name in variables for name in names):
        return None
    source = bytearray()
    at = statement["start"]
    for reference, name in zip(references, names, strict=False):
        source += data[at : reference["start"]]
        reference_text = data[reference["start"] : reference["end"]].decode(errors="replace")
        source += _quoted(reference_text, variables[name]).encode()
        at = reference["end"]
    source += data[at : statement["end"]]
    expanded = bytes(source)
    return expected_statements(resplit(expanded), expanded, resplit, base_line=statement["line"] - 1)


def _quoted(reference: str, value: str) -> str:
    """The text psql puts in place of ``:name``, ``:'name'`` or ``:"name"``."""
    if reference.startswith(":'"):
        return "'" + value.replace("'", "''") + "'"
    if reference.startswith(':"'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _set_variable(text: str, variables: dict[str, str]) -> None:
    """``\\set name value...``: quoted pieces lose their quotes (``''`` is a
    quote), bare ``:name`` pieces are substituted, all are concatenated."""
    parts = _meta_args(text)
    if not parts:
        return
    name, values = parts[0], parts[1:]
    pieces = []
    for piece in values:
        if len(piece) >= 2 and piece[0] == piece[-1] == "'":
            pieces.append(piece[1:-1].replace("''", "'"))
        elif VARIABLE.fullmatch(piece) and piece[1:].strip("'\"") in variables:
            pieces.append(_quoted(piece, variables[piece[1:].strip("'\"")]))
        else:
            pieces.append(piece)
    variables[name] = "".join(pieces)


def _meta_args(text: str) -> list[str]:
    """Whitespace-separated arguments after the command, quotes kept whole."""
    args = re.findall(r"'(?:[^']|'')*'|\S+", text.split(None, 1)[1] if len(text.split(None, 1)) > 1 else "")
    return args


def _first_arg(meta: dict[str, Any]) -> str:
    args = meta["text"].split(None, 1)
    if len(args) < 2:
        return ""
    first = args[1].split()[0] if args[1].split() else ""
    return "" if first in ("''", '""') else first.strip("'\"")


def _copy_of(entry: Expected) -> Expected:
    return Expected(entry.text, entry.line, entry.prefix_only)
