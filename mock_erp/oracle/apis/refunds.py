"""Refunds (issue 18): receipt cash and on-account credit memos paid back through Payables.

Sources (public copies of the R12.1 package bodies, ginnisingh98/Views-Tables):
AR_RECEIPT_API_PUB.Activity_application and AR_RECEIPT_VAL_PVT.validate_activity_app /
validate_on_ac_app / validate_activity (ARXPRECB.pls, ARXPREVB.pls) for a receipt;
AR_CM_APPLICATION_PUB.Activity_application (ARXPCMAB.pls) and AR_CM_APP_VAL_PVT
(ARXCMAVB.pls) for a credit memo; AR_REFUNDS_PVT.Create_Refund (ARXVREFB.pls) for the
Payables side; AP_IMPORT_VALIDATION_PKG for the payment request's reject codes.

- A refund is an ACTIVITY application on the seeded schedule −8 with a receivables activity of
  TYPE 'CM_REFUND' ("Refund"; another type is AR_RAPI_ACTIVITY_X_INVALID, an unknown id
  AR_RAPI_REC_TRX_ID_INVALID) for both receipts and credit memos.
- Receipt: the amount must not exceed the unapplied cash (AR_RW_AMOUNT_LESS_THAN_APP), nor be
  negative (AR_REF_CM_APP_NEG); the usual apply/GL date rules.
- Credit memo: only an on-account credit memo (no PREVIOUS_CUSTOMER_TRX_ID: AR_REF_NOT_OACM),
  complete (AR_REF_CM_INCOMPLETE), negative (AR_REF_CM_POSITIVE), with a balance left
  (AR_REF_MORE_THAN_CM_AMT); not more than is open (AR_CKAP_OVERAPP); the user's CMREF
  approval limits when the user has some (AR_REF_USR_LMT_OUT_OF_RANGE).
- Payables: Create_Refund interfaces a PAYMENT REQUEST invoice (payee = the customer's party,
  payment method default CHECK); an AP rejection comes back as GENERIC_MESSAGE with the reject
  code (an unknown method: INVALID PAY METHOD) and the API fails. The invoice id becomes the
  application's APPLICATION_REF_ID / _NUM, APPLICATION_REF_TYPE 'AP_REFUND_REQUEST'.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mock_erp.oracle.apis.context import ApiContext, date, dec, trunc
from mock_erp.oracle.apis.receipts import STD, _check_gl_date, _ra, _receipt_balance, _set_ps
from mock_erp.oracle.apis.registry import api

REFUND_PS = -8
REFUND_TYPE = "CM_REFUND"
REF_TYPE = "AP_REFUND_REQUEST"
DEFAULT_METHOD = "CHECK"  # Bug 6923248 / 8624954: no method given or defaulted
CM_PKG = "AR_CM_APPLICATION_PUB"


def _refund_activity(ctx: ApiContext, org: int, trx_id: Any) -> None:
    act = (
        None
        if trx_id is None
        else ctx.one(
            "SELECT TYPE FROM AR_RECEIVABLES_TRX_ALL WHERE RECEIVABLES_TRX_ID = ? AND ORG_ID = ? "
            "AND STATUS = 'A' AND (END_DATE_ACTIVE IS NULL OR END_DATE_ACTIVE >= ?)",
            int(trx_id),
            org,
            ctx.today(),
        )
    )
    if act is None:
        ctx.error("AR_RAPI_REC_TRX_ID_INVALID")
    elif act["TYPE"] != REFUND_TYPE:
        ctx.error("AR_RAPI_ACTIVITY_X_INVALID")


def _payee(ctx: ApiContext, customer_id: Any, site_use_id: Any) -> tuple[Any, Any]:
    """default_refund_attributes: the customer's party and its bill-to party site."""
    row = ctx.one(
        "SELECT ca.PARTY_ID, s.PARTY_SITE_ID FROM HZ_CUST_ACCOUNTS ca "
        "LEFT JOIN HZ_CUST_SITE_USES_ALL su ON su.SITE_USE_ID = ? "
        "LEFT JOIN HZ_CUST_ACCT_SITES_ALL s ON s.CUST_ACCT_SITE_ID = su.CUST_ACCT_SITE_ID "
        "WHERE ca.CUST_ACCOUNT_ID = ?",
        site_use_id,
        customer_id,
    )
    return (row["PARTY_ID"], row["PARTY_SITE_ID"]) if row else (None, None)


