"""Canonical payments and write-offs as Z_OTC_AR_CLEAR and BAPI_ACC_DOCUMENT_POST calls.

docs/specs/sap.md §2.6: per item with open amount O, mode F clears (paid + discount = O), R
clears and leaves a residual O - paid - discount open with a reason code (a short payment:
the deduction stays open for dispute), P posts a partial payment against the item, which
stays open. Money left over becomes a credit on account. Amounts here are external (real)
amounts: the wrapper converts to SAP's internal format itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl

from adapters.errors import ErpRejected, OutcomeUnknown, TransientError
from adapters.sap.errors import errors_in, message_rows, raise_for_return
from adapters.sap.keys import header_text, xblnr_for
from mappings.convert import alpha_in

if TYPE_CHECKING:
    from adapters.sap.adapter import SapAdapter

ItemKey = tuple[str, int, int]


def _date(value: Any) -> str:
    return str(value.strftime("%Y%m%d"))


def _reject(adapter: SapAdapter, key: str, text: str) -> ErpRejected:
    return ErpRejected(adapter.name, key, "OTC", text)


def _open_item(
    adapter: SapAdapter,
    key: str,
    item: ItemKey,
    open_items: Mapping[ItemKey, Mapping[str, Any]],
    customer: str,
    currency: str,
) -> Decimal:
    found = open_items.get(item)
    doc = f"{item[0]}/{item[1]}/{item[2]}"
    if found is None or found["customer"] != alpha_in(customer):
        raise _reject(adapter, key, f"item {doc} is not open for customer {customer}")
    if found["currency"] != currency:
        raise _reject(
            adapter,
            key,
            f"item {doc} is in currency {found['currency']}, the payment in {currency}",
        )
    amount: Decimal = found["amount"]
    return amount


def payment_call(
    adapter: SapAdapter, rows: pl.DataFrame, open_items: Mapping[ItemKey, Mapping[str, Any]]
) -> dict[str, Any]:
    """Z_OTC_AR_CLEAR parameters for one payment (all rows of one application_id)."""
    first = rows.row(0, named=True)
    key, customer, currency = first["application_id"], first["customer_id"], first["currency"]
    items: list[dict[str, Any]] = []
    for row in rows.iter_rows(named=True):
        if row["document_id"] is None:
            continue  # on account: the wrapper books what is left over as a credit
        item = (row["document_id"], row["fiscal_year"], row["line"])
        doc = f"{item[0]}/{item[1]}/{item[2]}"
        if Decimal(row["applied_amount"]) < 0:  # issue 17: credit memo netted in a payment
            raise _reject(
                adapter,
                key,
                f"item {doc}: netting a credit memo in a payment is not supported by the SAP "
                "adapter yet; clear the credit memo against the invoice in SAP first, then "
                "post the payment without that row",
            )
        open_amount = _open_item(adapter, key, item, open_items, customer, currency)
        paid, discount = Decimal(row["applied_amount"]), Decimal(row["discount_amount"])
        if open_amount <= 0:
            raise _reject(
                adapter, key, f"item {doc} is a credit ({open_amount}), not an amount owed"
            )
        if paid + discount > open_amount:
            raise _reject(
                adapter,
                key,
                f"item {doc}: applied {paid} + discount {discount} exceed the open {open_amount}",
            )
        reason = ""
        if paid + discount == open_amount:
            mode = "F"
        elif row["reason_code"]:
            mode = "R"  # short payment: the difference stays open as a deduction
            reason = adapter._posting_value("residual_reason", str(row["reason_code"]))
        elif discount:
            raise _reject(
                adapter, key, f"item {doc}: a partial payment cannot take a cash discount"
            )
        else:
            mode = "P"
        items.append(
            {
                "FISC_YEAR": f"{item[1]:04d}",
                "DOC_NO": alpha_in(item[0]),
                "ITEM_NUM": f"{item[2]:03d}",
                "CLR_MODE": mode,
                "AMT_PAID": paid,
                "DISC_AMT": discount,
                "REASON_CDE": reason,
                "ITEM_TEXT": "",
            }
        )
    return {
        **_header(adapter, key, first["company"], customer, first["payment_date"], currency),
        "I_AUGLV": "EINGZAHL",
        "I_BANK_GL": alpha_in(adapter._posting_value("bank_gl_account", first["company"])),
        "I_AMOUNT": Decimal(first["payment_amount"]),
        "T_ITEMS": items,
        "T_GLLINES": [],
    }


def write_off_call(
    adapter: SapAdapter, row: Mapping[str, Any], open_items: Mapping[ItemKey, Mapping[str, Any]]
) -> dict[str, Any]:
    """A write-off: the item cleared against the G/L account its reason code maps to."""
    key, customer, currency = row["writeoff_id"], row["customer_id"], row["currency"]
    item = (row["document_id"], row["fiscal_year"], row["line"])
    open_amount = _open_item(adapter, key, item, open_items, customer, currency)
    amount = Decimal(row["amount"])
    doc = f"{item[0]}/{item[1]}/{item[2]}"
    if open_amount <= 0:
        raise _reject(adapter, key, f"item {doc} is a credit ({open_amount}); nothing to write off")
    if amount > open_amount:
        raise _reject(
            adapter, key, f"write-off {amount} exceeds the open amount {open_amount} of {doc}"
        )
    full = amount == open_amount
    gl_account = adapter._posting_value("writeoff_gl_account", str(row["reason_code"]))
    return {
        **_header(adapter, key, row["company"], customer, row["posting_date"], currency),
        "I_DOC_TYPE": "AB",
        "I_AUGLV": "UMBUCHNG",
        "I_AMOUNT": Decimal(0),
        "T_ITEMS": [
            {
                "FISC_YEAR": f"{item[1]:04d}",
                "DOC_NO": alpha_in(item[0]),
                "ITEM_NUM": f"{item[2]:03d}",
                # F: the whole item goes; R: the item is cleared and O - amount stays open
                "CLR_MODE": "F" if full else "R",
                "AMT_PAID": Decimal(0) if full else amount,
                "DISC_AMT": Decimal(0),
                "REASON_CDE": "",
                "ITEM_TEXT": (row.get("memo") or "")[:50],
            }
        ],
        "T_GLLINES": [
            {
                "GL_ACCOUNT": alpha_in(gl_account),
                "AMT_DOCCUR": amount,
                "ITEM_TEXT": f"Write-off {row['reason_code']}"[:50],
                "ALLOC_NMBR": "",
                "COSTCENTER": "",
            }
        ],
    }


def on_account_document(adapter: SapAdapter, first: Mapping[str, Any]) -> dict[str, Any]:
    """BAPI_ACC_DOCUMENT_POST parameters: bank debit, customer credit (+ debit, - credit)."""
    key = first["application_id"]
    amount = Decimal(first["payment_amount"])
    when = _date(first["payment_date"])
    return {
        "DOCUMENTHEADER": {
            "BUS_ACT": "RFBU",
            "USERNAME": adapter.settings.user.upper()[:12],
            "HEADER_TXT": header_text(key),
            "COMP_CODE": first["company"],
            "DOC_DATE": when,
            "PSTNG_DATE": when,
            "DOC_TYPE": "DZ",
            "REF_DOC_NO": xblnr_for(key),
        },
        "ACCOUNTRECEIVABLE": [
            {
                "ITEMNO_ACC": "0000000001",
                "CUSTOMER": alpha_in(first["customer_id"]),
                "ITEM_TEXT": "On account",
            }
        ],
        "ACCOUNTGL": [
            {
                "ITEMNO_ACC": "0000000002",
                "GL_ACCOUNT": alpha_in(adapter._posting_value("bank_gl_account", first["company"])),
                "ITEM_TEXT": "Incoming payment",
            }
        ],
        "CURRENCYAMOUNT": [
            {"ITEMNO_ACC": "0000000001", "CURRENCY": first["currency"], "AMT_DOCCUR": -amount},
            {"ITEMNO_ACC": "0000000002", "CURRENCY": first["currency"], "AMT_DOCCUR": amount},
        ],
        "RETURN": [],
    }


def booked(result: Mapping[str, Any]) -> str | None:
    """The lines FB05 booked besides the clearing of the items, as the kit read them back
    from BSEG (T_LINES): a payment difference FB05 books itself within the company's
    tolerances (discount adjusted, a gain/loss line, docs/specs/sap.md §8) shows here, so
    the posting result says what was booked, not only what was asked."""
    lines = [ln for ln in result.get("T_LINES") or [] if str(ln.get("CLEARED", "")) != "X"]
    if not lines:
        return None
    parts = []
    for ln in lines:
        account = str(ln.get("CUSTOMER") or ln.get("GL_ACCOUNT") or "").lstrip("0") or "0"
        extra = [f"cost centre {ln['COSTCENTER']}"] if ln.get("COSTCENTER") else []
        extra += [f"reason {ln['REASON_CDE']}"] if ln.get("REASON_CDE") else []
        text = f"{ln.get('POST_KEY', '')} {account} {Decimal(ln.get('AMT_DOCCUR') or 0)}"
        parts.append(text + (f" ({', '.join(extra)})" if extra else ""))
    return "booked: " + "; ".join(parts)


#: The kit's self-committing module per BAPI that needs BAPI_TRANSACTION_COMMIT afterwards.
SELF_COMMITTING = {
    "BAPI_ACC_DOCUMENT_POST": "Z_OTC_AR_ON_ACCOUNT",
    "BAPI_CUSTOMER_CREATEFROMDATA1": "Z_OTC_CUSTOMER_CREATE",
    "BAPI_CUSTOMER_CHANGEFROMDATA1": "Z_OTC_CUSTOMER_CHANGE",
}


def commits_per_call(adapter: SapAdapter) -> bool:
    """Over SOAP every POST is its own ABAP session and LUW: ``sap-sessioncmd=open`` and the
    context cookie are ignored by ``/sap/bc/soap/rfc`` (docs/specs/sap.md §8, measured on a live
    system), so a BAPI and BAPI_TRANSACTION_COMMIT in two POSTs commit nothing. Writes then go
    through the kit's modules that commit their own work (adapters/sap/abap)."""
    return adapter.settings.transport == "soap"


