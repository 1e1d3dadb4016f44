"""Cash applications that pay open items in full, one payment per item.

Why: the demo's own scenarios, the posting benchmark and the crash tests all need "these
invoices, paid today" as a valid CashApplications frame; one builder keeps them alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from contracts.io import schema_of


def paid_in_full(items: Sequence[Mapping[str, Any]], keys: Sequence[str], on: date) -> pl.DataFrame:
    """One payment per open item (its whole amount, no discount), keyed by `keys` in order.

    Not validated here: `write_frame(..., "cash_applications")` and the posting job do that.
    """
    if len(keys) != len(items):
        raise ValueError(f"{len(keys)} keys for {len(items)} items")
    rows = [
        {
            "application_id": key,
            "company": it["company"],
            "customer_id": it["customer_id"],
            "payment_date": on,
            "currency": it["currency"],
            "payment_amount": it["amount"],
            "document_id": it["document_id"],
            "fiscal_year": it["fiscal_year"],
            "line": it["line"],
            "applied_amount": it["amount"],
            "discount_amount": Decimal(0),
            "reason_code": None,
            "match_rule": None,
            "match_score": None,
        }
        for key, it in zip(keys, items, strict=True)
    ]
    return pl.DataFrame(rows, schema=schema_of("cash_applications"))
