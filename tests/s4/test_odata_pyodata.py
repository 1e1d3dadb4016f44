"""SAP's own OData client (pyodata) reads the mock's S/4 services with its defaults unchanged.

Why pyodata: it validates the served ``$metadata`` (SAP's real EDMX) and parses entities by
their Edm types, so a wrong date, decimal or envelope shape fails here as it would for a user.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import httpx
import pyodata
import pytest
import requests
from s4_helpers import CLIENT, CUBE, PASSWORD, USER

CUBE_SET = "A_OperationalAcctgDocItemCube"


@pytest.fixture
def client(erp: Any) -> Any:
    session = requests.Session()
    session.auth = (USER, PASSWORD)
    session.params = {"sap-client": CLIENT}
    return pyodata.Client(erp.url + CUBE + "/", session)


def _ledger(erp: Any, table: str, **filters: str) -> list[dict[str, Any]]:
    answer = httpx.get(
        f"{erp.url}/_mock/tables/{table}", params={"limit": 10_000, **filters}, timeout=30
    )
    answer.raise_for_status()
    rows: list[dict[str, Any]] = answer.json()["rows"]
    return rows


def test_metadata_is_sap_real_edmx_and_pyodata_loads_it(client: Any) -> None:
    entity = client.schema.entity_type("A_OperationalAcctgDocItemCubeType")
    assert len(entity.proprties()) == 270
    assert [p.name for p in entity.key_proprties] == [
        "CompanyCode",
        "FiscalYear",
        "AccountingDocument",
        "AccountingDocumentItem",
    ]


def test_open_items_of_a_company_through_pyodata_match_bsid(client: Any, erp: Any) -> None:
    bsid = [r for r in _ledger(erp, "BSID", BUKRS="1000") if r["KUNNR"]]
    request = (
        client.entity_sets.A_OperationalAcctgDocItemCube.get_entities()
        .filter("CompanyCode eq '1000' and IsCleared eq false")
        .select(
            "CompanyCode,AccountingDocument,FiscalYear,AccountingDocumentItem,Customer,"
            "AmountInTransactionCurrency,TransactionCurrency,NetDueDate,PostingDate"
        )
        .count(inline=True)
    )
    entities = request.execute()
    assert entities.total_count == len(bsid)
    got = {(e.FiscalYear, e.AccountingDocument, e.AccountingDocumentItem): e for e in entities}
    assert len(got) == len(bsid)
    sample = bsid[0]
    item = got[(sample["GJAHR"], sample["BELNR"], sample["BUZEI"])]
    assert isinstance(item.PostingDate, dt.datetime)
    assert item.PostingDate.strftime("%Y%m%d") == sample["BUDAT"]
    amounts = {
        (e.FiscalYear, e.AccountingDocument, e.AccountingDocumentItem): Decimal(
            str(e.AmountInTransactionCurrency)  # pyodata hands Edm.Decimal over as text
        )
        for e in entities
    }
    decimals = {r["CURRKEY"]: int(r["CURRDEC"]) for r in _ledger(erp, "TCURX")}
    for row in bsid:
        sign = -1 if row["SHKZG"] == "H" else 1
        real = Decimal(row["WRBTR"]).scaleb(2 - decimals.get(row["WAERS"], 2))
        assert amounts[(row["GJAHR"], row["BELNR"], row["BUZEI"])] == sign * real


def test_server_paging_is_followed_with_next_url(client: Any, erp: Any) -> None:
    httpx.put(erp.url + "/_mock/settings", json={"s4": {"odata_page_size": 7}}).raise_for_status()
    entity_set = client.entity_sets.A_OperationalAcctgDocItemCube
    seen: list[tuple[str, str, str, str]] = []
    page = (
        entity_set.get_entities()
        .filter("CompanyCode eq '1000'")
        .select("CompanyCode,FiscalYear,AccountingDocument,AccountingDocumentItem")
        .execute()
    )
    pages = 1
    seen += [
        (e.CompanyCode, e.FiscalYear, e.AccountingDocument, e.AccountingDocumentItem) for e in page
    ]
    while page.next_url:
        page = entity_set.get_entities().next_url(page.next_url).execute()
        pages += 1
        seen += [
            (e.CompanyCode, e.FiscalYear, e.AccountingDocument, e.AccountingDocumentItem)
            for e in page
        ]
    expected = len([r for r in _ledger(erp, "BSID", BUKRS="1000") if r["KUNNR"]]) + len(
        [r for r in _ledger(erp, "BSAD", BUKRS="1000") if r["KUNNR"]]
    )
    assert len(seen) == len(set(seen)) == expected
    assert pages == -(-expected // 7)


def test_errors_come_in_gateway_shape(erp: Any) -> None:
    auth = (USER, PASSWORD)
    bad = httpx.get(
        erp.url + CUBE + f"/{CUBE_SET}",
        params={"$filter": "NoSuchProperty eq '1'", "$format": "json"},
        auth=auth,
    )
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert "NoSuchProperty" in error["message"]["value"]
    assert error["innererror"]["errordetails"][0]["severity"] == "error"
    refused = httpx.get(erp.url + CUBE + f"/{CUBE_SET}", auth=(USER, "wrong"))
    assert refused.status_code == 401


def test_csrf_token_is_fetched_on_a_get(erp: Any) -> None:
    answer = httpx.get(
        erp.url + CUBE + "/$metadata", auth=(USER, PASSWORD), headers={"X-CSRF-Token": "Fetch"}
    )
    assert answer.status_code == 200 and answer.headers["x-csrf-token"]
    assert answer.content.startswith(b"<?xml")


def test_orderby_is_honoured_and_checked(client: Any, erp: Any) -> None:
    entities = (
        client.entity_sets.A_OperationalAcctgDocItemCube.get_entities()
        .select("CompanyCode,FiscalYear,AccountingDocument,AccountingDocumentItem,PostingDate")
        .filter("CompanyCode eq '1000'")
        .order_by("PostingDate desc")
        .top(50)
        .execute()
    )
    dates = [e.PostingDate for e in entities]
    assert len(dates) == 50 and dates == sorted(dates, reverse=True)
    bad = httpx.get(
        erp.url + CUBE + f"/{CUBE_SET}",
        params={"$orderby": "Nope desc", "$format": "json"},
        auth=(USER, PASSWORD),
    )
    assert bad.status_code == 400 and "Nope" in bad.json()["error"]["message"]["value"]
