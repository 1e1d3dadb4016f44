"""AR_RECEIPT_API_PUB.ACTIVITY_APPLICATION: receipt write-off on PS −3 (docs/specs/oracle.md §3.4).

Limits checked on the receipt's total write-off: the user's WRTOFF approval limits in the receipt
currency and the operating unit's system min/max (§7 item 11).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mock_erp.oracle.apis.context import ApiContext, date, dec, trunc
from mock_erp.oracle.apis.receipts import (
    PKG,
    STD,
    _check_gl_date,
    _ra,
    _receipt,
    _receipt_balance,
)
from mock_erp.oracle.apis.refunds import REFUND_PS, receipt_refund
from mock_erp.oracle.apis.registry import api

WRITE_OFF_PS = -3  # receipt write-off target (docs/specs/oracle.md §1, §3.4)


# ---- ACTIVITY_APPLICATION (receipt write-off) ----------------------------------------------------
def _writeoff_limits(ctx: ApiContext, org: int, cr: dict[str, Any], amount: Decimal) -> None:
    """User WRTOFF limits (receipt currency) and system min/max on the receipt's total (§3.4)."""
    done = ctx.one(
        "SELECT GROUP_CONCAT(AMOUNT_APPLIED, '|') AS A "
        "FROM AR_RECEIVABLE_APPLICATIONS_ALL WHERE CASH_RECEIPT_ID = ? AND "
        "APPLIED_PAYMENT_SCHEDULE_ID = ? "
        "AND STATUS = 'ACTIVITY' AND DISPLAY = 'Y'",
        cr["CASH_RECEIPT_ID"],
        WRITE_OFF_PS,
    )
    total = amount + sum(
        (dec(x) for x in ((done or {}).get("A") or "").split("|") if x), Decimal(0)
    )
    cur = cr["CURRENCY_CODE"]
    lim = ctx.one(
        "SELECT AMOUNT_FROM, AMOUNT_TO FROM AR_APPROVAL_USER_LIMITS WHERE USER_ID = ? AND "
        "CURRENCY_CODE = ? AND DOCUMENT_TYPE = 'WRTOFF'",
        ctx.user_id,
        cur,
    )
    if lim is None:
        ctx.error("AR_WR_NO_LIMIT", CURRENCY=cur)
    elif not dec(lim["AMOUNT_FROM"]) <= total <= dec(lim["AMOUNT_TO"]):
        ctx.error(
            "AR_WR_USER_LIMIT", FROM_AMOUNT=dec(lim["AMOUNT_FROM"]), TO_AMOUNT=dec(lim["AMOUNT_TO"])
        )
    sysp = ctx.one(
        "SELECT MIN_WRTOFF_AMOUNT, MAX_WRTOFF_AMOUNT FROM AR_SYSTEM_PARAMETERS_ALL WHERE "
        "ORG_ID = ?",
        org,
    )
    if sysp is None or sysp["MIN_WRTOFF_AMOUNT"] is None or sysp["MAX_WRTOFF_AMOUNT"] is None:
        ctx.error("AR_SYSTEM_WR_NO_LIMIT_SET")
    elif not dec(sysp["MIN_WRTOFF_AMOUNT"]) <= total <= dec(sysp["MAX_WRTOFF_AMOUNT"]):
        ctx.error(
            "AR_WR_TOTAL_EXCEED_MAX_AMOUNT",
            FROM_AMOUNT=dec(sysp["MIN_WRTOFF_AMOUNT"]),
            TO_AMOUNT=dec(sysp["MAX_WRTOFF_AMOUNT"]),
        )


