"""`otc refunds post` (issue 18) end to end: the CLI and the PostJob, through the SAP adapter
over SOAP and RFC to the mock on 127.0.0.1, counting the ERP's refund documents.

A refund is the rows of one refund_id; pre-flight asks the ERP for open credits of the
customer; a lost answer is settled by the refund key.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import polars as pl

from adapters.sap.adapter import SapAdapter
from adapters.sap.keys import xblnr_for
from contracts.io import read_frame, schema_of, write_frame
from jobs.journal import SqliteJournal
from jobs.post import PostJob, PostOptions
from mappings.convert import alpha_in
from tests.e2e.conftest import table
from tests.e2e.sap_cli import (  # noqa: F401 (fixtures: cli_config, sap, transport)
    cli_config_fixture,
    run_cli,
    sap_fixture,
    transport_fixture,
)

TODAY = date.today()


def open_items(sap: SapAdapter) -> pl.DataFrame:
    """Items of customers open for posting, sorted (the mock answers in random order)."""
    items = pl.concat(list(sap.pull_open_items(["1000"])))
    people = pl.concat(list(sap.pull_customers(["1000"])))
    blocked = people.filter(pl.col("posting_block"))["customer_id"].to_list()
    return items.filter(~pl.col("customer_id").is_in(["1003", "1004", *blocked])).sort(
        "customer_id", "fiscal_year", "document_id", "line"
    )


def credits(sap: SapAdapter, n: int) -> list[dict[str, Any]]:
    """n credit items of distinct customers."""
    found = open_items(sap).filter(pl.col("amount") < 0)
    return found.unique("customer_id", keep="first", maintain_order=True).head(n).rows(named=True)


def refund_rows(key: str, item: dict[str, Any], amount: Decimal) -> dict[str, Any]:
    return {
        "refund_id": key,
        "company": item["company"],
        "customer_id": item["customer_id"],
        "currency": item["currency"],
        "refund_amount": amount,
        "document_id": item["document_id"],
        "fiscal_year": item["fiscal_year"],
        "line": item["line"],
        "item_amount": amount,
        "payment_method": "T",
        "approval_reference": "APR-2026-0042",
        "refund_date": TODAY,
        "memo": None,
    }


def refund_file(path: Path, rows: list[dict[str, Any]]) -> Path:
    return write_frame(pl.DataFrame(rows, schema=schema_of("refunds")), path, "refunds")


def refund_documents(admin: httpx.Client, key: str) -> int:
    return len({h["BELNR"] for h in table(admin, "BKPF", BUKRS="1000", XBLNR=xblnr_for(key))})


def is_open(admin: httpx.Client, item: dict[str, Any]) -> bool:
    return bool(
        table(admin, "BSID", BUKRS=item["company"], BELNR=alpha_in(item["document_id"]),
              GJAHR=str(item["fiscal_year"]), BUZEI=f"{item['line']:03d}")
    )  # fmt: skip


def results(tmp_path: Path) -> dict[str, tuple[str, str | None]]:
    newest = sorted((tmp_path / "runs").iterdir())[-1]
    frame = read_frame(newest / "results.csv", "posting_results")
    return {k: (s, m) for k, s, m in frame.select("key", "status", "message").iter_rows()}


def test_cli_posts_refunds_once(
    cli_config: Path, sap: SapAdapter, admin: httpx.Client, tmp_path: Path
) -> None:
    first, second = credits(sap, 2)
    path = refund_file(
        tmp_path / "refunds.csv",
        [
            refund_rows("RF-JOB-1", first, -Decimal(str(first["amount"]))),
            refund_rows("RF-JOB-2", second, -Decimal(str(second["amount"]))),
        ],
    )
    dry = run_cli(cli_config, "refunds", "post", str(path), "--system", "sap", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert {s for s, _ in results(tmp_path).values()} == {"checked"}
    assert refund_documents(admin, "RF-JOB-1") == 0

    done = run_cli(cli_config, "refunds", "post", str(path), "--system", "sap", "--workers", "2")
    assert done.exit_code == 0, done.output
    assert {s for s, _ in results(tmp_path).values()} == {"posted"}
    assert not is_open(admin, first) and not is_open(admin, second), "the credits are refunded"
    again = run_cli(cli_config, "refunds", "post", str(path), "--system", "sap")
    assert again.exit_code == 0 and {s for s, _ in results(tmp_path).values()} == {"duplicate"}
    assert refund_documents(admin, "RF-JOB-1") == 1 and refund_documents(admin, "RF-JOB-2") == 1


def test_preflight_wants_open_credits_of_the_customer(
    cli_config: Path, sap: SapAdapter, admin: httpx.Client, tmp_path: Path
) -> None:
    items = open_items(sap)
    (credit,) = credits(sap, 1)
    invoice = items.filter(pl.col("amount") > 0).row(0, named=True)
    amount = -Decimal(str(credit["amount"]))
    path = refund_file(
        tmp_path / "refunds.csv",
        [
            refund_rows("RF-PF-OK", credit, amount),
            refund_rows("RF-PF-INV", invoice, Decimal("10.00")),
            refund_rows("RF-PF-MORE", credit, amount + 1),
        ],
    )
    refused = run_cli(cli_config, "refunds", "post", str(path), "--system", "sap")
    assert refused.exit_code == 1, refused.output
    got = results(tmp_path)
    assert {s for s, _ in got.values()} == {"rejected"}
    assert "is not a credit" in str(got["RF-PF-INV"][1])
    assert "less than the" in str(got["RF-PF-MORE"][1])
    assert "--post-valid" in str(got["RF-PF-OK"][1])
    assert refund_documents(admin, "RF-PF-OK") == 0 and is_open(admin, credit)

    valid = run_cli(cli_config, "refunds", "post", str(path), "--system", "sap", "--post-valid")
    assert valid.exit_code == 1
    assert {k: s for k, (s, _) in results(tmp_path).items()} == {
        "RF-PF-OK": "posted",
        "RF-PF-INV": "rejected",
        "RF-PF-MORE": "rejected",  # the credit is refunded now: not open any more
    }
    assert refund_documents(admin, "RF-PF-OK") == 1


def test_lost_answer_is_settled_by_the_refund_key(
    sap: SapAdapter, admin: httpx.Client, tmp_path: Path
) -> None:
    pair = credits(sap, 2)
    path = refund_file(
        tmp_path / "refunds.csv",
        [refund_rows(f"RF-L{n}", c, -Decimal(str(c["amount"]))) for n, c in enumerate(pair)],
    )
    journal = SqliteJournal(tmp_path / "journal.db")
    admin.post("/_mock/faults", json={"persona": "sap", "operation": "Z_OTC_AR_REFUND",
                                      "kind": "drop_after_commit", "nth": 2}).raise_for_status()  # fmt: skip
    first = PostJob(sap, journal, "refund", PostOptions(sleep=lambda _: None)).run(path)
    assert sorted(first.results["status"]) == ["posted", "unknown"] and first.exit_code == 3
    settled = PostJob(sap, journal, "refund", PostOptions(grace_s=0)).run(path)
    assert settled.counts() == {"duplicate": 2} and settled.exit_code == 0
    assert refund_documents(admin, "RF-L0") == 1 and refund_documents(admin, "RF-L1") == 1
