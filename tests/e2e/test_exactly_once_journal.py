"""Exactly-once, the journal side (issue 13): each case that used to post twice, run through
the `otc` CLI as a user runs it, in its own process, against the mock ERP on 127.0.0.1.
Every test counts the ERP's own documents (BKPF) and sees exactly one per key."""

from __future__ import annotations

import contextlib
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from jobs.journal import HOST, NAMESPACE, SqliteJournal, Status
from tests.fault.cli_runs import (
    PG_DSN,
    count_documents,
    one_per_customer,
    otc,
    run,
    wait_for,
    write_cash,
    write_config,
)

POST = ("cash", "post")


@pytest.fixture(scope="module")
def erp() -> Iterator[Any]:
    from mock_erp.server import start

    server = start(companies=2, customers=60, open_items=900, fault_seed=7)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def admin(erp: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=erp.url) as client:
        yield client
        client.delete("/_mock/faults")


_used = iter(range(0, 10_000, 3))


@pytest.fixture
def picked(erp: Any, tmp_path: Path) -> list[dict[str, Any]]:
    """Three open invoices of three customers no other test of this module touches."""
    return one_per_customer(erp, tmp_path, 3, skip=next(_used))


def report(folder: Path) -> dict[str, tuple[str, str]]:
    """The newest run's results in `folder`/runs: key -> (status, message)."""
    from contracts.io import read_frame

    newest = sorted((folder / "runs").iterdir())[-1]
    frame = read_frame(newest / "results.csv", "posting_results")
    return {k: (s, m or "") for k, s, m in frame.select("key", "status", "message").iter_rows()}


def statuses(journal: Path) -> dict[str, str]:
    j = SqliteJournal(journal)
    try:
        return {e.key: e.status.value for e in j.entries()}
    finally:
        j.close()


def slow_post(admin: httpx.Client, nth: int, ms: int) -> None:
    """The nth Z_OTC_AR_CLEAR call (each payment: test run, then the post) runs `ms` long;
    the ERP finishes and commits it whatever its client does meanwhile."""
    admin.post(
        "/_mock/faults",
        json={
            "persona": "sap",
            "operation": "Z_OTC_AR_CLEAR",
            "kind": "latency",
            "nth": nth,
            "ms": ms,
        },
    ).raise_for_status()


def post_args(cash: Path, *extra: str) -> tuple[str, ...]:
    return (*POST, str(cash), "--system", "sap", *extra)


# ------------------------------------------------------------------ kill -9, rerun at once


@pytest.mark.long
def test_kill_during_a_slow_commit_then_immediate_rerun_posts_once(
    erp: Any, admin: httpx.Client, tmp_path: Path, picked: list[dict[str, Any]]
) -> None:
    journal = tmp_path / "journal.db"
    config = write_config(
        tmp_path / "otc.toml", erp, 'path = "journal.db"\ngrace_margin_s = 14', timeout_s=6
    )  # grace 20 s: the immediate rerun starts well within it, even on a busy machine
    cash, keys = write_cash(tmp_path / "cash.csv", picked[:1])
    slow_post(admin, nth=2, ms=3000)
    proc = otc(config, *post_args(cash))
    wait_for(
        "the key to be pending",
        lambda: journal.exists() and "pending" in statuses(journal).values(),
    )
    sent = time.monotonic()
    time.sleep(0.5)  # inside the slow post now
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # the rerun at once: same host, the runner's PID is gone, but the post may still land
    code, out, err = run(config, *post_args(cash))
    assert code == 3, err[-2000:]
    assert "grace period" in report(tmp_path)[keys[0][1]][1]
    wait_for("the ERP to commit", lambda: count_documents(erp, keys) == {keys[0][1]: 1})
    assert statuses(journal) == {keys[0][1]: "pending"}
    time.sleep(max(0.0, sent + 20.5 - time.monotonic()))  # timeout_s 6 + grace_margin_s 14
    code, out, err = run(config, *post_args(cash))
    assert code == 0, out + err[-2000:]
    status, message = report(tmp_path)[keys[0][1]]
    assert status == "duplicate" and "found in the ERP" in message
    assert count_documents(erp, keys) == {keys[0][1]: 1}


