"""One handler per function module: parameters in, exports and tables out (pyrfc conventions).

Why a module of its own: the rules live behind models.py (one module per domain, listed there);
here is only what each FM answers — which RETURN structure (BAPIRET2 table, BAPIRETURN,
BAPIRET1/BAPIRETURN1, BAPIRET2 structure; specs/sap.md §2 head), which exports, which classic
exceptions (``AbapException``, RFC_READ_TABLE only).
Business errors never raise: they travel in RETURN (style.md §9).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from mock_erp.sap import tables
from mock_erp.sap.abap import AbapException, SapMessage
from mock_erp.sap.documents import LOGICAL_SYSTEM, OBJ_TYPE, Document
from mock_erp.sap.formats import dats, minor_of_internal
from mock_erp.sap.messages import bapiret1, bapiret2, bapireturn, msg, rows_of, text_of
from mock_erp.sap.models import SapBackend
from mock_erp.sap.reason_codes import sync_missing
from mock_erp.sap.responses_reversal import HANDLERS as REVERSAL_HANDLERS
from mock_erp.sap.system import HANDLERS as SYSTEM_HANDLERS
from mock_erp.sap.system import sync_system_tables

Params = dict[str, Any]
Handler = Callable[[SapBackend, str, Params], Params]


def _s(p: Params, name: str) -> str:
    return str(p.get(name) or "")


# -- BAPI_AR_ACC_GETOPENITEMS / GETKEYDATEBALANCE ------------------------------------------------
def _customer_checks(b: SapBackend, bukrs: str, kunnr: str) -> SapMessage | None:
    """FN 510 company code, FN 502 not in KNA1, FN 503 not in KNB1 (docs/specs/sap.md §2.1)."""
    if b.company(bukrs) is None:
        return msg("FN", "510", bukrs)
    if b.customer(kunnr) is None:
        return msg("FN", "502", kunnr)
    if b.customer(kunnr, bukrs) is None:
        return msg("FN", "503", kunnr, bukrs)
    return None


def _keydate(b: SapBackend, p: Params) -> str:
    kd = _s(p, "KEYDATE")
    return kd if kd and kd != "00000000" else dats(b.today)


def _line_item(b: SapBackend, r: dict[str, Any], hwaer: str) -> Params:
    """BSID/BSAD row → BAPI3007_2 with *external* amounts, unsigned, S/H in DB_CR_IND."""
    waers = r["WAERS"]

    def ext(col: str, cur: str) -> Decimal:
        return b.external(minor_of_internal(r[col]), cur)

    return {
        "COMP_CODE": r["BUKRS"], "CUSTOMER": r["KUNNR"], "SP_GL_IND": r["UMSKZ"],
        "CLEAR_DATE": r["AUGDT"], "CLR_DOC_NO": r["AUGBL"], "ALLOC_NMBR": r["ZUONR"],
        "FISC_YEAR": r["GJAHR"], "DOC_NO": r["BELNR"], "ITEM_NUM": r["BUZEI"],
        "PSTNG_DATE": r["BUDAT"], "DOC_DATE": r["BLDAT"], "ENTRY_DATE": r["CPUDT"],
        "CURRENCY": waers, "LOC_CURRCY": hwaer, "REF_DOC_NO": r["XBLNR"],
        "DOC_TYPE": r["BLART"], "FIS_PERIOD": r["MONAT"], "POST_KEY": r["BSCHL"],
        "DB_CR_IND": r["SHKZG"], "BUS_AREA": r["GSBER"], "TAX_CODE": r["MWSKZ"],
        "LC_AMOUNT": ext("DMBTR", hwaer), "AMT_DOCCUR": ext("WRBTR", waers),
        "LC_TAX": Decimal(0), "TX_DOC_CUR": Decimal(0), "ITEM_TEXT": r["SGTXT"],
        "BLINE_DATE": r["ZFBDT"], "PMNTTRMS": r["ZTERM"], "DSCT_DAYS1": Decimal(r["ZBD1T"]),
        "DSCT_DAYS2": Decimal(r["ZBD2T"]), "NETTERMS": Decimal(r["ZBD3T"]),
        "DSCT_PCT1": Decimal(r["ZBD1P"]), "DSCT_PCT2": Decimal(r["ZBD2P"]),
        "DSC_AMT_LC": ext("SKNTO", hwaer), "DSC_AMT_DC": ext("WSKTO", waers),
        "PYMT_METH": r["ZLSCH"], "PMNT_BLOCK": r["ZLSPR"], "INV_REF": r["REBZG"],
        "INV_YEAR": r["REBZJ"], "INV_ITEM": r["REBZZ"], "DOC_STATUS": r["BSTAT"],
        "REASON_CDE": r["RSTGR"], "REF_KEY_1": r["XREF1"], "REF_KEY_2": r["XREF2"],
        "REF_KEY_3": r["XREF3"],
    }  # fmt: skip


def bapi_ar_acc_getopenitems(b: SapBackend, session: str, p: Params) -> Params:
    """Open items at the key date; I FN 517 when none (docs/specs/sap.md §2.1)."""
    bukrs, kunnr = _s(p, "COMPANYCODE"), _s(p, "CUSTOMER")
    error = _customer_checks(b, bukrs, kunnr)
    if error:
        return {"RETURN": bapireturn(error), "LINEITEMS": []}
    rows = b.open_items(bukrs, kunnr, _keydate(b, p), _s(p, "NOTEDITEMS") == "X")
    if not rows:
        return {"RETURN": bapireturn(msg("FN", "517", kunnr, bukrs, type="I")), "LINEITEMS": []}
    hwaer = (b.company(bukrs) or {}).get("WAERS", "")
    return {"RETURN": {}, "LINEITEMS": [_line_item(b, r, hwaer) for r in rows]}


def bapi_ar_acc_getkeydatebalance(b: SapBackend, session: str, p: Params) -> Params:
    """Balance per currency (and special G/L indicator) of the items open at the key date."""
    bukrs, kunnr = _s(p, "COMPANYCODE"), _s(p, "CUSTOMER")
    error = _customer_checks(b, bukrs, kunnr)
    if error:
        return {"RETURN": bapireturn(error), "KEYBALANCE": []}
    hwaer = (b.company(bukrs) or {}).get("WAERS", "")
    with_spgl = _s(p, "BALANCESPGLI") == "X"
    sums: dict[tuple[str, str], list[int]] = {}
    for r in b.open_items(bukrs, kunnr, _keydate(b, p), _s(p, "NOTEDITEMS") == "X"):
        if r["UMSKZ"] and not with_spgl:
            continue
        sign = 1 if r["SHKZG"] == "S" else -1
        acc = sums.setdefault((r["UMSKZ"], r["WAERS"]), [0, 0])
        acc[0] += sign * minor_of_internal(r["WRBTR"])
        acc[1] += sign * minor_of_internal(r["DMBTR"])
    rows = [
        {"SP_GL_IND": spgl, "CURRENCY": waers, "T_CURR_BAL": b.external(doc, waers),
         "LC_BAL": b.external(loc, hwaer), "LOC_CURRCY": hwaer}
        for (spgl, waers), (doc, loc) in sorted(sums.items())
    ]  # fmt: skip
    return {"RETURN": {}, "KEYBALANCE": rows}


# -- accounting documents -----------------------------------------------------------------------
def _doc_tables(p: Params) -> tuple[Params, list[Params], list[Params], list[Params]]:
    return (
        dict(p.get("DOCUMENTHEADER") or {}),
        list(p.get("ACCOUNTGL") or []),
        list(p.get("ACCOUNTRECEIVABLE") or []),
        list(p.get("CURRENCYAMOUNT") or []),
    )


def bapi_acc_document_check(b: SapBackend, session: str, p: Params) -> Params:
    """All posting rules, nothing stored, no number drawn: S RW 614 or E RW 609 + causes."""
    try:
        b.check_document(session, *_doc_tables(p))
    except SapMessage as m:
        return {"RETURN": [bapiret2(r) for r in rows_of(m)]}
    return {"RETURN": [bapiret2(msg("RW", "614", type="S"))]}


def bapi_acc_document_post(b: SapBackend, session: str, p: Params) -> Params:
    """S RW 605 + OBJ_KEY (BELNR+BUKRS+GJAHR); the document waits for COMMIT in this session."""
    try:
        key = b.post_document(session, *_doc_tables(p))
    except SapMessage as m:
        return {"OBJ_TYPE": OBJ_TYPE, "OBJ_KEY": "$", "OBJ_SYS": LOGICAL_SYSTEM,
                "RETURN": [bapiret2(r) for r in rows_of(m)]}  # fmt: skip
    ok = msg("RW", "605", OBJ_TYPE, key, LOGICAL_SYSTEM, type="S")
    return {"OBJ_TYPE": OBJ_TYPE, "OBJ_KEY": key, "OBJ_SYS": LOGICAL_SYSTEM,
            "RETURN": [bapiret2(ok)]}  # fmt: skip


def bapi_transaction_commit(b: SapBackend, session: str, p: Params) -> Params:
    """RETURN is a BAPIRET2 *structure*: blank on success, E S& 101 on update failure."""
    failed = b.commit(session)
    return {"RETURN": bapiret2(failed) if failed else {}}


def bapi_transaction_rollback(b: SapBackend, session: str, p: Params) -> Params:
    b.rollback(session)
    return {"RETURN": {}}


def z_otc_ar_clear(b: SapBackend, session: str, p: Params) -> Params:
    """The clearing wrapper (docs/specs/sap.md §2.6): RETURN table, exports blank on error."""
    try:
        doc, rows = b.clear(session, p)
    except SapMessage as m:
        return {"E_DOC_NO": "", "E_FISC_YEAR": "0000", "E_OBJ_KEY": "",
                "RETURN": [bapiret2(r) for r in rows_of(m)]}  # fmt: skip
    out: Params = {"E_DOC_NO": "", "E_FISC_YEAR": "0000", "E_OBJ_KEY": "", "T_LINES": []}
    if doc is not None:
        out = {"E_DOC_NO": doc.belnr, "E_FISC_YEAR": doc.gjahr, "E_OBJ_KEY": doc.obj_key,
               "T_LINES": posted_lines(b, doc)}  # fmt: skip
    return {**out, "RETURN": [bapiret2(r) for r in rows]}


def posted_lines(b: SapBackend, doc: Document) -> list[Params]:
    """T_LINES: the document's lines as posted (the kit reads them back from BSEG), so the
    caller sees what FB05 booked, including differences it booked itself within tolerance."""
    return [
        {"ITEM_NUM": f"{n:03d}", "POST_KEY": ln.bschl, "ACCT_TYPE": ln.koart,
         "DB_CR_IND": ln.shkzg, "GL_ACCOUNT": ln.hkont,
         "CUSTOMER": ln.account if ln.koart == "D" else "",
         "AMT_DOCCUR": b.external(ln.amount, doc.waers), "COSTCENTER": ln.kostl,
         "REASON_CDE": ln.rstgr, "INV_REF": ln.rebzg[0],
         "CLEARED": "X" if ln.cleared_by_self else "", "ITEM_TEXT": ln.sgtxt[:50]}
        for n, ln in enumerate(doc.lines, start=1)
    ]  # fmt: skip


def z_otc_ar_on_account(b: SapBackend, session: str, p: Params) -> Params:
    """The kit's self-committing posting: BAPI_ACC_DOCUMENT_CHECK (test run) or _POST, then
    BAPI_TRANSACTION_COMMIT WAIT in the same ABAP session, so a stateless SOAP POST carries a
    whole LUW (docs/specs/sap.md §8)."""
    blank: Params = {"OBJ_TYPE": "", "OBJ_KEY": "", "OBJ_SYS": ""}
    if _s(p, "I_TESTRUN") == "X":
        return {**blank, "RETURN": bapi_acc_document_check(b, session, p)["RETURN"]}
    posted = bapi_acc_document_post(b, session, p)
    if any(r["TYPE"] in ("E", "A") for r in posted["RETURN"]):
        b.rollback(session)
        return {**blank, "RETURN": posted["RETURN"]}
    failed = b.commit(session)
    if failed:  # the update failed: nothing was posted, say so with the update's message
        return {**blank, "RETURN": [bapiret2(failed)]}
    return {k: posted[k] for k in ("OBJ_TYPE", "OBJ_KEY", "OBJ_SYS", "RETURN")}


def _customer_commit(b: SapBackend, session: str, answer: Params) -> Params:
    """Commit the customer BAPI's work in its own session, or roll it back on an error."""
    if answer["RETURN"] and answer["RETURN"].get("TYPE") in ("E", "A"):
        b.rollback(session)
        return answer
    failed = b.commit(session)
    if failed:
        return {**answer, "CUSTOMERNO": "", "RETURN": bapiret1(failed)}
    return answer


