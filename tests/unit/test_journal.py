"""The journal on both backends: SQLite (a file) and PostgreSQL (the real server on
127.0.0.1:5432; `make test` waits for it and these tests never skip)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from adapters.errors import ConfigError, OtcError
from jobs import config
from jobs.journal import (
    HOST,
    NAMESPACE,
    JournalUnavailable,
    KeyReused,
    LeaseLost,
    PostgresJournal,
    SqliteJournal,
    SqlJournal,
    Status,
    runner_id,
    runner_is_dead,
)

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
            conn.execute(f"DROP TABLE IF EXISTS {table}_history")


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


# ------------------------------------------------------------------ issue 13: leases, fences


def test_leases_run_on_the_journal_clock_not_the_runners(make_journal, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OTC_TEST_CLOCK_OFFSET", "86400")  # the runner's clock, a day ahead
    journal = make_journal()
    journal.register("sap", "write_off", {"WO-1": "h"}, "r")
    (entry,) = journal.claim("sap", "write_off", "a", statuses=[Status.QUEUED], lease_s=60)
    assert entry.lease_until_ms is not None
    assert abs(entry.lease_until_ms - (journal.now_ms() + 60_000)) < 5_000
    assert abs(journal.now_ms() - time.time() * 1000) < 5_000  # the server's time, no offset


def test_a_runner_whose_claim_was_taken_over_cannot_send_but_its_post_is_recorded(
    make_journal,  # type: ignore[no-untyped-def]
) -> None:
    a, b = make_journal(), make_journal()
    a.register("sap", "cash_application", {"PAY-1": "h", "PAY-2": "h"}, "r")
    mine = {
        e.key: e
        for e in a.claim("sap", "cash_application", "a", statuses=[Status.QUEUED], lease_s=1)
    }
    a.mark(
        "sap", "cash_application", "PAY-2", Status.PENDING, runner="a", fence=mine["PAY-2"].fence
    )
    time.sleep(1.2)  # a stalls; its lease runs out; b takes the never-sent key over
    (taken,) = b.claim("sap", "cash_application", "b", statuses=[Status.QUEUED])
    assert taken.key == "PAY-1" and taken.fence == mine["PAY-1"].fence + 1
    with pytest.raises(LeaseLost, match="held by b"):
        a.mark(
            "sap",
            "cash_application",
            "PAY-1",
            Status.PENDING,
            runner="a",
            fence=mine["PAY-1"].fence,
        )
    # the same runner name with a stale fence is refused too
    with pytest.raises(LeaseLost):
        b.mark(
            "sap",
            "cash_application",
            "PAY-1",
            Status.PENDING,
            runner="b",
            fence=mine["PAY-1"].fence,
        )
    b.mark("sap", "cash_application", "PAY-1", Status.PENDING, runner="b", fence=taken.fence)
    # a's sent key is taken over for settling; a's answer comes back: it is recorded anyway
    (settling,) = b.claim(
        "sap", "cash_application", "b", statuses=[Status.PENDING], keys=["PAY-2"], grace_s=0
    )
    ok = a.mark(
        "sap",
        "cash_application",
        "PAY-2",
        Status.POSTED,
        runner="a",
        fence=mine["PAY-2"].fence,
        erp_document="DOC-2",
    )
    assert ok is False  # the claim was lost ...
    (entry,) = a.entries("sap", "cash_application", keys=["PAY-2"])
    assert entry.status is Status.POSTED and entry.erp_document == "DOC-2"  # ... the ERP's doc kept
    assert [x.outcome for _, _, x in a.history("PAY-2")] == ["posted"]
    # a lost claim does not let a non-posted outcome overwrite the new holder's state
    assert (
        a.mark(
            "sap",
            "cash_application",
            "PAY-1",
            Status.REJECTED,
            runner="a",
            fence=mine["PAY-1"].fence,
            message="late",
        )
        is False
    )
    (entry,) = a.entries("sap", "cash_application", keys=["PAY-1"])
    assert entry.status is Status.PENDING and entry.claimed_by == "b"
    assert settling.key == "PAY-2"


def test_sent_keys_wait_for_the_grace_period(make_journal) -> None:  # type: ignore[no-untyped-def]
    journal = make_journal()
    journal.register("sap", "write_off", {"WO-1": "h"}, "r")
    (e,) = journal.claim("sap", "write_off", "dead", statuses=[Status.QUEUED], lease_s=1)
    journal.mark("sap", "write_off", "WO-1", Status.PENDING, runner="dead", fence=e.fence)
    time.sleep(1.1)  # lease gone
    unsettled = [Status.PENDING, Status.UNKNOWN]
    assert journal.claim("sap", "write_off", "n", statuses=unsettled, grace_s=60) == []
    (got,) = journal.claim("sap", "write_off", "n", statuses=unsettled, grace_s=0.5)
    assert got.key == "WO-1" and got.sent_ms is not None and got.reached_erp


def test_an_answered_unknown_has_no_grace_period(make_journal) -> None:  # type: ignore[no-untyped-def]
    """The ERP answered "half done" (a SAP reversal reset, not reversed): nothing of the call
    still runs, so the key is looked up at once; a plain `unknown` still waits."""
    journal = make_journal()
    journal.register("sap", "reversal", {"REV-1": "h", "REV-2": "h"}, "r")
    for key, answered in (("REV-1", True), ("REV-2", False)):
        (e,) = journal.claim("sap", "reversal", "a", statuses=[Status.QUEUED], keys=[key])
        journal.mark("sap", "reversal", key, Status.PENDING, runner="a", fence=e.fence)
        journal.mark("sap", "reversal", key, Status.UNKNOWN, runner="a", fence=e.fence,
                     message="half done", answered=answered)  # fmt: skip
    one, two = journal.entries("sap", "reversal")
    assert (one.status, one.sent_ms, one.reached_erp) == (Status.UNKNOWN, None, True)
    assert two.status is Status.UNKNOWN and two.sent_ms is not None
    unsettled = [Status.PENDING, Status.UNKNOWN]
    (got,) = journal.claim("sap", "reversal", "b", statuses=unsettled, grace_s=3600)
    assert got.key == "REV-1"


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_pid_is_trusted_only_on_this_host_in_this_pid_namespace(make_journal) -> None:  # type: ignore[no-untyped-def]
    journal = make_journal()
    pid = _dead_pid()
    here = f"{HOST}:{pid}:{NAMESPACE}:r1"
    elsewhere = [f"{HOST}:{pid}:0ther0ns:r2", f"other-host:{pid}:{NAMESPACE}:r3"]
    assert runner_is_dead(here) and not any(runner_is_dead(r) for r in elsewhere)
    assert not runner_is_dead(runner_id())  # this very process
    journal.register("sap", "write_off", {"WO-1": "h", "WO-2": "h", "WO-3": "h"}, "r")
    for key, runner in zip(["WO-1", "WO-2", "WO-3"], [here, *elsewhere], strict=True):
        journal.claim("sap", "write_off", runner, statuses=[Status.QUEUED], keys=[key], lease_s=600)
    taken = journal.claim("sap", "write_off", "next", statuses=[Status.QUEUED])
    assert [e.key for e in taken] == ["WO-1"]


def test_runners_register_the_same_keys_at_once(make_journal) -> None:  # type: ignore[no-untyped-def]
    keys = {f"PAY-{i:05d}": "h" for i in range(2000)}
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def runner() -> None:
        journal = make_journal()
        start.wait(timeout=60)
        try:
            assert len(journal.register("sap", "cash_application", keys, "r")) == 2000
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=runner) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(make_journal().entries("sap", "cash_application")) == 2000


def test_claims_and_reads_of_more_keys_than_postgres_binds(tmp_path: Path) -> None:
    table = f"otc_journal_test_{uuid.uuid4().hex[:12]}"
    journal = PostgresJournal(PG_DSN, table=table)
    try:
        keys = {f"K{i:06d}": "h" for i in range(70_000)}  # PostgreSQL: at most 65,535 binds
        journal.register("sap", "cash_application", keys, "r")
        taken = journal.claim(
            "sap", "cash_application", "a", statuses=[Status.QUEUED], keys=list(keys), limit=70_000
        )
        assert len(taken) == 70_000
        assert len(journal.entries("sap", "cash_application", keys=list(keys))) == 70_000
    finally:
        journal.close()
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute(f"DROP TABLE IF EXISTS {table}_history")


def test_a_key_rejected_before_the_erp_may_be_corrected_once_sent_never(make_journal) -> None:  # type: ignore[no-untyped-def]
    journal = make_journal()
    journal.register("sap", "cash_application", {"PAY-1": "h1"}, "r1")
    assert journal.reject_unsent("sap", "cash_application", "r1", {"PAY-1": "pre-flight: x"}) == [
        "PAY-1"
    ]
    fixed = journal.register("sap", "cash_application", {"PAY-1": "h2"}, "r2")
    assert fixed["PAY-1"].status is Status.QUEUED and fixed["PAY-1"].content_hash == "h2"
    (e,) = journal.claim("sap", "cash_application", "r2", statuses=[Status.QUEUED])
    journal.mark("sap", "cash_application", "PAY-1", Status.PENDING, runner="r2", fence=e.fence)
    journal.mark(
        "sap",
        "cash_application",
        "PAY-1",
        Status.REJECTED,
        runner="r2",
        fence=e.fence,
        message="F5 263",
    )
    with pytest.raises(KeyReused, match="PAY-1"):  # it reached the ERP: content fixed
        journal.register("sap", "cash_application", {"PAY-1": "h3"}, "r3")
    history = [(a.outcome, a.content_hash) for _, _, a in journal.history("PAY-1")]
    assert history == [("rejected", "h1"), ("queued", "h2"), ("rejected", "h2")]
    # retried: a key that reached the ERP is looked up first; an unsent one is not
    assert journal.requeue_rejected("sap", "cash_application", ["PAY-1"], reached_erp=False) == []
    assert journal.requeue_rejected("sap", "cash_application", ["PAY-1"], reached_erp=True) == [
        "PAY-1"
    ]
    (entry,) = journal.entries(keys=["PAY-1"])
    assert entry.status is Status.QUEUED and entry.needs_lookup


def test_an_unreachable_journal_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(JournalUnavailable, match="unavailable") as info:
        SqliteJournal(tmp_path / "file" / "journal.db")
    assert info.value.exit_code == 2
    with pytest.raises(JournalUnavailable, match=r"127\.0\.0\.1:1/test"):
        PostgresJournal("host=127.0.0.1 port=1 dbname=test user=postgres connect_timeout=2")


def test_journal_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    source = tmp_path / "conf" / "otc.toml"
    settings = config.parse('[journal]\npath = "state/j.db"\nlease_s = 30\n', source)
    assert settings.journal.path == str(tmp_path / "conf" / "state" / "j.db")
    assert settings.journal.lease_s == 30 and settings.journal.grace_margin_s == 30
    assert config.parse("", source).journal.path == str(tmp_path / "conf" / ".otc" / "journal.db")
    with pytest.raises(ConfigError, match="lease_s"):
        config.parse("[journal]\nlease_s = 0\n", source)


def test_the_state_diagram_names_exactly_the_journal_states() -> None:
    """docs/exactly-once.md's mermaid diagram is checked against the code it describes."""
    import re

    doc = (Path(__file__).parents[2] / "docs" / "exactly-once.md").read_text(encoding="utf-8")
    (diagram,) = re.findall(r"```mermaid\n(.*?)```", doc, flags=re.S)
    names = set()
    for line in diagram.splitlines():
        if match := re.match(r"\s*(\S+)\s*-->\s*([^:\s]+)", line):
            names |= set(match.groups()) - {"[*]"}
    assert names == {s.value for s in Status}