# ------------------------------------------------------------------ runners elsewhere


def _claimed_by_other(journal: Path, cash: Path, config: Path, runner: str, lease_s: float) -> None:
    """Register the file's keys (a dry look through the CLI would not journal them), then
    claim them for `runner` as a runner about to post would."""
    j = SqliteJournal(journal)
    try:
        from contracts.io import read_frame
        from jobs.post import content_hash

        frame = read_frame(cash, "cash_applications")
        units = {str(k): g for (k,), g in frame.group_by("application_id", maintain_order=True)}
        j.register("sap", "cash_application", {k: content_hash(g) for k, g in units.items()}, "x")
        for key in units:  # it looked them up: nothing there
            j.mark("sap", "cash_application", key, Status.QUEUED)
        claimed = j.claim(
            "sap", "cash_application", runner, statuses=[Status.QUEUED], lease_s=lease_s
        )
        assert [e.key for e in claimed] == list(units)
    finally:
        j.close()


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_same_host_other_pid_namespace_waits_for_the_lease(
    erp: Any, tmp_path: Path, picked: list[dict[str, Any]]
) -> None:
    journal = tmp_path / "journal.db"
    config = write_config(tmp_path / "otc.toml", erp, 'path = "journal.db"')
    cash, keys = write_cash(tmp_path / "cash.csv", picked[:2])
    # a runner in another container with host networking: same host name, a PID that is not
    # alive here, another PID namespace: its claim must hold until its lease ends
    other = f"{HOST}:{dead_pid()}:0ther0ns:abcdef12"
    _claimed_by_other(journal, cash, config, other, lease_s=600)
    code, out, err = run(config, *post_args(cash))
    assert code == 3, err[-2000:]
    assert {k: (st, other in m) for k, (st, m) in report(tmp_path).items()} == {
        k: ("unknown", True) for _, k in keys
    }
    assert count_documents(erp, keys) == {k: 0 for _, k in keys}
    # the same dead PID in *this* namespace and boot: provably dead, taken over at once
    (tmp_path / "journal.db").unlink()
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"journal.db{suffix}").unlink(missing_ok=True)
    here = f"{HOST}:{dead_pid()}:{NAMESPACE}:abcdef12"
    _claimed_by_other(journal, cash, config, here, lease_s=600)
    code, out, err = run(config, *post_args(cash))
    assert code == 0, out + err[-2000:]
    assert count_documents(erp, keys) == {k: 1 for _, k in keys}


def _two_runners(
    erp: Any,
    admin: httpx.Client,
    tmp_path: Path,
    picked: list[dict[str, Any]],
    second_env: dict[str, str],
) -> tuple[list[tuple[str, str]], Path, Path]:
    """Runner A posts 3 customers slowly (each post 2.5 s, longer than the 1 s lease);
    runner B starts while A is in its first post. Returns (keys, journal, config)."""
    journal = tmp_path / "journal.db"
    config = write_config(tmp_path / "otc.toml", erp, 'path = "journal.db"\nlease_s = 1')
    cash, keys = write_cash(tmp_path / "cash.csv", picked)
    admin.post(
        "/_mock/faults",
        json={
            "persona": "sap",
            "operation": "Z_OTC_AR_CLEAR",
            "kind": "latency",
            "rate": 1.0,
            "ms": 1250,
        },
    ).raise_for_status()
    a = otc(config, *post_args(cash), stdout=subprocess.PIPE)
    wait_for(
        "runner A to send", lambda: journal.exists() and "pending" in statuses(journal).values()
    )
    time.sleep(1.5)  # A's first lease would have run out by now without renewals
    b = otc(config, *post_args(cash), stdout=subprocess.PIPE, env=second_env)
    _out_b, err_b = b.communicate(timeout=300)
    _out_a, err_a = a.communicate(timeout=300)
    assert a.returncode in (0, 3) and b.returncode in (0, 3), (err_a + err_b).decode()[-3000:]
    assert b"Traceback" not in err_a + err_b
    admin.delete("/_mock/faults")
    code, out, err = run(config, *post_args(cash))
    assert code == 0, out + err[-2000:]
    assert count_documents(erp, keys) == {k: 1 for _, k in keys}
    return keys, journal, config


