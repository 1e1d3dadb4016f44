"""One test per matching rule, on hand-made frames: what is applied, with which rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D  # noqa: N817 - short money literals
from pathlib import Path

import polars as pl
import pytest

from contracts.validate import validate
from jobs.matching import MatchConfig, match
from jobs.matching.combos import subsets_summing
from jobs.matching.engine import application_id
from tests.matching.conftest import bank, customers, items

LEDGER = items(
    {"document_id": "1800000101", "reference": "INV-2026-000101", "amount": D("1190.00")},
    {"document_id": "1800000102", "reference": "INV-2026-000102", "amount": D("250.50")},
    {"document_id": "1800000103", "reference": "INV-2026-000103", "amount": D("99.50")},
    {"document_id": "1800000104", "reference": "INV-2026-000104", "amount": D("500.00"),
     "discount_date": date(2026, 10, 15), "discount_amount": D("10.00")},
    {"document_id": "1800000105", "reference": "INV-2026-000105", "amount": D("4000.00")},
    {"document_id": "1800000201", "reference": "INV-2026-000201", "amount": D("777.00"),
     "customer_id": "200"},
    {"document_id": "1800000202", "reference": "INV-2026-000202", "amount": D("777.00"),
     "customer_id": "200"},
)  # fmt: skip
PEOPLE = customers(
    {"customer_id": "100", "name": "Brandt Maschinenbau GmbH", "iban": "DE89370400440532013000"},
    {"customer_id": "200", "name": "Lumière Distribution SA"},
)
ACME_IBAN = "DE89 3704 0044 0532 0130 00"


def applied(result: pl.DataFrame) -> list[tuple[str | None, D, D, str | None, str]]:
    return [
        (r["document_id"], r["applied_amount"], r["discount_amount"], r["reason_code"],
         r["match_rule"])
        for r in result.sort("document_id", nulls_last=True).iter_rows(named=True)
    ]  # fmt: skip


@pytest.mark.parametrize(
    "text",
    ["Rechnung INV2026000101", "inv-2026-101", "RE 2026/0101", "payment 1800000101",
     "Invoice no. 2026.000101"],
)  # fmt: skip
def test_reference_tolerates_zeros_prefixes_separators(text: str) -> None:
    result = match(bank({"amount": D("1190"), "remittance_text": text}), LEDGER)
    assert applied(result.applications) == [("1800000101", D("1190"), D(0), None, "reference")]
    assert result.applications["match_score"].to_list() == [1.0]


def test_structured_references_and_combined_invoices() -> None:
    line = bank({"amount": D("350.00"), "invoice_refs": ["INV-2026-000102", "000103"]})
    result = match(line, LEDGER)
    assert [r[0] for r in applied(result.applications)] == ["1800000102", "1800000103"]
    assert result.exceptions.height == 0


def test_exact_amount_by_iban() -> None:
    result = match(bank({"amount": D("250.50"), "payer_account": ACME_IBAN}), LEDGER, PEOPLE)
    assert applied(result.applications) == [("1800000102", D("250.50"), D(0), None,
                                              "exact_amount")]  # fmt: skip


def test_fuzzy_name_identifies_the_payer() -> None:
    line = bank({"amount": D("250.50"), "payer_name": "BRANDT MASCHINENBAU"},
                {"amount": D("99.50"), "payer_name": "Brandt Maschinenbua GmbH"})  # fmt: skip
    result = match(line, LEDGER, PEOPLE)
    assert sorted(result.applications["customer_id"].to_list()) == ["100", "100"]
    assert result.applications["match_score"].min() < 0.9  # a fuzzy name lowers the score
    strict = match(line, LEDGER, PEOPLE, MatchConfig(name_threshold=99, name_candidate_threshold=0))
    assert strict.exceptions["reason"].to_list() == ["unidentified"]
    # Below name_threshold the name still makes a candidate an exact amount alone confirms.
    like = match(line, LEDGER, PEOPLE, MatchConfig(name_threshold=99))
    assert like.applications["match_rule"].to_list() == ["exact_amount", "exact_amount"]
    assert like.applications["match_score"].min() == pytest.approx(0.9 * 0.8)
    assert like.exceptions.height == 0


def test_two_invoices_with_the_same_amount_are_not_guessed() -> None:
    line = bank({"amount": D("777.00"), "payer_name": "Lumiere Distribution"})
    result = match(line, LEDGER, PEOPLE)
    assert result.applications.height == 0
    (row,) = result.exceptions.iter_rows(named=True)
    assert row["reason"] == "ambiguous" and row["candidate_count"] == 2
    assert "1800000201" in row["candidates"] and "1800000202" in row["candidates"]


def test_a_name_several_customers_share_is_settled_by_the_amount() -> None:
    ledger = items(
        {"document_id": "1800000301", "amount": D("410.00"), "customer_id": "301"},
        {"document_id": "1800000302", "amount": D("620.00"), "customer_id": "302"},
        {"document_id": "1800000303", "amount": D("620.00"), "customer_id": "303"},
    )
    people = customers(
        {"customer_id": "301", "name": "Nordwind Logistik GmbH"},  # three branches, one name
        {"customer_id": "302", "name": "Nordwind Logistik GmbH"},
        {"customer_id": "303", "name": "NORDWIND LOGISTIK"},
    )
    line = bank({"amount": D("410.00"), "payer_name": "Nordwind Logistik GmbH"},
                {"amount": D("620.00"), "payer_name": "Nordwind Logistik"})  # fmt: skip
    result = match(line, ledger, people)
    (row,) = result.applications.iter_rows(named=True)
    assert (row["customer_id"], row["document_id"], row["match_rule"]) == (
        "301",
        "1800000301",
        "exact_amount",
    )
    assert row["match_score"] == pytest.approx(0.9 * 0.8)  # the rule's score x the payer's
    (problem,) = result.exceptions.iter_rows(named=True)  # 620.00 fits two of them
    assert problem["reason"] == "ambiguous" and problem["candidate_count"] == 2
    assert "302" in problem["detail"] and "303" in problem["detail"]
    off = match(line, ledger, people, MatchConfig(max_payer_candidates=0))
    assert off.applications.height == 0
    assert off.exceptions["reason"].to_list() == ["unidentified", "unidentified"]


def test_combination_and_its_bounds() -> None:
    line = bank({"amount": D("1540.00"), "payer_account": ACME_IBAN})  # 1190 + 250.50 + 99.50
    result = match(line, LEDGER, PEOPLE)
    assert {r[0] for r in applied(result.applications)} == {"1800000101", "1800000102",
                                                            "1800000103"}  # fmt: skip
    assert set(result.applications["match_rule"]) == {"combination"}
    small = match(line, LEDGER, PEOPLE, MatchConfig(max_combination=2))
    assert set(small.applications["match_rule"]) == {"on_account"}
    few = match(line, LEDGER, PEOPLE, MatchConfig(max_candidates=2))
    assert set(few.applications["match_rule"]) == {"on_account"}
    assert subsets_summing(10, [1, 2, 3, 4, 5, 6], 4, limit=10) == [
        (0, 1, 2, 3), (0, 2, 5), (0, 3, 4), (1, 2, 4), (3, 5)]  # fmt: skip
    assert subsets_summing(21, [1, 2, 3, 4, 5, 6], 5, limit=10) == []  # needs all six


def test_discount_within_terms_only() -> None:
    on_time = bank({"amount": D("490.00"), "payer_account": ACME_IBAN,
                    "booking_date": date(2026, 10, 17)})  # fmt: skip
    result = match(on_time, LEDGER, PEOPLE)
    assert applied(result.applications) == [("1800000104", D("490"), D("10"), None, "discount")]
    late = bank({"amount": D("490.00"), "payer_account": ACME_IBAN,
                 "booking_date": date(2026, 10, 30)})  # fmt: skip
    result = match(late, LEDGER, PEOPLE, MatchConfig(short_tolerance_pct=D("1")))
    assert result.applications.height == 0  # 2 % short, no reference: not applied (issue 17)
    assert result.exceptions["reason"].to_list() == ["unreferenced_deduction"]
    assert "1800000104" in result.exceptions["candidates"][0]
    wide = match(late, LEDGER, PEOPLE, MatchConfig(short_tolerance_pct=D("3")))
    assert applied(wide.applications) == [("1800000104", D("490"), D(0), "SHORT",
                                           "short_payment")]  # fmt: skip


def test_short_payment_leaves_the_difference_open_with_a_reason() -> None:
    line = bank({"amount": D("3985.00"), "payer_account": ACME_IBAN})
    config = MatchConfig(short_reason_code="DED")
    result = match(line, LEDGER, PEOPLE, config)
    assert applied(result.applications) == [("1800000105", D("3985"), D(0), "DED",
                                              "short_payment")]  # fmt: skip
    with_ref = bank({"amount": D("3985.00"), "remittance_text": "INV 2026-105"})
    assert match(with_ref, LEDGER, None, config).applications["reason_code"].to_list() == ["DED"]


def test_on_account_unidentified_debit_and_currency() -> None:
    lines = bank(
        {"amount": D("12.34"), "payer_account": ACME_IBAN},
        {"amount": D("12.34"), "payer_name": "Nobody Known Ltd"},
        {"amount": D("5.00"), "direction": "debit"},
        {"amount": D("1190.00"), "currency": "USD", "remittance_text": "INV-2026-000101"},
    )
    result = match(lines, LEDGER, PEOPLE)
    assert applied(result.applications) == [(None, D("12.34"), D(0), None, "on_account")]
    assert result.applications["company"].to_list() == ["1000"]
    reasons = dict(result.exceptions.select("transaction_id", "reason").iter_rows())
    assert reasons == {"T1": "unidentified", "T2": "not_a_payment", "T3": "currency_mismatch"}


def test_an_invoice_is_applied_once_and_keys_are_stable() -> None:
    lines = bank(
        {"amount": D("1190.00"), "remittance_text": "INV-2026-000101"},
        {"amount": D("1190.00"), "remittance_text": "INV-2026-000101", "transaction_id": "T9"},
    )
    result = match(lines, LEDGER, PEOPLE)
    assert result.applications["document_id"].to_list() == ["1800000101"]
    assert result.applications["application_id"].to_list() == [
        application_id("DE02120300000000202051", date(2026, 11, 2), "T0")
    ]
    assert result.exceptions["transaction_id"].to_list() == ["T9"]
    again = match(lines.reverse(), LEDGER, PEOPLE)
    assert again.applications.equals(result.applications)
    assert again.exceptions.equals(result.exceptions)
    validate(result.applications, "cash_applications")


def test_matching_config_from_toml(tmp_path: Path) -> None:
    """`[matching]` in otc.toml: read by the matcher, accepted by every other command."""
    from adapters.errors import ConfigError
    from jobs import config as otc_config
    from jobs.matching.config import load_config

    path = tmp_path / "otc.toml"
    path.write_text(
        '[systems.sap]\nadapter = "sap"\n\n[matching]\nname_threshold = 85\nmax_combination = 3\n',
        encoding="utf-8",
    )
    loaded = load_config(path)
    assert loaded.name_threshold == 85 and loaded.max_combination == 3
    assert list(otc_config.load(path).systems) == ["sap"]
    path.write_text("[matching]\nname_treshold = 85\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="name_treshold"):
        load_config(path)
