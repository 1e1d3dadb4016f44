"""AR_CM_API_PUB: an on-account credit memo applied to (and taken off) an invoice or debit memo.

Why this API: in R12 the public way to net a credit memo against an invoice is
AR_CM_API_PUB.APPLY_ON_ACCOUNT (ARXPCMES.pls / ARXPCMEB.pls, validation in AR_CM_VAL_PVT,
ARXVCMEB.pls, entity handler ARP_PROCESS_APPLICATION.cm_application, ARCEAPPB.pls; public copies:
github.com/ginnisingh98/Views-Tables PACKAGES/AR_CM_API_PUB.sql,
PACKAGE_BODIES/AR_CM_API_PUB.sql, PACKAGE_BODIES/AR_CM_VAL_PVT.sql,
PACKAGE_BODIES/ARP_PROCESS_APPLICATION.sql). AR_CM_APPLICATION_PUB.ACTIVITY_APPLICATION applies a
credit memo to an *activity* (refund, PS -8), not to a debit item.

What the source does, and the mock with it (docs/mock-erp-plsql.md, "Credit memo applications"):
- ids: `cm_trx_number` / `inv_trx_number` resolve to ids (AR_RAPI_TRX_NUM_INVALID);
  `applied_payment_schedule_id` must be an INV or DM schedule (AR_RAPI_APP_PS_ID_INVALID); an
  invoice id without installment takes its only one (AR_RAPI_CUST_TRX_ID_INVALID,
  AR_RAPI_INSTALL_NULL).
- the credit memo: missing AR_CMAPI_CM_TRX_ID_NULL, unknown AR_CMAPI_CM_TRX_ID_INVALID; its class,
  status and remaining amount are NOT checked by the API (validate_amount_applied only refuses a
  NULL amount, "Should we check for natural application here???"), so a closed credit memo or
  one applied beyond its remaining goes through: the caller must check.
- the invoice is looked up in AR_OPEN_TRX_V with the credit memo's currency, status OP
  (unless show_closed_invoices = 'Y') and, with "pay unrelated invoices" off, the credit
  memo's customer. A miss is swallowed (default_trx_info's NO_DATA_FOUND handler only logs):
  with `applied_payment_schedule_id` passed the application then goes on unchecked; without
  it the entity handler finds no schedule and the API ends in status U with GENERIC_MESSAGE
  "APPLY : ORA-01403: no data found". The mock does both, as the source does.
- dates: AR_APPLY_BEFORE_TRANSACTION, AR_APPLY_BEFORE_CM, AR_VAL_GL_INV_GL,
  AR_RW_GL_DATE_BEFORE_CM_GL, AR_INVALID_APP_GL_DATE (token GL_DATE).
- cm_application refuses a second live application of one credit memo to one installment
  (AR_RW_PAID_INVOICE_TWICE) and an over-application of an invoice whose type does not allow
  it (AR_CKAP_OVERAPP); both are APP_EXCEPTION.raise_exception (ORA-20001), which the API turns
  into status E with one GENERIC_MESSAGE naming the entity handler and the ORA text.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mock_erp.oracle.apis import messages
from mock_erp.oracle.apis.context import ApiContext, ApiFailed, date, dec, trunc
from mock_erp.oracle.apis.receipts import STD, _check_gl_date, _set_ps, _split_buckets
from mock_erp.oracle.apis.registry import api, record_type
from mock_erp.oracle.plsql.values import DATE, NUMBER, PlType

PKG = "AR_CM_API_PUB"
APP_OUTS = (
    *STD,
    "x_out_rec_application_id",
    "x_acctd_amount_applied_from",
    "x_acctd_amount_applied_to",
)
DEBIT_CLASSES = ("INV", "DM")  # default_app_ids: c_pay_sched "class in ('INV','DM')"
#: AR system option "Allow payment of unrelated transactions" (ARP_GLOBAL.sysparam.
#: pay_unrelated_invoices_flag). Off, the harsher and the usual setup: only the credit memo's
#: own customer (related accounts and paying relationships are not modelled).
PAY_UNRELATED_INVOICES = False
ORA_NO_DATA = "ORA-01403: no data found"
APP_ERROR = "ORA-20001: APP-AR-{number}: {text}"  # APP_EXCEPTION.raise_exception's SQLERRM

messages.TEXTS.update(
    {  # the mock's wording (docs/specs/oracle.md: only names are confirmed)
        "AR_CMAPI_CM_TRX_ID_NULL": "The credit memo is missing.",
        "AR_CMAPI_CM_TRX_ID_INVALID": "The credit memo id is invalid.",
        "AR_RAPI_TRX_NUM_INVALID": "The transaction number is invalid.",
        "AR_RAPI_CUST_TRX_ID_NULL": "The transaction is missing.",
        "AR_RAPI_TRX_PS_ID_X_INVALID": (
            "The payment schedule does not belong to the transaction and installment."
        ),
        "AR_APPLY_BEFORE_CM": "The apply date is before the credit memo date.",
        "AR_RW_GL_DATE_BEFORE_CM_GL": "The application GL date is before the credit memo GL date.",
        "AR_RAPI_APPLIED_AMT_NULL": "The amount applied is null.",
        "AR_RW_PAID_INVOICE_TWICE": "This credit memo is already applied to this installment.",
        "AR_CMAPI_CM_NOT_APP_TO_INV": "The credit memo is not applied to this transaction.",
        "GENERIC_MESSAGE": "&GENERIC_TEXT",
    }
)


def _v(n: int) -> PlType:
    return PlType("VARCHAR2", n)


def _record(name: str, *fields: tuple[str, PlType]) -> None:
    record_type(name, PlType("RECORD", name=name, fields=tuple(fields)))


_ATTRS = [("attribute_category", _v(30)), *((f"attribute{i}", _v(150)) for i in range(1, 16))]
_GLOBAL = [
    ("global_attribute_category", _v(30)),
    *((f"global_attribute{i}", _v(150)) for i in range(1, 21)),
]
_record(
    f"{PKG}.CM_APP_REC_TYPE",
    ("cm_customer_trx_id", NUMBER),
    ("cm_trx_number", _v(20)),
    ("inv_customer_trx_id", NUMBER),
    ("inv_trx_number", _v(20)),
    ("installment", NUMBER),
    ("applied_payment_schedule_id", NUMBER),
    ("amount_applied", NUMBER),
    ("apply_date", DATE),
    ("gl_date", DATE),
    ("inv_customer_trx_line_id", NUMBER),
    ("inv_line_number", NUMBER),
    ("show_closed_invoices", _v(1)),
    ("ussgl_transaction_code", _v(30)),
    *_ATTRS,
    *_GLOBAL,
    ("comments", _v(240)),
    ("called_from", _v(20)),
)
_record(
    f"{PKG}.CM_UNAPP_REC_TYPE",
    ("cm_customer_trx_id", NUMBER),
    ("cm_trx_number", _v(20)),
    ("inv_customer_trx_id", NUMBER),
    ("inv_trx_number", _v(20)),
    ("installment", NUMBER),
    ("applied_payment_schedule_id", NUMBER),
    ("receivable_application_id", NUMBER),
    ("reversal_gl_date", DATE),
    ("called_from", _v(20)),
)


def _trx_id(ctx: ApiContext, org: int, given: Any, number: Any) -> Any:
    """default_customer_trx_id: the id as given, else the one of the number."""
    if given is not None or number is None:
        return given
    row = ctx.one(
        "SELECT CUSTOMER_TRX_ID FROM RA_CUSTOMER_TRX_ALL WHERE TRX_NUMBER = ? AND ORG_ID = ?",
        str(number),
        org,
    )
    if row is None:
        ctx.error("AR_RAPI_TRX_NUM_INVALID")
        return None
    return row["CUSTOMER_TRX_ID"]


def _debit_ids(
    ctx: ApiContext, org: int, inv_id: Any, installment: Any, ps_id: Any
) -> tuple[Any, Any]:
    """default_app_ids steps 4: (invoice id, installment) from the schedule or the invoice."""
    if ps_id is not None:
        row = ctx.one(
            "SELECT CUSTOMER_TRX_ID, TERMS_SEQUENCE_NUMBER FROM AR_PAYMENT_SCHEDULES_ALL "
            "WHERE PAYMENT_SCHEDULE_ID = ? AND PAYMENT_SCHEDULE_ID > 0 AND ORG_ID = ? "
            f"AND CLASS IN ({', '.join(repr(c) for c in DEBIT_CLASSES)})",
            int(ps_id),
            org,
        )
        if row is None:
            ctx.error("AR_RAPI_APP_PS_ID_INVALID")
            return inv_id, installment
        if inv_id is None or int(inv_id) == row["CUSTOMER_TRX_ID"]:
            inv_id = row["CUSTOMER_TRX_ID"]
        if installment is None or int(installment) == row["TERMS_SEQUENCE_NUMBER"]:
            installment = row["TERMS_SEQUENCE_NUMBER"]
        return inv_id, installment
    if inv_id is not None and installment is None:
        rows = ctx.rows(
            "SELECT TERMS_SEQUENCE_NUMBER FROM AR_PAYMENT_SCHEDULES_ALL WHERE CUSTOMER_TRX_ID = ? "
            "AND ORG_ID = ?",
            int(inv_id),
            org,
        )
        if not rows:
            ctx.error("AR_RAPI_CUST_TRX_ID_INVALID")
        elif len(rows) > 1:
            ctx.error("AR_RAPI_INSTALL_NULL")
        else:
            installment = rows[0]["TERMS_SEQUENCE_NUMBER"]
    return inv_id, installment


def _credit_memo(ctx: ApiContext, org: int, cm_id: Any) -> dict[str, Any] | None:
    """default_cm_info: the transaction's schedule, whatever its class or status."""
    if cm_id is None:
        ctx.error("AR_CMAPI_CM_TRX_ID_NULL")
        return None
    cm = ctx.one(
        "SELECT ps.*, t.TRX_DATE AS CM_TRX_DATE FROM RA_CUSTOMER_TRX_ALL t "
        "JOIN AR_PAYMENT_SCHEDULES_ALL ps ON ps.CUSTOMER_TRX_ID = t.CUSTOMER_TRX_ID "
        "WHERE t.CUSTOMER_TRX_ID = ? AND t.ORG_ID = ?",
        int(cm_id),
        org,
    )
    if cm is None:
        ctx.error("AR_CMAPI_CM_TRX_ID_INVALID")
    return cm


