"""Fixtures of the mock ERP tests: one real server on 127.0.0.1 (port 0) for the session,
real clients (zeep, httpx, the pyrfc-compatible Connection), and data picked from the seed.

Faults, locks and the ICF switch are reset after every test, so tests stay independent.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # test modules import mockerp_helpers

from mockerp_helpers import CLIENT, PASSWORD, USER, rows


@pytest.fixture(scope="session")
def erp() -> Iterator[Any]:
    from mock_erp.server import start

    server = start(companies=2, customers=20, open_items=200, fault_seed=7)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def admin(erp: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=erp.url, timeout=30) as client:
        yield client


@pytest.fixture(autouse=True)
def _clean_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "erp" in request.fixturenames:
        server = request.getfixturevalue("erp")
        httpx.delete(server.url + "/_mock/faults")
        httpx.delete(server.url + "/_mock/locks")
        httpx.put(server.url + "/_mock/sap/icf", json={"active": True})


@pytest.fixture
def rfc(erp: Any) -> Iterator[Callable[..., Any]]:
    from mock_erp.clients.rfc import Connection

    opened: list[Any] = []

    def connect(**overrides: str) -> Any:
        params = {
            "ashost": "127.0.0.1",
            "sysnr": "00",
            "client": CLIENT,
            "user": USER,
            "passwd": PASSWORD,
            "mock_url": erp.url,
            **overrides,
        }
        conn = Connection(**params)
        opened.append(conn)
        return conn

    yield connect
    for conn in opened:
        conn.close()


@pytest.fixture(scope="session")
def open_item(erp: Any) -> dict[str, Any]:
    """An open invoice (SHKZG S) in a 2-decimal currency of the seed."""
    with httpx.Client(base_url=erp.url) as admin:
        no_two = {r["CURRKEY"] for r in rows(admin, "TCURX") if int(r["CURRDEC"]) != 2}
        for row in rows(admin, "BSID"):
            if row["SHKZG"] == "S" and row["WAERS"] not in no_two and row["UMSKZ"] == "":
                return row
    raise AssertionError("seed has no open invoice in a 2-decimal currency")


@pytest.fixture(scope="session")
def accounts(erp: Any, open_item: dict[str, Any]) -> dict[str, Any]:
    with httpx.Client(base_url=erp.url) as admin:
        (acc,) = rows(admin, "ZMOCK_T001_ACCOUNTS", BUKRS=open_item["BUKRS"])
    return acc


@pytest.fixture
def invoice(erp: Any, open_item: dict[str, Any]) -> dict[str, Any]:
    """A still-open invoice other than ``open_item`` (clearing tests consume one each)."""
    with httpx.Client(base_url=erp.url) as admin:
        no_two = {r["CURRKEY"] for r in rows(admin, "TCURX") if int(r["CURRDEC"]) != 2}
        for row in reversed(rows(admin, "BSID", BUKRS=open_item["BUKRS"])):
            if (
                row["SHKZG"] == "S"
                and row["WAERS"] not in no_two
                and row["UMSKZ"] == ""
                and row["BELNR"] != open_item["BELNR"]
            ):
                return row
    raise AssertionError("no open invoice left to clear")
