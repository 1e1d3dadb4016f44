"""Over SOAP no write is reported posted unless its document is committed (issue 14, item 2).

A real ``/sap/bc/soap/rfc`` keeps no state across POSTs (docs/specs/sap.md §8), so the adapter
writes through the kit's self-committing modules. The mock plays that by default
(``soap_sessions`` false) and the old stateful variant on request; both must hold. Through
zeep and httpx against the mock on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import polars as pl
import pytest

from adapters.errors import ConfigError
from adapters.sap.adapter import SapAdapter
from adapters.sap.keys import xblnr_for
from adapters.sap.settings import SapSettings
from mappings.convert import alpha_in
from tests.e2e.conftest import payment, sap_section, table


@pytest.fixture(params=[False, True], ids=["stateless", "soap_sessions"])
def soap(
    request: pytest.FixtureRequest, erp: Any, admin: httpx.Client, tmp_path: Any
) -> Iterator[SapAdapter]:
    admin.put("/_mock/settings", json={"sap": {"soap_sessions": request.param}}).raise_for_status()
    section = sap_section(erp, "soap", wsdl_cache=str(tmp_path / "wsdl"))
    adapter = SapAdapter(SapSettings.from_section("sap", section, {"password": "otc-mock"}))
    yield adapter
    adapter.close()


def _on_account(key: str, items: pl.DataFrame, amount: Decimal) -> pl.DataFrame:
    frame = payment(key, items.head(1), [amount], when=date.today())
    return frame.with_columns(
        pl.lit(None, pl.String).alias("document_id"),
        pl.lit(None, pl.Int64).alias("fiscal_year"),
        pl.lit(None, pl.Int64).alias("line"),
        pl.lit(None, pl.String).alias("reason_code"),
    )


def _one_item(sap: SapAdapter) -> pl.DataFrame:
    items = pl.concat(list(sap.pull_open_items(["1000"])))  # in no fixed order (HANA-like)
    return (
        items.filter((pl.col("amount") > 0) & ~pl.col("customer_id").is_in(["1003", "1004"]))
        .sort(["customer_id", "fiscal_year", "document_id", "line"])
        .head(1)
    )


def test_on_account_payment_is_in_bkpf_when_reported_posted(
    soap: SapAdapter, admin: httpx.Client
) -> None:
    frame = _on_account("PAY-SOAP-OA-1", _one_item(soap), Decimal("42.10"))
    dry = soap.post_payment(frame, dry_run=True)
    assert dry["status"] == "posted" and dry["erp_document"] == "DRY-RUN", dry
    assert not table(admin, "BKPF", BUKRS="1000", XBLNR=xblnr_for("PAY-SOAP-OA-1"))
    result = soap.post_cash_applications(frame).row(0, named=True)
    assert result["status"] == "posted", result["message"]
    (doc,) = table(admin, "BKPF", BUKRS="1000", XBLNR=xblnr_for("PAY-SOAP-OA-1"))
    assert result["erp_document"] == doc["BELNR"] + doc["BUKRS"] + doc["GJAHR"]
    credit = table(admin, "BSID", BUKRS="1000", XBLNR=xblnr_for("PAY-SOAP-OA-1"))
    assert [(c["SHKZG"], Decimal(c["WRBTR"])) for c in credit] == [("H", Decimal("42.10"))]


def test_rejected_on_account_payment_leaves_nothing(soap: SapAdapter, admin: httpx.Client) -> None:
    frame = _on_account("PAY-SOAP-OA-2", _one_item(soap), Decimal("1.00")).with_columns(
        pl.lit("1003").alias("customer_id")  # posting block: F5 351
    )
    result = soap.post_cash_applications(frame).row(0, named=True)
    assert result["status"] == "rejected", result
    assert not table(admin, "BKPF", BUKRS="1000", XBLNR=xblnr_for("PAY-SOAP-OA-2"))


def test_customer_create_and_change_are_committed(soap: SapAdapter, admin: httpx.Client) -> None:
    current = pl.concat(list(soap.pull_customers(["1000"])))
    existing = (  # the pull comes in no fixed order (HANA-like): pick deterministically
        current.filter(~pl.col("customer_id").is_in(["1003", "1004"])).sort("customer_id").head(1)
    )
    changed = existing.with_columns(pl.lit("Committed City").alias("city"))
    new = existing.with_columns(
        pl.lit("NEW-SOAP-1").alias("customer_id"), pl.lit("Stateless GmbH").alias("name")
    )
    rows = soap.upsert_customers(pl.concat([changed, new])).rows(named=True)
    assert [r["status"] for r in rows] == ["posted", "posted"], rows
    kna1 = table(admin, "KNA1", KUNNR=alpha_in(existing["customer_id"][0]))
    assert kna1[0]["ORT01"] == "Committed City"
    created = table(admin, "KNA1", KUNNR=rows[1]["erp_document"])
    assert [c["NAME1"] for c in created] == ["Stateless GmbH"]


def test_withdrawn_stateful_setting_is_a_config_error(erp: Any) -> None:
    section = sap_section(erp, "soap", soap_stateful_posting=True)
    with pytest.raises(ConfigError, match="soap_stateful_posting is withdrawn"):
        SapSettings.from_section("sap", section, {"password": "otc-mock"})
