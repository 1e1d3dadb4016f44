"""Journal Entry – Clear (asynchronous): ``JournalEntryBulkClearingRequest_In`` (SAP_COM_0002).

There is no public WSDL for this service. The message is reconstructed from SAP's API
documentation and public consumer code (docs/mock-erp-s4.md "Journal Entry – Clear"); every
field and rule the mock relies on is listed in ``FIELDS`` and ``RULES`` below, each marked
sourced or unconfirmed, and nowhere else.

The request clears existing open items only (it cannot post a bank line): each
``JournalEntryClearingRequest`` is one clearing document over ``APARItems`` (and ``GLItems``).
Per AP/AR item: nothing extra = cleared in full; ``CashDiscountAmountInDspCrcy`` = cleared with
cash discount; ``OtherDeductionAmountInDspCrcy`` (negative) = cleared, that much stays open as a
residual item with ``PaymentDifferenceReason``; ``PartialPaymentAmtInDspCrcy`` = the item stays
open and a partial-payment item is posted against it. The clearing is posted by the ECC persona's
clearing engine (the same ledger: BSID -> BSAD, AUGBL/AUGDT), as a transfer posting without bank
line, after the checks below; a failure leaves the ledger untouched and is only visible in the
message log (AIF Message Dashboard on a real system; ``GET /_mock/s4/clearing-log`` here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lxml import etree

from mock_erp.s4.journal_entry_xml import RequestError, amount, child, children, text
from mock_erp.sap.abap import SapMessage
from mock_erp.sap.formats import minor_of_internal
from mock_erp.sap.messages import TOO_MANY_DECIMALS, msg

SERVICE = "JournalEntryBulkClearingRequest_In"
PATH = "/sap/bc/srt/scs_ext/sap/journalentrybulkclearingreques"

#: The reconstructed message: path -> (sourced?, what it means). Sources: SAP Help "Journal
#: Entry – Clearing (Asynchronous)", SAP Community "Guidelines for API Journal Entry – Clearing
#: (Asynchronous)", public ABAP Cloud callers (docs/mock-erp-s4.md lists the links).
FIELDS: dict[str, tuple[bool, str]] = {
    "JournalEntryBulkClearingRequest": (True, "root element, namespace SFIN"),
    "MessageHeader/ID": (True, "unique per message, at most 35 characters; repeated = duplicate"),
    "MessageHeader/CreationDateTime": (True, "xsd:dateTime"),
    "MessageHeader/TestDataIndicator": (True, "true: checked, nothing posted"),
    "JournalEntryClearingRequest": (True, "1..n, one clearing document each"),
    "JournalEntryClearingRequest/MessageHeader/ID": (True, "the request's own ID"),
    "JournalEntry/CompanyCode": (True, "mandatory"),
    "JournalEntry/AccountingDocumentType": (True, "mandatory (AB, DZ, DA ...)"),
    "JournalEntry/DocumentDate": (True, "mandatory, YYYY-MM-DD"),
    "JournalEntry/PostingDate": (True, "mandatory, YYYY-MM-DD, in an open period"),
    "JournalEntry/CurrencyCode": (True, "mandatory"),
    "JournalEntry/DocumentHeaderText": (True, "optional; BKTXT of the clearing document"),
    "JournalEntry/CreatedByUser": (True, "optional"),
    "APARItems/ReferenceDocumentItem": (True, "line number in the request"),
    "APARItems/AccountType": (True, "D customer, K supplier"),
    "APARItems/APARAccount": (True, "customer number [unconfirmed: sent in internal form]"),
    "APARItems/FiscalYear": (True, "of the item to clear"),
    "APARItems/AccountingDocument": (True, "of the item to clear"),
    "APARItems/AccountingDocumentItem": (True, "of the item to clear [unconfirmed: 1 or 001]"),
    "APARItems/PartialPaymentAmtInDspCrcy": (True, "partial payment, currencyCode attribute"),
    "APARItems/CashDiscountAmountInDspCrcy": (True, "cash discount taken"),
    "APARItems/OtherDeductionAmountInDspCrcy": (True, "residual left open, negative"),
    "APARItems/PaymentDifferenceReason": (True, "reason code of the difference"),
    "GLItems": (True, "G/L open items; not kept by this mock (refused)"),
}
#: Rules the mock applies; False = unconfirmed on a live system (docs/mock-erp-s4.md).
RULES: dict[str, bool] = {
    "a partial payment cannot be combined with cash discount or residual": True,
    "special G/L items cannot be cleared": True,
    "the items of one clearing must net to zero (else F5 263)": False,
    "one clearing covers one customer": False,
    "an item not open fails the whole clearing (ZMOCK 064)": False,
    "a repeated MessageHeader ID is dropped without processing": False,
    "the async request is answered HTTP 202 with an empty body": False,
}


def _refusal(number: str, note: str) -> SapMessage:
    """A refusal whose real message class and number are not sourced: class ZMOCK says so."""
    return SapMessage(msg_class="ZMOCK", number=number, text=note)


@dataclass(frozen=True)
class ApArItem:
    account_type: str
    account: str
    fiscal_year: str
    document: str
    item: str
    partial: Decimal | None
    discount: Decimal | None
    deduction: Decimal | None  # negative: the residual left open
    reason: str


@dataclass(frozen=True)
class ClearingRequest:
    request_id: str
    company: str
    doc_type: str
    doc_date: str
    posting_date: str
    currency: str
    header_text: str
    user: str
    items: list[ApArItem]
    gl_items: int


@dataclass
class BulkClearing:
    message_id: str
    test: bool
    requests: list[ClearingRequest] = field(default_factory=list)


def _dats(value: str) -> str:
    return value.replace("-", "")[:8] if value else "00000000"


def _value(node: etree._Element, name: str) -> Decimal | None:
    found = amount(node, name)
    return found.value if found is not None else None


def parse(root: etree._Element) -> BulkClearing:
    """The bulk request; refuses (SOAP fault) only what the runtime refuses before queueing."""
    if etree.QName(root.tag).localname != "JournalEntryBulkClearingRequest":
        raise RequestError(f"{SERVICE} expects JournalEntryBulkClearingRequest")
    head = child(root, "MessageHeader")
    message_id = text(head, "ID") if head is not None else ""
    if not message_id or len(message_id) > 35:
        raise RequestError("MessageHeader/ID is mandatory and at most 35 characters")
    test = (text(head, "TestDataIndicator") if head is not None else "").lower() == "true"
    bulk = BulkClearing(message_id, test)
    for one in children(root, "JournalEntryClearingRequest"):
        one_head = child(one, "MessageHeader")
        entry = child(one, "JournalEntry")
        if entry is None:
            raise RequestError("JournalEntryClearingRequest without JournalEntry")
        items = [
            ApArItem(
                account_type=text(i, "AccountType"),
                account=text(i, "APARAccount"),
                fiscal_year=text(i, "FiscalYear"),
                document=text(i, "AccountingDocument"),
                item=text(i, "AccountingDocumentItem"),
                partial=_value(i, "PartialPaymentAmtInDspCrcy"),
                discount=_value(i, "CashDiscountAmountInDspCrcy"),
                deduction=_value(i, "OtherDeductionAmountInDspCrcy"),
                reason=text(i, "PaymentDifferenceReason"),
            )
            for i in children(entry, "APARItems")
        ]
        bulk.requests.append(
            ClearingRequest(
                request_id=text(one_head, "ID") if one_head is not None else "",
                company=text(entry, "CompanyCode"),
                doc_type=text(entry, "AccountingDocumentType"),
                doc_date=_dats(text(entry, "DocumentDate")),
                posting_date=_dats(text(entry, "PostingDate")),
                currency=text(entry, "CurrencyCode"),
                header_text=text(entry, "DocumentHeaderText"),
                user=text(entry, "CreatedByUser"),
                items=items,
                gl_items=sum(1 for _ in children(entry, "GLItems")),
            )
        )
    if not bulk.requests:
        raise RequestError("JournalEntryBulkClearingRequest without JournalEntryClearingRequest")
    return bulk


@dataclass
class Outcome:
    """What the message log shows for one clearing request."""

    request_id: str
    status: str  # posted | failed | simulated
    document: str = ""
    company: str = ""
    fiscal_year: str = ""
    messages: list[SapMessage] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "status": self.status,
            "document": self.document,
            "company": self.company,
            "fiscal_year": self.fiscal_year,
            "log": [
                {
                    "TypeID": f"{m.number}({m.msg_class})",
                    "SeverityCode": "3" if m.type in ("E", "A") else "1",
                    "Note": m.text,
                }
                for m in self.messages
            ],
        }


def _minor(backend: Any, value: Decimal | None, currency: str) -> int:
    if value is None:
        return 0
    minor = backend.to_minor(abs(value), currency)
    if minor is None:
        raise msg(*TOO_MANY_DECIMALS, f"{value}", currency)
    return int(minor) * (-1 if value < 0 else 1)


def _clear_item(backend: Any, req: ClearingRequest, it: ApArItem) -> tuple[dict[str, Any], int]:
    """One item as the clearing engine's T_ITEMS row, and the amount it takes off the balance."""
    if it.account_type != "D":
        raise _refusal("061", f"Account type {it.account_type}: only customer items are kept")
    row = backend.store.query_one(
        "SELECT SHKZG, WRBTR, WAERS, UMSKZ FROM BSID WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ? "
        "AND BUZEI = ? AND KUNNR = ?",
        (req.company, it.document, it.fiscal_year, it.item, it.account),
    )
    if row is None:
        raise _refusal(
            "064", f"Item {req.company} {it.document} {it.fiscal_year} {it.item} is not open"
        )
    if row[3]:
        raise _refusal("066", f"Item {it.document}: special G/L items cannot be cleared")
    if row[2] != req.currency:
        raise _refusal("065", f"Item {it.document} is in {row[2]}, the clearing in {req.currency}")
    if it.partial is not None and (it.discount or it.deduction):
        raise _refusal(
            "063", f"Item {it.document}: a partial payment cannot take discount or residual"
        )
    signed = minor_of_internal(row[1]) * (1 if row[0] == "S" else -1)
    partial = _minor(backend, it.partial, req.currency)
    discount = _minor(backend, it.discount, req.currency)
    residual = -_minor(backend, it.deduction, req.currency)
    base = {
        "FISC_YEAR": it.fiscal_year,
        "DOC_NO": it.document,
        "ITEM_NUM": it.item,
        "REASON_CDE": it.reason,
        "ITEM_TEXT": "",
    }

    def real(minor: int) -> Decimal:
        return Decimal(backend.external(minor, req.currency))

    if it.partial is not None:
        if signed <= 0 or not 0 < partial <= signed:
            raise _refusal("067", f"Item {it.document}: partial {it.partial} does not fit it")
        return {**base, "CLR_MODE": "P", "AMT_PAID": real(partial), "DISC_AMT": Decimal(0)}, partial
    if residual:
        paid = signed - residual - discount
        if signed <= 0 or residual < 0 or paid < 0:
            raise _refusal("067", f"Item {it.document}: residual {it.deduction} does not fit it")
        return {
            **base,
            "CLR_MODE": "R",
            "AMT_PAID": real(paid),
            "DISC_AMT": real(discount),
        }, paid + discount
    if discount and (signed <= 0 or discount > signed):
        raise _refusal("067", f"Item {it.document}: discount {it.discount} does not fit it")
    return {
        **base,
        "CLR_MODE": "F",
        "AMT_PAID": real(max(signed - discount, 0)),
        "DISC_AMT": real(discount),
    }, signed


