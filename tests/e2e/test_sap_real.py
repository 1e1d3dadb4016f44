"""Opt-in: the SAP adapter against a real SAP system (read-only). Runs when the
`OTC_SAP_TEST_*` settings are present (docs/sap-setup.md §6), and says why it is skipped
otherwise. It never posts: ping, and pulls with both strategies compared."""

from __future__ import annotations

import os
from datetime import date

import polars as pl
import pytest

from adapters.sap.adapter import SapAdapter
from adapters.sap.settings import SapSettings

ENV = {k: v for k, v in os.environ.items() if k.startswith("OTC_SAP_TEST_")}
NEEDED = {
    "OTC_SAP_TEST_CLIENT",
    "OTC_SAP_TEST_USER",
    "OTC_SAP_TEST_PASSWORD",
    "OTC_SAP_TEST_COMPANY",
}
HAS_TRANSPORT = "OTC_SAP_TEST_URL" in ENV or "OTC_SAP_TEST_ASHOST" in ENV

pytestmark = pytest.mark.skipif(
    not (ENV.keys() >= NEEDED and HAS_TRANSPORT),
    reason="no real SAP configured: set OTC_SAP_TEST_URL (or _ASHOST/_SYSNR), _CLIENT, _USER, "
    "_PASSWORD and _COMPANY to run it (docs/sap-setup.md §6)",
)


@pytest.fixture(scope="module")
def sap() -> SapAdapter:
    section: dict[str, object] = {
        "client": ENV.get("OTC_SAP_TEST_CLIENT", ""),
        "user": ENV.get("OTC_SAP_TEST_USER", ""),
        "companies": [ENV.get("OTC_SAP_TEST_COMPANY", "")],
    }
    if "OTC_SAP_TEST_URL" in ENV:
        section.update(transport="soap", url=ENV["OTC_SAP_TEST_URL"])
    else:
        section.update(
            transport="rfc",
            ashost=ENV["OTC_SAP_TEST_ASHOST"],
            sysnr=ENV.get("OTC_SAP_TEST_SYSNR", "00"),
        )
    return SapAdapter(
        SapSettings.from_section(
            "sap_real", section, {"password": ENV.get("OTC_SAP_TEST_PASSWORD", "")}
        )
    )


def test_ping_and_pulls(sap: SapAdapter) -> None:
    assert "company codes" in sap.ping()
    company = ENV["OTC_SAP_TEST_COMPANY"]
    items = next(iter(sap.pull_open_items([company])), None)
    if items is not None:
        assert items.schema["amount"] == pl.Decimal(38, 4)
    customers = next(iter(sap.pull_customers([company])), None)
    assert customers is None or customers.height > 0


def test_bulk_and_bapi_agree_for_one_customer(sap: SapAdapter) -> None:
    company = ENV["OTC_SAP_TEST_COMPANY"]
    bulk = next(iter(sap.pull_open_items([company])), None)
    if bulk is None or bulk.height == 0:
        pytest.skip(f"no open items in company {company}")
    customer = bulk["customer_id"][0]
    key = ["company", "document_id", "fiscal_year", "line"]
    one = pl.concat(list(sap.pull_open_items([company], customers=[customer], as_of=date.today())))
    bapi = SapAdapter(
        SapSettings.from_section(
            "sap_real",
            {**_section(sap), "open_items_strategy": "bapi"},
            {"password": sap.settings.password},
        )
    )
    other = pl.concat(
        list(bapi.pull_open_items([company], customers=[customer], as_of=date.today()))
    )
    assert one.sort(key).equals(other.sort(key))


def _section(sap: SapAdapter) -> dict[str, object]:
    s = sap.settings
    base: dict[str, object] = {
        "transport": s.transport,
        "client": s.client,
        "user": s.user,
        "companies": list(s.companies),
    }
    if s.url:
        base["url"] = s.url
    base.update(dict(s.rfc))
    return base
