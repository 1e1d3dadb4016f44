"""Synthetic canonical frames for benchmarks: valid, deterministic, built in polars."""

from __future__ import annotations

from datetime import date

import polars as pl

from contracts.io import schema_of

CURRENCIES = ["EUR", "USD", "JPY", "KWD"]
SCALE = {"EUR": 100, "USD": 100, "JPY": 1, "KWD": 1000}


def open_items(rows: int, seed: int = 7) -> pl.DataFrame:
    """`rows` valid OpenItems: four currencies, each amount within its minor units."""
    i = pl.int_range(rows, eager=True).alias("i")
    frame = pl.DataFrame(i).lazy()
    cur_index = (pl.col("i") * 7 + seed) % 4
    currency = pl.lit(pl.Series(CURRENCIES)).gather(cur_index)
    units = ((pl.col("i") * 7919 + seed) % 10_000_000 + 100).cast(pl.Int64)
    divisor = pl.lit(pl.Series([100, 100, 1, 1000])).gather(cur_index)
    # exact: integer minor units / 10^digits, computed in Decimal
    amount = (units.cast(pl.Decimal(38, 4)) / divisor.cast(pl.Decimal(38, 4))).cast(
        pl.Decimal(38, 4)
    )
    sign = pl.when(pl.col("i") % 11 == 0).then(-1).otherwise(1)
    day = pl.lit(date(2026, 1, 1)) + pl.duration(days=pl.col("i") % 300)
    out = frame.select(
        pl.lit("bench").alias("source_system"),
        pl.format("{}000", (pl.col("i") % 4 + 1)).alias("company"),
        pl.format("C{}", pl.col("i") % 50_000).alias("customer_id"),
        pl.format("18{}", pl.col("i") + 10_000_000).alias("document_id"),
        pl.lit(2026).cast(pl.Int64).alias("fiscal_year"),
        pl.lit(1).cast(pl.Int64).alias("line"),
        pl.when(sign < 0)
        .then(pl.lit("credit_memo"))
        .otherwise(pl.lit("invoice"))
        .alias("document_type"),
        pl.format("REF{}", pl.col("i")).alias("reference"),
        day.alias("document_date"),
        day.alias("posting_date"),
        (day + pl.duration(days=30)).alias("due_date"),
        currency.alias("currency"),
        (amount * sign.cast(pl.Decimal(38, 0))).cast(pl.Decimal(38, 4)).alias("amount"),
        pl.when(pl.col("i") % 13 == 0)
        .then(amount)
        .otherwise(pl.lit(0).cast(pl.Decimal(38, 4)))
        .cast(pl.Decimal(38, 4))
        .alias("disputed_amount"),
        pl.when(pl.col("i") % 5 == 0).then(day + pl.duration(days=14)).alias("discount_date"),
        pl.when(pl.col("i") % 5 == 0)
        .then(pl.lit(0).cast(pl.Decimal(38, 4)))
        .cast(pl.Decimal(38, 4))
        .alias("discount_amount"),
    )
    return out.collect().cast(schema_of("open_items"))  # type: ignore[arg-type]
