"""Z_OTC_AR_REFUND: pay back a customer's credit items through the payment run (F110).

Why a module of its own: a refund is a transfer posting with clearing of *credit* items, not a
payment (clearing.py); its rules and messages are in docs/sap-setup.md "Reversal and refunds".
The refund document (FB05, AUGLV UMBUCHNG, document type DA) clears the credit items named and
posts, per item, what stays open of a partly refunded credit (residual, REBZG on the item),
and one customer credit line of the refund amount with the payment method (ZLSCH) and no
payment block (ZLSPR blank): the open item F110 pays out to the customer. Checked in order:

- ZOTC 006 malformed call; ZOTC 003 an amount with more decimals than the currency;
- F5 102 customer not in the company code; F5 351 posting block; F5 201 period closed;
- ZOTC 030 payment method not allowed for the company code (T042E), ZOTC 031 the method
  collects money (T042Z-XEINZ) instead of paying it out;
- per item: ZOTC 001 not open for the customer, ZOTC 005 other currency, ZOTC 032 not a
  credit, ZOTC 033 refund larger than the open credit;
- ZOTC 034 the refund amount is not the sum of its items; ZOTC 010 customer locked.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mock_erp.sap.abap import SapMessage
from mock_erp.sap.documents import Document, Line, clear_item_writes, document_writes
from mock_erp.sap.formats import minor_of_internal
from mock_erp.sap.messages import msg
from mock_erp.sap.models import SapBackend

#: posting keys of the refund document [unconfirmed, as documents.POSTING_KEYS]: the clearing
#: line offsets the cleared credits (05), residual and refund lines are customer credits (11)
CLEARING_KEY, CREDIT_KEY = "05", "11"


@dataclass(frozen=True)
class PlanLine:
    """A line the kit posts besides the cleared credits: REFUND (the one credit F110 pays
    out, item 0) or RESIDUAL (what stays open of the 1-based item `item`)."""

    role: str
    key: str
    amount: int
    item: int


def refund_plan(items: list[tuple[int, int]], total: int) -> tuple[list[PlanLine], str, int]:
    """(lines, refusing ZOTC number or "", 1-based item it names) for (open credit, refund)
    per item. The ABAP twin is lcl_refund_lines=>build (LZOTC_ARC03); both are tested on
    tests/fixtures/reversal_cases.json."""
    for n, (open_credit, want) in enumerate(items, start=1):
        if open_credit <= 0:
            return [], "032", n
        if want <= 0 or want > open_credit:
            return [], "033", n
    if sum(want for _, want in items) != total:
        return [], "034", 0
    lines = [PlanLine("RESIDUAL", CREDIT_KEY, o - w, n)
             for n, (o, w) in enumerate(items, start=1) if w < o]  # fmt: skip
    return [*lines, PlanLine("REFUND", CREDIT_KEY, total, 0)], "", 0


def _s(p: dict[str, Any], name: str) -> str:
    return str(p.get(name) or "").strip()


def refund(b: SapBackend, sid: str, p: dict[str, Any]) -> tuple[Document | None, list[SapMessage]]:
    """The refund document (None in a test run) and the success rows; raises the first
    failing check as ``SapMessage``. Commits itself (FB05 with synchronous update)."""
    with b.mutex:  # two refunds must not take one credit
        return _refund(b, sid, p)


def _refund(b: SapBackend, sid: str, p: dict[str, Any]) -> tuple[Document | None, list[SapMessage]]:
    bukrs, kunnr, waers = _s(p, "I_COMP_CODE"), _s(p, "I_CUSTOMER"), _s(p, "I_CURRENCY")
    zlsch, budat = _s(p, "I_PYMT_METH"), _s(p, "I_PSTNG_DATE") or "00000000"
    bldat = _s(p, "I_DOC_DATE") or budat
    items = list(p.get("T_ITEMS") or [])
    amount = Decimal(p.get("I_AMOUNT") or 0)
    for bad, name, why in (
        (not items, "T_ITEMS", "no items"),
        (amount <= 0, "I_AMOUNT", "must be > 0"),
        (not zlsch, "I_PYMT_METH", "required"),
        (budat == "00000000", "I_PSTNG_DATE", "required"),
    ):
        if bad:
            raise msg("ZOTC", "006", name, why)
    minors = []
    for value in [amount, *(Decimal(i.get("AMT_PAID") or 0) for i in items)]:
        m = b.to_minor(value, waers)
        if m is None:
            raise msg("ZOTC", "003", f"{value}", waers)
        minors.append(m)
    total, wanted = minors[0], minors[1:]
    comp = b.company(bukrs)
    cust = b.customer(kunnr, bukrs) if comp else None
    if comp is None or cust is None:
        raise msg("F5", "102", kunnr, bukrs)
    if "X" in (cust["KNA1_SPERR"], cust["KNB1_SPERR"]):
        raise msg("F5", "351", kunnr, bukrs)
    gjahr, monat = b.fiscal_period(budat, comp["PERIV"])
    if (closed := b.period_open(bukrs, gjahr, monat, "D")) is not None:
        raise closed
    if (
        b.store.query_one("SELECT 1 FROM T042E WHERE ZBUKR = ? AND ZLSCH = ?", (bukrs, zlsch))
        is None
    ):
        raise msg("ZOTC", "030", zlsch, bukrs)
    method = b.store.query_one(
        "SELECT XEINZ FROM T042Z WHERE LAND1 = ? AND ZLSCH = ?", (comp["LAND1"], zlsch)
    )
    if method is None or method[0] == "X":
        raise msg("ZOTC", "031", zlsch, comp["LAND1"])
    credits: list[tuple[tuple[str, str, str], int, int, int]] = []  # key, open, local, refund
    for it, want in zip(items, wanted, strict=True):
        key = (_s(it, "DOC_NO"), _s(it, "FISC_YEAR") or "0000", _s(it, "ITEM_NUM") or "000")
        row = b.store.query_one(
            "SELECT SHKZG, WRBTR, DMBTR, WAERS FROM BSID WHERE BUKRS = ? AND BELNR = ? "
            "AND GJAHR = ? AND BUZEI = ? AND KUNNR = ?",
            (bukrs, *key, kunnr),
        )
        if row is None or any(c[0] == key for c in credits):
            raise msg("ZOTC", "001", *key, kunnr)
        if row[3] != waers:
            raise msg("ZOTC", "005", key[0], row[3], waers)
        sign = 1 if row[0] == "H" else -1  # a credit is positive here
        credits.append((key, sign * minor_of_internal(row[1]), minor_of_internal(row[2]), want))
    plan, refused, index = refund_plan([(c[1], c[3]) for c in credits], total)
    if refused == "034":
        raise msg("ZOTC", "034", b.fmt_amount(total, waers),
                  b.fmt_amount(sum(c[3] for c in credits), waers))  # fmt: skip
    if refused:
        key, open_credit, _, want = credits[index - 1]
        if refused == "032":
            raise msg("ZOTC", "032", *key)
        raise msg("ZOTC", "033", b.fmt_amount(want, waers), b.fmt_amount(open_credit, waers),
                  "/".join(key))  # fmt: skip
    if holder := b.locked_by(bukrs, kunnr, b.session_user(sid)):
        raise msg("ZOTC", "010", kunnr, holder)
    if _s(p, "I_TESTRUN") == "X":
        return None, [msg("ZOTC", "009", type="S")]
    doc = _document(b, sid, p, comp, cust, (bldat, budat, gjahr, monat), credits, plan)
    doc.belnr = b.draw_number(bukrs, doc.blart, gjahr)
    writes = document_writes(b, doc)
    for key, *_ in credits:
        writes += clear_item_writes((bukrs, *key), budat, doc.belnr)
    b.write_now(writes)
    return doc, [
        msg("ZOTC", "000", doc.belnr, bukrs, gjahr, type="S"),
        msg("F5", "312", doc.belnr, bukrs, type="S"),
    ]


def _document(
    b: SapBackend,
    sid: str,
    p: dict[str, Any],
    comp: dict[str, str],
    cust: dict[str, str],
    dates: tuple[str, str, str, str],
    credits: list[tuple[tuple[str, str, str], int, int, int]],
    plan: list[PlanLine],
) -> Document:
    """FB05's document as the mock stores it: a clearing line for the cleared credits (the
    mock's way of booking them, clearing.py), then the plan's lines in order."""
    bldat, budat, gjahr, monat = dates
    waers = _s(p, "I_CURRENCY")
    kunnr = _s(p, "I_CUSTOMER")
    ratio = (
        Decimal(sum(c[2] for c in credits)) / Decimal(sum(c[1] for c in credits))
        if waers != comp["WAERS"]
        else Decimal(1)
    )

    def line(shkzg: str, bschl: str, minor: int, **kw: Any) -> Line:
        local = int((Decimal(minor) * ratio).to_integral_value())
        return Line(koart="D", account=kunnr, hkont=cust["AKONT"], shkzg=shkzg, bschl=bschl,
                    amount=minor, local=local, zfbdt=budat, **kw)  # fmt: skip

    doc = Document(
        bukrs=_s(p, "I_COMP_CODE"),
        blart=_s(p, "I_DOC_TYPE") or "DA",
        bldat=bldat,
        budat=budat,
        gjahr=gjahr,
        monat=monat,
        waers=waers,
        hwaer=comp["WAERS"],
        xblnr=_s(p, "I_REF_DOC_NO"),
        bktxt=_s(p, "I_HEADER_TXT"),
        usnam=b.session_user(sid),
        tcode="FB05",
    )
    doc.lines.append(line("S", CLEARING_KEY, sum(c[1] for c in credits), cleared_by_self=True))
    for pl in plan:
        if pl.role == "RESIDUAL":
            key = credits[pl.item - 1][0]
            doc.lines.append(line("H", pl.key, pl.amount, rebzg=key, sgtxt="Residual"))
        else:
            doc.lines.append(line("H", pl.key, pl.amount, zlsch=_s(p, "I_PYMT_METH"),
                                  sgtxt=_s(p, "I_ITEM_TEXT")))  # fmt: skip
    return doc
