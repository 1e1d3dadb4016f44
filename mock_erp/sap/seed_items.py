"""One open item at a time (``POST /_mock/sap/open-items``), for tests that need a given item.

Why not the bulk seed: a test of a 2,500,000,000.00 IDR invoice, or of a currency missing from
TCURX, needs exactly that item, in a company and for a customer of its choosing. The item is
written as the bulk seed writes its invoices (BKPF + BSID, amounts in SAP's internal format for
the currency's TCURX decimals), with a number drawn from the document type's number range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from mock_erp.sap.documents import LOGICAL_SYSTEM
from mock_erp.sap.formats import dats, internal_text
from mock_erp.sap.models import SapBackend

FIELDS = {"company", "customer", "currency", "amount", "debit_credit", "document_type",
          "posting_date", "document_date", "baseline_date", "terms", "reference",
          "local_amount"}  # fmt: skip
#: the largest internal value a CURR(13,2) column holds
CURR_13_2_MAX = Decimal("99999999999.99")


@dataclass
class SeedError(Exception):
    """A body the endpoint refuses with HTTP 400; ``field`` names the culprit."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _text(body: dict[str, Any], name: str, default: str = "") -> str:
    value = body.get(name, default)
    if not isinstance(value, str):
        raise SeedError(name, "must be a string")
    return value.strip()


def _date(body: dict[str, Any], name: str, default: date) -> str:
    text = _text(body, name)
    if not text:
        return dats(default)
    try:
        return dats(date.fromisoformat(text))
    except ValueError:
        raise SeedError(name, f"{text!r} is not a date (YYYY-MM-DD)") from None


def _amount(backend: SapBackend, body: dict[str, Any], name: str, currency: str) -> str:
    """Exact internal text of an external amount given as a JSON string (never a float)."""
    raw = body.get(name)
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise SeedError(name, 'must be a decimal string, e.g. "2500000000.00"')
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise SeedError(name, f"{raw!r} is not a decimal number") from None
    if not value.is_finite() or value <= 0:
        raise SeedError(name, "must be a positive amount (the sign is debit_credit)")
    minor = backend.to_minor(value, currency)
    if minor is None:
        raise SeedError(
            name,
            f"{value} has more decimals than {currency} has in TCURX ({backend.currdec(currency)})",
        )
    internal = internal_text(minor)
    if Decimal(internal) > CURR_13_2_MAX:
        raise SeedError(name, f"{value} {currency} does not fit CURR(13,2) ({internal} internal)")
    return internal


def seed_open_item(backend: SapBackend, body: Any) -> dict[str, Any]:
    """Write one open item; the key of the new document (company, number, year, line)."""
    if not isinstance(body, dict):
        raise SeedError("body", "must be a JSON object")
    if unknown := set(body) - FIELDS:
        raise SeedError(sorted(unknown)[0], f"unknown field; known: {sorted(FIELDS)}")
    for required in ("company", "customer", "currency", "amount"):
        if required not in body:
            raise SeedError(required, "is required")
    bukrs = _text(body, "company")
    company = backend.company(bukrs)
    if company is None:
        raise SeedError("company", f"no company code {bukrs!r} in T001")
    kunnr = _text(body, "customer")
    kunnr = kunnr.zfill(10) if kunnr.isdigit() else kunnr
    customer = backend.customer(kunnr, bukrs)
    if customer is None:
        raise SeedError("customer", f"customer {kunnr!r} is not in company code {bukrs} (KNB1)")
    waers = _text(body, "currency").upper()
    if not re.fullmatch(r"[A-Z0-9]{1,5}", waers):
        raise SeedError("currency", f"{waers!r} is not a currency key")
    shkzg = _text(body, "debit_credit", "S").upper()
    if shkzg not in ("S", "H"):
        raise SeedError("debit_credit", "must be S (debit, the customer owes) or H (credit)")
    blart = _text(body, "document_type", "DR" if shkzg == "S" else "DG").upper()
    wrbtr = _amount(backend, body, "amount", waers)
    hwaer = company["WAERS"]
    dmbtr = _amount(backend, body, "local_amount", hwaer) if "local_amount" in body else wrbtr
    budat = _date(body, "posting_date", backend.today)
    bldat = _date(
        body, "document_date", date.fromisoformat(f"{budat[:4]}-{budat[4:6]}-{budat[6:]}")
    )
    zfbdt = _date(
        body, "baseline_date", date.fromisoformat(f"{bldat[:4]}-{bldat[4:6]}-{bldat[6:]}")
    )
    zterm = _text(body, "terms").upper()
    t1 = t2 = t3 = 0
    p1 = p2 = Decimal(0)
    if zterm:
        row = backend.store.query_one("SELECT ZTERM FROM T052 WHERE ZTERM = ?", (zterm,))
        if row is None:
            raise SeedError("terms", f"no payment terms {zterm!r} in T052")
        t1, t2, t3, p1, p2 = backend.payment_terms(zterm)
    gjahr = budat[:4]
    belnr = backend.draw_number(bukrs, blart, gjahr)
    xblnr = _text(body, "reference") or f"SEED{belnr[-8:]}"
    if len(xblnr) > 16:
        raise SeedError("reference", "XBLNR holds 16 characters")
    bschl = "01" if shkzg == "S" else "11"
    akont = customer.get("AKONT") or company["AKONT"]
    with backend.store.transaction() as conn:
        conn.execute(
            "INSERT INTO BKPF (BUKRS, BELNR, GJAHR, BLART, BLDAT, BUDAT, MONAT, CPUDT, USNAM, "
            "TCODE, XBLNR, BKTXT, WAERS, HWAER, AWTYP, AWKEY, AWSYS) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (bukrs, belnr, gjahr, blart, bldat, budat, budat[4:6], dats(backend.today), "SEED",
             "FB01", xblnr, "", waers, hwaer, "BKPF", f"{belnr}{bukrs}{gjahr}",
             LOGICAL_SYSTEM),
        )  # fmt: skip
        conn.execute(
            "INSERT INTO BSID (BUKRS, KUNNR, ZUONR, GJAHR, BELNR, BUZEI, BUDAT, BLDAT, CPUDT, "
            "WAERS, XBLNR, BLART, MONAT, BSCHL, SHKZG, DMBTR, WRBTR, SGTXT, HKONT, ZFBDT, ZTERM, "
            "ZBD1T, ZBD2T, ZBD3T, ZBD1P, ZBD2P) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (bukrs, kunnr, xblnr, gjahr, belnr, "001", budat, bldat, dats(backend.today), waers,
             xblnr, blart, budat[4:6], bschl, shkzg, dmbtr, wrbtr, "Seeded item", akont, zfbdt,
             zterm, str(t1), str(t2), str(t3), f"{p1:.3f}", f"{p2:.3f}"),
        )  # fmt: skip
    return {"company": bukrs, "document": belnr, "fiscal_year": int(gjahr), "line": 1,
            "customer": kunnr, "currency": waers, "internal_amount": wrbtr}  # fmt: skip
