"""Customer master sync between two systems: match, diff, then create or update.

Customers are matched by tax id first (normalized: no spaces or punctuation, no EU country
prefix), then by a configurable key (default: name and postal code, case- and
space-insensitive). The diff lists each field that would change; `--dry-run` stops there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from contracts.validate import validate

#: Customer master fields a sync carries over. Currency, payment terms and credit limits are
#: per company code / operating unit, not master data: each system keeps its own.
SYNC_FIELDS = ("name", "country", "city", "postal_code", "street", "tax_id", "email")


def normalized_tax_id(country: str | None, tax_id: str | None) -> str | None:
    if not tax_id:
        return None
    text = re.sub(r"[^0-9A-Za-z]", "", tax_id).upper()
    if country and text.startswith(country.upper()) and len(text) > len(country) + 4:
        text = text[len(country) :]
    return text or None


def _key_text(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip().casefold()


@dataclass
class SyncPlan:
    """What a sync would do: new customers, changed ones (with their diffs), unchanged."""

    create: pl.DataFrame
    update: pl.DataFrame
    diffs: dict[str, list[tuple[str, Any, Any]]] = field(default_factory=dict)
    unchanged: int = 0
    matched_by: dict[str, str] = field(default_factory=dict)
    ambiguous: dict[str, str] = field(default_factory=dict)  # source id -> why it was skipped


def plan(
    source: pl.DataFrame, target: pl.DataFrame, key: Sequence[str] = ("name", "postal_code")
) -> SyncPlan:
    """Match source customers to target ones and work out creates and updates.

    Updates carry the *target's* customer_id; creates carry `<source system>:<source id>`,
    which no ERP number looks like (the target assigns its own and reports it back).
    """
    by_tax: dict[str, list[dict[str, Any]]] = {}
    by_key: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in target.iter_rows(named=True):
        if (t := normalized_tax_id(row["country"], row["tax_id"])) is not None:
            by_tax.setdefault(t, []).append(row)
        by_key.setdefault(tuple(_key_text(row[k]) for k in key), []).append(row)
    creates, updates = [], []
    diffs: dict[str, list[tuple[str, Any, Any]]] = {}
    matched_by: dict[str, str] = {}
    ambiguous: dict[str, str] = {}
    taken: dict[str, str] = {}  # target id -> the source id matched to it
    unchanged = 0
    for row in source.iter_rows(named=True):
        tax = normalized_tax_id(row["country"], row["tax_id"])
        candidates = by_tax.get(tax, []) if tax else []
        how = "tax_id"
        if not candidates:
            how = "+".join(key)
            candidates = [
                c
                for c in by_key.get(tuple(_key_text(row[k]) for k in key), [])
                # a key match between two different tax ids is two different companies
                if not (tax and normalized_tax_id(c["country"], c["tax_id"]))
            ]
        if len(candidates) > 1:
            ids = ", ".join(sorted(c["customer_id"] for c in candidates))
            ambiguous[row["customer_id"]] = f"{len(candidates)} candidates by {how}: {ids}"
            continue
        if not candidates:
            # not the target's id: namespaced, so a target never mistakes it for its own
            # number (the target assigns one and reports it back as erp_document)
            creates.append({**row, "customer_id": f"{row['source_system']}:{row['customer_id']}"})
            continue
        match = candidates[0]
        if match["customer_id"] in taken:
            ambiguous[row["customer_id"]] = (
                f"{match['customer_id']} already matched to {taken[match['customer_id']]}"
            )
            continue
        taken[match["customer_id"]] = row["customer_id"]
        matched_by[row["customer_id"]] = f"{match['customer_id']} by {how}"
        changes = [
            (f, match[f], row[f])
            for f in SYNC_FIELDS
            if row[f] is not None and row[f] != match[f] and not (f == "tax_id" and how == "tax_id")
        ]  # a tax id that matched is the same number, however it is written
        if not changes:
            unchanged += 1
            continue
        diffs[match["customer_id"]] = changes
        merged = dict(match)
        for f, _, new in changes:
            merged[f] = new
        updates.append(merged)
    schema = source.schema
    return SyncPlan(
        create=pl.DataFrame(creates, schema=schema) if creates else source.clear(),
        update=pl.DataFrame(updates, schema=target.schema) if updates else target.clear(),
        diffs=diffs,
        unchanged=unchanged,
        matched_by=matched_by,
        ambiguous=ambiguous,
    )


def pull_all(adapter: Any, companies: Sequence[str]) -> pl.DataFrame:
    frames = list(adapter.pull_customers(list(companies)))
    if not frames:
        from contracts.io import empty_frame

        return empty_frame("customers")
    return validate(pl.concat(frames), "customers", source=f"{adapter.name} customers")


def apply(target: Any, sync: SyncPlan) -> pl.DataFrame:
    """Send creates and updates to the target; PostingResults, one row per customer."""
    frames = [f for f in (sync.update, sync.create) if f.height]
    if not frames:
        from contracts.io import empty_frame

        return empty_frame("posting_results")
    results: list[pl.DataFrame] = [target.upsert_customers(f) for f in frames]
    return pl.concat(results)
