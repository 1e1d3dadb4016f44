"""Wire shapes of the Oracle persona: ORDS REST-Enabled SQL JSON, exact numbers (no SQL here).

Why a hand-written JSON encoder: ORDS emits NUMBER values as JSON numbers, and the mock must
not round money through float (docs/specs/oracle.md §7 item 18). ``json.dumps`` cannot write a
Decimal as a bare number, so values are serialised here: a Decimal is written from its exact
text, a DATE as ISO-8601 UTC (``2025-04-21T16:40:07Z``, the fixture's form).

Key order follows the real ORDS response in
tests/fixtures/real/oracle-ords/rest-sql-response-select-sysdate.habibdevbytes.json:
``statementId, statementType, statementPos, statementText, resultSet, response, result``;
``binds`` (request echo + ``result`` for OUT binds) and error keys follow docs/specs/oracle.md §5.2.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from mock_erp.oracle.models import Bind, Result
from mock_erp.oracle.session import OraError
from mock_erp.oracle.sql import ColumnMeta
from mock_erp.oracle.sqlfuncs import parse_stored, to_dec

# unconfirmed: docs/specs/oracle.md §5.2 open questions — errorDetails text, error HTTP status (200)
ERROR_HELP = "https://docs.oracle.com/error-help/db/ora-{code:05d}/"


def number_text(d: Decimal) -> str:
    """A Decimal as a JSON number, exactly (no exponent, no float)."""
    if not d.is_finite():
        raise ValueError(f"{d} is not a JSON number")
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def encode(value: Any) -> str:
    """JSON text of ``value``; Decimal as an exact number, datetime as ISO UTC ``Z``."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        return '"' + value.strftime("%Y-%m-%dT%H:%M:%SZ") + '"'
    if isinstance(value, dt.date):
        return '"' + value.strftime("%Y-%m-%dT00:00:00Z") + '"'
    if isinstance(value, float):
        return number_text(Decimal(repr(value)))
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(encode(v) for v in value) + "]"
    raise TypeError(f"cannot encode {type(value).__name__}")


def _dec(v: Any) -> str:
    return "null" if v is None else number_text(v) if isinstance(v, Decimal) else encode(v)


def _int(v: Any) -> str:
    return "null" if v is None else str(v) if isinstance(v, int) else encode(v)


def _date(v: Any) -> str:
    return (
        "null"
        if v is None
        else '"' + v.strftime("%Y-%m-%dT%H:%M:%SZ") + '"'
        if isinstance(v, dt.datetime)
        else encode(v)
    )


def _text(v: Any) -> str:
    return (
        "null"
        if v is None
        else json.dumps(v, ensure_ascii=False)
        if isinstance(v, str)
        else encode(v)
    )


_BY_KIND = {"dec": _dec, "int": _int, "date": _date, "text": _text}
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _raw_dec(v: Any) -> str:
    """A stored NUMBER: canonical decimal text is already the exact JSON number."""
    if v is None:
        return "null"
    if type(v) is str and _NUMBER.fullmatch(v):
        return v
    if type(v) is int:
        return str(v)
    return _dec(to_dec(v))


def _raw_date(v: Any) -> str:
    if v is None:
        return "null"
    if type(v) is str and len(v) == 19:  # storage form YYYY-MM-DD HH:MM:SS
        return '"' + v[:10] + "T" + v[11:] + 'Z"'
    return _date(parse_stored(v))


def _raw_unk(v: Any) -> str:
    return _dec(to_dec(v)) if isinstance(v, float) else encode(v)


_RAW_BY_KIND = {"dec": _raw_dec, "int": _raw_dec, "date": _raw_date, "text": _text}


def raw_encoders(columns: list[ColumnMeta]) -> list[Any]:
    """Encoders of stored values (``RowSource.fetch_raw``): no Decimal/datetime round trip."""
    return [_RAW_BY_KIND.get(c.kind, _raw_unk) for c in columns]


def value_encoders(columns: list[ColumnMeta]) -> list[Any]:
    """One encoder per column, chosen by the column's kind (a hot loop: 1M-row pulls)."""
    return [_BY_KIND.get(c.kind, encode) for c in columns]


def zoned_date_encoder(zone: str, plain: Any) -> Any:
    """ORDS renders a DATE (which has no zone) as if it were in ORDS's own time zone,
    converted to UTC with a ``Z`` (docs/specs/oracle.md, corrections;
    https://jsao.io/2016/10/working-with-dates-using-ords/) and reports the zone in
    ``env.defaultTimeZone``. East of UTC, midnight becomes the evening before."""
    tz = ZoneInfo(zone)
    seen: dict[Any, str] = {}

    def encode_date(v: Any) -> str:
        if v is None:
            return "null"
        key = v if isinstance(v, str | dt.datetime) else str(v)
        if (known := seen.get(key)) is not None:
            return known
        local = parse_stored(v) if not isinstance(v, dt.datetime) else v
        if not isinstance(local, dt.datetime):
            return str(plain(v))
        utc = local.replace(tzinfo=tz).astimezone(dt.UTC)
        seen[key] = text = '"' + utc.strftime("%Y-%m-%dT%H:%M:%SZ") + '"'
        return text

    return encode_date


