"""Running `otc` as a user does, in its own process, against a mock ERP on 127.0.0.1.

Shared by the crash tests (tests/fault) and the exactly-once regression tests
(tests/e2e/test_exactly_once_journal*.py): a config file, a file of payments that each pay
one open invoice in full, the CLI as a subprocess, and the ERP's own count of documents.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import polars as pl

from adapters.sap.keys import xblnr_for
from contracts.io import write_frame
from jobs.full_payments import paid_in_full

PG_DSN = os.environ.get("OTC_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def write_config(
    path: Path,
    erp: Any,
    journal: str,
    *,
    companies: tuple[str, ...] = ("1000", "2000"),
    timeout_s: float = 20,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    listed = ", ".join(f'"{c}"' for c in companies)
    path.write_text(
        f'[systems.sap]\nadapter = "sap"\ntransport = "soap"\nurl = "{erp.url}"\nclient = "100"\n'
        f'user = "otc"\npassword_env = "OTC_MOCK_PASSWORD"\ncompanies = [{listed}]\n'
        f'wsdl_cache = "{path.parent / "wsdl"}"\ntimeout_s = {timeout_s}\n\n[journal]\n{journal}\n',
        encoding="utf-8",
    )
    return path


def open_invoices(erp: Any, tmp: Path) -> pl.DataFrame:
    """Open invoices of customers without a posting block, sorted."""
    items = postable_items(erp, tmp)
    return items.filter((pl.col("document_type") == "invoice") & (pl.col("amount") > 0))


def open_credits(erp: Any, tmp: Path) -> pl.DataFrame:
    """Open credits (negative open amount) of customers without a posting block, sorted."""
    return postable_items(erp, tmp).filter(pl.col("amount") < 0)


def postable_items(erp: Any, tmp: Path) -> pl.DataFrame:
    """Open items of customers without a posting block, sorted."""
    from adapters.sap.adapter import SapAdapter
    from adapters.sap.settings import SapSettings

    sap = SapAdapter(
        SapSettings.from_section(
            "sap",
            {
                "transport": "soap",
                "url": erp.url,
                "client": "100",
                "user": "otc",
                "companies": ["1000", "2000"],
                "wsdl_cache": str(tmp / "wsdl"),
            },
            {"password": "otc-mock"},
        )
    )
    try:
        items = pl.concat(list(sap.pull_open_items(["1000", "2000"])))
    finally:
        sap.close()
    blocked = {
        k.lstrip("0")
        for (k,) in erp.state.store.query(
            "SELECT KUNNR FROM KNA1 WHERE SPERR <> '' UNION SELECT KUNNR FROM KNB1 WHERE SPERR <> ''"
        )
    }
    return items.filter(~pl.col("customer_id").is_in(list(blocked))).sort(
        "company", "customer_id", "document_id", "line"
    )


def write_cash(
    path: Path, picked: list[dict[str, Any]], prefix: str = "EO"
) -> tuple[Path, list[tuple[str, str]]]:
    """One payment per picked item, keys `<prefix>-<run>-<nnn>`; returns (file, (company, key))."""
    run = uuid.uuid4().hex[:6].upper()
    keys = [f"{prefix}-{run}-{i:03d}" for i in range(len(picked))]
    write_frame(paid_in_full(picked, keys, date.today()), path, "cash_applications")
    return path, [(it["company"], key) for it, key in zip(picked, keys, strict=True)]


def cash_file(erp: Any, path: Path, count: int) -> tuple[Path, list[tuple[str, str]]]:
    """`count` payments, each paying one open invoice in full."""
    items = open_invoices(erp, path.parent)
    assert items.height >= count
    return write_cash(path, items.head(count).rows(named=True), "CHAOS")


def one_per_customer(erp: Any, tmp: Path, count: int, *, skip: int = 0) -> list[dict[str, Any]]:
    """`count` open invoices of `count` different customers (after skipping `skip` customers)."""
    items = open_invoices(erp, tmp).unique(["company", "customer_id"], keep="first")
    items = items.sort("company", "customer_id").slice(skip, count)
    assert items.height == count
    return items.rows(named=True)


def otc(
    config: Path,
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdout: Any = subprocess.DEVNULL,
) -> subprocess.Popen[bytes]:
    full_env = {**os.environ, "OTC_MOCK_PASSWORD": "otc-mock", "COLUMNS": "200", **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "jobs", "--config", str(config), "--log-format", "json", *args],
        env=full_env,
        cwd=cwd or config.parent,
        stdout=stdout,
        stderr=subprocess.PIPE,
    )


def run(config: Path, *args: str, **kwargs: Any) -> tuple[int, str, str]:
    """Run `otc` to its end: (exit code, stdout, stderr)."""
    proc = otc(config, *args, stdout=subprocess.PIPE, **kwargs)
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out.decode(), err.decode()


def finish(
    config: Path,
    cash: Path,
    runs: int = 4,
    pause_s: float = 0.0,
    command: tuple[str, ...] = ("cash", "post"),
    system: str = "sap",
) -> int:
    """Rerun until everything is settled and posted (exit 0); `pause_s` between reruns lets
    keys that were sent wait out their grace period (timeout_s + grace_margin_s).
    `command`: `cash reverse`, `refunds post` for the other kinds."""
    code = -1
    for _ in range(runs):
        proc = otc(config, *command, str(cash), "--system", system, "--workers", "3")
        _, err = proc.communicate(timeout=300)
        code = proc.returncode
        if code == 0:
            return code
        assert code in (1, 3), err.decode()[-2000:]
        assert b"Traceback" not in err, err.decode()[-2000:]
        time.sleep(pause_s)
    return code


def count_documents(erp: Any, keys: list[tuple[str, str]]) -> dict[str, int]:
    """The ERP's own count: BKPF headers carrying each key's reference, per key."""
    return {
        key: len(
            erp.state.store.query(
                'SELECT 1 FROM "BKPF" WHERE BUKRS = ? AND XBLNR = ?', (company, xblnr_for(key))
            )
        )
        for company, key in keys
    }


def wait_for(what: str, check: Callable[[], bool], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def sends(config: Path) -> int:
    """Reversals and refunds sent so far (journal `attempts`) on this config's journal."""
    import sqlite3

    journal = config.parent / "journal.db"
    if not journal.exists():
        return 0
    try:
        with sqlite3.connect(journal, timeout=5) as conn:
            (n,) = conn.execute(
                "SELECT COALESCE(SUM(attempts), 0) FROM otc_journal "
                "WHERE kind IN ('reversal', 'refund')"
            ).fetchone()
    except sqlite3.OperationalError:  # not created yet
        return 0
    return int(n)


