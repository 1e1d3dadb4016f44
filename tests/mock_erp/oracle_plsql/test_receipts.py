"""AR_RECEIPT_API_PUB through real blocks: success rows and each failure's status and message
(docs/specs/oracle.md §2 "State changes", §3.2–§3.4, §4, §7 items 3, 6–8, 11)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from plsql_helpers import CONTEXT, CREATE_CASH, MSG_LOOP, cash_binds, names, texts

from mock_erp.oracle.session import OracleSession

SPEC = Path(__file__).resolve().parents[3] / "docs" / "specs" / "oracle.md"


def _frame_block() -> str:
    """The cash-application block of docs/specs/oracle.md §3.7, verbatim."""
    m = re.search(r"### 3\.7 Block frame.*?```sql\n(.*?)```", SPEC.read_text(), re.S)
    assert m is not None
    return m.group(1)


def test_spec_frame_block_posts_receipt_and_closes_invoice(run, sql, invoice) -> None:
    binds = cash_binds(
        invoice,
        ps_1=invoice["PAYMENT_SCHEDULE_ID"],
        amt_1=invoice["ADR"],
        adate="2026-11-16",
        key="key-1",
        ra_ids=None,
    )
    out = run(_frame_block(), **binds)
    assert out["status"] == "S" and out["msg_count"] == 0 and out["messages"] is None
    cr_id = int(out["cr_id"])
    app = sql(
        "SELECT * FROM AR_RECEIVABLE_APPLICATIONS_ALL WHERE CASH_RECEIPT_ID = ? ORDER BY 1", cr_id
    )
    assert [(r["STATUS"], r["AMOUNT_APPLIED"], r["DISPLAY"]) for r in app] == [
        ("UNAPP", str(invoice["ADR"]), "N"),
        ("APP", str(invoice["ADR"]), "Y"),
        ("UNAPP", str(-invoice["ADR"]), "N"),
    ]
    assert out["ra_ids"] == f"{app[1]['RECEIVABLE_APPLICATION_ID']},"
    assert app[1]["CUSTOMER_REFERENCE"] == "key-1" and app[1]["COMMENTS"] == "otc:key-1"
    ps = sql(
        "SELECT * FROM AR_PAYMENT_SCHEDULES_ALL WHERE PAYMENT_SCHEDULE_ID = ?",
        invoice["PAYMENT_SCHEDULE_ID"],
    )[0]
    assert (ps["STATUS"], ps["AMOUNT_DUE_REMAINING"], ps["GL_DATE_CLOSED"]) == (
        "CL",
        "0",
        "2026-11-16 00:00:00",
    )
    cr = sql("SELECT * FROM AR_CASH_RECEIPTS_ALL WHERE CASH_RECEIPT_ID = ?", cr_id)[0]
    assert (cr["STATUS"], cr["AMOUNT"], cr["TYPE"], cr["CREATED_BY"]) == (
        "APP",
        str(invoice["ADR"]),
        "CASH",
        1318,
    )
    pmt = sql("SELECT * FROM AR_PAYMENT_SCHEDULES_ALL WHERE CASH_RECEIPT_ID = ?", cr_id)[0]
    assert (
        pmt["CLASS"],
        pmt["AMOUNT_DUE_ORIGINAL"],
        pmt["AMOUNT_DUE_REMAINING"],
        pmt["STATUS"],
    ) == ("PMT", str(-invoice["ADR"]), "0", "CL")


def test_create_cash_writes_receipt_history_and_negative_ps(run, sql, invoice) -> None:
    out = run(CREATE_CASH, **cash_binds(invoice, amt=Decimal("100.005")))
    assert out["status"] == "S", out["messages"]
    cr_id = int(out["cr_id"])
    cr = sql("SELECT * FROM AR_CASH_RECEIPTS_ALL WHERE CASH_RECEIPT_ID = ?", cr_id)[0]
    assert (cr["AMOUNT"], cr["STATUS"], cr["RECEIPT_NUMBER"], cr["ORG_ID"]) == (
        "100.01",
        "UNAPP",
        "OTC-R-1",
        204,
    )
    hist = sql("SELECT * FROM AR_CASH_RECEIPT_HISTORY_ALL WHERE CASH_RECEIPT_ID = ?", cr_id)
    assert [(h["CURRENT_RECORD_FLAG"], h["GL_DATE"]) for h in hist] == [
        ("Y", "2026-11-16 00:00:00")
    ]
    ps = sql("SELECT * FROM AR_PAYMENT_SCHEDULES_ALL WHERE CASH_RECEIPT_ID = ?", cr_id)[0]
    assert (ps["CLASS"], ps["AMOUNT_DUE_ORIGINAL"], ps["AMOUNT_DUE_REMAINING"], ps["STATUS"]) == (
        "PMT",
        "-100.01",
        "-100.01",
        "OP",
    )
    assert (ps["TRX_NUMBER"], ps["GL_DATE_CLOSED"]) == ("OTC-R-1", "4712-12-31 00:00:00")
    ra = sql("SELECT * FROM AR_RECEIVABLE_APPLICATIONS_ALL WHERE CASH_RECEIPT_ID = ?", cr_id)
    assert [
        (r["STATUS"], r["AMOUNT_APPLIED"], r["DISPLAY"], r["PAYMENT_SCHEDULE_ID"]) for r in ra
    ] == [("UNAPP", "100.01", "N", ps["PAYMENT_SCHEDULE_ID"])]


def test_unknown_customer_is_e_with_ar_rapi_cust_id_invalid(run, sql, invoice) -> None:
    out = run(CREATE_CASH, **cash_binds(invoice, cust=987654, site=None))
    assert (out["status"], names(out["messages"]), out["cr_id"]) == (
        "E",
        ["AR_RAPI_CUST_ID_INVALID"],
        None,
    )
    assert (
        out["msg_count"] == 1 and out["msg_data"] == texts(out["messages"])[0]
    )  # data only when count = 1
    assert (
        sql("SELECT COUNT(*) AS N FROM AR_CASH_RECEIPTS_ALL WHERE RECEIPT_NUMBER = 'OTC-R-1'")[0][
            "N"
        ]
        == 0
    )


def test_independent_failures_each_add_a_message_and_msg_data_stays_null(run, invoice) -> None:
    out = run(CREATE_CASH, **cash_binds(invoice, amt=Decimal("-5"), method=999, cur="XXX"))
    assert out["status"] == "E"
    assert names(out["messages"]) == [
        "AR_RW_RCT_AMOUNT_NEGATIVE",
        "AR_RAPI_CURR_CODE_INVALID",
        "AR_RAPI_RCPT_MD_ID_INVALID",
    ]
    assert out["msg_count"] == 3 and out["msg_data"] is None


def test_closed_period_gl_date_is_ar_invalid_app_gl_date_with_token(run, invoice) -> None:
    out = run(CREATE_CASH, **cash_binds(invoice, rdate="2025-01-05", gl="2025-01-05"))
    assert (out["status"], names(out["messages"])) == ("E", ["AR_INVALID_APP_GL_DATE"])
    assert "|GL_DATE|05-JAN-2025" in out["messages"]


def test_duplicate_receipt_only_when_number_date_amount_and_customer_match(
    run, sql, invoice
) -> None:
    assert run(CREATE_CASH, **cash_binds(invoice))["status"] == "S"
    dup = run(CREATE_CASH, **cash_binds(invoice))
    assert (dup["status"], names(dup["messages"])) == ("E", ["AR_RW_CASH_DUPLICATE_RECEIPT"])
    for change in (
        {"amt": invoice["ADR"] - 1},
        {"rdate": "2026-11-15"},
        {"cust": None, "site": None},
    ):
        assert run(CREATE_CASH, **cash_binds(invoice, **change))["status"] == "S", change
    sql("UPDATE AR_CASH_RECEIPTS_ALL SET STATUS = 'REV' WHERE RECEIPT_NUMBER = 'OTC-R-1'")
    assert run(CREATE_CASH, **cash_binds(invoice))["status"] == "S"  # reversed receipts are ignored


def test_unidentified_receipt_without_customer(run, sql, invoice) -> None:
    out = run(CREATE_CASH, **cash_binds(invoice, cust=None, site=None))
    assert out["status"] == "S"
    cr = sql(
        "SELECT STATUS, PAY_FROM_CUSTOMER FROM AR_CASH_RECEIPTS_ALL WHERE CASH_RECEIPT_ID = ?",
        int(out["cr_id"]),
    )
    assert cr == [{"STATUS": "UNID", "PAY_FROM_CUSTOMER": None}]


def test_site_use_of_another_customer_is_rejected(run, sql, invoice) -> None:
    other = sql(
        "SELECT su.SITE_USE_ID FROM HZ_CUST_SITE_USES_ALL su JOIN HZ_CUST_ACCT_SITES_ALL s "
        "ON s.CUST_ACCT_SITE_ID = su.CUST_ACCT_SITE_ID WHERE s.CUST_ACCOUNT_ID <> ? LIMIT 1",
        invoice["CUSTOMER_ID"],
    )[0]["SITE_USE_ID"]
    out = run(CREATE_CASH, **cash_binds(invoice, site=other))
    assert (out["status"], names(out["messages"])) == ("E", ["AR_RAPI_CUS_SITE_USE_ID_INVALID"])


def test_incompatible_api_version_is_u(run, invoice) -> None:
    out = run(CREATE_CASH, **cash_binds(invoice, ver=Decimal("2.0")))
    assert (out["status"], names(out["messages"])) == ("U", ["FND_AS_INCOMPATIBLE_API_CALL"])
    assert (
        run(CREATE_CASH, **cash_binds(invoice, ver=Decimal("1.5")))["status"] == "S"
    )  # TRUNC(1.5) = 1


def test_missing_mo_context_is_e_fnd_mo_noinit(run, invoice) -> None:
    block = CREATE_CASH.replace(
        "mo_global.init('AR'); mo_global.set_policy_context('S', :org_id);", "NULL;"
    )
    out = run(block, **cash_binds(invoice))
    assert (out["status"], names(out["messages"])) == ("E", ["FND_MO_NOINIT_SP_PUB_API"])
    assert out["messages"].startswith("FND|")


def test_org_outside_the_policy_context_is_fnd_mo_invalid_ou(run, engine, session, invoice) -> None:
    block = CREATE_CASH.replace("p_org_id => :org_id", "p_org_id => 301")
    out = run(block, **cash_binds(invoice))
    assert (out["status"], names(out["messages"])) == ("E", ["FND_MO_INVALID_OU_PUB_API"])
    out = run(
        CREATE_CASH, **cash_binds(invoice, org_id=9999)
    )  # not in the responsibility's profile
    assert (out["status"], names(out["messages"])) == ("E", ["FND_MO_INVALID_OU_PUB_API"])


APPLY = f"""
DECLARE
  l_st VARCHAR2(1); l_cnt NUMBER; l_data VARCHAR2(2000); l_m VARCHAR2(32000); l_ra NUMBER;
