"""Canonical files in and out: CSV, Parquet and JSON Lines, the format chosen by extension.

Money never passes through float on the way in: CSV and JSON text is checked for a plain
decimal shape and for the currency's decimals *before* it is cast (a cast to a smaller
scale rounds silently), and JSON numbers are parsed as `Decimal`. Every problem found is
reported with file, row, column and rule, all in one pass.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import polars as pl

from adapters.errors import ConfigError, ContractError, Violation
from contracts.columns import column_violations
from contracts.money import MINOR_UNITS, MONEY_DTYPE, MONEY_SCALE
from contracts.registry import entity_for
from contracts.validate import currency_rule, validate

Format = Literal["csv", "parquet", "jsonl"]
Kind = Literal["str", "int", "float", "bool", "date", "datetime", "money", "list"]

FORMATS: dict[str, Format] = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
#: File row of the frame's first row: CSV has a header line, the others do not.
ROW_BASE: dict[Format, int] = {"csv": 2, "parquet": 1, "jsonl": 1}
LIST_SEPARATOR = "|"  # CSV cells cannot hold a list; Parquet and JSON keep real lists
_PLAIN_DECIMAL = r"^[+-]?[0-9]+(\.[0-9]+)?$"
_PLAIN_DECIMAL_COMMA = r"^[+-]?[0-9]+(,[0-9]+)?$"
_INT = r"^[+-]?[0-9]+$"
#: Delimiters a CSV from a spreadsheet may use (German Excel writes `;`).
DELIMITERS = (",", ";", "\t", "|")
#: First bytes of the bank formats `otc bank parse` reads: a bank file is not a canonical one.
_BANK_FINGERPRINTS = (
    ("<", "an XML file (a camt bank statement?)"),
    ("01,", "a BAI2 bank file"),
    (":20:", "an MT940 bank statement"),
    ("{1:", "an MT940 bank statement"),
)


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV is written: `;` and the decimal comma where a locale's spreadsheet needs it."""

    delimiter: str = ","
    decimal_comma: bool = False

    def __post_init__(self) -> None:
        if len(self.delimiter) != 1 or self.delimiter in '"\r\n':
            raise ConfigError(
                f"--delimiter {self.delimiter!r}: use one character such as ';' or '\\t'"
            )
        if self.decimal_comma and self.delimiter == ",":
            raise ConfigError(
                "--decimal-comma needs another delimiter (a comma cannot separate both "
                "columns and decimals): add --delimiter ';'"
            )


COMMA = CsvDialect()


