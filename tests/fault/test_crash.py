"""Crash tests with real processes: `otc cash post` killed with SIGKILL at random moments,
with the ERP committing and the answer being lost (drop_after_commit), then rerun to
completion: every payment is in the ERP exactly once. Also with two runners sharing one
PostgreSQL journal.

`make test` kills a few times; `make chaos` sets OTC_CHAOS_KILLS=20 (or more).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import psycopg
import pytest

from adapters.sap.keys import xblnr_for
from contracts.io import write_frame
from jobs.full_payments import paid_in_full

KILLS = int(os.environ.get("OTC_CHAOS_KILLS", "3"))
PAYMENTS = int(os.environ.get("OTC_CHAOS_PAYMENTS", "12"))
PG_DSN = os.environ.get("OTC_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="module")
def erp() -> Iterator[Any]:
    from mock_erp.server import start

    server = start(companies=2, customers=40, open_items=600, fault_seed=5)
    try:
        yield server
    finally:
        server.stop()


def write_config(path: Path, erp: Any, journal: str) -> Path:
    path.write_text(
        f'[systems.sap]\nadapter = "sap"\ntransport = "soap"\nurl = "{erp.url}"\nclient = "100"\n'
        f'user = "otc"\npassword_env = "OTC_MOCK_PASSWORD"\ncompanies = ["1000", "2000"]\n'
        f'wsdl_cache = "{path.parent / "wsdl"}"\ntimeout_s = 20\n\n[journal]\n{journal}\n',
        encoding="utf-8",
    )
    return path


def cash_file(erp: Any, path: Path, count: int) -> tuple[Path, list[tuple[str, str]]]:
    """`count` payments, each paying one open invoice in full."""
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
                "wsdl_cache": str(path.parent / "wsdl"),
            },
            {"password": "otc-mock"},
        )
    )
    items = pl.concat(list(sap.pull_open_items(["1000", "2000"])))
    sap.close()
    blocked = {
        k.lstrip("0")
        for (k,) in erp.state.store.query(
            "SELECT KUNNR FROM KNA1 WHERE SPERR <> '' UNION SELECT KUNNR FROM KNB1 WHERE SPERR <> ''"
        )
    }
    items = items.filter(
        (pl.col("document_type") == "invoice")
        & (pl.col("amount") > 0)
        & ~pl.col("customer_id").is_in(list(blocked))
    )
    assert items.height >= count
    picked = items.sort("company", "document_id").head(count).rows(named=True)
    run = uuid.uuid4().hex[:6].upper()
    keys = [f"CHAOS-{run}-{i:03d}" for i in range(len(picked))]
    frame = paid_in_full(picked, keys, date.today())
    write_frame(frame, path, "cash_applications")
    return path, [(it["company"], key) for it, key in zip(picked, keys, strict=True)]


def otc(config: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OTC_MOCK_PASSWORD": "otc-mock"}
    return subprocess.Popen(
        [sys.executable, "-m", "jobs", "--config", str(config), "--log-format", "json", *args],
        env=env,
        cwd=config.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def finish(config: Path, cash: Path, runs: int = 4) -> int:
    """Rerun until everything is settled and posted (exit 0)."""
    code = -1
    for _ in range(runs):
        proc = otc(config, "cash", "post", str(cash), "--system", "sap", "--workers", "3")
        _, err = proc.communicate(timeout=300)
        code = proc.returncode
        if code == 0:
            return code
        assert code in (1, 3), err.decode()[-2000:]
    return code


def count_documents(erp: Any, keys: list[tuple[str, str]]) -> dict[str, int]:
    return {
        key: len(
            erp.state.store.query(
                'SELECT 1 FROM "BKPF" WHERE BUKRS = ? AND XBLNR = ?', (company, xblnr_for(key))
            )
        )
        for company, key in keys
    }


def chaos(erp: Any, configs: list[Path], cash: Path, kills: int, rng: random.Random) -> None:
    with httpx.Client(base_url=erp.url) as admin:
        admin.post(
            "/_mock/faults",
            json={
                "persona": "sap",
                "operation": "Z_OTC_AR_CLEAR",
                "kind": "drop_after_commit",
                "rate": 0.15,
                "seed": rng.randrange(10**6),
            },
        )
        for _ in range(kills):
            procs = [
                otc(c, "cash", "post", str(cash), "--system", "sap", "--workers", "2")
                for c in configs
            ]
            time.sleep(rng.uniform(1.0, 4.0))
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=60)
        admin.delete("/_mock/faults")


def test_sigkill_and_lost_answers_then_rerun_posts_each_payment_once(
    erp: Any, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "otc.toml", erp, f'path = "{tmp_path / "journal.db"}"')
    cash, keys = cash_file(erp, tmp_path / "cash.csv", PAYMENTS)
    chaos(erp, [config], cash, KILLS, random.Random(1234))
    assert finish(config, cash) == 0
    assert count_documents(erp, keys) == {key: 1 for _, key in keys}


def test_two_runners_share_a_postgres_journal(erp: Any, tmp_path: Path) -> None:
    table = f"otc_journal_chaos_{uuid.uuid4().hex[:8]}"
    journal = f'backend = "postgres"\ndsn = "{PG_DSN}"\ntable = "{table}"'
    configs = [
        write_config(tmp_path / name / "otc.toml", erp, journal)
        for name in ("a", "b")
        if (tmp_path / name).mkdir() is None
    ]
    cash, keys = cash_file(erp, tmp_path / "cash.csv", PAYMENTS)
    try:
        chaos(erp, configs, cash, max(1, KILLS // 2), random.Random(99))
        both = [
            otc(c, "cash", "post", str(cash), "--system", "sap", "--workers", "2") for c in configs
        ]
        for proc in both:
            proc.communicate(timeout=300)
        assert finish(configs[0], cash) == 0
        assert count_documents(erp, keys) == {key: 1 for _, key in keys}
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
