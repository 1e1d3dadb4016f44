"""Deductions: a referenced invoice paid short beyond tolerance is applied, the rest stays open
with the reason the remittance gives; without a reference it is an exception."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short money literals
from pathlib import Path

import pytest

from jobs.matching import MatchConfig, match
from jobs.matching.config import load_config
from jobs.matching.reasons import DEFAULT_REASONS, ReasonTable
from tests.matching.conftest import bank, customers, items

IBAN = "DE89370400440532013000"
LEDGER = items(
    {"document_id": "1800000501", "reference": "RE-2026-10781", "amount": D("1200.00")},
    {"document_id": "1800000502", "reference": "RE-2026-10782", "amount": D("3000.00")},
)
PEOPLE = customers({"customer_id": "100", "name": "Brandt Maschinenbau GmbH", "iban": IBAN})

PHRASES = {
    "en": [("short shipped, 2 cartons", "SHORTAGE"), ("damaged goods", "DAMAGED"),
           ("price difference as agreed", "PRICING"), ("freight charged twice", "FREIGHT")],
    "de": [("abzgl. Fehlmenge", "SHORTAGE"), ("beschädigte Ware", "DAMAGED"),
           ("Werbekostenzuschuss Q3", "PROMOTION"), ("Preisdifferenz lt. Vertrag", "PRICING")],
    "fr": [("marchandise endommagée", "DAMAGED"), ("écart de prix", "PRICING"),
           ("frais de port déduits", "FREIGHT"), ("TVA non due", "TAX")],
}  # fmt: skip
CASES = [
    (pct, lang, *phrases[n])
    for n, pct in enumerate((2, 4, 10, 15))
    for lang, phrases in PHRASES.items()
]


def short_by(pct: int) -> D:
    return D("1200.00") * (100 - pct) / 100


@pytest.mark.parametrize(("pct", "lang", "phrase", "reason"), CASES)
def test_a_referenced_short_payment_is_a_deduction_with_the_texts_reason(
    pct: int, lang: str, phrase: str, reason: str
) -> None:
    paid = short_by(pct)
    line = bank({"amount": paid, "payer_account": IBAN,
                 "remittance_text": f"RE-2026-10781 {phrase}"})  # fmt: skip
    result = match(line, LEDGER, PEOPLE)
    (row,) = result.applications.iter_rows(named=True)
    assert (row["document_id"], row["applied_amount"], row["discount_amount"]) == (
        "1800000501",
        paid,
        D(0),
    )
    assert (row["reason_code"], row["match_rule"]) == (reason, "deduction"), lang
    assert D("1200.00") - row["applied_amount"] == D("1200.00") * pct / 100  # left open
    assert result.exceptions.height == 0


@pytest.mark.parametrize("pct", [2, 4, 10, 15])
def test_without_a_reason_phrase_the_reason_is_unknown_and_configurable(pct: int) -> None:
    """The year-less `10781` names RE-2026-10781 once the payer's account confirms it."""
    line = bank({"amount": short_by(pct), "payer_account": IBAN,
                 "remittance_text": "Rechnung 10781"})  # fmt: skip
    result = match(line, LEDGER, PEOPLE)
    assert result.applications["reason_code"].to_list() == ["UNKNOWN"]
    config = MatchConfig(deduction_unknown_reason="DISPUTE")
    assert match(line, LEDGER, PEOPLE, config).applications["reason_code"].to_list() == ["DISPUTE"]


@pytest.mark.parametrize("pct", [2, 4, 10, 15])
@pytest.mark.parametrize("phrase", ["short shipped", "Fehlmenge", "marchandise endommagée"])
def test_an_unreferenced_short_payment_is_an_exception(pct: int, phrase: str) -> None:
    """Same payer, same amounts, no invoice named: which invoice was cut is a guess."""
    line = bank({"amount": short_by(pct), "payer_account": IBAN, "remittance_text": phrase})
    result = match(line, LEDGER, PEOPLE)
    assert result.applications.height == 0
    (problem,) = result.exceptions.iter_rows(named=True)
    assert problem["reason"] == "unreferenced_deduction"
    assert "1800000501" in problem["candidates"] and problem["customer_id"] == "100"


def test_tolerance_keeps_its_meaning() -> None:
    """Under tolerance: SHORT as before; beyond deduction_max_pct: an exception."""
    within = bank({"amount": D("1194.00"), "remittance_text": "RE-2026-10781 damaged"})
    row = match(within, LEDGER, PEOPLE).applications.row(0, named=True)
    assert (row["applied_amount"], row["reason_code"], row["match_rule"]) == (
        D("1194.00"),
        "SHORT",
        "reference",
    )
    unreferenced = bank({"amount": D("1194.00"), "payer_account": IBAN})
    assert match(unreferenced, LEDGER, PEOPLE).applications["match_rule"].to_list() == [
        "short_payment"
    ]
    half = bank({"amount": D("600.00"), "payer_account": IBAN,
                 "remittance_text": "RE-2026-10781 damaged"})  # fmt: skip
    result = match(half, LEDGER, PEOPLE)
    assert result.applications.height == 0
    assert result.exceptions["reason"].to_list() == ["reference_amount_mismatch"]
    narrow = MatchConfig(deduction_max_pct=D("3"))
    ten = bank({"amount": short_by(10), "remittance_text": "RE-2026-10781 damaged"})
    assert match(ten, LEDGER, PEOPLE, narrow).applications.height == 0


def test_an_explicit_reference_beats_a_near_amount() -> None:
    """The payer names 10782 (3000.00) and pays 1200.00, exactly another invoice's amount:
    the cash is not put on the other invoice because its amount fits."""
    line = bank({"amount": D("1200.00"), "payer_account": IBAN,
                 "remittance_text": "RE-2026-10782"})  # fmt: skip
    result = match(line, LEDGER, PEOPLE)
    assert result.applications.height == 0
    (problem,) = result.exceptions.iter_rows(named=True)
    assert problem["reason"] == "reference_amount_mismatch"
    assert "1800000502" in problem["candidates"]
    assert "1800000501" not in problem["candidates"]


def test_reason_table_words_folding_and_first_phrase() -> None:
    table = ReasonTable(DEFAULT_REASONS)
    assert table.reason("BESCHAEDIGT") == "DAMAGED"
    assert table.reason("Transportschaden") == "DAMAGED"  # not FREIGHT's `transport`
    assert table.reason("frais  de   port") == "FREIGHT"  # blanks inside a phrase
    assert table.reason("damaged, freight refused") == "DAMAGED"  # first in the text
    assert table.reason("taxi") == "UNKNOWN"  # whole words only
    assert table.reason(None) == "UNKNOWN"


def test_reason_table_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "otc.toml"
    path.write_text(
        '[matching]\ndeduction_max_pct = "20"\n'
        '[matching.deduction_reasons]\nquality = ["mangelhaft", "poor quality"]\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.deduction_max_pct == D("20")
    line = bank({"amount": short_by(10), "remittance_text": "RE-2026-10781 mangelhaft"})
    assert match(line, LEDGER, PEOPLE, config).applications["reason_code"].to_list() == ["QUALITY"]
    from adapters.errors import ConfigError

    path.write_text('[matching]\ndeduction_reasons = ["x"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="deduction_reasons"):
        load_config(path)
    path.write_text('[matching]\nsmall_difference = "ignore"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="small_difference"):
        load_config(path)
