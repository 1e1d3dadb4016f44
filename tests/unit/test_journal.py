"""The journal on both backends: SQLite (a file) and PostgreSQL (the real server on
127.0.0.1:5432; `make test` waits for it and these tests never skip)."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from adapters.errors import OtcError
from jobs.journal import KeyReused, PostgresJournal, SqliteJournal, SqlJournal, Status

PG_DSN = os.environ.get("OTC_TEST_PG_DSN", "host=127.0.0.1 port=5432 dbname=test user=postgres")


@pytest.fixture(params=["sqlite", "postgres"])
def make_journal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[type]:
    """A factory: each call opens another connection to the same journal (a 'runner')."""
    opened: list[SqlJournal] = []
    table = f"otc_journal_test_{uuid.uuid4().hex[:12]}"

    def make() -> SqlJournal:
        journal: SqlJournal
        if request.param == "sqlite":
            journal = SqliteJournal(tmp_path / "journal.db")
        else:
            journal = PostgresJournal(PG_DSN, table=table)
        opened.append(journal)
        return journal

    yield make  # type: ignore[misc]
    for journal in opened:
        journal.close()
    if request.param == "postgres":
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {table}")


def test_register_is_idempotent_and_refuses_changed_content(make_journal) -> None:  # type: ignore[no-untyped-def]
    journal = make_journal()
    first = journal.register("sap", "cash_application", {"PAY-1": "h1", "PAY-2": "h2"}, "run1")
    assert {k: e.status for k, e in first.items()} == {
        "PAY-1": Status.QUEUED,
        "PAY-2": Status.QUEUED,
    }
    again = journal.register("sap", "cash_application", {"PAY-1": "h1", "PAY-3": "h3"}, "run2")
    assert again["PAY-1"].run_id == "run1" and again["PAY-3"].status is Status.QUEUED
    with pytest.raises(KeyReused, match="PAY-2") as info:
        journal.register("sap", "cash_application", {"PAY-2": "changed", "PAY-4": "h4"}, "run3")
    assert info.value.keys == ["PAY-2"]
    assert [e.key for e in journal.entries("sap", "cash_application")] == [
        "PAY-1",
        "PAY-2",
        "PAY-3",
    ]


def test_claim_pending_posted_lifecycle(make_journal) -> None:  # type: ignore[no-untyped-def]
    journal = make_journal()
    journal.register("sap", "write_off", {f"WO-{i}": "h" for i in range(5)}, "r")
    claimed = journal.claim("sap", "write_off", "runner-a", statuses=[Status.QUEUED], limit=3)
    assert [e.key for e in claimed] == ["WO-0", "WO-1", "WO-2"]
    other = journal.claim("sap", "write_off", "runner-b", statuses=[Status.QUEUED], limit=10)
    assert [e.key for e in other] == ["WO-3", "WO-4"]
    journal.mark("sap", "write_off", "WO-0", Status.PENDING, runner="runner-a")
    journal.mark(
        "sap", "write_off", "WO-0", Status.POSTED, runner="runner-a", erp_document="0100000001"
    )
    with pytest.raises(OtcError, match="not claimed by runner-b"):
        journal.mark("sap", "write_off", "WO-1", Status.PENDING, runner="runner-b")
    (entry,) = journal.entries("sap", "write_off", keys=["WO-0"])
    assert entry.status is Status.POSTED and entry.erp_document == "0100000001"
    assert entry.claimed_by is None and entry.attempts == 1


def test_pending_is_never_reclaimed_for_posting_only_for_settling(make_journal) -> None:  # type: ignore[no-untyped-def]
    journal = make_journal()
    journal.register("sap", "cash_application", {"PAY-1": "h", "PAY-2": "h"}, "r")
    journal.claim("sap", "cash_application", "dead", statuses=[Status.QUEUED], lease_s=0.05)
    journal.mark("sap", "cash_application", "PAY-1", Status.PENDING, runner="dead")
    # the runner dies; while its lease holds, nobody takes either key
    assert journal.claim("sap", "cash_application", "next", statuses=[Status.QUEUED]) == []
    time.sleep(0.1)
    # after the lease: the never-sent key may be posted by another runner ...
    assert [
        e.key for e in journal.claim("sap", "cash_application", "next", statuses=[Status.QUEUED])
    ] == ["PAY-2"]
    # ... but the pending one only goes to settlement (look in the ERP first)
    settle = journal.claim(
        "sap", "cash_application", "next", statuses=[Status.PENDING, Status.UNKNOWN]
    )
    assert [(e.key, e.status) for e in settle] == [("PAY-1", Status.PENDING)]


def test_concurrent_runners_claim_each_key_once(make_journal) -> None:  # type: ignore[no-untyped-def]
    keys = {f"PAY-{i:04d}": "h" for i in range(300)}
    make_journal().register("sap", "cash_application", keys, "r")
    got: dict[str, list[str]] = {}
    start = threading.Barrier(4)  # all runners ready before the first claim

    def runner(name: str) -> None:
        journal = make_journal()
        mine: list[str] = []
        start.wait(timeout=60)
        while batch := journal.claim(
            "sap", "cash_application", name, statuses=[Status.QUEUED], limit=7
        ):
            for e in batch:
                journal.mark("sap", "cash_application", e.key, Status.PENDING, runner=name)
                time.sleep(0.002)  # the ERP call: without it one runner can drain the queue
                journal.mark(
                    "sap", "cash_application", e.key, Status.POSTED, runner=name, erp_document=e.key
                )
                mine.append(e.key)
        got[name] = mine

    threads = [threading.Thread(target=runner, args=(f"r{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    claimed = [k for keys_ in got.values() for k in keys_]
    assert sorted(claimed) == sorted(keys)  # every key once, none twice
    assert len(got) == 4 and sum(1 for v in got.values() if v) >= 2  # the work was shared


def test_sqlite_journal_survives_reopen(tmp_path: Path) -> None:
    journal = SqliteJournal(tmp_path / "j.db")
    journal.register("sap", "cash_application", {"PAY-1": "h"}, "r")
    journal.claim("sap", "cash_application", "a", statuses=[Status.QUEUED])
    journal.mark("sap", "cash_application", "PAY-1", Status.UNKNOWN, runner="a", message="timeout")
    journal.close()
    (entry,) = SqliteJournal(tmp_path / "j.db").entries(statuses=[Status.UNKNOWN])
    assert entry.key == "PAY-1" and entry.message == "timeout"
