"""The mock ERP as one ASGI app: one store, one fault set, one admin API, one app per persona.

Why one app: adapters, tests and the demo reach every persona on one port; state (SQLite, with
the ERPs' own table names) and injected faults are shared, so a test can post over SOAP and
inspect ``BKPF`` through ``/_mock/tables``.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send

from mock_erp import admin
from mock_erp.faults import FaultSet
from mock_erp.sap.routes import SapConfig, SapPersona
from mock_erp.settings import MockSettings

DEFAULT_SIZES = {"seed": 42, "companies": 4, "customers": 200, "open_items": 2000}


class MockApp(Starlette):
    """Starlette that keeps uvicorn's own ``send`` in the scope.

    Why: a ``drop_*`` fault must close the TCP connection without any HTTP response
    (:func:`mock_erp.faults.drop_connection`), and only the server's ``send`` leads to the
    transport; Starlette's middlewares wrap it before any route sees it.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["mock_erp.raw_send"] = send
        await super().__call__(scope, receive, send)


@dataclass
class MockState:
    """Everything the routes share; reachable as ``app.state.mock``."""

    store: Any
    sap_backend: Any
    sap: SapPersona
    faults: FaultSet
    lock: threading.Lock
    sizes: dict[str, int]
    seed_data: bool
    today: dt.date | None = None
    personas: set[str] = field(default_factory=lambda: {"sap"})
    oracle: Any = None  # the Oracle persona's routes object (OraclePersona)
    settings: MockSettings = field(default_factory=MockSettings)  # PUT /_mock/settings

    def seed(self, sizes: dict[str, int]) -> dict[str, int]:
        """Both personas from one seed: some customers exist in both ERPs (same tax id)."""
        from mock_erp.oracle.seed import seed_oracle
        from mock_erp.sap.seed import seed_sap

        with self.lock:
            counts = dict(
                seed_sap(
                    self.store,
                    seed=sizes["seed"],
                    companies=sizes["companies"],
                    customers=sizes["customers"],
                    open_items=sizes["open_items"],
                    today=self.today,
                )
            )
            if self.oracle is not None:
                oracle_counts = seed_oracle(
                    self.store,
                    seed=sizes["seed"],
                    operating_units=sizes["companies"],
                    customers=sizes["customers"],
                    open_items=sizes["open_items"],
                    today=self.today,
                    sap_companies=sizes["companies"],
                )
                counts.update({f"oracle.{k}": v for k, v in oracle_counts.items()})
                self.oracle.backend.forget_settings()  # the seed rewrote the settings' tables
        return counts

    def reset(self, reseed: bool) -> dict[str, int]:
        """Re-init: empty store, fresh backend (no sessions, locks or pending LUWs), no faults."""
        from mock_erp.sap.models import SapBackend

        with self.lock:
            self.store.reset()
            self.sap_backend = _backend(SapBackend, self.store, self.today)
            self.sap.backend = self.sap_backend
            self.sap.end_all()
            if self.oracle is not None:
                self.oracle.backend.end_all()
        self.faults.clear()
        self.faults.rules.clear()
        self.settings.restore_defaults()
        return self.seed(self.sizes) if reseed else {}

    def query_table(self, name: str, filters: dict[str, str], limit: int, offset: int) -> Any:
        with self.lock:
            return self.store.query_table(name, filters, limit, offset)


def _backend(cls: Any, store: Any, today: dt.date | None) -> Any:
    """``SapBackend(store)``, with a fixed clock when ``today`` is given (reproducible runs)."""
    return cls(store) if today is None else cls(store, today=today)


def build_app(
    *,
    store_path: str = ":memory:",
    seed: int = 42,
    seed_data: bool = True,
    user: str = "otc",
    password: str = "otc-mock",
    companies: int = 4,
    customers: int = 200,
    open_items: int = 2000,
    clients: tuple[str, ...] = ("100",),
    today: dt.date | None = None,
    fault_seed: int = 0,
) -> Starlette:
    """Wire store, SAP backend, faults, admin and persona routes into one app.

    ``seed_data`` seeds the SAP persona deterministically (``seed``) at build time. Small sizes
    keep test start-up fast; ``POST /_mock/seed`` re-seeds at any size later.
    """
    from mock_erp.sap.models import SapBackend
    from mock_erp.store import Store

    store = Store(path=store_path)
    lock = threading.Lock()
    faults = FaultSet(seed=fault_seed)
    backend = _backend(SapBackend, store, today)
    config = SapConfig(
        user=user, password=password, clients=frozenset(clients), default_client=clients[0]
    )
    sap = SapPersona(backend, faults, config, lock)
    sizes = {"seed": seed, "companies": companies, "customers": customers, "open_items": open_items}
    state = MockState(store, backend, sap, faults, lock, sizes, seed_data, today)
    sap.settings = state.settings.sap  # the same object for the life of the app

    from mock_erp.oracle.models import OracleBackend
    from mock_erp.oracle.routes import OracleConfig, OraclePersona

    oracle = OraclePersona(
        OracleBackend(store, today=today),
        faults,
        lock,
        config=OracleConfig(user=user, password=password),
    )
    oracle.settings = state.settings.oracle
    state.oracle = oracle
    state.personas.add("oracle")
    from mock_erp.s4.routes import S4Persona

    s4 = S4Persona(sap, faults, lock)
    s4.settings = state.settings.s4
    state.personas.add("s4")
    routes: list[BaseRoute] = [*admin.routes(), *sap.routes(), *oracle.routes(), *s4.routes()]
    app = MockApp(routes=routes)
    app.state.mock = state
    if seed_data:
        state.seed(sizes)
    return app
