"""An oracledb-compatible connection forwarding to the mock ERP (docs/specs/oracle.md §5.1, §7.16).

Why: the oracledb transport must be exercised in CI without an Oracle database. These classes
have python-oracledb's shapes (``connect``, ``create_pool``, Connection, Cursor, ``var``,
``description`` 7-tuples with ``oracledb.DB_TYPE_*``, ``arraysize``/``prefetchrows`` round trips,
``fetch_df_batches`` returning oracledb's own ``DataFrame``) and raise oracledb's OWN exception
classes carrying the ``_Error`` oracledb itself builds (``code``, ``full_code``, ``message``,
``isrecoverable``), so an adapter's ``except oracledb.DatabaseError`` and its classification by
``full_code`` work unchanged:

- ORA errors from the mock: ``oracledb.errors._Error("ORA-00942: ...", code=942)`` -> its
  ``exc_type`` (IntegrityError for ORA-00001, DatabaseError otherwise, as oracledb maps them);
- connection dropped by the server (fault ``drop_*``) or lost mid-call: ``DPY-4011``
  (``isrecoverable`` True), the connection is dead afterwards (``DPY-1001`` on use);
- server not reachable on connect: ``DPY-6005`` with the socket error as context;
- bad credentials: ``ORA-01017``.

Numbers, as oracledb: NUMBER(p, 0) -> int; NUMBER without precision -> int if integral else
float; ``oracledb.defaults.fetch_decimals = True`` (read at execute) or an output type handler
returning ``cursor.var(decimal.Decimal)`` -> Decimal (exact: the wire carries the decimal text).
``fetch_df_batches``: python-oracledb's documented Arrow mapping (DB_TYPE_NUMBER -> DECIMAL128
with fetch_decimals, INT64 for NUMBER(p<=18, 0), else DOUBLE; **NUMBER without precision ->
DOUBLE even with fetch_decimals**; DATE -> timestamp[s]; VARCHAR2 -> large_string). For exact
money pass ``requested_schema`` (decimal128) or select ``CAST(x AS NUMBER(p, s))``.

Where it connects: ``mock_url=`` (mock-only, e.g. ``http://127.0.0.1:8765``), else
``OTC_MOCK_ERP_URL``, else ``http://<host>:<port>`` of an EZConnect ``dsn`` (``host:port/service``).
The ORDS schema alias of the session API is ``mock_schema=`` (default ``apps``).

Sessions: one server-side session per Connection (``/ords/<schema>/_/mock-session``), kept until
``close()``; ``autocommit`` is False; uncommitted work is rolled back on close or connection
loss. Isolation: read uncommitted (see mock_erp/oracle/models.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import json
import os
import re
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import httpx
import oracledb
from oracledb import errors as _errors

from mock_erp.oracle.responses import encode

__all__ = ["Connection", "ConnectionPool", "Cursor", "Var", "connect", "create_pool"]

_DB_TYPES = {
    "NUMBER": oracledb.DB_TYPE_NUMBER,
    "VARCHAR2": oracledb.DB_TYPE_VARCHAR,
    "DATE": oracledb.DB_TYPE_DATE,
}


# -- errors: oracledb's own ---------------------------------------------------------------------
def ora_error(code: int, message: str, offset: int = 0) -> Exception:
    """The exception python-oracledb raises for ``ORA-<code>``: its class, its ``_Error``."""
    err = _errors._Error(f"ORA-{code:05d}: {message}", code=code, offset=offset)
    exc: Exception = err.exc_type(err)
    return exc


def dpy_error(num: int, cause: Exception | None = None, **args: Any) -> Exception:
    """A ``DPY-<num>`` driver error exactly as oracledb creates it."""
    exc: Exception = _errors._create_exception(num, cause=cause, **args)  # type: ignore[arg-type]
    return exc


# -- binds ---------------------------------------------------------------------------------------
class Var:
    """``cursor.var(type)``: an OUT/IN OUT bind; ``getvalue()`` after execute."""

    def __init__(
        self,
        typ: Any,
        size: int = 0,
        arraysize: int = 1,
        inconverter: Callable[..., Any] | None = None,
        outconverter: Callable[..., Any] | None = None,
    ) -> None:
        self.type = typ
        self.size = size
        self.arraysize = arraysize
        self.inconverter, self.outconverter = inconverter, outconverter
        self._values: list[Any] = [None] * max(1, arraysize)

    def getvalue(self, pos: int = 0) -> Any:
        return self._values[pos]

    def setvalue(self, pos: int, value: Any) -> None:
        self._values[pos] = self.inconverter(value) if self.inconverter else value

    @property
    def values(self) -> list[Any]:
        return list(self._values)

    @property
    def data_type(self) -> str:
        t = self.type
        if t in (Decimal, int, float, oracledb.NUMBER, oracledb.DB_TYPE_NUMBER):
            return "NUMBER"
        if t in (dt.datetime, dt.date, oracledb.DATETIME, oracledb.DB_TYPE_DATE):
            return "DATE"
        return "VARCHAR2"

    def _set_out(self, raw: Any) -> None:
        value = _out_value(raw, self.type)
        self._values[0] = (
            self.outconverter(value) if self.outconverter and value is not None else value
        )


def _out_value(raw: Any, typ: Any) -> Any:
    if raw is None:
        return None
    if typ in (Decimal,):
        return Decimal(str(raw)) if not isinstance(raw, Decimal) else raw
    if typ in (int,):
        return int(raw)
    if typ in (float,):
        return float(raw)
    if typ in (dt.datetime, dt.date, oracledb.DATETIME, oracledb.DB_TYPE_DATE):
        return dt.datetime.fromisoformat(str(raw).replace("Z", ""))
    if typ in (oracledb.NUMBER, oracledb.DB_TYPE_NUMBER):
        d = raw if isinstance(raw, Decimal) else Decimal(str(raw))
        return int(d) if d == d.to_integral_value() else float(d)
    return raw if isinstance(raw, str) else encode(raw) if isinstance(raw, Decimal) else str(raw)


def _data_type(value: Any) -> str:
    if isinstance(value, bool | int | float | Decimal):
        return "NUMBER"
    if isinstance(value, dt.datetime | dt.date):
        return "DATE"
    return "VARCHAR2"


def _wire_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0, tzinfo=None).isoformat()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


_LITERALS = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|--[^\n]*|/\*.*?\*/", re.DOTALL)
_PLACEHOLDER = re.compile(r"(?<![\w:]):([A-Za-z][\w$#]*|\d+)")


def _check_bind_names(statement: str, params: Any) -> None:
    """Thin mode parses the statement's placeholders (outside literals and comments) and
    refuses a named bind the text does not use with DPY-4008 before anything is sent
    (python-oracledb src/oracledb/impl/thin/statement.pyx, errors.py ERR_INVALID_BIND_NAME:
    'no bind placeholder named ":{name}" was found in the SQL text'); thick mode gets ORA-01036
    from the server instead."""
    if not isinstance(params, dict):
        return
    code = _LITERALS.sub(" ", statement)
    used = {m.group(1).upper() for m in _PLACEHOLDER.finditer(code)}
    for name in params:
        if str(name).lstrip(":").upper() not in used:
            raise dpy_error(_errors.ERR_INVALID_BIND_NAME, name=str(name).lstrip(":"))


def _wire_binds(params: Any) -> list[dict[str, Any]]:
    if params is None:
        return []
    items: list[tuple[str | None, int | None, Any]]
    if isinstance(params, dict):
        items = [(str(k).lstrip(":"), None, v) for k, v in params.items()]
    elif isinstance(params, list | tuple):
        items = [(None, i, v) for i, v in enumerate(params, 1)]
    else:
        raise dpy_error(_errors.ERR_WRONG_EXECUTE_PARAMETERS_TYPE)
    out = []
    for name, index, value in items:
        entry: dict[str, Any] = {"name": name} if name is not None else {"index": index}
        if isinstance(value, Var):
            entry["data_type"] = value.data_type
            current = value.getvalue()
            entry["mode"] = "inout" if current is not None else "out"
            entry["value"] = _wire_value(current)
        else:
            entry["data_type"] = _data_type(value)
            entry["mode"] = "in"
            entry["value"] = _wire_value(value)
        out.append(entry)
    return out


# -- connection ----------------------------------------------------------------------------------
def _base_url(dsn: str | None, mock_url: str | None) -> str:
    if mock_url:
        return mock_url.rstrip("/")
    if env := os.environ.get("OTC_MOCK_ERP_URL"):
        return env.rstrip("/")
    if not dsn:
        raise dpy_error(_errors.ERR_INVALID_CONNECT_PARAMS)
    hostport = dsn.split("/", 1)[0].split("@")[-1]
    host, _, port = hostport.partition(":")
    return f"http://{host}:{port or '1521'}"


class Connection:
    """oracledb.Connection look-alike over the mock's session API."""

    def __init__(
        self,
        user: str | None = None,
        password: str | None = None,
        dsn: str | None = None,
        *,
        mock_url: str | None = None,
        mock_schema: str = "apps",
        timeout: float = 60.0,
        **_ignored: Any,
    ) -> None:
        self.username = user
        self.dsn = dsn
        self.autocommit = False
        self.outputtypehandler: Callable[..., Any] | None = None
        self.inputtypehandler: Callable[..., Any] | None = None
        self.stmtcachesize = 20
        self.call_timeout = 0
        self._pool: ConnectionPool | None = None
        self._lock = threading.RLock()
        self._base = f"{_base_url(dsn, mock_url)}/ords/{mock_schema}/_/mock-session"
        # TCP_NODELAY: headers and body go out as two writes; without it Nagle + delayed ACK add
        # ~40 ms to every round trip (fetchmany would crawl).
        nodelay = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
        self._http = httpx.Client(
            auth=(user or "", password or ""),
            timeout=timeout,
            transport=httpx.HTTPTransport(socket_options=nodelay),
        )
        self._sid: str | None = None
        try:
            resp = self._http.post(
                self._base, content=b"{}", headers={"content-type": "application/json"}
            )
        except httpx.TransportError as exc:
            self._http.close()
            raise dpy_error(
                _errors.ERR_CONNECTION_FAILED, cause=exc, connection_id=os.urandom(8).hex()
            ) from exc
        if resp.status_code == 401:
            self._http.close()
            raise ora_error(1017, "invalid credential or not authorized; logon denied")
        if resp.status_code == 503:
            self._http.close()
            raise ora_error(
                12520, "TNS:listener could not find available handler for requested type of server"
            )
        if resp.status_code != 200:
            self._http.close()
            raise dpy_error(
                _errors.ERR_CONNECTION_FAILED,
                cause=RuntimeError(f"HTTP {resp.status_code}"),
                connection_id=os.urandom(8).hex(),
            )
        info = resp.json()
        self._sid = info["session"]
        self.version = info.get("version", "19.0.0.0.0")

    # -- plumbing
    def _call(self, action: str, body: dict[str, Any] | None = None) -> Any:
        if self._sid is None:
            raise dpy_error(_errors.ERR_NOT_CONNECTED)
        data = encode(body or {}).encode()
        try:
            resp = self._http.post(
                f"{self._base}/{self._sid}/{action}",
                content=data,
                headers={"content-type": "application/json"},
            )
        except httpx.TransportError as exc:  # server closed the connection: session is gone
            self._dead()
            raise dpy_error(_errors.ERR_CONNECTION_CLOSED, cause=exc) from exc
        if resp.status_code == 410:
            self._dead()
            raise dpy_error(_errors.ERR_CONNECTION_CLOSED)
        try:
            payload = json.loads(resp.content, parse_float=Decimal, parse_int=Decimal)
        except ValueError as exc:  # a cut-off answer: the connection cannot be trusted any more
            self._dead()
            raise dpy_error(_errors.ERR_CONNECTION_CLOSED, cause=exc) from exc
        if isinstance(payload, dict) and "error" in payload:
            err = payload["error"]
            raise ora_error(int(err["code"]), str(err["message"]), int(err.get("offset") or 0))
        return payload

    def _dead(self) -> None:
        self._sid = None
        self._http.close()

    # -- public API
    def cursor(self, scrollable: bool = False) -> Cursor:
        if self._sid is None:
            raise dpy_error(_errors.ERR_NOT_CONNECTED)
        return Cursor(self)

    def commit(self) -> None:
        self._call("commit")

    def rollback(self) -> None:
        self._call("rollback")

    def ping(self) -> None:
        self._call("ping")

    def is_healthy(self) -> bool:
        return self._sid is not None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.release(self)
            return
        self._close_session()

    def _close_session(self) -> None:
        if self._sid is None:
            raise dpy_error(_errors.ERR_NOT_CONNECTED)
        try:
            self._call("close")
        finally:
            self._dead()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._sid is not None:
            self.close()

    # -- data frames
    def fetch_df_batches(
        self,
        statement: str | None = None,
        parameters: Any = None,
        size: int | None = None,
        *,
        fetch_decimals: bool | None = None,
        requested_schema: Any = None,
        handle: Any = None,
    ) -> Iterator[Any]:
        """Batches of ``size`` rows as oracledb ``DataFrame`` objects (Arrow PyCapsule)."""
        from mock_erp.clients.oracle_arrow import to_dataframe

        size = size or oracledb.defaults.arraysize
        decimals = oracledb.defaults.fetch_decimals if fetch_decimals is None else fetch_decimals
        cur = self.cursor()
        cur.arraysize = cur.prefetchrows = size
        cur._raw_numbers = True
        cur.execute(statement or "", parameters)
        meta = cur._meta
        yielded = False
        while True:
            rows = cur.fetchmany(size)
            if not rows and yielded:
                break
            yield to_dataframe(meta, rows, decimals, requested_schema)
            yielded = True
            if len(rows) < size:
                break
        cur.close()

    def fetch_df_all(
        self,
        statement: str | None = None,
        parameters: Any = None,
        arraysize: int | None = None,
        *,
        fetch_decimals: bool | None = None,
        requested_schema: Any = None,
    ) -> Any:
        from mock_erp.clients.oracle_arrow import to_dataframe

        decimals = oracledb.defaults.fetch_decimals if fetch_decimals is None else fetch_decimals
        cur = self.cursor()
        cur.arraysize = arraysize or oracledb.defaults.arraysize
        cur._raw_numbers = True
        cur.execute(statement or "", parameters)
        rows = cur.fetchall()
        return to_dataframe(cur._meta, rows, decimals, requested_schema)