BEGIN{CONTEXT}
  ar_receipt_api_pub.apply(p_api_version => 1.0, p_init_msg_list => 'T', x_return_status => l_st,
    x_msg_count => l_cnt, x_msg_data => l_data, p_cash_receipt_id => :cr,
    p_applied_payment_schedule_id => :ps, p_amount_applied => :amt, p_apply_date => TO_DATE(:adate, 'YYYY-MM-DD'),
    p_apply_gl_date => TO_DATE(:adate, 'YYYY-MM-DD'), p_comments => 'otc:app', p_customer_reference => 'app',
    p_org_id => :org_id);
  IF l_st = 'S' THEN
    SELECT MAX(receivable_application_id) INTO l_ra FROM ar_receivable_applications_all
     WHERE cash_receipt_id = :cr AND status = 'APP' AND display = 'Y';
  END IF;{MSG_LOOP}
  :status := l_st; :messages := l_m; :ra := l_ra;
END;"""


def _receipt(run: Any, invoice: dict[str, Any], amount: Decimal, number: str = "OTC-R-1") -> int:
    out = run(CREATE_CASH, **cash_binds(invoice, amt=amount, rno=number))
    assert out["status"] == "S", out["messages"]
    return int(out["cr_id"])


def _apply(run: Any, cr: int, ps: int, amount: Any, adate: str = "2026-11-16") -> dict[str, Any]:
    return run(APPLY, cr=cr, ps=ps, amt=amount, adate=adate, status=None, messages=None, ra=None)


def test_partial_apply_keeps_item_open_and_receipt_unapplied(run, sql, invoice) -> None:
    cr = _receipt(run, invoice, Decimal("500"))
    out = _apply(run, cr, invoice["PAYMENT_SCHEDULE_ID"], Decimal("200.10"))
    assert out["status"] == "S" and out["ra"] is not None
    ps = sql(
        "SELECT * FROM AR_PAYMENT_SCHEDULES_ALL WHERE PAYMENT_SCHEDULE_ID = ?",
        invoice["PAYMENT_SCHEDULE_ID"],
    )[0]
    assert (Decimal(ps["AMOUNT_DUE_REMAINING"]), ps["STATUS"]) == (
        invoice["ADR"] - Decimal("200.10"),
        "OP",
    )
    assert Decimal(ps["AMOUNT_APPLIED"] or 0) == Decimal("200.10")
    pmt = sql(
        "SELECT AMOUNT_DUE_REMAINING, STATUS FROM AR_PAYMENT_SCHEDULES_ALL WHERE CASH_RECEIPT_ID = ?",
        cr,
    )[0]
    assert pmt == {"AMOUNT_DUE_REMAINING": "-299.9", "STATUS": "OP"}
    assert (
        sql("SELECT STATUS FROM AR_CASH_RECEIPTS_ALL WHERE CASH_RECEIPT_ID = ?", cr)[0]["STATUS"]
        == "UNAPP"
    )


def test_apply_beyond_receipt_unapplied_is_ar_rw_app_neg_unapp(run, sql, invoice) -> None:
    cr = _receipt(run, invoice, Decimal("50"))
    out = _apply(run, cr, invoice["PAYMENT_SCHEDULE_ID"], Decimal("60"))
    assert (out["status"], names(out["messages"])) == ("E", ["AR_RW_APP_NEG_UNAPP"])
    ps = sql(
        "SELECT AMOUNT_DUE_REMAINING FROM AR_PAYMENT_SCHEDULES_ALL WHERE PAYMENT_SCHEDULE_ID = ?",
        invoice["PAYMENT_SCHEDULE_ID"],
    )[0]
    assert (
        Decimal(ps["AMOUNT_DUE_REMAINING"]) == invoice["ADR"]
    )  # the failed API undid its own work


def test_over_application_when_type_forbids_it_is_ar_ckap_overapp(run, sql, invoice) -> None:
    sql("UPDATE RA_CUST_TRX_TYPES_ALL SET ALLOW_OVERAPPLICATION_FLAG = 'N'")
    cr = _receipt(run, invoice, invoice["ADR"] + 100)
    out = _apply(run, cr, invoice["PAYMENT_SCHEDULE_ID"], invoice["ADR"] + 1)
    assert (out["status"], names(out["messages"])) == ("E", ["AR_CKAP_OVERAPP"])
    sql(
        "UPDATE RA_CUST_TRX_TYPES_ALL SET ALLOW_OVERAPPLICATION_FLAG = 'Y'"
    )  # the seeded invoice type allows it
    assert _apply(run, cr, invoice["PAYMENT_SCHEDULE_ID"], invoice["ADR"] + 1)["status"] == "S"


def test_apply_date_rules(run, invoice) -> None:
    cr = _receipt(run, invoice, Decimal("10"))
    out = _apply(run, cr, invoice["PAYMENT_SCHEDULE_ID"], Decimal("5"), adate="2026-11-10")
    assert out["status"] == "E"
    assert names(out["messages"]) == ["AR_APPLY_BEFORE_RECEIPT", "AR_RW_GL_DATE_BEFORE_REC_GL"]


def test_apply_to_unknown_ps_and_receipt(run, invoice) -> None:
    cr = _receipt(run, invoice, Decimal("10"))
    assert names(_apply(run, cr, 99999999, Decimal("5"))["messages"]) == [
        "AR_RAPI_APP_PS_ID_INVALID"
    ]
    assert names(_apply(run, 424242, invoice["PAYMENT_SCHEDULE_ID"], Decimal("5"))["messages"]) == [
        "AR_RAPI_CASH_RCPT_ID_INVALID"
    ]


UNAPPLY = f"""
DECLARE l_st VARCHAR2(1); l_cnt NUMBER; l_data VARCHAR2(2000); l_m VARCHAR2(32000);
BEGIN{CONTEXT}
  ar_receipt_api_pub.unapply(p_api_version => 1.0, p_init_msg_list => 'T', x_return_status => l_st,
    x_msg_count => l_cnt, x_msg_data => l_data, p_receivable_application_id => :ra,
    p_reversal_gl_date => TO_DATE(:rev, 'YYYY-MM-DD'), p_org_id => :org_id);{MSG_LOOP}
  :status := l_st; :messages := l_m;
