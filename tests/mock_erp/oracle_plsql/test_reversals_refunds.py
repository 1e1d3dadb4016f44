"""AR_RECEIPT_API_PUB.REVERSE and the refund APIs (receipt and credit memo on −8) through real
blocks, as an integrator writes them: the rules of mock_erp/oracle/apis/reversals.py and
refunds.py that the adapter's end-to-end tests do not reach (issue 18)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from plsql_helpers import CONTEXT, CREATE_CASH, MSG_LOOP, cash_binds, names

Run = Callable[..., dict[str, Any]]
Sql = Callable[..., list[dict[str, Any]]]

REVERSE = f"""
DECLARE
  l_st VARCHAR2(1); l_cnt NUMBER; l_data VARCHAR2(2000); l_m VARCHAR2(32000);
BEGIN{CONTEXT}
  ar_receipt_api_pub.reverse(p_api_version => 1.0, p_init_msg_list => 'T',
    x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data,
    p_cash_receipt_id => :cr, p_reversal_category_code => :cat,
    p_reversal_reason_code => :reason, p_reversal_reason_name => :reason_name,
    p_reversal_gl_date => TO_DATE(:gl, 'YYYY-MM-DD'), p_reversal_comments => 'otc:R-1;',
    p_org_id => :org_id);{MSG_LOOP}
  IF l_st <> 'S' THEN ROLLBACK; ELSE COMMIT; END IF;
  :status := l_st; :messages := l_m;
END;"""

CM_REFUND = f"""
DECLARE
  l_st VARCHAR2(1); l_cnt NUMBER; l_data VARCHAR2(2000); l_m VARCHAR2(32000); l_ra NUMBER;
  l_type VARCHAR2(30); l_id NUMBER; l_num VARCHAR2(30);
BEGIN{CONTEXT}
  ar_cm_application_pub.activity_application(p_api_version => 1.0, p_init_msg_list => 'T',
    x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data,
    p_customer_trx_id => :trx, p_amount_applied => :amt, p_applied_payment_schedule_id => -8,
    p_receivables_trx_id => :act, p_apply_date => TO_DATE('2026-11-16', 'YYYY-MM-DD'),
    p_apply_gl_date => TO_DATE('2026-11-16', 'YYYY-MM-DD'), p_comments => 'otc:RF-1;',
    p_application_ref_type => l_type, p_application_ref_id => l_id,
    p_application_ref_num => l_num, p_receivable_application_id => l_ra, p_org_id => :org_id);{MSG_LOOP}
  IF l_st <> 'S' THEN ROLLBACK; ELSE COMMIT; END IF;
  :status := l_st; :messages := l_m; :ref_num := l_num;
END;"""

RECEIPT_REFUND = f"""
DECLARE
  l_st VARCHAR2(1); l_cnt NUMBER; l_data VARCHAR2(2000); l_m VARCHAR2(32000); l_ra NUMBER;
  l_type VARCHAR2(30); l_id NUMBER; l_num VARCHAR2(30); l_sec NUMBER;
BEGIN{CONTEXT}
  ar_receipt_api_pub.activity_application(p_api_version => 1.0, p_init_msg_list => 'T',
    x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data,
    p_cash_receipt_id => :cr, p_amount_applied => :amt, p_applied_payment_schedule_id => -8,
    p_receivables_trx_id => :act, p_application_ref_type => l_type,
    p_application_ref_id => l_id, p_application_ref_num => l_num,
    p_secondary_application_ref_id => l_sec, p_receivable_application_id => l_ra,
    p_payment_method_code => :method, p_org_id => :org_id);{MSG_LOOP}
  IF l_st <> 'S' THEN ROLLBACK; ELSE COMMIT; END IF;
  :status := l_st; :messages := l_m; :ref_num := l_num;
