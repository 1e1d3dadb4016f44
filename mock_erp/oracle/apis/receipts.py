"""AR_RECEIPT_API_PUB: CREATE_CASH, APPLY, CREATE_AND_APPLY, UNAPPLY, ACTIVITY_APPLICATION.

Validations, message names and the rows written follow docs/specs/oracle.md §2 ("State changes"),
§3.2–§3.4 and §7 items 6–8, 11. Every amount is a Decimal rounded to the currency's
FND_CURRENCIES.PRECISION; receipts PS amounts are negative, applications positive.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from mock_erp.oracle.apis.context import ApiContext, date, dec, trunc
from mock_erp.oracle.apis.registry import api

PKG = "AR_RECEIPT_API_PUB"
REVERSED = (
    "REV",
    "NSF",
    "STOP",
)  # docs/specs/oracle.md §2 [unconfirmed there]: reversed receipt statuses
# unconfirmed: docs/specs/oracle.md "Open questions" — history STATUS per receipt class
# (manual class, no remittance).
HISTORY_STATUS = "CLEARED"
UNPOSTED = -3  # POSTING_CONTROL_ID of unposted rows (docs/specs/oracle.md §2)
APPLICABLE_CLASSES = ("INV", "DM", "CM", "CB", "DEP", "GUAR", "BR")
STD = ("x_return_status", "x_msg_count", "x_msg_data")
_FAR = dt.datetime(4712, 12, 31)  # GL_DATE_CLOSED / ACTUAL_DATE_CLOSED while open (§2)


# ---- shared pieces -------------------------------------------------------------------------------
def resolve(ctx: ApiContext, given: Any, name: Any, sql: str, *params: Any) -> Any:
    """The AR APIs' "id, or else its name/number" parameters (p_customer_id or
    p_customer_number, p_receipt_method_id or _name, p_customer_trx_id or p_trx_number): the
    id as passed; else the one ``sql`` finds for the name, -1 when none does (so the API's own
    invalid-id check speaks); None when neither was passed."""
    if given is not None or name is None:
        return given
    row = ctx.one(sql, name, *params)
    return next(iter(row.values())) if row else -1


def _receipt(ctx: ApiContext, org: int, cr_id: Any, number: Any = None) -> dict[str, Any]:
    if cr_id is None and number is not None:
        row = ctx.one(
            "SELECT CASH_RECEIPT_ID FROM AR_CASH_RECEIPTS_ALL WHERE RECEIPT_NUMBER = ? AND "
            "ORG_ID = ? "
            "AND TYPE = 'CASH' ORDER BY CASH_RECEIPT_ID DESC",
            number,
            org,
        )
        cr_id = row["CASH_RECEIPT_ID"] if row else None
    cr = (
        None
        if cr_id is None
        else ctx.one(
            "SELECT cr.*, ps.PAYMENT_SCHEDULE_ID AS PS_ID, ps.AMOUNT_DUE_REMAINING AS PS_ADR, "
            "ps.AMOUNT_APPLIED AS PS_APPLIED, h.GL_DATE AS CR_GL_DATE FROM AR_CASH_RECEIPTS_ALL cr "
            "JOIN AR_PAYMENT_SCHEDULES_ALL ps ON ps.CASH_RECEIPT_ID = cr.CASH_RECEIPT_ID "
            "LEFT JOIN AR_CASH_RECEIPT_HISTORY_ALL h ON h.CASH_RECEIPT_ID = cr.CASH_RECEIPT_ID "
            "AND h.CURRENT_RECORD_FLAG = 'Y' WHERE cr.CASH_RECEIPT_ID = ? AND cr.ORG_ID = ? "
            "AND cr.TYPE = 'CASH'",
            int(cr_id),
            org,
        )
    )
    if cr is None or cr["STATUS"] in REVERSED:
        raise ctx.fail("AR_RAPI_CASH_RCPT_ID_INVALID")
    return cr


def _check_gl_date(
    ctx: ApiContext, org: int, gl_date: dt.datetime, name: str = "AR_INVALID_APP_GL_DATE"
) -> None:
    if not ctx.period_open(org, gl_date):
        ctx.error(name, GL_DATE=gl_date)


def _set_ps(
    ctx: ApiContext, ps_id: int, adr: Decimal, closed_gl: Any, closed_actual: Any, **values: Any
) -> None:
    """Write a PS row's new balance: CL exactly at ADR 0, else OP with the 4712 dates (§2)."""
    is_closed = adr == 0
    ctx.update(
        "AR_PAYMENT_SCHEDULES_ALL",
        "PAYMENT_SCHEDULE_ID",
        ps_id,
        {
            **values,
            "AMOUNT_DUE_REMAINING": adr,
            "STATUS": "CL" if is_closed else "OP",
            "GL_DATE_CLOSED": closed_gl if is_closed else _FAR,
            "ACTUAL_DATE_CLOSED": closed_actual if is_closed else _FAR,
        },
    )