def _open_debit(
    ctx: ApiContext, org: int, cm: dict[str, Any], inv_id: Any, installment: Any, closed: bool
) -> dict[str, Any] | None:
    """default_trx_info: the installment in AR_OPEN_TRX_V terms (credit memo's currency, open,
    the credit memo's customer); None when the view has no such row (EBS says nothing)."""
    if inv_id is None or installment is None:
        ctx.error("AR_RAPI_CUST_TRX_ID_NULL")
        return None
    sql = (
        "SELECT ps.*, t.ALLOW_OVERAPPLICATION_FLAG AS ALLOW_OVER FROM AR_PAYMENT_SCHEDULES_ALL ps "
        "LEFT JOIN RA_CUST_TRX_TYPES_ALL t ON t.CUST_TRX_TYPE_ID = ps.CUST_TRX_TYPE_ID "
        "AND t.ORG_ID = ps.ORG_ID WHERE ps.CUSTOMER_TRX_ID = ? AND ps.ORG_ID = ? "
        "AND ps.TERMS_SEQUENCE_NUMBER = ? AND ps.INVOICE_CURRENCY_CODE = ?"
    )
    params: list[Any] = [int(inv_id), org, int(installment), cm["INVOICE_CURRENCY_CODE"]]
    if not closed:
        sql += " AND ps.STATUS = 'OP'"
    if not PAY_UNRELATED_INVOICES:
        sql += " AND ps.CUSTOMER_ID = ?"
        params.append(cm["CUSTOMER_ID"])
    return ctx.one(sql, *params)


