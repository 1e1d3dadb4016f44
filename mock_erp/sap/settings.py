"""The SAP persona's real-system variants (``PUT /_mock/settings {"sap": {...}}``).

Defaults are the harsher variant wherever real systems differ; see ``docs/mock-erp.md``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SapSettings:
    """Add a field per documented variant; a ``check_<field>`` method may validate values."""

    #: A posting (Z_OTC_AR_CLEAR, test run included, and BAPI_ACC_DOCUMENT_POST) holds its
    #: customer's enqueue (EFKNB1A: KUNNR + BUKRS) for as long as the call runs, latency
    #: included; a second posting for that customer meanwhile gets the lock message (ZOTC 010,
    #: RW 609 + F5 283). False: no lock between calls (a system with nothing else posting).
    enqueue_during_call: bool = True
