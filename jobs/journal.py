"""The idempotency journal: every payment and write-off key, and what became of it.

A key moves `queued` -> `pending` (about to be sent: from here on the ERP may have it) ->
`posted` | `rejected` | `unknown`. A `pending` or `unknown` key is never sent again blind:
the job settles it first by looking in the ERP (`Adapter.find_posted`), then either marks
it `posted` or puts it back to `queued`. Work is claimed with a lease, so several workers
(threads, processes, machines with PostgreSQL) share one input without sending a key
twice, and a runner that dies leaves its claims to expire and be settled.

SQLite (default, WAL, one machine) and PostgreSQL (`FOR UPDATE SKIP LOCKED`, several
machines) implement the same statements.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from adapters.errors import ConfigError, OtcError


class Status(StrEnum):
    QUEUED = "queued"
    PENDING = "pending"
    POSTED = "posted"
    REJECTED = "rejected"
    UNKNOWN = "unknown"


#: Outcomes that end a key's life unless the user asks to retry rejected ones.
FINAL = frozenset({Status.POSTED})
UNSETTLED = frozenset({Status.PENDING, Status.UNKNOWN})


class KeyReused(OtcError):
    """An idempotency key came back with different content: refuse, never skip or post."""

    exit_code = 1

    def __init__(self, system: str, kind: str, keys: Sequence[str]) -> None:
        self.keys = list(keys)
        shown = ", ".join(self.keys[:10]) + (" ..." if len(self.keys) > 10 else "")
        super().__init__(
            f"{len(self.keys)} {kind} key(s) for {system} were already journaled with "
            f"different content: {shown}; give changed payments a new key"
        )


@dataclass(frozen=True)
class Entry:
    system: str
    kind: str
    key: str
    content_hash: str
    status: Status
    erp_document: str | None
    message: str | None
    attempts: int
    claimed_by: str | None
    lease_until_ms: int | None
    run_id: str | None
    updated_ms: int


COLUMNS = (
    "system, kind, key, content_hash, status, erp_document, message, attempts, "
    "claimed_by, lease_until_ms, run_id, updated_ms"
)


def now_ms() -> int:
    return int(time.time() * 1000)


HOST = socket.gethostname()


def runner_id() -> str:
    """`host:pid:random`: unique per run, and tells whether its process is still alive."""
    return f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def runner_is_dead(runner: str | None) -> bool:
    """A claim whose runner was on this machine and whose process is gone can be taken over
    at once: waiting for its lease would only delay the settling."""
    if not runner:
        return False
    host, _, rest = runner.partition(":")
    pid = rest.partition(":")[0]
    if host != HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Journal(Protocol):
    def register(
        self, system: str, kind: str, items: Mapping[str, str], run_id: str
    ) -> dict[str, Entry]: ...

    def claim(
        self,
        system: str,
        kind: str,
        runner: str,
        *,
        statuses: Sequence[Status],
        keys: Sequence[str] | None = None,
        limit: int = 100,
        lease_s: float = 300.0,
    ) -> list[Entry]: ...

    def mark(
        self,
        system: str,
        kind: str,
        key: str,
        status: Status,
        *,
        runner: str | None = None,
        erp_document: str | None = None,
        message: str | None = None,
    ) -> None: ...

    def entries(
        self,
        system: str | None = None,
        kind: str | None = None,
        statuses: Sequence[Status] | None = None,
        keys: Sequence[str] | None = None,
    ) -> list[Entry]: ...

    def close(self) -> None: ...


class SqlJournal:
    """The statements both backends share; subclasses supply connections and dialect."""

    placeholder = "?"
    table = "otc_journal"
    skip_locked = ""

    def _connect(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    @contextmanager
    def _tx(self, write: bool = True) -> Iterator[Any]:  # pragma: no cover - abstract
        raise NotImplementedError
        yield

    def _ddl(self) -> list[str]:
        return [
            f"""CREATE TABLE IF NOT EXISTS {self.table} (
                system TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
                content_hash TEXT NOT NULL, status TEXT NOT NULL,
                erp_document TEXT, message TEXT, attempts INTEGER NOT NULL DEFAULT 0,
                claimed_by TEXT, lease_until_ms BIGINT, run_id TEXT,
                updated_ms BIGINT NOT NULL,
                PRIMARY KEY (system, kind, key))""",
            f"CREATE INDEX IF NOT EXISTS {self.table.replace('.', '_')}_status "
            f"ON {self.table} (system, kind, status)",
        ]

    def _q(self, sql: str) -> str:
        return sql.replace("?", self.placeholder)

    @staticmethod
    def _entry(row: Sequence[Any]) -> Entry:
        return Entry(
            system=row[0],
            kind=row[1],
            key=row[2],
            content_hash=row[3],
            status=Status(row[4]),
            erp_document=row[5],
            message=row[6],
            attempts=int(row[7]),
            claimed_by=row[8],
            lease_until_ms=row[9],
            run_id=row[10],
            updated_ms=int(row[11]),
        )

    def _select(self, cur: Any, where: str, params: Sequence[Any], suffix: str = "") -> list[Entry]:
        cur.execute(self._q(f"SELECT {COLUMNS} FROM {self.table} WHERE {where} {suffix}"), params)
        return [self._entry(r) for r in cur.fetchall()]

    @staticmethod
    def _in(values: Sequence[Any]) -> str:
        return "(" + ",".join("?" for _ in values) + ")"

    def register(
        self, system: str, kind: str, items: Mapping[str, str], run_id: str
    ) -> dict[str, Entry]:
        """Journal new keys as `queued`; return every key's entry; refuse changed content."""
        keys = list(items)
        stamp = now_ms()
        found: dict[str, Entry] = {}
        with self._tx() as cur:
            for chunk in _chunks(keys, 500):
                for e in self._select(
                    cur,
                    f"system = ? AND kind = ? AND key IN {self._in(chunk)}",
                    [system, kind, *chunk],
                ):
                    found[e.key] = e
            reused = sorted(k for k, e in found.items() if e.content_hash != items[k])
            if reused:
                raise KeyReused(system, kind, reused)
            new = [
                (system, kind, k, items[k], Status.QUEUED.value, 0, run_id, stamp)
                for k in keys
                if k not in found
            ]
            if new:
                cur.executemany(
                    self._q(
                        f"INSERT INTO {self.table} (system, kind, key, content_hash, status, "
                        "attempts, run_id, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    ),
                    new,
                )
            for k in keys:
                if k not in found:
                    found[k] = Entry(
                        system,
                        kind,
                        k,
                        items[k],
                        Status.QUEUED,
                        None,
                        None,
                        0,
                        None,
                        None,
                        run_id,
                        stamp,
                    )
        return found

    def claim(
        self,
        system: str,
        kind: str,
        runner: str,
        *,
        statuses: Sequence[Status],
        keys: Sequence[str] | None = None,
        limit: int = 100,
        lease_s: float = 300.0,
    ) -> list[Entry]:
        """Take up to `limit` unclaimed (or lease-expired) entries in `statuses` for `runner`."""
        stamp = now_ms()
        where = (
            f"system = ? AND kind = ? AND status IN {self._in(statuses)} "
            "AND (claimed_by IS NULL OR lease_until_ms < ? OR claimed_by = ? OR claimed_by LIKE ?)"
        )
        params: list[Any] = [system, kind, *[s.value for s in statuses], stamp, runner, f"{HOST}:%"]
        if keys is not None:
            if not keys:
                return []
            where += f" AND key IN {self._in(keys)}"
            params += list(keys)
        with self._tx() as cur:
            rows = self._select(
                cur, where, params, f"ORDER BY key LIMIT {int(limit)} {self.skip_locked}"
            )
            rows = [
                e
                for e in rows
                if e.claimed_by in (None, runner)
                or (e.lease_until_ms or 0) < stamp
                or runner_is_dead(e.claimed_by)
            ]
            if not rows:
                return []
            lease = stamp + int(lease_s * 1000)
            cur.executemany(
                self._q(
                    f"UPDATE {self.table} SET claimed_by = ?, lease_until_ms = ?, updated_ms = ? "
                    "WHERE system = ? AND kind = ? AND key = ?"
                ),
                [(runner, lease, stamp, system, kind, e.key) for e in rows],
            )
        return [
            Entry(
                e.system,
                e.kind,
                e.key,
                e.content_hash,
                e.status,
                e.erp_document,
                e.message,
                e.attempts,
                runner,
                lease,
                e.run_id,
                stamp,
            )
            for e in rows
        ]

    def mark(
        self,
        system: str,
        kind: str,
        key: str,
        status: Status,
        *,
        runner: str | None = None,
        erp_document: str | None = None,
        message: str | None = None,
    ) -> None:
        """Record a step; `pending` keeps the claim (the runner is mid-call), others release it."""
        stamp = now_ms()
        keep_claim = status is Status.PENDING
        claim = "" if keep_claim else ", claimed_by = NULL, lease_until_ms = NULL"
        sql = (
            f"UPDATE {self.table} SET status = ?, erp_document = COALESCE(?, erp_document), "
            f"message = ?, attempts = attempts + ?, updated_ms = ?{claim} "
            "WHERE system = ? AND kind = ? AND key = ?"
        )
        params: list[Any] = [status.value, erp_document, message, int(keep_claim), stamp]
        params += [system, kind, key]
        if runner is not None:
            sql += " AND claimed_by = ?"
            params.append(runner)
        with self._tx() as cur:
            cur.execute(self._q(sql), params)
            if cur.rowcount != 1:
                raise OtcError(
                    f"journal: {kind} {key} for {system} is not claimed by {runner or 'anyone'}; "
                    "another runner took it over after the lease expired"
                )

    def entries(
        self,
        system: str | None = None,
        kind: str | None = None,
        statuses: Sequence[Status] | None = None,
        keys: Sequence[str] | None = None,
    ) -> list[Entry]:
        clauses, params = ["1 = 1"], []
        if system is not None:
            clauses.append("system = ?")
            params.append(system)
        if kind is not None:
            clauses.append("kind = ?")
            params.append(kind)
        if statuses is not None:
            clauses.append(f"status IN {self._in(statuses)}")
            params += [s.value for s in statuses]
        out: list[Entry] = []
        with self._tx(write=False) as cur:
            if keys is None:
                return self._select(
                    cur, " AND ".join(clauses), params, "ORDER BY system, kind, key"
                )
            for chunk in _chunks(list(keys), 500):
                where = " AND ".join([*clauses, f"key IN {self._in(chunk)}"])
                out += self._select(cur, where, [*params, *chunk], "ORDER BY key")
        return out


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class SqliteJournal(SqlJournal):
    """One file, WAL, `BEGIN IMMEDIATE` for writes: safe for workers on one machine."""

    def __init__(self, path: Path | str = ".otc/journal.db") -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._tx() as cur:
            for ddl in self._ddl():
                cur.execute(ddl)

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # a posted key must survive a power cut
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def _tx(self, write: bool = True) -> Iterator[sqlite3.Cursor]:
        conn = self._conn()
        cur = conn.cursor()
        cur.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield cur
        except BaseException:
            conn.rollback()
            raise
        else:
            conn.commit()

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class PostgresJournal(SqlJournal):
    """Several runners on several machines: claims use `FOR UPDATE SKIP LOCKED`."""

    placeholder = "%s"
    skip_locked = "FOR UPDATE SKIP LOCKED"

    def __init__(
        self, dsn: str, *, password: str | None = None, table: str = "otc_journal"
    ) -> None:
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - the postgres extra
            raise ConfigError(
                "the PostgreSQL journal needs psycopg: pip install 'otc-adapters[postgres]'"
            ) from exc
        if not table.replace("_", "").replace(".", "").isalnum():
            raise ConfigError(f"journal table name {table!r} must be an identifier")
        self.table = table
        self._psycopg = psycopg
        self._dsn, self._password = dsn, password
        self._local = threading.local()
        with self._tx() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(4711004)")  # one DDL at a time
            for ddl in self._ddl():
                cur.execute(ddl)

    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            kwargs: dict[str, Any] = {"password": self._password} if self._password else {}
            conn = self._psycopg.connect(self._dsn, connect_timeout=10, **kwargs)
            self._local.conn = conn
        return conn

    @contextmanager
    def _tx(self, write: bool = True) -> Iterator[Any]:
        conn = self._conn()
        with conn.transaction(), conn.cursor() as cur:
            yield cur

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def open_journal(settings: Any, env: Mapping[str, str] | None = None) -> SqlJournal:
    """The journal the config names (`[journal]`, see jobs.config.JournalSettings)."""
    if settings.backend == "postgres":
        if not settings.dsn:
            raise ConfigError("[journal] backend = 'postgres' needs dsn = 'postgresql://...'")
        password = (
            settings.secrets["password"].value("[journal]", env)
            if "password" in settings.secrets
            else None
        )
        return PostgresJournal(settings.dsn, password=password, table=settings.table)
    return SqliteJournal(settings.path)
