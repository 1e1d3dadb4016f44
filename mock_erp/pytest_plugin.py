"""pytest plugin (entry point ``pytest11: mock_erp``): a mock ERP on 127.0.0.1 for the session.

Imports nothing heavy at import time: pytest loads this plugin in every run of every project
using the package, so uvicorn/starlette are imported inside the fixture only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def mock_erp_server() -> Iterator[Any]:
    """A running :class:`mock_erp.server.MockServer` (small seeded data set, free port)."""
    from mock_erp.server import start

    server = start(companies=2, customers=20, open_items=200)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def mock_erp_url(mock_erp_server: Any) -> str:
    """Base URL of the session's mock ERP, e.g. ``http://127.0.0.1:54321``."""
    return str(mock_erp_server.url)