def _receipt_balance(
    ctx: ApiContext, cr: dict[str, Any], delta: Decimal, gl: Any, when: Any
) -> None:
    """Receipt PS ADR += delta (ADR is −unapplied); receipt APP at 0, UNAPP again otherwise."""
    adr = dec(cr["PS_ADR"]) + delta
    _set_ps(ctx, cr["PS_ID"], adr, gl, when, AMOUNT_APPLIED=dec(cr["PS_APPLIED"]) + delta)
    if cr["STATUS"] != "UNID":
        status = "APP" if adr == 0 else "UNAPP"
        if status != cr["STATUS"]:
            ctx.update(
                "AR_CASH_RECEIPTS_ALL", "CASH_RECEIPT_ID", cr["CASH_RECEIPT_ID"], {"STATUS": status}
            )


def _ra(ctx: ApiContext, cr: dict[str, Any], **values: Any) -> int:
    ra_id = ctx.next_id("AR_RECEIVABLE_APPLICATIONS_S")
    ctx.insert(
        "AR_RECEIVABLE_APPLICATIONS_ALL",
        {
            "RECEIVABLE_APPLICATION_ID": ra_id,
            "CASH_RECEIPT_ID": cr["CASH_RECEIPT_ID"],
            "PAYMENT_SCHEDULE_ID": cr["PS_ID"],
            "APPLICATION_TYPE": "CASH",
            "POSTING_CONTROL_ID": UNPOSTED,
            "ORG_ID": cr["ORG_ID"],
            **values,
        },
    )
    return ra_id


def default_amount_applied(item_adr: Decimal, unapplied: Decimal) -> Decimal:
    """p_amount_applied NULL: the smaller of what the item and the receipt have left.

    unconfirmed: docs/specs/oracle.md §3.3 — EBS's default formula.
    """
    return min(item_adr, unapplied) if item_adr > 0 else item_adr


