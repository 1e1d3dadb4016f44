"""Currency decimals (TCURX) and amounts between their external and minor-unit forms.

Why a module: every rule that takes an amount from a caller checks its decimals against the
currency first (docs/specs/sap.md §3, §8: a currency absent from TCURX has 2), and the
``tcurx`` setting changes TCURX between calls to mimic a system configured otherwise; the
rows the setting replaced are kept in the backend's ``tcurx_saved`` to put them back.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mock_erp.sap.models import SapBackend


def sync_tcurx(b: SapBackend) -> None:
    """Bring TCURX in line with the ``tcurx`` setting (added, changed, removed currencies).

    Rows the setting no longer names get their seeded value back, so a test can flip a
    currency out of TCURX and in again without a reset.
    """
    overrides = b.settings.tcurx
    if not overrides and not b.tcurx_saved:
        return
    with b.store.transaction() as conn:

        def put(cur: str, dec: int | None) -> None:
            if dec is None:
                conn.execute("DELETE FROM TCURX WHERE CURRKEY = ?", (cur,))
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO TCURX (CURRKEY, CURRDEC) VALUES (?, ?)", (cur, dec)
                )

        for cur in [c for c in b.tcurx_saved if c not in overrides]:
            put(cur, b.tcurx_saved.pop(cur))
        for cur, dec in overrides.items():
            row = conn.execute("SELECT CURRDEC FROM TCURX WHERE CURRKEY = ?", (cur,)).fetchone()
            have = None if row is None else int(row[0])
            if have != dec:
                b.tcurx_saved.setdefault(cur, have)
                put(cur, dec)


def currdec(b: SapBackend, waers: str) -> int:
    """Decimals of a currency: TCURX, absent = 2 (docs/specs/sap.md §3, §8)."""
    sync_tcurx(b)
    row = b.store.query_one("SELECT CURRDEC FROM TCURX WHERE CURRKEY = ?", (waers,))
    return int(row[0]) if row else 2


def to_minor(b: SapBackend, amount: Decimal, waers: str) -> int | None:
    """External amount → minor units; None when it has more decimals than the currency."""
    dec = currdec(b, waers)
    scaled = Decimal(amount).scaleb(dec)
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


def external(b: SapBackend, minor: int, waers: str) -> Decimal:
    """Minor units → the real (external) amount, e.g. 100 minor JPY → Decimal('100')."""
    return Decimal(minor).scaleb(-currdec(b, waers))


def fmt_amount(b: SapBackend, minor: int, waers: str) -> str:
    """Minor units as message text with the currency's decimals (F5 702, ZOTC 002/004)."""
    dec = currdec(b, waers)
    return f"{Decimal(minor).scaleb(-dec):.{dec}f}"