def _bank_kind(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            head = handle.read(512).decode("utf-8", errors="replace")
    except OSError:
        return None
    head = head.lstrip("\ufeff\x01\r\n\t ")
    for start, kind in _BANK_FINGERPRINTS:
        if head.startswith(start) or (start == ":20:" and "\n:20:" in head):
            return kind
    return None


def _bank_hint(path: Path, kind: str) -> str:
    return (
        f"{path} is {kind}, not a canonical file; read it with `otc bank parse {path} "
        "--out bank.csv`, or match it with `otc cash match --bank ...`"
    )


def file_format(path: Path | str) -> Format:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        kind = _bank_kind(Path(path)) if Path(path).is_file() else None
        if kind is not None:
            raise ConfigError(_bank_hint(Path(path), kind))
        raise ConfigError(
            f"{path}: unknown file type {suffix!r}; use one of {', '.join(sorted(FORMATS))}"
        )
    return FORMATS[suffix]


def schema_of(entity: str) -> dict[str, pl.DataType]:
    """The polars schema of an entity, money at the canonical scale."""
    model = entity_for(entity).model
    return {name: col.dtype.type for name, col in model.to_schema().columns.items()}


def kind_of(dtype: pl.DataType) -> Kind:
    if isinstance(dtype, pl.Decimal):
        return "money"
    if isinstance(dtype, pl.Datetime):
        return "datetime"
    if isinstance(dtype, pl.List):
        return "list"
    if dtype == pl.Date:
        return "date"
    if dtype == pl.Boolean:
        return "bool"
    if dtype.is_integer():
        return "int"
    if dtype.is_float():
        return "float"
    return "str"


def empty_frame(entity: str) -> pl.DataFrame:
    return pl.DataFrame(schema=schema_of(entity))


# ---------------------------------------------------------------- reading


def _bad_cells(
    raw: pl.DataFrame, column: str, bad: pl.Expr, rule: str, source: str, row_base: int
) -> list[Violation]:
    hits = raw.select(pl.int_range(pl.len()).alias("_i"), pl.col(column), bad.alias("_bad"))
    hits = hits.filter(pl.col("_bad"))
    return [
        Violation(source, int(i) + row_base, column, rule, None if v is None else str(v))
        for i, v in hits.select("_i", column).iter_rows()
    ]


def _too_precise_cells(
    raw: pl.DataFrame, column: str, bad: pl.Expr, source: str, row_base: int
) -> list[Violation]:
    """Too many decimals, in words naming the row's currency and its minor units."""
    currency = pl.col("currency") if "currency" in raw.columns else pl.lit(None, pl.String)
    hits = raw.select(
        pl.int_range(pl.len()).alias("_i"), pl.col(column), currency.alias("_ccy"), bad.alias("_b")
    ).filter(pl.col("_b"))
    return [
        Violation(source, int(i) + row_base, column, currency_rule(column, ccy), str(v))
        for i, v, ccy in hits.select("_i", column, "_ccy").iter_rows()
    ]


def _money_from_text(
    column: str, has_currency: bool, decimal_comma: bool = False
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(cast value, not-plain mask, too-many-decimals mask) for a text money column."""
    text = pl.col(column).str.strip_chars()
    if decimal_comma:  # `1234,56`; a `.` is grouping or a mistake, never a guess
        plain = text.str.contains(_PLAIN_DECIMAL_COMMA)
        text = text.str.replace(",", ".", literal=True)
    else:
        plain = text.str.contains(_PLAIN_DECIMAL)
    not_plain = text.is_not_null() & ~plain
    fraction = text.str.extract(r"\.([0-9]*?)0*$", 1).str.len_chars().fill_null(0)
    if has_currency:
        allowed = pl.col("currency").replace_strict(
            MINOR_UNITS, default=MONEY_SCALE, return_dtype=pl.Int64
        )
    else:
        allowed = pl.lit(MONEY_SCALE)
    too_precise = plain.fill_null(False) & (fraction > allowed)
    value = pl.when(plain & ~too_precise).then(text).cast(MONEY_DTYPE, strict=False)
    return value, not_plain, too_precise


def frame_from_text(
    raw: pl.DataFrame, entity: str, source: str, row_base: int, decimal_comma: bool = False
) -> tuple[pl.DataFrame, list[Violation]]:
    """Turn text columns into the entity's types, collecting a violation per bad cell.

    Columns the contract does not know are kept as they are, so the contract reports them.
    """
    schema = schema_of(entity)
    violations: list[Violation] = []
    exprs: list[pl.Expr] = []
    has_currency = "currency" in raw.columns
    for column in raw.columns:
        dtype = schema.get(column)
        if dtype is None or raw.schema[column] == dtype:
            exprs.append(pl.col(column))
            continue
        kind = kind_of(dtype)
        text = pl.col(column).str.strip_chars() if raw.schema[column] == pl.String else None
        if text is None:
            cast = pl.col(column).cast(dtype, strict=False)
            bad = pl.col(column).is_not_null() & cast.is_null()
            violations += _bad_cells(raw, column, bad, f"not a {kind} value", source, row_base)
            exprs.append(cast.alias(column))
            continue
        if kind == "money":
            value, not_plain, too_precise = _money_from_text(column, has_currency, decimal_comma)
            separator = "','" if decimal_comma else "'.'"
            violations += _bad_cells(
                raw,
                column,
                not_plain,
                f"not a plain decimal amount (digits and one optional {separator}; no grouping, "
                "exponent or NaN)",
                source,
                row_base,
            )
            violations += _too_precise_cells(raw, column, too_precise, source, row_base)
            exprs.append(value.alias(column))
            continue
        if kind == "int":
            value = pl.when(text.str.contains(_INT)).then(text).cast(dtype, strict=False)
            rule = "not a whole number"
        elif kind == "float":
            number = text.str.replace(",", ".", literal=True) if decimal_comma else text
            value = number.cast(dtype, strict=False)
            rule = "not a number"
        elif kind == "bool":
            lowered = text.str.to_lowercase()
            value = (
                pl.when(lowered.is_in(["true", "1", "yes", "x"]))
                .then(True)
                .when(lowered.is_in(["false", "0", "no"]))
                .then(False)
            )
            rule = "not true or false"
        elif kind == "date":
            value = text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
            rule = "not a date (YYYY-MM-DD)"
        elif kind == "datetime":
            value = text.str.to_datetime(time_unit="us", time_zone="UTC", strict=False)
            rule = "not a timestamp (ISO 8601)"
        elif kind == "list":
            value = text.str.split(LIST_SEPARATOR)
            rule = "not a list"
        else:  # pragma: no cover - strings match the schema already
            value, rule = text, "not text"
        bad = text.is_not_null() & (text != "") & value.is_null()
        violations += _bad_cells(raw, column, bad, rule, source, row_base)
        exprs.append(value.cast(dtype).alias(column))
    return raw.select(exprs), violations


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    if isinstance(value, (bool, list, dict)):
        return json.dumps(value, default=str)
    return str(value)


def _read_jsonl(path: Path) -> pl.DataFrame:
    """JSON numbers are parsed as Decimal, so `0.1` stays 0.1; scalars become text."""

    def as_text(value: Any) -> Any:
        if value is None:
            return value
        if isinstance(value, list):  # a list of scalars is a list of text, like any cell
            return [item if isinstance(item, str) else _json_text(item) for item in value]
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, Decimal):
            return format(value, "f") if value.is_finite() else str(value)
        return str(value)

    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line, parse_float=Decimal, parse_constant=str)
            except ValueError as exc:
                raise ContractError(
                    "JSON Lines",
                    str(path),
                    [Violation(str(path), number, None, f"bad JSON: {exc}", None)],
                ) from None
            if not isinstance(record, dict):
                raise ContractError(
                    "JSON Lines",
                    str(path),
                    [Violation(str(path), number, None, "not a JSON object ({...})", None)],
                )
            rows.append({k: as_text(v) for k, v in record.items()})
    if not rows:
        return pl.DataFrame()
    columns = list(dict.fromkeys(k for row in rows for k in row))
    data = {c: [row.get(c) for row in rows] for c in columns}
    return pl.DataFrame(
        data,
        schema={
            c: pl.List(pl.String) if any(isinstance(v, list) for v in data[c]) else pl.String
            for c in columns
        },
    )


def _file_error(path: Path, rule: str, row: int | None = None) -> ContractError:
    return ContractError("file", str(path), [Violation(str(path), row, None, rule, None)])


def check_utf8(path: Path, chunk: int = 1 << 20) -> None:
    """Text files must be UTF-8: name the line of the first byte that is not."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                bad = block[exc.start : exc.start + 1].hex()
                line += block[: exc.start].count(b"\n")
                raise _file_error(
                    path, f"not UTF-8 text (byte 0x{bad}); save it as UTF-8", line
                ) from None
            line += block.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise _file_error(path, "not UTF-8 text (cut off at the end)", line) from None


def _header(path: Path) -> str:
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        return handle.readline(1 << 16).lstrip("\ufeff")


def check_delimiter(path: Path, dialect: CsvDialect) -> None:
    """Name the delimiter a CSV really uses when it is not the one asked for."""
    header = _header(path)
    if dialect.delimiter in header:
        return
    counts = {d: header.count(d) for d in DELIMITERS if d != dialect.delimiter}
    used = max(counts, key=lambda d: counts[d])
    if counts[used] == 0:
        return  # one column: the contract names what is missing
    shown = "\\t" if used == "\t" else used
    hint = "drop --delimiter" if used == "," else f"pass --delimiter '{shown}'"
    comma = " (and --decimal-comma if amounts are written 1234,56)" if used == ";" else ""
    raise _file_error(path, f"this file uses `{shown}` between columns; {hint}{comma}", 1)


def read_raw(path: Path | str, dialect: CsvDialect = COMMA) -> tuple[pl.DataFrame, Format]:
    path = Path(path)
    fmt = file_format(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise _file_error(path, "the file is empty")
    if fmt != "parquet" and (kind := _bank_kind(path)) is not None:
        raise _file_error(path, _bank_hint(path, kind))
    try:
        if fmt == "csv":
            check_utf8(path)
            check_delimiter(path, dialect)
            raw = pl.read_csv(
                path, infer_schema=False, separator=dialect.delimiter, truncate_ragged_lines=False
            )
        elif fmt == "parquet":
            raw = pl.read_parquet(path)
        else:
            check_utf8(path)
            raw = _read_jsonl(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise _file_error(path, f"cannot be read as {fmt}: {str(exc).splitlines()[0]}") from None
    if raw.width == 0:
        raise _file_error(path, "the file holds no records")
    return raw, fmt


def with_optional_columns(raw: pl.DataFrame, entity: str) -> pl.DataFrame:
    """Add the optional columns a file left out, as their default text, in contract order."""
    spec = entity_for(entity)
    added = [
        pl.lit(default, pl.String).alias(column)
        for column, default in spec.optional.items()
        if column not in raw.columns
    ]
    if not added:
        return raw
    frame = raw.with_columns(added)
    known = [c for c in spec.model.to_schema().columns if c in frame.columns]
    return frame.select(known + [c for c in frame.columns if c not in known])


def read_frame(path: Path | str, entity: str, dialect: CsvDialect = COMMA) -> pl.DataFrame:
    """Read a canonical file and validate it; raise `ContractError` listing every problem.

    The columns are checked first: a missing or misspelled column is one violation, not a
    row rule failing on every row. Optional columns the file leaves out are read as null.
    """
    raw, fmt = read_raw(path, dialect)
    spec = entity_for(entity)
    if problems := column_violations(raw.columns, spec, str(path)):
        raise ContractError(spec.name, str(path), problems)
    raw = with_optional_columns(raw, spec.name)
    frame, violations = frame_from_text(
        raw, entity, str(path), ROW_BASE[fmt], decimal_comma=dialect.decimal_comma
    )
    if fmt == "parquet":
        violations += _float_money(raw, entity, str(path))
    return validate(frame, entity, source=str(path), row_base=ROW_BASE[fmt], prior=violations)


def _float_money(raw: pl.DataFrame, entity: str, source: str) -> list[Violation]:
    schema = schema_of(entity)
    return [
        Violation(source, None, c, "money stored as float; store it as decimal or text", None)
        for c, dtype in raw.schema.items()
        if c in schema and kind_of(schema[c]) == "money" and dtype.is_float()
    ]


# ---------------------------------------------------------------- writing


def money_text(column: str, currency: str | None = "currency") -> pl.Expr:
    """An amount as text with exactly its currency's decimals (`1.50` EUR, `100` JPY)."""
    if currency is None:
        return pl.col(column).cast(pl.String)
    digits = pl.col(currency).replace_strict(
        MINOR_UNITS, default=MONEY_SCALE, return_dtype=pl.Int64
    )
    branches = [
        pl.when(digits == d).then(pl.col(column).cast(pl.Decimal(38, d)).cast(pl.String))
        for d in sorted(set(MINOR_UNITS.values()) | {MONEY_SCALE})
    ]
    return pl.coalesce(branches).alias(column)


def _as_text_columns(frame: pl.DataFrame, *, keep_native: bool) -> pl.DataFrame:
    exprs: list[pl.Expr] = []
    has_currency = "currency" in frame.columns
    for column, dtype in frame.schema.items():
        kind = kind_of(dtype)
        if kind == "money":
            exprs.append(money_text(column, "currency" if has_currency else None))
        elif kind == "date":
            exprs.append(pl.col(column).dt.strftime("%Y-%m-%d"))
        elif kind == "datetime":
            exprs.append(pl.col(column).dt.strftime("%Y-%m-%dT%H:%M:%S%.6fZ"))
        elif keep_native:
            exprs.append(pl.col(column))
        elif kind == "bool":
            exprs.append(
                pl.col(column).replace_strict(
                    {True: "true", False: "false"}, return_dtype=pl.String
                )
            )
        elif kind == "list":
            exprs.append(pl.col(column).list.join(LIST_SEPARATOR))
        else:
            exprs.append(pl.col(column))
    return frame.select(exprs)


def write_frame(frame: pl.DataFrame, path: Path | str, entity: str | None = None) -> Path:
    """Write a canonical frame; with `entity` it is validated first, so files are clean."""
    path = Path(path)
    fmt = file_format(path)
    if entity is not None:
        validate(frame, entity, source=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        _as_text_columns(frame, keep_native=False).write_csv(path)
    elif fmt == "parquet":
        frame.write_parquet(path)
    else:
        _as_text_columns(frame, keep_native=True).write_ndjson(path)
    return path


def append_frames(frames: Sequence[pl.DataFrame], entity: str) -> pl.DataFrame:
    if not frames:
        return empty_frame(entity)
    return pl.concat(frames, how="vertical")


class FrameWriter:
    """Writes a stream of canonical frames to one file, page by page: memory stays flat.

    Written to a temporary name and moved into place on `close()`, so a crashed pull never
    leaves a half file that looks complete.
    """

    def __init__(self, path: Path | str, entity: str) -> None:
        self.path = Path(path)
        self.entity = entity
        self.format = file_format(self.path)
        self.rows = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = self.path.with_name(self.path.name + ".partial")
        self._handle: Any = None
        self._parquet: Any = None

    def write(self, frame: pl.DataFrame) -> None:
        frame = frame.select(list(schema_of(self.entity)))
        if self.format == "parquet":
            import pyarrow.parquet as pq

            table = frame.to_arrow()
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self._tmp, table.schema)
            self._parquet.write_table(table)
        else:
            if self._handle is None:
                self._handle = self._tmp.open("w", encoding="utf-8", newline="")
            if self.format == "csv":
                text = _as_text_columns(frame, keep_native=False)
                self._handle.write(text.write_csv(include_header=self.rows == 0))
            else:
                self._handle.write(_as_text_columns(frame, keep_native=True).write_ndjson())
        self.rows += frame.height

    def close(self) -> Path:
        if self._parquet is not None:
            self._parquet.close()
        elif self._handle is not None:
            self._handle.close()
        else:  # no rows at all: still a valid, empty file with the entity's columns
            write_frame(empty_frame(self.entity), self._tmp.with_suffix(self.path.suffix))
            self._tmp.with_suffix(self.path.suffix).replace(self._tmp)
        self._tmp.replace(self.path)
        return self.path

    def __enter__(self) -> FrameWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
        else:
            if self._parquet is not None:
                self._parquet.close()
            if self._handle is not None:
                self._handle.close()
            self._tmp.unlink(missing_ok=True)
