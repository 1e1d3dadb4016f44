"""`otc cash reverse` and `otc refunds post` through the PostJob (journal, pre-flight, settle)
with the Oracle adapter over both transports to the mock on 127.0.0.1 (issue 18): an item
reversal leaves unapplied cash that a refund pays back; a lost answer is settled by lookup;
reruns post nothing twice, counted in EBS's own tables."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import httpx
import polars as pl

from contracts.io import schema_of, write_frame
from jobs.journal import SqliteJournal, Status
from jobs.post import PostJob, PostOptions
from tests.e2e import test_oracle_adapter as base
from tests.e2e.test_oracle_adapter import TODAY, Maker, open_items, payment, schedule, table
from tests.e2e.test_oracle_reversals import paid, reversal

erp = base.erp
make = base.make
admin = base.admin
_used: set[str] = set()
ACTIVITY = {"refund_activity": "Credit Memo Refund"}


def no_sleep(_: float) -> None:
    return None


def pick(ebs: Any, company: str, count: int) -> pl.DataFrame:
    return partial(base.invoices, used=_used)(open_items(ebs, [company]), company, count)


def reversal_file(path: Path, rows: list[dict[str, Any]]) -> Path:
    return write_frame(pl.DataFrame(rows, schema=schema_of("reversals")), path, "reversals")


def test_item_reversal_then_refund_of_the_cash_through_the_job(
    make: Maker, admin: httpx.Client, tmp_path: Path
) -> None:
    ebs = make(**ACTIVITY)
    t = ebs.settings.transport
    two = pick(ebs, "US", 2)
    cr_id = paid(ebs, f"PAY-JOB-{t}", two)
    wrong = two.row(1, named=True)
    item = {k: wrong[k] for k in ("document_id", "fiscal_year", "line")}
    rev = reversal_file(
        tmp_path / "rev.csv", [reversal(f"REV-JOB-{t}", f"PAY-JOB-{t}", wrong, **item)]
    )
    journal = SqliteJournal(tmp_path / "journal.db")

    dry = PostJob(ebs, journal, "reversal", PostOptions(dry_run=True, sleep=no_sleep)).run(rev)
    assert dry.counts() == {"checked": 1}, dry.results
    assert schedule(admin, wrong["document_id"])["STATUS"] == "CL"
    done = PostJob(ebs, journal, "reversal", PostOptions(sleep=no_sleep)).run(rev)
    assert done.counts() == {"posted": 1} and done.exit_code == 0, done.results
    assert schedule(admin, wrong["document_id"])["STATUS"] == "OP"
    again = PostJob(make(**ACTIVITY), journal, "reversal", PostOptions(sleep=no_sleep)).run(rev)
    assert again.counts() == {"duplicate": 1}

    # the unapplied cash shows as a credit of the customer (CR<id>): refund it
    credit = open_items(ebs, ["US"], customers=[wrong["customer_id"]]).filter(
        pl.col("document_id") == f"CR{cr_id}"
    )
    assert credit["amount"].to_list() == [-wrong["amount"]]
    row = {
        "refund_id": f"RF-JOB-{t}",
        "company": "US",
        "customer_id": wrong["customer_id"],
        "currency": wrong["currency"],
        "refund_amount": wrong["amount"],
        "document_id": f"CR{cr_id}",
        "fiscal_year": 0,
        "line": 1,
        "item_amount": wrong["amount"],
        "payment_method": "C",  # mapped to CHECK (value map refund_payment_method)
        "approval_reference": "APR-JOB",
        "refund_date": TODAY,
        "memo": None,
    }
    too_much = {
        **row,
        "refund_id": f"RF-BIG-{t}",
        "refund_amount": wrong["amount"] + 1,
        "item_amount": wrong["amount"] + 1,
    }
    rf = write_frame(
        pl.DataFrame([row, too_much], schema=schema_of("refunds")), tmp_path / "rf.csv", "refunds"
    )
    refused = PostJob(ebs, journal, "refund", PostOptions(sleep=no_sleep)).run(rf)
    assert refused.exit_code == 1 and refused.counts() == {"rejected": 2}  # pre-flight: nothing
    valid = PostJob(ebs, journal, "refund", PostOptions(sleep=no_sleep, post_valid=True)).run(rf)
    assert valid.counts() == {"posted": 1, "rejected": 1}, valid.results
    request = valid.results.filter(pl.col("key") == f"RF-JOB-{t}")["erp_document"][0]
    invoice = table(admin, "AP_INVOICES_ALL", INVOICE_ID=request)[0]
    assert invoice["PAYMENT_METHOD_CODE"] == "CHECK"
    receipt_ps = table(admin, "AR_PAYMENT_SCHEDULES_ALL", CASH_RECEIPT_ID=cr_id)[0]
    assert receipt_ps["STATUS"] == "CL"  # the refunded cash is gone from the receipt
    rerun = PostJob(
        make(**ACTIVITY), journal, "refund", PostOptions(sleep=no_sleep, post_valid=True)
    ).run(rf)
    assert rerun.counts().get("duplicate") == 1
    assert len(table(admin, "AP_INVOICES_ALL", INVOICE_ID=request)) == 1


def test_lost_answer_is_settled_by_the_reversal_key(
    make: Maker, admin: httpx.Client, tmp_path: Path
) -> None:
    ebs = make()
    t = ebs.settings.transport
    items = pick(ebs, "DE", 2)
    rows = []
    for n in range(2):
        one = items.slice(n, 1)
        result = ebs.post_cash_applications(payment(f"PAY-JL{n}-{t}", one, one["amount"].to_list()))
        assert result["status"][0] == "posted", result["message"][0]
        rows.append(reversal(f"REV-JL{n}-{t}", f"PAY-JL{n}-{t}", one.row(0, named=True)))
    rev = reversal_file(tmp_path / "rev.csv", rows)
    journal = SqliteJournal(tmp_path / "journal.db")
    admin.post(
        "/_mock/faults",
        json={
            "persona": "oracle",
            "operation": "AR_RECEIPT_API_PUB.REVERSE",
            "kind": "drop_after_commit",
            "nth": 2,
        },
    ).raise_for_status()
    first = PostJob(ebs, journal, "reversal", PostOptions(sleep=no_sleep)).run(rev)
    assert sorted(first.results["status"]) == ["posted", "unknown"] and first.exit_code == 3
    settled = PostJob(make(), journal, "reversal", PostOptions(sleep=no_sleep, grace_s=0)).run(rev)
    assert settled.counts() == {"duplicate": 2} and settled.exit_code == 0
    assert {e.status for e in journal.entries(kind="reversal")} == {Status.POSTED}
    for n in range(2):
        receipts = table(admin, "AR_CASH_RECEIPTS_ALL", RECEIPT_NUMBER=f"PAY-JL{n}-{t}")
        assert [r["STATUS"] for r in receipts] == ["REV"]  # reversed, once
        history = table(
            admin, "AR_CASH_RECEIPT_HISTORY_ALL", CASH_RECEIPT_ID=receipts[0]["CASH_RECEIPT_ID"]
        )
        assert sorted(h["STATUS"] for h in history) == ["CLEARED", "REVERSED"]
        assert schedule(admin, items["document_id"][n])["STATUS"] == "OP"
