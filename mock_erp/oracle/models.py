"""State and rules of the Oracle EBS persona: scripts, statements, sessions, transactions (no HTTP).

Why here: ORDS REST-Enabled SQL and the oracledb-compatible shim run the SAME text through the
same engine (docs/specs/oracle.md §5), so splitting scripts, classifying statements, binding,
PL/SQL dispatch and commit/rollback live in one place; routes.py only maps HTTP to it.

Transactions: every write made for a session is recorded in the session's undo log
(mock_erp/oracle/tables.py). ORDS requests are one session each: commit on success, roll back on
any ORA error (docs/specs/oracle.md §5.2, §7 item 5). Shim sessions keep their work until the client
commits, rolls back or disconnects. Isolation the mock gives: **read uncommitted** — other
sessions see uncommitted rows (SQLite has one connection); ``ROLLBACK`` restores exactly the
session's own before-images. Sequence values are never rolled back (as in Oracle).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from mock_erp.oracle.session import OracleSession, OraError
from mock_erp.oracle.settings import OracleSettings
from mock_erp.oracle.sql import ColumnMeta, OracleSql, RowSource, bind_key

log = logging.getLogger("mock_erp.oracle")
DEFAULT_LIMIT = 10_000  # ORDS default/maximum rows per request (specs/oracle.md §5.2 "seen: 10000")
_API = re.compile(
    r"\b(AR_[A-Z_]+_PUB|HZ_[A-Z_]+_V2PUB|FND_GLOBAL|MO_GLOBAL)\s*\.\s*([A-Z_0-9]+)",
    re.IGNORECASE,
)


@dataclass
class Statement:
    """One statement of a script with its position (ORDS ``statementPos``)."""

    text: str
    start_line: int
    end_line: int

    @property
    def kind(self) -> str:
        """ORDS ``statementType``: query|dml|plsql|ddl|transaction-control|sqlplus.

        Only ``query`` is confirmed (docs/specs/oracle.md §5.2 open questions).
        """
        head = self.text.lstrip("( \n\t").split(None, 1)[0].upper() if self.text.strip() else ""
        if head in ("SELECT", "WITH"):
            return "query"
        if head in ("INSERT", "UPDATE", "DELETE", "MERGE"):
            return "dml"
        if head in ("DECLARE", "BEGIN"):
            return "plsql"
        if head in ("COMMIT", "ROLLBACK", "SAVEPOINT"):
            return "transaction-control"
        if head in ("CREATE", "ALTER", "DROP", "TRUNCATE", "GRANT", "REVOKE"):
            return "ddl"
        return "sqlplus"


def split_script(script: str) -> list[Statement]:
    """Split an ``application/sql`` script: ``;`` ends SQL, a line with ``/`` ends PL/SQL."""
    out: list[Statement] = []
    lines = script.splitlines()
    buf: list[str] = []
    start = 1
    in_plsql = False
    for no, line in enumerate(lines, 1):
        stripped = line.strip()
        if not buf and not stripped:
            start = no + 1
            continue
        if not buf:
            start = no
            in_plsql = (
                stripped.split(None, 1)[0].upper() in ("DECLARE", "BEGIN") if stripped else False
            )
        if stripped == "/":
            if buf:
                out.append(Statement("\n".join(buf).strip(), start, no - 1))
            buf = []
            continue
        buf.append(line)
        if not in_plsql and _ends_sql(stripped):
            text = "\n".join(buf).strip()
            out.append(Statement(text[:-1].rstrip() if text.endswith(";") else text, start, no))
            buf = []
    if buf and "\n".join(buf).strip():
        text = "\n".join(buf).strip()
        if not in_plsql and text.endswith(";"):
            text = text[:-1].rstrip()
        out.append(Statement(text, start, len(lines)))
    return out


def _ends_sql(line: str) -> bool:
    code = re.sub(r"'(?:[^']|'')*'", "''", line)
    code = code.split("--", 1)[0].rstrip()
    return code.endswith(";")


def api_operations(block: str) -> list[str]:
    """Public API calls of a PL/SQL block, in order, as fault-rule operations (``PKG.PROC``)."""
    seen: list[str] = []
    for pkg, proc in _API.findall(block):
        name = f"{pkg.upper()}.{proc.upper()}"
        if pkg.upper() not in ("FND_GLOBAL", "MO_GLOBAL") and name not in seen:
            seen.append(name)
    return seen


@dataclass
class Bind:
    """A bind of a request: name or index, ORDS data_type, mode (in/out/inout), value."""

    key: str
    name: str | None
    index: int | None
    data_type: str
    mode: str
    value: Any

    def public(self) -> dict[str, Any]:
        out: dict[str, Any] = (
            {"name": self.name} if self.name is not None else {"index": self.index}
        )
        out["data_type"] = self.data_type
        out["mode"] = self.mode
        return out


def parse_binds(raw: Any) -> list[Bind]:
    """ORDS ``binds`` array -> typed values (dates from ISO text, NUMBER as Decimal)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise OraError(1008, "not all variables bound")
    out = []
    for b in raw:
        if not isinstance(b, dict) or ("name" not in b and "index" not in b):
            raise OraError(1036, "illegal variable name/number")
        name = b.get("name")
        index = b.get("index")
        dtype = str(b.get("data_type", "VARCHAR2")).upper()
        mode = str(b.get("mode", "in")).lower()
        value = convert_bind(b.get("value"), dtype)
        key = bind_key(int(str(index)) if name is None else str(name))
        out.append(Bind(key, name, index, dtype, mode, value))
    return out