def test_a_rejection_by_the_erps_own_check_leaves_the_content_correctable(make_journal) -> None:  # type: ignore[no-untyped-def]
    journal = make_journal()
    journal.register("sap", "write_off", {"WO-1": "h1", "WO-2": "h1"}, "r")
    for key in ("WO-1", "WO-2"):
        (e,) = journal.claim("sap", "write_off", "r", statuses=[Status.QUEUED], keys=[key])
        journal.mark("sap", "write_off", key, Status.PENDING, runner="r", fence=e.fence)
        journal.mark(
            "sap",
            "write_off",
            key,
            Status.REJECTED,
            runner="r",
            fence=e.fence,
            message="F5 201 posting period closed",
            stored_nothing=key == "WO-1",  # WO-1: the test run said no; WO-2: the posting did
        )
    fixed = journal.register("sap", "write_off", {"WO-1": "h2"}, "r2")
    assert fixed["WO-1"].status is Status.QUEUED and fixed["WO-1"].content_hash == "h2"
    with pytest.raises(KeyReused, match="WO-2"):
        journal.register("sap", "write_off", {"WO-2": "h2"}, "r2")


def _downgrade_to_v1(journal: SqlJournal) -> None:
    """Make a journal look as one written before `awaiting_approval` existed."""
    if isinstance(journal, SqliteJournal):
        import sqlite3

        with sqlite3.connect(journal.path) as conn:
            conn.execute("PRAGMA user_version = 0")
    else:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f"COMMENT ON TABLE {journal.table} IS NULL")


