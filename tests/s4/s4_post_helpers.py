"""Shared by the S/4 posting tests: payable invoices, SAP's own clients, the ledger's view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import requests
import zeep

from s4_helpers import CLIENT, PASSWORD, USER

SFIN = "{http://sap.com/xi/SAPSCORE/SFIN}"
WSDL = Path(__file__).parents[1] / "fixtures" / "real" / "sap-s4-soap" / "JOURNALENTRYCREATEREQUESTCONFI.wsdl"
POST_PATH = "/sap/bc/srt/scs_ext/sap/journalentrycreaterequestconfi"
CLEAR_PATH = "/sap/bc/srt/scs_ext/sap/journalentrybulkclearingreques"
CLEAR_ACTION = (
    "http://sap.com/xi/SAPSCORE/SFIN/JournalEntryBulkClearingRequest_In/"
    "JournalEntryBulkClearingRequest_InRequest"
)


def zeep_service(url: str) -> Any:
    """zeep on SAP's WSDL with its defaults; only the address and the logon are ours."""
    session = requests.Session()
    session.auth = (USER, PASSWORD)
    client = zeep.Client(str(WSDL), transport=zeep.Transport(session=session))
    return client.create_service(f"{SFIN}binding", f"{url}{POST_PATH}?sap-client={CLIENT}")


def payable(erp: Any, company: str = "1000", count: int = 1, skip: int = 0) -> list[dict[str, Any]]:
    """Open invoices (BSID, debit, type DR) of customers without a posting block, one per
    customer, in a fixed order (the store's, sorted: never the mock's random RFC order)."""
    rows = erp.state.store.query(
        "SELECT BUKRS, KUNNR, BELNR, GJAHR, BUZEI, WAERS, WRBTR FROM BSID "
        "WHERE BUKRS = ? AND SHKZG = 'S' AND BLART = 'DR' AND UMSKZ = '' AND KUNNR NOT IN "
        "(SELECT KUNNR FROM KNA1 WHERE SPERR <> '' UNION SELECT KUNNR FROM KNB1 WHERE SPERR <> '') "
        "ORDER BY KUNNR, BELNR, BUZEI",
        (company,),
    )
    seen: set[str] = set()
    picked: list[dict[str, Any]] = []
    for bukrs, kunnr, belnr, gjahr, buzei, waers, wrbtr in rows:
        if kunnr in seen:
            continue
        seen.add(kunnr)
        picked.append(
            {"company": bukrs, "kunnr": kunnr, "belnr": belnr, "gjahr": gjahr,
             "buzei": buzei, "currency": waers, "internal": wrbtr}
        )  # fmt: skip
    return picked[skip : skip + count]


def real_amount(erp: Any, internal: str, currency: str) -> str:
    """SAP's internal amount text as the real amount (TCURX shift)."""
    from decimal import Decimal

    row = erp.state.store.query_one("SELECT CURRDEC FROM TCURX WHERE CURRKEY = ?", (currency,))
    decimals = int(row[0]) if row else 2
    return str(Decimal(internal).scaleb(2 - decimals))


def clearing_log(erp: Any, message_id: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{erp.url}/_mock/s4/clearing-log", params={"message_id": message_id})
    answer.raise_for_status()
    entries: list[dict[str, Any]] = answer.json()["entries"]
    return entries


def settings(erp: Any, **s4: Any) -> None:
    httpx.put(f"{erp.url}/_mock/settings", json={"s4": s4}).raise_for_status()
