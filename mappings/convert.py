"""Converters between ERP formats and canonical values, as polars expressions.

Each ERP quirk is handled here and only here (docs/architecture.md, "Money, dates, ids"):
SAP's ALPHA padding, `YYYYMMDD`/`00000000` dates, debit/credit indicators, and SAP's
internal amounts for currencies without two decimals (TCURX). Money stays Decimal: a
text amount is cast straight to Decimal, and a Decimal is cast to the canonical scale
*before* it is scaled (polars keeps the left operand's scale in a division, so
`Decimal(18,0) 123456 / 100` would give `1235`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import polars as pl

from contracts.money import MINOR_UNITS, MONEY_DTYPE

Converter = Callable[..., pl.Expr]
CONVERTERS: dict[str, Converter] = {}


def converter(name: str) -> Callable[[Converter], Converter]:
    def register(fn: Converter) -> Converter:
        CONVERTERS[name] = fn
        return fn

    return register


def _text(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).str.strip_chars()


@converter("text")
def text(expr: pl.Expr) -> pl.Expr:
    """Trimmed text; blank becomes null (SAP sends blanks, EBS sends nulls)."""
    value = _text(expr)
    return pl.when(value == "").then(None).otherwise(value)


@converter("alpha_out")
def alpha_out(expr: pl.Expr) -> pl.Expr:
    """SAP ALPHA output: an all-digit id loses its leading zeros (`0000001000` -> `1000`)."""
    value = _text(expr)
    stripped = value.str.strip_chars_start("0")
    digits = value.str.contains(r"^[0-9]+$")
    return (
        pl.when(value == "")
        .then(None)
        .when(digits)
        .then(pl.when(stripped == "").then(pl.lit("0")).otherwise(stripped))
        .otherwise(value)
    )


def alpha_in(value: str, length: int = 10) -> str:
    """SAP ALPHA input: digits right-aligned with zeros to `length`, others left as they are."""
    value = value.strip()
    if value.isdigit():
        if len(value) > length:
            raise ValueError(f"{value!r} is longer than {length} digits")
        return value.zfill(length)
    return value


@converter("int")
def to_int(expr: pl.Expr) -> pl.Expr:
    return _text(expr).cast(pl.Int64, strict=False)


@converter("sap_date")
def sap_date(expr: pl.Expr) -> pl.Expr:
    """`YYYYMMDD` (RFC) or `YYYY-MM-DD` (SOAP); `00000000`, `0000-00-00` and blank are null."""
    value = _text(expr).str.replace_all("-", "")
    empty = value.is_null() | (value == "") | (value == "00000000")
    return pl.when(empty).then(None).otherwise(value.str.strptime(pl.Date, "%Y%m%d", strict=True))


@converter("oracle_date")
def oracle_date(expr: pl.Expr) -> pl.Expr:
    """An Oracle DATE (datetime or ISO text) to a date; EBS's 4712-12-31 'open' marker is null."""
    value = expr.cast(pl.String).str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    return pl.when(value == pl.date(4712, 12, 31)).then(None).otherwise(value)


