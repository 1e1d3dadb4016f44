"""Customers through the Business Partner API: SAP's pyodata against the mock, the adapter's
creates and changes, exactly once under lost answers, and `otc customers sync --to s4`.

Why pyodata first: it is SAP's own OData client with its defaults untouched; what it can do
(deep insert, PATCH with If-Match) and what the mock refuses (no CSRF token, no If-Match, a
stale ETag) is what a real Gateway does to any client, ours included.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pyodata
import pytest
import requests
from pyodata.exceptions import HttpError
from s4_helpers import CLIENT, PASSWORD, USER
from typer.testing import CliRunner

from adapters.s4.adapter import S4Adapter
from adapters.s4.customers import external_id
from adapters.sap import build
from contracts.io import schema_of
from jobs.cli import app
from mock_erp.cli import config_toml
from mock_erp.s4.settings import S4Settings

BP = "/sap/opu/odata/sap/API_BUSINESS_PARTNER"
COMPANIES = ["1000", "2000"]


@pytest.fixture(scope="module")
def erp() -> Iterator[Any]:
    """Four company codes, so the Oracle persona's operating units exist for the CLI sync."""
    from mock_erp.server import start

    server = start(companies=4, customers=20, open_items=100, fault_seed=5)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _defaults(erp: Any) -> Iterator[None]:
    yield
    httpx.delete(erp.url + "/_mock/faults")
    httpx.put(erp.url + "/_mock/settings", json={"s4": dataclasses.asdict(S4Settings())})


def session_with_token(erp: Any) -> requests.Session:
    """pyodata's documented way: fetch the token on the session, send it on every request."""
    session = requests.Session()
    session.auth = (USER, PASSWORD)
    session.params = {"sap-client": CLIENT}
    answer = session.head(erp.url + BP + "/", headers={"x-csrf-token": "fetch"})
    session.headers.update({"x-csrf-token": answer.headers["x-csrf-token"]})
    return session


@pytest.fixture(scope="module")
def client(erp: Any) -> Any:
    """One client per module: pyodata parses the 600 KB EDMX of the BP service once."""
    return pyodata.Client(erp.url + BP + "/", session_with_token(erp))


