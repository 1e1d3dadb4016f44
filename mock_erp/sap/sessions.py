"""ABAP sessions and their LUWs: the writes a session holds until it commits.

Why a module: on a real system a BAPI's writes are visible only after BAPI_TRANSACTION_COMMIT
in the same session, and a session that ends without it loses them (docs/specs/sap.md §2.5);
the kit's wrappers instead commit at once (CALL TRANSACTION, synchronous update). Both ways of
writing, and the session table they need, are here; the rules only build the writes.
The session table is the backend's state (models.py); every change to it holds its mutex.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mock_erp.sap.abap import SapMessage
from mock_erp.sap.messages import msg

if TYPE_CHECKING:
    from mock_erp.sap.models import SapBackend

DEFAULT_USER = "RFC_OTC"  # the mock's logon user for sessions [project]

#: One LUW's writes: (SQL, rows to execute it with), applied in order in one transaction.
Writes = list[tuple[str, list[tuple[Any, ...]]]]


@dataclass
class Session:
    """One ABAP session: its user and the LUW pending until COMMIT (docs/specs/sap.md §2.5)."""

    user: str
    pending: Writes = field(default_factory=list)
    pending_keys: list[str] = field(default_factory=list)


def apply_writes(
    conn: sqlite3.Connection, writes: Iterable[tuple[str, list[tuple[Any, ...]]]]
) -> None:
    for sql, rows in writes:
        conn.executemany(sql, rows)


def open_session(b: SapBackend, user: str = DEFAULT_USER) -> str:
    sid = uuid.uuid4().hex
    with b.mutex:
        b.sessions[sid] = Session(user=user)
    return sid


def end_session(b: SapBackend, sid: str) -> None:
    """Logoff, timeout or connection loss: the pending LUW is discarded (numbers stay used)."""
    with b.mutex:
        b.sessions.pop(sid, None)


def has_session(b: SapBackend, sid: str) -> bool:
    with b.mutex:
        return sid in b.sessions


def session(b: SapBackend, sid: str) -> Session:
    with b.mutex:
        if sid not in b.sessions:  # a stateless caller: behave as a fresh session
            b.sessions[sid] = Session(user=DEFAULT_USER)
        return b.sessions[sid]


def session_user(b: SapBackend, sid: str) -> str:
    return session(b, sid).user


def pending(b: SapBackend, sid: str) -> list[str]:
    """Object keys waiting in the session's LUW (for inspection and tests)."""
    with b.mutex:
        s = b.sessions.get(sid)
        return list(s.pending_keys) if s else []


def defer(b: SapBackend, sid: str, writes: Writes, key: str) -> None:
    with b.mutex:
        s = session(b, sid)
        s.pending.extend(writes)
        s.pending_keys.append(key)


def commit(b: SapBackend, sid: str) -> SapMessage | None:
    """COMMIT WORK of this session's LUW only; nothing pending → nothing to do (blank RETURN).

    An update failure (a write that violates the store) rolls the LUW back and returns
    E S& 101 (docs/specs/sap.md §2.5).
    """
    with b.mutex:
        s = b.sessions.get(sid)
        writes = s.pending if s else []
        if s:
            s.pending, s.pending_keys = [], []
    if not writes:
        return None
    try:
        with b.store.transaction() as conn:
            apply_writes(conn, writes)
    except sqlite3.DatabaseError:
        return msg("S&", "101")
    return None


def rollback(b: SapBackend, sid: str) -> None:
    with b.mutex:
        s = b.sessions.get(sid)
        if s:
            s.pending, s.pending_keys = [], []


def write_now(b: SapBackend, writes: Writes) -> None:
    """Commit writes at once (the wrapper's CALL TRANSACTION with synchronous update)."""
    with b.store.transaction() as conn:
        apply_writes(conn, writes)