END;"""


def test_unapply_restores_item_and_receipt(run, sql, invoice) -> None:
    cr = _receipt(run, invoice, invoice["ADR"])
    ra = int(_apply(run, cr, invoice["PAYMENT_SCHEDULE_ID"], invoice["ADR"])["ra"])
    out = run(UNAPPLY, ra=ra, rev="2026-11-16", status=None, messages=None)
    assert out["status"] == "S", out["messages"]
    ps = sql(
        "SELECT * FROM AR_PAYMENT_SCHEDULES_ALL WHERE PAYMENT_SCHEDULE_ID = ?",
        invoice["PAYMENT_SCHEDULE_ID"],
    )[0]
    assert (Decimal(ps["AMOUNT_DUE_REMAINING"]), ps["STATUS"], ps["GL_DATE_CLOSED"]) == (
        invoice["ADR"],
        "OP",
        "4712-12-31 00:00:00",
    )
    orig = sql(
        "SELECT DISPLAY, REVERSAL_GL_DATE FROM AR_RECEIVABLE_APPLICATIONS_ALL WHERE RECEIVABLE_APPLICATION_ID = ?",
        ra,
    )
    assert orig == [{"DISPLAY": "N", "REVERSAL_GL_DATE": "2026-11-16 00:00:00"}]
    live = sql(
        "SELECT COUNT(*) AS N FROM AR_RECEIVABLE_APPLICATIONS_ALL WHERE CASH_RECEIPT_ID = ? AND STATUS = 'APP' "
        "AND DISPLAY = 'Y'",
        cr,
    )
    assert live[0]["N"] == 0
    assert (
        sql("SELECT STATUS FROM AR_CASH_RECEIPTS_ALL WHERE CASH_RECEIPT_ID = ?", cr)[0]["STATUS"]
        == "UNAPP"
    )
    again = run(UNAPPLY, ra=ra, rev="2026-11-16", status=None, messages=None)
    assert (again["status"], names(again["messages"])) == ("E", ["AR_RAPI_REC_APP_ID_INVALID"])


def test_unapply_reversal_date_rules(run, invoice) -> None:
    cr = _receipt(run, invoice, Decimal("10"))
    ra = int(_apply(run, cr, invoice["PAYMENT_SCHEDULE_ID"], Decimal("10"))["ra"])
    assert names(run(UNAPPLY, ra=ra, rev=None, status=None, messages=None)["messages"]) == [
        "AR_RAPI_REV_GL_DATE_NULL"
    ]
    out = run(UNAPPLY, ra=ra, rev="2026-11-01", status=None, messages=None)
    assert names(out["messages"]) == ["AR_RW_BEFORE_APP_GL_DATE"]


WRITE_OFF = f"""
DECLARE
  l_st VARCHAR2(1); l_cnt NUMBER; l_data VARCHAR2(2000); l_m VARCHAR2(32000); l_ra NUMBER;
  l_ref_type VARCHAR2(30); l_ref_id NUMBER; l_ref_num VARCHAR2(30); l_sec NUMBER;
