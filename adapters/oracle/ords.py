"""ORDS REST-Enabled SQL: `POST {url}/ords/{schema}/_/sql` over httpx (docs/specs/oracle.md §5.2).

Every request is its own database session that commits on success and rolls back on an ORA
error; an API's E status is no error to ORDS, so the blocks roll themselves back
(adapters/oracle/plsql.py). Paging is by keyset (`offset` re-runs the query on every page);
`hasMore` is only the guard that ORDS capped a page below what we asked for. JSON numbers are
read as Decimal and written from their exact text, never through float.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx
import polars as pl

from adapters.errors import ConfigError, OutcomeUnknown, TransientError, TransportError
from adapters.gateway import ORDS_NOT_STARTED, gateway_error
from adapters.oracle.errors import classify
from adapters.oracle.transport import LOOKUP_ROWS, Keyset, Out, frame_from_columns, polars_type
from adapters.retry import read_policy

_NUMBER_MARK = "\x00num:"
_NUMBER_TOKEN = re.compile(r'"\\u0000num:(-?[0-9]+(?:\.[0-9]+)?)"')


def dumps_exact(body: Any) -> bytes:
    """JSON with Decimal written as bare numbers from their exact text."""

    def prepare(value: Any) -> Any:
        if isinstance(value, Decimal):
            return _NUMBER_MARK + format(value, "f")
        if isinstance(value, dict):
            return {k: prepare(v) for k, v in value.items()}
        if isinstance(value, list):
            return [prepare(v) for v in value]
        return value

    text = json.dumps(prepare(body), ensure_ascii=False)
    return _NUMBER_TOKEN.sub(r"\1", text).encode("utf-8")


def ords_binds(binds: Mapping[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name, value in binds.items():
        if isinstance(value, Out):
            kind = "NUMBER" if value.type in (Decimal, int) else "VARCHAR2"
            out.append({"name": name, "data_type": kind, "mode": "out"})
        elif isinstance(value, bool):
            raise TypeError(f"bind {name}: booleans do not bind; use 'Y'/'N'")
        elif isinstance(value, int | Decimal):
            out.append({"name": name, "data_type": "NUMBER", "value": Decimal(value)})
        elif isinstance(value, datetime | date):
            out.append({"name": name, "data_type": "VARCHAR2", "value": value.isoformat()[:10]})
        else:
            out.append(
                {
                    "name": name,
                    "data_type": "VARCHAR2",
                    "value": None if value is None else str(value),
                }
            )
    return out


class OrdsTransport:
    """Queries and blocks over ORDS; one httpx client per thread (connection reuse)."""

    def __init__(
        self,
        system: str,
        *,
        url: str,
        schema: str,
        user: str,
        password: str,
        timeout_s: float = 120.0,
        connect_timeout_s: float = 10.0,
    ) -> None:
        self.system = system
        self.endpoint = f"{url.rstrip('/')}/ords/{schema}/_/sql"
        self._auth = httpx.BasicAuth(user.upper(), password)
        self._timeout = httpx.Timeout(timeout_s, connect=connect_timeout_s)
        self._local = threading.local()
        self._clients: list[httpx.Client] = []
        self._lock = threading.Lock()

    def _http(self) -> httpx.Client:
        client: httpx.Client | None = getattr(self._local, "http", None)
        if client is None:
            client = httpx.Client(auth=self._auth, timeout=self._timeout)
            self._local.http = client
            with self._lock:
                self._clients.append(client)
        return client

    def _post(
        self, statement: str, binds: Mapping[str, Any], *, writes: bool, limit: int, offset: int = 0
    ) -> dict[str, Any]:
        """One request; a read (`writes=False`) retries every transient error here."""
        if writes:
            return self._post_once(statement, binds, writes=True, limit=limit, offset=offset)
        policy = read_policy()
        return dict(
            policy(self._post_once, statement, binds, writes=False, limit=limit, offset=offset)
        )

    def _post_once(
        self, statement: str, binds: Mapping[str, Any], *, writes: bool, limit: int, offset: int = 0
    ) -> dict[str, Any]:
        body = {
            "statementText": statement,
            "offset": offset,
            "limit": limit,
            "binds": ords_binds(binds),
        }
        try:
            # The body is kept in a local, not on the response: httpx (0.28) keeps every
            # Response in a reference cycle (Response <-> BoundSyncStream), so `.content` lives
            # until the cyclic GC runs, and at ~2 MB a page a long pull grew by the megabyte.
            with self._http().stream(
                "POST",
                self.endpoint,
                content=dumps_exact(body),
                headers={"Content-Type": "application/json"},
            ) as answer:
                content = b"".join(answer.iter_bytes())
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise TransientError(self.system, f"ORDS unreachable: {exc}") from exc
        except httpx.HTTPError as exc:  # sent, then the answer was lost
            detail = f"ORDS: {type(exc).__name__} after sending: {exc}"
            if writes:
                raise OutcomeUnknown(self.system, detail) from exc
            raise TransientError(self.system, detail) from exc
        status = answer.status_code
        if status in (401, 403):
            raise ConfigError(
                f"[systems.{self.system}] ORDS refused the login (HTTP {status}): check user, "
                "password_env and that the schema is REST-enabled (docs/oracle-setup.md)"
            )
        if status == 404:
            raise ConfigError(
                f"[systems.{self.system}] ORDS has no REST-Enabled SQL at {self.endpoint} "
                "(HTTP 404): check url, schema and restEnabledSql.active (docs/oracle-setup.md)"
            )
        if status in (500, 502, 503, 504):
            # a gateway's page or an ORDS failure: the block may have run and committed; only
            # ORDS's "no database connection" 503 proves it did not (adapters/gateway.py)
            raise gateway_error(
                self.system, "ORDS", status, content, writes=writes, signatures=ORDS_NOT_STARTED
            )
        if status != 200:
            text = content.decode(answer.encoding or "utf-8", errors="replace")
            raise TransportError(self.system, f"ORDS HTTP {status}: {text[:300]}")
        try:
            document = json.loads(content, parse_float=Decimal)
            item: dict[str, Any] = document["items"][0]
            item["env"] = document.get("env") or {}  # defaultTimeZone: see _result_frame
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            detail = f"ORDS answer unreadable: {exc}"
            if writes:
                raise OutcomeUnknown(self.system, detail) from exc
            raise TransientError(self.system, detail) from exc
        if "errorCode" in item:
            # ORDS rolled the session back: whatever the statement was, nothing was committed
            code = f"ORA-{int(item['errorCode']):05d}"
            raise classify(self.system, code, str(item.get("errorMessage", "")), writes=False)
        return item

    def query(
        self, sql: str, binds: Mapping[str, Any], *, keyset: Keyset | None = None
    ) -> Iterator[pl.DataFrame]:
        if keyset is None:
            offset = 0
            while True:
                item = self._post(sql, binds, writes=False, limit=LOOKUP_ROWS, offset=offset)
                frame, more = _result_frame(item)
                if frame.height:
                    yield frame
                if not more or frame.height == 0:
                    return
                offset += frame.height
        after = keyset.start
        while True:
            page = {**binds, "after": after, "page_rows": keyset.page_rows}
            item = self._post(sql, page, writes=False, limit=keyset.page_rows)
            frame, more = _result_frame(item)
            if frame.height == 0:
                return
            yield frame
            if frame.height < keyset.page_rows and not more:
                return
            after = frame[keyset.column][-1]

    def run_plsql(
        self, block: str, binds: Mapping[str, Any], *, writes: bool = True
    ) -> dict[str, Any]:
        item = self._post(block, binds, writes=writes, limit=1)
        outs: dict[str, Any] = {}
        for bind in item.get("binds") or []:
            if str(bind.get("mode", "")).lower() in ("out", "inout"):
                outs[str(bind["name"]).lower()] = bind.get("result")
        return outs

    def time_zone(self) -> str:
        """ORDS's `env.defaultTimeZone`: the zone it renders DATE values from (doctor)."""
        item = self._post("SELECT 1 one FROM dual", {}, writes=False, limit=1)
        return str((item.get("env") or {}).get("defaultTimeZone") or "UTC")

    def close(self) -> None:
        with self._lock:
            for client in self._clients:
                client.close()
            self._clients.clear()
        self._local = threading.local()


