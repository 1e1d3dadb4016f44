"""Fixtures of the Oracle persona tests: one real server on 127.0.0.1 (port 0) for the module
session, real clients (httpx for ORDS, the oracledb-compatible shim), a bare engine for unit
tests. Faults are cleared after every test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # test modules import oracle_helpers

from oracle_helpers import PASSWORD, USER, OracleServer, start_oracle_server


@pytest.fixture(scope="session")
def ora_server() -> Iterator[OracleServer]:
    server = start_oracle_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def ords(ora_server: OracleServer) -> Iterator[httpx.Client]:
    with httpx.Client(auth=(USER.upper(), PASSWORD), timeout=30) as client:
        yield client


@pytest.fixture(autouse=True)
def _clean_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "ora_server" in request.fixturenames:
        request.getfixturevalue("ora_server").state.faults.clear()
        request.getfixturevalue("ora_server").state.faults.rules.clear()


@pytest.fixture
def shim(ora_server: OracleServer) -> Iterator[Any]:
    """A factory of oracledb-compatible connections to the session server (closed after the test)."""
    from mock_erp.clients import oracle as ora

    opened: list[Any] = []

    def connect(**kw: Any) -> Any:
        conn = ora.connect(user=USER, password=PASSWORD, mock_url=ora_server.url, **kw)
        opened.append(conn)
        return conn

    yield connect
    for conn in opened:
        if conn.is_healthy():
            conn.close()


@pytest.fixture
def fetch_decimals() -> Iterator[None]:
    import oracledb

    old = oracledb.defaults.fetch_decimals
    oracledb.defaults.fetch_decimals = True
    yield
    oracledb.defaults.fetch_decimals = old
