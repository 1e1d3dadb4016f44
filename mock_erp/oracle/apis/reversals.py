"""AR_RECEIPT_API_PUB.REVERSE: a standard reversal of a whole cash receipt (issue 18).

Sources (public copies of the R12.1 package bodies, ginnisingh98/Views-Tables):
AR_RECEIPT_API_PUB.Reverse (ARXPRECB.pls), AR_RECEIPT_VAL_PVT.Validate_reverse_info /
Validate_cash_receipt_id / Validate_reversal_catg_code / Validate_reversal_reason_code /
Validate_Rev_gl_date / validate_rev_appln_date / check_std_reversible (ARXPREVB.pls),
AR_RECEIPT_LIB_PVT.Default_reverse_info (ARXPRELB.pls), ARP_REVERSE_RECEIPT.reverse
(ARREREVB.pls). What they say, and the mock does:

- The receipt's current history status must be APPROVED, CONFIRMED, CLEARED, REMITTED or
  RISK_ELIMINATED: a remitted or cleared receipt CAN be reversed (standard reversal); one
  already reversed (history REVERSED) is AR_RAPI_CASH_RCPT_ID_INVALID.
- p_reversal_category_code must be an enabled AR_LOOKUPS code of REVERSAL_CATEGORY_TYPE
  (AR_RAPI_REV_CAT_CD_NULL / _INVALID); p_reversal_reason_code one of CKAJST_REASON
  (AR_RAPI_REV_REAS_CD_NULL / _INVALID). Names resolve to codes by MEANING.
- The reversal GL date defaults, then must not be before the receipt's GL date
  (AR_RW_BEFORE_RECEIPT_GL_DATE) nor an application's (AR_RW_BEF_RCPT_APP_GL_DATE), and must be
  in an open or future period (AR_INVALID_APP_GL_DATE); the reversal date not before an
  application's apply date (AR_RW_BEF_RCPT_APP_DATE).
- A receipt with a short-term-debt (−2) application cannot be reversed the standard way
  (AR_RAPI_NON_REVERSIBLE: a debit memo reversal is the other kind, not implemented here).
- A refund on the receipt is cancelled in Payables first (AR_REFUNDS_PVT.cancel_refund ->
  AP_CANCEL_PKG.Ap_Cancel_Single_Invoice); a payment request Payables has paid cannot be
  (AP_INV_CANCEL_EFF_PAYMENT, then GENERIC_MESSAGE "CANCEL_REFUND : ...") and the reversal fails.
- On success every live application is taken back (invoices open again), a refund's payment
  request is cancelled, the receipt's schedule closes at 0, the receipt gets STATUS = the
  category (REV, NSF, STOP) and its REVERSAL_* columns, and a current history row REVERSED.
"""

from __future__ import annotations

from typing import Any

from mock_erp.oracle.apis.applications import undo_application
from mock_erp.oracle.apis.context import ApiContext, date, dec, trunc
from mock_erp.oracle.apis.receipts import PKG, STD, _check_gl_date, _ra, _receipt, _set_ps
from mock_erp.oracle.apis.registry import api

REVERSIBLE = ("APPROVED", "CONFIRMED", "CLEARED", "REMITTED", "RISK_ELIMINATED")
CATEGORY_LOOKUP = "REVERSAL_CATEGORY_TYPE"
REASON_LOOKUP = "CKAJST_REASON"
SHORT_TERM_DEBT_PS = -2
REFUND_PS = -8


def _code(ctx: ApiContext, lookup_type: str, code: Any, name: Any) -> Any:
    """Derive_reverse_ids: a code as passed; else the code whose MEANING is the name."""
    if code is not None or name is None:
        return code
    row = ctx.one(
        "SELECT LOOKUP_CODE FROM AR_LOOKUPS WHERE LOOKUP_TYPE = ? AND MEANING = ?",
        lookup_type,
        name,
    )
    return row["LOOKUP_CODE"] if row else f"?{name}"


def _receipt_id(ctx: ApiContext, org: int, cr_id: Any, number: Any) -> int | None:
    if cr_id is not None or number is None:
        return None if cr_id is None else int(cr_id)
    rows = ctx.rows(
        "SELECT CASH_RECEIPT_ID FROM AR_CASH_RECEIPTS_ALL WHERE RECEIPT_NUMBER = ? AND ORG_ID = ?",
        number,
        org,
    )
    if len(rows) != 1:  # none, or the number is ambiguous: the id must be given
        ctx.error("AR_RAPI_RCPT_NUM_INVALID")
        return None
    return int(rows[0]["CASH_RECEIPT_ID"])