@api(
    f"{PKG}.ACTIVITY_APPLICATION",
    out=(*STD, "p_receivable_application_id"),
    inout=(
        "p_application_ref_type",
        "p_application_ref_id",
        "p_application_ref_num",
        "p_secondary_application_ref_id",
    ),
)
def activity_application(
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
    p_amount_applied: Any = None,
    p_applied_payment_schedule_id: Any = None,
    p_link_to_customer_trx_id: Any = None,
    p_receivables_trx_id: Any = None,
    p_apply_date: Any = None,
    p_apply_gl_date: Any = None,
    p_ussgl_transaction_code: Any = None,
    p_attribute_rec: Any = None,
    p_global_attribute_rec: Any = None,
    p_comments: Any = None,
    p_application_ref_type: Any = None,
    p_application_ref_id: Any = None,
    p_application_ref_num: Any = None,
    p_secondary_application_ref_id: Any = None,
    p_payment_set_id: Any = None,
    p_receivable_application_id: Any = None,
    p_customer_reference: Any = None,
    p_val_writeoff_limits_flag: Any = "Y",
    p_called_from: Any = None,
    p_netted_receipt_flag: Any = None,
    p_netted_cash_receipt_id: Any = None,
    p_secondary_app_ref_type: Any = None,
    p_secondary_app_ref_num: Any = None,
    p_org_id: Any = None,
    p_customer_reason: Any = None,
    p_pay_group_lookup_code: Any = None,
    p_pay_alone_flag: Any = None,
    p_payment_method_code: Any = None,
    p_payment_reason_code: Any = None,
    p_payment_reason_comments: Any = None,
    p_delivery_channel_code: Any = None,
    p_remittance_message1: Any = None,
    p_remittance_message2: Any = None,
    p_remittance_message3: Any = None,
    p_party_id: Any = None,
    p_party_site_id: Any = None,
    p_bank_account_id: Any = None,
    p_payment_priority: Any = None,
    p_terms_id: Any = None,
) -> dict[str, Any]:
    """Receipt write-off: RA ACTIVITY on PS −3 + UNAPP pair; the receipt's PS only (§2, §3.4).
    On PS −8 a refund of the receipt's unapplied cash (mock_erp/oracle/apis/refunds.py)."""
    args = locals()

    def body() -> dict[str, Any]:
        org = ctx.check_org(p_org_id)
        cr = _receipt(ctx, org, p_cash_receipt_id, p_receipt_number)
        if p_applied_payment_schedule_id is not None and int(p_applied_payment_schedule_id) == (
            REFUND_PS
        ):
            return receipt_refund(ctx, org, cr, args)
        if (
            p_applied_payment_schedule_id is None
            or int(p_applied_payment_schedule_id) != WRITE_OFF_PS
        ):
            raise ctx.fail("AR_RAPI_APP_PS_ID_INVALID")  # the mock implements −3 and −8 only
        act = (
            None
            if p_receivables_trx_id is None
            else ctx.one(
                "SELECT TYPE FROM AR_RECEIVABLES_TRX_ALL WHERE RECEIVABLES_TRX_ID = ? AND "
                "ORG_ID = ? AND STATUS = 'A' "
                "AND (END_DATE_ACTIVE IS NULL OR END_DATE_ACTIVE >= ?)",
                int(p_receivables_trx_id),
                org,
                ctx.today(),
            )
        )
        if act is None:
            raise ctx.fail("AR_RAPI_REC_TRX_ID_INVALID")
        if act["TYPE"] != "WRITEOFF":
            raise ctx.fail("AR_RAPI_ACTIVITY_X_INVALID")
        amount = ctx.round_money(Decimal(p_amount_applied or 0), cr["CURRENCY_CODE"])
        if (p_val_writeoff_limits_flag or "Y") == "Y":
            _writeoff_limits(ctx, org, cr, amount)
        if amount > -dec(cr["PS_ADR"]):
            ctx.error("AR_RW_APP_NEG_UNAPP")
        rcpt_date, rcpt_gl = trunc(date(cr["RECEIPT_DATE"])), trunc(date(cr["CR_GL_DATE"]))
        apply_date = trunc(date(p_apply_date)) or max(d for d in (ctx.today(), rcpt_date) if d)
        gl_date = trunc(date(p_apply_gl_date)) or max(d for d in (apply_date, rcpt_gl) if d)
        if rcpt_date and apply_date < rcpt_date:
            ctx.error("AR_APPLY_BEFORE_RECEIPT")
        if rcpt_gl and gl_date < rcpt_gl:
            ctx.error("AR_RW_GL_DATE_BEFORE_REC_GL")
        _check_gl_date(ctx, org, gl_date)
        ctx.stop_if_errors()
        ra_id = _ra(
            ctx,
            cr,
            APPLIED_PAYMENT_SCHEDULE_ID=WRITE_OFF_PS,
            AMOUNT_APPLIED=amount,
            APPLY_DATE=apply_date,
            GL_DATE=gl_date,
            STATUS="ACTIVITY",
            DISPLAY="Y",
            RECEIVABLES_TRX_ID=int(p_receivables_trx_id),
            COMMENTS=p_comments,
            CUSTOMER_REFERENCE=p_customer_reference,
            APPLICATION_REF_TYPE=p_application_ref_type,
            APPLICATION_REF_ID=p_application_ref_id,
            APPLICATION_REF_NUM=p_application_ref_num,
            SECONDARY_APPLICATION_REF_ID=p_secondary_application_ref_id,
            PAYMENT_SET_ID=p_payment_set_id,
        )
        _ra(
            ctx,
            cr,
            AMOUNT_APPLIED=-amount,
            STATUS="UNAPP",
            DISPLAY="N",
            APPLY_DATE=apply_date,
            GL_DATE=gl_date,
        )
        _receipt_balance(ctx, cr, amount, gl_date, apply_date)
        return {
            "p_receivable_application_id": Decimal(ra_id),
            "p_application_ref_type": p_application_ref_type,
            "p_application_ref_id": p_application_ref_id,
            "p_application_ref_num": p_application_ref_num,
            "p_secondary_application_ref_id": p_secondary_application_ref_id,
        }

    return ctx.frame(
        f"{PKG}.ACTIVITY_APPLICATION",
        body,
        init_msg_list=p_init_msg_list,
        api_version=p_api_version,
    )
