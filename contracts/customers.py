"""Customers: the customer master, one row per customer and source system."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from contracts import rules
from contracts.dtypes import Money


class Customers(pa.DataFrameModel):
    """One customer as any ERP knows it; fields an ERP has no source for are nullable."""

    customer_id: str = pa.Field(str_matches=r"^\S+$")
    source_system: str = pa.Field(str_length={"min_value": 1})
    name: str = pa.Field(str_length={"min_value": 1})
    country: str = pa.Field(isin=rules.COUNTRIES)
    city: str = pa.Field(nullable=True)
    postal_code: str = pa.Field(nullable=True)
    street: str = pa.Field(nullable=True)
    tax_id: str = pa.Field(nullable=True)
    currency: str = pa.Field(isin=rules.CURRENCIES)
    payment_terms: str = pa.Field(nullable=True)
    credit_limit: Money = pa.Field(nullable=True, ge=0)
    posting_block: bool
    email: str = pa.Field(nullable=True, str_matches=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    iban: str = pa.Field(nullable=True, str_matches=r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")

    class Config:
        strict = True
        unique = ["source_system", "customer_id"]

    @pa.check("customer_id", name="no_alpha_zeros")
    @classmethod
    def customer_id_no_alpha_zeros(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rules.no_alpha_zeros(data.key))

    @pa.dataframe_check
    @classmethod
    def tax_id_valid_for_country(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rules.tax_id_valid_expr())

    @pa.dataframe_check
    @classmethod
    def credit_limit_fits_currency(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rules.fits_currency("credit_limit"))


RULE_COLUMNS = {
    "tax_id_valid_for_country": "tax_id",
    "credit_limit_fits_currency": "credit_limit",
}

#: Columns a file may leave out, read as this text (None: all null). Nullable is a
#: separate idea: an item key column may be empty in a row but must be in the file.
OPTIONAL: dict[str, str | None] = {
    "city": None,
    "postal_code": None,
    "street": None,
    "tax_id": None,
    "payment_terms": None,
    "credit_limit": None,
    "email": None,
    "iban": None,
}
