"""Crash tests for issue 13's failure modes, with real processes: runners killed with SIGKILL
while slow commits are in flight and rerun at once, two runners with a short lease, a runner
whose clock is an hour ahead, two working directories sharing one config, and gateway
timeouts after commit on 10 % of the postings. Then reruns to completion: every payment is
in the ERP exactly once.

`make test` runs one kill round per case; `make chaos` (OTC_CHAOS_KILLS=20) runs six.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fault.cli_runs import cash_file, count_documents, finish, otc, write_config

ROUNDS = max(1, int(os.environ.get("OTC_CHAOS_KILLS", "3")) // 3)
PAYMENTS = max(6, int(os.environ.get("OTC_CHAOS_PAYMENTS", "12")) // 2)
TIMEOUT_S, MARGIN_S = 5, 1  # grace: 6 s after a key was sent

pytestmark = pytest.mark.long  # `make chaos` (README): slow, real processes killed


@pytest.fixture(scope="module")
def erp() -> Iterator[Any]:
    from mock_erp.server import start

    server = start(companies=2, customers=40, open_items=600, fault_seed=11)
    try:
        yield server
    finally:
        server.stop()


CASES: dict[str, dict[str, Any]] = {
    "kill during slow commits, rerun at once": {
        "faults": [
            {"kind": "latency", "rate": 0.3, "ms": 1500},
            {"kind": "drop_after_commit", "rate": 0.1},
        ],
        "runners": [{}],
    },
    "two runners, short lease": {
        "faults": [{"kind": "latency", "rate": 0.5, "ms": 1200}],
        "runners": [{}, {}],
        "journal": "lease_s = 1",
    },
    "a runner's clock an hour ahead": {
        "faults": [{"kind": "latency", "rate": 0.5, "ms": 1200}],
        "runners": [{}, {"env": {"OTC_TEST_CLOCK_OFFSET": "3600"}}],
        "journal": "lease_s = 2",
    },
    "two working directories, one config": {
        "faults": [{"kind": "latency", "rate": 0.3, "ms": 800}],
        "runners": [{"cwd": "one"}, {"cwd": "two"}],
    },
    "gateway timeouts after commit, 10 %": {
        "faults": [{"kind": "gateway_timeout_after_commit", "rate": 0.1}],
        "runners": [{}],
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_issue13_chaos_then_rerun_posts_each_payment_once(
    case: str, erp: Any, tmp_path: Path
) -> None:
    spec = CASES[case]
    journal = f'path = "journal.db"\ngrace_margin_s = {MARGIN_S}\n{spec.get("journal", "")}'
    config = write_config(tmp_path / "conf" / "otc.toml", erp, journal, timeout_s=TIMEOUT_S)
    cash, keys = cash_file(erp, tmp_path / "cash.csv", PAYMENTS)
    rng = random.Random(hash(case) % 10_000)
    with httpx.Client(base_url=erp.url) as admin:
        rules = [{"persona": "sap", "operation": "Z_OTC_AR_CLEAR", **r} for r in spec["faults"]]
        admin.post(
            "/_mock/faults", json={"rules": rules, "seed": rng.randrange(10**6)}
        ).raise_for_status()
        try:
            for _ in range(ROUNDS):
                procs = []
                for runner in spec["runners"]:
                    cwd = tmp_path / runner.get("cwd", "conf")
                    cwd.mkdir(exist_ok=True)
                    procs.append(
                        otc(
                            config,
                            "cash",
                            "post",
                            str(cash),
                            "--system",
                            "sap",
                            "--workers",
                            "2",
                            cwd=cwd,
                            env=runner.get("env"),
                        )
                    )
                time.sleep(rng.uniform(1.5, 4.0))
                for proc in procs:
                    if proc.poll() is None:
                        proc.send_signal(signal.SIGKILL)
                    _, err = proc.communicate(timeout=60)
                    assert b"Traceback" not in err, err.decode()[-2000:]
        finally:
            admin.delete("/_mock/faults")
    assert finish(config, cash, runs=6, pause_s=TIMEOUT_S + MARGIN_S) == 0
    assert count_documents(erp, keys) == {key: 1 for _, key in keys}
    assert not (tmp_path / "one" / ".otc").exists() and not (tmp_path / "two" / ".otc").exists()
