"""`otc cash reverse` (issue 18) end to end: the CLI and the PostJob, through the SAP
adapter over SOAP and RFC to the mock on 127.0.0.1, counting the ERP's documents.

Misapply, reverse, re-apply under a new key; pre-flight ("nothing to reverse"); dry run;
a lost answer settled by lookup; a half-done reversal (FB08 failed after the reset) reported
unknown and finished by the rerun; an adapter without reverse_payment refused clearly.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest

from adapters.sap.adapter import SapAdapter
from adapters.sap.keys import xblnr_for
from contracts.io import read_frame, write_frame
from jobs.full_payments import paid_in_full
from jobs.journal import SqliteJournal, Status
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
BLOCKED = {"1003", "1004"}


def no_sleep(_: float) -> None:
    return None


def invoices(sap: SapAdapter, n: int) -> list[dict[str, Any]]:
    """n invoices of distinct customers (sorted: the mock answers in random order)."""
    items = pl.concat(list(sap.pull_open_items(["1000"])))
    people = pl.concat(list(sap.pull_customers(["1000"])))
    blocked = people.filter(pl.col("posting_block"))["customer_id"].to_list()
    pool = items.filter(
        (pl.col("document_type") == "invoice")
        & (pl.col("amount") > 0)
        & ~pl.col("customer_id").is_in([*BLOCKED, *blocked])
    ).sort("customer_id", "fiscal_year", "document_id", "line")
    return pool.unique("customer_id", keep="first", maintain_order=True).head(n).rows(named=True)


def cash_file(path: Path, items: list[dict[str, Any]], prefix: str) -> Path:
    keys = [f"{prefix}-{i}" for i in range(len(items))]
    return write_frame(paid_in_full(items, keys, TODAY), path, "cash_applications")


def reversal_file(path: Path, rows: list[tuple[str, str, dict[str, Any]]]) -> Path:
    frame = pl.DataFrame(
        [
            {
                "reversal_id": key,
                "application_id": application,
                "company": item["company"],
                "customer_id": item["customer_id"],
                "reason_code": "01",
                "reversal_date": TODAY,
            }
            for key, application, item in rows
        ]
    )
    return write_frame(frame, path)  # a hand-written file: the optional columns left out


def is_open(admin: httpx.Client, item: dict[str, Any]) -> bool:
    return bool(
        table(admin, "BSID", BUKRS=item["company"], BELNR=alpha_in(item["document_id"]),
              GJAHR=str(item["fiscal_year"]), BUZEI=f"{item['line']:03d}")
    )  # fmt: skip


def reversals_of(admin: httpx.Client, sap: SapAdapter, key: str) -> int:
    """Reversal documents (XREVERSAL 2) of the payment `key` posted: they copy its XBLNR."""
    heads = table(admin, "BKPF", BUKRS="1000", XBLNR=xblnr_for(key))
    assert sum(1 for h in heads if h["XREVERSAL"] != "2") == 1  # the payment, once
    return sum(1 for h in heads if h["XREVERSAL"] == "2")


def statuses(tmp_path: Path) -> dict[str, str]:
    newest = sorted((tmp_path / "runs").iterdir())[-1]
    results = read_frame(newest / "results.csv", "posting_results")
    return dict(zip(results["key"], results["status"], strict=True))


def messages_of(tmp_path: Path) -> list[str]:
    newest = sorted((tmp_path / "runs").iterdir())[-1]
    results = read_frame(newest / "results.csv", "posting_results")
    return [m or "" for m in results["message"]]


def test_cli_misapply_reverse_reapply(
    cli_config: Path, sap: SapAdapter, admin: httpx.Client, tmp_path: Path
) -> None:
    items = invoices(sap, 2)
    cash = cash_file(tmp_path / "cash.csv", items, "PAY-MIS")
    posted = run_cli(cli_config, "cash", "post", str(cash), "--system", "sap")
    assert posted.exit_code == 0, posted.output
    assert not any(is_open(admin, i) for i in items)
    rev = reversal_file(
        tmp_path / "rev.csv", [("REV-A", "PAY-MIS-0", items[0]), ("REV-B", "PAY-MIS-1", items[1])]
    )
    dry = run_cli(cli_config, "cash", "reverse", str(rev), "--system", "sap", "--dry-run")
    assert dry.exit_code == 0 and statuses(tmp_path) == {"REV-A": "checked", "REV-B": "checked"}
    assert reversals_of(admin, sap, "PAY-MIS-0") == 0

    done = run_cli(cli_config, "cash", "reverse", str(rev), "--system", "sap", "--workers", "2")
    assert done.exit_code == 0, done.output
    assert statuses(tmp_path) == {"REV-A": "posted", "REV-B": "posted"}
    assert all(is_open(admin, i) for i in items), "the items are open again"
    again = run_cli(cli_config, "cash", "reverse", str(rev), "--system", "sap")
    assert again.exit_code == 0 and statuses(tmp_path) == {
        "REV-A": "duplicate",
        "REV-B": "duplicate",
    }
    assert reversals_of(admin, sap, "PAY-MIS-0") == 1 and reversals_of(admin, sap, "PAY-MIS-1") == 1

    # the old cash file stays posted in the journal; the corrected one posts under new keys
    old = run_cli(cli_config, "cash", "post", str(cash), "--system", "sap")
    assert old.exit_code == 0 and set(statuses(tmp_path).values()) == {"duplicate"}
    # and with the journal lost: the ERP still knows the keys (reversed), nothing is paid again
    (tmp_path / "journal.db").rename(tmp_path / "journal-lost.db")
    lost = run_cli(cli_config, "cash", "post", str(cash), "--system", "sap")
    assert lost.exit_code == 0 and set(statuses(tmp_path).values()) == {"duplicate"}
    assert all(is_open(admin, i) for i in items), "a reversed key was posted again"
    assert "reversed since" in " ".join(lost.output.split()) or all(
        "reversed since" in m for m in messages_of(tmp_path)
    )
    fixed = cash_file(tmp_path / "fixed.csv", items, "PAY-FIX")
    assert run_cli(cli_config, "cash", "post", str(fixed), "--system", "sap").exit_code == 0
    assert set(statuses(tmp_path).values()) == {"posted"}
    assert not any(is_open(admin, i) for i in items)


def test_preflight_refuses_what_is_not_posted_and_post_valid_posts_the_rest(
    cli_config: Path, sap: SapAdapter, admin: httpx.Client, tmp_path: Path
) -> None:
    items = invoices(sap, 2)
    cash = cash_file(tmp_path / "cash.csv", items[:1], "PAY-PF")
    assert run_cli(cli_config, "cash", "post", str(cash), "--system", "sap").exit_code == 0
    rev = reversal_file(
        tmp_path / "rev.csv",
        [("REV-OK", "PAY-PF-0", items[0]), ("REV-NONE", "PAY-NEVER", items[1])],
    )
    refused = run_cli(cli_config, "cash", "reverse", str(rev), "--system", "sap")
    assert refused.exit_code == 1 and statuses(tmp_path) == {
        "REV-OK": "rejected",
        "REV-NONE": "rejected",
    }
    newest = sorted((tmp_path / "runs").iterdir())[-1]
    messages = dict(
        read_frame(newest / "results.csv", "posting_results").select("key", "message").iter_rows()
    )
    assert "nothing to reverse" in messages["REV-NONE"] and "PAY-NEVER" in messages["REV-NONE"]
    assert "--post-valid" in messages["REV-OK"] and reversals_of(admin, sap, "PAY-PF-0") == 0

    valid = run_cli(cli_config, "cash", "reverse", str(rev), "--system", "sap", "--post-valid")
    assert valid.exit_code == 1 and statuses(tmp_path) == {
        "REV-OK": "posted",
        "REV-NONE": "rejected",
    }
    # a second key for the reversed payment: found reversed already, refused before the ERP
    twice = reversal_file(tmp_path / "twice.csv", [("REV-AGAIN", "PAY-PF-0", items[0])])
    again = run_cli(cli_config, "cash", "reverse", str(twice), "--system", "sap")
    assert again.exit_code == 1 and "reversed already" in " ".join(again.output.split())
    assert reversals_of(admin, sap, "PAY-PF-0") == 1


def test_lost_answer_is_settled_by_the_reversal_key(
    sap: SapAdapter, admin: httpx.Client, tmp_path: Path
) -> None:
    items = invoices(sap, 2)
    for n, item in enumerate(items):
        frame = paid_in_full([item], [f"PAY-LOST-{n}"], TODAY)
        assert sap.post_cash_applications(frame)["status"][0] == "posted"
    rev = reversal_file(
        tmp_path / "rev.csv",
        [("REV-L0", "PAY-LOST-0", items[0]), ("REV-L1", "PAY-LOST-1", items[1])],
    )
    journal = SqliteJournal(tmp_path / "journal.db")
    admin.post("/_mock/faults", json={"persona": "sap", "operation": "Z_OTC_AR_REVERSE",
                                      "kind": "drop_after_commit", "nth": 2}).raise_for_status()  # fmt: skip
    first = PostJob(sap, journal, "reversal", PostOptions(sleep=no_sleep)).run(rev)
    assert sorted(first.results["status"]) == ["posted", "unknown"] and first.exit_code == 3
    settled = PostJob(sap, journal, "reversal", PostOptions(sleep=no_sleep, grace_s=0)).run(rev)
    assert settled.counts() == {"duplicate": 2} and settled.exit_code == 0
    assert {e.status for e in journal.entries(kind="reversal")} == {Status.POSTED}
    assert (
        reversals_of(admin, sap, "PAY-LOST-0") == 1 and reversals_of(admin, sap, "PAY-LOST-1") == 1
    )
    assert all(is_open(admin, i) for i in items)


def test_cli_half_done_reversal_is_unknown_and_the_rerun_finishes_it(
    cli_config: Path, sap: SapAdapter, admin: httpx.Client, tmp_path: Path
) -> None:
    """FB08 fails after the kit's FBRA reset committed (fault fb08_fails_after_reset): the run
    reports the key `unknown` (exit 3), never `rejected`: the invoice is open and the payment
    on account. The rerun looks the key up at once (no grace period: the ERP answered), finds
    no reversal, passes pre-flight and finishes it; one reversal document; a third run posts
    nothing."""
    (item,) = invoices(sap, 1)
    cash = cash_file(tmp_path / "cash.csv", [item], "PAY-HALF")
    assert run_cli(cli_config, "cash", "post", str(cash), "--system", "sap").exit_code == 0
    payment_doc = str(sap.find_posted("cash_application", ["PAY-HALF-0"])["erp_document"][0])
    belnr = payment_doc[:10]

    def on_account() -> list[dict[str, Any]]:
        return table(admin, "BSID", BUKRS="1000", BELNR=belnr, GJAHR=payment_doc[14:18])

    assert not is_open(admin, item) and on_account() == []
    rev = reversal_file(tmp_path / "rev.csv", [("REV-HALF", "PAY-HALF-0", item)])
    admin.post("/_mock/faults", json={"persona": "sap", "operation": "Z_OTC_AR_REVERSE",
                                      "kind": "fb08_fails_after_reset", "nth": 2}).raise_for_status()  # fmt: skip

    first = run_cli(cli_config, "cash", "reverse", str(rev), "--system", "sap")
    assert first.exit_code == 3, first.output
    assert statuses(tmp_path) == {"REV-HALF": "unknown"}
    (message,) = messages_of(tmp_path)
    assert "ZOTC 027" in message and "half done" in message and "rerun" in message
    assert admin.get("/_mock/faults").json()["fired"][0]["kind"] == "fb08_fails_after_reset"
    assert is_open(admin, item), "the reset committed: the invoice is open"
    assert [(r["SHKZG"], r["AUGBL"]) for r in on_account()] == [("H", "")], "payment on account"
    assert reversals_of(admin, sap, "PAY-HALF-0") == 0
    (entry,) = SqliteJournal(tmp_path / "journal.db").entries(kind="reversal")
    assert entry.status is Status.UNKNOWN and entry.sent_ms is None and entry.reached_erp

    # a rerun refused meanwhile (another user holds the customer: ZOTC 010, a "retry later"
    # message) is still half done: unknown again, not retried as if nothing had happened
    lock = {"bukrs": "1000", "kunnr": alpha_in(item["customer_id"]), "user": "JSMITH"}
    admin.post("/_mock/locks", json=lock).raise_for_status()
    locked = run_cli(cli_config, "cash", "reverse", str(rev), "--system", "sap")
    assert locked.exit_code == 3 and statuses(tmp_path) == {"REV-HALF": "unknown"}
    assert "ZOTC 027" in messages_of(tmp_path)[0] and "JSMITH" in messages_of(tmp_path)[0]
    admin.delete("/_mock/locks").raise_for_status()

    rerun = run_cli(cli_config, "cash", "reverse", str(rev), "--system", "sap")
    assert rerun.exit_code == 0, rerun.output
    assert statuses(tmp_path) == {"REV-HALF": "posted"}
    assert reversals_of(admin, sap, "PAY-HALF-0") == 1
    assert is_open(admin, item) and on_account() == [], "cleared by the reversal document"

    third = run_cli(cli_config, "cash", "reverse", str(rev), "--system", "sap")
    assert third.exit_code == 0 and statuses(tmp_path) == {"REV-HALF": "duplicate"}
    assert reversals_of(admin, sap, "PAY-HALF-0") == 1 and is_open(admin, item)
    (entry,) = SqliteJournal(tmp_path / "journal.db").entries(kind="reversal")
    assert entry.status is Status.POSTED


def test_an_adapter_without_reverse_payment_is_refused_before_anything(tmp_path: Path) -> None:
    class OldAdapter:
        name = "legacy"

    from adapters.errors import ConfigError

    with pytest.raises(ConfigError, match=r"cannot post reversals.*reverse_payment"):
        PostJob(OldAdapter(), SqliteJournal(tmp_path / "j.db"), "reversal")
    assert SqliteJournal(tmp_path / "j.db").entries() == []


def test_cli_refuses_a_bad_reversal_file_naming_file_row_column_and_rule(
    cli_config: Path, admin: httpx.Client, tmp_path: Path
) -> None:
    bad = tmp_path / "rev.csv"
    bad.write_text(
        "reversal_id,application_id,company,customer_id,document_id,fiscal_year,line,"
        "reason_code,reversal_date\n"
        "REV-OK,PAY-1,1000,1001,,,,01,2026-12-01\n"
        "REV-HALF,PAY-2,1000,1001,1800000001,,,01,2026-12-01\n"
        "REV-OK,PAY-3,1000,1001,,,,01,2026-12-31\n",
        encoding="utf-8",
    )
    result = run_cli(cli_config, "cash", "reverse", str(bad), "--system", "sap")
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "rev.csv:3 column document_id" in text and "item_key_complete" in text
    assert "rev.csv:4 column reversal_id" in text and "unique" in text
    assert "Traceback" not in result.output
    assert not (tmp_path / "journal.db").exists() or not SqliteJournal(
        tmp_path / "journal.db"
    ).entries(kind="reversal")
