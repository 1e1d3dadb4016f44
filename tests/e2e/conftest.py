"""End-to-end fixtures: the mock ERP on 127.0.0.1 and SAP adapters over both transports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import polars as pl
import pytest

from adapters.sap.adapter import SapAdapter
from adapters.sap.settings import SapSettings
from contracts.io import schema_of
from contracts.validate import validate

COMPANIES = ["1000", "2000", "3000", "4000"]


@pytest.fixture(scope="module")
def erp() -> Iterator[Any]:
    from mock_erp.server import start

    server = start(companies=4, customers=40, open_items=600, fault_seed=11)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def admin(erp: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=erp.url, timeout=60) as client:
        client.post("/_mock/reset", json={})  # every test starts from the same seeded state
        yield client
        client.delete("/_mock/faults")
        client.delete("/_mock/locks")


def sap_section(erp: Any, transport: str, **extra: Any) -> dict[str, Any]:
    section: dict[str, Any] = {
        "transport": transport,
        "client": "100",
        "user": "otc",
        "companies": COMPANIES,
        "reference_customer": "100",
        **extra,
    }
    if transport == "soap":
        section["url"] = erp.url
    else:
        section.update(
            ashost="127.0.0.1", mock_url=erp.url, connection_class="mock_erp.clients.rfc:Connection"
        )
    return section


@pytest.fixture(params=["soap", "rfc"])
def make_sap(
    request: pytest.FixtureRequest, erp: Any, admin: httpx.Client, tmp_path: Any
) -> Iterator[Callable[..., SapAdapter]]:
    """Adapters over the parametrized transport; the same test cases run for both."""
    made: list[SapAdapter] = []

    def make(**extra: Any) -> SapAdapter:
        section = sap_section(erp, request.param, wsdl_cache=str(tmp_path / "wsdl"), **extra)
        adapter = SapAdapter(SapSettings.from_section("sap", section, {"password": "otc-mock"}))
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        adapter.close()


def table(admin: httpx.Client, name: str, **filters: str) -> list[dict[str, Any]]:
    answer = admin.get(f"/_mock/tables/{name}", params={**filters, "limit": 1000})
    answer.raise_for_status()
    rows: list[dict[str, Any]] = answer.json()["rows"]
    return rows


def payment(
    key: str,
    items: pl.DataFrame,
    applied: list[Decimal],
    *,
    when: date,
    discounts: list[Decimal] | None = None,
    on_account: Decimal = Decimal(0),
    on_account_reason: str | None = None,
    reason: str | None = None,
) -> pl.DataFrame:
    """One payment (CashApplications rows, validated) applying `applied` to `items` in order,
    with the rest of the money on account when `on_account` is given."""
    discounts = discounts or [Decimal(0)] * items.height
    first = items.row(0, named=True)
    rows = [
        {
            "application_id": key,
            "company": first["company"],
            "customer_id": first["customer_id"],
            "payment_date": when,
            "currency": first["currency"],
            "payment_amount": sum(applied, Decimal(0)) + on_account,
            "document_id": r["document_id"],
            "fiscal_year": r["fiscal_year"],
            "line": r["line"],
            "applied_amount": a,
            "discount_amount": d,
            "reason_code": reason,
            "match_rule": None,
            "match_score": None,
        }
        for r, a, d in zip(items.iter_rows(named=True), applied, discounts, strict=True)
    ]
    if on_account:
        rows.append(
            {
                **rows[0],
                "document_id": None,
                "fiscal_year": None,
                "line": None,
                "applied_amount": on_account,
                "discount_amount": Decimal(0),
                "reason_code": on_account_reason,
            }
        )
    return validate(pl.DataFrame(rows, schema=schema_of("cash_applications")), "cash_applications")
