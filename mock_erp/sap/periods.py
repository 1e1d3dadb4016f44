"""Month-end close on request: the ``closed_through`` setting moves T001B past a period.

Why a module: tests of reversals need a posted payment whose period is closed afterwards, as
happens on a real system at month end (OB52). The setting names the last closed period per
company code; every T001B interval of the company's variant that starts at or before it starts
after it. Periods only close here; ``POST /_mock/reset`` reseeds T001B.
"""

from __future__ import annotations

from mock_erp.sap.models import SapBackend


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