END;"""

REFUND_ACT, WRITEOFF_ACT = 204 * 10 + 4, 204 * 10 + 2  # the seed's activities of org 204


@pytest.fixture
def receipt(run: Run, invoice: dict[str, Any]) -> int:
    """A receipt of 100.00 in org 204, all of it unapplied."""
    out = run(CREATE_CASH, **cash_binds(invoice, amt=Decimal("100.00")))
    assert out["status"] == "S", out["messages"]
    run("BEGIN COMMIT; END;")  # a failed call's ROLLBACK must not take the receipt with it
    return int(out["cr_id"])


def reverse(run: Run, cr: int, **over: Any) -> dict[str, Any]:
    binds = {"cr": cr, "cat": "REV", "reason": "WRONG AMOUNT", "reason_name": None}
    binds |= {"gl": "2026-11-16", "status": None, "messages": None, **over}
    return run(REVERSE, **binds)


def test_category_sets_the_status_and_reason_names_resolve(
    run: Run, sql: Sql, receipt: int
) -> None:
    out = reverse(run, receipt, cat="NSF", reason=None, reason_name="Insufficient Funds")
    assert out["status"] == "S", out["messages"]
    cr = sql("SELECT * FROM AR_CASH_RECEIPTS_ALL WHERE CASH_RECEIPT_ID = ?", receipt)[0]
    assert (cr["STATUS"], cr["REVERSAL_CATEGORY"], cr["REVERSAL_REASON_CODE"]) == (
        "NSF",
        "NSF",
        "NSF",
    )
    assert cr["REVERSAL_COMMENTS"] == "otc:R-1;"
    pmt = sql("SELECT * FROM AR_PAYMENT_SCHEDULES_ALL WHERE CASH_RECEIPT_ID = ?", receipt)[0]
    assert (pmt["STATUS"], pmt["AMOUNT_DUE_REMAINING"]) == ("CL", "0")
    unapp = sql(
        "SELECT AMOUNT_APPLIED FROM AR_RECEIVABLE_APPLICATIONS_ALL WHERE CASH_RECEIPT_ID = ? "
        "AND STATUS = 'UNAPP'",
        receipt,
    )
    assert sum(Decimal(r["AMOUNT_APPLIED"]) for r in unapp) == 0  # nothing left unapplied
    again = reverse(run, receipt)
    assert again["status"] == "E" and names(again["messages"]) == ["AR_RAPI_CASH_RCPT_ID_INVALID"]


def test_every_failed_check_speaks_once(run: Run, receipt: int) -> None:
    out = reverse(run, receipt, cat=None, reason="NOT A REASON", gl="2026-11-01")
    assert out["status"] == "E"
    assert names(out["messages"]) == [
        "AR_RAPI_REV_CAT_CD_NULL",
        "AR_RAPI_REV_REAS_CD_INVALID",
        "AR_RW_BEFORE_RECEIPT_GL_DATE",
        "AR_RW_BEF_RCPT_APP_GL_DATE",
    ]


def test_short_term_debt_needs_a_debit_memo_reversal(run: Run, sql: Sql, receipt: int) -> None:
    ps = sql("SELECT PAYMENT_SCHEDULE_ID FROM AR_PAYMENT_SCHEDULES_ALL WHERE CASH_RECEIPT_ID = ?",
             receipt)[0]["PAYMENT_SCHEDULE_ID"]  # fmt: skip
    sql(
        "INSERT INTO AR_RECEIVABLE_APPLICATIONS_ALL (RECEIVABLE_APPLICATION_ID, CASH_RECEIPT_ID, "
        "PAYMENT_SCHEDULE_ID, APPLIED_PAYMENT_SCHEDULE_ID, AMOUNT_APPLIED, STATUS, DISPLAY, "
        "APPLY_DATE, GL_DATE, ORG_ID) VALUES (990001, ?, ?, -2, '10', 'ACTIVITY', 'Y', "
        "'2026-11-16 00:00:00', '2026-11-16 00:00:00', 204)",
        receipt,
        ps,
    )
    out = reverse(run, receipt)
    assert out["status"] == "E" and names(out["messages"]) == ["AR_RAPI_NON_REVERSIBLE"]


def on_account_cm(sql: Sql) -> dict[str, Any]:
    rows = sql(
        "SELECT ps.CUSTOMER_TRX_ID, ps.AMOUNT_DUE_REMAINING FROM AR_PAYMENT_SCHEDULES_ALL ps "
        "WHERE ps.ORG_ID = 204 AND ps.CLASS = 'CM' AND ps.STATUS = 'OP' "
        "AND CAST(ps.AMOUNT_DUE_REMAINING AS REAL) < -50 ORDER BY ps.PAYMENT_SCHEDULE_ID LIMIT 1"
    )
    assert rows, "seed has no open credit memo in org 204"
    return rows[0]


def cm_refund(run: Run, trx: Any, amt: str, act: int = REFUND_ACT) -> dict[str, Any]:
    binds = {"trx": trx, "amt": Decimal(amt), "act": act}
    return run(CM_REFUND, **binds, status=None, messages=None, ref_num=None)


def test_credit_memo_refund_rules(run: Run, sql: Sql) -> None:
    cm = on_account_cm(sql)
    trx, open_credit = cm["CUSTOMER_TRX_ID"], -Decimal(cm["AMOUNT_DUE_REMAINING"])
    over = cm_refund(run, trx, str(open_credit + 1))
    assert names(over["messages"]) == ["AR_CKAP_OVERAPP"]
    assert names(cm_refund(run, trx, "5", act=WRITEOFF_ACT)["messages"]) == [
        "AR_RAPI_ACTIVITY_X_INVALID"
    ]
    invoice = sql("SELECT CUSTOMER_TRX_ID FROM AR_PAYMENT_SCHEDULES_ALL WHERE ORG_ID = 204 "
                  "AND CLASS = 'INV' ORDER BY 1 LIMIT 1")[0]["CUSTOMER_TRX_ID"]  # fmt: skip
    assert names(cm_refund(run, invoice, "5")["messages"]) == ["AR_RAPI_CUST_TRX_ID_INVALID"]
    # the user's CMREF approval range counts every refund of the credit memo
    sql("INSERT INTO AR_APPROVAL_USER_LIMITS VALUES (1318, 'USD', 'CMREF', '0', '30', "
        "NULL, NULL, NULL, NULL, NULL)")  # fmt: skip
    first = cm_refund(run, trx, "20")
    assert first["status"] == "S", first["messages"]
    second = cm_refund(run, trx, "20")
    assert names(second["messages"]) == ["AR_REF_USR_LMT_OUT_OF_RANGE"]
    request = sql("SELECT * FROM AP_INVOICES_ALL WHERE INVOICE_ID = ?", int(first["ref_num"]))[0]
    assert (request["INVOICE_TYPE_LOOKUP_CODE"], request["INVOICE_AMOUNT"]) == (
        "PAYMENT REQUEST",
        "20",
    )
    assert request["PAYMENT_METHOD_CODE"] == "CHECK"  # no method given: CHECK
    sql("UPDATE RA_CUSTOMER_TRX_ALL SET COMPLETE_FLAG = 'N' WHERE CUSTOMER_TRX_ID = ?", trx)
    assert names(cm_refund(run, trx, "1")["messages"]) == ["AR_REF_CM_INCOMPLETE"]


def test_receipt_refund_rules(run: Run, sql: Sql, receipt: int) -> None:
    def refund(amt: str, act: int = REFUND_ACT, method: str | None = None) -> dict[str, Any]:
        binds = {"cr": receipt, "amt": Decimal(amt), "act": act, "method": method}
        return run(RECEIPT_REFUND, **binds, status=None, messages=None, ref_num=None)

    assert names(refund("100.01")["messages"]) == ["AR_RW_AMOUNT_LESS_THAN_APP"]
    assert names(refund("-1")["messages"]) == ["AR_REF_CM_APP_NEG"]
    assert names(refund("10", act=WRITEOFF_ACT)["messages"]) == ["AR_RAPI_ACTIVITY_X_INVALID"]
    assert names(refund("10", method="BARTER")["messages"]) == ["GENERIC_MESSAGE"]
    done = refund("100.00", method="EFT")
    assert done["status"] == "S", done["messages"]
    cr = sql("SELECT STATUS FROM AR_CASH_RECEIPTS_ALL WHERE CASH_RECEIPT_ID = ?", receipt)[0]
    assert cr["STATUS"] == "APP"  # nothing unapplied left
    assert sql("SELECT COUNT(*) AS N FROM AP_INVOICES_ALL")[0]["N"] == 1  # failures kept none


@pytest.mark.parametrize(
    ("state", "status"),
    [("CONFIRMED", "S"), ("REMITTED", "S"), ("CLEARED", "S"), ("REVERSED", "E")],
)
def test_remitted_and_cleared_receipts_are_reversed(
    run: Run, sql: Sql, receipt: int, state: str, status: str
) -> None:
    """Validate_reverse_info accepts APPROVED, CONFIRMED, CLEARED, REMITTED, RISK_ELIMINATED:
    a standard reversal of a remitted or cleared receipt is allowed (issue 18 said otherwise)."""
    sql(
        "UPDATE AR_CASH_RECEIPT_HISTORY_ALL SET STATUS = ? WHERE CASH_RECEIPT_ID = ?",
        state,
        receipt,
    )
    out = reverse(run, receipt)
    assert out["status"] == status, out["messages"]
    if status == "E":
        assert names(out["messages"]) == ["AR_RAPI_CASH_RCPT_ID_INVALID"]
