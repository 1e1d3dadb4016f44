"""Two extracts compared by customer and currency, or item by item; exact amounts."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from analytics_helpers import item, random_ledger
from typer.testing import CliRunner

from contracts.io import read_frame
from jobs.analytics.reconcile import reconcile
from jobs.cli import app

ItemsFile = Callable[..., Path]


def base() -> list[dict[str, Any]]:
    return [
        item("A", "100.00", doc="A1", days=10),
        item("A", "50.00", doc="A2", days=20),
        item("B", "1250000", currency="JPY", doc="B1"),
        item("C", "1875.250", currency="KWD", doc="C1"),
        item("D", "10.00", doc="D1"),
    ]


def frames(
    items_file: ItemsFile, left: list[dict[str, Any]], right: list[dict[str, Any]]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    return (
        read_frame(items_file(left, "left.csv"), "open_items"),
        read_frame(items_file(right, "right.csv"), "open_items"),
    )


def test_identical_extracts_agree(items_file: ItemsFile) -> None:
    rows = random_ledger(seed=5, n=200)
    left, right = frames(items_file, rows, list(reversed(rows)))
    for by in ("customer", "document"):
        result = reconcile(left, right, by)
        assert result.agree and result.differences.is_empty()
        assert (result.per_currency["difference"] == 0).all()


def test_each_kind_of_difference(items_file: ItemsFile) -> None:
    right = base()
    right[3] = item("C", "1875.251", currency="KWD", doc="C1")  # off by one fils
    del right[4]  # D only left
    right.append(item("E", "7", currency="JPY", doc="E1"))  # E only right
    left, right_frame = frames(items_file, base(), right)
    result = reconcile(left, right_frame)
    assert not result.agree
    assert result.counts() == {"only_left": 1, "only_right": 1, "amount_differs": 1}
    rows = {r["customer_id"]: r for r in result.differences.iter_rows(named=True)}
    assert rows["C"]["status"] == "amount_differs"
    assert (rows["C"]["left_amount"], rows["C"]["right_amount"], rows["C"]["difference"]) == (
        Decimal("1875.250"),
        Decimal("1875.251"),
        Decimal("-0.001"),
    )
    assert rows["D"]["status"] == "only_left" and rows["D"]["right_amount"] is None
    assert rows["D"]["difference"] == Decimal("10.00")
    assert rows["E"]["status"] == "only_right" and rows["E"]["difference"] == Decimal("-7")
    per_currency = dict(result.per_currency.select("currency", "difference").iter_rows())
    assert per_currency == {"EUR": Decimal("10.00"), "JPY": Decimal("-7"), "KWD": Decimal("-0.001")}


def test_document_level_sees_what_balances_hide(items_file: ItemsFile) -> None:
    right = base()
    right[0] = item("A", "60.00", doc="A1", days=10)
    right[1] = item("A", "90.00", doc="A2", days=20)  # same balance 150, split differently
    left, right_frame = frames(items_file, base(), right)
    assert reconcile(left, right_frame, "customer").agree
    by_doc = reconcile(left, right_frame, "document")
    assert by_doc.differences.select("document_id", "status", "difference").rows() == [
        ("A1", "amount_differs", Decimal("40.00")),
        ("A2", "amount_differs", Decimal("-40.00")),
    ]


def test_currencies_are_compared_apart(items_file: ItemsFile) -> None:
    right = base()
    right[4] = item("D", "10.00", currency="USD", company="1000", doc="D1")
    left, right_frame = frames(items_file, base(), right)
    result = reconcile(left, right_frame)
    assert result.differences.select("customer_id", "currency", "status").rows() == [
        ("D", "EUR", "only_left"),
        ("D", "USD", "only_right"),
    ]


def test_cli_exit_codes(items_file: ItemsFile, tmp_path: Path) -> None:
    left = items_file(base(), "left.csv")
    same = items_file(base(), "same.csv")
    changed = base()
    changed[0] = item("A", "100.01", doc="A1", days=10)
    other = items_file(changed, "other.csv")
    out = tmp_path / "diff.csv"
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(app, ["reconcile", "--left", str(left), *args, "--out", str(out)])

    agree = run("--right", str(same))
    assert agree.exit_code == 0, agree.output
    assert "agree" in agree.output and pl.read_csv(out).is_empty()
    differ = run("--right", str(other), "--by", "document")
    assert differ.exit_code == 1, differ.output
    written = pl.read_csv(out, infer_schema=False)
    assert written.select(
        "status", "document_id", "left_amount", "right_amount", "difference"
    ).rows() == [("amount_differs", "A1", "100.00", "100.01", "-0.01")]
    assert run("--right", str(same), "--by", "invoice").exit_code == 2
    assert run("--right", str(tmp_path / "missing.csv")).exit_code == 2
    broken = tmp_path / "broken.csv"
    broken.write_text(
        same.read_text(encoding="utf-8").replace("1875.250", "1875.2501"), encoding="utf-8"
    )
    assert run("--right", str(broken)).exit_code == 1  # a contract violation
