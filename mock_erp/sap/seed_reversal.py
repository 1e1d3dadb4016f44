"""Seeded configuration for reversals and refunds: T041C reasons, T042Z / T042E methods.

T041C holds SAP's standard reasons 01 (reversal in current period) and 02 (reversal in closed
period, alternative posting date allowed: XABWD = X) [derived: the reasons SAP delivers in
client 000; docs/sap-setup.md]. Payment methods [project, examples]: T bank transfer and C
check pay out, E direct debit collects (XEINZ = X) in every country; company codes allow T
and E, and C only in the US company (2000): a check refund from 1000 is refused (T042E).
"""

from __future__ import annotations

from typing import Any

REASONS = [("01", "", ""), ("02", "", "X")]
METHODS = [("T", "Bank transfer", ""), ("C", "Check", ""), ("E", "Direct debit", "X")]


def seed_reversal_config(conn: Any, comps: list[tuple[str, str]]) -> None:
    conn.executemany("INSERT INTO T041C (STGRD, XNEGP, XABWD) VALUES (?, ?, ?)", REASONS)
    countries = sorted({c for _, c in comps})
    conn.executemany(
        "INSERT INTO T042Z (LAND1, ZLSCH, TEXT1, XEINZ) VALUES (?, ?, ?, ?)",
        [(land, z, text, x) for land in countries for z, text, x in METHODS],
    )
    conn.executemany(
        "INSERT INTO T042E (ZBUKR, ZLSCH) VALUES (?, ?)",
        [(b, z) for b, c in comps for z in ("T", "E", *(("C",) if c == "US" else ()))],
    )
