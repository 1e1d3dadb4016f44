"""Reversals and refunds in SAP's terms: the kit's Z_OTC_AR_REVERSE and Z_OTC_AR_REFUND.

Why the kit: a payment posted by Z_OTC_AR_CLEAR is an FB05 clearing document, so
BAPI_ACC_DOCUMENT_REV_POST (only for documents the accounting BAPI posted) cannot take it
back; FBRA "Resetting and reversing" resets the clearing and reverses the document in one
transaction, which the kit runs and commits itself (docs/sap-setup.md "Reversal and
refunds"). Each call is checked first with the module's test run (nothing stored: a refusal
there is `stage = "check"`), then sent once. The adapter never retries.

Our key: a reversal carries its key on the *payment* it takes back (BKPF-XREF2_HD, written by
the kit before FBRA runs); the reversal took effect exactly when that payment has STBLG set,
so `find_reversals` has one answer. A refund document carries its key like a payment (XBLNR
and BKTXT, adapters/sap/keys.py) and is found the same way.

Half done: the kit commits the tag, FBRA's reset and FB08 one after the other, so FB08 can
fail after the reset committed (the payment is then on account, its items open). The kit then
answers E ZOTC 027 before the cause, also when a later call of the key is refused; the result
is `unknown` (never `rejected`: the ERP changed), and the next call of the key finishes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl

from adapters.errors import ErpRejected, OutcomeUnknown
from adapters.protocol import PostingKind
from adapters.sap.errors import describe, errors_in, message_code, raise_for_return
from adapters.sap.keys import header_text, reversal_ref, xblnr_for
from adapters.sap.table_reader import in_list, read_table
from mappings.convert import alpha_in

if TYPE_CHECKING:
    from adapters.sap.adapter import SapAdapter

DRY_RUN = "DRY-RUN"
#: Z_OTC_AR_REVERSE: "Clearing of &1 reset, reversal not posted: call again with the same key"
HALF_DONE = ("ZOTC", "027")
ITEM_SCOPE = (
    "SAP resets a clearing as a whole (FBRA): one item's share of a payment cannot be "
    "reversed; reverse the whole payment (leave document_id, fiscal_year and line empty) "
    "and post the corrected application under a new key"
)


def _date(value: Any) -> str:
    return str(value.strftime("%Y%m%d"))


def _refused(base: Mapping[str, Any], text: str, stage: str = "check") -> dict[str, Any]:
    return {**base, "status": "rejected", "stage": stage, "message": text}


def _already(adapter: SapAdapter, kind: PostingKind, key: str) -> dict[str, Any] | None:
    """The key's own document when it took effect before (a rerun after a lost answer):
    what made the check fail (nothing left to reverse, items no longer open) is then this
    key's own work, and the answer is "posted", never "rejected"."""
    document = adapter.find_posted(kind, [key])["erp_document"][0]
    if document is None:
        return None
    return {"status": "posted", "erp_document": document,
            "message": "found posted under this key (an earlier run)"}  # fmt: skip


def _half_done(base: Mapping[str, Any], result: Mapping[str, Any]) -> dict[str, Any] | None:
    """`unknown` when the kit says the reversal is half done (ZOTC 027): the clearing is reset,
    the reversal document is not posted. Checked before anything else: FB08's own message may
    be a lock (transient) or a refusal, and neither may turn this into "nothing happened"."""
    errors = errors_in(result)
    if not any(message_code(row) == HALF_DONE for row in errors):
        return None
    code, text = describe(errors)
    return {**base, "status": "unknown", "stage": "incomplete",
            "message": f"half done in SAP: {code} {text}; the payment's clearing is reset (its "
                       "items are open, the payment is on account) and it is not reversed yet: "
                       "rerun the same file to finish it (the key is looked up first)"}  # fmt: skip


def run_kit(
    adapter: SapAdapter, function: str, base: Mapping[str, Any], params: dict[str, Any],
    dry_run: bool,
) -> dict[str, Any]:  # fmt: skip
    """The module's test run (stores nothing), then the posting (self-committing)."""
    key = str(base["key"])
    test = adapter.transport.call(function, **{**params, "I_TESTRUN": "X"})
    if (half := _half_done(base, test)) is not None:  # an earlier call of the key got that far
        return half
    try:
        raise_for_return(adapter.name, key, test)
    except ErpRejected as exc:
        return _refused(base, f"{exc.code} {exc.text}")
    if dry_run:
        text = f"{function} test run accepts it"
        return {**base, "status": "checked", "erp_document": DRY_RUN, "message": text}
    result = adapter.transport.call(function, **params)
    if (half := _half_done(base, result)) is not None:
        return half
    try:
        raise_for_return(adapter.name, key, result)
    except ErpRejected as exc:  # the kit rolled back: nothing was stored
        return _refused(base, f"{exc.code} {exc.text}", stage="post")
    obj_key = str(result.get("E_OBJ_KEY", "")).strip()
    if not obj_key:
        raise OutcomeUnknown(adapter.name, f"{function} answered without E_OBJ_KEY", key=key)
    return {**base, "status": "posted", "erp_document": obj_key, "message": None}


