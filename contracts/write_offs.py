"""WriteOffs: open items (or parts of them) the business decided not to collect."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from contracts import rules
from contracts.dtypes import Money


class WriteOffs(pa.DataFrameModel):
    """`writeoff_id` is the idempotency key; an amount below the open amount is partial."""

    writeoff_id: str = pa.Field(str_matches=rules.KEY_PATTERN, unique=True)
    company: str = pa.Field(str_length={"min_value": 1})
    customer_id: str = pa.Field(str_matches=r"^\S+$")
    document_id: str = pa.Field(str_matches=r"^\S+$")
    fiscal_year: int = pa.Field(ge=0, le=9999)
    line: int = pa.Field(ge=0)
    currency: str = pa.Field(isin=rules.CURRENCIES)
    amount: Money = pa.Field(gt=0)
    reason_code: str = pa.Field(str_length={"min_value": 1})
    posting_date: pl.Date
    memo: str = pa.Field(nullable=True)

    class Config:
        strict = True

    @pa.check("customer_id", "document_id", name="no_alpha_zeros")
    @classmethod
    def ids_no_alpha_zeros(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rules.no_alpha_zeros(data.key))

    @pa.dataframe_check
    @classmethod
    def amount_fits_currency(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rules.fits_currency("amount"))


RULE_COLUMNS = {"amount_fits_currency": "amount"}

#: Columns a file may leave out, read as this text (None: all null). Nullable is a
#: separate idea: an item key column may be empty in a row but must be in the file.
OPTIONAL: dict[str, str | None] = {"memo": None}
