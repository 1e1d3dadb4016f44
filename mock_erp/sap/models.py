"""State and business rules of the SAP persona (no HTTP, no wire shapes).

Why a backend object: rules need state beyond the tables — ABAP sessions with their pending LUW
(docs/specs/sap.md §2.5: work is visible only after BAPI_TRANSACTION_COMMIT in the same session),
enqueue locks, and the mock clock. Business errors are raised as ``SapMessage`` (with cause rows
in ``extra``); responses.py turns them into the RETURN shape of each function module.
Amounts inside the rules are ``int`` minor units (formats.py says why).
"""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from typing import Any

from mock_erp.sap import (
    currencies,
    customers,
    customizing,
    documents,
    locks,
    number_ranges,
    periods,
    posting,
    sessions,
    tables,
)
from mock_erp.sap.abap import SapMessage
from mock_erp.sap.customers import CUSTOMER_BAPIS_NEED_COMMIT
from mock_erp.sap.documents import (
    LOGICAL_SYSTEM,
    MOVE_TO_BSAD,
    OBJ_TYPE,
    POSTING_KEYS,
    Document,
    Line,
)
from mock_erp.sap.formats import (
    alpha,
    dats,
    dats_or,
    internal_text,
    minor_of_internal,
    parse_dats,
)
from mock_erp.sap.locks import CUSTOMER_LOCK, LOCK_CAUSE
from mock_erp.sap.messages import (
    ROW_BASE,
    msg,
)
from mock_erp.sap.number_ranges import CUSTOMER_RANGE, DOC_TYPE_RANGES
from mock_erp.sap.sessions import DEFAULT_USER, Session, Writes
from mock_erp.sap.settings import SapSettings
from mock_erp.sap.user_dates import UnsupportedDateFormat, read_user_date, write_user_date
from mock_erp.store import Store

#: Names other code imports from here; each is defined in the module that owns it.
__all__ = [
    "CUSTOMER_BAPIS_NEED_COMMIT",
    "CUSTOMER_LOCK",
    "CUSTOMER_RANGE",
    "DEFAULT_USER",
    "DOC_TYPE_RANGES",
    "LOCK_CAUSE",
    "LOGICAL_SYSTEM",
    "OBJ_TYPE",
    "POSTING_KEYS",
    "ROW_BASE",
    "Document",
    "Line",
    "SapBackend",
    "Session",
    "Writes",
    "alpha",
    "dats",
    "internal_text",
    "minor_of_internal",
    "parse_dats",
]


