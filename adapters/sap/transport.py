"""The SAP transport shape: RFC calls with FM parameter dicts, inside an ERP session.

Both transports carry the same parameter dicts (FM parameter names, upper case) and
return pyrfc-typed values: CHAR as stripped str, NUMC as zero-padded str, BCD as
`Decimal`, DATS as `'YYYYMMDD'` or `''`. What CI proves over SOAP then holds for RFC.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol


class SapTransport(Protocol):
    """Moves RFC calls and their tables; knows nothing of OTC."""

    system: str

    def call(self, function: str, /, **params: Any) -> dict[str, Any]:
        """Call a function module; business errors come back in RETURN, not as exceptions."""
        ...

    def session(self) -> AbstractContextManager[SapTransport]:
        """One ERP session for a unit of work (post, then commit in the same session)."""
        ...

    def close(self) -> None: ...
