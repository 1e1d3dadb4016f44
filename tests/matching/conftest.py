"""Small frames for the matching tests: one ledger, bank lines built per test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from contracts.io import schema_of


def items(*rows: dict[str, Any]) -> pl.DataFrame:
    base = {
        "source_system": "t", "company": "1000", "customer_id": "100", "fiscal_year": 2026,
        "line": 1, "document_type": "invoice", "reference": None,
        "document_date": date(2026, 10, 1), "posting_date": date(2026, 10, 1),
        "due_date": date(2026, 10, 31), "currency": "EUR", "disputed_amount": Decimal(0),
        "discount_date": None, "discount_amount": None,
    }  # fmt: skip
    return pl.DataFrame([base | r for r in rows], schema=schema_of("open_items"))


def bank(*rows: dict[str, Any]) -> pl.DataFrame:
    base = {
        "account": "DE02120300000000202051", "booking_date": date(2026, 11, 2),
        "value_date": None, "currency": "EUR", "direction": "credit", "bank_reference": None,
        "payer_name": None, "payer_account": None, "remittance_text": None, "invoice_refs": None,
    }  # fmt: skip
    full = [base | {"transaction_id": f"T{n}"} | r for n, r in enumerate(rows)]
    return pl.DataFrame(full, schema=schema_of("bank_transactions"))


def customers(*rows: dict[str, Any]) -> pl.DataFrame:
    base = {
        "source_system": "t", "country": "DE", "city": None, "postal_code": None,
        "street": None, "tax_id": None, "currency": "EUR", "payment_terms": None,
        "credit_limit": None, "posting_block": False, "email": None, "iban": None,
    }  # fmt: skip
    return pl.DataFrame([base | r for r in rows], schema=schema_of("customers"))