@pytest.mark.long
def test_short_lease_is_renewed_while_a_slow_run_works(
    erp: Any, admin: httpx.Client, tmp_path: Path, picked: list[dict[str, Any]]
) -> None:
    _keys, journal, _ = _two_runners(erp, admin, tmp_path, picked, {})
    assert set(statuses(journal).values()) == {"posted"}


@pytest.mark.long
def test_runner_clock_ahead_does_not_move_leases(
    erp: Any, admin: httpx.Client, tmp_path: Path, picked: list[dict[str, Any]]
) -> None:
    day = 86_400
    _keys, journal, _ = _two_runners(
        erp, admin, tmp_path, picked, {"OTC_TEST_CLOCK_OFFSET": str(day)}
    )
    # every stamp the journal holds is the database's clock, none a day ahead
    with sqlite3.connect(journal) as conn:
        stamps = [r[0] for r in conn.execute("SELECT updated_ms FROM otc_journal")]
        stamps += [r[0] for r in conn.execute("SELECT at_ms FROM otc_journal_history")]
    assert stamps and max(stamps) < (time.time() + 3600) * 1000


# ------------------------------------------------------------------ always record the ERP


def test_lost_claim_still_records_the_posted_document(
    erp: Any, admin: httpx.Client, tmp_path: Path, picked: list[dict[str, Any]]
) -> None:
    journal = tmp_path / "journal.db"
    config = write_config(tmp_path / "otc.toml", erp, 'path = "journal.db"')
    cash, keys = write_cash(tmp_path / "cash.csv", picked[:1])
    key = keys[0][1]
    slow_post(admin, nth=2, ms=2000)
    proc = otc(config, *post_args(cash), stdout=subprocess.PIPE)
    wait_for(
        "the key to be pending",
        lambda: journal.exists() and "pending" in statuses(journal).values(),
    )
    # meanwhile another runner takes the claim over (as after an expired lease)
    with sqlite3.connect(journal) as conn:
        conn.execute(
            "UPDATE otc_journal SET claimed_by = 'elsewhere:1:ns:x', fence = fence + 1 "
            "WHERE key = ?",
            (key,),
        )
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert b"journal conflict" in err  # logged loudly
    (entry,) = SqliteJournal(journal).entries()
    assert entry.status is Status.POSTED and entry.erp_document
    code, out_s, err_s = run(config, *post_args(cash))
    assert code == 0 and "1 duplicate" in out_s, err_s[-2000:]
    assert count_documents(erp, keys) == {key: 1}


# ------------------------------------------------------------------ where the journal is


@pytest.mark.long
def test_two_working_directories_share_the_journal_beside_the_config(
    erp: Any, tmp_path: Path, picked: list[dict[str, Any]]
) -> None:
    config = write_config(tmp_path / "conf" / "otc.toml", erp, 'path = "state/journal.db"')
    cash, keys = write_cash(tmp_path / "cash.csv", picked[:2])
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    code, out, err = run(config, *post_args(cash), cwd=one)
    assert code == 0, out + err[-2000:]
    code, out, err = run(config, *post_args(cash), cwd=two)
    assert code == 0 and "2 duplicate" in out, out + err[-2000:]
    code, out, err = run(config, "journal", "show", cwd=two)
    assert f"sqlite {tmp_path / 'conf' / 'state' / 'journal.db'}" in " ".join(out.split())
    assert not (one / "state").exists() and not (two / ".otc").exists()
    # a second, empty journal (another config): it cannot vouch, so it looks first
    other = write_config(tmp_path / "other" / "otc.toml", erp, 'path = "journal.db"')
    code, out, err = run(other, *post_args(cash), cwd=two)
    assert code == 0, out + err
    assert all(st == "duplicate" and "found in the ERP" in m for st, m in report(two).values())
    assert count_documents(erp, keys) == {k: 1 for _, k in keys}


