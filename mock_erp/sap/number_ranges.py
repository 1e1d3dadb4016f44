"""Number ranges (NRIV): accounting documents, customers and change documents.

Why a module: SAP draws a number when the document is posted and commits the interval at once,
outside the caller's LUW (docs/specs/sap.md §2.4): a number whose LUW never commits is a gap,
not reused. Every drawer here commits its own transaction for that reason. Mock: a missing
NRIV interval is created on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_erp.sap.messages import msg

if TYPE_CHECKING:
    from mock_erp.sap.models import SapBackend

# docs/specs/sap.md §3: mock number ranges per document type (T003-NUMKR → NRIV interval prefix).
DOC_TYPE_RANGES = {"DR": "18", "DG": "18", "DZ": "14", "DA": "16", "AB": "01", "SA": "01"}
CUSTOMER_RANGE = ("0010000000", "0019999999")  # KNA1 numbers for CREATEFROMDATA1 [project]


def draw_number(b: SapBackend, bukrs: str, blart: str, gjahr: str) -> str:
    """Next document number of the type's range for company code and year.

    Drawn at POST time and committed at once (docs/specs/sap.md §2.4): if the LUW never commits,
    the number is a gap. Mock: a missing NRIV interval for a year is created on first use.
    """
    numkr_row = b.store.query_one("SELECT NUMKR FROM T003 WHERE BLART = ?", (blart,))
    numkr = numkr_row[0] if numkr_row else DOC_TYPE_RANGES.get(blart, "01")
    with b.store.transaction() as conn:
        row = conn.execute(
            "SELECT NRLEVEL, TONUMBER FROM NRIV WHERE OBJECT = 'RF_BELEG' AND SUBOBJECT = ? "
            "AND NRRANGENR = ? AND TOYEAR = ?",
            (bukrs, numkr, gjahr),
        ).fetchone()
        if row is None:
            start = int(numkr) * 10**8
            conn.execute(
                "INSERT INTO NRIV (OBJECT, SUBOBJECT, NRRANGENR, TOYEAR, FROMNUMBER, "
                "TONUMBER, NRLEVEL) VALUES ('RF_BELEG', ?, ?, ?, ?, ?, ?)",
                (
                    bukrs,
                    numkr,
                    gjahr,
                    f"{start:010d}",
                    f"{start + 10**8 - 1:010d}",
                    f"{start - 1:010d}",
                ),
            )
            row = (f"{start - 1:010d}", f"{start + 10**8 - 1:010d}")
        nxt = int(row[0]) + 1
        if nxt > int(row[1]):
            raise msg("F5", "165", bukrs)  # interval exhausted: not expected in a mock
        conn.execute(
            "UPDATE NRIV SET NRLEVEL = ? WHERE OBJECT = 'RF_BELEG' AND SUBOBJECT = ? "
            "AND NRRANGENR = ? AND TOYEAR = ?",
            (f"{nxt:010d}", bukrs, numkr, gjahr),
        )
    return f"{nxt:010d}"


def draw_customer_number(b: SapBackend) -> str:
    """Next KNA1 number of the DEBITOR interval 01 (BAPI_CUSTOMER_CREATEFROMDATA1)."""
    with b.store.transaction() as conn:
        row = conn.execute(
            "SELECT NRLEVEL FROM NRIV WHERE OBJECT = 'DEBITOR' AND NRRANGENR = '01'"
        ).fetchone()
        if row is None:
            lo, hi = CUSTOMER_RANGE
            conn.execute(
                "INSERT INTO NRIV (OBJECT, SUBOBJECT, NRRANGENR, TOYEAR, FROMNUMBER, "
                "TONUMBER, NRLEVEL) VALUES ('DEBITOR', '', '01', '0000', ?, ?, ?)",
                (lo, hi, f"{int(lo) - 1:010d}"),
            )
            row = (f"{int(lo) - 1:010d}",)
        nxt = f"{int(row[0]) + 1:010d}"
        conn.execute(
            "UPDATE NRIV SET NRLEVEL = ? WHERE OBJECT = 'DEBITOR' AND NRRANGENR = '01'",
            (nxt,),
        )
    return nxt


def draw_change_number(b: SapBackend) -> str:
    """Next CDHDR-CHANGENR (object CHANGEDOCU): customer and business-partner changes."""
    with b.store.transaction() as conn:
        row = conn.execute(
            "SELECT NRLEVEL FROM NRIV WHERE OBJECT = 'CHANGEDOCU' AND NRRANGENR = '01'"
        ).fetchone()
        if row is None:
            conn.execute(
                "INSERT INTO NRIV (OBJECT, NRRANGENR, FROMNUMBER, TONUMBER, NRLEVEL) "
                "VALUES ('CHANGEDOCU', '01', '0000000001', '9999999999', '0000000000')"
            )
            row = ("0000000000",)
        nxt = f"{int(row[0]) + 1:010d}"
        conn.execute(
            "UPDATE NRIV SET NRLEVEL = ? WHERE OBJECT = 'CHANGEDOCU' AND NRRANGENR = '01'",
            (nxt,),
        )
    return nxt
