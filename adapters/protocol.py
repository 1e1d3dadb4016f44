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

PostingKind = Literal["cash_application", "write_off", "customer", "reversal", "refund"]


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


@runtime_checkable
class Reverser(Protocol):
    """An adapter that can take back a posted cash application (issue 18).

    Separate from `Adapter` so an adapter without it still loads; the job checks for it and
    says clearly which system cannot reverse. Both methods return one PostingResults row as
    a dict (`key`, `kind`, `system`, `status`, `erp_document`, `message`, `stage`), raise
    `TransientError` only when provably nothing reached the ERP and `OutcomeUnknown` when
    it may have (docs/exactly-once.md).
    """

    def reverse_payment(self, row: Mapping[str, Any], dry_run: bool = False) -> dict[str, Any]:
        """One Reversals row: the whole payment (null item key) or one item's application."""
        ...


@runtime_checkable
class Refunder(Protocol):
    """An adapter that can pay back credit balances (issue 18)."""

    def post_refund(self, rows: pl.DataFrame, dry_run: bool = False) -> dict[str, Any]:
        """The Refunds rows of one refund_id: one ERP refund over its credit items."""
        ...


#: What an entry point in the group `otc_adapters.adapters` must load: a callable that
#: builds an adapter from its system name, its config section and the resolved secrets.
AdapterFactory = Callable[[str, Mapping[str, Any], Mapping[str, str]], Adapter]