def _schedule(ctx: ApiContext, ps_id: int) -> dict[str, Any] | None:
    return ctx.one(
        "SELECT ps.*, t.ALLOW_OVERAPPLICATION_FLAG AS ALLOW_OVER FROM AR_PAYMENT_SCHEDULES_ALL ps "
        "LEFT JOIN RA_CUST_TRX_TYPES_ALL t ON t.CUST_TRX_TYPE_ID = ps.CUST_TRX_TYPE_ID "
        "AND t.ORG_ID = ps.ORG_ID WHERE ps.PAYMENT_SCHEDULE_ID = ?",
        ps_id,
    )


def _handler_error(ctx: ApiContext, where: str, name: str, number: int) -> ApiFailed:
    """An entity-handler APP_EXCEPTION (ORA-20001) as AR_CM_API_PUB reports it: status E and
    one GENERIC_MESSAGE whose text names the handler and carries the ORA text."""
    text = APP_ERROR.format(number=number, text=messages.TEXTS[name])
    ctx.add_message("GENERIC_MESSAGE", GENERIC_TEXT=f"{where}{text}")
    return ApiFailed("E")


def _overapplies(original: Decimal, remaining: Decimal, applied: Decimal) -> bool:
    """ARP_DEDUCTION.overapplication_indicator [derived from its use]: the balance would pass
    zero, away from the sign of the original amount."""
    after = remaining - applied
    return after != 0 and (after > 0) != (original > 0)


