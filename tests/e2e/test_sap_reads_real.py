"""SAP reads against the harsher mock variants (issue 14 items 3-5): RFC_READ_TABLE in a fresh
order on every call, amounts too wide for its output field, currencies missing from TCURX."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import polars as pl
import pytest

from adapters.sap.adapter import SapAdapter
from adapters.sap.settings import SapSettings
from tests.e2e.conftest import COMPANIES, sap_section, table

KEY = ["company", "document_id", "fiscal_year", "line"]
Maker = Callable[..., SapAdapter]


def open_items(adapter: SapAdapter, companies: list[str] | None = None) -> pl.DataFrame:
    return pl.concat(list(adapter.pull_open_items(companies or COMPANIES)))


def settings(admin: httpx.Client, **sap: Any) -> None:
    answer = admin.put("/_mock/settings", json={"sap": sap})
    assert answer.status_code == 200, answer.text


def seed_item(admin: httpx.Client, **body: Any) -> dict[str, Any]:
    answer = admin.post("/_mock/sap/open-items", json=body)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def a_customer(admin: httpx.Client, company: str) -> str:
    rows = table(admin, "KNB1", BUKRS=company)
    return str(sorted(r["KUNNR"] for r in rows if r["KUNNR"] >= "0000001005")[0])


def item_of(frame: pl.DataFrame, created: dict[str, Any]) -> pl.DataFrame:
    return frame.filter(
        (pl.col("company") == created["company"])
        & (pl.col("document_id") == created["document"].lstrip("0"))
        & (pl.col("fiscal_year") == created["fiscal_year"])
    )


def rowskips_pages(adapter: SapAdapter, page: int) -> list[str]:
    """BSID keys read the old way (ROWSKIPS/ROWCOUNT pages), to show what that loses."""
    keys: list[str] = []
    skip = 0
    while True:
        answer = adapter.transport.call(
            "RFC_READ_TABLE",
            QUERY_TABLE="BSID",
            DELIMITER="|",
            ROWSKIPS=skip,
            ROWCOUNT=page,
            OPTIONS=[],
            FIELDS=[{"FIELDNAME": f} for f in ("BUKRS", "BELNR", "GJAHR", "BUZEI")],
            DATA=[],
        )
        keys += [str(r["WA"]) for r in answer["DATA"]]
        if len(answer["DATA"]) < page:
            return keys
        skip += page


def test_rowskips_pages_repeat_and_miss_rows_in_random_order(
    make_sap: Maker, admin: httpx.Client
) -> None:
    adapter = make_sap()
    everything = rowskips_pages(adapter, 100_000)
    assert len(set(everything)) == len(everything) > 300
    paged = rowskips_pages(adapter, 50)  # the default order: a fresh shuffle on every call
    assert len(paged) == len(everything)
    assert len(set(paged)) < len(everything)  # some rows twice, so others never
    settings(admin, read_table_order="key")
    assert sorted(rowskips_pages(adapter, 50)) == sorted(everything)


@pytest.mark.parametrize("order", ["random", "key"])
def test_pull_in_key_ranges_reads_each_item_once(
    make_sap: Maker, admin: httpx.Client, order: str
) -> None:
    settings(admin, read_table_order=order)
    bulk = open_items(make_sap(page_size=37))  # many partitions, several probes per company
    bapi = open_items(make_sap(open_items_strategy="bapi"))
    assert bulk.height == bulk.unique(subset=KEY).height > 300
    assert bulk.sort(KEY).equals(bapi.sort(KEY))


BIG = [
    ("IDR", "2500000000.00"),
    ("IDR", "1000000000.00"),  # the first amount that does not fit CURR(13,2)'s output field
    ("COP", "98765432101.34"),
    ("HUF", "999999999.99"),  # still fits
    ("HUF", "12345678901.50"),
]


def test_amounts_of_1e9_and_more_are_read_through_the_bapi(
    make_sap: Maker, admin: httpx.Client
) -> None:
    customer = a_customer(admin, "1000")
    created = [
        seed_item(admin, company="1000", customer=customer, currency=cur, amount=amount)
        for cur, amount in BIG
    ]
    wide = table(admin, "BSID", BUKRS="1000", BELNR=created[0]["document"])
    assert wide[0]["WRBTR"] == "2500000000.00"  # SAP's internal value: IDR not in TCURX
    adapter = make_sap(page_size=40)
    raw = adapter.transport.call(
        "RFC_READ_TABLE",
        QUERY_TABLE="BSID",
        DELIMITER="|",
        OPTIONS=[{"TEXT": f"BELNR = '{created[0]['document']}'"}],
        FIELDS=[{"FIELDNAME": "WRBTR"}],
        DATA=[],
    )
    assert raw["DATA"][0]["WA"].startswith("*")  # what the module writes: no number at all
    pulled = open_items(adapter, ["1000"])
    for made, (currency, amount) in zip(created, BIG, strict=True):
        row = item_of(pulled, made)
        assert row.height == 1
        assert row["currency"][0] == currency
        assert row["amount"][0] == Decimal(amount)
    bapi = open_items(make_sap(open_items_strategy="bapi"), ["1000"])
    assert pulled.sort(KEY).equals(bapi.sort(KEY))
    # the posting path reads the same amount (open_items_by_key)
    found = adapter.open_items_by_key(
        "1000", [(m["document"].lstrip("0"), m["fiscal_year"], 1) for m in created]
    )
    assert [found[(m["document"].lstrip("0"), m["fiscal_year"], 1)]["amount"] for m in created] == [
        Decimal(a) for _, a in BIG
    ]


def test_currencies_missing_from_tcurx_have_two_decimals(
    make_sap: Maker, admin: httpx.Client
) -> None:
    customer = a_customer(admin, "1000")
    clp = seed_item(admin, company="1000", customer=customer, currency="CLP", amount="1234.00")
    iqd = seed_item(admin, company="1000", customer=customer, currency="IQD", amount="1500.25")
    assert table(admin, "BSID", BUKRS="1000", BELNR=clp["document"])[0]["WRBTR"] == "1234.00"
    adapter = make_sap()
    pulled = open_items(adapter, ["1000"])
    assert item_of(pulled, clp)["amount"].to_list() == [Decimal("1234")]  # not x100 (ISO 0)
    assert item_of(pulled, iqd)["amount"].to_list() == [Decimal("1500.25")]  # not /10 (ISO 3)
    keys = [(m["document"].lstrip("0"), m["fiscal_year"], 1) for m in (clp, iqd)]
    found = adapter.open_items_by_key("1000", keys)
    assert [found[k]["amount"] for k in keys] == [Decimal("1234"), Decimal("1500.25")]


def test_tcurx_setting_adds_and_removes_currencies(make_sap: Maker, admin: httpx.Client) -> None:
    settings(admin, tcurx={"CLP": 0, "JPY": None})
    customer = a_customer(admin, "1000")
    clp = seed_item(admin, company="1000", customer=customer, currency="CLP", amount="250000")
    jpy = seed_item(admin, company="1000", customer=customer, currency="JPY", amount="5000")
    assert table(admin, "BSID", BUKRS="1000", BELNR=clp["document"])[0]["WRBTR"] == "2500.00"
    assert table(admin, "BSID", BUKRS="1000", BELNR=jpy["document"])[0]["WRBTR"] == "5000.00"
    adapter = make_sap()
    assert adapter.tcurx()["CLP"] == 0 and "JPY" not in adapter.tcurx()
    pulled = open_items(adapter, ["1000"])
    assert item_of(pulled, clp)["amount"].to_list() == [Decimal("250000")]
    assert item_of(pulled, jpy)["amount"].to_list() == [Decimal("5000")]
    settings(admin, tcurx={})  # back to the seeded TCURX
    assert make_sap().tcurx()["JPY"] == 0 and "CLP" not in make_sap().tcurx()


def test_seed_endpoint_refuses_bad_items_naming_the_field(admin: httpx.Client) -> None:
    customer = a_customer(admin, "1000")
    good = {"company": "1000", "customer": customer, "currency": "EUR", "amount": "10.00"}
    for change, field in [
        ({"company": "9999"}, "company"),
        ({"customer": "0000999999"}, "customer"),
        ({"amount": 10.5}, "amount"),
        ({"amount": "-3"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"currency": "JPY", "amount": "1.5"}, "amount"),
        ({"amount": "100000000000.00"}, "amount"),  # beyond CURR(13,2)
        ({"terms": "XXXX"}, "terms"),
        ({"posting_date": "07.12.2026"}, "posting_date"),
        ({"colour": "red"}, "colour"),
    ]:
        answer = admin.post("/_mock/sap/open-items", json={**good, **change})
        assert answer.status_code == 400, change
        assert answer.json()["field"] == field
    made = seed_item(admin, **good, terms="ZB14", posting_date="2026-11-30")
    row = table(admin, "BSID", BUKRS="1000", BELNR=made["document"])[0]
    assert (row["BUDAT"], row["ZTERM"], row["ZBD1P"], row["SHKZG"]) == (
        "20261130",
        "ZB14",
        "2.000",
        "S",
    )


@pytest.mark.parametrize("variant", ["plain", "big amounts and a currency missing from TCURX"])
def test_soap_and_rfc_pulls_of_20000_items_agree(
    erp: Any, admin: httpx.Client, tmp_path: Any, variant: str
) -> None:
    seeded = admin.post("/_mock/seed", json={"open_items": 20_000, "customers": 200})
    assert seeded.status_code == 200, seeded.text
    if variant != "plain":
        customer = a_customer(admin, "1000")
        for currency, amount in [*BIG, ("CLP", "1234.00"), ("IQD", "1500.25")]:
            seed_item(admin, company="1000", customer=customer, currency=currency, amount=amount)
    assert admin.get("/_mock/settings").json()["sap"]["read_table_order"] == "random"
    frames = {}
    for transport in ("soap", "rfc"):
        section = sap_section(erp, transport, wsdl_cache=str(tmp_path / "wsdl"))
        adapter = SapAdapter(SapSettings.from_section("sap", section, {"password": "otc-mock"}))
        try:
            frames[transport] = open_items(adapter).sort(KEY)
        finally:
            adapter.close()
    soap, rfc = frames["soap"], frames["rfc"]
    assert soap.height >= 20_000
    assert soap.unique(subset=KEY).height == soap.height
    assert soap.drop("source_system").equals(rfc.drop("source_system"))
    noted = len(table(admin, "BSID", BSTAT="S"))  # noted items are not open items
    added = 0 if variant == "plain" else len(BIG) + 2
    assert soap.height == seeded.json()["counts"]["BSID"] + added - noted
    if variant != "plain":
        big = soap.filter(pl.col("currency").is_in(["IDR", "COP", "HUF", "CLP", "IQD"]))
        assert sorted(big["amount"].to_list()) == sorted(
            Decimal(a) for a in [*(a for _, a in BIG), "1234", "1500.25"]
        )
