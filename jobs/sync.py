"""Customer master sync between two systems: match, diff, then create or update.

Customers are matched by tax id first (normalized: no spaces or punctuation, no EU country
prefix), then by a configurable key (default: name and postal code, case- and
space-insensitive). The diff lists each field that would change; `--dry-run` stops there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
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
    found: list[tuple[dict[str, Any], str, list[dict[str, Any]]]] = []
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
        found.append((row, how, candidates))
    # Deterministic whatever order the systems list their customers in: tax id matches
    # claim their target first, then key matches, each in source id order.
    found.sort(key=lambda f: (f[1] != "tax_id", str(f[0]["customer_id"])))
    for row, how, candidates in found:
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


# ---------------------------------------------------------------- the run folder

PLAN_SCHEMA = {
    "action": pl.String,
    "source_id": pl.String,
    "target_id": pl.String,
    "matched_by": pl.String,
    "detail": pl.String,
}
DIFF_SCHEMA = {"target_id": pl.String, "field": pl.String, "now": pl.String, "becomes": pl.String}
RESULT_SCHEMA = {
    "target_id": pl.String,
    "outcome": pl.String,
    "erp_document": pl.String,
    "message": pl.String,
}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def plan_frame(sync: SyncPlan) -> pl.DataFrame:
    """Every source customer and what the sync does with it: create, update, unchanged or
    ambiguous (skipped, with the reason), sorted by action and id."""
    rows: list[dict[str, Any]] = []
    for row in sync.create.iter_rows(named=True):
        source_id = str(row["customer_id"]).split(":", 1)[-1]
        rows.append(
            {
                "action": "create",
                "source_id": source_id,
                "target_id": None,
                "matched_by": None,
                "detail": row["name"],
            }
        )
    for source_id, match in sync.matched_by.items():
        target_id, how = match.split(" by ", 1)
        changed = sync.diffs.get(target_id, [])
        rows.append(
            {
                "action": "update" if changed else "unchanged",
                "source_id": source_id,
                "target_id": target_id,
                "matched_by": how,
                "detail": ", ".join(f for f, _, _ in changed) or None,
            }
        )
    for source_id, why in sync.ambiguous.items():
        rows.append(
            {
                "action": "ambiguous",
                "source_id": source_id,
                "target_id": None,
                "matched_by": None,
                "detail": why,
            }
        )
    order = {"create": 0, "update": 1, "ambiguous": 2, "unchanged": 3}
    frame = pl.DataFrame(rows, schema=PLAN_SCHEMA)
    return frame.sort(pl.col("action").replace_strict(order, return_dtype=pl.Int8), "source_id")


def diff_frame(sync: SyncPlan) -> pl.DataFrame:
    """One row per field that changes: the target's value now and what it becomes."""
    rows = [
        {"target_id": target, "field": name, "now": _text(old), "becomes": _text(new)}
        for target, changes in sorted(sync.diffs.items())
        for name, old, new in changes
    ]
    return pl.DataFrame(rows, schema=DIFF_SCHEMA)


def outcomes(sync: SyncPlan, results: pl.DataFrame) -> pl.DataFrame:
    """PostingResults in a sync's words: `created` and `updated`, not `posted`."""
    created = set(sync.create["customer_id"].to_list())
    rows = []
    for row in results.iter_rows(named=True):
        outcome = row["status"]
        if outcome == "posted":
            outcome = "created" if row["key"] in created else "updated"
        rows.append(
            {
                "target_id": row["key"],
                "outcome": outcome,
                "erp_document": row["erp_document"],
                "message": row["message"],
            }
        )
    return pl.DataFrame(rows, schema=RESULT_SCHEMA)


def counts(sync: SyncPlan, done: pl.DataFrame | None) -> dict[str, int]:
    """Planned counts, or (after the run) what happened, with unchanged and ambiguous."""
    if done is None:
        found = {"create": sync.create.height, "update": sync.update.height}
    else:
        found = dict(done.group_by("outcome").len().iter_rows()) if done.height else {}
    return {**found, "unchanged": sync.unchanged, "ambiguous": len(sync.ambiguous)}


def write_sync_run(
    sync: SyncPlan, done: pl.DataFrame | None, command: str, base: Path | str = "runs"
) -> Path:
    """`runs/<timestamp>-customers-sync/`: plan.csv, diff.csv, results.csv, summary.txt."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = Path(base) / f"{stamp}-customers-sync"
    folder.mkdir(parents=True, exist_ok=True)
    plan_frame(sync).write_csv(folder / "plan.csv")
    diff_frame(sync).write_csv(folder / "diff.csv")
    if done is not None:
        done.write_csv(folder / "results.csv")
    shown = ", ".join(f"{n} {k}" for k, n in counts(sync, done).items())
    state = "dry run, nothing changed" if done is None else "applied"
    (folder / "summary.txt").write_text(f"otc {command}: {shown} ({state})\n", encoding="utf-8")
    return folder