def _apply_on_account(ctx: ApiContext, org: int, rec: dict[str, Any]) -> dict[str, Any]:
    cm_id = _trx_id(ctx, org, rec.get("cm_customer_trx_id"), rec.get("cm_trx_number"))
    inv_id = _trx_id(ctx, org, rec.get("inv_customer_trx_id"), rec.get("inv_trx_number"))
    ps_id = rec.get("applied_payment_schedule_id")
    inv_id, installment = _debit_ids(ctx, org, inv_id, rec.get("installment"), ps_id)
    ctx.stop_if_errors()
    cm = _credit_memo(ctx, org, cm_id)
    ctx.stop_if_errors()
    assert cm is not None
    closed = (rec.get("show_closed_invoices") or "N") == "Y"
    inv = _open_debit(ctx, org, cm, inv_id, installment, closed)
    if inv is not None:
        if ps_id is not None and int(ps_id) != inv["PAYMENT_SCHEDULE_ID"]:
            ctx.error("AR_RAPI_TRX_PS_ID_X_INVALID")
        ps_id = inv["PAYMENT_SCHEDULE_ID"]
    ctx.stop_if_errors()
    cm_trx, cm_gl = trunc(date(cm["CM_TRX_DATE"])), trunc(date(cm["GL_DATE"]))
    inv_trx = trunc(date(inv["TRX_DATE"])) if inv else None
    inv_gl = trunc(date(inv["GL_DATE"])) if inv else None
    apply_date = trunc(date(rec.get("apply_date"))) or max(
        d for d in (ctx.today(), cm_trx, inv_trx) if d
    )
    gl_date = trunc(date(rec.get("gl_date"))) or max(d for d in (cm_gl, inv_gl) if d)
    amount = rec.get("amount_applied")
    currency = cm["INVOICE_CURRENCY_CODE"]
    cm_rem = dec(cm["AMOUNT_DUE_REMAINING"])
    if amount is None and inv is not None:  # default_amt_applied (same currency only)
        inv_rem = dec(inv["AMOUNT_DUE_REMAINING"])
        if (inv_rem > 0) != (cm_rem > 0):
            amount = abs(cm_rem) if abs(inv_rem) > abs(cm_rem) else inv_rem
    if inv_trx and apply_date < inv_trx:  # validate_app_info
        ctx.error("AR_APPLY_BEFORE_TRANSACTION")
    if cm_trx and apply_date < cm_trx:
        ctx.error("AR_APPLY_BEFORE_CM")
    if inv_gl and gl_date < inv_gl:
        ctx.error("AR_VAL_GL_INV_GL")
    if cm_gl and gl_date < cm_gl:
        ctx.error("AR_RW_GL_DATE_BEFORE_CM_GL")
    _check_gl_date(ctx, org, gl_date)
    if amount is None:
        ctx.error("AR_RAPI_APPLIED_AMT_NULL")
    ctx.stop_if_errors()
    assert amount is not None
    target = None if ps_id is None else _schedule(ctx, int(ps_id))
    if target is None:  # the NULL schedule of an AR_OPEN_TRX_V miss, locked and fetched
        ctx.add_message("GENERIC_MESSAGE", GENERIC_TEXT=f"APPLY : {ORA_NO_DATA}")
        raise ApiFailed("U")
    amount = ctx.round_money(Decimal(amount), currency)
    return _cm_application(ctx, cm, target, amount, apply_date, gl_date, rec)


