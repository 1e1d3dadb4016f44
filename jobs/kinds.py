"""What differs between the kinds of posting one job posts exactly once.

Everything else (journal, leases, settlement, dry run, report) is the same for every kind
and lives in jobs/post.py; a kind only says which file it reads, what one unit is, how the
adapter posts a unit and what pre-flight asks the ERP first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from adapters.errors import ConfigError
from jobs import preflight, preflight_reversals

Kind = Literal["cash_application", "write_off", "reversal", "refund"]
#: (adapter, the rows of one key, dry_run) -> one PostingResults row as a dict
Poster = Callable[[Any, pl.DataFrame, bool], dict[str, Any]]
#: (adapter, the rows to post, configured companies, system name) -> problems per key
Preflight = Callable[[Any, pl.DataFrame, Sequence[str], str], list[preflight.Problem]]


@dataclass(frozen=True)
class KindSpec:
    kind: str
    entity: str  # the contract a file of this kind is read against
    key_column: str  # the idempotency key; the rows sharing it are one unit
    method: str  # the adapter method that posts one unit
    what: str  # in words, for messages: "reversals"
    post: Poster
    preflight: Preflight


def _cash_preflight(
    adapter: Any, rows: pl.DataFrame, companies: Sequence[str], system: str
) -> list[preflight.Problem]:
    amounts = {"applied": "applied_amount", "discount": "discount_amount"}
    return preflight.check(
        adapter, rows, "application_id", amounts, companies=companies, system=system
    )


def _write_off_preflight(
    adapter: Any, rows: pl.DataFrame, companies: Sequence[str], system: str
) -> list[preflight.Problem]:
    amounts = {"applied": "amount"}
    return preflight.check(
        adapter, rows, "writeoff_id", amounts, companies=companies, system=system
    )


def _first_row(rows: pl.DataFrame) -> dict[str, Any]:
    return rows.row(0, named=True)


SPECS: dict[str, KindSpec] = {
    s.kind: s
    for s in (
        KindSpec(
            "cash_application",
            "cash_applications",
            "application_id",
            "post_payment",
            "cash applications",
            lambda a, rows, dry: dict(a.post_payment(rows, dry_run=dry)),
            _cash_preflight,
        ),
        KindSpec(
            "write_off",
            "write_offs",
            "writeoff_id",
            "post_write_off",
            "write-offs",
            lambda a, rows, dry: dict(a.post_write_off(_first_row(rows), dry_run=dry)),
            _write_off_preflight,
        ),
        KindSpec(
            "reversal",
            "reversals",
            "reversal_id",
            "reverse_payment",
            "reversals",
            lambda a, rows, dry: dict(a.reverse_payment(_first_row(rows), dry_run=dry)),
            preflight_reversals.check_reversals,
        ),
        KindSpec(
            "refund",
            "refunds",
            "refund_id",
            "post_refund",
            "refunds",
            lambda a, rows, dry: dict(a.post_refund(rows, dry_run=dry)),
            preflight_reversals.check_refunds,
        ),
    )
}


def spec_for(kind: str, adapter: Any) -> KindSpec:
    """The kind's spec, once the adapter is known to post it: a system whose adapter has no
    such method is refused before any file is read or any key journaled."""
    spec = SPECS.get(kind)
    if spec is None:
        raise ConfigError(f"unknown posting kind {kind!r}; known: {', '.join(SPECS)}")
    if not callable(getattr(adapter, spec.method, None)):
        name = getattr(adapter, "name", "?")
        raise ConfigError(
            f"system {name!r} ({type(adapter).__name__}) cannot post {spec.what}: its adapter "
            f"has no {spec.method}(); use a system whose adapter supports it"
        )
    return spec