def _result_frame(item: Mapping[str, Any]) -> tuple[pl.DataFrame, bool]:
    result = item.get("resultSet") or {}
    meta = result.get("metadata") or []
    columns = [
        (
            str(m["columnName"]).upper(),
            polars_type(str(m.get("columnTypeName", "")), m.get("precision"), m.get("scale")),
        )
        for m in meta
    ]
    keys = [str(m.get("jsonColumnName") or m["columnName"]).lower() for m in meta]
    rows = result.get("items") or []
    data = {
        name: [row.get(key) for row in rows] for (name, _), key in zip(columns, keys, strict=True)
    }
    frame = frame_from_columns(columns, data)
    zone = str((item.get("env") or {}).get("defaultTimeZone") or "UTC")
    return _from_ords_zone(frame, zone), bool(result.get("hasMore"))


def _from_ords_zone(frame: pl.DataFrame, zone: str) -> pl.DataFrame:
    """ORDS takes a DATE (which has no zone) to be in its own time zone and renders it in UTC
    with a Z; `env.defaultTimeZone` says which zone that was. Converted back, the DATE is the
    database's again: on an ORDS in Europe/Berlin midnight of the 5th arrives as 23:00Z of the
    4th ("the time zone is assumed to be that in which ORDS is running and the conversion to
    Zulu is made from there": https://jsao.io/2016/10/working-with-dates-using-ords/)."""
    if zone.upper() in ("UTC", "Z", "GMT", "ETC/UTC"):
        return frame
    dates = [n for n, t in frame.schema.items() if isinstance(t, pl.Datetime)]
    if not dates:
        return frame
    return frame.with_columns(
        pl.col(n).dt.replace_time_zone("UTC").dt.convert_time_zone(zone).dt.replace_time_zone(None)
        for n in dates
    )
