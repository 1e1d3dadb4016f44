"""Currency minor units and exact-money helpers.

Money is `decimal.Decimal` in Python and polars `Decimal` in frames, never float: a
float cannot hold 0.10 exactly, and a cash application that is off by 0.01 stays open in
the ERP. Every amount carries no more decimals than its currency's ISO 4217 minor units.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache

import polars as pl
from iso4217 import Currency

#: Canonical scale of money columns. Pinned: polars arithmetic widens the precision,
#: so contracts check the scale only (ISO 4217's largest exponent is 4: CLF, UYW).
MONEY_SCALE = 4
MONEY_PRECISION = 38
MONEY_DTYPE = pl.Decimal(MONEY_PRECISION, MONEY_SCALE)


def _minor_units() -> dict[str, int]:
    # Funds, metals and test codes (XAU, XXX...) have no minor unit: not money we post.
    return {c.code: c.exponent for c in Currency if c.exponent is not None}


MINOR_UNITS: dict[str, int] = _minor_units()


class MoneyError(ValueError):
    """A value is not an exact amount (text, float, too many decimals, unknown currency)."""


def minor_units(currency: str) -> int:
    """Decimals the currency allows: JPY 0, EUR 2, KWD 3."""
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise MoneyError(f"unknown currency code {currency!r} (ISO 4217)") from None


@cache
def _quantum(digits: int) -> Decimal:
    return Decimal(1).scaleb(-digits)


def parse_amount(text: str) -> Decimal:
    """Parse an amount written the plain way: optional sign, digits, optional '.' fraction.

    Grouping (`1,234.56`), exponents (`12.5e3`), `NaN` and `Infinity` are refused: they are
    the fingerprints of a spreadsheet or a float having touched the number.
    """
    s = text.strip()
    body = s[1:] if s[:1] in "+-" else s
    whole, dot, frac = body.partition(".")
    if not body or not (whole or frac) or not (whole + frac).isdigit() or not whole.isascii():
        raise MoneyError(f"{text!r} is not a plain decimal amount (digits, optional '.')")
    if dot and not frac:
        raise MoneyError(f"{text!r} ends with '.'")
    try:
        return Decimal(s)
    except InvalidOperation:  # pragma: no cover - guarded above
        raise MoneyError(f"{text!r} is not a decimal amount") from None


def decimals_of(amount: Decimal) -> int:
    """Significant decimals of an amount: `1.50` has 1, `100` has 0."""
    normalized = amount.normalize()
    exponent = normalized.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def fits_currency(amount: Decimal, currency: str) -> bool:
    """True when `amount` has no more decimals than `currency` allows."""
    return decimals_of(amount) <= minor_units(currency)


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Render an amount with exactly the currency's decimals, refusing to round."""
    if not fits_currency(amount, currency):
        raise MoneyError(
            f"{amount} has more decimals than {currency} allows ({minor_units(currency)})"
        )
    return amount.quantize(_quantum(minor_units(currency)))


def fits_currency_expr(amount: pl.Expr, currency: pl.Expr) -> pl.Expr:
    """Polars expression: the amount has no more decimals than its currency allows.

    Null amounts pass (nullability is its own rule), and so do unknown currencies: the
    currency rule reports those once, with no follow-on "more decimals" for every amount.
    """
    digits = currency.replace_strict(MINOR_UNITS, default=None, return_dtype=pl.Int8)
    ok = pl.lit(False)
    for d in sorted(set(MINOR_UNITS.values())):
        ok = ok | ((digits == d) & (amount.round(d) == amount))
    return amount.is_null() | digits.is_null() | ok.fill_null(False)