def z_otc_customer_create(b: SapBackend, session: str, p: Params) -> Params:
    """BAPI_CUSTOMER_CREATEFROMDATA1 + BAPI_TRANSACTION_COMMIT WAIT in one call (the kit)."""
    return _customer_commit(b, session, bapi_customer_createfromdata1(b, session, p))


def z_otc_customer_change(b: SapBackend, session: str, p: Params) -> Params:
    """BAPI_CUSTOMER_CHANGEFROMDATA1 + BAPI_TRANSACTION_COMMIT WAIT in one call (the kit)."""
    return _customer_commit(b, session, bapi_customer_changefromdata1(b, session, p))


# -- customers ------------------------------------------------------------------------------------
def bapi_customer_getlist(b: SapBackend, session: str, p: Params) -> Params:
    try:
        rows = b.list_customers(list(p.get("IDRANGE") or []), int(p.get("MAXROWS") or 0),
                                _s(p, "CPDONLY") == "X")  # fmt: skip
    except SapMessage as m:
        return {"RETURN": bapiret1(m), "ADDRESSDATA": [], "SPECIALDATA": []}
    address = [
        {"CUSTOMER": r["KUNNR"], "SORT1": r["SORTL"], "NAME": r["NAME1"], "NAME_2": r["NAME2"],
         "CITY": r["ORT01"], "POSTL_COD1": r["PSTLZ"], "STREET": r["STRAS"],
         "COUNTRY": r["LAND1"], "REGION": r["REGIO"], "LANGU": r["SPRAS"],
         "TEL1_NUMBR": r["TELF1"]}
        for r in rows
    ]  # fmt: skip
    special = [{"CUSTOMER": r["KUNNR"], "ACCNT_GRP": r["KTOKD"]} for r in rows]
    return {"RETURN": {}, "ADDRESSDATA": address, "SPECIALDATA": special}


