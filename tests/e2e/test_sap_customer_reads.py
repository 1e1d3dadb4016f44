"""Customer reads before writes (issue 14 item 6): only "not found" means not found, and an
S/4HANA system is recognised and refused before any customer write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import polars as pl
import pytest

from adapters.errors import ConfigError, ErpRejected
from adapters.sap.adapter import SapAdapter
from adapters.sap.errors import raise_for_return
from mappings.convert import alpha_in
from tests.e2e.conftest import table

Maker = Callable[..., SapAdapter]
BLOCKED = {"1003", "1004"}


def settings(admin: httpx.Client, **sap: Any) -> None:
    answer = admin.put("/_mock/settings", json={"sap": sap})
    assert answer.status_code == 200, answer.text


def a_customer(sap: SapAdapter) -> pl.DataFrame:
    current = pl.concat(list(sap.pull_customers(["1000"])))
    return current.filter(~pl.col("customer_id").is_in(list(BLOCKED))).sort("customer_id").head(1)


def kna1_count(admin: httpx.Client) -> int:
    return len(admin.get("/_mock/tables/KNA1", params={"limit": 10_000}).json()["rows"])


def test_an_authorization_error_is_not_not_found(make_sap: Maker, admin: httpx.Client) -> None:
    sap = make_sap()
    existing = a_customer(sap)
    cid = existing["customer_id"][0]
    settings(admin, customers_unauthorized=[cid])
    before = kna1_count(admin)
    result = sap.upsert_customers(existing.with_columns(pl.lit("Elsewhere").alias("city")))
    row = result.row(0, named=True)
    assert row["status"] == "rejected", row
    assert "F2 543" in row["message"]
    assert kna1_count(admin) == before  # no duplicate created
    assert table(admin, "KNA1", KUNNR=alpha_in(cid))[0]["ORT01"] != "Elsewhere"


def test_not_found_is_the_one_message_that_creates(make_sap: Maker, admin: httpx.Client) -> None:
    sap = make_sap()
    answer = sap.transport.call("BAPI_CUSTOMER_GETDETAIL2", CUSTOMERNO="0000999999")
    assert (answer["RETURN"]["ID"], answer["RETURN"]["NUMBER"]) == ("F2", "502")
    new = a_customer(sap).with_columns(
        pl.lit("999999").alias("customer_id"), pl.lit("Neu GmbH").alias("name")
    )
    before = kna1_count(admin)
    row = sap.upsert_customers(new).row(0, named=True)
    assert row["status"] == "posted" and row["message"] == "created", row
    assert kna1_count(admin) == before + 1


@pytest.mark.parametrize("customer_bapis", [True, False])
def test_s4hana_is_detected_from_the_system(
    make_sap: Maker, admin: httpx.Client, customer_bapis: bool
) -> None:
    settings(admin, customer_bapis=customer_bapis)
    kind = make_sap().system_kind()
    assert kind.is_s4 is not customer_bapis
    assert ("S4CORE" in kind.components) is not customer_bapis
    assert kind.release == ("750" if customer_bapis else "757")


def test_s4hana_refuses_customer_writes_before_sending(
    make_sap: Maker, admin: httpx.Client
) -> None:
    sap = make_sap()
    existing = a_customer(sap)
    settings(admin, customer_bapis=False)
    before = kna1_count(admin)
    calls = admin.get("/_mock/health").json()["sap_calls"]
    with pytest.raises(ConfigError, match=r"S/4HANA.*no customer was sent"):
        make_sap().upsert_customers(existing.with_columns(pl.lit("X").alias("city")))
    assert kna1_count(admin) == before
    sent = admin.get("/_mock/health").json()["sap_calls"] - calls
    assert sent <= 4  # system reads only (RFC_SYSTEM_INFO, CVERS), no GETDETAIL2, no write
    # the mock plays S/4's own refusal too, for a client that does not ask first
    with pytest.raises(ErpRejected, match=r"ZMOCK 040|business partner"):
        answer = sap.transport.call(
            "BAPI_CUSTOMER_CREATEFROMDATA1",
            PI_COMPANYDATA={"NAME": "X", "CITY": "Y", "POSTL_COD1": "1", "STREET": "S",
                            "COUNTRY": "DE", "LANGU": "D", "CURRENCY": "EUR"},
            PI_COPYREFERENCE={"SALESORG": "1000", "DISTR_CHAN": "10", "DIVISION": "00",
                              "REF_CUSTMR": "0000000100"},
        )  # fmt: skip
        raise_for_return("sap", "create", answer)
