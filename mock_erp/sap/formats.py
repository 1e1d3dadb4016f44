"""SAP's internal formats as the tables store them: CURR amounts, DATS dates, ALPHA numbers.

Why a module: every domain (documents, clearing, reversal, seeding, the S/4 persona) converts
to and from these formats, and none of them owns them; they are pure functions, no state.

Amounts: inside the rules every amount is an ``int`` of *minor units* of its currency. SAP's
internal CURR format (specs/sap.md §3, TCURX) stores ``real / 10^(2 - CURRDEC)`` with two decimals,
which is numerically the minor units divided by 100 for every currency — ¥100 → ``1.00``,
KWD 100.000 → ``1000.00`` — so converting to storage is one format call and arithmetic is exact.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any


def internal_text(minor: int) -> str:
    """Minor units → SAP's internal CURR text (two decimals, unsigned by caller)."""
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    return f"{sign}{minor // 100}.{minor % 100:02d}"


def minor_of_internal(text: str) -> int:
    """SAP internal CURR text → minor units."""
    return int(Decimal(text or "0").scaleb(2))


def dats(d: date) -> str:
    return d.strftime("%Y%m%d")


def parse_dats(text: str) -> date | None:
    if not text or text == "00000000":
        return None
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def dats_or(value: Any, default: str) -> str:
    """A DATS parameter, or ``default`` when it is blank or initial (``00000000``)."""
    text = str(value or "")
    return text if text and text != "00000000" else default


def alpha(value: str, length: int = 10) -> str:
    """ALPHA conversion (docs/specs/sap.md §3), for the mock's own numbers only: never applied to
    caller input — ``1000`` stays ``1000`` and is an unknown customer."""
    return value.zfill(length) if value.isdigit() else value
