"""Money never passes through float: random amounts in random currencies survive every
file format exactly (CSV and JSON as text, Parquet as Decimal)."""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.io import read_frame, schema_of, write_frame
from contracts.money import MINOR_UNITS, fits_currency, parse_amount, quantize

CURRENCIES = sorted(MINOR_UNITS)


@st.composite
def amounts(draw: st.DrawFn) -> tuple[str, Decimal]:
    currency = draw(st.sampled_from(CURRENCIES))
    digits = MINOR_UNITS[currency]
    units = draw(st.integers(min_value=-(10**17), max_value=10**17))
    return currency, Decimal(units).scaleb(-digits)


def open_items_frame(rows: list[tuple[str, Decimal]]) -> pl.DataFrame:
    n = len(rows)
    return pl.DataFrame(
        {
            "source_system": ["prop"] * n,
            "company": ["1000"] * n,
            "customer_id": ["C1"] * n,
            "document_id": [f"D{i}" for i in range(n)],
            "fiscal_year": [2026] * n,
            "line": [1] * n,
            "document_type": ["invoice"] * n,
            "reference": [None] * n,
            "document_date": [date(2026, 1, 1)] * n,
            "posting_date": [date(2026, 1, 1)] * n,
            "due_date": [date(2026, 2, 1)] * n,
            "currency": [c for c, _ in rows],
            "amount": [a for _, a in rows],
            "disputed_amount": [abs(a) for _, a in rows],
            "discount_date": [None] * n,
            "discount_amount": [None] * n,
        },
        schema=schema_of("open_items"),
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(amounts(), min_size=1, max_size=25))
def test_amounts_round_trip_exactly_through_every_format(rows: list[tuple[str, Decimal]]) -> None:
    frame = open_items_frame(rows)
    assert frame["amount"].to_list() == [a for _, a in rows]  # the frame itself is exact
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in (".csv", ".parquet", ".jsonl"):
            path = write_frame(frame, Path(tmp) / f"items{suffix}", "open_items")
            back = read_frame(path, "open_items")
            assert back["amount"].to_list() == [a for _, a in rows], suffix
            assert back["disputed_amount"].to_list() == [abs(a) for _, a in rows], suffix
            assert all(not d.is_float() for d in back.schema.values()), suffix


@given(amounts())
def test_text_round_trip_and_currency_decimals(pair: tuple[str, Decimal]) -> None:
    currency, amount = pair
    text = str(quantize(amount, currency))
    assert parse_amount(text) == amount
    assert fits_currency(amount, currency)
    if MINOR_UNITS[currency] < 4:
        finer = amount + Decimal(1).scaleb(-(MINOR_UNITS[currency] + 1))
        assert not fits_currency(finer, currency)
