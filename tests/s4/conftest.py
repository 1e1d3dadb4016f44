"""One mock ERP on 127.0.0.1 for the S/4 persona tests; settings restored after each test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # test modules import s4_helpers


@pytest.fixture(scope="module")
def erp() -> Iterator[Any]:
    from mock_erp.server import start

    server = start(companies=2, customers=20, open_items=300, fault_seed=3)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _restore(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "erp" in request.fixturenames:
        url = request.getfixturevalue("erp").url
        httpx.delete(url + "/_mock/faults")
        httpx.put(url + "/_mock/settings", json={"s4": {"odata_page_size": 1000}})
