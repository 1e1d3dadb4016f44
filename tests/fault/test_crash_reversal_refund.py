"""Crash tests for `otc cash reverse` and `otc refunds post` (issue 18), with real processes:
killed with SIGKILL at random moments while the ERP commits and answers are lost
(drop_after_commit on the kit's Z_OTC_AR_REVERSE / Z_OTC_AR_REFUND), then rerun to
completion: each reversal and each refund took effect exactly once, counted in the ERP's
own tables.

Marked `long` (about 100 s for both kinds): `make chaos` runs them, OTC_CHAOS_KILLS=20 kill
rounds (or more); `make test` covers lost answers of both kinds through the job in
tests/e2e/test_reverse_job.py and tests/e2e/test_refunds_job.py.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from adapters.sap.keys import xblnr_for
from contracts.io import schema_of, write_frame
from tests.fault.cli_runs import (
    finish,
    kill_while_sending,
    one_per_customer,
    open_credits,
    run,
    settled_by_lookup,
    write_cash,
    write_config,
)

pytestmark = pytest.mark.long  # `make chaos` (README): slow, real processes killed
KILLS = int(os.environ.get("OTC_CHAOS_KILLS", "3"))
TIMEOUT_S, MARGIN_S = 5, 1  # a sent key is looked up 6 s after it was sent
GRACE = f"grace_margin_s = {MARGIN_S}"
UNITS = 8


@pytest.fixture(scope="module")
def erp() -> Iterator[Any]:
    from mock_erp.server import start

    server = start(companies=2, customers=40, open_items=600, fault_seed=7)
    try:
        yield server
    finally:
        server.stop()


def chaos(erp: Any, config: Path, command: tuple[str, ...], path: Path, operation: str,
          rng: random.Random) -> None:  # fmt: skip
    rule = {"persona": "sap", "operation": operation, "kind": "drop_after_commit", "rate": 0.25}
    # and, whatever the seeded draws hit: the 2nd call is the first key's real posting (the
    # first run has one worker: test run, then posting), so at least one answer of a
    # committed posting is lost and a later run must settle it by lookup
    first_post = {"persona": "sap", "operation": operation, "kind": "drop_after_commit", "nth": 2}
    counted = kill_while_sending(
        erp, config, command, path, "sap", [rule, first_post], rng, KILLS, first_workers="1"
    )
    print(f"{operation}: {counted['matched']} calls, {counted['fired_all']} answers dropped")


def count(erp: Any, sql: str, company: str, key: str) -> int:
    return len(erp.state.store.query(sql, (company, xblnr_for(key))))


def test_reversals_killed_and_answers_lost_take_effect_once(erp: Any, tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "otc.toml", erp, f'path = "{tmp_path / "journal.db"}"\n{GRACE}',
        timeout_s=TIMEOUT_S,
    )  # fmt: skip
    picked = one_per_customer(erp, tmp_path, UNITS)
    cash, keys = write_cash(tmp_path / "cash.csv", picked, "RVC")
    code, _, err = run(config, "cash", "post", str(cash), "--system", "sap")
    assert code == 0, err[-2000:]
    reversals = pl.DataFrame(
        [
            {"reversal_id": f"R{key}", "application_id": key, "company": item["company"],
             "customer_id": item["customer_id"], "reason_code": "01",
             "reversal_date": date.today()}
            for item, (_, key) in zip(picked, keys, strict=True)
        ]
    )  # fmt: skip
    path = write_frame(reversals, tmp_path / "reversals.csv")
    command = ("cash", "reverse")
    chaos(erp, config, command, path, "Z_OTC_AR_REVERSE", random.Random(4321))
    assert finish(config, path, runs=6, pause_s=TIMEOUT_S + MARGIN_S, command=command) == 0
    for company, key in keys:
        payment = "SELECT 1 FROM \"BKPF\" WHERE BUKRS = ? AND XBLNR = ? AND XREVERSAL <> '2'"
        reversal = "SELECT 1 FROM \"BKPF\" WHERE BUKRS = ? AND XBLNR = ? AND XREVERSAL = '2'"
        assert (count(erp, payment, company, key), count(erp, reversal, company, key)) == (1, 1)
    looked_up = settled_by_lookup(tmp_path)
    print("sent keys settled by lookup:", looked_up)  # `pytest -s`: what the chaos did
    assert looked_up, "no run left a sent key to look up: the chaos proved nothing"


def test_refunds_killed_and_answers_lost_take_effect_once(erp: Any, tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "otc.toml", erp, f'path = "{tmp_path / "journal.db"}"\n{GRACE}',
        timeout_s=TIMEOUT_S,
    )  # fmt: skip
    credits = open_credits(erp, tmp_path).unique(["company", "customer_id"], keep="first")
    picked = credits.sort("company", "customer_id").head(UNITS).rows(named=True)
    assert len(picked) >= 4, "the seed has credit items of several customers"
    rows = [
        {"refund_id": f"RFC-{n:03d}", "company": c["company"], "customer_id": c["customer_id"],
         "currency": c["currency"], "refund_amount": -c["amount"], "document_id": c["document_id"],
         "fiscal_year": c["fiscal_year"], "line": c["line"], "item_amount": -c["amount"],
         "payment_method": "T", "approval_reference": "APR-CHAOS", "refund_date": date.today(),
         "memo": None}
        for n, c in enumerate(picked)
    ]  # fmt: skip
    path = write_frame(
        pl.DataFrame(rows, schema=schema_of("refunds")), tmp_path / "refunds.csv", "refunds"
    )
    command = ("refunds", "post")
    chaos(erp, config, command, path, "Z_OTC_AR_REFUND", random.Random(8765))
    assert finish(config, path, runs=6, pause_s=TIMEOUT_S + MARGIN_S, command=command) == 0
    documents = 'SELECT DISTINCT BELNR FROM "BKPF" WHERE BUKRS = ? AND XBLNR = ?'
    assert {r["refund_id"]: count(erp, documents, r["company"], r["refund_id"]) for r in rows} == {
        r["refund_id"]: 1 for r in rows
    }
    looked_up = settled_by_lookup(tmp_path)
    print("sent keys settled by lookup:", looked_up)  # `pytest -s`: what the chaos did
    assert looked_up, "no run left a sent key to look up: the chaos proved nothing"
