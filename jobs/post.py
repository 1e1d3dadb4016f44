"""Post a file of cash applications, write-offs, reversals or refunds exactly once.

What differs between the kinds (the file, the unit, the adapter call, pre-flight) is in
jobs/kinds.py; the rest is this one job for all of them.

The order of a run (docs/exactly-once.md has the states, leases and lookups):
1. validate the whole file against its contract: any violation posts nothing;
2. journal every key with a hash of its content: a key reused with other content is refused
   (unless it was rejected before it ever reached the ERP: then it may come back corrected);
3. look in the ERP for every key the journal cannot vouch for: new to the journal, `pending`
   or `unknown` from earlier runs (once their grace period has passed), rejected keys the
   user retries; found = `posted`, not found = `queued`;
4. skip keys already `posted` (reported `duplicate`), rejected by the ERP (unless retried),
   held by another live runner or still within their grace period (reported `unknown`);
5. pre-flight the rest against the ERP: by default one failure posts nothing; rejections
   are journaled, so `otc journal show` says what the report says;
6. post with N workers, one customer at a time per worker (SAP locks the customer account
   for the whole call), each key claimed under a renewed lease, `pending` before the call
   and `posted`, `rejected` or `unknown` after it; transient faults are retried, an unknown
   outcome never is.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from adapters.errors import ContractError, OutcomeUnknown, TransientError, Violation
from adapters.retry import transient_policy
from contracts.io import COMMA, CsvDialect, read_frame, schema_of
from contracts.validate import validate
from jobs import logs, lookups, preflight
from jobs.clock import runner_now
from jobs.journal import (
    IN_ERP,
    Entry,
    JournalUnavailable,
    LeaseLost,
    SqlJournal,
    Status,
    runner_id,
    runner_is_dead,
)
from jobs.kinds import SPECS, Kind, spec_for

__all__ = ["SPECS", "Kind", "PostJob", "PostOptions", "Report", "content_hash"]
#: Seconds added to the transport timeout before a sent key may be looked up and requeued:
#: a real ERP keeps working after its client gave up (issue 13).
GRACE_MARGIN_S = 30.0
FALLBACK_TIMEOUT_S = 120.0


@dataclass
class PostOptions:
    dry_run: bool = False
    workers: int = 1
    retry_rejected: bool = False
    post_valid: bool = False
    attempts: int = 5
    budget_s: float = 120.0
    lease_s: float = 60.0  # renewed every lease_s / 3 while the run works
    grace_s: float | None = None  # None: the adapter's timeout_s + grace_margin_s
    grace_margin_s: float = GRACE_MARGIN_S
    lookup_batch: int = 200  # keys per find_posted call
    sleep: Callable[[float], Any] | None = None  # tests: no real backoff
    dialect: CsvDialect = COMMA  # --delimiter / --decimal-comma for CSV files


@dataclass
class Report:
    """What a run did; `results` is a PostingResults frame."""

    kind: str
    system: str
    source: str
    results: pl.DataFrame
    preflight: list[preflight.Problem] = field(default_factory=list)
    dry_run: bool = False
    journal_problem: str | None = None  # the journal failed during the run
    unrecorded: list[str] = field(default_factory=list)  # sent, outcome not journaled

    def counts(self) -> dict[str, int]:
        return (
            dict(self.results.group_by("status").len().iter_rows()) if self.results.height else {}
        )

    @property
    def exit_code(self) -> int:
        counts = self.counts()
        if counts.get("unknown") or self.unrecorded:
            return 3
        if self.journal_problem:
            return 2
        if counts.get("rejected") or self.preflight:
            return 1
        return 0


def content_hash(rows: pl.DataFrame) -> str:
    """A stable hash of a key's rows: same content, same hash, whatever the row order."""
    ordered = rows.select(sorted(rows.columns)).sort(pl.all())
    return hashlib.sha256(ordered.write_csv().encode("utf-8")).hexdigest()