def bapi_customer_getdetail2(b: SapBackend, session: str, p: Params) -> Params:
    try:
        kna1, knb1 = b.customer_detail(_s(p, "CUSTOMERNO"), _s(p, "COMPANYCODE"))
    except SapMessage as m:
        return {"RETURN": bapiret1(m), "CUSTOMERADDRESS": {}, "CUSTOMERGENERALDETAIL": {},
                "CUSTOMERCOMPANYDETAIL": {}, "CUSTOMERBANKDETAIL": [],
                "CUSTOMERIBANDETAIL": []}  # fmt: skip
    address = {
        "CUSTOMER": kna1["KUNNR"], "NAME": kna1["NAME1"], "NAME_2": kna1["NAME2"],
        "CITY": kna1["ORT01"], "POSTL_COD1": kna1["PSTLZ"], "STREET": kna1["STRAS"],
        "COUNTRY": kna1["LAND1"], "REGION": kna1["REGIO"], "LANGU": kna1["SPRAS"],
        "TELEPHONE": kna1["TELF1"], "SORT1": kna1["SORTL"],
    }  # fmt: skip
    return {
        "RETURN": {},
        "CUSTOMERADDRESS": address,
        "CUSTOMERGENERALDETAIL": dict(kna1),
        "CUSTOMERCOMPANYDETAIL": dict(knb1 or {}),
        "CUSTOMERBANKDETAIL": [],
        "CUSTOMERIBANDETAIL": [],
    }


