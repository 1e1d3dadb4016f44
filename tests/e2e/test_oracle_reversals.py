"""Reversing posted cash applications in EBS (issue 18) over both transports (ORDS over httpx,
the oracledb-compatible client) to the mock on 127.0.0.1: REVERSE of a whole receipt, UNAPPLY
of one item's application, the refusals with EBS's message names, dry runs and find_posted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from typing import Any

import httpx
import polars as pl
import pytest

from adapters.errors import OutcomeUnknown, TransientError
from contracts.io import schema_of
from tests.e2e import test_oracle_adapter as base
from tests.e2e.test_oracle_adapter import TODAY, Maker, open_items, payment, schedule, table
from tests.e2e.test_oracle_ebs_rules import sql

erp = base.erp
make = base.make
admin = base.admin
invoices = partial(base.invoices, used=set())


def reversal(key: str, app_key: str, item: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A Reversals row (validated), whole payment unless `document_id` is given."""
    row = {
        "reversal_id": key,
        "application_id": app_key,
        "company": item["company"],
        "customer_id": item["customer_id"],
        "document_id": None,
        "fiscal_year": None,
        "line": None,
        "reason_code": "WRONG INVOICE",
        "reversal_category": None,
        "reversal_date": TODAY,
        "memo": "misapplied",
        **extra,
    }
    frame = pl.DataFrame([row], schema=schema_of("reversals"))
    return frame.row(0, named=True)


def paid(ebs: Any, key: str, items: pl.DataFrame) -> str:
    """Pay `items` in full under `key`; the receipt id."""
    result = ebs.post_cash_applications(payment(key, items, items["amount"].to_list()))
    row = result.row(0, named=True)
    assert row["status"] == "posted", row["message"]
    return str(row["erp_document"])


def still_open(ebs: Any, company: str, items: pl.DataFrame) -> pl.DataFrame:
    pulled = open_items(ebs, [company])
    return pulled.filter(pl.col("document_id").is_in(items["document_id"].to_list()))


def test_whole_reversal_opens_the_items_and_a_corrected_file_posts(
    make: Maker, admin: httpx.Client
) -> None:
    ebs = make()
    t = ebs.settings.transport
    two = invoices(open_items(ebs, ["US"]), "US", 2)
    app_key, rev_key = f"PAY-MIS-{t}", f"REV-MIS-{t}"
    cr_id = paid(ebs, app_key, two)
    assert still_open(ebs, "US", two).height == 0
    row = reversal(rev_key, app_key, two.row(0, named=True))

    result = ebs.reverse_payment(row)
    assert result["status"] == "posted", result["message"]
    assert result["erp_document"] == cr_id and result["message"] is None
    receipt = table(admin, "AR_CASH_RECEIPTS_ALL", CASH_RECEIPT_ID=cr_id)[0]
    assert receipt["STATUS"] == "REV" and receipt["REVERSAL_CATEGORY"] == "REV"
    assert receipt["REVERSAL_REASON_CODE"] == "WRONG INVOICE"
    assert receipt["REVERSAL_COMMENTS"] == f"otc:{rev_key}; misapplied"
    history = table(admin, "AR_CASH_RECEIPT_HISTORY_ALL", CASH_RECEIPT_ID=cr_id)
    assert [h["STATUS"] for h in history if h["CURRENT_RECORD_FLAG"] == "Y"] == ["REVERSED"]
    # the invoices are open again, for their whole amount, as the pull shows them
    reopened = still_open(ebs, "US", two).sort("document_id")
    assert reopened["amount"].to_list() == two.sort("document_id")["amount"].to_list()
    live = [
        a
        for a in table(admin, "AR_RECEIVABLE_APPLICATIONS_ALL", CASH_RECEIPT_ID=cr_id)
        if a["DISPLAY"] == "Y"
    ]
    assert live == []

    # another process finds it by our tag alone, and a rerun reverses nothing twice
    fresh = make()
    assert fresh.find_posted("reversal", [rev_key, "REV-NEVER"]).rows() == [
        (rev_key, cr_id, "posted"),
        ("REV-NEVER", None, None),
    ]
    again = fresh.reverse_payment(row)
    assert again["status"] == "posted" and again["erp_document"] == cr_id
    assert "already reversed" in again["message"]
    assert len(table(admin, "AR_CASH_RECEIPT_HISTORY_ALL", CASH_RECEIPT_ID=cr_id)) == 2

    # the reversed payment's key stays taken: rerunning the old cash file posts nothing
    assert fresh.find_posted("cash_application", [app_key])["erp_document"][0] == cr_id
    rerun = fresh.post_payment(payment(app_key, two, two["amount"].to_list()))
    assert rerun["status"] == "posted" and rerun["erp_document"] == cr_id
    assert len(table(admin, "AR_CASH_RECEIPTS_ALL", RECEIPT_NUMBER=app_key)) == 1
    assert still_open(ebs, "US", two).height == 2

    # the corrected cash file, under a new key, pays the first invoice only
    first = two.head(1)
    fixed = ebs.post_cash_applications(payment(f"PAY-FIX-{t}", first, first["amount"].to_list()))
    assert fixed["status"][0] == "posted", fixed["message"][0]
    assert schedule(admin, first["document_id"][0])["STATUS"] == "CL"
    assert schedule(admin, two["document_id"][1])["STATUS"] == "OP"


