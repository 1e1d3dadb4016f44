"""Shared by the S/4 posting tests: payable invoices, SAP's own clients, the ledger's view."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import requests
import zeep
from s4_helpers import CLIENT, PASSWORD, USER

SFIN = "{http://sap.com/xi/SAPSCORE/SFIN}"
WSDL = (
    Path(__file__).parents[1]
    / "fixtures"
    / "real"
    / "sap-s4-soap"
    / "JOURNALENTRYCREATEREQUESTCONFI.wsdl"
)
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


# -- the CLI, as a user runs it ------------------------------------------------------------------

ENV = {**os.environ, "OTC_MOCK_PASSWORD": "otc-mock", "COLUMNS": "200"}


def write_config(path: Path, url: str, *, timeout_s: float = 5, clear_wait_s: float = 10) -> Path:
    """An otc.toml with one `s4` system (transport s4api) and its own journal, no grace margin:
    a key whose answer was lost is looked up `timeout_s` seconds after it was sent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'[systems.s4]\nadapter = "sap"\ntransport = "s4api"\nurl = "{url}"\nclient = "{CLIENT}"\n'
        f'user = "{USER}"\npassword_env = "OTC_MOCK_PASSWORD"\ncompanies = ["1000", "2000"]\n'
        f"timeout_s = {timeout_s}\nclear_wait_s = {clear_wait_s}\nclear_poll_s = 0.1\n\n"
        f'[journal]\npath = "{path.parent / "journal.db"}"\ngrace_margin_s = 0\n',
        encoding="utf-8",
    )
    return path


def otc(config: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "jobs", "--config", str(config), "--log-format", "json", *args],
        env=ENV, cwd=config.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def run(config: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """`otc ... --format json` to its end: (exit code, the summary, stderr)."""
    proc = otc(config, *args, "--format", "json")
    out, err = proc.communicate(timeout=300)
    assert b"Traceback" not in err, err.decode()[-3000:]
    summary: dict[str, Any] = json.loads(out) if out.strip() else {}
    return proc.returncode, summary, err.decode()


def statuses(summary: dict[str, Any]) -> dict[str, str]:
    return {r["key"]: r["status"] for r in summary.get("results", [])}


def documents(erp: Any, key: str) -> list[tuple[str, str, str]]:
    """Every document carrying the key's tag (payment, clearing): (BUKRS, BELNR, XBLNR)."""
    from adapters.sap.keys import header_text

    rows: list[tuple[str, str, str]] = erp.state.store.query(
        "SELECT BUKRS, BELNR, XBLNR FROM BKPF WHERE BKTXT = ? ORDER BY BELNR", (header_text(key),)
    )
    return rows
