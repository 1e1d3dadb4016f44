"""ABAP-side outcomes shared by the SAP persona's rules and its wire layers.

Two kinds of "no" exist in SAP and clients must see them differently (docs/specs/sap.md §2, §4, §5):
a business error travels *inside* the answer as RETURN rows (``SapMessage``), while a classic
function-module exception (``RAISE TABLE_NOT_AVAILABLE``) ends the call: over RFC it is pyrfc's
``ABAPApplicationError``, over SOAP a ``SOAP-ENV:Fault`` with ``FM.Exception`` in its detail.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass
class SapMessage(Exception):
    """One T100 message: class, number, type and up to four variables."""

    msg_class: str
    number: str
    text: str
    type: str = "E"
    v1: str = ""
    v2: str = ""
    v3: str = ""
    v4: str = ""
    parameter: str = ""
    row: int = 0
    field: str = ""
    # dataclasses.field: the attribute ``field`` above shadows the bare name in the class body
    extra: list[SapMessage] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.type} {self.msg_class} {self.number}: {self.text}"


@dataclass
class AbapException(Exception):
    """A classic exception raised by a function module (ends the call, no exports)."""

    name: str
    msg_class: str = ""
    number: str = ""
    msg_type: str = "E"
    v1: str = ""
    v2: str = ""
    v3: str = ""
    v4: str = ""
    message: str = ""

    def __str__(self) -> str:
        return self.message or self.name


class InvalidParameter(Exception):
    """A parameter or field the function module does not have (RFC_INVALID_PARAMETER)."""
