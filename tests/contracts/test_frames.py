"""Contracts on frames built in code (no file): dtypes, strictness, precision and scale."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from adapters.errors import ContractError
from contracts.io import read_frame, write_frame
from contracts.validate import validate
from jobs.demo import SAMPLES, sample_path


@pytest.fixture
def open_items() -> pl.DataFrame:
    return read_frame(sample_path(SAMPLES["open_items"]), "open_items")


def violations(frame: pl.DataFrame, entity: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ContractError) as info:
        validate(frame, entity)
    return [(v.row, v.column, v.rule) for v in info.value.violations]


def test_one_and_a_half_yen_is_a_violation_in_a_frame(open_items: pl.DataFrame) -> None:
    row = 6  # the JPY invoice
    assert open_items["currency"][row] == "JPY"
    frame = open_items.with_columns(
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.lit(Decimal("1.5")))
        .otherwise(pl.col("amount"))
        .cast(pl.Decimal(38, 4))
        .alias("amount")
    )
    found = violations(frame, "open_items")
    assert (row, "amount", found[0][2]) in found
    assert "amount_fits_currency" in found[0][2]


def test_float_money_is_refused_by_dtype(open_items: pl.DataFrame) -> None:
    frame = open_items.with_columns(pl.col("amount").cast(pl.Float64))
    found = violations(frame, "open_items")
    assert any(col == "amount" and "dtype" in rule for _, col, rule in found), found


def test_precision_may_widen_but_scale_is_pinned(open_items: pl.DataFrame) -> None:
    widened = open_items.with_columns(pl.col("amount").cast(pl.Decimal(20, 4)))
    validate(widened, "open_items")  # an honest narrower/wider precision passes
    rescaled = open_items.with_columns(pl.col("amount").cast(pl.Decimal(38, 2)))
    found = violations(rescaled, "open_items")
    assert any(col == "amount" and "scale=4" in rule for _, col, rule in found), found


def test_unknown_and_missing_columns(open_items: pl.DataFrame) -> None:
    found = violations(open_items.with_columns(pl.lit("x").alias("colour")), "open_items")
    assert (None, "colour", "column is not part of the contract") in found
    found = violations(open_items.drop("due_date"), "open_items")
    assert (None, "due_date", "required column is missing") in found


def test_all_failures_in_one_pass(tmp_path: Path, open_items: pl.DataFrame) -> None:
    frame = open_items.with_columns(
        pl.lit("nope").alias("document_type"), pl.lit("ZZZ").alias("currency")
    )
    found = violations(frame, "open_items")
    assert {c for _, c, _ in found} >= {"document_type", "currency"}
    assert len([1 for _, c, _ in found if c == "document_type"]) == open_items.height


def test_csv_never_rounds_an_amount(tmp_path: Path) -> None:
    """pandera's coerce would turn 1234.567 EUR into 1234.57; the reader refuses it."""
    rows = sample_path(SAMPLES["write_offs"]).read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace(",0.50,", ",1234.567,")
    path = tmp_path / "write_offs.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ContractError) as info:
        read_frame(path, "write_offs")
    (hit,) = [v for v in info.value.violations if v.column == "amount"]
    assert hit.row == 2 and hit.value == "1234.567" and "fits_currency" in hit.rule


def test_csv_written_with_currency_decimals(tmp_path: Path, open_items: pl.DataFrame) -> None:
    path = write_frame(open_items, tmp_path / "oi.csv", "open_items")
    text = path.read_text(encoding="utf-8")
    assert ",1250000," in text  # JPY: no decimals
    assert ",1875.250," in text  # KWD: three
    assert ",11900.00," in text  # EUR: two
    assert read_frame(path, "open_items").equals(open_items)


def test_write_refuses_an_invalid_frame(tmp_path: Path, open_items: pl.DataFrame) -> None:
    with pytest.raises(ContractError):
        write_frame(
            open_items.with_columns(pl.lit("ZZZ").alias("currency")),
            tmp_path / "x.csv",
            "open_items",
        )
    assert not (tmp_path / "x.csv").exists()