class Cursor:
    """oracledb.Cursor look-alike: server-side cursor, rows fetched ``arraysize`` at a time."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.arraysize = oracledb.defaults.arraysize
        self.prefetchrows = oracledb.defaults.prefetchrows
        self.description: list[tuple[Any, ...]] | None = None
        self.rowcount = -1
        self.rowfactory: Callable[..., Any] | None = None
        self.outputtypehandler: Callable[..., Any] | None = None
        self.inputtypehandler: Callable[..., Any] | None = None
        self.statement: str | None = None
        self.bindvars: Any = None
        self._meta: list[dict[str, Any]] = []
        self._buffer: list[Any] = []
        self._pos = 0
        self._cursor: str | None = None
        self._more = False
        self._convs: list[Callable[[Any], Any] | None] = []
        self._conv_idx: list[tuple[int, Callable[[Any], Any]]] = []
        self._raw_numbers = False  # fetch_df_*: keep Decimals, Arrow conversion decides
        self._closed = False

    # -- execute
    def execute(
        self, statement: str | None, parameters: Any = None, **keyword_parameters: Any
    ) -> Cursor | None:
        self._check_open()
        if statement is None:
            statement = self.statement or ""
        if parameters is None and keyword_parameters:
            parameters = keyword_parameters
        self._reset()
        self.statement, self.bindvars = statement, parameters
        _check_bind_names(statement, parameters)
        wire = _wire_binds(parameters)
        body = {
            "statementText": statement,
            "binds": wire,
            "prefetch": max(1, self.prefetchrows or 1),
        }
        res = self.connection._call("execute", body)
        if res.get("kind") == "query":
            self._meta = res["columns"]
            self.description = [_describe(c) for c in self._meta]
            self._convs = self._converters()
            self._conv_idx = [(i, f) for i, f in enumerate(self._convs) if f is not None]
            self._cursor = res["cursor"]
            self._more = bool(res["more"])
            self._buffer = [self._row(r) for r in res["rows"]]
            self.rowcount = 0
            return self
        self.rowcount = int(res.get("rowcount") or 0)
        outs = res.get("out") or {}
        if isinstance(parameters, dict):
            for k, v in parameters.items():
                if isinstance(v, Var) and str(k).lstrip(":") in outs:
                    v._set_out(outs[str(k).lstrip(":")])
        elif isinstance(parameters, list | tuple):
            for i, v in enumerate(parameters, 1):
                if isinstance(v, Var) and str(i) in outs:
                    v._set_out(outs[str(i)])
        return None

    def executemany(
        self,
        statement: str | None,
        parameters: Sequence[Any] | int,
        *,
        batcherrors: bool = False,
        arraydmlrowcounts: bool = False,
        **_kw: Any,
    ) -> None:
        self._check_open()
        if isinstance(parameters, int):
            parameters = [()] * parameters
        self._reset()
        self.statement = statement
        body = {"statementText": statement or "", "bindsList": [_wire_binds(p) for p in parameters]}
        res = self.connection._call("executemany", body)
        self.rowcount = int(res.get("rowcount") or 0)

    def callproc(
        self,
        name: str,
        parameters: Sequence[Any] = (),
        keyword_parameters: dict[str, Any] | None = None,
    ) -> list[Any]:
        """``BEGIN name(:1, ..., kw => :kw); END;``; OUT values come back in the returned list."""
        params = list(parameters)
        binds: dict[str, Any] = {f"p{i}": v for i, v in enumerate(params, 1)}
        args = [f":p{i}" for i in range(1, len(params) + 1)]
        for k, v in (keyword_parameters or {}).items():
            binds[f"k_{k}"] = v
            args.append(f"{k} => :k_{k}")
        self.execute(f"BEGIN {name}({', '.join(args)}); END;", binds)
        return [v.getvalue() if isinstance(v, Var) else v for v in params]

    def callfunc(
        self,
        name: str,
        return_type: Any,
        parameters: Sequence[Any] = (),
        keyword_parameters: dict[str, Any] | None = None,
    ) -> Any:
        ret = self.var(return_type)
        params = list(parameters)
        binds: dict[str, Any] = {"ret": ret, **{f"p{i}": v for i, v in enumerate(params, 1)}}
        args = [f":p{i}" for i in range(1, len(params) + 1)]
        for k, v in (keyword_parameters or {}).items():
            binds[f"k_{k}"] = v
            args.append(f"{k} => :k_{k}")
        self.execute(f"BEGIN :ret := {name}({', '.join(args)}); END;", binds)
        return ret.getvalue()

    def var(
        self,
        typ: Any,
        size: int = 0,
        arraysize: int = 1,
        inconverter: Callable[..., Any] | None = None,
        outconverter: Callable[..., Any] | None = None,
        typename: str | None = None,
        **_kw: Any,
    ) -> Var:
        return Var(typ, size, arraysize, inconverter, outconverter)

    def setinputsizes(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def setoutputsize(self, size: int, column: int = 0) -> None:
        return None

    # -- fetch
    def fetchone(self) -> Any:
        rows = self.fetchmany(1)
        return rows[0] if rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        self._check_query()
        want = self.arraysize if size is None else size
        out: list[Any] = []
        while len(out) < want:
            if self._pos >= len(self._buffer):
                if not self._more:
                    break
                self._refill()
                continue
            take = self._buffer[self._pos : self._pos + (want - len(out))]
            self._pos += len(take)
            out += take
        self.rowcount += len(out)
        return out

    def fetchall(self) -> list[Any]:
        self._check_query()
        out: list[Any] = []
        while True:
            if self._pos < len(self._buffer):
                out += self._buffer[self._pos :]
                self._pos = len(self._buffer)
            if not self._more:
                break
            self._refill()
        self.rowcount += len(out)
        return out

    def __iter__(self) -> Iterator[Any]:
        while True:
            row = self.fetchone()
            if row is None:
                return
            yield row

    def close(self) -> None:
        if self._closed:
            return
        if self._more and self._cursor and self.connection._sid is not None:
            with contextlib.suppress(Exception):  # closing a cursor of a dead connection is quiet
                self.connection._call("close_cursor", {"cursor": self._cursor})
        self._closed = True

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- internals
    def _check_open(self) -> None:
        if self._closed:
            raise dpy_error(_errors.ERR_CURSOR_NOT_OPEN)
        if self.connection._sid is None:
            raise dpy_error(_errors.ERR_NOT_CONNECTED)

    def _check_query(self) -> None:
        self._check_open()
        if self.description is None:
            raise dpy_error(_errors.ERR_NOT_A_QUERY)

    def _reset(self) -> None:
        if self._more and self._cursor:
            with contextlib.suppress(oracledb.DatabaseError):
                self.connection._call("close_cursor", {"cursor": self._cursor})
        self.description, self._buffer, self._pos, self._more, self._cursor = (
            None,
            [],
            0,
            False,
            None,
        )
        self.rowcount = -1

    def _refill(self) -> None:
        res = self.connection._call("fetch", {"cursor": self._cursor, "n": max(1, self.arraysize)})
        self._buffer = [self._row(r) for r in res["rows"]]
        self._pos = 0
        self._more = bool(res["more"])

    def _row(self, raw: list[Any]) -> Any:
        """Convert in place only the columns that need it (a hot loop for bulk pulls)."""
        for i, f in self._conv_idx:
            v = raw[i]
            if v is not None:
                raw[i] = f(v)
        row = tuple(raw)
        return self.rowfactory(*row) if self.rowfactory else row

    def _converters(self) -> list[Callable[[Any], Any] | None]:
        decimals = oracledb.defaults.fetch_decimals
        handler = self.outputtypehandler or self.connection.outputtypehandler
        out: list[Callable[[Any], Any] | None] = []
        for meta, desc in zip(self._meta, self.description or [], strict=True):
            wanted = _handler_type(handler, self, meta, desc) if handler else None
            typ = meta["type"]
            if typ == "DATE":
                out.append(_to_datetime)
            elif typ == "NUMBER":
                if self._raw_numbers or wanted is Decimal or (wanted is None and decimals):
                    out.append(None)  # the wire parser already made every number a Decimal
                elif wanted is str:
                    out.append(lambda v: encode(v) if isinstance(v, Decimal) else str(v))
                elif wanted is float:
                    out.append(float)
                elif int(meta["scale"]) == 0 and int(meta["precision"]) > 0:
                    out.append(int)
                else:
                    out.append(_int_or_float)
            else:
                out.append(None)
        return out


def _to_datetime(v: Any) -> dt.datetime:
    return dt.datetime.fromisoformat(v[:-1] if v.endswith("Z") else v)


def _int_or_float(v: Any) -> int | float:
    """oracledb's default for NUMBER without precision: int when integral, else float."""
    if isinstance(v, int):
        return v
    d = Decimal(v)
    return int(d) if d == d.to_integral_value() else float(d)