def _validate(
    ctx: ApiContext, org: int, cr_id: int | None, category: Any, reason: Any
) -> dict[str, Any] | None:
    """Validate_cash_receipt_id, _reversal_catg_code, _reversal_reason_code: each check adds
    its message, all of them run (one message per failed check, §7 item 4)."""
    receipt = None
    if cr_id is None:
        ctx.error("AR_RAPI_CASH_RCPT_ID_NULL")
    else:
        receipt = ctx.one(
            "SELECT cr.*, h.STATUS AS STATE FROM AR_CASH_RECEIPTS_ALL cr "
            "JOIN AR_CASH_RECEIPT_HISTORY_ALL h ON h.CASH_RECEIPT_ID = cr.CASH_RECEIPT_ID "
            "AND h.CURRENT_RECORD_FLAG = 'Y' WHERE cr.CASH_RECEIPT_ID = ? AND cr.ORG_ID = ?",
            cr_id,
            org,
        )
        if receipt is None or receipt["STATE"] not in REVERSIBLE:
            ctx.error("AR_RAPI_CASH_RCPT_ID_INVALID")
            receipt = None
    if category is None:
        ctx.error("AR_RAPI_REV_CAT_CD_NULL")
    elif not ctx.lookup_ok(CATEGORY_LOOKUP, category):
        ctx.error("AR_RAPI_REV_CAT_CD_INVALID")
    if reason is None:
        ctx.error("AR_RAPI_REV_REAS_CD_NULL")
    elif not ctx.lookup_ok(REASON_LOOKUP, reason):
        ctx.error("AR_RAPI_REV_REAS_CD_INVALID")
    return receipt


def _dates(
    ctx: ApiContext, org: int, cr_id: int, gl_given: Any, date_given: Any
) -> tuple[Any, Any]:
    """Default_reverse_info, then Validate_Rev_gl_date and validate_rev_appln_date."""
    receipt_gl = trunc(
        date(
            (
                ctx.one(
                    "SELECT MAX(GL_DATE) AS G FROM AR_CASH_RECEIPT_HISTORY_ALL "
                    "WHERE CASH_RECEIPT_ID = ?",
                    cr_id,
                )
                or {}
            ).get("G")
        )
    )
    apps = ctx.one(
        "SELECT MAX(APPLY_DATE) AS A, MAX(GL_DATE) AS G FROM AR_RECEIVABLE_APPLICATIONS_ALL "
        "WHERE CASH_RECEIPT_ID = ?",
        cr_id,
    ) or {"A": None, "G": None}
    last_apply, last_gl = trunc(date(apps["A"])), trunc(date(apps["G"]))
    today = ctx.today()
    rev_date = trunc(date(date_given)) or max(d for d in (today, last_apply) if d)
    # [derived] the default GL date: the reversal date, not before the receipt's or an
    # application's GL date (the library's own default is not in the public copy we read)
    rev_gl = trunc(date(gl_given)) or max(d for d in (rev_date, receipt_gl, last_gl) if d)
    if receipt_gl and rev_gl < receipt_gl:
        ctx.error("AR_RW_BEFORE_RECEIPT_GL_DATE", GL_DATE=receipt_gl)
    _check_gl_date(ctx, org, rev_gl)
    if last_gl and rev_gl < last_gl:
        ctx.error("AR_RW_BEF_RCPT_APP_GL_DATE", GL_DATE=last_gl)
    if last_apply and rev_date < last_apply:
        ctx.error("AR_RW_BEF_RCPT_APP_DATE", APPLY_DATE=last_apply)
    return rev_gl, rev_date


