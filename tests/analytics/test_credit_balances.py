"""Refund candidates: customers whose open items net to a credit, per company and currency."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from analytics_helpers import item
from typer.testing import CliRunner

from adapters.errors import ConfigError
from contracts.io import read_frame
from jobs.analytics.credit_balances import credit_balances, customers_of
from jobs.cli import app

ItemsFile = Callable[..., Path]


@pytest.fixture
def ledger(items_file: ItemsFile) -> Path:
    return items_file(
        [
            # A: owes 200, is owed 500 -> refund 300, made of one credit memo
            item("A", "200.00", days=10, doc="A1"),
            item("A", "-500.00", days=5, doc="A2"),
            # B: owes 500, paid 400 on account -> still owes: not a candidate
            item("B", "500.00", days=10, doc="B1"),
            item("B", "-400.00", days=1, doc="B2", document_type="payment"),
            # C: owes in EUR, but is owed 50 USD: the USD credit stands on its own
            item("C", "1000.00", days=10, doc="C1"),
            item("C", "-30.00", days=3, currency="USD", company="1000", doc="C2"),
            item("C", "-20.00", days=2, currency="USD", company="1000", doc="C3"),
            # K: overpaid 1.125 KWD
            item("K", "-1.125", currency="KWD", doc="K1", document_type="payment"),
        ]
    )


def test_credit_balances_found(ledger: Path) -> None:
    found = credit_balances(read_frame(ledger, "open_items"))
    who = customers_of(found)
    assert who.select("customer_id", "currency", "refund_amount").rows() == [
        ("A", "EUR", Decimal("300.00")),
        ("K", "KWD", Decimal("1.125")),
        ("C", "USD", Decimal("50.00")),
    ]
    assert found.filter(pl.col("customer_id") == "C")["document_id"].to_list() == ["C2", "C3"]
    a = found.filter(pl.col("customer_id") == "A").row(0, named=True)
    assert (a["document_id"], a["net_balance"], a["debits"], a["credits"]) == (
        "A2",
        Decimal("-300.00"),
        Decimal("200.00"),
        Decimal("-500.00"),
    )
    assert "B" not in found["customer_id"].to_list()
    assert (found["amount"] < 0).all()


def test_min_amount(ledger: Path) -> None:
    frame = read_frame(ledger, "open_items")
    big = customers_of(credit_balances(frame, Decimal("50.00")))
    assert big["customer_id"].to_list() == ["A", "C"]  # 50 USD is at least 50
    assert customers_of(credit_balances(frame, Decimal("50.01")))["customer_id"].to_list() == ["A"]
    with pytest.raises(ConfigError):
        credit_balances(frame, Decimal("-1"))


def test_cli_writes_the_candidates(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "credits.csv"
    result = CliRunner().invoke(
        app, ["credit-balances", "--open-items", str(ledger), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "3 refund candidates" in result.output
    written = pl.read_csv(out, infer_schema=False)
    assert written.select("customer_id", "document_id", "refund_amount").rows() == [
        ("A", "A2", "300.00"),
        ("K", "K1", "1.125"),
        ("C", "C2", "50.00"),
        ("C", "C3", "50.00"),
    ]
    bad = CliRunner().invoke(
        app,
        [
            "credit-balances",
            "--open-items",
            str(ledger),
            "--out",
            str(out),
            "--min-amount",
            "1,000",
        ],
    )
    assert bad.exit_code == 2
