"""Customer master data: KNA1/KNB1/KNVV reads and the customer BAPIs' rules.

Why a module: the customer BAPIs (CREATEFROMDATA1, CHANGEFROMDATA1, GETLIST, GETDETAIL2) each
have their own checks and messages (docs/specs/sap.md §2.7), a change writes change documents
(CDHDR/CDPOS) so changed-since reads work, and on S/4HANA (setting ``customer_bapis = false``)
the business partner owns this data and the BAPIs write nothing (§8). The posting rules only
need ``customer`` (is it there, blocked, its reconciliation account and terms).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mock_erp.sap import locks, sessions, tables
from mock_erp.sap.formats import dats
from mock_erp.sap.locks import CUSTOMER_LOCK
from mock_erp.sap.messages import msg
from mock_erp.sap.sessions import Writes

if TYPE_CHECKING:
    from mock_erp.sap.models import SapBackend

CUSTOMER_BAPIS_NEED_COMMIT = True  # unconfirmed: docs/specs/sap.md §2.7 "Call COMMIT afterwards"

# BAPIKNA106 / BAPIKNA101_1 field → KNA1 column (CHANGEFROMDATA1 X-flags, CREATEFROMDATA1)
_KNA1_FROM_BAPI = {
    "NAME": "NAME1",
    "NAME_2": "NAME2",
    "CITY": "ORT01",
    "POSTL_COD1": "PSTLZ",
    "STREET": "STRAS",
    "COUNTRY": "LAND1",
    "REGION": "REGIO",
    "TEL1_NUMBR": "TELF1",
    "LANGU": "SPRAS",
    "LANGU_P": "SPRAS",
    "SORT1": "SORTL",
}


def customer(b: SapBackend, kunnr: str, bukrs: str = "") -> dict[str, str] | None:
    """KNA1 (+ KNB1 when ``bukrs``) of an internal-format number; None if not there."""
    row = b.store.query_one("SELECT SPERR FROM KNA1 WHERE KUNNR = ?", (kunnr,))
    if row is None:
        return None
    out = {"KNA1_SPERR": row[0]}
    if bukrs:
        r = b.store.query_one(
            "SELECT SPERR, AKONT, ZTERM FROM KNB1 WHERE KUNNR = ? AND BUKRS = ?",
            (kunnr, bukrs),
        )
        if r is None:
            return None
        out.update({"KNB1_SPERR": r[0], "AKONT": r[1], "ZTERM": r[2]})
    return out


def _deferred_or_now(b: SapBackend, sid: str, writes: Writes, key: str) -> None:
    if CUSTOMER_BAPIS_NEED_COMMIT:
        sessions.defer(b, sid, writes, key)
    else:
        sessions.write_now(b, writes)


def create_customer(
    b: SapBackend,
    sid: str,
    personal: dict[str, Any],
    company: dict[str, Any],
    opt: dict[str, Any],
    ref: dict[str, Any],
) -> str:
    """BAPI_CUSTOMER_CREATEFROMDATA1 (specs/sap.md §2.7): the reference customer is required
    and its account group, company code and sales data are copied; returns the new number
    (zero-padded, from the DEBITOR range, drawn now: a gap if never committed)."""
    refuse_customer_bapi_on_s4(b, "BAPI_CUSTOMER_CREATEFROMDATA1")
    ref_no = str(ref.get("REF_CUSTMR") or "")
    area = [str(ref.get(k) or "") for k in ("SALESORG", "DISTR_CHAN", "DIVISION")]
    sql = "SELECT KTOKD FROM KNA1 JOIN KNVV USING (KUNNR) WHERE KUNNR = ?"
    args: list[str] = [ref_no]
    for col, value in zip(("VKORG", "VTWEG", "SPART"), area, strict=True):
        if value:
            sql, args = sql + f" AND {col} = ?", [*args, value]
    found = b.store.query_one(sql, args) if ref_no else None
    if found is None:
        raise msg("F2", "160", ref_no, *area)
    use_company = any(str(v or "").strip() for v in company.values())
    data = company if use_company else personal
    if not any(str(v or "").strip() for v in data.values()):
        raise msg("F2", "161", "PI_COMPANYDATA")
    langu = "LANGU" if use_company else "LANGU_P"
    for name in ("CITY", "POSTL_COD1", "STREET", "COUNTRY", langu, "CURRENCY"):
        if not str(data.get(name) or "").strip():
            raise msg("F2", "161", name)  # unconfirmed: mandatory fields §2.7
    name1 = (
        str(data.get("NAME") or "")
        if use_company
        else f"{data.get('FIRSTNAME') or ''} {data.get('LASTNAME') or ''}".strip()
    )
    kunnr = b.draw_customer_number()
    user = b.session_user(sid)
    kna1 = (
        kunnr,
        str(data["COUNTRY"]),
        name1[:35],
        str(data.get("NAME_2") or "")[:35],
        str(data["CITY"])[:35],
        str(data["POSTL_COD1"])[:10],
        str(data.get("REGION") or "")[:3],
        (str(data.get("SORT1") or "") or name1)[:10].upper(),
        str(data["STREET"])[:35],
        str(data.get("TEL1_NUMBR") or "")[:16],
        found[0],
        dats(b.today),
        user[:12],
        str(data[langu])[:1],
    )
    writes: Writes = [
        (
            "INSERT INTO KNA1 (KUNNR, LAND1, NAME1, NAME2, ORT01, PSTLZ, REGIO, SORTL, STRAS, "
            "TELF1, KTOKD, ERDAT, ERNAM, SPRAS) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [kna1],
        )
    ]
    knb1 = [
        (
            kunnr,
            r[0],
            dats(b.today),
            str(opt.get("CONTROL_ACCOUNT") or "") or r[1],
            str(opt.get("PMNTTRMS") or "") or r[2],
            r[3],
            r[4],
        )
        for r in b.store.query(
            "SELECT BUKRS, AKONT, ZTERM, ZWELS, BUSAB FROM KNB1 WHERE KUNNR = ?", (ref_no,)
        )
    ]
    writes.append(
        (
            "INSERT INTO KNB1 (KUNNR, BUKRS, ERDAT, AKONT, ZTERM, ZWELS, BUSAB) "
            "VALUES (?,?,?,?,?,?,?)",
            knb1,
        )
    )
    knvv = [
        (kunnr, *r)
        for r in b.store.query(
            "SELECT VKORG, VTWEG, SPART, WAERS, ZTERM, KDGRP FROM KNVV WHERE KUNNR = ?",
            (ref_no,),
        )
    ]
    writes.append(
        (
            "INSERT INTO KNVV (KUNNR, VKORG, VTWEG, SPART, WAERS, ZTERM, KDGRP) "
            "VALUES (?,?,?,?,?,?,?)",
            knvv,
        )
    )
    _deferred_or_now(b, sid, writes, kunnr)
    return kunnr


def change_customer(
    b: SapBackend,
    sid: str,
    kunnr: str,
    salesorg: str,
    parts: list[tuple[dict[str, Any], dict[str, Any]]],
) -> int:
    """BAPI_CUSTOMER_CHANGEFROMDATA1: only fields flagged 'X' in the ...X structure change;
    each change writes a CDHDR/CDPOS pair (OBJECTCLAS 'DEBI', UDATE = today), so
    changed-since reads work (specs/sap.md §1, §2.7). Returns the number of fields changed."""
    refuse_customer_bapi_on_s4(b, "BAPI_CUSTOMER_CHANGEFROMDATA1")
    cols = ["KUNNR", *_KNA1_FROM_BAPI.values()]
    row = b.store.query_one(
        f"SELECT {', '.join(dict.fromkeys(cols))} FROM KNA1 WHERE KUNNR = ?", (kunnr,)
    )
    if row is None:
        raise msg("F2", "153", kunnr)
    if not salesorg:
        raise msg("F2", "161", "PI_SALESORG")
    if (
        b.store.query_one("SELECT 1 FROM KNVV WHERE KUNNR = ? AND VKORG = ?", (kunnr, salesorg))
        is None
    ):
        raise msg("F2", "162", kunnr, salesorg)
    user = b.session_user(sid)
    holder = locks.held_by_other(b, kunnr, user)
    if holder:
        raise msg(*CUSTOMER_LOCK, kunnr, holder)
    old = dict(zip(dict.fromkeys(cols), row, strict=True))
    new: dict[str, str] = {}
    for data, flags in parts:
        for bapi_name, col in _KNA1_FROM_BAPI.items():
            if str(flags.get(bapi_name) or "") == "X":
                new[col] = str(data.get(bapi_name) or "")
        if str(flags.get("FIRSTNAME") or "") == "X" or str(flags.get("LASTNAME") or "") == "X":
            new["NAME1"] = f"{data.get('FIRSTNAME') or ''} {data.get('LASTNAME') or ''}".strip()
    changes = {c: v for c, v in new.items() if v != old[c]}
    if not changes:
        return 0
    changenr = b.draw_change_number()
    now = datetime.now().strftime("%H%M%S")
    sets = ", ".join(f'"{c}" = ?' for c in changes)
    writes: Writes = [
        (f"UPDATE KNA1 SET {sets} WHERE KUNNR = ?", [(*changes.values(), kunnr)]),
        (
            "INSERT INTO CDHDR (OBJECTCLAS, OBJECTID, CHANGENR, USERNAME, UDATE, UTIME, TCODE,"
            " CHANGE_IND) VALUES ('DEBI', ?, ?, ?, ?, ?, 'XD02', 'U')",
            [(kunnr, changenr, user[:12], dats(b.today), now)],
        ),
        (
            "INSERT INTO CDPOS (OBJECTCLAS, OBJECTID, CHANGENR, TABNAME, TABKEY, FNAME, "
            "CHNGIND, VALUE_NEW, VALUE_OLD) VALUES ('DEBI', ?, ?, 'KNA1', ?, ?, 'U', ?, ?)",
            [(kunnr, changenr, tables.CLIENT + kunnr, c, v, old[c]) for c, v in changes.items()],
        ),
    ]
    _deferred_or_now(b, sid, writes, kunnr)
    return len(changes)


def list_customers(
    b: SapBackend, ranges: list[dict[str, Any]], maxrows: int, cpdonly: bool
) -> list[dict[str, str]]:
    """BAPI_CUSTOMER_GETLIST: IDRANGE as SELECT-OPTIONS (I/E; EQ NE GT GE LT LE BT NB CP
    NP); bad SIGN → S& 026, bad OPTION → S& 027, nothing found → F2 718."""
    inc: list[str] = []
    exc: list[str] = []
    args: list[str] = []
    for r in ranges:
        sign, option = str(r.get("SIGN") or ""), str(r.get("OPTION") or "")
        if sign not in ("I", "E"):
            raise msg("S&", "026")
        cond = _range_sql("KUNNR", option, str(r.get("LOW") or ""), str(r.get("HIGH") or ""), args)
        if cond is None:
            raise msg("S&", "027")
        (inc if sign == "I" else exc).append(cond)
    where = [f"({' OR '.join(inc)})"] if inc else []
    where += [f"NOT ({c})" for c in exc]
    if cpdonly:
        where.append("KTOKD = 'CPD'")
    sql = (
        "SELECT KUNNR, NAME1, NAME2, ORT01, PSTLZ, STRAS, LAND1, REGIO, SPRAS, TELF1, "
        "SORTL, KTOKD FROM KNA1"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + " ORDER BY KUNNR"
        + (" LIMIT ?" if maxrows > 0 else "")
    )
    rows = b.store.query(sql, [*args, *([maxrows] if maxrows > 0 else [])])
    if not rows:
        raise msg("F2", "718")
    keys = (
        "KUNNR",
        "NAME1",
        "NAME2",
        "ORT01",
        "PSTLZ",
        "STRAS",
        "LAND1",
        "REGIO",
        "SPRAS",
        "TELF1",
        "SORTL",
        "KTOKD",
    )
    return [dict(zip(keys, r, strict=True)) for r in rows]


def refuse_customer_bapi_on_s4(b: SapBackend, function: str) -> None:
    """On S/4HANA (setting ``customer_bapis = false``) customer master data is the
    business partner: the customer BAPIs write nothing (docs/specs/sap.md §8)."""
    if not b.settings.customer_bapis:
        raise msg("ZMOCK", "040", function)


def customer_detail(
    b: SapBackend, kunnr: str, bukrs: str
) -> tuple[dict[str, str], dict[str, str] | None]:
    """KNA1 (and KNB1 for ``bukrs``) of one customer; F2 502 unknown, F2 543 not
    authorized (setting ``customers_unauthorized``), F5 102 not in bukrs."""
    if kunnr.lstrip("0") in {c.lstrip("0") for c in b.settings.customers_unauthorized}:
        raise msg("F2", "543", kunnr)
    kcols = [f.name for f in tables.CATALOGUE["KNA1"]]
    row = b.store.query_one(f"SELECT {', '.join(kcols)} FROM KNA1 WHERE KUNNR = ?", (kunnr,))
    if row is None:
        raise msg("F2", "502", kunnr)
    kna1 = dict(zip(kcols, row, strict=True))
    if not bukrs:
        return kna1, None
    bcols = [f.name for f in tables.CATALOGUE["KNB1"]]
    brow = b.store.query_one(
        f"SELECT {', '.join(bcols)} FROM KNB1 WHERE KUNNR = ? AND BUKRS = ?", (kunnr, bukrs)
    )
    if brow is None:
        raise msg("F5", "102", kunnr, bukrs)
    return kna1, dict(zip(bcols, brow, strict=True))


_RANGE_OPS = {"EQ": "=", "NE": "<>", "GT": ">", "GE": ">=", "LT": "<", "LE": "<="}


def _range_sql(col: str, option: str, low: str, high: str, args: list[str]) -> str | None:
    """One SELECT-OPTIONS row as SQL (values bound); None for an unknown OPTION."""
    if option in _RANGE_OPS:
        args.append(low)
        return f"{col} {_RANGE_OPS[option]} ?"
    if option in ("BT", "NB"):
        args.extend([low, high])
        return f"{'NOT ' if option == 'NB' else ''}({col} BETWEEN ? AND ?)"
    if option in ("CP", "NP"):
        pattern = "".join({"*": "*", "+": "?", "?": "[?]", "[": "[[]"}.get(c, c) for c in low)
        args.append(pattern)
        return f"{'NOT ' if option == 'NP' else ''}({col} GLOB ?)"
    return None