def _cm_application(
    ctx: ApiContext,
    cm: dict[str, Any],
    inv: dict[str, Any],
    amount: Decimal,
    apply_date: Any,
    gl_date: Any,
    rec: dict[str, Any],
) -> dict[str, Any]:
    """ARP_PROCESS_APPLICATION.cm_application: one APP row (type CM), both schedules."""
    where = "ARP_PROCESS_APPLICATION.CM_APPLICATION"
    twice = ctx.one(
        "SELECT 1 FROM AR_RECEIVABLE_APPLICATIONS_ALL WHERE PAYMENT_SCHEDULE_ID = ? "
        "AND APPLIED_PAYMENT_SCHEDULE_ID = ? AND DISPLAY = 'Y' AND STATUS = 'APP'",
        cm["PAYMENT_SCHEDULE_ID"],
        inv["PAYMENT_SCHEDULE_ID"],
    )
    if twice is not None:
        raise _handler_error(ctx, where, "AR_RW_PAID_INVOICE_TWICE", 11236)
    original, remaining = dec(inv["AMOUNT_DUE_ORIGINAL"]), dec(inv["AMOUNT_DUE_REMAINING"])
    if inv["ALLOW_OVER"] == "N" and _overapplies(original, remaining, amount):
        raise _handler_error(ctx, where, "AR_CKAP_OVERAPP", 11249)
    currency = inv["INVOICE_CURRENCY_CODE"]
    parts = _split_buckets(ctx, inv, amount, currency)
    ra_id = ctx.next_id("AR_RECEIVABLE_APPLICATIONS_S")
    rate = dec(cm["EXCHANGE_RATE"]) if cm["EXCHANGE_RATE"] is not None else Decimal(1)
    acctd = ctx.round_money(amount * rate, None)
    ctx.insert(
        "AR_RECEIVABLE_APPLICATIONS_ALL",
        {
            "RECEIVABLE_APPLICATION_ID": ra_id,
            "CUSTOMER_TRX_ID": cm["CUSTOMER_TRX_ID"],
            "PAYMENT_SCHEDULE_ID": cm["PAYMENT_SCHEDULE_ID"],
            "APPLIED_PAYMENT_SCHEDULE_ID": inv["PAYMENT_SCHEDULE_ID"],
            "APPLIED_CUSTOMER_TRX_ID": inv["CUSTOMER_TRX_ID"],
            "AMOUNT_APPLIED": amount,
            "ACCTD_AMOUNT_APPLIED_FROM": acctd,
            "LINE_APPLIED": parts["AMOUNT_LINE_ITEMS_REMAINING"],
            "TAX_APPLIED": parts["TAX_REMAINING"],
            "FREIGHT_APPLIED": parts["FREIGHT_REMAINING"],
            "RECEIVABLES_CHARGES_APPLIED": parts["RECEIVABLES_CHARGES_REMAINING"],
            "APPLY_DATE": apply_date,
            "GL_DATE": gl_date,
            "STATUS": "APP",
            "APPLICATION_TYPE": "CM",
            "DISPLAY": "Y",
            "POSTING_CONTROL_ID": -3,
            "COMMENTS": rec.get("comments"),
            "ORG_ID": cm["ORG_ID"],
        },
    )
    _move(ctx, inv, cm, amount, parts, gl_date, apply_date)
    return {
        "x_out_rec_application_id": Decimal(ra_id),
        "x_acctd_amount_applied_from": acctd,
        "x_acctd_amount_applied_to": acctd,
    }


