"""AR_CM_API_PUB.APPLY_ON_ACCOUNT / UNAPPLY_ON_ACCOUNT and AR_ADJUST_PUB.APPROVE_ADJUSTMENT
through real blocks: the rules and messages of the EBS source (mock_erp/oracle/apis/credit_memos.py
and adjustments.py cite it), the harsh parts included."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from plsql_helpers import CONTEXT, MSG_LOOP, names, texts

from mock_erp.oracle.session import OracleSession

APPLY_CM = f"""
DECLARE
  l_cm ar_cm_api_pub.cm_app_rec_type; l_st VARCHAR2(1); l_cnt NUMBER; l_data VARCHAR2(2000);
  l_ra NUMBER; l_from NUMBER; l_to NUMBER; l_m VARCHAR2(32000);
BEGIN{CONTEXT}
  l_cm.cm_customer_trx_id := :cm;
  l_cm.inv_customer_trx_id := :inv;
  l_cm.installment := :inst;
  l_cm.applied_payment_schedule_id := :ps;
  l_cm.amount_applied := :amt;
  l_cm.apply_date := TO_DATE(:adate, 'YYYY-MM-DD');
  l_cm.gl_date := TO_DATE(:gl, 'YYYY-MM-DD');
  l_cm.comments := 'otc:pay-1;';
  ar_cm_api_pub.apply_on_account(p_api_version => 1.0, p_init_msg_list => 'T', p_commit => 'F',
    p_cm_app_rec => l_cm, x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data,
    x_out_rec_application_id => l_ra, x_acctd_amount_applied_from => l_from,
    x_acctd_amount_applied_to => l_to, p_org_id => :org_id);{MSG_LOOP}
  IF l_st <> 'S' THEN ROLLBACK; END IF;
  :status := l_st; :messages := l_m; :ra_id := l_ra;
END;"""

UNAPPLY_CM = f"""
DECLARE
  l_un ar_cm_api_pub.cm_unapp_rec_type; l_st VARCHAR2(1); l_cnt NUMBER; l_data VARCHAR2(2000);
  l_m VARCHAR2(32000);
BEGIN{CONTEXT}
  l_un.receivable_application_id := :ra;
  l_un.reversal_gl_date := TO_DATE(:gl, 'YYYY-MM-DD');
  ar_cm_api_pub.unapply_on_account(p_api_version => 1.0, p_init_msg_list => 'T', p_commit => 'F',
    p_cm_unapp_rec => l_un, x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data,
    p_org_id => :org_id);{MSG_LOOP}
  IF l_st <> 'S' THEN ROLLBACK; END IF;
  :status := l_st; :messages := l_m;
