"""RFC_READ_TABLE read in disjoint key ranges (issue 14 item 3), against the mock's own
handler in a fresh order on every call: every row exactly once, whatever the sizes."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from adapters.sap.table_reader import DuplicateRows, partitions, read_table
from mock_erp.sap.models import SapBackend
from mock_erp.sap.responses import HANDLERS
from mock_erp.sap.seed import seed_sap
from mock_erp.store import Store


class InProcess:
    """The mock's handlers as a SapTransport (no HTTP): RFC_READ_TABLE as the persona runs it."""

    system = "sap"

    def __init__(self, backend: SapBackend) -> None:
        self.backend = backend
        self.calls: list[dict[str, Any]] = []

    def call(self, function: str, /, **params: Any) -> dict[str, Any]:
        self.calls.append(params)
        return HANDLERS[function](self.backend, self.backend.open_session(), params)


@pytest.fixture(scope="module")
def backend() -> SapBackend:
    store = Store(":memory:")
    sap = SapBackend(store, today=date(2026, 12, 1))
    seed_sap(store, seed=7, customers=30, open_items=900, today=date(2026, 12, 1))
    return sap


def all_keys(backend: SapBackend) -> list[tuple[str, ...]]:
    rows = backend.store.query("SELECT BUKRS, BELNR, GJAHR, BUZEI FROM BSID")
    return sorted(tuple(r) for r in rows)


@pytest.mark.parametrize(("page_size", "probe"), [(10, 25), (7, 7), (50, 60), (1000, 5000)])
def test_partitions_cover_every_row_once(backend: SapBackend, page_size: int, probe: int) -> None:
    transport = InProcess(backend)
    bounds = list(partitions(transport, "BSID", "BELNR", [], page_size, probe))
    seen: list[tuple[str, ...]] = []
    for where in bounds:
        answer = transport.call(
            "RFC_READ_TABLE", QUERY_TABLE="BSID", DELIMITER="|", OPTIONS=[{"TEXT": " AND ".join(where)}]
            if where else [], FIELDS=[{"FIELDNAME": f} for f in ("BUKRS", "BELNR", "GJAHR", "BUZEI")],
            DATA=[],
        )  # fmt: skip
        rows = [tuple(str(r["WA"]).split("|")) for r in answer["DATA"]]
        counted = {r[1] for r in rows}
        assert len(rows) <= page_size or len(counted) == 1  # one BELNR may exceed a page
        seen += rows
    assert sorted(seen) == all_keys(backend)
    if probe < 900:  # the probes had to split: more than one probe per split level
        assert sum(1 for c in transport.calls if c.get("ROWCOUNT") == probe + 1) > 1


def test_read_table_yields_each_key_once_in_random_order(backend: SapBackend) -> None:
    transport = InProcess(backend)
    fields = ["BUKRS", "BELNR", "GJAHR", "BUZEI", "KUNNR", "WRBTR", "SGTXT"]
    pages = list(read_table(transport, "BSID", fields, key=["BUKRS", "BELNR", "GJAHR", "BUZEI"],
                            page_size=40))  # fmt: skip
    keys = sorted(tuple(r) for p in pages for r in p.select(fields[:4]).iter_rows())
    assert keys == all_keys(backend)
    assert all(p.height <= 40 for p in pages) and len(pages) > 10
    assert not any(c.get("ROWSKIPS") for c in transport.calls)  # never paged by counting


class Overlapping(InProcess):
    """A system whose answers repeat a row across partitions (the table changed under the read)."""

    def call(self, function: str, /, **params: Any) -> dict[str, Any]:
        answer = super().call(function, **params)
        if params.get("ROWCOUNT") is None and answer["DATA"] and len(self.calls) > 4:
            answer["DATA"] = [*answer["DATA"], *self.first]
        elif params.get("ROWCOUNT") is None and answer["DATA"]:
            self.first = answer["DATA"][:1]
        return answer


def test_a_key_read_twice_stops_the_read(backend: SapBackend) -> None:
    transport = Overlapping(backend)
    with pytest.raises(DuplicateRows, match="twice"):
        for _ in read_table(transport, "BSID", ["BUKRS", "BELNR", "GJAHR", "BUZEI"],
                            key=["BUKRS", "BELNR", "GJAHR", "BUZEI"], page_size=100):  # fmt: skip
            pass
