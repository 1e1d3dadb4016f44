"""OData V2 writes as SAP Gateway requires them: CSRF token, ETag, and honest outcomes.

Why a writer apart from the reader: a read may be repeated at will, a write may not. Every
modifying request carries the CSRF token fetched on the same HTTP session (Gateway binds it to
the session cookie; a ``403`` with ``X-CSRF-Token: Required`` was refused before anything
happened, so the token is fetched again and the request sent once more). A change of an entity
with an ETag sends ``If-Match`` (``428`` without it, ``412`` when stale: SAP KBA 3514624; SAP
Community "Handling 412 Precondition Failed and 428 Precondition Required Errors in SAP APIs
Using ETag"). What reached the system is never sent again blind: a lost answer, a timeout after
sending, a gateway's 502/504 or an HTML 500 is ``OutcomeUnknown``; only a refused connection or
the ICM's 503 (nothing processed) is ``TransientError``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from adapters.errors import ConfigError, ErpRejected, OutcomeUnknown, TransientError
from adapters.retry import transient_policy
from adapters.s4.odata import ODataReader, _gateway_message


class StaleETag(ErpRejected):
    """412: the entity changed since its ETag was read."""


def _error_code(response: httpx.Response) -> tuple[str, str]:
    try:
        error = json.loads(response.content)["error"]
        return str(error.get("code", "")), str(error["message"]["value"])
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code}", response.text[:200].strip()


class ODataWriter:
    """Writes through the reader's HTTP session (same cookies, so the token stays valid)."""

    def __init__(self, reader: ODataReader) -> None:
        self.reader = reader
        self.system = reader.system
        self._tokens: dict[str, str] = {}

    def _url(self, service: str, path: str) -> str:
        return f"{self.reader.base}{self.reader.root}/{service}/{path}"

    def _fetch_token(self, service: str) -> str:
        url = self._url(service, "")

        def once() -> str:
            try:
                answer = self.reader.http.get(
                    url, params=self.reader.params, headers={"X-CSRF-Token": "Fetch"}
                )
            except (httpx.ConnectError, httpx.TimeoutException, httpx.RemoteProtocolError) as exc:
                raise TransientError(self.system, f"CSRF token fetch {url}: {exc}") from exc
            if answer.status_code in (401, 403):
                raise ConfigError(
                    f"{self.system}: the communication user was refused ({answer.status_code}) "
                    f"on {url}: {_gateway_message(answer)}; check the communication arrangement"
                )
            token = str(answer.headers.get("x-csrf-token", ""))
            if answer.status_code != 200 or not token or token.lower() == "required":
                raise TransientError(
                    self.system, f"CSRF token fetch {url}: HTTP {answer.status_code}, no token"
                )
            return token

        token: str = transient_policy()(once)
        self._tokens[service] = token
        return token

    def get(self, service: str, path: str, key: str) -> tuple[dict[str, Any], str | None] | None:
        """One entity (``d``) and its ETag header; None when there is no such entity."""
        url = self._url(service, path)

        def once() -> httpx.Response:
            try:
                return self.reader.http.get(url, params={**self.reader.params, "$format": "json"})
            except (httpx.ConnectError, httpx.TimeoutException, httpx.RemoteProtocolError) as exc:
                raise TransientError(self.system, f"GET {url}: {exc}; retrying") from exc

        answer: httpx.Response = transient_policy()(once)
        if answer.status_code == 200:
            return json.loads(answer.content)["d"], answer.headers.get("etag")
        if answer.status_code == 404:
            return None
        if answer.status_code in (502, 503, 504):
            raise TransientError(self.system, f"GET {url}: HTTP {answer.status_code}")
        self._refuse(answer, url, key)
        raise AssertionError("unreachable")

    def post(self, service: str, entity_set: str, body: dict[str, Any], key: str) -> dict[str, Any]:
        """POST (a create, deep insert included); the created entity (``d``)."""
        answer = self._send("POST", service, entity_set, body, key, {})
        if answer.status_code != 201:
            self._refuse(answer, self._url(service, entity_set), key)
        try:
            created: dict[str, Any] = json.loads(answer.content)["d"]
        except (ValueError, KeyError, TypeError) as exc:
            raise OutcomeUnknown(
                self.system, f"POST {entity_set} answered 201 with an unreadable body", key=key
            ) from exc
        return created

    def patch(
        self, service: str, path: str, body: dict[str, Any], key: str, etag: str | None
    ) -> str | None:
        """PATCH only the properties in ``body``; ``etag`` goes out as If-Match. New ETag."""
        headers = {"If-Match": etag} if etag else {}
        answer = self._send("PATCH", service, path, body, key, headers)
        if answer.status_code != 204:
            self._refuse(answer, self._url(service, path), key)
        etag_now: str | None = answer.headers.get("etag")
        return etag_now

    def _send(
        self,
        method: str,
        service: str,
        path: str,
        body: dict[str, Any],
        key: str,
        headers: dict[str, str],
    ) -> httpx.Response:
        url = self._url(service, path)
        for attempt in (1, 2):
            token = self._tokens.get(service) or self._fetch_token(service)
            try:
                answer = self.reader.http.request(
                    method,
                    url,
                    params=self.reader.params,
                    content=json.dumps(body).encode(),
                    headers={
                        **headers,
                        "X-CSRF-Token": token,
                        "Content-Type": "application/json",
                        "Accept": "application/json",
                    },
                )
            except httpx.ConnectError as exc:  # no connection: nothing was sent
                raise TransientError(self.system, f"{method} {url}: {exc}; not sent") from exc
            except httpx.HTTPError as exc:  # sent, no answer: it may have been processed
                raise OutcomeUnknown(self.system, f"{method} {url}: {exc}", key=key) from exc
            refused_token = (
                answer.status_code == 403
                and answer.headers.get("x-csrf-token", "").lower() == "required"
            )
            if refused_token and attempt == 1:
                self._tokens.pop(service, None)  # expired or another session: fetch anew
                continue
            return answer
        return answer

    def _refuse(self, answer: httpx.Response, url: str, key: str) -> None:
        status = answer.status_code
        html = "text/html" in answer.headers.get("content-type", "")
        if status == 503:
            raise TransientError(self.system, f"{url}: HTTP 503, not processed; retry later")
        if status in (502, 504) or (status >= 500 and html):
            raise OutcomeUnknown(self.system, f"{url}: HTTP {status} from a gateway", key=key)
        if status in (401, 403):
            raise ConfigError(
                f"{self.system}: the communication user was refused ({status}) on {url}: "
                f"{_gateway_message(answer)}; check the communication arrangement "
                "(scenario SAP_COM_0008 for API_BUSINESS_PARTNER)"
            )
        code, text = _error_code(answer)
        if status == 412:
            raise StaleETag(self.system, key, code or "412", text)
        raise ErpRejected(self.system, key, code or f"HTTP {status}", text)