def test_company_outside_companies_is_refused_up_front(
    erp: Any, tmp_path: Path, picked: list[dict[str, Any]]
) -> None:
    config = write_config(tmp_path / "otc.toml", erp, 'path = "journal.db"', companies=("3000",))
    cash, keys = write_cash(tmp_path / "cash.csv", picked[:1])
    code, out, err = run(config, *post_args(cash))
    assert code == 1, out + err
    status, message = report(tmp_path)[keys[0][1]]
    assert status == "rejected"
    assert f"company {picked[0]['company']} is not one of the companies" in message
    assert 'companies = ["3000"]' in message
    assert count_documents(erp, keys) == {keys[0][1]: 0}
    config = write_config(tmp_path / "otc.toml", erp, 'path = "journal.db"')
    code, out, err = run(config, *post_args(cash))
    assert code == 0, out + err
    assert count_documents(erp, keys) == {keys[0][1]: 1}


def test_retry_rejected_looks_up_a_key_the_erp_did_post(
    erp: Any, tmp_path: Path, picked: list[dict[str, Any]]
) -> None:
    from adapters.sap.adapter import SapAdapter
    from adapters.sap.settings import SapSettings
    from contracts.io import read_frame
    from jobs.post import content_hash

    journal = tmp_path / "journal.db"
    config = write_config(tmp_path / "otc.toml", erp, 'path = "journal.db"')
    cash, keys = write_cash(tmp_path / "cash.csv", picked[:1])
    key = keys[0][1]
    # an earlier run sent it; the ERP posted it but the answer said "rejected"
    rows = read_frame(cash, "cash_applications")
    j = SqliteJournal(journal)
    j.register("sap", "cash_application", {key: content_hash(rows)}, "earlier")
    j.mark("sap", "cash_application", key, Status.QUEUED)
    (entry,) = j.claim("sap", "cash_application", "earlier", statuses=[Status.QUEUED])
    j.mark("sap", "cash_application", key, Status.PENDING, runner="earlier", fence=entry.fence)
    sap = SapAdapter(
        SapSettings.from_section(
            "sap",
            {
                "transport": "soap",
                "url": erp.url,
                "client": "100",
                "user": "otc",
                "wsdl_cache": str(tmp_path / "wsdl"),
            },
            {"password": "otc-mock"},
        )
    )
    assert sap.post_payment(rows)["status"] == "posted"
    sap.close()
    j.mark(
        "sap",
        "cash_application",
        key,
        Status.REJECTED,
        runner="earlier",
        fence=entry.fence,
        message="F5 263 item not open",
    )
    j.close()
    code, out, err = run(config, *post_args(cash))
    assert code == 1 and "rejected earlier" in report(tmp_path)[key][1], out + err
    code, out, err = run(config, *post_args(cash, "--retry-rejected"))
    assert code == 0, out + err
    status, message = report(tmp_path)[key]
    assert status == "duplicate" and "found in the ERP" in message
    assert statuses(journal) == {key: "posted"}
    assert count_documents(erp, keys) == {key: 1}


# ------------------------------------------------------------------ correcting a rejection


def test_correcting_a_preflight_rejection_posts_it_once_with_history(
    erp: Any, tmp_path: Path, picked: list[dict[str, Any]]
) -> None:
    from datetime import date
    from decimal import Decimal

    from contracts.io import write_frame
    from jobs.full_payments import paid_in_full

    journal = tmp_path / "journal.db"
    config = write_config(tmp_path / "otc.toml", erp, 'path = "journal.db"')
    wrong = [{**picked[0], "amount": picked[0]["amount"] + Decimal("1000.00")}]
    cash, keys = write_cash(tmp_path / "cash.csv", wrong)
    key = keys[0][1]
    code, out, err = run(config, *post_args(cash))
    assert code == 1 and report(tmp_path)[key][1].startswith("pre-flight"), out + err
    assert statuses(journal) == {key: "rejected"}  # as the run's report says
    fixed = write_frame(
        paid_in_full(picked[:1], [key], date.today()), tmp_path / "fixed.csv", "cash_applications"
    )
    code, out, err = run(config, *post_args(fixed))
    assert code == 0, out + err
    code, out, err = run(config, "journal", "show", key)
    assert code == 0, err
    text = " ".join(out.split())
    assert "history of" in text and text.count("rejected") >= 1 and "posted" in text
    history = SqliteJournal(journal).history(key)
    assert len({a.content_hash for _, _, a in history}) == 2
    outcomes = [(a.outcome, a.content_hash) for _, _, a in history]
    (rejected,) = [h for o, h in outcomes if o == "rejected"]
    (posted,) = [h for o, h in outcomes if o == "posted"]
    assert rejected != posted and outcomes[-1] == ("posted", posted)
    assert count_documents(erp, keys) == {key: 1}
    # once it reached the ERP, its content is fixed
    code, out, err = run(config, *post_args(cash))
    assert code == 1 and "different content" in " ".join((out + err).split())
    assert count_documents(erp, keys) == {key: 1}


