"""RFC_READ_TABLE, paged and split, into polars frames of text (docs/specs/sap.md §2.3).

A row of DATA holds at most 512 bytes, so the wanted fields are split into groups that
each fit (every group carries the table key so the parts can be joined). The first group
is paged with ROWSKIPS/ROWCOUNT; the others are fetched for each page by key, so memory
stays flat for any volume. Values are cut out of each row by the OFFSET and LENGTH that
SAP returns in FIELDS, not split on the delimiter: a text field may contain it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import polars as pl

from adapters.sap.transport import SapTransport

ROW_LIMIT = 512
OPTION_LINE = 72


def quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def option_lines(conditions: Sequence[str]) -> list[dict[str, str]]:
    """WHERE conditions joined by AND, cut into OPTIONS lines of at most 72 characters."""
    lines: list[str] = []
    current = ""
    tokens: list[str] = []
    for i, condition in enumerate(conditions):
        if i:
            tokens.append("AND")
        tokens += condition.split(" ")
    for token in tokens:
        candidate = f"{current} {token}" if current else token
        if len(candidate) > OPTION_LINE:
            lines.append(current)
            current = token
        else:
            current = candidate
    if current:
        lines.append(current)
    return [{"TEXT": line} for line in lines]


def in_list(field: str, values: Sequence[str]) -> str:
    return f"{field} IN ( " + " , ".join(quote(v) for v in values) + " )"


def field_lengths(transport: SapTransport, table: str, fields: Sequence[str]) -> dict[str, int]:
    """DDIC lengths of `fields`, asked of SAP itself (NO_DATA: FIELDS filled, no rows)."""
    result = transport.call(
        "RFC_READ_TABLE",
        QUERY_TABLE=table,
        NO_DATA="X",
        DELIMITER="|",
        OPTIONS=[],
        FIELDS=[{"FIELDNAME": f} for f in fields],
        DATA=[],
    )
    return {str(f["FIELDNAME"]).strip(): int(f["LENGTH"]) for f in result["FIELDS"]}


def split_fields(
    fields: Sequence[str], lengths: dict[str, int], key: Sequence[str], limit: int = ROW_LIMIT
) -> list[list[str]]:
    """Groups of fields whose row (with '|' between values) fits in `limit` bytes."""
    key_width = sum(lengths[k] for k in key) + len(key)
    groups: list[list[str]] = []
    current: list[str] = list(key)
    width = key_width
    for field in fields:
        if field in key:
            continue
        size = lengths[field] + 1
        if width + size > limit and len(current) > len(key):
            groups.append(current)
            current, width = list(key), key_width
        current.append(field)
        width += size
    groups.append(current)
    return groups


def _frame(result: dict[str, Any]) -> pl.DataFrame:
    fields = [
        (str(f["FIELDNAME"]).strip(), int(f["OFFSET"]), int(f["LENGTH"])) for f in result["FIELDS"]
    ]
    rows = pl.DataFrame({"WA": [r["WA"] for r in result["DATA"]]}, schema={"WA": pl.String})
    return rows.select(
        pl.col("WA").str.slice(offset, length).str.strip_chars().fill_null("").alias(name)
        for name, offset, length in fields
    )


def read_table(
    transport: SapTransport,
    table: str,
    fields: Sequence[str],
    *,
    where: Sequence[str] = (),
    key: Sequence[str] = (),
    page_size: int = 5000,
    lengths: dict[str, int] | None = None,
) -> Iterator[pl.DataFrame]:
    """Pages of `table` as text frames with one column per field."""
    if not key:
        key = list(fields[:1])
    lengths = lengths or field_lengths(transport, table, list(dict.fromkeys([*key, *fields])))
    groups = split_fields(fields, lengths, key)
    skip = 0
    while True:
        first = transport.call(
            "RFC_READ_TABLE",
            QUERY_TABLE=table,
            DELIMITER="|",
            ROWSKIPS=skip,
            ROWCOUNT=page_size,
            OPTIONS=option_lines(where),
            FIELDS=[{"FIELDNAME": f} for f in groups[0]],
            DATA=[],
        )
        page = _frame(first)
        if page.height == 0:
            return
        for group in groups[1:]:
            page = page.join(
                _by_key(transport, table, group, where, key, page), on=list(key), how="left"
            )
        yield page.select([f for f in dict.fromkeys([*key, *fields])])
        if page.height < page_size:
            return
        skip += page_size


def _by_key(
    transport: SapTransport,
    table: str,
    group: Sequence[str],
    where: Sequence[str],
    key: Sequence[str],
    page: pl.DataFrame,
    chunk: int = 200,
) -> pl.DataFrame:
    """The other fields of a page's rows, asked for by the last key field's values."""
    last = key[-1] if len(key) == 1 else _most_selective(key)
    values = page[last].unique().to_list()
    parts = []
    for i in range(0, len(values), chunk):
        result = transport.call(
            "RFC_READ_TABLE",
            QUERY_TABLE=table,
            DELIMITER="|",
            OPTIONS=option_lines([*where, in_list(last, values[i : i + chunk])]),
            FIELDS=[{"FIELDNAME": f} for f in group],
            DATA=[],
        )
        parts.append(_frame(result))
    return pl.concat(parts).unique(subset=list(key)) if parts else pl.DataFrame()


def _most_selective(key: Sequence[str]) -> str:
    for candidate in ("BELNR", "KUNNR"):
        if candidate in key:
            return candidate
    return key[-1]


def parse_internal_amount(text: pl.Expr) -> pl.Expr:
    """RFC_READ_TABLE amount text (sign in the last position: `123.45-`) to plain text."""
    stripped = text.str.strip_chars()
    negative = stripped.str.ends_with("-")
    body = stripped.str.strip_chars_end("-").str.strip_chars()
    return pl.when(negative).then(pl.lit("-") + body).otherwise(body)
