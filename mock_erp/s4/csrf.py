"""Gateway's CSRF protection for modifying requests (POST, PUT, PATCH, MERGE, DELETE).

Why: a client that never fetches a token, or sends it without the session cookie it came with,
is refused by every real Gateway. Flow and answers (SAP Community, "How does CSRF token work?
SAP Gateway", https://community.sap.com/t5/technology-blogs-by-sap/how-does-csrf-token-work-sap-gateway/ba-p/13520186):
a GET with ``X-CSRF-Token: Fetch`` answers the token and sets session cookies; a modifying
request without a valid token and matching cookie is ``403 Forbidden`` with the response header
``X-CSRF-Token: Required`` and the text body "CSRF token validation failed" (SAP KBA 3048103).
The token is bound to the session cookie by default (the harsher, real behaviour since
SAP_BASIS 7.03/7.31 with security sessions); setting ``s4.csrf_session_bound = false`` accepts
any token this server issued (the older cookie-less variant).
"""

from __future__ import annotations

import secrets
import threading

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "sap-XSRF_S4M_100"  # sap-XSRF_<SID>_<client>; the SID of the mock is S4M
MODIFYING = frozenset({"POST", "PUT", "PATCH", "MERGE", "DELETE"})


class CsrfGuard:
    """Tokens per session cookie; one token per session, re-fetched unchanged."""

    def __init__(self) -> None:
        self._by_session: dict[str, str] = {}
        self._lock = threading.Lock()

    def fetch_headers(self, request: Request) -> dict[str, str]:
        """Headers for a response to ``request``: the token if it asked with ``Fetch``."""
        if request.headers.get("x-csrf-token", "").lower() != "fetch":
            return {}
        session = request.cookies.get(COOKIE, "")
        with self._lock:
            token = self._by_session.get(session)
            headers = {}
            if token is None:
                session, token = secrets.token_urlsafe(16), secrets.token_urlsafe(18)
                self._by_session[session] = token
                headers["set-cookie"] = f"{COOKIE}={session}; path=/; HttpOnly"
        return {**headers, "x-csrf-token": token}

    def refused(self, request: Request, session_bound: bool) -> Response | None:
        """None when the modifying request carries a valid token, else Gateway's 403."""
        token = request.headers.get("x-csrf-token", "")
        with self._lock:
            if session_bound:
                ok = bool(token) and self._by_session.get(request.cookies.get(COOKIE, "")) == token
            else:
                ok = bool(token) and token in self._by_session.values()
        if ok:
            return None
        return Response(
            "CSRF token validation failed",
            403,
            {"x-csrf-token": "Required"},
            media_type="text/plain",
        )
