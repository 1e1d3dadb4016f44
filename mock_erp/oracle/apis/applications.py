"""AR_RECEIPT_API_PUB.APPLY, CREATE_AND_APPLY and UNAPPLY: receipts against invoice installments.

Row patterns and PS arithmetic: specs/oracle.md §2 ("Apply X", "Unapply"); errors §3.3 and §7 item 8
(AR_CKAP_OVERAPP, AR_RW_APP_NEG_UNAPP and the four date rules).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from mock_erp.oracle.apis.context import ApiContext, date, dec, trunc
from mock_erp.oracle.apis.receipts import (
    APPLICABLE_CLASSES,
    PKG,
    STD,
    _check_gl_date,
    _create_cash,
    _ra,
    _receipt,
    _receipt_balance,
    _set_ps,
    _split_buckets,
    default_amount_applied,
    resolve,
)
from mock_erp.oracle.apis.registry import api


# ---- APPLY ---------------------------------------------------------------------------------------
def _target_ps(ctx: ApiContext, org: int, a: dict[str, Any]) -> dict[str, Any]:
    sql = (
        "SELECT ps.*, t.ALLOW_OVERAPPLICATION_FLAG AS ALLOW_OVER, "
        "t.NATURAL_APPLICATION_ONLY_FLAG AS NATURAL "
        "FROM AR_PAYMENT_SCHEDULES_ALL ps LEFT JOIN RA_CUST_TRX_TYPES_ALL t ON "
        "t.CUST_TRX_TYPE_ID = "
        "ps.CUST_TRX_TYPE_ID AND t.ORG_ID = ps.ORG_ID WHERE ps.ORG_ID = ? AND "
        "ps.CUSTOMER_TRX_ID IS NOT NULL "
    )
    ps_id = a.get("p_applied_payment_schedule_id")
    if ps_id is not None:
        ps = (
            ctx.one(sql + "AND ps.PAYMENT_SCHEDULE_ID = ?", org, int(ps_id))
            if int(ps_id) > 0
            else None
        )
        if ps is None or ps["CLASS"] not in APPLICABLE_CLASSES:
            raise ctx.fail("AR_RAPI_APP_PS_ID_INVALID")
        return ps
    trx = resolve(
        ctx,
        a.get("p_customer_trx_id"),
        a.get("p_trx_number"),
        "SELECT CUSTOMER_TRX_ID FROM RA_CUSTOMER_TRX_ALL WHERE TRX_NUMBER = ? AND ORG_ID = ?",
        org,
    )
    rows = (
        []
        if trx is None
        else ctx.rows(
            sql + "AND ps.CUSTOMER_TRX_ID = ? ORDER BY ps.TERMS_SEQUENCE_NUMBER", org, int(trx)
        )
    )
    if not rows:
        raise ctx.fail("AR_RAPI_CUST_TRX_ID_INVALID")
    inst = a.get("p_installment")
    if inst is None:
        if len(rows) > 1:
            raise ctx.fail("AR_RAPI_INSTALL_NULL")
        return rows[0]
    ps = next((r for r in rows if r["TERMS_SEQUENCE_NUMBER"] == int(inst)), None)
    if ps is None:
        raise ctx.fail("AR_RAPI_APP_PS_ID_INVALID")
    return ps


def _apply(ctx: ApiContext, org: int, cr: dict[str, Any], a: dict[str, Any]) -> int:
    ps = _target_ps(ctx, org, a)
    currency = ps["INVOICE_CURRENCY_CODE"]
    adr = dec(ps["AMOUNT_DUE_REMAINING"])
    unapplied = -dec(cr["PS_ADR"])
    amount_from = a.get("p_amount_applied_from")
    cross = cr["CURRENCY_CODE"] != currency
    if cross and amount_from is None:
        ctx.error("AR_RAPI_AMT_APP_FROM_INVALID")
    amount = a.get("p_amount_applied")
    amount = default_amount_applied(adr, unapplied) if amount is None else Decimal(amount)
    amount = ctx.round_money(amount, currency)
    consumed = (
        ctx.round_money(Decimal(amount_from), cr["CURRENCY_CODE"])
        if cross and amount_from
        else amount
    )
    trx_date, trx_gl = trunc(date(ps["TRX_DATE"])), trunc(date(ps["GL_DATE"]))
    rcpt_date, rcpt_gl = trunc(date(cr["RECEIPT_DATE"])), trunc(date(cr["CR_GL_DATE"]))
    apply_date = trunc(date(a.get("p_apply_date"))) or max(
        d for d in (ctx.today(), rcpt_date, trx_date) if d
    )
    gl_date = trunc(date(a.get("p_apply_gl_date"))) or max(
        d for d in (apply_date, trx_gl, rcpt_gl) if d
    )
    if trx_date and apply_date < trx_date:
        ctx.error("AR_APPLY_BEFORE_TRANSACTION")
    if rcpt_date and apply_date < rcpt_date:
        ctx.error("AR_APPLY_BEFORE_RECEIPT")
    if trx_gl and gl_date < trx_gl:
        ctx.error("AR_VAL_GL_INV_GL")
    if rcpt_gl and gl_date < rcpt_gl:
        ctx.error("AR_RW_GL_DATE_BEFORE_REC_GL")
    _check_gl_date(ctx, org, gl_date)
    discount, earned = _discount(ctx, ps, amount, apply_date, a.get("p_discount"))
    new_adr = adr - amount - discount
    if adr != 0 and new_adr != 0 and (new_adr > 0) != (adr > 0):  # the balance would change sign
        if ps["ALLOW_OVER"] != "Y":
            ctx.error("AR_CKAP_OVERAPP")
        elif ps["NATURAL"] == "Y":
            ctx.error("AR_CKAP_NATURALAPP")
    elif ps["NATURAL"] == "Y" and abs(new_adr) > abs(adr):  # moving away from zero
        ctx.error("AR_CKAP_NATURALAPP")
    elif adr == 0 and amount != 0 and ps["ALLOW_OVER"] != "Y":
        ctx.error("AR_CKAP_OVERAPP")
    if consumed > unapplied:
        ctx.error("AR_RW_APP_NEG_UNAPP")
    ctx.stop_if_errors()
    parts = _split_buckets(ctx, ps, amount + discount, currency)
    ra_id = _ra(
        ctx,
        cr,
        APPLIED_PAYMENT_SCHEDULE_ID=ps["PAYMENT_SCHEDULE_ID"],
        APPLIED_CUSTOMER_TRX_ID=ps["CUSTOMER_TRX_ID"],
        AMOUNT_APPLIED=amount,
        AMOUNT_APPLIED_FROM=consumed if cross else None,
        EARNED_DISCOUNT_TAKEN=earned or None,
        UNEARNED_DISCOUNT_TAKEN=(discount - earned) or None,
        LINE_APPLIED=parts["AMOUNT_LINE_ITEMS_REMAINING"],
        TAX_APPLIED=parts["TAX_REMAINING"],
        FREIGHT_APPLIED=parts["FREIGHT_REMAINING"],
        RECEIVABLES_CHARGES_APPLIED=parts["RECEIVABLES_CHARGES_REMAINING"],
        APPLY_DATE=apply_date,
        GL_DATE=gl_date,
        STATUS="APP",
        DISPLAY="Y",
        COMMENTS=a.get("p_comments"),
        CUSTOMER_REFERENCE=a.get("p_customer_reference"),
        APPLICATION_REF_TYPE=a.get("p_application_ref_type"),
        APPLICATION_REF_ID=a.get("p_application_ref_id"),
        APPLICATION_REF_NUM=a.get("p_application_ref_num"),
        PAYMENT_SET_ID=a.get("p_payment_set_id"),
    )
    _ra(
        ctx,
        cr,
        AMOUNT_APPLIED=-consumed,
        STATUS="UNAPP",
        DISPLAY="N",
        APPLY_DATE=apply_date,
        GL_DATE=gl_date,
    )
    _set_ps(
        ctx,
        ps["PAYMENT_SCHEDULE_ID"],
        new_adr,
        gl_date,
        apply_date,
        AMOUNT_APPLIED=dec(ps["AMOUNT_APPLIED"]) + amount,
        DISCOUNT_TAKEN_EARNED=dec(ps["DISCOUNT_TAKEN_EARNED"]) + earned,
        DISCOUNT_TAKEN_UNEARNED=dec(ps["DISCOUNT_TAKEN_UNEARNED"]) + discount - earned,
        DISCOUNT_REMAINING=max(Decimal(0), dec(ps["DISCOUNT_REMAINING"]) - discount),
        **{k: dec(ps[k]) - v for k, v in parts.items()},
    )
    _receipt_balance(ctx, cr, consumed, gl_date, apply_date)
    return ra_id


def _allowed(
    ctx: ApiContext, ps: dict[str, Any], percent: Decimal, amount: Decimal, partial: bool
) -> Decimal:
    """The discount ``percent`` allows on this application: of the original amount, less what
    was taken already; a partial payment gets amount * p / (100 - p) when the terms allow
    partial discounts (so 98 paid on 100 at 2 % earns 2), none otherwise; never more than
    closes the item [derived from ARP_CALCULATE_DISCOUNT's behaviour as documented]."""
    currency = ps["INVOICE_CURRENCY_CODE"]
    if percent <= 0:
        return Decimal(0)
    taken = dec(ps["DISCOUNT_TAKEN_EARNED"]) + dec(ps["DISCOUNT_TAKEN_UNEARNED"])
    full = ctx.round_money(dec(ps["AMOUNT_DUE_ORIGINAL"]) * percent / 100, currency) - taken
    adr = dec(ps["AMOUNT_DUE_REMAINING"])
    closes = max(Decimal(0), adr - amount)
    if amount + full >= adr:
        return max(Decimal(0), min(full, closes))
    if not partial:
        return Decimal(0)
    pro_rata = ctx.round_money(amount * percent / (100 - percent), currency)
    return max(Decimal(0), min(full, pro_rata, closes))


def _discount(
    ctx: ApiContext, ps: dict[str, Any], amount: Decimal, apply_date: Any, requested: Any
) -> tuple[Decimal, Decimal]:
    """(discount, earned part) of an application, validated as AR_RECEIPT_VAL_PVT.
    Validate_discount does (public copy: ginnisingh98/Views-Tables
    PACKAGE_BODIES/AR_RECEIPT_VAL_PVT.sql): a NULL p_discount is DEFAULTED from the terms and
    the apply date (Default_disc_and_amt_applied: the earned discount), which can close an
    invoice the cash never paid in full; more than the terms allow at the best rate is
    AR_RW_VAL_DISCOUNT (token DISC_AVAILABLE); more than earned by the apply date, with
    unearned discounts off, AR_RW_VAL_UNEARNED_DISCOUNT; a discount on a partial payment under
    terms without partial discounts, AR_NO_PARTIAL_DISC."""
    currency = ps["INVOICE_CURRENCY_CODE"]
    tiers = ctx.rows(
        "SELECT d.DISCOUNT_PERCENT, d.DISCOUNT_DAYS, t.PARTIAL_DISCOUNT_FLAG "
        "FROM RA_TERMS_LINES_DISCOUNTS d JOIN RA_TERMS_B t ON t.TERM_ID = d.TERM_ID "
        "WHERE d.TERM_ID = ? AND d.SEQUENCE_NUM = ?",
        ps["TERM_ID"],
        ps["TERMS_SEQUENCE_NUMBER"] or 1,
    )
    trx_date = trunc(date(ps["TRX_DATE"]))
    partial = bool(tiers) and tiers[0]["PARTIAL_DISCOUNT_FLAG"] == "Y"
    best = max((dec(t["DISCOUNT_PERCENT"]) for t in tiers), default=Decimal(0))
    earned_pct = max(
        (
            dec(t["DISCOUNT_PERCENT"])
            for t in tiers
            if trx_date is None
            or apply_date is None
            or apply_date <= trx_date + dt.timedelta(days=int(t["DISCOUNT_DAYS"] or 0))
        ),
        default=Decimal(0),
    )
    max_allowed = _allowed(ctx, ps, best, amount, partial)
    earned_allowed = _allowed(ctx, ps, earned_pct, amount, partial)
    if requested is None:
        return earned_allowed, earned_allowed
    discount = ctx.round_money(Decimal(requested), currency)
    adr = dec(ps["AMOUNT_DUE_REMAINING"])
    if discount != 0 and not partial and adr - (amount + discount) > 0:
        ctx.error("AR_NO_PARTIAL_DISC")
    elif abs(discount) > abs(max_allowed):
        ctx.error("AR_RW_VAL_DISCOUNT", DISC_AVAILABLE=f"{max_allowed} {currency}")
    elif not ctx.settings.unearned_discounts and abs(discount) > abs(earned_allowed):
        ctx.error("AR_RW_VAL_UNEARNED_DISCOUNT")
    return discount, min(discount, earned_allowed)


APPLY_PARAMS = (
    "p_customer_trx_id",
    "p_trx_number",
    "p_installment",
    "p_applied_payment_schedule_id",
    "p_amount_applied",
    "p_amount_applied_from",
    "p_discount",
    "p_apply_date",
    "p_apply_gl_date",
    "p_comments",
    "p_customer_reference",
    "p_application_ref_type",
    "p_application_ref_id",
    "p_application_ref_num",
    "p_payment_set_id",
)


@api(f"{PKG}.APPLY", out=STD)
def apply(
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
    p_customer_trx_id: Any = None,
    p_trx_number: Any = None,
    p_installment: Any = None,
    p_applied_payment_schedule_id: Any = None,
    p_amount_applied: Any = None,
    p_amount_applied_from: Any = None,
    p_trans_to_receipt_rate: Any = None,
    p_discount: Any = None,
    p_apply_date: Any = None,
    p_apply_gl_date: Any = None,
    p_ussgl_transaction_code: Any = None,
    p_customer_trx_line_id: Any = None,
    p_line_number: Any = None,
    p_show_closed_invoices: Any = "N",
    p_called_from: Any = None,
    p_move_deferred_tax: Any = "Y",
    p_link_to_trx_hist_id: Any = None,
    p_attribute_rec: Any = None,
    p_global_attribute_rec: Any = None,
    p_comments: Any = None,
    p_payment_set_id: Any = None,
    p_application_ref_type: Any = None,
    p_application_ref_id: Any = None,
    p_application_ref_num: Any = None,
    p_secondary_application_ref_id: Any = None,
    p_application_ref_reason: Any = None,
    p_customer_reference: Any = None,
    p_customer_reason: Any = None,
    p_org_id: Any = None,
) -> dict[str, Any]:
    """Apply a receipt to one installment: RA APP + UNAPP pair, both PS balances (§2, §3.3)."""
    args = locals()

    def body() -> dict[str, Any]:
        org = ctx.check_org(p_org_id)
        cr = _receipt(ctx, org, p_cash_receipt_id, p_receipt_number)
        _apply(ctx, org, cr, args)
        return {}

    return ctx.frame(f"{PKG}.APPLY", body, init_msg_list=p_init_msg_list, api_version=p_api_version)


# unconfirmed: specs/oracle.md "Open questions" — CREATE_AND_APPLY atomicity: the mock undoes the
# receipt too when the application fails (one savepoint for the whole call).
CREATE_AND_APPLY_ATOMIC = True


@api(f"{PKG}.CREATE_AND_APPLY", out=(*STD, "p_cr_id"))
def create_and_apply(
    ctx: ApiContext,
    *,
    p_api_version: Any,
    p_init_msg_list: Any = "F",
    p_commit: Any = "F",
    p_validation_level: Any = 100,
    x_return_status: Any = None,
    x_msg_count: Any = None,
    x_msg_data: Any = None,
    p_currency_code: Any = None,
    p_exchange_rate_type: Any = None,
    p_exchange_rate: Any = None,
    p_exchange_rate_date: Any = None,
    p_amount: Any = None,
    p_receipt_number: Any = None,
    p_receipt_date: Any = None,
    p_gl_date: Any = None,
    p_customer_id: Any = None,
    p_customer_number: Any = None,
    p_customer_site_use_id: Any = None,
    p_customer_receipt_reference: Any = None,
    p_receipt_method_id: Any = None,
    p_receipt_method_name: Any = None,
    p_attribute_rec: Any = None,
    p_comments: Any = None,
    p_cr_id: Any = None,
    p_customer_trx_id: Any = None,
    p_trx_number: Any = None,
    p_installment: Any = None,
    p_applied_payment_schedule_id: Any = None,
    p_amount_applied: Any = None,
    p_amount_applied_from: Any = None,
    p_discount: Any = None,
    p_apply_date: Any = None,
    p_apply_gl_date: Any = None,
    app_comments: Any = None,
    p_customer_reference: Any = None,
    p_called_from: Any = None,
    p_org_id: Any = None,
) -> dict[str, Any]:
    """CREATE_CASH then APPLY to one invoice in one call (§1: one invoice only)."""
    args = locals()

    def body() -> dict[str, Any]:
        org = ctx.check_org(p_org_id)
        cr_id = _create_cash(ctx, org, args)
        cr = _receipt(ctx, org, cr_id)
        _apply(ctx, org, cr, {**args, "p_comments": app_comments})
        return {"p_cr_id": Decimal(cr_id)}

    return ctx.frame(
        f"{PKG}.CREATE_AND_APPLY", body, init_msg_list=p_init_msg_list, api_version=p_api_version
    )


# ---- UNAPPLY -------------------------------------------------------------------------------------
@api(f"{PKG}.UNAPPLY", out=STD)
def unapply(
    ctx: ApiContext,
    *,
    p_api_version: Any,
    p_init_msg_list: Any = "F",
    p_commit: Any = "F",
    p_validation_level: Any = 100,
    x_return_status: Any = None,
    x_msg_count: Any = None,
    x_msg_data: Any = None,
    p_receipt_number: Any = None,
    p_cash_receipt_id: Any = None,
    p_trx_number: Any = None,
    p_customer_trx_id: Any = None,
    p_installment: Any = None,
    p_applied_payment_schedule_id: Any = None,
    p_receivable_application_id: Any = None,
    p_reversal_gl_date: Any = None,
    p_called_from: Any = None,
    p_cancellation_type: Any = None,
    p_org_id: Any = None,
) -> dict[str, Any]:
    """Reverse an APP row: display N + REVERSAL_GL_DATE, opposite rows, PS restored (§2, §3.3)."""

    def body() -> dict[str, Any]:
        org = ctx.check_org(p_org_id)
        sql = (
            "SELECT * FROM AR_RECEIVABLE_APPLICATIONS_ALL WHERE ORG_ID = ? AND STATUS = 'APP' "
            "AND DISPLAY = 'Y' "
        )
        if p_receivable_application_id is not None:
            app = ctx.one(
                sql + "AND RECEIVABLE_APPLICATION_ID = ?", org, int(p_receivable_application_id)
            )
        else:
            app = ctx.one(
                sql + "AND CASH_RECEIPT_ID = ? AND APPLIED_PAYMENT_SCHEDULE_ID = ?",
                org,
                p_cash_receipt_id,
                p_applied_payment_schedule_id,
            )
        if app is None:  # unconfirmed: docs/specs/oracle.md §3.3 names no message for this case
            raise ctx.fail("AR_RAPI_REC_APP_ID_INVALID")
        rev_gl = trunc(date(p_reversal_gl_date))
        if rev_gl is None:
            raise ctx.fail("AR_RAPI_REV_GL_DATE_NULL")
        app_gl = trunc(date(app["GL_DATE"]))
        if app_gl and rev_gl < app_gl:
            ctx.error("AR_RW_BEFORE_APP_GL_DATE")
        _check_gl_date(ctx, org, rev_gl)
        ctx.stop_if_errors()
        cr = _receipt(ctx, org, app["CASH_RECEIPT_ID"])
        undo_application(ctx, cr, app, rev_gl)
        return {}

    return ctx.frame(
        f"{PKG}.UNAPPLY", body, init_msg_list=p_init_msg_list, api_version=p_api_version
    )


def undo_application(ctx: ApiContext, cr: dict[str, Any], app: dict[str, Any], rev_gl: Any) -> None:
    """Take one live APP row back (UNAPPLY, and REVERSE for each of a receipt's applications):
    display N + REVERSAL_GL_DATE on it, the opposite APP and UNAPP rows, the item's PS restored
    and the amount back on the receipt as unapplied (§2 "Unapply")."""
    amount = dec(app["AMOUNT_APPLIED"])
    consumed = dec(app["AMOUNT_APPLIED_FROM"]) if app["AMOUNT_APPLIED_FROM"] is not None else amount
    discount = dec(app["EARNED_DISCOUNT_TAKEN"])
    today = ctx.today()
    ctx.update(
        "AR_RECEIVABLE_APPLICATIONS_ALL",
        "RECEIVABLE_APPLICATION_ID",
        app["RECEIVABLE_APPLICATION_ID"],
        {"DISPLAY": "N", "REVERSAL_GL_DATE": rev_gl},
    )
    buckets = {
        "LINE_APPLIED": "AMOUNT_LINE_ITEMS_REMAINING",
        "TAX_APPLIED": "TAX_REMAINING",
        "FREIGHT_APPLIED": "FREIGHT_REMAINING",
        "RECEIVABLES_CHARGES_APPLIED": "RECEIVABLES_CHARGES_REMAINING",
    }
    _ra(
        ctx,
        cr,
        APPLIED_PAYMENT_SCHEDULE_ID=app["APPLIED_PAYMENT_SCHEDULE_ID"],
        APPLIED_CUSTOMER_TRX_ID=app["APPLIED_CUSTOMER_TRX_ID"],
        AMOUNT_APPLIED=-amount,
        AMOUNT_APPLIED_FROM=-consumed if app["AMOUNT_APPLIED_FROM"] is not None else None,
        EARNED_DISCOUNT_TAKEN=-discount if discount else None,
        **{k: -dec(app[k]) for k in buckets},
        APPLY_DATE=today,
        GL_DATE=rev_gl,
        REVERSAL_GL_DATE=rev_gl,
        STATUS="APP",
        DISPLAY="N",
        COMMENTS=app["COMMENTS"],
        CUSTOMER_REFERENCE=app["CUSTOMER_REFERENCE"],
    )
    _ra(
        ctx,
        cr,
        AMOUNT_APPLIED=consumed,
        STATUS="UNAPP",
        DISPLAY="N",
        APPLY_DATE=today,
        GL_DATE=rev_gl,
    )
    ps = ctx.one(
        "SELECT * FROM AR_PAYMENT_SCHEDULES_ALL WHERE PAYMENT_SCHEDULE_ID = ?",
        app["APPLIED_PAYMENT_SCHEDULE_ID"],
    )
    assert ps is not None
    _set_ps(
        ctx,
        ps["PAYMENT_SCHEDULE_ID"],
        dec(ps["AMOUNT_DUE_REMAINING"]) + amount + discount,
        rev_gl,
        today,
        AMOUNT_APPLIED=dec(ps["AMOUNT_APPLIED"]) - amount,
        DISCOUNT_TAKEN_EARNED=dec(ps["DISCOUNT_TAKEN_EARNED"]) - discount,
        **{ps_col: dec(ps[ps_col]) + dec(app[ra_col]) for ra_col, ps_col in buckets.items()},
    )
    _receipt_balance(ctx, cr, -consumed, rev_gl, today)