def _payment_request(
    ctx: ApiContext,
    org: int,
    a: dict[str, Any],
    *,
    amount: Decimal,
    currency: str,
    payee: tuple[Any, Any],
    gl_date: Any,
) -> int | None:
    """AR_REFUNDS_PVT.Create_Refund: the Payables payment request, or None after adding the
    AP rejection (GENERIC_MESSAGE, token GENERIC_TEXT = the reject code)."""
    method = a.get("p_payment_method_code") or DEFAULT_METHOD
    known = ctx.one(
        "SELECT 1 FROM IBY_PAYMENT_METHODS_VL WHERE PAYMENT_METHOD_CODE = ? "
        "AND (INACTIVE_DATE IS NULL OR INACTIVE_DATE > ?)",
        method,
        ctx.today(),
    )
    if known is None:
        ctx.error("GENERIC_MESSAGE", GENERIC_TEXT="INVALID PAY METHOD")
        return None
    party_id, party_site_id = payee
    invoice_id = ctx.next_id("AP_INVOICES_S")
    ctx.insert(
        "AP_INVOICES_ALL",
        {
            "INVOICE_ID": invoice_id,
            "INVOICE_NUM": str(invoice_id),
            "INVOICE_TYPE_LOOKUP_CODE": "PAYMENT REQUEST",
            "INVOICE_DATE": ctx.today(),
            "GL_DATE": gl_date,
            "INVOICE_AMOUNT": amount,
            "INVOICE_CURRENCY_CODE": currency,
            "PAYMENT_METHOD_CODE": method,
            "PARTY_ID": a.get("p_party_id") or party_id,
            "PARTY_SITE_ID": a.get("p_party_site_id") or party_site_id,
            "DESCRIPTION": a.get("p_remittance_message1") or a.get("p_comments"),
            "SOURCE": "Receivables",
            "APPROVAL_STATUS": "REQUIRES REAPPROVAL",  # p_needs_invoice_approval => 'Y'
            "PAYMENT_STATUS_FLAG": "N",  # Payables sets Y (or P) once it pays it
            "ORG_ID": org,
        },
    )
    return invoice_id


def receipt_refund(
    ctx: ApiContext, org: int, cr: dict[str, Any], a: dict[str, Any]
) -> dict[str, Any]:
    """AR_RECEIPT_API_PUB.ACTIVITY_APPLICATION on −8: refund a receipt's unapplied cash."""
    _refund_activity(ctx, org, a.get("p_receivables_trx_id"))
    given = a.get("p_amount_applied")
    unapplied = -dec(cr["PS_ADR"])
    amount = ctx.round_money(Decimal(given), cr["CURRENCY_CODE"]) if given is not None else None
    if amount is None:
        ctx.error("AR_RAPI_APPLIED_AMT_NULL")
    elif amount < 0:
        ctx.error("AR_REF_CM_APP_NEG")
    elif unapplied - amount < 0:
        ctx.error("AR_RW_AMOUNT_LESS_THAN_APP")
    rcpt_date, rcpt_gl = trunc(date(cr["RECEIPT_DATE"])), trunc(date(cr["CR_GL_DATE"]))
    apply_date = trunc(date(a.get("p_apply_date"))) or max(d for d in (ctx.today(), rcpt_date) if d)
    gl_date = trunc(date(a.get("p_apply_gl_date"))) or max(d for d in (apply_date, rcpt_gl) if d)
    if rcpt_date and apply_date < rcpt_date:
        ctx.error("AR_APPLY_BEFORE_RECEIPT")
    if rcpt_gl and gl_date < rcpt_gl:
        ctx.error("AR_RW_GL_DATE_BEFORE_REC_GL")
    _check_gl_date(ctx, org, gl_date)
    ctx.stop_if_errors()
    assert amount is not None
    invoice = _payment_request(
        ctx,
        org,
        a,
        amount=amount,
        currency=cr["CURRENCY_CODE"],
        payee=_payee(ctx, cr["PAY_FROM_CUSTOMER"], cr["CUSTOMER_SITE_USE_ID"]),
        gl_date=gl_date,
    )
    ctx.stop_if_errors()
    ra_id = _ra(
        ctx,
        cr,
        APPLIED_PAYMENT_SCHEDULE_ID=REFUND_PS,
        AMOUNT_APPLIED=amount,
        APPLY_DATE=apply_date,
        GL_DATE=gl_date,
        STATUS="ACTIVITY",
        DISPLAY="Y",
        RECEIVABLES_TRX_ID=int(a["p_receivables_trx_id"]),
        COMMENTS=a.get("p_comments"),
        CUSTOMER_REFERENCE=a.get("p_customer_reference"),
        APPLICATION_REF_TYPE=REF_TYPE,
        APPLICATION_REF_ID=invoice,
        APPLICATION_REF_NUM=str(invoice),
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
        "p_application_ref_type": REF_TYPE,
        "p_application_ref_id": Decimal(invoice or 0),
        "p_application_ref_num": str(invoice),
        "p_secondary_application_ref_id": a.get("p_secondary_application_ref_id"),
    }


