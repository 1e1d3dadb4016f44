"""The SAP adapter (ECC / S/4HANA FI-AR) over SOAP-for-RFC or RFC.

Registered like any third-party adapter, through the entry point
`otc_adapters.adapters: sap = "adapters.sap:build"`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adapters.sap.adapter import SapAdapter


def build(name: str, section: Mapping[str, Any], secrets: Mapping[str, str]) -> SapAdapter:
    """An adapter for `[systems.NAME]`; heavy imports happen here, not at `otc --help`."""
    from adapters.sap.adapter import SapAdapter
    from adapters.sap.settings import SapSettings

    return SapAdapter(SapSettings.from_section(name, section, secrets))
