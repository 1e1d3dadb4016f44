"""Journal Entry – Post (synchronous): ``JournalEntryCreateRequestConfirmation_In``.

The request and confirmation shapes are SAP's WSDL (tests/fixtures/real/sap-s4-soap/): a bulk
message of 1..n ``JournalEntryCreateRequest``, each one journal entry with G/L ``Item`` and
``DebtorItem`` lines whose ``AmountInTransactionCurrency`` is signed (debit +, credit -) and
carries ``currencyCode``. Each entry is posted by the same rules as the ECC persona's
BAPI_ACC_DOCUMENT_POST (balance F5 702, period F5 201, customer F5 102 / F5 351, decimals) in
its own LUW: S/4HANA's API posts through the accounting interface as the BAPI does (RW
messages, object type BKPFF; docs/s4hana-setup.md "Sources"). The confirmation of a posted
entry is SAP's, captured from a live system: ``AccountingDocument``/``CompanyCode``/
``FiscalYear`` and one log item ``605(RW)`` "Document posted successfully: BKPFF <AWKEY>
<logical system>", severity 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from mock_erp.s4.journal_entry_xml import (
    SFIN,
    RequestError,
    amount,
    child,
    children,
    sub,
    text,
)
from mock_erp.sap.abap import SapMessage
from mock_erp.sap.documents import LOGICAL_SYSTEM
from mock_erp.sap.messages import msg

SERVICE = "JournalEntryCreateRequestConfirmation_In"
PATH = "/sap/bc/srt/scs_ext/sap/journalentrycreaterequestconfi"
#: LogItemSeverityCode: 1 information/success, 2 warning, 3 error (SAP's GDT)
SUCCESS, ERROR = "1", "3"
#: [unconfirmed] the document number a failed entry's confirmation shows
NO_DOCUMENT = "0000000000"


def _mock_message(number: str, text_: str) -> SapMessage:
    """A refusal whose SAP message class and number are not sourced: class ZMOCK says so."""
    return SapMessage(msg_class="ZMOCK", number=number, text=text_)


@dataclass
class Entry:
    """One journal entry as the BAPI rules take it (header, G/L, receivable, amounts)."""

    header: dict[str, Any]
    gl: list[dict[str, Any]] = field(default_factory=list)
    ar: list[dict[str, Any]] = field(default_factory=list)
    amounts: list[dict[str, Any]] = field(default_factory=list)
    problems: list[SapMessage] = field(default_factory=list)


def _dats(value: str) -> str:
    """``YYYY-MM-DD`` (xsd:date) as SAP's DATS, ``00000000`` when absent."""
    return value.replace("-", "")[:8] if value else "00000000"


def parse_entry(node: etree._Element) -> Entry:
    """One ``JournalEntry`` node as BAPI parameters; shape problems are collected, not raised."""
    header = {
        "COMP_CODE": text(node, "CompanyCode"),
        "DOC_TYPE": text(node, "AccountingDocumentType") or "SA",
        "DOC_DATE": _dats(text(node, "DocumentDate")),
        "PSTNG_DATE": _dats(text(node, "PostingDate")),
        "REF_DOC_NO": text(node, "DocumentReferenceID"),
        "HEADER_TXT": text(node, "DocumentHeaderText"),
        "USERNAME": text(node, "CreatedByUser"),
    }
    entry = Entry(header)
    if len(header["REF_DOC_NO"]) > 16:  # XBLNR is CHAR 16: the proxy refuses a longer value
        entry.problems.append(
            _mock_message("052", f"DocumentReferenceID {header['REF_DOC_NO']!r} exceeds 16")
        )
    if len(header["HEADER_TXT"]) > 25:
        entry.problems.append(
            _mock_message("052", f"DocumentHeaderText {header['HEADER_TXT']!r} exceeds 25")
        )
    number = 0
    lines = [("ar", d) for d in children(node, "DebtorItem")]
    lines += [("gl", i) for i in children(node, "Item")]
    for kind, line in lines:
        number += 1
        item_no = f"{number:010d}"
        value = amount(line, "AmountInTransactionCurrency")
        if value is None or not value.currency:
            entry.problems.append(
                _mock_message(
                    "053", f"Item {number}: AmountInTransactionCurrency with currencyCode"
                )
            )
            continue
        code = text(line, "DebitCreditCode")
        if code and (code == "S") != (value.value >= 0):  # [unconfirmed] harsher: must agree
            entry.problems.append(
                _mock_message(
                    "050", f"Item {number}: debit/credit code {code} contradicts {value.value}"
                )
            )
        row = {
            "ITEMNO_ACC": item_no,
            "ITEM_TEXT": text(line, "DocumentItemText"),
            "ALLOC_NMBR": text(line, "AssignmentReference"),
        }
        if kind == "ar":
            entry.ar.append({**row, "CUSTOMER": text(line, "Debtor")})
        else:
            entry.gl.append({**row, "GL_ACCOUNT": text(line, "GLAccount")})
        entry.amounts.append(
            {"ITEMNO_ACC": item_no, "CURRENCY": value.currency, "AMT_DOCCUR": value.value}
        )
    if len({a["CURRENCY"] for a in entry.amounts}) > 1:
        entry.problems.append(_mock_message("054", "All items must be in one transaction currency"))
    return entry