def _credit_memo(ctx: ApiContext, org: int, trx_id: Any) -> dict[str, Any] | None:
    """default_activity_info + validate_credit_memo: the CM and its schedule, checked."""
    cm = (
        None
        if trx_id is None
        else ctx.one(
            "SELECT t.CUSTOMER_TRX_ID, t.PREVIOUS_CUSTOMER_TRX_ID, t.COMPLETE_FLAG, t.TRX_DATE, "
            "t.BILL_TO_CUSTOMER_ID, t.BILL_TO_SITE_USE_ID, t.ORG_ID, "
            "ps.PAYMENT_SCHEDULE_ID AS PS_ID, "
            "ps.AMOUNT_DUE_ORIGINAL AS ADO, ps.AMOUNT_DUE_REMAINING AS ADR, ps.AMOUNT_APPLIED AS "
            "PS_APPLIED, ps.GL_DATE AS CM_GL_DATE, ps.INVOICE_CURRENCY_CODE AS CURRENCY_CODE, "
            "ps.CLASS FROM RA_CUSTOMER_TRX_ALL t JOIN AR_PAYMENT_SCHEDULES_ALL ps "
            "ON ps.CUSTOMER_TRX_ID = t.CUSTOMER_TRX_ID "
            "WHERE t.CUSTOMER_TRX_ID = ? AND t.ORG_ID = ?",
            int(trx_id),
            org,
        )
    )
    if cm is None or cm["CLASS"] != "CM":
        ctx.error("AR_RAPI_CUST_TRX_ID_INVALID")
        return None
    if cm["PREVIOUS_CUSTOMER_TRX_ID"] is not None:
        ctx.error("AR_REF_NOT_OACM")
    if (cm["COMPLETE_FLAG"] or "N") != "Y":
        ctx.error("AR_REF_CM_INCOMPLETE")
    else:
        if dec(cm["ADO"]) > 0:
            ctx.error("AR_REF_CM_POSITIVE")
        if dec(cm["ADR"]) >= 0:
            ctx.error("AR_REF_MORE_THAN_CM_AMT")
    return cm


def _cmref_limits(ctx: ApiContext, cm: dict[str, Any], amount: Decimal) -> None:
    """validate_activity: the user's CMREF range over all refunds of this CM; no row for the
    user and currency means no limit (the range is the amount itself)."""
    done = ctx.rows(
        "SELECT AMOUNT_APPLIED FROM AR_RECEIVABLE_APPLICATIONS_ALL WHERE "
        "APPLIED_PAYMENT_SCHEDULE_ID = ? AND STATUS = 'ACTIVITY' AND CUSTOMER_TRX_ID = ?",
        REFUND_PS,
        cm["CUSTOMER_TRX_ID"],
    )
    total = amount + sum((dec(r["AMOUNT_APPLIED"]) for r in done), Decimal(0))
    lim = ctx.one(
        "SELECT AMOUNT_FROM, AMOUNT_TO FROM AR_APPROVAL_USER_LIMITS WHERE USER_ID = ? AND "
        "CURRENCY_CODE = ? AND DOCUMENT_TYPE = 'CMREF'",
        ctx.user_id,
        cm["CURRENCY_CODE"],
    )
    if lim is not None and not dec(lim["AMOUNT_FROM"]) <= total <= dec(lim["AMOUNT_TO"]):
        ctx.error(
            "AR_REF_USR_LMT_OUT_OF_RANGE",
            FROM_AMOUNT=dec(lim["AMOUNT_FROM"]),
            TO_AMOUNT=dec(lim["AMOUNT_TO"]),
        )


