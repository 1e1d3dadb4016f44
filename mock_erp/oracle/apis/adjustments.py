"""AR_ADJUST_PUB.CREATE_ADJUSTMENT: invoice write-offs, partial adjustments (specs/oracle.md §3.5).

Checks run in the spec's order; a blank status becomes A inside the user's ADJ approval limits
and W (pending approval, balance untouched) outside them (§7 item 10).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mock_erp.oracle.apis import messages
from mock_erp.oracle.apis.context import ApiContext, ApiFailed, date, dec, trunc
from mock_erp.oracle.apis.receipts import _FAR, UNPOSTED, _split_buckets
from mock_erp.oracle.apis.registry import api

TYPES = ("INVOICE", "LINE", "TAX", "FREIGHT", "CHARGES")
CLASSES = ("INV", "DM", "CM", "DEP", "GUAR", "BR", "CB")
ACTIVITY_TYPES = ("ADJUST", "ENDORSEMENT", "FINCHRG")
SYSTEM_ACTIVITIES = (-11, -13)  # reserved chargeback activities (§3.5)
CREATE_STATUSES = ("A", "W", "M")
BUCKET = {
    "LINE": "AMOUNT_LINE_ITEMS_REMAINING",
    "TAX": "TAX_REMAINING",
    "FREIGHT": "FREIGHT_REMAINING",
    "CHARGES": "RECEIVABLES_CHARGES_REMAINING",
}
ADJUSTED = {
    "AMOUNT_LINE_ITEMS_REMAINING": "LINE_ADJUSTED",
    "TAX_REMAINING": "TAX_ADJUSTED",
    "FREIGHT_REMAINING": "FREIGHT_ADJUSTED",
    "RECEIVABLES_CHARGES_REMAINING": "RECEIVABLES_CHARGES_ADJUSTED",
}
# AR_ADJVALIDATE_PVT.Within_approval_limits (ARXVADJB.pls; public copy:
# https://github.com/ginnisingh98/Views-Tables/blob/master/PACKAGE_BODIES/AR_ADJVALIDATE_PVT.sql):
# no ADJ row for the user and currency adds AR_VAL_USER_LIMIT, an amount outside [from, to]
# adds AR_VAL_AMT_APPROVAL_LIMIT; neither is an error ("Add a message. But do not signal
# error"): the approved flag goes false and the adjustment is created with status W.
NO_LIMIT_MESSAGE, OVER_LIMIT_MESSAGE = "AR_VAL_USER_LIMIT", "AR_VAL_AMT_APPROVAL_LIMIT"
OUTS = ("p_return_status", "p_msg_count", "p_msg_data")


def _move_balance(
    ctx: ApiContext,
    ps: dict[str, Any],
    amount: Decimal,
    parts: dict[str, Decimal],
    gl_date: Any,
    apply_date: Any,
    pending: Decimal = Decimal(0),
) -> None:
    """An approved adjustment moves the balance: AMOUNT_ADJUSTED, ADR, buckets, CL at 0;
    ``pending`` is what leaves AMOUNT_ADJUSTED_PENDING (an approval of a W adjustment)."""
    new_adr = dec(ps["AMOUNT_DUE_REMAINING"]) + amount
    closed = new_adr == 0
    ctx.update(
        "AR_PAYMENT_SCHEDULES_ALL",
        "PAYMENT_SCHEDULE_ID",
        ps["PAYMENT_SCHEDULE_ID"],
        {
            "AMOUNT_ADJUSTED": dec(ps["AMOUNT_ADJUSTED"]) + amount,
            "AMOUNT_ADJUSTED_PENDING": dec(ps["AMOUNT_ADJUSTED_PENDING"]) - pending,
            "AMOUNT_DUE_REMAINING": new_adr,
            **{k: dec(ps[k]) + v for k, v in parts.items()},
            "STATUS": "CL" if closed else "OP",
            "GL_DATE_CLOSED": gl_date if closed else _FAR,
            "ACTUAL_DATE_CLOSED": apply_date if closed else _FAR,
        },
    )


def _limits(ctx: ApiContext, currency: str) -> tuple[Decimal, Decimal] | None:
    """The user's ADJ range in the currency (the setting ``approval_limits`` is written into
    this table by OracleBackend.apply_settings)."""
    lim = ctx.one(
        "SELECT AMOUNT_FROM, AMOUNT_TO FROM AR_APPROVAL_USER_LIMITS WHERE USER_ID = ? AND "
        "CURRENCY_CODE = ? AND DOCUMENT_TYPE = 'ADJ'",
        ctx.user_id,
        currency,
    )
    return None if lim is None else (dec(lim["AMOUNT_FROM"]), dec(lim["AMOUNT_TO"]))


def _status(ctx: ApiContext, requested: Any, amount: Decimal, currency: str, check: bool) -> str:
    """A inside the user's ADJ approval limits (signed range, invoice currency), else W.

    A requested 'A' outside the limits is downgraded to W (docs/specs/oracle.md, corrections).
    """
    if not check:
        return str(requested or "A")
    limits = _limits(ctx, currency)
    if limits is None:
        ctx.add_message(NO_LIMIT_MESSAGE, CURRENCY=currency)
        inside = False
    else:
        inside = limits[0] <= amount <= limits[1]
        if not inside:
            ctx.add_message(OVER_LIMIT_MESSAGE)
    if requested in (None, "", "A"):
        return "A" if inside else "W"
    return str(requested)


@api("AR_ADJUST_PUB.CREATE_ADJUSTMENT", out=(*OUTS, "p_new_adjust_number", "p_new_adjust_id"))
def create_adjustment(
    ctx: ApiContext,
    *,
    p_api_name: Any = "AR_ADJUST_PUB",
    p_api_version: Any,
    p_init_msg_list: Any = "F",
    p_commit_flag: Any = "F",
    p_validation_level: Any = 100,
    p_msg_count: Any = None,
    p_msg_data: Any = None,
    p_return_status: Any = None,
    p_adj_rec: Any,
    p_chk_approval_limits: Any = "T",
    p_check_amount: Any = "T",
    p_move_deferred_tax: Any = "Y",
    p_new_adjust_number: Any = None,
    p_new_adjust_id: Any = None,
    p_called_from: Any = None,
    p_old_adjust_id: Any = None,
    p_org_id: Any = None,
) -> dict[str, Any]:
    """Create one adjustment from ``p_adj_rec`` (an AR_ADJUSTMENTS%ROWTYPE the block filled)."""
    rec = p_adj_rec.values

    def body() -> dict[str, Any]:
        org = ctx.check_org(p_org_id)
        typ = rec.get("type")
        if typ not in TYPES:  # 1
            raise ctx.fail("AR_AAPI_INVALID_ADJUSTMENT_TYPE", TYPE=typ)
        ps_id = rec.get("payment_schedule_id")  # 2
        ps = (
            None
            if ps_id is None or ps_id <= 0
            else ctx.one(
                "SELECT * FROM AR_PAYMENT_SCHEDULES_ALL WHERE PAYMENT_SCHEDULE_ID = ? AND "
                "ORG_ID = ?",
                int(ps_id),
                org,
            )
        )
        if ps is None:
            raise ctx.fail("AR_AAPI_INVALID_PAYSCHD", PAYMENT_SCHEDULE_ID=ps_id)
        if ps["CLASS"] not in CLASSES:
            raise ctx.fail("AR_AAPI_INVALID_TRX_CLASS", CLASS=ps["CLASS"])
        apply_date, gl_date = (
            trunc(date(rec.get("apply_date"))),
            trunc(date(rec.get("gl_date"))),
        )  # 3
        if apply_date is None:
            ctx.error("AR_AAPI_NO_APPLY_DATE")
        if gl_date is None:
            ctx.error("AR_AAPI_NO_GL_DATE")
        elif not ctx.period_open(org, gl_date):
            ctx.error("AR_AAPI_GLDATE_INVALID_PERIOD", GL_DATE=gl_date)
        trx_date, trx_gl = trunc(date(ps["TRX_DATE"])), trunc(date(ps["GL_DATE"]))
        if apply_date and trx_date and apply_date < trx_date:
            ctx.error("AR_AAPI_APPLYDATE_LT_TRXDATE")
        if gl_date and trx_gl and gl_date < trx_gl:
            ctx.error("AR_AAPI_GLDATE_LT_TRXGLDATE")
        ctx.stop_if_errors()
        assert apply_date is not None and gl_date is not None
        currency = ps["INVOICE_CURRENCY_CODE"]
        adr = dec(ps["AMOUNT_DUE_REMAINING"])  # 4
        amount = rec.get("amount")
        if typ == "INVOICE":
            if adr == 0:
                raise ctx.fail("AR_AAPI_ADR_ZERO_INV")
            amount = -adr if amount in (None, 0) else ctx.round_money(Decimal(amount), currency)
            if amount != -adr:
                raise ctx.fail("AR_TW_VAL_AMT_ADJ_INV", AMOUNT=-adr)
        else:
            if amount in (None, 0):
                raise ctx.fail("AR_AAPI_ADJ_AMOUNT_ZERO")
            amount = ctx.round_money(Decimal(amount), currency)
        requested = rec.get("status")
        if requested not in (None, *CREATE_STATUSES):
            raise ctx.fail("AR_AAPI_INVALID_CREATE_STATUS", STATUS=requested)
        status = _status(ctx, requested, amount, currency, (p_chk_approval_limits or "T") == "T")
        trx_id = rec.get("receivables_trx_id")  # 5
        act = (
            None
            if trx_id is None or int(trx_id) in SYSTEM_ACTIVITIES
            else ctx.one(
                "SELECT * FROM AR_RECEIVABLES_TRX_ALL WHERE RECEIVABLES_TRX_ID = ? AND ORG_ID "
                "= ? AND STATUS = 'A' "
                "AND (END_DATE_ACTIVE IS NULL OR END_DATE_ACTIVE >= ?)",
                int(trx_id),
                org,
                apply_date,
            )
        )
        if act is None or act["TYPE"] not in ACTIVITY_TYPES:
            raise ctx.fail("AR_AAPI_INVALID_RCVABLE_TRX_ID", RECEIVABLES_TRX_ID=trx_id)
        if act["GL_ACCOUNT_SOURCE"] == "ACTIVITY_GL_ACCOUNT" and act["CODE_COMBINATION_ID"] is None:
            raise ctx.fail("AR_AAPI_NO_CCID_FOR_ACTIVITY")
        if typ == "INVOICE":  # 7: over-adjustment against the bucket
            parts = _split_buckets(ctx, ps, amount, currency)
        else:
            parts = {BUCKET[typ]: amount}
            remaining = dec(ps[BUCKET[typ]])
            if amount < 0 and -amount > remaining:
                raise ctx.fail("AR_CKAP_OVERAPP")
        if not rec.get("created_from"):
            ctx.error("AR_AAPI_NO_CREATED_FROM")
        if rec.get("reason_code") is not None and not ctx.lookup_ok(
            "ADJUST_REASON", rec["reason_code"]
        ):
            ctx.error("AR_AAPI_INVALID_REASON_CODE", REASON_CODE=rec["reason_code"])
        ctx.stop_if_errors()
        adj_id = ctx.next_id("AR_ADJUSTMENTS_S")
        number = str(ctx.next_id("AR_ADJUSTMENT_NUMBER_S"))
        rate = dec(ps["EXCHANGE_RATE"]) if ps["EXCHANGE_RATE"] is not None else Decimal(1)
        attrs = {
            k.upper(): v for k, v in rec.items() if k.startswith("attribute") and v is not None
        }
        ctx.insert(
            "AR_ADJUSTMENTS_ALL",
            {
                **attrs,
                "ADJUSTMENT_ID": adj_id,
                "ADJUSTMENT_NUMBER": number,
                "AMOUNT": amount,
                "ACCTD_AMOUNT": amount * rate,
                "APPLY_DATE": apply_date,
                "GL_DATE": gl_date,
                "TYPE": typ,
                "ADJUSTMENT_TYPE": rec.get("adjustment_type") or "M",
                "STATUS": status,
                "PAYMENT_SCHEDULE_ID": ps["PAYMENT_SCHEDULE_ID"],
                "CUSTOMER_TRX_ID": ps["CUSTOMER_TRX_ID"],
                "RECEIVABLES_TRX_ID": int(trx_id),
                "REASON_CODE": rec.get("reason_code"),
                "COMMENTS": rec.get("comments"),
                "CREATED_FROM": rec.get("created_from"),
                "POSTABLE": "Y",
                "POSTING_CONTROL_ID": UNPOSTED,
                "APPROVED_BY": ctx.user_id if status == "A" else None,
                "ORG_ID": org,
                **{ADJUSTED[k]: v for k, v in parts.items()},
            },
        )
        if status == "A":  # the balance moves; W only records the pending amount [derived]
            _move_balance(ctx, ps, amount, parts, gl_date, apply_date)
        elif status == "W":
            ctx.update(
                "AR_PAYMENT_SCHEDULES_ALL",
                "PAYMENT_SCHEDULE_ID",
                ps["PAYMENT_SCHEDULE_ID"],
                {"AMOUNT_ADJUSTED_PENDING": dec(ps["AMOUNT_ADJUSTED_PENDING"]) + amount},
            )
        return {"p_new_adjust_number": number, "p_new_adjust_id": Decimal(adj_id)}

    return ctx.frame(
        "AR_ADJUST_PUB.CREATE_ADJUSTMENT",
        body,
        init_msg_list=p_init_msg_list,
        api_version=p_api_version,
        names=OUTS,
    )


# AR_ADJUST_PUB.Approve_Adjustment and Validate_Adj_Approve (ARXPADJB.pls; public copy:
# github.com/ginnisingh98/Views-Tables PACKAGE_BODIES/AR_ADJUST_PUB.sql): what an approver does in
# the Approve Adjustments form (ARXADJMT). An adjustment already A or R cannot change
# (AR_AAPI_NO_CHANGE_OR_REVERSE); the new status is A (NULL defaults to A), R, W or M
# (lookup APPROVAL_TYPE; else AR_AAPI_INVALID_CHANGE_STATUS); approving checks the APPROVER's
# ADJ limits in the invoice currency (AR_VAL_AMT_APPROVAL_LIMIT: an error here, not a W) and
# the GL date; the entity handler (arp_process_adjustment.update_approve_adj) moves the balance,
# and its failures come back as GENERIC_MESSAGE. A non-null p_adj_rec.comments REPLACES the
# adjustment's comments.
CHANGE_STATUSES = ("A", "R", "W", "M")
FINAL_STATUSES = ("A", "R")
messages.TEXTS.update(
    {
        "AR_AAPI_INVALID_ADJ_ID": "The adjustment id &ADJUSTMENT_ID is invalid.",
        "AR_AAPI_NO_CHANGE_OR_REVERSE": (
            "An adjustment with status &STATUS cannot be changed or approved."
        ),
        "AR_AAPI_INVALID_CHANGE_STATUS": "The new adjustment status &STATUS is invalid.",
        "AR_AAPI_INVALID_PAYMENT_SCHEDULE": (
            "The payment schedule id &PAYMENT_SCHEDULE_ID is invalid."
        ),
    }
)


@api("AR_ADJUST_PUB.APPROVE_ADJUSTMENT", out=OUTS)
def approve_adjustment(
    ctx: ApiContext,
    *,
    p_api_name: Any = "AR_ADJUST_PUB",
    p_api_version: Any,
    p_init_msg_list: Any = "F",
    p_commit_flag: Any = "F",
    p_validation_level: Any = 100,
    p_msg_count: Any = None,
    p_msg_data: Any = None,
    p_return_status: Any = None,
    p_adj_rec: Any,
    p_chk_approval_limits: Any = "T",
    p_move_deferred_tax: Any = "Y",
    p_old_adjust_id: Any,
    p_org_id: Any = None,
) -> dict[str, Any]:
    """Approve (A), reject (R) or park (W/M) a pending adjustment, as the current user."""
    rec = p_adj_rec.values

    def body() -> dict[str, Any]:
        org = ctx.check_org(p_org_id)
        old = (
            None
            if p_old_adjust_id is None
            else ctx.one(
                "SELECT * FROM AR_ADJUSTMENTS_ALL WHERE ADJUSTMENT_ID = ? AND ORG_ID = ?",
                int(p_old_adjust_id),
                org,
            )
        )
        if old is None:
            raise ctx.fail("AR_AAPI_INVALID_ADJ_ID", ADJUSTMENT_ID=p_old_adjust_id)
        if old["STATUS"] in FINAL_STATUSES:
            ctx.error("AR_AAPI_NO_CHANGE_OR_REVERSE", STATUS=old["STATUS"])
        status = rec.get("status") or "A"
        if status not in CHANGE_STATUSES:
            ctx.error("AR_AAPI_INVALID_CHANGE_STATUS", STATUS=status)
        ps = ctx.one(
            "SELECT * FROM AR_PAYMENT_SCHEDULES_ALL WHERE PAYMENT_SCHEDULE_ID = ?",
            old["PAYMENT_SCHEDULE_ID"],
        )
        if ps is None:
            raise ctx.fail(
                "AR_AAPI_INVALID_PAYMENT_SCHEDULE", PAYMENT_SCHEDULE_ID=old["PAYMENT_SCHEDULE_ID"]
            )
        amount = dec(old["AMOUNT"])
        if status == "A" and (p_chk_approval_limits or "T") == "T":
            limits = _limits(ctx, ps["INVOICE_CURRENCY_CODE"])
            if limits is None:
                ctx.add_message(NO_LIMIT_MESSAGE, CURRENCY=ps["INVOICE_CURRENCY_CODE"])
            if limits is None or not limits[0] <= amount <= limits[1]:
                ctx.error(OVER_LIMIT_MESSAGE)
        gl_date = trunc(date(rec.get("gl_date"))) or trunc(date(old["GL_DATE"]))
        assert gl_date is not None
        if not ctx.period_open(org, gl_date):
            ctx.error("AR_AAPI_GLDATE_INVALID_PERIOD", GL_DATE=gl_date)
        ctx.stop_if_errors()
        values: dict[str, Any] = {"STATUS": status, "GL_DATE": gl_date}
        if rec.get("comments") is not None:
            values["COMMENTS"] = rec["comments"]
        if status == "A":
            parts = {k: dec(old[col]) for k, col in ADJUSTED.items() if old[col] is not None}
            after = dec(ps["AMOUNT_DUE_REMAINING"]) + amount
            if after != 0 and (after > 0) != (dec(ps["AMOUNT_DUE_ORIGINAL"]) > 0):
                ctx.add_message(
                    "GENERIC_MESSAGE",
                    GENERIC_TEXT="arp_process_adjustment.update_approve_adj exception: "
                    "ORA-20001: APP-AR-11249: " + messages.TEXTS["AR_CKAP_OVERAPP"],
                )
                raise ApiFailed("E")
            pending = amount if old["STATUS"] == "W" else Decimal(0)
            _move_balance(ctx, ps, amount, parts, gl_date, ctx.today(), pending)
            values["APPROVED_BY"] = ctx.user_id
        elif status == "R" and old["STATUS"] == "W":
            ctx.update(
                "AR_PAYMENT_SCHEDULES_ALL",
                "PAYMENT_SCHEDULE_ID",
                ps["PAYMENT_SCHEDULE_ID"],
                {"AMOUNT_ADJUSTED_PENDING": dec(ps["AMOUNT_ADJUSTED_PENDING"]) - amount},
            )
        ctx.update("AR_ADJUSTMENTS_ALL", "ADJUSTMENT_ID", old["ADJUSTMENT_ID"], values)
        return {}

    return ctx.frame(
        "AR_ADJUST_PUB.APPROVE_ADJUSTMENT",
        body,
        init_msg_list=p_init_msg_list,
        api_version=p_api_version,
        names=OUTS,
    )
