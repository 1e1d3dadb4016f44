"""The mock ERP server: SAP (and later Oracle EBS) personas over one SQLite store.

Public door: :func:`serve` (uvicorn in a thread, a context manager) and :func:`build_app` (the
ASGI app). Imports are lazy so ``import mock_erp`` (e.g. by the CLI or the pytest plugin) stays
light: no starlette, uvicorn or lxml until used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_erp.app import build_app
    from mock_erp.server import serve

__all__ = ["build_app", "serve"]


def __getattr__(name: str) -> Any:
    if name == "serve":
        from mock_erp.server import serve

        return serve
    if name == "build_app":
        from mock_erp.app import build_app

        return build_app
    raise AttributeError(f"module 'mock_erp' has no attribute {name!r}")
