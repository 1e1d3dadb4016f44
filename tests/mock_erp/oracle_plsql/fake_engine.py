"""A small stand-in for OracleSql: records SQL and binds, answers queries from a script.

Why: the interpreter's own rules (scoping, NULLs, exceptions, bind rewriting) are tested
without the SQL engine, so a failure points at the interpreter.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mock_erp.oracle.session import OraError

NOW = dt.datetime(2026, 11, 16, 10, 30, 0)


class FakeStore:
    def __init__(self) -> None:
        self.lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield None


class FakeEngine:
    def __init__(
        self, results: list[tuple[list[str], list[tuple[Any, ...]]]] | None = None
    ) -> None:
        self.store = FakeStore()
        self.results = list(results or [])
        self.calls: list[tuple[str, Any, Any]] = []
        self.rowcount = 3

    def clock(self) -> dt.datetime:
        return NOW

    @contextmanager
    def scope(self, session: Any) -> Iterator[None]:
        yield

    def compile(self, sql: str) -> None:
        if "nosuch" in sql.lower():
            raise OraError(942, "table or view does not exist")

    def query(
        self, sql: str, binds: dict[str, Any], session: Any
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        self.calls.append(("query", sql, dict(binds)))
        return self.results.pop(0) if self.results else ([], [])

    def execute(self, sql: str, binds: dict[str, Any], session: Any) -> int:
        self.calls.append(("execute", sql, dict(binds)))
        return self.rowcount

    def commit_session(self, session_id: str) -> None:
        self.calls.append(("commit", session_id, None))

    def rollback_session(self, session_id: str) -> int:
        self.calls.append(("rollback", session_id, None))
        return 0

    def next_id(self, name: str, session: Any = None) -> int:
        return 1
