"""Posting throughput: 500 payments with 100 ms injected ERP latency, 1 vs 8 workers; the
client's CPU time per payment; the journal's overhead (SQLite journal vs an in-memory one,
same run). The mock ERP runs in its own process.

    python -m bench.bench_post [--payments 500] [--latency-ms 100]

Targets (issue 8): 8 workers at least 6x faster than 1; journal overhead at most 10 %.
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


def start_mock(port: int, open_items: int) -> subprocess.Popen[bytes]:
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
        json={"seed": 42, "companies": 2, "customers": 300, "open_items": open_items},
        timeout=300,
    ).raise_for_status()
    return proc


def payments_files(
    sap: SapAdapter, work: Path, count: int, names: Sequence[str]
) -> dict[str, Path]:
    """One file per name, each paying `count` different open invoices in full."""
    items = pl.concat(list(sap.pull_open_items(["1000", "2000"])))
    blocked = {
        c
        for f in sap.pull_customers(["1000", "2000"])
        for c in f.filter(pl.col("posting_block"))["customer_id"]
    }
    pool = items.filter(
        (pl.col("document_type") == "invoice")
        & (pl.col("amount") > 0)
        & ~pl.col("customer_id").is_in(list(blocked))
    )
    everything = pool.sort("company", "document_id").head(count * len(names)).rows(named=True)
    assert len(everything) == count * len(names), f"only {len(everything)} open invoices; seed more"
    return {
        name: payments_file(
            everything[i * count : (i + 1) * count], work / f"{name}.csv", name.upper()
        )
        for i, name in enumerate(names)
    }


def payments_file(picked: list[dict[str, Any]], path: Path, prefix: str) -> Path:
    keys = [f"{prefix}-{i:04d}" for i in range(len(picked))]
    return write_frame(paid_in_full(picked, keys, date.today()), path, "cash_applications")


def timed_run(sap: SapAdapter, journal: Any, path: Path, workers: int) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    report = PostJob(sap, journal, "cash_application", PostOptions(workers=workers)).run(path)
    posted = report.counts().get("posted", 0)
    return time.perf_counter() - wall, time.process_time() - cpu, posted


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--payments", type=int, default=500)
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args(argv)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    mock = start_mock(port, open_items=max(8000, args.payments * 20))
    results: dict[str, float] = {}
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
            files = payments_files(sap, work, args.payments, ("w1", "w8", "w8mem", "mem0", "disk0"))
            latency = {
                "persona": "sap",
                "operation": "Z_OTC_AR_CLEAR",
                "kind": "latency",
                "ms": args.latency_ms,
                "rate": 1.0,
            }
            httpx.post(url + "/_mock/faults", json=latency)
            one = timed_run(sap, SqliteJournal(work / "j1.db"), files["w1"], 1)
            eight = timed_run(sap, SqliteJournal(work / "j8.db"), files["w8"], 8)
            # the journal's overhead in the same setting: 8 workers, the same latency
            eight_mem = timed_run(sap, MemoryJournal(), files["w8mem"], 8)
            httpx.delete(url + "/_mock/faults")
            # and its worst case: no ERP latency at all, one worker, where fsyncs weigh most
            bare_mem = timed_run(sap, MemoryJournal(), files["mem0"], 1)
            bare_disk = timed_run(sap, SqliteJournal(work / "j0.db"), files["disk0"], 1)
    finally:
        mock.terminate()
        mock.wait(timeout=30)
    for name, (wall, cpu, posted) in {
        "1 worker": one,
        "8 workers": eight,
        "8 workers, journal in memory": eight_mem,
        "no latency, journal in memory": bare_mem,
        "no latency, SQLite journal": bare_disk,
    }.items():
        print(
            f"{name:30s} {posted:4d} posted in {wall:7.2f} s wall, client CPU {cpu / max(posted, 1) * 1000:6.1f} ms/payment"
        )
        assert posted == args.payments, f"{name}: only {posted} of {args.payments} posted"
    results = {
        "speedup_8_vs_1": one[0] / eight[0],
        "cpu_ms_per_payment": one[1] / args.payments * 1000,
        "journal_overhead": eight[0] / eight_mem[0] - 1,
        "journal_overhead_no_latency": bare_disk[0] / bare_mem[0] - 1,
    }
    print(f"8 workers vs 1: {results['speedup_8_vs_1']:.1f}x faster (target >= 6x)")
    print(
        f"journal overhead, 8 workers, {args.latency_ms} ms latency: "
        f"{results['journal_overhead'] * 100:+.1f} % (target <= 10 %)"
    )
    print(
        f"journal overhead, no ERP latency (worst case): "
        f"{results['journal_overhead_no_latency'] * 100:+.1f} %"
    )
    return results


if __name__ == "__main__":
    main()
