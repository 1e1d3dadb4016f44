"""Write-offs an approver must approve (issue 15), through the real PostJob and journal.

The adapter here is a stand-in for EBS's approval flow (status W, then A or R), answering
`find_posted` with the `state` column the Oracle adapter gains on branch ora-cm; the
Oracle end-to-end test against the mock's approver action lives with that adapter.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from contracts.io import write_frame
from contracts.money import MONEY_DTYPE
from jobs.journal import SqliteJournal, Status
from jobs.post import PostJob, PostOptions


class ApprovingErp:
    """EBS adjustments over the approval limit: created W, then approved (A) or rejected (R)
    by an approver; a rejected adjustment's key may be posted anew (`allow_repost`)."""

    name = "ebs"

    def __init__(self, *, with_state: bool = True) -> None:
        self.adjustments: list[dict[str, Any]] = []
        self.with_state = with_state

    def decide(self, key: str, status: str) -> None:
        live = [a for a in self.adjustments if a["key"] == key and a["status"] == "W"]
        live[-1]["status"] = status

    def pull_customers(self, companies: Sequence[str]) -> Iterator[pl.DataFrame]:
        yield pl.DataFrame({"customer_id": ["1001"], "posting_block": [False]})

    def pull_open_items(
        self, companies: Sequence[str], customers: Sequence[str] | None = None, as_of: Any = None
    ) -> Iterator[pl.DataFrame]:
        yield pl.DataFrame(
            {
                "company": ["Vision Operations"],
                "customer_id": ["1001"],
                "document_id": ["5001"],
                "fiscal_year": [0],
                "line": [1],
                "currency": ["USD"],
                "amount": pl.Series([Decimal("900.00")], dtype=MONEY_DTYPE),
            }
        )

    def post_write_off(self, row: dict[str, Any], dry_run: bool = False) -> dict[str, Any]:
        base = {"key": row["writeoff_id"], "kind": "write_off", "system": self.name}
        number = str(1000 + len(self.adjustments))
        if not dry_run:
            self.adjustments.append({"key": row["writeoff_id"], "number": number, "status": "W"})
        return {
            **base,
            "status": "pending_approval",
            "erp_document": number,
            "message": f"adjustment {number} is pending approval (status W)",
        }

    def find_posted(self, kind: str, keys: Sequence[str]) -> pl.DataFrame:
        state = {"A": "posted", "W": "awaiting_approval", "R": "rejected"}
        found: dict[str, tuple[str, str]] = {}
        for adj in self.adjustments:  # the newest adjustment of a key answers
            found[adj["key"]] = (adj["number"], state[adj["status"]])
        if not self.with_state:  # today's adapter: a rejected adjustment is not found
            found = {k: v for k, v in found.items() if v[1] != "rejected"}
        frame = pl.DataFrame(
            {
                "key": list(keys),
                "erp_document": [found.get(k, (None, None))[0] for k in keys],
                "state": [found.get(k, (None, None))[1] for k in keys],
            },
            schema={"key": pl.String, "erp_document": pl.String, "state": pl.String},
        )
        return frame if self.with_state else frame.drop("state")


def write_offs(path: Path) -> Path:
    frame = pl.DataFrame(
        {
            "writeoff_id": ["WO-APR-1"],
            "company": ["Vision Operations"],
            "customer_id": ["1001"],
            "document_id": ["5001"],
            "fiscal_year": [0],
            "line": [1],
            "currency": ["USD"],
            "amount": pl.Series([Decimal("250.00")], dtype=MONEY_DTYPE),
            "reason_code": ["SMALL"],
            "posting_date": [date(2026, 11, 27)],
            "memo": [None],
        },
        schema_overrides={"memo": pl.String},
    )
    return write_frame(frame, path, "write_offs")


def run(erp: ApprovingErp, journal: SqliteJournal, path: Path, **options: Any) -> Any:
    return PostJob(erp, journal, "write_off", PostOptions(**options)).run(path)


def outcome(report: Any) -> tuple[str, str | None, str]:
    (row,) = report.results.select("status", "erp_document", "message").rows()
    return row  # type: ignore[no-any-return]


