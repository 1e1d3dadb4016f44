"""The SAP persona's real-system variants (``PUT /_mock/settings {"sap": {...}}``).

Defaults are the harsher variant wherever real systems differ; see ``docs/mock-erp.md``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SapSettings:
    """Add a field per documented variant; a ``check_<field>`` method may validate values."""
