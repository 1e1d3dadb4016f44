"""The Journal Entry – Clear request, built with lxml from the reconstructed structure.

Why lxml and not zeep: SAP publishes no WSDL for ``JournalEntryBulkClearingRequest_In``
outside the API Business Hub download; a WSDL written here would only restate this
reconstruction in a second, more verbose place and suggest a precision it does not have. The
message is small and one-way (no answer to parse), so building it directly keeps every field we
send, and what we know of it, in this one module (docs/s4hana-setup.md "Unconfirmed fields").

Structure (namespace ``http://sap.com/xi/SAPSCORE/SFIN``, children unqualified as in SAP's
other journal-entry services): ``JournalEntryBulkClearingRequest`` / ``MessageHeader``
(``ID`` <= 35 characters, ``CreationDateTime``) / 1..n ``JournalEntryClearingRequest``
(``MessageHeader``, ``JournalEntry``: ``CompanyCode``, ``AccountingDocumentType``,
``DocumentDate``, ``PostingDate``, ``CurrencyCode``, ``DocumentHeaderText``, ``CreatedByUser``,
``APARItems``...). Sources: SAP Help "Journal Entry – Clearing (Asynchronous)"
(https://help.sap.com/docs/SAP_S4HANA_CLOUD/b978f98fc5884ff2aeb10c8fdeb8a43b/5142cdd767b04122a8beb6ecd460a922.html),
SAP Community "Guidelines for API Journal Entry – Clearing (Asynchronous)"
(https://community.sap.com/t5/enterprise-resource-planning-blog-posts-by-sap/guidelines-for-api-journal-entry-clearing-asynchronous/ba-p/13410748),
and public ABAP Cloud callers of the service (consumer proxy
``..CO_JOURNAL_ENTRY_BULK_CLE`` / method ``JOURNAL_ENTRY_BULK_CLEARING_RE``, and hand-built
payloads with the element names above).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from lxml import etree

SFIN = "http://sap.com/xi/SAPSCORE/SFIN"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SERVICE = "JournalEntryBulkClearingRequest_In"
PATH = "journalentrybulkclearingreques"  # under /sap/bc/srt/scs_ext/sap/ (SAP Help)
SOAP_ACTION = f"{SFIN}/{SERVICE}/{SERVICE}Request"
MESSAGE_ID_LENGTH = 35

#: What we send and how sure we are of it (True = in SAP's documentation as we use it).
FIELDS: dict[str, tuple[bool, str]] = {
    "MessageHeader/ID": (True, "unique, <= 35 characters; we send a fresh one per send"),
    "MessageHeader/CreationDateTime": (True, "UTC, xsd:dateTime"),
    "JournalEntry/CompanyCode": (True, "the company of the items"),
    "JournalEntry/AccountingDocumentType": (True, "DZ for payments, AB for write-offs"),
    "JournalEntry/DocumentDate, PostingDate": (True, "YYYY-MM-DD"),
    "JournalEntry/CurrencyCode": (True, "the items' transaction currency"),
    "JournalEntry/DocumentHeaderText": (True, "our tag (otc:<key>;), BKTXT of the clearing"),
    "JournalEntry/CreatedByUser": (False, "the communication user; accepted or ignored?"),
    "APARItems/AccountType": (True, "D"),
    "APARItems/APARAccount": (False, "sent in internal form (leading zeros): ALPHA unconfirmed"),
    "APARItems/FiscalYear, AccountingDocument": (True, "the item to clear"),
    "APARItems/AccountingDocumentItem": (False, "sent as the cube shows it (001)"),
    "APARItems/CashDiscountAmountInDspCrcy": (True, "cash discount taken, with currencyCode"),
    "APARItems/OtherDeductionAmountInDspCrcy": (True, "residual left open, negative"),
    "APARItems/PaymentDifferenceReason": (True, "reason code of the residual"),
    "APARItems/PartialPaymentAmtInDspCrcy": (True, "partial payment; the item stays open"),
    "HTTP answer": (False, "202 (or 200) with an empty body = accepted"),
}


@dataclass(frozen=True)
class ClearItem:
    """One customer item to clear, and what happens to it."""

    customer: str  # internal form (ALPHA)
    fiscal_year: int
    document: str  # internal form
    line: int
    discount: Decimal = Decimal(0)
    residual: Decimal = Decimal(0)  # left open, as a positive amount
    partial: Decimal | None = None
    reason: str = ""


@dataclass(frozen=True)
class Clearing:
    company: str
    doc_type: str
    posting_date: date
    currency: str
    header_text: str
    user: str
    items: tuple[ClearItem, ...]


def plain(amount: Decimal) -> str:
    """An amount without exponent or trailing zeros (never more decimals than it has)."""
    text = format(amount.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _sub(parent: etree._Element, name: str, value: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, name)
    if value is not None:
        el.text = value
    return el


def _header(parent: etree._Element, message_id: str, now: str) -> None:
    head = _sub(parent, "MessageHeader")
    _sub(head, "ID", message_id)
    _sub(head, "CreationDateTime", now)


def envelope(message_id: str, clearing: Clearing) -> bytes:
    """The SOAP 1.1 envelope of one bulk message holding one clearing."""
    if len(message_id) > MESSAGE_ID_LENGTH:
        raise ValueError(f"message ID {message_id!r} is longer than {MESSAGE_ID_LENGTH}")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    env = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"soapenv": SOAP11, "sfin": SFIN})
    etree.SubElement(env, f"{{{SOAP11}}}Header")
    body = etree.SubElement(env, f"{{{SOAP11}}}Body")
    bulk = etree.SubElement(body, f"{{{SFIN}}}JournalEntryBulkClearingRequest")
    _header(bulk, message_id, now)
    request = _sub(bulk, "JournalEntryClearingRequest")
    _header(request, f"{message_id[: MESSAGE_ID_LENGTH - 2]}-1", now)
    entry = _sub(request, "JournalEntry")
    _sub(entry, "CompanyCode", clearing.company)
    _sub(entry, "AccountingDocumentType", clearing.doc_type)
    _sub(entry, "DocumentDate", clearing.posting_date.isoformat())
    _sub(entry, "PostingDate", clearing.posting_date.isoformat())
    _sub(entry, "CurrencyCode", clearing.currency)
    _sub(entry, "DocumentHeaderText", clearing.header_text)
    _sub(entry, "CreatedByUser", clearing.user[:12])
    for number, item in enumerate(clearing.items, start=1):
        node = _sub(entry, "APARItems")
        _sub(node, "ReferenceDocumentItem", str(number))
        _sub(node, "AccountType", "D")
        _sub(node, "APARAccount", item.customer)
        _sub(node, "FiscalYear", f"{item.fiscal_year:04d}")
        _sub(node, "AccountingDocument", item.document)
        _sub(node, "AccountingDocumentItem", f"{item.line:03d}")
        amounts = [
            ("PartialPaymentAmtInDspCrcy", item.partial),
            ("CashDiscountAmountInDspCrcy", item.discount or None),
            ("OtherDeductionAmountInDspCrcy", -item.residual if item.residual else None),
        ]
        for name, value in amounts:
            if value is not None:
                _sub(node, name, plain(value)).set("currencyCode", clearing.currency)
        if item.reason:
            _sub(node, "PaymentDifferenceReason", item.reason)
    return bytes(etree.tostring(env, xml_declaration=True, encoding="utf-8"))
