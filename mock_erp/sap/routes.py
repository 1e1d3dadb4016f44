"""HTTP face of the SAP persona: SOAP-for-RFC, its WSDL, and the RFC-client JSON endpoint.

Why here: docs/specs/sap.md §4 (URLs, Basic auth, 401/403, sessions by ``sap-sessioncmd`` and the
``sap-contextid`` cookie) and §5 (one pyrfc Connection = one ABAP session) are transport facts,
not business rules; the rules stay behind ``models.py`` and in ``responses.py`` (style.md §9).
Handlers are sync and hit SQLite, so they run in the threadpool under one lock (the store is
shared).

Endpoints
- ``POST /sap/bc/soap/rfc?sap-client=NNN[&sap-sessioncmd=open|logoff]``: SOAP 1.1 call.
- ``GET /sap/bc/soap/wsdl11?services=FM1,FM2&sap-client=NNN`` (and ``/sap/bc/soap/wsdl``).
- ``POST /sap/bc/rfc-mock/open`` (Basic auth, JSON ``{"client", "lang"}``) -> ``{"session"}``;
  ``POST /sap/bc/rfc-mock/close``, ``POST /sap/bc/rfc-mock/ping``,
  ``GET /sap/bc/rfc-mock/describe/{FM}``, ``POST /sap/bc/rfc-mock/call/{FM}`` with header
  ``X-Mock-Rfc-Session``: mock-only, used by ``mock_erp.clients.rfc.Connection`` [project].
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from mock_erp.faults import IN_CALL, FaultSet, drop_connection, gateway_page, pick
from mock_erp.sap import soap
from mock_erp.sap.abap import AbapException, InvalidParameter
from mock_erp.sap.ddic import ConversionError, FunctionModule, get_function
from mock_erp.sap.settings import SapSettings
from mock_erp.sap.wsdl import build_wsdl

log = logging.getLogger("mock_erp.sap")

PERSONA = "sap"
RFC_PATH = "/sap/bc/soap/rfc"
COOKIE = "sap-contextid"
RFC_SESSION_HEADER = "X-Mock-Rfc-Session"
XML = "text/xml; charset=utf-8"

Handler = Callable[[Any, str, dict[str, Any]], dict[str, Any]]


def _page(title: str, text: str) -> str:
    """An ICF error page: HTML that is not well-formed XML, as SAP's (zeep: TransportError)."""
    return f"<!DOCTYPE html><html><body><h1>{title}</h1><p>{text}<br></body></html>"


def icm_page(status: int) -> Response:
    """The ICM's own error page (HTML, is/HTTP/show_detailed_errors on): 503 ENOTAVAIL when no
    work process took the call, 500 ETIMEOUT when the ICM stopped waiting for one that did
    ("Error Handling Using the ICM", error names:
    https://help.sap.com/saphelp_autoid2007/helpdata/EN/f6/3c0b0389cea34ba66f10d62b718a1a/content.htm).
    """
    if status == 503:
        title, error, detail = (
            "503 Service Unavailable",
            "ENOTAVAIL",
            "Service is not reachable: no work process took the request",
        )
    else:
        title, error, detail = (
            "500 SAP Internal Server Error",
            "ETIMEOUT",
            "ICM timeout: the application server did not answer in time (ICM_HTTP_TIMEOUT)",
        )
    html = (  # HTML, not well-formed XML (an unclosed <br>), as the ICM's pages
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body><h2><b>{title}</b></h2>"
        f"<br><table><tr><td>Error:</td><td>{error}</td></tr><tr><td>Component:</td><td>ICM</td>"
        f"</tr><tr><td>Detail:</td><td>{detail}</td></tr></table></body></html>"
    )
    return Response(html, status, media_type="text/html")


@dataclass
class SapConfig:
    """Logon data of the persona (one user; clients that exist; ICF node state)."""

    user: str = "otc"
    password: str = "otc-mock"
    clients: frozenset[str] = frozenset({"100"})
    default_client: str = "100"
    system_id: str = "MCK"
    soap_active: bool = True  # inactive ICF node -> 403 (docs/specs/sap.md §4)
    session_timeout_s: float = 1800.0


@dataclass
class _Session:
    sid: str  # the backend's ABAP session id
    last_used: float = field(default_factory=time.monotonic)


@dataclass
class _Outcome:
    """What a call produced: outputs, an ABAP exception, or a transport-level verdict."""

    outputs: dict[str, Any] | None = None
    exception: AbapException | None = None
    dump: str | None = None


