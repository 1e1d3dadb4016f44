"""`otc cash reverse` through the job on Oracle EBS (issue 18), over both transports (ORDS,
the oracledb-compatible client) to the mock on 127.0.0.1: one item's application taken
back (UNAPPLY) and a whole receipt reversed (REVERSE) in one file, a dry run, a rerun, and
an answer lost after EBS committed, settled by the reversal key."""

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

erp = base.erp
make = base.make
admin = base.admin
invoices = partial(base.invoices, used=set())


def options(**extra: Any) -> PostOptions:
    return PostOptions(sleep=lambda _: None, **extra)


def paid(ebs: Any, key: str, items: pl.DataFrame) -> str:
    row = ebs.post_cash_applications(payment(key, items, items["amount"].to_list())).row(
        0, named=True
    )
    assert row["status"] == "posted", row["message"]
    return str(row["erp_document"])


def reversals(path: Path, rows: list[tuple[str, str, dict[str, Any], bool]]) -> Path:
    """(reversal key, application key, item, item scope?) -> a Reversals file."""
    frame = pl.DataFrame(
        [
            {
                "reversal_id": key,
                "application_id": application,
                "company": item["company"],
                "customer_id": item["customer_id"],
                **{
                    k: (item[k] if scoped else None) for k in ("document_id", "fiscal_year", "line")
                },
                "reason_code": "WRONG INVOICE",
                "reversal_category": None,
                "reversal_date": TODAY,
                "memo": "misapplied",
            }
            for key, application, item, scoped in rows
        ],
        schema=schema_of("reversals"),
    )
    return write_frame(frame, path, "reversals")


def test_unapply_and_reverse_in_one_file_through_the_job(
    make: Maker, admin: httpx.Client, tmp_path: Path
) -> None:
    ebs = make()
    t = ebs.settings.transport
    items = open_items(ebs, ["US"])
    two, one = invoices(items, "US", 2), invoices(items, "US", 1)
    first, second = two.iter_rows(named=True)
    only = one.row(0, named=True)
    paid(ebs, f"PAY-JB1-{t}", two)
    whole = paid(ebs, f"PAY-JB2-{t}", one)
    path = reversals(
        tmp_path / "reversals.csv",
        [
            (f"REV-JB1-{t}", f"PAY-JB1-{t}", first, True),  # only the first invoice's share
            (f"REV-JB2-{t}", f"PAY-JB2-{t}", only, False),  # the whole receipt
        ],
    )
    journal = SqliteJournal(tmp_path / "journal.db")
    dry = PostJob(ebs, journal, "reversal", options(dry_run=True)).run(path)
    assert dry.counts() == {"checked": 2}, dry.results.rows()
    assert schedule(admin, first["document_id"])["STATUS"] == "CL"

    done = PostJob(ebs, journal, "reversal", options(workers=2)).run(path)
    assert done.counts() == {"posted": 2} and done.exit_code == 0, done.results.rows()
    status = {
        i["document_id"]: schedule(admin, i["document_id"])["STATUS"] for i in (first, second, only)
    }
    assert status == {
        first["document_id"]: "OP",
        second["document_id"]: "CL",
        only["document_id"]: "OP",
    }
    (receipt,) = table(admin, "AR_CASH_RECEIPTS_ALL", CASH_RECEIPT_ID=whole)
    assert receipt["STATUS"] == "REV"

    again = PostJob(ebs, journal, "reversal", options()).run(path)
    assert again.counts() == {"duplicate": 2} and again.exit_code == 0
    history = table(admin, "AR_CASH_RECEIPT_HISTORY_ALL", CASH_RECEIPT_ID=whole)
    assert [h["STATUS"] for h in history].count("REVERSED") == 1


def test_answer_lost_after_commit_is_found_not_reversed_twice(
    make: Maker, admin: httpx.Client, tmp_path: Path
) -> None:
    ebs = make()
    t = ebs.settings.transport
    one = invoices(open_items(ebs, ["US"]), "US", 1)
    receipt = paid(ebs, f"PAY-JBL-{t}", one)
    path = reversals(
        tmp_path / "reversals.csv",
        [(f"REV-JBL-{t}", f"PAY-JBL-{t}", one.row(0, named=True), False)],
    )
    journal = SqliteJournal(tmp_path / "journal.db")
    admin.post("/_mock/faults", json={"persona": "oracle", "operation": "AR_RECEIPT_API_PUB.REVERSE",
                                      "kind": "drop_after_commit", "nth": 1}).raise_for_status()  # fmt: skip
    lost = PostJob(ebs, journal, "reversal", options()).run(path)
    assert lost.counts() == {"unknown": 1} and lost.exit_code == 3
    assert journal.entries(kind="reversal")[0].status is Status.UNKNOWN
    settled = PostJob(make(), journal, "reversal", options(grace_s=0)).run(path)
    assert settled.counts() == {"duplicate": 1} and settled.exit_code == 0
    assert settled.results["erp_document"][0] == receipt
    history = table(admin, "AR_CASH_RECEIPT_HISTORY_ALL", CASH_RECEIPT_ID=receipt)
    assert [h["STATUS"] for h in history].count("REVERSED") == 1
