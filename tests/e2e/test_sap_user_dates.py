"""A payment posts on its own date whatever the SAP user's date format (USR01-DATFM), through
the adapter over SOAP and RFC: the mock's Z_OTC_AR_CLEAR reads dates as the kit's batch input
does (setting ``user_date_format``), so a day/month swap would show in BKPF."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from adapters.sap.keys import xblnr_for
from tests.e2e.conftest import table
from tests.e2e.test_sap_adapter import TODAY, Maker, invoices, open_items, payment


@pytest.fixture
def user_format(admin: httpx.Client) -> Iterator[None]:
    yield
    admin.put("/_mock/settings", json={"sap": {"user_date_format": "2"}}).raise_for_status()


@pytest.mark.parametrize("datfm", ["1", "2"])  # all six formats: test_sap_clearing_cases.py
def test_payment_dates_survive_the_users_format(
    make_sap: Maker, admin: httpx.Client, user_format: None, datfm: str
) -> None:
    admin.put("/_mock/settings", json={"sap": {"user_date_format": datfm}}).raise_for_status()
    sap = make_sap()
    item = invoices(open_items(sap, ["1000"]), "1000", 1)
    key = f"PAY-DATFM-{datfm}"
    row = sap.post_cash_applications(payment(key, item, [item["amount"][0]])).row(0, named=True)
    assert row["status"] == "posted", row["message"]
    (doc,) = table(admin, "BKPF", BUKRS="1000", XBLNR=xblnr_for(key))
    assert doc["BUDAT"] == doc["BLDAT"] == TODAY.strftime("%Y%m%d")


def test_a_format_the_kit_refuses_posts_nothing(
    make_sap: Maker, admin: httpx.Client, user_format: None
) -> None:
    admin.put("/_mock/settings", json={"sap": {"user_date_format": "7"}}).raise_for_status()
    sap = make_sap()
    item = invoices(open_items(sap, ["1000"]), "1000", 1)
    row = sap.post_cash_applications(payment("PAY-DATFM-7", item, [item["amount"][0]])).row(
        0, named=True
    )
    assert row["status"] == "rejected" and "ZOTC 011" in row["message"], row
    assert not table(admin, "BKPF", BUKRS="1000", XBLNR=xblnr_for("PAY-DATFM-7"))