# ------------------------------------------------------------------ PostgreSQL


@pytest.fixture
def pg_table() -> Iterator[str]:
    table = f"otc_journal_eo_{uuid.uuid4().hex[:8]}"
    yield table
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(f"DROP TABLE IF EXISTS {table}_history")


def test_two_runners_register_the_same_keys_on_postgres(
    erp: Any, tmp_path: Path, picked: list[dict[str, Any]], pg_table: str
) -> None:
    journal = f'backend = "postgres"\ndsn = "{PG_DSN}"\ntable = "{pg_table}"'
    configs = [write_config(tmp_path / n / "otc.toml", erp, journal) for n in ("a", "b")]
    cash, keys = write_cash(tmp_path / "cash.csv", picked)
    procs = [otc(c, *post_args(cash), stdout=subprocess.PIPE) for c in configs]
    outs = [p.communicate(timeout=300) for p in procs]
    for proc, (_out, err) in zip(procs, outs, strict=True):
        assert proc.returncode in (0, 3), err.decode()[-2000:]
        assert b"Traceback" not in err and b"UniqueViolation" not in err
    assert count_documents(erp, keys) == {k: 1 for _, k in keys}


class Proxy:
    """A TCP relay to PostgreSQL that the test can cut: a journal outage, as a network
    partition or a database restart looks to the runner."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.conns: list[socket.socket] = []
        self.up = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.up:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                return
            upstream = socket.create_connection(self.target)
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.close()

    def cut(self) -> None:
        self.up = False
        self.server.close()
        for s in self.conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass


@pytest.mark.long
def test_journal_outage_exit_codes(
    erp: Any, admin: httpx.Client, tmp_path: Path, picked: list[dict[str, Any]], pg_table: str
) -> None:
    proxy = Proxy(("127.0.0.1", 5432))
    dsn = f"postgresql://postgres@127.0.0.1:{proxy.port}/test"
    journal = f'backend = "postgres"\ndsn = "{dsn}"\ntable = "{pg_table}"\ngrace_margin_s = 0'
    config = write_config(tmp_path / "otc.toml", erp, journal, timeout_s=5)
    cash, keys = write_cash(tmp_path / "cash.csv", picked[:1])
    key = keys[0][1]
    slow_post(admin, nth=2, ms=2500)
    proc = otc(config, *post_args(cash), stdout=subprocess.PIPE)

    def pending() -> bool:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            try:
                row = conn.execute(
                    f"SELECT status FROM {pg_table} WHERE key = %s", [key]
                ).fetchone()
            except psycopg.errors.UndefinedTable:
                return False
        return row is not None and row[0] == "pending"

    wait_for("the key to be pending", pending)
    proxy.cut()  # the journal goes away while the ERP commits
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 3, err.decode()[-2000:]
    assert b"Traceback" not in err and b"unavailable" in err
    assert key.encode() in out  # the report (and its folder) keeps what the ERP did
    # nothing sent and the journal unreachable: a clear error, exit 2
    code, out_s, err_s = run(config, *post_args(cash))
    assert code == 2 and "Traceback" not in err_s and "unavailable" in err_s, err_s[-2000:]
    assert count_documents(erp, keys) == {key: 1}
    # the journal is back: the key is settled by lookup, not posted again
    back = write_config(
        tmp_path / "otc.toml",
        erp,
        f'backend = "postgres"\ndsn = "{PG_DSN}"\ntable = "{pg_table}"\ngrace_margin_s = 0',
        timeout_s=5,
    )
    time.sleep(5)
    code, out_s, err_s = run(back, *post_args(cash))
    assert code == 0 and "1 duplicate" in out_s, out_s + err_s[-2000:]
    assert count_documents(erp, keys) == {key: 1}