# ---- CREATE_CASH ---------------------------------------------------------------------------------
def _create_cash(ctx: ApiContext, org: int, a: dict[str, Any]) -> int:
    amount, number = a.get("p_amount"), a.get("p_receipt_number")
    if amount is None:
        ctx.error("AR_RAPI_RCPT_AMOUNT_NULL")
    elif Decimal(amount) < 0:
        ctx.error("AR_RW_RCT_AMOUNT_NEGATIVE")
    if number is None:
        ctx.error("AR_RAPI_RCPT_NUM_NULL")
    ledger = ctx.one(
        "SELECT l.CURRENCY_CODE FROM AR_SYSTEM_PARAMETERS_ALL p JOIN GL_LEDGERS l "
        "ON l.LEDGER_ID = p.SET_OF_BOOKS_ID WHERE p.ORG_ID = ?",
        org,
    )
    currency = a.get("p_currency_code") or (ledger["CURRENCY_CODE"] if ledger else None)
    if ctx.precision(currency) is None:
        ctx.error("AR_RAPI_CURR_CODE_INVALID")
    customer = resolve(
        ctx,
        a.get("p_customer_id"),
        a.get("p_customer_number"),
        "SELECT CUST_ACCOUNT_ID FROM HZ_CUST_ACCOUNTS WHERE ACCOUNT_NUMBER = ?",
    )
    site_use = a.get("p_customer_site_use_id")
    if customer is not None:
        if (
            ctx.one(
                "SELECT 1 FROM HZ_CUST_ACCOUNTS WHERE CUST_ACCOUNT_ID = ? AND STATUS = 'A'",
                int(customer),
            )
            is None
        ):
            ctx.error("AR_RAPI_CUST_ID_INVALID")
        else:
            site_sql = (
                "SELECT su.SITE_USE_ID FROM HZ_CUST_SITE_USES_ALL su JOIN HZ_CUST_ACCT_SITES_ALL s "
                "ON s.CUST_ACCT_SITE_ID = su.CUST_ACCT_SITE_ID WHERE s.CUST_ACCOUNT_ID = ? "
                "AND su.ORG_ID = ? "
                "AND su.SITE_USE_CODE = 'BILL_TO' AND su.STATUS = 'A'"
            )
            if site_use is not None:
                if (
                    ctx.one(site_sql + " AND su.SITE_USE_ID = ?", int(customer), org, int(site_use))
                    is None
                ):
                    ctx.error("AR_RAPI_CUS_SITE_USE_ID_INVALID")
            else:  # defaulted to the primary bill-to [derived]
                row = ctx.one(site_sql + " ORDER BY su.PRIMARY_FLAG DESC", int(customer), org)
                site_use = row["SITE_USE_ID"] if row else None
    elif site_use is not None:
        ctx.error("AR_RAPI_CUS_SITE_USE_ID_INVALID")
    method = resolve(
        ctx,
        a.get("p_receipt_method_id"),
        a.get("p_receipt_method_name"),
        "SELECT RECEIPT_METHOD_ID FROM AR_RECEIPT_METHODS WHERE NAME = ?",
    )
    account = (
        None
        if method is None
        else ctx.one(
            "SELECT a.REMIT_BANK_ACCT_USE_ID FROM AR_RECEIPT_METHODS m JOIN "
            "AR_RECEIPT_METHOD_ACCOUNTS_ALL a "
            "ON a.RECEIPT_METHOD_ID = m.RECEIPT_METHOD_ID WHERE m.RECEIPT_METHOD_ID = ? AND "
            "a.ORG_ID = ?",
            int(method),
            org,
        )
    )
    if account is None:
        ctx.error("AR_RAPI_RCPT_MD_ID_INVALID")
    receipt_date = trunc(date(a.get("p_receipt_date"))) or ctx.today()
    gl_date = trunc(date(a.get("p_gl_date"))) or receipt_date
    _check_gl_date(ctx, org, gl_date)
    rate = _exchange_rate(
        ctx, a, currency, ledger["CURRENCY_CODE"] if ledger else None, receipt_date
    )
    ctx.stop_if_errors()
    assert amount is not None
    amount = ctx.round_money(Decimal(amount), currency)
    dup = ctx.one(
        "SELECT 1 FROM AR_CASH_RECEIPTS_ALL WHERE RECEIPT_NUMBER = ? AND ORG_ID = ? AND TYPE "
        "= 'CASH' "
        "AND substr(RECEIPT_DATE, 1, 10) = ? AND AMOUNT = ? AND PAY_FROM_CUSTOMER IS ? "
        f"AND COALESCE(STATUS, 'X') NOT IN ({', '.join(repr(s) for s in REVERSED)})",
        number,
        org,
        receipt_date.strftime("%Y-%m-%d"),
        amount,
        None if customer is None else int(customer),
    )  # docs/specs/oracle.md §3.2: number, date, amount AND customer (nulls equal)
    if dup is not None:
        raise ctx.fail("AR_RW_CASH_DUPLICATE_RECEIPT")
    status = "UNAPP" if customer is not None else "UNID"
    cr_id = ctx.next_id("AR_CASH_RECEIPTS_S")
    attrs = a.get("p_attribute_rec")
    attr_values = {k.upper(): v for k, v in attrs.values.items()} if attrs is not None else {}
    ctx.insert(
        "AR_CASH_RECEIPTS_ALL",
        {
            "CASH_RECEIPT_ID": cr_id,
            "RECEIPT_NUMBER": number,
            "RECEIPT_DATE": receipt_date,
            "AMOUNT": amount,
            "CURRENCY_CODE": currency,
            "EXCHANGE_RATE": rate[0],
            "EXCHANGE_RATE_TYPE": rate[1],
            "EXCHANGE_DATE": rate[2],
            "PAY_FROM_CUSTOMER": customer,
            "CUSTOMER_SITE_USE_ID": site_use,
            "RECEIPT_METHOD_ID": method,
            "REMIT_BANK_ACCT_USE_ID": account["REMIT_BANK_ACCT_USE_ID"] if account else None,
            "CUSTOMER_RECEIPT_REFERENCE": a.get("p_customer_receipt_reference"),
            "COMMENTS": a.get("p_comments"),
            "TYPE": "CASH",
            "STATUS": status,
            "SET_OF_BOOKS_ID": ctx.ledger(org),
            "ORG_ID": org,
            **attr_values,
        },
    )
    ctx.insert(
        "AR_CASH_RECEIPT_HISTORY_ALL",
        {
            "CASH_RECEIPT_HISTORY_ID": ctx.next_id("AR_CASH_RECEIPT_HISTORY_S"),
            "CASH_RECEIPT_ID": cr_id,
            "STATUS": HISTORY_STATUS,
            "AMOUNT": amount,
            "GL_DATE": gl_date,
            "TRX_DATE": receipt_date,
            "CURRENT_RECORD_FLAG": "Y",
            "POSTING_CONTROL_ID": UNPOSTED,
            "FIRST_POSTED_RECORD_FLAG": "Y",
            "ORG_ID": org,
        },
    )
    ps_id = ctx.next_id("AR_PAYMENT_SCHEDULES_S")
    ctx.insert(
        "AR_PAYMENT_SCHEDULES_ALL",
        {
            "PAYMENT_SCHEDULE_ID": ps_id,
            "CASH_RECEIPT_ID": cr_id,
            "CUSTOMER_ID": customer,
            "CUSTOMER_SITE_USE_ID": site_use,
            "CLASS": "PMT",
            "STATUS": "OP" if amount else "CL",
            "AMOUNT_DUE_ORIGINAL": -amount,
            "AMOUNT_DUE_REMAINING": -amount,
            "AMOUNT_APPLIED": Decimal(0),
            "DUE_DATE": receipt_date,
            "GL_DATE": gl_date,
            "TRX_NUMBER": number,
            "TRX_DATE": receipt_date,
            "INVOICE_CURRENCY_CODE": currency,
            "EXCHANGE_RATE": rate[0],
            "GL_DATE_CLOSED": _FAR if amount else gl_date,
            "ACTUAL_DATE_CLOSED": _FAR if amount else receipt_date,
            "NUMBER_OF_DUE_DATES": 1,
            "ORG_ID": org,
        },
    )
    cr = {"CASH_RECEIPT_ID": cr_id, "PS_ID": ps_id, "ORG_ID": org}
    _ra(
        ctx,
        cr,
        AMOUNT_APPLIED=amount,
        STATUS=status,
        DISPLAY="N",
        APPLY_DATE=receipt_date,
        GL_DATE=gl_date,
    )
    return cr_id


