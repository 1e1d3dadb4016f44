"""A reversal read from a real bank file never pays an invoice, even when amount and reference fit.

The Goldman Sachs camt.053 (tests/fixtures/real/SOURCES.md): its first entry is a CRDT of
10.00 USD with `RvslInd` true ("ACH Credit Reject": a payment of ours that came back). Its
remittance is changed to name an open invoice of exactly that amount; parsed and matched, the
line goes to the exceptions as `returned` and nothing is applied. The same line without the
flag is applied to that invoice: the flag, nothing else, keeps it off.
"""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short money literals
from pathlib import Path

import polars as pl

from jobs.bank import parse_file
from jobs.matching import match
from jobs.matching.engine import application_id
from tests.matching.conftest import items

CAMT = Path(__file__).resolve().parents[1] / "fixtures" / "real" / "bank-camt"
SOURCE = CAMT / "newinnovations-example-camt053-b.xml"
LINE = "258158850:1"  # NtryRef 52198201, CRDT 10.00 USD, RvslInd true
LEDGER = items(
    {"document_id": "1800000777", "reference": "INV-2026-000777", "amount": D("10.00"),
     "currency": "USD"},
)  # fmt: skip


def statement(tmp_path: Path) -> pl.DataFrame:
    text = SOURCE.read_text(encoding="utf-8")
    old = "<Ustrd>Sample Unstructured Remittance 123</Ustrd>"
    assert text.count(old) == 1
    path = tmp_path / SOURCE.name
    path.write_text(text.replace(old, "<Ustrd>Invoice INV-2026-000777</Ustrd>"), encoding="utf-8")
    return parse_file(path)


def test_rvslind_credit_is_returned_not_applied(tmp_path: Path) -> None:
    bank = statement(tmp_path)
    line = bank.filter(pl.col("transaction_id") == LINE).row(0, named=True)
    assert (line["direction"], line["amount"], line["reversal"]) == ("credit", D("10.00"), True)
    assert line["invoice_refs"] == ["INV-2026-000777"]
    result = match(bank, LEDGER)
    assert "1800000777" not in result.applications["document_id"].to_list()
    key = application_id(line["account"], line["booking_date"], LINE)
    assert key not in result.applications["application_id"].to_list()
    row = result.exceptions.filter(pl.col("transaction_id") == LINE).row(0, named=True)
    assert row["reason"] == "returned"
    # every line the bank flagged is an exception, none an application: the five with RvslInd
    # and the "Interbranch Return" marked by its bank transaction code (PMNT/ICDT/RRTN) alone
    flagged = set(bank.filter(pl.col("reversal"))["transaction_id"])
    returned = result.exceptions.filter(pl.col("reason") == "returned")
    assert set(returned["transaction_id"]) == flagged and len(flagged) == 6
    assert "258158850:4" in flagged


def test_the_same_line_without_the_flag_is_applied(tmp_path: Path) -> None:
    bank = statement(tmp_path).with_columns(
        pl.when(pl.col("transaction_id") == LINE).then(False).otherwise(pl.col("reversal"))
        .alias("reversal")
    )  # fmt: skip
    line = bank.filter(pl.col("transaction_id") == LINE).row(0, named=True)
    result = match(bank, LEDGER)
    paid = result.applications.filter(pl.col("document_id") == "1800000777")
    assert paid["applied_amount"].to_list() == [D("10.00")]
    assert paid["application_id"].to_list() == [
        application_id(line["account"], line["booking_date"], LINE)
    ]
    assert LINE not in result.exceptions["transaction_id"].to_list()
