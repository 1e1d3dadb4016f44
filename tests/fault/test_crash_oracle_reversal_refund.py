"""Crash tests for `otc cash reverse` and `otc refunds post` against Oracle EBS (issue 18), with
real processes over ORDS: killed with SIGKILL at random moments while EBS commits and answers
are lost (drop_after_commit on AR_RECEIPT_API_PUB.REVERSE and
AR_CM_APPLICATION_PUB.ACTIVITY_APPLICATION), then rerun to completion: each reversal and each
refund took effect exactly once, counted in EBS's own tables.

Marked `long` (one to three minutes for both kinds on 2 cores): `make chaos` runs them; `make test` covers lost
answers of both kinds through the job in tests/e2e/test_oracle_reversal_job.py and
tests/e2e/test_oracle_reversals.py / test_oracle_refunds.py.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest

from adapters.oracle.adapter import OracleAdapter
from adapters.oracle.settings import OracleSettings
from contracts.io import schema_of, write_frame
from jobs.full_payments import paid_in_full
from tests.fault.cli_runs import finish as finish_runs
from tests.fault.cli_runs import kill_while_sending, run, settled_by_lookup

pytestmark = pytest.mark.long  # `make chaos` (README): slow, real processes killed
KILLS = int(os.environ.get("OTC_CHAOS_KILLS", "3"))
TIMEOUT_S, MARGIN_S = 5, 1  # a sent key is looked up 6 s after it was sent
UNITS = 8
SECTION = {
    "transport": "ords",
    "user": "otc",
    "companies": ["US", "DE"],
    "operating_units": {"US": 204, "DE": 301},
    "receipt_method": "Manual Check",
    "apps_user_id": 1318,
    "refund_activity": "Credit Memo Refund",
    "timeout_s": TIMEOUT_S,
}


@pytest.fixture(scope="module")
def erp() -> Iterator[Any]:
    from mock_erp.server import start

    server = start(companies=2, customers=40, open_items=600, fault_seed=7)
    try:
        yield server
    finally:
        server.stop()


def write_config(path: Path, erp: Any) -> Path:
    lines = [
        '[systems.ebs]\nadapter = "oracle"\npassword_env = "OTC_MOCK_PASSWORD"',
        f'url = "{erp.url}"',
        'transport = "ords"\nuser = "otc"\ncompanies = ["US", "DE"]',
        'operating_units = { "US" = 204, "DE" = 301 }',
        'receipt_method = "Manual Check"\napps_user_id = 1318',
        f'refund_activity = "Credit Memo Refund"\ntimeout_s = {TIMEOUT_S}',
        f'\n[journal]\npath = "{path.parent / "journal.db"}"\ngrace_margin_s = {MARGIN_S}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def open_items(erp: Any) -> pl.DataFrame:
    ebs = OracleAdapter(
        OracleSettings.from_section("ebs", {**SECTION, "url": erp.url}, {"password": "otc-mock"})
    )
    try:
        items = pl.concat(list(ebs.pull_open_items(["US", "DE"])))
    finally:
        ebs.close()
    return items.sort("company", "customer_id", "document_id", "line")


def rows_of(erp: Any, table: str, **filters: Any) -> list[dict[str, Any]]:
    answer = httpx.get(
        f"{erp.url}/_mock/tables/{table}",
        params={**{k: str(v) for k, v in filters.items()}, "limit": 1000},
    )
    answer.raise_for_status()
    rows: list[dict[str, Any]] = answer.json()["rows"]
    return rows


def chaos(erp: Any, config: Path, command: tuple[str, ...], path: Path, operation: str,
          rng: random.Random) -> None:  # fmt: skip
    rule = {"persona": "oracle", "operation": operation, "kind": "drop_after_commit",
            "rate": 0.25}  # fmt: skip
    kill_while_sending(erp, config, command, path, "ebs", [rule], rng, KILLS)


def finish(config: Path, path: Path, command: tuple[str, ...]) -> int:
    return finish_runs(
        config, path, runs=6, pause_s=TIMEOUT_S + MARGIN_S, command=command, system="ebs"
    )


def test_reversals_killed_and_answers_lost_take_effect_once(erp: Any, tmp_path: Path) -> None:
    config = write_config(tmp_path / "otc.toml", erp)
    items = open_items(erp)
    picked = (
        items.filter((pl.col("document_type") == "invoice") & (pl.col("amount") > 0))
        .unique(["company", "customer_id"], keep="first", maintain_order=True)
        .head(UNITS)
        .rows(named=True)
    )
    keys = [f"ORC-{n:03d}" for n in range(len(picked))]
    cash = write_frame(
        paid_in_full(picked, keys, date.today()), tmp_path / "cash.csv", "cash_applications"
    )
    code, _, err = run(config, "cash", "post", str(cash), "--system", "ebs")
    assert code == 0, err[-2000:]
    reversals = pl.DataFrame(
        [
            {"reversal_id": f"R{key}", "application_id": key, "company": item["company"],
             "customer_id": item["customer_id"], "reason_code": "WRONG INVOICE",
             "reversal_date": date.today()}
            for item, key in zip(picked, keys, strict=True)
        ]
    )  # fmt: skip
    path = write_frame(reversals, tmp_path / "reversals.csv")
    command = ("cash", "reverse")
    chaos(erp, config, command, path, "AR_RECEIPT_API_PUB.REVERSE", random.Random(2468))
    assert finish(config, path, command) == 0
    for item, key in zip(picked, keys, strict=True):
        receipts = rows_of(erp, "AR_CASH_RECEIPTS_ALL", RECEIPT_NUMBER=key)
        assert [r["STATUS"] for r in receipts] == ["REV"], key
        history = rows_of(erp, "AR_CASH_RECEIPT_HISTORY_ALL",
                          CASH_RECEIPT_ID=receipts[0]["CASH_RECEIPT_ID"])  # fmt: skip
        assert sorted(h["STATUS"] for h in history) == ["CLEARED", "REVERSED"], key
        schedule = rows_of(erp, "AR_PAYMENT_SCHEDULES_ALL", CUSTOMER_TRX_ID=item["document_id"])
        assert schedule[0]["STATUS"] == "OP", key
    looked_up = settled_by_lookup(tmp_path)
    print("sent keys settled by lookup:", looked_up)  # `pytest -s`: what the chaos did
    assert looked_up, "no run left a sent key to look up: the chaos proved nothing"


def test_refunds_killed_and_answers_lost_take_effect_once(erp: Any, tmp_path: Path) -> None:
    config = write_config(tmp_path / "otc.toml", erp)
    credits = (
        open_items(erp)
        .filter(pl.col("document_type") == "credit_memo")
        .unique(["company", "customer_id"], keep="first", maintain_order=True)
        .head(UNITS)
        .rows(named=True)
    )
    assert len(credits) >= 4, "the seed has credit memos of several customers"
    rows = [
        {"refund_id": f"ORF-{n:03d}", "company": c["company"], "customer_id": c["customer_id"],
         "currency": c["currency"], "refund_amount": -c["amount"], "document_id": c["document_id"],
         "fiscal_year": c["fiscal_year"], "line": c["line"], "item_amount": -c["amount"],
         "payment_method": "C", "approval_reference": "APR-CHAOS", "refund_date": date.today(),
         "memo": None}
        for n, c in enumerate(credits)
    ]  # fmt: skip
    path = write_frame(
        pl.DataFrame(rows, schema=schema_of("refunds")), tmp_path / "refunds.csv", "refunds"
    )
    command = ("refunds", "post")
    chaos(erp, config, command, path, "AR_CM_APPLICATION_PUB.ACTIVITY_APPLICATION",
          random.Random(1357))  # fmt: skip
    assert finish(config, path, command) == 0
    refunds = rows_of(erp, "AR_RECEIVABLE_APPLICATIONS_ALL", APPLIED_PAYMENT_SCHEDULE_ID="-8")
    per_key = {
        r["refund_id"]: sum(
            1 for a in refunds if str(a["COMMENTS"]).startswith(f"otc:{r['refund_id']};")
        )
        for r in rows
    }
    assert per_key == {r["refund_id"]: 1 for r in rows}
    for c in credits:
        schedule = rows_of(erp, "AR_PAYMENT_SCHEDULES_ALL", CUSTOMER_TRX_ID=c["document_id"])
        assert schedule[0]["STATUS"] == "CL"  # refunded once, in full
    looked_up = settled_by_lookup(tmp_path)
    print("sent keys settled by lookup:", looked_up)
    assert looked_up, "no run left a sent key to look up: the chaos proved nothing"