def _posted(journal: SqlJournal, kind: str, key: str, message: str) -> None:
    journal.register("ebs", kind, {key: "h"}, "r")
    (e,) = journal.claim("ebs", kind, "r", statuses=[Status.QUEUED], keys=[key])
    journal.mark("ebs", kind, key, Status.PENDING, runner="r", fence=e.fence)
    journal.mark(
        "ebs",
        kind,
        key,
        Status.POSTED,
        runner="r",
        fence=e.fence,
        erp_document="9",
        message=message,
    )


def test_an_old_journal_migrates_write_offs_pending_approval_once(make_journal) -> None:  # type: ignore[no-untyped-def]
    """Version 1 journaled a write-off EBS holds for an approver as `posted` (final): a
    rejected one could never be posted again. Opening the journal makes them
    `awaiting_approval`, once; nothing else changes."""
    old = make_journal()
    waiting = "adjustment 9 is pending approval (status W): the balance is unchanged"
    _posted(old, "write_off", "WO-W", waiting)
    _posted(old, "write_off", "WO-SEEN", "already posted: found in EBS; " + waiting)
    _posted(old, "write_off", "WO-A", "found in the ERP (was queued)")
    _posted(old, "cash_application", "PAY-1", waiting)  # not a write-off: left alone
    _downgrade_to_v1(old)
    opened = make_journal()
    status = {e.key: e.status for e in opened.entries("ebs")}
    assert status == {
        "WO-W": Status.AWAITING,
        "WO-SEEN": Status.AWAITING,
        "WO-A": Status.POSTED,
        "PAY-1": Status.POSTED,
    }
    # migrated once: a later `posted` with that message (not possible now, but) stays
    opened.mark("ebs", "write_off", "WO-W", Status.POSTED, erp_document="9", message=waiting)
    assert make_journal().entries("ebs", keys=["WO-W"])[0].status is Status.POSTED


