"""Aging of open items as of a date, per company / customer / currency, exact to the cent.

Days past due = `as_of - due_date` in calendar days. With bounds `0,30,60,90,120`:

| column          | holds the debit items (amount >= 0) with days past due |
| --------------- | ------------------------------------------------------ |
| `current`       | <= 0: not yet due (due today is current)                |
| `days_1_30`     | 1 to 30                                                 |
| `days_31_60`    | 31 to 60                                                |
| `days_61_90`    | 61 to 90                                                |
| `days_91_120`   | 91 to 120                                               |
| `days_over_120` | more than 120                                           |

Credits (amount < 0: credit memos, unapplied payments) go to `credits` whatever their due
date. These columns partition the ledger: `current + days_* + credits == total` on every
row, exactly. `disputed`, `deductions` and `overdue_collectible` are "of which" columns
beside the partition (docs/analytics.md).

As of a date: only the items posted on or before it count (`open_at`), the way SAP selects
"open items at key date" and Oracle Receivables' aging its "As Of Date" (by posting / GL
date); an item posted later was not on the ledger then. `otc aging` and `otc disputes list`
both use it and say how many items they left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise

import polars as pl

from adapters.errors import ConfigError
from contracts.money import MONEY_DTYPE

KEYS = ("company", "customer_id", "currency")
DEFAULT_BOUNDS = (0, 30, 60, 90, 120)
ZERO = pl.lit(Decimal(0)).cast(MONEY_DTYPE)


@dataclass(frozen=True)
class Buckets:
    """Upper bounds of days past due, the first 0 (current = not yet due)."""

    bounds: tuple[int, ...] = DEFAULT_BOUNDS

    def __post_init__(self) -> None:
        b = self.bounds
        if not b or b[0] != 0:
            raise ConfigError(
                f"buckets {list(b)}: the first bound must be 0 (current = not yet due), "
                "e.g. --buckets 0,30,60,90,120"
            )
        if any(hi <= lo for lo, hi in pairwise(b)):
            raise ConfigError(f"buckets {list(b)}: the bounds must increase, e.g. 0,30,60,90")

    @classmethod
    def parse(cls, text: str) -> Buckets:
        """`"0,30,60,90,120"` -> Buckets; a usage error names what is wrong."""
        parts = [p.strip() for p in text.split(",")]
        if not all(re.fullmatch(r"[0-9]+", p) for p in parts):
            raise ConfigError(
                f"buckets {text!r}: use whole numbers of days separated by commas, "
                "e.g. 0,30,60,90,120"
            )
        return cls(tuple(int(p) for p in parts))

    @property
    def past_due(self) -> list[str]:
        """Column names of the past-due buckets, youngest first."""
        b = self.bounds
        spans = [f"days_{lo + 1}_{hi}" for lo, hi in pairwise(b)]
        return [*spans, f"days_over_{b[-1]}"]

    @property
    def columns(self) -> list[str]:
        """The partition of the ledger total: current, past-due buckets, credits."""
        return ["current", *self.past_due, "credits"]

    def label(self, column: str) -> str:
        """How a column is headed in the HTML and the chart: `1-30`, `>120`."""
        if column.startswith("days_over_"):
            return ">" + column.removeprefix("days_over_")
        if column.startswith("days_"):
            return column.removeprefix("days_").replace("_", "-")
        return column

    def bucket_of(self, days: int) -> str:
        """The bucket a debit item `days` past due falls in (the scalar twin of `classify`)."""
        if days <= 0:
            return "current"
        for (lo, hi), name in zip(pairwise(self.bounds), self.past_due, strict=False):
            if lo < days <= hi:
                return name
        return self.past_due[-1]


@dataclass(frozen=True)
class DeductionRule:
    """Which open debit items are deductions (a customer's short payment left open).

    OpenItems carry no reason code, so a deduction is recognised by its document:
    - `payment` with a positive amount: SAP books the residual of a short payment (clearing
      mode R, reason code RSTGR) as a debit line on the payment document (type DZ);
    - `chargeback`: Oracle EBS (and deduction management) turns a short payment into a
      chargeback (class CB);
    - optionally a reference pattern, for ledgers that mark deductions in the reference.
    """

    document_types: tuple[str, ...] = ("payment", "chargeback")
    reference: str | None = None

    def __post_init__(self) -> None:
        if self.reference is not None:
            try:
                re.compile(self.reference)
            except re.error as exc:
                raise ConfigError(
                    f"deduction reference pattern {self.reference!r}: {exc}"
                ) from None

    def expr(self) -> pl.Expr:
        marked = pl.col("document_type").is_in(list(self.document_types))
        if self.reference is not None:
            marked |= pl.col("reference").str.contains(self.reference).fill_null(False)
        return (pl.col("amount") > 0) & marked


@dataclass(frozen=True)
class OpenAt:
    """The items of a file open at a date, and what was left out as posted later."""

    items: pl.DataFrame
    as_of: date
    left_out: int  # items posted after `as_of`
    last_posting: date | None  # the latest posting date among them (None when none)

    def warning(self) -> str | None:
        """One line for the user when items were left out, else None."""
        if not self.left_out:
            return None
        plural = "item" if self.left_out == 1 else "items"
        return (
            f"{self.left_out} {plural} posted after {self.as_of.isoformat()} (up to "
            f"{self.last_posting}) left out: not yet on the ledger at that date (open items "
            "at a key date are those posted on or before it, as in SAP and Oracle's aging)"
        )


def open_at(items: pl.DataFrame, as_of: date) -> OpenAt:
    """The items open at `as_of`: those posted on or before it.

    SAP's open items at key date (FBL5N, S_ALR_87012178) select the items posted up to and
    including the key date; Oracle Receivables' aging reports select open items with a GL
    date on or before the As Of Date (docs/analytics.md "As of a past date"). `posting_date`
    is that date in OpenItems. An extract pulled today does not hold the items cleared since
    `as_of`; those cannot be put back here.
    """
    later = pl.col("posting_date") > pl.lit(as_of, pl.Date)
    left = items.filter(later)
    last = left.select(pl.col("posting_date").max()).item() if left.height else None
    return OpenAt(items.filter(~later), as_of, left.height, last)


def classify(
    items: pl.DataFrame, as_of: date, buckets: Buckets, rule: DeductionRule | None = None
) -> pl.DataFrame:
    """Each item open at `as_of` (`open_at`: posted on or before it) with `days_past_due`,
    its `bucket` (a column of `buckets.columns`), `is_deduction` and `collectible` (the
    overdue part not in dispute nor deducted)."""
    rule = rule or DeductionRule()
    items = open_at(items, as_of).items
    days = (pl.lit(as_of, pl.Date) - pl.col("due_date")).dt.total_days()
    bucket = pl.lit(buckets.past_due[-1])  # built from the oldest bucket inwards
    for hi, name in reversed(list(zip(buckets.bounds[1:], buckets.past_due, strict=False))):
        bucket = pl.when(pl.col("days_past_due") <= hi).then(pl.lit(name)).otherwise(bucket)
    bucket = pl.when(pl.col("days_past_due") <= 0).then(pl.lit("current")).otherwise(bucket)
    bucket = pl.when(pl.col("amount") < 0).then(pl.lit("credits")).otherwise(bucket)
    past_due = pl.col("bucket").is_in(buckets.past_due)
    return (
        items.with_columns(days.alias("days_past_due"), rule.expr().alias("is_deduction"))
        .with_columns(bucket.alias("bucket"))
        .with_columns(
            pl.when(past_due & ~pl.col("is_deduction"))
            .then(pl.col("amount") - pl.col("disputed_amount"))
            .otherwise(ZERO)
            .cast(MONEY_DTYPE)
            .alias("collectible")
        )
    )


def money_columns(buckets: Buckets) -> list[str]:
    """Money columns of an aging table, in the order they are shown."""
    return [
        "total",
        *buckets.columns,
        "overdue",
        "overdue_collectible",
        "disputed",
        "deductions",
    ]


def _sum_where(condition: pl.Expr) -> pl.Expr:
    return pl.when(condition).then(pl.col("amount")).otherwise(ZERO).sum().cast(MONEY_DTYPE)


def aging_table(
    items: pl.DataFrame,
    as_of: date,
    buckets: Buckets,
    rule: DeductionRule | None = None,
    *,
    classified: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per company / customer / currency: the ledger total split into buckets.

    Columns: KEYS, `items`, `total`, `current`, the past-due buckets, `credits`,
    `overdue` (sum of the past-due buckets), `overdue_collectible`, `disputed`,
    `deductions`, `max_days_past_due` (of the past-due debit items; null when none).
    """
    frame = classified if classified is not None else classify(items, as_of, buckets, rule)
    bucket = pl.col("bucket")
    aggs = [
        pl.len().cast(pl.Int64).alias("items"),
        pl.col("amount").sum().cast(MONEY_DTYPE).alias("total"),
        *(_sum_where(bucket == c).alias(c) for c in buckets.columns),
        _sum_where(bucket.is_in(buckets.past_due)).alias("overdue"),
        pl.col("collectible").sum().cast(MONEY_DTYPE).alias("overdue_collectible"),
        pl.col("disputed_amount").sum().cast(MONEY_DTYPE).alias("disputed"),
        _sum_where(pl.col("is_deduction")).alias("deductions"),
        pl.col("days_past_due")
        .filter(bucket.is_in(buckets.past_due))
        .max()
        .cast(pl.Int64)
        .alias("max_days_past_due"),
    ]
    return frame.group_by(list(KEYS)).agg(aggs).sort(list(KEYS))


def summarize(table: pl.DataFrame, buckets: Buckets, by: Sequence[str]) -> pl.DataFrame:
    """Sum an aging table by `by` (which must include `currency`: currencies never mix)."""
    if "currency" not in by:
        raise ValueError("a summary must keep currencies apart: group by currency too")
    return (
        table.group_by(list(by))
        .agg(
            pl.col("customer_id").n_unique().cast(pl.Int64).alias("customers"),
            pl.col("items").sum().cast(pl.Int64),
            *(pl.col(c).sum().cast(MONEY_DTYPE) for c in money_columns(buckets)),
            pl.col("max_days_past_due").max(),
        )
        .sort(list(by))
    )


def untied(table: pl.DataFrame, buckets: Buckets) -> pl.DataFrame:
    """Rows whose buckets do not add up to the total (none, unless there is a bug)."""
    parts = pl.sum_horizontal(buckets.columns).cast(MONEY_DTYPE)
    overdue = pl.sum_horizontal(buckets.past_due).cast(MONEY_DTYPE)
    return table.filter((parts != pl.col("total")) | (overdue != pl.col("overdue")))