def test_rejected_by_the_approver_is_not_final_and_retry_posts_anew(tmp_path: Path) -> None:
    erp, journal = ApprovingErp(), SqliteJournal(tmp_path / "j.db")
    path = write_offs(tmp_path / "wo.csv")
    first = run(erp, journal, path)
    assert outcome(first)[:2] == ("pending_approval", "1000") and first.exit_code == 0
    assert journal.entries()[0].status is Status.AWAITING
    # still waiting: reported pending_approval again, nothing sent
    again = run(erp, journal, path)
    assert outcome(again)[:2] == ("pending_approval", "1000") and again.exit_code == 0
    assert len(erp.adjustments) == 1
    # the approver rejects it: the next run says so, names the adjustment, exits 1
    erp.decide("WO-APR-1", "R")
    rejected = run(erp, journal, path)
    status, _, message = outcome(rejected)
    assert status == "rejected" and rejected.exit_code == 1
    assert "1000" in message and "approver rejected" in message
    entry = journal.entries()[0]
    assert entry.status is Status.REJECTED and entry.reached_erp
    # a plain rerun does not post it; --retry-rejected looks it up first, then posts anew
    assert outcome(run(erp, journal, path))[0] == "rejected" and len(erp.adjustments) == 1
    retried = run(erp, journal, path, retry_rejected=True)
    assert outcome(retried)[:2] == ("pending_approval", "1001")
    assert [a["number"] for a in erp.adjustments] == ["1000", "1001"]
    # approved: posted, a rerun reports the duplicate with its document
    erp.decide("WO-APR-1", "A")
    approved = run(erp, journal, path)
    assert outcome(approved)[:2] == ("duplicate", "1001") and approved.exit_code == 0
    assert journal.entries()[0].status is Status.POSTED
    assert len(erp.adjustments) == 2


def test_without_a_state_column_a_vanished_document_is_the_approvers_no(tmp_path: Path) -> None:
    """An adapter that answers no `state` and hides rejected documents (the Oracle adapter
    before branch ora-cm): a found document counts as posted, a vanished one as rejected."""
    erp, journal = ApprovingErp(with_state=False), SqliteJournal(tmp_path / "j.db")
    path = write_offs(tmp_path / "wo.csv")
    assert outcome(run(erp, journal, path))[0] == "pending_approval"
    erp.decide("WO-APR-1", "R")
    status, _, message = outcome(run(erp, journal, path))
    assert status == "rejected" and "no longer found" in message and "1000" in message
    retried = run(erp, journal, path, retry_rejected=True)
    assert outcome(retried)[:2] == ("pending_approval", "1001")
    again = run(erp, journal, path)  # found, no state: counted as posted
    assert outcome(again)[:2] == ("duplicate", "1001") and len(erp.adjustments) == 2


def test_journal_resolve_asks_about_awaiting_approvals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jobs import cli

    erp, journal = ApprovingErp(), SqliteJournal(tmp_path / ".otc" / "journal.db")
    run(erp, journal, write_offs(tmp_path / "wo.csv"))
    (tmp_path / "otc.toml").write_text(
        '[systems.ebs]\nadapter = "oracle"\ntransport = "ords"\nurl = "http://127.0.0.1:9"\n'
        'user = "otc"\npassword_env = "OTC_TEST_UNUSED"\n[journal]\npath = ".otc/journal.db"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr("jobs.systems.build_adapter", lambda settings, name: erp)
    invoke = ["--config", str(tmp_path / "otc.toml"), "journal", "resolve", "--system", "ebs"]
    waiting = CliRunner().invoke(cli.app, invoke)
    assert waiting.exit_code == 0, waiting.output
    assert "1 still awaiting approval" in waiting.output
    erp.decide("WO-APR-1", "A")
    done = CliRunner().invoke(cli.app, invoke)
    assert done.exit_code == 0 and "1 found posted" in done.output, done.output
    assert journal.entries()[0].status is Status.POSTED
    assert journal.entries()[0].message == "found in the ERP: adjustment 1000 approved"