def bapi_customer_createfromdata1(b: SapBackend, session: str, p: Params) -> Params:
    try:
        kunnr = b.create_customer(
            session, dict(p.get("PI_PERSONALDATA") or {}), dict(p.get("PI_COMPANYDATA") or {}),
            dict(p.get("PI_OPT_COMPANYDATA") or p.get("PI_OPT_PERSONALDATA") or {}),
            dict(p.get("PI_COPYREFERENCE") or {}),
        )  # fmt: skip
    except SapMessage as m:
        return {"CUSTOMERNO": "", "RETURN": bapiret1(m)}
    return {"CUSTOMERNO": kunnr, "RETURN": {}}


def bapi_customer_changefromdata1(b: SapBackend, session: str, p: Params) -> Params:
    parts = [
        (dict(p.get(name) or {}), dict(p.get(name + "X") or {}))
        for name in ("PI_PERSONALDATA", "PI_COMPANYDATA")
    ]
    try:
        b.change_customer(session, _s(p, "CUSTOMERNO"), _s(p, "PI_SALESORG"), parts)
    except SapMessage as m:
        return {"RETURN": bapiret1(m)}
    return {"RETURN": {}}


# -- RFC_READ_TABLE -------------------------------------------------------------------------------
def _exc(name: str, *, msg_class: str = "", number: str = "", v1: str = "") -> AbapException:
    text = text_of(msg_class, number, v1) if msg_class else name
    return AbapException(name, msg_class, number, "E", v1, message=text)


