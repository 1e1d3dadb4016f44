"""SQLite functions that give the translated SQL Oracle's semantics: exact NUMBER, DATE, formats.

Why Python functions: SQLite has no decimal type; a NUMBER stored as canonical decimal text
(mock_erp/oracle/tables.py) would be added as REAL and compared as text (``'10' < '9'``). The
translator (mock_erp/oracle/sql.py) routes every arithmetic, comparison, aggregate and sort on
NUMBER values through these functions, which work in :class:`decimal.Decimal` and return
canonical text, so money stays exact end to end (docs/specs/oracle.md §7 item 18).

Date formats: the Oracle format models the adapter and the spec use (``YYYY-MM-DD``,
``YYYY-MM-DD HH24:MI:SS``, ``DD-MON-YYYY``, ``DD-MON-RR``, ``MON``, ``J``...); an unknown
element raises ORA-01821 (TO_DATE) / ORA-01481 (TO_CHAR of a number), as Oracle does.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import threading
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any

from mock_erp.oracle.session import OraError
from mock_erp.oracle.tables import DATE_FORMAT

ORA_CTX = Context(prec=40, rounding=ROUND_HALF_UP)  # NUMBER: 38 significant digits (+2 guard)
NLS_DATE_FORMAT = "DD-MON-RR"  # Oracle's default NLS_DATE_FORMAT (implicit date -> text)
LAST_ERROR = threading.local()  # the OraError a function raised inside SQLite (see take_error)


def take_error() -> OraError | None:
    """The OraError raised inside the last failing SQLite function call (cleared on read).

    sqlite3 turns any exception in a user function into ``OperationalError("user-defined
    function raised exception")``; the engine asks here for the real Oracle error.
    """
    err = getattr(LAST_ERROR, "err", None)
    LAST_ERROR.err = None
    return err


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        try:
            return fn(*args)
        except OraError as exc:
            LAST_ERROR.err = exc
            raise

    return call


# -- decimals --------------------------------------------------------------------------------
def to_dec(v: Any) -> Decimal | None:
    """Any stored/bound value as Decimal (None stays None); ORA-01722 when not a number."""
    if v is None:
        return None
    if isinstance(v, Decimal):
        return v
    if isinstance(v, bool):
        return Decimal(int(v))
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        return Decimal(repr(v))
    try:
        text = v.strip() if isinstance(v, str) else str(v)
        return Decimal(text)
    except (InvalidOperation, ValueError):
        err = OraError(1722, "invalid number")
        LAST_ERROR.err = err  # sqlite3 hides exceptions raised in aggregates: keep it
        raise err from None


def canon(d: Decimal | None) -> str | None:
    """Canonical NUMBER text: no exponent, no trailing zeros, ``0`` for zero (also -0)."""
    if d is None:
        return None
    if not d.is_finite():
        raise OraError(1426, "numeric overflow")
    if d == 0:
        return "0"
    d = ORA_CTX.plus(d) if len(d.as_tuple().digits) > 38 else d
    text = format(d.normalize(ORA_CTX), "f")
    return text


def _binop(fn: Callable[[Decimal, Decimal], Decimal]) -> Callable[[Any, Any], str | None]:
    def op(a: Any, b: Any) -> str | None:
        x, y = to_dec(a), to_dec(b)
        if x is None or y is None:
            return None
        return canon(fn(x, y))

    return op


def _div(x: Decimal, y: Decimal) -> Decimal:
    if y == 0:
        raise OraError(1476, "divisor is equal to zero")
    return ORA_CTX.divide(x, y)


def _mod(x: Decimal, y: Decimal) -> Decimal:
    """Oracle MOD(m, 0) = m; sign follows m (like Decimal's %)."""
    return x if y == 0 else x % y


def dcmp(a: Any, b: Any) -> int | None:
    """-1/0/1 comparing numbers exactly; None when either is NULL (SQL three-valued logic)."""
    x, y = to_dec(a), to_dec(b)
    if x is None or y is None:
        return None
    return (x > y) - (x < y)


def dkey(v: Any) -> str | None:
    """A text that sorts like the number (for ORDER BY on NUMBER stored as text)."""
    d = to_dec(v)
    if d is None:
        return None
    if d == 0:
        return "1"
    sign, digits, _ = d.normalize().as_tuple()
    exp = d.normalize().adjusted() + 5000
    text = "".join(map(str, digits)).rstrip("0") or "0"
    if not sign:
        return f"2{exp:05d}{text}"
    return f"0{99999 - exp:05d}{''.join(str(9 - int(c)) for c in text)}~"


def dround(v: Any, places: Any = 0) -> str | None:
    d, p = to_dec(v), to_dec(places)
    if d is None or p is None:
        return None
    return canon(d.quantize(Decimal(1).scaleb(-int(p)), rounding=ROUND_HALF_UP, context=ORA_CTX))


def dtrunc(v: Any, places: Any = 0) -> str | None:
    d, p = to_dec(v), to_dec(places)
    if d is None or p is None:
        return None
    return canon(d.quantize(Decimal(1).scaleb(-int(p)), rounding=ROUND_DOWN, context=ORA_CTX))


def dnorm(v: Any) -> str | None:
    """Canonical text of a value written to a NUMBER column (ORA-01722 if not a number)."""
    return canon(to_dec(v))


class DSum:
    """Exact SUM: Decimal accumulation, canonical text result (NULL when no non-null input)."""

    def __init__(self) -> None:
        self.total: Decimal | None = None

    def step(self, v: Any) -> None:
        d = to_dec(v)
        if d is not None:
            self.total = d if self.total is None else self.total + d

    def finalize(self) -> str | None:
        return canon(self.total)


class DAvg(DSum):
    def __init__(self) -> None:
        super().__init__()
        self.n = 0

    def step(self, v: Any) -> None:
        if v is not None:
            self.n += 1
        super().step(v)

    def finalize(self) -> str | None:
        return None if self.total is None else canon(ORA_CTX.divide(self.total, Decimal(self.n)))


class DMin:
    pick = min

    def __init__(self) -> None:
        self.best: Decimal | None = None

    def step(self, v: Any) -> None:
        d = to_dec(v)
        if d is not None:
            self.best = d if self.best is None else type(self).pick(self.best, d)

    def finalize(self) -> str | None:
        return canon(self.best)


class DMax(DMin):
    pick = max


# -- dates ----------------------------------------------------------------------------------
def parse_stored(v: Any) -> dt.datetime | None:
    """A stored/bound DATE value (storage text, ISO text, date, datetime) as datetime."""
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None, microsecond=0)
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, str):
        text = v.strip().replace("T", " ").rstrip("Z")
        for fmt in (DATE_FORMAT, "%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S.%f"):
            try:
                return dt.datetime.strptime(text, fmt).replace(microsecond=0)
            except ValueError:
                continue
        parsed: dt.datetime | None = to_date(v, NLS_DATE_FORMAT, raw=True)
        return parsed
    raise OraError(932, "inconsistent datatypes: expected DATE got NUMBER")


