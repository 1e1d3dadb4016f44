"""OpenItems: what a customer owes, item by item, as pulled from an ERP."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from contracts import rules
from contracts.dtypes import Money

DOCUMENT_TYPES = ("invoice", "credit_memo", "debit_memo", "payment", "chargeback", "other")


class OpenItems(pa.DataFrameModel):
    """(company, document_id, fiscal_year, line) is the item's key in every ERP.

    `amount` is signed: positive when the customer owes (an invoice), negative for what
    the customer is owed (a credit memo, an unapplied payment).
    """

    source_system: str = pa.Field(str_length={"min_value": 1})
    company: str = pa.Field(str_length={"min_value": 1})
    customer_id: str = pa.Field(str_matches=r"^\S+$")
    document_id: str = pa.Field(str_matches=r"^\S+$")
    fiscal_year: int = pa.Field(ge=0, le=9999)
    line: int = pa.Field(ge=0)
    document_type: str = pa.Field(isin=DOCUMENT_TYPES)
    reference: str = pa.Field(nullable=True)
    document_date: pl.Date
    posting_date: pl.Date
    due_date: pl.Date
    currency: str = pa.Field(isin=rules.CURRENCIES)
    amount: Money
    disputed_amount: Money = pa.Field(ge=0)
    discount_date: pl.Date = pa.Field(nullable=True)
    discount_amount: Money = pa.Field(nullable=True, ge=0)

    class Config:
        strict = True
        unique = ["company", "document_id", "fiscal_year", "line"]

    @pa.check("customer_id", "document_id", name="no_alpha_zeros")
    @classmethod
    def ids_no_alpha_zeros(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rules.no_alpha_zeros(data.key))

    @pa.dataframe_check
    @classmethod
    def amount_fits_currency(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rules.fits_currency("amount"))

    @pa.dataframe_check
    @classmethod
    def disputed_amount_fits_currency(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rules.fits_currency("disputed_amount"))

    @pa.dataframe_check
    @classmethod
    def discount_amount_fits_currency(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rules.fits_currency("discount_amount"))

    @pa.dataframe_check
    @classmethod
    def disputed_within_amount(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("disputed_amount") <= pl.col("amount").abs())

    @pa.dataframe_check
    @classmethod
    def discount_terms_complete(cls, data: PolarsData) -> pl.LazyFrame:
        """A discount amount needs the date it expires, and the other way round."""
        return data.lazyframe.select(
            pl.col("discount_date").is_null() == pl.col("discount_amount").is_null()
        )


RULE_COLUMNS = {
    "amount_fits_currency": "amount",
    "disputed_amount_fits_currency": "disputed_amount",
    "discount_amount_fits_currency": "discount_amount",
    "disputed_within_amount": "disputed_amount",
    "discount_terms_complete": "discount_date",
}

#: Columns a file may leave out, read as this text (None: all null). Nullable is a
#: separate idea: an item key column may be empty in a row but must be in the file.
OPTIONAL: dict[str, str | None] = {
    "reference": None,
    "discount_date": None,
    "discount_amount": None,
}
