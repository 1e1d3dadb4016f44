"""Rows of the oracledb shim as python-oracledb ``DataFrame`` objects (Arrow PyCapsule interface).

Why oracledb's own class: ``oracledb.DataFrame._from_arrow`` wraps any Arrow stream, so what the
shim returns is the object python-oracledb 26 returns (``pyarrow.table(df)``, ``pl.DataFrame(df)``
consume it the same way). Types follow oracledb's documented NUMBER mapping (see
mock_erp/clients/oracle.py); money columns (NUMBER without precision) are DOUBLE unless a
``requested_schema`` asks for decimal128 — the exact Decimal values are then used, never a float.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import oracledb
import pyarrow as pa

MAX_INT64_PRECISION = 18  # NUMBER(p<=18, 0) -> INT64 (python-oracledb docs, data frames)


def arrow_type(meta: dict[str, Any], fetch_decimals: bool) -> pa.DataType:
    """The Arrow type python-oracledb gives a column (documented mapping)."""
    typ, prec, scale = meta["type"], int(meta["precision"]), int(meta["scale"])
    if typ == "NUMBER":
        if prec == 0:  # created without precision and scale (or an expression): DOUBLE
            return pa.float64()
        if fetch_decimals:
            return pa.decimal128(prec, max(scale, 0))
        if scale == 0 and prec <= MAX_INT64_PRECISION:
            return pa.int64()
        return pa.float64()
    if typ == "DATE":
        return pa.timestamp("s")
    return pa.large_string()


def _column(values: list[Any], typ: pa.DataType) -> pa.Array:
    if pa.types.is_floating(typ):
        values = [None if v is None else float(v) for v in values]
    elif pa.types.is_integer(typ):
        values = [None if v is None else int(v) for v in values]
    elif pa.types.is_decimal(typ):
        values = [
            None if v is None else (v if isinstance(v, Decimal) else Decimal(v)) for v in values
        ]
    return pa.array(values, type=typ)


def to_dataframe(
    meta: list[dict[str, Any]],
    rows: list[tuple[Any, ...]],
    fetch_decimals: bool,
    requested_schema: Any = None,
) -> Any:
    """Build the batch as a pyarrow Table, then wrap it in ``oracledb.DataFrame``."""
    wanted = pa.schema(requested_schema) if requested_schema is not None else None
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in meta]
    arrays, names = [], []
    for i, (m, vals) in enumerate(zip(meta, columns, strict=True)):
        typ = wanted.field(i).type if wanted is not None else arrow_type(m, fetch_decimals)
        names.append(wanted.field(i).name if wanted is not None else m["name"])
        arrays.append(_column(list(vals), typ))
    table = pa.Table.from_arrays(arrays, names=names)
    return oracledb.DataFrame._from_arrow(table)  # type: ignore[no-untyped-call]
