"""The Rust extension module. Private: use the names in ``pgsplit``."""

StatementRecord = tuple[
    str,  # kind: "sql", "copy" or "meta"
    str,  # tag
    tuple[int, int, int],  # line, col, end_line
    tuple[int, int, int],  # start, end, command_end (byte offsets)
    list[tuple[int, int]],  # COPY data blocks (byte offsets)
    tuple[str, str, str, str] | None,  # pg_dump header: name, type, schema, owner
    tuple[str, str] | None,  # meta-command: name, args
    str,  # "yes", "no" or "control": how it runs inside a transaction
    list[tuple[int, int]],  # psql variable references (byte offsets)
]
DiagnosticRecord = tuple[str, int, int, int, str]

__version__: str

def split_texts(sql: str | bytes | bytearray, compat: str, strip_semicolon: bool) -> list[str]: ...
def parse(sql: str | bytes, compat: str) -> tuple[list[tuple[StatementRecord, str]], list[DiagnosticRecord]]: ...
def parse_path(
    path: str, compat: str, jobs: int
) -> tuple[list[tuple[StatementRecord, str]], list[DiagnosticRecord], bytes | None]: ...
def read(path: str) -> bytes: ...
def name_position(text: str, name: str) -> int | None: ...
def body_position(text: str) -> int | None: ...

StepRecord = tuple[
    str,  # "run", "autocommit", "skip" or "refused"
    list[str],  # the session settings the statement changes ("ALL" for RESET ALL)
    tuple[str, str | None, str] | None,  # COPY FROM STDIN: table, columns, format
    str | None,  # CREATE MATERIALIZED VIEW ... WITH NO DATA: the view's name
]
RefusalRecord = tuple[str, int, int, int, str]  # code, line, col, offset, message
PlanRecord = tuple[
    list[StepRecord],
    list[RefusalRecord],
    tuple[str, str] | None,  # a declared client_encoding other than UTF-8, and its Python codec
]

def plan_text(
    sql: str | bytes, compat: str, meta: str, non_transactional: str, transaction_control: str
) -> tuple[list[tuple[StatementRecord, str]], list[DiagnosticRecord], PlanRecord]: ...
def plan_path(
    path: str, compat: str, jobs: int, meta: str, non_transactional: str, transaction_control: str
) -> tuple[list[tuple[StatementRecord, str]], list[DiagnosticRecord], bytes | None, PlanRecord]: ...
def normalize(sql: str | bytes, ignore: list[str], sort: bool) -> str: ...

ChangeRecord = tuple[str, str, str, str, str | None, str | None, str]

def diff(a: str | bytes, b: str | bytes, ignore: list[str]) -> list[ChangeRecord]: ...
def cli(argv: list[str]) -> int: ...
