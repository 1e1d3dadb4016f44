"""Run the mock ERP with uvicorn in a background thread: tests, the demo, notebooks.

Why a thread and port 0: tests hit a REAL server through real clients (style.md §10) without a
fixed port that could clash; loopback only unless the caller opts in (the mock has one
well-known password and no TLS).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass
class MockServer:
    """A running mock ERP: ``url``, the ASGI ``app`` and its shared ``state``."""

    url: str
    app: Any
    host: str
    port: int
    _server: Any
    _thread: threading.Thread

    @property
    def state(self) -> Any:
        """``MockState``: store, SAP backend, faults (for white-box checks)."""
        return self.app.state.mock

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=timeout)


def start(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    allow_remote: bool = False,
    log_level: str = "warning",
    **app_kwargs: Any,
) -> MockServer:
    """Start in a daemon thread; returns once the socket accepts connections."""
    import uvicorn

    from mock_erp.app import build_app

    if host not in LOOPBACK and not allow_remote:
        raise ValueError(
            f"refusing to bind {host}: the mock ERP binds loopback only; "
            "pass allow_remote=True to expose it"
        )
    app = build_app(**app_kwargs)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family)
    # Nagle + delayed ACK cost ~44 ms per HTTP round trip on loopback; measured, see docs
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    server = uvicorn.Server(
        uvicorn.Config(app, lifespan="off", log_level=log_level, http="h11", timeout_keep_alive=30)
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="mock-erp"
    )
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("mock ERP did not start")
        time.sleep(0.01)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    return MockServer(f"http://{shown}:{bound_port}", app, bound_host, bound_port, server, thread)


@contextmanager
def serve(**kwargs: Any) -> Iterator[MockServer]:
    """``with serve() as erp: ... erp.url``; keyword arguments go to :func:`start`/``build_app``."""
    server = start(**kwargs)
    try:
        yield server
    finally:
        server.stop()
