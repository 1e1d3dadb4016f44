"""What kind of SAP system this is: release and S/4HANA, read once per adapter.

Why: on S/4HANA customer master data is the Business Partner (CVI) and the customer BAPIs
are not for it (docs/specs/sap.md §8): the adapter must know before it writes a customer.
Two reads, both read-only: RFC_SYSTEM_INFO (basis release RFCSAPRL, and S4_HANA where the
release has it) and the software components in CVERS (S4CORE is S/4HANA's core component).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from adapters.errors import ErpRejected
from adapters.sap.table_reader import read_table

if TYPE_CHECKING:
    from adapters.sap.transport import SapTransport

S4_COMPONENT = "S4CORE"


@dataclass(frozen=True)
class SystemKind:
    release: str  # SAP_BASIS release as RFC_SYSTEM_INFO gives it ("750", "757")
    components: dict[str, str]  # CVERS: component -> release
    s4_flag: bool  # RFC_SYSTEM_INFO S4_HANA = 'X' (not on every release)

    @property
    def is_s4(self) -> bool:
        return self.s4_flag or S4_COMPONENT in self.components

    def describe(self) -> str:
        shown = ", ".join(f"{c} {r}" for c, r in sorted(self.components.items())) or "unread"
        kind = "S/4HANA" if self.is_s4 else "SAP ECC / NetWeaver"
        return f"{kind}: SAP_BASIS {self.release or '?'}; CVERS {shown}"


READS = ("RFC_SYSTEM_INFO()", "RFC_READ_TABLE(CVERS: COMPONENT, RELEASE)")


def read_system_kind(transport: SapTransport) -> SystemKind:
    info = transport.call("RFC_SYSTEM_INFO")
    export = info.get("RFCSI_EXPORT") or {}
    components: dict[str, str] = {}
    try:
        for page in read_table(transport, "CVERS", ["COMPONENT", "RELEASE"], key=["COMPONENT"]):
            components.update(dict(page.iter_rows()))
    except ErpRejected as exc:  # NOT_AUTHORIZED: S_TABU_DIS for CVERS missing
        if exc.code not in ("NOT_AUTHORIZED", "TABLE_NOT_AVAILABLE"):
            raise
    return SystemKind(
        release=str(export.get("RFCSAPRL", "")).strip(),
        components=components,
        s4_flag=str(info.get("S4_HANA", "")).strip() == "X",
    )