END;"""

Sql = Callable[..., list[dict[str, Any]]]


@pytest.fixture
def pair(sql: Sql) -> tuple[dict[str, Any], dict[str, Any]]:
    """An open credit memo and an open invoice of one customer, same currency, org 204."""
    rows = sql(
        "SELECT cm.CUSTOMER_TRX_ID AS CM, cm.PAYMENT_SCHEDULE_ID AS CM_PS, "
        "inv.CUSTOMER_TRX_ID AS INV, inv.PAYMENT_SCHEDULE_ID AS INV_PS "
        "FROM AR_PAYMENT_SCHEDULES_ALL cm JOIN AR_PAYMENT_SCHEDULES_ALL inv "
        "ON inv.CUSTOMER_ID = cm.CUSTOMER_ID AND inv.ORG_ID = cm.ORG_ID "
        "AND inv.INVOICE_CURRENCY_CODE = cm.INVOICE_CURRENCY_CODE "
        "WHERE cm.ORG_ID = 204 AND cm.CLASS = 'CM' AND cm.STATUS = 'OP' AND inv.CLASS = 'INV' "
        "AND inv.STATUS = 'OP' AND inv.AMOUNT_DUE_REMAINING = inv.AMOUNT_DUE_ORIGINAL "
        "ORDER BY cm.PAYMENT_SCHEDULE_ID, inv.PAYMENT_SCHEDULE_ID LIMIT 1"
    )
    assert rows, "the seed has no customer with an open credit memo and invoice in org 204"
    cm = _ps(sql, rows[0]["CM_PS"])
    inv = _ps(sql, rows[0]["INV_PS"])
    # small, known amounts and dates inside the open periods
    for ps, adr in ((cm, "-30"), (inv, "100")):
        sql(
            "UPDATE AR_PAYMENT_SCHEDULES_ALL SET AMOUNT_DUE_ORIGINAL = ?, AMOUNT_DUE_REMAINING = ?, "
            "AMOUNT_LINE_ITEMS_REMAINING = ?, TAX_REMAINING = '0', FREIGHT_REMAINING = '0', "
            "RECEIVABLES_CHARGES_REMAINING = '0', TRX_DATE = '2026-11-02 00:00:00', "
            "GL_DATE = '2026-11-02 00:00:00' WHERE PAYMENT_SCHEDULE_ID = ?",
            adr,
            adr,
            adr,
            ps["PAYMENT_SCHEDULE_ID"],
        )
        sql(
            "UPDATE RA_CUSTOMER_TRX_ALL SET TRX_DATE = '2026-11-02 00:00:00' "
            "WHERE CUSTOMER_TRX_ID = ?",
            ps["CUSTOMER_TRX_ID"],
        )
    return _ps(sql, cm["PAYMENT_SCHEDULE_ID"]), _ps(sql, inv["PAYMENT_SCHEDULE_ID"])


def _ps(sql: Sql, ps_id: Any) -> dict[str, Any]:
    return sql("SELECT * FROM AR_PAYMENT_SCHEDULES_ALL WHERE PAYMENT_SCHEDULE_ID = ?", ps_id)[0]


def _apply(run: Any, cm_ps: dict[str, Any], inv_ps: dict[str, Any], **over: Any) -> dict[str, Any]:
    binds: dict[str, Any] = {
        "cm": cm_ps["CUSTOMER_TRX_ID"],
        "inv": inv_ps["CUSTOMER_TRX_ID"],
        "inst": inv_ps["TERMS_SEQUENCE_NUMBER"],
        "ps": None,
        "amt": Decimal("30"),
        "adate": "2026-11-16",
        "gl": "2026-11-16",
        "status": None,
        "messages": None,
        "ra_id": None,
    }
    binds.update(over)
    return run(APPLY_CM, **binds)


def test_a_credit_memo_applied_to_an_invoice_moves_both_balances(run, sql, pair) -> None:
    cm, inv = pair
    out = _apply(run, cm, inv)
    assert out["status"] == "S", out["messages"]
    (ra,) = sql(
        "SELECT * FROM AR_RECEIVABLE_APPLICATIONS_ALL WHERE RECEIVABLE_APPLICATION_ID = ?",
        int(out["ra_id"]),
    )
    assert (ra["APPLICATION_TYPE"], ra["STATUS"], ra["DISPLAY"], ra["AMOUNT_APPLIED"]) == (
        "CM", "APP", "Y", "30",
    )  # fmt: skip
    assert ra["CUSTOMER_TRX_ID"] == cm["CUSTOMER_TRX_ID"] and ra["CASH_RECEIPT_ID"] is None
    assert ra["APPLIED_PAYMENT_SCHEDULE_ID"] == inv["PAYMENT_SCHEDULE_ID"]
    assert ra["COMMENTS"] == "otc:pay-1;"
    after_cm, after_inv = _ps(sql, cm["PAYMENT_SCHEDULE_ID"]), _ps(sql, inv["PAYMENT_SCHEDULE_ID"])
    assert (after_cm["AMOUNT_DUE_REMAINING"], after_cm["STATUS"]) == ("0", "CL")
    assert (after_inv["AMOUNT_DUE_REMAINING"], after_inv["STATUS"]) == ("70", "OP")
    assert after_inv["AMOUNT_CREDITED"] == "-30"


def test_the_same_credit_memo_twice_on_one_installment_is_refused(run, sql, pair) -> None:
    """ARP_PROCESS_APPLICATION.cm_application: AR_RW_PAID_INVOICE_TWICE via APP_EXCEPTION,
    reported by the API as E with one GENERIC_MESSAGE naming the handler."""
    cm, inv = pair
    assert _apply(run, cm, inv, amt=Decimal("10"))["status"] == "S"
    run("BEGIN COMMIT; END;")  # the block's ROLLBACK on failure must not undo the first
    out = _apply(run, cm, inv, amt=Decimal("10"))
    assert (out["status"], names(out["messages"])) == ("E", ["GENERIC_MESSAGE"])
    assert "CM_APPLICATION" in texts(out["messages"])[0]
    assert "already applied to this installment" in texts(out["messages"])[0]
    assert _ps(sql, inv["PAYMENT_SCHEDULE_ID"])["AMOUNT_DUE_REMAINING"] == "90"


def test_the_api_does_not_check_the_credit_memo_side(run, sql, pair) -> None:
    """validate_amount_applied refuses only NULL: more than the credit memo has left goes
    through (its balance changes sign); the caller has to check."""
    cm, inv = pair
    out = _apply(run, cm, inv, amt=Decimal("50"))
    assert out["status"] == "S", out["messages"]
    assert _ps(sql, cm["PAYMENT_SCHEDULE_ID"])["AMOUNT_DUE_REMAINING"] == "20"


def test_over_applying_an_invoice_is_refused_unless_its_type_allows_it(run, sql, pair) -> None:
    cm, inv = pair
    sql("UPDATE RA_CUST_TRX_TYPES_ALL SET ALLOW_OVERAPPLICATION_FLAG = 'N' "
        "WHERE CUST_TRX_TYPE_ID = ?", inv["CUST_TRX_TYPE_ID"])  # fmt: skip
    out = _apply(run, cm, inv, amt=Decimal("120"))
    assert (out["status"], names(out["messages"])) == ("E", ["GENERIC_MESSAGE"])
    assert "exceeds the amount due remaining" in texts(out["messages"])[0]
    assert _ps(sql, cm["PAYMENT_SCHEDULE_ID"])["AMOUNT_DUE_REMAINING"] == "-30"
    sql("UPDATE RA_CUST_TRX_TYPES_ALL SET ALLOW_OVERAPPLICATION_FLAG = 'Y' "
        "WHERE CUST_TRX_TYPE_ID = ?", inv["CUST_TRX_TYPE_ID"])  # fmt: skip
    allowed = _apply(run, cm, inv, amt=Decimal("120"))
    assert allowed["status"] == "S"
    assert _ps(sql, inv["PAYMENT_SCHEDULE_ID"])["AMOUNT_DUE_REMAINING"] == "-20"


@pytest.mark.parametrize(
    ("change", "table"),
    [
        ("INVOICE_CURRENCY_CODE = 'JPY'", "inv"),  # another currency
        ("CUSTOMER_ID = CUSTOMER_ID + 1", "inv"),  # another customer
        ("STATUS = 'CL'", "inv"),  # not open
    ],
)
def test_an_invoice_outside_the_open_trx_view_fails_as_ebs_does(
    run, sql, pair, change: str, table: str
) -> None:
    """default_trx_info swallows the miss: by transaction + installment the API then ends in
    U with 'ORA-01403: no data found'; by schedule id it goes through unchecked."""
    cm, inv = pair
    sql(f"UPDATE AR_PAYMENT_SCHEDULES_ALL SET {change} WHERE PAYMENT_SCHEDULE_ID = ?",
        inv["PAYMENT_SCHEDULE_ID"])  # fmt: skip
    out = _apply(run, cm, inv)
    assert (out["status"], names(out["messages"])) == ("U", ["GENERIC_MESSAGE"])
    assert "ORA-01403" in texts(out["messages"])[0]
    assert _ps(sql, cm["PAYMENT_SCHEDULE_ID"])["AMOUNT_DUE_REMAINING"] == "-30"
    by_id = _apply(run, cm, inv, inv=None, inst=None, ps=inv["PAYMENT_SCHEDULE_ID"])
    assert by_id["status"] == "S", by_id["messages"]  # the harsh part: nothing checked


def test_dates_and_periods(run, sql, pair) -> None:
    cm, inv = pair
    sql("UPDATE RA_CUSTOMER_TRX_ALL SET TRX_DATE = '2026-11-20 00:00:00' "
        "WHERE CUSTOMER_TRX_ID = ?", cm["CUSTOMER_TRX_ID"])  # fmt: skip
    before_cm = _apply(run, cm, inv, adate="2026-11-16")
    assert names(before_cm["messages"]) == ["AR_APPLY_BEFORE_CM"]
    closed = _apply(run, cm, inv, adate="2026-11-20", gl="2024-01-15")
    assert closed["status"] == "E"
    assert {"AR_INVALID_APP_GL_DATE", "AR_VAL_GL_INV_GL"} <= set(names(closed["messages"]))


def test_ids_and_missing_credit_memo(run, sql, pair) -> None:
    cm, inv = pair
    assert names(_apply(run, cm, inv, cm=None)["messages"]) == ["AR_CMAPI_CM_TRX_ID_NULL"]
    assert names(_apply(run, cm, inv, cm=999999)["messages"]) == ["AR_CMAPI_CM_TRX_ID_INVALID"]
    wrong_ps = _apply(run, cm, inv, inv=None, inst=None, ps=cm["PAYMENT_SCHEDULE_ID"])
    assert names(wrong_ps["messages"]) == ["AR_RAPI_APP_PS_ID_INVALID"]  # a CM is no debit
    assert names(_apply(run, cm, inv, amt=None, inv=None, inst=None)["messages"]) == [
        "AR_RAPI_CUST_TRX_ID_NULL"
    ]


def test_unapply_restores_both_schedules(run, sql, pair) -> None:
    cm, inv = pair
    ra = int(_apply(run, cm, inv)["ra_id"])
    out = run(UNAPPLY_CM, ra=ra, gl="2026-11-16", status=None, messages=None)
    assert out["status"] == "S", out["messages"]
    assert _ps(sql, cm["PAYMENT_SCHEDULE_ID"])["AMOUNT_DUE_REMAINING"] == "-30"
    assert _ps(sql, inv["PAYMENT_SCHEDULE_ID"])["AMOUNT_DUE_REMAINING"] == "100"
    live = sql("SELECT * FROM AR_RECEIVABLE_APPLICATIONS_ALL WHERE CUSTOMER_TRX_ID = ? "
               "AND DISPLAY = 'Y'", cm["CUSTOMER_TRX_ID"])  # fmt: skip
    assert live == []
    again = run(UNAPPLY_CM, ra=ra, gl="2026-11-16", status=None, messages=None)
    assert names(again["messages"]) == ["AR_RAPI_REC_APP_ID_INVALID"]
    # applied again after the reversal: allowed (the first one is no longer live)
    assert _apply(run, cm, inv)["status"] == "S"


# ---------------------------------------------------------------- the approver


APPROVE = f"""
DECLARE
  l_adj ar_adjustments%ROWTYPE; l_st VARCHAR2(1); l_cnt NUMBER; l_data VARCHAR2(2000);
  l_m VARCHAR2(32000);