_TOKEN = re.compile(r"'(?:[^']|'')*'|[(),]|[^\s(),']+")
_OPS = {"=": "=", "EQ": "=", "<>": "<>", "NE": "<>", "<": "<", "LT": "<", "<=": "<=",
        "LE": "<=", ">": ">", "GT": ">", ">=": ">=", "GE": ">="}  # fmt: skip
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


class _Where:
    """Recursive-descent parser of the Open SQL subset of docs/specs/sap.md §2.3 into SQLite.

    Column names are checked against the DDIC catalogue and quoted; every literal becomes a
    bind parameter, so nothing from OPTIONS is spliced into SQL. Anything outside the subset
    raises OPTION_NOT_VALID, as SAP's dynamic WHERE does.
    """

    def __init__(self, text: str, fields: dict[str, tables.Field]) -> None:
        self.tokens: list[str] = _TOKEN.findall(text)
        if "".join("".join(self.tokens).split()) != "".join(text.split()):
            raise _exc("OPTION_NOT_VALID")  # an unterminated quote: findall skipped it
        self.pos = 0
        self.fields = fields
        self.binds: list[Any] = []

    def parse(self) -> str:
        if not self.tokens:
            return ""
        sql = self._or()
        if self.pos != len(self.tokens):
            raise _exc("OPTION_NOT_VALID")
        return sql

    def _peek(self) -> str:
        return self.tokens[self.pos].upper() if self.pos < len(self.tokens) else ""

    def _next(self) -> str:
        if self.pos >= len(self.tokens):
            raise _exc("OPTION_NOT_VALID")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def _or(self) -> str:
        parts = [self._and()]
        while self._peek() == "OR":
            self._next()
            parts.append(self._and())
        return " OR ".join(parts) if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def _and(self) -> str:
        parts = [self._not()]
        while self._peek() == "AND":
            self._next()
            parts.append(self._not())
        return "(" + " AND ".join(parts) + ")" if len(parts) > 1 else parts[0]

    def _not(self) -> str:
        if self._peek() == "NOT":
            self._next()
            return f"NOT ({self._not()})"
        if self._peek() == "(":
            self._next()
            inner = self._or()
            if self._next() != ")":
                raise _exc("OPTION_NOT_VALID")
            return f"({inner})"
        return self._predicate()

    def _field(self, token: str) -> tables.Field:
        f = self.fields.get(token.upper())
        if f is None:
            raise _exc("OPTION_NOT_VALID")
        return f

    def _value(self, f: tables.Field) -> str:
        """A literal (bound, converted to the column's storage form) or another column."""
        token = self._next()
        if token.startswith("'"):
            value = token[1:-1].replace("''", "'")
        elif _NUMBER.match(token):
            value = token
        elif token.upper() in self.fields:
            return (
                f'"{token.upper()}"' if not f.is_numeric else f'CAST("{token.upper()}" AS NUMERIC)'
            )
        else:
            raise _exc("OPTION_NOT_VALID")
        if f.is_numeric:
            if not _NUMBER.match(value.strip() or "0"):
                raise _exc("OPTION_NOT_VALID")
            self.binds.append(value.strip() or "0")
            return "CAST(? AS NUMERIC)"
        value = value.rstrip()
        if f.type == "N" and value.isdigit():
            value = value.zfill(f.length)
        self.binds.append(value)
        return "?"

    def _column(self, f: tables.Field) -> str:
        return f'CAST("{f.name}" AS NUMERIC)' if f.is_numeric else f'"{f.name}"'

    def _predicate(self) -> str:
        f = self._field(self._next())
        col = self._column(f)
        negate = ""
        op = self._next().upper()
        if op == "IS":
            negate = "NOT " if self._peek() == "NOT" else ""
            if negate:
                self._next()
            if self._next().upper() != "NULL":
                raise _exc("OPTION_NOT_VALID")
            return f'"{f.name}" IS {negate}NULL'
        if op == "NOT":
            negate, op = "NOT ", self._next().upper()
        if op in _OPS and not negate:
            return f"{col} {_OPS[op]} {self._value(f)}"
        if op == "LIKE":
            token = self._next()
            if not token.startswith("'"):
                raise _exc("OPTION_NOT_VALID")
            pattern, escape = token[1:-1].replace("''", "'"), ""
            if self._peek() == "ESCAPE":
                self._next()
                esc = self._next()
                if not (esc.startswith("'") and len(esc) == 3):
                    raise _exc("OPTION_NOT_VALID")
                escape = esc[1]
            self.binds.append(_glob(pattern, escape))
            return f'{negate}("{f.name}" GLOB ?)'
        if op == "IN":
            if self._next() != "(":
                raise _exc("OPTION_NOT_VALID")
            values = [self._value(f)]
            while self._peek() == ",":
                self._next()
                values.append(self._value(f))
            if self._next() != ")":
                raise _exc("OPTION_NOT_VALID")
            return f"{col} {negate}IN ({', '.join(values)})"
        if op == "BETWEEN":
            low = self._value(f)
            if self._next().upper() != "AND":
                raise _exc("OPTION_NOT_VALID")
            return f"{col} {negate}BETWEEN {low} AND {self._value(f)}"
        raise _exc("OPTION_NOT_VALID")


