"""AR_ADJUST_PUB.CREATE_ADJUSTMENT through real blocks: the record declared as
AR_ADJUSTMENTS%ROWTYPE, p_* status names, approval limits -> A or W (docs/specs/oracle.md §3.5, §7 item 10)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from plsql_helpers import CONTEXT, MSG_LOOP, names

ADJUST = f"""
DECLARE
  l_adj ar_adjustments%ROWTYPE; l_st VARCHAR2(1); l_cnt NUMBER; l_data VARCHAR2(2000);
  l_num VARCHAR2(20); l_id NUMBER; l_m VARCHAR2(32000);
BEGIN{CONTEXT}
  l_adj.type := :type;
  l_adj.payment_schedule_id := :ps;
  l_adj.receivables_trx_id := :act;
  l_adj.amount := :amt;
  l_adj.apply_date := TO_DATE(:adate, 'YYYY-MM-DD');
  l_adj.gl_date := TO_DATE(:gl, 'YYYY-MM-DD');
  l_adj.reason_code := 'WRITE OFF';
  l_adj.comments := 'otc:wo-7';
  l_adj.created_from := :created_from;
  l_adj.status := :req_status;
  ar_adjust_pub.create_adjustment(p_api_name => 'AR_ADJUST_PUB', p_api_version => 1.0,
    p_init_msg_list => fnd_api.g_true, p_commit_flag => fnd_api.g_false,
    p_validation_level => fnd_api.g_valid_level_full, p_msg_count => l_cnt, p_msg_data => l_data,
    p_return_status => l_st, p_adj_rec => l_adj, p_chk_approval_limits => fnd_api.g_true,
    p_check_amount => fnd_api.g_true, p_new_adjust_number => l_num, p_new_adjust_id => l_id,
    p_org_id => :org_id);{MSG_LOOP}
  IF l_st <> fnd_api.g_ret_sts_success THEN ROLLBACK; END IF;
  :status := l_st; :messages := l_m; :adj_id := l_id; :adj_number := l_num; :msg_data := l_data;
END;"""


def _adjust(run: Any, invoice: dict[str, Any], **over: Any) -> dict[str, Any]:
    binds = {
        "type": "INVOICE",
        "ps": invoice["PAYMENT_SCHEDULE_ID"],
        "act": 2041,
        "amt": None,
        "adate": "2026-11-16",
        "gl": "2026-11-16",
        "created_from": "OTC_ADAPTERS",
        "req_status": None,
        "status": None,
        "messages": None,
        "adj_id": None,
        "adj_number": None,
        "msg_data": None,
    }
    binds.update(over)
    return run(ADJUST, **binds)


def _small(sql: Any, invoice: dict[str, Any], adr: str) -> None:
    """Make the invoice's balance small (inside the USD ADJ limit of ±1000)."""
    sql(
        "UPDATE AR_PAYMENT_SCHEDULES_ALL SET AMOUNT_DUE_REMAINING = ?, AMOUNT_LINE_ITEMS_REMAINING = ?, "
        "TAX_REMAINING = '0', FREIGHT_REMAINING = '0', RECEIVABLES_CHARGES_REMAINING = '0' "
        "WHERE PAYMENT_SCHEDULE_ID = ?",
        adr,
        adr,
        invoice["PAYMENT_SCHEDULE_ID"],
    )


def _ps(sql: Any, invoice: dict[str, Any]) -> dict[str, Any]:
    rows = sql(
        "SELECT * FROM AR_PAYMENT_SCHEDULES_ALL WHERE PAYMENT_SCHEDULE_ID = ?",
        invoice["PAYMENT_SCHEDULE_ID"],
    )
    return rows[0]  # type: ignore[no-any-return]


def test_invoice_write_off_inside_limits_is_approved_and_closes(run, sql, invoice) -> None:
    _small(sql, invoice, "12.34")
    out = _adjust(run, invoice)
    assert out["status"] == "S", out["messages"]
    adj = sql("SELECT * FROM AR_ADJUSTMENTS_ALL WHERE ADJUSTMENT_ID = ?", int(out["adj_id"]))[0]
    assert (adj["STATUS"], adj["AMOUNT"], adj["TYPE"], adj["CREATED_FROM"]) == (
        "A",
        "-12.34",
        "INVOICE",
        "OTC_ADAPTERS",
    )
    assert adj["ADJUSTMENT_NUMBER"] == out["adj_number"] and adj["COMMENTS"] == "otc:wo-7"
    ps = _ps(sql, invoice)
    assert (ps["AMOUNT_DUE_REMAINING"], ps["STATUS"], ps["AMOUNT_ADJUSTED"]) == (
        "0",
        "CL",
        "-12.34",
    )
    assert ps["ACTUAL_DATE_CLOSED"] == "2026-11-16 00:00:00"


def test_over_the_approval_limit_is_pending_w_and_keeps_the_balance(run, sql, invoice) -> None:
    assert invoice["ADR"] > 1000  # the seeded invoice is beyond the USD ADJ limit
    out = _adjust(run, invoice)
    assert out["status"] == "S"
    adj = sql(
        "SELECT STATUS, AMOUNT FROM AR_ADJUSTMENTS_ALL WHERE ADJUSTMENT_ID = ?", int(out["adj_id"])
    )[0]
    assert adj == {"STATUS": "W", "AMOUNT": str(-invoice["ADR"])}
    ps = _ps(sql, invoice)
    assert Decimal(ps["AMOUNT_DUE_REMAINING"]) == invoice["ADR"] and ps["STATUS"] == "OP"
    assert Decimal(ps["AMOUNT_ADJUSTED_PENDING"]) == -invoice["ADR"]


