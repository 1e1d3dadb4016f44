"""The SAP adapter (ECC / S/4HANA FI-AR) over SOAP-for-RFC or RFC.

Registered like any third-party adapter, through the entry point
`otc_adapters.adapters: sap = "adapters.sap:build"`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adapters.s4.adapter import S4Adapter
    from adapters.sap.adapter import SapAdapter


def build(
    name: str, section: Mapping[str, Any], secrets: Mapping[str, str]
) -> SapAdapter | S4Adapter:
    """An adapter for `[systems.NAME]`; heavy imports happen here, not at `otc --help`.

    `transport = "s4api"` is S/4HANA through released APIs only: another adapter class, since
    it speaks OData and enterprise services instead of function modules.
    """
    if section.get("transport") == "s4api":
        from adapters.s4 import build as build_s4

        return build_s4(name, section, secrets)
    from adapters.sap.adapter import SapAdapter
    from adapters.sap.settings import SapSettings

    return SapAdapter(SapSettings.from_section(name, section, secrets))