def convert_bind(value: Any, dtype: str) -> Any:
    if value is None:
        return None
    if dtype in ("NUMBER", "BINARY_DOUBLE", "BINARY_FLOAT", "INTEGER", "FLOAT", "DECIMAL"):
        if isinstance(value, bool):
            raise OraError(1722, "invalid number")
        try:
            return Decimal(str(value)) if not isinstance(value, Decimal) else value
        except ArithmeticError:
            raise OraError(1722, "invalid number") from None
    if dtype in ("DATE", "TIMESTAMP"):
        text = str(value).replace("Z", "")
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            raise OraError(1861, "literal does not match format string") from None
    if dtype in ("VARCHAR2", "VARCHAR", "CHAR", "CLOB", "NVARCHAR2", "NCHAR", "NCLOB", "LONG"):
        return str(value) if not isinstance(value, str) else value
    raise OraError(932, f"inconsistent datatypes: data_type {dtype} is not supported by the mock")


@dataclass
class Result:
    """What one statement produced (the route turns it into an ORDS item)."""

    statement: Statement
    kind: str
    columns: list[ColumnMeta] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    has_more: bool = False
    offset: int = 0
    limit: int = DEFAULT_LIMIT
    rowcount: int = 0
    out_binds: dict[str, Any] = field(default_factory=dict)
    error: OraError | None = None
    response: list[str] = field(default_factory=list)
    raw: bool = False  # rows as stored (query results): encoded by responses.raw_encoders


def run_plsql(
    block: str, binds: dict[str, Any], session: OracleSession, engine: OracleSql
) -> dict[str, Any]:
    """Hand a block to the PL/SQL interpreter (mock_erp.oracle.plsql, imported lazily)."""
    try:
        from mock_erp.oracle.plsql import run_block
    except ImportError:
        raise OraError(
            6550, "line 1, column 1:\nPLS-00201: PL/SQL not available in this mock build"
        ) from None
    result: dict[str, Any] = run_block(block, binds, session, engine)
    return result


@dataclass
class ClientSession:
    """A shim connection's database session (lives across requests until closed)."""

    session: OracleSession
    user: str
    cursors: dict[str, RowSource] = field(default_factory=dict)
    last_used: float = field(default_factory=time.monotonic)
    drop_on_commit: bool = False  # a drop_after_commit fault waits for the commit call


