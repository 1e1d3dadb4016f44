"""BAPI_ACC_DOCUMENT_CHECK / _POST: the accounting BAPI's rules for a new FI document.

Why a module: the BAPI checks the whole document before it posts anything and reports every
problem at once, one cause row per table row under E RW 609 (docs/specs/sap.md §2.4,
§7.6-7.9); CHECK runs the same rules and stores nothing. POST draws the number at once and
holds the writes in the session's LUW until BAPI_TRANSACTION_COMMIT (§2.5, sessions.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from mock_erp.sap import sessions
from mock_erp.sap.abap import SapMessage
from mock_erp.sap.documents import POSTING_KEYS, Document, Line, document_error, document_writes
from mock_erp.sap.formats import dats_or
from mock_erp.sap.locks import LOCK_CAUSE
from mock_erp.sap.messages import ROW_BASE, TOO_MANY_DECIMALS, msg

if TYPE_CHECKING:
    from mock_erp.sap.models import SapBackend


def build_document(
    b: SapBackend,
    header: dict[str, Any],
    gl: list[dict[str, Any]],
    ar: list[dict[str, Any]],
    amounts: list[dict[str, Any]],
    user: str,
) -> Document:
    """BAPI_ACC_DOCUMENT_CHECK/POST rules (docs/specs/sap.md §2.4, §7.6-7.9).

    Raises E RW 609 ("Error in document: BKPFF $ <logsys>") with one cause row per problem
    (PARAMETER/ROW/FIELD), as SAP collects them.
    """
    causes: list[SapMessage] = []
    status = str(header.get("DOC_STATUS", "") or "")
    if status not in ("", "4", "2", "3"):
        causes.append(msg("RW", "637", status, parameter="DOCUMENTHEADER", field="DOC_STATUS"))
    elif status in ("2", "3"):
        causes.append(msg("ZMOCK", "005", status, parameter="DOCUMENTHEADER", field="DOC_STATUS"))
    bukrs = str(header.get("COMP_CODE", "") or "")
    comp = b.company(bukrs)
    if comp is None:
        causes.append(msg("F5", "165", bukrs, parameter="DOCUMENTHEADER", field="COMP_CODE"))
        raise document_error(causes)
    budat = str(header.get("PSTNG_DATE", "") or "00000000")
    bldat = str(header.get("DOC_DATE", "") or "00000000")
    for name, value in (("PSTNG_DATE", budat), ("DOC_DATE", bldat)):
        if value == "00000000":
            causes.append(msg("ZMOCK", "006", name, parameter="DOCUMENTHEADER", field=name))
    if causes:
        raise document_error(causes)
    gjahr, monat = b.fiscal_period(budat, comp["PERIV"])
    fis_period = str(header.get("FIS_PERIOD", "") or "00")
    if fis_period not in ("00", "0", ""):
        monat = f"{int(fis_period):02d}"  # special periods 13-16 are given explicitly
    doc = Document(
        bukrs=bukrs,
        blart=str(header.get("DOC_TYPE", "") or "SA"),
        bldat=bldat,
        budat=budat,
        gjahr=gjahr,
        monat=monat,
        waers=comp["WAERS"],
        hwaer=comp["WAERS"],
        xblnr=str(header.get("REF_DOC_NO", "") or ""),
        bktxt=str(header.get("HEADER_TXT", "") or ""),
        usnam=str(header.get("USERNAME", "") or user)[:12],
        tcode="FBCB",
    )
    by_item: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for i, row in enumerate(amounts):
        by_item.setdefault(str(row.get("ITEMNO_ACC", "")), []).append((i + ROW_BASE, row))
    doc_currency = next(
        (
            str(r.get("CURRENCY") or r.get("CURRENCY_ISO") or "")
            for r in amounts
            if str(r.get("CURR_TYPE", "") or "00") in ("00", "")
        ),
        comp["WAERS"],
    )
    doc.waers = doc_currency or comp["WAERS"]
    sums = {"doc": 0, "local": 0}

    def amount_of(item: str, param: str, row_no: int) -> tuple[int, int] | None:
        rows = by_item.get(item, [])
        docrow = next((r for r in rows if str(r[1].get("CURR_TYPE", "") or "00") == "00"), None)
        if docrow is None:
            causes.append(msg("RW", "628", item, parameter=param, row=row_no, field="ITEMNO_ACC"))
            return None
        row_idx, crow = docrow
        waers = str(crow.get("CURRENCY") or crow.get("CURRENCY_ISO") or doc.waers)
        amt = Decimal(crow.get("AMT_DOCCUR") or 0)
        minor = b.to_minor(amt, waers)
        if minor is None:
            causes.append(
                msg(
                    *TOO_MANY_DECIMALS,
                    f"{amt}",
                    waers,
                    parameter="CURRENCYAMOUNT",
                    row=row_idx,
                    field="AMT_DOCCUR",
                )
            )
            return None
        locrow = next((r[1] for r in rows if str(r[1].get("CURR_TYPE", "")) == "10"), None)
        if waers == doc.hwaer:
            local = minor
        elif locrow is not None:
            lm = b.to_minor(Decimal(locrow.get("AMT_DOCCUR") or 0), doc.hwaer)
            if lm is None:
                causes.append(
                    msg(
                        *TOO_MANY_DECIMALS,
                        locrow.get("AMT_DOCCUR"),
                        doc.hwaer,
                        parameter="CURRENCYAMOUNT",
                        row=row_idx,
                        field="AMT_DOCCUR",
                    )
                )
                return None
            local = lm
        elif Decimal(crow.get("EXCH_RATE") or 0) > 0:
            real = amt * Decimal(crow["EXCH_RATE"])
            local = int(real.scaleb(b.currdec(doc.hwaer)).to_integral_value())
        else:
            causes.append(
                msg(
                    "ZMOCK",
                    "004",
                    waers,
                    doc.hwaer,
                    parameter="CURRENCYAMOUNT",
                    row=row_idx,
                    field="EXCH_RATE",
                )
            )
            return None
        sums["doc"] += minor
        sums["local"] += local
        return minor, local

    koarts: list[tuple[str, str, int]] = []
    for i, row in enumerate(ar):
        row_no = i + ROW_BASE
        item = str(row.get("ITEMNO_ACC", ""))
        kunnr = str(row.get("CUSTOMER", "") or "")
        cust = b.customer(kunnr, bukrs)
        got = amount_of(item, "ACCOUNTRECEIVABLE", row_no)
        if cust is None:
            causes.append(
                msg(
                    "F5",
                    "102",
                    kunnr,
                    bukrs,
                    parameter="ACCOUNTRECEIVABLE",
                    row=row_no,
                    field="CUSTOMER",
                )
            )
            continue
        if "X" in (cust["KNA1_SPERR"], cust["KNB1_SPERR"]):
            causes.append(
                msg(
                    "F5",
                    "351",
                    kunnr,
                    bukrs,
                    parameter="ACCOUNTRECEIVABLE",
                    row=row_no,
                    field="CUSTOMER",
                )
            )
            continue
        holder = b.locked_by(bukrs, kunnr, user)
        if holder:
            causes.append(
                msg(
                    *LOCK_CAUSE,
                    kunnr,
                    holder,
                    parameter="ACCOUNTRECEIVABLE",
                    row=row_no,
                    field="CUSTOMER",
                )
            )
            continue
        koarts.append(("D", "ACCOUNTRECEIVABLE", row_no))
        if got is None:
            continue
        minor, local = got
        zterm = str(row.get("PMNTTRMS", "") or cust["ZTERM"])
        doc.lines.append(
            Line(
                koart="D",
                account=kunnr,
                hkont=str(row.get("GL_ACCOUNT", "") or cust["AKONT"]),
                shkzg="S" if minor >= 0 else "H",
                bschl=POSTING_KEYS["invoice" if minor >= 0 else "credit"],
                amount=abs(minor),
                local=abs(local),
                sgtxt=str(row.get("ITEM_TEXT", "") or ""),
                zuonr=str(row.get("ALLOC_NMBR", "") or ""),
                zfbdt=dats_or(row.get("BLINE_DATE"), bldat),
                zterm=zterm,
                zbd=b.payment_terms(zterm),
                gsber=str(row.get("BUS_AREA", "") or ""),
                mwskz=str(row.get("TAX_CODE", "") or ""),
                umskz=str(row.get("SP_GL_IND", "") or ""),
                zlsch=str(row.get("PYMT_METH", "") or ""),
                zlspr=str(row.get("PMNT_BLOCK", "") or ""),
                xref=(
                    str(row.get("REF_KEY_1", "") or ""),
                    str(row.get("REF_KEY_2", "") or ""),
                    str(row.get("REF_KEY_3", "") or ""),
                ),
            )
        )
    for i, row in enumerate(gl):
        row_no = i + ROW_BASE
        got = amount_of(str(row.get("ITEMNO_ACC", "")), "ACCOUNTGL", row_no)
        koarts.append(("S", "ACCOUNTGL", row_no))
        if got is None:
            continue
        minor, local = got
        hkont = str(row.get("GL_ACCOUNT", "") or "")
        doc.lines.append(
            Line(
                koart="S",
                account=hkont,
                hkont=hkont,
                shkzg="S" if minor >= 0 else "H",
                bschl=POSTING_KEYS["gl_debit" if minor >= 0 else "gl_credit"],
                amount=abs(minor),
                local=abs(local),
                sgtxt=str(row.get("ITEM_TEXT", "") or ""),
                zuonr=str(row.get("ALLOC_NMBR", "") or ""),
                kostl=str(row.get("COSTCENTER", "") or ""),
            )
        )
    for koart in dict.fromkeys(k for k, _, _ in koarts):
        closed = b.period_open(bukrs, gjahr, monat, koart)
        if closed:
            closed.parameter, closed.field = "DOCUMENTHEADER", "PSTNG_DATE"
            causes.append(closed)
    if not causes and (ar or gl):
        if sums["doc"] != 0:
            causes.append(msg("F5", "702", b.fmt_amount(sums["doc"], doc.waers), doc.waers))
        elif sums["local"] != 0:
            causes.append(msg("F5", "703", b.fmt_amount(sums["local"], doc.hwaer), doc.hwaer))
    if not (ar or gl):
        causes.append(msg("RW", "628", "", parameter="ACCOUNTGL"))
    if causes:
        raise document_error(causes)
    return doc


def check_document(
    b: SapBackend,
    sid: str,
    header: dict[str, Any],
    gl: list[dict[str, Any]],
    ar: list[dict[str, Any]],
    amounts: list[dict[str, Any]],
) -> None:
    """CHECK: all rules, stores nothing, draws no number [derived]."""
    build_document(b, header, gl, ar, amounts, b.session_user(sid))


def post_document(
    b: SapBackend,
    sid: str,
    header: dict[str, Any],
    gl: list[dict[str, Any]],
    ar: list[dict[str, Any]],
    amounts: list[dict[str, Any]],
) -> str:
    """POST: rules, number drawn now, writes held in the session's LUW until COMMIT."""
    doc = build_document(b, header, gl, ar, amounts, b.session_user(sid))
    doc.belnr = b.draw_number(doc.bukrs, doc.blart, doc.gjahr)
    sessions.defer(b, sid, document_writes(b, doc), doc.obj_key)
    return doc.obj_key
