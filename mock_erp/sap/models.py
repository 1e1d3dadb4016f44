"""State of the SAP persona and the facade its callers use (no HTTP, no wire shapes).

Why a backend object: rules need state beyond the tables — ABAP sessions with their pending LUW
(docs/specs/sap.md §2.5: work is visible only after BAPI_TRANSACTION_COMMIT in the same session),
enqueue locks, the saved TCURX rows, the settings and the mock clock. ``SapBackend`` holds that
state; each rule lives in the module of its domain as a function of the backend, and the
backend's methods only hand over to them, so responses, routes, the seeders and tests keep one
object to call:

- sessions.py — sessions, LUWs, COMMIT/ROLLBACK, self-committing writes
- locks.py — enqueue locks and the ``lock_conflict`` answers
- customizing.py, periods.py, currencies.py — T001/T052, posting periods, TCURX decimals
- number_ranges.py — NRIV: document, customer and change-document numbers
- documents.py — the document model, its rows, the BSID→BSAD move, open-item reads
- posting.py — BAPI_ACC_DOCUMENT_CHECK/POST
- clearing.py — Z_OTC_AR_CLEAR (reversal.py and refunds.py: Z_OTC_AR_REVERSE, _REFUND)
- customers.py — KNA1/KNB1 and the customer BAPIs
- formats.py — CURR/DATS/ALPHA conversions

Business errors are raised as ``SapMessage`` (with cause rows in ``extra``); responses.py turns
them into the RETURN shape of each function module. Amounts inside the rules are ``int`` minor
units (formats.py says why). Domain modules reach other domains through this facade and import
only public names; the names below in ``__all__`` are re-exported for existing importers.
"""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from typing import Any

from mock_erp.sap import (
    clearing,
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
    OBJ_TYPE,
    POSTING_KEYS,
    Document,
    Line,
)
from mock_erp.sap.formats import (
    alpha,
    dats,
    internal_text,
    minor_of_internal,
    parse_dats,
)
from mock_erp.sap.locks import CUSTOMER_LOCK, LOCK_CAUSE
from mock_erp.sap.messages import ROW_BASE
from mock_erp.sap.number_ranges import CUSTOMER_RANGE, DOC_TYPE_RANGES
from mock_erp.sap.sessions import DEFAULT_USER, Session, Writes
from mock_erp.sap.settings import SapSettings
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

    # -- clock -------------------------------------------------------------------------------------
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

    # -- sessions and LUWs (sessions.py) -----------------------------------------------------------
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

    # -- locks (enqueue, locks.py) -----------------------------------------------------------------
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

    # -- configuration look-ups (customizing.py, periods.py) ---------------------------------------
    def company(self, bukrs: str) -> dict[str, str] | None:
        return customizing.company(self, bukrs)

    def payment_terms(self, zterm: str) -> tuple[int, int, int, Decimal, Decimal]:
        return customizing.payment_terms(self, zterm)

    @staticmethod
    def fiscal_period(budat: str, periv: str = "K4") -> tuple[str, str]:
        return periods.fiscal_period(budat, periv)

    def period_open(self, bukrs: str, gjahr: str, monat: str, koart: str) -> SapMessage | None:
        return periods.period_open(self, bukrs, gjahr, monat, koart)

    # -- currencies (currencies.py) ----------------------------------------------------------------
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

    # -- number ranges (number_ranges.py) ----------------------------------------------------------
    def draw_number(self, bukrs: str, blart: str, gjahr: str) -> str:
        return number_ranges.draw_number(self, bukrs, blart, gjahr)

    def draw_customer_number(self) -> str:
        return number_ranges.draw_customer_number(self)

    def draw_change_number(self) -> str:
        return number_ranges.draw_change_number(self)

    # -- accounting documents (posting.py) ---------------------------------------------------------
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

    # -- open items (documents.py) -----------------------------------------------------------------
    def open_items(self, bukrs: str, kunnr: str, keydate: str, noted: bool) -> list[dict[str, Any]]:
        return documents.open_items(self, bukrs, kunnr, keydate, noted)

    # -- clearing wrapper (clearing.py) ------------------------------------------------------------
    def clear(self, sid: str, p: dict[str, Any]) -> tuple[Document | None, list[SapMessage]]:
        return clearing.clear(self, sid, p)

    # -- customers (customers.py) ------------------------------------------------------------------
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
