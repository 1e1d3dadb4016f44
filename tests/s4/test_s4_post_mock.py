"""The mock's S/4 journal-entry SOAP services, driven by SAP's own clients: zeep on SAP's real
WSDL for Journal Entry – Post, a hand-written envelope (as public ABAP callers build it) for
Journal Entry – Clear, pyodata to read the result back from the open-item cube. One ledger: a
posting shows in BKPF/BSID/BSAD and in the cube.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pyodata
import pytest
import requests
from s4_helpers import CLIENT, CUBE, PASSWORD, USER
from s4_post_helpers import (
    CLEAR_ACTION,
    CLEAR_PATH,
    clearing_log,
    payable,
    real_amount,
    settings,
    zeep_service,
)

TODAY = date.today().isoformat()


@pytest.fixture(autouse=True)
def _clearing_defaults(erp: Any) -> Iterator[None]:
    yield
    settings(erp, clearing_delay_ms=1500)
    httpx.delete(erp.url + "/_mock/faults")


def post(service: Any, entry: dict[str, Any], message_id: str = "T-1") -> Any:
    stamp = {"CreationDateTime": f"{TODAY}T00:00:00Z"}
    answer = service.JournalEntryCreateRequestConfirmation_In(
        MessageHeader={"ID": message_id, **stamp},
        JournalEntryCreateRequest=[
            {"MessageHeader": {"ID": f"{message_id}-1", **stamp}, "JournalEntry": entry}
        ],
    )
    return answer["JournalEntryCreateConfirmation"][0]


def entry(inv: dict[str, Any], amount: str, reference: str, **header: Any) -> dict[str, Any]:
    """Bank debit against a customer credit of ``amount`` (on account)."""
    cur = inv["currency"]
    return {
        "OriginalReferenceDocumentType": "BKPFF",
        "BusinessTransactionType": "RFBU",
        "AccountingDocumentType": "DZ",
        "DocumentReferenceID": reference,
        "DocumentHeaderText": f"otc:{reference};",
        "CreatedByUser": "OTC",
        "CompanyCode": inv["company"],
        "DocumentDate": TODAY,
        "PostingDate": TODAY,
        "Item": [
            {
                "ReferenceDocumentItem": "2",
                "GLAccount": "0000113100",
                "AmountInTransactionCurrency": {"_value_1": amount, "currencyCode": cur},
                "DebitCreditCode": "S",
            }
        ],
        "DebtorItem": [
            {
                "ReferenceDocumentItem": "1",
                "Debtor": inv["kunnr"],
                "AmountInTransactionCurrency": {"_value_1": f"-{amount}", "currencyCode": cur},
                "DebitCreditCode": "H",
                "DocumentItemText": "test credit",
            }
        ],
        **header,
    }


def log_of(confirmation: Any) -> list[tuple[str, str]]:
    return [(i["TypeID"], i["Note"]) for i in confirmation["Log"]["Item"]]


def bkpf(erp: Any, reference: str) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = erp.state.store.query(
        "SELECT BUKRS, BELNR, GJAHR, BKTXT FROM BKPF WHERE XBLNR = ?", (reference,)
    )
    return rows


def cube(erp: Any) -> Any:
    session = requests.Session()
    session.auth = (USER, PASSWORD)
    session.params = {"sap-client": CLIENT}
    return pyodata.Client(erp.url + CUBE + "/", session)


def test_post_confirms_with_sap_log_and_the_document_shows_in_the_cube(erp: Any) -> None:
    inv = payable(erp, skip=0)[0]
    answer = post(zeep_service(erp.url), entry(inv, "25.00", "T-POST-1"))
    document = answer["JournalEntryCreateConfirmation"]
    assert answer["Log"]["MaximumLogItemSeverityCode"] == "1"
    [(type_id, note)] = log_of(answer)
    assert type_id == "605(RW)"
    awkey = f"{document['AccountingDocument']}{inv['company']}{document['FiscalYear']}"
    assert note.startswith(f"Document posted successfully: BKPFF {awkey} ")
    assert bkpf(erp, "T-POST-1") == [
        (inv["company"], document["AccountingDocument"], document["FiscalYear"], "otc:T-POST-1;")
    ]
    items = (
        cube(erp)
        .entity_sets.A_OperationalAcctgDocItemCube.get_entities()
        .filter("DocumentReferenceID eq 'T-POST-1' and IsCleared eq false")
        .select("AccountingDocument,Customer,AmountInTransactionCurrency,DocumentItemText")
        .execute()
    )
    assert [(e.AccountingDocument, e.Customer, Decimal(str(e.AmountInTransactionCurrency)))
            for e in items] == [(document["AccountingDocument"], inv["kunnr"], Decimal("-25"))]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"amount": "10.00", "gl": "9.00"}, "702(F5)"),  # unbalanced
        ({"CompanyCode": "9999"}, "165(F5)"),  # unknown company code
        ({"gl_account": "0000999999"}, "051(ZMOCK)"),  # unknown G/L account
        ({"PostingDate": "2025-01-15"}, "201(F5)"),  # period 1 of last year is closed
        ({"debtor": "0009999999"}, "102(F5)"),  # no such customer in the company
        ({"code": "S"}, "050(ZMOCK)"),  # credit amount with a debit code
    ],
)
def test_post_refusals_carry_sap_messages_and_store_nothing(
    erp: Any, change: dict[str, str], expected: str
) -> None:
    inv = payable(erp, skip=1)[0]
    reference = f"T-NO-{expected[:3]}"
    body = entry(inv, change.pop("amount", "10.00"), reference)
    if "gl" in change:
        body["Item"][0]["AmountInTransactionCurrency"]["_value_1"] = change.pop("gl")
    if "gl_account" in change:
        body["Item"][0]["GLAccount"] = change.pop("gl_account")
    if "debtor" in change:
        body["DebtorItem"][0]["Debtor"] = change.pop("debtor")
    if "code" in change:
        body["DebtorItem"][0]["DebitCreditCode"] = change.pop("code")
    body.update(change)
    before = erp.state.store.query_one("SELECT COUNT(*) FROM BKPF")[0]
    answer = post(zeep_service(erp.url), body)
    assert answer["Log"]["MaximumLogItemSeverityCode"] == "3"
    assert answer["JournalEntryCreateConfirmation"]["AccountingDocument"] == "0000000000"
    types = [t for t, _ in log_of(answer)]
    assert types[0] == "609(RW)" and expected in types, log_of(answer)
    assert erp.state.store.query_one("SELECT COUNT(*) FROM BKPF")[0] == before


def test_post_to_a_blocked_customer_is_refused_f5_351(erp: Any) -> None:
    kunnr = erp.state.store.query_one(
        "SELECT KUNNR FROM KNB1 WHERE BUKRS = '1000' AND SPERR = 'X' ORDER BY KUNNR"
    ) or erp.state.store.query_one("SELECT KUNNR FROM KNA1 WHERE SPERR = 'X' ORDER BY KUNNR")
    assert kunnr is not None, "the seed has blocked customers"
    inv = {**payable(erp)[0], "kunnr": kunnr[0]}
    answer = post(zeep_service(erp.url), entry(inv, "5.00", "T-BLOCK"))
    assert "351(F5)" in [t for t, _ in log_of(answer)]
    assert bkpf(erp, "T-BLOCK") == []


def clearing_envelope(message_id: str, company: str, currency: str, items: list[str]) -> bytes:
    """As public ABAP Cloud callers build it: SOAP 1.1, SFIN root, unqualified children."""
    return (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:sfin="http://sap.com/xi/SAPSCORE/SFIN"><soapenv:Header/><soapenv:Body>'
        "<sfin:JournalEntryBulkClearingRequest><MessageHeader>"
        f"<ID>{message_id}</ID><CreationDateTime>{TODAY}T00:00:00Z</CreationDateTime>"
        "</MessageHeader><JournalEntryClearingRequest><MessageHeader>"
        f"<ID>{message_id}-1</ID><CreationDateTime>{TODAY}T00:00:00Z</CreationDateTime>"
        "</MessageHeader><JournalEntry>"
        f"<CompanyCode>{company}</CompanyCode><AccountingDocumentType>DZ</AccountingDocumentType>"
        f"<DocumentDate>{TODAY}</DocumentDate><PostingDate>{TODAY}</PostingDate>"
        f"<CurrencyCode>{currency}</CurrencyCode><DocumentHeaderText>otc:{message_id};"
        "</DocumentHeaderText>" + "".join(items) + "</JournalEntry></JournalEntryClearingRequest>"
        "</sfin:JournalEntryBulkClearingRequest></soapenv:Body></soapenv:Envelope>"
    ).encode()


def ap_ar(kunnr: str, year: str, document: str, item: str, extra: str = "") -> str:
    return (
        "<APARItems><ReferenceDocumentItem>1</ReferenceDocumentItem><AccountType>D</AccountType>"
        f"<APARAccount>{kunnr}</APARAccount><FiscalYear>{year}</FiscalYear>"
        f"<AccountingDocument>{document}</AccountingDocument>"
        f"<AccountingDocumentItem>{item}</AccountingDocumentItem>{extra}</APARItems>"
    )


def send_clearing(erp: Any, body: bytes) -> httpx.Response:
    return httpx.post(
        erp.url + CLEAR_PATH,
        params={"sap-client": CLIENT},
        content=body,
        auth=(USER, PASSWORD),
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": CLEAR_ACTION},
    )


def wait_log(erp: Any, message_id: str, timeout_s: float = 10) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while not (entries := clearing_log(erp, message_id)):
        assert time.monotonic() < deadline, f"no log entry for {message_id}"
        time.sleep(0.05)
    return entries


def test_clearing_is_accepted_then_lands_later_with_a_short_payment_residual(erp: Any) -> None:
    inv = payable(erp, skip=2)[0]
    amount = Decimal(real_amount(erp, inv["internal"], inv["currency"]))
    credit = post(zeep_service(erp.url), entry(inv, str(amount - 10), "T-CLR-1"))
    doc = credit["JournalEntryCreateConfirmation"]
    settings(erp, clearing_delay_ms=600)
    items = [
        ap_ar(inv["kunnr"], doc["FiscalYear"], doc["AccountingDocument"], "001"),
        ap_ar(
            inv["kunnr"], inv["gjahr"], inv["belnr"], inv["buzei"],
            f'<OtherDeductionAmountInDspCrcy currencyCode="{inv["currency"]}">-10'
            "</OtherDeductionAmountInDspCrcy><PaymentDifferenceReason>001</PaymentDifferenceReason>",
        ),
    ]  # fmt: skip
    answer = send_clearing(
        erp, clearing_envelope("T-CLR-1", inv["company"], inv["currency"], items)
    )
    assert (answer.status_code, answer.content) == (202, b"")
    open_now = erp.state.store.query(
        "SELECT 1 FROM BSID WHERE BUKRS = ? AND BELNR = ?", (inv["company"], inv["belnr"])
    )
    assert open_now, "asynchronous: nothing is cleared when the request is accepted"
    [logged] = wait_log(erp, "T-CLR-1")
    assert logged["status"] == "posted", logged
    assert logged["log"][0]["TypeID"] == "312(F5)"
    cleared = erp.state.store.query(
        "SELECT AUGBL FROM BSAD WHERE BUKRS = ? AND BELNR IN (?, ?)",
        (inv["company"], inv["belnr"], doc["AccountingDocument"]),
    )
    assert [r[0] for r in cleared] == [logged["document"]] * 2
    residual = erp.state.store.query(
        "SELECT WRBTR, RSTGR, REBZG FROM BSID WHERE BUKRS = ? AND BELNR = ?",
        (inv["company"], logged["document"]),
    )
    assert [(Decimal(real_amount(erp, w, inv["currency"])), r, z) for w, r, z in residual] == [
        (Decimal(10), "001", inv["belnr"])
    ]


def test_clearing_failures_show_only_in_the_log_and_change_nothing(erp: Any) -> None:
    inv = payable(erp, skip=3)[0]
    settings(erp, clearing_delay_ms=0)
    before = erp.state.store.query_one("SELECT COUNT(*) FROM BKPF")[0]
    not_open = [ap_ar(inv["kunnr"], inv["gjahr"], "0000000001", "001")]
    answer = send_clearing(
        erp, clearing_envelope("T-FAIL-1", inv["company"], inv["currency"], not_open)
    )
    assert answer.status_code == 202
    [logged] = wait_log(erp, "T-FAIL-1")
    assert (logged["status"], logged["log"][0]["SeverityCode"]) == ("failed", "3")
    unbalanced = [ap_ar(inv["kunnr"], inv["gjahr"], inv["belnr"], inv["buzei"])]
    send_clearing(erp, clearing_envelope("T-FAIL-2", inv["company"], inv["currency"], unbalanced))
    [logged] = wait_log(erp, "T-FAIL-2")
    assert logged["log"][0]["TypeID"] == "263(F5)", logged
    assert erp.state.store.query_one("SELECT COUNT(*) FROM BKPF")[0] == before


def test_a_repeated_message_id_is_dropped_and_a_broken_message_is_a_soap_fault(erp: Any) -> None:
    inv = payable(erp, skip=4)[0]
    settings(erp, clearing_delay_ms=0)
    body = clearing_envelope("T-DUP-1", inv["company"], inv["currency"], [])
    body = body.replace(
        b"</JournalEntry>", ap_ar(inv["kunnr"], "2000", "1", "1").encode() + b"</JournalEntry>"
    )
    assert send_clearing(erp, body).status_code == 202
    assert send_clearing(erp, body).status_code == 202
    time.sleep(0.3)
    assert sorted(e["status"] for e in clearing_log(erp, "T-DUP-1")) == ["duplicate", "failed"]
    broken = send_clearing(erp, b"<soapenv:Envelope")
    assert broken.status_code == 500 and b"Fault" in broken.content


def test_a_test_message_is_checked_and_posts_nothing(erp: Any) -> None:
    inv = payable(erp, skip=6)[0]
    amount = real_amount(erp, inv["internal"], inv["currency"])
    credit = post(zeep_service(erp.url), entry(inv, amount, "T-TEST-1"))
    doc = credit["JournalEntryCreateConfirmation"]
    settings(erp, clearing_delay_ms=0)
    items = [
        ap_ar(inv["kunnr"], doc["FiscalYear"], doc["AccountingDocument"], "001"),
        ap_ar(inv["kunnr"], inv["gjahr"], inv["belnr"], inv["buzei"]),
    ]
    body = clearing_envelope("T-TEST-1", inv["company"], inv["currency"], items).replace(
        b"</CreationDateTime></MessageHeader><JournalEntryClearingRequest>",
        b"</CreationDateTime><TestDataIndicator>true</TestDataIndicator></MessageHeader>"
        b"<JournalEntryClearingRequest>",
        1,
    )
    assert send_clearing(erp, body).status_code == 202
    [logged] = wait_log(erp, "T-TEST-1")
    assert (logged["status"], logged["document"]) == ("simulated", ""), logged
    still_open = erp.state.store.query(
        "SELECT 1 FROM BSID WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ? AND BUZEI = ?",
        (inv["company"], inv["belnr"], inv["gjahr"], inv["buzei"]),
    )
    assert still_open


def test_faults_unavailable_refuses_before_and_drop_after_commit_posts(erp: Any) -> None:
    inv = payable(erp, skip=5)[0]
    service = zeep_service(erp.url)
    rule = {"persona": "s4", "operation": "JournalEntryCreateRequestConfirmation_In", "nth": 1}
    httpx.post(erp.url + "/_mock/faults", json={**rule, "kind": "unavailable"}).raise_for_status()
    with pytest.raises(Exception, match="503"):
        post(service, entry(inv, "3.00", "T-F-UNAV"))
    assert bkpf(erp, "T-F-UNAV") == []
    httpx.delete(erp.url + "/_mock/faults")
    httpx.post(erp.url + "/_mock/faults", json={**rule, "kind": "drop_after_commit"})
    with pytest.raises(requests.exceptions.ConnectionError):
        post(service, entry(inv, "3.00", "T-F-DROP"))
    assert len(bkpf(erp, "T-F-DROP")) == 1, "the ERP committed before the answer was lost"


def test_the_adapter_ships_sap_wsdl_unchanged() -> None:
    from importlib.resources import files

    from s4_post_helpers import WSDL

    shipped = files("adapters.s4") / "wsdl" / WSDL.name
    assert shipped.read_bytes() == WSDL.read_bytes()
