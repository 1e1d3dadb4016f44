"""A deduction the matcher finds, posted to SAP: the residual item carries the RSTGR its reason
maps to (issue 17 §2). The matcher names reasons SHORTAGE, PRICING, ... (jobs/matching/reasons.py);
the posting value map must know those names, or every deduction lands on the default code."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest

from adapters.sap.adapter import SapAdapter
from jobs.matching import match
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
