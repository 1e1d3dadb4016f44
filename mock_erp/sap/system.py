"""System reads of the go-live check: release, software components, user defaults, kit.

Why a module of its own: these answers describe the system, not FI-AR. They follow the
persona's settings so that `otc doctor --deep` shows each setting as a changed finding:
``customer_bapis = false`` plays S/4HANA (CVERS lists S4CORE, RFC_SYSTEM_INFO a 7.57 basis
and S4_HANA = X), ``user_date_format`` is the logon user's USR01-DATFM in
BAPI_USER_GET_DETAIL, and TFDIR lists the function modules the persona answers (the kit's
among them). Rows of CVERS and TFDIR are written on read, like the ``tcurx`` changes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from mock_erp.sap.messages import bapiret2, msg
from mock_erp.sap.models import SapBackend

Params = dict[str, Any]

#: CVERS of an ECC 6.0 EHP8 system and of an S/4HANA 2022 system [derived: component names
#: as SAP ships them; release levels are examples]
ECC_COMPONENTS = [("SAP_BASIS", "750", "0025"), ("SAP_ABA", "750", "0025"),
                  ("SAP_APPL", "618", "0022"), ("EA-FIN", "618", "0022")]  # fmt: skip
S4_COMPONENTS = [("SAP_BASIS", "757", "0002"), ("SAP_ABA", "75H", "0002"),
                 ("S4FND", "107", "0002"), ("S4CORE", "107", "0002")]  # fmt: skip
KIT_SOURCE = Path(__file__).resolve().parents[2] / "adapters" / "sap" / "abap"


def kit_source_sha256(root: Path = KIT_SOURCE) -> str:
    """SHA-256 over the kit's ABAP sources (relative path and bytes, in path order): the mock
    has the shipped kit installed, so it answers with the digest of the shipped files."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*.abap") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def is_s4(b: SapBackend) -> bool:
    return not b.settings.customer_bapis


def sync_system_tables(b: SapBackend, table: str, functions: list[str]) -> None:
    """CVERS by the S/4 setting, TFDIR from the functions the persona answers."""
    if table == "CVERS":
        rows = S4_COMPONENTS if is_s4(b) else ECC_COMPONENTS
        with b.store.transaction() as conn:
            conn.execute("DELETE FROM CVERS")
            conn.executemany(
                "INSERT INTO CVERS (COMPONENT, RELEASE, EXTRELEASE, COMP_TYPE) VALUES (?,?,?,'S')",
                rows,
            )
    elif table == "TFDIR":
        with b.store.transaction() as conn:
            conn.execute("DELETE FROM TFDIR")
            conn.executemany(
                "INSERT INTO TFDIR (FUNCNAME, PNAME, INCLUDE, FMODE) VALUES (?, ?, '01', 'R')",
                [(name, "SAPLZOTC_AR" if name.startswith("Z") else "SAPL" + name[:26])
                 for name in sorted(functions)],
            )  # fmt: skip


def rfc_system_info(b: SapBackend, session: str, p: Params) -> Params:
    s4 = is_s4(b)
    info = {
        "RFCPROTO": "011", "RFCCHARTYP": "4103", "RFCINTTYP": "LIT", "RFCFLOTYP": "IE3",
        "RFCDEST": "mock_MCK_00", "RFCHOST": "mock", "RFCSYSID": "MCK", "RFCDATABS": "MCK",
        "RFCDBHOST": "127.0.0.1", "RFCDBSYS": "HDB", "RFCSAPRL": "757" if s4 else "750",
        "RFCMACH": "390", "RFCOPSYS": "Linux", "RFCTZONE": "0", "RFCDAYST": "",
        "RFCIPADDR": "127.0.0.1", "RFCKERNRL": "789" if s4 else "753", "RFCHOST2": "mock",
    }  # fmt: skip
    return {
        "RFCSI_EXPORT": info,
        "CURRENT_RESOURCES": 5,
        "MAXIMAL_RESOURCES": 10,
        "RECOMMENDED_DELAY": 0,
        "S4_HANA": "X" if s4 else "",
    }


def bapi_user_get_detail(b: SapBackend, session: str, p: Params) -> Params:
    """The logon user's defaults; E 01 124 for another user [unconfirmed number]."""
    user = str(p.get("USERNAME") or "").upper()
    if user != b.logon_user.upper():
        return {"DEFAULTS": {}, "RETURN": [bapiret2(msg("01", "124", user))]}
    defaults = {"DATFM": b.settings.user_date_format, "DCPFM": "X", "LANGU": "E",
                "TIMEFM": "0", "SPLD": "LOCL"}  # fmt: skip
    return {"DEFAULTS": defaults, "RETURN": []}


def z_otc_kit_version(b: SapBackend, session: str, p: Params) -> Params:
    digest = kit_source_sha256()
    return {"E_VERSION": f"sha256:{digest[:12]}", "E_SOURCE_SHA256": digest}


HANDLERS = {
    "RFC_SYSTEM_INFO": rfc_system_info,
    "BAPI_USER_GET_DETAIL": bapi_user_get_detail,
    "Z_OTC_KIT_VERSION": z_otc_kit_version,
}
