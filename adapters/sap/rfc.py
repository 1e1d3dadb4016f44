"""RFC transport over the pyrfc API (`pyrfcx` provides the `pyrfc` import).

One connection per worker thread, never shared: shared RFC connections under threads are a
known source of random failures. pyrfc reopens a broken connection silently before it
raises (docs/specs/sap.md §5), so a communication error inside a unit of work means the work
is lost (before commit) or unknown (during commit), never "retry the commit".
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any

from adapters.errors import (
    ConfigError,
    ErpRejected,
    OutcomeUnknown,
    TransientError,
    TransportError,
)
from adapters.retry import read_policy
from adapters.sap.errors import TRANSIENT_TEXTS, is_read_only

#: Communication errors raised while opening the link, before the call left: the NW RFC
#: SDK's "partner not reached" (NI: host or gateway refused the connection).
NOT_SENT_TEXTS = ("not reached", "connection refused")

LOGON_KEYS = (
    "ashost",
    "sysnr",
    "client",
    "user",
    "lang",
    "saprouter",
    "mshost",
    "msserv",
    "sysid",
    "group",
    "dest",
    "snc_mode",
    "snc_partnername",
    "snc_qop",
    "snc_myname",
    "snc_lib",
    "mock_url",
)
SDK_HINT = (
    "the RFC transport needs SAP's NW RFC SDK: install it (SAP Support Portal), set "
    "SAPNWRFC_HOME to its directory and add $SAPNWRFC_HOME/lib to LD_LIBRARY_PATH; "
    'or use transport = "soap"'
)


def load_connection_class(path: str | None) -> Callable[..., Any]:
    """`pyrfc.Connection` (the `rfc` extra), or any compatible class named `module:Class`."""
    if not path:
        try:
            from pyrfc import Connection
        except ImportError as exc:
            raise ConfigError(
                "transport = \"rfc\" needs the rfc extra: pip install 'otc-adapters[rfc]' "
                f"(pyrfcx); {SDK_HINT}"
            ) from exc
        return Connection
    module, _, name = path.partition(":")
    try:
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"connection_class {path!r} cannot be loaded: {exc}") from exc


def _rfc_key(exc: BaseException) -> str:
    return str(getattr(exc, "key", "") or "")


def map_rfc_error(
    system: str, function: str, params: Mapping[str, Any], exc: Exception
) -> Exception:
    """pyrfc's exception classes, by class and return code, to the error hierarchy."""
    kind = type(exc).__name__
    text = str(getattr(exc, "message", None) or exc)
    if kind == "SdkNotFoundError" or "SAPNWRFC_HOME" in text:
        return ConfigError(f"[systems.{system}] {SDK_HINT} ({text.splitlines()[0]})")
    if any(t in text.lower() for t in TRANSIENT_TEXTS):
        return TransientError(system, f"{function}: {text}")
    if kind == "CommunicationError" and any(t in text.lower() for t in NOT_SENT_TEXTS):
        return TransientError(system, f"{function}: not sent: {text}")
    if kind == "CommunicationError" or _rfc_key(exc) == "RFC_CANCELED":
        if is_read_only(function, params):
            return TransientError(system, f"{function}: communication failed: {text}")
        return OutcomeUnknown(system, f"{function}: communication failed after sending: {text}")
    if kind == "LogonError":
        return TransportError(system, f"logon failed: {text}; check user, client and password_env")
    if kind in ("ABAPApplicationError", "ABAPRuntimeError"):
        cls = getattr(exc, "msg_class", "") or ""
        num = getattr(exc, "msg_number", "") or ""
        code = f"{cls} {num}".strip() or _rfc_key(exc)
        return ErpRejected(system, function, code, text)
    return TransportError(system, f"{function}: {kind}: {text}")


class RfcTransport:
    """`call()` on this thread's connection; `session()` is that connection's ABAP session."""

    def __init__(
        self,
        system: str,
        logon: Mapping[str, Any],
        *,
        password: str,
        connection_class: str | None = None,
        timeout_s: float | None = 120.0,
    ) -> None:
        self.system = system
        self._factory = load_connection_class(connection_class)
        self._logon = {k: v for k, v in logon.items() if k in LOGON_KEYS}
        self._password = password
        self._timeout_s = timeout_s
        self._local = threading.local()
        self._opened: list[Any] = []
        self._lock = threading.Lock()

    def _connection(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            config = {"timeout": int(self._timeout_s)} if self._timeout_s else {}
            try:
                conn = self._factory(config=config, passwd=self._password, **self._logon)
            except Exception as exc:
                raise map_rfc_error(self.system, "RFC_OPEN", {}, exc) from exc
            self._local.conn = conn
            with self._lock:
                self._opened.append(conn)
        return conn

    def call(self, function: str, /, **params: Any) -> dict[str, Any]:
        """One call; reads (adapters.sap.errors.READ_ONLY) retry every transient error here."""
        if is_read_only(function, params):
            return dict(read_policy()(self._call_once, function, params))
        return self._call_once(function, params)

    def _call_once(self, function: str, params: dict[str, Any]) -> dict[str, Any]:
        conn = self._connection()
        try:
            result: dict[str, Any] = conn.call(function, **params)
        except Exception as exc:
            if isinstance(exc, ConfigError | TransportError | ErpRejected):
                raise
            raise map_rfc_error(self.system, function, params, exc) from exc
        return result

    @contextmanager
    def session(self) -> Iterator[RfcTransport]:
        """One connection is one ABAP session already; the unit of work stays on it."""
        self._connection()
        yield self

    def close(self) -> None:
        with self._lock:
            for conn in self._opened:
                with suppress(Exception):  # closing a dead connection is fine
                    conn.close()
            self._opened.clear()
        self._local = threading.local()