def table(erp: Any, name: str, **filters: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{erp.url}/_mock/tables/{name}", params={"limit": 10_000, **filters})
    answer.raise_for_status()
    rows: list[dict[str, Any]] = answer.json()["rows"]
    return rows


def new_partner(client: Any, name: str, external: str) -> Any:
    return (
        client.entity_sets.A_BusinessPartner.create_entity()
        .set(
            BusinessPartnerCategory="2",
            OrganizationBPName1=name,
            BusinessPartnerIDByExtSystem=external,
            to_BusinessPartnerRole=[{"BusinessPartnerRole": "FLCU00"},
                                    {"BusinessPartnerRole": "FLCU01"}],
            to_BusinessPartnerAddress=[{"Country": "DE", "CityName": "Berlin",
                                        "PostalCode": "10115", "StreetName": "Invalidenstr. 1"}],
            to_BusinessPartnerTax=[{"BPTaxType": "DE0", "BPTaxNumber": "DE811907980"}],
            to_Customer={"to_CustomerCompany": [
                {"CompanyCode": "1000", "ReconciliationAccount": "140000", "PaymentTerms": "0001"}
            ]},
        )
        .execute()
    )  # fmt: skip


def s4(erp: Any, **extra: Any) -> S4Adapter:
    section = {"adapter": "sap", "transport": "s4api", "url": erp.url, "user": USER,
               "client": CLIENT, "companies": COMPANIES, "reference_customer": "100", **extra}  # fmt: skip
    adapter = build("s4", section, {"password": PASSWORD})
    assert isinstance(adapter, S4Adapter)
    return adapter


def customers(*rows: dict[str, Any]) -> pl.DataFrame:
    schema = schema_of("customers")
    filled = [{**dict.fromkeys(schema), "source_system": "oracle", "currency": "EUR",
               "posting_block": False, **r} for r in rows]  # fmt: skip
    return pl.DataFrame(filled, schema=schema)


def test_pyodata_deep_insert_creates_a_customer_the_ecc_persona_sees(
    client: Any, erp: Any, tmp_path: Path
) -> None:
    created = new_partner(client, "Nordlicht Handel GmbH", "PYODATA-1")
    number = created.BusinessPartner
    assert number and created.BusinessPartnerIDByExtSystem == "PYODATA-1"
    assert created.etag and created.etag.startswith('W/"')
    kna1 = table(erp, "KNA1", KUNNR=number)
    assert [(r["NAME1"], r["ORT01"], r["STCEG"]) for r in kna1] == [
        ("Nordlicht Handel GmbH", "Berlin", "DE811907980")
    ]
    assert [(r["BUKRS"], r["AKONT"]) for r in table(erp, "KNB1", KUNNR=number)] == [
        ("1000", "140000")
    ]
    roles = client.entity_sets.A_BusinessPartnerRole.get_entities()
    got = roles.filter(f"BusinessPartner eq '{number}'").execute()
    assert sorted(r.BusinessPartnerRole for r in got) == ["FLCU00", "FLCU01"]
    ecc = build("sap", {"adapter": "sap", "transport": "soap", "url": erp.url, "client": CLIENT,
                        "user": USER, "companies": ["1000"],
                        "wsdl_cache": str(tmp_path / "wsdl")}, {"password": PASSWORD})  # fmt: skip
    pulled = pl.concat(list(ecc.pull_customers(["1000"])))
    assert pulled.filter(pl.col("customer_id") == number.lstrip("0"))["name"].to_list() == [
        "Nordlicht Handel GmbH"
    ]


def test_pyodata_change_needs_if_match_and_a_fresh_etag(client: Any) -> None:
    number = new_partner(client, "Etag Probe AG", "PYODATA-2").BusinessPartner
    bps = client.entity_sets.A_BusinessPartner
    read = bps.get_entity(BusinessPartner=number).execute()
    change = bps.update_entity(BusinessPartner=number).set(OrganizationBPName1="Etag Probe SE")
    with pytest.raises(HttpError) as missing:
        change.execute()
    assert missing.value.response.status_code == 428
    change.add_headers({"If-Match": read.etag})  # pyodata leaves ETags to the caller
    change.execute()
    assert bps.get_entity(BusinessPartner=number).execute().OrganizationBPName1 == "Etag Probe SE"
    stale = bps.update_entity(BusinessPartner=number).set(OrganizationBPName1="Too late")
    stale.add_headers({"If-Match": read.etag})
    with pytest.raises(HttpError) as conflict:
        stale.execute()
    assert conflict.value.response.status_code == 412
    error = conflict.value.response.json()["error"]
    assert error["code"] and "changed" in error["message"]["value"]
    assert error["innererror"]["errordetails"][0]["severity"] == "error"
    assert bps.get_entity(BusinessPartner=number).execute().OrganizationBPName1 == "Etag Probe SE"


def test_csrf_token_is_required_and_bound_to_its_session(erp: Any) -> None:
    url = erp.url + BP + "/A_BusinessPartner"
    body = {"BusinessPartnerCategory": "2", "OrganizationBPName1": "Csrf Probe",
            "to_BusinessPartnerRole": [{"BusinessPartnerRole": "FLCU01"}],
            "to_BusinessPartnerAddress": [{"Country": "DE"}]}  # fmt: skip
    auth, params = (USER, PASSWORD), {"sap-client": CLIENT}
    refused = httpx.post(url, json=body, auth=auth, params=params)
    assert refused.status_code == 403 and refused.headers["x-csrf-token"] == "Required"
    with httpx.Client(auth=auth, params=params) as first:
        token = first.get(erp.url + BP + "/", headers={"X-CSRF-Token": "Fetch"}).headers[
            "x-csrf-token"
        ]
    with httpx.Client(auth=auth, params=params) as other:  # another session: no cookie
        assert other.post(url, json=body, headers={"X-CSRF-Token": token}).status_code == 403
        httpx.put(erp.url + "/_mock/settings", json={"s4": {"csrf_session_bound": False}})
        assert other.post(url, json=body, headers={"X-CSRF-Token": token}).status_code == 201


def test_adapter_creates_then_changes_a_customer(erp: Any) -> None:
    adapter = s4(erp)
    row = {"customer_id": "oracle:77001", "name": "Fjord Freight AS", "country": "DE",
           "city": "Kiel", "postal_code": "24103", "street": "Hafenstr. 2",
           "tax_id": "DE136695976"}  # fmt: skip
    created = adapter.upsert_customers(customers(row)).row(0, named=True)
    assert (created["status"], created["message"]) == ("posted", "created")
    number = created["erp_document"]
    found = adapter.find_posted("customer", ["oracle:77001", "oracle:nope"])
    assert found["erp_document"].to_list() == [number.zfill(10), None]
    kunnr = number.zfill(10)
    assert {r["BUKRS"] for r in table(erp, "KNB1", KUNNR=kunnr)} == set(COMPANIES)
    reference = {r["BUKRS"]: r["AKONT"] for r in table(erp, "KNB1", KUNNR="0000000100")}
    assert {r["BUKRS"]: r["AKONT"] for r in table(erp, "KNB1", KUNNR=kunnr)} == {
        c: reference[c] for c in COMPANIES
    }
    moved = {**row, "customer_id": number, "city": "Lübeck", "postal_code": "23552",
             "tax_id": "DE129273398"}  # fmt: skip
    changed = adapter.upsert_customers(customers(moved)).row(0, named=True)
    assert changed["status"] == "posted"
    assert changed["message"] == "changed: city, postal_code, tax_id"
    kna1 = table(erp, "KNA1", KUNNR=kunnr)[0]
    assert (kna1["ORT01"], kna1["PSTLZ"], kna1["STCEG"]) == ("Lübeck", "23552", "DE129273398")
    again = adapter.upsert_customers(customers(moved)).row(0, named=True)
    assert again["message"] == "unchanged"
    pulled = pl.concat(list(adapter.pull_customers(COMPANIES)))
    assert pulled.filter(pl.col("customer_id") == number)["city"].to_list() == ["Lübeck"]


def test_a_stale_etag_is_read_again_and_the_change_recomputed(erp: Any, client: Any) -> None:
    """Another user renames the partner between our read and our PATCH: 412, then one re-read."""
    adapter = s4(erp)
    number = new_partner(client, "Race Condition KG", "PYODATA-3").BusinessPartner
    from adapters.s4.customers import CustomerWriter

    writer = CustomerWriter(adapter)
    real_get = writer.writer.get
    calls = {"n": 0}

    def get_then_someone_renames(service: str, path: str, key: str) -> Any:
        got = real_get(service, path, key)
        calls["n"] += 1
        if calls["n"] == 1:  # after our read, before our PATCH
            bps = client.entity_sets.A_BusinessPartner
            etag = bps.get_entity(BusinessPartner=number).execute().etag
            rename = bps.update_entity(BusinessPartner=number)
            rename.set(OrganizationBPName1="Renamed Meanwhile").add_headers({"If-Match": etag})
            rename.execute()
        return got

    writer.writer.get = get_then_someone_renames  # type: ignore[method-assign]
    row = {"customer_id": number.lstrip("0"), "name": "Race Condition GmbH", "country": "DE",
           "city": "Berlin", "postal_code": "10115", "street": "Invalidenstr. 1"}  # fmt: skip
    result = writer.upsert(row)
    assert (result["status"], result["message"]) == ("posted", "changed: name")
    assert calls["n"] == 2
    assert table(erp, "KNA1", KUNNR=number)[0]["NAME1"] == "Race Condition GmbH"


def test_a_lost_create_answer_is_found_by_key_never_created_twice(erp: Any) -> None:
    adapter = s4(erp)
    key = "oracle:88001"
    httpx.post(erp.url + "/_mock/faults", json={"persona": "s4", "operation": "A_BusinessPartner",
               "kind": "drop_after_commit", "nth": 2}).raise_for_status()  # fmt: skip
    # call 1 is the lookup by key (a GET of the same set), call 2 the POST
    row = {"customer_id": key, "name": "Lost Answer Oy", "country": "DE", "city": "Bonn",
           "postal_code": "53111", "street": "Markt 1"}  # fmt: skip
    first = adapter.upsert_customers(customers(row)).row(0, named=True)
    assert first["status"] == "posted" and "answer was lost" in first["message"]
    rerun = adapter.upsert_customers(customers(row)).row(0, named=True)
    assert rerun["status"] == "posted" and rerun["message"].startswith("already created")
    assert rerun["erp_document"] == first["erp_document"]
    same = httpx.get(erp.url + BP + "/A_BusinessPartner", auth=(USER, PASSWORD), params={
        "sap-client": CLIENT, "$format": "json", "$select": "BusinessPartner",
        "$filter": f"BusinessPartnerIDByExtSystem eq '{external_id(key)}'"}).json()  # fmt: skip
    assert len(same["d"]["results"]) == 1


def test_a_create_dropped_before_the_system_acted_is_unknown_then_created_once(
    erp: Any,
) -> None:
    adapter = s4(erp)
    key = "oracle:88002"
    httpx.post(erp.url + "/_mock/faults", json={"persona": "s4", "operation": "A_BusinessPartner",
               "kind": "drop_before", "nth": 2}).raise_for_status()  # fmt: skip
    # call 1 is the lookup by key, call 2 the POST: dropped before the mock acts
    row = {"customer_id": key, "name": "Dropped Early BV", "country": "DE", "city": "Essen",
           "postal_code": "45127", "street": "Markt 2"}  # fmt: skip
    first = adapter.upsert_customers(customers(row)).row(0, named=True)
    assert first["status"] == "unknown"  # no answer: the key is not there yet, but may land
    assert adapter.find_posted("customer", [key])["erp_document"].to_list() == [None]
    second = adapter.upsert_customers(customers(row)).row(0, named=True)
    assert (second["status"], second["message"]) == ("posted", "created")
    assert adapter.find_posted("customer", [key])["erp_document"].item() is not None


def test_customers_sync_to_s4_through_the_cli_creates_once(
    erp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host, port = erp.url.removeprefix("http://").rsplit(":", 1)
    config = tmp_path / "otc.toml"
    config.write_text(config_toml(host, int(port), USER), encoding="utf-8")
    monkeypatch.setenv("OTC_MOCK_PASSWORD", PASSWORD)
    monkeypatch.chdir(tmp_path)

    def sync() -> dict[str, Any]:
        done = CliRunner().invoke(app, ["customers", "sync", "--from", "oracle", "--to", "s4",
                                        "--config", str(config), "--format", "json"])  # fmt: skip
        assert done.exit_code == 0, done.output
        answer: dict[str, Any] = json.loads(done.output)
        return answer

    first = sync()
    created = [r for r in first["results"] if r["outcome"] == "created"]
    assert len(created) == first["counts"]["created"] > 5
    second = sync()
    assert "created" not in second["counts"]
    assert second["counts"]["unchanged"] == first["counts"]["created"] + first["counts"].get(
        "unchanged", 0
    )
    adapter = s4(erp)
    keys = [r["target_id"] for r in created]
    found = adapter.find_posted("customer", keys)
    assert found["erp_document"].null_count() == 0
    assert sorted(n.lstrip("0") for n in found["erp_document"]) == sorted(
        r["erp_document"] for r in created
    )
    assert os.environ["OTC_MOCK_PASSWORD"] not in config.read_text(encoding="utf-8")


def test_the_external_number_is_upper_case_so_mixed_case_keys_go_in_as_digests(
    client: Any,
) -> None:
    created = new_partner(client, "Case Probe Ltd", "lower-1")
    assert created.BusinessPartnerIDByExtSystem == "LOWER-1"  # sap:display-format UpperCase
    assert external_id("ORACLE:1") == "ORACLE:1"
    digest = external_id("oracle:1")
    assert digest != external_id("ORACLE:1") and digest == digest.upper()
    assert digest.startswith("OTC#") and len(digest) == 20
    assert external_id("X" * 21).startswith("OTC#")
