"""PostingResults: what happened to each payment, write-off or customer sent to an ERP."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

KINDS = ("cash_application", "write_off", "customer", "reversal", "refund")
#: pending_approval: the ERP created the document but holds it for an approver (EBS adjustment
#: status W over the user's approval limit); it exists, so it is never posted again, but the
#: balance has not moved yet (docs/oracle-setup.md). `checked`: a dry run the ERP accepted (its
#: own check ran; nothing was kept).
STATUSES = ("posted", "checked", "rejected", "duplicate", "unknown", "pending_approval")


class PostingResults(pa.DataFrameModel):
    key: str = pa.Field(str_length={"min_value": 1})
    kind: str = pa.Field(isin=KINDS)
    system: str = pa.Field(str_length={"min_value": 1})
    status: str = pa.Field(isin=STATUSES)
    erp_document: str = pa.Field(nullable=True)
    message: str = pa.Field(nullable=True)
    posted_at: pl.Datetime(time_unit="us", time_zone="UTC")  # type: ignore[valid-type]

    class Config:
        strict = True

    @pa.dataframe_check
    @classmethod
    def posted_has_document(cls, data: PolarsData) -> pl.LazyFrame:
        """A posted, duplicate or pending key names the ERP document that carries it."""
        needs = pl.col("status").is_in(["posted", "duplicate", "pending_approval"])
        return data.lazyframe.select(~needs | pl.col("erp_document").is_not_null())

    @pa.dataframe_check
    @classmethod
    def rejected_has_message(cls, data: PolarsData) -> pl.LazyFrame:
        needs = pl.col("status") == "rejected"
        return data.lazyframe.select(~needs | pl.col("message").is_not_null())


RULE_COLUMNS = {"posted_has_document": "erp_document", "rejected_has_message": "message"}

#: Columns a file may leave out, read as this text (None: all null). Nullable is a
#: separate idea: an item key column may be empty in a row but must be in the file.
OPTIONAL: dict[str, str | None] = {"erp_document": None, "message": None}