@converter("odata_date")
def odata_date(expr: pl.Expr) -> pl.Expr:
    """OData V2 JSON ``/Date(<ms since 1970>)/`` (Edm.DateTime, UTC midnight) to a date; null
    stays null (https://www.odata.org/documentation/odata-version-2-0/json-format/ §2.2.6)."""
    millis = _text(expr).str.extract(r"^/Date\((-?\d+)(?:[+-]\d+)?\)/$", 1).cast(pl.Int64)
    return (millis // 86_400_000).cast(pl.Int32).cast(pl.Date)


@converter("flag")
def flag(expr: pl.Expr) -> pl.Expr:
    """SAP's 'X' / blank, EBS's 'Y' / 'N' to a boolean."""
    value = _text(expr).str.to_uppercase()
    return value.is_in(["X", "Y", "TRUE", "1"]).fill_null(False)


@converter("money")
def money(expr: pl.Expr) -> pl.Expr:
    """An external amount (text or Decimal) to the canonical Decimal, without float."""
    return _as_money(expr)


def _as_money(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).str.strip_chars().cast(MONEY_DTYPE, strict=True)


def _decimals_table(decimals: Mapping[str, int] | None) -> dict[str, int]:
    table = dict(MINOR_UNITS)
    table.update(decimals or {})
    return table


@converter("sap_internal_amount")
def sap_internal_amount(
    expr: pl.Expr, currency: pl.Expr, decimals: Mapping[str, int] | None = None
) -> pl.Expr:
    """SAP's internal CURR value to the real amount: `real = internal * 10^(2 - CURRDEC)`.

    docs/specs/sap.md §3: ¥100 is stored as `1.00`, KWD 100.000 as `1000.00`. `decimals` is the
    system's TCURX (currency -> CURRDEC); currencies it lacks have 2, as in SAP.
    """
    table = _decimals_table(decimals)
    amount = _as_money(expr)
    shift = currency.replace_strict(
        {cur: 2 - d for cur, d in table.items()}, default=0, return_dtype=pl.Int64
    )
    result = amount
    for s in sorted({2 - d for d in table.values()} - {0}):
        factor = pl.lit(Decimal(10) ** s, dtype=pl.Decimal(38, max(0, -s)))
        result = pl.when(shift == s).then((amount * factor).cast(MONEY_DTYPE)).otherwise(result)
    return result.cast(MONEY_DTYPE)


def sap_internal_text(
    amount: Decimal, currency: str, decimals: Mapping[str, int] | None = None
) -> str:
    """The inverse, for one value: the internal CURR text SAP stores (`1.00` for ¥100)."""
    shift = 2 - _decimals_table(decimals).get(currency, 2)
    return str((amount / (Decimal(10) ** shift)).quantize(Decimal("0.01")))


@converter("signed")
def signed(expr: pl.Expr, indicator: pl.Expr) -> pl.Expr:
    """Unsigned amount + SAP debit/credit indicator (S debit, H credit) -> signed, + = owed."""
    return pl.when(_text(indicator) == "H").then(-expr).otherwise(expr).cast(MONEY_DTYPE)


@converter("negate")
def negate(expr: pl.Expr) -> pl.Expr:
    return (-expr).cast(MONEY_DTYPE)


def apply(name: str, *exprs: pl.Expr, **kwargs: Any) -> pl.Expr:
    return CONVERTERS[name](*exprs, **kwargs)


@converter("sap_net_due")
def sap_net_due(
    baseline: pl.Expr,
    days1: pl.Expr,
    days2: pl.Expr,
    days3: pl.Expr,
    fallback: pl.Expr | None = None,
) -> pl.Expr:
    """docs/specs/sap.md §2.1: due = baseline + first non-zero of net days, days 2, days 1.

    An item without a baseline date (`00000000`) falls back to `fallback` (the document
    date, which is SAP's default baseline) so that every item has a due date.
    """
    base = sap_date(baseline)
    if fallback is not None:
        base = pl.coalesce(base, sap_date(fallback))
    d1, d2, d3 = (_text(d).cast(pl.Int64, strict=False).fill_null(0) for d in (days1, days2, days3))
    days = pl.when(d3 != 0).then(d3).when(d2 != 0).then(d2).otherwise(d1)
    return base + pl.duration(days=days)


@converter("sap_discount_date")
def sap_discount_date(baseline: pl.Expr, days1: pl.Expr, percent1: pl.Expr) -> pl.Expr:
    """The first cash-discount deadline, where the terms grant a discount at all."""
    pct = _text(percent1).cast(pl.Decimal(38, 4), strict=False).fill_null(0)
    days = _text(days1).cast(pl.Int64, strict=False).fill_null(0)
    return pl.when(pct > 0).then(sap_date(baseline) + pl.duration(days=days))


def round_to_currency(amount: pl.Expr, currency: pl.Expr) -> pl.Expr:
    """Round half away from zero to the currency's minor units (a computed discount)."""
    digits = currency.replace_strict(MINOR_UNITS, default=2, return_dtype=pl.Int64)
    out = amount
    for d in sorted(set(MINOR_UNITS.values())):
        out = pl.when(digits == d).then(amount.round(d)).otherwise(out)
    return out.cast(MONEY_DTYPE)


@converter("sap_discount_amount")
def sap_discount_amount(amount: pl.Expr, percent1: pl.Expr, currency: pl.Expr) -> pl.Expr:
    """Discount granted if paid by the first deadline: amount x ZBD1P %, in minor units."""
    pct = _text(percent1).cast(pl.Decimal(38, 4), strict=False).fill_null(0)
    raw = amount.abs().cast(MONEY_DTYPE) * pct / pl.lit(Decimal(100), dtype=pl.Decimal(38, 4))
    return pl.when(pct > 0).then(round_to_currency(raw.cast(pl.Decimal(38, 8)), currency))


@converter("or_else")
def or_else(expr: pl.Expr, other: pl.Expr) -> pl.Expr:
    """The first non-blank of two fields (KNA1-STCEG, else STCD1)."""
    return pl.coalesce(text(expr), text(other))


@converter("oracle_document_id")
def oracle_document_id(transaction: pl.Expr, receipt: pl.Expr) -> pl.Expr:
    """EBS item id: the transaction id (CUSTOMER_TRX_ID), or `CR<id>` for a cash receipt's
    own payment schedule (CASH_RECEIPT_ID): both id sequences start anywhere, so the prefix
    keeps an invoice and a receipt with the same number apart."""
    trx = transaction.cast(pl.Int64, strict=False).cast(pl.String)
    rcpt = pl.lit("CR") + receipt.cast(pl.Int64, strict=False).cast(pl.String)
    return pl.coalesce(trx, rcpt)


@converter("abs_within")
def abs_within(expr: pl.Expr, limit: pl.Expr) -> pl.Expr:
    """|value| capped at |limit| (EBS keeps AMOUNT_IN_DISPUTE after partial payments)."""
    value = _as_money(expr).abs()
    cap = _as_money(limit).abs()
    return pl.when(value > cap).then(cap).otherwise(value).cast(MONEY_DTYPE)


@converter("not_active")
def not_active(expr: pl.Expr) -> pl.Expr:
    """TCA status 'A' is active; anything else ('I') blocks posting."""
    return (_text(expr).str.to_uppercase() != "A").fill_null(True)
