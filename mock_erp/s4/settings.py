"""The S/4HANA persona's real-system variants (``PUT /_mock/settings {"s4": {...}}``).

Defaults are the harsher variant wherever real systems differ; see ``docs/mock-erp.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mock_erp.faults import FaultRuleError


@dataclass
class S4Settings:
    # Server-driven paging: Gateway cuts a collection into pages and answers ``__next``
    # with a ``$skiptoken`` when the service implements it. Small by default so a client that
    # ignores ``__next`` loses rows in every test (the harsher variant). 0 = no server paging.
    odata_page_size: int = 1000
    # CSRF tokens are bound to the session cookie they were fetched with (SAP_BASIS >= 7.03
    # with security sessions, the default there); false: any token this server issued passes
    csrf_session_bound: bool = True
    # services whose communication arrangement the user lacks: every request to them is 403
    # (what ``otc doctor --deep`` must name); none by default
    forbidden_services: list[str] = field(default_factory=list)
    # amounts of the cube: "external" = shifted to the currency's decimals (TCURX), as the
    # pull expects; "internal" = SAP's stored form (JPY 12,345 as 123.45), the variant
    # ``otc doctor --deep`` must catch. Which one a live Gateway answers is unconfirmed.
    cube_amounts: Literal["external", "internal"] = "external"
    # Journal Entry – Clear is asynchronous: the clearing lands this long after the request was
    # accepted (mock_erp/s4/soap_routes.py). Non-zero by default (the harsher variant): a
    # client that reads the ledger at once sees nothing cleared yet. 0: at once, still async.
    clearing_delay_ms: int = 1500

    def check_odata_page_size(self, value: int) -> None:
        if value < 0:
            raise FaultRuleError("s4.odata_page_size", "must be >= 0 (0: no server paging)")

    def check_clearing_delay_ms(self, value: int) -> None:
        if value < 0:
            raise FaultRuleError("s4.clearing_delay_ms", "must be >= 0 (milliseconds)")
