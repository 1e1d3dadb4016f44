"""The Oracle E-Business Suite adapter (R12 AR + TCA) over ORDS REST-Enabled SQL or oracledb.

Registered like any third-party adapter, through the entry point
`otc_adapters.adapters: oracle = "adapters.oracle:build"`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adapters.oracle.adapter import OracleAdapter


def build(name: str, section: Mapping[str, Any], secrets: Mapping[str, str]) -> OracleAdapter:
    """An adapter for `[systems.NAME]`; heavy imports happen here, not at `otc --help`."""
    from adapters.oracle.adapter import OracleAdapter
    from adapters.oracle.settings import OracleSettings

    return OracleAdapter(OracleSettings.from_section(name, section, secrets))
