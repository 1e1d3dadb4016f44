"""What is in dispute: open deductions and disputed items, per item and per customer.

Three sources, one table:
- disputed items: `disputed_amount > 0` on any open item (SAP dispute case, Oracle
  AMOUNT_IN_DISPUTE);
- deductions already in the ledger: the items `jobs.analytics.aging.DeductionRule` recognises
  (an SAP residual item on the payment document, an Oracle chargeback), the same rule as the
  aging report, so both pages agree on what a deduction is;
- deductions the matcher just made: with `applications` (a CashApplications file), an invoice
  row with a reason code that leaves part of the invoice open; the open part is the deduction,
  the reason the one the remittance gave.

The OpenItems contract carries no reason code, so a deduction found in the ledger gets its
reason from its reference text through the same keyword table the matcher uses (an SAP
residual's text, a chargeback's comment), else `UNKNOWN`; a disputed item is `DISPUTED`.
Age is days since the document date (how long the money has been held back); days past due
are shown too. As of a date, only the items posted on or before it count, as in the aging
report (`jobs.analytics.aging.open_at`: SAP's open items at key date, Oracle's aging As Of
Date); the result says how many were left out. An item posted by then but dated later (a
document date after its posting date) is 0 days old, never negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl

from contracts.money import MONEY_DTYPE
from jobs.analytics.aging import DeductionRule, open_at
from jobs.matching.reasons import DEFAULT_REASONS, ReasonTable

ITEM_KEY = ["company", "document_id", "fiscal_year", "line"]
#: Columns of the per-item table, in order.
ITEM_COLUMNS = [
    "company",
    "customer_id",
    "name",
    "currency",
    "kind",
    "reason",
    "document_id",
    "fiscal_year",
    "line",
    "document_type",
    "reference",
    "document_date",
    "due_date",
    "age_days",
    "days_past_due",
    "amount",
    "open_amount",
]
DISPUTED = "DISPUTED"


@dataclass(frozen=True)
class Disputes:
    items: pl.DataFrame  # ITEM_COLUMNS, one row per item and kind
    by_customer: pl.DataFrame  # per company / customer / currency
    left_out: int = 0  # items of the ledger posted after the as-of date (`open_at`)
    warnings: tuple[str, ...] = ()


def _matched_deductions(items: pl.DataFrame, applications: pl.DataFrame) -> pl.DataFrame:
    """Items a payment left partly open with a reason code: (key, reason, open_amount)."""
    applied = (
        applications.filter(
            pl.col("document_id").is_not_null()
            & pl.col("reason_code").is_not_null()
            & (pl.col("applied_amount") > 0)
        )
        .group_by(ITEM_KEY)
        .agg(
            (pl.col("applied_amount") + pl.col("discount_amount")).sum().alias("paid"),
            pl.col("reason_code").sort().first().alias("reason"),
        )
    )
    return (
        items.join(applied.with_columns(pl.col("fiscal_year").cast(pl.Int64)), on=ITEM_KEY)
        .with_columns((pl.col("amount") - pl.col("paid")).cast(MONEY_DTYPE).alias("open_amount"))
        .filter(pl.col("open_amount") > 0)
        .with_columns(pl.lit("deduction").alias("kind"))
        .drop("paid")
    )


def build(
    items: pl.DataFrame,
    as_of: date,
    applications: pl.DataFrame | None = None,
    customers: pl.DataFrame | None = None,
    rule: DeductionRule | None = None,
    reasons: ReasonTable | None = None,
) -> Disputes:
    """The dispute tables of an OpenItems frame (and the payments just matched against it),
    of the items open at `as_of` (posted on or before it)."""
    rule = rule or DeductionRule()
    reasons = reasons or ReasonTable(DEFAULT_REASONS)
    cut = open_at(items, as_of)
    items = cut.items.with_columns(
        pl.col("fiscal_year").cast(pl.Int64), pl.col("line").cast(pl.Int64)
    )
    disputed = items.filter(pl.col("disputed_amount") > 0).with_columns(
        pl.lit("disputed").alias("kind"),
        pl.lit(DISPUTED).alias("reason"),
        pl.col("disputed_amount").alias("open_amount"),
    )
    in_ledger = items.filter(rule.expr()).with_columns(
        pl.lit("deduction").alias("kind"),
        pl.col("reference")
        .map_elements(reasons.reason, return_dtype=pl.String, skip_nulls=False)
        .alias("reason"),
        pl.col("amount").alias("open_amount"),
    )
    parts = [disputed, in_ledger]
    if applications is not None:
        matched = _matched_deductions(items, applications)
        parts.append(matched.select(in_ledger.columns))
    found = pl.concat([p.select(in_ledger.columns) for p in parts])
    found = found.unique([*ITEM_KEY, "kind"], keep="last", maintain_order=True)

    def days(column: str) -> pl.Expr:
        return (pl.lit(as_of, pl.Date) - pl.col(column)).dt.total_days()

    found = found.with_columns(
        days("document_date").clip(lower_bound=0).alias("age_days"),
        days("due_date").alias("days_past_due"),
        pl.col("open_amount").cast(MONEY_DTYPE),
    )
    names = (
        customers.sort("source_system", "customer_id")
        .unique("customer_id", keep="first", maintain_order=True)
        .select("customer_id", "name")
        if customers is not None
        else pl.DataFrame(schema={"customer_id": pl.String, "name": pl.String})
    )
    table = (
        found.join(names, on="customer_id", how="left")
        .select(ITEM_COLUMNS)
        .sort(
            ["currency", "company", "customer_id", "age_days", "document_id"],
            descending=[False, False, False, True, False],
        )
    )
    warning = cut.warning()
    return Disputes(table, _per_customer(table), cut.left_out, (warning,) if warning else ())


def _sum_kind(kind: str) -> pl.Expr:
    zero = pl.lit(Decimal(0)).cast(MONEY_DTYPE)
    amount = pl.when(pl.col("kind") == kind).then(pl.col("open_amount")).otherwise(zero)
    return amount.sum().cast(MONEY_DTYPE)


def _per_customer(table: pl.DataFrame) -> pl.DataFrame:
    """Per company / customer / currency: counts, amounts per kind, oldest age, reasons."""
    return (
        table.group_by("company", "customer_id", "currency")
        .agg(
            pl.col("name").first(),
            pl.len().cast(pl.Int64).alias("items"),
            _sum_kind("deduction").alias("deductions"),
            _sum_kind("disputed").alias("disputed"),
            pl.col("open_amount").sum().cast(MONEY_DTYPE).alias("total"),
            pl.col("age_days").max().alias("oldest_days"),
            pl.col("reason").unique().sort().str.join(", ").alias("reasons"),
        )
        .select(
            "currency",
            "company",
            "customer_id",
            "name",
            "items",
            "deductions",
            "disputed",
            "total",
            "oldest_days",
            "reasons",
        )
        .sort(
            ["currency", "total", "company", "customer_id"], descending=[False, True, False, False]
        )
    )
