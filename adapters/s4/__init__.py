"""SAP S/4HANA through SAP's released APIs only (transport ``s4api``): nothing to install in SAP.

Reads go over OData V2 (``API_OPLACCTGDOCITEMCUBE_SRV`` for open items); the same
``[systems.NAME]`` section style as the other SAP transports (``adapter = "sap"``,
``transport = "s4api"``). See docs/s4hana-setup.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adapters.s4.adapter import S4Adapter


def build(name: str, section: Mapping[str, Any], secrets: Mapping[str, str]) -> S4Adapter:
    """An adapter for `[systems.NAME]`; heavy imports happen here, not at `otc --help`."""
    from adapters.s4.adapter import S4Adapter
    from adapters.s4.settings import S4Settings

    return S4Adapter(S4Settings.from_section(name, section, secrets))