def _refunds_cancellable(ctx: ApiContext, cr_id: int) -> None:
    """Each live refund's payment request must still be cancellable (not paid)."""
    for app in _live_applications(ctx, cr_id):
        if app["APPLIED_PAYMENT_SCHEDULE_ID"] != REFUND_PS or app["APPLICATION_REF_ID"] is None:
            continue
        invoice = ctx.one(
            "SELECT PAYMENT_STATUS_FLAG FROM AP_INVOICES_ALL WHERE INVOICE_ID = ?",
            app["APPLICATION_REF_ID"],
        )
        if invoice is not None and (invoice["PAYMENT_STATUS_FLAG"] or "N") != "N":
            ctx.error("AP_INV_CANCEL_EFF_PAYMENT", "AP")
            ctx.error(
                "GENERIC_MESSAGE", GENERIC_TEXT=f"CANCEL_REFUND : {app['APPLICATION_REF_ID']}"
            )


def _live_applications(ctx: ApiContext, cr_id: int) -> list[dict[str, Any]]:
    return ctx.rows(
        "SELECT * FROM AR_RECEIVABLE_APPLICATIONS_ALL WHERE CASH_RECEIPT_ID = ? "
        "AND STATUS IN ('APP', 'ACC', 'ACTIVITY', 'OTHER ACC') AND DISPLAY = 'Y' "
        "ORDER BY RECEIVABLE_APPLICATION_ID",
        cr_id,
    )


def _undo_activity(ctx: ApiContext, cr: dict[str, Any], app: dict[str, Any], rev_gl: Any) -> None:
    """An on-account or activity row (−1, −3, −8 ...) taken back: no item schedule to restore;
    a refund's payment request is cancelled in Payables (ARP_REVERSE_RECEIPT.reverse calls
    AR_REFUNDS_PVT.cancel_refund)."""
    amount = dec(app["AMOUNT_APPLIED"])
    today = ctx.today()
    ctx.update(
        "AR_RECEIVABLE_APPLICATIONS_ALL",
        "RECEIVABLE_APPLICATION_ID",
        app["RECEIVABLE_APPLICATION_ID"],
        {"DISPLAY": "N", "REVERSAL_GL_DATE": rev_gl},
    )
    _ra(
        ctx,
        cr,
        APPLIED_PAYMENT_SCHEDULE_ID=app["APPLIED_PAYMENT_SCHEDULE_ID"],
        AMOUNT_APPLIED=-amount,
        APPLY_DATE=today,
        GL_DATE=rev_gl,
        REVERSAL_GL_DATE=rev_gl,
        STATUS=app["STATUS"],
        DISPLAY="N",
        RECEIVABLES_TRX_ID=app["RECEIVABLES_TRX_ID"],
        COMMENTS=app["COMMENTS"],
    )
    _ra(
        ctx,
        cr,
        AMOUNT_APPLIED=amount,
        STATUS="UNAPP",
        DISPLAY="N",
        APPLY_DATE=today,
        GL_DATE=rev_gl,
    )
    if app["APPLIED_PAYMENT_SCHEDULE_ID"] == REFUND_PS and app["APPLICATION_REF_ID"] is not None:
        ctx.update(
            "AP_INVOICES_ALL",
            "INVOICE_ID",
            app["APPLICATION_REF_ID"],
            {"CANCELLED_DATE": rev_gl, "CANCELLED_AMOUNT": amount},
        )


