"""The Oracle persona's real-system variants (``PUT /_mock/settings {"oracle": {...}}``).

Defaults are the harsher variant wherever real systems differ; see ``docs/mock-erp.md``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class OracleSettings:
    """Add a field per documented variant; a ``check_<field>`` method may validate values."""