BEGIN
  {{init}}
  ar_receipt_api_pub.activity_application(p_api_version => 1.0, p_init_msg_list => 'T',
    x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data, p_cash_receipt_id => :cr,
    p_amount_applied => :amt, p_applied_payment_schedule_id => -3, p_receivables_trx_id => :act,
    p_apply_date => TO_DATE(:adate, 'YYYY-MM-DD'), p_apply_gl_date => TO_DATE(:adate, 'YYYY-MM-DD'),
    p_comments => 'otc:wo-1', p_application_ref_type => l_ref_type, p_application_ref_id => l_ref_id,
    p_application_ref_num => l_ref_num, p_secondary_application_ref_id => l_sec,
    p_receivable_application_id => l_ra, p_org_id => :org_id);{MSG_LOOP}
  :status := l_st; :messages := l_m; :ra := l_ra;
END;"""
INIT = CONTEXT.strip()


def _write_off(
    run: Any, cr: int, amount: Any, act: int = 2042, init: str = INIT, **kw: Any
) -> dict[str, Any]:
    block = WRITE_OFF.replace("{init}", init)
    return run(
        block,
        cr=cr,
        amt=amount,
        act=act,
        adate="2026-11-16",
        status=None,
        messages=None,
        ra=None,
        **kw,
    )


def test_receipt_write_off_applies_to_minus_3(run, sql, invoice) -> None:
    cr = _receipt(run, invoice, Decimal("30"))
    out = _write_off(run, cr, Decimal("30"))
    assert out["status"] == "S", out["messages"]
    ra = sql(
        "SELECT * FROM AR_RECEIVABLE_APPLICATIONS_ALL WHERE RECEIVABLE_APPLICATION_ID = ?",
        int(out["ra"]),
    )[0]
    assert (
        ra["STATUS"],
        ra["APPLIED_PAYMENT_SCHEDULE_ID"],
        ra["AMOUNT_APPLIED"],
        ra["DISPLAY"],
    ) == ("ACTIVITY", -3, "30", "Y")
    assert (ra["RECEIVABLES_TRX_ID"], ra["COMMENTS"]) == (2042, "otc:wo-1")
    assert (
        sql("SELECT STATUS FROM AR_CASH_RECEIPTS_ALL WHERE CASH_RECEIPT_ID = ?", cr)[0]["STATUS"]
        == "APP"
    )
    minus3 = sql(
        "SELECT AMOUNT_DUE_REMAINING FROM AR_PAYMENT_SCHEDULES_ALL WHERE PAYMENT_SCHEDULE_ID = -3"
    )[0]
    assert minus3["AMOUNT_DUE_REMAINING"] == "0"  # no item PS is touched


def test_write_off_limits_and_activity_checks(run, invoice) -> None:
    cr = _receipt(run, invoice, Decimal("900"))
    out = _write_off(run, cr, Decimal("600"))  # user WRTOFF limit USD is -500..500
    assert (out["status"], names(out["messages"])) == ("E", ["AR_WR_USER_LIMIT"])
    assert "|FROM_AMOUNT|-500|N|TO_AMOUNT|500" in out["messages"]
    assert names(_write_off(run, cr, Decimal("5"), act=2041)["messages"]) == [
        "AR_RAPI_ACTIVITY_X_INVALID"
    ]
    assert names(_write_off(run, cr, Decimal("5"), act=777)["messages"]) == [
        "AR_RAPI_REC_TRX_ID_INVALID"
    ]


def test_write_off_without_apps_context_has_no_limit(run, invoice) -> None:
    cr = _receipt(run, invoice, Decimal("40"))
    fresh = OracleSession()  # a new request: no FND_GLOBAL.APPS_INITIALIZE, so USER_ID = -1
    out = _write_off(
        run, cr, Decimal("5"), init="mo_global.set_policy_context('S', :org_id);", _session=fresh
    )
    assert (out["status"], names(out["messages"])) == ("E", ["AR_WR_NO_LIMIT"])


CREATE_AND_APPLY = f"""
DECLARE l_st VARCHAR2(1); l_cnt NUMBER; l_data VARCHAR2(2000); l_cr NUMBER; l_m VARCHAR2(32000);
BEGIN{CONTEXT}
  ar_receipt_api_pub.create_and_apply(p_api_version => 1.0, p_init_msg_list => 'T', x_return_status => l_st,
    x_msg_count => l_cnt, x_msg_data => l_data, p_currency_code => 'USD', p_amount => :amt,
    p_receipt_number => :rno, p_receipt_date => TO_DATE('2026-11-16', 'YYYY-MM-DD'), p_customer_id => :cust,
    p_receipt_method_id => 1001, p_cr_id => l_cr, p_applied_payment_schedule_id => :ps,
    p_amount_applied => :applied, p_org_id => :org_id);{MSG_LOOP}
  :status := l_st; :messages := l_m; :cr_id := l_cr;