def test_item_reversal_unapplies_one_application(make: Maker, admin: httpx.Client) -> None:
    ebs = make()
    t = ebs.settings.transport
    two = invoices(open_items(ebs, ["DE"]), "DE", 2)
    app_key = f"PAY-ITEM-{t}"
    cr_id = paid(ebs, app_key, two)
    wrong = two.row(1, named=True)
    item = {k: wrong[k] for k in ("document_id", "fiscal_year", "line")}
    row = reversal(f"REV-ITEM-{t}", app_key, wrong, **item)

    checked = ebs.reverse_payment(row, dry_run=True)
    assert checked["status"] == "checked", checked["message"]
    assert schedule(admin, wrong["document_id"])["STATUS"] == "CL"  # the dry run kept nothing
    early = ebs.reverse_payment({**row, "reversal_date": TODAY - dt.timedelta(days=3)})
    assert early["status"] == "rejected" and "AR_RW_BEFORE_APP_GL_DATE" in early["message"]

    result = ebs.reverse_payment(row)
    assert result["status"] == "posted", result["message"]
    ps = schedule(admin, wrong["document_id"])
    assert ps["STATUS"] == "OP" and Decimal(str(ps["AMOUNT_DUE_REMAINING"])) == wrong["amount"]
    assert schedule(admin, two["document_id"][0])["STATUS"] == "CL"  # the other stays paid
    receipt = table(admin, "AR_CASH_RECEIPTS_ALL", CASH_RECEIPT_ID=cr_id)[0]
    assert receipt["STATUS"] == "UNAPP"  # the money is unapplied cash on the receipt again
    receipt_ps = table(admin, "AR_PAYMENT_SCHEDULES_ALL", CASH_RECEIPT_ID=cr_id)[0]
    assert -Decimal(str(receipt_ps["AMOUNT_DUE_REMAINING"])) == wrong["amount"]

    # found by its application's state once the adapter knows the row; rerun: nothing new
    fresh = make()
    frame = pl.DataFrame([row], schema=schema_of("reversals"))
    fresh.expect("reversal", frame)
    assert (
        fresh.find_posted("reversal", [row["reversal_id"]])["erp_document"][0]
        == (result["erp_document"])
    )
    again = fresh.reverse_payment(row)
    assert again["status"] == "posted" and "already reversed" in again["message"]
    assert (
        Decimal(str(schedule(admin, wrong["document_id"])["AMOUNT_DUE_REMAINING"]))
        == (wrong["amount"])
    )
    # a whole reversal of the same receipt after that still works: the rest opens too
    whole = ebs.reverse_payment(reversal(f"REV-REST-{t}", app_key, wrong))
    assert whole["status"] == "posted", whole["message"]
    assert schedule(admin, two["document_id"][0])["STATUS"] == "OP"


def test_refusals_carry_the_ebs_messages(make: Maker, erp: Any, admin: httpx.Client) -> None:
    ebs = make()
    t = ebs.settings.transport
    one = invoices(open_items(ebs, ["US"]), "US", 1)
    item = one.row(0, named=True)
    app_key = f"PAY-NO-{t}"
    cr_id = paid(ebs, app_key, one)

    def refused(**extra: Any) -> str:
        result = ebs.reverse_payment(reversal(f"REV-NO-{t}", app_key, item, **extra))
        assert result["status"] == "rejected", result
        assert result["stage"] == "check"
        return str(result["message"])

    assert "AR_RAPI_REV_REAS_CD_INVALID" in refused(reason_code="NO SUCH REASON")
    assert "AR_RAPI_REV_CAT_CD_INVALID" in refused(reversal_category="XX")
    early = refused(reversal_date=TODAY - dt.timedelta(days=3))
    assert "AR_RW_BEFORE_RECEIPT_GL_DATE" in early and "AR_RW_BEF_RCPT_APP_GL_DATE" in early
    # the period of the reversal date closed: EBS refuses the GL date
    period = "UPDATE gl_period_statuses SET closing_status = :s WHERE period_name = 'NOV-26'"
    sql(erp, period, [{"name": "s", "data_type": "VARCHAR2", "value": "C"}])
    try:
        assert "AR_INVALID_APP_GL_DATE" in refused()
    finally:
        sql(erp, period, [{"name": "s", "data_type": "VARCHAR2", "value": "O"}])
    # nothing of the above stuck; an unknown key and a wrong customer are refused before EBS
    assert table(admin, "AR_CASH_RECEIPTS_ALL", CASH_RECEIPT_ID=cr_id)[0]["STATUS"] == "APP"
    missing = ebs.reverse_payment(reversal(f"REV-NONE-{t}", f"PAY-NEVER-{t}", item))
    assert missing["status"] == "rejected" and "nothing to reverse" in missing["message"]
    other = refused(customer_id="999999")
    assert "belongs to customer" in other
    # reversed by a clerk (NSF) under no key of ours: EBS refuses a second reversal
    sql(
        erp,
        "BEGIN fnd_global.apps_initialize(1318, 20678, 222); mo_global.init('AR'); "
        "mo_global.set_policy_context('S', 204); "
        "ar_receipt_api_pub.reverse(p_api_version => 1.0, x_return_status => :st, "
        "x_msg_count => :c, x_msg_data => :d, p_cash_receipt_id => :cr, "
        "p_reversal_category_code => 'NSF', p_reversal_reason_code => 'NSF', "
        "p_reversal_gl_date => SYSDATE, p_reversal_date => SYSDATE, p_org_id => 204); END;",
        [
            {"name": "st", "data_type": "VARCHAR2", "mode": "out"},
            {"name": "c", "data_type": "NUMBER", "mode": "out"},
            {"name": "d", "data_type": "VARCHAR2", "mode": "out"},
            {"name": "cr", "data_type": "NUMBER", "value": int(cr_id)},
        ],
    )
    twice = refused()
    assert "AR_RAPI_CASH_RCPT_ID_INVALID" in twice and "reversed already" in twice


