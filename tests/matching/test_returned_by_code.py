"""A return the bank marks only by a code, not by a reversal mark, never pays an invoice.

Real MT940 files (tests/fixtures/real/SOURCES.md), each a credit with a plain `C` mark:
- betterplace: `:86:159?00RETOURE...` (German business transaction code 159, a SEPA transfer of
  ours come back: "Reject aus SEPA-Ueberweisungsauftrag"), 300,00 EUR;
- ING's example: `/RTRN/AC04/` (return reason: account closed), 20,00 EUR.
Each line's remittance is changed, in that one line, to name an open invoice of exactly its
amount; parsed and matched, the line goes to the exceptions as `returned` and nothing is
applied. The same line with `reversal` false is applied to that invoice: the code, nothing
else, keeps it off.
"""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short money literals
from pathlib import Path

import polars as pl
import pytest

from jobs.bank import parse_file
from jobs.matching import match
from jobs.matching.engine import application_id
from tests.matching.conftest import items

MT940 = Path(__file__).resolve().parents[1] / "fixtures" / "real" / "bank-mt940"
INVOICE = "INV-2026-000777"
#: (file, transaction id, the line's text, what it becomes, amount)
CASES = {
    "gvc-159": (
        "betterplace-sepa_mt9401.sta",
        "T089413946000001:1",
        "?20EREF+TFNR 40005 00005?21MTLG:Grund nicht s",
        f"?20EREF+TFNR 40005 00005?21MTLG:{INVOICE} Grund nicht s",
        D("300.00"),
    ),
    "rtrn-ac04": (
        "libmt94x-ming-ing-provided-example-single-message.txt",
        "P140104000009999:9",
        "REMI/USTD//UstrdRemInf6396887117/",
        f"REMI/USTD//{INVOICE}/",
        D("20.00"),
    ),
}


def statement(tmp_path: Path, case: str) -> tuple[pl.DataFrame, str, D]:
    name, line_id, old, new, amount = CASES[case]
    source = MT940 / name
    data = source.read_bytes()
    assert data.count(old.encode()) == 1, f"{old!r} must occur once in {name}"
    path = tmp_path / name
    path.write_bytes(data.replace(old.encode(), new.encode()))
    return parse_file(path), line_id, amount


def ledger(amount: D) -> pl.DataFrame:
    return items({"document_id": "1800000777", "reference": INVOICE, "amount": amount})


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_credit_returned_by_code_is_returned_not_applied(tmp_path: Path, case: str) -> None:
    bank, line_id, amount = statement(tmp_path, case)
    line = bank.filter(pl.col("transaction_id") == line_id).row(0, named=True)
    assert (line["direction"], line["amount"], line["reversal"]) == ("credit", amount, True)
    assert line["invoice_refs"] == [INVOICE]
    result = match(bank, ledger(amount))
    assert "1800000777" not in result.applications["document_id"].to_list()
    key = application_id(line["account"], line["booking_date"], line_id)
    assert key not in result.applications["application_id"].to_list()
    row = result.exceptions.filter(pl.col("transaction_id") == line_id).row(0, named=True)
    assert row["reason"] == "returned"
    # every credit the file marks as returned is an exception of that reason
    flagged = set(bank.filter(pl.col("reversal") & (pl.col("direction") == "credit"))
                  ["transaction_id"])  # fmt: skip
    returned = result.exceptions.filter(pl.col("reason") == "returned")
    assert flagged <= set(returned["transaction_id"]) and line_id in flagged


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_same_line_without_the_code_is_applied(tmp_path: Path, case: str) -> None:
    bank, line_id, amount = statement(tmp_path, case)
    bank = bank.with_columns(
        pl.when(pl.col("transaction_id") == line_id).then(False).otherwise(pl.col("reversal"))
        .alias("reversal")
    )  # fmt: skip
    line = bank.filter(pl.col("transaction_id") == line_id).row(0, named=True)
    result = match(bank, ledger(amount))
    paid = result.applications.filter(pl.col("document_id") == "1800000777")
    assert paid["applied_amount"].to_list() == [amount]
    assert paid["application_id"].to_list() == [
        application_id(line["account"], line["booking_date"], line_id)
    ]
    assert line_id not in result.exceptions["transaction_id"].to_list()
