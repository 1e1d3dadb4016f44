"""RFC_READ_TABLE, paged and split, into polars frames of text (docs/specs/sap.md §2.3).

A row of DATA holds at most 512 bytes, so the wanted fields are split into groups that
each fit (every group carries the table key so the parts can be joined). Pages are disjoint
key ranges in OPTIONS, never ROWSKIPS (the module has no ORDER BY; docs/specs/sap.md §8); the
other groups are fetched for each page by key, so memory stays flat for any volume. Values
are cut out of each row by the OFFSET and LENGTH that SAP returns in FIELDS, not split on the
delimiter: a text field may contain it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import polars as pl

from adapters.errors import TransportError
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


class DuplicateRows(TransportError):
    """A key came back twice across the partitions of one read: the result is not trustworthy."""


def _bound(field: str, lo: str | None, lo_inclusive: bool, hi: str | None) -> list[str]:
    """OPTIONS conditions of one key range: lo <= / < field < hi (either end open)."""
    out = []
    if lo is not None:
        out.append(f"{field} {'>=' if lo_inclusive else '>'} {quote(lo)}")
    if hi is not None:
        out.append(f"{field} < {quote(hi)}")
    return out


Range = tuple[str | None, bool, str | None]  # (lo, lo inclusive, hi exclusive)


def partitions(
    transport: SapTransport,
    table: str,
    split: str,
    where: Sequence[str],
    page_size: int,
    probe: int,
) -> Iterator[list[str]]:
    """Disjoint key ranges of `split` that cover every row of the WHERE set, each of at most
    `page_size` rows (a single value may exceed it: it cannot be cut by this field).

    Sized from a count: a probe reads only `split` for a range, up to `probe` + 1 rows. If the
    whole range came back, its values are cut into ranges of `page_size` rows; if not, the range
    is halved at the median of what came back (any subset's median splits it) and each half is
    probed again. Nothing relies on the order of the answer: RFC_READ_TABLE has none.
    """
    stack: list[Range] = [(None, True, None)]
    while stack:
        lo, lo_inclusive, hi = stack.pop()
        bounds = _bound(split, lo, lo_inclusive, hi)
        answer = transport.call(
            "RFC_READ_TABLE",
            QUERY_TABLE=table,
            DELIMITER="|",
            ROWCOUNT=probe + 1,
            OPTIONS=option_lines([*where, *bounds]),
            FIELDS=[{"FIELDNAME": split}],
            DATA=[],
        )
        values = sorted(str(r["WA"]).strip() for r in answer["DATA"])
        if len(values) <= probe:
            yield from _cut(split, values, lo, lo_inclusive, hi, page_size)
            continue
        distinct = sorted(set(values))
        if len(distinct) == 1:  # one value with more rows than a probe: read it alone
            (only,) = distinct
            yield [f"{split} = {quote(only)}"]
            stack.append((only, False, hi))
            if lo is None or lo < only:
                stack.append((lo, lo_inclusive, only))
            continue
        middle = distinct[len(distinct) // 2]
        stack += [(middle, True, hi), (lo, lo_inclusive, middle)]  # left half popped first


def _cut(
    split: str,
    values: list[str],
    lo: str | None,
    lo_inclusive: bool,
    hi: str | None,
    page_size: int,
) -> Iterator[list[str]]:
    """A fully counted range as sub-ranges of at most `page_size` rows, covering all of it."""
    if not values:
        return
    starts: list[str] = []
    count = 0
    for i, value in enumerate(values):
        if count >= page_size and value != values[i - 1]:
            starts.append(value)
            count = 0
        count += 1
    edges: list[tuple[str | None, bool]] = [(lo, lo_inclusive), *((s, True) for s in starts)]
    for (start, inclusive), end in zip(edges, [*starts, hi], strict=True):
        yield _bound(split, start, inclusive, end)


def read_table(
    transport: SapTransport,
    table: str,
    fields: Sequence[str],
    *,
    where: Sequence[str] = (),
    key: Sequence[str] = (),
    page_size: int = 5000,
    lengths: dict[str, int] | None = None,
    split: str | None = None,
) -> Iterator[pl.DataFrame]:
    """Pages of `table` as text frames with one column per field, each key exactly once.

    Never paged with ROWSKIPS: the module selects with no ORDER BY and skips by counting, so on
    HANA consecutive pages may overlap and miss rows (docs/specs/sap.md §8). Each page is one
    whole partition of the key field `split` (`partitions`), read with no ROWCOUNT; the key of
    every row is remembered and a key seen twice raises `DuplicateRows`.
    """
    if not key:
        key = list(fields[:1])
    lengths = lengths or field_lengths(transport, table, list(dict.fromkeys([*key, *fields])))
    groups = split_fields(fields, lengths, key)
    split = split or (key[-1] if len(key) == 1 else _most_selective(key))
    probe = max(page_size, min(50 * page_size, 200_000 // max(1, lengths.get(split, 10))))
    seen: set[tuple[str, ...]] = set()
    for bounds in partitions(transport, table, split, where, page_size, probe):
        first = transport.call(
            "RFC_READ_TABLE",
            QUERY_TABLE=table,
            DELIMITER="|",
            OPTIONS=option_lines([*where, *bounds]),
            FIELDS=[{"FIELDNAME": f} for f in groups[0]],
            DATA=[],
        )
        page = _frame(first)
        if page.height == 0:
            continue
        keys = list(page.select(key).iter_rows())
        if len(set(keys)) != len(keys) or not seen.isdisjoint(keys):
            twice = next(k for k in keys if k in seen or keys.count(k) > 1)
            raise DuplicateRows(
                transport.system,
                f"RFC_READ_TABLE {table} returned key {dict(zip(key, twice, strict=True))} twice "
                "across one read: the table changed under the read, or the partitions overlap",
            )
        seen.update(keys)
        for group in groups[1:]:
            page = page.join(
                _by_key(transport, table, group, [*where, *bounds], key, page),
                on=list(key),
                how="left",
            )
        yield page.select([f for f in dict.fromkeys([*key, *fields])])


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
