"""The two journal-entry SOAP services of S/4HANA (communication scenario SAP_COM_0002).

Journal Entry – Post goes through zeep on SAP's own WSDL (shipped in adapters/s4/wsdl/, source
in tests/fixtures/real/SOURCES.md): zeep builds the request from the schema, so an element in
the wrong place or order fails here, not in SAP. Journal Entry – Clear has no public WSDL and is
one-way, so its message is built with lxml (adapters/s4/soap_clearing.py) and sent with httpx.

What an error proves (docs/exactly-once.md): only a connection that was never opened, or the
ICM's own 503 (adapters/gateway.py), shows that nothing reached SAP (`TransientError`); every
other failure after the request left may have posted (`OutcomeUnknown`). Neither call is
retried here: the job decides.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import httpx

from adapters.errors import OutcomeUnknown, TransientError, TransportError
from adapters.gateway import ICM_NOT_STARTED, gateway_error
from adapters.s4 import soap_clearing

SFIN = "http://sap.com/xi/SAPSCORE/SFIN"
POST_SERVICE = "JournalEntryCreateRequestConfirmation_In"
POST_PATH = "journalentrycreaterequestconfi"
WSDL = "JOURNALENTRYCREATEREQUESTCONFI.wsdl"
ERROR_SEVERITY = 3  # LogItemSeverityCode: 1 information, 2 warning, 3 error, 4 abort


@dataclass(frozen=True)
class Confirmation:
    """One journal entry's confirmation: the document, or the log that refused it."""

    document: str | None  # AccountingDocument, None when refused
    company: str
    fiscal_year: str
    log: list[str]  # "605(RW) Document posted successfully: ..."

    @property
    def obj_key(self) -> str:
        """BELNR + BUKRS + GJAHR, the form every SAP transport reports (AWKEY)."""
        return f"{self.document}{self.company:<4}{self.fiscal_year}"