def test_awaiting_approval_is_in_the_erp_but_not_final(make_journal) -> None:  # type: ignore[no-untyped-def]
    journal = make_journal()
    journal.register("ebs", "write_off", {"WO-1": "h1"}, "r")
    (e,) = journal.claim("ebs", "write_off", "r", statuses=[Status.QUEUED], keys=["WO-1"])
    journal.mark("ebs", "write_off", "WO-1", Status.PENDING, runner="r", fence=e.fence)
    journal.mark(
        "ebs", "write_off", "WO-1", Status.AWAITING, runner="r", fence=e.fence, erp_document="7"
    )
    (entry,) = journal.entries("ebs", "write_off")
    assert entry.status is Status.AWAITING and entry.reached_erp and entry.claimed_by is None
    # never claimed for posting, but for a lookup
    assert journal.claim("ebs", "write_off", "r2", statuses=[Status.QUEUED]) == []
    (look,) = journal.claim("ebs", "write_off", "r2", statuses=[Status.AWAITING])
    journal.mark(
        "ebs",
        "write_off",
        "WO-1",
        Status.REJECTED,
        runner="r2",
        fence=look.fence,
        message="the approver rejected adjustment 7",
        reached_erp=True,
    )
    (entry,) = journal.entries("ebs", "write_off")
    assert entry.status is Status.REJECTED and entry.erp_document == "7"
    # it reached the ERP: only --retry-rejected takes it back, after a lookup
    assert journal.requeue_rejected("ebs", "write_off", ["WO-1"], reached_erp=False) == []
    assert journal.requeue_rejected("ebs", "write_off", ["WO-1"], reached_erp=True) == ["WO-1"]
    (entry,) = journal.entries("ebs", "write_off")
    assert entry.status is Status.QUEUED and entry.needs_lookup
    with pytest.raises(KeyReused):
        journal.register("ebs", "write_off", {"WO-1": "h2"}, "r3")
    outcomes = [a.outcome for _, _, a in journal.history("WO-1")]
    assert outcomes == ["awaiting_approval", "rejected"]


def test_a_rejection_found_by_lookup_fixes_the_content_of_a_key_never_sent(make_journal) -> None:  # type: ignore[no-untyped-def]
    """A key new to this journal whose document an approver rejected did reach the ERP
    (another journal sent it): `reached_erp` says so, and its content is fixed."""
    journal = make_journal()
    journal.register("ebs", "write_off", {"WO-2": "h1"}, "r")
    (e,) = journal.claim("ebs", "write_off", "r", statuses=[Status.QUEUED], needs_lookup=True)
    journal.mark(
        "ebs", "write_off", "WO-2", Status.REJECTED, runner="r", fence=e.fence, reached_erp=True
    )
    (entry,) = journal.entries("ebs", "write_off")
    assert entry.reached_erp and not entry.needs_lookup
    with pytest.raises(KeyReused):
        journal.register("ebs", "write_off", {"WO-2": "h2"}, "r")
