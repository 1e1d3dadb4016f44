"""The S/4HANA persona's real-system variants (``PUT /_mock/settings {"s4": {...}}``).

Defaults are the harsher variant wherever real systems differ; see ``docs/mock-erp.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

from mock_erp.faults import FaultRuleError


@dataclass
class S4Settings:
    # Server-driven paging: Gateway cuts a collection into pages and answers ``__next``
    # with a ``$skiptoken`` when the service implements it. Small by default so a client that
    # ignores ``__next`` loses rows in every test (the harsher variant). 0 = no server paging.
    odata_page_size: int = 1000
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
