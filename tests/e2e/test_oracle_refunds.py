"""Refunding credit balances in EBS (issue 18) over both transports to the mock on 127.0.0.1:
a receipt's unapplied cash (AR_RECEIPT_API_PUB.ACTIVITY_APPLICATION on −8) and an on-account
credit memo (AR_CM_APPLICATION_PUB.ACTIVITY_APPLICATION) in one refund, each becoming a
Payables payment request; refusals with EBS's messages, all-or-nothing, dry run, find_posted."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import polars as pl
import pytest

from adapters.errors import OutcomeUnknown
from contracts.io import schema_of
from tests.e2e import test_oracle_adapter as base
from tests.e2e.test_oracle_adapter import TODAY, Maker, open_items, schedule, table
from tests.e2e.test_oracle_ebs_rules import on_account_only, sql

erp = base.erp
make = base.make
admin = base.admin
ACTIVITY = {"refund_activity": "Credit Memo Refund"}  # the mock's CM_REFUND activity
_used: set[str] = set()


def credit_memo(items: pl.DataFrame, company: str) -> dict[str, Any]:
    """An open credit memo (with at least 50 of credit) of a customer no test used yet."""
    pool = items.filter(
        (pl.col("company") == company)
        & (pl.col("document_type") == "credit_memo")
        & (pl.col("amount") < -50)
        & ~pl.col("customer_id").is_in(list(_used))
    ).sort("customer_id", "document_id")
    assert pool.height, f"seed has no fresh credit memo in {company}"
    row = pool.row(0, named=True)
    _used.add(row["customer_id"])
    return row


def unapplied_receipt(ebs: Any, key: str, cm: dict[str, Any], amount: Decimal) -> str:
    """A receipt of the credit memo's customer with `amount` unapplied; its document id."""
    frame = pl.DataFrame([cm], schema=open_items(ebs, [cm["company"]]).schema)
    posted = ebs.post_cash_applications(on_account_only(key, frame, amount))
    row = posted.row(0, named=True)
    assert row["status"] == "posted", row["message"]
    return f"CR{row['erp_document']}"


def refund(key: str, cm: dict[str, Any], items: list[tuple[str, Decimal]], **extra: Any) -> Any:
    total = sum((a for _, a in items), Decimal(0))
    rows = [
        {
            "refund_id": key,
            "company": cm["company"],
            "customer_id": cm["customer_id"],
            "currency": cm["currency"],
            "refund_amount": total,
            "document_id": document,
            "fiscal_year": 0,
            "line": 1,
            "item_amount": amount,
            "payment_method": "CHECK",
            "approval_reference": "APR-2026-0042",
            "refund_date": TODAY,
            "memo": "overpaid",
            **extra,
        }
        for document, amount in items
    ]
    return pl.DataFrame(rows, schema=schema_of("refunds"))


def unapplied(admin: httpx.Client, document: str) -> Decimal:
    ps = table(admin, "AR_PAYMENT_SCHEDULES_ALL", CASH_RECEIPT_ID=document[2:])[0]
    return -Decimal(str(ps["AMOUNT_DUE_REMAINING"]))