def test_status_a_requested_over_the_limit_is_downgraded_to_w(run, sql, invoice) -> None:
    """Within_approval_limits adds the message but signals no error (ARXVADJB.pls)."""
    out = _adjust(run, invoice, req_status="A")
    assert (out["status"], names(out["messages"])) == ("S", ["AR_VAL_AMT_APPROVAL_LIMIT"])
    adj = sql("SELECT STATUS FROM AR_ADJUSTMENTS_ALL WHERE ADJUSTMENT_ID = ?", int(out["adj_id"]))
    assert adj == [{"STATUS": "W"}]
    assert Decimal(_ps(sql, invoice)["AMOUNT_DUE_REMAINING"]) == invoice["ADR"]


def test_a_user_without_limits_gets_w_not_an_error(run, sql, invoice) -> None:
    sql("DELETE FROM AR_APPROVAL_USER_LIMITS WHERE DOCUMENT_TYPE = 'ADJ'")
    _small(sql, invoice, "5")
    out = _adjust(run, invoice)
    assert (out["status"], names(out["messages"])) == ("S", ["AR_VAL_USER_LIMIT"])
    adj = sql("SELECT STATUS FROM AR_ADJUSTMENTS_ALL WHERE ADJUSTMENT_ID = ?", int(out["adj_id"]))
    assert adj == [{"STATUS": "W"}]


def test_invoice_type_must_equal_minus_adr(run, sql, invoice) -> None:
    _small(sql, invoice, "50")
    out = _adjust(run, invoice, amt=Decimal("-20"))
    assert (out["status"], names(out["messages"])) == ("E", ["AR_TW_VAL_AMT_ADJ_INV"])
    assert out["msg_data"] is not None and "-50" in out["msg_data"]
    assert _ps(sql, invoice)["AMOUNT_DUE_REMAINING"] == "50"


def test_line_adjustment_is_partial_and_checks_the_bucket(run, sql, invoice) -> None:
    _small(sql, invoice, "50")
    out = _adjust(run, invoice, type="LINE", amt=Decimal("-20"))
    assert out["status"] == "S", out["messages"]
    ps = _ps(sql, invoice)
    assert (ps["AMOUNT_DUE_REMAINING"], ps["AMOUNT_LINE_ITEMS_REMAINING"], ps["STATUS"]) == (
        "30",
        "30",
        "OP",
    )
    over = _adjust(run, invoice, type="LINE", amt=Decimal("-31"))
    assert names(over["messages"]) == ["AR_CKAP_OVERAPP"]


def test_checks_in_spec_order(run, invoice) -> None:
    assert names(_adjust(run, invoice, type="BOGUS", ps=-5)["messages"]) == [
        "AR_AAPI_INVALID_ADJUSTMENT_TYPE"
    ]
    assert names(_adjust(run, invoice, ps=-3)["messages"]) == ["AR_AAPI_INVALID_PAYSCHD"]
    out = _adjust(run, invoice, adate=None, gl="2025-01-10")
    assert names(out["messages"]) == [
        "AR_AAPI_NO_APPLY_DATE",
        "AR_AAPI_GLDATE_INVALID_PERIOD",
        "AR_AAPI_GLDATE_LT_TRXGLDATE",
    ]
    assert "|GL_DATE|10-JAN-2025" in out["messages"]
    assert names(_adjust(run, invoice, adate="2020-01-01")["messages"]) == [
        "AR_AAPI_APPLYDATE_LT_TRXDATE"
    ]
    # the invoice is beyond the user's limit: Validate_Amount's approval message (not an error)
    # is already on the stack when the activity check fails (ARXVADJB.pls order)
    over = "AR_VAL_AMT_APPROVAL_LIMIT"
    assert names(_adjust(run, invoice, act=-11)["messages"]) == [
        over,
        "AR_AAPI_INVALID_RCVABLE_TRX_ID",
    ]
    assert names(_adjust(run, invoice, act=2042)["messages"]) == [
        over,
        "AR_AAPI_INVALID_RCVABLE_TRX_ID",
    ]  # WRITEOFF
    assert names(_adjust(run, invoice, type="LINE", amt=0)["messages"]) == [
        "AR_AAPI_ADJ_AMOUNT_ZERO"
    ]
    assert names(_adjust(run, invoice, req_status="X")["messages"]) == [
        "AR_AAPI_INVALID_CREATE_STATUS"
    ]


def test_created_from_is_mandatory(run, sql, invoice) -> None:
    _small(sql, invoice, "5")
    out = _adjust(run, invoice, created_from=None)
    assert (out["status"], names(out["messages"])) == ("E", ["AR_AAPI_NO_CREATED_FROM"])


def test_adjust_reports_through_p_names_and_rolls_back_with_the_block(run, sql, invoice) -> None:
    before = sql("SELECT COUNT(*) AS N FROM AR_ADJUSTMENTS_ALL")[0]["N"]
    out = _adjust(run, invoice, ps=123456789)
    assert out["status"] == "E" and out["adj_id"] is None
    assert sql("SELECT COUNT(*) AS N FROM AR_ADJUSTMENTS_ALL")[0]["N"] == before
