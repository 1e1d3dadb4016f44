"""The Oracle transport shape: SQL text in, row chunks out; PL/SQL blocks in, OUT binds out.

Both transports send the same Oracle text (docs/specs/oracle.md: "both transports send the same
text"). Queries page by keyset: every paged statement ends in
`... AND <key> > :after ORDER BY <key> FETCH FIRST :page_rows ROWS ONLY`, so an ORDS request
never re-runs a query from the start (offset does) and memory stays flat on both transports.
Chunks are polars frames with Oracle's (upper-case) column names; NUMBER(p, 0) as Int64,
other numbers as Decimal (never float), DATE as Datetime.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, cast

import polars as pl

_LITERALS = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.DOTALL)
_PLACEHOLDER = re.compile(r"(?<![\w:]):([A-Za-z][\w$#]*|\d+)")


def placeholders(statement: str) -> set[str]:
    """The bind names a statement uses (lower case), outside literals and comments."""
    code = _LITERALS.sub(" ", statement)
    return {m.group(1).lower() for m in _PLACEHOLDER.finditer(code)}


def used_binds(statement: str, binds: Mapping[str, Any]) -> dict[str, Any]:
    """Only the binds the statement names: python-oracledb thin raises DPY-4008 ("no bind
    placeholder named ... was found in the SQL text") for any other, thick mode ORA-01036
    (python-oracledb src/oracledb/errors.py ERR_INVALID_BIND_NAME;
    https://python-oracledb.readthedocs.io/en/latest/user_guide/bind.html)."""
    used = placeholders(statement)
    return {k: v for k, v in binds.items() if k.lower() in used}


#: Where a query has no keyset (a lookup): one page of at most this many rows.
LOOKUP_ROWS = 10_000


@dataclass(frozen=True)
class Out:
    """An OUT bind of a PL/SQL block: `binds["status"] = Out(str)`; the result has its value."""

    type: type = str
    size: int = 32767


OUT_TEXT = Out(str)
OUT_NUMBER = Out(Decimal)


@dataclass(frozen=True)
class Keyset:
    """Keyset paging of a query: the key column (as selected), its first value, page size."""

    column: str
    start: Any = 0
    page_rows: int = 5000


class OracleTransport(Protocol):
    """Moves SQL and PL/SQL to EBS; knows nothing of OTC."""

    system: str

    def query(
        self, sql: str, binds: Mapping[str, Any], *, keyset: Keyset | None = None
    ) -> Iterator[pl.DataFrame]:
        """Rows in chunks; with `keyset`, the statement's `:after`/`:page_rows` are driven here."""
        ...

    def run_plsql(
        self, block: str, binds: Mapping[str, Any], *, writes: bool = True
    ) -> dict[str, Any]:
        """Run an anonymous block; returns its OUT binds (lower-case names, no ':').

        On success the work is committed (ORDS commits by itself; oracledb commits here),
        unless the block rolled back itself. `writes` says whether a lost answer is an
        unknown outcome (`OutcomeUnknown`) or simply worth a retry (`TransientError`).
        """
        ...

    def close(self) -> None: ...


def polars_type(type_name: str, precision: int | None, scale: int | None) -> pl.DataType:
    """An Oracle column type as a polars dtype: ids Int64, money Decimal, never Float64."""
    name = type_name.upper()
    if name in ("NUMBER", "INTEGER", "FLOAT", "DECIMAL"):
        p, s = int(precision or 0), int(scale or 0)
        if p and s <= 0 and p <= 18:
            return pl.Int64()
        if p and s > 0:
            return pl.Decimal(min(max(p, s + 1), 38), s)
        return pl.Decimal(38, 10)  # NUMBER without precision: exact, wide enough for money
    if name in ("DATE", "TIMESTAMP"):
        return pl.Datetime("us")
    return pl.String()


def frame_from_rows(
    columns: list[tuple[str, pl.DataType]],
    rows: Sequence[Mapping[str, Any]] | Sequence[tuple[Any, ...]],
) -> pl.DataFrame:
    """A typed frame from row dicts (keyed by column name) or tuples, Decimal kept exact."""
    names = [c for c, _ in columns]
    data: dict[str, list[Any]]
    if rows and isinstance(rows[0], Mapping):
        dicts = cast("Sequence[Mapping[str, Any]]", rows)
        data = {n: [r.get(n) for r in dicts] for n in names}
    else:
        cols = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        data = {n: list(v) for n, v in zip(names, cols, strict=True)}
    return frame_from_columns(columns, data)


def frame_from_columns(
    columns: list[tuple[str, pl.DataType]], data: Mapping[str, list[Any]]
) -> pl.DataFrame:
    """A typed frame from one value list per column (the bulk-pull path: no per-row dicts)."""
    series = []
    for n, dtype in columns:
        values = data[n]
        if isinstance(dtype, pl.Decimal):
            values = [_decimal(v) for v in values]
        elif dtype == pl.Int64:
            values = [v if type(v) is int or v is None else int(v) for v in values]
        elif isinstance(dtype, pl.Datetime):
            values = _datetimes(values)
        else:
            values = [v if type(v) is str or v is None else str(v) for v in values]
        series.append(pl.Series(n, values, dtype=dtype, strict=False))
    return pl.DataFrame(series)


def _decimal(value: Any) -> Decimal | None:
    """Exact: a Decimal as it is, anything else through its text (never through float)."""
    if value is None or type(value) is Decimal:
        return value
    return Decimal(str(value))


def _datetimes(values: list[Any]) -> list[Any]:
    """`_datetime` of every value; each distinct text parsed once (ORDS: dates repeat a lot)."""
    seen: dict[str, Any] = {}
    out: list[Any] = []
    for value in values:
        if type(value) is not str:
            out.append(_datetime(value))
        elif (known := seen.get(value)) is not None:
            out.append(known)
        else:
            seen[value] = converted = _datetime(value)
            out.append(converted)
    return out


def _datetime(value: Any) -> Any:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = str(value).replace("Z", "")
    return datetime.fromisoformat(text).replace(tzinfo=None)
