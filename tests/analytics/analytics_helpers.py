"""OpenItems rows for the analytics tests: hand-written items and a seeded random ledger."""

from __future__ import annotations

import csv
import itertools
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from contracts.money import MINOR_UNITS

AS_OF = date(2026, 12, 31)
COLUMNS = [
    *("source_system", "company", "customer_id", "document_id", "fiscal_year", "line"),
    *("document_type", "reference", "document_date", "posting_date", "due_date", "currency"),
    *("amount", "disputed_amount", "discount_date", "discount_amount"),
]
_IDS = itertools.count(1)
COMPANY_OF = {"EUR": "1000", "USD": "2000", "JPY": "3000", "KWD": "4000"}


def item(
    customer: str,
    amount: str,
    *,
    days: int = 0,
    currency: str = "EUR",
    doc: str | None = None,
    company: str | None = None,
    document_type: str | None = None,
    reference: str | None = None,
    disputed: str = "0",
    line: int = 1,
) -> dict[str, Any]:
    """One OpenItems row, due `days` before AS_OF (negative: not yet due).

    Dated and posted 30 days before it is due, or on AS_OF when that would be later: an
    item posted after AS_OF is not open at AS_OF (`jobs.analytics.aging.open_at`)."""
    due = AS_OF - timedelta(days=days)
    dated = min(due - timedelta(days=30), AS_OF)
    negative = amount.startswith("-")
    kind = document_type or ("credit_memo" if negative else "invoice")
    return {
        "source_system": "test",
        "company": company or COMPANY_OF.get(currency, "9000"),
        "customer_id": customer,
        "document_id": doc or f"D{next(_IDS):07d}",
        "fiscal_year": "2026",
        "line": str(line),
        "document_type": kind,
        "reference": reference or "",
        "document_date": dated.isoformat(),
        "posting_date": dated.isoformat(),
        "due_date": due.isoformat(),
        "currency": currency,
        "amount": amount,
        "disputed_amount": disputed,
        "discount_date": "",
        "discount_amount": "",
    }


def write_items(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def random_ledger(seed: int = 9, n: int = 400) -> list[dict[str, Any]]:
    """A ledger in four currencies: invoices of every age, credits, disputes, deductions."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        currency = rng.choice(["EUR", "USD", "JPY", "KWD"])
        digits = MINOR_UNITS[currency]
        units = rng.randint(1, 5_000_000)
        roll = rng.random()
        kind, sign = "invoice", 1
        if roll < 0.12:
            kind, sign = "credit_memo", -1
        elif roll < 0.18:
            kind, sign = "payment", -1  # unapplied cash
        elif roll < 0.22:
            kind = "payment"  # SAP residual of a short payment: a deduction
        elif roll < 0.25:
            kind = "chargeback"
        amount = Decimal(sign * units).scaleb(-digits)
        disputed = Decimal(0)
        if sign > 0 and rng.random() < 0.1:
            disputed = Decimal(rng.randint(1, units)).scaleb(-digits)
        row = item(
            f"C{rng.randint(1, 40)}",
            format(amount, "f"),
            days=rng.randint(-60, 400),
            currency=currency,
            doc=f"9{i:07d}",
            company=rng.choice(["1000", "2000"]),
            document_type=kind,
            disputed=format(disputed, "f"),
        )
        rows.append(row)
    return rows


def ledger_totals(rows: list[dict[str, Any]]) -> dict[str, Decimal]:
    """Sum per currency computed here, in Python, independently of the code under test."""
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row["currency"]] = totals.get(row["currency"], Decimal(0)) + Decimal(row["amount"])
    return totals
