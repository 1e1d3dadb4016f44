"""One SQLite database shared by the mock ERP personas.

Why one store: the admin API seeds, inspects and resets every persona through the same object, and
a file-backed store lets a test or the demo look at the mock's state with any SQLite tool. The
server runs handlers in worker threads, so one connection is shared under a re-entrant lock
(``check_same_thread=False``): SQLite is fast enough that serialising calls costs less than a pool.

Money is never stored as REAL (float): personas store amounts as TEXT in their ERP's own format
(SAP's internal CURR format, see ``docs/specs/sap.md §3``).
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Store:
    """A thread-safe SQLite database with personas' schemas registered by name."""

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._schemas: dict[str, str] = {}
        self._columns: dict[str, list[str]] | None = None
        self._depth = 0  # nesting of transaction(): inner ones use savepoints
        self.generation = 0  # bumped on reset(): lets callers drop caches of row positions
        self._pragmas()

    def _pragmas(self) -> None:
        """Speed over durability: this is a mock, a crash may lose the last writes."""
        memory = self.path == ":memory:" or self.path.startswith("file::memory:")
        cur = self.conn.cursor()
        cur.execute(f"PRAGMA journal_mode={'MEMORY' if memory else 'WAL'}")
        cur.execute("PRAGMA synchronous=OFF")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.execute("PRAGMA cache_size=-200000")  # ~200 MB page cache for 1M-row seeds
        cur.close()

    # -- schemas ---------------------------------------------------------------------------
    def register_schema(self, name: str, ddl: str) -> None:
        """Register (or replace) a persona's DDL and apply it now; re-applied by ``reset()``."""
        with self.lock:
            self._schemas[name] = ddl
            self.conn.executescript(ddl)
            self._columns = None

    def reset(self) -> None:
        """Drop every table, view and index, then re-apply all registered schemas."""
        with self.lock:
            rows = self.conn.execute(
                "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            ).fetchall()
            for kind, name in rows:
                if kind in ("table", "view"):
                    self.conn.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
            for ddl in self._schemas.values():
                self.conn.executescript(ddl)
            self._columns = None
            self.generation += 1

    # -- transactions ----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN/COMMIT under the lock; ROLLBACK on any exception. Nested use = savepoint."""
        with self.lock:
            if self._depth:
                name = f"sp{self._depth}"
                self.conn.execute(f"SAVEPOINT {name}")
                self._depth += 1
                try:
                    yield self.conn
                except BaseException:
                    self.conn.execute(f"ROLLBACK TO {name}")
                    self.conn.execute(f"RELEASE {name}")
                    raise
                else:
                    self.conn.execute(f"RELEASE {name}")
                finally:
                    self._depth -= 1
                return
            self.conn.execute("BEGIN")
            self._depth = 1
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")
            finally:
                self._depth = 0

    # -- statements ------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one statement; returns the number of rows changed."""
        with self.lock:
            return self.conn.execute(sql, params).rowcount

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        with self.lock:
            return self.conn.executemany(sql, rows).rowcount

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def query_one(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> tuple[Any, ...] | None:
        with self.lock:
            row: tuple[Any, ...] | None = self.conn.execute(sql, params).fetchone()
            return row

    def total_changes(self) -> int:
        """Rows changed since the connection opened: a cheap 'has anything changed?' probe."""
        with self.lock:
            return self.conn.total_changes

    # -- inspection ------------------------------------------------------------------------
    def _catalogue(self) -> dict[str, list[str]]:
        with self.lock:
            if self._columns is None:
                names = [
                    r[0]
                    for r in self.conn.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                    )
                ]
                self._columns = {
                    n: [c[1] for c in self.conn.execute(f'PRAGMA table_info("{n}")')] for n in names
                }
            return self._columns

    def table_names(self) -> list[str]:
        return list(self._catalogue())

    def columns(self, table: str) -> list[str]:
        cat = self._catalogue()
        if table not in cat:
            raise KeyError(f"no table {table!r}; tables: {', '.join(cat)}")
        return list(cat[table])

    def query_table(
        self, name: str, filters: dict[str, str], limit: int = 100, offset: int = 0
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Rows of one table with equality filters, for the admin API's inspection.

        Table and column names are checked against the schema before they reach SQL: a request
        parameter must never be spliced into a statement unchecked.
        """
        cols = self.columns(name)
        for col in filters:
            if col not in cols:
                raise KeyError(f"table {name!r} has no column {col!r}; columns: {', '.join(cols)}")
        if not (_NAME.match(name) and all(_NAME.match(c) for c in filters)):
            raise KeyError(f"invalid name in query on {name!r}")
        where = " AND ".join(f'"{c}" = ?' for c in filters)
        sql = f'SELECT * FROM "{name}"' + (f" WHERE {where}" if where else "")
        sql += " ORDER BY rowid LIMIT ? OFFSET ?"
        rows = self.query(sql, [*filters.values(), int(limit), int(offset)])
        return cols, rows

    def close(self) -> None:
        with self.lock:
            self.conn.close()