def test_dry_run_keeps_nothing(make: Maker, admin: httpx.Client) -> None:
    """A whole reversal checked by EBS and rolled back (item scope: the item test above)."""
    ebs = make()
    t = ebs.settings.transport
    one = invoices(open_items(ebs, ["JP"]), "JP", 1)
    item = one.row(0, named=True)
    app_key = f"PAY-DRY-{t}"
    cr_id = paid(ebs, app_key, one)
    row = reversal(f"REV-DRY-{t}", app_key, item)
    checked = ebs.reverse_payment(row, dry_run=True)
    assert checked["status"] == "checked", checked["message"]
    assert table(admin, "AR_CASH_RECEIPTS_ALL", CASH_RECEIPT_ID=cr_id)[0]["STATUS"] == "APP"
    assert schedule(admin, item["document_id"])["STATUS"] == "CL"
    assert ebs.find_posted("reversal", [row["reversal_id"]])["erp_document"][0] is None
    early = {**row, "reversal_date": TODAY - dt.timedelta(days=3)}
    bad = ebs.reverse_payment(early, dry_run=True)
    assert bad["status"] == "rejected" and "AR_RW_BEFORE_RECEIPT_GL_DATE" in bad["message"], bad


@pytest.mark.parametrize(
    ("scope", "operation"),
    [("whole", "AR_RECEIPT_API_PUB.REVERSE"), ("item", "AR_RECEIPT_API_PUB.UNAPPLY")],
)
def test_lost_answer_is_unknown_then_found_and_never_done_twice(
    make: Maker, admin: httpx.Client, scope: str, operation: str
) -> None:
    ebs = make()
    t = ebs.settings.transport
    one = invoices(open_items(ebs, ["US"]), "US", 1)
    item = one.row(0, named=True)
    app_key = f"PAY-LOST-{scope}-{t}"
    cr_id = paid(ebs, app_key, one)
    extra = {k: item[k] for k in ("document_id", "fiscal_year", "line")} if scope == "item" else {}
    row = reversal(f"REV-LOST-{scope}-{t}", app_key, item, **extra)
    fault = {"persona": "oracle", "operation": operation, "nth": 1}
    # a deadlock: EBS rolled the block back, nothing happened, a retry is safe
    admin.post("/_mock/faults", json={**fault, "kind": "deadlock"})
    with pytest.raises(TransientError):
        ebs.reverse_payment(row)
    assert schedule(admin, item["document_id"])["STATUS"] == "CL"
    # the connection drops after the commit: unknown, then found by the lookup
    admin.post("/_mock/faults", json={**fault, "kind": "drop_after_commit"})
    with pytest.raises(OutcomeUnknown):
        ebs.reverse_payment(row)
    fresh = make()
    fresh.expect("reversal", pl.DataFrame([row], schema=schema_of("reversals")))
    found = fresh.find_posted("reversal", [row["reversal_id"]])["erp_document"][0]
    assert found is not None
    assert schedule(admin, item["document_id"])["STATUS"] == "OP"
    again = fresh.reverse_payment(row)
    assert again["status"] == "posted" and again["erp_document"] == found
    receipt_ps = table(admin, "AR_PAYMENT_SCHEDULES_ALL", CASH_RECEIPT_ID=cr_id)[0]
    unapplied = -Decimal(str(receipt_ps["AMOUNT_DUE_REMAINING"]))
    assert unapplied == (item["amount"] if scope == "item" else 0)
