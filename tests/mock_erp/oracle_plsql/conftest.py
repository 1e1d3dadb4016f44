"""Fixtures of the PL/SQL interpreter and EBS API tests: a freshly seeded EBS store per test.

The API tests run real blocks through ``run_block`` on the real Store + tables + seed +
OracleSql, written the way an EBS integrator writes them (docs/specs/oracle.md §3.7).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from mock_erp.oracle.plsql import run_block
from mock_erp.oracle.seed import OTC_USER, RESP_ID, seed_oracle
from mock_erp.oracle.session import OracleSession
from mock_erp.oracle.sql import OracleSql
from mock_erp.store import Store

sys.path.insert(0, str(Path(__file__).parent))  # test modules import plsql_helpers

TODAY = dt.date(2026, 11, 16)
NOW = dt.datetime(2026, 11, 16, 10, 30, 0)
ORG = 204
CONTEXT = {"user_id": OTC_USER, "resp_id": RESP_ID, "resp_appl_id": 222, "org_id": ORG}


@pytest.fixture
def engine() -> OracleSql:
    store = Store(":memory:")
    eng = OracleSql(store, clock=lambda: NOW)
    seed_oracle(store, seed=7, operating_units=2, customers=12, open_items=120, today=TODAY)
    return eng


@pytest.fixture
def session() -> OracleSession:
    return OracleSession()


@pytest.fixture
def run(engine: OracleSql, session: OracleSession) -> Callable[..., dict[str, Any]]:
    """Run a block with the apps-context binds plus ``binds``; out binds are passed as None.

    ``_session`` runs it in another database session (a new ORDS request starts clean).
    """

    def _run(block: str, _session: OracleSession | None = None, **binds: Any) -> dict[str, Any]:
        return run_block(block, {**CONTEXT, **binds}, _session or session, engine)

    return _run


@pytest.fixture
def sql(engine: OracleSql) -> Callable[..., list[dict[str, Any]]]:
    """Look at the store directly (rows as dicts with upper-case keys)."""

    def _sql(text: str, *params: Any) -> list[dict[str, Any]]:
        cur = engine.store.conn.execute(text, params)
        if cur.description is None:
            return []
        names = [d[0].upper() for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    return _sql


@pytest.fixture
def invoice(sql: Callable[..., list[dict[str, Any]]]) -> dict[str, Any]:
    """An open, undisputed USD invoice installment in org 204 of a customer with a bill-to site."""
    rows = sql(
        "SELECT ps.*, su.SITE_USE_ID AS BILL_TO FROM AR_PAYMENT_SCHEDULES_ALL ps "
        "JOIN HZ_CUST_ACCT_SITES_ALL s ON s.CUST_ACCOUNT_ID = ps.CUSTOMER_ID AND s.ORG_ID = ps.ORG_ID "
        "JOIN HZ_CUST_SITE_USES_ALL su ON su.CUST_ACCT_SITE_ID = s.CUST_ACCT_SITE_ID AND su.SITE_USE_CODE = 'BILL_TO' "
        "WHERE ps.ORG_ID = ? AND ps.CLASS = 'INV' AND ps.STATUS = 'OP' AND ps.PAYMENT_SCHEDULE_ID > 0 "
        "AND CAST(ps.AMOUNT_DUE_REMAINING AS REAL) > 100 AND ps.AMOUNT_DUE_REMAINING = ps.AMOUNT_DUE_ORIGINAL "
        "AND ps.TRX_DATE <= ? ORDER BY ps.PAYMENT_SCHEDULE_ID LIMIT 1",
        ORG,
        "2026-11-01 00:00:00",
    )
    assert rows, "seed has no open invoice in org 204"
    row = rows[0]
    row["ADR"] = Decimal(row["AMOUNT_DUE_REMAINING"])
    return row
