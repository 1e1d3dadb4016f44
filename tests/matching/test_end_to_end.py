"""Generated ledger and bank lines with known truth -> match -> every auto-match is right."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from contracts.io import read_frame, write_frame
from jobs.cli import app
from jobs.matching import generate, match


def test_generated_payments_match_the_truth() -> None:
    people, ledger = generate.ledger(seed=5, customers=300, items=6000)
    lines, truth = generate.bank_lines(people, ledger, count=1500, seed=6)
    assert generate.bank_lines(people, ledger, count=1500, seed=6)[0].equals(lines)
    result = match(lines, ledger, people)
    figures = generate.score(result.applications, lines, truth)
    assert figures["match_rate"] >= 0.95, figures
    assert figures["wrong_rate"] < 0.005, figures
    by_rule = set(result.applications["match_rule"])
    assert {"reference", "exact_amount", "discount", "short_payment", "on_account"} <= by_rule
    debits = truth.filter(pl.col("kind") == "debit")["transaction_id"]
    reasons = result.exceptions.filter(pl.col("transaction_id").is_in(debits.implode()))
    assert set(reasons["reason"]) == {"not_a_payment"}


def test_cli_matches_a_camt_file(tmp_path: Path) -> None:
    people, ledger = generate.ledger(seed=8, customers=50, items=400)
    lines, _ = generate.bank_lines(people, ledger, count=60, seed=9)
    camt = generate.write_camt053(lines, tmp_path / "bank.xml")
    write_frame(ledger, tmp_path / "items.parquet", "open_items")
    write_frame(people, tmp_path / "customers.csv", "customers")
    out = tmp_path / "applied.csv"
    args = ["cash", "match", "--bank", str(camt), "--open-items", str(tmp_path / "items.parquet"),
            "--customers", str(tmp_path / "customers.csv"), "--out", str(out)]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "reference" in result.output
    applied = read_frame(out, "cash_applications")
    exceptions = pl.read_csv(tmp_path / "applied.exceptions.csv")
    payments = applied["application_id"].n_unique() + exceptions.height
    assert payments == lines.height
    bad = CliRunner().invoke(app, ["cash", "match", "--bank", str(camt), "--open-items",
                                   str(tmp_path / "customers.csv"), "--out", str(out)])  # fmt: skip
    assert bad.exit_code == 1


def test_a_statement_of_one_day_with_erp_shaped_references(tmp_path: Path) -> None:
    """`on` books every line that day; references without the generator's shape get noise too."""
    from jobs.bank import parse_file

    people, ledger = generate.ledger(seed=11, customers=200, items=3000)
    ledger = ledger.with_columns(  # SAP-like billing document numbers as references
        ("90" + pl.col("document_id").str.slice(-8)).alias("reference")
    )
    day = ledger["discount_date"].drop_nulls().sort()[len(ledger) // 10]
    lines, truth = generate.bank_lines(people, ledger, count=400, seed=12, on=day)
    assert set(lines["booking_date"]) == {day}
    discounted = truth.filter(pl.col("kind") == "discount")
    assert discounted.height > 0
    keys = ["document_id", "fiscal_year", "line"]
    terms = discounted.join(ledger, on=keys)["discount_date"]
    assert terms.min() is not None and terms.min() >= day  # still within terms that day
    texts = " ".join(t for t in lines["remittance_text"] if t) + " ".join(
        r for refs in lines["invoice_refs"].drop_nulls() for r in refs
    )
    assert "INV-2026-" not in texts and "90" in texts
    camt = generate.write_camt053(lines, tmp_path / "day.xml")
    parsed = parse_file(camt)
    result = match(parsed, ledger, people)
    figures = generate.score(result.applications, parsed, truth, truth_id="bank_reference")
    assert figures["match_rate"] >= 0.95, figures
    assert figures["wrong_rate"] < 0.005, figures


def test_an_independent_realistic_month_matches_the_truth() -> None:
    """jobs.matching.month: other numbering, payers' reference forms, credit notes, groups."""
    from jobs.matching.month import month

    people, ledger, lines, truth = month(seed=3, customers=600, items=9000, lines=2000)
    assert set(truth["kind"]) >= {"credit_note", "deduction", "group", "small", "multi"}
    result = match(lines, ledger, people)
    figures = generate.score(result.applications, lines, truth)
    assert figures["match_rate"] >= 0.95, figures
    assert figures["wrong_rate"] < 0.005, figures
    netted = result.applications.filter(pl.col("applied_amount") < 0)
    assert netted.height > 0 and set(netted["match_rule"]) == {"reference"}
    assert "deduction" in set(result.applications["match_rule"])
