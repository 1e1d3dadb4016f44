"""`otc refunds post` through the job on Oracle EBS (issue 18), over both transports to the
mock on 127.0.0.1: one refund made of a receipt's unapplied cash and an on-account credit
memo, checked by pre-flight against the pulled open credits; a refund of more credit than
is open refused before anything is sent; rerun posts nothing twice."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import httpx
import polars as pl

from contracts.io import write_frame
from jobs.journal import SqliteJournal
from jobs.post import PostJob, PostOptions
from tests.e2e import test_oracle_refunds as refunds
from tests.e2e.test_oracle_adapter import Maker, open_items, table

erp = refunds.erp
make = refunds.make
admin = refunds.admin


def test_receipt_cash_and_credit_memo_refund_through_the_job(
    make: Maker, admin: httpx.Client, tmp_path: Path
) -> None:
    ebs = make(**refunds.ACTIVITY)
    t = ebs.settings.transport
    cm = refunds.credit_memo(open_items(ebs, ["US"]), "US")
    receipt = refunds.unapplied_receipt(ebs, f"PAY-JOBRF-{t}", cm, Decimal("80.00"))
    ok = refunds.refund(
        f"RF-JOB-{t}", cm, [(receipt, Decimal("30.00")), (cm["document_id"], Decimal("20.00"))]
    )
    too_much = refunds.refund(f"RF-JOB-MORE-{t}", cm, [(receipt, Decimal("80.01"))])
    path = write_frame(pl.concat([ok, too_much]), tmp_path / "refunds.csv", "refunds")
    journal = SqliteJournal(tmp_path / "journal.db")

    refused = PostJob(ebs, journal, "refund", PostOptions(post_valid=True)).run(path)
    status = dict(refused.results.select("key", "status").iter_rows())
    assert status == {f"RF-JOB-{t}": "posted", f"RF-JOB-MORE-{t}": "rejected"}, (
        refused.results.rows()
    )
    (message,) = refused.results.filter(pl.col("key") == f"RF-JOB-MORE-{t}")["message"]
    assert "pre-flight" in message and "less than the 80.01 refunded" in message
    assert refunds.unapplied(admin, receipt) == Decimal("50.00")

    again = PostJob(ebs, journal, "refund", PostOptions(post_valid=True)).run(path)
    assert dict(again.results.select("key", "status").iter_rows())[f"RF-JOB-{t}"] == "duplicate"
    requests = [
        a
        for a in table(admin, "AR_RECEIVABLE_APPLICATIONS_ALL", APPLIED_PAYMENT_SCHEDULE_ID="-8")
        if str(a["COMMENTS"]).startswith(f"otc:RF-JOB-{t};")
    ]
    assert len(requests) == 2  # one application per credit item, once