def _describe(meta: dict[str, Any]) -> tuple[Any, ...]:
    """oracledb's description 7-tuple.

    (name, type, display_size, internal_size, precision, scale, null_ok)
    """
    typ = meta["type"]
    if typ == "NUMBER":
        prec, scale = int(meta["precision"]), int(meta["scale"])
        display = 127 if prec == 0 else prec + (2 if scale else 1)
        return (meta["name"], oracledb.DB_TYPE_NUMBER, display, None, prec, scale, meta["nullable"])
    if typ == "DATE":
        return (meta["name"], oracledb.DB_TYPE_DATE, 23, None, None, None, meta["nullable"])
    size = int(meta["precision"])
    return (meta["name"], oracledb.DB_TYPE_VARCHAR, size, size, None, None, meta["nullable"])


def _handler_type(
    handler: Callable[..., Any], cursor: Cursor, meta: dict[str, Any], desc: tuple[Any, ...]
) -> Any:
    """The Var type an outputtypehandler picks (2-arg ``(cursor, metadata)`` or 6-arg form)."""
    try:
        nparams = len(inspect.signature(handler).parameters)
    except (TypeError, ValueError):
        nparams = 2
    if nparams >= 6:
        var = handler(cursor, desc[0], desc[1], desc[3], desc[4], desc[5])
    else:
        var = handler(cursor, _FetchInfo(desc))
    return getattr(var, "type", None) if var is not None else None