class SapBackend:
    """The SAP system: tables in the shared store, sessions, locks and the clock."""

    def __init__(self, store: Store, *, today: date | None = None) -> None:
        self.store = store
        store.register_schema("sap", tables.DDL)
        self._today = today
        #: One re-entrant mutex for the session and enqueue tables and for rules that must
        #: check and write atomically (two clearings must not take one item).
        self.mutex = threading.RLock()
        self.sessions: dict[str, Session] = {}  # open ABAP sessions by id (sessions.py)
        self.enqueues: dict[tuple[str, str], str] = {}  # (BUKRS or *, KUNNR) → user (locks.py)
        self.unauthorized_tables: set[str] = {"USR02", "USH02", "RFCDES"}
        self.settings = SapSettings()  # the persona hands the app's settings over on each call
        self.tcurx_saved: dict[str, int | None] = {}  # TCURX rows as seeded, before `tcurx`
        self.logon_user = DEFAULT_USER  # the persona sets its configured user on each call
        #: Fault kinds the SAP persona applies inside a call (mock_erp/faults.py), set by the
        #: persona for the call at hand: ``fb08_fails_after_reset`` (mock_erp/sap/reversal.py)
        self.call_faults: frozenset[str] = frozenset()

    # -- clock -----------------------------------------------------------------------------
    @property
    def today(self) -> date:
        """The mock's date (CPUDT, UDATE, ERDAT); fixed when set, else the real date."""
        return self._today or date.today()

    @today.setter
    def today(self, value: date | None) -> None:
        self._today = value

    def reset(self) -> None:
        """Drop all state: tables (store-wide reset), sessions and locks."""
        with self.mutex:
            self.store.reset()
            self.sessions.clear()
            self.enqueues.clear()

    # -- sessions and LUWs (sessions.py) -----------------------------------------------------
    def open_session(self, user: str = DEFAULT_USER) -> str:
        return sessions.open_session(self, user)

    def end_session(self, sid: str) -> None:
        sessions.end_session(self, sid)

    def has_session(self, sid: str) -> bool:
        return sessions.has_session(self, sid)

    def session_user(self, sid: str) -> str:
        return sessions.session_user(self, sid)

    def pending(self, sid: str) -> list[str]:
        return sessions.pending(self, sid)

    def commit(self, sid: str) -> SapMessage | None:
        return sessions.commit(self, sid)

    def rollback(self, sid: str) -> None:
        sessions.rollback(self, sid)

    def write_now(self, writes: Writes) -> None:
        sessions.write_now(self, writes)

    # -- locks (enqueue, locks.py) -----------------------------------------------------------
    def set_lock(self, bukrs: str, kunnr: str, user: str) -> None:
        locks.set_lock(self, bukrs, kunnr, user)

    def clear_locks(self) -> None:
        locks.clear_locks(self)

    def locked_by(self, bukrs: str, kunnr: str, user: str) -> str | None:
        return locks.locked_by(self, bukrs, kunnr, user)

    def any_lock_user(self, kunnr: str = "") -> str:
        return locks.any_lock_user(self, kunnr)

    def lock_response(
        self, function: str, params: dict[str, Any], holder: str | None = None
    ) -> dict[str, Any]:
        return locks.lock_response(self, function, params, holder)

    # -- configuration look-ups (customizing.py, periods.py) ----------------------------------
    def company(self, bukrs: str) -> dict[str, str] | None:
        return customizing.company(self, bukrs)

    def payment_terms(self, zterm: str) -> tuple[int, int, int, Decimal, Decimal]:
        return customizing.payment_terms(self, zterm)

    @staticmethod
    def fiscal_period(budat: str, periv: str = "K4") -> tuple[str, str]:
        return periods.fiscal_period(budat, periv)

    def period_open(self, bukrs: str, gjahr: str, monat: str, koart: str) -> SapMessage | None:
        return periods.period_open(self, bukrs, gjahr, monat, koart)

    # -- currencies (currencies.py) -----------------------------------------------------------
    def sync_tcurx(self) -> None:
        currencies.sync_tcurx(self)

    def currdec(self, waers: str) -> int:
        return currencies.currdec(self, waers)

    def to_minor(self, amount: Decimal, waers: str) -> int | None:
        return currencies.to_minor(self, amount, waers)

    def external(self, minor: int, waers: str) -> Decimal:
        return currencies.external(self, minor, waers)

    def fmt_amount(self, minor: int, waers: str) -> str:
        return currencies.fmt_amount(self, minor, waers)

    # -- number ranges (number_ranges.py) -------------------------------------------------------
    def draw_number(self, bukrs: str, blart: str, gjahr: str) -> str:
        return number_ranges.draw_number(self, bukrs, blart, gjahr)

    def draw_customer_number(self) -> str:
        return number_ranges.draw_customer_number(self)

    def draw_change_number(self) -> str:
        return number_ranges.draw_change_number(self)

    # -- accounting documents (posting.py) -----------------------------------------------------
    def build_document(
        self,
        header: dict[str, Any],
        gl: list[dict[str, Any]],
        ar: list[dict[str, Any]],
        amounts: list[dict[str, Any]],
        user: str,
    ) -> Document:
        return posting.build_document(self, header, gl, ar, amounts, user)

    def check_document(
        self,
        sid: str,
        header: dict[str, Any],
        gl: list[dict[str, Any]],
        ar: list[dict[str, Any]],
        amounts: list[dict[str, Any]],
    ) -> None:
        posting.check_document(self, sid, header, gl, ar, amounts)

    def post_document(
        self,
        sid: str,
        header: dict[str, Any],
        gl: list[dict[str, Any]],
        ar: list[dict[str, Any]],
        amounts: list[dict[str, Any]],
    ) -> str:
        return posting.post_document(self, sid, header, gl, ar, amounts)

    # -- open items (documents.py) -------------------------------------------------------------
    def open_items(self, bukrs: str, kunnr: str, keydate: str, noted: bool) -> list[dict[str, Any]]:
        return documents.open_items(self, bukrs, kunnr, keydate, noted)

    # -- clearing wrapper ------------------------------------------------------------------------
    def clear(self, sid: str, p: dict[str, Any]) -> tuple[Document | None, list[SapMessage]]:
        """Z_OTC_AR_CLEAR (docs/specs/sap.md §2.6). Returns the posted document (None in a test run)
        and the success rows; raises the first failing check as ``SapMessage``.

        Check order 003, F5 102, F5 351, F5 201, 001/005, 010, 002/004. It commits itself (CALL
        TRANSACTION FB05, synchronous update): the session's pending LUW is not involved.
        """
        with self.mutex:  # check and write atomically: two clears must not take one item
            return self._clear(sid, p)

    def _clear(self, sid: str, p: dict[str, Any]) -> tuple[Document | None, list[SapMessage]]:
        bukrs, kunnr = str(p.get("I_COMP_CODE") or ""), str(p.get("I_CUSTOMER") or "")
        waers = str(p.get("I_CURRENCY") or "")
        auglv = str(p.get("I_AUGLV") or "EINGZAHL")
        bank = str(p.get("I_BANK_GL") or "")
        budat = dats_or(p.get("I_PSTNG_DATE"), "00000000")
        bldat = dats_or(p.get("I_DOC_DATE"), "00000000")
        items = list(p.get("T_ITEMS") or [])
        gllines = list(p.get("T_GLLINES") or [])
        amount = Decimal(p.get("I_AMOUNT") or 0)
        _check_clear_params(auglv, bank, amount, items, budat, bldat)
        # dates travel as text in the user's format through FB05's batch input (§8)
        budat, bldat = (self._batch_input_date(d, self.session_user(sid)) for d in (budat, bldat))
        # 003: decimals of every amount against the payment currency
        to_check = [amount] + [
            Decimal(i.get(k) or 0) for i in items for k in ("AMT_PAID", "DISC_AMT")
        ]
        to_check += [Decimal(g.get("AMT_DOCCUR") or 0) for g in gllines]
        minors = []
        for value in to_check:
            m = self.to_minor(value, waers)
            if m is None:
                raise msg("ZOTC", "003", f"{value}", waers)
            minors.append(m)
        pay = minors[0]
        paid = [(minors[1 + 2 * i], minors[2 + 2 * i]) for i in range(len(items))]
        glm = minors[1 + 2 * len(items) :]
        comp = self.company(bukrs)
        cust = self.customer(kunnr, bukrs) if comp else None
        if comp is None or cust is None:
            raise msg("F5", "102", kunnr, bukrs)
        if "X" in (cust["KNA1_SPERR"], cust["KNB1_SPERR"]):
            raise msg("F5", "351", kunnr, bukrs)
        gjahr, monat = self.fiscal_period(budat, comp["PERIV"])
        closed = self.period_open(bukrs, gjahr, monat, "D")
        if closed:
            raise closed
        opens: list[tuple[tuple[str, str, str], int, int, tuple[Any, ...]]] = []
        for it in items:
            doc_no, year = str(it.get("DOC_NO") or ""), str(it.get("FISC_YEAR") or "0000")
            buzei = str(it.get("ITEM_NUM") or "000")
            row = self.store.query_one(
                "SELECT SHKZG, WRBTR, DMBTR, WAERS, ZFBDT, ZTERM, ZBD1T, ZBD2T, ZBD3T, ZBD1P, "
                "ZBD2P FROM BSID WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ? AND BUZEI = ? "
                "AND KUNNR = ?",
                (bukrs, doc_no, year, buzei, kunnr),
            )
            if row is None or any(o[0] == (doc_no, year, buzei) for o in opens):
                raise msg("ZOTC", "001", doc_no, year, buzei, kunnr)
            if row[3] != waers:
                raise msg("ZOTC", "005", doc_no, row[3], waers)
            sign = 1 if row[0] == "S" else -1
            opens.append(
                (
                    (doc_no, year, buzei),
                    sign * minor_of_internal(row[1]),
                    sign * minor_of_internal(row[2]),
                    row,
                )
            )
        holder = self.locked_by(bukrs, kunnr, self.session_user(sid))
        if holder:
            raise msg("ZOTC", "010", kunnr, holder)
        applied = 0
        for it, (a, d), (key, o, _, _) in zip(items, paid, opens, strict=True):
            mode = str(it.get("CLR_MODE") or "F")
            ok = {
                "F": auglv == "UMBUCHNG" or (a + d == o if o >= 0 else a == d == 0),
                "R": o > 0 and a + d < o,
                "P": o > 0 and 0 < a + d <= o,
            }[mode]
            if not ok:
                raise msg("ZOTC", "002", key[0], self.fmt_amount(o, waers))
            applied += o if mode == "F" else a + d
        leftover = pay + sum(d for _, d in paid) + sum(glm) - applied
        if leftover < 0:
            raise msg("ZOTC", "004", self.fmt_amount(-leftover, waers))
        if any(d for _, d in paid) and not comp["DISC_GL"]:
            # no cash-discount account (T030 SKE): FB05 stops on the screen asking for it and
            # the kit reports the stop as a failure, in a test run too (00 344)
            raise msg("00", "344", "SAPMF05A", "0300")
        doc = self._clearing_document(
            p,
            comp,
            cust,
            bukrs,
            kunnr,
            waers,
            auglv,
            bank,
            budat,
            bldat,
            gjahr,
            monat,
            pay,
            items,
            paid,
            opens,
            gllines,
            glm,
            leftover,
            self.session_user(sid),
        )
        if str(p.get("I_TESTRUN") or "") == "X":
            return None, [msg("ZOTC", "009", type="S")]
        doc.belnr = self.draw_number(bukrs, doc.blart, gjahr)
        writes = documents.document_writes(self, doc)
        for (belnr, year, buzei), *_ in (
            o
            for o, it in zip(opens, items, strict=True)
            if str(it.get("CLR_MODE") or "F") in ("F", "R")
        ):
            rowkey = (bukrs, belnr, year, buzei)
            writes += [
                (MOVE_TO_BSAD, [(budat, doc.belnr, *rowkey)]),
                (
                    "DELETE FROM BSID WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ? AND BUZEI = ?",
                    [rowkey],
                ),
                (
                    "UPDATE BSEG SET AUGDT = ?, AUGBL = ? WHERE BUKRS = ? AND BELNR = ? "
                    "AND GJAHR = ? AND BUZEI = ?",
                    [(budat, doc.belnr, *rowkey)],
                ),
            ]
        self.write_now(writes)
        return doc, [
            msg("ZOTC", "000", doc.belnr, bukrs, gjahr, type="S"),
            msg("F5", "312", doc.belnr, bukrs, type="S"),
        ]

    def _batch_input_date(self, dats_text: str, user: str) -> str:
        """A DATS value as the kit's batch input carries it: written as text in the logon
        user's date format (USR01-DATFM, setting ``user_date_format``), read back by the FB05
        screen in that format. ZOTC 011 for an era or lunar calendar the kit refuses."""
        datfm = self.settings.user_date_format
        value = parse_dats(dats_text)
        if value is None:
            return dats_text
        try:
            return dats(read_user_date(write_user_date(value, datfm), datfm))
        except UnsupportedDateFormat:
            raise msg("ZOTC", "011", datfm, user) from None

    def _clearing_document(
        self,
        p: dict[str, Any],
        comp: dict[str, str],
        cust: dict[str, str],
        bukrs: str,
        kunnr: str,
        waers: str,
        auglv: str,
        bank: str,
        budat: str,
        bldat: str,
        gjahr: str,
        monat: str,
        pay: int,
        items: list[dict[str, Any]],
        paid: list[tuple[int, int]],
        opens: list[Any],
        gllines: list[dict[str, Any]],
        glm: list[int],
        leftover: int,
        user: str,
    ) -> Document:
        """The FB05 document: bank, clearing, residual, partial, discount, G/L, on-account.

        Keys (unconfirmed, POSTING_KEYS): bank 40, clearing/on-account/partial 15, residual 06,
        G/L 40/50. Residual items keep the invoice's baseline date and terms [derived].
        """
        hwaer = comp["WAERS"]
        ratio = _local_ratio(opens) if waers != hwaer else None

        def local(minor: int) -> int:
            return minor if ratio is None else int((Decimal(minor) * ratio).to_integral_value())

        doc = Document(
            bukrs=bukrs,
            blart=str(p.get("I_DOC_TYPE") or "DZ"),
            bldat=bldat,
            budat=budat,
            gjahr=gjahr,
            monat=monat,
            waers=waers,
            hwaer=hwaer,
            xblnr=str(p.get("I_REF_DOC_NO") or ""),
            bktxt=str(p.get("I_HEADER_TXT") or ""),
            usnam=user,
            tcode="FB05",
        )
        akont = cust["AKONT"]
        valut = self._batch_input_date(dats_or(p.get("I_VALUE_DATE"), budat), user)
        pk = POSTING_KEYS

        def cust_line(shkzg: str, bschl: str, minor: int, **kw: Any) -> Line:
            return Line(
                koart="D",
                account=kunnr,
                hkont=akont,
                shkzg=shkzg,
                bschl=bschl,
                amount=minor,
                local=local(minor),
                zfbdt=kw.pop("zfbdt", budat),
                **kw,
            )

        if auglv == "EINGZAHL" and pay:
            doc.lines.append(
                Line(
                    koart="S",
                    account=bank,
                    hkont=bank,
                    shkzg="S",
                    bschl=pk["gl_debit"],
                    amount=pay,
                    local=local(pay),
                    zuonr=valut,
                )
            )
        net = sum(
            o
            for (_, o, _, _), it in zip(opens, items, strict=True)
            if str(it.get("CLR_MODE") or "F") in ("F", "R")
        )
        if net:
            doc.lines.append(
                cust_line(
                    "H" if net > 0 else "S",
                    pk["payment"] if net > 0 else pk["payment_debit"],
                    abs(net),
                    cleared_by_self=True,
                )
            )
        for it, (a, d), (key, o, _, row) in zip(items, paid, opens, strict=True):
            mode = str(it.get("CLR_MODE") or "F")
            text = str(it.get("ITEM_TEXT") or "")
            reason = str(it.get("REASON_CDE") or "")
            if mode == "R":
                doc.lines.append(
                    cust_line(
                        "S",
                        pk["residual"],
                        o - a - d,
                        rebzg=key,
                        rstgr=reason,
                        sgtxt=text,
                        zfbdt=row[4],
                        zterm=row[5],
                        zbd=(
                            int(Decimal(row[6])),
                            int(Decimal(row[7])),
                            int(Decimal(row[8])),
                            Decimal(row[9]),
                            Decimal(row[10]),
                        ),
                    )
                )
            elif mode == "P":
                doc.lines.append(
                    cust_line("H", pk["payment"], a + d, rebzg=key, rstgr=reason, sgtxt=text)
                )
        disc = sum(d for _, d in paid)
        if disc:
            doc.lines.append(
                Line(
                    koart="S",
                    account=comp["DISC_GL"],
                    hkont=comp["DISC_GL"],
                    shkzg="S",
                    bschl=pk["gl_debit"],
                    amount=disc,
                    local=local(disc),
                )
            )
        for g, m in zip(gllines, glm, strict=True):
            hk = str(g.get("GL_ACCOUNT") or "")
            doc.lines.append(
                Line(
                    koart="S",
                    account=hk,
                    hkont=hk,
                    shkzg="S" if m >= 0 else "H",
                    bschl=pk["gl_debit" if m >= 0 else "gl_credit"],
                    amount=abs(m),
                    local=local(abs(m)),
                    sgtxt=str(g.get("ITEM_TEXT") or ""),
                    zuonr=str(g.get("ALLOC_NMBR") or ""),
                    kostl=str(g.get("COSTCENTER") or ""),
                )
            )
        if leftover > 0:
            doc.lines.append(cust_line("H", pk["payment"], leftover, sgtxt="On account"))
        return doc

    # -- customers (customers.py) ----------------------------------------------------------------
    def customer(self, kunnr: str, bukrs: str = "") -> dict[str, str] | None:
        return customers.customer(self, kunnr, bukrs)

    def create_customer(
        self,
        sid: str,
        personal: dict[str, Any],
        company: dict[str, Any],
        opt: dict[str, Any],
        ref: dict[str, Any],
    ) -> str:
        return customers.create_customer(self, sid, personal, company, opt, ref)

    def change_customer(
        self,
        sid: str,
        kunnr: str,
        salesorg: str,
        parts: list[tuple[dict[str, Any], dict[str, Any]]],
    ) -> int:
        return customers.change_customer(self, sid, kunnr, salesorg, parts)

    def list_customers(
        self, ranges: list[dict[str, Any]], maxrows: int, cpdonly: bool
    ) -> list[dict[str, str]]:
        return customers.list_customers(self, ranges, maxrows, cpdonly)

    def refuse_customer_bapi_on_s4(self, function: str) -> None:
        customers.refuse_customer_bapi_on_s4(self, function)

    def customer_detail(
        self, kunnr: str, bukrs: str
    ) -> tuple[dict[str, str], dict[str, str] | None]:
        return customers.customer_detail(self, kunnr, bukrs)