def _move(
    ctx: ApiContext,
    inv: dict[str, Any],
    cm: dict[str, Any],
    amount: Decimal,
    parts: dict[str, Decimal],
    gl_date: Any,
    apply_date: Any,
) -> None:
    """Both schedules by ``amount`` (negative to undo): the invoice's balance and buckets down,
    AMOUNT_CREDITED by -amount (credits are negative, [derived]); the credit memo's balance up
    towards zero (arp_ps_util.update_invoice_related_columns / update_cm_related_columns)."""
    _set_ps(
        ctx,
        inv["PAYMENT_SCHEDULE_ID"],
        dec(inv["AMOUNT_DUE_REMAINING"]) - amount,
        gl_date,
        apply_date,
        AMOUNT_CREDITED=dec(inv["AMOUNT_CREDITED"]) - amount,
        **{k: dec(inv[k]) - v for k, v in parts.items()},
    )
    _set_ps(
        ctx,
        cm["PAYMENT_SCHEDULE_ID"],
        dec(cm["AMOUNT_DUE_REMAINING"]) + amount,
        gl_date,
        apply_date,
        AMOUNT_APPLIED=dec(cm["AMOUNT_APPLIED"]) - amount,
        **{k: dec(cm[k]) + v for k, v in parts.items()},
    )


@api(f"{PKG}.APPLY_ON_ACCOUNT", out=APP_OUTS)
def apply_on_account(
    ctx: ApiContext,
    *,
    p_api_version: Any,
    p_init_msg_list: Any = "F",
    p_commit: Any = "F",
    p_cm_app_rec: Any,
    x_return_status: Any = None,
    x_msg_count: Any = None,
    x_msg_data: Any = None,
    x_out_rec_application_id: Any = None,
    x_acctd_amount_applied_from: Any = None,
    x_acctd_amount_applied_to: Any = None,
    p_org_id: Any = None,
) -> dict[str, Any]:
    """Apply an on-account credit memo to one installment of an invoice or debit memo."""
    rec = dict(p_cm_app_rec.values)

    def body() -> dict[str, Any]:
        return _apply_on_account(ctx, ctx.check_org(p_org_id), rec)

    return ctx.frame(
        f"{PKG}.APPLY_ON_ACCOUNT", body, init_msg_list=p_init_msg_list, api_version=p_api_version
    )


