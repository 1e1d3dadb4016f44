"""SQL functions usable in PL/SQL expressions (NVL, TO_CHAR, SUBSTR, TRUNC, TO_DATE, ...).

Why a fixed table: a function outside it is an unknown identifier to the checker (PLS-00201,
as Oracle says for a misspelt function), never a silent wrong value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from mock_erp.oracle.plsql.values import number_text, to_date, to_number, to_text
from mock_erp.oracle.session import OraError

_DATE_TOKENS = [
    ("HH24", "%H"),
    ("YYYY", "%Y"),
    ("MONTH", "%B"),
    ("MON", "%b"),
    ("MM", "%m"),
    ("DD", "%d"),
    ("MI", "%M"),
    ("SS", "%S"),
    ("RR", "%y"),
    ("YY", "%y"),
    ("HH", "%I"),
    ("AM", "%p"),
    ("PM", "%p"),
]


def _strftime_format(fmt: str) -> str:
    """Oracle date format model -> strftime format (ORA-01821 for what the mock lacks)."""
    out, i, f = [], 0, fmt.upper()
    if f.startswith("FX"):
        i = 2
    while i < len(f):
        for tok, rep in _DATE_TOKENS:
            if f.startswith(tok, i):
                out.append(rep)
                i += len(tok)
                break
        else:
            ch = fmt[i]
            if ch.isalnum():
                raise OraError(1821, "date format not recognized")
            out.append(ch)
            i += 1
    return "".join(out)


def to_date_fn(value: Any, fmt: Any = None) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return to_date(value)
    text = to_text(value) or ""
    if fmt is None:
        try:
            return to_date(text)
        except OraError:
            return dt.datetime.strptime(text.upper(), "%d-%b-%y")
    if str(fmt).upper() == "J":
        return dt.datetime(1, 1, 1) + dt.timedelta(days=int(text) - 1721426)
    try:
        return dt.datetime.strptime(text.strip(), _strftime_format(str(fmt)))
    except ValueError:
        raise OraError(1861, "literal does not match format string") from None


def to_char_fn(value: Any, fmt: Any = None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        if fmt is None:
            return to_text(value)
        text = to_date(value).strftime(_strftime_format(str(fmt)))  # type: ignore[union-attr]
        return text.upper() if "MON" in str(fmt).upper() else text
    if isinstance(value, str) and fmt is None:
        return value
    n = to_number(value)
    assert n is not None
    if fmt is None:
        return number_text(n)
    f = str(fmt).upper()
    fm = f.startswith("FM")
    body = f[2:] if fm else f
    decimals = (
        len(body.split(".")[1]) if "." in body else (len(body.split("D")[1]) if "D" in body else 0)
    )
    text = format(n.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP), "f")
    return text if fm else " " + text if n >= 0 else text


def trunc_fn(value: Any, fmt: Any = None) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        d = to_date(value)
        assert d is not None
        f = str(fmt or "DD").upper()
        if f in ("DD", "DDD", "J"):
            return dt.datetime(d.year, d.month, d.day)
        if f in ("MM", "MON", "MONTH"):
            return dt.datetime(d.year, d.month, 1)
        if f in ("YYYY", "YEAR", "YY"):
            return dt.datetime(d.year, 1, 1)
        raise OraError(1821, "date format not recognized")
    n = to_number(value)
    assert n is not None
    places = int(to_number(fmt) or 0)
    return n.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)


def round_fn(value: Any, places: Any = None) -> Any:
    n = to_number(value)
    if n is None:
        return None
    p = int(to_number(places) or 0)
    return n.quantize(Decimal(1).scaleb(-p), rounding=ROUND_HALF_UP)


def substr_fn(value: Any, start: Any, length: Any = None) -> str | None:
    text = to_text(value)
    s, n = to_number(start), to_number(length)
    if text is None or s is None:
        return None
    i = int(s)
    i = i - 1 if i > 0 else (len(text) + i if i < 0 else 0)
    if length is not None and (n is None or n < 1):
        return None
    out = text[i:] if n is None else text[i : i + int(n)]
    return out or None


def instr_fn(value: Any, sub: Any, start: Any = 1) -> Decimal | None:
    text, s = to_text(value), to_text(sub)
    if text is None or s is None:
        return None
    return Decimal(text.find(s, int(to_number(start) or 1) - 1) + 1)


def replace_fn(value: Any, old: Any, new: Any = None) -> str | None:
    text, o = to_text(value), to_text(old)
    if text is None:
        return None
    if o is None:
        return text
    return text.replace(o, to_text(new) or "") or None


def chr_fn(n: Any) -> str | None:
    v = to_number(n)
    return None if v is None else chr(int(v))


def _null_safe(fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*args: Any) -> Any:
        return None if any(a is None for a in args) else fn(*args)

    return wrapped


def _pad(left: bool) -> Callable[..., str | None]:
    def pad(value: Any, width: Any, fill: Any = " ") -> str | None:
        text, w = to_text(value), to_number(width)
        if text is None or w is None:
            return None
        f = to_text(fill) or " "
        n = int(w)
        if len(text) >= n:
            return text[:n] or None
        padding = (f * n)[: n - len(text)]
        return padding + text if left else text + padding

    return pad


def _greatest(*args: Any) -> Any:
    return None if any(a is None for a in args) else max(args)


def _least(*args: Any) -> Any:
    return None if any(a is None for a in args) else min(args)


def _coalesce(*args: Any) -> Any:
    return next((a for a in args if a is not None), None)


def _decode(value: Any, *pairs: Any) -> Any:
    for i in range(0, len(pairs) - 1, 2):
        if value == pairs[i] or (value is None and pairs[i] is None):
            return pairs[i + 1]
    return pairs[-1] if len(pairs) % 2 else None


def _trim(which: str) -> Callable[..., str | None]:
    def fn(value: Any, chars: Any = None) -> str | None:
        text = to_text(value)
        if text is None:
            return None
        c = to_text(chars) or " "
        out = {"L": text.lstrip, "R": text.rstrip, "B": text.strip}[which](c)
        return out or None

    return fn


# name -> (min args, max args, function); SYSDATE and friends take no parentheses.
FUNCTIONS: dict[str, tuple[int, int, Callable[..., Any]]] = {
    "nvl": (2, 2, lambda a, b: b if a is None else a),
    "nvl2": (3, 3, lambda a, b, c: c if a is None else b),
    "coalesce": (1, 99, _coalesce),
    "decode": (3, 99, _decode),
    "to_char": (1, 3, to_char_fn),
    "to_number": (1, 3, lambda v, *_: to_number(v)),
    "to_date": (1, 3, to_date_fn),
    "trunc": (1, 2, trunc_fn),
    "round": (1, 2, round_fn),
    "substr": (2, 3, substr_fn),
    "instr": (2, 3, instr_fn),
    "length": (1, 1, lambda v: None if to_text(v) is None else Decimal(len(to_text(v) or ""))),
    "upper": (1, 1, lambda v: None if v is None else (to_text(v) or "").upper()),
    "lower": (1, 1, lambda v: None if v is None else (to_text(v) or "").lower()),
    "trim": (1, 1, _trim("B")),
    "ltrim": (1, 2, _trim("L")),
    "rtrim": (1, 2, _trim("R")),
    "lpad": (2, 3, _pad(True)),
    "rpad": (2, 3, _pad(False)),
    "replace": (2, 3, replace_fn),
    "chr": (1, 1, chr_fn),
    "abs": (1, 1, _null_safe(lambda v: abs(to_number(v)))),  # type: ignore[arg-type]
    "sign": (
        1,
        1,
        _null_safe(lambda v: Decimal((to_number(v) or 0) > 0) - ((to_number(v) or 0) < 0)),
    ),
    "mod": (2, 2, _null_safe(lambda a, b: to_number(a) % to_number(b))),  # type: ignore[operator]
    "greatest": (1, 99, _greatest),
    "least": (1, 99, _least),
    "add_months": (2, 2, _null_safe(lambda d, n: _add_months(to_date(d), int(to_number(n) or 0)))),
}

NO_ARG = frozenset({"sysdate", "sqlcode", "sqlerrm", "user", "systimestamp"})


def _add_months(d: dt.datetime | None, n: int) -> dt.datetime | None:
    if d is None:
        return None
    month = d.month - 1 + n
    year, month = d.year + month // 12, month % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return d.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return None  # pragma: no cover