def _never_sent(exc: BaseException) -> bool:
    """True when the connection was never made (refused, DNS, connect timeout)."""
    import requests
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

    seen: set[int] = set()
    todo: list[Any] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, NewConnectionError | ConnectTimeoutError):
            return True
        if isinstance(current, requests.exceptions.ConnectTimeout):
            return True
        todo += [getattr(current, "reason", None), current.__cause__, current.__context__]
        todo += [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
    return False


class JournalEntrySoap:
    """One system's journal-entry endpoints; a zeep client per thread (requests sessions)."""

    def __init__(
        self,
        system: str,
        url: str,
        user: str,
        password: str,
        client: str | None,
        root: str,
        timeout_s: float,
    ) -> None:
        self.system = system
        self._base = url.rstrip("/") + "/" + root.strip("/")
        self._query = f"?sap-client={client}" if client else ""
        self._auth = (user, password)
        self._timeout_s = timeout_s
        self._local = threading.local()
        self._http = httpx.Client(
            auth=self._auth, timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0))
        )

    def close(self) -> None:
        self._http.close()

    def _service(self) -> Any:
        service = getattr(self._local, "service", None)
        if service is None:
            import requests
            import zeep

            session = requests.Session()
            session.auth = self._auth
            make_transport: Any = zeep.Transport  # zeep has no type hints
            make_client: Any = zeep.Client
            transport = make_transport(
                session=session, timeout=self._timeout_s, operation_timeout=self._timeout_s
            )
            wsdl = files("adapters.s4") / "wsdl" / WSDL
            client = make_client(str(wsdl), transport=transport)
            service = client.create_service(
                f"{{{SFIN}}}binding", f"{self._base}/{POST_PATH}{self._query}"
            )
            self._local.service = service
        return service

    def post(self, message_id: str, entry: dict[str, Any], key: str) -> Confirmation:
        """Journal Entry – Post of one entry (synchronous): SAP's confirmation, parsed."""
        import requests
        import zeep.exceptions
        from lxml.etree import XMLSyntaxError

        now = {"CreationDateTime": _now()}
        what = f"{POST_SERVICE} for {key}"
        try:
            answer = self._service().JournalEntryCreateRequestConfirmation_In(
                MessageHeader={"ID": message_id, **now},
                JournalEntryCreateRequest=[
                    {"MessageHeader": {"ID": f"{message_id[:33]}-1", **now}, "JournalEntry": entry}
                ],
            )
        except requests.exceptions.RequestException as exc:
            if _never_sent(exc):
                raise TransientError(self.system, f"{what}: not sent ({exc})") from exc
            raise OutcomeUnknown(self.system, f"{what}: no answer ({exc})", key=key) from exc
        except zeep.exceptions.TransportError as exc:
            raise gateway_error(
                self.system,
                what,
                exc.status_code,
                exc.content or b"",
                writes=True,
                signatures=ICM_NOT_STARTED,
            ) from exc
        except (zeep.exceptions.Error, XMLSyntaxError) as exc:
            raise OutcomeUnknown(
                self.system, f"{what}: unreadable answer ({exc})", key=key
            ) from exc
        return _confirmation(self.system, answer, key)

    def send_clearing(self, message_id: str, clearing: soap_clearing.Clearing, key: str) -> None:
        """Journal Entry – Clear (asynchronous): returns once SAP accepted the message."""
        what = f"{soap_clearing.SERVICE} for {key} (message {message_id})"
        body = soap_clearing.envelope(message_id, clearing)
        headers = {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{soap_clearing.SOAP_ACTION}"',
        }
        url = f"{self._base}/{soap_clearing.PATH}{self._query}"
        try:
            answer = self._http.post(url, content=body, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise TransientError(self.system, f"{what}: not sent ({exc})") from exc
        except httpx.HTTPError as exc:
            raise OutcomeUnknown(self.system, f"{what}: no answer ({exc})", key=key) from exc
        if answer.status_code in (200, 202):
            return
        if answer.status_code in (401, 403):
            raise TransportError(
                self.system,
                f"{what}: the communication user was refused (HTTP {answer.status_code}); "
                "check the SAP_COM_0002 arrangement",
            )
        if answer.status_code == 500 and b"Fault" in answer.content[:2000]:
            raise TransportError(  # the SOAP runtime refused the message: nothing was queued
                self.system, f"{what}: SOAP fault {answer.text[:300]}"
            )
        raise gateway_error(
            self.system,
            what,
            answer.status_code,
            answer.content,
            writes=True,
            signatures=ICM_NOT_STARTED,
        )


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _confirmation(system: str, answer: Any, key: str) -> Confirmation:
    """The first entry's confirmation; an answer without one is not an answer."""
    entries = answer["JournalEntryCreateConfirmation"] if answer is not None else None
    if not entries:
        raise OutcomeUnknown(system, f"{POST_SERVICE}: answer without a confirmation", key=key)
    first = entries[0]
    log_node = first["Log"]
    items = (log_node["Item"] if log_node is not None else None) or []
    lines = [f"{i['TypeID'] or ''} {i['Note'] or ''}".strip() for i in items]
    worst = max((int(i["SeverityCode"] or 0) for i in items), default=0)
    if log_node is not None and log_node["MaximumLogItemSeverityCode"]:
        worst = max(worst, int(log_node["MaximumLogItemSeverityCode"]))
    document = first["JournalEntryCreateConfirmation"]
    number = str(document["AccountingDocument"] or "") if document is not None else ""
    if worst >= ERROR_SEVERITY:
        return Confirmation(None, "", "", lines)
    if not number.strip("0"):
        raise OutcomeUnknown(
            system, f"{POST_SERVICE}: no error and no document ({'; '.join(lines)})", key=key
        )
    return Confirmation(
        number, str(document["CompanyCode"] or ""), str(document["FiscalYear"] or ""), lines
    )
