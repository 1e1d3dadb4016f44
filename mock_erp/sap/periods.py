"""Posting periods: the fiscal period of a date, the T001B open-period check, and month-end
close on request (the ``closed_through`` setting moves T001B past a period).

Why a module: every posting rule asks whether its period is open, and tests of reversals need
a posted payment whose period is closed afterwards, as happens on a real system at month end
(OB52). The setting names the last closed period per company code; every T001B interval of
the company's variant that starts at or before it starts after it. Periods only close here;
``POST /_mock/reset`` reseeds T001B.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_erp.sap.abap import SapMessage
from mock_erp.sap.messages import msg

if TYPE_CHECKING:
    from mock_erp.sap.models import SapBackend


def fiscal_period(budat: str, periv: str = "K4") -> tuple[str, str]:
    """GJAHR and MONAT from BUDAT: K4 = calendar year, months as periods (specs/sap.md §3)."""
    return budat[:4], budat[4:6]


def period_open(b: SapBackend, bukrs: str, gjahr: str, monat: str, koart: str) -> SapMessage | None:
    """T001B check: account type ``+`` first, then the line's own type (docs/specs/sap.md §3).

    Returns F5 201 (V1 period, V2 year, V3 account type, V4 variant) when closed.
    """
    comp = b.company(bukrs)
    opvar = comp["OPVAR"] if comp else bukrs
    per = int(gjahr) * 1000 + int(monat)
    for mkoar in ("+", koart):
        rows = b.store.query(
            "SELECT FRYE1, FRPE1, TOYE1, TOPE1, FRYE2, FRPE2, TOYE2, TOPE2 FROM T001B "
            "WHERE BUKRS = ? AND MKOAR = ?",
            (opvar, mkoar),
        )
        if not rows and mkoar != "+":
            continue  # no own row for the type: '+' decides
        ok = any(
            int(r[0]) * 1000 + int(r[1]) <= per <= int(r[2]) * 1000 + int(r[3])
            or int(r[4]) * 1000 + int(r[5]) <= per <= int(r[6]) * 1000 + int(r[7])
            for r in rows
        )
        if not ok:
            return msg("F5", "201", f"{int(monat):03d}", gjahr, mkoar, opvar)
    return None


def _after(period: str) -> tuple[str, str]:
    """(year, period) of the period after ``YYYYPP`` in a K4 variant (12 months + 4 special)."""
    year, per = int(period[:4]), int(period[4:6])
    return (f"{year:04d}", f"{per + 1:03d}") if per < 12 else (f"{year + 1:04d}", "001")


def sync_closed_periods(b: SapBackend) -> None:
    """Apply ``settings.closed_through`` to T001B (idempotent; cheap when nothing is closed)."""
    closed = b.settings.closed_through
    if not closed:
        return
    with b.store.transaction() as conn:
        for bukrs, period in closed.items():
            row = conn.execute("SELECT OPVAR FROM T001 WHERE BUKRS = ?", (bukrs,)).fetchone()
            if row is None:
                continue
            year, per = _after(period)
            last = int(period[:4]) * 1000 + int(period[4:6])
            for frye, frpe in (("FRYE1", "FRPE1"), ("FRYE2", "FRPE2")):
                conn.execute(
                    f"UPDATE T001B SET {frye} = ?, {frpe} = ? WHERE BUKRS = ? "
                    f"AND CAST({frye} AS INTEGER) * 1000 + CAST({frpe} AS INTEGER) <= ?",
                    (year, per, row[0], last),
                )
