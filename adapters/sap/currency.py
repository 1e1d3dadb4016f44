"""SAP's currency decimals and internal amounts: one rule for the pull and the posting path.

SAP stores CURR values as `real / 10^(2 - CURRDEC)` with two decimals, CURRDEC from TCURX; a
currency TCURX lacks has 2 decimals, whatever ISO 4217 says (docs/specs/sap.md §3, §8). So CLP
(ISO 0) and IQD (ISO 3) are stored as they are on a system whose TCURX lacks them. Reading them
with ISO minor units would show CLP x100 and IQD /10, while posting (external amounts, converted
by SAP itself) would be right: every conversion here goes through `sap_decimals`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from contracts.money import MINOR_UNITS

SAP_DEFAULT_DECIMALS = 2  # TCURX has no row for the currency


def sap_decimals(tcurx: Mapping[str, int]) -> dict[str, int]:
    """Decimals of every currency on a system with this TCURX: its row, else 2 (not ISO)."""
    table = dict.fromkeys(MINOR_UNITS, SAP_DEFAULT_DECIMALS)
    table.update(tcurx)
    return table


def decimals_of(currency: str, tcurx: Mapping[str, int]) -> int:
    return tcurx.get(currency, SAP_DEFAULT_DECIMALS)


def to_external(internal: Decimal, currency: str, tcurx: Mapping[str, int]) -> Decimal:
    """An internal CURR value as the real amount (¥ `1.00` -> 100, KWD `1000.00` -> 100.000)."""
    return internal.scaleb(2 - decimals_of(currency, tcurx))


def to_internal_text(amount: Decimal, currency: str, tcurx: Mapping[str, int]) -> str:
    """A real amount as SAP's internal CURR text (two decimals); exact or an error."""
    internal = amount.scaleb(decimals_of(currency, tcurx) - 2)
    exact = internal.quantize(Decimal("0.01"))
    if exact != internal:
        raise ValueError(f"{amount} {currency} has more decimals than SAP allows for it")
    return f"{exact:.2f}"