def clear(backend: Any, req: ClearingRequest, test: bool) -> Outcome:
    """Check and post one clearing document; a failure changes nothing."""
    outcome = Outcome(req.request_id, "failed", company=req.company)
    try:
        comp = backend.company(req.company)
        if comp is None:
            raise msg("F5", "165", req.company)
        if req.gl_items:
            raise _refusal("060", "G/L open items are not kept by this mock")
        customers = {it.account for it in req.items}
        if len(customers) != 1:
            raise _refusal("062", "A clearing covers the items of one customer")
        kunnr = customers.pop()
        cust = backend.customer(kunnr, req.company)
        if cust is None:
            raise msg("F5", "102", kunnr, req.company)
        if "X" in (cust["KNA1_SPERR"], cust["KNB1_SPERR"]):
            raise msg("F5", "351", kunnr, req.company)
        gjahr, monat = backend.fiscal_period(req.posting_date)
        if (closed := backend.period_open(req.company, gjahr, monat, "D")) is not None:
            raise closed
        seen: set[tuple[str, str, str]] = set()
        rows: list[dict[str, Any]] = []
        discounts = applied = 0
        for it in req.items:
            key = (it.document, it.fiscal_year, it.item)
            if key in seen:
                raise _refusal("064", f"Item {it.document} is listed twice")
            seen.add(key)
            row, takes = _clear_item(backend, req, it)
            rows.append(row)
            applied += takes
            discounts += _minor(backend, it.discount, req.currency)
        if applied != discounts:  # the clearing's items must net to zero
            raise SapMessage(
                msg_class="F5", number="263", text="Difference is too large for clearing"
            )
        holder = backend.locked_by(req.company, kunnr, req.user or "OTC_COMM")
        if holder:
            raise msg("F5", "283", kunnr, holder)
        params = {
            "I_COMP_CODE": req.company,
            "I_CUSTOMER": kunnr,
            "I_DOC_TYPE": req.doc_type or "AB",
            "I_DOC_DATE": req.doc_date,
            "I_PSTNG_DATE": req.posting_date,
            "I_VALUE_DATE": req.posting_date,
            "I_CURRENCY": req.currency,
            "I_AUGLV": "UMBUCHNG",
            "I_BANK_GL": "",
            "I_AMOUNT": Decimal(0),
            "I_REF_DOC_NO": "",
            "I_HEADER_TXT": req.header_text[:25],
            "I_TESTRUN": "X" if test else "",
            "T_ITEMS": rows,
            "T_GLLINES": [],
        }
        sid = backend.open_session(req.user or "OTC_COMM")
        try:
            doc, _ = backend.clear(sid, params)
        finally:
            backend.end_session(sid)
    except SapMessage as exc:
        outcome.messages = [exc, *exc.extra]
        return outcome
    if doc is None:
        outcome.status = "simulated"
        outcome.messages = [msg("RW", "614", type="S")]
        return outcome
    outcome.status, outcome.document, outcome.fiscal_year = "posted", doc.belnr, doc.gjahr
    outcome.messages = [msg("F5", "312", doc.belnr, req.company, type="S")]
    return outcome
