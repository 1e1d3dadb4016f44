"""OData V2 reads over httpx: server paging followed, bodies streamed, errors mapped once.

Why httpx and not pyodata in the product: pyodata builds one proxy object per entity, which
costs several times the HTTP and JSON work at 1M items (docs/benchmarks.md, s4api pull); the
tests read the same services with pyodata to prove the mock speaks what SAP's client expects.
Filters are built from typed values here, never pasted from user text (quotes doubled, OData
V2 literal forms: https://www.odata.org/documentation/odata-version-2-0/uri-conventions/).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import httpx

from adapters.errors import ConfigError, TransientError, TransportError
from adapters.retry import transient_policy


def literal(value: str | date | bool | int) -> str:
    """A ``$filter`` literal: strings quoted with quotes doubled, dates as datetime'...'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return f"datetime'{value.isoformat()}T00:00:00'"
    return "'" + value.replace("'", "''") + "'"


def any_of(prop: str, values: Sequence[str]) -> str:
    """``(P eq 'a' or P eq 'b')``; Gateway V2 has no ``in`` operator."""
    return "(" + " or ".join(f"{prop} eq {literal(v)}" for v in values) + ")"


def _gateway_message(response: httpx.Response) -> str:
    """``error.message.value`` of Gateway's JSON error body, else the start of the body."""
    try:
        error = json.loads(response.content)["error"]
        text = str(error["message"]["value"])
        code = str(error.get("code", ""))
        return f"{code} {text}".strip()
    except (ValueError, KeyError, TypeError):
        return response.text[:200].strip()


class ODataReader:
    """One system's OData services; every call is a read, so every transient error retries."""

    def __init__(
        self,
        system: str,
        url: str,
        user: str,
        password: str,
        client: str | None,
        root: str,
        timeout_s: float,
        http: httpx.Client | None = None,
    ) -> None:
        self.system, self.root = system, root.rstrip("/")
        self.base = url.rstrip("/")
        self.params = {"sap-client": client} if client else {}
        self.http = http or httpx.Client(
            auth=(user, password),
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
            headers={"Accept": "application/json"},
        )

    def close(self) -> None:
        self.http.close()

    def _url(self, service: str, path: str) -> str:
        return f"{self.base}{self.root}/{service}/{path}"

    def _get(self, url: str, params: dict[str, str] | None) -> bytes:
        result: bytes = transient_policy()(self._get_once, url, params)
        return result

    def _get_once(self, url: str, params: dict[str, str] | None) -> bytes:
        try:
            with self.http.stream("GET", url, params=params) as response:
                body = response.read()
        except (httpx.ConnectError, httpx.TimeoutException, httpx.RemoteProtocolError) as exc:
            raise TransientError(self.system, f"GET {url}: {exc}; retrying") from exc
        except httpx.HTTPError as exc:
            raise TransportError(self.system, f"GET {url}: {exc}") from exc
        status = response.status_code
        if status == 200:
            return body
        detail = _gateway_message(response)
        if status in (401, 403):
            raise ConfigError(
                f"{self.system}: the communication user was refused ({status}) on {url}: "
                f"{detail}; check user, password_env and the communication arrangement"
            )
        if status in (502, 503, 504) or (
            status >= 500 and "text/html" in response.headers.get("content-type", "")
        ):
            raise TransientError(self.system, f"GET {url}: HTTP {status}; retrying")
        raise TransportError(self.system, f"GET {url}: HTTP {status}: {detail}")

    def pages(
        self,
        service: str,
        entity_set: str,
        *,
        select: Sequence[str],
        filter_: str,
        top: int,
        order_by: Sequence[str] = (),
    ) -> Iterator[list[dict[str, Any]]]:
        """Every row of the query, page by page, following ``__next`` until none comes.

        The client asks ``$top`` rows per request and moves on with ``$skip``; within a request
        the server may cut the answer into smaller pages and hand back ``__next``. Both are
        followed, so neither a server page size nor a client page size loses a row. ``order_by``
        (the entity's key) makes ``$skip`` pages disjoint whatever order the database would
        otherwise return rows in.
        """
        skip = 0
        while True:
            params = {
                **self.params,
                "$format": "json",
                "$select": ",".join(select),
                "$filter": filter_,
                "$top": str(top),
                "$skip": str(skip),
            }
            if order_by:
                params["$orderby"] = ",".join(order_by)
            url: str | None = self._url(service, entity_set)
            got = 0
            query: dict[str, str] | None = params
            while url is not None:
                data = json.loads(self._get(url, query))["d"]
                rows: list[dict[str, Any]] = data["results"]
                got += len(rows)
                if rows:
                    yield rows
                url = data.get("__next")
                if url is not None:
                    self._check_same_origin(url)
                    query = self.params if "sap-client" not in url else None
            if got < top:
                return
            skip += got

    def _check_same_origin(self, url: str) -> None:
        mine, theirs = urlsplit(self.base), urlsplit(url)
        if (mine.scheme, mine.netloc) != (theirs.scheme, theirs.netloc):
            raise TransportError(
                self.system, f"__next points to another host ({theirs.netloc}); refusing it"
            )

    def metadata(self, service: str) -> bytes:
        return self._get(self._url(service, "$metadata"), self.params)