def settled_by_lookup(tmp_path: Path) -> dict[str, int]:
    """Sent keys a later run had to look up (a kill or a lost answer left them pending or
    unknown), by what the lookup found: the crash path the reversal and refund crash tests
    are about."""
    import sqlite3

    with sqlite3.connect(tmp_path / "journal.db") as conn:
        rows = conn.execute(
            "SELECT outcome, COUNT(*) FROM otc_journal_history "
            "WHERE kind IN ('reversal', 'refund') "
            "AND (message LIKE '%(was pending)' OR message LIKE '%(was unknown)') GROUP BY outcome"
        ).fetchall()
    return {str(outcome): int(n) for outcome, n in rows}


def kill_while_sending(
    erp: Any,
    config: Path,
    command: tuple[str, ...],
    path: Path,
    system: str,
    faults: list[dict[str, Any]],
    rng: random.Random,
    kills: int,
    first_workers: str = "2",
) -> dict[str, Any]:
    """`kills` runs of `command` on `path`, each SIGKILLed at a random moment once it has sent
    a reversal or refund (not while Python starts), with the mock's `faults` armed; the
    first run has `first_workers` workers, the others two. Returns the first fault rule as
    the mock counted it (`matched` calls, `fired` drops)."""
    with httpx.Client(base_url=erp.url) as admin:
        admin.post(
            "/_mock/faults", json={"rules": faults, "seed": rng.randrange(10**6)}
        ).raise_for_status()
        for n in range(kills):
            before = sends(config)
            workers = first_workers if n == 0 else "2"
            proc = otc(config, *command, str(path), "--system", system, "--workers", workers)
            wait_for(
                "a key sent",
                lambda p=proc, n=before: p.poll() is not None or sends(config) > n,  # type: ignore[misc]
                120,
            )
            time.sleep(rng.uniform(0.3, 2.5))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
        rules = admin.get("/_mock/faults").json()["rules"]
        admin.delete("/_mock/faults")
    first: dict[str, Any] = rules[0]
    first["fired_all"] = sum(r["fired"] for r in rules)
    return first
