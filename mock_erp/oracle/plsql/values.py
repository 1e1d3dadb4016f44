"""PL/SQL values in Python: types, conversions and Oracle's NULL rules.

Why explicit: money must stay exact (NUMBER -> Decimal, never float), '' is NULL in Oracle,
`||` treats NULL as empty, and TO_CHAR of a number drops the leading zero ('.5'). Getting these
wrong would make the mock answer differently from EBS (docs/specs/oracle.md §3.1, §7 item 18).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from mock_erp.oracle.session import OraError

# FND_API's "missing" values (docs/specs/oracle.md §3.1): G_MISS_NUM=9.99E125, G_MISS_CHAR=CHR(0),
# G_MISS_DATE=TO_DATE('1','J') (1 January 4712 BC; Python's datetime cannot hold it, so the
# mock uses its smallest date as the marker — it only ever compares it for identity).
G_MISS_NUM = Decimal("9.99E125")
G_MISS_CHAR = "\x00"
G_MISS_DATE = dt.datetime(1, 1, 1)


@dataclass(frozen=True)
class PlType:
    """A declared type: NUMBER, INTEGER (PLS_INTEGER), VARCHAR2(n), DATE, BOOLEAN or RECORD."""

    kind: str
    length: int | None = None  # VARCHAR2 max length
    name: str = ""  # record type name, for messages
    fields: tuple[tuple[str, PlType], ...] = ()

    def field_type(self, name: str) -> PlType | None:
        for fname, ftype in self.fields:
            if fname == name:
                return ftype
        return None


NUMBER = PlType("NUMBER")
INTEGER = PlType("INTEGER")
VARCHAR2 = PlType("VARCHAR2", 32767)
DATE = PlType("DATE")
BOOLEAN = PlType("BOOLEAN")


@dataclass
class Record:
    """A record variable: fields start NULL (nested records start as empty records)."""

    type: PlType
    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def new(cls, typ: PlType) -> Record:
        rec = cls(typ)
        for fname, ftype in typ.fields:
            rec.values[fname] = cls.new(ftype) if ftype.kind == "RECORD" else None
        return rec

    def get(self, name: str) -> Any:
        return self.values.get(name.lower())

    def copy(self) -> Record:
        return Record(
            self.type,
            {k: v.copy() if isinstance(v, Record) else v for k, v in self.values.items()},
        )


def value_error(detail: str = "") -> OraError:
    text = "PL/SQL: numeric or value error"
    return OraError(6502, f"{text}: {detail}" if detail else text)


def to_number(value: Any) -> Decimal | None:
    """Implicit conversion to NUMBER (ORA-06502 on text that is not a number)."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise value_error("character to number conversion error")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            raise value_error("character to number conversion error") from None
    raise value_error("character to number conversion error")


def to_date(value: Any) -> dt.datetime | None:
    """Implicit conversion to DATE: datetimes, dates and the store's text format."""
    if value is None or isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%SZ"):
            try:
                return dt.datetime.strptime(value, fmt)
            except ValueError:
                continue
        raise OraError(1861, "literal does not match format string")
    raise value_error()


def number_text(n: Decimal) -> str:
    """TO_CHAR(n) without a format: no exponent, no trailing zeros, no leading zero ('.5')."""
    if n == 0:
        return "0"
    text = format(n.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("0."):
        text = text[1:]
    elif text.startswith("-0."):
        text = "-" + text[2:]
    return text


MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def to_text(value: Any) -> str | None:
    """Implicit conversion to VARCHAR2 (dates in NLS_DATE_FORMAT 'DD-MON-RR')."""
    if value is None or isinstance(value, str):
        return value or None
    if isinstance(value, bool):
        raise OraError(6550, "PLS-00306: wrong number or types of arguments in call to '||'")
    if isinstance(value, Decimal | int | float):
        return number_text(to_number(value) or Decimal(0))
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.day:02d}-{MONTHS[value.month - 1]}-{value.year % 100:02d}"
    raise value_error()


def coerce(value: Any, typ: PlType) -> Any:
    """Assignment conversion to a declared type (ORA-06502 when it cannot hold the value)."""
    if isinstance(value, Record) or typ.kind == "RECORD":
        if typ.kind != "RECORD" or not isinstance(value, Record):
            raise OraError(6550, "PLS-00382: expression is of wrong type")
        return value.copy()
    if value is None:
        return None
    if typ.kind == "NUMBER":
        return to_number(value)
    if typ.kind == "INTEGER":
        n = to_number(value)
        return None if n is None else n.to_integral_value()
    if typ.kind == "DATE":
        return to_date(value)
    if typ.kind == "BOOLEAN":
        if not isinstance(value, bool):
            raise OraError(6550, "PLS-00382: expression is of wrong type")
        return value
    text = to_text(value)
    if text is not None and typ.length is not None and len(text) > typ.length:
        raise value_error("character string buffer too small")
    return text


def truth(value: Any) -> bool:
    """IF/WHILE/EXIT WHEN: NULL counts as false."""
    return value is True


def out_value(value: Any) -> Any:
    """A value as returned to the client for an OUT bind (records are not bindable)."""
    if isinstance(value, Record):
        raise OraError(6550, "PLS-00457: expressions have to be of SQL types")
    return value