def reverse_payment(adapter: SapAdapter, row: Mapping[str, Any], dry_run: bool) -> dict[str, Any]:
    """One Reversals row: the whole payment `application_id` posted, reset and reversed."""
    key = str(row["reversal_id"])
    base = {"key": key, "kind": "reversal", "system": adapter.name}
    if any(row.get(c) is not None for c in ("document_id", "fiscal_year", "line")):
        return _refused(base, ITEM_SCOPE)
    reason = str(row.get("reason_code") or adapter.settings.reversal_reason or "").strip()
    if not reason:
        return _refused(base, "no reversal reason: set reason_code (T041C) or reversal_reason")
    application = str(row["application_id"])
    lookup = adapter.find_posted("cash_application", [application]).row(0, named=True)
    found = lookup["erp_document"]
    if found is None or lookup["state"] == "reversed":
        if (done := _already(adapter, "reversal", key)) is not None:
            return {**base, **done}
        if found is not None:
            return _refused(base, f"{application} is reversed already (document {found})")
        return _refused(base, f"not posted: no document carries {application}")
    belnr, bukrs, gjahr = found[:10], found[10:14].strip(), found[14:18]
    if bukrs != str(row["company"]):
        return _refused(base, f"{application} was posted in company {bukrs}, not {row['company']}")
    params = {
        "I_COMP_CODE": bukrs,
        "I_DOC_NO": belnr,
        "I_FISC_YEAR": gjahr,
        "I_REASON": reason,
        "I_PSTNG_DATE": _date(row["reversal_date"]),
        "I_REF_KEY": reversal_ref(key),
        "I_TESTRUN": "",
        "T_LINES": [],
        "RETURN": [],
    }
    return run_kit(adapter, "Z_OTC_AR_REVERSE", base, params, dry_run)


def post_refund(adapter: SapAdapter, rows: pl.DataFrame, dry_run: bool) -> dict[str, Any]:
    """The Refunds rows of one refund_id: its credit items cleared, the amount re-posted as
    one customer credit with the payment method, for the payment run (F110) to pay out."""
    first = rows.row(0, named=True)
    key = str(first["refund_id"])
    base = {"key": key, "kind": "refund", "system": adapter.name}
    method = str(first["payment_method"])
    if len(method) != 1:
        return _refused(base, f"payment method {method!r}: SAP's ZLSCH is one character")
    items = [(r["document_id"], r["fiscal_year"], r["line"]) for r in rows.iter_rows(named=True)]
    open_items = adapter.open_items_by_key(str(first["company"]), items)
    customer = alpha_in(str(first["customer_id"]))
    lines = []
    for r, item in zip(rows.iter_rows(named=True), items, strict=True):
        doc = f"{item[0]}/{item[1]}/{item[2]}"
        found = open_items.get(item)
        if found is None or found["customer"] != customer:
            if (done := _already(adapter, "refund", key)) is not None:
                return {**base, **done}
            return _refused(base, f"item {doc} is not open for customer {first['customer_id']}")
        credit: Decimal = -found["amount"]
        if credit <= 0:
            return _refused(
                base, f"item {doc} is not a credit ({found['amount']}): nothing to refund"
            )
        if Decimal(r["item_amount"]) > credit:
            return _refused(
                base, f"item {doc}: refund {r['item_amount']} exceeds its credit {credit}"
            )
        lines.append({"FISC_YEAR": f"{item[1]:04d}", "DOC_NO": alpha_in(str(item[0])),
                      "ITEM_NUM": f"{item[2]:03d}", "CLR_MODE": "F",
                      "AMT_PAID": Decimal(r["item_amount"]), "DISC_AMT": Decimal(0),
                      "REASON_CDE": "", "ITEM_TEXT": ""})  # fmt: skip
    when = _date(first["refund_date"])
    params = {
        "I_COMP_CODE": str(first["company"]),
        "I_CUSTOMER": customer,
        "I_DOC_TYPE": adapter.settings.refund_doc_type,
        "I_DOC_DATE": when,
        "I_PSTNG_DATE": when,
        "I_CURRENCY": str(first["currency"]),
        "I_REF_DOC_NO": xblnr_for(key),
        "I_HEADER_TXT": header_text(key),
        "I_AMOUNT": Decimal(first["refund_amount"]),
        "I_PYMT_METH": method,
        "I_ITEM_TEXT": f"Refund {first['approval_reference']}"[:50],
        "I_TESTRUN": "",
        "T_ITEMS": lines,
        "T_LINES": [],
        "RETURN": [],
    }
    return run_kit(adapter, "Z_OTC_AR_REFUND", base, params, dry_run)


def find_reversals(adapter: SapAdapter, keys: Sequence[str]) -> dict[str, str]:
    """key -> the reversal document (BELNR + BUKRS + GJAHR) of the payment tagged with it.

    Every company code is searched (a key posted anywhere must be found); XREF2_HD is compared
    in full. A tagged payment without STBLG was not reversed (FBRA failed after the tag)."""
    by_ref: dict[str, list[str]] = {}
    for key in keys:
        by_ref.setdefault(reversal_ref(key), []).append(key)
    found: dict[str, str] = {}
    refs = sorted(by_ref)
    companies = adapter.company_codes()
    for start in range(0, len(refs), 50):
        for c_start in range(0, len(companies), 25):
            for page in read_table(
                adapter.transport,
                "BKPF",
                ["BUKRS", "BELNR", "GJAHR", "XREF2_HD", "STBLG", "STJAH", "XREVERSAL"],
                where=[
                    in_list("BUKRS", companies[c_start : c_start + 25]),
                    in_list("XREF2_HD", refs[start : start + 50]),
                ],
                key=["BUKRS", "BELNR", "GJAHR"],
            ):
                for bukrs, _, _, ref, stblg, stjah, xreversal in page.iter_rows():
                    if not stblg or xreversal != "1":
                        continue
                    for key in by_ref.get(ref, []):
                        found[key] = f"{stblg}{bukrs:<4}{stjah}"
    return found