def _exchange_rate(
    ctx: ApiContext, a: dict[str, Any], currency: str | None, functional: str | None, when: Any
) -> tuple[Decimal | None, str | None, Any]:
    """(rate, rate type, rate date) of a receipt; nothing for one in the ledger currency.

    AR_RECEIPT_LIB defaulting (docs/specs/oracle.md, corrections): the type is
    p_exchange_rate_type, else the profile AR_DEFAULT_EXCHANGE_RATE_TYPE (setting
    ``rate_type_profile``); none -> AR_RAPI_X_RATE_TYPE_NULL. Type 'User' takes
    p_exchange_rate (none -> AR_RAPI_X_RATE_NULL); any other type the daily rate of
    GL_DAILY_RATES on p_exchange_rate_date (default: the receipt date); none ->
    AR_NO_RATE_DATA_FOUND. A rate passed with a daily type is AR_RAPI_X_RATE_INVALID [derived].
    """
    if currency is None or functional is None or currency == functional:
        return None, None, None
    if ctx.precision(currency) is None:  # AR_RAPI_CURR_CODE_INVALID says it already
        return None, None, None
    kind = a.get("p_exchange_rate_type") or ctx.settings.rate_type_profile
    on = trunc(date(a.get("p_exchange_rate_date"))) or when
    given = a.get("p_exchange_rate")
    if kind is None:
        ctx.error("AR_RAPI_X_RATE_TYPE_NULL")
        return None, None, None
    if str(kind).upper() == "USER":
        if given is None:
            ctx.error("AR_RAPI_X_RATE_NULL")
        return (None if given is None else Decimal(given)), "User", on
    if given is not None:
        ctx.error("AR_RAPI_X_RATE_INVALID")
        return None, None, None
    row = ctx.one(
        "SELECT CONVERSION_RATE FROM GL_DAILY_RATES WHERE FROM_CURRENCY = ? AND TO_CURRENCY = ? "
        "AND CONVERSION_TYPE = ? AND substr(CONVERSION_DATE, 1, 10) = ?",
        currency,
        functional,
        kind,
        on.strftime("%Y-%m-%d"),
    )
    if row is None:
        ctx.error("AR_NO_RATE_DATA_FOUND")
        return None, None, None
    return dec(row["CONVERSION_RATE"]), str(kind), on