def _reverse(
    ctx: ApiContext,
    org: int,
    receipt: dict[str, Any],
    rev_gl: Any,
    rev_date: Any,
    a: dict[str, Any],
) -> None:
    cr_id = int(receipt["CASH_RECEIPT_ID"])
    for app in _live_applications(ctx, cr_id):
        cr = _receipt(ctx, org, cr_id)  # the receipt's balance as the last step left it
        if app["STATUS"] == "APP":
            undo_application(ctx, cr, app, rev_gl)
        else:
            _undo_activity(ctx, cr, app, rev_gl)
            _set_ps(
                ctx,
                cr["PS_ID"],
                dec(cr["PS_ADR"]) - dec(app["AMOUNT_APPLIED"]),
                rev_gl,
                rev_date,
                AMOUNT_APPLIED=dec(cr["PS_APPLIED"]) - dec(app["AMOUNT_APPLIED"]),
            )
    cr = _receipt(ctx, org, cr_id)
    unapplied = -dec(cr["PS_ADR"])
    if unapplied:  # the receipt's own unapplied cash leaves with the receipt
        _ra(
            ctx,
            cr,
            AMOUNT_APPLIED=-unapplied,
            STATUS="UNAPP",
            DISPLAY="N",
            APPLY_DATE=rev_date,
            GL_DATE=rev_gl,
            REVERSAL_GL_DATE=rev_gl,
        )
    _set_ps(ctx, cr["PS_ID"], dec(0), rev_gl, rev_date, AMOUNT_APPLIED=dec(cr["PS_APPLIED"]))
    ctx.update(
        "AR_CASH_RECEIPT_HISTORY_ALL",
        "CASH_RECEIPT_ID",
        cr_id,
        {"CURRENT_RECORD_FLAG": "N"},
    )
    ctx.insert(
        "AR_CASH_RECEIPT_HISTORY_ALL",
        {
            "CASH_RECEIPT_HISTORY_ID": ctx.next_id("AR_CASH_RECEIPT_HISTORY_S"),
            "CASH_RECEIPT_ID": cr_id,
            "STATUS": "REVERSED",
            "AMOUNT": receipt["AMOUNT"],
            "GL_DATE": rev_gl,
            "TRX_DATE": rev_date,
            "REVERSAL_GL_DATE": rev_gl,
            "CURRENT_RECORD_FLAG": "Y",
            "POSTING_CONTROL_ID": -3,
            "FIRST_POSTED_RECORD_FLAG": "N",
            "ORG_ID": org,
        },
    )
    ctx.update(
        "AR_CASH_RECEIPTS_ALL",
        "CASH_RECEIPT_ID",
        cr_id,
        {
            "STATUS": a["category"],  # REV, NSF or STOP (the category's code)
            "REVERSAL_DATE": rev_date,
            "REVERSAL_CATEGORY": a["category"],
            "REVERSAL_REASON_CODE": a["reason"],
            "REVERSAL_COMMENTS": a["comments"],
        },
    )


@api(f"{PKG}.REVERSE", out=STD)
def reverse(
    ctx: ApiContext,
    *,
    p_api_version: Any,
    p_init_msg_list: Any = "F",
    p_commit: Any = "F",
    p_validation_level: Any = 100,
    x_return_status: Any = None,
    x_msg_count: Any = None,
    x_msg_data: Any = None,
    p_cash_receipt_id: Any = None,
    p_receipt_number: Any = None,
    p_reversal_category_code: Any = None,
    p_reversal_category_name: Any = None,
    p_reversal_gl_date: Any = None,
    p_reversal_date: Any = None,
    p_reversal_reason_code: Any = None,
    p_reversal_reason_name: Any = None,
    p_reversal_comments: Any = None,
    p_called_from: Any = None,
    p_attribute_rec: Any = None,
    p_global_attribute_rec: Any = None,
    p_cancel_claims_flag: Any = "Y",
    p_org_id: Any = None,
) -> dict[str, Any]:
    """Standard reversal of one receipt (the module docstring lists the rules and sources)."""

    def body() -> dict[str, Any]:
        org = ctx.check_org(p_org_id)
        cr_id = _receipt_id(ctx, org, p_cash_receipt_id, p_receipt_number)
        category = _code(ctx, CATEGORY_LOOKUP, p_reversal_category_code, p_reversal_category_name)
        reason = _code(ctx, REASON_LOOKUP, p_reversal_reason_code, p_reversal_reason_name)
        receipt = _validate(ctx, org, cr_id, category, reason)
        if receipt is None:
            ctx.stop_if_errors()
            return {}
        rev_gl, rev_date = _dates(
            ctx, org, int(receipt["CASH_RECEIPT_ID"]), p_reversal_gl_date, p_reversal_date
        )
        debts = [
            a
            for a in _live_applications(ctx, int(receipt["CASH_RECEIPT_ID"]))
            if a["APPLIED_PAYMENT_SCHEDULE_ID"] == SHORT_TERM_DEBT_PS
        ]
        if debts:
            ctx.error("AR_RAPI_NON_REVERSIBLE")
        _refunds_cancellable(ctx, int(receipt["CASH_RECEIPT_ID"]))
        ctx.stop_if_errors()
        _reverse(
            ctx,
            org,
            receipt,
            rev_gl,
            rev_date,
            {"category": category, "reason": reason, "comments": p_reversal_comments},
        )
        return {}

    return ctx.frame(
        f"{PKG}.REVERSE", body, init_msg_list=p_init_msg_list, api_version=p_api_version
    )
