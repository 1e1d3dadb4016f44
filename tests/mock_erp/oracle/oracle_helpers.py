"""Helpers of the Oracle persona tests: a real server (uvicorn, 127.0.0.1, port 0) with the
Oracle routes and the admin API, composed here until mock_erp.app wires the persona in."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

USER, PASSWORD, SCHEMA = "otc", "otc-mock", "otc"  # ORDS: a user calls its own schema
TODAY = dt.date(2026, 11, 28)


@dataclass
class OracleTestState:
    """What mock_erp.admin's fault and table endpoints need from ``app.state.mock``."""

    store: Any
    faults: Any
    backend: Any
    personas: set[str] = field(default_factory=lambda: {"oracle"})

    def query_table(self, name: str, filters: dict[str, str], limit: int, offset: int) -> Any:
        return self.store.query_table(name, filters, limit, offset)


@dataclass
class OracleServer:
    url: str
    state: OracleTestState
    server: Any
    thread: threading.Thread

    @property
    def ords(self) -> str:
        return f"{self.url}/ords/{SCHEMA}/_/sql"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


def start_oracle_server(
    *, customers: int = 40, open_items: int = 300, seed: int = 42
) -> OracleServer:
    import uvicorn

    from mock_erp import admin
    from mock_erp.app import MockApp
    from mock_erp.faults import FaultSet
    from mock_erp.oracle.models import OracleBackend
    from mock_erp.oracle.routes import OraclePersona
    from mock_erp.oracle.seed import seed_oracle
    from mock_erp.store import Store

    store = Store()
    backend = OracleBackend(store, today=TODAY)
    seed_oracle(store, seed=seed, customers=customers, open_items=open_items, today=TODAY)
    faults = FaultSet(seed=7)
    persona = OraclePersona(backend, faults)
    app = MockApp(routes=[*admin.routes(), *persona.routes()])
    state = OracleTestState(store, faults, backend)
    app.state.mock = state
    sock = socket.create_server(("127.0.0.1", 0))
    sock.setsockopt(
        socket.IPPROTO_TCP, socket.TCP_NODELAY, 1
    )  # accepted sockets inherit it (Linux)
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", http="h11"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "mock ERP did not start"
        time.sleep(0.01)
    host, port = sock.getsockname()[:2]
    return OracleServer(f"http://{host}:{port}", state, server, thread)