CASH_PARAMS = (
    "p_currency_code",
    "p_exchange_rate_type",
    "p_exchange_rate",
    "p_exchange_rate_date",
    "p_amount",
    "p_receipt_number",
    "p_receipt_date",
    "p_gl_date",
    "p_customer_id",
    "p_customer_number",
    "p_customer_site_use_id",
    "p_customer_receipt_reference",
    "p_receipt_method_id",
    "p_receipt_method_name",
    "p_attribute_rec",
    "p_comments",
)


@api(f"{PKG}.CREATE_CASH", out=(*STD, "p_cr_id"))
def create_cash(
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
    p_factor_discount_amount: Any = None,
    p_receipt_number: Any = None,
    p_receipt_date: Any = None,
    p_gl_date: Any = None,
    p_maturity_date: Any = None,
    p_postmark_date: Any = None,
    p_customer_id: Any = None,
    p_customer_name: Any = None,
    p_customer_number: Any = None,
    p_customer_bank_account_id: Any = None,
    p_customer_site_use_id: Any = None,
    p_customer_receipt_reference: Any = None,
    p_override_remit_account_flag: Any = None,
    p_remittance_bank_account_id: Any = None,
    p_deposit_date: Any = None,
    p_receipt_method_id: Any = None,
    p_receipt_method_name: Any = None,
    p_doc_sequence_value: Any = None,
    p_ussgl_transaction_code: Any = None,
    p_anticipated_clearing_date: Any = None,
    p_called_from: Any = None,
    p_attribute_rec: Any = None,
    p_global_attribute_rec: Any = None,
    p_comments: Any = None,
    p_issuer_name: Any = None,
    p_issue_date: Any = None,
    p_issuer_bank_branch_id: Any = None,
    p_org_id: Any = None,
    p_cr_id: Any = None,
) -> dict[str, Any]:
    """Create a cash receipt: CR + history + PMT PS (negative) + its own RA row (§2, §3.2)."""
    args = locals()

    def body() -> dict[str, Any]:
        org = ctx.check_org(p_org_id)
        return {"p_cr_id": Decimal(_create_cash(ctx, org, args))}

    return ctx.frame(
        f"{PKG}.CREATE_CASH", body, init_msg_list=p_init_msg_list, api_version=p_api_version
    )


def _split_buckets(
    ctx: ApiContext, ps: dict[str, Any], total: Decimal, currency: str | None
) -> dict[str, Decimal]:
    """Line/tax/freight/charges shares of ``total``: pro rata, remainder on lines [derived] (§2)."""
    adr = dec(ps["AMOUNT_DUE_REMAINING"])
    out: dict[str, Decimal] = {}
    rest = total
    for key in ("TAX_REMAINING", "FREIGHT_REMAINING", "RECEIVABLES_CHARGES_REMAINING"):
        part = Decimal(0) if adr == 0 else ctx.round_money(total * dec(ps[key]) / adr, currency)
        out[key] = part
        rest -= part
    out["AMOUNT_LINE_ITEMS_REMAINING"] = rest
    return out