class _FetchInfo:
    """The ``metadata`` argument of a 2-argument output type handler (oracledb.FetchInfo-like)."""

    def __init__(self, desc: tuple[Any, ...]) -> None:
        (
            self.name,
            self.type_code,
            self.display_size,
            self.internal_size,
            self.precision,
            self.scale,
            self.null_ok,
        ) = desc
        self.type = self.type_code


class ConnectionPool:
    """oracledb.ConnectionPool look-alike: ``acquire()``, ``release()``, ``close()``."""

    def __init__(
        self,
        user: str | None = None,
        password: str | None = None,
        dsn: str | None = None,
        *,
        min: int = 1,
        max: int = 2,
        increment: int = 1,
        **kw: Any,
    ) -> None:
        self.min, self.max, self.increment = min, max, increment
        self._args = (user, password, dsn)
        self._kw = kw
        self._idle: list[Connection] = []
        self._busy: set[int] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(min):
            self._idle.append(self._new())

    def _new(self) -> Connection:
        conn = Connection(*self._args, **self._kw)
        conn._pool = self
        return conn

    @property
    def opened(self) -> int:
        return len(self._idle) + len(self._busy)

    @property
    def busy(self) -> int:
        return len(self._busy)

    def acquire(self, **_kw: Any) -> Connection:
        with self._lock:
            if self._closed:
                raise dpy_error(_errors.ERR_POOL_NOT_OPEN)
            while self._idle:
                conn = self._idle.pop()
                if conn._sid is not None:
                    self._busy.add(id(conn))
                    return conn
            if len(self._busy) >= self.max:
                raise dpy_error(_errors.ERR_POOL_NO_CONNECTION_AVAILABLE)
        conn = self._new()
        with self._lock:
            self._busy.add(id(conn))
        return conn

    def release(self, connection: Connection, tag: str | None = None) -> None:
        """Back to the pool; uncommitted work is rolled back (as oracledb does)."""
        with self._lock:
            self._busy.discard(id(connection))
        if connection._sid is None:
            return
        try:
            connection.rollback()
        except oracledb.DatabaseError:
            return
        with self._lock:
            if self._closed:
                connection._pool = None
                connection._close_session()
            else:
                self._idle.append(connection)

    def drop(self, connection: Connection) -> None:
        with self._lock:
            self._busy.discard(id(connection))
        connection._pool = None
        if connection._sid is not None:
            connection._close_session()

    def close(self, force: bool = False) -> None:
        with self._lock:
            if self._busy and not force:
                raise dpy_error(_errors.ERR_POOL_HAS_BUSY_CONNECTIONS)
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn._pool = None
            if conn._sid is not None:
                conn._close_session()


def connect(
    user: str | None = None, password: str | None = None, dsn: str | None = None, **kw: Any
) -> Connection:
    """``oracledb.connect`` look-alike (thin mode); ``mock_url=`` is mock-only."""
    return Connection(user, password, dsn, **kw)


def create_pool(
    user: str | None = None, password: str | None = None, dsn: str | None = None, **kw: Any
) -> ConnectionPool:
    """``oracledb.create_pool`` look-alike."""
    return ConnectionPool(user, password, dsn, **kw)
