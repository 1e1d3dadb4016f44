"""`otc credit-balances --as-refunds FILE`: the refund candidates as the start of a Refunds
file, for a person to approve.

Each candidate's refund (what the customer is owed: minus its net balance) is spread over
its credit items, largest credit first, so the item amounts add up to the refund as the
contract wants. `payment_method` and `approval_reference` are left empty on purpose: the
file does not pass its contract (nor post) until someone fills them in.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from contracts.io import schema_of


def refund_id(company: str, customer: str, on: date) -> str:
    """`RF-<yyyymmdd>-<company>-<customer>`: stable for a day, no whitespace or `;`."""
    raw = f"RF-{on:%Y%m%d}-{company}-{customer}"
    return re.sub(r"[\s;]+", "-", raw)[:64]


def as_refunds(balances: pl.DataFrame, on: date) -> pl.DataFrame:
    """Refunds rows (payment_method and approval_reference empty) from `credit_balances`."""
    rows: list[dict[str, Any]] = []
    keys = ["company", "customer_id", "currency"]
    for (company, customer, currency), items in balances.group_by(keys, maintain_order=True):
        owed = Decimal(items["refund_amount"][0])
        left = owed
        for item in items.sort("amount", "document_id").iter_rows(named=True):
            if left <= 0:
                break
            share = min(-Decimal(item["amount"]), left)
            left -= share
            rows.append(
                {
                    "refund_id": refund_id(str(company), str(customer), on),
                    "company": company,
                    "customer_id": customer,
                    "currency": currency,
                    "refund_amount": owed,
                    "document_id": item["document_id"],
                    "fiscal_year": item["fiscal_year"],
                    "line": item["line"],
                    "item_amount": share,
                    "payment_method": None,
                    "approval_reference": None,
                    "refund_date": on,
                    "memo": None,
                }
            )
    return pl.DataFrame(rows, schema=schema_of("refunds"))
