"""What a lookup in the ERP (`find_posted`) means for a journaled key.

`find_posted` answers (key, erp_document) and may add `state` (issue 15): "posted",
"awaiting_approval" (the document exists, an approver has not decided yet), "rejected"
(an approver rejected it: nothing took effect) or "reversed" (it took effect and was reversed
since: the key is used, never posted again). Without a `state` column a document
found is posted (reference-interface rule; an adapter that hides rejected documents still
gets an approver's no noticed: the document is then not found).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from adapters.errors import OtcError
from jobs.journal import Entry, Status

POSTED, AWAITING, REJECTED = "posted", "awaiting_approval", "rejected"
#: took effect, then was reversed: the key is used (posting it again would pay twice)
REVERSED = "reversed"
STATES = (POSTED, AWAITING, REJECTED, REVERSED)


@dataclass(frozen=True)
class Found:
    document: str | None
    state: str | None  # None: the adapter answers no state column (= posted)


def read(found: pl.DataFrame) -> dict[str, Found]:
    """Keys the ERP knows, with their state; keys it does not know are left out."""
    has_state = "state" in found.columns
    columns = ["key", "erp_document", *(["state"] if has_state else [])]
    out: dict[str, Found] = {}
    for row in found.select(columns).iter_rows(named=True):
        state = (row.get("state") or POSTED) if has_state else None
        if state is not None and state not in STATES:
            raise OtcError(
                f"find_posted answered state {state!r} for {row['key']}: the adapter and "
                f"the job disagree (known states: {', '.join(STATES)})"
            )
        if row["erp_document"] or state in (AWAITING, REJECTED):
            out[str(row["key"])] = Found(row["erp_document"], state)
    return out


def verdict(entry: Entry, found: Found | None, *, retried: bool) -> tuple[Status, str | None, str]:
    """(new journal status, ERP document, message) for `entry` after the ERP answered.

    `retried`: the user asked to retry this rejected key (`--retry-rejected`): a document
    an approver rejected then does not stop a new post (the adapter decides whether the
    same key may carry a new document)."""
    was = entry.status.value + (" (new to the journal)" if entry.needs_lookup else "")
    noun = "adjustment" if entry.kind == "write_off" else "document"
    if found is None:
        if entry.status is Status.AWAITING:
            shown = entry.erp_document or "its document"
            return (
                Status.REJECTED,
                entry.erp_document,
                f"{noun} {shown} was awaiting approval and is no longer found in the ERP: "
                "the approver rejected it (or it was deleted); nothing took effect "
                "(--retry-rejected looks again and posts it anew)",
            )
        return Status.QUEUED, None, f"looked up: not in the ERP (was {was})"
    shown = found.document or entry.erp_document or "(no number)"
    if found.state == REJECTED:
        if retried:
            return (
                Status.QUEUED,
                None,
                f"looked up: {noun} {shown} was rejected by the approver; posted anew "
                "(--retry-rejected)",
            )
        return (
            Status.REJECTED,
            found.document,
            f"the approver rejected {noun} {shown} in the ERP: nothing took effect; "
            "--retry-rejected posts it anew, or post it under a new key",
        )
    if found.state == AWAITING:
        return (
            Status.AWAITING,
            found.document,
            f"{noun} {shown} is in the ERP, awaiting approval",
        )
    if found.state == REVERSED:
        return (
            Status.POSTED,
            found.document,
            f"found in the ERP: {noun} {shown}, reversed since; the key stays used "
            "(post a correction under a new key)",
        )
    if entry.status is Status.AWAITING:
        return Status.POSTED, found.document, f"found in the ERP: {noun} {shown} approved"
    return Status.POSTED, found.document, f"found in the ERP (was {was})"