class PostJob:
    def __init__(
        self,
        adapter: Any,
        journal: SqlJournal,
        kind: Kind,
        options: PostOptions | None = None,
        *,
        run_id: str | None = None,
    ) -> None:
        self.adapter, self.journal, self.kind = adapter, journal, kind
        self.spec = spec_for(kind, adapter)
        self.options = options or PostOptions()
        self.system = str(adapter.name)
        self.run_id = run_id or runner_now().strftime("%Y%m%dT%H%M%SZ") + "-" + runner_id()[-6:]
        self.runner = runner_id()
        settings = getattr(adapter, "settings", None)
        timeout = float(getattr(settings, "timeout_s", FALLBACK_TIMEOUT_S))
        self.grace_s = (
            self.options.grace_s
            if self.options.grace_s is not None
            else timeout + self.options.grace_margin_s
        )
        self.companies = tuple(str(c) for c in getattr(settings, "companies", ()) or ())
        self.log = logs.get_logger(
            "otc.jobs.post", system=self.system, kind=kind, run_id=self.run_id, runner=self.runner
        )
        self._journal_failed: JournalUnavailable | None = None
        self._retrying: set[str] = set()  # reached the ERP, rejected, retried on this run
        self._unrecorded: list[str] = []
        self._lock = threading.Lock()

    # -------------------------------------------------------------- input

    def read(self, path: Path) -> pl.DataFrame:
        frame = read_frame(path, self.spec.entity, self.options.dialect)
        if frame.height == 0:
            raise ContractError(
                self.spec.entity,
                str(path),
                [Violation(str(path), None, None, "the file holds no rows", None)],
            )
        return frame

    def units(self, frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
        key = self.spec.key_column
        return {str(k): g for (k,), g in frame.group_by(key, maintain_order=True)}

    # -------------------------------------------------------------- looking in the ERP

    def settle(self, keys: list[str] | None = None) -> dict[str, str]:
        """Look up, in batches, every key the journal cannot vouch for: `pending`/`unknown`
        keys whose grace period has passed, and `queued` keys flagged for a lookup (new to
        the journal, or rejected keys being retried). Found = posted, not found = queued."""
        settled: dict[str, str] = {}
        passes: list[tuple[list[Status], float, bool | None]] = [
            ([Status.PENDING, Status.UNKNOWN], self.grace_s, None),
            ([Status.QUEUED], 0.0, True),
        ]
        for statuses, grace_s, needs_lookup in passes:
            while batch := self.journal.claim(
                self.system,
                self.kind,
                self.runner,
                statuses=statuses,
                keys=keys,
                limit=self.options.lookup_batch,
                lease_s=self.options.lease_s,
                grace_s=grace_s,
                needs_lookup=needs_lookup,
            ):
                settled |= self._look_up(batch)
        # has the approver decided? Asked once per run: a key still waiting stays waiting
        waiting = [
            e.key for e in self.journal.entries(self.system, self.kind, [Status.AWAITING], keys)
        ]
        for start in range(0, len(waiting), self.options.lookup_batch):
            chunk = waiting[start : start + self.options.lookup_batch]
            if batch := self.journal.claim(
                self.system,
                self.kind,
                self.runner,
                statuses=[Status.AWAITING],
                keys=chunk,
                limit=len(chunk),
                lease_s=self.options.lease_s,
            ):
                settled |= self._look_up(batch)
        return settled

    def _look_up(self, batch: list[Entry]) -> dict[str, str]:
        found = lookups.read(self.adapter.find_posted(self.kind, [e.key for e in batch]))
        settled: dict[str, str] = {}
        for entry in batch:
            status, document, message = lookups.verdict(
                entry, found.get(entry.key), retried=entry.key in self._retrying
            )
            self.journal.mark(
                self.system,
                self.kind,
                entry.key,
                status,
                runner=self.runner,
                fence=entry.fence,
                erp_document=document,
                message=message,
                reached_erp=status is Status.REJECTED,  # only an approver's no: it was there
            )
            settled[entry.key] = status.value
        self.log.info(
            "looked up",
            count=len(batch),
            posted=sum(1 for v in settled.values() if v == "posted"),
        )
        return settled

    # -------------------------------------------------------------- leases

    @contextmanager
    def _heartbeat(self) -> Iterator[None]:
        """Renew this runner's leases while the run works: a slow ERP must not let another
        runner take over keys this one is still posting."""
        stop = threading.Event()
        every = max(0.05, self.options.lease_s / 3)

        def beat() -> None:
            try:
                while not stop.wait(every):
                    try:
                        self.journal.renew(self.runner, self.options.lease_s)
                    except JournalUnavailable as exc:
                        self.log.error("lease renewal failed", error=str(exc))
            finally:
                self.journal.close()  # this thread's connection

        thread = threading.Thread(target=beat, name="otc-lease-heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=30)

    # -------------------------------------------------------------- posting one key

    def _post_one(self, entry: Entry, rows: pl.DataFrame) -> dict[str, Any]:
        key = entry.key
        if self._journal_failed is not None:
            return self._row(key, "rejected", message="not posted: the journal is unavailable")
        try:
            self.journal.mark(
                self.system, self.kind, key, Status.PENDING, runner=self.runner, fence=entry.fence
            )
        except LeaseLost as exc:
            return self._held(key, exc.holder)
        except JournalUnavailable as exc:
            self._journal_down(exc)
            return self._row(key, "rejected", message="not posted: the journal is unavailable")
        post = self._poster(rows)
        policy = transient_policy(
            self.options.attempts, self.options.budget_s, sleep=self.options.sleep or time.sleep
        )
        try:
            result = dict(policy(post, False))
        except OutcomeUnknown as exc:
            return self._record(entry, Status.UNKNOWN, None, str(exc))
        except TransientError as exc:  # never reached the ERP's books: back to the queue
            self._record(entry, Status.QUEUED, None, str(exc))
            return self._row(
                key, "rejected", message=f"not posted, retries exhausted: {exc}; rerun"
            )
        except Exception as exc:  # anything else after `pending`: an outcome we cannot vouch for
            self.log.exception("posting failed", key=key)
            return self._record(entry, Status.UNKNOWN, None, repr(exc))
        # pending_approval: the document exists in the ERP, held for an approver: never sent
        # again, looked up on every run until the approver decides (issue 15)
        posted = result["status"] in ("posted", "pending_approval")
        # unknown: the ERP answered that it did part of the work (a SAP reversal whose reset
        # committed and whose FB08 failed): not `rejected`, it changed the ERP; the call is
        # over, so the next run looks the key up at once (no grace) and sends it again if
        # it is not found: the adapter then finishes it (docs/exactly-once.md, "Half done")
        status = {
            "posted": Status.POSTED,
            "pending_approval": Status.AWAITING,
            "unknown": Status.UNKNOWN,
        }.get(str(result["status"]), Status.REJECTED)
        return self._record(
            entry,
            status,
            result.get("erp_document"),
            result.get("message"),
            shown=str(result["status"]) if posted else None,
            stored_nothing=result.get("stage") == "check",
            answered=status is Status.UNKNOWN,
        )

    def _record(
        self,
        entry: Entry,
        status: Status,
        document: str | None,
        message: str | None,
        shown: str | None = None,
        *,
        stored_nothing: bool = False,
        answered: bool = False,
    ) -> dict[str, Any]:
        """Journal what the ERP did; if the journal is gone, keep it in the report and log it
        loudly: a posted document number is never dropped."""
        shown = shown or {Status.QUEUED: "rejected"}.get(status, status.value)
        try:
            self.journal.mark(
                self.system,
                self.kind,
                entry.key,
                status,
                runner=self.runner,
                fence=entry.fence,
                erp_document=document,
                message=message,
                stored_nothing=stored_nothing,
                answered=answered,
            )
        except JournalUnavailable as exc:
            self._journal_down(exc)
            with self._lock:
                self._unrecorded.append(entry.key)
            self.log.error(
                "outcome NOT journaled: the journal is unavailable",
                key=entry.key,
                status=status.value,
                erp_document=document,
                message=message,
            )
            note = "; NOT in the journal (it was unavailable): keep this report"
            return self._row(
                entry.key, shown, erp_document=document, message=(message or "") + note
            )
        return self._row(entry.key, shown, erp_document=document, message=message)

    def _journal_down(self, exc: JournalUnavailable) -> None:
        with self._lock:
            if self._journal_failed is None:
                self._journal_failed = exc
                self.log.error("journal unavailable; posting stops", error=str(exc))

    def _held(self, key: str, holder: str | None) -> dict[str, Any]:
        return self._row(
            key,
            "unknown",
            message=f"held by runner {holder or '(none)'}: another run is posting it; "
            "not posted here (its report or `otc journal show` has the outcome)",
        )

    def _poster(self, rows: pl.DataFrame) -> Callable[[bool], dict[str, Any]]:
        return lambda dry: self.spec.post(self.adapter, rows, dry)

    def _row(
        self, key: str, status: str, *, erp_document: str | None = None, message: str | None = None
    ) -> dict[str, Any]:
        return {
            "key": key,
            "kind": self.kind,
            "system": self.system,
            "status": status,
            "erp_document": erp_document,
            "message": message,
        }

    # -------------------------------------------------------------- the run

    def run(
        self,
        path: Path,
        on_progress: Callable[[int], None] | None = None,
        on_total: Callable[[int], None] | None = None,
    ) -> Report:
        frame = self.read(path)
        units = self.units(frame)
        if self.options.dry_run:
            return self._dry_run(path, frame, units, on_progress, on_total)
        try:
            with self._heartbeat():
                results, problems = self._run(units, on_progress, on_total)
        except JournalUnavailable as exc:
            raise JournalUnavailable(exc.where, exc.detail, 3 if self._unrecorded else 2) from None
        finally:
            with suppress(JournalUnavailable):  # if it fails, the leases run out by themselves
                self.journal.release(self.system, self.kind, self.runner)
        report = self._report(path, results, problems)
        if self._journal_failed is not None:
            report.journal_problem = str(self._journal_failed)
            report.unrecorded = list(self._unrecorded)
        return report

    def _run(
        self,
        units: dict[str, pl.DataFrame],
        on_progress: Callable[[int], None] | None,
        on_total: Callable[[int], None] | None,
    ) -> tuple[dict[str, dict[str, Any]], list[preflight.Problem]]:
        keys = list(units)
        results: dict[str, dict[str, Any]] = {}
        self.journal.register(
            self.system, self.kind, {k: content_hash(g) for k, g in units.items()}, self.run_id
        )
        # rejected before the ERP (pre-flight): checked again on every run
        self.journal.requeue_rejected(self.system, self.kind, keys, reached_erp=False)
        if self.options.retry_rejected:  # the ERP may have posted it anyway: look first
            self._retrying = set(
                self.journal.requeue_rejected(self.system, self.kind, keys, reached_erp=True)
            )
        if callable(expect := getattr(self.adapter, "expect", None)):
            # the rows: an adapter may look keys up by item (indexed) when it settles them
            expect(self.kind, pl.concat(list(units.values())))
        self.settle(keys)
        now = self.journal.now_ms()
        todo: dict[str, pl.DataFrame] = {}
        for entry in self.journal.entries(self.system, self.kind, keys=keys):
            row = self._skip(entry, now)
            if row is None:
                todo[entry.key] = units[entry.key]
            else:
                results[entry.key] = row
        problems = self._preflight(todo)
        if problems:
            problems = self._taken_meanwhile(problems, todo, results)
        rejections = {p.key: f"pre-flight: {p.message}" for p in problems}
        if problems and not self.options.post_valid:
            for key in todo:
                rejections.setdefault(
                    key,
                    "not posted: another item of this file failed pre-flight "
                    "(--post-valid posts the rest)",
                )
            self.log.warning("preflight failed; nothing posted", problems=len(problems))
        for key, message in rejections.items():
            results[key] = self._row(key, "rejected", message=message)
        if rejections:
            self.journal.reject_unsent(self.system, self.kind, self.runner, rejections)
        todo = {k: g for k, g in todo.items() if k not in rejections}
        if on_total:
            on_total(len(todo))
        self._post_all(todo, results, on_progress)
        return results, problems

    def _taken_meanwhile(
        self,
        problems: list[preflight.Problem],
        todo: dict[str, pl.DataFrame],
        results: dict[str, dict[str, Any]],
    ) -> list[preflight.Problem]:
        """Problems of keys another runner claimed or posted after this run read the journal
        are not rejections: their item is no longer open because that runner posted it (a
        runner claims a key before it sends it). They are reported as that runner left them,
        and taken out of this run; the other problems stand."""
        now = self.journal.now_ms()
        failed = sorted({p.key for p in problems})
        taken: set[str] = set()
        for entry in self.journal.entries(self.system, self.kind, keys=failed):
            other = entry.claimed_by not in (None, self.runner)
            if entry.status in IN_ERP or (other and entry.status is not Status.REJECTED):
                row = self._skip(entry, now) or self._held(entry.key, entry.claimed_by)
                results[entry.key] = row
                taken.add(entry.key)
        for key in taken:
            todo.pop(key, None)
        return [p for p in problems if p.key not in taken]

    def _skip(self, entry: Entry, now: int) -> dict[str, Any] | None:
        """The report row of a key this run does not post, or None to post it."""
        key = entry.key
        held = (
            entry.claimed_by not in (None, self.runner)
            and (entry.lease_until_ms or 0) >= now
            and not runner_is_dead(entry.claimed_by)
        )
        if entry.status is Status.AWAITING:
            return self._row(
                key,
                "pending_approval",
                erp_document=entry.erp_document,
                message=f"{entry.message or 'in the ERP, awaiting approval'}; not sent again "
                "(looked up on every run until an approver decides)",
            )
        if entry.status is Status.POSTED:
            return self._row(
                key,
                "duplicate",
                erp_document=entry.erp_document,
                message=f"already posted; skipped ({entry.message})"
                if entry.message and entry.message.startswith("found")
                else "already posted; skipped",
            )
        if entry.status is Status.REJECTED and not held:
            return self._row(
                key,
                "rejected",
                message=f"rejected earlier, skipped (--retry-rejected to try again): "
                f"{entry.message}",
            )
        if entry.status in (Status.PENDING, Status.UNKNOWN):
            if entry.sent_ms is not None and now < entry.sent_ms + self.grace_s * 1000:
                wait = (entry.sent_ms + self.grace_s * 1000 - now) / 1000
                return self._row(
                    key,
                    "unknown",
                    message=f"sent {(now - entry.sent_ms) / 1000:.0f}s ago "
                    f"({entry.claimed_by or 'runner gone'}) and may still be running in the "
                    f"ERP; looked up only after the grace period ({self.grace_s:.0f}s): "
                    f"rerun in {wait:.0f}s",
                )
            if held:
                return self._held(key, entry.claimed_by)
            return self._row(
                key,
                "unknown",
                message=f"outcome unknown: {entry.message}; "
                f"run `otc journal resolve --system {self.system}`",
            )
        if held or entry.needs_lookup:
            return self._held(key, entry.claimed_by)
        return None

    def _preflight(self, todo: dict[str, pl.DataFrame]) -> list[preflight.Problem]:
        if not todo:
            return []
        return self.spec.preflight(
            self.adapter, pl.concat(list(todo.values())), self.companies, self.system
        )

    def _post_all(
        self,
        todo: dict[str, pl.DataFrame],
        results: dict[str, dict[str, Any]],
        on_progress: Callable[[int], None] | None,
    ) -> None:
        """One task per customer: a worker posts a customer's keys one after the other, so
        two workers never hold the same customer account's lock (SAP's enqueue, FB05)."""
        groups: dict[tuple[str, str], list[str]] = {}
        for key, rows in todo.items():
            first = rows.row(0, named=True)
            groups.setdefault((str(first["company"]), str(first["customer_id"])), []).append(key)
        with ThreadPoolExecutor(max_workers=max(1, self.options.workers)) as pool:
            futures = [pool.submit(self._post_group, keys, todo) for keys in groups.values()]
            for future in as_completed(futures):
                for row in future.result():
                    results[row["key"]] = row
                    if on_progress:
                        on_progress(1)
        self.log.info("posted", keys=len(todo), customers=len(groups))

    def _post_group(
        self, keys: Sequence[str], todo: dict[str, pl.DataFrame]
    ) -> list[dict[str, Any]]:
        if self._journal_failed is not None:
            return [
                self._row(k, "rejected", message="not posted: the journal is unavailable")
                for k in keys
            ]
        try:
            claimed = {
                e.key: e
                for e in self.journal.claim(
                    self.system,
                    self.kind,
                    self.runner,
                    statuses=[Status.QUEUED],
                    keys=list(keys),
                    limit=len(keys),
                    lease_s=self.options.lease_s,
                    needs_lookup=False,
                )
            }
            missing = [k for k in keys if k not in claimed]
            others = {
                e.key: e
                for e in (
                    self.journal.entries(self.system, self.kind, keys=missing) if missing else []
                )
            }
        except JournalUnavailable as exc:
            self._journal_down(exc)
            return [
                self._row(k, "rejected", message="not posted: the journal is unavailable")
                for k in keys
            ]
        rows = []
        for key in keys:
            if key in claimed:
                rows.append(self._post_one(claimed[key], todo[key]))
            elif (other := others.get(key)) is not None and other.status in IN_ERP:
                rows.append(
                    self._row(
                        key,
                        "duplicate" if other.status is Status.POSTED else "pending_approval",
                        erp_document=other.erp_document,
                        message="posted meanwhile by another runner; skipped",
                    )
                )
            else:
                rows.append(self._held(key, other.claimed_by if other else None))
        return rows

    def _dry_run(
        self,
        path: Path,
        frame: pl.DataFrame,
        units: dict[str, pl.DataFrame],
        on_progress: Callable[[int], None] | None,
        on_total: Callable[[int], None] | None,
    ) -> Report:
        """As far as the ERP's own check; nothing journaled, nothing posted."""
        results: dict[str, dict[str, Any]] = {}
        problems = self._preflight(units)
        for p in problems:
            results[p.key] = self._row(p.key, "rejected", message=f"pre-flight: {p.message}")
        if problems and not self.options.post_valid:
            for key in units:
                results.setdefault(
                    key,
                    self._row(
                        key,
                        "rejected",
                        message="not posted: another item of "
                        "this file failed pre-flight (--post-valid posts the rest)",
                    ),
                )
            return self._report(path, results, problems)
        todo = {k: g for k, g in units.items() if k not in results}
        if on_total:
            on_total(len(todo))
        policy = transient_policy(
            self.options.attempts, self.options.budget_s, sleep=self.options.sleep or time.sleep
        )

        def check(key: str) -> dict[str, Any]:
            result = dict(policy(self._poster(todo[key]), True))
            status = str(result["status"])  # the ERP accepted it and kept nothing: not `posted`
            return self._row(
                key,
                "checked" if status == "posted" else status,
                erp_document=result.get("erp_document"),
                message=result.get("message"),
            )

        with ThreadPoolExecutor(max_workers=max(1, self.options.workers)) as pool:
            for row in pool.map(check, todo):
                results[row["key"]] = row
                if on_progress:
                    on_progress(1)
        return self._report(path, results, problems)

    def _report(
        self, path: Path, results: dict[str, dict[str, Any]], problems: list[preflight.Problem]
    ) -> Report:
        now = runner_now()
        rows = [
            {"posted_at": now, "erp_document": None, "message": None, **r} for r in results.values()
        ]
        frame = (
            pl.DataFrame(rows, schema=schema_of("posting_results"))
            if rows
            else pl.DataFrame(schema=schema_of("posting_results"))
        )
        frame = validate(frame.sort("key"), "posting_results", source="posting results")
        return Report(self.kind, self.system, str(path), frame, problems, self.options.dry_run)
