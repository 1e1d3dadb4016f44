"""Reason codes for payment differences (T053R, texts T053S): seeded, checked, and taken away.

Why a module: a short payment's residual item carries a reason code (BSEG-RSTGR), and SAP keeps
those codes per company code in T053R (OBBE), the check table of the field: domain RSTGR has
value table T053R (https://www.sapdatasheet.org/abap/dtel/feb_rstgr.html), the table is keyed
MANDT + BUKRS + RSTGR (https://www.sapdatasheet.org/abap/tabl/t053r.html). FB05 refuses a code
the company code lacks with the dictionary's check-table message, 00 058 "Entry &1 &2 &3 does
not exist in &4 (check entry)" with the key (BUKRS, RSTGR) and the table [derived: the screen
field's foreign-key check; the wording of 00 058 is confirmed, docs/mock-erp.md]. The kit checks
T053R itself before it calls FB05 and answers the same message (Z_OTC_AR_CLEAR).

Seed [project]: every company code has 001-005, the codes the mock's disputes use (seed.REASONS)
and those the shipped value map ``residual_reason`` sends (mappings/sap/posting.yaml: 001-004);
002 is flagged disputed (XSTRP). The setting ``t053r_missing`` takes codes away per company code
(``{"2000": ["004"]}``), as a system whose OBBE lacks them; ``POST /_mock/reset`` puts them back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_erp.sap.messages import msg

if TYPE_CHECKING:
    from mock_erp.sap.models import SapBackend

#: RSTGR, XSTRP (disputed item), English short and long text [project]
CODES = (
    ("001", "", "Short payment", "Short payment (deduction)"),
    ("002", "X", "Disputed", "Disputed by the customer"),
    ("003", "", "Price difference", "Price difference"),
    ("004", "", "Freight", "Freight deducted"),
    ("005", "", "Damaged goods", "Goods damaged in transit"),
)


def seed_reason_codes(conn: Any, comps: list[tuple[str, str]]) -> None:
    conn.executemany(
        "INSERT INTO T053R (BUKRS, RSTGR, XSTRP) VALUES (?, ?, ?)",
        [(bukrs, code, xstrp) for bukrs, _ in comps for code, xstrp, _, _ in CODES],
    )
    conn.executemany(
        "INSERT INTO T053S (SPRAS, BUKRS, RSTGR, TXT20, TXT40) VALUES ('E', ?, ?, ?, ?)",
        [(bukrs, code, t20, t40) for bukrs, _ in comps for code, _, t20, t40 in CODES],
    )


def sync_missing(b: SapBackend) -> None:
    """Apply the ``t053r_missing`` setting: delete the named codes (idempotent; only deletes)."""
    gone = [(bukrs, code) for bukrs, codes in b.settings.t053r_missing.items() for code in codes]
    if not gone:
        return
    with b.store.transaction() as conn:
        conn.executemany("DELETE FROM T053R WHERE BUKRS = ? AND RSTGR = ?", gone)
        conn.executemany("DELETE FROM T053S WHERE BUKRS = ? AND RSTGR = ?", gone)


def check_reason(b: SapBackend, bukrs: str, rstgr: str) -> None:
    """00 058 when the company code has no such reason code (a blank code is not checked)."""
    if not rstgr:
        return
    sync_missing(b)
    row = b.store.query_one("SELECT 1 FROM T053R WHERE BUKRS = ? AND RSTGR = ?", (bukrs, rstgr))
    if row is None:
        raise msg("00", "058", bukrs, rstgr, "", "T053R")