def test_receipt_cash_and_credit_memo_refunded_in_one_refund(
    make: Maker, admin: httpx.Client
) -> None:
    ebs = make(**ACTIVITY)
    t = ebs.settings.transport
    cm = credit_memo(open_items(ebs, ["US"]), "US")
    receipt = unapplied_receipt(ebs, f"PAY-OVER-{t}", cm, Decimal("80.00"))
    key = f"RF-BOTH-{t}"
    rows = refund(key, cm, [(receipt, Decimal("30.00")), (cm["document_id"], Decimal("20.00"))])

    checked = ebs.post_refund(rows, dry_run=True)
    assert checked["status"] == "checked", checked["message"]
    assert unapplied(admin, receipt) == Decimal("80.00")  # the dry run kept nothing

    result = ebs.post_refund(rows)
    assert result["status"] == "posted", result["message"]
    requests = str(result["erp_document"]).split(",")
    assert len(requests) == 2
    invoices = [table(admin, "AP_INVOICES_ALL", INVOICE_ID=r)[0] for r in requests]
    assert {i["INVOICE_TYPE_LOOKUP_CODE"] for i in invoices} == {"PAYMENT REQUEST"}
    assert sorted(Decimal(str(i["INVOICE_AMOUNT"])) for i in invoices) == [
        Decimal("20.00"),
        Decimal("30.00"),
    ]
    assert {i["PAYMENT_METHOD_CODE"] for i in invoices} == {"CHECK"}
    assert unapplied(admin, receipt) == Decimal("50.00")
    cm_ps = schedule(admin, cm["document_id"])
    assert Decimal(str(cm_ps["AMOUNT_DUE_REMAINING"])) == cm["amount"] + Decimal("20.00")
    apps = table(admin, "AR_RECEIVABLE_APPLICATIONS_ALL", APPLIED_PAYMENT_SCHEDULE_ID="-8")
    mine = [a for a in apps if str(a["COMMENTS"]).startswith(f"otc:{key};")]
    assert {a["APPLICATION_TYPE"] for a in mine} == {"CASH", "CM"}
    assert all(a["COMMENTS"] == f"otc:{key}; APR-2026-0042 overpaid" for a in mine)

    fresh = make(**ACTIVITY)
    assert fresh.find_posted("refund", [key, "RF-NEVER"]).rows() == [
        (key, result["erp_document"], "posted"),
        ("RF-NEVER", None, None),
    ]
    again = fresh.post_refund(rows)
    assert again["status"] == "posted" and "already refunded" in again["message"]
    assert again["erp_document"] == result["erp_document"]
    assert unapplied(admin, receipt) == Decimal("50.00")


def test_refusals_and_all_or_nothing(make: Maker, erp: Any, admin: httpx.Client) -> None:
    ebs = make(**ACTIVITY)
    t = ebs.settings.transport
    items = open_items(ebs, ["DE"])
    cm = credit_memo(items, "DE")
    receipt = unapplied_receipt(ebs, f"PAY-RFX-{t}", cm, Decimal("40.00"))
    before = len(table(admin, "AP_INVOICES_ALL"))

    def refused(rows: pl.DataFrame, adapter: Any = ebs) -> str:
        result = adapter.post_refund(rows)
        assert result["status"] == "rejected", result
        assert result["stage"] == "check"
        return str(result["message"])

    one = [(receipt, Decimal("10.00"))]
    method = refused(refund(f"RF-PM-{t}", cm, one, payment_method="CARRIER PIGEON"))
    assert "GENERIC_MESSAGE" in method and "INVALID PAY METHOD" in method
    wrong_activity = make(refund_activity="Small Balance Write-off")
    assert "AR_RAPI_ACTIVITY_X_INVALID" in refused(refund(f"RF-ACT-{t}", cm, one), wrong_activity)
    # more than the receipt has unapplied: refused before EBS, saying how much there is
    assert "40.00 unapplied" in refused(refund(f"RF-BIG-{t}", cm, [(receipt, Decimal("41.00"))]))
    # an invoice is no credit: refused before EBS (the class is checked before the customer)
    invoice = items.filter(pl.col("document_type") == "invoice").sort("document_id")
    not_credit = refused(refund(f"RF-INV-{t}", cm, [(invoice["document_id"][0], Decimal(1))]))
    assert "is a INV, not a credit memo" in not_credit
    # EBS refunds on-account credit memos only: this one now credits an invoice
    link = "UPDATE ra_customer_trx_all SET previous_customer_trx_id = :p WHERE customer_trx_id = :c"
    binds = [{"name": "c", "data_type": "NUMBER", "value": int(cm["document_id"])}]
    sql(erp, link, [{"name": "p", "data_type": "NUMBER", "value": 1}, *binds])
    try:
        both = refund(f"RF-OACM-{t}", cm, [*one, (cm["document_id"], Decimal("5.00"))])
        assert "AR_REF_NOT_OACM" in refused(both)
    finally:
        sql(erp, link.replace(":p", "NULL"), binds)
    # all or nothing: the receipt's part of that refund did not stay
    assert unapplied(admin, receipt) == Decimal("40.00")
    assert len(table(admin, "AP_INVOICES_ALL")) == before
    assert ebs.find_posted("refund", [f"RF-OACM-{t}"])["erp_document"][0] is None


