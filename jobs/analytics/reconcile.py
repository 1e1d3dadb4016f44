"""Two OpenItems extracts compared: SAP vs Oracle, or an ERP extract vs one rebuilt from the
journal, by customer and currency (or item by item), with exact amounts.

Keys: `--by customer` compares the balance of (company, customer_id, currency);
`--by document` compares each item (company, customer_id, currency, document_id,
fiscal_year, line). Amounts are compared exactly, never with a tolerance, and never
across currencies: the same customer in two currencies is two balances.

Each difference is one row with `status`:
- `only_left`: the key is in the left extract only;
- `only_right`: in the right extract only;
- `amount_differs`: in both, with different amounts.
`difference = left_amount - right_amount`, a missing side counting as 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import polars as pl

from adapters.errors import ConfigError
from contracts.money import MONEY_DTYPE

By = Literal["customer", "document"]
CUSTOMER_KEYS = ("company", "customer_id", "currency")
DOCUMENT_KEYS = (*CUSTOMER_KEYS, "document_id", "fiscal_year", "line")
STATUSES = ("only_left", "only_right", "amount_differs")


def keys_for(by: str) -> tuple[str, ...]:
    if by == "customer":
        return CUSTOMER_KEYS
    if by == "document":
        return DOCUMENT_KEYS
    raise ConfigError(f"--by {by!r}: use customer or document")


@dataclass(frozen=True)
class Reconciliation:
    by: By
    differences: pl.DataFrame  # one row per key that differs
    per_currency: pl.DataFrame  # currency, left_total, right_total, difference

    @property
    def agree(self) -> bool:
        return self.differences.is_empty()

    def counts(self) -> dict[str, int]:
        found = dict(self.differences.group_by("status").len().iter_rows())
        return {s: int(found.get(s, 0)) for s in STATUSES}


def _totals(items: pl.DataFrame, keys: tuple[str, ...], side: str) -> pl.DataFrame:
    return items.group_by(list(keys)).agg(
        pl.col("amount").sum().cast(MONEY_DTYPE).alias(f"{side}_amount"),
        pl.len().cast(pl.Int64).alias(f"{side}_items"),
    )


def reconcile(left: pl.DataFrame, right: pl.DataFrame, by: str = "customer") -> Reconciliation:
    keys = keys_for(by)
    zero = pl.lit(Decimal(0)).cast(MONEY_DTYPE)
    joined = _totals(left, keys, "left").join(
        _totals(right, keys, "right"), on=list(keys), how="full", coalesce=True
    )
    status = (
        pl.when(pl.col("right_amount").is_null())
        .then(pl.lit("only_left"))
        .when(pl.col("left_amount").is_null())
        .then(pl.lit("only_right"))
        .when(pl.col("left_amount") != pl.col("right_amount"))
        .then(pl.lit("amount_differs"))
    )
    differences = (
        joined.with_columns(
            status.alias("status"),
            (pl.col("left_amount").fill_null(zero) - pl.col("right_amount").fill_null(zero))
            .cast(MONEY_DTYPE)
            .alias("difference"),
            pl.col("left_items").fill_null(0),
            pl.col("right_items").fill_null(0),
        )
        .filter(pl.col("status").is_not_null())
        .select(
            "status",
            *keys,
            "left_amount",
            "right_amount",
            "difference",
            "left_items",
            "right_items",
        )
        .sort(["currency", *keys[:2], *keys[3:], "status"])
    )
    per_currency = (
        _totals(left, ("currency",), "left")
        .join(_totals(right, ("currency",), "right"), on="currency", how="full", coalesce=True)
        .select(
            "currency",
            pl.col("left_amount").fill_null(zero).alias("left_total"),
            pl.col("right_amount").fill_null(zero).alias("right_total"),
        )
        .with_columns(
            (pl.col("left_total") - pl.col("right_total")).cast(MONEY_DTYPE).alias("difference")
        )
        .sort("currency")
    )
    mode: By = "customer" if by == "customer" else "document"
    return Reconciliation(mode, differences, per_currency)
