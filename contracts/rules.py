"""Row rules shared by several contracts, as polars expressions.

Each rule is written once here and used by the pandera models, so the benchmark's
hand-written baseline and the contracts check exactly the same thing.
"""

from __future__ import annotations

from functools import cache

import polars as pl
import pycountry
from stdnum.exceptions import ValidationError
from stdnum.util import get_cc_module

from contracts.money import MINOR_UNITS, fits_currency_expr

CURRENCIES: tuple[str, ...] = tuple(sorted(MINOR_UNITS))

#: Idempotency keys (`application_id`, `writeoff_id`) travel into the ERP inside the tag
#: `otc:<key>;` (adapters/tags.py) and are matched in full, so a key holds no whitespace and
#: no `;` (the tag's end), and is at most this long: the tag then fits whole in Oracle's
#: 240-character COMMENTS; SAP stores a stable digest of longer keys (docs/exactly-once.md).
KEY_MAX_LENGTH = 64
KEY_PATTERN = rf"^[^\s;]{{1,{KEY_MAX_LENGTH}}}$"
COUNTRIES: tuple[str, ...] = tuple(sorted(c.alpha_2 for c in pycountry.countries))

#: stdnum modules that hold a company tax number, tried in order for a country.
TAX_ID_KINDS = (
    "vat",
    "ein",
    "cn",
    "tin",
    "abn",
    "gst",
    "bn",
    "cnpj",
    "rfc",
    "nit",
    "rut",
    "ruc",
    "inn",
    "pan",
    "uscc",
    "uen",
    "nif",
    "cif",
    "brn",
    "tax_id",
)


def no_alpha_zeros(col: str) -> pl.Expr:
    """Canonical ids carry no SAP ALPHA padding: an all-digit id never starts with 0."""
    return ~pl.col(col).str.contains(r"^0[0-9]*$")


def currency_known(col: str = "currency") -> pl.Expr:
    return pl.col(col).is_in(CURRENCIES)


def country_known(col: str = "country") -> pl.Expr:
    return pl.col(col).is_in(COUNTRIES)


def fits_currency(amount: str, currency: str = "currency") -> pl.Expr:
    return fits_currency_expr(pl.col(amount), pl.col(currency))


@cache
def _validators(country: str) -> tuple[object, ...]:
    found: dict[str, object] = {}
    for kind in TAX_ID_KINDS:
        module = get_cc_module(country.lower(), kind)
        if module is not None and hasattr(module, "validate"):
            found.setdefault(getattr(module, "__name__", kind), module)
    return tuple(found.values())


@cache
def tax_id_valid(country: str | None, tax_id: str | None) -> bool:
    """A tax id is valid when one of its country's stdnum validators accepts it.

    A country stdnum has no validator for cannot be checked and passes; EU VAT numbers may
    carry their country prefix (`DE136695976`).
    """
    if tax_id is None or country is None:
        return True
    validators = _validators(country)
    if not validators:
        return True
    for module in validators:
        try:
            module.validate(tax_id)  # type: ignore[attr-defined]
        except ValidationError:
            continue
        return True
    return False


def tax_id_valid_expr(country: str = "country", tax_id: str = "tax_id") -> pl.Expr:
    pair = pl.struct(pl.col(country), pl.col(tax_id))
    return pl.col(tax_id).is_null() | pair.map_elements(
        lambda row: tax_id_valid(row[country], row[tax_id]), return_dtype=pl.Boolean
    )
