"""Post a file of cash applications or write-offs exactly once.

The order of a run (docs/architecture.md, "Exactly-once posting"):
1. validate the whole file against its contract: any violation posts nothing;
2. journal every key with a hash of its content: a key reused with other content is refused;
3. settle keys left `pending` or `unknown` by earlier runs by looking in the ERP;
4. skip keys already `posted` (reported `duplicate`) and `rejected` ones (unless retried);
5. pre-flight the rest against the ERP: by default one failure posts nothing;
6. post with N workers, each key `pending` before the call and `posted`, `rejected` or
   `unknown` after it; transient faults are retried, an unknown outcome never is.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import polars as pl

from adapters.errors import ContractError, OutcomeUnknown, TransientError, Violation
from adapters.retry import transient_policy
from contracts.io import COMMA, CsvDialect, read_frame, schema_of
from contracts.validate import validate
from jobs import logs, preflight
from jobs.journal import SqlJournal, Status, runner_id

Kind = Literal["cash_application", "write_off"]
ENTITY: dict[str, str] = {"cash_application": "cash_applications", "write_off": "write_offs"}
KEY_COLUMN: dict[str, str] = {"cash_application": "application_id", "write_off": "writeoff_id"}
AMOUNTS: dict[str, dict[str, str]] = {
    "cash_application": {"applied": "applied_amount", "discount": "discount_amount"},
    "write_off": {"applied": "amount"},
}


@dataclass
class PostOptions:
    dry_run: bool = False
    workers: int = 1
    retry_rejected: bool = False
    post_valid: bool = False
    attempts: int = 5
    budget_s: float = 120.0
    lease_s: float = 600.0
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

    def counts(self) -> dict[str, int]:
        return (
            dict(self.results.group_by("status").len().iter_rows()) if self.results.height else {}
        )

    @property
    def exit_code(self) -> int:
        counts = self.counts()
        if counts.get("unknown"):
            return 3
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
        self.options = options or PostOptions()
        self.system = str(adapter.name)
        self.run_id = (
            run_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
        )
        self.runner = runner_id()
        self.log = logs.get_logger(
            "otc.jobs.post", system=self.system, kind=kind, run_id=self.run_id
        )

    # -------------------------------------------------------------- input

    def read(self, path: Path) -> pl.DataFrame:
        frame = read_frame(path, ENTITY[self.kind], self.options.dialect)
        if frame.height == 0:
            raise ContractError(
                ENTITY[self.kind],
                str(path),
                [Violation(str(path), None, None, "the file holds no rows", None)],
            )
        return frame

    def units(self, frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
        key = KEY_COLUMN[self.kind]
        return {str(k): g for (k,), g in frame.group_by(key, maintain_order=True)}

    # -------------------------------------------------------------- steps

    def settle(self, keys: list[str] | None = None) -> dict[str, str]:
        """Look up `pending`/`unknown` keys in the ERP: found = posted, not found = queued."""
        settled: dict[str, str] = {}
        while batch := self.journal.claim(
            self.system,
            self.kind,
            self.runner,
            statuses=[Status.PENDING, Status.UNKNOWN],
            keys=keys,
            limit=200,
            lease_s=self.options.lease_s,
        ):
            found = self.adapter.find_posted(self.kind, [e.key for e in batch])
            documents = dict(found.iter_rows())
            for entry in batch:
                document = documents.get(entry.key)
                if document:
                    self.journal.mark(
                        self.system,
                        self.kind,
                        entry.key,
                        Status.POSTED,
                        runner=self.runner,
                        erp_document=document,
                        message="settled: found in the ERP",
                    )
                    settled[entry.key] = "posted"
                else:
                    self.journal.mark(
                        self.system,
                        self.kind,
                        entry.key,
                        Status.QUEUED,
                        runner=self.runner,
                        message="settled: not in the ERP, will be posted",
                    )
                    settled[entry.key] = "queued"
            self.log.info(
                "settled",
                count=len(batch),
                posted=sum(1 for v in settled.values() if v == "posted"),
            )
        return settled

    def _post_one(self, key: str, rows: pl.DataFrame) -> dict[str, Any]:
        post = self._poster(rows)
        policy = transient_policy(
            self.options.attempts, self.options.budget_s, sleep=self.options.sleep or time.sleep
        )
        if self.options.dry_run:  # the ERP accepted it and kept nothing: not `posted`
            checked = dict(policy(post, True))
            if checked.get("status") == "posted":
                checked["status"] = "checked"
            return checked
        self.journal.mark(self.system, self.kind, key, Status.PENDING, runner=self.runner)
        try:
            result = dict(policy(post, False))
        except OutcomeUnknown as exc:
            self.journal.mark(
                self.system, self.kind, key, Status.UNKNOWN, runner=self.runner, message=str(exc)
            )
            return self._row(key, "unknown", message=str(exc))
        except TransientError as exc:  # never reached the ERP's books: back to the queue
            self.journal.mark(
                self.system, self.kind, key, Status.QUEUED, runner=self.runner, message=str(exc)
            )
            return self._row(
                key, "rejected", message=f"not posted, retries exhausted: {exc}; rerun"
            )
        except Exception as exc:
            # anything else after `pending` is an outcome we cannot vouch for
            self.journal.mark(
                self.system, self.kind, key, Status.UNKNOWN, runner=self.runner, message=repr(exc)
            )
            raise
        status = Status.POSTED if result["status"] == "posted" else Status.REJECTED
        self.journal.mark(
            self.system,
            self.kind,
            key,
            status,
            runner=self.runner,
            erp_document=result.get("erp_document"),
            message=result.get("message"),
        )
        return result

    def _poster(self, rows: pl.DataFrame) -> Callable[[bool], dict[str, Any]]:
        if self.kind == "cash_application":
            return lambda dry: dict(self.adapter.post_payment(rows, dry_run=dry))
        row = rows.row(0, named=True)
        return lambda dry: dict(self.adapter.post_write_off(row, dry_run=dry))

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
        results: dict[str, dict[str, Any]] = {}
        if not self.options.dry_run:
            self.journal.register(
                self.system, self.kind, {k: content_hash(g) for k, g in units.items()}, self.run_id
            )
            self.settle(list(units))
            entries = {
                e.key: e for e in self.journal.entries(self.system, self.kind, keys=list(units))
            }
            for key, entry in entries.items():
                if entry.status is Status.POSTED:
                    results[key] = self._row(
                        key,
                        "duplicate",
                        erp_document=entry.erp_document,
                        message="already posted; skipped",
                    )
                elif entry.status is Status.REJECTED and not self.options.retry_rejected:
                    results[key] = self._row(
                        key,
                        "rejected",
                        message=f"rejected earlier, skipped "
                        f"(--retry-rejected to try again): {entry.message}",
                    )
                elif entry.status is Status.REJECTED:
                    self.journal.claim(
                        self.system, self.kind, self.runner, statuses=[Status.REJECTED], keys=[key]
                    )
                    self.journal.mark(
                        self.system, self.kind, key, Status.QUEUED, runner=self.runner
                    )
        todo = {k: g for k, g in units.items() if k not in results}
        problems = preflight.check(
            self.adapter,
            pl.concat(list(todo.values())) if todo else frame.clear(),
            KEY_COLUMN[self.kind],
            AMOUNTS[self.kind],
        )
        bad = {p.key for p in problems}
        for p in problems:
            results[p.key] = self._row(p.key, "rejected", message=f"pre-flight: {p.message}")
        if problems and not self.options.post_valid:
            for key in todo:
                results.setdefault(
                    key,
                    self._row(
                        key,
                        "rejected",
                        message="not posted: another item of "
                        "this file failed pre-flight (--post-valid posts the rest)",
                    ),
                )
            self.log.warning("preflight failed; nothing posted", problems=len(problems))
            return self._report(path, results, problems)
        todo = {k: g for k, g in todo.items() if k not in bad}
        if on_total:
            on_total(len(todo))
        self._post_all(todo, results, on_progress)
        return self._report(path, results, problems)

    def _post_all(
        self,
        todo: dict[str, pl.DataFrame],
        results: dict[str, dict[str, Any]],
        on_progress: Callable[[int], None] | None,
    ) -> None:
        if self.options.dry_run:
            claimed = list(todo)
        else:
            claimed = []
            while batch := self.journal.claim(
                self.system,
                self.kind,
                self.runner,
                statuses=[Status.QUEUED],
                keys=[k for k in todo if k not in claimed],
                limit=500,
                lease_s=self.options.lease_s,
            ):
                claimed += [e.key for e in batch]
            for key in todo:
                if key not in claimed:  # another runner holds it: it will report it
                    results[key] = self._row(
                        key, "rejected", message="claimed by another runner; not posted here"
                    )
        with ThreadPoolExecutor(max_workers=max(1, self.options.workers)) as pool:
            futures = {pool.submit(self._post_one, key, todo[key]): key for key in claimed}
            for future in as_completed(futures):
                key = futures[future]
                try:
                    results[key] = future.result()
                except Exception as exc:  # an unknown outcome: journaled as such above
                    results[key] = self._row(key, "unknown", message=repr(exc))
                if on_progress:
                    on_progress(1)
        self.log.info("checked" if self.options.dry_run else "posted", count=len(claimed))

    def _report(
        self, path: Path, results: dict[str, dict[str, Any]], problems: list[preflight.Problem]
    ) -> Report:
        now = datetime.now(UTC)
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