class OracleBackend:
    """The Oracle persona's state: store, SQL engine, shim sessions."""

    def __init__(self, store: Any, *, today: dt.date | None = None, clock: Any = None) -> None:
        self.store = store
        self.today = today
        if clock is None and today is not None:
            fixed = dt.datetime(today.year, today.month, today.day, 12, 0, 0)
            clock = lambda: fixed  # noqa: E731 - a fixed SYSDATE for reproducible runs
        self.engine = OracleSql(store, clock=clock)
        self._applied: str | None = None  # apply_settings: the state last written
        self._seeded_limits: dict[str, list[Any]] = {}
        self.settings = OracleSettings()  # the persona replaces it with the app's shared one
        self.sessions: dict[str, ClientSession] = {}
        self._lock = threading.Lock()

    # ---- statements ---------------------------------------------------------------------------
    def run(
        self,
        stmt: Statement,
        binds: list[Bind],
        session: OracleSession,
        *,
        offset: int = 0,
        limit: int = DEFAULT_LIMIT,
    ) -> Result:
        """Run one statement for ``session``; errors come back in ``Result.error``."""
        kind = stmt.kind
        res = Result(stmt, kind, offset=offset, limit=limit)
        values = {b.key: b.value for b in binds if b.mode != "out"}
        try:
            with self.engine.scope(session):
                if kind == "query":
                    src = self.engine.open(
                        stmt.text,
                        _only_used(self.engine, stmt.text, values),
                        session,
                        offset=offset,
                        limit=limit + 1,
                    )
                    rows = src.fetch_raw(limit + 1)
                    res.raw = True
                    src.close()
                    res.columns, res.has_more, res.rows = (
                        src.columns,
                        len(rows) > limit,
                        rows[:limit],
                    )
                elif kind == "dml":
                    res.rowcount = self.engine.execute(
                        stmt.text, _only_used(self.engine, stmt.text, values), session
                    )
                    verb = stmt.text.split(None, 1)[0].lower()
                    past = {"insert": "inserted", "update": "updated", "delete": "deleted"}.get(
                        verb, "merged"
                    )
                    res.response = [
                        f"\n{res.rowcount} row{'s' if res.rowcount != 1 else ''} {past}.\n\n"
                    ]
                    res.rowcount = res.rowcount
                elif kind == "plsql":
                    all_binds = {b.key.lower(): b.value for b in binds}
                    out = run_plsql(stmt.text, all_binds, session, self.engine)
                    res.out_binds = {bind_key(k): v for k, v in out.items()}
                    res.response = ["\nPL/SQL procedure successfully completed.\n\n"]
                elif kind == "transaction-control":
                    word = stmt.text.split(None, 1)[0].upper()
                    if word == "COMMIT":
                        self.commit(session)
                        res.response = ["\nCommit complete.\n\n"]
                    elif word == "ROLLBACK":
                        self.rollback(session)
                        res.response = ["\nRollback complete.\n\n"]
                    else:
                        raise OraError(
                            900, "invalid SQL statement: SAVEPOINT is not supported by the mock"
                        )
                elif kind == "ddl":
                    raise OraError(1031, "insufficient privileges")
                else:
                    raise OraError(900, "invalid SQL statement")
        except OraError as exc:
            res.error = exc
        except (
            Exception
        ) as exc:  # a mock bug must not look like an HTTP failure: ORA-00600 as Oracle
            log.exception("statement failed inside the mock")
            res.error = OraError(
                600, f"internal error code, arguments: [mock], [{type(exc).__name__}: {exc}]"
            )
        return res

    @property
    def settings(self) -> OracleSettings:
        return self._settings

    @settings.setter
    def settings(self, value: OracleSettings) -> None:
        """The APIs read the settings through the engine they run on (ApiContext)."""
        self._settings = value
        self.engine.settings = value

    def apply_settings(self) -> None:
        """Write the settings EBS keeps in its own tables, where EBS keeps them, so that SQL
        reads them as on a real system (``otc doctor --deep``): the AR system option
        UNEARNED_DISCOUNT and AUTO_SITE_NUMBERING, the site-level profiles
        AR_DEFAULT_EXCHANGE_RATE_TYPE and HZ_GENERATE_PARTY(_SITE)_NUMBER, and the apps
        users' ADJ rows of AR_APPROVAL_USER_LIMITS (``approval_limits``; the seeded rows of a
        user come back when the user leaves the setting). Called before each request; a no-op
        while nothing changed. Not a session's work: no undo log, nothing to roll back."""
        s = self.settings
        state = repr(
            (s.unearned_discounts, s.rate_type_profile, s.approval_limits, s.hz_generate_numbers)
        )
        if state == self._applied:
            return
        ctx = self.engine.ctx
        with self.store.lock:
            saved, ctx.txn_session = ctx.txn_session, None
            try:
                with self.store.transaction() as conn:
                    conn.execute(
                        "UPDATE AR_SYSTEM_PARAMETERS_ALL SET UNEARNED_DISCOUNT = ?",
                        ("Y" if s.unearned_discounts else "N",),
                    )
                    _site_profile(conn, "AR_DEFAULT_EXCHANGE_RATE_TYPE", s.rate_type_profile)
                    numbers = "Y" if s.hz_generate_numbers else "N"
                    _site_profile(conn, "HZ_GENERATE_PARTY_NUMBER", numbers)
                    _site_profile(conn, "HZ_GENERATE_PARTY_SITE_NUMBER", numbers)
                    conn.execute(
                        "UPDATE AR_SYSTEM_PARAMETERS_ALL SET AUTO_SITE_NUMBERING = ?", (numbers,)
                    )
                    self._apply_limits(conn, s.approval_limits or {})
            finally:
                ctx.txn_session = saved
        self._applied = state

    def _apply_limits(self, conn: Any, limits: dict[str, dict[str, list[str]]]) -> None:
        users = set(limits) | set(self._seeded_limits)
        for user in users:
            uid = int(user)
            if user in limits and user not in self._seeded_limits:
                self._seeded_limits[user] = conn.execute(
                    "SELECT USER_ID, CURRENCY_CODE, DOCUMENT_TYPE, AMOUNT_FROM, AMOUNT_TO FROM "
                    "AR_APPROVAL_USER_LIMITS WHERE USER_ID = ? AND DOCUMENT_TYPE = 'ADJ'",
                    (uid,),
                ).fetchall()
            conn.execute(
                "DELETE FROM AR_APPROVAL_USER_LIMITS WHERE USER_ID = ? AND DOCUMENT_TYPE = 'ADJ'",
                (uid,),
            )
            rows = (
                [(uid, cur, "ADJ", b[0], b[1]) for cur, b in limits[user].items()]
                if user in limits
                else self._seeded_limits.pop(user)
            )
            conn.executemany(
                "INSERT INTO AR_APPROVAL_USER_LIMITS (USER_ID, CURRENCY_CODE, DOCUMENT_TYPE, "
                "AMOUNT_FROM, AMOUNT_TO) VALUES (?, ?, ?, ?, ?)",
                [tuple(r) for r in rows],
            )

    def forget_settings(self) -> None:
        """After a reseed: the tables hold the seed's values again."""
        self._applied = None
        self._seeded_limits = {}

    def commit(self, session: OracleSession) -> None:
        self.engine.commit_session(session.id)

    def rollback(self, session: OracleSession) -> None:
        self.engine.rollback_session(session.id)

    # ---- shim sessions ------------------------------------------------------------------------
    def open_session(self, user: str) -> str:
        sid = uuid.uuid4().hex
        with self._lock:
            self.sessions[sid] = ClientSession(OracleSession(id=sid), user)
        return sid

    def client(self, sid: str) -> ClientSession | None:
        with self._lock:
            cs = self.sessions.get(sid)
        if cs is not None:
            cs.last_used = time.monotonic()
        return cs

    def end_session(self, sid: str) -> None:
        """Disconnect: uncommitted work is rolled back (docs/specs/oracle.md §7 item 5)."""
        with self._lock:
            cs = self.sessions.pop(sid, None)
        if cs is not None:
            for cur in cs.cursors.values():
                cur.close()
            self.rollback(cs.session)

    def end_all(self) -> None:
        for sid in list(self.sessions):
            self.end_session(sid)


def _only_used(engine: OracleSql, sql: str, values: dict[str, Any]) -> dict[str, Any]:
    """ORDS passes all request binds to every statement of a script; keep the ones it names."""
    used = set(engine.compile(sql).binds)
    return {k: v for k, v in values.items() if k in used}


def _site_profile(conn: Any, name: str, value: str | None) -> None:
    """A site-level (LEVEL_ID 10001) profile value; None removes it."""
    row = conn.execute(
        "SELECT PROFILE_OPTION_ID, APPLICATION_ID FROM FND_PROFILE_OPTIONS "
        "WHERE PROFILE_OPTION_NAME = ?",
        (name,),
    ).fetchone()
    if row is None:
        return
    conn.execute(
        "DELETE FROM FND_PROFILE_OPTION_VALUES WHERE PROFILE_OPTION_ID = ? AND LEVEL_ID = 10001",
        (row[0],),
    )
    if value is not None:
        conn.execute(
            "INSERT INTO FND_PROFILE_OPTION_VALUES (APPLICATION_ID, PROFILE_OPTION_ID, LEVEL_ID, "
            "LEVEL_VALUE, PROFILE_OPTION_VALUE) VALUES (?, ?, 10001, 0, ?)",
            (row[1], row[0], value),
        )
