"""Refunds: credit balances paid back to the customer, one row per (refund, credit item)."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from contracts import rules
from contracts.dtypes import Money

ITEM_KEY = ("document_id", "fiscal_year", "line")
#: Columns every row of one refund must agree on: they describe the refund, not the item.
REFUND_COLUMNS = (
    "company",
    "customer_id",
    "currency",
    "refund_amount",
    "payment_method",
    "approval_reference",
    "refund_date",
    "memo",
)


class Refunds(pa.DataFrameModel):
    """`refund_id` is the refund's idempotency key; its rows name the credit items it pays
    back (SAP: a credit memo or payment on account line; Oracle: a credit memo, or a receipt
    with on-account or unapplied cash) and how much of each. The refund was approved
    outside the ERP: `approval_reference` says where, and travels into the ERP document."""

    refund_id: str = pa.Field(str_matches=rules.KEY_PATTERN)
    company: str = pa.Field(str_length={"min_value": 1})
    customer_id: str = pa.Field(str_matches=r"^\S+$")
    currency: str = pa.Field(isin=rules.CURRENCIES)
    refund_amount: Money = pa.Field(gt=0)
    document_id: str = pa.Field(str_matches=r"^\S+$")
    fiscal_year: int = pa.Field(ge=0, le=9999)
    line: int = pa.Field(ge=0)
    item_amount: Money = pa.Field(gt=0)
    payment_method: str = pa.Field(str_length={"min_value": 1})
    approval_reference: str = pa.Field(str_length={"min_value": 1})
    refund_date: pl.Date
    memo: str = pa.Field(nullable=True)

    class Config:
        strict = True
        unique = ["refund_id", "document_id", "fiscal_year", "line"]

    @pa.check("customer_id", "document_id", name="no_alpha_zeros")
    @classmethod
    def ids_no_alpha_zeros(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rules.no_alpha_zeros(data.key))

    @pa.dataframe_check
    @classmethod
    def refund_amount_fits_currency(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rules.fits_currency("refund_amount"))

    @pa.dataframe_check
    @classmethod
    def item_amount_fits_currency(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rules.fits_currency("item_amount"))

    @pa.dataframe_check
    @classmethod
    def refund_rows_agree(cls, data: PolarsData) -> pl.LazyFrame:
        """All rows of one refund agree on company, customer, currency, refund_amount,
        payment_method, approval_reference, refund_date and memo."""
        agree = [pl.col(c).n_unique().over("refund_id") == 1 for c in REFUND_COLUMNS]
        return data.lazyframe.select(pl.all_horizontal(agree))

    @pa.dataframe_check
    @classmethod
    def item_sum_equals_refund(cls, data: PolarsData) -> pl.LazyFrame:
        """A refund's item amounts add up to refund_amount."""
        total = pl.col("item_amount").sum().over("refund_id")
        return data.lazyframe.select(total == pl.col("refund_amount"))


RULE_COLUMNS = {
    "refund_amount_fits_currency": "refund_amount",
    "item_amount_fits_currency": "item_amount",
    "refund_rows_agree": "refund_id",
    "item_sum_equals_refund": "item_amount",
}

#: Columns a file may leave out, read as this text (None: all null).
OPTIONAL: dict[str, str | None] = {"memo": None}
