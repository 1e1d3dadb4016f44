"""CashApplications: one row per (payment, open item it pays), plus money left on account."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from contracts import rules
from contracts.dtypes import Money

ITEM_KEY = ("document_id", "fiscal_year", "line")
#: Columns every row of one payment must agree on.
PAYMENT_COLUMNS = ("company", "customer_id", "payment_date", "currency", "payment_amount")


class CashApplications(pa.DataFrameModel):
    """`application_id` is the payment's idempotency key: a rerun never posts it twice.

    The row with a null item key is the money left on account. The applied amounts of a
    payment, on-account row included, add up to the payment exactly. A negative applied amount
    nets a credit memo against the invoices of the same payment ("invoice X less credit note
    Y"): it is allowed only on an item row, with no discount and no reason code, and only
    when the payment has invoice rows it nets against. That the item is a credit memo is the
    ERP's to confirm (its open amount is negative); the adapters check it before posting.
    """

    application_id: str = pa.Field(str_matches=rules.KEY_PATTERN)
    company: str = pa.Field(str_length={"min_value": 1})
    customer_id: str = pa.Field(str_matches=r"^\S+$")
    payment_date: pl.Date
    currency: str = pa.Field(isin=rules.CURRENCIES)
    payment_amount: Money = pa.Field(gt=0)
    document_id: str = pa.Field(nullable=True)
    fiscal_year: int = pa.Field(nullable=True, ge=0, le=9999)
    line: int = pa.Field(nullable=True, ge=0)
    applied_amount: Money = pa.Field(ne=0)
    discount_amount: Money = pa.Field(ge=0)
    reason_code: str = pa.Field(nullable=True)
    match_rule: str = pa.Field(nullable=True)
    match_score: pl.Float64 = pa.Field(nullable=True, ge=0, le=1)  # a score, not money

    class Config:
        strict = True
        unique = ["application_id", "document_id", "fiscal_year", "line"]

    @pa.check("customer_id", "document_id", name="no_alpha_zeros")
    @classmethod
    def ids_no_alpha_zeros(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rules.no_alpha_zeros(data.key).fill_null(True))

    @pa.dataframe_check
    @classmethod
    def payment_amount_fits_currency(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rules.fits_currency("payment_amount"))

    @pa.dataframe_check
    @classmethod
    def applied_amount_fits_currency(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rules.fits_currency("applied_amount"))

    @pa.dataframe_check
    @classmethod
    def discount_amount_fits_currency(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rules.fits_currency("discount_amount"))

    @pa.dataframe_check
    @classmethod
    def item_key_complete(cls, data: PolarsData) -> pl.LazyFrame:
        """An item key is all there (an invoice) or all null (on account), never half."""
        nulls = pl.sum_horizontal(pl.col(c).is_null().cast(pl.Int8) for c in ITEM_KEY)
        return data.lazyframe.select((nulls == 0) | (nulls == len(ITEM_KEY)))

    @pa.dataframe_check
    @classmethod
    def on_account_has_no_discount(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("document_id").is_not_null() | (pl.col("discount_amount") == 0)
        )

    @pa.dataframe_check
    @classmethod
    def credit_memo_rows(cls, data: PolarsData) -> pl.LazyFrame:
        """A negative row is a credit memo netted in: an item, no discount, no reason, and
        the payment has a positive item row it nets against."""
        credit = pl.col("applied_amount") < 0
        has_invoice = (
            ((pl.col("applied_amount") > 0) & pl.col("document_id").is_not_null())
            .any()
            .over("application_id")
        )
        netted = (
            pl.col("document_id").is_not_null()
            & (pl.col("discount_amount") == 0)
            & pl.col("reason_code").is_null()
            & has_invoice
        )
        return data.lazyframe.select(~credit | netted)

    @pa.dataframe_check
    @classmethod
    def payment_rows_agree(cls, data: PolarsData) -> pl.LazyFrame:
        """All rows of one payment agree on company, customer, date, currency and amount."""
        agree = [pl.col(c).n_unique().over("application_id") == 1 for c in PAYMENT_COLUMNS]
        return data.lazyframe.select(pl.all_horizontal(agree))

    @pa.dataframe_check
    @classmethod
    def applied_sum_equals_payment(cls, data: PolarsData) -> pl.LazyFrame:
        total = pl.col("applied_amount").sum().over("application_id")
        return data.lazyframe.select(total == pl.col("payment_amount"))


RULE_COLUMNS = {
    "payment_amount_fits_currency": "payment_amount",
    "applied_amount_fits_currency": "applied_amount",
    "discount_amount_fits_currency": "discount_amount",
    "item_key_complete": "document_id",
    "on_account_has_no_discount": "discount_amount",
    "credit_memo_rows": "applied_amount",
    "payment_rows_agree": "application_id",
    "applied_sum_equals_payment": "applied_amount",
}

#: Columns a file may leave out, read as this text (None: all null). Nullable is a
#: separate idea: an item key column may be empty in a row but must be in the file.
OPTIONAL: dict[str, str | None] = {
    "discount_amount": "0",
    "reason_code": None,
    "match_rule": None,
    "match_score": None,
}
