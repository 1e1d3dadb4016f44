"""The idempotency journal: every payment and write-off key, and what became of it.

A key moves `queued` -> `pending` (about to be sent: from here on the ERP may have it) ->
`posted` | `rejected` | `unknown`. A `pending` or `unknown` key is never sent again blind:
the job settles it first by looking in the ERP (`Adapter.find_posted`), then either marks
it `posted` or puts it back to `queued`. docs/exactly-once.md has the state diagram.

Why the rules below (issue 13):
- Leases use the journal database's clock, never the runner's: runners on several machines
  disagree about the time, the database does not.
- Every claim bumps a fence (`fence`); a state change names the fence it holds, so a runner
  whose claim was taken over cannot mark the key `pending`, hence cannot post it.
- A taken-over `pending`/`unknown` key may still be in flight in the ERP (a real ERP keeps
  working after its client has gone): it is settled only once a grace period longer than the
  longest call (transport timeout + margin) has passed since it was sent.
- A PID says whether a runner is alive only on the same host, in the same PID namespace and
  boot: anything else waits for the lease to expire.
- What the ERP did is always written: `posted` is recorded even when the claim was lost.

SQLite (default, WAL, one machine) and PostgreSQL (`FOR UPDATE SKIP LOCKED`, several
machines) implement the same statements.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from adapters.errors import ConfigError, OtcError
from jobs import logs

log = logs.get_logger("otc.jobs.journal")


class Status(StrEnum):
    QUEUED = "queued"
    PENDING = "pending"
    POSTED = "posted"
    REJECTED = "rejected"
    UNKNOWN = "unknown"
    #: The ERP holds the document for an approver (EBS adjustment status W, issue 15): it
    #: exists, so it is never sent again, but it is not final: every run and `otc journal
    #: resolve` look it up; approved -> posted, rejected by the approver -> rejected.
    AWAITING = "awaiting_approval"


#: Outcomes that end a key's life unless the user asks to retry rejected ones.
FINAL = frozenset({Status.POSTED})
#: The document is in the ERP: these keys are never sent again (only looked up).
IN_ERP = frozenset({Status.POSTED, Status.AWAITING})
UNSETTLED = frozenset({Status.PENDING, Status.UNKNOWN})
#: Bind parameters per statement: PostgreSQL allows 65,535, SQLite 32,766.
CHUNK = 5000


class KeyReused(OtcError):
    """An idempotency key came back with different content: refuse, never skip or post."""

    exit_code = 1

    def __init__(self, system: str, kind: str, keys: Sequence[str]) -> None:
        self.keys = list(keys)
        shown = ", ".join(self.keys[:10]) + (" ..." if len(self.keys) > 10 else "")
        super().__init__(
            f"{len(self.keys)} {kind} key(s) for {system} were already journaled with "
            f"different content: {shown}; a key that reached the ERP (or is being posted) "
            "keeps its content: give changed payments a new key (only a key rejected before "
            "it reached the ERP may come back corrected; `otc journal show KEY` has its history)"
        )


class JournalUnavailable(OtcError):
    """The journal database cannot be read or written: nothing is posted without it.

    Exit 2 when nothing was sent; the job raises it with exit 3 when a key was sent and its
    outcome could not be recorded (then the run's report holds it).
    """

    def __init__(self, where: str, detail: str, exit_code: int = 2) -> None:
        self.where, self.detail, self.exit_code = where, detail, exit_code
        super().__init__(
            f"journal {where} is unavailable: {detail}; check that the database is reachable "
            "and writable, then rerun (keys already journaled are safe)"
        )


class LeaseLost(OtcError):
    """The claim on a key was taken over: this runner must not send it."""

    exit_code = 3

    def __init__(self, key: str, runner: str, holder: str | None) -> None:
        self.key, self.holder = key, holder
        super().__init__(
            f"journal: {key} is not claimed by {runner} (held by {holder or 'nobody'}): its "
            "claim was taken over or its lease ran out; not sent from here"
        )


@dataclass(frozen=True, kw_only=True)
class Entry:
    system: str
    kind: str
    key: str
    content_hash: str
    status: Status
    erp_document: str | None = None
    message: str | None = None
    attempts: int = 0
    claimed_by: str | None = None
    lease_until_ms: int | None = None
    run_id: str | None = None
    updated_ms: int = 0
    fence: int = 0
    #: journal clock when it was last marked `pending`; None once the ERP answered an
    #: `unknown` (half done, `mark(answered=True)`): no call can still be running then
    sent_ms: int | None = None
    reached_erp: bool = False  # ever sent: its content is fixed from then on
    needs_lookup: bool = False  # the journal cannot vouch: look in the ERP before posting


@dataclass(frozen=True, kw_only=True)
class Attempt:
    """One line of a key's history: what happened, with which content, when."""

    at_ms: int
    content_hash: str
    outcome: str
    erp_document: str | None
    message: str | None
    runner: str | None


COLUMNS = (
    "system, kind, key, content_hash, status, erp_document, message, attempts, "
    "claimed_by, lease_until_ms, run_id, updated_ms, fence, sent_ms, reached_erp, needs_lookup"
)
#: Columns added after the first release: an older journal gains them when opened.
ADDED_COLUMNS = {
    "fence": "BIGINT NOT NULL DEFAULT 0",
    "sent_ms": "BIGINT",
    "reached_erp": "INTEGER NOT NULL DEFAULT 0",
    "needs_lookup": "INTEGER NOT NULL DEFAULT 0",
}

#: The journal's data version (SQLite `PRAGMA user_version`, a PostgreSQL table comment).
#: 2: write-offs waiting for an approver have their own status (`awaiting_approval`);
#: version 1 journaled them `posted` with the adapter's "is pending approval" message.
SCHEMA_VERSION = 2
PENDING_APPROVAL_MESSAGE = "%is pending approval (status %"

HOST = socket.gethostname()


def namespace_marker() -> str:
    """Which PID space a PID belongs to: the PID namespace plus the boot.

    Two containers with host networking share a host name but not PIDs; a reboot reuses
    PIDs. A PID is only trusted where this marker matches.
    """
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return "x" + uuid.uuid4().hex[:7]  # unknowable: never equal to another runner's
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        boot = ""
    return hashlib.sha256(f"{namespace}|{boot}".encode()).hexdigest()[:8]


NAMESPACE = namespace_marker()


def runner_id() -> str:
    """`host:pid:namespace:random`: unique per run; says where its PID means something."""
    return f"{HOST}:{os.getpid()}:{NAMESPACE}:{uuid.uuid4().hex[:8]}"


def runner_is_dead(runner: str | None) -> bool:
    """A claim whose runner ran on this host, in this PID namespace and boot, and whose
    process is gone, can be taken over before its lease ends. Anywhere else a PID proves
    nothing: the lease decides."""
    if not runner:
        return False
    parts = runner.rsplit(":", 3)
    if len(parts) != 4:
        return False
    host, pid, namespace, _ = parts
    if host != HOST or namespace != NAMESPACE or not pid.isdigit():
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
        grace_s: float = 0.0,
        needs_lookup: bool | None = None,
    ) -> list[Entry]: ...

    def mark(
        self,
        system: str,
        kind: str,
        key: str,
        status: Status,
        *,
        runner: str | None = None,
        fence: int | None = None,
        erp_document: str | None = None,
        message: str | None = None,
    ) -> bool: ...

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
    now_sql = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"

    def _connect(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    @contextmanager
    def _tx(self, write: bool = True) -> Iterator[Any]:  # pragma: no cover - abstract
        raise NotImplementedError
        yield

    @property
    def history_table(self) -> str:
        return f"{self.table}_history"

    def _ddl(self) -> list[str]:
        index = self.table.replace(".", "_")
        return [
            f"""CREATE TABLE IF NOT EXISTS {self.table} (
                system TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
                content_hash TEXT NOT NULL, status TEXT NOT NULL,
                erp_document TEXT, message TEXT, attempts INTEGER NOT NULL DEFAULT 0,
                claimed_by TEXT, lease_until_ms BIGINT, run_id TEXT,
                updated_ms BIGINT NOT NULL,
                PRIMARY KEY (system, kind, key))""",
            f"CREATE INDEX IF NOT EXISTS {index}_status ON {self.table} (system, kind, status)",
            f"""CREATE TABLE IF NOT EXISTS {self.history_table} (
                system TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
                at_ms BIGINT NOT NULL, content_hash TEXT NOT NULL, outcome TEXT NOT NULL,
                erp_document TEXT, message TEXT, runner TEXT)""",
            f"CREATE INDEX IF NOT EXISTS {index}_history_key "
            f"ON {self.history_table} (system, kind, key)",
        ]

    def _columns(self, cur: Any) -> set[str]:  # pragma: no cover - per backend
        raise NotImplementedError

    def _schema_version(self, cur: Any) -> int:  # pragma: no cover - per backend
        raise NotImplementedError

    def _set_schema_version(self, cur: Any, version: int) -> None:  # pragma: no cover
        raise NotImplementedError

    def _migrate(self, cur: Any) -> None:
        """Bring an older journal up to date, once, inside the opening transaction (the
        caller holds the write lock: SQLite `BEGIN IMMEDIATE`, a PostgreSQL advisory lock)."""
        have = self._columns(cur)
        for name, ddl in ADDED_COLUMNS.items():
            if name not in have:
                cur.execute(f"ALTER TABLE {self.table} ADD COLUMN {name} {ddl}")
        if self._schema_version(cur) >= SCHEMA_VERSION:
            return
        # v2: a write-off the ERP holds for an approver was journaled `posted` (final); it
        # is `awaiting_approval` now, looked up on every run until the approver decides
        cur.execute(
            self._q(
                f"UPDATE {self.table} SET status = ? WHERE kind = ? AND status = ? "
                "AND message LIKE ?"
            ),
            [
                Status.AWAITING.value,
                "write_off",
                Status.POSTED.value,
                PENDING_APPROVAL_MESSAGE,
            ],
        )
        if cur.rowcount:
            log.info("journal migrated: write-offs awaiting approval", keys=cur.rowcount)
        self._set_schema_version(cur, SCHEMA_VERSION)

    def _q(self, sql: str) -> str:
        return sql.replace("?", self.placeholder)

    def _now(self, cur: Any) -> int:
        """The journal database's clock, in ms: the one clock every runner shares."""
        cur.execute(f"SELECT {self.now_sql}")
        return int(cur.fetchone()[0])

    def now_ms(self) -> int:
        with self._tx(write=False) as cur:
            return self._now(cur)

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
            fence=int(row[12] or 0),
            sent_ms=row[13],
            reached_erp=bool(row[14]),
            needs_lookup=bool(row[15]),
        )

    def _select(self, cur: Any, where: str, params: Sequence[Any], suffix: str = "") -> list[Entry]:
        cur.execute(self._q(f"SELECT {COLUMNS} FROM {self.table} WHERE {where} {suffix}"), params)
        return [self._entry(r) for r in cur.fetchall()]

    @staticmethod
    def _in(values: Sequence[Any]) -> str:
        return "(" + ",".join("?" for _ in values) + ")"

    def _history(
        self, cur: Any, system: str, kind: str, keys: Sequence[str], at: int, runner: str | None
    ) -> None:
        """Copy each key's current state into its history (one line per outcome)."""
        for chunk in _chunks(list(keys), CHUNK):
            cur.execute(
                self._q(
                    f"INSERT INTO {self.history_table} (system, kind, key, at_ms, content_hash, "
                    "outcome, erp_document, message, runner) SELECT system, kind, key, ?, "
                    f"content_hash, status, erp_document, message, ? FROM {self.table} "
                    f"WHERE system = ? AND kind = ? AND key IN {self._in(chunk)}"
                ),
                [at, runner, system, kind, *chunk],
            )

    # ------------------------------------------------------------------ register

    def register(
        self, system: str, kind: str, items: Mapping[str, str], run_id: str
    ) -> dict[str, Entry]:
        """Journal new keys as `queued` (to be looked up in the ERP before their first post:
        the journal cannot vouch for a key it has never seen); return every key's entry.

        Two runners may register the same keys at once: the insert ignores keys already
        there. Changed content is refused, except for a key that never reached the ERP and
        was rejected: its corrected content replaces the old (the history keeps both).
        """
        keys = list(items)
        found: dict[str, Entry] = {}
        with self._tx() as cur:
            stamp = self._now(cur)
            for chunk in _chunks(keys, CHUNK // 6):  # one statement per chunk, 6 binds a row
                rows = ", ".join(
                    f"(?, ?, ?, ?, '{Status.QUEUED.value}', 0, ?, ?, 0, 0, 1)" for _ in chunk
                )
                cur.execute(
                    self._q(
                        f"INSERT INTO {self.table} (system, kind, key, content_hash, status, "
                        "attempts, run_id, updated_ms, fence, reached_erp, needs_lookup) "
                        f"VALUES {rows} ON CONFLICT (system, kind, key) DO NOTHING"
                    ),
                    [v for k in chunk for v in (system, kind, k, items[k], run_id, stamp)],
                )
            for chunk in _chunks(keys, CHUNK):
                for e in self._select(
                    cur,
                    f"system = ? AND kind = ? AND key IN {self._in(chunk)}",
                    [system, kind, *chunk],
                ):
                    found[e.key] = e
            changed = sorted(k for k, e in found.items() if e.content_hash != items[k])
            reused: list[str] = []
            corrected: list[str] = []
            for key in changed:
                cur.execute(
                    self._q(
                        f"UPDATE {self.table} SET content_hash = ?, status = ?, message = ?, "
                        "run_id = ?, updated_ms = ? WHERE system = ? AND kind = ? AND key = ? "
                        "AND status = ? AND reached_erp = 0 AND claimed_by IS NULL"
                    ),
                    [
                        items[key],
                        Status.QUEUED.value,
                        "content corrected after a rejection before the ERP",
                        run_id,
                        stamp,
                        system,
                        kind,
                        key,
                        Status.REJECTED.value,
                    ],
                )
                (corrected if cur.rowcount == 1 else reused).append(key)
            if reused:
                raise KeyReused(system, kind, reused)
            if corrected:
                self._history(cur, system, kind, corrected, stamp, None)
                for chunk in _chunks(corrected, CHUNK):
                    for e in self._select(
                        cur,
                        f"system = ? AND kind = ? AND key IN {self._in(chunk)}",
                        [system, kind, *chunk],
                    ):
                        found[e.key] = e
        return found

    # ------------------------------------------------------------------ claims

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
        grace_s: float = 0.0,
        needs_lookup: bool | None = None,
    ) -> list[Entry]:
        """Take up to `limit` entries in `statuses` that nobody else holds, for `runner`.

        Free means: unclaimed, claimed by `runner`, lease expired (journal clock), or held
        by a runner proven dead (`runner_is_dead`). A `pending`/`unknown` key is only taken
        once `grace_s` has passed since it was sent: the call may still be running in the
        ERP. Each claim bumps the key's fence.
        """
        if keys is not None and not keys:
            return []
        taken: list[Entry] = []
        with self._tx() as cur:
            now = self._now(cur)
            base = f"system = ? AND kind = ? AND status IN {self._in(statuses)}"
            base_params: list[Any] = [system, kind, *[s.value for s in statuses]]
            dead = self._dead_runners(cur, base, base_params, runner, now)
            free = "claimed_by IS NULL OR claimed_by = ? OR lease_until_ms < ?"
            free_params: list[Any] = [runner, now]
            if dead:
                free += f" OR claimed_by IN {self._in(dead)}"
                free_params += dead
            where = f"{base} AND ({free})"
            params = base_params + free_params
            if grace_s > 0:
                where += " AND (status NOT IN (?, ?) OR sent_ms IS NULL OR sent_ms < ?)"
                params += [Status.PENDING.value, Status.UNKNOWN.value, now - int(grace_s * 1000)]
            if needs_lookup is not None:
                where += " AND needs_lookup = ?"
                params.append(int(needs_lookup))
            chunks = [None] if keys is None else list(_chunks(list(keys), CHUNK))
            for chunk in chunks:
                left = limit - len(taken)
                if left <= 0:
                    break
                clause, extra = where, list(params)
                if chunk is not None:
                    clause += f" AND key IN {self._in(chunk)}"
                    extra += chunk
                taken += self._select(
                    cur, clause, extra, f"ORDER BY key LIMIT {int(left)} {self.skip_locked}"
                )
            if not taken:
                return []
            lease = now + int(lease_s * 1000)
            for chunk in _chunks([e.key for e in taken], CHUNK):  # rows locked: fence + 1 is exact
                cur.execute(
                    self._q(
                        f"UPDATE {self.table} SET claimed_by = ?, lease_until_ms = ?, "
                        "updated_ms = ?, fence = fence + 1 "
                        f"WHERE system = ? AND kind = ? AND key IN {self._in(chunk)}"
                    ),
                    [runner, lease, now, system, kind, *chunk],
                )
        taken_over = [e for e in taken if e.claimed_by not in (None, runner)]
        if taken_over:
            log.warning(
                "journal takeover",
                runner=runner,
                keys=len(taken_over),
                previous={e.claimed_by for e in taken_over},
            )
        return [
            replace(e, claimed_by=runner, lease_until_ms=lease, updated_ms=now, fence=e.fence + 1)
            for e in taken
        ]

    def _dead_runners(
        self, cur: Any, base: str, params: list[Any], runner: str, now: int
    ) -> list[str]:
        """Holders with a live lease whose process is provably gone (same host and PID space)."""
        pattern = f"{HOST}:%:{NAMESPACE}:%"
        cur.execute(
            self._q(
                f"SELECT DISTINCT claimed_by FROM {self.table} WHERE {base} "
                "AND claimed_by LIKE ? AND claimed_by <> ? AND lease_until_ms >= ?"
            ),
            [*params, pattern, runner, now],
        )
        return [r for (r,) in cur.fetchall() if runner_is_dead(r)]

    def renew(self, runner: str, lease_s: float) -> int:
        """Extend every lease `runner` holds (the heartbeat while work goes on)."""
        with self._tx() as cur:
            now = self._now(cur)
            cur.execute(
                self._q(f"UPDATE {self.table} SET lease_until_ms = ? WHERE claimed_by = ?"),
                [now + int(lease_s * 1000), runner],
            )
            return int(cur.rowcount)

    def release(self, system: str, kind: str, runner: str) -> int:
        """Give back `queued` keys this runner claimed but did not send (end of a run)."""
        with self._tx() as cur:
            cur.execute(
                self._q(
                    f"UPDATE {self.table} SET claimed_by = NULL, lease_until_ms = NULL "
                    "WHERE system = ? AND kind = ? AND claimed_by = ? AND status = ?"
                ),
                [system, kind, runner, Status.QUEUED.value],
            )
            return int(cur.rowcount)

    # ------------------------------------------------------------------ state changes

    def mark(
        self,
        system: str,
        kind: str,
        key: str,
        status: Status,
        *,
        runner: str | None = None,
        fence: int | None = None,
        erp_document: str | None = None,
        message: str | None = None,
        stored_nothing: bool = False,
        reached_erp: bool = False,
        answered: bool = False,
    ) -> bool:
        """Record a step under the claim `runner` (and `fence`) holds; True if it held.

        `reached_erp`: the outcome proves the ERP had the key (an approver rejected its
        document), even if this journal never sent it: its content is fixed from now on.

        `stored_nothing`: a rejection by the ERP's own check (test run, document check),
        which stores nothing; if this was the key's first send, it counts as never having
        reached the ERP, so its content may still be corrected.

        `answered` (with `unknown`): the ERP answered that it did only part of the work (a SAP
        reversal reset but not reversed): the call is over, so the key gets no grace period
        (`sent_ms` cleared): the next run or `otc journal resolve` looks it up at once.

        `pending` keeps the claim (the runner is about to call the ERP) and needs a live
        lease on a `queued` key: else `LeaseLost`, and the key is not sent. (Keys flagged
        `needs_lookup` are never claimed for posting: `claim(needs_lookup=False)`.)
        `posted` is written even when the claim was lost (the ERP has the document;
        forgetting it would post it again), with an error logged. Any other outcome under a
        lost claim is left to the new holder and logged.
        """
        holder = "claimed_by = ?"
        held: list[Any] = [runner]
        if fence is not None:
            holder += " AND fence = ?"
            held.append(fence)
        with self._tx() as cur:
            now = self._now(cur)
            where = "system = ? AND kind = ? AND key = ?"
            ident: list[Any] = [system, kind, key]
            if status is Status.PENDING:
                sql = (
                    f"UPDATE {self.table} SET status = ?, message = ?, attempts = attempts + 1, "
                    "updated_ms = ?, sent_ms = ?, reached_erp = 1 "
                    f"WHERE {where} AND status = ?"
                )
                params: list[Any] = [status.value, message, now, now, *ident, Status.QUEUED.value]
                if runner is not None:
                    sql += f" AND {holder} AND lease_until_ms >= ?"
                    params += [*held, now]
                cur.execute(self._q(sql), params)
                if cur.rowcount == 1:
                    return True
                current = self._select(cur, where, ident)
                raise LeaseLost(key, runner or "anyone", current[0].claimed_by if current else None)
            sets = (
                "status = ?, erp_document = COALESCE(?, erp_document), message = ?, "
                "updated_ms = ?, claimed_by = NULL, lease_until_ms = NULL"
            )
            values: list[Any] = [status.value, erp_document, message, now]
            if status in (Status.POSTED, Status.QUEUED, Status.AWAITING) or reached_erp:
                sets += ", needs_lookup = 0"  # looked up or posted: the journal vouches now
            if status in IN_ERP or reached_erp:
                sets += ", reached_erp = 1"
            if status is Status.REJECTED and stored_nothing:
                sets += ", reached_erp = CASE WHEN attempts <= 1 THEN 0 ELSE reached_erp END"
            if status is Status.UNKNOWN and answered:
                sets += ", sent_ms = NULL"  # the ERP answered: nothing of the call still runs
            sql = f"UPDATE {self.table} SET {sets} WHERE {where}"
            params = [*values, *ident]
            if runner is not None:
                sql += f" AND {holder}"
                params += held
            cur.execute(self._q(sql), params)
            ok = bool(cur.rowcount == 1)
            if not ok and status in IN_ERP:
                current = self._select(cur, where, ident)
                log.error(
                    "journal conflict: posted under a lost claim; recorded anyway",
                    system=system,
                    kind=kind,
                    key=key,
                    erp_document=erp_document,
                    runner=runner,
                    holder=current[0].claimed_by if current else None,
                    status_before=current[0].status.value if current else None,
                )
                cur.execute(
                    self._q(f"UPDATE {self.table} SET {sets} WHERE {where}"), [*values, *ident]
                )
            if ok or status in IN_ERP:
                self._history(cur, system, kind, [key], now, runner)
        if not ok and status not in IN_ERP:
            log.warning(
                "journal: claim lost; outcome left to the new holder",
                system=system,
                kind=kind,
                key=key,
                status=status.value,
                runner=runner,
                message=message,
            )
        return ok

    def reject_unsent(
        self, system: str, kind: str, runner: str, rejections: Mapping[str, str]
    ) -> list[str]:
        """Mark keys rejected before anything was sent (pre-flight), so the journal says what
        the run's report says; keys another runner holds are left alone. Returns those marked."""
        marked: list[str] = []
        with self._tx() as cur:
            now = self._now(cur)
            for key, message in rejections.items():
                cur.execute(
                    self._q(
                        f"UPDATE {self.table} SET status = ?, message = ?, updated_ms = ?, "
                        "claimed_by = NULL, lease_until_ms = NULL "
                        "WHERE system = ? AND kind = ? AND key = ? AND status IN (?, ?) "
                        "AND (claimed_by IS NULL OR claimed_by = ? OR lease_until_ms < ?)"
                    ),
                    [
                        Status.REJECTED.value,
                        message,
                        now,
                        system,
                        kind,
                        key,
                        Status.QUEUED.value,
                        Status.REJECTED.value,
                        runner,
                        now,
                    ],
                )
                if cur.rowcount == 1:
                    marked.append(key)
            self._history(cur, system, kind, marked, now, runner)
        return marked

    def requeue_rejected(
        self, system: str, kind: str, keys: Sequence[str], *, reached_erp: bool
    ) -> list[str]:
        """Put free `rejected` keys back in the queue. A key that reached the ERP is flagged
        for a lookup first: the ERP may have posted it despite the rejection."""
        moved: list[str] = []
        with self._tx() as cur:
            now = self._now(cur)
            for chunk in _chunks(list(keys), CHUNK):
                where = (
                    f"system = ? AND kind = ? AND status = ? AND reached_erp = ? "
                    f"AND (claimed_by IS NULL OR lease_until_ms < ?) AND key IN {self._in(chunk)}"
                )
                params = [system, kind, Status.REJECTED.value, int(reached_erp), now, *chunk]
                moved += [e.key for e in self._select(cur, where, params)]
                cur.execute(
                    self._q(
                        f"UPDATE {self.table} SET status = ?, needs_lookup = ?, updated_ms = ?, "
                        f"claimed_by = NULL, lease_until_ms = NULL WHERE {where}"
                    ),
                    [Status.QUEUED.value, int(reached_erp), now, *params],
                )
        return moved

    # ------------------------------------------------------------------ reading

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
            for chunk in _chunks(list(keys), CHUNK):
                where = " AND ".join([*clauses, f"key IN {self._in(chunk)}"])
                out += self._select(cur, where, [*params, *chunk], "ORDER BY key")
        return out

    def history(self, key: str, system: str | None = None) -> list[tuple[str, str, Attempt]]:
        """Every recorded outcome of `key` (per system and kind), oldest first."""
        where, params = "key = ?", [key]
        if system is not None:
            where += " AND system = ?"
            params.append(system)
        with self._tx(write=False) as cur:
            cur.execute(
                self._q(
                    "SELECT system, kind, at_ms, content_hash, outcome, erp_document, message, "
                    f"runner FROM {self.history_table} WHERE {where} ORDER BY at_ms"
                ),
                params,
            )
            return [
                (
                    r[0],
                    r[1],
                    Attempt(
                        at_ms=int(r[2]),
                        content_hash=r[3],
                        outcome=r[4],
                        erp_document=r[5],
                        message=r[6],
                        runner=r[7],
                    ),
                )
                for r in cur.fetchall()
            ]


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class SqliteJournal(SqlJournal):
    """One file, WAL, `BEGIN IMMEDIATE` for writes: safe for workers on one machine."""

    def __init__(self, path: Path | str = ".otc/journal.db") -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise JournalUnavailable(self.describe(), str(exc)) from None
        self._local = threading.local()
        with self._tx() as cur:
            for ddl in self._ddl():
                cur.execute(ddl)
            self._migrate(cur)

    def describe(self) -> str:
        return f"sqlite {self.path.resolve()}"

    def _columns(self, cur: Any) -> set[str]:
        cur.execute(f"PRAGMA table_info({self.table})")
        return {r[1] for r in cur.fetchall()}

    def _schema_version(self, cur: Any) -> int:
        cur.execute("PRAGMA user_version")
        return int(cur.fetchone()[0])

    def _set_schema_version(self, cur: Any, version: int) -> None:
        cur.execute(f"PRAGMA user_version = {int(version)}")

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
        try:
            conn = self._conn()
            cur = conn.cursor()
            cur.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.Error as exc:
            raise JournalUnavailable(self.describe(), str(exc)) from None
        try:
            yield cur
        except sqlite3.Error as exc:
            _rollback(conn)
            raise JournalUnavailable(self.describe(), str(exc)) from None
        except BaseException:
            _rollback(conn)
            raise
        try:
            conn.commit()
        except sqlite3.Error as exc:
            raise JournalUnavailable(self.describe(), str(exc)) from None

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _rollback(conn: Any) -> None:
    with suppress(Exception):  # the connection is gone: nothing to roll back
        conn.rollback()


