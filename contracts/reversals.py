"""Reversals: posted cash applications (or one item's share of them) taken back in the ERP."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from contracts import rules

ITEM_KEY = ("document_id", "fiscal_year", "line")


class Reversals(pa.DataFrameModel):
    """`reversal_id` is the idempotency key: a rerun never reverses twice.

    A null item key reverses the whole payment `application_id` posted (SAP: reset the
    clearing and reverse the payment document, FBRA + FB08; Oracle: reverse the receipt).
    An item key reverses only that item's application (Oracle UNAPPLY); SAP resets a
    clearing as a whole, so its adapter refuses item scope with a message saying so.
    """

    reversal_id: str = pa.Field(str_matches=rules.KEY_PATTERN, unique=True)
    application_id: str = pa.Field(str_matches=rules.KEY_PATTERN)
    company: str = pa.Field(str_length={"min_value": 1})
    customer_id: str = pa.Field(str_matches=r"^\S+$")
    document_id: str = pa.Field(nullable=True)
    fiscal_year: int = pa.Field(nullable=True, ge=0, le=9999)
    line: int = pa.Field(nullable=True, ge=0)
    reason_code: str = pa.Field(str_length={"min_value": 1})
    reversal_category: str = pa.Field(nullable=True)
    reversal_date: pl.Date
    memo: str = pa.Field(nullable=True)

    class Config:
        strict = True

    @pa.check("customer_id", "document_id", name="no_alpha_zeros")
    @classmethod
    def ids_no_alpha_zeros(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rules.no_alpha_zeros(data.key).fill_null(True))

    @pa.dataframe_check
    @classmethod
    def item_key_complete(cls, data: PolarsData) -> pl.LazyFrame:
        """An item key is all there (one item's application) or all null (the whole
        payment), never half."""
        nulls = pl.sum_horizontal(pl.col(c).is_null().cast(pl.Int8) for c in ITEM_KEY)
        return data.lazyframe.select((nulls == 0) | (nulls == len(ITEM_KEY)))

    @pa.dataframe_check
    @classmethod
    def one_whole_reversal_per_payment(cls, data: PolarsData) -> pl.LazyFrame:
        """At most one row reverses a whole payment (empty item key) per application_id:
        a second one could only be a duplicate under another key."""
        whole = pl.col("document_id").is_null()
        count = whole.cast(pl.Int32).sum().over("application_id")
        return data.lazyframe.select(~whole | (count == 1))


RULE_COLUMNS = {
    "item_key_complete": "document_id",
    "one_whole_reversal_per_payment": "application_id",
}

#: Columns a file may leave out, read as this text (None: all null). Nullable is a
#: separate idea: an item key column may be empty in a row but must be in the file.
OPTIONAL: dict[str, str | None] = {
    "document_id": None,
    "fiscal_year": None,
    "line": None,
    "reversal_category": None,
    "memo": None,
}
