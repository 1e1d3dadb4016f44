"""OData V2 on the wire as SAP Gateway speaks it: query options in, JSON ``d`` envelopes out.

Why by hand and not a generic OData server: the details clients trip over are Gateway's own:
``/Date(ms)/`` for Edm.DateTime, decimals as strings with the property's scale, ``__count`` as a
string, ``__next`` carrying ``$skiptoken``, and the error body with ``innererror.errordetails``
(https://help.sap.com/docs/SAP_NETWEAVER_750/68bf513362174d54b58cddec28794093/ , OData V2 JSON
format: https://www.odata.org/documentation/odata-version-2-0/json-format/).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from mock_erp.s4.metadata import EntitySet, Property

EPOCH = dt.date(1970, 1, 1)
MAX_TOP = 1_000_000


class ODataError(Exception):
    """An error Gateway answers with its JSON error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> bytes:
        transaction = uuid.uuid4().hex.upper()
        detail = {
            "code": self.code,
            "message": self.message,
            "propertyref": "",
            "severity": "error",
            "target": "",
        }
        return json.dumps(
            {
                "error": {
                    "code": self.code,
                    "message": {"lang": "en", "value": self.message},
                    "innererror": {
                        "transactionid": transaction,
                        "timestamp": dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S.%f")[:21],
                        "Error_Resolution": {
                            "SAP_Transaction": "For backend administrators: use ADT feed reader "
                            "'SAP Gateway Error Log' or run transaction /IWFND/ERROR_LOG",
                            "SAP_Note": "See SAP Note 1797736 for error analysis",
                        },
                        "errordetails": [detail],
                    },
                }
            }
        ).encode()


@dataclass(frozen=True)
class Query:
    select: list[str]
    filter: str | None
    top: int | None
    skip: int
    inlinecount: bool
    skiptoken: int
    orderby: list[tuple[str, str]]  # (property, "asc"|"desc")


def parse_query(params: Mapping[str, str], entity: EntitySet) -> Query:
    """System query options; an unknown property in ``$select`` is Gateway's 400."""
    select = [s.strip() for s in params.get("$select", "").split(",") if s.strip()]
    for name in select:
        if name not in entity.properties:
            raise ODataError(
                400,
                "/IWBEP/CM_MGW_RT/022",
                f"Property '{name}' at offset '0' is invalid",
            )

    def count(option: str) -> int | None:
        raw = params.get(option)
        if raw is None:
            return None
        if not raw.isdigit() or int(raw) > MAX_TOP:
            raise ODataError(400, "/IWBEP/CM_MGW_RT/000", f"Invalid system query option {option}")
        return int(raw)

    inline = params.get("$inlinecount", "none")
    if inline not in ("allpages", "none"):
        raise ODataError(400, "/IWBEP/CM_MGW_RT/000", "Invalid system query option $inlinecount")
    orderby: list[tuple[str, str]] = []
    for part in (p.strip() for p in params.get("$orderby", "").split(",")):
        if not part:
            continue
        name, _, direction = part.partition(" ")
        direction = direction.strip().lower() or "asc"
        if name not in entity.properties or direction not in ("asc", "desc"):
            raise ODataError(
                400, "/IWBEP/CM_MGW_RT/000", f"Invalid sort expression '{part}' in $orderby"
            )
        orderby.append((name, direction))
    token = params.get("$skiptoken", "0")
    if not token.isdigit():
        raise ODataError(400, "/IWBEP/CM_MGW_RT/000", "Invalid $skiptoken")
    return Query(
        select=select or list(entity.properties),
        filter=params.get("$filter"),
        top=count("$top"),
        skip=count("$skip") or 0,
        inlinecount=inline == "allpages",
        skiptoken=int(token),
        orderby=orderby,
    )


def typed_literal(kind: str, text: str) -> Any:
    """A ``$filter`` typed literal as the store compares it (dates as ISO text)."""
    if kind in ("datetime", "datetimeoffset"):
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            raise ODataError(
                400, "/IWBEP/CM_MGW_RT/000", f"Invalid literal {kind}'{text}'"
            ) from None
    return text


def encode(value: Any, prop: Property) -> Any:
    """One property value in Gateway's JSON form."""
    edm = prop.edm_type
    if edm == "Edm.DateTime":
        if value in (None, ""):
            return None
        day = dt.date.fromisoformat(str(value))
        return f"/Date({(day - EPOCH).days * 86_400_000})/"
    if edm == "Edm.Decimal":
        scale = prop.scale or 0
        try:
            number = Decimal(str(value)) if value not in (None, "") else Decimal(0)
        except InvalidOperation:
            number = Decimal(0)
        return str(number.quantize(Decimal(1).scaleb(-scale)))
    if edm == "Edm.Boolean":
        return bool(value) if value is not None else False
    if edm == "Edm.Time":
        return "PT00H00M00S"
    if edm in ("Edm.Int16", "Edm.Int32", "Edm.Byte"):
        return int(value or 0)
    if edm == "Edm.Int64":
        return str(int(value or 0))
    return "" if value is None else str(value)


def initial(prop: Property) -> Any:
    """What Gateway answers for a property the backend leaves initial."""
    if prop.edm_type in ("Edm.DateTime", "Edm.DateTimeOffset"):
        return None
    return encode(None, prop)


def key_predicate(entity: EntitySet, row: Mapping[str, Any]) -> str:
    parts = [f"{k}='{str(row.get(k, '')).replace(chr(39), chr(39) * 2)}'" for k in entity.keys]
    return f"{entity.name}({','.join(parts)})"


def envelope(results: list[dict[str, Any]], count: int | None, next_url: str | None) -> bytes:
    d: dict[str, Any] = {"results": results}
    if count is not None:
        d["__count"] = str(count)
    if next_url is not None:
        d["__next"] = next_url
    return json.dumps({"d": d}, separators=(",", ":")).encode()