class PostgresJournal(SqlJournal):
    """Several runners on several machines: claims use `FOR UPDATE SKIP LOCKED`."""

    placeholder = "%s"
    skip_locked = "FOR UPDATE SKIP LOCKED"
    now_sql = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"

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
            self._migrate(cur)

    def describe(self) -> str:
        from psycopg.conninfo import conninfo_to_dict

        try:
            info = conninfo_to_dict(self._dsn)
        except self._psycopg.Error:
            return f"postgres table {self.table}"
        where = f"{info.get('host', 'localhost')}:{info.get('port', 5432)}/{info.get('dbname', '')}"
        user = f"{info['user']}@" if info.get("user") else ""
        return f"postgres {user}{where} table {self.table}"

    def _columns(self, cur: Any) -> set[str]:
        schema, _, name = self.table.rpartition(".")
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "AND table_schema = COALESCE(NULLIF(%s, ''), current_schema())",
            [name, schema],
        )
        return {r[0] for r in cur.fetchall()}

    def _schema_version(self, cur: Any) -> int:
        """The version lives in the table's comment (`otc-journal schema N`): no extra table
        to create, grant or drop."""
        cur.execute("SELECT obj_description(to_regclass(%s), 'pg_class')", [self.table])
        comment = (cur.fetchone() or [None])[0] or ""
        prefix = "otc-journal schema "
        return int(comment[len(prefix) :]) if comment.startswith(prefix) else 0

    def _set_schema_version(self, cur: Any, version: int) -> None:
        cur.execute(f"COMMENT ON TABLE {self.table} IS 'otc-journal schema {int(version)}'")

    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.broken:
            kwargs: dict[str, Any] = {"password": self._password} if self._password else {}
            conn = self._psycopg.connect(self._dsn, connect_timeout=10, **kwargs)
            conn.prepare_threshold = None  # custom plans: key lists are hashed, not scanned
            self._local.conn = conn
        return conn

    @contextmanager
    def _tx(self, write: bool = True) -> Iterator[Any]:
        error = self._psycopg.OperationalError
        try:
            conn = self._conn()
        except error as exc:
            raise JournalUnavailable(self.describe(), _first_line(exc)) from None
        try:
            with conn.transaction(), conn.cursor() as cur:
                yield cur
        except self._psycopg.IntegrityError:
            raise  # a bug in these statements, not an outage
        except self._psycopg.Error as exc:  # down, unreachable, table dropped, no permission
            raise JournalUnavailable(self.describe(), _first_line(exc)) from None

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


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
