"""`otc credit-balances --as-refunds`: the candidates as the start of a Refunds file that
passes its contract once a person fills in the payment method and the approval."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from analytics_helpers import item
from typer.testing import CliRunner

from adapters.errors import ContractError
from contracts.io import read_frame
from jobs.cli import app


def test_as_refunds_writes_a_refunds_file_to_approve(
    items_file: Callable[..., Path], tmp_path: Path
) -> None:
    ledger = items_file(
        [
            item("A", "200.00", days=10, doc="A1"),  # A is owed 300: part of its 500 credit
            item("A", "-500.00", days=5, doc="A2"),
            item("C", "-30.00", days=3, currency="USD", doc="C2"),  # C is owed 50 USD
            item("C", "-20.00", days=2, currency="USD", doc="C3"),
            item("K", "-1.125", currency="KWD", doc="K1", document_type="payment"),
        ]
    )
    draft = tmp_path / "refunds.csv"
    done = CliRunner().invoke(
        app,
        ["credit-balances", "--open-items", str(ledger), "--out", str(tmp_path / "c.csv"),
         "--as-refunds", str(draft)],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "fill in payment_method" in " ".join(done.output.split())
    with pytest.raises(ContractError, match="payment_method"):
        read_frame(draft, "refunds")  # not postable as it stands
    filled = pl.read_csv(draft, infer_schema=False).with_columns(
        pl.lit("T").alias("payment_method"), pl.lit("APR-1").alias("approval_reference")
    )
    filled.write_csv(draft)
    refunds = read_frame(draft, "refunds")
    got = refunds.select("customer_id", "document_id", "item_amount", "refund_amount").rows()
    assert sorted(got) == [
        ("A", "A2", Decimal("300.00"), Decimal("300.00")),
        ("C", "C2", Decimal("30.00"), Decimal("50.00")),
        ("C", "C3", Decimal("20.00"), Decimal("50.00")),
        ("K", "K1", Decimal("1.125"), Decimal("1.125")),
    ]
    assert refunds["refund_id"].n_unique() == 3
