"""Accounting documents: the document model, its table rows, and the open-item reads.

Why a module: every rule that posts (the BAPI, the clearing, reversal and refund wrappers)
builds a ``Document`` of ``Line``s and turns it into the same rows — BKPF, BSEG, and BSID for
an open customer line or BSAD for one cleared at once — and clearing moves BSID rows to BSAD
the same way everywhere. The rules differ; the rows must not (docs/specs/sap.md §1, §2.4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from mock_erp.sap import tables
from mock_erp.sap.abap import SapMessage
from mock_erp.sap.formats import dats, internal_text
from mock_erp.sap.messages import msg
from mock_erp.sap.sessions import DEFAULT_USER, Writes

if TYPE_CHECKING:
    from mock_erp.sap.models import SapBackend

LOGICAL_SYSTEM = "MCKCLNT100"  # AWSYS / OBJ_SYS (C10, <SID>CLNT<client>) [project]
OBJ_TYPE = "BKPFF"  # AWTYP of FI documents posted through the BAPI (docs/specs/sap.md §2.4)


# unconfirmed: docs/specs/sap.md §2.4, §2.6, §3 — the posting keys the mock's documents use.
POSTING_KEYS = {
    "invoice": "01",  # customer debit (BAPI)
    "credit": "11",  # customer credit (BAPI)
    "payment": "15",  # incoming payment / on-account / partial (Z_OTC_AR_CLEAR)
    "payment_debit": "05",  # net debit clearing line (Z_OTC_AR_CLEAR)
    "residual": "06",  # payment difference, debit
    "gl_debit": "40",
    "gl_credit": "50",
}


@dataclass
class Line:
    """One document line as the rules build it, before it becomes BSEG/BSID/BSAD rows."""

    koart: str  # D customer, S G/L
    account: str  # KUNNR for D, HKONT for S
    hkont: str
    shkzg: str  # S debit, H credit
    bschl: str
    amount: int  # minor units, unsigned, document currency
    local: int  # minor units, unsigned, local currency
    sgtxt: str = ""
    zuonr: str = ""
    zfbdt: str = "00000000"
    zterm: str = ""
    zbd: tuple[int, int, int, Decimal, Decimal] = (0, 0, 0, Decimal(0), Decimal(0))
    rebzg: tuple[str, str, str] = ("", "0000", "000")
    rstgr: str = ""
    kostl: str = ""
    gsber: str = ""
    mwskz: str = ""
    umskz: str = ""
    zlsch: str = ""
    zlspr: str = ""
    xref: tuple[str, str, str] = ("", "", "")
    cleared_by_self: bool = False  # customer line cleared by its own document (BSAD at once)


@dataclass
class Document:
    """One FI document as the rules build it: BKPF's fields and the lines; BELNR is blank until
    POST draws it (a CHECK or a test run never does)."""

    bukrs: str
    blart: str
    bldat: str
    budat: str
    gjahr: str
    monat: str
    waers: str
    hwaer: str
    xblnr: str = ""
    bktxt: str = ""
    usnam: str = DEFAULT_USER
    tcode: str = "FB01"
    lines: list[Line] = field(default_factory=list)
    belnr: str = ""

    @property
    def obj_key(self) -> str:
        """OBJ_KEY / AWKEY = BELNR(10) + BUKRS(4) + GJAHR(4) (docs/specs/sap.md §2.4)."""
        return f"{self.belnr}{self.bukrs:<4}{self.gjahr}"


def document_error(causes: list[SapMessage]) -> SapMessage:
    """E RW 609 "Error in document: BKPFF $ <logsys>" with the causes as its extra rows: how
    the accounting BAPIs report any refusal (docs/specs/sap.md §2.4)."""
    head = msg("RW", "609", OBJ_TYPE, "$", LOGICAL_SYSTEM)
    head.extra = causes
    return head


OPEN_COLS = (
    "BUKRS, KUNNR, UMSKZ, AUGDT, AUGBL, ZUONR, GJAHR, BELNR, BUZEI, BUDAT, BLDAT, CPUDT, WAERS, "
    "XBLNR, BLART, MONAT, BSCHL, SHKZG, GSBER, MWSKZ, DMBTR, WRBTR, SGTXT, HKONT, ZFBDT, ZTERM, "
    "ZBD1T, ZBD2T, ZBD3T, ZBD1P, ZBD2P, ZLSCH, ZLSPR, REBZG, REBZJ, REBZZ, XREF1, XREF2, XREF3, "
    "RSTGR"
)
OPEN_INSERT = "INSERT INTO {table} (" + OPEN_COLS + ") VALUES (" + ", ".join(["?"] * 40) + ")"
BKPF_INSERT = (
    "INSERT INTO BKPF (BUKRS, BELNR, GJAHR, BLART, BLDAT, BUDAT, MONAT, CPUDT, CPUTM, USNAM, "
    "TCODE, XBLNR, BKTXT, WAERS, HWAER, AWTYP, AWKEY, AWSYS) VALUES (" + ", ".join(["?"] * 18) + ")"
)
BSEG_INSERT = (
    "INSERT INTO BSEG (BUKRS, BELNR, GJAHR, BUZEI, AUGDT, AUGBL, BSCHL, KOART, UMSKZ, SHKZG, "
    "GSBER, MWSKZ, DMBTR, WRBTR, ZUONR, SGTXT, KOSTL, HKONT, KUNNR, ZFBDT, ZTERM, ZBD1T, ZBD2T, "
    "ZBD3T, ZBD1P, ZBD2P, ZLSCH, ZLSPR, REBZG, REBZJ, REBZZ, RSTGR, XREF1, XREF2, XREF3) VALUES ("
    + ", ".join(["?"] * 35)
    + ")"
)


#: Clear one open item: copy its BSID row to BSAD with AUGDT and AUGBL bound first, then the
#: key (BUKRS, BELNR, GJAHR, BUZEI); the caller deletes the BSID row in the same LUW
#: (`clear_item_writes` does both).
MOVE_TO_BSAD = (
    "INSERT INTO BSAD SELECT "
    + ", ".join(
        "?" if f.name in ("AUGDT", "AUGBL") else f'"{f.name}"' for f in tables.CATALOGUE["BSID"]
    )
    + " FROM BSID WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ? AND BUZEI = ?"
)


def clear_item_writes(item: tuple[str, str, str, str], augdt: str, augbl: str) -> Writes:
    """One open item (BUKRS, BELNR, GJAHR, BUZEI) cleared by document `augbl` on `augdt`:
    BSID -> BSAD and the BSEG line's clearing fields, in the caller's LUW."""
    return [
        (MOVE_TO_BSAD, [(augdt, augbl, *item)]),
        ("DELETE FROM BSID WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ? AND BUZEI = ?", [item]),
        (
            "UPDATE BSEG SET AUGDT = ?, AUGBL = ? WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ? "
            "AND BUZEI = ?",
            [(augdt, augbl, *item)],
        ),
    ]


def document_writes(b: SapBackend, doc: Document) -> Writes:
    """BKPF + BSEG rows, and BSID (open) / BSAD (cleared at once) for customer lines."""
    now = datetime.now()
    bkpf = (
        doc.bukrs,
        doc.belnr,
        doc.gjahr,
        doc.blart,
        doc.bldat,
        doc.budat,
        doc.monat,
        dats(b.today),
        now.strftime("%H%M%S"),
        doc.usnam,
        doc.tcode,
        doc.xblnr,
        doc.bktxt[:25],
        doc.waers,
        doc.hwaer,
        OBJ_TYPE,
        doc.obj_key,
        LOGICAL_SYSTEM,
    )
    bseg: list[tuple[Any, ...]] = []
    bsid: list[tuple[Any, ...]] = []
    bsad: list[tuple[Any, ...]] = []
    for n, ln in enumerate(doc.lines, start=1):
        buzei = f"{n:03d}"
        augdt, augbl = (doc.budat, doc.belnr) if ln.cleared_by_self else ("00000000", "")
        zbd = (
            str(ln.zbd[0]),
            str(ln.zbd[1]),
            str(ln.zbd[2]),
            f"{ln.zbd[3]:.3f}",
            f"{ln.zbd[4]:.3f}",
        )
        bseg.append(
            (
                doc.bukrs,
                doc.belnr,
                doc.gjahr,
                buzei,
                augdt,
                augbl,
                ln.bschl,
                ln.koart,
                ln.umskz,
                ln.shkzg,
                ln.gsber,
                ln.mwskz,
                internal_text(ln.local),
                internal_text(ln.amount),
                ln.zuonr,
                ln.sgtxt[:50],
                ln.kostl,
                ln.hkont,
                ln.account if ln.koart == "D" else "",
                ln.zfbdt,
                ln.zterm,
                *zbd,
                ln.zlsch,
                ln.zlspr,
                *ln.rebzg,
                ln.rstgr,
                *ln.xref,
            )
        )
        if ln.koart == "D":
            row = (
                doc.bukrs,
                ln.account,
                ln.umskz,
                augdt,
                augbl,
                ln.zuonr,
                doc.gjahr,
                doc.belnr,
                buzei,
                doc.budat,
                doc.bldat,
                dats(b.today),
                doc.waers,
                doc.xblnr,
                doc.blart,
                doc.monat,
                ln.bschl,
                ln.shkzg,
                ln.gsber,
                ln.mwskz,
                internal_text(ln.local),
                internal_text(ln.amount),
                ln.sgtxt[:50],
                ln.hkont,
                ln.zfbdt,
                ln.zterm,
                *zbd,
                ln.zlsch,
                ln.zlspr,
                *ln.rebzg,
                *ln.xref,
                ln.rstgr,
            )
            (bsad if ln.cleared_by_self else bsid).append(row)
    writes: Writes = [(BKPF_INSERT, [bkpf]), (BSEG_INSERT, bseg)]
    if bsid:
        writes.append((OPEN_INSERT.format(table="BSID"), bsid))
    if bsad:
        writes.append((OPEN_INSERT.format(table="BSAD"), bsad))
    return writes


def open_items(
    b: SapBackend, bukrs: str, kunnr: str, keydate: str, noted: bool
) -> list[dict[str, Any]]:
    """Items open at the key date: BSID with BUDAT <= KEYDATE, plus BSAD with
    BUDAT <= KEYDATE < AUGDT (specs/sap.md §2.1). Noted items (BSTAT 'S') only on request."""
    cols = [f.name for f in tables.CATALOGUE["BSID"]]
    sel = ", ".join(f'"{c}"' for c in cols)
    bstat = "('', 'S')" if noted else "('')"
    rows = b.store.query(
        f"SELECT {sel} FROM BSID WHERE BUKRS = ? AND KUNNR = ? AND BUDAT <= ? "
        f"AND BSTAT IN {bstat} UNION ALL "
        f"SELECT {sel} FROM BSAD WHERE BUKRS = ? AND KUNNR = ? AND BUDAT <= ? "
        f"AND AUGDT > ? AND BSTAT IN {bstat} ORDER BY GJAHR, BELNR, BUZEI",
        (bukrs, kunnr, keydate, bukrs, kunnr, keydate, keydate),
    )
    return [dict(zip(cols, r, strict=True)) for r in rows]