def _check_clear_params(
    auglv: str, bank: str, amount: Decimal, items: list[dict[str, Any]], budat: str, bldat: str
) -> None:
    """Malformed wrapper calls: ZOTC 006 (a mock-only number of our class) [project]."""
    problems = [
        (auglv not in ("EINGZAHL", "UMBUCHNG"), "I_AUGLV", auglv),
        (auglv == "EINGZAHL" and not bank, "I_BANK_GL", "required for EINGZAHL"),
        (auglv == "EINGZAHL" and amount <= 0, "I_AMOUNT", "must be > 0 for EINGZAHL"),
        (auglv == "UMBUCHNG" and amount != 0, "I_AMOUNT", "must be 0 for UMBUCHNG"),
        (budat == "00000000", "I_PSTNG_DATE", "required"),
        (bldat == "00000000", "I_DOC_DATE", "required"),
        (not items, "T_ITEMS", "no items"),
    ]
    for it in items:
        mode = str(it.get("CLR_MODE") or "F")
        problems.append((mode not in ("F", "R", "P"), "CLR_MODE", mode))
        for k in ("AMT_PAID", "DISC_AMT"):
            problems.append((Decimal(it.get(k) or 0) < 0, k, "must be >= 0"))
    for bad, name, why in problems:
        if bad:
            raise msg("ZOTC", "006", name, why)


def _local_ratio(opens: list[Any]) -> Decimal:
    """Local per document currency from the cleared items (foreign-currency clearing)."""
    doc = sum(abs(o[1]) for o in opens)
    loc = sum(abs(o[2]) for o in opens)
    return Decimal(loc) / Decimal(doc) if doc else Decimal(1)