def store_date(d: dt.datetime | None) -> str | None:
    return None if d is None else d.strftime(DATE_FORMAT)


def as_date(v: Any) -> str | None:
    """Normalise a value compared with / written to a DATE column to storage text."""
    return store_date(parse_stored(v))


_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
_ELEMENTS = (
    "YYYY",
    "HH24",
    "HH12",
    "MONTH",
    "MON",
    "DAY",
    "DY",
    "YY",
    "RR",
    "MM",
    "DD",
    "HH",
    "MI",
    "SS",
    "AM",
    "PM",
    "FM",
    "FX",
    "J",
    "D",
    "Q",
)
_TOKEN = re.compile("|".join(_ELEMENTS) + r'|"[^"]*"|[-/,.:;\sT]', re.IGNORECASE)


def _tokens(fmt: str) -> list[str]:
    out, pos = [], 0
    while pos < len(fmt):
        m = _TOKEN.match(fmt, pos)
        if not m:
            raise OraError(1821, "date format not recognized")
        out.append(m.group(0))
        pos = m.end()
    return out


def to_char_date(v: Any, fmt: Any = None) -> str | None:
    d = parse_stored(v)
    if d is None:
        return None
    out = []
    for tok in _tokens(str(fmt) if fmt is not None else NLS_DATE_FORMAT):
        up = tok.upper()
        month, day = _MONTHS[d.month - 1], _DAYS[d.weekday()]
        value = {
            "YYYY": f"{d.year:04d}",
            "YY": f"{d.year % 100:02d}",
            "RR": f"{d.year % 100:02d}",
            "MM": f"{d.month:02d}",
            "DD": f"{d.day:02d}",
            "HH24": f"{d.hour:02d}",
            "HH": f"{(d.hour % 12) or 12:02d}",
            "HH12": f"{(d.hour % 12) or 12:02d}",
            "MI": f"{d.minute:02d}",
            "SS": f"{d.second:02d}",
            "MON": month,
            "MONTH": f"{dt.date(2000, d.month, 1).strftime('%B').upper():<9}",
            "DY": day[:3],
            "DAY": f"{day:<9}",
            "AM": "AM" if d.hour < 12 else "PM",
            "PM": "AM" if d.hour < 12 else "PM",
            "J": str(d.toordinal() + 1721424),
            "D": str((d.isoweekday() % 7) + 1),
            "Q": str((d.month - 1) // 3 + 1),
            "FM": "",
            "FX": "",
        }.get(up)
        if value is None:
            value = tok[1:-1] if tok.startswith('"') else tok
        elif tok[:1].islower() and up in {"MON", "MONTH", "DY", "DAY"}:
            value = value.lower() if tok[1:2].islower() else value.capitalize()
        out.append(value)
    return "".join(out)


def to_date(v: Any, fmt: Any = None, raw: bool = False) -> Any:
    """TO_DATE(text, format) as storage text (``raw``: datetime); ORA-01861/01843/01847."""
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime | dt.date):
        d = parse_stored(v)
        return d if raw else store_date(d)
    text = str(v).strip()
    fmt_text = NLS_DATE_FORMAT if fmt is None else str(fmt)
    if "%" in fmt_text:
        fmt_text = _from_strftime(fmt_text)
    parts: dict[str, int] = {}
    pos = 0
    pm: bool | None = None
    for tok in _tokens(fmt_text):
        up = tok.upper()
        if up in ("FM", "FX"):
            continue
        if up in ("MON", "MONTH"):
            m = re.match(r"[A-Za-z]+", text[pos:])
            name = (m.group(0) if m else "").upper()
            idx = next((i for i, mo in enumerate(_MONTHS) if name[:3] == mo), None)
            if idx is None:
                raise OraError(1843, "not a valid month")
            parts["month"] = idx + 1
            pos += len(name)
            continue
        if up in ("AM", "PM"):
            pm = text[pos : pos + 2].upper() == "PM"
            pos += 2
            continue
        width = {"YYYY": 4, "YY": 2, "RR": 2, "J": 7}.get(up, 2 if up in _ELEMENTS else 0)
        if width:
            m = re.match(rf"\d{{1,{width}}}", text[pos:])
            if not m:
                raise OraError(
                    1858, "a non-numeric character was found where a numeric was expected"
                )
            num = int(m.group(0))
            pos += len(m.group(0))
            if up == "YY":
                num += 2000
            elif up == "RR":
                num += 2000 if num < 50 else 1900
            key = {
                "YYYY": "year",
                "YY": "year",
                "RR": "year",
                "MM": "month",
                "DD": "day",
                "HH24": "hour",
                "HH": "hour12",
                "HH12": "hour12",
                "MI": "minute",
                "SS": "second",
                "J": "julian",
            }.get(up)
            if key:
                parts[key] = num
            continue
        lit = tok[1:-1] if tok.startswith('"') else tok
        if text[pos : pos + len(lit)] != lit and not (lit.isspace() or lit in "-/,.:;"):
            raise OraError(1861, "literal does not match format string")
        pos += len(lit) if text[pos : pos + len(lit)] == lit else 0
    if text[pos:].strip():
        raise OraError(1830, "date format picture ends before converting entire input string")
    if "julian" in parts:
        d = dt.datetime.fromordinal(parts["julian"] - 1721424)
        return d if raw else store_date(d)
    hour = parts.get("hour", 0)
    if "hour12" in parts:
        hour = parts["hour12"] % 12 + (12 if pm else 0)
    today = dt.date.today()
    try:
        d = dt.datetime(
            parts.get("year", today.year),
            parts.get("month", today.month),
            parts.get("day", 1),
            hour,
            parts.get("minute", 0),
            parts.get("second", 0),
        )
    except ValueError:
        if not 1 <= parts.get("month", 1) <= 12:
            raise OraError(1843, "not a valid month") from None
        raise OraError(1847, "day of month must be between 1 and last day of month") from None
    return d if raw else store_date(d)