def _cm_refund(ctx: ApiContext, org: int, a: dict[str, Any]) -> dict[str, Any]:
    ps_id = a.get("p_applied_payment_schedule_id")
    if ps_id is None or int(ps_id) != REFUND_PS:
        raise ctx.fail("AR_RAPI_APP_PS_ID_INVALID")  # the only activity a CM API takes today
    _refund_activity(ctx, org, a.get("p_receivables_trx_id"))
    cm = _credit_memo(ctx, org, a.get("p_customer_trx_id"))
    if cm is None:  # its message is on the stack
        ctx.stop_if_errors()
    assert cm is not None
    unapp = -dec(cm["ADR"])
    given = a.get("p_amount_applied")
    amount = ctx.round_money(Decimal(given), cm["CURRENCY_CODE"]) if given is not None else unapp
    trx_date, cm_gl = trunc(date(cm["TRX_DATE"])), trunc(date(cm["CM_GL_DATE"]))
    apply_date = trunc(date(a.get("p_apply_date"))) or max(d for d in (ctx.today(), trx_date) if d)
    gl_date = trunc(date(a.get("p_apply_gl_date"))) or max(d for d in (apply_date, cm_gl) if d)
    if (a.get("p_chk_approval_limit_flag") or "Y") != "N":
        _cmref_limits(ctx, cm, amount)
    if trx_date and apply_date < trx_date:
        ctx.error("AR_APPLY_BEFORE_TRANSACTION")
    if amount < 0:
        ctx.error("AR_REF_CM_APP_NEG")
    elif unapp - amount < 0:
        ctx.error("AR_CKAP_OVERAPP")
    if cm_gl and gl_date < cm_gl:
        ctx.error("AR_VAL_GL_INV_GL")
    _check_gl_date(ctx, org, gl_date)
    ctx.stop_if_errors()
    invoice = _payment_request(
        ctx,
        org,
        a,
        amount=amount,
        currency=cm["CURRENCY_CODE"],
        payee=_payee(ctx, cm["BILL_TO_CUSTOMER_ID"], cm["BILL_TO_SITE_USE_ID"]),
        gl_date=gl_date,
    )
    ctx.stop_if_errors()
    ra_id = ctx.next_id("AR_RECEIVABLE_APPLICATIONS_S")
    ctx.insert(
        "AR_RECEIVABLE_APPLICATIONS_ALL",
        {
            "RECEIVABLE_APPLICATION_ID": ra_id,
            "CUSTOMER_TRX_ID": cm["CUSTOMER_TRX_ID"],
            "PAYMENT_SCHEDULE_ID": cm["PS_ID"],
            "APPLIED_PAYMENT_SCHEDULE_ID": REFUND_PS,
            "APPLICATION_TYPE": "CM",
            "AMOUNT_APPLIED": amount,
            "APPLY_DATE": apply_date,
            "GL_DATE": gl_date,
            "STATUS": "ACTIVITY",
            "DISPLAY": "Y",
            "RECEIVABLES_TRX_ID": int(a["p_receivables_trx_id"]),
            "COMMENTS": a.get("p_comments"),
            "APPLICATION_REF_TYPE": REF_TYPE,
            "APPLICATION_REF_ID": invoice,
            "APPLICATION_REF_NUM": str(invoice),
            "POSTING_CONTROL_ID": -3,
            "ORG_ID": org,
        },
    )
    _set_ps(
        ctx,
        cm["PS_ID"],
        dec(cm["ADR"]) + amount,
        gl_date,
        apply_date,
        AMOUNT_APPLIED=dec(cm["PS_APPLIED"]) - amount,
    )
    return {
        "p_receivable_application_id": Decimal(ra_id),
        "p_application_ref_type": REF_TYPE,
        "p_application_ref_id": Decimal(invoice or 0),
        "p_application_ref_num": str(invoice),
    }


@api(
    f"{CM_PKG}.ACTIVITY_APPLICATION",
    out=(*STD, "p_receivable_application_id"),
    inout=("p_application_ref_type", "p_application_ref_id", "p_application_ref_num"),
)
def cm_activity_application(
    ctx: ApiContext,
    *,
    p_api_version: Any,
    p_init_msg_list: Any = "F",
    p_commit: Any = "F",
    p_validation_level: Any = 100,
    x_return_status: Any = None,
    x_msg_count: Any = None,
    x_msg_data: Any = None,
    p_customer_trx_id: Any,
    p_amount_applied: Any = None,
    p_applied_payment_schedule_id: Any,
    p_receivables_trx_id: Any,
    p_apply_date: Any = None,
    p_apply_gl_date: Any = None,
    p_ussgl_transaction_code: Any = None,
    p_attribute_rec: Any = None,
    p_global_attribute_rec: Any = None,
    p_comments: Any = None,
    p_chk_approval_limit_flag: Any = "Y",
    p_application_ref_type: Any = None,
    p_application_ref_id: Any = None,
    p_application_ref_num: Any = None,
    p_receivable_application_id: Any = None,
    p_called_from: Any = None,
    p_org_id: Any = None,
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
    """Credit memo refund (−8, CM_REFUND activity): the module docstring lists the rules."""
    args = locals()

    def body() -> dict[str, Any]:
        org = ctx.check_org(p_org_id)
        return _cm_refund(ctx, org, args)

    return ctx.frame(
        f"{CM_PKG}.ACTIVITY_APPLICATION",
        body,
        init_msg_list=p_init_msg_list,
        api_version=p_api_version,
    )