@api(f"{PKG}.UNAPPLY_ON_ACCOUNT", out=STD)
def unapply_on_account(
    ctx: ApiContext,
    *,
    p_api_version: Any,
    p_init_msg_list: Any = "F",
    p_commit: Any = "F",
    p_cm_unapp_rec: Any,
    x_return_status: Any = None,
    x_msg_count: Any = None,
    x_msg_data: Any = None,
    p_org_id: Any = None,
) -> dict[str, Any]:
    """Reverse a credit memo application (ARP_PROCESS_APPLICATION.reverse_cm_app): the row
    goes display N with its REVERSAL_GL_DATE, an opposite row is written, both schedules
    are restored. Found by id, or by credit memo and applied schedule (default_ra_id:
    AR_CMAPI_CM_NOT_APP_TO_INV when there is none)."""
    rec = dict(p_cm_unapp_rec.values)

    def body() -> dict[str, Any]:
        org = ctx.check_org(p_org_id)
        sql = (
            "SELECT * FROM AR_RECEIVABLE_APPLICATIONS_ALL WHERE ORG_ID = ? AND STATUS = 'APP' "
            "AND DISPLAY = 'Y' AND APPLICATION_TYPE = 'CM' "
        )
        if rec.get("receivable_application_id") is not None:
            app = ctx.one(
                sql + "AND RECEIVABLE_APPLICATION_ID = ?",
                org,
                int(rec["receivable_application_id"]),
            )
            if app is None:
                raise ctx.fail("AR_RAPI_REC_APP_ID_INVALID")
        else:
            app = ctx.one(
                sql + "AND CUSTOMER_TRX_ID = ? AND APPLIED_PAYMENT_SCHEDULE_ID = ?",
                org,
                rec.get("cm_customer_trx_id"),
                rec.get("applied_payment_schedule_id"),
            )
            if app is None:
                raise ctx.fail("AR_CMAPI_CM_NOT_APP_TO_INV")
        rev_gl = trunc(date(rec.get("reversal_gl_date"))) or trunc(date(app["GL_DATE"]))
        assert rev_gl is not None
        if rev_gl < trunc(date(app["GL_DATE"])):  # type: ignore[operator]
            ctx.error("AR_RW_BEFORE_APP_GL_DATE", GL_DATE=app["GL_DATE"])
        _check_gl_date(ctx, org, rev_gl)
        ctx.stop_if_errors()
        amount = dec(app["AMOUNT_APPLIED"])
        buckets = {
            "AMOUNT_LINE_ITEMS_REMAINING": "LINE_APPLIED",
            "TAX_REMAINING": "TAX_APPLIED",
            "FREIGHT_REMAINING": "FREIGHT_APPLIED",
            "RECEIVABLES_CHARGES_REMAINING": "RECEIVABLES_CHARGES_APPLIED",
        }
        ctx.update(
            "AR_RECEIVABLE_APPLICATIONS_ALL",
            "RECEIVABLE_APPLICATION_ID",
            app["RECEIVABLE_APPLICATION_ID"],
            {"DISPLAY": "N", "REVERSAL_GL_DATE": rev_gl},
        )
        ctx.insert(
            "AR_RECEIVABLE_APPLICATIONS_ALL",
            {
                **{
                    k: app[k]
                    for k in (
                        "CUSTOMER_TRX_ID",
                        "PAYMENT_SCHEDULE_ID",
                        "APPLIED_PAYMENT_SCHEDULE_ID",
                        "APPLIED_CUSTOMER_TRX_ID",
                        "COMMENTS",
                        "ORG_ID",
                    )
                },
                "RECEIVABLE_APPLICATION_ID": ctx.next_id("AR_RECEIVABLE_APPLICATIONS_S"),
                "AMOUNT_APPLIED": -amount,
                **{ra: -dec(app[ra]) for ra in buckets.values()},
                "APPLY_DATE": ctx.today(),
                "GL_DATE": rev_gl,
                "REVERSAL_GL_DATE": rev_gl,
                "STATUS": "APP",
                "APPLICATION_TYPE": "CM",
                "DISPLAY": "N",
                "POSTING_CONTROL_ID": -3,
            },
        )
        inv = _schedule(ctx, app["APPLIED_PAYMENT_SCHEDULE_ID"])
        cm = _schedule(ctx, app["PAYMENT_SCHEDULE_ID"])
        assert inv is not None and cm is not None
        parts = {ps: dec(app[ra]) for ps, ra in buckets.items()}
        _move(ctx, inv, cm, -amount, {k: -v for k, v in parts.items()}, rev_gl, ctx.today())
        return {}

    return ctx.frame(
        f"{PKG}.UNAPPLY_ON_ACCOUNT", body, init_msg_list=p_init_msg_list, api_version=p_api_version
    )
