"""What psql really sent to the server, read back from the server's log.

``log_statement=all`` logs a statement before it runs, but a statement that
fails to parse is never logged that way; its ERROR record carries it instead.
``log_duration=on`` closes every statement that completed. So a ``statement:``
record opens a statement, ``duration:`` or an ERROR closes it, and an ERROR
that arrives with no statement open is a statement that failed to parse.
Only client backends count: a parallel worker logs its leader's statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass
class Sent:
    text: str
    failed: bool
    #: The server rejected it before reading any COPY data (so psql reads the
    #: data rows as SQL); false for errors raised while reading the data.
    rejected_before_data: bool = False


def sent_statements(records: Iterable[dict[str, Any]]) -> list[Sent]:
    sent: list[Sent] = []
    open_statement: dict[str, Sent] = {}
    for record in records:
        # Parallel workers log the leader's statement with their own errors.
        if record.get("backend_type", "client backend") != "client backend":
            continue
        session = record.get("session_id", "")
        message = record.get("message") or ""
        severity = record.get("error_severity")
        if severity == "LOG" and message.startswith("statement: "):
            current = Sent(message[len("statement: ") :], failed=False)
            sent.append(current)
            open_statement[session] = current
        elif severity == "LOG" and message.startswith("execute ") and ": " in message:
            current = Sent(message.split(": ", 1)[1], failed=False)
            sent.append(current)
            open_statement[session] = current
        elif severity == "LOG" and message.startswith("duration: "):
            open_statement.pop(session, None)
        elif severity in ("ERROR", "FATAL") and "statement" in record:
            in_copy_data = (record.get("context") or "").startswith("COPY ")
            failing = open_statement.pop(session, None)
            if failing is None:
                failing = Sent(record["statement"], failed=True)
                sent.append(failing)
            failing.failed = True
            failing.rejected_before_data = not in_copy_data
    return sent


def as_psql_sends(text: str) -> str:
    """psql drops empty lines and trailing whitespace from what it sends."""
    return "\n".join(line for line in text.split("\n") if line).rstrip()
