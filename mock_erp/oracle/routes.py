"""HTTP routes of the Oracle EBS persona: ORDS REST-Enabled SQL and the oracledb shim's session API.

- ``POST /ords/{schema}/_/sql`` (docs/specs/oracle.md §5.2): Basic auth, ``application/json``
  (``statementText``, ``binds``, ``offset``, ``limit``) or ``application/sql`` (a script);
  one session per request, committed on success, rolled back on the first ORA error (later
  statements of the script are not run [unconfirmed: ORDS may continue]). GET -> 405, bad
  credentials -> 401, unknown schema alias -> 404.
- ``POST /ords/{schema}/_/mock-session`` and ``.../mock-session/{sid}/{action}`` (mock-only, for
  mock_erp.clients.oracle): a database session that lives across requests until ``close``;
  actions ``execute``, ``executemany``, ``fetch``, ``commit``, ``rollback``, ``ping``, ``close``.

Faults (mock_erp/faults.py, persona ``"oracle"``): the operation is ``"query"`` for SQL and the
public API name (``AR_RECEIPT_API_PUB.CREATE_CASH``...) for a PL/SQL block calling it
(``"plsql"`` for other blocks). ``lock_conflict`` answers ORA-00054, ``deadlock`` ORA-00060,
``package_state_lost`` ORA-04068 (each rolled back, nothing done); ``drop_after_commit`` commits
and then closes the connection unanswered (shim: on the next commit call).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mock_erp.faults import FaultRule, FaultSet, drop_connection, gateway_page, pick
from mock_erp.oracle import responses
from mock_erp.oracle.models import (
    DEFAULT_LIMIT,
    Bind,
    OracleBackend,
    Result,
    Statement,
    api_operations,
    parse_binds,
    split_script,
)
from mock_erp.oracle.session import OracleSession, OraError
from mock_erp.oracle.settings import OracleSettings
from mock_erp.oracle.sql import bind_key

PERSONA = "oracle"
JSON = "application/json"
#: ORDS's 503 when it cannot get a database connection: no statement ran.
ORDS_NO_CONNECTION = (
    "ORDS was unable to make a connection to the database. All connections in the Universal "
    "Connection Pool are in use - [30, 30, 42, 12, 0, 30, 1, 0, 29]"
)
#: The servlet container's (or proxy's) page when it stops waiting for ORDS: not ORDS's JSON.
CONTAINER_TIMEOUT_PAGE = (
    "<html><head><title>Error 500 Server Error</title></head><body><h2>HTTP ERROR 500</h2>"
    "<p>Timeout waiting for the response from /ords</p></body></html>"
)

# fault kind -> the Oracle error the session gets (docs/specs/oracle.md §5.1, §7 item 17)
FAULT_ERRORS = {
    "lock_conflict": OraError(
        54, "resource busy and acquire with NOWAIT specified or timeout expired"
    ),
    "deadlock": OraError(60, "deadlock detected while waiting for resource"),
    "package_state_lost": OraError(4068, "existing state of packages has been discarded"),
}


@dataclass
class OracleConfig:
    user: str = "otc"
    password: str = "otc-mock"
    schemas: frozenset[str] = field(default_factory=lambda: frozenset({"apps", "otc", "ebs"}))


def basic_user(request: Request) -> str | None:
    """The user name of a Basic authorization header, or None."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        return base64.b64decode(header[6:]).decode("utf-8").partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        return None