def test_doctor_reports_reversal_and_refund_setup(make: Maker) -> None:
    good = {f.check: f for f in make(**ACTIVITY).deep_check()}
    assert good["reversal categories"].verdict == "ok", good["reversal categories"].found
    assert "REV" in good["reversal categories"].found
    assert good["reversal reasons"].verdict == "ok"
    assert "WRONG INVOICE" in good["reversal reasons"].found
    assert good["refund activity 204"].verdict == "ok", good["refund activity 204"].found
    assert good["refund payment methods"].verdict == "ok"
    assert "CHECK" in good["refund payment methods"].found
    missing = {f.check: f for f in make(refund_activity="Refund").deep_check()}
    assert missing["refund activity 204"].verdict == "warn"  # cash posting works without it
    assert missing["refund activity 204"].found == "no activity named Refund"
    assert "CM_REFUND" in missing["refund activity 204"].action
    wrong = {f.check: f for f in make(refund_activity="Small Balance Write-off").deep_check()}
    assert wrong["refund activity 301"].verdict == "warn"
    assert "(WRITEOFF, A)" in wrong["refund activity 301"].found


def test_reversing_a_refunded_receipt_cancels_or_refuses(
    make: Maker, erp: Any, admin: httpx.Client
) -> None:
    from tests.e2e.test_oracle_reversals import reversal

    ebs = make(**ACTIVITY)
    t = ebs.settings.transport
    cm = credit_memo(open_items(ebs, ["US"]), "US")
    keys = {}
    for name in ("paid", "open"):
        app_key = f"PAY-RR-{name}-{t}"
        receipt = unapplied_receipt(ebs, app_key, cm, Decimal("25.00"))
        posted = ebs.post_refund(refund(f"RF-RR-{name}-{t}", cm, [(receipt, Decimal("25.00"))]))
        assert posted["status"] == "posted", posted["message"]
        keys[name] = (app_key, receipt[2:], posted["erp_document"])
    # Payables paid the first payment request: it can no longer be cancelled
    app_key, cr_id, request = keys["paid"]
    sql(
        erp,
        "UPDATE ap_invoices_all SET payment_status_flag = 'Y' WHERE invoice_id = :i",
        [{"name": "i", "data_type": "NUMBER", "value": int(request)}],
    )
    refused = ebs.reverse_payment(reversal(f"REV-RR-paid-{t}", app_key, cm))
    assert refused["status"] == "rejected"
    assert "AP_INV_CANCEL_EFF_PAYMENT" in refused["message"], refused["message"]
    assert table(admin, "AR_CASH_RECEIPTS_ALL", CASH_RECEIPT_ID=cr_id)[0]["STATUS"] == "APP"
    # the other one is cancelled with the reversal, and the refund is no longer live
    app_key, cr_id, request = keys["open"]
    done = ebs.reverse_payment(reversal(f"REV-RR-open-{t}", app_key, cm))
    assert done["status"] == "posted", done["message"]
    cancelled = table(admin, "AP_INVOICES_ALL", INVOICE_ID=request)[0]
    assert cancelled["CANCELLED_DATE"] is not None
    assert Decimal(str(cancelled["CANCELLED_AMOUNT"])) == Decimal("25.00")
    assert ebs.find_posted("refund", [f"RF-RR-open-{t}"])["erp_document"][0] is None


def test_lost_answer_is_unknown_then_found(make: Maker, admin: httpx.Client) -> None:
    ebs = make(**ACTIVITY)
    t = ebs.settings.transport
    cm = credit_memo(open_items(ebs, ["JP"]), "JP")
    key = f"RF-LOST-{t}"
    rows = refund(key, cm, [(cm["document_id"], Decimal("50"))])
    admin.post(
        "/_mock/faults",
        json={"persona": "oracle", "operation": "AR_CM_APPLICATION_PUB.ACTIVITY_APPLICATION",
              "kind": "drop_after_commit", "nth": 1},
    )  # fmt: skip
    with pytest.raises(OutcomeUnknown):
        ebs.post_refund(rows)
    found = make(**ACTIVITY).find_posted("refund", [key])["erp_document"][0]
    assert found is not None
    again = ebs.post_refund(rows)
    assert again["status"] == "posted" and again["erp_document"] == found
    assert Decimal(str(schedule(admin, cm["document_id"])["AMOUNT_DUE_REMAINING"])) == (
        cm["amount"] + 50
    )
