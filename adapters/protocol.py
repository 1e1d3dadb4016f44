"""The Adapter protocol: the same OTC operations for every ERP, canonical frames in and out.

Adapters never write files and never decide retries: the job layer owns batching,
concurrency, the journal and the report (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    import polars as pl

PostingKind = Literal["cash_application", "write_off", "customer"]


@runtime_checkable
class Adapter(Protocol):
    """One ERP system, as configured in a `[systems.NAME]` section."""

    name: str

    def pull_open_items(
        self,
        companies: Sequence[str],
        customers: Sequence[str] | None = None,
        as_of: date | None = None,
    ) -> Iterator[pl.DataFrame]:
        """OpenItems frames, chunked: memory stays flat whatever the volume."""
        ...

    def pull_customers(
        self, companies: Sequence[str], changed_since: date | None = None
    ) -> Iterator[pl.DataFrame]:
        """Customers frames, chunked."""
        ...

    def post_cash_applications(self, frame: pl.DataFrame) -> pl.DataFrame:
        """PostingResults, one row per payment (application_id)."""
        ...

    def post_write_offs(self, frame: pl.DataFrame) -> pl.DataFrame:
        """PostingResults, one row per write-off."""
        ...

    def upsert_customers(self, frame: pl.DataFrame) -> pl.DataFrame:
        """PostingResults, one row per customer."""
        ...

    def find_posted(self, kind: PostingKind, keys: Sequence[str]) -> pl.DataFrame:
        """(key, erp_document or null): which keys already have a document in the ERP."""
        ...

    def ping(self) -> str:
        """A round trip to the ERP; returns a short description of what answered."""
        ...


#: What an entry point in the group `otc_adapters.adapters` must load: a callable that
#: builds an adapter from its system name, its config section and the resolved secrets.
AdapterFactory = Callable[[str, Mapping[str, Any], Mapping[str, str]], Adapter]
