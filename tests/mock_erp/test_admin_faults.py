"""Admin API and every fault kind with what the client observes (docs/architecture.md; §7 item 16)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest
import requests
import zeep
from mockerp_helpers import clearing_params, rows, soap_service, soapify
from pyrfc import CommunicationError

from mock_erp.faults import FaultSet


def test_health_and_tables(admin: httpx.Client, open_item: dict[str, Any]) -> None:
    assert admin.get("/_mock/health").json()["status"] == "ok"
    got = rows(admin, "BSID", BUKRS=open_item["BUKRS"], BELNR=open_item["BELNR"])
    assert got and all(r["BELNR"] == open_item["BELNR"] for r in got)
    resp = admin.get("/_mock/tables/NOPE")
    assert resp.status_code == 404 and "NOPE" in resp.json()["error"]
    resp = admin.get("/_mock/tables/BSID", params={"NOCOLUMN": "1"})
    assert resp.status_code == 404 and "NOCOLUMN" in resp.json()["error"]
    assert admin.get("/_mock/tables/BSID", params={"limit": 2}).json()["count"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "explode", "rate": 1}, "kind"),
        ({"kind": "unavailable", "rate": 2}, "rate"),
        ({"kind": "unavailable"}, "rate"),
        ({"kind": "unavailable", "nth": 0}, "nth"),
        ({"kind": "latency", "rate": 1}, "ms"),
        ({"kind": "unavailable", "rate": 1, "persona": "dynamics"}, "persona"),
        ({"kind": "unavailable", "rate": 1, "colour": "red"}, "colour"),
    ],
)
def test_fault_rules_validated(admin: httpx.Client, body: dict[str, Any], field: str) -> None:
    resp = admin.post("/_mock/faults", json=body)
    assert resp.status_code == 400 and resp.json()["field"] == field
    assert admin.get("/_mock/faults").json()["rules"] == []


def test_same_seed_same_fault_sequence() -> None:
    def run(seed: int) -> list[int]:
        fs = FaultSet()
        fs.add(
            [{"persona": "sap", "operation": "*", "kind": "unavailable", "rate": 0.5}], seed=seed
        )
        return [i for i in range(40) if fs.draw("sap", "RFC_READ_TABLE")]

    assert run(123) == run(123) and run(123) != run(124)
    assert 5 < len(run(123)) < 35


def test_same_seed_same_sequence_over_http(erp: Any, admin: httpx.Client) -> None:
    def run() -> list[int]:
        admin.delete("/_mock/faults")
        admin.post(
            "/_mock/faults",
            json={
                "seed": 99,
                "rules": [
                    {
                        "persona": "sap",
                        "operation": "BAPI_TRANSACTION_ROLLBACK",
                        "kind": "unavailable",
                        "rate": 0.5,
                    }
                ],
            },
        )
        svc = soap_service(erp.url, "BAPI_TRANSACTION_ROLLBACK")
        seen = []
        for i in range(12):
            try:
                svc.BAPI_TRANSACTION_ROLLBACK()
            except zeep.exceptions.TransportError as exc:
                assert exc.status_code == 503
                seen.append(i)
        return seen

    first, second = run(), run()
    assert first == second and 0 < len(first) < 12


def test_unavailable_is_503_and_nothing_happens(erp: Any, admin: httpx.Client) -> None:
    admin.post("/_mock/faults", json={"kind": "unavailable", "nth": 1, "persona": "sap"})
    body = (
        b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>'
        b'<f:BAPI_TRANSACTION_ROLLBACK xmlns:f="urn:sap-com:document:sap:rfc:functions"/>'
        b"</e:Body></e:Envelope>"
    )
    resp = httpx.post(
        f"{erp.url}/sap/bc/soap/rfc?sap-client=100", auth=("otc", "otc-mock"), content=body
    )
    assert resp.status_code == 503
    assert admin.get("/_mock/faults").json()["fired"][0]["kind"] == "unavailable"


def test_latency_is_measurable(erp: Any, admin: httpx.Client) -> None:
    svc = soap_service(erp.url, "BAPI_TRANSACTION_ROLLBACK")
    svc.BAPI_TRANSACTION_ROLLBACK()  # warm up
    admin.post(
        "/_mock/faults",
        json={"operation": "BAPI_TRANSACTION_ROLLBACK", "kind": "latency", "ms": 300, "nth": 1},
    )
    started = time.perf_counter()
    svc.BAPI_TRANSACTION_ROLLBACK()
    slow = time.perf_counter() - started
    started = time.perf_counter()
    svc.BAPI_TRANSACTION_ROLLBACK()
    fast = time.perf_counter() - started
    assert slow >= 0.3 and fast < 0.3


def test_drop_after_commit_over_soap(
    erp: Any, admin: httpx.Client, invoice: dict[str, Any], accounts: dict[str, Any]
) -> None:
    ref = "D" + uuid.uuid4().hex[:12].upper()
    admin.post(
        "/_mock/faults", json={"operation": "Z_OTC_AR_CLEAR", "kind": "drop_after_commit", "nth": 1}
    )
    svc = soap_service(erp.url, "Z_OTC_AR_CLEAR")
    with pytest.raises(requests.ConnectionError) as info:
        svc.Z_OTC_AR_CLEAR(**soapify(clearing_params(invoice, accounts, ref)), RETURN={"item": []})
    assert "RemoteDisconnected" in repr(info.value) or "closed" in repr(info.value).lower()
    (doc,) = rows(admin, "BKPF", BUKRS=invoice["BUKRS"], XBLNR=ref)  # the ERP did post it
    assert doc["BELNR"]


def test_drop_before_does_nothing(
    erp: Any, admin: httpx.Client, invoice: dict[str, Any], accounts: dict[str, Any]
) -> None:
    ref = "B" + uuid.uuid4().hex[:12].upper()
    admin.post(
        "/_mock/faults", json={"operation": "Z_OTC_AR_CLEAR", "kind": "drop_before", "nth": 1}
    )
    svc = soap_service(erp.url, "Z_OTC_AR_CLEAR")
    params = soapify(clearing_params(invoice, accounts, ref))
    params["I_TESTRUN"] = "X"
    with pytest.raises(requests.ConnectionError):
        svc.Z_OTC_AR_CLEAR(**params, RETURN={"item": []})
    assert rows(admin, "BKPF", XBLNR=ref) == []


def test_drop_after_commit_over_rfc(
    rfc: Any, admin: httpx.Client, open_item: dict[str, Any], accounts: dict[str, Any]
) -> None:
    from mockerp_helpers import posting_params

    ref = "E" + uuid.uuid4().hex[:12].upper()
    conn = rfc()
    res = conn.call("BAPI_ACC_DOCUMENT_POST", **posting_params(open_item, accounts, ref))
    assert res["RETURN"][0]["NUMBER"] == "605"
    admin.post(
        "/_mock/faults",
        json={"operation": "BAPI_TRANSACTION_COMMIT", "kind": "drop_after_commit", "nth": 1},
    )
    with pytest.raises(CommunicationError):
        conn.call("BAPI_TRANSACTION_COMMIT", WAIT="X")
    assert conn.alive  # silently reopened
    assert len(rows(admin, "BKPF", BUKRS=open_item["BUKRS"], XBLNR=ref)) == 1  # committed anyway


def test_malformed_answer(erp: Any, admin: httpx.Client, rfc: Any) -> None:
    admin.post(
        "/_mock/faults",
        json={"operation": "BAPI_TRANSACTION_ROLLBACK", "kind": "malformed", "rate": 1},
    )
    svc = soap_service(erp.url, "BAPI_TRANSACTION_ROLLBACK")
    with pytest.raises((zeep.exceptions.XMLSyntaxError, zeep.exceptions.TransportError)) as info:
        svc.BAPI_TRANSACTION_ROLLBACK()
    assert "invalid XML" in str(info.value) or "Invalid XML" in str(info.value)
    conn = rfc()
    with pytest.raises(CommunicationError, match="unreadable"):
        conn.call("BAPI_TRANSACTION_ROLLBACK")


def test_lock_conflict_is_zotc_010(
    erp: Any, admin: httpx.Client, invoice: dict[str, Any], accounts: dict[str, Any]
) -> None:
    ref = "K" + uuid.uuid4().hex[:12].upper()
    admin.post(
        "/_mock/faults", json={"operation": "Z_OTC_AR_CLEAR", "kind": "lock_conflict", "nth": 1}
    )
    svc = soap_service(erp.url, "Z_OTC_AR_CLEAR")
    res = svc.Z_OTC_AR_CLEAR(
        **soapify(clearing_params(invoice, accounts, ref)), RETURN={"item": []}
    )
    ret = res["RETURN"]["item"]
    assert any(r["ID"] == "ZOTC" and r["NUMBER"] == "010" and r["TYPE"] == "E" for r in ret), ret
    assert rows(admin, "BKPF", XBLNR=ref) == []


def test_seed_returns_counts_and_seconds(admin: httpx.Client) -> None:
    resp = admin.post("/_mock/seed", json={"companies": "two"})
    assert resp.status_code == 400 and resp.json()["field"] == "companies"