def _known_gl(backend: Any, bukrs: str) -> set[str]:
    """The G/L accounts the mock's chart holds for a company (ZMOCK_T001_ACCOUNTS)."""
    row = backend.store.query_one(
        "SELECT AKONT, BANK_GL, DISC_GL, REV_GL, WRITEOFF_GL FROM ZMOCK_T001_ACCOUNTS "
        "WHERE BUKRS = ?",
        (bukrs,),
    )
    return {str(v) for v in row or () if v}


def post_entry(backend: Any, entry: Entry, user: str) -> tuple[str | None, list[SapMessage]]:
    """Post one entry in its own LUW: (AWKEY or None, the log's messages)."""
    bukrs = entry.header["COMP_CODE"]
    problems = list(entry.problems)
    known = _known_gl(backend, bukrs)
    for row in entry.gl:
        if known and row["GL_ACCOUNT"] not in known:
            problems.append(
                _mock_message(
                    "051", f"G/L account {row['GL_ACCOUNT']} is not defined in company code {bukrs}"
                )
            )
    if problems:
        head = msg("RW", "609", "BKPFF", "$", LOGICAL_SYSTEM)
        return None, [head, *problems]
    sid = backend.open_session(user or "OTC_COMM")
    try:
        try:
            awkey = backend.post_document(sid, entry.header, entry.gl, entry.ar, entry.amounts)
        except SapMessage as exc:
            return None, [exc, *exc.extra]
        failed = backend.commit(sid)
        if failed is not None:
            return None, [failed]
    finally:
        backend.end_session(sid)
    return awkey, [msg("RW", "605", "BKPFF", awkey, LOGICAL_SYSTEM, type="S")]


def _log(parent: etree._Element, messages: list[SapMessage]) -> None:
    log = sub(parent, "Log")
    worst = ERROR if any(m.type in ("E", "A") for m in messages) else SUCCESS
    sub(log, "MaximumLogItemSeverityCode", worst)
    for m in messages:
        item = sub(log, "Item")
        sub(item, "TypeID", f"{m.number}({m.msg_class})")
        sub(item, "SeverityCode", ERROR if m.type in ("E", "A") else SUCCESS)
        sub(item, "Note", m.text)


def _header(parent: etree._Element, reference: str, now: str) -> None:
    import uuid

    header = sub(parent, "MessageHeader")
    sub(header, "UUID", str(uuid.uuid4()))
    if reference:
        sub(header, "ReferenceID", reference)
    sub(header, "CreationDateTime", now)


def handle(backend: Any, request: etree._Element, user: str) -> etree._Element:
    """The bulk confirmation for a ``JournalEntryBulkCreateRequest``."""
    from datetime import UTC, datetime

    if etree.QName(request.tag).localname != "JournalEntryBulkCreateRequest":
        raise RequestError(f"{SERVICE} expects JournalEntryBulkCreateRequest")
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    head = child(request, "MessageHeader")
    out = etree.Element(f"{{{SFIN}}}JournalEntryBulkCreateConfirmation", nsmap={"n0": SFIN})
    _header(out, text(head, "ID") if head is not None else "", now)
    for one in children(request, "JournalEntryCreateRequest"):
        node = child(one, "JournalEntry")
        one_head = child(one, "MessageHeader")
        confirmation = sub(out, "JournalEntryCreateConfirmation")
        _header(confirmation, text(one_head, "ID") if one_head is not None else "", now)
        if node is None:
            raise RequestError("JournalEntryCreateRequest without JournalEntry")
        awkey, messages = post_entry(backend, parse_entry(node), user)
        document = sub(confirmation, "JournalEntryCreateConfirmation")
        sub(document, "AccountingDocument", awkey[:10] if awkey else NO_DOCUMENT)
        sub(document, "CompanyCode", awkey[10:14].strip() if awkey else "")
        sub(document, "FiscalYear", awkey[14:18] if awkey else "0000")
        _log(confirmation, messages)
    sub(out, "Log")
    return out