class SapPersona:
    """Routes + session table of the SAP persona over one backend and one fault set."""

    def __init__(
        self,
        backend: Any,
        faults: FaultSet,
        config: SapConfig,
        lock: threading.Lock,
        handlers: dict[str, Handler] | None = None,
    ) -> None:
        if handlers is None:
            from mock_erp.sap.responses import HANDLERS

            handlers = HANDLERS
        self.backend, self.faults, self.config, self.lock = backend, faults, config, lock
        self.handlers = handlers
        self.soap_sessions: dict[str, _Session] = {}  # sap-contextid -> session
        self.rfc_sessions: dict[str, _Session] = {}  # X-Mock-Rfc-Session -> session
        self.calls = 0
        self._enqueued: dict[tuple[str, str], str] = {}  # (BUKRS, KUNNR) -> holding session id
        self._enqueue_lock = threading.Lock()
        self.settings = SapSettings()  # build_app shares the app's MockSettings.sap here

    def routes(self) -> list[BaseRoute]:
        return [
            Route(RFC_PATH, self.soap_call, methods=["POST"]),
            Route("/sap/bc/soap/wsdl11", self.wsdl, methods=["GET"]),
            Route("/sap/bc/soap/wsdl", self.wsdl, methods=["GET"]),
            Route("/sap/bc/rfc-mock/open", self.rfc_open, methods=["POST"]),
            Route("/sap/bc/rfc-mock/close", self.rfc_close, methods=["POST"]),
            Route("/sap/bc/rfc-mock/ping", self.rfc_ping, methods=["POST"]),
            Route("/sap/bc/rfc-mock/describe/{fm}", self.rfc_describe, methods=["GET"]),
            Route("/sap/bc/rfc-mock/call/{fm}", self.rfc_call, methods=["POST"]),
        ]

    # -- sessions ---------------------------------------------------------------------------------

    def _open(self) -> str:
        with self.lock:
            return str(self.backend.open_session())

    def _end(self, sid: str) -> None:
        """End an ABAP session: its pending LUW is discarded (docs/specs/sap.md §2.5, §7 item 8)."""
        with self.lock:
            self.backend.end_session(sid)

    def _sweep(self) -> None:
        """Idle SOAP sessions time out like ICF contexts do (pending LUW dropped)."""
        limit = time.monotonic() - self.config.session_timeout_s
        for cid, sess in list(self.soap_sessions.items()):
            if sess.last_used < limit:
                self.soap_sessions.pop(cid, None)
                self._end(sess.sid)

    def end_all(self) -> None:
        """Drop every session (admin reset)."""
        for table in (self.soap_sessions, self.rfc_sessions):
            table.clear()

    # -- auth -------------------------------------------------------------------------------------

    def _credentials_ok(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        same_user = secrets.compare_digest(user.upper(), self.config.user.upper())
        return same_user and secrets.compare_digest(password, self.config.password)

    def _client(self, request: Request) -> str:
        return request.query_params.get("sap-client", self.config.default_client)

    def _logon_refused(self, client: str) -> Response:
        """401 with an HTML body, as the ICF logon page answers (docs/specs/sap.md §4).

        An unknown client is a logon failure too (SAP logs on to a client) [derived].
        """
        html = (
            "<!DOCTYPE html><html><head><meta charset=utf-8><title>Logon Error Message</title>"
            "</head><body>"
            "<h1>Anmeldung fehlgeschlagen / Logon failed</h1>"
            f"<p>Logon failed for client {client}: name or password is incorrect "
            "(repeat logon)</p></body></html>"
        )
        realm = f'Basic realm="SAP NetWeaver Application Server [{self.config.system_id}/{client}]"'
        return Response(html, 401, {"WWW-Authenticate": realm}, media_type="text/html")

    def _gate(self, request: Request) -> Response | None:
        client = self._client(request)
        if not self.config.soap_active:
            html = _page("403 Forbidden", "Service is not active")
            return Response(html, 403, media_type="text/html")
        if client not in self.config.clients or not self._credentials_ok(request):
            return self._logon_refused(client)
        return None

    # -- the call pipeline shared by SOAP and RFC -------------------------------------------------

    def _invoke(
        self,
        fm: FunctionModule,
        sid: str,
        params: dict[str, Any],
        faults: frozenset[str] = frozenset(),
    ) -> _Outcome:
        handler = self.handlers.get(fm.name)
        with self.lock:
            self.calls += 1
            try:
                if handler is None:
                    raise AbapException(
                        "CALL_FUNCTION_NOT_FOUND",
                        "FL",
                        "046",
                        v1=fm.name,
                        message=f"Function module {fm.name} not found",
                    )
                self.backend.settings = self.settings  # a reset builds a fresh backend
                self.backend.logon_user = self.config.user
                self.backend.call_faults = faults  # applied by the rule itself (IN_CALL)
                try:
                    result = handler(self.backend, sid, params)
                finally:
                    self.backend.call_faults = frozenset()
            except AbapException as exc:
                return _Outcome(exception=exc)
            except Exception as exc:  # an ABAP dump: RFC ABAPRuntimeError, SOAP Server fault
                log.exception("handler %s failed", fm.name)
                return _Outcome(dump=f"{type(exc).__name__}: {exc}")
        unknown = set(result) - {p.name for p in fm.outputs}
        if unknown:
            log.warning("%s returned parameters the signature lacks: %s", fm.name, sorted(unknown))
        try:
            return _Outcome(outputs=fm.normalize_outputs(result))
        except ConversionError as exc:  # an export that does not fit its DDIC type: a dump
            log.error("%s returned a value that does not fit: %s", fm.name, exc)
            return _Outcome(dump=f"CONVT_OVERFLOW: {exc}")

    # -- enqueue: a posting holds its customer for the whole call ---------------------------------

    @staticmethod
    def _enqueue_keys(function: str, params: dict[str, Any]) -> list[tuple[str, str]]:
        """(BUKRS, KUNNR) a posting locks: FB05 and the accounting BAPI (also inside the kit's
        Z_OTC_AR_ON_ACCOUNT) lock the customer
        account per company code (lock object EFKNB1A, KUNNR + BUKRS: public copies of SAPF124,
        FORM sperren_konto, ``CALL FUNCTION 'ENQUEUE_EFKNB1A'``)."""
        if function in ("Z_OTC_AR_CLEAR", "Z_OTC_AR_REFUND"):
            bukrs, kunnr = str(params.get("I_COMP_CODE") or ""), str(params.get("I_CUSTOMER") or "")
            return [(bukrs, kunnr)] if kunnr else []
        if function in ("BAPI_ACC_DOCUMENT_POST", "Z_OTC_AR_ON_ACCOUNT"):
            header = params.get("DOCUMENTHEADER") or {}
            bukrs = str(header.get("COMP_CODE") or "")
            rows = params.get("ACCOUNTRECEIVABLE") or []
            found = {(str(r.get("COMP_CODE") or bukrs), str(r.get("CUSTOMER") or "")) for r in rows}
            return sorted(k for k in found if k[1])
        return []

    def _take(self, keys: list[tuple[str, str]], sid: str) -> tuple[list[tuple[str, str]], str]:
        """Enqueue all keys for ``sid`` or none; returns (taken, holder's user or '')."""
        with self._enqueue_lock:
            for key in keys:
                holder = self._enqueued.get(key)
                if holder is not None and holder != sid:
                    with self.lock:
                        return [], str(self.backend.session_user(holder))
            taken = [k for k in keys if k not in self._enqueued]
            for key in taken:
                self._enqueued[key] = sid
            return taken, ""

    def _release(self, keys: list[tuple[str, str]]) -> None:
        with self._enqueue_lock:
            for key in keys:
                self._enqueued.pop(key, None)

    def _work(
        self,
        fm: FunctionModule,
        sid: str,
        params: dict[str, Any],
        delay_s: float,
        faults: frozenset[str] = frozenset(),
    ) -> _Outcome:
        """The ERP's side of a call, run in a worker thread to its end whatever the client does:
        the customer's enqueue, the latency (time the call runs), the handler and its commit."""
        keys = self._enqueue_keys(fm.name, params) if self.settings.enqueue_during_call else []
        taken, holder = self._take(keys, sid)
        if holder:
            with self.lock:
                result = self.backend.lock_response(fm.name, params, holder)
            return _Outcome(outputs=fm.normalize_outputs(result))
        try:
            if delay_s:
                time.sleep(delay_s)
            return self._invoke(fm, sid, params, faults)
        finally:
            self._release(taken)

    async def _run(
        self, request: Request, fm: FunctionModule, sid: str, params: dict[str, Any]
    ) -> tuple[_Outcome | None, Response | None, list[Any], threading.Event | None]:
        """Apply faults around the ERP's work. Returns (outcome, early response, fired rules,
        the event set when detached work ends: the session must live until then, else None).

        The work runs in the threadpool, which the request cannot cancel: a client that hangs
        up (a timeout, a killed process) does not stop the ERP, which commits all the same.
        """
        fired = self.faults.draw(PERSONA, fm.name)
        in_call = frozenset(r.kind for r in fired if r.kind in IN_CALL)
        latency = pick(fired, "latency")
        delay_s = latency.ms / 1000 if latency else 0.0
        if pick(fired, "unavailable"):
            await asyncio.sleep(delay_s)  # queued at the ICM, then refused: nothing ran
            return None, icm_page(503), fired, None
        if pick(fired, "drop_before"):
            await asyncio.sleep(delay_s)
            await drop_connection(request.scope)
            return None, Response(b""), fired, None
        if pick(fired, "lock_conflict"):
            await asyncio.sleep(delay_s)
            with self.lock:
                result = self.backend.lock_response(fm.name, params)
            return _Outcome(outputs=fm.normalize_outputs(result)), None, fired, None
        if rule := pick(fired, "icm_timeout"):
            done = threading.Event()

            def detached() -> None:
                try:
                    self._work(fm, sid, params, delay_s, in_call)
                finally:
                    done.set()

            threading.Thread(target=detached, name=f"mock-sap-{fm.name}", daemon=True).start()
            await asyncio.sleep(rule.ms / 1000)
            return None, icm_page(500), fired, done
        outcome = await run_in_threadpool(self._work, fm, sid, params, delay_s, in_call)
        if pick(fired, "drop_after_commit"):
            await drop_connection(request.scope)
            return None, Response(b""), fired, None
        if rule := pick(fired, "gateway_timeout_after_commit"):
            status = rule.status or 504
            return None, Response(gateway_page(status), status, media_type="text/html"), fired, None
        return outcome, None, fired, None

    def _end_after(self, sid: str, done: threading.Event | None) -> None:
        """End a session now, or once the detached work on it has finished."""
        if done is None or done.is_set():
            self._end(sid)
            return

        def later() -> None:
            done.wait()
            self._end(sid)

        threading.Thread(target=later, name="mock-sap-end-session", daemon=True).start()

    @staticmethod
    def _maybe_malformed(fired: list[Any], body: bytes, status: int, media_type: str) -> Response:
        if pick(fired, "malformed"):
            body = body[: max(1, len(body) // 2)]  # cut mid-document: not valid XML/JSON
        return Response(body, status, media_type=media_type)

    # -- SOAP -------------------------------------------------------------------------------------

    async def wsdl(self, request: Request) -> Response:
        if refused := self._gate(request):
            return refused
        names = [
            n.strip() for n in request.query_params.get("services", "").split(",") if n.strip()
        ]
        if not names:
            return Response("parameter 'services' is missing", 400, media_type="text/plain")
        try:
            fms = [get_function(n.upper()) for n in names]
        except KeyError as exc:
            return Response(
                f"Function module {exc.args[0]} not found", 404, media_type="text/plain"
            )
        address = str(request.base_url).rstrip("/") + RFC_PATH  # without sap-client (§4)
        return Response(build_wsdl(fms, address), 200, media_type=XML)

    async def soap_call(self, request: Request) -> Response:
        if refused := self._gate(request):
            return refused
        self._sweep()
        cmd = request.query_params.get("sap-sessioncmd", "").lower()
        cookie = request.cookies.get(COOKIE)
        body = await request.body()
        set_cookie: str | None = None
        stateful: _Session | None = None
        if not self.settings.soap_sessions:  # a real /sap/bc/soap/rfc keeps no state (§8)
            cmd = "" if cmd == "open" else cmd
            cookie = None
        if cmd == "open":
            stateful = _Session(self._open())
            set_cookie = secrets.token_urlsafe(24)
            self.soap_sessions[set_cookie] = stateful
        elif cookie and cookie in self.soap_sessions:
            stateful = self.soap_sessions[cookie]
            stateful.last_used = time.monotonic()
        # An unknown/expired cookie behaves as no cookie: a fresh one-call session [unconfirmed].
        if cmd == "logoff" and not body.strip():
            return self._logoff(cookie, Response(b"", 200))
        try:
            call = soap.parse_request(body)
            params = call.function.coerce_inputs(call.params, allow_exports=False)
        except (soap.SoapFault, InvalidParameter, ConversionError) as exc:
            fault = (
                exc
                if isinstance(exc, soap.SoapFault)
                else soap.SoapFault(
                    "SOAP-ENV:Client",
                    str(exc.args[0]) if isinstance(exc, InvalidParameter) else str(exc),
                    "RFC_INVALID_PARAMETER"
                    if isinstance(exc, InvalidParameter)
                    else "RFC_CONVERSION_FAILURE",
                )
            )
            return self._with_cookie(
                Response(soap.render_fault(fault), 500, media_type=XML), set_cookie
            )
        sid = stateful.sid if stateful else self._open()
        done: threading.Event | None = None
        try:
            outcome, early, fired, done = await self._run(request, call.function, sid, params)
        finally:
            if stateful is None:  # stateless POST: its session, and pending LUW, end here (§4)
                self._end_after(sid, done)
        if early is not None:
            return early
        assert outcome is not None
        fm = call.function
        if outcome.exception is not None:
            resp = self._maybe_malformed(
                fired, soap.render_exception(fm, outcome.exception), 500, XML
            )
        elif outcome.dump is not None:
            fault = soap.SoapFault("SOAP-ENV:Server", outcome.dump, "SYSTEM_FAILURE")
            resp = self._maybe_malformed(fired, soap.render_fault(fault), 500, XML)
        else:
            assert outcome.outputs is not None
            xml = soap.render_response(fm, outcome.outputs, call.sent)
            resp = self._maybe_malformed(fired, xml, 200, XML)
        if cmd == "logoff":
            return self._logoff(cookie, resp)
        return self._with_cookie(resp, set_cookie)

    def _with_cookie(self, resp: Response, cookie: str | None) -> Response:
        if cookie:
            resp.set_cookie(COOKIE, cookie, path=RFC_PATH, httponly=True)
        return resp

    def _logoff(self, cookie: str | None, resp: Response) -> Response:
        sess = self.soap_sessions.pop(cookie, None) if cookie else None
        if sess is not None:
            self._end(sess.sid)
        resp.delete_cookie(COOKIE, path=RFC_PATH)
        return resp

    # -- RFC-client JSON (mock-only) -------------------------------------------------------------

    @staticmethod
    def _rfc_error(
        kind: str,
        code: int,
        key: str,
        message: str,
        *,
        status: int = 500,
        reconnect: bool = False,
        **msg: str,
    ) -> JSONResponse:
        body = {
            "class": kind,
            "code": code,
            "key": key,
            "message": message,
            "reconnect": reconnect,
            **msg,
        }
        return JSONResponse({"error": body}, status)

    def _rfc_session(self, request: Request) -> _Session | None:
        return self.rfc_sessions.get(request.headers.get(RFC_SESSION_HEADER, ""))

    def _closed(self) -> JSONResponse:
        """Session gone (server restart, reset, dropped connection): the link is dead."""
        return self._rfc_error(
            "CommunicationError",
            1,
            "RFC_COMMUNICATION_FAILURE",
            "connection closed: ABAP session no longer exists",
            reconnect=True,
        )

    async def rfc_open(self, request: Request) -> Response:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            body = {}
        client = str(body.get("client") or self.config.default_client)
        if client not in self.config.clients or not self._credentials_ok(request):
            return self._rfc_error(
                "LogonError",
                2,
                "RFC_LOGON_FAILURE",
                "Name or password is incorrect (repeat logon)",
                status=401,
                msg_class="00",
                msg_type="E",
                msg_number="152",
            )
        token = secrets.token_urlsafe(24)
        self.rfc_sessions[token] = _Session(self._open())
        return JSONResponse({"session": token, "client": client, "sysid": self.config.system_id})

    async def rfc_close(self, request: Request) -> Response:
        sess = self.rfc_sessions.pop(request.headers.get(RFC_SESSION_HEADER, ""), None)
        if sess is not None:
            self._end(sess.sid)
        return JSONResponse({"closed": sess is not None})

    async def rfc_ping(self, request: Request) -> Response:
        if self._rfc_session(request) is None:
            return self._closed()
        return JSONResponse({"pong": True})

    async def rfc_describe(self, request: Request) -> Response:
        name = request.path_params["fm"]
        try:
            fm = get_function(name)
        except KeyError:
            return self._fu_not_found(name)
        return JSONResponse(describe(fm))

    def _fu_not_found(self, name: str) -> JSONResponse:
        return self._rfc_error(
            "ABAPApplicationError",
            5,
            "FU_NOT_FOUND",
            f"ID:FL Type:E Number:046 {name}",
            status=404,
            msg_class="FL",
            msg_type="E",
            msg_number="046",
            msg_v1=name,
        )

    async def rfc_call(self, request: Request) -> Response:
        sess = self._rfc_session(request)
        if sess is None:
            return self._closed()
        sess.last_used = time.monotonic()
        name = request.path_params["fm"]
        try:
            fm = get_function(name)
        except KeyError:
            return self._fu_not_found(name)
        try:
            body = await request.json()
            params = fm.coerce_inputs(body.get("params") or {})
        except InvalidParameter as exc:
            return self._rfc_error(
                "ExternalRuntimeError", 20, "RFC_INVALID_PARAMETER", str(exc.args[0])
            )
        except ConversionError as exc:
            if exc.type_error:
                return self._rfc_error("TypeError", 0, "TypeError", str(exc))
            return self._rfc_error("ExternalRuntimeError", 22, "RFC_CONVERSION_FAILURE", str(exc))
        except (json.JSONDecodeError, AttributeError):
            return self._rfc_error(
                "ExternalRuntimeError", 20, "RFC_INVALID_PARAMETER", "bad request body"
            )
        not_requested = set(body.get("not_requested") or [])
        outcome, early, fired, done = await self._run(request, fm, sess.sid, params)
        if early is not None:
            if early.status_code != 503:  # a dropped connection kills the ABAP session (§7.8)
                self.rfc_sessions.pop(request.headers[RFC_SESSION_HEADER], None)
                self._end_after(sess.sid, done)
            return early
        assert outcome is not None
        if outcome.exception is not None:
            e = outcome.exception
            variables = " ".join(v for v in (e.v1, e.v2, e.v3, e.v4) if v)
            message = (
                f"ID:{e.msg_class} Type:{e.msg_type} Number:{e.number} {variables}".rstrip()
                if e.msg_class
                else e.name
            )
            payload: dict[str, Any] = {
                "error": {
                    "class": "ABAPApplicationError",
                    "code": 5,
                    "key": e.name,
                    "message": message,
                    "msg_class": e.msg_class,
                    "msg_type": e.msg_type if e.msg_class else "",
                    "msg_number": e.number,
                    "msg_v1": e.v1,
                    "msg_v2": e.v2,
                    "msg_v3": e.v3,
                    "msg_v4": e.v4,
                    "reconnect": False,
                }
            }
            status = 500
        elif outcome.dump is not None:
            # A dump ends the ABAP session: pyrfc reopens (docs/specs/sap.md §5).
            self.rfc_sessions.pop(request.headers[RFC_SESSION_HEADER], None)
            self._end(sess.sid)
            payload = {
                "error": {
                    "class": "ABAPRuntimeError",
                    "code": 3,
                    "key": "RFC_ABAP_RUNTIME_FAILURE",
                    "message": outcome.dump,
                    "reconnect": True,
                }
            }
            status = 500
        else:
            assert outcome.outputs is not None
            payload = {"result": encode_outputs(fm, outcome.outputs, not_requested)}
            status = 200
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return self._maybe_malformed(fired, raw, status, "application/json")


def encode_outputs(fm: FunctionModule, outputs: dict[str, Any], skip: set[str]) -> dict[str, Any]:
    """Typed JSON of exports/changing/tables (all, as pyrfc returns; minus not_requested)."""
    out: dict[str, Any] = {}
    for p in fm.outputs:
        if p.name in skip:
            continue
        value = outputs[p.name]
        if p.structure is not None:
            fields = p.structure.fields
            rows = value if p.is_table else [value]
            enc = [{f.name: f.to_json(r[f.name]) for f in fields} for r in rows]
            out[p.name] = enc if p.is_table else enc[0]
        else:
            assert p.field is not None
            out[p.name] = p.field.to_json(value)
    return out


def describe(fm: FunctionModule) -> dict[str, Any]:
    """Function description (RfcGetFunctionDesc's content) for the RFC client."""

    def fields(p: Any) -> list[dict[str, Any]] | None:
        if p.structure is None:
            return None
        return [
            {"name": f.name, "datatype": f.datatype, "length": f.length, "decimals": f.decimals}
            for f in p.structure.fields
        ]

    return {
        "name": fm.name,
        "exceptions": list(fm.exceptions),
        "parameters": [
            {
                "name": p.name,
                "direction": p.direction,
                "type": p.type_name,
                "optional": not p.required,
                "default": p.default,
                "datatype": p.field.datatype if p.field else None,
                "length": p.field.length if p.field else None,
                "decimals": p.field.decimals if p.field else 0,
                "fields": fields(p),
            }
            for p in fm.parameters
        ],
    }