BEGIN{CONTEXT}
  l_adj.status := :new_status;
  ar_adjust_pub.approve_adjustment(p_api_name => 'AR_ADJUST_PUB', p_api_version => 1.0,
    p_init_msg_list => 'T', p_commit_flag => 'F', p_validation_level => 100,
    p_msg_count => l_cnt, p_msg_data => l_data, p_return_status => l_st, p_adj_rec => l_adj,
    p_chk_approval_limits => 'T', p_move_deferred_tax => 'Y', p_old_adjust_id => :adj_id,
    p_org_id => :org_id);{MSG_LOOP}
  IF l_st <> 'S' THEN ROLLBACK; END IF;
  :status := l_st; :messages := l_m;
END;"""


@pytest.fixture
def pending(run, sql, invoice) -> dict[str, Any]:
    """A W adjustment (the seeded invoice is beyond the clerk's USD ADJ limit of ±1000)."""
    from test_adjustments import _adjust

    out = _adjust(run, invoice)
    assert out["status"] == "S"
    return sql("SELECT * FROM AR_ADJUSTMENTS_ALL WHERE ADJUSTMENT_ID = ?", int(out["adj_id"]))[0]


def _approve(run: Any, adj: dict[str, Any], status: str | None, user: int) -> dict[str, Any]:
    return run(
        APPROVE, OracleSession(), user_id=user, new_status=status, adj_id=adj["ADJUSTMENT_ID"],
        status=None, messages=None,
    )  # fmt: skip


def test_an_approver_within_limits_approves_and_the_balance_moves(run, sql, invoice, pending):
    sql("INSERT INTO AR_APPROVAL_USER_LIMITS (USER_ID, CURRENCY_CODE, DOCUMENT_TYPE, "
        "AMOUNT_FROM, AMOUNT_TO) VALUES (777, 'USD', 'ADJ', '-1000000', '1000000')")  # fmt: skip
    clerk = _approve(run, pending, "A", user=pending["CREATED_BY"])  # over the clerk's limit
    assert (clerk["status"], names(clerk["messages"])) == ("E", ["AR_VAL_AMT_APPROVAL_LIMIT"])
    out = _approve(run, pending, None, user=777)  # NULL status means A
    assert out["status"] == "S", out["messages"]
    adj = sql("SELECT * FROM AR_ADJUSTMENTS_ALL WHERE ADJUSTMENT_ID = ?",
              pending["ADJUSTMENT_ID"])[0]  # fmt: skip
    assert (adj["STATUS"], adj["APPROVED_BY"]) == ("A", 777)
    ps = _ps(sql, invoice["PAYMENT_SCHEDULE_ID"])
    assert (ps["AMOUNT_DUE_REMAINING"], ps["STATUS"], ps["AMOUNT_ADJUSTED_PENDING"]) == (
        "0", "CL", "0",
    )  # fmt: skip
    final = _approve(run, pending, "R", user=777)
    assert names(final["messages"]) == ["AR_AAPI_NO_CHANGE_OR_REVERSE"]


def test_an_approver_rejects_and_nothing_moves(run, sql, invoice, pending) -> None:
    out = _approve(run, pending, "R", user=777)
    assert out["status"] == "S", out["messages"]
    adj = sql("SELECT STATUS FROM AR_ADJUSTMENTS_ALL WHERE ADJUSTMENT_ID = ?",
              pending["ADJUSTMENT_ID"])  # fmt: skip
    assert adj == [{"STATUS": "R"}]
    ps = _ps(sql, invoice["PAYMENT_SCHEDULE_ID"])
    assert Decimal(ps["AMOUNT_DUE_REMAINING"]) == invoice["ADR"]
    assert Decimal(ps["AMOUNT_ADJUSTED_PENDING"]) == 0
    assert names(_approve(run, pending, "X", user=777)["messages"]) == [
        "AR_AAPI_NO_CHANGE_OR_REVERSE", "AR_AAPI_INVALID_CHANGE_STATUS",
    ]  # fmt: skip
