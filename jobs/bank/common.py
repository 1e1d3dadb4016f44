"""What every bank-file parser shares: the row it produces, the problems it collects, money.

A parser reads the whole file, collects every problem it finds as a `Violation` naming the file
and the line (BAI2, MT940, CSV) or the XML element path (camt), and raises one `ContractError`
at the end, so one run lists everything wrong with a file. Problems that do not lose or corrupt
a transaction (a control total that does not add up, a missing trailer) are warnings.

Banks deviate from their formats in ways that are still unambiguous (an MT940 `:61:` without a
transaction type code, a balance without its currency). Such a line is read as the bank plainly
meant it and noted as a *deviation*: one warning per kind, naming every line it occurred on, so
the operator sees what was read generously without a warning per line of a 10,000-line file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.errors import ContractError, Violation
from contracts.money import MINOR_UNITS, MoneyError, decimals_of, parse_amount

if TYPE_CHECKING:
    import polars as pl

COLUMNS = (
    "transaction_id",
    "account",
    "booking_date",
    "value_date",
    "amount",
    "currency",
    "direction",
    "reversal",
    "bank_reference",
    "customer_reference",
    "end_to_end_id",
    "entry_reference",
    "other_references",
    "payer_name",
    "payer_account",
    "remittance_text",
    "invoice_refs",
)

#: Reference values that stand for no reference (camt NOTPROVIDED, SWIFT NONREF).
NOT_PROVIDED = frozenset({"NOTPROVIDED", "NONREF", ""})

#: Currencies replaced by the euro: still found in old statements, no longer in ISO 4217.
LEGACY_EURO = frozenset(
    {"ATS", "BEF", "CYP", "DEM", "EEK", "ESP", "FIM", "FRF", "GRD", "HRK", "IEP", "ITL", "LTL",
     "LUF", "LVL", "MTL", "NLG", "PTE", "SIT", "SKK"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Txn:
    """One row of `BankTransactions`; `amount` is unsigned, `direction` says which way."""

    transaction_id: str
    account: str
    booking_date: date
    value_date: date | None
    amount: Decimal
    currency: str
    direction: str
    reversal: bool | None = None  # booked as the reversal of an earlier line; None: not said
    bank_reference: str | None = None
    customer_reference: str | None = None
    end_to_end_id: str | None = None
    entry_reference: str | None = None
    other_references: list[str] | None = None  # `<kind>:<value>`, see docs/bank-files.md
    payer_name: str | None = None
    payer_account: str | None = None
    remittance_text: str | None = None
    invoice_refs: list[str] | None = None


@dataclass
class Parsed:
    """A parsed bank file: the canonical rows, the format found, and warnings worth reading."""

    frame: pl.DataFrame
    format: str
    warnings: list[str] = field(default_factory=list)


class Problems:
    """Collects violations for one file; `raise_if_any` turns them into one `ContractError`."""

    def __init__(self, path: Path | str, entity: str) -> None:
        self.source, self.entity = str(path), entity
        self.violations: list[Violation] = []
        self.warnings: list[str] = []
        self.deviations: dict[str, list[int | None]] = {}

    def add(self, row: int | None, where: str | None, rule: str, value: str | None = None) -> None:
        shown = None if value is None else value[:80]
        self.violations.append(Violation(self.source, row, where, rule, shown))

    def warn(self, row: int | None, message: str) -> None:
        at = f"{self.source}:{row}" if row is not None else self.source
        self.warnings.append(f"{at}: {message}")

    def deviate(self, row: int | None, what: str) -> None:
        """A line read generously: `what` says what deviated and how it was read."""
        self.deviations.setdefault(what, []).append(row)

    def all_warnings(self) -> list[str]:
        """Warnings, then one line per kind of deviation with the lines it occurred on."""
        summary = []
        for what, rows in self.deviations.items():
            numbers = [str(r) for r in rows if r is not None]
            shown = ", ".join(numbers[:10]) + (
                f" and {len(numbers) - 10} more" if len(numbers) > 10 else ""
            )
            at = f"{self.source}:{numbers[0]}" if numbers else self.source
            where = f" ({len(rows)}x, line {shown})" if len(rows) > 1 else ""
            summary.append(f"{at}: {what}{where}")
        return [*self.warnings, *summary]

    def raise_if_any(self) -> None:
        if self.violations:
            ordered = sorted(self.violations, key=lambda v: (v.row is not None, v.row or 0))
            raise ContractError(self.entity, self.source, ordered)


def known_currency(code: str) -> bool:
    return code in MINOR_UNITS


def exact_amount(text: str, currency: str) -> Decimal:
    """A plain decimal amount that fits its currency (no rounding, ever); raises MoneyError."""
    value = parse_amount(text)
    digits = MINOR_UNITS.get(currency)
    if digits is None:
        raise MoneyError(f"unknown currency code {currency!r} (ISO 4217)")
    if decimals_of(value) > digits:
        raise MoneyError(f"{text!r} has more decimals than {currency} allows ({digits})")
    return value


def swift_amount(text: str, currency: str) -> Decimal:
    """A SWIFT amount: digits, one decimal comma, fraction optional (`1234,5`, `500,`, `0,`)."""
    if not re.fullmatch(r"\d+(,\d*)?", text):
        raise MoneyError(f"{text!r} is not a SWIFT amount (digits and one decimal comma)")
    whole, _, frac = text.partition(",")
    return exact_amount(f"{whole}.{frac}" if frac else whole, currency)


def minor_amount(text: str, currency: str) -> Decimal:
    """An amount in minor units with implied decimals (BAI2): `208500` CAD is 2085.00."""
    if not re.fullmatch(r"[+-]?\d+", text):
        raise MoneyError(f"{text!r} is not a whole number of minor units")
    digits = MINOR_UNITS.get(currency)
    if digits is None:
        raise MoneyError(f"unknown currency code {currency!r} (ISO 4217)")
    return Decimal(int(text)).scaleb(-digits)


def clean(text: str | None) -> str | None:
    """Collapse blanks; empty becomes None."""
    if text is None:
        return None
    collapsed = " ".join(text.split())
    return collapsed or None


def to_frame(rows: list[Txn]) -> pl.DataFrame:
    """Rows to a polars frame with the contract's dtypes (money at the canonical scale)."""
    import polars as pl

    from contracts.io import schema_of

    schema = schema_of("bank_transactions")
    data = {name: [getattr(row, name) for row in rows] for name in COLUMNS}
    return pl.DataFrame(data, schema={name: schema[name] for name in COLUMNS})


def other_refs(found: Sequence[tuple[str, str | None]], *kept: str | None) -> list[str] | None:
    """`<kind>:<value>` for each reference found that no reference column of its row keeps.

    `found` is (kind, value) in the file's order; `kept` are the values the row already holds
    in a column of their own (bank, customer, end-to-end and entry references, or the payer a
    value was read as). A value kept there, empty, NOTPROVIDED or NONREF, or listed before, is
    left out: every reference the file carries is somewhere in its row, listed here at most
    once. None when none is left.
    """
    taken = {k for k in kept if k}
    out: list[str] = []
    for kind, raw in found:
        value = clean(raw)
        if value is None or value.upper() in NOT_PROVIDED or value in taken:
            continue
        entry = f"{kind}:{value}"
        if entry not in out:
            out.append(entry)
    return out or None
