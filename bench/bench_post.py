"""Posting throughput (issue 13): 2,000 payments over 200 customers, 100 ms injected ERP
latency, SAP's per-customer enqueue held for each posting call (mock setting
`enqueue_during_call`); 1, 4 and 8 workers; lease renewals, ERP lookups and lock
rejections counted; the journal's overhead (SQLite journal vs the same statements in memory,
same run). The mock ERP runs in its own process.

    python -m bench.bench_post [--payments 2000] [--customers 200] [--latency-ms 100]

Targets: 8 workers at least 6x faster than 1 with 0 lock rejections; journal overhead at
most 10 %.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import polars as pl

from adapters.sap.adapter import SapAdapter
from adapters.sap.settings import SapSettings
from contracts.io import write_frame
from jobs.full_payments import paid_in_full
from jobs.journal import SqliteJournal
from jobs.post import PostJob, PostOptions


class MemoryJournal(SqliteJournal):
    """The same statements on an in-memory SQLite database: the journal without the disk."""

    def __init__(self) -> None:
        import sqlite3
        import threading

        self.path = Path(":memory:")
        self._shared = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._local = threading.local()
        with self._tx() as cur:
            for ddl in self._ddl():
                cur.execute(ddl)
            self._migrate(cur)

    def _conn(self) -> Any:
        return self._shared

    def _tx(self, write: bool = True) -> Any:  # serialize: one shared connection
        from contextlib import contextmanager

        @contextmanager
        def tx() -> Any:
            with self._lock:
                cur = self._shared.cursor()
                cur.execute("BEGIN")
                try:
                    yield cur
                except BaseException:
                    self._shared.rollback()
                    raise
                else:
                    self._shared.commit()

        return tx()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_mock(port: int, open_items: int, customers: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobs", "mock-erp", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/_mock/health", timeout=1).raise_for_status()
            break
        except httpx.HTTPError:
            time.sleep(0.2)
    httpx.post(
        url + "/_mock/seed",
        json={"seed": 42, "companies": 2, "customers": customers, "open_items": open_items},
        timeout=600,
    ).raise_for_status()
    httpx.put(  # the harsh default, stated: a posting holds its customer's lock for the call
        url + "/_mock/settings", json={"sap": {"enqueue_during_call": True}}, timeout=30
    ).raise_for_status()
    return proc


def payments_files(
    sap: SapAdapter, work: Path, count: int, customers: int, names: Sequence[str]
) -> dict[str, Path]:
    """One file per name, each paying `count` different open invoices in full, spread evenly
    over the same `customers` customers (count / customers payments per customer)."""
    items = pl.concat(list(sap.pull_open_items(["1000", "2000"])))
    blocked = {
        c
        for f in sap.pull_customers(["1000", "2000"])
        for c in f.filter(pl.col("posting_block"))["customer_id"]
    }
    per = count // customers
    need = per * len(names)
    pool = (
        items.filter(
            (pl.col("document_type") == "invoice")
            & (pl.col("amount") > 0)
            & ~pl.col("customer_id").is_in(list(blocked))
        )
        .sort("company", "customer_id", "document_id")
        .with_columns(n=pl.int_range(pl.len()).over("company", "customer_id"))
        .filter(pl.col("n") < need)
    )
    enough = pool.group_by("company", "customer_id").len().filter(pl.col("len") == need)
    chosen = enough.sort("company", "customer_id").head(customers)
    assert chosen.height == customers, f"only {chosen.height} customers with {need} invoices"
    pool = pool.join(chosen.select("company", "customer_id"), on=["company", "customer_id"])
    return {
        name: payments_file(
            pool.filter((pl.col("n") >= i * per) & (pl.col("n") < (i + 1) * per))
            .drop("n")
            .rows(named=True),
            work / f"{name}.csv",
            name.upper(),
        )
        for i, name in enumerate(names)
    }


def payments_file(picked: list[dict[str, Any]], path: Path, prefix: str) -> Path:
    keys = [f"{prefix}-{i:04d}" for i in range(len(picked))]
    return write_frame(paid_in_full(picked, keys, date.today()), path, "cash_applications")


class Counted:
    """Counts what a run does besides posting: ERP lookups, lease renewals, lock retries."""

    def __init__(self) -> None:
        self.lookups = self.renewals = self.lock_retries = 0


def timed_run(
    sap: SapAdapter, journal: Any, path: Path, workers: int
) -> tuple[float, float, int, Counted]:
    from structlog.testing import capture_logs

    counted = Counted()
    find_posted, renew = sap.find_posted, journal.renew

    def counting_find(*args: Any, **kwargs: Any) -> Any:
        counted.lookups += 1
        return find_posted(*args, **kwargs)

    def counting_renew(*args: Any, **kwargs: Any) -> Any:
        counted.renewals += 1
        return renew(*args, **kwargs)

    sap.find_posted = counting_find  # type: ignore[method-assign]
    journal.renew = counting_renew
    options = PostOptions(workers=workers, lease_s=3.0)  # short: renewals happen and count
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        with capture_logs() as logs:
            report = PostJob(sap, journal, "cash_application", options).run(path)
    finally:
        sap.find_posted = find_posted  # type: ignore[method-assign]
    counted.lock_retries = sum(
        1
        for e in logs
        if e.get("event") == "retrying" and "lock" in str(e.get("error", "")).lower()
    )
    posted = report.counts().get("posted", 0)
    return time.perf_counter() - wall, time.process_time() - cpu, posted, counted


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--payments", type=int, default=2000)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args(argv)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    names = ("w1", "w4", "w8", "w8mem")
    per = args.payments // args.customers
    mock = start_mock(
        port,
        open_items=args.customers * per * len(names) * 3,
        customers=int(args.customers * 1.3),
    )
    runs: dict[str, tuple[float, float, int, Counted]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            section: Mapping[str, Any] = {
                "transport": "soap",
                "url": url,
                "client": "100",
                "user": "otc",
                "companies": ["1000", "2000"],
                "wsdl_cache": str(work / "wsdl"),
            }
            sap = SapAdapter(SapSettings.from_section("sap", section, {"password": "otc-mock"}))
            files = payments_files(sap, work, per * args.customers, args.customers, names)
            latency = {
                "persona": "sap",
                "operation": "Z_OTC_AR_CLEAR",
                "kind": "latency",
                "ms": args.latency_ms,
                "rate": 1.0,
            }
            httpx.post(url + "/_mock/faults", json=latency).raise_for_status()
            runs["1 worker"] = timed_run(sap, SqliteJournal(work / "j1.db"), files["w1"], 1)
            runs["4 workers"] = timed_run(sap, SqliteJournal(work / "j4.db"), files["w4"], 4)
            runs["8 workers"] = timed_run(sap, SqliteJournal(work / "j8.db"), files["w8"], 8)
            # the journal's overhead in the same setting: 8 workers, the same latency
            runs["8 workers, journal in memory"] = timed_run(
                sap, MemoryJournal(), files["w8mem"], 8
            )
            httpx.delete(url + "/_mock/faults")
    finally:
        mock.terminate()
        mock.wait(timeout=30)
    total = per * args.customers
    for name, (wall, cpu, posted, c) in runs.items():
        print(
            f"{name:30s} {posted:5d} posted in {wall:7.2f} s wall, client CPU "
            f"{cpu / max(posted, 1) * 1000:5.1f} ms/payment; {c.lookups} lookups, "
            f"{c.renewals} lease renewals, {c.lock_retries} lock rejections"
        )
        assert posted == total, f"{name}: only {posted} of {total} posted"
    one, four, eight, mem = (runs[n] for n in runs)
    results = {
        "speedup_4_vs_1": one[0] / four[0],
        "speedup_8_vs_1": one[0] / eight[0],
        "lock_rejections": float(sum(r[3].lock_retries for r in runs.values())),
        "journal_overhead": eight[0] / mem[0] - 1,
    }
    print(f"4 workers vs 1: {results['speedup_4_vs_1']:.1f}x faster")
    print(f"8 workers vs 1: {results['speedup_8_vs_1']:.1f}x faster (target >= 6x)")
    print(f"lock rejections, all runs: {results['lock_rejections']:.0f} (target 0)")
    print(
        f"journal overhead, 8 workers, {args.latency_ms} ms latency: "
        f"{results['journal_overhead'] * 100:+.1f} % (target <= 10 %)"
    )
    return results


if __name__ == "__main__":
    main()
