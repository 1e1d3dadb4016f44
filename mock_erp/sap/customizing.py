"""Configuration look-ups: company codes (T001) and payment terms (T052).

Why a module: every posting rule reads the same customizing — the company's currency, fiscal
year variant, posting period variant and the accounts the kit posts to (ZMOCK_T001_ACCOUNTS,
the mock's stand-in for T030/T012K), and the terms that give an item its due dates.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mock_erp.sap.models import SapBackend


def company(b: SapBackend, bukrs: str) -> dict[str, str] | None:
    """T001 of a company code with the mock's account table (reconciliation, bank, discount,
    write-off G/L accounts); None for an unknown company code."""
    row = b.store.query_one(
        "SELECT T001.WAERS, PERIV, OPVAR, LAND1, AKONT, BANK_GL, DISC_GL, WRITEOFF_GL "
        "FROM T001 LEFT JOIN ZMOCK_T001_ACCOUNTS A USING (BUKRS) WHERE BUKRS = ?",
        (bukrs,),
    )
    if row is None:
        return None
    keys = ("WAERS", "PERIV", "OPVAR", "LAND1", "AKONT", "BANK_GL", "DISC_GL", "WRITEOFF_GL")
    return {k: v or "" for k, v in zip(keys, row, strict=True)}


def payment_terms(b: SapBackend, zterm: str) -> tuple[int, int, int, Decimal, Decimal]:
    """T052 of a payment term: days 1-3 and percents 1-2 (first ZTAGG); blank when unknown."""
    row = b.store.query_one(
        "SELECT ZTAG1, ZTAG2, ZTAG3, ZPRZ1, ZPRZ2 FROM T052 WHERE ZTERM = ? ORDER BY ZTAGG",
        (zterm,),
    )
    if row is None:
        return (0, 0, 0, Decimal(0), Decimal(0))
    return (int(row[0]), int(row[1]), int(row[2]), Decimal(row[3]), Decimal(row[4]))