def _from_strftime(fmt: str) -> str:
    """sqlglot rewrites TO_DATE formats to strftime; map them back to Oracle elements."""
    table = {
        "%Y": "YYYY",
        "%y": "YY",
        "%m": "MM",
        "%d": "DD",
        "%H": "HH24",
        "%I": "HH12",
        "%M": "MI",
        "%S": "SS",
        "%b": "MON",
        "%B": "MONTH",
        "%a": "DY",
        "%A": "DAY",
        "%p": "AM",
        "%j": "DDD",
    }
    out = re.sub(r"%[A-Za-z]", lambda m: table.get(m.group(0), m.group(0)), fmt)
    if "%" in out or "DDD" in out:
        raise OraError(1821, "date format not recognized")
    return out


def trunc_date(v: Any, unit: Any = "DD") -> str | None:
    d = parse_stored(v)
    if d is None:
        return None
    u = str(unit or "DD").upper().strip("'")
    if u in ("DD", "DDD", "J", "DAY_", "D_"):
        d = d.replace(hour=0, minute=0, second=0)
    elif u in ("MM", "MON", "MONTH", "RM"):
        d = dt.datetime(d.year, d.month, 1)
    elif u in ("YYYY", "YEAR", "YY", "Y", "SYYYY"):
        d = dt.datetime(d.year, 1, 1)
    elif u in ("Q",):
        d = dt.datetime(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    elif u in ("HH", "HH24", "HH12"):
        d = d.replace(minute=0, second=0)
    elif u == "MI":
        d = d.replace(second=0)
    else:
        raise OraError(1898, "too many precision specifiers")
    return store_date(d)


def date_add(v: Any, days: Any) -> str | None:
    d, n = parse_stored(v), to_dec(days)
    if d is None or n is None:
        return None
    seconds = (n * 86400).to_integral_value(rounding=ROUND_HALF_UP)
    return store_date(d + dt.timedelta(seconds=int(seconds)))


def date_diff(a: Any, b: Any) -> str | None:
    x, y = parse_stored(a), parse_stored(b)
    if x is None or y is None:
        return None
    return canon(ORA_CTX.divide(Decimal(int((x - y).total_seconds())), Decimal(86400)))


def add_months(v: Any, n: Any) -> str | None:
    """ADD_MONTHS: last day of month stays last day (Oracle rule)."""
    import calendar

    d, k = parse_stored(v), to_dec(n)
    if d is None or k is None:
        return None
    total = d.year * 12 + d.month - 1 + int(k)
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    is_last = d.day == calendar.monthrange(d.year, d.month)[1]
    return store_date(
        d.replace(year=year, month=month + 1, day=last if is_last else min(d.day, last))
    )


def last_day(v: Any) -> str | None:
    import calendar

    d = parse_stored(v)
    if d is None:
        return None
    return store_date(d.replace(day=calendar.monthrange(d.year, d.month)[1]))


def greatest(*args: Any) -> Any:
    """GREATEST/LEAST: NULL if any argument is NULL (Oracle), numbers compared exactly."""
    return _pick(args, max)


def least(*args: Any) -> Any:
    return _pick(args, min)


def _pick(args: tuple[Any, ...], fn: Callable[..., Any]) -> Any:
    if any(a is None for a in args):
        return None
    if all(isinstance(a, int | float | Decimal) or _is_num_text(a) for a in args):
        return canon(fn(to_dec(a) for a in args))
    return fn(str(a) for a in args)


def _is_num_text(a: Any) -> bool:
    if not isinstance(a, str):
        return False
    try:
        Decimal(a)
    except InvalidOperation:
        return False
    return True


# -- numbers as text ------------------------------------------------------------------------
def to_char_num(v: Any, fmt: Any = None) -> str | None:
    """TO_CHAR(number[, format]): ``.5`` for 0.5 without a format, as Oracle prints it."""
    d = to_dec(v)
    if d is None:
        return None
    if fmt is None:
        text = canon(d) or "0"
        if text.startswith("0."):
            return text[1:]
        if text.startswith("-0."):
            return "-" + text[2:]
        return text
    f = str(fmt).upper()
    fm = f.startswith("FM")
    f = f[2:] if fm else f
    if not re.fullmatch(r"[09,G]*([.D][09]*)?", f):
        raise OraError(1481, "invalid number format model")
    f = f.replace("G", ",").replace("D", ".")
    int_part, _, frac_part = f.partition(".")
    places = len(frac_part)
    q = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=ORA_CTX)
    sign, digits, _exp = q.as_tuple()
    s = "".join(map(str, digits)).rjust(places + 1, "0")
    whole, frac = (s[: len(s) - places], s[len(s) - places :]) if places else (s, "")
    whole = whole.lstrip("0")
    int_digits = int_part.replace(",", "")
    if len(whole) > len(int_digits):
        return "#" * (len(f) + 1)
    min_len = len(int_digits) - int_digits.find("0") if "0" in int_digits else 0
    whole = whole.rjust(min_len, "0")
    grouped = ""
    digits_left = list(whole)
    for ch in reversed(int_part):  # rebuild with group separators where the model has them
        if not digits_left:
            break
        grouped = ("," if ch == "," else digits_left.pop()) + grouped
    grouped = "".join(digits_left) + grouped
    body = grouped + ("." + frac if places or "." in f else "")
    body = ("-" if sign and q != 0 else "") + body
    if fm:
        return body
    return body.rjust(len(f) + 1)


