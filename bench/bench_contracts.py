"""Validating 1M OpenItems: our contracts vs the same checks by hand vs pandera on pandas.

Targets (issue 3): contracts <= 1.5x the hand-written polars expressions, and >= 10x
faster than pandera on pandas with Decimal values. All three are measured in this run on
the same rows; the ratios are what count, not the seconds.

    python -m bench.bench_contracts [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pandas as pd
import pandera.pandas as ppa
import polars as pl

from bench.data import open_items
from contracts import rules
from contracts.money import MINOR_UNITS, MONEY_SCALE, fits_currency
from contracts.open_items import DOCUMENT_TYPES
from contracts.validate import validate

KEY = ["company", "document_id", "fiscal_year", "line"]
NOT_NULL = [
    "source_system",
    "company",
    "customer_id",
    "document_id",
    "fiscal_year",
    "line",
    "document_type",
    "document_date",
    "posting_date",
    "due_date",
    "currency",
    "amount",
    "disputed_amount",
]


def hand_written(frame: pl.DataFrame) -> int:
    """Every check of the OpenItems contract as plain polars; returns the failures found."""
    expected = {
        "source_system": pl.String,
        "company": pl.String,
        "customer_id": pl.String,
        "document_id": pl.String,
        "fiscal_year": pl.Int64,
        "line": pl.Int64,
        "document_type": pl.String,
        "reference": pl.String,
        "document_date": pl.Date,
        "posting_date": pl.Date,
        "due_date": pl.Date,
        "currency": pl.String,
        "discount_date": pl.Date,
    }
    failures = sum(frame.schema.get(c) != d for c, d in expected.items())
    for money in ("amount", "disputed_amount", "discount_amount"):
        dtype = frame.schema.get(money)
        failures += not (isinstance(dtype, pl.Decimal) and dtype.scale == MONEY_SCALE)
    failures += len(
        set(frame.columns) - set(expected) - {"amount", "disputed_amount", "discount_amount"}
    )
    c = pl.col
    checks = [
        *(c(name).is_not_null() for name in NOT_NULL),
        c("source_system").str.len_chars() >= 1,
        c("company").str.len_chars() >= 1,
        c("customer_id").str.contains(r"^\S+$"),
        c("document_id").str.contains(r"^\S+$"),
        rules.no_alpha_zeros("customer_id"),
        rules.no_alpha_zeros("document_id"),
        c("fiscal_year").is_between(0, 9999),
        c("line") >= 0,
        c("document_type").is_in(DOCUMENT_TYPES),
        c("currency").is_in(rules.CURRENCIES),
        c("disputed_amount") >= 0,
        c("discount_amount").is_null() | (c("discount_amount") >= 0),
        rules.fits_currency("amount"),
        rules.fits_currency("disputed_amount"),
        rules.fits_currency("discount_amount"),
        c("disputed_amount") <= c("amount").abs(),
        c("discount_date").is_null() == c("discount_amount").is_null(),
        ~pl.struct(KEY).is_duplicated(),
    ]
    # One parallel pass counts the failures of every check; rows are only looked up for
    # the checks that failed (none, on valid data): the fastest honest way by hand.
    counts = (
        frame.lazy()
        .select((~e.fill_null(False)).sum().alias(f"c{i}") for i, e in enumerate(checks))
        .collect()
    )
    for i, failed in enumerate(counts.row(0)):
        if failed:
            rows = frame.with_row_index("_row").filter(~checks[i].fill_null(False))["_row"]
            failures += rows.len()
    return failures


def _pandas_schema() -> ppa.DataFrameSchema:
    def decimal_fits(frame: pd.DataFrame, column: str) -> pd.Series:
        return pd.Series(
            [
                a is None or pd.isna(a) or fits_currency(a, cur)
                for a, cur in zip(frame[column], frame["currency"], strict=True)
            ],
            index=frame.index,
        )

    col, chk = ppa.Column, ppa.Check
    return ppa.DataFrameSchema(
        {
            "source_system": col(str, chk.str_length(min_value=1)),
            "company": col(str, chk.str_length(min_value=1)),
            "customer_id": col(
                str, [chk.str_matches(r"^\S+$"), chk(lambda s: ~s.str.match(r"^0[0-9]*$"))]
            ),
            "document_id": col(
                str, [chk.str_matches(r"^\S+$"), chk(lambda s: ~s.str.match(r"^0[0-9]*$"))]
            ),
            "fiscal_year": col(int, chk.in_range(0, 9999)),
            "line": col(int, chk.ge(0)),
            "document_type": col(str, chk.isin(DOCUMENT_TYPES)),
            "reference": col(str, nullable=True),
            "document_date": col("datetime64[ns]"),
            "posting_date": col("datetime64[ns]"),
            "due_date": col("datetime64[ns]"),
            "currency": col(str, chk.isin(list(MINOR_UNITS))),
            "amount": col(object, chk(lambda s: s.map(lambda v: isinstance(v, Decimal)))),
            "disputed_amount": col(
                object, chk(lambda s: s.map(lambda v: isinstance(v, Decimal) and v >= 0))
            ),
            "discount_date": col("datetime64[ns]", nullable=True),
            "discount_amount": col(
                object,
                chk(lambda s: s.map(lambda v: v is None or (isinstance(v, Decimal) and v >= 0))),
                nullable=True,
            ),
        },
        checks=[
            chk(lambda f: decimal_fits(f, "amount")),
            chk(lambda f: decimal_fits(f, "disputed_amount")),
            chk(lambda f: decimal_fits(f, "discount_amount")),
            chk(
                lambda f: pd.Series(
                    [d <= abs(a) for d, a in zip(f["disputed_amount"], f["amount"], strict=True)],
                    index=f.index,
                )
            ),
            chk(lambda f: f["discount_date"].isna() == f["discount_amount"].isna()),
        ],
        unique=KEY,
        strict=True,
    )


def to_pandas_decimal(frame: pl.DataFrame) -> pd.DataFrame:
    data: dict[str, Any] = {}
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Decimal):
            data[name] = pd.Series(frame[name].to_list(), dtype=object)  # decimal.Decimal values
        elif dtype == pl.Date:
            data[name] = pd.to_datetime(pd.Series(frame[name].to_list()))
        else:
            data[name] = frame[name].to_pandas()
    return pd.DataFrame(data)


def best_of(repeat: int, fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    frame = open_items(args.rows)
    validate(frame.head(100), "open_items")  # warm-up: imports, regex compilation
    assert hand_written(frame) == 0, "benchmark data must be valid"
    contracts_s = best_of(args.repeat, lambda: validate(frame, "open_items"))
    hand_s = best_of(args.repeat, lambda: hand_written(frame))
    pdf = to_pandas_decimal(frame)
    schema = _pandas_schema()
    pandas_s = best_of(1, lambda: schema.validate(pdf, lazy=True))
    results = {
        "rows": float(args.rows),
        "contracts_s": contracts_s,
        "hand_written_s": hand_s,
        "pandera_pandas_decimal_s": pandas_s,
        "contracts_over_hand": contracts_s / hand_s,
        "pandas_over_contracts": pandas_s / contracts_s,
    }
    print(f"rows: {args.rows:,}")
    print(f"contracts (pandera on polars): {contracts_s:8.3f} s")
    print(f"same checks by hand (polars):  {hand_s:8.3f} s")
    print(f"pandera on pandas, Decimal:    {pandas_s:8.3f} s")
    print(f"contracts / hand-written = {results['contracts_over_hand']:.2f}x (target <= 1.5x)")
    print(f"pandas / contracts       = {results['pandas_over_contracts']:.1f}x (target >= 10x)")
    return results


if __name__ == "__main__":
    main()
