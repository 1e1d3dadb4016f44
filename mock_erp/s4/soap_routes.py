"""HTTP face of the S/4 journal-entry SOAP services: logon, faults, sync post, async clear.

Why the clearing runs on a timer: ``JournalEntryBulkClearingRequest_In`` is asynchronous. The
SOAP runtime only accepts the message (HTTP 202, empty body) and the application clears later
in the background; a client learns the outcome from the ledger or the message log, never from
the answer. The delay is a setting (``s4.clearing_delay_ms``, default non-zero: the harsher
variant, so a client that reads the ledger at once sees nothing yet). Faults use persona
``s4`` and the service names as operations.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from mock_erp.faults import drop_connection, gateway_page, pick
from mock_erp.s4 import journal_entry_clear, journal_entry_post
from mock_erp.s4.journal_entry_xml import RequestError, body_root, envelope, fault
from mock_erp.sap.abap import SapMessage
from mock_erp.sap.routes import icm_page

log = logging.getLogger(__name__)
PERSONA = "s4"
XML = "text/xml; charset=utf-8"
CLEARING_LOG = "/_mock/s4/clearing-log"


class S4Soap:
    """The two journal-entry services over the S/4 persona's store and faults."""

    def __init__(self, persona: Any) -> None:
        self.persona = persona
        self.seen_ids: set[str] = set()  # bulk MessageHeader IDs received (duplicates dropped)
        self.log: list[dict[str, Any]] = []  # the message log (AIF Message Dashboard)
        self._log_lock = threading.Lock()
        self._system: Any = None  # the backend the log belongs to (POST /_mock/reset replaces it)

    def routes(self) -> list[BaseRoute]:
        return [
            Route(journal_entry_post.PATH, self.post, methods=["POST"]),
            Route(journal_entry_clear.PATH, self.clear, methods=["POST"]),
            Route(CLEARING_LOG, self.clearing_log, methods=["GET"]),
            Route(CLEARING_LOG, self.clearing_log_reset, methods=["DELETE"]),
        ]

    @property
    def _backend(self) -> Any:
        sap = self.persona.sap
        sap.backend.settings = sap.settings  # a reset builds a fresh backend
        return sap.backend

    def _current(self) -> Any:
        """The backend now; a reset (a new backend) empties the log and the seen message IDs,
        as a freshly installed system has neither."""
        backend = self._backend
        with self._log_lock:
            if backend is not self._system:
                self._system = backend
                self.log.clear()
                self.seen_ids.clear()
        return backend

    def _refused(self, request: Request) -> Response | None:
        sap = self.persona.sap
        client = request.query_params.get("sap-client", sap.config.default_client)
        if client not in sap.config.clients or not sap._credentials_ok(request):
            refused: Response = sap._logon_refused(client)
            return refused
        return None

    async def _faults_before(
        self, request: Request, operation: str
    ) -> tuple[list[Any], Response | None]:
        """Latency, and the faults that stop the call before the application acts."""
        fired = self.persona.faults.draw(PERSONA, operation)
        if rule := pick(fired, "latency"):
            await asyncio.sleep(rule.ms / 1000)
        if pick(fired, "unavailable"):
            return fired, icm_page(503)
        if pick(fired, "drop_before"):
            await drop_connection(request.scope)
            return fired, Response(b"")
        return fired, None

    async def _faults_after(self, request: Request, fired: list[Any]) -> Response | None:
        """The faults that lose the answer after the application acted (and committed)."""
        if pick(fired, "drop_after_commit"):
            await drop_connection(request.scope)
            return Response(b"")
        if rule := pick(fired, "gateway_timeout_after_commit"):
            status = rule.status or 504
            return Response(gateway_page(status), status, media_type="text/html")
        if rule := pick(fired, "icm_timeout"):
            await asyncio.sleep(rule.ms / 1000)
            return icm_page(500)
        return None

    # -- Journal Entry – Post (synchronous) ----------------------------------------------------

    def _post(self, raw: bytes) -> bytes:
        root, soap_ns = body_root(raw)
        with self.persona.lock:
            answer = journal_entry_post.handle(
                self._backend, root, self.persona.sap.config.user.upper()
            )
        return envelope(answer, soap_ns)

    def _post_quietly(self, raw: bytes) -> None:
        """The posting after the ICM answered: a refusal has no one left to hear it."""
        with contextlib.suppress(RequestError):
            self._post(raw)

    async def post(self, request: Request) -> Response:
        if refused := self._refused(request):
            return refused
        raw = await request.body()
        fired, early = await self._faults_before(request, journal_entry_post.SERVICE)
        if early is not None:
            return early
        if rule := pick(fired, "icm_timeout"):  # the ICM stops waiting; the posting goes on
            threading.Thread(target=self._post_quietly, args=(raw,), daemon=True).start()
            await asyncio.sleep(rule.ms / 1000)
            return icm_page(500)
        try:
            body = await run_in_threadpool(self._post, raw)
        except RequestError as exc:
            return Response(fault(str(exc)), 500, media_type=XML)
        if (late := await self._faults_after(request, fired)) is not None:
            return late
        if pick(fired, "malformed"):
            body = body[: max(1, len(body) // 2)]
        return Response(body, 200, media_type=XML)

    # -- Journal Entry – Clear (asynchronous) --------------------------------------------------

    def _record(self, entry: dict[str, Any]) -> None:
        with self._log_lock:
            self.log.append(entry)

    def _process(
        self, bulk: journal_entry_clear.BulkClearing, received: float, system: Any
    ) -> None:
        """The background part: every clearing request of the message, each on its own.
        A message accepted before a reset is gone with the system it was sent to."""
        if self._current() is not system:
            return
        for req in bulk.requests:
            try:
                with self.persona.lock:
                    outcome = journal_entry_clear.clear(self._backend, req, bulk.test)
            except Exception as exc:  # the application dumped: the log shows it, nothing posted
                log.exception("clearing %s failed", req.request_id)
                outcome = journal_entry_clear.Outcome(req.request_id, "failed")
                outcome.messages = [SapMessage(msg_class="ZMOCK", number="069", text=repr(exc))]
            self._record(
                {"message_id": bulk.message_id, "received": received, "processed": time.time()}
                | outcome.public()
            )

    def _accept(self, raw: bytes) -> None:
        """Queue the message (or drop a duplicate); raises RequestError for a SOAP fault."""
        root, _ = body_root(raw)
        bulk = journal_entry_clear.parse(root)
        system = self._current()
        received = time.time()
        with self._log_lock:
            duplicate = bulk.message_id in self.seen_ids
            self.seen_ids.add(bulk.message_id)
        if duplicate:
            self._record(
                {
                    "message_id": bulk.message_id,
                    "received": received,
                    "processed": received,
                    "status": "duplicate",
                    "log": [],
                }
            )
            return
        delay_s = self.persona.settings.clearing_delay_ms / 1000
        timer = threading.Timer(delay_s, self._process, args=(bulk, received, system))
        timer.daemon = True
        timer.name = f"mock-s4-clearing-{bulk.message_id}"
        timer.start()

    async def clear(self, request: Request) -> Response:
        if refused := self._refused(request):
            return refused
        raw = await request.body()
        fired, early = await self._faults_before(request, journal_entry_clear.SERVICE)
        if early is not None:
            return early
        try:
            self._accept(raw)
        except RequestError as exc:
            return Response(fault(str(exc)), 500, media_type=XML)
        if (late := await self._faults_after(request, fired)) is not None:
            return late
        return Response(b"", 202)

    async def clearing_log(self, request: Request) -> Response:
        self._current()
        with self._log_lock:
            entries = list(self.log)
        wanted = request.query_params.get("message_id")
        if wanted:
            entries = [e for e in entries if e["message_id"] == wanted]
        return JSONResponse({"entries": entries})

    async def clearing_log_reset(self, request: Request) -> Response:
        with self._log_lock:
            self.log.clear()
        return JSONResponse({"entries": []})