def concat(a: Any, b: Any) -> str | None:
    """Oracle ``||``: NULL acts as '' (the result is NULL only if both are)."""
    if a is None and b is None:
        return None
    return _text(a) + _text(b)


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return to_char_num(v) or ""
    return str(v)


def deq(a: Any, b: Any) -> int:
    """DECODE's match: NULL matches NULL; numbers compare as numbers."""
    if a is None or b is None:
        return int(a is None and b is None)
    if isinstance(a, int | float) or isinstance(b, int | float):
        try:
            return int(to_dec(a) == to_dec(b))
        except OraError:
            return 0
    return int(str(a) == str(b))


def din(x: Any, *items: Any) -> int | None:
    """``x IN (...)`` with exact numbers; NULL when no match and a NULL was involved."""
    if x is None:
        return None
    saw_null = False
    for it in items:
        c = dcmp(x, it)
        if c is None:
            saw_null = True
        elif c == 0:
            return 1
    return None if saw_null else 0


def to_number(v: Any, fmt: Any = None) -> str | None:
    if v is None:
        return None
    if isinstance(v, str) and fmt is not None:
        v = v.replace(",", "").strip()
    return canon(to_dec(v))


def register(conn: sqlite3.Connection, now: Callable[[], str]) -> None:
    """Register every function on the connection (names start with ``ora_``)."""
    det = {"deterministic": True}
    for name, fn, n in [
        ("ora_dadd", _binop(ORA_CTX.add), 2),
        ("ora_dsub", _binop(ORA_CTX.subtract), 2),
        ("ora_dmul", _binop(ORA_CTX.multiply), 2),
        ("ora_ddiv", _binop(_div), 2),
        ("ora_dmod", _binop(_mod), 2),
        ("ora_dneg", lambda a: canon(-d) if (d := to_dec(a)) is not None else None, 1),
        ("ora_dabs", lambda a: canon(abs(d)) if (d := to_dec(a)) is not None else None, 1),
        ("ora_dcmp", dcmp, 2),
        ("ora_dkey", dkey, 1),
        ("ora_dnorm", dnorm, 1),
        ("ora_dround", dround, 2),
        ("ora_dtrunc", dtrunc, 2),
        ("ora_to_number", to_number, -1),
        ("ora_to_char_num", to_char_num, -1),
        ("ora_to_char_date", to_char_date, -1),
        ("ora_to_date", to_date, -1),
        ("ora_as_date", as_date, 1),
        ("ora_trunc_date", trunc_date, 2),
        ("ora_date_add", date_add, 2),
        ("ora_date_diff", date_diff, 2),
        ("ora_add_months", add_months, 2),
        ("ora_last_day", last_day, 1),
        ("ora_greatest", greatest, -1),
        ("ora_least", least, -1),
        ("ora_concat", concat, 2),
        ("ora_deq", deq, 2),
        ("ora_din", din, -1),
        ("ora_chr", lambda n: None if n is None else chr(int(n)), 1),
    ]:
        conn.create_function(name, n, _guard(fn), **det)  # type: ignore[arg-type]
    conn.create_function("ora_sysdate", 0, now)
    conn.create_aggregate("ora_dsum", 1, DSum)  # type: ignore[arg-type]
    conn.create_aggregate("ora_davg", 1, DAvg)  # type: ignore[arg-type]
    conn.create_aggregate("ora_dmin", 1, DMin)  # type: ignore[arg-type]
    conn.create_aggregate("ora_dmax", 1, DMax)  # type: ignore[arg-type]
