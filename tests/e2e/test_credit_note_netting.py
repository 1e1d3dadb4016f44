"""A credit note netted against two invoices, from the bank line to the ERP (issue 17 §3).

The mock's open items are pulled through the real transports, a payment "invoice X and Y less
credit note Z" is matched, and the CashApplications (with the credit memo's negative row) go to
the adapters. Netting is not implemented in the adapters yet: both refuse the payment before
anything reaches the ERP, with a message that says what to do, and every item stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import polars as pl

from adapters.oracle.adapter import OracleAdapter
from adapters.oracle.settings import OracleSettings
from adapters.sap.adapter import SapAdapter
from jobs.matching import match
from tests.e2e.conftest import COMPANIES
from tests.matching.conftest import bank

KEY = ["company", "document_id", "fiscal_year", "line"]


def netting_case(items: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Two invoices and a credit memo of one customer, and a bank line paying them net."""
    invoices = items.filter(
        (pl.col("document_type") == "invoice")
        & (pl.col("amount") > 0)
        & (pl.col("disputed_amount") == 0)
    )
    credits = items.filter((pl.col("document_type") == "credit_memo") & (pl.col("amount") < 0))
    both = (
        invoices.group_by("company", "customer_id", "currency")
        .len()
        .filter(pl.col("len") >= 2)
        .join(
            credits.select("company", "customer_id", "currency").unique(),
            on=["company", "customer_id", "currency"],
        )
        .sort("company", "customer_id")
    )
    assert both.height, "the seed has no customer with two invoices and a credit memo"
    company, customer, currency, _ = both.row(0)
    mine = pl.col("customer_id") == customer
    two = invoices.filter(mine & (pl.col("company") == company)).sort(KEY).head(2)
    memo = credits.filter(mine & (pl.col("company") == company)).sort(KEY).head(1)
    # The netted total must stay positive: take the smallest credit if the first is too big.
    if two["amount"].sum() + memo["amount"][0] <= 0:
        memo = credits.filter(mine).sort("amount", descending=True).head(1)
    picked = pl.concat([two, memo])
    refs = " ".join(str(r or d) for r, d in picked.select("reference", "document_id").iter_rows())
    amount = Decimal(picked["amount"].sum())
    line = bank(
        {"amount": amount, "currency": currency, "booking_date": date.today(),
         "remittance_text": f"Invoices less credit note: {refs}"}
    )  # fmt: skip
    return picked, line


def assert_refused_and_open(
    result: pl.DataFrame, before: pl.DataFrame, after: pl.DataFrame, picked: pl.DataFrame
) -> None:
    (row,) = result.iter_rows(named=True)
    assert row["status"] == "rejected", row
    assert "netting a credit memo" in row["message"] and "first" in row["message"]
    for item in picked.select(KEY).iter_rows():
        still = after.filter(
            pl.all_horizontal(pl.col(k) == v for k, v in zip(KEY, item, strict=True))
        )
        assert still.height == 1, item
    assert after.height == before.height


def test_sap_refuses_a_netted_credit_memo(make_sap: Callable[..., SapAdapter]) -> None:
    sap = make_sap()
    before = pl.concat(list(sap.pull_open_items(COMPANIES)))
    picked, line = netting_case(before)
    applications = match(line, before).applications
    assert (applications["applied_amount"] < 0).sum() == 1
    assert set(applications["document_id"]) == set(picked["document_id"])
    result = sap.post_cash_applications(applications)
    after = pl.concat(list(sap.pull_open_items(COMPANIES)))
    assert_refused_and_open(result, before, after, picked)


def test_oracle_refuses_a_netted_credit_memo(erp: Any, admin: httpx.Client) -> None:
    section = {
        "transport": "ords", "url": erp.url, "user": "otc", "companies": ["US", "DE", "JP", "KW"],
        "operating_units": {"US": 204, "DE": 301, "JP": 401, "KW": 501},
        "receipt_method": "Manual Check", "apps_user_id": 1318,
    }  # fmt: skip
    adapter = OracleAdapter(OracleSettings.from_section("ebs", section, {"password": "otc-mock"}))
    try:
        units = ["US", "DE", "JP", "KW"]
        before = pl.concat(list(adapter.pull_open_items(units)))
        picked, line = netting_case(before)
        applications = match(line, before).applications
        assert (applications["applied_amount"] < 0).sum() == 1
        result = adapter.post_cash_applications(applications)
        after = pl.concat(list(adapter.pull_open_items(units)))
        assert_refused_and_open(result, before, after, picked)
    finally:
        adapter.close()
