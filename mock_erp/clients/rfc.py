"""A pyrfc-compatible ``Connection`` that talks to the mock ERP over HTTP (docs/specs/sap.md §5).

Why: SAP's NW RFC SDK is licensed and absent in CI, yet the RFC transport must be exercised.
This class has pyrfc's constructor, ``call()`` contract, value types and exceptions (pyrfc's OWN
classes when ``pyrfc`` (pyrfcx) is importable, same-named look-alikes otherwise), including the
silent reopen: after a communication, runtime, logon or external error the connection is
reopened BEFORE the error is raised, so ``alive`` is True but the server session, and its
pending LUW, are new. One Connection = one ABAP session; use one per thread.

Where it connects: the mock-only parameter ``mock_url`` (e.g. ``http://127.0.0.1:8765``), else
the environment variable ``OTC_MOCK_ERP_URL``, else ``http://{ashost}:8765``. Other pyrfc
parameters (``sysnr``, ``lang``, ``saprouter``, SNC ...) are accepted and ignored.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
from decimal import Decimal
from typing import Any

import httpx

try:  # pyrfc's own classes, so `except pyrfc.CommunicationError` in adapters works unchanged
    from pyrfc import (
        ABAPApplicationError,
        ABAPRuntimeError,
        CommunicationError,
        ExternalApplicationError,
        ExternalAuthorizationError,
        ExternalRuntimeError,
        LogonError,
        RFCError,
        RFCLibError,
    )
except ImportError:  # pragma: no cover - exercised only without pyrfcx installed

    class RFCError(Exception):  # type: ignore[no-redef]
        """Base class of all pyrfc errors (look-alike)."""

    class RFCLibError(RFCError):  # type: ignore[no-redef]
        """Look-alike of pyrfc.RFCLibError: same attributes and ``str()``."""

        def __init__(
            self,
            message: str | None = None,
            code: int | None = None,
            key: str | None = None,
            msg_class: str | None = None,
            msg_type: str | None = None,
            msg_number: str | None = None,
            msg_v1: str | None = None,
            msg_v2: str | None = None,
            msg_v3: str | None = None,
            msg_v4: str | None = None,
        ) -> None:
            super().__init__(message)
            self.message, self.code, self.key = message, code, key
            self.msg_class, self.msg_type, self.msg_number = msg_class, msg_type, msg_number
            self.msg_v1, self.msg_v2, self.msg_v3, self.msg_v4 = msg_v1, msg_v2, msg_v3, msg_v4

        def __str__(self) -> str:
            code = 28 if self.code is None else self.code
            rc_text = code if 1 <= code <= 34 else "??"
            return (
                f"{rc_text} (rc={self.code}): key={self.key}, message={self.message}"
                f" [MSG: class={self.msg_class}, type={self.msg_type}, number={self.msg_number}"
                f", v1-4:={self.msg_v1};{self.msg_v2};{self.msg_v3};{self.msg_v4}]"
            )

    class ABAPApplicationError(RFCLibError): ...  # type: ignore[no-redef]

    class ABAPRuntimeError(RFCLibError): ...  # type: ignore[no-redef]

    class CommunicationError(RFCLibError): ...  # type: ignore[no-redef]

    class ExternalApplicationError(RFCLibError): ...  # type: ignore[no-redef]

    class ExternalAuthorizationError(RFCLibError): ...  # type: ignore[no-redef]

    class ExternalRuntimeError(RFCLibError): ...  # type: ignore[no-redef]

    class LogonError(RFCLibError):  # type: ignore[no-redef]
        def __init__(
            self,
            message: str | None = None,
            code: int = 2,
            key: str = "RFC_LOGON_FAILURE",
            *rest: Any,
        ) -> None:
            super().__init__(message, code, key, *rest)


__all__ = [
    "ABAPApplicationError",
    "ABAPRuntimeError",
    "CommunicationError",
    "Connection",
    "ExternalApplicationError",
    "ExternalAuthorizationError",
    "ExternalRuntimeError",
    "LogonError",
    "RFCError",
    "RFCLibError",
]

DEFAULT_PORT = 8765
SESSION_HEADER = "X-Mock-Rfc-Session"
_CONFIG_DEFAULTS: dict[str, Any] = {
    "rstrip": True,
    "return_import_params": False,
    "dtime": False,
    "check_date": True,
    "check_time": True,
    "timeout": None,
}
_ERRORS: dict[str, type[RFCLibError]] = {
    "ABAPApplicationError": ABAPApplicationError,
    "ABAPRuntimeError": ABAPRuntimeError,
    "CommunicationError": CommunicationError,
    "LogonError": LogonError,
    "ExternalRuntimeError": ExternalRuntimeError,
    "ExternalApplicationError": ExternalApplicationError,
    "ExternalAuthorizationError": ExternalAuthorizationError,
}
_DESCRIPTIONS: dict[tuple[str, str], dict[str, Any]] = {}  # (url, FM) -> description; SDK cache
_DESCRIPTIONS_LOCK = threading.Lock()


def _comm_error(message: str, code: int = 1, key: str = "RFC_COMMUNICATION_FAILURE") -> RFCLibError:
    return CommunicationError(message, code, key, "", "", "", "", "", "", "")


def _error_from(body: dict[str, Any]) -> Exception:
    cls = body.get("class", "")
    if cls == "TypeError":
        return TypeError(body.get("message", ""))
    exc_cls = _ERRORS.get(cls, RFCLibError)
    return exc_cls(
        body.get("message"),
        body.get("code"),
        body.get("key"),
        *(
            body.get(k, "")
            for k in ("msg_class", "msg_type", "msg_number", "msg_v1", "msg_v2", "msg_v3", "msg_v4")
        ),
    )


def _encode(value: Any) -> Any:
    """pyrfc input types -> JSON: Decimal/float as str, dates 'YYYYMMDD', times 'HHMMSS'."""
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y%m%d")
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d")
    if isinstance(value, dt.time):
        return value.strftime("%H%M%S")
    if isinstance(value, bytes | bytearray):
        return bytes(value).hex()
    return value


def _decode_scalar(datatype: str, value: Any, dtime: bool) -> Any:
    if datatype in {"DEC", "CURR", "QUAN"}:
        return Decimal(value)
    if datatype == "RAW":
        return bytes.fromhex(value)
    if datatype == "DATS":
        empty = value in {"", "00000000"}
        if dtime:
            return None if empty else dt.datetime.strptime(value, "%Y%m%d").date()
        return "" if empty else value  # pyrfc: '' for an empty date (docs/specs/sap.md §3)
    if datatype == "TIMS" and dtime:
        return dt.datetime.strptime(value, "%H%M%S").time()
    return value


class Connection:
    """pyrfc-compatible connection to the mock ERP (see module docstring)."""

    def __init__(self, config: dict[str, Any] | None = None, **params: str) -> None:
        config = config or {}
        for key in config:
            if key not in _CONFIG_DEFAULTS:
                raise RFCError(f"Connection configuration option '{key}' is not supported")
        self._config = {k: config.get(k, d) for k, d in _CONFIG_DEFAULTS.items()}
        if not params:
            raise RFCError("Connection parameters missing")
        for name, value in params.items():
            if not isinstance(value, str):
                raise RFCError(f"Connection parameter '{name}' value is not string")
        self._params = dict(params)
        url = params.get("mock_url") or os.environ.get("OTC_MOCK_ERP_URL")
        if not url:
            url = f"http://{params.get('ashost', '127.0.0.1')}:{DEFAULT_PORT}"
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, timeout=httpx.Timeout(60.0, connect=5.0))
        self._session: str | None = None
        self.open()

    # -- lifecycle ------------------------------------------------------------------------------

    def open(self) -> None:
        """Log on: a new ABAP session (the old one, if any, is closed first)."""
        self.close()
        auth = (self._params.get("user", ""), self._params.get("passwd", ""))
        body = {"client": self._params.get("client", ""), "lang": self._params.get("lang", "EN")}
        try:
            resp = self._http.post("/sap/bc/rfc-mock/open", json=body, auth=auth)
        except httpx.HTTPError as exc:
            host = self._params.get("ashost", self.url)
            raise _comm_error(f"partner '{host}:{DEFAULT_PORT}' not reached: {exc}") from exc
        if resp.status_code == 401:
            err = resp.json().get("error", {})
            raise LogonError(
                err.get("message"),
                2,
                "RFC_LOGON_FAILURE",
                err.get("msg_class", ""),
                err.get("msg_type", ""),
                err.get("msg_number", ""),
                "",
                "",
                "",
                "",
            )
        if resp.status_code != 200:
            raise _comm_error(f"logon failed: HTTP {resp.status_code}")
        self._session = resp.json()["session"]

    def close(self) -> None:
        """Close the connection (ends the ABAP session, discarding its LUW). Idempotent."""
        token, self._session = self._session, None
        if token is None:
            return
        with contextlib.suppress(httpx.HTTPError):  # the server side is gone anyway
            self._http.post("/sap/bc/rfc-mock/close", headers={SESSION_HEADER: token})

    def reopen(self) -> None:
        self.open()

    @property
    def alive(self) -> bool:
        return self._session is not None

    @property
    def options(self) -> dict[str, Any]:
        return self._config

    def __bool__(self) -> bool:
        return self.alive

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
        self._http.close()

    def __repr__(self) -> str:
        return (
            f"<mock_erp.clients.rfc.Connection [{'open' if self.alive else 'closed'}] {self.url}>"
        )

    def ping(self) -> None:
        """RFC ping; never reconnects (as pyrfc). A dead link closes the connection."""
        if not self.alive:
            raise ExternalRuntimeError(
                "An invalid handle 'RFC_CONNECTION_HANDLE' was passed to the API call",
                13,
                "RFC_INVALID_HANDLE",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            )
        try:
            resp = self._http.post(
                "/sap/bc/rfc-mock/ping", headers={SESSION_HEADER: self._session or ""}
            )
            ok = resp.status_code == 200
        except httpx.HTTPError as exc:
            self._session = None
            raise _comm_error(f"ping failed: {exc}") from exc
        if not ok:
            self._session = None
            raise _error_from(resp.json().get("error", {}))

    # -- call -----------------------------------------------------------------------------------

    def _describe(self, func_name: str) -> dict[str, Any]:
        key = (self.url, func_name)
        with _DESCRIPTIONS_LOCK:
            cached = _DESCRIPTIONS.get(key)
        if cached is not None:
            return cached
        try:
            resp = self._http.get(f"/sap/bc/rfc-mock/describe/{func_name}")
        except httpx.HTTPError as exc:
            raise _comm_error(f"function description of {func_name}: {exc}") from exc
        if resp.status_code != 200:
            raise _error_from(resp.json().get("error", {}))
        desc: dict[str, Any] = resp.json()
        with _DESCRIPTIONS_LOCK:
            _DESCRIPTIONS[key] = desc
        return desc

    def _reconnect_and_raise(self, exc: Exception) -> None:
        """pyrfc's reopen-on-error: the old session is dropped, a new one opened, then raise."""
        try:
            self.open()
        except RFCLibError as reopen_exc:
            raise reopen_exc from exc
        raise exc

    def call(
        self, func_name: str, options: dict[str, Any] | None = None, **params: Any
    ) -> dict[str, Any]:
        """Call a function module; returns exports, changing and tables (pyrfc types)."""
        if not isinstance(func_name, str):
            raise RFCError(
                "Remote function module name must be unicode string, received:",
                func_name,
                type(func_name),
            )
        if not self.alive:
            raise RFCError(
                f"Remote function module '{func_name}' invocation rejected "
                "because the connection is closed"
            )
        options = options or {}
        not_requested = options.get("not_requested", [])
        if not isinstance(not_requested, list):
            not_requested = [not_requested]
        desc = self._describe(func_name)
        timeout = options.get("timeout", self._config["timeout"])
        body = {"params": _encode(params), "not_requested": not_requested}
        try:
            resp = self._http.post(
                f"/sap/bc/rfc-mock/call/{func_name}",
                json=body,
                headers={SESSION_HEADER: self._session or ""},
                timeout=httpx.Timeout(timeout) if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException as exc:
            self._reconnect_and_raise(
                _comm_error(
                    f"Connection was canceled: {id(self)}. New handle: {id(self._http)}",
                    7,
                    "RFC_CANCELED",
                )
            )
            raise AssertionError("unreachable") from exc
        except httpx.HTTPError as exc:
            # Connection refused/reset/closed without answer: the SDK's COMMUNICATION_FAILURE.
            self._reconnect_and_raise(_comm_error(f"connection to partner broken: {exc!r}"))
            raise AssertionError("unreachable") from exc
        if resp.status_code == 503:
            self._reconnect_and_raise(_comm_error("partner not reached: service unavailable (503)"))
        try:
            payload = resp.json()
        except ValueError:
            # Answer cut off: the SDK cannot deserialize it; the link is unusable -> reopen.
            self._reconnect_and_raise(
                _comm_error(
                    f"unreadable answer from partner ({len(resp.content)} bytes)",
                    1,
                    "RFC_COMMUNICATION_FAILURE",
                )
            )
        if "error" in payload:
            err = payload["error"]
            error = _error_from(err)
            if err.get("reconnect"):
                self._reconnect_and_raise(error)
            raise error
        return self._decode(desc, payload["result"])

    def _decode(self, desc: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
        dtime = bool(self._config["dtime"])
        out: dict[str, Any] = {}
        by_name = {p["name"]: p for p in desc["parameters"]}
        for name, value in result.items():
            p = by_name[name]
            if p["fields"] is None:
                out[name] = _decode_scalar(p["datatype"], value, dtime)
                continue
            types = {f["name"]: f["datatype"] for f in p["fields"]}
            rows = value if isinstance(value, list) else [value]
            dec = [{k: _decode_scalar(types[k], v, dtime) for k, v in r.items()} for r in rows]
            out[name] = dec if isinstance(value, list) else dec[0]
        return out
