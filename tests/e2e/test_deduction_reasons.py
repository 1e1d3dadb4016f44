"""A deduction the matcher finds, posted to SAP: the residual item carries the RSTGR its reason
maps to (issue 17 §2). The matcher names reasons SHORTAGE, PRICING, ... (jobs/matching/reasons.py);
the posting value map must know those names, or every deduction lands on the default code."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from adapters.sap.adapter import SapAdapter
from adapters.sap.keys import xblnr_for
from contracts.io import write_frame
from jobs.journal import SqliteJournal, Status
from jobs.matching import match
from jobs.post import PostJob, PostOptions
from mappings.convert import alpha_in
from tests.e2e.conftest import table
from tests.e2e.test_sap_adapter import invoices, open_items
from tests.matching.conftest import bank


@pytest.mark.parametrize(
    ("phrase", "reason", "rstgr"),
    [
        ("écart de prix", "PRICING", "003"),  # mappings/sap/posting.yaml: PRICE and PRICING
        ("short shipped", "SHORTAGE", "001"),
        ("Fracht doppelt berechnet", "FREIGHT", "004"),
    ],
)
def test_a_matched_deduction_posts_its_reason_code(
    make_sap: Callable[..., SapAdapter],
    admin: httpx.Client,
    phrase: str,
    reason: str,
    rstgr: str,
) -> None:
    sap = make_sap()
    ledger = open_items(sap, ["1000"])
    item = invoices(ledger, "1000", 1).row(0, named=True)
    paid = (item["amount"] * Decimal("0.90")).quantize(Decimal("0.01"))  # 10 % held back
    ref = item["reference"] or item["document_id"]
    line = bank({"amount": paid, "currency": item["currency"],
                 "remittance_text": f"{ref} {phrase}"})  # fmt: skip
    applied = match(line, ledger).applications
    assert applied.select("document_id", "applied_amount", "reason_code", "match_rule").rows() == [
        (item["document_id"], paid, reason, "deduction")
    ]
    (result,) = sap.post_cash_applications(applied).iter_rows(named=True)
    assert result["status"] == "posted", result["message"]
    residual = [
        r
        for r in table(admin, "BSID", BUKRS="1000", KUNNR=alpha_in(item["customer_id"]))
        if r["REBZG"] == alpha_in(item["document_id"])
    ]
    assert [(r["RSTGR"], Decimal(r["WRBTR"])) for r in residual] == [(rstgr, item["amount"] - paid)]
    assert [r["SHKZG"] for r in residual] == ["S"]  # a debit: the customer still owes it


def test_a_deduction_whose_code_the_company_code_lacks_is_rejected(
    make_sap: Callable[..., SapAdapter], admin: httpx.Client, tmp_path: Path
) -> None:
    """Company code 1000 without reason 004 in T053R (OBBE): the FREIGHT deduction is
    `rejected` with SAP's check-table message, journaled so, and nothing is posted."""
    answer = admin.put("/_mock/settings", json={"sap": {"t053r_missing": {"1000": ["004"]}}})
    assert answer.status_code == 200, answer.text
    sap = make_sap()
    ledger = open_items(sap, ["1000"])
    item = invoices(ledger, "1000", 1).row(0, named=True)
    paid = (item["amount"] * Decimal("0.90")).quantize(Decimal("0.01"))
    ref = item["reference"] or item["document_id"]
    line = bank({"amount": paid, "currency": item["currency"],
                 "remittance_text": f"{ref} Fracht doppelt berechnet"})  # fmt: skip
    applied = match(line, ledger).applications
    assert applied["reason_code"].to_list() == ["FREIGHT"]
    path = write_frame(applied, tmp_path / "cash.csv", "cash_applications")
    journal = SqliteJournal(tmp_path / "journal.db")
    report = PostJob(sap, journal, "cash_application", PostOptions()).run(path)
    assert report.counts() == {"rejected": 1} and report.exit_code == 1
    (entry,) = journal.entries()
    assert entry.status is Status.REJECTED and entry.erp_document is None
    assert entry.message and "00 058" in entry.message
    assert "Entry 1000 004 does not exist in T053R (check entry)" in entry.message
    key = str(applied["application_id"][0])
    assert table(admin, "BKPF", BUKRS="1000", XBLNR=xblnr_for(key)) == []
    still_open = [r for r in table(admin, "BSID", BUKRS="1000", KUNNR=alpha_in(item["customer_id"]))
                  if r["BELNR"] == alpha_in(item["document_id"])]  # fmt: skip
    assert len(still_open) == 1  # the invoice was not cleared