def _glob(pattern: str, escape: str) -> str:
    """Open SQL LIKE (case-sensitive, ``%`` ``_``) as SQLite GLOB (case-sensitive)."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if escape and c == escape and i + 1 < len(pattern):
            i += 1
            c = pattern[i]
            out.append({"*": "[*]", "?": "[?]", "[": "[[]"}.get(c, c))
        else:
            out.append({"%": "*", "_": "?", "*": "[*]", "?": "[?]", "[": "[[]"}.get(c, c))
        i += 1
    return "".join(out)


def _format(value: Any, f: tables.Field) -> str:
    """Fixed-width text of one value (docs/specs/sap.md §2.3): C/N/D/T left-aligned in their slot,
    packed right-aligned with the sign in the last position and ``*`` on overflow [derived]."""
    if f.type == "P":
        d = Decimal(str(value or "0"))
        text = f"{abs(d):.{f.decimals}f}" + ("-" if d < 0 else " ")
        return text.rjust(f.length) if len(text) <= f.length else "*" + text[-(f.length - 1) :]
    if f.type in ("I", "b"):
        text = str(int(value or 0))
        return text.rjust(f.length)[-f.length :]
    return str(value).ljust(f.length)[: f.length]


def rfc_read_table(b: SapBackend, session: str, p: Params) -> Params:
    """Generic table read with the six classic exceptions (docs/specs/sap.md §2.3, §7.5, §8).

    The real module runs ``SELECT ... WHERE (OPTIONS)`` with no ORDER BY and skips ROWSKIPS
    rows by counting them (docs/specs/sap.md §8). Setting ``read_table_order``: "random" (the
    default) answers in a fresh order on every call, as HANA may, so ROWSKIPS pages miss and
    repeat rows; "key" answers in primary-key order. Packed values too wide for their output
    field come back as ``*...`` (``_format``), amounts >= 1e9 in CURR(13,2) included.
    """
    table = _s(p, "QUERY_TABLE")
    if table in tables.STRUCTURES:
        raise _exc("TABLE_WITHOUT_DATA")
    if table in b.unauthorized_tables:
        raise _exc("NOT_AUTHORIZED")
    if table not in tables.CATALOGUE:
        raise _exc("TABLE_NOT_AVAILABLE", msg_class="SV", number="029", v1=table)
    if table == "TCURX":
        b.sync_tcurx()
    elif table in ("T053R", "T053S"):
        sync_missing(b)
    elif table in ("CVERS", "TFDIR"):
        sync_system_tables(b, table, list(HANDLERS))
    catalogue = tables.field_map(table)
    wanted = [_s(r, "FIELDNAME") for r in p.get("FIELDS") or [] if _s(r, "FIELDNAME")]
    for name in wanted:
        if name not in catalogue:
            raise _exc("FIELD_NOT_VALID")
    fields = [catalogue[n] for n in wanted] or list(tables.CATALOGUE[table])
    delim = _s(p, "DELIMITER").rstrip()
    out_fields, offset = [], 0
    for f in fields:
        out_fields.append({"FIELDNAME": f.name, "OFFSET": f"{offset:06d}",
                           "LENGTH": f"{f.length:06d}", "TYPE": f.type,
                           "FIELDTEXT": tables.FIELD_TEXTS.get(f.name, "")})  # fmt: skip
        offset += f.length + len(delim)
    width = offset - len(delim)
    if _s(p, "NO_DATA") == "X":
        return {"FIELDS": out_fields, "DATA": [], "OPTIONS": list(p.get("OPTIONS") or [])}
    if width > 512:
        raise _exc("DATA_BUFFER_EXCEEDED")
    where = _Where(" ".join(_s(r, "TEXT") for r in p.get("OPTIONS") or []), catalogue)
    cond = where.parse()
    skips, count = max(0, int(p.get("ROWSKIPS") or 0)), max(0, int(p.get("ROWCOUNT") or 0))
    cols = ", ".join(f'"{f.name}"' for f in fields)
    if b.settings.read_table_order == "key":
        order = ", ".join(f'"{f.name}"' for f in tables.CATALOGUE[table] if f.key)
    else:
        order = "random()"
    sql = f'SELECT {cols} FROM "{table}"' + (f" WHERE {cond}" if cond else "")
    sql += f" ORDER BY {order} LIMIT ? OFFSET ?"
    try:
        rows = b.store.query(sql, [*where.binds, count or -1, skips])
    except Exception as exc:  # a type clash SQLite refuses: SAP would not parse it either
        raise _exc("OPTION_NOT_VALID") from exc
    data = [
        {"WA": delim.join(_format(v, f) for v, f in zip(r, fields, strict=True)).rstrip()}
        for r in rows
    ]
    return {"FIELDS": out_fields, "DATA": data, "OPTIONS": list(p.get("OPTIONS") or [])}


HANDLERS: dict[str, Handler] = {
    "BAPI_AR_ACC_GETOPENITEMS": bapi_ar_acc_getopenitems,
    "BAPI_AR_ACC_GETKEYDATEBALANCE": bapi_ar_acc_getkeydatebalance,
    "RFC_READ_TABLE": rfc_read_table,
    "BAPI_ACC_DOCUMENT_CHECK": bapi_acc_document_check,
    "BAPI_ACC_DOCUMENT_POST": bapi_acc_document_post,
    "BAPI_TRANSACTION_COMMIT": bapi_transaction_commit,
    "BAPI_TRANSACTION_ROLLBACK": bapi_transaction_rollback,
    "Z_OTC_AR_CLEAR": z_otc_ar_clear,
    "Z_OTC_AR_ON_ACCOUNT": z_otc_ar_on_account,
    "Z_OTC_CUSTOMER_CREATE": z_otc_customer_create,
    "Z_OTC_CUSTOMER_CHANGE": z_otc_customer_change,
    "BAPI_CUSTOMER_GETLIST": bapi_customer_getlist,
    "BAPI_CUSTOMER_GETDETAIL2": bapi_customer_getdetail2,
    "BAPI_CUSTOMER_CREATEFROMDATA1": bapi_customer_createfromdata1,
    "BAPI_CUSTOMER_CHANGEFROMDATA1": bapi_customer_changefromdata1,
}
HANDLERS.update(REVERSAL_HANDLERS)  # Z_OTC_AR_REVERSE / _REFUND (mock_erp/sap/reversal.py...)
HANDLERS.update(SYSTEM_HANDLERS)  # release, user defaults, kit version (mock_erp/sap/system.py)