def post_on_account(
    adapter: SapAdapter, first: Mapping[str, Any], dry_run: bool, dry_run_doc: str
) -> dict[str, Any]:
    """A payment wholly on account: BAPI_ACC_DOCUMENT_CHECK, then _POST and COMMIT (WAIT).

    Over RFC the BAPIs run in one ABAP session (one connection). Over SOAP the kit's
    Z_OTC_AR_ON_ACCOUNT does the same inside one call, so "posted" always means committed.
    """
    key = first["application_id"]
    base = {"key": key, "kind": "cash_application", "system": adapter.name}
    params = on_account_document(adapter, first)

    def rejected(result: Mapping[str, Any]) -> dict[str, Any] | None:
        try:
            raise_for_return(adapter.name, key, result)
        except ErpRejected as exc:
            return {**base, "status": "rejected", "message": f"{exc.code} {exc.text}"}
        return None

    if commits_per_call(adapter):
        wrapper = SELF_COMMITTING["BAPI_ACC_DOCUMENT_POST"]
        check = adapter.transport.call(wrapper, **params, I_TESTRUN="X")
        if (refused := rejected(check)) is not None:
            return refused
        if dry_run:
            text = f"{wrapper} test run (BAPI_ACC_DOCUMENT_CHECK) accepts it"
            return {**base, "status": "posted", "erp_document": dry_run_doc, "message": text}
        posted = adapter.transport.call(wrapper, **params)
        if (refused := rejected(posted)) is not None:
            return refused  # the wrapper rolled back: nothing was committed
        return {**base, "status": "posted", "erp_document": _obj_key(adapter, key, posted)}
    with adapter.transport.session() as session:
        check = session.call("BAPI_ACC_DOCUMENT_CHECK", **params)
        if errors_in(check) and (refused := rejected(check)) is not None:
            return refused
        if dry_run:
            text = "BAPI_ACC_DOCUMENT_CHECK accepts it"
            return {**base, "status": "posted", "erp_document": dry_run_doc, "message": text}
        posted = session.call("BAPI_ACC_DOCUMENT_POST", **params)
        if errors_in(posted):
            session.call("BAPI_TRANSACTION_ROLLBACK")
            if (refused := rejected(posted)) is not None:
                return refused
        try:
            commit = session.call("BAPI_TRANSACTION_COMMIT", WAIT="X")
        except TransientError as exc:  # the commit left: it may have committed
            raise OutcomeUnknown(adapter.name, f"commit: {exc.detail}", key=key) from exc
        if errors_in(commit):
            raise OutcomeUnknown(adapter.name, f"commit failed: {message_rows(commit)}", key=key)
    return {**base, "status": "posted", "erp_document": _obj_key(adapter, key, posted)}


def _obj_key(adapter: SapAdapter, key: str, posted: Mapping[str, Any]) -> str:
    obj_key = str(posted.get("OBJ_KEY", "")).strip()
    if not obj_key or obj_key == "$":
        raise OutcomeUnknown(adapter.name, "the posting answered without OBJ_KEY", key=key)
    return obj_key


def _header(
    adapter: SapAdapter, key: str, company: str, customer: str, when: Any, currency: str
) -> dict[str, Any]:
    return {
        "I_COMP_CODE": company,
        "I_CUSTOMER": alpha_in(customer),
        "I_DOC_TYPE": "DZ",
        "I_DOC_DATE": _date(when),
        "I_PSTNG_DATE": _date(when),
        "I_VALUE_DATE": _date(when),
        "I_CURRENCY": currency,
        "I_REF_DOC_NO": xblnr_for(key),
        "I_HEADER_TXT": header_text(key),
        "I_TESTRUN": "",
        "T_LINES": [],
        "RETURN": [],
    }
