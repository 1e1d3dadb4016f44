"""Credit balances: customers whose open items net to a credit, candidates for a refund.

Per company / customer / currency (never across currencies), `net_balance` is the sum of
the open items; when it is negative the customer is owed `refund_amount = -net_balance`.
One output row per credit item (amount < 0: credit memo, unapplied payment, overpayment)
of such a customer, so the file shows which items make up the credit; the customer's
columns repeat on each of their rows.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from adapters.errors import ConfigError
from contracts.money import MONEY_DTYPE

KEYS = ("company", "customer_id", "currency")
ITEM_COLUMNS = (
    "document_id",
    "fiscal_year",
    "line",
    "document_type",
    "reference",
    "document_date",
    "due_date",
    "amount",
    "disputed_amount",
)


def _money(value: Decimal) -> pl.Expr:
    return pl.lit(value).cast(MONEY_DTYPE)


def credit_balances(items: pl.DataFrame, min_amount: Decimal = Decimal(0)) -> pl.DataFrame:
    """The credit items of every customer owed at least `min_amount` (in its currency).

    Columns: company, customer_id, currency, refund_amount, net_balance, debits, credits,
    credit_items, then the item's own columns. Sorted by currency, largest refund first.
    """
    if min_amount < 0:
        raise ConfigError(f"--min-amount {min_amount}: use zero or a positive amount")
    amount = pl.col("amount")
    zero = _money(Decimal(0))
    balances = (
        items.group_by(list(KEYS))
        .agg(
            amount.sum().cast(MONEY_DTYPE).alias("net_balance"),
            pl.when(amount > 0)
            .then(amount)
            .otherwise(zero)
            .sum()
            .cast(MONEY_DTYPE)
            .alias("debits"),
            pl.when(amount < 0)
            .then(amount)
            .otherwise(zero)
            .sum()
            .cast(MONEY_DTYPE)
            .alias("credits"),
            (amount < 0).sum().cast(pl.Int64).alias("credit_items"),
        )
        .filter((pl.col("net_balance") < 0) & (-pl.col("net_balance") >= _money(min_amount)))
        .with_columns((-pl.col("net_balance")).cast(MONEY_DTYPE).alias("refund_amount"))
    )
    rows = items.filter(amount < 0).join(balances, on=list(KEYS), how="inner")
    return rows.select(
        *KEYS, "refund_amount", "net_balance", "debits", "credits", "credit_items", *ITEM_COLUMNS
    ).sort(
        ["currency", "refund_amount", "company", "customer_id", "document_date", "document_id"],
        descending=[False, True, False, False, False, False],
    )


def customers_of(balances: pl.DataFrame) -> pl.DataFrame:
    """One row per refund candidate (the customer columns of `credit_balances`)."""
    return balances.unique(list(KEYS), maintain_order=True).select(
        *KEYS, "refund_amount", "net_balance", "debits", "credits", "credit_items"
    )
