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
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.fault.cli_runs import PG_DSN, cash_file, count_documents, finish, otc, write_config

KILLS = int(os.environ.get("OTC_CHAOS_KILLS", "3"))
PAYMENTS = int(os.environ.get("OTC_CHAOS_PAYMENTS", "12"))


@pytest.fixture(scope="module")
def erp() -> Iterator[Any]:
    from mock_erp.server import start

    server = start(companies=2, customers=40, open_items=600, fault_seed=5)
    try:
        yield server
    finally:
        server.stop()


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