def basic_auth_checker(user: str, password: str) -> Callable[[Request], bool]:
    """Basic auth against one DB user (case-insensitive name, as Oracle upper-cases it)."""

    def check(request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("basic "):
            return False
        try:
            got_user, _, got_pw = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return secrets.compare_digest(got_user.upper(), user.upper()) and secrets.compare_digest(
            got_pw, password
        )

    return check


class OraclePersona:
    """Routes of the Oracle persona over one backend and the app's fault set."""

    def __init__(
        self,
        backend: OracleBackend,
        faults: FaultSet,
        lock: threading.Lock | None = None,
        *,
        check_auth: Callable[[Request], bool] | None = None,
        config: OracleConfig | None = None,
    ) -> None:
        self.backend, self.faults = backend, faults
        self.config = config or OracleConfig()
        self.check_auth = check_auth or basic_auth_checker(self.config.user, self.config.password)
        self.lock = lock
        self.calls = 0
        self.settings = OracleSettings()  # build_app shares the app's MockSettings.oracle here

    @property
    def settings(self) -> OracleSettings:
        return self.backend.settings

    @settings.setter
    def settings(self, value: OracleSettings) -> None:
        self.backend.settings = value

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/ords/{schema}/_/sql", self.sql, methods=["POST"]),
            Route("/ords/{schema}/_/mock-session", self.session_open, methods=["POST"]),
            Route(
                "/ords/{schema}/_/mock-session/{sid}/{action}",
                self.session_action,
                methods=["POST"],
            ),
        ]

    # ---- gate ---------------------------------------------------------------------------------
    def _gate(self, request: Request) -> Response | None:
        if request.path_params["schema"].lower() not in self.config.schemas:
            return Response(
                responses.problem(
                    404, "NotFound", "The request could not be mapped to any database."
                ),
                404,
                media_type=JSON,
            )
        if not self.check_auth(request):
            return Response(
                responses.problem(401, "Unauthorized", "Unauthorized"),
                401,
                {"WWW-Authenticate": 'Basic realm="Oracle REST Data Services"'},
                media_type=JSON,
            )
        return None

    def _own_schema_only(self, request: Request) -> Response | None:
        """ORDS database authentication: a database user may only call the REST-Enabled SQL
        of its own schema (setting ``ords_auth = "schema"``; docs/specs/oracle.md, corrections).
        Anything else is 401, as for a wrong password."""
        if self.settings.ords_auth != "schema":
            return None
        user = basic_user(request)
        if user is not None and user.upper() == request.path_params["schema"].upper():
            return None
        return Response(
            responses.problem(401, "Unauthorized", "Unauthorized"),
            401,
            {"WWW-Authenticate": 'Basic realm="Oracle REST Data Services"'},
            media_type=JSON,
        )

    def _draw(self, operations: list[str]) -> list[FaultRule]:
        fired: list[FaultRule] = []
        for op in operations:
            fired += self.faults.draw(PERSONA, op)
        return fired

    @staticmethod
    def _operations(stmts: list[Statement]) -> list[str]:
        ops: list[str] = []
        for st in stmts:
            names = api_operations(st.text) if st.kind == "plsql" else []
            for name in names or (["plsql"] if st.kind == "plsql" else ["query"]):
                if name not in ops:
                    ops.append(name)
        return ops

    # ---- ORDS ---------------------------------------------------------------------------------
    async def sql(self, request: Request) -> Response:
        if refused := self._gate(request) or self._own_schema_only(request):
            return refused
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        raw = await request.body()
        offset, limit, binds = 0, DEFAULT_LIMIT, []
        try:
            if ctype == "application/sql":
                script = raw.decode("utf-8")
            elif ctype == JSON:
                body = json.loads(raw or b"{}", parse_float=Decimal)
                if not isinstance(body, dict) or not isinstance(body.get("statementText"), str):
                    return self._bad("statementText is required")
                script = body["statementText"]
                offset = int(body.get("offset", 0) or 0)
                limit = min(int(body.get("limit", DEFAULT_LIMIT) or DEFAULT_LIMIT), DEFAULT_LIMIT)
                binds = parse_binds(body.get("binds"))
            else:
                return Response(
                    responses.problem(
                        415, "UnsupportedMediaType", f"unsupported content type {ctype!r}"
                    ),
                    415,
                    media_type=JSON,
                )
        except (ValueError, UnicodeDecodeError):
            return self._bad("the request body is not valid JSON")
        except OraError as exc:
            return self._bad(str(exc))
        stmts = split_script(script)
        fired = self._draw(self._operations(stmts))
        latency = pick(fired, "latency")
        delay_s = latency.ms / 1000 if latency else 0.0
        if pick(fired, "unavailable"):
            # ORDS got no pooled database connection: nothing ran (the body is the signature
            # adapters/gateway.py looks for; followthecoffee.com/503-service-unavailable-ords-
            # all-pools-in-use)
            await asyncio.sleep(delay_s)
            return Response(
                responses.problem(503, "ServiceUnavailable", ORDS_NO_CONNECTION),
                503,
                media_type=JSON,
            )
        if pick(fired, "drop_before"):
            await asyncio.sleep(delay_s)
            await drop_connection(request.scope)
            return Response(b"")
        injected = next((FAULT_ERRORS[r.kind] for r in fired if r.kind in FAULT_ERRORS), None)

        def work() -> bytes:
            """The database's side, run to its end whatever the client does (latency included)."""
            if delay_s:
                time.sleep(delay_s)
            return self._run_script(stmts, binds, offset, limit, injected)

        if rule := pick(fired, "icm_timeout"):
            # the container stops waiting; the session runs on and commits in the background
            threading.Thread(target=work, name="mock-ords-detached", daemon=True).start()
            await asyncio.sleep(rule.ms / 1000)
            return Response(CONTAINER_TIMEOUT_PAGE, 500, media_type="text/html")
        body_bytes = await run_in_threadpool(work)  # not cancelled by a client that hangs up
        if pick(fired, "drop_after_commit"):
            await drop_connection(request.scope)
            return Response(b"")
        if rule := pick(fired, "gateway_timeout_after_commit"):
            status = rule.status or 504
            return Response(gateway_page(status), status, media_type="text/html")
        if pick(fired, "malformed"):
            body_bytes = body_bytes[: max(1, len(body_bytes) // 2)]
        return Response(body_bytes, 200, media_type=JSON)

    def _run_script(
        self,
        stmts: list[Statement],
        binds: list[Bind],
        offset: int,
        limit: int,
        injected: OraError | None,
    ) -> bytes:
        """One ORDS session: run in order, stop at the first error; commit or roll back."""
        self.backend.apply_settings()
        session = OracleSession()
        items = []
        failed = False
        zone = self.settings.ords_time_zone
        self.calls += 1
        for i, st in enumerate(stmts, 1):
            if injected is not None:
                res = Result(st, st.kind, error=injected)
            else:
                res = self.backend.run(st, binds, session, offset=offset, limit=limit)
            items.append(responses.item(i, res, binds, zone=zone))
            if res.error is not None:
                failed = True
                break
        if failed:
            self.backend.rollback(session)
        else:
            self.backend.commit(session)
        return responses.document(items, zone=zone)

    @staticmethod
    def _bad(message: str) -> Response:
        return Response(responses.problem(400, "BadRequest", message), 400, media_type=JSON)

    # ---- shim sessions ------------------------------------------------------------------------
    async def session_open(self, request: Request) -> Response:
        if refused := self._gate(request):
            return refused
        fired = self._draw(["connect"])
        if pick(fired, "unavailable"):
            return Response(
                responses.problem(503, "ServiceUnavailable", "listener refused connection"),
                503,
                media_type=JSON,
            )
        sid = self.backend.open_session(request.headers.get("x-mock-user", self.config.user))
        return self._json(
            {
                "session": sid,
                "version": "19.20.0.0.0",
                "schema": request.path_params["schema"].upper(),
            }
        )

    async def session_action(self, request: Request) -> Response:
        if refused := self._gate(request):
            return refused
        sid, action = request.path_params["sid"], request.path_params["action"]
        cs = self.backend.client(sid)
        if cs is None:  # the server ended it: the client sees a closed connection
            return self._json({"error": {"dpy": 4011}}, status=410)
        body = json.loads((await request.body()) or b"{}", parse_float=Decimal)
        if action == "ping":
            return self._json({"ok": True})
        if action == "close":
            await run_in_threadpool(self.backend.end_session, sid)
            return self._json({"closed": True})
        if action in ("commit", "rollback"):
            fired = self._draw([action])
            if pick(fired, "drop_before"):
                await run_in_threadpool(self.backend.end_session, sid)
                await drop_connection(request.scope)
                return Response(b"")
            await run_in_threadpool(
                self.backend.commit if action == "commit" else self.backend.rollback, cs.session
            )
            if action == "commit" and (cs.drop_on_commit or pick(fired, "drop_after_commit")):
                cs.drop_on_commit = False
                await run_in_threadpool(self.backend.end_session, sid)
                await drop_connection(request.scope)
                return Response(b"")
            return self._json({"ok": True})
        if action == "fetch":
            cur = cs.cursors.get(str(body.get("cursor")))
            if cur is None:
                return self._json(
                    {"error": {"code": 1001, "message": "invalid cursor", "offset": 0}}
                )
            n = int(body.get("n", 100))
            try:
                rows = await run_in_threadpool(cur.fetch_raw, n)
            except OraError as exc:
                return self._error(exc)
            if cur.done:
                cs.cursors.pop(str(body.get("cursor")), None)
            return Response(
                (
                    '{"rows":'
                    + responses.encode_row_lists(cur.columns, rows, raw=True)
                    + f',"more":{"false" if cur.done else "true"}}}'
                ).encode(),
                media_type=JSON,
            )
        if action in ("execute", "executemany"):
            return await self._execute(request, cs, sid, body, many=action == "executemany")
        if action == "close_cursor":
            cur = cs.cursors.pop(str(body.get("cursor")), None)
            if cur is not None:
                cur.close()
            return self._json({"ok": True})
        return self._json(
            {"error": {"code": 900, "message": f"unknown action {action}", "offset": 0}}, status=404
        )

    async def _execute(
        self, request: Request, cs: Any, sid: str, body: dict[str, Any], many: bool
    ) -> Response:
        text = str(body.get("statementText", ""))
        stmt = Statement(text.strip(), 1, text.count("\n") + 1)
        if stmt.kind not in ("plsql",) and stmt.text.endswith(";"):
            stmt.text = stmt.text[:-1].rstrip()
        fired = self._draw(self._operations([stmt]))
        if rule := pick(fired, "latency"):
            await asyncio.sleep(rule.ms / 1000)
        if pick(fired, "unavailable") or pick(fired, "drop_before"):
            await run_in_threadpool(self.backend.end_session, sid)
            await drop_connection(request.scope)
            return Response(b"")
        if pick(fired, "drop_after_commit") or pick(fired, "gateway_timeout_after_commit"):
            cs.drop_on_commit = True  # no gateway on SQL*Net: the answer to the commit is lost
        for r in fired:
            if r.kind in FAULT_ERRORS:
                return self._error(FAULT_ERRORS[r.kind])
        try:
            payload = await run_in_threadpool(self._execute_sync, cs, stmt, body, many)
        except OraError as exc:
            return self._error(exc)
        data = payload.encode()
        if pick(fired, "malformed"):
            data = data[: max(1, len(data) // 2)]
        return Response(data, media_type=JSON)

    def _execute_sync(self, cs: Any, stmt: Statement, body: dict[str, Any], many: bool) -> str:
        self.backend.apply_settings()
        session: OracleSession = cs.session
        if many:
            total = 0
            for i, raw in enumerate(body.get("bindsList") or []):
                res = self.backend.run(stmt, parse_binds(raw), session)
                if res.error is not None:
                    res.error.offset = i  # oracledb reports the failing row as the error offset
                    raise res.error
                total += res.rowcount
            return responses.encode({"rowcount": total})
        binds = parse_binds(body.get("binds"))
        if stmt.kind == "query":
            values = {b.key: b.value for b in binds}
            with self.backend.engine.scope(session):
                src = self.backend.engine.open(stmt.text, values, session)
            first = max(1, int(body.get("prefetch", 2) or 2))
            rows = src.fetch_raw(first)
            cid = f"c{id(src)}"
            if not src.done:
                cs.cursors[cid] = src
            cols = [
                {
                    "name": c.name,
                    "type": c.type_name,
                    "precision": c.precision,
                    "scale": c.scale,
                    "nullable": c.nullable,
                    "kind": c.kind,
                }
                for c in src.columns
            ]
            return (
                '{"kind":"query","columns":'
                + responses.encode(cols)
                + ',"cursor":'
                + json.dumps(cid)
                + ',"rows":'
                + responses.encode_row_lists(src.columns, rows, raw=True)
                + f',"more":{"false" if src.done else "true"}}}'
            )
        res = self.backend.run(stmt, binds, session)
        if res.error is not None:
            raise res.error
        outs = {
            b.name if b.name is not None else str(b.index): res.out_binds.get(b.key)
            for b in binds
            if b.mode in ("out", "inout")
        }
        return responses.encode({"kind": res.kind, "rowcount": res.rowcount, "out": outs})

    @staticmethod
    def _json(data: Any, status: int = 200) -> Response:
        return Response(responses.encode(data).encode(), status, media_type=JSON)

    def _error(self, exc: OraError) -> Response:
        return self._json(
            {"error": {"code": exc.code, "message": exc.message, "offset": exc.offset}}
        )


def oracle_routes(
    backend: OracleBackend,
    *,
    check_auth: Callable[[Request], bool] | None = None,
    faults: FaultSet,
    lock: threading.Lock | None = None,
) -> list[BaseRoute]:
    """The persona's routes for ``mock_erp.app.build_app`` to mount."""
    return OraclePersona(backend, faults, lock, check_auth=check_auth).routes()


__all__ = ["OracleConfig", "OraclePersona", "basic_auth_checker", "bind_key", "oracle_routes"]