END;"""


def test_create_and_apply_is_one_unit(run, sql, invoice) -> None:
    binds = {
        "cust": invoice["CUSTOMER_ID"],
        "ps": invoice["PAYMENT_SCHEDULE_ID"],
        "status": None,
        "messages": None,
        "cr_id": None,
    }
    bad = run(CREATE_AND_APPLY, amt=Decimal("10"), applied=Decimal("20"), rno="CA-1", **binds)
    assert (bad["status"], names(bad["messages"]), bad["cr_id"]) == (
        "E",
        ["AR_RW_APP_NEG_UNAPP"],
        None,
    )
    assert (
        sql("SELECT COUNT(*) AS N FROM AR_CASH_RECEIPTS_ALL WHERE RECEIPT_NUMBER = 'CA-1'")[0]["N"]
        == 0
    )
    ok = run(CREATE_AND_APPLY, amt=Decimal("20"), applied=Decimal("20"), rno="CA-2", **binds)
    assert ok["status"] == "S"
    assert (
        sql("SELECT STATUS FROM AR_CASH_RECEIPTS_ALL WHERE CASH_RECEIPT_ID = ?", int(ok["cr_id"]))[
            0
        ]["STATUS"]
        == "APP"
    )


def test_multi_org_mode_needs_p_org_id(run, session, invoice) -> None:
    block = CREATE_CASH.replace("set_policy_context('S', :org_id)", "set_policy_context('M', NULL)")
    out = run(block, **cash_binds(invoice))
    assert out["status"] == "S", out["messages"]
    assert session.access_mode == "M" and {204, 301} <= session.visible_orgs()
    no_org = run(
        block.replace("p_org_id => :org_id", "p_org_id => NULL"), **cash_binds(invoice, rno="R-M2")
    )
    assert (no_org["status"], names(no_org["messages"])) == ("E", ["FND_MO_INVALID_OU_PUB_API"])


def test_apply_by_customer_trx_id(run, sql, invoice) -> None:
    cr = _receipt(run, invoice, Decimal("25"))
    block = APPLY.replace("p_applied_payment_schedule_id => :ps", "p_customer_trx_id => :ps")
    out = run(
        block,
        cr=cr,
        ps=invoice["CUSTOMER_TRX_ID"],
        amt=Decimal("25"),
        adate="2026-11-16",
        status=None,
        messages=None,
        ra=None,
    )
    assert out["status"] == "S", out["messages"]
    row = sql(
        "SELECT APPLIED_PAYMENT_SCHEDULE_ID FROM AR_RECEIVABLE_APPLICATIONS_ALL WHERE RECEIVABLE_APPLICATION_ID = ?",
        int(out["ra"]),
    )
    assert row == [{"APPLIED_PAYMENT_SCHEDULE_ID": invoice["PAYMENT_SCHEDULE_ID"]}]
    bad = run(
        block,
        cr=cr,
        ps=-77,
        amt=Decimal("1"),
        adate="2026-11-16",
        status=None,
        messages=None,
        ra=None,
    )
    assert names(bad["messages"]) == ["AR_RAPI_CUST_TRX_ID_INVALID"]