def encode_rows(
    columns: list[ColumnMeta],
    rows: list[tuple[Any, ...]],
    raw: bool = False,
    zone: str = "UTC",
) -> str:
    """``[{"col": value, ...}, ...]`` fast path for result sets (keys pre-encoded); DATE
    columns as ORDS renders them from ``zone``."""
    encs = raw_encoders(columns) if raw else value_encoders(columns)
    if zone != "UTC":
        encs = [
            zoned_date_encoder(zone, f) if c.kind == "date" else f
            for c, f in zip(columns, encs, strict=True)
        ]
    pairs = [(json.dumps(c.json_name) + ":", f) for c, f in zip(columns, encs, strict=True)]
    parts = []
    for row in rows:
        parts.append("{" + ",".join(k + f(v) for (k, f), v in zip(pairs, row, strict=True)) + "}")
    return "[" + ",".join(parts) + "]"


def encode_row_lists(
    columns: list[ColumnMeta], rows: list[tuple[Any, ...]], raw: bool = False
) -> str:
    """``[[v, ...], ...]``: the shim's compact row form."""
    encs = raw_encoders(columns) if raw else value_encoders(columns)
    return (
        "["
        + ",".join(
            "[" + ",".join(f(v) for f, v in zip(encs, row, strict=True)) + "]" for row in rows
        )
        + "]"
    )


class Raw:
    """Pre-encoded JSON embedded in a structure passed to :func:`encode`."""

    def __init__(self, text: str) -> None:
        self.text = text


def _encode_with_raw(value: Any) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(f"{json.dumps(str(k))}:{_encode_with_raw(v)}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, list):
        return "[" + ",".join(_encode_with_raw(v) for v in value) + "]"
    return encode(value)


def metadata(col: ColumnMeta) -> dict[str, Any]:
    return {
        "columnName": col.name,
        "jsonColumnName": col.json_name,
        "columnTypeName": col.type_name,
        "columnClassName": col.class_name,
        "precision": col.precision,
        "scale": col.scale,
        "isNullable": 1 if col.nullable else 0,
    }


def error_fields(err: OraError, line: int) -> dict[str, Any]:
    text = str(err)
    return {
        "errorCode": err.code,
        "errorLine": line,
        "errorColumn": max(1, err.offset or 1),
        "errorMessage": text,
        "errorDetails": f"{text}\n\n{ERROR_HELP.format(code=err.code)}",
    }


def item(statement_id: int, res: Result, binds: list[Bind], zone: str = "UTC") -> dict[str, Any]:
    """One ``items[]`` entry of the ORDS response."""
    st = res.statement
    out: dict[str, Any] = {
        "statementId": statement_id,
        "statementType": res.kind,
        "statementPos": {"startLine": st.start_line, "endLine": st.end_line},
        "statementText": st.text,
    }
    if res.error is not None:
        out.update(error_fields(res.error, st.start_line))
        return out
    if res.kind == "query":
        out["resultSet"] = {
            "metadata": [metadata(c) for c in res.columns],
            "items": Raw(encode_rows(res.columns, res.rows, raw=res.raw, zone=zone)),
            "hasMore": res.has_more,
            "limit": res.limit,
            "offset": res.offset,
            "count": len(res.rows),
        }
    if binds:
        out["binds"] = [_bind_echo(b, res) for b in binds]
    out["response"] = res.response
    out["result"] = res.rowcount
    return out


def _bind_echo(b: Bind, res: Result) -> dict[str, Any]:
    echo = b.public()
    if b.mode in ("out", "inout"):
        echo["result"] = res.out_binds.get(
            b.key
        )  # unconfirmed: docs/specs/oracle.md §5.2 OUT key 'result'
    elif b.value is not None:
        echo["value"] = b.value
    return echo


def document(items: list[dict[str, Any]], zone: str = "UTC") -> bytes:
    """The whole ORDS response body; ``env.defaultTimeZone`` names the zone DATEs came from."""
    return _encode_with_raw({"env": {"defaultTimeZone": zone}, "items": items}).encode("utf-8")


def problem(status: int, code: str, message: str) -> bytes:
    """ORDS's JSON error document for HTTP-level errors [unconfirmed: exact fields]."""
    return _encode_with_raw(
        {
            "code": code,
            "title": code,
            "message": message,
            "type": f"tag:oracle.com,2020:error/{code}",
            "instance": "tag:oracle.com,2020:ecid/mock",
        }
    ).encode()
