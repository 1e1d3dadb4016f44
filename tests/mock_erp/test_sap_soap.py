"""SOAP-for-RFC through zeep against the generated WSDL (docs/specs/sap.md §4, §7 item 14)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import requests
import zeep
from lxml import etree
from mockerp_helpers import CLIENT, PASSWORD, USER, posting_params, rows, soap_service, soapify
from zeep.plugins import HistoryPlugin

from mock_erp.sap import ddic

RFC = "urn:sap-com:document:sap:rfc:functions"
WSDL_NS = {
    "wsdl": "http://schemas.xmlsoap.org/wsdl/",
    "xsd": "http://www.w3.org/2001/XMLSchema",
    "soap": "http://schemas.xmlsoap.org/wsdl/soap/",
}

# Minimal, valid-looking inputs per FM; every table parameter is sent as {"item": []}.
CALLS: dict[str, dict[str, Any]] = {
    "BAPI_AR_ACC_GETOPENITEMS": {
        "COMPANYCODE": "1000",
        "CUSTOMER": "0000000001",
        "KEYDATE": "2024-12-31",
    },
    "BAPI_AR_ACC_GETKEYDATEBALANCE": {
        "COMPANYCODE": "1000",
        "CUSTOMER": "0000000001",
        "KEYDATE": "2024-12-31",
    },
    "RFC_READ_TABLE": {"QUERY_TABLE": "T001", "ROWCOUNT": 1},
    "RFC_SYSTEM_INFO": {},
    "BAPI_USER_GET_DETAIL": {"USERNAME": "NOBODY"},  # RETURN: E 01 124
    "Z_OTC_KIT_VERSION": {},
    "BAPI_ACC_DOCUMENT_CHECK": {"DOCUMENTHEADER": {"COMP_CODE": "1000"}},
    "BAPI_ACC_DOCUMENT_POST": {"DOCUMENTHEADER": {"COMP_CODE": "1000"}},
    "BAPI_TRANSACTION_COMMIT": {"WAIT": "X"},
    "BAPI_TRANSACTION_ROLLBACK": {},
    "Z_OTC_AR_CLEAR": {
        "I_COMP_CODE": "1000",
        "I_CUSTOMER": "0000000001",
        "I_DOC_DATE": "2024-01-01",
        "I_PSTNG_DATE": "2024-01-01",
        "I_CURRENCY": "EUR",
        "I_REF_DOC_NO": "T-1",
        "I_TESTRUN": "X",
    },
    "BAPI_CUSTOMER_GETLIST": {"MAXROWS": 5},
    "BAPI_CUSTOMER_GETDETAIL2": {"CUSTOMERNO": "0000000001"},
    "BAPI_CUSTOMER_CREATEFROMDATA1": {
        "PI_COPYREFERENCE": {"SALESORG": "1000", "REF_CUSTMR": "0000000001"}
    },
    "BAPI_CUSTOMER_CHANGEFROMDATA1": {"CUSTOMERNO": "0000000001", "PI_SALESORG": "1000"},
    # the kit's self-committing modules: inputs that fail, so nothing is committed
    "Z_OTC_AR_ON_ACCOUNT": {"DOCUMENTHEADER": {"COMP_CODE": "1000"}, "I_TESTRUN": "X"},
    "Z_OTC_CUSTOMER_CREATE": {"PI_COPYREFERENCE": {"SALESORG": "1000", "REF_CUSTMR": "0009999999"}},
    "Z_OTC_CUSTOMER_CHANGE": {"CUSTOMERNO": "0009999999", "PI_SALESORG": "1000"},
    "Z_OTC_AR_REVERSE": {
        "I_COMP_CODE": "1000",
        "I_DOC_NO": "0009999999",
        "I_FISC_YEAR": "2020",
        "I_REASON": "01",
        "I_PSTNG_DATE": "20200101",
        "I_REF_KEY": "otc:X;",
        "I_TESTRUN": "X",
    },
    "Z_OTC_AR_REFUND": {
        "I_COMP_CODE": "1000",
        "I_CUSTOMER": "0009999999",
        "I_DOC_DATE": "20200101",
        "I_PSTNG_DATE": "20200101",
        "I_CURRENCY": "EUR",
        "I_REF_DOC_NO": "X",
        "I_AMOUNT": "1",
        "I_PYMT_METH": "T",
        "I_TESTRUN": "X",
    },
}


def _wsdl(erp: Any, services: str) -> etree._Element:
    resp = httpx.get(
        f"{erp.url}/sap/bc/soap/wsdl11",
        params={"services": services, "sap-client": CLIENT},
        auth=(USER, PASSWORD),
    )
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/xml")
    return etree.fromstring(resp.content)


def test_every_registered_fm_has_a_call() -> None:
    assert set(CALLS) == set(ddic.function_names())


def test_wsdl_layout(erp: Any) -> None:
    doc = _wsdl(erp, "BAPI_ACC_DOCUMENT_POST,RFC_READ_TABLE")
    assert doc.get("targetNamespace") == RFC and doc.nsmap["s0"] == RFC
    schema = doc.find("wsdl:types/xsd:schema", WSDL_NS)
    names = {e.get("name") for e in schema.findall("xsd:element", WSDL_NS)}
    assert names == {
        "BAPI_ACC_DOCUMENT_POST",
        "BAPI_ACC_DOCUMENT_POST.Response",
        "RFC_READ_TABLE",
        "RFC_READ_TABLE.Response",
    }
    req = schema.find(
        "xsd:element[@name='BAPI_ACC_DOCUMENT_POST']/xsd:complexType/xsd:all", WSDL_NS
    )
    header = req.find("xsd:element[@name='DOCUMENTHEADER']", WSDL_NS)
    assert header.get("type") == "s0:BAPIACHE09" and header.get("minOccurs") is None  # required
    assert req.find("xsd:element[@name='CUSTOMERCPD']", WSDL_NS).get("minOccurs") == "0"
    assert req.find("xsd:element[@name='OBJ_KEY']", WSDL_NS) is None  # exports only in .Response
    table = schema.find(
        "xsd:complexType[@name='TABLE_OF_BAPIRET2']/xsd:sequence/xsd:element", WSDL_NS
    )
    assert table.get("name") == "item" and table.get("maxOccurs") == "unbounded"
    amt = schema.find(
        "xsd:complexType[@name='BAPIACCR09']//xsd:element[@name='AMT_DOCCUR']", WSDL_NS
    )
    assert amt.find(".//xsd:totalDigits", WSDL_NS).get("value") == "23"
    assert amt.find(".//xsd:fractionDigits", WSDL_NS).get("value") == "4"
    date = schema.find(
        "xsd:complexType[@name='BAPIACHE09']//xsd:element[@name='PSTNG_DATE']", WSDL_NS
    )
    assert date.get("type") == "s0:date"
    msg = doc.find("wsdl:message[@name='BAPI_ACC_DOCUMENT_POSTOutput']/wsdl:part", WSDL_NS)
    assert (
        msg.get("name") == "parameters"
        and msg.get("element") == "s0:BAPI_ACC_DOCUMENT_POST.Response"
    )
    op = doc.find(
        "wsdl:binding[@name='BAPI_ACC_DOCUMENT_POSTBinding']/wsdl:operation/soap:operation", WSDL_NS
    )
    assert op.get("soapAction") == "http://www.sap.com/BAPI_ACC_DOCUMENT_POST"
    addr = doc.find("wsdl:service[@name='RFC_READ_TABLEService']/wsdl:port/soap:address", WSDL_NS)
    assert addr.get("location") == f"{erp.url}/sap/bc/soap/rfc"  # without sap-client


def test_wsdl_unknown_fm_and_wrong_password(erp: Any) -> None:
    resp = httpx.get(
        f"{erp.url}/sap/bc/soap/wsdl11", params={"services": "Z_NOPE"}, auth=(USER, PASSWORD)
    )
    assert resp.status_code == 404
    resp = httpx.get(
        f"{erp.url}/sap/bc/soap/wsdl", params={"services": "RFC_READ_TABLE"}, auth=(USER, "x")
    )
    assert resp.status_code == 401


@pytest.mark.parametrize("fm", sorted(CALLS))
def test_zeep_calls_each_fm(erp: Any, fm: str) -> None:
    history = HistoryPlugin()
    svc = soap_service(erp.url, fm, plugins=[history])
    sig = ddic.get_function(fm)
    tables = {p.name: {"item": []} for p in sig.of("T") if p.name not in CALLS[fm]}
    try:
        result = getattr(svc, fm)(**CALLS[fm], **tables)
    except zeep.exceptions.Fault as fault:  # only classic ABAP exceptions may fault
        detail = fault.detail.find(f"{{{RFC}}}{fm}.Exception")
        assert detail is not None and detail.findtext("Name") in sig.exceptions
        return
    if len(sig.outputs) == 1:  # zeep unwraps a response with a single child
        result = {sig.outputs[0].name: result}
    sent = etree.tostring(history.last_sent["envelope"]).decode()
    response = history.last_received["envelope"].find(f".//{{{RFC}}}{fm}.Response")
    assert response is not None
    for p in sig.of("T"):
        assert f"<{p.name}/>" in sent or f"<{p.name}>" in sent  # e.g. <RETURN/> was rendered
        assert response.find(p.name) is not None, f"table {p.name} sent but not returned"
    for p in sig.of("E"):
        assert response.find(p.name) is not None and p.name in result
    if sig.by_name.get("RETURN") is not None and sig.by_name["RETURN"].is_table:
        assert result["RETURN"] is not None and result["RETURN"]["item"], "RETURN rows expected"


def test_tables_only_if_sent(erp: Any, open_item: dict[str, Any]) -> None:
    def call(with_table: bool) -> etree._Element:
        table = "<LINEITEMS/>" if with_table else ""
        body = (
            '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            f'xmlns:rfc="{RFC}"><soapenv:Body><rfc:BAPI_AR_ACC_GETOPENITEMS>'
            f"<COMPANYCODE>{open_item['BUKRS']}</COMPANYCODE><CUSTOMER>{open_item['KUNNR']}</CUSTOMER>"
            f"<KEYDATE>9999-12-31</KEYDATE>{table}</rfc:BAPI_AR_ACC_GETOPENITEMS></soapenv:Body></soapenv:Envelope>"
        )
        resp = httpx.post(
            f"{erp.url}/sap/bc/soap/rfc?sap-client={CLIENT}",
            content=body,
            auth=(USER, PASSWORD),
            headers={"Content-Type": "text/xml"},
        )
        assert resp.status_code == 200, resp.text
        return etree.fromstring(resp.content).find(".//{*}BAPI_AR_ACC_GETOPENITEMS.Response")

    without, with_ = call(False), call(True)
    assert without.find("LINEITEMS") is None and without.find("RETURN") is not None
    items = with_.findall("LINEITEMS/item")
    assert items, "the customer's open invoice must come back"
    mine = [i for i in items if i.findtext("DOC_NO") == open_item["BELNR"]]
    assert (
        mine
        and len(mine[0].findtext("PSTNG_DATE")) == 10
        and mine[0].findtext("PSTNG_DATE")[4] == "-"
    )
    assert "." in mine[0].findtext("AMT_DOCCUR")  # decimals with '.'
    assert (
        len(mine[0].findtext("FISC_YEAR")) == 4 and len(mine[0].findtext("ITEM_NUM")) == 3
    )  # NUMC


def test_abap_exception_is_a_fault_with_detail(erp: Any) -> None:
    svc = soap_service(erp.url, "RFC_READ_TABLE")
    with pytest.raises(zeep.exceptions.Fault) as info:
        svc.RFC_READ_TABLE(
            QUERY_TABLE="ZZ_NO_TABLE", DATA={"item": []}, FIELDS={"item": []}, OPTIONS={"item": []}
        )
    detail = info.value.detail.find(f"{{{RFC}}}RFC_READ_TABLE.Exception")
    assert detail.findtext("Name") == "TABLE_NOT_AVAILABLE"
    assert detail.findtext("Message/ID") == "SV" and detail.findtext("Message/Number") == "029"


def test_wrong_password_401_html_and_inactive_403(erp: Any, admin: httpx.Client) -> None:
    resp = httpx.post(
        f"{erp.url}/sap/bc/soap/rfc?sap-client={CLIENT}", content=b"<x/>", auth=(USER, "bad")
    )
    assert resp.status_code == 401 and resp.headers["content-type"].startswith("text/html")
    assert "<html>" in resp.text and "Logon" in resp.text and "WWW-Authenticate" in resp.headers
    svc = soap_service(erp.url, "BAPI_TRANSACTION_COMMIT")
    svc._binding_options["address"] = f"{erp.url}/sap/bc/soap/rfc?sap-client=999"  # unknown client
    with pytest.raises(zeep.exceptions.TransportError) as info:
        svc.BAPI_TRANSACTION_COMMIT(WAIT="X")
    assert info.value.status_code == 401
    assert admin.put("/_mock/sap/icf", json={"active": False}).status_code == 200
    resp = httpx.post(
        f"{erp.url}/sap/bc/soap/rfc?sap-client={CLIENT}", content=b"<x/>", auth=(USER, PASSWORD)
    )
    assert resp.status_code == 403


def _bkpf(admin: httpx.Client, open_item: dict[str, Any], ref: str) -> list[dict[str, Any]]:
    return rows(admin, "BKPF", BUKRS=open_item["BUKRS"], XBLNR=ref)


def test_without_cookie_each_post_is_its_own_session(
    erp: Any, admin: httpx.Client, open_item: dict[str, Any], accounts: dict[str, Any]
) -> None:
    ref = "S" + uuid.uuid4().hex[:12].upper()
    session = requests.Session()
    post = soap_service(erp.url, "BAPI_ACC_DOCUMENT_POST", session=session)
    res = post.BAPI_ACC_DOCUMENT_POST(
        **soapify(posting_params(open_item, accounts, ref)), RETURN={"item": []}
    )
    assert res["RETURN"]["item"][0]["TYPE"] == "S" and res["RETURN"]["item"][0]["NUMBER"] == "605"
    assert res["OBJ_KEY"] and res["OBJ_KEY"] != "$"
    commit = soap_service(erp.url, "BAPI_TRANSACTION_COMMIT", session=session)
    commit.BAPI_TRANSACTION_COMMIT(WAIT="X")
    assert not session.cookies  # no sap-contextid was ever set
    assert _bkpf(admin, open_item, ref) == []  # the LUW died with the first POST's session


def test_stateful_session_by_cookie_commits(
    erp: Any, admin: httpx.Client, open_item: dict[str, Any], accounts: dict[str, Any]
) -> None:
    # the old, gentler variant: a real /sap/bc/soap/rfc ignores sessions (soap_sessions false,
    # tests/mock_erp/test_sap_soap_sessions.py)
    admin.put("/_mock/settings", json={"sap": {"soap_sessions": True}}).raise_for_status()
    try:
        _stateful_session_commits(erp, admin, open_item, accounts)
    finally:
        admin.put("/_mock/settings", json={"sap": {"soap_sessions": False}}).raise_for_status()


def _stateful_session_commits(
    erp: Any, admin: httpx.Client, open_item: dict[str, Any], accounts: dict[str, Any]
) -> None:
    ref = "C" + uuid.uuid4().hex[:12].upper()
    session = requests.Session()
    post = soap_service(erp.url, "BAPI_ACC_DOCUMENT_POST", session=session, sessioncmd="open")
    res = post.BAPI_ACC_DOCUMENT_POST(
        **soapify(posting_params(open_item, accounts, ref)), RETURN={"item": []}
    )
    assert res["RETURN"]["item"][0]["NUMBER"] == "605"
    assert session.cookies.get("sap-contextid", path="/sap/bc/soap/rfc")
    assert _bkpf(admin, open_item, ref) == []  # not visible before COMMIT
    commit = soap_service(erp.url, "BAPI_TRANSACTION_COMMIT", session=session)
    commit.BAPI_TRANSACTION_COMMIT(WAIT="X")
    (doc,) = _bkpf(admin, open_item, ref)
    assert res["OBJ_KEY"] == doc["BELNR"] + doc["BUKRS"] + doc["GJAHR"]
    logoff = soap_service(
        erp.url, "BAPI_TRANSACTION_ROLLBACK", session=session, sessioncmd="logoff"
    )
    logoff.BAPI_TRANSACTION_ROLLBACK()
    assert not session.cookies.get("sap-contextid")
